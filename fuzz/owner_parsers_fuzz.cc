// fuzz_owner_parsers: the parsers of process attribution's fallback (src/platform/linux/
// sock_diag.h, proc_info.h), all on the same input, since each reads bytes the kernel hands
// over and a kernel (or a proc root) can hand any of them anything:
//   - parse_inet_diag_message / parse_inet_diag_reply on the input as one netlink message
//     (nlmsghdr + inet_diag_msg + attributes), at whatever alignment it comes, then
//     match_score of the parsed socket against tuples made of its own fields;
//   - parse_proc_stat on the input as /proc/PID/stat text;
//   - container_id_from_cgroup on the input as a cgroup path, and on each of its first 64
//     lines as /proc/PID/cgroup lines;
//   - boot_ns_to_ticks on the first 8 bytes;
//   - decode_owner_record (bpf_owner_source.h) on the input as an eBPF ring-buffer record,
//     when eBPF attribution is built in: a record of the wrong size or with an unknown
//     family or protocol is refused, and the decoded strings stay inside the record.
//
// The seeds (fuzz/corpus/fuzz_owner_parsers/) are written by hand: four replies a Linux 6.18
// kernel sent for loopback sockets (connected and unconnected UDP, an IPv6-only UDP socket
// with its INET_DIAG_SKV6ONLY attribute, a dual-stack TCP socket), /proc/PID/stat lines with
// hostile comms, and /proc/PID/cgroup files of Docker, Kubernetes, Podman and LXC.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include <sys/socket.h>

#include "fuzz_common.h"
#ifdef WTFN_HAVE_BPF
#include "platform/linux/bpf_owner_source.h"
#endif
#include "platform/linux/proc_info.h"
#include "platform/linux/sock_diag.h"

namespace {

namespace p = wtfn::platform;

// /proc/PID/cgroup has one line per hierarchy; a dozen in practice.
constexpr std::size_t max_cgroup_lines = 64;

// ::ffff:a.b.c.d -> a.b.c.d: how the sensor sees a dual-stack socket's IPv4 traffic.
wtfn::net::IpAddress as_sensor_sees(const wtfn::net::IpAddress& a)
{
    static constexpr std::uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    if (a.version == 6 && std::memcmp(a.bytes.data(), prefix, sizeof prefix) == 0) {
        return wtfn::net::IpAddress::v4(wtfn::util::Bytes(a.bytes.data() + 12, 4));
    }
    return a;
}

bool same_entry(const p::SocketEntry& a, const p::SocketEntry& b)
{
    return a.inode == b.inode && a.uid == b.uid && a.cookie == b.cookie && a.state == b.state;
}

void check_inet_diag(const std::uint8_t* data, std::size_t size)
{
    p::InetDiagSocket s;
    const bool ok = p::parse_inet_diag_message(data, size, s);
    p::SocketEntry e;
    WTFN_FUZZ_CHECK(p::parse_inet_diag_reply(data, size, e) == ok);
    if (!ok) {
        return;
    }
    WTFN_FUZZ_CHECK(same_entry(e, s.entry));
    WTFN_FUZZ_CHECK(size >= 16 + 72); // nlmsghdr + inet_diag_msg
    WTFN_FUZZ_CHECK(s.family == AF_INET || s.family == AF_INET6);
    const int version = s.family == AF_INET ? 4 : 6;
    WTFN_FUZZ_CHECK(s.src.version == version && s.dst.version == version);
    (void)s.src.to_string();
    (void)s.dst.to_string();

    // The flow as the sensor sees a packet this socket sent (a dual-stack socket's IPv4
    // peers as plain IPv4) matches it exactly: local and remote both score. Not when the
    // port is 0 (no tuple has it) or an IPv6-only socket would be asked about IPv4.
    wtfn::platform::FlowTuple t;
    t.proto = wtfn::net::L4::udp;
    t.local = as_sensor_sees(s.src);
    t.remote = as_sensor_sees(s.dst);
    t.local_port = s.sport;
    t.remote_port = s.dport;
    const int own = p::match_score(s, t);
    WTFN_FUZZ_CHECK(own >= 0 && own <= 7);
    const bool v6only_asked_v4 = t.local.version == 4 && s.family == AF_INET6 && s.v6only;
    if (s.sport != 0 && !v6only_asked_v4) {
        WTFN_FUZZ_CHECK(own == 7);
    }
    // Another local port never matches.
    t.local_port = static_cast<std::uint16_t>(s.sport + 1);
    WTFN_FUZZ_CHECK(t.local_port == 0 || p::match_score(s, t) == 0);
}

void check_stat(std::string_view text)
{
    p::StatFields f;
    f.comm = "sentinel";
    if (!p::parse_proc_stat(text, f)) {
        WTFN_FUZZ_CHECK(f.comm == "sentinel"); // untouched on failure
        return;
    }
    WTFN_FUZZ_CHECK(f.ppid >= 0);
    // The comm lies between the first '(' and the last ')'.
    WTFN_FUZZ_CHECK(f.comm.size() + 2 <= text.size());
    const std::size_t open = text.find('(');
    WTFN_FUZZ_CHECK(open != std::string_view::npos);
    WTFN_FUZZ_CHECK(text.substr(open + 1, f.comm.size()) == f.comm);
    WTFN_FUZZ_CHECK(text.rfind(')') == open + 1 + f.comm.size());
}

void check_container(std::string_view path)
{
    const std::string id = p::container_id_from_cgroup(path);
    if (id.empty()) {
        return;
    }
    // A component of the path, or the tail of one.
    WTFN_FUZZ_CHECK(id.size() <= path.size());
    WTFN_FUZZ_CHECK(path.find(id) != std::string_view::npos);
    WTFN_FUZZ_CHECK(id.find('/') == std::string::npos);
}

void check_cgroup_lines(std::string_view text)
{
    std::string_view rest = text;
    for (std::size_t i = 0; i < max_cgroup_lines && !rest.empty(); ++i) {
        const std::string_view line = wtfn::fuzz::next_line(rest);
        // "HIERARCHY:CONTROLLERS:PATH" -> PATH, as proc_info.cc reads it.
        const std::size_t a = line.find(':');
        const std::size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
        check_container(b == std::string_view::npos ? line : line.substr(b + 1));
    }
}

void check_ticks(const std::uint8_t* data, std::size_t size)
{
    std::uint64_t ns = 0;
    std::memcpy(&ns, data, size < sizeof ns ? size : sizeof ns);
    const std::uint64_t t = p::boot_ns_to_ticks(ns);
    // Ticks are at most 1000 per second on any Linux ABI: never more than ns itself.
    WTFN_FUZZ_CHECK(t <= ns);
    if (ns != UINT64_MAX) {
        WTFN_FUZZ_CHECK(p::boot_ns_to_ticks(ns + 1) >= t); // monotonic
    }
}

void check_owner_record(const std::uint8_t* data, std::size_t size)
{
#ifdef WTFN_HAVE_BPF
    p::OwnerRecord r;
    if (!p::decode_owner_record(data, size, r)) {
        return;
    }
    const auto inside = [&](std::string_view s) {
        const auto* b = reinterpret_cast<const char*>(data);
        return s.empty() || (s.data() >= b && s.data() + s.size() <= b + size);
    };
    WTFN_FUZZ_CHECK(inside(r.comm) && inside(r.parent_comm) && inside(r.args));
    WTFN_FUZZ_CHECK(r.comm.size() <= 16 && r.parent_comm.size() <= 16 && r.args.size() <= 128);
    WTFN_FUZZ_CHECK(r.tuple.local.version == r.tuple.remote.version);
    (void)r.tuple.local.to_string();
#else
    (void)data;
    (void)size;
#endif
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const wtfn::fuzz::ExactCopy input(data, size);
    const std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
    try {
        check_inet_diag(input.data(), input.size());
        // The same message one byte off its alignment: the parser must not care.
        if (size > 1) {
            const wtfn::fuzz::ExactCopy shifted(data + 1, size - 1);
            check_inet_diag(shifted.data(), shifted.size());
        }
        check_stat(text);
        check_container(text);
        check_cgroup_lines(text);
        check_ticks(input.data(), input.size());
        check_owner_record(input.data(), input.size());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "exception: %s\n", e.what());
        wtfn::fuzz::invariant_failed("no exception escapes", __FILE__, __LINE__);
    } catch (...) {
        wtfn::fuzz::invariant_failed("no exception escapes", __FILE__, __LINE__);
    }
    return 0;
}
