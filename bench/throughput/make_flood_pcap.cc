// make_flood_pcap: worst-case state floods for the bounded-memory goals (RELIABILITY.md 3.C).
//
//   make_flood_pcap OUT.pcap N [udp|tcp-halfopen]
//
// udp           N DNS queries over UDP, each from its own 5-tuple and each for its own name,
//               and never answered (goal R2): every query is a new 5-tuple and a pending
//               transaction, state that only a cap or a timeout can reclaim.
// tcp-halfopen  N DNS-over-TCP flows, each a SYN and then one segment holding the length
//               prefix 65535 and a single byte of message (goal R3). A reassembler that
//               allocates the declared length up front needs N * 64 KiB; one that grows with
//               the bytes received needs a few bytes per flow.
//
// Packets are 1 us apart, so the whole flood lies well inside every flow timeout: memory must
// be bounded by the caps, not by expiry. Every third flow is IPv6 (larger keys). Sources are
// 10.0.0.0/8 and 2001:db8:1::/48, the resolver 192.0.2.53 / 2001:db8::53.

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "pktgen.h"

namespace {

using pktgen::IpAddr;
using pktgen::Path;
using pktgen::Writer;

enum class Mode { udp, tcp_halfopen };

// Flow i comes from host 1 + i / 60000, port 1024 + i % 60000: distinct 5-tuples for up to
// 60000 * 2^24 flows, while the number of source hosts stays realistic (a botnet, not 1M).
Path flow_path(std::uint64_t i)
{
    Path p;
    const auto host = static_cast<std::uint32_t>(1 + i / 60000); // from 1: never 10.0.0.0
    p.sport = static_cast<std::uint16_t>(1024 + i % 60000);
    p.dport = 53;
    const auto b2 = static_cast<std::uint8_t>(host >> 16);
    const auto b1 = static_cast<std::uint8_t>(host >> 8);
    const auto b0 = static_cast<std::uint8_t>(host);
    p.src_mac = {0x02, 0x42, 0x0a, b2, b1, b0};
    p.dst_mac = {0x02, 0x00, 0x5e, 0x00, 0x00, 0x01};
    if (i % 3 == 2) {
        p.src = IpAddr::v6_groups(
            {0x2001, 0x0db8, 0x0001, 0, 0, 0, b2, static_cast<std::uint16_t>(host)});
        p.dst = IpAddr::v6_groups({0x2001, 0x0db8, 0, 0, 0, 0, 0, 0x53});
        p.flow_label = static_cast<std::uint32_t>(i & 0xfffff);
    } else {
        p.src = IpAddr::v4(10, b2, b1, b0);
        p.dst = IpAddr::v4(192, 0, 2, 53);
    }
    return p;
}

// "q<i>.flood.example.com" A?, with EDNS as stub resolvers send it.
std::size_t write_query(std::uint8_t* out, std::size_t room, std::uint64_t i)
{
    Writer w(out, room);
    w.u16(static_cast<std::uint32_t>(i * 2654435761U)); // spread IDs; the tuple is unique anyway
    w.u16(0x0100);
    w.u16(1);
    w.u16(0);
    w.u16(0);
    w.u16(1);
    pktgen::dns_label(w, "q", static_cast<std::int64_t>(i));
    pktgen::dns_label(w, "flood");
    pktgen::dns_label(w, "example");
    pktgen::dns_label(w, "com");
    w.u8(0);
    w.u16(1);
    w.u16(1);
    w.u8(0);
    w.u16(41);
    w.u16(1232);
    w.u32(0);
    w.u16(0);
    return w.size(); // at most 56 bytes: cannot overflow a 1452-byte payload
}

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
    Mode mode = Mode::udp;
    bool ok = (argc == 3 || argc == 4) && parse_u64(argv[2], &n) && n > 0;
    if (ok && argc == 4) {
        const std::string_view m(argv[3]);
        if (m == "tcp-halfopen") {
            mode = Mode::tcp_halfopen;
        } else if (m != "udp") {
            ok = false;
        }
    }
    if (!ok) {
        std::fprintf(stderr,
                     "usage: make_flood_pcap OUT.pcap N [udp|tcp-halfopen]\n"
                     "  udp           N unanswered DNS queries, each from a distinct 5-tuple\n"
                     "  tcp-halfopen  N DNS-over-TCP flows: SYN, then a 65535 length prefix "
                     "and 1 byte\n");
        return 2;
    }
    pktgen::PcapWriter out;
    if (!out.open(argv[1])) {
        std::fprintf(stderr, "make_flood_pcap: %s: %s\n", argv[1], std::strerror(errno));
        return 1;
    }
    pktgen::Frame frame;
    std::uint64_t ts = 1704067200ULL * 1000000; // 2024-01-01T00:00:00Z
    for (std::uint64_t i = 0; i < n; ++i) {
        const Path path = flow_path(i);
        const bool v6 = path.src.v6;
        if (mode == Mode::udp) {
            std::uint8_t* p = frame.udp_payload(v6);
            const std::size_t len = write_query(p, frame.room(), i);
            out.write(ts++, frame.finish_udp(path, len));
            continue;
        }
        // A half-open flow: the SYN is never answered, yet the client pushes data, as a
        // spoofing flooder does. The declared message length is the 16-bit maximum.
        const auto isn = static_cast<std::uint32_t>(i * 0x9e3779b9U);
        frame.tcp_payload(v6, true);
        out.write(ts++, frame.finish_tcp(path, isn, 0, pktgen::tcpflag::syn, 0));
        std::uint8_t* p = frame.tcp_payload(v6);
        p[0] = 0xff;
        p[1] = 0xff;
        p[2] = 0x00; // first byte of the DNS ID
        out.write(
            ts++,
            frame.finish_tcp(path, isn + 1, 1, pktgen::tcpflag::psh | pktgen::tcpflag::ack, 3));
    }
    if (!out.close()) {
        std::fprintf(
            stderr, "make_flood_pcap: %s: write failed: %s\n", argv[1], std::strerror(errno));
        std::remove(argv[1]);
        return 1;
    }
    return 0;
}
