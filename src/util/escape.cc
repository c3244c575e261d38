#include "util/escape.h"

namespace wtfn::util {
namespace {

constexpr char HEX[] = "0123456789abcdef";

bool printable(unsigned char c)
{
    return c >= 0x20 && c < 0x7f;
}

} // namespace

void append_escaped_text(std::string& out, std::string_view raw)
{
    for (const char ch : raw) {
        const auto c = static_cast<unsigned char>(ch);
        if (printable(c) && c != '\\') {
            out.push_back(ch);
        } else {
            out += "\\x";
            out.push_back(HEX[c >> 4]);
            out.push_back(HEX[c & 0xf]);
        }
    }
}

std::string escaped_text(std::string_view raw)
{
    std::string out;
    out.reserve(raw.size());
    append_escaped_text(out, raw);
    return out;
}

void append_json_string(std::string& out, std::string_view raw)
{
    out.push_back('"');
    for (const char ch : raw) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(ch);
        } else if (printable(c)) {
            out.push_back(ch);
        } else {
            out += "\\u00";
            out.push_back(HEX[c >> 4]);
            out.push_back(HEX[c & 0xf]);
        }
    }
    out.push_back('"');
}

std::string quoted_excerpt(std::string_view raw, std::size_t max)
{
    return "\"" + escaped_text(raw.substr(0, max)) + (raw.size() > max ? "...\"" : "\"");
}

} // namespace wtfn::util
