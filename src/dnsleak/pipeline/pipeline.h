// Pipeline: one captured record in, zero or more ClassifiedEvents out to the sinks.
//
//   RawPacket -> decode (src/net) -> port classification (classify/) -> per transport:
//     udp53, mDNS, LLMNR : parse the DNS message in place
//     tcp53              : follow the TCP stream (flows/), reassemble DNS framing, parse
//     DoT, 443/TCP       : one event per connection, TLS ClientHello probe for confidence
//     DoQ, 443/UDP       : one event per flow, QUIC probe for confidence
//
// The per-packet path allocates nothing: the PacketView and the DnsMessage are members
// reused for every packet, the flow table is preallocated, and a DNS-over-TCP stream
// buffers only the unfinished tail of a message.
//
// On the "any" device a loopback packet may be seen twice (outgoing, then incoming) or only
// once (Linux 6.x delivers only the incoming copy): a short ring of recent loopback packet
// hashes keeps the first sighting and counts a repeat as a loopback duplicate, so a message
// is judged exactly once either way.
#pragma once

#include <array>
#include <vector>

#include "capture/raw_packet.h"
#include "dnsleak/attrib/attribution_stage.h"
#include "dnsleak/flows/flow_table.h"
#include "dnsleak/pipeline/interface_resolver.h"
#include "dnsleak/report/counters.h"
#include "dnsleak/report/events.h"
#include "dnsleak/rules/rule_engine.h"
#include "net/packet_view.h"
#include "proto/dns_message.h"
#include "proto/dns_tcp_stream.h"

namespace wtfn::dnsleak {

struct PipelineLimits {
    std::size_t flow_capacity = FlowTable::DEFAULT_CAPACITY;
    std::size_t reassembly_memcap = 16 * 1024 * 1024;
    FlowTimeouts timeouts;
};

class Pipeline {
public:
    explicit Pipeline(InterfaceResolver& interfaces, PipelineLimits limits = {});

    void add_sink(EventSink* sink) { sinks_.push_back(sink); }

    // Every DNS-like event is judged by `engine` before the sinks see it.
    void set_rule_engine(RuleEngine* engine) { rules_ = engine; }

    // Whether the sinks print answer records (names of owners and CNAME targets). Without
    // them (--summary-only) records are validated but their names not copied.
    void set_record_names(bool needed)
    {
        record_names_ = needed ? proto::RecordNames::decode : proto::RecordNames::validate_only;
    }

    // Live capture: every event waits in `stage` until its sender is known, then is judged
    // and handed to the sinks. Without a stage (a capture file) events go straight on.
    void set_attribution(AttributionStage* stage) { attribution_ = stage; }

    // Judges `e` (when a rule engine is set), then hands it to every sink.
    void deliver(ClassifiedEvent& e);

    void process(const capture::RawPacket& raw);

    // End of capture: flushes every open flow (partial DNS-over-TCP messages are counted as
    // dns.tcp_truncated; encrypted flows not yet reported are reported).
    void finish();

    CaptureCounters& counters() { return counters_; }

    const CaptureCounters& counters() const { return counters_; }

private:
    void handle_dns_datagram(const capture::RawPacket& raw, Transport t);
    // Parses one DNS message (a datagram, or one reassembled from TCP) and emits its event.
    void emit_dns_message(const capture::RawPacket& raw, Transport t, util::Bytes wire);
    void
    handle_tcp_dns(const capture::RawPacket& raw, const FlowKey& key, bool to_server, Transport t);
    void handle_encrypted(const capture::RawPacket& raw,
                          const FlowKey& key,
                          bool to_server,
                          Transport t);
    void on_flow_end(const FlowKey& key, FlowState& flow);
    void emit_flow_event(const FlowKey& key, const FlowState& flow, std::int64_t ts_ns);
    void fill_packet_facts(ClassifiedEvent& e, const capture::RawPacket& raw);
    void set_interface(ClassifiedEvent& e, const InterfaceKey& key);
    InterfaceKey interface_key(const capture::RawPacket& raw) const;
    void emit(ClassifiedEvent& e); // to the attribution stage, or straight to deliver()
    bool is_loopback_repeat(std::int64_t ts_ns);

    InterfaceResolver& interfaces_;
    std::vector<EventSink*> sinks_;
    RuleEngine* rules_ = nullptr;
    AttributionStage* attribution_ = nullptr;
    util::Bytes emit_wire_; // the DNS message of the event being emitted (empty: a flow)
    CaptureCounters counters_;
    FlowTable flows_;
    proto::ReassemblyBudget budget_;
    net::PacketView view_;
    proto::DnsMessage message_;
    proto::RecordNames record_names_ = proto::RecordNames::decode;

    struct LoopbackSighting {
        std::uint64_t hash = 0;
        std::int64_t ts_ns = 0;
    };

    std::array<LoopbackSighting, 64> loopback_ring_{};
    std::size_t loopback_next_ = 0;
};

} // namespace wtfn::dnsleak
