// policy: the version-1 JSON format (docs/policy.md) is read strictly, every error is one
// line naming the source, the key path and the reason, policy_json() reads back to the same
// policy, and the CIDR and domain-pattern matchers respect prefix and label boundaries.
#include "dnsleak/policy/policy.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

namespace wtfn::dnsleak {
namespace {

using platform::RouteClass;

const char* const FULL_EXAMPLE = R"({
  "schema_version": 1,
  "name": "office-vpn",
  "based_on": "full-tunnel",
  "summary": "one sentence",
  "safe_path": {
    "interfaces": ["wg0", "tun*"],
    "route_classes": ["tunnel", "loopback"],
    "destinations": ["10.2.0.1", "fd00::/8"],
    "ports": [53, 853],
    "processes": ["sing-box", "/usr/bin/clash"]
  },
  "encrypted_egress": {
    "interfaces": ["tun0"],
    "route_classes": ["tunnel"],
    "destinations": ["203.0.113.0/24"],
    "ports": [853, 443],
    "processes": ["sing-box"]
  },
  "domains": {
    "proxy_required": ["example.com", "*.blocked.example"],
    "direct": ["lan", "corp.example"],
    "unknown_via_proxy": true
  },
  "interface_labels": {"eth1": "tunnel", "vpn*": "tunnel"},
  "endpoints": {"doh": ["dns.example.net"], "dot": ["dot.example.net"],
                "addresses": ["203.0.113.53", "2001:db8::53/128"]}
})";

net::IpAddress ip(const std::string& text)
{
    const net::IpAddress a = net::parse_ip(text);
    EXPECT_NE(a.version, 0) << text;
    return a;
}

Cidr cidr(const std::string& text)
{
    const auto c = parse_cidr(text);
    EXPECT_TRUE(c.has_value()) << text;
    return c.value_or(Cidr{});
}

DomainPattern pattern(const std::string& text)
{
    std::string why;
    const auto d = parse_domain_pattern(text, why);
    EXPECT_TRUE(d.has_value()) << text << ": " << why;
    return d.value_or(DomainPattern{});
}

Policy parse_ok(const std::string& text)
{
    Policy p;
    std::string error;
    EXPECT_TRUE(parse_policy(text, "p.json", p, error)) << error;
    EXPECT_EQ(error, "");
    return p;
}

// Parses `text`, expects a failure, and returns the one-line error.
std::string parse_error(const std::string& text)
{
    Policy p;
    p.name = "untouched";
    std::string error;
    EXPECT_FALSE(parse_policy(text, "p.json", p, error)) << text;
    EXPECT_EQ(p.name, "untouched") << "a failed parse must leave the output alone";
    EXPECT_FALSE(error.empty());
    EXPECT_EQ(error.find('\n'), std::string::npos) << "not one line: " << error;
    EXPECT_EQ(error.rfind("p.json: ", 0), 0U) << error;
    return error;
}

// `{"schema_version":1, <body>}`
std::string doc(const std::string& body)
{
    return R"({"schema_version":1,)" + body + "}";
}

void expect_error(const std::string& text, const std::string& key_path, const std::string& word)
{
    const std::string e = parse_error(text);
    EXPECT_NE(e.find("p.json: " + key_path + ": "), std::string::npos)
        << "key path " << key_path << " missing: " << e;
    EXPECT_NE(e.find(word), std::string::npos) << "'" << word << "' missing: " << e;
}

std::vector<std::string> strings(const std::vector<Cidr>& v)
{
    std::vector<std::string> out;
    for (const auto& c : v) {
        out.push_back(c.to_string());
    }
    return out;
}

std::vector<std::string> strings(const std::vector<DomainPattern>& v)
{
    std::vector<std::string> out;
    for (const auto& d : v) {
        out.push_back(d.to_string());
    }
    return out;
}

std::vector<std::string> strings(const platform::RouteClassLabels& labels)
{
    std::vector<std::string> out;
    for (const auto& l : labels.labels()) {
        out.push_back(l.pattern + "=" + to_string(l.route_class));
    }
    return out;
}

void expect_same(const PathConstraints& a, const PathConstraints& b, const char* what)
{
    SCOPED_TRACE(what);
    EXPECT_EQ(a.interfaces, b.interfaces);
    EXPECT_EQ(a.route_classes, b.route_classes);
    EXPECT_EQ(strings(a.destinations), strings(b.destinations));
    EXPECT_EQ(a.ports, b.ports);
    EXPECT_EQ(a.processes, b.processes);
}

// Field by field; `source` and `is_default` say where a policy came from, not what it is.
void expect_same(const Policy& a, const Policy& b)
{
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.based_on, b.based_on);
    EXPECT_EQ(a.summary, b.summary);
    expect_same(a.safe_path, b.safe_path, "safe_path");
    expect_same(a.encrypted_egress, b.encrypted_egress, "encrypted_egress");
    EXPECT_EQ(strings(a.proxy_required), strings(b.proxy_required));
    EXPECT_EQ(strings(a.direct), strings(b.direct));
    EXPECT_EQ(a.unknown_via_proxy, b.unknown_via_proxy);
    EXPECT_EQ(strings(a.labels), strings(b.labels));
    EXPECT_EQ(a.doh_hosts, b.doh_hosts);
    EXPECT_EQ(a.dot_hosts, b.dot_hosts);
    EXPECT_EQ(strings(a.resolver_addresses), strings(b.resolver_addresses));
}

void expect_round_trip(const Policy& p)
{
    const std::string json = policy_json(p);
    Policy back;
    std::string error;
    ASSERT_TRUE(parse_policy(json, "shown.json", back, error)) << error << "\n" << json;
    EXPECT_EQ(back.source, "shown.json");
    expect_same(p, back);
    // And the text is stable: showing the read-back policy gives the same document.
    EXPECT_EQ(policy_json(back), json);
}

// ---- valid documents --------------------------------------------------------------------

TEST(PolicyParse, MinimalDocumentIsAnUnconstrainedPolicy)
{
    const Policy p = parse_ok(R"({"schema_version":1})");
    EXPECT_EQ(p.source, "p.json");
    EXPECT_EQ(p.based_on, "");
    EXPECT_FALSE(p.is_default);
    EXPECT_TRUE(p.safe_path.interfaces.empty());
    EXPECT_TRUE(p.safe_path.route_classes.empty());
    EXPECT_TRUE(p.safe_path.destinations.empty());
    EXPECT_TRUE(p.safe_path.ports.empty());
    EXPECT_TRUE(p.safe_path.processes.empty());
    EXPECT_TRUE(p.encrypted_egress.route_classes.empty());
    EXPECT_TRUE(p.proxy_required.empty());
    EXPECT_TRUE(p.direct.empty());
    EXPECT_FALSE(p.unknown_via_proxy);
    EXPECT_TRUE(p.labels.empty());
    EXPECT_TRUE(p.doh_hosts.empty());
    EXPECT_TRUE(p.dot_hosts.empty());
    EXPECT_TRUE(p.resolver_addresses.empty());
}

TEST(PolicyParse, WhitespaceAroundTheDocumentIsFine)
{
    const Policy p = parse_ok(" \n\t{ \"schema_version\" : 1 }\r\n ");
    EXPECT_EQ(p.source, "p.json");
}

TEST(PolicyParse, FullExampleReadsEveryKey)
{
    const Policy p = parse_ok(FULL_EXAMPLE);
    EXPECT_EQ(p.name, "office-vpn");
    EXPECT_EQ(p.based_on, "full-tunnel");
    EXPECT_EQ(p.summary, "one sentence");
    EXPECT_FALSE(p.is_default);

    EXPECT_EQ(p.safe_path.interfaces, (std::vector<std::string>{"wg0", "tun*"}));
    EXPECT_EQ(p.safe_path.route_classes,
              (std::vector<RouteClass>{RouteClass::tunnel, RouteClass::loopback}));
    EXPECT_EQ(strings(p.safe_path.destinations),
              (std::vector<std::string>{"10.2.0.1/32", "fd00::/8"}));
    EXPECT_EQ(p.safe_path.ports, (std::vector<std::uint16_t>{53, 853}));
    EXPECT_EQ(p.safe_path.processes, (std::vector<std::string>{"sing-box", "/usr/bin/clash"}));

    EXPECT_EQ(p.encrypted_egress.interfaces, (std::vector<std::string>{"tun0"}));
    EXPECT_EQ(p.encrypted_egress.route_classes, (std::vector<RouteClass>{RouteClass::tunnel}));
    EXPECT_EQ(strings(p.encrypted_egress.destinations),
              (std::vector<std::string>{"203.0.113.0/24"}));
    EXPECT_EQ(p.encrypted_egress.ports, (std::vector<std::uint16_t>{853, 443}));
    EXPECT_EQ(p.encrypted_egress.processes, (std::vector<std::string>{"sing-box"}));

    EXPECT_EQ(strings(p.proxy_required),
              (std::vector<std::string>{"example.com", "*.blocked.example"}));
    ASSERT_EQ(p.proxy_required.size(), 2U);
    EXPECT_FALSE(p.proxy_required[0].below_only);
    EXPECT_TRUE(p.proxy_required[1].below_only);
    EXPECT_EQ(p.proxy_required[1].suffix, "blocked.example");
    EXPECT_EQ(strings(p.direct), (std::vector<std::string>{"lan", "corp.example"}));
    EXPECT_TRUE(p.unknown_via_proxy);

    EXPECT_EQ(strings(p.labels), (std::vector<std::string>{"eth1=tunnel", "vpn*=tunnel"}));
    ASSERT_NE(p.labels.match("vpn7"), nullptr);
    EXPECT_EQ(p.labels.match("vpn7")->route_class, RouteClass::tunnel);
    EXPECT_EQ(p.labels.match("eth0"), nullptr);

    EXPECT_EQ(p.doh_hosts, (std::vector<std::string>{"dns.example.net"}));
    EXPECT_EQ(p.dot_hosts, (std::vector<std::string>{"dot.example.net"}));
    EXPECT_EQ(strings(p.resolver_addresses),
              (std::vector<std::string>{"203.0.113.53/32", "2001:db8::53/128"}));
}

TEST(PolicyParse, DomainPatternsAreLowerCasedAndLoseTheTrailingDot)
{
    const Policy p = parse_ok(doc(R"("domains":{"direct":["Corp.Example.", "*.LAN"]})"));
    EXPECT_EQ(strings(p.direct), (std::vector<std::string>{"corp.example", "*.lan"}));
}

TEST(PolicyParse, EmptyListsDoNotConstrain)
{
    const Policy p = parse_ok(doc(
        R"("safe_path":{"interfaces":[],"route_classes":[],"destinations":[],"ports":[],"processes":[]},)"
        R"("encrypted_egress":{},"domains":{},"interface_labels":{},"endpoints":{})"));
    EXPECT_TRUE(p.safe_path.interfaces.empty());
    EXPECT_TRUE(p.safe_path.route_classes.empty());
    EXPECT_TRUE(p.safe_path.destinations.empty());
    EXPECT_TRUE(p.safe_path.ports.empty());
    EXPECT_TRUE(p.safe_path.processes.empty());
    EXPECT_TRUE(p.labels.empty());
}

TEST(PolicyParse, PortAndInterfaceLimitsAreInclusive)
{
    const Policy p = parse_ok(doc(
        R"("safe_path":{"ports":[1,65535],"interfaces":["abcdefghijklmno","abcdefghijklmno*","a.b_c-d@e:f+g"]})"));
    EXPECT_EQ(p.safe_path.ports, (std::vector<std::uint16_t>{1, 65535}));
    EXPECT_EQ(p.safe_path.interfaces.size(), 3U);
    const Policy q =
        parse_ok(doc(R"("safe_path":{"processes":[")" + std::string(255, 'p') + R"("]})"));
    ASSERT_EQ(q.safe_path.processes.size(), 1U);
    EXPECT_EQ(q.safe_path.processes[0].size(), 255U);
}

// ---- based_on ---------------------------------------------------------------------------

TEST(PolicyBasedOn, AbsentKeysKeepTheProfilesValues)
{
    const auto profile = builtin_policy("split");
    ASSERT_TRUE(profile);
    const Policy p = parse_ok(doc(R"("based_on":"split","domains":{"direct":["lan"]})"));
    EXPECT_EQ(p.based_on, "split");
    EXPECT_EQ(p.source, "p.json");
    EXPECT_FALSE(p.is_default);
    EXPECT_EQ(p.name, profile->name); // no "name": the profile's
    EXPECT_EQ(p.summary, profile->summary);
    EXPECT_EQ(p.safe_path.route_classes, profile->safe_path.route_classes);
    EXPECT_EQ(p.encrypted_egress.route_classes, profile->encrypted_egress.route_classes);
    EXPECT_EQ(p.unknown_via_proxy, profile->unknown_via_proxy); // domains present, key absent
    EXPECT_EQ(strings(p.direct), (std::vector<std::string>{"lan"}));
}

TEST(PolicyBasedOn, PresentKeysReplaceTheProfilesValues)
{
    const Policy p =
        parse_ok(doc(R"("based_on":"split","name":"mine","summary":"s",)"
                     R"("safe_path":{"route_classes":["loopback"],"processes":["sing-box"]},)"
                     R"("domains":{"unknown_via_proxy":false})"));
    const auto profile = builtin_policy("split");
    ASSERT_TRUE(profile);
    ASSERT_TRUE(profile->unknown_via_proxy);
    EXPECT_EQ(p.name, "mine");
    EXPECT_EQ(p.summary, "s");
    EXPECT_EQ(p.based_on, "split");
    EXPECT_FALSE(p.is_default); // a file is never the built-in default
    EXPECT_EQ(p.safe_path.route_classes, (std::vector<RouteClass>{RouteClass::loopback}));
    EXPECT_EQ(p.safe_path.processes, (std::vector<std::string>{"sing-box"}));
    EXPECT_FALSE(p.unknown_via_proxy);
    // safe_path.route_classes was replaced, the untouched encrypted_egress was not.
    EXPECT_EQ(p.encrypted_egress.route_classes, profile->encrypted_egress.route_classes);
}

TEST(PolicyBasedOn, AnEmptyListReplacesTheProfilesList)
{
    const Policy p = parse_ok(doc(R"("based_on":"full-tunnel","safe_path":{"route_classes":[]})"));
    EXPECT_TRUE(p.safe_path.route_classes.empty());
}

TEST(PolicyBasedOn, WithoutBasedOnNothingIsInherited)
{
    const Policy p = parse_ok(doc(R"("safe_path":{"ports":[53]})"));
    EXPECT_TRUE(p.safe_path.route_classes.empty());
    EXPECT_FALSE(p.unknown_via_proxy);
}

// ---- built-in profiles ------------------------------------------------------------------

TEST(PolicyBuiltin, ThreeProfilesAndProxyStubIsTheDefault)
{
    EXPECT_EQ(builtin_profile_names(),
              (std::vector<std::string>{"full-tunnel", "proxy-stub", "split"}));
    EXPECT_EQ(DEFAULT_PROFILE, "proxy-stub");
    for (const auto& name : builtin_profile_names()) {
        SCOPED_TRACE(name);
        const auto p = builtin_policy(name);
        ASSERT_TRUE(p);
        EXPECT_EQ(p->name, name);
        EXPECT_EQ(p->source, "built-in");
        EXPECT_EQ(p->is_default, name == DEFAULT_PROFILE);
        EXPECT_FALSE(p->summary.empty());
        EXPECT_FALSE(p->safe_path.route_classes.empty());
        // No profile lets plain DNS out on the physical path.
        EXPECT_EQ(std::count(p->safe_path.route_classes.begin(),
                             p->safe_path.route_classes.end(),
                             RouteClass::physical),
                  0);
    }
    EXPECT_FALSE(builtin_policy("nope"));
    EXPECT_FALSE(builtin_policy(""));
    EXPECT_FALSE(builtin_policy("Full-Tunnel"));
}

TEST(PolicyBuiltin, FullTunnelAllowsTunnelAndLoopback)
{
    const auto p = builtin_policy("full-tunnel");
    ASSERT_TRUE(p);
    const auto& rc = p->safe_path.route_classes;
    EXPECT_NE(std::find(rc.begin(), rc.end(), RouteClass::tunnel), rc.end());
    EXPECT_NE(std::find(rc.begin(), rc.end(), RouteClass::loopback), rc.end());
}

TEST(PolicyBuiltin, SplitSendsUnknownNamesThroughTheProxy)
{
    const auto p = builtin_policy("split");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->unknown_via_proxy);
}

// ---- round trip -------------------------------------------------------------------------

TEST(PolicyJson, EveryBuiltinProfileReadsBack)
{
    for (const auto& name : builtin_profile_names()) {
        SCOPED_TRACE(name);
        const auto p = builtin_policy(name);
        ASSERT_TRUE(p);
        expect_round_trip(*p);
    }
}

TEST(PolicyJson, FullExampleReadsBack)
{
    expect_round_trip(parse_ok(FULL_EXAMPLE));
}

TEST(PolicyJson, MinimalReadsBack)
{
    expect_round_trip(parse_ok(R"({"schema_version":1})"));
}

TEST(PolicyJson, OutputIsAVersion1Document)
{
    const std::string json = policy_json(*builtin_policy("split"));
    EXPECT_NE(json.find("\"schema_version\": 1"), std::string::npos) << json;
    EXPECT_EQ(json.back(), '\n');
}

// ---- errors -----------------------------------------------------------------------------

TEST(PolicyErrors, EmptyInput)
{
    const std::string e = parse_error("");
    EXPECT_NE(e.find("line 1 column 1"), std::string::npos) << e;
}

TEST(PolicyErrors, WhitespaceOnly)
{
    parse_error(" \n \n");
}

TEST(PolicyErrors, GarbageBytes)
{
    const char bytes[] = "\xff\xfe\x00\x01garbage\n\x7f\x80";
    const std::string garbage(bytes, sizeof bytes - 1);
    const std::string e = parse_error(garbage);
    EXPECT_NE(e.find("line 1 column"), std::string::npos) << e;
}

TEST(PolicyErrors, SyntaxErrorNamesLineAndColumn)
{
    const std::string e = parse_error("{\n  \"schema_version\": 1,\n  \"name\": oops\n}");
    EXPECT_NE(e.find("p.json: line 3 column"), std::string::npos) << e;
}

TEST(PolicyErrors, TrailingGarbage)
{
    const std::string e = parse_error(R"({"schema_version":1} x)");
    EXPECT_NE(e.find("line 1 column"), std::string::npos) << e;
    parse_error(R"({"schema_version":1}{})");
    parse_error(R"({"schema_version":1},)");
}

TEST(PolicyErrors, CommentsAndTrailingCommasAreNotJson)
{
    parse_error("{\"schema_version\":1 // one\n}");
    parse_error(R"({"schema_version":1,})");
    parse_error(R"({"schema_version":1,"safe_path":{"ports":[53,]}})");
}

TEST(PolicyErrors, TopLevelMustBeAnObject)
{
    for (const char* text : {"[]", "1", "\"schema_version\"", "null", "true"}) {
        SCOPED_TRACE(text);
        const std::string e = parse_error(text);
        EXPECT_NE(e.find("object"), std::string::npos) << e;
    }
}

TEST(PolicyErrors, SchemaVersion)
{
    expect_error("{}", "schema_version", "missing");
    expect_error(R"({"name":"x"})", "schema_version", "missing");
    expect_error(R"({"schema_version":2})", "schema_version", "newer than this wtfn understands");
    expect_error(R"({"schema_version":99})", "schema_version", "newer");
    expect_error(R"({"schema_version":0})", "schema_version", "0");
    expect_error(R"({"schema_version":-1})", "schema_version", "-1");
    expect_error(R"({"schema_version":"1"})", "schema_version", "integer");
    expect_error(R"({"schema_version":1.5})", "schema_version", "integer");
    expect_error(R"({"schema_version":null})", "schema_version", "integer");
}

TEST(PolicyErrors, UnknownKeysAreNamedWithTheAllowedOnes)
{
    std::string e = parse_error(doc(R"("safe_paths":{})"));
    EXPECT_NE(e.find("p.json: safe_paths: "), std::string::npos) << e;
    EXPECT_NE(e.find("unknown"), std::string::npos) << e;
    EXPECT_NE(e.find("safe_path"), std::string::npos) << e;
    EXPECT_NE(e.find("encrypted_egress"), std::string::npos) << e;

    e = parse_error(doc(R"("safe_path":{"interface":["wg0"]})"));
    EXPECT_NE(e.find("p.json: safe_path.interface: "), std::string::npos) << e;
    EXPECT_NE(e.find("interfaces"), std::string::npos) << e;
    EXPECT_NE(e.find("route_classes"), std::string::npos) << e;

    expect_error(doc(R"("encrypted_egress":{"port":[853]})"), "encrypted_egress.port", "ports");
    expect_error(doc(R"("domains":{"proxy":["x"]})"), "domains.proxy", "proxy_required");
    expect_error(doc(R"("endpoints":{"doq":["x"]})"), "endpoints.doq", "doh");
}

TEST(PolicyErrors, WrongTypesNameTheExpectedType)
{
    expect_error(doc(R"("name":5)"), "name", "string");
    expect_error(doc(R"("summary":["a"])"), "summary", "string");
    expect_error(doc(R"("based_on":true)"), "based_on", "string");
    expect_error(doc(R"("safe_path":[])"), "safe_path", "object");
    expect_error(doc(R"("encrypted_egress":"tunnel")"), "encrypted_egress", "object");
    expect_error(doc(R"("domains":null)"), "domains", "object");
    expect_error(doc(R"("interface_labels":["eth1"])"), "interface_labels", "object");
    expect_error(doc(R"("endpoints":1)"), "endpoints", "object");
    expect_error(doc(R"("safe_path":{"interfaces":"wg0"})"), "safe_path.interfaces", "array");
    expect_error(doc(R"("safe_path":{"ports":53})"), "safe_path.ports", "array");
    expect_error(
        doc(R"("safe_path":{"interfaces":["wg0",7]})"), "safe_path.interfaces[1]", "string");
    expect_error(doc(R"("safe_path":{"ports":["53"]})"), "safe_path.ports[0]", "port");
    expect_error(doc(R"("safe_path":{"ports":[53.0]})"), "safe_path.ports[0]", "port");
    expect_error(doc(R"("domains":{"unknown_via_proxy":"yes"})"),
                 "domains.unknown_via_proxy",
                 "true or false");
    expect_error(doc(R"("domains":{"unknown_via_proxy":1})"), "domains.unknown_via_proxy", "true");
    expect_error(doc(R"("domains":{"direct":"lan"})"), "domains.direct", "array");
    expect_error(doc(R"("interface_labels":{"eth1":1})"), "interface_labels.eth1", "string");
    expect_error(
        doc(R"("endpoints":{"addresses":[["10.0.0.1"]]})"), "endpoints.addresses[0]", "string");
}

TEST(PolicyErrors, BasedOnMustBeABuiltinProfile)
{
    expect_error(doc(R"("based_on":"paranoid")"), "based_on", "full-tunnel");
    expect_error(doc(R"("based_on":"")"), "based_on", "profile");
}

TEST(PolicyErrors, RouteClasses)
{
    expect_error(doc(R"("safe_path":{"route_classes":["tunnel","vpn"]})"),
                 "safe_path.route_classes[1]",
                 "route class");
    expect_error(doc(R"("encrypted_egress":{"route_classes":["Tunnel"]})"),
                 "encrypted_egress.route_classes[0]",
                 "route class");
    expect_error(
        doc(R"("interface_labels":{"eth1":"vpn"})"), "interface_labels.eth1", "route class");
}

TEST(PolicyErrors, InterfacePatterns)
{
    const std::vector<std::string> bad = {
        R"("")",
        R"("*")",
        R"("tun**")",
        R"("*tun")",
        R"("t*n")",
        R"("wg 0")",
        R"("wg/0")",
        R"("abcdefghijklmnop")",  // 16 characters
        R"("abcdefghijklmnop*")", // 16 before the '*'
    };
    for (const auto& b : bad) {
        SCOPED_TRACE(b);
        expect_error(doc(R"("safe_path":{"interfaces":["wg0",)" + b + "]}"),
                     "safe_path.interfaces[1]",
                     "interface");
    }
    expect_error(doc(R"("interface_labels":{"bad name":"tunnel"})"),
                 "interface_labels.bad name",
                 "interface");
    expect_error(doc(R"("interface_labels":{"*":"tunnel"})"), "interface_labels.*", "interface");
}

TEST(PolicyErrors, Destinations)
{
    const std::vector<std::string> bad = {
        "10.0.0.1/8", // host bits
        "fd00::1/8",  // host bits
        "10.0.0.0/33",
        "::/129",
        "10.0.0.0/",
        "10.0.0.0/x",
        "10.0.0.0/-1",
        "/8",
        "10.0.0",
        "256.0.0.1",
        "example.com",
        "",
        "10.0.0.0/8/8",
    };
    for (const auto& b : bad) {
        SCOPED_TRACE(b);
        expect_error(doc(R"("safe_path":{"destinations":[")" + b + R"("]})"),
                     "safe_path.destinations[0]",
                     "CIDR");
    }
    // Text after a NUL is part of the value, not ignored.
    expect_error(doc(R"("safe_path":{"destinations":["10.0.0.1\u0000junk"]})"),
                 "safe_path.destinations[0]",
                 "CIDR");
    expect_error(doc(R"("endpoints":{"addresses":["203.0.113.53","203.0.113.1/24"]})"),
                 "endpoints.addresses[1]",
                 "CIDR");
}

TEST(PolicyErrors, Ports)
{
    for (const char* b : {"0", "65536", "-53", "100000", "18446744073709551615"}) {
        SCOPED_TRACE(b);
        expect_error(doc(std::string(R"("safe_path":{"ports":[53,)") + b + "]}"),
                     "safe_path.ports[1]",
                     "port");
    }
    expect_error(
        doc(R"("encrypted_egress":{"ports":[true]})"), "encrypted_egress.ports[0]", "port");
}

TEST(PolicyErrors, Processes)
{
    expect_error(doc(R"("safe_path":{"processes":[""]})"), "safe_path.processes[0]", "process");
    expect_error(doc(R"("safe_path":{"processes":[")" + std::string(256, 'p') + R"("]})"),
                 "safe_path.processes[0]",
                 "255");
    expect_error(
        doc(R"("safe_path":{"processes":["ok","a\u0000b"]})"), "safe_path.processes[1]", "process");
}

TEST(PolicyErrors, DomainPatterns)
{
    const std::vector<std::string> bad = {
        "",
        "*",
        "**",
        "*.",
        ".",
        "a.*.b",
        "*.*.b",
        "exa mple.com",
        "example..com",
        ".example.com",
        "ex!ample.com",
        "caf\\u00e9.example",
    };
    for (const auto& b : bad) {
        SCOPED_TRACE(b);
        expect_error(
            doc(R"("domains":{"direct":["lan",")" + b + R"("]})"), "domains.direct[1]", "domain");
    }
    expect_error(
        doc(R"("domains":{"proxy_required":["*.com.*"]})"), "domains.proxy_required[0]", "*");
    expect_error(doc(R"("endpoints":{"doh":["dns..example"]})"), "endpoints.doh[0]", "label");
    expect_error(doc(R"("endpoints":{"dot":["*.example.net"]})"), "endpoints.dot[0]", "host");
}

TEST(PolicyErrors, ValuesQuotedBackCannotBreakTheLine)
{
    // A value with a newline, a quote and bytes beyond ASCII is quoted back escaped.
    const std::string e =
        parse_error(doc(R"("safe_path":{"route_classes":["tun\nnel\"\u00e9\u0001"]})"));
    EXPECT_NE(e.find("safe_path.route_classes[0]"), std::string::npos) << e;
}

TEST(PolicyErrors, KeysQuotedBackCannotBreakTheLine)
{
    // The key path carries user text too: a key with a newline must not split the error.
    const std::string e1 = parse_error(doc(R"("interface_labels":{"a\nb":"tunnel"})"));
    EXPECT_NE(e1.find("interface_labels."), std::string::npos) << e1;
    const std::string e2 = parse_error(doc(R"("x\ny":1)"));
    EXPECT_NE(e2.find("unknown"), std::string::npos) << e2;
    const std::string e3 = parse_error(doc(R"("safe_path":{"a\r\nb":[]})"));
    EXPECT_NE(e3.find("safe_path."), std::string::npos) << e3;
}

TEST(PolicyErrors, DeepNestingIsRefusedWithoutACrash)
{
    constexpr std::size_t DEPTH = 200000;
    const std::string deep = std::string(DEPTH, '[') + std::string(DEPTH, ']');
    std::string e = parse_error(deep);
    EXPECT_NE(e.find("16"), std::string::npos) << e;
    EXPECT_NE(e.find("deep"), std::string::npos) << e;

    // Unterminated, and inside an otherwise valid policy.
    e = parse_error(std::string(DEPTH, '['));
    EXPECT_NE(e.find("deep"), std::string::npos) << e;
    e = parse_error(doc(R"("name":)" + deep));
    EXPECT_NE(e.find("deep"), std::string::npos) << e;

    std::string objects;
    for (std::size_t i = 0; i < DEPTH; ++i) {
        objects += R"({"a":)";
    }
    objects += "1" + std::string(DEPTH, '}');
    e = parse_error(objects);
    EXPECT_NE(e.find("deep"), std::string::npos) << e;
}

TEST(PolicyErrors, DepthLimitIs16Levels)
{
    // The top-level object is level 1. 16 levels are read (and fail on the type of "name");
    // 17 levels are "deeper than 16" (RELIABILITY.md row 14).
    const auto nested = [](int levels) {
        const int arrays = levels - 1;
        return doc(R"("name":)" + std::string(static_cast<std::size_t>(arrays), '[') +
                   std::string(static_cast<std::size_t>(arrays), ']'));
    };
    std::string e = parse_error(nested(16));
    EXPECT_NE(e.find("p.json: name: "), std::string::npos) << e;
    e = parse_error(nested(17));
    EXPECT_NE(e.find("deep"), std::string::npos) << e;
}

// ---- load_policy ------------------------------------------------------------------------

class PolicyFile : public ::testing::Test {
protected:
    void SetUp() override
    {
        dir_ = std::filesystem::temp_directory_path() /
               ("wtfn-policy-test-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
    }

    void TearDown() override
    {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    std::string write(const std::string& name, const std::string& text)
    {
        const auto path = (dir_ / name).string();
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }

    std::filesystem::path dir_;
};

TEST_F(PolicyFile, ReadsAFileAndNamesItAsTheSource)
{
    const std::string path = write("ok.json", FULL_EXAMPLE);
    Policy p;
    std::string error;
    ASSERT_TRUE(load_policy(path, p, error)) << error;
    EXPECT_EQ(p.source, path);
    EXPECT_EQ(p.name, "office-vpn");
}

TEST_F(PolicyFile, ErrorsNameTheFile)
{
    const std::string path = write("bad.json", doc(R"("safe_path":{"ports":[0]})"));
    Policy p;
    std::string error;
    ASSERT_FALSE(load_policy(path, p, error));
    EXPECT_EQ(error.rfind(path + ": safe_path.ports[0]: ", 0), 0U) << error;

    error.clear();
    ASSERT_FALSE(load_policy((dir_ / "missing.json").string(), p, error));
    EXPECT_NE(error.find("missing.json"), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;

    error.clear();
    ASSERT_FALSE(load_policy(dir_.string(), p, error)); // a directory
    EXPECT_NE(error.find(dir_.string()), std::string::npos) << error;
}

TEST_F(PolicyFile, RefusesMoreThanOneMebibyte)
{
    const std::string path =
        write("big.json", doc(R"("summary":")" + std::string(1024 * 1024, 'x') + "\""));
    Policy p;
    std::string error;
    ASSERT_FALSE(load_policy(path, p, error));
    EXPECT_NE(error.find("1 MiB"), std::string::npos) << error;
}

// ---- CIDR -------------------------------------------------------------------------------

TEST(Cidr, ParsesAddressesAndPrefixes)
{
    EXPECT_EQ(cidr("10.0.0.0/8").to_string(), "10.0.0.0/8");
    EXPECT_EQ(cidr("192.0.2.53").to_string(), "192.0.2.53/32");
    EXPECT_EQ(cidr("2001:db8::53").to_string(), "2001:db8::53/128");
    EXPECT_EQ(cidr("fd00::/8").prefix_len, 8);
    EXPECT_EQ(cidr("0.0.0.0/0").prefix_len, 0);
    EXPECT_EQ(cidr("::/0").prefix_len, 0);
    EXPECT_FALSE(parse_cidr("10.0.0.1/8"));
    EXPECT_FALSE(parse_cidr("10.0.0.0/33"));
    EXPECT_FALSE(parse_cidr("::/129"));
    EXPECT_FALSE(parse_cidr("1.2.3.4/0")); // host bits under /0
    EXPECT_FALSE(parse_cidr(""));
    EXPECT_FALSE(parse_cidr("10.0.0.0/"));
    EXPECT_FALSE(parse_cidr("10.0.0.0/1000"));
    EXPECT_FALSE(parse_cidr(std::string_view("10.0.0.1\0junk", 13)));
    EXPECT_FALSE(parse_cidr(std::string_view("10.0.0.0\0/8", 11)));
}

TEST(Cidr, ZeroPrefixMatchesItsWholeFamilyOnly)
{
    const Cidr v4 = cidr("0.0.0.0/0");
    EXPECT_TRUE(v4.contains(ip("0.0.0.0")));
    EXPECT_TRUE(v4.contains(ip("255.255.255.255")));
    EXPECT_TRUE(v4.contains(ip("10.1.2.3")));
    EXPECT_FALSE(v4.contains(ip("::")));
    EXPECT_FALSE(v4.contains(ip("::ffff:10.1.2.3")));
    const Cidr v6 = cidr("::/0");
    EXPECT_TRUE(v6.contains(ip("::")));
    EXPECT_TRUE(v6.contains(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
    EXPECT_FALSE(v6.contains(ip("0.0.0.0")));
    EXPECT_FALSE(v6.contains(ip("10.1.2.3")));
    EXPECT_FALSE(v4.contains(net::IpAddress{})); // an unset address is in no family
}

TEST(Cidr, FullPrefixMatchesOneAddress)
{
    const Cidr a = cidr("192.0.2.53/32");
    EXPECT_TRUE(a.contains(ip("192.0.2.53")));
    EXPECT_FALSE(a.contains(ip("192.0.2.52")));
    EXPECT_FALSE(a.contains(ip("192.0.2.54")));
    EXPECT_FALSE(a.contains(ip("::ffff:192.0.2.53")));
    const Cidr b = cidr("2001:db8::53/128");
    EXPECT_TRUE(b.contains(ip("2001:db8::53")));
    EXPECT_FALSE(b.contains(ip("2001:db8::52")));
    EXPECT_FALSE(b.contains(ip("2001:db8::1:53")));
}

TEST(Cidr, PrefixBoundaries)
{
    const Cidr a = cidr("10.0.0.0/8");
    EXPECT_TRUE(a.contains(ip("10.0.0.0")));
    EXPECT_TRUE(a.contains(ip("10.255.255.255")));
    EXPECT_FALSE(a.contains(ip("11.0.0.0")));
    EXPECT_FALSE(a.contains(ip("9.255.255.255")));
    const Cidr b = cidr("192.168.0.0/23"); // a prefix inside a byte
    EXPECT_TRUE(b.contains(ip("192.168.1.255")));
    EXPECT_FALSE(b.contains(ip("192.168.2.0")));
    const Cidr c = cidr("fd00::/8");
    EXPECT_TRUE(c.contains(ip("fd12:3456::1")));
    EXPECT_FALSE(c.contains(ip("fc00::1")));
    EXPECT_FALSE(c.contains(ip("fe80::1")));
    const Cidr d = cidr("2001:db8::/127");
    EXPECT_TRUE(d.contains(ip("2001:db8::1")));
    EXPECT_FALSE(d.contains(ip("2001:db8::2")));
    const Cidr e = cidr("128.0.0.0/1");
    EXPECT_TRUE(e.contains(ip("200.1.1.1")));
    EXPECT_FALSE(e.contains(ip("127.255.255.255")));
}

TEST(Cidr, MixedFamiliesNeverMatch)
{
    // An IPv4 address's bytes sit in the first 4 of 16: "10::/8" must not catch 10.0.0.1.
    EXPECT_FALSE(cidr("a00::/8").contains(ip("10.0.0.1")));
    EXPECT_FALSE(cidr("10.0.0.0/8").contains(ip("a00::1")));
    EXPECT_FALSE(cidr("::ffff:0:0/96").contains(ip("10.0.0.1")));
    EXPECT_FALSE(cidr("10.0.0.1").contains(ip("::ffff:10.0.0.1")));
}

// ---- domain patterns --------------------------------------------------------------------

TEST(DomainPattern, NameMatchesItselfAndEveryNameBelow)
{
    const DomainPattern d = pattern("example.com");
    EXPECT_FALSE(d.below_only);
    EXPECT_TRUE(d.matches("example.com"));
    EXPECT_TRUE(d.matches("www.example.com"));
    EXPECT_TRUE(d.matches("a.b.example.com"));
    EXPECT_FALSE(d.matches("badexample.com")); // a suffix, but not at a label boundary
    EXPECT_FALSE(d.matches("example.com.evil"));
    EXPECT_FALSE(d.matches("example.co"));
    EXPECT_FALSE(d.matches("com"));
    EXPECT_FALSE(d.matches(""));
    EXPECT_FALSE(d.matches("xexample.com"));
}

TEST(DomainPattern, StarMatchesOnlyNamesBelow)
{
    const DomainPattern d = pattern("*.x");
    EXPECT_TRUE(d.below_only);
    EXPECT_EQ(d.suffix, "x");
    EXPECT_FALSE(d.matches("x"));
    EXPECT_TRUE(d.matches("a.x"));
    EXPECT_TRUE(d.matches("a.b.x"));
    EXPECT_FALSE(d.matches("ax"));
    const DomainPattern e = pattern("*.blocked.example");
    EXPECT_FALSE(e.matches("blocked.example"));
    EXPECT_TRUE(e.matches("www.blocked.example"));
    EXPECT_FALSE(e.matches("unblocked.example"));
}

TEST(DomainPattern, SingleLabel)
{
    const DomainPattern d = pattern("lan");
    EXPECT_TRUE(d.matches("lan"));
    EXPECT_TRUE(d.matches("printer.lan"));
    EXPECT_FALSE(d.matches("plan"));
    EXPECT_FALSE(d.matches("lan.example"));
}

TEST(DomainPattern, StoredLowerCaseWithoutTrailingDot)
{
    EXPECT_EQ(pattern("Example.COM.").suffix, "example.com");
    EXPECT_EQ(pattern("Example.COM.").to_string(), "example.com");
    EXPECT_EQ(pattern("*.Example.COM.").to_string(), "*.example.com");
    EXPECT_TRUE(pattern("Example.COM").matches("www.example.com"));
    EXPECT_EQ(pattern("_dmarc.example-1.com").suffix, "_dmarc.example-1.com");
}

TEST(DomainPattern, Rejected)
{
    const std::string label63(63, 'a');
    std::string name253 = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'a');
    ASSERT_EQ(name253.size(), 253U);
    EXPECT_EQ(pattern(label63 + ".com").suffix.size(), 67U);
    EXPECT_EQ(pattern(name253).suffix.size(), 253U);
    EXPECT_EQ(pattern(name253 + ".").suffix.size(), 253U);

    for (const std::string& bad : {std::string(""),
                                   std::string("*"),
                                   std::string("**"),
                                   std::string("*."),
                                   std::string("."),
                                   std::string("a.*.b"),
                                   std::string("a*.b"),
                                   std::string("*.*.b"),
                                   std::string("example..com"),
                                   std::string(".example.com"),
                                   std::string("exa mple.com"),
                                   std::string("ex/ample.com"),
                                   std::string("caf\xc3\xa9.example"),
                                   std::string(64, 'a') + ".com",
                                   name253 + "a",
                                   std::string("a\0b", 3)}) {
        SCOPED_TRACE(bad);
        std::string why;
        EXPECT_FALSE(parse_domain_pattern(bad, why));
        EXPECT_FALSE(why.empty());
        EXPECT_EQ(why.find('\n'), std::string::npos);
    }
}

} // namespace
} // namespace wtfn::dnsleak
