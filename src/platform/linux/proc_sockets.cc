#include "platform/linux/proc_sockets.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "platform/linux/proc_info.h"

namespace wtfn::platform {
namespace {

// The clock is read once per this many fds: at about 4 µs per fd (proc_sockets.h) the time
// limit is overshot by about a millisecond at most.
constexpr std::size_t CLOCK_EVERY = 256;

// A numeric /proc entry: a process (thread group). Anything else (self, net, sys...) is not.
bool parse_pid(const char* name, std::int32_t& pid)
{
    std::int64_t v = 0;
    std::size_t n = 0;
    for (; name[n] != '\0'; ++n) {
        if (name[n] < '0' || name[n] > '9' || n >= 10) {
            return false;
        }
        v = v * 10 + (name[n] - '0');
    }
    if (n == 0 || v <= 0 || v > 0x7FFFFFFF) {
        return false;
    }
    pid = static_cast<std::int32_t>(v);
    return true;
}

// "socket:[12345]" -> 12345; anything else (a file, a pipe, "anon_inode:...") -> 0.
std::uint64_t socket_inode(std::string_view link)
{
    constexpr std::string_view prefix = "socket:[";
    if (link.size() < prefix.size() + 2 || link.substr(0, prefix.size()) != prefix ||
        link.back() != ']') {
        return 0;
    }
    std::uint64_t v = 0;
    for (const char c : link.substr(prefix.size(), link.size() - prefix.size() - 1)) {
        if (c < '0' || c > '9' || v > (UINT64_MAX - 9) / 10) {
            return 0;
        }
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

struct DirCloser {
    void operator()(DIR* d) const { closedir(d); }
};

using DirPtr = std::unique_ptr<DIR, DirCloser>;

} // namespace

ProcSocketIndex::ProcSocketIndex(std::string proc_root,
                                 std::size_t capacity,
                                 std::chrono::milliseconds min_rescan)
    : root_(std::move(proc_root)),
      capacity_(std::max<std::size_t>(capacity, 1)),
      min_rescan_(min_rescan)
{}

InodeOwners ProcSocketIndex::find(std::uint64_t inode, bool force_rescan)
{
    if (inode == 0) {
        return {};
    }
    auto it = cache_.find(inode);
    if (it != cache_.end() && !force_rescan) {
        return it->second.owners;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!force_rescan && scanned_ && now - last_scan_ < min_rescan_) {
        return {};
    }
    rescan(inode);
    it = cache_.find(inode);
    return it != cache_.end() ? it->second.owners : InodeOwners{};
}

std::uint64_t ProcSocketIndex::start_ticks_of(std::int32_t pid) const
{
    const std::string path = root_ + "/" + std::to_string(pid) + "/stat";
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    // One read: /proc/PID/stat is produced whole by the first read, and 1 KiB holds it
    // (its comm is at most 64 bytes).
    std::array<char, 1024> buf{};
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    ::close(fd);
    StatFields f;
    if (n <= 0 || !parse_proc_stat(std::string_view(buf.data(), static_cast<std::size_t>(n)), f)) {
        return 0;
    }
    return f.start_ticks;
}

void ProcSocketIndex::rescan(std::uint64_t wanted)
{
    const auto started = std::chrono::steady_clock::now();
    last_scan_ = started;
    scanned_ = true;
    ++scans_;
    permission_denied_ = 0;

    struct Seen {
        InodeOwners owners;
        std::int32_t last_pid = 0; // a process holding it on several fds counts once
    };

    std::unordered_map<std::uint64_t, Seen> fresh;
    fresh.reserve(std::min<std::size_t>(capacity_, 4096));

    // The pids first, newest (highest) first: when a walk is cut short by its limits, what
    // it leaves out is the oldest processes, long-lived daemons, rather than the short-lived
    // programs most likely to have exited before the next walk.
    std::vector<std::int32_t> pids;
    {
        DirPtr proc(opendir(root_.c_str()));
        if (!proc) {
            return; // the cache stays as it was: nothing new was learned
        }
        while (const dirent* pe = readdir(proc.get())) {
            std::int32_t pid = 0;
            if (parse_pid(pe->d_name, pid)) {
                pids.push_back(pid);
            }
        }
    }
    std::sort(pids.begin(), pids.end(), std::greater<>());

    std::size_t fds = 0;
    bool truncated = false;
    std::array<char, 64> link{};
    for (const std::int32_t pid : pids) {
        if (truncated) {
            break;
        }
        const std::string fd_path = root_ + "/" + std::to_string(pid) + "/fd";
        const int dfd = ::open(fd_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
            // ENOENT: exited during the walk. EACCES: another user's process, without root.
            permission_denied_ += errno == EACCES ? 1 : 0;
            continue;
        }
        DirPtr fdir(fdopendir(dfd));
        if (!fdir) {
            ::close(dfd);
            continue;
        }
        std::uint64_t start = 0;
        bool start_read = false;
        for (;;) {
            const dirent* fe = readdir(fdir.get());
            if (fe == nullptr) {
                break;
            }
            if (fe->d_name[0] == '.') {
                continue;
            }
            ++fds;
            if (fds > max_fds_ || (fds % CLOCK_EVERY == 0 &&
                                   std::chrono::steady_clock::now() - started > max_time_)) {
                truncated = true;
                break;
            }
            const ssize_t n = readlinkat(dirfd(fdir.get()), fe->d_name, link.data(), link.size());
            if (n < 0) {
                permission_denied_ += errno == EACCES ? 1 : 0;
                continue;
            }
            const std::uint64_t inode =
                socket_inode(std::string_view(link.data(), static_cast<std::size_t>(n)));
            if (inode == 0) {
                continue;
            }
            auto it = fresh.find(inode);
            if (it == fresh.end()) {
                if (fresh.size() >= capacity_ && inode != wanted) {
                    continue;
                }
                it = fresh.emplace(inode, Seen{}).first;
            }
            Seen& s = it->second;
            if (s.last_pid == pid) {
                continue;
            }
            s.last_pid = pid;
            if (!start_read) {
                // Read once per process, and only for processes holding a socket.
                start = start_ticks_of(pid);
                start_read = true;
            }
            ++s.owners.holders;
            const bool later = start > s.owners.start_ticks ||
                               (start == s.owners.start_ticks && pid > s.owners.pid);
            if (s.owners.holders == 1 || later) {
                s.owners.pid = pid;
                s.owners.start_ticks = start;
            }
        }
    }
    truncated_scans_ += truncated ? 1 : 0;

    // The new cache: this walk's sockets, then those of earlier walks (sockets closed since,
    // whose owner is still worth knowing) newest walk first, up to the capacity.
    std::unordered_map<std::uint64_t, Entry> next;
    next.reserve(std::min(capacity_, fresh.size() + cache_.size()));
    for (const auto& [inode, s] : fresh) {
        next.emplace(inode, Entry{s.owners, scans_});
    }
    if (next.size() < capacity_) {
        std::vector<std::pair<std::uint64_t, Entry>> older;
        for (const auto& [inode, e] : cache_) {
            if (next.find(inode) == next.end()) {
                older.emplace_back(inode, e);
            }
        }
        const std::size_t room = std::min(capacity_ - next.size(), older.size());
        std::partial_sort(
            older.begin(),
            older.begin() + static_cast<std::ptrdiff_t>(room),
            older.end(),
            [](const auto& a, const auto& b) { return a.second.scan > b.second.scan; });
        for (std::size_t i = 0; i < room; ++i) {
            next.emplace(older[i].first, older[i].second);
        }
    }
    cache_ = std::move(next);
}

} // namespace wtfn::platform
