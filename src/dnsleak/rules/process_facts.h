// ProcessFacts: what the leak rules need to know about the process that sent a message,
// when attribution knows it (issue 6 fills it; until then the pointer is null). Views into
// storage owned by the attribution cache, valid while the event is being handled.
#pragma once

#include <string_view>

namespace wtfn::dnsleak {

struct ProcessFacts {
    std::string_view name; // comm, e.g. "dig"
    std::string_view exe;  // executable path, e.g. "/usr/bin/dig"; empty when unknown
};

} // namespace wtfn::dnsleak
