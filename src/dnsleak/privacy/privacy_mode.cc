#include "dnsleak/privacy/privacy_mode.h"

namespace wtfn::dnsleak {

std::string_view to_string(PrivacyMode mode)
{
    switch (mode) {
        case PrivacyMode::full:
            return "full";
        case PrivacyMode::redacted:
            return "redacted";
        case PrivacyMode::minimal:
            return "minimal";
    }
    return "unknown";
}

std::optional<PrivacyMode> parse_privacy_mode(std::string_view text)
{
    for (const PrivacyMode m : {PrivacyMode::full, PrivacyMode::redacted, PrivacyMode::minimal}) {
        if (text == to_string(m)) {
            return m;
        }
    }
    return std::nullopt;
}

} // namespace wtfn::dnsleak
