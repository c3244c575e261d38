#include "capture/kernel_filter.h"

namespace wtfn::capture {

std::string kernel_filter_expression()
{
    return "(udp or tcp) and (port 53 or port 853 or port 443 or port 5353 or port 5355)";
}

} // namespace wtfn::capture
