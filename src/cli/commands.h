// One setup function per subcommand (CLI11's subcommands-in-files pattern): each binds its
// flags and sets the callback that runs it. The CLI holds no logic of its own.
#pragma once

#include <CLI/CLI.hpp>

namespace wtfn::cli {

// Exit status chosen by the subcommand that ran.
extern int g_exit_status;

void setup_watch(CLI::App& leak);
void setup_status(CLI::App& leak);

} // namespace wtfn::cli
