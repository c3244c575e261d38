// Timestamps as the reports print them. Capture timestamps are nanoseconds since the epoch.
#pragma once

#include <cstdint>
#include <string>

namespace wtfn::util {

// "2026-11-23T10:15:02.123456Z" (UTC, microseconds).
std::string format_iso8601_utc(std::int64_t ns_since_epoch);

// "10:15:02.123" (UTC), for the human event table.
std::string format_clock_utc(std::int64_t ns_since_epoch);

std::int64_t now_ns();

} // namespace wtfn::util
