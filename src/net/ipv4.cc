// IPv4: header length and total length are checked against what was captured; fragments are
// counted and not reassembled (a DNS message split in IP fragments is rare and its first
// fragment alone cannot be parsed safely).
#include "net/decode.h"

namespace wtfn::net {
namespace {

DecodeStatus
decode_l4(std::uint8_t proto, util::Bytes data, PacketView& view, util::MalformedCounters& bad)
{
    view.ip_proto = proto;
    switch (proto) {
        case 17:
            return decode_udp(data, view, bad);
        case 6:
            return decode_tcp(data, view, bad);
        default:
            return DecodeStatus::other_l4;
    }
}

} // namespace

DecodeStatus decode_ipv4(util::Bytes data, PacketView& view, util::MalformedCounters& bad)
{
    util::ByteReader r{data};
    const std::uint8_t ver_ihl = r.u8();
    r.skip(1); // DSCP/ECN
    const std::uint16_t total_len = r.u16();
    r.skip(2); // identification
    const std::uint16_t frag = r.u16();
    view.hop_limit = r.u8();
    const std::uint8_t proto = r.u8();
    r.skip(2); // checksum
    const auto src = r.take(4);
    const auto dst = r.take(4);
    if (!r) {
        bad.add(util::Malformed::net_ip_trunc);
        return DecodeStatus::malformed;
    }
    const std::size_t header_len = std::size_t{ver_ihl & 0x0Fu} * 4;
    if ((ver_ihl >> 4) != 4 || header_len < 20 || total_len < header_len) {
        bad.add(util::Malformed::net_ip_bad_header);
        return DecodeStatus::malformed;
    }
    if (header_len > data.size()) {
        bad.add(util::Malformed::net_ip_trunc);
        return DecodeStatus::malformed;
    }
    view.src = IpAddress::v4(src);
    view.dst = IpAddress::v4(dst);
    // Ethernet pads short frames, so the capture may hold more than total_len: trim. A
    // capture that holds less (snap length, truncation) is decoded as far as it goes.
    std::size_t end = total_len;
    if (end > data.size()) {
        bad.add(util::Malformed::net_ip_trunc);
        view.ip_truncated = true;
        end = data.size();
    }
    const bool more_fragments = (frag & 0x2000) != 0;
    const std::uint16_t offset = frag & 0x1FFF;
    if (more_fragments || offset != 0) {
        view.ip_proto = proto;
        bad.add(util::Malformed::net_fragment);
        return DecodeStatus::fragment;
    }
    return decode_l4(proto, data.subspan(header_len, end - header_len), view, bad);
}

} // namespace wtfn::net
