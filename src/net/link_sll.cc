// Linux cooked captures (SLL v1 and v2): what libpcap produces on the "any" device. Both
// carry the packet type (so we know incoming from outgoing) and the ARPHRD type; v2 also
// carries the interface index, which is why live capture asks for DLT_LINUX_SLL2.
#include "net/decode.h"

namespace wtfn::net {
namespace {

// PACKET_* values of <linux/if_packet.h>.
Direction direction_of(std::uint16_t pkttype)
{
    switch (pkttype) {
        case 0: // PACKET_HOST
        case 1: // PACKET_BROADCAST
        case 2: // PACKET_MULTICAST
        case 3: // PACKET_OTHERHOST
            return Direction::inbound;
        case 4: // PACKET_OUTGOING
            return Direction::outbound;
        default:
            return Direction::unknown;
    }
}

} // namespace

DecodeStatus decode_sll(util::Bytes data, PacketView& view, util::MalformedCounters& bad)
{
    util::ByteReader r{data};
    const std::uint16_t pkttype = r.u16();
    view.hatype = r.u16();
    r.skip(2 + 8); // address length, address
    const std::uint16_t protocol = r.u16();
    if (!r) {
        bad.add(util::Malformed::link_truncated);
        return DecodeStatus::malformed;
    }
    view.direction = direction_of(pkttype);
    return decode_ethertype(protocol, r.rest(), view, bad);
}

DecodeStatus decode_sll2(util::Bytes data, PacketView& view, util::MalformedCounters& bad)
{
    util::ByteReader r{data};
    const std::uint16_t protocol = r.u16();
    r.skip(2); // reserved
    view.ifindex = r.u32();
    view.hatype = r.u16();
    const std::uint8_t pkttype = r.u8();
    r.skip(1 + 8); // address length, address
    if (!r) {
        bad.add(util::Malformed::link_truncated);
        return DecodeStatus::malformed;
    }
    view.direction = direction_of(pkttype);
    return decode_ethertype(protocol, r.rest(), view, bad);
}

} // namespace wtfn::net
