#include "dnsleak/rules/path_check.h"

#include <algorithm>

#include "dnsleak/rules/judgement.h"

namespace wtfn::dnsleak {

bool interface_pattern_matches(std::string_view pattern, std::string_view name)
{
    if (!pattern.empty() && pattern.back() == '*') {
        pattern.remove_suffix(1);
        return name.substr(0, pattern.size()) == pattern;
    }
    return name == pattern;
}

bool process_allowed(const std::vector<std::string>& allowed, const ProcessFacts& p)
{
    return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& a) {
        return !a.empty() && a.front() == '/' ? a == p.exe : a == p.name;
    });
}

PathCheck check_path(const PathConstraints& path, const ClassifiedEvent& e)
{
    PathCheck c;
    if (!path.interfaces.empty() &&
        std::none_of(path.interfaces.begin(), path.interfaces.end(), [&](const std::string& p) {
            return interface_pattern_matches(p, e.interface);
        })) {
        // An event whose capture does not name its interface cannot match a name.
        c.violated |= constraint_interface;
    }
    if (!path.route_classes.empty() &&
        std::find(path.route_classes.begin(), path.route_classes.end(), e.route_class) ==
            path.route_classes.end()) {
        c.violated |= constraint_route_class;
    }
    if (!path.destinations.empty() &&
        std::none_of(path.destinations.begin(), path.destinations.end(), [&](const Cidr& d) {
            return d.contains(e.dst);
        })) {
        c.violated |= constraint_destination;
    }
    if (!path.ports.empty() &&
        std::find(path.ports.begin(), path.ports.end(), e.dst_port) == path.ports.end()) {
        c.violated |= constraint_port;
    }
    if (!path.processes.empty()) {
        // Not knowing the sender is not evidence against it: never cry wolf on a process
        // list alone. The evidence says the list was not checked.
        if (e.process == nullptr) {
            c.unchecked |= constraint_process;
        } else if (!process_allowed(path.processes, *e.process)) {
            c.violated |= constraint_process;
        }
    }
    return c;
}

} // namespace wtfn::dnsleak
