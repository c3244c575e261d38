// The dispatch from a capture's link type to the first layer decoder.
#include "net/decode.h"

namespace wtfn::net {

const char* link_type_name(std::uint32_t link_type)
{
    switch (link_type) {
        case 0:
            return "NULL";
        case 1:
            return "EN10MB";
        case 12:
        case 14:
        case 101:
            return "RAW";
        case 108:
            return "LOOP";
        case 113:
            return "LINUX_SLL";
        case 228:
            return "IPV4";
        case 229:
            return "IPV6";
        case 276:
            return "LINUX_SLL2";
        default:
            return "unknown";
    }
}

bool link_type_supported(std::uint32_t link_type)
{
    return std::string_view(link_type_name(link_type)) != "unknown";
}

DecodeStatus decode_frame(std::uint32_t link_type,
                          util::Bytes frame,
                          PacketView& view,
                          util::MalformedCounters& bad)
{
    view = PacketView{};
    switch (link_type) {
        case static_cast<std::uint32_t>(LinkType::linux_sll2):
            return decode_sll2(frame, view, bad);
        case static_cast<std::uint32_t>(LinkType::ethernet):
            return decode_ethernet(frame, view, bad);
        case static_cast<std::uint32_t>(LinkType::linux_sll):
            return decode_sll(frame, view, bad);
        case static_cast<std::uint32_t>(LinkType::raw):
        case static_cast<std::uint32_t>(LinkType::raw_dlt):
        case static_cast<std::uint32_t>(LinkType::raw_dlt_bsd):
            return decode_ip(frame, view, bad);
        case static_cast<std::uint32_t>(LinkType::ipv4):
            return decode_ipv4(frame, view, bad);
        case static_cast<std::uint32_t>(LinkType::ipv6):
            return decode_ipv6(frame, view, bad);
        case static_cast<std::uint32_t>(LinkType::null_bsd):
            return decode_null(frame, false, view, bad);
        case static_cast<std::uint32_t>(LinkType::loop):
            return decode_null(frame, true, view, bad);
        default:
            bad.add(util::Malformed::link_unsupported);
            return DecodeStatus::malformed;
    }
}

DecodeStatus decode_ethertype(std::uint16_t ethertype,
                              util::Bytes data,
                              PacketView& view,
                              util::MalformedCounters& bad)
{
    switch (ethertype) {
        case 0x0800:
            return decode_ipv4(data, view, bad);
        case 0x86DD:
            return decode_ipv6(data, view, bad);
        default:
            return DecodeStatus::not_ip;
    }
}

DecodeStatus decode_ip(util::Bytes data, PacketView& view, util::MalformedCounters& bad)
{
    if (data.empty()) {
        bad.add(util::Malformed::net_ip_trunc);
        return DecodeStatus::malformed;
    }
    switch (data[0] >> 4) {
        case 4:
            return decode_ipv4(data, view, bad);
        case 6:
            return decode_ipv6(data, view, bad);
        default:
            bad.add(util::Malformed::net_ip_bad_header);
            return DecodeStatus::malformed;
    }
}

} // namespace wtfn::net
