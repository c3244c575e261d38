// StubLinker: "dnsmasq on behalf of dig[4242]" (docs/attribution.md, "Through a local stub").
//
// An application asks a stub resolver or proxy on loopback; the stub asks upstream moments
// later with the same name and type. Neither packet says so, but the pair does: the linker
// remembers each loopback query with its sender, and when a known stub or proxy sends a
// query off the machine it looks for the most recent loopback query of the same name and
// type, from another process, within the window. Bounded: a ring of recent queries, no
// allocation after it filled once.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "platform/flow_owner.h"

namespace wtfn::dnsleak {

// Whether a process name (comm, at most 15 characters) is a local stub resolver or a proxy
// with a DNS module: systemd-resolved, dnsmasq, unbound, sing-box, clash, v2ray, ...
bool is_stub_process(std::string_view name);

class StubLinker {
public:
    static constexpr std::size_t CAPACITY = 512;
    static constexpr std::int64_t WINDOW_NS = 5'000'000'000; // a slow upstream retry

    // An application's query to a loopback destination, with its sender.
    void remember(std::int64_t ts_ns,
                  std::string_view qname,
                  std::uint16_t qtype,
                  std::int32_t pid,
                  std::string_view name);

    // For a stub's upstream query: the application it serves, or false.
    bool find(std::int64_t ts_ns,
              std::string_view qname,
              std::uint16_t qtype,
              std::int32_t stub_pid,
              std::int32_t& app_pid,
              std::string& app_name) const;

private:
    struct Entry {
        std::int64_t ts_ns = 0;
        std::uint16_t qtype = 0;
        std::int32_t pid = 0;
        std::uint8_t qname_len = 0;
        std::array<char, 255> qname{};
        std::array<char, 16> name{};
    };

    std::array<Entry, CAPACITY> ring_{};
    std::size_t next_ = 0;
};

} // namespace wtfn::dnsleak
