// append_event_json: the judgement's fields and the privacy modes (DESIGN.md section 7): in
// redacted and minimal modes no byte of the query name or an answer's name is written.
#include "dnsleak/report/event_json.h"

#include <cstring>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dnsleak/rules/rule_engine.h"

namespace wtfn::dnsleak {
namespace {

void set_name(proto::DnsName& n, const char* text)
{
    n.length = static_cast<std::uint16_t>(std::strlen(text));
    std::memcpy(n.text.data(), text, n.length);
}

class EventJson : public ::testing::Test {
protected:
    void SetUp() override
    {
        policy_ = *builtin_policy("split");
        policy_.proxy_required.push_back({"secret.example", false});
        set_name(message_.qname, "q1.secret.example");
        message_.has_question = true;
        message_.qdcount = 1;
        message_.qtype = 1;
        message_.qclass = 1;
        event_.ts_ns = 1'700'000'000'000'000'000;
        event_.transport = Transport::udp53;
        event_.route_class = platform::RouteClass::physical;
        event_.interface = "eth0";
        event_.ifindex = 2;
        event_.direction = net::Direction::outbound;
        event_.src = net::parse_ip("192.168.1.10");
        event_.dst = net::parse_ip("192.168.1.1");
        event_.src_port = 40000;
        event_.dst_port = 53;
        event_.dns = &message_;
    }

    nlohmann::json write(PrivacyMode mode)
    {
        RuleEngine engine(policy_);
        ClassifiedEvent e = event_;
        e.judgement = &engine.judge(e);
        EventFormat f;
        f.privacy = mode;
        f.hasher = &hasher_;
        f.policy = &policy_;
        text_.clear();
        append_event_json(text_, e, f);
        return nlohmann::json::parse(text_);
    }

    Policy policy_;
    proto::DnsMessage message_;
    ClassifiedEvent event_;
    NameHasher hasher_{PrivacyKey{}};
    std::string text_;
};

TEST_F(EventJson, ALeakCarriesItsTypeSeverityRuleAndEvidence)
{
    const auto j = write(PrivacyMode::full);
    EXPECT_EQ(j["verdict"], "leak");
    EXPECT_EQ(j["leak_type"], "B");
    EXPECT_EQ(j["severity"], "P0");
    EXPECT_EQ(j["rule_id"], "leak-b.proxy-required-name");
    EXPECT_EQ(j["evidence"]["policy"], "split");
    EXPECT_EQ(j["evidence"]["violated"], nlohmann::json::array({"route_class"}));
    EXPECT_EQ(j["evidence"]["name_match"], "proxy_required");
    EXPECT_EQ(j["evidence"]["domain_rule"], "secret.example");
    const std::string reason = j["evidence"]["reason"];
    EXPECT_NE(reason.find("route class physical is not in [tunnel, loopback]"), std::string::npos)
        << reason;
    EXPECT_EQ(reason.find("q1."), std::string::npos) << reason; // never the name itself
    EXPECT_TRUE(j["process"].is_null());
    EXPECT_EQ(j["attribution"]["confidence"], "none");
    EXPECT_TRUE(j["geoip"].is_null());
    EXPECT_EQ(j["dns"]["qname"], "q1.secret.example");
    EXPECT_EQ(j["dns"]["qname_registrable"], "secret.example");
    EXPECT_EQ(j["dns"]["qname_hash"].get<std::string>().size(), 24U);
}

TEST_F(EventJson, RedactedKeepsTheRegistrableDomainAndTheHashOnly)
{
    // An answer record naming the query and a CNAME target.
    message_.answer_count = 1;
    message_.ancount = 1;
    set_name(message_.answers[0].name, "q1.secret.example");
    set_name(message_.answers[0].target, "edge.cdn-secret.example");
    message_.answers[0].has_target = true;
    message_.answers[0].type = 5;
    const auto full = write(PrivacyMode::full);
    const auto j = write(PrivacyMode::redacted);
    EXPECT_TRUE(j["dns"]["qname"].is_null());
    EXPECT_EQ(j["dns"]["qname_registrable"], "secret.example");
    EXPECT_EQ(j["dns"]["qname_hash"], full["dns"]["qname_hash"]); // same key, same hash
    EXPECT_EQ(text_.find("q1"), std::string::npos) << text_;
    EXPECT_EQ(text_.find("edge"), std::string::npos) << text_;
    EXPECT_TRUE(j["dns"]["answers"][0]["name"].is_null());
}

TEST_F(EventJson, MinimalKeepsNoNamesButTheVerdictAndAddresses)
{
    const auto j = write(PrivacyMode::minimal);
    EXPECT_EQ(text_.find("secret"), std::string::npos) << text_;
    EXPECT_TRUE(j["dns"]["qname_registrable"].is_null());
    EXPECT_TRUE(j["dns"]["qname_hash"].is_null());
    EXPECT_TRUE(j["evidence"]["domain_rule"].is_null());
    EXPECT_EQ(j["leak_type"], "B");
    EXPECT_EQ(j["dst_ip"], "192.168.1.1");
}

TEST_F(EventJson, WithoutAJudgementTheVerdictFieldsAreNull)
{
    EventFormat f;
    text_.clear();
    append_event_json(text_, event_, f);
    const auto j = nlohmann::json::parse(text_);
    EXPECT_TRUE(j["verdict"].is_null());
    EXPECT_TRUE(j["rule_id"].is_null());
    EXPECT_TRUE(j["evidence"].is_null());
}

// The sender's fields, with the command line as the privacy mode allows (O3): whole in
// full, the program and its options in redacted (no name, no address), nothing in minimal.
TEST_F(EventJson, ProcessFieldsFollowThePrivacyMode)
{
    platform::FlowOwner o;
    o.kind = platform::OwnerKind::process;
    o.confidence = platform::OwnerConfidence::high;
    o.source = platform::OwnerSource::ebpf;
    o.process.pid = 4242;
    o.process.ppid = 311;
    o.process.name = "dig";
    o.process.exe = "/usr/bin/dig";
    o.process.cmdline = "dig @10.200.0.2 q1.secret.example +tries=1 +timeout=1 +short +nocookie";
    o.process.has_uid = true;
    o.process.uid = 1000;
    o.process.user = "alice";
    o.process.chain = {{311, "bash"}, {1, "systemd"}};
    o.process.cgroup = "/system.slice/docker-0123abcd.scope";
    o.process.container = "0123abcd";
    o.on_behalf_pid = 0;
    ProcessFacts facts{o.process.name, o.process.exe};
    event_.owner = &o;
    event_.process = &facts;

    const auto full = write(PrivacyMode::full);
    EXPECT_EQ(full["process"]["pid"], 4242);
    EXPECT_EQ(full["process"]["ppid"], 311);
    EXPECT_EQ(full["process"]["name"], "dig");
    EXPECT_EQ(full["process"]["exe"], "/usr/bin/dig");
    EXPECT_EQ(full["process"]["cmdline"], o.process.cmdline);
    EXPECT_EQ(full["process"]["uid"], 1000);
    EXPECT_EQ(full["process"]["user"], "alice");
    EXPECT_EQ(full["process"]["chain"][0]["pid"], 311);
    EXPECT_EQ(full["process"]["chain"][1]["name"], "systemd");
    EXPECT_EQ(full["process"]["container"], "0123abcd");
    EXPECT_TRUE(full["process"]["on_behalf_of"].is_null());
    EXPECT_EQ(full["attribution"]["confidence"], "high");
    EXPECT_EQ(full["attribution"]["source"], "ebpf");
    EXPECT_EQ(full["attribution"]["owner"], "process");
    EXPECT_TRUE(full["attribution"]["reason"].is_null());

    const auto redacted = write(PrivacyMode::redacted);
    EXPECT_EQ(redacted["process"]["cmdline"], "dig * * +tries=1 +timeout=1 +short +nocookie");

    const auto minimal = write(PrivacyMode::minimal);
    EXPECT_TRUE(minimal["process"]["cmdline"].is_null());
    EXPECT_EQ(minimal["process"]["name"], "dig");
}

TEST_F(EventJson, AStubsUpstreamQueryNamesTheApplicationItServes)
{
    platform::FlowOwner o;
    o.kind = platform::OwnerKind::process;
    o.confidence = platform::OwnerConfidence::high;
    o.source = platform::OwnerSource::ebpf;
    o.process.pid = 77;
    o.process.name = "dnsmasq";
    o.on_behalf_pid = 4242;
    o.on_behalf_name = "dig";
    event_.owner = &o;
    const auto j = write(PrivacyMode::full);
    EXPECT_EQ(j["process"]["on_behalf_of"]["pid"], 4242);
    EXPECT_EQ(j["process"]["on_behalf_of"]["name"], "dig");
}

TEST_F(EventJson, KernelOwnedTrafficHasNoProcessButSaysWhy)
{
    platform::FlowOwner o;
    o.kind = platform::OwnerKind::kernel;
    o.confidence = platform::OwnerConfidence::medium;
    o.source = platform::OwnerSource::sock_diag;
    o.reason = "the socket is held by no process";
    event_.owner = &o;
    const auto j = write(PrivacyMode::full);
    EXPECT_TRUE(j["process"].is_null());
    EXPECT_EQ(j["attribution"]["owner"], "kernel");
    EXPECT_EQ(j["attribution"]["reason"], "the socket is held by no process");
}

} // namespace
} // namespace wtfn::dnsleak
