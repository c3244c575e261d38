// Transport classification (DESIGN.md section 4): which DNS-like transport a packet belongs
// to, from its ports, and how sure we are.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "net/packet_view.h"

namespace wtfn::dnsleak {

enum class Transport : std::uint8_t {
    udp53,      // plain DNS over UDP
    tcp53,      // plain DNS over TCP
    dot,        // DNS over TLS, TCP 853
    doq,        // DNS over QUIC, UDP 853
    mdns,       // multicast DNS, 5353: local-link, never a resolver leak
    llmnr,      // LLMNR, 5355: local-link, never a resolver leak
    https_tcp,  // TLS on TCP 443: DoH candidate, classified by the DoH stage
    https_quic, // QUIC on UDP 443: DoH-over-HTTP/3 candidate
};

enum class Confidence : std::uint8_t { high, medium, low };

std::string_view to_string(Transport t);
std::string_view to_string(Confidence c);

// The transport a report names ("udp53", ... as to_string writes it); nullopt for any other
// text.
std::optional<Transport> parse_transport(std::string_view text);

// DNS-like transports are reported as events; 443 flows are counted until DoH
// classification judges them.
constexpr bool is_dns_like(Transport t)
{
    return t != Transport::https_tcp && t != Transport::https_quic;
}

constexpr bool is_local_link(Transport t)
{
    return t == Transport::mdns || t == Transport::llmnr;
}

struct PortMatch {
    bool matched = false;
    Transport transport = Transport::udp53;
    bool to_server = true; // the packet goes client -> server (destination port is the service)
};

// Matches the destination port first (a client sending to a service), then the source port
// (the service answering). Ports are the whole test here; payload probes refine confidence.
PortMatch match_ports(net::L4 l4, std::uint16_t src_port, std::uint16_t dst_port);

} // namespace wtfn::dnsleak
