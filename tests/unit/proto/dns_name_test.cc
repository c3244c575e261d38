// Tests of src/proto/dns_name.cc: the only DNS name decoder (STYLE.md C3, RELIABILITY.md
// section 2 rows 1-4).
#include "proto/dns_name.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/dns_message_builder.h"

namespace wtfn::proto {
namespace {

using test::DnsMessageBuilder;
using test::Wire;

struct Decoded {
    NameStatus status = NameStatus::ok;
    std::string text;
    std::size_t offset = 0; // where the caller's offset ended up
};

// Decodes the name at `offset` in `msg` with a fresh budget.
Decoded decode(const Wire& msg, std::size_t offset)
{
    NameBudget budget;
    DnsName name;
    Decoded d;
    d.offset = offset;
    d.status = read_name(util::Bytes{msg}, d.offset, &name, budget);
    d.text = std::string(name.view());
    return d;
}

NameStatus status_at(const Wire& msg, std::size_t offset)
{
    return decode(msg, offset).status;
}

// A dotted name whose uncompressed wire form is exactly `octets` long: labels of 63
// characters, then whatever is left (never a label of 0).
std::string name_of_wire_length(std::size_t octets)
{
    std::string text;
    std::size_t rem = octets - 1; // the root octet
    char fill = 'a';
    while (rem > 0) {
        std::size_t len = std::min<std::size_t>(63, rem - 1);
        if (rem - (len + 1) == 1) {
            --len; // leave room for a final label of at least 1 character
        }
        if (!text.empty()) {
            text += '.';
        }
        text.append(len, fill++);
        rem -= len + 1;
    }
    return text;
}

// A message whose question name is `wire` (raw bytes, copied as they are).
Wire message_with_qname(const Wire& wire)
{
    return DnsMessageBuilder{}.question(wire).bytes();
}

constexpr std::size_t Q = DnsMessageBuilder::QNAME_OFFSET;

// --- plain names -----------------------------------------------------------------------------

TEST(DnsName, DecodesPlainNameAndAdvancesPastIt)
{
    const auto msg = DnsMessageBuilder{}.question("www.example").bytes();
    const auto d = decode(msg, Q);
    EXPECT_EQ(d.status, NameStatus::ok);
    EXPECT_EQ(d.text, "www.example");
    EXPECT_EQ(d.offset, Q + 13); // 03 www 07 example 00
}

TEST(DnsName, LowerCasesOnlyAsciiCapitals)
{
    // '@' (0x40) and '[' (0x5B) sit either side of A-Z and must not change.
    const auto msg = DnsMessageBuilder{}.question("WwW.@AZ[.ExAmPlE").bytes();
    EXPECT_EQ(decode(msg, Q).text, "www.@az[.example");
}

TEST(DnsName, KeepsNonPrintableBytesAsTheyAre)
{
    // Escaping is the output's job; the decoder keeps bytes so names compare byte-exactly.
    const Wire wire{3, 'a', 0x1B, 0x00, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
    const auto d = decode(message_with_qname(wire), Q);
    EXPECT_EQ(d.status, NameStatus::ok);
    EXPECT_EQ(d.text, std::string("a\x1b\0.example", 11));
}

TEST(DnsName, RootNameDecodesAsDot)
{
    const auto msg = DnsMessageBuilder{}.question(".").bytes();
    const auto d = decode(msg, Q);
    EXPECT_EQ(d.status, NameStatus::ok);
    EXPECT_EQ(d.text, ".");
    EXPECT_EQ(d.offset, Q + 1);
}

TEST(DnsName, NullOutputValidatesAndAdvances)
{
    const auto msg = DnsMessageBuilder{}.question("www.example").bytes();
    NameBudget budget;
    std::size_t off = Q;
    EXPECT_EQ(read_name(util::Bytes{msg}, off, nullptr, budget), NameStatus::ok);
    EXPECT_EQ(off, Q + 13);
}

TEST(DnsName, OffsetAtEndOfMessageIsTruncated)
{
    const auto msg = DnsMessageBuilder{}.bytes(); // header only
    EXPECT_EQ(status_at(msg, msg.size()), NameStatus::truncated);
}

// --- compression pointers (row 1) ------------------------------------------------------------

TEST(DnsName, FollowsBackwardPointer)
{
    DnsMessageBuilder b;
    b.question("a.example");
    const auto start = b.next_offset();
    b.raw({3, 'w', 'w', 'w'}).raw(DnsMessageBuilder::pointer_to(Q));
    const auto d = decode(b.bytes(), start);
    EXPECT_EQ(d.status, NameStatus::ok);
    EXPECT_EQ(d.text, "www.a.example");
}

TEST(DnsName, OffsetAdvancesTwoPastAPointer)
{
    DnsMessageBuilder b;
    b.question("a.example");
    const auto start = b.next_offset();
    b.raw(DnsMessageBuilder::pointer_to(Q)).raw({0xEE, 0xEE}); // trailing bytes: not part of it
    const auto d = decode(b.bytes(), start);
    EXPECT_EQ(d.status, NameStatus::ok);
    EXPECT_EQ(d.text, "a.example");
    EXPECT_EQ(d.offset, start + 2);
}

TEST(DnsName, OffsetAdvancesPastLabelsAndFirstPointerOnly)
{
    // www -> pointer to "mail" + pointer to "a.example": the offset stops after the first one.
    DnsMessageBuilder b;
    b.question("a.example");
    const auto mail = b.next_offset();
    b.raw({4, 'm', 'a', 'i', 'l'}).raw(DnsMessageBuilder::pointer_to(Q));
    const auto start = b.next_offset();
    b.raw({3, 'w', 'w', 'w'}).raw(DnsMessageBuilder::pointer_to(mail));
    const auto d = decode(b.bytes(), start);
    EXPECT_EQ(d.status, NameStatus::ok);
    EXPECT_EQ(d.text, "www.mail.a.example");
    EXPECT_EQ(d.offset, start + 4 + 2);
}

TEST(DnsName, RejectsPointerToItsOwnOffset)
{
    DnsMessageBuilder b;
    b.question("a.example");
    const auto start = b.next_offset();
    b.raw(DnsMessageBuilder::pointer_to(start)); // would loop forever
    EXPECT_EQ(status_at(b.bytes(), start), NameStatus::bad_pointer);
}

TEST(DnsName, RejectsPointerToStartOfItsOwnLabels)
{
    // "before the pointer byte" is not enough: this target is before it, but loops.
    DnsMessageBuilder b;
    b.question("a.example");
    const auto start = b.next_offset();
    b.raw({3, 'w', 'w', 'w'}).raw(DnsMessageBuilder::pointer_to(start));
    EXPECT_EQ(status_at(b.bytes(), start), NameStatus::bad_pointer);
}

TEST(DnsName, RejectsPointerIntoItsOwnLabels)
{
    DnsMessageBuilder b;
    b.question("a.example");
    const auto start = b.next_offset();
    b.raw({1, 'w', 1, 'x'}).raw(DnsMessageBuilder::pointer_to(start + 2)); // at "1x"
    EXPECT_EQ(status_at(b.bytes(), start), NameStatus::bad_pointer);
}

TEST(DnsName, RejectsForwardPointer)
{
    DnsMessageBuilder b;
    b.question("a.example");
    const auto start = b.next_offset();
    b.raw(DnsMessageBuilder::pointer_to(start + 2)).raw({1, 'b', 0}); // a valid name, but later
    EXPECT_EQ(status_at(b.bytes(), start), NameStatus::bad_pointer);
}

TEST(DnsName, RejectsTwoPointersPointingAtEachOther)
{
    DnsMessageBuilder b;
    b.question("a.example");
    const auto first = b.next_offset();
    const auto second = first + 2;
    b.raw(DnsMessageBuilder::pointer_to(second)).raw(DnsMessageBuilder::pointer_to(first));
    const auto msg = b.bytes();
    EXPECT_EQ(status_at(msg, first), NameStatus::bad_pointer);  // forward jump
    EXPECT_EQ(status_at(msg, second), NameStatus::bad_pointer); // back, then forward again
}

TEST(DnsName, RejectsJumpBackIntoEarlierTargetSegment)
{
    // second -> first (ok, backwards) -> first's labels then a pointer to its own start.
    DnsMessageBuilder b;
    b.question("a.example");
    const auto first = b.next_offset();
    b.raw({1, 'x'}).raw(DnsMessageBuilder::pointer_to(first));
    const auto second = b.next_offset();
    b.raw(DnsMessageBuilder::pointer_to(first));
    EXPECT_EQ(status_at(b.bytes(), second), NameStatus::bad_pointer);
}

TEST(DnsName, PointerCutAfterItsFirstByteIsTruncated)
{
    DnsMessageBuilder b;
    b.question("a.example");
    const auto start = b.next_offset();
    b.raw({3, 'w', 'w', 'w', 0xC0}); // second pointer byte missing
    EXPECT_EQ(status_at(b.bytes(), start), NameStatus::truncated);
}

// --- hop limit (row 2) -------------------------------------------------------------------------

// A message: the question "a.example", then `pointers` 2-byte names, each pointing at the one
// before it (the first at the question). Name k (1-based) takes k hops. Returns the offsets.
Wire pointer_chain(std::size_t pointers, std::vector<std::size_t>& offsets)
{
    DnsMessageBuilder b;
    b.question("a.example");
    std::size_t prev = Q;
    offsets.clear();
    for (std::size_t i = 0; i < pointers; ++i) {
        const auto here = b.next_offset();
        b.raw(DnsMessageBuilder::pointer_to(prev));
        offsets.push_back(here);
        prev = here;
    }
    return b.bytes();
}

TEST(DnsName, Accepts126PointerHops)
{
    std::vector<std::size_t> at;
    const auto msg = pointer_chain(130, at);
    const auto d = decode(msg, at[125]);
    EXPECT_EQ(d.status, NameStatus::ok);
    EXPECT_EQ(d.text, "a.example");
}

TEST(DnsName, Accepts127PointerHops)
{
    std::vector<std::size_t> at;
    const auto msg = pointer_chain(130, at);
    const auto d = decode(msg, at[126]);
    EXPECT_EQ(d.status, NameStatus::ok);
    EXPECT_EQ(d.text, "a.example");
    EXPECT_EQ(d.offset, at[126] + 2);
}

TEST(DnsName, Rejects128PointerHopsAsTooManyHops)
{
    std::vector<std::size_t> at;
    const auto msg = pointer_chain(130, at);
    EXPECT_EQ(status_at(msg, at[127]), NameStatus::too_many_hops);
}

TEST(DnsName, Rejects130NamesEachPointingToThePrevious)
{
    std::vector<std::size_t> at;
    const auto msg = pointer_chain(130, at);
    EXPECT_EQ(status_at(msg, at.back()), NameStatus::too_many_hops);
}

// --- label length and type (row 3) -------------------------------------------------------------

TEST(DnsName, AcceptsLabelOf62Octets)
{
    const auto msg = DnsMessageBuilder{}.question(std::string(62, 'a') + ".example").bytes();
    EXPECT_EQ(status_at(msg, Q), NameStatus::ok);
}

TEST(DnsName, AcceptsLabelOf63Octets)
{
    const auto msg = DnsMessageBuilder{}.question(std::string(63, 'a') + ".example").bytes();
    const auto d = decode(msg, Q);
    EXPECT_EQ(d.status, NameStatus::ok);
    EXPECT_EQ(d.text, std::string(63, 'a') + ".example");
}

TEST(DnsName, RejectsLabelOf64OctetsAsTooLong)
{
    const auto msg = DnsMessageBuilder{}.question(std::string(64, 'a') + ".example").bytes();
    EXPECT_EQ(status_at(msg, Q), NameStatus::label_too_long);
}

TEST(DnsName, RejectsEveryLengthByteFrom64To191AsTooLongExceptExtendedTypes)
{
    for (unsigned len = 0x40; len <= 0xBF; ++len) {
        if (len == 0x41 || len == 0x7F) {
            continue;
        }
        // The label bytes are present, so only the length byte can be the reason.
        Wire wire{static_cast<std::uint8_t>(len)};
        wire.insert(wire.end(), len, 'a');
        wire.push_back(0);
        EXPECT_EQ(status_at(message_with_qname(wire), Q), NameStatus::label_too_long)
            << "length byte 0x" << std::hex << len;
    }
}

TEST(DnsName, RejectsExtendedLabelType0x41)
{
    const Wire wire{0x41, 0x00, 0x00}; // RFC 6891 extended label type (binary label)
    EXPECT_EQ(status_at(message_with_qname(wire), Q), NameStatus::bad_label_type);
}

TEST(DnsName, RejectsReservedExtendedLabelType0x7F)
{
    const Wire wire{0x7F, 0x00, 0x00}; // reserved for future extended label types
    EXPECT_EQ(status_at(message_with_qname(wire), Q), NameStatus::bad_label_type);
}

TEST(DnsName, RejectsBadLabelAfterAPointer)
{
    DnsMessageBuilder b;
    b.raw({0x40, 'x'}); // a bad label at offset 12, reached only through the pointer
    const auto start = b.next_offset();
    b.raw(DnsMessageBuilder::pointer_to(Q));
    EXPECT_EQ(status_at(b.bytes(), start), NameStatus::label_too_long);
}

// --- name length (row 4) -----------------------------------------------------------------------

TEST(DnsName, TestHelperBuildsNamesOfExactWireLength)
{
    EXPECT_EQ(test::NameArg::encode(name_of_wire_length(254)).size(), 254U);
    EXPECT_EQ(test::NameArg::encode(name_of_wire_length(255)).size(), 255U);
    EXPECT_EQ(test::NameArg::encode(name_of_wire_length(256)).size(), 256U);
}

TEST(DnsName, AcceptsNameOf254WireOctets)
{
    const auto msg = DnsMessageBuilder{}.question(name_of_wire_length(254)).bytes();
    EXPECT_EQ(status_at(msg, Q), NameStatus::ok);
}

TEST(DnsName, AcceptsNameOf255WireOctetsAs253Characters)
{
    const auto text = name_of_wire_length(255);
    const auto msg = DnsMessageBuilder{}.question(text).bytes();
    const auto d = decode(msg, Q);
    EXPECT_EQ(d.status, NameStatus::ok);
    EXPECT_EQ(d.text, text);
    EXPECT_EQ(d.text.size(), MAX_NAME_TEXT);
    EXPECT_EQ(d.offset, Q + 255);
}

TEST(DnsName, RejectsNameOf256WireOctetsAsTooLong)
{
    const auto msg = DnsMessageBuilder{}.question(name_of_wire_length(256)).bytes();
    EXPECT_EQ(status_at(msg, Q), NameStatus::name_too_long);
}

TEST(DnsName, CountsWireOctetsAcrossPointers)
{
    // Target: 3 labels of 63 + root = 193 octets; in front of the pointer, one label.
    // 61 characters: 62 + 192 + 1 = 255 (ok); 62 characters: 63 + 192 + 1 = 256 (too long).
    for (const std::size_t label : {60U, 61U, 62U}) {
        DnsMessageBuilder b;
        b.question(std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c'));
        const auto start = b.next_offset();
        Wire front{static_cast<std::uint8_t>(label)};
        front.insert(front.end(), label, 'x');
        b.raw(front).raw(DnsMessageBuilder::pointer_to(Q));
        const auto d = decode(b.bytes(), start);
        EXPECT_EQ(d.status, label <= 61 ? NameStatus::ok : NameStatus::name_too_long)
            << "front label of " << label;
        if (d.status == NameStatus::ok) {
            EXPECT_EQ(d.text.size(), label + 1 + 63 * 3 + 2);
        }
    }
}

TEST(DnsName, TextNeverExceeds253Characters)
{
    // The longest legal name fills the buffer exactly; the terminator slot is untouched.
    DnsName name;
    name.text.back() = '#';
    const auto msg = DnsMessageBuilder{}.question(name_of_wire_length(255)).bytes();
    NameBudget budget;
    std::size_t off = Q;
    ASSERT_EQ(read_name(util::Bytes{msg}, off, &name, budget), NameStatus::ok);
    EXPECT_EQ(name.length, MAX_NAME_TEXT);
    EXPECT_EQ(name.text.back(), '#');
}

// --- truncation --------------------------------------------------------------------------------

TEST(DnsName, TruncatedAtEveryCutPositionOfAPlainName)
{
    const auto msg = DnsMessageBuilder{}.question("www.example").bytes();
    const std::size_t name_end = Q + 13;
    for (std::size_t cut = Q; cut < name_end; ++cut) {
        const Wire part(msg.begin(), msg.begin() + static_cast<std::ptrdiff_t>(cut));
        EXPECT_EQ(status_at(part, Q), NameStatus::truncated) << "cut at " << cut;
    }
    const Wire whole(msg.begin(), msg.begin() + static_cast<std::ptrdiff_t>(name_end));
    EXPECT_EQ(status_at(whole, Q), NameStatus::ok);
}

TEST(DnsName, TruncatedAtEveryCutPositionOfACompressedName)
{
    DnsMessageBuilder b;
    b.question("a.example");
    const auto start = b.next_offset();
    b.raw({3, 'w', 'w', 'w'}).raw(DnsMessageBuilder::pointer_to(Q));
    const auto msg = b.bytes();
    for (std::size_t cut = start; cut < msg.size(); ++cut) {
        const Wire part(msg.begin(), msg.begin() + static_cast<std::ptrdiff_t>(cut));
        EXPECT_EQ(status_at(part, start), NameStatus::truncated) << "cut at " << cut;
    }
    EXPECT_EQ(status_at(msg, start), NameStatus::ok);
}

// --- work budget (row 2) -----------------------------------------------------------------------

TEST(DnsName, BudgetChargesLabelOctetsOfEachName)
{
    const auto msg = DnsMessageBuilder{}.question("www.example").bytes();
    NameBudget budget;
    std::size_t off = Q;
    ASSERT_EQ(read_name(util::Bytes{msg}, off, nullptr, budget), NameStatus::ok);
    EXPECT_EQ(budget.octets_left, NAME_WORK_BUDGET - 12); // 4 + 8; the root is free
}

TEST(DnsName, BudgetOneMoreThanNeededLeavesOne)
{
    const auto msg = DnsMessageBuilder{}.question("www.example").bytes();
    NameBudget budget{13};
    std::size_t off = Q;
    EXPECT_EQ(read_name(util::Bytes{msg}, off, nullptr, budget), NameStatus::ok);
    EXPECT_EQ(budget.octets_left, 1U);
}

TEST(DnsName, BudgetExactlyEnoughSucceeds)
{
    const auto msg = DnsMessageBuilder{}.question("www.example").bytes();
    NameBudget budget{12};
    std::size_t off = Q;
    EXPECT_EQ(read_name(util::Bytes{msg}, off, nullptr, budget), NameStatus::ok);
    EXPECT_EQ(budget.octets_left, 0U);
}

TEST(DnsName, BudgetOneShortIsWorkLimit)
{
    const auto msg = DnsMessageBuilder{}.question("www.example").bytes();
    NameBudget budget{11};
    std::size_t off = Q;
    EXPECT_EQ(read_name(util::Bytes{msg}, off, nullptr, budget), NameStatus::work_limit);
    EXPECT_EQ(budget.octets_left, 0U);
}

TEST(DnsName, NamesOfOneMessageStopAtWorkLimitAfter64KiB)
{
    // A 255-octet name costs 254 budget octets. 258 decodes = 65,532 fit in 65,536; the
    // 259th needs its first 64 octets and only 4 are left. The 2-byte pointer at `ptr`
    // re-decodes the long name, as a small message sharing one suffix would.
    DnsMessageBuilder b;
    b.question(name_of_wire_length(255));
    const auto ptr = b.next_offset();
    b.raw(DnsMessageBuilder::pointer_to(Q));
    const auto msg = b.bytes();
    NameBudget budget;
    for (int i = 0; i < 258; ++i) {
        std::size_t off = ptr;
        ASSERT_EQ(read_name(util::Bytes{msg}, off, nullptr, budget), NameStatus::ok)
            << "decode " << i;
    }
    EXPECT_EQ(budget.octets_left, NAME_WORK_BUDGET - 258 * 254);
    std::size_t off = ptr;
    EXPECT_EQ(read_name(util::Bytes{msg}, off, nullptr, budget), NameStatus::work_limit);
}

// --- status to malformed class -----------------------------------------------------------------

TEST(DnsName, ErrorClassNamesEachFailure)
{
    using util::Malformed;
    const auto t = Malformed::dns_truncated_question;
    EXPECT_EQ(name_error_class(NameStatus::bad_pointer, t), Malformed::dns_bad_pointer);
    EXPECT_EQ(name_error_class(NameStatus::too_many_hops, t), Malformed::dns_too_many_hops);
    EXPECT_EQ(name_error_class(NameStatus::work_limit, t), Malformed::dns_work_limit);
    EXPECT_EQ(name_error_class(NameStatus::label_too_long, t), Malformed::dns_label_too_long);
    EXPECT_EQ(name_error_class(NameStatus::bad_label_type, t), Malformed::dns_bad_label_type);
    EXPECT_EQ(name_error_class(NameStatus::name_too_long, t), Malformed::dns_name_too_long);
}

TEST(DnsName, ErrorClassOfTruncatedIsTheCallersChoice)
{
    using util::Malformed;
    EXPECT_EQ(name_error_class(NameStatus::truncated, Malformed::dns_truncated_question),
              Malformed::dns_truncated_question);
    EXPECT_EQ(name_error_class(NameStatus::truncated, Malformed::dns_count_mismatch),
              Malformed::dns_count_mismatch);
}

} // namespace
} // namespace wtfn::proto
