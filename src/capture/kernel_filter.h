// The kernel (BPF) filter for live capture: only what the pipeline can use reaches user
// space (DESIGN.md section 3).
#pragma once

#include <string>

namespace wtfn::capture {

// Plain DNS (53), DoT and DoQ (853), HTTPS and DoH over TCP or QUIC (443), mDNS (5353) and
// LLMNR (5355), over UDP or TCP, IPv4 or IPv6.
std::string kernel_filter_expression();

} // namespace wtfn::capture
