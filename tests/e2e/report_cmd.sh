#!/usr/bin/env bash
# report_cmd.sh WTFN MAKE_FIXTURES — `wtfn dns leak report` with the real binary on what the
# real `watch` wrote (docs/report.md).
#
#   1. For a capture with leaks (linux_sll2.pcap) and a clean one (raw.pcap), from
#      tests/support/make_fixtures: `watch --pcap F --privacy full --out r.json --events
#      e.ndjson`; then `report --json` of r.json and of e.ndjson each give r.json's own
#      "summary" and "counters" (compared as parsed JSON), and `report r.json` / `report
#      e.ndjson` print exactly the lines `watch` printed after its "Summary (...)" line. That
#      line itself is not compared: it shows the run time to 0.1 s, which watch takes from its
#      clock in ns and a report keeps in whole ms. Exit status: 1 with leaks, 0 without, as
#      watch's.
#   2. Merging r.json with itself doubles summary.leaks.total and every verdict count; r.json
#      with e.ndjson gives the same document as r.json twice (but for the inputs list).
#   3. One check per class of bad input: garbage bytes, a truncated report, a stream whose
#      last line is cut (a warning, exit by leaks), a 200,000-deep array (alone and inside
#      the events), schema_version 99, a missing file, a directory, stdin given twice: exit 2
#      (but the cut stream), exactly one stderr line naming the file and the line, byte
#      offset or reason, no crash or sanitizer report.
#
# Needs no network: the namespaces lib.sh's init checks for are not used. Every wtfn run is
# bounded (timeout 30 s). Prints PASS/FAIL per check and `report_cmd: N passed, M failed`.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init_netns report_cmd "${1:-}"
MAKE_FIXTURES=${2:-}
[[ -n $MAKE_FIXTURES && -x $MAKE_FIXTURES ]] ||
    e2e_die "usage: $0 PATH-TO-WTFN PATH-TO-MAKE_FIXTURES (tests/support/make_fixtures)"

T=$E2E_TMP
RUN_LIMIT_S=30
"$MAKE_FIXTURES" "$T/fx" >"$T/make_fixtures.log" 2>&1 ||
    e2e_die "make_fixtures failed: $(tail -n 3 "$T/make_fixtures.log" | tr '\n' '|')"

# run_wtfn LABEL ARGS...: sets RC; stdout in $T/LABEL.out, stderr in $T/LABEL.err.
run_wtfn() {
    local label=$1
    shift
    timeout -k 2 "$RUN_LIMIT_S" "$E2E_WTFN" "$@" >"$T/$label.out" 2>"$T/$label.err" </dev/null
    RC=$?
}

stderr_excerpt() { head -c 600 "$1" | tr '\n' '|'; }

# No crash: not killed by a signal or the timeout, no sanitizer report.
crash_problems() {
    local label=$1
    (( RC == 124 || RC == 137 )) && echo "did not exit within ${RUN_LIMIT_S} s"
    (( RC >= 128 && RC != 137 )) && echo "killed by signal $((RC - 128))"
    if grep -qE 'Sanitizer|runtime error|Segmentation fault|core dumped' "$T/$label.err"; then
        echo "sanitizer report or crash on stderr"
    fi
    return 0
}

# The lines after the "Summary (" line.
summary_lines() { sed -n '/^Summary (/,$p' "$1" | tail -n +2; }

# py_check DESC PYTHON-EXPR FILES...: the expression sees the parsed files as f[0], f[1], ...
py_check() {
    local desc=$1 expr=$2
    shift 2
    e2e_check "$desc" "$E2E_PY" - "$expr" "$@" <<'EOF'
import json, sys
expr = sys.argv[1]
f = []
for p in sys.argv[2:]:
    with open(p, encoding="utf-8") as fh:
        f.append(json.load(fh))
try:
    ok = eval(expr)
except Exception as e:
    print(f"{expr}: {type(e).__name__}: {e}")
    sys.exit(1)
if not ok:
    print(f"false: {expr}")
    sys.exit(1)
EOF
}

# ---------------------------------------------------------------- 1. a single run read back

for fx in linux_sll2.pcap raw.pcap; do
    d=$T/${fx%%.*}
    mkdir -p "$d"
    run_wtfn "watch-$fx" dns leak watch --pcap "$T/fx/$fx" --privacy full \
        --out "$d/r.json" --events "$d/e.ndjson"
    watch_rc=$RC
    cp "$T/watch-$fx.out" "$d/watch.txt"
    if (( watch_rc != 0 && watch_rc != 1 )) || [[ ! -s $d/r.json || ! -s $d/e.ndjson ]]; then
        e2e_fail "$fx: watch wrote its report and stream" "rc=$watch_rc" "stderr: $(stderr_excerpt "$T/watch-$fx.err")"
        continue
    fi
    leaks=$(json_get "$d/r.json" summary.leaks.total)
    want_rc=$(( leaks > 0 ? 1 : 0 ))
    if (( watch_rc == want_rc )); then
        e2e_pass "$fx: watch found $leaks leaks, exit $watch_rc"
    else
        e2e_fail "$fx: watch exit status" "rc=$watch_rc with $leaks leaks"
    fi

    for input in r.json e.ndjson; do
        run_wtfn "json-$fx-$input" dns leak report --json "$d/$input"
        cp "$T/json-$fx-$input.out" "$d/report-$input.json"
        problems=$(crash_problems "json-$fx-$input")
        (( RC == want_rc )) || problems+="exit status $RC, want $want_rc; "
        [[ -s $T/json-$fx-$input.err ]] && problems+="stderr not empty: $(stderr_excerpt "$T/json-$fx-$input.err"); "
        if [[ -z $problems ]]; then
            e2e_pass "$fx: report --json $input exits $RC"
        else
            e2e_fail "$fx: report --json $input" "$problems"
        fi
        py_check "$fx: report --json $input: summary equals the watch report's summary" \
            'f[0]["summary"] == f[1]["summary"]' "$d/report-$input.json" "$d/r.json"
        py_check "$fx: report --json $input: counters equal the watch report's counters" \
            'f[0]["counters"] == f[1]["counters"]' "$d/report-$input.json" "$d/r.json"
        py_check "$fx: report --json $input: document shape (inputs, policy, privacy, tool)" \
            'f[0]["schema_version"] == 1 and f[0]["command"] == "dns leak report" and f[0]["tool"]["name"] == "wtfn" and f[0]["policy"]["name"] == f[1]["policy"]["name"] and f[0]["privacy"] == "full" and len(f[0]["inputs"]) == 1 and f[0]["inputs"][0]["complete"] is True and f[0]["inputs"][0]["warning"] is None and f[0]["inputs"][0]["events"] == len(f[1]["events"]) and f[0]["inputs"][0]["format"] == ("ndjson" if f[0]["inputs"][0]["path"].endswith(".ndjson") else "report")' \
            "$d/report-$input.json" "$d/r.json"

        run_wtfn "human-$fx-$input" dns leak report "$d/$input"
        summary_lines "$d/watch.txt" >"$d/watch.summary"
        summary_lines "$T/human-$fx-$input.out" >"$d/report-$input.summary"
        if (( RC == want_rc )) && [[ -s $d/watch.summary ]] && cmp -s "$d/watch.summary" "$d/report-$input.summary"; then
            e2e_pass "$fx: report $input prints watch's summary ($(grep -c '' "$d/watch.summary") lines after 'Summary'), exit $RC"
        else
            e2e_fail "$fx: report $input prints watch's summary" "rc=$RC want $want_rc" \
                "$(diff "$d/watch.summary" "$d/report-$input.summary" | head -n 12 | tr '\n' '|')"
        fi
    done
done

# ---------------------------------------------------------------- 2. merging

D=$T/linux_sll2
run_wtfn merge2 dns leak report --json "$D/r.json" "$D/r.json"
cp "$T/merge2.out" "$T/merge2.json"
if (( RC == 1 )) && [[ ! -s $T/merge2.err ]]; then
    e2e_pass "report --json r.json r.json exits 1"
else
    e2e_fail "report --json r.json r.json" "rc=$RC" "stderr: $(stderr_excerpt "$T/merge2.err")"
fi
py_check "merging a report with itself doubles leaks.total and every verdict count" \
    'f[0]["summary"]["leaks"]["total"] == 2 * f[1]["summary"]["leaks"]["total"] > 0 and all(f[0]["summary"]["verdicts"][k] == 2 * v for k, v in f[1]["summary"]["verdicts"].items()) and f[0]["summary"]["dns_messages"] == 2 * f[1]["summary"]["dns_messages"] and f[0]["counters"]["packets_read"] == 2 * f[1]["counters"]["packets_read"] and len(f[0]["inputs"]) == 2' \
    "$T/merge2.json" "$D/r.json"
run_wtfn mergemix dns leak report --json "$D/r.json" "$D/e.ndjson"
cp "$T/mergemix.out" "$T/mergemix.json"
py_check "a report and its own stream merge like the report twice" \
    'f[0]["summary"] == f[1]["summary"] and f[0]["counters"] == f[1]["counters"]' \
    "$T/mergemix.json" "$T/merge2.json"
run_wtfn mergehuman dns leak report "$D/r.json" "$D/e.ndjson"
if (( RC == 1 )) && grep -q '^Summary (merged; ' "$T/mergehuman.out"; then
    e2e_pass "report r.json e.ndjson: 'Summary (merged; ...)', exit 1"
else
    e2e_fail "report r.json e.ndjson (human)" "rc=$RC" "$(head -n 3 "$T/mergehuman.out" | tr '\n' '|')"
fi
timeout -k 2 "$RUN_LIMIT_S" "$E2E_WTFN" dns leak report --json - <"$D/e.ndjson" >"$T/stdin.json" 2>"$T/stdin.err"
RC=$?
if (( RC == 1 )); then
    py_check "report --json - reads a stream from stdin" \
        'f[0]["summary"] == f[1]["summary"] and f[0]["inputs"][0]["path"] == "-"' "$T/stdin.json" "$D/r.json"
else
    e2e_fail "report --json - (stdin)" "rc=$RC" "stderr: $(stderr_excerpt "$T/stdin.err")"
fi

# ---------------------------------------------------------------- 3. bad input

# check_error LABEL DESC WANT_RC PATTERN FILE... : one stderr line matching PATTERN (grep -E).
check_error() {
    local label=$1 desc=$2 want_rc=$3 pattern=$4
    shift 4
    run_wtfn "$label" dns leak report "$@"
    local problems
    problems=$(crash_problems "$label")
    (( RC == want_rc )) || problems+="exit status $RC, want $want_rc; "
    local n
    n=$(grep -c '' "$T/$label.err")
    (( n == 1 )) || problems+="stderr has $n lines, want 1; "
    grep -qE -- "$pattern" "$T/$label.err" || problems+="stderr does not match /$pattern/; "
    if LC_ALL=C grep -q '[^[:print:]]' "$T/$label.err"; then
        problems+="stderr holds unprintable bytes; "
    fi
    if [[ -z $problems ]]; then
        e2e_pass "$desc: rc=$RC, stderr: $(stderr_excerpt "$T/$label.err")"
    else
        e2e_fail "$desc" "$problems" "stderr: $(stderr_excerpt "$T/$label.err")"
    fi
}

"$E2E_PY" - "$T" "$D/r.json" "$D/e.ndjson" <<'EOF'
import random, sys
t, report, stream = sys.argv[1], sys.argv[2], sys.argv[3]
rng = random.Random(20261123)
garbage = bytearray(rng.getrandbits(8) for _ in range(4096))
garbage[0] = 0x89  # never JSON whitespace or an opening brace
open(f"{t}/garbage.json", "wb").write(garbage)
data = open(report, "rb").read()
open(f"{t}/truncated.json", "wb").write(data[: len(data) // 2])
lines = open(stream, "rb").read().split(b"\n")[:-1]
# The last line (the end record) cut in its middle, no trailing newline.
open(f"{t}/cut.ndjson", "wb").write(b"\n".join(lines[:-1]) + b"\n" + lines[-1][: len(lines[-1]) // 2])
open(f"{t}/cut.lines", "w").write(str(len(lines)))
open(f"{t}/deep.json", "w").write("[" * 200000 + "]" * 200000)
open(f"{t}/deep_events.json", "w").write('{"schema_version": 1, "events": [' + "[" * 200000 + "]" * 200000 + "]}")
open(f"{t}/v99.json", "w").write('{"schema_version": 99, "events": []}')
open(f"{t}/wrongtype.json", "w").write('{"schema_version": 1, "events": [{"ts_ns": "x"}]}')
EOF
truncated_size=$(stat -c %s "$T/truncated.json")
cut_line=$(cat "$T/cut.lines")

check_error garbage "garbage bytes -> exit 2, names file, line, column and byte" 2 \
    "^wtfn: error: .*garbage\.json: not a wtfn report or event stream: JSON syntax error at line 1 column 1 \(byte 0\)$" \
    "$T/garbage.json"
check_error truncated "a truncated report -> exit 2, names file and byte offset" 2 \
    "^wtfn: error: .*truncated\.json: cut short at byte $truncated_size " "$T/truncated.json"
check_error cut "a stream whose last line is cut -> warning naming file and line, exit 1 (its leaks)" 1 \
    "^wtfn: warning: .*cut\.ndjson: line $cut_line is cut short \(the run was interrupted\?\); the $((cut_line - 1)) lines before it are used$" \
    "$T/cut.ndjson"
if grep -q '^Summary (incomplete; ' "$T/cut.out"; then
    e2e_pass "the cut stream's summary is printed, marked incomplete"
else
    e2e_fail "the cut stream's summary is printed" "$(head -n 3 "$T/cut.out" | tr '\n' '|')"
fi
check_error deep "a 200,000-deep array -> exit 2, one line" 2 \
    "^wtfn: error: .*deep\.json: not a wtfn report or event stream: the top level is an array" "$T/deep.json"
check_error deep_events "a 200,000-deep array inside the events -> exit 2, the depth limit" 2 \
    "^wtfn: error: .*deep_events\.json: nested deeper than 64 levels" "$T/deep_events.json"
check_error v99 "schema_version 99 -> exit 2, both versions" 2 \
    "^wtfn: error: .*v99\.json: schema_version 99 is newer than this wtfn understands \(1\); upgrade wtfn$" "$T/v99.json"
check_error wrongtype "a wrong type -> exit 2, names the event and the key" 2 \
    "^wtfn: error: .*wrongtype\.json: events\[0\]: ts_ns: expected" "$T/wrongtype.json"
check_error missing "a missing file -> exit 2, names it with strerror" 2 \
    "^wtfn: error: /nonexistent/r\.json: cannot open: No such file or directory$" /nonexistent/r.json
mkdir -p "$T/adir"
check_error directory "a directory -> exit 2, names it with strerror" 2 \
    "^wtfn: error: .*adir: Is a directory" "$T/adir"
check_error stdin_twice "stdin given twice -> exit 2" 2 "standard input" - -
check_error noargs "no file -> exit 2, usage" 2 "FILE is required|required"
check_error second_bad "a good input then a bad one -> exit 2, names the bad one" 2 \
    "^wtfn: error: .*v99\.json: " "$D/r.json" "$T/v99.json"
if [[ ! -s $T/second_bad.out ]]; then
    e2e_pass "nothing is printed on stdout when an input fails"
else
    e2e_fail "nothing is printed on stdout when an input fails" "$(head -c 200 "$T/second_bad.out")"
fi

e2e_finish
