// Safe-path check: which of a policy's constraint lists do not admit an event. A flow is on
// the path when every list that is given admits it (docs/leak-rules.md, "How the lists
// combine"); an empty list does not constrain.
#pragma once

#include <cstdint>
#include <string_view>

#include "dnsleak/policy/policy.h"
#include "dnsleak/report/events.h"

namespace wtfn::dnsleak {

struct PathCheck {
    std::uint8_t violated = 0;  // Constraint bits
    std::uint8_t unchecked = 0; // lists that could not be checked (the process is not known)
};

PathCheck check_path(const PathConstraints& path, const ClassifiedEvent& e);

// "wg0" matches only wg0; "tun*" matches every name starting with "tun".
bool interface_pattern_matches(std::string_view pattern, std::string_view name);

// A process entry starting with '/' is an executable path, anything else a process name.
bool process_allowed(const std::vector<std::string>& allowed, const ProcessFacts& p);

} // namespace wtfn::dnsleak
