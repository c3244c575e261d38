// How JSON values and positions are named in error messages, shared by the readers of untrusted
// JSON (policy files, saved reports). Header-only and templated on the nlohmann type, so util
// itself does not depend on the JSON library.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wtfn::util {

// "an object", "an integer", ...: completes "expected X, got ...".
template <typename Json>
std::string json_type_name(const Json& j)
{
    switch (j.type()) {
        case Json::value_t::object:
            return "an object";
        case Json::value_t::array:
            return "an array";
        case Json::value_t::string:
            return "a string";
        case Json::value_t::boolean:
            return "a boolean";
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
            return "an integer";
        case Json::value_t::number_float:
            return "a number with a fraction";
        case Json::value_t::null:
            return "null";
        default:
            return "something else";
    }
}

// The 1-based line and column of byte offset `byte` in `text`, for "line L column C" in a
// JSON syntax error (the parser reports a byte offset).
inline void
line_column(std::string_view text, std::size_t byte, std::size_t& line, std::size_t& col)
{
    line = 1;
    col = 1;
    for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
}

} // namespace wtfn::util
