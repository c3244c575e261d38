#include "proto/dns_tcp_stream.h"

namespace wtfn::proto {

std::size_t DnsTcpStream::wanted() const
{
    if (buf_.size() < 2) {
        return 2 - buf_.size();
    }
    const std::size_t len = (std::size_t{buf_[0]} << 8) | buf_[1];
    return 2 + len - buf_.size();
}

bool DnsTcpStream::append(util::Bytes data, ReassemblyBudget& budget, util::MalformedCounters& bad)
{
    if (data.size() > budget.memcap - std::min(budget.memcap, budget.in_use)) {
        bad.add(util::Malformed::tcp_reassembly_memcap_drop);
        release(budget);
        dropped_ = true;
        return false;
    }
    buf_.insert(buf_.end(), data.begin(), data.end());
    budget.in_use += data.size();
    return true;
}

void DnsTcpStream::release(ReassemblyBudget& budget)
{
    budget.in_use -= std::min(budget.in_use, buf_.size());
    // A large message leaves a large capacity behind; give it back rather than keep up to
    // 64 KiB per idle flow.
    if (buf_.capacity() > 4096) {
        std::vector<std::uint8_t>().swap(buf_);
    } else {
        buf_.clear();
    }
}

void DnsTcpStream::finish(ReassemblyBudget& budget, util::MalformedCounters& bad)
{
    if (!buf_.empty()) {
        bad.add(util::Malformed::dns_tcp_truncated);
    }
    release(budget);
}

} // namespace wtfn::proto
