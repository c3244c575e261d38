// Tests of src/capture/pcap_file_reader.cc: classic pcap (both byte orders, micro- and
// nanosecond), pcapng (sections, interfaces, resolutions, flags, SPB), damaged files, and the
// same bytes read from memory, from a file on disk and from a pipe on standard input
// (RELIABILITY.md rows 12, 13 and M6).
#include "capture/pcap_file_reader.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "support/frame_builder.h"
#include "support/malformed_expect.h"
#include "support/pcap_writer.h"

namespace wtfn::capture {
namespace {

using test::PcapngWriter;
using test::PcapOptions;
using test::PcapWriter;
using test::Wire;
using util::Malformed;
using Status = PcapFileReader::Status;

constexpr std::int64_t T0 = 1'700'000'000'123'456'789; // ns

// One packet as read, copied out of the reader's buffer.
struct Got {
    std::int64_t ts_ns = 0;
    std::uint32_t caplen = 0;
    std::uint32_t len = 0;
    Wire data;
    std::uint32_t link_type = 0;
    std::uint32_t interface_id = 0;
    std::string interface_name;
    RecordedDirection direction = RecordedDirection::unknown;
};

struct ReadAll {
    bool opened = false;
    std::vector<Got> packets;
    Status last = Status::end;
    std::string error;
    util::MalformedCounters bad;
    std::vector<std::uint32_t> link_types;
};

ReadAll drain(PcapFileReader& r, bool opened)
{
    ReadAll out;
    out.opened = opened;
    if (!opened) {
        out.last = Status::error;
        out.error = r.error();
        return out;
    }
    RawPacket p;
    for (int guard = 0; guard < 10'000'000; ++guard) {
        out.last = r.next(p, out.bad);
        if (out.last != Status::packet) {
            break;
        }
        Got g;
        g.ts_ns = p.ts_ns;
        g.caplen = p.caplen;
        g.len = p.len;
        g.data.assign(p.data, p.data + p.caplen);
        g.link_type = p.link_type;
        g.interface_id = p.interface_id;
        g.interface_name = r.interface_name(p.interface_id);
        g.direction = p.direction;
        out.packets.push_back(std::move(g));
    }
    out.error = r.error();
    out.link_types = r.link_types();
    return out;
}

// Reads an in-memory image from an exact-size heap copy (an over-read trips ASan).
ReadAll read_memory(const Wire& bytes, const std::string& name = "mem.pcap")
{
    const Wire copy = bytes;
    PcapFileReader r;
    const bool ok = r.open_memory(copy.data(), copy.size(), name);
    return drain(r, ok);
}

class TempDir {
public:
    TempDir()
    {
        char tmpl[] = "/tmp/wtfn_capture_test_XXXXXX";
        const char* p = mkdtemp(tmpl);
        path_ = p != nullptr ? p : "/tmp";
    }

    ~TempDir() { std::filesystem::remove_all(path_); }

    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

ReadAll read_disk(const Wire& bytes, const std::string& name = "disk.pcap")
{
    TempDir dir;
    const std::string path = dir.file(name);
    test::write_file(path, bytes);
    PcapFileReader r;
    const bool ok = r.open(path);
    return drain(r, ok);
}

// Standard input is a pipe fed by a thread: the reader cannot seek or know the size.
ReadAll read_stdin_pipe(const Wire& bytes)
{
    int fds[2];
    if (pipe(fds) != 0) {
        ADD_FAILURE() << "pipe failed";
        return {};
    }
    const int saved = dup(STDIN_FILENO);
    dup2(fds[0], STDIN_FILENO);
    close(fds[0]);
    std::thread writer([&bytes, w = fds[1]] {
        std::size_t off = 0;
        while (off < bytes.size()) {
            // Small writes: the reader sees the file arrive in pieces.
            const std::size_t n = std::min<std::size_t>(4093, bytes.size() - off);
            const ssize_t k = write(w, bytes.data() + off, n);
            if (k <= 0) {
                break;
            }
            off += static_cast<std::size_t>(k);
        }
        close(w);
    });
    ReadAll out;
    {
        PcapFileReader r;
        const bool ok = r.open("-");
        out = drain(r, ok);
    }
    writer.join();
    dup2(saved, STDIN_FILENO);
    close(saved);
    return out;
}

Wire frame(std::uint16_t sport, const std::string& text = "payload")
{
    return test::FrameBuilder{}
        .ipv4("192.0.2.1", "198.51.100.53")
        .udp(sport, 53)
        .payload(Wire(text.begin(), text.end()))
        .ethernet();
}

std::string offset_text(std::size_t off)
{
    return "byte offset " + std::to_string(off);
}

bool contains(const std::string& hay, const std::string& needle)
{
    return hay.find(needle) != std::string::npos;
}

// --- classic pcap: both byte orders, both resolutions, memory and disk ------------------

struct ClassicCase {
    bool big_endian;
    bool nanosecond;
    bool disk;
};

class ClassicPcap : public ::testing::TestWithParam<ClassicCase> {
protected:
    ReadAll read(const Wire& bytes) const
    {
        return GetParam().disk ? read_disk(bytes) : read_memory(bytes);
    }

    PcapOptions options(std::uint32_t link_type = test::linktype::EN10MB) const
    {
        return {GetParam().big_endian, GetParam().nanosecond, link_type, 262144};
    }
};

TEST_P(ClassicPcap, PacketsTimestampsAndLengths)
{
    PcapWriter w(options());
    const Wire a = frame(1, "first");
    const Wire b = frame(2, "second packet");
    w.packet(T0, a).packet(T0 + 1, b).packet(T0 + 1'000'000'000, a);
    const ReadAll r = read(w.bytes());
    ASSERT_TRUE(r.opened) << r.error;
    ASSERT_EQ(r.last, Status::end) << r.error;
    ASSERT_EQ(r.packets.size(), 3u);
    // Exact to the nanosecond in ns files, to the microsecond (truncated) in µs files.
    const std::int64_t unit = GetParam().nanosecond ? 1 : 1000;
    EXPECT_EQ(r.packets[0].ts_ns, T0 / unit * unit);
    EXPECT_EQ(r.packets[1].ts_ns, (T0 + 1) / unit * unit);
    EXPECT_EQ(r.packets[2].ts_ns, (T0 + 1'000'000'000) / unit * unit);
    EXPECT_EQ(r.packets[0].data, a);
    EXPECT_EQ(r.packets[1].data, b);
    EXPECT_EQ(r.packets[1].caplen, b.size());
    EXPECT_EQ(r.packets[1].len, b.size());
    for (const Got& g : r.packets) {
        EXPECT_EQ(g.link_type, 1u);
        EXPECT_EQ(g.interface_id, 0u);
        EXPECT_EQ(g.interface_name, "");
        EXPECT_EQ(g.direction, RecordedDirection::unknown);
    }
    EXPECT_EQ(r.link_types, std::vector<std::uint32_t>{1});
    EXPECT_TRUE(test::nothing_counted(r.bad));
}

TEST_P(ClassicPcap, HeaderOnlyFileIsEmpty)
{
    const ReadAll r = read(PcapWriter(options()).bytes());
    ASSERT_TRUE(r.opened);
    EXPECT_EQ(r.last, Status::end);
    EXPECT_TRUE(r.packets.empty());
}

TEST_P(ClassicPcap, LinkTypeOfTheFile)
{
    PcapWriter w(options(test::linktype::LINUX_SLL2));
    w.packet(T0, Wire(30, 0));
    const ReadAll r = read(w.bytes());
    ASSERT_EQ(r.packets.size(), 1u);
    EXPECT_EQ(r.packets[0].link_type, 276u);
    EXPECT_EQ(r.link_types, std::vector<std::uint32_t>{276});
}

// Triad on caplen against len: equal is fine, one more is counted and clamped.
TEST_P(ClassicPcap, CaplenGreaterThanLenIsCountedAndClamped)
{
    PcapWriter w(options());
    const Wire a = frame(1);
    w.record(T0, a, std::nullopt, static_cast<std::uint32_t>(a.size() - 1));
    w.packet(T0 + 1000, frame(2)); // the next record is still found
    const ReadAll r = read(w.bytes());
    ASSERT_EQ(r.last, Status::end) << r.error;
    ASSERT_EQ(r.packets.size(), 2u);
    EXPECT_EQ(r.packets[0].caplen, a.size() - 1);
    EXPECT_EQ(r.packets[0].len, a.size() - 1);
    EXPECT_EQ(r.packets[1].data, frame(2));
    EXPECT_TRUE(test::only_counted(r.bad, Malformed::pcap_caplen_gt_len));
}

TEST_P(ClassicPcap, CaplenEqualToLenIsClean)
{
    PcapWriter w(options());
    w.packet(T0, frame(1));
    EXPECT_TRUE(test::nothing_counted(read(w.bytes()).bad));
}

TEST_P(ClassicPcap, CaplenBelowLenIsASnappedPacket)
{
    PcapWriter w(options());
    const Wire a = frame(1);
    w.record(T0, a, std::nullopt, 1500);
    const ReadAll r = read(w.bytes());
    ASSERT_EQ(r.packets.size(), 1u);
    EXPECT_EQ(r.packets[0].caplen, a.size());
    EXPECT_EQ(r.packets[0].len, 1500u);
    EXPECT_TRUE(test::nothing_counted(r.bad));
}

// Triad on caplen against the file's snap length.
TEST_P(ClassicPcap, CaplenAboveSnaplenIsCounted)
{
    const Wire a = frame(1);
    for (const std::uint32_t snap : {static_cast<std::uint32_t>(a.size() - 1),
                                     static_cast<std::uint32_t>(a.size()),
                                     static_cast<std::uint32_t>(a.size() + 1)}) {
        PcapOptions o = options();
        o.snaplen = snap;
        PcapWriter w(o);
        w.packet(T0, a);
        const ReadAll r = read(w.bytes());
        ASSERT_EQ(r.packets.size(), 1u);
        EXPECT_EQ(r.packets[0].data, a); // still delivered whole
        if (snap < a.size()) {
            EXPECT_TRUE(test::only_counted(r.bad, Malformed::pcap_caplen_gt_snaplen)) << snap;
        } else {
            EXPECT_TRUE(test::nothing_counted(r.bad)) << snap;
        }
    }
}

TEST_P(ClassicPcap, SnaplenZeroMeansNoLimit)
{
    PcapOptions o = options();
    o.snaplen = 0;
    PcapWriter w(o);
    w.packet(T0, frame(1));
    EXPECT_TRUE(test::nothing_counted(read(w.bytes()).bad));
}

TEST_P(ClassicPcap, TimeGoingBackwardsIsCountedOnce)
{
    PcapWriter w(options());
    w.packet(T0, frame(1))
        .packet(T0, frame(2))
        .packet(T0 - 2000, frame(3))
        .packet(T0 + 5000, frame(4));
    const ReadAll r = read(w.bytes());
    ASSERT_EQ(r.packets.size(), 4u);
    EXPECT_TRUE(test::only_counted(r.bad, Malformed::pcap_time_backwards));
}

// M6: a file cut anywhere in its last record (header or data) ends with an error naming the
// file, "truncated" and the record's offset, after every earlier packet was delivered; a cut
// exactly at the record boundary is a shorter, valid file.
TEST_P(ClassicPcap, TruncatedAtEveryOffsetOfTheLastRecord)
{
    PcapWriter w(options());
    w.packet(T0, frame(1)).packet(T0 + 1000, frame(2)).packet(T0 + 2000, frame(3, "the last one"));
    const Wire& full = w.bytes();
    const std::size_t last = w.record_offsets().back();
    for (std::size_t size = last; size < full.size(); ++size) {
        const Wire cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(size));
        const ReadAll r = read(cut);
        ASSERT_TRUE(r.opened) << size;
        ASSERT_EQ(r.packets.size(), 2u) << size;
        EXPECT_EQ(r.packets[1].data, frame(2)) << size;
        if (size == last) {
            EXPECT_EQ(r.last, Status::end) << r.error;
            continue;
        }
        EXPECT_EQ(r.last, Status::error) << size;
        EXPECT_TRUE(contains(r.error, "truncated")) << r.error;
        EXPECT_TRUE(contains(r.error, offset_text(last))) << size << ": " << r.error;
        EXPECT_TRUE(contains(r.error, GetParam().disk ? "disk.pcap" : "mem.pcap")) << r.error;
        EXPECT_EQ(r.error.find('\n'), std::string::npos);
        EXPECT_TRUE(test::nothing_counted(r.bad));
    }
}

TEST_P(ClassicPcap, TruncatedFileHeader)
{
    const Wire full = PcapWriter(options()).bytes();
    for (std::size_t size = 4; size < 24; ++size) {
        const ReadAll r =
            read(Wire(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(size)));
        EXPECT_FALSE(r.opened) << size;
        EXPECT_TRUE(contains(r.error, "truncated")) << r.error;
        EXPECT_TRUE(contains(r.error, offset_text(0))) << r.error;
    }
}

// A caplen of 2^31 is damage: an error at that record, and no 2 GiB buffer.
TEST_P(ClassicPcap, HugeCaplenIsAnErrorNotAnAllocation)
{
    PcapWriter w(options());
    w.packet(T0, frame(1));
    w.record(T0 + 1, frame(2), 0x80000000u, 0x80000000u);
    const ReadAll r = read(w.bytes());
    ASSERT_EQ(r.packets.size(), 1u);
    EXPECT_EQ(r.last, Status::error);
    EXPECT_TRUE(contains(r.error, offset_text(w.record_offsets()[1]))) << r.error;
    EXPECT_TRUE(contains(r.error, "2147483648")) << r.error;
}

// Triad on the 16 MiB record cap: 16 MiB is a (here truncated) record, 16 MiB + 1 damage.
TEST_P(ClassicPcap, RecordCapIsSixteenMebibytes)
{
    constexpr std::uint32_t CAP = 16 * 1024 * 1024;
    for (const std::uint32_t caplen : {CAP - 1, CAP, CAP + 1}) {
        PcapOptions o = options();
        o.snaplen = 0;
        PcapWriter w(o);
        w.record(T0, frame(1), caplen, caplen);
        const ReadAll r = read(w.bytes());
        EXPECT_EQ(r.last, Status::error) << caplen;
        EXPECT_TRUE(contains(r.error, offset_text(24))) << r.error;
        if (caplen > CAP) {
            EXPECT_TRUE(contains(r.error, "16 MiB")) << r.error;
        } else {
            EXPECT_TRUE(contains(r.error, "truncated")) << r.error;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Formats,
                         ClassicPcap,
                         ::testing::Values(ClassicCase{false, false, false},
                                           ClassicCase{false, true, false},
                                           ClassicCase{true, false, false},
                                           ClassicCase{true, true, false},
                                           ClassicCase{false, false, true},
                                           ClassicCase{false, true, true},
                                           ClassicCase{true, false, true},
                                           ClassicCase{true, true, true}),
                         [](const ::testing::TestParamInfo<ClassicCase>& i) {
                             return std::string(i.param.big_endian ? "BigEndian" : "LittleEndian") +
                                    (i.param.nanosecond ? "Nano" : "Micro") +
                                    (i.param.disk ? "Disk" : "Memory");
                         });

TEST(PcapFileReader, BadMagicNamesTheFileAndOffsetZero)
{
    Wire bytes = PcapWriter().bytes();
    bytes[0] = 0x00;
    const ReadAll m = read_memory(bytes, "bad.pcap");
    EXPECT_FALSE(m.opened);
    EXPECT_TRUE(contains(m.error, "bad.pcap")) << m.error;
    EXPECT_TRUE(contains(m.error, "byte offset 0")) << m.error;
    EXPECT_TRUE(contains(m.error, "magic")) << m.error;
    const ReadAll d = read_disk(bytes, "bad.pcap");
    EXPECT_FALSE(d.opened);
    EXPECT_TRUE(contains(d.error, "bad.pcap")) << d.error;
    EXPECT_TRUE(contains(d.error, "byte offset 0")) << d.error;
}

TEST(PcapFileReader, TextFileIsNotACapture)
{
    const std::string text = "this is not a capture file, just some text\n";
    const ReadAll r = read_disk(Wire(text.begin(), text.end()), "notes.txt");
    EXPECT_FALSE(r.opened);
    EXPECT_TRUE(contains(r.error, "notes.txt")) << r.error;
    EXPECT_TRUE(contains(r.error, "byte offset 0")) << r.error;
}

TEST(PcapFileReader, TinyFiles)
{
    for (std::size_t n = 0; n < 4; ++n) {
        const Wire bytes(n, 0xA1);
        const ReadAll m = read_memory(bytes, "tiny.pcap");
        EXPECT_FALSE(m.opened) << n;
        EXPECT_TRUE(contains(m.error, "byte offset 0")) << m.error;
        const ReadAll d = read_disk(bytes, "tiny.pcap");
        EXPECT_FALSE(d.opened) << n;
        EXPECT_TRUE(contains(d.error, "tiny.pcap")) << d.error;
    }
}

TEST(PcapFileReader, MissingFile)
{
    PcapFileReader r;
    EXPECT_FALSE(r.open("/nonexistent/wtfn/missing.pcap"));
    EXPECT_TRUE(contains(r.error(), "/nonexistent/wtfn/missing.pcap")) << r.error();
    EXPECT_TRUE(contains(r.error(), "cannot open")) << r.error();
}

// The upper bits of the link-type field hold FCS information (pcap-savefile(5)).
TEST(PcapFileReader, LinkTypeFcsBitsAreMasked)
{
    PcapWriter w({false, false, 0x14000001u, 262144});
    w.packet(T0, frame(1));
    const ReadAll r = read_memory(w.bytes());
    ASSERT_EQ(r.packets.size(), 1u);
    EXPECT_EQ(r.packets[0].link_type, 1u);
}

// A file larger than the reader's 1 MiB buffer, with records straddling every refill, reads
// the same from disk as from memory.
TEST(PcapFileReader, LargeFileReadsTheSameFromDiskAndMemory)
{
    PcapWriter w;
    std::int64_t ts = T0;
    for (int i = 0; i < 3000; ++i) {
        const std::string body(static_cast<std::size_t>(37 + (i * 131) % 1400),
                               static_cast<char>('a' + i % 26));
        w.packet(ts, frame(static_cast<std::uint16_t>(i), body));
        ts += 1000;
    }
    ASSERT_GT(w.bytes().size(), 2u * 1024 * 1024);
    const ReadAll m = read_memory(w.bytes());
    const ReadAll d = read_disk(w.bytes());
    ASSERT_EQ(m.last, Status::end) << m.error;
    ASSERT_EQ(d.last, Status::end) << d.error;
    ASSERT_EQ(m.packets.size(), 3000u);
    ASSERT_EQ(d.packets.size(), 3000u);
    for (std::size_t i = 0; i < m.packets.size(); ++i) {
        ASSERT_EQ(m.packets[i].data, d.packets[i].data) << i;
        ASSERT_EQ(m.packets[i].ts_ns, d.packets[i].ts_ns) << i;
    }
}

TEST(PcapFileReader, LargeFileTruncatedOnDiskNamesTheLastRecord)
{
    PcapWriter w;
    for (int i = 0; i < 1500; ++i) {
        w.packet(T0 + i, frame(static_cast<std::uint16_t>(i), std::string(900, 'x')));
    }
    Wire cut = w.bytes();
    cut.resize(cut.size() - 100);
    const ReadAll d = read_disk(cut);
    EXPECT_EQ(d.packets.size(), 1499u);
    EXPECT_EQ(d.last, Status::error);
    EXPECT_TRUE(contains(d.error, offset_text(w.record_offsets().back()))) << d.error;
}

// A huge caplen must not make the reader allocate it: run the read with the address space
// capped well below 2 GiB (not under AddressSanitizer, which needs its shadow memory).
#if !defined(__SANITIZE_ADDRESS__)
TEST(PcapFileReaderDeathTest, HugeCaplenAllocatesNothingLarge)
{
    PcapWriter w;
    w.record(T0, frame(1), 0x7FFFFFFFu, 0x7FFFFFFFu);
    TempDir dir;
    const std::string path = dir.file("huge.pcap");
    test::write_file(path, w.bytes());
    EXPECT_EXIT(
        {
            rlimit lim{};
            lim.rlim_cur = lim.rlim_max = 512ull * 1024 * 1024;
            setrlimit(RLIMIT_AS, &lim);
            PcapFileReader r;
            util::MalformedCounters bad;
            RawPacket p;
            const bool ok = r.open(path) && r.next(p, bad) == Status::error;
            std::_Exit(ok ? 0 : 1);
        },
        ::testing::ExitedWithCode(0),
        "");
}
#endif

TEST(PcapFileReader, StdinPipeClassic)
{
    PcapWriter w({true, true, test::linktype::RAW, 65535});
    for (int i = 0; i < 400; ++i) {
        w.packet(T0 + i * 7,
                 test::FrameBuilder{}
                     .ipv4("192.0.2.1", "198.51.100.53")
                     .udp(static_cast<std::uint16_t>(i), 53)
                     .payload(Wire(100 + static_cast<std::size_t>(i), 0x55))
                     .raw());
    }
    const ReadAll p = read_stdin_pipe(w.bytes());
    ASSERT_TRUE(p.opened) << p.error;
    ASSERT_EQ(p.last, Status::end) << p.error;
    ASSERT_EQ(p.packets.size(), 400u);
    const ReadAll m = read_memory(w.bytes());
    for (std::size_t i = 0; i < 400; ++i) {
        ASSERT_EQ(p.packets[i].data, m.packets[i].data);
        ASSERT_EQ(p.packets[i].ts_ns, T0 + static_cast<std::int64_t>(i) * 7);
    }
}

TEST(PcapFileReader, StdinPipeTruncated)
{
    PcapWriter w;
    w.packet(T0, frame(1)).packet(T0 + 1, frame(2));
    Wire cut = w.bytes();
    cut.resize(cut.size() - 3);
    const ReadAll p = read_stdin_pipe(cut);
    ASSERT_TRUE(p.opened);
    EXPECT_EQ(p.packets.size(), 1u);
    EXPECT_EQ(p.last, Status::error);
    EXPECT_TRUE(contains(p.error, "-: ")) << p.error;
    EXPECT_TRUE(contains(p.error, offset_text(w.record_offsets()[1]))) << p.error;
}

// --- pcapng -------------------------------------------------------------------------------

struct NgCase {
    bool big_endian;
    bool disk;
};

class Pcapng : public ::testing::TestWithParam<NgCase> {
protected:
    ReadAll read(const Wire& bytes) const
    {
        return GetParam().disk ? read_disk(bytes, "disk.pcapng") : read_memory(bytes, "mem.pcapng");
    }

    PcapngWriter writer() const { return PcapngWriter(GetParam().big_endian); }
};

TEST_P(Pcapng, InterfaceNamesAndLinkTypesPerPacket)
{
    PcapngWriter w = writer();
    const std::uint32_t eth0 = w.interface({test::linktype::EN10MB, "eth0", std::nullopt, 0});
    const std::uint32_t wg0 = w.interface({test::linktype::RAW, "wg0", std::nullopt, 0});
    const std::uint32_t anon = w.interface({test::linktype::LINUX_SLL2, "", std::nullopt, 0});
    const Wire raw = test::FrameBuilder{}.ipv4("192.0.2.1", "198.51.100.53").udp(1, 53).raw();
    w.packet(eth0, T0, frame(1)).packet(wg0, T0 + 1000, raw).packet(anon, T0 + 2000, Wire(30, 0));
    const ReadAll r = read(w.bytes());
    ASSERT_EQ(r.last, Status::end) << r.error;
    ASSERT_EQ(r.packets.size(), 3u);
    EXPECT_EQ(r.packets[0].interface_id, 0u);
    EXPECT_EQ(r.packets[0].interface_name, "eth0");
    EXPECT_EQ(r.packets[0].link_type, 1u);
    EXPECT_EQ(r.packets[0].data, frame(1));
    EXPECT_EQ(r.packets[1].interface_id, 1u);
    EXPECT_EQ(r.packets[1].interface_name, "wg0");
    EXPECT_EQ(r.packets[1].link_type, 101u);
    EXPECT_EQ(r.packets[1].data, raw);
    EXPECT_EQ(r.packets[2].interface_name, "if2"); // no if_name recorded
    EXPECT_EQ(r.packets[2].link_type, 276u);
    EXPECT_EQ(r.link_types, (std::vector<std::uint32_t>{1, 101, 276}));
    EXPECT_TRUE(test::nothing_counted(r.bad));
}

TEST_P(Pcapng, TimestampResolutions)
{
    PcapngWriter w = writer();
    const std::uint32_t micro = w.interface({1, "micro", std::nullopt, 0});
    const std::uint32_t nano = w.interface({1, "nano", std::uint8_t{9}, 0});
    const std::uint32_t milli = w.interface({1, "milli", std::uint8_t{3}, 0});
    const std::uint32_t pico = w.interface({1, "pico", std::uint8_t{12}, 0});
    const std::uint32_t bin10 = w.interface({1, "bin10", std::uint8_t{0x8A}, 0});
    const std::uint32_t bin30 = w.interface({1, "bin30", std::uint8_t{0x9E}, 0});
    const Wire f = frame(1);
    w.epb(pico, 1'500'000'000'000'007ull, f);                 // 10^-12: sub-ns dropped
    w.epb(micro, 1'700'000'000'123'456ull, f);                // µs by default
    w.epb(nano, 1'700'000'000'123'456'789ull, f);             // 10^-9
    w.epb(milli, 1'700'000'001'500ull, f);                    // 10^-3
    w.epb(bin10, (1'700'000'003ull << 10) + 512, f);          // 2^-10: 1/1024 s
    w.epb(bin30, (1'700'000'004ull << 30) + (1ull << 29), f); // 2^-30
    const ReadAll r = read(w.bytes());
    ASSERT_EQ(r.last, Status::end) << r.error;
    ASSERT_EQ(r.packets.size(), 6u);
    EXPECT_EQ(r.packets[0].ts_ns, 1'500'000'000'000);
    EXPECT_EQ(r.packets[1].ts_ns, 1'700'000'000'123'456'000);
    EXPECT_EQ(r.packets[2].ts_ns, 1'700'000'000'123'456'789);
    EXPECT_EQ(r.packets[3].ts_ns, 1'700'000'001'500'000'000);
    EXPECT_EQ(r.packets[4].ts_ns, 1'700'000'003'500'000'000);
    EXPECT_EQ(r.packets[5].ts_ns, 1'700'000'004'500'000'000);
    EXPECT_TRUE(test::nothing_counted(r.bad));
}

TEST_P(Pcapng, EpbFlagsGiveDirection)
{
    PcapngWriter w = writer();
    const std::uint32_t i = w.interface({1, "eth0", std::nullopt, 0});
    const Wire f = frame(1);
    w.epb(i, 1, f, 1u);          // inbound
    w.epb(i, 2, f, 2u);          // outbound
    w.epb(i, 3, f, 0u);          // not given
    w.epb(i, 4, f, 3u);          // invalid value
    w.epb(i, 5, f, 0x00010002u); // outbound, with other bits set
    w.epb(i, 6, f);              // no flags option at all
    const ReadAll r = read(w.bytes());
    ASSERT_EQ(r.packets.size(), 6u);
    EXPECT_EQ(r.packets[0].direction, RecordedDirection::inbound);
    EXPECT_EQ(r.packets[1].direction, RecordedDirection::outbound);
    EXPECT_EQ(r.packets[2].direction, RecordedDirection::unknown);
    EXPECT_EQ(r.packets[3].direction, RecordedDirection::unknown);
    EXPECT_EQ(r.packets[4].direction, RecordedDirection::outbound);
    EXPECT_EQ(r.packets[5].direction, RecordedDirection::unknown);
    for (const Got& g : r.packets) {
        EXPECT_EQ(g.data, f); // options do not leak into the packet
    }
}

TEST_P(Pcapng, SimplePacketBlockUsesInterfaceZero)
{
    PcapngWriter w = writer();
    w.interface({test::linktype::EN10MB, "eth0", std::nullopt, 0});
    w.interface({test::linktype::RAW, "wg0", std::nullopt, 0});
    const Wire f = frame(1, "odd");
    w.epb(1, 1'000'000, test::FrameBuilder{}.ipv4("192.0.2.1", "198.51.100.1").udp(1, 2).raw());
    w.spb(f);
    w.spb(f, static_cast<std::uint32_t>(f.size() + 100)); // snapped: original length larger
    const ReadAll r = read(w.bytes());
    ASSERT_EQ(r.last, Status::end) << r.error;
    ASSERT_EQ(r.packets.size(), 3u);
    EXPECT_EQ(r.packets[1].interface_id, 0u);
    EXPECT_EQ(r.packets[1].interface_name, "eth0");
    EXPECT_EQ(r.packets[1].link_type, 1u);
    EXPECT_EQ(r.packets[1].data, f);                   // not the block padding
    EXPECT_EQ(r.packets[1].ts_ns, r.packets[0].ts_ns); // SPBs carry no timestamp
    EXPECT_EQ(r.packets[2].len, f.size() + 100);
    EXPECT_EQ(r.packets[2].caplen, (f.size() + 3) / 4 * 4); // what the block holds
    EXPECT_TRUE(test::nothing_counted(r.bad));
}

TEST_P(Pcapng, SimplePacketBlockRespectsSnaplen)
{
    PcapngWriter w = writer();
    w.interface({test::linktype::EN10MB, "eth0", std::nullopt, 20});
    w.spb(frame(1));
    const ReadAll r = read(w.bytes());
    ASSERT_EQ(r.packets.size(), 1u);
    EXPECT_EQ(r.packets[0].caplen, 20u);
}

TEST_P(Pcapng, SecondSectionResetsInterfaces)
{
    PcapngWriter w = writer();
    w.interface({test::linktype::EN10MB, "eth0", std::nullopt, 0});
    w.interface({test::linktype::RAW, "wg0", std::nullopt, 0});
    w.packet(1, T0, Wire(20, 0x45));
    w.section(!GetParam().big_endian); // the other byte order, for good measure
    w.interface({test::linktype::LINUX_SLL2, "any", std::uint8_t{9}, 0});
    w.packet(0, T0 + 5, Wire(40, 0));
    w.epb(1, 0, frame(9)); // interface 1 existed only in the first section
    w.packet(0, T0 + 6, Wire(41, 0));
    const ReadAll r = read(w.bytes());
    ASSERT_EQ(r.last, Status::end) << r.error;
    ASSERT_EQ(r.packets.size(), 3u);
    EXPECT_EQ(r.packets[0].interface_name, "wg0");
    EXPECT_EQ(r.packets[1].interface_id, 0u);
    EXPECT_EQ(r.packets[1].interface_name, "any");
    EXPECT_EQ(r.packets[1].link_type, 276u);
    EXPECT_EQ(r.packets[1].ts_ns, T0 + 5);
    EXPECT_EQ(r.packets[2].data.size(), 41u);
    EXPECT_TRUE(test::only_counted(r.bad, Malformed::pcap_bad_block));
}

TEST_P(Pcapng, InterfaceIdOutOfRangeIsBadBlock)
{
    PcapngWriter w = writer();
    w.interface({1, "eth0", std::nullopt, 0});
    w.interface({1, "eth1", std::nullopt, 0});
    w.epb(1, 1, frame(1)); // last valid id
    w.epb(2, 2, frame(2)); // one past
    w.epb(0xFFFFFFFF, 3, frame(3));
    w.epb(0, 4, frame(4));
    const ReadAll r = read(w.bytes());
    ASSERT_EQ(r.last, Status::end) << r.error;
    ASSERT_EQ(r.packets.size(), 2u);
    EXPECT_EQ(r.packets[0].data, frame(1));
    EXPECT_EQ(r.packets[1].data, frame(4));
    EXPECT_EQ(r.bad.get(Malformed::pcap_bad_block), 2u);
    EXPECT_EQ(r.bad.total(), 2u);
}

TEST_P(Pcapng, PacketBeforeAnyInterfaceIsBadBlock)
{
    PcapngWriter w = writer();
    w.epb(0, 1, frame(1));
    w.spb(frame(2));
    const ReadAll r = read(w.bytes());
    EXPECT_EQ(r.last, Status::end) << r.error;
    EXPECT_TRUE(r.packets.empty());
    EXPECT_EQ(r.bad.get(Malformed::pcap_bad_block), 2u);
    EXPECT_EQ(r.bad.total(), 2u);
}

// Triad on an EPB's caplen against its block.
TEST_P(Pcapng, EpbCaplenBeyondTheBlockIsBadBlock)
{
    const Wire f = frame(1); // 49 bytes, padded to 52 in the block
    for (const std::uint32_t caplen : {52u, 53u}) {
        PcapngWriter w = writer();
        w.interface({1, "eth0", std::nullopt, 0});
        w.epb(0, 1, f, std::nullopt, caplen, 2000);
        w.epb(0, 2, f);
        const ReadAll r = read(w.bytes());
        ASSERT_EQ(r.last, Status::end) << r.error;
        if (caplen == 52) {
            ASSERT_EQ(r.packets.size(), 2u);
            EXPECT_EQ(r.packets[0].caplen, 52u);
            EXPECT_TRUE(test::nothing_counted(r.bad));
        } else {
            ASSERT_EQ(r.packets.size(), 1u);
            EXPECT_TRUE(test::only_counted(r.bad, Malformed::pcap_bad_block));
        }
    }
}

TEST_P(Pcapng, EpbCaplenGreaterThanLenIsCountedAndClamped)
{
    PcapngWriter w = writer();
    w.interface({1, "eth0", std::nullopt, 0});
    const Wire f = frame(1);
    w.epb(0, 1, f, std::nullopt, std::nullopt, static_cast<std::uint32_t>(f.size() - 1));
    const ReadAll r = read(w.bytes());
    ASSERT_EQ(r.packets.size(), 1u);
    EXPECT_EQ(r.packets[0].caplen, f.size() - 1);
    EXPECT_TRUE(test::only_counted(r.bad, Malformed::pcap_caplen_gt_len));
}

TEST_P(Pcapng, EpbCaplenAboveSnaplenIsCounted)
{
    PcapngWriter w = writer();
    w.interface({1, "eth0", std::nullopt, 40});
    w.epb(0, 1, frame(1));
    const ReadAll r = read(w.bytes());
    ASSERT_EQ(r.packets.size(), 1u);
    EXPECT_TRUE(test::only_counted(r.bad, Malformed::pcap_caplen_gt_snaplen));
}

TEST_P(Pcapng, TimeGoingBackwardsIsCounted)
{
    PcapngWriter w = writer();
    w.interface({1, "eth0", std::nullopt, 0});
    w.packet(0, T0, frame(1)).packet(0, T0 - 1000, frame(2));
    EXPECT_TRUE(test::only_counted(read(w.bytes()).bad, Malformed::pcap_time_backwards));
}

TEST_P(Pcapng, UnknownBlocksAreSkipped)
{
    PcapngWriter w = writer();
    w.block(0x00000BAD, Wire{1, 2, 3}); // custom block type
    w.interface({1, "eth0", std::nullopt, 0});
    w.block(4, Wire(16, 0)); // name resolution block
    w.block(5, Wire(20, 0)); // interface statistics block
    w.packet(0, T0, frame(1));
    w.block(0x40000BAD, Wire{}); // empty body
    w.packet(0, T0 + 1, frame(2));
    const ReadAll r = read(w.bytes());
    ASSERT_EQ(r.last, Status::end) << r.error;
    ASSERT_EQ(r.packets.size(), 2u);
    EXPECT_TRUE(test::nothing_counted(r.bad));
}

TEST_P(Pcapng, ShortInterfaceBlockIsBadBlock)
{
    PcapngWriter w = writer();
    w.block(1, Wire(4, 0)); // an IDB of 16 bytes: no room for its fields
    w.interface({1, "eth0", std::nullopt, 0});
    w.packet(0, T0, frame(1));
    const ReadAll r = read(w.bytes());
    ASSERT_EQ(r.last, Status::end) << r.error;
    ASSERT_EQ(r.packets.size(), 1u);
    EXPECT_EQ(r.packets[0].interface_name, "eth0");
    EXPECT_TRUE(test::only_counted(r.bad, Malformed::pcap_bad_block));
}

// A block length below 12, not a multiple of 4, or above 16 MiB ends the file.
TEST_P(Pcapng, BadBlockLengthIsAnError)
{
    for (const std::uint32_t bad_len : {0u, 8u, 11u, 13u, 30u, 16u * 1024 * 1024 + 4}) {
        PcapngWriter w = writer();
        w.interface({1, "eth0", std::nullopt, 0});
        w.packet(0, T0, frame(1));
        const std::size_t at = w.bytes().size();
        w.packet(0, T0 + 1, frame(2));
        Wire bytes = w.bytes();
        for (int k = 0; k < 4; ++k) {
            const int shift = GetParam().big_endian ? 8 * (3 - k) : 8 * k;
            bytes[at + 4 + static_cast<std::size_t>(k)] =
                static_cast<std::uint8_t>((bad_len >> shift) & 0xFF);
        }
        const ReadAll r = read(bytes);
        EXPECT_EQ(r.packets.size(), 1u) << bad_len;
        EXPECT_EQ(r.last, Status::error) << bad_len;
        EXPECT_TRUE(contains(r.error, "block length")) << r.error;
        EXPECT_TRUE(contains(r.error, offset_text(at))) << r.error;
    }
}

TEST_P(Pcapng, TrailerMismatchIsAnError)
{
    PcapngWriter w = writer();
    w.interface({1, "eth0", std::nullopt, 0});
    w.packet(0, T0, frame(1));
    const std::size_t at = w.bytes().size();
    w.packet(0, T0 + 1, frame(2));
    Wire bytes = w.bytes();
    bytes[bytes.size() - (GetParam().big_endian ? 1 : 4)] ^= 0x04; // trailer length +-4
    const ReadAll r = read(bytes);
    EXPECT_EQ(r.packets.size(), 1u);
    EXPECT_EQ(r.last, Status::error);
    EXPECT_TRUE(contains(r.error, "trailer")) << r.error;
    EXPECT_TRUE(contains(r.error, offset_text(at))) << r.error;
}

TEST_P(Pcapng, TruncatedAtEveryOffsetOfTheLastBlock)
{
    PcapngWriter w = writer();
    w.interface({1, "eth0", std::nullopt, 0});
    w.packet(0, T0, frame(1)).packet(0, T0 + 1, frame(2));
    w.packet(0, T0 + 2, frame(3), test::EpbDirection::outbound);
    const Wire& full = w.bytes();
    const std::size_t last = w.packet_offsets().back();
    for (std::size_t size = last; size < full.size(); ++size) {
        const ReadAll r =
            read(Wire(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(size)));
        ASSERT_EQ(r.packets.size(), 2u) << size;
        if (size == last) {
            EXPECT_EQ(r.last, Status::end) << r.error;
            continue;
        }
        EXPECT_EQ(r.last, Status::error) << size;
        EXPECT_TRUE(contains(r.error, "truncated")) << size << ": " << r.error;
        EXPECT_TRUE(contains(r.error, offset_text(last))) << size << ": " << r.error;
        EXPECT_TRUE(test::nothing_counted(r.bad));
    }
}

TEST_P(Pcapng, TruncatedSectionHeader)
{
    const Wire full = writer().bytes();
    ASSERT_EQ(full.size(), 28u);
    for (std::size_t size = 4; size < full.size(); ++size) {
        const ReadAll r =
            read(Wire(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(size)));
        EXPECT_EQ(r.last, Status::error) << size;
        EXPECT_TRUE(contains(r.error, "truncated")) << r.error;
        EXPECT_TRUE(contains(r.error, offset_text(0))) << r.error;
    }
    const ReadAll empty_section = read(full);
    EXPECT_EQ(empty_section.last, Status::end) << empty_section.error;
}

TEST_P(Pcapng, BadByteOrderMagicIsAnError)
{
    Wire bytes = writer().bytes();
    bytes[8] ^= 0xFF;
    bytes[11] ^= 0xFF;
    const ReadAll r = read(bytes);
    EXPECT_EQ(r.last, Status::error);
    // Without a byte-order magic the block length cannot be trusted either; either cause
    // may be named, with the section's offset.
    EXPECT_TRUE(contains(r.error, "damaged pcapng file")) << r.error;
    EXPECT_TRUE(r.packets.empty());
}

TEST_P(Pcapng, UnsupportedMajorVersionIsAnError)
{
    Wire bytes = writer().bytes();
    bytes[GetParam().big_endian ? 13 : 12] = 2; // major version 2
    const ReadAll r = read(bytes);
    EXPECT_EQ(r.last, Status::error);
    EXPECT_TRUE(contains(r.error, "version 2")) << r.error;
}

INSTANTIATE_TEST_SUITE_P(ByteOrders,
                         Pcapng,
                         ::testing::Values(NgCase{false, false},
                                           NgCase{true, false},
                                           NgCase{false, true},
                                           NgCase{true, true}),
                         [](const ::testing::TestParamInfo<NgCase>& i) {
                             return std::string(i.param.big_endian ? "BigEndian" : "LittleEndian") +
                                    (i.param.disk ? "Disk" : "Memory");
                         });

TEST(PcapFileReader, StdinPipePcapng)
{
    PcapngWriter w(true);
    w.interface({test::linktype::EN10MB, "eth0", std::uint8_t{9}, 0});
    w.interface({test::linktype::RAW, "wg0", std::nullopt, 0});
    for (int i = 0; i < 300; ++i) {
        w.packet(
            static_cast<std::uint32_t>(i % 2),
            T0 + i * 1000,
            frame(static_cast<std::uint16_t>(i), std::string(static_cast<std::size_t>(i), 'p')),
            i % 3 == 0 ? test::EpbDirection::inbound : test::EpbDirection::outbound);
    }
    const ReadAll p = read_stdin_pipe(w.bytes());
    ASSERT_TRUE(p.opened) << p.error;
    ASSERT_EQ(p.last, Status::end) << p.error;
    ASSERT_EQ(p.packets.size(), 300u);
    EXPECT_EQ(p.packets[0].interface_name, "eth0");
    EXPECT_EQ(p.packets[1].interface_name, "wg0");
    EXPECT_EQ(p.packets[3].direction, RecordedDirection::inbound);
    EXPECT_EQ(p.packets[4].direction, RecordedDirection::outbound);
    EXPECT_EQ(p.packets[298].ts_ns, T0 + 298'000);                 // eth0: ns resolution
    EXPECT_EQ(p.packets[299].ts_ns, (T0 + 299'000) / 1000 * 1000); // wg0: µs
}

} // namespace
} // namespace wtfn::capture
