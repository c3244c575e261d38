// Tests of src/util/escape.cc: bytes off the wire on their way to a terminal or a JSON
// document (RELIABILITY.md section 2 row 17, goal M7).
#include "util/escape.h"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace wtfn::util {
namespace {

using namespace std::string_view_literals;

std::string json(std::string_view raw)
{
    std::string out;
    append_json_string(out, raw);
    return out;
}

// --- human text: \xNN ------------------------------------------------------------------------

TEST(EscapeText, KeepsPrintableAscii)
{
    EXPECT_EQ(escaped_text("www.example-1_a ~\"'"), "www.example-1_a ~\"'");
}

TEST(EscapeText, EscapesEsc)
{
    EXPECT_EQ(escaped_text("a\x1b[2Jb"), "a\\x1b[2Jb"); // a clear-screen sequence stays inert
}

TEST(EscapeText, EscapesNulWithoutTruncating)
{
    EXPECT_EQ(escaped_text("a\0b"sv), "a\\x00b");
}

TEST(EscapeText, EscapesNewline)
{
    EXPECT_EQ(escaped_text("a\nb"), "a\\x0ab");
}

TEST(EscapeText, EscapesBackslash)
{
    // Otherwise a literal "\x1b" in a name would read the same as an escaped ESC.
    EXPECT_EQ(escaped_text("a\\b"), "a\\x5cb");
}

TEST(EscapeText, EscapesDel)
{
    EXPECT_EQ(escaped_text("\x7f"), "\\x7f");
}

TEST(EscapeText, EscapesHighBytes)
{
    EXPECT_EQ(escaped_text("\x80\xff"), "\\x80\\xff");
}

TEST(EscapeText, PrintableRangeBoundaries)
{
    EXPECT_EQ(escaped_text("\x1f"), "\\x1f"); // last control
    EXPECT_EQ(escaped_text(" "), " ");        // first printable
    EXPECT_EQ(escaped_text("~"), "~");        // last printable
    EXPECT_EQ(escaped_text("\x7f"), "\\x7f"); // first above
}

TEST(EscapeText, AppendKeepsWhatIsAlreadyThere)
{
    std::string out = "name=";
    append_escaped_text(out, "a\tb");
    EXPECT_EQ(out, "name=a\\x09b");
}

TEST(EscapeText, EmptyInputGivesEmptyOutput)
{
    EXPECT_EQ(escaped_text(""), "");
}

// --- JSON: \u00NN ------------------------------------------------------------------------------

TEST(EscapeJson, QuotesPlainText)
{
    EXPECT_EQ(json("www.example"), "\"www.example\"");
}

TEST(EscapeJson, EmptyStringIsTwoQuotes)
{
    EXPECT_EQ(json(""), "\"\"");
}

TEST(EscapeJson, EscapesQuote)
{
    EXPECT_EQ(json("a\"b"), "\"a\\\"b\"");
}

TEST(EscapeJson, EscapesBackslash)
{
    EXPECT_EQ(json("a\\b"), "\"a\\\\b\"");
}

TEST(EscapeJson, EscapesEsc)
{
    EXPECT_EQ(json("\x1b[2J"), "\"\\u001b[2J\"");
}

TEST(EscapeJson, EscapesNul)
{
    EXPECT_EQ(json("a\0b"sv), "\"a\\u0000b\"");
}

TEST(EscapeJson, EscapesNewline)
{
    EXPECT_EQ(json("a\nb"), "\"a\\u000ab\"");
}

TEST(EscapeJson, EscapesDel)
{
    EXPECT_EQ(json("\x7f"), "\"\\u007f\"");
}

TEST(EscapeJson, EscapesHighBytesOneByOne)
{
    // Byte-exact: 0xC3 0xA9 ("é" in UTF-8) is two escapes, not one code point.
    EXPECT_EQ(json("\xff"), "\"\\u00ff\"");
    EXPECT_EQ(json("\xc3\xa9"), "\"\\u00c3\\u00a9\"");
}

TEST(EscapeJson, PrintableRangeBoundaries)
{
    EXPECT_EQ(json("\x1f"), "\"\\u001f\"");
    EXPECT_EQ(json(" ~"), "\" ~\"");
    EXPECT_EQ(json("\x7f"), "\"\\u007f\"");
}

TEST(EscapeJson, AppendKeepsWhatIsAlreadyThere)
{
    std::string out = "{\"qname\":";
    append_json_string(out, "a.example");
    EXPECT_EQ(out, "{\"qname\":\"a.example\"");
}

TEST(EscapeJson, EveryByteValueGivesPrintableAsciiOnly)
{
    std::string all;
    for (int c = 0; c < 256; ++c) {
        all.push_back(static_cast<char>(c));
    }
    for (const auto& out : {json(all), escaped_text(all)}) {
        for (const char ch : out) {
            const auto c = static_cast<unsigned char>(ch);
            EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "byte " << int{c};
        }
    }
}

} // namespace
} // namespace wtfn::util
