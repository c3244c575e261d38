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

} // namespace wtfn::dnsleak
