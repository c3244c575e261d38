#include "platform/linux/bpf_owner_source.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "platform/linux/bpf/owner_record.h"
#include "wtfn_owner_bpf.skel.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

namespace wtfn::platform {
namespace {

// libbpf's own messages (verifier logs, BTF notes) would land on stderr in the middle of the
// report; keep the last ones to quote in an error instead.
thread_local std::string* g_libbpf_log = nullptr;

int capture_libbpf_print(enum libbpf_print_level level, const char* fmt, va_list args)
{
    if (level == LIBBPF_DEBUG || g_libbpf_log == nullptr) {
        return 0;
    }
    char line[512];
    // libbpf hands its own printf-style format; it is not ours to make a literal.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    const int n = std::vsnprintf(line, sizeof(line), fmt, args);
#pragma GCC diagnostic pop
    if (n > 0 && g_libbpf_log->size() < 4096) {
        g_libbpf_log->append(line);
    }
    return 0;
}

std::string last_line(const std::string& log)
{
    std::string s = log;
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.pop_back();
    }
    const auto nl = s.rfind('\n');
    return nl == std::string::npos ? s : s.substr(nl + 1);
}

std::string_view c_field(const char* p, std::size_t cap)
{
    return {p, ::strnlen(p, cap)};
}

std::uint64_t ns_to_ticks(std::uint64_t ns)
{
    static const long hz = ::sysconf(_SC_CLK_TCK);
    const std::uint64_t per_tick = 1000000000ULL / static_cast<std::uint64_t>(hz > 0 ? hz : 100);
    return ns / per_tick;
}

} // namespace

bool decode_owner_record(const void* data, std::size_t size, OwnerRecord& out)
{
    if (data == nullptr || size < sizeof(wtfn_owner_event)) {
        return false;
    }
    const auto* e = static_cast<const wtfn_owner_event*>(data);
    if ((e->family != 4 && e->family != 6) || (e->proto != 6 && e->proto != 17)) {
        return false;
    }
    out.tuple.proto = e->proto == 6 ? net::L4::tcp : net::L4::udp;
    const util::Bytes src{e->saddr, e->family == 4 ? 4U : 16U};
    const util::Bytes dst{e->daddr, e->family == 4 ? 4U : 16U};
    out.tuple.local = e->family == 4 ? net::IpAddress::v4(src) : net::IpAddress::v6(src);
    out.tuple.remote = e->family == 4 ? net::IpAddress::v4(dst) : net::IpAddress::v6(dst);
    out.tuple.local_port = e->sport;
    out.tuple.remote_port = e->dport;
    out.cookie = e->cookie;
    out.owner_known = (e->flags & WTFN_OWNER_KNOWN) != 0 && e->owner.tgid != 0;
    out.tgid = e->owner.tgid;
    out.ppid = e->owner.ppid;
    out.uid = e->owner.uid;
    out.start_ticks = ns_to_ticks(e->owner.start_ns);
    out.netns_cookie = e->owner.netns_cookie;
    out.cgroup_id = e->owner.cgroup_id;
    out.sent_boot_ns = e->sent_ns;
    out.comm = c_field(e->owner.comm, sizeof(e->owner.comm));
    out.parent_comm = c_field(e->owner.pcomm, sizeof(e->owner.pcomm));
    const std::size_t args = std::min<std::size_t>(e->owner.args_len, sizeof(e->owner.args));
    out.args = std::string_view(e->owner.args, args);
    return true;
}

std::string find_cgroup2_mount(const std::string& mountinfo_path)
{
    // mountinfo: "id parent major:minor root mountpoint options ... - fstype source super"
    std::ifstream in(mountinfo_path);
    std::string line;
    for (int n = 0; n < 10000 && std::getline(in, line); ++n) {
        const auto dash = line.find(" - ");
        if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0) {
            continue;
        }
        std::istringstream fields(line.substr(0, dash));
        std::string id;
        std::string parent;
        std::string devno;
        std::string root;
        std::string mountpoint;
        if (fields >> id >> parent >> devno >> root >> mountpoint) {
            return mountpoint; // octal escapes (\040) do not occur in these standard paths
        }
    }
    return {};
}

int open_cgroup2_root(std::string& where)
{
    // 1. Where this mount namespace has it.
    std::string path = find_cgroup2_mount();
    if (!path.empty()) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            where = path;
            return fd;
        }
    }
    // 2. `ip netns exec` remounts /sys in a mount namespace of its own, which hides the
    // cgroup mounts: look where init has it.
    path = find_cgroup2_mount("/proc/1/mountinfo");
    if (!path.empty()) {
        const std::string via_init = "/proc/1/root" + path;
        const int fd = ::open(via_init.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            where = via_init;
            return fd;
        }
    }
    // 3. Mount the hierarchy on a private directory just long enough to open its root;
    // the open directory keeps it usable after the lazy unmount, and nothing stays mounted.
    char dir[] = "/tmp/wtfn-cgroup2.XXXXXX";
    if (::mkdtemp(dir) == nullptr) {
        where = std::string("cannot make a mount point: ") + std::strerror(errno);
        return -1;
    }
    int fd = -1;
    if (::mount("none", dir, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0) {
        fd = ::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ::umount2(dir, MNT_DETACH);
        where = "cgroup2 (mounted privately)";
    } else {
        where = std::string("none mounted, and mounting one failed: ") + std::strerror(errno);
    }
    ::rmdir(dir);
    return fd;
}

std::uint64_t current_netns_cookie()
{
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return 0;
    }
    std::uint64_t cookie = 0;
    socklen_t len = sizeof(cookie);
    if (::getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) != 0) {
        cookie = 0;
    }
    ::close(fd);
    return cookie;
}

struct BpfOwnerSource::Impl {
    wtfn_owner_bpf* skel = nullptr;
    std::vector<bpf_link*> links;
    ring_buffer* ring = nullptr;
    const RecordFn* fn = nullptr;
    int handled = 0;

    ~Impl()
    {
        if (ring != nullptr) {
            ring_buffer__free(ring);
        }
        for (bpf_link* l : links) {
            bpf_link__destroy(l); // detaches; closing the process does the same on a crash
        }
        if (skel != nullptr) {
            wtfn_owner_bpf::destroy(skel);
        }
    }

    static int on_record(void* ctx, void* data, std::size_t size)
    {
        auto* self = static_cast<Impl*>(ctx);
        OwnerRecord r;
        if (decode_owner_record(data, size, r) && self->fn != nullptr) {
            (*self->fn)(r);
            ++self->handled;
        }
        return 0;
    }
};

BpfOwnerSource::BpfOwnerSource(std::unique_ptr<Impl> impl, std::string cgroup)
    : impl_(std::move(impl)),
      cgroup_(std::move(cgroup))
{}

BpfOwnerSource::~BpfOwnerSource() = default;

std::unique_ptr<BpfOwnerSource> BpfOwnerSource::open(std::string& error)
{
    if (::access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
        error = "the kernel exposes no BTF (/sys/kernel/btf/vmlinux; built without "
                "CONFIG_DEBUG_INFO_BTF), which eBPF attribution needs";
        return nullptr;
    }
    std::string cgroup;
    const int cg = open_cgroup2_root(cgroup);
    if (cg < 0) {
        error =
            "no cgroup v2 hierarchy to attach to (mount -t cgroup2 none /sys/fs/cgroup): " + cgroup;
        return nullptr;
    }

    struct FdGuard {
        int fd;

        ~FdGuard() { ::close(fd); }
    } cg_guard{cg};

    std::string log;
    g_libbpf_log = &log;
    libbpf_set_print(capture_libbpf_print);
    auto impl = std::make_unique<Impl>();
    impl->skel = wtfn_owner_bpf::open();
    if (impl->skel == nullptr) {
        error = std::string("cannot open the eBPF object: ") + std::strerror(errno);
        g_libbpf_log = nullptr;
        return nullptr;
    }
    if (wtfn_owner_bpf::load(impl->skel) != 0) {
        const int err = errno;
        g_libbpf_log = nullptr;
        if (err == EPERM || err == EACCES) {
            error = "loading eBPF programs needs root (CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN); "
                    "run wtfn as root";
        } else {
            error = std::string("the kernel refused the eBPF programs (") + std::strerror(err) +
                    "; needs Linux 5.8 or later with BTF)";
            const std::string detail = last_line(log);
            if (!detail.empty()) {
                error += ": " + detail;
            }
        }
        return nullptr;
    }
    g_libbpf_log = nullptr;
    for (bpf_program* p : {impl->skel->progs.owner_connect4,
                           impl->skel->progs.owner_connect6,
                           impl->skel->progs.owner_sendmsg4,
                           impl->skel->progs.owner_sendmsg6,
                           impl->skel->progs.owner_egress}) {
        bpf_link* link = bpf_program__attach_cgroup(p, cg);
        if (link == nullptr) {
            error = std::string("cannot attach eBPF program ") + bpf_program__name(p) + " to " +
                    cgroup + ": " + std::strerror(errno);
            return nullptr;
        }
        impl->links.push_back(link);
    }
    impl->ring = ring_buffer__new(
        bpf_map__fd(impl->skel->maps.events), &Impl::on_record, impl.get(), nullptr);
    if (impl->ring == nullptr) {
        error = std::string("cannot map the eBPF ring buffer: ") + std::strerror(errno);
        return nullptr;
    }
    return std::unique_ptr<BpfOwnerSource>(new BpfOwnerSource(std::move(impl), cgroup));
}

int BpfOwnerSource::poll(int timeout_ms, const RecordFn& fn)
{
    impl_->fn = &fn;
    impl_->handled = 0;
    const int rc = ring_buffer__poll(impl_->ring, timeout_ms);
    impl_->fn = nullptr;
    if (rc < 0 && rc != -EINTR) {
        return -1;
    }
    return impl_->handled;
}

std::uint64_t BpfOwnerSource::counter(std::uint32_t index) const
{
    const int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0) {
        return 0;
    }
    std::vector<std::uint64_t> values(static_cast<std::size_t>(cpus));
    if (bpf_map_lookup_elem(bpf_map__fd(impl_->skel->maps.counters), &index, values.data()) != 0) {
        return 0;
    }
    std::uint64_t sum = 0;
    for (const auto v : values) {
        sum += v;
    }
    return sum;
}

std::uint64_t BpfOwnerSource::lost() const
{
    return counter(0);
}

std::uint64_t BpfOwnerSource::unowned() const
{
    return counter(1);
}

} // namespace wtfn::platform
