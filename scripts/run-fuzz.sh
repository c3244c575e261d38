#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 (ASan + UBSan) and runs each of them for a fixed
# time (RELIABILITY.md F2; docs/fuzzing.md).
#
# Usage: scripts/run-fuzz.sh [SECONDS=60] [BUILD_DIR=build-fuzz]
#
#   SECONDS    run time per target (-max_total_time)
#   BUILD_DIR  build tree, relative to the repository root unless absolute
#
# Environment:
#   FUZZ_PARALLEL     targets run at the same time (default 2: CI machines have 2 cores)
#   FUZZ_TARGETS      space-separated subset of targets to run (default: all)
#   JOBS              build parallelism (default 1)
#   WTFN_FUZZ_CMAKE_ARGS  extra configure arguments, e.g. -DWTFN_WERROR=OFF
#
# Each target fuzzes a fresh copy of fuzz/corpus/<target>/ under BUILD_DIR/fuzz-run/<target>/,
# so the committed corpus never grows (fuzz/regress/ is replayed by CTest, not fuzzed from); crash, timeout and
# out-of-memory inputs land in BUILD_DIR/fuzz-run/<target>/artifacts/. For each target the
# script prints libFuzzer's stat::number_of_executed_units and the exit status. It exits
# non-zero if any target crashed, timed out, leaked or ran out of memory. Final line:
# "fuzz: N passed, M failed".
set -uo pipefail

seconds="${1:-60}"
build_arg="${2:-build-fuzz}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "$build_arg" in
    /*) build="$build_arg" ;;
    *) build="$root/$build_arg" ;;
esac
parallel="${FUZZ_PARALLEL:-2}"
jobs_build="${JOBS:-1}"

if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
    echo "run-fuzz.sh: SECONDS must be a positive integer, got '$seconds'" >&2
    echo "usage: scripts/run-fuzz.sh [SECONDS=60] [BUILD_DIR=build-fuzz]" >&2
    exit 2
fi
for tool in clang-14 clang++-14 cmake ninja; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "run-fuzz.sh: $tool not found (Debian 12: apt-get install clang-14 libclang-rt-14-dev cmake ninja-build)" >&2
        exit 2
    fi
done

all_targets=(fuzz_dns_name fuzz_dns_message fuzz_linklayer fuzz_ip_transport
    fuzz_dns_tcp_stream fuzz_sniff fuzz_pcap_file fuzz_system_dns fuzz_rtnl fuzz_policy
    fuzz_report fuzz_owner_parsers)
if [ -n "${FUZZ_TARGETS:-}" ]; then
    read -r -a targets <<<"$FUZZ_TARGETS"
else
    targets=("${all_targets[@]}")
fi

# Per-target options: -max_len (65,535 for DNS/TCP/link/IP, 1 MiB for capture files, reports
# and event streams) and the dictionary for the targets that parse DNS or resolv.conf.
max_len_of() {
    case "$1" in
        fuzz_pcap_file | fuzz_report) echo 1048576 ;;
        *) echo 65535 ;;
    esac
}
dict_of() {
    case "$1" in
        fuzz_dns_name | fuzz_dns_message | fuzz_dns_tcp_stream | fuzz_pcap_file)
            echo "-dict=$root/fuzz/dns.dict" ;;
        fuzz_system_dns) echo "-dict=$root/fuzz/system_dns.dict" ;;
        *) echo "" ;;
    esac
}

echo "== configure ($build)"
# shellcheck disable=SC2086  # WTFN_FUZZ_CMAKE_ARGS is a list of arguments
if ! CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DWTFN_FUZZ=ON -DWTFN_SANITIZE=address,undefined \
    -DWTFN_BUILD_TESTS=OFF -DWTFN_BUILD_BENCH=OFF \
    ${WTFN_FUZZ_CMAKE_ARGS:-} >"$build.configure.log" 2>&1; then
    cat "$build.configure.log" >&2
    echo "run-fuzz.sh: configure failed" >&2
    exit 2
fi
rm -f "$build.configure.log"
echo "== build (-j$jobs_build)"
if ! cmake --build "$build" -j "$jobs_build" --target "${targets[@]}"; then
    echo "run-fuzz.sh: build failed" >&2
    exit 2
fi

run_root="$build/fuzz-run"
mkdir -p "$run_root"

run_one() {
    local t="$1"
    local dir="$run_root/$t"
    rm -rf "$dir"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    # Work on a copy: libFuzzer adds new inputs to the corpus directory.
    if [ -d "$root/fuzz/corpus/$t" ]; then
        cp -R "$root/fuzz/corpus/$t/." "$dir/corpus/"
    fi
    local dict
    dict="$(dict_of "$t")"
    local rc=0
    # shellcheck disable=SC2086  # $dict is empty or one argument
    ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
        UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
        "$build/fuzz/$t" \
        -max_total_time="$seconds" -print_final_stats=1 \
        -rss_limit_mb=512 -timeout=2 -max_len="$(max_len_of "$t")" $dict \
        -artifact_prefix="$dir/artifacts/" \
        "$dir/corpus" >"$dir/log" 2>&1 || rc=$?
    echo "$rc" >"$dir/rc"
}

children=()
stop_children() {
    # Only the processes this script started: each run_one subshell and its fuzzer.
    for pid in "${children[@]}"; do
        pkill -TERM -P "$pid" 2>/dev/null
        kill "$pid" 2>/dev/null
    done
    echo "run-fuzz.sh: interrupted" >&2
    exit 130
}
trap stop_children INT TERM

echo "== fuzz: ${#targets[@]} targets, ${seconds}s each, $parallel at a time"
for t in "${targets[@]}"; do
    if [ ! -x "$build/fuzz/$t" ]; then
        echo "run-fuzz.sh: no such target: $t" >&2
        exit 2
    fi
    while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do
        wait -n
    done
    echo "   start $t"
    run_one "$t" &
    children+=("$!")
done
wait
trap - INT TERM

passed=0
failed=0
echo "== results"
printf '%-22s %14s %10s  %s\n' target execs exec/s status
for t in "${targets[@]}"; do
    dir="$run_root/$t"
    rc="$(cat "$dir/rc" 2>/dev/null || echo 1)"
    execs="$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$dir/log" | tail -n 1)"
    execs="${execs:-n/a}"
    rate="n/a"
    if [[ "$execs" =~ ^[0-9]+$ ]]; then
        rate=$((execs / seconds))
    fi
    if [ "$rc" -eq 0 ]; then
        status="ok (rc 0)"
        passed=$((passed + 1))
    else
        if grep -q "ERROR: libFuzzer: timeout" "$dir/log"; then
            status="TIMEOUT"
        elif grep -q "ERROR: libFuzzer: out-of-memory" "$dir/log"; then
            status="OUT OF MEMORY"
        elif grep -q "ERROR: LeakSanitizer" "$dir/log"; then
            status="LEAK"
        elif grep -q -e "ERROR: AddressSanitizer" -e "runtime error:" -e "deadly signal" \
            -e "fuzz invariant violated" "$dir/log"; then
            status="CRASH"
        else
            status="FAILED"
        fi
        status="$status (rc $rc; log $dir/log)"
        failed=$((failed + 1))
    fi
    printf '%-22s %14s %10s  %s\n' "$t" "$execs" "$rate" "$status"
    for a in "$dir"/artifacts/*; do
        [ -e "$a" ] && echo "    artifact: $a"
    done
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
