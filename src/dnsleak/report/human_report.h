// HumanReport: the default terminal output. One line per DNS message or encrypted flow as
// it happens (unless --summary-only), then the summary. Every byte that came off the wire is
// escaped (RELIABILITY.md row 17, M7).
#pragma once

#include <string>

#include "dnsleak/report/counters.h"
#include "dnsleak/report/events.h"
#include "dnsleak/report/output_stream.h"
#include "dnsleak/report/progress.h"
#include "dnsleak/report/report_meta.h"
#include "dnsleak/report/summary.h"

namespace wtfn::dnsleak {

class HumanReport final : public EventSink {
public:
    HumanReport(OutputStream& out, Progress& progress, bool show_events);

    void begin(const ReportMeta& meta);
    void on_event(const ClassifiedEvent& event) override;
    bool finish(const ReportMeta& meta, const Summary& summary, const CaptureCounters& counters);

private:
    OutputStream& out_;
    Progress& progress_;
    bool show_events_;
    bool header_printed_ = false;
    std::string line_;
};

} // namespace wtfn::dnsleak
