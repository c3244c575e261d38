// UDP and TCP headers. Lengths are the smaller of what the header claims and what was
// captured (RELIABILITY.md row 11).
#include "net/decode.h"

namespace wtfn::net {

DecodeStatus decode_udp(util::Bytes data, PacketView& view, util::MalformedCounters& bad)
{
    util::ByteReader r{data};
    view.src_port = r.u16();
    view.dst_port = r.u16();
    const std::uint16_t length = r.u16();
    r.skip(2); // checksum
    if (!r) {
        if (!view.ip_truncated) {
            bad.add(util::Malformed::net_ip_trunc);
        }
        return DecodeStatus::malformed;
    }
    if (length < 8) {
        // Length 0 is legal only for IPv6 jumbograms; anything else below 8 is a lie.
        if (length != 0 || view.src.version != 6) {
            bad.add(util::Malformed::net_udp_len_invalid);
            return DecodeStatus::malformed;
        }
    }
    util::Bytes payload = r.rest();
    if (length >= 8) {
        const std::size_t claimed = length - 8u;
        if (claimed > payload.size()) {
            // Beyond what was captured is a lie only if the IP packet itself was whole.
            if (!view.ip_truncated) {
                bad.add(util::Malformed::net_udp_len_invalid);
            }
        } else {
            payload = payload.first(claimed);
        }
    }
    view.l4 = L4::udp;
    view.payload = payload;
    return DecodeStatus::ok;
}

DecodeStatus decode_tcp(util::Bytes data, PacketView& view, util::MalformedCounters& bad)
{
    util::ByteReader r{data};
    view.src_port = r.u16();
    view.dst_port = r.u16();
    view.tcp_seq = r.u32();
    view.tcp_ack = r.u32();
    const std::uint8_t offset_byte = r.u8();
    view.tcp_flags = r.u8();
    r.skip(6); // window, checksum, urgent pointer
    if (!r) {
        if (!view.ip_truncated) {
            bad.add(util::Malformed::net_ip_trunc);
        }
        return DecodeStatus::malformed;
    }
    const std::size_t header_len = std::size_t{static_cast<std::uint8_t>(offset_byte >> 4)} * 4;
    if (header_len < 20 || header_len > data.size()) {
        if (header_len < 20 || !view.ip_truncated) {
            bad.add(util::Malformed::net_tcp_bad_offset);
        }
        return DecodeStatus::malformed;
    }
    view.l4 = L4::tcp;
    view.payload = data.subspan(header_len);
    return DecodeStatus::ok;
}

} // namespace wtfn::net
