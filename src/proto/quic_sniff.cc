#include "proto/sniff.h"

namespace wtfn::proto {
namespace {

bool known_version(std::uint32_t v)
{
    return v == 0 /* version negotiation */ || v == 1 || v == 0x6b3343cf /* v2 */ ||
           (v & 0xFFFFFF00) == 0xFF000000 /* IETF drafts */;
}

} // namespace

QuicSniff sniff_quic(util::Bytes payload)
{
    QuicSniff out;
    util::ByteReader r{payload};
    const std::uint8_t first = r.u8();
    const std::uint32_t version = r.u32();
    const std::uint8_t dcid_len = r.u8();
    r.skip(dcid_len);
    const std::uint8_t scid_len = r.u8();
    r.skip(scid_len);
    if (!r || (first & 0x80) == 0 || !known_version(version)) {
        return out;
    }
    // Version 1 and 2 cap connection ids at 20 bytes and require the fixed bit.
    if (version != 0 && (dcid_len > 20 || scid_len > 20 || (first & 0x40) == 0)) {
        return out;
    }
    out.long_header = true;
    out.version = version;
    const unsigned type = (first >> 4) & 0x03;
    // The Initial packet type is 0 in v1 and 1 in v2 (RFC 9369).
    out.initial = version == 0x6b3343cf ? type == 1 : (version != 0 && type == 0);
    return out;
}

} // namespace wtfn::proto
