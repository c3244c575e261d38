// InterfaceNames: turns what a packet says about its interface (a kernel index from SLL2, a
// pcapng interface number) into the name users know ("eth0", "wg0").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wtfn::capture {
class PcapFileReader;
}

namespace wtfn::dnsleak {

class InterfaceNames {
public:
    virtual ~InterfaceNames() = default;
    // Sets `name` (empty when unknown) and returns the kernel index (0 when unknown).
    virtual std::uint32_t
    resolve(std::uint32_t ifindex, std::uint32_t interface_id, std::string_view& name) = 0;
};

// Live capture: kernel index -> name through if_indextoname, cached. A miss is looked up
// again, so an interface that appears during the watch (a VPN reconnecting) gets its name.
class LiveInterfaceNames final : public InterfaceNames {
public:
    // fixed_ifindex: the interface captured on when packets carry no index (not SLL2).
    explicit LiveInterfaceNames(std::uint32_t fixed_ifindex) : fixed_(fixed_ifindex) {}

    std::uint32_t
    resolve(std::uint32_t ifindex, std::uint32_t interface_id, std::string_view& name) override;

private:
    std::uint32_t fixed_;
    std::vector<std::string> cache_; // by index; empty string = not looked up or unknown
};

// Capture files: the interface names the pcapng file records; none for classic pcap.
class FileInterfaceNames final : public InterfaceNames {
public:
    explicit FileInterfaceNames(const capture::PcapFileReader& reader) : reader_(reader) {}

    std::uint32_t
    resolve(std::uint32_t ifindex, std::uint32_t interface_id, std::string_view& name) override;

private:
    const capture::PcapFileReader& reader_;
};

} // namespace wtfn::dnsleak
