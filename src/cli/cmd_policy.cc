// `wtfn dns leak policy show`: prints a built-in profile, or a policy file as wtfn read it,
// as a policy document to start from (docs/policy.md). Also select_policy(), shared by the
// commands that take --profile / --policy.
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.h"
#include "dnsleak/pipeline/watch_session.h"

namespace wtfn::cli {

bool select_policy(const std::string& profile,
                   const std::string& policy_file,
                   dnsleak::Policy& out,
                   std::string& error)
{
    if (!policy_file.empty()) {
        return dnsleak::load_policy(policy_file, out, error);
    }
    const std::string name = profile.empty() ? std::string(dnsleak::DEFAULT_PROFILE) : profile;
    auto p = dnsleak::builtin_policy(name);
    if (!p) {
        error = "--profile '" + name + "' is not a built-in profile; use full-tunnel, " +
                "proxy-stub or split";
        return false;
    }
    out = *p;
    return true;
}

void setup_policy(CLI::App& leak)
{
    struct Flags {
        std::string profile;
        std::string policy_file;
    };

    auto flags = std::make_shared<Flags>();
    auto* policy = leak.add_subcommand("policy", "Policies: what the safe DNS path is");
    policy->require_subcommand(1);
    auto* show = policy->add_subcommand(
        "show",
        "Print a built-in profile (or a policy file, as wtfn reads it) as a JSON policy "
        "document, to start your own from");
    show->footer("Examples:\n"
                 "  wtfn dns leak policy show                       # the default, proxy-stub\n"
                 "  wtfn dns leak policy show --profile split > my-policy.json\n"
                 "  wtfn dns leak policy show --policy my-policy.json # check a file\n"
                 "Exit status: 0 shown, 2 unknown profile or invalid policy file.");
    auto* profile =
        show->add_option("--profile", flags->profile, "full-tunnel, proxy-stub (default) or split");
    show->add_option("--policy", flags->policy_file, "A policy file to validate and print")
        ->excludes(profile);
    show->callback([flags]() {
        dnsleak::Policy p;
        std::string error;
        if (!select_policy(flags->profile, flags->policy_file, p, error)) {
            fmt::print(stderr, "wtfn: error: {}\n", error);
            g_exit_status = dnsleak::EXIT_FAILED;
            return;
        }
        const std::string text = dnsleak::policy_json(p);
        if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
            std::fflush(stdout) != 0) {
            fmt::print(stderr, "wtfn: error: cannot write to standard output\n");
            g_exit_status = dnsleak::EXIT_FAILED;
            return;
        }
        g_exit_status = dnsleak::EXIT_CLEAN;
    });
}

} // namespace wtfn::cli
