// FlowTable: the bounded table of TCP connections and QUIC/DoQ flows that the pipeline
// follows (RELIABILITY.md R1).
//
// Capacity is fixed at construction and every slot is allocated then: a flood of new flows
// evicts the least recently used one (flows.evicted_cap) instead of growing. Above 90 % full
// the table enters emergency mode and idle timeouts shrink tenfold (flows.emergency_entered).
// Lookups use open addressing with linear probing over an index twice the capacity; the LRU
// order is an intrusive list over slot numbers, so a packet costs one hash, a few probes and
// a list splice, and no allocation.
#pragma once

#include <cstdint>
#include <vector>

#include "dnsleak/classify/transport.h"
#include "dnsleak/flows/flow_key.h"
#include "net/packet_view.h"
#include "proto/dns_tcp_stream.h"

namespace wtfn::dnsleak {

struct FlowTimeouts {
    std::int64_t udp_ns = 30'000'000'000;     // QUIC / DoQ flows
    std::int64_t tcp_new_ns = 60'000'000'000; // no data seen yet
    std::int64_t tcp_established_ns = 300'000'000'000;
};

struct FlowCounters {
    std::uint64_t created = 0;
    std::uint64_t evicted_cap = 0;
    std::uint64_t timed_out = 0;
    std::uint64_t closed = 0;
    std::uint64_t emergency_entered = 0;
};

// Per-direction state of a TCP connection carrying DNS.
struct TcpDirection {
    bool seq_known = false;
    std::uint32_t next_seq = 0;
    proto::DnsTcpStream stream;
};

struct FlowState {
    Transport transport = Transport::tcp53;
    std::int64_t first_seen_ns = 0;
    std::int64_t last_seen_ns = 0;
    bool reported = false; // the flow's event (encrypted transports) has been emitted
    bool saw_data = false;
    bool saw_syn = false; // TCP: the client's SYN was seen (a connection attempt, not a tail)
    bool client_fin = false;
    bool server_fin = false;
    // Where the flow was first seen, for an event reported when the flow ends.
    std::uint32_t first_ifindex = 0;
    std::uint32_t first_interface_id = 0;
    std::uint16_t first_hatype = 0;
    std::uint32_t first_link_type = 0;
    net::Direction first_direction = net::Direction::unknown;
    TcpDirection to_server;
    TcpDirection to_client;
};

class FlowTable {
public:
    static constexpr std::size_t DEFAULT_CAPACITY = 65536;

    explicit FlowTable(std::size_t capacity = DEFAULT_CAPACITY, FlowTimeouts timeouts = {});

    // Returns the flow for `key`, creating it when absent. `on_evict(key, state)` is called for
    // any flow that has to go first (timed out, or the least recently used when full), so the
    // caller can flush what it holds.
    template <typename OnEvict>
    FlowState&
    find_or_insert(const FlowKey& key, std::int64_t now_ns, bool& created, OnEvict&& on_evict);

    // Existing flow or null; marks it most recently used.
    FlowState* find(const FlowKey& key);

    void erase(const FlowKey& key);

    // Calls on_evict for every flow and empties the table (end of capture).
    template <typename OnEvict>
    void flush_all(OnEvict&& on_evict);

    std::size_t size() const { return size_; }

    std::size_t capacity() const { return capacity_; }

    const FlowCounters& counters() const { return counters_; }

private:
    static constexpr std::uint32_t NIL = 0xFFFFFFFF;

    struct Slot {
        FlowKey key;
        FlowState state;
        std::uint32_t prev = NIL; // towards most recent
        std::uint32_t next = NIL; // towards least recent
        bool used = false;
    };

    // An index entry packs a 32-bit hash tag with slot + 1 (0 = empty), so a probe compares
    // keys only when the tags match.
    static std::uint64_t entry(std::uint64_t hash, std::uint32_t slot)
    {
        return (hash & 0xFFFFFFFF00000000ULL) | (std::uint64_t{slot} + 1);
    }

    static std::uint32_t slot_of(std::uint64_t e) { return static_cast<std::uint32_t>(e) - 1; }

    std::size_t find_index(const FlowKey& key, std::uint64_t hash) const; // npos if absent
    void unlink(std::uint32_t slot);
    void push_front(std::uint32_t slot);
    void remove_slot(std::uint32_t slot);
    std::int64_t timeout_of(const FlowState& s) const;

    std::size_t capacity_;
    std::size_t size_ = 0;
    FlowTimeouts timeouts_;
    bool emergency_ = false;
    std::vector<Slot> slots_;
    std::vector<std::uint64_t> index_; // entry(): hash tag | slot + 1; 0 = empty
    std::size_t index_mask_;
    std::vector<std::uint32_t> free_;
    std::uint32_t head_ = NIL; // most recently used
    std::uint32_t tail_ = NIL; // least recently used
    FlowCounters counters_;
};

template <typename OnEvict>
FlowState& FlowTable::find_or_insert(const FlowKey& key,
                                     std::int64_t now_ns,
                                     bool& created,
                                     OnEvict&& on_evict)
{
    created = false;
    const std::uint64_t hash = key.hash();
    const std::size_t at = find_index(key, hash);
    if (at != static_cast<std::size_t>(-1)) {
        const std::uint32_t found = slot_of(index_[at]);
        if (head_ != found) {
            unlink(found);
            push_front(found);
        }
        return slots_[found].state;
    }
    // Retire a few timed-out flows from the cold end: bounded work per new flow.
    for (int i = 0; i < 4 && tail_ != NIL; ++i) {
        Slot& cold = slots_[tail_];
        if (now_ns - cold.state.last_seen_ns <= timeout_of(cold.state)) {
            break;
        }
        ++counters_.timed_out;
        on_evict(cold.key, cold.state);
        remove_slot(tail_);
    }
    if (size_ == capacity_) {
        Slot& cold = slots_[tail_];
        ++counters_.evicted_cap;
        on_evict(cold.key, cold.state);
        remove_slot(tail_);
    }
    const std::uint32_t slot = free_.back();
    free_.pop_back();
    Slot& s = slots_[slot];
    s.key = key;
    s.state.transport = Transport::tcp53;
    s.state.first_seen_ns = s.state.last_seen_ns = now_ns;
    s.state.reported = s.state.saw_data = s.state.saw_syn = false;
    s.state.client_fin = s.state.server_fin = false;
    s.state.to_server.seq_known = s.state.to_client.seq_known = false;
    s.used = true;
    std::size_t i = hash & index_mask_;
    while (index_[i] != 0) {
        i = (i + 1) & index_mask_;
    }
    index_[i] = entry(hash, slot);
    push_front(slot);
    ++size_;
    ++counters_.created;
    if (size_ * 10 > capacity_ * 9 && !emergency_) {
        ++counters_.emergency_entered;
        emergency_ = true;
    }
    created = true;
    return s.state;
}

template <typename OnEvict>
void FlowTable::flush_all(OnEvict&& on_evict)
{
    while (tail_ != NIL) {
        Slot& s = slots_[tail_];
        on_evict(s.key, s.state);
        remove_slot(tail_);
    }
}

} // namespace wtfn::dnsleak
