#include "dnsleak/rules/judgement.h"

namespace wtfn::dnsleak {

std::string_view to_string(Verdict v)
{
    switch (v) {
        case Verdict::clean:
            return "clean";
        case Verdict::leak:
            return "leak";
        case Verdict::not_judged:
            break;
    }
    return "not_judged";
}

std::string_view to_string(LeakType t)
{
    switch (t) {
        case LeakType::a:
            return "A";
        case LeakType::b:
            return "B";
        case LeakType::c:
            return "C";
        case LeakType::d:
            return "D";
        case LeakType::none:
            break;
    }
    return "";
}

std::string_view to_string(Severity s)
{
    switch (s) {
        case Severity::p0:
            return "P0";
        case Severity::p1:
            return "P1";
        case Severity::p2:
            return "P2";
        case Severity::p3:
            break;
    }
    return "P3";
}

std::string_view constraint_name(Constraint c)
{
    switch (c) {
        case constraint_interface:
            return "interface";
        case constraint_route_class:
            return "route_class";
        case constraint_destination:
            return "destination";
        case constraint_port:
            return "port";
        case constraint_process:
            return "process";
    }
    return "unknown";
}

std::string_view to_string(NameMatch m)
{
    switch (m) {
        case NameMatch::proxy_required:
            return "proxy_required";
        case NameMatch::direct:
            return "direct";
        case NameMatch::unlisted:
            return "unlisted";
        case NameMatch::no_name:
            break;
    }
    return "no_name";
}

std::optional<Verdict> parse_verdict(std::string_view text)
{
    for (const Verdict v : {Verdict::not_judged, Verdict::clean, Verdict::leak}) {
        if (to_string(v) == text) {
            return v;
        }
    }
    return std::nullopt;
}

std::optional<LeakType> parse_leak_type(std::string_view text)
{
    for (const LeakType t : {LeakType::a, LeakType::b, LeakType::c, LeakType::d}) {
        if (to_string(t) == text) {
            return t;
        }
    }
    return std::nullopt;
}

std::optional<Severity> parse_severity(std::string_view text)
{
    for (const Severity s : {Severity::p0, Severity::p1, Severity::p2, Severity::p3}) {
        if (to_string(s) == text) {
            return s;
        }
    }
    return std::nullopt;
}

} // namespace wtfn::dnsleak
