// Privacy modes, applied by the report builder (never the sensor) before anything is written
// (RELIABILITY.md O3): `full` keeps names and command lines; `redacted`, the default, keeps
// the registrable domain and a keyed hash of each name and truncates command lines;
// `minimal` keeps no names and no command lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace wtfn::dnsleak {

enum class PrivacyMode : std::uint8_t { full, redacted, minimal };

inline constexpr PrivacyMode DEFAULT_PRIVACY_MODE = PrivacyMode::redacted;

std::string_view to_string(PrivacyMode mode);

// Exact lower-case names only ("full", "redacted", "minimal"); anything else is nullopt.
std::optional<PrivacyMode> parse_privacy_mode(std::string_view text);

} // namespace wtfn::dnsleak
