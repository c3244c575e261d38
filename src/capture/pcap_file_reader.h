// PcapFileReader: reads classic pcap (both byte orders, micro- and nanosecond) and pcapng
// (several sections, several interfaces with their names, link types and timestamp
// resolutions) from a file or standard input.
//
// We read files ourselves rather than through libpcap because libpcap hides what the
// pipeline needs: the pcapng interface of each packet, the direction flags, and the byte
// offset at which a damaged file went wrong. Every length is checked against what was read
// (RELIABILITY.md rows 12, 13): a record whose caplen exceeds its wire length or the snapshot
// length is counted and decoded as far as it is sound; a block larger than 16 MiB, a bad
// magic or a file cut short ends the read with a one-line error naming the byte offset, and
// every packet before it has already been delivered.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "capture/raw_packet.h"
#include "util/malformed.h"

namespace wtfn::capture {

class PcapFileReader {
public:
    enum class Status : std::uint8_t { packet, end, error };

    PcapFileReader() = default;
    ~PcapFileReader();
    PcapFileReader(const PcapFileReader&) = delete;
    PcapFileReader& operator=(const PcapFileReader&) = delete;

    // Opens `path` ("-" for standard input) and reads the file header. On failure returns
    // false and error() holds the one-line message.
    bool open(const std::string& path);

    // Opens an in-memory image (fuzzing, tests). The bytes must outlive the reader.
    bool open_memory(const std::uint8_t* data, std::size_t size, const std::string& name);

    // Reads the next packet. `error` ends the file: error() says why and where.
    Status next(RawPacket& out, util::MalformedCounters& bad);

    const std::string& error() const { return error_; }

    const std::string& path() const { return path_; }

    // The name recorded for a pcapng interface (if_name), or "if<N>" when none was recorded.
    // Classic pcap files have one unnamed interface, reported as "".
    const std::string& interface_name(std::uint32_t interface_id) const;

    // Link types present so far, for the report's `source` block.
    std::vector<std::uint32_t> link_types() const;

private:
    struct Interface {
        std::uint32_t link_type = 0;
        std::uint32_t snaplen = 0;
        std::string name;
        // Timestamp unit: ts * multiplier / divisor nanoseconds.
        std::uint64_t ts_mul = 1000;
        std::uint64_t ts_div = 1;
        bool ts_power_of_two = false;
        std::uint8_t ts_shift = 0;
    };

    // Makes at least `n` bytes available at pos_; returns the count actually available.
    std::size_t fill(std::size_t n);
    bool fail(std::uint64_t offset, const std::string& cause);
    bool read_classic_header(const std::uint8_t* h);
    Status next_classic(RawPacket& out, util::MalformedCounters& bad);
    Status next_pcapng(RawPacket& out, util::MalformedCounters& bad);
    bool parse_section_header(const std::uint8_t* block, std::uint32_t total);
    bool parse_interface(const std::uint8_t* block, std::uint32_t total);
    std::int64_t to_ns(const Interface& itf, std::uint64_t ts) const;
    void check_time(std::int64_t ts, util::MalformedCounters& bad);

    int fd_ = -1;
    bool own_fd_ = false;
    std::string path_;
    std::string error_;
    // Read buffer: bytes [pos_, end_) are unread; file offset of buf_[0] is base_offset_.
    std::vector<std::uint8_t> buf_;
    const std::uint8_t* mem_ = nullptr; // in-memory image instead of fd_
    std::size_t mem_size_ = 0;
    std::size_t pos_ = 0;
    std::size_t end_ = 0;
    std::uint64_t base_offset_ = 0;
    bool eof_ = false;

    bool pcapng_ = false;
    bool big_endian_ = false;
    // classic pcap
    std::uint32_t snaplen_ = 0;
    std::uint32_t link_type_ = 0;
    bool nanosecond_ = false;
    // pcapng: interfaces of the current section
    std::vector<Interface> interfaces_;
    std::vector<std::uint32_t> seen_link_types_;
    std::int64_t last_ts_ = 0;
};

} // namespace wtfn::capture
