// Progress: one status line on a terminal while a long watch or a large file runs
// ("packets 1234567  DNS 2345  malformed 0"). Silent when stderr is not a terminal, so
// scripts and log files never see it.
#pragma once

#include <cstdint>

namespace wtfn::dnsleak {

struct CaptureCounters;

class Progress {
public:
    // enabled: stderr is a terminal and the user did not ask for quiet output.
    explicit Progress(bool enabled) : enabled_(enabled) {}

    // Redraws at most four times a second; cheap to call per batch of packets.
    void update(const CaptureCounters& c, std::int64_t now_ns);

    // Erases the status line so that other output starts on a clean line.
    void clear();

    bool enabled() const { return enabled_; }

private:
    bool enabled_;
    bool shown_ = false;
    std::int64_t last_ns_ = 0;
};

} // namespace wtfn::dnsleak
