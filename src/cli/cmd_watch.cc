// `wtfn dns leak watch`: flags -> WatchOptions -> run_watch(). See docs/cli.md.
#include <memory>

#include <fmt/format.h>

#include "cli/commands.h"
#include "dnsleak/pipeline/iface_diag.h"
#include "dnsleak/pipeline/watch_session.h"
#include "util/duration.h"
#include "util/escape.h"

namespace wtfn::cli {

void setup_watch(CLI::App& leak)
{
    auto opt = std::make_shared<dnsleak::WatchOptions>();
    auto duration_text = std::make_shared<std::string>();
    auto verbosity = std::make_shared<int>(0);
    auto* cmd = leak.add_subcommand(
        "watch",
        "Capture DNS-like traffic (plain DNS on 53, DoT/DoQ on 853, TLS/QUIC on 443, mDNS, "
        "LLMNR) live or from a capture file, and report every DNS message and encrypted "
        "resolver flow with its interface, direction, source and destination.");
    cmd->footer("Examples:\n"
                "  wtfn dns leak watch                      # 10 s on all interfaces (needs root)\n"
                "  wtfn dns leak watch --follow --iface wg0 # until Ctrl-C, one interface\n"
                "  wtfn dns leak watch --pcap trace.pcapng --json --out report.json\n"
                "  wtfn dns leak watch --iface-diag         # which interfaces can be captured\n"
                "Exit status: 0 clean, 1 leaks found, 2 failed (see docs/exit-codes.md).");
    auto* dur = cmd->add_option(
        "--duration", *duration_text, "How long to capture: Nms, Ns, Nm or Nh (default 10s)");
    cmd->add_flag("--follow", opt->follow, "Capture until Ctrl-C or SIGTERM, then report")
        ->excludes(dur);
    auto* iface = cmd->add_option(
        "--iface", opt->iface, "Capture on this interface only (default: all, via 'any')");
    cmd->add_option("--pcap",
                    opt->pcap,
                    "Analyse a pcap or pcapng file instead of live traffic ('-' for stdin)")
        ->excludes(iface);
    cmd->add_flag("--json", opt->json, "Print the JSON report on stdout instead of the table");
    cmd->add_option("--out", opt->out, "Also write the JSON report to this file (mode 0600)");
    auto policy_flags = std::make_shared<std::pair<std::string, std::string>>();
    auto privacy_text = std::make_shared<std::string>();
    auto* profile = cmd->add_option("--profile",
                                    policy_flags->first,
                                    "Judge by a built-in profile: full-tunnel, proxy-stub "
                                    "(default) or split (docs/policy.md)");
    cmd->add_option("--policy", policy_flags->second, "Judge by this JSON policy file")
        ->excludes(profile);
    cmd->add_option("--privacy",
                    *privacy_text,
                    "What names and command lines reports keep: full, redacted (default: "
                    "registrable domain + keyed hash) or minimal (docs/privacy.md)");
    cmd->add_option("--privacy-key",
                    opt->privacy_key,
                    "Key file for the name hashes (default /var/lib/wtfn/privacy.key as root; "
                    "created 0600 on first use)");
    cmd->add_option("--events",
                    opt->events,
                    "Also stream events as NDJSON, one line each as it happens, to this file "
                    "(appended, mode 0600) or '-' for stdout");
    cmd->add_flag("--summary-only",
                  opt->summary_only,
                  "Leave out the per-event lines (and the JSON events list)");
    cmd->add_flag_callback(
        "--no-bpf",
        [opt]() { opt->bpf = false; },
        "Find senders with sock_diag and /proc only, without loading eBPF programs "
        "(docs/attribution.md); short-lived processes may then go unnamed");
    cmd->add_flag_callback(
        "--no-attribution",
        [opt]() { opt->attribution = false; },
        "Do not look for the process behind each query (events are then reported at once)");
    auto diag = std::make_shared<bool>(false);
    cmd->add_flag("--iface-diag",
                  *diag,
                  "List every capture device, whether it can be opened (each tried for at "
                  "most 2 s) and why not, then exit; with --json as a JSON document");
    cmd->add_flag("-v", *verbosity, "More detail on stderr (-vv for even more)");
    cmd->callback([opt, duration_text, verbosity, diag, policy_flags, privacy_text]() {
        opt->verbosity = *verbosity;
        if (*diag) {
            dnsleak::IfaceDiagOptions d;
            d.json = opt->json;
            g_exit_status = dnsleak::run_iface_diag(d);
            return;
        }
        if (!duration_text->empty()) {
            opt->duration = util::parse_duration(*duration_text);
            if (!opt->duration) {
                fmt::print(stderr,
                           "wtfn: error: --duration '{}' is not a duration; write a whole "
                           "number with ms, s, m or h, e.g. 10s or 500ms\n",
                           *duration_text);
                g_exit_status = dnsleak::EXIT_FAILED;
                return;
            }
            if (!opt->pcap.empty()) {
                fmt::print(stderr,
                           "wtfn: error: --duration applies to live capture; a "
                           "--pcap file is always read to its end\n");
                g_exit_status = dnsleak::EXIT_FAILED;
                return;
            }
        }
        if (opt->follow && !opt->pcap.empty()) {
            fmt::print(stderr,
                       "wtfn: error: --follow applies to live capture; a --pcap file "
                       "is always read to its end\n");
            g_exit_status = dnsleak::EXIT_FAILED;
            return;
        }
        std::string error;
        if (!select_policy(policy_flags->first, policy_flags->second, opt->policy, error)) {
            fmt::print(stderr, "wtfn: error: {}\n", error);
            g_exit_status = dnsleak::EXIT_FAILED;
            return;
        }
        if (!privacy_text->empty()) {
            const auto mode = dnsleak::parse_privacy_mode(*privacy_text);
            if (!mode) {
                fmt::print(stderr,
                           "wtfn: error: --privacy '{}' is not a privacy mode; use full, "
                           "redacted or minimal\n",
                           util::escaped_text(*privacy_text));
                g_exit_status = dnsleak::EXIT_FAILED;
                return;
            }
            opt->privacy = *mode;
        }
        if (opt->events == "-" && opt->json) {
            fmt::print(stderr,
                       "wtfn: error: --events - and --json both want stdout; write one of "
                       "them to a file (--out FILE or --events FILE)\n");
            g_exit_status = dnsleak::EXIT_FAILED;
            return;
        }
        g_exit_status = dnsleak::run_watch(*opt);
    });
}

} // namespace wtfn::cli
