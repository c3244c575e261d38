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

void append_message(std::string& out, const ClassifiedEvent& e)
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
            util::append_escaped_text(out, m.qname.view());
        } else {
            out += "(no question)";
        }
        for (std::size_t i = 0; i < m.answer_count && i < 4; ++i) {
            const auto& rec = m.answers[i];
            out += i == 0 ? " -> " : ", ";
            if (rec.has_target) {
                util::append_escaped_text(out, rec.target.view());
            }
            for (std::size_t a = 0; a < rec.addr_count; ++a) {
                if (a != 0 || rec.has_target) {
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

} // namespace

HumanReport::HumanReport(OutputStream& out, Progress& progress, bool show_events)
    : out_(out),
      progress_(progress),
      show_events_(show_events)
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
    text += "\n";
    out_.write(text);
}

void HumanReport::on_event(const ClassifiedEvent& e)
{
    if (!show_events_ || !is_dns_like(e.transport)) {
        return;
    }
    line_.clear();
    if (!header_printed_) {
        line_ += fmt::format("{:<12}  {:<3}  {:<12}  {:<8}  {:<9}  {:<47}  {}\n",
                             "TIME (UTC)",
                             "DIR",
                             "INTERFACE",
                             "CLASS",
                             "TRANSPORT",
                             "SOURCE -> DESTINATION",
                             "MESSAGE");
        header_printed_ = true;
    }
    const std::string iface = e.interface.empty() ? "-" : util::escaped_text(e.interface);
    const std::string flow = endpoint(e.src, e.src_port) + " -> " + endpoint(e.dst, e.dst_port);
    line_ += fmt::format("{:<12}  {:<3}  {:<12}  {:<8}  {:<9}  {:<47}  ",
                         util::format_clock_utc(e.ts_ns),
                         direction_name(e.direction),
                         iface,
                         to_string(e.route_class),
                         to_string(e.transport),
                         flow);
    append_message(line_, e);
    line_.push_back('\n');
    progress_.clear();
    out_.write(line_);
}

bool HumanReport::finish(const ReportMeta& meta, const Summary& s, const CaptureCounters& c)
{
    std::string t;
    t += fmt::format("\nSummary ({}; {:.1f} s{})\n",
                     meta.stop_reason,
                     static_cast<double>(meta.elapsed_ns) / 1e9,
                     meta.partial ? "; partial" : "");
    t += fmt::format("  DNS messages   {} ({} queries, {} responses, {} malformed)\n",
                     s.dns_messages,
                     s.queries,
                     s.responses,
                     s.malformed_messages);
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
        t += "  top destinations\n";
        for (const auto& d : s.top_destinations) {
            t += fmt::format(
                "    {:<47} {:<6} {}\n", endpoint(d.ip, d.port), to_string(d.transport), d.count);
        }
    }
    if (!meta.interfaces.empty()) {
        t += "  interfaces\n";
        for (const auto& f : meta.interfaces) {
            t += fmt::format("    {:<16} {:<9} {}\n",
                             f.name.empty() ? std::string("-") : util::escaped_text(f.name),
                             f.route_class,
                             f.reason);
        }
    }
    t += fmt::format("  packets        {} read, {} decoded, {} loopback duplicates\n",
                     c.packets_read,
                     c.packets_decoded,
                     c.loopback_duplicates);
    t += fmt::format("  dropped        {} by the kernel, {} by the interface\n",
                     c.kernel_dropped,
                     c.interface_dropped);
    t += fmt::format("  malformed      {}", c.malformed.total());
    if (c.malformed.total() != 0) {
        std::string sep = " (";
        for (std::size_t i = 0; i < util::MALFORMED_CLASS_COUNT; ++i) {
            if (c.malformed.counts[i] != 0) {
                t += fmt::format("{}{} {}",
                                 sep,
                                 util::to_string(static_cast<util::Malformed>(i)),
                                 c.malformed.counts[i]);
                sep = ", ";
            }
        }
        t += ")";
    }
    t += "\n";
    if (!meta.error.empty()) {
        t += "  error          " + util::escaped_text(meta.error) + "\n";
    }
    progress_.clear();
    return out_.write(t);
}

} // namespace wtfn::dnsleak
