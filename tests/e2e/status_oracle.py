#!/usr/bin/env python3
"""Oracle for `wtfn dns leak status --json`: compares it with iproute2 (`ip -j`).

Used by status_oracle.sh and status_route_get.sh (tests/e2e). Subcommands:

  snapshot NS OUT.json
      Read namespace NS with iproute2 (`ip -d -j link`, `ip -j addr`,
      `ip -d -4/-6 -j route show table all`, `ip -d -4/-6 -j rule`) and write the
      normalised view (the form wtfn's JSON uses) to OUT.json.
  same A.json B.json
      Exit 0 when two snapshots are equal (the namespace did not change between
      them), else print the first differences and exit 1.
  compare SNAPSHOT.json STATUS.json [--ns NS] [--class NAME=CLASS[:BASIS]]...
      Every interface, route and rule of the snapshot against wtfn's JSON; the
      expected route class of the named interfaces; the route_class of every
      route; default_routes; with --ns, default_path against `ip route get PROBE`.
  lookups STATUS.json NS --dest A [--dest B]... [--mark M] [--alt A=TYPE]...
          [--label TEXT]
      wtfn's `lookups` (one per --route-to, in order) against
      `ip -d -j route get A [mark M]` in NS. When ip fails (no route), wtfn must
      say ok:false with an error; --alt A=TYPE also accepts ok:true with that
      route type (blackhole/unreachable/prohibit routes, which `ip route get`
      reports as an error).
  risk STATUS.json [--expect ID[|ID2]=ADDR]... [--none ID]...
          [--nameserver ADDR=DEV]...
      A risk with one of the ids whose text names ADDR exists / no risk has ID /
      resolv.conf's nameserver ADDR is listed, routed via DEV.
  document STATUS.json
      The document-level contract (schema_version, kind, top-level keys, types).
  tun-hold NAME tun|tap SECONDS
      Attach to the existing tun/tap device NAME (TUNSETIFF) so it has carrier;
      print "ready", then sleep at most SECONDS and exit. Run it inside the
      namespace (`ip netns exec NS ...`).

Check output (all subcommands except snapshot/same/tun-hold): one line per
check, "PASS: <what>" or "FAIL: <what>" followed by detail lines indented by
six spaces; "INFO: ..." and "SKIP: ..." lines are informational. Exit status:
0 all passed, 1 some check failed, 2 usage error or unreadable input.
"""

import argparse
import collections
import ipaddress
import json
import os
import re
import subprocess
import sys
import time

IP = os.environ.get("E2E_IP", "ip")
IP_TIMEOUT_S = 10

# ARPHRD_* codes for the link types `ip` names (linux/if_arp.h).
ARPHRD = {
    "ether": 1, "loopback": 772, "none": 65534, "ipip": 768, "tunnel6": 769,
    "sit": 776, "gre": 778, "ip6gre": 823, "ppp": 512, "void": 0xFFFF,
    "ieee802.11": 801, "infiniband": 32,
}

# Route/rule fields compared, in report order.
ROUTE_FIELDS = ("family", "table", "type", "dst", "gateway", "dev", "prefsrc",
                "metric", "protocol", "scope")
RULE_FIELDS = ("family", "priority", "not", "action", "table", "src", "dst",
               "fwmark", "fwmask", "iif", "oif", "suppress_prefixlen")
DEFAULTISH = {"inet": {"default", "0.0.0.0/1", "128.0.0.0/1"},
              "inet6": {"default", "::/1", "8000::/1"}}

FAILED = 0


# ---------------------------------------------------------------- output

def emit_pass(what):
    print(f"PASS: {what}")


def emit_fail(what, details=()):
    global FAILED
    FAILED += 1
    print(f"FAIL: {what}")
    for d in details:
        for line in str(d).splitlines() or [""]:
            print(f"      {line[:400]}")


def check(what, details):
    """PASS when details is empty, else FAIL with them."""
    if details:
        emit_fail(what, details)
    else:
        emit_pass(what)


def info(text):
    print(f"INFO: {text}")


def die(msg):
    print(f"FAIL: {msg}")
    sys.exit(2)


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        die(f"cannot read JSON from {path}: {e}")
    return None


# ---------------------------------------------------------------- helpers

def canon_ip(text):
    if text is None:
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return str(text)


def canon_prefix(text, family):
    """"default", "10.0.0.0/24", "10.0.0.5" (host prefixes without the length)."""
    if text is None:
        return None
    t = str(text)
    if t in ("default", "all"):
        return t
    if "/" in t:
        addr, plen = t.split("/", 1)
        try:
            plen = int(plen)
        except ValueError:
            return t
        host = 32 if family == "inet" else 128
        if ":" in addr:
            host = 128
        if plen == host:
            return canon_ip(addr)
        if plen == 0:
            return "default"
        return f"{canon_ip(addr)}/{plen}"
    return canon_ip(t)


def as_int(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    try:
        return int(str(v), 0)
    except ValueError:
        return v


def hexmark(v):
    v = as_int(v)
    return f"0x{v:x}" if isinstance(v, int) else v


def v4_metric(family, metric):
    """IPv4 routes carry no RTA_PRIORITY when the metric is 0 and ip then prints none:
    treat "absent" and 0 alike for inet."""
    metric = as_int(metric)
    if family == "inet" and metric is None:
        return 0
    return metric


def show(d, fields):
    return "{" + ", ".join(f"{k}={d.get(k)!r}" for k in fields if d.get(k) is not None) + "}"


def run_ip(ns, args, check_rc=True):
    cmd = [IP, "-n", ns] + args
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=IP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        die(f"`{' '.join(cmd)}` did not finish within {IP_TIMEOUT_S} s")
    if check_rc and p.returncode != 0:
        die(f"`{' '.join(cmd)}` failed (exit {p.returncode}): {p.stderr.strip()}")
    return p


def ip_json(ns, args):
    p = run_ip(ns, ["-j"] + args)
    out = p.stdout.strip()
    if not out:
        return []
    try:
        return json.loads(out)
    except ValueError as e:
        die(f"`ip -n {ns} -j {' '.join(args)}` printed invalid JSON: {e}")
    return []


# ---------------------------------------------------------------- ip -> normal form

def norm_ip_route(r, family):
    gw = r.get("gateway")
    if gw is None and isinstance(r.get("via"), dict):
        gw = r["via"].get("host")
    metric = r.get("metric")
    return {
        "family": family,
        "table": str(r.get("table", "main")),
        "type": r.get("type", "unicast"),
        "dst": canon_prefix(r.get("dst", "default"), family),
        "gateway": canon_ip(gw),
        "dev": r.get("dev"),
        "prefsrc": canon_ip(r.get("prefsrc")),
        "metric": v4_metric(family, metric),
        "protocol": str(r.get("protocol", "boot")),
        "scope": str(r.get("scope", "global")),
    }


def rule_prefix(addr, plen, family):
    if addr is None or addr == "all":
        return "all"
    if plen is None:
        return canon_prefix(addr, family)
    return canon_prefix(f"{addr}/{plen}", family)


def norm_ip_rule(r, family):
    if "table" in r:
        action, table = "lookup", str(r["table"])
    elif "goto" in r:
        action, table = "goto", None
    elif "nop" in r:
        action, table = "nop", None
    else:
        action, table = str(r.get("action", "lookup")), None
    fwmark = hexmark(r.get("fwmark"))
    fwmask = hexmark(r.get("fwmask"))
    if fwmask == "0xffffffff":
        fwmask = None
    sp = r.get("suppress_prefixlen")
    out = {
        "family": family,
        "priority": as_int(r.get("priority", 0)),
        "not": "not" in r,
        "action": action,
        "table": table,
        "src": rule_prefix(r.get("src"), r.get("srclen"), family),
        "dst": rule_prefix(r.get("dst"), r.get("dstlen"), family),
        "fwmark": fwmark,
        "fwmask": fwmask,
        "iif": r.get("iif"),
        "oif": r.get("oif"),
        "suppress_prefixlen": as_int(sp),
    }
    if action == "goto":
        out["goto"] = as_int(r.get("goto"))
    return out


def take_snapshot(ns):
    links = ip_json(ns, ["-d", "link", "show"])
    addrs = ip_json(ns, ["addr", "show"])
    by_index = {}
    for l in links:
        kind = (l.get("linkinfo") or {}).get("info_kind")
        by_index[l["ifindex"]] = {
            "index": l["ifindex"],
            "name": l["ifname"],
            "kernel_type": l.get("link_type"),
            "link_kind": kind,
            "flags": sorted(l.get("flags", [])),
            "mtu": l.get("mtu"),
            "operstate": l.get("operstate"),
            "addresses": [],
        }
    for a in addrs:
        iface = by_index.get(a.get("ifindex"))
        if iface is None:
            continue
        for ai in a.get("addr_info", []):
            local = ai.get("local", ai.get("address"))
            if local is None:
                continue
            iface["addresses"].append({
                "family": ai.get("family"),
                "address": canon_ip(local),
                "prefix_len": ai.get("prefixlen"),
                "scope": str(ai.get("scope")),
            })
    for iface in by_index.values():
        iface["addresses"].sort(key=lambda x: json.dumps(x, sort_keys=True))
    routes = []
    for fam, flag in (("inet", "-4"), ("inet6", "-6")):
        for r in ip_json(ns, ["-d", flag, "route", "show", "table", "all"]):
            routes.append(norm_ip_route(r, fam))
    rules = []
    for fam, flag in (("inet", "-4"), ("inet6", "-6")):
        for r in ip_json(ns, ["-d", flag, "rule", "show"]):
            rules.append(norm_ip_rule(r, fam))
    key = lambda x: json.dumps(x, sort_keys=True)
    return {
        "namespace": ns,
        "interfaces": [by_index[i] for i in sorted(by_index)],
        "routes": sorted(routes, key=key),
        "rules": sorted(rules, key=key),
    }


# ---------------------------------------------------------------- wtfn -> normal form

def norm_wtfn_route(r):
    fam = r.get("family")
    return {
        "family": fam,
        "table": None if r.get("table") is None else str(r.get("table")),
        "type": r.get("type"),
        "dst": canon_prefix(r.get("dst"), fam),
        "gateway": canon_ip(r.get("gateway")),
        "dev": r.get("dev"),
        "prefsrc": canon_ip(r.get("prefsrc")),
        "metric": v4_metric(fam, r.get("metric")),
        "protocol": None if r.get("protocol") is None else str(r.get("protocol")),
        "scope": None if r.get("scope") is None else str(r.get("scope")),
    }


def norm_wtfn_rule(r):
    fam = r.get("family")
    fwmask = hexmark(r.get("fwmask"))
    if fwmask == "0xffffffff":
        fwmask = None
    out = {
        "family": fam,
        "priority": as_int(r.get("priority")),
        "not": bool(r.get("not")),
        "action": r.get("action"),
        "table": None if r.get("table") is None else str(r.get("table")),
        "src": rule_prefix(r.get("src") or "all", None, fam),
        "dst": rule_prefix(r.get("dst") or "all", None, fam),
        "fwmark": hexmark(r.get("fwmark")),
        "fwmask": fwmask,
        "iif": r.get("iif"),
        "oif": r.get("oif"),
        "suppress_prefixlen": as_int(r.get("suppress_prefixlen")),
    }
    for k in ("goto", "goto_target", "target"):
        if k in r:
            out["goto"] = as_int(r[k])
    return out


def norm_wtfn_addr(a):
    return {
        "family": a.get("family"),
        "address": canon_ip(a.get("address")),
        "prefix_len": a.get("prefix_len"),
        "scope": None if a.get("scope") is None else str(a.get("scope")),
    }


def addr_text(a):
    return f"{a['family']} {a['address']}/{a['prefix_len']} scope {a['scope']}"


# ---------------------------------------------------------------- compare

def compare_interfaces(snap, st):
    w_ifaces = st.get("interfaces")
    if not isinstance(w_ifaces, list):
        emit_fail("wtfn JSON has an `interfaces` list", [f"got {type(w_ifaces).__name__}"])
        return {}
    w_by_index = {}
    for w in w_ifaces:
        w_by_index.setdefault(as_int(w.get("index")), w)
    ip_names = [i["name"] for i in snap["interfaces"]]
    w_names = [w.get("name") for w in w_ifaces]
    check(f"interface set: wtfn lists the same {len(ip_names)} interfaces as `ip link`",
          [f"ip: {sorted(ip_names)}", f"wtfn: {sorted(str(n) for n in w_names)}"]
          if sorted(ip_names) != sorted(str(n) for n in w_names) or len(w_names) != len(set(w_names)) else [])
    mdown = []
    for i in snap["interfaces"]:
        w = w_by_index.get(i["index"])
        what = f"interface {i['name']} (index {i['index']}) matches ip -j link/addr"
        if w is None:
            emit_fail(what, [f"wtfn has no interface with index {i['index']}"])
            continue
        d = []
        if w.get("name") != i["name"]:
            d.append(f"name: ip={i['name']!r} wtfn={w.get('name')!r}")
        if as_int(w.get("mtu")) != i["mtu"]:
            d.append(f"mtu: ip={i['mtu']} wtfn={w.get('mtu')!r}")
        # M-DOWN is checked on its own below: ip derives it from the peer's (IFLA_LINK's) flags.
        wf = w.get("flags")
        ipf = sorted(f for f in i["flags"] if f != "M-DOWN")
        wfs = sorted(f for f in (wf if isinstance(wf, list) else []) if f != "M-DOWN")
        if not isinstance(wf, list) or wfs != ipf:
            missing = sorted(set(ipf) - set(wfs))
            extra = sorted(set(wfs) - set(ipf))
            d.append(f"flags: ip={i['flags']} wtfn={wf!r} (missing {missing}, extra {extra})")
        if ("M-DOWN" in i["flags"]) != ("M-DOWN" in (wf if isinstance(wf, list) else [])):
            mdown.append(f"{i['name']}: ip flags={i['flags']} wtfn flags={wf!r}")
        if w.get("kernel_type") != i["kernel_type"]:
            d.append(f"kernel_type: ip link_type={i['kernel_type']!r} wtfn={w.get('kernel_type')!r}")
        code = ARPHRD.get(i["kernel_type"])
        if code is not None and as_int(w.get("kernel_type_code")) != code:
            d.append(f"kernel_type_code: expected {code} for {i['kernel_type']} wtfn={w.get('kernel_type_code')!r}")
        if w.get("link_kind") != i["link_kind"]:
            d.append(f"link_kind: ip info_kind={i['link_kind']!r} wtfn={w.get('link_kind')!r}")
        if w.get("operstate") != i["operstate"]:
            d.append(f"operstate: ip={i['operstate']!r} wtfn={w.get('operstate')!r}")
        wa = w.get("addresses")
        if not isinstance(wa, list):
            d.append(f"addresses: wtfn={wa!r} is not a list")
        else:
            ip_c = collections.Counter(addr_text(a) for a in i["addresses"])
            w_c = collections.Counter(addr_text(norm_wtfn_addr(a)) for a in wa)
            for a in sorted((ip_c - w_c).elements()):
                d.append(f"address only in ip: {a}")
            for a in sorted((w_c - ip_c).elements()):
                d.append(f"address only in wtfn: {a}")
        check(what, d)
    n_mdown = sum("M-DOWN" in i["flags"] for i in snap["interfaces"])
    if n_mdown or mdown:
        check(f"M-DOWN flag as ip prints it (the link's peer is down; {n_mdown} interface(s) in ip)",
              mdown)
    return {w.get("name"): w for w in w_ifaces}


def route_key(r):
    return tuple(r.get(k) for k in ROUTE_FIELDS)


def compare_keyed(label, ip_items, w_items, fields, pair_fields, group_fields):
    """Multiset comparison per group; unmatched items are paired by pair_fields to name
    the differing fields."""
    groups = collections.OrderedDict()
    for it in ip_items:
        groups.setdefault(tuple(it.get(k) for k in group_fields), ([], []))[0].append(it)
    for it in w_items:
        groups.setdefault(tuple(it.get(k) for k in group_fields), ([], []))[1].append(it)
    keyf = lambda x: tuple(x.get(k) for k in fields)
    for g, (ips, ws) in groups.items():
        gname = " ".join(f"{k} {v}" for k, v in zip(group_fields, g))
        ip_c = collections.Counter(keyf(x) for x in ips)
        w_c = collections.Counter(keyf(x) for x in ws)
        only_ip = list((ip_c - w_c).elements())
        only_w = list((w_c - ip_c).elements())
        d = []
        as_dict = lambda t: dict(zip(fields, t))
        unpaired_w = list(only_w)
        for t in only_ip:
            a = as_dict(t)
            mate = None
            for u in unpaired_w:
                b = as_dict(u)
                if all(a.get(k) == b.get(k) for k in pair_fields):
                    mate = u
                    break
            if mate is not None:
                unpaired_w.remove(mate)
                b = as_dict(mate)
                diffs = [f"{k}: ip={a.get(k)!r} wtfn={b.get(k)!r}" for k in fields if a.get(k) != b.get(k)]
                d.append(f"{label} {show(a, pair_fields)} differs: " + "; ".join(diffs))
            else:
                d.append(f"{label} only in ip: {show(a, fields)}")
        for u in unpaired_w:
            d.append(f"{label} only in wtfn: {show(as_dict(u), fields)}")
        check(f"{label}s {gname}: wtfn matches ip ({len(ips)} in ip, {len(ws)} in wtfn)", d)


def compare_routes(snap, st, ifaces):
    w_routes = st.get("routes")
    if not isinstance(w_routes, list):
        emit_fail("wtfn JSON has a `routes` list", [f"got {type(w_routes).__name__}"])
        return
    wn = [norm_wtfn_route(r) for r in w_routes]
    compare_keyed("route", snap["routes"], wn, ROUTE_FIELDS,
                  ("family", "table", "dst", "dev"), ("family", "table"))
    # Each route's route_class is the class of its device (null without one).
    d = []
    for r in w_routes:
        dev = r.get("dev")
        want = (ifaces.get(dev) or {}).get("route_class") if dev else None
        if r.get("route_class") != want:
            d.append(f"route {r.get('family')} {r.get('table')} {r.get('dst')} dev {dev}: "
                     f"route_class={r.get('route_class')!r}, its interface says {want!r}")
    check("every route's route_class is its device's route_class (null without a device)", d)
    # default_routes: every main-table default (or /1 pair) route is listed, nothing else.
    dr = st.get("default_routes")
    if not isinstance(dr, dict):
        emit_fail("wtfn JSON has a `default_routes` object", [f"got {dr!r}"[:200]])
        return
    for fam in ("inet", "inet6"):
        want = [r for r in snap["routes"] if r["family"] == fam and r["table"] == "main"
                and r["dst"] in DEFAULTISH[fam] and r["type"] == "unicast"]
        got = dr.get(fam)
        d = []
        if not isinstance(got, list):
            d.append(f"default_routes.{fam} = {got!r} is not a list")
        else:
            gotn = [norm_wtfn_route(dict(r, family=r.get("family", fam))) for r in got]
            have = {(g["dst"], g["dev"], g["gateway"]) for g in gotn}
            for r in want:
                if (r["dst"], r["dev"], r["gateway"]) not in have:
                    d.append(f"main-table route {show(r, ROUTE_FIELDS)} missing from default_routes.{fam}")
            for g in gotn:
                if g["dst"] not in DEFAULTISH[fam]:
                    d.append(f"default_routes.{fam} holds a non-default route {show(g, ROUTE_FIELDS)}")
        check(f"default_routes.{fam} lists the main table's default/full-tunnel routes "
              f"({len(want)}: {', '.join(r['dst'] + ' dev ' + str(r['dev']) for r in want) or 'none'})", d)


def compare_rules(snap, st):
    w_rules = st.get("rules")
    if not isinstance(w_rules, list):
        emit_fail("wtfn JSON has a `rules` list", [f"got {type(w_rules).__name__}"])
        return
    wn = [norm_wtfn_rule(r) for r in w_rules]
    fields = RULE_FIELDS
    # goto targets are compared when wtfn prints one
    if any("goto" in r for r in wn):
        fields = RULE_FIELDS + ("goto",)
        ipn = snap["rules"]
    else:
        ipn = snap["rules"]
        if any(r["action"] == "goto" for r in ipn):
            info("wtfn prints no goto target for goto rules; target not compared")
    compare_keyed("rule", ipn, wn, fields, ("family", "priority", "action"), ("family",))


def compare_classes(ifaces, expectations):
    for exp in expectations:
        name, _, want = exp.partition("=")
        want_class, _, want_basis = want.partition(":")
        w = ifaces.get(name)
        what = f"route_class of {name} is {want_class}" + (f" (basis {want_basis})" if want_basis else "")
        if w is None:
            emit_fail(what, [f"wtfn lists no interface named {name}"])
            continue
        d = []
        if w.get("route_class") != want_class:
            d.append(f"route_class={w.get('route_class')!r}, expected {want_class!r}")
        if want_basis and w.get("route_class_basis") != want_basis:
            d.append(f"route_class_basis={w.get('route_class_basis')!r}, expected {want_basis!r}")
        if not w.get("route_class_reason"):
            d.append("route_class_reason is empty")
        if d:
            d.append(f"wtfn: kernel_type={w.get('kernel_type')!r} link_kind={w.get('link_kind')!r} "
                     f"flags={w.get('flags')!r} reason={w.get('route_class_reason')!r}")
        check(what, d)


def ip_route_get(ns, dest, mark=None):
    args = ["-d", "-j", "route", "get", dest]
    if mark is not None:
        args += ["mark", str(mark)]
    p = run_ip(ns, args, check_rc=False)
    if p.returncode != 0:
        err = p.stderr.strip().splitlines()
        return None, (err[-1] if err else f"exit {p.returncode}")
    try:
        res = json.loads(p.stdout)
        return res[0], None
    except (ValueError, IndexError) as e:
        die(f"`ip -n {ns} -d -j route get {dest}` printed unexpected output: {e}: {p.stdout[:200]!r}")
    return None, None


def compare_default_path(st, ns, ifaces):
    dp = st.get("default_path")
    if not isinstance(dp, dict):
        emit_fail("wtfn JSON has a `default_path` object", [f"got {dp!r}"[:200]])
        return
    for fam in ("inet", "inet6"):
        p = dp.get(fam)
        what = f"default_path.{fam} agrees with `ip route get PROBE`"
        if not isinstance(p, dict) or not p.get("probe"):
            emit_fail(what, [f"default_path.{fam} = {p!r} has no probe"])
            continue
        probe = p["probe"]
        r, err = ip_route_get(ns, probe)
        d = []
        if r is None:
            if p.get("dev") is not None:
                d.append(f"ip: {err}; wtfn: dev={p.get('dev')!r}")
            what += f" ({probe}: {err})"
        else:
            if p.get("dev") != r.get("dev"):
                d.append(f"dev: ip={r.get('dev')!r} wtfn={p.get('dev')!r}")
            want_class = (ifaces.get(r.get("dev")) or {}).get("route_class")
            if p.get("route_class") != want_class:
                d.append(f"route_class: {r.get('dev')} is {want_class!r}, wtfn={p.get('route_class')!r}")
            what += f" ({probe} -> dev {r.get('dev')})"
        check(what, d)


def cmd_compare(a):
    snap = load_json(a.snapshot)
    st = load_json(a.status)
    ifaces = compare_interfaces(snap, st)
    compare_routes(snap, st, ifaces)
    compare_rules(snap, st)
    compare_classes(ifaces, a.cls or [])
    if a.ns:
        compare_default_path(st, a.ns, ifaces)


# ---------------------------------------------------------------- lookups

def cmd_lookups(a):
    st = load_json(a.status)
    label = (a.label + ": ") if a.label else ""
    mark = as_int(a.mark) if a.mark is not None else None
    alts = {}
    for x in a.alt or []:
        k, _, v = x.partition("=")
        alts[canon_ip(k)] = v
    lookups = st.get("lookups")
    if not isinstance(lookups, list):
        emit_fail(f"{label}wtfn JSON has a `lookups` list", [f"got {lookups!r}"[:200]])
        return
    check(f"{label}one lookup per --route-to ({len(a.dest)})",
          [] if len(lookups) == len(a.dest) else [f"wtfn has {len(lookups)} lookups"])
    ifaces = {w.get("name"): w for w in st.get("interfaces") or []}
    for i, dest in enumerate(a.dest):
        w = lookups[i] if i < len(lookups) else {}
        r, err = ip_route_get(a.ns, dest, a.mark)
        d = []
        if canon_ip(w.get("destination")) != canon_ip(dest):
            d.append(f"destination: expected {dest!r} (lookup #{i}) wtfn={w.get('destination')!r}")
        if as_int(w.get("mark")) != mark:
            d.append(f"mark: expected {mark!r} wtfn={w.get('mark')!r}")
        mtxt = f" mark {a.mark}" if a.mark is not None else ""
        if r is None:
            alt = alts.get(canon_ip(dest))
            desc = f"{label}route-to {dest}{mtxt}: ip says `{err}`"
            if w.get("ok") is False:
                if not w.get("error"):
                    d.append(f"ok:false but error is {w.get('error')!r} (expected a message)")
                else:
                    info(f"{label}{dest}{mtxt}: wtfn error {w.get('error')!r}, ip {err!r}")
                desc += " -> wtfn ok:false"
            elif alt is not None and w.get("ok") is True and w.get("type") == alt:
                desc += f" -> wtfn ok:true type {alt} (accepted)"
            else:
                d.append(f"expected ok:false{' (or ok:true type ' + alt + ')' if alt else ''}; "
                         f"wtfn ok={w.get('ok')!r} type={w.get('type')!r} dev={w.get('dev')!r} error={w.get('error')!r}")
            check(desc, d)
            continue
        want = {
            "type": r.get("type", "unicast"),
            "dev": r.get("dev"),
            "gateway": canon_ip(r.get("gateway")),
            "prefsrc": canon_ip(r.get("prefsrc")),
        }
        if "table" in r:
            want["table"] = str(r["table"])
        got = {
            "type": w.get("type"), "dev": w.get("dev"),
            "gateway": canon_ip(w.get("gateway")), "prefsrc": canon_ip(w.get("prefsrc")),
            "table": None if w.get("table") is None else str(w.get("table")),
        }
        if w.get("ok") is not True:
            d.append(f"ok: expected true, wtfn ok={w.get('ok')!r} error={w.get('error')!r}")
        for k, v in want.items():
            if got.get(k) != v:
                d.append(f"{k}: ip={v!r} wtfn={got.get(k)!r}")
        if w.get("error") is not None:
            d.append(f"error: expected null, wtfn={w.get('error')!r}")
        want_class = (ifaces.get(want["dev"]) or {}).get("route_class")
        if w.get("route_class") != want_class:
            d.append(f"route_class: {want['dev']} is {want_class!r}, wtfn={w.get('route_class')!r}")
        desc = (f"{label}route-to {dest}{mtxt} matches ip route get ({want['type']} dev {want['dev']}"
                + (f" via {want['gateway']}" if want["gateway"] else "")
                + (f" src {want['prefsrc']}" if want["prefsrc"] else "")
                + (f" table {want.get('table')}" if "table" in want else "") + ")")
        check(desc, d)


# ---------------------------------------------------------------- risks

def mentions(obj, addr):
    text = json.dumps(obj)
    pat = r"(?<![0-9A-Fa-f:.])" + re.escape(addr) + r"(?![0-9A-Fa-f:.]|/)"
    return re.search(pat, text) is not None


def cmd_risk(a):
    st = load_json(a.status)
    risks = st.get("risks")
    if not isinstance(risks, list):
        emit_fail("wtfn JSON has a `risks` list", [f"got {risks!r}"[:200]])
        return
    ids = [r.get("id") for r in risks]
    for exp in a.expect or []:
        rid, _, addr = exp.partition("=")
        alts = rid.split("|")
        hits = [r for r in risks if r.get("id") in alts and (not addr or mentions(r, addr))]
        d = []
        if not hits:
            d.append(f"risks present: {ids}")
            for r in risks:
                if r.get("id") in alts:
                    d.append(f"{r.get('id')} does not name {addr}: {json.dumps(r)[:300]}")
        else:
            sev = hits[0].get("severity")
            if sev not in ("high", "medium", "info"):
                d.append(f"severity {sev!r} not one of high/medium/info")
            if not hits[0].get("message"):
                d.append("risk has no message")
        check(f"risk {rid} naming {addr} is reported", d)
    for rid in a.none or []:
        hits = [r for r in risks if r.get("id") == rid]
        check(f"no {rid} risk", [f"got: {json.dumps(h)[:300]}" for h in hits])
    for ns_exp in a.nameserver or []:
        addr, _, dev = ns_exp.partition("=")
        rc = ((st.get("system_dns") or {}).get("resolv_conf") or {})
        servers = rc.get("nameservers") or []
        d = []
        if rc.get("present") is not True:
            d.append(f"system_dns.resolv_conf.present = {rc.get('present')!r}")
        hit = [s for s in servers if canon_ip(s.get("address")) == canon_ip(addr)]
        if not hit:
            d.append(f"nameserver {addr} not listed: {[s.get('address') for s in servers]}")
        else:
            s = hit[0]
            if as_int(s.get("port")) != 53:
                d.append(f"port {s.get('port')!r}, expected 53")
            route = s.get("route") or {}
            if route.get("dev") != dev:
                d.append(f"route.dev={route.get('dev')!r}, expected {dev!r} (route {json.dumps(route)[:200]})")
        check(f"resolv.conf nameserver {addr} is listed, routed via {dev}", d)


# ---------------------------------------------------------------- document

def cmd_document(a):
    try:
        with open(a.status, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        die(f"cannot read {a.status}: {e}")
    try:
        st = json.loads(text)
    except ValueError as e:
        emit_fail("stdout is one JSON document", [str(e), text[:300]])
        return
    emit_pass("stdout is one JSON document")
    d = []
    if st.get("schema_version") != 1:
        d.append(f"schema_version={st.get('schema_version')!r}")
    if st.get("kind") != "wtfn.dns_leak_status":
        d.append(f"kind={st.get('kind')!r}")
    for k in ("wtfn_version", "generated_at"):
        if not isinstance(st.get(k), str) or not st.get(k):
            d.append(f"{k}={st.get(k)!r} is not a non-empty string")
    want = {"interfaces": list, "routes": list, "default_routes": dict, "default_path": dict,
            "rules": list, "lookups": list, "system_dns": dict, "risks": list, "policy": dict}
    for k, t in want.items():
        if not isinstance(st.get(k), t):
            d.append(f"{k}: expected {t.__name__}, got {type(st.get(k)).__name__}")
    for i in st.get("interfaces") or []:
        if i.get("route_class") not in ("loopback", "tunnel", "physical", "unknown"):
            d.append(f"interface {i.get('name')}: route_class {i.get('route_class')!r}")
        if i.get("route_class_basis") not in ("policy", "kernel", "name", "none"):
            d.append(f"interface {i.get('name')}: route_class_basis {i.get('route_class_basis')!r}")
    for r in st.get("risks") or []:
        if r.get("severity") not in ("high", "medium", "info"):
            d.append(f"risk {r.get('id')}: severity {r.get('severity')!r}")
    check("document: schema_version 1, kind wtfn.dns_leak_status, every top-level key with its type", d)


# ---------------------------------------------------------------- snapshot/same/tun-hold

def cmd_snapshot(a):
    snap = take_snapshot(a.ns)
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(snap, f, indent=1, sort_keys=True)
    os.replace(tmp, a.out)


def cmd_same(a):
    x, y = load_json(a.a), load_json(a.b)
    diffs = []
    for k in ("interfaces", "routes", "rules"):
        if x.get(k) != y.get(k):
            xs = {json.dumps(v, sort_keys=True) for v in x.get(k) or []}
            ys = {json.dumps(v, sort_keys=True) for v in y.get(k) or []}
            for v in sorted(xs - ys)[:3]:
                diffs.append(f"{k}: only before: {v[:300]}")
            for v in sorted(ys - xs)[:3]:
                diffs.append(f"{k}: only after: {v[:300]}")
    for line in diffs:
        print(line)
    sys.exit(1 if diffs else 0)


def cmd_tun_hold(a):
    import fcntl
    import struct
    TUNSETIFF = 0x400454CA
    IFF_TUN, IFF_TAP, IFF_NO_PI = 0x0001, 0x0002, 0x1000
    import ctypes
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # quiet, expected end
    # End with the script that started us, even if it is killed with SIGKILL.
    parent = os.getppid()
    try:
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        sys.exit(0)
    fd = os.open("/dev/net/tun", os.O_RDWR)
    flags = (IFF_TUN if a.mode == "tun" else IFF_TAP) | IFF_NO_PI
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", a.name.encode(), flags))
    print("ready", flush=True)
    deadline = time.monotonic() + float(a.seconds)
    while time.monotonic() < deadline:
        time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
    os.close(fd)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("snapshot"); p.add_argument("ns"); p.add_argument("out")
    p.set_defaults(fn=cmd_snapshot)
    p = sub.add_parser("same"); p.add_argument("a"); p.add_argument("b"); p.set_defaults(fn=cmd_same)
    p = sub.add_parser("compare"); p.add_argument("snapshot"); p.add_argument("status")
    p.add_argument("--ns"); p.add_argument("--class", dest="cls", action="append")
    p.set_defaults(fn=cmd_compare)
    p = sub.add_parser("lookups"); p.add_argument("status"); p.add_argument("ns")
    p.add_argument("--dest", action="append", required=True); p.add_argument("--mark")
    p.add_argument("--alt", action="append"); p.add_argument("--label", default="")
    p.set_defaults(fn=cmd_lookups)
    p = sub.add_parser("risk"); p.add_argument("status")
    p.add_argument("--expect", action="append"); p.add_argument("--none", action="append")
    p.add_argument("--nameserver", action="append"); p.set_defaults(fn=cmd_risk)
    p = sub.add_parser("document"); p.add_argument("status"); p.set_defaults(fn=cmd_document)
    p = sub.add_parser("tun-hold"); p.add_argument("name"); p.add_argument("mode", choices=["tun", "tap"])
    p.add_argument("seconds"); p.set_defaults(fn=cmd_tun_hold)
    a = ap.parse_args()
    a.fn(a)
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
