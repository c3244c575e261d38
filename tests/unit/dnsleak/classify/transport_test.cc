// Tests of src/dnsleak/classify/transport.cc: port classification (DESIGN.md section 4).
#include "dnsleak/classify/transport.h"

#include <string>

#include <gtest/gtest.h>

namespace wtfn::dnsleak {
namespace {

using net::L4;

struct PortCase {
    L4 l4;
    std::uint16_t src;
    std::uint16_t dst;
    bool matched;
    Transport transport;
    bool to_server;
};

class MatchPorts : public ::testing::TestWithParam<PortCase> {};

TEST_P(MatchPorts, Classifies)
{
    const PortCase& c = GetParam();
    const PortMatch m = match_ports(c.l4, c.src, c.dst);
    ASSERT_EQ(m.matched, c.matched);
    if (c.matched) {
        EXPECT_EQ(m.transport, c.transport);
        EXPECT_EQ(m.to_server, c.to_server);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Ports,
    MatchPorts,
    ::testing::Values(PortCase{L4::udp, 40000, 53, true, Transport::udp53, true},
                      PortCase{L4::udp, 53, 40000, true, Transport::udp53, false},
                      PortCase{L4::tcp, 40000, 53, true, Transport::tcp53, true},
                      PortCase{L4::tcp, 53, 40000, true, Transport::tcp53, false},
                      PortCase{L4::tcp, 40000, 853, true, Transport::dot, true},
                      PortCase{L4::udp, 40000, 853, true, Transport::doq, true},
                      PortCase{L4::tcp, 443, 40000, true, Transport::https_tcp, false},
                      PortCase{L4::udp, 40000, 443, true, Transport::https_quic, true},
                      PortCase{L4::udp, 5353, 5353, true, Transport::mdns, true},
                      PortCase{L4::tcp, 40000, 5353, false, Transport::udp53, true}, // mDNS is UDP
                      PortCase{L4::udp, 40000, 5355, true, Transport::llmnr, true},
                      PortCase{L4::tcp, 5355, 40000, true, Transport::llmnr, false},
                      // The destination decides first: a client on port 53 talking to 853.
                      PortCase{L4::tcp, 53, 853, true, Transport::dot, true},
                      PortCase{L4::tcp, 5353, 53, true, Transport::tcp53, true},
                      PortCase{L4::tcp, 53, 5353, true, Transport::tcp53, false},
                      PortCase{L4::udp, 40000, 123, false, Transport::udp53, true},
                      PortCase{L4::none, 40000, 53, false, Transport::udp53, true}),
    [](const ::testing::TestParamInfo<PortCase>& i) {
        const PortCase& c = i.param;
        const char* l4 = c.l4 == L4::udp ? "Udp" : c.l4 == L4::tcp ? "Tcp" : "None";
        return std::string(l4) + std::to_string(c.src) + "To" + std::to_string(c.dst);
    });

TEST(TransportNames, StableNames)
{
    EXPECT_EQ(to_string(Transport::udp53), "udp53");
    EXPECT_EQ(to_string(Transport::tcp53), "tcp53");
    EXPECT_EQ(to_string(Transport::dot), "dot");
    EXPECT_EQ(to_string(Transport::doq), "doq");
    EXPECT_EQ(to_string(Transport::mdns), "mdns");
    EXPECT_EQ(to_string(Transport::llmnr), "llmnr");
    EXPECT_EQ(to_string(Transport::https_tcp), "https_tcp");
    EXPECT_EQ(to_string(Transport::https_quic), "https_quic");
    EXPECT_EQ(to_string(Confidence::high), "high");
    EXPECT_EQ(to_string(Confidence::medium), "medium");
    EXPECT_EQ(to_string(Confidence::low), "low");
}

TEST(TransportNames, ResolverLikeAndLocalLink)
{
    EXPECT_TRUE(is_dns_like(Transport::dot));
    EXPECT_TRUE(is_dns_like(Transport::mdns));
    EXPECT_FALSE(is_dns_like(Transport::https_tcp));
    EXPECT_FALSE(is_dns_like(Transport::https_quic));
    EXPECT_TRUE(is_local_link(Transport::mdns));
    EXPECT_TRUE(is_local_link(Transport::llmnr));
    EXPECT_FALSE(is_local_link(Transport::udp53));
}

} // namespace
} // namespace wtfn::dnsleak
