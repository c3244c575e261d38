#include "dnsleak/report/event_json.h"

#include <fmt/format.h>

#include "util/escape.h"
#include "util/time_format.h"

namespace wtfn::dnsleak {
namespace {

void append_bool(std::string& out, const char* key, bool v, bool comma = true)
{
    fmt::format_to(
        std::back_inserter(out), "\"{}\":{}{}", key, v ? "true" : "false", comma ? "," : "");
}

void append_record(std::string& out, const proto::DnsRecord& rec)
{
    std::array<char, 12> scratch{};
    out += "{\"name\":";
    util::append_json_string(out, rec.name.view());
    out += ",\"type\":";
    util::append_json_string(out, proto::qtype_name(rec.type, scratch));
    fmt::format_to(std::back_inserter(out), ",\"ttl\":{},\"data\":[", rec.ttl);
    bool first = true;
    if (rec.has_target) {
        util::append_json_string(out, rec.target.view());
        first = false;
    }
    for (std::size_t i = 0; i < rec.addr_count; ++i) {
        if (!first) {
            out.push_back(',');
        }
        first = false;
        util::append_json_string(out, rec.addrs[i].to_string());
    }
    out += "]}";
}

// One event line stays under 16 KiB (RELIABILITY.md R6) whatever the packet holds: names
// of control bytes grow sixfold when escaped, so answers stop once the line passes this
// and the rest are counted in answers_omitted.
constexpr std::size_t ANSWERS_BYTE_BUDGET = 12 * 1024;

void append_dns(std::string& out, const proto::DnsMessage& m, std::size_t line_start)
{
    std::array<char, 12> scratch{};
    fmt::format_to(std::back_inserter(out),
                   "{{\"id\":{},\"qr\":\"{}\",\"opcode\":{},\"rcode\":",
                   m.id,
                   m.is_response() ? "response" : "query",
                   m.opcode());
    util::append_json_string(out, proto::rcode_name(m.rcode(), scratch));
    out += ",\"flags\":{";
    append_bool(out, "aa", m.flag_aa());
    append_bool(out, "tc", m.flag_tc());
    append_bool(out, "rd", m.flag_rd());
    append_bool(out, "ra", m.flag_ra());
    append_bool(out, "ad", m.flag_ad());
    append_bool(out, "cd", m.flag_cd(), false);
    fmt::format_to(std::back_inserter(out),
                   "}},\"counts\":{{\"qd\":{},\"an\":{},\"ns\":{},\"ar\":{}}},\"qname\":",
                   m.qdcount,
                   m.ancount,
                   m.nscount,
                   m.arcount);
    if (m.has_question) {
        util::append_json_string(out, m.qname.view());
        out += ",\"qtype\":";
        util::append_json_string(out, proto::qtype_name(m.qtype, scratch));
        fmt::format_to(std::back_inserter(out), ",\"qclass\":{}", m.qclass);
    } else {
        out += "null,\"qtype\":null,\"qclass\":null";
    }
    out += ",\"answers\":[";
    std::size_t written = 0;
    for (; written < m.answer_count && out.size() - line_start < ANSWERS_BYTE_BUDGET; ++written) {
        if (written != 0) {
            out.push_back(',');
        }
        append_record(out, m.answers[written]);
    }
    fmt::format_to(std::back_inserter(out),
                   "],\"answers_omitted\":{},\"edns\":",
                   m.answers_omitted + (m.answer_count - written));
    if (m.has_edns) {
        fmt::format_to(std::back_inserter(out),
                       "{{\"udp_size\":{},\"version\":{},\"do\":{},\"options\":{}}}",
                       m.edns_udp_size,
                       m.edns_version,
                       m.edns_do ? "true" : "false",
                       m.edns_option_count);
    } else {
        out += "null";
    }
    out.push_back('}');
}

} // namespace

std::string_view direction_name(net::Direction d)
{
    switch (d) {
        case net::Direction::inbound:
            return "in";
        case net::Direction::outbound:
            return "out";
        case net::Direction::unknown:
            break;
    }
    return "unknown";
}

void append_event_json(std::string& out, const ClassifiedEvent& e)
{
    const std::size_t line_start = out.size();
    out += "{\"ts\":\"";
    out += util::format_iso8601_utc(e.ts_ns);
    fmt::format_to(std::back_inserter(out), "\",\"ts_ns\":{},\"interface\":", e.ts_ns);
    if (e.interface.empty()) {
        out += "null";
    } else {
        util::append_json_string(out, e.interface);
    }
    if (e.ifindex != 0) {
        fmt::format_to(std::back_inserter(out), ",\"ifindex\":{}", e.ifindex);
    } else {
        out += ",\"ifindex\":null";
    }
    fmt::format_to(std::back_inserter(out), ",\"route_class\":\"{}\"", to_string(e.route_class));
    fmt::format_to(std::back_inserter(out),
                   ",\"direction\":\"{}\",\"proto\":\"{}\",\"transport\":\"{}\","
                   "\"confidence\":\"{}\",\"src_ip\":\"{}\",\"src_port\":{},"
                   "\"dst_ip\":\"{}\",\"dst_port\":{},\"dns\":",
                   direction_name(e.direction),
                   e.proto == net::L4::tcp ? "tcp" : "udp",
                   to_string(e.transport),
                   to_string(e.confidence),
                   e.src.to_string(),
                   e.src_port,
                   e.dst.to_string(),
                   e.dst_port);
    if (e.dns != nullptr) {
        append_dns(out, *e.dns, line_start);
    } else {
        out += "null";
    }
    out += ",\"malformed\":";
    if (e.malformed) {
        util::append_json_string(out, util::to_string(*e.malformed));
    } else {
        out += "null";
    }
    if (e.transport == Transport::dot || e.transport == Transport::https_tcp) {
        out.push_back(',');
        append_bool(out, "tls_client_hello", e.tls_client_hello, false);
    } else if (e.transport == Transport::doq || e.transport == Transport::https_quic) {
        fmt::format_to(std::back_inserter(out), ",\"quic_version\":{}", e.quic_version);
    }
    out.push_back('}');
}

} // namespace wtfn::dnsleak
