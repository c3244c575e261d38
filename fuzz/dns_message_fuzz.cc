// fuzz_dns_message: the DNS message parser (src/proto/dns_message.h; RELIABILITY.md rows 1-7
// and 10) on one UDP payload. The DnsMessage is reused across inputs, as the pipeline reuses
// its own, so a field that parse_dns_message() forgets to reset shows up here too.
#include "proto/dns_message.h"

#include <array>
#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"

namespace {

void check_name(const wtfn::proto::DnsName& n)
{
    WTFN_FUZZ_CHECK(n.length <= wtfn::proto::MAX_NAME_TEXT);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace wtfn::proto;
    static DnsMessage message; // about 40 KB: kept off the stack and reused like the pipeline's
    const wtfn::fuzz::ExactCopy input(data, size);
    const auto err = parse_dns_message(wtfn::util::Bytes{input.data(), input.size()}, message);

    if (err == wtfn::util::Malformed::dns_truncated_header) {
        WTFN_FUZZ_CHECK(size < 12);
    } else {
        WTFN_FUZZ_CHECK(size >= 12);
    }
    if (!err) {
        WTFN_FUZZ_CHECK(message.has_question == (message.qdcount > 0));
        WTFN_FUZZ_CHECK(message.answer_count + message.answers_omitted == message.ancount);
    }
    WTFN_FUZZ_CHECK(message.answer_count <= MAX_ANSWERS);
    WTFN_FUZZ_CHECK(std::size_t{message.answer_count} + message.answers_omitted <= message.ancount);
    WTFN_FUZZ_CHECK(message.edns_option_count <= MAX_EDNS_OPTIONS);
    if (message.has_question) {
        check_name(message.qname);
    }
    std::array<char, 12> scratch{};
    (void)qtype_name(message.qtype, scratch);
    (void)rcode_name(message.rcode(), scratch);
    for (std::size_t i = 0; i < message.answer_count; ++i) {
        const DnsRecord& rec = message.answers[i];
        check_name(rec.name);
        if (rec.has_target) {
            check_name(rec.target);
        }
        WTFN_FUZZ_CHECK(rec.addr_count <= MAX_RECORD_ADDRS);
        for (std::size_t a = 0; a < rec.addr_count; ++a) {
            (void)rec.addrs[a].to_string();
        }
        (void)qtype_name(rec.type, scratch);
    }
    return 0;
}
