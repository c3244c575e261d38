// privacy: the mode names, the registrable domain of wire names (including the hostile ones),
// the keyed name hash against a known answer from `openssl dgst -mac HMAC`, the key file
// (0600 under umask 000, reused, symlink and wrong-size files refused, a loose mode warned
// about: RELIABILITY.md O1, O4), and command-line truncation on UTF-8 boundaries.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "dnsleak/privacy/cmdline.h"
#include "dnsleak/privacy/name_hasher.h"
#include "dnsleak/privacy/privacy_key.h"
#include "dnsleak/privacy/privacy_mode.h"
#include "dnsleak/privacy/public_suffix.h"

namespace wtfn::dnsleak {
namespace {

// ---- PrivacyMode ----

TEST(PrivacyModeTest, NamesRoundTrip)
{
    for (const PrivacyMode m : {PrivacyMode::full, PrivacyMode::redacted, PrivacyMode::minimal}) {
        const auto parsed = parse_privacy_mode(to_string(m));
        ASSERT_TRUE(parsed.has_value()) << to_string(m);
        EXPECT_EQ(*parsed, m);
    }
    EXPECT_EQ(to_string(PrivacyMode::full), "full");
    EXPECT_EQ(to_string(PrivacyMode::redacted), "redacted");
    EXPECT_EQ(to_string(PrivacyMode::minimal), "minimal");
    EXPECT_EQ(DEFAULT_PRIVACY_MODE, PrivacyMode::redacted);
}

TEST(PrivacyModeTest, RejectsAnythingButTheExactNames)
{
    for (const char* bad : {"Full", "", "redact", "MINIMAL", " full", "full ", "none"}) {
        EXPECT_FALSE(parse_privacy_mode(bad).has_value()) << '"' << bad << '"';
    }
    EXPECT_FALSE(parse_privacy_mode(std::string_view("full\0", 5)).has_value());
}

// ---- registrable_domain ----

TEST(PublicSuffixTest, RegistrableDomains)
{
    EXPECT_EQ(registrable_domain("example.com"), "example.com");
    EXPECT_EQ(registrable_domain("www.example.co.uk"), "example.co.uk");
    EXPECT_EQ(registrable_domain("a.b.c.example.com."), "example.com");
    EXPECT_EQ(registrable_domain("a.b.example.com."), "example.com");
    EXPECT_EQ(registrable_domain("_dns.resolver.arpa"), "resolver.arpa");
}

TEST(PublicSuffixTest, LowerCasesInput)
{
    EXPECT_EQ(registrable_domain("WWW.Example.CO.UK."), "example.co.uk");
    EXPECT_EQ(registrable_domain("MAIL.EXAMPLE.COM"), "example.com");
}

TEST(PublicSuffixTest, PublicSuffixesHaveNone)
{
    EXPECT_EQ(registrable_domain("co.uk"), "");
    EXPECT_EQ(registrable_domain("co.uk."), "");
    EXPECT_EQ(registrable_domain("com"), "");
    EXPECT_EQ(registrable_domain("COM."), "");
}

TEST(PublicSuffixTest, EmptyRootAndEmptyLabels)
{
    EXPECT_EQ(registrable_domain(""), "");
    EXPECT_EQ(registrable_domain("."), "");
    EXPECT_EQ(registrable_domain(".."), "");
    EXPECT_EQ(registrable_domain("a..b.com"), "");
    EXPECT_EQ(registrable_domain(".example.com"), "");
    EXPECT_EQ(registrable_domain("example.com.."), "");
}

TEST(PublicSuffixTest, BytesOutsidePrintableAsciiHaveNone)
{
    EXPECT_EQ(registrable_domain("a\\.example.com"), "");
    EXPECT_EQ(registrable_domain("a\\000.example.com"), "");
    EXPECT_EQ(registrable_domain("www.example\\.com"), "");
    EXPECT_EQ(registrable_domain("a\x01.example.com"), "");
    EXPECT_EQ(registrable_domain(std::string_view("a\0b.example.com", 15)), "");
    EXPECT_EQ(registrable_domain("a b.example.com"), "");
    EXPECT_EQ(registrable_domain("caf\xc3\xa9.example.com"), "");
    EXPECT_EQ(registrable_domain("x.ex\x7f"
                                 "ample.com"),
              "");
    EXPECT_EQ(registrable_domain("x.example.com\n"), "");
}

TEST(PublicSuffixTest, OverlongNameHasNone)
{
    std::string name;
    while (name.size() < 300) {
        name += "abcdefghi.";
    }
    name += "example.com";
    EXPECT_EQ(registrable_domain(name), "");
    // 255 bytes is still accepted.
    std::string edge(255 - std::string(".example.com").size(), 'a');
    for (std::size_t i = 60; i < edge.size(); i += 61) {
        edge[i] = '.';
    }
    edge += ".example.com";
    ASSERT_EQ(edge.size(), 255u);
    EXPECT_EQ(registrable_domain(edge), "example.com");
}

TEST(PublicSuffixTest, InternationalizedNamesInAceForm)
{
    // xn--mnchen-3ya = münchen; xn--fiqs8s = 中国, itself a public suffix.
    EXPECT_EQ(registrable_domain("www.xn--mnchen-3ya.de"), "xn--mnchen-3ya.de");
    EXPECT_EQ(registrable_domain("www.example.xn--fiqs8s"), "example.xn--fiqs8s");
    EXPECT_EQ(registrable_domain("xn--fiqs8s"), "");
}

// ---- NameHasher ----

PrivacyKey counting_key(std::uint8_t start = 0)
{
    PrivacyKey key{};
    for (std::size_t i = 0; i < key.size(); ++i) {
        key[i] = static_cast<std::uint8_t>(start + i);
    }
    return key;
}

TEST(NameHasherTest, KnownAnswer)
{
    // printf 'www.example.com' | openssl dgst -sha256 -mac HMAC
    //     -macopt hexkey:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
    // = e40bd069916baaab301ea3fdb5b01ff5b7fbbd4c524a5ff04eecba425915fe43
    const NameHasher hasher(counting_key());
    ASSERT_TRUE(hasher.ok());
    EXPECT_EQ(hasher.hash("www.example.com"), "e40bd069916baaab301ea3fd");
    // 'mail.example.org' -> a31eafe59e15330289df7eedd37c07230db1420af24327c332a3c2647a034868
    EXPECT_EQ(hasher.hash("mail.example.org"), "a31eafe59e15330289df7eed");
    // A name longer than the 64-byte lower-casing chunk: 'a'*63 . 'b'*63 . 'c'*50 .example.com
    // -> d308aa8894a368ca75862de5ac2a2510b9eb425effeed859ce5eee36f65147d9
    const std::string long_name = std::string(63, 'A') + "." + std::string(63, 'b') + "." +
                                  std::string(50, 'C') + ".Example.com.";
    EXPECT_EQ(hasher.hash(long_name), "d308aa8894a368ca75862de5");
}

TEST(NameHasherTest, DeterministicAndShaped)
{
    const NameHasher hasher(counting_key());
    const std::string h = hasher.hash("www.example.com");
    EXPECT_EQ(h.size(), 24u);
    EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(hasher.hash("www.example.com"), h);
    }
    EXPECT_EQ(NameHasher(counting_key()).hash("www.example.com"), h);
}

TEST(NameHasherTest, CaseAndTrailingDotInsensitive)
{
    const NameHasher hasher(counting_key());
    const std::string h = hasher.hash("www.example.com");
    EXPECT_EQ(hasher.hash("WWW.Example.com."), h);
    EXPECT_EQ(hasher.hash("www.example.com."), h);
    EXPECT_NE(hasher.hash("www.example.com.."), h); // only one trailing dot is dropped
    EXPECT_EQ(hasher.hash("."), hasher.hash(""));
}

TEST(NameHasherTest, DifferentKeysAndNamesDiffer)
{
    const NameHasher a(counting_key(0));
    const NameHasher b(counting_key(1));
    EXPECT_NE(a.hash("www.example.com"), b.hash("www.example.com"));
    EXPECT_NE(a.hash("www.example.com"), a.hash("www.example.org"));
    EXPECT_NE(a.hash("www.example.com"), a.hash("ww.example.com"));
    // Names are byte-exact: a NUL does not end one.
    EXPECT_NE(a.hash(std::string_view("a\0b", 3)), a.hash("a"));
}

TEST(NameHasherTest, CopiesAndMovesHashTheSame)
{
    NameHasher original(counting_key());
    const std::string h = original.hash("www.example.com");
    const NameHasher copy(original);
    EXPECT_EQ(copy.hash("www.example.com"), h);
    NameHasher assigned(counting_key(7));
    assigned = copy;
    EXPECT_EQ(assigned.hash("www.example.com"), h);
    NameHasher moved(std::move(original));
    EXPECT_EQ(moved.hash("www.example.com"), h);
    NameHasher move_assigned(counting_key(9));
    move_assigned = std::move(moved);
    EXPECT_EQ(move_assigned.hash("www.example.com"), h);
    std::vector<NameHasher> per_thread(3, copy);
    for (const NameHasher& one : per_thread) {
        EXPECT_EQ(one.hash("WWW.EXAMPLE.COM"), h);
    }
}

// ---- load_or_create_privacy_key ----

class PrivacyKeyTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        char pattern[] = "/tmp/wtfn-privacy-test-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        dir_ = pattern;
    }

    void TearDown() override
    {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    std::string path(const std::string& rel) const { return dir_ + "/" + rel; }

    static void write_file(const std::string& p, const std::string& bytes, mode_t mode)
    {
        const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        ASSERT_GE(fd, 0) << p;
        ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
        ASSERT_EQ(::fchmod(fd, mode), 0);
        ::close(fd);
    }

    static std::string read_file(const std::string& p)
    {
        std::ifstream in(p, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }

    static mode_t mode_of(const std::string& p)
    {
        struct stat st {};

        EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
        return st.st_mode & 07777;
    }

    static void expect_one_printable_line(const std::string& text)
    {
        EXPECT_FALSE(text.empty());
        for (const char c : text) {
            const auto u = static_cast<unsigned char>(c);
            EXPECT_TRUE(u >= 0x20 && u < 0x7f) << "byte " << int(u) << " in: " << text;
        }
    }

    std::string dir_;
};

TEST_F(PrivacyKeyTest, CreatedMode0600UnderUmask000)
{
    const mode_t old = ::umask(0);
    const std::string key_path = path("state/wtfn/privacy.key");
    const KeyResult r = load_or_create_privacy_key(key_path);
    ::umask(old);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_TRUE(r.created);
    EXPECT_TRUE(r.warning.empty()) << r.warning;
    EXPECT_EQ(mode_of(key_path), 0600u);
    EXPECT_EQ(mode_of(path("state")), 0700u);
    EXPECT_EQ(mode_of(path("state/wtfn")), 0700u);
    const std::string bytes = read_file(key_path);
    ASSERT_EQ(bytes.size(), PRIVACY_KEY_BYTES);
    EXPECT_EQ(bytes, std::string(r.key.begin(), r.key.end()));
    EXPECT_NE(r.key, PrivacyKey{});
    // No temporary file is left next to the key.
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(path("state/wtfn"))) {
        ++entries;
    }
    EXPECT_EQ(entries, 1u);
}

TEST_F(PrivacyKeyTest, ExistingDirectoryModeLeftAlone)
{
    ASSERT_EQ(::mkdir(path("shared").c_str(), 0755), 0);
    ASSERT_EQ(::chmod(path("shared").c_str(), 0755), 0);
    const KeyResult r = load_or_create_privacy_key(path("shared/privacy.key"));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(mode_of(path("shared")), 0755u);
}

TEST_F(PrivacyKeyTest, ReusedOnSecondCall)
{
    const std::string key_path = path("privacy.key");
    const KeyResult first = load_or_create_privacy_key(key_path);
    ASSERT_TRUE(first.ok) << first.error;
    EXPECT_TRUE(first.created);
    const KeyResult second = load_or_create_privacy_key(key_path);
    ASSERT_TRUE(second.ok) << second.error;
    EXPECT_FALSE(second.created);
    EXPECT_EQ(second.key, first.key);
    EXPECT_TRUE(second.warning.empty()) << second.warning;
    // A different path gets a different key.
    const KeyResult other = load_or_create_privacy_key(path("other.key"));
    ASSERT_TRUE(other.ok) << other.error;
    EXPECT_NE(other.key, first.key);
}

TEST_F(PrivacyKeyTest, ConcurrentCreatorsAgreeOnOneKey)
{
    for (int round = 0; round < 10; ++round) {
        const std::string key_path = path("race" + std::to_string(round) + "/privacy.key");
        constexpr int THREADS = 6;
        std::vector<KeyResult> results(THREADS);
        std::vector<std::thread> threads;
        for (int t = 0; t < THREADS; ++t) {
            threads.emplace_back([&, t] { results[t] = load_or_create_privacy_key(key_path); });
        }
        for (auto& t : threads) {
            t.join();
        }
        int created = 0;
        for (const KeyResult& r : results) {
            ASSERT_TRUE(r.ok) << r.error;
            EXPECT_EQ(r.key, results[0].key);
            created += r.created ? 1 : 0;
        }
        EXPECT_EQ(created, 1);
    }
}

TEST_F(PrivacyKeyTest, GroupReadableKeyWarnsButIsUsed)
{
    const std::string key_path = path("privacy.key");
    const std::string bytes(32, 'k');
    write_file(key_path, bytes, 0640);
    const KeyResult r = load_or_create_privacy_key(key_path);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_FALSE(r.created);
    EXPECT_EQ(std::string(r.key.begin(), r.key.end()), bytes);
    EXPECT_NE(r.warning.find("chmod 600 " + key_path), std::string::npos) << r.warning;
    EXPECT_NE(r.warning.find("(mode 0640)"), std::string::npos) << r.warning;
    EXPECT_EQ(r.warning.find(key_path), 0u) << r.warning;
    expect_one_printable_line(r.warning);

    write_file(key_path, bytes, 0604);
    EXPECT_NE(load_or_create_privacy_key(key_path).warning.find("(mode 0604)"), std::string::npos);
    write_file(key_path, bytes, 0400);
    EXPECT_TRUE(load_or_create_privacy_key(key_path).warning.empty());
}

TEST_F(PrivacyKeyTest, SymlinkIsRefusedAndTargetUntouched)
{
    const std::string key_path = path("privacy.key");
    const std::string target = path("target");
    // Dangling: a create through the link would make the target.
    ASSERT_EQ(::symlink(target.c_str(), key_path.c_str()), 0);
    KeyResult r = load_or_create_privacy_key(key_path);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find(key_path), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("remove the symlink"), std::string::npos) << r.error;
    expect_one_printable_line(r.error);
    EXPECT_FALSE(std::filesystem::exists(target));

    // Pointing at a valid key file: still refused, and the file is unchanged.
    const std::string bytes(32, 't');
    write_file(target, bytes, 0600);
    r = load_or_create_privacy_key(key_path);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("remove the symlink"), std::string::npos) << r.error;
    EXPECT_EQ(read_file(target), bytes);
    EXPECT_EQ(mode_of(target), 0600u);
}

TEST_F(PrivacyKeyTest, WrongSizeIsRefused)
{
    const std::string key_path = path("privacy.key");
    write_file(key_path, std::string(31, 'x'), 0600);
    KeyResult r = load_or_create_privacy_key(key_path);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error,
              key_path + ": privacy key must be 32 bytes, found 31; remove it and a new one "
                         "will be made (hashes from earlier runs will then differ)");
    EXPECT_EQ(read_file(key_path), std::string(31, 'x')); // left for the user to decide

    write_file(key_path, std::string(33, 'x'), 0600);
    r = load_or_create_privacy_key(key_path);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("found 33"), std::string::npos) << r.error;

    write_file(key_path, "", 0600);
    r = load_or_create_privacy_key(key_path);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("found 0"), std::string::npos) << r.error;
}

TEST_F(PrivacyKeyTest, NonRegularFilesAreRefusedWithoutHanging)
{
    ASSERT_EQ(::mkfifo(path("fifo.key").c_str(), 0600), 0);
    KeyResult r = load_or_create_privacy_key(path("fifo.key"));
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("not a regular file"), std::string::npos) << r.error;
    expect_one_printable_line(r.error);

    ASSERT_EQ(::mkdir(path("dir.key").c_str(), 0700), 0);
    r = load_or_create_privacy_key(path("dir.key"));
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("not a regular file"), std::string::npos) << r.error;
}

TEST_F(PrivacyKeyTest, ParentThatIsAFileGivesOneLineError)
{
    write_file(path("file"), "not a directory", 0600);
    for (const std::string& key_path : {path("file/privacy.key"), path("file/sub/privacy.key")}) {
        const KeyResult r = load_or_create_privacy_key(key_path);
        EXPECT_FALSE(r.ok) << key_path;
        EXPECT_NE(r.error.find(path("file")), std::string::npos) << r.error;
        EXPECT_NE(r.error.find("Not a directory"), std::string::npos) << r.error;
        EXPECT_NE(r.error.find("WTFN_PRIVACY_KEY"), std::string::npos) << r.error;
        expect_one_printable_line(r.error);
    }
    EXPECT_EQ(read_file(path("file")), "not a directory");
}

TEST_F(PrivacyKeyTest, PathsInErrorsAreEscaped)
{
    const std::string odd = path("evil\n\x1b[2J");
    ASSERT_EQ(::symlink("/nonexistent", odd.c_str()), 0);
    const KeyResult r = load_or_create_privacy_key(odd);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("evil\\x0a\\x1b[2J"), std::string::npos) << r.error;
    expect_one_printable_line(r.error);
}

TEST_F(PrivacyKeyTest, UnwritableDirectoryNamesTheFix)
{
    if (::geteuid() == 0) {
        GTEST_SKIP() << "root writes anywhere";
    }
    ASSERT_EQ(::mkdir(path("ro").c_str(), 0500), 0);
    const KeyResult r = load_or_create_privacy_key(path("ro/privacy.key"));
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("Permission denied"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("WTFN_PRIVACY_KEY"), std::string::npos) << r.error;
    expect_one_printable_line(r.error);
}

class PrivacyKeyPathTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        for (const char* name : {"WTFN_PRIVACY_KEY", "XDG_STATE_HOME", "HOME"}) {
            const char* v = std::getenv(name);
            saved_.emplace_back(
                name, v == nullptr ? std::optional<std::string>() : std::optional<std::string>(v));
        }
    }

    void TearDown() override
    {
        for (const auto& [name, value] : saved_) {
            if (value) {
                ::setenv(name.c_str(), value->c_str(), 1);
            } else {
                ::unsetenv(name.c_str());
            }
        }
    }

    std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(PrivacyKeyPathTest, EnvironmentOverridesEverything)
{
    ::setenv("WTFN_PRIVACY_KEY", "/srv/keys/wtfn.key", 1);
    EXPECT_EQ(default_privacy_key_path(), "/srv/keys/wtfn.key");
}

TEST_F(PrivacyKeyPathTest, DefaultsByUser)
{
    ::unsetenv("WTFN_PRIVACY_KEY");
    ::setenv("XDG_STATE_HOME", "/home/u/.state", 1);
    ::setenv("HOME", "/home/u", 1);
    if (::geteuid() == 0) {
        EXPECT_EQ(default_privacy_key_path(), "/var/lib/wtfn/privacy.key");
        return;
    }
    EXPECT_EQ(default_privacy_key_path(), "/home/u/.state/wtfn/privacy.key");
    ::setenv("XDG_STATE_HOME", "relative", 1);
    EXPECT_EQ(default_privacy_key_path(), "/home/u/.local/state/wtfn/privacy.key");
    ::unsetenv("XDG_STATE_HOME");
    EXPECT_EQ(default_privacy_key_path(), "/home/u/.local/state/wtfn/privacy.key");
}

// ---- truncate_cmdline ----

TEST(CmdlineTest, ShortIsUnchanged)
{
    EXPECT_EQ(truncate_cmdline("dig"), "dig");
    EXPECT_EQ(truncate_cmdline(""), "");
    const std::string exact(48, 'x');
    EXPECT_EQ(truncate_cmdline(exact), exact);
}

TEST(CmdlineTest, NulsBecomeSpaces)
{
    using namespace std::string_literals;
    EXPECT_EQ(truncate_cmdline("/usr/bin/dig\0+short\0example.com\0"s),
              "/usr/bin/dig +short example.com");
    EXPECT_EQ(truncate_cmdline("a\0\0b"s), "a  b");
    EXPECT_EQ(truncate_cmdline("\0\0"s), "");
}

TEST(CmdlineTest, CutAtMaxWithEllipsis)
{
    const std::string long_line(100, 'a');
    EXPECT_EQ(truncate_cmdline(long_line), std::string(48, 'a') + "\xE2\x80\xA6");
    EXPECT_EQ(truncate_cmdline(long_line, 10), std::string(10, 'a') + "\xE2\x80\xA6");
    EXPECT_EQ(truncate_cmdline("abc", 0), "\xE2\x80\xA6");
    using namespace std::string_literals;
    // The NUL replaced inside the kept part too; the 49 bytes are cut, the terminator is not.
    EXPECT_EQ(truncate_cmdline("curl\0"s + std::string(44, 'u') + "\0"s),
              "curl " + std::string(43, 'u') + "\xE2\x80\xA6");
}

TEST(CmdlineTest, NeverSplitsAUtf8Character)
{
    const std::string euro = "\xE2\x82\xAC";      // 3 bytes
    const std::string emoji = "\xF0\x9F\x98\x80"; // 4 bytes
    const std::string e_acute = "\xC3\xA9";       // 2 bytes
    // "ab" + euro: every cut inside the euro backs off to "ab".
    EXPECT_EQ(truncate_cmdline("ab" + euro + "z", 3), "ab\xE2\x80\xA6");
    EXPECT_EQ(truncate_cmdline("ab" + euro + "z", 4), "ab\xE2\x80\xA6");
    EXPECT_EQ(truncate_cmdline("ab" + euro + "z", 5), "ab" + euro + "\xE2\x80\xA6");
    for (std::size_t max = 1; max <= 5; ++max) {
        const std::string out = truncate_cmdline("a" + emoji + "b", max);
        const std::string expect = max < 5 ? "a" : "a" + emoji;
        EXPECT_EQ(out, expect + "\xE2\x80\xA6") << max;
    }
    EXPECT_EQ(truncate_cmdline("a" + emoji + "b", 6), "a" + emoji + "b");
    // Many 2-byte characters: the cut lands on an even byte count.
    std::string accents;
    for (int i = 0; i < 40; ++i) {
        accents += e_acute;
    }
    EXPECT_EQ(truncate_cmdline(accents), accents.substr(0, 48) + "\xE2\x80\xA6");
    EXPECT_EQ(truncate_cmdline("x" + accents), "x" + accents.substr(0, 46) + "\xE2\x80\xA6");
    // Invalid UTF-8 (continuation bytes only) backs off at most 3 bytes and does not loop.
    const std::string junk(10, '\x80');
    EXPECT_EQ(truncate_cmdline(junk, 5), std::string(2, '\x80') + "\xE2\x80\xA6");
}

// ---- redact_cmdline: the program and its options, never a name, an address or a URL ----

TEST(CmdlineTest, RedactedKeepsTheProgramAndOptionsOnly)
{
    EXPECT_EQ(redact_cmdline(std::string("/usr/bin/dig\0@10.0.0.53\0secret.example\0+short\0", 46)),
              "dig * * +short");
    EXPECT_EQ(redact_cmdline("curl -s https://secret.example/path"), "curl -s *");
    EXPECT_EQ(redact_cmdline("kdig --tls-host=secret.example +tls -p 853 @1.1.1.1"),
              "kdig --tls-host=* +tls -p * *");
    EXPECT_EQ(redact_cmdline("/home/alice/bin/tool"), "tool");
    EXPECT_EQ(redact_cmdline(""), "");
}

TEST(CmdlineTest, RedactedIsCutLikeTruncated)
{
    const std::string many = "prog" + std::string(30, ' ') + std::string(200, 'x');
    const std::string out =
        redact_cmdline("prog -a -b -c -d -e -f -g -h -i -j -k -l -m -n -o -p -q -r -s");
    EXPECT_LE(out.size(), REDACTED_CMDLINE_BYTES + 3);
    EXPECT_EQ(out.substr(0, 10), "prog -a -b");
    EXPECT_EQ(redact_cmdline(many), "prog *");
}

} // namespace
} // namespace wtfn::dnsleak
