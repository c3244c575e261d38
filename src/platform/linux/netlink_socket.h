// NetlinkSocket: one rtnetlink socket (libmnl) with the request/reply loop every query
// here needs: send, read replies until the dump ends or the kernel answers with an error,
// retry a dump the kernel interrupted because the table changed underneath it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

struct mnl_socket;
struct nlmsghdr;

namespace wtfn::platform::linux_impl {

class NetlinkSocket {
public:
    using MessageFn = std::function<void(const nlmsghdr*)>;

    // groups: multicast groups to join (RTMGRP_*), 0 for a request socket. Null with
    // `error` set when the kernel refuses the socket.
    static std::unique_ptr<NetlinkSocket> open(unsigned groups, std::string& error);

    ~NetlinkSocket();
    NetlinkSocket(const NetlinkSocket&) = delete;
    NetlinkSocket& operator=(const NetlinkSocket&) = delete;

    // Sends `request` (built with request_buffer()) and hands every reply message to `fn`.
    // Returns 0, or the errno the kernel (or the socket) answered with; `error` then says
    // what failed. A dump interrupted by a concurrent change is retried a few times; before
    // a retry `fn` gets nullptr, meaning "forget what you collected".
    int transact(nlmsghdr* request, const MessageFn& fn, std::string& error);

    // A zeroed buffer to build one request in; valid until the next call.
    char* request_buffer();

    // Multicast notifications queued so far, without blocking. Returns false when the
    // kernel dropped notifications because we read too slowly (the caller must resync).
    bool read_notifications(const MessageFn& fn);

private:
    NetlinkSocket() = default;

    mnl_socket* nl_ = nullptr;
    unsigned portid_ = 0;
    unsigned seq_ = 0;
    std::vector<char> request_;
    std::vector<char> reply_;
};

} // namespace wtfn::platform::linux_impl
