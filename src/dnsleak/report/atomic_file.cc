#include "dnsleak/report/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <random>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/escape.h"

namespace wtfn::dnsleak {
namespace {

std::string directory_of(const std::string& path)
{
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) {
        return ".";
    }
    return slash == 0 ? "/" : path.substr(0, slash);
}

} // namespace

AtomicFile::~AtomicFile()
{
    if (fd_ >= 0) {
        ::close(fd_);
    }
    if (!committed_ && !temp_.empty()) {
        ::unlink(temp_.c_str());
    }
}

bool AtomicFile::open(const std::string& target)
{
    target_ = target;

    struct stat st {};

    if (::lstat(target.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        error_ = util::escaped_text(target) + ": is a directory; give --out a file name";
        return false;
    }
    std::random_device rd;
    for (int attempt = 0; attempt < 16; ++attempt) {
        char suffix[32];
        std::snprintf(suffix, sizeof suffix, ".wtfn-tmp-%08x", rd());
        temp_ = target + suffix;
        fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd_ >= 0) {
            // O_CREAT honours the umask only by narrowing; make 0600 explicit anyway.
            if (::fchmod(fd_, 0600) != 0) {
                error_ = util::escaped_text(target) +
                         ": cannot set mode 0600 on the report: " + std::strerror(errno);
                ::close(fd_);
                fd_ = -1;
                ::unlink(temp_.c_str());
                return false;
            }
            return true;
        }
        if (errno != EEXIST) {
            break;
        }
    }
    const int err = errno;
    error_ = util::escaped_text(target) + ": cannot create the report file: " + std::strerror(err);
    if (err == EACCES || err == EPERM) {
        error_ += " (choose a directory this user can write to)";
    } else if (err == ENOENT) {
        error_ +=
            " (the directory " + util::escaped_text(directory_of(target)) + " does not exist)";
    }
    temp_.clear();
    return false;
}

bool AtomicFile::commit()
{
    if (fd_ < 0) {
        return false;
    }
    if (::fsync(fd_) != 0) {
        error_ = util::escaped_text(target_) + ": cannot write the report: " + std::strerror(errno);
        return false;
    }
    ::close(fd_);
    fd_ = -1;
    if (::rename(temp_.c_str(), target_.c_str()) != 0) {
        error_ = util::escaped_text(target_) +
                 ": cannot move the report into place: " + std::strerror(errno);
        return false;
    }
    committed_ = true;
    const int dir = ::open(directory_of(target_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
    return true;
}

} // namespace wtfn::dnsleak
