// The named classes of bad input (RELIABILITY.md section 2). Each class is one counter in the
// JSON report, `counters.malformed.<name>`, and the name is the same everywhere: in the
// report, in -v notices and in the tests.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wtfn::util {

enum class Malformed : std::uint8_t {
    // capture file records (row 12)
    pcap_caplen_gt_len,
    pcap_caplen_gt_snaplen,
    pcap_time_backwards,
    pcap_bad_block,
    // link and network layers (rows 11, 12)
    link_truncated,
    link_unsupported,
    net_ip_trunc,
    net_ip_bad_header,
    net_ipv6_exthdr_limit,
    net_fragment,
    net_udp_len_invalid,
    net_tcp_bad_offset,
    // DNS messages (rows 1-7, 10)
    dns_truncated_header,
    dns_truncated_question,
    dns_bad_pointer,
    dns_too_many_hops,
    dns_work_limit,
    dns_label_too_long,
    dns_bad_label_type,
    dns_name_too_long,
    dns_count_mismatch,
    dns_rdata_overflow,
    dns_rdata_bad_length,
    dns_edns_bad_option,
    // DNS over TCP (row 8)
    dns_tcp_zero_length,
    dns_tcp_truncated,
    tcp_reassembly_memcap_drop,
    tcp_out_of_order_drop,
};

inline constexpr std::size_t MALFORMED_CLASS_COUNT =
    static_cast<std::size_t>(Malformed::tcp_out_of_order_drop) + 1;

// "dns.bad_pointer": the stable name used in reports.
std::string_view to_string(Malformed m);

// Counters of bad input, one per class. Plain array: incrementing is one add on the hot path.
struct MalformedCounters {
    std::array<std::uint64_t, MALFORMED_CLASS_COUNT> counts{};

    void add(Malformed m) { ++counts[static_cast<std::size_t>(m)]; }

    std::uint64_t get(Malformed m) const { return counts[static_cast<std::size_t>(m)]; }

    std::uint64_t total() const
    {
        std::uint64_t t = 0;
        for (auto c : counts) {
            t += c;
        }
        return t;
    }
};

} // namespace wtfn::util
