// StatusReport -> JSON. Field names follow `ip -j` where a field means the same thing, so
// a user (and our tests) can hold one against the other.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dnsleak/report/report_meta.h"
#include "dnsleak/status/status_output.h"
#include "util/time_format.h"

namespace wtfn::dnsleak {
namespace {

using Json = nlohmann::ordered_json;
using platform::RouteClass;

Json address_or_null(const net::IpAddress& a)
{
    return a.version == 0 ? Json(nullptr) : Json(a.to_string());
}

Json string_or_null(const std::string& s)
{
    return s.empty() ? Json(nullptr) : Json(s);
}

template <typename T>
Json optional_or_null(const std::optional<T>& v)
{
    return v ? Json(*v) : Json(nullptr);
}

Json hex_or_null(const std::optional<std::uint32_t>& v)
{
    return v ? Json(fmt::format("{:#x}", *v)) : Json(nullptr);
}

Json class_of(const StatusReport& r, std::uint32_t ifindex)
{
    return ifindex == 0 ? Json(nullptr) : Json(to_string(route_class_of(r, ifindex)));
}

Json path_json(const StatusReport& r, const PathCheck& c)
{
    Json j;
    j["destination"] = c.destination.to_string();
    j["mark"] = optional_or_null(c.mark);
    j["ok"] = c.ok;
    j["type"] = c.route.type;
    j["dev"] = string_or_null(c.route.dev);
    j["gateway"] = address_or_null(c.route.gateway);
    j["prefsrc"] = address_or_null(c.route.prefsrc);
    j["table"] = c.route.table == 0 ? Json(nullptr) : Json(platform::table_name(c.route.table));
    j["route_class"] = c.ok ? class_of(r, c.route.oif) : Json(nullptr);
    j["error"] = c.ok ? Json(nullptr) : Json(c.error);
    return j;
}

Json route_json(const StatusReport& r, const platform::Route& rt)
{
    Json j;
    j["family"] = family_name(rt.family);
    j["table"] = platform::table_name(rt.table);
    j["type"] = rt.type;
    j["dst"] = platform::prefix_text(rt.dst, rt.dst_len, rt.family);
    j["gateway"] = address_or_null(rt.gateway);
    j["dev"] = string_or_null(rt.dev);
    j["prefsrc"] = address_or_null(rt.prefsrc);
    j["metric"] = optional_or_null(rt.metric);
    j["protocol"] = rt.protocol;
    j["scope"] = rt.scope;
    j["route_class"] = class_of(r, rt.oif);
    if (!rt.nexthop_oifs.empty()) {
        Json hops = Json::array();
        for (const auto oif : rt.nexthop_oifs) {
            const auto* i = r.network.find(oif);
            hops.push_back(
                {{"dev", i ? Json(i->name) : Json(nullptr)}, {"route_class", class_of(r, oif)}});
        }
        j["nexthops"] = hops;
    }
    return j;
}

Json rule_json(const platform::PolicyRule& rule)
{
    const auto prefix = [&](const net::IpAddress& a, std::uint8_t len) {
        return a.version == 0 ? std::string("all") : platform::prefix_text(a, len, rule.family);
    };
    Json j;
    j["family"] = family_name(rule.family);
    j["priority"] = rule.priority;
    j["not"] = rule.invert;
    j["action"] = rule.action;
    j["table"] = rule.action == "lookup" ? Json(platform::table_name(rule.table)) : Json(nullptr);
    j["src"] = prefix(rule.src, rule.src_len);
    j["dst"] = prefix(rule.dst, rule.dst_len);
    // `ip rule` shows a mask only when it is not all ones.
    j["fwmark"] = rule.fwmark || rule.fwmask ? hex_or_null(rule.fwmark.value_or(0)) : Json(nullptr);
    j["fwmask"] =
        rule.fwmask && *rule.fwmask != 0xFFFFFFFFU ? hex_or_null(rule.fwmask) : Json(nullptr);
    j["iif"] = string_or_null(rule.iif);
    j["oif"] = string_or_null(rule.oif);
    j["suppress_prefixlen"] = optional_or_null(rule.suppress_prefixlen);
    if (rule.uid_start) {
        j["uidrange"] = fmt::format("{}-{}", *rule.uid_start, rule.uid_end.value_or(0));
    }
    if (rule.goto_target) {
        j["goto"] = *rule.goto_target;
    }
    if (rule.ip_proto) {
        j["ipproto"] = ip_proto_name(*rule.ip_proto);
    }
    if (rule.sport_start) {
        j["sport"] = port_range_text(*rule.sport_start, rule.sport_end.value_or(*rule.sport_start));
    }
    if (rule.dport_start) {
        j["dport"] = port_range_text(*rule.dport_start, rule.dport_end.value_or(*rule.dport_start));
    }
    if (rule.l3mdev) {
        j["l3mdev"] = true;
    }
    j["text"] = rule_text(rule);
    return j;
}

Json nameserver_json(const platform::Nameserver& n)
{
    Json j;
    j["address"] = n.address.to_string();
    j["port"] = n.port;
    j["interface"] = string_or_null(n.interface);
    j["server_name"] = string_or_null(n.server_name);
    return j;
}

Json problems_json(const std::vector<platform::ConfigProblem>& problems)
{
    Json a = Json::array();
    for (const auto& p : problems) {
        a.push_back({{"path", p.path}, {"line", p.line}, {"message", p.message}});
    }
    return a;
}

Json system_dns_json(const StatusReport& r)
{
    const auto& rc = r.dns.resolv_conf;
    Json conf;
    conf["path"] = rc.path;
    conf["present"] = rc.present;
    conf["symlink_target"] = string_or_null(rc.symlink_target);
    Json servers = Json::array();
    for (std::size_t i = 0; i < rc.nameservers.size(); ++i) {
        Json s = nameserver_json(rc.nameservers[i]);
        s["stub"] = platform::is_resolved_stub(rc.nameservers[i].address) ? Json("systemd-resolved")
                                                                          : Json(nullptr);
        if (i < r.nameserver_paths.size()) {
            s["route"] = path_json(r, r.nameserver_paths[i]);
        }
        servers.push_back(s);
    }
    conf["nameservers"] = servers;
    conf["search"] = rc.search;
    conf["options"] = rc.options;
    conf["problems"] = problems_json(rc.problems);

    const auto& st = r.dns.resolved;
    Json resolved;
    resolved["running"] = st.running;
    const auto list = [](const std::vector<platform::Nameserver>& v) {
        Json a = Json::array();
        for (const auto& n : v) {
            a.push_back(nameserver_json(n));
        }
        return a;
    };
    resolved["global_servers"] = list(st.global_servers);
    resolved["fallback_servers"] = list(st.fallback_servers);
    resolved["global_domains"] = st.global_domains;
    resolved["dns_over_tls"] = string_or_null(st.dns_over_tls);
    resolved["upstream"] = list(st.upstream);
    Json links = Json::array();
    for (const auto& l : st.links) {
        Json lj;
        lj["ifindex"] = l.ifindex;
        lj["ifname"] = string_or_null(l.ifname);
        lj["route_class"] = class_of(r, l.ifindex);
        lj["servers"] = list(l.servers);
        lj["domains"] = l.domains;
        lj["default_route"] = optional_or_null(l.default_route);
        lj["dns_over_tls"] = string_or_null(l.dns_over_tls);
        lj["dnssec"] = string_or_null(l.dnssec);
        lj["llmnr"] = string_or_null(l.llmnr);
        lj["mdns"] = string_or_null(l.mdns);
        lj["sources"] = l.sources;
        links.push_back(lj);
    }
    resolved["links"] = links;
    resolved["problems"] = problems_json(st.problems);

    Json upstreams = Json::array();
    for (const auto& u : r.upstreams) {
        Json uj = nameserver_json(u.server);
        uj["origin"] = u.origin;
        uj["route"] = path_json(r, u.path);
        upstreams.push_back(uj);
    }
    return {{"resolv_conf", conf}, {"resolved", resolved}, {"upstreams", upstreams}};
}

Json defaults_json(const StatusReport& r, int family)
{
    Json a = Json::array();
    for (const auto& rt : r.network.routes) {
        // The default itself, and the two halves VPNs add to override it without deleting
        // it (0.0.0.0/1 + 128.0.0.0/1, ::/1 + 8000::/1).
        if (rt.family == family && rt.dst_len <= 1 && rt.table != 255) {
            a.push_back(route_json(r, rt));
        }
    }
    return a;
}

} // namespace

std::string family_name(int family)
{
    return family == 4 ? "inet" : "inet6";
}

std::string status_json(const StatusReport& r)
{
    Json j;
    j["schema_version"] = SCHEMA_VERSION;
    j["kind"] = "wtfn.dns_leak_status";
    j["wtfn_version"] = WTFN_VERSION;
    j["generated_at"] = util::format_iso8601_utc(r.generated_ns);
    Json ifaces = Json::array();
    for (std::size_t i = 0; i < r.network.interfaces.size(); ++i) {
        const auto& f = r.network.interfaces[i];
        const auto& d = r.classes[i];
        Json addrs = Json::array();
        for (const auto& a : f.addresses) {
            addrs.push_back({{"family", family_name(a.address.version)},
                             {"address", a.address.to_string()},
                             {"prefix_len", a.prefix_len},
                             {"scope", a.scope}});
        }
        Json ij;
        ij["index"] = f.index;
        ij["name"] = f.name;
        ij["kernel_type"] = f.kernel_type_name;
        ij["kernel_type_code"] = f.kernel_type;
        ij["link_kind"] = string_or_null(f.link_kind);
        ij["flags"] = f.flag_names;
        ij["mtu"] = f.mtu;
        ij["operstate"] = string_or_null(f.operstate);
        ij["addresses"] = addrs;
        ij["route_class"] = to_string(d.route_class);
        ij["route_class_basis"] = to_string(d.basis);
        ij["route_class_reason"] = d.reason;
        ifaces.push_back(ij);
    }
    j["interfaces"] = ifaces;
    Json routes = Json::array();
    for (const auto& rt : r.network.routes) {
        routes.push_back(route_json(r, rt));
    }
    j["routes"] = routes;
    j["default_routes"] = {{"inet", defaults_json(r, 4)}, {"inet6", defaults_json(r, 6)}};
    Json p4 = path_json(r, r.default_path4);
    Json p6 = path_json(r, r.default_path6);
    p4["probe"] = r.default_path4.destination.to_string();
    p6["probe"] = r.default_path6.destination.to_string();
    j["default_path"] = {{"inet", p4}, {"inet6", p6}};
    Json rules = Json::array();
    for (const auto& rule : r.network.rules) {
        rules.push_back(rule_json(rule));
    }
    j["rules"] = rules;
    Json lookups = Json::array();
    for (const auto& c : r.lookups) {
        lookups.push_back(path_json(r, c));
    }
    j["lookups"] = lookups;
    j["system_dns"] = system_dns_json(r);
    Json risks = Json::array();
    for (const auto& k : r.risks) {
        risks.push_back({{"id", k.id},
                         {"severity", k.severity},
                         {"message", k.message},
                         {"resolver", string_or_null(k.resolver)},
                         {"interface", string_or_null(k.interface)}});
    }
    j["risks"] = risks;
    Json labels = Json::array();
    for (const auto& l : r.policy.labels.labels()) {
        labels.push_back({{"interface", l.pattern}, {"route_class", to_string(l.route_class)}});
    }
    Json safe = Json::array();
    for (const auto c : r.policy.safe_path.route_classes) {
        safe.push_back(to_string(c));
    }
    j["policy"] = {{"profile", r.policy.name},
                   {"source", r.policy.source},
                   {"default", r.policy.is_default},
                   {"summary", r.policy.summary},
                   {"safe_route_classes", safe},
                   {"interface_labels", labels}};
    // Names from the system (interface names, resolv.conf text) may hold any bytes; replace
    // invalid UTF-8 rather than fail the whole document.
    return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

} // namespace wtfn::dnsleak
