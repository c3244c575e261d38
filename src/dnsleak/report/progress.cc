#include "dnsleak/report/progress.h"

#include <unistd.h>

#include <fmt/format.h>

#include "dnsleak/report/counters.h"

namespace wtfn::dnsleak {

void Progress::update(const CaptureCounters& c, std::int64_t now_ns)
{
    if (!enabled_ || now_ns - last_ns_ < 250'000'000) {
        return;
    }
    last_ns_ = now_ns;
    const std::string line =
        fmt::format("\r\x1b[Kpackets {}  DNS messages {}  encrypted flows {}  malformed {}",
                    c.packets_read,
                    c.dns_messages,
                    c.encrypted_flows,
                    c.malformed.total());
    [[maybe_unused]] const auto n = ::write(STDERR_FILENO, line.data(), line.size());
    shown_ = true;
}

void Progress::clear()
{
    if (shown_) {
        constexpr char erase[] = "\r\x1b[K";
        [[maybe_unused]] const auto n = ::write(STDERR_FILENO, erase, sizeof erase - 1);
        shown_ = false;
    }
}

} // namespace wtfn::dnsleak
