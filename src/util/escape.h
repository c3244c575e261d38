// Escaping of bytes that came off the wire before they reach a terminal or a JSON document
// (RELIABILITY.md row 17): a query name may hold ESC, NUL or newline, and must not be able
// to move the cursor, clear the screen or split a log line.
#pragma once

#include <string>
#include <string_view>

namespace wtfn::util {

// Appends `raw` with every byte outside printable ASCII (and the backslash) written as \xNN.
void append_escaped_text(std::string& out, std::string_view raw);

std::string escaped_text(std::string_view raw);

// A value quoted back in a one-line message: in double quotes, escaped, cut after `max` bytes
// with "..." so a huge value cannot flood the line.
std::string quoted_excerpt(std::string_view raw, std::size_t max = 80);

// Appends `raw` as a quoted JSON string. Each byte outside printable ASCII becomes \u00NN, so
// the mapping is byte-exact and reversible and the output is always valid UTF-8.
void append_json_string(std::string& out, std::string_view raw);

} // namespace wtfn::util
