// The system's DNS configuration read from files under a root directory: /etc/resolv.conf,
// systemd-resolved's configuration (resolved.conf and its drop-ins) and its runtime state
// (run/systemd/resolve), and systemd-networkd's per-link state (run/systemd/netif/links).
//
// resolved's files under /run say "This is private data. Do not parse." We read them anyway:
// the alternative is D-Bus, which needs a bus and a running daemon and cannot be tested on a
// fixture tree. The formats have been stable since systemd 239 (2018); a key we do not know is
// skipped, so a newer systemd costs detail, not correctness.
#include <algorithm>
#include <charconv>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "net/ip_address.h"
#include "platform/system_dns.h"
#include "util/escape.h"

namespace wtfn::platform {
namespace {

namespace fs = std::filesystem;

// Every file here is a few hundred bytes; a bigger one is not what we think it is, and reading
// it whole must not cost unbounded memory.
constexpr std::uintmax_t max_file_size = 1024 * 1024;

// Problems listed per file; the rest are counted (a binary file would give one per line).
constexpr std::size_t max_problems = 100;

// Values quoted in messages are cut here, so that one problem stays one line of a report.
constexpr std::size_t max_quoted = 80;

class Problems {
public:
    Problems(std::vector<ConfigProblem>& out, std::string path) : out_(out), path_(std::move(path))
    {}

    void add(int line, std::string message)
    {
        if (listed_ < max_problems) {
            out_.push_back(ConfigProblem{path_, line, std::move(message)});
            ++listed_;
        } else {
            ++left_out_;
        }
    }

    void finish()
    {
        if (left_out_ > 0) {
            out_.push_back(ConfigProblem{
                path_, 0, std::to_string(left_out_) + " more problems in this file not listed"});
        }
    }

private:
    std::vector<ConfigProblem>& out_;
    std::string path_;
    std::size_t listed_ = 0;
    std::size_t left_out_ = 0;
};

std::string quote_value(std::string_view raw)
{
    if (raw.size() > max_quoted) {
        return "'" + util::escaped_text(raw.substr(0, max_quoted)) + "...'";
    }
    return "'" + util::escaped_text(raw) + "'";
}

// ---- paths ----

// `relative` (no leading '/') under `root`, which may or may not end in '/'.
std::string under_root(const std::string& root, std::string_view relative)
{
    std::string out = root;
    while (!out.empty() && out.back() == '/') {
        out.pop_back();
    }
    out += '/';
    out += relative;
    return out;
}

// The path a user knows ("/etc/resolv.conf"), whatever the root.
std::string logical(std::string_view relative)
{
    return "/" + std::string(relative);
}

// ---- reading files ----

enum class ReadStatus { ok, missing, failed };

// Reads a regular file of at most max_file_size bytes into `text`. A missing file is no
// problem here (the caller knows whether it matters); any other failure is noted.
ReadStatus read_small_file(const std::string& real_path,
                           const std::string& logical_path,
                           std::string& text,
                           std::vector<ConfigProblem>& problems)
{
    text.clear();
    std::error_code ec;
    const fs::file_status status = fs::status(real_path, ec);
    if (status.type() == fs::file_type::not_found) {
        return ReadStatus::missing;
    }
    if (ec) {
        problems.push_back({logical_path, 0, "cannot read: " + ec.message()});
        return ReadStatus::failed;
    }
    // Opening a FIFO would block; a directory or device is not a configuration file.
    if (status.type() != fs::file_type::regular) {
        problems.push_back({logical_path, 0, "not a regular file; skipped"});
        return ReadStatus::failed;
    }
    const std::uintmax_t size = fs::file_size(real_path, ec);
    if (!ec && size > max_file_size) {
        problems.push_back({logical_path,
                            0,
                            "too large (" + std::to_string(size) + " bytes, more than " +
                                std::to_string(max_file_size) + "); skipped"});
        return ReadStatus::failed;
    }
    std::ifstream in(real_path, std::ios::binary);
    if (!in) {
        problems.push_back({logical_path, 0, "cannot open (permissions?); skipped"});
        return ReadStatus::failed;
    }
    // The size above may be stale (the file can grow), so the limit holds while reading too.
    char buffer[16384];
    while (in) {
        in.read(buffer, sizeof buffer);
        const std::streamsize got = in.gcount();
        if (got <= 0) {
            break;
        }
        text.append(buffer, static_cast<std::size_t>(got));
        if (text.size() > max_file_size) {
            text.clear();
            problems.push_back(
                {logical_path,
                 0,
                 "too large (more than " + std::to_string(max_file_size) + " bytes); skipped"});
            return ReadStatus::failed;
        }
    }
    if (in.bad()) {
        text.clear();
        problems.push_back({logical_path, 0, "read error; skipped"});
        return ReadStatus::failed;
    }
    return ReadStatus::ok;
}

// Names in a directory, sorted; empty when it does not exist or cannot be read.
std::vector<std::string> list_directory(const std::string& real_dir)
{
    std::vector<std::string> names;
    std::error_code ec;
    fs::directory_iterator it(real_dir, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
        names.push_back(it->path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

// ---- lines and words ----

bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

std::vector<std::string_view> split_words(std::string_view s)
{
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (pos < s.size()) {
        while (pos < s.size() && is_space(s[pos])) {
            ++pos;
        }
        const std::size_t start = pos;
        while (pos < s.size() && !is_space(s[pos])) {
            ++pos;
        }
        if (pos > start) {
            out.push_back(s.substr(start, pos - start));
        }
    }
    return out;
}

// Calls `visit(line_number, line)` for each line that is not blank or a comment ('#' or ';'
// first, as systemd's parsers have it), trimmed. Lines with a NUL byte are noted and skipped.
template <typename Visit>
void for_each_line(std::string_view text, Problems& problems, Visit visit)
{
    int number = 0;
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        const std::string_view raw = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (number < INT_MAX) {
            ++number;
        }
        if (raw.find('\0') != std::string_view::npos) {
            problems.add(number, "line holds a NUL byte; ignored");
            continue;
        }
        const std::string_view line = trim(raw);
        if (line.empty() || line[0] == '#' || line[0] == ';') {
            continue;
        }
        visit(number, line);
    }
}

// ---- values ----

// systemd's parse_boolean: these words, any case.
std::optional<bool> parse_boolean(std::string_view value)
{
    std::string lower(value);
    for (char& c : lower) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    for (const char* yes : {"1", "yes", "y", "true", "t", "on"}) {
        if (lower == yes) {
            return true;
        }
    }
    for (const char* no : {"0", "no", "n", "false", "f", "off"}) {
        if (lower == no) {
            return false;
        }
    }
    return std::nullopt;
}

// A resolved setting that is a boolean or one more word (DNSOverTLS "opportunistic", DNSSEC
// "allow-downgrade", LLMNR and MulticastDNS "resolve"). Booleans come out as "yes" or "no",
// the words resolved itself writes.
std::optional<std::string> parse_mode(std::string_view value, std::string_view other_word)
{
    if (const auto b = parse_boolean(value)) {
        return *b ? "yes" : "no";
    }
    if (value == other_word) {
        return std::string(value);
    }
    return std::nullopt;
}

net::IpAddress parse_address(std::string_view text)
{
    // net::parse_ip reads a C string: "192.0.2.1\0junk" would pass as 192.0.2.1.
    if (text.find('\0') != std::string_view::npos) {
        return {};
    }
    return net::parse_ip(std::string(text));
}

// resolved's parse_ip_port: decimal, 1 to 65535.
std::optional<std::uint16_t> parse_port(std::string_view text)
{
    std::uint16_t port = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, err] = std::from_chars(text.data(), end, port);
    if (text.empty() || err != std::errc() || ptr != end || port == 0) {
        return std::nullopt;
    }
    return port;
}

// An ifindex file name: decimal, no sign, no leading zero, not 0.
std::optional<std::uint32_t> parse_ifindex(std::string_view name)
{
    std::uint32_t index = 0;
    const char* end = name.data() + name.size();
    const auto [ptr, err] = std::from_chars(name.data(), end, index);
    if (name.empty() || name[0] == '0' || err != std::errc() || ptr != end) {
        return std::nullopt;
    }
    return index;
}

bool same_server(const Nameserver& a, const Nameserver& b)
{
    return a.address == b.address && a.port == b.port && a.interface == b.interface &&
           a.server_name == b.server_name;
}

void add_server(std::vector<Nameserver>& list, Nameserver server)
{
    for (const Nameserver& s : list) {
        if (same_server(s, server)) {
            return;
        }
    }
    list.push_back(std::move(server));
}

void add_domain(std::vector<std::string>& list, std::string domain)
{
    for (const std::string& d : list) {
        if (d == domain) {
            return;
        }
    }
    list.push_back(std::move(domain));
}

// Adds each server of a space-separated list; a bad one is noted and skipped, as resolved does.
void add_servers(std::vector<Nameserver>& list,
                 std::string_view value,
                 std::string_view key,
                 int line,
                 Problems& problems)
{
    for (const std::string_view word : split_words(value)) {
        std::string error;
        if (std::optional<Nameserver> server = parse_resolved_server(word, error)) {
            add_server(list, std::move(*server));
        } else {
            problems.add(line,
                         std::string(key) + "=: bad server " + quote_value(word) + ": " + error +
                             "; ignored");
        }
    }
}

// Sets `field` from a mode value; a bad value is noted and leaves it unchanged.
void set_mode(std::string& field,
              std::string_view value,
              std::string_view other_word,
              std::string_view key,
              int line,
              Problems& problems)
{
    if (value.empty()) {
        field.clear(); // systemd: an empty assignment means "the default"
        return;
    }
    if (std::optional<std::string> mode = parse_mode(value, other_word)) {
        field = std::move(*mode);
    } else {
        problems.add(line,
                     std::string(key) + "=: " + quote_value(value) + " is not a boolean or '" +
                         std::string(other_word) + "'; ignored");
    }
}

// ---- /etc/resolv.conf ----

ResolvConf read_resolv_conf(const std::string& root)
{
    constexpr std::string_view relative = "etc/resolv.conf";
    const std::string path = logical(relative);
    const std::string real = under_root(root, relative);

    std::string target;
    std::string real_target = real;
    std::vector<ConfigProblem> problems;
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(real, ec))) {
        target = fs::read_symlink(real, ec).string();
        if (ec) {
            problems.push_back({path, 0, "cannot read the symlink: " + ec.message()});
        } else if (!target.empty() && target[0] == '/') {
            // The usual "/run/systemd/resolve/stub-resolv.conf" is taken under the root, so
            // that a fixture tree never reads the host's files.
            real_target = under_root(root, std::string_view(target).substr(1));
        } else if (!target.empty()) {
            real_target = under_root(root, "etc/" + target);
        }
    }

    std::string text;
    const ReadStatus status = read_small_file(real_target, path, text, problems);
    ResolvConf out;
    if (status == ReadStatus::ok) {
        out = parse_resolv_conf(text, path);
    }
    out.path = path;
    out.present = status == ReadStatus::ok;
    out.symlink_target = target;
    if (status == ReadStatus::missing) {
        // glibc's default when it has no nameserver (res_init.c); a leak if nothing answers
        // there, or if what answers there forwards outside the tunnel.
        problems.push_back(
            {path,
             0,
             target.empty() ? "no /etc/resolv.conf: applications fall back to 127.0.0.1"
                            : "/etc/resolv.conf points to " + quote_value(target) +
                                  ", which does not exist: applications fall back to 127.0.0.1"});
    }
    problems.insert(problems.end(),
                    std::make_move_iterator(out.problems.begin()),
                    std::make_move_iterator(out.problems.end()));
    out.problems = std::move(problems);
    return out;
}

// ---- resolved.conf ----

// The files resolved reads its settings from, relative to the root, in the order it applies
// them (systemd's config_parse_config_file): the first main file found, then every
// resolved.conf.d/*.conf sorted by file name; a name in an earlier directory hides the same
// name in a later one.
std::vector<std::string> resolved_conf_files(const std::string& root)
{
    static constexpr std::string_view dirs[] = {
        "etc/systemd", "run/systemd", "usr/local/lib/systemd", "usr/lib/systemd"};
    std::vector<std::string> files;
    for (const std::string_view dir : dirs) {
        std::string file = std::string(dir) + "/resolved.conf";
        std::error_code ec;
        if (fs::exists(fs::symlink_status(under_root(root, file), ec))) {
            files.push_back(std::move(file));
            break;
        }
    }
    std::map<std::string, std::string> drop_ins; // file name -> relative path
    for (const std::string_view dir : dirs) {
        const std::string relative_dir = std::string(dir) + "/resolved.conf.d";
        for (const std::string& name : list_directory(under_root(root, relative_dir))) {
            if (name.size() > 5 && name.ends_with(".conf")) {
                drop_ins.emplace(name, relative_dir + "/" + name);
            }
        }
    }
    for (auto& [name, relative] : drop_ins) {
        // A symlink to /dev/null masks the drop-in of that name (systemd's convention).
        std::error_code ec;
        const std::string real = under_root(root, relative);
        if (fs::is_symlink(fs::symlink_status(real, ec)) &&
            fs::read_symlink(real, ec) == "/dev/null") {
            continue;
        }
        files.push_back(std::move(relative));
    }
    return files;
}

void apply_resolve_key(std::string_view key,
                       std::string_view value,
                       int line,
                       ResolvedState& state,
                       Problems& problems)
{
    if (key == "DNS" || key == "FallbackDNS") {
        std::vector<Nameserver>& list =
            key == "DNS" ? state.global_servers : state.fallback_servers;
        // An empty assignment resets the list built so far (also by earlier files).
        if (value.empty()) {
            list.clear();
        }
        add_servers(list, value, key, line, problems);
    } else if (key == "Domains") {
        if (value.empty()) {
            state.global_domains.clear();
        }
        for (const std::string_view domain : split_words(value)) {
            add_domain(state.global_domains, std::string(domain));
        }
    } else if (key == "DNSOverTLS") {
        set_mode(state.dns_over_tls, value, "opportunistic", key, line, problems);
    }
    // Other keys (DNSSEC, LLMNR, Cache, DNSStubListener, ...) do not change where queries go
    // and are left out; resolved adds keys often enough that we do not flag unknown ones.
}

void apply_resolved_conf(std::string_view text, const std::string& path, ResolvedState& state)
{
    Problems problems(state.problems, path);
    std::string section;
    for_each_line(text, problems, [&](int line, std::string_view content) {
        if (content[0] == '[') {
            if (content.size() < 2 || content.back() != ']') {
                problems.add(line, "bad section header " + quote_value(content) + "; ignored");
                return;
            }
            section = std::string(content.substr(1, content.size() - 2));
            if (section != "Resolve") {
                problems.add(line,
                             "section [" + util::escaped_text(section) +
                                 "] is not read by systemd-resolved");
            }
            return;
        }
        const std::size_t equals = content.find('=');
        if (equals == std::string_view::npos) {
            problems.add(line, "missing '=' in " + quote_value(content) + "; ignored");
            return;
        }
        if (section.empty()) {
            problems.add(line, "setting outside a section; systemd-resolved ignores it");
            return;
        }
        if (section == "Resolve") {
            apply_resolve_key(trim(content.substr(0, equals)),
                              trim(content.substr(equals + 1)),
                              line,
                              state,
                              problems);
        }
    });
    problems.finish();
}

// ---- per-link state ----

// The key names of one per-link state file format. The facts are the same; the names are not.
struct LinkKeys {
    std::string_view servers;
    std::string_view domains;
    std::string_view route_domains; // empty: the format marks them with '~' in `domains`
    std::string_view default_route;
    std::string_view dns_over_tls;
    std::string_view dnssec;
    std::string_view llmnr;
    std::string_view mdns;
};

// systemd-resolved's own state, run/systemd/resolve/netif/<ifindex> (resolved-link.c
// link_save_user).
constexpr LinkKeys resolved_keys{
    "SERVERS", "DOMAINS", "", "DEFAULT_ROUTE", "DNSOVERTLS", "DNSSEC", "LLMNR", "MDNS"};

// systemd-networkd's state, run/systemd/netif/links/<ifindex> (networkd-state-file.c).
constexpr LinkKeys networkd_keys{"DNS",
                                 "DOMAINS",
                                 "ROUTE_DOMAINS",
                                 "DNS_DEFAULT_ROUTE",
                                 "DNS_OVER_TLS",
                                 "DNSSEC",
                                 "LLMNR",
                                 "MDNS"};

void apply_link_key(const LinkKeys& keys,
                    std::string_view key,
                    std::string_view value,
                    int line,
                    ResolvedLink& link,
                    Problems& problems)
{
    if (key == keys.servers) {
        add_servers(link.servers, value, key, line, problems);
    } else if (key == keys.domains) {
        for (const std::string_view domain : split_words(value)) {
            add_domain(link.domains, std::string(domain));
        }
    } else if (!keys.route_domains.empty() && key == keys.route_domains) {
        for (const std::string_view domain : split_words(value)) {
            add_domain(link.domains,
                       domain[0] == '~' ? std::string(domain) : "~" + std::string(domain));
        }
    } else if (key == keys.default_route) {
        if (value.empty()) {
            return;
        }
        if (const std::optional<bool> b = parse_boolean(value)) {
            link.default_route = *b;
        } else {
            problems.add(
                line, std::string(key) + "=: " + quote_value(value) + " is not a boolean; ignored");
        }
    } else if (key == keys.dns_over_tls) {
        set_mode(link.dns_over_tls, value, "opportunistic", key, line, problems);
    } else if (key == keys.dnssec) {
        set_mode(link.dnssec, value, "allow-downgrade", key, line, problems);
    } else if (key == keys.llmnr) {
        set_mode(link.llmnr, value, "resolve", key, line, problems);
    } else if (key == keys.mdns) {
        set_mode(link.mdns, value, "resolve", key, line, problems);
    }
    // Other keys (ADMIN_STATE, NTP, NETWORK_FILE, ...) say nothing about DNS.
}

ResolvedLink parse_link_file(std::string_view text,
                             const std::string& path,
                             const LinkKeys& keys,
                             std::uint32_t ifindex,
                             std::vector<ConfigProblem>& out_problems)
{
    ResolvedLink link;
    link.ifindex = ifindex;
    link.sources.push_back(path);
    Problems problems(out_problems, path);
    for_each_line(text, problems, [&](int line, std::string_view content) {
        const std::size_t equals = content.find('=');
        if (equals == std::string_view::npos) {
            problems.add(line, "missing '=' in " + quote_value(content) + "; ignored");
            return;
        }
        const std::string_view key = trim(content.substr(0, equals));
        if (!key.empty()) {
            apply_link_key(keys, key, trim(content.substr(equals + 1)), line, link, problems);
        }
    });
    problems.finish();
    return link;
}

// Reads every <ifindex> file of one state directory; other names (resolved and networkd keep
// none, but a tree may) are skipped.
std::map<std::uint32_t, ResolvedLink> read_link_dir(const std::string& root,
                                                    std::string_view relative_dir,
                                                    const LinkKeys& keys,
                                                    std::vector<ConfigProblem>& problems)
{
    std::map<std::uint32_t, ResolvedLink> links;
    for (const std::string& name : list_directory(under_root(root, relative_dir))) {
        const std::optional<std::uint32_t> ifindex = parse_ifindex(name);
        if (!ifindex) {
            continue;
        }
        const std::string relative = std::string(relative_dir) + "/" + name;
        const std::string path = logical(relative);
        std::string text;
        if (read_small_file(under_root(root, relative), path, text, problems) == ReadStatus::ok) {
            links.emplace(*ifindex, parse_link_file(text, path, keys, *ifindex, problems));
        }
    }
    return links;
}

// Fills what `into` (resolved's view) leaves unset from `from` (networkd's). resolved's file
// wins where both say something, since it is what resolved acts on; servers are the union,
// since either may know one the other has not picked up yet.
void merge_link(ResolvedLink& into, ResolvedLink&& from)
{
    for (Nameserver& server : from.servers) {
        add_server(into.servers, std::move(server));
    }
    if (into.domains.empty()) {
        into.domains = std::move(from.domains);
    }
    if (!into.default_route) {
        into.default_route = from.default_route;
    }
    for (auto [field, other] : {std::pair{&into.dns_over_tls, &from.dns_over_tls},
                                std::pair{&into.dnssec, &from.dnssec},
                                std::pair{&into.llmnr, &from.llmnr},
                                std::pair{&into.mdns, &from.mdns}}) {
        if (field->empty()) {
            *field = std::move(*other);
        }
    }
    for (std::string& source : from.sources) {
        into.sources.push_back(std::move(source));
    }
}

// ---- resolved as a whole ----

ResolvedState read_resolved(const std::string& root)
{
    ResolvedState state;
    std::error_code ec;
    const std::string runtime_dir = under_root(root, "run/systemd/resolve");
    state.running =
        fs::is_directory(runtime_dir, ec) && (fs::exists(runtime_dir + "/resolv.conf", ec) ||
                                              fs::exists(runtime_dir + "/stub-resolv.conf", ec));

    constexpr std::string_view upstream_file = "run/systemd/resolve/resolv.conf";
    std::string text;
    if (read_small_file(
            under_root(root, upstream_file), logical(upstream_file), text, state.problems) ==
        ReadStatus::ok) {
        ResolvConf upstream = parse_upstream_list(text, logical(upstream_file));
        state.upstream = std::move(upstream.nameservers);
        state.problems.insert(state.problems.end(),
                              std::make_move_iterator(upstream.problems.begin()),
                              std::make_move_iterator(upstream.problems.end()));
    }

    for (const std::string& relative : resolved_conf_files(root)) {
        if (read_small_file(under_root(root, relative), logical(relative), text, state.problems) ==
            ReadStatus::ok) {
            apply_resolved_conf(text, logical(relative), state);
        }
    }

    std::map<std::uint32_t, ResolvedLink> links =
        read_link_dir(root, "run/systemd/resolve/netif", resolved_keys, state.problems);
    for (auto& [ifindex, link] :
         read_link_dir(root, "run/systemd/netif/links", networkd_keys, state.problems)) {
        const auto [it, inserted] = links.try_emplace(ifindex, std::move(link));
        if (!inserted) {
            merge_link(it->second, std::move(link));
        }
    }
    for (auto& [ifindex, link] : links) {
        state.links.push_back(std::move(link));
    }
    return state;
}

} // namespace

std::optional<Nameserver> parse_resolved_server(std::string_view text, std::string& error)
{
    // The order of systemd's in_addr_port_ifindex_name_from_string_auto: cut "#name" at the
    // first '#', then "%ifname" at the first '%', then the port at the last ':'.
    Nameserver server;
    server.text = std::string(text);
    if (text.empty()) {
        error = "empty";
        return std::nullopt;
    }
    std::string_view rest = text;
    if (const std::size_t hash = rest.find('#'); hash != std::string_view::npos) {
        server.server_name = std::string(rest.substr(hash + 1));
        rest = rest.substr(0, hash);
        if (server.server_name.empty()) {
            error = "no server name after '#'";
            return std::nullopt;
        }
    }
    if (const std::size_t percent = rest.find('%'); percent != std::string_view::npos) {
        server.interface = std::string(rest.substr(percent + 1));
        rest = rest.substr(0, percent);
        if (server.interface.empty()) {
            error = "no interface after '%'";
            return std::nullopt;
        }
    }
    std::string_view address = rest;
    std::optional<std::uint16_t> port;
    const std::size_t colon = rest.rfind(':');
    if (colon != std::string_view::npos && !rest.empty() && rest[0] == '[') {
        // "[ADDR]:PORT"; brackets without a port are refused, as resolved does.
        if (colon < 2 || rest[colon - 1] != ']') {
            error = "an IPv6 address in brackets must be followed by :PORT";
            return std::nullopt;
        }
        address = rest.substr(1, colon - 2);
        port = parse_port(rest.substr(colon + 1));
        if (!port) {
            error = "bad port";
            return std::nullopt;
        }
        server.address = parse_address(address);
        if (server.address.version != 6) {
            error = "not an IPv6 address in brackets";
            return std::nullopt;
        }
    } else if (colon != std::string_view::npos) {
        // A bare IPv6 address, else IPv4:PORT.
        server.address = parse_address(rest);
        if (server.address.version != 6) {
            address = rest.substr(0, colon);
            port = parse_port(rest.substr(colon + 1));
            server.address = parse_address(address);
            if (server.address.version != 4) {
                error = "not an IPv4 or IPv6 address";
                return std::nullopt;
            }
            if (!port) {
                error = "bad port";
                return std::nullopt;
            }
        }
    } else {
        server.address = parse_address(rest);
        if (server.address.version != 4) {
            error = "not an IPv4 or IPv6 address";
            return std::nullopt;
        }
    }
    if (port) {
        server.port = *port;
    }
    return server;
}

SystemDnsConfig read_system_dns(const std::string& root)
{
    SystemDnsConfig out;
    // The filesystem calls take an error_code and do not throw, but allocation can: a failure
    // to read the configuration must end up as a problem, never end a watch.
    try {
        out.resolv_conf = read_resolv_conf(root);
        out.resolved = read_resolved(root);
    } catch (const std::exception& e) {
        out.resolved.problems.push_back(
            {root, 0, std::string("reading the DNS configuration failed: ") + e.what()});
    }
    return out;
}

} // namespace wtfn::platform
