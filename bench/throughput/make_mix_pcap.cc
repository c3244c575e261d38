// make_mix_pcap: writes a deterministic, realistic traffic mix for the wtfn throughput bench.
//
//   make_mix_pcap OUT.pcap N_PACKETS [SEED]
//
// Share of packets (one third of flows over IPv6):
//   25 % DNS over UDP/53    queries A/AAAA/HTTPS; answers with CNAME chains, compression
//                           pointers, NXDOMAIN/NODATA with SOA, EDNS OPT in some
//    5 % DNS over TCP/53    length-prefixed; some segments carry two messages, some messages
//                           span two segments (including a split inside the length prefix)
//   30 % TLS on TCP/443     handshake, ClientHello with SNI, ServerHello, data, FIN or RST
//    5 % DoT on TCP/853     the same shape with DNS-sized records
//    4 % QUIC on UDP/443    Initial 0xC3 v1 with 8-byte DCID, then short headers
//    1 % QUIC on UDP/853    (DoQ)
//   30 % unrelated          TCP 80/22/5432, UDP 123/51820, ARP, ICMP/ICMPv6 echo
//
// Flows of each kind are interleaved (about 750 open at once) and clients recur with
// new source ports, so the flow table, the TCP reassembly and the DNS transaction matching all
// do real work: a million packets hold tens of thousands of distinct flows. Addresses are
// documentation and private ranges only. Checksums are correct.
//
// The same seed gives the same file on every platform (see pktgen::Rng).

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "pktgen.h"

namespace {

using pktgen::IpAddr;
using pktgen::Mac;
using pktgen::Path;
using pktgen::Rng;
using pktgen::Writer;
namespace tcpflag = pktgen::tcpflag;

enum class Kind : std::uint8_t {
    udp_dns,
    tcp_dns,
    tls,
    dot,
    quic,
    doq,
    http,
    ssh,
    postgres,
    ntp,
    wireguard,
    arp,
    icmp,
};

struct KindSpec {
    Kind kind;
    std::string_view name;
    std::uint16_t per_mille; // share of packets
    std::uint16_t port;      // server port
    std::uint16_t open;      // flows of this kind open at once
};

// The pool sizes keep a DNS answer within a few hundred packets of its query (as on a real
// link) while TLS flows stay open long enough to interleave with many others.
constexpr std::array<KindSpec, 13> kMix = {{
    {Kind::udp_dns, "dns/udp53", 250, 53, 96},
    {Kind::tcp_dns, "dns/tcp53", 50, 53, 24},
    {Kind::tls, "tls/tcp443", 300, 443, 384},
    {Kind::dot, "dot/tcp853", 50, 853, 32},
    {Kind::quic, "quic/udp443", 40, 443, 48},
    {Kind::doq, "quic/udp853", 10, 853, 12},
    {Kind::http, "http/tcp80", 80, 80, 64},
    {Kind::ssh, "ssh/tcp22", 50, 22, 16},
    {Kind::postgres, "pg/tcp5432", 50, 5432, 16},
    {Kind::ntp, "ntp/udp123", 30, 123, 32},
    {Kind::wireguard, "wg/udp51820", 50, 51820, 8},
    {Kind::arp, "arp", 20, 0, 8},
    {Kind::icmp, "icmp", 20, 0, 16},
}};

constexpr std::size_t kKinds = kMix.size();

constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kTypeCname = 5;
constexpr std::uint16_t kTypeSoa = 6;
constexpr std::uint16_t kTypeAaaa = 28;
constexpr std::uint16_t kTypeOpt = 41;
constexpr std::uint16_t kTypeHttps = 65;

// Query names: a template plus a number where it has a "-" label, so that a handful of zones
// gives thousands of distinct names. `numbered` is the label index that takes the number.
struct NameTemplate {
    std::array<std::string_view, 4> labels;
    std::uint8_t count;
    std::int8_t numbered;
};

constexpr std::array<NameTemplate, 10> kNames = {{
    {{"www", "example", "com"}, 3, -1},
    {{"api", "service-", "example", "net"}, 4, 1},
    {{"mail", "example", "org"}, 3, -1},
    {{"cdn-", "static", "example", "com"}, 4, 0},
    {{"login", "example", "org"}, 3, -1},
    {{"img-", "media", "example", "com"}, 4, 0},
    {{"time", "example", "net"}, 3, -1},
    {{"db-", "corp", "example"}, 3, 0},
    {{"updates", "example", "org"}, 3, -1},
    {{"host-", "lan", "example", "net"}, 4, 0},
}};

struct NameSpec {
    std::uint8_t tmpl = 0;
    std::uint16_t number = 0;
};

// Writes the name in wire form; returns the offset of its last two labels (the zone apex),
// which answers and SOA records point back to.
std::size_t write_name(Writer& w, const NameSpec& name)
{
    const NameTemplate& t = kNames[name.tmpl];
    std::size_t apex = w.size();
    for (std::size_t i = 0; i < t.count; ++i) {
        if (i + 2 == t.count) {
            apex = w.size();
        }
        const bool numbered = static_cast<int>(i) == t.numbered;
        pktgen::dns_label(w, t.labels[i], numbered ? name.number : -1);
    }
    w.u8(0);
    return apex;
}

// The same name in dotted text form (for a TLS SNI or an HTTP Host header).
void name_text(Writer& w, const NameSpec& name)
{
    const NameTemplate& t = kNames[name.tmpl];
    for (std::size_t i = 0; i < t.count; ++i) {
        if (i != 0) {
            w.u8('.');
        }
        w.text(t.labels[i]);
        if (static_cast<int>(i) == t.numbered) {
            w.decimal(name.number);
        }
    }
}

struct DnsTx {
    std::uint16_t id = 0;
    std::uint16_t qtype = kTypeA;
    NameSpec name;
    bool edns = false;
    bool cookie = false;
    std::uint64_t seed = 0; // drives the answer, so a message can be re-encoded identically
};

void write_question(Writer& w, const DnsTx& tx, std::size_t* apex)
{
    *apex = write_name(w, tx.name);
    w.u16(tx.qtype);
    w.u16(1);
}

void write_query(Writer& w, const DnsTx& tx)
{
    w.u16(tx.id);
    w.u16(0x0100); // RD
    w.u16(1);
    w.u16(0);
    w.u16(0);
    w.u16(tx.edns ? 1 : 0);
    std::size_t apex = 0;
    write_question(w, tx, &apex);
    if (tx.edns) {
        w.u8(0);
        w.u16(kTypeOpt);
        w.u16(1232); // the DNS Flag Day 2020 UDP payload size
        w.u32(0);
        if (tx.cookie) {
            w.u16(12);
            w.u16(10); // COOKIE (RFC 7873), client part only
            w.u16(8);
            w.u32(static_cast<std::uint32_t>(tx.seed));
            w.u32(static_cast<std::uint32_t>(tx.seed >> 32));
        } else {
            w.u16(0);
        }
    }
}

void write_soa(Writer& w, std::size_t apex, Rng& r)
{
    pktgen::dns_pointer(w, apex);
    w.u16(kTypeSoa);
    w.u16(1);
    w.u32(r.between(60, 3600));
    const std::size_t rdlen = w.reserve(2);
    pktgen::dns_label(w, "ns1");
    pktgen::dns_pointer(w, apex);
    pktgen::dns_label(w, "hostmaster");
    pktgen::dns_pointer(w, apex);
    w.u32(2024010100 + r.below(99));
    w.u32(7200);
    w.u32(3600);
    w.u32(1209600);
    w.u32(300);
    w.close16(rdlen);
}

void write_address(Writer& w, std::uint16_t qtype, Rng& r)
{
    if (qtype == kTypeA) {
        w.u16(4);
        w.u32((r.percent(50) ? 0xc0000200U : 0xc6336400U) | r.between(1, 254));
    } else {
        w.u16(16);
        w.u32(0x20010db8);
        w.u32(0x01000000U | r.below(256));
        w.u32(0);
        w.u32(r.between(1, 0xffff));
    }
}

// A realistic resolver answer: 3 % NXDOMAIN, HTTPS mostly one ServiceMode record,
// A/AAAA either direct or behind a CNAME into a CDN, each owner a compression pointer.
void write_response(Writer& w, const DnsTx& tx)
{
    Rng r(tx.seed);
    const bool nxdomain = r.percent(3);
    w.u16(tx.id);
    w.u16(nxdomain ? 0x8183 : 0x8180); // QR RD RA, rcode NOERROR or NXDOMAIN
    w.u16(1);
    const std::size_t counts = w.reserve(6);
    std::size_t apex = 0;
    write_question(w, tx, &apex);
    std::uint32_t an = 0;
    std::uint32_t ns = 0;
    if (nxdomain) {
        write_soa(w, apex, r);
        ns = 1;
    } else if (tx.qtype == kTypeHttps) {
        if (r.percent(70)) {
            pktgen::dns_pointer(w, 12);
            w.u16(kTypeHttps);
            w.u16(1);
            w.u32(r.between(60, 3600));
            const std::size_t rdlen = w.reserve(2);
            w.u16(1); // SvcPriority 1: ServiceMode
            w.u8(0);  // TargetName "." (the owner itself)
            w.u16(1); // alpn = h2,h3
            w.u16(6);
            w.text("\x02h2\x02h3");
            w.u16(4); // ipv4hint
            w.u16(4);
            w.u32(0xc0000200U | r.between(1, 254));
            w.close16(rdlen);
            an = 1;
        } else {
            write_soa(w, apex, r); // NODATA
            ns = 1;
        }
    } else {
        std::size_t owner = 12;
        if (r.percent(40)) {
            pktgen::dns_pointer(w, 12);
            w.u16(kTypeCname);
            w.u16(1);
            w.u32(r.between(30, 300));
            const std::size_t rdlen = w.reserve(2);
            owner = w.size();
            pktgen::dns_label(w, "edge-", static_cast<int>(r.below(64)));
            pktgen::dns_label(w, "cdn");
            pktgen::dns_pointer(w, apex);
            w.close16(rdlen);
            an = 1;
        }
        const std::uint32_t addresses = r.between(1, 3);
        for (std::uint32_t i = 0; i < addresses; ++i) {
            pktgen::dns_pointer(w, owner);
            w.u16(tx.qtype);
            w.u16(1);
            w.u32(r.between(20, 600));
            write_address(w, tx.qtype, r);
        }
        an += addresses;
    }
    if (tx.edns) {
        w.u8(0);
        w.u16(kTypeOpt);
        w.u16(1232);
        w.u32(0);
        w.u16(0);
    }
    w.patch16(counts, an);
    w.patch16(counts + 2, ns);
    w.patch16(counts + 4, tx.edns ? 1 : 0);
}

struct Host {
    Mac mac{};
    IpAddr v4;
    IpAddr v6;
    std::uint16_t next_port = 0;
};

struct Server {
    IpAddr v4;
    IpAddr v6;
};

// TCP DNS exchange shapes.
enum class TcpDnsMode : std::uint8_t { single, pair, split_query, split_response };

struct Flow {
    Kind kind = Kind::udp_dns;
    bool v6 = false;
    bool closing = false;
    std::uint8_t ending = 0; // 0 FIN exchange, 1 client RST, 2 left open
    std::uint16_t client = 0;
    std::uint16_t server = 0;
    std::uint16_t cport = 0;
    std::uint16_t sport = 0;
    std::uint8_t hops = 0;
    std::uint32_t flow_label = 0;
    std::uint32_t cseq = 0; // next sequence number the client sends
    std::uint32_t sseq = 0; // next sequence number the server sends
    std::uint32_t step = 0; // packets of this flow so far
    std::uint32_t phase = 0;
    std::uint32_t tx = 0;  // exchanges done
    std::uint32_t txs = 0; // exchanges planned
    TcpDnsMode mode = TcpDnsMode::single;
    std::uint32_t cut = 0; // where a split DNS-over-TCP message is cut
    bool second_separate = false;
    std::array<DnsTx, 2> dns{};
    NameSpec sni;
    std::uint64_t cid_client = 0; // QUIC connection IDs
    std::uint64_t cid_server = 0;
};

constexpr Mac kGatewayMac = {0x02, 0x00, 0x5e, 0x00, 0x00, 0x01};
constexpr Mac kBroadcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

constexpr std::size_t kClients = 400;
constexpr std::size_t kResolvers = 4;    // servers_[0..3]: 53/tcp+udp resolvers
constexpr std::size_t kEncResolvers = 3; // servers_[4..6]: DoT/DoQ resolvers
constexpr std::size_t kServers = 1200;

// Names a few TLS clients look up that are well-known DoH/DoT endpoints, so that the SNI
// match path of the classifier runs on real-looking input, not only the no-match path.
constexpr std::array<std::string_view, 4> kResolverSni = {
    "cloudflare-dns.com", "dns.google", "dns.quad9.net", "doh.example.net"};

class Generator {
public:
    Generator(std::uint64_t seed, pktgen::PcapWriter& out) : rng_(seed), noise_(rng_), out_(out)
    {
        clients_.resize(kClients);
        for (std::size_t i = 0; i < kClients; ++i) {
            Host& h = clients_[i];
            const auto subnet = static_cast<std::uint8_t>(1 + i / 250);
            const auto host = static_cast<std::uint8_t>(2 + i % 250);
            h.mac = {0x02, 0x42, 0x0a, 0x00, subnet, host};
            h.v4 = IpAddr::v4(10, 0, subnet, host);
            h.v6 = IpAddr::v6_groups(
                {0x2001, 0x0db8, 0x0001, 0, 0, 0, 0, static_cast<std::uint16_t>(0x100 + i)});
            h.next_port = static_cast<std::uint16_t>(rng_.between(32768, 60999));
        }
        servers_.resize(kServers);
        servers_[0] = {IpAddr::v4(10, 0, 0, 1),
                       IpAddr::v6_groups({0x2001, 0xdb8, 1, 0, 0, 0, 0, 1})};
        servers_[1] = {IpAddr::v4(192, 0, 2, 53),
                       IpAddr::v6_groups({0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x53})};
        servers_[2] = {IpAddr::v4(198, 51, 100, 53),
                       IpAddr::v6_groups({0x2001, 0xdb8, 0, 0x53, 0, 0, 0, 1})};
        servers_[3] = {IpAddr::v4(192, 0, 2, 54),
                       IpAddr::v6_groups({0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x54})};
        servers_[4] = {IpAddr::v4(192, 0, 2, 253),
                       IpAddr::v6_groups({0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x853})};
        servers_[5] = {IpAddr::v4(198, 51, 100, 253),
                       IpAddr::v6_groups({0x2001, 0xdb8, 0, 0x853, 0, 0, 0, 1})};
        servers_[6] = {IpAddr::v4(198, 51, 100, 254),
                       IpAddr::v6_groups({0x2001, 0xdb8, 0, 0x853, 0, 0, 0, 2})};
        for (std::size_t i = kResolvers + kEncResolvers; i < kServers; ++i) {
            const std::size_t j = i - kResolvers - kEncResolvers;
            // Two servers per IPv4 address on average, as behind CDNs and shared hosting.
            const auto host = static_cast<std::uint8_t>(1 + (j / 2) % 250);
            servers_[i].v4 =
                j % 2 == 0 ? IpAddr::v4(192, 0, 2, host) : IpAddr::v4(198, 51, 100, host);
            servers_[i].v6 = IpAddr::v6_groups(
                {0x2001, 0x0db8, 0x0100, static_cast<std::uint16_t>(j), 0, 0, 0, 0x10});
        }
        for (std::size_t k = 0; k < kKinds; ++k) {
            pools_[k].resize(kMix[k].open);
            for (Flow& f : pools_[k]) {
                start_flow(f, kMix[k].kind);
            }
        }
        // Cumulative shares, so that picking a kind is one draw and a short scan.
        std::uint32_t sum = 0;
        for (std::size_t k = 0; k < kKinds; ++k) {
            sum += kMix[k].per_mille;
            cumulative_[k] = sum;
        }
    }

    void run(std::uint64_t n_packets)
    {
        while (out_.records() < n_packets) {
            const std::uint32_t draw = rng_.below(cumulative_[kKinds - 1]);
            std::size_t k = 0;
            while (draw >= cumulative_[k]) {
                ++k;
            }
            std::vector<Flow>& pool = pools_[k];
            Flow& f = pool[rng_.below(static_cast<std::uint32_t>(pool.size()))];
            current_ = k;
            if (step(f)) {
                start_flow(f, kMix[k].kind);
            }
        }
    }

    bool overflowed() const { return overflow_; }

    void print_stats(std::FILE* to) const
    {
        const double total = static_cast<double>(out_.records());
        std::fprintf(to,
                     "packets %llu, flows started %llu, IPv6 %.1f %%\n",
                     static_cast<unsigned long long>(out_.records()),
                     static_cast<unsigned long long>(flows_started_),
                     total > 0 ? 100.0 * static_cast<double>(v6_packets_) / total : 0.0);
        for (std::size_t k = 0; k < kKinds; ++k) {
            std::fprintf(to,
                         "  %-12.*s %10llu  %5.1f %%\n",
                         static_cast<int>(kMix[k].name.size()),
                         kMix[k].name.data(),
                         static_cast<unsigned long long>(per_kind_[k]),
                         total > 0 ? 100.0 * static_cast<double>(per_kind_[k]) / total : 0.0);
        }
    }

private:
    void new_tx(DnsTx& tx)
    {
        tx.id = rng_.u16();
        const std::uint32_t t = rng_.below(100);
        tx.qtype = t < 50 ? kTypeA : (t < 85 ? kTypeAaaa : kTypeHttps);
        tx.name = pick_name();
        tx.edns = rng_.percent(60);
        tx.cookie = tx.edns && rng_.percent(30);
        tx.seed = rng_.next();
    }

    NameSpec pick_name()
    {
        NameSpec n;
        n.tmpl = static_cast<std::uint8_t>(rng_.below(kNames.size()));
        n.number = static_cast<std::uint16_t>(rng_.below(1000));
        return n;
    }

    void start_flow(Flow& f, Kind kind)
    {
        f = Flow{};
        f.kind = kind;
        f.v6 = rng_.below(3) == 0;
        f.client = static_cast<std::uint16_t>(rng_.below(kClients));
        Host& h = clients_[f.client];
        // Each client walks the Linux ephemeral range, so its flows recur with new 5-tuples.
        f.cport = h.next_port;
        h.next_port = static_cast<std::uint16_t>(h.next_port >= 60999 ? 32768 : h.next_port + 1);
        f.hops = static_cast<std::uint8_t>(rng_.between(40, 60));
        f.flow_label = rng_.u32() & 0xfffff;
        f.cseq = rng_.u32();
        f.sseq = rng_.u32();
        f.ending = static_cast<std::uint8_t>(rng_.percent(80) ? 0 : (rng_.percent(50) ? 1 : 2));
        f.sport = kMix[static_cast<std::size_t>(kind)].port;
        switch (kind) {
            case Kind::udp_dns:
            case Kind::tcp_dns:
                // Most clients ask the local router; some configure a public resolver.
                f.server = static_cast<std::uint16_t>(rng_.percent(70) ? 0 : rng_.between(1, 3));
                f.txs = kind == Kind::udp_dns ? rng_.between(1, 6) : rng_.between(1, 4);
                break;
            case Kind::dot:
            case Kind::doq:
                f.server = static_cast<std::uint16_t>(kResolvers + rng_.below(kEncResolvers));
                f.txs = rng_.between(2, 24);
                break;
            default:
                f.server = static_cast<std::uint16_t>(
                    kResolvers + kEncResolvers + rng_.below(kServers - kResolvers - kEncResolvers));
                f.txs = rng_.between(2, 40);
                break;
        }
        if (kind == Kind::ntp || kind == Kind::icmp) {
            f.txs = rng_.between(1, 4);
        }
        f.sni = pick_name();
        f.cid_client = rng_.next();
        f.cid_server = rng_.next();
        ++flows_started_;
    }

    Path path(const Flow& f, bool from_client) const
    {
        const Host& h = clients_[f.client];
        const Server& s = servers_[f.server];
        Path p;
        const IpAddr& client_ip = f.v6 ? h.v6 : h.v4;
        const IpAddr& server_ip = f.v6 ? s.v6 : s.v4;
        p.flow_label = f.flow_label;
        if (from_client) {
            p.src_mac = h.mac;
            p.dst_mac = kGatewayMac;
            p.src = client_ip;
            p.dst = server_ip;
            p.sport = f.cport;
            p.dport = f.sport;
        } else {
            p.src_mac = kGatewayMac;
            p.dst_mac = h.mac;
            p.src = server_ip;
            p.dst = client_ip;
            p.sport = f.sport;
            p.dport = f.cport;
            p.hop_limit = f.server == 0 ? 64 : f.hops;
            p.pad = true;
        }
        return p;
    }

    void emit(std::span<const std::uint8_t> frame)
    {
        out_.write(clock_us_, frame);
        // About 10k packets/s: a busy desktop uplink, and a spacing at which flows and DNS
        // transactions live for realistic times against the tool's timeouts.
        clock_us_ += 1 + rng_.below(200);
        ++per_kind_[current_];
        if (frame[12] == 0x86 && frame[13] == 0xdd) {
            ++v6_packets_;
        }
    }

    // Sends a TCP segment whose payload the caller has written at frame_.tcp_payload().
    void send_tcp(Flow& f, bool from_client, std::uint8_t flags, std::size_t len)
    {
        std::uint32_t& seq = from_client ? f.cseq : f.sseq;
        const std::uint32_t ack = (flags & tcpflag::ack) != 0 ? (from_client ? f.sseq : f.cseq) : 0;
        emit(frame_.finish_tcp(path(f, from_client), seq, ack, flags, len));
        seq += static_cast<std::uint32_t>(len);
        if ((flags & (tcpflag::syn | tcpflag::fin)) != 0) {
            ++seq;
        }
    }

    void send_udp(Flow& f, bool from_client, std::size_t len)
    {
        emit(frame_.finish_udp(path(f, from_client), len));
    }

    // Writes into the TCP payload area; a writer overflow is a generator bug.
    Writer tcp_writer(const Flow& f)
    {
        std::uint8_t* p = frame_.tcp_payload(f.v6);
        return Writer(p, frame_.room());
    }

    void check(const Writer& w)
    {
        if (w.overflow()) {
            overflow_ = true;
        }
    }

    // Returns true when the flow has finished; may emit nothing (a TCP flow left open).
    bool step(Flow& f)
    {
        switch (f.kind) {
            case Kind::udp_dns:
                return step_udp_dns(f);
            case Kind::quic:
            case Kind::doq:
                return step_quic(f);
            case Kind::ntp:
                return step_ntp(f);
            case Kind::wireguard:
                return step_wireguard(f);
            case Kind::arp:
                return step_arp(f);
            case Kind::icmp:
                return step_icmp(f);
            case Kind::tcp_dns:
            case Kind::tls:
            case Kind::dot:
            case Kind::http:
            case Kind::ssh:
            case Kind::postgres:
                return step_tcp(f);
        }
        return true;
    }

    bool step_tcp(Flow& f)
    {
        switch (f.step) {
            case 0:
                frame_.tcp_payload(f.v6, true);
                send_tcp(f, true, tcpflag::syn, 0);
                ++f.step;
                return false;
            case 1:
                frame_.tcp_payload(f.v6, true);
                send_tcp(f, false, tcpflag::syn | tcpflag::ack, 0);
                ++f.step;
                return false;
            case 2:
                frame_.tcp_payload(f.v6);
                send_tcp(f, true, tcpflag::ack, 0);
                ++f.step;
                return false;
            default:
                break;
        }
        if (!f.closing) {
            const bool sent = f.kind == Kind::tcp_dns ? app_tcp_dns(f) : app_stream(f);
            if (sent) {
                ++f.step;
                return false;
            }
            f.closing = true;
            f.phase = 0;
        }
        frame_.tcp_payload(f.v6);
        if (f.ending == 2) {
            return true; // left open: the tool's flow timeouts must reclaim it
        }
        if (f.ending == 1) {
            send_tcp(f, true, tcpflag::rst | tcpflag::ack, 0);
            return true;
        }
        switch (f.phase++) {
            case 0:
                send_tcp(f, true, tcpflag::fin | tcpflag::ack, 0);
                return false;
            case 1:
                send_tcp(f, false, tcpflag::fin | tcpflag::ack, 0);
                return false;
            default:
                send_tcp(f, true, tcpflag::ack, 0);
                return true;
        }
    }

    // Writes one length-prefixed DNS message (RFC 7766) and returns its size.
    static std::size_t put_tcp_message(Writer& w, const DnsTx& tx, bool response)
    {
        const std::size_t len = w.reserve(2);
        Writer message = w.rest();
        if (response) {
            write_response(message, tx);
        } else {
            write_query(message, tx);
        }
        w.commit(message);
        w.close16(len);
        return w.size() - len;
    }

    // Sends bytes [from, to) of one length-prefixed message: the two halves of a split.
    void send_tcp_part(Flow& f, bool from_client, const DnsTx& tx, bool response, bool first)
    {
        Writer whole(scratch_.data(), scratch_.size());
        const std::size_t total = put_tcp_message(whole, tx, response);
        check(whole);
        const std::size_t cut = f.cut % (total - 1) + 1; // 1..total-1: even inside the prefix
        const std::size_t from = first ? 0 : cut;
        const std::size_t to = first ? cut : total;
        std::memcpy(frame_.tcp_payload(f.v6), scratch_.data() + from, to - from);
        send_tcp(f, from_client, tcpflag::psh | tcpflag::ack, to - from);
    }

    bool app_tcp_dns(Flow& f)
    {
        if (f.phase == 0) {
            if (f.tx == f.txs) {
                return false;
            }
            const std::uint32_t m = rng_.below(100);
            f.mode = m < 55   ? TcpDnsMode::single
                     : m < 75 ? TcpDnsMode::pair
                     : m < 90 ? TcpDnsMode::split_query
                              : TcpDnsMode::split_response;
            new_tx(f.dns[0]);
            new_tx(f.dns[1]);
            f.dns[1].name = f.dns[0].name; // the usual A + AAAA pair
            f.dns[1].qtype = f.dns[0].qtype == kTypeA ? kTypeAaaa : kTypeA;
            f.cut = rng_.u32();
            f.second_separate = rng_.percent(50);
        }
        const std::uint32_t phase = f.phase++;
        bool last = false;
        constexpr auto data = static_cast<std::uint8_t>(tcpflag::psh | tcpflag::ack);
        switch (f.mode) {
            case TcpDnsMode::single: {
                Writer w = tcp_writer(f);
                put_tcp_message(w, f.dns[0], phase == 1);
                check(w);
                send_tcp(f, phase == 0, data, w.size());
                last = phase == 1;
                break;
            }
            case TcpDnsMode::pair: {
                Writer w = tcp_writer(f);
                if (phase == 0) {
                    put_tcp_message(w, f.dns[0], false);
                    put_tcp_message(w, f.dns[1], false);
                } else if (phase == 1) {
                    put_tcp_message(w, f.dns[0], true);
                    if (!f.second_separate) {
                        put_tcp_message(w, f.dns[1], true);
                    }
                } else {
                    put_tcp_message(w, f.dns[1], true);
                }
                check(w);
                send_tcp(f, phase == 0, data, w.size());
                last = phase == (f.second_separate ? 2U : 1U);
                break;
            }
            case TcpDnsMode::split_query:
                if (phase < 2) {
                    send_tcp_part(f, true, f.dns[0], false, phase == 0);
                } else {
                    Writer w = tcp_writer(f);
                    put_tcp_message(w, f.dns[0], true);
                    check(w);
                    send_tcp(f, false, data, w.size());
                    last = true;
                }
                break;
            case TcpDnsMode::split_response:
                if (phase == 0) {
                    Writer w = tcp_writer(f);
                    put_tcp_message(w, f.dns[0], false);
                    check(w);
                    send_tcp(f, true, data, w.size());
                } else {
                    send_tcp_part(f, false, f.dns[0], true, phase == 1);
                    last = phase == 2;
                }
                break;
        }
        if (last) {
            f.phase = 0;
            ++f.tx;
        }
        return true;
    }

    void write_client_hello(Writer& w, const Flow& f)
    {
        w.u8(0x16);
        w.u16(0x0301); // record version of every modern ClientHello
        const std::size_t record = w.reserve(2);
        w.u8(1); // ClientHello
        const std::size_t body = w.reserve(3);
        w.u16(0x0303);
        w.noise(noise_, rng_, 32); // random
        w.u8(32);
        w.noise(noise_, rng_, 32); // legacy session id (TLS 1.3 middlebox compatibility)
        static constexpr std::array<std::uint16_t, 15> kSuites = {0x1301,
                                                                  0x1302,
                                                                  0x1303,
                                                                  0xc02b,
                                                                  0xc02f,
                                                                  0xc02c,
                                                                  0xc030,
                                                                  0xcca9,
                                                                  0xcca8,
                                                                  0xc013,
                                                                  0xc014,
                                                                  0x009c,
                                                                  0x009d,
                                                                  0x002f,
                                                                  0x0035};
        w.u16(static_cast<std::uint32_t>(2 * kSuites.size()));
        for (const std::uint16_t s : kSuites) {
            w.u16(s);
        }
        w.u8(1);
        w.u8(0); // null compression
        const std::size_t exts = w.reserve(2);

        w.u16(0); // server_name
        const std::size_t sni_ext = w.reserve(2);
        const std::size_t sni_list = w.reserve(2);
        w.u8(0); // host_name
        const std::size_t sni_name = w.reserve(2);
        if (f.kind == Kind::dot || (f.sni.number % 32) == 0) {
            w.text(kResolverSni[f.sni.number % kResolverSni.size()]);
        } else {
            name_text(w, f.sni);
        }
        w.close16(sni_name);
        w.close16(sni_list);
        w.close16(sni_ext);

        w.u16(23); // extended_master_secret
        w.u16(0);
        w.u16(0xff01); // renegotiation_info
        w.u16(1);
        w.u8(0);
        w.u16(10); // supported_groups: x25519, secp256r1, secp384r1
        w.u16(8);
        w.u16(6);
        w.u16(0x001d);
        w.u16(0x0017);
        w.u16(0x0018);
        w.u16(11); // ec_point_formats
        w.u16(2);
        w.u8(1);
        w.u8(0);
        w.u16(35); // session_ticket
        w.u16(0);
        w.u16(16); // ALPN
        const std::size_t alpn_ext = w.reserve(2);
        const std::size_t alpn_list = w.reserve(2);
        if (f.kind == Kind::dot) {
            w.text("\x03"
                   "dot");
        } else {
            w.text("\x02h2\x08http/1.1");
        }
        w.close16(alpn_list);
        w.close16(alpn_ext);
        w.u16(5); // status_request
        w.u16(5);
        w.u8(1);
        w.u32(0);
        w.u16(13); // signature_algorithms
        static constexpr std::array<std::uint16_t, 8> kSigs = {
            0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
        w.u16(static_cast<std::uint32_t>(2 + 2 * kSigs.size()));
        w.u16(static_cast<std::uint32_t>(2 * kSigs.size()));
        for (const std::uint16_t s : kSigs) {
            w.u16(s);
        }
        w.u16(51); // key_share: one x25519 share
        w.u16(38);
        w.u16(36);
        w.u16(0x001d);
        w.u16(32);
        w.noise(noise_, rng_, 32);
        w.u16(45); // psk_key_exchange_modes
        w.u16(2);
        w.u8(1);
        w.u8(1);
        w.u16(43); // supported_versions: TLS 1.3, 1.2
        w.u16(5);
        w.u8(4);
        w.u16(0x0304);
        w.u16(0x0303);
        w.close16(exts);
        w.close24(body);
        w.close16(record);
    }

    // The server's first flight: ServerHello, ChangeCipherSpec, then encrypted records filling
    // the segment, as TLS 1.3 servers send it.
    void write_server_flight(Writer& w)
    {
        w.u8(0x16);
        w.u16(0x0303);
        const std::size_t record = w.reserve(2);
        w.u8(2); // ServerHello
        const std::size_t body = w.reserve(3);
        w.u16(0x0303);
        w.noise(noise_, rng_, 32);
        w.u8(32);
        w.noise(noise_, rng_, 32);
        w.u16(0x1301);
        w.u8(0);
        w.u16(46);
        w.u16(43); // supported_versions
        w.u16(2);
        w.u16(0x0304);
        w.u16(51); // key_share
        w.u16(36);
        w.u16(0x001d);
        w.u16(32);
        w.noise(noise_, rng_, 32);
        w.close24(body);
        w.close16(record);
        w.literal("\x14\x03\x03\x00\x01\x01");
        app_record(w, w.left() > 5 ? rng_.between(0, static_cast<std::uint32_t>(w.left() - 5)) : 0);
    }

    void app_record(Writer& w, std::size_t len)
    {
        w.u8(0x17);
        w.u16(0x0303);
        w.u16(static_cast<std::uint32_t>(len));
        w.noise(noise_, rng_, len);
    }

    // PostgreSQL frontend/backend protocol 3.0: a simple Query from the client, a DataRow
    // of opaque bytes from the server, each with its own length, so that the stream parses.
    void write_pg_message(Writer& w, bool from_client, std::size_t len)
    {
        if (from_client) {
            w.u8('Q');
            const std::size_t at = w.reserve(4);
            w.text("SELECT payload FROM events WHERE id = ");
            w.decimal(rng_.below(100000));
            w.literal(";\0");
            w.patch16(at + 2, static_cast<std::uint32_t>(w.size() - at));
            return;
        }
        const std::size_t body = len < 16 ? 16 : len;
        w.u8('D');
        w.u32(static_cast<std::uint32_t>(body - 1)); // length counts itself, not the type byte
        w.u16(1);                                    // one column
        w.u32(static_cast<std::uint32_t>(body - 11));
        w.noise(noise_, rng_, body - 11);
    }

    // Size of the next data segment of a stream flow; downloads fill whole segments.
    std::size_t data_size(const Flow& f, bool from_client)
    {
        const std::size_t room = frame_.room();
        if (f.kind == Kind::dot) {
            return from_client ? rng_.between(60, 160) : rng_.between(80, 520);
        }
        if (from_client) {
            return rng_.between(30, 600);
        }
        return rng_.percent(60) ? room : rng_.between(40, static_cast<std::uint32_t>(room));
    }

    // TLS, DoT, HTTP, SSH and PostgreSQL after the handshake: an opening exchange, then
    // f.txs data segments mostly server to client, a quarter of them bare ACKs.
    bool app_stream(Flow& f)
    {
        constexpr auto data = static_cast<std::uint8_t>(tcpflag::psh | tcpflag::ack);
        const std::uint32_t phase = f.phase++;
        const bool tls = f.kind == Kind::tls || f.kind == Kind::dot;
        if (phase < 2) {
            const bool from_client = phase == 0;
            Writer w = tcp_writer(f);
            if (tls) {
                if (from_client) {
                    write_client_hello(w, f);
                } else {
                    write_server_flight(w);
                }
            } else if (f.kind == Kind::http) {
                if (from_client) {
                    w.text("GET /assets/app-");
                    w.decimal(f.sni.number);
                    w.text(".js HTTP/1.1\r\nHost: ");
                    name_text(w, f.sni);
                    w.text("\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n");
                } else {
                    // Close-delimited body: any number of data segments may follow.
                    w.text("HTTP/1.1 200 OK\r\nContent-Type: application/javascript\r\n"
                           "Cache-Control: max-age=3600\r\nConnection: close\r\n\r\n");
                    w.noise(noise_, rng_, rng_.between(0, static_cast<std::uint32_t>(w.left())));
                }
            } else if (f.kind == Kind::ssh) {
                w.text(from_client ? "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"
                                   : "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10\r\n");
            } else {
                if (from_client) {
                    const std::size_t len = w.reserve(4); // StartupMessage, protocol 3.0
                    w.u32(0x00030000);
                    w.literal("user\0bench\0database\0app\0\0");
                    w.patch16(len + 2, static_cast<std::uint32_t>(w.size()));
                } else {
                    w.literal("R\0\0\0\x17\0\0\0\x0aSCRAM-SHA-256\0\0"); // AuthenticationSASL
                }
            }
            check(w);
            send_tcp(f, from_client, data, w.size());
            return true;
        }
        if (tls && phase == 2) {
            Writer w = tcp_writer(f);
            w.literal("\x14\x03\x03\x00\x01\x01"); // client ChangeCipherSpec + Finished
            app_record(w, 53);
            check(w);
            send_tcp(f, true, data, w.size());
            return true;
        }
        if (f.tx == f.txs) {
            return false;
        }
        ++f.tx;
        bool from_client = rng_.percent(30);
        if (f.kind == Kind::dot) {
            from_client = (f.tx % 2) == 1; // query, answer, query, ...
        } else if (f.kind == Kind::http) {
            from_client = false; // the client only ACKs the body it asked for
        }
        if (rng_.percent(25)) {
            frame_.tcp_payload(f.v6);
            send_tcp(f, !from_client, tcpflag::ack, 0);
            return true;
        }
        Writer w = tcp_writer(f);
        const std::size_t len = data_size(f, from_client);
        if (tls) {
            app_record(w, len - 5);
        } else if (f.kind == Kind::postgres) {
            write_pg_message(w, from_client, len);
        } else {
            w.noise(noise_, rng_, len);
        }
        check(w);
        send_tcp(f, from_client, data, w.size());
        return true;
    }

    bool step_udp_dns(Flow& f)
    {
        Writer w(frame_.udp_payload(f.v6), frame_.room());
        if (f.phase == 0) {
            new_tx(f.dns[0]);
            write_query(w, f.dns[0]);
            check(w);
            send_udp(f, true, w.size());
            // 3 % of queries go unanswered (lost, or the client gave up).
            f.phase = rng_.percent(97) ? 1 : 0;
            if (f.phase == 0) {
                ++f.tx;
            }
        } else {
            write_response(w, f.dns[0]);
            check(w);
            send_udp(f, false, w.size());
            f.phase = 0;
            ++f.tx;
        }
        return f.tx == f.txs;
    }

    // QUIC v1 (RFC 9000): a 1200-byte client Initial 0xC3 with an 8-byte DCID, the server's
    // Initial and Handshake, then 1-RTT short-header packets.
    bool step_quic(Flow& f)
    {
        const std::uint32_t phase = f.phase++;
        const bool doq = f.kind == Kind::doq;
        bool from_client = false;
        Writer w(frame_.udp_payload(f.v6), frame_.room());
        if (phase < 3) {
            from_client = phase != 1 && phase != 2;
            const std::uint8_t first = phase == 0 ? 0xc3 : (phase == 1 ? 0xc1 : 0xe1);
            w.u8(first);
            w.u32(1);
            const std::uint64_t dcid = from_client ? f.cid_client : f.cid_server;
            const std::uint64_t scid = from_client ? f.cid_server : f.cid_client;
            w.u8(8);
            w.u64(dcid);
            w.u8(8);
            w.u64(scid);
            if (first != 0xe1) {
                w.u8(0); // token length
            }
            const std::size_t payload =
                phase == 0 ? 1200 - 1 - 4 - 18 - 1 - 2 : rng_.between(200, 1150);
            w.u16(0x4000U | static_cast<std::uint32_t>(payload)); // 2-byte varint length
            w.noise(noise_, rng_, payload); // packet number + protected payload
        } else {
            ++f.tx;
            from_client = rng_.percent(doq ? 50 : 35);
            w.u8(0x40U | (rng_.u32() & 0x3f)); // short header, fixed bit set
            const std::uint64_t dcid = from_client ? f.cid_server : f.cid_client;
            w.u64(dcid);
            std::size_t len = 0;
            if (doq || from_client) {
                len = rng_.between(24, 220);
            } else {
                len = rng_.percent(60) ? 1200 : rng_.between(40, 1200);
            }
            w.noise(noise_, rng_, len);
        }
        check(w);
        send_udp(f, from_client, w.size());
        return f.tx == f.txs;
    }

    bool step_ntp(Flow& f)
    {
        const bool from_client = (f.step % 2) == 0;
        Writer w(frame_.udp_payload(f.v6), frame_.room());
        w.u8(from_client ? 0x23 : 0x24); // NTPv4, client / server mode
        w.u8(from_client ? 0 : 2);
        w.u8(6);
        w.u8(0xe9);
        w.noise(noise_, rng_, 44);
        check(w);
        send_udp(f, from_client, w.size());
        ++f.step;
        return f.step == 2 * f.txs;
    }

    // WireGuard: handshake initiation and response, then transport data messages.
    bool step_wireguard(Flow& f)
    {
        Writer w(frame_.udp_payload(f.v6), frame_.room());
        bool from_client = true;
        if (f.step == 0) {
            w.u32(0x01000000);
            w.noise(noise_, rng_, 144);
        } else if (f.step == 1) {
            from_client = false;
            w.u32(0x02000000);
            w.noise(noise_, rng_, 88);
        } else {
            from_client = rng_.percent(50);
            w.u32(0x04000000);
            w.noise(noise_, rng_, 12); // receiver index, counter
            w.noise(noise_, rng_, 16 * rng_.between(1, 88));
        }
        check(w);
        send_udp(f, from_client, w.size());
        ++f.step;
        return f.step >= f.txs + 2;
    }

    bool step_arp(Flow& f)
    {
        const Host& h = clients_[f.client];
        const IpAddr gateway = servers_[0].v4;
        if (f.step++ == 0) {
            emit(frame_.arp(h.mac, kBroadcast, 1, h.mac, h.v4, Mac{}, gateway, false));
            return false;
        }
        emit(frame_.arp(kGatewayMac, h.mac, 2, kGatewayMac, gateway, h.mac, h.v4, true));
        return true;
    }

    bool step_icmp(Flow& f)
    {
        const bool reply = (f.step % 2) == 1;
        std::uint8_t* p = frame_.icmp_payload(f.v6);
        Writer w(p, frame_.room());
        w.noise(noise_, rng_, 16); // ping's timestamp, then its fixed pattern
        for (std::uint32_t i = 0; i < 40; ++i) {
            w.u8(0x10 + i);
        }
        check(w);
        const auto seq = static_cast<std::uint16_t>(1 + f.step / 2);
        emit(frame_.finish_icmp_echo(path(f, !reply), reply, f.cport, seq, w.size()));
        ++f.step;
        return f.step == 2 * f.txs;
    }

    Rng rng_;
    pktgen::NoisePool noise_;
    pktgen::PcapWriter& out_;
    pktgen::Frame frame_;
    std::array<std::uint8_t, 2048> scratch_{};
    std::vector<Host> clients_;
    std::vector<Server> servers_;
    std::array<std::vector<Flow>, kKinds> pools_;
    std::array<std::uint32_t, kKinds> cumulative_{};
    std::array<std::uint64_t, kKinds> per_kind_{};
    std::size_t current_ = 0;
    std::uint64_t clock_us_ = 1704067200ULL * 1000000; // 2024-01-01T00:00:00Z
    std::uint64_t flows_started_ = 0;
    std::uint64_t v6_packets_ = 0;
    bool overflow_ = false;
};

bool parse_u64(const char* text, std::uint64_t* out)
{
    const std::string_view s(text);
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && end == s.data() + s.size();
}

} // namespace

int main(int argc, char** argv)
{
    std::uint64_t n = 0;
    std::uint64_t seed = 1;
    if (argc < 3 || argc > 4 || !parse_u64(argv[2], &n) || n == 0 ||
        (argc == 4 && !parse_u64(argv[3], &seed))) {
        std::fprintf(stderr,
                     "usage: make_mix_pcap OUT.pcap N_PACKETS [SEED]\n"
                     "  writes N_PACKETS (> 0) of a DNS/TLS/QUIC/other traffic mix; the same\n"
                     "  SEED (default 1) always gives the same file\n");
        return 2;
    }
    pktgen::PcapWriter out;
    if (!out.open(argv[1])) {
        std::fprintf(stderr, "make_mix_pcap: %s: %s\n", argv[1], std::strerror(errno));
        return 1;
    }
    Generator gen(seed, out);
    gen.run(n);
    if (gen.overflowed()) {
        // A bug in this generator, not a user error: never leave a file with cut packets.
        std::fprintf(stderr, "make_mix_pcap: internal error: a packet overflowed its buffer\n");
        std::remove(argv[1]);
        return 1;
    }
    if (!out.close()) {
        std::fprintf(
            stderr, "make_mix_pcap: %s: write failed: %s\n", argv[1], std::strerror(errno));
        std::remove(argv[1]);
        return 1;
    }
    gen.print_stats(stderr);
    return 0;
}
