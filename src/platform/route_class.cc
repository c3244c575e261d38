#include "platform/route_class.h"

#include <array>
#include <string>

namespace wtfn::platform {
namespace {

bool matches(std::string_view pattern, std::string_view name)
{
    if (!pattern.empty() && pattern.back() == '*') {
        return name.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
    }
    return pattern == name;
}

// Link kinds (rtnetlink IFLA_INFO_KIND) that carry traffic inside another protocol: what a
// VPN or an IPsec/GRE overlay creates. "tun" covers both TUN and TAP devices (OpenVPN's
// tap mode is still a VPN).
constexpr std::array<std::string_view, 15> TUNNEL_KINDS = {
    "tun",
    "wireguard",
    "ipip",
    "gre",
    "gretap",
    "ip6gre",
    "ip6gretap",
    "sit",
    "ip6tnl",
    "vti",
    "vti6",
    "xfrm",
    "l2tp",
    "ppp",
    "amt",
};

// Link kinds that are a local or physical path (not a tunnel, even though software).
// vxlan and geneve do encapsulate, but without encryption and towards the local network:
// for a DNS leak they are the local path, not a VPN.
constexpr std::array<std::string_view, 10> PHYSICAL_KINDS = {
    "veth",
    "bridge",
    "bond",
    "team",
    "vlan",
    "macvlan",
    "macvtap",
    "ipvlan",
    "vxlan",
    "geneve",
};

bool in(std::string_view kind, const auto& list)
{
    for (const auto k : list) {
        if (k == kind) {
            return true;
        }
    }
    return false;
}

RouteClassDecision decide(RouteClass c, RouteClassBasis b, std::string reason)
{
    return RouteClassDecision{c, b, std::move(reason)};
}

// Last resort: the conventions interface names follow.
RouteClassDecision by_name(std::string_view name)
{
    struct Prefix {
        std::string_view prefix;
        RouteClass route_class;
    };

    static constexpr std::array<Prefix, 10> PREFIXES = {{
        {"tun", RouteClass::tunnel},
        {"tap", RouteClass::tunnel},
        {"wg", RouteClass::tunnel},
        {"utun", RouteClass::tunnel},
        {"ppp", RouteClass::tunnel},
        {"ipsec", RouteClass::tunnel},
        {"eth", RouteClass::physical},
        {"en", RouteClass::physical},
        {"wl", RouteClass::physical},
        {"ww", RouteClass::physical},
    }};
    if (name == "lo" || name == "lo0") {
        return decide(RouteClass::loopback, RouteClassBasis::name, "name: " + std::string(name));
    }
    for (const auto& p : PREFIXES) {
        if (name.substr(0, p.prefix.size()) == p.prefix) {
            return decide(p.route_class,
                          RouteClassBasis::name,
                          "name: matches " + std::string(p.prefix) + "*");
        }
    }
    return decide(RouteClass::unknown, RouteClassBasis::none, "no kernel facts or name rule");
}

std::string label_reason(const RouteClassLabel& label)
{
    return "policy: label " + label.pattern + " = " + to_string(label.route_class);
}

} // namespace

const char* to_string(RouteClass c)
{
    switch (c) {
        case RouteClass::loopback:
            return "loopback";
        case RouteClass::tunnel:
            return "tunnel";
        case RouteClass::physical:
            return "physical";
        case RouteClass::unknown:
            break;
    }
    return "unknown";
}

const char* to_string(RouteClassBasis b)
{
    switch (b) {
        case RouteClassBasis::policy:
            return "policy";
        case RouteClassBasis::kernel:
            return "kernel";
        case RouteClassBasis::capture:
            return "capture";
        case RouteClassBasis::name:
            return "name";
        case RouteClassBasis::none:
            break;
    }
    return "none";
}

std::optional<RouteClass> parse_route_class(std::string_view text)
{
    for (const auto c :
         {RouteClass::loopback, RouteClass::tunnel, RouteClass::physical, RouteClass::unknown}) {
        if (text == to_string(c)) {
            return c;
        }
    }
    return std::nullopt;
}

const RouteClassLabel* RouteClassLabels::match(std::string_view name) const
{
    for (const auto& l : labels_) {
        if (matches(l.pattern, name)) {
            return &l;
        }
    }
    return nullptr;
}

RouteClassDecision classify_interface(const Interface& iface, const RouteClassLabels& labels)
{
    if (const auto* label = labels.match(iface.name)) {
        return decide(label->route_class, RouteClassBasis::policy, label_reason(*label));
    }
    const auto kernel = [](RouteClass c, std::string why) {
        return decide(c, RouteClassBasis::kernel, "kernel: " + std::move(why));
    };
    if (iface.loopback || iface.layer == LinkLayer::loopback) {
        return kernel(RouteClass::loopback, "loopback flag");
    }
    // The link kind is the most specific fact: a veth is a veth whatever its name.
    if (in(iface.link_kind, TUNNEL_KINDS)) {
        return kernel(RouteClass::tunnel, "link kind " + iface.link_kind);
    }
    switch (iface.layer) {
        case LinkLayer::raw_ip:
            return kernel(RouteClass::tunnel,
                          "type " + iface.kernel_type_name + " (raw IP, no link header)");
        case LinkLayer::ppp:
            return kernel(RouteClass::tunnel, "type ppp");
        case LinkLayer::ip_tunnel:
            return kernel(RouteClass::tunnel, "type " + iface.kernel_type_name + " (IP tunnel)");
        default:
            break;
    }
    if (iface.point_to_point) {
        return kernel(RouteClass::tunnel, "point-to-point");
    }
    if (in(iface.link_kind, PHYSICAL_KINDS)) {
        return kernel(RouteClass::physical, "link kind " + iface.link_kind);
    }
    switch (iface.layer) {
        case LinkLayer::ethernet:
            if (iface.link_kind.empty()) {
                return kernel(RouteClass::physical, "ethernet device");
            }
            break; // a software device of a kind we do not know: the name may say more
        case LinkLayer::wifi:
            return kernel(RouteClass::physical, "type " + iface.kernel_type_name + " (wifi)");
        case LinkLayer::infiniband:
            return kernel(RouteClass::physical, "type infiniband");
        default:
            break;
    }
    RouteClassDecision d = by_name(iface.name);
    if (d.route_class == RouteClass::unknown) {
        d.basis = RouteClassBasis::kernel;
        d.reason = iface.link_kind.empty()
                       ? "kernel: type " + iface.kernel_type_name + " (neither tunnel nor physical)"
                       : "kernel: link kind " + iface.link_kind + " (neither tunnel nor physical)";
    }
    return d;
}

RouteClassDecision classify_captured_interface(std::string_view name,
                                               LinkLayer layer,
                                               std::string_view layer_source,
                                               const RouteClassLabels& labels)
{
    if (!name.empty()) {
        if (const auto* label = labels.match(name)) {
            return decide(label->route_class, RouteClassBasis::policy, label_reason(*label));
        }
    }
    const auto capture = [&](RouteClass c, std::string_view what) {
        return decide(c,
                      RouteClassBasis::capture,
                      "capture: " + std::string(layer_source) + " " + std::string(what));
    };
    // An ethernet header is no evidence either way (veth, bridge, tap and real NICs all
    // have one), so only loopback and raw IP decide here.
    switch (layer) {
        case LinkLayer::loopback:
            return capture(RouteClass::loopback, "is loopback");
        case LinkLayer::raw_ip:
            return capture(RouteClass::tunnel, "is raw IP (no link header, as on tun devices)");
        case LinkLayer::ppp:
            return capture(RouteClass::tunnel, "is PPP");
        case LinkLayer::ip_tunnel:
            return capture(RouteClass::tunnel, "is an IP tunnel");
        default:
            break;
    }
    if (name.empty()) {
        return decide(RouteClass::unknown,
                      RouteClassBasis::none,
                      "the capture names no interface and its link type says nothing");
    }
    return by_name(name);
}

} // namespace wtfn::platform
