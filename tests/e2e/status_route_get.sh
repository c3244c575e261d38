#!/usr/bin/env bash
# status_route_get.sh WTFN — `wtfn dns leak status --json --route-to A ... [--mark N]`
# against `ip -d -j route get A [mark N]`, in three routing setups, and the
# resolver_outside_tunnel risk.
#
# Every setup starts from fresh namespaces: NS (the machine) with lo, veth0
# 10.201.0.1/24 fd00:201::1/64 to ISP (veth-isp 10.201.0.2/24 fd00:201::2/64), tun0
# 10.8.0.2/24 fd00:8::2/64 held open (carrier); a specific route 198.51.100.0/24 via
# 10.201.0.3, a blackhole 10.66.0.0/16, table 100 (10.9.0.0/16 dev tun0,
# fd00:9::/32 dev tun0) used only by `from 10.9.0.0/16` / `from fd00:9::/32` rules.
#
#   plain   default via isp (IPv4 only: IPv6 destinations off-link have no route); a
#           resolver on the isp gateway is no resolver_outside_tunnel risk here
#   full    + 0.0.0.0/1 + 128.0.0.0/1 dev tun0 and ::/1 + 8000::/1 dev tun0, while the
#           defaults via isp stay; then resolv.conf (/etc/netns/NS/resolv.conf) with
#           the isp gateway 10.201.0.2 -> resolver_outside_tunnel naming it; with
#           10.8.0.1 (reachable only through tun0) -> no such risk
#   policy  wg-quick: table 51820 default dev tun0 (both families) + `not fwmark 0xca6c
#           table 51820` + `table main suppress_prefixlength 0`, defaults via isp in
#           main, an unreachable 192.0.2.128/25 in main; run without and with
#           --mark 0xca6c (and --mark 51820, the same mark in decimal)
#
# Per destination: ok, type, dev, gateway, prefsrc, table, route_class (the class of
# the device, from wtfn's own interface list), destination and mark echoed. When ip
# says the kernel has no route ("Network is unreachable"), wtfn must say ok:false with
# an error; for blackhole/unreachable routes (ip: "Invalid argument"/"No route to
# host") ok:true with that route type is accepted too. default_path is checked
# against `ip route get PROBE` in each setup.
#
# Reads routing state only; sends nothing. Prints PASS/FAIL per check and
# `status_route_get: N passed, M failed`. ~5 s.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init_netns status_route_get "${1:-}"
T=$E2E_TMP
NS=wtfn-c-$$
ISP=wtfn-r-$$
RUN_LIMIT_S=10

# Destinations: on-link isp subnet, isp gateway, own address (local), loopback,
# tun subnet, a specific route, three public addresses, the blackhole, an address of
# table 100 (reachable only with a from rule, which a plain lookup does not match),
# IPv6: on-link, public, table 100 only.
DESTS=(10.201.0.77 10.201.0.2 10.201.0.1 127.0.0.1 10.8.0.9 198.51.100.9
       1.1.1.1 203.0.113.7 8.8.8.8 10.66.1.1 10.9.5.5
       fd00:201::2 2001:db8::1 fd00:9::5)
ALT=(--alt 10.66.1.1=blackhole --alt 192.0.2.200=unreachable)

build_base() {
    e2e_netns_new "$NS" || e2e_die "cannot create namespace $NS"
    e2e_netns_new "$ISP" || e2e_die "cannot create namespace $ISP"
    _e2e_sip "$NS" link add veth0 type veth peer name veth-isp netns "$ISP"
    _e2e_sip "$ISP" addr add 10.201.0.2/24 dev veth-isp
    _e2e_sip "$ISP" addr add fd00:201::2/64 dev veth-isp nodad
    _e2e_sip "$ISP" link set veth-isp up
    _e2e_sip "$NS" addr add 10.201.0.1/24 dev veth0
    _e2e_sip "$NS" addr add fd00:201::1/64 dev veth0 nodad
    _e2e_sip "$NS" link set veth0 up
    _e2e_sip "$NS" tuntap add dev tun0 mode tun
    _e2e_sip "$NS" addr add 10.8.0.2/24 dev tun0
    _e2e_sip "$NS" addr add fd00:8::2/64 dev tun0 nodad
    _e2e_sip "$NS" link set tun0 up
    e2e_tun_hold "$NS" tun0 tun || e2e_die "setup: tun0 has no carrier 5 s after a process attached to it"
    _e2e_sip "$NS" route add 198.51.100.0/24 via 10.201.0.3 dev veth0
    _e2e_sip "$NS" route add blackhole 10.66.0.0/16
    _e2e_sip "$NS" route add 10.9.0.0/16 dev tun0 table 100
    _e2e_sip "$NS" -6 route add fd00:9::/32 dev tun0 table 100
    _e2e_sip "$NS" rule add pref 1000 from 10.9.0.0/16 lookup 100
    _e2e_sip "$NS" -6 rule add pref 1000 from fd00:9::/32 lookup 100
}

teardown() {
    e2e_netns_drop "$NS"
    e2e_netns_drop "$ISP"
}

settle() {
    e2e_wait_stable "$NS" 5 || e2e_die "setup $1: the routing state of $NS did not settle within 5 s"
}

# run_status LABEL [wtfn args...]: wtfn dns leak status --json in NS, bounded. Sets
# OUT (the JSON file); a failed run is a FAIL and returns 1.
run_status() {
    local label=$1 rc
    shift
    OUT=$T/$label.json
    timeout "$RUN_LIMIT_S" ip netns exec "$NS" "$E2E_WTFN" dns leak status --json "$@" \
        >"$OUT" 2>"$T/$label.err"
    rc=$?
    if (( rc == 0 )) && [[ -s $OUT ]]; then
        e2e_pass "$label: wtfn dns leak status --json ${*:1:4}... exits 0"
        return 0
    fi
    e2e_fail "$label: wtfn dns leak status --json $* exits 0" \
        "exit status $rc (124 = killed after ${RUN_LIMIT_S} s)" "$(head -n 5 "$T/$label.err")"
    return 1
}

route_to_args() {
    local d
    RT_ARGS=()
    for d in "$@"; do RT_ARGS+=(--route-to "$d"); done
}

dest_args() {
    local d
    D_ARGS=()
    for d in "$@"; do D_ARGS+=(--dest "$d"); done
}

# lookups LABEL [MARK]: one wtfn run with every destination, compared with ip.
lookups() {
    local label=$1 mark=${2:-} extra=()
    [[ -n $mark ]] && extra=(--mark "$mark")
    route_to_args "${DESTS[@]}"
    dest_args "${DESTS[@]}"
    run_status "$label" "${RT_ARGS[@]}" "${extra[@]}" || return 0
    e2e_results "$E2E_PY" "$E2E_ORACLE_PY" lookups "$OUT" "$NS" "${D_ARGS[@]}" "${extra[@]}" \
        "${ALT[@]}" --label "$label"
    if [[ -z $mark ]]; then
        # default_path against ip route get PROBE (compare prints the other checks too;
        # only the default_path lines are wanted here).
        "$E2E_PY" "$E2E_ORACLE_PY" snapshot "$NS" "$T/$label.snap.json" || e2e_die "ip snapshot failed"
        e2e_results _default_path_only "$T/$label.snap.json" "$OUT" "$label"
    fi
}

_default_path_only() {
    local out rc
    out=$("$E2E_PY" "$E2E_ORACLE_PY" compare "$1" "$2" --ns "$NS" 2>&1)
    rc=$?
    if (( rc > 1 )); then printf '%s\n' "$out"; return "$rc"; fi
    # keep the default_path results (and their detail lines)
    printf '%s\n' "$out" | awk -v l="$3: " '
        /^(PASS|FAIL): default_path/ { keep = 1; sub(/^(PASS|FAIL): /, "&" l); print; next }
        /^(PASS|FAIL|INFO|SKIP)/ { keep = 0; next }
        keep { print }'
    return 0
}

# ---------------------------------------------------------------- plain
build_base
_e2e_sip "$NS" route add default via 10.201.0.2 dev veth0
settle plain
lookups plain
# No tunnel at all: a resolver on the isp is not "outside the tunnel".
e2e_netns_resolv_conf "$NS" "nameserver 10.201.0.2" || e2e_die "cannot write /etc/netns/$NS/resolv.conf"
if run_status plain-resolver-isp; then
    e2e_results "$E2E_PY" "$E2E_ORACLE_PY" risk "$OUT" --nameserver 10.201.0.2=veth0 \
        --none resolver_outside_tunnel
fi
e2e_netns_resolv_conf_clear "$NS"
teardown

# ---------------------------------------------------------------- full tunnel
build_base
_e2e_sip "$NS" route add default via 10.201.0.2 dev veth0
_e2e_sip "$NS" -6 route add default via fd00:201::2 dev veth0
_e2e_sip "$NS" route add 0.0.0.0/1 dev tun0
_e2e_sip "$NS" route add 128.0.0.0/1 dev tun0
_e2e_sip "$NS" -6 route add ::/1 dev tun0
_e2e_sip "$NS" -6 route add 8000::/1 dev tun0
settle full
lookups full

# The resolver on the isp's gateway is on-link (veth0, physical) while the default
# path goes through tun0: a resolver_outside_tunnel risk naming 10.201.0.2.
e2e_netns_resolv_conf "$NS" "nameserver 10.201.0.2" || e2e_die "cannot write /etc/netns/$NS/resolv.conf"
if run_status full-resolver-isp; then
    e2e_results "$E2E_PY" "$E2E_ORACLE_PY" risk "$OUT" --nameserver 10.201.0.2=veth0 \
        --expect resolver_outside_tunnel=10.201.0.2
fi
# Same for IPv6 (the id may be the IPv6-specific one).
e2e_netns_resolv_conf "$NS" "nameserver fd00:201::2" || e2e_die "cannot write /etc/netns/$NS/resolv.conf"
if run_status full-resolver-isp6; then
    e2e_results "$E2E_PY" "$E2E_ORACLE_PY" risk "$OUT" --nameserver fd00:201::2=veth0 \
        --expect "resolver_outside_tunnel|ipv6_resolver_outside_tunnel=fd00:201::2"
fi
# A resolver reachable only through tun0: no such risk.
e2e_netns_resolv_conf "$NS" "nameserver 10.8.0.1" || e2e_die "cannot write /etc/netns/$NS/resolv.conf"
if run_status full-resolver-tun; then
    e2e_results "$E2E_PY" "$E2E_ORACLE_PY" risk "$OUT" --nameserver 10.8.0.1=tun0 \
        --none resolver_outside_tunnel --none ipv6_resolver_outside_tunnel
fi
e2e_netns_resolv_conf_clear "$NS"
teardown

# ---------------------------------------------------------------- policy (wg-quick)
build_base
_e2e_sip "$NS" route add default via 10.201.0.2 dev veth0
_e2e_sip "$NS" -6 route add default via fd00:201::2 dev veth0
_e2e_sip "$NS" route add unreachable 192.0.2.128/25
_e2e_sip "$NS" route add default dev tun0 table 51820
_e2e_sip "$NS" -6 route add default dev tun0 table 51820
_e2e_sip "$NS" rule add pref 32764 table main suppress_prefixlength 0
_e2e_sip "$NS" rule add pref 32765 not fwmark 0xca6c table 51820
_e2e_sip "$NS" -6 rule add pref 32764 table main suppress_prefixlength 0
_e2e_sip "$NS" -6 rule add pref 32765 not fwmark 0xca6c table 51820
settle policy
DESTS+=(192.0.2.200)
lookups policy
lookups policy-mark 0xca6c
# The same mark in decimal.
ALL_DESTS=("${DESTS[@]}")
DESTS=(1.1.1.1 10.201.0.77 2001:db8::1)
lookups policy-mark-decimal 51820
DESTS=("${ALL_DESTS[@]}")
teardown

e2e_finish
