// RTM_NEWROUTE -> Route (a dump entry) or RouteLookup (the answer to a route get).
#include <array>

#include <linux/rtnetlink.h>

#include "platform/linux/rtnl_attrs.h"
#include "platform/linux/rtnl_parse.h"

namespace wtfn::platform::linux_impl {

std::string route_type_name(std::uint8_t type)
{
    static constexpr std::array<const char*, 12> NAMES = {"none",
                                                          "unicast",
                                                          "local",
                                                          "broadcast",
                                                          "anycast",
                                                          "multicast",
                                                          "blackhole",
                                                          "unreachable",
                                                          "prohibit",
                                                          "throw",
                                                          "nat",
                                                          "xresolve"};
    return type < NAMES.size() ? NAMES[type] : std::to_string(type);
}

std::string route_protocol_name(std::uint8_t protocol)
{
    // iproute2's rt_protos table (the common entries; others print as numbers, as ip does
    // when /etc/iproute2/rt_protos has no name for them).
    switch (protocol) {
        case RTPROT_UNSPEC:
            return "unspec";
        case RTPROT_REDIRECT:
            return "redirect";
        case RTPROT_KERNEL:
            return "kernel";
        case RTPROT_BOOT:
            return "boot";
        case RTPROT_STATIC:
            return "static";
        case RTPROT_GATED:
            return "gated";
        case RTPROT_RA:
            return "ra";
        case RTPROT_MRT:
            return "mrt";
        case RTPROT_ZEBRA:
            return "zebra";
        case RTPROT_BIRD:
            return "bird";
        case RTPROT_DNROUTED:
            return "dnrouted";
        case RTPROT_XORP:
            return "xorp";
        case RTPROT_NTK:
            return "ntk";
        case RTPROT_DHCP:
            return "dhcp";
        case RTPROT_MROUTED:
            return "mrouted";
        case RTPROT_KEEPALIVED:
            return "keepalived";
        case RTPROT_BABEL:
            return "babel";
        case RTPROT_OPENR:
            return "openr";
        case RTPROT_BGP:
            return "bgp";
        case RTPROT_ISIS:
            return "isis";
        case RTPROT_OSPF:
            return "ospf";
        case RTPROT_RIP:
            return "rip";
        case RTPROT_EIGRP:
            return "eigrp";
        default:
            return std::to_string(protocol);
    }
}

namespace {

// cloned: accept a cache entry; the answer to a route get is one.
bool parse_route_message(const nlmsghdr* nlh, Route& out, bool cloned)
{
    if (!well_formed(nlh, sizeof(rtmsg))) {
        return false;
    }
    const auto* rtm = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(nlh));
    if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) {
        return false;
    }
    if (!cloned && (rtm->rtm_flags & RTM_F_CLONED) != 0) {
        return false; // a cache entry, not a configured route
    }
    Attrs a;
    if (mnl_attr_parse(nlh, sizeof(*rtm), collect_attr, &a) < 0) {
        return false;
    }
    out = Route{};
    out.family = rtm->rtm_family == AF_INET ? 4 : 6;
    out.table = rtm->rtm_table;
    attr_u32(a[RTA_TABLE], out.table); // tables above 255 only come in the attribute
    out.type = route_type_name(rtm->rtm_type);
    out.dst_len = rtm->rtm_dst_len;
    attr_address(a[RTA_DST], rtm->rtm_family, out.dst);
    attr_address(a[RTA_GATEWAY], rtm->rtm_family, out.gateway);
    attr_u32(a[RTA_OIF], out.oif);
    attr_address(a[RTA_PREFSRC], rtm->rtm_family, out.prefsrc);
    if (std::uint32_t metric = 0; attr_u32(a[RTA_PRIORITY], metric)) {
        out.metric = metric;
    }
    out.protocol = route_protocol_name(rtm->rtm_protocol);
    out.scope = scope_name(rtm->rtm_scope);
    if (const nlattr* mp = a[RTA_MULTIPATH]; mp != nullptr) {
        // A list of rtnexthop records, each followed by its own attributes.
        const auto* p = static_cast<const std::uint8_t*>(mnl_attr_get_payload(mp));
        std::size_t left = mnl_attr_get_payload_len(mp);
        while (left >= sizeof(rtnexthop)) {
            rtnexthop nh{};
            std::memcpy(&nh, p, sizeof nh);
            if (nh.rtnh_len < sizeof(rtnexthop) || nh.rtnh_len > left) {
                break;
            }
            out.nexthop_oifs.push_back(static_cast<std::uint32_t>(nh.rtnh_ifindex));
            const std::size_t step = RTNH_ALIGN(nh.rtnh_len);
            if (step >= left) {
                break;
            }
            p += step;
            left -= step;
        }
    }
    return true;
}

} // namespace

bool parse_route(const nlmsghdr* nlh, Route& out)
{
    return parse_route_message(nlh, out, false);
}

bool parse_route_lookup(const nlmsghdr* nlh, RouteLookup& out)
{
    Route r;
    if (!parse_route_message(nlh, r, true)) {
        return false;
    }
    out.type = r.type;
    out.oif = r.oif;
    out.gateway = r.gateway;
    out.prefsrc = r.prefsrc;
    out.table = r.table;
    return true;
}

} // namespace wtfn::platform::linux_impl
