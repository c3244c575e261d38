// IPv6 with its extension-header chain (at most 8 headers, net.ipv6_exthdr_limit beyond);
// fragments are counted, not reassembled; an atomic fragment is a whole packet.
#include "net/decode.h"

namespace wtfn::net {

DecodeStatus decode_ipv6(util::Bytes data, PacketView& view, util::MalformedCounters& bad)
{
    util::ByteReader r{data};
    const std::uint32_t ver_tc_flow = r.u32();
    const std::uint16_t payload_len = r.u16();
    std::uint8_t next = r.u8();
    view.hop_limit = r.u8();
    const auto src = r.take(16);
    const auto dst = r.take(16);
    if (!r) {
        bad.add(util::Malformed::net_ip_trunc);
        return DecodeStatus::malformed;
    }
    if ((ver_tc_flow >> 28) != 6) {
        bad.add(util::Malformed::net_ip_bad_header);
        return DecodeStatus::malformed;
    }
    view.src = IpAddress::v6(src);
    view.dst = IpAddress::v6(dst);
    util::Bytes body = r.rest();
    // payload_len 0 means a jumbogram (or a TSO-offloaded capture): use what was captured.
    if (payload_len != 0) {
        if (payload_len > body.size()) {
            bad.add(util::Malformed::net_ip_trunc);
            view.ip_truncated = true;
        } else {
            body = body.first(payload_len);
        }
    }
    constexpr int MAX_EXTENSION_HEADERS = 8;
    util::ByteReader ext{body};
    for (int count = 0;; ++count) {
        switch (next) {
            case 17:
                view.ip_proto = next;
                return decode_udp(ext.rest(), view, bad);
            case 6:
                view.ip_proto = next;
                return decode_tcp(ext.rest(), view, bad);
            case 0:  // hop-by-hop options
            case 43: // routing
            case 60: // destination options
            case 44: // fragment
            case 51: // authentication header
                break;
            default:
                view.ip_proto = next;
                return DecodeStatus::other_l4;
        }
        if (count == MAX_EXTENSION_HEADERS) {
            bad.add(util::Malformed::net_ipv6_exthdr_limit);
            return DecodeStatus::malformed;
        }
        const std::uint8_t this_header = next;
        next = ext.u8();
        const std::uint8_t len_field = ext.u8();
        if (this_header == 44) {
            const std::uint16_t frag = ext.u16();
            ext.skip(4); // identification
            if (!ext) {
                if (!view.ip_truncated) {
                    bad.add(util::Malformed::net_ip_trunc);
                }
                return DecodeStatus::malformed;
            }
            // An atomic fragment (offset 0, no more fragments) is a whole packet.
            if ((frag & 0xFFF9) != 0) {
                view.ip_proto = next;
                bad.add(util::Malformed::net_fragment);
                return DecodeStatus::fragment;
            }
            continue;
        }
        const std::size_t total =
            this_header == 51 ? (std::size_t{len_field} + 2) * 4 : (std::size_t{len_field} + 1) * 8;
        ext.skip(total - 2);
        if (!ext) {
            if (!view.ip_truncated) {
                bad.add(util::Malformed::net_ip_trunc);
            }
            return DecodeStatus::malformed;
        }
    }
}

} // namespace wtfn::net
