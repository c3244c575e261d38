// PcapWriter and PcapngWriter: capture files built in memory for tests and fixtures (STYLE.md
// C9, C10: the program that writes a capture is its recipe).
//
// PcapWriter writes classic pcap in either byte order, with micro- or nanosecond timestamps,
// any link type, and per-record caplen/len overrides (to make a record lie). PcapngWriter
// writes Section Header Blocks (either byte order), Interface Description Blocks with if_name
// and if_tsresol, Enhanced Packet Blocks with epb_flags, Simple Packet Blocks and any raw
// block. Both remember the byte offset of every record or block, which is what a reader's
// error message must name when the file is cut there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/frame_builder.h"

namespace wtfn::test {

// Writes `bytes` to `path`; throws std::runtime_error on failure.
void write_file(const std::string& path, const Wire& bytes);

struct PcapOptions {
    bool big_endian = false;
    bool nanosecond = false;
    std::uint32_t link_type = linktype::EN10MB;
    std::uint32_t snaplen = 262144;
};

class PcapWriter {
public:
    explicit PcapWriter(PcapOptions options = {});

    // A record with caplen = len = data.size().
    PcapWriter& packet(std::int64_t ts_ns, const Wire& data);

    // A record whose header says `caplen` / `len` whatever `data` holds (the data written is
    // always `data`, so caplen larger than data.size() makes the file end early or makes the
    // next record start inside this one).
    PcapWriter& record(std::int64_t ts_ns,
                       const Wire& data,
                       std::optional<std::uint32_t> caplen,
                       std::optional<std::uint32_t> len);

    // Appends bytes as they are (garbage, a cut record).
    PcapWriter& raw(const Wire& bytes);

    const Wire& bytes() const { return out_; }

    // File offset of each record header, in order.
    const std::vector<std::size_t>& record_offsets() const { return offsets_; }

    std::size_t packet_count() const { return offsets_.size(); }

    void write(const std::string& path) const { write_file(path, out_); }

private:
    void u32(std::uint32_t v);

    PcapOptions options_;
    Wire out_;
    std::vector<std::size_t> offsets_;
};

// Direction bits of epb_flags (pcapng spec, section 4.3.1).
enum class EpbDirection : std::uint8_t { unknown = 0, inbound = 1, outbound = 2 };

struct InterfaceSpec {
    std::uint32_t link_type = linktype::EN10MB;
    std::string name;                    // if_name; omitted when empty
    std::optional<std::uint8_t> tsresol; // if_tsresol; omitted when absent (microseconds)
    std::uint32_t snaplen = 0;           // 0: no limit
};

class PcapngWriter {
public:
    // Starts the first section in the given byte order.
    explicit PcapngWriter(bool big_endian = false);

    // Starts a new section (interfaces restart at 0), possibly in the other byte order.
    PcapngWriter& section(bool big_endian);

    // Adds an interface to the current section; returns its number.
    std::uint32_t interface(const InterfaceSpec& spec);

    // Enhanced Packet Block; `ts_ns` is converted to the interface's resolution.
    PcapngWriter& packet(std::uint32_t interface_id,
                         std::int64_t ts_ns,
                         const Wire& data,
                         EpbDirection direction = EpbDirection::unknown);

    // Enhanced Packet Block with a raw timestamp in interface units, optional epb_flags and
    // optional caplen/len overrides (the data written is always `data`).
    PcapngWriter& epb(std::uint32_t interface_id,
                      std::uint64_t ts_units,
                      const Wire& data,
                      std::optional<std::uint32_t> epb_flags = {},
                      std::optional<std::uint32_t> caplen = {},
                      std::optional<std::uint32_t> len = {});

    // Simple Packet Block (interface 0, no timestamp); `original_len` defaults to the size.
    PcapngWriter& spb(const Wire& data, std::optional<std::uint32_t> original_len = {});

    // Any block: type, body (padded to 4 bytes), lengths written correctly.
    PcapngWriter& block(std::uint32_t type, const Wire& body);

    // Appends bytes as they are.
    PcapngWriter& raw(const Wire& bytes);

    const Wire& bytes() const { return out_; }

    // File offset of every block, in order (the SHB included).
    const std::vector<std::size_t>& block_offsets() const { return offsets_; }

    // Offsets of packet blocks (EPB and SPB) only.
    const std::vector<std::size_t>& packet_offsets() const { return packet_offsets_; }

    void write(const std::string& path) const { write_file(path, out_); }

private:
    void u16(Wire& w, std::uint16_t v) const;
    void u32(Wire& w, std::uint32_t v) const;
    void option(Wire& w, std::uint16_t code, const Wire& value) const;
    std::uint64_t to_units(std::uint32_t interface_id, std::int64_t ts_ns) const;

    bool big_endian_ = false;
    std::vector<InterfaceSpec> interfaces_; // of the current section
    Wire out_;
    std::vector<std::size_t> offsets_;
    std::vector<std::size_t> packet_offsets_;
};

} // namespace wtfn::test
