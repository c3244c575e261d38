#include "capture/pcap_file_reader.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include "util/byte_reader.h"

namespace wtfn::capture {
namespace {

// pcapng blocks and classic records larger than this are damage, not data: libpcap caps
// pcapng blocks at 16 MiB too (RELIABILITY.md row 13).
constexpr std::uint32_t MAX_BLOCK = 16 * 1024 * 1024;
constexpr std::size_t INITIAL_BUFFER = 1024 * 1024;

constexpr std::uint32_t PCAPNG_SHB = 0x0A0D0D0A;
constexpr std::uint32_t PCAPNG_IDB = 1;
constexpr std::uint32_t PCAPNG_OPB = 2;
constexpr std::uint32_t PCAPNG_SPB = 3;
constexpr std::uint32_t PCAPNG_EPB = 6;
constexpr std::uint32_t PCAPNG_BOM = 0x1A2B3C4D;

RecordedDirection direction_from_epb_flags(std::uint32_t flags)
{
    switch (flags & 0x3) {
        case 1:
            return RecordedDirection::inbound;
        case 2:
            return RecordedDirection::outbound;
        default:
            return RecordedDirection::unknown;
    }
}

} // namespace

PcapFileReader::~PcapFileReader()
{
    if (own_fd_ && fd_ >= 0) {
        ::close(fd_);
    }
}

bool PcapFileReader::fail(std::uint64_t offset, const std::string& cause)
{
    error_ = path_ + ": " + cause + " at byte offset " + std::to_string(offset);
    // A file that ends inside a record was cut short: by a copy, a full disk, or a capture
    // that was killed before it flushed.
    if (cause.find("truncated") != std::string::npos) {
        error_ += " (the file ends early: copy it again in full, or let the capturing tool "
                  "finish before reading it)";
    }
    return false;
}

bool PcapFileReader::open(const std::string& path)
{
    path_ = path;
    if (path == "-") {
        fd_ = STDIN_FILENO;
    } else {
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) {
            const int err = errno;
            error_ = path + ": cannot open capture file: " + std::strerror(err);
            if (err == ENOENT) {
                error_ += " (check the path)";
            } else if (err == EACCES) {
                error_ += " (make it readable by this user)";
            }
            return false;
        }
        own_fd_ = true;
    }
    buf_.resize(INITIAL_BUFFER);
    const std::size_t got = fill(4);
    if (got < 4) {
        if (!error_.empty()) {
            return false;
        }
        return fail(0,
                    "not a pcap or pcapng file (only " + std::to_string(got) +
                        " bytes); wtfn reads pcap and pcapng captures");
    }
    const std::uint8_t* p = (mem_ != nullptr ? mem_ : buf_.data()) + pos_;
    if (util::load_u32(p, false) == PCAPNG_SHB) {
        pcapng_ = true;
        return true; // the section header is read as the first block
    }
    if (fill(24) < 24) {
        return fail(0, "truncated pcap file header (24 bytes needed)");
    }
    p = (mem_ != nullptr ? mem_ : buf_.data()) + pos_;
    if (!read_classic_header(p)) {
        return false;
    }
    pos_ += 24;
    return true;
}

bool PcapFileReader::open_memory(const std::uint8_t* data,
                                 std::size_t size,
                                 const std::string& name)
{
    mem_ = data;
    mem_size_ = size;
    end_ = size;
    eof_ = true;
    path_ = name;
    if (size < 4) {
        return fail(0, "not a pcap or pcapng file (only " + std::to_string(size) + " bytes)");
    }
    if (util::load_u32(data, false) == PCAPNG_SHB) {
        pcapng_ = true;
        return true;
    }
    if (size < 24) {
        return fail(0, "truncated pcap file header (24 bytes needed)");
    }
    if (!read_classic_header(data)) {
        return false;
    }
    pos_ = 24;
    return true;
}

bool PcapFileReader::read_classic_header(const std::uint8_t* h)
{
    const std::uint32_t magic = util::load_u32(h, false);
    switch (magic) {
        case 0xA1B2C3D4:
            break;
        case 0xD4C3B2A1:
            big_endian_ = true;
            break;
        case 0xA1B23C4D:
            nanosecond_ = true;
            break;
        case 0x4D3CB2A1:
            big_endian_ = true;
            nanosecond_ = true;
            break;
        default: {
            char hex[16];
            std::snprintf(hex, sizeof hex, "0x%08x", magic);
            return fail(0,
                        std::string("not a pcap or pcapng file (bad magic ") + hex +
                            "); wtfn reads pcap and pcapng captures");
        }
    }
    snaplen_ = util::load_u32(h + 16, big_endian_);
    // The upper bits of the link-type field carry FCS information (pcap-savefile(5)).
    link_type_ = util::load_u32(h + 20, big_endian_) & 0xFFFF;
    seen_link_types_.push_back(link_type_);
    return true;
}

std::size_t PcapFileReader::fill(std::size_t n)
{
    if (mem_ != nullptr) {
        return std::min(n, mem_size_ - pos_);
    }
    if (end_ - pos_ >= n) {
        return n;
    }
    if (pos_ > 0) {
        std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
        base_offset_ += pos_;
        end_ -= pos_;
        pos_ = 0;
    }
    if (n > buf_.size()) {
        buf_.resize(std::max(n, buf_.size() * 2));
    }
    while (!eof_ && end_ < n) {
        const ssize_t r = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
        if (r > 0) {
            end_ += static_cast<std::size_t>(r);
        } else if (r == 0) {
            eof_ = true;
        } else if (errno != EINTR) {
            error_ = path_ + ": read error: " + std::strerror(errno) + " at byte offset " +
                     std::to_string(base_offset_ + end_);
            eof_ = true;
        }
    }
    return std::min(n, end_ - pos_);
}

const std::string& PcapFileReader::interface_name(std::uint32_t interface_id) const
{
    static const std::string none;
    if (interface_id < interfaces_.size()) {
        return interfaces_[interface_id].name;
    }
    return none;
}

std::vector<std::uint32_t> PcapFileReader::link_types() const
{
    return seen_link_types_;
}

void PcapFileReader::check_time(std::int64_t ts, util::MalformedCounters& bad)
{
    if (ts < last_ts_) {
        bad.add(util::Malformed::pcap_time_backwards);
    }
    last_ts_ = ts;
}

PcapFileReader::Status PcapFileReader::next(RawPacket& out, util::MalformedCounters& bad)
{
    if (!error_.empty()) {
        return Status::error;
    }
    return pcapng_ ? next_pcapng(out, bad) : next_classic(out, bad);
}

PcapFileReader::Status PcapFileReader::next_classic(RawPacket& out, util::MalformedCounters& bad)
{
    const std::uint8_t* base = mem_ != nullptr ? mem_ : buf_.data();
    const std::size_t avail = end_ - pos_;
    // Fast path: the whole record is already buffered (all but one record per megabyte).
    if (avail < 16 || util::load_u32(base + pos_ + 8, big_endian_) > avail - 16) {
        const std::uint64_t offset = base_offset_ + pos_;
        const std::size_t have = fill(16);
        if (!error_.empty()) {
            return Status::error;
        }
        if (have == 0) {
            return Status::end;
        }
        if (have < 16) {
            fail(offset,
                 "capture file is truncated: record header needs 16 bytes, " +
                     std::to_string(have) + " present");
            return Status::error;
        }
        base = mem_ != nullptr ? mem_ : buf_.data();
        const std::uint32_t claimed = util::load_u32(base + pos_ + 8, big_endian_);
        if (claimed > MAX_BLOCK) {
            fail(offset,
                 "damaged capture file: record claims " + std::to_string(claimed) +
                     " captured bytes (more than 16 MiB)");
            return Status::error;
        }
        const std::size_t got = fill(16 + std::size_t{claimed});
        if (!error_.empty()) {
            return Status::error;
        }
        if (got < 16 + std::size_t{claimed}) {
            fail(offset,
                 "capture file is truncated: packet record needs " + std::to_string(16 + claimed) +
                     " bytes, " + std::to_string(got) + " present");
            return Status::error;
        }
        base = mem_ != nullptr ? mem_ : buf_.data();
    }
    const std::uint8_t* h = base + pos_;
    const std::uint32_t sec = util::load_u32(h, big_endian_);
    const std::uint32_t frac = util::load_u32(h + 4, big_endian_);
    const std::uint32_t caplen = util::load_u32(h + 8, big_endian_);
    const std::uint32_t len = util::load_u32(h + 12, big_endian_);
    if (caplen > snaplen_ && snaplen_ != 0) {
        bad.add(util::Malformed::pcap_caplen_gt_snaplen);
    }
    if (caplen > len) {
        bad.add(util::Malformed::pcap_caplen_gt_len);
    }
    out.ts_ns = static_cast<std::int64_t>(sec) * 1'000'000'000 +
                static_cast<std::int64_t>(nanosecond_ ? frac : std::uint64_t{frac} * 1000);
    check_time(out.ts_ns, bad);
    out.caplen = std::min(caplen, len);
    out.len = len;
    out.data = h + 16;
    out.link_type = link_type_;
    out.interface_id = 0;
    out.direction = RecordedDirection::unknown;
    pos_ += 16 + std::size_t{caplen};
    return Status::packet;
}

bool PcapFileReader::parse_section_header(const std::uint8_t* block, std::uint32_t total)
{
    if (total < 28) {
        return fail(base_offset_ + pos_, "damaged pcapng section header block (too short)");
    }
    const std::uint32_t bom = util::load_u32(block + 8, false);
    if (bom == PCAPNG_BOM) {
        big_endian_ = false;
    } else if (util::load_u32(block + 8, true) == PCAPNG_BOM) {
        big_endian_ = true;
    } else {
        return fail(base_offset_ + pos_ + 8, "damaged pcapng file: bad byte-order magic");
    }
    const std::uint16_t major = util::load_u16(block + 12, big_endian_);
    if (major != 1) {
        return fail(base_offset_ + pos_ + 12,
                    "unsupported pcapng version " + std::to_string(major) + " (only 1.x)");
    }
    interfaces_.clear(); // interface numbers restart in each section
    return true;
}

bool PcapFileReader::parse_interface(const std::uint8_t* block, std::uint32_t total)
{
    Interface itf;
    itf.link_type = util::load_u16(block + 8, big_endian_);
    itf.snaplen = util::load_u32(block + 12, big_endian_);
    // Options: code, length, value padded to 4 bytes; bounded by the block.
    std::size_t off = 16;
    const std::size_t end = total - 4;
    while (off + 4 <= end) {
        const std::uint16_t code = util::load_u16(block + off, big_endian_);
        const std::uint16_t len = util::load_u16(block + off + 2, big_endian_);
        off += 4;
        if (code == 0 || len > end - off) {
            break;
        }
        if (code == 2) { // if_name
            itf.name.assign(reinterpret_cast<const char*>(block + off),
                            strnlen(reinterpret_cast<const char*>(block + off), len));
        } else if (code == 9 && len >= 1) { // if_tsresol
            const std::uint8_t v = block[off];
            if ((v & 0x80) != 0) {
                itf.ts_power_of_two = true;
                itf.ts_shift = std::min<std::uint8_t>(v & 0x7F, 63);
            } else {
                const unsigned exp = std::min<unsigned>(v, 18);
                itf.ts_mul = 1;
                itf.ts_div = 1;
                for (unsigned i = exp; i < 9; ++i) {
                    itf.ts_mul *= 10;
                }
                for (unsigned i = 9; i < exp; ++i) {
                    itf.ts_div *= 10;
                }
            }
        }
        off += (std::size_t{len} + 3) & ~std::size_t{3};
    }
    if (itf.name.empty()) {
        itf.name = "if" + std::to_string(interfaces_.size());
    }
    if (interfaces_.size() >= 65536) {
        return fail(base_offset_ + pos_, "damaged pcapng file: more than 65536 interfaces");
    }
    interfaces_.push_back(std::move(itf));
    bool known = false;
    for (auto lt : seen_link_types_) {
        known = known || lt == interfaces_.back().link_type;
    }
    if (!known) {
        seen_link_types_.push_back(interfaces_.back().link_type);
    }
    return true;
}

std::int64_t PcapFileReader::to_ns(const Interface& itf, std::uint64_t ts) const
{
    unsigned __int128 v = ts;
    if (itf.ts_power_of_two) {
        v = (v * 1'000'000'000u) >> itf.ts_shift;
    } else {
        v = v * itf.ts_mul / itf.ts_div;
    }
    return static_cast<std::int64_t>(v & 0x7FFFFFFFFFFFFFFF);
}

PcapFileReader::Status PcapFileReader::next_pcapng(RawPacket& out, util::MalformedCounters& bad)
{
    for (;;) {
        const std::uint64_t offset = base_offset_ + pos_;
        const std::size_t have = fill(12);
        if (!error_.empty()) {
            return Status::error;
        }
        if (have == 0) {
            return Status::end;
        }
        if (have < 12) {
            fail(offset,
                 "capture file is truncated: block header needs 12 bytes, " + std::to_string(have) +
                     " present");
            return Status::error;
        }
        const std::uint8_t* b = (mem_ != nullptr ? mem_ : buf_.data()) + pos_;
        const std::uint32_t type = util::load_u32(b, big_endian_);
        bool section_big_endian = big_endian_;
        if (type == PCAPNG_SHB) {
            // The section's byte order is known only from its own byte-order magic.
            section_big_endian = util::load_u32(b + 8, true) == PCAPNG_BOM;
        }
        const std::uint32_t total = util::load_u32(b + 4, section_big_endian);
        if (total < 12 || total % 4 != 0 || total > MAX_BLOCK) {
            fail(offset, "damaged pcapng file: bad block length " + std::to_string(total));
            return Status::error;
        }
        const std::size_t got = fill(total);
        if (!error_.empty()) {
            return Status::error;
        }
        if (got < total) {
            fail(offset,
                 "capture file is truncated: block needs " + std::to_string(total) + " bytes, " +
                     std::to_string(got) + " present");
            return Status::error;
        }
        b = (mem_ != nullptr ? mem_ : buf_.data()) + pos_;
        if (util::load_u32(b + total - 4, section_big_endian) != total) {
            fail(offset, "damaged pcapng file: block trailer length does not match its header");
            return Status::error;
        }
        switch (type) {
            case PCAPNG_SHB:
                if (!parse_section_header(b, total)) {
                    return Status::error;
                }
                break;
            case PCAPNG_IDB:
                if (total < 20) {
                    bad.add(util::Malformed::pcap_bad_block);
                } else if (!parse_interface(b, total)) {
                    return Status::error;
                }
                break;
            case PCAPNG_EPB:
            case PCAPNG_OPB: {
                const bool epb = type == PCAPNG_EPB;
                if (total < 32) {
                    bad.add(util::Malformed::pcap_bad_block);
                    break;
                }
                const std::uint32_t if_id =
                    epb ? util::load_u32(b + 8, big_endian_) : util::load_u16(b + 8, big_endian_);
                const std::uint64_t ts =
                    (std::uint64_t{util::load_u32(b + 12, big_endian_)} << 32) |
                    util::load_u32(b + 16, big_endian_);
                const std::uint32_t caplen = util::load_u32(b + 20, big_endian_);
                const std::uint32_t len = util::load_u32(b + 24, big_endian_);
                if (if_id >= interfaces_.size() || caplen > total - 32) {
                    bad.add(util::Malformed::pcap_bad_block);
                    break;
                }
                const Interface& itf = interfaces_[if_id];
                if (itf.snaplen != 0 && caplen > itf.snaplen) {
                    bad.add(util::Malformed::pcap_caplen_gt_snaplen);
                }
                if (caplen > len) {
                    bad.add(util::Malformed::pcap_caplen_gt_len);
                }
                out.direction = RecordedDirection::unknown;
                if (epb) {
                    // Options follow the padded packet data; epb_flags (code 2) has the
                    // direction in its two low bits.
                    std::size_t off = 28 + ((std::size_t{caplen} + 3) & ~std::size_t{3});
                    const std::size_t end = total - 4;
                    while (off + 4 <= end) {
                        const std::uint16_t code = util::load_u16(b + off, big_endian_);
                        const std::uint16_t olen = util::load_u16(b + off + 2, big_endian_);
                        off += 4;
                        if (code == 0 || olen > end - off) {
                            break;
                        }
                        if (code == 2 && olen == 4) {
                            out.direction =
                                direction_from_epb_flags(util::load_u32(b + off, big_endian_));
                        }
                        off += (std::size_t{olen} + 3) & ~std::size_t{3};
                    }
                }
                out.ts_ns = to_ns(itf, ts);
                check_time(out.ts_ns, bad);
                out.caplen = std::min(caplen, len);
                out.len = len;
                out.data = b + 28;
                out.link_type = itf.link_type;
                out.interface_id = if_id;
                pos_ += total;
                return Status::packet;
            }
            case PCAPNG_SPB: {
                if (total < 16 || interfaces_.empty()) {
                    bad.add(util::Malformed::pcap_bad_block);
                    break;
                }
                const Interface& itf = interfaces_[0];
                const std::uint32_t len = util::load_u32(b + 8, big_endian_);
                std::uint32_t caplen = std::min(len, total - 16);
                if (itf.snaplen != 0) {
                    caplen = std::min(caplen, itf.snaplen);
                }
                out.ts_ns = last_ts_; // simple packets carry no timestamp
                out.caplen = caplen;
                out.len = len;
                out.data = b + 12;
                out.link_type = itf.link_type;
                out.interface_id = 0;
                out.direction = RecordedDirection::unknown;
                pos_ += total;
                return Status::packet;
            }
            default:
                break; // name resolution, statistics, custom blocks: not needed
        }
        pos_ += total;
    }
}

} // namespace wtfn::capture
