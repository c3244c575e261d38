// `wtfn dns leak watch --iface-diag`: every device libpcap can capture on, whether it opens
// (each tried with a deadline, see capture/interface_probe.h) and, if not, why; with the
// route class of the network interfaces among them. For the user whose watch sees nothing
// and who wants to know which interface to pass to --iface.
#pragma once

namespace wtfn::dnsleak {

struct IfaceDiagOptions {
    bool json = false;
    int timeout_ms = 2000; // per device
};

// Prints the diagnosis on stdout; returns the exit status (0 when at least one device can
// be opened, 2 when none can: the first error says why).
int run_iface_diag(const IfaceDiagOptions& options);

} // namespace wtfn::dnsleak
