// FlowKey: a connection seen from its client side (client = the side that is not the
// service port), so both directions of a flow find the same entry.
#pragma once

#include <cstdint>

#include "net/ip_address.h"

namespace wtfn::dnsleak {

struct FlowKey {
    net::IpAddress client;
    net::IpAddress server;
    std::uint16_t client_port = 0;
    std::uint16_t server_port = 0;
    std::uint8_t ip_proto = 0;

    bool operator==(const FlowKey&) const = default;

    std::uint64_t hash() const
    {
        std::uint64_t h = client.hash() * 31 + server.hash();
        h ^= (std::uint64_t{client_port} << 24) ^ (std::uint64_t{server_port} << 8) ^ ip_proto;
        h *= 0x9E3779B97F4A7C15ULL;
        return h ^ (h >> 29);
    }
};

} // namespace wtfn::dnsleak
