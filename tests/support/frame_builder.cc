#include "support/frame_builder.h"

#include <algorithm>
#include <stdexcept>

#include <arpa/inet.h>

namespace wtfn::test {
namespace {

// RFC 1071 one's-complement sum over `data`, continuing from `sum`.
std::uint32_t sum16(const Wire& data, std::uint32_t sum = 0)
{
    for (std::size_t i = 0; i + 1 < data.size(); i += 2) {
        sum += (std::uint32_t{data[i]} << 8) | data[i + 1];
    }
    if (data.size() % 2 != 0) {
        sum += std::uint32_t{data.back()} << 8;
    }
    return sum;
}

std::uint16_t fold(std::uint32_t sum)
{
    while ((sum >> 16) != 0) {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    return static_cast<std::uint16_t>(~sum & 0xFFFF);
}

void pad_to_4(Wire& w, std::uint8_t filler)
{
    while (w.size() % 4 != 0) {
        w.push_back(filler);
    }
}

} // namespace

void put_u16(Wire& out, std::uint16_t v)
{
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

void put_u32(Wire& out, std::uint32_t v)
{
    put_u16(out, static_cast<std::uint16_t>(v >> 16));
    put_u16(out, static_cast<std::uint16_t>(v & 0xFFFF));
}

void put_bytes(Wire& out, const Wire& bytes)
{
    out.insert(out.end(), bytes.begin(), bytes.end());
}

Wire address_bytes(std::string_view text)
{
    const std::string s(text);
    Wire v4(4);
    if (inet_pton(AF_INET, s.c_str(), v4.data()) == 1) {
        return v4;
    }
    Wire v6(16);
    if (inet_pton(AF_INET6, s.c_str(), v6.data()) == 1) {
        return v6;
    }
    throw std::invalid_argument("not an IP address: " + s);
}

Wire ethernet_frame(const Wire& body, std::uint16_t ethertype, const std::vector<VlanTag>& tags)
{
    Wire out = {0x02,
                0x00,
                0x00,
                0x00,
                0x00,
                0x02, // destination MAC
                0x02,
                0x00,
                0x00,
                0x00,
                0x00,
                0x01}; // source MAC
    for (const VlanTag& t : tags) {
        put_u16(out, t.tpid);
        put_u16(out, static_cast<std::uint16_t>(t.vid & 0x0FFF)); // PCP 0, DEI 0, VLAN id
    }
    put_u16(out, ethertype);
    put_bytes(out, body);
    return out;
}

Wire sll_frame(const Wire& body,
               std::uint16_t protocol,
               std::uint16_t pkttype,
               std::uint16_t hatype)
{
    Wire out;
    put_u16(out, pkttype);
    put_u16(out, hatype);
    put_u16(out, 6);                                            // address length
    put_bytes(out, {0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0, 0}); // address, padded to 8
    put_u16(out, protocol);
    put_bytes(out, body);
    return out;
}

Wire sll2_frame(const Wire& body,
                std::uint16_t protocol,
                std::uint32_t ifindex,
                std::uint8_t pkttype,
                std::uint16_t hatype)
{
    Wire out;
    put_u16(out, protocol);
    put_u16(out, 0); // reserved
    put_u32(out, ifindex);
    put_u16(out, hatype);
    out.push_back(pkttype);
    out.push_back(6);                                           // address length
    put_bytes(out, {0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0, 0}); // address, padded to 8
    put_bytes(out, body);
    return out;
}

Wire null_frame(const Wire& body, std::uint32_t family, bool big_endian)
{
    Wire out;
    if (big_endian) {
        put_u32(out, family);
    } else {
        for (int i = 0; i < 4; ++i) {
            out.push_back(static_cast<std::uint8_t>((family >> (8 * i)) & 0xFF));
        }
    }
    put_bytes(out, body);
    return out;
}

Wire arp_request_frame()
{
    Wire arp;
    put_u16(arp, 1);      // hardware type: Ethernet
    put_u16(arp, 0x0800); // protocol type: IPv4
    arp.push_back(6);     // hardware address length
    arp.push_back(4);     // protocol address length
    put_u16(arp, 1);      // opcode: request
    put_bytes(arp, {0x02, 0, 0, 0, 0, 0x01});
    put_bytes(arp, address_bytes("192.0.2.1"));
    put_bytes(arp, {0, 0, 0, 0, 0, 0});
    put_bytes(arp, address_bytes("192.0.2.2"));
    Wire frame = ethernet_frame(arp, ETH_ARP);
    frame[0] = frame[1] = frame[2] = frame[3] = frame[4] = frame[5] = 0xFF; // broadcast
    return frame;
}

FrameBuilder& FrameBuilder::ipv4(std::string_view src, std::string_view dst)
{
    version_ = 4;
    src_ = address_bytes(src);
    dst_ = address_bytes(dst);
    if (src_.size() != 4 || dst_.size() != 4) {
        throw std::invalid_argument("ipv4() needs IPv4 addresses");
    }
    return *this;
}

FrameBuilder& FrameBuilder::ipv6(std::string_view src, std::string_view dst)
{
    version_ = 6;
    src_ = address_bytes(src);
    dst_ = address_bytes(dst);
    if (src_.size() != 16 || dst_.size() != 16) {
        throw std::invalid_argument("ipv6() needs IPv6 addresses");
    }
    return *this;
}

FrameBuilder& FrameBuilder::ttl(std::uint8_t v)
{
    ttl_ = v;
    return *this;
}

FrameBuilder& FrameBuilder::ipv4_options(Wire options)
{
    ipv4_options_ = std::move(options);
    pad_to_4(ipv4_options_, 0); // End of Options List
    return *this;
}

FrameBuilder& FrameBuilder::ipv4_id(std::uint16_t id)
{
    ipv4_id_ = id;
    return *this;
}

FrameBuilder&
FrameBuilder::ipv4_fragment(bool more_fragments, std::uint16_t offset_units, bool dont_fragment)
{
    frag_field_ = static_cast<std::uint16_t>(
        (offset_units & 0x1FFF) | (more_fragments ? 0x2000 : 0) | (dont_fragment ? 0x4000 : 0));
    return *this;
}

FrameBuilder& FrameBuilder::ipv4_ihl(std::uint8_t words)
{
    ihl_override_ = words;
    return *this;
}

FrameBuilder& FrameBuilder::ip_version(std::uint8_t v)
{
    version_override_ = v;
    return *this;
}

FrameBuilder& FrameBuilder::ipv4_total_length(std::uint16_t v)
{
    total_length_override_ = v;
    return *this;
}

FrameBuilder& FrameBuilder::ipv6_payload_length(std::uint16_t v)
{
    payload_length_override_ = v;
    return *this;
}

FrameBuilder& FrameBuilder::ipv6_ext(std::uint8_t type, std::uint8_t len_field)
{
    Ext e;
    e.type = type;
    const std::size_t size =
        type == EXT_AUTH ? (std::size_t{len_field} + 2) * 4 : (std::size_t{len_field} + 1) * 8;
    e.bytes.assign(size, 0);
    e.bytes[1] = len_field;
    if (type == EXT_HOP_BY_HOP || type == EXT_DEST_OPTS) {
        // Options area: PadN options covering the rest.
        for (std::size_t at = 2; at < size;) {
            if (size - at == 1) {
                e.bytes[at++] = 0; // Pad1
                continue;
            }
            const std::size_t chunk = std::min<std::size_t>(size - at - 2, 255);
            e.bytes[at] = 1;
            e.bytes[at + 1] = static_cast<std::uint8_t>(chunk);
            at += 2 + chunk;
        }
    }
    // Routing headers keep routing type 0 with segments left 0 (ignored by receivers); an
    // authentication header keeps SPI 0 and sequence 0.
    ext_.push_back(std::move(e));
    return *this;
}

FrameBuilder&
FrameBuilder::ipv6_fragment(std::uint16_t offset_units, bool more_fragments, std::uint32_t id)
{
    Ext e;
    e.type = EXT_FRAGMENT;
    e.bytes.assign(2, 0); // next header, reserved
    put_u16(e.bytes, static_cast<std::uint16_t>((offset_units << 3) | (more_fragments ? 1 : 0)));
    put_u32(e.bytes, id);
    ext_.push_back(std::move(e));
    return *this;
}

FrameBuilder& FrameBuilder::udp(std::uint16_t src_port, std::uint16_t dst_port)
{
    proto_ = 17;
    src_port_ = src_port;
    dst_port_ = dst_port;
    return *this;
}

FrameBuilder& FrameBuilder::tcp(std::uint16_t src_port,
                                std::uint16_t dst_port,
                                std::uint32_t seq,
                                std::uint8_t flags,
                                std::uint32_t ack)
{
    proto_ = 6;
    src_port_ = src_port;
    dst_port_ = dst_port;
    seq_ = seq;
    flags_ = flags;
    ack_ = ack;
    return *this;
}

FrameBuilder& FrameBuilder::tcp_options(Wire options)
{
    tcp_options_ = std::move(options);
    pad_to_4(tcp_options_, 0); // End of Option List
    return *this;
}

FrameBuilder& FrameBuilder::tcp_data_offset(std::uint8_t words)
{
    data_offset_override_ = words;
    return *this;
}

FrameBuilder& FrameBuilder::udp_length(std::uint16_t v)
{
    udp_length_override_ = v;
    return *this;
}

FrameBuilder& FrameBuilder::protocol(std::uint8_t ip_proto)
{
    proto_ = ip_proto;
    return *this;
}

FrameBuilder& FrameBuilder::raw_segment(std::uint8_t ip_proto, Wire segment)
{
    proto_ = ip_proto;
    payload_ = std::move(segment);
    raw_segment_ = true;
    return *this;
}

FrameBuilder& FrameBuilder::icmp_echo()
{
    proto_ = version_ == 6 ? 58 : 1;
    Wire icmp = {static_cast<std::uint8_t>(version_ == 6 ? 128 : 8), 0, 0, 0, 0, 1, 0, 1};
    put_bytes(icmp, {'w', 't', 'f', 'n', 'p', 'i', 'n', 'g'});
    if (version_ == 4) {
        const std::uint16_t c = fold(sum16(icmp));
        icmp[2] = static_cast<std::uint8_t>(c >> 8);
        icmp[3] = static_cast<std::uint8_t>(c & 0xFF);
    }
    payload_ = std::move(icmp);
    return *this;
}

FrameBuilder& FrameBuilder::payload(Wire data)
{
    payload_ = std::move(data);
    return *this;
}

Wire FrameBuilder::pseudo_header(std::size_t l4_len) const
{
    Wire p;
    put_bytes(p, src_);
    put_bytes(p, dst_);
    if (version_ == 4) {
        p.push_back(0);
        p.push_back(proto_);
        put_u16(p, static_cast<std::uint16_t>(l4_len));
    } else {
        put_u32(p, static_cast<std::uint32_t>(l4_len));
        put_bytes(p, {0, 0, 0, proto_});
    }
    return p;
}

Wire FrameBuilder::l4() const
{
    Wire out;
    if (raw_segment_) {
        return payload_;
    }
    if (proto_ == 17) {
        put_u16(out, src_port_);
        put_u16(out, dst_port_);
        put_u16(out,
                udp_length_override_.value_or(static_cast<std::uint16_t>(8 + payload_.size())));
        put_u16(out, 0); // checksum, filled below
        put_bytes(out, payload_);
    } else if (proto_ == 6) {
        const std::size_t header = 20 + tcp_options_.size();
        put_u16(out, src_port_);
        put_u16(out, dst_port_);
        put_u32(out, seq_);
        put_u32(out, ack_);
        const std::uint8_t words =
            data_offset_override_.value_or(static_cast<std::uint8_t>(header / 4));
        out.push_back(static_cast<std::uint8_t>(words << 4));
        out.push_back(flags_);
        put_u16(out, 64240); // window
        put_u16(out, 0);     // checksum, filled below
        put_u16(out, 0);     // urgent pointer
        put_bytes(out, tcp_options_);
        put_bytes(out, payload_);
    } else {
        return payload_;
    }
    if (!udp_length_override_ && !data_offset_override_ && !src_.empty()) {
        std::uint16_t c = fold(sum16(out, sum16(pseudo_header(out.size()))));
        if (proto_ == 17 && c == 0) {
            c = 0xFFFF;
        }
        const std::size_t at = proto_ == 17 ? 6 : 16;
        out[at] = static_cast<std::uint8_t>(c >> 8);
        out[at + 1] = static_cast<std::uint8_t>(c & 0xFF);
    }
    return out;
}

Wire FrameBuilder::ip() const
{
    const Wire segment = l4();
    Wire out;
    if (version_ == 4) {
        const std::size_t header = 20 + ipv4_options_.size();
        const std::uint8_t ihl = ihl_override_.value_or(static_cast<std::uint8_t>(header / 4));
        out.push_back(
            static_cast<std::uint8_t>((version_override_.value_or(4) << 4) | (ihl & 0x0F)));
        out.push_back(0); // DSCP / ECN
        put_u16(
            out,
            total_length_override_.value_or(static_cast<std::uint16_t>(header + segment.size())));
        put_u16(out, ipv4_id_);
        put_u16(out, frag_field_);
        out.push_back(ttl_);
        out.push_back(proto_);
        put_u16(out, 0); // header checksum, filled below
        put_bytes(out, src_);
        put_bytes(out, dst_);
        put_bytes(out, ipv4_options_);
        const std::uint16_t c = fold(sum16(out));
        out[10] = static_cast<std::uint8_t>(c >> 8);
        out[11] = static_cast<std::uint8_t>(c & 0xFF);
        put_bytes(out, segment);
        return out;
    }
    Wire chain;
    for (std::size_t i = 0; i < ext_.size(); ++i) {
        Wire h = ext_[i].bytes;
        h[0] = i + 1 < ext_.size() ? ext_[i + 1].type : proto_;
        put_bytes(chain, h);
    }
    put_u32(out, std::uint32_t{version_override_.value_or(6)} << 28);
    put_u16(out,
            payload_length_override_.value_or(
                static_cast<std::uint16_t>(chain.size() + segment.size())));
    out.push_back(ext_.empty() ? proto_ : ext_.front().type);
    out.push_back(ttl_);
    put_bytes(out, src_);
    put_bytes(out, dst_);
    put_bytes(out, chain);
    put_bytes(out, segment);
    return out;
}

std::uint16_t FrameBuilder::ethertype() const
{
    return version_ == 6 ? ETH_IPV6 : ETH_IPV4;
}

Wire FrameBuilder::ethernet(const std::vector<VlanTag>& tags) const
{
    return ethernet_frame(ip(), ethertype(), tags);
}

Wire FrameBuilder::sll(std::uint16_t pkttype, std::uint16_t hatype) const
{
    return sll_frame(ip(), ethertype(), pkttype, hatype);
}

Wire FrameBuilder::sll2(std::uint32_t ifindex, std::uint8_t pkttype, std::uint16_t hatype) const
{
    return sll2_frame(ip(), ethertype(), ifindex, pkttype, hatype);
}

Wire FrameBuilder::null_bsd(bool big_endian, std::optional<std::uint32_t> family) const
{
    return null_frame(ip(), family.value_or(version_ == 6 ? 30 : 2), big_endian);
}

Wire FrameBuilder::loop(std::optional<std::uint32_t> family) const
{
    return null_frame(ip(), family.value_or(version_ == 6 ? 30 : 2), true);
}

Wire FrameBuilder::link(const LinkSpec& spec) const
{
    switch (spec.link_type) {
        case linktype::EN10MB:
            return ethernet(spec.vlan);
        case linktype::LINUX_SLL:
            return sll(spec.pkttype, spec.hatype);
        case linktype::LINUX_SLL2:
            return sll2(spec.ifindex, spec.pkttype, spec.hatype);
        case linktype::RAW:
        case linktype::IPV4:
        case linktype::IPV6:
            return ip();
        case linktype::NULL_BSD:
            return null_bsd(spec.null_big_endian, spec.family);
        case linktype::LOOP:
            return loop(spec.family);
        default:
            throw std::invalid_argument(
                "FrameBuilder::link: link type not supported by the builder");
    }
}

} // namespace wtfn::test
