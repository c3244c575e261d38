// EventFormat: how events are written for one run: the privacy mode (applied here, in the
// report builder, never in the sensor: DESIGN.md section 7) and the policy the evidence
// quotes. Shared by the JSON report, the NDJSON stream and the human view.
#pragma once

#include <string>
#include <string_view>

#include "dnsleak/policy/policy.h"
#include "dnsleak/privacy/name_hasher.h"
#include "dnsleak/privacy/privacy_mode.h"
#include "dnsleak/report/events.h"

namespace wtfn::dnsleak {

struct EventFormat {
    PrivacyMode privacy = PrivacyMode::full;
    const NameHasher* hasher = nullptr; // null: no name hashes (full mode without a key)
    const Policy* policy = nullptr;     // null: events are not judged
    // Why an event carries no owner when attribution did not run for it: a capture file,
    // --no-attribution, or a message that is not attributed (a response, inbound).
    std::string_view unattributed = "not attributed: only queries and encrypted flows "
                                    "leaving this machine are traced to a process";

    bool names_shown() const { return privacy == PrivacyMode::full; }

    bool domains_shown() const { return privacy != PrivacyMode::minimal; }
};

// The one-line "why" of a judgement: which lists did not admit the event, with the values
// that were compared. Quotes interface names (escaped), addresses, ports and policy lists;
// never the query name. The matching domain rule is quoted unless `show_domain_rule` is false
// (minimal privacy: a rule can be as telling as the name).
std::string evidence_reason(const ClassifiedEvent& e,
                            const Judgement& j,
                            const Policy& policy,
                            bool show_domain_rule);

// The query name as the privacy mode allows it, for the human view: the name (full),
// "example.com#3fa9c1d2" (redacted: registrable domain and the start of the keyed hash), or
// "(name hidden)" (minimal). Escaped for a terminal.
std::string shown_qname(std::string_view qname, const EventFormat& format);

} // namespace wtfn::dnsleak
