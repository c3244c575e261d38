// StatusReport -> the text overview. Names from the system are escaped (util::escaped_text)
// because an interface name or a resolv.conf line may hold terminal control bytes.
#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "dnsleak/status/status_output.h"
#include "util/escape.h"
#include "util/time_format.h"

namespace wtfn::dnsleak {
namespace {

using platform::RouteClass;

std::string esc(const std::string& s)
{
    return util::escaped_text(s);
}

std::string path_text(const PathCheck& c)
{
    if (!c.ok) {
        return c.route.type != "unicast" ? c.route.type + ": " + c.error : c.error;
    }
    std::string t = "dev " + (c.route.dev.empty() ? std::string("?") : esc(c.route.dev)) + " (" +
                    to_string(c.route_class) + ")";
    if (c.route.gateway.version != 0) {
        t += " via " + c.route.gateway.to_string();
    }
    if (c.route.prefsrc.version != 0) {
        t += " src " + c.route.prefsrc.to_string();
    }
    if (c.route.table != 0 && c.route.table != 254) {
        t += " table " + platform::table_name(c.route.table);
    }
    if (c.route.type != "unicast") {
        t += " [" + c.route.type + "]";
    }
    return t;
}

std::string route_text(const StatusReport& r, const platform::Route& rt)
{
    std::string t = platform::prefix_text(rt.dst, rt.dst_len, rt.family);
    if (rt.type != "unicast") {
        t = rt.type + " " + t;
    }
    if (rt.gateway.version != 0) {
        t += " via " + rt.gateway.to_string();
    }
    if (!rt.dev.empty()) {
        t += " dev " + esc(rt.dev) + " (" + to_string(route_class_of(r, rt.oif)) + ")";
    }
    for (const auto oif : rt.nexthop_oifs) {
        const auto* i = r.network.find(oif);
        t += " nexthop dev " + (i ? esc(i->name) : std::to_string(oif)) + " (" +
             to_string(route_class_of(r, oif)) + ")";
    }
    if (rt.table != 254) {
        t += " table " + platform::table_name(rt.table);
    }
    if (rt.metric) {
        t += " metric " + std::to_string(*rt.metric);
    }
    return t;
}

void interfaces(std::string& out, const StatusReport& r)
{
    out += "Interfaces\n";
    std::size_t name_w = 4;
    for (const auto& i : r.network.interfaces) {
        name_w = std::max(name_w, esc(i.name).size());
    }
    fmt::format_to(std::back_inserter(out),
                   "  {:>4} {:<{}} {:<5} {:<9} {:<9} {:<9} {}\n",
                   "IDX",
                   "NAME",
                   name_w,
                   "STATE",
                   "TYPE",
                   "KIND",
                   "CLASS",
                   "WHY / ADDRESSES");
    for (std::size_t k = 0; k < r.network.interfaces.size(); ++k) {
        const auto& i = r.network.interfaces[k];
        const auto& d = r.classes[k];
        std::string addrs;
        for (const auto& a : i.addresses) {
            if (!addrs.empty()) {
                addrs += ' ';
            }
            addrs += a.address.to_string() + "/" + std::to_string(a.prefix_len);
        }
        fmt::format_to(std::back_inserter(out),
                       "  {:>4} {:<{}} {:<5} {:<9} {:<9} {:<9} {}\n",
                       i.index,
                       esc(i.name),
                       name_w,
                       i.up ? "up" : "down",
                       i.kernel_type_name,
                       i.link_kind.empty() ? "-" : esc(i.link_kind),
                       to_string(d.route_class),
                       d.reason);
        if (!addrs.empty()) {
            fmt::format_to(
                std::back_inserter(out), "  {:>4} {:<{}} {}\n", "", "", name_w + 36, addrs);
        }
    }
}

void defaults(std::string& out, const StatusReport& r)
{
    out += "\nDefault routes\n";
    for (const int family : {4, 6}) {
        const char* label = family == 4 ? "IPv4" : "IPv6";
        bool any = false;
        for (const auto& rt : r.network.routes) {
            if (rt.family == family && rt.dst_len <= 1 && rt.table != 255) {
                fmt::format_to(std::back_inserter(out), "  {}  {}\n", label, route_text(r, rt));
                any = true;
            }
        }
        if (!any) {
            fmt::format_to(std::back_inserter(out), "  {}  no default route\n", label);
        }
        const PathCheck& p = family == 4 ? r.default_path4 : r.default_path6;
        fmt::format_to(
            std::back_inserter(out), "  {}  internet traffic leaves: {}\n", label, path_text(p));
    }
}

void rules(std::string& out, const StatusReport& r)
{
    out += "\nPolicy rules\n";
    for (const auto& rule : r.network.rules) {
        fmt::format_to(std::back_inserter(out),
                       "  {}  {:>5}: {}\n",
                       rule.family == 4 ? "IPv4" : "IPv6",
                       rule.priority,
                       rule_text(rule));
    }
    std::size_t extra = 0;
    for (const auto& rt : r.network.routes) {
        extra += rt.table != 254 && rt.table != 255 ? 1 : 0;
    }
    if (extra != 0) {
        out += "  Routes in other tables:\n";
        for (const auto& rt : r.network.routes) {
            if (rt.table != 254 && rt.table != 255) {
                fmt::format_to(std::back_inserter(out),
                               "    {} {}\n",
                               rt.family == 4 ? "IPv4" : "IPv6",
                               route_text(r, rt));
            }
        }
    }
}

void system_dns(std::string& out, const StatusReport& r)
{
    const auto& rc = r.dns.resolv_conf;
    out += "\nSystem DNS\n";
    out += "  " + esc(rc.path);
    if (!rc.symlink_target.empty()) {
        out += " -> " + esc(rc.symlink_target);
    }
    out += rc.present ? "\n" : " (missing)\n";
    for (std::size_t i = 0; i < rc.nameservers.size(); ++i) {
        const auto& n = rc.nameservers[i];
        std::string how =
            platform::is_resolved_stub(n.address)
                ? std::string("systemd-resolved stub") +
                      (r.dns.resolved.running ? "" : " (NOT running)")
                : (i < r.nameserver_paths.size() ? path_text(r.nameserver_paths[i]) : "");
        fmt::format_to(std::back_inserter(out), "    nameserver {:<24} {}\n", esc(n.text), how);
    }
    if (!rc.search.empty()) {
        out += "    search";
        for (const auto& s : rc.search) {
            out += " " + esc(s);
        }
        out += "\n";
    }
    if (!rc.options.empty()) {
        out += "    options";
        for (const auto& s : rc.options) {
            out += " " + esc(s);
        }
        out += "\n";
    }
    for (const auto& p : rc.problems) {
        fmt::format_to(
            std::back_inserter(out), "    ! {}:{}: {}\n", esc(p.path), p.line, esc(p.message));
    }
    const auto& st = r.dns.resolved;
    out += st.running ? "  systemd-resolved: running\n" : "  systemd-resolved: not running\n";
    for (const auto& l : st.links) {
        std::string servers;
        for (const auto& s : l.servers) {
            servers += " " + esc(s.text.empty() ? s.address.to_string() : s.text);
        }
        std::string domains;
        for (const auto& d : l.domains) {
            domains += " " + esc(d);
        }
        fmt::format_to(std::back_inserter(out),
                       "    link {} ({}): servers{}{}{}\n",
                       l.ifname.empty() ? std::to_string(l.ifindex) : esc(l.ifname),
                       to_string(route_class_of(r, l.ifindex)),
                       servers.empty() ? " none" : servers,
                       domains.empty() ? "" : "; domains" + domains,
                       l.default_route
                           ? (*l.default_route ? "; default-route yes" : "; default-route no")
                           : "");
    }
    for (const auto& p : st.problems) {
        fmt::format_to(
            std::back_inserter(out), "    ! {}:{}: {}\n", esc(p.path), p.line, esc(p.message));
    }
    out += "  Resolvers DNS goes to:\n";
    if (r.upstreams.empty()) {
        out += "    none outside this machine (a local stub's upstreams are its own "
               "configuration)\n";
    }
    for (const auto& u : r.upstreams) {
        fmt::format_to(std::back_inserter(out),
                       "    {:<24} {}   from {}\n",
                       u.server.address.to_string(),
                       path_text(u.path),
                       esc(u.origin));
    }
}

void risks(std::string& out, const StatusReport& r)
{
    out += "\nRisks\n";
    if (r.risks.empty()) {
        out += "  none found in this configuration (watch traffic to be sure: wtfn dns leak "
               "watch)\n";
    }
    for (const auto& k : r.risks) {
        std::string sev = k.severity;
        std::transform(sev.begin(), sev.end(), sev.begin(), [](unsigned char c) {
            return static_cast<char>(std::toupper(c));
        });
        fmt::format_to(std::back_inserter(out), "  {:<6} {}: {}\n", sev, k.id, esc(k.message));
    }
}

void policy(std::string& out, const StatusReport& r)
{
    out += "\nPolicy\n";
    fmt::format_to(std::back_inserter(out),
                   "  profile {} ({}{}): {}\n",
                   r.policy.name,
                   r.policy.source,
                   r.policy.is_default ? ", default" : "",
                   r.policy.summary);
    std::string safe;
    for (const auto c : r.policy.safe_path.route_classes) {
        safe += std::string(safe.empty() ? "" : ", ") + to_string(c);
    }
    fmt::format_to(std::back_inserter(out), "  safe route classes: {}\n", safe);
    if (r.policy.source != "built-in") {
        fmt::format_to(std::back_inserter(out), "  from {}\n", esc(r.policy.source));
    }
    for (const auto& l : r.policy.labels.labels()) {
        fmt::format_to(
            std::back_inserter(out), "  label {} = {}\n", esc(l.pattern), to_string(l.route_class));
    }
}

} // namespace

std::string rule_text(const platform::PolicyRule& rule)
{
    std::string t;
    if (rule.invert) {
        t += "not ";
    }
    t += "from " + (rule.src.version == 0
                        ? std::string("all")
                        : platform::prefix_text(rule.src, rule.src_len, rule.family));
    if (rule.dst.version != 0) {
        t += " to " + platform::prefix_text(rule.dst, rule.dst_len, rule.family);
    }
    if (rule.fwmark || rule.fwmask) {
        t += fmt::format(" fwmark {:#x}", rule.fwmark.value_or(0));
        if (rule.fwmask && *rule.fwmask != 0xFFFFFFFFU) {
            t += fmt::format("/{:#x}", *rule.fwmask);
        }
    }
    if (!rule.iif.empty()) {
        t += " iif " + esc(rule.iif);
    }
    if (!rule.oif.empty()) {
        t += " oif " + esc(rule.oif);
    }
    if (rule.uid_start) {
        t += fmt::format(" uidrange {}-{}", *rule.uid_start, rule.uid_end.value_or(0));
    }
    if (rule.ip_proto) {
        t += " ipproto " + ip_proto_name(*rule.ip_proto);
    }
    if (rule.sport_start) {
        t += " sport " +
             port_range_text(*rule.sport_start, rule.sport_end.value_or(*rule.sport_start));
    }
    if (rule.dport_start) {
        t += " dport " +
             port_range_text(*rule.dport_start, rule.dport_end.value_or(*rule.dport_start));
    }
    if (rule.action == "lookup") {
        t += " lookup " + platform::table_name(rule.table);
    } else if (rule.action == "goto" && rule.goto_target) {
        t += fmt::format(" goto {}", *rule.goto_target);
    } else {
        t += " " + rule.action;
    }
    if (rule.suppress_prefixlen) {
        t += fmt::format(" suppress_prefixlength {}", *rule.suppress_prefixlen);
    }
    return t;
}

std::string port_range_text(std::uint16_t first, std::uint16_t last)
{
    return first == last ? std::to_string(first) : fmt::format("{}-{}", first, last);
}

std::string ip_proto_name(std::uint8_t proto)
{
    switch (proto) {
        case 1:
            return "icmp";
        case 6:
            return "tcp";
        case 17:
            return "udp";
        case 58:
            return "ipv6-icmp";
        case 132:
            return "sctp";
        default:
            return std::to_string(proto);
    }
}

std::string status_text(const StatusReport& r)
{
    std::string out =
        "wtfn dns leak status at " + util::format_iso8601_utc(r.generated_ns) + "\n\n";
    interfaces(out, r);
    defaults(out, r);
    rules(out, r);
    system_dns(out, r);
    if (!r.lookups.empty()) {
        out += "\nRoute lookups\n";
        for (const auto& c : r.lookups) {
            fmt::format_to(std::back_inserter(out),
                           "  {}{} -> {}\n",
                           c.destination.to_string(),
                           c.mark ? fmt::format(" mark {:#x}", *c.mark) : std::string(),
                           path_text(c));
        }
    }
    risks(out, r);
    policy(out, r);
    return out;
}

} // namespace wtfn::dnsleak
