#include "dnsleak/report/json_report.h"

#include <fmt/format.h>

#include "dnsleak/report/event_json.h"
#include "util/escape.h"
#include "util/time_format.h"

namespace wtfn::dnsleak {
namespace {

constexpr std::size_t FLUSH_AT = 64 * 1024;

void append_kv_string(std::string& out, const char* key, std::string_view value)
{
    fmt::format_to(std::back_inserter(out), "\"{}\":", key);
    util::append_json_string(out, value);
}

} // namespace

JsonReportWriter::JsonReportWriter(OutputStream& out, bool include_events)
    : out_(out),
      include_events_(include_events)
{
    buf_.reserve(FLUSH_AT * 2);
}

void JsonReportWriter::flush_if_large()
{
    if (buf_.size() >= FLUSH_AT) {
        out_.write(buf_);
        buf_.clear();
    }
}

void JsonReportWriter::begin(const ReportMeta& meta)
{
    fmt::format_to(std::back_inserter(buf_),
                   "{{\"schema_version\":{},\"tool\":{{\"name\":\"wtfn\",\"version\":\"{}\"}},",
                   SCHEMA_VERSION,
                   WTFN_VERSION);
    append_kv_string(buf_, "command", meta.command);
    buf_ += ",";
    append_kv_string(buf_, "started_at", util::format_iso8601_utc(meta.started_ns));
    if (include_events_) {
        buf_ += ",\"events\":[";
    }
    flush_if_large();
}

void JsonReportWriter::on_event(const ClassifiedEvent& event)
{
    if (!include_events_ || !is_dns_like(event.transport)) {
        return;
    }
    if (!first_event_) {
        buf_.push_back(',');
    }
    first_event_ = false;
    buf_ += "\n";
    append_event_json(buf_, event);
    flush_if_large();
}

bool JsonReportWriter::finish(const ReportMeta& meta, const Summary& s, const CaptureCounters& c)
{
    if (include_events_) {
        buf_ += "\n]";
    }
    // The source is written last: a pcapng file names its link types as it is read.
    buf_ += ",\"source\":{";
    append_kv_string(buf_, "kind", meta.source_kind);
    buf_.push_back(',');
    append_kv_string(buf_, "name", meta.source_name);
    buf_ += ",\"link_types\":[";
    for (std::size_t i = 0; i < meta.link_types.size(); ++i) {
        if (i != 0) {
            buf_.push_back(',');
        }
        util::append_json_string(buf_, meta.link_types[i]);
    }
    buf_ += "]},\"interfaces\":[";
    for (std::size_t i = 0; i < meta.interfaces.size(); ++i) {
        const ReportInterface& f = meta.interfaces[i];
        buf_ += i == 0 ? "{\"name\":" : ",{\"name\":";
        if (f.name.empty()) {
            buf_ += "null";
        } else {
            util::append_json_string(buf_, f.name);
        }
        if (f.ifindex != 0) {
            fmt::format_to(std::back_inserter(buf_), ",\"ifindex\":{},", f.ifindex);
        } else {
            buf_ += ",\"ifindex\":null,";
        }
        append_kv_string(buf_, "route_class", f.route_class);
        buf_.push_back(',');
        append_kv_string(buf_, "route_class_basis", f.basis);
        buf_.push_back(',');
        append_kv_string(buf_, "route_class_reason", f.reason);
        buf_.push_back('}');
    }
    buf_ += "],";
    append_kv_string(buf_, "ended_at", util::format_iso8601_utc(meta.ended_ns));
    fmt::format_to(std::back_inserter(buf_),
                   ",\"duration_ms\":{},\"partial\":{},",
                   meta.elapsed_ns / 1'000'000,
                   meta.partial ? "true" : "false");
    append_kv_string(buf_, "stop_reason", meta.stop_reason);
    buf_ += ",\"error\":";
    if (meta.error.empty()) {
        buf_ += "null";
    } else {
        util::append_json_string(buf_, meta.error);
    }

    fmt::format_to(std::back_inserter(buf_),
                   ",\n\"summary\":{{\"dns_messages\":{},\"queries\":{},\"responses\":{},"
                   "\"malformed_messages\":{},\"encrypted_flows\":{},\"by_transport\":{{",
                   s.dns_messages,
                   s.queries,
                   s.responses,
                   s.malformed_messages,
                   s.encrypted_flows);
    for (std::size_t i = 0; i < s.by_transport.size(); ++i) {
        fmt::format_to(std::back_inserter(buf_),
                       "{}\"{}\":{}",
                       i == 0 ? "" : ",",
                       to_string(static_cast<Transport>(i)),
                       s.by_transport[i]);
    }
    buf_ += "},\"top_destinations\":[";
    for (std::size_t i = 0; i < s.top_destinations.size(); ++i) {
        const auto& d = s.top_destinations[i];
        fmt::format_to(std::back_inserter(buf_),
                       "{}{{\"ip\":\"{}\",\"port\":{},\"transport\":\"{}\",\"count\":{}}}",
                       i == 0 ? "" : ",",
                       d.ip.to_string(),
                       d.port,
                       to_string(d.transport),
                       d.count);
    }
    fmt::format_to(
        std::back_inserter(buf_), "],\"destinations_untracked\":{}", s.destinations_untracked);
    if (s.first_event_ns != 0) {
        buf_ += ",";
        append_kv_string(buf_, "first_event_at", util::format_iso8601_utc(s.first_event_ns));
        buf_ += ",";
        append_kv_string(buf_, "last_event_at", util::format_iso8601_utc(s.last_event_ns));
    }
    buf_ += "},\n";

    fmt::format_to(std::back_inserter(buf_),
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
    fmt::format_to(std::back_inserter(buf_),
                   "\"flows\":{{\"created\":{},\"closed\":{},\"timed_out\":{},\"evicted_cap\":{},"
                   "\"emergency_entered\":{}}},",
                   c.flows.created,
                   c.flows.closed,
                   c.flows.timed_out,
                   c.flows.evicted_cap,
                   c.flows.emergency_entered);
    fmt::format_to(
        std::back_inserter(buf_), "\"malformed_total\":{},\"malformed\":{{", c.malformed.total());
    for (std::size_t i = 0; i < util::MALFORMED_CLASS_COUNT; ++i) {
        fmt::format_to(std::back_inserter(buf_),
                       "{}\"{}\":{}",
                       i == 0 ? "" : ",",
                       util::to_string(static_cast<util::Malformed>(i)),
                       c.malformed.counts[i]);
    }
    buf_ += "}}}\n";
    out_.write(buf_);
    buf_.clear();
    return !out_.failed();
}

} // namespace wtfn::dnsleak
