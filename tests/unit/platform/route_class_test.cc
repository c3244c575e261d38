// route_class: the order of evidence (policy labels, then kernel facts, then the name) and
// the reason each decision gives.
#include "platform/route_class.h"

#include <gtest/gtest.h>

namespace wtfn::platform {
namespace {

Interface make(std::string name, LinkLayer layer, std::string kind = "", bool p2p = false)
{
    Interface i;
    i.name = std::move(name);
    i.layer = layer;
    i.kernel_type_name = to_string(layer);
    i.link_kind = std::move(kind);
    i.point_to_point = p2p;
    i.loopback = layer == LinkLayer::loopback;
    return i;
}

RouteClassDecision classify(const Interface& i)
{
    return classify_interface(i, RouteClassLabels{});
}

TEST(RouteClass, LoopbackFlagIsLoopback)
{
    const auto d = classify(make("lo", LinkLayer::loopback));
    EXPECT_EQ(d.route_class, RouteClass::loopback);
    EXPECT_EQ(d.basis, RouteClassBasis::kernel);
    EXPECT_EQ(d.reason, "kernel: loopback flag");
}

TEST(RouteClass, TunDeviceIsTunnelWhateverItsName)
{
    const auto d = classify(make("ethvpn0", LinkLayer::raw_ip, "tun", true));
    EXPECT_EQ(d.route_class, RouteClass::tunnel);
    EXPECT_EQ(d.basis, RouteClassBasis::kernel);
    EXPECT_EQ(d.reason, "kernel: link kind tun");
}

TEST(RouteClass, TapDeviceIsTunnelByLinkKind)
{
    EXPECT_EQ(classify(make("vpn-tap", LinkLayer::ethernet, "tun")).route_class,
              RouteClass::tunnel);
}

TEST(RouteClass, WireGuardAndIpTunnelsAreTunnels)
{
    EXPECT_EQ(classify(make("office", LinkLayer::raw_ip, "wireguard")).reason,
              "kernel: link kind wireguard");
    EXPECT_EQ(classify(make("x", LinkLayer::ip_tunnel, "gre")).route_class, RouteClass::tunnel);
    // An IP tunnel whose kind we do not know is still a tunnel by its link type.
    const auto d = classify(make("x", LinkLayer::ip_tunnel, "newtunnel"));
    EXPECT_EQ(d.route_class, RouteClass::tunnel);
    EXPECT_EQ(d.basis, RouteClassBasis::kernel);
}

TEST(RouteClass, PointToPointIsTunnel)
{
    const auto d = classify(make("link0", LinkLayer::other, "", true));
    EXPECT_EQ(d.route_class, RouteClass::tunnel);
    EXPECT_EQ(d.reason, "kernel: point-to-point");
}

TEST(RouteClass, PppIsTunnel)
{
    EXPECT_EQ(classify(make("dsl", LinkLayer::ppp)).route_class, RouteClass::tunnel);
}

TEST(RouteClass, VethNamedLikeATunnelIsPhysical)
{
    const auto d = classify(make("tun7", LinkLayer::ethernet, "veth"));
    EXPECT_EQ(d.route_class, RouteClass::physical);
    EXPECT_EQ(d.basis, RouteClassBasis::kernel);
    EXPECT_EQ(d.reason, "kernel: link kind veth");
}

TEST(RouteClass, PlainEthernetAndBridgeArePhysical)
{
    EXPECT_EQ(classify(make("wlp3s0", LinkLayer::ethernet)).reason, "kernel: ethernet device");
    EXPECT_EQ(classify(make("br0", LinkLayer::ethernet, "bridge")).route_class,
              RouteClass::physical);
    EXPECT_EQ(classify(make("mon0", LinkLayer::wifi)).route_class, RouteClass::physical);
}

TEST(RouteClass, NameDecidesOnlyWhenTheKernelSaysNothing)
{
    // An ethernet-type device of a kind we do not know: the name is the only evidence left.
    auto d = classify(make("wg-home", LinkLayer::ethernet, "somekind"));
    EXPECT_EQ(d.route_class, RouteClass::tunnel);
    EXPECT_EQ(d.basis, RouteClassBasis::name);
    EXPECT_EQ(d.reason, "name: matches wg*");
    d = classify(make("utun3", LinkLayer::other));
    EXPECT_EQ(d.route_class, RouteClass::tunnel);
    d = classify(make("enp0s3", LinkLayer::other));
    EXPECT_EQ(d.route_class, RouteClass::physical);
    EXPECT_EQ(d.basis, RouteClassBasis::name);
}

TEST(RouteClass, UnknownWhenNothingDecides)
{
    const auto d = classify(make("can0", LinkLayer::other));
    EXPECT_EQ(d.route_class, RouteClass::unknown);
    EXPECT_EQ(d.basis, RouteClassBasis::kernel);
    EXPECT_EQ(d.reason, "kernel: type other (neither tunnel nor physical)");
}

TEST(RouteClass, PolicyLabelBeatsTheKernel)
{
    RouteClassLabels labels;
    labels.add("eth1", RouteClass::tunnel);
    labels.add("vpn*", RouteClass::tunnel);
    labels.add("tun9", RouteClass::physical);
    auto d = classify_interface(make("eth1", LinkLayer::ethernet), labels);
    EXPECT_EQ(d.route_class, RouteClass::tunnel);
    EXPECT_EQ(d.basis, RouteClassBasis::policy);
    EXPECT_EQ(d.reason, "policy: label eth1 = tunnel");
    d = classify_interface(make("vpn-office", LinkLayer::ethernet, "veth"), labels);
    EXPECT_EQ(d.route_class, RouteClass::tunnel);
    d = classify_interface(make("tun9", LinkLayer::raw_ip, "tun"), labels);
    EXPECT_EQ(d.route_class, RouteClass::physical);
    // "eth1" is a name, not a prefix: eth10 is not labelled.
    EXPECT_EQ(classify_interface(make("eth10", LinkLayer::ethernet), labels).basis,
              RouteClassBasis::kernel);
}

TEST(RouteClass, FirstMatchingLabelWins)
{
    RouteClassLabels labels;
    labels.add("wg0", RouteClass::physical);
    labels.add("wg*", RouteClass::tunnel);
    EXPECT_EQ(labels.match("wg0")->route_class, RouteClass::physical);
    EXPECT_EQ(labels.match("wg1")->route_class, RouteClass::tunnel);
    EXPECT_EQ(labels.match("w"), nullptr);
}

TEST(RouteClass, CapturedRawIpIsTunnel)
{
    const auto d = classify_captured_interface("", LinkLayer::raw_ip, "link type RAW", {});
    EXPECT_EQ(d.route_class, RouteClass::tunnel);
    EXPECT_EQ(d.basis, RouteClassBasis::capture);
    EXPECT_EQ(d.reason, "capture: link type RAW is raw IP (no link header, as on tun devices)");
}

TEST(RouteClass, CapturedEthernetFallsBackToTheName)
{
    auto d = classify_captured_interface("eth0", LinkLayer::ethernet, "SLL2 type", {});
    EXPECT_EQ(d.route_class, RouteClass::physical);
    EXPECT_EQ(d.basis, RouteClassBasis::name);
    d = classify_captured_interface("", LinkLayer::ethernet, "link type EN10MB", {});
    EXPECT_EQ(d.route_class, RouteClass::unknown);
}

TEST(RouteClass, CapturedNameCanBeLabelled)
{
    RouteClassLabels labels;
    labels.add("eth0", RouteClass::tunnel);
    const auto d = classify_captured_interface("eth0", LinkLayer::raw_ip, "x", labels);
    EXPECT_EQ(d.route_class, RouteClass::tunnel);
    EXPECT_EQ(d.basis, RouteClassBasis::policy);
}

TEST(RouteClass, NamesRoundTrip)
{
    for (const auto c :
         {RouteClass::loopback, RouteClass::tunnel, RouteClass::physical, RouteClass::unknown}) {
        EXPECT_EQ(parse_route_class(to_string(c)), c);
    }
    EXPECT_FALSE(parse_route_class("tunel"));
}

} // namespace
} // namespace wtfn::platform
