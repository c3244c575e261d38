#include "support/pcap_writer.h"

#include <cstdio>
#include <stdexcept>

namespace wtfn::test {
namespace {

constexpr std::uint32_t BLOCK_SHB = 0x0A0D0D0A;
constexpr std::uint32_t BLOCK_IDB = 1;
constexpr std::uint32_t BLOCK_SPB = 3;
constexpr std::uint32_t BLOCK_EPB = 6;

} // namespace

void write_file(const std::string& path, const Wire& bytes)
{
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
        throw std::runtime_error("cannot create " + path);
    }
    // An empty vector's data() may be null, which fwrite must not be given.
    const bool ok = bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    if (std::fclose(f) != 0 || !ok) {
        throw std::runtime_error("cannot write " + path);
    }
}

// --- classic pcap ---------------------------------------------------------------------------

PcapWriter::PcapWriter(PcapOptions options) : options_(options)
{
    u32(options_.nanosecond ? 0xA1B23C4D : 0xA1B2C3D4);
    // Version 2.4: two 16-bit fields in the file's byte order.
    if (options_.big_endian) {
        put_bytes(out_, {0, 2, 0, 4});
    } else {
        put_bytes(out_, {2, 0, 4, 0});
    }
    u32(0); // thiszone
    u32(0); // sigfigs
    u32(options_.snaplen);
    u32(options_.link_type);
}

void PcapWriter::u32(std::uint32_t v)
{
    if (options_.big_endian) {
        put_u32(out_, v);
    } else {
        for (int i = 0; i < 4; ++i) {
            out_.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xFF));
        }
    }
}

PcapWriter& PcapWriter::packet(std::int64_t ts_ns, const Wire& data)
{
    return record(ts_ns, data, {}, {});
}

PcapWriter& PcapWriter::record(std::int64_t ts_ns,
                               const Wire& data,
                               std::optional<std::uint32_t> caplen,
                               std::optional<std::uint32_t> len)
{
    offsets_.push_back(out_.size());
    const auto sec = static_cast<std::uint32_t>(ts_ns / 1'000'000'000);
    const auto ns = static_cast<std::uint32_t>(ts_ns % 1'000'000'000);
    u32(sec);
    u32(options_.nanosecond ? ns : ns / 1000);
    u32(caplen.value_or(static_cast<std::uint32_t>(data.size())));
    u32(len.value_or(static_cast<std::uint32_t>(data.size())));
    put_bytes(out_, data);
    return *this;
}

PcapWriter& PcapWriter::raw(const Wire& bytes)
{
    put_bytes(out_, bytes);
    return *this;
}

// --- pcapng ---------------------------------------------------------------------------------

PcapngWriter::PcapngWriter(bool big_endian)
{
    section(big_endian);
}

void PcapngWriter::u16(Wire& w, std::uint16_t v) const
{
    if (big_endian_) {
        put_u16(w, v);
    } else {
        w.push_back(static_cast<std::uint8_t>(v & 0xFF));
        w.push_back(static_cast<std::uint8_t>(v >> 8));
    }
}

void PcapngWriter::u32(Wire& w, std::uint32_t v) const
{
    if (big_endian_) {
        put_u32(w, v);
    } else {
        for (int i = 0; i < 4; ++i) {
            w.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xFF));
        }
    }
}

void PcapngWriter::option(Wire& w, std::uint16_t code, const Wire& value) const
{
    u16(w, code);
    u16(w, static_cast<std::uint16_t>(value.size()));
    put_bytes(w, value);
    while (w.size() % 4 != 0) {
        w.push_back(0);
    }
}

PcapngWriter& PcapngWriter::block(std::uint32_t type, const Wire& body)
{
    Wire padded = body;
    while (padded.size() % 4 != 0) {
        padded.push_back(0);
    }
    const auto total = static_cast<std::uint32_t>(12 + padded.size());
    offsets_.push_back(out_.size());
    u32(out_, type);
    u32(out_, total);
    put_bytes(out_, padded);
    u32(out_, total);
    return *this;
}

PcapngWriter& PcapngWriter::section(bool big_endian)
{
    big_endian_ = big_endian;
    interfaces_.clear();
    Wire body;
    u32(body, 0x1A2B3C4D); // byte-order magic
    u16(body, 1);          // major version
    u16(body, 0);          // minor version
    u32(body, 0xFFFFFFFF); // section length: not given (64-bit -1)
    u32(body, 0xFFFFFFFF);
    return block(BLOCK_SHB, body);
}

std::uint32_t PcapngWriter::interface(const InterfaceSpec& spec)
{
    Wire body;
    u16(body, static_cast<std::uint16_t>(spec.link_type));
    u16(body, 0); // reserved
    u32(body, spec.snaplen);
    if (!spec.name.empty()) {
        option(body, 2, Wire(spec.name.begin(), spec.name.end())); // if_name
    }
    if (spec.tsresol) {
        option(body, 9, Wire{*spec.tsresol}); // if_tsresol
    }
    if (!spec.name.empty() || spec.tsresol) {
        option(body, 0, {}); // opt_endofopt
    }
    block(BLOCK_IDB, body);
    interfaces_.push_back(spec);
    return static_cast<std::uint32_t>(interfaces_.size() - 1);
}

std::uint64_t PcapngWriter::to_units(std::uint32_t interface_id, std::int64_t ts_ns) const
{
    if (interface_id >= interfaces_.size() || !interfaces_[interface_id].tsresol) {
        return static_cast<std::uint64_t>(ts_ns / 1000); // microseconds
    }
    const std::uint8_t r = *interfaces_[interface_id].tsresol;
    const auto ns = static_cast<unsigned __int128>(ts_ns);
    if ((r & 0x80) != 0) {
        return static_cast<std::uint64_t>((ns << (r & 0x7F)) / 1'000'000'000u);
    }
    unsigned __int128 v = ns;
    for (unsigned i = r; i < 9; ++i) {
        v /= 10;
    }
    for (unsigned i = 9; i < r; ++i) {
        v *= 10;
    }
    return static_cast<std::uint64_t>(v);
}

PcapngWriter& PcapngWriter::packet(std::uint32_t interface_id,
                                   std::int64_t ts_ns,
                                   const Wire& data,
                                   EpbDirection direction)
{
    std::optional<std::uint32_t> flags;
    if (direction != EpbDirection::unknown) {
        flags = static_cast<std::uint32_t>(direction);
    }
    return epb(interface_id, to_units(interface_id, ts_ns), data, flags);
}

PcapngWriter& PcapngWriter::epb(std::uint32_t interface_id,
                                std::uint64_t ts_units,
                                const Wire& data,
                                std::optional<std::uint32_t> epb_flags,
                                std::optional<std::uint32_t> caplen,
                                std::optional<std::uint32_t> len)
{
    Wire body;
    u32(body, interface_id);
    u32(body, static_cast<std::uint32_t>(ts_units >> 32));
    u32(body, static_cast<std::uint32_t>(ts_units & 0xFFFFFFFF));
    u32(body, caplen.value_or(static_cast<std::uint32_t>(data.size())));
    u32(body, len.value_or(static_cast<std::uint32_t>(data.size())));
    put_bytes(body, data);
    while (body.size() % 4 != 0) {
        body.push_back(0);
    }
    if (epb_flags) {
        Wire v;
        u32(v, *epb_flags);
        option(body, 2, v); // epb_flags
        option(body, 0, {});
    }
    packet_offsets_.push_back(out_.size());
    return block(BLOCK_EPB, body);
}

PcapngWriter& PcapngWriter::spb(const Wire& data, std::optional<std::uint32_t> original_len)
{
    Wire body;
    u32(body, original_len.value_or(static_cast<std::uint32_t>(data.size())));
    put_bytes(body, data);
    packet_offsets_.push_back(out_.size());
    return block(BLOCK_SPB, body);
}

PcapngWriter& PcapngWriter::raw(const Wire& bytes)
{
    put_bytes(out_, bytes);
    return *this;
}

} // namespace wtfn::test
