// Tests of src/util/byte_reader.h: the checked cursor every parser reads through (STYLE.md C1).
// Each length check gets the triad last valid byte / exactly at end / one past.
#include "util/byte_reader.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace wtfn::util {
namespace {

constexpr std::array<std::uint8_t, 4> FOUR{0x12, 0x34, 0x56, 0x78};

TEST(ByteReader, ReadsBigEndianFields)
{
    const std::array<std::uint8_t, 7> data{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
    ByteReader r{Bytes{data}};
    EXPECT_EQ(r.u8(), 0x01);
    EXPECT_EQ(r.u16(), 0x0203);
    EXPECT_EQ(r.u32(), 0x04050607U);
    EXPECT_TRUE(r);
    EXPECT_EQ(r.position(), 7U);
    EXPECT_EQ(r.remaining(), 0U);
}

TEST(ByteReader, ReadsTheLastValidByte)
{
    ByteReader r{Bytes{FOUR}};
    ASSERT_TRUE(r.skip(3));
    EXPECT_EQ(r.u8(), 0x78);
    EXPECT_TRUE(r);
}

TEST(ByteReader, StandingExactlyAtTheEndIsNotAnError)
{
    ByteReader r{Bytes{FOUR}};
    EXPECT_EQ(r.u32(), 0x12345678U);
    EXPECT_TRUE(r);
    EXPECT_FALSE(r.failed());
    EXPECT_EQ(r.position(), 4U);
    EXPECT_EQ(r.remaining(), 0U);
    EXPECT_TRUE(r.rest().empty());
}

TEST(ByteReader, ReadingOnePastTheEndFailsReturnsZeroAndKeepsPosition)
{
    ByteReader r{Bytes{FOUR}};
    ASSERT_TRUE(r.skip(4));
    EXPECT_EQ(r.u8(), 0);
    EXPECT_FALSE(r);
    EXPECT_TRUE(r.failed());
    EXPECT_EQ(r.position(), 4U);
}

TEST(ByteReader, U16WithOneByteLeftFailsWithoutConsumingIt)
{
    ByteReader r{Bytes{FOUR}};
    ASSERT_TRUE(r.skip(3));
    EXPECT_EQ(r.u16(), 0);
    EXPECT_FALSE(r);
    EXPECT_EQ(r.position(), 3U);
}

TEST(ByteReader, U32WithThreeBytesLeftFails)
{
    ByteReader r{Bytes{FOUR}};
    ASSERT_EQ(r.u8(), 0x12);
    EXPECT_EQ(r.u32(), 0U);
    EXPECT_FALSE(r);
    EXPECT_EQ(r.position(), 1U);
}

TEST(ByteReader, ErrorIsSticky)
{
    ByteReader r{Bytes{FOUR}};
    ASSERT_TRUE(r.skip(3));
    EXPECT_EQ(r.u16(), 0); // fails: one byte left
    EXPECT_EQ(r.u8(), 0);  // would fit, but the error latched
    EXPECT_FALSE(r);
    EXPECT_EQ(r.remaining(), 0U);
    EXPECT_TRUE(r.rest().empty());
    EXPECT_TRUE(r.take(0).empty());
    EXPECT_FALSE(r.skip(0));
}

TEST(ByteReader, EmptyInputFailsOnFirstRead)
{
    ByteReader r{};
    EXPECT_TRUE(r);
    EXPECT_EQ(r.u8(), 0);
    EXPECT_FALSE(r);
}

TEST(ByteReader, TakeUpToTheEndReturnsTheBytes)
{
    ByteReader r{Bytes{FOUR}};
    ASSERT_EQ(r.u8(), 0x12);
    const auto t = r.take(3);
    ASSERT_EQ(t.size(), 3U);
    EXPECT_EQ(t[0], 0x34);
    EXPECT_EQ(t[2], 0x78);
    EXPECT_TRUE(r);
    EXPECT_EQ(r.position(), 4U);
}

TEST(ByteReader, TakeOnePastTheEndIsEmptyAndFails)
{
    ByteReader r{Bytes{FOUR}};
    ASSERT_EQ(r.u8(), 0x12);
    EXPECT_TRUE(r.take(4).empty());
    EXPECT_FALSE(r);
    EXPECT_EQ(r.position(), 1U);
}

TEST(ByteReader, HugeTakeDoesNotWrapAround)
{
    ByteReader r{Bytes{FOUR}};
    ASSERT_EQ(r.u8(), 0x12);
    EXPECT_TRUE(r.take(std::numeric_limits<std::size_t>::max()).empty());
    EXPECT_FALSE(r);
}

TEST(ByteReader, SkipTriad)
{
    ByteReader last{Bytes{FOUR}};
    EXPECT_TRUE(last.skip(3));
    EXPECT_EQ(last.remaining(), 1U);
    ByteReader end{Bytes{FOUR}};
    EXPECT_TRUE(end.skip(4));
    EXPECT_TRUE(end);
    ByteReader past{Bytes{FOUR}};
    EXPECT_FALSE(past.skip(5));
    EXPECT_FALSE(past);
    EXPECT_EQ(past.position(), 0U);
}

TEST(ByteReader, SeekToLastByteThenRead)
{
    ByteReader r{Bytes{FOUR}};
    ASSERT_TRUE(r.seek(3));
    EXPECT_EQ(r.u8(), 0x78);
    EXPECT_TRUE(r);
}

TEST(ByteReader, SeekExactlyToTheEndIsAllowed)
{
    ByteReader r{Bytes{FOUR}};
    EXPECT_TRUE(r.seek(4));
    EXPECT_TRUE(r);
    EXPECT_EQ(r.position(), 4U);
    EXPECT_EQ(r.remaining(), 0U);
}

TEST(ByteReader, SeekOnePastTheEndFailsAndLatches)
{
    ByteReader r{Bytes{FOUR}};
    ASSERT_EQ(r.u8(), 0x12);
    EXPECT_FALSE(r.seek(5));
    EXPECT_FALSE(r);
    EXPECT_EQ(r.position(), 1U);
    EXPECT_FALSE(r.seek(0)); // latched: even a valid seek fails now
}

TEST(ByteReader, SeekBackwardsRereads)
{
    ByteReader r{Bytes{FOUR}};
    ASSERT_EQ(r.u32(), 0x12345678U);
    ASSERT_TRUE(r.seek(1));
    EXPECT_EQ(r.u16(), 0x3456);
}

TEST(ByteReader, RestIsTheUnreadTail)
{
    ByteReader r{Bytes{FOUR}};
    ASSERT_EQ(r.u8(), 0x12);
    const auto rest = r.rest();
    ASSERT_EQ(rest.size(), 3U);
    EXPECT_EQ(rest[0], 0x34);
    EXPECT_EQ(r.size(), 4U);
    EXPECT_EQ(r.whole().size(), 4U);
}

TEST(ByteReader, LoadHelpersHonourByteOrder)
{
    EXPECT_EQ(load_u16(FOUR.data(), true), 0x1234);
    EXPECT_EQ(load_u16(FOUR.data(), false), 0x3412);
    EXPECT_EQ(load_u32(FOUR.data(), true), 0x12345678U);
    EXPECT_EQ(load_u32(FOUR.data(), false), 0x78563412U);
}

TEST(ByteReader, WorksInConstantExpressions)
{
    constexpr auto v = [] {
        constexpr std::array<std::uint8_t, 2> d{0xAB, 0xCD};
        ByteReader r{Bytes{d}};
        return r.u16();
    }();
    static_assert(v == 0xABCD);
    EXPECT_EQ(v, 0xABCD);
}

} // namespace
} // namespace wtfn::util
