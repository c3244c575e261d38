#include "dnsleak/rules/rule_engine.h"

#include "dnsleak/rules/leak_rules.h"

namespace wtfn::dnsleak {

RuleEngine::RuleEngine(const Policy& policy) : policy_(policy)
{
    rules_.push_back(std::make_unique<NotJudgedRule>());
    rules_.push_back(std::make_unique<LocalRule>());
    rules_.push_back(std::make_unique<PlaintextRule>(policy_));
    rules_.push_back(std::make_unique<EncryptedRule>(policy_));
}

const Judgement& RuleEngine::judge(const ClassifiedEvent& e)
{
    current_ = Judgement{};
    for (const auto& rule : rules_) {
        if (rule->judge(e, current_)) {
            break;
        }
    }
    // No rule decided (a 443 flow the DoH stage has not classified): not judged, no id.
    return current_;
}

} // namespace wtfn::dnsleak
