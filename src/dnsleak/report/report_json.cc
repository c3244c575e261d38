#include "dnsleak/report/report_json.h"

#include <fmt/format.h>

#include "util/escape.h"
#include "util/time_format.h"

namespace wtfn::dnsleak {
namespace {

void append_kv_string(std::string& out, const char* key, std::string_view value)
{
    fmt::format_to(std::back_inserter(out), "\"{}\":", key);
    util::append_json_string(out, value);
}

template <std::size_t N, typename Name>
void append_counts(std::string& out, const std::array<std::uint64_t, N>& counts, Name&& name)
{
    out.push_back('{');
    for (std::size_t i = 0; i < N; ++i) {
        fmt::format_to(
            std::back_inserter(out), "{}\"{}\":{}", i == 0 ? "" : ",", name(i), counts[i]);
    }
    out.push_back('}');
}

} // namespace

void append_counters_json(std::string& out, const CaptureCounters& c)
{
    fmt::format_to(std::back_inserter(out),
                   "\"counters\":{{\"packets_read\":{},\"packets_decoded\":{},"
                   "\"packets_not_ip\":{},\"packets_other_l4\":{},\"packets_other_port\":{},"
                   "\"loopback_duplicates\":{},\"dns_messages\":{},\"encrypted_flows\":{},"
                   "\"kernel_dropped\":{},\"interface_dropped\":{},",
                   c.packets_read,
                   c.packets_decoded,
                   c.packets_not_ip,
                   c.packets_other_l4,
                   c.packets_other_port,
                   c.loopback_duplicates,
                   c.dns_messages,
                   c.encrypted_flows,
                   c.kernel_dropped,
                   c.interface_dropped);
    fmt::format_to(std::back_inserter(out),
                   "\"flows\":{{\"created\":{},\"closed\":{},\"timed_out\":{},\"evicted_cap\":{},"
                   "\"emergency_entered\":{}}},",
                   c.flows.created,
                   c.flows.closed,
                   c.flows.timed_out,
                   c.flows.evicted_cap,
                   c.flows.emergency_entered);
    fmt::format_to(
        std::back_inserter(out), "\"malformed_total\":{},\"malformed\":", c.malformed.total());
    append_counts(out, c.malformed.counts, [](std::size_t i) {
        return util::to_string(static_cast<util::Malformed>(i));
    });
    out.push_back('}');
}

void append_report_head(std::string& out, const ReportMeta& meta)
{
    fmt::format_to(std::back_inserter(out),
                   "\"schema_version\":{},\"tool\":{{\"name\":\"wtfn\",\"version\":\"{}\"}},",
                   SCHEMA_VERSION,
                   WTFN_VERSION);
    append_kv_string(out, "command", meta.command);
    out += ",\"policy\":{";
    append_kv_string(out, "name", meta.policy_name);
    out += ",";
    append_kv_string(out, "source", meta.policy_source);
    out += "},";
    append_kv_string(out, "privacy", meta.privacy);
    out += ",";
    append_kv_string(out, "started_at", util::format_iso8601_utc(meta.started_ns));
}

void append_summary_json(std::string& out, const Summary& s)
{
    fmt::format_to(std::back_inserter(out),
                   "\"summary\":{{\"dns_messages\":{},\"queries\":{},\"responses\":{},"
                   "\"malformed_messages\":{},\"encrypted_flows\":{},\"by_transport\":",
                   s.dns_messages,
                   s.queries,
                   s.responses,
                   s.malformed_messages,
                   s.encrypted_flows);
    append_counts(
        out, s.by_transport, [](std::size_t i) { return to_string(static_cast<Transport>(i)); });
    out += ",\"verdicts\":";
    append_counts(
        out, s.by_verdict, [](std::size_t i) { return to_string(static_cast<Verdict>(i)); });
    fmt::format_to(std::back_inserter(out), ",\"leaks\":{{\"total\":{},\"by_type\":", s.leaks);
    append_counts(out, s.leaks_by_type, [](std::size_t i) {
        return to_string(static_cast<LeakType>(i + 1));
    });
    out += ",\"by_severity\":";
    append_counts(out, s.leaks_by_severity, [](std::size_t i) {
        return to_string(static_cast<Severity>(i));
    });
    out += "},\"top_destinations\":[";
    for (std::size_t i = 0; i < s.top_destinations.size(); ++i) {
        const auto& d = s.top_destinations[i];
        fmt::format_to(std::back_inserter(out),
                       "{}{{\"ip\":\"{}\",\"port\":{},\"transport\":\"{}\",\"count\":{},"
                       "\"leaks\":{}}}",
                       i == 0 ? "" : ",",
                       d.ip.to_string(),
                       d.port,
                       to_string(d.transport),
                       d.count,
                       d.leaks);
    }
    fmt::format_to(std::back_inserter(out),
                   "],\"destinations_untracked\":{},\"top_processes\":[",
                   s.destinations_untracked);
    for (std::size_t i = 0; i < s.top_processes.size(); ++i) {
        out += i == 0 ? "{\"name\":" : ",{\"name\":";
        util::append_json_string(out, s.top_processes[i].name);
        fmt::format_to(std::back_inserter(out), ",\"leaks\":{}}}", s.top_processes[i].leaks);
    }
    fmt::format_to(std::back_inserter(out),
                   "],\"leaks_process_unknown\":{},\"attribution\":{{\"high\":{},\"medium\":{},"
                   "\"low\":{},\"none\":{},\"via_stub\":{}}},\"timeline\":[",
                   s.leaks_process_unknown,
                   s.attributed[3],
                   s.attributed[2],
                   s.attributed[1],
                   s.attributed[0],
                   s.via_stub);
    for (std::size_t i = 0; i < s.timeline.size(); ++i) {
        const auto& b = s.timeline[i];
        fmt::format_to(std::back_inserter(out),
                       "{}{{\"minute\":\"{}\",\"start_ns\":{},\"judged\":{},\"leaks\":{}}}",
                       i == 0 ? "" : ",",
                       util::format_iso8601_utc(b.start_ns),
                       b.start_ns,
                       b.judged,
                       b.leaks);
    }
    fmt::format_to(
        std::back_inserter(out), "],\"timeline_untracked\":{},\"bursts\":[", s.timeline_untracked);
    for (std::size_t i = 0; i < s.bursts.size(); ++i) {
        const auto& b = s.bursts[i];
        fmt::format_to(std::back_inserter(out),
                       "{}{{\"start\":\"{}\",\"start_ns\":{},\"end_ns\":{},\"leaks\":{}}}",
                       i == 0 ? "" : ",",
                       util::format_iso8601_utc(b.start_ns),
                       b.start_ns,
                       b.end_ns,
                       b.leaks);
    }
    out += "]";
    if (s.first_event_ns != 0) {
        fmt::format_to(std::back_inserter(out),
                       ",\"first_event_at\":\"{}\",\"first_event_ns\":{},"
                       "\"last_event_at\":\"{}\",\"last_event_ns\":{}",
                       util::format_iso8601_utc(s.first_event_ns),
                       s.first_event_ns,
                       util::format_iso8601_utc(s.last_event_ns),
                       s.last_event_ns);
    }
    out += "}";
}

void append_report_tail(std::string& out,
                        const ReportMeta& meta,
                        const Summary& s,
                        const CaptureCounters& c)
{
    // The source is written last: a pcapng file names its link types as it is read.
    out += "\"source\":{";
    append_kv_string(out, "kind", meta.source_kind);
    out.push_back(',');
    append_kv_string(out, "name", meta.source_name);
    out += ",\"link_types\":[";
    for (std::size_t i = 0; i < meta.link_types.size(); ++i) {
        if (i != 0) {
            out.push_back(',');
        }
        util::append_json_string(out, meta.link_types[i]);
    }
    out += "]},\"interfaces\":[";
    for (std::size_t i = 0; i < meta.interfaces.size(); ++i) {
        const ReportInterface& f = meta.interfaces[i];
        out += i == 0 ? "{\"name\":" : ",{\"name\":";
        if (f.name.empty()) {
            out += "null";
        } else {
            util::append_json_string(out, f.name);
        }
        if (f.ifindex != 0) {
            fmt::format_to(std::back_inserter(out), ",\"ifindex\":{},", f.ifindex);
        } else {
            out += ",\"ifindex\":null,";
        }
        append_kv_string(out, "route_class", f.route_class);
        out.push_back(',');
        append_kv_string(out, "route_class_basis", f.basis);
        out.push_back(',');
        append_kv_string(out, "route_class_reason", f.reason);
        out.push_back('}');
    }
    out += "],";
    append_kv_string(out, "ended_at", util::format_iso8601_utc(meta.ended_ns));
    fmt::format_to(std::back_inserter(out),
                   ",\"duration_ms\":{},\"partial\":{},",
                   meta.elapsed_ns / 1'000'000,
                   meta.partial ? "true" : "false");
    append_kv_string(out, "stop_reason", meta.stop_reason);
    out += ",\"error\":";
    if (meta.error.empty()) {
        out += "null";
    } else {
        util::append_json_string(out, meta.error);
    }
    // How senders were found in this run (docs/attribution.md).
    out += ",\"attribution\":{";
    append_kv_string(out, "method", meta.attribution.method);
    out += ",\"note\":";
    if (meta.attribution.note.empty()) {
        out += "null";
    } else {
        util::append_json_string(out, meta.attribution.note);
    }
    fmt::format_to(std::back_inserter(out),
                   ",\"kernel_owned\":{},\"forwarded\":{},\"timed_out\":{},\"events_lost\":{}}}",
                   meta.attribution.kernel_owned,
                   meta.attribution.forwarded,
                   meta.attribution.timed_out,
                   meta.attribution.events_lost);
    out += ",\n";
    append_summary_json(out, s);
    out += ",\n";
    append_counters_json(out, c);
}

} // namespace wtfn::dnsleak
