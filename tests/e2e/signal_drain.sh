#!/usr/bin/env bash
# signal_drain.sh WTFN [REPS=5] — RELIABILITY goal S3: zero lost events on Ctrl-C.
#
# For each signal in INT TERM, each delay in 0 50 100 300 ms and REPS repetitions:
#   1. start `wtfn dns leak watch --iface veth-c --follow --summary-only --json
#      --out R` in namespace C and wait (max 5 s) until its capture socket is live;
#   2. send a burst of exactly 2000 distinct UDP DNS queries (q<i>.example.test)
#      from C to the resolver in R, as fast as possible (dns_burst.py);
#   3. DELAY ms after the last query left, send the signal (from the sender, so
#      the delay is measured precisely);
#   4. wait (max 5 s) for wtfn to exit and check: exit status 0, stop_reason
#      "signal", summary.queries == 2000 exactly (or, when
#      counters.kernel_dropped > 0, queries + kernel_dropped >= 2000).
# Prints one line per run and a final line `signal_drain: N passed, M failed`.
#
# Environment: E2E_SIGNALS="INT TERM", E2E_DELAYS="0 50 100 300",
# E2E_BURST=2000, E2E_BUDGET_S=150 (runs left when the budget is spent count
# as failed, so an external timeout never has to kill us before cleanup).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init signal_drain "${1:-}"
REPS=${2:-5}
[[ $REPS =~ ^[1-9][0-9]*$ ]] || e2e_die "REPS must be a positive integer, got '$REPS'"
SIGNALS=${E2E_SIGNALS:-INT TERM}
DELAYS=${E2E_DELAYS:-0 50 100 300}
BURST=${E2E_BURST:-2000}
BUDGET_MS=$(( ${E2E_BUDGET_S:-150} * 1000 ))

e2e_topology
e2e_start_resolver

T=$E2E_TMP
start_ms=$(e2e_now_ms)
total=0
for sig in $SIGNALS; do for delay in $DELAYS; do total=$((total + REPS)); done; done

run=0
consecutive_setup_failures=0
for sig in $SIGNALS; do
    for delay in $DELAYS; do
        for ((rep = 1; rep <= REPS; rep++)); do
            run=$((run + 1))
            tag=$(printf 'run %2d/%d SIG%-4s delay=%3sms rep=%d' "$run" "$total" "$sig" "$delay" "$rep")

            if (( $(e2e_now_ms) - start_ms > BUDGET_MS )); then
                e2e_fail "$tag: not run, time budget of $((BUDGET_MS / 1000)) s spent"
                continue
            fi
            if (( consecutive_setup_failures >= 3 )); then
                e2e_fail "$tag: not run, wtfn failed to start capturing 3 times in a row"
                continue
            fi

            out=$T/r.$run.json
            rm -f "$out"
            e2e_start_wtfn "$E2E_NS_C" "$T/stdout.$run" "$T/stderr.$run" \
                dns leak watch --iface veth-c --follow --summary-only --json --out "$out"
            pid=$WTFN_PID

            if ! e2e_wait_capturing "$pid" 5; then
                if e2e_pid_alive "$pid"; then
                    reason="no live capture socket after 5 s"
                    e2e_kill KILL "$pid"
                    wait "$pid" 2>/dev/null
                else
                    wait "$pid" 2>/dev/null
                    reason="wtfn exited with status $? before capturing"
                fi
                e2e_fail "$tag: $reason" "stderr: $(head -c 300 "$T/stderr.$run" | tr '\n' '|')"
                consecutive_setup_failures=$((consecutive_setup_failures + 1))
                continue
            fi
            consecutive_setup_failures=0

            burst=$(in_c "$E2E_PY" "$E2E_DIR/dns_burst.py" "$E2E_R_ADDR4" --count "$BURST" \
                --signal-pid "$pid" --signal "$sig" --delay-ms "$delay" --reply-wait 2 2>&1)
            burst_rc=$?
            if (( burst_rc != 0 )); then
                e2e_kill "$sig" "$pid"   # the sender may have died before signalling
            fi
            e2e_wait_exit "$pid" 5
            rc=$WTFN_RC

            if (( burst_rc != 0 )); then
                e2e_fail "$tag: the sender could not send $BURST queries" "$burst"
                continue
            fi
            if (( rc == 124 )); then
                e2e_fail "$tag: wtfn still running 5 s after SIG$sig (killed)" "burst: $burst"
                continue
            fi
            if [[ ! -s $out ]]; then
                e2e_fail "$tag: rc=$rc, no report in --out" "stderr: $(head -c 300 "$T/stderr.$run" | tr '\n' '|')"
                continue
            fi

            vals=$("$E2E_PY" - "$out" "$burst" <<'EOF'
import json, sys
try:
    b = json.loads(sys.argv[2].strip().splitlines()[-1])
except Exception:
    b = {}
try:
    r = json.load(open(sys.argv[1]))
    s, c = r.get("summary", {}), r.get("counters", {})
    vals = [s.get("queries"), c.get("kernel_dropped"), c.get("interface_dropped"),
            r.get("stop_reason"), r.get("partial"), "events" in r, s.get("responses")]
except Exception as e:
    vals = ["error:" + type(e).__name__] + [None] * 6
vals += [b.get("target_exit_ms"), b.get("signal_sent_after_ms"), b.get("burst_ms"), b.get("replies")]
print(" ".join("-" if v is None else str(v) for v in vals))
EOF
)
            read -r q kd ifd stop partial has_events resp exit_ms sig_after burst_ms replies <<<"$vals"
            [[ $exit_ms == - ]] && exit_ms=">2000"
            info="rc=$rc queries=$q kernel_dropped=$kd interface_dropped=$ifd responses=$resp stop_reason=$stop partial=$partial | burst ${burst_ms}ms, signal +${sig_after}ms, exit ${exit_ms}ms after signal, sender got $replies replies"

            problems=()
            # The burst goes out the physical veth: leaks under the default profile.
            (( rc == 1 )) || problems+=("exit status $rc, want 1 (leaks found)")
            [[ $stop == signal ]] || problems+=("stop_reason $stop, want signal")
            [[ $has_events == False ]] || problems+=("events present despite --summary-only")
            if [[ $q =~ ^[0-9]+$ && $kd =~ ^[0-9]+$ ]]; then
                if (( kd == 0 )); then
                    (( q == BURST )) || problems+=("summary.queries $q, want exactly $BURST (kernel_dropped 0: $((BURST - q)) silently lost)")
                else
                    (( q + kd >= BURST && q <= BURST )) || problems+=("summary.queries $q + kernel_dropped $kd, want >= $BURST and queries <= $BURST")
                fi
            else
                problems+=("report lacks summary.queries/counters.kernel_dropped ($vals)")
            fi

            if (( ${#problems[@]} == 0 )); then
                e2e_pass "$tag: $info"
            else
                e2e_fail "$tag: $(IFS=';'; echo "${problems[*]}")" "$info"
            fi
        done
    done
done

e2e_log "elapsed $(( ($(e2e_now_ms) - start_ms) / 1000 )) s for $total runs"
e2e_finish
