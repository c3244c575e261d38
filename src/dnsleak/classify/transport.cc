#include "dnsleak/classify/transport.h"

namespace wtfn::dnsleak {
namespace {

bool service_port(net::L4 l4, std::uint16_t port, Transport& out)
{
    const bool udp = l4 == net::L4::udp;
    switch (port) {
        case 53:
            out = udp ? Transport::udp53 : Transport::tcp53;
            return true;
        case 853:
            out = udp ? Transport::doq : Transport::dot;
            return true;
        case 443:
            out = udp ? Transport::https_quic : Transport::https_tcp;
            return true;
        case 5353:
            out = Transport::mdns;
            return udp;
        case 5355:
            out = Transport::llmnr;
            return true;
        default:
            return false;
    }
}

} // namespace

std::string_view to_string(Transport t)
{
    switch (t) {
        case Transport::udp53:
            return "udp53";
        case Transport::tcp53:
            return "tcp53";
        case Transport::dot:
            return "dot";
        case Transport::doq:
            return "doq";
        case Transport::mdns:
            return "mdns";
        case Transport::llmnr:
            return "llmnr";
        case Transport::https_tcp:
            return "https_tcp";
        case Transport::https_quic:
            return "https_quic";
    }
    return "unknown";
}

std::optional<Transport> parse_transport(std::string_view text)
{
    for (const Transport t : {Transport::udp53,
                              Transport::tcp53,
                              Transport::dot,
                              Transport::doq,
                              Transport::mdns,
                              Transport::llmnr,
                              Transport::https_tcp,
                              Transport::https_quic}) {
        if (to_string(t) == text) {
            return t;
        }
    }
    return std::nullopt;
}

std::string_view to_string(Confidence c)
{
    switch (c) {
        case Confidence::high:
            return "high";
        case Confidence::medium:
            return "medium";
        case Confidence::low:
            return "low";
    }
    return "unknown";
}

PortMatch match_ports(net::L4 l4, std::uint16_t src_port, std::uint16_t dst_port)
{
    PortMatch m;
    if (l4 != net::L4::udp && l4 != net::L4::tcp) {
        return m;
    }
    if (service_port(l4, dst_port, m.transport)) {
        m.matched = true;
        m.to_server = true;
    } else if (service_port(l4, src_port, m.transport)) {
        m.matched = true;
        m.to_server = false;
    }
    return m;
}

} // namespace wtfn::dnsleak
