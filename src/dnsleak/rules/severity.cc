#include "dnsleak/rules/severity.h"

#include <algorithm>

namespace wtfn::dnsleak {

Severity severity_for(LeakType type, platform::RouteClass route_class)
{
    int base = 1; // A and C
    if (type == LeakType::b) {
        base = 0;
    } else if (type == LeakType::d) {
        base = 2;
    }
    // Unproven physical is one step less sure; a tunnel leg hides the name from the
    // local network, so only the wrong resolver learns it.
    switch (route_class) {
        case platform::RouteClass::physical:
            break;
        case platform::RouteClass::unknown:
            base += 1;
            break;
        case platform::RouteClass::tunnel:
        case platform::RouteClass::loopback:
            base += 2;
            break;
    }
    return static_cast<Severity>(std::min(base, 3));
}

} // namespace wtfn::dnsleak
