// DNS message parser: header, first question, answer records (A, AAAA, CNAME, SVCB/HTTPS
// address hints) and EDNS, with every count and length checked against the bytes present
// (RELIABILITY.md rows 1-7 and 10).
//
// parse_dns_message() never allocates: the caller owns one DnsMessage and reuses it for
// every packet. On bad input it returns the malformed class and leaves in `out` whatever was
// parsed before the damage (the header and question, usually), so the event is still
// reported with its flow facts.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "net/ip_address.h"
#include "proto/dns_name.h"
#include "util/byte_reader.h"
#include "util/malformed.h"

namespace wtfn::proto {

inline constexpr std::size_t MAX_ANSWERS = 64;      // answers kept per message (R6)
inline constexpr std::size_t MAX_RECORD_ADDRS = 4;  // addresses kept per record (SVCB hints)
inline constexpr std::size_t MAX_EDNS_OPTIONS = 64; // options looked at per OPT record

namespace qtype {
inline constexpr std::uint16_t A = 1;
inline constexpr std::uint16_t CNAME = 5;
inline constexpr std::uint16_t AAAA = 28;
inline constexpr std::uint16_t OPT = 41;
inline constexpr std::uint16_t SVCB = 64;
inline constexpr std::uint16_t HTTPS = 65;
} // namespace qtype

struct DnsRecord {
    DnsName name;
    std::uint16_t type = 0;
    std::uint16_t klass = 0;
    std::uint32_t ttl = 0;
    // A/AAAA: one address; SVCB/HTTPS: ipv4hint/ipv6hint addresses.
    std::uint8_t addr_count = 0;
    std::array<net::IpAddress, MAX_RECORD_ADDRS> addrs{};
    // CNAME target, SVCB/HTTPS target name (text only with RecordNames::decode).
    bool has_target = false;
    DnsName target;
};

struct DnsMessage {
    std::uint16_t id = 0;
    std::uint16_t flags = 0;
    std::uint16_t qdcount = 0;
    std::uint16_t ancount = 0;
    std::uint16_t nscount = 0;
    std::uint16_t arcount = 0;

    bool has_question = false;
    DnsName qname;
    std::uint16_t qtype = 0;
    std::uint16_t qclass = 0;

    std::uint16_t answer_count = 0;    // entries filled in `answers`
    std::uint16_t answers_omitted = 0; // answers beyond MAX_ANSWERS
    std::array<DnsRecord, MAX_ANSWERS> answers{};

    bool has_edns = false;
    std::uint16_t edns_udp_size = 0;
    std::uint8_t edns_version = 0;
    std::uint8_t edns_extended_rcode = 0;
    bool edns_do = false;
    std::uint16_t edns_option_count = 0;

    // Where records that are not kept (authority, additional, answers past MAX_ANSWERS) are
    // parsed; a member so that it is not constructed, and zeroed, for every message.
    DnsRecord discard;

    bool is_response() const { return (flags & 0x8000) != 0; }

    std::uint8_t opcode() const { return static_cast<std::uint8_t>((flags >> 11) & 0x0F); }

    // The 12-bit response code when EDNS extends it.
    std::uint16_t rcode() const
    {
        return static_cast<std::uint16_t>((edns_extended_rcode << 4) | (flags & 0x0F));
    }

    bool flag_aa() const { return (flags & 0x0400) != 0; }

    bool flag_tc() const { return (flags & 0x0200) != 0; }

    bool flag_rd() const { return (flags & 0x0100) != 0; }

    bool flag_ra() const { return (flags & 0x0080) != 0; }

    bool flag_ad() const { return (flags & 0x0020) != 0; }

    bool flag_cd() const { return (flags & 0x0010) != 0; }
};

// Whether answer owner names and CNAME/SVCB targets are copied into text. They are always
// validated (pointers, lengths, budget); copying them is most of a response's parse cost
// and only output that prints records needs it (not --summary-only).
enum class RecordNames : std::uint8_t { decode, validate_only };

std::optional<util::Malformed>
parse_dns_message(util::Bytes wire, DnsMessage& out, RecordNames names = RecordNames::decode);

// "A", "AAAA", ... or "TYPE123".
std::string_view qtype_name(std::uint16_t type, std::array<char, 12>& scratch);
// "NOERROR", "NXDOMAIN", ... or "RCODE23".
std::string_view rcode_name(std::uint16_t rcode, std::array<char, 12>& scratch);

} // namespace wtfn::proto
