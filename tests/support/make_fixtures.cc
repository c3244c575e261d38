// make_fixtures OUTDIR: writes the capture fixtures of tests/pcap/ and their manifest.
//
// This program is the recipe of every fixture (STYLE.md C10): nothing binary is committed;
// CTest runs it into the build tree before the whole-binary tests. One capture per link type
// the decoder reads, all carrying the same conversation, so a difference between fixtures is
// a difference in link-layer handling:
//
//   en10mb.pcap        Ethernet, µs, little endian; some frames 802.1Q, some QinQ, one ARP
//   linux_sll.pcap     Linux cooked v1, ns, big endian; direction from the packet type
//   linux_sll2.pcap    Linux cooked v2, µs; interface index, direction, and one loopback
//                      query seen twice (outgoing then incoming, hatype 772)
//   raw.pcap           LINKTYPE_RAW (tun, WireGuard), ns
//   null.pcap          DLT_NULL, little-endian address family (2, and 30 for IPv6)
//   loop.pcap          DLT_LOOP, network-order address family (2, and 24 for IPv6)
//   multi.pcapng       two interfaces: "eth0" (EN10MB, ns) and "wg0" (RAW, µs), epb_flags
//                      direction, one Simple Packet Block
//   garbage_then_query.pcapng  RELIABILITY M5: 100,000 malformed frames on eth0, then one
//                      valid query on wg0 (outbound)
//
// The conversation (documentation addresses and *.example names, STYLE.md C9):
//   UDP/53 over IPv4 and IPv6 (query + response), a query in an IPv4 packet with options,
//   TCP/53 with a handshake, two queries in one segment, one response split across three
//   segments and one whole, FIN both ways; DoT on TCP 853 with a ClientHello; a QUIC Initial
//   on UDP 853; mDNS over IPv4 and IPv6 (hop-by-hop header); TLS on 443; and unrelated
//   traffic (NTP, HTTP SYN, ICMP echo, ARP where the link can carry it).
//
// manifest.json lists, for each fixture, what wtfn must report: every event with its flow
// facts, the counters, the byte offset of every record and the byte ranges of packet data
// (for the mutation test). tests/pcap/*.py read it.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/frame_builder.h"
#include "support/payloads.h"
#include "support/pcap_writer.h"

namespace {

using wtfn::test::Wire;
namespace t = wtfn::test;
using json = nlohmann::json;

constexpr std::int64_t BASE_NS = 1'700'000'000'000'000'000;

// The names wtfn's report gives link types (src/net/decode.cc), written out independently.
std::string link_name(std::uint32_t lt)
{
    switch (lt) {
        case t::linktype::NULL_BSD:
            return "NULL";
        case t::linktype::EN10MB:
            return "EN10MB";
        case t::linktype::RAW:
            return "RAW";
        case t::linktype::LOOP:
            return "LOOP";
        case t::linktype::LINUX_SLL:
            return "LINUX_SLL";
        case t::linktype::LINUX_SLL2:
            return "LINUX_SLL2";
        default:
            return "LINKTYPE_" + std::to_string(lt);
    }
}

enum class Dir { out, in };
enum class Iface { eth, wg, lo };
enum class Vlan { none, one, qinq };

struct Packet {
    t::FrameBuilder frame; // the IP packet
    bool arp = false;      // an ARP request instead (Ethernet, SLL, pcapng eth0 only)
    Dir dir = Dir::out;
    Iface iface = Iface::eth;
    Vlan vlan = Vlan::none;
    std::int64_t ts_ns = 0;
};

// An event wtfn must report, tied to the packet that produces it.
struct Expected {
    std::size_t packet = 0;
    json fields; // transport, confidence, proto, src/dst, dns facts
};

struct Conversation {
    std::vector<Packet> packets;
    std::vector<Expected> events;
    int dns_messages = 0;
    int encrypted_flows = 0;
    int not_ip = 0;
    int other_l4 = 0;
    int loopback_duplicates = 0;
    int udp53_packets = 0; // what `tcpdump 'udp port 53'` counts

    std::size_t add(t::FrameBuilder f, Dir dir, Iface iface, Vlan vlan = Vlan::none)
    {
        Packet p;
        p.frame = std::move(f);
        p.dir = dir;
        p.iface = iface;
        p.vlan = vlan;
        p.ts_ns = BASE_NS + static_cast<std::int64_t>(packets.size()) * 1'000'000 + 123'000;
        packets.push_back(std::move(p));
        return packets.size() - 1;
    }

    void expect(std::size_t packet, json fields) { events.push_back({packet, std::move(fields)}); }
};

json dns_event(const std::string& transport,
               const std::string& proto,
               const std::string& src,
               int sport,
               const std::string& dst,
               int dport,
               const std::string& qname,
               const std::string& qtype,
               bool response,
               std::vector<std::string> answers = {})
{
    return json{{"transport", transport},
                {"confidence", "high"},
                {"proto", proto},
                {"src_ip", src},
                {"src_port", sport},
                {"dst_ip", dst},
                {"dst_port", dport},
                {"qname", qname},
                {"qtype", qtype},
                {"qr", response ? "response" : "query"},
                {"answers", answers}};
}

json flow_event(const std::string& transport,
                const std::string& confidence,
                const std::string& proto,
                const std::string& src,
                int sport,
                const std::string& dst,
                int dport)
{
    return json{{"transport", transport},
                {"confidence", confidence},
                {"proto", proto},
                {"src_ip", src},
                {"src_port", sport},
                {"dst_ip", dst},
                {"dst_port", dport},
                {"qname", nullptr}};
}

// The conversation of every fixture; `tag` makes each fixture's names its own.
Conversation conversation(const std::string& tag, bool with_arp, bool with_loopback)
{
    Conversation c;
    const std::string C4 = "192.0.2.10";
    const std::string R4 = "198.51.100.53";
    const std::string C6 = "2001:db8::10";
    const std::string R6 = "2001:db8:53::53";
    const std::string DOT = "198.51.100.85";
    using t::FrameBuilder;

    // UDP/53 over IPv4: query and response.
    const std::string n1 = "udp4." + tag + ".example";
    std::size_t i =
        c.add(FrameBuilder{}.ipv4(C4, R4).udp(40001, 53).payload(t::dns_query(0x1001, n1, 1)),
              Dir::out,
              Iface::eth);
    c.expect(i, dns_event("udp53", "udp", C4, 40001, R4, 53, n1, "A", false));
    i = c.add(FrameBuilder{}.ipv4(R4, C4).udp(53, 40001).payload(
                  t::dns_response(0x1001, n1, 1, {"192.0.2.80"})),
              Dir::in,
              Iface::eth);
    c.expect(i, dns_event("udp53", "udp", R4, 53, C4, 40001, n1, "A", true, {"192.0.2.80"}));

    // UDP/53 over IPv6 (QinQ on Ethernet).
    const std::string n2 = "udp6." + tag + ".example";
    i = c.add(FrameBuilder{}.ipv6(C6, R6).udp(40002, 53).payload(t::dns_query(0x1002, n2, 28)),
              Dir::out,
              Iface::eth,
              Vlan::qinq);
    c.expect(i, dns_event("udp53", "udp", C6, 40002, R6, 53, n2, "AAAA", false));
    i = c.add(FrameBuilder{}.ipv6(R6, C6).udp(53, 40002).payload(
                  t::dns_response(0x1002, n2, 28, {"2001:db8::80"})),
              Dir::in,
              Iface::eth,
              Vlan::qinq);
    c.expect(i, dns_event("udp53", "udp", R6, 53, C6, 40002, n2, "AAAA", true, {"2001:db8::80"}));

    // A query in an IPv4 packet with options (Router Alert), on the tunnel.
    const std::string n3 = "opts." + tag + ".example";
    i = c.add(FrameBuilder{}
                  .ipv4(C4, R4)
                  .ipv4_options({0x94, 0x04, 0x00, 0x00})
                  .udp(40003, 53)
                  .payload(t::dns_query(0x1003, n3, 1)),
              Dir::out,
              Iface::wg);
    c.expect(i, dns_event("udp53", "udp", C4, 40003, R4, 53, n3, "A", false));
    c.udp53_packets += 5;

    // TCP/53 (802.1Q on Ethernet): handshake, two queries in one segment, one response in
    // three segments, one whole, FIN both ways.
    const std::string na = "tcp-a." + tag + ".example";
    const std::string nb = "tcp-b." + tag + ".example";
    const Wire qa = t::tcp_framed(t::dns_query(0x2001, na, 1));
    const Wire qb = t::tcp_framed(t::dns_query(0x2002, nb, 1));
    const Wire ra = t::tcp_framed(t::dns_response(0x2001, na, 1, {"192.0.2.81"}));
    const Wire rb = t::tcp_framed(t::dns_response(0x2002, nb, 1, {"192.0.2.82"}));
    const std::uint32_t cs = 1000;
    const std::uint32_t ss = 5000;
    const auto tcp_out = [&](std::uint32_t seq, std::uint8_t flags, std::uint32_t ack, Wire data) {
        return c.add(
            FrameBuilder{}.ipv4(C4, R4).tcp(40010, 53, seq, flags, ack).payload(std::move(data)),
            Dir::out,
            Iface::wg,
            Vlan::one);
    };
    const auto tcp_in = [&](std::uint32_t seq, std::uint8_t flags, std::uint32_t ack, Wire data) {
        return c.add(
            FrameBuilder{}.ipv4(R4, C4).tcp(53, 40010, seq, flags, ack).payload(std::move(data)),
            Dir::in,
            Iface::wg,
            Vlan::one);
    };
    tcp_out(cs, t::F_SYN, 0, {});
    tcp_in(ss, t::F_SYN | t::F_ACK, cs + 1, {});
    tcp_out(cs + 1, t::F_ACK, ss + 1, {});
    const Wire two = t::concat({qa, qb});
    i = tcp_out(cs + 1, t::F_PSH | t::F_ACK, ss + 1, two);
    c.expect(i, dns_event("tcp53", "tcp", C4, 40010, R4, 53, na, "A", false));
    c.expect(i, dns_event("tcp53", "tcp", C4, 40010, R4, 53, nb, "A", false));
    const auto csd = static_cast<std::uint32_t>(cs + 1 + two.size());
    std::uint32_t sq = ss + 1;
    tcp_in(sq, t::F_ACK, csd, t::slice(ra, 0, 1)); // only half of the length prefix
    tcp_in(sq + 1, t::F_ACK, csd, t::slice(ra, 1, 20));
    i = tcp_in(sq + 20, t::F_PSH | t::F_ACK, csd, t::slice(ra, 20, ra.size()));
    c.expect(i, dns_event("tcp53", "tcp", R4, 53, C4, 40010, na, "A", true, {"192.0.2.81"}));
    sq += static_cast<std::uint32_t>(ra.size());
    i = tcp_in(sq, t::F_PSH | t::F_ACK, csd, rb);
    c.expect(i, dns_event("tcp53", "tcp", R4, 53, C4, 40010, nb, "A", true, {"192.0.2.82"}));
    sq += static_cast<std::uint32_t>(rb.size());
    tcp_out(csd, t::F_FIN | t::F_ACK, sq, {});
    tcp_in(sq, t::F_FIN | t::F_ACK, csd + 1, {});
    tcp_out(csd + 1, t::F_ACK, sq + 1, {});

    // DoT: handshake and ClientHello on TCP 853.
    c.add(FrameBuilder{}.ipv4(C4, DOT).tcp(40020, 853, 7000, t::F_SYN), Dir::out, Iface::wg);
    c.add(FrameBuilder{}.ipv4(DOT, C4).tcp(853, 40020, 9000, t::F_SYN | t::F_ACK, 7001),
          Dir::in,
          Iface::wg);
    c.add(FrameBuilder{}.ipv4(C4, DOT).tcp(40020, 853, 7001, t::F_ACK, 9001), Dir::out, Iface::wg);
    i = c.add(FrameBuilder{}
                  .ipv4(C4, DOT)
                  .tcp(40020, 853, 7001, t::F_PSH | t::F_ACK, 9001)
                  .payload(t::tls_client_hello("dot." + tag + ".example")),
              Dir::out,
              Iface::wg);
    json dot = flow_event("dot", "high", "tcp", C4, 40020, DOT, 853);
    dot["tls_client_hello"] = true;
    c.expect(i, dot);

    // DoQ: a QUIC Initial on UDP 853.
    i = c.add(FrameBuilder{}.ipv4(C4, DOT).udp(40030, 853).payload(t::quic_initial()),
              Dir::out,
              Iface::eth);
    json doq = flow_event("doq", "medium", "udp", C4, 40030, DOT, 853);
    doq["quic_version"] = 1;
    c.expect(i, doq);
    c.encrypted_flows += 2;

    // mDNS over IPv4 and IPv6 (the IPv6 one behind a hop-by-hop header).
    const std::string nm = "mdns." + tag + ".example";
    i = c.add(FrameBuilder{}
                  .ipv4(C4, "224.0.0.251")
                  .ttl(255)
                  .udp(5353, 5353)
                  .payload(t::dns_query(0, nm, 1)),
              Dir::out,
              Iface::eth);
    c.expect(i, dns_event("mdns", "udp", C4, 5353, "224.0.0.251", 5353, nm, "A", false));
    i = c.add(FrameBuilder{}
                  .ipv6("fe80::10", "ff02::fb")
                  .ttl(255)
                  .ipv6_ext(t::EXT_HOP_BY_HOP)
                  .udp(5353, 5353)
                  .payload(t::dns_query(0, nm, 28)),
              Dir::out,
              Iface::eth);
    c.expect(i, dns_event("mdns", "udp", "fe80::10", 5353, "ff02::fb", 5353, nm, "AAAA", false));

    // TLS on 443: an encrypted flow, not an event of the JSON report (DoH is judged later).
    c.add(FrameBuilder{}.ipv4(C4, "198.51.100.44").tcp(40040, 443, 100, t::F_SYN),
          Dir::out,
          Iface::eth);
    c.add(FrameBuilder{}
              .ipv4(C4, "198.51.100.44")
              .tcp(40040, 443, 101, t::F_PSH | t::F_ACK, 1)
              .payload(t::tls_client_hello("www." + tag + ".example")),
          Dir::out,
          Iface::eth);
    c.encrypted_flows += 1;

    if (with_loopback) {
        // A query to the local stub on lo, seen leaving and arriving (Linux "any" device).
        const std::string nl = "loop." + tag + ".example";
        const auto lo = FrameBuilder{}
                            .ipv4("127.0.0.1", "127.0.0.53")
                            .udp(40050, 53)
                            .payload(t::dns_query(0x3001, nl, 1));
        i = c.add(lo, Dir::out, Iface::lo);
        c.expect(i,
                 dns_event("udp53", "udp", "127.0.0.1", 40050, "127.0.0.53", 53, nl, "A", false));
        Packet copy = c.packets.back();
        copy.dir = Dir::in;
        copy.ts_ns += 20'000; // 20 µs later
        c.packets.push_back(std::move(copy));
        c.loopback_duplicates += 1;
        c.udp53_packets += 2;
    }

    // Unrelated traffic: NTP, an HTTP SYN, an ICMP echo, ARP.
    c.add(FrameBuilder{}.ipv4(C4, "198.51.100.123").udp(40060, 123).payload(Wire(48, 0x23)),
          Dir::out,
          Iface::eth);
    c.add(
        FrameBuilder{}.ipv4(C4, "198.51.100.80").tcp(40070, 80, 1, t::F_SYN), Dir::out, Iface::eth);
    c.add(FrameBuilder{}.ipv4(C4, "198.51.100.1").icmp_echo(), Dir::out, Iface::eth);
    c.other_l4 += 1;
    if (with_arp) {
        Packet p;
        p.arp = true;
        p.dir = Dir::out;
        p.ts_ns = BASE_NS + static_cast<std::int64_t>(c.packets.size()) * 1'000'000 + 123'000;
        c.packets.push_back(std::move(p));
        c.not_ip += 1;
    }
    // Last: one more NTP packet, so a file cut inside its record loses no event.
    c.add(FrameBuilder{}.ipv4("198.51.100.123", C4).udp(123, 40060).payload(Wire(48, 0x24)),
          Dir::in,
          Iface::eth);

    for (const Expected& e : c.events) {
        if (!e.fields["qname"].is_null()) {
            ++c.dns_messages;
        }
    }
    return c;
}

struct LinkStyle {
    std::uint32_t link_type = t::linktype::EN10MB;
    bool directions = false; // the link header (or pcapng flags) carries direction
    bool ifindex = false;    // SLL2
    bool names = false;      // pcapng interface names
    std::uint32_t v6_family = 30;
};

std::uint32_t ifindex_of(Iface i)
{
    switch (i) {
        case Iface::eth:
            return 2;
        case Iface::wg:
            return 5;
        case Iface::lo:
            return 1;
    }
    return 0;
}

Wire frame_for(const Packet& p, const LinkStyle& s)
{
    if (p.arp) {
        const Wire eth = t::arp_request_frame();
        if (s.link_type == t::linktype::LINUX_SLL) {
            return t::sll_frame(Wire(eth.begin() + 14, eth.end()), t::ETH_ARP, t::PKT_OUTGOING);
        }
        return eth;
    }
    t::LinkSpec spec;
    spec.link_type = s.link_type;
    if (p.vlan == Vlan::one) {
        spec.vlan = {{t::ETH_8021Q, 10}};
    } else if (p.vlan == Vlan::qinq) {
        spec.vlan = {{t::ETH_8021AD, 100}, {t::ETH_8021Q, 10}};
    }
    spec.pkttype = p.dir == Dir::out ? t::PKT_OUTGOING : t::PKT_HOST;
    spec.ifindex = ifindex_of(p.iface);
    spec.hatype = p.iface == Iface::lo   ? t::ARPHRD_LOOPBACK_
                  : p.iface == Iface::wg ? t::ARPHRD_NONE_
                                         : t::ARPHRD_ETHER_;
    if (p.frame.ethertype() == t::ETH_IPV6) {
        spec.family = s.v6_family;
    }
    return p.frame.link(spec);
}

// The route class wtfn must give a packet of `p` in a capture of style `s`, by the rules
// of docs/route-class.md written out independently: a cooked header's ARPHRD type, else a
// raw-IP link type, else the interface name; an Ethernet header alone says nothing.
std::string expected_route_class(const Packet& p, const LinkStyle& s)
{
    const bool cooked =
        s.link_type == t::linktype::LINUX_SLL || s.link_type == t::linktype::LINUX_SLL2;
    if (cooked) {
        return p.iface == Iface::lo ? "loopback" : p.iface == Iface::wg ? "tunnel" : "unknown";
    }
    if (s.link_type == t::linktype::RAW) {
        return "tunnel";
    }
    if (s.names) {
        return p.iface == Iface::wg ? "tunnel" : "physical"; // names wg0 / eth0
    }
    return "unknown";
}

json expected_events(const Conversation& c, const LinkStyle& s)
{
    json out = json::array();
    for (const Expected& e : c.events) {
        const Packet& p = c.packets[e.packet];
        json f = e.fields;
        f["ts_ns"] = p.ts_ns;
        f["direction"] = s.directions ? (p.dir == Dir::out ? "out" : "in") : "unknown";
        f["ifindex"] = s.ifindex ? json(ifindex_of(p.iface)) : json(nullptr);
        f["interface"] = s.names ? json(p.iface == Iface::wg ? "wg0" : "eth0") : json(nullptr);
        f["route_class"] = expected_route_class(p, s);
        out.push_back(f);
    }
    return out;
}

json counters_of(const Conversation& c, std::size_t packets)
{
    return json{{"packets_read", packets},
                {"dns_messages", c.dns_messages},
                {"encrypted_flows", c.encrypted_flows},
                {"loopback_duplicates", c.loopback_duplicates},
                {"packets_not_ip", c.not_ip},
                {"packets_other_l4", c.other_l4},
                {"malformed_total", 0}};
}

json ranges_classic(const t::PcapWriter& w)
{
    json r = json::array();
    const auto& off = w.record_offsets();
    for (std::size_t k = 0; k < off.size(); ++k) {
        const std::size_t end = k + 1 < off.size() ? off[k + 1] : w.bytes().size();
        r.push_back({off[k] + 16, end});
    }
    return r;
}

json classic_fixture(const std::string& dir,
                     const std::string& file,
                     const std::string& tag,
                     const t::PcapOptions& opt,
                     LinkStyle style,
                     const std::string& tcpdump_filter,
                     bool with_arp,
                     bool with_loopback)
{
    style.link_type = opt.link_type;
    const Conversation c = conversation(tag, with_arp, with_loopback);
    t::PcapWriter w(opt);
    for (const Packet& p : c.packets) {
        w.packet(p.ts_ns, frame_for(p, style));
    }
    w.write(dir + "/" + file);
    return json{{"file", file},
                {"format", "pcap"},
                {"link_types", {link_name(opt.link_type)}},
                {"events", expected_events(c, style)},
                {"counters", counters_of(c, c.packets.size())},
                {"tcpdump_filter", tcpdump_filter},
                {"udp53_packets", c.udp53_packets},
                {"https_flows", 1},
                {"record_offsets", w.record_offsets()},
                {"packet_offsets", w.record_offsets()},
                {"data_ranges", ranges_classic(w)},
                {"mutate", true}};
}

json multi_pcapng(const std::string& dir)
{
    const Conversation c = conversation("pcapng", true, false);
    t::PcapngWriter w;
    const std::uint32_t eth0 = w.interface({t::linktype::EN10MB, "eth0", std::uint8_t{9}, 0});
    const std::uint32_t wg0 = w.interface({t::linktype::RAW, "wg0", std::nullopt, 0});
    LinkStyle eth{t::linktype::EN10MB, true, false, true, 30};
    LinkStyle raw{t::linktype::RAW, true, false, true, 30};
    // An unknown block type (a custom block, 0x00000BAD): readers skip it.
    w.block(0x00000BAD, Wire{'w', 't', 'f', 'n', 0, 0, 0, 1});
    std::size_t spb_packets = 0;
    for (const Packet& p : c.packets) {
        const bool tunnel = p.iface == Iface::wg;
        const Wire frame = frame_for(p, tunnel ? raw : eth);
        if (p.arp) {
            // ARP goes in a Simple Packet Block: interface 0, no timestamp, no flags.
            w.spb(frame);
            ++spb_packets;
            continue;
        }
        w.packet(tunnel ? wg0 : eth0,
                 p.ts_ns,
                 frame,
                 p.dir == Dir::out ? t::EpbDirection::outbound : t::EpbDirection::inbound);
    }
    w.write(dir + "/multi.pcapng");
    json ranges = json::array();
    // Packet data of EPBs starts 28 bytes into the block; of SPBs, 12 bytes in.
    for (std::size_t off : w.packet_offsets()) {
        const Wire& b = w.bytes();
        const std::uint32_t type = b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) |
                                   (static_cast<std::uint32_t>(b[off + 3]) << 24);
        if (type == 3) {
            const std::uint32_t len = b[off + 8] | (b[off + 9] << 8) | (b[off + 10] << 16) |
                                      (static_cast<std::uint32_t>(b[off + 11]) << 24);
            ranges.push_back({off + 12, off + 12 + len});
        } else {
            const std::uint32_t caplen = b[off + 20] | (b[off + 21] << 8) | (b[off + 22] << 16) |
                                         (static_cast<std::uint32_t>(b[off + 23]) << 24);
            ranges.push_back({off + 28, off + 28 + caplen});
        }
    }
    // The events: interface names from the IDBs, directions from epb_flags.
    json events = json::array();
    for (const Expected& e : c.events) {
        const Packet& p = c.packets[e.packet];
        json f = e.fields;
        f["ts_ns"] = p.ts_ns;
        f["direction"] = p.dir == Dir::out ? "out" : "in";
        f["ifindex"] = nullptr;
        f["interface"] = p.iface == Iface::wg ? "wg0" : "eth0";
        f["route_class"] = p.iface == Iface::wg ? "tunnel" : "physical";
        events.push_back(f);
    }
    return json{{"file", "multi.pcapng"},
                {"format", "pcapng"},
                {"link_types", {"EN10MB", "RAW"}},
                {"events", events},
                {"counters", counters_of(c, c.packets.size())},
                {"spb_packets", spb_packets},
                {"https_flows", 1},
                {"record_offsets", w.block_offsets()},
                {"packet_offsets", w.packet_offsets()},
                {"data_ranges", ranges},
                {"mutate", true}};
}

// RELIABILITY M5: 100,000 malformed frames, then one valid query.
json garbage_then_query(const std::string& dir)
{
    t::PcapngWriter w;
    const std::uint32_t eth0 = w.interface({t::linktype::EN10MB, "eth0", std::uint8_t{9}, 0});
    const std::uint32_t wg0 = w.interface({t::linktype::RAW, "wg0", std::nullopt, 0});
    const std::string C4 = "192.0.2.10";
    const std::string R4 = "198.51.100.53";
    const Wire q = t::dns_query(0x4242, "x.example", 1);
    // One malformed frame per class, in rotation.
    const std::vector<Wire> bad = {
        // net.ip_bad_header: IHL 4
        t::FrameBuilder{}.ipv4(C4, R4).ipv4_ihl(4).udp(40000, 53).payload(q).ethernet(),
        // net.udp_len_invalid: UDP length 7
        t::FrameBuilder{}.ipv4(C4, R4).udp(40000, 53).udp_length(7).payload(q).ethernet(),
        // net.tcp_bad_offset: data offset 4
        t::FrameBuilder{}.ipv4(C4, R4).tcp(40000, 53, 1).tcp_data_offset(4).payload(q).ethernet(),
        // link.truncated: 13 bytes of Ethernet header
        t::slice(t::FrameBuilder{}.ipv4(C4, R4).udp(40000, 53).payload(q).ethernet(), 0, 13),
        // net.ip_trunc: IPv4 header cut at 19 bytes
        t::slice(t::FrameBuilder{}.ipv4(C4, R4).udp(40000, 53).payload(q).ethernet(), 0, 14 + 19),
        // net.ipv6_exthdr_limit: nine extension headers
        [&] {
            t::FrameBuilder f;
            f.ipv6("2001:db8::10", "2001:db8:53::53");
            for (int k = 0; k < 9; ++k) {
                f.ipv6_ext(t::EXT_DEST_OPTS);
            }
            return f.udp(40000, 53).payload(q).ethernet();
        }(),
    };
    constexpr std::size_t GARBAGE = 100'000;
    std::int64_t ts = BASE_NS;
    for (std::size_t k = 0; k < GARBAGE; ++k) {
        w.packet(eth0, ts, bad[k % bad.size()], t::EpbDirection::inbound);
        ts += 1000;
    }
    w.packet(wg0,
             ts,
             t::FrameBuilder{}.ipv4(C4, R4).udp(40001, 53).payload(q).raw(),
             t::EpbDirection::outbound);
    w.write(dir + "/garbage_then_query.pcapng");
    // Per class, in the order of `bad` above.
    const std::vector<std::string> classes = {"net.ip_bad_header",
                                              "net.udp_len_invalid",
                                              "net.tcp_bad_offset",
                                              "link.truncated",
                                              "net.ip_trunc",
                                              "net.ipv6_exthdr_limit"};
    json malformed = json::object();
    for (std::size_t k = 0; k < classes.size(); ++k) {
        malformed[classes[k]] = GARBAGE / classes.size() + (k < GARBAGE % classes.size() ? 1 : 0);
    }
    json ev = dns_event("udp53", "udp", C4, 40001, R4, 53, "x.example", "A", false);
    ev["ts_ns"] = ts;
    ev["direction"] = "out";
    ev["ifindex"] = nullptr;
    ev["interface"] = "wg0";
    ev["route_class"] = "tunnel";
    return json{{"file", "garbage_then_query.pcapng"},
                {"format", "pcapng"},
                {"link_types", {"EN10MB", "RAW"}},
                {"events", json::array({ev})},
                {"counters",
                 {{"packets_read", GARBAGE + 1},
                  {"dns_messages", 1},
                  {"encrypted_flows", 0},
                  {"loopback_duplicates", 0},
                  {"packets_not_ip", 0},
                  {"packets_other_l4", 0},
                  {"malformed_total", GARBAGE}}},
                {"malformed", malformed},
                {"https_flows", 0},
                {"mutate", false}};
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_fixtures OUTDIR\n");
        return 2;
    }
    const std::string dir = argv[1];
    try {
        std::filesystem::create_directories(dir);
        json fixtures = json::array();
        // `tcpdump 'udp port 53'` misses tagged frames: the filter follows one and two tags.
        const std::string plain = "udp port 53";
        const std::string vlan =
            "udp port 53 or (vlan and (udp port 53 or (vlan and udp port 53)))";
        fixtures.push_back(classic_fixture(dir,
                                           "en10mb.pcap",
                                           "en10mb",
                                           {false, false, t::linktype::EN10MB, 262144},
                                           LinkStyle{},
                                           vlan,
                                           true,
                                           false));
        fixtures.push_back(classic_fixture(dir,
                                           "linux_sll.pcap",
                                           "sll",
                                           {true, true, t::linktype::LINUX_SLL, 262144},
                                           LinkStyle{0, true, false, false, 30},
                                           plain,
                                           true,
                                           false));
        fixtures.push_back(classic_fixture(dir,
                                           "linux_sll2.pcap",
                                           "sll2",
                                           {false, false, t::linktype::LINUX_SLL2, 262144},
                                           LinkStyle{0, true, true, false, 30},
                                           plain,
                                           false,
                                           true));
        fixtures.push_back(classic_fixture(dir,
                                           "raw.pcap",
                                           "raw",
                                           {false, true, t::linktype::RAW, 65535},
                                           LinkStyle{},
                                           plain,
                                           false,
                                           false));
        fixtures.push_back(classic_fixture(dir,
                                           "null.pcap",
                                           "null",
                                           {false, false, t::linktype::NULL_BSD, 262144},
                                           LinkStyle{0, false, false, false, 30},
                                           plain,
                                           false,
                                           false));
        fixtures.push_back(classic_fixture(dir,
                                           "loop.pcap",
                                           "loop",
                                           {true, false, t::linktype::LOOP, 262144},
                                           LinkStyle{0, false, false, false, 24},
                                           plain,
                                           false,
                                           false));
        fixtures.push_back(multi_pcapng(dir));
        fixtures.push_back(garbage_then_query(dir));
        std::ofstream(dir + "/manifest.json") << json{{"fixtures", fixtures}}.dump(1) << "\n";
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_fixtures: %s\n", e.what());
        return 1;
    }
    return 0;
}
