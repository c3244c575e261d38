#!/usr/bin/env python3
"""Assert conditions on a wtfn JSON report (schema_version 1).

usage: check_report.py REPORT [CHECK ...]

Checks (any number, any order; all are evaluated):
  --schema              the report has the schema-v1 shape (keys, types, enums)
  --event SPEC          at least one event matches SPEC
  --count N SPEC        exactly N events match SPEC
  --no-event SPEC       no event matches SPEC
  --eq PATH=VALUE       value at dotted PATH equals VALUE
  --ge PATH=NUMBER      value at PATH >= NUMBER
  --le PATH=NUMBER      value at PATH <= NUMBER
  --has PATH            PATH exists
  --absent PATH         PATH does not exist
  --expr PYTHON-EXPR    expression is true; `r` is the report, `events` its
                        event list ([] if absent), `count(SPEC)` counts events

SPEC is a comma-separated list of KEY=VALUE. A KEY is an event field (ts_ns,
interface, ifindex, direction, proto, transport, confidence, src_ip, src_port,
dst_ip, dst_port, malformed), a field of the event's `dns` object (id, qr,
opcode, rcode, qname, qtype), a dotted path (flags.rd, dns.edns.udp_size), or:
  answer=X        some answers[].data entry equals X
  answer_type=T   some answers[] has type T
  dns=null        the event has no DNS message
VALUE is parsed as JSON when possible (1, true, null, "x"); IP addresses are
compared as addresses (fd00:200::2 == fd00:0200:0:0::2).

Output: nothing and exit 0 when every check holds; otherwise one line per
failed check ("check_report: FAIL: <reason>") and exit 1. An unreadable or
invalid report is one line and exit 1.
"""

import ipaddress
import json
import sys

MISSING = object()


def fail_exit(msg):
    print(f"check_report: FAIL: {msg}")
    sys.exit(1)


def parse_value(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def get_path(obj, path):
    cur = obj
    for part in [p for p in path.split(".") if p]:
        if isinstance(cur, dict):
            if part not in cur:
                return MISSING
            cur = cur[part]
        elif isinstance(cur, list):
            try:
                cur = cur[int(part)]
            except (ValueError, IndexError):
                return MISSING
        else:
            return MISSING
    return cur


def as_ip(v):
    if not isinstance(v, str):
        return None
    try:
        return ipaddress.ip_address(v)
    except ValueError:
        return None


def values_equal(actual, expected):
    if actual is MISSING:
        return False
    if isinstance(expected, bool) or expected is None:
        return actual is expected
    if isinstance(actual, bool):
        return False
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return actual == expected
    a_ip, e_ip = as_ip(actual), as_ip(expected if isinstance(expected, str) else str(expected))
    if a_ip is not None and e_ip is not None:
        return a_ip == e_ip
    if isinstance(actual, (int, float)) and isinstance(expected, str):
        return str(actual) == expected
    return actual == expected


def short(v):
    if v is MISSING:
        return "<missing>"
    s = json.dumps(v)
    return s if len(s) <= 60 else s[:57] + "..."


def parse_spec(spec):
    items = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise ValueError(f"bad SPEC item '{part}' (want KEY=VALUE)")
        k, v = part.split("=", 1)
        items.append((k.strip(), parse_value(v.strip())))
    if not items:
        raise ValueError("empty SPEC")
    return items


def event_field(ev, key):
    """Returns (matcher-friendly actual value, description)."""
    if key in ("answer", "answer_type"):
        dns = ev.get("dns")
        if not isinstance(dns, dict):
            return MISSING
        answers = dns.get("answers")
        if not isinstance(answers, list):
            return MISSING
        if key == "answer_type":
            return [a.get("type") for a in answers if isinstance(a, dict)]
        data = []
        for a in answers:
            if isinstance(a, dict):
                d = a.get("data")
                data.extend(d if isinstance(d, list) else [d])
        return data
    v = get_path(ev, key)
    if v is MISSING and "." not in key and key != "dns":
        dns = ev.get("dns")
        if isinstance(dns, dict):
            v = get_path(dns, key)
    if v is MISSING and key.startswith("flags."):
        dns = ev.get("dns")
        if isinstance(dns, dict):
            v = get_path(dns, key)
    return v


def item_matches(ev, key, expected):
    actual = event_field(ev, key)
    if key in ("answer", "answer_type"):
        return actual is not MISSING and any(values_equal(a, expected) for a in actual)
    return values_equal(actual, expected)


def matches(ev, items):
    return all(item_matches(ev, k, v) for k, v in items)


def describe_event(ev, idx):
    dns = ev.get("dns") if isinstance(ev.get("dns"), dict) else {}
    return (f"#{idx} {ev.get('direction')} {ev.get('transport')} "
            f"{ev.get('src_ip')}:{ev.get('src_port')}->{ev.get('dst_ip')}:{ev.get('dst_port')} "
            f"if={ev.get('interface')} {dns.get('qr')} {dns.get('qname')} {dns.get('qtype')}")


def closest(events, items):
    best, best_score = None, -1
    for i, ev in enumerate(events):
        if not isinstance(ev, dict):
            continue
        score = sum(1 for k, v in items if item_matches(ev, k, v))
        if score > best_score:
            best, best_score = i, score
    if best is None:
        return "report has no events"
    ev = events[best]
    diffs = [f"{k}={short(event_field(ev, k))} (want {short(v)})"
             for k, v in items if not item_matches(ev, k, v)]
    return f"closest {describe_event(ev, best)} differs in: {'; '.join(diffs)}"


# --------------------------------------------------------------- schema

EVENT_ENUMS = {
    "direction": {"out", "in", "unknown"},
    "proto": {"udp", "tcp"},
    "transport": {"udp53", "tcp53", "dot", "doq", "mdns", "llmnr"},
    "confidence": {"high", "medium", "low"},
}


def type_ok(v, types):
    types = types if isinstance(types, tuple) else (types,)
    if isinstance(v, bool):
        return bool in types
    return isinstance(v, types)


def schema_errors(r):
    errs = []

    def need(obj, key, types, where):
        if not isinstance(obj, dict) or key not in obj:
            errs.append(f"{where}{key} missing")
            return MISSING
        v = obj[key]
        if not type_ok(v, types):
            errs.append(f"{where}{key} has type {type(v).__name__}: {short(v)}")
        return v

    num = int
    if need(r, "schema_version", num, "") not in (1, MISSING):
        errs.append(f"schema_version is {short(r.get('schema_version'))}, want 1")
    tool = need(r, "tool", dict, "")
    if isinstance(tool, dict):
        need(tool, "name", str, "tool.")
        need(tool, "version", str, "tool.")
    need(r, "command", (str, list), "")
    src = need(r, "source", dict, "")
    if isinstance(src, dict):
        if need(src, "kind", str, "source.") not in ("live", "pcap", MISSING):
            errs.append(f"source.kind is {short(src.get('kind'))}")
        need(src, "name", (str, type(None)), "source.")
    need(r, "started_at", str, "")
    need(r, "ended_at", str, "")
    need(r, "partial", bool, "")
    sr = need(r, "stop_reason", str, "")
    if sr not in ("duration", "signal", "end_of_input", "error", "output_closed", MISSING):
        errs.append(f"stop_reason is {short(sr)}")
    need(r, "error", (str, type(None)), "")
    events = r.get("events", MISSING)
    if events is not MISSING and not isinstance(events, list):
        errs.append("events is not an array")
        events = []
    for i, ev in enumerate(events if isinstance(events, list) else []):
        w = f"events[{i}]."
        if not isinstance(ev, dict):
            errs.append(f"events[{i}] is not an object")
            continue
        need(ev, "ts", str, w)
        need(ev, "ts_ns", num, w)
        need(ev, "interface", (str, type(None)), w)
        need(ev, "ifindex", (num, type(None)), w)
        for k, allowed in EVENT_ENUMS.items():
            v = need(ev, k, str, w)
            if v is not MISSING and v not in allowed:
                errs.append(f"{w}{k} is {short(v)}")
        need(ev, "src_ip", str, w)
        need(ev, "src_port", num, w)
        need(ev, "dst_ip", str, w)
        need(ev, "dst_port", num, w)
        need(ev, "malformed", (str, type(None)), w)
        dns = need(ev, "dns", (dict, type(None)), w)
        if isinstance(dns, dict):
            dw = w + "dns."
            need(dns, "id", num, dw)
            if need(dns, "qr", str, dw) not in ("query", "response", MISSING):
                errs.append(f"{dw}qr is {short(dns.get('qr'))}")
            need(dns, "opcode", (str, num), dw)
            need(dns, "rcode", str, dw)
            flags = need(dns, "flags", dict, dw)
            if isinstance(flags, dict):
                for f in ("aa", "tc", "rd", "ra", "ad", "cd"):
                    need(flags, f, bool, dw + "flags.")
            qn = need(dns, "qname", str, dw)
            if isinstance(qn, str) and (qn != qn.lower() or (qn.endswith(".") and qn != ".")):
                errs.append(f"{dw}qname {short(qn)} is not lower-case without trailing dot")
            need(dns, "qtype", str, dw)
            ans = need(dns, "answers", list, dw)
            for j, a in enumerate(ans if isinstance(ans, list) else []):
                aw = f"{dw}answers[{j}]."
                need(a, "name", str, aw)
                need(a, "type", str, aw)
                need(a, "ttl", num, aw)
                need(a, "data", list, aw)
            need(dns, "edns", (dict, type(None)), dw)
        if len(errs) > 20:
            break
    summ = need(r, "summary", dict, "")
    if isinstance(summ, dict):
        for k in ("dns_messages", "queries", "responses", "encrypted_flows"):
            need(summ, k, num, "summary.")
        need(summ, "by_transport", dict, "summary.")
        td = need(summ, "top_destinations", list, "summary.")
        for j, d in enumerate(td if isinstance(td, list) else []):
            for k, t in (("ip", str), ("port", num), ("count", num)):
                need(d, k, t, f"summary.top_destinations[{j}].")
    cnt = need(r, "counters", dict, "")
    if isinstance(cnt, dict):
        for k in ("packets_read", "packets_decoded", "dns_messages", "malformed_total",
                  "kernel_dropped", "interface_dropped", "loopback_duplicates"):
            need(cnt, k, num, "counters.")
        need(cnt, "malformed", dict, "counters.")
    return errs


# --------------------------------------------------------------- main

def main(argv):
    if len(argv) >= 2 and argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0
    if len(argv) < 2:
        print(__doc__)
        return 2
    path = argv[1]
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        fail_exit(f"cannot read report {path}: {e.strerror}")
    if not text.strip():
        fail_exit(f"report {path} is empty")
    try:
        r = json.loads(text)
    except ValueError as e:
        fail_exit(f"report {path} is not valid JSON: {e}")
    if not isinstance(r, dict):
        fail_exit(f"report {path} is not a JSON object")

    events = r.get("events")
    ev_list = events if isinstance(events, list) else []

    def count(spec):
        items = parse_spec(spec)
        return sum(1 for ev in ev_list if isinstance(ev, dict) and matches(ev, items))

    failures = []
    args = argv[2:]
    i = 0

    def need_events(what):
        if not isinstance(events, list):
            failures.append(f"{what}: report has no 'events' array")
            return False
        return True

    try:
        while i < len(args):
            opt = args[i]
            def arg(n=1):
                if i + n >= len(args):
                    raise ValueError(f"{opt} needs {n} argument(s)")
                return args[i + 1:i + 1 + n]
            if opt == "--schema":
                errs = schema_errors(r)
                if errs:
                    more = f" (+{len(errs) - 5} more)" if len(errs) > 5 else ""
                    failures.append("schema: " + "; ".join(errs[:5]) + more)
                i += 1
            elif opt in ("--event", "--no-event"):
                (spec,) = arg()
                items = parse_spec(spec)
                if need_events(f"{opt} {spec}"):
                    n = sum(1 for ev in ev_list if isinstance(ev, dict) and matches(ev, items))
                    if opt == "--event" and n == 0:
                        failures.append(f"no event matches [{spec}]; {len(ev_list)} events; "
                                        + closest(ev_list, items))
                    elif opt == "--no-event" and n:
                        first = next(j for j, ev in enumerate(ev_list) if isinstance(ev, dict) and matches(ev, items))
                        failures.append(f"{n} event(s) match [{spec}], want none; first: "
                                        + describe_event(ev_list[first], first))
                i += 2
            elif opt == "--count":
                want, spec = arg(2)
                items = parse_spec(spec)
                if need_events(f"--count {want} {spec}"):
                    n = sum(1 for ev in ev_list if isinstance(ev, dict) and matches(ev, items))
                    if n != int(want):
                        extra = "" if n else "; " + closest(ev_list, items)
                        failures.append(f"{n} events match [{spec}], want exactly {want}{extra}")
                i += 3
            elif opt in ("--eq", "--ge", "--le"):
                (expr,) = arg()
                if "=" not in expr:
                    raise ValueError(f"{opt} wants PATH=VALUE, got '{expr}'")
                p, v = expr.split("=", 1)
                want = parse_value(v)
                actual = get_path(r, p)
                if actual is MISSING:
                    failures.append(f"{p} is missing (want {opt[2:]} {short(want)})")
                elif opt == "--eq":
                    if not values_equal(actual, want):
                        failures.append(f"{p} is {short(actual)}, want {short(want)}")
                else:
                    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
                        failures.append(f"{p} is {short(actual)}, not a number")
                    elif opt == "--ge" and not actual >= want:
                        failures.append(f"{p} is {actual}, want >= {want}")
                    elif opt == "--le" and not actual <= want:
                        failures.append(f"{p} is {actual}, want <= {want}")
                i += 2
            elif opt in ("--has", "--absent"):
                (p,) = arg()
                present = get_path(r, p) is not MISSING
                if opt == "--has" and not present:
                    failures.append(f"{p} is missing")
                if opt == "--absent" and present:
                    failures.append(f"{p} is present ({short(get_path(r, p))}), want absent")
                i += 2
            elif opt == "--expr":
                (expr,) = arg()
                try:
                    # One dict as globals, so generator expressions see the names too.
                    env = {"__builtins__": __builtins__, "r": r, "events": ev_list, "count": count,
                           "get": lambda p: (lambda v: None if v is MISSING else v)(get_path(r, p)),
                           "ipaddress": ipaddress}
                    ok = eval(expr, env)
                except Exception as e:  # noqa: BLE001 - report any evaluation error as a failure
                    failures.append(f"expr {expr!r} raised {type(e).__name__}: {e}")
                else:
                    if not ok:
                        failures.append(f"expr {expr!r} is false")
                i += 2
            else:
                raise ValueError(f"unknown option '{opt}'")
    except ValueError as e:
        print(f"check_report: usage error: {e}")
        return 2

    for f in failures:
        print(f"check_report: FAIL: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
