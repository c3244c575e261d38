// InterfaceResolver: live resolution against a fake platform (this class's unit test; the
// real kernel path is tests/e2e/live_route_class.sh), and file resolution from a pcapng.
#include "dnsleak/pipeline/interface_resolver.h"

#include <map>

#include <gtest/gtest.h>

#include "capture/pcap_file_reader.h"
#include "support/pcap_writer.h"
#include "util/malformed.h"

namespace wtfn::dnsleak {
namespace {

using platform::RouteClass;

class FakePlatform final : public platform::NetworkPlatform {
public:
    std::map<std::uint32_t, platform::Interface> links;
    int queries = 0;

    bool snapshot(platform::NetworkSnapshot&, std::string&) override { return false; }

    bool interface(std::uint32_t index, platform::Interface& out, std::string& error) override
    {
        ++queries;
        const auto it = links.find(index);
        if (it == links.end()) {
            error = "no such interface";
            return false;
        }
        out = it->second;
        return true;
    }

    bool route_get(const platform::RouteQuery&, platform::RouteLookup&, std::string&) override
    {
        return false;
    }
};

class FakeMonitor final : public platform::LinkMonitor {
public:
    std::vector<platform::LinkChange>* pending = nullptr;

    void poll(const std::function<void(const platform::LinkChange&)>& on_change) override
    {
        for (const auto& c : *pending) {
            on_change(c);
        }
        pending->clear();
    }
};

platform::Interface link(std::uint32_t index, std::string name, std::string kind)
{
    platform::Interface i;
    i.index = index;
    i.name = std::move(name);
    i.layer = kind == "tun" ? platform::LinkLayer::raw_ip : platform::LinkLayer::ethernet;
    i.kernel_type_name = kind == "tun" ? "none" : "ether";
    i.link_kind = std::move(kind);
    return i;
}

struct Live {
    FakePlatform* platform = nullptr;
    std::vector<platform::LinkChange> changes;
    std::unique_ptr<LiveInterfaceResolver> resolver;

    Live()
    {
        auto p = std::make_unique<FakePlatform>();
        platform = p.get();
        platform->links[3] = link(3, "vpnx0", "tun");
        platform->links[4] = link(4, "veth-c", "veth");
        auto m = std::make_unique<FakeMonitor>();
        m->pending = &changes;
        resolver = std::make_unique<LiveInterfaceResolver>(
            std::move(p), std::move(m), platform::RouteClassLabels{}, 0);
    }

    InterfaceRef at(std::uint32_t ifindex) { return resolver->resolve({ifindex, 0, 0, 276}); }
};

TEST(LiveInterfaceResolver, ClassifiesFromKernelFactsAndCaches)
{
    Live l;
    const InterfaceRef a = l.at(3);
    EXPECT_EQ(a.name, "vpnx0");
    EXPECT_EQ(a.ifindex, 3u);
    EXPECT_EQ(a.route_class, RouteClass::tunnel);
    EXPECT_EQ(l.at(4).route_class, RouteClass::physical);
    l.at(3);
    l.at(4);
    EXPECT_EQ(l.platform->queries, 2); // once per interface
    const auto seen = l.resolver->seen();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].decision.reason, "kernel: link kind tun");
}

TEST(LiveInterfaceResolver, UnknownIndexGivesNoClassAndIsNotRequeried)
{
    Live l;
    const InterfaceRef r = l.at(0x7FFFFF00);
    EXPECT_TRUE(r.name.empty());
    EXPECT_EQ(r.route_class, RouteClass::unknown);
    l.at(0x7FFFFF00);
    EXPECT_EQ(l.platform->queries, 1);
}

TEST(LiveInterfaceResolver, ChangedInterfaceIsReclassifiedAndTheOldFactsKept)
{
    Live l;
    EXPECT_EQ(l.at(3).route_class, RouteClass::tunnel);
    // The kernel says index 3 is now a veth called "lan3" (renamed and retyped).
    l.changes.push_back({false, false, link(3, "lan3", "veth")});
    l.resolver->refresh();
    const InterfaceRef r = l.at(3);
    EXPECT_EQ(r.name, "lan3");
    EXPECT_EQ(r.route_class, RouteClass::physical);
    const auto seen = l.resolver->seen();
    ASSERT_EQ(seen.size(), 2u);      // the report keeps both: events came from each
    EXPECT_EQ(seen[0].name, "lan3"); // by index, then name
    EXPECT_EQ(seen[0].decision.route_class, RouteClass::physical);
    EXPECT_EQ(seen[1].name, "vpnx0");
    EXPECT_EQ(seen[1].decision.route_class, RouteClass::tunnel);
}

TEST(LiveInterfaceResolver, RemovedInterfaceKeepsItsFacts)
{
    Live l;
    l.at(3);
    l.platform->links.erase(3);
    l.changes.push_back({true, false, link(3, "vpnx0", "tun")});
    l.resolver->refresh();
    EXPECT_EQ(l.at(3).route_class, RouteClass::tunnel); // a packet still in flight
    EXPECT_EQ(l.platform->queries, 1);
}

TEST(LiveInterfaceResolver, LostNotificationsForgetEverything)
{
    Live l;
    l.at(3);
    l.platform->links[3] = link(3, "vpnx0", "veth");
    platform::LinkChange resync;
    resync.resync = true;
    l.changes.push_back(resync);
    l.resolver->refresh();
    EXPECT_EQ(l.at(3).route_class, RouteClass::physical);
    EXPECT_EQ(l.platform->queries, 2);
}

TEST(LiveInterfaceResolver, FixedInterfaceWhenPacketsCarryNoIndex)
{
    auto p = std::make_unique<FakePlatform>();
    p->links[4] = link(4, "veth-c", "veth");
    LiveInterfaceResolver r(std::move(p), nullptr, {}, 4);
    EXPECT_EQ(r.resolve({0, 0, 0, 1}).name, "veth-c");
}

TEST(LiveInterfaceResolver, PolicyLabelsApply)
{
    auto p = std::make_unique<FakePlatform>();
    p->links[4] = link(4, "veth-c", "veth");
    platform::RouteClassLabels labels;
    labels.add("veth-*", RouteClass::tunnel);
    LiveInterfaceResolver r(std::move(p), nullptr, labels, 0);
    EXPECT_EQ(r.resolve({4, 0, 0, 276}).route_class, RouteClass::tunnel);
    EXPECT_EQ(r.seen()[0].decision.basis, platform::RouteClassBasis::policy);
}

TEST(FileInterfaceResolver, NamesLinkTypesAndCookedTypes)
{
    test::PcapngWriter w;
    const auto eth0 = w.interface({test::linktype::EN10MB, "eth0", std::uint8_t{9}, 0});
    const auto wg0 = w.interface({test::linktype::RAW, "wg0", std::nullopt, 0});
    const auto anon = w.interface({test::linktype::EN10MB, "", std::nullopt, 0});
    const auto any = w.interface({test::linktype::LINUX_SLL2, "any", std::nullopt, 0});
    const test::Wire junk(60, 0);
    for (const auto id : {eth0, wg0, anon, any}) {
        w.packet(id, 1'000'000, junk);
    }
    capture::PcapFileReader reader;
    ASSERT_TRUE(reader.open_memory(w.bytes().data(), w.bytes().size(), "t.pcapng"));
    capture::RawPacket p;
    util::MalformedCounters bad;
    while (reader.next(p, bad) == capture::PcapFileReader::Status::packet) {
    }
    FileInterfaceResolver r(reader, {});
    EXPECT_EQ(r.resolve({0, eth0, 0, test::linktype::EN10MB}).route_class, RouteClass::physical);
    EXPECT_EQ(r.resolve({0, wg0, 0, test::linktype::RAW}).route_class, RouteClass::tunnel);
    EXPECT_EQ(r.resolve({0, anon, 0, test::linktype::EN10MB}).route_class, RouteClass::unknown);
    // On "any" each packet's SLL2 header names its interface's type.
    EXPECT_EQ(r.resolve({7, any, 0xFFFE, test::linktype::LINUX_SLL2}).route_class,
              RouteClass::tunnel);
    EXPECT_EQ(r.resolve({1, any, 772, test::linktype::LINUX_SLL2}).route_class,
              RouteClass::loopback);
    const auto seen = r.seen();
    ASSERT_EQ(seen.size(), 5u);
    EXPECT_EQ(seen[1].decision.reason,
              "capture: link type RAW is raw IP (no link header, as on tun devices)");
    EXPECT_EQ(seen[3].ifindex, 7u);
}

TEST(FileInterfaceResolver, ALabelOverridesTheFile)
{
    test::PcapngWriter w;
    const auto eth1 = w.interface({test::linktype::EN10MB, "eth1", std::nullopt, 0});
    w.packet(eth1, 1'000'000, test::Wire(60, 0));
    capture::PcapFileReader reader;
    ASSERT_TRUE(reader.open_memory(w.bytes().data(), w.bytes().size(), "t.pcapng"));
    capture::RawPacket p;
    util::MalformedCounters bad;
    while (reader.next(p, bad) == capture::PcapFileReader::Status::packet) {
    }
    platform::RouteClassLabels labels;
    labels.add("eth1", RouteClass::tunnel);
    FileInterfaceResolver r(reader, labels);
    EXPECT_EQ(r.resolve({0, eth1, 0, test::linktype::EN10MB}).route_class, RouteClass::tunnel);
}

} // namespace
} // namespace wtfn::dnsleak
