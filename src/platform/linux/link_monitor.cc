// LinkMonitor over rtnetlink's link multicast group: the kernel tells us when an interface
// is created, changed or deleted, so a long watch follows a VPN that reconnects.
#include <linux/rtnetlink.h>

#include "platform/linux/netlink_socket.h"
#include "platform/linux/rtnl_parse.h"
#include "platform/platform.h"

namespace wtfn::platform {
namespace linux_impl {
namespace {

class RtnlLinkMonitor final : public LinkMonitor {
public:
    explicit RtnlLinkMonitor(std::unique_ptr<NetlinkSocket> s) : sock_(std::move(s)) {}

    void poll(const std::function<void(const LinkChange&)>& on_change) override
    {
        LinkChange change;
        const bool complete = sock_->read_notifications([&](const nlmsghdr* m) {
            if (m == nullptr || (m->nlmsg_type != RTM_NEWLINK && m->nlmsg_type != RTM_DELLINK)) {
                return;
            }
            if (parse_link(m, change.interface)) {
                change.removed = m->nlmsg_type == RTM_DELLINK;
                on_change(change);
            }
        });
        if (!complete) {
            LinkChange resync;
            resync.resync = true;
            on_change(resync);
        }
    }

private:
    std::unique_ptr<NetlinkSocket> sock_;
};

} // namespace
} // namespace linux_impl

std::unique_ptr<LinkMonitor> open_link_monitor(std::string& error)
{
    auto s = linux_impl::NetlinkSocket::open(RTMGRP_LINK, error);
    if (!s) {
        return nullptr;
    }
    return std::make_unique<linux_impl::RtnlLinkMonitor>(std::move(s));
}

} // namespace wtfn::platform
