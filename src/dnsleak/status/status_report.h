// `wtfn dns leak status`: a snapshot of everything that decides where DNS goes — the
// interfaces and their route classes, default routes and policy rules per family, the
// system's resolvers and the path to each, and the risks that combination carries.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dnsleak/policy/policy.h"
#include "platform/network.h"
#include "platform/platform.h"
#include "platform/route_class.h"
#include "platform/system_dns.h"

namespace wtfn::dnsleak {

// A route lookup and what it means for DNS.
struct PathCheck {
    net::IpAddress destination;
    std::optional<std::uint32_t> mark;
    bool ok = false; // the kernel would send it somewhere
    platform::RouteLookup route;
    std::string error; // why not, when !ok
    platform::RouteClass route_class = platform::RouteClass::unknown;
};

// A resolver DNS actually goes to, after following the stub (127.0.0.53 -> its upstreams).
struct Upstream {
    platform::Nameserver server;
    std::string origin; // "/etc/resolv.conf", "systemd-resolved link eth0", ...
    PathCheck path;
};

struct Risk {
    std::string id;       // stable: resolver_outside_tunnel, ipv6_unprotected, ...
    std::string severity; // high, medium, info
    std::string message;  // one line: what, why it leaks, the fix
    std::string resolver; // the address concerned, when one is
    std::string interface;
};

struct StatusReport {
    std::int64_t generated_ns = 0;
    platform::NetworkSnapshot network;
    std::vector<platform::RouteClassDecision> classes; // parallel to network.interfaces
    PathCheck default_path4;
    PathCheck default_path6;
    std::vector<PathCheck> lookups; // --route-to
    platform::SystemDnsConfig dns;
    std::vector<PathCheck> nameserver_paths; // parallel to dns.resolv_conf.nameservers
    std::vector<Upstream> upstreams;
    std::vector<Risk> risks;
    Policy policy;
};

struct StatusOptions {
    std::vector<net::IpAddress> route_to;
    std::optional<std::uint32_t> mark;
    std::string dns_root = "/";
    Policy policy;
};

// Addresses whose route stands for "the internet" in a family: documentation ranges, of
// which the first that no specific route covers is used (labs and this very test suite put
// documentation prefixes on their links). No packet is ever sent; only the kernel's route
// decision is asked for.
// After the documentation ranges come addresses in long-allocated public blocks that VPNs
// and home networks do not route specially, one in each half of the address space.
inline constexpr std::array<const char*, 5> DEFAULT_PROBES4 = {
    "203.0.113.1", "198.51.100.1", "192.0.2.1", "11.1.1.1", "160.1.1.1"};
inline constexpr std::array<const char*, 3> DEFAULT_PROBES6 = {
    "2001:db8::1", "3fff::1", "2a00:1:1::1"};

// The probe chosen for a family's default path.
net::IpAddress default_probe(const platform::NetworkSnapshot& network, int family);

// Returns false with `error` when the network cannot be read at all.
bool collect_status(platform::NetworkPlatform& platform,
                    const StatusOptions& options,
                    StatusReport& out,
                    std::string& error);

// Route class of an interface by index, from the report's decisions.
platform::RouteClass route_class_of(const StatusReport& r, std::uint32_t ifindex);

} // namespace wtfn::dnsleak
