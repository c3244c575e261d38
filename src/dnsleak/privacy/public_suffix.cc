#include "dnsleak/privacy/public_suffix.h"

#include <array>

#include <libpsl.h>

namespace wtfn::dnsleak {
namespace {

constexpr std::size_t MAX_NAME = 255;

const psl_ctx_t* psl()
{
    // Loaded once (thread-safe static initialisation) and never freed: it lives as long as
    // the process and is only read. psl_latest() prefers the newer of the system file and
    // the built-in list.
    static const psl_ctx_t* const ctx = psl_latest(nullptr);
    return ctx;
}

// Printable ASCII without space and backslash.
bool name_byte(unsigned char c)
{
    return c > 0x20 && c < 0x7f && c != '\\';
}

} // namespace

std::string registrable_domain(std::string_view name)
{
    if (!name.empty() && name.back() == '.') {
        name.remove_suffix(1);
    }
    if (name.empty() || name.size() > MAX_NAME) {
        return {};
    }
    std::array<char, MAX_NAME + 1> lower;
    bool label_start = true;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        if (!name_byte(c)) {
            return {};
        }
        if (c == '.') {
            if (label_start) {
                return {}; // an empty label: "..", or a leading dot
            }
            label_start = true;
        } else {
            label_start = false;
        }
        lower[i] = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    if (label_start) {
        return {}; // "example.com.." ended in an empty label
    }
    lower[name.size()] = '\0';
    const psl_ctx_t* const ctx = psl();
    if (ctx == nullptr) {
        return {};
    }
    const char* const domain = psl_registrable_domain(ctx, lower.data());
    if (domain == nullptr) {
        return {};
    }
    return std::string(domain, static_cast<std::size_t>(lower.data() + name.size() - domain));
}

} // namespace wtfn::dnsleak
