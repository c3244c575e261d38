// Attribute access shared by the rtnetlink parsers: every read checks the attribute's
// length first, so a short attribute is treated as absent.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "net/ip_address.h"

namespace wtfn::platform::linux_impl {

// True when `nlh` can be parsed with a fixed header of `header` bytes: long enough, and a
// length that is a multiple of 4 as every kernel message's is. libmnl walks attributes up to
// the aligned length, so an unaligned length would let it read up to 3 bytes past the
// message (found by fuzz_rtnl).
inline bool well_formed(const nlmsghdr* nlh, std::size_t header)
{
    return nlh->nlmsg_len >= mnl_nlmsg_size(header) && nlh->nlmsg_len % MNL_ALIGNTO == 0;
}

// Names the kernel sends are short (an interface name is at most 15 bytes); a longer one is
// cut here, so a wrong message cannot make a report line or a column arbitrarily wide.
inline constexpr std::size_t MAX_ATTR_STRING = 64;

struct Attrs {
    static constexpr int MAX = 64;
    std::array<const nlattr*, MAX + 1> tb{};

    const nlattr* operator[](int type) const { return tb[static_cast<std::size_t>(type)]; }
};

inline int collect_attr(const nlattr* attr, void* data)
{
    auto* a = static_cast<Attrs*>(data);
    const int type = mnl_attr_get_type(attr);
    if (type >= 0 && type <= Attrs::MAX) {
        a->tb[static_cast<std::size_t>(type)] = attr;
    }
    return MNL_CB_OK;
}

inline std::string attr_string(const nlattr* a)
{
    if (a == nullptr) {
        return {};
    }
    const auto* p = static_cast<const char*>(mnl_attr_get_payload(a));
    const std::size_t n = mnl_attr_get_payload_len(a);
    return std::string(p, strnlen(p, n < MAX_ATTR_STRING ? n : MAX_ATTR_STRING));
}

inline bool attr_u32(const nlattr* a, std::uint32_t& out)
{
    if (a == nullptr || mnl_attr_validate(a, MNL_TYPE_U32) < 0) {
        return false;
    }
    out = mnl_attr_get_u32(a);
    return true;
}

inline bool attr_u8(const nlattr* a, std::uint8_t& out)
{
    if (a == nullptr || mnl_attr_validate(a, MNL_TYPE_U8) < 0) {
        return false;
    }
    out = mnl_attr_get_u8(a);
    return true;
}

inline bool attr_address(const nlattr* a, int family, net::IpAddress& out)
{
    if (a == nullptr || (family != AF_INET && family != AF_INET6)) {
        return false;
    }
    const std::size_t need = family == AF_INET ? 4 : 16;
    if (mnl_attr_get_payload_len(a) < need) {
        return false;
    }
    const util::Bytes b(static_cast<const std::uint8_t*>(mnl_attr_get_payload(a)), need);
    out = family == AF_INET ? net::IpAddress::v4(b) : net::IpAddress::v6(b);
    return true;
}

// A fixed-size struct payload (fib_rule_uid_range, ...), copied out when long enough.
template <typename T>
bool attr_struct(const nlattr* a, T& out)
{
    if (a == nullptr || mnl_attr_get_payload_len(a) < sizeof(T)) {
        return false;
    }
    std::memcpy(&out, mnl_attr_get_payload(a), sizeof(T));
    return true;
}

} // namespace wtfn::platform::linux_impl
