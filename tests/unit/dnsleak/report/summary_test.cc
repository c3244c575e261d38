// SummaryBuilder: verdict and leak counts, destinations with their leaks, leaking processes,
// the per-minute timeline, bursts, and merging a saved summary.
#include "dnsleak/report/summary.h"

#include <gtest/gtest.h>

namespace wtfn::dnsleak {
namespace {

constexpr std::int64_t SECOND = 1'000'000'000;
constexpr std::int64_t T0 = 1'700'000'080 * SECOND; // 40 s into a minute

EventFacts leak_at(std::int64_t ts, LeakType type, Severity sev, std::string_view proc = {})
{
    EventFacts f;
    f.ts_ns = ts;
    f.transport = type == LeakType::c ? Transport::dot : Transport::udp53;
    f.has_dns = type != LeakType::c;
    f.dst = net::parse_ip("192.0.2.53");
    f.dst_port = type == LeakType::c ? 853 : 53;
    f.judged = true;
    f.verdict = Verdict::leak;
    f.leak_type = type;
    f.severity = sev;
    f.process_name = proc;
    return f;
}

EventFacts clean_at(std::int64_t ts)
{
    EventFacts f;
    f.ts_ns = ts;
    f.has_dns = true;
    f.dst = net::parse_ip("10.8.0.53");
    f.dst_port = 53;
    f.judged = true;
    f.verdict = Verdict::clean;
    return f;
}

TEST(Summary, CountsVerdictsLeaksDestinationsAndProcesses)
{
    SummaryBuilder b;
    b.add(leak_at(T0, LeakType::a, Severity::p1, "dig"));
    b.add(leak_at(T0 + SECOND * 3, LeakType::b, Severity::p0, "dig"));
    b.add(leak_at(T0 + SECOND * 6, LeakType::c, Severity::p1, "firefox"));
    b.add(leak_at(T0 + SECOND * 9, LeakType::a, Severity::p2));
    b.add(clean_at(T0 + SECOND));
    EventFacts response = clean_at(T0 + SECOND * 2);
    response.is_response = true;
    response.verdict = Verdict::not_judged;
    b.add(response);
    EventFacts https; // not judged at all: no verdict
    https.ts_ns = T0;
    https.transport = Transport::https_tcp;
    b.add(https);

    const Summary s = b.build();
    EXPECT_EQ(s.leaks, 4U);
    EXPECT_EQ(s.by_verdict[static_cast<std::size_t>(Verdict::leak)], 4U);
    EXPECT_EQ(s.by_verdict[static_cast<std::size_t>(Verdict::clean)], 1U);
    EXPECT_EQ(s.by_verdict[static_cast<std::size_t>(Verdict::not_judged)], 1U);
    EXPECT_EQ(s.leaks_by_type[index_of(LeakType::a)], 2U);
    EXPECT_EQ(s.leaks_by_type[index_of(LeakType::b)], 1U);
    EXPECT_EQ(s.leaks_by_type[index_of(LeakType::c)], 1U);
    EXPECT_EQ(s.leaks_by_type[index_of(LeakType::d)], 0U);
    EXPECT_EQ(s.leaks_by_severity[index_of(Severity::p0)], 1U);
    EXPECT_EQ(s.leaks_by_severity[index_of(Severity::p1)], 2U);
    EXPECT_EQ(s.leaks_by_severity[index_of(Severity::p2)], 1U);
    ASSERT_EQ(s.top_processes.size(), 2U);
    EXPECT_EQ(s.top_processes[0].name, "dig");
    EXPECT_EQ(s.top_processes[0].leaks, 2U);
    EXPECT_EQ(s.top_processes[1].name, "firefox");
    EXPECT_EQ(s.leaks_process_unknown, 1U);
    // Destinations: the resolver queries went to, with how many of them leaked; the
    // response's destination (the client) is not a resolver.
    ASSERT_EQ(s.top_destinations.size(), 3U);
    EXPECT_EQ(s.top_destinations[0].ip.to_string(), "192.0.2.53");
    EXPECT_EQ(s.top_destinations[0].port, 53);
    EXPECT_EQ(s.top_destinations[0].count, 3U);
    EXPECT_EQ(s.top_destinations[0].leaks, 3U);
    // Four leaks spread over 9 s with gaps of 3 s: no burst.
    EXPECT_TRUE(s.bursts.empty());
}

TEST(Summary, TimelineBucketsByMinute)
{
    SummaryBuilder b;
    b.add(leak_at(T0, LeakType::a, Severity::p1));
    b.add(clean_at(T0 + 10 * SECOND));                           // 50 s into the same minute
    b.add(leak_at(T0 + 30 * SECOND, LeakType::a, Severity::p1)); // next minute
    const Summary s = b.build();
    ASSERT_EQ(s.timeline.size(), 2U);
    EXPECT_EQ(s.timeline[0].start_ns, T0 - 40 * SECOND);
    EXPECT_EQ(s.timeline[0].judged, 2U);
    EXPECT_EQ(s.timeline[0].leaks, 1U);
    EXPECT_EQ(s.timeline[1].start_ns, T0 + 20 * SECOND);
    EXPECT_EQ(s.timeline[1].leaks, 1U);
}

TEST(Summary, FiveLeaksWithinASecondOfEachOtherAreABurst)
{
    SummaryBuilder b;
    // Four close leaks: not yet a burst.
    for (int i = 0; i < 4; ++i) {
        b.add(leak_at(T0 + i * SECOND / 2, LeakType::a, Severity::p1));
    }
    EXPECT_TRUE(b.build().bursts.empty());
    // A fifth, 0.9 s after the fourth; then a lone leak 10 s later; events out of order.
    b.add(leak_at(T0 + 60 * SECOND, LeakType::a, Severity::p1));
    b.add(leak_at(T0 + SECOND * 3 / 2 + SECOND * 9 / 10, LeakType::a, Severity::p1));
    const Summary s = b.build();
    ASSERT_EQ(s.bursts.size(), 1U);
    EXPECT_EQ(s.bursts[0].leaks, 5U);
    EXPECT_EQ(s.bursts[0].start_ns, T0);
    EXPECT_EQ(s.bursts[0].end_ns, T0 + SECOND * 3 / 2 + SECOND * 9 / 10);
}

TEST(Summary, MergeAddsASavedSummary)
{
    SummaryBuilder one;
    for (int i = 0; i < 6; ++i) {
        one.add(leak_at(T0 + i * SECOND / 10, LeakType::b, Severity::p0, "curl"));
    }
    one.add(clean_at(T0));
    const Summary a = one.build();
    ASSERT_EQ(a.bursts.size(), 1U);

    SummaryBuilder merged;
    merged.merge(a);
    merged.add(leak_at(T0 + 100 * SECOND, LeakType::a, Severity::p1, "curl"));
    const Summary m = merged.build();
    EXPECT_EQ(m.leaks, 7U);
    EXPECT_EQ(m.leaks_by_type[index_of(LeakType::b)], 6U);
    EXPECT_EQ(m.leaks_by_type[index_of(LeakType::a)], 1U);
    EXPECT_EQ(m.by_verdict[static_cast<std::size_t>(Verdict::clean)], 1U);
    ASSERT_EQ(m.top_processes.size(), 1U);
    EXPECT_EQ(m.top_processes[0].leaks, 7U);
    ASSERT_EQ(m.top_destinations.size(), 2U);
    EXPECT_EQ(m.top_destinations[0].count, 7U);
    EXPECT_EQ(m.bursts.size(), 1U); // the saved burst is kept
    EXPECT_EQ(m.first_event_ns, T0);
    EXPECT_EQ(m.last_event_ns, T0 + 100 * SECOND);
}

TEST(Summary, TablesAreBounded)
{
    SummaryBuilder b;
    for (std::size_t i = 0; i < SummaryBuilder::MAX_DESTINATIONS + 10; ++i) {
        EventFacts f = clean_at(T0);
        f.dst.version = 4;
        f.dst.bytes[0] = static_cast<std::uint8_t>(i >> 16);
        f.dst.bytes[1] = static_cast<std::uint8_t>(i >> 8);
        f.dst.bytes[2] = static_cast<std::uint8_t>(i);
        b.add(f);
    }
    const Summary s = b.build();
    EXPECT_EQ(s.top_destinations.size(), 10U);
    EXPECT_EQ(s.destinations_untracked, 10U);
}

} // namespace
} // namespace wtfn::dnsleak
