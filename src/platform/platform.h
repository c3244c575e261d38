// NetworkPlatform: reads the machine's network (network.h) from the OS. The Linux
// implementation (linux/) speaks rtnetlink directly, the way `ip` does, rather than parsing
// command output: it is faster (a status in a few milliseconds), exact, and works where
// iproute2 is not installed.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "platform/network.h"

namespace wtfn::platform {

class NetworkPlatform {
public:
    virtual ~NetworkPlatform() = default;

    // Interfaces with addresses, routes of every table and policy rules. Returns false and
    // sets `error` (one line, cause and fix) when the OS refuses.
    virtual bool snapshot(NetworkSnapshot& out, std::string& error) = 0;

    // One interface by index, without its addresses: how a watch learns about an interface
    // that appeared after it started. Returns false when there is no such interface.
    virtual bool interface(std::uint32_t index, Interface& out, std::string& error) = 0;

    // The kernel's own route decision for `query` (`ip route get`). Returns false with
    // `error` when the kernel has no route ("network unreachable") or refuses.
    virtual bool route_get(const RouteQuery& query, RouteLookup& out, std::string& error) = 0;
};

// Null with `error` set when the OS offers no way in (no netlink socket).
std::unique_ptr<NetworkPlatform> open_network_platform(std::string& error);

// Interfaces that appear, change or disappear while a watch runs (a VPN reconnecting).
struct LinkChange {
    bool removed = false;
    bool resync = false; // changes were lost (we read too slowly): forget every cached fact
    Interface interface; // without addresses; empty when resync
};

class LinkMonitor {
public:
    virtual ~LinkMonitor() = default;

    // Hands over every change queued since the last call; never blocks.
    virtual void poll(const std::function<void(const LinkChange&)>& on_change) = 0;
};

std::unique_ptr<LinkMonitor> open_link_monitor(std::string& error);

} // namespace wtfn::platform
