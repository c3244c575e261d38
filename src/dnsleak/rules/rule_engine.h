// RuleEngine: judges every DNS-like event against one policy (docs/leak-rules.md). It owns
// the rules in the order they are asked and one Judgement that it refills for each event,
// so judging allocates nothing; the returned reference is valid until the next call.
#pragma once

#include <memory>
#include <vector>

#include "dnsleak/policy/policy.h"
#include "dnsleak/rules/rule.h"

namespace wtfn::dnsleak {

class RuleEngine {
public:
    // The policy must outlive the engine (judgements point into its domain rules).
    explicit RuleEngine(const Policy& policy);

    const Judgement& judge(const ClassifiedEvent& e);

    const Policy& policy() const { return policy_; }

private:
    const Policy& policy_;
    std::vector<std::unique_ptr<Rule>> rules_;
    Judgement current_;
};

} // namespace wtfn::dnsleak
