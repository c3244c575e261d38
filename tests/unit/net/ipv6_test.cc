// Tests of src/net/ipv6.cc: the extension-header chain (at most 8), fragments, payload length
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
        .ipv6("2001:db8::1", "2001:db8::53")
        .udp(40000, 53)
        .payload(text("0123456789"));
}

TEST(Ipv6Decode, PlainHeader)
{
    const auto d = decode(RAW, query().ttl(9).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.src, ip("2001:db8::1"));
    EXPECT_EQ(d.view.dst, ip("2001:db8::53"));
    EXPECT_EQ(d.view.hop_limit, 9);
    EXPECT_EQ(d.view.ip_proto, 17);
    EXPECT_EQ(d.payload_text(), "0123456789");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(Ipv6Decode, HopByHopRoutingAndDestinationOptions)
{
    const auto d = decode(RAW,
                          query()
                              .ipv6_ext(test::EXT_HOP_BY_HOP)
                              .ipv6_ext(test::EXT_ROUTING, 2)
                              .ipv6_ext(test::EXT_DEST_OPTS, 1)
                              .raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.ip_proto, 17);
    EXPECT_EQ(d.view.dst_port, 53);
    EXPECT_EQ(d.payload_text(), "0123456789");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(Ipv6Decode, TcpBehindExtensionHeaders)
{
    const auto d = decode(RAW,
                          FrameBuilder{}
                              .ipv6("2001:db8::1", "2001:db8::53")
                              .ipv6_ext(test::EXT_HOP_BY_HOP)
                              .ipv6_ext(test::EXT_DEST_OPTS)
                              .tcp(40000, 853, 5, TCP_SYN)
                              .raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.l4, L4::tcp);
    EXPECT_EQ(d.view.ip_proto, 6);
    EXPECT_EQ(d.view.dst_port, 853);
}

// The authentication header counts its length in 4-byte units, plus 2.
TEST(Ipv6Decode, AuthenticationHeader)
{
    const auto d = decode(RAW, query().ipv6_ext(test::EXT_AUTH, 4).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "0123456789");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

// Triad on the chain length: 8 headers decode, 9 are refused.
TEST(Ipv6Decode, EightExtensionHeadersDecode)
{
    FrameBuilder f = query();
    for (int i = 0; i < 8; ++i) {
        f.ipv6_ext(test::EXT_DEST_OPTS);
    }
    const auto d = decode(RAW, f.raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "0123456789");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(Ipv6Decode, NineExtensionHeadersHitTheLimit)
{
    FrameBuilder f = query();
    for (int i = 0; i < 9; ++i) {
        f.ipv6_ext(i % 2 == 0 ? test::EXT_DEST_OPTS : test::EXT_HOP_BY_HOP);
    }
    const auto d = decode(RAW, f.raw());
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ipv6_exthdr_limit));
}

TEST(Ipv6Decode, AtomicFragmentIsAWholePacket)
{
    const auto d = decode(RAW, query().ipv6_fragment(0, false).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.ip_proto, 17);
    EXPECT_EQ(d.payload_text(), "0123456789");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(Ipv6Decode, FirstFragmentIsCounted)
{
    const auto d = decode(RAW, query().ipv6_fragment(0, true).raw());
    EXPECT_EQ(d.status, DecodeStatus::fragment);
    EXPECT_EQ(d.view.ip_proto, 17);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_fragment));
}

TEST(Ipv6Decode, LaterFragmentIsCounted)
{
    const auto d = decode(RAW, query().ipv6_fragment(1, false).raw());
    EXPECT_EQ(d.status, DecodeStatus::fragment);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_fragment));
}

// Triad on the fragment header's 8 bytes (payload length agreeing with the bytes present, so
// only the extension header is short).
TEST(Ipv6Decode, FragmentHeaderCutShortIsIpTrunc)
{
    const auto full = FrameBuilder{}
                          .ipv6("2001:db8::1", "2001:db8::53")
                          .ipv6_fragment(0, false)
                          .protocol(59)
                          .raw();
    ASSERT_EQ(full.size(), 48u);
    const auto d = decode(RAW,
                          FrameBuilder{}
                              .ipv6("2001:db8::1", "2001:db8::53")
                              .ipv6_payload_length(7)
                              .raw_segment(44, test::Wire(full.begin() + 40, full.begin() + 47))
                              .raw());
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc));
    const auto whole = decode(RAW, full);
    EXPECT_EQ(whole.status, DecodeStatus::other_l4); // 59: no next header
    EXPECT_EQ(whole.view.ip_proto, 59);
}

// Triad on an extension header's declared length (16 bytes here).
TEST(Ipv6Decode, ExtensionHeaderCutShortIsIpTrunc)
{
    const auto full = FrameBuilder{}
                          .ipv6("2001:db8::1", "2001:db8::53")
                          .ipv6_ext(test::EXT_HOP_BY_HOP, 1)
                          .protocol(59)
                          .raw();
    ASSERT_EQ(full.size(), 56u);
    for (const std::size_t n : {41u, 42u, 55u}) {
        const auto d = decode(
            RAW,
            FrameBuilder{}
                .ipv6("2001:db8::1", "2001:db8::53")
                .ipv6_payload_length(static_cast<std::uint16_t>(n - 40))
                .raw_segment(
                    0, test::Wire(full.begin() + 40, full.begin() + static_cast<std::ptrdiff_t>(n)))
                .raw());
        EXPECT_EQ(d.status, DecodeStatus::malformed) << n;
        EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc)) << n;
    }
    const auto whole = decode(RAW, full);
    EXPECT_EQ(whole.status, DecodeStatus::other_l4);
    EXPECT_TRUE(test::nothing_counted(whole.bad));
}

// The same extension header cut by the capture's snap length (payload length intact): one
// bad input, one count (RELIABILITY M1).
TEST(Ipv6Decode, SnaplenCutInsideExtensionHeaderCountsIpTruncOnce)
{
    const auto full = FrameBuilder{}
                          .ipv6("2001:db8::1", "2001:db8::53")
                          .ipv6_ext(test::EXT_HOP_BY_HOP, 1)
                          .protocol(59)
                          .raw();
    const auto d = decode(RAW, cut(full, 50));
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc));
}

// Triad on the fixed 40-byte header.
TEST(Ipv6Decode, ThirtyNineBytesAreIpTrunc)
{
    const auto d = decode(229, cut(query().raw(), 39));
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc));
}

TEST(Ipv6Decode, FortyBytesWithNoNextHeader)
{
    const auto d =
        decode(229, FrameBuilder{}.ipv6("2001:db8::1", "2001:db8::53").protocol(59).raw());
    EXPECT_EQ(d.status, DecodeStatus::other_l4);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(Ipv6Decode, WrongVersionIsBadHeader)
{
    const auto d = decode(229, query().ip_version(4).raw());
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_bad_header));
}

// Triad on payload length against what was captured.
TEST(Ipv6Decode, PayloadLengthOneMoreThanCapturedIsIpTruncButDecoded)
{
    const auto d = decode(RAW, query().ipv6_payload_length(8 + 10 + 1).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "0123456789");
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc));
}

TEST(Ipv6Decode, PayloadLengthEqualToCapturedIsClean)
{
    const auto d = decode(RAW, query().ipv6_payload_length(8 + 10).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(Ipv6Decode, TrailingBytesBeyondPayloadLengthAreIgnored)
{
    auto frame = query().raw();
    frame.push_back(0xEE);
    frame.push_back(0xEE);
    const auto d = decode(RAW, frame);
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "0123456789");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

// A packet whose headers all agree, cut short by the capture's snap length: one count
// (net.ip_trunc), not a second one for the UDP length (RELIABILITY M1, row 11).
TEST(Ipv6Decode, SnaplenCutInsidePayloadCountsIpTruncOnly)
{
    const auto full = query().raw();
    const auto d = decode(RAW, cut(full, full.size() - 4));
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "012345");
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc));
}

// Payload length 0: a jumbogram (or a TSO capture); UDP length 0 is then legal too.
TEST(Ipv6Decode, JumbogramUsesWhatWasCaptured)
{
    const auto d = decode(RAW, query().ipv6_payload_length(0).udp_length(0).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "0123456789");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(Ipv6Decode, EspIsOtherL4)
{
    const auto d = decode(RAW,
                          FrameBuilder{}
                              .ipv6("2001:db8::1", "2001:db8::2")
                              .protocol(50)
                              .payload(text("espespes"))
                              .raw());
    EXPECT_EQ(d.status, DecodeStatus::other_l4);
    EXPECT_EQ(d.view.ip_proto, 50);
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(Ipv6Decode, UnknownHeaderAfterExtensionsIsOtherL4)
{
    const auto d = decode(RAW,
                          FrameBuilder{}
                              .ipv6("2001:db8::1", "2001:db8::2")
                              .ipv6_ext(test::EXT_HOP_BY_HOP)
                              .icmp_echo()
                              .raw());
    EXPECT_EQ(d.status, DecodeStatus::other_l4);
    EXPECT_EQ(d.view.ip_proto, 58);
}

} // namespace
} // namespace wtfn::net
