// The rule matrix (issue 5): every built-in profile x transport (udp53, tcp53, dot, doq) x
// route class x destination in or out of the allowed set x process allowed, not allowed or
// not known x name proxy-required, direct or on neither list, with the expected verdict,
// leak type, severity, rule id and violated constraints.
//
// Each profile is extended by a policy file (read by the real loader) with an allowed
// resolver, an allowed process and both domain lists, so that every dimension has something
// to violate. The expectation is written from docs/leak-rules.md, not from the engine; a
// handful of literal rows below pin the table's most important cells by hand.
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "dnsleak/policy/policy.h"
#include "dnsleak/rules/rule_engine.h"

namespace wtfn::dnsleak {
namespace {

using platform::RouteClass;

enum class Dest { allowed, other };
enum class Proc { allowed, other, unknown };
enum class Name { proxy_required, direct, unlisted };

struct Case {
    std::string profile;
    Transport transport;
    RouteClass route_class;
    Dest dest;
    Proc proc;
    Name name;
};

struct Expected {
    Verdict verdict;
    LeakType type = LeakType::none;
    Severity severity = Severity::p3;
    std::string_view rule;
    std::uint8_t violated = 0;
};

Policy matrix_policy(const std::string& profile)
{
    const std::string text =
        R"({"schema_version":1,"based_on":")" + profile + R"(",)" +
        R"("safe_path":{"destinations":["10.8.0.53"],"processes":["sing-box"]},)"
        R"("encrypted_egress":{"destinations":["10.8.0.53"],)"
        R"("processes":["/usr/bin/sing-box"]},)"
        R"("domains":{"proxy_required":["blocked.example"],)"
        R"("direct":["*.ok.example"]}})";
    Policy p;
    std::string error;
    EXPECT_TRUE(parse_policy(text, "matrix.json", p, error)) << error;
    return p;
}

bool is_plaintext(Transport t)
{
    return t == Transport::udp53 || t == Transport::tcp53;
}

// docs/leak-rules.md, written out.
Expected expected(const Case& c)
{
    if (c.route_class == RouteClass::loopback) {
        return {Verdict::clean, LeakType::none, Severity::p3, "clean.local"};
    }
    std::uint8_t violated = 0;
    // All three profiles admit tunnel and loopback only.
    if (c.route_class != RouteClass::tunnel) {
        violated |= constraint_route_class;
    }
    if (c.dest == Dest::other) {
        violated |= constraint_destination;
    }
    if (c.proc == Proc::other) {
        violated |= constraint_process;
    }
    const auto severity = [&](int base) {
        const int step = c.route_class == RouteClass::physical  ? 0
                         : c.route_class == RouteClass::unknown ? 1
                                                                : 2;
        return static_cast<Severity>(std::min(base + step, 3));
    };
    if (!is_plaintext(c.transport)) {
        if (violated == 0) {
            return {Verdict::clean, LeakType::none, Severity::p3, "clean.approved-egress"};
        }
        return {Verdict::leak, LeakType::c, severity(1), "leak-c.off-approved-egress", violated};
    }
    if (violated == 0) {
        return {Verdict::clean, LeakType::none, Severity::p3, "clean.safe-path"};
    }
    if (c.name == Name::direct) {
        return {Verdict::clean, LeakType::none, Severity::p3, "clean.direct-name", violated};
    }
    if (c.name == Name::proxy_required) {
        return {Verdict::leak, LeakType::b, severity(0), "leak-b.proxy-required-name", violated};
    }
    if (c.profile == "split") { // the only profile with unknown_via_proxy
        return {Verdict::leak, LeakType::b, severity(0), "leak-b.unknown-name", violated};
    }
    return {Verdict::leak, LeakType::a, severity(1), "leak-a.off-safe-path", violated};
}

class Matrix {
public:
    Judgement judge(const Case& c)
    {
        const Policy& policy = policy_for(c.profile);
        RuleEngine engine(policy);
        ClassifiedEvent e;
        e.ts_ns = 1'000'000'000;
        e.transport = c.transport;
        e.proto = c.transport == Transport::udp53 || c.transport == Transport::doq ? net::L4::udp
                                                                                   : net::L4::tcp;
        e.route_class = c.route_class;
        e.interface = c.route_class == RouteClass::tunnel     ? "wg0"
                      : c.route_class == RouteClass::loopback ? "lo"
                                                              : "eth0";
        e.ifindex = 2;
        e.direction = net::Direction::outbound;
        e.src = net::parse_ip(c.route_class == RouteClass::loopback ? "127.0.0.1" : "10.0.0.2");
        e.dst = net::parse_ip(c.route_class == RouteClass::loopback ? "127.0.0.53"
                              : c.dest == Dest::allowed             ? "10.8.0.53"
                                                                    : "192.0.2.53");
        e.src_port = 40000;
        e.dst_port = is_plaintext(c.transport) ? 53 : 853;
        if (is_plaintext(c.transport)) {
            const char* name = c.name == Name::proxy_required ? "www.blocked.example"
                               : c.name == Name::direct       ? "cdn.ok.example"
                                                              : "other.example";
            message_ = proto::DnsMessage{};
            message_.has_question = true;
            message_.qdcount = 1;
            message_.qname.length = static_cast<std::uint16_t>(std::strlen(name));
            std::memcpy(message_.qname.text.data(), name, message_.qname.length);
            e.dns = &message_;
        }
        ProcessFacts proc;
        if (c.proc != Proc::unknown) {
            proc.name = c.proc == Proc::allowed ? "sing-box" : "dig";
            proc.exe = c.proc == Proc::allowed ? "/usr/bin/sing-box" : "/usr/bin/dig";
            e.process = &proc;
        }
        return engine.judge(e);
    }

private:
    const Policy& policy_for(const std::string& name)
    {
        for (const auto& [n, p] : policies_) {
            if (n == name) {
                return p;
            }
        }
        policies_.emplace_back(name, matrix_policy(name));
        return policies_.back().second;
    }

    std::vector<std::pair<std::string, Policy>> policies_;
    proto::DnsMessage message_;
};

std::string describe(const Case& c)
{
    static const char* dests[] = {"allowed-dest", "other-dest"};
    static const char* procs[] = {"allowed-proc", "other-proc", "unknown-proc"};
    static const char* names[] = {"proxy-required", "direct", "unlisted"};
    return c.profile + "/" + std::string(to_string(c.transport)) + "/" + to_string(c.route_class) +
           "/" + dests[static_cast<int>(c.dest)] + "/" + procs[static_cast<int>(c.proc)] + "/" +
           names[static_cast<int>(c.name)];
}

TEST(RuleMatrix, EveryCombinationHasTheDocumentedVerdict)
{
    Matrix m;
    int cases = 0;
    int leaks = 0;
    for (const char* profile : {"full-tunnel", "proxy-stub", "split"}) {
        for (const Transport t :
             {Transport::udp53, Transport::tcp53, Transport::dot, Transport::doq}) {
            for (const RouteClass rc : {RouteClass::physical,
                                        RouteClass::tunnel,
                                        RouteClass::unknown,
                                        RouteClass::loopback}) {
                for (const Dest d : {Dest::allowed, Dest::other}) {
                    for (const Proc p : {Proc::allowed, Proc::other, Proc::unknown}) {
                        for (const Name n : {Name::proxy_required, Name::direct, Name::unlisted}) {
                            const Case c{profile, t, rc, d, p, n};
                            const Judgement j = m.judge(c);
                            const Expected x = expected(c);
                            ++cases;
                            leaks += j.verdict == Verdict::leak ? 1 : 0;
                            SCOPED_TRACE(describe(c));
                            EXPECT_EQ(to_string(j.verdict), to_string(x.verdict));
                            EXPECT_EQ(to_string(j.leak_type), to_string(x.type));
                            if (x.verdict == Verdict::leak) {
                                EXPECT_EQ(to_string(j.severity), to_string(x.severity));
                            }
                            EXPECT_EQ(j.rule_id, x.rule);
                            EXPECT_EQ(j.violated, x.violated);
                            // The process list is reported as unchecked, never as violated,
                            // when the sender is unknown.
                            const bool process_judged =
                                c.route_class != RouteClass::loopback && p == Proc::unknown;
                            EXPECT_EQ((j.unchecked & constraint_process) != 0, process_judged);
                        }
                    }
                }
            }
        }
    }
    EXPECT_EQ(cases, 3 * 4 * 4 * 2 * 3 * 3);
    EXPECT_GT(leaks, 0);
    EXPECT_LT(leaks, cases);
}

// The most important cells, by hand.
TEST(RuleMatrix, LiteralRows)
{
    Matrix m;

    struct Row {
        Case c;
        std::string_view rule;
        std::string_view severity; // "" when not a leak
    };

    const Row rows[] = {
        // A full-tunnel VPN user's ISP resolver query on the physical uplink.
        {{"full-tunnel",
          Transport::udp53,
          RouteClass::physical,
          Dest::other,
          Proc::unknown,
          Name::unlisted},
         "leak-a.off-safe-path",
         "P1"},
        // The same name through the tunnel to the allowed resolver.
        {{"full-tunnel",
          Transport::udp53,
          RouteClass::tunnel,
          Dest::allowed,
          Proc::unknown,
          Name::unlisted},
         "clean.safe-path",
         ""},
        // Through the tunnel, but to another resolver: still off the path, least severe.
        {{"full-tunnel",
          Transport::tcp53,
          RouteClass::tunnel,
          Dest::other,
          Proc::unknown,
          Name::unlisted},
         "leak-a.off-safe-path",
         "P3"},
        // A blocked name in cleartext on the physical path: the worst finding, B over A.
        {{"proxy-stub",
          Transport::udp53,
          RouteClass::physical,
          Dest::other,
          Proc::other,
          Name::proxy_required},
         "leak-b.proxy-required-name",
         "P0"},
        // Split: an unlisted name must go through the proxy.
        {{"split",
          Transport::udp53,
          RouteClass::physical,
          Dest::other,
          Proc::unknown,
          Name::unlisted},
         "leak-b.unknown-name",
         "P0"},
        // Split: a direct name may use the physical path.
        {{"split",
          Transport::udp53,
          RouteClass::physical,
          Dest::other,
          Proc::unknown,
          Name::direct},
         "clean.direct-name",
         ""},
        // A browser's own DoT on the physical interface.
        {{"proxy-stub",
          Transport::dot,
          RouteClass::physical,
          Dest::other,
          Proc::other,
          Name::unlisted},
         "leak-c.off-approved-egress",
         "P1"},
        // DoQ on an interface wtfn could not classify.
        {{"full-tunnel",
          Transport::doq,
          RouteClass::unknown,
          Dest::other,
          Proc::unknown,
          Name::unlisted},
         "leak-c.off-approved-egress",
         "P2"},
        // The approved egress: the proxy itself, by executable path, through the tunnel.
        {{"proxy-stub",
          Transport::dot,
          RouteClass::tunnel,
          Dest::allowed,
          Proc::allowed,
          Name::unlisted},
         "clean.approved-egress",
         ""},
        // A query to the stub on loopback, from anyone, cannot leak by itself.
        {{"proxy-stub",
          Transport::udp53,
          RouteClass::loopback,
          Dest::other,
          Proc::other,
          Name::proxy_required},
         "clean.local",
         ""},
    };
    for (const Row& r : rows) {
        SCOPED_TRACE(describe(r.c));
        const Judgement j = m.judge(r.c);
        EXPECT_EQ(j.rule_id, r.rule);
        EXPECT_EQ(j.verdict == Verdict::leak ? to_string(j.severity) : "", r.severity);
    }
}

} // namespace
} // namespace wtfn::dnsleak
