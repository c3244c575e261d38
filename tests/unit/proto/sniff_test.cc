// Tests of src/proto/tls_sniff.cc and src/proto/quic_sniff.cc (declared in sniff.h): cheap,
// conservative probes of the first bytes of encrypted flows (STYLE.md C6).
#include "proto/sniff.h"

#include <cstddef>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

namespace wtfn::proto {
namespace {

using Wire = std::vector<std::uint8_t>;

bool tls(const Wire& w)
{
    return looks_like_tls_client_hello(util::Bytes{w});
}

QuicSniff quic(const Wire& w)
{
    return sniff_quic(util::Bytes{w});
}

Wire cut(const Wire& w, std::size_t n)
{
    return Wire(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(n));
}

// The start of a TLS record holding a ClientHello.
Wire client_hello(std::uint8_t record_minor = 0x01, std::uint16_t record_len = 0x00C8)
{
    return {
        0x16, // content type: handshake
        0x03,
        record_minor,                                 // record version 3.x
        static_cast<std::uint8_t>(record_len >> 8),   // record length
        static_cast<std::uint8_t>(record_len & 0xFF), //
        0x01,                                         // handshake type: ClientHello
        0x00,
        0x00,
        0xC4, // handshake length
        0x03,
        0x03, // client version TLS 1.2
    };
}

// --- TLS ---------------------------------------------------------------------------------------

TEST(TlsSniff, AcceptsClientHelloInTls10Record)
{
    EXPECT_TRUE(tls(client_hello(0x01)));
}

TEST(TlsSniff, AcceptsClientHelloInTls12Record)
{
    EXPECT_TRUE(tls(client_hello(0x03)));
}

TEST(TlsSniff, AcceptsTheSixBytesItNeeds)
{
    EXPECT_TRUE(tls(cut(client_hello(), 6)));
}

TEST(TlsSniff, RejectsEveryShorterPrefix)
{
    const auto hello = client_hello();
    for (std::size_t n = 0; n < 6; ++n) {
        EXPECT_FALSE(tls(cut(hello, n))) << n << " bytes";
    }
}

TEST(TlsSniff, RejectsServerHello)
{
    auto w = client_hello();
    w[5] = 0x02; // handshake type: ServerHello
    EXPECT_FALSE(tls(w));
}

TEST(TlsSniff, RejectsApplicationData)
{
    auto w = client_hello();
    w[0] = 0x17; // content type: application data
    EXPECT_FALSE(tls(w));
}

TEST(TlsSniff, RejectsAlertRecord)
{
    EXPECT_FALSE(tls(Wire{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28})); // fatal handshake_failure
}

TEST(TlsSniff, RejectsRecordMajorVersionOtherThan3)
{
    auto w = client_hello();
    w[1] = 0x02;
    EXPECT_FALSE(tls(w));
}

TEST(TlsSniff, RejectsRecordLengthBelowAHandshakeHeader)
{
    EXPECT_FALSE(tls(client_hello(0x01, 3)));
}

TEST(TlsSniff, AcceptsRecordLengthOfExactlyAHandshakeHeader)
{
    EXPECT_TRUE(tls(client_hello(0x01, 4)));
}

TEST(TlsSniff, RejectsPlainDnsOverTcp)
{
    // A DNS-over-TCP length prefix and the start of a query header.
    EXPECT_FALSE(tls(Wire{0x00, 0x1D, 0x12, 0x34, 0x01, 0x00, 0x00, 0x01}));
}

// --- QUIC --------------------------------------------------------------------------------------

// A QUIC long header: first byte, version, DCID, SCID, then a few payload bytes.
Wire quic_long(std::uint8_t first,
               std::uint32_t version,
               std::size_t dcid_len = 8,
               std::size_t scid_len = 0)
{
    Wire w{first,
           static_cast<std::uint8_t>(version >> 24),
           static_cast<std::uint8_t>(version >> 16),
           static_cast<std::uint8_t>(version >> 8),
           static_cast<std::uint8_t>(version)};
    w.push_back(static_cast<std::uint8_t>(dcid_len));
    w.insert(w.end(), dcid_len, 0xD0);
    w.push_back(static_cast<std::uint8_t>(scid_len));
    w.insert(w.end(), scid_len, 0x5C);
    w.insert(w.end(), {0x00, 0x41, 0x00}); // token length 0, payload length ...
    return w;
}

constexpr std::uint32_t V1 = 0x00000001;
constexpr std::uint32_t V2 = 0x6b3343cf;

TEST(QuicSniff, AcceptsVersion1Initial)
{
    const auto s = quic(quic_long(0xC3, V1)); // long header, fixed bit, type 0, pn length 4
    EXPECT_TRUE(s.long_header);
    EXPECT_TRUE(s.initial);
    EXPECT_EQ(s.version, V1);
}

TEST(QuicSniff, Version1HandshakeIsLongHeaderButNotInitial)
{
    const auto s = quic(quic_long(0xE3, V1)); // type 2: Handshake
    EXPECT_TRUE(s.long_header);
    EXPECT_FALSE(s.initial);
    EXPECT_EQ(s.version, V1);
}

TEST(QuicSniff, Version2InitialUsesTypeBits01)
{
    const auto s = quic(quic_long(0xD3, V2)); // type 1: Initial in v2 (RFC 9369)
    EXPECT_TRUE(s.long_header);
    EXPECT_TRUE(s.initial);
    EXPECT_EQ(s.version, V2);
}

TEST(QuicSniff, Version2TypeBits00IsNotInitial)
{
    const auto s = quic(quic_long(0xC3, V2)); // type 0: Retry in v2
    EXPECT_TRUE(s.long_header);
    EXPECT_FALSE(s.initial);
}

TEST(QuicSniff, Version1TypeBits01IsNotInitial)
{
    const auto s = quic(quic_long(0xD3, V1)); // type 1: 0-RTT in v1
    EXPECT_TRUE(s.long_header);
    EXPECT_FALSE(s.initial);
}

TEST(QuicSniff, AcceptsDraftVersion)
{
    const auto s = quic(quic_long(0xC3, 0xFF00001D)); // draft-29
    EXPECT_TRUE(s.long_header);
    EXPECT_TRUE(s.initial);
    EXPECT_EQ(s.version, 0xFF00001DU);
}

TEST(QuicSniff, VersionNegotiationIsLongHeaderButNotInitial)
{
    // Version 0; the fixed bit and type bits are unused, so 0x80 alone must do.
    const auto s = quic(quic_long(0x80, 0, 8, 8));
    EXPECT_TRUE(s.long_header);
    EXPECT_FALSE(s.initial);
    EXPECT_EQ(s.version, 0U);
}

TEST(QuicSniff, RejectsUnknownVersion)
{
    EXPECT_FALSE(quic(quic_long(0xC3, 0x0A0A0A0A)).long_header); // a greased version
}

TEST(QuicSniff, RejectsShortHeader)
{
    Wire w{0x43}; // header form 0, fixed bit: a 1-RTT packet
    w.insert(w.end(), 40, 0x77);
    const auto s = quic(w);
    EXPECT_FALSE(s.long_header);
    EXPECT_FALSE(s.initial);
}

TEST(QuicSniff, RejectsVersion1WithoutFixedBit)
{
    EXPECT_FALSE(quic(quic_long(0x83, V1)).long_header);
}

TEST(QuicSniff, AcceptsDcidOf20Octets)
{
    EXPECT_TRUE(quic(quic_long(0xC3, V1, 20)).long_header);
}

TEST(QuicSniff, RejectsDcidOf21Octets)
{
    EXPECT_FALSE(quic(quic_long(0xC3, V1, 21)).long_header);
}

TEST(QuicSniff, RejectsScidOf21Octets)
{
    EXPECT_FALSE(quic(quic_long(0xC3, V1, 8, 21)).long_header);
}

TEST(QuicSniff, RejectsEveryPrefixThatCutsTheConnectionIds)
{
    const auto w = quic_long(0xC3, V1, 8, 4);
    const std::size_t header = 1 + 4 + 1 + 8 + 1 + 4; // through the SCID
    for (std::size_t n = 0; n < header; ++n) {
        EXPECT_FALSE(quic(cut(w, n)).long_header) << n << " bytes";
    }
    EXPECT_TRUE(quic(cut(w, header)).long_header);
}

TEST(QuicSniff, RejectsDcidLengthPastTheEnd)
{
    Wire w{0xC3, 0, 0, 0, 1, 20}; // claims a 20-octet DCID ...
    w.insert(w.end(), 10, 0xD0);  // ... but 10 follow
    EXPECT_FALSE(quic(w).long_header);
}

} // namespace
} // namespace wtfn::proto
