#include "platform/link_types.h"

namespace wtfn::platform {
namespace {

// The values of linux/if_arp.h, spelled out so that this file builds on any OS.
enum : std::uint16_t {
    ARPHRD_ETHER = 1,
    ARPHRD_INFINIBAND = 32,
    ARPHRD_SLIP = 256,
    ARPHRD_CAN = 280,
    ARPHRD_PPP = 512,
    ARPHRD_TUNNEL = 768,
    ARPHRD_TUNNEL6 = 769,
    ARPHRD_LOOPBACK = 772,
    ARPHRD_SIT = 776,
    ARPHRD_IPGRE = 778,
    ARPHRD_IEEE80211 = 801,
    ARPHRD_IEEE80211_PRISM = 802,
    ARPHRD_IEEE80211_RADIOTAP = 803,
    ARPHRD_IP6GRE = 823,
    ARPHRD_NETLINK = 824,
    ARPHRD_RAWIP = 519,
    ARPHRD_NONE = 0xFFFE,
    ARPHRD_VOID = 0xFFFF,
};

} // namespace

std::string arphrd_name(std::uint16_t type)
{
    switch (type) {
        case ARPHRD_ETHER:
            return "ether";
        case ARPHRD_LOOPBACK:
            return "loopback";
        case ARPHRD_NONE:
            return "none";
        case ARPHRD_PPP:
            return "ppp";
        case ARPHRD_TUNNEL:
            return "ipip";
        case ARPHRD_TUNNEL6:
            return "tunnel6";
        case ARPHRD_SIT:
            return "sit";
        case ARPHRD_IPGRE:
            return "gre";
        case ARPHRD_IP6GRE:
            return "gre6";
        case ARPHRD_IEEE80211:
            return "ieee802.11";
        case ARPHRD_IEEE80211_PRISM:
            return "ieee802.11/prism";
        case ARPHRD_IEEE80211_RADIOTAP:
            return "ieee802.11/radiotap";
        case ARPHRD_INFINIBAND:
            return "infiniband";
        case ARPHRD_CAN:
            return "can";
        case ARPHRD_VOID:
            return "void";
        case ARPHRD_SLIP:
            return "slip";
        case ARPHRD_RAWIP:
            return "rawip";
        case ARPHRD_NETLINK:
            return "netlink";
        default:
            return "[" + std::to_string(type) + "]";
    }
}

LinkLayer arphrd_layer(std::uint16_t type)
{
    switch (type) {
        case ARPHRD_ETHER:
            return LinkLayer::ethernet;
        case ARPHRD_LOOPBACK:
            return LinkLayer::loopback;
        case ARPHRD_NONE:
        case ARPHRD_RAWIP:
            return LinkLayer::raw_ip;
        case ARPHRD_PPP:
            return LinkLayer::ppp;
        case ARPHRD_TUNNEL:
        case ARPHRD_TUNNEL6:
        case ARPHRD_SIT:
        case ARPHRD_IPGRE:
        case ARPHRD_IP6GRE:
            return LinkLayer::ip_tunnel;
        case ARPHRD_IEEE80211:
        case ARPHRD_IEEE80211_PRISM:
        case ARPHRD_IEEE80211_RADIOTAP:
            return LinkLayer::wifi;
        case ARPHRD_INFINIBAND:
            return LinkLayer::infiniband;
        default:
            return LinkLayer::other;
    }
}

LinkLayer capture_link_layer(std::uint32_t link_type)
{
    switch (link_type) {
        case 1: // LINKTYPE_ETHERNET
            return LinkLayer::ethernet;
        case 9: // LINKTYPE_PPP
            return LinkLayer::ppp;
        case 101: // LINKTYPE_RAW
        case 228: // LINKTYPE_IPV4
        case 229: // LINKTYPE_IPV6
            return LinkLayer::raw_ip;
        default:
            // NULL/LOOP (BSD loopback, but also macOS utun), SLL/SLL2 (per packet), others.
            return LinkLayer::unknown;
    }
}

} // namespace wtfn::platform
