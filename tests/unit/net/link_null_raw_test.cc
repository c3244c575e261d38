// Tests of src/net/link_null_raw.cc (BSD NULL and LOOP) and of the raw-IP link types, which
// go straight to decode_ip() / decode_ipv4() / decode_ipv6().
#include <gtest/gtest.h>

#include "net/decode.h"
#include "net_test_util.h"
#include "support/frame_builder.h"

namespace wtfn::net {
namespace {

using namespace test_util;
using test::FrameBuilder;
using util::Malformed;

constexpr std::uint32_t NULL_BSD = 0;
constexpr std::uint32_t LOOP = 108;

FrameBuilder query4()
{
    return FrameBuilder{}.ipv4("192.0.2.1", "198.51.100.53").udp(40000, 53).payload(text("q4"));
}

FrameBuilder query6()
{
    return FrameBuilder{}.ipv6("2001:db8::1", "2001:db8::53").udp(40001, 53).payload(text("q6"));
}

TEST(NullDecode, LittleEndianAfInet)
{
    const auto d = decode(NULL_BSD, query4().null_bsd(false));
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.src, ip("192.0.2.1"));
    EXPECT_EQ(d.view.dst_port, 53);
    EXPECT_EQ(d.payload_text(), "q4");
    EXPECT_EQ(d.view.direction, Direction::unknown);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

// DLT_NULL is in the capturing host's byte order: a big-endian family is recognised too.
TEST(NullDecode, BigEndianAfInetFromAnotherHost)
{
    const auto d = decode(NULL_BSD, query4().null_bsd(true));
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "q4");
}

class NullInet6 : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(NullInet6, EveryBsdAfInet6ValueDecodesIpv6)
{
    for (const bool big_endian : {false, true}) {
        const auto d = decode(NULL_BSD, query6().null_bsd(big_endian, GetParam()));
        ASSERT_EQ(d.status, DecodeStatus::ok) << GetParam() << " " << big_endian;
        EXPECT_EQ(d.view.src, ip("2001:db8::1"));
        EXPECT_EQ(d.payload_text(), "q6");
        EXPECT_TRUE(test::nothing_counted(d.bad));
    }
}

INSTANTIATE_TEST_SUITE_P(Families, NullInet6, ::testing::Values(10u, 24u, 28u, 30u));

TEST(NullDecode, UnknownFamilyIsNotIp)
{
    const auto d = decode(NULL_BSD, test::null_frame(test::Wire(20, 0), 7, false));
    EXPECT_EQ(d.status, DecodeStatus::not_ip);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

// Boundary triad on the 4-byte family.
TEST(NullDecode, ThreeBytesAreLinkTruncated)
{
    for (const std::uint32_t lt : {NULL_BSD, LOOP}) {
        const auto d = decode(lt, cut(query4().null_bsd(lt == LOOP), 3));
        EXPECT_EQ(d.status, DecodeStatus::malformed);
        EXPECT_TRUE(test::only_counted(d.bad, Malformed::link_truncated)) << lt;
    }
}

TEST(NullDecode, FourBytesThenNoIpIsIpTrunc)
{
    for (const std::uint32_t lt : {NULL_BSD, LOOP}) {
        const auto d = decode(lt, cut(query4().null_bsd(lt == LOOP), 4));
        EXPECT_EQ(d.status, DecodeStatus::malformed);
        EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc)) << lt;
    }
}

TEST(NullDecode, FiveBytesIsIpTrunc)
{
    const auto d = decode(NULL_BSD, cut(query4().null_bsd(false), 5));
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc));
}

TEST(LoopDecode, NetworkOrderAfInetAndAfInet6)
{
    auto d = decode(LOOP, query4().loop());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "q4");
    d = decode(LOOP, query6().loop(24));
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "q6");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

// DLT_LOOP is always network order: a little-endian family is not guessed.
TEST(LoopDecode, LittleEndianFamilyIsNotIp)
{
    const auto d = decode(LOOP, query4().null_bsd(false));
    EXPECT_EQ(d.status, DecodeStatus::not_ip);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

class RawLinkTypes : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(RawLinkTypes, Ipv4AndIpv6ByVersionNibble)
{
    auto d = decode(GetParam(), query4().raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.src, ip("192.0.2.1"));
    EXPECT_EQ(d.payload_text(), "q4");
    d = decode(GetParam(), query6().raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.src, ip("2001:db8::1"));
    EXPECT_EQ(d.payload_text(), "q6");
    EXPECT_EQ(d.view.direction, Direction::unknown);
    EXPECT_EQ(d.view.ifindex, 0u);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST_P(RawLinkTypes, EmptyPacketIsIpTrunc)
{
    const auto d = decode(GetParam(), {});
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc));
}

TEST_P(RawLinkTypes, VersionFiveIsBadHeader)
{
    const auto d = decode(GetParam(), query4().ip_version(5).raw());
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_bad_header));
}

INSTANTIATE_TEST_SUITE_P(LinkTypes, RawLinkTypes, ::testing::Values(12u, 14u, 101u));

TEST(RawDecode, LinktypeIpv4AndIpv6)
{
    auto d = decode(228, query4().raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "q4");
    d = decode(229, query6().raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "q6");
}

// LINKTYPE_IPV4 with an IPv6 packet in it: the version nibble is checked.
TEST(RawDecode, LinktypeIpv4WithIpv6PacketIsBadHeader)
{
    const auto d = decode(228, query6().raw());
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_bad_header));
}

TEST(RawDecode, LinktypeIpv6WithIpv4PacketIsBadHeader)
{
    auto frame = query4().raw();
    frame.resize(60, 0); // long enough for an IPv6 header
    const auto d = decode(229, frame);
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_bad_header));
}

} // namespace
} // namespace wtfn::net
