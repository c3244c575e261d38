#include "dnsleak/privacy/privacy_key.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <pwd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/escape.h"

namespace wtfn::dnsleak {
namespace {

constexpr const char* KEY_FIX =
    "run as root or set WTFN_PRIVACY_KEY to a file path this user can write";

// Closes a file descriptor on every return path.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}

    ~Fd()
    {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }

    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;

    int get() const { return fd_; }

    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

std::string env(const char* name)
{
    const char* v = std::getenv(name);
    return v == nullptr ? std::string() : std::string(v);
}

std::string home_directory()
{
    std::string home = env("HOME");
    if (!home.empty()) {
        return home;
    }
    const long hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::string buf(hint > 0 ? static_cast<std::size_t>(hint) : 16384, '\0');

    struct passwd pw {};
    struct passwd* found = nullptr;
    if (::getpwuid_r(::geteuid(), &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr &&
        found->pw_dir != nullptr) {
        home = found->pw_dir;
    }
    return home;
}

// Splits "dir/name" into the directory ("." for a bare name, "/" for "/name") and the name.
void split_path(const std::string& path, std::string& dir, std::string& name)
{
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) {
        dir = ".";
        name = path;
        return;
    }
    dir = slash == 0 ? "/" : path.substr(0, slash);
    name = path.substr(slash + 1);
}

std::string quoted(const std::string& path)
{
    return util::escaped_text(path);
}

KeyResult failure(std::string error)
{
    KeyResult r;
    r.error = std::move(error);
    return r;
}

// The fix to suggest after an errno from open, mkdir, link and friends.
std::string fix_for(int err)
{
    switch (err) {
        case ENOTDIR:
            return "a component of the path is a file, not a directory; move it away or set "
                   "WTFN_PRIVACY_KEY to another path";
        case EROFS:
            return "the file system is read-only; set WTFN_PRIVACY_KEY to a writable path";
        default:
            return KEY_FIX;
    }
}

bool read_all(int fd, PrivacyKey& key)
{
    std::size_t got = 0;
    while (got < key.size()) {
        const ssize_t n = ::read(fd, key.data() + got, key.size() - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        got += static_cast<std::size_t>(n);
    }
    return true;
}

bool write_all(int fd, const PrivacyKey& key)
{
    std::size_t put = 0;
    while (put < key.size()) {
        const ssize_t n = ::write(fd, key.data() + put, key.size() - put);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (n == 0) {
                errno = EIO;
            }
            return false;
        }
        put += static_cast<std::size_t>(n);
    }
    return true;
}

bool random_bytes(std::uint8_t* out, std::size_t size)
{
    std::size_t got = 0;
    while (got < size) {
        const ssize_t n = ::getrandom(out + got, size - got, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        got += static_cast<std::size_t>(n);
    }
    return true;
}

// Opens an existing key. Sets `missing` (and returns a result that is not ok) when there is
// no file at `path`, so that the caller makes one.
KeyResult load_key(const std::string& path, bool& missing)
{
    missing = false;
    // O_NONBLOCK: a FIFO planted at the path must not hang the open; it fails the S_ISREG
    // check below like any other non-file.
    Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0) {
        const int err = errno;
        if (err == ENOENT) {
            missing = true;
            return {};
        }
        if (err == ELOOP) {
            struct stat st {};

            if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
                return failure(quoted(path) +
                               ": privacy key is a symbolic link, which is refused; remove the "
                               "symlink (a new key will be made) or set WTFN_PRIVACY_KEY to the "
                               "file it points to");
            }
        }
        return failure(quoted(path) + ": cannot open the privacy key: " + std::strerror(err) +
                       "; " + fix_for(err));
    }

    struct stat st {};

    if (::fstat(fd.get(), &st) != 0) {
        return failure(quoted(path) + ": cannot read the privacy key: " + std::strerror(errno) +
                       "; " + KEY_FIX);
    }
    if (!S_ISREG(st.st_mode)) {
        return failure(quoted(path) +
                       ": privacy key is not a regular file; remove it and a new one will be "
                       "made, or set WTFN_PRIVACY_KEY to another path");
    }
    if (st.st_size != static_cast<off_t>(PRIVACY_KEY_BYTES)) {
        return failure(quoted(path) + ": privacy key must be " + std::to_string(PRIVACY_KEY_BYTES) +
                       " bytes, found " + std::to_string(st.st_size) +
                       "; remove it and a new one will be made (hashes from earlier runs will "
                       "then differ)");
    }
    KeyResult r;
    if (!read_all(fd.get(), r.key)) {
        const int err = errno;
        return failure(quoted(path) + ": cannot read the privacy key: " +
                       (err != 0 ? std::strerror(err) : "file shrank while read") + "; " + KEY_FIX);
    }
    r.ok = true;
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        r.warning = quoted(path) + ": privacy key is readable by other users (mode " + mode +
                    "); fix: chmod 600 " + quoted(path);
    }
    return r;
}

// mkdir -p with mode 0700 for each missing component; existing directories are left alone.
bool make_directories(const std::string& dir, std::string& error)
{
    std::size_t pos = 0;
    while (pos != std::string::npos) {
        pos = dir.find('/', pos + 1);
        const std::string part = dir.substr(0, pos);
        if (part.empty() || part == "/" || part.back() == '/') {
            continue; // a doubled slash
        }
        if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
            const int err = errno;
            error = quoted(part) +
                    ": cannot make the directory for the privacy key: " + std::strerror(err) +
                    "; " + fix_for(err);
            return false;
        }
    }
    return true;
}

KeyResult create_key(const std::string& path)
{
    std::string dir;
    std::string name;
    split_path(path, dir, name);
    if (name.empty() || name == "." || name == "..") {
        return failure(quoted(path) +
                       ": privacy key path names a directory; set WTFN_PRIVACY_KEY to a file path");
    }
    std::string error;
    if (!make_directories(dir, error)) {
        return failure(error);
    }
    // Every step below is relative to this one directory, so the temporary file and the key
    // cannot end up in different places even if the path is changed underneath us.
    Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.get() < 0) {
        const int err = errno;
        return failure(quoted(dir) + ": cannot open the directory for the privacy key " +
                       quoted(path) + ": " + std::strerror(err) + "; " + fix_for(err));
    }
    KeyResult r;
    if (!random_bytes(r.key.data(), r.key.size())) {
        return failure(quoted(path) + ": cannot make a privacy key: getrandom: " +
                       std::strerror(errno) + "; try again once the system has booted");
    }
    std::string temp;
    int temp_fd = -1;
    for (int attempt = 0; attempt < 16 && temp_fd < 0; ++attempt) {
        std::uint32_t tag = 0;
        if (!random_bytes(reinterpret_cast<std::uint8_t*>(&tag), sizeof tag)) {
            break;
        }
        char suffix[24];
        std::snprintf(suffix, sizeof suffix, ".tmp-%08x", tag);
        temp = name + suffix;
        temp_fd = ::openat(
            dir_fd.get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (temp_fd < 0 && errno != EEXIST) {
            break;
        }
    }
    if (temp_fd < 0) {
        const int err = errno;
        return failure(quoted(path) + ": cannot create the privacy key: " + std::strerror(err) +
                       "; " + fix_for(err));
    }
    Fd file(temp_fd);
    // O_CREAT's mode is narrowed by the umask but never widened; 0600 whatever the umask.
    if (::fchmod(file.get(), 0600) != 0 || !write_all(file.get(), r.key) ||
        ::fsync(file.get()) != 0) {
        const int err = errno;
        ::unlinkat(dir_fd.get(), temp.c_str(), 0);
        return failure(quoted(path) + ": cannot write the privacy key: " + std::strerror(err) +
                       "; " + fix_for(err));
    }
    ::close(file.release());
    const int linked = ::linkat(dir_fd.get(), temp.c_str(), dir_fd.get(), name.c_str(), 0);
    const int link_err = errno;
    ::unlinkat(dir_fd.get(), temp.c_str(), 0);
    if (linked != 0) {
        if (link_err == EEXIST) {
            // Another process made the key first: use that one.
            bool missing = false;
            KeyResult theirs = load_key(path, missing);
            if (missing) {
                return failure(quoted(path) +
                               ": privacy key vanished while it was being made; run again");
            }
            return theirs;
        }
        return failure(quoted(path) + ": cannot create the privacy key: " +
                       std::strerror(link_err) + "; " + fix_for(link_err));
    }
    ::fsync(dir_fd.get());
    r.ok = true;
    r.created = true;
    return r;
}

} // namespace

std::string default_privacy_key_path()
{
    std::string path = env("WTFN_PRIVACY_KEY");
    if (!path.empty()) {
        return path;
    }
    if (::geteuid() == 0) {
        return "/var/lib/wtfn/privacy.key";
    }
    const std::string state = env("XDG_STATE_HOME");
    if (!state.empty() && state.front() == '/') {
        return state + "/wtfn/privacy.key";
    }
    const std::string home = home_directory();
    if (home.empty()) {
        return {};
    }
    return home + "/.local/state/wtfn/privacy.key";
}

KeyResult load_or_create_privacy_key(const std::string& path)
{
    if (path.empty()) {
        return failure("no path for the privacy key (no home directory); set WTFN_PRIVACY_KEY "
                       "to a file path");
    }
    bool missing = false;
    KeyResult r = load_key(path, missing);
    if (!missing) {
        return r;
    }
    return create_key(path);
}

} // namespace wtfn::dnsleak
