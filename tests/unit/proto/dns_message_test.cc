// Tests of src/proto/dns_message.cc (and the names in dns_types.cc): header, question,
// answers, EDNS, and every DNS-level malformed class (RELIABILITY.md section 2 rows 1-7 and
// 10; goal M1).
#include "proto/dns_message.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/dns_message_builder.h"

namespace wtfn::proto {
namespace {

using test::DnsMessageBuilder;
using test::EdnsOption;
using test::Section;
using test::Wire;
namespace rr = test::rr;

constexpr std::size_t Q = DnsMessageBuilder::QNAME_OFFSET;

// "ok" or the dotted class name, so failures print readable values.
std::string outcome(std::optional<util::Malformed> r)
{
    return r ? std::string(util::to_string(*r)) : std::string("ok");
}

// A dotted name whose uncompressed wire form is exactly `octets` long.
std::string name_of_wire_length(std::size_t octets)
{
    std::string text;
    std::size_t rem = octets - 1;
    char fill = 'a';
    while (rem > 0) {
        std::size_t len = std::min<std::size_t>(63, rem - 1);
        if (rem - (len + 1) == 1) {
            --len;
        }
        if (!text.empty()) {
            text += '.';
        }
        text.append(len, fill++);
        rem -= len + 1;
    }
    return text;
}

Wire cut(const Wire& w, std::size_t n)
{
    return Wire(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(n));
}

// A 255-octet question name and `answers` A records whose owners point at it. Each decode
// of that name costs 254 budget octets.
Wire long_name_shared_by(int answers)
{
    DnsMessageBuilder b;
    b.response().question(name_of_wire_length(255));
    for (int i = 0; i < answers; ++i) {
        b.answer_a(DnsMessageBuilder::pointer_to(Q), "192.0.2.1");
    }
    return b.bytes();
}

// DnsMessage is about 40 KB; the fixture keeps it off the stack and reuses it, as the
// pipeline does.
class DnsMessageTest : public ::testing::Test {
protected:
    std::string parse(const Wire& w) { return outcome(parse_dns_message(util::Bytes{w}, m)); }

    DnsMessage m;
};

// --- header ------------------------------------------------------------------------------------

TEST_F(DnsMessageTest, ReadsHeaderIdAndCounts)
{
    const auto w = DnsMessageBuilder{}
                       .id(0xBEEF)
                       .response()
                       .question("www.example")
                       .answer_a("www.example", "192.0.2.1")
                       .answer_a("www.example", "192.0.2.2")
                       .opt(1232)
                       .bytes();
    ASSERT_EQ(parse(w), "ok");
    EXPECT_EQ(m.id, 0xBEEF);
    EXPECT_EQ(m.qdcount, 1);
    EXPECT_EQ(m.ancount, 2);
    EXPECT_EQ(m.nscount, 0);
    EXPECT_EQ(m.arcount, 1);
}

TEST_F(DnsMessageTest, HeaderOnlyMessageIsValid)
{
    EXPECT_EQ(parse(DnsMessageBuilder{}.bytes()), "ok");
    EXPECT_FALSE(m.has_question);
    EXPECT_EQ(m.answer_count, 0);
}

TEST_F(DnsMessageTest, EachFlagAccessorReadsOnlyItsOwnBit)
{
    struct Bit {
        std::uint16_t mask;
        const char* name;
    };

    const Bit bits[] = {{0x8000, "qr"},
                        {0x0400, "aa"},
                        {0x0200, "tc"},
                        {0x0100, "rd"},
                        {0x0080, "ra"},
                        {0x0020, "ad"},
                        {0x0010, "cd"}};
    for (const auto& bit : bits) {
        ASSERT_EQ(parse(DnsMessageBuilder{}.flags(bit.mask).bytes()), "ok");
        const std::string n = bit.name;
        EXPECT_EQ(m.is_response(), n == "qr") << n;
        EXPECT_EQ(m.flag_aa(), n == "aa") << n;
        EXPECT_EQ(m.flag_tc(), n == "tc") << n;
        EXPECT_EQ(m.flag_rd(), n == "rd") << n;
        EXPECT_EQ(m.flag_ra(), n == "ra") << n;
        EXPECT_EQ(m.flag_ad(), n == "ad") << n;
        EXPECT_EQ(m.flag_cd(), n == "cd") << n;
        EXPECT_EQ(m.opcode(), 0) << n;
        EXPECT_EQ(m.rcode(), 0) << n;
    }
}

TEST_F(DnsMessageTest, OpcodeIsBits11To14)
{
    ASSERT_EQ(parse(DnsMessageBuilder{}.flags(0x2800).bytes()), "ok"); // UPDATE
    EXPECT_EQ(m.opcode(), 5);
    ASSERT_EQ(parse(DnsMessageBuilder{}.flags(0xF800).bytes()), "ok"); // QR + opcode 15
    EXPECT_EQ(m.opcode(), 15);
    EXPECT_TRUE(m.is_response());
}

TEST_F(DnsMessageTest, RcodeWithoutEdnsIsTheLowFourBits)
{
    ASSERT_EQ(parse(DnsMessageBuilder{}.response().rcode(3).bytes()), "ok");
    EXPECT_EQ(m.rcode(), 3);
}

TEST_F(DnsMessageTest, ResponseFlagsFromBuilderRoundTrip)
{
    ASSERT_EQ(parse(DnsMessageBuilder{}.response().rd().rcode(2).bytes()), "ok");
    EXPECT_TRUE(m.is_response());
    EXPECT_TRUE(m.flag_rd());
    EXPECT_EQ(m.rcode(), 2);
}

// --- question ----------------------------------------------------------------------------------

TEST_F(DnsMessageTest, ParsesQuery)
{
    const auto w = DnsMessageBuilder{}.query().rd().question("WWW.Example", rr::AAAA).bytes();
    ASSERT_EQ(parse(w), "ok");
    EXPECT_FALSE(m.is_response());
    EXPECT_TRUE(m.flag_rd());
    EXPECT_TRUE(m.has_question);
    EXPECT_EQ(m.qname.view(), "www.example");
    EXPECT_EQ(m.qtype, rr::AAAA);
    EXPECT_EQ(m.qclass, rr::CLASS_IN);
    EXPECT_EQ(m.answer_count, 0);
    EXPECT_EQ(m.answers_omitted, 0);
    EXPECT_FALSE(m.has_edns);
}

TEST_F(DnsMessageTest, ReportsOnlyTheFirstOfSeveralQuestions)
{
    const auto w = DnsMessageBuilder{}
                       .question("first.example", rr::A)
                       .question("second.example", rr::AAAA, 3)
                       .bytes();
    ASSERT_EQ(parse(w), "ok");
    EXPECT_EQ(m.qdcount, 2);
    EXPECT_EQ(m.qname.view(), "first.example");
    EXPECT_EQ(m.qtype, rr::A);
    EXPECT_EQ(m.qclass, rr::CLASS_IN);
}

TEST_F(DnsMessageTest, LaterQuestionIsValidated)
{
    const auto w = DnsMessageBuilder{}
                       .question("first.example")
                       .question(Wire{0x40, 0}) // bad label in question 2
                       .bytes();
    EXPECT_EQ(parse(w), "dns.label_too_long");
    EXPECT_TRUE(m.has_question);
}

// --- answers -----------------------------------------------------------------------------------

TEST_F(DnsMessageTest, ParsesAAnswer)
{
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example")
                       .answer_a(DnsMessageBuilder::pointer_to(Q), "192.0.2.1", 3600)
                       .bytes();
    ASSERT_EQ(parse(w), "ok");
    ASSERT_EQ(m.answer_count, 1);
    const auto& a = m.answers[0];
    EXPECT_EQ(a.name.view(), "www.example");
    EXPECT_EQ(a.type, rr::A);
    EXPECT_EQ(a.klass, rr::CLASS_IN);
    EXPECT_EQ(a.ttl, 3600U);
    ASSERT_EQ(a.addr_count, 1);
    EXPECT_EQ(a.addrs[0].version, 4);
    EXPECT_EQ(a.addrs[0].to_string(), "192.0.2.1");
    EXPECT_FALSE(a.has_target);
}

TEST_F(DnsMessageTest, ParsesAaaaAnswer)
{
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example", rr::AAAA)
                       .answer_aaaa("www.example", "2001:db8::53")
                       .bytes();
    ASSERT_EQ(parse(w), "ok");
    ASSERT_EQ(m.answer_count, 1);
    const auto& a = m.answers[0];
    EXPECT_EQ(a.type, rr::AAAA);
    ASSERT_EQ(a.addr_count, 1);
    EXPECT_EQ(a.addrs[0].version, 6);
    EXPECT_EQ(a.addrs[0].to_string(), "2001:db8::53");
}

TEST_F(DnsMessageTest, ParsesCnameChainWithCompressedOwner)
{
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example")
                       .answer_cname_to_qname("cdn.example")
                       .answer_a("cdn.example", "192.0.2.7")
                       .bytes();
    ASSERT_EQ(parse(w), "ok");
    ASSERT_EQ(m.answer_count, 2);
    const auto& cname = m.answers[0];
    EXPECT_EQ(cname.name.view(), "www.example");
    EXPECT_EQ(cname.type, rr::CNAME);
    EXPECT_TRUE(cname.has_target);
    EXPECT_EQ(cname.target.view(), "cdn.example");
    EXPECT_EQ(cname.addr_count, 0);
    const auto& a = m.answers[1];
    EXPECT_EQ(a.name.view(), "cdn.example");
    EXPECT_EQ(a.addrs[0].to_string(), "192.0.2.7");
}

TEST_F(DnsMessageTest, ParsesCnameTargetCompressedIntoQuestion)
{
    DnsMessageBuilder b;
    b.response().question("www.example");
    b.answer_cname("alias.example", Wire{3, 'c', 'd', 'n', 0xC0, 0x10}); // cdn + "example"@16
    ASSERT_EQ(parse(b.bytes()), "ok");
    ASSERT_EQ(m.answer_count, 1);
    EXPECT_EQ(m.answers[0].target.view(), "cdn.example");
}

TEST_F(DnsMessageTest, RejectsCnameNameEndingBeforeRdlength)
{
    Wire rdata = test::NameArg::encode("cdn.example");
    rdata.push_back(0xAA); // one stray octet inside RDLENGTH
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example")
                       .answer("www.example", rr::CNAME, rdata);
    EXPECT_EQ(parse(w.bytes()), "dns.rdata_bad_length");
}

TEST_F(DnsMessageTest, RejectsCnameNameRunningPastRdlength)
{
    const auto target = test::NameArg::encode("cdn.example");
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example")
                       .record_with_rdlength(Section::answer,
                                             "www.example",
                                             rr::CNAME,
                                             rr::CLASS_IN,
                                             300,
                                             static_cast<std::uint16_t>(target.size() - 1),
                                             target)
                       .bytes();
    EXPECT_EQ(parse(w), "dns.rdata_bad_length");
}

TEST_F(DnsMessageTest, CnameTargetEndingPastRdataAtMessageEndIsBadLength)
{
    // RDLENGTH 4 holds "cdn" without its terminator; the record itself ends exactly at the
    // end of the message, so nothing lies past the end: RDLENGTH is inconsistent with the
    // name (row 6), as for SVCB targets, whose names must end inside RDATA.
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example")
                       .answer("www.example", rr::CNAME, Wire{3, 'c', 'd', 'n'})
                       .bytes();
    EXPECT_EQ(parse(w), "dns.rdata_bad_length");
}

TEST_F(DnsMessageTest, CnameTargetIsNotReadPastRdata)
{
    // The same record followed by one trailing octet outside every counted record: the
    // class must not depend on bytes outside the record's RDATA.
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example")
                       .answer("www.example", rr::CNAME, Wire{3, 'c', 'd', 'n'})
                       .raw({0x40})
                       .bytes();
    EXPECT_EQ(parse(w), "dns.rdata_bad_length");
}

TEST_F(DnsMessageTest, RejectsCnameTargetWithBadPointer)
{
    DnsMessageBuilder b;
    b.response().question("www.example");
    const auto rdata_at = b.next_offset() + 13 + 10; // owner (13) + fixed fields (10)
    b.answer_cname("www.example", DnsMessageBuilder::pointer_to(rdata_at)); // points at itself
    EXPECT_EQ(parse(b.bytes()), "dns.bad_pointer");
}

TEST_F(DnsMessageTest, ParsesHttpsAddressHints)
{
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example", rr::HTTPS)
                       .answer_svcb(DnsMessageBuilder::pointer_to(Q),
                                    1,
                                    ".",
                                    {"192.0.2.1", "192.0.2.2"},
                                    {"2001:db8::1"})
                       .bytes();
    ASSERT_EQ(parse(w), "ok");
    ASSERT_EQ(m.answer_count, 1);
    const auto& h = m.answers[0];
    EXPECT_EQ(h.type, rr::HTTPS);
    EXPECT_EQ(h.name.view(), "www.example");
    EXPECT_TRUE(h.has_target);
    EXPECT_EQ(h.target.view(), ".");
    ASSERT_EQ(h.addr_count, 3);
    EXPECT_EQ(h.addrs[0].to_string(), "192.0.2.1");
    EXPECT_EQ(h.addrs[1].to_string(), "192.0.2.2");
    EXPECT_EQ(h.addrs[2].to_string(), "2001:db8::1");
}

TEST_F(DnsMessageTest, ParsesSvcbTargetName)
{
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("_dns.resolver.example", rr::SVCB)
                       .answer_svcb("_dns.resolver.example", 1, "Dns.Example", {}, {}, rr::SVCB)
                       .bytes();
    ASSERT_EQ(parse(w), "ok");
    ASSERT_EQ(m.answer_count, 1);
    EXPECT_EQ(m.answers[0].type, rr::SVCB);
    EXPECT_TRUE(m.answers[0].has_target);
    EXPECT_EQ(m.answers[0].target.view(), "dns.example");
    EXPECT_EQ(m.answers[0].addr_count, 0);
}

TEST_F(DnsMessageTest, KeepsAtMostFourHintAddressesPerRecord)
{
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example", rr::HTTPS)
                       .answer_svcb("www.example",
                                    1,
                                    ".",
                                    {"192.0.2.1", "192.0.2.2", "192.0.2.3"},
                                    {"2001:db8::1", "2001:db8::2", "2001:db8::3"})
                       .bytes();
    ASSERT_EQ(parse(w), "ok");
    const auto& h = m.answers[0];
    ASSERT_EQ(h.addr_count, MAX_RECORD_ADDRS);
    EXPECT_EQ(h.addrs[2].to_string(), "192.0.2.3");
    EXPECT_EQ(h.addrs[3].to_string(), "2001:db8::1");
}

TEST_F(DnsMessageTest, SkipsSvcParamsOtherThanHints)
{
    Wire rdata{0, 1, 0};                       // priority 1, target "."
    rdata.insert(rdata.end(), {0, 1, 0, 3});   // key 1 (alpn), length 3
    rdata.insert(rdata.end(), {2, 'h', '2'});  // "h2"
    rdata.insert(rdata.end(), {0, 4, 0, 4});   // key 4 (ipv4hint), length 4
    rdata.insert(rdata.end(), {192, 0, 2, 9}); // 192.0.2.9
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example", rr::HTTPS)
                       .answer("www.example", rr::HTTPS, rdata)
                       .bytes();
    ASSERT_EQ(parse(w), "ok");
    ASSERT_EQ(m.answers[0].addr_count, 1);
    EXPECT_EQ(m.answers[0].addrs[0].to_string(), "192.0.2.9");
}

TEST_F(DnsMessageTest, RejectsIpv4HintNotAMultipleOfFour)
{
    Wire rdata{0, 1, 0};                          // priority 1, target "."
    rdata.insert(rdata.end(), {0, 4, 0, 5});      // ipv4hint, length 5
    rdata.insert(rdata.end(), {192, 0, 2, 1, 7}); // one address and a stray octet
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example", rr::HTTPS)
                       .answer("www.example", rr::HTTPS, rdata)
                       .bytes();
    EXPECT_EQ(parse(w), "dns.rdata_bad_length");
}

TEST_F(DnsMessageTest, RejectsSvcParamValuePastRdata)
{
    Wire rdata{0, 1, 0};                      // priority 1, target "."
    rdata.insert(rdata.end(), {0, 6, 0, 16}); // ipv6hint, length 16 ...
    rdata.insert(rdata.end(), 15, 0x20);      // ... but only 15 octets inside RDATA
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example", rr::HTTPS)
                       .answer("www.example", rr::HTTPS, rdata)
                       .raw({0x20}) // the 16th octet exists, but outside RDATA
                       .bytes();
    EXPECT_EQ(parse(w), "dns.rdata_bad_length");
}

TEST_F(DnsMessageTest, RejectsHttpsRdataShorterThanPriorityAndRoot)
{
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example", rr::HTTPS)
                       .answer("www.example", rr::HTTPS, Wire{0, 1})
                       .bytes();
    EXPECT_EQ(parse(w), "dns.rdata_bad_length");
}

TEST_F(DnsMessageTest, RejectsHttpsTargetRunningPastRdata)
{
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example", rr::HTTPS)
                       .answer("www.example", rr::HTTPS, Wire{0, 1, 3, 'c', 'd', 'n'})
                       .raw({0}) // the root octet that would end the name lies outside RDATA
                       .bytes();
    EXPECT_EQ(parse(w), "dns.rdata_bad_length");
}

TEST_F(DnsMessageTest, AuthorityRecordsAreCheckedForLengthOnly)
{
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example")
                       .record(Section::authority, "example", 2, 1, 300, Wire{0xFF, 0xFF, 0xFF})
                       .bytes();
    EXPECT_EQ(parse(w), "ok");
    EXPECT_EQ(m.answer_count, 0);
}

TEST_F(DnsMessageTest, UnknownAnswerTypeIsKeptWithoutData)
{
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example", rr::TXT)
                       .answer("www.example", rr::TXT, Wire{3, 'a', 'b', 'c'})
                       .bytes();
    ASSERT_EQ(parse(w), "ok");
    ASSERT_EQ(m.answer_count, 1);
    EXPECT_EQ(m.answers[0].type, rr::TXT);
    EXPECT_EQ(m.answers[0].addr_count, 0);
    EXPECT_FALSE(m.answers[0].has_target);
}

TEST_F(DnsMessageTest, KeepsAtMost64AnswersAndCountsTheRest)
{
    DnsMessageBuilder b;
    b.response().question("www.example");
    for (int i = 0; i < 70; ++i) {
        b.answer_a(DnsMessageBuilder::pointer_to(Q), "192.0.2." + std::to_string(i + 1));
    }
    ASSERT_EQ(parse(b.bytes()), "ok");
    EXPECT_EQ(m.ancount, 70);
    EXPECT_EQ(m.answer_count, MAX_ANSWERS);
    EXPECT_EQ(m.answers_omitted, 6);
    EXPECT_EQ(m.answers[63].addrs[0].to_string(), "192.0.2.64");
}

TEST_F(DnsMessageTest, Exactly64AnswersOmitNone)
{
    DnsMessageBuilder b;
    b.response().question("www.example");
    for (int i = 0; i < 64; ++i) {
        b.answer_a(DnsMessageBuilder::pointer_to(Q), "192.0.2.1");
    }
    ASSERT_EQ(parse(b.bytes()), "ok");
    EXPECT_EQ(m.answer_count, 64);
    EXPECT_EQ(m.answers_omitted, 0);
}

// --- EDNS (row 10) -----------------------------------------------------------------------------

TEST_F(DnsMessageTest, ParsesEdnsUdpSize)
{
    ASSERT_EQ(parse(DnsMessageBuilder{}.question("www.example").opt(1232).bytes()), "ok");
    EXPECT_TRUE(m.has_edns);
    EXPECT_EQ(m.edns_udp_size, 1232);
    EXPECT_FALSE(m.edns_do);
    EXPECT_EQ(m.edns_version, 0);
    EXPECT_EQ(m.edns_option_count, 0);
}

TEST_F(DnsMessageTest, ParsesEdnsDoBit)
{
    ASSERT_EQ(parse(DnsMessageBuilder{}.question("www.example").opt(4096, {}, true).bytes()), "ok");
    EXPECT_TRUE(m.edns_do);
}

TEST_F(DnsMessageTest, ParsesEdnsVersion)
{
    ASSERT_EQ(parse(DnsMessageBuilder{}.question("www.example").opt(4096, {}, false, 1).bytes()),
              "ok");
    EXPECT_EQ(m.edns_version, 1);
    EXPECT_FALSE(m.edns_do);
}

TEST_F(DnsMessageTest, ExtendedRcodeFormsTheHighBitsOfRcode)
{
    // BADVERS = 16: extended rcode 1, header rcode 0.
    const auto w = DnsMessageBuilder{}.response().opt(1232, {}, false, 0, 1).bytes();
    ASSERT_EQ(parse(w), "ok");
    EXPECT_EQ(m.edns_extended_rcode, 1);
    EXPECT_EQ(m.rcode(), 16);
    std::array<char, 12> scratch{};
    EXPECT_EQ(rcode_name(m.rcode(), scratch), "BADVERS");
}

TEST_F(DnsMessageTest, ExtendedRcodeCombinesWithHeaderRcode)
{
    const auto w = DnsMessageBuilder{}.response().rcode(3).opt(1232, {}, false, 0, 0xFF).bytes();
    ASSERT_EQ(parse(w), "ok");
    EXPECT_EQ(m.rcode(), 0xFF3);
}

TEST_F(DnsMessageTest, CountsEdnsOptions)
{
    const auto w = DnsMessageBuilder{}
                       .question("www.example")
                       .opt(1232,
                            {EdnsOption{10, Wire(8, 0xAB)}, // COOKIE, client cookie only
                             EdnsOption{12, {}}})           // PADDING, empty
                       .bytes();
    ASSERT_EQ(parse(w), "ok");
    EXPECT_EQ(m.edns_option_count, 2);
}

TEST_F(DnsMessageTest, LooksAtMost64EdnsOptions)
{
    Wire rdata;
    for (int i = 0; i < 70; ++i) {
        rdata.insert(rdata.end(), {0, 12, 0, 0}); // PADDING, length 0
    }
    const auto w = DnsMessageBuilder{}.opt_raw(1232, 0, rdata).bytes();
    ASSERT_EQ(parse(w), "ok");
    EXPECT_EQ(m.edns_option_count, MAX_EDNS_OPTIONS);
}

TEST_F(DnsMessageTest, OptionsAfterThe64thAreNotExamined)
{
    Wire rdata;
    for (int i = 0; i < 64; ++i) {
        rdata.insert(rdata.end(), {0, 12, 0, 0}); // PADDING, length 0
    }
    rdata.insert(rdata.end(), {0, 10, 0xFF}); // a broken 65th option
    const auto w = DnsMessageBuilder{}.opt_raw(1232, 0, rdata).bytes();
    EXPECT_EQ(parse(w), "ok");
    EXPECT_EQ(m.edns_option_count, 64);
}

TEST_F(DnsMessageTest, OptionFillingRdataExactlyIsAccepted)
{
    const auto w = DnsMessageBuilder{}.opt_raw(1232, 0, Wire{0, 10, 0, 2, 0xAA, 0xBB}).bytes();
    EXPECT_EQ(parse(w), "ok");
    EXPECT_EQ(m.edns_option_count, 1);
}

TEST_F(DnsMessageTest, OptionOneOctetPastRdataIsBadOption)
{
    const auto w = DnsMessageBuilder{}
                       .opt_raw(1232, 0, Wire{0, 10, 0, 3, 0xAA, 0xBB})
                       .raw({0xCC}) // the third octet exists, but outside RDATA
                       .bytes();
    EXPECT_EQ(parse(w), "dns.edns_bad_option");
    EXPECT_TRUE(m.has_edns);
}

TEST_F(DnsMessageTest, PartialOptionHeaderIsBadOption)
{
    const auto w = DnsMessageBuilder{}.opt_raw(1232, 0, Wire{0, 10, 0}).bytes();
    EXPECT_EQ(parse(w), "dns.edns_bad_option");
}

TEST_F(DnsMessageTest, OptInAnswerSectionIsNotEdns)
{
    const auto w = DnsMessageBuilder{}
                       .response()
                       .record(Section::answer, ".", rr::OPT, 1232, 0, Wire{0, 10, 0, 9})
                       .bytes();
    ASSERT_EQ(parse(w), "ok");
    EXPECT_FALSE(m.has_edns);
    EXPECT_EQ(m.answer_count, 1);
}

// --- truncation and count lies (rows 5-7) ------------------------------------------------------

TEST_F(DnsMessageTest, HeaderShorterThan12BytesIsTruncatedHeader)
{
    const auto w = DnsMessageBuilder{}.id(0x0102).response().question("www.example").bytes();
    for (std::size_t n = 0; n < 12; ++n) {
        EXPECT_EQ(parse(cut(w, n)), "dns.truncated_header") << n << " bytes";
        EXPECT_FALSE(m.has_question) << n << " bytes";
    }
}

TEST_F(DnsMessageTest, Exactly12ByteHeaderWithNoCountsIsValid)
{
    const auto w = DnsMessageBuilder{}.id(0x0102).bytes();
    ASSERT_EQ(w.size(), 12U);
    EXPECT_EQ(parse(w), "ok");
    EXPECT_EQ(m.id, 0x0102);
}

TEST_F(DnsMessageTest, QuestionCutAnywhereIsTruncatedQuestion)
{
    const auto w = DnsMessageBuilder{}.id(0x0102).question("www.example").bytes();
    for (std::size_t n = 12; n < w.size(); ++n) {
        EXPECT_EQ(parse(cut(w, n)), "dns.truncated_question") << n << " bytes";
        EXPECT_FALSE(m.has_question) << n << " bytes";
        EXPECT_EQ(m.id, 0x0102) << n << " bytes"; // the header is still reported
    }
    EXPECT_EQ(parse(w), "ok");
}

TEST_F(DnsMessageTest, QdcountLargerThanQuestionsIsCountMismatch)
{
    const auto w = DnsMessageBuilder{}.question("www.example").qdcount(2).bytes();
    EXPECT_EQ(parse(w), "dns.count_mismatch");
    EXPECT_TRUE(m.has_question);
    EXPECT_EQ(m.qname.view(), "www.example");
}

TEST_F(DnsMessageTest, SecondQuestionCutAnywhereIsCountMismatch)
{
    // QDCOUNT 2 and the data ends inside question 2: the counts are not satisfied (row 5).
    // Cuts leaving fewer than 5 octets already give dns.count_mismatch; longer cuts must
    // give the same class, not dns.truncated_question, which is for the first question.
    const auto w = DnsMessageBuilder{}.question("first.example").question("www.example").bytes();
    const std::size_t second = Q + 15 + 4; // first name (15) + type and class
    for (std::size_t n = second; n < w.size(); ++n) {
        EXPECT_EQ(parse(cut(w, n)), "dns.count_mismatch") << n << " bytes";
        EXPECT_TRUE(m.has_question) << n << " bytes";
    }
    EXPECT_EQ(parse(w), "ok");
}

TEST_F(DnsMessageTest, Qdcount65535WithOneQuestionIsCountMismatch)
{
    const auto w = DnsMessageBuilder{}.question("www.example").qdcount(65535).bytes();
    EXPECT_EQ(parse(w), "dns.count_mismatch");
}

TEST_F(DnsMessageTest, AncountLargerThanAnswersIsCountMismatch)
{
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example")
                       .answer_a("www.example", "192.0.2.1")
                       .ancount(2)
                       .bytes();
    EXPECT_EQ(parse(w), "dns.count_mismatch");
    EXPECT_EQ(m.answer_count, 1); // the answer before the lie is kept
}

TEST_F(DnsMessageTest, Ancount65535WithNoRecordsStopsAtTheEndOfTheBytes)
{
    const auto w = DnsMessageBuilder{}.response().question("www.example").ancount(65535).bytes();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(parse(w), "dns.count_mismatch");
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, std::chrono::milliseconds(100)); // no loop over 65,535 counts
    EXPECT_EQ(m.answer_count, 0);
}

TEST_F(DnsMessageTest, NscountAndArcountLiesAreCountMismatch)
{
    const auto ns = DnsMessageBuilder{}.response().question("www.example").nscount(1).bytes();
    EXPECT_EQ(parse(ns), "dns.count_mismatch");
    const auto ar = DnsMessageBuilder{}.response().question("www.example").arcount(1).bytes();
    EXPECT_EQ(parse(ar), "dns.count_mismatch");
}

TEST_F(DnsMessageTest, RecordCutInsideItsFixedFieldsIsCountMismatch)
{
    // Owner pointer (2) + 9 of the 10 fixed octets: 11 bytes, the minimum a record needs,
    // but RDLENGTH is cut.
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example")
                       .ancount(1)
                       .raw(DnsMessageBuilder::pointer_to(Q))
                       .raw({0, 1, 0, 1, 0, 0, 0x0E, 0x10, 0}) // A IN ttl=3600 rdlength-cut
                       .bytes();
    EXPECT_EQ(parse(w), "dns.count_mismatch");
}

TEST_F(DnsMessageTest, RdlengthExactlyToTheEndIsAccepted)
{
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("www.example")
                       .answer("www.example", rr::TXT, Wire{3, 'a', 'b', 'c'})
                       .bytes();
    EXPECT_EQ(parse(w), "ok");
}

TEST_F(DnsMessageTest, RdlengthOnePastTheEndIsRdataOverflow)
{
    const auto w =
        DnsMessageBuilder{}
            .response()
            .question("www.example")
            .record_with_rdlength(
                Section::answer, "www.example", rr::TXT, 1, 300, 5, Wire{3, 'a', 'b', 'c'})
            .bytes();
    EXPECT_EQ(parse(w), "dns.rdata_overflow");
}

TEST_F(DnsMessageTest, RdlengthOf65535InASmallMessageIsRdataOverflow)
{
    const auto w =
        DnsMessageBuilder{}
            .response()
            .question("www.example")
            .record_with_rdlength(
                Section::answer, "www.example", rr::A, 1, 300, 0xFFFF, Wire{192, 0, 2, 1})
            .bytes();
    EXPECT_EQ(parse(w), "dns.rdata_overflow");
}

TEST_F(DnsMessageTest, ARecordMustHoldFourOctets)
{
    for (const std::size_t len : {3U, 4U, 5U}) {
        const auto w = DnsMessageBuilder{}
                           .response()
                           .question("www.example")
                           .answer("www.example", rr::A, Wire(len, 192))
                           .bytes();
        EXPECT_EQ(parse(w), len == 4 ? "ok" : "dns.rdata_bad_length") << "rdlength " << len;
    }
}

TEST_F(DnsMessageTest, AaaaRecordMustHoldSixteenOctets)
{
    for (const std::size_t len : {15U, 16U, 17U}) {
        const auto w = DnsMessageBuilder{}
                           .response()
                           .question("www.example", rr::AAAA)
                           .answer("www.example", rr::AAAA, Wire(len, 0x20))
                           .bytes();
        EXPECT_EQ(parse(w), len == 16 ? "ok" : "dns.rdata_bad_length") << "rdlength " << len;
    }
}

// --- what survives damage, and reuse -----------------------------------------------------------

TEST_F(DnsMessageTest, HeaderQuestionAndEarlierAnswersSurviveAMalformedAnswer)
{
    const auto w = DnsMessageBuilder{}
                       .id(0x4242)
                       .response()
                       .question("www.example")
                       .answer_a("www.example", "192.0.2.1")
                       .answer("www.example", rr::A, Wire{192, 0, 2, 2, 0}) // rdlength 5
                       .answer_a("www.example", "192.0.2.3")
                       .bytes();
    EXPECT_EQ(parse(w), "dns.rdata_bad_length");
    EXPECT_EQ(m.id, 0x4242);
    EXPECT_TRUE(m.is_response());
    EXPECT_EQ(m.ancount, 3);
    EXPECT_TRUE(m.has_question);
    EXPECT_EQ(m.qname.view(), "www.example");
    EXPECT_EQ(m.qtype, rr::A);
    ASSERT_EQ(m.answer_count, 1);
    EXPECT_EQ(m.answers[0].addrs[0].to_string(), "192.0.2.1");
}

TEST_F(DnsMessageTest, ReuseLeavesNoStateFromTheLastMessage)
{
    const auto rich = DnsMessageBuilder{}
                          .id(7)
                          .response()
                          .rcode(3)
                          .question("www.example")
                          .answer_a("www.example", "192.0.2.1")
                          .opt(1232, {EdnsOption{10, Wire(8, 1)}}, true, 1, 1)
                          .bytes();
    ASSERT_EQ(parse(rich), "ok");
    ASSERT_TRUE(m.has_question);
    ASSERT_TRUE(m.has_edns);

    ASSERT_EQ(parse(DnsMessageBuilder{}.id(8).bytes()), "ok");
    EXPECT_EQ(m.id, 8);
    EXPECT_EQ(m.flags, 0);
    EXPECT_EQ(m.qdcount, 0);
    EXPECT_EQ(m.ancount, 0);
    EXPECT_EQ(m.arcount, 0);
    EXPECT_FALSE(m.has_question);
    EXPECT_EQ(m.qname.length, 0);
    EXPECT_EQ(m.qtype, 0);
    EXPECT_EQ(m.qclass, 0);
    EXPECT_EQ(m.answer_count, 0);
    EXPECT_EQ(m.answers_omitted, 0);
    EXPECT_FALSE(m.has_edns);
    EXPECT_EQ(m.edns_udp_size, 0);
    EXPECT_FALSE(m.edns_do);
    EXPECT_EQ(m.edns_version, 0);
    EXPECT_EQ(m.edns_extended_rcode, 0);
    EXPECT_EQ(m.edns_option_count, 0);
    EXPECT_EQ(m.rcode(), 0);
}

TEST_F(DnsMessageTest, ReuseAfterTruncatedHeaderClearsEverything)
{
    ASSERT_EQ(parse(DnsMessageBuilder{}.id(7).question("www.example").opt(1232).bytes()), "ok");
    EXPECT_EQ(parse(Wire{0xAB, 0xCD, 0x81}), "dns.truncated_header");
    EXPECT_FALSE(m.has_question);
    EXPECT_FALSE(m.has_edns);
    EXPECT_EQ(m.answer_count, 0);
}

TEST_F(DnsMessageTest, ReuseDoesNotCarryOverAnswerData)
{
    const auto first = DnsMessageBuilder{}
                           .response()
                           .question("www.example")
                           .answer_cname_to_qname("cdn.example")
                           .bytes();
    ASSERT_EQ(parse(first), "ok");
    ASSERT_TRUE(m.answers[0].has_target);
    const auto second =
        DnsMessageBuilder{}.response().question("www.example").answer_a("www.example", "192.0.2.1");
    ASSERT_EQ(parse(second.bytes()), "ok");
    ASSERT_EQ(m.answer_count, 1);
    EXPECT_FALSE(m.answers[0].has_target);
    EXPECT_EQ(m.answers[0].type, rr::A);
    EXPECT_EQ(m.answers[0].addr_count, 1);
}

// --- RecordNames::validate_only ---------------------------------------------------------------

TEST_F(DnsMessageTest, ValidateOnlyStillDecodesQuestionAddressesAndEdns)
{
    const auto w = DnsMessageBuilder{}
                       .response()
                       .question("WWW.example")
                       .answer_cname_to_qname("cdn.example")
                       .answer_a("cdn.example", "192.0.2.7")
                       .answer_svcb("cdn.example", 1, ".", {}, {"2001:db8::7"})
                       .opt(1232, {}, true)
                       .bytes();
    ASSERT_EQ(outcome(parse_dns_message(util::Bytes{w}, m, RecordNames::validate_only)), "ok");
    EXPECT_EQ(m.qname.view(), "www.example");
    ASSERT_EQ(m.answer_count, 3);
    EXPECT_EQ(m.answers[0].type, rr::CNAME);
    EXPECT_TRUE(m.answers[0].has_target);
    EXPECT_EQ(m.answers[1].addrs[0].to_string(), "192.0.2.7");
    ASSERT_EQ(m.answers[2].addr_count, 1);
    EXPECT_EQ(m.answers[2].addrs[0].to_string(), "2001:db8::7");
    EXPECT_TRUE(m.has_edns);
    EXPECT_TRUE(m.edns_do);
}

TEST_F(DnsMessageTest, ValidateOnlyStillChargesTheWorkBudget)
{
    EXPECT_EQ(outcome(parse_dns_message(
                  util::Bytes{long_name_shared_by(258)}, m, RecordNames::validate_only)),
              "dns.work_limit");
}

// --- names of types and rcodes (dns_types.cc) --------------------------------------------------

TEST(DnsTypes, NamesKnownTypesAndNumbersTheRest)
{
    std::array<char, 12> scratch{};
    EXPECT_EQ(qtype_name(1, scratch), "A");
    EXPECT_EQ(qtype_name(28, scratch), "AAAA");
    EXPECT_EQ(qtype_name(65, scratch), "HTTPS");
    EXPECT_EQ(qtype_name(65535, scratch), "TYPE65535");
}

TEST(DnsTypes, NamesKnownRcodesAndNumbersTheRest)
{
    std::array<char, 12> scratch{};
    EXPECT_EQ(rcode_name(0, scratch), "NOERROR");
    EXPECT_EQ(rcode_name(3, scratch), "NXDOMAIN");
    EXPECT_EQ(rcode_name(4095, scratch), "RCODE4095");
}

// --- M1: every DNS-level malformed class, one crafted message each (RELIABILITY.md 3.B) --------
//
// Each test asserts that parse_dns_message returns exactly that class. The pipeline turns it
// into one counter increment; tests/unit/dnsleak covers that step.

Wire crafted_truncated_header()
{
    return Wire(11, 0); // one octet short of a header
}

Wire crafted_truncated_question()
{
    // QDCOUNT 1, then 4 octets: less than the 5 a question needs.
    return DnsMessageBuilder{}.qdcount(1).raw({0, 0, 1, 0}).bytes();
}

Wire crafted_bad_pointer()
{
    // The question name is a pointer to its own offset.
    return DnsMessageBuilder{}.question(DnsMessageBuilder::pointer_to(Q)).bytes();
}

Wire crafted_too_many_hops()
{
    // 130 answers; the owner of each is a pointer to the owner of the one before (the first
    // to the question), so answer k takes k + 1 hops and answer 127 is the first over 127.
    DnsMessageBuilder b;
    b.response().question("www.example");
    std::size_t prev = Q;
    for (int i = 0; i < 130; ++i) {
        const auto here = b.next_offset();
        b.answer_a(DnsMessageBuilder::pointer_to(prev), "192.0.2.1");
        prev = here;
    }
    return b.bytes();
}

Wire crafted_work_limit()
{
    // The question and 257 answers cost 258 * 254 = 65,532 (within 64 KiB); the 258th
    // answer goes over.
    return long_name_shared_by(258);
}

Wire crafted_label_too_long()
{
    return DnsMessageBuilder{}.question(std::string(64, 'a') + ".example").bytes();
}

Wire crafted_bad_label_type()
{
    return DnsMessageBuilder{}.question(Wire{0x41, 0, 0}).bytes(); // extended label type
}

Wire crafted_name_too_long()
{
    return DnsMessageBuilder{}.question(name_of_wire_length(256)).bytes();
}

Wire crafted_count_mismatch()
{
    return DnsMessageBuilder{}.response().question("www.example").ancount(1).bytes();
}

Wire crafted_rdata_overflow()
{
    // RDLENGTH 4 with 3 octets left in the message.
    return DnsMessageBuilder{}
        .response()
        .question("www.example")
        .record_with_rdlength(Section::answer, "www.example", rr::A, 1, 300, 4, Wire{192, 0, 2})
        .bytes();
}

Wire crafted_rdata_bad_length()
{
    // An A record with RDLENGTH 5.
    return DnsMessageBuilder{}
        .response()
        .question("www.example")
        .answer("www.example", rr::A, Wire{192, 0, 2, 1, 0})
        .bytes();
}

Wire crafted_edns_bad_option()
{
    // Option length 9 with 8 octets of data in the OPT RDATA.
    Wire rdata{0, 10, 0, 9};
    rdata.insert(rdata.end(), 8, 0xAB);
    return DnsMessageBuilder{}.question("www.example").opt_raw(1232, 0, rdata).bytes();
}

struct Crafted {
    const char* expected;
    Wire (*make)();
};

constexpr Crafted CRAFTED[] = {
    {"dns.truncated_header", crafted_truncated_header},
    {"dns.truncated_question", crafted_truncated_question},
    {"dns.bad_pointer", crafted_bad_pointer},
    {"dns.too_many_hops", crafted_too_many_hops},
    {"dns.work_limit", crafted_work_limit},
    {"dns.label_too_long", crafted_label_too_long},
    {"dns.bad_label_type", crafted_bad_label_type},
    {"dns.name_too_long", crafted_name_too_long},
    {"dns.count_mismatch", crafted_count_mismatch},
    {"dns.rdata_overflow", crafted_rdata_overflow},
    {"dns.rdata_bad_length", crafted_rdata_bad_length},
    {"dns.edns_bad_option", crafted_edns_bad_option},
};

using DnsMessageMalformed = DnsMessageTest;

TEST_F(DnsMessageMalformed, TruncatedHeader)
{
    EXPECT_EQ(parse(crafted_truncated_header()), "dns.truncated_header");
}

TEST_F(DnsMessageMalformed, TruncatedQuestion)
{
    EXPECT_EQ(parse(crafted_truncated_question()), "dns.truncated_question");
}

TEST_F(DnsMessageMalformed, BadPointer)
{
    EXPECT_EQ(parse(crafted_bad_pointer()), "dns.bad_pointer");
}

TEST_F(DnsMessageMalformed, TooManyHops)
{
    EXPECT_EQ(parse(crafted_too_many_hops()), "dns.too_many_hops");
    EXPECT_EQ(m.answer_count, 64);
    EXPECT_EQ(m.answers_omitted, 127 - 64); // answers 0..126 decoded in at most 127 hops
}

TEST_F(DnsMessageMalformed, WorkLimit)
{
    const auto w = crafted_work_limit();
    EXPECT_LT(w.size(), 4500U); // a small message
    EXPECT_EQ(parse(w), "dns.work_limit");
    EXPECT_EQ(m.answer_count + m.answers_omitted, 257);
}

TEST_F(DnsMessageMalformed, WorkLimitNotReachedOneNameEarlier)
{
    EXPECT_EQ(parse(long_name_shared_by(257)), "ok");
}

TEST_F(DnsMessageMalformed, LabelTooLong)
{
    EXPECT_EQ(parse(crafted_label_too_long()), "dns.label_too_long");
}

TEST_F(DnsMessageMalformed, BadLabelType)
{
    EXPECT_EQ(parse(crafted_bad_label_type()), "dns.bad_label_type");
}

TEST_F(DnsMessageMalformed, NameTooLong)
{
    EXPECT_EQ(parse(crafted_name_too_long()), "dns.name_too_long");
}

TEST_F(DnsMessageMalformed, CountMismatch)
{
    EXPECT_EQ(parse(crafted_count_mismatch()), "dns.count_mismatch");
}

TEST_F(DnsMessageMalformed, RdataOverflow)
{
    EXPECT_EQ(parse(crafted_rdata_overflow()), "dns.rdata_overflow");
}

TEST_F(DnsMessageMalformed, RdataBadLength)
{
    EXPECT_EQ(parse(crafted_rdata_bad_length()), "dns.rdata_bad_length");
}

TEST_F(DnsMessageMalformed, EdnsBadOption)
{
    EXPECT_EQ(parse(crafted_edns_bad_option()), "dns.edns_bad_option");
}

TEST_F(DnsMessageMalformed, ValidateOnlyModeReturnsTheSameClassForEveryCraftedMessage)
{
    // RecordNames::validate_only skips copying names to text, but must check them the same.
    for (const auto& c : CRAFTED) {
        const auto w = c.make();
        EXPECT_EQ(outcome(parse_dns_message(util::Bytes{w}, m, RecordNames::validate_only)),
                  c.expected);
    }
}

TEST_F(DnsMessageMalformed, EveryDnsMessageClassHasACraftedMessage)
{
    // Guards the table above: the 12 DNS message classes of util::Malformed, in order.
    std::size_t k = 0;
    for (auto i = static_cast<std::size_t>(util::Malformed::dns_truncated_header);
         i <= static_cast<std::size_t>(util::Malformed::dns_edns_bad_option);
         ++i, ++k) {
        ASSERT_LT(k, std::size(CRAFTED));
        EXPECT_EQ(util::to_string(static_cast<util::Malformed>(i)), CRAFTED[k].expected);
    }
    EXPECT_EQ(k, std::size(CRAFTED));
}

} // namespace
} // namespace wtfn::proto
