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

} // namespace wtfn::dnsleak
