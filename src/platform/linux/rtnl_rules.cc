// RTM_NEWRULE -> PolicyRule: the rules that pick a routing table (`ip rule`), which is
// where VPNs such as WireGuard (fwmark + its own table) and per-app routing live.
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "platform/linux/rtnl_attrs.h"
#include "platform/linux/rtnl_parse.h"

namespace wtfn::platform::linux_impl {

std::string rule_action_name(std::uint8_t action)
{
    switch (action) {
        case FR_ACT_TO_TBL:
            return "lookup";
        case FR_ACT_GOTO:
            return "goto";
        case FR_ACT_NOP:
            return "nop";
        case FR_ACT_BLACKHOLE:
            return "blackhole";
        case FR_ACT_UNREACHABLE:
            return "unreachable";
        case FR_ACT_PROHIBIT:
            return "prohibit";
        default:
            return std::to_string(action);
    }
}

bool parse_rule(const nlmsghdr* nlh, PolicyRule& out)
{
    if (!well_formed(nlh, sizeof(fib_rule_hdr))) {
        return false;
    }
    const auto* frh = static_cast<const fib_rule_hdr*>(mnl_nlmsg_get_payload(nlh));
    if (frh->family != AF_INET && frh->family != AF_INET6) {
        return false;
    }
    Attrs a;
    if (mnl_attr_parse(nlh, sizeof(*frh), collect_attr, &a) < 0) {
        return false;
    }
    out = PolicyRule{};
    out.family = frh->family == AF_INET ? 4 : 6;
    out.invert = (frh->flags & FIB_RULE_INVERT) != 0;
    out.action = rule_action_name(frh->action);
    out.table = frh->table;
    attr_u32(a[FRA_TABLE], out.table);
    attr_u32(a[FRA_PRIORITY], out.priority);
    if (std::uint32_t v = 0; attr_u32(a[FRA_FWMARK], v)) {
        out.fwmark = v;
    }
    if (std::uint32_t v = 0; attr_u32(a[FRA_FWMASK], v)) {
        out.fwmask = v;
    }
    if (attr_address(a[FRA_SRC], frh->family, out.src)) {
        out.src_len = frh->src_len;
    }
    if (attr_address(a[FRA_DST], frh->family, out.dst)) {
        out.dst_len = frh->dst_len;
    }
    out.iif = attr_string(a[FRA_IIFNAME]);
    out.oif = attr_string(a[FRA_OIFNAME]);
    // The kernel reports "no suppression" as -1.
    if (std::uint32_t v = 0; attr_u32(a[FRA_SUPPRESS_PREFIXLEN], v) && v != 0xFFFFFFFFU) {
        out.suppress_prefixlen = v;
    }
    if (std::uint32_t v = 0; attr_u32(a[FRA_GOTO], v)) {
        out.goto_target = v;
    }
    if (fib_rule_uid_range r{}; attr_struct(a[FRA_UID_RANGE], r)) {
        out.uid_start = r.start;
        out.uid_end = r.end;
    }
    if (std::uint8_t v = 0; attr_u8(a[FRA_IP_PROTO], v)) {
        out.ip_proto = v;
    }
    if (fib_rule_port_range r{}; attr_struct(a[FRA_SPORT_RANGE], r)) {
        out.sport_start = r.start;
        out.sport_end = r.end;
    }
    if (fib_rule_port_range r{}; attr_struct(a[FRA_DPORT_RANGE], r)) {
        out.dport_start = r.start;
        out.dport_end = r.end;
    }
    if (std::uint8_t v = 0; attr_u8(a[FRA_L3MDEV], v)) {
        out.l3mdev = v != 0;
    }
    return true;
}

} // namespace wtfn::platform::linux_impl
