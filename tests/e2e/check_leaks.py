#!/usr/bin/env python3
"""Assert the leak verdicts in a wtfn JSON report (`dns leak watch --json/--out`).

usage: check_leaks.py REPORT CHECK [CHECK ...]

Checks (any number; all are evaluated, in the order given):
  --leaks N          exactly N events have "verdict": "leak"
  --leak SPEC        at least one event with verdict "leak" matches SPEC
  --event SPEC       at least one event matches SPEC
  --count N SPEC     exactly N events match SPEC
  --no-event SPEC    no event matches SPEC
  --verdicts         every event carries coherent verdict fields: verdict in
                     leak/clean/not_judged; a leak has leak_type A-D, severity
                     P0-P3 and a rule_id "leak-<type>.*"; clean and not_judged
                     have leak_type and severity null and a rule_id "clean.*" /
                     "skip.*"; evidence is an object with policy (string),
                     violated (array of strings) and reason (one line); the
                     keys process and attribution are present
  --summary          summary.leaks.total, .by_type, .by_severity and
                     summary.verdicts agree with the events

SPEC is a comma-separated list of KEY=VALUE or KEY!=VALUE. KEY is an event
field (interface, route_class, direction, transport, src_ip, dst_ip, dst_port,
verdict, leak_type, severity, rule_id, ...), a dotted path (evidence.policy,
evidence.violated, dns.qname), or a field of the event's `dns` object by its
bare name (qname, qtype, qr). VALUE is parsed as JSON when possible (53, null,
true); IP addresses compare as addresses. Two special forms:
  KEY=*          present, not null, and not empty ("" / [] / {})
  KEY=abc.*      a string matching the shell pattern (fnmatch), e.g. rule_id=skip.*

Output: nothing and exit 0 when every check holds; otherwise one line per
failed check ("check_leaks: FAIL: <what> ... <actual values>") and exit 1.
An unreadable report or a bad argument is one line and exit 2.
"""

import argparse
import fnmatch
import json
import sys

# The report walking shared with check_report.py (same directory).
from check_report import MISSING, as_ip, get_path, parse_value
VERDICTS = ("leak", "clean", "not_judged")
LEAK_TYPES = ("A", "B", "C", "D")
SEVERITIES = ("P0", "P1", "P2", "P3")


def die(msg):
    print(f"check_leaks: FAIL: {msg}")
    sys.exit(2)


# --------------------------------------------------------------- matching

def field(ev, key):
    v = get_path(ev, key)
    if v is MISSING and "." not in key and isinstance(ev.get("dns"), dict):
        v = get_path(ev["dns"], key)
    return v


def value_matches(actual, expected):
    if actual is MISSING:
        return False
    if expected == "*":
        return actual is not None and actual not in ("", [], {})
    if isinstance(expected, str) and "*" in expected:
        return isinstance(actual, str) and fnmatch.fnmatchcase(actual, expected)
    if isinstance(expected, bool) or expected is None:
        return actual is expected
    if isinstance(actual, bool):
        return False
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return actual == expected
    a_ip, e_ip = as_ip(actual), as_ip(expected)
    if a_ip is not None and e_ip is not None:
        return a_ip == e_ip
    return actual == expected


class Spec:
    """KEY=VALUE / KEY!=VALUE items, all of which must hold."""

    def __init__(self, text, leak_only=False):
        self.text = text
        self.items = []
        if leak_only:
            self.items.append(("verdict", "=", "leak"))
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            if "!=" in part:
                k, v = part.split("!=", 1)
                self.items.append((k.strip(), "!=", parse_value(v.strip())))
            elif "=" in part:
                k, v = part.split("=", 1)
                self.items.append((k.strip(), "=", parse_value(v.strip())))
            else:
                raise ValueError(f"bad SPEC item '{part}' (want KEY=VALUE or KEY!=VALUE)")
        if not self.items:
            raise ValueError("empty SPEC")

    @staticmethod
    def item_holds(ev, item):
        k, op, v = item
        hit = value_matches(field(ev, k), v)
        return hit if op == "=" else (field(ev, k) is not MISSING and not hit)

    def matches(self, ev):
        return isinstance(ev, dict) and all(self.item_holds(ev, it) for it in self.items)

    def diffs(self, ev):
        def want(op, v):
            if v == "*":
                return "present and not empty" if op == "=" else "empty or null"
            return ("" if op == "=" else "!= ") + short(v)
        return [f"{k}={short(field(ev, k))} (want {want(op, v)})"
                for (k, op, v) in self.items if not self.item_holds(ev, (k, op, v))]


def short(v, n=70):
    if v is MISSING:
        return "<missing>"
    s = json.dumps(v)
    return s if len(s) <= n else s[:n - 3] + "..."


def describe(ev, idx):
    if not isinstance(ev, dict):
        return f"#{idx} (not an object)"
    dns = ev.get("dns") if isinstance(ev.get("dns"), dict) else {}
    ev_ = ev.get("evidence") if isinstance(ev.get("evidence"), dict) else {}
    return (f"#{idx} {ev.get('direction')} {ev.get('transport')} "
            f"{ev.get('src_ip')}:{ev.get('src_port')}->{ev.get('dst_ip')}:{ev.get('dst_port')} "
            f"if={ev.get('interface')}/{ev.get('route_class')} {dns.get('qr')} {dns.get('qname')} "
            f"verdict={ev.get('verdict', '<missing>')} type={ev.get('leak_type', '<missing>')} "
            f"sev={ev.get('severity', '<missing>')} rule={ev.get('rule_id', '<missing>')} "
            f"violated={short(ev_.get('violated', MISSING), 50)}")


def closest(events, spec):
    best, best_score = None, -1
    for i, ev in enumerate(events):
        if not isinstance(ev, dict):
            continue
        score = sum(1 for it in spec.items if Spec.item_holds(ev, it))
        if score > best_score:
            best, best_score = i, score
    if best is None:
        return "the report has no events"
    return f"closest {describe(events[best], best)} differs in: {'; '.join(spec.diffs(events[best]))}"


def listing(events, pred, limit=6):
    idx = [i for i, ev in enumerate(events) if pred(ev)]
    out = [describe(events[i], i) for i in idx[:limit]]
    if len(idx) > limit:
        out.append(f"(+{len(idx) - limit} more)")
    return out


def is_leak(ev):
    return isinstance(ev, dict) and ev.get("verdict") == "leak"


# --------------------------------------------------------------- checks

def check_verdicts(events):
    errs = []
    for i, ev in enumerate(events):
        w = f"events[{i}]"
        if not isinstance(ev, dict):
            errs.append(f"{w} is not an object")
            continue
        for key in ("verdict", "leak_type", "severity", "rule_id", "evidence", "process", "attribution"):
            if key not in ev:
                errs.append(f"{w}.{key} missing ({describe(ev, i)})")
        verdict, lt, sev, rule = ev.get("verdict"), ev.get("leak_type"), ev.get("severity"), ev.get("rule_id")
        if "verdict" in ev and verdict not in VERDICTS:
            errs.append(f"{w}.verdict is {short(verdict)}, want one of {', '.join(VERDICTS)}")
        if not isinstance(rule, str) or not rule:
            if "rule_id" in ev:
                errs.append(f"{w}.rule_id is {short(rule)}, want a non-empty string")
            rule = ""
        if verdict == "leak":
            if lt not in LEAK_TYPES:
                errs.append(f"{w}: a leak with leak_type {short(lt)}, want one of A-D")
            if sev not in SEVERITIES:
                errs.append(f"{w}: a leak with severity {short(sev)}, want P0-P3")
            if lt in LEAK_TYPES and not rule.startswith(f"leak-{lt.lower()}."):
                errs.append(f"{w}: leak_type {lt} with rule_id {short(rule)}, want leak-{lt.lower()}.*")
        elif verdict in ("clean", "not_judged"):
            if lt is not None or sev is not None:
                errs.append(f"{w}: verdict {verdict} with leak_type {short(lt)} severity {short(sev)}, want null, null")
            prefix = "clean." if verdict == "clean" else "skip."
            if not rule.startswith(prefix):
                errs.append(f"{w}: verdict {verdict} with rule_id {short(rule)}, want {prefix}*")
        evd = ev.get("evidence", MISSING)
        if evd is not MISSING:
            if not isinstance(evd, dict):
                errs.append(f"{w}.evidence is {short(evd)}, want an object")
            else:
                if not isinstance(evd.get("policy"), str):
                    errs.append(f"{w}.evidence.policy is {short(evd.get('policy', MISSING))}, want a string")
                viol = evd.get("violated", MISSING)
                if not isinstance(viol, list) or not all(isinstance(x, str) for x in viol):
                    errs.append(f"{w}.evidence.violated is {short(viol)}, want an array of strings")
                reason = evd.get("reason", MISSING)
                if not isinstance(reason, str) or "\n" in reason:
                    errs.append(f"{w}.evidence.reason is {short(reason)}, want a one-line string")
        if len(errs) >= 12:
            errs.append("(stopped after 12 problems)")
            break
    return errs


def check_summary(r, events):
    errs = []
    summ = r.get("summary")
    if not isinstance(summ, dict):
        return ["summary is missing or not an object"]
    leaks = [ev for ev in events if is_leak(ev)]
    sl = summ.get("leaks", MISSING)
    if not isinstance(sl, dict):
        errs.append(f"summary.leaks is {short(sl)}, want an object")
    else:
        if sl.get("total", MISSING) != len(leaks):
            errs.append(f"summary.leaks.total is {short(sl.get('total', MISSING))}, "
                        f"but {len(leaks)} events have verdict leak")
        for key, values in (("by_type", LEAK_TYPES), ("by_severity", SEVERITIES)):
            ev_key = "leak_type" if key == "by_type" else "severity"
            got = sl.get(key, MISSING)
            if not isinstance(got, dict):
                errs.append(f"summary.leaks.{key} is {short(got)}, want an object")
                continue
            for v in values:
                want = sum(1 for ev in leaks if ev.get(ev_key) == v)
                if got.get(v, 0) != want:
                    errs.append(f"summary.leaks.{key}.{v} is {short(got.get(v, MISSING))}, "
                                f"but {want} leak events have {ev_key} {v}")
            extra = sorted(set(got) - set(values))
            if extra:
                errs.append(f"summary.leaks.{key} has unexpected keys {extra}")
    sv = summ.get("verdicts", MISSING)
    if not isinstance(sv, dict):
        errs.append(f"summary.verdicts is {short(sv)}, want an object")
    else:
        for v in VERDICTS:
            want = sum(1 for ev in events if isinstance(ev, dict) and ev.get("verdict") == v)
            if sv.get(v, MISSING) != want:
                errs.append(f"summary.verdicts.{v} is {short(sv.get(v, MISSING))}, "
                            f"but {want} events have verdict {v}")
    return errs


# --------------------------------------------------------------- main

class Ordered(argparse.Action):
    """Keeps every check, with its arguments, in command-line order."""

    def __call__(self, parser, ns, values, option_string=None):
        ns.checks.append((option_string, values))


def main(argv):
    ap = argparse.ArgumentParser(prog="check_leaks.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 usage="check_leaks.py REPORT CHECK [CHECK ...]")
    ap.add_argument("report")
    ap.set_defaults(checks=[])
    ap.add_argument("--leaks", action=Ordered, metavar="N")
    ap.add_argument("--leak", action=Ordered, metavar="SPEC")
    ap.add_argument("--event", action=Ordered, metavar="SPEC")
    ap.add_argument("--count", action=Ordered, nargs=2, metavar=("N", "SPEC"))
    ap.add_argument("--no-event", action=Ordered, metavar="SPEC")
    ap.add_argument("--verdicts", action=Ordered, nargs=0)
    ap.add_argument("--summary", action=Ordered, nargs=0)
    a = ap.parse_args(argv[1:])
    if not a.checks:
        ap.error("no check given")

    try:
        with open(a.report, encoding="utf-8") as f:
            r = json.load(f)
    except OSError as e:
        die(f"cannot read report {a.report}: {e.strerror}")
    except ValueError as e:
        die(f"report {a.report} is not valid JSON: {e}")
    if not isinstance(r, dict):
        die(f"report {a.report} is not a JSON object")
    events = r.get("events")
    if not isinstance(events, list):
        die(f"report {a.report} has no 'events' array (got {short(events if 'events' in r else MISSING)})")

    failures = []
    try:
        for opt, val in a.checks:
            if opt == "--leaks":
                want = int(val)
                n = sum(1 for ev in events if is_leak(ev))
                if n != want:
                    failures.append(f"{n} leak events, want exactly {want}"
                                    + "".join(f"\n    {d}" for d in listing(events, is_leak)))
            elif opt in ("--leak", "--event"):
                spec = Spec(val, leak_only=(opt == "--leak"))
                if not any(spec.matches(ev) for ev in events):
                    what = "leak event" if opt == "--leak" else "event"
                    failures.append(f"no {what} matches [{val}] ({len(events)} events); "
                                    + closest(events, spec))
            elif opt == "--count":
                want, text = int(val[0]), val[1]
                spec = Spec(text)
                n = sum(1 for ev in events if spec.matches(ev))
                if n != want:
                    more = ("".join(f"\n    {d}" for d in listing(events, spec.matches)) if n
                            else "; " + closest(events, spec))
                    failures.append(f"{n} events match [{text}], want exactly {want}{more}")
            elif opt == "--no-event":
                spec = Spec(val)
                if any(spec.matches(ev) for ev in events):
                    failures.append(f"events match [{val}], want none"
                                    + "".join(f"\n    {d}" for d in listing(events, spec.matches)))
            elif opt == "--verdicts":
                errs = check_verdicts(events)
                if errs:
                    failures.append("verdict fields:" + "".join(f"\n    {e}" for e in errs))
            elif opt == "--summary":
                errs = check_summary(r, events)
                if errs:
                    failures.append("summary: " + "; ".join(errs))
    except ValueError as e:
        die(f"bad argument: {e}")

    for f in failures:
        print(f"check_leaks: FAIL: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
