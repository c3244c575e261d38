// DnsMessageBuilder: writes DNS messages as wire bytes for tests (STYLE.md C9; PowerDNS
// GenericDNSPacketWriter). Sections are written in the order the methods are called, so call
// them in wire order: questions, answers, authority, additional. Counts follow what was
// written unless overridden, which is how tests make the header lie. Nothing is validated:
// label lengths, pointers and RDLENGTH are written as given, so malformed messages are as
// easy to build as good ones. Names given as text ("a.example", ".") are encoded without
// compression; names given as Wire bytes (pointer_to(), raw labels) are copied as they are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <arpa/inet.h>

namespace wtfn::test {

using Wire = std::vector<std::uint8_t>;

// Record types and classes used by the builder (same values as proto::qtype).
namespace rr {
inline constexpr std::uint16_t A = 1;
inline constexpr std::uint16_t CNAME = 5;
inline constexpr std::uint16_t NULL_RR = 10;
inline constexpr std::uint16_t TXT = 16;
inline constexpr std::uint16_t AAAA = 28;
inline constexpr std::uint16_t OPT = 41;
inline constexpr std::uint16_t SVCB = 64;
inline constexpr std::uint16_t HTTPS = 65;
inline constexpr std::uint16_t CLASS_IN = 1;
} // namespace rr

// A name argument: text to encode, or wire bytes to copy (a pointer, a crafted label run).
struct NameArg {
    Wire wire;

    NameArg(const char* text) : wire(encode(text)) {}

    NameArg(std::string_view text) : wire(encode(text)) {}

    NameArg(const std::string& text) : wire(encode(text)) {}

    NameArg(Wire raw) : wire(std::move(raw)) {}

    // "a.example" -> 01 'a' 07 "example" 00; "." and "" -> 00. A trailing dot is optional.
    // Labels of 64..255 characters are written with their (invalid) length byte.
    static Wire encode(std::string_view text)
    {
        Wire out;
        if (!text.empty() && text.back() == '.') {
            text.remove_suffix(1);
        }
        while (!text.empty()) {
            const auto dot = text.find('.');
            const auto label = text.substr(0, dot);
            if (label.size() > 255) {
                throw std::invalid_argument("label longer than 255 characters");
            }
            out.push_back(static_cast<std::uint8_t>(label.size()));
            out.insert(out.end(), label.begin(), label.end());
            text = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
        }
        out.push_back(0);
        return out;
    }
};

// One EDNS option: code and data (RFC 6891 section 6.1.2).
struct EdnsOption {
    std::uint16_t code = 0;
    Wire data;
};

enum class Section : std::uint8_t { answer, authority, additional };

class DnsMessageBuilder {
public:
    static constexpr std::size_t HEADER_LEN = 12;
    // Offset of the first question's name: right after the header.
    static constexpr std::size_t QNAME_OFFSET = HEADER_LEN;

    // --- header ---------------------------------------------------------------------------

    // Sets the message id.
    DnsMessageBuilder& id(std::uint16_t v) { return set(id_, v); }

    // Clears QR: the message is a query.
    DnsMessageBuilder& query() { return set_flag(0x8000, false); }

    // Sets QR: the message is a response.
    DnsMessageBuilder& response() { return set_flag(0x8000, true); }

    // Sets or clears RD (recursion desired).
    DnsMessageBuilder& rd(bool on = true) { return set_flag(0x0100, on); }

    // Sets the low 4 bits of the response code.
    DnsMessageBuilder& rcode(std::uint8_t v)
    {
        flags_ = static_cast<std::uint16_t>((flags_ & 0xFFF0) | (v & 0x0F));
        return *this;
    }

    // Replaces the whole 16-bit flags word.
    DnsMessageBuilder& flags(std::uint16_t v) { return set(flags_, v); }

    // Overrides QDCOUNT in the header (a lie unless it matches the questions written).
    DnsMessageBuilder& qdcount(std::uint16_t v) { return set(qd_override_, v); }

    // Overrides ANCOUNT in the header.
    DnsMessageBuilder& ancount(std::uint16_t v) { return set(an_override_, v); }

    // Overrides NSCOUNT in the header.
    DnsMessageBuilder& nscount(std::uint16_t v) { return set(ns_override_, v); }

    // Overrides ARCOUNT in the header.
    DnsMessageBuilder& arcount(std::uint16_t v) { return set(ar_override_, v); }

    // --- names and offsets ----------------------------------------------------------------

    // A 2-byte compression pointer to `offset` (only the low 14 bits fit).
    static Wire pointer_to(std::size_t offset)
    {
        return {static_cast<std::uint8_t>(0xC0 | ((offset >> 8) & 0x3F)),
                static_cast<std::uint8_t>(offset & 0xFF)};
    }

    // The message offset the next written byte will have.
    std::size_t next_offset() const { return HEADER_LEN + body_.size(); }

    // --- questions ------------------------------------------------------------------------

    // Appends a question and counts it in QDCOUNT.
    DnsMessageBuilder&
    question(const NameArg& name, std::uint16_t type = rr::A, std::uint16_t klass = rr::CLASS_IN)
    {
        append(name.wire);
        u16(type);
        u16(klass);
        ++qdcount_;
        return *this;
    }

    // --- records --------------------------------------------------------------------------

    // Appends a resource record with RDLENGTH = rdata.size() and counts it in `section`.
    DnsMessageBuilder& record(Section section,
                              const NameArg& owner,
                              std::uint16_t type,
                              std::uint16_t klass,
                              std::uint32_t ttl,
                              const Wire& rdata)
    {
        return record_with_rdlength(
            section, owner, type, klass, ttl, static_cast<std::uint16_t>(rdata.size()), rdata);
    }

    // Appends a resource record whose RDLENGTH is `rdlength` whatever rdata holds (a lie).
    DnsMessageBuilder& record_with_rdlength(Section section,
                                            const NameArg& owner,
                                            std::uint16_t type,
                                            std::uint16_t klass,
                                            std::uint32_t ttl,
                                            std::uint16_t rdlength,
                                            const Wire& rdata)
    {
        append(owner.wire);
        u16(type);
        u16(klass);
        u32(ttl);
        u16(rdlength);
        append(rdata);
        switch (section) {
            case Section::answer:
                ++ancount_;
                break;
            case Section::authority:
                ++nscount_;
                break;
            case Section::additional:
                ++arcount_;
                break;
        }
        return *this;
    }

    // Appends an answer record of any type with the given RDATA.
    DnsMessageBuilder&
    answer(const NameArg& owner, std::uint16_t type, const Wire& rdata, std::uint32_t ttl = 300)
    {
        return record(Section::answer, owner, type, rr::CLASS_IN, ttl, rdata);
    }

    // Appends an A answer; `ipv4` is dotted text such as "192.0.2.1".
    DnsMessageBuilder&
    answer_a(const NameArg& owner, std::string_view ipv4, std::uint32_t ttl = 300)
    {
        return answer(owner, rr::A, ipv4_bytes(ipv4), ttl);
    }

    // Appends an AAAA answer; `ipv6` is text such as "2001:db8::1".
    DnsMessageBuilder&
    answer_aaaa(const NameArg& owner, std::string_view ipv6, std::uint32_t ttl = 300)
    {
        return answer(owner, rr::AAAA, ipv6_bytes(ipv6), ttl);
    }

    // Appends a CNAME answer; the target is written uncompressed.
    DnsMessageBuilder&
    answer_cname(const NameArg& owner, const NameArg& target, std::uint32_t ttl = 300)
    {
        return answer(owner, rr::CNAME, target.wire, ttl);
    }

    // Appends a CNAME answer whose owner is a compression pointer to the first question name.
    DnsMessageBuilder& answer_cname_to_qname(const NameArg& target, std::uint32_t ttl = 300)
    {
        return answer_cname(pointer_to(QNAME_OFFSET), target, ttl);
    }

    // Appends an HTTPS (or, with `type` = SVCB) answer: priority, target, ipv4hint, ipv6hint.
    DnsMessageBuilder& answer_svcb(const NameArg& owner,
                                   std::uint16_t priority,
                                   const NameArg& target,
                                   std::initializer_list<std::string_view> ipv4hint,
                                   std::initializer_list<std::string_view> ipv6hint,
                                   std::uint16_t type = rr::HTTPS,
                                   std::uint32_t ttl = 300)
    {
        return answer(owner, type, svcb_rdata(priority, target, ipv4hint, ipv6hint), ttl);
    }

    // Appends an OPT record (additional section) with the given EDNS fields and options.
    DnsMessageBuilder& opt(std::uint16_t udp_size,
                           std::initializer_list<EdnsOption> options = {},
                           bool do_bit = false,
                           std::uint8_t version = 0,
                           std::uint8_t extended_rcode = 0)
    {
        Wire rdata;
        for (const auto& o : options) {
            append_u16(rdata, o.code);
            append_u16(rdata, static_cast<std::uint16_t>(o.data.size()));
            rdata.insert(rdata.end(), o.data.begin(), o.data.end());
        }
        return opt_raw(udp_size, edns_ttl(extended_rcode, version, do_bit), rdata);
    }

    // Appends an OPT record with a raw TTL word and raw RDATA (for option-length lies).
    DnsMessageBuilder& opt_raw(std::uint16_t udp_size, std::uint32_t ttl, const Wire& rdata)
    {
        return record(Section::additional, ".", rr::OPT, udp_size, ttl, rdata);
    }

    // Appends bytes as they are; no count changes.
    DnsMessageBuilder& raw(const Wire& bytes)
    {
        append(bytes);
        return *this;
    }

    // --- output ---------------------------------------------------------------------------

    // The whole message: header (with counts or their overrides) then the body.
    Wire bytes() const
    {
        Wire out;
        out.reserve(HEADER_LEN + body_.size());
        append_u16(out, id_);
        append_u16(out, flags_);
        append_u16(out, qd_override_.value_or(qdcount_));
        append_u16(out, an_override_.value_or(ancount_));
        append_u16(out, ns_override_.value_or(nscount_));
        append_u16(out, ar_override_.value_or(arcount_));
        out.insert(out.end(), body_.begin(), body_.end());
        return out;
    }

    // --- RDATA helpers --------------------------------------------------------------------

    // The OPT TTL word: extended rcode (high 8 bits), version, DO bit.
    static std::uint32_t edns_ttl(std::uint8_t extended_rcode, std::uint8_t version, bool do_bit)
    {
        return (std::uint32_t{extended_rcode} << 24) | (std::uint32_t{version} << 16) |
               (do_bit ? 0x8000U : 0U);
    }

    // "192.0.2.1" -> 4 bytes; throws on bad text (a bug in the test, not in the parser).
    static Wire ipv4_bytes(std::string_view text)
    {
        Wire out(4);
        if (inet_pton(AF_INET, std::string(text).c_str(), out.data()) != 1) {
            throw std::invalid_argument("bad IPv4 text in test");
        }
        return out;
    }

    // "2001:db8::1" -> 16 bytes; throws on bad text.
    static Wire ipv6_bytes(std::string_view text)
    {
        Wire out(16);
        if (inet_pton(AF_INET6, std::string(text).c_str(), out.data()) != 1) {
            throw std::invalid_argument("bad IPv6 text in test");
        }
        return out;
    }

    // SVCB/HTTPS RDATA (RFC 9460): priority, uncompressed target, ipv4hint (key 4) and
    // ipv6hint (key 6) when non-empty.
    static Wire svcb_rdata(std::uint16_t priority,
                           const NameArg& target,
                           std::initializer_list<std::string_view> ipv4hint,
                           std::initializer_list<std::string_view> ipv6hint)
    {
        Wire out;
        append_u16(out, priority);
        out.insert(out.end(), target.wire.begin(), target.wire.end());
        if (ipv4hint.size() != 0) {
            append_u16(out, 4);
            append_u16(out, static_cast<std::uint16_t>(4 * ipv4hint.size()));
            for (const auto a : ipv4hint) {
                const auto b = ipv4_bytes(a);
                out.insert(out.end(), b.begin(), b.end());
            }
        }
        if (ipv6hint.size() != 0) {
            append_u16(out, 6);
            append_u16(out, static_cast<std::uint16_t>(16 * ipv6hint.size()));
            for (const auto a : ipv6hint) {
                const auto b = ipv6_bytes(a);
                out.insert(out.end(), b.begin(), b.end());
            }
        }
        return out;
    }

    // Appends a big-endian 16-bit value to `out`.
    static void append_u16(Wire& out, std::uint16_t v)
    {
        out.push_back(static_cast<std::uint8_t>(v >> 8));
        out.push_back(static_cast<std::uint8_t>(v & 0xFF));
    }

private:
    template <typename T>
    DnsMessageBuilder& set(T& field, std::uint16_t v)
    {
        field = v;
        return *this;
    }

    DnsMessageBuilder& set_flag(std::uint16_t bit, bool on)
    {
        flags_ = static_cast<std::uint16_t>(on ? (flags_ | bit) : (flags_ & ~bit));
        return *this;
    }

    void append(const Wire& bytes) { body_.insert(body_.end(), bytes.begin(), bytes.end()); }

    void u16(std::uint16_t v) { append_u16(body_, v); }

    void u32(std::uint32_t v)
    {
        append_u16(body_, static_cast<std::uint16_t>(v >> 16));
        append_u16(body_, static_cast<std::uint16_t>(v & 0xFFFF));
    }

    std::uint16_t id_ = 0x1234;
    std::uint16_t flags_ = 0;
    std::uint16_t qdcount_ = 0;
    std::uint16_t ancount_ = 0;
    std::uint16_t nscount_ = 0;
    std::uint16_t arcount_ = 0;
    std::optional<std::uint16_t> qd_override_;
    std::optional<std::uint16_t> an_override_;
    std::optional<std::uint16_t> ns_override_;
    std::optional<std::uint16_t> ar_override_;
    Wire body_;
};

} // namespace wtfn::test
