#!/usr/bin/env python3
"""Writes the fuzz seed corpora (fuzz/corpus/<target>/) and the regression inputs
(fuzz/regress/<class>-<n>.bin), small and meaningful, from recipes in this file.

    python3 fuzz/make_seeds.py           # (re)write every seed this script owns
    python3 fuzz/make_seeds.py --check   # exit 1 if a committed seed differs from its recipe

Only files named here are written; inputs added by hand (crash reproducers, minimised
finds) are left alone. No third-party modules: every byte is laid out below, with the
documentation addresses of RFC 5737/3849 (192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32).

Input formats, one per target (see docs/fuzzing.md):
  fuzz_dns_name        [start offset byte][DNS message]
  fuzz_dns_message     DNS message (a UDP payload)
  fuzz_linklayer       [link selector byte][frame]; selector % 10 indexes LINK_TYPES
  fuzz_ip_transport    IPv4 or IPv6 packet
  fuzz_dns_tcp_stream  FuzzedDataProvider layout, see tcp_stream_input()
  fuzz_sniff           first payload of a TCP/UDP flow (TLS ClientHello, QUIC)
  fuzz_pcap_file       pcap or pcapng file

One regression input per class of RELIABILITY.md section 2 (rows 1-8, 10-12) goes to
fuzz/regress/<class>-<n>.bin, in the format of the target named in REGRESS; every target
replays the whole of fuzz/regress/.
"""

import argparse
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Must match LINK_TYPES in linklayer_fuzz.cc.
LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276]
# Must match MEMCAPS in dns_tcp_stream_fuzz.cc.
MEMCAPS = [0, 1, 2, 3, 64, 512, 4096, 65537]

# --------------------------------------------------------------------------------------------
# DNS


def u8(v):
    return struct.pack("!B", v)


def u16(v):
    return struct.pack("!H", v)


def u32(v):
    return struct.pack("!I", v)


def wire_name(name):
    """Uncompressed wire form of a dotted name ("" or "." is the root)."""
    out = b""
    for label in [l for l in name.split(".") if l]:
        raw = label.encode()
        out += u8(len(raw)) + raw
    return out + b"\x00"


class DnsWriter:
    """Builds a DNS message the way a server does: names are compressed against every
    suffix written before them."""

    def __init__(self, ident, flags):
        self.ident = ident
        self.flags = flags
        self.counts = [0, 0, 0, 0]
        self.body = b""
        self.suffixes = {}

    def offset(self):
        return 12 + len(self.body)

    def name(self, name, compress=True):
        labels = [l for l in name.split(".") if l]
        out = b""
        base = self.offset()
        for i in range(len(labels)):
            suffix = ".".join(labels[i:]).lower()
            if compress and suffix in self.suffixes:
                return out + u16(0xC000 | self.suffixes[suffix])
            here = base + len(out)
            if here < 0x4000:
                self.suffixes.setdefault(suffix, here)
            raw = labels[i].encode()
            out += u8(len(raw)) + raw
        return out + b"\x00"

    def question(self, name, qtype, qclass=1):
        self.body += self.name(name) + u16(qtype) + u16(qclass)
        self.counts[0] += 1

    def record(self, section, name, rtype, ttl, rdata_fn, rclass=1):
        """rdata_fn(offset_of_rdata) -> bytes, so names inside RDATA can be compressed."""
        head = self.name(name) + u16(rtype) + u16(rclass) + u32(ttl)
        self.body += head
        rdata_offset = self.offset() + 2
        rdata = rdata_fn(rdata_offset)
        self.body += u16(len(rdata)) + rdata
        self.counts[section] += 1

    def a(self, section, name, addr, ttl=300):
        self.record(section, name, 1, ttl, lambda _o: bytes(addr))

    def aaaa(self, section, name, addr, ttl=300):
        self.record(section, name, 28, ttl, lambda _o: bytes(addr))

    def cname(self, section, name, target, ttl=300):
        def rdata(off):
            saved = self.body
            # Compress the target as if it were written at `off`.
            self.body = b"\x00" * (off - 12)
            out = self.name(target)
            self.body = saved
            return out

        self.record(section, name, 5, ttl, rdata)

    def opt(self, udp_size=1232, do=False, options=b"", ext_rcode=0, version=0):
        ttl = (ext_rcode << 24) | (version << 16) | (0x8000 if do else 0)
        self.body += b"\x00" + u16(41) + u16(udp_size) + u32(ttl) + u16(len(options)) + options
        self.counts[3] += 1

    def raw_record(self, section, raw):
        self.body += raw
        self.counts[section] += 1

    def bytes(self, counts=None):
        c = counts if counts is not None else self.counts
        return u16(self.ident) + u16(self.flags) + b"".join(u16(x) for x in c) + self.body


def header(ident, flags, qd, an, ns, ar):
    return u16(ident) + u16(flags) + u16(qd) + u16(an) + u16(ns) + u16(ar)


V4 = {
    "client": [192, 0, 2, 10],
    "resolver": [192, 0, 2, 53],
    "public": [198, 51, 100, 53],
    "web1": [198, 51, 100, 80],
    "web2": [198, 51, 100, 81],
}
V6 = {
    "client": [0x20, 0x01, 0x0D, 0xB8] + [0] * 11 + [0x10],
    "resolver": [0x20, 0x01, 0x0D, 0xB8] + [0] * 11 + [0x53],
    "web": [0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80],
}

QTYPE_A, QTYPE_CNAME, QTYPE_SOA, QTYPE_AAAA, QTYPE_OPT, QTYPE_HTTPS = 1, 5, 6, 28, 41, 65


def dns_query(name="www.example.com", qtype=QTYPE_A, ident=0x1234, edns=False):
    w = DnsWriter(ident, 0x0100)
    w.question(name, qtype)
    if edns:
        # EDNS with a client cookie (option 10, 8 bytes) and the DO bit.
        w.opt(udp_size=1232, do=True, options=u16(10) + u16(8) + bytes(range(1, 9)))
    return w.bytes()


def dns_response_compressed():
    """www.example.com CNAME cdn.example.net, two A and one AAAA on the target; every name
    after the question is a compression pointer or ends in one."""
    w = DnsWriter(0x1234, 0x8180)
    w.question("www.example.com", QTYPE_A)
    w.cname(1, "www.example.com", "cdn.example.net")
    w.a(1, "cdn.example.net", V4["web1"])
    w.a(1, "cdn.example.net", V4["web2"])
    w.aaaa(1, "cdn.example.net", V6["web"])
    w.opt(udp_size=1232)
    return w.bytes()


def svc_param(key, value):
    return u16(key) + u16(len(value)) + value


def dns_response_https():
    """HTTPS record (RFC 9460): ServiceMode with alpn, ipv4hint, ipv6hint; plus an AliasMode
    record and EDNS."""
    w = DnsWriter(0xBEEF, 0x8180)
    w.question("example.com", QTYPE_HTTPS)
    params = (
        svc_param(1, b"\x02h2\x02h3")
        + svc_param(3, u16(8443))
        + svc_param(4, bytes(V4["web1"] + V4["web2"]))
        + svc_param(6, bytes(V6["web"]))
    )
    w.record(1, "example.com", QTYPE_HTTPS, 300, lambda _o: u16(1) + b"\x00" + params)
    w.record(1, "example.com", QTYPE_HTTPS, 300,
             lambda _o: u16(0) + wire_name("svc.example.net"))
    w.opt(udp_size=1232, do=True)
    return w.bytes()


def dns_response_nxdomain():
    w = DnsWriter(0x4242, 0x8183)
    w.question("nope.example.com", QTYPE_A)
    soa = wire_name("ns1.example.com") + wire_name("hostmaster.example.com") + \
        u32(2024010101) + u32(7200) + u32(3600) + u32(1209600) + u32(300)
    w.record(2, "example.com", QTYPE_SOA, 300, lambda _o: soa)
    w.opt(udp_size=4096, ext_rcode=0, version=0)
    return w.bytes()


def dns_response_many_answers(n=70):
    """More answers than the 64 kept per event (R6): the rest are counted as omitted."""
    w = DnsWriter(0x0101, 0x8180)
    w.question("many.example.com", QTYPE_A)
    for i in range(n):
        w.a(1, "many.example.com", [198, 51, 100, i % 256])
    return w.bytes()


def dns_mdns_response():
    w = DnsWriter(0, 0x8400)
    w.record(1, "printer.local", QTYPE_A, 120, lambda _o: bytes([192, 0, 2, 77]), rclass=0x8001)
    return w.bytes()


# --- RELIABILITY.md section 2, DNS rows -----------------------------------------------------

def row1_self_pointer():
    # Row 1: the question name is a pointer to itself (offset 12).
    return header(0x0001, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c" + u16(1) + u16(1)


def row1_cycle():
    # Row 1: a label, then a forward pointer to a pointer back to the start: a two-hop cycle.
    return header(0x0002, 0x0100, 1, 0, 0, 0) + b"\x01a\xc0\x10\xc0\x0c" + u16(1) + u16(1)


def row2_chain(hops):
    """Row 2: a chain of backward pointers. The question is example.com at 12; the first
    answer's RDATA (an unparsed TXT) holds `hops - 1` pointers, each to the one before it;
    the second answer's name points at the last, so decoding it takes `hops` jumps."""
    qname = wire_name("example.com")
    question = qname + u16(QTYPE_A) + u16(1)
    rec1_name_off = 12 + len(question)
    rec1 = b"\xc0\x0c" + u16(16) + u16(1) + u32(60)
    rdata_off = rec1_name_off + len(rec1) + 2
    chain = b""
    prev = 12
    for i in range(hops - 1):
        here = rdata_off + 2 * i
        chain += u16(0xC000 | prev)
        prev = here
    rec1 += u16(len(chain)) + chain
    rec2 = u16(0xC000 | prev) + u16(QTYPE_A) + u16(1) + u32(60) + u16(4) + bytes(V4["web1"])
    return header(0x0003, 0x8180, 1, 2, 0, 0) + question + rec1 + rec2


def row2_work_limit(records=300):
    """Row 2: many short records whose names all point at one long name: about 75 KB of
    decoded names from a 4 KB message, past the 64 KiB budget (dns.work_limit)."""
    long_name = ".".join(["x" * 62] * 3 + ["y" * 58])  # 3 * 63 + 59 + 1 = 249 wire octets
    question = wire_name(long_name) + u16(QTYPE_A) + u16(1)
    rec = b"\xc0\x0c" + u16(16) + u16(1) + u32(60) + u16(0)
    return header(0x0004, 0x8180, 1, records, 0, 0) + question + rec * records


def row3_label_64():
    return header(0x0005, 0x0100, 1, 0, 0, 0) + b"\x40" + b"a" * 64 + b"\x03com\x00" + \
        u16(1) + u16(1)


def row3_label_0x41():
    # 0x41: the RFC 6891 extended label type (binary labels), not a length.
    return header(0x0006, 0x0100, 1, 0, 0, 0) + b"\x41\x00\x05" + b"\x03com\x00" + \
        u16(1) + u16(1)


def name_of_wire_length(n):
    """A name whose wire form (labels + root octet) is exactly n octets."""
    labels = []
    left = n - 1
    while left > 0:
        take = min(63, left - 1)
        labels.append(b"a" * take)
        left -= take + 1
    return b"".join(u8(len(l)) + l for l in labels) + b"\x00"


def row4_name(n):
    return header(0x0007, 0x0100, 1, 0, 0, 0) + name_of_wire_length(n) + u16(1) + u16(1)


def row5_count_lies():
    # Row 5: counts far beyond what the 60-odd bytes can hold.
    body = wire_name("www.example.com") + u16(1) + u16(1)
    body += b"\xc0\x0c" + u16(1) + u16(1) + u32(60) + u16(4) + bytes(V4["web1"])
    return header(0x0008, 0x8180, 1, 0xFFFF, 0xFFFF, 0xFFFF) + body


def row5_qdcount_lies():
    return header(0x0009, 0x0100, 0xFFFF, 0, 0, 0) + wire_name("example.com") + u16(1) + u16(1)


def row6_rdlength_past_end():
    body = wire_name("www.example.com") + u16(1) + u16(1)
    body += b"\xc0\x0c" + u16(1) + u16(1) + u32(60) + u16(1000) + bytes(V4["web1"])
    return header(0x000A, 0x8180, 1, 1, 0, 0) + body


def row6_rdlength_wrong_for_type():
    # An A record with 5 bytes of RDATA, then an AAAA with 4.
    body = wire_name("www.example.com") + u16(1) + u16(1)
    body += b"\xc0\x0c" + u16(1) + u16(1) + u32(60) + u16(5) + bytes(V4["web1"]) + b"\x00"
    body += b"\xc0\x0c" + u16(28) + u16(1) + u32(60) + u16(4) + bytes(V4["web2"])
    return header(0x000B, 0x8180, 1, 2, 0, 0) + body


def row7_truncated_header():
    return dns_query()[:11]


def row7_truncated_question():
    q = dns_query()
    return q[:12 + 8]  # cut inside the name


def row7_question_without_type():
    q = dns_query()
    return q[:-3]  # name complete, type/class cut


def row10_option_overflow():
    # An OPT whose single option claims 100 bytes inside a 6-byte RDATA.
    w = DnsWriter(0x000C, 0x0100)
    w.question("www.example.com", QTYPE_A)
    opt_rdata = u16(10) + u16(100) + b"\x01\x02"
    w.raw_record(3, b"\x00" + u16(41) + u16(1232) + u32(0) + u16(len(opt_rdata)) + opt_rdata)
    return w.bytes()


def row10_many_options(n=1000):
    w = DnsWriter(0x000D, 0x0100)
    w.question("www.example.com", QTYPE_A)
    w.opt(options=(u16(12) + u16(0)) * n)  # padding options of length 0
    return w.bytes()


# --------------------------------------------------------------------------------------------
# Packets


def checksum(data):
    if len(data) % 2:
        data += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def udp(sport, dport, payload, length=None):
    return u16(sport) + u16(dport) + u16(8 + len(payload) if length is None else length) + \
        u16(0) + payload


TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def tcp(sport, dport, seq, ack, flags, payload=b"", offset_words=5, options=b""):
    hdr = u16(sport) + u16(dport) + u32(seq) + u32(ack) + u8(offset_words << 4) + u8(flags) + \
        u16(65535) + u16(0) + u16(0)
    return hdr + options + payload


def ipv4(src, dst, proto, payload, ihl=5, total_len=None, frag=0x4000, ttl=64, options=b""):
    total = 4 * ihl + len(payload) if total_len is None else total_len
    hdr = u8(0x40 | ihl) + u8(0) + u16(total) + u16(0x1C46) + u16(frag) + u8(ttl) + u8(proto) + \
        u16(0) + bytes(src) + bytes(dst) + options
    if len(hdr) >= 20:
        hdr = hdr[:10] + u16(checksum(hdr[:20] + options)) + hdr[12:]
    return hdr + payload


def ipv6(src, dst, next_header, payload, payload_len=None, hop_limit=64):
    plen = len(payload) if payload_len is None else payload_len
    return u32(0x60000000) + u16(plen) + u8(next_header) + u8(hop_limit) + bytes(src) + \
        bytes(dst) + payload


def ipv6_ext(next_header, length_units=0):
    """A hop-by-hop / destination-options / routing header of (length_units + 1) * 8 bytes,
    filled with PadN."""
    body_len = (length_units + 1) * 8 - 2
    return u8(next_header) + u8(length_units) + u8(1) + u8(body_len - 2) + b"\x00" * (body_len - 2)


def ipv6_frag(next_header, offset=0, more=False, ident=0x11223344):
    return u8(next_header) + u8(0) + u16((offset << 3) | (1 if more else 0)) + u32(ident)


MAC_CLIENT = bytes([0x02, 0, 0, 0, 0, 0x10])
MAC_ROUTER = bytes([0x02, 0, 0, 0, 0, 0x01])


def ether(ethertype, payload, tags=()):
    out = MAC_ROUTER + MAC_CLIENT
    for tpid, vid in tags:
        out += u16(tpid) + u16(vid)
    return out + u16(ethertype) + payload


def sll(protocol, payload, pkttype=4, hatype=1):
    return u16(pkttype) + u16(hatype) + u16(6) + MAC_CLIENT + b"\x00\x00" + u16(protocol) + payload


def sll2(protocol, payload, ifindex=3, pkttype=4, hatype=1):
    return u16(protocol) + u16(0) + u32(ifindex) + u16(hatype) + u8(pkttype) + u8(6) + \
        MAC_CLIENT + b"\x00\x00" + payload


def null_le(family, payload):
    return struct.pack("<I", family) + payload


def loop_be(family, payload):
    return struct.pack(">I", family) + payload


def udp4(payload, sport=40000, dport=53, src="client", dst="resolver"):
    return ipv4(V4[src], V4[dst], 17, udp(sport, dport, payload))


def udp6(payload, sport=40000, dport=53, src="client", dst="resolver"):
    return ipv6(V6[src], V6[dst], 17, udp(sport, dport, payload))


# --- RELIABILITY.md section 2, row 11 -------------------------------------------------------

def row11_ipv4_ihl_lt_5():
    p = udp4(dns_query())
    return bytes([0x44]) + p[1:]  # IHL 4: a 16-byte header


def row11_ipv6_exthdr_limit():
    # Nine destination-options headers before UDP: one more than the 8 we follow.
    chain = b""
    for i in range(9):
        chain += ipv6_ext(60 if i < 8 else 17)
    return ipv6(V6["client"], V6["resolver"], 60, chain + udp(40000, 53, dns_query()))


def row11_udp_length_lies():
    # UDP length 200 over a 41-byte datagram.
    return ipv4(V4["client"], V4["resolver"], 17, udp(40000, 53, dns_query(), length=200))


def row11_udp_length_short():
    return ipv4(V4["client"], V4["resolver"], 17, udp(40000, 53, dns_query(), length=4))


def row11_tcp_offset_lt_5():
    msg = dns_query()
    return ipv4(V4["client"], V4["resolver"], 6,
                tcp(40000, 53, 1000, 1, TCP_PSH | TCP_ACK, u16(len(msg)) + msg, offset_words=4))


# --------------------------------------------------------------------------------------------
# TLS / QUIC first payloads


def tls_client_hello(sni="dns.example.net"):
    host = sni.encode()
    sni_ext = u16(0) + u16(len(host) + 5) + u16(len(host) + 3) + u8(0) + u16(len(host)) + host
    alpn = u16(16) + u16(5) + u16(3) + b"\x02h2"  # "dot" would be b"\x03dot"
    versions = u16(43) + u16(3) + u8(2) + u16(0x0304)
    exts = sni_ext + alpn + versions
    body = u16(0x0303) + bytes(range(32)) + u8(32) + bytes(range(32, 64)) + \
        u16(2) + u16(0x1301) + u8(1) + u8(0) + u16(len(exts)) + exts
    hs = u8(1) + struct.pack("!I", len(body))[1:] + body
    return u8(0x16) + u16(0x0301) + u16(len(hs)) + hs


def quic_long(first, version, dcid=b"\x11" * 8, scid=b"", rest=b""):
    return u8(first) + u32(version) + u8(len(dcid)) + dcid + u8(len(scid)) + scid + rest


def quic_initial_v1():
    # Initial (type 0), token length 0, a 2-byte length and padding up to 1200 bytes.
    pkt = quic_long(0xC3, 1, rest=b"\x00" + b"\x44\x9e" + b"\x00" * 8)
    return pkt + b"\x00" * (1200 - len(pkt))


def quic_initial_v2():
    pkt = quic_long(0xD3, 0x6B3343CF, rest=b"\x00" + b"\x44\x9e" + b"\x00" * 8)
    return pkt + b"\x00" * (1200 - len(pkt))


# --------------------------------------------------------------------------------------------
# Capture files


def pcap_file(link_type, packets, big_endian=False, nanosecond=False, snaplen=262144):
    """packets: list of (ts_ns, frame) or (ts_ns, frame, caplen, wirelen)."""
    e = ">" if big_endian else "<"
    magic = 0xA1B23C4D if nanosecond else 0xA1B2C3D4
    out = struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, link_type)
    for p in packets:
        ts, frame = p[0], p[1]
        caplen = p[2] if len(p) > 2 else len(frame)
        wirelen = p[3] if len(p) > 3 else len(frame)
        sec, rem = divmod(ts, 1_000_000_000)
        frac = rem if nanosecond else rem // 1000
        out += struct.pack(e + "IIII", sec, frac, caplen, wirelen) + frame
    return out


def pad4(b):
    return b + b"\x00" * (-len(b) % 4)


def pcapng_block(btype, body, e="<"):
    total = 12 + len(body)
    return struct.pack(e + "II", btype, total) + body + struct.pack(e + "I", total)


def pcapng_option(code, value, e="<"):
    return struct.pack(e + "HH", code, len(value)) + pad4(value)


def pcapng_shb(e="<"):
    body = struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1) + \
        pcapng_option(4, b"wtfn make_seeds.py", e) + struct.pack(e + "HH", 0, 0)
    return pcapng_block(0x0A0D0D0A, body, e)


def pcapng_idb(link_type, name, tsresol=None, snaplen=262144, e="<"):
    opts = pcapng_option(2, name.encode(), e)
    if tsresol is not None:
        opts += pcapng_option(9, bytes([tsresol]), e)
    opts += struct.pack(e + "HH", 0, 0)
    return pcapng_block(1, struct.pack(e + "HHI", link_type, 0, snaplen) + opts, e)


def pcapng_epb(if_id, ts_units, frame, flags=None, e="<", caplen=None, wirelen=None):
    cap = len(frame) if caplen is None else caplen
    wire = len(frame) if wirelen is None else wirelen
    body = struct.pack(e + "IIIII", if_id, ts_units >> 32, ts_units & 0xFFFFFFFF, cap, wire) + \
        pad4(frame)
    if flags is not None:
        body += pcapng_option(2, struct.pack(e + "I", flags), e) + struct.pack(e + "HH", 0, 0)
    return pcapng_block(6, body, e)


def pcapng_spb(frame, e="<"):
    return pcapng_block(3, struct.pack(e + "I", len(frame)) + pad4(frame), e)


T0 = 1_700_000_000_000_000_000  # 2023-11-14, in nanoseconds


def tcp_conversation(client, server, messages_c2s, messages_s2c, sport=40001, dport=53,
                     split=None):
    """A whole DNS-over-TCP connection as IP packets: handshake, the client's messages
    (optionally cut into segments at the offsets in `split`), the server's messages in one
    segment, then FIN from both sides."""
    ip = ipv4 if len(client) == 4 else ipv6
    proto_arg = 6

    def pkt(src, dst, sp, dp, seq, ack, flags, payload=b""):
        return ip(src, dst, proto_arg, tcp(sp, dp, seq, ack, flags, payload))

    c_isn, s_isn = 1000, 5000
    out = [
        pkt(client, server, sport, dport, c_isn, 0, TCP_SYN),
        pkt(server, client, dport, sport, s_isn, c_isn + 1, TCP_SYN | TCP_ACK),
        pkt(client, server, sport, dport, c_isn + 1, s_isn + 1, TCP_ACK),
    ]
    c_stream = b"".join(u16(len(m)) + m for m in messages_c2s)
    s_stream = b"".join(u16(len(m)) + m for m in messages_s2c)
    cuts = [0] + list(split or []) + [len(c_stream)]
    seq = c_isn + 1
    for a, b in zip(cuts, cuts[1:]):
        out.append(pkt(client, server, sport, dport, seq, s_isn + 1, TCP_PSH | TCP_ACK,
                       c_stream[a:b]))
        seq += b - a
    out.append(pkt(server, client, dport, sport, s_isn + 1, seq, TCP_PSH | TCP_ACK, s_stream))
    s_seq = s_isn + 1 + len(s_stream)
    out.append(pkt(client, server, sport, dport, seq, s_seq, TCP_FIN | TCP_ACK))
    out.append(pkt(server, client, dport, sport, s_seq, seq + 1, TCP_FIN | TCP_ACK))
    return out


def timed(frames, start=T0, step=1_000_000):
    return [(start + i * step, f) for i, f in enumerate(frames)]


# --------------------------------------------------------------------------------------------
# DNS over TCP segment streams (FuzzedDataProvider layout of dns_tcp_stream_fuzz.cc)


def _fdp_bytes_for(range_):
    n = 0
    while n < 8 and (range_ >> (8 * n)) > 0:
        n += 1
    return n


def tcp_stream_input(segments, memcap):
    """Lays out `segments` so that dns_tcp_stream_fuzz.cc feeds exactly these segments with
    the memcap MEMCAPS[index]. FuzzedDataProvider reads the memcap selector from the last
    byte, then for each segment a length from the end (ConsumeIntegralInRange(0, remaining):
    as many bytes as `remaining` needs, most significant first) and the segment bytes from
    the front."""
    assert len(segments) <= 64
    sel = MEMCAPS.index(memcap)
    front = b"".join(segments)
    nbytes = [1] * len(segments)
    for _ in range(20):  # the byte counts depend on the total size: iterate to a fixed point
        total = len(front) + 1 + sum(nbytes)
        remaining = total - 1
        new = []
        for seg, n_guess in zip(segments, nbytes):
            n = _fdp_bytes_for(remaining)
            new.append(n)
            remaining -= n + len(seg)
        if new == nbytes:
            break
        nbytes = new
    else:
        raise RuntimeError("tcp_stream_input did not converge")
    consumed = [sel]  # tail bytes in the order they are consumed (from the end backwards)
    for seg, n in zip(segments, nbytes):
        value = len(seg)
        consumed += list(value.to_bytes(n, "big")) if n else []
    data = front + bytes(reversed(consumed))
    assert len(data) == len(front) + 1 + sum(nbytes)
    return data


def framed(*messages):
    return b"".join(u16(len(m)) + m for m in messages)


# --------------------------------------------------------------------------------------------
# The seeds


def build():
    """Returns {relative path: bytes}."""
    out = {}

    def seed(target, name, data):
        out[os.path.join("corpus", target, name + ".bin")] = data

    def regress(cls, n, data):
        out[os.path.join("regress", "%s-%d.bin" % (cls, n))] = data

    q_a = dns_query()
    q_aaaa_edns = dns_query("www.example.com", QTYPE_AAAA, 0x2345, edns=True)
    q_https = dns_query("example.com", QTYPE_HTTPS, 0x3456, edns=True)
    r_comp = dns_response_compressed()
    r_https = dns_response_https()
    r_nx = dns_response_nxdomain()
    r_many = dns_response_many_answers()
    r_mdns = dns_mdns_response()

    good_dns = {
        "query-a": q_a,
        "query-aaaa-edns-cookie": q_aaaa_edns,
        "query-https-edns": q_https,
        "response-cname-compressed": r_comp,
        "response-https-svcb": r_https,
        "response-nxdomain-soa": r_nx,
        "response-70-answers": r_many,
        "mdns-response": r_mdns,
        "name-255-octets": row4_name(255),
        "compression-chain-127-hops": row2_chain(127),
    }
    bad_dns = {  # class -> list of messages (rows 1-7, 10)
        "compression-loop": [row1_self_pointer(), row1_cycle()],
        "compression-chain": [row2_chain(128)],
        "compression-work-limit": [row2_work_limit()],
        "label-64": [row3_label_64()],
        "label-type-0x41": [row3_label_0x41()],
        "name-256-octets": [row4_name(256)],
        "count-lies": [row5_count_lies(), row5_qdcount_lies()],
        "rdlength-lies": [row6_rdlength_past_end(), row6_rdlength_wrong_for_type()],
        "truncated-header": [row7_truncated_header()],
        "truncated-question": [row7_truncated_question(), row7_question_without_type()],
        "edns-option-overflow": [row10_option_overflow(), row10_many_options()],
    }

    # fuzz_dns_message
    for name, msg in good_dns.items():
        seed("fuzz_dns_message", name, msg)
    for cls, msgs in bad_dns.items():
        for i, msg in enumerate(msgs, 1):
            seed("fuzz_dns_message", "%s-%d" % (cls, i), msg)
            regress(cls, i, msg)

    # fuzz_dns_name: [start offset][message]
    for name in ["query-a", "response-cname-compressed", "response-https-svcb",
                 "name-255-octets", "compression-chain-127-hops"]:
        seed("fuzz_dns_name", name + "-at-12", b"\x0c" + good_dns[name])
    for cls in ["compression-loop", "compression-chain", "compression-work-limit", "label-64",
                "label-type-0x41", "name-256-octets"]:
        for i, msg in enumerate(bad_dns[cls], 1):
            seed("fuzz_dns_name", "%s-%d-at-12" % (cls, i), b"\x0c" + msg)
    # A name read from the middle of a message: the CNAME target of the compressed response.
    seed("fuzz_dns_name", "cname-target-pointer", bytes([r_comp.index(b"\x03cdn")]) + r_comp)
    seed("fuzz_dns_name", "root-only", b"\x00\x00")
    seed("fuzz_dns_name", "escapes-in-label", b"\x00" + b"\x05a\x00\x1b.\\\x03COM\x00")

    # fuzz_dns_tcp_stream
    big = 65537
    seed("fuzz_dns_tcp_stream", "two-messages-one-segment",
         tcp_stream_input([framed(q_a, q_aaaa_edns)], big))
    stream = framed(r_comp)
    seed("fuzz_dns_tcp_stream", "response-in-three-segments",
         tcp_stream_input([stream[:1], stream[1:30], stream[30:]], big))
    stream = framed(q_a)
    seed("fuzz_dns_tcp_stream", "query-byte-by-byte",
         tcp_stream_input([stream[i:i + 1] for i in range(len(stream))], big))
    stream = framed(q_a, r_https, q_https)
    seed("fuzz_dns_tcp_stream", "three-messages-split-mid-prefix",
         tcp_stream_input([stream[:len(q_a) + 3], stream[len(q_a) + 3:-5], b"", stream[-5:]],
                          4096))
    stream = framed(r_comp)
    seed("fuzz_dns_tcp_stream", "memcap-drop",
         tcp_stream_input([stream[:40], stream[40:]], 64))
    seed("fuzz_dns_tcp_stream", "many-messages-one-segment",
         tcp_stream_input([framed(*([q_a] * 50))], 512))
    seed("fuzz_dns_tcp_stream", "truncated-at-finish",
         tcp_stream_input([framed(r_https)[:-10]], big))
    # Row 8
    zero = tcp_stream_input([b"\x00\x00" + framed(q_a)], big)
    zero_split = tcp_stream_input([b"\x00", b"\x00" + framed(q_a)[:5], framed(q_a)[5:]], big)
    prefix_65535 = tcp_stream_input([b"\xff\xff\x00"], big)
    prefix_65535_split = tcp_stream_input([b"\xff", b"\xff", b"\x00"], big)
    for i, data in enumerate([zero, zero_split], 1):
        seed("fuzz_dns_tcp_stream", "tcp-length-zero-%d" % i, data)
        regress("tcp-length-zero", i, data)
    for i, data in enumerate([prefix_65535, prefix_65535_split], 1):
        seed("fuzz_dns_tcp_stream", "tcp-length-65535-%d" % i, data)
        regress("tcp-length-65535", i, data)

    # fuzz_ip_transport
    msg_tcp = framed(q_a)
    ip_good = {
        "ipv4-udp-dns-query": udp4(q_a),
        "ipv4-udp-dns-response": udp4(r_comp, sport=53, dport=40000, src="resolver",
                                      dst="client"),
        "ipv4-tcp-dns-with-options": ipv4(
            V4["client"], V4["resolver"], 6,
            tcp(40000, 53, 1000, 1, TCP_PSH | TCP_ACK, msg_tcp, offset_words=8,
                options=b"\x01\x01\x08\x0a" + u32(1) + u32(2)),
            ihl=6, options=b"\x01\x01\x01\x00"),
        "ipv4-ethernet-padding": udp4(q_a) + b"\x00" * 18,
        "ipv4-total-length-beyond-capture": ipv4(V4["client"], V4["resolver"], 17,
                                                 udp(40000, 53, q_a), total_len=1500),
        "ipv4-fragment": ipv4(V4["client"], V4["resolver"], 17, udp(40000, 53, q_a),
                              frag=0x2000),
        "ipv4-icmp": ipv4(V4["client"], V4["resolver"], 1, b"\x08\x00\xf7\xff\x00\x00\x00\x00"),
        "ipv6-udp-dns-query": udp6(q_aaaa_edns),
        "ipv6-ext-hbh-dstopts-atomic-frag-udp": ipv6(
            V6["client"], V6["resolver"], 0,
            ipv6_ext(60) + ipv6_ext(44) + ipv6_frag(17) + udp(40000, 53, q_a)),
        "ipv6-routing-ah-tcp": ipv6(
            V6["client"], V6["resolver"], 43,
            ipv6_ext(51, 0) + u8(6) + u8(4) + u16(0) + u32(0x100) + u32(1) + b"\x00" * 12 +
            tcp(40000, 853, 1, 0, TCP_SYN)),
        "ipv6-fragment": ipv6(V6["client"], V6["resolver"], 44,
                              ipv6_frag(17, offset=0, more=True) + udp(40000, 53, q_a)),
        "ipv6-jumbo-udp-length-0": ipv6(V6["client"], V6["resolver"], 17,
                                        udp(40000, 53, q_a, length=0), payload_len=0),
        "ipv6-tcp-syn-853": ipv6(V6["client"], V6["resolver"], 6, tcp(40000, 853, 1, 0, TCP_SYN)),
    }
    ip_bad = {
        "ipv4-ihl-lt-5": [row11_ipv4_ihl_lt_5()],
        "ipv6-exthdr-limit": [row11_ipv6_exthdr_limit()],
        "udp-length-lies": [row11_udp_length_lies(), row11_udp_length_short()],
        "tcp-offset-lt-5": [row11_tcp_offset_lt_5()],
    }
    for name, p in ip_good.items():
        seed("fuzz_ip_transport", name, p)
    for cls, pkts in ip_bad.items():
        for i, p in enumerate(pkts, 1):
            seed("fuzz_ip_transport", "%s-%d" % (cls, i), p)
            regress(cls, i, p)

    # fuzz_linklayer: [selector][frame]
    def link(lt, frame):
        return bytes([LINK_TYPES.index(lt)]) + frame

    v4 = udp4(q_a)
    v6 = udp6(q_aaaa_edns)
    seed("fuzz_linklayer", "ethernet-ipv4-udp", link(1, ether(0x0800, v4)))
    seed("fuzz_linklayer", "ethernet-qinq-ipv6-udp",
         link(1, ether(0x86DD, v6, tags=[(0x88A8, 100), (0x8100, 200)])))
    seed("fuzz_linklayer", "ethernet-five-vlan-tags",
         link(1, ether(0x0800, v4, tags=[(0x8100, i) for i in range(5)])))
    seed("fuzz_linklayer", "ethernet-arp",
         link(1, ether(0x0806, bytes.fromhex("0001080006040001") + MAC_CLIENT +
                       bytes(V4["client"]) + b"\x00" * 6 + bytes(V4["resolver"]))))
    seed("fuzz_linklayer", "ethernet-short", link(1, MAC_ROUTER + MAC_CLIENT + b"\x08"))
    seed("fuzz_linklayer", "sll-ipv4-tcp-dns",
         link(113, sll(0x0800, ipv4(V4["client"], V4["resolver"], 6,
                                    tcp(40000, 53, 1, 1, TCP_PSH | TCP_ACK, msg_tcp)))))
    seed("fuzz_linklayer", "sll-loopback-inbound", link(113, sll(0x0800, v4, 0, 772)))
    seed("fuzz_linklayer", "sll2-ipv6-udp-outgoing", link(276, sll2(0x86DD, v6)))
    seed("fuzz_linklayer", "sll2-ipv4-quic-853",
         link(276, sll2(0x0800, udp4(quic_initial_v1(), dport=853), ifindex=7, pkttype=0)))
    seed("fuzz_linklayer", "null-le-ipv4", link(0, null_le(2, v4)))
    seed("fuzz_linklayer", "null-le-ipv6-macos", link(0, null_le(30, v6)))
    seed("fuzz_linklayer", "null-be-ipv6-freebsd", link(0, loop_be(28, v6)))
    seed("fuzz_linklayer", "loop-ipv6-openbsd", link(108, loop_be(24, v6)))
    seed("fuzz_linklayer", "raw12-ipv4", link(12, v4))
    seed("fuzz_linklayer", "raw14-ipv6", link(14, v6))
    seed("fuzz_linklayer", "raw101-ipv4-tcp-syn-853",
         link(101, ipv4(V4["client"], V4["public"], 6, tcp(40000, 853, 1, 0, TCP_SYN))))
    seed("fuzz_linklayer", "ipv4-linktype", link(228, v4))
    seed("fuzz_linklayer", "ipv6-linktype", link(229, v6))
    for cls, pkts in ip_bad.items():
        for i, p in enumerate(pkts, 1):
            seed("fuzz_linklayer", "ethernet-%s-%d" % (cls, i),
                 link(1, ether(0x86DD if p[0] >> 4 == 6 else 0x0800, p)))

    # fuzz_sniff
    seed("fuzz_sniff", "tls-client-hello-sni", tls_client_hello())
    seed("fuzz_sniff", "tls-record-header-only", tls_client_hello()[:6])
    seed("fuzz_sniff", "tls-application-data", b"\x17\x03\x03\x00\x10" + b"\x00" * 16)
    seed("fuzz_sniff", "quic-v1-initial", quic_initial_v1())
    seed("fuzz_sniff", "quic-v2-initial", quic_initial_v2())
    seed("fuzz_sniff", "quic-version-negotiation",
         quic_long(0x80, 0, scid=b"\x22" * 8, rest=u32(1) + u32(0x6B3343CF)))
    seed("fuzz_sniff", "quic-draft-29-handshake", quic_long(0xE0, 0xFF00001D, rest=b"\x00" * 20))
    seed("fuzz_sniff", "quic-dcid-21", quic_long(0xC0, 1, dcid=b"\x33" * 21, rest=b"\x00" * 4))
    seed("fuzz_sniff", "quic-short-header", b"\x40" + b"\x11" * 8 + b"\x00" * 24)

    # fuzz_pcap_file
    udp_conv = [
        ether(0x0800, udp4(q_a)),
        ether(0x0800, udp4(r_comp, sport=53, dport=40000, src="resolver", dst="client")),
        ether(0x86DD, udp6(q_https)),
        ether(0x86DD, udp6(r_https, sport=53, dport=40000, src="resolver", dst="client")),
        ether(0x0800, udp4(q_a, dport=5353, dst="public")),
        ether(0x0800, udp4(r_mdns, sport=5353, dport=5353)),
        ether(0x0800, udp4(q_a, dport=5355)),
        ether(0x0800, udp4(r_nx, sport=53, dport=40000, src="resolver", dst="client")),
    ]
    seed("fuzz_pcap_file", "udp-dns-ethernet-usec", pcap_file(1, timed(udp_conv)))
    seed("fuzz_pcap_file", "udp-dns-raw-big-endian-nsec",
         pcap_file(101, timed([udp4(q_a), udp6(q_aaaa_edns)]), big_endian=True, nanosecond=True))
    conv = tcp_conversation(V4["client"], V4["resolver"], [q_a, q_aaaa_edns], [r_comp, r_https],
                            split=[1, 20])
    seed("fuzz_pcap_file", "tcp-dns-conversation-sll2",
         pcap_file(276, timed([sll2(0x0800, p) for p in conv])))
    conv6 = tcp_conversation(V6["client"], V6["resolver"], [q_https, q_a], [r_https],
                             sport=40002, split=[10, 20])
    # Packets 3-5 carry the client's bytes: retransmit the first and lose the second (a gap).
    conv6 = conv6[:4] + [conv6[3], conv6[5]] + conv6[6:]
    seed("fuzz_pcap_file", "tcp-dns-ipv6-retransmission-sll",
         pcap_file(113, timed([sll(0x86DD, p) for p in conv6])))
    encrypted = [
        ether(0x0800, ipv4(V4["client"], V4["public"], 6, tcp(40010, 853, 1, 0, TCP_SYN))),
        ether(0x0800, ipv4(V4["client"], V4["public"], 6,
                           tcp(40010, 853, 2, 1, TCP_PSH | TCP_ACK, tls_client_hello()))),
        ether(0x0800, ipv4(V4["client"], V4["public"], 6, tcp(40010, 853, 3, 1, TCP_RST))),
        ether(0x0800, udp4(quic_initial_v1(), sport=40011, dport=853, dst="public")),
        ether(0x0800, udp4(quic_initial_v2(), sport=40012, dport=443, dst="web1")),
        ether(0x0800, ipv4(V4["client"], V4["web2"], 6, tcp(40013, 443, 1, 0, TCP_SYN))),
        ether(0x86DD, ipv6(V6["client"], V6["web"], 6, tcp(40014, 853, 1, 0, TCP_SYN))),
    ]
    seed("fuzz_pcap_file", "dot-doq-https-flows", pcap_file(1, timed(encrypted)))
    lo = sll(0x0800, udp4(q_a, src="client", dst="client"), pkttype=4, hatype=772)
    lo_in = sll(0x0800, udp4(q_a, src="client", dst="client"), pkttype=0, hatype=772)
    seed("fuzz_pcap_file", "loopback-duplicate-sll",
         pcap_file(113, [(T0, lo), (T0 + 1000, lo_in), (T0 + 2000, lo_in)]))
    # Every bad DNS message and bad IP packet, one per packet, in one capture each.
    dns_rows = [m for msgs in bad_dns.values() for m in msgs]
    seed("fuzz_pcap_file", "dns-malformed-rows-udp",
         pcap_file(1, timed([ether(0x0800, udp4(m)) for m in dns_rows])))
    seed("fuzz_pcap_file", "ip-malformed-rows-raw",
         pcap_file(101, timed([p for pkts in ip_bad.values() for p in pkts])))
    tcp_rows = tcp_conversation(V4["client"], V4["resolver"], [b"", q_a], [r_comp], sport=40003)
    # Row 8 over TCP: a zero-length message, then a 65535 prefix with one byte at the end.
    tail = ipv4(V4["client"], V4["resolver"], 6,
                tcp(40004, 53, 1, 1, TCP_PSH | TCP_ACK, b"\xff\xff\x00"))
    seed("fuzz_pcap_file", "tcp-length-rows",
         pcap_file(101, timed(tcp_rows + [tail])))

    # Row 12: caplen > len; a truncated file; pcapng with two interfaces.
    frame = ether(0x0800, udp4(q_a))
    caplen_gt_len = pcap_file(1, [(T0, frame, len(frame), 60), (T0 + 1, frame)])
    truncated = pcap_file(1, timed(udp_conv[:3]))[:-17]
    truncated_header = pcap_file(1, timed(udp_conv[:1]))[:-len(udp_conv[0]) - 7]
    ng = (
        pcapng_shb()
        + pcapng_idb(1, "eth0", tsresol=9)
        + pcapng_idb(101, "wg0", tsresol=6)
        + pcapng_epb(0, T0, ether(0x0800, udp4(q_a)), flags=2)
        + pcapng_epb(1, T0 // 1000 + 5, udp4(q_a, dst="public"), flags=2)
        + pcapng_epb(1, T0 // 1000 + 9, udp4(r_comp, sport=53, dport=40000, src="public",
                                              dst="client"), flags=1)
        + pcapng_spb(ether(0x0800, udp4(q_https)))
        + pcapng_block(4, struct.pack("<HH", 0, 0))  # name resolution block, empty
        + pcapng_block(5, struct.pack("<IIIHH", 1, 0, 0, 0, 0))  # interface statistics
    )
    regress("pcap-caplen-gt-len", 1, caplen_gt_len)
    regress("pcap-truncated", 1, truncated)
    regress("pcap-truncated", 2, truncated_header)
    regress("pcapng-two-interfaces", 1, ng)
    seed("fuzz_pcap_file", "pcap-caplen-gt-len-1", caplen_gt_len)
    seed("fuzz_pcap_file", "pcap-truncated-1", truncated)
    seed("fuzz_pcap_file", "pcap-truncated-2", truncated_header)
    seed("fuzz_pcap_file", "pcapng-two-interfaces-1", ng)
    be = ">"
    ng_be = (
        pcapng_shb(be)
        + pcapng_idb(276, "any", tsresol=0x80 | 20, e=be)
        + pcapng_epb(0, T0 >> 10, sll2(0x0800, udp4(q_a)), e=be)
        + pcapng_epb(0, (T0 >> 10) - 5, sll2(0x86DD, udp6(r_https, sport=53, dport=40000,
                                                            src="resolver", dst="client")), e=be)
        # A second section, little-endian, whose interface list starts again.
        + pcapng_shb()
        + pcapng_idb(1, "eth1")
        + pcapng_epb(0, T0 // 1000, ether(0x0800, udp4(q_aaaa_edns)))
        + pcapng_epb(1, T0 // 1000, ether(0x0800, udp4(q_a)))  # no interface 1 here
    )
    seed("fuzz_pcap_file", "pcapng-big-endian-two-sections", ng_be)
    # The longest event line a small packet can produce: 64 CNAME answers whose owner and
    # target are a 255-octet name of control bytes, each byte escaped as \u00NN in JSON
    # (RELIABILITY.md R6 and row 17). About 1.2 KB on the wire, about 190 KB of JSON.
    ctl = b"".join(u8(63) + b"\x01" * 63 for _ in range(3)) + u8(61) + b"\x01" * 61 + b"\x00"
    w = header(0x0E0E, 0x8180, 1, 64, 0, 0) + ctl + u16(QTYPE_CNAME) + u16(1)
    w += (b"\xc0\x0c" + u16(QTYPE_CNAME) + u16(1) + u32(60) + u16(2) + b"\xc0\x0c") * 64
    seed("fuzz_pcap_file", "event-line-control-bytes-64-answers",
         pcap_file(1, [(T0, ether(0x0800, udp4(w, sport=53, dport=40000, src="resolver",
                                                 dst="client")))]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if a committed seed differs from its recipe")
    args = ap.parse_args()
    files = build()
    limit = 2 * 1024 * 1024
    per_corpus = {}
    for rel, data in files.items():
        parts = rel.split(os.sep)
        if parts[0] == "corpus":
            per_corpus[parts[1]] = per_corpus.get(parts[1], 0) + len(data)
    for target, total in per_corpus.items():
        if total > limit:
            sys.exit("corpus %s would be %d bytes, over the 2 MB limit" % (target, total))
    stale = []
    for rel, data in sorted(files.items()):
        path = os.path.join(HERE, rel)
        try:
            with open(path, "rb") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current == data:
            continue
        stale.append(rel)
        if not args.check:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
    if args.check:
        for rel in stale:
            print("stale or missing: fuzz/%s" % rel)
        sys.exit(1 if stale else 0)
    print("make_seeds: %d files, %d written; corpus sizes: %s" % (
        len(files), len(stale),
        ", ".join("%s %d B" % (t, n) for t, n in sorted(per_corpus.items()))))


if __name__ == "__main__":
    main()
