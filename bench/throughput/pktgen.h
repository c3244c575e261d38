// Shared by make_mix_pcap and make_flood_pcap: a deterministic PRNG, a bounded byte writer,
// Ethernet/IPv4/IPv6/TCP/UDP/ICMP/ARP frame building and a buffered classic-pcap writer.
//
// Every buffer here is fixed-size and reused. The generators emit millions of packets, and a
// heap allocation per packet would cost more than building the packet.
#pragma once

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace pktgen {

inline void put16(std::uint8_t* p, std::uint32_t v)
{
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}

inline void put32(std::uint8_t* p, std::uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

// The pcap file and record headers are little-endian (we write the 0xa1b2c3d4 magic in
// little-endian order), unlike everything on the wire.
inline void put_le16(std::uint8_t* p, std::uint32_t v)
{
    p[0] = static_cast<std::uint8_t>(v);
    p[1] = static_cast<std::uint8_t>(v >> 8);
}

inline void put_le32(std::uint8_t* p, std::uint32_t v)
{
    put_le16(p, v);
    put_le16(p + 2, v >> 16);
}

// xoshiro256** seeded through splitmix64. <random>'s distributions are not used because their
// output is implementation-defined: the same seed must give the same file with every
// standard library, or published figures cannot be reproduced.
class Rng {
public:
    explicit Rng(std::uint64_t seed)
    {
        for (auto& word : state_) {
            seed += 0x9e3779b97f4a7c15ULL;
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            word = z ^ (z >> 31);
        }
    }

    std::uint64_t next()
    {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

    // Uniform in [0, n) by multiply-shift. Its bias (below n / 2^32) does not matter for a
    // traffic mix, and it avoids a division per call.
    std::uint32_t below(std::uint32_t n)
    {
        return static_cast<std::uint32_t>(((next() >> 32) * n) >> 32);
    }

    // Uniform in [lo, hi], both inclusive.
    std::uint32_t between(std::uint32_t lo, std::uint32_t hi) { return lo + below(hi - lo + 1); }

    bool percent(std::uint32_t p) { return below(100) < p; }

    std::uint16_t u16() { return static_cast<std::uint16_t>(next() >> 48); }

    std::uint32_t u32() { return static_cast<std::uint32_t>(next() >> 32); }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

    std::array<std::uint64_t, 4> state_{};
};

// Encrypted payloads are random bytes, but drawing each byte from the PRNG would dominate the
// run time; copying a random window of a pool filled once is as good for a parser benchmark.
class NoisePool {
public:
    static constexpr std::size_t kSize = 64 * 1024;

    explicit NoisePool(Rng& rng) : pool_(kSize)
    {
        for (std::size_t i = 0; i < kSize; i += 8) {
            const std::uint64_t word = rng.next();
            for (std::size_t j = 0; j < 8; ++j) {
                pool_[i + j] = static_cast<std::uint8_t>(word >> (8 * j));
            }
        }
    }

    // n must not exceed kSize / 2 (every caller writes at most one Ethernet MTU).
    void copy(Rng& rng, std::uint8_t* dst, std::size_t n) const
    {
        const std::size_t start = rng.below(static_cast<std::uint32_t>(kSize / 2));
        std::memcpy(dst, pool_.data() + start, n);
    }

private:
    std::vector<std::uint8_t> pool_;
};

// Big-endian writer over a fixed buffer. Writing past the end sets a sticky overflow flag
// instead of writing, so a generator bug fails loudly (the caller checks overflow()) rather
// than corrupting memory or emitting a silently truncated packet.
class Writer {
public:
    Writer(std::uint8_t* data, std::size_t capacity) : data_(data), cap_(capacity) {}

    void u8(std::uint32_t v)
    {
        if (room(1)) {
            data_[len_++] = static_cast<std::uint8_t>(v);
        }
    }

    void u16(std::uint32_t v)
    {
        if (room(2)) {
            put16(data_ + len_, v);
            len_ += 2;
        }
    }

    void u32(std::uint32_t v)
    {
        if (room(4)) {
            put32(data_ + len_, v);
            len_ += 4;
        }
    }

    void bytes(const void* src, std::size_t n)
    {
        if (room(n)) {
            std::memcpy(data_ + len_, src, n);
            len_ += n;
        }
    }

    void text(std::string_view s) { bytes(s.data(), s.size()); }

    // A byte-string literal, NULs included: a string_view made from a literal would stop at
    // its first NUL.
    template <std::size_t N>
    void literal(const char (&s)[N])
    {
        bytes(s, N - 1);
    }

    void decimal(std::uint32_t v)
    {
        char digits[10];
        const char* end = std::to_chars(digits, digits + sizeof digits, v).ptr;
        bytes(digits, static_cast<std::size_t>(end - digits));
    }

    // Big-endian, so that opaque IDs are the same bytes on every host.
    void u64(std::uint64_t v)
    {
        u32(static_cast<std::uint32_t>(v >> 32));
        u32(static_cast<std::uint32_t>(v));
    }

    void noise(const NoisePool& pool, Rng& rng, std::size_t n)
    {
        if (n > NoisePool::kSize / 2) {
            overflow_ = true; // larger than any packet: a generator bug
            return;
        }
        if (room(n)) {
            pool.copy(rng, data_ + len_, n);
            len_ += n;
        }
    }

    // Length fields are reserved first and closed once their body is written, so nested TLS
    // and DNS structures never need their sizes computed twice.
    std::size_t reserve(std::size_t width)
    {
        const std::size_t at = len_;
        if (room(width)) {
            std::memset(data_ + len_, 0, width);
            len_ += width;
        }
        return at;
    }

    void close16(std::size_t at)
    {
        if (!overflow_) {
            put16(data_ + at, static_cast<std::uint32_t>(len_ - at - 2));
        }
    }

    void close24(std::size_t at)
    {
        if (!overflow_) {
            const auto n = static_cast<std::uint32_t>(len_ - at - 3);
            data_[at] = static_cast<std::uint8_t>(n >> 16);
            put16(data_ + at + 1, n);
        }
    }

    void patch16(std::size_t at, std::uint32_t v)
    {
        if (!overflow_) {
            put16(data_ + at, v);
        }
    }

    // A writer over the space left, for a nested structure whose offsets count from its own
    // start: a DNS message behind a TCP length prefix, whose compression pointers are relative
    // to the message, not to the segment. commit() takes its bytes (and any overflow) back.
    Writer rest() { return Writer(data_ + len_, cap_ - len_); }

    void commit(const Writer& nested)
    {
        if (nested.overflow_) {
            overflow_ = true;
        } else if (room(nested.len_)) {
            len_ += nested.len_;
        }
    }

    std::size_t size() const { return len_; }

    std::size_t left() const { return cap_ - len_; }

    bool overflow() const { return overflow_; }

private:
    bool room(std::size_t n)
    {
        if (overflow_ || cap_ - len_ < n) {
            overflow_ = true;
            return false;
        }
        return true;
    }

    std::uint8_t* data_;
    std::size_t cap_;
    std::size_t len_ = 0;
    bool overflow_ = false;
};

// One DNS label; a template prefix such as "service-" takes a number so that a few zones yield
// thousands of distinct names, as in real traffic.
inline void dns_label(Writer& w, std::string_view text, std::int64_t number = -1)
{
    char digits[20];
    std::size_t ndigits = 0;
    if (number >= 0) {
        ndigits = static_cast<std::size_t>(
            std::to_chars(digits, digits + sizeof digits, number).ptr - digits);
    }
    w.u8(static_cast<std::uint32_t>(text.size() + ndigits));
    w.text(text);
    w.bytes(digits, ndigits);
}

// A compression pointer (RFC 1035 4.1.4) to an earlier offset in the message.
inline void dns_pointer(Writer& w, std::size_t offset)
{
    w.u16(0xC000U | static_cast<std::uint32_t>(offset));
}

using Mac = std::array<std::uint8_t, 6>;

struct IpAddr {
    bool v6 = false;
    std::array<std::uint8_t, 16> b{}; // IPv4 uses the first four bytes

    static IpAddr v4(std::uint8_t a, std::uint8_t b1, std::uint8_t c, std::uint8_t d)
    {
        IpAddr ip;
        ip.b[0] = a;
        ip.b[1] = b1;
        ip.b[2] = c;
        ip.b[3] = d;
        return ip;
    }

    static IpAddr v6_groups(const std::array<std::uint16_t, 8>& groups)
    {
        IpAddr ip;
        ip.v6 = true;
        for (std::size_t i = 0; i < 8; ++i) {
            put16(ip.b.data() + 2 * i, groups[i]);
        }
        return ip;
    }

    std::size_t size() const { return v6 ? 16 : 4; }
};

// One direction of a conversation, as the frame builder needs it.
struct Path {
    Mac src_mac{};
    Mac dst_mac{};
    IpAddr src;
    IpAddr dst;
    std::uint16_t sport = 0;
    std::uint16_t dport = 0;
    std::uint8_t hop_limit = 64;
    std::uint32_t flow_label = 0;
    // Received frames are padded to the 60-byte Ethernet minimum by the sending NIC, so a
    // decoder must trust the IP length rather than the frame length; sent frames are not.
    bool pad = false;
};

namespace tcpflag {
constexpr std::uint8_t fin = 0x01;
constexpr std::uint8_t syn = 0x02;
constexpr std::uint8_t rst = 0x04;
constexpr std::uint8_t psh = 0x08;
constexpr std::uint8_t ack = 0x10;
} // namespace tcpflag

// Internet checksum (RFC 1071) summed on native-endian 32-bit words: the one's-complement sum
// is byte-order independent, so the folded result is stored back with memcpy, unswapped.
inline std::uint64_t csum_add(std::uint64_t acc, const std::uint8_t* p, std::size_t n)
{
    for (; n >= 4; p += 4, n -= 4) {
        std::uint32_t w;
        std::memcpy(&w, p, 4);
        acc += w;
    }
    if (n >= 2) {
        std::uint16_t w;
        std::memcpy(&w, p, 2);
        acc += w;
        p += 2;
        n -= 2;
    }
    if (n == 1) {
        const std::uint8_t last[2] = {*p, 0};
        std::uint16_t w;
        std::memcpy(&w, last, 2);
        acc += w;
    }
    return acc;
}

inline void csum_store(std::uint8_t* at, std::uint64_t acc, bool udp)
{
    while ((acc >> 16) != 0) {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    auto sum = static_cast<std::uint16_t>(~acc);
    if (udp && sum == 0) {
        sum = 0xffff; // 0 means "no checksum" in UDP
    }
    std::memcpy(at, &sum, 2);
}

// Builds one Ethernet frame at a time in a fixed buffer. Callers ask where the payload goes,
// write it in place, then finish_*() writes the headers around it; no payload is copied twice.
class Frame {
public:
    static constexpr std::size_t kEth = 14;
    static constexpr std::size_t kMtu = 1500;
    static constexpr std::size_t kSynOptions = 12; // MSS, SACK permitted, window scale

    std::uint8_t* tcp_payload(bool v6, bool syn_options = false)
    {
        return layout(v6, 20 + (syn_options ? kSynOptions : 0));
    }

    std::uint8_t* udp_payload(bool v6) { return layout(v6, 8); }

    std::uint8_t* icmp_payload(bool v6) { return layout(v6, 8); }

    // Payload bytes that still fit in a 1500-byte MTU after the headers chosen above.
    std::size_t room() const { return kEth + kMtu - payload_off_; }

    std::span<const std::uint8_t> finish_tcp(
        const Path& path, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags, std::size_t len)
    {
        const std::size_t hdr = payload_off_ - l4_off_;
        std::uint8_t* t = buf_.data() + l4_off_;
        put16(t, path.sport);
        put16(t + 2, path.dport);
        put32(t + 4, seq);
        put32(t + 8, ack);
        t[12] = static_cast<std::uint8_t>((hdr / 4) << 4);
        t[13] = flags;
        put16(t + 14, (flags & tcpflag::syn) != 0 ? 64240 : 501);
        put16(t + 16, 0);
        put16(t + 18, 0);
        if (hdr > 20) {
            const std::uint8_t opts[kSynOptions] = {2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7};
            std::memcpy(t + 20, opts, sizeof opts);
            if (path.src.v6) {
                put16(t + 22, 1440); // MSS = 1500 - 40 - 20
            }
        }
        return finish_ip(path, 6, hdr + len, 16);
    }

    std::span<const std::uint8_t> finish_udp(const Path& path, std::size_t len)
    {
        std::uint8_t* u = buf_.data() + l4_off_;
        put16(u, path.sport);
        put16(u + 2, path.dport);
        put16(u + 4, static_cast<std::uint32_t>(8 + len));
        put16(u + 6, 0);
        return finish_ip(path, 17, 8 + len, 6);
    }

    std::span<const std::uint8_t> finish_icmp_echo(
        const Path& path, bool reply, std::uint16_t id, std::uint16_t seq, std::size_t len)
    {
        std::uint8_t* c = buf_.data() + l4_off_;
        if (path.src.v6) {
            c[0] = reply ? 129 : 128;
        } else {
            c[0] = reply ? 0 : 8;
        }
        c[1] = 0;
        put16(c + 2, 0);
        put16(c + 4, id);
        put16(c + 6, seq);
        return finish_ip(path, path.src.v6 ? 58 : 1, 8 + len, 2);
    }

    // ARP for IPv4 over Ethernet (RFC 826); op 1 = request, 2 = reply.
    std::span<const std::uint8_t> arp(const Mac& eth_src,
                                      const Mac& eth_dst,
                                      std::uint16_t op,
                                      const Mac& sha,
                                      const IpAddr& spa,
                                      const Mac& tha,
                                      const IpAddr& tpa,
                                      bool pad)
    {
        std::uint8_t* f = buf_.data();
        std::memcpy(f, eth_dst.data(), 6);
        std::memcpy(f + 6, eth_src.data(), 6);
        put16(f + 12, 0x0806);
        std::uint8_t* a = f + kEth;
        put16(a, 1);
        put16(a + 2, 0x0800);
        a[4] = 6;
        a[5] = 4;
        put16(a + 6, op);
        std::memcpy(a + 8, sha.data(), 6);
        std::memcpy(a + 14, spa.b.data(), 4);
        std::memcpy(a + 18, tha.data(), 6);
        std::memcpy(a + 24, tpa.b.data(), 4);
        return padded(kEth + 28, pad);
    }

private:
    std::uint8_t* layout(bool v6, std::size_t l4_header)
    {
        l4_off_ = kEth + (v6 ? 40 : 20);
        payload_off_ = l4_off_ + l4_header;
        return buf_.data() + payload_off_;
    }

    std::span<const std::uint8_t>
    finish_ip(const Path& path, std::uint8_t proto, std::size_t l4_len, std::size_t csum_at)
    {
        std::uint8_t* f = buf_.data();
        std::memcpy(f, path.dst_mac.data(), 6);
        std::memcpy(f + 6, path.src_mac.data(), 6);
        std::uint8_t* ip = f + kEth;
        const auto l4_len32 = static_cast<std::uint32_t>(l4_len);
        // The pseudo-header's protocol and length words; ICMPv4 is the one checksum without it.
        std::uint8_t pseudo[8] = {};
        std::uint64_t acc = 0;
        if (path.src.v6) {
            put16(f + 12, 0x86dd);
            put32(ip, 0x60000000U | (path.flow_label & 0xfffff));
            put16(ip + 4, l4_len32);
            ip[6] = proto;
            ip[7] = path.hop_limit;
            std::memcpy(ip + 8, path.src.b.data(), 16);
            std::memcpy(ip + 24, path.dst.b.data(), 16);
            put32(pseudo, l4_len32);
            pseudo[7] = proto;
            acc = csum_add(acc, ip + 8, 32);
            acc = csum_add(acc, pseudo, 8);
        } else {
            put16(f + 12, 0x0800);
            ip[0] = 0x45;
            ip[1] = 0;
            put16(ip + 2, 20 + l4_len32);
            put16(ip + 4, ip_id_++);
            put16(ip + 6, 0x4000); // DF, as Linux sets on TCP and on most UDP
            ip[8] = path.hop_limit;
            ip[9] = proto;
            put16(ip + 10, 0);
            std::memcpy(ip + 12, path.src.b.data(), 4);
            std::memcpy(ip + 16, path.dst.b.data(), 4);
            csum_store(ip + 10, csum_add(0, ip, 20), false);
            if (proto != 1) {
                pseudo[1] = proto;
                put16(pseudo + 2, l4_len32);
                acc = csum_add(acc, ip + 12, 8);
                acc = csum_add(acc, pseudo, 4);
            }
        }
        std::uint8_t* l4 = f + l4_off_;
        acc = csum_add(acc, l4, l4_len);
        csum_store(l4 + csum_at, acc, proto == 17);
        return padded(l4_off_ + l4_len, path.pad);
    }

    std::span<const std::uint8_t> padded(std::size_t len, bool pad)
    {
        if (pad && len < 60) {
            std::memset(buf_.data() + len, 0, 60 - len);
            len = 60;
        }
        return {buf_.data(), len};
    }

    std::array<std::uint8_t, kEth + kMtu + 64> buf_{};
    std::size_t l4_off_ = 0;
    std::size_t payload_off_ = 0;
    std::uint16_t ip_id_ = 1;
};

// Classic pcap (not pcapng), little-endian, microsecond timestamps, LINKTYPE_ETHERNET. Records
// are gathered in a 1 MiB buffer and written with one fwrite per megabyte: per-record stdio
// calls (two per packet, each taking the FILE lock) cost more than building the packet.
class PcapWriter {
public:
    PcapWriter() : buf_(1 << 20) {}

    PcapWriter(const PcapWriter&) = delete;
    PcapWriter& operator=(const PcapWriter&) = delete;

    ~PcapWriter()
    {
        if (file_ != nullptr) {
            std::fclose(file_);
        }
    }

    bool open(const char* path)
    {
        file_ = std::fopen(path, "wb");
        if (file_ == nullptr) {
            return false;
        }
        std::uint8_t hdr[24];
        put_le32(hdr, 0xa1b2c3d4);
        put_le16(hdr + 4, 2);
        put_le16(hdr + 6, 4);
        put_le32(hdr + 8, 0);      // thiszone
        put_le32(hdr + 12, 0);     // sigfigs
        put_le32(hdr + 16, 65535); // snaplen: every frame is captured whole
        put_le32(hdr + 20, 1);     // LINKTYPE_ETHERNET
        append(hdr, sizeof hdr);
        return true;
    }

    void write(std::uint64_t ts_us, std::span<const std::uint8_t> frame)
    {
        std::uint8_t rec[16];
        put_le32(rec, static_cast<std::uint32_t>(ts_us / 1000000));
        put_le32(rec + 4, static_cast<std::uint32_t>(ts_us % 1000000));
        put_le32(rec + 8, static_cast<std::uint32_t>(frame.size()));
        put_le32(rec + 12, static_cast<std::uint32_t>(frame.size()));
        append(rec, sizeof rec);
        append(frame.data(), frame.size());
        ++records_;
    }

    // Flushes and closes; false if any write failed (a full disk must not leave a short file
    // that looks complete).
    bool close()
    {
        flush();
        const bool closed = std::fclose(file_) == 0;
        file_ = nullptr;
        return closed && !failed_;
    }

    std::uint64_t records() const { return records_; }

private:
    void append(const std::uint8_t* p, std::size_t n)
    {
        if (buf_.size() - used_ < n) {
            flush();
        }
        std::memcpy(buf_.data() + used_, p, n);
        used_ += n;
    }

    void flush()
    {
        if (used_ != 0 && std::fwrite(buf_.data(), 1, used_, file_) != used_) {
            failed_ = true;
        }
        used_ = 0;
    }

    std::FILE* file_ = nullptr;
    std::vector<std::uint8_t> buf_;
    std::size_t used_ = 0;
    std::uint64_t records_ = 0;
    bool failed_ = false;
};

} // namespace pktgen
