#include "dnsleak/report/report_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dnsleak/report/report_json.h"
#include "util/escape.h"
#include "util/json_words.h"

namespace wtfn::dnsleak {
namespace {

using Json = nlohmann::json;

// A problem with one input; the message does not name the input (the caller adds it).
struct ReadError : std::runtime_error {
    explicit ReadError(const std::string& what) : std::runtime_error(what) {}
};

// Nesting deeper than REPORT_MAX_DEPTH: thrown before the level is built.
struct TooDeep : std::runtime_error {
    TooDeep() : std::runtime_error("too deep") {}
};

// Times are kept within +-2^62 ns of the epoch (the years 1823 to 2116): the summary
// subtracts one time from another, and two such times never overflow.
constexpr std::int64_t MAX_ABS_TIME_NS = (std::int64_t{1} << 62) - 1;
// A run time: 10^12 ms is 31 years, and converts to nanoseconds without overflow.
constexpr std::uint64_t MAX_DURATION_MS = 1'000'000'000'000;

// The name of an input in messages.
std::string display_name(const std::string& path)
{
    return path == "-" ? std::string("stdin") : util::escaped_text(path);
}

bool is_blank(std::string_view s)
{
    return std::all_of(
        s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

// ---------------------------------------------------------------- the SAX handler

// Builds one JSON object from nlohmann's SAX events, one top-level member at a time, with
// the nesting depth checked before each level is built and a bound on the values held.
// For a report, the elements of the top-level "events" array are handed to `on_event` one
// at a time and dropped, and members not listed in KEPT are skipped without being built.
// nlohmann's own callback parser is not used: it scans a container's elements each time one
// of them ends (quadratic in a long array), and cannot give an event back before the end.
class JsonBuilder {
public:
    using EventFn = std::function<void(std::uint64_t index, const Json& event)>;
    using MemberFn = std::function<void(const std::string& key, const Json& value)>;

    JsonBuilder(bool report, EventFn on_event, MemberFn on_member)
        : report_(report),
          on_event_(std::move(on_event)),
          on_member_(std::move(on_member))
    {}

    bool null() { return scalar(Json(nullptr)); }

    bool boolean(bool v) { return scalar(Json(v)); }

    bool number_integer(Json::number_integer_t v) { return scalar(Json(v)); }

    bool number_unsigned(Json::number_unsigned_t v) { return scalar(Json(v)); }

    bool number_float(Json::number_float_t v, const Json::string_t& /*text*/)
    {
        return scalar(Json(v));
    }

    bool string(Json::string_t& v) { return scalar(Json(std::move(v))); }

    bool binary(Json::binary_t& /*v*/) { return scalar(Json(nullptr)); } // not in JSON text

    bool start_object(std::size_t /*size*/) { return open(false); }

    bool start_array(std::size_t /*size*/) { return open(true); }

    bool end_object() { return close(); }

    bool end_array() { return close(); }

    bool key(Json::string_t& k)
    {
        if (depth_ == 1) {
            member_ = std::move(k);
            if (!report_) {
                slot_ = Slot::keep;
            } else if (member_ == "events") {
                slot_ = Slot::stream;
            } else {
                slot_ = is_kept(member_) ? Slot::keep : Slot::skip;
            }
        } else if (slot_ != Slot::skip) {
            key_ = std::move(k);
        }
        return true;
    }

    bool parse_error(std::size_t position, const std::string& /*token*/, const Json::exception& e)
    {
        position_ = position;
        out_of_range_ = e.id >= 400;
        return false;
    }

    const Json& root() const { return root_; }

    bool streamed_events() const { return streamed_; }

    // After a syntax error: the offset of the byte it was found at (the input's size when
    // the input ended early), and whether it was a number out of range.
    std::size_t error_offset() const { return position_ > 0 ? position_ - 1 : 0; }

    bool out_of_range() const { return out_of_range_; }

private:
    enum class Slot : std::uint8_t { keep, skip, stream };

    static bool is_kept(const std::string& k)
    {
        for (const char* name : {"schema_version",
                                 "kind",
                                 "command",
                                 "policy",
                                 "privacy",
                                 "interfaces",
                                 "duration_ms",
                                 "partial",
                                 "stop_reason",
                                 "error",
                                 "summary",
                                 "counters"}) {
            if (k == name) {
                return true;
            }
        }
        return false;
    }

    bool open(bool array)
    {
        if (depth_ == 0) {
            if (array) {
                throw ReadError("the top level is an array, not an object");
            }
            depth_ = 1;
            return true;
        }
        if (depth_ >= REPORT_MAX_DEPTH) {
            throw TooDeep();
        }
        ++depth_;
        if (slot_ == Slot::skip) {
            return true;
        }
        if (depth_ == 2 && slot_ == Slot::stream) {
            if (array) {
                streaming_ = true;
                streamed_ = true;
                return true;
            }
            slot_ = Slot::keep; // "events" that is not an array: kept, and refused later
        }
        return add(array ? Json(Json::value_t::array) : Json(Json::value_t::object));
    }

    bool close()
    {
        --depth_;
        if (depth_ == 0 || slot_ == Slot::skip) {
            return true;
        }
        if (depth_ == 1 && streaming_) {
            streaming_ = false; // the end of the events array
            return true;
        }
        open_.pop_back();
        if (open_.empty()) {
            complete();
        }
        return true;
    }

    bool scalar(Json&& v)
    {
        if (depth_ == 0) {
            throw ReadError("the top level is " + util::json_type_name(v) + ", not an object");
        }
        if (slot_ == Slot::skip) {
            return true;
        }
        if (depth_ == 1 && slot_ == Slot::stream) {
            slot_ = Slot::keep;
        }
        return add(std::move(v));
    }

    bool add(Json&& v)
    {
        std::size_t& count = streaming_ ? event_values_ : held_values_;
        if (++count > REPORT_MAX_VALUES) {
            throw ReadError(streaming_ ? fmt::format("events[{}]: more than {} JSON values in "
                                                     "one event: not a wtfn report",
                                                     event_index_,
                                                     REPORT_MAX_VALUES)
                                       : fmt::format("more than {} JSON values outside the "
                                                     "events: not a wtfn report",
                                                     REPORT_MAX_VALUES));
        }
        const bool container = v.is_structured();
        Json* slot = nullptr;
        if (open_.empty()) {
            value_ = std::move(v);
            slot = &value_;
        } else if (open_.back()->is_array()) {
            auto& a = open_.back()->get_ref<Json::array_t&>();
            a.push_back(std::move(v));
            slot = &a.back();
        } else {
            Json& member = open_.back()->get_ref<Json::object_t&>()[key_];
            member = std::move(v); // a repeated key: the last one counts
            slot = &member;
        }
        if (container) {
            open_.push_back(slot);
        } else if (open_.empty()) {
            complete();
        }
        return true;
    }

    void complete()
    {
        if (streaming_) {
            if (on_event_) {
                on_event_(event_index_, value_);
            }
            ++event_index_;
            event_values_ = 0;
            value_ = Json();
            return;
        }
        if (on_member_) {
            on_member_(member_, value_);
        }
        root_.get_ref<Json::object_t&>()[member_] = std::move(value_);
        value_ = Json();
    }

    bool report_;
    EventFn on_event_;
    MemberFn on_member_;
    int depth_ = 0; // containers open, the top-level object included
    Slot slot_ = Slot::keep;
    bool streaming_ = false; // inside the top-level "events" array
    bool streamed_ = false;
    std::uint64_t event_index_ = 0;
    std::string member_;      // the top-level member being read
    Json value_;              // its value, or the event being read
    std::vector<Json*> open_; // containers of value_ still open, innermost last
    std::string key_;         // where the next value of an open object goes
    std::size_t held_values_ = 0;
    std::size_t event_values_ = 0;
    Json root_ = Json(Json::value_t::object);
    std::size_t position_ = 0;
    bool out_of_range_ = false;
};

bool sax_parse(std::string_view text, JsonBuilder& b)
{
    return Json::sax_parse(text.data(), text.data() + text.size(), &b);
}

// ---------------------------------------------------------------- values

const Json* find(const Json& obj, const char* key)
{
    if (!obj.is_object()) {
        return nullptr;
    }
    const auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

// A member that may be absent or null.
const Json* find_set(const Json& obj, const char* key)
{
    const Json* v = find(obj, key);
    return v == nullptr || v->is_null() ? nullptr : v;
}

const Json& need(const Json& obj, const char* key, const std::string& at)
{
    const Json* v = find(obj, key);
    if (v == nullptr) {
        throw ReadError(at + key + ": missing");
    }
    return *v;
}

[[noreturn]] void wrong_type(const Json& v, const std::string& at, const char* expected)
{
    throw ReadError(at + ": expected " + expected + ", got " + util::json_type_name(v));
}

std::uint64_t count_of(const Json& v, const std::string& at)
{
    if (v.is_number_unsigned()) {
        return v.get<std::uint64_t>();
    }
    if (v.is_number_integer()) {
        const auto n = v.get<std::int64_t>();
        if (n == 0) { // "-0"
            return 0;
        }
        throw ReadError(at + ": " + std::to_string(n) + " is negative; expected a count");
    }
    wrong_type(v, at, "a whole number");
}

// A count that may be absent (0).
std::uint64_t count_at(const Json& obj, const char* key, const std::string& at)
{
    const Json* v = find(obj, key);
    return v == nullptr ? 0 : count_of(*v, at + key);
}

std::int64_t time_of(const Json& v, const std::string& at)
{
    std::int64_t t = 0;
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(MAX_ABS_TIME_NS)) {
            throw ReadError(at + ": " + std::to_string(u) +
                            " ns is not a time wtfn writes (years 1823 to 2116)");
        }
        t = static_cast<std::int64_t>(u);
    } else if (v.is_number_integer()) {
        t = v.get<std::int64_t>();
        if (t < -MAX_ABS_TIME_NS) {
            throw ReadError(at + ": " + std::to_string(t) +
                            " ns is not a time wtfn writes (years 1823 to 2116)");
        }
    } else {
        wrong_type(v, at, "a time in nanoseconds (a whole number)");
    }
    return t;
}

std::uint16_t port_of(const Json& v, const std::string& at)
{
    const std::uint64_t p = count_of(v, at);
    if (p > 65535) {
        throw ReadError(at + ": " + std::to_string(p) + " is not a port (0-65535)");
    }
    return static_cast<std::uint16_t>(p);
}

const std::string& string_of(const Json& v, const std::string& at)
{
    if (!v.is_string()) {
        wrong_type(v, at, "a string");
    }
    return v.get_ref<const std::string&>();
}

// wtfn writes each byte outside printable ASCII as \u00NN (util::append_json_string), which
// a JSON parser reads as the code point U+00NN and stores as two bytes of UTF-8. This turns
// such text back into the bytes that were written, so that a name reads back byte for byte
// (and prints as watch printed it). Text with a code point above U+00FF was not written by
// wtfn and is kept as it is. nlohmann-json has checked that the text is UTF-8.
std::string written_bytes(const std::string& s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            out.push_back(s[i]);
        } else if ((c == 0xC2 || c == 0xC3) && i + 1 < s.size()) {
            const auto next = static_cast<unsigned char>(s[i + 1]);
            out.push_back(static_cast<char>(((c & 0x03U) << 6) | (next & 0x3FU)));
            ++i;
        } else {
            return s;
        }
    }
    return out;
}

// A string kept as text (a name, a reason), as the bytes wtfn wrote.
std::string text_of(const Json& v, const std::string& at)
{
    return written_bytes(string_of(v, at));
}

// Text that may be absent or null ("").
std::string string_at(const Json& obj, const char* key, const std::string& at)
{
    const Json* v = find_set(obj, key);
    return v == nullptr ? std::string() : text_of(*v, at + key);
}

bool bool_at(const Json& obj, const char* key, const std::string& at)
{
    const Json* v = find_set(obj, key);
    if (v == nullptr) {
        return false;
    }
    if (!v->is_boolean()) {
        wrong_type(*v, at + key, "true or false");
    }
    return v->get<bool>();
}

const Json& object_of(const Json& v, const std::string& at)
{
    if (!v.is_object()) {
        wrong_type(v, at, "an object");
    }
    return v;
}

const Json::array_t& array_of(const Json& v, const std::string& at)
{
    if (!v.is_array()) {
        wrong_type(v, at, "an array");
    }
    return v.get_ref<const Json::array_t&>();
}

net::IpAddress ip_of(const Json& v, const std::string& at)
{
    const std::string& text = string_of(v, at);
    const net::IpAddress ip = text.find('\0') == std::string::npos && text.size() <= 64
                                  ? net::parse_ip(text)
                                  : net::IpAddress{};
    if (ip.version == 0) {
        throw ReadError(at + ": " + util::quoted_excerpt(text) + " is not an IP address");
    }
    return ip;
}

Transport transport_of(const Json& v, const std::string& at)
{
    const std::string& text = string_of(v, at);
    const auto t = parse_transport(text);
    if (!t) {
        throw ReadError(at + ": " + util::quoted_excerpt(text) +
                        " is not a transport (udp53, tcp53, dot, doq, mdns, llmnr, https_tcp, "
                        "https_quic)");
    }
    return *t;
}

// ---------------------------------------------------------------- parts of a report

void check_schema(const Json* v, const std::string& at)
{
    if (v == nullptr) {
        throw ReadError(at + "schema_version is missing: not a wtfn report or event stream "
                             "(they begin with \"schema_version\": 1)");
    }
    if (!v->is_number_integer()) {
        wrong_type(*v, at + "schema_version", "a whole number");
    }
    if (v->is_number_unsigned() &&
        v->get<std::uint64_t>() > static_cast<std::uint64_t>(SCHEMA_VERSION)) {
        throw ReadError(fmt::format("{}schema_version {} is newer than this wtfn understands "
                                    "({}); upgrade wtfn",
                                    at,
                                    v->get<std::uint64_t>(),
                                    SCHEMA_VERSION));
    }
    if (!v->is_number_unsigned() || v->get<std::uint64_t>() < 1) {
        throw ReadError(fmt::format("{}schema_version {} is not a wtfn schema version (1 is the "
                                    "first)",
                                    at,
                                    v->get<std::int64_t>()));
    }
}

void refuse_kind(const Json& v)
{
    // `status --json` and `--iface-diag --json` documents carry a kind; a report does not.
    throw ReadError(
        (v.is_string() ? "a " + util::quoted_excerpt(v.get_ref<const std::string&>()) + " document"
                       : std::string("a document with a \"kind\"")) +
        ", not a report or event stream of `wtfn dns leak watch`");
}

// One run of `watch`: a report, or a stream's records from "start" to "end".
struct Run {
    std::string input; // its input's path
    std::string policy;
    std::string privacy;
    bool ended = false; // its tail was read (a report, or a stream's "end" record)
    std::uint64_t duration_ms = 0;
    bool partial = false;
    std::string stop_reason;
    std::string error;
    std::optional<CaptureCounters> counters;
};

void read_head(const Json& rec, const std::string& at, Run& run)
{
    if (const Json* p = find_set(rec, "policy"); p != nullptr) {
        object_of(*p, at + "policy");
        run.policy = string_at(*p, "name", at + "policy.");
    }
    // format_summary() prints the privacy mode, the stop reason and route classes as they
    // are (watch's own values are fixed names): from a file they are kept escaped.
    run.privacy = string_at(rec, "privacy", at);
}

CaptureCounters read_counters(const Json& c, const std::string& at)
{
    object_of(c, at.substr(0, at.size() - 1));
    CaptureCounters out;
    out.packets_read = count_at(c, "packets_read", at);
    out.packets_decoded = count_at(c, "packets_decoded", at);
    out.packets_not_ip = count_at(c, "packets_not_ip", at);
    out.packets_other_l4 = count_at(c, "packets_other_l4", at);
    out.packets_other_port = count_at(c, "packets_other_port", at);
    out.loopback_duplicates = count_at(c, "loopback_duplicates", at);
    out.dns_messages = count_at(c, "dns_messages", at);
    out.encrypted_flows = count_at(c, "encrypted_flows", at);
    out.kernel_dropped = count_at(c, "kernel_dropped", at);
    out.interface_dropped = count_at(c, "interface_dropped", at);
    if (const Json* f = find(c, "flows"); f != nullptr) {
        const std::string fat = at + "flows.";
        object_of(*f, at + "flows");
        out.flows.created = count_at(*f, "created", fat);
        out.flows.closed = count_at(*f, "closed", fat);
        out.flows.timed_out = count_at(*f, "timed_out", fat);
        out.flows.evicted_cap = count_at(*f, "evicted_cap", fat);
        out.flows.emergency_entered = count_at(*f, "emergency_entered", fat);
    }
    if (const Json* m = find(c, "malformed"); m != nullptr) {
        object_of(*m, at + "malformed");
        for (std::size_t i = 0; i < util::MALFORMED_CLASS_COUNT; ++i) {
            const std::string name(util::to_string(static_cast<util::Malformed>(i)));
            if (const Json* v = find(*m, name.c_str()); v != nullptr) {
                out.malformed.counts[i] = count_of(*v, at + "malformed." + name);
            }
        }
    }
    return out;
}

void add_counters(CaptureCounters& into, const CaptureCounters& c)
{
    into.packets_read += c.packets_read;
    into.packets_decoded += c.packets_decoded;
    into.packets_not_ip += c.packets_not_ip;
    into.packets_other_l4 += c.packets_other_l4;
    into.packets_other_port += c.packets_other_port;
    into.loopback_duplicates += c.loopback_duplicates;
    into.dns_messages += c.dns_messages;
    into.encrypted_flows += c.encrypted_flows;
    into.kernel_dropped += c.kernel_dropped;
    into.interface_dropped += c.interface_dropped;
    into.flows.created += c.flows.created;
    into.flows.closed += c.flows.closed;
    into.flows.timed_out += c.flows.timed_out;
    into.flows.evicted_cap += c.flows.evicted_cap;
    into.flows.emergency_entered += c.flows.emergency_entered;
    for (std::size_t i = 0; i < util::MALFORMED_CLASS_COUNT; ++i) {
        into.malformed.counts[i] += c.malformed.counts[i];
    }
}

// The summary as append_summary_json writes it. Members that are absent count 0 (a reader
// ignores what it does not know, and an older report may lack the newer members); a member
// of the wrong type is an error.
Summary read_summary(const Json& s, const std::string& at)
{
    object_of(s, at.substr(0, at.size() - 1));
    Summary out;
    out.dns_messages = count_at(s, "dns_messages", at);
    out.queries = count_at(s, "queries", at);
    out.responses = count_at(s, "responses", at);
    out.malformed_messages = count_at(s, "malformed_messages", at);
    out.encrypted_flows = count_at(s, "encrypted_flows", at);
    if (const Json* b = find(s, "by_transport"); b != nullptr) {
        object_of(*b, at + "by_transport");
        for (std::size_t i = 0; i < out.by_transport.size(); ++i) {
            const std::string name(to_string(static_cast<Transport>(i)));
            if (const Json* v = find(*b, name.c_str()); v != nullptr) {
                out.by_transport[i] = count_of(*v, at + "by_transport." + name);
            }
        }
    }
    if (const Json* b = find(s, "verdicts"); b != nullptr) {
        object_of(*b, at + "verdicts");
        for (std::size_t i = 0; i < out.by_verdict.size(); ++i) {
            const std::string name(to_string(static_cast<Verdict>(i)));
            if (const Json* v = find(*b, name.c_str()); v != nullptr) {
                out.by_verdict[i] = count_of(*v, at + "verdicts." + name);
            }
        }
    }
    if (const Json* l = find(s, "leaks"); l != nullptr) {
        object_of(*l, at + "leaks");
        out.leaks = count_at(*l, "total", at + "leaks.");
        if (const Json* b = find(*l, "by_type"); b != nullptr) {
            object_of(*b, at + "leaks.by_type");
            for (std::size_t i = 0; i < LEAK_TYPE_COUNT; ++i) {
                const std::string name(to_string(static_cast<LeakType>(i + 1)));
                if (const Json* v = find(*b, name.c_str()); v != nullptr) {
                    out.leaks_by_type[i] = count_of(*v, at + "leaks.by_type." + name);
                }
            }
        }
        if (const Json* b = find(*l, "by_severity"); b != nullptr) {
            object_of(*b, at + "leaks.by_severity");
            for (std::size_t i = 0; i < SEVERITY_COUNT; ++i) {
                const std::string name(to_string(static_cast<Severity>(i)));
                if (const Json* v = find(*b, name.c_str()); v != nullptr) {
                    out.leaks_by_severity[i] = count_of(*v, at + "leaks.by_severity." + name);
                }
            }
        }
    }
    if (const Json* list = find(s, "top_destinations"); list != nullptr) {
        const auto& a = array_of(*list, at + "top_destinations");
        for (std::size_t i = 0; i < a.size(); ++i) {
            const std::string dat = fmt::format("{}top_destinations[{}]", at, i);
            const Json& d = object_of(a[i], dat);
            Destination dest;
            dest.ip = ip_of(need(d, "ip", dat + "."), dat + ".ip");
            dest.port = port_of(need(d, "port", dat + "."), dat + ".port");
            dest.transport = transport_of(need(d, "transport", dat + "."), dat + ".transport");
            dest.count = count_at(d, "count", dat + ".");
            dest.leaks = count_at(d, "leaks", dat + ".");
            out.top_destinations.push_back(dest);
        }
    }
    out.destinations_untracked = count_at(s, "destinations_untracked", at);
    if (const Json* list = find(s, "top_processes"); list != nullptr) {
        const auto& a = array_of(*list, at + "top_processes");
        for (std::size_t i = 0; i < a.size(); ++i) {
            const std::string pat = fmt::format("{}top_processes[{}]", at, i);
            const Json& p = object_of(a[i], pat);
            out.top_processes.push_back({text_of(need(p, "name", pat + "."), pat + ".name"),
                                         count_at(p, "leaks", pat + ".")});
        }
    }
    out.leaks_process_unknown = count_at(s, "leaks_process_unknown", at);
    if (const Json* a = find_set(s, "attribution"); a != nullptr) { // absent before 0.2
        const std::string aat = at + "attribution.";
        object_of(*a, at + "attribution");
        out.attributed[3] = count_at(*a, "high", aat);
        out.attributed[2] = count_at(*a, "medium", aat);
        out.attributed[1] = count_at(*a, "low", aat);
        out.attributed[0] = count_at(*a, "none", aat);
        out.via_stub = count_at(*a, "via_stub", aat);
    }
    if (const Json* list = find(s, "timeline"); list != nullptr) {
        const auto& a = array_of(*list, at + "timeline");
        for (std::size_t i = 0; i < a.size(); ++i) {
            const std::string tat = fmt::format("{}timeline[{}]", at, i);
            const Json& b = object_of(a[i], tat);
            TimelineBucket bucket;
            bucket.start_ns = time_of(need(b, "start_ns", tat + "."), tat + ".start_ns");
            bucket.judged = count_at(b, "judged", tat + ".");
            bucket.leaks = count_at(b, "leaks", tat + ".");
            out.timeline.push_back(bucket);
        }
    }
    out.timeline_untracked = count_at(s, "timeline_untracked", at);
    if (const Json* list = find(s, "bursts"); list != nullptr) {
        const auto& a = array_of(*list, at + "bursts");
        for (std::size_t i = 0; i < a.size(); ++i) {
            const std::string bat = fmt::format("{}bursts[{}]", at, i);
            const Json& b = object_of(a[i], bat);
            Burst burst;
            burst.start_ns = time_of(need(b, "start_ns", bat + "."), bat + ".start_ns");
            burst.end_ns = time_of(need(b, "end_ns", bat + "."), bat + ".end_ns");
            burst.leaks = count_at(b, "leaks", bat + ".");
            out.bursts.push_back(burst);
        }
    }
    if (const Json* v = find(s, "first_event_ns"); v != nullptr) {
        out.first_event_ns = time_of(*v, at + "first_event_ns");
    }
    if (const Json* v = find(s, "last_event_ns"); v != nullptr) {
        out.last_event_ns = time_of(*v, at + "last_event_ns");
    }
    return out;
}

// ---------------------------------------------------------------- input bytes

// The bytes of one input: a descriptor read in chunks, or memory read in place. Lines and
// views it returns stay valid until the next call.
class InputBuffer {
public:
    explicit InputBuffer(std::string_view bytes) : memory_(true), view_(bytes), eof_(true)
    {
        if (bytes.size() > REPORT_MAX_BYTES) {
            throw ReadError(too_big());
        }
    }

    explicit InputBuffer(int fd) : fd_(fd) {}

    struct Line {
        std::string_view text; // without its newline
        std::uint64_t offset = 0;
        bool terminated = false; // ended by a newline (not by the end of the input)
    };

    enum class Status : std::uint8_t { line, end, too_long };

    Status next_line(Line& out)
    {
        for (;;) {
            std::string_view d = data();
            const std::size_t nl = d.find('\n', pos_ + scanned_);
            if (nl != std::string_view::npos) {
                if (nl - pos_ > REPORT_MAX_LINE) {
                    return Status::too_long;
                }
                out = {d.substr(pos_, nl - pos_), base_ + pos_, true};
                pos_ = nl + 1;
                scanned_ = 0;
                return Status::line;
            }
            scanned_ = d.size() - pos_;
            if (scanned_ > REPORT_MAX_LINE) {
                return Status::too_long;
            }
            if (!fill(LINE_CHUNK)) {
                d = data();
                if (pos_ == d.size()) {
                    return Status::end;
                }
                out = {d.substr(pos_), base_ + pos_, false};
                pos_ = d.size();
                scanned_ = 0;
                return Status::line;
            }
        }
    }

    // The first line, not consumed: `complete` when it ended (newline or end of input)
    // within REPORT_MAX_LINE bytes.
    std::string_view first_line(bool& complete)
    {
        for (;;) {
            const std::string_view d = data();
            const std::size_t nl = d.find('\n');
            if (nl != std::string_view::npos && nl <= REPORT_MAX_LINE) {
                complete = true;
                return d.substr(0, nl);
            }
            if (d.size() > REPORT_MAX_LINE) {
                complete = false;
                return d.substr(0, REPORT_MAX_LINE + 1);
            }
            if (!fill(LINE_CHUNK)) {
                complete = true;
                return data();
            }
        }
    }

    // The whole input, from its first byte (before any next_line).
    std::string_view all()
    {
        while (fill(ALL_CHUNK)) {
        }
        return data();
    }

private:
    static constexpr std::size_t LINE_CHUNK = 64 * 1024;
    static constexpr std::size_t ALL_CHUNK = 1024 * 1024;

    static std::string too_big()
    {
        return "larger than 256 MiB; wtfn reads at most 256 MiB of one input (split a long "
               "event stream, or read its runs one at a time)";
    }

    std::string_view data() const { return memory_ ? view_ : std::string_view(buf_); }

    // Reads one more chunk; false at the end of the input.
    bool fill(std::size_t chunk)
    {
        if (eof_) {
            return false;
        }
        if (pos_ > 0 && pos_ >= buf_.size() / 2) { // drop the lines already read
            buf_.erase(0, pos_);
            base_ += pos_;
            pos_ = 0;
        }
        const std::size_t old = buf_.size();
        buf_.resize(old + chunk);
        ssize_t n = 0;
        do {
            n = ::read(fd_, buf_.data() + old, chunk);
        } while (n < 0 && errno == EINTR);
        const int err = errno;
        buf_.resize(old + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
        if (n < 0) {
            throw ReadError(std::string("cannot read: ") + std::strerror(err));
        }
        if (n == 0) {
            eof_ = true;
            return false;
        }
        total_ += static_cast<std::uint64_t>(n);
        if (total_ > REPORT_MAX_BYTES) {
            throw ReadError(too_big());
        }
        return true;
    }

    int fd_ = -1;
    bool memory_ = false;
    std::string_view view_;
    std::string buf_;
    std::size_t pos_ = 0;     // the first byte not yet returned as a line
    std::size_t scanned_ = 0; // bytes after pos_ already searched for a newline
    std::uint64_t base_ = 0;  // the input offset of buf_[0]
    std::uint64_t total_ = 0;
    bool eof_ = false;
};

// An event stream line starts with its record member (event_stream.cc); a stream whose first
// line is cut short, or too long, is still recognised by that.
bool looks_like_stream(std::string_view first, bool complete)
{
    const std::size_t start = first.find_first_not_of(" \t\r");
    if (start != std::string_view::npos && first.substr(start).rfind("{\"record\"", 0) == 0) {
        return true;
    }
    if (!complete) {
        return false;
    }
    try {
        JsonBuilder b(false, nullptr, nullptr);
        return sax_parse(first, b) && find(b.root(), "record") != nullptr;
    } catch (const std::exception&) {
        return false;
    }
}

} // namespace

// ---------------------------------------------------------------- the reader

std::string_view to_string(InputFormat f)
{
    return f == InputFormat::ndjson ? "ndjson" : "report";
}

struct ReportReader::State {
    SummaryBuilder builder;
    std::vector<InputInfo> inputs;
    std::vector<Run> runs;
    std::vector<ReportInterface> interfaces;

    // Reads one input into the summary; false with `error` (naming the input).
    template <typename Make>
    bool read_input(const std::string& name, std::string& error, Make&& make_buffer);
    void read(InputBuffer& in, InputInfo& info);
    void read_report(std::string_view text, InputInfo& info);
    void read_stream(InputBuffer& in, InputInfo& info, std::vector<std::string>& warnings);
    void read_tail(const Json& rec, const std::string& at, Run& run);
    void read_interfaces(const Json& list, const std::string& at);
    void add_event(const Json& e, const std::string& at);
    void add_summary(const Summary& s, bool with_events);
};

void ReportReader::State::add_event(const Json& e, const std::string& at)
{
    if (!e.is_object()) {
        throw ReadError(at + "expected an event object, got " + util::json_type_name(e));
    }
    EventFacts f;
    f.ts_ns = time_of(need(e, "ts_ns", at), at + "ts_ns");
    f.transport = transport_of(need(e, "transport", at), at + "transport");
    const Json& dns = need(e, "dns", at);
    if (dns.is_object()) {
        f.has_dns = true;
        const std::string& qr = string_of(need(dns, "qr", at + "dns."), at + "dns.qr");
        if (qr == "response") {
            f.is_response = true;
        } else if (qr != "query") {
            throw ReadError(at + "dns.qr: " + util::quoted_excerpt(qr) +
                            " is neither \"query\" nor \"response\"");
        }
    } else if (!dns.is_null()) {
        wrong_type(dns, at + "dns", "an object or null");
    }
    if (const Json* m = find_set(e, "malformed"); m != nullptr) {
        string_of(*m, at + "malformed");
        f.malformed = true;
    }
    f.dst = ip_of(need(e, "dst_ip", at), at + "dst_ip");
    f.dst_port = port_of(need(e, "dst_port", at), at + "dst_port");
    if (const Json* v = find_set(e, "verdict"); v != nullptr) {
        const std::string& text = string_of(*v, at + "verdict");
        const auto verdict = parse_verdict(text);
        if (!verdict) {
            throw ReadError(at + "verdict: " + util::quoted_excerpt(text) +
                            " is not a verdict (leak, clean, not_judged)");
        }
        f.judged = true;
        f.verdict = *verdict;
    }
    if (const Json* v = find_set(e, "leak_type"); v != nullptr) {
        const std::string& text = string_of(*v, at + "leak_type");
        const auto type = parse_leak_type(text);
        if (!type) {
            throw ReadError(at + "leak_type: " + util::quoted_excerpt(text) +
                            " is not a leak type (A, B, C, D)");
        }
        f.leak_type = *type;
        const Json* sev = find_set(e, "severity");
        if (sev == nullptr) {
            throw ReadError(at + "severity: missing for a leak of type " + text);
        }
    }
    if (const Json* v = find_set(e, "severity"); v != nullptr) {
        const std::string& text = string_of(*v, at + "severity");
        const auto severity = parse_severity(text);
        if (!severity) {
            throw ReadError(at + "severity: " + util::quoted_excerpt(text) +
                            " is not a severity (P0, P1, P2, P3)");
        }
        f.severity = *severity;
    }
    std::string process;
    if (const Json* p = find_set(e, "process"); p != nullptr) {
        object_of(*p, at + "process");
        // A process known by its pid alone (it exited before /proc was read) has no name.
        if (const Json* name = find_set(*p, "name"); name != nullptr) {
            process = text_of(*name, at + "process.name");
        }
        f.process_name = process;
        f.via_stub = find_set(*p, "on_behalf_of") != nullptr;
    }
    if (const Json* a = find_set(e, "attribution"); a != nullptr) {
        object_of(*a, at + "attribution");
        const Json* source = find_set(*a, "source");
        const Json* confidence = find_set(*a, "confidence");
        if (source != nullptr && confidence != nullptr &&
            string_of(*source, at + "attribution.source") != "none") {
            const std::string& c = string_of(*confidence, at + "attribution.confidence");
            f.attribution = c == "high" ? 3 : c == "medium" ? 2 : c == "low" ? 1 : 0;
        }
    }
    builder.add(f);
}

// 443 flows are in the summary but never written as events (JsonReportWriter and
// EventStreamWriter write the DNS-like ones): beside an input's events, take just their
// counts, and the first and last event times (a 443 flow may be the first or last event),
// from the input's own summary.
void ReportReader::State::add_summary(const Summary& s, bool with_events)
{
    if (!with_events) {
        builder.merge(s);
        return;
    }
    Summary flows;
    for (const Transport t : {Transport::https_tcp, Transport::https_quic}) {
        const auto i = static_cast<std::size_t>(t);
        flows.by_transport[i] = s.by_transport[i];
        flows.encrypted_flows += s.by_transport[i];
    }
    flows.first_event_ns = s.first_event_ns;
    flows.last_event_ns = s.last_event_ns;
    builder.merge(flows);
}

void ReportReader::State::read_interfaces(const Json& list, const std::string& at)
{
    const auto& a = array_of(list, at + "interfaces");
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string iat = fmt::format("{}interfaces[{}]", at, i);
        const Json& f = object_of(a[i], iat);
        ReportInterface ri;
        ri.name = string_at(f, "name", iat + ".");
        if (const Json* v = find_set(f, "ifindex"); v != nullptr) {
            const std::uint64_t index = count_of(*v, iat + ".ifindex");
            if (index > std::numeric_limits<std::uint32_t>::max()) {
                throw ReadError(iat + ".ifindex: " + std::to_string(index) +
                                " is not an interface index");
            }
            ri.ifindex = static_cast<std::uint32_t>(index);
        }
        ri.route_class = text_of(need(f, "route_class", iat + "."), iat + ".route_class");
        ri.basis = string_at(f, "route_class_basis", iat + ".");
        ri.reason = string_at(f, "route_class_reason", iat + ".");
        const bool seen = std::any_of(interfaces.begin(), interfaces.end(), [&](const auto& o) {
            return o.name == ri.name && o.route_class == ri.route_class;
        });
        if (!seen) {
            interfaces.push_back(std::move(ri));
        }
    }
}

void ReportReader::State::read_tail(const Json& rec, const std::string& at, Run& run)
{
    run.ended = true;
    if (const Json* v = find_set(rec, "duration_ms"); v != nullptr) {
        run.duration_ms = count_of(*v, at + "duration_ms");
        if (run.duration_ms > MAX_DURATION_MS) {
            throw ReadError(at + "duration_ms: " + std::to_string(run.duration_ms) +
                            " ms is not a run time wtfn writes");
        }
    }
    run.partial = bool_at(rec, "partial", at);
    run.stop_reason = string_at(rec, "stop_reason", at);
    run.error = string_at(rec, "error", at);
    if (const Json* v = find_set(rec, "interfaces"); v != nullptr) {
        read_interfaces(*v, at);
    }
    if (const Json* v = find_set(rec, "counters"); v != nullptr) {
        run.counters = read_counters(*v, at + "counters.");
    }
}

void ReportReader::State::read_report(std::string_view text, InputInfo& info)
{
    info.format = InputFormat::report;
    if (is_blank(text)) {
        throw ReadError("empty: not a wtfn report or event stream (did the watch write "
                        "nothing?)");
    }
    JsonBuilder b(
        true,
        [&](std::uint64_t i, const Json& e) {
            add_event(e, fmt::format("events[{}]: ", i));
            ++info.events;
        },
        [](const std::string& key, const Json& v) {
            // At once, so that events are never read under a newer schema.
            if (key == "schema_version") {
                check_schema(&v, "");
            } else if (key == "kind") {
                refuse_kind(v);
            }
        });
    bool ok = false;
    try {
        ok = sax_parse(text, b);
    } catch (const TooDeep&) {
        throw ReadError(fmt::format("nested deeper than {} levels: not a wtfn report (a report "
                                    "is 7 levels deep)",
                                    REPORT_MAX_DEPTH));
    } catch (const ReadError& e) {
        const std::string what = e.what();
        if (what.rfind("the top level", 0) == 0) {
            throw ReadError("not a wtfn report or event stream: " + what);
        }
        throw;
    }
    if (!ok) {
        const std::size_t offset = b.error_offset();
        std::size_t line = 0;
        std::size_t col = 0;
        util::line_column(text, offset, line, col);
        if (offset >= text.size()) {
            throw ReadError(fmt::format("cut short at byte {} (line {}): the JSON report ends "
                                        "before its closing brace (was the watch killed, or the "
                                        "file copied before it was complete?)",
                                        text.size(),
                                        line));
        }
        throw ReadError(
            fmt::format("not a wtfn report or event stream: {} at line {} column {} "
                        "(byte {})",
                        b.out_of_range() ? "JSON number out of range" : "JSON syntax error",
                        line,
                        col,
                        offset));
    }
    const Json& root = b.root();
    check_schema(find(root, "schema_version"), "");
    if (const Json* v = find(root, "events"); v != nullptr) {
        wrong_type(*v, "events", "an array");
    }
    const Json* summary = find_set(root, "summary");
    if (!b.streamed_events() && summary == nullptr) {
        throw ReadError("holds neither \"events\" nor \"summary\": not a report of `wtfn dns "
                        "leak watch`");
    }
    Run run;
    run.input = info.path;
    read_head(root, "", run);
    read_tail(root, "", run);
    if (summary != nullptr) {
        add_summary(read_summary(*summary, "summary."), b.streamed_events());
    }
    runs.push_back(std::move(run));
}

void ReportReader::State::read_stream(InputBuffer& in,
                                      InputInfo& info,
                                      std::vector<std::string>& warnings)
{
    info.format = InputFormat::ndjson;
    std::uint64_t line_no = 0;
    bool run_open = false;
    std::uint64_t runs_started = 0;
    std::uint64_t run_events = 0;
    InputBuffer::Line line;
    for (;;) {
        const auto st = in.next_line(line);
        if (st == InputBuffer::Status::end) {
            break;
        }
        ++line_no;
        if (st == InputBuffer::Status::too_long) {
            throw ReadError(fmt::format("line {} is longer than 1 MiB: not a wtfn event stream "
                                        "(its lines are a few KiB)",
                                        line_no));
        }
        if (is_blank(line.text)) {
            continue;
        }
        const std::string at = fmt::format("line {}: ", line_no);
        JsonBuilder b(false, nullptr, nullptr);
        bool ok = false;
        try {
            ok = sax_parse(line.text, b);
        } catch (const TooDeep&) {
            throw ReadError(fmt::format("{}nested deeper than {} levels: not a wtfn event stream "
                                        "record",
                                        at,
                                        REPORT_MAX_DEPTH));
        } catch (const ReadError& e) {
            throw ReadError(at + "not a wtfn event stream record: " + e.what());
        }
        if (!ok) {
            if (!line.terminated) {
                warnings.push_back(fmt::format("line {} is cut short (the run was interrupted?); "
                                               "the {} lines before it are used",
                                               line_no,
                                               line_no - 1));
                info.complete = false;
                run_open = false; // its missing end is said by this warning
                break;
            }
            throw ReadError(
                fmt::format("{}not a wtfn event stream record: {} at column {} "
                            "(byte {})",
                            at,
                            b.out_of_range() ? "JSON number out of range" : "JSON syntax error",
                            b.error_offset() + 1,
                            line.offset + b.error_offset()));
        }
        const Json& rec = b.root();
        const std::string& kind = string_of(need(rec, "record", at), at + "record");
        if (kind == "start") {
            check_schema(find(rec, "schema_version"), at);
            if (run_open) {
                warnings.push_back(fmt::format("line {} starts a new run before the previous "
                                               "one ended (that run was interrupted?); its {} "
                                               "events are used",
                                               line_no,
                                               run_events));
                info.complete = false;
            }
            Run run;
            run.input = info.path;
            read_head(rec, at, run);
            runs.push_back(std::move(run));
            ++runs_started;
            run_open = true;
            run_events = 0;
        } else if (kind == "event") {
            if (!run_open) {
                throw ReadError(at + "an \"event\" record outside a run (no \"start\" record "
                                     "before it)");
            }
            add_event(rec, at);
            ++info.events;
            ++run_events;
        } else if (kind == "end") {
            if (!run_open) {
                throw ReadError(at + "an \"end\" record outside a run (no \"start\" record "
                                     "before it)");
            }
            read_tail(rec, at, runs.back());
            if (const Json* s = find_set(rec, "summary"); s != nullptr) {
                add_summary(read_summary(*s, at + "summary."), true);
            }
            run_open = false;
        }
        // Any other record is a later version's addition: ignored.
    }
    if (runs_started == 0) {
        throw ReadError(line_no <= 1 && !info.complete
                            ? "the event stream is cut short in its first line: nothing to read"
                            : "no \"start\" record: not a wtfn event stream");
    }
    if (run_open) {
        warnings.push_back(fmt::format("the event stream has no \"end\" record (the run was "
                                       "interrupted, or is still going?); its {} events are used",
                                       run_events));
        info.complete = false;
    }
}

void ReportReader::State::read(InputBuffer& in, InputInfo& info)
{
    bool complete = false;
    const std::string_view first = in.first_line(complete);
    if (!is_blank(first) && looks_like_stream(first, complete)) {
        std::vector<std::string> warnings;
        read_stream(in, info, warnings);
        for (const auto& w : warnings) {
            info.warning += (info.warning.empty() ? "" : "; ") + w;
        }
        return;
    }
    read_report(in.all(), info);
}

template <typename Make>
bool ReportReader::State::read_input(const std::string& name,
                                     std::string& error,
                                     Make&& make_buffer)
{
    InputInfo info;
    info.path = name;
    const std::string shown_name = display_name(name);
    try {
        InputBuffer in = make_buffer();
        read(in, info);
    } catch (const ReadError& e) {
        error = shown_name + ": " + e.what();
        return false;
    } catch (const std::bad_alloc&) {
        error = shown_name + ": out of memory while reading it";
        return false;
    } catch (const std::exception& e) {
        error = shown_name + ": cannot read it: " + util::escaped_text(e.what());
        return false;
    }
    if (!info.warning.empty()) {
        info.warning = shown_name + ": " + info.warning;
    }
    inputs.push_back(std::move(info));
    return true;
}

ReportReader::ReportReader() : state_(std::make_unique<State>()) {}

ReportReader::~ReportReader() = default;

const std::vector<InputInfo>& ReportReader::inputs() const
{
    return state_->inputs;
}

bool ReportReader::add_bytes(std::string_view bytes, const std::string& name, std::string& error)
{
    return state_->read_input(name, error, [&] { return InputBuffer(bytes); });
}

bool ReportReader::add_fd(int fd, const std::string& name, std::string& error)
{
    return state_->read_input(name, error, [&] { return InputBuffer(fd); });
}

bool ReportReader::add_file(const std::string& path, std::string& error)
{
    if (path == "-") {
        return add_fd(STDIN_FILENO, path, error);
    }
    const std::string shown_name = display_name(path);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = shown_name + ": cannot open: " + std::strerror(errno);
        return false;
    }

    struct stat st {};

    bool ok = false;
    if (::fstat(fd, &st) != 0) {
        error = shown_name + ": cannot read: " + std::strerror(errno);
    } else if (S_ISDIR(st.st_mode)) {
        error = shown_name + ": " + std::strerror(EISDIR) +
                "; give a report (watch --out) or an event stream (watch --events)";
    } else if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > REPORT_MAX_BYTES) {
        error = shown_name + ": larger than 256 MiB; wtfn reads at most 256 MiB of one input "
                             "(split a long event stream, or read its runs one at a time)";
    } else {
        ok = add_fd(fd, path, error);
    }
    ::close(fd);
    return ok;
}

MergedReport ReportReader::result() const
{
    const State& st = *state_;
    MergedReport r;
    r.inputs = st.inputs;
    r.summary = st.builder.build();
    ReportMeta& m = r.meta;
    m.command = "dns leak report";
    m.source_kind = "report";
    for (const auto& in : st.inputs) {
        m.source_name +=
            (m.source_name.empty() ? "" : ", ") + (in.path == "-" ? std::string("stdin") : in.path);
        m.partial = m.partial || !in.complete;
    }
    std::uint64_t duration_ms = 0;
    bool all_counters = !st.runs.empty();
    CaptureCounters counters;
    for (std::size_t i = 0; i < st.runs.size(); ++i) {
        const Run& run = st.runs[i];
        duration_ms = std::min(duration_ms + run.duration_ms, MAX_DURATION_MS);
        m.partial = m.partial || run.partial;
        if (i == 0) {
            m.policy_name = run.policy;
            m.privacy = run.privacy;
        } else {
            if (m.policy_name != run.policy) {
                m.policy_name = "mixed";
            }
            if (m.privacy != run.privacy) {
                m.privacy = "mixed";
            }
        }
        if (!run.error.empty()) {
            if (st.runs.size() == 1) {
                m.error = run.error;
            } else {
                m.error +=
                    (m.error.empty() ? "" : "; ") + display_name(run.input) + ": " + run.error;
            }
        }
        if (run.counters) {
            add_counters(counters, *run.counters);
        } else {
            all_counters = false;
        }
    }
    if (st.runs.size() == 1 && st.inputs.size() == 1) {
        const Run& run = st.runs.front();
        m.stop_reason = !run.ended                ? "incomplete"
                        : run.stop_reason.empty() ? "unknown"
                                                  : run.stop_reason;
    } else {
        m.stop_reason = "merged";
    }
    m.elapsed_ns = static_cast<std::int64_t>(duration_ms) * 1'000'000;
    m.interfaces = st.interfaces;
    if (all_counters) {
        r.counters = counters;
    }
    return r;
}

std::string merged_report_json(const MergedReport& r)
{
    std::string out;
    fmt::format_to(std::back_inserter(out),
                   "{{\"schema_version\":{},\"tool\":{{\"name\":\"wtfn\",\"version\":\"{}\"}},"
                   "\"command\":",
                   SCHEMA_VERSION,
                   WTFN_VERSION);
    util::append_json_string(out, r.meta.command);
    out += ",\"inputs\":[";
    for (std::size_t i = 0; i < r.inputs.size(); ++i) {
        const InputInfo& in = r.inputs[i];
        out += i == 0 ? "\n{\"path\":" : ",\n{\"path\":";
        util::append_json_string(out, in.path);
        fmt::format_to(std::back_inserter(out),
                       ",\"format\":\"{}\",\"events\":{},\"complete\":{},\"warning\":",
                       to_string(in.format),
                       in.events,
                       in.complete ? "true" : "false");
        if (in.warning.empty()) {
            out += "null";
        } else {
            util::append_json_string(out, in.warning);
        }
        out += "}";
    }
    out += "],\n\"policy\":{\"name\":";
    util::append_json_string(out, r.meta.policy_name);
    out += "},\"privacy\":";
    util::append_json_string(out, r.meta.privacy);
    out += ",\n";
    append_summary_json(out, r.summary);
    out += ",\n";
    if (r.counters) {
        append_counters_json(out, *r.counters);
    } else {
        out += "\"counters\":null";
    }
    out += "}\n";
    return out;
}

} // namespace wtfn::dnsleak
