// wtfn: finds DNS that escapes the path it should take (a VPN tunnel, a proxy's stub
// resolver, a split-routing policy), with evidence. See docs/cli.md.
#include <fmt/format.h>

#include "cli/commands.h"
#include "dnsleak/pipeline/watch_session.h"

namespace wtfn::cli {
int g_exit_status = dnsleak::EXIT_CLEAN;
} // namespace wtfn::cli

int main(int argc, char** argv)
{
    CLI::App app{"wtfn: what the net? Watches DNS leaving this machine (plain DNS, DoT, DoQ, "
                 "DoH) and shows where it goes.",
                 "wtfn"};
    app.set_version_flag("--version", std::string("wtfn ") + WTFN_VERSION);
    app.require_subcommand(1);
    auto* dns = app.add_subcommand("dns", "DNS tools");
    dns->require_subcommand(1);
    auto* leak = dns->add_subcommand("leak", "Find DNS leaks: DNS that escapes the intended path");
    leak->require_subcommand(1);
    wtfn::cli::setup_status(*leak);
    wtfn::cli::setup_policy(*leak);
    wtfn::cli::setup_watch(*leak);
    wtfn::cli::setup_report(*leak);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // Usage errors are failures: one line naming the problem, then the exit status 2.
        std::string which = "dns leak";
        for (const auto* sub : leak->get_subcommands()) {
            which += " " + sub->get_name();
        }
        fmt::print(stderr, "wtfn: error: {}; see `wtfn {} --help`\n", e.what(), which);
        return wtfn::dnsleak::EXIT_FAILED;
    }
    return wtfn::cli::g_exit_status;
}
