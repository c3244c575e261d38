#include "dnsleak/pipeline/pipeline.h"

#include "dnsleak/classify/transport.h"
#include "net/decode.h"
#include "proto/sniff.h"

namespace wtfn::dnsleak {

Pipeline::Pipeline(InterfaceResolver& interfaces, PipelineLimits limits)
    : interfaces_(interfaces),
      flows_(limits.flow_capacity, limits.timeouts)
{
    budget_.memcap = limits.reassembly_memcap;
}

void Pipeline::emit(ClassifiedEvent& e)
{
    if (attribution_ != nullptr) {
        attribution_->submit(e, emit_wire_); // delivered once its sender is known
        return;
    }
    deliver(e);
}

void Pipeline::deliver(ClassifiedEvent& e)
{
    if (rules_ != nullptr && is_dns_like(e.transport)) {
        e.judgement = &rules_->judge(e);
    }
    for (EventSink* s : sinks_) {
        s->on_event(e);
    }
}

InterfaceKey Pipeline::interface_key(const capture::RawPacket& raw) const
{
    return {view_.ifindex, raw.interface_id, view_.hatype, raw.link_type};
}

void Pipeline::set_interface(ClassifiedEvent& e, const InterfaceKey& key)
{
    const InterfaceRef ref = interfaces_.resolve(key);
    e.interface = ref.name;
    e.ifindex = ref.ifindex;
    e.route_class = ref.route_class;
}

void Pipeline::fill_packet_facts(ClassifiedEvent& e, const capture::RawPacket& raw)
{
    e.ts_ns = raw.ts_ns;
    e.proto = view_.l4;
    set_interface(e, interface_key(raw));
    e.direction = view_.direction;
    e.src = view_.src;
    e.dst = view_.dst;
    e.src_port = view_.src_port;
    e.dst_port = view_.dst_port;
}

void Pipeline::process(const capture::RawPacket& raw)
{
    ++counters_.packets_read;
    const util::Bytes frame{raw.data, raw.caplen};
    switch (net::decode_frame(raw.link_type, frame, view_, counters_.malformed)) {
        case net::DecodeStatus::ok:
            break;
        case net::DecodeStatus::not_ip:
            ++counters_.packets_not_ip;
            return;
        case net::DecodeStatus::other_l4:
            ++counters_.packets_other_l4;
            return;
        case net::DecodeStatus::fragment:
        case net::DecodeStatus::malformed:
            return; // counted by the decoder
    }
    ++counters_.packets_decoded;
    if (view_.direction == net::Direction::unknown) {
        if (raw.direction == capture::RecordedDirection::inbound) {
            view_.direction = net::Direction::inbound;
        } else if (raw.direction == capture::RecordedDirection::outbound) {
            view_.direction = net::Direction::outbound;
        }
    }
    const PortMatch m = match_ports(view_.l4, view_.src_port, view_.dst_port);
    if (!m.matched) {
        ++counters_.packets_other_port;
        return;
    }
    if (view_.hatype == net::HATYPE_LOOPBACK && is_loopback_repeat(raw.ts_ns)) {
        ++counters_.loopback_duplicates;
        return;
    }
    switch (m.transport) {
        case Transport::udp53:
        case Transport::mdns:
            handle_dns_datagram(raw, m.transport);
            return;
        case Transport::llmnr:
            if (view_.l4 == net::L4::udp) {
                handle_dns_datagram(raw, m.transport);
                return;
            }
            break; // LLMNR over TCP is followed like DNS over TCP
        default:
            break;
    }
    FlowKey key;
    key.ip_proto = view_.ip_proto;
    if (m.to_server) {
        key.client = view_.src;
        key.server = view_.dst;
        key.client_port = view_.src_port;
        key.server_port = view_.dst_port;
    } else {
        key.client = view_.dst;
        key.server = view_.src;
        key.client_port = view_.dst_port;
        key.server_port = view_.src_port;
    }
    if (m.transport == Transport::tcp53 || m.transport == Transport::llmnr) {
        handle_tcp_dns(raw, key, m.to_server, m.transport);
    } else {
        handle_encrypted(raw, key, m.to_server, m.transport);
    }
}

bool Pipeline::is_loopback_repeat(std::int64_t ts_ns)
{
    // Both copies of a loopback packet carry the same addresses, ports, sequence number and
    // payload; they arrive microseconds apart.
    std::uint64_t h = view_.src.hash() ^ (view_.dst.hash() * 3) ^
                      (std::uint64_t{view_.src_port} << 32) ^
                      (std::uint64_t{view_.dst_port} << 16) ^ view_.tcp_seq ^
                      (std::uint64_t{view_.tcp_flags} << 48) ^ view_.payload.size();
    for (const std::uint8_t b : view_.payload) {
        h = (h ^ b) * 0x100000001B3ULL;
    }
    constexpr std::int64_t WINDOW_NS = 100'000'000;
    for (auto& seen : loopback_ring_) {
        if (seen.hash == h && ts_ns - seen.ts_ns <= WINDOW_NS && ts_ns >= seen.ts_ns) {
            seen.hash = 0; // a third identical packet is a real retransmission
            return true;
        }
    }
    loopback_ring_[loopback_next_] = {h, ts_ns};
    loopback_next_ = (loopback_next_ + 1) % loopback_ring_.size();
    return false;
}

void Pipeline::handle_dns_datagram(const capture::RawPacket& raw, Transport t)
{
    emit_dns_message(raw, t, view_.payload);
}

void Pipeline::emit_dns_message(const capture::RawPacket& raw, Transport t, util::Bytes wire)
{
    ++counters_.dns_messages;
    ClassifiedEvent e;
    fill_packet_facts(e, raw);
    e.transport = t;
    e.malformed = proto::parse_dns_message(wire, message_, record_names_);
    if (e.malformed) {
        counters_.malformed.add(*e.malformed);
        // A port match alone: the bytes did not parse as DNS.
        e.confidence = Confidence::medium;
    }
    // Only a cut header leaves nothing worth reporting of the message itself.
    e.dns = e.malformed == util::Malformed::dns_truncated_header ? nullptr : &message_;
    emit_wire_ = wire;
    emit(e);
    emit_wire_ = {};
}

void Pipeline::handle_tcp_dns(const capture::RawPacket& raw,
                              const FlowKey& key,
                              bool to_server,
                              Transport t)
{
    bool created = false;
    FlowState& flow = flows_.find_or_insert(
        key, raw.ts_ns, created, [this](const FlowKey& k, FlowState& f) { on_flow_end(k, f); });
    if (created) {
        flow.transport = t; // tcp53, or LLMNR over TCP
        // A reused slot may hold a stream the memcap dropped; start it afresh.
        flow.to_server.stream.reset(budget_);
        flow.to_client.stream.reset(budget_);
    }
    flow.last_seen_ns = raw.ts_ns;
    TcpDirection& dir = to_server ? flow.to_server : flow.to_client;
    const std::uint8_t flags = view_.tcp_flags;
    if ((flags & net::TCP_SYN) != 0) {
        dir.seq_known = true;
        dir.next_seq = view_.tcp_seq + 1;
    }
    util::Bytes payload = view_.payload;
    if (!payload.empty()) {
        flow.saw_data = true;
        if (!dir.seq_known) {
            // The capture started mid-connection: take this segment as the start.
            dir.seq_known = true;
            dir.next_seq = view_.tcp_seq;
        }
        const auto diff = static_cast<std::int32_t>(view_.tcp_seq - dir.next_seq);
        if (diff < 0) {
            // Retransmission: keep only bytes not seen yet.
            const auto seen = static_cast<std::size_t>(-static_cast<std::int64_t>(diff));
            payload = seen >= payload.size() ? util::Bytes{} : payload.subspan(seen);
        } else if (diff > 0) {
            // A gap: the bytes in between were not captured. The partial message they
            // belonged to is lost; resume at this segment, where clients start messages.
            // The gap is the one finding: the partial message it cut is dropped with it.
            counters_.malformed.add(util::Malformed::tcp_out_of_order_drop);
            dir.stream.release(budget_);
        }
        if (!payload.empty()) {
            dir.next_seq = view_.tcp_seq + static_cast<std::uint32_t>(view_.payload.size());
            dir.stream.feed(payload, budget_, counters_.malformed, [&](util::Bytes msg) {
                emit_dns_message(raw, flow.transport, msg);
            });
        }
    }
    if ((flags & net::TCP_FIN) != 0) {
        (to_server ? flow.client_fin : flow.server_fin) = true;
        dir.stream.finish(budget_, counters_.malformed);
    }
    if ((flags & net::TCP_RST) != 0 || (flow.client_fin && flow.server_fin)) {
        on_flow_end(key, flow);
        flows_.erase(key);
    }
}

void Pipeline::handle_encrypted(const capture::RawPacket& raw,
                                const FlowKey& key,
                                bool to_server,
                                Transport t)
{
    bool created = false;
    FlowState& flow = flows_.find_or_insert(
        key, raw.ts_ns, created, [this](const FlowKey& k, FlowState& f) { on_flow_end(k, f); });
    if (created) {
        flow.transport = t;
        ++counters_.encrypted_flows;
    }
    flow.last_seen_ns = raw.ts_ns;
    if (created) {
        flow.first_ifindex = view_.ifindex;
        flow.first_interface_id = raw.interface_id;
        flow.first_hatype = view_.hatype;
        flow.first_link_type = raw.link_type;
        flow.first_direction = view_.direction;
    }
    const bool tcp = view_.l4 == net::L4::tcp;
    if (tcp && to_server && (view_.tcp_flags & net::TCP_SYN) != 0) {
        flow.saw_syn = true;
    }
    if (!flow.reported && to_server && !view_.payload.empty()) {
        // The first client payload decides the confidence: a ClientHello on 853 proves TLS,
        // a QUIC long header on UDP 853 makes DoQ likely.
        flow.saw_data = true;
        ClassifiedEvent e;
        fill_packet_facts(e, raw);
        e.transport = t;
        if (tcp) {
            e.tls_client_hello = proto::looks_like_tls_client_hello(view_.payload);
            e.confidence = e.tls_client_hello ? Confidence::high : Confidence::medium;
        } else {
            const proto::QuicSniff q = proto::sniff_quic(view_.payload);
            e.quic_version = q.long_header ? q.version : 0;
            e.confidence = q.long_header ? Confidence::medium : Confidence::low;
        }
        flow.reported = true;
        emit(e);
    }
    if (tcp && ((view_.tcp_flags & net::TCP_RST) != 0 || (view_.tcp_flags & net::TCP_FIN) != 0)) {
        (to_server ? flow.client_fin : flow.server_fin) = true;
        if ((view_.tcp_flags & net::TCP_RST) != 0 || (flow.client_fin && flow.server_fin)) {
            on_flow_end(key, flow);
            flows_.erase(key);
        }
    }
}

void Pipeline::emit_flow_event(const FlowKey& key, const FlowState& flow, std::int64_t ts_ns)
{
    ClassifiedEvent e;
    e.ts_ns = ts_ns;
    e.proto = key.ip_proto == 6 ? net::L4::tcp : net::L4::udp;
    set_interface(
        e, {flow.first_ifindex, flow.first_interface_id, flow.first_hatype, flow.first_link_type});
    e.direction = flow.first_direction;
    e.src = key.client;
    e.dst = key.server;
    e.src_port = key.client_port;
    e.dst_port = key.server_port;
    e.transport = flow.transport;
    // Only the handshake (or nothing) was seen: the port is the evidence.
    e.confidence = e.proto == net::L4::tcp ? Confidence::medium : Confidence::low;
    emit(e);
}

void Pipeline::on_flow_end(const FlowKey& key, FlowState& flow)
{
    if (flow.transport == Transport::tcp53 || flow.transport == Transport::llmnr) {
        flow.to_server.stream.finish(budget_, counters_.malformed);
        flow.to_client.stream.finish(budget_, counters_.malformed);
        return;
    }
    // The last ACK or a RST that arrives after a connection closed creates a flow of its own;
    // with no SYN and no data it is the tail of a connection already reported, not a new one.
    const bool tcp_tail =
        (flow.transport == Transport::dot || flow.transport == Transport::https_tcp) &&
        !flow.saw_syn;
    if (!flow.reported && !tcp_tail) {
        // A connection attempt with no payload (a blocked DoT port, say) is still an attempt
        // to reach a resolver.
        flow.reported = true;
        emit_flow_event(key, flow, flow.first_seen_ns);
    }
}

void Pipeline::finish()
{
    flows_.flush_all([this](const FlowKey& k, FlowState& f) { on_flow_end(k, f); });
    counters_.flows = flows_.counters();
}

} // namespace wtfn::dnsleak
