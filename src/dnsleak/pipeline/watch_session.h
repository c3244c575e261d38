// run_watch(): `wtfn dns leak watch` from start to exit code. It opens the source (live
// capture or a capture file), runs the pipeline until the duration ends, the file ends or a
// stop signal arrives, then stops in order (RELIABILITY.md S2): stop capture, drain what the
// kernel still holds, flush open flows, write the reports (atomically for --out), and return
// the documented exit status.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "dnsleak/policy/policy.h"
#include "dnsleak/privacy/privacy_mode.h"

namespace wtfn::dnsleak {

struct WatchOptions {
    std::optional<std::chrono::milliseconds> duration; // live capture; default 10 s
    bool follow = false;                               // live: until SIGINT/SIGTERM
    std::string iface;                                 // live: one interface, else "any"
    std::string pcap;                                  // read this file instead ("-" = stdin)
    bool json = false;                                 // JSON report on stdout
    std::string out;                                   // JSON report to this file
    bool summary_only = false;
    Policy policy;                              // what the events are judged by
    PrivacyMode privacy = DEFAULT_PRIVACY_MODE; // applied to every output
    std::string privacy_key;                    // key file; empty: the default path
    std::string events;                         // NDJSON stream to this file, "-": stdout
    int verbosity = 0;
    bool progress = true;       // a status line on a terminal
    int open_timeout_ms = 5000; // live: longest wait for the capture device to open
    bool attribution = true;    // live: find the process behind each query
    bool bpf = true;            // live: with eBPF when it can be loaded (--no-bpf: false)
};

// Exit statuses (docs/exit-codes.md).
inline constexpr int EXIT_CLEAN = 0;
inline constexpr int EXIT_LEAKS = 1;
inline constexpr int EXIT_FAILED = 2;

int run_watch(const WatchOptions& options);

} // namespace wtfn::dnsleak
