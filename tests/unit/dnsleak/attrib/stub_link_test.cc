// StubLinker: a stub's upstream query is linked to the loopback query of the same name and
// type from another process, within the window, newest first.
#include "dnsleak/attrib/stub_link.h"

#include <gtest/gtest.h>

namespace wtfn::dnsleak {
namespace {

constexpr std::int64_t MS = 1'000'000;

TEST(StubLinker, LinksTheSameNameAndTypeFromAnotherProcess)
{
    StubLinker l;
    l.remember(1000 * MS, "www.example.com", 1, 4242, "dig");
    std::int32_t pid = 0;
    std::string name;
    ASSERT_TRUE(l.find(1003 * MS, "www.example.com", 1, 77, pid, name));
    EXPECT_EQ(pid, 4242);
    EXPECT_EQ(name, "dig");
}

TEST(StubLinker, NeedsTheSameTypeNameAndWindow)
{
    StubLinker l;
    l.remember(1000 * MS, "www.example.com", 1, 4242, "dig");
    std::int32_t pid = 0;
    std::string name;
    EXPECT_FALSE(l.find(1003 * MS, "www.example.com", 28, 77, pid, name)); // AAAA
    EXPECT_FALSE(l.find(1003 * MS, "www.example.org", 1, 77, pid, name));
    EXPECT_FALSE(
        l.find(1000 * MS + StubLinker::WINDOW_NS + MS, "www.example.com", 1, 77, pid, name));
    EXPECT_FALSE(l.find(999 * MS, "www.example.com", 1, 77, pid, name)); // before it was asked
    // The stub's own loopback query (a resolver asking itself) is not an application.
    EXPECT_FALSE(l.find(1003 * MS, "www.example.com", 1, 4242, pid, name));
}

TEST(StubLinker, TheNewestAskerWins)
{
    StubLinker l;
    l.remember(1000 * MS, "a.example", 1, 10, "curl");
    l.remember(1500 * MS, "a.example", 1, 20, "firefox");
    std::int32_t pid = 0;
    std::string name;
    ASSERT_TRUE(l.find(1501 * MS, "a.example", 1, 77, pid, name));
    EXPECT_EQ(pid, 20);
}

TEST(StubLinker, StaysBoundedAndForgetsTheOldest)
{
    StubLinker l;
    l.remember(1000 * MS, "first.example", 1, 10, "first");
    for (std::size_t i = 0; i < StubLinker::CAPACITY; ++i) {
        l.remember(1001 * MS, "filler.example", 1, 11, "filler");
    }
    std::int32_t pid = 0;
    std::string name;
    EXPECT_FALSE(l.find(1002 * MS, "first.example", 1, 77, pid, name));
    EXPECT_TRUE(l.find(1002 * MS, "filler.example", 1, 77, pid, name));
}

TEST(StubLinker, KnowsTheCommonStubsByTheirCommName)
{
    EXPECT_TRUE(is_stub_process("dnsmasq"));
    EXPECT_TRUE(is_stub_process("systemd-resolve")); // comm is cut at 15 bytes
    EXPECT_TRUE(is_stub_process("unbound"));
    EXPECT_TRUE(is_stub_process("sing-box"));
    EXPECT_FALSE(is_stub_process("dig"));
    EXPECT_FALSE(is_stub_process("firefox"));
}

} // namespace
} // namespace wtfn::dnsleak
