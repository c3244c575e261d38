#include "dnsleak/pipeline/interface_names.h"

#include <net/if.h>

#include "capture/pcap_file_reader.h"

namespace wtfn::dnsleak {

std::uint32_t LiveInterfaceNames::resolve(std::uint32_t ifindex,
                                          std::uint32_t /*interface_id*/,
                                          std::string_view& name)
{
    if (ifindex == 0) {
        ifindex = fixed_;
    }
    name = {};
    if (ifindex == 0 || ifindex > 1'000'000) {
        return ifindex;
    }
    if (ifindex >= cache_.size()) {
        cache_.resize(ifindex + 1);
    }
    std::string& cached = cache_[ifindex];
    if (cached.empty()) {
        char buf[IF_NAMESIZE] = {};
        if (if_indextoname(ifindex, buf) != nullptr) {
            cached = buf;
        }
    }
    name = cached;
    return ifindex;
}

std::uint32_t FileInterfaceNames::resolve(std::uint32_t ifindex,
                                          std::uint32_t interface_id,
                                          std::string_view& name)
{
    name = reader_.interface_name(interface_id);
    return ifindex;
}

} // namespace wtfn::dnsleak
