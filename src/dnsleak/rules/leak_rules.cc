#include "dnsleak/rules/leak_rules.h"

#include "dnsleak/rules/path_check.h"
#include "dnsleak/rules/severity.h"

namespace wtfn::dnsleak {
namespace {

constexpr std::int64_t DUPLICATE_WINDOW_NS = 1'000'000'000;

std::uint64_t mix(std::uint64_t h, std::uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

// Identifies one message across interfaces: the flow, the DNS id and the name.
std::uint64_t message_hash(const ClassifiedEvent& e)
{
    std::uint64_t h = mix(e.src.hash(), e.dst.hash());
    h = mix(h, (std::uint64_t{e.src_port} << 16) | e.dst_port);
    h = mix(h, static_cast<std::uint64_t>(e.transport));
    if (e.dns != nullptr) {
        h = mix(h, e.dns->id);
        for (const char c : e.dns->qname.view()) {
            h = mix(h, static_cast<unsigned char>(c));
        }
    }
    return h;
}

bool is_plaintext(Transport t)
{
    return t == Transport::udp53 || t == Transport::tcp53;
}

bool is_encrypted_dns(Transport t)
{
    return t == Transport::dot || t == Transport::doq;
}

void decide(Judgement& out, Verdict v, std::string_view rule)
{
    out.verdict = v;
    out.rule_id = rule;
}

void leak(Judgement& out, LeakType type, std::string_view rule, const ClassifiedEvent& e)
{
    decide(out, Verdict::leak, rule);
    out.leak_type = type;
    out.severity = severity_for(type, e.route_class);
}

} // namespace

NameMatch match_name(const Policy& policy, std::string_view qname, const DomainPattern*& rule)
{
    for (const auto& p : policy.proxy_required) {
        if (p.matches(qname)) {
            rule = &p;
            return NameMatch::proxy_required;
        }
    }
    for (const auto& p : policy.direct) {
        if (p.matches(qname)) {
            rule = &p;
            return NameMatch::direct;
        }
    }
    rule = nullptr;
    return NameMatch::unlisted;
}

bool NotJudgedRule::is_repeat_on_other_interface(const ClassifiedEvent& e)
{
    if (e.ifindex == 0) {
        return false; // a capture file without interface indexes: nothing to compare
    }
    const std::uint64_t h = message_hash(e);
    for (const Sighting& s : recent_) {
        if (s.hash == h && s.ifindex != e.ifindex && s.ts_ns != 0 &&
            e.ts_ns - s.ts_ns < DUPLICATE_WINDOW_NS && e.ts_ns >= s.ts_ns) {
            return true;
        }
    }
    recent_[next_] = {h, e.ts_ns, e.ifindex};
    next_ = (next_ + 1) % recent_.size();
    return false;
}

bool NotJudgedRule::judge(const ClassifiedEvent& e, Judgement& out)
{
    if (is_local_link(e.transport)) {
        decide(out, Verdict::not_judged, rule_ids::skip_local_link);
        return true;
    }
    if (e.dns != nullptr && e.dns->is_response()) {
        // The query it answers is the message that went somewhere; it was judged.
        decide(out, Verdict::not_judged, rule_ids::skip_response);
        return true;
    }
    if (e.direction == net::Direction::inbound) {
        // Another host asking this one (this machine runs a resolver): not our DNS leaving.
        decide(out, Verdict::not_judged, rule_ids::skip_inbound);
        return true;
    }
    if (is_repeat_on_other_interface(e)) {
        decide(out, Verdict::not_judged, rule_ids::skip_duplicate);
        return true;
    }
    return false;
}

bool LocalRule::judge(const ClassifiedEvent& e, Judgement& out)
{
    // A message to a stub on this machine cannot leak by itself; where the stub sends the
    // question next is a message of its own, judged when it leaves.
    if (e.route_class == platform::RouteClass::loopback || e.dst.is_loopback()) {
        decide(out, Verdict::clean, rule_ids::clean_local);
        return true;
    }
    return false;
}

bool PlaintextRule::judge(const ClassifiedEvent& e, Judgement& out)
{
    if (!is_plaintext(e.transport)) {
        return false;
    }
    if (e.dns != nullptr && e.dns->has_question) {
        out.name_match = match_name(policy_, e.dns->qname.view(), out.domain_rule);
    }
    const PathCheck c = check_path(policy_.safe_path, e);
    out.violated = c.violated;
    out.unchecked = c.unchecked;
    if (c.violated == 0) {
        decide(out, Verdict::clean, rule_ids::clean_path);
    } else if (out.name_match == NameMatch::direct) {
        decide(out, Verdict::clean, rule_ids::clean_direct);
    } else if (out.name_match == NameMatch::proxy_required) {
        leak(out, LeakType::b, rule_ids::leak_b_required, e);
    } else if (out.name_match == NameMatch::unlisted && policy_.unknown_via_proxy) {
        leak(out, LeakType::b, rule_ids::leak_b_unknown, e);
    } else {
        leak(out, LeakType::a, rule_ids::leak_a, e);
    }
    return true;
}

bool EncryptedRule::judge(const ClassifiedEvent& e, Judgement& out)
{
    if (!is_encrypted_dns(e.transport)) {
        return false;
    }
    const PathCheck c = check_path(policy_.encrypted_egress, e);
    out.violated = c.violated;
    out.unchecked = c.unchecked;
    if (c.violated == 0) {
        decide(out, Verdict::clean, rule_ids::clean_egress);
    } else {
        leak(out, LeakType::c, rule_ids::leak_c, e);
    }
    return true;
}

} // namespace wtfn::dnsleak
