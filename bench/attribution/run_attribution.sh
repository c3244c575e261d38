#!/usr/bin/env bash
# Process attribution bench (docs/benchmarks.md, "Process attribution").
#
#   run_attribution.sh BUILD_DIR [N=1000] [RATE=200]
#
# How many short-lived senders `wtfn dns leak watch` names correctly, with eBPF (the
# default) and with --no-bpf (sock_diag + /proc). BUILD_DIR must hold src/cli/wtfn. Needs
# root: it builds the two namespaces of tests/e2e/lib.sh (C, the client, and R, the
# resolver, joined by a veth pair); all traffic stays inside them.
#
# For each mode, ebpf then no-bpf:
#   1  wtfn watches C: dns leak watch --iface any --follow --json --out FILE --privacy full
#   2  N senders, launched at RATE per second without waiting for each (at most
#      MAX_INFLIGHT=50 unfinished at once; all reaped), each asking bI.example.test once;
#      the pid of each is recorded. The sender (ATTR_SENDER):
#        dig   (default) `ip netns exec C dig +tries=1 +time=2 @10.200.0.2 bI.example.test`
#              from this shell; the pid is $! (ip netns exec execs dig, so it is dig's)
#        fork  fork_senders.c (compiled with ${CC:-cc} into the temporary directory), run
#              once inside C, forks one child per sender: the child names itself "fsend",
#              sends the query, waits for the answer and exits. No exec, no dynamic
#              loader: it reaches rates that dig cannot where starting a process is dear
#   3  SIGINT to wtfn; score_attribution.py compares each sender's outgoing query event in
#      the report with the recorded pid and name
# Each mode has a deadline (ATTR_DEADLINE_S, default 120 s) for launching, reaping and
# stopping wtfn. The output ends with one line per mode:
#   attribution ebpf: 1000 senders at 200/s: 99.9% correct (high 999, ...), wrong-at-high 0
#
# Targets (the issue's): with eBPF at least 99.5 % of senders named correctly, and in
# neither mode an event naming a wrong process at confidence high. The --no-bpf share is
# reported, not enforced. The issue states them for at least 100 senders per second.
#
# Exit status: 0 every target met; 1 a target missed; 2 usage or set-up error, or a run that
# does not measure what the targets are stated for (wtfn failed, a mode hit its deadline,
# fewer than N senders launched, or an achieved rate under 100/s when RATE >= 100).
set -u
export LC_ALL=C

prog=${0##*/}
usage() {
    sed -n '4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}/usage: /' >&2
    exit 2
}
(($# >= 1 && $# <= 3)) || usage
build=${1%/}
N=${2:-1000}
RATE=${3:-200}
[[ $N =~ ^[1-9][0-9]{0,4}$ ]] || { echo "$prog: N must be 1..99999, got '$N'" >&2; exit 2; }
[[ $RATE =~ ^[1-9][0-9]{0,3}$ ]] || { echo "$prog: RATE must be 1..9999 per second, got '$RATE'" >&2; exit 2; }
wtfn=$build/src/cli/wtfn
[[ -x $wtfn && -f $wtfn ]] ||
    { echo "$prog: wtfn binary not found at $wtfn; build it: cmake --build $build --target wtfn" >&2; exit 2; }

readonly MAX_INFLIGHT=50
readonly MIN_CORRECT=99.5 # percent, eBPF mode
readonly MIN_RATE=100     # senders per second the targets are stated for
DEADLINE_S=${ATTR_DEADLINE_S:-120}
[[ $DEADLINE_S =~ ^[1-9][0-9]{0,3}$ ]] ||
    { echo "$prog: ATTR_DEADLINE_S must be 1..9999 seconds, got '$DEADLINE_S'" >&2; exit 2; }
SENDER=${ATTR_SENDER:-dig}
[[ $SENDER == dig || $SENDER == fork ]] ||
    { echo "$prog: ATTR_SENDER must be dig or fork, got '$SENDER'" >&2; exit 2; }

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../tests/e2e/lib.sh
source "$BENCH_DIR/../../tests/e2e/lib.sh"

# A set-up failure inside lib.sh is a set-up error of this bench (exit 2), not a missed
# target; the EXIT trap that e2e_init installs still cleans up.
e2e_die() {
    printf '%s: %s\n' "$prog" "$*" >&2
    exit 2
}

e2e_init attribution_bench "$wtfn"
T=$E2E_TMP

if [[ $SENDER == fork ]]; then
    cc=${CC:-cc}
    command -v "$cc" > /dev/null || e2e_die "ATTR_SENDER=fork needs a C compiler ($cc not found)"
    "$cc" -O2 -o "$T/fork_senders" "$BENCH_DIR/fork_senders.c" 2> "$T/cc.err" ||
        e2e_die "cannot compile fork_senders.c: $(head -n 3 "$T/cc.err" | tr '\n' ' ')"
fi

e2e_topology
e2e_start_resolver
C=$E2E_NS_C

# Sleeping without a fork: read -t on a pipe that nobody writes to.
exec {SLEEP_FD}<> <(:)
sleep_us() {
    (($1 > 0)) || return 0
    local s
    printf -v s '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000))
    read -r -t "$s" -u "$SLEEP_FD" _ || true
}
# NOW: microseconds since the epoch, set without a fork (a $(...) would cost one).
NOW=0
tick() { NOW=${EPOCHREALTIME/[.,]/}; }

# Fork-free: true while PID runs (not reaped, not a zombie). Bash reaps its children as
# they exit, so a finished sender's /proc entry is gone or shows state Z.
running() {
    local stat
    { read -r stat < "/proc/$1/stat"; } 2> /dev/null || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]]
}

# The dig senders not yet reaped, and the exit status of each reaped one.
INFLIGHT=()
declare -A DIG_RC
reap_finished() {
    local pid keep=() rc
    for pid in "${INFLIGHT[@]}"; do
        if running "$pid"; then
            keep+=("$pid")
        else
            rc=0
            wait "$pid" 2> /dev/null || rc=$?
            DIG_RC[$pid]=$rc
        fi
    done
    INFLIGHT=("${keep[@]}")
}

# launch_dig EXPECT DEADLINE_US: the dig senders. Sender I is due at first + I * interval;
# when the machine falls behind, the next ones go at once (the achieved rate shows it); at
# MAX_INFLIGHT unfinished senders, launching waits for one to finish. Writes EXPECT
# ("PID dig QNAME EXIT_STATUS") and sets LAUNCHED and ACHIEVED (launches/s, first to last).
launch_dig() {
    local expect=$1 deadline_us=$2 interval_us first_us last_us target i pid
    local -a pids=()
    INFLIGHT=()
    DIG_RC=()
    interval_us=$((1000000 / RATE))
    tick
    first_us=$NOW
    last_us=$first_us
    for ((i = 0; i < N; i++)); do
        target=$((first_us + i * interval_us))
        tick
        while ((NOW < target)); do
            ((${#INFLIGHT[@]})) && reap_finished
            tick
            ((NOW < target)) && sleep_us $((target - NOW > 2000 ? 2000 : target - NOW))
            tick
        done
        while ((${#INFLIGHT[@]} >= MAX_INFLIGHT && NOW < deadline_us)); do
            reap_finished
            ((${#INFLIGHT[@]} >= MAX_INFLIGHT)) && sleep_us 1000
            tick
        done
        if ((NOW >= deadline_us)); then
            echo "$prog: deadline of $DEADLINE_S s reached after $i of $N launches" >&2
            break
        fi
        ip netns exec "$C" dig +tries=1 +time=2 "@$E2E_R_ADDR4" "b$i.example.test" \
            > /dev/null 2>&1 &
        pid=$!
        tick
        last_us=$NOW
        pids+=("$pid")
        INFLIGHT+=("$pid")
    done
    LAUNCHED=${#pids[@]}

    # The rest: each dig gives up after 2 s by itself; past the deadline, KILL.
    tick
    while ((${#INFLIGHT[@]} && NOW < deadline_us)); do
        reap_finished
        ((${#INFLIGHT[@]})) && sleep_us 5000
        tick
    done
    if ((${#INFLIGHT[@]})); then
        echo "$prog: ${#INFLIGHT[@]} senders still running at the deadline; killed" >&2
        for pid in "${INFLIGHT[@]}"; do e2e_kill KILL "$pid"; done
        for pid in "${INFLIGHT[@]}"; do
            wait "$pid" 2> /dev/null
            DIG_RC[$pid]=137
        done
        INFLIGHT=()
    fi

    : > "$expect"
    for ((i = 0; i < LAUNCHED; i++)); do
        echo "${pids[i]} dig b$i.example.test ${DIG_RC[${pids[i]}]:-255}" >> "$expect"
    done
    if ((LAUNCHED > 1 && last_us > first_us)); then
        ACHIEVED=$(((LAUNCHED - 1) * 1000000 / (last_us - first_us)))
    else
        ACHIEVED=$RATE
    fi
}

# launch_fork EXPECT DEADLINE_US: the same with fork_senders inside C (it paces, caps the
# unfinished children, reaps them, and kills what runs past the deadline itself).
launch_fork() {
    local expect=$1 deadline_us=$2 left_s out=$T/fork_senders.out rc=0
    tick
    left_s=$(((deadline_us - NOW) / 1000000))
    ((left_s < 1)) && left_s=1
    timeout --kill-after=5 $((left_s + 10)) ip netns exec "$C" "$T/fork_senders" \
        "$E2E_R_ADDR4" "$N" "$RATE" "$MAX_INFLIGHT" "$left_s" > "$out" 2> "$T/fork_senders.err" ||
        rc=$?
    ((rc == 0)) || echo "$prog: fork_senders exited $rc: $(head -c 300 "$T/fork_senders.err")" >&2
    grep -v '^rate ' "$out" > "$expect"
    LAUNCHED=$(wc -l < "$expect")
    ACHIEVED=$(sed -n 's/^rate \([0-9]*\)$/\1/p' "$out")
    ACHIEVED=${ACHIEVED:-0}
}

SUMMARY=()
FAILED=0  # a target missed
INVALID=0 # the measurement does not stand

# run_mode MODE [WTFN ARGS...]
run_mode() {
    local mode=$1
    shift
    local report=$T/$mode.json expect=$T/$mode.expect start_us deadline_us
    tick
    start_us=$NOW
    deadline_us=$((start_us + DEADLINE_S * 1000000))

    e2e_start_wtfn "$C" /dev/null "$T/$mode.stderr" dns leak watch --iface any --follow \
        --json --out "$report" --privacy full "$@"
    if ! e2e_wait_capturing "$WTFN_PID" 10; then
        echo "$prog: $mode: wtfn did not start capturing within 10 s:" >&2
        head -c 600 "$T/$mode.stderr" >&2
        INVALID=1
        return
    fi

    LAUNCHED=0
    ACHIEVED=0
    if [[ $SENDER == dig ]]; then
        launch_dig "$expect" "$deadline_us"
    else
        launch_fork "$expect" "$deadline_us"
    fi

    # Stop wtfn: SIGINT drains the kernel buffer and writes the report.
    tick
    local left_s=$(((deadline_us - NOW) / 1000000))
    ((left_s < 20)) && left_s=20
    e2e_kill INT "$WTFN_PID"
    e2e_wait_exit "$WTFN_PID" "$left_s"
    # 1: leaks found (the queries leave by the veth, outside the proxy-stub path).
    if ((WTFN_RC != 0 && WTFN_RC != 1)) || [[ ! -s $report ]]; then
        echo "$prog: $mode: wtfn exited $WTFN_RC ($([[ -s $report ]] || echo "no ")report):" >&2
        tail -n 5 "$T/$mode.stderr" >&2
        INVALID=1
        return
    fi

    if ((LAUNCHED < N)); then
        echo "$prog: $mode: $LAUNCHED of $N senders launched" >&2
        INVALID=1
    fi
    if ((ACHIEVED < MIN_RATE && RATE >= MIN_RATE)); then
        echo "$prog: $mode: launched at $ACHIEVED/s, under the $MIN_RATE/s the targets are" \
            "stated for" >&2
        INVALID=1
    fi

    local -a score=("$E2E_PY" "$BENCH_DIR/score_attribution.py" "$report" "$expect" "$mode"
        "$ACHIEVED")
    [[ $mode == ebpf ]] && score+=(--min-correct "$MIN_CORRECT")
    local out rc=0
    out=$("${score[@]}") || rc=$?
    printf '%s\n' "$out" | grep -v '^attribution '
    SUMMARY+=("$(printf '%s\n' "$out" | grep '^attribution ' | tail -n 1)")
    if ((rc == 1)); then
        FAILED=1
    elif ((rc != 0)); then
        INVALID=1
    fi
    tick
    local spent_ms=$(((NOW - start_us) / 1000))
    echo "[$mode] mode took $((spent_ms / 1000)).$(printf '%03d' $((spent_ms % 1000))) s"
    echo
}

echo "wtfn attribution bench, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, kernel $(uname -r)," \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wtfn: $E2E_WTFN ($("$E2E_WTFN" --version 2> /dev/null | head -n 1))"
echo "$N $SENDER senders per mode at $RATE/s, at most $MAX_INFLIGHT unfinished," \
    "deadline $DEADLINE_S s per mode"
echo

run_mode ebpf
run_mode no-bpf --no-bpf

for line in "${SUMMARY[@]}"; do
    [[ -n $line ]] && echo "$line"
done
((INVALID)) && exit 2
((FAILED)) && exit 1
exit 0
