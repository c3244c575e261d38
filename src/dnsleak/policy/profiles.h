// The built-in policy profiles (DESIGN.md section 6): what "the safe path" means for the
// three setups our users run. A profile names the route classes a resolver query may leave
// by and the interface labels that override route classification.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/route_class.h"

namespace wtfn::dnsleak {

struct PolicyProfile {
    std::string name;
    std::string source; // "built-in" or the policy file
    bool is_default = false;
    std::string summary; // one sentence: what is safe
    std::vector<platform::RouteClass> safe_route_classes;
    platform::RouteClassLabels labels;
};

inline constexpr std::string_view DEFAULT_PROFILE = "proxy-stub";

// Null when `name` is not a built-in profile.
std::optional<PolicyProfile> builtin_profile(std::string_view name);

std::vector<std::string> builtin_profile_names();

} // namespace wtfn::dnsleak
