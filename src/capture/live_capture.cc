#include "capture/live_capture.h"

#include <chrono>

#include <net/if.h>
#include <poll.h>

#include <pcap/pcap.h>

#include "capture/kernel_filter.h"

namespace wtfn::capture {
namespace {

constexpr const char* PRIVILEGE_FIX = "run wtfn as root, or grant the capabilities once with "
                                      "`setcap cap_net_raw,cap_net_admin+ep $(command -v wtfn)`";

struct DispatchContext {
    const LiveCapture::Callback* cb;
    std::uint32_t link_type;
};

void on_packet(u_char* user, const pcap_pkthdr* h, const u_char* bytes)
{
    const auto* ctx = reinterpret_cast<const DispatchContext*>(user);
    RawPacket p;
    p.ts_ns = static_cast<std::int64_t>(h->ts.tv_sec) * 1'000'000'000 +
              static_cast<std::int64_t>(h->ts.tv_usec) * 1000;
    // libpcap passes caplen > len through unchecked (RELIABILITY.md row 12).
    p.caplen = h->caplen < h->len ? h->caplen : h->len;
    p.len = h->len;
    p.data = bytes;
    p.link_type = ctx->link_type;
    (*ctx->cb)(p);
}

std::string activation_error(pcap_t* handle, int rc, const std::string& iface)
{
    const std::string detail = pcap_geterr(handle);
    switch (rc) {
        case PCAP_ERROR_PERM_DENIED:
            return "cannot capture on '" + iface + "': permission denied; " + PRIVILEGE_FIX;
        case PCAP_ERROR_NO_SUCH_DEVICE:
            return "cannot capture on '" + iface +
                   "': no such interface; list interfaces with `ip link` and pass one to --iface";
        case PCAP_ERROR_IFACE_NOT_UP:
            return "cannot capture on '" + iface +
                   "': the interface is down; bring it up with "
                   "`ip link set " +
                   iface + " up`";
        default:
            if (detail.find("Operation not permitted") != std::string::npos ||
                detail.find("ermission") != std::string::npos) {
                return "cannot capture on '" + iface + "': " + detail + "; " + PRIVILEGE_FIX;
            }
            return "cannot capture on '" + iface + "': " + detail;
    }
}

} // namespace

LiveCapture::~LiveCapture()
{
    if (handle_ != nullptr) {
        pcap_close(handle_);
    }
}

std::unique_ptr<LiveCapture> LiveCapture::open(const LiveOptions& options, std::string& error)
{
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    std::unique_ptr<LiveCapture> cap(new LiveCapture());
    cap->interface_ = options.interface;
    cap->buffer_timeout_ms_ = options.buffer_timeout_ms;
    if (options.interface != "any") {
        cap->fixed_ifindex_ = if_nametoindex(options.interface.c_str());
        if (cap->fixed_ifindex_ == 0) {
            error = "cannot capture on '" + options.interface +
                    "': no such interface; list interfaces with `ip link` and pass one to --iface";
            return nullptr;
        }
    }
    cap->handle_ = activate_device("any", options, options.interface, error);
    if (cap->handle_ == nullptr) {
        return nullptr;
    }
    if (pcap_set_datalink(cap->handle_, DLT_LINUX_SLL2) != 0) {
        error = "cannot capture on '" + options.interface +
                "': this libpcap does not offer the LINUX_SLL2 link type (libpcap 1.10 or "
                "newer is needed)";
        return nullptr;
    }
    cap->link_type_ = DLT_LINUX_SLL2;
    bpf_program prog{};
    std::string filter = options.filter.empty() ? kernel_filter_expression() : options.filter;
    if (cap->fixed_ifindex_ != 0) {
        filter = "ifindex " + std::to_string(cap->fixed_ifindex_) + " and (" + filter + ")";
    }
    cap->filter_ = filter;
    if (pcap_compile(cap->handle_, &prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
        error = "cannot compile the capture filter '" + filter + "': " + pcap_geterr(cap->handle_);
        return nullptr;
    }
    const int set_rc = pcap_setfilter(cap->handle_, &prog);
    pcap_freecode(&prog);
    if (set_rc != 0) {
        error = "cannot install the kernel capture filter on '" + options.interface +
                "': " + pcap_geterr(cap->handle_);
        return nullptr;
    }
    if (pcap_setnonblock(cap->handle_, 1, errbuf) != 0) {
        error = "cannot capture on '" + options.interface + "': " + errbuf;
        return nullptr;
    }
    cap->fd_ = pcap_get_selectable_fd(cap->handle_);
    return cap;
}

pcap* LiveCapture::activate_device(const std::string& device,
                                   const LiveOptions& options,
                                   const std::string& shown,
                                   std::string& error)
{
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* h = pcap_create(device.c_str(), errbuf);
    if (h == nullptr) {
        error = "cannot capture on '" + shown + "': " + errbuf;
        return nullptr;
    }
    pcap_set_snaplen(h, options.snaplen);
    pcap_set_promisc(h, 0);
    pcap_set_timeout(h, options.buffer_timeout_ms);
    if (options.immediate) {
        pcap_set_immediate_mode(h, 1);
    }
    pcap_set_buffer_size(h, options.buffer_bytes);
    const int rc = pcap_activate(h);
    if (rc < 0) {
        error = activation_error(h, rc, shown);
        pcap_close(h);
        return nullptr;
    }
    return h;
}

int LiveCapture::dispatch(const Callback& cb, int max_wait_ms)
{
    pollfd p{fd_, POLLIN, 0};
    // EINTR (a stop signal) and a timeout both mean "nothing now"; the caller decides.
    if (poll(&p, 1, max_wait_ms) <= 0) {
        return 0;
    }
    DispatchContext ctx{&cb, link_type_};
    const int n = pcap_dispatch(handle_, -1, on_packet, reinterpret_cast<u_char*>(&ctx));
    if (n == PCAP_ERROR) {
        error_ = "capture on '" + interface_ + "' failed: " + pcap_geterr(handle_);
        return -1;
    }
    return n < 0 ? 0 : n;
}

void LiveCapture::drain(const Callback& cb, int max_ms)
{
    DispatchContext ctx{&cb, link_type_};
    const auto start = std::chrono::steady_clock::now();
    // TPACKET_V3 hands a block to user space only when it is full or its timeout expires, so
    // an empty read means "empty" only once a whole buffer timeout has gone by.
    const auto min_wait = std::chrono::milliseconds(buffer_timeout_ms_ + 50);
    const auto max_wait = std::chrono::milliseconds(max_ms);
    for (;;) {
        const int n = pcap_dispatch(handle_, -1, on_packet, reinterpret_cast<u_char*>(&ctx));
        const auto elapsed = std::chrono::steady_clock::now() - start;
        if (n < 0 || elapsed >= max_wait) {
            break;
        }
        if (n == 0) {
            if (elapsed >= min_wait) {
                break;
            }
            pollfd p{fd_, POLLIN, 0};
            poll(&p, 1, 10);
        }
    }
}

LiveStats LiveCapture::stats()
{
    LiveStats s;
    pcap_stat ps{};
    if (pcap_stats(handle_, &ps) == 0) {
        s.received = ps.ps_recv;
        s.kernel_dropped = ps.ps_drop;
        s.interface_dropped = ps.ps_ifdrop;
    }
    return s;
}

} // namespace wtfn::capture
