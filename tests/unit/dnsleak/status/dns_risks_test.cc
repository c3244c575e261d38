// dns_risks: each risk fires in the configuration it describes and stays quiet in the
// safe variant of the same configuration (the "never cry wolf" half).
#include "dnsleak/status/dns_risks.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace wtfn::dnsleak {
namespace {

using platform::RouteClass;

constexpr std::uint32_t ETH0 = 2;
constexpr std::uint32_t TUN0 = 5;

PathCheck path(RouteClass c, std::uint32_t oif, const std::string& dev)
{
    PathCheck p;
    p.ok = true;
    p.route.oif = oif;
    p.route.dev = dev;
    p.route_class = c;
    return p;
}

PathCheck via_eth0()
{
    return path(RouteClass::physical, ETH0, "eth0");
}

PathCheck via_tun0()
{
    return path(RouteClass::tunnel, TUN0, "tun0");
}

platform::Nameserver server(const std::string& addr)
{
    platform::Nameserver n;
    n.address = net::parse_ip(addr);
    n.text = addr;
    return n;
}

// eth0 (physical) and tun0 (tunnel); resolv.conf present with one nameserver.
StatusReport base()
{
    StatusReport r;
    platform::Interface eth;
    eth.index = ETH0;
    eth.name = "eth0";
    platform::Interface tun;
    tun.index = TUN0;
    tun.name = "tun0";
    r.network.interfaces = {eth, tun};
    r.classes = {{RouteClass::physical, platform::RouteClassBasis::kernel, "kernel: ethernet"},
                 {RouteClass::tunnel, platform::RouteClassBasis::kernel, "kernel: tun"}};
    r.dns.resolv_conf.path = "/etc/resolv.conf";
    r.dns.resolv_conf.present = true;
    r.dns.resolv_conf.nameservers = {server("192.168.1.1")};
    return r;
}

std::vector<std::string> ids(const StatusReport& r)
{
    std::vector<std::string> out;
    for (const auto& k : find_dns_risks(r)) {
        out.push_back(k.id);
    }
    return out;
}

bool has(const std::vector<std::string>& v, const std::string& id)
{
    return std::find(v.begin(), v.end(), id) != v.end();
}

TEST(DnsRisks, LanResolverBesideFullTunnel)
{
    StatusReport r = base();
    r.default_path4 = via_tun0();
    r.upstreams = {{server("192.168.1.1"), "/etc/resolv.conf", via_eth0()}};
    const auto risks = find_dns_risks(r);
    ASSERT_EQ(risks.size(), 1u);
    EXPECT_EQ(risks[0].id, "resolver_outside_tunnel");
    EXPECT_EQ(risks[0].severity, "high");
    EXPECT_EQ(risks[0].resolver, "192.168.1.1");
    EXPECT_EQ(risks[0].interface, "eth0");
    EXPECT_NE(risks[0].message.find("via eth0 (physical)"), std::string::npos);
    EXPECT_NE(risks[0].message.find("through tun0 (tunnel)"), std::string::npos);
}

TEST(DnsRisks, ResolverThroughTheTunnelIsFine)
{
    StatusReport r = base();
    r.default_path4 = via_tun0();
    r.upstreams = {{server("10.8.0.1"), "/etc/resolv.conf", via_tun0()}};
    EXPECT_TRUE(ids(r).empty());
}

TEST(DnsRisks, NoTunnelNoComplaint)
{
    // Without a VPN the physical path is the only path: nothing escapes anything.
    StatusReport r = base();
    r.default_path4 = via_eth0();
    r.default_path6 = via_eth0();
    r.upstreams = {{server("192.168.1.1"), "/etc/resolv.conf", via_eth0()}};
    EXPECT_TRUE(ids(r).empty());
}

TEST(DnsRisks, Ipv6ResolverWhileOnlyIpv4IsTunnelled)
{
    StatusReport r = base();
    r.default_path4 = via_tun0();
    r.default_path6 = via_eth0();
    r.upstreams = {{server("2001:db8::53"), "/etc/resolv.conf", via_eth0()}};
    const auto v = ids(r);
    EXPECT_TRUE(has(v, "ipv6_resolver_outside_tunnel"));
    EXPECT_TRUE(has(v, "ipv6_unprotected"));
    EXPECT_FALSE(has(v, "resolver_outside_tunnel"));
}

TEST(DnsRisks, Ipv6WithoutARouteIsNotUnprotected)
{
    StatusReport r = base();
    r.default_path4 = via_tun0();
    r.default_path6.ok = false; // no IPv6 default route: nothing can leave over IPv6
    EXPECT_FALSE(has(ids(r), "ipv6_unprotected"));
}

StatusReport resolved_setup(std::vector<std::string> tunnel_domains,
                            std::optional<bool> eth_default_route)
{
    StatusReport r = base();
    r.dns.resolv_conf.nameservers = {server("127.0.0.53")};
    r.dns.resolved.running = true;
    platform::ResolvedLink eth;
    eth.ifindex = ETH0;
    eth.ifname = "eth0";
    eth.servers = {server("192.168.1.1")};
    eth.default_route = eth_default_route;
    platform::ResolvedLink tun;
    tun.ifindex = TUN0;
    tun.ifname = "tun0";
    tun.servers = {server("10.8.0.1")};
    tun.domains = std::move(tunnel_domains);
    r.dns.resolved.links = {eth, tun};
    return r;
}

TEST(DnsRisks, ResolvedAsksThePhysicalLinkToo)
{
    const auto v = ids(resolved_setup({}, std::nullopt));
    EXPECT_TRUE(has(v, "resolved_link_default_route"));
}

TEST(DnsRisks, ResolvedTunnelClaimingEveryNameIsFine)
{
    EXPECT_FALSE(has(ids(resolved_setup({"~."}, std::nullopt)), "resolved_link_default_route"));
}

TEST(DnsRisks, ResolvedPhysicalLinkWithoutDefaultRouteIsFine)
{
    EXPECT_FALSE(has(ids(resolved_setup({}, false)), "resolved_link_default_route"));
}

TEST(DnsRisks, PhysicalLinkWithRoutingOnlyDomainIsNotADefaultRoute)
{
    StatusReport r = resolved_setup({}, std::nullopt);
    r.dns.resolved.links[0].domains = {"~corp.example"};
    EXPECT_FALSE(has(ids(r), "resolved_link_default_route"));
}

TEST(DnsRisks, StubWithoutResolved)
{
    StatusReport r = base();
    r.dns.resolv_conf.nameservers = {server("127.0.0.53")};
    r.dns.resolved.running = false;
    EXPECT_TRUE(has(ids(r), "stub_without_resolved"));
    r.dns.resolved.running = true;
    EXPECT_FALSE(has(ids(r), "stub_without_resolved"));
}

TEST(DnsRisks, NoNameservers)
{
    StatusReport r = base();
    r.dns.resolv_conf.nameservers.clear();
    const auto risks = find_dns_risks(r);
    ASSERT_EQ(risks.size(), 1u);
    EXPECT_EQ(risks[0].id, "no_nameservers");
    EXPECT_EQ(risks[0].severity, "info");
    r.dns.resolv_conf.present = false;
    EXPECT_NE(find_dns_risks(r)[0].message.find("is missing"), std::string::npos);
}

} // namespace
} // namespace wtfn::dnsleak
