#include "support/payloads.h"

#include <algorithm>

#include "support/dns_message_builder.h"

namespace wtfn::test {

Wire dns_query(std::uint16_t id, std::string_view name, std::uint16_t qtype)
{
    return DnsMessageBuilder{}.id(id).query().rd().question(name, qtype).bytes();
}

Wire dns_response(std::uint16_t id,
                  std::string_view name,
                  std::uint16_t qtype,
                  const std::vector<std::string>& addresses)
{
    DnsMessageBuilder b;
    b.id(id).response().rd().flags(0x8180).question(name, qtype); // QR RD RA, NOERROR
    for (const std::string& a : addresses) {
        const Wire owner = DnsMessageBuilder::pointer_to(DnsMessageBuilder::QNAME_OFFSET);
        if (a.find(':') != std::string::npos) {
            b.answer_aaaa(owner, a);
        } else {
            b.answer_a(owner, a);
        }
    }
    return b.bytes();
}

Wire tcp_framed(const Wire& message)
{
    Wire out;
    put_u16(out, static_cast<std::uint16_t>(message.size()));
    put_bytes(out, message);
    return out;
}

Wire concat(const std::vector<Wire>& parts)
{
    Wire out;
    for (const Wire& p : parts) {
        put_bytes(out, p);
    }
    return out;
}

Wire slice(const Wire& w, std::size_t from, std::size_t to)
{
    to = std::min(to, w.size());
    from = std::min(from, to);
    return Wire(w.begin() + static_cast<std::ptrdiff_t>(from),
                w.begin() + static_cast<std::ptrdiff_t>(to));
}

Wire tls_client_hello(std::string_view sni)
{
    Wire ext;
    // server_name (0): list length, type host_name (0), name length, name
    const auto n = static_cast<std::uint16_t>(sni.size());
    put_u16(ext, 0);
    put_u16(ext, static_cast<std::uint16_t>(n + 5));
    put_u16(ext, static_cast<std::uint16_t>(n + 3));
    ext.push_back(0);
    put_u16(ext, n);
    ext.insert(ext.end(), sni.begin(), sni.end());
    // supported_versions (43): TLS 1.3, TLS 1.2
    put_bytes(ext, {0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03});
    // supported_groups (10): x25519
    put_bytes(ext, {0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x1d});
    // key_share (51): x25519 with a 32-byte key
    put_bytes(ext, {0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20});
    for (std::uint8_t i = 0; i < 32; ++i) {
        ext.push_back(static_cast<std::uint8_t>(0x40 + i));
    }
    Wire hello;
    put_u16(hello, 0x0303); // legacy_version TLS 1.2
    for (std::uint8_t i = 0; i < 32; ++i) {
        hello.push_back(i); // random
    }
    hello.push_back(0);                                     // session id length
    put_bytes(hello, {0x00, 0x04, 0x13, 0x01, 0x13, 0x02}); // two cipher suites
    put_bytes(hello, {0x01, 0x00});                         // null compression
    put_u16(hello, static_cast<std::uint16_t>(ext.size()));
    put_bytes(hello, ext);
    Wire handshake = {0x01}; // ClientHello
    handshake.push_back(0);
    put_u16(handshake, static_cast<std::uint16_t>(hello.size()));
    put_bytes(handshake, hello);
    Wire record = {0x16, 0x03, 0x01}; // handshake record, legacy version TLS 1.0
    put_u16(record, static_cast<std::uint16_t>(handshake.size()));
    put_bytes(record, handshake);
    return record;
}

Wire quic_initial(std::uint32_t version)
{
    Wire out = {0xC3}; // long header, fixed bit, type Initial, 4-byte packet number
    put_u32(out, version);
    out.push_back(8); // DCID length
    for (std::uint8_t i = 0; i < 8; ++i) {
        out.push_back(static_cast<std::uint8_t>(0xA0 + i));
    }
    out.push_back(0); // SCID length
    out.push_back(0); // token length (varint 0)
    const std::size_t remaining = 1200 - out.size() - 2;
    put_u16(out, static_cast<std::uint16_t>(0x4000 | remaining)); // 2-byte varint length
    put_u32(out, 0);                                              // packet number
    while (out.size() < 1200) {
        out.push_back(static_cast<std::uint8_t>(out.size() * 7)); // protected payload stand-in
    }
    return out;
}

} // namespace wtfn::test
