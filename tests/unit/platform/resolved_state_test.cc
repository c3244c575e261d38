// Tests of src/platform/resolved_state.cc: the system DNS configuration read from fixture
// trees (tests/fixtures/system_dns/<case>/) and from trees built in a temporary directory.
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "platform/system_dns.h"

namespace wtfn::platform {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

std::string fixture(const std::string& name)
{
    return std::string(WTFN_FIXTURES_DIR) + "/system_dns/" + name;
}

std::vector<std::string> texts(const std::vector<Nameserver>& servers)
{
    std::vector<std::string> out;
    for (const Nameserver& ns : servers) {
        out.push_back(ns.text);
    }
    return out;
}

// "path:line: message" for each problem, so a failure shows them all.
std::vector<std::string> problem_lines(const std::vector<ConfigProblem>& problems)
{
    std::vector<std::string> out;
    for (const ConfigProblem& p : problems) {
        out.push_back(p.path + ":" + std::to_string(p.line) + ": " + p.message);
    }
    return out;
}

// A scratch root directory, removed at the end of the test.
class TempTree {
public:
    TempTree()
    {
        std::string pattern = (fs::temp_directory_path() / "wtfn-system-dns-XXXXXX").string();
        if (mkdtemp(pattern.data()) != nullptr) {
            root_ = pattern;
        }
    }

    ~TempTree()
    {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }

    TempTree(const TempTree&) = delete;
    TempTree& operator=(const TempTree&) = delete;

    const std::string& root() const { return root_; }

    std::string path(const std::string& relative) const { return root_ + "/" + relative; }

    void write(const std::string& relative, const std::string& content) const
    {
        fs::create_directories(fs::path(path(relative)).parent_path());
        std::ofstream(path(relative), std::ios::binary) << content;
    }

    void symlink(const std::string& target, const std::string& relative) const
    {
        fs::create_directories(fs::path(path(relative)).parent_path());
        fs::create_symlink(target, path(relative));
    }

private:
    std::string root_;
};

// ---- parse_resolved_server ----

TEST(ResolvedServer, AcceptedForms)
{
    struct Case {
        const char* text;
        const char* address;
        std::uint16_t port;
        const char* interface;
        const char* server_name;
    };

    for (const Case& c : {
             Case{"192.0.2.1", "192.0.2.1", 53, "", ""},
             Case{"192.0.2.1:5353", "192.0.2.1", 5353, "", ""},
             Case{"192.0.2.1%eth0", "192.0.2.1", 53, "eth0", ""},
             Case{"9.9.9.9#dns.quad9.net", "9.9.9.9", 53, "", "dns.quad9.net"},
             Case{"192.0.2.1:853%wg0#dns.example", "192.0.2.1", 853, "wg0", "dns.example"},
             Case{"2001:db8::1", "2001:db8::1", 53, "", ""},
             Case{"2001:db8::1#dns.example", "2001:db8::1", 53, "", "dns.example"},
             Case{"fe80::1%eth0", "fe80::1", 53, "eth0", ""},
             Case{"[2001:db8::1]:853", "2001:db8::1", 853, "", ""},
             Case{"[2001:db8::1]:853%wg0#dns.example", "2001:db8::1", 853, "wg0", "dns.example"},
             Case{"[::]:65535", "::", 65535, "", ""},
         }) {
        std::string error;
        const std::optional<Nameserver> ns = parse_resolved_server(c.text, error);
        ASSERT_TRUE(ns.has_value()) << c.text << ": " << error;
        EXPECT_EQ(ns->address.to_string(), c.address) << c.text;
        EXPECT_EQ(ns->port, c.port) << c.text;
        EXPECT_EQ(ns->interface, c.interface) << c.text;
        EXPECT_EQ(ns->server_name, c.server_name) << c.text;
        EXPECT_EQ(ns->text, c.text);
    }
}

TEST(ResolvedServer, RefusedForms)
{
    struct Case {
        const char* text;
        const char* error;
    };

    for (const Case& c : {
             Case{"", "empty"},
             Case{"300.1.1.1", "not an IPv4 or IPv6 address"},
             Case{"dns.example", "not an IPv4 or IPv6 address"},
             Case{"192.0.2.1:0", "bad port"},
             Case{"192.0.2.1:65536", "bad port"},
             Case{"192.0.2.1:", "bad port"},
             Case{"192.0.2.1:x53", "bad port"},
             Case{"[2001:db8::1]", "an IPv6 address in brackets must be followed by :PORT"},
             Case{"[2001:db8::1]:", "bad port"},
             Case{"[192.0.2.1]:53", "not an IPv6 address in brackets"},
             Case{"[:", "an IPv6 address in brackets must be followed by :PORT"},
             Case{"2001:db8::1:53:x", "not an IPv4 or IPv6 address"},
             Case{"192.0.2.1#", "no server name after '#'"},
             Case{"192.0.2.1%", "no interface after '%'"},
             Case{"127.1", "not an IPv4 or IPv6 address"},
         }) {
        std::string error;
        EXPECT_FALSE(parse_resolved_server(c.text, error).has_value()) << c.text;
        EXPECT_EQ(error, c.error) << c.text;
    }
}

// ---- fixture trees ----

TEST(SystemDns, PlainResolvConf)
{
    const SystemDnsConfig config = read_system_dns(fixture("plain"));
    const ResolvConf& rc = config.resolv_conf;
    EXPECT_EQ(rc.path, "/etc/resolv.conf");
    EXPECT_TRUE(rc.present);
    EXPECT_EQ(rc.symlink_target, "");
    EXPECT_EQ(texts(rc.nameservers), Strings({"192.0.2.1", "2001:db8::53"}));
    EXPECT_EQ(rc.search, Strings({"lan.example"}));
    EXPECT_EQ(rc.options, Strings({"edns0", "trust-ad"}));
    EXPECT_TRUE(rc.problems.empty()) << ::testing::PrintToString(problem_lines(rc.problems));

    const ResolvedState& resolved = config.resolved;
    EXPECT_FALSE(resolved.running);
    EXPECT_TRUE(resolved.upstream.empty());
    EXPECT_TRUE(resolved.global_servers.empty());
    EXPECT_TRUE(resolved.links.empty());
    EXPECT_TRUE(resolved.problems.empty());
}

TEST(SystemDns, MissingResolvConf)
{
    const SystemDnsConfig config = read_system_dns(fixture("missing"));
    const ResolvConf& rc = config.resolv_conf;
    EXPECT_EQ(rc.path, "/etc/resolv.conf");
    EXPECT_FALSE(rc.present);
    EXPECT_TRUE(rc.nameservers.empty());
    EXPECT_EQ(problem_lines(rc.problems),
              Strings({"/etc/resolv.conf:0: no /etc/resolv.conf: applications fall back to "
                       "127.0.0.1"}));
    EXPECT_FALSE(config.resolved.running);
    EXPECT_TRUE(config.resolved.problems.empty());
}

TEST(SystemDns, DanglingSymlink)
{
    const SystemDnsConfig config = read_system_dns(fixture("dangling"));
    const ResolvConf& rc = config.resolv_conf;
    EXPECT_FALSE(rc.present);
    EXPECT_EQ(rc.symlink_target, "../run/systemd/resolve/stub-resolv.conf");
    EXPECT_EQ(problem_lines(rc.problems),
              Strings({"/etc/resolv.conf:0: /etc/resolv.conf points to "
                       "'../run/systemd/resolve/stub-resolv.conf', which does not exist: "
                       "applications fall back to 127.0.0.1"}));
}

TEST(SystemDns, ResolvedStubResolvConf)
{
    const SystemDnsConfig config = read_system_dns(fixture("resolved_stub"));
    const ResolvConf& rc = config.resolv_conf;
    EXPECT_EQ(rc.path, "/etc/resolv.conf");
    EXPECT_TRUE(rc.present);
    EXPECT_EQ(rc.symlink_target, "../run/systemd/resolve/stub-resolv.conf");
    ASSERT_EQ(texts(rc.nameservers), Strings({"127.0.0.53"}));
    EXPECT_TRUE(is_resolved_stub(rc.nameservers[0].address));
    EXPECT_EQ(rc.search, Strings({"corp.example", "home.arpa"}));
    EXPECT_EQ(rc.options, Strings({"edns0", "trust-ad"}));
    EXPECT_TRUE(rc.problems.empty()) << ::testing::PrintToString(problem_lines(rc.problems));
}

TEST(SystemDns, ResolvedStubGlobalSettings)
{
    const ResolvedState r = read_system_dns(fixture("resolved_stub")).resolved;
    EXPECT_TRUE(r.running);
    EXPECT_TRUE(r.problems.empty()) << ::testing::PrintToString(problem_lines(r.problems));

    // Four upstream servers and no "first 3" note: this list is not what glibc reads.
    EXPECT_EQ(texts(r.upstream),
              Strings({"192.168.1.1", "192.168.1.2", "10.8.0.1", "2001:db8::35"}));

    // resolved.conf set two servers; 10-vpn.conf reset the list with "DNS=" and set two more.
    ASSERT_EQ(texts(r.global_servers),
              Strings({"[2001:db8::1]:853%wg0#dns.vpn.example", "10.8.0.1:5353"}));
    const Nameserver& vpn = r.global_servers[0];
    EXPECT_EQ(vpn.address.to_string(), "2001:db8::1");
    EXPECT_EQ(vpn.port, 853);
    EXPECT_EQ(vpn.interface, "wg0");
    EXPECT_EQ(vpn.server_name, "dns.vpn.example");
    EXPECT_EQ(r.global_servers[1].port, 5353);

    EXPECT_EQ(texts(r.fallback_servers), Strings({"1.1.1.1", "2606:4700:4700::1111"}));
    // resolved.conf, then run/.../15-domains.conf (drop-ins of all directories sort together).
    EXPECT_EQ(r.global_domains, Strings({"corp.example", "~vpn.example"}));
    // resolved.conf "no", then etc/.../20-dot.conf; run/.../20-dot.conf ("yes") is hidden.
    EXPECT_EQ(r.dns_over_tls, "opportunistic");
}

TEST(SystemDns, ResolvedStubLinks)
{
    const ResolvedState r = read_system_dns(fixture("resolved_stub")).resolved;
    // netif/007 and netif/lo.state are not ifindex names.
    ASSERT_EQ(r.links.size(), 3u);

    // Link 2: both files; resolved's wins, servers are the union.
    const ResolvedLink& eth = r.links[0];
    EXPECT_EQ(eth.ifindex, 2u);
    EXPECT_EQ(eth.ifname, "");
    EXPECT_EQ(texts(eth.servers), Strings({"192.168.1.1", "192.168.1.2", "192.168.1.3"}));
    EXPECT_EQ(eth.domains, Strings({"home.arpa"}));
    EXPECT_EQ(eth.default_route, std::optional<bool>(true)); // networkd said no
    EXPECT_EQ(eth.llmnr, "yes");                             // networkd said resolve
    EXPECT_EQ(eth.mdns, "no");
    EXPECT_EQ(eth.dnssec, "allow-downgrade");
    EXPECT_EQ(eth.dns_over_tls, "");
    EXPECT_EQ(eth.sources, Strings({"/run/systemd/resolve/netif/2", "/run/systemd/netif/links/2"}));

    // Link 3: networkd only; its ROUTE_DOMAINS become "~" domains.
    const ResolvedLink& lab = r.links[1];
    EXPECT_EQ(lab.ifindex, 3u);
    ASSERT_EQ(texts(lab.servers), Strings({"192.0.2.99:5353%eth1#dns.lab.example"}));
    EXPECT_EQ(lab.servers[0].port, 5353);
    EXPECT_EQ(lab.servers[0].interface, "eth1");
    EXPECT_EQ(lab.servers[0].server_name, "dns.lab.example");
    EXPECT_EQ(lab.domains, Strings({"~.", "~lab.example"}));
    EXPECT_EQ(lab.default_route, std::optional<bool>(false));
    EXPECT_EQ(lab.dns_over_tls, "yes");
    EXPECT_EQ(lab.dnssec, "no");
    EXPECT_EQ(lab.llmnr, "");
    EXPECT_EQ(lab.sources, Strings({"/run/systemd/netif/links/3"}));

    // Link 5: resolved only; a VPN that takes every name ("~.").
    const ResolvedLink& vpn = r.links[2];
    EXPECT_EQ(vpn.ifindex, 5u);
    EXPECT_EQ(texts(vpn.servers), Strings({"10.8.0.1", "[2001:db8::35]:853#dns.vpn.example"}));
    EXPECT_EQ(vpn.servers[1].port, 853);
    EXPECT_EQ(vpn.domains, Strings({"~.", "~vpn.example"}));
    EXPECT_EQ(vpn.default_route, std::optional<bool>(true));
    EXPECT_EQ(vpn.dns_over_tls, "opportunistic");
    EXPECT_EQ(vpn.llmnr, "no");
    EXPECT_EQ(vpn.sources, Strings({"/run/systemd/resolve/netif/5"}));
}

TEST(SystemDns, RootWithOrWithoutTrailingSlash)
{
    const SystemDnsConfig a = read_system_dns(fixture("resolved_stub"));
    const SystemDnsConfig b = read_system_dns(fixture("resolved_stub") + "/");
    const SystemDnsConfig c = read_system_dns(fixture("resolved_stub") + "//");
    for (const SystemDnsConfig* x : {&b, &c}) {
        EXPECT_EQ(x->resolv_conf.symlink_target, a.resolv_conf.symlink_target);
        EXPECT_EQ(texts(x->resolv_conf.nameservers), texts(a.resolv_conf.nameservers));
        EXPECT_EQ(texts(x->resolved.upstream), texts(a.resolved.upstream));
        EXPECT_EQ(texts(x->resolved.global_servers), texts(a.resolved.global_servers));
        ASSERT_EQ(x->resolved.links.size(), a.resolved.links.size());
        EXPECT_EQ(x->resolved.links[0].sources, a.resolved.links[0].sources);
    }
}

TEST(SystemDns, BrokenFilesGiveProblemsWithFileAndLine)
{
    const SystemDnsConfig config = read_system_dns(fixture("broken"));
    EXPECT_EQ(texts(config.resolv_conf.nameservers), Strings({"192.0.2.1"}));
    EXPECT_EQ(problem_lines(config.resolv_conf.problems),
              Strings({"/etc/resolv.conf:1: bad nameserver '10.0.0.300': not an IPv4 or IPv6 "
                       "address; ignored",
                       "/etc/resolv.conf:2: nameserver without an address; ignored",
                       "/etc/resolv.conf:3: bad nameserver 'example.com': not an IPv4 or IPv6 "
                       "address; ignored",
                       "/etc/resolv.conf:5: unknown keyword 'lookup'; glibc ignores it"}));

    const ResolvedState& r = config.resolved;
    // run/systemd/resolve holds netif/ but neither resolv.conf.
    EXPECT_FALSE(r.running);
    EXPECT_EQ(texts(r.global_servers), Strings({"192.0.2.1"}));
    EXPECT_EQ(r.dns_over_tls, "");
    EXPECT_EQ(problem_lines(r.problems),
              Strings({
                  "/etc/systemd/resolved.conf:1: setting outside a section; systemd-resolved "
                  "ignores it",
                  "/etc/systemd/resolved.conf:3: DNS=: bad server '300.1.1.1': not an IPv4 or IPv6 "
                  "address; ignored",
                  "/etc/systemd/resolved.conf:3: DNS=: bad server '[2001:db8::1]': an IPv6 address "
                  "in brackets must be followed by :PORT; ignored",
                  "/etc/systemd/resolved.conf:3: DNS=: bad server '192.0.2.2:0': bad port; ignored",
                  "/etc/systemd/resolved.conf:4: DNSOverTLS=: 'maybe' is not a boolean or "
                  "'opportunistic'; ignored",
                  "/etc/systemd/resolved.conf:5: missing '=' in 'this line has no equals sign'; "
                  "ignored",
                  "/etc/systemd/resolved.conf:6: section [Resolver] is not read by "
                  "systemd-resolved",
                  "/run/systemd/resolve/netif/2:2: DEFAULT_ROUTE=: 'perhaps' is not a boolean; "
                  "ignored",
                  "/run/systemd/resolve/netif/2:3: SERVERS=: bad server 'fe80::1%': no interface "
                  "after '%'; ignored",
                  "/run/systemd/resolve/netif/2:4: LLMNR=: 'sometimes' is not a boolean or "
                  "'resolve'; ignored",
              }));

    // The bad values left link 2 unset, so networkd's file fills in.
    ASSERT_EQ(r.links.size(), 1u);
    const ResolvedLink& link = r.links[0];
    EXPECT_EQ(texts(link.servers), Strings({"192.0.2.53", "192.0.2.54"}));
    EXPECT_EQ(link.default_route, std::optional<bool>(true));
    EXPECT_EQ(link.llmnr, "no");
}

// ---- trees built here ----

TEST(SystemDns, AbsoluteSymlinkIsTakenUnderTheRoot)
{
    TempTree tree;
    ASSERT_FALSE(tree.root().empty());
    tree.symlink("/run/systemd/resolve/stub-resolv.conf", "etc/resolv.conf");
    tree.write("run/systemd/resolve/stub-resolv.conf", "nameserver 127.0.0.53\n");
    const SystemDnsConfig config = read_system_dns(tree.root());
    EXPECT_TRUE(config.resolv_conf.present);
    EXPECT_EQ(config.resolv_conf.symlink_target, "/run/systemd/resolve/stub-resolv.conf");
    EXPECT_EQ(texts(config.resolv_conf.nameservers), Strings({"127.0.0.53"}));
    EXPECT_TRUE(config.resolved.running);
    EXPECT_TRUE(config.resolved.upstream.empty());
}

TEST(SystemDns, TooLargeFileIsSkipped)
{
    TempTree tree;
    ASSERT_FALSE(tree.root().empty());
    std::string big = "nameserver 192.0.2.1\n";
    big += std::string(1024 * 1024, '#');
    tree.write("etc/resolv.conf", big);
    tree.write("run/systemd/resolve/netif/4", "SERVERS=192.0.2.4\n" + std::string(2000000, ' '));
    const SystemDnsConfig config = read_system_dns(tree.root());
    EXPECT_FALSE(config.resolv_conf.present);
    EXPECT_TRUE(config.resolv_conf.nameservers.empty());
    EXPECT_EQ(problem_lines(config.resolv_conf.problems),
              Strings({"/etc/resolv.conf:0: too large (1048597 bytes, more than 1048576); "
                       "skipped"}));
    EXPECT_TRUE(config.resolved.links.empty());
    EXPECT_EQ(problem_lines(config.resolved.problems),
              Strings({"/run/systemd/resolve/netif/4:0: too large (2000018 bytes, more than "
                       "1048576); skipped"}));
}

TEST(SystemDns, NotARegularFile)
{
    TempTree tree;
    ASSERT_FALSE(tree.root().empty());
    fs::create_directories(tree.path("etc/resolv.conf"));
    fs::create_directories(tree.path("run/systemd/resolve"));
    // A FIFO would block a plain open; it must be refused before that.
    ASSERT_EQ(mkfifo(tree.path("run/systemd/resolve/resolv.conf").c_str(), 0600), 0);
    const SystemDnsConfig config = read_system_dns(tree.root());
    EXPECT_FALSE(config.resolv_conf.present);
    EXPECT_EQ(problem_lines(config.resolv_conf.problems),
              Strings({"/etc/resolv.conf:0: not a regular file; skipped"}));
    EXPECT_TRUE(config.resolved.running);
    EXPECT_EQ(problem_lines(config.resolved.problems),
              Strings({"/run/systemd/resolve/resolv.conf:0: not a regular file; skipped"}));
}

TEST(SystemDns, MaskedDropInIsSkipped)
{
    TempTree tree;
    ASSERT_FALSE(tree.root().empty());
    tree.write("etc/systemd/resolved.conf", "[Resolve]\nDNS=192.0.2.1\n");
    tree.write("usr/lib/systemd/resolved.conf.d/50-vendor.conf", "[Resolve]\nDNS=192.0.2.50\n");
    tree.symlink("/dev/null", "etc/systemd/resolved.conf.d/50-vendor.conf");
    tree.write("usr/lib/systemd/resolved.conf.d/60-vendor.conf", "[Resolve]\nDNS=192.0.2.60\n");
    const ResolvedState r = read_system_dns(tree.root()).resolved;
    EXPECT_EQ(texts(r.global_servers), Strings({"192.0.2.1", "192.0.2.60"}));
    EXPECT_TRUE(r.problems.empty()) << ::testing::PrintToString(problem_lines(r.problems));
}

TEST(SystemDns, CrlfAndDuplicatesInResolvedConf)
{
    TempTree tree;
    ASSERT_FALSE(tree.root().empty());
    tree.write("etc/systemd/resolved.conf",
               "[Resolve]\r\n"
               "DNS = 192.0.2.1 192.0.2.1\r\n"
               "  DNS=192.0.2.1:53 192.0.2.2\r\n"
               "Domains=a.example ~b.example\r\n"
               "Domains=a.example\r\n"
               "DNSOverTLS=TRUE\r\n");
    const ResolvedState r = read_system_dns(tree.root()).resolved;
    EXPECT_EQ(texts(r.global_servers), Strings({"192.0.2.1", "192.0.2.2"}));
    EXPECT_EQ(r.global_domains, Strings({"a.example", "~b.example"}));
    EXPECT_EQ(r.dns_over_tls, "yes");
    EXPECT_TRUE(r.problems.empty()) << ::testing::PrintToString(problem_lines(r.problems));
}

TEST(SystemDns, GarbageFilesDoNotStopTheRest)
{
    TempTree tree;
    ASSERT_FALSE(tree.root().empty());
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> byte(0, 255);
    std::string garbage;
    for (int i = 0; i < 20000; ++i) {
        garbage.push_back(static_cast<char>(byte(rng)));
    }
    tree.write("etc/resolv.conf", garbage);
    tree.write("etc/systemd/resolved.conf", garbage);
    tree.write("run/systemd/resolve/resolv.conf", garbage);
    tree.write("run/systemd/resolve/netif/2", garbage);
    tree.write("run/systemd/netif/links/2", garbage + "\nDNS=192.0.2.7\n");
    const SystemDnsConfig config = read_system_dns(tree.root());
    EXPECT_TRUE(config.resolv_conf.present);
    EXPECT_FALSE(config.resolv_conf.problems.empty());
    EXPECT_TRUE(config.resolved.running);
    EXPECT_FALSE(config.resolved.problems.empty());
    ASSERT_EQ(config.resolved.links.size(), 1u);
    EXPECT_EQ(config.resolved.links[0].ifindex, 2u);
    bool found = false;
    for (const Nameserver& ns : config.resolved.links[0].servers) {
        found = found || ns.text == "192.0.2.7";
    }
    EXPECT_TRUE(found);
}

// The live system: whatever it holds, reading it must work and name the logical path.
TEST(SystemDns, LiveSystemReads)
{
    const SystemDnsConfig config = read_system_dns();
    EXPECT_EQ(config.resolv_conf.path, "/etc/resolv.conf");
    for (const ConfigProblem& p : config.resolved.problems) {
        EXPECT_EQ(p.path.rfind('/', 0), 0u) << p.path;
    }
}

} // namespace
} // namespace wtfn::platform
