#!/usr/bin/env python3
"""Whole-binary tests of `wtfn dns leak watch --pcap` on generated captures.

make_fixtures (tests/support/make_fixtures.cc, the recipe of every capture) writes one capture
per link type and a manifest of what each holds. For every fixture this script checks:

  * the JSON report: every event with its flow facts (qname, qtype, transport, confidence,
    addresses, ports, direction from SLL/SLL2/epb_flags, interface names from pcapng, ifindex
    from SLL2, answers), the counters, the summary and the source link types;
  * the same report when the file comes on standard input (`--pcap -`) and in `--out`;
  * an independent oracle (STYLE.md C11): the UDP/53 DNS messages wtfn reports equal the
    lines of `tcpdump -nr F 'udp port 53'` for the classic pcap fixtures (plus the loopback
    copies wtfn folds, minus none);
  * damaged copies (RELIABILITY.md M6): cut inside the last record, and (one fixture per file
    flavour) one byte before, at and after every record boundary (first 200): a cut at a
    boundary is a shorter valid file; any other cut exits 2 with one stderr line naming the
    file, "truncated" and the byte offset of the damaged record, and a `--out` report with
    partial:true that still holds every event before the damage;
  * RELIABILITY.md M5: one valid query after 100,000 malformed frames is reported with its
    qname, interface and direction.

Last line: "pcap.fixtures: N passed, M failed".
"""

import argparse
import json
import os
import re
import stat
import subprocess
import sys

NAME = "pcap.fixtures"
BOUNDARY_SWEEP = ("en10mb.pcap", "linux_sll.pcap", "multi.pcapng")


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {name}" + (f": {detail}" if detail else ""), flush=True)
        return ok


def run(cmd, stdin_path=None, timeout=120):
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        p = subprocess.run(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
    finally:
        if stdin_path:
            stdin.close()
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def watch(wtfn, pcap, extra=(), stdin_path=None):
    # Full privacy: the checks compare query names with the fixture's manifest.
    return run([wtfn, "dns", "leak", "watch", "--pcap", pcap, "--json", "--privacy", "full",
                *extra],
               stdin_path=stdin_path)


def canon_event(e):
    """The facts of one reported event, as comparable data."""
    dns = e.get("dns")
    out = {
        "ts_ns": e["ts_ns"],
        "transport": e["transport"],
        "confidence": e["confidence"],
        "proto": e["proto"],
        "src_ip": e["src_ip"],
        "src_port": e["src_port"],
        "dst_ip": e["dst_ip"],
        "dst_port": e["dst_port"],
        "direction": e["direction"],
        "interface": e["interface"],
        "ifindex": e["ifindex"],
        "route_class": e["route_class"],
        "qname": dns["qname"] if dns else None,
    }
    if dns:
        out["qtype"] = dns["qtype"]
        out["qr"] = dns["qr"]
        out["answers"] = [d for a in dns["answers"] for d in a["data"]]
    if "tls_client_hello" in e:
        out["tls_client_hello"] = e["tls_client_hello"]
    if "quic_version" in e:
        out["quic_version"] = e["quic_version"]
    return out


def canon_expected(f):
    out = dict(f)
    return out


def as_sorted(events):
    return sorted(json.dumps(e, sort_keys=True) for e in events)


def diff_events(got, want):
    g = as_sorted(got)
    w = as_sorted(want)
    missing = [x for x in w if x not in g]
    extra = [x for x in g if x not in w]
    return f"missing {missing[:3]} extra {extra[:3]} (got {len(g)}, want {len(w)})"


def check_report(res, name, report, fx, partial=False):
    """Checks one parsed report against the manifest entry `fx`."""
    got = [canon_event(e) for e in report["events"]]
    want = [canon_expected(e) for e in fx["events"]]
    res.check(f"{name}: events", as_sorted(got) == as_sorted(want), diff_events(got, want))
    # Events come in capture order, except flow events emitted when the flow ends.
    ts = [e["ts_ns"] for e in report["events"] if e.get("dns")]
    res.check(f"{name}: DNS events in capture order", ts == sorted(ts), str(ts))
    c = report["counters"]
    for key, value in fx["counters"].items():
        if partial and key == "packets_read":
            continue
        res.check(f"{name}: counters.{key}", c[key] == value, f"got {c[key]}, want {value}")
    for key, value in fx.get("malformed", {}).items():
        res.check(f"{name}: counters.malformed.{key}", c["malformed"][key] == value,
                  f"got {c['malformed'][key]}, want {value}")
    res.check(f"{name}: source.link_types", report["source"]["link_types"] == fx["link_types"],
              str(report["source"]["link_types"]))
    res.check(f"{name}: partial", report["partial"] is partial, str(report["partial"]))
    s = report["summary"]
    dns_events = [e for e in want if e["qname"] is not None]
    by_transport = {}
    for e in want:
        by_transport[e["transport"]] = by_transport.get(e["transport"], 0) + 1
    by_transport["https_tcp"] = fx["https_flows"]
    for t, n in by_transport.items():
        res.check(f"{name}: summary.by_transport.{t}", s["by_transport"][t] == n,
                  f"got {s['by_transport'][t]}, want {n}")
    res.check(f"{name}: summary.dns_messages", s["dns_messages"] == len(dns_events),
              f"got {s['dns_messages']}, want {len(dns_events)}")
    queries = sum(1 for e in dns_events if e["qr"] == "query")
    res.check(f"{name}: summary.queries", s["queries"] == queries,
              f"got {s['queries']}, want {queries}")
    res.check(f"{name}: summary.responses", s["responses"] == len(dns_events) - queries,
              f"got {s['responses']}")


def parse_json(res, name, text):
    try:
        return json.loads(text)
    except ValueError as exc:
        res.check(f"{name}: JSON parses", False, f"{exc}: {text[:200]!r}")
        return None


def test_fixture(res, args, fx):
    path = os.path.join(args.dir, fx["file"])
    name = fx["file"]
    rc, out, err = watch(args.wtfn, path)
    res.check(f"{name}: exit status clean", rc in (0, 1), f"rc={rc} stderr={err!r}")
    res.check(f"{name}: stderr empty", err == "", repr(err))
    report = parse_json(res, name, out)
    if report is None:
        return
    check_report(res, name, report, fx)
    res.check(f"{name}: no error", report["error"] is None and
              report["stop_reason"] == "end_of_input", f"{report['error']} {report['stop_reason']}")

    # Standard input gives the same report.
    rc2, out2, err2 = watch(args.wtfn, "-", stdin_path=path)
    report2 = parse_json(res, name + " (stdin)", out2)
    if report2 is not None:
        res.check(f"{name}: stdin exit status", rc2 == rc, f"rc={rc2} {err2!r}")
        res.check(f"{name}: stdin events equal", report2["events"] == report["events"])
        res.check(f"{name}: stdin counters equal", report2["counters"] == report["counters"])

    # --out writes the same report, mode 0600.
    out_path = os.path.join(args.dir, name + ".report.json")
    if os.path.exists(out_path):
        os.unlink(out_path)
    rc3, out3, _ = watch(args.wtfn, path, ["--out", out_path])
    if res.check(f"{name}: --out written", os.path.exists(out_path)):
        with open(out_path, encoding="utf-8") as f:
            file_report = parse_json(res, name + " (--out)", f.read())
        mode = stat.S_IMODE(os.stat(out_path).st_mode)
        res.check(f"{name}: --out mode 0600", mode == 0o600, oct(mode))
        if file_report is not None:
            res.check(f"{name}: --out events equal stdout",
                      file_report["events"] == json.loads(out3)["events"])

    if "tcpdump_filter" in fx:
        check_tcpdump(res, args, fx, path, report)
    if fx.get("mutate"):
        check_truncation(res, args, fx, path)


def check_tcpdump(res, args, fx, path, report):
    """Independent oracle: tcpdump's count of UDP/53 packets."""
    name = fx["file"]
    if not args.tcpdump:
        res.check(f"{name}: tcpdump present", False, "tcpdump not found; install it")
        return
    p = subprocess.run([args.tcpdump, "-nr", path, fx["tcpdump_filter"]],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    lines = [l for l in p.stdout.decode().splitlines() if l.strip()]
    ours = sum(1 for e in report["events"] if e["transport"] == "udp53")
    folded = report["counters"]["loopback_duplicates"]
    res.check(f"{name}: tcpdump exit", p.returncode == 0, p.stderr.decode()[:200])
    res.check(f"{name}: udp53 messages + loopback copies == tcpdump 'udp port 53'",
              ours + folded == len(lines), f"wtfn {ours}+{folded}, tcpdump {len(lines)}")
    res.check(f"{name}: manifest agrees with tcpdump", fx["udp53_packets"] == len(lines),
              f"manifest {fx['udp53_packets']}, tcpdump {len(lines)}")


def cut_copy(args, path, size):
    dst = os.path.join(args.dir, "cut.bin")
    with open(path, "rb") as f:
        data = f.read(size)
    with open(dst, "wb") as f:
        f.write(data)
    return dst


def expect_failure(res, label, args, cut, offset, fx, check_out=True, want_truncated=True):
    out_path = os.path.join(args.dir, "cut.report.json")
    if os.path.exists(out_path):
        os.unlink(out_path)
    rc, out, err = watch(args.wtfn, cut, ["--out", out_path])
    lines = err.splitlines()
    res.check(f"{label}: exit 2", rc == 2, f"rc={rc} stderr={err!r}")
    ok = (len(lines) == 1 and lines[0].startswith("wtfn: error: ") and cut in lines[0] and
          re.search(rf"\bbyte offset {offset}\b", lines[0]) is not None and
          (not want_truncated or "truncated" in lines[0]))
    res.check(f"{label}: one stderr line naming file, 'truncated' and byte offset {offset}", ok,
              repr(err))
    if not check_out:
        return
    if not res.check(f"{label}: --out written", os.path.exists(out_path)):
        return
    with open(out_path, encoding="utf-8") as f:
        report = parse_json(res, label + " --out", f.read())
    if report is None:
        return
    res.check(f"{label}: --out partial:true", report["partial"] is True)
    res.check(f"{label}: --out names the error",
              report["error"] is not None and f"byte offset {offset}" in report["error"],
              str(report["error"]))
    return report


def expected_for_cut(fx, size):
    """What reading the first `size` bytes of the fixture must give: ("clean", packets) or
    ("error", byte offset named, --out expected, "truncated" expected)."""
    header = 24 if fx["format"] == "pcap" else 0
    bounds = fx["record_offsets"]
    if size < 4:
        return ("error", 0, False, False)  # not even a magic number
    if size < header:
        return ("error", 0, False, True)   # truncated pcap file header
    if size == header or size in bounds:
        packets = sum(1 for o in fx["packet_offsets"] if o < size)
        return ("clean", packets)
    start = max(o for o in [header] + bounds if o < size)
    return ("error", start, True, True)


def check_truncation(res, args, fx, path):
    name = fx["file"]
    size = os.path.getsize(path)
    bounds = fx["record_offsets"]
    last = bounds[-1]
    # Cut inside the last record, in its header and in its data: everything before is kept.
    for cut_at in sorted({last + 1, last + 5, last + 17, size - 1}):
        cut = cut_copy(args, path, cut_at)
        report = expect_failure(res, f"{name} cut at {cut_at}", args, cut, last, fx)
        if report is not None:
            check_report(res, f"{name} cut at {cut_at}", report, fx, partial=True)
            res.check(f"{name} cut at {cut_at}: packets before the damage all read",
                      report["counters"]["packets_read"] == fx["counters"]["packets_read"] - 1,
                      str(report["counters"]["packets_read"]))
    # Every record (block) boundary, +-1 byte (first 200 boundaries), on one fixture per
    # file flavour: little-endian µs pcap, big-endian ns pcap, pcapng.
    if name not in BOUNDARY_SWEEP:
        return
    header = [24] if fx["format"] == "pcap" else []
    sizes = set()
    for b in (header + bounds)[:200]:
        sizes.update({b - 1, b, b + 1})
    for cut_at in sorted(x for x in sizes if 1 <= x < size):
        want = expected_for_cut(fx, cut_at)
        cut = cut_copy(args, path, cut_at)
        label = f"{name} cut at {cut_at}"
        if want[0] == "clean":
            rc, out, err = watch(args.wtfn, cut)
            if res.check(f"{label}: exit clean at a record boundary", rc in (0, 1),
                         f"rc={rc} {err!r}"):
                got = json.loads(out)["counters"]["packets_read"]
                res.check(f"{label}: packets_read", got == want[1], f"got {got}, want {want[1]}")
        else:
            _, offset, with_out, truncated = want
            expect_failure(res, label, args, cut, offset, fx, check_out=with_out,
                           want_truncated=truncated)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--make-fixtures", required=True)
    ap.add_argument("--wtfn", required=True)
    ap.add_argument("--tcpdump", default="")
    ap.add_argument("--dir", required=True)
    args = ap.parse_args()
    if args.tcpdump.endswith("NOTFOUND"):
        args.tcpdump = ""

    res = Results()
    os.makedirs(args.dir, exist_ok=True)
    p = subprocess.run([args.make_fixtures, args.dir])
    if not res.check("make_fixtures", p.returncode == 0, f"rc={p.returncode}"):
        print(f"{NAME}: {res.passed} passed, {res.failed} failed")
        return 1
    with open(os.path.join(args.dir, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    for fx in manifest["fixtures"]:
        before = res.failed
        test_fixture(res, args, fx)
        print(f"{fx['file']}: {'ok' if res.failed == before else 'FAILED'}", flush=True)
    print(f"{NAME}: {res.passed} passed, {res.failed} failed")
    return 0 if res.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
