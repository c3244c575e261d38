// fuzz_sniff: the TLS ClientHello and QUIC long-header probes (src/proto/sniff.h;
// RELIABILITY.md row 9) on the first payload of a flow. Both probes see every input, as the
// pipeline may hand either of them any bytes that arrive on 853 or 443.
#include "proto/sniff.h"

#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const wtfn::fuzz::ExactCopy input(data, size);
    const wtfn::util::Bytes payload{input.data(), input.size()};

    const bool hello = wtfn::proto::looks_like_tls_client_hello(payload);
    if (hello) {
        // Record header (5) + handshake type (1).
        WTFN_FUZZ_CHECK(size >= 6 && input.data()[0] == 0x16);
    }
    const wtfn::proto::QuicSniff quic = wtfn::proto::sniff_quic(payload);
    if (quic.long_header) {
        // First byte, version, two connection-id lengths.
        WTFN_FUZZ_CHECK(size >= 7 && (input.data()[0] & 0x80) != 0);
    } else {
        WTFN_FUZZ_CHECK(!quic.initial && quic.version == 0);
    }
    if (quic.initial) {
        WTFN_FUZZ_CHECK(quic.version != 0);
    }
    return 0;
}
