// fuzz_pcap_file: the whole pipeline from capture-file bytes (RELIABILITY.md F1, rows 11-13):
// PcapFileReader::open_memory -> every packet through a Pipeline, judged by the leak rules
// against a split policy with domain lists -> each event serialised with append_event_json in
// full and in redacted privacy (libpsl and the keyed hash see every name) -> finish().
//
// Each packet is copied into its own exact-size heap buffer before the pipeline sees it, so a
// read past caplen trips ASan even though the reader's packets sit inside one larger file
// image (RELIABILITY.md F6). The flow table and the reassembly memcap are small, so eviction
// and memcap drops are reachable with small inputs.
#include <cstddef>
#include <cstdint>
#include <string>

#include "capture/pcap_file_reader.h"
#include "dnsleak/pipeline/interface_resolver.h"
#include "dnsleak/pipeline/pipeline.h"
#include "dnsleak/report/event_json.h"
#include "fuzz_common.h"

namespace {

using namespace wtfn;

// Serialises every event and checks the line is a well-formed JSON object made only of
// printable ASCII (RELIABILITY.md row 17: bytes off the wire are always escaped).
class JsonCheckSink final : public dnsleak::EventSink {
public:
    explicit JsonCheckSink(const dnsleak::Policy& policy) : hasher_(dnsleak::PrivacyKey{})
    {
        full_.policy = &policy;
        full_.hasher = &hasher_;
        redacted_ = full_;
        redacted_.privacy = dnsleak::PrivacyMode::redacted;
    }

    void on_event(const dnsleak::ClassifiedEvent& event) override
    {
        for (const auto* format : {&full_, &redacted_}) {
            line_.clear();
            dnsleak::append_event_json(line_, event, *format);
            check_json_shape(line_);
        }
        ++events_;
    }

    std::size_t events() const { return events_; }

private:
    static void check_json_shape(const std::string& s)
    {
        WTFN_FUZZ_CHECK(!s.empty() && s.front() == '{' && s.back() == '}');
        // One event line stays under 16 KiB whatever the packet holds (RELIABILITY.md R6).
        WTFN_FUZZ_CHECK(s.size() <= 16 * 1024);
        long depth = 0;
        bool in_string = false;
        bool escaped = false;
        for (const char c : s) {
            const auto u = static_cast<unsigned char>(c);
            WTFN_FUZZ_CHECK(u >= 0x20 && u <= 0x7E);
            if (in_string) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    in_string = false;
                }
                continue;
            }
            if (c == '"') {
                in_string = true;
            } else if (c == '{' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ']') {
                --depth;
                WTFN_FUZZ_CHECK(depth >= 0);
            }
        }
        WTFN_FUZZ_CHECK(!in_string && depth == 0);
    }

    dnsleak::NameHasher hasher_;
    dnsleak::EventFormat full_;
    dnsleak::EventFormat redacted_;
    std::string line_;
    std::size_t events_ = 0;
};

const dnsleak::Policy& fuzz_policy()
{
    static const dnsleak::Policy policy = [] {
        dnsleak::Policy p;
        std::string error;
        const bool ok = dnsleak::parse_policy(
            R"({"schema_version":1,"based_on":"split",)"
            R"("safe_path":{"destinations":["198.51.100.0/24"],"ports":[53],"processes":["x"]},)"
            R"("domains":{"proxy_required":["*.example","a.b"],"direct":["example.com"]}})",
            "fuzz-policy.json",
            p,
            error);
        WTFN_FUZZ_CHECK(ok);
        return p;
    }();
    return policy;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const fuzz::ExactCopy input(data, size);
    capture::PcapFileReader reader;
    if (!reader.open_memory(input.data(), input.size(), "fuzz.pcap")) {
        WTFN_FUZZ_CHECK(!reader.error().empty());
        return 0;
    }
    dnsleak::FileInterfaceResolver names(reader, {});
    dnsleak::PipelineLimits limits;
    limits.flow_capacity = 16;
    limits.reassembly_memcap = 64 * 1024;
    dnsleak::Pipeline pipeline(names, limits);
    dnsleak::RuleEngine rules(fuzz_policy());
    pipeline.set_rule_engine(&rules);
    JsonCheckSink sink(fuzz_policy());
    pipeline.add_sink(&sink);

    capture::RawPacket raw;
    std::uint64_t packets = 0;
    for (;;) {
        const auto st = reader.next(raw, pipeline.counters().malformed);
        if (st != capture::PcapFileReader::Status::packet) {
            WTFN_FUZZ_CHECK((st == capture::PcapFileReader::Status::error) ==
                            !reader.error().empty());
            break;
        }
        WTFN_FUZZ_CHECK(raw.caplen <= raw.len);
        // The packet lies inside the file image.
        WTFN_FUZZ_CHECK(raw.data >= input.data() && raw.caplen <= input.size() &&
                        raw.data - input.data() <=
                            static_cast<std::ptrdiff_t>(input.size() - raw.caplen));
        const fuzz::ExactCopy packet(raw.data, raw.caplen);
        capture::RawPacket copy = raw;
        copy.data = packet.data();
        pipeline.process(copy);
        ++packets;
    }
    pipeline.finish();
    const auto& c = pipeline.counters();
    WTFN_FUZZ_CHECK(c.packets_read == packets);
    WTFN_FUZZ_CHECK(c.packets_decoded <= c.packets_read);
    (void)reader.link_types();
    return 0;
}
