// Shared by the src/net tests: decode one frame into a fresh view and fresh counters.
#pragma once

#include <string>

#include "net/decode.h"
#include "support/frame_builder.h"
#include "support/malformed_expect.h"

namespace wtfn::net::test_util {

struct Decoded {
    test::Wire frame; // owns the bytes the view points into
    DecodeStatus status = DecodeStatus::malformed;
    PacketView view;
    util::MalformedCounters bad;

    std::string payload_text() const
    {
        return {reinterpret_cast<const char*>(view.payload.data()), view.payload.size()};
    }
};

// decode_frame() on a copy of `frame` of exactly its size (an over-read trips ASan).
inline Decoded decode(std::uint32_t link_type, const test::Wire& frame)
{
    Decoded d;
    d.frame = frame;
    d.status = decode_frame(link_type, util::Bytes{d.frame.data(), d.frame.size()}, d.view, d.bad);
    return d;
}

inline test::Wire text(const std::string& s)
{
    return {s.begin(), s.end()};
}

// The first `n` bytes of `w`.
inline test::Wire cut(const test::Wire& w, std::size_t n)
{
    return {w.begin(), w.begin() + static_cast<std::ptrdiff_t>(n)};
}

inline IpAddress ip(const char* s)
{
    return parse_ip(s);
}

} // namespace wtfn::net::test_util
