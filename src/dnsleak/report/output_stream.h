// OutputStream: writes whole buffers to a file descriptor. A closed pipe (EPIPE, as in
// `wtfn ... --json | head -c 100`) or a full disk marks the stream failed instead of
// killing the process; the caller decides what that means.
#pragma once

#include <cerrno>
#include <string>
#include <string_view>

#include <unistd.h>

namespace wtfn::dnsleak {

class OutputStream {
public:
    explicit OutputStream(int fd) : fd_(fd) {}

    bool write(std::string_view data)
    {
        while (!failed_ && !data.empty()) {
            const ssize_t n = ::write(fd_, data.data(), data.size());
            if (n > 0) {
                data.remove_prefix(static_cast<std::size_t>(n));
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else {
                failed_ = true;
                errno_ = n < 0 ? errno : EIO;
            }
        }
        return !failed_;
    }

    bool failed() const { return failed_; }

    int error_number() const { return errno_; }

    int fd() const { return fd_; }

private:
    int fd_;
    bool failed_ = false;
    int errno_ = 0;
};

} // namespace wtfn::dnsleak
