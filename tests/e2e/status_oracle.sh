#!/usr/bin/env bash
# status_oracle.sh WTFN — `wtfn dns leak status --json` against iproute2 as the oracle.
#
# Builds one namespace with every kind of link this kernel offers (veth to an "isp"
# namespace, tun with carrier, tap, bridge with a port, vxlan, a tun named ethvpn0, a
# veth named tun7; wireguard/gre/ipip/sit when supported, else "SKIP <kind>: kernel has
# no support"), routes in several tables (default via the isp, the 0/1 + 128/1 and
# ::/1 + 8000::/1 full-tunnel pairs, blackhole/unreachable/prohibit, metric/proto/src,
# tables 100, 51820 and default) and policy rules (wg-quick's `not fwmark 0xca6c table
# 51820` and `table main suppress_prefixlength 0`, from/to/iif/oif/fwmark-mask rules,
# blackhole/unreachable/prohibit/goto/nop rules); see e2e_status_topology in lib.sh.
#
# Then compares wtfn's JSON with `ip -d -j link`, `ip -j addr`,
# `ip -d -4/-6 -j route show table all` and `ip -d -4/-6 -j rule` read at the same
# moment (a snapshot before and after the wtfn run must be equal, else it retries):
#   - every interface: index, name, mtu, flags (as a set), link_type, ARPHRD code,
#     info_kind, operstate, each address/prefix/scope; ip's M-DOWN pseudo-flag (the peer
#     of dn0 is down) is its own check
#   - every route per family and table: type, dst, gateway, dev, prefsrc, metric,
#     protocol, scope (ip's omissions normalised: table main, type unicast)
#   - every rule per family: priority, not, action, table, src, dst, fwmark, fwmask,
#     iif, oif, suppress_prefixlen (and the goto target when wtfn prints one)
#   - the route_class of each interface with basis "kernel" (kernel evidence beats the
#     name: ethvpn0 is a tunnel, tun7 physical; tap0, link kind tun, a tunnel), each route's
#     route_class, default_routes, default_path against `ip route get PROBE`
#   - the document shape; the text mode exits 0 and prints something
#
# Reads routing state only; sends nothing. Prints PASS/FAIL per check and
# `status_oracle: N passed, M failed`. ~3 s.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init_netns status_oracle "${1:-}"
T=$E2E_TMP
NS=wtfn-c-$$
ISP=wtfn-r-$$
RUN_LIMIT_S=10

e2e_status_topology "$NS" "$ISP"
e2e_vlog "topology ready; expected classes: ${E2E_STATUS_CLASSES[*]}"

# One wtfn run between two equal snapshots (max 3 tries).
stable=0
for attempt in 1 2 3; do
    "$E2E_PY" "$E2E_ORACLE_PY" snapshot "$NS" "$T/before.json" || e2e_die "ip snapshot of $NS failed"
    timeout "$RUN_LIMIT_S" ip netns exec "$NS" "$E2E_WTFN" dns leak status --json \
        >"$T/status.json" 2>"$T/status.err"
    RC=$?
    "$E2E_PY" "$E2E_ORACLE_PY" snapshot "$NS" "$T/after.json" || e2e_die "ip snapshot of $NS failed"
    if "$E2E_PY" "$E2E_ORACLE_PY" same "$T/before.json" "$T/after.json" >"$T/same.txt" 2>&1; then
        stable=1
        break
    fi
    e2e_log "routing state changed during run $attempt, retrying: $(head -n 2 "$T/same.txt" | tr '\n' '|')"
done
(( stable )) || e2e_fail "routing state of $NS stable during a wtfn run (3 tries)" "$(head -n 4 "$T/same.txt")"

if (( RC == 0 )) && [[ -s $T/status.json ]]; then
    e2e_pass "wtfn dns leak status --json exits 0 with output"
else
    e2e_fail "wtfn dns leak status --json exits 0 with output" "exit status $RC (124 = killed after ${RUN_LIMIT_S} s)" \
        "$(head -n 5 "$T/status.err")" "stdout: $(head -c 300 "$T/status.json")"
    e2e_finish
fi
[[ -s $T/status.err ]] && e2e_log "wtfn stderr: $(head -n 3 "$T/status.err" | tr '\n' '|')"

e2e_results "$E2E_PY" "$E2E_ORACLE_PY" document "$T/status.json"
class_args=()
for c in "${E2E_STATUS_CLASSES[@]}"; do class_args+=(--class "$c"); done
e2e_results "$E2E_PY" "$E2E_ORACLE_PY" compare "$T/before.json" "$T/status.json" --ns "$NS" "${class_args[@]}"

# Text mode.
timeout "$RUN_LIMIT_S" ip netns exec "$NS" "$E2E_WTFN" dns leak status >"$T/status.txt" 2>"$T/status-text.err"
RC=$?
if (( RC == 0 )) && [[ -s $T/status.txt ]]; then
    e2e_pass "wtfn dns leak status (text) exits 0 with output ($(wc -l <"$T/status.txt") lines)"
else
    e2e_fail "wtfn dns leak status (text) exits 0 with output" "exit status $RC" "$(head -n 5 "$T/status-text.err")"
fi
missing=()
for name in veth0 tun0 ethvpn0 tun7; do
    grep -qw -- "$name" "$T/status.txt" || missing+=("$name")
done
if (( ${#missing[@]} == 0 )); then
    e2e_pass "text output names the interfaces veth0 tun0 ethvpn0 tun7"
else
    e2e_fail "text output names the interfaces veth0 tun0 ethvpn0 tun7" "missing: ${missing[*]}" \
        "$(head -n 8 "$T/status.txt")"
fi

e2e_finish
