#include "dnsleak/report/malformed_notices.h"

#include <unistd.h>

#include <fmt/format.h>

#include "util/escape.h"

namespace wtfn::dnsleak {

void MalformedNotices::on_event(const ClassifiedEvent& e)
{
    if (!e.malformed) {
        return;
    }
    const std::uint64_t n = ++seen_[static_cast<std::size_t>(*e.malformed)];
    if (!sampled(n)) {
        return;
    }
    std::string line = fmt::format("wtfn: malformed {} message ({}, #{}) {}:{} -> {}:{} on {}",
                                   to_string(e.transport),
                                   util::to_string(*e.malformed),
                                   n,
                                   e.src.to_string(),
                                   e.src_port,
                                   e.dst.to_string(),
                                   e.dst_port,
                                   e.interface.empty() ? "-" : util::escaped_text(e.interface));
    if (n == FIRST) {
        line += "; further notices of this class: 1 in 1000";
    }
    line.push_back('\n');
    progress_.clear();
    [[maybe_unused]] const auto w = ::write(STDERR_FILENO, line.data(), line.size());
}

} // namespace wtfn::dnsleak
