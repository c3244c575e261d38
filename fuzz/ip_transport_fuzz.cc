// fuzz_ip_transport: decode_ip() on a bare IPv4 or IPv6 packet, down to UDP or TCP
// (src/net/decode.h; RELIABILITY.md row 11: IHL, total length, extension-header chains, UDP
// length, TCP data offset, fragments).
#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"
#include "net/decode.h"
#include "packet_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const wtfn::fuzz::ExactCopy input(data, size);
    const wtfn::util::Bytes packet{input.data(), input.size()};

    wtfn::net::PacketView view;
    wtfn::util::MalformedCounters bad;
    const auto status = wtfn::net::decode_ip(packet, view, bad);
    wtfn::fuzz::check_decoded(status, packet, view, bad);
    return 0;
}
