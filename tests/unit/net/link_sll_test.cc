// Tests of src/net/link_sll.cc: Linux cooked captures v1 (SLL) and v2 (SLL2), which carry the
// direction (packet type), the ARPHRD type and, in v2, the interface index.
#include <gtest/gtest.h>

#include "net/decode.h"
#include "net_test_util.h"
#include "support/frame_builder.h"

namespace wtfn::net {
namespace {

using namespace test_util;
using test::FrameBuilder;
using util::Malformed;

constexpr std::uint32_t SLL = 113;
constexpr std::uint32_t SLL2 = 276;

FrameBuilder query4()
{
    return FrameBuilder{}.ipv4("192.0.2.1", "198.51.100.53").udp(40000, 53).payload(text("q4"));
}

FrameBuilder query6()
{
    return FrameBuilder{}.ipv6("2001:db8::1", "2001:db8::53").udp(40001, 53).payload(text("q6"));
}

struct PktTypeCase {
    std::uint8_t pkttype;
    Direction direction;
};

class SllDirection : public ::testing::TestWithParam<PktTypeCase> {};

TEST_P(SllDirection, V1PacketTypeGivesDirection)
{
    const auto d = decode(SLL, query4().sll(GetParam().pkttype));
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.direction, GetParam().direction);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST_P(SllDirection, V2PacketTypeGivesDirection)
{
    const auto d = decode(SLL2, query4().sll2(3, GetParam().pkttype));
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.direction, GetParam().direction);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

INSTANTIATE_TEST_SUITE_P(PacketTypes,
                         SllDirection,
                         ::testing::Values(PktTypeCase{test::PKT_HOST, Direction::inbound},
                                           PktTypeCase{test::PKT_BROADCAST, Direction::inbound},
                                           PktTypeCase{test::PKT_MULTICAST, Direction::inbound},
                                           PktTypeCase{test::PKT_OTHERHOST, Direction::inbound},
                                           PktTypeCase{test::PKT_OUTGOING, Direction::outbound},
                                           PktTypeCase{5, Direction::unknown}, // PACKET_LOOPBACK
                                           PktTypeCase{255, Direction::unknown}));

TEST(SllDecode, V1GivesAddressesPortsPayloadAndHatype)
{
    const auto d = decode(SLL, query4().sll(test::PKT_OUTGOING, 772));
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.src, ip("192.0.2.1"));
    EXPECT_EQ(d.view.dst, ip("198.51.100.53"));
    EXPECT_EQ(d.view.src_port, 40000);
    EXPECT_EQ(d.view.dst_port, 53);
    EXPECT_EQ(d.payload_text(), "q4");
    EXPECT_EQ(d.view.hatype, 772);
    EXPECT_EQ(d.view.ifindex, 0u); // v1 carries no interface index
    EXPECT_EQ(d.view.direction, Direction::outbound);
}

TEST(SllDecode, V1Ipv6)
{
    const auto d = decode(SLL, query6().sll(test::PKT_HOST));
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.src, ip("2001:db8::1"));
    EXPECT_EQ(d.payload_text(), "q6");
}

TEST(SllDecode, V2GivesIfindexHatypeAndDirection)
{
    const auto d = decode(SLL2, query6().sll2(0x01020304, test::PKT_OUTGOING, 0xFFFE));
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.ifindex, 0x01020304u);
    EXPECT_EQ(d.view.hatype, 0xFFFE);
    EXPECT_EQ(d.view.direction, Direction::outbound);
    EXPECT_EQ(d.view.src, ip("2001:db8::1"));
    EXPECT_EQ(d.view.dst, ip("2001:db8::53"));
    EXPECT_EQ(d.view.dst_port, 53);
    EXPECT_EQ(d.payload_text(), "q6");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(SllDecode, V2LoopbackHatype)
{
    const auto d = decode(SLL2, query4().sll2(1, test::PKT_HOST, HATYPE_LOOPBACK));
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.hatype, HATYPE_LOOPBACK);
    EXPECT_EQ(d.view.ifindex, 1u);
    EXPECT_EQ(d.view.direction, Direction::inbound);
}

// Boundary triads on the headers: 16 bytes (v1) and 20 bytes (v2).
TEST(SllDecode, V1FifteenByteHeaderIsLinkTruncated)
{
    const auto d = decode(SLL, cut(test::sll_frame({}, test::ETH_ARP, 0), 15));
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::link_truncated));
}

TEST(SllDecode, V1SixteenByteHeaderIsWhole)
{
    const auto d = decode(SLL, test::sll_frame({}, test::ETH_ARP, 0));
    EXPECT_EQ(d.status, DecodeStatus::not_ip);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(SllDecode, V1HeaderThenOneByteOfIpIsIpTrunc)
{
    const auto d = decode(SLL, cut(query4().sll(0), 17));
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc));
}

TEST(SllDecode, V2NineteenByteHeaderIsLinkTruncated)
{
    const auto d = decode(SLL2, cut(test::sll2_frame({}, test::ETH_ARP, 2, 0), 19));
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::link_truncated));
}

TEST(SllDecode, V2TwentyByteHeaderIsWhole)
{
    const auto d = decode(SLL2, test::sll2_frame({}, test::ETH_ARP, 2, 0));
    EXPECT_EQ(d.status, DecodeStatus::not_ip);
    EXPECT_EQ(d.view.ifindex, 2u);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(SllDecode, V2HeaderThenOneByteOfIpIsIpTrunc)
{
    const auto d = decode(SLL2, cut(query4().sll2(2, 0), 21));
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc));
}

TEST(SllDecode, EmptyFramesAreLinkTruncated)
{
    for (const std::uint32_t lt : {SLL, SLL2}) {
        const auto d = decode(lt, {});
        EXPECT_EQ(d.status, DecodeStatus::malformed);
        EXPECT_TRUE(test::only_counted(d.bad, Malformed::link_truncated)) << lt;
    }
}

TEST(SllDecode, ArpIsNotIp)
{
    const auto eth = test::arp_request_frame();
    const test::Wire arp(eth.begin() + 14, eth.end());
    EXPECT_EQ(decode(SLL, test::sll_frame(arp, test::ETH_ARP, 1)).status, DecodeStatus::not_ip);
    EXPECT_EQ(decode(SLL2, test::sll2_frame(arp, test::ETH_ARP, 2, 1)).status,
              DecodeStatus::not_ip);
}

} // namespace
} // namespace wtfn::net
