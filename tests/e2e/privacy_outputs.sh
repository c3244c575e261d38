#!/usr/bin/env bash
# privacy_outputs.sh WTFN — privacy holds in every byte wtfn writes (RELIABILITY.md O3, O4,
# O1, O2; docs/privacy.md).
#
# In the lib.sh topology, 100 distinct names under example.test (unique, distinctive first
# labels such as zqkmwx-042.hushzone.example.test; some with three labels below
# example.test, some AAAA, some over TCP, some to the resolver's IPv6 address) are asked
# with real dig from namespace C. For each privacy mode (full, redacted, minimal), two live
# runs capture them:
#   watch --iface veth-c --follow --privacy MODE --json --out R --events S -vv
#   watch --iface veth-c --follow --privacy MODE        --out R --events S -vv  (human)
# then `wtfn dns leak report R` and `wtfn dns leak report --json S` read each run's files.
#   full      not vacuous: every name is in R (and S, stdout); qname_hash is the documented
#             HMAC-SHA256 under the key
#   redacted  no full name, first label or secret middle label in any output byte (stdout,
#             stderr at -vv, R, S, the report command's output); dns.qname null,
#             qname_registrable "example.test", qname_hash the 24-hex HMAC, identical for a
#             name in both runs and different for different names
#   minimal   no name bytes anywhere; qname_registrable and qname_hash null; the report still
#             has the counts and the resolver addresses
# O1: every --out/--events file is 0600 though wtfn runs under umask 000.
# O4: under umask 000 a fresh WTFN_PRIVACY_KEY in new directories is made 0600 (directories
#     0700), 32 bytes, reused unchanged by every later run; a key chmod 644 gives a warning
#     naming "chmod 600" and the run still works (hashes unchanged).
# O2: in a sticky world-writable directory, --events through a symlink (made by the test,
#     and planted by user nobody) is refused with exit 2 and one line naming the path, the
#     symlink's target unchanged; --out through a symlink planted by nobody replaces the
#     symlink (temp file + rename) and leaves its target unchanged.
#
# Each assertion is one PASS/FAIL line. Needs root. ~35 s.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init privacy_outputs "${1:-}"
for tool in timeout stat sha256sum setpriv; do
    command -v "$tool" >/dev/null || e2e_die "required tool '$tool' not found"
done
id nobody >/dev/null 2>&1 || e2e_die "user 'nobody' not found (needed to plant symlinks as another user)"

T=$E2E_TMP
ORIG_UMASK=$(umask)
RUN_LIMIT_S=20
KEY=$T/sub/dir/privacy.key
export WTFN_PRIVACY_KEY=$KEY   # never the host's /var/lib/wtfn/privacy.key
t_start=$(e2e_now_ms)
R4=$E2E_R_ADDR4
R6=$E2E_R_ADDR6

# The checks that read JSON and bytes.
cat >"$T/pcheck.py" <<'PYEOF'
import glob, hashlib, hmac, ipaddress, json, os, re, sys

HEX24 = re.compile(r"^[0-9a-f]{24}$")


def load_names(path):
    return [line.split()[0] for line in open(path) if line.strip()]


def load_doc(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def events_of(path):
    """Events of a report (--out, --json stdout) or of a stream (--events)."""
    if path.endswith(".ndjson"):
        out = []
        for line in open(path, encoding="utf-8"):
            if line.strip():
                rec = json.loads(line)
                if rec.get("record") == "event":
                    out.append(rec)
        return out
    return load_doc(path).get("events", [])


def key_hash(key, name):
    return hmac.new(key, name.lower().rstrip(".").encode(), hashlib.sha256).hexdigest()[:24]


def shown(b):
    return "".join(chr(c) if 32 <= c < 127 else f"\\x{c:02x}" for c in b)


def cmd_grep(args):
    """grep PATTERNS FILE...: no pattern (case-insensitive, as bytes) in any file."""
    pats = [p.strip().lower().encode() for p in open(args[0]) if p.strip()]
    hits, nbytes = [], 0
    for path in args[1:]:
        data = open(path, "rb").read()
        nbytes += len(data)
        low = data.lower()
        for p in pats:
            i = low.find(p)
            if i >= 0:
                ctx = shown(data[max(0, i - 60):i + len(p) + 60])
                hits.append(f"{path} byte {i}: {p.decode()!r} in ...{ctx}...")
    if hits:
        print(f"{len(hits)} name(s) found in the outputs:")
        print("\n".join(hits[:15]))
        return 1
    print(f"0 of {len(pats)} patterns in {len(args) - 1} files ({nbytes} bytes)")
    return 0


def cmd_present(args):
    """present PATTERNS FILE...: every pattern (name, label) is in every file."""
    names = load_names(args[0])
    bad = []
    for path in args[1:]:
        data = open(path, "rb").read()
        missing = [n for n in names if n.encode() not in data]
        if missing:
            bad.append(f"{path}: {len(missing)} of {len(names)} names missing, e.g. {missing[:3]}")
    print("\n".join(bad))
    return 1 if bad else 0


def queries(evs):
    return [e for e in evs if isinstance(e.get("dns"), dict) and e["dns"].get("qr") == "query"]


def cmd_counts(args):
    """counts REPORT N: summary.queries == responses == N, and N query events."""
    r, n = load_doc(args[0]), int(args[1])
    s = r["summary"]
    bad = []
    if s.get("queries") != n or s.get("responses") != n:
        bad.append(f"summary: {s.get('queries')} queries, {s.get('responses')} responses; want {n} each")
    if "events" in r and len(queries(r["events"])) != n:
        bad.append(f"{len(queries(r['events']))} query events, want {n}")
    if r.get("counters", {}).get("kernel_dropped"):
        bad.append(f"kernel_dropped {r['counters']['kernel_dropped']}")
    print("; ".join(bad))
    return 1 if bad else 0


def cmd_full(args):
    """full NAMES KEY FILE...: qname is each name; qname_hash is its HMAC under KEY."""
    names, key = set(load_names(args[0])), open(args[1], "rb").read()
    bad = []
    for path in args[2:]:
        qs = queries(events_of(path))
        got = {e["dns"]["qname"] for e in qs}
        if got != names:
            bad.append(f"{path}: query names differ from the 100 asked: {sorted(got ^ names)[:3]}")
        for e in qs:
            d = e["dns"]
            if d["qname_hash"] != key_hash(key, d["qname"]):
                bad.append(f"{path}: {d['qname']}: qname_hash {d['qname_hash']} is not HMAC-SHA256(key, name)[:96 bits]")
                break
    print("\n".join(bad[:10]))
    return 1 if bad else 0


def redacted_hashes(path, names, key, bad):
    """The query hashes of one output, after checking every event's name fields."""
    expected = {key_hash(key, n): n for n in names}
    hashes = []
    for i, e in enumerate(events_of(path)):
        d = e.get("dns")
        if not isinstance(d, dict):
            continue
        where = f"{path}: event {i}"
        if d.get("qname") is not None:
            bad.append(f"{where}: qname is {d['qname']!r}, want null")
        if d.get("qname_registrable") != "example.test":
            bad.append(f"{where}: qname_registrable {d.get('qname_registrable')!r}, want 'example.test'")
        h = d.get("qname_hash")
        if not isinstance(h, str) or not HEX24.match(h):
            bad.append(f"{where}: qname_hash {h!r} is not 24 hex digits")
        elif h not in expected:
            bad.append(f"{where}: qname_hash {h} is the HMAC of none of the 100 names")
        for a in d.get("answers", []):
            if a.get("name") is not None:
                bad.append(f"{where}: answer name {a['name']!r}, want null")
        if d.get("qr") == "query":
            hashes.append(h)
    return hashes


def cmd_redacted(args):
    """redacted NAMES KEY RUN1-FILES -- RUN2-FILES: name fields per docs/privacy.md; the
    hashes of each name are the same in both runs and differ between names."""
    names, key = load_names(args[0]), open(args[1], "rb").read()
    sep = args.index("--")
    run1, run2 = args[2:sep], args[sep + 1:]
    bad = []
    expected = sorted(key_hash(key, n) for n in names)
    if len(set(expected)) != len(names):
        bad.append("two of the 100 names have the same hash")
    for path in run1 + run2:
        h = redacted_hashes(path, names, key, bad)
        if sorted(h) != expected:
            bad.append(f"{path}: the query hashes are not one per name ({len(h)} queries, {len(set(h))} distinct)")
    # Stable key: run 1 and run 2 give each name the same hash (compared directly too).
    h1 = sorted(redacted_hashes(run1[0], names, key, []))
    h2 = sorted(redacted_hashes(run2[0], names, key, []))
    if h1 != h2:
        bad.append(f"run 1 and run 2 hash the names differently ({len(set(h1) ^ set(h2))} differ)")
    print("\n".join(bad[:10]))
    return 1 if bad else 0


def cmd_minimal(args):
    """minimal REPORT-OR-STREAM...: no name field set; counts and resolver addresses kept."""
    want_resolvers = {ipaddress.ip_address(a) for a in os.environ["RESOLVERS"].split()}
    bad = []
    for path in args:
        evs = events_of(path)
        for i, e in enumerate(evs):
            d = e.get("dns")
            if isinstance(d, dict):
                for k in ("qname", "qname_registrable", "qname_hash"):
                    if d.get(k) is not None:
                        bad.append(f"{path}: event {i}: {k} is {d[k]!r}, want null")
                for a in d.get("answers", []):
                    if a.get("name") is not None:
                        bad.append(f"{path}: event {i}: answer name {a['name']!r}")
        dsts = {ipaddress.ip_address(e["dst_ip"]) for e in queries(evs)}
        if not want_resolvers <= dsts:
            bad.append(f"{path}: query destinations {sorted(map(str, dsts))} lack a resolver address")
        if not path.endswith(".ndjson"):
            s = load_doc(path)["summary"]
            top = {ipaddress.ip_address(t["ip"]) for t in s["top_destinations"] if t["port"] == 53}
            if not want_resolvers <= top:
                bad.append(f"{path}: summary.top_destinations {sorted(map(str, top))} lack a resolver")
            if s["queries"] < 100 or s["dns_messages"] < 200:
                bad.append(f"{path}: summary counts {s['queries']} queries, {s['dns_messages']} messages")
    print("\n".join(bad[:10]))
    return 1 if bad else 0


sys.exit({"grep": cmd_grep, "present": cmd_present, "counts": cmd_counts, "full": cmd_full,
          "redacted": cmd_redacted, "minimal": cmd_minimal}[sys.argv[1]](sys.argv[2:]))
PYEOF
pcheck() { "$E2E_PY" "$T/pcheck.py" "$@"; }
export RESOLVERS="$R4 $R6"

# An empty capture file: a run that loads the key, writes its files and exits 0 at once.
"$E2E_PY" -c 'import struct, sys; open(sys.argv[1], "wb").write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))' \
    "$T/empty.pcap" || e2e_die "cannot write $T/empty.pcap"

# wtfn_file_run LABEL ARGS...: wtfn under umask 000, bounded; RC, $T/LABEL.out/.err.
wtfn_file_run() {
    local label=$1
    shift
    ( umask 000; exec timeout -k 2 "$RUN_LIMIT_S" "$E2E_WTFN" "$@" ) >"$T/$label.out" 2>"$T/$label.err" </dev/null
    RC=$?
}
mode_of() { stat -c %a -- "$1" 2>/dev/null || echo missing; }
sha_of() { sha256sum <"$1" 2>/dev/null | cut -d' ' -f1; }
errx() { head -c 400 "$1" | tr '\n' '|'; }

# ------------------------------------------------------------ O4: the key is made
mkdir -p "$T/o4"
wtfn_file_run o4-create dns leak watch --pcap "$T/empty.pcap" --privacy redacted --json --out "$T/o4/create.json"
if (( RC == 0 )) && [[ -f $KEY ]]; then
    e2e_pass "O4: a run under umask 000 creates the missing key $KEY"
else
    e2e_fail "O4: a run under umask 000 creates the missing key" "exit $RC, key $(mode_of "$KEY")" "stderr: $(errx "$T/o4-create.err")"
fi
if [[ $(mode_of "$KEY") == 600 ]]; then
    e2e_pass "O4: the new key is mode 0600 under umask 000"
else
    e2e_fail "O4: the new key is mode 0600 under umask 000" "mode $(mode_of "$KEY")"
fi
if [[ $(mode_of "$T/sub") == 700 && $(mode_of "$T/sub/dir") == 700 && $(stat -c %s "$KEY" 2>/dev/null) == 32 ]]; then
    e2e_pass "O4: its new directories are 0700 and the key holds 32 bytes"
else
    e2e_fail "O4: its new directories are 0700 and the key holds 32 bytes" \
        "sub $(mode_of "$T/sub"), sub/dir $(mode_of "$T/sub/dir"), size $(stat -c %s "$KEY" 2>/dev/null)"
fi
KEY_SHA=$(sha_of "$KEY")
wtfn_file_run o4-reuse dns leak watch --pcap "$T/empty.pcap" --privacy full --json --out "$T/o4/reuse.json"
if (( RC == 0 )) && [[ $(sha_of "$KEY") == "$KEY_SHA" && $(mode_of "$KEY") == 600 ]]; then
    e2e_pass "O4: the next run reuses the key (same sha256, still 0600)"
else
    e2e_fail "O4: the next run reuses the key" "exit $RC, sha256 $(sha_of "$KEY") vs $KEY_SHA, mode $(mode_of "$KEY")"
fi

# ------------------------------------------------------------ the 100 names
# First labels zq<5 letters g-z>-NNN: distinctive, unique, never hex (a hash cannot match).
letters=ghijklmnopqrstuvwxyz
tag=
for _ in 1 2 3 4 5; do tag+=${letters:RANDOM % 20:1}; done
zones=(hushzone quietvault privnook secretzone)
: >"$T/names.txt"
: >"$T/patterns.txt"
: >"$T/dig.batch"
: >"$T/dig.argv"
for i in $(seq 0 99); do
    first=$(printf 'zq%s-%03d' "$tag" "$i")
    zone=${zones[i % 4]}
    if (( i % 4 == 3 )); then name=$first.deep$tag.$zone.example.test; else name=$first.$zone.example.test; fi
    qtype=A; (( i % 5 == 1 )) && qtype=AAAA
    server=$R4; (( i % 10 == 7 )) && server=$R6
    opts=; (( i % 4 == 2 )) && opts=+tcp
    printf '%s %s %s %s\n' "$name" "$qtype" "$server" "${opts:-udp}" >>"$T/names.txt"
    printf '%s\n%s\n' "$name" "$first" >>"$T/patterns.txt"
    # The first three are asked by a dig of their own with the name in its command line,
    # which attribution reports (O3: command lines are as private as names).
    if (( i < 3 )); then
        printf '@%s %s %s %s\n' "$server" "$name" "$qtype" "$opts" >>"$T/dig.argv"
    else
        printf '@%s %s %s %s\n' "$server" "$name" "$qtype" "$opts" >>"$T/dig.batch"
    fi
done
# The labels between the first one and example.test are secret too (nothing in the
# default policy quotes them).
printf '%s\n' "${zones[@]}" "deep$tag" >>"$T/patterns.txt"
e2e_vlog "names: zq$tag-000 .. zq$tag-099 under ${zones[*]}"

e2e_topology
e2e_start_resolver

# live_run DIR MODE TAG [--json]: one capture of the 100 digs with --privacy MODE, under
# umask 000; files $T/DIR/TAG.*
live_run() {
    local dir=$1 mode=$2 tag=$3
    shift 3
    local d=$T/$dir
    mkdir -p "$d"
    umask 000
    e2e_start_wtfn "$E2E_NS_C" "$d/$tag.stdout" "$d/$tag.stderr" \
        dns leak watch --iface veth-c --follow --privacy "$mode" "$@" \
        --out "$d/$tag.report.json" --events "$d/$tag.events.ndjson" -vv
    umask "$ORIG_UMASK"
    if ! e2e_wait_capturing "$WTFN_PID" 5; then
        e2e_fail "$dir $tag run: wtfn starts capturing on veth-c" "stderr: $(errx "$d/$tag.stderr")"
        e2e_kill KILL "$WTFN_PID"
        return 1
    fi
    # Real dig: three with the name on their command line, then one batch process for the
    # other 97.
    # (Its output goes outside $T/DIR: only wtfn's own outputs are searched for names.)
    mkdir -p "$T/dig"
    local argv
    : >"$T/dig/$dir.$tag"
    while read -r -a argv; do
        timeout 10 ip netns exec "$E2E_NS_C" dig +tries=1 +time=2 +short "${argv[@]}" \
            >>"$T/dig/$dir.$tag" 2>&1
    done <"$T/dig.argv"
    timeout 60 ip netns exec "$E2E_NS_C" dig +tries=1 +time=2 +short -f "$T/dig.batch" >>"$T/dig/$dir.$tag" 2>&1
    local answers
    answers=$(grep -cxE "$E2E_ANSWER4|$E2E_ANSWER6" "$T/dig/$dir.$tag")
    e2e_kill INT "$WTFN_PID"
    e2e_wait_exit "$WTFN_PID" 10
    if (( answers == 100 && (WTFN_RC == 0 || WTFN_RC == 1) )); then
        e2e_pass "$dir $tag run: dig got 100 answers; wtfn exits $WTFN_RC after SIGINT"
    else
        e2e_fail "$dir $tag run: dig got 100 answers; wtfn exits 0/1 after SIGINT" \
            "answers $answers, exit status $WTFN_RC (124: killed)" "stderr: $(errx "$d/$tag.stderr")"
    fi
    e2e_check "$dir $tag run: the report holds 100 queries and 100 responses" \
        pcheck counts "$d/$tag.report.json" 100
    e2e_check "$dir $tag run: dig's command line is reported as $mode mode allows" \
        "$E2E_PY" - "$d/$tag.report.json" "$mode" "$(head -n 1 "$T/names.txt" | cut -d' ' -f1)" <<'PY'
import json, sys
report, mode, name = sys.argv[1], sys.argv[2], sys.argv[3]
events = [e for e in json.load(open(report))["events"]
          if e.get("process") and e["process"].get("name") == "dig"
          and e["process"].get("cmdline") is not None and "-f" not in e["process"]["cmdline"].split()]
if mode == "minimal":
    named = [e for e in json.load(open(report))["events"] if e.get("process")]
    bad = [e["process"]["cmdline"] for e in named if e["process"].get("cmdline") is not None]
    sys.exit(f"minimal keeps command lines: {bad[:2]}" if bad or not named else 0)
if not events:
    sys.exit("no event names a dig with its own command line")
lines = {e["process"]["cmdline"] for e in events}
has_name = [c for c in lines if name in c]
if mode == "full" and not has_name:
    sys.exit(f"full mode: {name} not in any command line {sorted(lines)[:3]}")
if mode == "redacted" and (has_name or not all(c.startswith("dig ") and "*" in c for c in lines)):
    sys.exit(f"redacted mode: command lines {sorted(lines)[:3]}")
PY
}

# report_cmd MODE TAG: `wtfn dns leak report` of the run's files (text of R, --json of S).
report_cmd() {
    local mode=$1 tag=$2 d=$T/$1 rc
    timeout -k 2 "$RUN_LIMIT_S" "$E2E_WTFN" dns leak report "$d/$tag.report.json" \
        >"$d/$tag.report-cmd.stdout" 2>"$d/$tag.report-cmd.stderr" </dev/null
    rc=$?
    if (( rc == 0 || rc == 1 )) && [[ -s $d/$tag.report-cmd.stdout ]]; then
        e2e_pass "$mode $tag: wtfn dns leak report R prints a summary (exit $rc)"
    else
        e2e_fail "$mode $tag: wtfn dns leak report R prints a summary" "exit $rc" "stderr: $(errx "$d/$tag.report-cmd.stderr")"
    fi
    timeout -k 2 "$RUN_LIMIT_S" "$E2E_WTFN" dns leak report --json "$d/$tag.events.ndjson" \
        >"$d/$tag.report-cmd-json.stdout" 2>"$d/$tag.report-cmd-json.stderr" </dev/null
    rc=$?
    if (( rc == 0 || rc == 1 )) && "$E2E_PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$d/$tag.report-cmd-json.stdout" 2>/dev/null; then
        e2e_pass "$mode $tag: wtfn dns leak report --json S prints a JSON document (exit $rc)"
    else
        e2e_fail "$mode $tag: wtfn dns leak report --json S prints a JSON document" "exit $rc" \
            "stderr: $(errx "$d/$tag.report-cmd-json.stderr")"
    fi
}

# files_0600 MODE: O1 for both runs of MODE.
files_0600() {
    local mode=$1 f bad=()
    for f in "$T/$mode"/{json,human}.report.json "$T/$mode"/{json,human}.events.ndjson; do
        [[ $(mode_of "$f") == 600 ]] || bad+=("$(basename "$f"): $(mode_of "$f")")
    done
    if (( ${#bad[@]} == 0 )); then
        e2e_pass "O1 $mode: --out and --events files of both runs are 0600 (wtfn ran under umask 000)"
    else
        e2e_fail "O1 $mode: --out and --events files are 0600 under umask 000" "${bad[@]}"
    fi
}

for mode in full redacted minimal; do
    live_run "$mode" "$mode" json --json
    live_run "$mode" "$mode" human
    report_cmd "$mode" json
    report_cmd "$mode" human
    files_0600 "$mode"
    d=$T/$mode
    case $mode in
        full)
            # Not vacuous: the very grep the other modes must fail finds every name here.
            e2e_check "full: every name, first label and secret label is in R, S and stdout (the grep is not vacuous)" \
                pcheck present "$T/patterns.txt" "$d/json.report.json" "$d/json.events.ndjson" "$d/json.stdout" "$d/human.report.json"
            e2e_check "full: qname is each name asked; qname_hash is HMAC-SHA256(key, name) cut to 96 bits" \
                pcheck full "$T/names.txt" "$KEY" "$d/json.report.json" "$d/human.events.ndjson"
            ;;
        redacted)
            e2e_check "O3 redacted: no name, first label or secret label in any output byte (stdout, -vv stderr, R, S, report command)" \
                pcheck grep "$T/patterns.txt" "$d"/*
            e2e_check "redacted: qname null, qname_registrable example.test, qname_hash 24 hex = HMAC; same per name in both runs, distinct per name" \
                pcheck redacted "$T/names.txt" "$KEY" "$d/json.report.json" "$d/json.events.ndjson" "$d/json.stdout" \
                -- "$d/human.report.json" "$d/human.events.ndjson"
            ;;
        minimal)
            e2e_check "O3 minimal: no name, first label or secret label in any output byte (stdout, -vv stderr, R, S, report command)" \
                pcheck grep "$T/patterns.txt" "$d"/*
            e2e_check "minimal: qname, qname_registrable, qname_hash null; counts and resolver addresses kept" \
                pcheck minimal "$d/json.report.json" "$d/json.events.ndjson" "$d/json.stdout" "$d/human.report.json"
            if grep -q "(name hidden)" "$d/human.stdout" && ! grep -q "example\.test" "$d/human.stdout"; then
                e2e_pass "minimal: the human table shows (name hidden), not even the registrable domain"
            else
                e2e_fail "minimal: the human table shows (name hidden), not even the registrable domain" \
                    "stdout: $(head -c 300 "$d/human.stdout" | tr '\n' '|')"
            fi
            ;;
    esac
done

# ------------------------------------------------------------ O4: a loose key
chmod 644 "$KEY"
live_run loose-key redacted json --json
if grep -q "chmod 600" "$T/loose-key/json.stderr"; then
    e2e_pass "O4: a key of mode 0644 gives a warning naming the fix (chmod 600)"
else
    e2e_fail "O4: a key of mode 0644 gives a warning naming the fix (chmod 600)" "stderr: $(errx "$T/loose-key/json.stderr")"
fi
e2e_check "O4: with the 0644 key the run still works: the same hashes as before, no name" \
    pcheck redacted "$T/names.txt" "$KEY" "$T/loose-key/json.report.json" -- "$T/redacted/json.report.json"
if [[ $(sha_of "$KEY") == "$KEY_SHA" && $(mode_of "$KEY") == 644 ]]; then
    e2e_pass "O4: after every run the key is still the one made first (same sha256); the loose mode was reported, not changed"
else
    e2e_fail "O4: the key is still the one made first" "sha256 $(sha_of "$KEY") vs $KEY_SHA, mode $(mode_of "$KEY")"
fi
chmod 600 "$KEY"

# ------------------------------------------------------------ O2: symlinks in a sticky dir
STICKY=$(mktemp -d "$T/sticky.XXXXXX") || e2e_die "mktemp -d failed"
chmod 1777 "$STICKY"
mkdir -p "$T/elsewhere"
printf 'victim file: must never change\n' >"$T/elsewhere/events-victim.txt"
printf 'victim file: must never change\n' >"$T/elsewhere/out-victim.txt"
chmod 644 "$T/elsewhere"/*.txt
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
ln -s "$T/elsewhere/events-victim.txt" "$STICKY/events-own.ndjson"
as_nobody ln -s "$T/elsewhere/events-victim.txt" "$STICKY/events-planted.ndjson" \
    || e2e_die "user nobody cannot plant a symlink in $STICKY"
as_nobody ln -s "$T/elsewhere/out-victim.txt" "$STICKY/report.json" \
    || e2e_die "user nobody cannot plant a symlink in $STICKY"
victim_sha=$(sha_of "$T/elsewhere/events-victim.txt")

for which in own planted; do
    link=$STICKY/events-$which.ndjson
    wtfn_file_run "o2-events-$which" dns leak watch --pcap "$T/empty.pcap" --json --events "$link"
    nlines=$(grep -c '' "$T/o2-events-$which.err")
    if (( RC == 2 && nlines == 1 )) && grep -qF "$link" "$T/o2-events-$which.err"; then
        e2e_pass "O2: --events through a symlink ($which) is refused: exit 2, one line naming the path"
    else
        e2e_fail "O2: --events through a symlink ($which) is refused: exit 2, one line naming the path" \
            "exit $RC, $nlines stderr lines: $(errx "$T/o2-events-$which.err")"
    fi
    if [[ $(sha_of "$T/elsewhere/events-victim.txt") == "$victim_sha" && -L $link ]]; then
        e2e_pass "O2: --events through a symlink ($which): its target is unchanged, the symlink is left alone"
    else
        e2e_fail "O2: --events through a symlink ($which): its target is unchanged" \
            "target now: $(errx "$T/elsewhere/events-victim.txt"); link: $(ls -l "$link" 2>&1)"
    fi
done

out_sha=$(sha_of "$T/elsewhere/out-victim.txt")
wtfn_file_run o2-out dns leak watch --pcap "$T/empty.pcap" --json --out "$STICKY/report.json"
if [[ $(sha_of "$T/elsewhere/out-victim.txt") == "$out_sha" ]]; then
    e2e_pass "O2: --out through a symlink planted by nobody leaves the symlink's target unchanged (exit $RC)"
else
    e2e_fail "O2: --out through a symlink planted by nobody leaves the symlink's target unchanged" \
        "target now: $(errx "$T/elsewhere/out-victim.txt")"
fi
leftovers=("$STICKY"/report.json.wtfn-tmp-*)
[[ -e ${leftovers[0]} ]] || leftovers=()
if (( RC == 0 )) && [[ -f $STICKY/report.json && ! -L $STICKY/report.json && $(mode_of "$STICKY/report.json") == 600 ]] \
    && (( ${#leftovers[@]} == 0 )) && check_report "$STICKY/report.json" --eq source.kind=pcap >/dev/null; then
    e2e_pass "O2: --out replaced the planted symlink by its own 0600 report (temp file + rename), no temp file left"
else
    e2e_fail "O2: --out replaced the planted symlink by its own 0600 report, no temp file left" \
        "exit $RC; $(ls -l "$STICKY" 2>&1 | tr '\n' '|')" "stderr: $(errx "$T/o2-out.err")"
fi

e2e_log "done in $(( $(e2e_now_ms) - t_start )) ms"
e2e_finish
