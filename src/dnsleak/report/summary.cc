#include "dnsleak/report/summary.h"

#include <algorithm>

namespace wtfn::dnsleak {

void SummaryBuilder::on_event(const ClassifiedEvent& e)
{
    if (s_.first_event_ns == 0) {
        s_.first_event_ns = e.ts_ns;
    }
    s_.last_event_ns = e.ts_ns;
    ++s_.by_transport[static_cast<std::size_t>(e.transport)];
    if (!is_dns_like(e.transport) || e.transport == Transport::dot ||
        e.transport == Transport::doq) {
        ++s_.encrypted_flows;
    } else {
        ++s_.dns_messages;
        if (e.malformed) {
            ++s_.malformed_messages;
        }
        if (e.dns != nullptr && e.dns->is_response()) {
            ++s_.responses;
        } else if (e.dns != nullptr) {
            ++s_.queries;
        }
    }
    // Destinations are the resolvers: where queries and DoT/DoQ flows go. 443 flows are
    // ordinary web traffic until the DoH stage says otherwise, so they are not listed.
    const bool towards_server = e.dns == nullptr || !e.dns->is_response();
    if (!towards_server || is_local_link(e.transport) || !is_dns_like(e.transport)) {
        return;
    }
    const DestKey key{e.dst, e.dst_port, e.transport};
    auto it = destinations_.find(key);
    if (it != destinations_.end()) {
        ++it->second;
    } else if (destinations_.size() < MAX_DESTINATIONS) {
        destinations_.emplace(key, 1);
    } else {
        ++s_.destinations_untracked;
    }
}

Summary SummaryBuilder::build() const
{
    Summary out = s_;
    out.top_destinations.reserve(destinations_.size());
    for (const auto& [key, count] : destinations_) {
        out.top_destinations.push_back({key.ip, key.port, key.transport, count});
    }
    std::sort(out.top_destinations.begin(),
              out.top_destinations.end(),
              [](const Destination& a, const Destination& b) {
                  if (a.count != b.count) {
                      return a.count > b.count;
                  }
                  return a.ip.bytes < b.ip.bytes;
              });
    if (out.top_destinations.size() > 10) {
        out.top_destinations.resize(10);
    }
    return out;
}

} // namespace wtfn::dnsleak
