// AttributionStage: events wait for their sender, in capture order, bounded in number and
// time; the held DNS message is parsed again from its bytes; a stub's upstream query is
// linked to the application's loopback query. The provider is a scripted fake: the real one
// is proved against the kernel in tests/e2e/attribution.sh.
#include "dnsleak/attrib/attribution_stage.h"

#include <deque>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace wtfn::dnsleak {
namespace {

class FakeProvider final : public platform::FlowOwnerProvider {
public:
    void request(const platform::FlowTuple& t, std::int64_t /*ts_ns*/, std::uint64_t token) override
    {
        asked.push_back({t, token});
    }

    void collect(std::vector<platform::OwnerAnswer>& out) override
    {
        for (auto& a : ready) {
            out.push_back(std::move(a));
        }
        ready.clear();
    }

    std::size_t outstanding() const override { return asked.size() - answered; }

    platform::OwnerStats stats() const override { return {}; }

    std::string_view method() const override { return "ebpf"; }

    // Answers the n-th request with a process.
    void answer(std::size_t n, std::int32_t pid, const std::string& name)
    {
        platform::OwnerAnswer a;
        a.token = asked.at(n).second;
        a.owner.kind = platform::OwnerKind::process;
        a.owner.confidence = platform::OwnerConfidence::high;
        a.owner.source = platform::OwnerSource::ebpf;
        a.owner.process.pid = pid;
        a.owner.process.name = name;
        a.owner.process.exe = "/usr/bin/" + name;
        ready.push_back(std::move(a));
        ++answered;
    }

    std::vector<std::pair<platform::FlowTuple, std::uint64_t>> asked;
    std::vector<platform::OwnerAnswer> ready;
    std::size_t answered = 0;
};

// A DNS query for `name` (type A), as it travels.
std::vector<std::uint8_t> query_wire(const std::string& name, bool response = false)
{
    std::vector<std::uint8_t> w = {0x12,
                                   0x34,
                                   static_cast<std::uint8_t>(response ? 0x81 : 0x01),
                                   0x00,
                                   0,
                                   1,
                                   0,
                                   0,
                                   0,
                                   0,
                                   0,
                                   0};
    std::size_t start = 0;
    while (start <= name.size()) {
        const std::size_t dot = std::min(name.find('.', start), name.size());
        w.push_back(static_cast<std::uint8_t>(dot - start));
        w.insert(w.end(),
                 name.begin() + static_cast<std::ptrdiff_t>(start),
                 name.begin() + static_cast<std::ptrdiff_t>(dot));
        start = dot + 1;
    }
    w.insert(w.end(), {0, 0, 1, 0, 1});
    return w;
}

struct Delivered {
    std::string qname;
    bool response = false;
    std::int32_t pid = 0;
    std::string process; // ProcessFacts.name
    std::string confidence;
    std::int32_t on_behalf = 0;
    std::string reason;
};

class Stage : public ::testing::Test {
protected:
    void make(AttributionLimits limits = {})
    {
        stage_ = std::make_unique<AttributionStage>(
            provider_,
            [this](ClassifiedEvent& e) {
                Delivered d;
                if (e.dns != nullptr) {
                    d.qname = std::string(e.dns->qname.view());
                    d.response = e.dns->is_response();
                }
                if (e.owner != nullptr) {
                    d.pid = e.owner->process.pid;
                    d.confidence = std::string(platform::to_string(e.owner->confidence));
                    d.on_behalf = e.owner->on_behalf_pid;
                    d.reason = e.owner->reason;
                }
                if (e.process != nullptr) {
                    d.process = std::string(e.process->name);
                }
                out_.push_back(d);
            },
            limits);
    }

    // Submits a query (or response) the way the pipeline does: parsed, pointing into `msg_`.
    void submit(const std::string& name,
                const char* src,
                const char* dst,
                bool response = false,
                platform::RouteClass rc = platform::RouteClass::physical)
    {
        wires_.push_back(query_wire(name, response));
        const auto& w = wires_.back();
        proto::DnsMessage msg;
        ASSERT_FALSE(proto::parse_dns_message({w.data(), w.size()}, msg));
        ClassifiedEvent e;
        e.ts_ns = ++ts_ * 1'000'000;
        e.direction = response ? net::Direction::inbound : net::Direction::outbound;
        e.route_class = rc;
        e.src = net::parse_ip(src);
        e.dst = net::parse_ip(dst);
        e.src_port = 40000;
        e.dst_port = 53;
        e.dns = &msg;
        e.interface = "veth0";
        stage_->submit(e, {w.data(), w.size()});
        msg = proto::DnsMessage{}; // the pipeline reuses its message: the stage must not look
    }

    FakeProvider provider_;
    std::unique_ptr<AttributionStage> stage_;
    std::vector<Delivered> out_;
    std::deque<std::vector<std::uint8_t>> wires_;
    std::int64_t ts_ = 1000;
};

TEST_F(Stage, AQueryWaitsForItsSenderAndKeepsCaptureOrder)
{
    make();
    submit("a.example", "10.0.0.1", "10.0.0.53");
    submit("a.example", "10.0.0.53", "10.0.0.1", true); // its response: no owner needed
    ASSERT_EQ(provider_.asked.size(), 1U);
    stage_->tick();
    EXPECT_TRUE(out_.empty()); // the query is not answered yet, the response waits behind it
    provider_.answer(0, 4242, "dig");
    stage_->tick();
    ASSERT_EQ(out_.size(), 2U);
    EXPECT_EQ(out_[0].qname, "a.example"); // parsed again from the held bytes
    EXPECT_FALSE(out_[0].response);
    EXPECT_EQ(out_[0].pid, 4242);
    EXPECT_EQ(out_[0].process, "dig");
    EXPECT_EQ(out_[0].confidence, "high");
    EXPECT_TRUE(out_[1].response);
    EXPECT_EQ(out_[1].pid, 0);
    EXPECT_EQ(stage_->counts().by_confidence[3], 1U);
}

TEST_F(Stage, NothingHeldMeansAResponseGoesStraightOn)
{
    make();
    submit("a.example", "10.0.0.53", "10.0.0.1", true);
    EXPECT_EQ(out_.size(), 1U);
    EXPECT_TRUE(provider_.asked.empty());
}

TEST_F(Stage, TheTupleAskedForIsTheSendersSide)
{
    make();
    submit("a.example", "10.0.0.1", "10.0.0.53");
    ASSERT_EQ(provider_.asked.size(), 1U);
    const platform::FlowTuple& t = provider_.asked[0].first;
    EXPECT_EQ(t.local, net::parse_ip("10.0.0.1"));
    EXPECT_EQ(t.remote, net::parse_ip("10.0.0.53"));
    EXPECT_EQ(t.local_port, 40000);
    EXPECT_EQ(t.remote_port, 53);
}

TEST_F(Stage, AnEventIsReleasedWhenItsWaitRunsOut)
{
    AttributionLimits l;
    l.max_wait = std::chrono::milliseconds(0);
    make(l);
    submit("late.example", "10.0.0.1", "10.0.0.53");
    stage_->tick();
    ASSERT_EQ(out_.size(), 1U);
    EXPECT_EQ(out_[0].confidence, "none");
    EXPECT_FALSE(out_[0].reason.empty());
    EXPECT_EQ(stage_->counts().timed_out, 1U);
    // The answer that comes later is dropped, not given to another event.
    provider_.answer(0, 4242, "dig");
    submit("next.example", "10.0.0.1", "10.0.0.53");
    stage_->tick();
    ASSERT_EQ(out_.size(), 2U);
    EXPECT_NE(out_[1].pid, 4242);
}

TEST_F(Stage, AFullQueueReleasesTheOldestFirst)
{
    AttributionLimits l;
    l.max_pending = 2;
    make(l);
    submit("q0.example", "10.0.0.1", "10.0.0.53");
    submit("q1.example", "10.0.0.1", "10.0.0.53");
    EXPECT_TRUE(out_.empty());
    submit("q2.example", "10.0.0.1", "10.0.0.53");
    ASSERT_EQ(out_.size(), 1U);
    EXPECT_EQ(out_[0].qname, "q0.example");
    EXPECT_EQ(stage_->counts().overflowed, 1U);
    EXPECT_EQ(stage_->held(), 2U);
}

TEST_F(Stage, FinishReleasesEverythingWithWhatIsKnown)
{
    make();
    submit("q0.example", "10.0.0.1", "10.0.0.53");
    submit("q1.example", "10.0.0.1", "10.0.0.53");
    provider_.answer(1, 7, "curl");
    stage_->finish(std::chrono::milliseconds(10));
    ASSERT_EQ(out_.size(), 2U);
    EXPECT_EQ(out_[0].confidence, "none");
    EXPECT_EQ(out_[1].pid, 7);
    EXPECT_EQ(stage_->held(), 0U);
}

TEST_F(Stage, AStubsUpstreamQueryIsLinkedToTheApplication)
{
    make();
    // dig asks the stub on loopback (Linux shows only the receiving copy there), then
    // dnsmasq asks upstream for the same name.
    submit("www.example.com", "127.0.0.1", "127.0.0.1", false, platform::RouteClass::loopback);
    submit("www.example.com", "10.0.0.1", "10.0.0.53");
    submit("other.example.com", "10.0.0.1", "10.0.0.53");
    ASSERT_EQ(provider_.asked.size(), 3U);
    provider_.answer(0, 4242, "dig");
    provider_.answer(1, 77, "dnsmasq");
    provider_.answer(2, 77, "dnsmasq");
    stage_->tick();
    ASSERT_EQ(out_.size(), 3U);
    EXPECT_EQ(out_[1].pid, 77);
    EXPECT_EQ(out_[1].on_behalf, 4242);
    EXPECT_EQ(out_[2].on_behalf, 0); // nobody asked the stub for that name
    EXPECT_EQ(stage_->counts().via_stub, 1U);
}

} // namespace
} // namespace wtfn::dnsleak
