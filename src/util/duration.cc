#include "util/duration.h"

#include <charconv>
#include <cstdint>

namespace wtfn::util {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text)
{
    std::uint64_t value = 0;
    const auto* const begin = text.data();
    const auto* const end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc{} || ptr == begin || value == 0) {
        return std::nullopt;
    }
    const std::string_view unit(ptr, static_cast<std::size_t>(end - ptr));
    std::uint64_t ms_per_unit = 0;
    if (unit == "ms") {
        ms_per_unit = 1;
    } else if (unit == "s") {
        ms_per_unit = 1000;
    } else if (unit == "m") {
        ms_per_unit = 60'000;
    } else if (unit == "h") {
        ms_per_unit = 3'600'000;
    } else {
        return std::nullopt;
    }
    constexpr std::uint64_t MAX_MS = 30ULL * 24 * 3'600'000;
    if (value > MAX_MS / ms_per_unit) {
        return std::nullopt;
    }
    return std::chrono::milliseconds(static_cast<std::int64_t>(value * ms_per_unit));
}

} // namespace wtfn::util
