#!/usr/bin/env python3
"""check_attribution.py REPORT EXPECT MODE SHELL_PID — checks the senders named in a
`wtfn dns leak watch --out` report against what the test launched.

EXPECT has one line per launched sender: "PID COMM QNAME [VIA_PID VIA_COMM]". For each,
the query event for QNAME that left by the physical veth (not the loopback copy) is
looked up. MODE:
  ebpf      every such event must name COMM with PID at confidence high, source ebpf,
            with SHELL_PID in its parent chain; VIA: process.on_behalf_of = VIA.
  fallback  no event may claim high; counts of high/medium/low/none are printed;
            an event that names a pid at medium must name the right one.
  prestart  (a socket opened before wtfn) confidence medium from sock_diag, right PID.
Whatever the mode, no event may name a wrong process at confidence high.
Prints "ok ..." or "FAIL ..." lines and a summary line "counts high=.. medium=.. low=.. none=..";
exit 0 when every check passed.
"""
import json
import sys


def main():
    report_path, expect_path, mode, shell_pid = sys.argv[1:5]
    shell_pid = int(shell_pid)
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)
    by_name = {}
    for e in report.get("events", []):
        dns = e.get("dns") or {}
        q = dns.get("qname")
        if q is None or dns.get("qr") != "query":
            continue
        if e.get("route_class") == "loopback":
            continue  # the application's leg to a local stub, checked through on_behalf_of
        by_name.setdefault(q.rstrip(".").lower(), []).append(e)
    failures = []
    counts = {"high": 0, "medium": 0, "low": 0, "none": 0}
    expected = []
    with open(expect_path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3:
                expected.append(parts)
    for parts in expected:
        pid, comm, qname = int(parts[0]), parts[1], parts[2].rstrip(".").lower()
        via = (int(parts[3]), parts[4]) if len(parts) >= 5 else None
        events = by_name.get(qname, [])
        if len(events) != 1:
            failures.append(f"{qname}: expected 1 outgoing query event, found {len(events)}")
            continue
        e = events[0]
        a = e.get("attribution") or {}
        p = e.get("process")
        conf = a.get("confidence")
        counts[conf] = counts.get(conf, 0) + 1
        named_pid = p.get("pid") if p else None
        if conf == "high" and (p is None or named_pid != pid or p.get("name") != comm):
            failures.append(f"{qname}: HIGH names {p and p.get('name')}[{named_pid}], "
                            f"launched {comm}[{pid}]")
            continue
        if mode == "ebpf":
            chain = [c.get("pid") for c in (p or {}).get("chain", [])]
            if conf != "high" or a.get("source") != "ebpf":
                failures.append(f"{qname}: confidence {conf} source {a.get('source')} "
                                f"({a.get('reason')}), expected high from ebpf")
            elif shell_pid not in chain:
                failures.append(f"{qname}: parent chain {chain} lacks the test shell {shell_pid}")
            elif via is not None:
                ob = p.get("on_behalf_of") or {}
                if ob.get("pid") != via[0] or ob.get("name") != via[1]:
                    failures.append(f"{qname}: on_behalf_of {ob}, expected {via[1]}[{via[0]}]")
        elif mode == "fallback":
            if a.get("source") not in ("sock_diag",):
                failures.append(f"{qname}: source {a.get('source')}, expected sock_diag")
            elif conf == "medium" and named_pid != pid:
                failures.append(f"{qname}: MEDIUM names pid {named_pid}, launched {pid}")
        elif mode == "prestart":
            if conf != "medium" or named_pid != pid or a.get("source") != "sock_diag":
                failures.append(f"{qname}: {conf} from {a.get('source')} names pid {named_pid}"
                                f" ({a.get('reason')}), expected medium sock_diag pid {pid}")
    for f in failures[:20]:
        print(f"FAIL {f}")
    if len(failures) > 20:
        print(f"FAIL ... and {len(failures) - 20} more")
    print("counts " + " ".join(f"{k}={v}" for k, v in counts.items()) +
          f" senders={len(expected)}")
    return 1 if failures or not expected else 0


if __name__ == "__main__":
    sys.exit(main())
