// route_class: which kind of path an interface is (DESIGN.md section 5), the fact the leak
// rules judge DNS by. The order of evidence is fixed and every decision says which evidence
// won, so a user who disagrees knows what to label:
//   1. policy labels (the user knows best: "eth1 is my VPN's uplink")
//   2. what the kernel says: loopback flag; tun/raw IP, point-to-point, WireGuard and IP
//      tunnels -> tunnel; ethernet, wifi, veth, bridge -> physical
//   3. only then the name: tun*, tap*, wg*, utun*, ppp* -> tunnel; lo -> loopback;
//      eth*, en*, wl*, ww* -> physical
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/network.h"

namespace wtfn::platform {

enum class RouteClass : std::uint8_t { unknown, loopback, tunnel, physical };

enum class RouteClassBasis : std::uint8_t { none, policy, kernel, capture, name };

const char* to_string(RouteClass c);
const char* to_string(RouteClassBasis b);
std::optional<RouteClass> parse_route_class(std::string_view text);

struct RouteClassDecision {
    RouteClass route_class = RouteClass::unknown;
    RouteClassBasis basis = RouteClassBasis::none;
    std::string reason; // e.g. "kernel: link kind wireguard"
};

// Interface name -> route class, from the policy. A pattern is a name, or a prefix ending
// in '*' ("wg*"). The first matching label wins.
struct RouteClassLabel {
    std::string pattern;
    RouteClass route_class = RouteClass::unknown;
};

class RouteClassLabels {
public:
    void add(std::string pattern, RouteClass c) { labels_.push_back({std::move(pattern), c}); }

    const RouteClassLabel* match(std::string_view name) const;

    bool empty() const { return labels_.empty(); }

    const std::vector<RouteClassLabel>& labels() const { return labels_; }

private:
    std::vector<RouteClassLabel> labels_;
};

// Live interfaces: every rule applies.
RouteClassDecision classify_interface(const Interface& iface, const RouteClassLabels& labels);

// Capture files know less: the interface name (pcapng), and the link type of the packets
// (an SLL/SLL2 header's ARPHRD type, or the file's link type). `layer` is unknown when
// neither says anything.
RouteClassDecision classify_captured_interface(std::string_view name,
                                               LinkLayer layer,
                                               std::string_view layer_source,
                                               const RouteClassLabels& labels);

} // namespace wtfn::platform
