// LiveCapture: libpcap on the "any" device with DLT_LINUX_SLL2, so each packet carries its
// interface index and direction, and a kernel filter in front. One interface (--iface) is
// captured the same way, narrowed by the filter's `ifindex N`: many devices (veth, for one)
// do not offer SLL2 themselves, and without it outgoing and incoming cannot be told apart.
//
// The capture handle is non-blocking and we poll its descriptor ourselves: with TPACKET_V3
// the kernel hands over a block only when it is full or its timeout expires with packets in
// it, so a blocking read on an idle interface would never return and --duration would not
// end. A stop signal interrupts the poll. Stopping keeps what the kernel already holds
// (S2): drain() reads until a whole buffer timeout passes with nothing new.
//
// Opening errors come back as one line naming the cause and the fix (RELIABILITY.md P3).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "capture/raw_packet.h"

struct pcap;

namespace wtfn::capture {

struct LiveOptions {
    std::string interface = "any";
    int snaplen = 262144;                // GRO can hand us 64 KiB super-packets
    int buffer_timeout_ms = 100;         // how long the kernel holds a block before delivery
    int buffer_bytes = 32 * 1024 * 1024; // absorbs bursts while we write the report
    bool immediate = false;              // hand each packet over as it comes (more wake-ups)
    std::string filter;                  // empty: kernel_filter_expression()
};

struct LiveStats {
    std::uint64_t received = 0;
    std::uint64_t kernel_dropped = 0;    // ring full: the kernel had no room
    std::uint64_t interface_dropped = 0; // dropped by the driver
};

class LiveCapture {
public:
    using Callback = std::function<void(const RawPacket&)>;

    ~LiveCapture();
    LiveCapture(const LiveCapture&) = delete;
    LiveCapture& operator=(const LiveCapture&) = delete;

    // Returns null and sets `error` (one line, cause and fix) when the capture cannot start.
    static std::unique_ptr<LiveCapture> open(const LiveOptions& options, std::string& error);

    // Creates and activates a libpcap handle on `device` with the buffer settings of
    // `options`. Null with `error` (one line naming `shown`, the cause and the fix) when
    // the device refuses. Used by open() and by the interface probe.
    static pcap* activate_device(const std::string& device,
                                 const LiveOptions& options,
                                 const std::string& shown,
                                 std::string& error);

    // Waits up to `max_wait_ms` for packets and hands each to `cb`. Returns the number of
    // packets, 0 when none came (or a signal interrupted the wait), -1 on error (error()
    // says why).
    int dispatch(const Callback& cb, int max_wait_ms);

    // Reads what the kernel still holds after the capture was told to stop: non-blocking
    // reads until one returns nothing after at least one buffer timeout, at most `max_ms`.
    void drain(const Callback& cb, int max_ms = 1000);

    LiveStats stats();

    std::uint32_t link_type() const { return link_type_; }

    const std::string& interface() const { return interface_; }

    // Kernel index of the interface, when capturing on one named interface; 0 on "any".
    std::uint32_t fixed_ifindex() const { return fixed_ifindex_; }

    // The kernel filter in force.
    const std::string& filter() const { return filter_; }

    const std::string& error() const { return error_; }

private:
    LiveCapture() = default;

    pcap* handle_ = nullptr;
    std::uint32_t link_type_ = 0;
    std::uint32_t fixed_ifindex_ = 0;
    int buffer_timeout_ms_ = 100;
    int fd_ = -1;
    std::string interface_;
    std::string filter_;
    std::string error_;
};

} // namespace wtfn::capture
