#include "dnsleak/attrib/stub_link.h"

#include <algorithm>
#include <cstring>

namespace wtfn::dnsleak {

bool is_stub_process(std::string_view name)
{
    // comm is cut at 15 characters: "systemd-resolved" arrives as "systemd-resolve".
    static constexpr std::string_view stubs[] = {
        "systemd-resolve", "dnsmasq",  "unbound",        "named",    "kresd",       "knot-resolver",
        "pdns_recursor",   "coredns",  "dnscrypt-proxy", "stubby",   "cloudflared", "AdGuardHome",
        "pihole-FTL",      "dnsproxy", "smartdns",       "sing-box", "clash",       "clash-meta",
        "mihomo",          "v2ray",    "xray",           "hysteria", "tailscaled",  "nextdns",
        "blocky",
    };
    return std::find(std::begin(stubs), std::end(stubs), name) != std::end(stubs);
}

void StubLinker::remember(std::int64_t ts_ns,
                          std::string_view qname,
                          std::uint16_t qtype,
                          std::int32_t pid,
                          std::string_view name)
{
    Entry& e = ring_[next_++ % CAPACITY];
    e.ts_ns = ts_ns;
    e.qtype = qtype;
    e.pid = pid;
    e.qname_len = static_cast<std::uint8_t>(std::min(qname.size(), e.qname.size()));
    std::memcpy(e.qname.data(), qname.data(), e.qname_len);
    const std::size_t n = std::min(name.size(), e.name.size() - 1);
    std::memcpy(e.name.data(), name.data(), n);
    e.name[n] = '\0';
}

bool StubLinker::find(std::int64_t ts_ns,
                      std::string_view qname,
                      std::uint16_t qtype,
                      std::int32_t stub_pid,
                      std::int32_t& app_pid,
                      std::string& app_name) const
{
    // Newest first: a name asked again later belongs to the later asker.
    for (std::size_t i = 0; i < CAPACITY; ++i) {
        const Entry& e = ring_[(next_ + CAPACITY - 1 - i) % CAPACITY];
        if (e.ts_ns == 0) {
            break;
        }
        if (e.ts_ns > ts_ns || ts_ns - e.ts_ns > WINDOW_NS) {
            continue; // capture timestamps are near, not strictly, in order: look at all
        }
        if (e.qtype == qtype && e.pid != stub_pid && e.pid != 0 &&
            std::string_view(e.qname.data(), e.qname_len) == qname) {
            app_pid = e.pid;
            app_name = e.name.data();
            return true;
        }
    }
    return false;
}

} // namespace wtfn::dnsleak
