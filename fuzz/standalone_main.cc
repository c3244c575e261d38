// Replays fuzz inputs when no fuzzing engine is linked (STYLE.md C12; PowerDNS
// standalone_fuzz_target_runner.cc, Zeek standalone-driver.cc).
//
//   fuzz_dns_message [-flags ignored] PATH...
//
// Each PATH is a file or a directory (walked recursively, in sorted order). Every file is read
// whole, copied into an exact-size heap buffer and passed once to LLVMFuzzerTestOneInput.
// The path is printed before each input, so the last line before a crash names the culprit.
// Exit status: 0 when every input ran, 2 when a path could not be read; a crash in the code
// under test aborts the process (under ASan/UBSan with a report).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include "fuzz_common.h"

namespace {

namespace fs = std::filesystem;

bool read_file(const fs::path& path, std::vector<char>& out)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

bool collect(const fs::path& path, std::vector<fs::path>& files)
{
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        std::vector<fs::path> found;
        for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end;
             it.increment(ec)) {
            if (it->is_regular_file(ec)) {
                found.push_back(it->path());
            }
        }
        if (ec) {
            std::fprintf(stderr, "cannot list %s: %s\n", path.c_str(), ec.message().c_str());
            return false;
        }
        std::sort(found.begin(), found.end());
        files.insert(files.end(), found.begin(), found.end());
        return true;
    }
    if (fs::is_regular_file(path, ec)) {
        files.push_back(path);
        return true;
    }
    std::fprintf(stderr, "no such file or directory: %s\n", path.c_str());
    return false;
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<fs::path> files;
    bool ok = true;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (!arg.empty() && arg[0] == '-') {
            // libFuzzer flags (-runs=0, -dict=...) mean nothing without the engine.
            std::fprintf(stderr, "ignoring engine flag %s (no fuzzing engine linked)\n", argv[i]);
            continue;
        }
        ok = collect(arg, files) && ok;
    }
    std::vector<char> bytes;
    std::size_t replayed = 0;
    for (const fs::path& f : files) {
        if (!read_file(f, bytes)) {
            std::fprintf(stderr, "cannot read %s\n", f.c_str());
            ok = false;
            continue;
        }
        std::fprintf(stderr, "running: %s (%zu bytes)\n", f.c_str(), bytes.size());
        // An exact-size copy, so a read one byte past the end trips ASan (RELIABILITY.md F6).
        const wtfn::fuzz::ExactCopy input(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                          bytes.size());
        LLVMFuzzerTestOneInput(input.data(), input.size());
        ++replayed;
    }
    std::printf("%s: replayed %zu inputs\n", argc > 0 ? argv[0] : "fuzz", replayed);
    return ok ? 0 : 2;
}
