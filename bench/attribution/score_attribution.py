#!/usr/bin/env python3
"""score_attribution.py REPORT EXPECT MODE RATE [--min-correct PERCENT]

Scores one mode of bench/attribution/run_attribution.sh: how many of the launched senders
the `wtfn dns leak watch --out` REPORT names correctly.

EXPECT has one line per launched sender: "PID COMM QNAME EXIT_STATUS" (the recorded pid,
the command name the process runs under, the one name it asked, its exit status).
For each sender the outgoing query event for QNAME is looked up: dns.qr == "query" and
route_class != "loopback" (on the `any` device a loopback copy could be seen as well).

  correct         the event's process names PID and COMM, whatever the confidence
  wrong at high   the event claims confidence high but names another pid or name (or none)
  wrong below     medium or low, naming another pid or name
  pid only        the right PID without a name (the process was gone before /proc was read)
  missing         no outgoing query event for QNAME in the report
Only "correct" counts as correct.

Prints the details, then one summary line:
  attribution MODE: N senders at R/s: P% correct (high H, medium M, low L, none X), wrong-at-high K
Exit status: 0 when wrong-at-high is 0 and (with --min-correct) the correct share is at least
PERCENT; 1 when not; 2 when REPORT or EXPECT cannot be read.
"""
import argparse
import json
import math
import sys

CONFIDENCES = ("high", "medium", "low", "none")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("expect")
    ap.add_argument("mode")
    ap.add_argument("rate", help="achieved launch rate, senders per second (printed only)")
    ap.add_argument("--min-correct", type=float, default=None,
                    help="fail when the correct share is below PERCENT")
    args = ap.parse_args()

    try:
        report = load(args.report)
        expected = []
        with open(args.expect, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 4:
                    expected.append((int(parts[0]), parts[1], parts[2].rstrip(".").lower(),
                                     int(parts[3])))
    except (OSError, ValueError) as e:
        print(f"score_attribution: {e}", file=sys.stderr)
        return 2

    # Outgoing query events by name.
    by_name = {}
    total_queries = 0
    for e in report.get("events") or []:
        dns = e.get("dns") or {}
        q = dns.get("qname")
        if q is None or dns.get("qr") != "query":
            continue
        total_queries += 1
        if e.get("route_class") == "loopback":
            continue
        by_name.setdefault(q.rstrip(".").lower(), []).append(e)

    counts = {c: 0 for c in CONFIDENCES}
    correct_by = {c: 0 for c in CONFIDENCES}
    sources = {}
    correct = wrong_high = missing = duplicated = failed_senders = 0
    wrong_other = 0  # named another process below high
    pid_only = 0     # the right pid without its name (the process was gone before /proc was read)
    examples = []
    for pid, comm, qname, rc in expected:
        if rc != 0:
            failed_senders += 1
        events = by_name.get(qname, [])
        if not events:
            missing += 1
            if len(examples) < 10:
                examples.append(f"missing: no outgoing query event for {qname} ({comm}[{pid}])")
            continue
        if len(events) > 1:
            duplicated += 1
        e = events[0]
        a = e.get("attribution") or {}
        p = e.get("process") or {}
        conf = a.get("confidence") if a.get("confidence") in CONFIDENCES else "none"
        counts[conf] += 1
        src = a.get("source") or "none"
        sources[src] = sources.get(src, 0) + 1
        named_pid, named = p.get("pid"), p.get("name")
        right = named_pid == pid and named == comm
        if right:
            correct += 1
            correct_by[conf] += 1
            continue
        wrong = (named_pid is not None and named_pid != pid) or (named is not None and named != comm)
        if conf == "high" and (wrong or named_pid is None):
            wrong_high += 1
        elif wrong:
            wrong_other += 1
        elif named_pid == pid:
            pid_only += 1
        if len(examples) < 10 or conf == "high":
            examples.append(f"{qname}: {conf} from {src} names {named}[{named_pid}], "
                            f"launched {comm}[{pid}] ({a.get('reason')})")

    n = len(expected)
    # Rounded down, so that 99.96 % is not printed as 100.0 %.
    share = math.floor(1000.0 * correct / n) / 10 if n else 0.0
    found = n - missing
    run = report.get("attribution") or (report.get("run") or {}).get("attribution") or {}

    mode = args.mode
    print(f"[{mode}] senders {n}, outgoing query events found {found} "
          f"({total_queries} query events in the report, {duplicated} names seen twice), "
          f"senders without an answer {failed_senders}")
    print(f"[{mode}] method {run.get('method')}, note {run.get('note')!r}, "
          f"eBPF records lost {run.get('events_lost')}")
    print(f"[{mode}] achieved launch rate {args.rate}/s")
    print(f"[{mode}] correct {correct}/{n} = {share:.1f}%")
    print(f"[{mode}] by confidence: " +
          ", ".join(f"{c} {counts[c]} (correct {correct_by[c]})" for c in CONFIDENCES) +
          f", missing {missing}")
    print(f"[{mode}] by source: " +
          (", ".join(f"{s} {k}" for s, k in sorted(sources.items())) or "-"))
    print(f"[{mode}] wrong at high: {wrong_high}; wrong process below high: {wrong_other}; "
          f"right pid without a name: {pid_only}")
    for ex in examples[:20]:
        print(f"[{mode}]   {ex}")
    print(f"attribution {mode}: {n} senders at {args.rate}/s: {share:.1f}% correct "
          f"(high {counts['high']}, medium {counts['medium']}, low {counts['low']}, "
          f"none {counts['none']}{f', missing {missing}' if missing else ''}), "
          f"wrong-at-high {wrong_high}")

    failed = wrong_high > 0 or n == 0
    if args.min_correct is not None and correct * 100 < args.min_correct * n:
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
