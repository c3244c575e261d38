// The data that flows between stages (DESIGN.md section 2, seeds' TrafficEvent ->
// ClassifiedEvent). A ClassifiedEvent is built on the stack for each DNS message or
// encrypted flow and handed to the sinks by reference; it points into the packet and the
// parser's reusable DnsMessage, so a sink that keeps it must copy what it needs.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "dnsleak/classify/transport.h"
#include "dnsleak/rules/judgement.h"
#include "dnsleak/rules/process_facts.h"
#include "net/packet_view.h"
#include "platform/flow_owner.h"
#include "platform/route_class.h"
#include "proto/dns_message.h"
#include "util/malformed.h"

namespace wtfn::dnsleak {

struct ClassifiedEvent {
    // TrafficEvent: the flow facts
    std::int64_t ts_ns = 0;
    net::L4 proto = net::L4::udp;
    std::string_view interface; // empty when unknown
    std::uint32_t ifindex = 0;  // 0 when unknown
    platform::RouteClass route_class = platform::RouteClass::unknown;
    net::Direction direction = net::Direction::unknown;
    net::IpAddress src;
    net::IpAddress dst;
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    // classification
    Transport transport = Transport::udp53;
    Confidence confidence = Confidence::high;
    // plaintext DNS: the parsed message (null for encrypted flows, or when nothing parsed)
    const proto::DnsMessage* dns = nullptr;
    std::optional<util::Malformed> malformed; // why the DNS message could not be fully parsed
    // encrypted flows: what the first client payload showed
    bool tls_client_hello = false;
    std::uint32_t quic_version = 0;
    // attribution (docs/attribution.md): who sent it. `owner` is null when attribution did
    // not run (a capture file, or an event that needs no owner such as a response);
    // `process` is what the leak rules look at, null unless a process is known.
    const platform::FlowOwner* owner = nullptr;
    const ProcessFacts* process = nullptr;
    // the leak rules' verdict: null for 443 flows the DoH stage has not classified, and
    // when no rule engine runs
    const Judgement* judgement = nullptr;
};

class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void on_event(const ClassifiedEvent& event) = 0;
};

} // namespace wtfn::dnsleak
