// resolv.conf as glibc's resolver reads it (resolv/res_init.c, glibc 2.36 on Debian 12). Where
// glibc silently drops a line, we keep reading the same way but note why, because a dropped
// nameserver line is how applications end up asking 127.0.0.1 or the wrong server.
//
// The text may be any bytes (a libFuzzer target will feed it): everything below works on
// std::string_view with bounds-checked member functions only, and nothing throws on purpose.
#include <climits>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/ip_address.h"
#include "platform/system_dns.h"
#include "util/escape.h"

namespace wtfn::platform {
namespace {

// glibc's resolver uses at most MAXNS (3, <resolv.h>) nameservers and ignores the rest.
constexpr std::size_t glibc_max_nameservers = 3;

// Longer lines are reported and skipped. glibc reads lines of any length (getline), but no
// real resolv.conf comes near this; a longer one is damage, or not a resolv.conf at all.
constexpr std::size_t max_line_length = 4096;

// A binary file read as resolv.conf has a problem on nearly every line; past this many the
// report would be noise, so the rest are only counted.
constexpr std::size_t max_problems = 100;

// Problems of one file, capped at max_problems; finish() adds the count of the ones left out.
class Problems {
public:
    Problems(std::vector<ConfigProblem>& out, const std::string& path) : out_(out), path_(path) {}

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
    const std::string& path_;
    std::size_t listed_ = 0;
    std::size_t left_out_ = 0;
};

// Values quoted in messages are cut here: a problem is one line of a report, and a damaged
// file can hold a 4000-byte word.
constexpr std::size_t max_quoted = 80;

// 'value' for a message: escaped (any byte outside printable ASCII as \xNN) and cut short.
std::string quote_value(std::string_view raw)
{
    if (raw.size() > max_quoted) {
        return "'" + util::escaped_text(raw.substr(0, max_quoted)) + "...'";
    }
    return "'" + util::escaped_text(raw) + "'";
}

// glibc separates words with spaces and tabs only: a CR or a form feed is part of a word.
bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

// Cuts the next line (without its '\n') off the front of `text`.
std::string_view next_line(std::string_view& text)
{
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    return line;
}

// Cuts the next word off the front of `rest`; empty when only blanks are left.
std::string_view next_word(std::string_view& rest)
{
    std::size_t start = 0;
    while (start < rest.size() && is_blank(rest[start])) {
        ++start;
    }
    std::size_t end = start;
    while (end < rest.size() && !is_blank(rest[end])) {
        ++end;
    }
    const std::string_view word = rest.substr(start, end - start);
    rest.remove_prefix(end);
    return word;
}

std::vector<std::string> words(std::string_view rest)
{
    std::vector<std::string> out;
    for (std::string_view w = next_word(rest); !w.empty(); w = next_word(rest)) {
        out.emplace_back(w);
    }
    return out;
}

bool starts_comment(std::string_view word)
{
    return !word.empty() && (word[0] == '#' || word[0] == ';');
}

// net::parse_ip goes through a C string: an embedded NUL would cut the text short and let
// "192.0.2.1\0junk" pass, so such text is refused here.
net::IpAddress parse_address(std::string_view text)
{
    if (text.find('\0') != std::string_view::npos) {
        return {};
    }
    return net::parse_ip(std::string(text));
}

int digit_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return 99;
}

// glibc reads an IPv4 nameserver with inet_aton, not inet_pton: 1 to 4 parts, each decimal,
// octal (leading 0) or hex (0x), the last one filling the remaining bytes. So "127.1" is
// 127.0.0.1 and "010.0.0.1" is 8.0.0.1. Checked against glibc's inet_aton in the tests.
std::optional<net::IpAddress> parse_inet_aton(std::string_view text)
{
    // The largest value of the last part, by the number of parts before it.
    constexpr std::uint32_t last_part_max[4] = {0xffffffffU, 0xffffffU, 0xffffU, 0xffU};
    std::uint32_t parts[4] = {};
    std::size_t count = 0; // parts before the current one
    std::size_t pos = 0;
    for (;;) {
        if (pos >= text.size() || text[pos] < '0' || text[pos] > '9') {
            return std::nullopt;
        }
        int base = 10;
        if (text[pos] == '0') {
            base = 8;
            if (pos + 1 < text.size() && (text[pos + 1] == 'x' || text[pos + 1] == 'X')) {
                // strtoul takes "0x" as hex only when a hex digit follows; otherwise it reads
                // the "0" and stops at the 'x', which inet_aton then rejects.
                if (pos + 2 >= text.size() || digit_value(text[pos + 2]) >= 16) {
                    return std::nullopt;
                }
                base = 16;
                pos += 2;
            }
        }
        std::uint64_t value = 0;
        while (pos < text.size() && digit_value(text[pos]) < base) {
            value = value * static_cast<std::uint64_t>(base) +
                    static_cast<std::uint64_t>(digit_value(text[pos]));
            if (value > 0xffffffffU) {
                return std::nullopt;
            }
            ++pos;
        }
        if (pos < text.size() && text[pos] == '.') {
            if (count >= 3 || value > 0xff) {
                return std::nullopt;
            }
            parts[count++] = static_cast<std::uint32_t>(value);
            ++pos;
            continue;
        }
        if (pos != text.size() || value > last_part_max[count]) {
            return std::nullopt;
        }
        std::uint32_t host_order = static_cast<std::uint32_t>(value);
        for (std::size_t i = 0; i < count; ++i) {
            host_order |= parts[i] << (24 - 8 * i);
        }
        const std::uint8_t bytes[4] = {
            static_cast<std::uint8_t>(host_order >> 24),
            static_cast<std::uint8_t>(host_order >> 16),
            static_cast<std::uint8_t>(host_order >> 8),
            static_cast<std::uint8_t>(host_order),
        };
        return net::IpAddress::v4(util::Bytes(bytes, 4));
    }
}

// One nameserver word as glibc takes it: an IPv4 address (inet_aton), or an IPv6 address with
// an optional %zone. On failure returns nothing and sets `why`; `note` is set when glibc
// accepts the address in a form other resolvers may not.
std::optional<Nameserver>
parse_nameserver(std::string_view word, std::string& why, std::string& note)
{
    Nameserver ns;
    ns.text = std::string(word);
    std::string_view address = word;
    const std::size_t percent = word.find('%');
    if (percent != std::string_view::npos) {
        address = word.substr(0, percent);
        ns.interface = std::string(word.substr(percent + 1));
    }
    ns.address = parse_address(address);
    if (ns.address.version == 6) {
        return ns;
    }
    if (percent != std::string_view::npos) {
        // glibc tries the whole word as IPv4 first (fails on the '%'), then the part before
        // the '%' as IPv6 only.
        why = ns.address.version == 4 ? "a %zone is only allowed on an IPv6 address"
                                      : "not an IPv4 or IPv6 address";
        return std::nullopt;
    }
    if (ns.address.version == 4) {
        return ns;
    }
    if (const auto legacy = parse_inet_aton(address)) {
        ns.address = *legacy;
        note = quote_value(word) + " is not in dotted-quad form; glibc reads it as " +
               legacy->to_string() + ", other resolvers may refuse it";
        return ns;
    }
    why = "not an IPv4 or IPv6 address";
    return std::nullopt;
}

class Parser {
public:
    Parser(std::string_view text, const std::string& path, bool note_glibc_limit)
        : text_(text),
          note_glibc_limit_(note_glibc_limit)
    {
        out_.path = path;
        out_.present = true;
    }

    ResolvConf run() &&
    {
        int line_number = 0;
        while (!text_.empty()) {
            std::string_view line = next_line(text_);
            if (line_number < INT_MAX) {
                ++line_number;
            }
            line_ = line_number;
            bool crlf = false;
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
                crlf = true;
            }
            read_line(line, crlf);
        }
        problems_.finish();
        return std::move(out_);
    }

private:
    void read_line(std::string_view line, bool crlf)
    {
        if (line.size() > max_line_length) {
            problems_.add(line_,
                          "line of " + std::to_string(line.size()) + " bytes is longer than " +
                              std::to_string(max_line_length) + "; ignored");
            return;
        }
        if (line.find('\0') != std::string_view::npos) {
            problems_.add(line_, "line holds a NUL byte; ignored");
            return;
        }
        // glibc: '#' or ';' in the first column starts a comment; nothing else does.
        if (line.empty() || starts_comment(line)) {
            return;
        }
        std::string_view rest = line;
        const std::string_view keyword = next_word(rest);
        if (is_blank(line[0])) {
            if (!keyword.empty()) {
                problems_.add(line_,
                              "line starts with a space or tab; glibc reads keywords "
                              "only at the start of a line and ignores it");
            }
            return;
        }
        if (keyword == "nameserver") {
            nameserver(rest, crlf);
            return;
        }
        if (keyword == "search") {
            search(rest);
        } else if (keyword == "domain") {
            domain(rest);
        } else if (keyword == "options") {
            for (std::string& option : words(rest)) {
                out_.options.push_back(std::move(option));
            }
        } else if (keyword == "sortlist") {
            // Orders the addresses of answers; no effect on where queries go.
        } else {
            problems_.add(line_, "unknown keyword " + quote_value(keyword) + "; glibc ignores it");
        }
        if (crlf && !crlf_noted_) {
            crlf_noted_ = true;
            problems_.add(line_,
                          "Windows line ending (CR LF): glibc keeps the CR as part of "
                          "the line's last word");
        }
    }

    void nameserver(std::string_view rest, bool crlf)
    {
        const std::string_view word = next_word(rest);
        if (word.empty()) {
            problems_.add(line_, "nameserver without an address; ignored");
            return;
        }
        std::string why;
        std::string note;
        std::optional<Nameserver> ns = parse_nameserver(word, why, note);
        if (!ns) {
            problems_.add(line_, "bad nameserver " + quote_value(word) + ": " + why + "; ignored");
            return;
        }
        if (!note.empty()) {
            problems_.add(line_, std::move(note));
        }
        // glibc reads only the first word; a second address on the line is a common mistake.
        const std::string_view extra = next_word(rest);
        if (!extra.empty() && !starts_comment(extra)) {
            problems_.add(line_, "text after the address is ignored: " + quote_value(extra));
        }
        // Measured with glibc 2.36 (Debian 12): "nameserver 192.0.2.1\r\n" leaves no server,
        // and the resolver falls back to 127.0.0.1.
        if (crlf && extra.empty()) {
            problems_.add(line_,
                          "Windows line ending (CR LF): glibc reads the address as " +
                              quote_value(std::string(word) + "\r") +
                              " and ignores this nameserver");
        }
        if (note_glibc_limit_ && out_.nameservers.size() == glibc_max_nameservers) {
            problems_.add(line_,
                          "only the first " + std::to_string(glibc_max_nameservers) +
                              " nameservers are used by glibc; " + quote_value(word) +
                              " and later are ignored");
        }
        out_.nameservers.push_back(std::move(*ns));
    }

    // "search" and "domain" replace each other's list; an empty line changes nothing.
    void search(std::string_view rest)
    {
        std::vector<std::string> domains = words(rest);
        if (domains.empty()) {
            problems_.add(line_, "search without domains; glibc ignores it");
            return;
        }
        for (const std::string& d : domains) {
            if (starts_comment(d)) {
                problems_.add(line_,
                              quote_value(d) + " does not start a comment here: glibc takes "
                                               "it and what follows as search domains");
                break;
            }
        }
        out_.search = std::move(domains);
    }

    void domain(std::string_view rest)
    {
        const std::string_view name = next_word(rest);
        if (name.empty()) {
            problems_.add(line_, "domain without a name; glibc ignores it");
            return;
        }
        if (const std::string_view extra = next_word(rest);
            !extra.empty() && !starts_comment(extra)) {
            problems_.add(line_, "domain takes one name; " + quote_value(extra) + " is ignored");
        }
        out_.search.assign(1, std::string(name));
    }

    std::string_view text_;
    bool note_glibc_limit_;
    ResolvConf out_;
    Problems problems_{out_.problems, out_.path};
    int line_ = 0;
    bool crlf_noted_ = false;
};

} // namespace

ResolvConf parse_resolv_conf(std::string_view text, const std::string& path)
{
    return Parser(text, path, true).run();
}

ResolvConf parse_upstream_list(std::string_view text, const std::string& path)
{
    return Parser(text, path, false).run();
}

bool is_resolved_stub(const net::IpAddress& address)
{
    return address.version == 4 && address.bytes[0] == 127 && address.bytes[1] == 0 &&
           address.bytes[2] == 0 && (address.bytes[3] == 53 || address.bytes[3] == 54);
}

} // namespace wtfn::platform
