// Application payloads for test frames: DNS messages (through DnsMessageBuilder), the 2-byte
// framing of DNS over TCP, a TLS ClientHello and a QUIC Initial packet. Only the bytes that
// wtfn's probes look at are meaningful; the rest is well-formed filler so that tcpdump and
// Wireshark show the fixtures as what they claim to be.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/frame_builder.h"

namespace wtfn::test {

// A recursive query for `name` (qtype 1 = A, 28 = AAAA, ...).
Wire dns_query(std::uint16_t id, std::string_view name, std::uint16_t qtype = 1);

// A NOERROR response with the question and one answer per address (A or AAAA by the text),
// each answer owner a compression pointer to the question name.
Wire dns_response(std::uint16_t id,
                  std::string_view name,
                  std::uint16_t qtype,
                  const std::vector<std::string>& addresses);

// DNS over TCP framing: 2-byte big-endian length, then the message.
Wire tcp_framed(const Wire& message);

// Concatenation.
Wire concat(const std::vector<Wire>& parts);

// Bytes [from, to) of `w` (clamped).
Wire slice(const Wire& w, std::size_t from, std::size_t to);

// A TLS 1.3 ClientHello record carrying the server_name extension.
Wire tls_client_hello(std::string_view sni);

// A QUIC v1 Initial packet (long header, 8-byte DCID, empty SCID and token), padded to 1200
// bytes as clients must.
Wire quic_initial(std::uint32_t version = 1);

} // namespace wtfn::test
