#!/usr/bin/env bash
# live_route_class.sh WTFN — every live event carries its interface's route class, from
# the kernel's facts, and interfaces that appear or are replaced during a watch are
# classified without a restart.
#
# Namespace C has the usual veth-c (to the resolver in R) and a tun device named vpnx0
# (a name no rule knows: only the kernel can say it is a tunnel). While
# `wtfn dns leak watch --follow` runs on all interfaces:
#   a.example.test  to the resolver via veth-c          -> physical (kernel: link kind veth)
#   b.example.test  to 10.99.0.53 via vpnx0             -> tunnel   (kernel: link kind tun)
#   then a tun device late7 is created, held open and routed; and
#   c.example.test  to 10.98.0.53 via late7             -> tunnel
#   then late7 is deleted and a veth pair late7/late7p takes its name and route;
#   d.example.test  to 10.98.0.53 via the new late7     -> physical
# The tun devices have no server behind them: those queries get no answer, but they leave
# through the device, which is what the capture sees. Last, `--iface-diag --json` in C
# must list veth-c as openable and a downed device as not, with the reason.
#
# Exit 0 when every check passes, 1 otherwise.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init live_route_class "${1:-}"
[[ -f $E2E_ORACLE_PY ]] || e2e_die "$E2E_ORACLE_PY (e2e_tun_hold's helper) not found"
e2e_topology
e2e_start_resolver

T=$E2E_TMP
C=$E2E_NS_C
R4=$E2E_R_ADDR4

in_c ip tuntap add vpnx0 mode tun || e2e_die "cannot create tun device vpnx0"
in_c ip link set vpnx0 up
in_c ip addr add 10.99.0.2/24 dev vpnx0
e2e_tun_hold "$C" vpnx0 tun 60 || e2e_die "vpnx0 has no carrier"

e2e_start_wtfn "$C" "$T/stdout" "$T/stderr" \
    dns leak watch --follow --json --privacy full --out "$T/r.json" -vv
if ! e2e_wait_capturing "$WTFN_PID" 10; then
    e2e_fail "wtfn starts capturing on any" "not capturing after 10 s"
    e2e_show "wtfn stderr" "$T/stderr"
    e2e_finish
fi
e2e_pass "wtfn starts capturing on any (pid $WTFN_PID)"

answer=$(in_c dig +tries=1 +time=2 +short "@$R4" a.example.test A 2>&1)
[[ $answer == "$E2E_ANSWER4" ]] || e2e_fail "dig a.example.test via veth-c" "got: $answer"
in_c dig +tries=1 +time=1 +short @10.99.0.53 b.example.test A >/dev/null 2>&1

# An interface that appears during the watch.
in_c ip tuntap add late7 mode tun || e2e_die "cannot create tun device late7"
in_c ip link set late7 up
in_c ip addr add 10.98.0.2/24 dev late7
e2e_tun_hold "$C" late7 tun 60 || e2e_die "late7 has no carrier"
in_c dig +tries=1 +time=1 +short @10.98.0.53 c.example.test A >/dev/null 2>&1

# The same name, now a different kind of device (a new index, as when a VPN client
# replaces its interface).
in_c ip link del late7
in_c ip link add late7 type veth peer name late7p
in_c ip link set late7 up
in_c ip link set late7p up
in_c ip addr add 10.98.0.2/24 dev late7
# Nothing answers ARP for 10.98.0.53 on this veth: a permanent neighbour entry lets the
# query leave anyway, as it would towards a real gateway.
in_c ip neigh add 10.98.0.53 lladdr 02:00:00:00:98:53 dev late7 nud permanent
in_c dig +tries=1 +time=1 +short @10.98.0.53 d.example.test A >/dev/null 2>&1

e2e_kill INT "$WTFN_PID"
e2e_wait_exit "$WTFN_PID" 10
# Queries on the physical veth are leaks under the default profile: status 1, not 2.
if (( WTFN_RC != 1 )); then
    e2e_fail "wtfn exits 1 (leaks found) after SIGINT" "status $WTFN_RC" "stderr: $(head -c 400 "$T/stderr" | tr '\n' '|')"
    e2e_finish
fi
e2e_pass "wtfn exits 1 (leaks found) after SIGINT"

R=$T/r.json
e2e_check "a.example.test via veth-c: route_class physical" \
    check_report "$R" --event "qr=query,qname=a.example.test,interface=veth-c,direction=out,route_class=physical"
e2e_check "b.example.test via vpnx0: route_class tunnel (by the kernel, not the name)" \
    check_report "$R" --event "qr=query,qname=b.example.test,interface=vpnx0,direction=out,route_class=tunnel,dst_ip=10.99.0.53"
e2e_check "c.example.test via late7 created during the watch: tunnel" \
    check_report "$R" --event "qr=query,qname=c.example.test,interface=late7,route_class=tunnel"
e2e_check "d.example.test via the veth that took late7's name: physical" \
    check_report "$R" --event "qr=query,qname=d.example.test,interface=late7,route_class=physical"
# The veth peer late7p receives d.example.test again (direction in): only the outgoing
# sighting counts here.
e2e_check "every outgoing query reported once, none with an unknown class" \
    check_report "$R" --count 1 "qr=query,qname=a.example.test" --count 1 "qr=query,qname=b.example.test" \
        --count 1 "qr=query,qname=c.example.test" --count 1 "qr=query,qname=d.example.test,direction=out" \
        --expr "count('route_class=unknown') == 0"
e2e_check "report lists the interfaces with the reasons for their classes" \
    check_report "$R" \
        --expr "any(i['name'] == 'vpnx0' and i['route_class'] == 'tunnel' and i['route_class_basis'] == 'kernel' and i['route_class_reason'] == 'kernel: link kind tun' for i in r['interfaces'])" \
        --expr "any(i['name'] == 'veth-c' and i['route_class'] == 'physical' and i['route_class_reason'] == 'kernel: link kind veth' for i in r['interfaces'])" \
        --expr "sorted(i['route_class'] for i in r['interfaces'] if i['name'] == 'late7') == ['physical', 'tunnel']"
if grep -q "vpnx0 (index [0-9]*, up): tunnel \[kernel: link kind tun\]" "$T/stderr"; then
    e2e_pass "-vv logs each covered interface with its class and reason"
else
    e2e_fail "-vv logs each covered interface with its class and reason" "stderr: $(head -c 600 "$T/stderr" | tr '\n' '|')"
fi

# --iface-diag: what can be captured here, and why not.
in_c ip link add downed0 type veth peer name downed0p
in_c timeout 30 "$E2E_WTFN" dns leak watch --iface-diag --json >"$T/diag.json" 2>"$T/diag.err"
rc=$?
if (( rc != 0 )); then
    e2e_fail "--iface-diag exits 0" "status $rc: $(head -c 300 "$T/diag.err")"
else
    e2e_pass "--iface-diag exits 0"
    e2e_check "--iface-diag: veth-c opens (physical), downed0 does not and says it is down" \
        "$E2E_PY" - "$T/diag.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
dev = {x["name"]: x for x in d["devices"]}
errors = []
v = dev.get("veth-c")
if not v or not v["can_open"] or v["route_class"] != "physical" or not v["link_types"]:
    errors.append(f"veth-c: {v}")
w = dev.get("downed0")
if not w or w["can_open"] or "down" not in (w["error"] or "") or "ip link set downed0 up" not in w["error"]:
    errors.append(f"downed0: {w}")
if not dev.get("any", {}).get("can_open"):
    errors.append(f"any: {dev.get('any')}")
if any(x["open_ms"] > d["timeout_ms"] + 500 for x in d["devices"]):
    errors.append("a probe took longer than its timeout")
print("; ".join(errors) or "ok")
sys.exit(1 if errors else 0)
PY
fi

if (( E2E_FAILED )); then
    e2e_show "wtfn stderr" "$T/stderr"
fi
e2e_finish
