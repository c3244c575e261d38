// Tests of src/net/decode.cc: link-type dispatch, names, and the view reset between frames.
#include "net/decode.h"

#include <string>

#include <gtest/gtest.h>

#include "net_test_util.h"
#include "support/frame_builder.h"

namespace wtfn::net {
namespace {

using namespace test_util;
using test::FrameBuilder;
using util::Malformed;

TEST(DecodeFrame, UnknownLinkTypeIsLinkUnsupported)
{
    const auto frame = FrameBuilder{}.ipv4("192.0.2.1", "198.51.100.53").udp(1, 53).raw();
    for (const std::uint32_t lt : {2u, 105u, 147u, 0xFFFFu, 0x10000u}) {
        const auto d = decode(lt, frame);
        EXPECT_EQ(d.status, DecodeStatus::malformed) << lt;
        EXPECT_TRUE(test::only_counted(d.bad, Malformed::link_unsupported)) << lt;
    }
}

TEST(DecodeFrame, LinkTypeNames)
{
    EXPECT_STREQ(link_type_name(0), "NULL");
    EXPECT_STREQ(link_type_name(1), "EN10MB");
    EXPECT_STREQ(link_type_name(12), "RAW");
    EXPECT_STREQ(link_type_name(14), "RAW");
    EXPECT_STREQ(link_type_name(101), "RAW");
    EXPECT_STREQ(link_type_name(108), "LOOP");
    EXPECT_STREQ(link_type_name(113), "LINUX_SLL");
    EXPECT_STREQ(link_type_name(228), "IPV4");
    EXPECT_STREQ(link_type_name(229), "IPV6");
    EXPECT_STREQ(link_type_name(276), "LINUX_SLL2");
    EXPECT_STREQ(link_type_name(147), "unknown");
}

TEST(DecodeFrame, SupportedLinkTypes)
{
    for (const std::uint32_t lt : {0u, 1u, 12u, 14u, 101u, 108u, 113u, 228u, 229u, 276u}) {
        EXPECT_TRUE(link_type_supported(lt)) << lt;
    }
    for (const std::uint32_t lt : {2u, 105u, 127u, 147u, 277u}) {
        EXPECT_FALSE(link_type_supported(lt)) << lt;
    }
}

// One PacketView is reused for every frame: nothing of the previous frame may survive.
TEST(DecodeFrame, ViewIsResetBetweenFrames)
{
    PacketView view;
    util::MalformedCounters bad;
    const auto first = FrameBuilder{}
                           .ipv4("192.0.2.1", "198.51.100.53")
                           .tcp(40000, 53, 99, TCP_SYN)
                           .sll2(7, test::PKT_OUTGOING, HATYPE_LOOPBACK);
    ASSERT_EQ(decode_frame(276, util::Bytes{first}, view, bad), DecodeStatus::ok);
    ASSERT_EQ(view.ifindex, 7u);
    const auto second = FrameBuilder{}.ipv4("192.0.2.2", "198.51.100.54").udp(1, 2).raw();
    ASSERT_EQ(decode_frame(101, util::Bytes{second}, view, bad), DecodeStatus::ok);
    EXPECT_EQ(view.ifindex, 0u);
    EXPECT_EQ(view.hatype, 0);
    EXPECT_EQ(view.direction, Direction::unknown);
    EXPECT_EQ(view.tcp_seq, 0u);
    EXPECT_EQ(view.tcp_flags, 0);
    EXPECT_EQ(view.l4, L4::udp);
    // A frame that fails early leaves a clean view too.
    ASSERT_EQ(decode_frame(147, util::Bytes{second}, view, bad), DecodeStatus::malformed);
    EXPECT_EQ(view.l4, L4::none);
    EXPECT_EQ(view.src.version, 0);
}

TEST(DecodeFrame, Icmpv6IsOtherL4)
{
    const auto d = decode(101, FrameBuilder{}.ipv6("2001:db8::1", "2001:db8::2").icmp_echo().raw());
    EXPECT_EQ(d.status, DecodeStatus::other_l4);
    EXPECT_EQ(d.view.ip_proto, 58);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(DecodeFrame, DecodeIpDispatchesOnVersion)
{
    util::MalformedCounters bad;
    PacketView view;
    const auto v6 = FrameBuilder{}.ipv6("2001:db8::1", "2001:db8::2").udp(1, 53).raw();
    EXPECT_EQ(decode_ip(util::Bytes{v6}, view, bad), DecodeStatus::ok);
    EXPECT_EQ(view.src.version, 6);
    const test::Wire zero(40, 0);
    EXPECT_EQ(decode_ip(util::Bytes{zero}, view, bad), DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(bad, Malformed::net_ip_bad_header));
}

TEST(DecodeFrame, DecodeEthertypeOtherThanIpIsNotIp)
{
    util::MalformedCounters bad;
    PacketView view;
    const test::Wire body(40, 0);
    for (const std::uint16_t t : {0x0806, 0x88CC, 0x8847, 0x0000}) {
        EXPECT_EQ(decode_ethertype(t, util::Bytes{body}, view, bad), DecodeStatus::not_ip) << t;
    }
    EXPECT_TRUE(test::nothing_counted(bad));
}

} // namespace
} // namespace wtfn::net
