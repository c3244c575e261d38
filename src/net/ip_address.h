// IpAddress: an IPv4 or IPv6 address held by value (16 bytes + family), cheap to compare and
// hash, so flow keys need no allocation.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "util/byte_reader.h"

namespace wtfn::net {

struct IpAddress {
    std::array<std::uint8_t, 16> bytes{}; // IPv4 uses the first 4
    std::uint8_t version = 0;             // 4, 6, or 0 when unset

    static IpAddress v4(util::Bytes b)
    {
        IpAddress a;
        std::memcpy(a.bytes.data(), b.data(), 4);
        a.version = 4;
        return a;
    }

    static IpAddress v6(util::Bytes b)
    {
        IpAddress a;
        std::memcpy(a.bytes.data(), b.data(), 16);
        a.version = 6;
        return a;
    }

    bool operator==(const IpAddress&) const = default;

    std::size_t length() const { return version == 4 ? 4 : 16; }

    // 127.0.0.0/8 or ::1: the machine itself.
    bool is_loopback() const
    {
        if (version == 4) {
            return bytes[0] == 127;
        }
        static constexpr std::array<std::uint8_t, 16> v6_loopback{
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        return version == 6 && bytes == v6_loopback;
    }

    // "192.0.2.1", "2001:db8::1" (RFC 5952 form, via inet_ntop).
    std::string to_string() const;

    std::uint64_t hash() const
    {
        std::uint64_t lo = 0;
        std::uint64_t hi = 0;
        std::memcpy(&lo, bytes.data(), 8);
        std::memcpy(&hi, bytes.data() + 8, 8);
        return (lo * 0x9E3779B97F4A7C15ULL) ^ (hi + version) * 0xC2B2AE3D27D4EB4FULL;
    }
};

// Parses a textual IPv4 or IPv6 address; version stays 0 when the text is not one.
IpAddress parse_ip(const std::string& text);

} // namespace wtfn::net
