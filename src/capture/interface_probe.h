// Which interfaces can be captured on, and a guard against the ones that hang.
//
// libpcap lists more than network interfaces (D-Bus, USB, Bluetooth, netfilter queues), and
// opening some of them can block for a long time, so each open is tried in a short-lived
// child process with a deadline: a device that does not answer is reported as timed out
// and killed, and the watch itself never waits on it (`watch --iface-diag`, and the check
// before a live capture starts).
#pragma once

#include <string>
#include <vector>

namespace wtfn::capture {

struct CaptureDevice {
    std::string name;
    std::string description;
    bool up = false;
    bool running = false;
    bool loopback = false;
    bool wireless = false;
    std::vector<std::string> addresses;
};

struct ProbeResult {
    bool can_open = false;
    bool timed_out = false;
    std::string error;                   // one line: cause and fix, when !can_open
    std::vector<std::string> link_types; // what the device offers (DLT names)
    int elapsed_ms = 0;
};

// Every device libpcap can see. Returns false with `error` when it cannot even list them.
bool list_capture_devices(std::vector<CaptureDevice>& out, std::string& error);

// Opens `name` (activate, no packets read) in a child process, waiting at most
// `timeout_ms` for it.
ProbeResult probe_capture_device(const std::string& name, int timeout_ms);

} // namespace wtfn::capture
