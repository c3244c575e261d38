// ReportReader: a JSON report and an NDJSON stream written by the real writers read back to
// exactly the summary their run built (443 flows, never written as events, included); two
// inputs merge; a --summary-only report adds its summary; and each class of bad input
// (RELIABILITY.md row 15) is one printable error line naming the input and where, except a
// stream cut short, which is a warning.
#include "dnsleak/report/report_reader.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "dnsleak/report/event_stream.h"
#include "dnsleak/report/human_report.h"
#include "dnsleak/report/json_report.h"

namespace wtfn::dnsleak {
namespace {

constexpr std::int64_t SECOND = 1'000'000'000;
constexpr std::int64_t T0 = 1'700'000'010 * SECOND;

// A run of a watch: events, the summary it builds, its counters and meta.
class WatchRun {
public:
    explicit WatchRun(std::int64_t start,
                      int leaks_in_burst = 6,
                      const char* resolver = "192.0.2.53")
    {
        policy_ = *builtin_policy("proxy-stub");
        query_.has_question = true;
        query_.qdcount = 1;
        query_.qtype = 1;
        query_.qclass = 1;
        const char* name = "q.example";
        query_.qname.length = 9;
        std::copy(name, name + 9, query_.qname.text.begin());
        response_ = query_;
        response_.flags = 0x8180;
        judgements_.reserve(256);

        // A 443 flow first: the run's first event is one no writer writes.
        ClassifiedEvent https = base(start, "203.0.113.7", 443, Transport::https_tcp);
        https.proto = net::L4::tcp;
        add(https);
        // A burst of leaks (type A, P1) from dig, 100 ms apart.
        for (int i = 0; i < leaks_in_burst; ++i) {
            ClassifiedEvent e = base(start + SECOND + i * SECOND / 10, resolver, 53);
            e.dns = &query_;
            e.owner = &dig_owner_;
            e.process = &dig_;
            add(e, Verdict::leak, LeakType::a, Severity::p1);
        }
        // Clean queries over two more minutes, with their responses (not judged).
        for (int i = 0; i < 4; ++i) {
            ClassifiedEvent q = base(start + 40 * SECOND * (i + 1), "10.8.0.53", 53);
            q.dns = &query_;
            add(q, Verdict::clean);
            ClassifiedEvent r =
                base(start + 40 * SECOND * (i + 1) + SECOND / 100, "10.8.0.1", 40000);
            r.src = net::parse_ip("10.8.0.53");
            r.src_port = 53;
            r.dns = &response_;
            add(r, Verdict::not_judged);
        }
        // DoT outside the encrypted egress (Leak-C, P2), IPv6, process unknown.
        ClassifiedEvent dot = base(start + 90 * SECOND, "2001:db8::853", 853, Transport::dot);
        dot.proto = net::L4::tcp;
        dot.tls_client_hello = true;
        add(dot, Verdict::leak, LeakType::c, Severity::p2);
        // A malformed query (header cut: no dns object), and mDNS (not judged).
        ClassifiedEvent bad = base(start + 100 * SECOND, resolver, 53);
        bad.malformed = util::Malformed::dns_truncated_header;
        add(bad, Verdict::leak, LeakType::a, Severity::p1);
        ClassifiedEvent mdns = base(start + 110 * SECOND, "224.0.0.251", 5353, Transport::mdns);
        mdns.dns = &query_;
        add(mdns, Verdict::not_judged);
        // A QUIC 443 flow last.
        add(base(start + 120 * SECOND, "203.0.113.8", 443, Transport::https_quic));

        counters_.packets_read = 40 + static_cast<std::uint64_t>(leaks_in_burst);
        counters_.packets_decoded = 38;
        counters_.dns_messages = 14;
        counters_.flows.created = 3;
        counters_.malformed.add(util::Malformed::dns_truncated_header);
        meta_.source_kind = "pcap";
        meta_.source_name = "trace.pcap";
        meta_.started_ns = start;
        meta_.ended_ns = start + 121 * SECOND;
        meta_.elapsed_ns = 1234 * 1'000'000LL;
        meta_.stop_reason = "end_of_input";
        meta_.policy_name = policy_.name;
        meta_.policy_source = "built-in";
        meta_.privacy = "full";
        meta_.interfaces.push_back({"wg0", 5, "tunnel", "kernel", "kernel: link kind wireguard"});
        meta_.interfaces.push_back({"eth0", 2, "physical", "kernel", "kernel: link kind veth"});
        meta_.interfaces.push_back({"tun\xe9\x1b[2J", 0, "tunnel", "name", "name: tun\xff"});
    }

    std::string report(bool include_events = true) const
    {
        return write([&](OutputStream& out) {
            JsonReportWriter w(out, include_events, format());
            w.begin(meta_);
            for (const auto& e : events_) {
                w.on_event(e);
            }
            w.finish(meta_, summary(), counters_);
        });
    }

    std::string stream(bool with_end = true) const
    {
        return write([&](OutputStream& out) {
            EventStreamWriter w(out, format());
            w.begin(meta_);
            for (const auto& e : events_) {
                w.on_event(e);
            }
            if (with_end) {
                w.finish(meta_, summary(), counters_);
            }
        });
    }

    Summary summary() const
    {
        SummaryBuilder b;
        for (const auto& e : events_) {
            b.on_event(e);
        }
        return b.build();
    }

    const CaptureCounters& counters() const { return counters_; }

    const std::vector<ClassifiedEvent>& events() const { return events_; }

private:
    ClassifiedEvent
    base(std::int64_t ts, const char* dst, std::uint16_t port, Transport t = Transport::udp53) const
    {
        ClassifiedEvent e;
        e.ts_ns = ts;
        e.transport = t;
        e.src = net::parse_ip(std::string(dst).find(':') != std::string::npos ? "2001:db8::2"
                                                                              : "10.8.0.1");
        e.src_port = 40000;
        e.dst = net::parse_ip(dst);
        e.dst_port = port;
        e.direction = net::Direction::outbound;
        e.route_class = platform::RouteClass::physical;
        return e;
    }

    void add(ClassifiedEvent e,
             Verdict v = Verdict::not_judged,
             LeakType t = LeakType::none,
             Severity s = Severity::p3,
             bool judged = true)
    {
        if (is_dns_like(e.transport) && judged) {
            Judgement j;
            j.verdict = v;
            j.leak_type = t;
            j.severity = s;
            j.rule_id = v == Verdict::leak ? "leak-a.off-path" : "clean.safe-path";
            judgements_.push_back(j);
            e.judgement = &judgements_.back();
        }
        events_.push_back(e);
    }

    EventFormat format() const
    {
        EventFormat f;
        f.privacy = PrivacyMode::full;
        f.policy = &policy_;
        return f;
    }

    template <typename F>
    static std::string write(F&& f)
    {
        std::FILE* tmp = std::tmpfile();
        EXPECT_NE(tmp, nullptr);
        {
            OutputStream out(fileno(tmp));
            f(out);
        }
        std::string text;
        std::rewind(tmp);
        char buf[65536];
        std::size_t n = 0;
        while ((n = std::fread(buf, 1, sizeof buf, tmp)) > 0) {
            text.append(buf, n);
        }
        std::fclose(tmp);
        return text;
    }

    Policy policy_;
    proto::DnsMessage query_;
    proto::DnsMessage response_;
    // Bytes outside printable ASCII are written as \u00NN and must read back as the same bytes.
    ProcessFacts dig_{"dig\xe9\x01", "/usr/bin/dig"};
    platform::FlowOwner dig_owner_ = [] {
        platform::FlowOwner o;
        o.kind = platform::OwnerKind::process;
        o.confidence = platform::OwnerConfidence::high;
        o.source = platform::OwnerSource::ebpf;
        o.process.pid = 4242;
        o.process.name = "dig\xe9\x01";
        o.process.exe = "/usr/bin/dig";
        return o;
    }();
    std::vector<Judgement> judgements_;
    std::vector<ClassifiedEvent> events_;
    CaptureCounters counters_;
    ReportMeta meta_;
};

void expect_same(const Summary& a, const Summary& b)
{
    EXPECT_EQ(a.dns_messages, b.dns_messages);
    EXPECT_EQ(a.queries, b.queries);
    EXPECT_EQ(a.responses, b.responses);
    EXPECT_EQ(a.malformed_messages, b.malformed_messages);
    EXPECT_EQ(a.encrypted_flows, b.encrypted_flows);
    EXPECT_EQ(a.by_transport, b.by_transport);
    EXPECT_EQ(a.by_verdict, b.by_verdict);
    EXPECT_EQ(a.leaks, b.leaks);
    EXPECT_EQ(a.leaks_by_type, b.leaks_by_type);
    EXPECT_EQ(a.leaks_by_severity, b.leaks_by_severity);
    ASSERT_EQ(a.top_destinations.size(), b.top_destinations.size());
    for (std::size_t i = 0; i < a.top_destinations.size(); ++i) {
        const auto& x = a.top_destinations[i];
        const auto& y = b.top_destinations[i];
        EXPECT_EQ(x.ip, y.ip) << i;
        EXPECT_EQ(x.port, y.port) << i;
        EXPECT_EQ(x.transport, y.transport) << i;
        EXPECT_EQ(x.count, y.count) << i;
        EXPECT_EQ(x.leaks, y.leaks) << i;
    }
    EXPECT_EQ(a.destinations_untracked, b.destinations_untracked);
    ASSERT_EQ(a.top_processes.size(), b.top_processes.size());
    for (std::size_t i = 0; i < a.top_processes.size(); ++i) {
        EXPECT_EQ(a.top_processes[i].name, b.top_processes[i].name);
        EXPECT_EQ(a.top_processes[i].leaks, b.top_processes[i].leaks);
    }
    EXPECT_EQ(a.leaks_process_unknown, b.leaks_process_unknown);
    ASSERT_EQ(a.timeline.size(), b.timeline.size());
    for (std::size_t i = 0; i < a.timeline.size(); ++i) {
        EXPECT_EQ(a.timeline[i].start_ns, b.timeline[i].start_ns);
        EXPECT_EQ(a.timeline[i].judged, b.timeline[i].judged);
        EXPECT_EQ(a.timeline[i].leaks, b.timeline[i].leaks);
    }
    EXPECT_EQ(a.timeline_untracked, b.timeline_untracked);
    ASSERT_EQ(a.bursts.size(), b.bursts.size());
    for (std::size_t i = 0; i < a.bursts.size(); ++i) {
        EXPECT_EQ(a.bursts[i].start_ns, b.bursts[i].start_ns);
        EXPECT_EQ(a.bursts[i].end_ns, b.bursts[i].end_ns);
        EXPECT_EQ(a.bursts[i].leaks, b.bursts[i].leaks);
    }
    EXPECT_EQ(a.first_event_ns, b.first_event_ns);
    EXPECT_EQ(a.last_event_ns, b.last_event_ns);
}

void expect_same(const CaptureCounters& a, const CaptureCounters& b)
{
    EXPECT_EQ(a.packets_read, b.packets_read);
    EXPECT_EQ(a.packets_decoded, b.packets_decoded);
    EXPECT_EQ(a.dns_messages, b.dns_messages);
    EXPECT_EQ(a.flows.created, b.flows.created);
    EXPECT_EQ(a.malformed.counts, b.malformed.counts);
}

// One printable line that starts with "NAME: ".
void expect_one_line(const std::string& msg, const std::string& name)
{
    EXPECT_EQ(msg.rfind(name + ": ", 0), 0U) << msg;
    for (const char c : msg) {
        const auto u = static_cast<unsigned char>(c);
        EXPECT_TRUE(u >= 0x20 && u < 0x7F) << "byte " << int(u) << " in: " << msg;
    }
}

std::string read_error(std::string_view bytes, const std::string& name = "in.json")
{
    ReportReader r;
    std::string error;
    EXPECT_FALSE(r.add_bytes(bytes, name, error)) << "read without error";
    expect_one_line(error, name);
    return error;
}

bool contains(const std::string& s, std::string_view part)
{
    return s.find(part) != std::string::npos;
}

TEST(ReportReader, AReportReadsBackToTheSummaryItsWatchBuilt)
{
    const WatchRun run(T0);
    const Summary want = run.summary();
    ASSERT_EQ(want.bursts.size(), 1U); // the test covers every part of a summary
    ASSERT_GE(want.timeline.size(), 2U);
    ASSERT_EQ(want.top_processes.size(), 1U);
    ASSERT_NE(want.by_transport[static_cast<std::size_t>(Transport::https_tcp)], 0U);
    ASSERT_LT(want.first_event_ns, T0 + SECOND); // a 443 flow, never written as an event
    ReportReader r;
    std::string error;
    ASSERT_TRUE(r.add_bytes(run.report(), "r.json", error)) << error;
    const MergedReport m = r.result();
    expect_same(m.summary, want);
    ASSERT_TRUE(m.counters.has_value());
    expect_same(*m.counters, run.counters());
    ASSERT_EQ(m.inputs.size(), 1U);
    EXPECT_EQ(m.inputs[0].format, InputFormat::report);
    EXPECT_EQ(m.inputs[0].events, run.events().size() - 2); // the two 443 flows are not written
    EXPECT_TRUE(m.inputs[0].complete);
    EXPECT_EQ(m.inputs[0].warning, "");
    EXPECT_EQ(m.meta.command, "dns leak report");
    EXPECT_EQ(m.meta.source_kind, "report");
    EXPECT_EQ(m.meta.source_name, "r.json");
    EXPECT_EQ(m.meta.stop_reason, "end_of_input");
    EXPECT_EQ(m.meta.elapsed_ns, 1234 * 1'000'000LL);
    EXPECT_EQ(m.meta.policy_name, "proxy-stub");
    EXPECT_EQ(m.meta.privacy, "full");
    EXPECT_FALSE(m.meta.partial);
    ASSERT_EQ(m.meta.interfaces.size(), 3U);
    EXPECT_EQ(m.meta.interfaces[0].name, "wg0");
    EXPECT_EQ(m.meta.interfaces[0].ifindex, 5U);
    EXPECT_EQ(m.meta.interfaces[0].reason, "kernel: link kind wireguard");
    EXPECT_EQ(m.meta.interfaces[2].name, "tun\xe9\x1b[2J");
    EXPECT_EQ(m.meta.interfaces[2].reason, "name: tun\xff");
    EXPECT_EQ(m.summary.top_processes[0].name, "dig\xe9\x01");
}

TEST(ReportReader, AStreamReadsBackToTheSameSummary)
{
    const WatchRun run(T0);
    ReportReader r;
    std::string error;
    ASSERT_TRUE(r.add_bytes(run.stream(), "e.ndjson", error)) << error;
    const MergedReport m = r.result();
    expect_same(m.summary, run.summary());
    ASSERT_TRUE(m.counters.has_value());
    expect_same(*m.counters, run.counters());
    EXPECT_EQ(m.inputs[0].format, InputFormat::ndjson);
    EXPECT_TRUE(m.inputs[0].complete);
    EXPECT_EQ(m.meta.stop_reason, "end_of_input");
}

TEST(ReportReader, TwoInputsMerge)
{
    const WatchRun a(T0, 6);
    const WatchRun b(T0 + 3600 * SECOND, 8); // an hour later, more leaks, the same resolver
    ReportReader r;
    std::string error;
    ASSERT_TRUE(r.add_bytes(a.report(), "a.json", error)) << error;
    ASSERT_TRUE(r.add_bytes(b.stream(), "b.ndjson", error)) << error;
    const MergedReport m = r.result();
    const Summary sa = a.summary();
    const Summary sb = b.summary();
    EXPECT_EQ(m.summary.leaks, sa.leaks + sb.leaks);
    EXPECT_EQ(m.summary.dns_messages, sa.dns_messages + sb.dns_messages);
    for (std::size_t i = 0; i < m.summary.by_transport.size(); ++i) {
        EXPECT_EQ(m.summary.by_transport[i], sa.by_transport[i] + sb.by_transport[i]) << i;
    }
    for (std::size_t i = 0; i < m.summary.by_verdict.size(); ++i) {
        EXPECT_EQ(m.summary.by_verdict[i], sa.by_verdict[i] + sb.by_verdict[i]) << i;
    }
    // Destinations merge: 192.0.2.53:53 took 7 queries in a and 9 in b.
    ASSERT_FALSE(m.summary.top_destinations.empty());
    EXPECT_EQ(m.summary.top_destinations[0].ip.to_string(), "192.0.2.53");
    EXPECT_EQ(m.summary.top_destinations[0].count, 7U + 9U);
    EXPECT_EQ(m.summary.top_destinations[0].leaks, 7U + 9U);
    EXPECT_EQ(m.summary.top_destinations.size(), sa.top_destinations.size());
    EXPECT_EQ(m.summary.top_processes[0].leaks, 6U + 8U);
    EXPECT_EQ(m.summary.bursts.size(), 2U);
    EXPECT_EQ(m.summary.timeline.size(), sa.timeline.size() + sb.timeline.size());
    EXPECT_EQ(m.summary.first_event_ns, sa.first_event_ns);
    EXPECT_EQ(m.summary.last_event_ns, sb.last_event_ns);
    ASSERT_TRUE(m.counters.has_value());
    EXPECT_EQ(m.counters->packets_read, a.counters().packets_read + b.counters().packets_read);
    EXPECT_EQ(m.counters->malformed.get(util::Malformed::dns_truncated_header), 2U);
    EXPECT_EQ(m.meta.stop_reason, "merged");
    EXPECT_EQ(m.meta.source_name, "a.json, b.ndjson");
    EXPECT_EQ(m.meta.elapsed_ns, 2 * 1234 * 1'000'000LL);
    EXPECT_EQ(m.meta.interfaces.size(), 3U); // the same three interfaces in both
}

TEST(ReportReader, ASummaryOnlyReportAddsItsSummary)
{
    const WatchRun run(T0);
    const std::string text = run.report(false);
    ASSERT_EQ(text.find("\"events\""), std::string::npos);
    ReportReader r;
    std::string error;
    ASSERT_TRUE(r.add_bytes(text, "s.json", error)) << error;
    // Twice: the second adds to the first.
    ASSERT_TRUE(r.add_bytes(text, "s.json", error)) << error;
    const MergedReport m = r.result();
    const Summary want = run.summary();
    EXPECT_EQ(m.inputs[0].events, 0U);
    EXPECT_EQ(m.summary.leaks, 2 * want.leaks);
    EXPECT_EQ(m.summary.by_verdict[static_cast<std::size_t>(Verdict::clean)],
              2 * want.by_verdict[static_cast<std::size_t>(Verdict::clean)]);
    ASSERT_EQ(m.summary.top_destinations.size(), want.top_destinations.size());
    EXPECT_EQ(m.summary.top_destinations[0].count, 2 * want.top_destinations[0].count);
    EXPECT_EQ(m.summary.first_event_ns, want.first_event_ns);

    ReportReader once;
    ASSERT_TRUE(once.add_bytes(text, "s.json", error)) << error;
    expect_same(once.result().summary, want);
}

TEST(ReportReader, ItsOwnJsonReadsBackAsASummaryOnlyInput)
{
    const WatchRun run(T0);
    ReportReader r;
    std::string error;
    ASSERT_TRUE(r.add_bytes(run.report(), "r.json", error)) << error;
    const std::string merged = merged_report_json(r.result());
    ReportReader again;
    ASSERT_TRUE(again.add_bytes(merged, "merged.json", error)) << error;
    expect_same(again.result().summary, run.summary());
    // Summary and counters are written back byte for byte.
    const std::string twice = merged_report_json(again.result());
    EXPECT_EQ(twice.substr(twice.find("\"summary\"")), merged.substr(merged.find("\"summary\"")));
}

TEST(ReportReader, MissingFileAndDirectoryAreOneLineErrors)
{
    ReportReader r;
    std::string error;
    EXPECT_FALSE(r.add_file("/nonexistent/r.json", error));
    expect_one_line(error, "/nonexistent/r.json");
    EXPECT_TRUE(contains(error, "No such file or directory")) << error;
    const std::string dir = std::filesystem::temp_directory_path().string();
    ReportReader r2;
    EXPECT_FALSE(r2.add_file(dir, error));
    expect_one_line(error, dir);
    EXPECT_TRUE(contains(error, "Is a directory")) << error;
}

TEST(ReportReader, AFileIsReadLikeTheSameBytes)
{
    const WatchRun run(T0);
    const std::string path = std::filesystem::temp_directory_path() /
                             ("report_reader_test." + std::to_string(getpid()) + ".ndjson");
    {
        std::ofstream(path, std::ios::binary) << run.stream();
    }
    ReportReader r;
    std::string error;
    const bool ok = r.add_file(path, error);
    std::filesystem::remove(path);
    ASSERT_TRUE(ok) << error;
    expect_same(r.result().summary, run.summary());
}

TEST(ReportReader, BinaryGarbageIsASyntaxErrorWithLineColumnAndByte)
{
    std::string garbage = "\x89PNG\r\n\x1a\n";
    garbage += std::string(64, '\xff');
    const std::string error = read_error(garbage, "g.bin");
    EXPECT_EQ(error,
              "g.bin: not a wtfn report or event stream: JSON syntax error at line 1 column 1 "
              "(byte 0)");
    const std::string later = read_error("{\"schema_version\":1,\n \"summary\": x}", "x.json");
    EXPECT_TRUE(contains(later, "JSON syntax error at line 2 column 13 (byte 33)")) << later;
}

TEST(ReportReader, ATruncatedReportIsAnErrorWithItsByteOffset)
{
    const WatchRun run(T0);
    const std::string text = run.report();
    const std::string cut = text.substr(0, text.size() / 2);
    const std::string error = read_error(cut, "r.json");
    EXPECT_TRUE(contains(error, "cut short at byte " + std::to_string(cut.size()))) << error;
}

TEST(ReportReader, ACutLastStreamLineIsAWarning)
{
    const WatchRun run(T0);
    const std::string text = run.stream();
    // Cut the end record in its middle.
    const std::size_t last = text.rfind('\n', text.size() - 2);
    const std::string cut = text.substr(0, last + 40);
    const auto lines = static_cast<std::size_t>(std::count(cut.begin(), cut.end(), '\n'));
    ReportReader r;
    std::string error;
    ASSERT_TRUE(r.add_bytes(cut, "e.ndjson", error)) << error;
    const MergedReport m = r.result();
    EXPECT_FALSE(m.inputs[0].complete);
    EXPECT_EQ(m.inputs[0].warning,
              "e.ndjson: line " + std::to_string(lines + 1) +
                  " is cut short (the run was interrupted?); the " + std::to_string(lines) +
                  " lines before it are used");
    EXPECT_EQ(m.inputs[0].events, run.events().size() - 2);
    EXPECT_TRUE(m.meta.partial);
    EXPECT_EQ(m.meta.stop_reason, "incomplete");
    EXPECT_FALSE(m.counters.has_value()); // the end record, with the counters, is gone
    EXPECT_EQ(m.summary.leaks, run.summary().leaks);

    // Without the end record at all: a warning too.
    ReportReader r2;
    ASSERT_TRUE(r2.add_bytes(run.stream(false), "e.ndjson", error)) << error;
    EXPECT_FALSE(r2.inputs()[0].complete);
    EXPECT_TRUE(contains(r2.inputs()[0].warning, "no \"end\" record")) << r2.inputs()[0].warning;

    // A cut line that is not the last one is damage: an error naming the line.
    const std::string middle =
        text.substr(0, text.find('\n') + 30) + "\n" + text.substr(text.find('\n') + 1);
    const std::string e2 = read_error(middle, "e.ndjson");
    EXPECT_TRUE(contains(e2,
                         "e.ndjson: line 2: not a wtfn event stream record: JSON syntax "
                         "error"))
        << e2;
}

TEST(ReportReader, DeepNestingIsRefusedBeforeItIsBuilt)
{
    const std::string open(200000, '[');
    const std::string close(200000, ']');
    const std::string array = read_error(open + close, "deep.json");
    EXPECT_TRUE(contains(array, "the top level is an array, not an object")) << array;
    const std::string in_event =
        read_error("{\"schema_version\":1,\"events\":[" + open + close + "]}", "deep.json");
    EXPECT_EQ(in_event,
              "deep.json: nested deeper than 64 levels: not a wtfn report (a report is 7 levels "
              "deep)");
    std::string objects;
    for (int i = 0; i < 200000; ++i) {
        objects += "{\"a\":";
    }
    objects += "1" + std::string(200000, '}');
    const std::string in_summary =
        read_error("{\"schema_version\":1,\"summary\":" + objects + "}", "deep.json");
    EXPECT_TRUE(contains(in_summary, "nested deeper than 64 levels")) << in_summary;
    const std::string line = read_error(
        "{\"record\":\"start\",\"schema_version\":1}\n{\"record\":\"event\",\"x\":" + open + close +
            "}\n",
        "deep.ndjson");
    EXPECT_EQ(line,
              "deep.ndjson: line 2: nested deeper than 64 levels: not a wtfn event stream "
              "record");
    // 64 levels are fine, 65 are not.
    const std::string ok64 = "{\"schema_version\":1,\"summary\":{},\"x\":" + std::string(63, '[') +
                             std::string(63, ']') + "}";
    ReportReader r;
    std::string error;
    EXPECT_TRUE(r.add_bytes(ok64, "ok.json", error)) << error;
    const std::string deep65 = "{\"schema_version\":1,\"summary\":{\"x\":" + std::string(63, '[') +
                               std::string(63, ']') + "}}";
    EXPECT_TRUE(contains(read_error(deep65), "nested deeper than 64 levels"));
}

TEST(ReportReader, ANewerSchemaIsRefusedWithBothVersions)
{
    EXPECT_EQ(read_error("{\"schema_version\":7,\"events\":[{\"ts_ns\":\"from the future\"}]}",
                         "new.json"),
              "new.json: schema_version 7 is newer than this wtfn understands (1); upgrade wtfn");
    EXPECT_EQ(read_error("{\"record\":\"start\",\"schema_version\":2}\n", "new.ndjson"),
              "new.ndjson: line 1: schema_version 2 is newer than this wtfn understands (1); "
              "upgrade wtfn");
}

TEST(ReportReader, AMissingSchemaVersionIsAnError)
{
    EXPECT_TRUE(
        contains(read_error("{\"summary\":{}}", "a.json"), "a.json: schema_version is missing"));
    EXPECT_TRUE(contains(read_error("{\"record\":\"start\"}\n", "a.ndjson"),
                         "a.ndjson: line 1: schema_version is missing"));
    EXPECT_TRUE(contains(read_error("{\"schema_version\":\"1\",\"summary\":{}}", "a.json"),
                         "schema_version: expected a whole number, got a string"));
}

TEST(ReportReader, WrongTypesNameTheEventOrLineAndTheKey)
{
    const std::string head = "{\"schema_version\":1,\"events\":[";
    const std::string good = "{\"ts_ns\":1700000000000000000,\"transport\":\"udp53\",\"dns\":"
                             "{\"qr\":\"query\"},\"dst_ip\":\"192.0.2.1\",\"dst_port\":53}";
    EXPECT_EQ(read_error(head + good + ",{\"ts_ns\":\"x\"}]}"),
              "in.json: events[1]: ts_ns: expected a time in nanoseconds (a whole number), got a "
              "string");
    EXPECT_EQ(read_error("{\"schema_version\":1,\"events\":5}"),
              "in.json: events: expected an array, got an integer");
    EXPECT_EQ(read_error(head + "[]]}"),
              "in.json: events[0]: expected an event object, got an array");
    EXPECT_EQ(read_error(head + good + "]," + "\"counters\":{\"flows\":{\"created\":-1}}}"),
              "in.json: counters.flows.created: -1 is negative; expected a count");
    EXPECT_EQ(read_error(head + good + "],\"summary\":{\"top_destinations\":[{\"ip\":\"x\"}]}}"),
              "in.json: summary.top_destinations[0].ip: \"x\" is not an IP address");
    std::string bad_qr = good;
    bad_qr.replace(bad_qr.find("query"), 5, "quer\\u001by");
    EXPECT_EQ(read_error(head + bad_qr + "]}"),
              "in.json: events[0]: dns.qr: \"quer\\x1by\" is neither \"query\" nor \"response\"");
    EXPECT_EQ(read_error("{\"record\":\"start\",\"schema_version\":1}\n{\"record\":\"event\","
                         "\"ts_ns\":1,\"transport\":\"udp53\",\"dns\":null,\"dst_ip\":\"::1\","
                         "\"dst_port\":70000}\n",
                         "e.ndjson"),
              "e.ndjson: line 2: dst_port: 70000 is not a port (0-65535)");
    EXPECT_EQ(read_error(head + good + "],\"policy\":\"proxy-stub\"}"),
              "in.json: policy: expected an object, got a string");
    EXPECT_TRUE(contains(read_error(head + "{\"ts_ns\":9223372036854775807}]}"),
                         "is not a time wtfn writes"));
}

TEST(ReportReader, AnOverLongLineIsAnErrorNamingTheLine)
{
    const std::string text = "{\"record\":\"start\",\"schema_version\":1}\n{\"record\":\"event\","
                             "\"x\":\"" +
                             std::string(REPORT_MAX_LINE, 'a') + "\"}\n";
    EXPECT_EQ(read_error(text, "e.ndjson"),
              "e.ndjson: line 2 is longer than 1 MiB: not a wtfn event stream (its lines are a few "
              "KiB)");
}

TEST(ReportReader, AnEmptyInputIsAnError)
{
    EXPECT_EQ(read_error("", "empty.json"),
              "empty.json: empty: not a wtfn report or event stream (did the watch write "
              "nothing?)");
    EXPECT_TRUE(contains(read_error(" \n\n", "blank.json"), "empty"));
}

TEST(ReportReader, OtherWtfnDocumentsAreNamed)
{
    EXPECT_EQ(read_error("{\"schema_version\":1,\"kind\":\"wtfn.dns_leak_status\"}", "s.json"),
              "s.json: a \"wtfn.dns_leak_status\" document, not a report or event stream of "
              "`wtfn dns leak watch`");
    EXPECT_TRUE(contains(read_error("{\"schema_version\":1}", "x.json"),
                         "holds neither \"events\" nor \"summary\""));
}

TEST(ReportReader, TextFromAFileReachesTheTerminalEscaped)
{
    // A file can hold anything in the run's text fields; format_summary() escapes every one,
    // and the JSON writer escapes on output, so the reader keeps the values as they are.
    const std::string text =
        "{\"schema_version\":1,\"privacy\":\"full\\u001b[2J\",\"policy\":{\"name\":"
        "\"p\\u001b]0;x\\u0007\"},\"stop_reason\":\"end\\u009b1m\",\"error\":\"e\\n2\","
        "\"interfaces\":[{\"name\":\"e\\u001b\",\"route_class\":\"tun\\u001bnel\","
        "\"route_class_reason\":\"\\u001b[31m\"}],\"summary\":{\"leaks\":{\"total\":1},"
        "\"top_processes\":[{\"name\":\"\\u001b[H\",\"leaks\":1}]}}";
    ReportReader r;
    std::string error;
    ASSERT_TRUE(r.add_bytes(text, "hostile.json", error)) << error;
    const MergedReport m = r.result();
    const std::string shown = format_summary(m.meta, m.summary, nullptr, false);
    for (const char c : shown) {
        const auto u = static_cast<unsigned char>(c);
        EXPECT_TRUE(c == '\n' || (u >= 0x20 && u < 0x7F)) << "byte " << int(u) << " in:\n" << shown;
    }
    EXPECT_EQ(m.meta.privacy, "full\x1b[2J");
    EXPECT_TRUE(contains(shown, "Summary (end\\x9b1m; ")) << shown;
    EXPECT_TRUE(contains(shown, "privacy full\\x1b[2J)")) << shown;
    EXPECT_TRUE(contains(shown, "tun\\x1bnel")) << shown;
    EXPECT_TRUE(contains(merged_report_json(m), "\"privacy\":\"full\\u001b[2J\""))
        << merged_report_json(m);
}

TEST(ReportReader, StdinIsNamedInMessages)
{
    ReportReader r;
    std::string error;
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    ASSERT_EQ(write(fds[1], "x", 1), 1);
    close(fds[1]);
    EXPECT_FALSE(r.add_fd(fds[0], "-", error));
    close(fds[0]);
    EXPECT_EQ(error.rfind("stdin: not a wtfn report", 0), 0U) << error;
}

} // namespace
} // namespace wtfn::dnsleak
