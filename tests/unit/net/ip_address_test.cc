// Tests of src/net/ip_address.cc: text forms and parsing.
#include "net/ip_address.h"

#include <gtest/gtest.h>

namespace wtfn::net {
namespace {

TEST(IpAddress, Ipv4RoundTrip)
{
    const IpAddress a = parse_ip("192.0.2.1");
    EXPECT_EQ(a.version, 4);
    EXPECT_EQ(a.length(), 4u);
    EXPECT_EQ(a.to_string(), "192.0.2.1");
}

TEST(IpAddress, Ipv6UsesRfc5952Form)
{
    const IpAddress a = parse_ip("2001:0DB8:0000:0000:0000:0000:0000:0001");
    EXPECT_EQ(a.version, 6);
    EXPECT_EQ(a.length(), 16u);
    EXPECT_EQ(a.to_string(), "2001:db8::1");
}

TEST(IpAddress, NotAnAddress)
{
    for (const char* s :
         {"", "192.0.2", "192.0.2.256", "2001:db8:::1", "a.example", " 192.0.2.1"}) {
        const IpAddress a = parse_ip(s);
        EXPECT_EQ(a.version, 0) << s;
        EXPECT_EQ(a.to_string(), "-") << s;
    }
}

TEST(IpAddress, EqualityIncludesVersion)
{
    EXPECT_EQ(parse_ip("198.51.100.1"), parse_ip("198.51.100.1"));
    EXPECT_NE(parse_ip("198.51.100.1"), parse_ip("198.51.100.2"));
    // All-zero bytes in both: only the version tells them apart.
    IpAddress v4 = parse_ip("0.0.0.0");
    IpAddress v6 = parse_ip("::");
    EXPECT_NE(v4, v6);
    EXPECT_NE(v4.hash(), v6.hash());
}

TEST(IpAddress, FromBytes)
{
    const std::uint8_t b4[4] = {198, 51, 100, 7};
    EXPECT_EQ(IpAddress::v4(util::Bytes{b4, 4}).to_string(), "198.51.100.7");
    std::uint8_t b6[16] = {0x20, 0x01, 0x0d, 0xb8};
    b6[15] = 0x53;
    EXPECT_EQ(IpAddress::v6(util::Bytes{b6, 16}).to_string(), "2001:db8::53");
}

} // namespace
} // namespace wtfn::net
