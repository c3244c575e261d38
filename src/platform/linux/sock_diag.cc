#include "platform/linux/sock_diag.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

namespace wtfn::platform {
namespace {

// One socket's reply is 124 to 132 bytes (measured on Linux 6.18, no extensions asked), and
// the kernel sizes each chunk of a dump by the reader's largest recv, up to 32 KiB: a buffer
// this size always receives whole messages.
constexpr std::size_t REPLY_BYTES = 32 * 1024;
// The bound on one kernel round trip. A lookup that hits took 5 µs, a UDP/IPv4 miss (eight
// round trips) 61 µs (a Linux 6.18 VM, Release build): a wait this long means something is
// wrong, and attribution must never stall the pipeline.
constexpr int ROUND_TRIP_MS = 200;
// A port-filtered dump normally yields a handful of sockets (SO_REUSEPORT groups, one per
// device or address). This bounds a pathological table (thousands of sockets on one port).
constexpr std::size_t MAX_DUMP_MESSAGES = 4096;

// TCP_* state bits as inet_diag filters them: every state, for the dump.
constexpr std::uint32_t ALL_STATES = 0xFFFFFFFFU;

net::IpAddress address_from(std::uint8_t family, const std::uint32_t (&words)[4])
{
    std::array<std::uint8_t, 16> b{};
    std::memcpy(b.data(), words, sizeof words);
    return family == AF_INET ? net::IpAddress::v4(b) : net::IpAddress::v6(b);
}

bool is_wildcard(const net::IpAddress& a)
{
    return std::all_of(a.bytes.begin(), a.bytes.end(), [](std::uint8_t b) { return b == 0; });
}

// ::ffff:a.b.c.d -> a.b.c.d, so that a dual-stack socket's view of an IPv4 peer compares
// equal to the IPv4 address the sensor saw.
net::IpAddress unmapped(const net::IpAddress& a)
{
    static constexpr std::array<std::uint8_t, 12> prefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    if (a.version == 6 && std::equal(prefix.begin(), prefix.end(), a.bytes.begin())) {
        return net::IpAddress::v4(util::Bytes(a.bytes.data() + 12, 4));
    }
    return a;
}

net::IpAddress mapped(const net::IpAddress& v4)
{
    std::array<std::uint8_t, 16> b{};
    b[10] = 0xFF;
    b[11] = 0xFF;
    std::memcpy(b.data() + 12, v4.bytes.data(), 4);
    return net::IpAddress::v6(b);
}

net::IpAddress any_of(std::uint8_t family)
{
    const std::array<std::uint8_t, 16> zero{};
    return family == AF_INET ? net::IpAddress::v4(zero) : net::IpAddress::v6(zero);
}

void put_address(std::uint32_t (&words)[4], const net::IpAddress& a)
{
    std::memset(words, 0, sizeof words);
    std::memcpy(words, a.bytes.data(), a.length());
}

std::uint8_t protocol_number(net::L4 proto)
{
    return proto == net::L4::tcp ? IPPROTO_TCP : IPPROTO_UDP;
}

std::string errno_text(const char* what, int e)
{
    return std::string(what) + ": " + std::strerror(e);
}

} // namespace

bool parse_inet_diag_message(const std::uint8_t* data, std::size_t len, InetDiagSocket& out)
{
    constexpr std::size_t header = NLMSG_HDRLEN;
    constexpr std::size_t body = sizeof(inet_diag_msg);
    if (data == nullptr || len < header + body) {
        return false;
    }
    // memcpy, not a cast: the bytes may sit at any alignment (a fuzzer's buffer).
    nlmsghdr nlh{};
    std::memcpy(&nlh, data, sizeof nlh);
    if (nlh.nlmsg_type != SOCK_DIAG_BY_FAMILY || nlh.nlmsg_len < header + body ||
        nlh.nlmsg_len > len) {
        return false;
    }
    inet_diag_msg msg{};
    std::memcpy(&msg, data + header, body);
    if (msg.idiag_family != AF_INET && msg.idiag_family != AF_INET6) {
        return false;
    }
    out = InetDiagSocket{};
    out.family = msg.idiag_family;
    out.src = address_from(msg.idiag_family, msg.id.idiag_src);
    out.dst = address_from(msg.idiag_family, msg.id.idiag_dst);
    out.sport = ntohs(msg.id.idiag_sport);
    out.dport = ntohs(msg.id.idiag_dport);
    out.ifindex = msg.id.idiag_if;
    out.entry.inode = msg.idiag_inode;
    out.entry.uid = msg.idiag_uid;
    out.entry.state = msg.idiag_state;
    out.entry.cookie =
        std::uint64_t{msg.id.idiag_cookie[0]} | (std::uint64_t{msg.id.idiag_cookie[1]} << 32);

    // The attributes that follow: only INET_DIAG_SKV6ONLY matters (an IPv6-only socket never
    // sent an IPv4 packet). Walked by hand with subtraction-safe bounds; a damaged attribute
    // ends the walk, the message itself stays valid.
    std::size_t pos = NLMSG_ALIGN(header + body);
    const std::size_t end = nlh.nlmsg_len;
    while (pos < end && end - pos >= sizeof(nlattr)) {
        nlattr attr{};
        std::memcpy(&attr, data + pos, sizeof attr);
        if (attr.nla_len < sizeof(nlattr) || attr.nla_len > end - pos) {
            break;
        }
        if ((attr.nla_type & NLA_TYPE_MASK) == INET_DIAG_SKV6ONLY &&
            attr.nla_len >= sizeof(nlattr) + 1) {
            out.v6only = data[pos + sizeof(nlattr)] != 0;
        }
        const std::size_t step = NLA_ALIGN(attr.nla_len);
        if (step > end - pos) {
            break;
        }
        pos += step;
    }
    return true;
}

bool parse_inet_diag_reply(const std::uint8_t* data, std::size_t len, SocketEntry& out)
{
    InetDiagSocket s;
    if (!parse_inet_diag_message(data, len, s)) {
        return false;
    }
    out = s.entry;
    return true;
}

int match_score(const InetDiagSocket& s, const FlowTuple& t)
{
    if (s.sport != t.local_port || t.local_port == 0) {
        return 0;
    }
    if (t.local.version == 4 && s.family == AF_INET6 && s.v6only) {
        return 0;
    }
    if (t.local.version == 6 && s.family != AF_INET6) {
        return 0;
    }
    int score = 1;
    const net::IpAddress src = unmapped(s.src);
    if (src == t.local) {
        score += 2;
    } else if (!is_wildcard(s.src)) {
        return 0;
    }
    const net::IpAddress dst = unmapped(s.dst);
    if (s.dport == t.remote_port && dst == t.remote) {
        score += 4;
    } else if (s.dport != 0 || !is_wildcard(s.dst)) {
        return 0; // connected to someone else
    }
    return score;
}

SockDiag::~SockDiag()
{
    close_socket();
}

void SockDiag::close_socket()
{
    if (nl_ != nullptr) {
        mnl_socket_close(nl_);
        nl_ = nullptr;
    }
}

bool SockDiag::open_socket(std::string& error)
{
    close_socket();
    nl_ = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
    if (nl_ == nullptr) {
        const int e = errno;
        error = errno_text("cannot open a NETLINK_SOCK_DIAG socket", e) +
                "; no privilege is needed for it, so the kernel lacks CONFIG_INET_DIAG or a "
                "sandbox (seccomp filter, container policy) forbids netlink sockets";
        return false;
    }
    if (mnl_socket_bind(nl_, 0, MNL_SOCKET_AUTOPID) < 0) {
        const int e = errno;
        error = errno_text("cannot bind the NETLINK_SOCK_DIAG socket", e);
        close_socket();
        return false;
    }
    // poll() bounds each wait already; this keeps a recv from blocking should poll and recv
    // ever disagree (a reply consumed by a signal handler's code, say).
    timeval tv{0, ROUND_TRIP_MS * 1000};
    setsockopt(mnl_socket_get_fd(nl_), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    portid_ = mnl_socket_get_portid(nl_);
    return true;
}

bool SockDiag::reopen(std::string& error)
{
    std::string why;
    if (!open_socket(why)) {
        error += error.empty() ? why : "; " + why;
        return false;
    }
    return true;
}

bool SockDiag::open(std::string& error)
{
    request_.assign(static_cast<std::size_t>(MNL_SOCKET_BUFFER_SIZE), 0);
    reply_.assign(REPLY_BYTES, 0);
    seq_ = static_cast<unsigned>(time(nullptr));
    if (!open_socket(error)) {
        return false;
    }
    // inet_diag hands each protocol to a module (tcp_diag, udp_diag) that the kernel loads on
    // first use; without it every query answers ENOENT, indistinguishable from "no such
    // socket". An empty dump (no state selected) tells the two apart at no cost: DONE when
    // the protocol is served, ENOENT when not.
    for (const net::L4 proto : {net::L4::tcp, net::L4::udp}) {
        std::memset(request_.data(), 0, request_.size());
        nlmsghdr* nlh = mnl_nlmsg_put_header(request_.data());
        nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        auto* req = static_cast<inet_diag_req_v2*>(
            mnl_nlmsg_put_extra_header(nlh, sizeof(inet_diag_req_v2)));
        req->sdiag_family = AF_INET;
        req->sdiag_protocol = protocol_number(proto);
        req->idiag_states = 0;
        std::string why;
        const int rc = transact(
            true, [](const std::uint8_t*, std::size_t) { return true; }, why);
        const char* name = proto == net::L4::tcp ? "TCP" : "UDP";
        const char* module = proto == net::L4::tcp ? "tcp_diag" : "udp_diag";
        std::string problem;
        if (rc == ENOENT) {
            problem = std::string("the kernel has no ") + name + " socket diagnostics (" + module +
                      "); load it with `modprobe " + module + "`";
        } else if (rc != 0) {
            problem = std::string("sock_diag query for ") + name +
                      " sockets failed: " + (why.empty() ? std::strerror(rc) : why);
            if (rc < 0 && !reopen(problem)) {
                error = problem;
                return false;
            }
        }
        (proto == net::L4::tcp ? tcp_ok_ : udp_ok_) = problem.empty();
        (proto == net::L4::tcp ? tcp_error_ : udp_error_) = problem;
    }
    if (!tcp_ok_ && !udp_ok_) {
        error = tcp_error_ + "; " + udp_error_;
        close_socket();
        return false;
    }
    return true;
}

template <typename Fn>
int SockDiag::transact(bool dump, Fn&& fn, std::string& error)
{
    if (nl_ == nullptr) {
        error = "sock_diag: the socket could not be reopened";
        return -1;
    }
    auto* request = reinterpret_cast<nlmsghdr*>(request_.data());
    request->nlmsg_seq = ++seq_;
    const unsigned seq = request->nlmsg_seq;
    ++queries_;
    if (mnl_socket_sendto(nl_, request, request->nlmsg_len) < 0) {
        const int e = errno;
        error = errno_text("sock_diag request failed", e);
        return -1;
    }
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(ROUND_TRIP_MS);
    std::size_t messages = 0;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd pfd{mnl_socket_get_fd(nl_), POLLIN, 0};
        const int ready = left.count() > 0 ? poll(&pfd, 1, static_cast<int>(left.count())) : 0;
        if (ready <= 0) {
            if (ready < 0 && errno == EINTR) {
                continue;
            }
            error = "sock_diag: no answer from the kernel within " + std::to_string(ROUND_TRIP_MS) +
                    " ms";
            return -1;
        }
        const ssize_t n = recv(pfd.fd, reply_.data(), reply_.size(), MSG_DONTWAIT);
        if (n < 0) {
            const int e = errno;
            if (e == EINTR || e == EAGAIN) {
                continue;
            }
            error = errno_text("sock_diag reply failed", e);
            return -1;
        }
        int len = static_cast<int>(n);
        for (auto* nlh = reinterpret_cast<const nlmsghdr*>(reply_.data()); mnl_nlmsg_ok(nlh, len);
             nlh = mnl_nlmsg_next(nlh, &len)) {
            // A late answer to an earlier request that timed out: not ours.
            if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != portid_) {
                continue;
            }
            if (nlh->nlmsg_type == NLMSG_DONE) {
                // A dump's failure comes here, not as NLMSG_ERROR: DONE carries the errno
                // (an unknown protocol: DONE with -ENOENT; measured on Linux 6.18).
                int done_errno = 0;
                if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof done_errno)) {
                    std::memcpy(&done_errno, mnl_nlmsg_get_payload(nlh), sizeof done_errno);
                }
                return done_errno < 0 ? -done_errno : 0;
            }
            if (nlh->nlmsg_type == NLMSG_ERROR) {
                if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(nlmsgerr))) {
                    error = "sock_diag: truncated error reply";
                    return -1;
                }
                const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
                return -err->error; // 0 is an acknowledgement
            }
            const auto* bytes = reinterpret_cast<const std::uint8_t*>(nlh);
            const bool more = fn(bytes, static_cast<std::size_t>(nlh->nlmsg_len));
            if (!dump) {
                return 0;
            }
            if (!more || ++messages >= MAX_DUMP_MESSAGES) {
                error = "sock_diag dump cut short after " + std::to_string(messages) + " sockets";
                return -1;
            }
        }
    }
}

SockDiag::Reply SockDiag::query_one(std::uint8_t family,
                                    net::L4 proto,
                                    const FlowTuple& t,
                                    const net::IpAddress& local,
                                    const net::IpAddress& remote,
                                    std::uint16_t remote_port,
                                    InetDiagSocket& out,
                                    std::string& error)
{
    std::memset(request_.data(), 0, request_.size());
    nlmsghdr* nlh = mnl_nlmsg_put_header(request_.data());
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    nlh->nlmsg_flags = NLM_F_REQUEST;
    auto* req =
        static_cast<inet_diag_req_v2*>(mnl_nlmsg_put_extra_header(nlh, sizeof(inet_diag_req_v2)));
    req->sdiag_family = family;
    req->sdiag_protocol = protocol_number(proto);
    req->idiag_states = ALL_STATES;
    // TCP (inet_diag_find_one_icsk) reads src as the socket's local side; UDP (udp_dump_one)
    // reads src as the packet's source, i.e. the remote side. Measured: the other orientation
    // returns a different socket on the same port, not a miss (sock_diag_test.cc).
    const bool swapped = proto == net::L4::udp;
    put_address(swapped ? req->id.idiag_dst : req->id.idiag_src, local);
    put_address(swapped ? req->id.idiag_src : req->id.idiag_dst, remote);
    const std::uint16_t local_be = htons(t.local_port);
    const std::uint16_t remote_be = htons(remote_port);
    req->id.idiag_sport = swapped ? remote_be : local_be;
    req->id.idiag_dport = swapped ? local_be : remote_be;
    // Any socket, whatever its cookie (the kernel otherwise checks the cookie matches).
    req->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    req->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

    bool parsed = false;
    const int rc = transact(
        false,
        [&](const std::uint8_t* bytes, std::size_t len) {
            parsed = parse_inet_diag_message(bytes, len, out);
            return true;
        },
        error);
    if (rc == ENOENT || (rc == 0 && !parsed)) {
        return Reply::not_found;
    }
    if (rc != 0) {
        if (rc > 0) {
            error = errno_text("sock_diag lookup failed", rc);
        } else {
            reopen(error);
        }
        return Reply::error;
    }
    return match_score(out, t) > 0 ? Reply::ok : Reply::not_found;
}

SockDiag::Reply SockDiag::query_dump(std::uint8_t family,
                                     const FlowTuple& t,
                                     InetDiagSocket& best,
                                     std::string& error)
{
    std::memset(request_.data(), 0, request_.size());
    nlmsghdr* nlh = mnl_nlmsg_put_header(request_.data());
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    auto* req =
        static_cast<inet_diag_req_v2*>(mnl_nlmsg_put_extra_header(nlh, sizeof(inet_diag_req_v2)));
    req->sdiag_family = family;
    req->sdiag_protocol = protocol_number(t.proto);
    req->idiag_states = ALL_STATES;
    // In a dump both protocols filter `sport` against the local port (udp_dump compares it
    // with inet_num), unlike the exact lookup above. The remote port is left open: an
    // unconnected socket has none.
    req->id.idiag_sport = htons(t.local_port);

    int best_score = 0;
    const int rc = transact(
        true,
        [&](const std::uint8_t* bytes, std::size_t len) {
            InetDiagSocket s;
            if (parse_inet_diag_message(bytes, len, s) && s.entry.inode != 0) {
                const int score = match_score(s, t);
                if (score > best_score) {
                    best_score = score;
                    best = s;
                }
            }
            return true;
        },
        error);
    if (rc == 0) {
        return best_score > 0 ? Reply::ok : Reply::not_found;
    }
    if (rc == ENOENT) {
        return Reply::not_found;
    }
    if (rc > 0) {
        error = errno_text("sock_diag dump failed", rc);
    } else {
        reopen(error);
    }
    return Reply::error;
}

SockLookup SockDiag::lookup(const FlowTuple& t, SocketEntry& out, std::string& error)
{
    error.clear();
    if (nl_ == nullptr) {
        error = "sock_diag is not open";
        return SockLookup::error;
    }
    if (t.proto != net::L4::tcp && t.proto != net::L4::udp) {
        error = "sock_diag looks up TCP and UDP sockets only";
        return SockLookup::error;
    }
    if ((t.local.version != 4 && t.local.version != 6) || t.remote.version != t.local.version) {
        error = "sock_diag: the flow's addresses are not of one IP version";
        return SockLookup::error;
    }
    if (t.proto == net::L4::tcp ? !tcp_ok_ : !udp_ok_) {
        error = t.proto == net::L4::tcp ? tcp_error_ : udp_error_;
        return SockLookup::error;
    }
    const bool udp = t.proto == net::L4::udp;

    // Each step runs only while the previous ones missed. An error ends the search: after a
    // timeout the kernel is not answering, and eight more 200 ms waits would only add up.
    InetDiagSocket s;
    Reply last = Reply::not_found;
    auto missed = [&](Reply r) {
        last = r == Reply::ok && s.entry.inode == 0 ? Reply::not_found : r;
        return last == Reply::not_found;
    };
    // Steps 1-3 in one family, with the tuple's addresses as that family spells them.
    auto missed_in =
        [&](std::uint8_t family, const net::IpAddress& local, const net::IpAddress& remote) {
            const net::IpAddress any = any_of(family);
            return missed(query_one(family, t.proto, t, local, remote, t.remote_port, s, error)) &&
                   (!udp || (missed(query_one(family, t.proto, t, local, any, 0, s, error)) &&
                             missed(query_one(family, t.proto, t, any, any, 0, s, error))));
        };
    if (t.local.version == 4) {
        (void)(missed_in(AF_INET, t.local, t.remote) &&
               missed_in(AF_INET6, mapped(t.local), mapped(t.remote)) &&
               missed(query_dump(AF_INET, t, s, error)) &&
               missed(query_dump(AF_INET6, t, s, error)));
    } else {
        (void)(missed_in(AF_INET6, t.local, t.remote) && missed(query_dump(AF_INET6, t, s, error)));
    }
    switch (last) {
        case Reply::ok:
            out = s.entry;
            return SockLookup::found;
        case Reply::not_found:
            error.clear();
            return SockLookup::not_found;
        case Reply::error:
            break;
    }
    return SockLookup::error;
}

} // namespace wtfn::platform
