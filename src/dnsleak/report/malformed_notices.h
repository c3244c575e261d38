// MalformedNotices: at -v, one stderr line per malformed DNS message, so a user can see what
// was damaged and where it came from. Rate-limited like Zeek's weirds (RELIABILITY.md M8):
// the first 25 of each class, then one in 1000; the counters in the report stay exact.
#pragma once

#include <array>
#include <cstdint>

#include "dnsleak/report/events.h"
#include "dnsleak/report/progress.h"

namespace wtfn::dnsleak {

class MalformedNotices final : public EventSink {
public:
    static constexpr std::uint64_t FIRST = 25;
    static constexpr std::uint64_t THEN_ONE_IN = 1000;

    explicit MalformedNotices(Progress& progress) : progress_(progress) {}

    void on_event(const ClassifiedEvent& event) override;

    // Whether the n-th (1-based) notice of a class is printed.
    static bool sampled(std::uint64_t n) { return n <= FIRST || (n - FIRST) % THEN_ONE_IN == 0; }

private:
    Progress& progress_;
    std::array<std::uint64_t, util::MALFORMED_CLASS_COUNT> seen_{};
};

} // namespace wtfn::dnsleak
