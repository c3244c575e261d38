// HumanReport: the default terminal output. One line per judged DNS message or encrypted
// flow as it happens, with its verdict (a leak in red on a terminal, followed by why), unless
// --summary-only; then the summary: findings, destinations, processes, bursts, counters. Every byte
// that came off the wire is escaped (RELIABILITY.md row 17, M7).
#pragma once

#include <string>

#include "dnsleak/report/counters.h"
#include "dnsleak/report/event_format.h"
#include "dnsleak/report/events.h"
#include "dnsleak/report/output_stream.h"
#include "dnsleak/report/progress.h"
#include "dnsleak/report/report_meta.h"
#include "dnsleak/report/summary.h"

namespace wtfn::dnsleak {

class HumanReport final : public EventSink {
public:
    struct Options {
        bool show_events = true; // false with --summary-only
        bool colour = false;     // a terminal, and NO_COLOR unset
        int verbosity = 0;       // -v also shows the messages that were not judged
    };

    HumanReport(OutputStream& out, Progress& progress, Options options, EventFormat format);

    void begin(const ReportMeta& meta);
    void on_event(const ClassifiedEvent& event) override;
    bool finish(const ReportMeta& meta, const Summary& summary, const CaptureCounters& counters);

private:
    OutputStream& out_;
    Progress& progress_;
    Options options_;
    EventFormat format_;
    bool header_printed_ = false;
    std::string line_;
};

// The summary as text: shared by `watch` and `wtfn dns leak report` (which has no capture
// counters when it merges several runs: `counters` may be null).
std::string format_summary(const ReportMeta& meta,
                           const Summary& summary,
                           const CaptureCounters* counters,
                           bool colour);

} // namespace wtfn::dnsleak
