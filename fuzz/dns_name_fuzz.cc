// fuzz_dns_name: the only DNS name decoder (src/proto/dns_name.h; RELIABILITY.md rows 1-4).
//
// Input: one byte choosing where the first name starts, then the message the name lives in
// (so compression pointers can reach any earlier byte). Names are read one after another from
// there, sharing one work budget as the names of one message do, until one fails or the
// message ends. Each name is decoded twice, with and without a text copy, and both must agree.
#include "proto/dns_name.h"

#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace wtfn::proto;
    if (size < 1) {
        return 0;
    }
    const wtfn::fuzz::ExactCopy input(data, size);
    const wtfn::util::Bytes message = wtfn::util::Bytes{input.data(), input.size()}.subspan(1);
    std::size_t offset = input.data()[0] % (message.size() + 1);

    NameBudget budget;
    NameBudget shadow_budget;
    DnsName name;
    while (offset < message.size()) {
        const std::size_t start = offset;
        std::size_t shadow_offset = offset;
        const NameStatus st = read_name(message, offset, &name, budget);
        const NameStatus shadow = read_name(message, shadow_offset, nullptr, shadow_budget);
        WTFN_FUZZ_CHECK(st == shadow);
        WTFN_FUZZ_CHECK(budget.octets_left == shadow_budget.octets_left);
        WTFN_FUZZ_CHECK(budget.octets_left <= NAME_WORK_BUDGET);
        if (st != NameStatus::ok) {
            (void)name_error_class(st, wtfn::util::Malformed::dns_truncated_question);
            break;
        }
        WTFN_FUZZ_CHECK(offset == shadow_offset);
        WTFN_FUZZ_CHECK(offset > start && offset <= message.size());
        WTFN_FUZZ_CHECK(name.length >= 1 && name.length <= MAX_NAME_TEXT);
        WTFN_FUZZ_CHECK(name.view().size() == name.length);
    }
    return 0;
}
