#include "dnsleak/report/human_report.h"

#include <fmt/format.h>

#include "dnsleak/report/event_json.h"
#include "util/escape.h"
#include "util/time_format.h"

namespace wtfn::dnsleak {
namespace {

std::string endpoint(const net::IpAddress& ip, std::uint16_t port)
{
    return ip.version == 6 ? fmt::format("[{}]:{}", ip.to_string(), port)
                           : fmt::format("{}:{}", ip.to_string(), port);
}

void append_message(std::string& out, const ClassifiedEvent& e, const EventFormat& f)
{
    std::array<char, 12> scratch{};
    if (e.dns == nullptr) {
        if (e.transport == Transport::dot || e.transport == Transport::https_tcp) {
            out += e.tls_client_hello ? "TLS connection (ClientHello seen)" : "TLS connection";
        } else {
            out += e.quic_version != 0 ? fmt::format("QUIC flow (version 0x{:x})", e.quic_version)
                                       : std::string("UDP flow");
        }
    } else {
        const auto& m = *e.dns;
        if (m.is_response()) {
            out += "response ";
            out += proto::rcode_name(m.rcode(), scratch);
            out.push_back(' ');
        } else {
            out += "query ";
        }
        if (m.has_question) {
            out += proto::qtype_name(m.qtype, scratch);
            out.push_back(' ');
            out += shown_qname(m.qname.view(), f);
        } else {
            out += "(no question)";
        }
        for (std::size_t i = 0; i < m.answer_count && i < 4; ++i) {
            const auto& rec = m.answers[i];
            const bool target = rec.has_target && f.names_shown();
            if (!target && rec.addr_count == 0) {
                continue;
            }
            out += i == 0 ? " -> " : ", ";
            if (target) {
                util::append_escaped_text(out, rec.target.view());
            }
            for (std::size_t a = 0; a < rec.addr_count; ++a) {
                if (a != 0 || target) {
                    out.push_back(' ');
                }
                out += rec.addrs[a].to_string();
            }
        }
        if (m.answer_count > 4) {
            out += fmt::format(" (+{} more)", m.answer_count - 4);
        }
    }
    if (e.malformed) {
        out += " [malformed: ";
        out += util::to_string(*e.malformed);
        out += "]";
    }
}

// ANSI colours: red for a leak (bold when P0/P1), green for clean.
constexpr std::string_view RED = "\x1b[31m";
constexpr std::string_view BOLD_RED = "\x1b[1;31m";
constexpr std::string_view GREEN = "\x1b[32m";
constexpr std::string_view RESET = "\x1b[0m";

std::string verdict_label(const Judgement* j)
{
    if (j == nullptr || j->verdict == Verdict::not_judged) {
        return "-";
    }
    if (j->verdict == Verdict::clean) {
        return "clean";
    }
    return fmt::format("LEAK-{} {}", to_string(j->leak_type), to_string(j->severity));
}

// "dig[4242]", "dnsmasq[77] for dig[4242]", "(kernel)", or "-" when not known.
std::string sender_label(const ClassifiedEvent& e)
{
    const platform::FlowOwner* o = e.owner;
    if (o == nullptr) {
        return "-";
    }
    switch (o->kind) {
        case platform::OwnerKind::kernel:
            return "(kernel)";
        case platform::OwnerKind::forwarded:
            return "(forwarded)";
        case platform::OwnerKind::unknown:
            return "?";
        case platform::OwnerKind::process:
            break;
    }
    std::string s = fmt::format("{}[{}]",
                                util::escaped_text(o->process.name.empty() ? "?" : o->process.name),
                                o->process.pid);
    if (o->on_behalf_pid > 0) {
        s += fmt::format(" for {}[{}]", util::escaped_text(o->on_behalf_name), o->on_behalf_pid);
    }
    return s;
}

// -v: who sent it, how sure, and the parent chain ("bash[311] < sshd[290] < systemd[1]").
void append_sender_detail(std::string& out, const platform::FlowOwner& o)
{
    out += fmt::format("              sender: {} ({}, {})",
                       to_string(o.kind),
                       to_string(o.confidence),
                       to_string(o.source));
    if (o.kind == platform::OwnerKind::process) {
        const platform::ProcessInfo& p = o.process;
        out += fmt::format(" pid {}", p.pid);
        if (p.has_uid) {
            out += fmt::format(" uid {}", p.uid);
            if (!p.user.empty()) {
                out += " (" + util::escaped_text(p.user) + ")";
            }
        }
        if (!p.exe.empty()) {
            out += " " + util::escaped_text(p.exe);
        }
        if (!p.container.empty()) {
            out += " container " + util::escaped_text(p.container);
        }
    }
    if (!o.reason.empty()) {
        out += ": " + util::escaped_text(o.reason);
    }
    out.push_back('\n');
    if (o.kind == platform::OwnerKind::process && !o.process.chain.empty()) {
        out += "              parents:";
        for (std::size_t i = 0; i < o.process.chain.size(); ++i) {
            out += fmt::format("{}{}[{}]",
                               i == 0 ? " " : " < ",
                               util::escaped_text(o.process.chain[i].name),
                               o.process.chain[i].pid);
        }
        out.push_back('\n');
    }
}

std::string plural(std::uint64_t n, std::string_view one, std::string_view many)
{
    return fmt::format("{} {}", n, n == 1 ? one : many);
}

} // namespace

HumanReport::HumanReport(OutputStream& out, Progress& progress, Options options, EventFormat format)
    : out_(out),
      progress_(progress),
      options_(options),
      format_(format)
{}

void HumanReport::begin(const ReportMeta& meta)
{
    std::string text = fmt::format("wtfn {}: {} {}",
                                   meta.command,
                                   meta.source_kind == "live" ? "capturing on" : "reading",
                                   util::escaped_text(meta.source_name));
    if (!meta.link_types.empty()) {
        text += " (" + meta.link_types.front() + ")";
    }
    if (!meta.policy_name.empty()) {
        text += fmt::format("; policy {}; privacy {}",
                            util::escaped_text(meta.policy_name),
                            util::escaped_text(meta.privacy));
    }
    text += "\n";
    out_.write(text);
}

void HumanReport::on_event(const ClassifiedEvent& e)
{
    if (!options_.show_events || !is_dns_like(e.transport)) {
        return;
    }
    const Judgement* j = e.judgement;
    const bool judged = j != nullptr && j->verdict != Verdict::not_judged;
    // Responses, inbound queries and mDNS are context, not findings: shown with -v.
    if (j != nullptr && !judged && options_.verbosity < 1) {
        return;
    }
    line_.clear();
    if (!header_printed_) {
        line_ += fmt::format("{:<12}  {:<3}  {:<12}  {:<8}  {:<9}  {:<47}  {:<9}  {:<18}  {}\n",
                             "TIME (UTC)",
                             "DIR",
                             "INTERFACE",
                             "CLASS",
                             "TRANSPORT",
                             "SOURCE -> DESTINATION",
                             "VERDICT",
                             "PROCESS",
                             "MESSAGE");
        header_printed_ = true;
    }
    const bool is_leak = judged && j->verdict == Verdict::leak;
    if (options_.colour && judged) {
        line_ += is_leak ? (j->severity <= Severity::p1 ? BOLD_RED : RED) : GREEN;
    }
    const std::string iface = e.interface.empty() ? "-" : util::escaped_text(e.interface);
    const std::string flow = endpoint(e.src, e.src_port) + " -> " + endpoint(e.dst, e.dst_port);
    line_ += fmt::format("{:<12}  {:<3}  {:<12}  {:<8}  {:<9}  {:<47}  {:<9}  {:<18}  ",
                         util::format_clock_utc(e.ts_ns),
                         direction_name(e.direction),
                         iface,
                         to_string(e.route_class),
                         to_string(e.transport),
                         flow,
                         verdict_label(j),
                         sender_label(e));
    append_message(line_, e, format_);
    if (options_.colour && judged) {
        line_ += RESET;
    }
    line_.push_back('\n');
    if (is_leak && format_.policy != nullptr) {
        line_ += fmt::format("              why: {} [{}]\n",
                             evidence_reason(e, *j, *format_.policy, format_.domains_shown()),
                             j->rule_id);
    }
    if (options_.verbosity >= 1 && e.owner != nullptr) {
        append_sender_detail(line_, *e.owner);
    }
    progress_.clear();
    out_.write(line_);
}

bool HumanReport::finish(const ReportMeta& meta, const Summary& s, const CaptureCounters& c)
{
    progress_.clear();
    return out_.write(format_summary(meta, s, &c, options_.colour));
}

std::string
format_summary(const ReportMeta& meta, const Summary& s, const CaptureCounters* c, bool colour)
{
    std::string t;
    t += fmt::format("\nSummary ({}; {:.1f} s{})\n",
                     util::escaped_text(meta.stop_reason),
                     static_cast<double>(meta.elapsed_ns) / 1e9,
                     meta.partial ? "; partial" : "");
    const std::uint64_t judged = s.by_verdict[static_cast<std::size_t>(Verdict::leak)] +
                                 s.by_verdict[static_cast<std::size_t>(Verdict::clean)];
    if (!meta.policy_name.empty()) {
        std::string result;
        if (s.leaks != 0) {
            result = fmt::format("{}{} FOUND{}",
                                 colour ? BOLD_RED : "",
                                 plural(s.leaks, "LEAK", "LEAKS"),
                                 colour ? RESET : "");
        } else {
            result = fmt::format("{}clean{}: no leak in {}",
                                 colour ? GREEN : "",
                                 colour ? RESET : "",
                                 plural(judged, "judged message", "judged messages"));
        }
        t += fmt::format("  result         {} (policy {}, privacy {})\n",
                         result,
                         util::escaped_text(meta.policy_name),
                         util::escaped_text(meta.privacy));
        t += fmt::format("  verdicts       {} leak, {} clean, {} not judged (responses, "
                         "inbound, mDNS/LLMNR, repeats)\n",
                         s.by_verdict[static_cast<std::size_t>(Verdict::leak)],
                         s.by_verdict[static_cast<std::size_t>(Verdict::clean)],
                         s.by_verdict[static_cast<std::size_t>(Verdict::not_judged)]);
        if (s.leaks != 0) {
            t += "  leaks by type ";
            for (std::size_t i = 0; i < LEAK_TYPE_COUNT; ++i) {
                t += fmt::format(
                    "  {} {}", to_string(static_cast<LeakType>(i + 1)), s.leaks_by_type[i]);
            }
            t += "\n  by severity   ";
            for (std::size_t i = 0; i < SEVERITY_COUNT; ++i) {
                t += fmt::format(
                    "  {} {}", to_string(static_cast<Severity>(i)), s.leaks_by_severity[i]);
            }
            t += "\n";
            t += "  leaking processes\n";
            for (const auto& p : s.top_processes) {
                t += fmt::format("    {:<32} {}\n", util::escaped_text(p.name), p.leaks);
            }
            if (s.leaks_process_unknown != 0) {
                t += fmt::format("    {:<32} {}\n", "(not known)", s.leaks_process_unknown);
            }

            for (const auto& b : s.bursts) {
                t += fmt::format("  burst          {} within {:.1f} s from {} (one program "
                                 "starting, or a tunnel that dropped?)\n",
                                 plural(b.leaks, "leak", "leaks"),
                                 static_cast<double>(b.end_ns - b.start_ns) / 1e9,
                                 util::format_clock_utc(b.start_ns));
            }
            if (s.timeline.size() > 1) {
                t += "  timeline (UTC minute: leaks/judged)\n   ";
                for (std::size_t i = 0; i < s.timeline.size() && i < 60; ++i) {
                    const auto& b = s.timeline[i];
                    t += fmt::format(" {}: {}/{}",
                                     util::format_clock_utc(b.start_ns).substr(0, 5),
                                     b.leaks,
                                     b.judged);
                }
                t += s.timeline.size() > 60 ? " ...\n" : "\n";
            }
        }
    }
    t += fmt::format("  DNS messages   {} ({} queries, {} responses, {} malformed)\n",
                     s.dns_messages,
                     s.queries,
                     s.responses,
                     s.malformed_messages);
    const std::uint64_t looked_up =
        s.attributed[0] + s.attributed[1] + s.attributed[2] + s.attributed[3];
    if (looked_up != 0) {
        t += fmt::format("  senders        {} high, {} medium, {} low, {} not found "
                         "(confidence of the process found){}\n",
                         s.attributed[3],
                         s.attributed[2],
                         s.attributed[1],
                         s.attributed[0],
                         s.via_stub != 0 ? fmt::format("; {} through a local stub, linked to the "
                                                       "application that asked",
                                                       plural(s.via_stub, "query", "queries"))
                                         : std::string());
    }
    t += "  by transport  ";
    bool any = false;
    for (std::size_t i = 0; i < s.by_transport.size(); ++i) {
        if (s.by_transport[i] != 0) {
            t += fmt::format(" {} {}", to_string(static_cast<Transport>(i)), s.by_transport[i]);
            any = true;
        }
    }
    t += any ? "\n" : " none\n";
    if (!s.top_destinations.empty()) {
        t += fmt::format("  top destinations{:<33} {:<6} {:>7} {:>7}\n", "", "", "sent", "leaks");
        for (const auto& d : s.top_destinations) {
            t += fmt::format("    {:<47} {:<6} {:>7} {:>7}\n",
                             endpoint(d.ip, d.port),
                             to_string(d.transport),
                             d.count,
                             d.leaks);
        }
    }
    if (!meta.interfaces.empty()) {
        t += "  interfaces\n";
        for (const auto& f : meta.interfaces) {
            t += fmt::format("    {:<16} {:<9} {}\n",
                             f.name.empty() ? std::string("-") : util::escaped_text(f.name),
                             util::escaped_text(f.route_class),
                             util::escaped_text(f.reason));
        }
    }
    if (c != nullptr) {
        t += fmt::format("  packets        {} read, {} decoded, {} loopback duplicates\n",
                         c->packets_read,
                         c->packets_decoded,
                         c->loopback_duplicates);
        t += fmt::format("  dropped        {} by the kernel, {} by the interface\n",
                         c->kernel_dropped,
                         c->interface_dropped);
        t += fmt::format("  malformed      {}", c->malformed.total());
        if (c->malformed.total() != 0) {
            std::string sep = " (";
            for (std::size_t i = 0; i < util::MALFORMED_CLASS_COUNT; ++i) {
                if (c->malformed.counts[i] != 0) {
                    t += fmt::format("{}{} {}",
                                     sep,
                                     util::to_string(static_cast<util::Malformed>(i)),
                                     c->malformed.counts[i]);
                    sep = ", ";
                }
            }
            t += ")";
        }
        t += "\n";
    }
    if (!meta.error.empty()) {
        t += "  error          " + util::escaped_text(meta.error) + "\n";
    }
    return t;
}

} // namespace wtfn::dnsleak
