// NetworkPlatform over rtnetlink: the same dumps and route queries `ip` makes.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <libmnl/libmnl.h>

#include "platform/linux/netlink_socket.h"
#include "platform/linux/rtnl_parse.h"
#include "platform/platform.h"

namespace wtfn::platform {
namespace linux_impl {
namespace {

nlmsghdr* start_request(NetlinkSocket& s, std::uint16_t type, std::uint16_t flags)
{
    nlmsghdr* nlh = mnl_nlmsg_put_header(s.request_buffer());
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | flags);
    return nlh;
}

std::string lookup_error(int err)
{
    switch (err) {
        case ENETUNREACH:
            return "network unreachable: no route";
        case EHOSTUNREACH:
            return "host unreachable: an unreachable route";
        case EACCES:
            return "prohibited: a prohibit route";
        case EINVAL:
            return "no usable route (a blackhole route?)";
        default:
            return std::strerror(err);
    }
}

class RtnlPlatform final : public NetworkPlatform {
public:
    explicit RtnlPlatform(std::unique_ptr<NetlinkSocket> s) : sock_(std::move(s)) {}

    bool snapshot(NetworkSnapshot& out, std::string& error) override;
    bool interface(std::uint32_t index, Interface& out, std::string& error) override;
    bool route_get(const RouteQuery& query, RouteLookup& out, std::string& error) override;

private:
    template <typename T, typename Parse>
    bool dump(std::uint16_t type,
              std::size_t header_size,
              std::vector<T>& out,
              Parse parse,
              std::string& error);
    int route_query(const RouteQuery& q, unsigned flags, RouteLookup& out, std::string& error);

    std::unique_ptr<NetlinkSocket> sock_;
};

template <typename T, typename Parse>
bool RtnlPlatform::dump(std::uint16_t type,
                        std::size_t header_size,
                        std::vector<T>& out,
                        Parse parse,
                        std::string& error)
{
    nlmsghdr* nlh = start_request(*sock_, type, NLM_F_DUMP);
    // Every family: the header's family byte (first in ifinfomsg, ifaddrmsg, rtmsg and
    // fib_rule_hdr) is AF_UNSPEC in the zeroed buffer.
    mnl_nlmsg_put_extra_header(nlh, header_size);
    out.clear();
    const int rc = sock_->transact(
        nlh,
        [&](const nlmsghdr* m) {
            if (m == nullptr) {
                out.clear();
                return;
            }
            T item;
            if (parse(m, item)) {
                out.push_back(std::move(item));
            }
        },
        error);
    return rc == 0;
}

bool RtnlPlatform::snapshot(NetworkSnapshot& out, std::string& error)
{
    out = NetworkSnapshot{};
    std::string why;
    if (!dump<Interface>(RTM_GETLINK, sizeof(ifinfomsg), out.interfaces, parse_link, why)) {
        error = "cannot list interfaces over netlink: " + why;
        return false;
    }

    struct Addr {
        std::uint32_t ifindex = 0;
        InterfaceAddress address;
    };

    std::vector<Addr> addrs;
    const auto parse_addr = [](const nlmsghdr* m, Addr& a) {
        return parse_address(m, a.ifindex, a.address);
    };
    if (!dump<Addr>(RTM_GETADDR, sizeof(ifaddrmsg), addrs, parse_addr, why)) {
        error = "cannot list addresses over netlink: " + why;
        return false;
    }
    if (!dump<Route>(RTM_GETROUTE, sizeof(rtmsg), out.routes, parse_route, why)) {
        error = "cannot list routes over netlink: " + why;
        return false;
    }
    if (!dump<PolicyRule>(RTM_GETRULE, sizeof(fib_rule_hdr), out.rules, parse_rule, why)) {
        error = "cannot list policy rules over netlink: " + why;
        return false;
    }
    std::sort(out.interfaces.begin(), out.interfaces.end(), [](const auto& a, const auto& b) {
        return a.index < b.index;
    });
    for (auto& a : addrs) {
        for (auto& i : out.interfaces) {
            if (i.index == a.ifindex) {
                i.addresses.push_back(a.address);
                break;
            }
        }
    }
    // `ip` shows M-DOWN on a device whose lower device (a veth's peer, a VLAN's parent) in
    // this namespace is down: the link cannot carry traffic even though it is UP.
    for (auto& i : out.interfaces) {
        if (i.lower_index == 0 || i.lower_elsewhere || i.lower_index == i.index) {
            continue;
        }
        if (const Interface* lower = out.find(i.lower_index); lower && !lower->up) {
            i.flag_names.emplace_back("M-DOWN");
        }
    }
    for (auto& r : out.routes) {
        if (const Interface* i = out.find(r.oif)) {
            r.dev = i->name;
        }
    }
    std::stable_sort(out.rules.begin(), out.rules.end(), [](const auto& a, const auto& b) {
        return a.family != b.family ? a.family < b.family : a.priority < b.priority;
    });
    return true;
}

bool RtnlPlatform::interface(std::uint32_t index, Interface& out, std::string& error)
{
    nlmsghdr* nlh = start_request(*sock_, RTM_GETLINK, 0);
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_index = static_cast<int>(index);
    bool found = false;
    const int rc = sock_->transact(
        nlh,
        [&](const nlmsghdr* m) {
            if (m != nullptr && m->nlmsg_type == RTM_NEWLINK) {
                found = parse_link(m, out);
            }
        },
        error);
    if (rc == ENODEV) {
        error = "no interface with index " + std::to_string(index);
    }
    return rc == 0 && found;
}

int RtnlPlatform::route_query(const RouteQuery& q,
                              unsigned flags,
                              RouteLookup& out,
                              std::string& error)
{
    nlmsghdr* nlh = start_request(*sock_, RTM_GETROUTE, 0);
    auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
    const bool v4 = q.dst.version == 4;
    rtm->rtm_family = v4 ? AF_INET : AF_INET6;
    rtm->rtm_dst_len = v4 ? 32 : 128;
    rtm->rtm_flags = flags;
    mnl_attr_put(nlh, RTA_DST, q.dst.length(), q.dst.bytes.data());
    if (q.src.version == q.dst.version) {
        rtm->rtm_src_len = v4 ? 32 : 128;
        mnl_attr_put(nlh, RTA_SRC, q.src.length(), q.src.bytes.data());
    }
    if (q.mark) {
        mnl_attr_put_u32(nlh, RTA_MARK, *q.mark);
    }
    if (q.uid) {
        mnl_attr_put_u32(nlh, RTA_UID, *q.uid);
    }
    bool got = false;
    const int rc = sock_->transact(
        nlh,
        [&](const nlmsghdr* m) {
            if (m != nullptr && m->nlmsg_type == RTM_NEWROUTE) {
                got = parse_route_lookup(m, out);
            }
        },
        error);
    if (rc == 0 && !got) {
        error = "the kernel's answer had no route in it";
        return EIO;
    }
    return rc;
}

bool RtnlPlatform::route_get(const RouteQuery& query, RouteLookup& out, std::string& error)
{
    out = RouteLookup{};
    if (query.dst.version != 4 && query.dst.version != 6) {
        error = "no destination address";
        return false;
    }
    std::string why;
    const int rc = route_query(query, RTM_F_LOOKUP_TABLE, out, why);
    if (rc == 0) {
        if (out.oif != 0) {
            Interface i;
            std::string ignored;
            if (interface(out.oif, i, ignored)) {
                out.dev = i.name;
            }
        }
        return true;
    }
    // A blackhole, unreachable or prohibit route answers with an error; asking which route
    // matched (as `ip route get fibmatch` does) turns that into a type users can act on.
    RouteLookup matched;
    std::string ignored;
    if (route_query(query, RTM_F_FIB_MATCH | RTM_F_LOOKUP_TABLE, matched, ignored) == 0 &&
        matched.type != "unicast" && matched.type != "local") {
        out = matched;
        out.oif = 0;
    }
    error = rc == EIO ? why : lookup_error(rc);
    return false;
}

} // namespace
} // namespace linux_impl

std::unique_ptr<NetworkPlatform> open_network_platform(std::string& error)
{
    auto s = linux_impl::NetlinkSocket::open(0, error);
    if (!s) {
        return nullptr;
    }
    return std::make_unique<linux_impl::RtnlPlatform>(std::move(s));
}

} // namespace wtfn::platform
