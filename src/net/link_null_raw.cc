// BSD loopback (DLT_NULL / DLT_LOOP): a 4-byte address family before the IP header.
// Raw IP (tun devices, WireGuard) needs no link decoder: decode_ip() reads the version nibble.
#include "net/decode.h"

namespace wtfn::net {

DecodeStatus
decode_null(util::Bytes data, bool network_order, PacketView& view, util::MalformedCounters& bad)
{
    if (data.size() < 4) {
        bad.add(util::Malformed::link_truncated);
        return DecodeStatus::malformed;
    }
    // DLT_NULL stores the family in the byte order of the machine that captured, which we do
    // not know; the values are small, so a byte-swapped value is recognisable.
    std::uint32_t family = util::load_u32(data.data(), network_order);
    if (!network_order && family > 0xFFFF) {
        family = util::load_u32(data.data(), true);
    }
    const auto rest = data.subspan(4);
    switch (family) {
        case 2: // AF_INET everywhere
            return decode_ipv4(rest, view, bad);
        case 10: // AF_INET6 on Linux
        case 24: // NetBSD, OpenBSD
        case 28: // FreeBSD
        case 30: // macOS
            return decode_ipv6(rest, view, bad);
        default:
            return DecodeStatus::not_ip;
    }
}

} // namespace wtfn::net
