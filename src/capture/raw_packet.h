// RawPacket: one captured record as a source hands it to the pipeline. Non-owning: `data`
// points into the source's buffer and is valid until the source reads the next record.
#pragma once

#include <cstdint>

namespace wtfn::capture {

// Direction recorded by the capture itself (pcapng epb_flags); link headers may say more.
enum class RecordedDirection : std::uint8_t { unknown, inbound, outbound };

struct RawPacket {
    std::int64_t ts_ns = 0;
    std::uint32_t caplen = 0; // bytes present at `data`
    std::uint32_t len = 0;    // bytes on the wire
    const std::uint8_t* data = nullptr;
    std::uint32_t link_type = 0;
    std::uint32_t interface_id = 0; // pcapng interface (IDB) number; 0 otherwise
    RecordedDirection direction = RecordedDirection::unknown;
};

} // namespace wtfn::capture
