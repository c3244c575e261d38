#include "net/ip_address.h"

#include <arpa/inet.h>

namespace wtfn::net {

std::string IpAddress::to_string() const
{
    char buf[INET6_ADDRSTRLEN] = {};
    if (version == 4) {
        inet_ntop(AF_INET, bytes.data(), buf, sizeof buf);
    } else if (version == 6) {
        inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
    } else {
        return "-";
    }
    return buf;
}

IpAddress parse_ip(const std::string& text)
{
    IpAddress a;
    if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) {
        a.version = 4;
    } else if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) {
        a.version = 6;
    }
    return a;
}

} // namespace wtfn::net
