#include "dnsleak/status/dns_risks.h"

#include <algorithm>

#include <fmt/format.h>

namespace wtfn::dnsleak {
namespace {

using platform::RouteClass;

std::string where(const PathCheck& c)
{
    return fmt::format(
        "{} ({})", c.route.dev.empty() ? "?" : c.route.dev, to_string(c.route_class));
}

bool tunnelled(const PathCheck& c)
{
    return c.ok && c.route_class == RouteClass::tunnel;
}

bool has_route_only_all(const platform::ResolvedLink& link)
{
    return std::find(link.domains.begin(), link.domains.end(), "~.") != link.domains.end();
}

bool has_route_only_domain(const platform::ResolvedLink& link)
{
    return std::any_of(link.domains.begin(), link.domains.end(), [](const std::string& d) {
        return !d.empty() && d.front() == '~';
    });
}

// systemd-resolved's rule: a link answers names outside every routing domain when its
// DefaultRoute= says so, or, when unset, when it has no routing-only domain of its own.
bool resolved_default_route(const platform::ResolvedLink& link)
{
    return link.default_route.value_or(!has_route_only_domain(link));
}

void resolver_paths(const StatusReport& r, std::vector<Risk>& out)
{
    for (const auto& u : r.upstreams) {
        if (!u.path.ok || u.path.route_class != RouteClass::physical) {
            continue;
        }
        const bool v6 = u.server.address.version == 6;
        const PathCheck& same = v6 ? r.default_path6 : r.default_path4;
        const PathCheck& other = v6 ? r.default_path4 : r.default_path6;
        const std::string addr = u.server.address.to_string();
        if (tunnelled(same)) {
            out.push_back({"resolver_outside_tunnel",
                           "high",
                           fmt::format("resolver {} (from {}) is reached via {} while the default "
                                       "route goes through {}: queries to it leave outside the "
                                       "tunnel; route it through the tunnel or use the VPN's "
                                       "resolver",
                                       addr,
                                       u.origin,
                                       where(u.path),
                                       where(same)),
                           addr,
                           u.path.route.dev});
        } else if (v6 && tunnelled(other)) {
            out.push_back({"ipv6_resolver_outside_tunnel",
                           "high",
                           fmt::format("IPv6 resolver {} (from {}) is reached via {} while only "
                                       "IPv4 goes through the tunnel ({}); tunnel IPv6 too or "
                                       "remove the IPv6 resolver",
                                       addr,
                                       u.origin,
                                       where(u.path),
                                       where(other)),
                           addr,
                           u.path.route.dev});
        }
    }
}

void ipv6_outside(const StatusReport& r, std::vector<Risk>& out)
{
    if (tunnelled(r.default_path4) && r.default_path6.ok &&
        r.default_path6.route_class == RouteClass::physical) {
        out.push_back({"ipv6_unprotected",
                       "medium",
                       fmt::format("IPv4 goes through the tunnel ({}) but IPv6 leaves via {}: "
                                   "DNS over IPv6, and any AAAA-answered connection, bypass "
                                   "the tunnel; tunnel IPv6 or disable it on that interface",
                                   where(r.default_path4),
                                   where(r.default_path6)),
                       "",
                       r.default_path6.route.dev});
    }
}

void resolved_links(const StatusReport& r, std::vector<Risk>& out)
{
    const auto& st = r.dns.resolved;
    if (!st.running) {
        return;
    }
    const platform::ResolvedLink* tunnel = nullptr;
    for (const auto& link : st.links) {
        if (!link.servers.empty() && route_class_of(r, link.ifindex) == RouteClass::tunnel) {
            tunnel = &link;
            break;
        }
    }
    if (tunnel == nullptr || has_route_only_all(*tunnel)) {
        return; // no tunnel resolver, or it claims every name ("~.") and wins
    }
    for (const auto& link : st.links) {
        if (link.servers.empty() || !resolved_default_route(link) ||
            route_class_of(r, link.ifindex) != RouteClass::physical) {
            continue;
        }
        out.push_back(
            {"resolved_link_default_route",
             "high",
             fmt::format("systemd-resolved may send any name to {} on {} (physical) as well as "
                         "to the tunnel's resolvers on {}: give {} the routing domain ~. "
                         "(resolvectl domain {} '~.') or set DefaultRoute=no on {}",
                         link.servers.front().address.to_string(),
                         link.ifname,
                         tunnel->ifname,
                         tunnel->ifname,
                         tunnel->ifname,
                         link.ifname),
             link.servers.front().address.to_string(),
             link.ifname});
    }
}

void configuration(const StatusReport& r, std::vector<Risk>& out)
{
    const auto& rc = r.dns.resolv_conf;
    const bool stub = std::any_of(rc.nameservers.begin(), rc.nameservers.end(), [](const auto& n) {
        return platform::is_resolved_stub(n.address);
    });
    if (stub && !r.dns.resolved.running) {
        out.push_back({"stub_without_resolved",
                       "medium",
                       rc.path + " points at systemd-resolved's stub (127.0.0.53) but "
                                 "systemd-resolved is not running: lookups fail or fall back; "
                                 "start systemd-resolved or point resolv.conf elsewhere",
                       "127.0.0.53",
                       ""});
    }
    if (rc.nameservers.empty()) {
        out.push_back({"no_nameservers",
                       "info",
                       (rc.present ? rc.path + " lists no nameserver" : rc.path + " is missing") +
                           std::string(": glibc then asks 127.0.0.1, whatever listens there"),
                       "",
                       ""});
    }
}

} // namespace

std::vector<Risk> find_dns_risks(const StatusReport& report)
{
    std::vector<Risk> out;
    resolver_paths(report, out);
    ipv6_outside(report, out);
    resolved_links(report, out);
    configuration(report, out);
    return out;
}

} // namespace wtfn::dnsleak
