// Who sent a flow: the types of process attribution (DESIGN.md section 5, issue 6).
//
// A flow is named by what the sensor sees in a packet (protocol, local and remote address
// and port). Its owner is the process that held the socket, with the facts a user needs to
// recognise it (name, pid, executable, command line, user, parent chain, container) and an
// honest confidence:
//   high    the kernel told us (eBPF): the task that connected or sent on that very socket
//   medium  sock_diag found the socket by its exact 5-tuple and one process holds it
//   low     a weaker match: several processes hold the socket, or the process was gone
//           before its details could be read
//   none    nothing is known; `reason` says why (socket closed, forwarded, no permission…)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/ip_address.h"
#include "net/packet_view.h"

namespace wtfn::platform {

enum class OwnerConfidence : std::uint8_t { none, low, medium, high };
enum class OwnerSource : std::uint8_t { none, ebpf, sock_diag };
// process: a user-space process holds the socket. kernel: the kernel itself sends it (an
// in-kernel WireGuard or IPsec socket held by no process). forwarded: the packet did not
// come from a socket of this machine (routed through it). unknown: not found.
enum class OwnerKind : std::uint8_t { unknown, process, kernel, forwarded };

std::string_view to_string(OwnerConfidence c);
std::string_view to_string(OwnerSource s);
std::string_view to_string(OwnerKind k);

// A flow as the sensor sees it from this machine's side: `local` sent the packet.
struct FlowTuple {
    net::L4 proto = net::L4::udp;
    net::IpAddress local;
    net::IpAddress remote;
    std::uint16_t local_port = 0;
    std::uint16_t remote_port = 0;

    bool operator==(const FlowTuple&) const = default;

    std::uint64_t hash() const
    {
        return local.hash() * 31 + remote.hash() +
               ((std::uint64_t{local_port} << 17) ^ (std::uint64_t{remote_port} << 1) ^
                static_cast<std::uint64_t>(proto));
    }
};

struct Ancestor {
    std::int32_t pid = 0;
    std::string name; // comm
};

struct ProcessInfo {
    std::int32_t pid = 0; // the thread group id (what ps calls PID)
    std::int32_t ppid = 0;
    std::string name;    // comm of the thread group leader, e.g. "dig"
    std::string exe;     // /proc/PID/exe, e.g. "/usr/bin/dig"; empty when not known
    std::string cmdline; // arguments joined by spaces; empty when not known
    bool has_uid = false;
    std::uint32_t uid = 0;
    std::string user;              // from the password database; empty when not known
    std::vector<Ancestor> chain;   // parent first, up to pid 1 (bounded, see proc_info.h)
    std::string cgroup;            // the cgroup v2 path, or the first v1 path; may be empty
    std::string container;         // container id when the cgroup path names one
    std::uint64_t start_ticks = 0; // /proc/PID/stat field 22: tells a reused pid apart
};

struct FlowOwner {
    OwnerKind kind = OwnerKind::unknown;
    OwnerConfidence confidence = OwnerConfidence::none;
    OwnerSource source = OwnerSource::none;
    std::string reason;  // why it is not high; empty when high
    ProcessInfo process; // valid when kind == process
    // Through a local stub: the application whose loopback query this upstream query
    // serves (pid 0 when none). Filled by the pipeline, not by the provider.
    std::int32_t on_behalf_pid = 0;
    std::string on_behalf_name;
};

} // namespace wtfn::platform
