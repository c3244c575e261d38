// One ClassifiedEvent as a JSON object (docs/json-schema.md, "events"). Shared by the JSON
// report and, later, the NDJSON stream.
#pragma once

#include <string>

#include "dnsleak/report/events.h"

namespace wtfn::dnsleak {

void append_event_json(std::string& out, const ClassifiedEvent& event);

std::string_view direction_name(net::Direction d);

} // namespace wtfn::dnsleak
