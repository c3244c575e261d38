// DNS parser costs: a typical response, and the worst case RELIABILITY.md M4 asks about —
// the most decompression-expensive message the rules of section 2 (rows 1-2) allow, in a
// 512-byte UDP message and a 65,535-byte TCP message. Targets: <= 100 us and <= 1 ms.
#include <cstdint>
#include <vector>

#include <benchmark/benchmark.h>

#include "proto/dns_message.h"

namespace {

using Bytes = std::vector<std::uint8_t>;

void put16(Bytes& b, std::uint16_t v)
{
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

void put_name(Bytes& b, std::initializer_list<const char*> labels)
{
    for (const char* l : labels) {
        const auto n = static_cast<std::uint8_t>(std::char_traits<char>::length(l));
        b.push_back(n);
        b.insert(b.end(), l, l + n);
    }
    b.push_back(0);
}

// www.example.com A with CNAME + two A answers, EDNS.
Bytes typical_response()
{
    Bytes b;
    put16(b, 0x1234);
    put16(b, 0x8180);
    put16(b, 1);
    put16(b, 3);
    put16(b, 0);
    put16(b, 1);
    put_name(b, {"www", "example", "com"});
    put16(b, 1);
    put16(b, 1);
    // CNAME www.example.com -> edge.example.net
    put16(b, 0xC00C);
    put16(b, 5);
    put16(b, 1);
    put16(b, 0);
    put16(b, 300);
    Bytes target;
    put_name(target, {"edge", "example", "net"});
    put16(b, static_cast<std::uint16_t>(target.size()));
    const auto target_offset = static_cast<std::uint16_t>(b.size());
    b.insert(b.end(), target.begin(), target.end());
    for (int i = 0; i < 2; ++i) {
        put16(b, static_cast<std::uint16_t>(0xC000 | target_offset));
        put16(b, 1);
        put16(b, 1);
        put16(b, 0);
        put16(b, 60);
        put16(b, 4);
        b.insert(b.end(), {192, 0, 2, static_cast<std::uint8_t>(10 + i)});
    }
    b.push_back(0); // OPT owner: root
    put16(b, 41);
    put16(b, 1232);
    put16(b, 0);
    put16(b, 0);
    put16(b, 0);
    return b;
}

// Worst case under our rules: a chain of single-octet labels where each name is one new
// label plus a pointer to the previous name, so that every answer's owner decodes to the
// longest name the 255-octet limit allows, following as many pointers as the backwards rule
// permits. The message is filled to `size` bytes with such answers.
Bytes worst_case(std::size_t size)
{
    Bytes b;
    put16(b, 1);
    put16(b, 0x8180);
    put16(b, 0);
    const std::size_t ancount_at = b.size();
    put16(b, 0);
    put16(b, 0);
    put16(b, 0);
    // The chain lives in the RDATA of a first record of a private type (owner: root), so
    // the message stays well formed: name_k = "a" + pointer(name_{k-1}); 126 links make the
    // longest name the 255-octet rule allows.
    b.push_back(0);
    put16(b, 0xFF00);
    put16(b, 1);
    put16(b, 0);
    put16(b, 0);
    const std::size_t rdlength_at = b.size();
    put16(b, 0);
    const std::size_t rdata_start = b.size();
    std::uint16_t prev = static_cast<std::uint16_t>(b.size());
    b.push_back(1);
    b.push_back('a');
    b.push_back(0);
    // In a 512-byte message the chain takes half the room, so that records can use it.
    const int links = size >= 4096 ? 126 : static_cast<int>((size / 2) / 4);
    for (int k = 1; k < links; ++k) {
        const auto here = static_cast<std::uint16_t>(b.size());
        b.push_back(1);
        b.push_back('a');
        put16(b, static_cast<std::uint16_t>(0xC000 | prev));
        prev = here;
    }
    const auto rdlength = static_cast<std::uint16_t>(b.size() - rdata_start);
    b[rdlength_at] = static_cast<std::uint8_t>(rdlength >> 8);
    b[rdlength_at + 1] = static_cast<std::uint8_t>(rdlength & 0xFF);
    // Records whose owner points at the end of the chain: each decodes 126 hops and 253
    // characters.
    std::uint16_t count = 1;
    while (b.size() + 16 <= size && count < 65535) {
        put16(b, static_cast<std::uint16_t>(0xC000 | prev));
        put16(b, 1);
        put16(b, 1);
        put16(b, 0);
        put16(b, 1);
        put16(b, 4);
        b.insert(b.end(), {192, 0, 2, 1});
        ++count;
    }
    b[ancount_at] = static_cast<std::uint8_t>(count >> 8);
    b[ancount_at + 1] = static_cast<std::uint8_t>(count & 0xFF);
    return b;
}

void parse_loop(benchmark::State& state, const Bytes& wire)
{
    static wtfn::proto::DnsMessage msg; // large: keep it off the stack, reuse like the pipeline
    for (auto _ : state) {
        auto err = wtfn::proto::parse_dns_message(wire, msg);
        benchmark::DoNotOptimize(err);
        benchmark::DoNotOptimize(msg.answer_count);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}

void BM_ParseTypicalResponse(benchmark::State& state)
{
    parse_loop(state, typical_response());
}

BENCHMARK(BM_ParseTypicalResponse);

void BM_ParseWorstCase512(benchmark::State& state)
{
    const Bytes wire = worst_case(512);
    static wtfn::proto::DnsMessage probe;
    state.counters["parse_ok"] = wtfn::proto::parse_dns_message(wire, probe) ? 0.0 : 1.0;
    state.counters["answers"] = probe.answer_count;
    parse_loop(state, wire);
}

BENCHMARK(BM_ParseWorstCase512)->Unit(benchmark::kMicrosecond);

void BM_ParseWorstCase65535(benchmark::State& state)
{
    const Bytes wire = worst_case(65535);
    wtfn::proto::DnsMessage* probe = new wtfn::proto::DnsMessage;
    const auto err = wtfn::proto::parse_dns_message(wire, *probe);
    delete probe;
    // The per-message work budget must stop this message (dns.work_limit).
    state.counters["work_limit_hit"] =
        (err && *err == wtfn::util::Malformed::dns_work_limit) ? 1.0 : 0.0;
    parse_loop(state, wire);
}

BENCHMARK(BM_ParseWorstCase65535)->Unit(benchmark::kMicrosecond);

} // namespace
