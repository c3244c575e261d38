// Link-layer codes as capture files carry them -> LinkLayer. ARPHRD_* codes come from
// Linux (an SLL/SLL2 header records the interface's ARPHRD type), but reading them from a
// capture file is portable, so this lives outside linux/.
#pragma once

#include <cstdint>
#include <string>

#include "platform/network.h"

namespace wtfn::platform {

// ARPHRD code -> "ether", "none", "loopback", ... as `ip -j link` names it ("[N]" when
// unknown), and the link layer it means.
std::string arphrd_name(std::uint16_t type);
LinkLayer arphrd_layer(std::uint16_t type);

// A capture's LINKTYPE_* -> link layer; unknown for cooked captures (SLL/SLL2: each packet
// says) and for link types that say nothing about the interface.
LinkLayer capture_link_layer(std::uint32_t link_type);

} // namespace wtfn::platform
