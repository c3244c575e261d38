// SummaryBuilder: the running summary of a watch (counts by transport, queries and
// responses, top resolver destinations). Bounded: at most MAX_DESTINATIONS distinct
// destinations are tracked; the rest are counted in `destinations_untracked`.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "dnsleak/report/events.h"

namespace wtfn::dnsleak {

struct Destination {
    net::IpAddress ip;
    std::uint16_t port = 0;
    Transport transport = Transport::udp53;
    std::uint64_t count = 0;
};

struct Summary {
    std::uint64_t dns_messages = 0;
    std::uint64_t queries = 0;
    std::uint64_t responses = 0;
    std::uint64_t malformed_messages = 0;
    std::uint64_t encrypted_flows = 0;
    std::array<std::uint64_t, 8> by_transport{};
    std::vector<Destination> top_destinations; // by count, at most 10
    std::uint64_t destinations_untracked = 0;
    std::int64_t first_event_ns = 0;
    std::int64_t last_event_ns = 0;
};

class SummaryBuilder final : public EventSink {
public:
    static constexpr std::size_t MAX_DESTINATIONS = 4096;

    void on_event(const ClassifiedEvent& event) override;

    Summary build() const;

private:
    struct DestKey {
        net::IpAddress ip;
        std::uint16_t port;
        Transport transport;
        bool operator==(const DestKey&) const = default;
    };

    struct DestHash {
        std::size_t operator()(const DestKey& k) const
        {
            return static_cast<std::size_t>(k.ip.hash() ^ (std::uint64_t{k.port} << 7) ^
                                            static_cast<std::uint64_t>(k.transport));
        }
    };

    Summary s_;
    std::unordered_map<DestKey, std::uint64_t, DestHash> destinations_;
};

} // namespace wtfn::dnsleak
