// FlowOwnerProvider: finds the owner of flows off the packet loop (issue 6,
// docs/attribution.md). The capture thread asks with request() — a push onto a queue, never
// a system call — and picks the answers up with collect() on its next loop turn; the work
// (reading the eBPF ring buffer, sock_diag, /proc) happens on the provider's own thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "platform/flow_owner.h"

namespace wtfn::platform {

struct OwnerAnswer {
    std::uint64_t token = 0;
    FlowOwner owner;
};

struct OwnerStats {
    std::uint64_t requests = 0;
    std::uint64_t requests_dropped = 0; // the request queue was full (answered "none")
    std::uint64_t bpf_records = 0;      // records read from the eBPF ring buffer
    std::uint64_t events_lost = 0;      // attrib.events_lost: records the full ring dropped
    std::uint64_t sock_diag_lookups = 0;
    std::uint64_t proc_scans = 0;
};

struct OwnerOptions {
    bool bpf = true; // false: --no-bpf, the sock_diag fallback only
};

class FlowOwnerProvider {
public:
    virtual ~FlowOwnerProvider() = default;

    // Asks for the owner of `t` as it was when the packet was captured at `ts_ns` (the
    // capture's wall-clock timestamp: a 5-tuple can pass from one socket to another); the
    // answer comes back from collect() with `token`.
    virtual void request(const FlowTuple& t, std::int64_t ts_ns, std::uint64_t token) = 0;

    // Appends the answers ready now; never waits.
    virtual void collect(std::vector<OwnerAnswer>& out) = 0;

    // Requests asked and not yet collected.
    virtual std::size_t outstanding() const = 0;

    virtual OwnerStats stats() const = 0;

    // "ebpf" or "sock_diag": how owners are found in this run.
    virtual std::string_view method() const = 0;
};

// The provider for this OS. With options.bpf, tries eBPF first; when that fails, falls back
// to sock_diag and sets `bpf_error` to the reason (for a one-line warning).
std::unique_ptr<FlowOwnerProvider> open_flow_owner_provider(const OwnerOptions& options,
                                                            std::string& bpf_error);

} // namespace wtfn::platform
