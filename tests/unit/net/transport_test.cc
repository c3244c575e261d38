// Tests of src/net/transport.cc: UDP length and TCP data offset (RELIABILITY.md row 11).
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

FrameBuilder udp4(const std::string& data = "0123456789")
{
    return FrameBuilder{}.ipv4("192.0.2.1", "198.51.100.53").udp(40000, 53).payload(text(data));
}

FrameBuilder tcp4(const std::string& data = "0123456789")
{
    return FrameBuilder{}
        .ipv4("192.0.2.1", "198.51.100.53")
        .tcp(40000, 53, 1000, TCP_ACK, 2000)
        .payload(text(data));
}

// --- UDP --------------------------------------------------------------------------------

TEST(UdpDecode, PortsAndPayload)
{
    const auto d = decode(RAW, udp4().raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.l4, L4::udp);
    EXPECT_EQ(d.view.src_port, 40000);
    EXPECT_EQ(d.view.dst_port, 53);
    EXPECT_EQ(d.payload_text(), "0123456789");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

// Triad on the 8-byte header.
TEST(UdpDecode, SevenByteHeaderIsIpTrunc)
{
    const auto d = decode(RAW,
                          FrameBuilder{}
                              .ipv4("192.0.2.1", "198.51.100.53")
                              .raw_segment(17, {0x9C, 0x40, 0x00, 0x35, 0x00, 0x08, 0x00})
                              .raw());
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc));
}

TEST(UdpDecode, EightByteHeaderAloneIsAnEmptyDatagram)
{
    const auto d = decode(RAW, udp4("").raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_TRUE(d.view.payload.empty());
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(UdpDecode, NineBytesIsOneBytePayload)
{
    const auto d = decode(RAW, udp4("x").raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "x");
}

// Triad on the length field's minimum: 7 is a lie, 8 an empty datagram.
TEST(UdpDecode, LengthSevenIsInvalid)
{
    const auto d = decode(RAW, udp4().udp_length(7).raw());
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_udp_len_invalid));
}

TEST(UdpDecode, LengthEightGivesEmptyPayload)
{
    const auto d = decode(RAW, udp4().udp_length(8).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_TRUE(d.view.payload.empty());
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(UdpDecode, LengthZeroOverIpv4IsInvalid)
{
    const auto d = decode(RAW, udp4().udp_length(0).raw());
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_udp_len_invalid));
}

TEST(UdpDecode, LengthZeroOverIpv6WithPayloadLengthIsJumboLike)
{
    const auto d = decode(RAW,
                          FrameBuilder{}
                              .ipv6("2001:db8::1", "2001:db8::53")
                              .udp(1, 53)
                              .udp_length(0)
                              .payload(text("abc"))
                              .raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "abc");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

// Triad on the length field against the IP payload.
TEST(UdpDecode, LengthOneMoreThanPayloadIsCountedAndPayloadIsWhatWasCaptured)
{
    const auto d = decode(RAW, udp4().udp_length(8 + 10 + 1).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "0123456789");
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_udp_len_invalid));
}

TEST(UdpDecode, LengthFarBeyondPayloadIsCounted)
{
    const auto d = decode(RAW, udp4().udp_length(0xFFFF).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "0123456789");
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_udp_len_invalid));
}

TEST(UdpDecode, LengthEqualToPayloadIsClean)
{
    const auto d = decode(RAW, udp4().udp_length(8 + 10).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "0123456789");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(UdpDecode, LengthOneLessThanPayloadTrims)
{
    const auto d = decode(RAW, udp4().udp_length(8 + 9).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "012345678");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(UdpDecode, DirectEntryPoint)
{
    const test::Wire seg = {0x9C, 0x40, 0x00, 0x35, 0x00, 0x0A, 0x00, 0x00, 'h', 'i'};
    PacketView view;
    util::MalformedCounters bad;
    ASSERT_EQ(decode_udp(util::Bytes{seg}, view, bad), DecodeStatus::ok);
    EXPECT_EQ(view.src_port, 40000);
    EXPECT_EQ(view.dst_port, 53);
    EXPECT_EQ(view.payload.size(), 2u);
    EXPECT_TRUE(test::nothing_counted(bad));
    EXPECT_EQ(decode_udp(util::Bytes{seg}.first(7), view, bad), DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(bad, Malformed::net_ip_trunc));
}

// --- TCP --------------------------------------------------------------------------------

TEST(TcpDecode, FieldsAndPayload)
{
    const auto d = decode(RAW,
                          FrameBuilder{}
                              .ipv4("192.0.2.1", "198.51.100.53")
                              .tcp(40000, 53, 0xFFFFFFFF, TCP_FIN | TCP_ACK | 0x08, 0x80000000)
                              .payload(text("data"))
                              .raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.l4, L4::tcp);
    EXPECT_EQ(d.view.ip_proto, 6);
    EXPECT_EQ(d.view.src_port, 40000);
    EXPECT_EQ(d.view.dst_port, 53);
    EXPECT_EQ(d.view.tcp_seq, 0xFFFFFFFFu);
    EXPECT_EQ(d.view.tcp_ack, 0x80000000u);
    EXPECT_EQ(d.view.tcp_flags, TCP_FIN | TCP_ACK | 0x08);
    EXPECT_EQ(d.payload_text(), "data");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(TcpDecode, OptionsAreSkipped)
{
    // MSS 1460, SACK permitted, window scale 7 (padded).
    const auto d = decode(RAW, tcp4().tcp_options({2, 4, 0x05, 0xB4, 4, 2, 3, 3, 7}).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "0123456789");
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

// Triad on the 20-byte header.
TEST(TcpDecode, NineteenByteHeaderIsIpTrunc)
{
    const auto full = tcp4("").l4();
    const auto d = decode(
        RAW, FrameBuilder{}.ipv4("192.0.2.1", "198.51.100.53").raw_segment(6, cut(full, 19)).raw());
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_ip_trunc));
}

TEST(TcpDecode, TwentyByteHeaderAloneIsEmpty)
{
    const auto d = decode(RAW, tcp4("").raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_TRUE(d.view.payload.empty());
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

// Triad on the data offset's minimum: 4 words is a lie, 5 the plain header.
TEST(TcpDecode, DataOffsetFourIsBadOffset)
{
    const auto d = decode(RAW, tcp4().tcp_data_offset(4).raw());
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_tcp_bad_offset));
}

TEST(TcpDecode, DataOffsetZeroIsBadOffset)
{
    const auto d = decode(RAW, tcp4().tcp_data_offset(0).raw());
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_tcp_bad_offset));
}

TEST(TcpDecode, DataOffsetFiveIsThePlainHeader)
{
    const auto d = decode(RAW, tcp4().tcp_data_offset(5).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "0123456789");
}

// Triad on the data offset against the segment: 24 bytes of header in 23, 24, 25 bytes.
TEST(TcpDecode, DataOffsetPastTheEndIsBadOffset)
{
    const auto d = decode(RAW, tcp4("abc").tcp_data_offset(6).raw()); // 23-byte segment
    EXPECT_EQ(d.status, DecodeStatus::malformed);
    EXPECT_TRUE(test::only_counted(d.bad, Malformed::net_tcp_bad_offset));
}

TEST(TcpDecode, DataOffsetExactlyAtTheEndGivesEmptyPayload)
{
    const auto d = decode(RAW, tcp4("abcd").tcp_data_offset(6).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_TRUE(d.view.payload.empty());
    EXPECT_TRUE(test::nothing_counted(d.bad));
}

TEST(TcpDecode, DataOffsetOneBeforeTheEndGivesOneByte)
{
    const auto d = decode(RAW, tcp4("abcde").tcp_data_offset(6).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.payload_text(), "e");
}

TEST(TcpDecode, DataOffsetFifteenNeedsSixtyBytes)
{
    EXPECT_EQ(decode(RAW, tcp4(std::string(39, 'o')).tcp_data_offset(15).raw()).status,
              DecodeStatus::malformed);
    const auto d = decode(RAW, tcp4(std::string(40, 'o')).tcp_data_offset(15).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_TRUE(d.view.payload.empty());
}

TEST(TcpDecode, OverIpv6)
{
    const auto d = decode(
        RAW, FrameBuilder{}.ipv6("2001:db8::1", "2001:db8::53").tcp(40000, 53, 7, TCP_SYN).raw());
    ASSERT_EQ(d.status, DecodeStatus::ok);
    EXPECT_EQ(d.view.tcp_seq, 7u);
    EXPECT_EQ(d.view.tcp_flags, TCP_SYN);
}

} // namespace
} // namespace wtfn::net
