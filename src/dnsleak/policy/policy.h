// Policy: what "the safe DNS path" is (DESIGN.md section 6, docs/policy.md). A DNS event is
// on the safe path when its interface (or route class), destination, port and process
// satisfy the constraints; the leak rules judge against this.
//
// A policy comes from a built-in profile (full-tunnel, proxy-stub, split) or from a JSON
// file, optionally based on a profile. Loading is strict: an unknown key, a wrong type, a
// bad CIDR, port, glob or route class rejects the whole file with the file, the key path
// and the reason. Nothing runs on a half-read policy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/ip_address.h"
#include "platform/route_class.h"

namespace wtfn::dnsleak {

struct Cidr {
    net::IpAddress address; // host bits cleared
    std::uint8_t prefix_len = 0;

    bool contains(const net::IpAddress& a) const;
    std::string to_string() const;
};

// "10.0.0.0/8", "fd00::/8", or an address alone (a /32 or /128). Null when malformed.
std::optional<Cidr> parse_cidr(std::string_view text);

// A domain rule: "example.com" matches the name and every name below it;
// "*.example.com" matches only names below it. Lower-case, no trailing dot.
struct DomainPattern {
    std::string suffix;
    bool below_only = false;

    bool matches(std::string_view qname) const;
    std::string to_string() const;
};

std::optional<DomainPattern> parse_domain_pattern(std::string_view text, std::string& why);

// Where DNS may go. An empty list does not constrain.
struct PathConstraints {
    std::vector<std::string> interfaces; // names, or prefixes ending in '*'
    std::vector<platform::RouteClass> route_classes;
    std::vector<Cidr> destinations;
    std::vector<std::uint16_t> ports;
    std::vector<std::string> processes; // process names, or executable paths (start with '/')
};

struct Policy {
    std::string name;
    std::string source;   // "built-in" or the file it was read from
    std::string based_on; // the profile a file extends, empty when none
    bool is_default = false;
    std::string summary;              // one sentence: what is safe
    PathConstraints safe_path;        // plain DNS (udp53, tcp53)
    PathConstraints encrypted_egress; // approved egress for DoT, DoQ, DoH
    std::vector<DomainPattern> proxy_required;
    std::vector<DomainPattern> direct;
    bool unknown_via_proxy = false; // names on neither list must go through the proxy
    platform::RouteClassLabels labels;
    std::vector<std::string> doh_hosts; // extra known DoH endpoints (SNI names)
    std::vector<std::string> dot_hosts;
    std::vector<Cidr> resolver_addresses; // extra known encrypted-resolver addresses
};

inline constexpr std::string_view DEFAULT_PROFILE = "proxy-stub";

// Null when `name` is not a built-in profile.
std::optional<Policy> builtin_policy(std::string_view name);

std::vector<std::string> builtin_profile_names();

// Strict parse of a policy document. On failure `error` is one line:
// "<source>: <key path>: <reason>" (or "<source>: line L column C: <reason>" for JSON syntax).
bool parse_policy(std::string_view text,
                  const std::string& source,
                  Policy& out,
                  std::string& error);

// Reads and parses a policy file (at most 1 MiB, a regular file).
bool load_policy(const std::string& path, Policy& out, std::string& error);

// The policy as a JSON document that parse_policy() reads back to the same policy
// (`wtfn dns leak policy show`).
std::string policy_json(const Policy& policy);

} // namespace wtfn::dnsleak
