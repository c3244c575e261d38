// InterfaceResolver: what a packet says about its interface (a kernel index from SLL2, a
// pcapng interface number, an ARPHRD type, the capture's link type) -> the interface's name
// and route class (DESIGN.md section 5), the facts the leak rules judge a DNS flow by.
//
// Resolution happens once per event, not per packet, and is cached per interface.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "platform/platform.h"
#include "platform/route_class.h"

namespace wtfn::capture {
class PcapFileReader;
}

namespace wtfn::dnsleak {

// Where a packet was seen, as the capture recorded it.
struct InterfaceKey {
    std::uint32_t ifindex = 0;      // SLL2's kernel index; 0 when the capture has none
    std::uint32_t interface_id = 0; // pcapng interface number
    std::uint16_t hatype = 0;       // SLL/SLL2 ARPHRD type; 0 when none
    std::uint32_t link_type = 0;    // the capture's LINKTYPE_*
};

struct InterfaceRef {
    std::string_view name; // empty when unknown; valid until the next resolve() or refresh()
    std::uint32_t ifindex = 0;
    platform::RouteClass route_class = platform::RouteClass::unknown;
};

// An interface that carried at least one event, with the reason for its class: the
// report lists these so a reader can check every route class it relies on.
struct SeenInterface {
    std::string name;
    std::uint32_t ifindex = 0;
    platform::RouteClassDecision decision;
};

class InterfaceResolver {
public:
    virtual ~InterfaceResolver() = default;

    virtual InterfaceRef resolve(const InterfaceKey& key) = 0;

    // Live capture: applies interface changes the kernel announced since the last call.
    virtual void refresh() {}

    virtual std::vector<SeenInterface> seen() const = 0;
};

// Live capture: interface facts from the OS (platform::NetworkPlatform), classified once
// per interface. An index not yet known is looked up when its first event comes, so an
// interface created during the watch (a VPN reconnecting) is resolved without a restart;
// refresh() forgets interfaces the kernel reports changed. A removed interface keeps its
// last facts: packets captured before the removal may still be in flight.
class LiveInterfaceResolver final : public InterfaceResolver {
public:
    // platform and monitor may be null (no netlink): names then come from if_indextoname
    // and route classes from the name alone.
    LiveInterfaceResolver(std::unique_ptr<platform::NetworkPlatform> platform,
                          std::unique_ptr<platform::LinkMonitor> monitor,
                          platform::RouteClassLabels labels,
                          std::uint32_t fixed_ifindex);

    InterfaceRef resolve(const InterfaceKey& key) override;
    void refresh() override;
    std::vector<SeenInterface> seen() const override;

    // Where the facts came from, for -v.
    std::uint64_t lookups() const { return lookups_; }

    std::uint64_t changes() const { return changes_; }

private:
    struct Entry {
        std::string name;
        platform::RouteClassDecision decision;
        bool used = false;
    };

    Entry& lookup(std::uint32_t ifindex);

    std::unique_ptr<platform::NetworkPlatform> platform_;
    std::unique_ptr<platform::LinkMonitor> monitor_;
    platform::RouteClassLabels labels_;
    std::uint32_t fixed_;
    std::unordered_map<std::uint32_t, Entry> entries_;
    std::vector<SeenInterface> retired_; // used entries the kernel changed or removed
    std::uint64_t lookups_ = 0;
    std::uint64_t changes_ = 0;
};

// Capture files: the interface names the pcapng file records (none for classic pcap), the
// ARPHRD type an SLL/SLL2 header carries, and the file's link type.
class FileInterfaceResolver final : public InterfaceResolver {
public:
    FileInterfaceResolver(const capture::PcapFileReader& reader, platform::RouteClassLabels labels)
        : reader_(reader),
          labels_(std::move(labels))
    {}

    InterfaceRef resolve(const InterfaceKey& key) override;
    std::vector<SeenInterface> seen() const override;

private:
    struct Entry {
        std::uint32_t interface_id = 0;
        std::uint32_t ifindex = 0;
        std::uint16_t hatype = 0;
        std::uint32_t link_type = 0;
        std::string name;
        platform::RouteClassDecision decision;
    };

    const capture::PcapFileReader& reader_;
    platform::RouteClassLabels labels_;
    std::vector<Entry> entries_; // few: one per interface and link type in the file
};

} // namespace wtfn::dnsleak
