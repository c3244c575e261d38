// ReportReader: reads what `wtfn dns leak watch` wrote, for `wtfn dns leak report`
// (docs/report.md): JSON reports (`--out FILE`, `--json`) and NDJSON event streams
// (`--events FILE`), from files, standard input or memory, and merges them.
//
// The summary is rebuilt from the events with SummaryBuilder::add(), so a single report reads
// back to exactly the summary its watch computed; a report written with --summary-only has no
// events and adds its summary as a whole (SummaryBuilder::merge). 443 flows are counted in a
// watch's summary but never written as events: their counts (and the first and last event
// times) are taken from each input's own summary.
//
// The bytes are untrusted (RELIABILITY.md row 15): at most 256 MiB per input, NDJSON read
// line by line with at most 1 MiB a line, every JSON value parsed by a SAX handler that
// refuses nesting deeper than 64 before anything is built and never holds more than
// REPORT_MAX_VALUES values at once (one event at a time for a report's event list); no JSON
// value read is ever copied or dumped. Every error and warning is one printable line that
// names the input and the line (NDJSON), the byte offset or the event index, and the key.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dnsleak/report/counters.h"
#include "dnsleak/report/report_meta.h"
#include "dnsleak/report/summary.h"

namespace wtfn::dnsleak {

inline constexpr std::uint64_t REPORT_MAX_BYTES = 256ULL * 1024 * 1024; // per input
inline constexpr std::size_t REPORT_MAX_LINE = 1024 * 1024;             // per NDJSON line
inline constexpr int REPORT_MAX_DEPTH = 64;                             // JSON nesting
// JSON values held at once: the members of a report outside its events, or one event. A
// real report holds about 50,000 (a week-long timeline); an event about 100.
inline constexpr std::size_t REPORT_MAX_VALUES = 1'000'000;

enum class InputFormat : std::uint8_t { report, ndjson };

std::string_view to_string(InputFormat f); // "report", "ndjson"

// What was read from one input.
struct InputInfo {
    std::string path; // as given: a path, "-" for standard input, or the name of a buffer
    InputFormat format = InputFormat::report;
    std::uint64_t events = 0; // event objects read (0 for a --summary-only report)
    bool complete = true;     // false: a stream cut short, or without its "end" record
    std::string warning;      // one line, without "wtfn: warning: "; empty when none
};

// The inputs merged: what `report` prints.
struct MergedReport {
    std::vector<InputInfo> inputs;
    // For format_summary(): command "dns leak report", source kind "report", source name the
    // inputs joined by ", ", stop reason of the single run (or "merged", or "incomplete"),
    // run times added up, policy and privacy ("mixed" when the inputs disagree), the union
    // of the interfaces, partial when any input was partial or incomplete. The privacy mode,
    // the stop reason and route classes, which format_summary() prints as they are, hold
    // printable ASCII only (anything else is escaped as \xNN).
    ReportMeta meta;
    Summary summary;
    std::optional<CaptureCounters> counters; // only when every run carried its counters
};

class ReportReader {
public:
    ReportReader();
    ~ReportReader();
    ReportReader(const ReportReader&) = delete;
    ReportReader& operator=(const ReportReader&) = delete;

    // Each add_* reads one whole input and adds it. False with a one-line `error` (without
    // "wtfn: error: ", starting with the input's name); the reader must not be used after
    // that. A warning (a stream cut short) is not an error: it is in inputs().back().

    // A file path, or "-" for standard input.
    bool add_file(const std::string& path, std::string& error);
    // An open descriptor (a pipe, a file), read to its end; `name` is used in messages.
    bool add_fd(int fd, const std::string& name, std::string& error);
    // Bytes in memory (tests, the fuzz target); read in place, never copied.
    bool add_bytes(std::string_view bytes, const std::string& name, std::string& error);

    const std::vector<InputInfo>& inputs() const;

    MergedReport result() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

// The `report --json` document: {"schema_version":1,"tool":{...},"command":"dns leak
// report","inputs":[...],"policy":{"name":...},"privacy":...,"summary":{...},
// "counters":{...}|null}, ending in a newline. It reads back as a summary-only input.
std::string merged_report_json(const MergedReport& r);

} // namespace wtfn::dnsleak
