// AttributionStage: holds each event until its sender is known, then hands it on to be
// judged and reported (docs/attribution.md).
//
// The pipeline hands every event here instead of straight to the rules and sinks. An event
// that needs an owner (a query or an encrypted flow leaving a local socket) is copied into
// a bounded FIFO — its scalar facts, its interface name and the DNS message's wire bytes —
// and the owner is asked of the FlowOwnerProvider. The head of the FIFO is released when its
// owner arrived or its wait ran out; the DNS message is parsed again from the kept bytes,
// so the sinks see exactly what they would have seen unheld. Events behind the head wait
// their turn, so the output keeps capture order. Slots are reused: after warm-up nothing is
// allocated per event but the owner's strings.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dnsleak/attrib/stub_link.h"
#include "dnsleak/report/events.h"
#include "platform/flow_owner_provider.h"
#include "proto/dns_message.h"
#include "util/byte_reader.h"

namespace wtfn::dnsleak {

struct AttributionLimits {
    std::size_t max_pending = 4096;           // events held at once (R4)
    std::chrono::milliseconds max_wait{1000}; // longest an event waits for its owner
};

// Events by the confidence of their owner (index: platform::OwnerConfidence), and how many
// were released before their owner came.
struct AttributionCounts {
    std::array<std::uint64_t, 4> by_confidence{};
    std::uint64_t kernel_owned = 0;
    std::uint64_t forwarded = 0;
    std::uint64_t via_stub = 0;
    std::uint64_t timed_out = 0;  // released without an answer (max_wait)
    std::uint64_t overflowed = 0; // released early because max_pending events were held
};

// Whether the sender of `e` is worth asking for: a DNS query, or a DoT/DoQ flow, that left a
// socket of this machine.
bool needs_owner(const ClassifiedEvent& e);

class AttributionStage {
public:
    using Deliver = std::function<void(ClassifiedEvent&)>;

    AttributionStage(platform::FlowOwnerProvider& provider,
                     Deliver deliver,
                     AttributionLimits limits = {});

    // Whether answers and parses of held messages decode record names (see Pipeline).
    void set_record_names(proto::RecordNames names) { names_ = names; }

    // `e` points into the packet and the parser; `wire` is its DNS message (empty for a flow
    // event). Either delivered now (nothing held, no owner needed) or copied and held.
    void submit(ClassifiedEvent& e, util::Bytes wire);

    // Picks up the owners found so far and releases what is ready. Every loop turn.
    void tick();

    // End of capture: waits up to `grace` for the owners still asked for, then releases
    // everything, so the report holds every event with what is known of its sender.
    void finish(std::chrono::milliseconds grace);

    const AttributionCounts& counts() const { return counts_; }

    std::size_t held() const { return count_; }

private:
    struct Held {
        ClassifiedEvent event; // pointers re-aimed at the slot's copies on release
        std::string interface;
        std::vector<std::uint8_t> wire;
        bool has_dns = false;
        bool wants_owner = false;
        bool answered = false;
        std::uint64_t token = 0;
        std::chrono::steady_clock::time_point deadline;
        platform::FlowOwner owner;
    };

    Held& slot(std::size_t i) { return slots_[(head_ + i) % slots_.size()]; }

    void release_head();
    void deliver_now(ClassifiedEvent& e);
    void attach_owner(ClassifiedEvent& e, platform::FlowOwner& owner);

    platform::FlowOwnerProvider& provider_;
    Deliver deliver_;
    AttributionLimits limits_;
    proto::RecordNames names_ = proto::RecordNames::decode;
    std::vector<Held> slots_;
    std::size_t head_ = 0;
    std::size_t count_ = 0;
    std::uint64_t head_token_ = 1; // slot(i) was asked for with token head_token_ + i
    std::vector<platform::OwnerAnswer> answers_;
    proto::DnsMessage message_; // the re-parsed message of the event being released
    ProcessFacts facts_;
    StubLinker stubs_;
    AttributionCounts counts_;
};

} // namespace wtfn::dnsleak
