// ProcSocketIndex: which process holds a socket, by its inode (sock_diag.h gives the inode).
// The kernel keeps no map from a socket to its processes; the only way is to walk every
// /proc/PID/fd and read each link ("socket:[INODE]"), as ss -p and lsof do. A walk cost 2 ms
// for 81 processes holding about 540 fds (a Linux 6.18 VM, Release build): about 4 µs per
// fd, so it is done on a miss only, at most once per `min_rescan`, and its result is cached:
// a later lookup of a socket seen by an earlier walk costs a hash lookup, and a socket whose
// process exited since is still known from the walk that saw it.
//
// Without root (CAP_SYS_PTRACE / CAP_DAC_READ_SEARCH) only the caller's own processes' fds
// are readable; permission_denied() counts the rest.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace wtfn::platform {

struct InodeOwners {
    std::int32_t pid = 0;      // the chosen holder, 0 when none was found
    std::uint32_t holders = 0; // how many processes hold the socket (0 = none found)
    // The chosen holder's start time as the walk saw it (0 if unreadable): hand it to
    // ProcInfoReader::read as expect_start_ticks, so a pid reused since the walk is caught.
    std::uint64_t start_ticks = 0;
};

// Not thread-safe: one instance per thread.
class ProcSocketIndex {
public:
    // A walk stops after this long or this many fds (a machine with millions of open files);
    // truncated_scans() counts the walks that stopped.
    static constexpr std::chrono::milliseconds DEFAULT_SCAN_TIME{200};
    static constexpr std::size_t DEFAULT_SCAN_FDS = 1000000;

    explicit ProcSocketIndex(std::string proc_root = "/proc",
                             std::size_t capacity = 65536,
                             std::chrono::milliseconds min_rescan = std::chrono::milliseconds(20));

    // The process holding `inode`: from the cache, else from a new walk of /proc (at most one
    // per min_rescan). `force_rescan` walks now, cache or not: for a caller that found the
    // cached holder gone or its pid reused (ProcInfoReader::read said so). When several processes
    // hold it (a child inherited it across fork, or a supervisor passed it on, as systemd does with
    // socket activation), `holders` says how many and `pid` is the most recently started one
    // (largest start time in /proc/PID/stat, then the largest pid): the one that inherited or was
    // handed the socket is the one that uses it, while the creator (a shell, a supervisor, pid 1)
    // is usually waiting. That is a guess, so a caller reports it with low confidence.
    InodeOwners find(std::uint64_t inode, bool force_rescan = false);

    std::uint64_t scans() const { return scans_; }

    // Process fd directories and fd links that could not be read (EACCES) in the last walk.
    std::uint64_t permission_denied() const { return permission_denied_; }

    // Walks that stopped at the time or fd limit. Such a walk skipped the oldest (lowest)
    // pids, so a socket they hold may be missed or its holders undercounted.
    std::uint64_t truncated_scans() const { return truncated_scans_; }

    std::size_t cached() const { return cache_.size(); }

    // Tests only: a smaller walk limit.
    void set_scan_limits(std::size_t max_fds, std::chrono::milliseconds max_time)
    {
        max_fds_ = max_fds;
        max_time_ = max_time;
    }

private:
    struct Entry {
        InodeOwners owners;
        std::uint64_t scan = 0; // the walk that last saw it
    };

    // `wanted` is recorded even when the walk's new entries already fill the capacity.
    void rescan(std::uint64_t wanted);
    std::uint64_t start_ticks_of(std::int32_t pid) const;

    std::string root_;
    std::size_t capacity_;
    std::chrono::milliseconds min_rescan_;
    std::size_t max_fds_ = DEFAULT_SCAN_FDS;
    std::chrono::milliseconds max_time_ = DEFAULT_SCAN_TIME;
    std::unordered_map<std::uint64_t, Entry> cache_;
    std::chrono::steady_clock::time_point last_scan_{};
    bool scanned_ = false;
    std::uint64_t scans_ = 0;
    std::uint64_t permission_denied_ = 0;
    std::uint64_t truncated_scans_ = 0;
};

} // namespace wtfn::platform
