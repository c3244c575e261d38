// `wtfn dns leak report FILE... [--json]`: reads the reports and event streams `watch` wrote,
// merges them and prints their summary again, as `watch` prints it, or as one JSON document
// (docs/report.md). The reading is ReportReader's; this file binds the flags and prints.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>

#include "cli/commands.h"
#include "dnsleak/pipeline/watch_session.h"
#include "dnsleak/report/human_report.h"
#include "dnsleak/report/output_stream.h"
#include "dnsleak/report/report_reader.h"
#include "util/escape.h"

namespace wtfn::cli {
namespace {

struct ReportFlags {
    std::vector<std::string> files;
    bool json = false;
};

int run_report(const ReportFlags& flags)
{
    std::size_t stdin_count = 0;
    for (const auto& f : flags.files) {
        stdin_count += f == "-" ? 1 : 0;
    }
    if (stdin_count > 1) {
        fmt::print(stderr,
                   "wtfn: error: '-' (standard input) is given {} times; it can be read once\n",
                   stdin_count);
        return dnsleak::EXIT_FAILED;
    }
    dnsleak::ReportReader reader;
    for (const auto& f : flags.files) {
        std::string error;
        if (!reader.add_file(f, error)) {
            fmt::print(stderr, "wtfn: error: {}\n", error);
            return dnsleak::EXIT_FAILED;
        }
        if (!reader.inputs().back().warning.empty()) {
            fmt::print(stderr, "wtfn: warning: {}\n", reader.inputs().back().warning);
        }
    }
    const dnsleak::MergedReport r = reader.result();
    std::string text;
    if (flags.json) {
        text = dnsleak::merged_report_json(r);
    } else {
        text = fmt::format(
            "wtfn {}: reading {}", r.meta.command, util::escaped_text(r.meta.source_name));
        if (!r.meta.policy_name.empty()) {
            // The reader keeps the privacy mode escaped already.
            text += fmt::format(
                "; policy {}; privacy {}", util::escaped_text(r.meta.policy_name), r.meta.privacy);
        }
        text += "\n";
        const bool colour = isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
        text +=
            dnsleak::format_summary(r.meta, r.summary, r.counters ? &*r.counters : nullptr, colour);
    }
    // A closed pipe (`report ... | head -n 3`) stops the output quietly, as for watch; any
    // other write error is a failure.
    std::signal(SIGPIPE, SIG_IGN);
    dnsleak::OutputStream out(STDOUT_FILENO);
    if (!out.write(text) && out.error_number() != EPIPE) {
        fmt::print(stderr,
                   "wtfn: error: cannot write to standard output: {}\n",
                   std::strerror(out.error_number()));
        return dnsleak::EXIT_FAILED;
    }
    return r.summary.leaks != 0 ? dnsleak::EXIT_LEAKS : dnsleak::EXIT_CLEAN;
}

} // namespace

void setup_report(CLI::App& leak)
{
    auto flags = std::make_shared<ReportFlags>();
    auto* cmd = leak.add_subcommand(
        "report",
        "Read what `watch` wrote (a JSON report from --out or --json, an NDJSON event stream "
        "from --events), from one or several runs, and print their summary again: merged, "
        "as `watch` prints it, or as JSON");
    cmd->footer(
        "Examples:\n"
        "  wtfn dns leak report report.json                # the summary watch printed\n"
        "  wtfn dns leak report events.ndjson              # a stream, even one cut short\n"
        "  wtfn dns leak report laptop.json desk.ndjson --json > merged.json\n"
        "  ssh host cat wtfn.ndjson | wtfn dns leak report -\n"
        "Merging: counts add up, destinations and timelines merge; capture counters only when "
        "every input has them (docs/report.md).\n"
        "Exit status: 0 no leak in the inputs, 1 leaks found, 2 failed (an input is missing, "
        "damaged or not a wtfn report; see docs/exit-codes.md).");
    cmd->add_option("FILE",
                    flags->files,
                    "Reports (watch --out/--json) or event streams (watch --events), in any "
                    "mix; '-' reads standard input (once)")
        ->required();
    cmd->add_flag("--json", flags->json, "Print the merged summary as one JSON document");
    cmd->callback([flags]() { g_exit_status = run_report(*flags); });
}

} // namespace wtfn::cli
