#!/usr/bin/env bash
# leak_rules.sh WTFN — the leak rules judge live traffic: a full-tunnel VPN with the
# LAN resolver still reachable outside it (Leak-A), DNS over TLS outside the approved
# egress (Leak-C), a split policy's proxy-required and direct names (Leak-B / clean),
# and the exit statuses that go with them.
#
# Namespace C has veth-c (10.200.0.1/24, the "physical" uplink to the resolver
# 10.200.0.2 in namespace R) and tun0 (10.8.0.2/24, held open, the default route).
# unbound in R answers plain DNS on 53 and DNS over TLS on 853 (self-signed). Each
# scenario is its own `wtfn dns leak watch --iface any --follow --json --out` in C,
# ended by SIGINT (lib_leak.sh has the set-up):
#   1a full-tunnel: dig @10.200.0.2 leak1.example.test over veth-c -> exactly one leak,
#      Leak-A leak-a.off-safe-path with its evidence; exit 1
#   1b full-tunnel: dig @10.99.0.53 tunnel1.example.test, which only the default route
#      covers, so it leaves through tun0 (unanswered) -> clean, no leak; exit 0
#   2  full-tunnel: kdig +tls @10.200.0.2 -p 853 -> a dot flow judged Leak-C
#      leak-c.off-approved-egress; no Leak-A (the flow is encrypted); exit 1
#   3  split policy file: www.blocked.example -> exactly one leak, Leak-B
#      leak-b.proxy-required-name; www.ok.example -> clean.direct-name; exit 1
#   4  --duration 1s with no traffic -> exit 0, no leak
# A leak is an event whose verdict is "leak"; the JSON checks are check_leaks.py.
#
# Exit 0 when every check passes, 1 otherwise (also when the set-up cannot be made).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_leak.sh"

e2e_leak_init leak_rules "${1:-}"
[[ -f $E2E_DIR/check_leaks.py ]] || e2e_die "$E2E_DIR/check_leaks.py not found"
e2e_topology
e2e_leak_full_tunnel tun0
e2e_start_unbound_dot

T=$E2E_TMP
C=$E2E_NS_C
R4=$E2E_R_ADDR4
TUN_DEST=$E2E_LEAK_TUN_DEST

# shellcheck disable=SC2317  # called through e2e_check
check_leaks() { "$E2E_PY" "$E2E_DIR/check_leaks.py" "$@"; }

# leak_start TAG ARGS...: wtfn watching every interface in C until SIGINT, report in
# $T/TAG.json. 0 once it captures; otherwise a FAIL line (with its stderr) and 1.
leak_start() {
    local tag=$1
    shift
    e2e_start_wtfn "$C" "$T/$tag.stdout" "$T/$tag.stderr" \
        dns leak watch --iface any --follow --json --out "$T/$tag.json" "$@"
    if e2e_wait_capturing "$WTFN_PID" 10; then
        return 0
    fi
    if e2e_pid_alive "$WTFN_PID"; then
        e2e_fail "$tag: wtfn starts capturing on any" "not capturing 10 s after start (pid $WTFN_PID)"
    else
        wait "$WTFN_PID"
        e2e_fail "$tag: wtfn starts capturing on any" "wtfn $* exited with status $? before capturing" \
            "stderr: $(head -c 400 "$T/$tag.stderr" | tr '\n' '|')"
    fi
    return 1
}

# leak_stop TAG WANT_RC WHY: SIGINT, a bounded wait, the exit status (a check of its
# own) and the report's presence. 0 when the report can be checked.
leak_stop() {
    local tag=$1 want=$2 why=$3
    e2e_kill INT "$WTFN_PID"
    e2e_wait_exit "$WTFN_PID" 5
    if (( WTFN_RC == 124 )); then
        e2e_fail "$tag: wtfn exits within 5 s of SIGINT" "still running after 5 s; killed"
        return 1
    fi
    if (( WTFN_RC == want )); then
        e2e_pass "$tag: exit status $want ($why)"
    else
        e2e_fail "$tag: exit status $want ($why)" "got $WTFN_RC" \
            "stderr: $(head -c 400 "$T/$tag.stderr" | tr '\n' '|')"
    fi
    if [[ ! -s $T/$tag.json ]]; then
        e2e_fail "$tag: --out report written" "$T/$tag.json is missing or empty" \
            "stderr: $(head -c 400 "$T/$tag.stderr" | tr '\n' '|')"
        return 1
    fi
    # Whatever the scenario, every event carries coherent verdict fields and the
    # summary counts what the events say.
    e2e_check "$tag: every event has coherent verdict/leak_type/severity/rule_id/evidence" \
        check_leaks "$T/$tag.json" --verdicts
    e2e_check "$tag: summary.leaks and summary.verdicts agree with the events" \
        check_leaks "$T/$tag.json" --summary
    return 0
}

# dig from C that must get the resolver's answer (else the network, not wtfn, broke).
leak_dig_ok() {
    local tag=$1 got
    shift
    got=$(in_c dig +tries=1 +time=2 +short "$@" 2>&1)
    [[ $got == "$E2E_ANSWER4" ]] || e2e_fail "$tag: dig $* gets $E2E_ANSWER4" "got: ${got//$'\n'/ | }"
}

# ---------------------------------------------------------------- 1a: Leak-A
# The LAN resolver asked directly over veth-c while the VPN holds the default route.
if leak_start s1a --profile full-tunnel --privacy full; then
    leak_dig_ok s1a "@$R4" leak1.example.test A
    if leak_stop s1a 1 "leaks found"; then
        R=$T/s1a.json
        e2e_check "s1a: exactly one leak event overall" check_leaks "$R" --leaks 1
        e2e_check "s1a: leak1.example.test to $R4:53 via veth-c is Leak-A leak-a.off-safe-path" \
            check_leaks "$R" --leak "direction=out,transport=udp53,qname=leak1.example.test,leak_type=A,rule_id=leak-a.off-safe-path,interface=veth-c,route_class=physical,dst_ip=$R4,dst_port=53"
        e2e_check "s1a: the leak has a severity and names what it violated (policy full-tunnel)" \
            check_leaks "$R" --leak "qname=leak1.example.test,severity=*,evidence.violated=*,evidence.reason=*,evidence.policy=full-tunnel"
        e2e_check "s1a: the answer coming back is not judged" \
            check_leaks "$R" --event "direction=in,qr=response,qname=leak1.example.test,verdict=not_judged,rule_id=skip.*"
    fi
fi

# ---------------------------------------------------------------- 1b: tunnel is clean
# 10.99.0.53 is covered only by the default route: the query leaves through tun0,
# where nothing answers (hence +time=1, and its status is not checked).
if leak_start s1b --profile full-tunnel --privacy full; then
    in_c dig +tries=1 +time=1 +short "@$TUN_DEST" tunnel1.example.test A >/dev/null 2>&1
    if leak_stop s1b 0 "clean"; then
        R=$T/s1b.json
        e2e_check "s1b: no leak event" check_leaks "$R" --leaks 0
        e2e_check "s1b: tunnel1.example.test to $TUN_DEST leaves via tun0 (tunnel) and is clean" \
            check_leaks "$R" --event "direction=out,qr=query,qname=tunnel1.example.test,interface=tun0,route_class=tunnel,dst_ip=$TUN_DEST,dst_port=53,verdict=clean,rule_id=clean.*,leak_type=null,severity=null"
    fi
fi

# ---------------------------------------------------------------- 2: Leak-C (DoT)
# DNS over TLS to the LAN resolver, outside the tunnel: the flow is encrypted, so the
# finding is the egress (Leak-C), not a plain-DNS Leak-A.
if leak_start s2 --profile full-tunnel; then
    got=$(e2e_kdig_tls dot1.example.test A)
    [[ $got == "$E2E_ANSWER4" ]] || e2e_fail "s2: kdig +tls @$R4 -p 853 dot1.example.test gets $E2E_ANSWER4" "got: ${got//$'\n'/ | }"
    if leak_stop s2 1 "leaks found"; then
        R=$T/s2.json
        e2e_check "s2: the DoT flow to $R4:853 via veth-c is Leak-C leak-c.off-approved-egress" \
            check_leaks "$R" --leak "transport=dot,leak_type=C,rule_id=leak-c.off-approved-egress,interface=veth-c,dst_ip=$R4,dst_port=853,severity=*"
        e2e_check "s2: no Leak-A (nothing but the encrypted flow was sent)" \
            check_leaks "$R" --count 0 "verdict=leak,leak_type=A"
    fi
fi

# ---------------------------------------------------------------- 3: split (Leak-B)
# Both names go to the LAN resolver over veth-c; only the proxy-required one leaks.
cat >"$T/split.json" <<'EOF'
{
  "schema_version": 1,
  "name": "e2e-split",
  "based_on": "split",
  "domains": {"proxy_required": ["blocked.example"], "direct": ["ok.example"]}
}
EOF
if leak_start s3 --policy "$T/split.json" --privacy full; then
    leak_dig_ok s3 "@$R4" www.blocked.example A
    leak_dig_ok s3 "@$R4" www.ok.example A
    if leak_stop s3 1 "leaks found"; then
        R=$T/s3.json
        e2e_check "s3: exactly one leak event overall" check_leaks "$R" --leaks 1
        e2e_check "s3: www.blocked.example via veth-c is Leak-B leak-b.proxy-required-name (policy e2e-split)" \
            check_leaks "$R" --leak "direction=out,qname=www.blocked.example,leak_type=B,rule_id=leak-b.proxy-required-name,interface=veth-c,dst_ip=$R4,severity=*,evidence.policy=e2e-split"
        e2e_check "s3: www.ok.example is clean.direct-name" \
            check_leaks "$R" --event "direction=out,qr=query,qname=www.ok.example,verdict=clean,rule_id=clean.direct-name"
        e2e_check "s3: no leak for www.ok.example" \
            check_leaks "$R" --no-event "verdict=leak,qname=www.ok.example"
    fi
fi

# ---------------------------------------------------------------- 4: exit 0 when idle
e2e_start_wtfn "$C" "$T/s4.stdout" "$T/s4.stderr" \
    dns leak watch --iface any --duration 1s --profile full-tunnel --json --out "$T/s4.json"
e2e_wait_exit "$WTFN_PID" 6
if (( WTFN_RC == 0 )); then
    e2e_pass "s4: --duration 1s with no traffic exits 0"
    e2e_check "s4: no leak, summary.leaks.total 0" \
        check_leaks "$T/s4.json" --leaks 0 --summary
else
    e2e_fail "s4: --duration 1s with no traffic exits 0" \
        "status $WTFN_RC$( (( WTFN_RC == 124 )) && echo ' (still running after 6 s; killed)')" \
        "stderr: $(head -c 400 "$T/s4.stderr" | tr '\n' '|')"
fi

if (( E2E_FAILED )); then
    e2e_log "wtfn stderr of the runs is in $T/s*.stderr (E2E_KEEP=1 keeps it)"
fi
e2e_finish
