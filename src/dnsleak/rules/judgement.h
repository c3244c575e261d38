// Judgement: what the leak rules decided about one DNS message or encrypted flow
// (DESIGN.md section 6, docs/leak-rules.md). Every DNS-like event gets one: a leak with
// its type, severity and the constraints it violated; clean, with the rule that admitted
// it; or not judged, with why (a response, an inbound query, local-link traffic, a second
// sighting of a message already judged).
//
// The struct is plain data with no owned strings, so the pipeline fills one per event
// without allocating; rule ids are string literals and the matched domain rule points into
// the policy, which outlives every event.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace wtfn::dnsleak {

struct DomainPattern; // dnsleak/policy/policy.h

enum class Verdict : std::uint8_t { not_judged, clean, leak };

// A, B and C are judged per message or flow; D (mismatch) is a later rule that correlates
// a DNS answer with a connection, and has its slot here so reports keep their shape.
enum class LeakType : std::uint8_t { none, a, b, c, d };

enum class Severity : std::uint8_t { p0, p1, p2, p3 };

inline constexpr std::size_t LEAK_TYPE_COUNT = 4; // A..D
inline constexpr std::size_t SEVERITY_COUNT = 4;  // P0..P3

// The safe-path constraints, as bits: which lists of the policy did not admit the event.
enum Constraint : std::uint8_t {
    constraint_interface = 1U << 0,
    constraint_route_class = 1U << 1,
    constraint_destination = 1U << 2,
    constraint_port = 1U << 3,
    constraint_process = 1U << 4,
};

// What the domain lists said about the query name.
enum class NameMatch : std::uint8_t {
    no_name,        // no question (or an encrypted flow): the lists cannot apply
    proxy_required, // on the proxy_required list
    direct,         // on the direct list
    unlisted,       // on neither list
};

struct Judgement {
    Verdict verdict = Verdict::not_judged;
    LeakType leak_type = LeakType::none;
    Severity severity = Severity::p3;
    std::string_view rule_id;   // stable id, docs/leak-rules.md
    std::uint8_t violated = 0;  // Constraint bits
    std::uint8_t unchecked = 0; // Constraint bits that could not be checked (process unknown)
    NameMatch name_match = NameMatch::no_name;
    const DomainPattern* domain_rule = nullptr; // the matching pattern, in the policy; or none
};

std::string_view to_string(Verdict v);
std::string_view to_string(LeakType t); // "A".."D", "" for none
std::string_view to_string(Severity s); // "P0".."P3"
std::string_view constraint_name(Constraint c);
std::string_view to_string(NameMatch m);

std::optional<Verdict> parse_verdict(std::string_view text);
std::optional<LeakType> parse_leak_type(std::string_view text);
std::optional<Severity> parse_severity(std::string_view text);

// Index into per-type and per-severity count arrays.
constexpr std::size_t index_of(LeakType t)
{
    return static_cast<std::size_t>(t) - 1;
}

constexpr std::size_t index_of(Severity s)
{
    return static_cast<std::size_t>(s);
}

} // namespace wtfn::dnsleak
