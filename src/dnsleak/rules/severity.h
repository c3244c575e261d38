// The severity table (docs/leak-rules.md): how bad a finding is depends on what it gives
// away and to whom. A name in cleartext on the physical path is what a censor or an ISP
// reads; through a tunnel to the wrong resolver, only that resolver reads it.
//
//              physical  unknown  tunnel/loopback
//   Leak-B        P0        P1         P2
//   Leak-A        P1        P2         P3
//   Leak-C        P1        P2         P3
//   Leak-D        P2        P3         P3
#pragma once

#include "dnsleak/rules/judgement.h"
#include "platform/route_class.h"

namespace wtfn::dnsleak {

Severity severity_for(LeakType type, platform::RouteClass route_class);

} // namespace wtfn::dnsleak
