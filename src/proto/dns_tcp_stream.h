// DNS over TCP framing (RFC 7766): each message is preceded by a 2-byte length, a segment may
// hold several messages, and a message may span segments (RELIABILITY.md row 8).
//
// One DnsTcpStream per direction of a TCP connection, fed with in-order bytes. Complete
// messages that lie inside one fed span are handed on in place, without a copy; only the
// unfinished tail is buffered. The buffer grows with the bytes actually received, never with
// the length a peer declares, so a 2-byte prefix announcing 65,535 bytes costs 2 bytes. All
// streams share a ReassemblyBudget (the global memcap); a stream that would exceed it is
// dropped and counted (tcp.reassembly_memcap_drop).
#pragma once

#include <cstdint>
#include <vector>

#include "util/byte_reader.h"
#include "util/malformed.h"

namespace wtfn::proto {

struct ReassemblyBudget {
    std::size_t memcap = 16 * 1024 * 1024;
    std::size_t in_use = 0;
};

class DnsTcpStream {
public:
    DnsTcpStream() = default;
    DnsTcpStream(const DnsTcpStream&) = delete;
    DnsTcpStream& operator=(const DnsTcpStream&) = delete;

    // Feeds the next in-order bytes; calls on_message(util::Bytes) for each complete message.
    template <typename OnMessage>
    void feed(util::Bytes data,
              ReassemblyBudget& budget,
              util::MalformedCounters& bad,
              OnMessage&& on_message);

    // The stream ended (FIN, RST, eviction or end of capture): an unfinished message is
    // counted as dns.tcp_truncated. Returns the buffer to the budget.
    void finish(ReassemblyBudget& budget, util::MalformedCounters& bad);

    // Returns buffered bytes to the budget without counting anything (used by destructors of
    // flows that were already finished).
    void release(ReassemblyBudget& budget);

    // Makes the stream new again for a reused flow slot (after finish() or release()).
    void reset(ReassemblyBudget& budget)
    {
        release(budget);
        dropped_ = false;
    }

    bool dropped() const { return dropped_; }

    std::size_t buffered() const { return buf_.size(); }

private:
    bool append(util::Bytes data, ReassemblyBudget& budget, util::MalformedCounters& bad);
    std::size_t wanted() const;

    std::vector<std::uint8_t> buf_;
    bool dropped_ = false;
};

template <typename OnMessage>
void DnsTcpStream::feed(util::Bytes data,
                        ReassemblyBudget& budget,
                        util::MalformedCounters& bad,
                        OnMessage&& on_message)
{
    while (!dropped_ && !data.empty()) {
        if (buf_.empty()) {
            // Fast path: whole messages straight from the segment.
            while (data.size() >= 2) {
                const std::size_t len = (std::size_t{data[0]} << 8) | data[1];
                if (len == 0) {
                    bad.add(util::Malformed::dns_tcp_zero_length);
                    data = data.subspan(2);
                    continue;
                }
                if (data.size() - 2 < len) {
                    break;
                }
                on_message(data.subspan(2, len));
                data = data.subspan(2 + len);
            }
            if (!data.empty()) {
                append(data, budget, bad);
            }
            return;
        }
        // Complete the buffered message with just the bytes it still needs.
        const std::size_t take = std::min(wanted(), data.size());
        if (!append(data.first(take), budget, bad)) {
            return;
        }
        data = data.subspan(take);
        if (buf_.size() < 2) {
            continue;
        }
        const std::size_t len = (std::size_t{buf_[0]} << 8) | buf_[1];
        if (len == 0) {
            bad.add(util::Malformed::dns_tcp_zero_length);
            release(budget);
            continue;
        }
        if (buf_.size() == 2 + len) {
            on_message(util::Bytes{buf_}.subspan(2));
            release(budget);
        }
    }
}

} // namespace wtfn::proto
