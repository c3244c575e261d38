// Invariants of a decoded frame, shared by fuzz_linklayer and fuzz_ip_transport.
#pragma once

#include <cstdint>

#include "fuzz_common.h"
#include "net/decode.h"

namespace wtfn::fuzz {

// What decode_frame()/decode_ip() promise (src/net/decode.h): the payload is a view inside
// the bytes decoded, `ok` means UDP or TCP, and a malformed packet increments exactly one
// counter.
inline void check_decoded(net::DecodeStatus status,
                          util::Bytes frame,
                          const net::PacketView& view,
                          const util::MalformedCounters& bad)
{
    const auto begin = reinterpret_cast<std::uintptr_t>(frame.data());
    const auto end = begin + frame.size();
    if (!view.payload.empty()) {
        const auto p = reinterpret_cast<std::uintptr_t>(view.payload.data());
        WTFN_FUZZ_CHECK(p >= begin && p <= end && view.payload.size() <= end - p);
    }
    switch (status) {
        case net::DecodeStatus::ok:
            WTFN_FUZZ_CHECK(view.l4 == net::L4::udp || view.l4 == net::L4::tcp);
            WTFN_FUZZ_CHECK(view.src.version == 4 || view.src.version == 6);
            WTFN_FUZZ_CHECK(view.src.version == view.dst.version);
            // Decoding may note a lie it worked around (net.ip_trunc, net.udp_len_invalid).
            WTFN_FUZZ_CHECK(bad.total() <= 2);
            break;
        case net::DecodeStatus::malformed:
            WTFN_FUZZ_CHECK(bad.total() >= 1 && bad.total() <= 2);
            WTFN_FUZZ_CHECK(view.payload.empty());
            break;
        case net::DecodeStatus::fragment:
            WTFN_FUZZ_CHECK(bad.get(util::Malformed::net_fragment) == 1);
            break;
        case net::DecodeStatus::not_ip:
        case net::DecodeStatus::other_l4:
            WTFN_FUZZ_CHECK(view.payload.empty());
            break;
    }
    // Touch the addresses as the report does.
    (void)view.src.to_string();
    (void)view.dst.to_string();
}

} // namespace wtfn::fuzz
