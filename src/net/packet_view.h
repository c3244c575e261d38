// PacketView: what the decoder learns about one captured frame, without copying it.
//
// Every field is filled by one layer of src/net/; the payload points into the capture
// buffer and is valid only until the next packet is read.
#pragma once

#include <cstdint>

#include "net/ip_address.h"
#include "util/byte_reader.h"

namespace wtfn::net {

// Where the frame was going, as the capture saw it (Linux cooked headers carry it; Ethernet
// captures do not).
enum class Direction : std::uint8_t { unknown, inbound, outbound };

enum class L4 : std::uint8_t { none, udp, tcp };

// TCP flag bits as on the wire.
inline constexpr std::uint8_t TCP_FIN = 0x01;
inline constexpr std::uint8_t TCP_SYN = 0x02;
inline constexpr std::uint8_t TCP_RST = 0x04;
inline constexpr std::uint8_t TCP_ACK = 0x10;

// ARPHRD_LOOPBACK, as carried in the SLL/SLL2 hatype field.
inline constexpr std::uint16_t HATYPE_LOOPBACK = 772;

struct PacketView {
    // link layer
    std::uint32_t ifindex = 0; // kernel interface index (SLL2 only), 0 when unknown
    std::uint16_t hatype = 0;  // ARPHRD_* (SLL/SLL2 only), 0 when unknown
    Direction direction = Direction::unknown;
    // network layer
    IpAddress src;
    IpAddress dst;
    std::uint8_t ip_proto = 0;
    std::uint8_t hop_limit = 0;
    // The capture holds less than the IP header claims (snap length): net.ip_trunc was
    // counted once, and the layers above decode what is there without counting it again.
    bool ip_truncated = false;
    // transport layer
    L4 l4 = L4::none;
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    std::uint8_t tcp_flags = 0;
    std::uint32_t tcp_seq = 0;
    std::uint32_t tcp_ack = 0;
    util::Bytes payload;
};

} // namespace wtfn::net
