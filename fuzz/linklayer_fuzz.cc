// fuzz_linklayer: decode_frame() for every supported link type (src/net/decode.h;
// RELIABILITY.md rows 11 and 12).
//
// Input: one byte selecting the link type (its value modulo the table size below), then the
// frame exactly as a capture would hold it.
#include <array>
#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"
#include "net/decode.h"
#include "packet_checks.h"

namespace {

// Index = selector byte % size. The order is part of the seed format (fuzz/make_seeds.py).
constexpr std::array<std::uint32_t, 10> LINK_TYPES = {
    0,   // NULL (BSD loopback, host byte order)
    1,   // EN10MB (Ethernet, 802.1Q/802.1ad)
    12,  // RAW (Linux DLT_RAW)
    14,  // RAW (OpenBSD DLT_RAW)
    101, // LINKTYPE_RAW
    108, // LOOP (network byte order)
    113, // LINUX_SLL
    228, // IPV4
    229, // IPV6
    276, // LINUX_SLL2
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1) {
        return 0;
    }
    const wtfn::fuzz::ExactCopy input(data, size);
    const std::uint32_t link_type = LINK_TYPES[input.data()[0] % LINK_TYPES.size()];
    WTFN_FUZZ_CHECK(wtfn::net::link_type_supported(link_type));
    const wtfn::util::Bytes frame = wtfn::util::Bytes{input.data(), input.size()}.subspan(1);

    wtfn::net::PacketView view;
    wtfn::util::MalformedCounters bad;
    const auto status = wtfn::net::decode_frame(link_type, frame, view, bad);
    wtfn::fuzz::check_decoded(status, frame, view, bad);
    return 0;
}
