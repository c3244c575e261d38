#include "dnsleak/pipeline/watch_session.h"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>

#include <unistd.h>

#include <fmt/format.h>

#include "capture/interface_probe.h"
#include "capture/live_capture.h"
#include "capture/pcap_file_reader.h"
#include "dnsleak/attrib/attribution_stage.h"
#include "dnsleak/pipeline/pipeline.h"
#include "dnsleak/privacy/privacy_key.h"
#include "dnsleak/report/atomic_file.h"
#include "dnsleak/report/event_stream.h"
#include "dnsleak/report/human_report.h"
#include "dnsleak/report/json_report.h"
#include "dnsleak/report/malformed_notices.h"
#include "dnsleak/report/progress.h"
#include "dnsleak/report/summary.h"
#include "net/decode.h"
#include "platform/flow_owner_provider.h"
#include "util/escape.h"
#include "util/time_format.h"

namespace wtfn::dnsleak {
namespace {

// The signal handler only counts (RELIABILITY.md S1): no I/O, no allocation. The capture
// loop waits in poll(), which the signal interrupts (no SA_RESTART), and it polls at most
// 100 ms at a time, so a stop is seen promptly.
volatile std::sig_atomic_t g_signals = 0;

void on_stop_signal(int /*sig*/)
{
    g_signals = g_signals + 1;
}

void install_signal_handlers()
{
    struct sigaction sa {};

    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; // no SA_RESTART: a waiting poll() must return
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    // A closed stdout pipe must end the output, not the process (S6).
    std::signal(SIGPIPE, SIG_IGN);
}

void print_error(const std::string& line)
{
    fmt::print(stderr, "wtfn: error: {}\n", line);
}

struct Outputs {
    OutputStream stdout_stream{STDOUT_FILENO};
    std::unique_ptr<Progress> progress;
    std::unique_ptr<HumanReport> human;
    std::unique_ptr<JsonReportWriter> json_stdout;
    AtomicFile out_file;
    std::unique_ptr<OutputStream> out_stream;
    std::unique_ptr<JsonReportWriter> json_file;
    std::unique_ptr<MalformedNotices> notices;
    std::unique_ptr<OutputStream> events_stream;
    std::unique_ptr<EventStreamWriter> events;
    int events_fd = -1;
    SummaryBuilder summary;
    std::optional<NameHasher> hasher;

    Outputs() = default;
    Outputs(const Outputs&) = delete;
    Outputs& operator=(const Outputs&) = delete;

    ~Outputs()
    {
        if (events_fd >= 0) {
            ::close(events_fd);
        }
    }
};

// The keyed hash of names (redacted and full modes). Without a usable key the run goes on
// with registrable domains only: a missing hash loses a comparison, never privacy.
void load_hasher(const WatchOptions& opt, Outputs& out)
{
    if (opt.privacy == PrivacyMode::minimal) {
        return;
    }
    const std::string path = opt.privacy_key.empty() ? default_privacy_key_path() : opt.privacy_key;
    const KeyResult key = load_or_create_privacy_key(path);
    if (!key.warning.empty()) {
        fmt::print(stderr, "wtfn: warning: {}\n", key.warning);
    }
    if (!key.ok) {
        fmt::print(
            stderr, "wtfn: warning: {}; query names are reported without their hash\n", key.error);
        return;
    }
    if (key.created && opt.verbosity >= 1) {
        fmt::print(stderr,
                   "wtfn: created privacy key {} (keep it to compare hashes across runs)\n",
                   util::escaped_text(path));
    }
    out.hasher.emplace(key.key);
}

std::string link_name(std::uint32_t lt)
{
    const std::string name = net::link_type_name(lt);
    return name == "unknown" ? fmt::format("LINKTYPE_{}", lt) : name;
}

// Live capture: the interface facts come from the OS over netlink. Without netlink (a
// restricted container) the watch still runs, with names and name-based route classes.
std::unique_ptr<LiveInterfaceResolver> make_live_resolver(std::uint32_t fixed_ifindex,
                                                          const platform::RouteClassLabels& labels,
                                                          int verbosity)
{
    std::string error;
    auto platform = platform::open_network_platform(error);
    std::unique_ptr<platform::LinkMonitor> monitor;
    if (platform) {
        monitor = platform::open_link_monitor(error);
    }
    if ((!platform || !monitor) && verbosity >= 1) {
        fmt::print(stderr,
                   "wtfn: route classes from interface names only: {}\n",
                   error.empty() ? "no interface change notifications" : error);
    }
    return std::make_unique<LiveInterfaceResolver>(
        std::move(platform), std::move(monitor), labels, fixed_ifindex);
}

// -v: which interfaces the capture covers and how each is classified (-vv: why).
void log_interfaces(const std::string& captured,
                    std::uint32_t fixed_ifindex,
                    const platform::RouteClassLabels& labels,
                    int verbosity)
{
    std::string error;
    auto platform = platform::open_network_platform(error);
    platform::NetworkSnapshot net;
    if (!platform || !platform->snapshot(net, error)) {
        fmt::print(stderr, "wtfn: cannot list interfaces: {}\n", error);
        return;
    }
    fmt::print(stderr, "wtfn: interfaces covered by '{}':\n", captured);
    for (const auto& i : net.interfaces) {
        if (fixed_ifindex != 0 && i.index != fixed_ifindex) {
            continue;
        }
        const auto d = platform::classify_interface(i, labels);
        fmt::print(stderr,
                   "wtfn:   {} (index {}, {}): {}{}\n",
                   util::escaped_text(i.name),
                   i.index,
                   i.up ? "up" : "down",
                   to_string(d.route_class),
                   verbosity >= 2 ? " [" + d.reason + "]" : std::string());
    }
}

} // namespace

int run_watch(const WatchOptions& opt)
{
    Outputs out;
    out.progress = std::make_unique<Progress>(opt.progress && isatty(STDERR_FILENO) == 1);
    if (!opt.out.empty() && !out.out_file.open(opt.out)) {
        print_error(out.out_file.error());
        return EXIT_FAILED;
    }
    if (!opt.events.empty() && opt.events != "-") {
        std::string error;
        out.events_fd = open_event_stream_file(opt.events, error);
        if (out.events_fd < 0) {
            print_error(error);
            return EXIT_FAILED;
        }
    }
    EventFormat format;
    format.privacy = opt.privacy;
    format.policy = &opt.policy;
    const platform::RouteClassLabels& labels = opt.policy.labels;

    ReportMeta meta;
    meta.policy_name = opt.policy.name;
    meta.policy_source = opt.policy.source;
    meta.privacy = std::string(to_string(opt.privacy));
    std::unique_ptr<capture::LiveCapture> live;
    std::unique_ptr<platform::FlowOwnerProvider> owners;
    capture::PcapFileReader file;
    std::unique_ptr<InterfaceResolver> interfaces;
    if (!opt.pcap.empty()) {
        meta.source_kind = "pcap";
        meta.source_name = opt.pcap;
        meta.attribution.note = "a capture file holds no sockets to trace to a process";
        if (!file.open(opt.pcap)) {
            print_error(file.error());
            return EXIT_FAILED;
        }
        interfaces = std::make_unique<FileInterfaceResolver>(file, labels);
    } else {
        meta.source_kind = "live";
        capture::LiveOptions lo;
        lo.interface = opt.iface.empty() ? "any" : opt.iface;
        meta.source_name = lo.interface;
        std::string error;
        // Opening a capture device can block on a driver that does not answer; try it in a
        // child process first, so a bad device costs at most the open timeout.
        const capture::ProbeResult probe =
            capture::probe_capture_device("any", opt.open_timeout_ms);
        if (opt.verbosity >= 1) {
            fmt::print(stderr,
                       "wtfn: probe of capture device 'any': {} ({} ms)\n",
                       probe.can_open ? "opens" : probe.error,
                       probe.elapsed_ms);
        }
        if (!probe.can_open) {
            print_error(probe.error);
            return EXIT_FAILED;
        }
        // Attribution first: its eBPF programs must be in place before the first packet
        // is captured, or that packet's sender would be found only by the fallback.
        if (opt.attribution) {
            platform::OwnerOptions oo;
            oo.bpf = opt.bpf;
            std::string bpf_error;
            owners = platform::open_flow_owner_provider(oo, bpf_error);
            meta.attribution.method = std::string(owners->method());
            if (!bpf_error.empty()) {
                meta.attribution.note = "eBPF attribution unavailable: " + bpf_error;
                fmt::print(stderr,
                           "wtfn: warning: {}; falling back to sock_diag, which can miss "
                           "processes that exit quickly (--no-bpf silences this)\n",
                           meta.attribution.note);
            } else if (!opt.bpf) {
                meta.attribution.note = "eBPF attribution turned off (--no-bpf)";
            }
            if (opt.verbosity >= 1) {
                fmt::print(stderr, "wtfn: process attribution: {}\n", meta.attribution.method);
            }
            // Without eBPF the socket must still be open when it is looked up: have the
            // kernel hand each packet over as it comes, not in blocks every 100 ms.
            if (owners->method() == "sock_diag") {
                lo.immediate = true;
            }
        } else {
            meta.attribution.note = "attribution turned off (--no-attribution)";
        }
        live = capture::LiveCapture::open(lo, error);
        if (!live) {
            print_error(error);
            return EXIT_FAILED;
        }
        meta.link_types.push_back(link_name(live->link_type()));
        interfaces = make_live_resolver(live->fixed_ifindex(), labels, opt.verbosity);
        if (opt.verbosity >= 1) {
            fmt::print(stderr,
                       "wtfn: capturing on {} ({}), kernel filter: {}\n",
                       lo.interface,
                       link_name(live->link_type()),
                       live->filter());
            log_interfaces(lo.interface, live->fixed_ifindex(), labels, opt.verbosity);
        }
    }

    // After the source opened: a capture that cannot start is the one error to show.
    load_hasher(opt, out);
    format.hasher = out.hasher ? &*out.hasher : nullptr;
    RuleEngine rules(opt.policy);
    Pipeline pipeline(*interfaces);
    pipeline.set_rule_engine(&rules);
    pipeline.set_record_names(!opt.summary_only && opt.privacy == PrivacyMode::full);
    // Live: each event waits (at most a second) for its sender before it is judged.
    std::unique_ptr<AttributionStage> attribution;
    if (owners) {
        attribution = std::make_unique<AttributionStage>(
            *owners, [&pipeline](ClassifiedEvent& e) { pipeline.deliver(e); });
        attribution->set_record_names(!opt.summary_only && opt.privacy == PrivacyMode::full
                                          ? proto::RecordNames::decode
                                          : proto::RecordNames::validate_only);
        pipeline.set_attribution(attribution.get());
    }
    pipeline.add_sink(&out.summary);
    const bool events_on_stdout = opt.events == "-";
    if (opt.json) {
        out.json_stdout =
            std::make_unique<JsonReportWriter>(out.stdout_stream, !opt.summary_only, format);
        pipeline.add_sink(out.json_stdout.get());
    } else if (!events_on_stdout) {
        HumanReport::Options ho;
        ho.show_events = !opt.summary_only;
        ho.colour = isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
        ho.verbosity = opt.verbosity;
        out.human = std::make_unique<HumanReport>(out.stdout_stream, *out.progress, ho, format);
        pipeline.add_sink(out.human.get());
    }
    if (!opt.out.empty()) {
        out.out_stream = std::make_unique<OutputStream>(out.out_file.fd());
        out.json_file =
            std::make_unique<JsonReportWriter>(*out.out_stream, !opt.summary_only, format);
        pipeline.add_sink(out.json_file.get());
    }
    if (!opt.events.empty()) {
        out.events_stream =
            std::make_unique<OutputStream>(events_on_stdout ? STDOUT_FILENO : out.events_fd);
        out.events = std::make_unique<EventStreamWriter>(*out.events_stream, format);
        pipeline.add_sink(out.events.get());
    }

    if (opt.verbosity >= 1) {
        out.notices = std::make_unique<MalformedNotices>(*out.progress);
        pipeline.add_sink(out.notices.get());
    }

    install_signal_handlers();
    meta.started_ns = util::now_ns();
    const auto started = std::chrono::steady_clock::now();
    if (out.human) {
        out.human->begin(meta);
    }
    if (out.json_stdout) {
        out.json_stdout->begin(meta);
    }
    if (out.json_file) {
        out.json_file->begin(meta);
    }
    if (out.events) {
        out.events->begin(meta);
    }

    CaptureCounters& counters = pipeline.counters();
    if (live) {
        const auto process = [&](const capture::RawPacket& p) {
            pipeline.process(p);
        };
        const auto limit = opt.follow ? std::chrono::milliseconds::max()
                                      : opt.duration.value_or(std::chrono::seconds(10));
        const auto start = std::chrono::steady_clock::now();
        meta.stop_reason = "duration";
        while (g_signals == 0) {
            int wait_ms = 100;
            if (!opt.follow) {
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    limit - (std::chrono::steady_clock::now() - start));
                if (left.count() <= 0) {
                    break;
                }
                wait_ms = static_cast<int>(std::min<std::int64_t>(left.count(), 100));
            }
            interfaces->refresh(); // a VPN that reconnected: its new interface, its new class
            if (live->dispatch(process, wait_ms) < 0) {
                meta.error = live->error();
                meta.stop_reason = "error";
                break;
            }
            if (attribution) {
                attribution->tick();
            }
            out.progress->update(counters, util::now_ns());
            if (out.stdout_stream.failed()) {
                meta.stop_reason = "output_closed";
                break;
            }
        }
        if (g_signals != 0 && meta.error.empty()) { // an error is the reason it stopped
            meta.stop_reason = "signal";
        }
        // Drain what the kernel already holds; a second signal means "stop now".
        if (g_signals < 2 && meta.error.empty()) {
            live->drain(process);
        }
        const capture::LiveStats st = live->stats();
        counters.kernel_dropped = st.kernel_dropped;
        counters.interface_dropped = st.interface_dropped;
    } else {
        meta.stop_reason = "end_of_input";
        capture::RawPacket p;
        for (std::uint64_t n = 0;; ++n) {
            const auto st = file.next(p, counters.malformed);
            if (st == capture::PcapFileReader::Status::end) {
                break;
            }
            if (st == capture::PcapFileReader::Status::error) {
                meta.error = file.error() +
                             "; the packets before that point were analysed (report is partial)";
                meta.stop_reason = "error";
                meta.partial = true;
                break;
            }
            pipeline.process(p);
            if ((n & 0xFFF) == 0) {
                if (g_signals != 0) {
                    meta.stop_reason = "signal";
                    meta.partial = true;
                    break;
                }
                out.progress->update(counters, util::now_ns());
            }
        }
        for (const auto lt : file.link_types()) {
            meta.link_types.push_back(link_name(lt));
        }
    }

    pipeline.finish();
    if (attribution) {
        // Every event is reported with what is known of its sender before the report is
        // written; a second signal stops the wait.
        attribution->finish(g_signals < 2 ? std::chrono::milliseconds(1500)
                                          : std::chrono::milliseconds(0));
        const AttributionCounts& c = attribution->counts();
        meta.attribution.by_confidence = c.by_confidence;
        meta.attribution.kernel_owned = c.kernel_owned;
        meta.attribution.forwarded = c.forwarded;
        meta.attribution.via_stub = c.via_stub;
        meta.attribution.timed_out = c.timed_out;
        meta.attribution.events_lost = owners->stats().events_lost;
    }
    for (const auto& s : interfaces->seen()) {
        meta.interfaces.push_back({s.name,
                                   s.ifindex,
                                   to_string(s.decision.route_class),
                                   to_string(s.decision.basis),
                                   s.decision.reason});
    }
    meta.ended_ns = util::now_ns();
    meta.elapsed_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
    const Summary summary = out.summary.build();
    out.progress->clear();
    if (out.human) {
        out.human->finish(meta, summary, counters);
    }
    if (out.json_stdout) {
        out.json_stdout->finish(meta, summary, counters);
    }
    bool events_failed = false;
    if (out.events && !out.events->finish(meta, summary, counters) && !events_on_stdout) {
        print_error(util::escaped_text(opt.events) + ": cannot write the event stream: " +
                    std::strerror(out.events_stream->error_number()));
        events_failed = true;
    }
    // A failure outranks leaks: a report that may be incomplete cannot promise either.
    int status = !meta.error.empty() || events_failed ? EXIT_FAILED
                 : summary.leaks != 0                 ? EXIT_LEAKS
                                                      : EXIT_CLEAN;
    if (out.json_file) {
        const bool ok = out.json_file->finish(meta, summary, counters) && out.out_file.commit();
        if (!ok) {
            print_error(out.out_file.error().empty()
                            ? util::escaped_text(opt.out) + ": cannot write the report (disk full?)"
                            : out.out_file.error());
            status = EXIT_FAILED;
        }
    }
    if (!meta.error.empty()) {
        print_error(meta.error);
    }
    return status;
}

} // namespace wtfn::dnsleak
