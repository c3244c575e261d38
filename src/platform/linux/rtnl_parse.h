// rtnetlink messages -> network.h types. Each parser takes one message as the kernel sent
// it and checks every attribute's length before reading it (mnl_attr_validate), so a
// message from a newer or odder kernel is skipped or read in part, never over-read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "platform/network.h"

struct nlmsghdr;

namespace wtfn::platform::linux_impl {

bool parse_link(const nlmsghdr* nlh, Interface& out);
bool parse_address(const nlmsghdr* nlh, std::uint32_t& ifindex, InterfaceAddress& out);
bool parse_route(const nlmsghdr* nlh, Route& out);
bool parse_rule(const nlmsghdr* nlh, PolicyRule& out);
bool parse_route_lookup(const nlmsghdr* nlh, RouteLookup& out);

// Names as iproute2 prints them.
std::vector<std::string> link_flag_names(std::uint32_t flags);
std::string operstate_name(std::uint8_t state);
std::string scope_name(std::uint8_t scope);
std::string route_type_name(std::uint8_t type);
std::string route_protocol_name(std::uint8_t protocol);
std::string rule_action_name(std::uint8_t action);

} // namespace wtfn::platform::linux_impl
