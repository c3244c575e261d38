#!/usr/bin/env bash
# The whole test suite in one command, on a fresh Debian 12 machine as root (the network
# namespace tests need root). Steps, each of which must pass:
#   1. install packages (scripts/setup-debian.sh)
#   2. formatting check
#   3. build (warnings are errors) and run every test: unit, capture-file (pcap),
#      fuzz corpus replay (fuzz-regress) and end-to-end in network namespaces (e2e)
#   4. the same suite again on an AddressSanitizer + UndefinedBehaviorSanitizer build
#   5. every libFuzzer target for WTFN_FUZZ_SECONDS (default 60) under ASan + UBSan
# Set WTFN_QUICK=1 to run only steps 1-3.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
jobs=$(nproc)
failed=0
passed=0
step() { echo; echo "=== $* ==="; }
result() { # name status
    if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "--- $1: ok"; else failed=$((failed + 1)); echo "--- $1: FAILED"; fi
}

step "setup"
scripts/setup-debian.sh

step "format"
set +e; scripts/check-format.sh; rc=$?; set -e
result format $rc

step "build (RelWithDebInfo, -Werror)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWTFN_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
step "tests"
set +e; ctest --test-dir build --output-on-failure -j1; rc=$?; set -e
result "tests" $rc

if [ "${WTFN_QUICK:-0}" != 1 ]; then
    step "build (ASan + UBSan)"
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DWTFN_SANITIZE=address,undefined \
        -DWTFN_BUILD_BENCH=OFF >/dev/null
    cmake --build build-asan -j"$jobs"
    step "tests under ASan + UBSan"
    set +e
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        ctest --test-dir build-asan --output-on-failure -j1
    rc=$?; set -e
    result "tests (sanitizers)" $rc

    step "fuzz (libFuzzer, ASan + UBSan)"
    set +e; scripts/run-fuzz.sh "${WTFN_FUZZ_SECONDS:-60}" build-fuzz; rc=$?; set -e
    result fuzz $rc
fi

echo
echo "test.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
