// Parsing of the --duration argument: "10s", "500ms", "2m", "1h".
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace wtfn::util {

// Returns nullopt for anything that is not a positive whole number followed by ms, s, m or h,
// or that exceeds 30 days.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

} // namespace wtfn::util
