// The parts of a JSON report (docs/json-schema.md) that the `--json`/`--out` document and the
// NDJSON stream share: the head (schema version, tool, command, policy, privacy, start), and
// the tail (source, interfaces, end, summary, counters). Each appends members of an object
// without its braces.
#pragma once

#include <string>

#include "dnsleak/report/counters.h"
#include "dnsleak/report/report_meta.h"
#include "dnsleak/report/summary.h"

namespace wtfn::dnsleak {

void append_report_head(std::string& out, const ReportMeta& meta);

void append_report_tail(std::string& out,
                        const ReportMeta& meta,
                        const Summary& summary,
                        const CaptureCounters& counters);

// "summary":{...} alone, for `wtfn dns leak report --json`.
void append_summary_json(std::string& out, const Summary& s);

// "counters":{...} alone, for `wtfn dns leak report --json`.
void append_counters_json(std::string& out, const CaptureCounters& c);

} // namespace wtfn::dnsleak
