// SummaryBuilder: the running summary of a watch (docs/json-schema.md, "summary"): counts by
// transport and verdict, leaks by type and severity, top resolver destinations, top leaking
// processes, a per-minute timeline and burst hints.
//
// It is fed EventFacts, the few fields the summary needs, so that `wtfn dns leak report`
// rebuilds the same summary from a saved report's events as `watch` built live. Every
// table is bounded; what does not fit is counted as untracked.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dnsleak/report/events.h"

namespace wtfn::dnsleak {

struct Destination {
    net::IpAddress ip;
    std::uint16_t port = 0;
    Transport transport = Transport::udp53;
    std::uint64_t count = 0; // queries and encrypted flows sent there
    std::uint64_t leaks = 0; // of which leaks
};

struct ProcessLeaks {
    std::string name;
    std::uint64_t leaks = 0;
};

struct TimelineBucket {
    std::int64_t start_ns = 0; // the minute, UTC
    std::uint64_t judged = 0;  // clean + leak
    std::uint64_t leaks = 0;
};

// Leaks that came close together: often one application starting, a VPN reconnecting, or
// the moment a tunnel dropped.
struct Burst {
    std::int64_t start_ns = 0;
    std::int64_t end_ns = 0;
    std::uint64_t leaks = 0;
};

struct Summary {
    std::uint64_t dns_messages = 0;
    std::uint64_t queries = 0;
    std::uint64_t responses = 0;
    std::uint64_t malformed_messages = 0;
    std::uint64_t encrypted_flows = 0;
    std::array<std::uint64_t, 8> by_transport{};
    std::array<std::uint64_t, 3> by_verdict{}; // indexed by Verdict
    std::uint64_t leaks = 0;
    std::array<std::uint64_t, LEAK_TYPE_COUNT> leaks_by_type{};
    std::array<std::uint64_t, SEVERITY_COUNT> leaks_by_severity{};
    std::vector<Destination> top_destinations; // by count, at most 10
    std::uint64_t destinations_untracked = 0;
    std::vector<ProcessLeaks> top_processes; // by leaks, at most 10
    std::uint64_t leaks_process_unknown = 0;
    // Events whose sender was looked up, by the confidence of the answer (indexed by
    // platform::OwnerConfidence: none, low, medium, high), and the stubs' upstream queries
    // linked to the application they serve.
    std::array<std::uint64_t, 4> attributed{};
    std::uint64_t via_stub = 0;
    std::vector<TimelineBucket> timeline; // by minute, in time order
    std::uint64_t timeline_untracked = 0;
    std::vector<Burst> bursts; // in time order, at most MAX_BURSTS
    std::int64_t first_event_ns = 0;
    std::int64_t last_event_ns = 0;
};

// What the summary needs to know of one event.
struct EventFacts {
    std::int64_t ts_ns = 0;
    Transport transport = Transport::udp53;
    bool has_dns = false;
    bool is_response = false;
    bool malformed = false;
    net::IpAddress dst;
    std::uint16_t dst_port = 0;
    bool judged = false; // a verdict was given (false for unclassified 443 flows)
    Verdict verdict = Verdict::not_judged;
    LeakType leak_type = LeakType::none;
    Severity severity = Severity::p3;
    std::string_view process_name; // empty when not known
    std::int8_t attribution = -1;  // the owner's confidence (0-3); -1 when not looked up
    bool via_stub = false;         // a stub's upstream query, linked to its application
};

EventFacts facts_of(const ClassifiedEvent& e);

class SummaryBuilder final : public EventSink {
public:
    static constexpr std::size_t MAX_DESTINATIONS = 4096;
    static constexpr std::size_t MAX_PROCESSES = 4096;
    static constexpr std::size_t MAX_MINUTES = 7 * 24 * 60;
    static constexpr std::size_t MAX_LEAK_TIMES = 262144;
    static constexpr std::size_t MAX_BURSTS = 20;
    static constexpr std::size_t BURST_MIN_LEAKS = 5;
    static constexpr std::int64_t BURST_GAP_NS = 1'000'000'000;

    void on_event(const ClassifiedEvent& event) override { add(facts_of(event)); }

    void add(const EventFacts& f);

    // A saved report without its events (--summary-only): its summary is added as a whole.
    // Its top lists were already cut to ten, so merged top lists are exact only for the
    // entries every input kept.
    void merge(const Summary& s);

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

    struct DestCount {
        std::uint64_t count = 0;
        std::uint64_t leaks = 0;
    };

    struct NameHash {
        using is_transparent = void;

        std::size_t operator()(std::string_view s) const
        {
            return std::hash<std::string_view>{}(s);
        }
    };

    void add_destination(const DestKey& key, std::uint64_t count, std::uint64_t leaks);
    void add_process_leaks(std::string_view name, std::uint64_t leaks);
    void add_minute(std::int64_t start_ns, std::uint64_t judged, std::uint64_t leaks);

    Summary s_;
    std::unordered_map<DestKey, DestCount, DestHash> destinations_;
    std::unordered_map<std::string, std::uint64_t, NameHash, std::equal_to<>> processes_;
    std::map<std::int64_t, TimelineBucket> minutes_;
    std::vector<std::int64_t> leak_times_;
    std::vector<Burst> merged_bursts_;
};

} // namespace wtfn::dnsleak
