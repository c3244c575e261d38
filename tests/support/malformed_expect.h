// Assertions on MalformedCounters (RELIABILITY.md M1): a crafted input must raise its own
// class by exactly one and leave every other class where it was.
//
//   util::MalformedCounters bad;
//   decode_frame(..., bad);
//   EXPECT_TRUE(only_counted(bad, Malformed::net_ip_trunc));
//   EXPECT_TRUE(nothing_counted(bad));
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "util/malformed.h"

namespace wtfn::test {

// Names every non-zero class: "net.ip_trunc=1 net.fragment=2", or "none".
inline std::string describe_counts(const util::MalformedCounters& c)
{
    std::string out;
    for (std::size_t i = 0; i < util::MALFORMED_CLASS_COUNT; ++i) {
        if (c.counts[i] != 0) {
            if (!out.empty()) {
                out += ' ';
            }
            out += std::string(util::to_string(static_cast<util::Malformed>(i))) + "=" +
                   std::to_string(c.counts[i]);
        }
    }
    return out.empty() ? "none" : out;
}

// `after` differs from `before` by exactly +1 in class `m` and nowhere else.
inline ::testing::AssertionResult counted_once(const util::MalformedCounters& before,
                                               const util::MalformedCounters& after,
                                               util::Malformed m)
{
    for (std::size_t i = 0; i < util::MALFORMED_CLASS_COUNT; ++i) {
        const std::uint64_t want = before.counts[i] + (i == static_cast<std::size_t>(m) ? 1 : 0);
        if (after.counts[i] != want) {
            return ::testing::AssertionFailure() << "expected only " << util::to_string(m)
                                                 << " +1; before: " << describe_counts(before)
                                                 << "; after: " << describe_counts(after);
        }
    }
    return ::testing::AssertionSuccess();
}

// Starting from zero: exactly one count, in class `m`.
inline ::testing::AssertionResult only_counted(const util::MalformedCounters& c, util::Malformed m)
{
    return counted_once(util::MalformedCounters{}, c, m);
}

inline ::testing::AssertionResult nothing_counted(const util::MalformedCounters& c)
{
    if (c.total() == 0) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "expected no malformed counts; got " << describe_counts(c);
}

} // namespace wtfn::test
