// The leak rules' cost per event (they run on every DNS message): a clean query through the
// tunnel, a Leak-B on the physical path through a split policy with domain lists, and the
// full per-event output in redacted mode (registrable domain, keyed hash, evidence, JSON).
#include <cstring>

#include <benchmark/benchmark.h>

#include "dnsleak/report/event_json.h"
#include "dnsleak/rules/rule_engine.h"

namespace wtfn::dnsleak {
namespace {

struct Fixture {
    Policy policy;
    proto::DnsMessage message;
    ClassifiedEvent event;

    Fixture()
    {
        std::string error;
        parse_policy(R"({"schema_version":1,"based_on":"split","domains":{)"
                     R"("proxy_required":["blocked.example","*.news.example","a.b.c"],)"
                     R"("direct":["lan","corp.example","*.cdn.example"]}})",
                     "bench.json",
                     policy,
                     error);
        const char* name = "www.blocked.example";
        message.has_question = true;
        message.qdcount = 1;
        message.qtype = 1;
        message.qname.length = static_cast<std::uint16_t>(std::strlen(name));
        std::memcpy(message.qname.text.data(), name, message.qname.length);
        event.transport = Transport::udp53;
        event.route_class = platform::RouteClass::physical;
        event.interface = "eth0";
        event.ifindex = 2;
        event.direction = net::Direction::outbound;
        event.src = net::parse_ip("192.168.1.10");
        event.dst = net::parse_ip("192.168.1.1");
        event.src_port = 40000;
        event.dst_port = 53;
        event.dns = &message;
    }
};

void BM_JudgeCleanTunnelQuery(benchmark::State& state)
{
    Fixture f;
    f.event.route_class = platform::RouteClass::tunnel;
    RuleEngine engine(f.policy);
    std::int64_t ts = 0;
    for (auto _ : state) {
        f.event.ts_ns = ts += 2'000'000'000; // no duplicate window hits
        benchmark::DoNotOptimize(engine.judge(f.event).verdict);
    }
}

BENCHMARK(BM_JudgeCleanTunnelQuery);

void BM_JudgeLeakB(benchmark::State& state)
{
    Fixture f;
    RuleEngine engine(f.policy);
    std::int64_t ts = 0;
    for (auto _ : state) {
        f.event.ts_ns = ts += 2'000'000'000;
        benchmark::DoNotOptimize(engine.judge(f.event).verdict);
    }
}

BENCHMARK(BM_JudgeLeakB);

void BM_LeakEventJsonRedacted(benchmark::State& state)
{
    Fixture f;
    RuleEngine engine(f.policy);
    const NameHasher hasher{PrivacyKey{}};
    EventFormat format;
    format.privacy = PrivacyMode::redacted;
    format.hasher = &hasher;
    format.policy = &f.policy;
    std::string out;
    out.reserve(4096);
    for (auto _ : state) {
        ClassifiedEvent e = f.event;
        e.judgement = &engine.judge(e);
        out.clear();
        append_event_json(out, e, format);
        benchmark::DoNotOptimize(out.data());
    }
}

BENCHMARK(BM_LeakEventJsonRedacted);

} // namespace
} // namespace wtfn::dnsleak
