#include "dnsleak/policy/policy.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include <sys/stat.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/escape.h"
#include "util/json_words.h"

namespace wtfn::dnsleak {
namespace {

using Json = nlohmann::ordered_json;
using platform::RouteClass;

constexpr int MAX_DEPTH = 16; // RELIABILITY.md row 14; a real policy is 4 deep
constexpr std::size_t MAX_POLICY_BYTES = 1024 * 1024;

// A policy error: the key path and the reason; the source is added by parse_policy.
struct PolicyError : std::runtime_error {
    explicit PolicyError(const std::string& what) : std::runtime_error(what) {}
};

struct TooDeep : std::runtime_error {
    TooDeep() : std::runtime_error("too deep") {}
};

// Key paths come from the file (a key may hold any byte), so they are escaped; reasons
// quote values through util::quoted_excerpt(), which escapes them.
[[noreturn]] void fail(const std::string& path, const std::string& why)
{
    throw PolicyError(util::escaped_text(path) + ": " + why);
}

void expect_keys(const Json& obj, const std::string& path, std::initializer_list<const char*> keys)
{
    for (const auto& item : obj.items()) {
        const std::string& k = item.key(); // not a structured binding: lambdas capture it
        if (std::find_if(keys.begin(), keys.end(), [&](const char* a) { return k == a; }) ==
            keys.end()) {
            std::string allowed;
            for (const char* a : keys) {
                allowed += std::string(allowed.empty() ? "" : ", ") + a;
            }
            fail(path.empty() ? k : path + "." + k,
                 "unknown key (a typo?); allowed here: " + allowed);
        }
    }
}

const Json& expect_type(const Json& j, const std::string& path, Json::value_t t, const char* what)
{
    const bool ok = j.type() == t || (t == Json::value_t::number_unsigned &&
                                      j.type() == Json::value_t::number_integer);
    if (!ok) {
        fail(path, std::string("expected ") + what + ", got " + util::json_type_name(j));
    }
    return j;
}

std::string get_string(const Json& j, const std::string& path)
{
    expect_type(j, path, Json::value_t::string, "a string");
    return j.get<std::string>();
}

template <typename F>
void each(const Json& j, const std::string& path, const char* what, F&& f)
{
    expect_type(j, path, Json::value_t::array, what);
    for (std::size_t i = 0; i < j.size(); ++i) {
        f(j[i], fmt::format("{}[{}]", path, i));
    }
}

RouteClass route_class(const Json& j, const std::string& path)
{
    const std::string s = get_string(j, path);
    const auto c = platform::parse_route_class(s);
    if (!c) {
        fail(path,
             util::quoted_excerpt(s) +
                 " is not a route class; use loopback, tunnel, physical or unknown");
    }
    return *c;
}

std::string interface_pattern(const Json& j, const std::string& path)
{
    const std::string s = get_string(j, path);
    const std::string_view base =
        !s.empty() && s.back() == '*' ? std::string_view(s).substr(0, s.size() - 1) : s;
    const bool chars_ok = std::all_of(base.begin(), base.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' ||
               c == '-' || c == '@' || c == ':' || c == '+';
    });
    if (s.empty() || s == "*" || base.size() > 15 || !chars_ok) {
        fail(path,
             util::quoted_excerpt(s) +
                 " is not an interface name or prefix (up to 15 characters of "
                 "A-Z a-z 0-9 . _ - @ : +, optionally one trailing *)");
    }
    return s;
}

Cidr cidr(const Json& j, const std::string& path)
{
    const std::string s = get_string(j, path);
    const auto c = parse_cidr(s);
    if (!c) {
        fail(path,
             util::quoted_excerpt(s) +
                 " is not an address or CIDR (e.g. 10.0.0.0/8, 192.0.2.53, fd00::/8; "
                 "no host bits after the prefix)");
    }
    return *c;
}

std::uint16_t port(const Json& j, const std::string& path)
{
    if (!j.is_number_integer()) {
        fail(path, "expected a port number, got " + util::json_type_name(j));
    }
    if (j.is_number_unsigned() && j.get<std::uint64_t>() > 65535) {
        fail(path, std::to_string(j.get<std::uint64_t>()) + " is not a port (1-65535)");
    }
    const auto v = j.get<std::int64_t>();
    if (v < 1 || v > 65535) {
        fail(path, std::to_string(v) + " is not a port (1-65535)");
    }
    return static_cast<std::uint16_t>(v);
}

std::string process(const Json& j, const std::string& path)
{
    const std::string s = get_string(j, path);
    if (s.empty() || s.size() > 255 || s.find('\0') != std::string::npos) {
        fail(path, "a process is a name or an executable path of 1-255 bytes");
    }
    return s;
}

DomainPattern domain(const Json& j, const std::string& path)
{
    const std::string s = get_string(j, path);
    std::string why;
    auto d = parse_domain_pattern(s, why);
    if (!d) {
        fail(path, util::quoted_excerpt(s) + " is not a domain pattern: " + why);
    }
    return *d;
}

std::string hostname(const Json& j, const std::string& path)
{
    const DomainPattern d = domain(j, path);
    if (d.below_only) {
        fail(path, "an endpoint is a host name, not a pattern");
    }
    return d.suffix;
}

void constraints(const Json& j, const std::string& path, PathConstraints& c)
{
    expect_type(j, path, Json::value_t::object, "an object");
    expect_keys(j, path, {"interfaces", "route_classes", "destinations", "ports", "processes"});
    if (j.contains("interfaces")) {
        c.interfaces.clear();
        each(j["interfaces"],
             path + ".interfaces",
             "an array of interface names",
             [&](auto& v, auto p) { c.interfaces.push_back(interface_pattern(v, p)); });
    }
    if (j.contains("route_classes")) {
        c.route_classes.clear();
        each(j["route_classes"],
             path + ".route_classes",
             "an array of route classes",
             [&](auto& v, auto p) { c.route_classes.push_back(route_class(v, p)); });
    }
    if (j.contains("destinations")) {
        c.destinations.clear();
        each(j["destinations"], path + ".destinations", "an array of CIDRs", [&](auto& v, auto p) {
            c.destinations.push_back(cidr(v, p));
        });
    }
    if (j.contains("ports")) {
        c.ports.clear();
        each(j["ports"], path + ".ports", "an array of port numbers", [&](auto& v, auto p) {
            c.ports.push_back(port(v, p));
        });
    }
    if (j.contains("processes")) {
        c.processes.clear();
        each(j["processes"],
             path + ".processes",
             "an array of process names or paths",
             [&](auto& v, auto p) { c.processes.push_back(process(v, p)); });
    }
}

void read_document(const Json& doc, const std::string& source, Policy& p)
{
    expect_type(doc, "(top level)", Json::value_t::object, "a JSON object");
    expect_keys(doc,
                "",
                {"schema_version",
                 "name",
                 "based_on",
                 "summary",
                 "safe_path",
                 "encrypted_egress",
                 "domains",
                 "interface_labels",
                 "endpoints"});
    if (!doc.contains("schema_version")) {
        fail("schema_version", "missing; write \"schema_version\": 1");
    }
    const Json& v = doc["schema_version"];
    if (!v.is_number_integer()) {
        fail("schema_version", "expected an integer, got " + util::json_type_name(v));
    }
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > 1) {
        fail("schema_version",
             std::to_string(v.get<std::uint64_t>()) +
                 " is newer than this wtfn understands (1); update wtfn");
    }
    if (v.get<std::int64_t>() != 1) {
        fail("schema_version",
             std::to_string(v.get<std::int64_t>()) +
                 (v.get<std::int64_t>() > 1
                      ? " is newer than this wtfn understands (1); update wtfn"
                      : " is not a schema version; write 1"));
    }
    p = Policy{};
    if (doc.contains("based_on")) {
        const std::string base = get_string(doc["based_on"], "based_on");
        auto b = builtin_policy(base);
        if (!b) {
            fail("based_on",
                 util::quoted_excerpt(base) +
                     " is not a built-in profile; use full-tunnel, proxy-stub or split");
        }
        p = *b;
        p.based_on = base;
        p.is_default = false;
    }
    p.source = source;
    p.name = doc.contains("name") ? get_string(doc["name"], "name")
                                  : (p.based_on.empty() ? std::string("custom") : p.name);
    if (doc.contains("summary")) {
        p.summary = get_string(doc["summary"], "summary");
    }
    if (doc.contains("safe_path")) {
        constraints(doc["safe_path"], "safe_path", p.safe_path);
    }
    if (doc.contains("encrypted_egress")) {
        constraints(doc["encrypted_egress"], "encrypted_egress", p.encrypted_egress);
    }
    if (doc.contains("domains")) {
        const Json& d = expect_type(doc["domains"], "domains", Json::value_t::object, "an object");
        expect_keys(d, "domains", {"proxy_required", "direct", "unknown_via_proxy"});
        if (d.contains("proxy_required")) {
            p.proxy_required.clear();
            each(d["proxy_required"],
                 "domains.proxy_required",
                 "an array of domain patterns",
                 [&](auto& x, auto path) { p.proxy_required.push_back(domain(x, path)); });
        }
        if (d.contains("direct")) {
            p.direct.clear();
            each(d["direct"],
                 "domains.direct",
                 "an array of domain patterns",
                 [&](auto& x, auto path) { p.direct.push_back(domain(x, path)); });
        }
        if (d.contains("unknown_via_proxy")) {
            expect_type(d["unknown_via_proxy"],
                        "domains.unknown_via_proxy",
                        Json::value_t::boolean,
                        "true or false");
            p.unknown_via_proxy = d["unknown_via_proxy"].get<bool>();
        }
    }
    if (doc.contains("interface_labels")) {
        const Json& l = expect_type(
            doc["interface_labels"], "interface_labels", Json::value_t::object, "an object");
        p.labels = platform::RouteClassLabels{};
        for (const auto& [k, val] : l.items()) {
            const std::string path = "interface_labels." + k;
            p.labels.add(interface_pattern(Json(k), path), route_class(val, path));
        }
    }
    if (doc.contains("endpoints")) {
        const Json& e =
            expect_type(doc["endpoints"], "endpoints", Json::value_t::object, "an object");
        expect_keys(e, "endpoints", {"doh", "dot", "addresses"});
        if (e.contains("doh")) {
            p.doh_hosts.clear();
            each(e["doh"], "endpoints.doh", "an array of host names", [&](auto& x, auto path) {
                p.doh_hosts.push_back(hostname(x, path));
            });
        }
        if (e.contains("dot")) {
            p.dot_hosts.clear();
            each(e["dot"], "endpoints.dot", "an array of host names", [&](auto& x, auto path) {
                p.dot_hosts.push_back(hostname(x, path));
            });
        }
        if (e.contains("addresses")) {
            p.resolver_addresses.clear();
            each(e["addresses"],
                 "endpoints.addresses",
                 "an array of CIDRs",
                 [&](auto& x, auto path) { p.resolver_addresses.push_back(cidr(x, path)); });
        }
    }
}

Json constraints_json(const PathConstraints& c)
{
    Json j = Json::object();
    j["interfaces"] = c.interfaces;
    Json rc = Json::array();
    for (const auto r : c.route_classes) {
        rc.push_back(to_string(r));
    }
    j["route_classes"] = rc;
    Json d = Json::array();
    for (const auto& x : c.destinations) {
        d.push_back(x.to_string());
    }
    j["destinations"] = d;
    j["ports"] = c.ports;
    j["processes"] = c.processes;
    return j;
}

Json patterns_json(const std::vector<DomainPattern>& v)
{
    Json a = Json::array();
    for (const auto& d : v) {
        a.push_back(d.to_string());
    }
    return a;
}

} // namespace

bool Cidr::contains(const net::IpAddress& a) const
{
    if (a.version != address.version) {
        return false;
    }
    const std::size_t full = prefix_len / 8;
    for (std::size_t i = 0; i < full; ++i) {
        if (a.bytes[i] != address.bytes[i]) {
            return false;
        }
    }
    const unsigned rest = prefix_len % 8;
    if (rest == 0) {
        return true;
    }
    const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
    return (a.bytes[full] & mask) == (address.bytes[full] & mask);
}

std::string Cidr::to_string() const
{
    return address.to_string() + "/" + std::to_string(prefix_len);
}

std::optional<Cidr> parse_cidr(std::string_view text)
{
    if (text.find('\0') != std::string_view::npos) {
        return std::nullopt; // inet_pton would stop at the NUL and accept the rest unseen
    }
    const std::size_t slash = text.find('/');
    Cidr c;
    c.address = net::parse_ip(std::string(text.substr(0, slash)));
    if (c.address.version == 0) {
        return std::nullopt;
    }
    const unsigned max = c.address.version == 4 ? 32 : 128;
    if (slash == std::string_view::npos) {
        c.prefix_len = static_cast<std::uint8_t>(max);
        return c;
    }
    const std::string_view len = text.substr(slash + 1);
    if (len.empty() || len.size() > 3 ||
        !std::all_of(len.begin(), len.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
        return std::nullopt;
    }
    const unsigned n = static_cast<unsigned>(std::stoul(std::string(len)));
    if (n > max) {
        return std::nullopt;
    }
    c.prefix_len = static_cast<std::uint8_t>(n);
    // Host bits after the prefix mean a typo (10.0.0.1/8 for 10.0.0.0/8?): reject.
    Cidr masked = c;
    for (unsigned bit = n; bit < max; ++bit) {
        masked.address.bytes[bit / 8] =
            static_cast<std::uint8_t>(masked.address.bytes[bit / 8] & ~(0x80U >> (bit % 8)));
    }
    if (!(masked.address == c.address)) {
        return std::nullopt;
    }
    return c;
}

bool DomainPattern::matches(std::string_view qname) const
{
    if (qname.size() < suffix.size()) {
        return false;
    }
    if (qname.size() == suffix.size()) {
        return !below_only && qname == suffix;
    }
    return qname.substr(qname.size() - suffix.size()) == suffix &&
           qname[qname.size() - suffix.size() - 1] == '.';
}

std::string DomainPattern::to_string() const
{
    return below_only ? "*." + suffix : suffix;
}

std::optional<DomainPattern> parse_domain_pattern(std::string_view text, std::string& why)
{
    DomainPattern d;
    std::string s(text);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    if (s.size() > 2 && s.compare(0, 2, "*.") == 0) {
        d.below_only = true;
        s.erase(0, 2);
    }
    if (!s.empty() && s.back() == '.') {
        s.pop_back();
    }
    if (s.empty()) {
        why = "empty";
        return std::nullopt;
    }
    if (s.size() > 253) {
        why = "longer than 253 characters";
        return std::nullopt;
    }
    std::size_t label = 0;
    for (const char c : s) {
        if (c == '.') {
            if (label == 0) {
                why = "an empty label";
                return std::nullopt;
            }
            label = 0;
            continue;
        }
        if (c == '*') {
            why = "a * is allowed only as the first label (*.example.com)";
            return std::nullopt;
        }
        if (!(std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_')) {
            why = "characters other than a-z 0-9 - _";
            return std::nullopt;
        }
        if (++label > 63) {
            why = "a label longer than 63 characters";
            return std::nullopt;
        }
    }
    if (label == 0) {
        why = "an empty label";
        return std::nullopt;
    }
    d.suffix = s;
    return d;
}

std::optional<Policy> builtin_policy(std::string_view name)
{
    Policy p;
    p.name = std::string(name);
    p.source = "built-in";
    p.is_default = name == DEFAULT_PROFILE;
    if (name == "full-tunnel") {
        p.summary = "a VPN carries everything: DNS may leave only through a tunnel interface "
                    "(or to a stub on loopback)";
        p.safe_path.route_classes = {RouteClass::tunnel, RouteClass::loopback};
        p.encrypted_egress.route_classes = {RouteClass::tunnel, RouteClass::loopback};
    } else if (name == "proxy-stub") {
        p.summary = "applications resolve through the local proxy's stub on loopback; only "
                    "the stub or proxy talks to resolvers, through the tunnel or proxy path";
        p.safe_path.route_classes = {RouteClass::loopback, RouteClass::tunnel};
        p.encrypted_egress.route_classes = {RouteClass::loopback, RouteClass::tunnel};
    } else if (name == "split") {
        p.summary = "names on the direct list may resolve on the physical path; every other "
                    "name must go through the tunnel or proxy";
        p.safe_path.route_classes = {RouteClass::tunnel, RouteClass::loopback};
        p.encrypted_egress.route_classes = {RouteClass::tunnel, RouteClass::loopback};
        p.unknown_via_proxy = true;
    } else {
        return std::nullopt;
    }
    return p;
}

std::vector<std::string> builtin_profile_names()
{
    return {"full-tunnel", "proxy-stub", "split"};
}

bool parse_policy(std::string_view text, const std::string& source, Policy& out, std::string& error)
{
    Json doc;
    try {
        // The parser itself is iterative, but every level costs memory and the policy has
        // at most 4: refuse absurd nesting before building it (RELIABILITY row 17).
        const Json::parser_callback_t limit = [](int depth, Json::parse_event_t, Json&) {
            // depth counts from 0 at the top-level value: level MAX_DEPTH + 1 is refused.
            if (depth >= MAX_DEPTH) {
                throw TooDeep();
            }
            return true;
        };
        doc = Json::parse(text.begin(), text.end(), limit);
    } catch (const TooDeep&) {
        error = source + ": nested deeper than " + std::to_string(MAX_DEPTH) +
                " levels; a policy has at most 4 (is this a policy file?)";
        return false;
    } catch (const Json::parse_error& e) {
        std::size_t line = 0;
        std::size_t col = 0;
        util::line_column(text, e.byte > 0 ? e.byte - 1 : 0, line, col);
        std::string what = e.what();
        if (const auto pos = what.find("syntax error"); pos != std::string::npos) {
            what = what.substr(pos);
        }
        // The library quotes the bytes it read, which may be anything: escape them.
        error = fmt::format("{}: line {} column {}: not valid JSON: {}",
                            source,
                            line,
                            col,
                            util::escaped_text(what));
        return false;
    } catch (const Json::exception& e) {
        // Not a syntax error but a value the library cannot hold (a number like 1e999).
        error = source + ": not a usable JSON document: " + util::escaped_text(e.what());
        return false;
    }
    try {
        Policy p;
        read_document(doc, source, p);
        out = std::move(p);
    } catch (const PolicyError& e) {
        error = source + ": " + e.what();
        return false;
    } catch (const std::exception& e) {
        error = source + ": " + e.what();
        return false;
    }
    return true;
}

bool load_policy(const std::string& path, Policy& out, std::string& error)
{
    struct stat st {};

    if (stat(path.c_str(), &st) != 0) {
        error = path + ": cannot read the policy: no such file; check the path given to --policy";
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        error = path + ": not a regular file; --policy takes a JSON file";
        return false;
    }
    if (static_cast<std::uint64_t>(st.st_size) > MAX_POLICY_BYTES) {
        error =
            path + ": larger than 1 MiB; a policy is a small JSON file (is this the right file?)";
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = path + ": cannot open the policy (permission?)";
        return false;
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse_policy(text, path, out, error);
}

std::string policy_json(const Policy& p)
{
    Json j;
    j["schema_version"] = 1;
    j["name"] = p.name;
    if (!p.based_on.empty()) {
        j["based_on"] = p.based_on;
    }
    j["summary"] = p.summary;
    j["safe_path"] = constraints_json(p.safe_path);
    j["encrypted_egress"] = constraints_json(p.encrypted_egress);
    j["domains"] = {{"proxy_required", patterns_json(p.proxy_required)},
                    {"direct", patterns_json(p.direct)},
                    {"unknown_via_proxy", p.unknown_via_proxy}};
    Json labels = Json::object();
    for (const auto& l : p.labels.labels()) {
        labels[l.pattern] = to_string(l.route_class);
    }
    j["interface_labels"] = labels;
    Json addrs = Json::array();
    for (const auto& a : p.resolver_addresses) {
        addrs.push_back(a.to_string());
    }
    j["endpoints"] = {{"doh", p.doh_hosts}, {"dot", p.dot_hosts}, {"addresses", addrs}};
    return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

} // namespace wtfn::dnsleak
