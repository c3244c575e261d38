#include "dnsleak/pipeline/interface_resolver.h"

#include <algorithm>

#include <net/if.h>

#include "capture/pcap_file_reader.h"
#include "net/decode.h"
#include "platform/link_types.h"

namespace wtfn::dnsleak {

LiveInterfaceResolver::LiveInterfaceResolver(std::unique_ptr<platform::NetworkPlatform> platform,
                                             std::unique_ptr<platform::LinkMonitor> monitor,
                                             platform::RouteClassLabels labels,
                                             std::uint32_t fixed_ifindex)
    : platform_(std::move(platform)),
      monitor_(std::move(monitor)),
      labels_(std::move(labels)),
      fixed_(fixed_ifindex)
{}

LiveInterfaceResolver::Entry& LiveInterfaceResolver::lookup(std::uint32_t ifindex)
{
    auto it = entries_.find(ifindex);
    if (it != entries_.end()) {
        return it->second;
    }
    ++lookups_;
    Entry e;
    platform::Interface iface;
    std::string error;
    if (platform_ && platform_->interface(ifindex, iface, error)) {
        e.name = iface.name;
        e.decision = platform::classify_interface(iface, labels_);
    } else {
        // Gone already, or no netlink: the name (if any) is all we have.
        char buf[IF_NAMESIZE] = {};
        if (if_indextoname(ifindex, buf) != nullptr) {
            e.name = buf;
        }
        e.decision = platform::classify_captured_interface(
            e.name, platform::LinkLayer::unknown, "", labels_);
    }
    return entries_.emplace(ifindex, std::move(e)).first->second;
}

InterfaceRef LiveInterfaceResolver::resolve(const InterfaceKey& key)
{
    const std::uint32_t ifindex = key.ifindex != 0 ? key.ifindex : fixed_;
    if (ifindex == 0) {
        return {};
    }
    Entry& e = lookup(ifindex);
    e.used = true;
    return {e.name, ifindex, e.decision.route_class};
}

void LiveInterfaceResolver::refresh()
{
    if (!monitor_) {
        return;
    }
    const auto retire = [this](std::uint32_t ifindex, Entry& e) {
        if (e.used) {
            retired_.push_back({e.name, ifindex, e.decision});
        }
    };
    monitor_->poll([&](const platform::LinkChange& c) {
        ++changes_;
        if (c.resync) {
            for (auto& [index, e] : entries_) {
                retire(index, e);
            }
            entries_.clear();
            return;
        }
        auto it = entries_.find(c.interface.index);
        if (it == entries_.end()) {
            return; // not asked for yet: looked up when its first event comes
        }
        if (c.removed) {
            return; // keep the last facts for packets still in flight
        }
        const auto decision = platform::classify_interface(c.interface, labels_);
        if (it->second.name != c.interface.name ||
            it->second.decision.route_class != decision.route_class) {
            retire(c.interface.index, it->second);
            it->second = Entry{c.interface.name, decision, false};
        }
    });
}

std::vector<SeenInterface> LiveInterfaceResolver::seen() const
{
    std::vector<SeenInterface> out = retired_;
    for (const auto& [index, e] : entries_) {
        if (e.used) {
            out.push_back({e.name, index, e.decision});
        }
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.ifindex != b.ifindex ? a.ifindex < b.ifindex : a.name < b.name;
    });
    return out;
}

InterfaceRef FileInterfaceResolver::resolve(const InterfaceKey& key)
{
    for (const auto& e : entries_) {
        if (e.interface_id == key.interface_id && e.ifindex == key.ifindex &&
            e.hatype == key.hatype && e.link_type == key.link_type) {
            return {e.name, e.ifindex, e.decision.route_class};
        }
    }
    Entry e;
    e.interface_id = key.interface_id;
    e.ifindex = key.ifindex;
    e.hatype = key.hatype;
    e.link_type = key.link_type;
    e.name = reader_.interface_name(key.interface_id);
    // A cooked capture's header says what the interface was; otherwise the file's link type.
    if (key.hatype != 0) {
        e.decision = platform::classify_captured_interface(e.name,
                                                           platform::arphrd_layer(key.hatype),
                                                           "interface type " +
                                                               platform::arphrd_name(key.hatype),
                                                           labels_);
    } else {
        e.decision = platform::classify_captured_interface(
            e.name,
            platform::capture_link_layer(key.link_type),
            std::string("link type ") + net::link_type_name(key.link_type),
            labels_);
    }
    // Bounded: a file has few interfaces, but a hostile one could claim many.
    if (entries_.size() >= 4096) {
        entries_.erase(entries_.begin());
    }
    entries_.push_back(std::move(e));
    const Entry& back = entries_.back();
    return {back.name, back.ifindex, back.decision.route_class};
}

std::vector<SeenInterface> FileInterfaceResolver::seen() const
{
    std::vector<SeenInterface> out;
    for (const auto& e : entries_) {
        out.push_back({e.name, e.ifindex, e.decision});
    }
    return out;
}

} // namespace wtfn::dnsleak
