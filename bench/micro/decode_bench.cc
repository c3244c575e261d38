// Frame decoding cost per link type: the share of the per-packet budget the decoder takes
// (the whole-process target is half of a plain libpcap read, about 200 ns per packet).
#include "net/decode.h"

#include <cstdint>
#include <vector>

#include <benchmark/benchmark.h>

namespace {

std::vector<std::uint8_t> ethernet_udp_dns()
{
    std::vector<std::uint8_t> f = {
        0x02, 0,    0,    0,    0,   1,  0x02, 0,  0,  0,  0, 2, 0x08, 0x00, // Ethernet, IPv4
        0x45, 0,    0,    45,   0,   0,  0x40, 0,  64, 17, 0, 0, // IPv4: len 45, DF, UDP
        192,  0,    2,    1,    198, 51, 100,  53,               // src, dst
        0xC0, 0x00, 0,    53,   0,   25, 0,    0,                // UDP 49152 -> 53, len 25
        0x12, 0x34, 0x01, 0x00, 0,   1,  0,    0,  0,  0,  0, 0, // DNS header
        1,    'a',  0,    0,    1,   0,  1,                      // a. A IN
    };
    return f;
}

std::vector<std::uint8_t> sll2_tcp443()
{
    std::vector<std::uint8_t> f = {
        0x86, 0xDD, 0,    0,    0, 0,  0, 3,  0, 1, 4, 6, 0,    0,    0,    0,
        0,    0,    0,    0,                                                   // SLL2, IPv6, out
        0x60, 0,    0,    0,    0, 20, 6, 64,                                  // IPv6, TCP
        0x20, 0x01, 0x0d, 0xb8, 0, 0,  0, 0,  0, 0, 0, 0, 0,    0,    0,    1, // 2001:db8::1
        0x20, 0x01, 0x0d, 0xb8, 0, 0,  0, 0,  0, 0, 0, 0, 0,    0,    0,    2, // 2001:db8::2
        0xC0, 0x01, 0x01, 0xBB, 0, 0,  0, 1,  0, 0, 0, 0, 0x50, 0x02, 0xFF, 0xFF,
        0,    0,    0,    0,
    };
    return f;
}

void decode_loop(benchmark::State& state, std::uint32_t link, const std::vector<std::uint8_t>& f)
{
    wtfn::net::PacketView view;
    wtfn::util::MalformedCounters bad;
    for (auto _ : state) {
        auto st = wtfn::net::decode_frame(link, f, view, bad);
        benchmark::DoNotOptimize(st);
        benchmark::DoNotOptimize(view.dst_port);
    }
}

void BM_DecodeEthernetIpv4Udp(benchmark::State& state)
{
    decode_loop(state, 1, ethernet_udp_dns());
}

BENCHMARK(BM_DecodeEthernetIpv4Udp);

void BM_DecodeSll2Ipv6Tcp(benchmark::State& state)
{
    decode_loop(state, 276, sll2_tcp443());
}

BENCHMARK(BM_DecodeSll2Ipv6Tcp);

} // namespace
