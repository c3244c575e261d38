// The only DNS name decoder in wtfn (STYLE.md C3). It follows compression pointers under the
// rules of RELIABILITY.md rows 1-4:
//   - a pointer must target an offset strictly before the start of the run of labels that
//     holds it, so every jump lands earlier than the last and a loop cannot form;
//   - at most 127 pointer hops per name;
//   - at most 255 wire octets per decoded name (dns.name_too_long at the 256th);
//   - a per-message budget of decoded octets (dns.work_limit) bounds the work a small message
//     can cause by sharing suffixes;
//   - length bytes 0x40-0xBF: 0x41 and 0x7F are the RFC 6891 extended label types
//     (dns.bad_label_type); any other value there is a label longer than 63 octets
//     (dns.label_too_long).
// The text form is lower-cased ASCII, at most 253 characters; bytes are kept as they are
// (escaping is the output's job) so that names compare byte-exactly.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "util/byte_reader.h"
#include "util/malformed.h"

namespace wtfn::proto {

inline constexpr std::size_t MAX_NAME_TEXT = 253;
inline constexpr std::size_t MAX_NAME_WIRE = 255;
inline constexpr int MAX_POINTER_HOPS = 127;
inline constexpr std::size_t NAME_WORK_BUDGET = 64 * 1024;

struct DnsName {
    std::array<char, MAX_NAME_TEXT + 1> text{};
    std::uint16_t length = 0;

    std::string_view view() const { return {text.data(), length}; }
};

// Remaining decode work for one message; shared by every name in it.
struct NameBudget {
    std::size_t octets_left = NAME_WORK_BUDGET;
};

enum class NameStatus : std::uint8_t {
    ok,
    truncated, // the message ended inside the name; the caller names the class
    bad_pointer,
    too_many_hops,
    work_limit,
    label_too_long,
    bad_label_type,
    name_too_long,
};

// Maps a failed NameStatus to its malformed class; `truncated_as` is used for `truncated`.
util::Malformed name_error_class(NameStatus s, util::Malformed truncated_as);

// Decodes the name that starts at `offset` in `message`. On success, `offset` moves past the
// name as it sits in place (past the first pointer, if any). `out` may be null to validate
// and skip a name without copying it.
NameStatus read_name(util::Bytes message, std::size_t& offset, DnsName* out, NameBudget& budget);

} // namespace wtfn::proto
