// fuzz_system_dns: the system DNS configuration readers (src/platform/system_dns.h) on one
// text file: parse_resolv_conf() as /etc/resolv.conf, parse_upstream_list() as resolved's
// list of upstream servers, and parse_resolved_server() on each of the first 256 lines, as
// resolved.conf's DNS= words. The header promises that broken input becomes ConfigProblems,
// never an exception, and that every message is printable ASCII (it reaches terminals).
// The seeds (fuzz/corpus/fuzz_system_dns/) are written by hand, not by fuzz/make_seeds.py.
#include "platform/system_dns.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "fuzz_common.h"

namespace {

using wtfn::platform::ConfigProblem;
using wtfn::platform::Nameserver;
using wtfn::platform::ResolvConf;

// parse_resolved_server() is fed at most this many lines of one input.
constexpr std::size_t max_server_lines = 256;

// The readers list at most 100 problems per file, then one line that counts the rest.
constexpr std::size_t max_problems = 100 + 1;

bool printable_ascii(std::string_view s)
{
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c > 0x7e) {
            return false;
        }
    }
    return true;
}

// Lines as the readers count them: '\n' ends a line, and a last line without one counts.
std::size_t count_lines(std::string_view text)
{
    std::size_t n = 0;
    for (const char c : text) {
        n += c == '\n' ? 1 : 0;
    }
    if (!text.empty() && text.back() != '\n') {
        ++n;
    }
    return n;
}

// Words as resolv.conf separates them (space and tab) within lines: an upper bound on the
// number of search domains or options any reading of the text can produce.
std::size_t count_tokens(std::string_view text)
{
    std::size_t n = 0;
    bool in_word = false;
    for (const char c : text) {
        const bool sep = c == ' ' || c == '\t' || c == '\n';
        if (!sep && !in_word) {
            ++n;
        }
        in_word = !sep;
    }
    return n;
}

void check_server(const Nameserver& ns)
{
    WTFN_FUZZ_CHECK(ns.address.version == 4 || ns.address.version == 6);
    WTFN_FUZZ_CHECK(ns.port != 0);
    (void)ns.address.to_string();
    (void)wtfn::platform::is_resolved_stub(ns.address);
}

void check_problem(const ConfigProblem& p, const std::string& path, std::size_t lines)
{
    WTFN_FUZZ_CHECK(p.path == path);
    WTFN_FUZZ_CHECK(p.line >= 0);
    WTFN_FUZZ_CHECK(static_cast<std::size_t>(p.line) <= lines + 1);
    WTFN_FUZZ_CHECK(!p.message.empty());
    WTFN_FUZZ_CHECK(printable_ascii(p.message));
}

void check_resolv_conf(const ResolvConf& rc,
                       const std::string& path,
                       std::size_t lines,
                       std::size_t tokens)
{
    WTFN_FUZZ_CHECK(rc.path == path);
    WTFN_FUZZ_CHECK(rc.present);
    WTFN_FUZZ_CHECK(rc.symlink_target.empty());
    // One nameserver per line at most, and resolv.conf has no port syntax.
    WTFN_FUZZ_CHECK(rc.nameservers.size() <= lines);
    for (const Nameserver& ns : rc.nameservers) {
        check_server(ns);
        WTFN_FUZZ_CHECK(ns.port == 53);
        WTFN_FUZZ_CHECK(!ns.text.empty());
        WTFN_FUZZ_CHECK(ns.server_name.empty());
        // A %zone is accepted on IPv6 addresses only.
        WTFN_FUZZ_CHECK(ns.interface.empty() || ns.address.version == 6);
    }
    WTFN_FUZZ_CHECK(rc.search.size() <= tokens);
    WTFN_FUZZ_CHECK(rc.options.size() <= tokens);
    for (const std::string& s : rc.search) {
        WTFN_FUZZ_CHECK(!s.empty());
    }
    for (const std::string& o : rc.options) {
        WTFN_FUZZ_CHECK(!o.empty());
    }
    WTFN_FUZZ_CHECK(rc.problems.size() <= max_problems);
    for (const ConfigProblem& p : rc.problems) {
        check_problem(p, path, lines);
    }
}

void check_resolved_servers(std::string_view text)
{
    std::string_view rest = text;
    for (std::size_t i = 0; i < max_server_lines && !rest.empty(); ++i) {
        const std::string_view line = wtfn::fuzz::next_line(rest);

        std::string error;
        const auto server = wtfn::platform::parse_resolved_server(line, error);
        if (server) {
            WTFN_FUZZ_CHECK(error.empty());
            check_server(*server);
            WTFN_FUZZ_CHECK(server->text == line);
            // The text is cut at the first '#' and then at the first '%'.
            WTFN_FUZZ_CHECK(server->server_name.size() < line.size());
            WTFN_FUZZ_CHECK(server->interface.size() < line.size());
        } else {
            WTFN_FUZZ_CHECK(!error.empty());
            WTFN_FUZZ_CHECK(printable_ascii(error));
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const wtfn::fuzz::ExactCopy input(data, size);
    const std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
    const std::size_t lines = count_lines(text);
    const std::size_t tokens = count_tokens(text);

    try {
        const std::string etc = "/etc/resolv.conf";
        check_resolv_conf(wtfn::platform::parse_resolv_conf(text, etc), etc, lines, tokens);
        const std::string upstream = "/run/systemd/resolve/resolv.conf";
        check_resolv_conf(
            wtfn::platform::parse_upstream_list(text, upstream), upstream, lines, tokens);
        check_resolved_servers(text);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "exception: %s\n", e.what());
        wtfn::fuzz::invariant_failed("no exception escapes", __FILE__, __LINE__);
    } catch (...) {
        wtfn::fuzz::invariant_failed("no exception escapes", __FILE__, __LINE__);
    }
    return 0;
}
