#!/usr/bin/env bash
# live_any.sh WTFN — live capture on the default device `any` (no --iface).
#
# Namespace C gets a second resolver on its own loopback (127.0.0.1:53). With
# `wtfn dns leak watch --follow --json --out R` running in C:
#   dig @10.200.0.2 v.example.test A   leaves by veth-c: query out, response in
#   dig @127.0.0.1  l.example.test A   stays on lo, where `any` sees every packet
#                                      twice (outgoing and incoming copy)
# The report must give each veth message once with the right interface and
# direction, and each loopback message exactly once: either the outgoing copy
# with the incoming copies counted in counters.loopback_duplicates (= 2), or,
# since libpcap drops outgoing loopback packets on `any`, the incoming copy
# with no duplicate counted.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init live_any "${1:-}"
e2e_topology
e2e_start_resolver
e2e_start_dnsmasq "$E2E_NS_C" 127.0.0.1 loresolver
LO_PID=$E2E_RESOLVER_PID
wait_until 5 0.05 _e2e_resolver_answers 127.0.0.1 A "$E2E_ANSWER4" \
    || e2e_die "dnsmasq on 127.0.0.1 in $E2E_NS_C (pid $LO_PID) did not answer within 5 s"

T=$E2E_TMP
R4=$E2E_R_ADDR4

e2e_start_wtfn "$E2E_NS_C" "$T/stdout" "$T/stderr" \
    dns leak watch --follow --json --privacy full --out "$T/r.json"
if ! e2e_wait_capturing "$WTFN_PID" 5; then
    e2e_fail "wtfn starts capturing on any" "no live capture socket in pid $WTFN_PID after 5 s"
    e2e_show "wtfn stderr" "$T/stderr"
    e2e_finish
fi
e2e_pass "wtfn starts capturing on any (pid $WTFN_PID)"

v=$(e2e_dig "@$R4" v.example.test A)
l=$(e2e_dig @127.0.0.1 l.example.test A)
if [[ $v == "$E2E_ANSWER4" && $l == "$E2E_ANSWER4" ]]; then
    e2e_pass "dig got both answers (veth and loopback)"
else
    e2e_fail "dig got both answers (veth and loopback)" "veth: '$v', loopback: '$l'"
fi

e2e_kill INT "$WTFN_PID"
e2e_wait_exit "$WTFN_PID" 5
# The veth query is a leak under the default profile (the loopback one is not).
if (( WTFN_RC == 1 )); then
    e2e_pass "wtfn exits 1 (leaks found) after SIGINT"
else
    e2e_fail "wtfn exits 1 (leaks found) after SIGINT" "status $WTFN_RC (124: still running after 5 s)"
fi
if [[ ! -s $T/r.json ]]; then
    e2e_fail "--out report written" "no report"
    e2e_show "wtfn stderr" "$T/stderr"
    e2e_finish
fi

R=$T/r.json
e2e_check "report has the schema-v1 shape, source live, stop_reason signal" \
    check_report "$R" --schema --eq source.kind=live --eq stop_reason=signal --eq partial=false
e2e_check "veth query v.example.test: veth-c, out, to $R4:53" \
    check_report "$R" --event "qr=query,qname=v.example.test,qtype=A,transport=udp53,interface=veth-c,direction=out,dst_ip=$R4,dst_port=53"
e2e_check "veth response v.example.test: veth-c, in, answer $E2E_ANSWER4" \
    check_report "$R" --event "qr=response,qname=v.example.test,interface=veth-c,direction=in,src_ip=$R4,answer=$E2E_ANSWER4"
e2e_check "loopback query l.example.test: exactly once, on lo, to 127.0.0.1:53" \
    check_report "$R" --count 1 "qr=query,qname=l.example.test" \
        --event "qr=query,qname=l.example.test,transport=udp53,interface=lo,dst_ip=127.0.0.1,dst_port=53"
e2e_check "loopback response l.example.test: exactly once, on lo, answer $E2E_ANSWER4" \
    check_report "$R" --count 1 "qr=response,qname=l.example.test" \
        --event "qr=response,qname=l.example.test,interface=lo,src_ip=127.0.0.1,answer=$E2E_ANSWER4"
# The contract keeps the outgoing copy and counts the incoming one. libpcap
# (1.10, pcap-linux.c) already drops outgoing packets on lo when capturing on
# `any`, so wtfn may only ever see the incoming copy: then direction "in" and
# no duplicate counted is right too. Anything in between is not.
e2e_check "loopback copies: kept copy 'out' with loopback_duplicates 2, or (libpcap dropped the outgoing copy) 'in' with 0" \
    check_report "$R" --expr "(count('qname=l.example.test,direction=out') == 2 and r['counters']['loopback_duplicates'] == 2) or (count('qname=l.example.test,direction=in') == 2 and r['counters']['loopback_duplicates'] == 0)"
e2e_check "summary: 2 queries, 2 responses, 4 events" \
    check_report "$R" --eq summary.queries=2 --eq summary.responses=2 --eq summary.dns_messages=4 \
        --expr 'len(events) == 4'

(( E2E_FAILED )) && e2e_show "wtfn stderr" "$T/stderr"
e2e_finish
