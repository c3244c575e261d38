// Capture counters: what was read, decoded, judged and dropped, for the report's `counters`
// block (docs/json-schema.md).
#pragma once

#include <cstdint>

#include "dnsleak/flows/flow_table.h"
#include "util/malformed.h"

namespace wtfn::dnsleak {

struct CaptureCounters {
    std::uint64_t packets_read = 0;
    std::uint64_t packets_decoded = 0;     // reached UDP or TCP
    std::uint64_t packets_not_ip = 0;      // ARP, LLDP, ...
    std::uint64_t packets_other_l4 = 0;    // ICMP, ESP, ...
    std::uint64_t packets_other_port = 0;  // UDP/TCP on ports we do not watch
    std::uint64_t loopback_duplicates = 0; // the incoming copy of a loopback packet on "any"
    std::uint64_t dns_messages = 0;
    std::uint64_t encrypted_flows = 0;   // DoT, DoQ and 443 flows seen
    std::uint64_t kernel_dropped = 0;    // live: the kernel ring was full
    std::uint64_t interface_dropped = 0; // live: dropped by the driver
    FlowCounters flows;
    util::MalformedCounters malformed;
};

} // namespace wtfn::dnsleak
