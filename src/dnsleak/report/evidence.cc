#include <fmt/format.h>

#include "dnsleak/privacy/public_suffix.h"
#include "dnsleak/report/event_format.h"
#include "dnsleak/rules/rule.h"
#include "util/escape.h"

namespace wtfn::dnsleak {
namespace {

std::string endpoint(const ClassifiedEvent& e)
{
    return e.dst.version == 6 ? fmt::format("[{}]:{}", e.dst.to_string(), e.dst_port)
                              : fmt::format("{}:{}", e.dst.to_string(), e.dst_port);
}

template <typename T, typename F>
std::string listed(const std::vector<T>& items, F&& show)
{
    std::string s = "[";
    for (std::size_t i = 0; i < items.size() && i < 8; ++i) {
        s += (i == 0 ? "" : ", ") + show(items[i]);
    }
    if (items.size() > 8) {
        s += fmt::format(", +{} more", items.size() - 8);
    }
    return s + "]";
}

// The clauses for each violated list: "route class physical is not in [tunnel, loopback]".
std::string violations(const ClassifiedEvent& e, std::uint8_t violated, const PathConstraints& p)
{
    std::string s;
    const auto add = [&](const std::string& clause) {
        s += (s.empty() ? "" : "; ") + clause;
    };
    if ((violated & constraint_interface) != 0) {
        add(fmt::format(
            "interface {} is not in {}",
            e.interface.empty() ? std::string("(unnamed)") : util::escaped_text(e.interface),
            listed(p.interfaces, [](const std::string& x) { return util::escaped_text(x); })));
    }
    if ((violated & constraint_route_class) != 0) {
        add(fmt::format("route class {} is not in {}",
                        to_string(e.route_class),
                        listed(p.route_classes,
                               [](platform::RouteClass c) { return std::string(to_string(c)); })));
    }
    if ((violated & constraint_destination) != 0) {
        add(fmt::format("destination {} is not in {}",
                        e.dst.to_string(),
                        listed(p.destinations, [](const Cidr& c) { return c.to_string(); })));
    }
    if ((violated & constraint_port) != 0) {
        add(fmt::format("port {} is not in {}", e.dst_port, listed(p.ports, [](std::uint16_t x) {
                            return std::to_string(x);
                        })));
    }
    if ((violated & constraint_process) != 0 && e.process != nullptr) {
        add(fmt::format(
            "process {} is not in {}",
            util::escaped_text(e.process->name),
            listed(p.processes, [](const std::string& x) { return util::escaped_text(x); })));
    }
    return s;
}

std::string where(const ClassifiedEvent& e)
{
    return fmt::format("{} on {} ({})",
                       endpoint(e),
                       e.interface.empty() ? std::string("an unnamed interface")
                                           : util::escaped_text(e.interface),
                       to_string(e.route_class));
}

} // namespace

std::string evidence_reason(const ClassifiedEvent& e,
                            const Judgement& j,
                            const Policy& policy,
                            bool show_domain_rule)
{
    const std::string rule = !show_domain_rule ? std::string("(hidden)")
                             : j.domain_rule != nullptr
                                 ? util::escaped_text(j.domain_rule->to_string())
                                 : std::string();
    std::string r;
    if (j.rule_id == rule_ids::leak_a) {
        r = fmt::format("plaintext DNS to {} is off the safe path: {}",
                        where(e),
                        violations(e, j.violated, policy.safe_path));
    } else if (j.rule_id == rule_ids::leak_b_required) {
        r = fmt::format("a name under proxy-required rule {} was sent in plaintext to {}, off "
                        "the safe path: {}",
                        rule,
                        where(e),
                        violations(e, j.violated, policy.safe_path));
    } else if (j.rule_id == rule_ids::leak_b_unknown) {
        r = fmt::format("a name on neither domain list must go through the proxy "
                        "(unknown_via_proxy) but was sent in plaintext to {}: {}",
                        where(e),
                        violations(e, j.violated, policy.safe_path));
    } else if (j.rule_id == rule_ids::leak_c) {
        r = fmt::format("encrypted DNS ({}) to {} is outside the approved egress: {}",
                        to_string(e.transport),
                        where(e),
                        violations(e, j.violated, policy.encrypted_egress));
    } else if (j.rule_id == rule_ids::clean_path) {
        r = fmt::format("to {}: every safe-path list admits it", where(e));
    } else if (j.rule_id == rule_ids::clean_direct) {
        r = fmt::format("a name under direct rule {} may take any path (off the safe path: {})",
                        rule,
                        violations(e, j.violated, policy.safe_path));
    } else if (j.rule_id == rule_ids::clean_egress) {
        r = fmt::format("to {}: the approved egress admits it", where(e));
    } else if (j.rule_id == rule_ids::clean_local) {
        r = "to this machine (loopback): it cannot leave; the stub's own upstream query is "
            "judged when it leaves";
    } else if (j.rule_id == rule_ids::skip_response) {
        r = "a response: the query it answers is the message that was judged";
    } else if (j.rule_id == rule_ids::skip_inbound) {
        r = "an inbound query: another host asking this one";
    } else if (j.rule_id == rule_ids::skip_local_link) {
        r = "mDNS/LLMNR stays on the local link and is not sent to a resolver";
    } else if (j.rule_id == rule_ids::skip_duplicate) {
        r = "the same message was judged moments ago on another interface";
    } else {
        r = "not classified as DNS yet";
    }
    if ((j.unchecked & constraint_process) != 0) {
        r += "; processes list not checked: the sending process is not known";
    }
    return r;
}

std::string shown_qname(std::string_view qname, const EventFormat& format)
{
    switch (format.privacy) {
        case PrivacyMode::full:
            return util::escaped_text(qname);
        case PrivacyMode::redacted: {
            std::string s = registrable_domain(qname);
            if (s.empty()) {
                s = "(name)";
            }
            if (format.hasher != nullptr) {
                s += "#" + format.hasher->hash(qname).substr(0, 8);
            }
            return util::escaped_text(s);
        }
        case PrivacyMode::minimal:
            break;
    }
    return "(name hidden)";
}

} // namespace wtfn::dnsleak
