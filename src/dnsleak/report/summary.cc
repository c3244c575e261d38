#include "dnsleak/report/summary.h"

#include <algorithm>

namespace wtfn::dnsleak {
namespace {

constexpr std::int64_t MINUTE_NS = 60'000'000'000;

std::int64_t minute_of(std::int64_t ts_ns)
{
    const std::int64_t m = ts_ns / MINUTE_NS;
    return (ts_ns < 0 && ts_ns % MINUTE_NS != 0 ? m - 1 : m) * MINUTE_NS;
}

bool is_encrypted_flow(Transport t)
{
    return !is_dns_like(t) || t == Transport::dot || t == Transport::doq;
}

} // namespace

EventFacts facts_of(const ClassifiedEvent& e)
{
    EventFacts f;
    f.ts_ns = e.ts_ns;
    f.transport = e.transport;
    f.has_dns = e.dns != nullptr;
    f.is_response = e.dns != nullptr && e.dns->is_response();
    f.malformed = e.malformed.has_value();
    f.dst = e.dst;
    f.dst_port = e.dst_port;
    if (e.judgement != nullptr) {
        f.judged = true;
        f.verdict = e.judgement->verdict;
        f.leak_type = e.judgement->leak_type;
        f.severity = e.judgement->severity;
    }
    if (e.process != nullptr) {
        f.process_name = e.process->name;
    }
    if (e.owner != nullptr && e.owner->source != platform::OwnerSource::none) {
        f.attribution = static_cast<std::int8_t>(e.owner->confidence);
        f.via_stub = e.owner->on_behalf_pid > 0;
    }
    return f;
}

void SummaryBuilder::add_destination(const DestKey& key, std::uint64_t count, std::uint64_t leaks)
{
    auto it = destinations_.find(key);
    if (it != destinations_.end()) {
        it->second.count += count;
        it->second.leaks += leaks;
    } else if (destinations_.size() < MAX_DESTINATIONS) {
        destinations_.emplace(key, DestCount{count, leaks});
    } else {
        s_.destinations_untracked += count;
    }
}

void SummaryBuilder::add_process_leaks(std::string_view name, std::uint64_t leaks)
{
    auto it = processes_.find(name);
    if (it != processes_.end()) {
        it->second += leaks;
    } else if (processes_.size() < MAX_PROCESSES) {
        processes_.emplace(std::string(name), leaks);
    } else {
        s_.leaks_process_unknown += leaks;
    }
}

void SummaryBuilder::add_minute(std::int64_t start_ns, std::uint64_t judged, std::uint64_t leaks)
{
    auto it = minutes_.find(start_ns);
    if (it == minutes_.end()) {
        if (minutes_.size() >= MAX_MINUTES) {
            s_.timeline_untracked += judged;
            return;
        }
        it = minutes_.emplace(start_ns, TimelineBucket{start_ns, 0, 0}).first;
    }
    it->second.judged += judged;
    it->second.leaks += leaks;
}

void SummaryBuilder::add(const EventFacts& f)
{
    if (s_.first_event_ns == 0 || f.ts_ns < s_.first_event_ns) {
        s_.first_event_ns = f.ts_ns;
    }
    s_.last_event_ns = std::max(s_.last_event_ns, f.ts_ns);
    ++s_.by_transport[static_cast<std::size_t>(f.transport)];
    if (is_encrypted_flow(f.transport)) {
        ++s_.encrypted_flows;
    } else {
        ++s_.dns_messages;
        if (f.malformed) {
            ++s_.malformed_messages;
        }
        if (f.has_dns && f.is_response) {
            ++s_.responses;
        } else if (f.has_dns) {
            ++s_.queries;
        }
    }
    if (f.attribution >= 0 && f.attribution < 4) {
        ++s_.attributed[static_cast<std::size_t>(f.attribution)];
    }
    s_.via_stub += f.via_stub ? 1 : 0;
    const bool is_leak = f.judged && f.verdict == Verdict::leak;
    if (f.judged) {
        ++s_.by_verdict[static_cast<std::size_t>(f.verdict)];
        if (f.verdict != Verdict::not_judged) {
            add_minute(minute_of(f.ts_ns), 1, is_leak ? 1 : 0);
        }
    }
    if (is_leak && f.leak_type != LeakType::none) {
        ++s_.leaks;
        ++s_.leaks_by_type[index_of(f.leak_type)];
        ++s_.leaks_by_severity[index_of(f.severity)];
        if (f.process_name.empty()) {
            ++s_.leaks_process_unknown;
        } else {
            add_process_leaks(f.process_name, 1);
        }
        if (leak_times_.size() < MAX_LEAK_TIMES) {
            leak_times_.push_back(f.ts_ns);
        }
    }
    // Destinations are the resolvers: where queries and DoT/DoQ flows go. 443 flows are
    // ordinary web traffic until the DoH stage says otherwise, so they are not listed.
    const bool towards_server = !f.has_dns || !f.is_response;
    if (!towards_server || is_local_link(f.transport) || !is_dns_like(f.transport)) {
        return;
    }
    add_destination({f.dst, f.dst_port, f.transport}, 1, is_leak ? 1 : 0);
}

void SummaryBuilder::merge(const Summary& o)
{
    if (o.first_event_ns != 0 && (s_.first_event_ns == 0 || o.first_event_ns < s_.first_event_ns)) {
        s_.first_event_ns = o.first_event_ns;
    }
    s_.last_event_ns = std::max(s_.last_event_ns, o.last_event_ns);
    s_.dns_messages += o.dns_messages;
    s_.queries += o.queries;
    s_.responses += o.responses;
    s_.malformed_messages += o.malformed_messages;
    s_.encrypted_flows += o.encrypted_flows;
    for (std::size_t i = 0; i < s_.by_transport.size(); ++i) {
        s_.by_transport[i] += o.by_transport[i];
    }
    for (std::size_t i = 0; i < s_.by_verdict.size(); ++i) {
        s_.by_verdict[i] += o.by_verdict[i];
    }
    s_.leaks += o.leaks;
    for (std::size_t i = 0; i < LEAK_TYPE_COUNT; ++i) {
        s_.leaks_by_type[i] += o.leaks_by_type[i];
    }
    for (std::size_t i = 0; i < SEVERITY_COUNT; ++i) {
        s_.leaks_by_severity[i] += o.leaks_by_severity[i];
    }
    for (const auto& d : o.top_destinations) {
        add_destination({d.ip, d.port, d.transport}, d.count, d.leaks);
    }
    s_.destinations_untracked += o.destinations_untracked;
    for (const auto& p : o.top_processes) {
        add_process_leaks(p.name, p.leaks);
    }
    s_.leaks_process_unknown += o.leaks_process_unknown;
    for (std::size_t i = 0; i < s_.attributed.size(); ++i) {
        s_.attributed[i] += o.attributed[i];
    }
    s_.via_stub += o.via_stub;
    for (const auto& b : o.timeline) {
        add_minute(b.start_ns, b.judged, b.leaks);
    }
    s_.timeline_untracked += o.timeline_untracked;
    merged_bursts_.insert(merged_bursts_.end(), o.bursts.begin(), o.bursts.end());
}

Summary SummaryBuilder::build() const
{
    Summary out = s_;
    out.top_destinations.reserve(destinations_.size());
    for (const auto& [key, c] : destinations_) {
        out.top_destinations.push_back({key.ip, key.port, key.transport, c.count, c.leaks});
    }
    std::sort(out.top_destinations.begin(),
              out.top_destinations.end(),
              [](const Destination& a, const Destination& b) {
                  if (a.count != b.count) {
                      return a.count > b.count;
                  }
                  if (a.ip.bytes != b.ip.bytes) {
                      return a.ip.bytes < b.ip.bytes;
                  }
                  if (a.port != b.port) {
                      return a.port < b.port;
                  }
                  return a.transport < b.transport;
              });
    if (out.top_destinations.size() > 10) {
        out.top_destinations.resize(10);
    }

    for (const auto& [name, leaks] : processes_) {
        out.top_processes.push_back({name, leaks});
    }
    std::sort(out.top_processes.begin(),
              out.top_processes.end(),
              [](const ProcessLeaks& a, const ProcessLeaks& b) {
                  return a.leaks != b.leaks ? a.leaks > b.leaks : a.name < b.name;
              });
    if (out.top_processes.size() > 10) {
        out.top_processes.resize(10);
    }

    for (const auto& [start, bucket] : minutes_) {
        out.timeline.push_back(bucket);
    }

    // Bursts: runs of leaks each within BURST_GAP_NS of the previous one.
    std::vector<std::int64_t> times = leak_times_;
    std::sort(times.begin(), times.end());
    std::vector<Burst> bursts = merged_bursts_;
    for (std::size_t i = 0; i < times.size();) {
        std::size_t j = i + 1;
        while (j < times.size() && times[j] - times[j - 1] <= BURST_GAP_NS) {
            ++j;
        }
        if (j - i >= BURST_MIN_LEAKS) {
            bursts.push_back({times[i], times[j - 1], j - i});
        }
        i = j;
    }
    // Keep the largest, then show them in time order.
    std::sort(bursts.begin(), bursts.end(), [](const Burst& a, const Burst& b) {
        return a.leaks != b.leaks ? a.leaks > b.leaks : a.start_ns < b.start_ns;
    });
    if (bursts.size() > MAX_BURSTS) {
        bursts.resize(MAX_BURSTS);
    }
    std::sort(bursts.begin(), bursts.end(), [](const Burst& a, const Burst& b) {
        return a.start_ns < b.start_ns;
    });
    out.bursts = std::move(bursts);
    return out;
}

} // namespace wtfn::dnsleak
