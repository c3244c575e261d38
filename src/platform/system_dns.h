// The system's DNS configuration as applications see it: /etc/resolv.conf, and when
// systemd-resolved runs, the servers and domains it holds per link and where its stub
// (127.0.0.53, 127.0.0.54) forwards to. Read from files only (resolv.conf and resolved's
// runtime state under /run), so it works without D-Bus and is testable on fixture trees.
//
// Everything here tolerates broken input: a bad line becomes a ConfigProblem with its line
// number, never an exception, and the rest of the file is still read (glibc does the same).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/ip_address.h"

namespace wtfn::platform {

struct ConfigProblem {
    std::string path;
    int line = 0;        // 0: the file as a whole
    std::string message; // printable ASCII: values quoted from the file are escaped
};

struct Nameserver {
    net::IpAddress address;
    std::uint16_t port = 53; // resolved's "1.2.3.4:5353" form; resolv.conf is always 53
    std::string interface;   // "%eth0" scope of a link-local address, or resolved's link
    std::string server_name; // resolved's "#dns.example" TLS name
    std::string text;        // as written
};

struct ResolvConf {
    std::string path;
    bool present = false;
    std::string symlink_target;          // where /etc/resolv.conf points, when it is a symlink
    std::vector<Nameserver> nameservers; // every one listed (glibc uses the first 3)
    std::vector<std::string> search;     // the last search/domain line wins, as in glibc
    std::vector<std::string> options;    // "edns0", "ndots:2", "trust-ad", ...
    std::vector<ConfigProblem> problems;
};

// One link as systemd-resolved (or systemd-networkd, which feeds it) sees it.
struct ResolvedLink {
    std::uint32_t ifindex = 0;
    std::string ifname; // filled in by the caller that knows the interfaces
    std::vector<Nameserver> servers;
    std::vector<std::string> domains;  // "~example.com" = routing-only; "~." = all names
    std::optional<bool> default_route; // may this link's servers answer any name?
    std::string dns_over_tls;          // "yes", "opportunistic", "no" or empty
    std::string dnssec;
    std::string llmnr;
    std::string mdns;
    std::vector<std::string> sources; // files the facts came from
};

struct ResolvedState {
    bool running = false;                     // its runtime directory and resolv.conf exist
    std::vector<Nameserver> global_servers;   // resolved.conf DNS=
    std::vector<Nameserver> fallback_servers; // resolved.conf FallbackDNS=
    std::vector<std::string> global_domains;
    std::string dns_over_tls;         // resolved.conf DNSOverTLS=
    std::vector<Nameserver> upstream; // /run/systemd/resolve/resolv.conf: every upstream
    std::vector<ResolvedLink> links;  // by ifindex
    std::vector<ConfigProblem> problems;
};

struct SystemDnsConfig {
    ResolvConf resolv_conf;
    ResolvedState resolved;
};

// resolv.conf text -> ResolvConf (glibc's rules: keyword at line start, '#' or ';' comments,
// "domain" and "search" replace each other, unknown keywords ignored but noted).
ResolvConf parse_resolv_conf(std::string_view text, const std::string& path);

// The same syntax for systemd-resolved's list of every upstream server
// (run/systemd/resolve/resolv.conf): no note past glibc's third nameserver, since that file is
// a report of what resolved uses, not what glibc reads (unless /etc/resolv.conf points to it,
// and then parse_resolv_conf notes it there).
ResolvConf parse_upstream_list(std::string_view text, const std::string& path);

// One server in resolved.conf(5) syntax: ADDR, ADDR:PORT (IPv4), [ADDR]:PORT (IPv6), then an
// optional %IFNAME and an optional #SERVERNAME. Empty with `error` set (one phrase, the text
// escaped) when it is not one.
std::optional<Nameserver> parse_resolved_server(std::string_view text, std::string& error);

// Reads the configuration under `root` ("/" on a live system; a fixture tree in tests):
// etc/resolv.conf; resolved.conf, the first found in etc/systemd, run/systemd,
// usr/local/lib/systemd or usr/lib/systemd, plus their resolved.conf.d/*.conf drop-ins
// (systemd's order: a drop-in name in an earlier directory hides a later one, a link to
// /dev/null masks it); run/systemd/resolve/{resolv.conf,stub-resolv.conf,netif/*};
// run/systemd/netif/links/*.
SystemDnsConfig read_system_dns(const std::string& root = "/");

// True for the addresses systemd-resolved's stub listens on (127.0.0.53, 127.0.0.54).
bool is_resolved_stub(const net::IpAddress& address);

} // namespace wtfn::platform
