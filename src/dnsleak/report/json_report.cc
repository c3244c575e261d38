#include "dnsleak/report/json_report.h"

#include "dnsleak/report/event_json.h"
#include "dnsleak/report/report_json.h"

namespace wtfn::dnsleak {
namespace {

constexpr std::size_t FLUSH_AT = 64 * 1024;

} // namespace

JsonReportWriter::JsonReportWriter(OutputStream& out, bool include_events, EventFormat format)
    : out_(out),
      include_events_(include_events),
      format_(format)
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
    buf_ += "{";
    append_report_head(buf_, meta);
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
    append_event_json(buf_, event, format_);
    flush_if_large();
}

bool JsonReportWriter::finish(const ReportMeta& meta, const Summary& s, const CaptureCounters& c)
{
    buf_ += include_events_ ? "\n]," : ",";
    append_report_tail(buf_, meta, s, c);
    buf_ += "}\n";
    out_.write(buf_);
    buf_.clear();
    return !out_.failed();
}

} // namespace wtfn::dnsleak
