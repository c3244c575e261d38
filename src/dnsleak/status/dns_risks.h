// The classic ways a system's own DNS configuration leaks around a VPN, judged from a
// status snapshot (no traffic needed):
//   resolver_outside_tunnel      a resolver is routed via a physical interface while the
//                                default route goes through a tunnel (e.g. the LAN router's
//                                resolver, reachable on-link, beside a full-tunnel VPN)
//   ipv6_resolver_outside_tunnel an IPv6 resolver while only IPv4 is tunnelled
//   ipv6_unprotected             IPv4 goes through the tunnel, IPv6 does not
//   resolved_link_default_route  systemd-resolved may send any name to a physical link's
//                                servers as well as the tunnel's
//   stub_without_resolved        resolv.conf points at 127.0.0.53 but systemd-resolved is
//                                not running
//   no_nameservers               nothing configured (glibc then tries 127.0.0.1)
#pragma once

#include <vector>

#include "dnsleak/status/status_report.h"

namespace wtfn::dnsleak {

std::vector<Risk> find_dns_risks(const StatusReport& report);

} // namespace wtfn::dnsleak
