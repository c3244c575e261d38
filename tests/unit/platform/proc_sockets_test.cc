// ProcSocketIndex: on the real /proc with sockets of this process and of forked children,
// and on fake proc trees (a temp directory of PID/fd/N symlinks and PID/stat files) for the
// holder choice, the cache bounds and the walk limits.
#include "platform/linux/proc_sockets.h"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "platform/linux/proc_info.h"

namespace wtfn::platform {
namespace {

namespace fs = std::filesystem;

std::uint64_t inode_of(int fd)
{
    struct stat st {};

    EXPECT_EQ(fstat(fd, &st), 0);
    return st.st_ino;
}

std::uint64_t own_start_ticks()
{
    std::ifstream in("/proc/self/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    StatFields f;
    EXPECT_TRUE(parse_proc_stat(text, f));
    return f.start_ticks;
}

// A forked child, killed and reaped when the test ends however it ends.
class Child {
public:
    Child() = default;

    ~Child() { reap(); }

    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    void set(pid_t pid) { pid_ = pid; }

    pid_t pid() const { return pid_; }

    void reap()
    {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            int status = 0;
            while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
            pid_ = -1;
        }
    }

private:
    pid_t pid_ = -1;
};

class Pipe {
public:
    Pipe() { EXPECT_EQ(pipe2(fds_.data(), O_CLOEXEC), 0); }

    ~Pipe()
    {
        close_read();
        close_write();
    }

    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;

    int read_end() const { return fds_[0]; }

    int write_end() const { return fds_[1]; }

    void close_read()
    {
        if (fds_[0] >= 0) {
            ::close(fds_[0]);
            fds_[0] = -1;
        }
    }

    void close_write()
    {
        if (fds_[1] >= 0) {
            ::close(fds_[1]);
            fds_[1] = -1;
        }
    }

private:
    std::array<int, 2> fds_{-1, -1};
};

// Reads exactly one value from `fd`, waiting 5 s at most.
template <typename T>
bool read_value(int fd, T& out)
{
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5000) != 1) {
        return false;
    }
    return ::read(fd, &out, sizeof out) == static_cast<ssize_t>(sizeof out);
}

TEST(ProcSocketIndex, OwnSocketIsThisProcess)
{
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    ProcSocketIndex index;
    const InodeOwners o = index.find(inode_of(fd));
    ::close(fd);
    EXPECT_EQ(o.pid, getpid());
    EXPECT_EQ(o.holders, 1U);
    EXPECT_EQ(o.start_ticks, own_start_ticks());
    EXPECT_EQ(index.scans(), 1U);
    EXPECT_EQ(index.truncated_scans(), 0U);
}

TEST(ProcSocketIndex, ForkedChildsOwnSocketIsTheChild)
{
    Pipe to_parent;
    Pipe to_child;
    Child child;
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        // The child: its own socket, its inode to the parent, then wait until told to go
        // (EOF on the pipe). Only async-signal-safe calls; _exit, never return into gtest.
        const int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        struct stat st {};

        std::uint64_t ino = s >= 0 && fstat(s, &st) == 0 ? st.st_ino : 0;
        if (::write(to_parent.write_end(), &ino, sizeof ino) != sizeof ino) {
            _exit(2);
        }
        to_child.close_write();
        char c = 0;
        while (::read(to_child.read_end(), &c, 1) < 0 && errno == EINTR) {
        }
        _exit(0);
    }
    child.set(pid);
    to_child.close_read();
    std::uint64_t ino = 0;
    ASSERT_TRUE(read_value(to_parent.read_end(), ino));
    ASSERT_NE(ino, 0U);

    ProcSocketIndex index;
    const InodeOwners o = index.find(ino, true);
    EXPECT_EQ(o.pid, pid);
    EXPECT_EQ(o.holders, 1U);

    to_child.close_write();
    child.reap();
}

TEST(ProcSocketIndex, InheritedSocketGoesToTheNewestHolder)
{
    const int fd = socket(AF_INET, SOCK_DGRAM, 0); // no CLOEXEC: the child keeps it
    ASSERT_GE(fd, 0);
    const std::uint64_t ino = inode_of(fd);
    // Start times are in 10 ms ticks: make sure the child starts in a later tick than this
    // process (gtest may run this test within a tick of the process's start).
    usleep(30000);
    Pipe ready;
    Pipe to_child;
    Child child;
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        to_child.close_write();
        const char c = 1;
        if (::write(ready.write_end(), &c, 1) != 1) {
            _exit(2);
        }
        char r = 0;
        while (::read(to_child.read_end(), &r, 1) < 0 && errno == EINTR) {
        }
        _exit(0);
    }
    child.set(pid);
    to_child.close_read();
    char c = 0;
    ASSERT_TRUE(read_value(ready.read_end(), c));

    ProcSocketIndex index;
    const InodeOwners o = index.find(ino, true);
    EXPECT_EQ(o.holders, 2U);
    EXPECT_EQ(o.pid, pid);
    EXPECT_GT(o.start_ticks, own_start_ticks());

    to_child.close_write();
    child.reap();
    ::close(fd);
}

TEST(ProcSocketIndex, MissesRescanAtMostOncePerInterval)
{
    ProcSocketIndex index("/proc", 65536, std::chrono::hours(1));
    EXPECT_EQ(index.find(1).holders, 0U); // inode 1 is never a socket
    EXPECT_EQ(index.scans(), 1U);
    EXPECT_EQ(index.find(2).holders, 0U);
    EXPECT_EQ(index.scans(), 1U); // too soon
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(index.find(inode_of(fd)).pid, 0); // new since the walk, and too soon
    EXPECT_EQ(index.find(inode_of(fd), true).pid, getpid());
    EXPECT_EQ(index.scans(), 2U);
    EXPECT_EQ(index.find(0).pid, 0);
    EXPECT_EQ(index.scans(), 2U);
    ::close(fd);
}

TEST(ProcSocketIndex, ClosedSocketStaysKnownFromTheWalkThatSawIt)
{
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    const std::uint64_t ino = inode_of(fd);
    ProcSocketIndex index;
    EXPECT_EQ(index.find(ino).pid, getpid());
    ::close(fd);
    EXPECT_EQ(index.find(ino).pid, getpid()); // from the cache
    EXPECT_EQ(index.find(1, true).pid, 0);    // a later walk no longer sees it...
    EXPECT_EQ(index.find(ino).pid, getpid()); // ...but keeps the older entry while there is room
    EXPECT_EQ(index.scans(), 2U);
}

TEST(ProcSocketIndex, WithoutRootOtherUsersFdsAreCountedAsDenied)
{
    if (geteuid() != 0) {
        // Unprivileged already: pid 1's fds are not ours to read.
        ProcSocketIndex index;
        index.find(1, true);
        EXPECT_GT(index.permission_denied(), 0U);
        return;
    }
    Child child;
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0) {
            _exit(3);
        }
        ProcSocketIndex index;
        index.find(1, true);
        _exit(index.permission_denied() > 0 ? 0 : 1);
    }
    child.set(pid);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    child.set(-1);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "3: could not drop privileges; 1: nothing denied";
}

// --- Fake proc trees ---------------------------------------------------------------------

class FakeProc : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::string tmpl = (fs::temp_directory_path() / "wtfn-fakeproc-XXXXXX").string();
        ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
        root_ = tmpl;
        fs::create_directories(root_ / "self");
        fs::create_directories(root_ / "net");
    }

    void TearDown() override
    {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }

    void process(int pid, std::uint64_t start)
    {
        fs::create_directories(root_ / std::to_string(pid) / "fd");
        std::ofstream(root_ / std::to_string(pid) / "stat")
            << pid << " (p" << pid << ") S 1 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 " << start
            << " 1 1 1\n";
    }

    void holds(int pid, int fd, const std::string& target)
    {
        fs::create_symlink(target, root_ / std::to_string(pid) / "fd" / std::to_string(fd));
    }

    void holds_socket(int pid, int fd, std::uint64_t inode)
    {
        holds(pid, fd, "socket:[" + std::to_string(inode) + "]");
    }

    fs::path root_;
};

TEST_F(FakeProc, NewestHolderWinsAndDuplicatesCountOnce)
{
    process(100, 500);
    process(200, 900);
    process(300, 900);
    holds_socket(100, 3, 555);
    holds_socket(100, 4, 555); // dup'ed: still one holder
    holds_socket(200, 3, 555);
    holds(200, 0, "/dev/null");
    holds(200, 1, "pipe:[555]");
    holds(200, 2, "anon_inode:[eventpoll]");
    holds_socket(300, 7, 777);
    ProcSocketIndex index(root_.string());
    InodeOwners o = index.find(555);
    EXPECT_EQ(o.holders, 2U);
    EXPECT_EQ(o.pid, 200);
    EXPECT_EQ(o.start_ticks, 900U);
    o = index.find(777);
    EXPECT_EQ(o.holders, 1U);
    EXPECT_EQ(o.pid, 300);
    EXPECT_EQ(index.scans(), 1U); // 777 came from the same walk
    EXPECT_EQ(index.cached(), 2U);

    // The same start tick: the larger pid.
    holds_socket(300, 8, 555);
    o = index.find(555, true);
    EXPECT_EQ(o.holders, 3U);
    EXPECT_EQ(o.pid, 300);
}

TEST_F(FakeProc, UnreadableStartTimeLosesToAKnownOne)
{
    process(100, 500);
    fs::create_directories(root_ / "400" / "fd"); // no stat file
    holds_socket(100, 3, 42);
    holds_socket(400, 3, 42);
    ProcSocketIndex index(root_.string());
    const InodeOwners o = index.find(42);
    EXPECT_EQ(o.holders, 2U);
    EXPECT_EQ(o.pid, 100);
}

TEST_F(FakeProc, MalformedLinksAreNotSockets)
{
    process(100, 1);
    holds(100, 3, "socket:[]");
    holds(100, 4, "socket:[12x]");
    holds(100, 5, "socket:[99999999999999999999999]");
    holds(100, 6, "socket:[7");
    holds(100, 7, "socket:[8]");
    ProcSocketIndex index(root_.string());
    EXPECT_EQ(index.find(8).pid, 100);
    EXPECT_EQ(index.cached(), 1U);
}

TEST_F(FakeProc, CapacityKeepsTheWantedInodeAndTheNewestWalks)
{
    process(100, 1);
    holds_socket(100, 3, 1001);
    holds_socket(100, 4, 1002);
    holds_socket(100, 5, 1003);
    ProcSocketIndex index(root_.string(), 2, std::chrono::milliseconds(0));
    // The walk stops adding at the capacity, but always records what it was asked for.
    EXPECT_EQ(index.find(1003).pid, 100);
    EXPECT_LE(index.cached(), 3U);
    EXPECT_GE(index.cached(), 2U);

    // A new walk that sees other sockets: they replace the older walk's entries.
    fs::remove_all(root_ / "100");
    process(101, 2);
    holds_socket(101, 3, 2001);
    EXPECT_EQ(index.find(2001).pid, 101);
    EXPECT_EQ(index.cached(), 2U); // 2001 and one survivor of the first walk

    ProcSocketIndex roomy(root_.string(), 3, std::chrono::milliseconds(0));
    process(102, 3);
    holds_socket(102, 3, 3001);
    EXPECT_EQ(roomy.find(2001).pid, 101);
    fs::remove_all(root_ / "101");
    process(103, 4);
    holds_socket(103, 3, 4001);
    EXPECT_EQ(roomy.find(4001).pid, 103); // a second walk: 3001 and 4001
    EXPECT_EQ(roomy.scans(), 2U);
    EXPECT_EQ(roomy.cached(), 3U);
    EXPECT_EQ(roomy.find(2001).pid, 101); // kept from the first walk
}

TEST_F(FakeProc, WalkStopsAtTheFdLimitNewestProcessFirst)
{
    process(100, 1);
    process(900, 2);
    for (int fd = 0; fd < 10; ++fd) {
        holds_socket(100, fd, 100 + static_cast<std::uint64_t>(fd));
    }
    holds_socket(900, 3, 9000);
    ProcSocketIndex index(root_.string());
    index.set_scan_limits(5, std::chrono::milliseconds(200));
    EXPECT_EQ(index.find(9000).pid, 900); // pid 900 is walked first
    EXPECT_EQ(index.truncated_scans(), 1U);
    EXPECT_LT(index.cached(), 6U);
}

TEST_F(FakeProc, MissingRootIsNoScanResult)
{
    ProcSocketIndex index((root_ / "absent").string());
    EXPECT_EQ(index.find(5).holders, 0U);
    EXPECT_EQ(index.scans(), 1U);
}

} // namespace
} // namespace wtfn::platform
