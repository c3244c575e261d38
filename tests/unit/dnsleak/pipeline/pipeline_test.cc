// Tests of src/dnsleak/pipeline/pipeline.cc: RawPackets built with FrameBuilder go in, the
// events a recording sink receives and the counters come out (DESIGN.md sections 2-4,
// RELIABILITY.md rows 8, 11 and goals M1, M5).
#include "dnsleak/pipeline/pipeline.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/dns_message_builder.h"
#include "support/frame_builder.h"
#include "support/malformed_expect.h"
#include "support/payloads.h"

namespace wtfn::dnsleak {
namespace {

using capture::RecordedDirection;
using test::FrameBuilder;
using test::Wire;
using util::Malformed;

constexpr std::uint32_t SLL2 = 276;
constexpr std::uint32_t RAW = 101;
constexpr std::int64_t T0 = 1'700'000'000'000'000'000;
constexpr std::int64_t MS = 1'000'000;

const char* const CLIENT = "192.0.2.10";
const char* const RESOLVER = "198.51.100.53";

// What a sink may keep of an event (events point into reused buffers).
struct Recorded {
    std::int64_t ts_ns = 0;
    Transport transport = Transport::udp53;
    Confidence confidence = Confidence::high;
    net::L4 proto = net::L4::udp;
    net::Direction direction = net::Direction::unknown;
    std::string interface;
    std::uint32_t ifindex = 0;
    platform::RouteClass route_class = platform::RouteClass::unknown;
    std::string src;
    std::string dst;
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    bool has_dns = false;
    std::string qname;
    std::uint16_t qtype = 0;
    bool response = false;
    std::vector<std::string> answers;
    std::optional<Malformed> malformed;
    bool tls_client_hello = false;
    std::uint32_t quic_version = 0;
};

class RecordingSink final : public EventSink {
public:
    void on_event(const ClassifiedEvent& e) override
    {
        Recorded r;
        r.ts_ns = e.ts_ns;
        r.transport = e.transport;
        r.confidence = e.confidence;
        r.proto = e.proto;
        r.direction = e.direction;
        r.interface = std::string(e.interface);
        r.ifindex = e.ifindex;
        r.route_class = e.route_class;
        r.src = e.src.to_string();
        r.dst = e.dst.to_string();
        r.src_port = e.src_port;
        r.dst_port = e.dst_port;
        if (e.dns != nullptr) {
            r.has_dns = true;
            if (e.dns->has_question) {
                r.qname = std::string(e.dns->qname.view());
            }
            r.qtype = e.dns->qtype;
            r.response = e.dns->is_response();
            for (std::size_t i = 0; i < e.dns->answer_count; ++i) {
                for (std::size_t k = 0; k < e.dns->answers[i].addr_count; ++k) {
                    r.answers.push_back(e.dns->answers[i].addrs[k].to_string());
                }
            }
        }
        r.malformed = e.malformed;
        r.tls_client_hello = e.tls_client_hello;
        r.quic_version = e.quic_version;
        events.push_back(std::move(r));
    }

    std::vector<Recorded> events;
};

// Kernel indexes 1, 2, 5 are lo, eth0, wg0; without an index, pcapng interfaces 0 and 1 are
// eth0 and wg0.
class FakeNames final : public InterfaceResolver {
public:
    InterfaceRef resolve(const InterfaceKey& key) override
    {
        InterfaceRef ref;
        ref.ifindex = key.ifindex;
        if (key.ifindex != 0) {
            const auto it = by_index_.find(key.ifindex);
            ref.name = it == by_index_.end() ? std::string_view{} : std::string_view{it->second};
        } else {
            ref.name = key.interface_id < by_id_.size() ? std::string_view{by_id_[key.interface_id]}
                                                        : std::string_view{};
        }
        // The pipeline carries the class the resolver gives; wg0 stands for a tunnel.
        ref.route_class =
            ref.name == "wg0" ? platform::RouteClass::tunnel : platform::RouteClass::physical;
        return ref;
    }

    std::vector<SeenInterface> seen() const override { return {}; }

private:
    std::map<std::uint32_t, std::string> by_index_{{1, "lo"}, {2, "eth0"}, {5, "wg0"}};
    std::vector<std::string> by_id_{"eth0", "wg0"};
};

struct Harness {
    explicit Harness(PipelineLimits limits = {}) : pipeline(names, limits)
    {
        pipeline.add_sink(&sink);
    }

    // Feeds one record; the clock moves on by `step` after it.
    void feed(const Wire& frame,
              std::uint32_t link_type = SLL2,
              RecordedDirection dir = RecordedDirection::unknown,
              std::uint32_t interface_id = 0,
              std::int64_t step = MS)
    {
        const Wire copy = frame; // exact size: an over-read trips ASan
        capture::RawPacket p;
        p.ts_ns = now;
        p.caplen = static_cast<std::uint32_t>(copy.size());
        p.len = p.caplen;
        p.data = copy.data();
        p.link_type = link_type;
        p.interface_id = interface_id;
        p.direction = dir;
        pipeline.process(p);
        now += step;
    }

    const util::MalformedCounters& bad() const { return pipeline.counters().malformed; }

    const std::vector<Recorded>& events() const { return sink.events; }

    FakeNames names;
    RecordingSink sink;
    Pipeline pipeline;
    std::int64_t now = T0;
};

// --- frames -----------------------------------------------------------------------------

Wire udp_out(std::uint16_t sport,
             std::uint16_t dport,
             const Wire& payload,
             const char* dst = RESOLVER)
{
    return FrameBuilder{}
        .ipv4(CLIENT, dst)
        .udp(sport, dport)
        .payload(payload)
        .sll2(2, test::PKT_OUTGOING);
}

Wire udp_in(std::uint16_t sport,
            std::uint16_t dport,
            const Wire& payload,
            const char* src = RESOLVER)
{
    return FrameBuilder{}
        .ipv4(src, CLIENT)
        .udp(sport, dport)
        .payload(payload)
        .sll2(2, test::PKT_HOST);
}

// One TCP connection 192.0.2.10:40000 <-> 198.51.100.53:port.
struct Conn {
    std::uint16_t cport = 40000;
    std::uint16_t sport = 53;
    const char* server = RESOLVER;
    std::uint32_t ifindex = 2;

    Wire c2s(std::uint32_t seq, std::uint8_t flags, const Wire& data = {}) const
    {
        return FrameBuilder{}
            .ipv4(CLIENT, server)
            .tcp(cport, sport, seq, flags, 1)
            .payload(data)
            .sll2(ifindex, test::PKT_OUTGOING);
    }

    Wire s2c(std::uint32_t seq, std::uint8_t flags, const Wire& data = {}) const
    {
        return FrameBuilder{}
            .ipv4(server, CLIENT)
            .tcp(sport, cport, seq, flags, 1)
            .payload(data)
            .sll2(ifindex, test::PKT_HOST);
    }
};

constexpr std::uint8_t PA = test::F_PSH | test::F_ACK;

Wire framed_query(std::uint16_t id, const std::string& name)
{
    return test::tcp_framed(test::dns_query(id, name, 1));
}

// --- UDP --------------------------------------------------------------------------------

TEST(Pipeline, UdpQueryAndResponseEvents)
{
    Harness h;
    h.feed(udp_out(40000, 53, test::dns_query(0x1111, "www.example", 1)));
    h.feed(udp_in(
        53, 40000, test::dns_response(0x1111, "www.example", 1, {"192.0.2.80", "192.0.2.81"})));
    ASSERT_EQ(h.events().size(), 2u);
    const Recorded& q = h.events()[0];
    EXPECT_EQ(q.ts_ns, T0);
    EXPECT_EQ(q.transport, Transport::udp53);
    EXPECT_EQ(q.confidence, Confidence::high);
    EXPECT_EQ(q.proto, net::L4::udp);
    EXPECT_EQ(q.direction, net::Direction::outbound);
    EXPECT_EQ(q.interface, "eth0");
    EXPECT_EQ(q.ifindex, 2u);
    EXPECT_EQ(q.src, CLIENT);
    EXPECT_EQ(q.dst, RESOLVER);
    EXPECT_EQ(q.src_port, 40000);
    EXPECT_EQ(q.dst_port, 53);
    ASSERT_TRUE(q.has_dns);
    EXPECT_EQ(q.qname, "www.example");
    EXPECT_EQ(q.qtype, 1);
    EXPECT_FALSE(q.response);
    EXPECT_FALSE(q.malformed);
    const Recorded& r = h.events()[1];
    EXPECT_EQ(r.direction, net::Direction::inbound);
    EXPECT_TRUE(r.response);
    EXPECT_EQ(r.qname, "www.example");
    EXPECT_EQ(r.answers, (std::vector<std::string>{"192.0.2.80", "192.0.2.81"}));
    EXPECT_EQ(r.src, RESOLVER);
    EXPECT_EQ(r.src_port, 53);
    const CaptureCounters& c = h.pipeline.counters();
    EXPECT_EQ(c.packets_read, 2u);
    EXPECT_EQ(c.packets_decoded, 2u);
    EXPECT_EQ(c.dns_messages, 2u);
    EXPECT_TRUE(test::nothing_counted(h.bad()));
}

TEST(Pipeline, UdpOverIpv6Aaaa)
{
    Harness h;
    h.feed(FrameBuilder{}
               .ipv6("2001:db8::10", "2001:db8:53::53")
               .udp(40000, 53)
               .payload(test::dns_response(7, "v6.example", 28, {"2001:db8::80"}))
               .sll2(5, test::PKT_HOST));
    ASSERT_EQ(h.events().size(), 1u);
    EXPECT_EQ(h.events()[0].qtype, 28);
    EXPECT_EQ(h.events()[0].answers, std::vector<std::string>{"2001:db8::80"});
    EXPECT_EQ(h.events()[0].interface, "wg0");
    EXPECT_EQ(h.events()[0].src, "2001:db8::10");
}

// Bytes on port 53 that are not DNS: still an event (the port is evidence), confidence
// medium, the class named, and only that class counted.
TEST(Pipeline, UdpGarbageOnPort53IsReportedWithItsClass)
{
    Harness h;
    h.feed(udp_out(40000, 53, Wire{1, 2, 3, 4, 5}));
    ASSERT_EQ(h.events().size(), 1u);
    EXPECT_EQ(h.events()[0].confidence, Confidence::medium);
    EXPECT_EQ(h.events()[0].malformed, Malformed::dns_truncated_header);
    EXPECT_FALSE(h.events()[0].has_dns);
    EXPECT_TRUE(test::only_counted(h.bad(), Malformed::dns_truncated_header));
}

// pcapng: the interface comes from the record's interface number, the direction from
// epb_flags when the link layer has none.
TEST(Pipeline, RecordedInterfaceAndDirection)
{
    Harness h;
    const Wire q = FrameBuilder{}
                       .ipv4(CLIENT, RESOLVER)
                       .udp(40000, 53)
                       .payload(test::dns_query(1, "a.example"))
                       .raw();
    h.feed(q, RAW, RecordedDirection::outbound, 1);
    h.feed(q, RAW, RecordedDirection::inbound, 0);
    h.feed(q, RAW, RecordedDirection::unknown, 0);
    ASSERT_EQ(h.events().size(), 3u);
    EXPECT_EQ(h.events()[0].interface, "wg0");
    EXPECT_EQ(h.events()[0].route_class, platform::RouteClass::tunnel);
    EXPECT_EQ(h.events()[0].ifindex, 0u);
    EXPECT_EQ(h.events()[0].direction, net::Direction::outbound);
    EXPECT_EQ(h.events()[1].interface, "eth0");
    EXPECT_EQ(h.events()[1].route_class, platform::RouteClass::physical);
    EXPECT_EQ(h.events()[1].direction, net::Direction::inbound);
    EXPECT_EQ(h.events()[2].direction, net::Direction::unknown);
}

// The link layer's direction wins over the recorded one.
TEST(Pipeline, LinkDirectionWinsOverRecordedDirection)
{
    Harness h;
    h.feed(udp_out(40000, 53, test::dns_query(1, "a.example")), SLL2, RecordedDirection::inbound);
    ASSERT_EQ(h.events().size(), 1u);
    EXPECT_EQ(h.events()[0].direction, net::Direction::outbound);
}

TEST(Pipeline, PacketsThatAreNotOursAreCountedNotReported)
{
    Harness h;
    h.feed(test::arp_request_frame(), 1);                                 // not IP
    h.feed(FrameBuilder{}.ipv4(CLIENT, RESOLVER).icmp_echo().raw(), RAW); // other L4
    h.feed(FrameBuilder{}.ipv4(CLIENT, RESOLVER).udp(40000, 123).payload(Wire(48, 0)).raw(),
           RAW); // NTP
    h.feed(FrameBuilder{}
               .ipv4(CLIENT, RESOLVER)
               .udp(40000, 53)
               .ipv4_fragment(true, 0)
               .payload(test::dns_query(1, "frag.example"))
               .raw(),
           RAW); // fragment
    EXPECT_TRUE(h.events().empty());
    const CaptureCounters& c = h.pipeline.counters();
    EXPECT_EQ(c.packets_read, 4u);
    EXPECT_EQ(c.packets_not_ip, 1u);
    EXPECT_EQ(c.packets_other_l4, 1u);
    EXPECT_EQ(c.packets_other_port, 1u);
    EXPECT_EQ(c.packets_decoded, 1u);
    EXPECT_TRUE(test::only_counted(h.bad(), Malformed::net_fragment));
}

// --- DNS over TCP -------------------------------------------------------------------------

TEST(Pipeline, Tcp53HandshakeThenTwoMessagesInOneSegment)
{
    Harness h;
    const Conn c;
    h.feed(c.c2s(1000, test::F_SYN));
    h.feed(c.s2c(5000, test::F_SYN | test::F_ACK));
    h.feed(c.c2s(1001, test::F_ACK));
    EXPECT_TRUE(h.events().empty());
    h.feed(c.c2s(
        1001, PA, test::concat({framed_query(1, "one.example"), framed_query(2, "two.example")})));
    ASSERT_EQ(h.events().size(), 2u);
    EXPECT_EQ(h.events()[0].qname, "one.example");
    EXPECT_EQ(h.events()[1].qname, "two.example");
    for (const Recorded& e : h.events()) {
        EXPECT_EQ(e.transport, Transport::tcp53);
        EXPECT_EQ(e.proto, net::L4::tcp);
        EXPECT_EQ(e.confidence, Confidence::high);
        EXPECT_EQ(e.direction, net::Direction::outbound);
        EXPECT_EQ(e.interface, "eth0");
        EXPECT_EQ(e.dst_port, 53);
    }
    EXPECT_EQ(h.pipeline.counters().dns_messages, 2u);
    h.pipeline.finish();
    EXPECT_EQ(h.events().size(), 2u);
    EXPECT_TRUE(test::nothing_counted(h.bad()));
}

TEST(Pipeline, Tcp53MessageSplitAcrossThreeSegments)
{
    Harness h;
    const Conn c;
    const Wire m = test::tcp_framed(test::dns_response(9, "split.example", 1, {"192.0.2.99"}));
    h.feed(c.c2s(1000, test::F_SYN));
    h.feed(c.s2c(5000, test::F_SYN | test::F_ACK));
    h.feed(c.s2c(5001, PA, test::slice(m, 0, 1))); // half of the length prefix
    h.feed(c.s2c(5002, PA, test::slice(m, 1, 20)));
    EXPECT_TRUE(h.events().empty());
    h.feed(c.s2c(5021, PA, test::slice(m, 20, m.size())));
    ASSERT_EQ(h.events().size(), 1u);
    const Recorded& e = h.events()[0];
    EXPECT_EQ(e.qname, "split.example");
    EXPECT_TRUE(e.response);
    EXPECT_EQ(e.answers, std::vector<std::string>{"192.0.2.99"});
    EXPECT_EQ(e.direction, net::Direction::inbound);
    EXPECT_EQ(e.src, RESOLVER);
    EXPECT_EQ(e.ts_ns, T0 + 4 * MS); // the segment that completed it
    h.pipeline.finish();
    EXPECT_TRUE(test::nothing_counted(h.bad()));
}

TEST(Pipeline, Tcp53RetransmittedSegmentIsNotCountedTwice)
{
    Harness h;
    const Conn c;
    const Wire seg = framed_query(1, "once.example");
    h.feed(c.c2s(1000, test::F_SYN));
    h.feed(c.c2s(1001, PA, seg));
    h.feed(c.c2s(1001, PA, seg)); // retransmission
    ASSERT_EQ(h.events().size(), 1u);
    EXPECT_EQ(h.pipeline.counters().dns_messages, 1u);
    h.feed(
        c.c2s(static_cast<std::uint32_t>(1001 + seg.size()), PA, framed_query(2, "next.example")));
    ASSERT_EQ(h.events().size(), 2u);
    EXPECT_EQ(h.events()[1].qname, "next.example");
    h.pipeline.finish();
    EXPECT_TRUE(test::nothing_counted(h.bad()));
}

TEST(Pipeline, Tcp53PartlyOverlappingRetransmission)
{
    Harness h;
    const Conn c;
    const Wire m = framed_query(1, "overlap.example");
    h.feed(c.c2s(1000, test::F_SYN));
    h.feed(c.c2s(1001, PA, test::slice(m, 0, 12)));
    h.feed(c.c2s(1001 + 6, PA, test::slice(m, 6, m.size()))); // repeats bytes 6..11
    ASSERT_EQ(h.events().size(), 1u);
    EXPECT_EQ(h.events()[0].qname, "overlap.example");
    EXPECT_FALSE(h.events()[0].malformed);
    h.pipeline.finish();
    EXPECT_TRUE(test::nothing_counted(h.bad()));
}

// A capture that starts mid-connection (no SYN seen) still yields the messages.
TEST(Pipeline, Tcp53WithoutHandshake)
{
    Harness h;
    const Conn c;
    h.feed(c.c2s(777, PA, framed_query(3, "mid.example")));
    ASSERT_EQ(h.events().size(), 1u);
    EXPECT_EQ(h.events()[0].qname, "mid.example");
}

TEST(Pipeline, Tcp53FinWithPartialMessageCountsTruncatedOnce)
{
    Harness h;
    const Conn c;
    const Wire m = framed_query(1, "cut.example");
    const Wire part = test::slice(m, 0, 10);
    h.feed(c.c2s(1000, test::F_SYN));
    h.feed(c.s2c(5000, test::F_SYN | test::F_ACK));
    h.feed(c.c2s(1001, PA, part));
    h.feed(c.c2s(1011, test::F_FIN | test::F_ACK));
    h.feed(c.s2c(5001, test::F_FIN | test::F_ACK)); // both sides closed: the flow ends
    h.feed(c.c2s(1012, test::F_ACK));
    h.pipeline.finish();
    EXPECT_TRUE(h.events().empty());
    EXPECT_TRUE(test::only_counted(h.bad(), Malformed::dns_tcp_truncated));
}

TEST(Pipeline, Tcp53PartialMessageAtEndOfCaptureCountsTruncatedOnce)
{
    Harness h;
    const Conn c;
    h.feed(c.c2s(1000, test::F_SYN));
    h.feed(c.c2s(1001, PA, test::slice(framed_query(1, "cut.example"), 0, 1)));
    h.pipeline.finish();
    EXPECT_TRUE(h.events().empty());
    EXPECT_TRUE(test::only_counted(h.bad(), Malformed::dns_tcp_truncated));
}

TEST(Pipeline, Tcp53RstEndsTheFlow)
{
    Harness h;
    const Conn c;
    h.feed(c.c2s(1000, test::F_SYN));
    h.feed(c.c2s(1001, PA, framed_query(1, "rst.example")));
    h.feed(c.s2c(0, test::F_RST));
    h.pipeline.finish();
    EXPECT_EQ(h.events().size(), 1u);
    EXPECT_EQ(h.pipeline.counters().flows.created, 1u);
    EXPECT_EQ(h.pipeline.counters().flows.closed, 1u);
    EXPECT_TRUE(test::nothing_counted(h.bad()));
}

// A gap (a segment the capture lost) between whole messages: the drop is counted, the next
// message is still read.
TEST(Pipeline, Tcp53GapCountsOutOfOrderDrop)
{
    Harness h;
    const Conn c;
    const Wire a = framed_query(1, "a.example");
    const Wire b = framed_query(2, "b.example");
    const Wire d = framed_query(3, "d.example");
    h.feed(c.c2s(1000, test::F_SYN));
    h.feed(c.c2s(1001, PA, a));
    // b is lost
    h.feed(c.c2s(static_cast<std::uint32_t>(1001 + a.size() + b.size()), PA, d));
    ASSERT_EQ(h.events().size(), 2u);
    EXPECT_EQ(h.events()[0].qname, "a.example");
    EXPECT_EQ(h.events()[1].qname, "d.example");
    h.pipeline.finish();
    EXPECT_TRUE(test::only_counted(h.bad(), Malformed::tcp_out_of_order_drop));
}

// The same gap when the lost segment held the end of a message begun earlier: one bad input
// (a gap), so one class counted (RELIABILITY M1), not also dns.tcp_truncated.
TEST(Pipeline, Tcp53GapAfterPartialMessageCountsOnlyOutOfOrderDrop)
{
    Harness h;
    const Conn c;
    const Wire a = framed_query(1, "a.example");
    const Wire b = framed_query(2, "b.example");
    const Wire d = framed_query(3, "d.example");
    h.feed(c.c2s(1000, test::F_SYN));
    h.feed(c.c2s(1001, PA, test::concat({a, test::slice(b, 0, 5)})));
    // the rest of b is lost
    h.feed(c.c2s(static_cast<std::uint32_t>(1001 + a.size() + b.size()), PA, d));
    ASSERT_EQ(h.events().size(), 2u);
    EXPECT_EQ(h.events()[1].qname, "d.example");
    h.pipeline.finish();
    EXPECT_TRUE(test::only_counted(h.bad(), Malformed::tcp_out_of_order_drop));
}

TEST(Pipeline, Tcp53ZeroLengthMessageIsCounted)
{
    Harness h;
    const Conn c;
    h.feed(c.c2s(1000, test::F_SYN));
    h.feed(c.c2s(1001, PA, test::concat({Wire{0, 0}, framed_query(1, "after.example")})));
    ASSERT_EQ(h.events().size(), 1u);
    EXPECT_EQ(h.events()[0].qname, "after.example");
    EXPECT_TRUE(test::only_counted(h.bad(), Malformed::dns_tcp_zero_length));
}

TEST(Pipeline, FlowEvictedWithPartialMessageCountsTruncated)
{
    PipelineLimits limits;
    limits.flow_capacity = 1;
    Harness h(limits);
    const Conn a;
    Conn b;
    b.cport = 40001;
    h.feed(a.c2s(1000, test::F_SYN));
    h.feed(a.c2s(1001, PA, test::slice(framed_query(1, "a.example"), 0, 9)));
    h.feed(b.c2s(2000, test::F_SYN)); // the table is full: a goes
    EXPECT_TRUE(test::only_counted(h.bad(), Malformed::dns_tcp_truncated));
    h.feed(b.c2s(2001, PA, framed_query(2, "b.example")));
    ASSERT_EQ(h.events().size(), 1u);
    EXPECT_EQ(h.events()[0].qname, "b.example");
    h.pipeline.finish();
    EXPECT_EQ(h.pipeline.counters().flows.evicted_cap, 1u);
    EXPECT_TRUE(test::only_counted(h.bad(), Malformed::dns_tcp_truncated));
}

TEST(Pipeline, ReassemblyMemcapDropIsCountedOnce)
{
    PipelineLimits limits;
    limits.reassembly_memcap = 64;
    Harness h(limits);
    const Conn c;
    Wire big = {0x00, 0xC8}; // announces 200 bytes
    big.resize(2 + 100, 0x41);
    h.feed(c.c2s(1000, test::F_SYN));
    h.feed(c.c2s(1001, PA, big));
    h.feed(c.c2s(1103, PA, Wire(50, 0x41)));
    h.pipeline.finish();
    EXPECT_TRUE(h.events().empty());
    EXPECT_TRUE(test::only_counted(h.bad(), Malformed::tcp_reassembly_memcap_drop));
}

// A connection dropped for the memcap must not take the next connection down with it: the
// next flow that reuses its table slot starts with a fresh stream.
TEST(Pipeline, ReassemblyMemcapDropDoesNotSilenceTheNextFlow)
{
    PipelineLimits limits;
    limits.reassembly_memcap = 64;
    Harness h(limits);
    const Conn a;
    Conn b;
    b.cport = 40001;
    Wire big = {0x00, 0xC8};
    big.resize(2 + 100, 0x41);
    h.feed(a.c2s(1000, test::F_SYN));
    h.feed(a.c2s(1001, PA, big));     // over the memcap: this stream is dropped
    h.feed(a.c2s(1103, test::F_RST)); // and the connection ends
    h.feed(b.c2s(2000, test::F_SYN)); // a new connection
    h.feed(b.c2s(2001, PA, framed_query(5, "fresh.example")));
    ASSERT_EQ(h.events().size(), 1u);
    EXPECT_EQ(h.events()[0].qname, "fresh.example");
    EXPECT_TRUE(test::only_counted(h.bad(), Malformed::tcp_reassembly_memcap_drop));
}

// --- encrypted transports ----------------------------------------------------------------

TEST(Pipeline, DotClientHelloGivesOneHighConfidenceEvent)
{
    Harness h;
    Conn c;
    c.sport = 853;
    h.feed(c.c2s(1000, test::F_SYN));
    h.feed(c.s2c(5000, test::F_SYN | test::F_ACK));
    h.feed(c.c2s(1001, test::F_ACK));
    EXPECT_TRUE(h.events().empty());
    const Wire hello = test::tls_client_hello("dot.example");
    h.feed(c.c2s(1001, PA, hello));
    h.feed(c.s2c(5001, PA, Wire(100, 0x17)));
    h.feed(c.c2s(static_cast<std::uint32_t>(1001 + hello.size()), PA, Wire(60, 0x17)));
    h.feed(c.c2s(static_cast<std::uint32_t>(1061 + hello.size()), test::F_FIN | test::F_ACK));
    h.feed(c.s2c(5101, test::F_FIN | test::F_ACK));
    h.pipeline.finish();
    ASSERT_EQ(h.events().size(), 1u);
    const Recorded& e = h.events()[0];
    EXPECT_EQ(e.transport, Transport::dot);
    EXPECT_EQ(e.confidence, Confidence::high);
    EXPECT_TRUE(e.tls_client_hello);
    EXPECT_FALSE(e.has_dns);
    EXPECT_EQ(e.proto, net::L4::tcp);
    EXPECT_EQ(e.direction, net::Direction::outbound);
    EXPECT_EQ(e.interface, "eth0");
    EXPECT_EQ(e.src, CLIENT);
    EXPECT_EQ(e.dst_port, 853);
    EXPECT_EQ(h.pipeline.counters().encrypted_flows, 1u);
    EXPECT_TRUE(test::nothing_counted(h.bad()));
}

TEST(Pipeline, DotTailAfterCloseIsNotASecondConnection)
{
    // The client's last ACK arrives after both FINs closed the flow: it opens a flow of its
    // own in the table, which must not be reported as another DoT connection (seen live:
    // kdig +tls gave a second, inbound "dot" event).
    Harness h;
    Conn c;
    c.sport = 853;
    h.feed(c.c2s(1000, test::F_SYN));
    h.feed(c.s2c(5000, test::F_SYN | test::F_ACK));
    const Wire hello = test::tls_client_hello("dot.example");
    h.feed(c.c2s(1001, PA, hello));
    h.feed(c.s2c(5001, test::F_FIN | test::F_ACK));
    h.feed(c.c2s(static_cast<std::uint32_t>(1001 + hello.size()), test::F_FIN | test::F_ACK));
    h.feed(c.s2c(5002, test::F_ACK));                                            // the tail
    h.feed(c.c2s(static_cast<std::uint32_t>(1002 + hello.size()), test::F_RST)); // and a RST
    h.pipeline.finish();
    ASSERT_EQ(h.events().size(), 1u);
    EXPECT_TRUE(h.events()[0].tls_client_hello);
}

TEST(Pipeline, DotSynOnlyIsReportedAtFinishWithMediumConfidence)
{
    Harness h;
    Conn c;
    c.sport = 853;
    c.ifindex = 5;
    h.feed(c.c2s(1000, test::F_SYN));
    h.feed(c.c2s(1000, test::F_SYN)); // a retried SYN: the same flow
    EXPECT_TRUE(h.events().empty());
    h.pipeline.finish();
    ASSERT_EQ(h.events().size(), 1u);
    const Recorded& e = h.events()[0];
    EXPECT_EQ(e.transport, Transport::dot);
    EXPECT_EQ(e.confidence, Confidence::medium);
    EXPECT_FALSE(e.tls_client_hello);
    EXPECT_EQ(e.ts_ns, T0); // when the flow was first seen
    EXPECT_EQ(e.direction, net::Direction::outbound);
    EXPECT_EQ(e.interface, "wg0");
    EXPECT_EQ(e.ifindex, 5u);
    EXPECT_EQ(e.src, CLIENT);
    EXPECT_EQ(e.src_port, 40000);
    EXPECT_EQ(e.dst, RESOLVER);
    EXPECT_EQ(e.dst_port, 853);
}

TEST(Pipeline, DotWithoutClientHelloIsMedium)
{
    Harness h;
    Conn c;
    c.sport = 853;
    h.feed(c.c2s(1000, test::F_SYN));
    h.feed(c.c2s(1001, PA, Wire{'G', 'E', 'T', ' ', '/'}));
    ASSERT_EQ(h.events().size(), 1u);
    EXPECT_EQ(h.events()[0].confidence, Confidence::medium);
    EXPECT_FALSE(h.events()[0].tls_client_hello);
}

TEST(Pipeline, DoqQuicInitialIsMedium)
{
    Harness h;
    h.feed(udp_out(40000, 853, test::quic_initial()));
    h.feed(udp_out(40000, 853, Wire(40, 0x40))); // short-header packets of the same flow
    h.pipeline.finish();
    ASSERT_EQ(h.events().size(), 1u);
    const Recorded& e = h.events()[0];
    EXPECT_EQ(e.transport, Transport::doq);
    EXPECT_EQ(e.confidence, Confidence::medium);
    EXPECT_EQ(e.quic_version, 1u);
    EXPECT_EQ(e.proto, net::L4::udp);
    EXPECT_EQ(e.direction, net::Direction::outbound);
    EXPECT_TRUE(test::nothing_counted(h.bad()));
}

TEST(Pipeline, Udp853WithoutQuicIsLow)
{
    Harness h;
    h.feed(udp_out(40000, 853, Wire(30, 0x01)));
    ASSERT_EQ(h.events().size(), 1u);
    EXPECT_EQ(h.events()[0].transport, Transport::doq);
    EXPECT_EQ(h.events()[0].confidence, Confidence::low);
    EXPECT_EQ(h.events()[0].quic_version, 0u);
}

TEST(Pipeline, HttpsFlowsAreEventsButNotResolverLike)
{
    Harness h;
    Conn c;
    c.sport = 443;
    h.feed(c.c2s(1000, test::F_SYN));
    h.feed(c.c2s(1001, PA, test::tls_client_hello("www.example")));
    h.feed(udp_out(40001, 443, test::quic_initial()));
    ASSERT_EQ(h.events().size(), 2u);
    EXPECT_EQ(h.events()[0].transport, Transport::https_tcp);
    EXPECT_TRUE(h.events()[0].tls_client_hello);
    EXPECT_FALSE(is_dns_like(h.events()[0].transport));
    EXPECT_EQ(h.events()[1].transport, Transport::https_quic);
    EXPECT_FALSE(is_dns_like(h.events()[1].transport));
    EXPECT_EQ(h.pipeline.counters().encrypted_flows, 2u);
    EXPECT_EQ(h.pipeline.counters().dns_messages, 0u);
}

// --- local-link protocols -------------------------------------------------------------------

TEST(Pipeline, MdnsTransport)
{
    Harness h;
    h.feed(FrameBuilder{}
               .ipv4(CLIENT, "224.0.0.251")
               .udp(5353, 5353)
               .payload(test::dns_query(0, "printer.example"))
               .sll2(2, test::PKT_OUTGOING));
    h.feed(FrameBuilder{}
               .ipv6("fe80::1", "ff02::fb")
               .udp(5353, 5353)
               .payload(test::dns_response(0, "printer.example", 28, {"2001:db8::7"}))
               .sll2(2, test::PKT_HOST));
    ASSERT_EQ(h.events().size(), 2u);
    EXPECT_EQ(h.events()[0].transport, Transport::mdns);
    EXPECT_EQ(h.events()[0].qname, "printer.example");
    EXPECT_EQ(h.events()[1].transport, Transport::mdns);
    EXPECT_TRUE(h.events()[1].response);
    EXPECT_TRUE(is_local_link(h.events()[0].transport));
}

TEST(Pipeline, LlmnrOverUdp)
{
    Harness h;
    h.feed(FrameBuilder{}
               .ipv4(CLIENT, "224.0.0.252")
               .udp(40000, 5355)
               .payload(test::dns_query(1, "host.example"))
               .sll2(2, test::PKT_OUTGOING));
    ASSERT_EQ(h.events().size(), 1u);
    EXPECT_EQ(h.events()[0].transport, Transport::llmnr);
    EXPECT_EQ(h.events()[0].qname, "host.example");
}

// LLMNR over TCP is followed like DNS over TCP, but it is still LLMNR: a local-link
// protocol, never to be judged as a resolver leak (DESIGN.md section 4).
TEST(Pipeline, LlmnrOverTcpKeepsItsTransport)
{
    Harness h;
    Conn c;
    c.sport = 5355;
    c.server = "192.0.2.20";
    h.feed(c.c2s(1000, test::F_SYN));
    h.feed(c.c2s(1001, PA, framed_query(1, "host.example")));
    ASSERT_EQ(h.events().size(), 1u);
    EXPECT_EQ(h.events()[0].qname, "host.example");
    EXPECT_EQ(h.events()[0].transport, Transport::llmnr);
}

// --- loopback on the "any" device ----------------------------------------------------------

Wire loopback_query(std::uint8_t pkttype, std::uint16_t id = 0x4444)
{
    return FrameBuilder{}
        .ipv4("127.0.0.1", "127.0.0.53")
        .udp(40000, 53)
        .payload(test::dns_query(id, "loop.example"))
        .sll2(1, pkttype, net::HATYPE_LOOPBACK);
}

TEST(Pipeline, LoopbackDuplicateIsOneEvent)
{
    Harness h;
    h.feed(loopback_query(test::PKT_OUTGOING), SLL2, RecordedDirection::unknown, 0, 20'000);
    h.feed(loopback_query(test::PKT_HOST));
    ASSERT_EQ(h.events().size(), 1u);
    EXPECT_EQ(h.events()[0].qname, "loop.example");
    EXPECT_EQ(h.events()[0].interface, "lo");
    EXPECT_EQ(h.events()[0].direction, net::Direction::outbound); // the first sighting
    EXPECT_EQ(h.pipeline.counters().loopback_duplicates, 1u);
    EXPECT_EQ(h.pipeline.counters().dns_messages, 1u);
}

TEST(Pipeline, SingleIncomingLoopbackCopyIsOneEvent)
{
    Harness h;
    h.feed(loopback_query(test::PKT_HOST));
    ASSERT_EQ(h.events().size(), 1u);
    EXPECT_EQ(h.events()[0].direction, net::Direction::inbound);
    EXPECT_EQ(h.pipeline.counters().loopback_duplicates, 0u);
}

TEST(Pipeline, ThirdLoopbackCopyIsARetransmission)
{
    Harness h;
    h.feed(loopback_query(test::PKT_OUTGOING), SLL2, RecordedDirection::unknown, 0, 10'000);
    h.feed(loopback_query(test::PKT_HOST), SLL2, RecordedDirection::unknown, 0, 10'000);
    h.feed(loopback_query(test::PKT_OUTGOING));
    EXPECT_EQ(h.events().size(), 2u);
    EXPECT_EQ(h.pipeline.counters().loopback_duplicates, 1u);
}

TEST(Pipeline, DifferentLoopbackQueriesAreNotFolded)
{
    Harness h;
    h.feed(loopback_query(test::PKT_OUTGOING, 1), SLL2, RecordedDirection::unknown, 0, 10'000);
    h.feed(loopback_query(test::PKT_OUTGOING, 2));
    EXPECT_EQ(h.events().size(), 2u);
    EXPECT_EQ(h.pipeline.counters().loopback_duplicates, 0u);
}

// Off loopback, two identical packets are two sightings of two packets.
TEST(Pipeline, DuplicatesOffLoopbackAreNotFolded)
{
    Harness h;
    const Wire q = udp_out(40000, 53, test::dns_query(1, "twice.example"));
    h.feed(q, SLL2, RecordedDirection::unknown, 0, 10'000);
    h.feed(q);
    EXPECT_EQ(h.events().size(), 2u);
    EXPECT_EQ(h.pipeline.counters().loopback_duplicates, 0u);
}

// --- M5: no garbage hides a good packet -----------------------------------------------------

TEST(Pipeline, GoodQueryAfterHundredThousandBadPacketsIsReported)
{
    Harness h;
    const Wire q = test::dns_query(0x5555, "needle.example");
    FrameBuilder nine_ext;
    nine_ext.ipv6("2001:db8::10", "2001:db8:53::53");
    for (int i = 0; i < 9; ++i) {
        nine_ext.ipv6_ext(test::EXT_DEST_OPTS);
    }

    struct Bad {
        Wire frame;
        std::uint32_t link_type;
        Malformed expected;
    };

    const std::vector<Bad> bad = {
        {FrameBuilder{}.ipv4(CLIENT, RESOLVER).ipv4_ihl(4).udp(1, 53).payload(q).raw(),
         RAW,
         Malformed::net_ip_bad_header},
        {FrameBuilder{}.ipv4(CLIENT, RESOLVER).udp(1, 53).udp_length(7).payload(q).raw(),
         RAW,
         Malformed::net_udp_len_invalid},
        {FrameBuilder{}.ipv4(CLIENT, RESOLVER).tcp(1, 53, 1).tcp_data_offset(4).payload(q).raw(),
         RAW,
         Malformed::net_tcp_bad_offset},
        {test::slice(udp_out(1, 53, q), 0, 19), SLL2, Malformed::link_truncated},
        {FrameBuilder{}.ipv4(CLIENT, RESOLVER).udp(1, 53).payload(q).raw(),
         147,
         Malformed::link_unsupported},
        {nine_ext.udp(1, 53).payload(q).raw(), RAW, Malformed::net_ipv6_exthdr_limit},
        {test::slice(udp_out(1, 53, q), 0, 20 + 19), SLL2, Malformed::net_ip_trunc},
    };
    constexpr std::size_t N = 100'000;
    for (std::size_t i = 0; i < N; ++i) {
        const Bad& b = bad[i % bad.size()];
        h.feed(b.frame, b.link_type, RecordedDirection::inbound, 0, 1000);
    }
    ASSERT_TRUE(h.events().empty());
    ASSERT_EQ(h.bad().total(), N);
    for (std::size_t k = 0; k < bad.size(); ++k) {
        EXPECT_EQ(h.bad().get(bad[k].expected), N / bad.size() + (k < N % bad.size() ? 1 : 0))
            << util::to_string(bad[k].expected);
    }
    h.feed(FrameBuilder{}
               .ipv4(CLIENT, RESOLVER)
               .udp(40000, 53)
               .payload(q)
               .sll2(5, test::PKT_OUTGOING));
    ASSERT_EQ(h.events().size(), 1u);
    const Recorded& e = h.events()[0];
    EXPECT_EQ(e.qname, "needle.example");
    EXPECT_EQ(e.interface, "wg0");
    EXPECT_EQ(e.direction, net::Direction::outbound);
    EXPECT_EQ(e.transport, Transport::udp53);
    EXPECT_EQ(h.pipeline.counters().packets_read, N + 1);
    EXPECT_EQ(h.bad().total(), N);
}

} // namespace
} // namespace wtfn::dnsleak
