// FrameBuilder: writes captured frames as bytes for tests (STYLE.md C9): an IPv4 packet (with
// options, fragment fields and lying lengths) or an IPv6 packet (with extension headers),
// carrying UDP, TCP (sequence numbers, flags, options, data offset) or any other protocol,
// wrapped in one of the link layers the decoder reads: Ethernet (with 802.1Q / QinQ tags),
// Linux cooked SLL and SLL2, raw IP, BSD NULL and LOOP.
//
// Every field the decoder checks can be overridden, so malformed frames are built from good
// ones and then made to lie in exactly one place. Checksums are computed (tcpdump and
// Wireshark then show the frames as clean) unless a length was overridden.
//
//   const Wire f = FrameBuilder{}.ipv4("192.0.2.1", "198.51.100.53").udp(40000, 53)
//                      .payload(query).sll2(3, PKT_OUTGOING);
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wtfn::test {

using Wire = std::vector<std::uint8_t>;

// LINKTYPE_* values of the pcap file formats.
namespace linktype {
inline constexpr std::uint32_t NULL_BSD = 0;
inline constexpr std::uint32_t EN10MB = 1;
inline constexpr std::uint32_t RAW = 101;
inline constexpr std::uint32_t LOOP = 108;
inline constexpr std::uint32_t LINUX_SLL = 113;
inline constexpr std::uint32_t IPV4 = 228;
inline constexpr std::uint32_t IPV6 = 229;
inline constexpr std::uint32_t LINUX_SLL2 = 276;
} // namespace linktype

// PACKET_* values of <linux/if_packet.h>, as carried by SLL and SLL2.
inline constexpr std::uint8_t PKT_HOST = 0;
inline constexpr std::uint8_t PKT_BROADCAST = 1;
inline constexpr std::uint8_t PKT_MULTICAST = 2;
inline constexpr std::uint8_t PKT_OTHERHOST = 3;
inline constexpr std::uint8_t PKT_OUTGOING = 4;

// ARPHRD_* values.
inline constexpr std::uint16_t ARPHRD_ETHER_ = 1;
inline constexpr std::uint16_t ARPHRD_LOOPBACK_ = 772;
inline constexpr std::uint16_t ARPHRD_NONE_ = 0xFFFE; // tun, WireGuard

// EtherTypes.
inline constexpr std::uint16_t ETH_IPV4 = 0x0800;
inline constexpr std::uint16_t ETH_ARP = 0x0806;
inline constexpr std::uint16_t ETH_IPV6 = 0x86DD;
inline constexpr std::uint16_t ETH_8021Q = 0x8100;
inline constexpr std::uint16_t ETH_8021AD = 0x88A8;

// TCP flags.
inline constexpr std::uint8_t F_FIN = 0x01;
inline constexpr std::uint8_t F_SYN = 0x02;
inline constexpr std::uint8_t F_RST = 0x04;
inline constexpr std::uint8_t F_PSH = 0x08;
inline constexpr std::uint8_t F_ACK = 0x10;

// IPv6 extension header numbers.
inline constexpr std::uint8_t EXT_HOP_BY_HOP = 0;
inline constexpr std::uint8_t EXT_ROUTING = 43;
inline constexpr std::uint8_t EXT_FRAGMENT = 44;
inline constexpr std::uint8_t EXT_AUTH = 51;
inline constexpr std::uint8_t EXT_DEST_OPTS = 60;

struct VlanTag {
    std::uint16_t tpid = ETH_8021Q; // 0x8100 (802.1Q) or 0x88A8 (802.1ad outer tag)
    std::uint16_t vid = 0;
};

// How to wrap an IP packet for a given link type (FrameBuilder::link()).
struct LinkSpec {
    std::uint32_t link_type = linktype::EN10MB;
    std::vector<VlanTag> vlan;            // EN10MB
    std::uint8_t pkttype = PKT_HOST;      // LINUX_SLL, LINUX_SLL2
    std::uint16_t hatype = ARPHRD_ETHER_; // LINUX_SLL, LINUX_SLL2
    std::uint32_t ifindex = 0;            // LINUX_SLL2
    std::optional<std::uint32_t> family;  // NULL/LOOP: default 2 (IPv4) or 30 (IPv6)
    bool null_big_endian = false;         // NULL: byte order of the capturing host
};

// --- link-layer wrappers: put a link header in front of `body` -----------------------------

// Ethernet II (02:00:00:00:00:01 -> 02:00:00:00:00:02) with the tags in order, outermost first.
Wire ethernet_frame(const Wire& body,
                    std::uint16_t ethertype,
                    const std::vector<VlanTag>& tags = {});

// Linux cooked capture v1 (16-byte header).
Wire sll_frame(const Wire& body,
               std::uint16_t protocol,
               std::uint16_t pkttype,
               std::uint16_t hatype = ARPHRD_ETHER_);

// Linux cooked capture v2 (20-byte header).
Wire sll2_frame(const Wire& body,
                std::uint16_t protocol,
                std::uint32_t ifindex,
                std::uint8_t pkttype,
                std::uint16_t hatype = ARPHRD_ETHER_);

// BSD loopback: a 4-byte address family in the given byte order (DLT_LOOP: big endian).
Wire null_frame(const Wire& body, std::uint32_t family, bool big_endian);

// An Ethernet ARP request (who-has 192.0.2.2 tell 192.0.2.1): not IP.
Wire arp_request_frame();

// Appends big-endian integers.
void put_u16(Wire& out, std::uint16_t v);
void put_u32(Wire& out, std::uint32_t v);
void put_bytes(Wire& out, const Wire& bytes);

// 4 or 16 bytes of an address written as text; throws std::invalid_argument otherwise.
Wire address_bytes(std::string_view text);

class FrameBuilder {
public:
    // --- network layer ------------------------------------------------------------------

    FrameBuilder& ipv4(std::string_view src, std::string_view dst);
    FrameBuilder& ipv6(std::string_view src, std::string_view dst);
    // TTL / hop limit (default 64).
    FrameBuilder& ttl(std::uint8_t v);
    // IPv4 options, padded with End-of-Options to a multiple of 4 bytes; IHL grows with them.
    FrameBuilder& ipv4_options(Wire options);
    FrameBuilder& ipv4_id(std::uint16_t id);
    // IPv4 fragment fields: MF, offset in 8-byte units, DF.
    FrameBuilder&
    ipv4_fragment(bool more_fragments, std::uint16_t offset_units, bool dont_fragment = false);
    // Overrides the IHL nibble (header length in 32-bit words) as written; the header bytes
    // written are still 20 + options.
    FrameBuilder& ipv4_ihl(std::uint8_t words);
    // Overrides the IPv4 version nibble (4) or the IPv6 one (6).
    FrameBuilder& ip_version(std::uint8_t v);
    // Overrides the IPv4 total length field.
    FrameBuilder& ipv4_total_length(std::uint16_t v);
    // Overrides the IPv6 payload length field.
    FrameBuilder& ipv6_payload_length(std::uint16_t v);
    // Appends an IPv6 extension header (hop-by-hop, routing, destination options: 8 * (1 +
    // len_field) bytes; authentication: 4 * (2 + len_field) bytes). Next-header fields are
    // chained when the packet is built.
    FrameBuilder& ipv6_ext(std::uint8_t type, std::uint8_t len_field = 0);
    // Appends an IPv6 fragment header (offset in 8-byte units). offset 0 and !more is an
    // atomic fragment (RFC 6946).
    FrameBuilder&
    ipv6_fragment(std::uint16_t offset_units, bool more_fragments, std::uint32_t id = 1);

    // --- transport layer ----------------------------------------------------------------

    FrameBuilder& udp(std::uint16_t src_port, std::uint16_t dst_port);
    // TCP; flags default to PSH|ACK.
    FrameBuilder& tcp(std::uint16_t src_port,
                      std::uint16_t dst_port,
                      std::uint32_t seq,
                      std::uint8_t flags = F_PSH | F_ACK,
                      std::uint32_t ack = 0);
    // TCP options, padded with End-of-Options to a multiple of 4 bytes; the data offset grows.
    FrameBuilder& tcp_options(Wire options);
    // Overrides the TCP data offset nibble (header length in 32-bit words) as written.
    FrameBuilder& tcp_data_offset(std::uint8_t words);
    // Overrides the UDP length field.
    FrameBuilder& udp_length(std::uint16_t v);
    // Any other IP protocol: the payload is the whole transport segment.
    FrameBuilder& protocol(std::uint8_t ip_proto);
    // A transport segment written verbatim (any protocol, UDP and TCP included): for headers
    // cut short or written by hand.
    FrameBuilder& raw_segment(std::uint8_t ip_proto, Wire segment);
    // ICMP (or ICMPv6) echo request with 8 bytes of data.
    FrameBuilder& icmp_echo();

    FrameBuilder& payload(Wire data);

    // --- output -------------------------------------------------------------------------

    // The transport segment (header + payload).
    Wire l4() const;
    // The IP packet.
    Wire ip() const;
    // 0x0800 or 0x86DD.
    std::uint16_t ethertype() const;

    Wire ethernet(const std::vector<VlanTag>& tags = {}) const;
    Wire sll(std::uint16_t pkttype, std::uint16_t hatype = ARPHRD_ETHER_) const;
    Wire
    sll2(std::uint32_t ifindex, std::uint8_t pkttype, std::uint16_t hatype = ARPHRD_ETHER_) const;

    Wire raw() const { return ip(); }

    // DLT_NULL: family 2 or 30 (macOS AF_INET6) in the given byte order unless given.
    Wire null_bsd(bool big_endian = false, std::optional<std::uint32_t> family = {}) const;
    // DLT_LOOP: like NULL, always network byte order.
    Wire loop(std::optional<std::uint32_t> family = {}) const;
    // Any supported link type, as described by `spec`.
    Wire link(const LinkSpec& spec) const;

private:
    struct Ext {
        std::uint8_t type = 0;
        Wire bytes; // whole header; byte 0 (next header) is filled at build time
    };

    Wire pseudo_header(std::size_t l4_len) const;

    int version_ = 4;
    Wire src_;
    Wire dst_;
    std::uint8_t ttl_ = 64;
    Wire ipv4_options_;
    std::uint16_t ipv4_id_ = 0x1234;
    std::uint16_t frag_field_ = 0;
    std::optional<std::uint8_t> ihl_override_;
    std::optional<std::uint8_t> version_override_;
    std::optional<std::uint16_t> total_length_override_;
    std::optional<std::uint16_t> payload_length_override_;
    std::vector<Ext> ext_;

    std::uint8_t proto_ = 17;
    std::uint16_t src_port_ = 0;
    std::uint16_t dst_port_ = 0;
    std::uint32_t seq_ = 0;
    std::uint32_t ack_ = 0;
    std::uint8_t flags_ = F_PSH | F_ACK;
    Wire tcp_options_;
    std::optional<std::uint8_t> data_offset_override_;
    std::optional<std::uint16_t> udp_length_override_;
    Wire payload_;
    bool raw_segment_ = false;
};

} // namespace wtfn::test
