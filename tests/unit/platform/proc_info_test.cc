// ProcInfoReader on this very process (real /proc), on processes that exit or whose start
// time does not match, and on fake proc trees for the chain, the cache and the file formats;
// the pure parsers on the inputs that break naive ones.
#include "platform/linux/proc_info.h"

#include <array>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace wtfn::platform {
namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& path)
{
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

StatFields stat_of(const std::string& pid)
{
    StatFields f;
    EXPECT_TRUE(parse_proc_stat(slurp("/proc/" + pid + "/stat"), f));
    return f;
}

// --- The real /proc -----------------------------------------------------------------------

TEST(ProcInfo, ThisProcess)
{
    ProcInfoReader reader;
    ProcessInfo info;
    std::string reason;
    ASSERT_TRUE(reader.read(getpid(), info, reason)) << reason;
    EXPECT_TRUE(reason.empty());
    EXPECT_EQ(info.pid, getpid());
    EXPECT_EQ(info.ppid, getppid());
    std::string comm = slurp("/proc/self/comm");
    if (!comm.empty() && comm.back() == '\n') {
        comm.pop_back();
    }
    EXPECT_EQ(info.name, comm);
    std::array<char, 4096> exe{};
    const ssize_t n = readlink("/proc/self/exe", exe.data(), exe.size());
    ASSERT_GT(n, 0);
    EXPECT_EQ(info.exe, std::string(exe.data(), static_cast<std::size_t>(n)));
    EXPECT_FALSE(info.cmdline.empty());
    EXPECT_EQ(info.cmdline.find('\0'), std::string::npos);
    // argv[0] first: this binary's name is in it.
    EXPECT_NE(info.cmdline.find(fs::path(info.exe).filename().string()), std::string::npos)
        << info.cmdline;
    EXPECT_TRUE(info.has_uid);
    EXPECT_EQ(info.uid, getuid());
    if (getuid() == 0) {
        EXPECT_EQ(info.user, "root");
    }
    EXPECT_EQ(info.start_ticks, stat_of("self").start_ticks);
    EXPECT_NE(info.start_ticks, 0U);

    // The parent chain: the parent first, up to pid 1 or, in a pid namespace whose init is
    // not pid 1 of this /proc (or a container whose /proc shows host pids only partly), up
    // to a process whose parent reads as 0.
    ASSERT_FALSE(info.chain.empty());
    EXPECT_EQ(info.chain[0].pid, getppid());
    EXPECT_FALSE(info.chain[0].name.empty());
    EXPECT_LE(info.chain.size(), ProcInfoReader::MAX_CHAIN);
    const Ancestor& last = info.chain.back();
    if (last.pid != 1) {
        EXPECT_EQ(stat_of(std::to_string(last.pid)).ppid, 0) << "chain ends at " << last.pid;
    }
    // Each element's parent is the next element.
    for (std::size_t i = 0; i + 1 < info.chain.size(); ++i) {
        EXPECT_EQ(stat_of(std::to_string(info.chain[i].pid)).ppid, info.chain[i + 1].pid);
    }
}

TEST(ProcInfo, WrongStartTimeIsAReusedPid)
{
    ProcInfoReader reader;
    ProcessInfo info;
    std::string reason;
    const std::uint64_t start = stat_of("self").start_ticks;
    EXPECT_TRUE(reader.read(getpid(), info, reason, start)) << reason;
    EXPECT_FALSE(reader.read(getpid(), info, reason, start + 1));
    EXPECT_EQ(reason, "pid " + std::to_string(getpid()) + " was reused by another process");
    EXPECT_EQ(info.pid, 0);
}

TEST(ProcInfo, ExitedProcess)
{
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ProcInfoReader reader;
    ProcessInfo info;
    std::string reason;
    EXPECT_FALSE(reader.read(pid, info, reason));
    EXPECT_EQ(reason, "process " + std::to_string(pid) + " exited before its details were read");
    EXPECT_FALSE(reader.read(0, info, reason));
    EXPECT_FALSE(reader.read(-5, info, reason));
}

TEST(ProcInfo, ChainFromTheParent)
{
    ProcInfoReader reader;
    std::vector<Ancestor> chain;
    reader.read_chain(getppid(), chain);
    ASSERT_FALSE(chain.empty());
    EXPECT_EQ(chain[0].pid, getppid());
    reader.read_chain(getppid(), chain, stat_of(std::to_string(getppid())).start_ticks);
    EXPECT_EQ(chain[0].pid, getppid());
    EXPECT_FALSE(chain[0].name.empty());
    // A start time that is not the parent's, and no cached one that is: unknown.
    reader.read_chain(getppid(), chain, 1);
    ASSERT_EQ(chain.size(), 1U);
    EXPECT_EQ(chain[0].pid, getppid());
    EXPECT_TRUE(chain[0].name.empty());
    reader.read_chain(0, chain);
    EXPECT_TRUE(chain.empty());
}

TEST(ProcInfo, BootNsToTicks)
{
    const auto hz = static_cast<std::uint64_t>(sysconf(_SC_CLK_TCK));
    EXPECT_EQ(boot_ns_to_ticks(0), 0U);
    EXPECT_EQ(boot_ns_to_ticks(1000000000ULL), hz);
    EXPECT_EQ(boot_ns_to_ticks(999999999ULL), hz - 1);
    EXPECT_EQ(boot_ns_to_ticks(2500000000ULL), hz * 5 / 2);
    // No overflow at the top of the range: floor(ns * hz / 1e9), computed exactly.
    const std::uint64_t max = UINT64_MAX;
    const auto exact =
        static_cast<std::uint64_t>(static_cast<unsigned __int128>(max) * hz / 1000000000ULL);
    EXPECT_EQ(boot_ns_to_ticks(max), exact);
    // This process started before now, on the same clock.
    timespec ts{};
    ASSERT_EQ(clock_gettime(CLOCK_BOOTTIME, &ts), 0);
    const std::uint64_t now_ns = static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL +
                                 static_cast<std::uint64_t>(ts.tv_nsec);
    EXPECT_GE(boot_ns_to_ticks(now_ns), stat_of("self").start_ticks);
}

// --- Fake proc trees ----------------------------------------------------------------------

class FakeProcInfo : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::string tmpl = (fs::temp_directory_path() / "wtfn-fakeinfo-XXXXXX").string();
        ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
        root_ = tmpl;
    }

    void TearDown() override
    {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }

    void process(int pid, const std::string& comm, int ppid, std::uint64_t start)
    {
        fs::create_directories(dir(pid));
        std::ofstream(dir(pid) / "stat")
            << pid << " (" << comm << ") S " << ppid
            << " 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 " << start << " 1 1 1\n";
    }

    void file(int pid, const char* name, const std::string& content)
    {
        std::ofstream(dir(pid) / name, std::ios::binary) << content;
    }

    fs::path dir(int pid) const { return root_ / std::to_string(pid); }

    fs::path root_;
};

TEST_F(FakeProcInfo, FilesAsTheKernelWritesThem)
{
    process(1, "init", 0, 1);
    process(50, "sh", 1, 40);
    process(77, "dig (x) y", 50, 100);
    static constexpr char cmdline[] = "dig\0@9.9.9.9\0example.com\0\0"; // + the literal's NUL
    file(77, "cmdline", std::string(cmdline, sizeof cmdline));
    file(77, "status", "Name:\tdig\nUmask:\t0022\nState:\tS\nUid:\t1000\t0\t0\t0\nGid:\t1000\n");
    file(77,
         "cgroup",
         "12:pids:/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
         "0::/\n");
    ProcInfoReader reader(root_.string());
    ProcessInfo info;
    std::string reason;
    ASSERT_TRUE(reader.read(77, info, reason)) << reason;
    EXPECT_EQ(info.name, "dig (x) y");
    EXPECT_EQ(info.ppid, 50);
    EXPECT_EQ(info.start_ticks, 100U);
    EXPECT_EQ(info.cmdline, "dig @9.9.9.9 example.com");
    EXPECT_TRUE(info.has_uid);
    EXPECT_EQ(info.uid, 1000U); // the real uid, not the effective one
    EXPECT_EQ(info.exe, "");    // no exe link: not known
    // The v2 path is "/" (hybrid hierarchy); the container shows in a v1 line.
    EXPECT_EQ(info.cgroup, "/");
    EXPECT_EQ(info.container, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    ASSERT_EQ(info.chain.size(), 2U);
    EXPECT_EQ(info.chain[0].pid, 50);
    EXPECT_EQ(info.chain[0].name, "sh");
    EXPECT_EQ(info.chain[1].pid, 1);
    EXPECT_EQ(info.chain[1].name, "init");
}

TEST_F(FakeProcInfo, CgroupV1OnlyAndV2Only)
{
    process(10, "a", 0, 5);
    file(10, "cgroup", "5:cpu,cpuacct:/system.slice/x.service\n4:memory:/other\n");
    process(11, "b", 0, 5);
    file(11,
         "cgroup",
         "0::/system.slice/docker-"
         "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210.scope\n");
    ProcInfoReader reader(root_.string());
    ProcessInfo info;
    std::string reason;
    ASSERT_TRUE(reader.read(10, info, reason)) << reason;
    EXPECT_EQ(info.cgroup, "/system.slice/x.service");
    EXPECT_EQ(info.container, "");
    EXPECT_TRUE(info.chain.empty()); // ppid 0
    EXPECT_FALSE(info.has_uid);      // no status file
    ASSERT_TRUE(reader.read(11, info, reason)) << reason;
    EXPECT_EQ(info.container, "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
}

TEST_F(FakeProcInfo, CmdlineIsCapped)
{
    process(12, "big", 0, 5);
    file(12, "cmdline", std::string(10000, 'a') + std::string(1, '\0'));
    ProcInfoReader reader(root_.string());
    ProcessInfo info;
    std::string reason;
    ASSERT_TRUE(reader.read(12, info, reason)) << reason;
    EXPECT_EQ(info.cmdline.size(), ProcInfoReader::MAX_CMDLINE);
}

TEST_F(FakeProcInfo, UnparsableStatAndDeniedDirectory)
{
    fs::create_directories(dir(13));
    file(13, "stat", "13 (x) S");
    ProcInfoReader reader(root_.string());
    ProcessInfo info;
    std::string reason;
    EXPECT_FALSE(reader.read(13, info, reason));
    EXPECT_EQ(reason, "cannot read " + (dir(13) / "stat").string());
    if (geteuid() != 0) { // root reads through any mode
        process(14, "y", 0, 5);
        fs::permissions(dir(14), fs::perms::none);
        EXPECT_FALSE(reader.read(14, info, reason));
        EXPECT_EQ(reason, "permission denied reading " + dir(14).string());
        fs::permissions(dir(14), fs::perms::owner_all);
    }
}

TEST_F(FakeProcInfo, ChainIsLoopSafeAndBounded)
{
    process(5, "a", 6, 1);
    process(6, "b", 5, 1);
    ProcInfoReader reader(root_.string());
    std::vector<Ancestor> chain;
    reader.read_chain(5, chain);
    ASSERT_EQ(chain.size(), 2U);
    EXPECT_EQ(chain[0].pid, 5);
    EXPECT_EQ(chain[1].pid, 6);

    for (int pid = 100; pid < 200; ++pid) {
        process(pid, "p", pid + 1, 1);
    }
    reader.read_chain(100, chain);
    EXPECT_EQ(chain.size(), ProcInfoReader::MAX_CHAIN);
    EXPECT_EQ(chain.back().pid, 100 + static_cast<int>(ProcInfoReader::MAX_CHAIN) - 1);

    // A parent that is gone and was never seen ends the chain with its pid and no name.
    process(300, "orphan", 301, 1);
    reader.read_chain(300, chain);
    ASSERT_EQ(chain.size(), 2U);
    EXPECT_EQ(chain[1].pid, 301);
    EXPECT_TRUE(chain[1].name.empty());
}

TEST_F(FakeProcInfo, CacheRemembersExitedAncestorsWhileTheirStartTimeHolds)
{
    process(1, "init", 0, 1);
    process(20, "bash", 1, 500);
    ProcInfoReader reader(root_.string());
    const auto t0 = std::chrono::steady_clock::now();
    reader.set_now_for_test(t0);
    std::vector<Ancestor> chain;
    reader.read_chain(20, chain);
    ASSERT_EQ(chain.size(), 2U);
    EXPECT_EQ(reader.cached_ancestors(), 2U);

    // bash exits: the cache still knows it.
    fs::remove_all(dir(20));
    reader.read_chain(20, chain);
    ASSERT_EQ(chain.size(), 2U);
    EXPECT_EQ(chain[0].name, "bash");
    EXPECT_EQ(chain[1].name, "init");

    // Another process gets pid 20: the live one is what pid 20 is now...
    process(20, "python3", 1, 900);
    reader.read_chain(20, chain);
    EXPECT_EQ(chain[0].name, "python3");
    // ...unless the caller knows it wants the one that started at 500, which was replaced
    // in the cache by the live read: unknown now, rather than wrong.
    reader.read_chain(20, chain, 500);
    ASSERT_EQ(chain.size(), 1U);
    EXPECT_TRUE(chain[0].name.empty());
    reader.read_chain(20, chain, 900);
    EXPECT_EQ(chain[0].name, "python3");

    // Unused for more than 15 s: forgotten.
    fs::remove_all(dir(20));
    reader.set_now_for_test(t0 + std::chrono::seconds(16));
    reader.read_chain(20, chain);
    ASSERT_EQ(chain.size(), 1U);
    EXPECT_TRUE(chain[0].name.empty());
}

// --- parse_proc_stat ----------------------------------------------------------------------

std::string stat_line(const std::string& comm, const std::string& ppid, const std::string& start)
{
    return "42 (" + comm + ") S " + ppid + " 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 " + start +
           " 1 1 1 2 3\n";
}

TEST(ParseProcStat, TrickyComms)
{
    StatFields f;
    ASSERT_TRUE(parse_proc_stat(stat_line("a) b", "7", "99"), f));
    EXPECT_EQ(f.comm, "a) b");
    EXPECT_EQ(f.ppid, 7);
    EXPECT_EQ(f.start_ticks, 99U);
    ASSERT_TRUE(parse_proc_stat(stat_line("((", "1", "2"), f));
    EXPECT_EQ(f.comm, "((");
    ASSERT_TRUE(parse_proc_stat(stat_line(")", "1", "2"), f));
    EXPECT_EQ(f.comm, ")");
    ASSERT_TRUE(parse_proc_stat(stat_line("", "1", "2"), f));
    EXPECT_EQ(f.comm, "");
    ASSERT_TRUE(parse_proc_stat(stat_line(") S 1 1 1 (", "3", "4"), f));
    EXPECT_EQ(f.comm, ") S 1 1 1 (");
    EXPECT_EQ(f.ppid, 3);
    ASSERT_TRUE(parse_proc_stat(stat_line("kworker/u8:2-events_unbound", "2", "5"), f));
    ASSERT_TRUE(parse_proc_stat(stat_line("tab\there\nnl", "2", "5"), f));
    EXPECT_EQ(f.comm, "tab\there\nnl");
    // Exactly 22 fields, no newline.
    ASSERT_TRUE(parse_proc_stat("1 (x) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 77", f));
    EXPECT_EQ(f.start_ticks, 77U);
    EXPECT_EQ(f.ppid, 0);
}

TEST(ParseProcStat, BrokenInput)
{
    StatFields f;
    f.comm = "unchanged";
    EXPECT_FALSE(parse_proc_stat("", f));
    EXPECT_FALSE(parse_proc_stat("(", f));
    EXPECT_FALSE(parse_proc_stat(")", f));
    EXPECT_FALSE(parse_proc_stat(")(", f));
    EXPECT_FALSE(parse_proc_stat("42 (dig", f));
    EXPECT_FALSE(parse_proc_stat("42 (dig)", f));
    EXPECT_FALSE(parse_proc_stat("42 (dig) S 1 1 1", f)); // truncated
    EXPECT_FALSE(parse_proc_stat("1 (x) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0", f));
    EXPECT_FALSE(parse_proc_stat("(x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 1", f));
    EXPECT_FALSE(parse_proc_stat("x (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 1", f));
    EXPECT_FALSE(parse_proc_stat("42(x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 1", f));
    EXPECT_FALSE(parse_proc_stat(stat_line("x", "-1", "5"), f));
    EXPECT_FALSE(parse_proc_stat(stat_line("x", "2147483648", "5"), f)); // ppid > int32
    EXPECT_FALSE(parse_proc_stat(stat_line("x", "1", "18446744073709551616"), f));
    EXPECT_FALSE(parse_proc_stat(stat_line("x", "1", "99999999999999999999999"), f));
    EXPECT_FALSE(parse_proc_stat(stat_line("x", "1", "12a"), f));
    EXPECT_FALSE(parse_proc_stat(stat_line("x", "", "5"), f));
    EXPECT_FALSE(parse_proc_stat("42 (x)  S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 1", f));
    EXPECT_EQ(f.comm, "unchanged"); // untouched on failure
    ASSERT_TRUE(parse_proc_stat(stat_line("x", "2147483647", "18446744073709551615"), f));
    EXPECT_EQ(f.ppid, INT32_MAX);
    EXPECT_EQ(f.start_ticks, UINT64_MAX);
    static constexpr char with_nul[] = "9 (a\0b) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5";
    ASSERT_TRUE(parse_proc_stat(std::string_view(with_nul, sizeof with_nul - 1), f));
    EXPECT_EQ(f.comm, std::string("a\0b", 3));
}

// --- container_id_from_cgroup -------------------------------------------------------------

TEST(ContainerId, KnownRuntimes)
{
    const std::string id64 = "4f1c2a3b5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708";
    EXPECT_EQ(container_id_from_cgroup("/system.slice/docker-" + id64 + ".scope"), id64);
    EXPECT_EQ(container_id_from_cgroup("/docker/" + id64), id64);
    EXPECT_EQ(container_id_from_cgroup("/docker/" + id64 + "/init.scope"), id64);
    EXPECT_EQ(container_id_from_cgroup("/system.slice/docker-" + id64 + ".scope/init.scope"), id64);
    EXPECT_EQ(container_id_from_cgroup("/kubepods.slice/kubepods-burstable.slice/"
                                       "kubepods-burstable-pod1a2b3c4d_5e6f_7a8b_9c0d_"
                                       "1e2f3a4b5c6d.slice/cri-containerd-" +
                                       id64 + ".scope"),
              id64);
    EXPECT_EQ(container_id_from_cgroup("/kubepods/burstable/pod1a2b3c4d-5e6f-7a8b-9c0d-"
                                       "1e2f3a4b5c6d/" +
                                       id64),
              id64);
    EXPECT_EQ(container_id_from_cgroup("/kubepods/besteffort/podx/" + id64), id64);
    EXPECT_EQ(container_id_from_cgroup("/kubepods.slice/crio-" + id64 + ".scope"), id64);
    EXPECT_EQ(container_id_from_cgroup("/crio-" + id64), id64);
    EXPECT_EQ(container_id_from_cgroup("/machine.slice/libpod-" + id64 + ".scope/container"), id64);
    EXPECT_EQ(container_id_from_cgroup("/user.slice/user-1000.slice/user@1000.service/"
                                       "user.slice/libpod-" +
                                       id64 + ".scope"),
              id64);
    EXPECT_EQ(container_id_from_cgroup("/lxc/web01"), "web01");
    EXPECT_EQ(container_id_from_cgroup("/lxc/web01/init.scope"), "web01");
    EXPECT_EQ(container_id_from_cgroup("/lxc.payload.web01/system.slice"), "web01");
    EXPECT_EQ(container_id_from_cgroup("/docker/4f1c2a3b5d6e"), "4f1c2a3b5d6e"); // short id
}

TEST(ContainerId, NotContainers)
{
    EXPECT_EQ(container_id_from_cgroup(""), "");
    EXPECT_EQ(container_id_from_cgroup("/"), "");
    EXPECT_EQ(container_id_from_cgroup("/user.slice/user-1000.slice/session-2.scope"), "");
    EXPECT_EQ(container_id_from_cgroup("/system.slice/docker.service"), "");
    EXPECT_EQ(container_id_from_cgroup("/system.slice/containerd.service"), "");
    EXPECT_EQ(container_id_from_cgroup("/docker"), "");
    EXPECT_EQ(container_id_from_cgroup("/docker/"), "");
    EXPECT_EQ(container_id_from_cgroup("/docker/not-hex-at-all"), "");
    EXPECT_EQ(container_id_from_cgroup("/docker/4F1C2A3B5D6E"), ""); // uppercase: not an id
    EXPECT_EQ(container_id_from_cgroup("/docker/4f1c2a3b5d6"), "");  // 11 digits
    EXPECT_EQ(container_id_from_cgroup("/docker/" + std::string(65, 'a')), "");
    EXPECT_EQ(container_id_from_cgroup("/system.slice/docker-abc.scope"), "");
    EXPECT_EQ(container_id_from_cgroup("/system.slice/docker-" + std::string(64, 'a')), "");
    EXPECT_EQ(
        container_id_from_cgroup("/kubepods.slice/crio-conmon-" + std::string(64, 'a') + ".scope"),
        "");
    EXPECT_EQ(
        container_id_from_cgroup("/machine.slice/libpod-conmon-" + std::string(64, 'a') + ".scope"),
        "");
    EXPECT_EQ(container_id_from_cgroup("/lxc.monitor.web01"), "");
    EXPECT_EQ(container_id_from_cgroup("/lxc.payload."), "");
    EXPECT_EQ(container_id_from_cgroup("/lxc"), "");
    EXPECT_EQ(container_id_from_cgroup("/system.slice/" + std::string(64, 'a')), "");
    EXPECT_EQ(container_id_from_cgroup("////"), "");
}

} // namespace
} // namespace wtfn::platform
