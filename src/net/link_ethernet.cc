// Ethernet II with any number (up to 4) of 802.1Q / 802.1ad VLAN tags.
#include "net/decode.h"

namespace wtfn::net {
namespace {

constexpr int MAX_VLAN_TAGS = 4;

bool is_vlan_tpid(std::uint16_t t)
{
    return t == 0x8100 || t == 0x88A8 || t == 0x9100;
}

} // namespace

DecodeStatus decode_ethernet(util::Bytes data, PacketView& view, util::MalformedCounters& bad)
{
    util::ByteReader r{data};
    r.skip(12); // destination and source MAC
    std::uint16_t ethertype = r.u16();
    for (int tags = 0; r && is_vlan_tpid(ethertype); ++tags) {
        if (tags == MAX_VLAN_TAGS) {
            bad.add(util::Malformed::link_truncated);
            return DecodeStatus::malformed;
        }
        r.skip(2); // PCP, DEI, VLAN id
        ethertype = r.u16();
    }
    if (!r) {
        bad.add(util::Malformed::link_truncated);
        return DecodeStatus::malformed;
    }
    return decode_ethertype(ethertype, r.rest(), view, bad);
}

} // namespace wtfn::net
