// The machine's network as the leak rules need it (DESIGN.md section 5): interfaces with
// their kernel facts and addresses, routes of every table, policy-routing rules, and the
// answer to "which interface and source would the kernel use for this destination".
//
// These types are plain data, the same on every OS; only platform/linux/ knows netlink.
// Names follow `ip -j` (link_type "ether", flags "UP", route type "unicast", table "main")
// so that users can compare our output with the tool they already trust.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/ip_address.h"

namespace wtfn::platform {

// What the kernel says the link layer is, reduced to what route classification needs.
enum class LinkLayer : std::uint8_t {
    unknown,
    loopback,
    ethernet,   // also wifi in managed mode, veth, bridge, tap
    wifi,       // 802.11 frames (monitor mode)
    raw_ip,     // no link header: tun in TUN mode, WireGuard
    ppp,        // PPP: PPPoE, L2TP, PPTP
    ip_tunnel,  // IP-in-IP, GRE, SIT, IPv6 tunnels, VTI
    infiniband, //
    other,
};

const char* to_string(LinkLayer layer);

struct InterfaceAddress {
    net::IpAddress address;
    std::uint8_t prefix_len = 0;
    std::string scope; // "host", "link", "global", "site" or the number
};

struct Interface {
    std::uint32_t index = 0;
    std::string name;
    std::uint16_t kernel_type = 0; // ARPHRD_* on Linux
    std::string kernel_type_name;  // as `ip -j link` prints it: "ether", "none", "loopback"
    LinkLayer layer = LinkLayer::unknown;
    std::uint32_t flags = 0; // raw kernel flags
    bool up = false;
    bool loopback = false;
    bool point_to_point = false;
    std::vector<std::string> flag_names; // as `ip -j link`: "UP", "LOWER_UP", "NO-CARRIER"
    std::uint32_t mtu = 0;
    std::string operstate;         // "UP", "DOWN", "UNKNOWN", ...
    std::string link_kind;         // rtnetlink IFLA_INFO_KIND: "tun", "wireguard", "veth", ""
    std::uint32_t lower_index = 0; // IFLA_LINK: a veth's peer, a VLAN's parent; 0 when none
    bool lower_elsewhere = false;  // that device is in another network namespace
    std::vector<InterfaceAddress> addresses;
};

struct Route {
    int family = 4;               // 4 or 6
    std::uint32_t table = 254;    // 254 main, 255 local, 253 default
    std::string type = "unicast"; // unicast, local, broadcast, blackhole, unreachable, ...
    net::IpAddress dst;           // version 0 with dst_len 0: default
    std::uint8_t dst_len = 0;
    net::IpAddress gateway; // version 0: none (on-link)
    std::uint32_t oif = 0;  // 0: none (blackhole, multipath)
    std::string dev;        // name of oif
    net::IpAddress prefsrc; // version 0: none
    std::optional<std::uint32_t> metric;
    std::string protocol; // "kernel", "boot", "static", "dhcp", "ra" or the number
    std::string scope;    // "global", "link", "host" or the number
    std::vector<std::uint32_t> nexthop_oifs; // multipath: every next hop's interface

    bool is_default() const { return dst_len == 0; }
};

struct PolicyRule {
    int family = 4;
    std::uint32_t priority = 0;
    bool invert = false;           // "not"
    std::string action = "lookup"; // lookup, goto, nop, blackhole, unreachable, prohibit
    std::uint32_t table = 0;       // for lookup
    std::optional<std::uint32_t> fwmark;
    std::optional<std::uint32_t> fwmask;
    net::IpAddress src; // version 0: all
    std::uint8_t src_len = 0;
    net::IpAddress dst; // version 0: all
    std::uint8_t dst_len = 0;
    std::string iif;
    std::string oif;
    std::optional<std::uint32_t> suppress_prefixlen;
    std::optional<std::uint32_t> goto_target; // action "goto": the rule priority it jumps to
    std::optional<std::uint32_t> uid_start;   // uidrange
    std::optional<std::uint32_t> uid_end;
    std::optional<std::uint8_t> ip_proto;
    std::optional<std::uint16_t> sport_start;
    std::optional<std::uint16_t> sport_end;
    std::optional<std::uint16_t> dport_start;
    std::optional<std::uint16_t> dport_end;
    bool l3mdev = false;
};

struct NetworkSnapshot {
    std::vector<Interface> interfaces; // by index
    std::vector<Route> routes;         // every table, both families
    std::vector<PolicyRule> rules;     // both families, by priority

    const Interface* find(std::uint32_t index) const;
    const Interface* find(const std::string& name) const;
};

// "Which way would a packet to dst leave?" The optional fields narrow the lookup the way a
// socket's mark, source address or owner would (WireGuard's fwmark rule, per-uid rules).
struct RouteQuery {
    net::IpAddress dst;
    net::IpAddress src; // version 0: let the kernel choose
    std::optional<std::uint32_t> mark;
    std::optional<std::uint32_t> uid;
};

struct RouteLookup {
    std::string type = "unicast"; // unicast, local, blackhole, unreachable, prohibit, ...
    std::uint32_t oif = 0;
    std::string dev;
    net::IpAddress gateway; // version 0: on-link
    net::IpAddress prefsrc; // the source address the kernel would pick
    std::uint32_t table = 0;
};

// A table number as `ip` names it: "main", "local", "default" or the number.
std::string table_name(std::uint32_t table);

// "10.0.0.0/8", "192.0.2.1" for a host route, "default" for a zero-length prefix.
std::string prefix_text(const net::IpAddress& address, std::uint8_t len, int family);

} // namespace wtfn::platform
