// Tests of src/util/malformed.cc: the named classes of bad input and their counters
// (RELIABILITY.md section 2, goal M1).
#include "util/malformed.h"

#include <cstddef>
#include <set>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace wtfn::util {
namespace {

Malformed nth(std::size_t i)
{
    return static_cast<Malformed>(i);
}

TEST(Malformed, EveryClassHasADistinctName)
{
    std::set<std::string_view> names;
    for (std::size_t i = 0; i < MALFORMED_CLASS_COUNT; ++i) {
        names.insert(to_string(nth(i)));
    }
    EXPECT_EQ(names.size(), MALFORMED_CLASS_COUNT);
}

TEST(Malformed, EveryNameIsLayerDotSnakeCase)
{
    for (std::size_t i = 0; i < MALFORMED_CLASS_COUNT; ++i) {
        const auto name = to_string(nth(i));
        const auto dot = name.find('.');
        ASSERT_NE(dot, std::string_view::npos) << name;
        EXPECT_GT(dot, 0U) << name;
        EXPECT_LT(dot + 1, name.size()) << name;
        EXPECT_EQ(name.find('.', dot + 1), std::string_view::npos) << name;
        for (const char c : name) {
            EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')
                << name;
        }
        EXPECT_NE(name, "unknown");
    }
}

TEST(Malformed, DnsClassesUseTheCounterNamesOfTheReliabilityTable)
{
    EXPECT_EQ(to_string(Malformed::dns_truncated_header), "dns.truncated_header");
    EXPECT_EQ(to_string(Malformed::dns_truncated_question), "dns.truncated_question");
    EXPECT_EQ(to_string(Malformed::dns_bad_pointer), "dns.bad_pointer");
    EXPECT_EQ(to_string(Malformed::dns_too_many_hops), "dns.too_many_hops");
    EXPECT_EQ(to_string(Malformed::dns_work_limit), "dns.work_limit");
    EXPECT_EQ(to_string(Malformed::dns_label_too_long), "dns.label_too_long");
    EXPECT_EQ(to_string(Malformed::dns_bad_label_type), "dns.bad_label_type");
    EXPECT_EQ(to_string(Malformed::dns_name_too_long), "dns.name_too_long");
    EXPECT_EQ(to_string(Malformed::dns_count_mismatch), "dns.count_mismatch");
    EXPECT_EQ(to_string(Malformed::dns_rdata_overflow), "dns.rdata_overflow");
    EXPECT_EQ(to_string(Malformed::dns_rdata_bad_length), "dns.rdata_bad_length");
    EXPECT_EQ(to_string(Malformed::dns_edns_bad_option), "dns.edns_bad_option");
    EXPECT_EQ(to_string(Malformed::dns_tcp_zero_length), "dns.tcp_zero_length");
    EXPECT_EQ(to_string(Malformed::dns_tcp_truncated), "dns.tcp_truncated");
    EXPECT_EQ(to_string(Malformed::tcp_reassembly_memcap_drop), "tcp.reassembly_memcap_drop");
}

TEST(Malformed, ValueOutsideTheEnumIsUnknown)
{
    EXPECT_EQ(to_string(nth(MALFORMED_CLASS_COUNT)), "unknown");
}

TEST(MalformedCounters, StartAtZero)
{
    const MalformedCounters c;
    EXPECT_EQ(c.total(), 0U);
    for (std::size_t i = 0; i < MALFORMED_CLASS_COUNT; ++i) {
        EXPECT_EQ(c.get(nth(i)), 0U);
    }
}

TEST(MalformedCounters, AddIncrementsOnlyItsOwnClass)
{
    for (std::size_t i = 0; i < MALFORMED_CLASS_COUNT; ++i) {
        MalformedCounters c;
        c.add(nth(i));
        for (std::size_t j = 0; j < MALFORMED_CLASS_COUNT; ++j) {
            EXPECT_EQ(c.get(nth(j)), i == j ? 1U : 0U) << to_string(nth(i));
        }
        EXPECT_EQ(c.total(), 1U);
    }
}

TEST(MalformedCounters, TotalSumsEveryClass)
{
    MalformedCounters c;
    c.add(Malformed::dns_bad_pointer);
    c.add(Malformed::dns_bad_pointer);
    c.add(Malformed::pcap_caplen_gt_len);
    c.add(Malformed::tcp_out_of_order_drop);
    EXPECT_EQ(c.get(Malformed::dns_bad_pointer), 2U);
    EXPECT_EQ(c.total(), 4U);
}

} // namespace
} // namespace wtfn::util
