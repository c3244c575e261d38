// The two renderings of a StatusReport: a document for scripts and bug reports (schema in
// docs/json-schema.md, "status"), and a text overview for people.
#pragma once

#include <string>

#include "dnsleak/status/status_report.h"

namespace wtfn::dnsleak {

std::string status_json(const StatusReport& report);
std::string status_text(const StatusReport& report);

// Shared by both: "0.0.0.0/1", "fwmark 0xca6c", ...
std::string rule_text(const platform::PolicyRule& rule);
std::string family_name(int family);           // "inet" / "inet6", as ip -j says
std::string ip_proto_name(std::uint8_t proto); // "udp", "tcp", ... or the number, as ip
std::string port_range_text(std::uint16_t first, std::uint16_t last); // "53" or "53-60"

} // namespace wtfn::dnsleak
