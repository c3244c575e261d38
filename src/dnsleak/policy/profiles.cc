#include "dnsleak/policy/profiles.h"

namespace wtfn::dnsleak {

using platform::RouteClass;

std::optional<PolicyProfile> builtin_profile(std::string_view name)
{
    PolicyProfile p;
    p.name = std::string(name);
    p.source = "built-in";
    p.is_default = name == DEFAULT_PROFILE;
    if (name == "full-tunnel") {
        p.summary = "a VPN carries everything: DNS may leave only through a tunnel interface "
                    "(or to a stub on loopback)";
        p.safe_route_classes = {RouteClass::tunnel, RouteClass::loopback};
    } else if (name == "proxy-stub") {
        p.summary = "applications resolve through the local proxy's stub on loopback; only "
                    "the stub or proxy talks to resolvers, through the tunnel or proxy path";
        p.safe_route_classes = {RouteClass::loopback, RouteClass::tunnel};
    } else if (name == "split") {
        p.summary = "names on the direct list may resolve on the physical path; every other "
                    "name must go through the tunnel or proxy";
        p.safe_route_classes = {RouteClass::tunnel, RouteClass::loopback};
    } else {
        return std::nullopt;
    }
    return p;
}

std::vector<std::string> builtin_profile_names()
{
    return {"full-tunnel", "proxy-stub", "split"};
}

} // namespace wtfn::dnsleak
