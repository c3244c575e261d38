// Tests of src/net/ipv4.cc: header length, total length, options and fragments
// (RELIABILITY.md row 11).
#include <gtest/gtest.h>

#include "net/decode.h"
#include "net_test_util.h"
#include "support/frame_builder.h"

namespace wtfn::net {
namespace {

using namespace test_util;
using test::FrameBuilder;
using util::Malformed;

constexpr std::uint32_t RAW = 101;

FrameBuilder query()
{
    return FrameBuilder{}
        .ipv4("192.0.2.1", "198.51.100.53")
        .udp(40000, 53)
        .payload(text("0123456789"));
}

TEST(Ipv4Decode, PlainHeader)
{
    const auto d = decode(RAW, query().ttl(7).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.src, ip("192.0.2.1"));
    EXPECT_EQ(d.view.dst, ip("198.51.100.53"));
    EXPECT_EQ(d.view.hop_limit, 7);
    EXPECT_EQ(d.view.ip_proto, 17);
    EXPECT_EQ(d.payload_text(), "0123456789");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(Ipv4Decode, OptionsAreSkipped)
{
    // Router Alert (4 bytes), then a NOP and a timestamp-like filler padded to 12 bytes.
    const auto d = decode(
        RAW, query().ipv4_options({0x94, 0x04, 0, 0, 0x01, 0x44, 0x08, 0x05, 0, 0, 0, 0}).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.dst_port, 53);
    EXPECT_EQ(d.payload_text(), "0123456789");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(Ipv4Decode, FortyBytesOfOptions)
{
    const auto d = decode(RAW, query().ipv4_options(test::Wire(40, 0x01)).raw()); // 40 NOPs, IHL 15
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "0123456789");
}

// IHL below 5 is a lie: 4 (and 0) are refused, 5 is the plain header.
TEST(Ipv4Decode, IhlFourIsBadHeader)
{
    const auto d = decode(RAW, query().ipv4_ihl(4).raw());
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_bad_header));
}

TEST(Ipv4Decode, IhlZeroIsBadHeader)
{
    const auto d = decode(RAW, query().ipv4_ihl(0).raw());
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_bad_header));
}

TEST(Ipv4Decode, IhlFiveIsFine)
{
    const auto d = decode(RAW, query().ipv4_ihl(5).raw());
    EXPECT_EQ(d.status, DecodeStatus::ok);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

// Triad on the fixed 20-byte header.
TEST(Ipv4Decode, NineteenBytesAreIpTrunc)
{
    const auto d = decode(228, cut(query().raw(), 19));
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc));
}

TEST(Ipv4Decode, TwentyBytesHeaderOnlyIcmp)
{
    const auto d = decode(RAW, FrameBuilder{}.ipv4("192.0.2.1", "198.51.100.1").protocol(1).raw());
    EXPECT_EQ(d.status, DecodeStatus::other_l4);
    EXPECT_EQ(d.view.ip_proto, 1);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

// Triad on the header length with options: IHL 6 needs 24 bytes.
TEST(Ipv4Decode, OptionsCutShortAreIpTrunc)
{
    const auto full = FrameBuilder{}
                          .ipv4("192.0.2.1", "198.51.100.1")
                          .ipv4_options({0x94, 4, 0, 0})
                          .protocol(1)
                          .raw();
    ASSERT_EQ(full.size(), 24u);
    const auto d = decode(RAW, cut(full, 23));
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc));
    const auto whole = decode(RAW, full);
    EXPECT_EQ(whole.status, DecodeStatus::other_l4);
    EXPECT_TRUE(test::nothing_counted(whole.bad));
}

// Triad on total length against the header length: 19 < 20 is a lie, 20 is an empty packet.
TEST(Ipv4Decode, TotalLengthBelowHeaderIsBadHeader)
{
    const auto d = decode(
        RAW,
        FrameBuilder{}.ipv4("192.0.2.1", "198.51.100.1").protocol(1).ipv4_total_length(19).raw());
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_bad_header));
}

TEST(Ipv4Decode, TotalLengthEqualToHeaderIsEmpty)
{
    const auto d = decode(
        RAW,
        FrameBuilder{}.ipv4("192.0.2.1", "198.51.100.1").protocol(1).ipv4_total_length(20).raw());
    EXPECT_EQ(d.status, DecodeStatus::other_l4);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(Ipv4Decode, TotalLengthWithOptionsBelowIhlIsBadHeader)
{
    const auto d = decode(RAW,
                          FrameBuilder{}
                              .ipv4("192.0.2.1", "198.51.100.1")
                              .ipv4_options({1, 1, 1, 1})
                              .protocol(1)
                              .ipv4_total_length(23)
                              .raw());
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_bad_header));
}

// Triad on total length against what was captured (UDP length consistent with the bytes).
TEST(Ipv4Decode, TotalLengthOneMoreThanCapturedIsIpTruncButDecoded)
{
    const auto good = query().raw();
    const auto d =
        decode(RAW, query().ipv4_total_length(static_cast<std::uint16_t>(good.size() + 1)).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "0123456789");
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc));
}

TEST(Ipv4Decode, TotalLengthEqualToCapturedIsClean)
{
    const auto good = query().raw();
    const auto d =
        decode(RAW, query().ipv4_total_length(static_cast<std::uint16_t>(good.size())).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

// A capture holding more than total length (link padding): trimmed; here the trim cuts the
// UDP datagram, whose length then exceeds the IP payload: that is the UDP lie.
TEST(Ipv4Decode, TotalLengthOneLessThanCapturedTrimsThePacket)
{
    const auto good = query().raw();
    const auto d =
        decode(RAW, query().ipv4_total_length(static_cast<std::uint16_t>(good.size() - 1)).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "012345678");
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_udp_len_invalid));
}

// A packet whose headers all agree, cut short by the capture's snap length: one bad input,
// so one count (net.ip_trunc), and what was captured is decoded (RELIABILITY M1, row 11).
TEST(Ipv4Decode, SnaplenCutInsidePayloadCountsIpTruncOnly)
{
    const auto full = query().raw();
    const auto d = decode(RAW, cut(full, full.size() - 4));
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "012345");
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc));
}

TEST(Ipv4Decode, SnaplenCutInsideUdpHeaderCountsIpTruncOnce)
{
    const auto full = query().raw();
    const auto d = decode(RAW, cut(full, 20 + 4));
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc));
}

// Fragments: counted (net.fragment), not reassembled, not decoded further.
TEST(Ipv4Decode, FirstFragmentWithMoreFragments)
{
    const auto d = decode(RAW, query().ipv4_fragment(true, 0).raw());
    EXPECT_EQ(d.status, DecodeStatus::fragment);
    EXPECT_EQ(d.view.ip_proto, 17);
    EXPECT_EQ(d.view.l4, L4::none);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_fragment));
}

TEST(Ipv4Decode, LastFragmentWithOffset)
{
    const auto d = decode(RAW, query().ipv4_fragment(false, 185).raw());
    EXPECT_EQ(d.status, DecodeStatus::fragment);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_fragment));
}

// Triad on the offset: 0 is a whole packet, 1 (8 bytes) a fragment, the largest too.
TEST(Ipv4Decode, FragmentOffsetTriad)
{
    EXPECT_EQ(decode(RAW, query().ipv4_fragment(false, 0).raw()).status, DecodeStatus::ok);
    EXPECT_EQ(decode(RAW, query().ipv4_fragment(false, 1).raw()).status, DecodeStatus::fragment);
    EXPECT_EQ(decode(RAW, query().ipv4_fragment(false, 0x1FFF).raw()).status,
              DecodeStatus::fragment);
}

TEST(Ipv4Decode, DontFragmentIsNotAFragment)
{
    const auto d = decode(RAW, query().ipv4_fragment(false, 0, true).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "0123456789");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(Ipv4Decode, TruncatedFragmentIsCountedOnce)
{
    const auto full = query().ipv4_fragment(true, 0).raw();
    const auto d = decode(RAW, cut(full, 22));
    EXPECT_EQ(d.status, DecodeStatus::fragment);
    // The capture is shorter than total length and the packet is a fragment: both facts are
    // true, but the fragment is what stops decoding.
    EXPECT_EQ(d.bad.get(Malformed::net_fragment), 1u);
}

TEST(Ipv4Decode, OtherProtocolsAreOtherL4)
{
    for (const std::uint8_t proto : {1, 2, 47, 50, 51, 132}) {
        const auto d = decode(RAW,
                              FrameBuilder{}
                                  .ipv4("192.0.2.1", "198.51.100.1")
                                  .protocol(proto)
                                  .payload(text("xxxxxxxx"))
                                  .raw());
        EXPECT_EQ(d.status, DecodeStatus::other_l4) << int{proto};
        EXPECT_EQ(d.view.ip_proto, proto);
        EXPECT_TRUE(test::nothing_counted(d.bad));
    }
}

} // namespace
} // namespace wtfn::net
