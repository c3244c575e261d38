// ProcessFacts: what the leak rules need to know about the process that sent a message,
// when attribution knows it (pipeline/attribution_stage.h fills it). Views into the event's
// FlowOwner, valid while the event is being handled.
#pragma once

#include <string_view>

namespace wtfn::dnsleak {

struct ProcessFacts {
    std::string_view name; // comm, e.g. "dig"
    std::string_view exe;  // executable path, e.g. "/usr/bin/dig"; empty when unknown
};

} // namespace wtfn::dnsleak
