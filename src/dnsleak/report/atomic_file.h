// AtomicFile: how every report file is written (RELIABILITY.md O1, O2, row 18). The data goes
// to a new temporary file in the target's directory, created with O_CREAT|O_EXCL|O_NOFOLLOW
// and mode 0600 whatever the umask; commit() fsyncs it, renames it over the target and
// fsyncs the directory. A reader therefore sees the old file or the new one, never half of
// one, and a symlink planted at the temporary path cannot redirect the write.
#pragma once

#include <string>

namespace wtfn::dnsleak {

class AtomicFile {
public:
    AtomicFile() = default;
    ~AtomicFile(); // removes the temporary file unless committed
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    // Returns false with error() set (one line naming the path, the cause and the fix).
    bool open(const std::string& target);

    int fd() const { return fd_; }

    bool commit();

    const std::string& error() const { return error_; }

private:
    std::string target_;
    std::string temp_;
    std::string error_;
    int fd_ = -1;
    bool committed_ = false;
};

} // namespace wtfn::dnsleak
