// fuzz_dns_tcp_stream: DNS-over-TCP framing (src/proto/dns_tcp_stream.h; RELIABILITY.md row 8
// and R3) fed as a sequence of segments, like Zeek's FuzzBuffer but cut with
// FuzzedDataProvider.
//
// Input layout (FuzzedDataProvider takes integers from the end and bytes from the front):
//   last byte                 memcap selector, an index into MEMCAPS
//   then, up to 64 times      a segment length in [0, bytes remaining], followed by that many
//                             segment bytes
// fuzz/make_seeds.py writes seeds in exactly this layout. Every complete message is parsed as
// DNS, as the pipeline does. After finish() the stream must have given back every byte it
// took from the shared budget.
#include "proto/dns_tcp_stream.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "fuzz_common.h"
#include "proto/dns_message.h"

namespace {

constexpr std::size_t MAX_SEGMENTS = 64;
constexpr std::size_t MAX_BUFFERED = 2 + 65535; // length prefix + the largest message

// Small global memcaps, so that dropping a stream (tcp.reassembly_memcap_drop) is as easy to
// reach as completing a message; 65,537 is exactly one largest message plus its prefix.
constexpr std::array<std::size_t, 8> MEMCAPS = {0, 1, 2, 3, 64, 512, 4096, MAX_BUFFERED};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace wtfn::proto;
    static DnsMessage message;
    const wtfn::fuzz::ExactCopy input(data, size);
    FuzzedDataProvider fdp(input.data(), input.size());

    ReassemblyBudget budget;
    budget.memcap = MEMCAPS[fdp.ConsumeIntegral<std::uint8_t>() % MEMCAPS.size()];
    wtfn::util::MalformedCounters bad;
    DnsTcpStream stream;
    std::size_t messages = 0;
    std::size_t fed = 0;
    for (std::size_t n = 0; n < MAX_SEGMENTS && fdp.remaining_bytes() > 0; ++n) {
        const std::size_t len = fdp.ConsumeIntegralInRange<std::size_t>(0, fdp.remaining_bytes());
        const std::vector<std::uint8_t> bytes = fdp.ConsumeBytes<std::uint8_t>(len);
        // The segment gets its own exact-size buffer, as each captured packet would have.
        const wtfn::fuzz::ExactCopy segment(bytes.data(), bytes.size());
        fed += segment.size();
        stream.feed(wtfn::util::Bytes{segment.data(), segment.size()},
                    budget,
                    bad,
                    [&](wtfn::util::Bytes msg) {
                        WTFN_FUZZ_CHECK(!msg.empty() && msg.size() <= 65535);
                        ++messages;
                        (void)parse_dns_message(msg, message);
                    });
        WTFN_FUZZ_CHECK(budget.in_use <= budget.memcap);
        WTFN_FUZZ_CHECK(budget.in_use == stream.buffered());
        WTFN_FUZZ_CHECK(stream.buffered() < MAX_BUFFERED);
        if (stream.dropped()) {
            WTFN_FUZZ_CHECK(stream.buffered() == 0);
            WTFN_FUZZ_CHECK(bad.get(wtfn::util::Malformed::tcp_reassembly_memcap_drop) == 1);
        }
    }
    // Each message costs at least 3 bytes (prefix + 1), each zero-length prefix 2.
    WTFN_FUZZ_CHECK(3 * messages + 2 * bad.get(wtfn::util::Malformed::dns_tcp_zero_length) <= fed);

    const bool had_tail = stream.buffered() != 0;
    stream.finish(budget, bad);
    WTFN_FUZZ_CHECK(budget.in_use == 0);
    WTFN_FUZZ_CHECK(stream.buffered() == 0);
    WTFN_FUZZ_CHECK(bad.get(wtfn::util::Malformed::dns_tcp_truncated) == (had_tail ? 1u : 0u));
    return 0;
}
