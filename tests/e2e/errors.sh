#!/usr/bin/env bash
# errors.sh WTFN — bad input gives exit status 2 and a clear message.
#
#   --iface does-not-exist0            exit 2, one stderr line naming the interface
#   unprivileged (setpriv to nobody)   exit 2, stderr mentions CAP_NET_RAW or root
#   --pcap /nonexistent.pcap           exit 2, stderr names the file
#   --duration 10x                     exit 2
#   --pcap GARBAGE                     exit 2, stderr names the file
#   --pcap TRUNCATED (a real capture   exit 2, stderr names the byte offset, and
#     of dig traffic, cut in the       --out still writes the report of the
#     middle of a record)              complete records with partial: true
#
# Every wtfn run is bounded (timeout 5 s). Live runs happen inside a private
# namespace. Prints PASS/FAIL per check and `errors: N passed, M failed`.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init errors "${1:-}"
command -v timeout >/dev/null || e2e_die "coreutils 'timeout' not found"
command -v tcpdump >/dev/null || e2e_die "tcpdump not found (needed to make a real capture)"
e2e_topology
e2e_start_resolver

T=$E2E_TMP
RUN_LIMIT_S=5

# run_wtfn LABEL [setpriv...] -- ARGS...: runs wtfn in namespace C, bounded by
# timeout; sets RC, and the files $T/LABEL.out / $T/LABEL.err.
run_wtfn() {
    local label=$1
    shift
    local pre=()
    while (( $# )) && [[ $1 != -- ]]; do pre+=("$1"); shift; done
    [[ ${1:-} == -- ]] && shift
    timeout -k 2 "$RUN_LIMIT_S" ip netns exec "$E2E_NS_C" "${pre[@]}" "$E2E_WTFN" "$@" \
        >"$T/$label.out" 2>"$T/$label.err" </dev/null
    RC=$?
}

# Exactly one non-empty line on stderr.
one_line() {
    local f=$1
    [[ -s $f ]] || return 1
    (( $(grep -c '' "$f") == 1 ))
}

stderr_excerpt() { head -c 600 "$1" | tr '\n' '|'; }

# check_error LABEL DESC WANT_RC PATTERN -- [PREFIX... --] ARGS...
# PATTERN (grep -E) must match stderr unless empty; PREFIX (e.g. setpriv ...)
# goes between `ip netns exec` and wtfn.
check_error() {
    local label=$1 desc=$2 want_rc=$3 pattern=${4:-}
    shift 4
    [[ ${1:-} == -- ]] && shift
    local a has_sep=0
    for a in "$@"; do [[ $a == -- ]] && has_sep=1; done
    if (( has_sep )); then run_wtfn "$label" "$@"; else run_wtfn "$label" -- "$@"; fi
    local problems=()
    (( RC == 124 || RC == 137 )) && problems+=("did not exit within ${RUN_LIMIT_S} s (killed)")
    (( RC == want_rc )) || problems+=("exit status $RC, want $want_rc")
    one_line "$T/$label.err" || problems+=("stderr is not exactly one line ($(grep -c '' "$T/$label.err") lines)")
    if [[ -n $pattern ]] && ! grep -qE -- "$pattern" "$T/$label.err"; then
        problems+=("stderr does not match /$pattern/")
    fi
    if (( ${#problems[@]} == 0 )); then
        e2e_pass "$desc: rc=$RC, stderr: $(stderr_excerpt "$T/$label.err")"
    else
        e2e_fail "$desc" "$(IFS=';'; echo "${problems[*]}")" "stderr: $(stderr_excerpt "$T/$label.err")"
    fi
}

# ---------------------------------------------------------------- simple cases

check_error iface "--iface does-not-exist0 -> exit 2, one line naming it" 2 'does-not-exist0' -- \
    dns leak watch --iface does-not-exist0 --duration 1s

# Unprivileged: nobody must be able to run the binary at all, or the check is void.
WTFN_FOR_NOBODY=$E2E_WTFN
if ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$E2E_WTFN"; then
    mkdir -p "$T/bin" && cp "$E2E_WTFN" "$T/bin/wtfn" && chmod 0755 "$T/bin" "$T/bin/wtfn"
    WTFN_FOR_NOBODY=$T/bin/wtfn
fi
if setpriv --reuid=nobody --regid=nogroup --clear-groups "$WTFN_FOR_NOBODY" --version >/dev/null 2>&1; then
    saved=$E2E_WTFN
    E2E_WTFN=$WTFN_FOR_NOBODY
    check_error nobody "unprivileged (setpriv nobody) live watch -> exit 2, names CAP_NET_RAW or root" 2 \
        'CAP_NET_RAW|cap_net_raw|root' -- setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
        dns leak watch --duration 1s
    E2E_WTFN=$saved
else
    e2e_fail "unprivileged (setpriv nobody) live watch" "user nobody cannot run '$WTFN_FOR_NOBODY --version'"
fi

check_error nofile "--pcap /nonexistent.pcap -> exit 2, names the file" 2 '/nonexistent\.pcap' -- \
    dns leak watch --pcap /nonexistent.pcap

check_error baddur "--duration 10x -> exit 2" 2 '' -- \
    dns leak watch --duration 10x

check_error badroute "status --route-to not-an-address -> exit 2, names the value" 2 "not-an-address.*not an IP address" -- \
    dns leak status --route-to not-an-address
check_error badmark "status --mark 0x1ffffffff -> exit 2, says what a mark is" 2 "0x1ffffffff.*32-bit" -- \
    dns leak status --route-to 192.0.2.1 --mark 0x1ffffffff
check_error badprofile "status --profile ful-tunnel -> exit 2, lists the profiles" 2 "ful-tunnel.*full-tunnel, proxy-stub or split" -- \
    dns leak status --profile ful-tunnel
check_error statusflag "status --bogus -> exit 2, points to status --help" 2 "dns leak status --help" -- \
    dns leak status --bogus

# Policy files: nothing runs on a half-read policy; the error names file, key path, reason.
printf '{"schema_version": 1, "safe_path": {"route_clases": ["tunnel"]}}' >"$T/typo.json"
printf '{"schema_version": 1, "safe_path": {"destinations": ["10.0.0.0/33"]}}' >"$T/cidr.json"
"$E2E_PY" -c 'import sys; open(sys.argv[1], "w").write("[" * 200000 + "]" * 200000)' "$T/deep.json"
head -c 3000 /dev/urandom >"$T/garbage.json"
chmod 0644 "$T"/*.json
check_error poltypo "policy with a misspelt key -> exit 2, names file and key path" 2 "typo\.json: safe_path\.route_clases: unknown key" -- \
    dns leak policy show --policy "$T/typo.json"
check_error polcidr "policy with a bad CIDR -> exit 2, names the key path" 2 "cidr\.json: safe_path\.destinations\[0\]: .*not an address or CIDR" -- \
    dns leak status --policy "$T/cidr.json"
check_error poldeep "policy nested 200,000 deep -> exit 2, no crash" 2 "deep\.json: nested deeper than 16" -- \
    dns leak policy show --policy "$T/deep.json"
check_error polgarbage "policy of random bytes -> exit 2, names line and column" 2 "garbage\.json: line [0-9]+ column [0-9]+: not valid JSON" -- \
    dns leak policy show --policy "$T/garbage.json"
if LC_ALL=C grep -q '[^[:print:]]' "$T/polgarbage.err"; then
    e2e_fail "policy garbage error is printable text" "stderr holds raw bytes: $(head -c 200 "$T/polgarbage.err" | od -c | head -3 | tr '\n' '|')"
else
    e2e_pass "policy garbage error is printable text (the bytes it quotes are escaped)"
fi
check_error polmissing "missing policy file -> exit 2" 2 "/nonexistent-policy\.json: cannot read" -- \
    dns leak policy show --policy /nonexistent-policy.json

# watch refuses a bad policy before it captures anything (nothing runs on a half-read policy).
printf '{"schema_version": 1, "safe_path": {"route_classes": ["tunel"]}}' >"$T/enum.json"
printf '{"schema_version": 1, "domains": {"direct": ["a.*.b"]}}' >"$T/glob.json"
printf '{"schema_version": 1, "safe_path": {"ports": "53"}}' >"$T/type.json"
printf '{"schema_version": 9}' >"$T/newer.json"
chmod 0644 "$T"/*.json
check_error watchenum "watch --policy with an unknown route class -> exit 2 before capture" 2 "enum\.json: safe_path\.route_classes\[0\]: .*tunel" -- \
    dns leak watch --iface lo --duration 1s --policy "$T/enum.json"
check_error watchglob "watch --policy with a bad domain pattern -> exit 2" 2 "glob\.json: domains\.direct\[0\]" -- \
    dns leak watch --iface lo --duration 1s --policy "$T/glob.json"
check_error watchtype "watch --policy with a wrong type -> exit 2" 2 "type\.json: safe_path\.ports: " -- \
    dns leak watch --iface lo --duration 1s --policy "$T/type.json"
check_error watchnewer "watch --policy of a newer schema version -> exit 2" 2 "newer\.json: schema_version: .*newer" -- \
    dns leak watch --iface lo --duration 1s --policy "$T/newer.json"
check_error watchdeep "watch --policy nested 200,000 deep -> exit 2, no crash" 2 "deep\.json: nested deeper than 16" -- \
    dns leak watch --iface lo --duration 1s --policy "$T/deep.json"
check_error badprivacy "watch --privacy secret -> exit 2, lists the modes" 2 "secret.*full, redacted or minimal" -- \
    dns leak watch --iface lo --duration 1s --privacy secret
check_error eventsdir "watch --events DIRECTORY -> exit 2, one line" 2 "not a regular file|cannot" -- \
    dns leak watch --iface lo --duration 1s --events "$T"
check_error eventsjson "watch --events - with --json -> exit 2 (both want stdout)" 2 "both want stdout" -- \
    dns leak watch --iface lo --duration 1s --events - --json

# Deterministic garbage that is not a pcap/pcapng magic number.
"$E2E_PY" - "$T/garbage.pcap" <<'EOF'
import random, sys
rng = random.Random(20241123)
data = bytearray(rng.getrandbits(8) for _ in range(4096))
data[0:4] = b"\x13\x37\xbe\xef"
open(sys.argv[1], "wb").write(data)
EOF
check_error garbage "--pcap GARBAGE (4 KiB random) -> exit 2, names the file" 2 "$(basename "$T")/garbage\\.pcap|garbage\\.pcap" -- \
    dns leak watch --pcap "$T/garbage.pcap"

# ---------------------------------------------------------------- truncated capture

# A real capture: 3 dig queries with their responses on veth-c = 6 records.
CAP=$T/cap.pcap
ip netns exec "$E2E_NS_C" tcpdump -i veth-c -U -n -s 0 -c 6 -w "$CAP" 'udp port 53' \
    >"$T/tcpdump.out" 2>"$T/tcpdump.err" </dev/null &
TD_PID=$!
E2E_PIDS+=("$TD_PID")
if ! e2e_wait_capturing "$TD_PID" 5; then
    e2e_fail "make a capture with tcpdump" "tcpdump not capturing after 5 s: $(stderr_excerpt "$T/tcpdump.err")"
    e2e_finish
fi
for n in d1 d2 d3; do
    [[ $(e2e_dig "@$E2E_R_ADDR4" "$n.example.test" A) == "$E2E_ANSWER4" ]] \
        || e2e_fail "dig $n.example.test for the capture" "no answer"
done
e2e_wait_gone "$TD_PID" 5 || e2e_kill TERM "$TD_PID"
e2e_wait_exit "$TD_PID" 3

# Record layout of the capture: prints the start offset and caplen of each record.
layout=$("$E2E_PY" - "$CAP" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
if len(d) < 24:
    print("bad short-file"); sys.exit(0)
magic = d[:4]
end = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
off, n = 24, 0
out = []
while off + 16 <= len(d):
    _, _, caplen, _ = struct.unpack(end + "IIII", d[off:off + 16])
    if off + 16 + caplen > len(d):
        break
    out.append(f"{off}:{caplen}")
    off += 16 + caplen
print(len(d), " ".join(out))
EOF
)
read -r _ records <<<"$layout"
read -ra rec <<<"$records"
if (( ${#rec[@]} != 6 )); then
    e2e_fail "tcpdump capture has 6 records" "layout: $layout; tcpdump: $(stderr_excerpt "$T/tcpdump.err")"
    e2e_finish
fi

# Control: the intact capture is read cleanly.
rm -f "$T/intact.json"
run_wtfn intact -- dns leak watch --pcap "$CAP" --json --privacy full --out "$T/intact.json"
# Its queries went to a resolver off the default profile's safe path: exit 1, leaks found.
if (( RC == 1 )); then
    e2e_check "control: intact capture -> exit 1 (leaks), 6 packets, 6 DNS events, not partial" \
        check_report "$T/intact.json" --eq source.kind=pcap --eq partial=false \
            --eq counters.packets_read=6 --expr 'len(events) == 6' \
            --event 'qr=query,qname=d1.example.test' --event 'qr=response,qname=d3.example.test'
else
    e2e_fail "control: intact capture -> exit 1 (leaks)" "exit status $RC" "stderr: $(stderr_excerpt "$T/intact.err")"
fi

# Record 4 (index 3) is the response to d2. Cut it in two places.
r4_off=${rec[3]%%:*}
r4_len=${rec[3]##*:}
declare -A CUT=(
    [data]=$(( r4_off + 16 + r4_len / 2 ))   # inside the packet bytes
    [header]=$(( r4_off + 7 ))               # inside the 16-byte record header
)
for where in data header; do
    cut_at=${CUT[$where]}
    f=$T/trunc-$where.pcap
    head -c "$cut_at" "$CAP" >"$f"
    out=$T/trunc-$where.json
    rm -f "$out"
    label=trunc-$where
    run_wtfn "$label" -- dns leak watch --pcap "$f" --json --privacy full --out "$out"
    desc="capture cut inside record 4's $where (file $cut_at bytes, record at offset $r4_off)"

    problems=()
    (( RC == 2 )) || problems+=("exit status $RC, want 2")
    one_line "$T/$label.err" || problems+=("stderr is not exactly one line")
    grep -qF "trunc-$where.pcap" "$T/$label.err" || problems+=("stderr does not name the file")
    # The offset may be the damaged record's start, its data start, or the end of the file.
    offset_ok=0
    for num in $(grep -oE '[0-9]+' "$T/$label.err"); do
        case $num in "$r4_off"|"$((r4_off + 16))"|"$cut_at") offset_ok=1 ;; esac
    done
    (( offset_ok )) || problems+=("stderr names none of the offsets $r4_off (record), $((r4_off + 16)) (record data), $cut_at (end of file)")
    if (( ${#problems[@]} == 0 )); then
        e2e_pass "$desc -> exit 2, one line with file and offset: $(stderr_excerpt "$T/$label.err")"
    else
        e2e_fail "$desc -> exit 2 naming file and offset" "$(IFS=';'; echo "${problems[*]}")" "stderr: $(stderr_excerpt "$T/$label.err")"
    fi

    if [[ -s $out ]]; then
        e2e_check "$where cut: --out report written with partial: true" \
            check_report "$out" --eq partial=true
        e2e_check "$where cut: report holds the 3 complete records (d1 query+response, d2 query) and the error" \
            check_report "$out" --eq counters.packets_read=3 --expr 'len(events) == 3' \
                --event 'qr=query,qname=d1.example.test' --event 'qr=response,qname=d1.example.test' \
                --event 'qr=query,qname=d2.example.test' \
                --expr "isinstance(r.get('error'), str) and len(r['error']) > 0" \
                --expr "r.get('stop_reason') in ('error', 'end_of_input')"
        e2e_check "$where cut: stdout (--json) also carries the partial report" \
            check_report "$T/$label.out" --eq partial=true
    else
        e2e_fail "$where cut: --out report written with partial: true" "$out not written"
    fi
done

e2e_finish
