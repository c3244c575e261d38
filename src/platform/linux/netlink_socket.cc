#include "platform/linux/netlink_socket.h"

#include <cerrno>
#include <cstring>
#include <ctime>

#include <linux/netlink.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

namespace wtfn::platform::linux_impl {
namespace {

// Dumps of big routing tables come in messages of up to a page or more each; 32 KiB holds
// several of them, so a dump needs few system calls.
constexpr std::size_t REPLY_BYTES = 32 * 1024;
constexpr int DUMP_ATTEMPTS = 3;

struct CallbackData {
    const NetlinkSocket::MessageFn* fn;
};

int on_message(const nlmsghdr* nlh, void* data)
{
    (*static_cast<CallbackData*>(data)->fn)(nlh);
    return MNL_CB_OK;
}

} // namespace

std::unique_ptr<NetlinkSocket> NetlinkSocket::open(unsigned groups, std::string& error)
{
    std::unique_ptr<NetlinkSocket> s(new NetlinkSocket());
    s->nl_ = mnl_socket_open(NETLINK_ROUTE);
    if (s->nl_ == nullptr) {
        error = std::string("cannot open a netlink socket: ") + std::strerror(errno) +
                "; wtfn needs Linux rtnetlink (is this a restricted container?)";
        return nullptr;
    }
    if (mnl_socket_bind(s->nl_, groups, MNL_SOCKET_AUTOPID) < 0) {
        error = std::string("cannot bind the netlink socket: ") + std::strerror(errno);
        return nullptr;
    }
    // The kernel always answers a request, but a bound on the wait costs nothing and keeps
    // `status` and a watch's interface lookups from ever hanging.
    timeval tv{2, 0};
    setsockopt(mnl_socket_get_fd(s->nl_), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    s->portid_ = mnl_socket_get_portid(s->nl_);
    s->seq_ = static_cast<unsigned>(time(nullptr));
    s->request_.resize(static_cast<std::size_t>(MNL_SOCKET_BUFFER_SIZE));
    s->reply_.resize(REPLY_BYTES);
    return s;
}

NetlinkSocket::~NetlinkSocket()
{
    if (nl_ != nullptr) {
        mnl_socket_close(nl_);
    }
}

char* NetlinkSocket::request_buffer()
{
    std::memset(request_.data(), 0, request_.size());
    return request_.data();
}

int NetlinkSocket::transact(nlmsghdr* request, const MessageFn& fn, std::string& error)
{
    const bool dump = (request->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
    for (int attempt = 0; attempt < DUMP_ATTEMPTS; ++attempt) {
        if (attempt != 0) {
            fn(nullptr);
        }
        request->nlmsg_seq = ++seq_;
        const unsigned seq = request->nlmsg_seq;
        if (mnl_socket_sendto(nl_, request, request->nlmsg_len) < 0) {
            const int e = errno;
            error = std::string("netlink request failed: ") + std::strerror(e);
            return e;
        }
        // Walk the replies ourselves rather than with mnl_cb_run: an interrupted dump must
        // still be read to its end (or its tail would be taken for the retry's answer), and
        // replies to an earlier request are skipped by their sequence number.
        bool done = false;
        bool interrupted = false;
        while (!done) {
            const ssize_t n = mnl_socket_recvfrom(nl_, reply_.data(), reply_.size());
            if (n < 0) {
                const int e = errno;
                error = std::string("netlink reply failed: ") + std::strerror(e);
                return e;
            }
            int len = static_cast<int>(n);
            for (auto* nlh = reinterpret_cast<const nlmsghdr*>(reply_.data());
                 mnl_nlmsg_ok(nlh, len);
                 nlh = mnl_nlmsg_next(nlh, &len)) {
                if (nlh->nlmsg_seq != seq) {
                    continue;
                }
                if ((nlh->nlmsg_flags & NLM_F_DUMP_INTR) != 0) {
                    interrupted = true;
                }
                if (nlh->nlmsg_type == NLMSG_DONE) {
                    done = true;
                    break;
                }
                if (nlh->nlmsg_type == NLMSG_ERROR) {
                    if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(nlmsgerr))) {
                        error = "netlink: truncated error reply";
                        return EIO;
                    }
                    const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
                    if (err->error == 0) { // an acknowledgement
                        done = true;
                        break;
                    }
                    error = std::strerror(-err->error);
                    return -err->error;
                }
                if (nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
                    fn(nlh);
                    if (!dump) {
                        done = true;
                        break;
                    }
                }
            }
        }
        if (!interrupted) {
            return 0;
        }
    }
    error = "netlink dump kept being interrupted by changes; try again";
    return EAGAIN;
}

bool NetlinkSocket::read_notifications(const MessageFn& fn)
{
    CallbackData data{&fn};
    for (;;) {
        const ssize_t n = recv(mnl_socket_get_fd(nl_), reply_.data(), reply_.size(), MSG_DONTWAIT);
        if (n < 0) {
            return errno != ENOBUFS; // EAGAIN: nothing more; ENOBUFS: we lost some
        }
        mnl_cb_run(reply_.data(), static_cast<std::size_t>(n), 0, 0, on_message, &data);
    }
}

} // namespace wtfn::platform::linux_impl
