// The Linux FlowOwnerProvider (docs/attribution.md): one worker thread that
//   - drains the eBPF ring buffer, and for each new (socket, 5-tuple) reads the owner's
//     /proc details at once, while the process most likely still runs;
//   - answers the capture thread's requests: an eBPF record for the tuple gives a HIGH
//     owner; without one (no eBPF, or a socket opened before wtfn started) sock_diag finds
//     the socket by its 5-tuple and a /proc scan finds who holds it (MEDIUM or LOW).
// Nothing here runs on the packet loop; the capture thread only pushes requests and picks
// up answers under a mutex once per loop turn.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include "platform/flow_owner_provider.h"
#include "platform/linux/proc_info.h"
#include "platform/linux/proc_sockets.h"
#include "platform/linux/sock_diag.h"
#ifdef WTFN_HAVE_BPF
#include "platform/linux/bpf_owner_source.h"
#endif

namespace wtfn::platform {

std::string_view to_string(OwnerConfidence c)
{
    switch (c) {
        case OwnerConfidence::high:
            return "high";
        case OwnerConfidence::medium:
            return "medium";
        case OwnerConfidence::low:
            return "low";
        case OwnerConfidence::none:
            break;
    }
    return "none";
}

std::string_view to_string(OwnerSource s)
{
    switch (s) {
        case OwnerSource::ebpf:
            return "ebpf";
        case OwnerSource::sock_diag:
            return "sock_diag";
        case OwnerSource::none:
            break;
    }
    return "none";
}

std::string_view to_string(OwnerKind k)
{
    switch (k) {
        case OwnerKind::process:
            return "process";
        case OwnerKind::kernel:
            return "kernel";
        case OwnerKind::forwarded:
            return "forwarded";
        case OwnerKind::unknown:
            break;
    }
    return "unknown";
}

namespace {

using Clock = std::chrono::steady_clock;

struct TupleHash {
    std::size_t operator()(const FlowTuple& t) const { return static_cast<std::size_t>(t.hash()); }
};

// A small LRU map: lookups refresh an entry, inserts past the capacity drop the oldest.
template <typename Key, typename Value, typename Hash>
class Lru {
public:
    explicit Lru(std::size_t capacity) : capacity_(capacity) {}

    Value* find(const Key& k)
    {
        auto it = index_.find(k);
        if (it == index_.end()) {
            return nullptr;
        }
        order_.splice(order_.begin(), order_, it->second);
        return &it->second->second;
    }

    Value& put(const Key& k, Value v)
    {
        if (Value* old = find(k)) {
            *old = std::move(v);
            return *old;
        }
        if (index_.size() >= capacity_) {
            index_.erase(order_.back().first);
            order_.pop_back();
        }
        order_.emplace_front(k, std::move(v));
        index_.emplace(k, order_.begin());
        return order_.front().second;
    }

    template <typename Pred>
    void erase_if(Pred pred)
    {
        for (auto it = order_.begin(); it != order_.end();) {
            if (pred(it->second)) {
                index_.erase(it->first);
                it = order_.erase(it);
            } else {
                ++it;
            }
        }
    }

private:
    std::size_t capacity_;
    std::list<std::pair<Key, Value>> order_;
    std::unordered_map<Key, typename std::list<std::pair<Key, Value>>::iterator, Hash> index_;
};

// R4: at most 65,536 sockets and 16,384 processes remembered; a process 15 s after last use.
constexpr std::size_t SOCKET_CAPACITY = 65536;
constexpr std::size_t PROCESS_CAPACITY = 16384;
constexpr auto PROCESS_GRACE = std::chrono::seconds(15);
constexpr std::size_t MAX_QUEUED_REQUESTS = 65536;
// How far a record's time may follow the capture timestamp of its own packet: the two come
// from different clocks (CLOCK_BOOTTIME in the kernel, CLOCK_REALTIME in the capture).
constexpr std::int64_t CLOCK_SLACK_NS = 1'000'000;

struct ProcessKey {
    std::int32_t pid = 0;
    std::uint64_t start_ticks = 0;
    bool operator==(const ProcessKey&) const = default;
};

struct ProcessKeyHash {
    std::size_t operator()(const ProcessKey& k) const
    {
        return std::hash<std::uint64_t>{}((std::uint64_t(std::uint32_t(k.pid)) << 32) ^
                                          k.start_ticks);
    }
};

struct CachedProcess {
    bool ok = false;
    ProcessInfo info;
    std::string reason; // when !ok
    Clock::time_point used;
};

// What an eBPF record said about one socket's tuple.
struct SocketOwner {
    std::int64_t sent_ns = 0; // wall clock when its first packet left (CLOCK_REALTIME)
    bool owner_known = false;
    std::uint64_t loss_epoch = 0; // records lost before this one: a later loss makes it suspect
    std::uint32_t tgid = 0;
    std::uint32_t ppid = 0;
    std::uint32_t uid = 0;
    std::uint64_t start_ticks = 0;
    std::string comm;
    std::string parent_comm;
    std::string args;
};

// The last sockets seen sending on one 5-tuple, oldest first (at most OWNERS_PER_TUPLE).
using TupleOwners = std::vector<SocketOwner>;
constexpr std::size_t OWNERS_PER_TUPLE = 4;

[[maybe_unused]] std::string join_args(std::string_view args)
{
    std::string s(args);
    while (!s.empty() && s.back() == '\0') {
        s.pop_back();
    }
    std::replace(s.begin(), s.end(), '\0', ' ');
    return s;
}

class LinuxFlowOwnerProvider final : public FlowOwnerProvider {
public:
    // At most SOCKET_CAPACITY sockets in all: OWNERS_PER_TUPLE for each tuple remembered.
    LinuxFlowOwnerProvider()
        : sockets_owned_(SOCKET_CAPACITY / OWNERS_PER_TUPLE),
          processes_(PROCESS_CAPACITY)
    {}

    ~LinuxFlowOwnerProvider() override
    {
        {
            std::lock_guard lock(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable()) {
            thread_.join();
        }
    }

    LinuxFlowOwnerProvider(const LinuxFlowOwnerProvider&) = delete;
    LinuxFlowOwnerProvider& operator=(const LinuxFlowOwnerProvider&) = delete;

    void start(const OwnerOptions& options, std::string& bpf_error)
    {
#ifdef WTFN_HAVE_BPF
        if (options.bpf) {
            bpf_ = BpfOwnerSource::open(bpf_error);
            netns_cookie_ = current_netns_cookie();
        }
#else
        if (options.bpf) {
            bpf_error = "this wtfn was built without eBPF support (cmake -DWTFN_BPF=ON)";
        }
#endif
        diag_ok_ = diag_.open(diag_error_);
        thread_ = std::thread([this] { run(); });
    }

    void request(const FlowTuple& t, std::int64_t ts_ns, std::uint64_t token) override
    {
        {
            std::lock_guard lock(mu_);
            ++stats_.requests;
            ++outstanding_;
            if (requests_.size() >= MAX_QUEUED_REQUESTS) {
                ++stats_.requests_dropped;
                OwnerAnswer a;
                a.token = token;
                a.owner.source = method() == "ebpf" ? OwnerSource::ebpf : OwnerSource::sock_diag;
                a.owner.reason = "attribution is overloaded (request queue full)";
                answers_.push_back(std::move(a));
                return;
            }
            requests_.push_back({t, ts_ns, token});
        }
        cv_.notify_one();
    }

    void collect(std::vector<OwnerAnswer>& out) override
    {
        std::lock_guard lock(mu_);
        outstanding_ -= answers_.size();
        for (auto& a : answers_) {
            out.push_back(std::move(a));
        }
        answers_.clear();
    }

    std::size_t outstanding() const override
    {
        std::lock_guard lock(mu_);
        return outstanding_;
    }

    OwnerStats stats() const override
    {
        std::lock_guard lock(mu_);
        return stats_;
    }

    std::string_view method() const override
    {
#ifdef WTFN_HAVE_BPF
        if (bpf_) {
            return "ebpf";
        }
#endif
        return "sock_diag";
    }

private:
    struct Request {
        FlowTuple tuple;
        std::int64_t ts_ns = 0;
        std::uint64_t token = 0;
    };

    void run()
    {
        std::vector<Request> work;
        std::vector<OwnerAnswer> done;
        for (;;) {
            {
                std::unique_lock lock(mu_);
                if (stop_) {
                    return;
                }
                if (requests_.empty()) {
#ifdef WTFN_HAVE_BPF
                    if (bpf_) {
                        lock.unlock();
                        drain_ring(10); // records come in while nobody asks
                        lock.lock();
                    } else
#endif
                    {
                        cv_.wait_for(lock, std::chrono::milliseconds(100));
                    }
                }
                work.swap(requests_);
            }
            if (work.empty()) {
                continue;
            }
#ifdef WTFN_HAVE_BPF
            // The record of a packet is written before the packet reaches the capture, so
            // whatever was asked for is in the ring by now.
            if (bpf_) {
                drain_ring(0);
            }
#endif
            for (const Request& r : work) {
                OwnerAnswer a;
                a.token = r.token;
                resolve(r.tuple, r.ts_ns, a.owner);
                done.push_back(std::move(a));
            }
            work.clear();
            expire_processes();
            std::lock_guard lock(mu_);
            for (auto& a : done) {
                answers_.push_back(std::move(a));
            }
            done.clear();
        }
    }

#ifdef WTFN_HAVE_BPF
    void drain_ring(int timeout_ms)
    {
        const BpfOwnerSource::RecordFn fn = [this](const OwnerRecord& r) {
            on_record(r);
        };
        bpf_->poll(timeout_ms, fn);
        const std::uint64_t lost = bpf_->lost();
        std::lock_guard lock(mu_);
        stats_.events_lost = lost;
    }

    void on_record(const OwnerRecord& r)
    {
        {
            std::lock_guard lock(mu_);
            ++stats_.bpf_records;
        }
        // The hooks see every namespace; only this one's flows are the capture's.
        if (r.owner_known && netns_cookie_ != 0 && r.netns_cookie != 0 &&
            r.netns_cookie != netns_cookie_) {
            return;
        }
        SocketOwner o;
        o.sent_ns = static_cast<std::int64_t>(r.sent_boot_ns) + boot_to_real_ns();
        o.owner_known = r.owner_known;
        o.loss_epoch = bpf_->lost();
        o.tgid = r.tgid;
        o.ppid = r.ppid;
        o.uid = r.uid;
        o.start_ticks = r.start_ticks;
        o.comm = std::string(r.comm);
        o.parent_comm = std::string(r.parent_comm);
        o.args = join_args(r.args);
        if (o.owner_known) {
            // Now, while the process most likely still runs: dig is gone 20 ms later.
            process(static_cast<std::int32_t>(o.tgid), o.start_ticks);
        }
        // One tuple can pass from socket to socket (a short-lived process's port handed to
        // the next one milliseconds later): keep the last few, each with its time.
        TupleOwners* list = sockets_owned_.find(r.tuple);
        if (list == nullptr) {
            list = &sockets_owned_.put(r.tuple, TupleOwners{});
        }
        if (list->size() >= OWNERS_PER_TUPLE) {
            list->erase(list->begin());
        }
        list->push_back(std::move(o));
    }

    // CLOCK_REALTIME - CLOCK_BOOTTIME now: the records' clock to the capture's.
    static std::int64_t boot_to_real_ns()
    {
        timespec real{};
        timespec boot{};
        ::clock_gettime(CLOCK_REALTIME, &real);
        ::clock_gettime(CLOCK_BOOTTIME, &boot);
        return (std::int64_t{real.tv_sec} - boot.tv_sec) * 1'000'000'000 +
               (std::int64_t{real.tv_nsec} - boot.tv_nsec);
    }
#endif

    // /proc details of a process, cached per (pid, start time) so a pid reused by another
    // process is never confused with the first.
    const CachedProcess& process(std::int32_t pid, std::uint64_t start_ticks)
    {
        const ProcessKey key{pid, start_ticks};
        if (CachedProcess* c = processes_.find(key)) {
            c->used = Clock::now();
            return *c;
        }
        CachedProcess c;
        c.ok = procs_.read(pid, c.info, c.reason, start_ticks);
        c.used = Clock::now();
        return processes_.put(key, std::move(c));
    }

    void expire_processes()
    {
        const auto now = Clock::now();
        if (now - last_expiry_ < std::chrono::seconds(1)) {
            return;
        }
        last_expiry_ = now;
        processes_.erase_if([now](const CachedProcess& c) { return now - c.used > PROCESS_GRACE; });
    }

    void resolve(const FlowTuple& t, std::int64_t ts_ns, FlowOwner& out)
    {
#ifdef WTFN_HAVE_BPF
        if (bpf_) {
            if (const TupleOwners* list = sockets_owned_.find(t); list != nullptr) {
                // The socket that sent this packet is the newest one that had sent on the
                // tuple by the time the packet was captured (its record is written before
                // the capture sees the packet; the slack covers the two clocks' reading).
                const SocketOwner* best = nullptr;
                bool ambiguous = false;
                for (const SocketOwner& o : *list) {
                    if (o.sent_ns <= ts_ns + CLOCK_SLACK_NS &&
                        (best == nullptr || o.sent_ns >= best->sent_ns)) {
                        best = &o;
                    }
                }
                for (const SocketOwner& o : *list) {
                    if (best != nullptr && &o != best && o.tgid != best->tgid &&
                        std::abs(o.sent_ns - best->sent_ns) <= CLOCK_SLACK_NS) {
                        ambiguous = true;
                    }
                }
                if (best != nullptr && best->owner_known) {
                    from_record(*best, out);
                    if (ambiguous && out.confidence == OwnerConfidence::high) {
                        out.confidence = OwnerConfidence::medium;
                        out.reason = "two processes used this 5-tuple within a millisecond";
                    }
                    return;
                }
            }
        }
#endif
        (void)ts_ns;
        fallback(t, out);
    }

    void from_record(const SocketOwner& o, FlowOwner& out)
    {
        out.kind = OwnerKind::process;
        out.source = OwnerSource::ebpf;
        out.confidence = OwnerConfidence::high;
        const std::int32_t pid = static_cast<std::int32_t>(o.tgid);
        const CachedProcess& p = process(pid, o.start_ticks);
        if (p.ok) {
            out.process = p.info;
        } else {
            // Gone before /proc could be read: what the kernel recorded is still exact.
            out.process.start_ticks = o.start_ticks;
            out.process.cmdline = o.args;
            out.reason = p.reason + "; name, parent and command line are the kernel's record";
            procs_.read_chain(static_cast<std::int32_t>(o.ppid), out.process.chain);
            if (out.process.chain.empty() ||
                out.process.chain.front().pid != std::int32_t(o.ppid)) {
                out.process.chain.insert(
                    out.process.chain.begin(),
                    Ancestor{static_cast<std::int32_t>(o.ppid), o.parent_comm});
            }
        }
        // The record is the truth for these even when /proc was read.
        out.process.pid = pid;
        out.process.ppid = static_cast<std::int32_t>(o.ppid);
        out.process.name = o.comm;
        out.process.has_uid = true;
        out.process.uid = o.uid;
        if (out.process.user.empty()) {
            out.process.user = procs_.user_name(o.uid);
        }
#ifdef WTFN_HAVE_BPF
        if (o.loss_epoch != bpf_->lost()) {
            // Records were lost after this one: a newer socket on the same tuple may have
            // gone unrecorded, so this owner is no longer certain.
            out.confidence = OwnerConfidence::medium;
            out.reason = "the eBPF ring buffer overflowed after this owner was recorded";
        }
#endif
    }

    // sock_diag: the socket by its 5-tuple, its inode, the process holding that inode.
    void fallback(const FlowTuple& t, FlowOwner& out)
    {
        out.source = OwnerSource::sock_diag;
        const char* why_no_bpf =
#ifdef WTFN_HAVE_BPF
            bpf_ ? "no eBPF record for this socket (opened before wtfn started)" :
#endif
                 "eBPF attribution is off";
        if (!diag_ok_) {
            out.reason =
                fmt::format("{}, and sock_diag is unavailable: {}", why_no_bpf, diag_error_);
            return;
        }
        SocketEntry s;
        std::string error;
        {
            std::lock_guard lock(mu_);
            ++stats_.sock_diag_lookups;
        }
        const SockLookup found = diag_.lookup(t, s, error);
        if (found == SockLookup::error) {
            out.reason = "sock_diag lookup failed: " + error;
            return;
        }
        if (found == SockLookup::not_found) {
            if (!is_local_address(t.local)) {
                out.kind = OwnerKind::forwarded;
                out.reason = fmt::format("{} is not an address of this machine: forwarded traffic, "
                                         "not sent by a local socket",
                                         t.local.to_string());
                return;
            }
            out.reason = fmt::format("the socket was already closed when looked up ({}; a "
                                     "short-lived process)",
                                     why_no_bpf);
            return;
        }
        const std::uint64_t walks = sockets_.scans();
        InodeOwners holders = sockets_.find(s.inode);
        if (holders.holders == 0 && sockets_.scans() == walks) {
            holders = sockets_.find(s.inode, true); // the cache was stale: walk once now
        }
        {
            std::lock_guard lock(mu_);
            stats_.proc_scans = sockets_.scans();
        }
        if (holders.holders == 0) {
            // Held by no process: either the kernel's own socket, or its process exited
            // during the scan. Ask again to tell the two apart.
            SocketEntry again;
            if (diag_.lookup(t, again, error) == SockLookup::found && again.inode == s.inode) {
                out.kind = OwnerKind::kernel;
                out.confidence = OwnerConfidence::medium;
                out.reason = "the socket is held by no process: the kernel itself sends this "
                             "(in-kernel WireGuard, IPsec, NFS)";
                return;
            }
            out.reason = "the process exited before its socket could be traced to it";
            return;
        }
        const CachedProcess& p = process(holders.pid, holders.start_ticks);
        out.kind = OwnerKind::process;
        if (!p.ok) {
            out.confidence = OwnerConfidence::low;
            out.process.pid = holders.pid;
            out.process.has_uid = true;
            out.process.uid = s.uid;
            out.process.user = procs_.user_name(s.uid);
            out.reason = p.reason;
            return;
        }
        out.process = p.info;
        if (holders.holders > 1) {
            out.confidence = OwnerConfidence::low;
            out.reason = fmt::format("the socket is shared by {} processes; the most recently "
                                     "started is named",
                                     holders.holders);
        } else {
            out.confidence = OwnerConfidence::medium;
            out.reason = "found by sock_diag and /proc after the packet was seen, not recorded "
                         "by the kernel when it was sent";
        }
    }

    // Whether `a` is an address of this machine (in this network namespace): bind() says
    // so without listing interfaces. Cached briefly, as addresses come and go.
    bool is_local_address(const net::IpAddress& a)
    {
        const auto now = Clock::now();
        for (const auto& c : local_cache_) {
            if (c.addr == a && now - c.when < std::chrono::seconds(5)) {
                return c.local;
            }
        }
        bool local = true; // when bind cannot tell, do not claim "forwarded"
        const int fd = ::socket(a.version == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd >= 0) {
            int rc = 0;
            if (a.version == 4) {
                sockaddr_in sa{};
                sa.sin_family = AF_INET;
                std::memcpy(&sa.sin_addr, a.bytes.data(), 4);
                rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof(sa));
            } else {
                sockaddr_in6 sa{};
                sa.sin6_family = AF_INET6;
                std::memcpy(&sa.sin6_addr, a.bytes.data(), 16);
                rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof(sa));
            }
            local = rc == 0 || errno != EADDRNOTAVAIL;
            ::close(fd);
        }
        local_cache_[local_next_++ % local_cache_.size()] = {a, local, now};
        return local;
    }

    struct LocalCheck {
        net::IpAddress addr;
        bool local = false;
        Clock::time_point when;
    };

    // shared with the capture thread, under mu_
    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::vector<Request> requests_;
    std::vector<OwnerAnswer> answers_;
    std::size_t outstanding_ = 0;
    OwnerStats stats_;

    // the worker's own
    std::thread thread_;
#ifdef WTFN_HAVE_BPF
    std::unique_ptr<BpfOwnerSource> bpf_;
#endif
    [[maybe_unused]] std::uint64_t netns_cookie_ = 0;
    SockDiag diag_;
    bool diag_ok_ = false;
    std::string diag_error_;
    ProcSocketIndex sockets_;
    ProcInfoReader procs_;
    Lru<FlowTuple, TupleOwners, TupleHash> sockets_owned_;
    Lru<ProcessKey, CachedProcess, ProcessKeyHash> processes_;
    Clock::time_point last_expiry_;
    std::array<LocalCheck, 16> local_cache_{};
    std::size_t local_next_ = 0;
};

} // namespace

std::unique_ptr<FlowOwnerProvider> open_flow_owner_provider(const OwnerOptions& options,
                                                            std::string& bpf_error)
{
    auto p = std::make_unique<LinuxFlowOwnerProvider>();
    p->start(options, bpf_error);
    return p;
}

} // namespace wtfn::platform
