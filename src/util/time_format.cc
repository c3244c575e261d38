#include "util/time_format.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace wtfn::util {
namespace {

struct Split {
    std::tm tm{};
    std::int64_t sub_ns = 0;
};

Split split(std::int64_t ns)
{
    Split s;
    std::int64_t secs = ns / 1'000'000'000;
    s.sub_ns = ns % 1'000'000'000;
    if (s.sub_ns < 0) {
        s.sub_ns += 1'000'000'000;
        --secs;
    }
    const auto t = static_cast<std::time_t>(secs);
    gmtime_r(&t, &s.tm);
    return s;
}

} // namespace

std::string format_iso8601_utc(std::int64_t ns_since_epoch)
{
    const Split s = split(ns_since_epoch);
    char buf[96];
    std::snprintf(buf,
                  sizeof buf,
                  "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
                  s.tm.tm_year + 1900,
                  s.tm.tm_mon + 1,
                  s.tm.tm_mday,
                  s.tm.tm_hour,
                  s.tm.tm_min,
                  s.tm.tm_sec,
                  static_cast<long long>(s.sub_ns / 1000));
    return buf;
}

std::string format_clock_utc(std::int64_t ns_since_epoch)
{
    const Split s = split(ns_since_epoch);
    char buf[64];
    std::snprintf(buf,
                  sizeof buf,
                  "%02d:%02d:%02d.%03lld",
                  s.tm.tm_hour,
                  s.tm.tm_min,
                  s.tm.tm_sec,
                  static_cast<long long>(s.sub_ns / 1'000'000));
    return buf;
}

std::int64_t now_ns()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace wtfn::util
