// EventStreamWriter: the NDJSON event stream (`--events FILE` or `-`; docs/json-schema.md,
// "NDJSON stream") for `--follow` and log shippers. One JSON object per line, each written
// with one write() as it happens:
//   {"record":"start", ...the report's head...}
//   {"record":"event", ...one event, as in the report's events list...}
//   {"record":"end", ...the report's tail: source, interfaces, summary, counters...}
// A stream cut short (kill -9, a full disk) still holds every whole line before the cut;
// `wtfn dns leak report` reads it and warns about the missing end.
#pragma once

#include <string>

#include "dnsleak/report/counters.h"
#include "dnsleak/report/event_format.h"
#include "dnsleak/report/events.h"
#include "dnsleak/report/output_stream.h"
#include "dnsleak/report/report_meta.h"
#include "dnsleak/report/summary.h"

namespace wtfn::dnsleak {

class EventStreamWriter final : public EventSink {
public:
    EventStreamWriter(OutputStream& out, EventFormat format) : out_(out), format_(format) {}

    void begin(const ReportMeta& meta);
    void on_event(const ClassifiedEvent& event) override;
    bool finish(const ReportMeta& meta, const Summary& summary, const CaptureCounters& counters);

private:
    OutputStream& out_;
    EventFormat format_;
    std::string line_;
    std::string event_;
};

// Opens the file an event stream is appended to: created 0600 (whatever the umask) when
// new, appended to when it exists, never through a symlink, never a directory or device.
// Appending, not replacing, is what a stream tailed by a log shipper needs; each line is one
// write(), so lines from two runs never interleave. Returns -1 with a one-line `error`.
int open_event_stream_file(const std::string& path, std::string& error);

} // namespace wtfn::dnsleak
