// RTM_NEWLINK / RTM_NEWADDR -> Interface, InterfaceAddress, with iproute2's names.
#include <array>
#include <cstring>

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "platform/link_types.h"
#include "platform/linux/rtnl_attrs.h"
#include "platform/linux/rtnl_parse.h"

namespace wtfn::platform::linux_impl {

std::vector<std::string> link_flag_names(std::uint32_t flags)
{
    struct Flag {
        std::uint32_t bit;
        const char* name;
    };

    // iproute2's order; RUNNING is not printed, its absence on an UP link is NO-CARRIER.
    static constexpr std::array<Flag, 18> FLAGS = {{
        {IFF_LOOPBACK, "LOOPBACK"},
        {IFF_BROADCAST, "BROADCAST"},
        {IFF_POINTOPOINT, "POINTOPOINT"},
        {IFF_MULTICAST, "MULTICAST"},
        {IFF_NOARP, "NOARP"},
        {IFF_ALLMULTI, "ALLMULTI"},
        {IFF_PROMISC, "PROMISC"},
        {IFF_NOTRAILERS, "NOTRAILERS"},
        {IFF_DEBUG, "DEBUG"},
        {IFF_DYNAMIC, "DYNAMIC"},
        {IFF_AUTOMEDIA, "AUTOMEDIA"},
        {IFF_PORTSEL, "PORTSEL"},
        {IFF_MASTER, "MASTER"},
        {IFF_SLAVE, "SLAVE"},
        {IFF_UP, "UP"},
        {IFF_LOWER_UP, "LOWER_UP"},
        {IFF_DORMANT, "DORMANT"},
        {IFF_ECHO, "ECHO"},
    }};
    std::vector<std::string> names;
    if ((flags & IFF_UP) != 0 && (flags & IFF_RUNNING) == 0) {
        names.emplace_back("NO-CARRIER");
    }
    for (const auto& f : FLAGS) {
        if ((flags & f.bit) != 0) {
            names.emplace_back(f.name);
        }
    }
    return names;
}

std::string operstate_name(std::uint8_t state)
{
    static constexpr std::array<const char*, 7> NAMES = {
        "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"};
    return state < NAMES.size() ? NAMES[state] : std::to_string(state);
}

std::string scope_name(std::uint8_t scope)
{
    switch (scope) {
        case RT_SCOPE_UNIVERSE:
            return "global";
        case RT_SCOPE_SITE:
            return "site";
        case RT_SCOPE_LINK:
            return "link";
        case RT_SCOPE_HOST:
            return "host";
        case RT_SCOPE_NOWHERE:
            return "nowhere";
        default:
            return std::to_string(scope);
    }
}

bool parse_link(const nlmsghdr* nlh, Interface& out)
{
    if (!well_formed(nlh, sizeof(ifinfomsg))) {
        return false;
    }
    const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
    Attrs a;
    if (mnl_attr_parse(nlh, sizeof(*ifi), collect_attr, &a) < 0) {
        return false;
    }
    out = Interface{};
    out.index = static_cast<std::uint32_t>(ifi->ifi_index);
    out.kernel_type = ifi->ifi_type;
    out.kernel_type_name = arphrd_name(ifi->ifi_type);
    out.layer = arphrd_layer(ifi->ifi_type);
    out.flags = ifi->ifi_flags;
    out.up = (ifi->ifi_flags & IFF_UP) != 0;
    out.loopback = (ifi->ifi_flags & IFF_LOOPBACK) != 0;
    out.point_to_point = (ifi->ifi_flags & IFF_POINTOPOINT) != 0;
    out.flag_names = link_flag_names(ifi->ifi_flags);
    out.name = attr_string(a[IFLA_IFNAME]);
    attr_u32(a[IFLA_MTU], out.mtu);
    if (std::uint8_t op = 0; attr_u8(a[IFLA_OPERSTATE], op)) {
        out.operstate = operstate_name(op);
    }
    attr_u32(a[IFLA_LINK], out.lower_index);
    out.lower_elsewhere = a[IFLA_LINK_NETNSID] != nullptr;
    if (const nlattr* info = a[IFLA_LINKINFO]; info != nullptr) {
        Attrs nested;
        if (mnl_attr_parse_nested(info, collect_attr, &nested) >= 0) {
            out.link_kind = attr_string(nested[IFLA_INFO_KIND]);
        }
    }
    return !out.name.empty();
}

bool parse_address(const nlmsghdr* nlh, std::uint32_t& ifindex, InterfaceAddress& out)
{
    if (!well_formed(nlh, sizeof(ifaddrmsg))) {
        return false;
    }
    const auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
    if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) {
        return false;
    }
    Attrs a;
    if (mnl_attr_parse(nlh, sizeof(*ifa), collect_attr, &a) < 0) {
        return false;
    }
    out = InterfaceAddress{};
    // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on a
    // point-to-point link (and the same as IFA_LOCAL, or alone, otherwise).
    const nlattr* local = a[IFA_LOCAL] != nullptr ? a[IFA_LOCAL] : a[IFA_ADDRESS];
    if (!attr_address(local, ifa->ifa_family, out.address)) {
        return false;
    }
    ifindex = ifa->ifa_index;
    out.prefix_len = ifa->ifa_prefixlen;
    out.scope = scope_name(ifa->ifa_scope);
    return true;
}

} // namespace wtfn::platform::linux_impl
