// JsonReportWriter: the `--json` / `--out` report (docs/json-schema.md). Events are streamed
// into the document as they happen, so a long watch does not hold them in memory; the
// summary and counters close the document when the watch ends.
#pragma once

#include <string>

#include "dnsleak/report/counters.h"
#include "dnsleak/report/event_format.h"
#include "dnsleak/report/events.h"
#include "dnsleak/report/output_stream.h"
#include "dnsleak/report/report_meta.h"
#include "dnsleak/report/summary.h"

namespace wtfn::dnsleak {

class JsonReportWriter final : public EventSink {
public:
    JsonReportWriter(OutputStream& out, bool include_events, EventFormat format);

    void begin(const ReportMeta& meta);
    void on_event(const ClassifiedEvent& event) override;
    // Writes the closing part; returns false if the output failed.
    bool finish(const ReportMeta& meta, const Summary& summary, const CaptureCounters& counters);

private:
    void flush_if_large();

    OutputStream& out_;
    bool include_events_;
    EventFormat format_;
    bool first_event_ = true;
    std::string buf_;
};

} // namespace wtfn::dnsleak
