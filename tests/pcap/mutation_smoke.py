#!/usr/bin/env python3
"""Mutation smoke test (RELIABILITY.md M2, Wireshark's fuzz-test.sh method).

Every fixture that make_fixtures writes (the ones marked "mutate" in its manifest) is
corrupted by a deterministic byte-flipper of our own (no editcap): 2 % of the bytes are
replaced by random values, with 20 seeds, in two modes:

  data    only packet data is touched (like `editcap -E 0.02`): decoders see garbage frames;
  whole   every byte may change, file and record headers included: the reader sees garbage.

`wtfn dns leak watch --pcap F --json` runs on each copy under `timeout 20` and
`ulimit -v 1000000` (the address-space cap is left out when wtfn is built with
AddressSanitizer, which reserves terabytes of shadow memory). Every run must exit 0, 1 or 2,
never by a signal or the timeout; exit 2 only with exactly one stderr line "wtfn: error: ...";
whatever it printed on stdout must be valid JSON. Over the 20 data-mode seeds of a fixture the
malformed counters must be > 0 (the corruption is seen).

Last line: "pcap.mutation_smoke: N passed, M failed".
"""

import argparse
import json
import os
import random
import shlex
import subprocess
import sys

NAME = "pcap.mutation_smoke"
SEEDS = 20
RATE = 0.02


def flip(data, ranges, seed):
    """Replaces about RATE of the bytes inside `ranges` with random values; deterministic."""
    rng = random.Random(seed)
    out = bytearray(data)
    for start, end in ranges:
        for i in range(start, end):
            if rng.random() < RATE:
                out[i] = rng.randrange(256)
    return bytes(out)


def is_asan(binary):
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--make-fixtures", required=True)
    ap.add_argument("--wtfn", required=True)
    ap.add_argument("--dir", required=True)
    args = ap.parse_args()

    passed = failed = 0

    def check(name, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {name}" + (f": {detail}" if detail else ""), flush=True)
        return ok

    os.makedirs(args.dir, exist_ok=True)
    if not check("make_fixtures", subprocess.run([args.make_fixtures, args.dir]).returncode == 0):
        print(f"{NAME}: {passed} passed, {failed} failed")
        return 1
    with open(os.path.join(args.dir, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)

    limit = "" if is_asan(args.wtfn) else "ulimit -v 1000000; "
    if not limit:
        print("note: AddressSanitizer build, running without ulimit -v", flush=True)
    runs = 0
    exits = {}
    for fx in manifest["fixtures"]:
        if not fx.get("mutate"):
            continue
        path = os.path.join(args.dir, fx["file"])
        with open(path, "rb") as f:
            original = f.read()
        malformed_seen = 0
        for mode in ("data", "whole"):
            ranges = fx["data_ranges"] if mode == "data" else [(0, len(original))]
            for seed in range(SEEDS):
                mutated = flip(original, ranges, seed * 7919 + len(fx["file"]))
                mpath = os.path.join(args.dir, f"{fx['file']}.{mode}.{seed}")
                with open(mpath, "wb") as f:
                    f.write(mutated)
                cmd = (f"{limit}exec timeout 20 {shlex.quote(args.wtfn)} dns leak watch "
                       f"--pcap {shlex.quote(mpath)} --json")
                p = subprocess.run(["bash", "-c", cmd], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=60)
                runs += 1
                rc = p.returncode
                exits[rc] = exits.get(rc, 0) + 1
                err = p.stderr.decode("utf-8", "replace")
                label = f"{fx['file']} {mode} seed {seed}"
                ok = check(f"{label}: exit 0, 1 or 2 (no signal, no timeout)", rc in (0, 1, 2),
                           f"rc={rc} stderr={err[-300:]!r}")
                if ok and rc == 2:
                    lines = err.splitlines()
                    check(f"{label}: exit 2 with one error line",
                          len(lines) == 1 and lines[0].startswith("wtfn: error: "), repr(err))
                elif ok:
                    check(f"{label}: nothing on stderr", err == "", repr(err))
                if p.stdout:
                    try:
                        report = json.loads(p.stdout)
                        if mode == "data":
                            malformed_seen += report["counters"]["malformed_total"]
                        check(f"{label}: partial iff failed", report["partial"] == (rc == 2),
                              f"partial={report['partial']} rc={rc}")
                    except ValueError as exc:
                        check(f"{label}: stdout is valid JSON", False, str(exc))
                os.unlink(mpath)
        check(f"{fx['file']}: corruption is counted as malformed", malformed_seen > 0,
              f"malformed_total summed over seeds = {malformed_seen}")
    print(f"runs: {runs}, exit statuses: {dict(sorted(exits.items()))}", flush=True)
    print(f"{NAME}: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
