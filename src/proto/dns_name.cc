#include "proto/dns_name.h"

#include <algorithm>

namespace wtfn::proto {
namespace {

void append_label(DnsName& out, const std::uint8_t* label, std::size_t len)
{
    std::size_t at = out.length;
    if (at != 0 && at < MAX_NAME_TEXT) {
        out.text[at++] = '.';
    }
    const std::size_t n = std::min(len, MAX_NAME_TEXT - at);
    char* dst = out.text.data() + at;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t c = label[i];
        // ASCII lower-casing without branches on the common path.
        dst[i] = static_cast<char>(c + (static_cast<unsigned>(c - 'A') < 26u ? 'a' - 'A' : 0));
    }
    out.length = static_cast<std::uint16_t>(at + n);
}

} // namespace

util::Malformed name_error_class(NameStatus s, util::Malformed truncated_as)
{
    switch (s) {
        case NameStatus::bad_pointer:
            return util::Malformed::dns_bad_pointer;
        case NameStatus::too_many_hops:
            return util::Malformed::dns_too_many_hops;
        case NameStatus::work_limit:
            return util::Malformed::dns_work_limit;
        case NameStatus::label_too_long:
            return util::Malformed::dns_label_too_long;
        case NameStatus::bad_label_type:
            return util::Malformed::dns_bad_label_type;
        case NameStatus::name_too_long:
            return util::Malformed::dns_name_too_long;
        case NameStatus::ok:
        case NameStatus::truncated:
            break;
    }
    return truncated_as;
}

NameStatus read_name(util::Bytes message, std::size_t& offset, DnsName* out, NameBudget& budget)
{
    if (out != nullptr) {
        out->length = 0;
    }
    std::size_t pos = offset;
    std::size_t segment_start = offset; // pointers must land strictly before this
    std::size_t wire_octets = 0;
    int hops = 0;
    bool jumped = false;
    for (;;) {
        if (pos >= message.size()) {
            return NameStatus::truncated;
        }
        const std::uint8_t b = message[pos];
        if (b == 0) {
            if (!jumped) {
                offset = pos + 1;
            }
            if (out != nullptr && out->length == 0) {
                out->text[0] = '.';
                out->length = 1;
            }
            return NameStatus::ok;
        }
        if ((b & 0xC0) == 0xC0) {
            if (message.size() - pos < 2) {
                return NameStatus::truncated;
            }
            const std::size_t target = (std::size_t{b & 0x3Fu} << 8) | message[pos + 1];
            if (target >= segment_start) {
                return NameStatus::bad_pointer;
            }
            if (++hops > MAX_POINTER_HOPS) {
                return NameStatus::too_many_hops;
            }
            if (!jumped) {
                offset = pos + 2;
                jumped = true;
            }
            pos = target;
            segment_start = target;
            continue;
        }
        if ((b & 0xC0) != 0) {
            return (b == 0x41 || b == 0x7F) ? NameStatus::bad_label_type
                                            : NameStatus::label_too_long;
        }
        const std::size_t len = b;
        wire_octets += len + 1;
        if (wire_octets + 1 > MAX_NAME_WIRE) { // + 1 for the root octet still to come
            return NameStatus::name_too_long;
        }
        if (len + 1 > budget.octets_left) {
            budget.octets_left = 0;
            return NameStatus::work_limit;
        }
        budget.octets_left -= len + 1;
        if (len > message.size() - pos - 1) {
            return NameStatus::truncated;
        }
        if (out != nullptr) {
            append_label(*out, message.data() + pos + 1, len);
        }
        pos += len + 1;
    }
}

} // namespace wtfn::proto
