// Rule: one step of the rules engine. The engine asks its rules in order; the first that
// decides fills the Judgement and the rest are not asked. A new finding (DoH once the DoH
// stage classifies it, Leak-D's correlation) is a new Rule in the list, not a new engine.
#pragma once

#include "dnsleak/report/events.h"
#include "dnsleak/rules/judgement.h"

namespace wtfn::dnsleak {

class Rule {
public:
    virtual ~Rule() = default;

    // Returns true when this rule decided the event and filled `out`.
    virtual bool judge(const ClassifiedEvent& e, Judgement& out) = 0;
};

// Stable rule ids (docs/leak-rules.md). Reports, dashboards and suppressions key on them, so
// an id never changes meaning; a new rule gets a new id.
namespace rule_ids {
inline constexpr std::string_view leak_a = "leak-a.off-safe-path";
inline constexpr std::string_view leak_b_required = "leak-b.proxy-required-name";
inline constexpr std::string_view leak_b_unknown = "leak-b.unknown-name";
inline constexpr std::string_view leak_c = "leak-c.off-approved-egress";
inline constexpr std::string_view clean_path = "clean.safe-path";
inline constexpr std::string_view clean_direct = "clean.direct-name";
inline constexpr std::string_view clean_egress = "clean.approved-egress";
inline constexpr std::string_view clean_local = "clean.local";
inline constexpr std::string_view skip_response = "skip.response";
inline constexpr std::string_view skip_inbound = "skip.inbound";
inline constexpr std::string_view skip_local_link = "skip.local-link";
inline constexpr std::string_view skip_duplicate = "skip.duplicate";
} // namespace rule_ids

} // namespace wtfn::dnsleak
