#include "platform/linux/proc_info.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <limits>
#include <utility>

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

namespace wtfn::platform {
namespace {

// /proc/PID/stat is about 300 bytes; its comm is at most 64 (kernel threads' long names).
constexpr std::size_t MAX_STAT = 4096;
// /proc/PID/status is about 1.5 KiB; Uid: is near the top.
constexpr std::size_t MAX_STATUS = 8192;
// A process belongs to one cgroup per v1 hierarchy (a dozen lines at most) plus the v2 line.
constexpr std::size_t MAX_CGROUP = 16384;
// getpwuid_r may cost a network round trip (LDAP, sssd): remember answers, failures too.
constexpr std::size_t MAX_USERS = 1024;
// Expired ancestors are swept at most this often (a sweep walks the whole cache).
constexpr std::chrono::seconds EXPIRY_PERIOD{1};

enum class ReadResult : std::uint8_t { ok, gone, denied, other };

ReadResult classify(int e)
{
    if (e == ENOENT || e == ESRCH) {
        return ReadResult::gone;
    }
    return e == EACCES || e == EPERM ? ReadResult::denied : ReadResult::other;
}

// Reads at most `max` bytes of a /proc file (which reports size 0, so read until EOF).
ReadResult read_file(const std::string& path, std::size_t max, std::string& out)
{
    out.clear();
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return classify(errno);
    }
    out.resize(max);
    std::size_t got = 0;
    ReadResult result = ReadResult::ok;
    while (got < max) {
        const ssize_t n = ::read(fd, out.data() + got, max - got);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            // ESRCH: the process exited between open and read.
            result = classify(errno);
            break;
        }
        if (n == 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    out.resize(got);
    return result;
}

bool parse_u64(std::string_view s, std::uint64_t& out)
{
    if (s.empty() || s.size() > 20) {
        return false;
    }
    std::uint64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    out = v;
    return true;
}

bool is_hex_id(std::string_view s)
{
    // Docker prints 12-digit short ids; full ids are 64 digits.
    if (s.size() < 12 || s.size() > 64) {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    });
}

bool starts_with(std::string_view s, std::string_view prefix)
{
    return s.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "<prefix><hex>.scope" -> hex, or "" (CRI-O also names plain "crio-<hex>" directories).
std::string_view scope_id(std::string_view c, std::string_view prefix, bool scope_optional)
{
    if (!starts_with(c, prefix)) {
        return {};
    }
    std::string_view id = c.substr(prefix.size());
    if (ends_with(id, ".scope")) {
        id.remove_suffix(6);
    } else if (!scope_optional) {
        return {};
    }
    return is_hex_id(id) ? id : std::string_view{};
}

// The path of one /proc/PID/cgroup line "HIERARCHY:CONTROLLERS:PATH".
std::string_view cgroup_line_path(std::string_view line)
{
    const std::size_t a = line.find(':');
    if (a == std::string_view::npos) {
        return {};
    }
    const std::size_t b = line.find(':', a + 1);
    return b == std::string_view::npos ? std::string_view{} : line.substr(b + 1);
}

} // namespace

bool parse_proc_stat(std::string_view text, StatFields& out)
{
    const std::size_t open = text.find('(');
    const std::size_t close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
        return false;
    }
    // "PID (": the pid is digits and one space.
    std::uint64_t pid = 0;
    if (open < 2 || text[open - 1] != ' ' || !parse_u64(text.substr(0, open - 1), pid)) {
        return false;
    }
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && rest.back() == '\n') {
        rest.remove_suffix(1);
    }
    // The fields after the comm, each after one space: field 3 (state) is index 0, field 4
    // (ppid) index 1, field 22 (starttime) index 19.
    constexpr std::size_t PPID = 1;
    constexpr std::size_t START = 19;
    std::string_view ppid_text;
    std::string_view start_text;
    std::size_t index = 0;
    while (index <= START) {
        if (rest.empty() || rest.front() != ' ') {
            return false;
        }
        rest.remove_prefix(1);
        const std::size_t end = std::min(rest.find(' '), rest.size());
        const std::string_view field = rest.substr(0, end);
        if (field.empty()) {
            return false;
        }
        if (index == PPID) {
            ppid_text = field;
        } else if (index == START) {
            start_text = field;
        }
        rest.remove_prefix(end);
        ++index;
    }
    std::uint64_t ppid = 0;
    std::uint64_t start = 0;
    if (!parse_u64(ppid_text, ppid) ||
        ppid > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()) ||
        !parse_u64(start_text, start)) {
        return false;
    }
    out.comm.assign(text.substr(open + 1, close - open - 1));
    out.ppid = static_cast<std::int32_t>(ppid);
    out.start_ticks = start;
    return true;
}

std::string container_id_from_cgroup(std::string_view cgroup_path)
{
    // The components, innermost last; a container's own cgroup may have children
    // (".../docker-<id>.scope/init.scope" under systemd in the container), so the innermost
    // component that names a container wins.
    std::vector<std::string_view> parts;
    std::string_view rest = cgroup_path;
    while (!rest.empty()) {
        const std::size_t slash = std::min(rest.find('/'), rest.size());
        if (slash != 0) {
            parts.push_back(rest.substr(0, slash));
        }
        rest.remove_prefix(std::min(slash + 1, rest.size()));
    }
    bool under_kubepods = false;
    for (const std::string_view p : parts) {
        under_kubepods = under_kubepods || starts_with(p, "kubepods");
    }
    for (std::size_t i = parts.size(); i-- > 0;) {
        const std::string_view c = parts[i];
        for (const auto& [prefix, optional] :
             std::array<std::pair<std::string_view, bool>, 4>{{{"docker-", false},
                                                               {"cri-containerd-", false},
                                                               {"crio-", true},
                                                               {"libpod-", false}}}) {
            const std::string_view id = scope_id(c, prefix, optional);
            if (!id.empty()) {
                return std::string(id);
            }
        }
        const std::string_view parent = i > 0 ? parts[i - 1] : std::string_view{};
        if ((parent == "docker" || under_kubepods) && is_hex_id(c)) {
            return std::string(c);
        }
        if (parent == "lxc") {
            return std::string(c);
        }
        if (starts_with(c, "lxc.payload.") && c.size() > 12) {
            return std::string(c.substr(12));
        }
    }
    return {};
}

std::uint64_t boot_ns_to_ticks(std::uint64_t ns)
{
    static const std::uint64_t hz = [] {
        const long v = sysconf(_SC_CLK_TCK);
        return v > 0 ? static_cast<std::uint64_t>(v) : std::uint64_t{100};
    }();
    constexpr std::uint64_t NS = 1000000000ULL;
    // floor(ns * hz / 1e9) without overflowing 64 bits: split ns into seconds and the rest.
    return ns / NS * hz + ns % NS * hz / NS;
}

ProcInfoReader::ProcInfoReader(std::string proc_root) : root_(std::move(proc_root)) {}

std::chrono::steady_clock::time_point ProcInfoReader::now() const
{
    return test_now_ != std::chrono::steady_clock::time_point{} ? test_now_
                                                                : std::chrono::steady_clock::now();
}

std::string ProcInfoReader::path(std::int32_t pid, const char* leaf) const
{
    std::string p = root_ + "/" + std::to_string(pid);
    if (leaf != nullptr) {
        p += '/';
        p += leaf;
    }
    return p;
}

ProcInfoReader::StatRead ProcInfoReader::read_stat(std::int32_t pid, StatFields& out) const
{
    std::string text;
    switch (read_file(path(pid, "stat"), MAX_STAT, text)) {
        case ReadResult::ok:
            break;
        case ReadResult::gone:
            return StatRead::gone;
        case ReadResult::denied:
            return StatRead::denied;
        case ReadResult::other:
            return StatRead::malformed;
    }
    // An empty read: the process exited after open (the kernel gives EOF, not an error).
    if (text.empty()) {
        return StatRead::gone;
    }
    return parse_proc_stat(text, out) ? StatRead::ok : StatRead::malformed;
}

bool ProcInfoReader::read(std::int32_t pid,
                          ProcessInfo& out,
                          std::string& reason,
                          std::uint64_t expect_start_ticks)
{
    out = ProcessInfo{};
    reason.clear();
    const std::string pid_text = std::to_string(pid);
    if (pid <= 0) {
        reason = "pid " + pid_text + " is not a process";
        return false;
    }
    auto gone_reason = [&] {
        // With /proc mounted hidepid=1/2 another user's process is simply absent; kill(0)
        // still tells it exists. Only meaningful for the real /proc.
        if (root_ == "/proc" && ::kill(pid, 0) != 0 && errno == EPERM) {
            return "permission denied reading /proc/" + pid_text +
                   " (is /proc mounted with hidepid?)";
        }
        return "process " + pid_text + " exited before its details were read";
    };
    StatFields stat;
    switch (read_stat(pid, stat)) {
        case StatRead::ok:
            break;
        case StatRead::gone:
            reason = gone_reason();
            return false;
        case StatRead::denied:
            reason = "permission denied reading " + path(pid, nullptr);
            return false;
        case StatRead::malformed:
            reason = "cannot read " + path(pid, "stat");
            return false;
    }
    const std::string reused = "pid " + pid_text + " was reused by another process";
    if (expect_start_ticks != 0 && stat.start_ticks != expect_start_ticks) {
        reason = reused;
        return false;
    }
    out.pid = pid;
    out.ppid = stat.ppid;
    out.name = stat.comm;
    out.start_ticks = stat.start_ticks;

    // The executable: unreadable for another user's process without CAP_SYS_PTRACE, absent
    // for kernel threads. " (deleted)" stays: the binary was replaced or removed, and that
    // is the truth about what ran.
    std::array<char, 4096> link{};
    const ssize_t n = ::readlink(path(pid, "exe").c_str(), link.data(), link.size());
    if (n > 0 && static_cast<std::size_t>(n) < link.size()) {
        out.exe.assign(link.data(), static_cast<std::size_t>(n));
    }

    std::string text;
    if (read_file(path(pid, "cmdline"), MAX_CMDLINE, text) == ReadResult::ok) {
        // Arguments are NUL-terminated; a process that rewrote its title may leave a tail
        // of NULs. Both ends trimmed of them, the separators between made spaces.
        while (!text.empty() && text.back() == '\0') {
            text.pop_back();
        }
        std::replace(text.begin(), text.end(), '\0', ' ');
        out.cmdline = std::move(text);
    }

    if (read_file(path(pid, "status"), MAX_STATUS, text) == ReadResult::ok) {
        // "Uid:\t<real>\t<effective>\t<saved>\t<fs>": the real uid is who ran it.
        const std::size_t at = text.find("\nUid:");
        if (at != std::string::npos) {
            std::size_t p = at + 5;
            while (p < text.size() && (text[p] == '\t' || text[p] == ' ')) {
                ++p;
            }
            std::size_t e = p;
            while (e < text.size() && text[e] >= '0' && text[e] <= '9') {
                ++e;
            }
            std::uint64_t uid = 0;
            if (parse_u64(std::string_view(text).substr(p, e - p), uid) &&
                uid <= std::numeric_limits<std::uint32_t>::max()) {
                out.has_uid = true;
                out.uid = static_cast<std::uint32_t>(uid);
                out.user = user_name(out.uid);
            }
        }
    }

    if (read_file(path(pid, "cgroup"), MAX_CGROUP, text) == ReadResult::ok) {
        // The v2 ("0::") path when there is one, else the first (v1) line's. The container
        // id may show only in a v1 line (hybrid hierarchy, the v2 path being "/"), so every
        // line is asked for one, the chosen path first.
        std::vector<std::string_view> paths;
        std::string_view rest = text;
        std::string_view chosen;
        bool have_v2 = false;
        while (!rest.empty()) {
            const std::size_t nl = std::min(rest.find('\n'), rest.size());
            const std::string_view line = rest.substr(0, nl);
            rest.remove_prefix(std::min(nl + 1, rest.size()));
            if (line.empty()) {
                continue;
            }
            const std::string_view p = cgroup_line_path(line);
            paths.push_back(p);
            if (starts_with(line, "0::") && !have_v2) {
                chosen = p;
                have_v2 = true;
            } else if (paths.size() == 1) {
                chosen = p;
            }
        }
        out.cgroup.assign(chosen);
        out.container = container_id_from_cgroup(chosen);
        for (std::size_t i = 0; i < paths.size() && out.container.empty(); ++i) {
            out.container = container_id_from_cgroup(paths[i]);
        }
    }

    if (stat.ppid > 0) {
        read_chain(stat.ppid, out.chain);
    }

    // Everything above came from /proc/PID/...: if the pid died and was reused meanwhile,
    // some of it may describe the newcomer. The start time, read again, tells.
    StatFields again;
    switch (read_stat(pid, again)) {
        case StatRead::ok:
            if (again.start_ticks != stat.start_ticks) {
                out = ProcessInfo{};
                reason = reused;
                return false;
            }
            break;
        case StatRead::gone:
        case StatRead::denied:
        case StatRead::malformed:
            out = ProcessInfo{};
            reason = "process " + pid_text + " exited before its details were read";
            return false;
    }
    remember(pid, stat);
    return true;
}

void ProcInfoReader::read_chain(std::int32_t from_pid,
                                std::vector<Ancestor>& chain,
                                std::uint64_t expect_start_ticks)
{
    chain.clear();
    expire(false);
    std::int32_t pid = from_pid;
    std::uint64_t expect = expect_start_ticks;
    while (pid > 0 && chain.size() < MAX_CHAIN) {
        // A loop cannot happen in a real process tree, but a cache entry from before a pid
        // was reused, or a fake proc root, could make one.
        const bool seen = std::any_of(
            chain.begin(), chain.end(), [pid](const Ancestor& a) { return a.pid == pid; });
        if (seen) {
            break;
        }
        StatFields f;
        if (!ancestor(pid, expect, f)) {
            chain.push_back(Ancestor{pid, {}});
            break;
        }
        chain.push_back(Ancestor{pid, f.comm});
        if (pid == 1) {
            break;
        }
        pid = f.ppid; // 0 past a pid namespace's init (or past kthreadd): the chain ends
        expect = 0;
    }
}

bool ProcInfoReader::ancestor(std::int32_t pid, std::uint64_t expect_start_ticks, StatFields& out)
{
    StatFields live;
    const StatRead r = read_stat(pid, live);
    if (r == StatRead::ok && (expect_start_ticks == 0 || live.start_ticks == expect_start_ticks)) {
        remember(pid, live);
        out = std::move(live);
        return true;
    }
    // Gone, or another process now has the pid: the cache may remember the one we mean,
    // but only an entry whose start time matches what is known of it.
    if (r == StatRead::denied || r == StatRead::malformed) {
        return false;
    }
    const auto it = ancestors_.find(pid);
    if (it == ancestors_.end()) {
        return false;
    }
    // (A live process that is not the expected one reaches here only with an expectation.)
    if (expect_start_ticks != 0 && it->second.start_ticks != expect_start_ticks) {
        return false;
    }
    it->second.last_used = now();
    out.comm = it->second.name;
    out.ppid = it->second.ppid;
    out.start_ticks = it->second.start_ticks;
    return true;
}

void ProcInfoReader::remember(std::int32_t pid, const StatFields& f)
{
    const auto t = now();
    auto it = ancestors_.find(pid);
    if (it == ancestors_.end()) {
        if (ancestors_.size() >= ANCESTOR_CAPACITY) {
            expire(true);
        }
        if (ancestors_.size() >= ANCESTOR_CAPACITY) {
            // Still full of live entries: drop the least recently used one. A linear walk,
            // but only when 16,384 ancestors were all used within 15 s.
            auto oldest = std::min_element(
                ancestors_.begin(), ancestors_.end(), [](const auto& a, const auto& b) {
                    return a.second.last_used < b.second.last_used;
                });
            ancestors_.erase(oldest);
        }
        it = ancestors_.emplace(pid, CachedAncestor{}).first;
    }
    it->second.name = f.comm;
    it->second.ppid = f.ppid;
    it->second.start_ticks = f.start_ticks;
    it->second.last_used = t;
}

void ProcInfoReader::expire(bool force)
{
    const auto t = now();
    if (!force && t - last_expiry_ < EXPIRY_PERIOD) {
        return;
    }
    last_expiry_ = t;
    std::erase_if(ancestors_,
                  [t](const auto& kv) { return t - kv.second.last_used > ANCESTOR_TTL; });
}

const std::string& ProcInfoReader::user_name(std::uint32_t uid)
{
    const auto it = users_.find(uid);
    if (it != users_.end()) {
        return it->second;
    }
    if (users_.size() >= MAX_USERS) {
        users_.clear();
    }
    std::string name;
    std::vector<char> buf(4096);
    // ERANGE: the entry does not fit; grow, but not without bound (1 MiB).
    for (;;) {
        passwd pw{};
        passwd* result = nullptr;
        const int rc = getpwuid_r(static_cast<uid_t>(uid), &pw, buf.data(), buf.size(), &result);
        if (rc == ERANGE && buf.size() < (1U << 20)) {
            buf.resize(buf.size() * 2);
            continue;
        }
        if (rc == 0 && result != nullptr && pw.pw_name != nullptr) {
            name = pw.pw_name;
        }
        break;
    }
    return users_.emplace(uid, std::move(name)).first->second;
}

} // namespace wtfn::platform
