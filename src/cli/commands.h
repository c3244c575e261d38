// One setup function per subcommand (CLI11's subcommands-in-files pattern): each binds its
// flags and sets the callback that runs it. The CLI holds no logic of its own.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "dnsleak/policy/policy.h"

namespace wtfn::cli {

// Exit status chosen by the subcommand that ran.
extern int g_exit_status;

void setup_watch(CLI::App& leak);
void setup_status(CLI::App& leak);
void setup_policy(CLI::App& leak);
void setup_report(CLI::App& leak);

// The policy a command runs with: --policy FILE, else --profile NAME, else the default
// profile. False with `error` (one line: file, key path, reason) when it cannot be used.
bool select_policy(const std::string& profile,
                   const std::string& policy_file,
                   dnsleak::Policy& out,
                   std::string& error);

} // namespace wtfn::cli
