// SockDiag against the running kernel: real sockets on loopback, looked up by the tuple a
// sensor would see, the answer checked against fstat(fd).st_ino. The raw-query tests pin
// down the kernel behaviour sock_diag.h relies on (the UDP orientation, wildcard scoring,
// device-bound sockets), so a kernel that changes it fails here first.
#include "platform/linux/sock_diag.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace wtfn::platform {
namespace {

class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}

    ~Fd() { reset(); }

    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;

    Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }

    int get() const { return fd_; }

    void reset()
    {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = -1;
    }

private:
    int fd_;
};

std::uint64_t inode_of(int fd)
{
    struct stat st {};

    EXPECT_EQ(fstat(fd, &st), 0);
    return st.st_ino;
}

sockaddr_storage addr(const char* ip, std::uint16_t port)
{
    sockaddr_storage ss{};
    if (std::strchr(ip, ':') != nullptr) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        inet_pton(AF_INET6, ip, &a->sin6_addr);
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        inet_pton(AF_INET, ip, &a->sin_addr);
    }
    return ss;
}

socklen_t addr_len(const sockaddr_storage& ss)
{
    return ss.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
}

std::uint16_t local_port(int fd)
{
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len), 0);
    return ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                                    : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

// A socket bound to ip:port (0: any free port); -1 with errno when the address is not
// available (IPv6 disabled, say).
int bound(int family, int type, const char* ip, std::uint16_t port = 0)
{
    const int fd = socket(family, type | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    const sockaddr_storage a = addr(ip, port);
    if (bind(fd, reinterpret_cast<const sockaddr*>(&a), addr_len(a)) != 0) {
        const int e = errno;
        ::close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

bool connect_to(int fd, const char* ip, std::uint16_t port)
{
    const sockaddr_storage a = addr(ip, port);
    return connect(fd, reinterpret_cast<const sockaddr*>(&a), addr_len(a)) == 0;
}

FlowTuple tuple(
    net::L4 proto, const char* local, std::uint16_t lport, const char* remote, std::uint16_t rport)
{
    FlowTuple t;
    t.proto = proto;
    t.local = net::parse_ip(local);
    t.remote = net::parse_ip(remote);
    t.local_port = lport;
    t.remote_port = rport;
    return t;
}

class SockDiagTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::string error;
        ASSERT_TRUE(diag_.open(error)) << error;
    }

    // The inode `lookup` reports for `t`, 0 when not found; fails the test on error.
    std::uint64_t find(const FlowTuple& t)
    {
        SocketEntry e;
        std::string error;
        const SockLookup r = diag_.lookup(t, e, error);
        EXPECT_NE(r, SockLookup::error) << error;
        return r == SockLookup::found ? e.inode : 0;
    }

    SockDiag diag_;
};

TEST_F(SockDiagTest, UdpConnectedIpv4IsOneExactQuery)
{
    Fd server(bound(AF_INET, SOCK_DGRAM, "127.0.0.1"));
    ASSERT_GE(server.get(), 0);
    const std::uint16_t sport = local_port(server.get());
    Fd client(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(connect_to(client.get(), "127.0.0.1", sport)); // sends nothing
    const std::uint16_t cport = local_port(client.get());

    const std::uint64_t before = diag_.queries();
    SocketEntry e;
    std::string error;
    ASSERT_EQ(diag_.lookup(tuple(net::L4::udp, "127.0.0.1", cport, "127.0.0.1", sport), e, error),
              SockLookup::found)
        << error;
    EXPECT_EQ(e.inode, inode_of(client.get()));
    EXPECT_EQ(e.uid, getuid());
    EXPECT_EQ(e.state, 1); // TCP_ESTABLISHED: what a connected UDP socket reports
    EXPECT_NE(e.cookie, 0U);
    EXPECT_EQ(diag_.queries() - before, 1U);

    // The server's side of the same flow is the server socket (unconnected, any remote).
    EXPECT_EQ(find(tuple(net::L4::udp, "127.0.0.1", sport, "127.0.0.1", cport)),
              inode_of(server.get()));
}

TEST_F(SockDiagTest, UdpConnectedIpv6)
{
    Fd server(bound(AF_INET6, SOCK_DGRAM, "::1"));
    if (server.get() < 0) {
        GTEST_SKIP() << "no IPv6 loopback here: " << std::strerror(errno);
    }
    const std::uint16_t sport = local_port(server.get());
    Fd client(socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(connect_to(client.get(), "::1", sport));
    const std::uint16_t cport = local_port(client.get());
    EXPECT_EQ(find(tuple(net::L4::udp, "::1", cport, "::1", sport)), inode_of(client.get()));
}

TEST_F(SockDiagTest, UdpUnconnectedFoundWithAnyRemote)
{
    Fd s(bound(AF_INET, SOCK_DGRAM, "127.0.0.1"));
    ASSERT_GE(s.get(), 0);
    const std::uint16_t port = local_port(s.get());
    // It could send to anyone: a sensor sees a query to 192.0.2.53 from 127.0.0.1:port.
    EXPECT_EQ(find(tuple(net::L4::udp, "127.0.0.1", port, "192.0.2.53", 53)), inode_of(s.get()));
    // Not from another local address: it is bound to 127.0.0.1.
    EXPECT_EQ(find(tuple(net::L4::udp, "127.0.0.2", port, "192.0.2.53", 53)), 0U);
}

TEST_F(SockDiagTest, UdpBoundToAnyFoundWithEveryLocalAddress)
{
    Fd s(bound(AF_INET, SOCK_DGRAM, "0.0.0.0"));
    ASSERT_GE(s.get(), 0);
    const std::uint16_t port = local_port(s.get());
    EXPECT_EQ(find(tuple(net::L4::udp, "127.0.0.1", port, "192.0.2.53", 53)), inode_of(s.get()));
    EXPECT_EQ(find(tuple(net::L4::udp, "10.9.8.7", port, "192.0.2.53", 53)), inode_of(s.get()));
}

TEST_F(SockDiagTest, TcpLoopbackBothEnds)
{
    Fd listener(bound(AF_INET, SOCK_STREAM, "127.0.0.1"));
    ASSERT_GE(listener.get(), 0);
    ASSERT_EQ(listen(listener.get(), 4), 0);
    const std::uint16_t lport = local_port(listener.get());
    Fd client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(connect_to(client.get(), "127.0.0.1", lport));
    Fd accepted(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_GE(accepted.get(), 0);
    const std::uint16_t cport = local_port(client.get());

    SocketEntry e;
    std::string error;
    ASSERT_EQ(diag_.lookup(tuple(net::L4::tcp, "127.0.0.1", cport, "127.0.0.1", lport), e, error),
              SockLookup::found)
        << error;
    EXPECT_EQ(e.inode, inode_of(client.get()));
    EXPECT_EQ(e.state, 1); // TCP_ESTABLISHED
    // The server's side: the accepted socket, not the listener on the same port.
    EXPECT_EQ(find(tuple(net::L4::tcp, "127.0.0.1", lport, "127.0.0.1", cport)),
              inode_of(accepted.get()));
}

TEST_F(SockDiagTest, DualStackSocketMatchedByIpv4Tuple)
{
    const int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        GTEST_SKIP() << "no IPv6: " << std::strerror(errno);
    }
    Fd s(fd);
    const int off = 0;
    ASSERT_EQ(setsockopt(s.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off), 0);
    const sockaddr_storage any = addr("::", 0);
    ASSERT_EQ(bind(s.get(), reinterpret_cast<const sockaddr*>(&any), addr_len(any)), 0);
    const std::uint16_t port = local_port(s.get());
    EXPECT_EQ(find(tuple(net::L4::udp, "127.0.0.1", port, "192.0.2.53", 53)), inode_of(s.get()));

    // The same over TCP: a v4 client of a dual-stack listener; the accepted socket is
    // AF_INET6 and reports ::ffff:127.0.0.1 for both ends.
    Fd listener(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_EQ(setsockopt(listener.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off), 0);
    ASSERT_EQ(bind(listener.get(), reinterpret_cast<const sockaddr*>(&any), addr_len(any)), 0);
    ASSERT_EQ(listen(listener.get(), 4), 0);
    const std::uint16_t lport = local_port(listener.get());
    Fd client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(connect_to(client.get(), "127.0.0.1", lport));
    Fd accepted(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_GE(accepted.get(), 0);
    const std::uint16_t cport = local_port(client.get());
    EXPECT_EQ(find(tuple(net::L4::tcp, "127.0.0.1", lport, "127.0.0.1", cport)),
              inode_of(accepted.get()));
}

TEST_F(SockDiagTest, Ipv6OnlySocketNotMatchedByIpv4Tuple)
{
    Fd s(socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (s.get() < 0) {
        GTEST_SKIP() << "no IPv6: " << std::strerror(errno);
    }
    const int on = 1;
    ASSERT_EQ(setsockopt(s.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on), 0);
    const sockaddr_storage any = addr("::", 0);
    ASSERT_EQ(bind(s.get(), reinterpret_cast<const sockaddr*>(&any), addr_len(any)), 0);
    const std::uint16_t port = local_port(s.get());
    // Only the dump step could return it, and INET_DIAG_SKV6ONLY rules it out.
    EXPECT_EQ(find(tuple(net::L4::udp, "127.0.0.1", port, "192.0.2.53", 53)), 0U);
    EXPECT_EQ(find(tuple(net::L4::udp, "::1", port, "2001:db8::53", 53)), inode_of(s.get()));
}

TEST_F(SockDiagTest, ClosedSocketNotFound)
{
    Fd server(bound(AF_INET, SOCK_DGRAM, "127.0.0.1"));
    ASSERT_GE(server.get(), 0);
    const std::uint16_t sport = local_port(server.get());
    Fd client(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(connect_to(client.get(), "127.0.0.1", sport));
    const FlowTuple t =
        tuple(net::L4::udp, "127.0.0.1", local_port(client.get()), "127.0.0.1", sport);
    ASSERT_NE(find(t), 0U);
    client.reset();
    SocketEntry e;
    std::string error;
    EXPECT_EQ(diag_.lookup(t, e, error), SockLookup::not_found) << error;
    EXPECT_TRUE(error.empty());
}

TEST_F(SockDiagTest, DeviceBoundSocketsFoundByTheDump)
{
    for (const int type : {SOCK_DGRAM, SOCK_STREAM}) {
        const bool udp = type == SOCK_DGRAM;
        Fd server(bound(AF_INET, type, "127.0.0.1"));
        ASSERT_GE(server.get(), 0);
        if (!udp) {
            ASSERT_EQ(listen(server.get(), 4), 0);
        }
        const std::uint16_t sport = local_port(server.get());
        Fd client(socket(AF_INET, type | SOCK_CLOEXEC, 0));
        if (setsockopt(client.get(), SOL_SOCKET, SO_BINDTODEVICE, "lo", 3) != 0) {
            GTEST_SKIP() << "SO_BINDTODEVICE needs CAP_NET_RAW: " << std::strerror(errno);
        }
        ASSERT_TRUE(connect_to(client.get(), "127.0.0.1", sport));
        const net::L4 proto = udp ? net::L4::udp : net::L4::tcp;
        EXPECT_EQ(find(tuple(proto, "127.0.0.1", local_port(client.get()), "127.0.0.1", sport)),
                  inode_of(client.get()))
            << (udp ? "udp" : "tcp");
    }
}

TEST_F(SockDiagTest, BadTuplesAreErrors)
{
    SocketEntry e;
    std::string error;
    FlowTuple mixed = tuple(net::L4::udp, "127.0.0.1", 1000, "::1", 53);
    EXPECT_EQ(diag_.lookup(mixed, e, error), SockLookup::error);
    EXPECT_FALSE(error.empty());
    FlowTuple none = tuple(net::L4::none, "127.0.0.1", 1000, "127.0.0.1", 53);
    EXPECT_EQ(diag_.lookup(none, e, error), SockLookup::error);
    SockDiag closed;
    EXPECT_EQ(closed.lookup(tuple(net::L4::udp, "127.0.0.1", 1, "127.0.0.1", 2), e, error),
              SockLookup::error);
}

// --- The kernel's own behaviour, asked with raw requests --------------------------------

// A NETLINK_SOCK_DIAG socket that waits at most 1 s for a reply; -errno when there is none.
int open_raw_diag()
{
    const int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (nl < 0) {
        return -errno;
    }
    timeval tv{1, 0};
    setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return nl;
}

struct RawRequest {
    nlmsghdr h;
    inet_diag_req_v2 r;
};

// An AF_INET request for `proto` with the given netlink flags; the socket id left zero.
RawRequest raw_request(int proto, std::uint16_t flags)
{
    RawRequest m{};
    m.h.nlmsg_len = sizeof m;
    m.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    m.h.nlmsg_flags = flags;
    m.r.sdiag_family = AF_INET;
    m.r.sdiag_protocol = static_cast<std::uint8_t>(proto);
    return m;
}

// One exact SOCK_DIAG_BY_FAMILY query with src/dst as given: the inode of the reply, or
// -errno.
long raw_query(
    int proto, const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport)
{
    const int nl = open_raw_diag();
    if (nl < 0) {
        return nl;
    }
    Fd guard(nl);
    RawRequest m = raw_request(proto, NLM_F_REQUEST);
    m.r.idiag_states = ~0U;
    m.r.id.idiag_sport = htons(sport);
    m.r.id.idiag_dport = htons(dport);
    inet_pton(AF_INET, src, m.r.id.idiag_src);
    inet_pton(AF_INET, dst, m.r.id.idiag_dst);
    m.r.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    m.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    if (send(nl, &m, sizeof m, 0) < 0) {
        return -errno;
    }
    alignas(nlmsghdr) std::array<std::uint8_t, 8192> buf{};
    const ssize_t n = recv(nl, buf.data(), buf.size(), 0);
    if (n < 0) {
        return -errno;
    }
    nlmsghdr h{};
    std::memcpy(&h, buf.data(), sizeof h);
    if (h.nlmsg_type == NLMSG_ERROR) {
        nlmsgerr err{};
        std::memcpy(&err, buf.data() + NLMSG_HDRLEN, sizeof err);
        return err.error;
    }
    SocketEntry e;
    return parse_inet_diag_reply(buf.data(), static_cast<std::size_t>(n), e)
               ? static_cast<long>(e.inode)
               : -EBADMSG;
}

TEST(SockDiagKernel, UdpExactLookupTakesTheRemoteSideAsSrc)
{
    Fd server(bound(AF_INET, SOCK_DGRAM, "127.0.0.1"));
    ASSERT_GE(server.get(), 0);
    const std::uint16_t sport = local_port(server.get());
    Fd client(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(connect_to(client.get(), "127.0.0.1", sport));
    const std::uint16_t cport = local_port(client.get());
    const auto client_inode = static_cast<long>(inode_of(client.get()));
    const auto server_inode = static_cast<long>(inode_of(server.get()));

    // src = remote (the server), dst = local (the client): the client.
    EXPECT_EQ(raw_query(IPPROTO_UDP, "127.0.0.1", sport, "127.0.0.1", cport), client_inode);
    // The TCP orientation is not a miss but another socket: the unconnected server socket
    // matches "a packet from the client to the server" too.
    EXPECT_EQ(raw_query(IPPROTO_UDP, "127.0.0.1", cport, "127.0.0.1", sport), server_inode);
}

TEST(SockDiagKernel, TcpExactLookupTakesTheLocalSideAsSrc)
{
    Fd listener(bound(AF_INET, SOCK_STREAM, "127.0.0.1"));
    ASSERT_GE(listener.get(), 0);
    ASSERT_EQ(listen(listener.get(), 4), 0);
    const std::uint16_t lport = local_port(listener.get());
    Fd client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(connect_to(client.get(), "127.0.0.1", lport));
    Fd accepted(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    const std::uint16_t cport = local_port(client.get());
    EXPECT_EQ(raw_query(IPPROTO_TCP, "127.0.0.1", cport, "127.0.0.1", lport),
              static_cast<long>(inode_of(client.get())));
    EXPECT_EQ(raw_query(IPPROTO_TCP, "127.0.0.1", lport, "127.0.0.1", cport),
              static_cast<long>(inode_of(accepted.get())));
}

TEST(SockDiagKernel, DeviceBoundSocketMissesTheExactLookup)
{
    Fd server(bound(AF_INET, SOCK_DGRAM, "127.0.0.1"));
    ASSERT_GE(server.get(), 0);
    const std::uint16_t sport = local_port(server.get());
    Fd client(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (setsockopt(client.get(), SOL_SOCKET, SO_BINDTODEVICE, "lo", 3) != 0) {
        GTEST_SKIP() << "SO_BINDTODEVICE needs CAP_NET_RAW: " << std::strerror(errno);
    }
    ASSERT_TRUE(connect_to(client.get(), "127.0.0.1", sport));
    // The lookup passes interface 0, which a device-bound socket never matches: ENOENT.
    // This is why SockDiag::lookup ends with a dump.
    EXPECT_EQ(raw_query(IPPROTO_UDP, "127.0.0.1", sport, "127.0.0.1", local_port(client.get())),
              -ENOENT);
}

// A dump of `proto` with no state selected: the errno NLMSG_DONE carries, or 1 when the
// kernel answered otherwise.
int raw_empty_dump(int proto)
{
    const int nl = open_raw_diag();
    if (nl < 0) {
        return nl;
    }
    Fd guard(nl);
    const RawRequest m = raw_request(proto, NLM_F_REQUEST | NLM_F_DUMP);
    if (send(nl, &m, sizeof m, 0) < 0) {
        return -errno;
    }
    alignas(nlmsghdr) std::array<std::uint8_t, 8192> buf{};
    const ssize_t n = recv(nl, buf.data(), buf.size(), 0);
    nlmsghdr h{};
    if (n < static_cast<ssize_t>(NLMSG_HDRLEN + sizeof(int))) {
        return 1;
    }
    std::memcpy(&h, buf.data(), sizeof h);
    int done_errno = 0;
    std::memcpy(&done_errno, buf.data() + NLMSG_HDRLEN, sizeof done_errno);
    return h.nlmsg_type == NLMSG_DONE ? done_errno : 1;
}

TEST(SockDiagKernel, DumpErrorsArriveInDone)
{
    // What SockDiag::open relies on to tell a missing tcp_diag/udp_diag from an empty table:
    // a dump's error is not an NLMSG_ERROR but the payload of NLMSG_DONE.
    EXPECT_EQ(raw_empty_dump(IPPROTO_UDP), 0);
    EXPECT_EQ(raw_empty_dump(IPPROTO_TCP), 0);
    EXPECT_EQ(raw_empty_dump(200), -ENOENT); // no inet_diag handler for protocol 200
}

// --- The parser and the matcher, on hand-built messages ---------------------------------

struct Reply {
    alignas(nlmsghdr) std::array<std::uint8_t, 256> bytes{};
    std::size_t len = 0;
};

Reply make_reply(std::uint8_t family, bool with_v6only, std::uint8_t v6only)
{
    Reply r;
    inet_diag_msg msg{};
    msg.idiag_family = family;
    msg.idiag_state = 7;
    msg.idiag_uid = 1000;
    msg.idiag_inode = 424242;
    msg.id.idiag_sport = htons(5353);
    msg.id.idiag_dport = htons(53);
    msg.id.idiag_src[0] = htonl(0x7F000001);
    msg.id.idiag_dst[0] = htonl(0xC0000235);
    msg.id.idiag_if = 3;
    msg.id.idiag_cookie[0] = 0x11223344;
    msg.id.idiag_cookie[1] = 0x55;
    std::size_t len = NLMSG_HDRLEN + sizeof msg;
    std::memcpy(r.bytes.data() + NLMSG_HDRLEN, &msg, sizeof msg);
    if (with_v6only) {
        const nlattr a{static_cast<std::uint16_t>(sizeof(nlattr) + 1), INET_DIAG_SKV6ONLY};
        std::memcpy(r.bytes.data() + len, &a, sizeof a);
        r.bytes[len + sizeof a] = v6only;
        len += NLA_ALIGN(sizeof(nlattr) + 1);
    }
    nlmsghdr h{};
    h.nlmsg_len = static_cast<std::uint32_t>(len);
    h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    std::memcpy(r.bytes.data(), &h, sizeof h);
    r.len = len;
    return r;
}

TEST(InetDiagParse, ReadsTheFields)
{
    const Reply r = make_reply(AF_INET, false, 0);
    SocketEntry e;
    ASSERT_TRUE(parse_inet_diag_reply(r.bytes.data(), r.len, e));
    EXPECT_EQ(e.inode, 424242U);
    EXPECT_EQ(e.uid, 1000U);
    EXPECT_EQ(e.state, 7);
    EXPECT_EQ(e.cookie, 0x5511223344ULL);
    InetDiagSocket s;
    ASSERT_TRUE(parse_inet_diag_message(r.bytes.data(), r.len, s));
    EXPECT_EQ(s.src.to_string(), "127.0.0.1");
    EXPECT_EQ(s.dst.to_string(), "192.0.2.53");
    EXPECT_EQ(s.sport, 5353);
    EXPECT_EQ(s.dport, 53);
    EXPECT_EQ(s.ifindex, 3U);
    EXPECT_FALSE(s.v6only);
}

TEST(InetDiagParse, RejectsShortWrongAndLyingMessages)
{
    const Reply good = make_reply(AF_INET, false, 0);
    SocketEntry e;
    EXPECT_FALSE(parse_inet_diag_reply(nullptr, 100, e));
    EXPECT_FALSE(parse_inet_diag_reply(good.bytes.data(), 0, e));
    EXPECT_FALSE(parse_inet_diag_reply(good.bytes.data(), good.len - 1, e)); // nlmsg_len > len
    Reply r = good;
    r.bytes[4] = NLMSG_ERROR; // nlmsg_type
    r.bytes[5] = 0;
    EXPECT_FALSE(parse_inet_diag_reply(r.bytes.data(), r.len, e));
    r = good;
    r.bytes[0] = 20; // nlmsg_len shorter than the inet_diag_msg
    EXPECT_FALSE(parse_inet_diag_reply(r.bytes.data(), r.len, e));
    r = make_reply(AF_UNIX, false, 0);
    EXPECT_FALSE(parse_inet_diag_reply(r.bytes.data(), r.len, e));
}

TEST(InetDiagParse, V6OnlyAttributeAndDamagedAttributes)
{
    Reply r = make_reply(AF_INET6, true, 1);
    InetDiagSocket s;
    ASSERT_TRUE(parse_inet_diag_message(r.bytes.data(), r.len, s));
    EXPECT_TRUE(s.v6only);
    EXPECT_EQ(s.src.version, 6);
    // An attribute claiming more than the message holds: the walk stops, the message stands.
    const std::size_t at = NLMSG_HDRLEN + sizeof(inet_diag_msg);
    r.bytes[at] = 200;
    ASSERT_TRUE(parse_inet_diag_message(r.bytes.data(), r.len, s));
    EXPECT_FALSE(s.v6only);
    // Unaligned input.
    Reply shifted;
    std::memcpy(shifted.bytes.data() + 1, make_reply(AF_INET, false, 0).bytes.data(), 200);
    SocketEntry e;
    EXPECT_TRUE(parse_inet_diag_reply(shifted.bytes.data() + 1, 200, e));
}

InetDiagSocket
diag_socket(const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport)
{
    InetDiagSocket s;
    s.src = net::parse_ip(src);
    s.dst = net::parse_ip(dst);
    s.family = s.src.version == 4 ? AF_INET : AF_INET6;
    s.sport = sport;
    s.dport = dport;
    s.entry.inode = 1;
    return s;
}

TEST(MatchScore, ExactBeatsWildcardAndStrangersScoreZero)
{
    const FlowTuple t = tuple(net::L4::udp, "10.0.0.2", 40000, "9.9.9.9", 53);
    const int exact = match_score(diag_socket("10.0.0.2", 40000, "9.9.9.9", 53), t);
    const int unconnected = match_score(diag_socket("10.0.0.2", 40000, "0.0.0.0", 0), t);
    const int any = match_score(diag_socket("0.0.0.0", 40000, "0.0.0.0", 0), t);
    EXPECT_GT(exact, unconnected);
    EXPECT_GT(unconnected, any);
    EXPECT_GT(any, 0);
    EXPECT_EQ(match_score(diag_socket("10.0.0.2", 40001, "9.9.9.9", 53), t), 0);
    EXPECT_EQ(match_score(diag_socket("10.0.0.3", 40000, "9.9.9.9", 53), t), 0);
    EXPECT_EQ(match_score(diag_socket("10.0.0.2", 40000, "1.1.1.1", 53), t), 0);
    EXPECT_EQ(match_score(diag_socket("10.0.0.2", 40000, "9.9.9.9", 853), t), 0);
    // A dual-stack socket's mapped view of the same flow; not when it is IPv6-only.
    InetDiagSocket mapped = diag_socket("::ffff:10.0.0.2", 40000, "::ffff:9.9.9.9", 53);
    EXPECT_EQ(match_score(mapped, t), exact);
    mapped.v6only = true;
    EXPECT_EQ(match_score(mapped, t), 0);
    EXPECT_GT(match_score(diag_socket("::", 40000, "::", 0), t), 0);
    EXPECT_EQ(match_score(diag_socket("2001:db8::1", 40000, "::", 0), t), 0);
    // An IPv6 tuple never matches an AF_INET socket.
    const FlowTuple t6 = tuple(net::L4::udp, "2001:db8::2", 40000, "2001:db8::53", 53);
    EXPECT_EQ(match_score(diag_socket("0.0.0.0", 40000, "0.0.0.0", 0), t6), 0);
    EXPECT_GT(match_score(diag_socket("::", 40000, "::", 0), t6), 0);
}

} // namespace
} // namespace wtfn::platform
