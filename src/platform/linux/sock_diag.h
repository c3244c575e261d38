// SockDiag: which socket of this machine sent a flow, asked of the kernel through
// NETLINK_SOCK_DIAG (inet_diag), the fallback of process attribution when eBPF is not
// available (flow_owner.h). It yields the socket's inode and owner uid; proc_sockets.h turns
// the inode into the process that holds it.
//
// Kernel behaviour this relies on, measured on Linux 6.18 (tests/unit/platform/
// sock_diag_test.cc proves each point against the running kernel):
//   - An exact lookup (SOCK_DIAG_BY_FAMILY without NLM_F_DUMP) runs the kernel's own receive
//     path lookup. For TCP the request's `src` is the socket's local side; for UDP it is the
//     other way round (udp_dump_one passes src as the packet's source, "for historical
//     reasons"): `src` is the remote side, `dst` the local one. The reply always describes
//     the socket from its own side (src = local).
//   - That lookup scores wildcards itself: an unconnected UDP socket, one bound to 0.0.0.0,
//     and a dual-stack AF_INET6 socket bound to :: are all found by an AF_INET query for
//     the exact tuple. A query in the wrong orientation is not a miss but a wrong answer
//     (another socket on that port), so every reply is checked against the tuple.
//   - A socket bound to a device (SO_BINDTODEVICE, as VPN clients and systemd-resolved's
//     per-link sockets are) is invisible to the exact lookup, which passes interface 0. A
//     dump filtered by the local port finds it (in a dump, `sport` is the local port for
//     both protocols), so that is the last step.
//   - Only sockets of the caller's network namespace are visible; no privilege is needed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "net/ip_address.h"
#include "platform/flow_owner.h"

struct mnl_socket;

namespace wtfn::platform {

struct SocketEntry {
    std::uint64_t inode = 0; // 0: no file holds it (TIME_WAIT, or closing)
    std::uint32_t uid = 0;   // the socket's owner (the creator's fsuid)
    std::uint64_t cookie = 0;
    std::uint8_t state = 0; // TCP_* numbering (UDP: 1 connected, 7 unconnected)
};

enum class SockLookup : std::uint8_t { found, not_found, error };

// One inet_diag_msg as the kernel sent it, from the socket's own side.
struct InetDiagSocket {
    SocketEntry entry;
    std::uint8_t family = 0; // AF_INET or AF_INET6
    net::IpAddress src;      // local; an AF_INET6 socket's IPv4 peers are ::ffff:a.b.c.d
    net::IpAddress dst;      // remote; all zeros when unconnected
    std::uint16_t sport = 0; // host byte order
    std::uint16_t dport = 0;
    std::uint32_t ifindex = 0; // the device the socket is bound to, 0 for none
    bool v6only = false;       // INET_DIAG_SKV6ONLY: an AF_INET6 socket that takes no IPv4
};

// Parses one netlink message (nlmsghdr + inet_diag_msg + attributes) of `len` bytes at most:
// false unless it is a SOCK_DIAG_BY_FAMILY reply for AF_INET or AF_INET6 whose nlmsg_len
// covers the inet_diag_msg and lies within `len`. Any alignment; never reads past `len`.
bool parse_inet_diag_message(const std::uint8_t* data, std::size_t len, InetDiagSocket& out);

// The same, keeping only what attribution needs.
bool parse_inet_diag_reply(const std::uint8_t* data, std::size_t len, SocketEntry& out);

// How well a reply matches a tuple: 0 when it cannot be the sender, else higher is better
// (an exact remote beats a wildcard one, an exact local address beats a wildcard one).
int match_score(const InetDiagSocket& s, const FlowTuple& t);

// Not thread-safe: one instance per thread.
class SockDiag {
public:
    SockDiag() = default;
    ~SockDiag();
    SockDiag(const SockDiag&) = delete;
    SockDiag& operator=(const SockDiag&) = delete;

    // Opens the NETLINK_SOCK_DIAG socket and checks that the kernel answers inet_diag
    // queries for TCP and UDP. False with `error` naming the cause and the fix when neither
    // works; when only one does, open succeeds and lookups for the other return `error`.
    bool open(std::string& error);

    bool is_open() const { return nl_ != nullptr; }

    // The socket that sent `t` (t.local is this machine's side), in this order, each step
    // only when the previous ones missed:
    //   1. the exact tuple, in the tuple's family;
    //   2. UDP: the local address and port with a wildcard remote (an unconnected socket);
    //   3. UDP: the wildcard local address (0.0.0.0 / ::) with the local port;
    //   4. an IPv4 tuple: 1-3 again as AF_INET6 with ::ffff:a.b.c.d (a dual-stack socket);
    //   5. a dump of the tuple's protocol filtered by the local port (AF_INET and, for an
    //      IPv4 tuple, AF_INET6), the best match_score wins: device-bound sockets.
    // Every reply is checked with match_score. A socket with inode 0 (TIME_WAIT) counts as
    // not found: no process holds it any more. Each kernel round trip waits 200 ms at most,
    // and an error (a timeout, an unexpected errno) ends the search: `error` says which.
    // Cost: one round trip for a connected socket; a miss costs 8 for UDP over IPv4 (3 + 3
    // exact, 2 dumps), 4 for TCP over IPv4, 4 for UDP and 2 for TCP over IPv6.
    SockLookup lookup(const FlowTuple& t, SocketEntry& out, std::string& error);

    // Kernel round trips so far (each step above is one, a dump one or more).
    std::uint64_t queries() const { return queries_; }

private:
    enum class Reply : std::uint8_t { ok, not_found, error };

    // One exact query; `out` is the verified reply.
    Reply query_one(std::uint8_t family,
                    net::L4 proto,
                    const FlowTuple& t,
                    const net::IpAddress& local,
                    const net::IpAddress& remote,
                    std::uint16_t remote_port,
                    InetDiagSocket& out,
                    std::string& error);
    // A dump filtered by the local port; `best` is the best-scoring entry with an inode.
    Reply
    query_dump(std::uint8_t family, const FlowTuple& t, InetDiagSocket& best, std::string& error);
    // Sends the request in request_ and hands each reply message of this sequence number to
    // `fn` (which returns false to stop reading a dump early). Returns the errno the kernel
    // answered with (ENOENT: not found), 0 when done, or -1 with `error` for a local failure.
    template <typename Fn>
    int transact(bool dump, Fn&& fn, std::string& error);
    // After an abandoned exchange (timeout, a dump cut short) the kernel may still hold a
    // half-read dump for us, which would make the next dump fail with EBUSY: start afresh.
    bool reopen(std::string& error);
    bool open_socket(std::string& error);
    void close_socket();

    mnl_socket* nl_ = nullptr;
    unsigned portid_ = 0;
    unsigned seq_ = 0;
    bool tcp_ok_ = false;
    bool udp_ok_ = false;
    std::string tcp_error_;
    std::string udp_error_;
    std::uint64_t queries_ = 0;
    std::vector<std::uint8_t> request_;
    std::vector<std::uint8_t> reply_;
};

} // namespace wtfn::platform
