// `wtfn dns leak status`: flags -> StatusOptions -> collect_status() -> text or JSON.
// See docs/cli.md.
#include <memory>

#include <unistd.h>

#include <fmt/format.h>

#include "cli/commands.h"
#include "dnsleak/pipeline/watch_session.h"
#include "dnsleak/status/status_output.h"
#include "dnsleak/status/status_report.h"
#include "platform/platform.h"

namespace wtfn::cli {
namespace {

struct StatusFlags {
    bool json = false;
    std::vector<std::string> route_to;
    std::string mark;
    std::string profile;
    std::string policy_file;
};

void fail(const std::string& line)
{
    fmt::print(stderr, "wtfn: error: {}\n", line);
    g_exit_status = dnsleak::EXIT_FAILED;
}

// A mark as `ip` takes it: decimal or 0x-hex, 32 bits.
std::optional<std::uint32_t> parse_mark(const std::string& text)
{
    if (text.empty() || text.size() > 10) {
        return std::nullopt;
    }
    std::size_t used = 0;
    unsigned long v = 0;
    try {
        v = std::stoul(text, &used, 0);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    if (used != text.size() || v > 0xFFFFFFFFUL) {
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(v);
}

void run_status(const StatusFlags& f)
{
    dnsleak::StatusOptions opt;
    std::string error;
    if (!select_policy(f.profile, f.policy_file, opt.policy, error)) {
        fail(error);
        return;
    }
    for (const auto& t : f.route_to) {
        const net::IpAddress a = net::parse_ip(t);
        if (a.version == 0) {
            fail("--route-to '" + t + "' is not an IP address; give one such as 1.1.1.1 or " +
                 "2001:db8::1");
            return;
        }
        opt.route_to.push_back(a);
    }
    if (!f.mark.empty()) {
        opt.mark = parse_mark(f.mark);
        if (!opt.mark) {
            fail("--mark '" + f.mark + "' is not a 32-bit firewall mark; write it as a number " +
                 "such as 51820 or 0xca6c");
            return;
        }
    }
    auto platform = platform::open_network_platform(error);
    dnsleak::StatusReport report;
    if (!platform || !dnsleak::collect_status(*platform, opt, report, error)) {
        fail(error);
        return;
    }
    const std::string text = f.json ? dnsleak::status_json(report) : dnsleak::status_text(report);
    if (fwrite(text.data(), 1, text.size(), stdout) != text.size() || fflush(stdout) != 0) {
        fail("cannot write to standard output");
        return;
    }
    g_exit_status = dnsleak::EXIT_CLEAN;
}

} // namespace

void setup_status(CLI::App& leak)
{
    auto flags = std::make_shared<StatusFlags>();
    auto* cmd = leak.add_subcommand(
        "status",
        "Show what decides where DNS goes: interfaces with their route class, default routes "
        "and policy rules, the system's resolvers and the path to each, and the risks found.");
    cmd->footer("Examples:\n"
                "  wtfn dns leak status\n"
                "  wtfn dns leak status --json > status.json\n"
                "  wtfn dns leak status --route-to 1.1.1.1 --route-to 2606:4700::1111\n"
                "  wtfn dns leak status --route-to 9.9.9.9 --mark 0xca6c  # as WireGuard's "
                "own packets\n"
                "Exit status: 0 shown, 2 failed (see docs/exit-codes.md).");
    cmd->add_flag("--json", flags->json, "Print one JSON document (docs/json-schema.md)");
    cmd->add_option("--route-to",
                    flags->route_to,
                    "Also show which interface the kernel would use for this destination "
                    "(repeatable)");
    cmd->add_option("--mark",
                    flags->mark,
                    "Firewall mark for the --route-to lookups (0x.. or "
                    "decimal), as a VPN's own packets carry");
    auto* profile =
        cmd->add_option("--profile",
                        flags->profile,
                        "Policy profile to summarise: full-tunnel, proxy-stub (default) or split");
    cmd->add_option("--policy", flags->policy_file, "Policy file to summarise (docs/policy.md)")
        ->excludes(profile);
    cmd->callback([flags]() { run_status(*flags); });
}

} // namespace wtfn::cli
