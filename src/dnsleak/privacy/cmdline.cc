#include "dnsleak/privacy/cmdline.h"

#include <algorithm>

namespace wtfn::dnsleak {
namespace {

constexpr std::string_view ELLIPSIS = "\xE2\x80\xA6";

bool continuation_byte(char c)
{
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

} // namespace

std::string truncate_cmdline(std::string_view cmdline, std::size_t max_bytes)
{
    while (!cmdline.empty() && cmdline.back() == '\0') {
        cmdline.remove_suffix(1);
    }
    std::size_t keep = cmdline.size();
    const bool cut = keep > max_bytes;
    if (cut) {
        keep = max_bytes;
        // cmdline[keep] is the first byte dropped. If it continues a sequence, drop that
        // sequence's earlier bytes too (at most 3 in valid UTF-8; invalid input stops there).
        for (int back = 0; back < 3 && keep > 0 && continuation_byte(cmdline[keep]); ++back) {
            --keep;
        }
    }
    std::string out(cmdline.substr(0, keep));
    std::replace(out.begin(), out.end(), '\0', ' ');
    if (cut) {
        out += ELLIPSIS;
    }
    return out;
}

std::string redact_cmdline(std::string_view cmdline, std::size_t max_bytes)
{
    while (!cmdline.empty() && (cmdline.back() == '\0' || cmdline.back() == ' ')) {
        cmdline.remove_suffix(1);
    }
    const char sep = cmdline.find('\0') != std::string_view::npos ? '\0' : ' ';
    std::string out;
    bool first = true;
    while (!cmdline.empty() && out.size() <= max_bytes) {
        const std::size_t end = std::min(cmdline.find(sep), cmdline.size());
        const std::string_view arg = cmdline.substr(0, end);
        cmdline.remove_prefix(std::min(end + 1, cmdline.size()));
        if (arg.empty()) {
            continue;
        }
        if (!first) {
            out.push_back(' ');
        }
        const bool option = arg.front() == '-' || arg.front() == '+';
        const bool telling = arg.find_first_of(".:/@") != std::string_view::npos;
        if (first) {
            // The program: its file name only, a path can hold a user's name.
            const std::size_t slash = arg.rfind('/');
            out += arg.substr(slash == std::string_view::npos ? 0 : slash + 1);
        } else if (option && !telling) {
            out += arg;
        } else if (option) {
            // "--server=1.2.3.4" keeps "--server=*"; "+tls-host=x.y" keeps "+tls-host=*".
            const std::size_t eq = arg.find('=');
            out += eq == std::string_view::npos ? std::string_view("*") : arg.substr(0, eq + 1);
            if (eq != std::string_view::npos) {
                out.push_back('*');
            }
        } else {
            out.push_back('*');
        }
        first = false;
    }
    return truncate_cmdline(out, max_bytes);
}

} // namespace wtfn::dnsleak
