// ByteReader: a bounds-checked cursor over untrusted bytes whose error latches.
//
// Every parser of packet bytes reads through this class (STYLE.md C1). A read past the end
// sets a sticky error, returns 0 and leaves the position where it was, so a caller can read a
// run of fields and check once (`if (!r) return ...`). There is no way to read outside the
// span it was built on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace wtfn::util {

using Bytes = std::span<const std::uint8_t>;

class ByteReader {
public:
    constexpr ByteReader() = default;

    constexpr explicit ByteReader(Bytes data) : data_(data) {}

    // True while no read has run past the end.
    constexpr explicit operator bool() const { return !failed_; }

    constexpr bool failed() const { return failed_; }

    constexpr std::size_t position() const { return pos_; }

    constexpr std::size_t remaining() const { return failed_ ? 0 : data_.size() - pos_; }

    constexpr std::size_t size() const { return data_.size(); }

    constexpr Bytes whole() const { return data_; }

    constexpr std::uint8_t u8()
    {
        if (!need(1)) {
            return 0;
        }
        return data_[pos_++];
    }

    constexpr std::uint16_t u16()
    {
        if (!need(2)) {
            return 0;
        }
        const auto v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
        pos_ += 2;
        return v;
    }

    constexpr std::uint32_t u32()
    {
        if (!need(4)) {
            return 0;
        }
        const std::uint32_t v = (std::uint32_t{data_[pos_]} << 24) |
                                (std::uint32_t{data_[pos_ + 1]} << 16) |
                                (std::uint32_t{data_[pos_ + 2]} << 8) | data_[pos_ + 3];
        pos_ += 4;
        return v;
    }

    // A view of the next n bytes; empty (and the error latched) if fewer remain.
    constexpr Bytes take(std::size_t n)
    {
        if (!need(n)) {
            return {};
        }
        const auto out = data_.subspan(pos_, n);
        pos_ += n;
        return out;
    }

    constexpr bool skip(std::size_t n)
    {
        if (!need(n)) {
            return false;
        }
        pos_ += n;
        return true;
    }

    // Moves to an absolute offset inside the span (used for DNS compression pointers).
    constexpr bool seek(std::size_t offset)
    {
        if (failed_ || offset > data_.size()) {
            failed_ = true;
            return false;
        }
        pos_ = offset;
        return true;
    }

    constexpr Bytes rest() const { return failed_ ? Bytes{} : data_.subspan(pos_); }

private:
    // Subtraction-safe: never computes pos_ + n, which could wrap.
    constexpr bool need(std::size_t n)
    {
        if (failed_ || n > data_.size() - pos_) {
            failed_ = true;
            return false;
        }
        return true;
    }

    Bytes data_{};
    std::size_t pos_ = 0;
    bool failed_ = false;
};

// Little-endian helpers for capture-file headers written by little-endian machines.
constexpr std::uint16_t load_u16(const std::uint8_t* p, bool big_endian)
{
    return big_endian ? static_cast<std::uint16_t>((p[0] << 8) | p[1])
                      : static_cast<std::uint16_t>((p[1] << 8) | p[0]);
}

constexpr std::uint32_t load_u32(const std::uint8_t* p, bool big_endian)
{
    return big_endian ? (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
                            (std::uint32_t{p[2]} << 8) | p[3]
                      : (std::uint32_t{p[3]} << 24) | (std::uint32_t{p[2]} << 16) |
                            (std::uint32_t{p[1]} << 8) | p[0];
}

} // namespace wtfn::util
