// BpfOwnerSource: loads the eBPF programs of bpf/owner.bpf.c, attaches them to the cgroup
// v2 root and hands user space one OwnerRecord per new (socket, 5-tuple) that sends to a
// DNS-like port, with the task that connected or sent on the socket. See docs/attribution.md
// for the choice of hooks and what each kernel needs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "platform/flow_owner.h"

namespace wtfn::platform {

struct OwnerRecord {
    FlowTuple tuple;
    std::uint64_t cookie = 0;
    bool owner_known = false; // false: a socket opened before wtfn attached
    std::uint32_t tgid = 0;
    std::uint32_t ppid = 0;
    std::uint32_t uid = 0;
    std::uint64_t start_ticks = 0; // as /proc/PID/stat field 22
    std::uint64_t netns_cookie = 0;
    std::uint64_t cgroup_id = 0;
    std::uint64_t sent_boot_ns = 0; // CLOCK_BOOTTIME when the packet left
    std::string_view comm;
    std::string_view parent_comm;
    std::string_view args; // NUL-separated, as /proc/PID/cmdline; may be cut short
};

// Decodes one ring-buffer record (bounds-checked: a record of the wrong size is refused).
bool decode_owner_record(const void* data, std::size_t size, OwnerRecord& out);

class BpfOwnerSource {
public:
    // Null with `error` naming the cause and the fix (root, BTF, cgroup v2, kernel version).
    static std::unique_ptr<BpfOwnerSource> open(std::string& error);

    ~BpfOwnerSource();
    BpfOwnerSource(const BpfOwnerSource&) = delete;
    BpfOwnerSource& operator=(const BpfOwnerSource&) = delete;

    using RecordFn = std::function<void(const OwnerRecord&)>;

    // Waits at most timeout_ms (0: not at all) for records and hands each to `fn`.
    // Returns the number handled, or -1 on an error.
    int poll(int timeout_ms, const RecordFn& fn);

    // Records the kernel could not hand over because the ring was full (attrib.events_lost).
    std::uint64_t lost() const;
    // Sockets seen sending without a recorded owner (opened before wtfn attached).
    std::uint64_t unowned() const;

    // The cgroup v2 directory the programs are attached to.
    const std::string& cgroup_path() const { return cgroup_; }

private:
    struct Impl;
    explicit BpfOwnerSource(std::unique_ptr<Impl> impl, std::string cgroup);
    std::uint64_t counter(std::uint32_t index) const;

    std::unique_ptr<Impl> impl_;
    std::string cgroup_;
};

// The mount point of the cgroup v2 hierarchy ("/sys/fs/cgroup" or, on a hybrid system,
// "/sys/fs/cgroup/unified"), from /proc/self/mountinfo; empty when none is mounted.
std::string find_cgroup2_mount(const std::string& mountinfo_path = "/proc/self/mountinfo");

// Opens the root directory of the cgroup v2 hierarchy: from this mount namespace's mounts,
// else init's (through /proc/1/root), else a private mount undone at once. -1 when none
// can be had; `where` names the directory, or why not.
int open_cgroup2_root(std::string& where);

// The network namespace cookie of the calling thread (SO_NETNS_COOKIE, Linux 5.14); 0 when
// the kernel cannot tell.
std::uint64_t current_netns_cookie();

} // namespace wtfn::platform
