// network.h helpers, the rtnetlink parsers on hand-built messages (short and odd
// attributes included), and a read-only look at the running kernel's loopback.
#include "platform/network.h"

#include <array>

#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <gtest/gtest.h>
#include <libmnl/libmnl.h>

#include "platform/linux/rtnl_parse.h"
#include "platform/platform.h"
#include "platform/route_class.h"

namespace wtfn::platform {
namespace {

using linux_impl::parse_link;
using linux_impl::parse_route;
using linux_impl::parse_rule;

struct Message {
    std::array<char, 4096> buf{};
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
};

TEST(Network, PrefixText)
{
    EXPECT_EQ(prefix_text(net::parse_ip("10.0.0.0"), 8, 4), "10.0.0.0/8");
    EXPECT_EQ(prefix_text(net::parse_ip("10.0.0.5"), 32, 4), "10.0.0.5");
    EXPECT_EQ(prefix_text(net::IpAddress{}, 0, 4), "default");
    EXPECT_EQ(prefix_text(net::parse_ip("2001:db8::"), 32, 6), "2001:db8::/32");
    EXPECT_EQ(prefix_text(net::parse_ip("2001:db8::1"), 128, 6), "2001:db8::1");
}

TEST(Network, TableNames)
{
    EXPECT_EQ(table_name(254), "main");
    EXPECT_EQ(table_name(255), "local");
    EXPECT_EQ(table_name(253), "default");
    EXPECT_EQ(table_name(51820), "51820");
}

TEST(RtnlParse, LinkWithKindAndFlags)
{
    Message m;
    m.nlh->nlmsg_type = RTM_NEWLINK;
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(m.nlh, sizeof(ifinfomsg)));
    ifi->ifi_index = 7;
    ifi->ifi_type = ARPHRD_NONE;
    ifi->ifi_flags = IFF_UP | IFF_POINTOPOINT | IFF_NOARP | IFF_MULTICAST;
    mnl_attr_put_strz(m.nlh, IFLA_IFNAME, "tun0");
    mnl_attr_put_u32(m.nlh, IFLA_MTU, 1420);
    mnl_attr_put_u8(m.nlh, IFLA_OPERSTATE, 2);
    nlattr* info = mnl_attr_nest_start(m.nlh, IFLA_LINKINFO);
    mnl_attr_put_strz(m.nlh, IFLA_INFO_KIND, "tun");
    mnl_attr_nest_end(m.nlh, info);

    Interface i;
    ASSERT_TRUE(parse_link(m.nlh, i));
    EXPECT_EQ(i.index, 7U);
    EXPECT_EQ(i.name, "tun0");
    EXPECT_EQ(i.mtu, 1420U);
    EXPECT_EQ(i.kernel_type_name, "none");
    EXPECT_EQ(i.layer, LinkLayer::raw_ip);
    EXPECT_EQ(i.link_kind, "tun");
    EXPECT_EQ(i.operstate, "DOWN");
    EXPECT_TRUE(i.point_to_point);
    // UP without RUNNING is shown as NO-CARRIER, as ip does.
    const std::vector<std::string> flags = {
        "NO-CARRIER", "POINTOPOINT", "MULTICAST", "NOARP", "UP"};
    EXPECT_EQ(i.flag_names, flags);
    EXPECT_EQ(classify_interface(i, {}).route_class, RouteClass::tunnel);
}

TEST(RtnlParse, ShortAttributesAreIgnoredNotOverread)
{
    Message m;
    m.nlh->nlmsg_type = RTM_NEWLINK;
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(m.nlh, sizeof(ifinfomsg)));
    ifi->ifi_index = 3;
    ifi->ifi_type = ARPHRD_ETHER;
    mnl_attr_put_strz(m.nlh, IFLA_IFNAME, "eth0");
    const std::uint8_t one = 1;
    mnl_attr_put(m.nlh, IFLA_MTU, 1, &one); // a u32 attribute one byte long
    Interface i;
    ASSERT_TRUE(parse_link(m.nlh, i));
    EXPECT_EQ(i.mtu, 0U);

    Message r;
    r.nlh->nlmsg_type = RTM_NEWROUTE;
    auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(r.nlh, sizeof(rtmsg)));
    rtm->rtm_family = AF_INET;
    rtm->rtm_dst_len = 24;
    const std::array<std::uint8_t, 2> half = {10, 0};
    mnl_attr_put(r.nlh, RTA_DST, half.size(), half.data()); // an IPv4 address in 2 bytes
    Route route;
    ASSERT_TRUE(parse_route(r.nlh, route));
    EXPECT_EQ(route.dst.version, 0);
}

TEST(RtnlParse, TruncatedHeaderIsRejected)
{
    Message m;
    m.nlh->nlmsg_type = RTM_NEWLINK;
    m.nlh->nlmsg_len = mnl_nlmsg_size(2); // shorter than ifinfomsg
    Interface i;
    EXPECT_FALSE(parse_link(m.nlh, i));
    Route r;
    EXPECT_FALSE(parse_route(m.nlh, r));
    PolicyRule p;
    EXPECT_FALSE(parse_rule(m.nlh, p));
}

TEST(RtnlParse, RouteInBigTableWithMultipath)
{
    Message m;
    m.nlh->nlmsg_type = RTM_NEWROUTE;
    auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(m.nlh, sizeof(rtmsg)));
    rtm->rtm_family = AF_INET;
    rtm->rtm_dst_len = 1;
    rtm->rtm_table = RT_TABLE_COMPAT;
    rtm->rtm_type = RTN_UNICAST;
    rtm->rtm_protocol = RTPROT_STATIC;
    const std::array<std::uint8_t, 4> dst = {128, 0, 0, 0};
    mnl_attr_put(m.nlh, RTA_DST, dst.size(), dst.data());
    mnl_attr_put_u32(m.nlh, RTA_TABLE, 51820);
    std::array<std::uint8_t, 2 * sizeof(rtnexthop)> hops{};
    rtnexthop nh{};
    nh.rtnh_len = sizeof(rtnexthop);
    nh.rtnh_ifindex = 4;
    std::memcpy(hops.data(), &nh, sizeof nh);
    nh.rtnh_ifindex = 5;
    std::memcpy(hops.data() + sizeof nh, &nh, sizeof nh);
    mnl_attr_put(m.nlh, RTA_MULTIPATH, hops.size(), hops.data());
    Route r;
    ASSERT_TRUE(parse_route(m.nlh, r));
    EXPECT_EQ(r.table, 51820U);
    EXPECT_EQ(prefix_text(r.dst, r.dst_len, 4), "128.0.0.0/1");
    EXPECT_EQ(r.protocol, "static");
    EXPECT_EQ(r.nexthop_oifs, (std::vector<std::uint32_t>{4, 5}));
}

TEST(RtnlParse, WireGuardStyleRule)
{
    Message m;
    m.nlh->nlmsg_type = RTM_NEWRULE;
    auto* frh = static_cast<fib_rule_hdr*>(mnl_nlmsg_put_extra_header(m.nlh, sizeof(fib_rule_hdr)));
    frh->family = AF_INET;
    frh->action = FR_ACT_TO_TBL;
    frh->flags = FIB_RULE_INVERT;
    mnl_attr_put_u32(m.nlh, FRA_PRIORITY, 32765);
    mnl_attr_put_u32(m.nlh, FRA_TABLE, 51820);
    mnl_attr_put_u32(m.nlh, FRA_FWMARK, 0xca6c);
    mnl_attr_put_u32(m.nlh, FRA_FWMASK, 0xFFFFFFFF);
    mnl_attr_put_u32(m.nlh, FRA_SUPPRESS_PREFIXLEN, 0xFFFFFFFF);
    PolicyRule p;
    ASSERT_TRUE(parse_rule(m.nlh, p));
    EXPECT_TRUE(p.invert);
    EXPECT_EQ(p.priority, 32765U);
    EXPECT_EQ(p.table, 51820U);
    EXPECT_EQ(p.fwmark, 0xca6cU);
    EXPECT_FALSE(p.suppress_prefixlen); // -1 means "none"
    EXPECT_EQ(p.action, "lookup");
}

// Read-only checks against the kernel this test runs on: every Linux network namespace has
// a loopback interface and answers for 127.0.0.1 with a local route.
TEST(RtnlPlatform, SeesLoopbackOfThisNamespace)
{
    std::string error;
    auto p = open_network_platform(error);
    ASSERT_TRUE(p) << error;
    NetworkSnapshot s;
    ASSERT_TRUE(p->snapshot(s, error)) << error;
    const Interface* lo = s.find(std::string("lo"));
    ASSERT_NE(lo, nullptr);
    EXPECT_TRUE(lo->loopback);
    EXPECT_EQ(lo->kernel_type_name, "loopback");
    EXPECT_EQ(classify_interface(*lo, {}).route_class, RouteClass::loopback);
    Interface one;
    ASSERT_TRUE(p->interface(lo->index, one, error)) << error;
    EXPECT_EQ(one.name, "lo");
    EXPECT_FALSE(p->interface(0x7FFFFFF0, one, error));
}

TEST(RtnlPlatform, RouteGetLoopbackIsLocal)
{
    std::string error;
    auto p = open_network_platform(error);
    ASSERT_TRUE(p) << error;
    NetworkSnapshot s;
    ASSERT_TRUE(p->snapshot(s, error)) << error;
    const Interface* lo = s.find(std::string("lo"));
    ASSERT_NE(lo, nullptr);
    if (!lo->up) {
        GTEST_SKIP() << "loopback is down in this namespace";
    }
    RouteQuery q;
    q.dst = net::parse_ip("127.0.0.1");
    RouteLookup r;
    ASSERT_TRUE(p->route_get(q, r, error)) << error;
    EXPECT_EQ(r.type, "local");
    EXPECT_EQ(r.dev, "lo");
    EXPECT_EQ(r.prefsrc, net::parse_ip("127.0.0.1"));
}

} // namespace
} // namespace wtfn::platform
