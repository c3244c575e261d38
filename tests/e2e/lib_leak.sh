# shellcheck shell=bash
# Helpers for the leak-rule end-to-end tests (leak_rules.sh). Source lib.sh first.
#
#   e2e_leak_init NAME WTFN    e2e_init with unbound as the resolver, plus kdig/openssl
#   e2e_leak_full_tunnel [DEV] in namespace C: a tun device DEV (default tun0) held open
#                              by a process (carrier), 10.8.0.2/24 on it, and the IPv4
#                              default route through it; proves the routes with
#                              `ip route get` (veth subnet -> veth-c, the rest -> DEV)
#   e2e_start_unbound_dot      unbound in R answering plain DNS on 53 and DNS over TLS
#                              on 853 (a self-signed certificate made now) for every
#                              name under example.test, blocked.example and ok.example;
#                              waits until dig (53) and kdig +tls (853) get answers
#
# The resulting topology:
#
#   ns C "client"                                         ns R "resolver"
#     veth-c 10.200.0.1/24  ("physical" uplink)  <---->     veth-r 10.200.0.2/24
#                                                           unbound :53 and DoT :853
#     tun0   10.8.0.2/24, default route ("the VPN"): nothing behind it, the holder
#            process never reads, so queries sent into it get no answer
#
# The resolver on the connected veth subnet stays reachable outside the tunnel: the
# classic LAN-resolver leak while a full-tunnel VPN is up.

E2E_LEAK_TUN_ADDR=10.8.0.2/24
E2E_LEAK_TUN_DEST=10.99.0.53   # covered only by the default route: leaves through the tun
E2E_LEAK_ZONES=(example.test blocked.example ok.example)
E2E_LEAK_DOT_PORT=853

e2e_leak_init() {
    # DoT needs unbound (dnsmasq has no TLS); e2e_init then checks unbound, not dnsmasq.
    # shellcheck disable=SC2034  # read by e2e_init in lib.sh
    E2E_RESOLVER=unbound
    e2e_init "$1" "${2:-}"
    local tool
    for tool in kdig openssl timeout unbound-checkconf; do
        command -v "$tool" >/dev/null || e2e_die "required tool '$tool' not found (kdig: knot-dnsutils)"
    done
    [[ -f $E2E_ORACLE_PY ]] || e2e_die "$E2E_ORACLE_PY (e2e_tun_hold's helper) not found"
    [[ -c /dev/net/tun ]] || e2e_die "/dev/net/tun is missing: no tun devices here"
}

# Prints the device `ip route get ADDR` picks in NS.
_e2e_leak_route_dev() {
    ip -n "$1" route get "$2" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n 1
}

e2e_leak_full_tunnel() {
    local dev=${1:-tun0} ns=$E2E_NS_C err got
    err=$(ip -n "$ns" tuntap add dev "$dev" mode tun 2>&1) || e2e_die "setup: cannot create tun device $dev: $err"
    ip -n "$ns" addr add "$E2E_LEAK_TUN_ADDR" dev "$dev" || e2e_die "setup: address on $dev"
    ip -n "$ns" link set "$dev" up || e2e_die "setup: $dev up"
    # A tun device has carrier only while a process has it open; without carrier the
    # kernel would not send through it and the default route would be dead.
    e2e_tun_hold "$ns" "$dev" tun 120 || e2e_die "setup: $dev has no carrier 5 s after a process attached to it"
    err=$(ip -n "$ns" route add default dev "$dev" 2>&1) || e2e_die "setup: default route via $dev: $err"
    # The two paths the scenarios rely on, as the kernel resolves them.
    got=$(_e2e_leak_route_dev "$ns" "$E2E_R_ADDR4")
    [[ $got == veth-c ]] || e2e_die "setup: route to the resolver $E2E_R_ADDR4 uses '$got', want veth-c"
    got=$(_e2e_leak_route_dev "$ns" "$E2E_LEAK_TUN_DEST")
    [[ $got == "$dev" ]] || e2e_die "setup: route to $E2E_LEAK_TUN_DEST uses '$got', want $dev (default route)"
    e2e_vlog "full tunnel: default via $dev, $E2E_R_ADDR4 via veth-c"
}

# kdig over TLS from C; prints +short output. Without +tls-ca kdig does not verify
# the certificate, so the self-signed one is accepted.
e2e_kdig_tls() {
    ip netns exec "$E2E_NS_C" kdig +tls +timeout=2 +retry=0 +short \
        "@$E2E_R_ADDR4" -p "$E2E_LEAK_DOT_PORT" "$@" 2>/dev/null
}

_e2e_leak_dot_answers() {
    [[ $(e2e_kdig_tls ready.example.test A) == "$E2E_ANSWER4" ]]
}

e2e_start_unbound_dot() {
    local conf=$E2E_TMP/unbound.conf key=$E2E_TMP/dot-key.pem pem=$E2E_TMP/dot-cert.pem zone err
    # Made now, valid one day: nothing long-lived, nothing from the host's key store.
    if ! err=$(timeout 30 openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=dot.test \
            -keyout "$key" -out "$pem" 2>&1); then
        e2e_die "setup: openssl could not make the DoT certificate: $(tail -n 2 <<<"$err" | tr '\n' ' ')"
    fi
    {
        cat <<EOF
server:
    interface: $E2E_R_ADDR4@53
    interface: $E2E_R_ADDR4@$E2E_LEAK_DOT_PORT
    port: 53
    tls-port: $E2E_LEAK_DOT_PORT
    tls-service-key: "$key"
    tls-service-pem: "$pem"
    access-control: 10.200.0.0/24 allow
    do-daemonize: no
    chroot: ""
    username: ""
    directory: "$E2E_TMP"
    pidfile: "$E2E_TMP/unbound.pid"
    use-syslog: no
    logfile: ""
    verbosity: 1
    num-threads: 1
    do-ip4: yes
    do-ip6: no
    do-udp: yes
    do-tcp: yes
    module-config: "iterator"
EOF
        for zone in "${E2E_LEAK_ZONES[@]}"; do
            printf '    local-zone: "%s." redirect\n' "$zone"
            printf '    local-data: "%s. 300 IN A %s"\n' "$zone" "$E2E_ANSWER4"
            printf '    local-data: "%s. 300 IN AAAA %s"\n' "$zone" "$E2E_ANSWER6"
        done
        printf 'remote-control:\n    control-enable: no\n'
    } >"$conf"
    err=$(timeout 10 unbound-checkconf "$conf" 2>&1) || e2e_die "setup: unbound-checkconf: ${err//$'\n'/ }"
    ip netns exec "$E2E_NS_R" unbound -d -c "$conf" >"$E2E_TMP/resolver.log" 2>&1 &
    E2E_RESOLVER_PID=$!
    E2E_PIDS+=("$E2E_RESOLVER_PID")

    if ! wait_until 5 0.05 _e2e_resolver_answers "$E2E_R_ADDR4" A "$E2E_ANSWER4"; then
        e2e_log "resolver log: $(tail -n 5 "$E2E_TMP/resolver.log" 2>/dev/null | tr '\n' '|')"
        e2e_die "setup: unbound in $E2E_NS_R did not answer plain DNS on $E2E_R_ADDR4:53 within 5 s"
    fi
    for zone in "${E2E_LEAK_ZONES[@]}"; do
        [[ $(e2e_dig "@$E2E_R_ADDR4" "www.$zone" A) == "$E2E_ANSWER4" ]] \
            || e2e_die "setup: unbound does not answer www.$zone A with $E2E_ANSWER4"
    done
    if ! wait_until 5 0.2 _e2e_leak_dot_answers; then
        e2e_log "resolver log: $(tail -n 5 "$E2E_TMP/resolver.log" 2>/dev/null | tr '\n' '|')"
        e2e_die "setup: unbound did not answer DNS over TLS on $E2E_R_ADDR4:$E2E_LEAK_DOT_PORT within 5 s (kdig +tls)"
    fi
    e2e_vlog "unbound (pid $E2E_RESOLVER_PID) answers on $E2E_R_ADDR4:53 and DoT :$E2E_LEAK_DOT_PORT"
}
