#!/usr/bin/env bash
# Latency of `wtfn dns leak status` (bench/status/README.md).
#
#   run_status_latency.sh WTFN [RUNS=50]
#
# Builds the namespace of tests/e2e/status_oracle.sh (e2e_status_topology in
# tests/e2e/lib.sh: 9 interfaces of 6 kinds, ~70 routes in 5 tables, ~20 rules) and
# times, RUNS times each, round-robin after one warm-up run of each:
#
#   status --json        WTFN dns leak status --json >/dev/null   (run inside the namespace)
#   status text          WTFN dns leak status >/dev/null
#   ip x3                ip -j addr; ip -j route show table all; ip -j rule  (3 processes)
#   netns exec + json    ip netns exec NS WTFN dns leak status --json, from outside,
#                        as the tests run it
#   netns exec + true    ip netns exec NS true: what entering the namespace costs alone
#
# The first three are timed by a python3 process that runs inside the namespace
# (time.perf_counter around subprocess.run), so they do not include `ip netns exec`.
# Prints min / median / p95 / max / mean wall time in ms per mode. A measurement, not a
# test: there is no threshold. Exit status 0, or 1 when a setup step or a timed command
# failed (the numbers would mean nothing). Needs root (namespaces); sends no packets.
set -u
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../tests/e2e/lib.sh
source "$BENCH_DIR/../../tests/e2e/lib.sh"

RUNS=${2:-50}
if ! [[ $RUNS =~ ^[0-9]+$ ]] || (( RUNS < 1 || RUNS > 10000 )); then
    echo "usage: $0 WTFN [RUNS=50]  (RUNS 1..10000)" >&2
    exit 2
fi

e2e_init_netns status_latency "${1:-}"
NS=wtfn-c-$$
ISP=wtfn-r-$$
e2e_status_topology "$NS" "$ISP" >"$E2E_TMP/topology.log"
grep '^SKIP' "$E2E_TMP/topology.log" | sed 's/^/  (topology) /'

# Sanity: the command works here before it is timed.
if ! timeout 10 ip netns exec "$NS" "$E2E_WTFN" dns leak status --json >"$E2E_TMP/check.json" 2>"$E2E_TMP/check.err"; then
    e2e_die "wtfn dns leak status --json failed in $NS: $(head -n 3 "$E2E_TMP/check.err" | tr '\n' ' ')"
fi
counts=$("$E2E_PY" - "$E2E_TMP/check.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"{len(d.get('interfaces', []))} interfaces, {len(d.get('routes', []))} routes, "
      f"{len(d.get('rules', []))} rules, JSON {len(open(sys.argv[1]).read())} bytes")
EOF
)

cat >"$E2E_TMP/timer.py" <<'EOF'
import json, subprocess, sys, time
runs = int(sys.argv[1])
modes = json.loads(sys.argv[2])      # [[label, [argv, ...]], ...]; each argv is run in turn
times = {label: [] for label, _ in modes}
failures = []

def once(label, cmds):
    t0 = time.perf_counter()
    for argv in cmds:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=30)
        if r.returncode != 0:
            failures.append(f"{label}: {' '.join(argv)} exited {r.returncode}: "
                            f"{r.stderr.decode(errors='replace').strip()[:200]}")
    return (time.perf_counter() - t0) * 1000.0

for label, cmds in modes:           # warm-up (page cache, dynamic loader)
    once(label, cmds)
for _ in range(runs):               # round-robin, so drift hits every mode alike
    for label, cmds in modes:
        times[label].append(once(label, cmds))

def pct(sorted_v, p):               # nearest rank
    k = max(0, min(len(sorted_v) - 1, int(-(-p * len(sorted_v) // 100)) - 1))
    return sorted_v[k]

print(f"{'mode':<20} {'runs':>5} {'min':>8} {'median':>8} {'p95':>8} {'max':>8} {'mean':>8}   (ms)")
for label, _ in modes:
    v = sorted(times[label])
    med = v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2
    print(f"{label:<20} {len(v):>5} {v[0]:>8.2f} {med:>8.2f} {pct(v, 95):>8.2f} {v[-1]:>8.2f} "
          f"{sum(v) / len(v):>8.2f}")
for f in failures[:10]:
    print("FAILED RUN:", f)
sys.exit(1 if failures else 0)
EOF

W=$E2E_WTFN
inside=$("$E2E_PY" -c 'import json,sys; w=sys.argv[1]; print(json.dumps([
  ["status --json", [[w, "dns", "leak", "status", "--json"]]],
  ["status text",   [[w, "dns", "leak", "status"]]],
  ["ip x3",         [["ip", "-j", "addr"], ["ip", "-j", "route", "show", "table", "all"], ["ip", "-j", "rule"]]],
]))' "$W")
outside=$("$E2E_PY" -c 'import json,sys; w,ns=sys.argv[1:3]; print(json.dumps([
  ["netns exec + json", [["ip", "netns", "exec", ns, w, "dns", "leak", "status", "--json"]]],
  ["netns exec + true", [["ip", "netns", "exec", ns, "true"]]],
]))' "$W" "$NS")

echo "wtfn dns leak status latency: $RUNS runs per mode, $(nproc) CPUs, kernel $(uname -r)"
echo "namespace: $counts"
echo "binary: $W"
rc=0
timeout 600 ip netns exec "$NS" "$E2E_PY" "$E2E_TMP/timer.py" "$RUNS" "$inside" || rc=1
timeout 600 "$E2E_PY" "$E2E_TMP/timer.py" "$RUNS" "$outside" | tail -n +2 || rc=1
exit "$rc"
