// Tests of src/proto/dns_tcp_stream.cc: DNS-over-TCP framing and reassembly bounds
// (RELIABILITY.md section 2 row 8, goal R3).
#include "proto/dns_tcp_stream.h"

#include <cstddef>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "support/dns_message_builder.h"

namespace wtfn::proto {
namespace {

using test::DnsMessageBuilder;
using test::Wire;
using util::Malformed;

// A DNS message of exactly `size` bytes (at least 29): a query, padded with raw octets.
Wire message_of_size(std::size_t size)
{
    DnsMessageBuilder b;
    b.id(static_cast<std::uint16_t>(size)).rd().question("www.example");
    b.raw(Wire(size - b.next_offset(), 0x5A));
    return b.bytes();
}

// The 2-byte length prefix then the message (RFC 7766 section 8).
Wire framed(const Wire& msg)
{
    Wire out;
    DnsMessageBuilder::append_u16(out, static_cast<std::uint16_t>(msg.size()));
    out.insert(out.end(), msg.begin(), msg.end());
    return out;
}

Wire concat(std::initializer_list<Wire> parts)
{
    Wire out;
    for (const auto& p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

Wire slice(const Wire& w, std::size_t from, std::size_t to)
{
    return Wire(w.begin() + static_cast<std::ptrdiff_t>(from),
                w.begin() + static_cast<std::ptrdiff_t>(to));
}

class DnsTcpStreamTest : public ::testing::Test {
protected:
    // Feeds `bytes` to `s`; each delivered message is copied into `messages`, and the
    // stream's buffered size at that moment into `buffered_at_delivery`.
    void feed(DnsTcpStream& s, const Wire& bytes)
    {
        s.feed(util::Bytes{bytes}, budget, bad, [&](util::Bytes msg) {
            messages.emplace_back(msg.begin(), msg.end());
            buffered_at_delivery.push_back(s.buffered());
        });
    }

    void feed(const Wire& bytes) { feed(stream, bytes); }

    ReassemblyBudget budget;
    util::MalformedCounters bad;
    DnsTcpStream stream;
    std::vector<Wire> messages;
    std::vector<std::size_t> buffered_at_delivery;
};

// --- framing -----------------------------------------------------------------------------------

TEST_F(DnsTcpStreamTest, DeliversOneMessageFromOneSegment)
{
    const auto msg = message_of_size(40);
    feed(framed(msg));
    ASSERT_EQ(messages.size(), 1U);
    EXPECT_EQ(messages[0], msg);
    EXPECT_EQ(stream.buffered(), 0U);
    EXPECT_EQ(budget.in_use, 0U);
    EXPECT_EQ(bad.total(), 0U);
}

TEST_F(DnsTcpStreamTest, CompleteMessagesInASegmentAreNotBuffered)
{
    budget.memcap = 0; // any buffering would be a memcap drop
    const auto msg = message_of_size(40);
    feed(framed(msg));
    ASSERT_EQ(messages.size(), 1U);
    EXPECT_EQ(buffered_at_delivery[0], 0U);
    EXPECT_FALSE(stream.dropped());
    EXPECT_EQ(bad.total(), 0U);
}

TEST_F(DnsTcpStreamTest, DeliversTwoMessagesFromOneSegment)
{
    const auto a = message_of_size(40);
    const auto b = message_of_size(77);
    feed(concat({framed(a), framed(b)}));
    ASSERT_EQ(messages.size(), 2U);
    EXPECT_EQ(messages[0], a);
    EXPECT_EQ(messages[1], b);
    EXPECT_EQ(budget.in_use, 0U);
}

TEST_F(DnsTcpStreamTest, ReassemblesMessageSplitAtEveryPointIntoTwoSegments)
{
    const auto msg = message_of_size(40);
    const auto wire = framed(msg);
    for (std::size_t at = 1; at < wire.size(); ++at) {
        DnsTcpStream s;
        messages.clear();
        feed(s, slice(wire, 0, at));
        EXPECT_TRUE(messages.empty()) << "split at " << at;
        EXPECT_EQ(s.buffered(), at) << "split at " << at;
        feed(s, slice(wire, at, wire.size()));
        ASSERT_EQ(messages.size(), 1U) << "split at " << at;
        EXPECT_EQ(messages[0], msg) << "split at " << at;
        EXPECT_EQ(s.buffered(), 0U) << "split at " << at;
        EXPECT_EQ(budget.in_use, 0U) << "split at " << at;
    }
    EXPECT_EQ(bad.total(), 0U);
}

TEST_F(DnsTcpStreamTest, ReassemblesMessageSplitAtEveryPairOfPointsIntoThreeSegments)
{
    const auto msg = message_of_size(40);
    const auto wire = framed(msg);
    for (std::size_t i = 1; i < wire.size(); ++i) {
        for (std::size_t j = i + 1; j < wire.size(); ++j) {
            DnsTcpStream s;
            messages.clear();
            feed(s, slice(wire, 0, i));
            feed(s, slice(wire, i, j));
            feed(s, slice(wire, j, wire.size()));
            ASSERT_EQ(messages.size(), 1U) << "splits at " << i << ", " << j;
            EXPECT_EQ(messages[0], msg) << "splits at " << i << ", " << j;
            EXPECT_EQ(budget.in_use, 0U) << "splits at " << i << ", " << j;
        }
    }
    EXPECT_EQ(bad.total(), 0U);
}

TEST_F(DnsTcpStreamTest, Reassembles300ByteMessageFedByteByByte)
{
    const auto msg = message_of_size(300);
    const auto wire = framed(msg);
    for (std::size_t i = 0; i + 1 < wire.size(); ++i) {
        feed(Wire{wire[i]});
        ASSERT_EQ(stream.buffered(), i + 1);
        ASSERT_EQ(budget.in_use, i + 1);
    }
    EXPECT_TRUE(messages.empty());
    feed(Wire{wire.back()});
    ASSERT_EQ(messages.size(), 1U);
    EXPECT_EQ(messages[0], msg);
    EXPECT_EQ(stream.buffered(), 0U);
    EXPECT_EQ(budget.in_use, 0U);
}

TEST_F(DnsTcpStreamTest, Reassembles65535ByteMessageInThreeChunks)
{
    const auto msg = message_of_size(65535);
    const auto wire = framed(msg);
    feed(slice(wire, 0, 1)); // half the length prefix
    feed(slice(wire, 1, 30001));
    EXPECT_EQ(stream.buffered(), 30001U);
    feed(slice(wire, 30001, wire.size()));
    ASSERT_EQ(messages.size(), 1U);
    EXPECT_EQ(messages[0], msg);
    EXPECT_EQ(buffered_at_delivery[0], 65537U); // the most a direction ever holds (R3)
    EXPECT_EQ(stream.buffered(), 0U);
    EXPECT_EQ(budget.in_use, 0U);
}

TEST_F(DnsTcpStreamTest, CompletesBufferedMessageThenTakesWholeAndPartialOnesFromTheSegment)
{
    const auto a = message_of_size(40);
    const auto b = message_of_size(50);
    const auto c = message_of_size(60);
    const auto wa = framed(a);
    const auto wc = framed(c);
    feed(slice(wa, 0, 10));
    feed(concat({slice(wa, 10, wa.size()), framed(b), slice(wc, 0, 7)}));
    ASSERT_EQ(messages.size(), 2U);
    EXPECT_EQ(messages[0], a);
    EXPECT_EQ(messages[1], b);
    EXPECT_EQ(stream.buffered(), 7U);
    EXPECT_EQ(budget.in_use, 7U);
    feed(slice(wc, 7, wc.size()));
    ASSERT_EQ(messages.size(), 3U);
    EXPECT_EQ(messages[2], c);
    EXPECT_EQ(budget.in_use, 0U);
}

// --- zero length and truncation ----------------------------------------------------------------

TEST_F(DnsTcpStreamTest, ZeroLengthMessageIsCountedOnceAndSkipped)
{
    const auto msg = message_of_size(40);
    feed(concat({Wire{0, 0}, framed(msg)}));
    EXPECT_EQ(bad.get(Malformed::dns_tcp_zero_length), 1U);
    EXPECT_EQ(bad.total(), 1U);
    ASSERT_EQ(messages.size(), 1U);
    EXPECT_EQ(messages[0], msg);
}

TEST_F(DnsTcpStreamTest, ZeroLengthPrefixSplitAcrossSegmentsIsCountedOnce)
{
    feed(Wire{0});
    feed(Wire{0});
    EXPECT_EQ(bad.get(Malformed::dns_tcp_zero_length), 1U);
    EXPECT_EQ(bad.total(), 1U);
    EXPECT_TRUE(messages.empty());
    EXPECT_EQ(stream.buffered(), 0U);
    EXPECT_EQ(budget.in_use, 0U);
}

TEST_F(DnsTcpStreamTest, PartialMessageThenFinishCountsTruncatedExactlyOnce)
{
    const auto wire = framed(message_of_size(40));
    feed(slice(wire, 0, 10));
    stream.finish(budget, bad);
    EXPECT_EQ(bad.get(Malformed::dns_tcp_truncated), 1U);
    EXPECT_EQ(bad.total(), 1U);
    EXPECT_TRUE(messages.empty());
    EXPECT_EQ(stream.buffered(), 0U);
    EXPECT_EQ(budget.in_use, 0U);
    stream.finish(budget, bad); // a second finish has nothing left to count
    EXPECT_EQ(bad.get(Malformed::dns_tcp_truncated), 1U);
}

TEST_F(DnsTcpStreamTest, HalfALengthPrefixThenFinishCountsTruncated)
{
    feed(Wire{0x00});
    stream.finish(budget, bad);
    EXPECT_EQ(bad.get(Malformed::dns_tcp_truncated), 1U);
    EXPECT_EQ(bad.total(), 1U);
}

TEST_F(DnsTcpStreamTest, FinishAfterCompleteMessagesCountsNothing)
{
    feed(framed(message_of_size(40)));
    stream.finish(budget, bad);
    EXPECT_EQ(bad.total(), 0U);
    EXPECT_EQ(budget.in_use, 0U);
}

// --- budget and memcap (R3) --------------------------------------------------------------------

TEST_F(DnsTcpStreamTest, BudgetCountsBytesBufferedByEveryStream)
{
    DnsTcpStream other;
    const auto wire = framed(message_of_size(40));
    feed(stream, slice(wire, 0, 5));
    feed(other, slice(wire, 0, 9));
    EXPECT_EQ(budget.in_use, 14U);
    feed(stream, slice(wire, 5, wire.size()));
    EXPECT_EQ(budget.in_use, 9U);
    other.finish(budget, bad);
    EXPECT_EQ(budget.in_use, 0U);
}

TEST_F(DnsTcpStreamTest, ReleaseReturnsBytesWithoutCounting)
{
    feed(slice(framed(message_of_size(40)), 0, 10));
    stream.release(budget);
    EXPECT_EQ(budget.in_use, 0U);
    EXPECT_EQ(stream.buffered(), 0U);
    EXPECT_EQ(bad.total(), 0U);
}

TEST_F(DnsTcpStreamTest, PrefixDeclaring65535Then1ByteBuffersThreeBytes)
{
    feed(Wire{0xFF, 0xFF, 0x12}); // one segment: length 65,535, then 1 octet
    EXPECT_EQ(stream.buffered(), 3U);
    EXPECT_EQ(budget.in_use, 3U);
    EXPECT_TRUE(messages.empty());
}

TEST_F(DnsTcpStreamTest, PrefixDeclaring65535Then1ByteInTwoSegmentsBuffersThreeBytes)
{
    feed(Wire{0xFF, 0xFF});
    EXPECT_EQ(stream.buffered(), 2U);
    feed(Wire{0x12});
    EXPECT_EQ(stream.buffered(), 3U);
    EXPECT_EQ(budget.in_use, 3U);
}

TEST_F(DnsTcpStreamTest, BufferingExactlyToTheMemcapIsAccepted)
{
    budget.memcap = 10;
    feed(concat({Wire{0xFF, 0xFF}, Wire(8, 0x5A)})); // 10 bytes
    EXPECT_FALSE(stream.dropped());
    EXPECT_EQ(budget.in_use, 10U);
    EXPECT_EQ(bad.total(), 0U);
}

TEST_F(DnsTcpStreamTest, BufferingOneByteOverTheMemcapDropsTheStreamOnce)
{
    budget.memcap = 10;
    feed(concat({Wire{0xFF, 0xFF}, Wire(9, 0x5A)})); // 11 bytes
    EXPECT_TRUE(stream.dropped());
    EXPECT_EQ(bad.get(Malformed::tcp_reassembly_memcap_drop), 1U);
    EXPECT_EQ(bad.total(), 1U);
    EXPECT_EQ(stream.buffered(), 0U);
    EXPECT_EQ(budget.in_use, 0U);
}

TEST_F(DnsTcpStreamTest, GrowingPastTheMemcapDropsAndReturnsWhatWasBuffered)
{
    budget.memcap = 10;
    feed(concat({Wire{0xFF, 0xFF}, Wire(8, 0x5A)}));
    feed(Wire{0x5A});
    EXPECT_TRUE(stream.dropped());
    EXPECT_EQ(bad.get(Malformed::tcp_reassembly_memcap_drop), 1U);
    EXPECT_EQ(budget.in_use, 0U);
}

TEST_F(DnsTcpStreamTest, FeedsAfterAMemcapDropAreIgnored)
{
    budget.memcap = 10;
    feed(concat({Wire{0xFF, 0xFF}, Wire(9, 0x5A)}));
    ASSERT_TRUE(stream.dropped());
    feed(Wire(100, 0x5A));
    feed(framed(message_of_size(40)));
    EXPECT_TRUE(messages.empty());
    EXPECT_EQ(bad.get(Malformed::tcp_reassembly_memcap_drop), 1U);
    EXPECT_EQ(bad.total(), 1U);
    EXPECT_EQ(budget.in_use, 0U);
}

TEST_F(DnsTcpStreamTest, FinishAfterAMemcapDropCountsNoTruncation)
{
    budget.memcap = 10;
    feed(concat({Wire{0xFF, 0xFF}, Wire(9, 0x5A)}));
    stream.finish(budget, bad);
    EXPECT_EQ(bad.get(Malformed::dns_tcp_truncated), 0U);
    EXPECT_EQ(bad.total(), 1U);
}

TEST_F(DnsTcpStreamTest, MemcapIsSharedBetweenStreams)
{
    budget.memcap = 10;
    DnsTcpStream other;
    feed(stream, Wire{0xFF, 0xFF, 1, 2, 3, 4}); // 6 buffered
    feed(other, Wire{0xFF, 0xFF, 1, 2, 3});     // 5 more would make 11
    EXPECT_FALSE(stream.dropped());
    EXPECT_TRUE(other.dropped());
    EXPECT_EQ(budget.in_use, 6U);
    EXPECT_EQ(bad.get(Malformed::tcp_reassembly_memcap_drop), 1U);
}

} // namespace
} // namespace wtfn::proto
