#include "dnsleak/flows/flow_table.h"

#include <bit>

namespace wtfn::dnsleak {

FlowTable::FlowTable(std::size_t capacity, FlowTimeouts timeouts)
    : capacity_(capacity == 0 ? 1 : capacity),
      timeouts_(timeouts),
      slots_(capacity_)
{
    const std::size_t index_size = std::bit_ceil(capacity_ * 2);
    index_.assign(index_size, 0);
    index_mask_ = index_size - 1;
    free_.reserve(capacity_);
    for (std::size_t i = capacity_; i > 0; --i) {
        free_.push_back(static_cast<std::uint32_t>(i - 1));
    }
}

std::int64_t FlowTable::timeout_of(const FlowState& s) const
{
    std::int64_t t = 0;
    if (s.transport == Transport::doq || s.transport == Transport::https_quic) {
        t = timeouts_.udp_ns;
    } else {
        t = s.saw_data ? timeouts_.tcp_established_ns : timeouts_.tcp_new_ns;
    }
    return emergency_ ? t / 10 : t;
}

std::size_t FlowTable::find_index(const FlowKey& key, std::uint64_t hash) const
{
    const std::uint64_t tag = hash & 0xFFFFFFFF00000000ULL;
    std::size_t i = hash & index_mask_;
    while (index_[i] != 0) {
        if ((index_[i] & 0xFFFFFFFF00000000ULL) == tag && slots_[slot_of(index_[i])].key == key) {
            return i;
        }
        i = (i + 1) & index_mask_;
    }
    return static_cast<std::size_t>(-1);
}

FlowState* FlowTable::find(const FlowKey& key)
{
    const std::size_t i = find_index(key, key.hash());
    if (i == static_cast<std::size_t>(-1)) {
        return nullptr;
    }
    const std::uint32_t slot = slot_of(index_[i]);
    if (head_ != slot) {
        unlink(slot);
        push_front(slot);
    }
    return &slots_[slot].state;
}

void FlowTable::erase(const FlowKey& key)
{
    const std::size_t i = find_index(key, key.hash());
    if (i != static_cast<std::size_t>(-1)) {
        ++counters_.closed;
        remove_slot(slot_of(index_[i]));
    }
}

void FlowTable::unlink(std::uint32_t slot)
{
    Slot& s = slots_[slot];
    if (s.prev != NIL) {
        slots_[s.prev].next = s.next;
    } else {
        head_ = s.next;
    }
    if (s.next != NIL) {
        slots_[s.next].prev = s.prev;
    } else {
        tail_ = s.prev;
    }
    s.prev = s.next = NIL;
}

void FlowTable::push_front(std::uint32_t slot)
{
    Slot& s = slots_[slot];
    s.prev = NIL;
    s.next = head_;
    if (head_ != NIL) {
        slots_[head_].prev = slot;
    }
    head_ = slot;
    if (tail_ == NIL) {
        tail_ = slot;
    }
}

void FlowTable::remove_slot(std::uint32_t slot)
{
    Slot& s = slots_[slot];
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    std::size_t i = find_index(s.key, s.key.hash());
    index_[i] = 0;
    std::size_t j = i;
    for (;;) {
        j = (j + 1) & index_mask_;
        if (index_[j] == 0) {
            break;
        }
        const std::size_t h = slots_[slot_of(index_[j])].key.hash() & index_mask_;
        // Move entry j into the hole at i unless its home lies cyclically in (i, j].
        const bool stays = (i <= j) ? (i < h && h <= j) : (i < h || h <= j);
        if (!stays) {
            index_[i] = index_[j];
            index_[j] = 0;
            i = j;
        }
    }
    unlink(slot);
    s.used = false;
    free_.push_back(slot);
    --size_;
    // Leave emergency mode only well below the threshold (80 %), so that a full table that
    // evicts one flow per new flow does not count a new emergency each time.
    if (size_ * 10 < capacity_ * 8) {
        emergency_ = false;
    }
}

} // namespace wtfn::dnsleak
