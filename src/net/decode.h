// Frame decoding: link layer -> IPv4/IPv6 -> UDP/TCP, into a PacketView.
//
// decode_frame() never reads outside `frame`, never allocates and never throws. Each damaged
// layer increments its counter in MalformedCounters (RELIABILITY.md rows 11 and 12): a
// packet cut short can count at the IP layer (net.ip_trunc, decoding goes on with what was
// captured) and again at UDP (net.udp_len_invalid). A layer that cannot go on returns
// DecodeStatus::malformed.
#pragma once

#include <cstdint>

#include "net/packet_view.h"
#include "util/malformed.h"

namespace wtfn::net {

// Link-layer header types, as numbered in pcap files (LINKTYPE_*) and by libpcap (DLT_*).
enum class LinkType : std::uint16_t {
    null_bsd = 0,     // DLT_NULL: 4-byte address family in the capturing host's byte order
    ethernet = 1,     // DLT_EN10MB, with 802.1Q / 802.1ad (QinQ) tags
    raw_dlt = 12,     // DLT_RAW on Linux
    raw_dlt_bsd = 14, // DLT_RAW on OpenBSD
    raw = 101,        // LINKTYPE_RAW: the packet starts with the IP header
    loop = 108,       // DLT_LOOP: like NULL, network byte order
    linux_sll = 113,  // Linux cooked capture v1
    ipv4 = 228,       // LINKTYPE_IPV4
    ipv6 = 229,       // LINKTYPE_IPV6
    linux_sll2 = 276, // Linux cooked capture v2: carries the interface index
};

// Human name for a link type ("LINUX_SLL2"); "unknown" otherwise.
const char* link_type_name(std::uint32_t link_type);

bool link_type_supported(std::uint32_t link_type);

enum class DecodeStatus : std::uint8_t {
    ok,        // view.l4 is udp or tcp and the payload is set
    not_ip,    // ARP, LLDP, ... : not our business, not malformed
    other_l4,  // IP but neither UDP nor TCP (ICMP, ESP, ...)
    fragment,  // an IP fragment: counted (net.fragment), not reassembled
    malformed, // one malformed counter was incremented
};

DecodeStatus decode_frame(std::uint32_t link_type,
                          util::Bytes frame,
                          PacketView& view,
                          util::MalformedCounters& bad);

// Layer entry points, exposed for unit tests and fuzz targets.
DecodeStatus decode_ip(util::Bytes data, PacketView& view, util::MalformedCounters& bad);
DecodeStatus decode_ipv4(util::Bytes data, PacketView& view, util::MalformedCounters& bad);
DecodeStatus decode_ipv6(util::Bytes data, PacketView& view, util::MalformedCounters& bad);
DecodeStatus decode_udp(util::Bytes data, PacketView& view, util::MalformedCounters& bad);
DecodeStatus decode_tcp(util::Bytes data, PacketView& view, util::MalformedCounters& bad);
DecodeStatus decode_ethernet(util::Bytes data, PacketView& view, util::MalformedCounters& bad);
DecodeStatus decode_sll(util::Bytes data, PacketView& view, util::MalformedCounters& bad);
DecodeStatus decode_sll2(util::Bytes data, PacketView& view, util::MalformedCounters& bad);
DecodeStatus
decode_null(util::Bytes data, bool network_order, PacketView& view, util::MalformedCounters& bad);

// Dispatches on an EtherType (0x0800 IPv4, 0x86DD IPv6); other types are not_ip.
DecodeStatus decode_ethertype(std::uint16_t ethertype,
                              util::Bytes data,
                              PacketView& view,
                              util::MalformedCounters& bad);

} // namespace wtfn::net
