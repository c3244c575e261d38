// Names of DNS record types and response codes, as dig prints them.
#include <cstdio>

#include "proto/dns_message.h"

namespace wtfn::proto {

std::string_view qtype_name(std::uint16_t type, std::array<char, 12>& scratch)
{
    switch (type) {
        case 1:
            return "A";
        case 2:
            return "NS";
        case 5:
            return "CNAME";
        case 6:
            return "SOA";
        case 12:
            return "PTR";
        case 15:
            return "MX";
        case 16:
            return "TXT";
        case 28:
            return "AAAA";
        case 33:
            return "SRV";
        case 35:
            return "NAPTR";
        case 41:
            return "OPT";
        case 43:
            return "DS";
        case 46:
            return "RRSIG";
        case 47:
            return "NSEC";
        case 48:
            return "DNSKEY";
        case 64:
            return "SVCB";
        case 65:
            return "HTTPS";
        case 255:
            return "ANY";
        default: {
            const int n = std::snprintf(scratch.data(), scratch.size(), "TYPE%u", unsigned{type});
            return {scratch.data(), static_cast<std::size_t>(n)};
        }
    }
}

std::string_view rcode_name(std::uint16_t rcode, std::array<char, 12>& scratch)
{
    switch (rcode) {
        case 0:
            return "NOERROR";
        case 1:
            return "FORMERR";
        case 2:
            return "SERVFAIL";
        case 3:
            return "NXDOMAIN";
        case 4:
            return "NOTIMP";
        case 5:
            return "REFUSED";
        case 9:
            return "NOTAUTH";
        case 16:
            return "BADVERS";
        default: {
            const int n = std::snprintf(scratch.data(), scratch.size(), "RCODE%u", unsigned{rcode});
            return {scratch.data(), static_cast<std::size_t>(n)};
        }
    }
}

} // namespace wtfn::proto
