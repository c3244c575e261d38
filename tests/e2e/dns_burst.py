#!/usr/bin/env python3
"""Send a burst of distinct DNS queries over UDP as fast as possible.

usage: dns_burst.py SERVER [--port 53] [--count 2000] [--prefix q]
                    [--domain example.test] [--signal-pid PID --signal INT|TERM
                    --delay-ms N] [--reply-wait 2.0]

Sends COUNT queries (qname <prefix><i>.<domain>, type A, RD set, id = i) from
one UDP socket without waiting for replies. Every query is handed to the
kernel exactly once; a transient ENOBUFS/EAGAIN is retried (bounded), never
counted twice. When --signal-pid is given, sends that signal DELAY ms after the
last query left (measured with a monotonic clock). Then it collects replies for
at most --reply-wait seconds (stops early when all arrived or none came for
0.25 s), and watches the signalled process. Prints one JSON line: sent,
send_retries, replies, burst_ms, signal_sent_after_ms, target_exit_ms (signal
to exit of the signalled process, if seen within --reply-wait). Exit 0 when all
COUNT queries were sent, 1 otherwise.
"""

import argparse
import errno
import json
import os
import select
import signal
import socket
import struct
import sys
import time


def query(i, prefix, domain):
    qid = i & 0xFFFF
    header = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    labels = [f"{prefix}{i}"] + domain.split(".")
    name = b"".join(bytes([len(l)]) + l.encode() for l in labels if l) + b"\0"
    return header + name + struct.pack("!HH", 1, 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("server")
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--prefix", default="q")
    ap.add_argument("--domain", default="example.test")
    ap.add_argument("--signal-pid", type=int)
    ap.add_argument("--signal", default="INT", choices=["INT", "TERM"])
    ap.add_argument("--delay-ms", type=float, default=0.0)
    ap.add_argument("--reply-wait", type=float, default=2.0)
    a = ap.parse_args()

    fam = socket.AF_INET6 if ":" in a.server else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    for opt, force in ((socket.SO_SNDBUF, 32), (socket.SO_RCVBUF, 33)):  # SO_*BUFFORCE
        try:
            s.setsockopt(socket.SOL_SOCKET, force, 4 << 20)
        except OSError:
            s.setsockopt(socket.SOL_SOCKET, opt, 4 << 20)
    s.connect((a.server, a.port))

    packets = [query(i, a.prefix, a.domain) for i in range(a.count)]
    sent = retries = 0
    max_retries = 20000
    t0 = time.monotonic()
    for p in packets:
        while True:
            try:
                s.send(p)
                sent += 1
                break
            except OSError as e:
                if e.errno in (errno.ENOBUFS, errno.EAGAIN, errno.ECONNREFUSED) and retries < max_retries:
                    retries += 1
                    time.sleep(0.0005)
                    continue
                raise
    t_last = time.monotonic()

    signal_after = None
    if a.signal_pid:
        wait = t_last + a.delay_ms / 1000.0 - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        os.kill(a.signal_pid, signal.SIGINT if a.signal == "INT" else signal.SIGTERM)
        signal_after = (time.monotonic() - t_last) * 1000.0

    def target_gone():
        try:
            with open(f"/proc/{a.signal_pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
        except OSError:
            return True

    t_signal = time.monotonic()
    target_exit = None
    replies = 0
    deadline = t_last + a.reply_wait
    last_rx = time.monotonic()
    s.setblocking(False)
    replies_done = False
    while True:
        now = time.monotonic()
        if a.signal_pid and target_exit is None and target_gone():
            target_exit = (now - t_signal) * 1000.0
        if replies >= sent or now - last_rx > 0.25:
            replies_done = True
        if now >= deadline or (replies_done and (not a.signal_pid or target_exit is not None)):
            break
        r, _, _ = select.select([] if replies_done else [s], [], [], min(deadline - now, 0.01))
        if not r:
            continue
        while True:
            try:
                s.recv(4096)
            except OSError as e:
                if e.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.ECONNREFUSED):
                    break
                raise
            replies += 1
            last_rx = time.monotonic()

    print(json.dumps({
        "sent": sent,
        "send_retries": retries,
        "replies": replies,
        "burst_ms": round((t_last - t0) * 1000.0, 1),
        "signal_sent_after_ms": None if signal_after is None else round(signal_after, 1),
        # time from the signal to the target's exit, when seen while collecting replies
        "target_exit_ms": None if target_exit is None else round(target_exit, 1),
    }))
    return 0 if sent == a.count else 1


if __name__ == "__main__":
    sys.exit(main())
