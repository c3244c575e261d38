// Tests of src/net/link_ethernet.cc: Ethernet II with up to four 802.1Q / 802.1ad tags.
#include <gtest/gtest.h>

#include "net/decode.h"
#include "net_test_util.h"
#include "support/frame_builder.h"

namespace wtfn::net {
namespace {

using namespace test_util;
using test::FrameBuilder;
using test::VlanTag;
using util::Malformed;

constexpr std::uint32_t EN10MB = 1;

FrameBuilder udp_query()
{
    return FrameBuilder{}.ipv4("192.0.2.1", "198.51.100.53").udp(40000, 53).payload(text("query"));
}

TEST(EthernetDecode, UntaggedIpv4UdpGivesAddressesPortsAndPayload)
{
    const auto d = decode(EN10MB, udp_query().ethernet());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.src, ip("192.0.2.1"));
    EXPECT_EQ(d.view.dst, ip("198.51.100.53"));
    EXPECT_EQ(d.view.l4, L4::udp);
    EXPECT_EQ(d.view.ip_proto, 17);
    EXPECT_EQ(d.view.hop_limit, 64);
    EXPECT_EQ(d.view.src_port, 40000);
    EXPECT_EQ(d.view.dst_port, 53);
    EXPECT_EQ(d.payload_text(), "query");
    // Ethernet says nothing about direction, interface or hardware type.
    EXPECT_EQ(d.view.direction, Direction::unknown);
    EXPECT_EQ(d.view.ifindex, 0u);
    EXPECT_EQ(d.view.hatype, 0);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(EthernetDecode, Ipv6TcpGivesSequenceAndFlags)
{
    const auto d = decode(EN10MB,
                          FrameBuilder{}
                              .ipv6("2001:db8::1", "2001:db8::53")
                              .tcp(40000, 53, 0x01020304, test::F_SYN | test::F_ACK, 77)
                              .ethernet());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.src, ip("2001:db8::1"));
    EXPECT_EQ(d.view.dst, ip("2001:db8::53"));
    EXPECT_EQ(d.view.l4, L4::tcp);
    EXPECT_EQ(d.view.tcp_seq, 0x01020304u);
    EXPECT_EQ(d.view.tcp_ack, 77u);
    EXPECT_EQ(d.view.tcp_flags, TCP_SYN | TCP_ACK);
    EXPECT_TRUE(d.view.payload.empty());
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(EthernetDecode, OneVlanTag)
{
    const auto d = decode(EN10MB, udp_query().ethernet({{test::ETH_8021Q, 10}}));
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "query");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(EthernetDecode, QinQTags)
{
    const auto d =
        decode(EN10MB, udp_query().ethernet({{test::ETH_8021AD, 100}, {test::ETH_8021Q, 10}}));
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.dst_port, 53);
    EXPECT_EQ(d.payload_text(), "query");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(EthernetDecode, OldQinQTpid9100)
{
    const auto d = decode(EN10MB, udp_query().ethernet({{0x9100, 100}, {test::ETH_8021Q, 10}}));
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "query");
}

// Boundary triad on the tag count: 4 tags decode, 5 are refused.
TEST(EthernetDecode, FourVlanTagsDecode)
{
    const std::vector<VlanTag> tags(4, VlanTag{test::ETH_8021Q, 1});
    const auto d = decode(EN10MB, udp_query().ethernet(tags));
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "query");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(EthernetDecode, FiveVlanTagsAreLinkTruncated)
{
    const std::vector<VlanTag> tags(5, VlanTag{test::ETH_8021Q, 1});
    const auto d = decode(EN10MB, udp_query().ethernet(tags));
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::link_truncated));
}

// Boundary triad on the 14-byte header: 13 bytes are truncated; 14 bytes are a whole header
// (here an ARP one with nothing after it: not IP, not malformed).
TEST(EthernetDecode, ThirteenByteHeaderIsLinkTruncated)
{
    const auto d = decode(EN10MB, cut(test::ethernet_frame({}, test::ETH_IPV4), 13));
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::link_truncated));
}

TEST(EthernetDecode, FourteenByteHeaderAloneIsAWholeHeader)
{
    const auto d = decode(EN10MB, test::ethernet_frame({}, test::ETH_ARP));
    EXPECT_EQ(d.status, DecodeStatus::not_ip);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(EthernetDecode, FourteenByteIpv4HeaderWithNoIpIsIpTrunc)
{
    const auto d = decode(EN10MB, test::ethernet_frame({}, test::ETH_IPV4));
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc));
}

TEST(EthernetDecode, EmptyFrameIsLinkTruncated)
{
    const auto d = decode(EN10MB, {});
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::link_truncated));
}

// Triad on a tag: 2 bytes of tag (TCI only), 3 bytes, 4 bytes (TCI + inner EtherType).
TEST(EthernetDecode, VlanTagCutAfterTciIsLinkTruncated)
{
    const auto full = test::ethernet_frame({}, test::ETH_ARP, {{test::ETH_8021Q, 10}});
    ASSERT_EQ(full.size(), 18u);
    for (std::size_t n : {16u, 17u}) {
        const auto d = decode(EN10MB, cut(full, n));
        EXPECT_EQ(d.status, DecodeStatus::malformed) << n;
        EXPECT_TRUE(test::only_counted(d.bad, Malformed::link_truncated)) << n;
    }
    const auto d = decode(EN10MB, full);
    EXPECT_EQ(d.status, DecodeStatus::not_ip);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(EthernetDecode, ArpIsNotIp)
{
    const auto d = decode(EN10MB, test::arp_request_frame());
    EXPECT_EQ(d.status, DecodeStatus::not_ip);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(EthernetDecode, TaggedArpIsNotIp)
{
    const auto eth = test::arp_request_frame();
    const test::Wire arp(eth.begin() + 14, eth.end());
    const auto d = decode(EN10MB, test::ethernet_frame(arp, test::ETH_ARP, {{test::ETH_8021Q, 5}}));
    EXPECT_EQ(d.status, DecodeStatus::not_ip);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

// Ethernet pads frames to 60 bytes: the padding is not payload and not an error.
TEST(EthernetDecode, MinimumFramePaddingIsTrimmed)
{
    auto frame = FrameBuilder{}
                     .ipv4("192.0.2.1", "198.51.100.53")
                     .udp(40000, 53)
                     .payload(text("q"))
                     .ethernet();
    ASSERT_LT(frame.size(), 60u);
    frame.resize(60, 0);
    const auto d = decode(EN10MB, frame);
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "q");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(EthernetDecode, IcmpIsOtherL4)
{
    const auto d =
        decode(EN10MB, FrameBuilder{}.ipv4("192.0.2.1", "198.51.100.1").icmp_echo().ethernet());
    EXPECT_EQ(d.status, DecodeStatus::other_l4);
    EXPECT_EQ(d.view.ip_proto, 1);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

} // namespace
} // namespace wtfn::net
