#!/usr/bin/env bash
# attribution.sh WTFN — every query names the process that sent it (docs/attribution.md).
#
# Namespace C (the client) reaches the resolver namespace R over veth-c; wtfn watches C
# with --json --out and --privacy full. The test shell launches the senders itself and
# records each one's pid ($!), so the report can be checked against the truth:
#   1  eBPF: 100 short-lived `dig` processes, one after another, each asking one name and
#      exiting -> each event names dig with the recorded pid at confidence high, and the
#      parent chain holds this test's shell; plus a TCP/53 dig, an IPv6 dig, and a
#      long-lived python3 client that keeps one connected socket for 5 queries, and 10
#      pairs of processes that send from the same 5-tuple 2 ms apart (a port the kernel
#      hands from one short-lived process to the next): each query names its own sender
#   2  through a stub: dnsmasq on 127.0.0.1 in C forwards to R; `dig @127.0.0.1` x5 ->
#      the upstream query names dnsmasq, on behalf of dig with its pid
#   2b a policy that allows only the stub's executable (/usr/sbin/dnsmasq) to send DNS
#      off the machine: its upstream query is clean, a dig asking the resolver directly
#      is a leak whose evidence names the violated `process` list
#   2c the human view: the PROCESS column shows dig[PID], and -v adds the sender line and
#      the parent chain, which holds this shell as bash[$$]
#   2d forwarded traffic: a host F behind C (C routes for it) asks the resolver; the query
#      C forwards out veth-c has no local socket -> owner "forwarded", no process
#   3  a socket opened before wtfn started (no eBPF record): found by sock_diag, medium
#   4  --no-bpf: the same 100 digs; no event may claim high; the counts of high, medium,
#      low and none are printed (the fallback's honest figure)
# In every run no event may name a wrong process at confidence high (check_attribution.py).
#
# Exit 0 when every check passes, 1 otherwise (also when the set-up cannot be made).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init attribution "${1:-}"
e2e_topology
e2e_start_resolver

T=$E2E_TMP
C=$E2E_NS_C
R4=$E2E_R_ADDR4
R6=$E2E_R_ADDR6
SHELL_PID=$$
N=${ATTRIB_N:-100}

check_attr() { "$E2E_PY" "$E2E_DIR/check_attribution.py" "$@"; }

# attr_start TAG ARGS...: wtfn watching C until SIGINT, report in $T/TAG.json.
attr_start() {
    local tag=$1
    shift
    e2e_start_wtfn "$C" "$T/$tag.stdout" "$T/$tag.stderr" dns leak watch --iface any --follow \
        --json --out "$T/$tag.json" --privacy full "$@"
    if ! e2e_wait_capturing "$WTFN_PID" 10; then
        e2e_fail "$tag: wtfn starts capturing" "$(head -c 400 "$T/$tag.stderr" | tr '\n' '|')"
        return 1
    fi
}

# attr_stop TAG: SIGINT, wait, the exit status must be 1 (the queries leak by the veth).
attr_stop() {
    local tag=$1
    e2e_kill INT "$WTFN_PID"
    e2e_wait_exit "$WTFN_PID" 20
    e2e_check "$tag: wtfn exits 1 (leaks found)" test "$WTFN_RC" -eq 1
}

# launch_digs FILE PREFIX N [DIG ARGS...]: N digs one after another, each in the
# background so $! is its pid (ip netns exec execs dig: same pid), waited for in turn.
launch_digs() {
    local file=$1 prefix=$2 n=$3 i pid
    shift 3
    for ((i = 0; i < n; i++)); do
        ip netns exec "$C" dig +tries=1 +time=2 +short "$@" "$prefix$i.example.test" \
            >/dev/null 2>&1 &
        pid=$!
        echo "$pid dig $prefix$i.example.test" >>"$file"
        wait "$pid"
    done
}

# ---------------------------------------------------------------- 1 eBPF
: >"$T/bpf.expect"
if attr_start bpf; then
    launch_digs "$T/bpf.expect" short "$N" "@$R4"
    launch_digs "$T/bpf.expect" tcp 1 +tcp "@$R4"
    launch_digs "$T/bpf.expect" six 1 "@$R6" AAAA
    # A long-lived client: one connected socket, five queries 200 ms apart.
    ip netns exec "$C" "$E2E_PY" - "$R4" "$E2E_DIR" <<'PY' >"$T/longlived.names" 2>"$T/longlived.err" &
import socket, sys, time
sys.path.insert(0, sys.argv[2])
from dns_burst import query
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect((sys.argv[1], 53))
s.settimeout(2)
for i in range(5):
    s.send(query(i, "long", "example.test"))
    s.recv(512)
    print(f"long{i}.example.test", flush=True)
    time.sleep(0.2)
PY
    pid=$!
    wait "$pid"
    while read -r name; do echo "$pid python3 $name" >>"$T/bpf.expect"; done <"$T/longlived.names"
    e2e_check "bpf: the long-lived client asked 5 names" test "$(wc -l <"$T/longlived.names")" -eq 5
    # Port reuse: each pair binds the same source port, one process after the other.
    ip netns exec "$C" "$E2E_PY" - "$E2E_C_ADDR4" "$R4" "$E2E_DIR" <<'PY' >>"$T/bpf.expect" 2>"$T/reuse.err"
import os, socket, sys, time
local, resolver = sys.argv[1], sys.argv[2]
sys.path.insert(0, sys.argv[3])
from dns_burst import query
def ask(i, prefix, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((local, port))
    s.sendto(query(i, prefix, "example.test"), (resolver, 53))
    s.settimeout(1)
    try:
        s.recv(512)
    except OSError:
        pass
for i in range(10):
    for prefix in ("reusea", "reuseb"):
        pid = os.fork()
        if pid == 0:
            ask(i, prefix, 41000 + i)
            os._exit(0)
        os.waitpid(pid, 0)
        print(pid, "python3", f"{prefix}{i}.example.test", flush=True)
        time.sleep(0.002)
PY
    attr_stop bpf
    e2e_check "bpf: $((N + 27)) senders named exactly (high, ebpf, pid, parent chain)" \
        check_attr "$T/bpf.json" "$T/bpf.expect" ebpf "$SHELL_PID"
fi

# ---------------------------------------------------------------- 2 through a stub
dnsmasq=/usr/sbin/dnsmasq
[[ -x $dnsmasq ]] || dnsmasq=$(command -v dnsmasq)
ip netns exec "$C" "$dnsmasq" --conf-file=/dev/null --no-resolv --no-hosts --port 53 \
    --listen-address=127.0.0.1 --bind-interfaces --server="$R4" --cache-size=0 \
    --keep-in-foreground --pid-file="$T/stub.pid" --log-facility=- >"$T/stub.log" 2>&1 &
STUB_PID=$!
E2E_PIDS+=("$STUB_PID")
stub_answers() { [[ $(e2e_dig @127.0.0.1 ready-stub.example.test A) == "$E2E_ANSWER4" ]]; }
if ! wait_until 5 0.05 stub_answers; then
    e2e_fail "stub: dnsmasq on 127.0.0.1 in C answers" "$(tail -n 3 "$T/stub.log" | tr '\n' '|')"
else
    : >"$T/stub.expect"
    if attr_start stub; then
        for i in 0 1 2 3 4; do
            ip netns exec "$C" dig +tries=1 +time=2 +short @127.0.0.1 "viastub$i.example.test" \
                >/dev/null 2>&1 &
            pid=$!
            echo "$STUB_PID dnsmasq viastub$i.example.test $pid dig" >>"$T/stub.expect"
            wait "$pid"
        done
        attr_stop stub
        e2e_check "stub: 5 upstream queries name dnsmasq[$STUB_PID] on behalf of dig[pid]" \
            check_attr "$T/stub.json" "$T/stub.expect" ebpf "$SHELL_PID"
    fi
    # 2b: processes in the policy, by executable path.
    printf '{"schema_version": 1, "name": "only-the-stub", "safe_path": {"route_classes": ["physical", "loopback"], "processes": ["%s"]}}\n' \
        "$dnsmasq" >"$T/only-stub.json"
    if attr_start policy --policy "$T/only-stub.json"; then
        ip netns exec "$C" dig +tries=1 +time=2 +short @127.0.0.1 bystub.example.test >/dev/null 2>&1
        ip netns exec "$C" dig +tries=1 +time=2 +short "@$R4" direct.example.test >/dev/null 2>&1
        attr_stop policy
        e2e_check "policy: the stub's upstream query is clean, dig's direct query a leak (process)" \
            "$E2E_PY" - "$T/policy.json" <<'PY'
import json, sys
ev = {}
for e in json.load(open(sys.argv[1]))["events"]:
    d = e.get("dns") or {}
    if d.get("qr") == "query" and e.get("route_class") == "physical":
        ev[d.get("qname")] = e
stub, direct = ev.get("bystub.example.test"), ev.get("direct.example.test")
if not stub or not direct:
    sys.exit(f"missing events: {sorted(ev)}")
if stub["verdict"] != "clean" or (stub["process"] or {}).get("name") != "dnsmasq":
    sys.exit(f"stub query: {stub['verdict']} by {stub['process']}")
if direct["verdict"] != "leak" or direct["evidence"]["violated"] != ["process"]:
    sys.exit(f"direct query: {direct['verdict']} {direct['evidence']}")
if (direct["process"] or {}).get("name") != "dig":
    sys.exit(f"direct query by {direct['process']}")
PY
    fi
fi

# ---------------------------------------------------------------- 2c the human view
e2e_start_wtfn "$C" "$T/human.stdout" "$T/human.stderr" dns leak watch --iface any --follow \
    --privacy full -v
if e2e_wait_capturing "$WTFN_PID" 10; then
    ip netns exec "$C" dig +tries=1 +time=2 +short "@$R4" human.example.test >/dev/null 2>&1 &
    pid=$!
    wait "$pid"
    attr_stop human
    e2e_check "human: the PROCESS column shows dig[$pid]" \
        grep -qE "veth-c .* dig\[$pid\] +query A human\.example\.test" "$T/human.stdout"
    e2e_check "human: -v shows the sender and its parent chain with this shell" \
        grep -qE "^ +parents: .*bash\[$SHELL_PID\]" "$T/human.stdout"
    e2e_check "human: the summary counts the senders by confidence" \
        grep -qE "^  senders +[1-9][0-9]* high" "$T/human.stdout"
else
    e2e_fail "human: wtfn starts capturing" "$(head -c 400 "$T/human.stderr" | tr '\n' '|')"
fi

# ---------------------------------------------------------------- 2d forwarded
F=wtfn-f-$$
if e2e_netns_new "$F" && ip -n "$C" link add veth-cf type veth peer name veth-f netns "$F" &&
    ip -n "$C" addr add 10.201.0.1/24 dev veth-cf && ip -n "$F" addr add 10.201.0.2/24 dev veth-f &&
    ip -n "$C" link set veth-cf up && ip -n "$F" link set veth-f up &&
    ip -n "$F" route add default via 10.201.0.1 &&
    ip -n "$E2E_NS_R" route add 10.201.0.0/24 via "$E2E_C_ADDR4" &&
    ip netns exec "$C" sysctl -qw net.ipv4.ip_forward=1; then
    if attr_start fwd; then
        ip netns exec "$F" dig +tries=1 +time=2 +short "@$R4" forwarded.example.test >/dev/null 2>&1
        attr_stop fwd
        e2e_check "fwd: the query C forwards for F is owned by no process: forwarded" \
            "$E2E_PY" - "$T/fwd.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ev = [e for e in r["events"] if (e.get("dns") or {}).get("qname") == "forwarded.example.test"
      and e["dns"].get("qr") == "query" and e.get("interface") == "veth-c"]
if len(ev) != 1:
    sys.exit(f"{len(ev)} forwarded query events on veth-c")
e = ev[0]
a = e["attribution"]
if e["process"] is not None or a["owner"] != "forwarded" or "10.201.0.2" not in (a["reason"] or ""):
    sys.exit(f"process {e['process']}, attribution {a}")
if r["attribution"]["forwarded"] < 1:
    sys.exit(f"report attribution {r['attribution']}")
PY
    fi
else
    e2e_fail "fwd: a forwarding host F behind C can be set up"
fi

# ---------------------------------------------------------------- 3 a socket from before
# python3 connects before wtfn starts (no eBPF record for that socket), then queries and
# keeps the socket a second longer, as a long-lived client does.
mkfifo "$T/go"
ip netns exec "$C" "$E2E_PY" - "$R4" "$T/go" "$E2E_DIR" <<'PY' >"$T/pre.names" 2>"$T/pre.err" &
import socket, sys, time
sys.path.insert(0, sys.argv[3])
from dns_burst import query
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect((sys.argv[1], 53))
s.settimeout(2)
open(sys.argv[2]).read()  # wait until wtfn runs
for i in range(3):
    s.send(query(i, "pre", "example.test"))
    s.recv(512)
    print(f"pre{i}.example.test", flush=True)
time.sleep(1)  # long-lived: the socket stays open after its queries
PY
PRE_PID=$!
E2E_PIDS+=("$PRE_PID")
if attr_start pre; then
    echo go >"$T/go"
    wait "$PRE_PID"
    attr_stop pre
    : >"$T/pre.expect"
    while read -r name; do echo "$PRE_PID python3 $name" >>"$T/pre.expect"; done <"$T/pre.names"
    e2e_check "pre: a socket opened before wtfn is found by sock_diag (medium, right pid)" \
        check_attr "$T/pre.json" "$T/pre.expect" prestart "$SHELL_PID"
else
    echo go >"$T/go"
fi

# ---------------------------------------------------------------- 4 --no-bpf
: >"$T/nobpf.expect"
if attr_start nobpf --no-bpf; then
    launch_digs "$T/nobpf.expect" fb "$N" "@$R4"
    attr_stop nobpf
    e2e_check "no-bpf: no event claims high; medium names the right pid" \
        check_attr "$T/nobpf.json" "$T/nobpf.expect" fallback "$SHELL_PID"
    e2e_log "no-bpf figures: $(check_attr "$T/nobpf.json" "$T/nobpf.expect" fallback "$SHELL_PID" | tail -n 1)"
    e2e_check "no-bpf: the report says why (note names --no-bpf)" \
        grep -q '"note":"eBPF attribution turned off (--no-bpf)"' "$T/nobpf.json"
fi

e2e_finish
