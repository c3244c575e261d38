#!/usr/bin/env bash
# wtfn throughput and memory bench (docs/benchmarks.md, "Throughput").
#
#   run_throughput.sh BUILD_DIR [N_PACKETS]   speed on the traffic mix (default 1000000 packets)
#                                             and peak RSS on a 3,000,000-packet mix
#   run_throughput.sh --flood BUILD_DIR       peak RSS under state floods (RELIABILITY.md R2, R3)
#
# BUILD_DIR must hold src/cli/wtfn and bench/throughput/{make_mix_pcap,make_flood_pcap,
# pcap_floor}. Capture files are generated once into bench/throughput/data/ (gitignored; delete
# it after changing a generator). Nothing is dropped from the page cache: each file is read
# once before timing, so all tools are measured on a warm cache and the disk cancels out.
#
# Exit status: 0 every target PASS, 1 a target FAILed, 2 usage or setup error, or a tool
# failed or ran longer than its time limit.
set -euo pipefail
shopt -s inherit_errexit
export LC_ALL=C # "." as the decimal point in EPOCHREALTIME and awk

readonly RUNS=5              # timed runs per tool; the median is reported
readonly LIMIT_S=900         # per run: a hung tool fails the bench instead of stalling it
# shellcheck disable=SC2034 # used inside verdict's arithmetic strings
readonly RSS_LIMIT_KIB=65536 # 64 MiB
readonly RSS_N=3000000       # packets in the file for the RSS target
readonly BPF='port 53 or port 853 or port 443'

prog=${0##*/}

usage() {
    echo "usage:" >&2
    sed -n '4,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

die() {
    echo "$prog: $*" >&2
    exit 2
}

mode=mix
if [[ ${1:-} == --flood ]]; then
    mode=flood
    shift
    (($# == 1)) || usage
fi
(($# >= 1 && $# <= 2)) || usage
build=${1%/}
n=${2:-1000000}
[[ $n =~ ^[1-9][0-9]{0,8}$ ]] || die "N_PACKETS must be a positive integer below 10^9, got '$n'"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data=$here/data
tools=$build/bench/throughput
wtfn=$build/src/cli/wtfn

[[ -d $build ]] || die "build directory '$build' does not exist"
[[ -x $wtfn ]] ||
    die "wtfn binary not found at $wtfn; build it first: cmake --build $build --target wtfn"
for t in make_mix_pcap make_flood_pcap pcap_floor; do
    [[ -x $tools/$t ]] || die "$t not found at $tools/$t; build it first:" \
        "cmake --build $build --target make_mix_pcap make_flood_pcap pcap_floor"
done
command -v tcpdump > /dev/null || die "tcpdump not found (apt-get install tcpdump)"
command -v timeout > /dev/null || die "timeout not found (coreutils)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (apt-get install time)"

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
mkdir -p "$data"

# Shows the end of a failed tool's stderr, then stops the bench.
fail_tool() {
    local what=$1 err=$2
    [[ -s $err ]] && tail -n 5 "$err" | sed 's/^/    /' >&2
    die "$what"
}

# make_file FILE PACKETS GENERATOR [ARG...]: generate FILE unless present, then check that it
# holds PACKETS packets (a file cut short by an interrupted run must not be measured).
make_file() {
    local file=$1 packets=$2 gen=$3
    shift 3
    if [[ ! -s $file ]]; then
        echo "generating ${file#"$here"/} ..." >&2
        "$tools/$gen" "$file.tmp" "$@" 2> "$logs/gen.err" ||
            fail_tool "$gen failed for $file" "$logs/gen.err"
        mv -f "$file.tmp" "$file"
    fi
    local count
    count=$(timeout "$LIMIT_S" "$tools/pcap_floor" "$file" 2> "$logs/floor.err") ||
        fail_tool "pcap_floor cannot read $file" "$logs/floor.err"
    [[ $count == "$packets" ]] ||
        die "$file holds $count packets, expected $packets; delete it and run again"
    cat "$file" > /dev/null # warm the page cache
}

# run_tool TOOL FILE: one run, output discarded; stops the bench if the tool fails.
run_tool() {
    local tool=$1 file=$2 rc=0
    case $tool in
        floor)
            timeout "$LIMIT_S" "$tools/pcap_floor" "$file" > /dev/null 2> "$logs/$tool.err" || rc=$?
            ;;
        tcpdump)
            timeout "$LIMIT_S" tcpdump -r "$file" -w /dev/null "$BPF" 2> "$logs/$tool.err" || rc=$?
            ;;
        wtfn)
            timeout "$LIMIT_S" "$wtfn" dns leak watch --pcap "$file" --summary-only \
                > /dev/null 2> "$logs/$tool.err" || rc=$?
            # 1 means "leaks found": the mix has plaintext DNS to public resolvers.
            ((rc == 1)) && rc=0
            ;;
    esac
    ((rc == 124)) && die "$tool ran longer than $LIMIT_S s on $file"
    ((rc == 0)) || fail_tool "$tool exited with status $rc on $file" "$logs/$tool.err"
}

# median_us TOOL FILE: wall time of RUNS runs, median, in microseconds.
median_us() {
    local tool=$1 file=$2 i start end
    local -a times=()
    for ((i = 0; i < RUNS; i++)); do
        start=${EPOCHREALTIME/./}
        run_tool "$tool" "$file"
        end=${EPOCHREALTIME/./}
        times+=($((end - start)))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

# rss_kib FILE: peak RSS of one wtfn run, in KiB, from /usr/bin/time.
rss_kib() {
    local file=$1 rc=0
    timeout "$LIMIT_S" /usr/bin/time -f %M -o "$logs/rss" \
        "$wtfn" dns leak watch --pcap "$file" --summary-only > /dev/null 2> "$logs/wtfn.err" ||
        rc=$?
    ((rc == 124)) && die "wtfn ran longer than $LIMIT_S s on $file"
    ((rc <= 1)) || fail_tool "wtfn exited with status $rc on $file" "$logs/wtfn.err"
    # On a non-zero exit, time writes "Command exited with non-zero status 1" first.
    tail -n 1 "$logs/rss"
}

# median_rss_kib FILE: median of three runs, so that one unlucky run cannot decide a 10 % test.
median_rss_kib() {
    local -a r=()
    r+=("$(rss_kib "$1")" "$(rss_kib "$1")" "$(rss_kib "$1")")
    printf '%s\n' "${r[@]}" | sort -n | sed -n 2p
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# verdict EXPR: PASS if the shell arithmetic expression EXPR (over the variables above) holds.
verdict() { if (($1)); then echo PASS; else echo FAIL; fi; }

header() {
    local cpu
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
    echo "wtfn $mode bench, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs (${cpu:-unknown CPU})"
    local version
    version=$("$wtfn" --version 2> /dev/null | head -n 1 || true)
    echo "wtfn: $wtfn${version:+ ($version)}"
    echo
}

failed=0

if [[ $mode == mix ]]; then
    mix=$data/mix-$n-seed1.pcap
    mix3m=$data/mix-$RSS_N-seed1.pcap
    make_file "$mix" "$n" make_mix_pcap "$n" 1

    header
    size_mib=$(($(stat -c %s "$mix") / 1048576))
    echo "file: ${mix#"$here"/} ($n packets, $size_mib MiB), warm page cache," \
        "median of $RUNS runs"
    echo "tcpdump filter: $BPF"
    echo
    floor_us=$(median_us floor "$mix")
    tcpdump_us=$(median_us tcpdump "$mix")
    wtfn_us=$(median_us wtfn "$mix")
    rss_n=$(median_rss_kib "$mix")

    printf '%-36s %10s %12s %9s\n' tool "median s" packets/s "vs floor"
    row() {
        awk -v name="$1" -v us="$2" -v floor="$floor_us" -v n="$n" 'BEGIN {
            printf "%-36s %10.3f %12.0f %8.2fx\n", name, us / 1e6, n / (us / 1e6), floor / us }'
    }
    row "pcap_floor (libpcap, count only)" "$floor_us"
    row "tcpdump -r FILE -w /dev/null FILTER" "$tcpdump_us"
    row "wtfn dns leak watch --summary-only" "$wtfn_us"
    echo

    if [[ $mix3m != "$mix" ]]; then
        make_file "$mix3m" "$RSS_N" make_mix_pcap "$RSS_N" 1
    fi
    rss_3m=$(median_rss_kib "$mix3m")
    echo "wtfn peak RSS: $(mib "$rss_n") MiB on $n packets, $(mib "$rss_3m") MiB on $RSS_N packets"
    echo

    # wtfn >= 0.5 x floor packets/s  <=>  wtfn time <= 2 x floor time
    speed=$(verdict "wtfn_us <= 2 * floor_us")
    memory=$(verdict "rss_3m < RSS_LIMIT_KIB")
    ratio=$(awk -v f="$floor_us" -v w="$wtfn_us" 'BEGIN { printf "%.2f", f / w }')
    printf '%-58s %s\n' "target: wtfn >= 0.5 x floor packets/s (measured ${ratio} x)" "$speed"
    printf '%-58s %s\n' "target: wtfn peak RSS < 64 MiB on $RSS_N packets" "$memory"
    [[ $speed == PASS && $memory == PASS ]] || failed=1
else
    small=100000
    large=1000000
    f_small=$data/flood-udp-$small.pcap
    f_large=$data/flood-udp-$large.pcap
    f_tcp=$data/flood-tcp-halfopen-$small.pcap
    make_file "$f_small" "$small" make_flood_pcap "$small" udp
    make_file "$f_large" "$large" make_flood_pcap "$large" udp
    make_file "$f_tcp" $((2 * small)) make_flood_pcap "$small" tcp-halfopen

    header
    echo "peak RSS of wtfn dns leak watch --pcap FILE --summary-only, median of 3 runs"
    echo
    r_small=$(median_rss_kib "$f_small")
    r_large=$(median_rss_kib "$f_large")
    r_tcp=$(median_rss_kib "$f_tcp")
    printf '%-52s %10s\n' file "peak RSS"
    printf '%-52s %6s MiB\n' "$small UDP queries, distinct 5-tuples" "$(mib "$r_small")"
    printf '%-52s %6s MiB\n' "$large UDP queries, distinct 5-tuples" "$(mib "$r_large")"
    printf '%-52s %6s MiB\n' "$small half-open TCP/53 flows, prefix 65535 + 1 byte" \
        "$(mib "$r_tcp")"
    echo

    # shellcheck disable=SC2034 # used inside verdict's arithmetic string
    diff=$((r_large > r_small ? r_large - r_small : r_small - r_large))
    r2_flat=$(verdict "10 * diff <= r_small")
    r2_cap=$(verdict "r_small <= RSS_LIMIT_KIB && r_large <= RSS_LIMIT_KIB")
    r3=$(verdict "r_tcp <= RSS_LIMIT_KIB")
    growth=$(awk -v a="$r_small" -v b="$r_large" 'BEGIN { printf "%+.1f", 100 * (b - a) / a }')
    printf '%-58s %s\n' "R2: RSS at 1M flows within 10 % of 100k (measured $growth %)" "$r2_flat"
    printf '%-58s %s\n' "R2: RSS <= 64 MiB at 100k and 1M flows" "$r2_cap"
    printf '%-58s %s\n' "R3: RSS <= 64 MiB with $small half-open TCP flows" "$r3"
    [[ $r2_flat == PASS && $r2_cap == PASS && $r3 == PASS ]] || failed=1
fi

exit "$failed"
