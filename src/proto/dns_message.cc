#include "proto/dns_message.h"

namespace wtfn::proto {
namespace {

constexpr std::size_t HEADER_LEN = 12;
constexpr std::size_t MIN_QUESTION_LEN = 5; // root name + type + class
constexpr std::size_t MIN_RECORD_LEN = 11;  // root name + type + class + ttl + rdlength

void reset(DnsMessage& m)
{
    // The answer array is left as it is: answer_count says how much of it is valid, and
    // clearing 40 KB per packet would cost more than the parse.
    m.id = m.flags = m.qdcount = m.ancount = m.nscount = m.arcount = 0;
    m.has_question = false;
    m.qname.length = 0;
    m.qtype = m.qclass = 0;
    m.answer_count = m.answers_omitted = 0;
    m.has_edns = false;
    m.edns_udp_size = 0;
    m.edns_version = m.edns_extended_rcode = 0;
    m.edns_do = false;
    m.edns_option_count = 0;
}

std::optional<util::Malformed>
parse_edns(util::Bytes rdata, std::uint16_t klass, std::uint32_t ttl, DnsMessage& m)
{
    m.has_edns = true;
    m.edns_udp_size = klass;
    m.edns_extended_rcode = static_cast<std::uint8_t>(ttl >> 24);
    m.edns_version = static_cast<std::uint8_t>((ttl >> 16) & 0xFF);
    m.edns_do = (ttl & 0x8000) != 0;
    util::ByteReader r{rdata};
    while (r.remaining() > 0 && m.edns_option_count < MAX_EDNS_OPTIONS) {
        r.u16(); // option code
        const std::uint16_t len = r.u16();
        r.skip(len);
        if (!r) {
            return util::Malformed::dns_edns_bad_option;
        }
        ++m.edns_option_count;
    }
    return std::nullopt;
}

// SVCB/HTTPS RDATA: priority, target name, then key/length/value parameters.
std::optional<util::Malformed> parse_svcb(util::Bytes wire,
                                          DnsName* target,
                                          std::size_t rdata_start,
                                          std::size_t rdata_end,
                                          DnsRecord& rec,
                                          NameBudget& budget)
{
    std::size_t off = rdata_start + 2;
    if (rdata_end - rdata_start < 3) {
        return util::Malformed::dns_rdata_bad_length;
    }
    // Names inside SVCB RDATA are never compressed (RFC 9460), so the name must end inside it.
    const auto rdata = wire.first(rdata_end);
    const NameStatus st = read_name(rdata, off, target, budget);
    if (st != NameStatus::ok) {
        return name_error_class(st, util::Malformed::dns_rdata_bad_length);
    }
    rec.has_target = true;
    util::ByteReader r{wire.subspan(off, rdata_end - off)};
    while (r.remaining() > 0) {
        const std::uint16_t key = r.u16();
        const std::uint16_t len = r.u16();
        const auto value = r.take(len);
        if (!r) {
            return util::Malformed::dns_rdata_bad_length;
        }
        const std::size_t unit = key == 4 ? 4 : key == 6 ? 16 : 0; // ipv4hint, ipv6hint
        if (unit == 0) {
            continue;
        }
        if (value.size() % unit != 0) {
            return util::Malformed::dns_rdata_bad_length;
        }
        for (std::size_t i = 0; i < value.size() && rec.addr_count < MAX_RECORD_ADDRS; i += unit) {
            rec.addrs[rec.addr_count++] = unit == 4 ? net::IpAddress::v4(value.subspan(i, 4))
                                                    : net::IpAddress::v6(value.subspan(i, 16));
        }
    }
    return std::nullopt;
}

std::optional<util::Malformed> parse_rdata(util::Bytes wire,
                                           bool copy_names,
                                           std::size_t start,
                                           std::size_t len,
                                           DnsRecord& rec,
                                           NameBudget& budget)
{
    const auto rdata = wire.subspan(start, len);
    switch (rec.type) {
        case qtype::A:
            if (len != 4) {
                return util::Malformed::dns_rdata_bad_length;
            }
            rec.addrs[0] = net::IpAddress::v4(rdata);
            rec.addr_count = 1;
            return std::nullopt;
        case qtype::AAAA:
            if (len != 16) {
                return util::Malformed::dns_rdata_bad_length;
            }
            rec.addrs[0] = net::IpAddress::v6(rdata);
            rec.addr_count = 1;
            return std::nullopt;
        case qtype::CNAME: {
            // The target may point back into the message but must end inside its RDATA:
            // decode over the bytes up to the RDATA's end, never past it.
            std::size_t off = start;
            const NameStatus st =
                read_name(wire.first(start + len), off, copy_names ? &rec.target : nullptr, budget);
            if (st != NameStatus::ok) {
                return name_error_class(st, util::Malformed::dns_rdata_bad_length);
            }
            if (off != start + len) {
                return util::Malformed::dns_rdata_bad_length;
            }
            rec.has_target = true;
            return std::nullopt;
        }
        case qtype::SVCB:
        case qtype::HTTPS:
            return parse_svcb(
                wire, copy_names ? &rec.target : nullptr, start, start + len, rec, budget);
        default:
            return std::nullopt;
    }
}

} // namespace

std::optional<util::Malformed> parse_dns_message(util::Bytes wire, DnsMessage& m, RecordNames names)
{
    const bool copy_names = names == RecordNames::decode;
    reset(m);
    util::ByteReader hdr{wire};
    m.id = hdr.u16();
    m.flags = hdr.u16();
    m.qdcount = hdr.u16();
    m.ancount = hdr.u16();
    m.nscount = hdr.u16();
    m.arcount = hdr.u16();
    if (!hdr) {
        return util::Malformed::dns_truncated_header;
    }
    NameBudget budget;
    std::size_t off = HEADER_LEN;

    // Loops are bounded by the bytes left, never by the counts alone (row 5).
    for (std::size_t i = 0; i < m.qdcount; ++i) {
        // A cut first question is a truncated question; a cut later one means the counts
        // promised more than the message holds.
        const util::Malformed cut =
            i == 0 ? util::Malformed::dns_truncated_question : util::Malformed::dns_count_mismatch;
        if (wire.size() - off < MIN_QUESTION_LEN) {
            return cut;
        }
        DnsName* const name = i == 0 ? &m.qname : nullptr;
        const NameStatus st = read_name(wire, off, name, budget);
        if (st != NameStatus::ok) {
            return name_error_class(st, cut);
        }
        util::ByteReader r{wire.subspan(off)};
        const std::uint16_t type = r.u16();
        const std::uint16_t klass = r.u16();
        if (!r) {
            return cut;
        }
        off += 4;
        if (i == 0) {
            m.qtype = type;
            m.qclass = klass;
            m.has_question = true;
        }
    }

    const std::size_t records = std::size_t{m.ancount} + m.nscount + m.arcount;
    for (std::size_t i = 0; i < records; ++i) {
        if (wire.size() - off < MIN_RECORD_LEN) {
            return util::Malformed::dns_count_mismatch;
        }
        const bool is_answer = i < m.ancount;
        const bool keep = is_answer && m.answer_count < MAX_ANSWERS;
        DnsRecord& rec = keep ? m.answers[m.answer_count] : m.discard;
        rec.addr_count = 0;
        rec.has_target = false;
        const NameStatus st =
            read_name(wire, off, keep && copy_names ? &rec.name : nullptr, budget);
        if (st != NameStatus::ok) {
            return name_error_class(st, util::Malformed::dns_count_mismatch);
        }
        util::ByteReader r{wire.subspan(off)};
        rec.type = r.u16();
        rec.klass = r.u16();
        rec.ttl = r.u32();
        const std::uint16_t rdlength = r.u16();
        if (!r) {
            return util::Malformed::dns_count_mismatch;
        }
        off += 10;
        if (rdlength > wire.size() - off) {
            return util::Malformed::dns_rdata_overflow;
        }
        std::optional<util::Malformed> err;
        if (rec.type == qtype::OPT && !is_answer) {
            err = parse_edns(wire.subspan(off, rdlength), rec.klass, rec.ttl, m);
        } else if (is_answer) {
            err = parse_rdata(wire, copy_names, off, rdlength, rec, budget);
        } else {
            // Authority and additional records: validated for length only.
        }
        off += rdlength;
        if (err) {
            return err;
        }
        if (keep) {
            ++m.answer_count;
        } else if (is_answer) {
            ++m.answers_omitted;
        }
    }
    return std::nullopt;
}

} // namespace wtfn::proto
