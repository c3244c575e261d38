#include "dnsleak/status/status_report.h"

#include <algorithm>

#include "dnsleak/status/dns_risks.h"
#include "util/time_format.h"

namespace wtfn::dnsleak {
namespace {

using platform::RouteClass;

PathCheck check_path(platform::NetworkPlatform& p,
                     const StatusReport& r,
                     const net::IpAddress& dst,
                     std::optional<std::uint32_t> mark)
{
    PathCheck c;
    c.destination = dst;
    c.mark = mark;
    platform::RouteQuery q;
    q.dst = dst;
    q.mark = mark;
    c.ok = p.route_get(q, c.route, c.error);
    c.route_class = c.ok ? route_class_of(r, c.route.oif) : RouteClass::unknown;
    return c;
}

bool contains(const std::vector<Upstream>& list, const platform::Nameserver& s)
{
    return std::any_of(list.begin(), list.end(), [&](const Upstream& u) {
        return u.server.address == s.address && u.server.port == s.port;
    });
}

// Where DNS really goes: resolv.conf's resolvers, except that a systemd-resolved stub is
// replaced by the servers resolved forwards to (its per-link and global servers, and the
// list it publishes in /run/systemd/resolve/resolv.conf).
void find_upstreams(platform::NetworkPlatform& p, StatusReport& r)
{
    const auto add = [&](const platform::Nameserver& s, std::string origin) {
        if (!contains(r.upstreams, s)) {
            r.upstreams.push_back({s, std::move(origin), check_path(p, r, s.address, {})});
        }
    };
    bool via_stub = false;
    for (const auto& ns : r.dns.resolv_conf.nameservers) {
        if (platform::is_resolved_stub(ns.address)) {
            via_stub = true;
            continue;
        }
        add(ns, r.dns.resolv_conf.path);
    }
    if (!via_stub || !r.dns.resolved.running) {
        return;
    }
    for (const auto& link : r.dns.resolved.links) {
        for (const auto& s : link.servers) {
            add(s,
                "systemd-resolved link " +
                    (link.ifname.empty() ? std::to_string(link.ifindex) : link.ifname));
        }
    }
    for (const auto& s : r.dns.resolved.global_servers) {
        add(s, "systemd-resolved global DNS=");
    }
    for (const auto& s : r.dns.resolved.upstream) {
        add(s, "/run/systemd/resolve/resolv.conf");
    }
}

} // namespace

net::IpAddress default_probe(const platform::NetworkSnapshot& network, int family)
{
    std::vector<net::IpAddress> candidates;
    if (family == 4) {
        for (const char* p : DEFAULT_PROBES4) {
            candidates.push_back(net::parse_ip(p));
        }
    } else {
        for (const char* p : DEFAULT_PROBES6) {
            candidates.push_back(net::parse_ip(p));
        }
    }
    for (const auto& c : candidates) {
        const bool specific = std::any_of(
            network.routes.begin(), network.routes.end(), [&](const platform::Route& r) {
                return r.dst_len > 1 && r.type != "local" && r.type != "broadcast" &&
                       r.dst_len <= (r.family == 4 ? 32 : 128) &&
                       Cidr{r.dst, r.dst_len}.contains(c);
            });
        if (!specific) {
            return c;
        }
    }
    return candidates.front();
}

platform::RouteClass route_class_of(const StatusReport& r, std::uint32_t ifindex)
{
    for (std::size_t i = 0; i < r.network.interfaces.size() && i < r.classes.size(); ++i) {
        if (r.network.interfaces[i].index == ifindex) {
            return r.classes[i].route_class;
        }
    }
    return RouteClass::unknown;
}

bool collect_status(platform::NetworkPlatform& p,
                    const StatusOptions& options,
                    StatusReport& r,
                    std::string& error)
{
    r = StatusReport{};
    r.generated_ns = util::now_ns();
    r.policy = options.policy;
    if (!p.snapshot(r.network, error)) {
        return false;
    }
    for (const auto& iface : r.network.interfaces) {
        r.classes.push_back(platform::classify_interface(iface, r.policy.labels));
    }
    r.default_path4 = check_path(p, r, default_probe(r.network, 4), {});
    r.default_path6 = check_path(p, r, default_probe(r.network, 6), {});
    for (const auto& dst : options.route_to) {
        r.lookups.push_back(check_path(p, r, dst, options.mark));
    }
    r.dns = platform::read_system_dns(options.dns_root);
    for (auto& link : r.dns.resolved.links) {
        if (const auto* i = r.network.find(link.ifindex)) {
            link.ifname = i->name;
        }
    }
    for (const auto& ns : r.dns.resolv_conf.nameservers) {
        r.nameserver_paths.push_back(check_path(p, r, ns.address, {}));
    }
    find_upstreams(p, r);
    r.risks = find_dns_risks(r);
    return true;
}

} // namespace wtfn::dnsleak
