// One ClassifiedEvent as a JSON object (docs/json-schema.md, "events"): the LeakEvent of
// DESIGN.md section 6. Shared by the JSON report and the NDJSON stream; names are written
// as the privacy mode allows.
#pragma once

#include <string>

#include "dnsleak/report/event_format.h"
#include "dnsleak/report/events.h"

namespace wtfn::dnsleak {

void append_event_json(std::string& out, const ClassifiedEvent& event, const EventFormat& format);

std::string_view direction_name(net::Direction d);

} // namespace wtfn::dnsleak
