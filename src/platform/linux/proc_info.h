// ProcInfoReader: the details of a process that a user needs to recognise it (flow_owner.h
// ProcessInfo), read from /proc: name, parent, executable, command line, user, cgroup,
// container and the chain of ancestors. Used by both attribution paths (eBPF and the
// sock_diag fallback) once they know a pid.
//
// A pid names a process only while it lives: the kernel reuses pids. Every read is tied to
// the process's start time (/proc/PID/stat field 22), and a read that sees the start time
// change, or the process vanish, says so instead of mixing two processes' details.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "platform/flow_owner.h"

namespace wtfn::platform {

// The fields of /proc/PID/stat that attribution needs.
struct StatFields {
    std::string comm;
    std::int32_t ppid = 0;
    std::uint64_t start_ticks = 0; // field 22: clock ticks after boot (boottime clock)
};

// Parses /proc/PID/stat text: "PID (COMM) STATE PPID ... STARTTIME ...". COMM may hold any
// byte, ')' and spaces included, so it is the text between the first '(' and the last ')'.
// False when a field up to 22 is missing, is not a decimal number, or overflows (ppid must
// fit int32). Bounds-checked for any input.
bool parse_proc_stat(std::string_view text, StatFields& out);

// The container a cgroup path names, or "" when it names none: the id of a Docker
// (docker-<id>.scope, /docker/<id>), containerd (cri-containerd-<id>.scope), CRI-O
// (crio-<id>.scope), Podman (libpod-<id>.scope) or Kubernetes cgroupfs (/kubepods/.../<id>)
// container, an id being 12 to 64 lowercase hex digits; the name of an LXC container
// (/lxc/<name>, /lxc.payload.<name>). Monitor processes (crio-conmon-, libpod-conmon-,
// lxc.monitor.) run outside the container and give "".
std::string container_id_from_cgroup(std::string_view cgroup_path);

// A kernel start_boottime (ns, what eBPF reads from task_struct) in the unit of /proc/PID/stat
// field 22 (sysconf(_SC_CLK_TCK), 100 on every Linux ABI), rounded down as the kernel's
// nsec_to_clock_t does, so the two compare equal for the same process.
std::uint64_t boot_ns_to_ticks(std::uint64_t ns);

// Not thread-safe: one instance per thread.
class ProcInfoReader {
public:
    // At most this many ancestors in a chain: deeper trees exist (a build system's make -j
    // recursion) but the nearest ancestors are the ones that explain a process.
    static constexpr std::size_t MAX_CHAIN = 64;
    // The ancestor cache (pid -> name, ppid, start): bounded, and an entry lives 15 s after
    // its last use (RELIABILITY.md R4), long enough for a pipeline to attribute the queries
    // of a short-lived script whose parent exits meanwhile.
    static constexpr std::size_t ANCESTOR_CAPACITY = 16384;
    static constexpr std::chrono::seconds ANCESTOR_TTL{15};
    // A command line longer than this is cut (argv of a compiler can be 100 KiB).
    static constexpr std::size_t MAX_CMDLINE = 4096;

    explicit ProcInfoReader(std::string proc_root = "/proc");

    // Fills `out` for `pid`. False, with `reason` ("process 123 exited before its details
    // were read", "permission denied reading /proc/123", "pid 123 was reused by another
    // process"), when the process is gone, unreadable, or (expect_start_ticks != 0) not the
    // process that started at that time. Fields that cannot be read while the process lives
    // (exe of another user's process without CAP_SYS_PTRACE) are left empty. The start time
    // is read again at the end, so details of a pid reused during the read are never mixed.
    // cmdline is the raw bytes with NULs made spaces: escape it before printing it.
    bool read(std::int32_t pid,
              ProcessInfo& out,
              std::string& reason,
              std::uint64_t expect_start_ticks = 0);

    // The ancestors from `from_pid` up (from_pid itself first), up to and including pid 1,
    // at most MAX_CHAIN, loop-safe. In a pid namespace the chain ends at the namespace's
    // init, whose parent reads as 0. An ancestor that is gone and not in the cache ends the
    // chain with an empty name (its pid is known from its child). With
    // `expect_start_ticks` != 0 (eBPF knows the parent's start time), a live process at
    // from_pid that started at another time is not taken for it.
    void read_chain(std::int32_t from_pid,
                    std::vector<Ancestor>& chain,
                    std::uint64_t expect_start_ticks = 0);

    std::size_t cached_ancestors() const { return ancestors_.size(); }

    // Tests only: the clock the ancestor cache ages by.
    void set_now_for_test(std::chrono::steady_clock::time_point now) { test_now_ = now; }

    // The user name of `uid` from the password database, cached (failures too); empty when
    // it has none.
    const std::string& user_name(std::uint32_t uid);

private:
    struct CachedAncestor {
        std::string name;
        std::int32_t ppid = 0;
        std::uint64_t start_ticks = 0;
        std::chrono::steady_clock::time_point last_used;
    };

    enum class StatRead : std::uint8_t { ok, gone, denied, malformed };

    std::chrono::steady_clock::time_point now() const;
    std::string path(std::int32_t pid, const char* leaf) const;
    StatRead read_stat(std::int32_t pid, StatFields& out) const;
    // The live process if it exists (refreshing the cache), else the cached entry if any.
    bool ancestor(std::int32_t pid, std::uint64_t expect_start_ticks, StatFields& out);
    void remember(std::int32_t pid, const StatFields& f);
    void expire(bool force);

    std::string root_;
    std::unordered_map<std::int32_t, CachedAncestor> ancestors_;
    std::chrono::steady_clock::time_point last_expiry_{};
    std::chrono::steady_clock::time_point test_now_{};
    std::unordered_map<std::uint32_t, std::string> users_;
};

} // namespace wtfn::platform
