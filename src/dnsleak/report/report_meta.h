// ReportMeta: what a report says about the run itself (source, times, how it ended).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace wtfn::dnsleak {

inline constexpr int SCHEMA_VERSION = 1;

// An interface that carried events, and why it has its route class.
struct ReportInterface {
    std::string name; // empty when the capture does not name it
    std::uint32_t ifindex = 0;
    std::string route_class;
    std::string basis;
    std::string reason;
};

// How the senders of this run's events were found (docs/attribution.md).
struct AttributionMeta {
    std::string method = "off"; // ebpf, sock_diag, or off (a capture file, --no-attribution)
    std::string note;           // why eBPF is not in use; empty when it is, or not asked for
    std::array<std::uint64_t, 4> by_confidence{}; // none, low, medium, high
    std::uint64_t kernel_owned = 0;
    std::uint64_t forwarded = 0;
    std::uint64_t via_stub = 0;
    std::uint64_t timed_out = 0;
    std::uint64_t events_lost = 0; // attrib.events_lost: eBPF records the full ring dropped
};

struct ReportMeta {
    std::string command = "dns leak watch";
    std::string source_kind; // "live" or "pcap"
    std::string source_name; // interface ("any", "eth0") or file path
    std::vector<std::string> link_types;
    std::int64_t started_ns = 0;
    std::int64_t ended_ns = 0;
    std::int64_t elapsed_ns = 0; // monotonic: the wall clock may jump during a long watch
    bool partial = false;        // the run ended early (signal during --pcap, damaged file)
    std::string stop_reason;     // duration, signal, end_of_input, error, output_closed
    std::string error;           // one line, empty when none
    std::vector<ReportInterface> interfaces;
    std::string policy_name;   // the policy the events were judged by
    std::string policy_source; // "built-in" or its file
    std::string privacy;       // full, redacted or minimal
    AttributionMeta attribution;
};

} // namespace wtfn::dnsleak
