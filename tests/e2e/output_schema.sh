#!/usr/bin/env bash
# output_schema.sh WTFN MAKE_FIXTURES — every JSON output of wtfn validates against the
# documented JSON Schemas in docs/schema/ (checked with tests/e2e/schema_check.py, which
# uses python3-jsonschema).
#
#   1. the schemas themselves are valid draft 2020-12 and every $ref resolves
#   2. every capture fixture (make_fixtures writes them into the temp dir), in each privacy
#      mode (full, redacted, minimal) with and without --summary-only:
#        wtfn dns leak watch --pcap F --privacy M [--summary-only] --json --out R --events S
#      R validates as report, S line by line as stream, stdout as report
#   3. `wtfn dns leak status --json` on the host, and in a namespace with every kind of
#      link, route and rule (lib.sh's e2e_status_topology) and a resolv.conf whose
#      resolvers raise risks, with --route-to lookups (reachable, blackhole, unreachable)
#      and a policy file with interface labels
#   4. `wtfn dns leak policy show --profile P` for full-tunnel, proxy-stub and split; a
#      policy file using every key, and `policy show --policy` of it
#   5. live: in the lib.sh topology, `watch --iface veth-c --follow --json --out R
#      --events S` while dig asks over UDP, TCP and IPv6, then SIGINT: R, S and stdout
#      validate
#
# Each validation is one PASS/FAIL line. Needs root (namespaces, capture). ~25 s.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init output_schema "${1:-}"
# The status namespace gets a resolv.conf under /etc/netns: clean that up too.
trap e2e_cleanup_netns EXIT
trap 'e2e_on_signal_netns INT 130' INT
trap 'e2e_on_signal_netns TERM 143' TERM
trap 'e2e_on_signal_netns HUP 129' HUP
e2e_reap_stale_etc_netns

MAKE_FIXTURES=${2:-}
[[ -n $MAKE_FIXTURES && -x $MAKE_FIXTURES ]] \
    || e2e_die "usage: $0 WTFN MAKE_FIXTURES (make_fixtures binary '$MAKE_FIXTURES' not found)"
SCHEMA_CHECK=$E2E_DIR/schema_check.py
[[ -f $SCHEMA_CHECK ]] || e2e_die "$SCHEMA_CHECK not found"
"$E2E_PY" -c 'import jsonschema' 2>/dev/null \
    || e2e_die "python3 module jsonschema not found for $E2E_PY (apt-get install python3-jsonschema)"

T=$E2E_TMP
# Never the host's key (/var/lib/wtfn/privacy.key as root): one in the temp dir.
export WTFN_PRIVACY_KEY=$T/key/privacy.key
RUN_LIMIT_S=30
schema_check() { "$E2E_PY" "$SCHEMA_CHECK" "$@"; }
t_start=$(e2e_now_ms)

# ------------------------------------------------------------ 1. the schemas
e2e_check "docs/schema/*.schema.json are valid draft 2020-12 schemas; every \$ref resolves" \
    schema_check --check-schemas

# ------------------------------------------------------------ 2. capture fixtures
"$MAKE_FIXTURES" "$T/fixtures" >"$T/make_fixtures.log" 2>&1 \
    || e2e_die "make_fixtures failed: $(tail -n 3 "$T/make_fixtures.log" | tr '\n' '|')"
shopt -s nullglob
fixtures=("$T"/fixtures/*.pcap "$T"/fixtures/*.pcapng)
shopt -u nullglob
(( ${#fixtures[@]} >= 8 )) || e2e_die "make_fixtures wrote ${#fixtures[@]} captures to $T/fixtures, expected at least 8"

manifest=$T/fixtures.manifest
: >"$manifest"
runs=0 bad_runs=()
mkdir -p "$T/out"
for f in "${fixtures[@]}"; do
    name=$(basename "$f")
    for mode in full redacted minimal; do
        for so in "" --summary-only; do
            tag=$name.$mode${so:+.summary-only}
            o=$T/out/$tag
            timeout "$RUN_LIMIT_S" "$E2E_WTFN" dns leak watch --pcap "$f" --privacy "$mode" $so \
                --json --out "$o.report.json" --events "$o.events.ndjson" >"$o.stdout" 2>"$o.stderr"
            rc=$?
            runs=$((runs + 1))
            # 0 clean, 1 leaks found; 2 (failed) or 124 (hung) is wrong for a fixture.
            if (( rc != 0 && rc != 1 )); then
                bad_runs+=("$tag: exit status $rc: $(head -c 200 "$o.stderr" | tr '\n' '|')")
            fi
            label="$name, privacy $mode${so:+, --summary-only}"
            {
                printf 'report %s %s: --out validates as report\n' "$o.report.json" "$label"
                printf 'stream %s %s: --events validates as stream (every line)\n' "$o.events.ndjson" "$label"
                printf 'report %s %s: stdout validates as report\n' "$o.stdout" "$label"
            } >>"$manifest"
        done
    done
done
if (( ${#bad_runs[@]} == 0 )); then
    e2e_pass "all $runs fixture runs (${#fixtures[@]} captures x 3 privacy modes x with/without --summary-only) exit 0 or 1"
else
    e2e_fail "all $runs fixture runs exit 0 or 1" "${bad_runs[@]:0:5}"
fi
e2e_results schema_check --manifest "$manifest"

# Not vacuous: the full reports hold events, and --summary-only leaves the list out.
e2e_check "fixture reports: events listed without --summary-only (and some there), absent with it" \
    "$E2E_PY" - "$T/out" <<'EOF'
import glob, json, os, sys
bad, events = [], 0
for p in sorted(glob.glob(os.path.join(sys.argv[1], "*.report.json"))):
    try:
        r = json.load(open(p))
    except Exception as e:
        bad.append(f"{p}: {e}"); continue
    so = ".summary-only." in os.path.basename(p)
    if so and "events" in r:
        bad.append(f"{os.path.basename(p)}: --summary-only report has an events list")
    if not so:
        if not isinstance(r.get("events"), list):
            bad.append(f"{os.path.basename(p)}: no events list")
        else:
            events += len(r["events"])
if events == 0:
    bad.append("no fixture report holds any event: the validation would be vacuous")
print("\n".join(bad[:10]))
sys.exit(1 if bad else 0)
EOF

# ------------------------------------------------------------ 3. status --json
timeout "$RUN_LIMIT_S" "$E2E_WTFN" dns leak status --json >"$T/status.host.json" 2>"$T/status.host.err"
rc=$?
(( rc == 0 )) || e2e_fail "status --json on the host exits 0" "exit status $rc: $(head -c 300 "$T/status.host.err")"
e2e_check "status --json on the host validates as status" schema_check --schema status "$T/status.host.json"

NS=wtfn-c-$$
ISP=wtfn-r-$$
e2e_status_topology "$NS" "$ISP"
# Resolvers reached outside the tunnel (the default route is the 0/1 + 128/1 pair via
# tun0, the ISP's resolver is on-link on veth0), the resolved stub without resolved, a
# search list, options and a line wtfn reports as a problem.
e2e_netns_resolv_conf "$NS" "$(printf '%s\n' \
    'nameserver 10.201.0.2' 'nameserver fd00:201::2' 'nameserver 127.0.0.53' \
    'search corp.example lan' 'options edns0 trust-ad' 'nameserver not-an-address')" \
    || e2e_die "cannot write /etc/netns/$NS/resolv.conf"
cat >"$T/status-policy.json" <<'EOF'
{"schema_version": 1, "name": "status-labels", "based_on": "full-tunnel",
 "interface_labels": {"veth0": "physical", "vx*": "tunnel"}}
EOF
status_ns() { # TAG ARGS...: status --json inside $NS, then validate
    local tag=$1 rc
    shift
    timeout "$RUN_LIMIT_S" ip netns exec "$NS" "$E2E_WTFN" dns leak status --json "$@" \
        >"$T/status.$tag.json" 2>"$T/status.$tag.err"
    rc=$?
    (( rc == 0 )) || e2e_fail "status --json $* in $NS exits 0" "exit status $rc: $(head -c 300 "$T/status.$tag.err")"
    e2e_check "status --json $* in the test namespace validates as status" \
        schema_check --schema status "$T/status.$tag.json"
}
status_ns ns
status_ns lookups --route-to 10.201.0.2 --route-to 192.0.2.1 --route-to 10.66.0.1 --route-to 10.67.0.1 \
    --route-to fd00:201::2 --route-to 2001:db8:5::1 --route-to fd00:66::1 --mark 0xca6c --policy "$T/status-policy.json"
e2e_netns_resolv_conf "$NS" "# no nameserver at all" || e2e_die "cannot rewrite /etc/netns/$NS/resolv.conf"
status_ns no-nameservers --profile split
e2e_check "status in the test namespace is not vacuous: risks, rules, multipath routes, lookups, labels" \
    "$E2E_PY" - "$T/status.ns.json" "$T/status.lookups.json" "$T/status.no-nameservers.json" <<'EOF'
import json, sys
a, b, c = (json.load(open(p)) for p in sys.argv[1:4])
ids = {k["id"] for d in (a, b, c) for k in d["risks"]}
want = {"resolver_outside_tunnel", "stub_without_resolved", "no_nameservers"}
bad = []
if not want <= ids: bad.append(f"risks {sorted(ids)} lack {sorted(want - ids)}")
if not any("nexthops" in r for r in a["routes"]): bad.append("no multipath route")
if len(a["rules"]) < 10: bad.append(f"only {len(a['rules'])} rules")
if len(b["lookups"]) != 7 or not any(not l["ok"] for l in b["lookups"]): bad.append("lookups: want 7, some failing")
if not b["policy"]["interface_labels"]: bad.append("no interface labels in the policy")
if not a["system_dns"]["resolv_conf"]["problems"]: bad.append("no resolv.conf problem reported")
print("; ".join(bad))
sys.exit(1 if bad else 0)
EOF
e2e_netns_drop "$NS"
e2e_netns_drop "$ISP"

# ------------------------------------------------------------ 4. policies
for p in full-tunnel proxy-stub split; do
    timeout "$RUN_LIMIT_S" "$E2E_WTFN" dns leak policy show --profile "$p" >"$T/policy.$p.json" 2>"$T/policy.$p.err"
    rc=$?
    (( rc == 0 )) || e2e_fail "policy show --profile $p exits 0" "exit status $rc: $(head -c 300 "$T/policy.$p.err")"
    e2e_check "policy show --profile $p validates as policy" schema_check --schema policy "$T/policy.$p.json"
done
cat >"$T/policy.every-key.json" <<'EOF'
{
  "schema_version": 1,
  "name": "every-key",
  "based_on": "proxy-stub",
  "summary": "uses every key of docs/policy.md",
  "safe_path": {"interfaces": ["wg0", "tun*"], "route_classes": ["tunnel", "loopback"],
                "destinations": ["10.2.0.1", "fd00::/8", "192.0.2.0/24"], "ports": [53, 853],
                "processes": ["sing-box", "/usr/bin/clash"]},
  "encrypted_egress": {"interfaces": ["wg0"], "route_classes": [], "ports": [443]},
  "domains": {"proxy_required": ["Example.COM.", "*.blocked.example"], "direct": ["lan", "corp.example"],
              "unknown_via_proxy": false},
  "interface_labels": {"eth1": "tunnel", "vpn*": "tunnel", "lo": "loopback"},
  "endpoints": {"doh": ["dns.example.net"], "dot": ["dot.example.net"],
                "addresses": ["203.0.113.53", "2001:db8::53/128"]}
}
EOF
e2e_check "a policy file using every key validates as policy" schema_check --schema policy "$T/policy.every-key.json"
timeout "$RUN_LIMIT_S" "$E2E_WTFN" dns leak policy show --policy "$T/policy.every-key.json" \
    >"$T/policy.shown.json" 2>"$T/policy.shown.err"
rc=$?
(( rc == 0 )) || e2e_fail "policy show --policy (every key) exits 0" "exit status $rc: $(head -c 300 "$T/policy.shown.err")"
e2e_check "policy show --policy (every key) validates as policy" schema_check --schema policy "$T/policy.shown.json"

# ------------------------------------------------------------ 5. live capture
e2e_topology
e2e_start_resolver
R=$T/live.report.json
S=$T/live.events.ndjson
e2e_start_wtfn "$E2E_NS_C" "$T/live.stdout" "$T/live.stderr" \
    dns leak watch --iface veth-c --follow --json --out "$R" --events "$S"
if ! e2e_wait_capturing "$WTFN_PID" 5; then
    e2e_fail "live: wtfn starts capturing on veth-c" "stderr: $(head -c 300 "$T/live.stderr" | tr '\n' '|')"
    e2e_finish
fi
answers=(
    "$(in_c dig +tries=1 +time=2 +short "@$E2E_R_ADDR4" live-a.example.test A 2>&1)"
    "$(in_c dig +tcp +tries=1 +time=2 +short "@$E2E_R_ADDR4" live-b.example.test AAAA 2>&1)"
    "$(in_c dig +tries=1 +time=2 +short "@$E2E_R_ADDR6" live-c.example.test A 2>&1)"
    "$(in_c dig +tries=1 +time=2 +short "@$E2E_R_ADDR4" nxdomain.invalid A 2>&1)"
)
if [[ ${answers[0]} == "$E2E_ANSWER4" && ${answers[1]} == "$E2E_ANSWER6" && ${answers[2]} == "$E2E_ANSWER4" ]]; then
    e2e_pass "live: dig got its answers (UDP, TCP, IPv6)"
else
    e2e_fail "live: dig got its answers (UDP, TCP, IPv6)" "got: ${answers[*]}"
fi
e2e_kill INT "$WTFN_PID"
e2e_wait_exit "$WTFN_PID" 5
if (( WTFN_RC == 0 || WTFN_RC == 1 )); then
    e2e_pass "live: wtfn exits 0 or 1 after SIGINT (status $WTFN_RC)"
else
    e2e_fail "live: wtfn exits 0 or 1 after SIGINT" "status $WTFN_RC (124: killed after 5 s)" \
        "stderr: $(head -c 300 "$T/live.stderr" | tr '\n' '|')"
fi
e2e_check "live: --out validates as report" schema_check --schema report "$R"
e2e_check "live: --events validates as stream (every line)" schema_check --schema stream "$S"
e2e_check "live: stdout validates as report" schema_check --schema report "$T/live.stdout"
e2e_check "live: the report holds the dig exchanges (at least 8 events, source live, stop_reason signal)" \
    check_report "$R" --eq source.kind=live --eq stop_reason=signal --expr 'len(events) >= 8'

e2e_log "done in $(( $(e2e_now_ms) - t_start )) ms"
e2e_finish
