// Tests of src/dnsleak/flows/flow_table.cc: the bounded LRU flow table (RELIABILITY.md R1).
#include "dnsleak/flows/flow_table.h"

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace wtfn::dnsleak {
namespace {

// Key number n: a distinct client address and port per n (documentation ranges).
FlowKey key(std::uint32_t n)
{
    FlowKey k;
    k.client = net::parse_ip("2001:db8::" + std::to_string(n % 60000 + 1));
    k.server = net::parse_ip(n % 2 == 0 ? "198.51.100.53" : "2001:db8:53::53");
    k.client_port = static_cast<std::uint16_t>(1024 + n % 50000);
    k.server_port = n % 3 == 0 ? 853 : 53;
    k.ip_proto = 6;
    return k;
}

std::uint32_t number_of(const FlowKey& k, const std::map<std::string, std::uint32_t>& names)
{
    const std::string s = k.client.to_string() + "/" + std::to_string(k.client_port) + "/" +
                          k.server.to_string() + "/" + std::to_string(k.server_port);
    const auto it = names.find(s);
    return it == names.end() ? 0xFFFFFFFF : it->second;
}

// Records evictions.
struct Evictions {
    std::vector<FlowKey> keys;

    auto callback()
    {
        return [this](const FlowKey& k, FlowState&) {
            keys.push_back(k);
        };
    }
};

FlowState&
insert(FlowTable& t, const FlowKey& k, std::int64_t now, Evictions& ev, bool* created = nullptr)
{
    bool c = false;
    FlowState& s = t.find_or_insert(k, now, c, ev.callback());
    if (created != nullptr) {
        *created = c;
    }
    return s;
}

TEST(FlowTable, InsertFindErase)
{
    FlowTable t(8);
    Evictions ev;
    bool created = false;
    FlowState& a = insert(t, key(1), 0, ev, &created);
    EXPECT_TRUE(created);
    a.first_ifindex = 11;
    FlowState& again = insert(t, key(1), 5, ev, &created);
    EXPECT_FALSE(created);
    EXPECT_EQ(&again, &a);
    EXPECT_EQ(t.find(key(1)), &a);
    EXPECT_EQ(t.find(key(2)), nullptr);
    EXPECT_EQ(t.size(), 1u);
    t.erase(key(1));
    EXPECT_EQ(t.find(key(1)), nullptr);
    EXPECT_EQ(t.size(), 0u);
    t.erase(key(1)); // absent: nothing happens
    EXPECT_EQ(t.counters().created, 1u);
    EXPECT_EQ(t.counters().closed, 1u);
    EXPECT_TRUE(ev.keys.empty());
}

TEST(FlowTable, NewFlowStartsClean)
{
    FlowTable t(1);
    Evictions ev;
    FlowState& a = insert(t, key(1), 100, ev);
    EXPECT_EQ(a.transport, Transport::tcp53);
    EXPECT_EQ(a.first_seen_ns, 100);
    EXPECT_EQ(a.last_seen_ns, 100);
    a.transport = Transport::dot;
    a.reported = a.saw_data = a.client_fin = a.server_fin = true;
    a.to_server.seq_known = a.to_client.seq_known = true;
    t.erase(key(1));
    // The same slot, reused by another flow: nothing of the old one remains.
    FlowState& b = insert(t, key(2), 200, ev);
    EXPECT_EQ(&a, &b);
    EXPECT_EQ(b.transport, Transport::tcp53);
    EXPECT_FALSE(b.reported || b.saw_data || b.client_fin || b.server_fin);
    EXPECT_FALSE(b.to_server.seq_known || b.to_client.seq_known);
    EXPECT_EQ(b.first_seen_ns, 200);
}

TEST(FlowTable, DistinctKeysAreDistinctFlows)
{
    FlowTable t(16);
    Evictions ev;
    FlowKey k = key(1);
    FlowKey other_proto = k;
    other_proto.ip_proto = 17;
    FlowKey other_port = k;
    other_port.server_port = 443;
    FlowState& a = insert(t, k, 0, ev);
    FlowState& b = insert(t, other_proto, 0, ev);
    FlowState& c = insert(t, other_port, 0, ev);
    EXPECT_NE(&a, &b);
    EXPECT_NE(&a, &c);
    EXPECT_EQ(t.size(), 3u);
}

TEST(FlowTable, CapacityZeroMeansOne)
{
    FlowTable t(0);
    EXPECT_EQ(t.capacity(), 1u);
    Evictions ev;
    insert(t, key(1), 0, ev);
    insert(t, key(2), 0, ev);
    EXPECT_EQ(t.size(), 1u);
    ASSERT_EQ(ev.keys.size(), 1u);
    EXPECT_EQ(ev.keys[0], key(1));
}

// Full table: the least recently used flow goes, and `find` counts as a use.
TEST(FlowTable, FullTableEvictsLeastRecentlyUsed)
{
    FlowTable t(3);
    Evictions ev;
    insert(t, key(1), 0, ev);
    insert(t, key(2), 0, ev);
    insert(t, key(3), 0, ev);
    EXPECT_TRUE(ev.keys.empty());
    ASSERT_NE(t.find(key(1)), nullptr); // 2 is now the coldest
    insert(t, key(4), 0, ev);
    ASSERT_EQ(ev.keys.size(), 1u);
    EXPECT_EQ(ev.keys[0], key(2));
    EXPECT_EQ(t.counters().evicted_cap, 1u);
    EXPECT_EQ(t.find(key(2)), nullptr);
    EXPECT_NE(t.find(key(1)), nullptr);
    EXPECT_NE(t.find(key(3)), nullptr);
    EXPECT_NE(t.find(key(4)), nullptr);
    EXPECT_EQ(t.size(), 3u);
    // find_or_insert of an existing key is a use too.
    insert(t, key(1), 0, ev); // order now (hot->cold): 1 4 3
    insert(t, key(5), 0, ev);
    ASSERT_EQ(ev.keys.size(), 2u);
    EXPECT_EQ(ev.keys[1], key(3));
    EXPECT_EQ(t.counters().evicted_cap, 2u);
    EXPECT_EQ(t.counters().timed_out, 0u);
}

// Triad on the idle timeout: idle exactly the timeout stays, one nanosecond more goes.
TEST(FlowTable, IdleFlowsTimeOut)
{
    FlowTimeouts to;
    to.tcp_new_ns = 1000;
    to.tcp_established_ns = 5000;
    to.udp_ns = 3000;
    FlowTable t(100, to);
    Evictions ev;
    insert(t, key(1), 0, ev);
    insert(t, key(2), 1000, ev); // key 1 idle for exactly 1000: kept
    EXPECT_TRUE(ev.keys.empty());
    insert(t, key(3), 1001, ev); // key 1 idle 1001: retired
    ASSERT_EQ(ev.keys.size(), 1u);
    EXPECT_EQ(ev.keys[0], key(1));
    EXPECT_EQ(t.counters().timed_out, 1u);
    EXPECT_EQ(t.counters().evicted_cap, 0u);
    EXPECT_EQ(t.find(key(1)), nullptr);
    EXPECT_EQ(t.size(), 2u);
}

TEST(FlowTable, EstablishedAndUdpFlowsUseTheirOwnTimeouts)
{
    FlowTimeouts to;
    to.tcp_new_ns = 1000;
    to.tcp_established_ns = 5000;
    to.udp_ns = 3000;
    FlowTable t(100, to);
    Evictions ev;
    insert(t, key(1), 0, ev).saw_data = true;            // established TCP: 5000
    insert(t, key(2), 0, ev).transport = Transport::doq; // QUIC: 3000
    FlowState& h = insert(t, key(3), 0, ev);             // https over QUIC: 3000
    h.transport = Transport::https_quic;
    ASSERT_NE(t.find(key(3)), nullptr);
    ASSERT_NE(t.find(key(2)), nullptr);
    ASSERT_NE(t.find(key(1)), nullptr);
    // Order now, cold end first: 3, 2, 1.
    insert(t, key(10), 3000, ev); // 3 idle 3000: kept; the scan stops at the first live flow
    EXPECT_TRUE(ev.keys.empty());
    insert(t, key(11), 3001, ev); // 3 and 2 idle 3001 > 3000: retired; 1 (5000) kept
    ASSERT_EQ(ev.keys.size(), 2u);
    EXPECT_EQ(ev.keys[0], key(3));
    EXPECT_EQ(ev.keys[1], key(2));
    EXPECT_NE(t.find(key(1)), nullptr);
}

// A new flow retires at most four idle flows: bounded work per packet.
TEST(FlowTable, AtMostFourIdleFlowsRetiredPerInsertion)
{
    FlowTimeouts to;
    to.tcp_new_ns = 10;
    FlowTable t(100, to);
    Evictions ev;
    for (std::uint32_t i = 0; i < 6; ++i) {
        insert(t, key(i), 0, ev);
    }
    insert(t, key(100), 1000, ev);
    EXPECT_EQ(t.counters().timed_out, 4u);
    EXPECT_EQ(t.size(), 3u);
    insert(t, key(101), 1000, ev);
    EXPECT_EQ(t.counters().timed_out, 6u);
    EXPECT_EQ(t.size(), 2u);
}

// Above 90 % full the table enters emergency mode (counted once per entry) and idle
// timeouts shrink tenfold; it leaves emergency only below 80 %, so a full table that evicts
// one flow per new flow is one emergency, not one per flow.
TEST(FlowTable, EmergencyModeAboveNinetyPercent)
{
    FlowTimeouts to;
    to.tcp_new_ns = 1000;
    FlowTable t(20, to);
    Evictions ev;
    for (std::uint32_t i = 0; i < 18; ++i) {
        insert(t, key(i), 0, ev);
    }
    EXPECT_EQ(t.counters().emergency_entered, 0u); // 18 of 20: exactly 90 %
    insert(t, key(18), 0, ev);
    EXPECT_EQ(t.counters().emergency_entered, 1u); // 19 of 20
    insert(t, key(19), 0, ev);
    insert(t, key(20), 0, ev); // full: evicts one, never left emergency
    EXPECT_EQ(t.counters().emergency_entered, 1u);
    EXPECT_EQ(t.counters().evicted_cap, 1u);
    t.erase(key(20));
    t.erase(key(19)); // 18 of 20: still in emergency (it ends below 80 %)
    insert(t, key(21), 0, ev);
    EXPECT_EQ(t.counters().emergency_entered, 1u);
    // In emergency the timeout is 1000 / 10: flows idle 101 time out, at most 4 per new flow
    // (bounded work per packet); 19 - 4 = 15 of 20 is below 80 %, out of emergency.
    insert(t, key(22), 101, ev);
    EXPECT_EQ(t.counters().timed_out, 4u);
    EXPECT_EQ(t.size(), 16u);
    EXPECT_EQ(t.counters().evicted_cap, 1u);
    for (std::uint32_t i = 40; i < 43; ++i) {
        insert(t, key(i), 101, ev); // 19 of 20: above 90 % again
    }
    EXPECT_EQ(t.counters().emergency_entered, 2u);
}

// Triad on the emergency timeout (1000 / 10 = 100).
TEST(FlowTable, EmergencyTimeoutTriad)
{
    FlowTimeouts to;
    to.tcp_new_ns = 1000;
    FlowTable t(20, to);
    Evictions ev;
    for (std::uint32_t i = 0; i < 20; ++i) {
        insert(t, key(i), 0, ev);
    }
    insert(t, key(30), 100, ev); // idle exactly 100: kept, so one is evicted for capacity
    EXPECT_EQ(t.counters().timed_out, 0u);
    EXPECT_EQ(t.counters().evicted_cap, 1u);
    insert(t, key(31), 101, ev); // idle 101: cold flows time out, at most 4 per new flow
    EXPECT_EQ(t.counters().timed_out, 4u);
    EXPECT_EQ(t.counters().evicted_cap, 1u);
}

// A full table that stays full never leaves emergency mode, whatever its capacity: an
// eviction followed by the insertion it makes room for is not a new entry.
TEST(FlowTable, EmergencyCountedOnceWhileFullAtSmallCapacity)
{
    FlowTable t(10);
    Evictions ev;
    for (std::uint32_t i = 0; i < 10; ++i) {
        insert(t, key(i), 0, ev);
    }
    ASSERT_EQ(t.counters().emergency_entered, 1u);
    for (std::uint32_t i = 10; i < 15; ++i) {
        insert(t, key(i), 0, ev); // each evicts one; the table is full before and after
    }
    EXPECT_EQ(t.counters().evicted_cap, 5u);
    EXPECT_EQ(t.counters().emergency_entered, 1u);
}

TEST(FlowTable, FlushAllEvictsEverything)
{
    FlowTable t(8);
    Evictions ev;
    for (std::uint32_t i = 0; i < 5; ++i) {
        insert(t, key(i), 0, ev);
    }
    t.flush_all(ev.callback());
    EXPECT_EQ(ev.keys.size(), 5u);
    EXPECT_EQ(ev.keys.front(), key(0)); // coldest first
    EXPECT_EQ(t.size(), 0u);
    for (std::uint32_t i = 0; i < 5; ++i) {
        EXPECT_EQ(t.find(key(i)), nullptr);
    }
    // The table is usable again.
    insert(t, key(7), 0, ev);
    EXPECT_EQ(t.size(), 1u);
}

// Backward-shift deletion: after 10^5 random inserts, finds and erases (with evictions),
// every key the model holds is findable with its own state, no other key is, and the LRU
// victim is always the one the model predicts.
class FlowTableRandom : public ::testing::TestWithParam<std::size_t> {};

TEST_P(FlowTableRandom, MatchesAStdMapModel)
{
    const std::size_t capacity = GetParam();
    const auto universe = static_cast<std::uint32_t>(capacity * 3 + 7);
    FlowTable t(capacity);
    std::map<std::uint32_t, std::uint64_t> model; // key -> last use tick
    std::map<std::string, std::uint32_t> names;
    for (std::uint32_t n = 0; n < universe; ++n) {
        const FlowKey k = key(n);
        names[k.client.to_string() + "/" + std::to_string(k.client_port) + "/" +
              k.server.to_string() + "/" + std::to_string(k.server_port)] = n;
    }
    ASSERT_EQ(names.size(), universe); // the keys are distinct
    std::uint64_t tick = 0;
    std::mt19937 rng(12345 + static_cast<unsigned>(capacity));
    std::vector<std::uint32_t> evicted;
    const auto on_evict = [&](const FlowKey& k, FlowState&) {
        evicted.push_back(number_of(k, names));
    };
    const auto coldest = [&] {
        std::uint32_t best = 0;
        std::uint64_t best_tick = ~std::uint64_t{0};
        for (const auto& [n, tk] : model) {
            if (tk < best_tick) {
                best_tick = tk;
                best = n;
            }
        }
        return best;
    };
    for (int op = 0; op < 100'000; ++op) {
        const std::uint32_t n = rng() % universe;
        switch (rng() % 4) {
            case 0:
            case 1: { // insert (or touch)
                const bool present = model.count(n) != 0;
                std::uint32_t victim = 0xFFFFFFFF;
                if (!present && model.size() == capacity) {
                    victim = coldest();
                }
                evicted.clear();
                bool created = false;
                FlowState& s = t.find_or_insert(key(n), 0, created, on_evict);
                ASSERT_EQ(created, !present) << "op " << op;
                if (created) {
                    s.first_ifindex = n; // the state remembers whose it is
                }
                ASSERT_EQ(s.first_ifindex, n) << "op " << op;
                if (victim != 0xFFFFFFFF) {
                    ASSERT_EQ(evicted.size(), 1u) << "op " << op;
                    ASSERT_EQ(evicted[0], victim) << "op " << op;
                    model.erase(victim);
                } else {
                    ASSERT_TRUE(evicted.empty()) << "op " << op;
                }
                model[n] = ++tick;
                break;
            }
            case 2: { // find
                FlowState* s = t.find(key(n));
                if (model.count(n) != 0) {
                    ASSERT_NE(s, nullptr) << "op " << op;
                    ASSERT_EQ(s->first_ifindex, n) << "op " << op;
                    model[n] = ++tick;
                } else {
                    ASSERT_EQ(s, nullptr) << "op " << op;
                }
                break;
            }
            default: // erase
                t.erase(key(n));
                model.erase(n);
                break;
        }
        ASSERT_EQ(t.size(), model.size()) << "op " << op;
        if (op % 997 == 0) {
            // Every key of the model, coldest first (so the LRU order is kept), then every
            // other key of the universe.
            std::vector<std::pair<std::uint64_t, std::uint32_t>> order;
            for (const auto& [k, tk] : model) {
                order.emplace_back(tk, k);
            }
            std::sort(order.begin(), order.end());
            for (const auto& [tk, k] : order) {
                FlowState* s = t.find(key(k));
                ASSERT_NE(s, nullptr) << "op " << op << " key " << k;
                ASSERT_EQ(s->first_ifindex, k);
                model[k] = ++tick;
            }
            for (std::uint32_t k = 0; k < universe; ++k) {
                if (model.count(k) == 0) {
                    ASSERT_EQ(t.find(key(k)), nullptr) << "op " << op << " key " << k;
                }
            }
        }
    }
    EXPECT_EQ(t.counters().evicted_cap + t.counters().closed + t.size(), t.counters().created);
}

INSTANTIATE_TEST_SUITE_P(Capacities, FlowTableRandom, ::testing::Values(1u, 7u, 64u, 1000u));

} // namespace
} // namespace wtfn::dnsleak
