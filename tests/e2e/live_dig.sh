#!/usr/bin/env bash
# live_dig.sh WTFN — live capture of real dig queries (UDP, TCP, IPv6) on a veth.
#
# In namespace C, `wtfn dns leak watch --iface veth-c --follow --json --out R`
# runs while dig asks the resolver in namespace R three questions:
#   a.example.test A     over UDP/IPv4   -> 192.0.2.10
#   b.example.test AAAA  over TCP/IPv4   -> 2001:db8::10
#   c.example.test A     over UDP/IPv6   -> 192.0.2.10
# then wtfn gets SIGINT and the report must hold each query (direction out,
# interface veth-c, to the resolver's port 53) and each response (direction in,
# with its answer), each exactly once. Last, `--duration 1s` with no traffic
# must end after 1.0-2.5 s (RELIABILITY S5).
#
# Exit 0 when every check passes, 1 otherwise (also when the test cannot run:
# not root, no `ip netns`, no resolver).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init live_dig "${1:-}"
e2e_topology
e2e_start_resolver

T=$E2E_TMP
R4=$E2E_R_ADDR4
R6=$E2E_R_ADDR6

e2e_start_wtfn "$E2E_NS_C" "$T/stdout" "$T/stderr" \
    dns leak watch --iface veth-c --follow --json --privacy full --out "$T/r.json"

if ! e2e_wait_capturing "$WTFN_PID" 5; then
    if e2e_pid_alive "$WTFN_PID"; then
        e2e_fail "wtfn starts capturing on veth-c" "no running AF_PACKET socket with a mapped ring in pid $WTFN_PID after 5 s"
    else
        wait "$WTFN_PID"
        e2e_fail "wtfn starts capturing on veth-c" "wtfn exited with status $? before capturing"
    fi
    e2e_show "wtfn stderr" "$T/stderr"
    e2e_finish
fi
e2e_pass "wtfn starts capturing on veth-c (pid $WTFN_PID)"

# The queries. Each must get its answer, or the network, not wtfn, is broken.
dig_ok=1
a_udp=$(in_c dig +tries=1 +time=2 +short "@$R4" a.example.test A 2>&1)
b_tcp=$(in_c dig +tcp +tries=1 +time=2 +short "@$R4" b.example.test AAAA 2>&1)
c_v6=$(in_c dig +tries=1 +time=2 +short "@$R6" c.example.test A 2>&1)
[[ $a_udp == "$E2E_ANSWER4" ]] || { dig_ok=0; e2e_fail "dig a.example.test A over UDP" "got: $a_udp"; }
[[ $b_tcp == "$E2E_ANSWER6" ]] || { dig_ok=0; e2e_fail "dig +tcp b.example.test AAAA" "got: $b_tcp"; }
[[ $c_v6 == "$E2E_ANSWER4" ]] || { dig_ok=0; e2e_fail "dig @$R6 c.example.test A" "got: $c_v6"; }
(( dig_ok )) && e2e_pass "dig got all three answers (UDP, TCP, IPv6)"

# Stop wtfn the way a user does.
e2e_kill INT "$WTFN_PID"
t0=$(e2e_now_ms)
e2e_wait_exit "$WTFN_PID" 5
t1=$(e2e_now_ms)
if (( WTFN_RC == 124 )); then
    e2e_fail "wtfn exits within 5 s of SIGINT" "still running after 5 s; killed"
else
    e2e_pass "wtfn exits within 5 s of SIGINT ($((t1 - t0)) ms)"
fi
# The queries left on the physical veth, off the default proxy-stub profile's safe path.
if (( WTFN_RC == 1 )); then
    e2e_pass "exit status 1 (leaks found: plaintext DNS on the physical veth)"
else
    e2e_fail "exit status 1 (leaks found)" "got $WTFN_RC" "stderr: $(head -c 400 "$T/stderr" | tr '\n' '|')"
fi

if [[ ! -f $T/r.json ]]; then
    e2e_fail "--out report written" "$T/r.json does not exist"
    e2e_show "wtfn stderr" "$T/stderr"
    e2e_finish
fi
mode=$(stat -c %a "$T/r.json")
if [[ $mode == 600 ]]; then e2e_pass "--out report has mode 0600"; else e2e_fail "--out report has mode 0600" "mode is $mode"; fi

e2e_check "stdout (--json) is the same report as --out" \
    "$E2E_PY" -c '
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
if a.get("summary") != b.get("summary") or len(a.get("events", [])) != len(b.get("events", [])):
    print("stdout and --out differ: summary %s vs %s" % (a.get("summary"), b.get("summary"))); sys.exit(1)
' "$T/stdout" "$T/r.json"

R=$T/r.json
e2e_check "report has the schema-v1 shape" check_report "$R" --schema
e2e_check "report: source live, stop_reason signal, not partial, no error" \
    check_report "$R" --eq source.kind=live --eq stop_reason=signal --eq partial=false --eq error=null

e2e_check "UDP query a.example.test A: udp53, veth-c, out, to $R4:53" \
    check_report "$R" --event "qr=query,qname=a.example.test,qtype=A,proto=udp,transport=udp53,interface=veth-c,direction=out,src_ip=$E2E_C_ADDR4,dst_ip=$R4,dst_port=53,confidence=high,dns.flags.rd=true"
e2e_check "UDP response a.example.test: in, from $R4:53, answer $E2E_ANSWER4" \
    check_report "$R" --event "qr=response,qname=a.example.test,qtype=A,transport=udp53,interface=veth-c,direction=in,src_ip=$R4,src_port=53,rcode=NOERROR,answer=$E2E_ANSWER4,answer_type=A"
e2e_check "TCP query b.example.test AAAA: tcp53, veth-c, out, to $R4:53" \
    check_report "$R" --event "qr=query,qname=b.example.test,qtype=AAAA,proto=tcp,transport=tcp53,interface=veth-c,direction=out,dst_ip=$R4,dst_port=53"
e2e_check "TCP response b.example.test: in, answer $E2E_ANSWER6" \
    check_report "$R" --event "qr=response,qname=b.example.test,qtype=AAAA,proto=tcp,transport=tcp53,interface=veth-c,direction=in,src_ip=$R4,src_port=53,answer=$E2E_ANSWER6,answer_type=AAAA"
e2e_check "IPv6 query c.example.test A: udp53, veth-c, out, to [$R6]:53" \
    check_report "$R" --event "qr=query,qname=c.example.test,qtype=A,transport=udp53,interface=veth-c,direction=out,src_ip=$E2E_C_ADDR6,dst_ip=$R6,dst_port=53"
e2e_check "IPv6 response c.example.test: in, from [$R6]:53, answer $E2E_ANSWER4" \
    check_report "$R" --event "qr=response,qname=c.example.test,transport=udp53,direction=in,src_ip=$R6,answer=$E2E_ANSWER4"
e2e_check "each query and each response reported exactly once" \
    check_report "$R" \
        --count 1 "qr=query,qname=a.example.test" --count 1 "qr=response,qname=a.example.test" \
        --count 1 "qr=query,qname=b.example.test" --count 1 "qr=response,qname=b.example.test" \
        --count 1 "qr=query,qname=c.example.test" --count 1 "qr=response,qname=c.example.test"
e2e_check "summary: 3 queries, 3 responses, 6 DNS messages; counters consistent" \
    check_report "$R" --eq summary.queries=3 --eq summary.responses=3 --eq summary.dns_messages=6 \
        --eq counters.dns_messages=6 --eq counters.malformed_total=0 --eq counters.kernel_dropped=0 \
        --expr 'len(events) == 6'
# by_transport may count messages or queries; either way it must agree with the events.
e2e_check "summary.by_transport agrees with the events (udp53, tcp53)" \
    check_report "$R" \
        --expr "r['summary']['by_transport'].get('udp53') in (count('transport=udp53'), count('transport=udp53,qr=query'))" \
        --expr "r['summary']['by_transport'].get('tcp53') in (count('transport=tcp53'), count('transport=tcp53,qr=query'))"
e2e_check "summary.top_destinations lists $R4:53 and [$R6]:53" \
    check_report "$R" \
        --expr "any(get('summary.top_destinations') and d.get('ip') == '$R4' and d.get('port') == 53 and d.get('count', 0) >= 1 for d in get('summary.top_destinations'))" \
        --expr "any(d.get('port') == 53 and d.get('count', 0) >= 1 and __import__('ipaddress').ip_address(d.get('ip')) == __import__('ipaddress').ip_address('$R6') for d in get('summary.top_destinations'))"

if (( E2E_FAILED )); then
    e2e_show "wtfn stderr" "$T/stderr"
fi

# --duration must end the capture on time even when no packet arrives
# (RELIABILITY S5: 10 s exits within 10.0-11.5 s; here 1 s within 1.0-2.5 s).
t0=$(e2e_now_ms)
e2e_start_wtfn "$E2E_NS_C" "$T/dur.stdout" "$T/dur.stderr" \
    dns leak watch --iface veth-c --duration 1s --json --out "$T/dur.json"
e2e_wait_exit "$WTFN_PID" 5
elapsed=$(( $(e2e_now_ms) - t0 ))
if (( WTFN_RC == 124 )); then
    e2e_fail "--duration 1s with no traffic exits after 1.0-2.5 s" "still running after 5 s (killed)"
elif (( elapsed < 1000 || elapsed > 2500 || WTFN_RC != 0 )); then
    e2e_fail "--duration 1s with no traffic exits after 1.0-2.5 s" "exit status $WTFN_RC after $elapsed ms" \
        "stderr: $(head -c 300 "$T/dur.stderr" | tr '\n' '|')"
else
    e2e_pass "--duration 1s with no traffic exits after 1.0-2.5 s (status 0 after $elapsed ms)"
    e2e_check "--duration report: stop_reason duration, no events" \
        check_report "$T/dur.json" --eq stop_reason=duration --eq partial=false --eq summary.dns_messages=0
fi

e2e_finish
