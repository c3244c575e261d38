#include "util/malformed.h"

namespace wtfn::util {

std::string_view to_string(Malformed m)
{
    switch (m) {
        case Malformed::pcap_caplen_gt_len:
            return "pcap.caplen_gt_len";
        case Malformed::pcap_caplen_gt_snaplen:
            return "pcap.caplen_gt_snaplen";
        case Malformed::pcap_time_backwards:
            return "pcap.time_backwards";
        case Malformed::pcap_bad_block:
            return "pcap.bad_block";
        case Malformed::link_truncated:
            return "link.truncated";
        case Malformed::link_unsupported:
            return "link.unsupported";
        case Malformed::net_ip_trunc:
            return "net.ip_trunc";
        case Malformed::net_ip_bad_header:
            return "net.ip_bad_header";
        case Malformed::net_ipv6_exthdr_limit:
            return "net.ipv6_exthdr_limit";
        case Malformed::net_fragment:
            return "net.fragment";
        case Malformed::net_udp_len_invalid:
            return "net.udp_len_invalid";
        case Malformed::net_tcp_bad_offset:
            return "net.tcp_bad_offset";
        case Malformed::dns_truncated_header:
            return "dns.truncated_header";
        case Malformed::dns_truncated_question:
            return "dns.truncated_question";
        case Malformed::dns_bad_pointer:
            return "dns.bad_pointer";
        case Malformed::dns_too_many_hops:
            return "dns.too_many_hops";
        case Malformed::dns_work_limit:
            return "dns.work_limit";
        case Malformed::dns_label_too_long:
            return "dns.label_too_long";
        case Malformed::dns_bad_label_type:
            return "dns.bad_label_type";
        case Malformed::dns_name_too_long:
            return "dns.name_too_long";
        case Malformed::dns_count_mismatch:
            return "dns.count_mismatch";
        case Malformed::dns_rdata_overflow:
            return "dns.rdata_overflow";
        case Malformed::dns_rdata_bad_length:
            return "dns.rdata_bad_length";
        case Malformed::dns_edns_bad_option:
            return "dns.edns_bad_option";
        case Malformed::dns_tcp_zero_length:
            return "dns.tcp_zero_length";
        case Malformed::dns_tcp_truncated:
            return "dns.tcp_truncated";
        case Malformed::tcp_reassembly_memcap_drop:
            return "tcp.reassembly_memcap_drop";
        case Malformed::tcp_out_of_order_drop:
            return "tcp.out_of_order_drop";
    }
    return "unknown";
}

} // namespace wtfn::util
