// The command line the redacted privacy mode keeps: its start, cut on a UTF-8 boundary.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wtfn::dnsleak {

inline constexpr std::size_t REDACTED_CMDLINE_BYTES = 48;

// `cmdline` as read from /proc/<pid>/cmdline: arguments separated (and terminated) by NUL.
// Trailing NULs are dropped, every other NUL becomes a space, and at most `max_bytes` bytes
// are kept, backing off so that no UTF-8 sequence is cut in half; "…" (U+2026, 3 bytes) is
// appended when anything was cut. Other bytes are kept as they are: escaping for a terminal
// or JSON is the output's job (util/escape.h).
std::string truncate_cmdline(std::string_view cmdline,
                             std::size_t max_bytes = REDACTED_CMDLINE_BYTES);

// The command line the redacted mode shows: the program and its options, never a value
// that could be a name. A command line is where a query name often sits
// (`dig secret.example`, `curl https://secret.example/`), so every argument but the first
// that is not an option, and every option value holding a '.', ':', '/' or '@' (a name, an
// address, a URL, a path), becomes "*"; then the result is cut to `max_bytes` as above.
// Arguments are split at NUL (as /proc/PID/cmdline has them) or, failing that, at spaces.
std::string redact_cmdline(std::string_view cmdline,
                           std::size_t max_bytes = REDACTED_CMDLINE_BYTES);

} // namespace wtfn::dnsleak
