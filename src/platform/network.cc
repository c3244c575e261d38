#include "platform/network.h"

#include <string>

namespace wtfn::platform {

const char* to_string(LinkLayer layer)
{
    switch (layer) {
        case LinkLayer::loopback:
            return "loopback";
        case LinkLayer::ethernet:
            return "ethernet";
        case LinkLayer::wifi:
            return "wifi";
        case LinkLayer::raw_ip:
            return "raw_ip";
        case LinkLayer::ppp:
            return "ppp";
        case LinkLayer::ip_tunnel:
            return "ip_tunnel";
        case LinkLayer::infiniband:
            return "infiniband";
        case LinkLayer::other:
            return "other";
        case LinkLayer::unknown:
            break;
    }
    return "unknown";
}

std::string table_name(std::uint32_t table)
{
    switch (table) {
        case 253:
            return "default";
        case 254:
            return "main";
        case 255:
            return "local";
        default:
            return std::to_string(table);
    }
}

std::string prefix_text(const net::IpAddress& address, std::uint8_t len, int family)
{
    if (len == 0) {
        return "default";
    }
    const std::string text = address.to_string();
    const unsigned host_len = family == 4 ? 32 : 128;
    if (len == host_len) {
        return text;
    }
    return text + "/" + std::to_string(len);
}

const Interface* NetworkSnapshot::find(std::uint32_t index) const
{
    for (const auto& i : interfaces) {
        if (i.index == index) {
            return &i;
        }
    }
    return nullptr;
}

const Interface* NetworkSnapshot::find(const std::string& name) const
{
    for (const auto& i : interfaces) {
        if (i.name == name) {
            return &i;
        }
    }
    return nullptr;
}

} // namespace wtfn::platform
