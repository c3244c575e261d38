// The rules around the matrix: what is not judged and why, second sightings, interface
// patterns, process entries, the severity table and the domain lists' precedence.
#include "dnsleak/rules/leak_rules.h"

#include <cstring>

#include <gtest/gtest.h>

#include "dnsleak/rules/path_check.h"
#include "dnsleak/rules/rule_engine.h"
#include "dnsleak/rules/severity.h"

namespace wtfn::dnsleak {
namespace {

using platform::RouteClass;

void set_qname(proto::DnsMessage& m, const char* name)
{
    m.has_question = true;
    m.qdcount = 1;
    m.qname.length = static_cast<std::uint16_t>(std::strlen(name));
    std::memcpy(m.qname.text.data(), name, m.qname.length);
}

ClassifiedEvent physical_query(const proto::DnsMessage* m)
{
    ClassifiedEvent e;
    e.ts_ns = 5'000'000'000;
    e.transport = Transport::udp53;
    e.route_class = RouteClass::physical;
    e.interface = "eth0";
    e.ifindex = 2;
    e.direction = net::Direction::outbound;
    e.src = net::parse_ip("192.168.1.10");
    e.dst = net::parse_ip("192.168.1.1");
    e.src_port = 33333;
    e.dst_port = 53;
    e.dns = m;
    return e;
}

Policy profile(const char* name)
{
    auto p = builtin_policy(name);
    EXPECT_TRUE(p);
    return *p;
}

TEST(NotJudgedRule, ResponsesInboundQueriesAndLocalLinkAreNotJudged)
{
    const Policy p = profile("full-tunnel");
    RuleEngine engine(p);
    proto::DnsMessage m;
    set_qname(m, "a.example");

    m.flags = 0x8000; // QR: a response
    ClassifiedEvent e = physical_query(&m);
    EXPECT_EQ(engine.judge(e).rule_id, "skip.response");
    EXPECT_EQ(engine.judge(e).verdict, Verdict::not_judged);

    m.flags = 0;
    e.direction = net::Direction::inbound;
    EXPECT_EQ(engine.judge(e).rule_id, "skip.inbound");

    e.direction = net::Direction::outbound;
    e.transport = Transport::mdns;
    EXPECT_EQ(engine.judge(e).rule_id, "skip.local-link");
    e.transport = Transport::llmnr;
    EXPECT_EQ(engine.judge(e).rule_id, "skip.local-link");

    // Direction unknown (a capture file without it) is judged as if it left.
    e.transport = Transport::udp53;
    e.direction = net::Direction::unknown;
    EXPECT_EQ(engine.judge(e).rule_id, "leak-a.off-safe-path");
}

TEST(NotJudgedRule, ASecondSightingOnAnotherInterfaceIsNotJudgedAgain)
{
    const Policy p = profile("full-tunnel");
    RuleEngine engine(p);
    proto::DnsMessage m;
    set_qname(m, "a.example");
    m.id = 77;
    ClassifiedEvent e = physical_query(&m);
    EXPECT_EQ(engine.judge(e).verdict, Verdict::leak);

    // The same message on the bridge port 100 us later: one message, one finding.
    ClassifiedEvent port = e;
    port.ifindex = 3;
    port.interface = "eth0p";
    port.ts_ns += 100'000;
    EXPECT_EQ(engine.judge(port).rule_id, "skip.duplicate");

    // A retransmission on the same interface is a message of its own.
    ClassifiedEvent again = e;
    again.ts_ns += 1'000'000;
    EXPECT_EQ(engine.judge(again).verdict, Verdict::leak);

    // More than a second later on another interface: judged.
    ClassifiedEvent late = port;
    late.ts_ns = e.ts_ns + 2'000'000'000;
    EXPECT_EQ(engine.judge(late).verdict, Verdict::leak);

    // Another DNS id is another message.
    proto::DnsMessage m2 = m;
    m2.id = 78;
    ClassifiedEvent other = port;
    other.dns = &m2;
    EXPECT_EQ(engine.judge(other).verdict, Verdict::leak);

    // Without interface indexes (a pcap file) nothing is taken for a duplicate.
    ClassifiedEvent a = e;
    ClassifiedEvent b = e;
    a.ifindex = 0;
    b.ifindex = 0;
    EXPECT_EQ(engine.judge(a).verdict, Verdict::leak);
    EXPECT_EQ(engine.judge(b).verdict, Verdict::leak);
}

TEST(LocalRule, AMessageToLoopbackIsCleanWhateverTheRouteClass)
{
    const Policy p = profile("full-tunnel");
    RuleEngine engine(p);
    proto::DnsMessage m;
    set_qname(m, "a.example");
    ClassifiedEvent e = physical_query(&m);
    e.route_class = RouteClass::unknown; // a capture file that names no interface
    e.dst = net::parse_ip("127.0.0.53");
    EXPECT_EQ(engine.judge(e).rule_id, "clean.local");
    e.dst = net::parse_ip("::1");
    EXPECT_EQ(engine.judge(e).rule_id, "clean.local");
    e.dst = net::parse_ip("::2");
    EXPECT_EQ(engine.judge(e).rule_id, "leak-a.off-safe-path");
}

TEST(PathCheck, InterfacePatterns)
{
    EXPECT_TRUE(interface_pattern_matches("wg0", "wg0"));
    EXPECT_FALSE(interface_pattern_matches("wg0", "wg01"));
    EXPECT_FALSE(interface_pattern_matches("wg0", "wg"));
    EXPECT_TRUE(interface_pattern_matches("tun*", "tun"));
    EXPECT_TRUE(interface_pattern_matches("tun*", "tun12"));
    EXPECT_FALSE(interface_pattern_matches("tun*", "xtun1"));
    EXPECT_FALSE(interface_pattern_matches("tun*", ""));
}

TEST(PathCheck, EveryGivenListMustAdmitTheEvent)
{
    Policy p;
    std::string error;
    ASSERT_TRUE(parse_policy(R"({"schema_version":1,"safe_path":{"interfaces":["wg*"],)"
                             R"("route_classes":["tunnel"],"destinations":["10.0.0.0/8"],)"
                             R"("ports":[53],"processes":["/usr/sbin/unbound"]}})",
                             "p.json",
                             p,
                             error))
        << error;
    proto::DnsMessage m;
    set_qname(m, "a.example");
    ClassifiedEvent e = physical_query(&m);
    EXPECT_EQ(check_path(p.safe_path, e).violated,
              constraint_interface | constraint_route_class | constraint_destination);
    EXPECT_EQ(check_path(p.safe_path, e).unchecked, constraint_process);

    e.interface = "wg0";
    e.route_class = RouteClass::tunnel;
    e.dst = net::parse_ip("10.2.0.1");
    ProcessFacts unbound{"unbound", "/usr/sbin/unbound"};
    e.process = &unbound;
    EXPECT_EQ(check_path(p.safe_path, e).violated, 0);
    EXPECT_EQ(check_path(p.safe_path, e).unchecked, 0);

    // A name matches a name entry only; a path entry matches the executable only.
    ProcessFacts impostor{"/usr/sbin/unbound", "/tmp/unbound"};
    e.process = &impostor;
    EXPECT_EQ(check_path(p.safe_path, e).violated, constraint_process);

    e.process = &unbound;
    e.dst_port = 5353;
    EXPECT_EQ(check_path(p.safe_path, e).violated, constraint_port);

    // An IPv6 destination is not admitted by an IPv4 list.
    e.dst_port = 53;
    e.dst = net::parse_ip("::ffff:10.2.0.1");
    EXPECT_EQ(check_path(p.safe_path, e).violated, constraint_destination);

    // An unnamed interface cannot match a name list.
    e.dst = net::parse_ip("10.2.0.1");
    e.interface = {};
    EXPECT_EQ(check_path(p.safe_path, e).violated, constraint_interface);
}

TEST(PathCheck, EmptyListsDoNotConstrain)
{
    const PathConstraints none;
    proto::DnsMessage m;
    ClassifiedEvent e = physical_query(&m);
    EXPECT_EQ(check_path(none, e).violated, 0);
    EXPECT_EQ(check_path(none, e).unchecked, 0);
}

TEST(Severity, TheDocumentedTable)
{
    struct Cell {
        LeakType type;
        RouteClass rc;
        Severity want;
    };

    const Cell cells[] = {
        {LeakType::b, RouteClass::physical, Severity::p0},
        {LeakType::b, RouteClass::unknown, Severity::p1},
        {LeakType::b, RouteClass::tunnel, Severity::p2},
        {LeakType::b, RouteClass::loopback, Severity::p2},
        {LeakType::a, RouteClass::physical, Severity::p1},
        {LeakType::a, RouteClass::unknown, Severity::p2},
        {LeakType::a, RouteClass::tunnel, Severity::p3},
        {LeakType::c, RouteClass::physical, Severity::p1},
        {LeakType::c, RouteClass::unknown, Severity::p2},
        {LeakType::c, RouteClass::tunnel, Severity::p3},
        {LeakType::d, RouteClass::physical, Severity::p2},
        {LeakType::d, RouteClass::unknown, Severity::p3},
        {LeakType::d, RouteClass::tunnel, Severity::p3},
    };
    for (const Cell& c : cells) {
        EXPECT_EQ(severity_for(c.type, c.rc), c.want)
            << to_string(c.type) << " " << to_string(c.rc);
    }
}

TEST(DomainLists, ProxyRequiredWinsOverDirectAndWildcardsMatchBelowOnly)
{
    Policy p;
    std::string error;
    ASSERT_TRUE(parse_policy(R"({"schema_version":1,"domains":{)"
                             R"("proxy_required":["*.corp.example"],)"
                             R"("direct":["corp.example","lan"]}})",
                             "p.json",
                             p,
                             error))
        << error;
    const DomainPattern* rule = nullptr;
    EXPECT_EQ(match_name(p, "git.corp.example", rule), NameMatch::proxy_required);
    ASSERT_NE(rule, nullptr);
    EXPECT_EQ(rule->suffix, "corp.example");
    EXPECT_EQ(match_name(p, "corp.example", rule), NameMatch::direct);
    EXPECT_EQ(match_name(p, "printer.lan", rule), NameMatch::direct);
    EXPECT_EQ(match_name(p, "notcorp.example", rule), NameMatch::unlisted);
    EXPECT_EQ(match_name(p, "lan.example", rule), NameMatch::unlisted);
}

TEST(PlaintextRule, AQueryWithoutAQuestionIsJudgedByItsPath)
{
    Policy p = profile("split"); // unknown_via_proxy: but with no name there is no intent
    RuleEngine engine(p);
    proto::DnsMessage m; // qdcount 0
    const ClassifiedEvent e = physical_query(&m);
    EXPECT_EQ(engine.judge(e).rule_id, "leak-a.off-safe-path");
    EXPECT_EQ(engine.judge(e).name_match, NameMatch::no_name);
    // A message that did not parse at all is still plaintext DNS leaving.
    ClassifiedEvent raw = e;
    raw.dns = nullptr;
    EXPECT_EQ(engine.judge(raw).rule_id, "leak-a.off-safe-path");
}

TEST(RuleEngine, UnclassifiedHttpsFlowsAreLeftForTheDohStage)
{
    const Policy p = profile("full-tunnel");
    RuleEngine engine(p);
    ClassifiedEvent e = physical_query(nullptr);
    e.transport = Transport::https_tcp;
    e.dst_port = 443;
    const Judgement& j = engine.judge(e);
    EXPECT_EQ(j.verdict, Verdict::not_judged);
    EXPECT_TRUE(j.rule_id.empty());
}

} // namespace
} // namespace wtfn::dnsleak
