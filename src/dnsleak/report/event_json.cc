#include "dnsleak/report/event_json.h"

#include <fmt/format.h>

#include "dnsleak/privacy/cmdline.h"
#include "dnsleak/privacy/public_suffix.h"
#include "util/escape.h"
#include "util/time_format.h"

namespace wtfn::dnsleak {
namespace {

void append_bool(std::string& out, const char* key, bool v, bool comma = true)
{
    fmt::format_to(
        std::back_inserter(out), "\"{}\":{}{}", key, v ? "true" : "false", comma ? "," : "");
}

void append_record(std::string& out, const proto::DnsRecord& rec, bool names)
{
    std::array<char, 12> scratch{};
    out += "{\"name\":";
    if (names) {
        util::append_json_string(out, rec.name.view());
    } else {
        out += "null";
    }
    out += ",\"type\":";
    util::append_json_string(out, proto::qtype_name(rec.type, scratch));
    fmt::format_to(std::back_inserter(out), ",\"ttl\":{},\"data\":[", rec.ttl);
    bool first = true;
    if (rec.has_target && names) {
        util::append_json_string(out, rec.target.view());
        first = false;
    }
    for (std::size_t i = 0; i < rec.addr_count; ++i) {
        if (!first) {
            out.push_back(',');
        }
        first = false;
        util::append_json_string(out, rec.addrs[i].to_string());
    }
    out += "]}";
}

// One event line stays under 16 KiB (RELIABILITY.md R6) whatever the packet holds: names
// of control bytes grow sixfold when escaped, so answers stop once the line passes this
// and the rest are counted in answers_omitted.
constexpr std::size_t ANSWERS_BYTE_BUDGET = 12 * 1024;

void append_nullable(std::string& out, std::string_view s)
{
    if (s.empty()) {
        out += "null";
    } else {
        util::append_json_string(out, s);
    }
}

// The question name as the privacy mode allows: full keeps it; redacted keeps the
// registrable domain and a keyed hash of the whole name; minimal keeps neither.
void append_qname(std::string& out, std::string_view qname, const EventFormat& f)
{
    out += "\"qname\":";
    if (f.names_shown()) {
        util::append_json_string(out, qname);
    } else {
        out += "null";
    }
    out += ",\"qname_registrable\":";
    append_nullable(out, f.domains_shown() ? registrable_domain(qname) : std::string());
    out += ",\"qname_hash\":";
    append_nullable(
        out, f.domains_shown() && f.hasher != nullptr ? f.hasher->hash(qname) : std::string());
}

void append_dns(std::string& out,
                const proto::DnsMessage& m,
                std::size_t line_start,
                const EventFormat& f)
{
    std::array<char, 12> scratch{};
    fmt::format_to(std::back_inserter(out),
                   "{{\"id\":{},\"qr\":\"{}\",\"opcode\":{},\"rcode\":",
                   m.id,
                   m.is_response() ? "response" : "query",
                   m.opcode());
    util::append_json_string(out, proto::rcode_name(m.rcode(), scratch));
    out += ",\"flags\":{";
    append_bool(out, "aa", m.flag_aa());
    append_bool(out, "tc", m.flag_tc());
    append_bool(out, "rd", m.flag_rd());
    append_bool(out, "ra", m.flag_ra());
    append_bool(out, "ad", m.flag_ad());
    append_bool(out, "cd", m.flag_cd(), false);
    fmt::format_to(std::back_inserter(out),
                   "}},\"counts\":{{\"qd\":{},\"an\":{},\"ns\":{},\"ar\":{}}},",
                   m.qdcount,
                   m.ancount,
                   m.nscount,
                   m.arcount);
    if (m.has_question) {
        append_qname(out, m.qname.view(), f);
        out += ",\"qtype\":";
        util::append_json_string(out, proto::qtype_name(m.qtype, scratch));
        fmt::format_to(std::back_inserter(out), ",\"qclass\":{}", m.qclass);
    } else {
        out += "\"qname\":null,\"qname_registrable\":null,\"qname_hash\":null,\"qtype\":null,"
               "\"qclass\":null";
    }
    out += ",\"answers\":[";
    std::size_t written = 0;
    for (; written < m.answer_count && out.size() - line_start < ANSWERS_BYTE_BUDGET; ++written) {
        if (written != 0) {
            out.push_back(',');
        }
        append_record(out, m.answers[written], f.names_shown());
    }
    fmt::format_to(std::back_inserter(out),
                   "],\"answers_omitted\":{},\"edns\":",
                   m.answers_omitted + (m.answer_count - written));
    if (m.has_edns) {
        fmt::format_to(std::back_inserter(out),
                       "{{\"udp_size\":{},\"version\":{},\"do\":{},\"options\":{}}}",
                       m.edns_udp_size,
                       m.edns_version,
                       m.edns_do ? "true" : "false",
                       m.edns_option_count);
    } else {
        out += "null";
    }
    out.push_back('}');
}

} // namespace

std::string_view direction_name(net::Direction d)
{
    switch (d) {
        case net::Direction::inbound:
            return "in";
        case net::Direction::outbound:
            return "out";
        case net::Direction::unknown:
            break;
    }
    return "unknown";
}

namespace {

void append_judgement(std::string& out, const ClassifiedEvent& e, const EventFormat& f)
{
    const Judgement* j = e.judgement;
    if (j == nullptr || f.policy == nullptr) {
        out += ",\"verdict\":null,\"leak_type\":null,\"severity\":null,\"rule_id\":null,"
               "\"evidence\":null";
        return;
    }
    fmt::format_to(
        std::back_inserter(out), ",\"verdict\":\"{}\",\"leak_type\":", to_string(j->verdict));
    if (j->leak_type == LeakType::none) {
        out += "null,\"severity\":null";
    } else {
        fmt::format_to(std::back_inserter(out),
                       "\"{}\",\"severity\":\"{}\"",
                       to_string(j->leak_type),
                       to_string(j->severity));
    }
    out += ",\"rule_id\":";
    append_nullable(out, j->rule_id);
    out += ",\"evidence\":{\"policy\":";
    util::append_json_string(out, f.policy->name);
    out += ",\"violated\":[";
    bool first = true;
    for (const Constraint c : {constraint_interface,
                               constraint_route_class,
                               constraint_destination,
                               constraint_port,
                               constraint_process}) {
        if ((j->violated & c) != 0) {
            out += first ? "\"" : ",\"";
            out += constraint_name(c);
            out += "\"";
            first = false;
        }
    }
    out += "],\"unchecked\":[";
    out += (j->unchecked & constraint_process) != 0 ? "\"process\"" : "";
    fmt::format_to(std::back_inserter(out),
                   "],\"name_match\":\"{}\",\"domain_rule\":",
                   to_string(j->name_match));
    // The pattern as the policy spells it ("*.x" for a below-only rule).
    append_nullable(out,
                    j->domain_rule != nullptr && f.domains_shown() ? j->domain_rule->to_string()
                                                                   : std::string());
    out += ",\"reason\":";
    util::append_json_string(out, evidence_reason(e, *j, *f.policy, f.domains_shown()));
    out += "}";
}

void append_ancestor_list(std::string& out, const std::vector<platform::Ancestor>& chain)
{
    out += '[';
    for (std::size_t i = 0; i < chain.size(); ++i) {
        fmt::format_to(
            std::back_inserter(out), "{}{{\"pid\":{},\"name\":", i ? "," : "", chain[i].pid);
        util::append_json_string(out, chain[i].name);
        out += '}';
    }
    out += ']';
}

// The sender (docs/attribution.md). The command line follows the privacy mode: whole in
// full, the program and its options (no values that could be names, at most 48 bytes) in
// redacted, left out in minimal.
void append_process(std::string& out, const ClassifiedEvent& e, const EventFormat& f)
{
    const platform::FlowOwner* o = e.owner;
    if (o == nullptr || o->kind != platform::OwnerKind::process) {
        out += ",\"process\":null";
    } else {
        const platform::ProcessInfo& p = o->process;
        fmt::format_to(std::back_inserter(out), ",\"process\":{{\"pid\":{},\"ppid\":", p.pid);
        if (p.ppid > 0) {
            fmt::format_to(std::back_inserter(out), "{}", p.ppid);
        } else {
            out += "null";
        }
        out += ",\"name\":";
        append_nullable(out, p.name);
        out += ",\"exe\":";
        append_nullable(out, p.exe);
        out += ",\"cmdline\":";
        append_nullable(out,
                        f.privacy == PrivacyMode::full       ? p.cmdline
                        : f.privacy == PrivacyMode::redacted ? redact_cmdline(p.cmdline)
                                                             : std::string());
        if (p.has_uid) {
            fmt::format_to(std::back_inserter(out), ",\"uid\":{}", p.uid);
        } else {
            out += ",\"uid\":null";
        }
        out += ",\"user\":";
        append_nullable(out, p.user);
        out += ",\"chain\":";
        append_ancestor_list(out, p.chain);
        out += ",\"cgroup\":";
        append_nullable(out, p.cgroup);
        out += ",\"container\":";
        append_nullable(out, p.container);
        out += ",\"on_behalf_of\":";
        if (o->on_behalf_pid > 0) {
            fmt::format_to(std::back_inserter(out), "{{\"pid\":{},\"name\":", o->on_behalf_pid);
            util::append_json_string(out, o->on_behalf_name);
            out += '}';
        } else {
            out += "null";
        }
        out += '}';
    }
    if (o == nullptr) {
        out += ",\"attribution\":{\"confidence\":\"none\",\"source\":\"none\",\"owner\":"
               "\"unknown\",\"reason\":";
        util::append_json_string(out, f.unattributed);
        out += '}';
        return;
    }
    fmt::format_to(std::back_inserter(out),
                   ",\"attribution\":{{\"confidence\":\"{}\",\"source\":\"{}\",\"owner\":\"{}\","
                   "\"reason\":",
                   platform::to_string(o->confidence),
                   platform::to_string(o->source),
                   platform::to_string(o->kind));
    append_nullable(out, o->reason);
    out += '}';
}

} // namespace

void append_event_json(std::string& out, const ClassifiedEvent& e, const EventFormat& f)
{
    const std::size_t line_start = out.size();
    out += "{\"ts\":\"";
    out += util::format_iso8601_utc(e.ts_ns);
    fmt::format_to(std::back_inserter(out), "\",\"ts_ns\":{},\"interface\":", e.ts_ns);
    if (e.interface.empty()) {
        out += "null";
    } else {
        util::append_json_string(out, e.interface);
    }
    if (e.ifindex != 0) {
        fmt::format_to(std::back_inserter(out), ",\"ifindex\":{}", e.ifindex);
    } else {
        out += ",\"ifindex\":null";
    }
    fmt::format_to(std::back_inserter(out), ",\"route_class\":\"{}\"", to_string(e.route_class));
    fmt::format_to(std::back_inserter(out),
                   ",\"direction\":\"{}\",\"proto\":\"{}\",\"transport\":\"{}\","
                   "\"confidence\":\"{}\",\"src_ip\":\"{}\",\"src_port\":{},"
                   "\"dst_ip\":\"{}\",\"dst_port\":{},\"dns\":",
                   direction_name(e.direction),
                   e.proto == net::L4::tcp ? "tcp" : "udp",
                   to_string(e.transport),
                   to_string(e.confidence),
                   e.src.to_string(),
                   e.src_port,
                   e.dst.to_string(),
                   e.dst_port);
    if (e.dns != nullptr) {
        append_dns(out, *e.dns, line_start, f);
    } else {
        out += "null";
    }
    out += ",\"malformed\":";
    if (e.malformed) {
        util::append_json_string(out, util::to_string(*e.malformed));
    } else {
        out += "null";
    }
    if (e.transport == Transport::dot || e.transport == Transport::https_tcp) {
        out.push_back(',');
        append_bool(out, "tls_client_hello", e.tls_client_hello, false);
    } else if (e.transport == Transport::doq || e.transport == Transport::https_quic) {
        fmt::format_to(std::back_inserter(out), ",\"quic_version\":{}", e.quic_version);
    }
    append_judgement(out, e, f);
    append_process(out, e, f);
    out += ",\"geoip\":null}";
}

} // namespace wtfn::dnsleak
