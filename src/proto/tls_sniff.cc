#include "proto/sniff.h"

namespace wtfn::proto {

bool looks_like_tls_client_hello(util::Bytes payload)
{
    util::ByteReader r{payload};
    const std::uint8_t content_type = r.u8();
    const std::uint8_t major = r.u8();
    r.u8(); // minor version: 0..4 seen in the wild
    const std::uint16_t record_len = r.u16();
    const std::uint8_t handshake_type = r.u8();
    return r && content_type == 0x16 && major == 0x03 && record_len >= 4 && handshake_type == 1;
}

} // namespace wtfn::proto
