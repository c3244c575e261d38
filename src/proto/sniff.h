// Cheap, conservative probes of the first bytes of encrypted flows (STYLE.md C6). They decide
// confidence, not content: a TLS ClientHello on TCP 853 makes DoT certain; a QUIC long
// header on UDP 853 makes DoQ likely.
#pragma once

#include <cstdint>

#include "util/byte_reader.h"

namespace wtfn::proto {

// True when `payload` starts with a TLS handshake record holding a ClientHello.
bool looks_like_tls_client_hello(util::Bytes payload);

struct QuicSniff {
    bool long_header = false; // a QUIC long-header packet (Initial, 0-RTT, Handshake, Retry)
    bool initial = false;     // an Initial packet (the first a client sends)
    std::uint32_t version = 0;
};

// Recognises a QUIC long header of a known version (v1, v2, drafts, version negotiation)
// whose connection-id lengths fit the packet.
QuicSniff sniff_quic(util::Bytes payload);

} // namespace wtfn::proto
