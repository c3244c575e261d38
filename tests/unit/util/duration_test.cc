// Tests of src/util/duration.cc: the --duration argument.
#include "util/duration.h"

#include <chrono>
#include <string_view>

#include <gtest/gtest.h>

namespace wtfn::util {
namespace {

using std::chrono::milliseconds;

TEST(Duration, ParsesSeconds)
{
    EXPECT_EQ(parse_duration("10s"), milliseconds(10'000));
}

TEST(Duration, ParsesMilliseconds)
{
    EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
}

TEST(Duration, ParsesMinutes)
{
    EXPECT_EQ(parse_duration("2m"), milliseconds(120'000));
}

TEST(Duration, ParsesHours)
{
    EXPECT_EQ(parse_duration("1h"), milliseconds(3'600'000));
}

TEST(Duration, ParsesSmallestValue)
{
    EXPECT_EQ(parse_duration("1ms"), milliseconds(1));
}

TEST(Duration, RejectsEmpty)
{
    EXPECT_EQ(parse_duration(""), std::nullopt);
}

TEST(Duration, RejectsZero)
{
    EXPECT_EQ(parse_duration("0s"), std::nullopt);
    EXPECT_EQ(parse_duration("0ms"), std::nullopt);
}

TEST(Duration, RejectsMissingUnit)
{
    EXPECT_EQ(parse_duration("10"), std::nullopt);
}

TEST(Duration, RejectsUnknownUnit)
{
    EXPECT_EQ(parse_duration("10x"), std::nullopt);
    EXPECT_EQ(parse_duration("10d"), std::nullopt);
    EXPECT_EQ(parse_duration("10S"), std::nullopt);
    EXPECT_EQ(parse_duration("10sec"), std::nullopt);
}

TEST(Duration, RejectsNegative)
{
    EXPECT_EQ(parse_duration("-1s"), std::nullopt);
}

TEST(Duration, RejectsExplicitPlusSign)
{
    EXPECT_EQ(parse_duration("+1s"), std::nullopt);
}

TEST(Duration, RejectsUnitWithoutNumber)
{
    EXPECT_EQ(parse_duration("s"), std::nullopt);
    EXPECT_EQ(parse_duration("ms"), std::nullopt);
}

TEST(Duration, RejectsFractions)
{
    EXPECT_EQ(parse_duration("1.5s"), std::nullopt);
}

TEST(Duration, RejectsSurroundingOrInnerSpaces)
{
    EXPECT_EQ(parse_duration(" 10s"), std::nullopt);
    EXPECT_EQ(parse_duration("10s "), std::nullopt);
    EXPECT_EQ(parse_duration("10 s"), std::nullopt);
}

TEST(Duration, RejectsTwoUnits)
{
    EXPECT_EQ(parse_duration("1h30m"), std::nullopt);
}

TEST(Duration, AcceptsExactly30Days)
{
    EXPECT_EQ(parse_duration("720h"), milliseconds(2'592'000'000));
    EXPECT_EQ(parse_duration("43200m"), milliseconds(2'592'000'000));
    EXPECT_EQ(parse_duration("2592000s"), milliseconds(2'592'000'000));
    EXPECT_EQ(parse_duration("2592000000ms"), milliseconds(2'592'000'000));
}

TEST(Duration, RejectsOneUnitOver30Days)
{
    EXPECT_EQ(parse_duration("721h"), std::nullopt);
    EXPECT_EQ(parse_duration("43201m"), std::nullopt);
    EXPECT_EQ(parse_duration("2592001s"), std::nullopt);
    EXPECT_EQ(parse_duration("2592000001ms"), std::nullopt);
}

TEST(Duration, RejectsValuesWhoseProductWouldOverflow)
{
    EXPECT_EQ(parse_duration("18446744073709551615s"), std::nullopt); // UINT64_MAX * 1000
    EXPECT_EQ(parse_duration("5124095576030431h"), std::nullopt);     // * 3.6e6 wraps
}

TEST(Duration, RejectsValuesTooLargeForUint64)
{
    EXPECT_EQ(parse_duration("99999999999999999999999s"), std::nullopt);
}

} // namespace
} // namespace wtfn::util
