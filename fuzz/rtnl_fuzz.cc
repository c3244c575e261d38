// fuzz_rtnl: the rtnetlink message parsers (src/platform/linux/rtnl_parse.h): parse_link,
// parse_address, parse_route, parse_rule and parse_route_lookup, all five on the same message,
// since none of them looks at nlmsg_type and a dump can hand any of them any message.
//
// The input is one netlink message. Its nlmsg_len is kept when it passes mnl_nlmsg_ok against
// the input (the bytes after it are what follows in the receive buffer, as in a dump); else
// it is set to the input's size. The message is copied into a heap buffer that ends at
// nlmsg_len, so AddressSanitizer reports any read past it. libmnl's attribute walk ends at
// MNL_ALIGN(nlmsg_len), not at nlmsg_len, so the parsers reject lengths that are not a
// multiple of 4 (the kernel never sends one); this target found that.
//
// The seeds (fuzz/corpus/fuzz_rtnl/) are whole messages a Linux 6.18 kernel sent in a network
// namespace holding lo, a veth pair, a tun device, a multipath route and fwmark and uidrange
// rules (dumps of links, addresses, routes and rules, and the answer to a route get). They
// are kept as captured; fuzz/make_seeds.py does not write them.
#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "fuzz_common.h"
#include "platform/linux/rtnl_parse.h"
#include "platform/network.h"

namespace {

namespace li = wtfn::platform::linux_impl;
using wtfn::net::IpAddress;

// A heap copy of a message, exactly `size` bytes, aligned for nlmsghdr.
class MessageBuffer {
public:
    MessageBuffer(const std::uint8_t* data, std::size_t available, std::size_t size)
        : bytes_(new std::uint8_t[size]),
          size_(size)
    {
        std::memset(bytes_.get(), 0, size);
        std::memcpy(bytes_.get(), data, std::min(available, size));
    }

    std::uint8_t* data() { return bytes_.get(); }

    std::size_t size() const { return size_; }

private:
    std::unique_ptr<std::uint8_t[]> bytes_;
    std::size_t size_;
};

bool version_is(const IpAddress& a, int family)
{
    return a.version == 0 || a.version == family;
}

bool has_nul(const std::string& s)
{
    return s.find('\0') != std::string::npos;
}

void check_link(const nlmsghdr* nlh)
{
    wtfn::platform::Interface iface;
    if (!li::parse_link(nlh, iface)) {
        return;
    }
    ifinfomsg ifi{};
    std::memcpy(&ifi, mnl_nlmsg_get_payload(nlh), sizeof ifi);
    WTFN_FUZZ_CHECK(nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(ifinfomsg)));
    WTFN_FUZZ_CHECK(!iface.name.empty());
    WTFN_FUZZ_CHECK(!has_nul(iface.name));
    // The name comes from an attribute inside the message. Nothing bounds it by IFNAMSIZ:
    // the kernel never sends a longer one, but the parser takes any length.
    WTFN_FUZZ_CHECK(iface.name.size() <= nlh->nlmsg_len);
    WTFN_FUZZ_CHECK(!has_nul(iface.link_kind));
    WTFN_FUZZ_CHECK(iface.index == static_cast<std::uint32_t>(ifi.ifi_index));
    WTFN_FUZZ_CHECK(iface.flags == ifi.ifi_flags);
    WTFN_FUZZ_CHECK(iface.kernel_type == ifi.ifi_type);
    WTFN_FUZZ_CHECK(iface.flag_names.size() <= 19);
    WTFN_FUZZ_CHECK(!iface.kernel_type_name.empty());
    WTFN_FUZZ_CHECK(iface.addresses.empty());
    (void)wtfn::platform::to_string(iface.layer);
}

void check_address(const nlmsghdr* nlh)
{
    std::uint32_t ifindex = 0;
    wtfn::platform::InterfaceAddress addr;
    if (!li::parse_address(nlh, ifindex, addr)) {
        return;
    }
    ifaddrmsg ifa{};
    std::memcpy(&ifa, mnl_nlmsg_get_payload(nlh), sizeof ifa);
    const int family = ifa.ifa_family == AF_INET ? 4 : 6;
    WTFN_FUZZ_CHECK(ifa.ifa_family == AF_INET || ifa.ifa_family == AF_INET6);
    WTFN_FUZZ_CHECK(addr.address.version == family);
    WTFN_FUZZ_CHECK(ifindex == ifa.ifa_index);
    // As sent: not checked against 32 or 128 (the kernel never sends more).
    WTFN_FUZZ_CHECK(addr.prefix_len == ifa.ifa_prefixlen);
    WTFN_FUZZ_CHECK(!addr.scope.empty());
    (void)addr.address.to_string();
}

// Returns whether parse_route accepted the message; `route` is then its result.
bool check_route(const nlmsghdr* nlh, wtfn::platform::Route& route)
{
    if (!li::parse_route(nlh, route)) {
        return false;
    }
    rtmsg rtm{};
    std::memcpy(&rtm, mnl_nlmsg_get_payload(nlh), sizeof rtm);
    WTFN_FUZZ_CHECK(rtm.rtm_family == AF_INET || rtm.rtm_family == AF_INET6);
    WTFN_FUZZ_CHECK((rtm.rtm_flags & RTM_F_CLONED) == 0);
    const int family = rtm.rtm_family == AF_INET ? 4 : 6;
    WTFN_FUZZ_CHECK(route.family == family);
    WTFN_FUZZ_CHECK(route.dst_len == rtm.rtm_dst_len);
    WTFN_FUZZ_CHECK(version_is(route.dst, family));
    WTFN_FUZZ_CHECK(version_is(route.gateway, family));
    WTFN_FUZZ_CHECK(version_is(route.prefsrc, family));
    WTFN_FUZZ_CHECK(!route.type.empty() && !route.protocol.empty() && !route.scope.empty());
    WTFN_FUZZ_CHECK(route.dev.empty());
    // Each next hop takes at least 8 bytes of the message.
    WTFN_FUZZ_CHECK(route.nexthop_oifs.size() * sizeof(rtnexthop) <= nlh->nlmsg_len);
    (void)wtfn::platform::prefix_text(route.dst, route.dst_len, route.family);
    (void)wtfn::platform::table_name(route.table);
    (void)route.is_default();
    return true;
}

void check_route_lookup(const nlmsghdr* nlh, bool route_ok, const wtfn::platform::Route& route)
{
    wtfn::platform::RouteLookup lookup;
    const bool ok = li::parse_route_lookup(nlh, lookup);
    rtmsg rtm{};
    if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof rtm)) {
        std::memcpy(&rtm, mnl_nlmsg_get_payload(nlh), sizeof rtm);
    }
    // The same reading as parse_route, except that a cache entry (RTM_F_CLONED) is accepted.
    if ((rtm.rtm_flags & RTM_F_CLONED) == 0) {
        WTFN_FUZZ_CHECK(ok == route_ok);
    }
    if (!ok) {
        return;
    }
    const int family = rtm.rtm_family == AF_INET ? 4 : 6;
    WTFN_FUZZ_CHECK(!lookup.type.empty());
    WTFN_FUZZ_CHECK(version_is(lookup.gateway, family));
    WTFN_FUZZ_CHECK(version_is(lookup.prefsrc, family));
    WTFN_FUZZ_CHECK(lookup.dev.empty());
    if (route_ok) {
        WTFN_FUZZ_CHECK(lookup.type == route.type);
        WTFN_FUZZ_CHECK(lookup.oif == route.oif);
        WTFN_FUZZ_CHECK(lookup.gateway == route.gateway);
        WTFN_FUZZ_CHECK(lookup.prefsrc == route.prefsrc);
        WTFN_FUZZ_CHECK(lookup.table == route.table);
    }
}

void check_rule(const nlmsghdr* nlh)
{
    wtfn::platform::PolicyRule rule;
    if (!li::parse_rule(nlh, rule)) {
        return;
    }
    fib_rule_hdr frh{};
    std::memcpy(&frh, mnl_nlmsg_get_payload(nlh), sizeof frh);
    WTFN_FUZZ_CHECK(frh.family == AF_INET || frh.family == AF_INET6);
    const int family = frh.family == AF_INET ? 4 : 6;
    WTFN_FUZZ_CHECK(rule.family == family);
    WTFN_FUZZ_CHECK(version_is(rule.src, family));
    WTFN_FUZZ_CHECK(version_is(rule.dst, family));
    // A prefix length is taken from the header only with its address.
    WTFN_FUZZ_CHECK(rule.src_len == (rule.src.version != 0 ? frh.src_len : 0));
    WTFN_FUZZ_CHECK(rule.dst_len == (rule.dst.version != 0 ? frh.dst_len : 0));
    WTFN_FUZZ_CHECK(rule.invert == ((frh.flags & FIB_RULE_INVERT) != 0));
    WTFN_FUZZ_CHECK(!rule.action.empty());
    WTFN_FUZZ_CHECK(!has_nul(rule.iif) && !has_nul(rule.oif));
    WTFN_FUZZ_CHECK(rule.uid_start.has_value() == rule.uid_end.has_value());
    WTFN_FUZZ_CHECK(rule.sport_start.has_value() == rule.sport_end.has_value());
    WTFN_FUZZ_CHECK(rule.dport_start.has_value() == rule.dport_end.has_value());
    WTFN_FUZZ_CHECK(!rule.suppress_prefixlen || *rule.suppress_prefixlen != 0xFFFFFFFFU);
    (void)wtfn::platform::prefix_text(rule.src, rule.src_len, rule.family);
    (void)wtfn::platform::prefix_text(rule.dst, rule.dst_len, rule.family);
    (void)wtfn::platform::table_name(rule.table);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < sizeof(nlmsghdr)) {
        return 0;
    }
    nlmsghdr header{};
    std::memcpy(&header, data, sizeof header);
    std::size_t len = header.nlmsg_len;
    if (len < sizeof(nlmsghdr) || len > size) {
        len = size;
    }
    // nlmsg_len is 32 bits and mnl_nlmsg_ok takes an int (the socket reads 32 KiB at most).
    if (len > static_cast<std::size_t>(INT_MAX) - MNL_ALIGNTO) {
        return 0;
    }
    MessageBuffer buffer(data, size, len);
    WTFN_FUZZ_CHECK(reinterpret_cast<std::uintptr_t>(buffer.data()) % alignof(nlmsghdr) == 0);
    auto* nlh = reinterpret_cast<nlmsghdr*>(buffer.data());
    nlh->nlmsg_len = static_cast<std::uint32_t>(len);
    // Only messages that pass mnl_nlmsg_ok reach the parsers (netlink_socket.cc).
    WTFN_FUZZ_CHECK(mnl_nlmsg_ok(nlh, static_cast<int>(len)));

    check_link(nlh);
    check_address(nlh);
    wtfn::platform::Route route;
    const bool route_ok = check_route(nlh, route);
    check_route_lookup(nlh, route_ok, route);
    check_rule(nlh);

    // The naming helpers take any value: give them bytes of the header.
    const auto pick = static_cast<std::uint8_t>(header.nlmsg_seq);
    (void)li::operstate_name(pick);
    (void)li::scope_name(pick);
    (void)li::route_type_name(pick);
    (void)li::route_protocol_name(pick);
    (void)li::rule_action_name(pick);
    (void)li::link_flag_names(header.nlmsg_pid);
    return 0;
}
