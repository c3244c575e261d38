// Helpers shared by the fuzz targets (STYLE.md C12, RELIABILITY.md F1, F6).
//
// Every target copies its input into a heap buffer of exactly `size` bytes before parsing,
// so AddressSanitizer reports a read one byte past the end. libFuzzer's own buffer is
// exact-size already; the standalone replayer (standalone_main.cc) and any future caller
// that hands us a slice of a larger buffer are not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace wtfn::fuzz {

// Error and warning messages are one line of printable ASCII (RELIABILITY.md row 17).
inline bool one_printable_line(std::string_view s)
{
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7F) {
            return false;
        }
    }
    return !s.empty();
}

// Printable ASCII and newlines only: text meant for a terminal.
inline bool printable_lines(std::string_view s)
{
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c != '\n' && (u < 0x20 || u >= 0x7F)) {
            return false;
        }
    }
    return !s.empty();
}

// The next line of `rest` without its '\n', taken off the front of `rest`.
inline std::string_view next_line(std::string_view& rest)
{
    const std::size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    return line;
}

// An exact-size heap copy of `size` bytes (a zero-size allocation for empty input).
class ExactCopy {
public:
    ExactCopy(const std::uint8_t* data, std::size_t size)
        : bytes_(new std::uint8_t[size]),
          size_(size)
    {
        if (size != 0) {
            std::memcpy(bytes_.get(), data, size);
        }
    }

    const std::uint8_t* data() const { return bytes_.get(); }

    std::size_t size() const { return size_; }

private:
    std::unique_ptr<std::uint8_t[]> bytes_;
    std::size_t size_;
};

// An invariant of the code under test was broken: say which, then abort so that libFuzzer
// (or CTest) records the input as a crash.
[[noreturn]] inline void invariant_failed(const char* what, const char* file, int line)
{
    std::fprintf(stderr, "%s:%d: fuzz invariant violated: %s\n", file, line, what);
    std::abort();
}

} // namespace wtfn::fuzz

#define WTFN_FUZZ_CHECK(cond)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ::wtfn::fuzz::invariant_failed(#cond, __FILE__, __LINE__);                             \
        }                                                                                          \
    } while (false)
