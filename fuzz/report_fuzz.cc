// fuzz_report: the report reader (src/dnsleak/report/report_reader.h) on one input's bytes: a
// JSON report or an NDJSON event stream, which `wtfn dns leak report` takes from anyone's
// machine. Whatever the bytes, the reader ends in one printable error line naming the input,
// or in a summary; it never crashes, recurses into a deep value or holds more than its
// limits. A summary it reads must print (format_summary) as printable text, and write
// (merged_report_json) as a document that it reads back, with the same counts and names.
// The seeds (fuzz/corpus/fuzz_report/) are a real report, a --summary-only report, an event
// stream and a stream cut short, written by `wtfn dns leak watch` from the pcap fixtures.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dnsleak/report/human_report.h"
#include "dnsleak/report/report_reader.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace wtfn::dnsleak;
    const wtfn::fuzz::ExactCopy input(data, size);
    const std::string_view bytes(reinterpret_cast<const char*>(input.data()), input.size());
    ReportReader reader;
    std::string error;
    if (!reader.add_bytes(bytes, "fuzz.json", error)) {
        WTFN_FUZZ_CHECK(wtfn::fuzz::one_printable_line(error));
        WTFN_FUZZ_CHECK(error.rfind("fuzz.json: ", 0) == 0);
        return 0;
    }
    WTFN_FUZZ_CHECK(error.empty());
    WTFN_FUZZ_CHECK(reader.inputs().size() == 1);
    const InputInfo& info = reader.inputs().front();
    if (!info.warning.empty()) {
        WTFN_FUZZ_CHECK(wtfn::fuzz::one_printable_line(info.warning));
        WTFN_FUZZ_CHECK(!info.complete);
    }
    const MergedReport r = reader.result();
    const std::string text =
        format_summary(r.meta, r.summary, r.counters ? &*r.counters : nullptr, false);
    WTFN_FUZZ_CHECK(wtfn::fuzz::printable_lines(text)); // nothing from the file moves the cursor
    const std::string json = merged_report_json(r);
    WTFN_FUZZ_CHECK(wtfn::fuzz::printable_lines(json));

    // What report --json writes reads back as a summary-only input with the same counts.
    ReportReader again;
    std::string error2;
    WTFN_FUZZ_CHECK(again.add_bytes(json, "merged.json", error2));
    const MergedReport r2 = again.result();
    const Summary& a = r.summary;
    const Summary& b = r2.summary;
    WTFN_FUZZ_CHECK(a.dns_messages == b.dns_messages && a.queries == b.queries &&
                    a.responses == b.responses && a.malformed_messages == b.malformed_messages &&
                    a.encrypted_flows == b.encrypted_flows);
    WTFN_FUZZ_CHECK(a.by_transport == b.by_transport && a.by_verdict == b.by_verdict);
    WTFN_FUZZ_CHECK(a.leaks == b.leaks && a.leaks_by_type == b.leaks_by_type &&
                    a.leaks_by_severity == b.leaks_by_severity);
    WTFN_FUZZ_CHECK(a.top_destinations.size() == b.top_destinations.size());
    WTFN_FUZZ_CHECK(a.top_processes.size() == b.top_processes.size());
    for (std::size_t i = 0; i < a.top_processes.size(); ++i) {
        // Names are written as \u00NN per byte and read back byte for byte.
        WTFN_FUZZ_CHECK(a.top_processes[i].name == b.top_processes[i].name);
    }
    WTFN_FUZZ_CHECK(a.timeline.size() == b.timeline.size());
    WTFN_FUZZ_CHECK(r.counters.has_value() == r2.counters.has_value());
    return 0;
}
