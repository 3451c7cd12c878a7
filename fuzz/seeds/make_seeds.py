#!/usr/bin/env python3
"""Regenerates fuzz/seeds/request_decoder/ (the seed corpus of the
request_decoder fuzz target). Each seed is one control byte followed by the
bytes a client sends; control bit 0 = auth_required, bits 1..7 = where the
target cuts the stream in two (fraction of its length, 0..127)."""

import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "request_decoder")


def mb(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def ctl(auth=False, cut=64):
    return bytes([(cut << 1) | int(auth)])


SEEDS = {
    "get": ctl() + mb("GET", "key"),
    "set": ctl(cut=10) + mb("SET", "key", "value"),
    "set_auth": ctl(auth=True, cut=100) + mb("SET", "key", "value"),
    "pipelined": ctl(cut=50) + mb("SET", "a", "1") + mb("GET", "a") + mb("INCR", "n") + mb("PING"),
    "mixed_inline_multibulk": ctl(cut=30) + mb("GET", "a") + b"PING\r\n" + mb("DEL", "a") + b"echo hi\n",
    "inline_ping": ctl() + b"PING\r\n",
    "inline_lf_only": ctl(cut=3) + b"set a b\nget a\n",
    "inline_quotes": ctl(cut=20) + b'set "a key" \'single q\' "esc\\x41\\n\\t\\"q\\""\r\n',
    "inline_empty_lines": ctl(cut=1) + b"\r\n\n  \r\nPING\r\n",
    "inline_unbalanced": ctl() + b'set "a b\r\n',
    "inline_quote_then_char": ctl() + b'set "a"b c\r\n',
    "binary_value": ctl(cut=90) + mb(b"SET", b"bin", bytes(range(256))),
    "bulk_with_crlf_inside": ctl(cut=60) + mb(b"SET", b"k", b"a\r\nb\r\n*1\r\n$4\r\n"),
    "empty_bulk": ctl() + mb("SET", "k", ""),
    "big_count_partial": ctl() + b"*1000000\r\n$3\r\nGET\r\n",
    "big_count_auth": ctl(auth=True) + b"*11\r\n$1\r\na\r\n",
    "big_bulk_partial": ctl(cut=127) + b"*1\r\n$536870912\r\nxx",
    "big_bulk_auth": ctl(auth=True) + b"*1\r\n$16385\r\n" + b"x" * 64,
    "bulk_too_big": ctl() + b"*1\r\n$536870913\r\n",
    "negative_count": ctl() + b"*-1\r\n" + mb("PING"),
    "empty_multibulk": ctl(cut=2) + b"*0\r\n*0\r\n" + mb("PING"),
    "negative_bulk_len": ctl() + b"*1\r\n$-1\r\n",
    "bad_count": ctl() + b"*abc\r\n",
    "count_overflow": ctl() + b"*2147483648\r\n",
    "count_plus_sign": ctl() + b"*+1\r\n$4\r\nPING\r\n",
    "expected_dollar": ctl() + b"*1\r\n:1\r\n",
    "bad_bulk_len": ctl() + b"*1\r\n$1x\r\nz\r\n",
    "cr_without_lf": ctl(cut=4) + b"*1\rX$4\rXPINGXX",
    "truncated": ctl(cut=127) + b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nabc",
}

os.makedirs(HERE, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
print(f"wrote {len(SEEDS)} seeds to {HERE}")
