#!/usr/bin/env python3
"""Randomized differential tester: hematite vs redis-server (the specification).

Usage:
    cargo build -p hematite
    python3 tools/fuzz_diff.py [--seeds N] [--start S] [--cmds C] [--port P]
                               [--resp 2|3|both] [--minimize]
                               [--weights 10,12,12,12,25,12,3,8] [--multi 0.05]

Starts `redis-server` on port P and `target/debug/hematite server` on P+1 (both
without persistence), then for every seed S..S+N-1 sends the same seeded random
command sequence (C commands) to both over connections in RESP2 or RESP3
(`HELLO 3`) and compares the raw replies byte for byte. Only replies that are
legitimately unordered (SMEMBERS, HGETALL, KEYS, ...) are compared
order-insensitively, and random ones (SRANDMEMBER, HRANDFIELD, RANDOMKEY, ...)
by type and length only. Every 200 commands, and at the end of a seed, DBSIZE
and a dump of every key (TYPE, OBJECT ENCODING, contents, has-TTL) are
compared. Each seed starts from FLUSHALL and default encoding thresholds.

On a mismatch the seed is printed with the command, both replies and the
preceding commands; with --minimize the sequence is shrunk (delta debugging
over command units; a MULTI/EXEC block is one unit) to a short repro that is
printed in tests/diff/*.redis syntax. A dead hematite (panic) is reported
first and restarted. Standard library only.

--weights sets the relative frequency of the command families (strings,
lists, hashes, sets, zsets, keys, config, script); --multi the share of
MULTI/EXEC blocks. Replaying needs the same --cmds/--weights/--multi.

Replay one seed:  python3 tools/fuzz_diff.py --start 1234 --seeds 1 --minimize

Known Redis quirks the generator avoids: lex ranges over members with
different scores (undefined; skipped at run time), SORT BY ties (pqsort
order; compared unordered, no LIMIT/STORE), SPOP/SRANDMEMBER effects (only
deterministic forms), subnormal/overflowing doubles (stale errno in SORT).
"""

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# --------------------------------------------------------------------------- RESP


def encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    def __init__(self, port, resp3=False):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""
        if resp3:
            self.call(["HELLO", "3"])

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed")
        self.buf += chunk

    def _line(self, pos):
        while True:
            i = self.buf.find(b"\r\n", pos)
            if i >= 0:
                return i
            self._fill()

    def _parse(self, pos):
        """Returns (value, end); value = (type_byte, payload) with aggregates as lists."""
        end = self._line(pos)
        t = self.buf[pos:pos + 1]
        line = self.buf[pos + 1:end]
        nxt = end + 2
        if t in (b"$", b"=", b"!"):
            n = int(line)
            if n < 0:
                return (t, None), nxt
            while len(self.buf) < nxt + n + 2:
                self._fill()
            return (t, self.buf[nxt:nxt + n]), nxt + n + 2
        if t in (b"*", b"~", b">", b"%", b"|"):
            n = int(line)
            if n < 0:
                return (t, None), nxt
            if t in (b"%", b"|"):
                n *= 2
            items = []
            for _ in range(n):
                v, nxt = self._parse(nxt)
                items.append(v)
            if t == b"|":  # attribute: skip, return the following value
                return self._parse(nxt)
            return (t, items), nxt
        return (t, line), nxt

    def read(self):
        v, end = self._parse(0)
        raw = self.buf[:end]
        self.buf = self.buf[end:]
        return raw, v

    def call(self, args):
        self.sock.sendall(encode(args))
        return self.read()


# --------------------------------------------------------------------------- normalisation

UNORDERED = {"SMEMBERS", "SUNION", "SINTER", "SDIFF", "HKEYS", "HVALS", "HGETALL", "KEYS",
             "SSCAN", "HSCAN", "ZSCAN"}
RANDOM = {"SRANDMEMBER", "HRANDFIELD", "ZRANDMEMBER", "RANDOMKEY", "SPOP"}


def canon(v):
    """Sorted canonical form of a parsed value (for order-insensitive compare)."""
    t, p = v
    if isinstance(p, list):
        if t in (b"%",) or False:
            pairs = sorted(repr((canon(p[i]), canon(p[i + 1]))) for i in range(0, len(p), 2))
            return (t, tuple(pairs))
        return (t, tuple(sorted(repr(canon(x)) for x in p)))
    return (t, p)


def shape(v):
    t, p = v
    if isinstance(p, list):
        return (t, len(p))
    return (t, p is None)


def norm(cmd, v, queued=None):
    name = cmd[0].upper() if cmd else ""
    if name == "EXEC" and queued is not None and isinstance(v[1], list):
        return (v[0], tuple(norm(c, x) for c, x in zip(queued, v[1])))
    if name in RANDOM:
        return shape(v)
    if name == "HGETALL" and v[0] == b"*" and isinstance(v[1], list):
        p = v[1]
        return ("pairs", tuple(sorted(repr((p[i], p[i + 1])) for i in range(0, len(p), 2))))
    if name in UNORDERED:
        return canon(v)
    if name in ("SORT", "SORT_RO") and any(str(a).upper() == "BY" for a in cmd):
        return canon(v)
    return None  # compare raw


# --------------------------------------------------------------------------- generator

KEYS = ["k%d" % i for i in range(8)]
MEMBERS = ["a", "b", "c", "d", "e", "1", "2", "-3", "10", "x" * 20, "3.5", "", "01", "-0",
           "9223372036854775807", "-9223372036854775808", "18446744073709551616", "+1", "b\x00c"]
NUMS = ["0", "1", "-1", "2", "3", "5", "100", "-100", "9223372036854775807",
        "-9223372036854775808", "9223372036854775808", "1.5", "-2.5", "1e3", "abc", "",
        " 1", "0x10", "+5", "-0"]
SCORES = ["0", "1", "-1", "2.5", "-2.5", "inf", "-inf", "+inf", "1e308", "3", "10", "nan",
          "abc", "1.0", "0.1", "-0", "1e-5", " 1", "1 ", "0x1p3", "-nan", "infinity",
          "-Infinity", "17", "(1"]
# (no subnormals such as 4.9e-324 nor overflows such as 1e400: Redis's strtod
# leaves errno = ERANGE behind, and a later SORT, which does not clear errno
# before its own strtod, then fails with "can't be converted into double")
FLOATS = ["0", "1", "-1", "1.5", "inf", "-inf", "abc", "1e308", "0.1", "-0.2", "5", "3e2",
          "nan", " 1", "0x10", "5.0e3", "-0", "1.7976931348623157e308"]


class Gen:
    FAMILIES = ["strings", "lists", "hashes", "sets", "zsets", "keys", "config", "script"]

    def __init__(self, rng, weights=None, multi=0.05):
        self.r = rng
        self.weights = weights or [10, 12, 12, 12, 25, 12, 3, 8]
        self.multi = multi

    def key(self):
        return self.r.choice(KEYS)

    def mem(self):
        return self.r.choice(MEMBERS)

    def num(self):
        return self.r.choice(NUMS)

    def small(self):
        return self.r.choice(["0", "1", "-1", "2", "3", "-2", "5", "10", "-10", "100"])

    def score(self):
        return self.r.choice(SCORES)

    def sbound(self):
        s = self.r.choice(["0", "1", "2.5", "-1", "inf", "-inf", "+inf", "3", "10", "abc", "5"])
        if self.r.random() < 0.3 and s not in ("abc",):
            s = "(" + s
        return s

    def lbound(self):
        return self.r.choice(["-", "+", "[a", "(a", "[c", "(c", "[", "(", "a", "[b", "(e", "[x",
                              "[1", "(2"])

    def limit(self):
        if self.r.random() < 0.4:
            return ["LIMIT", self.r.choice(["0", "1", "-1", "2"]), self.r.choice(["0", "1", "-1", "2", "5"])]
        return []

    def maybe(self, p, *xs):
        return list(xs) if self.r.random() < p else []

    # ---- families
    def strings(self):
        r, k = self.r, self.key()
        c = r.choice(["SET", "GET", "APPEND", "INCR", "INCRBY", "DECRBY", "INCRBYFLOAT", "STRLEN",
                      "GETRANGE", "SETRANGE", "MSET", "MGET", "SETNX", "GETDEL", "GETSET", "DECR",
                      "SETEX", "LCS", "SET", "GETEX", "MSETNX", "SUBSTR"])
        if c == "GETEX":
            return [c, k] + self.maybe(0.5, r.choice(["PERSIST", "EX", "PX"]), r.choice(["100000", "0", "-1", "x"]))
        if c == "MSETNX":
            return [c, k, self.mem(), self.key(), self.mem()]
        if c == "SUBSTR":
            return [c, k, self.small(), self.small()]
        if c == "SET":
            v = r.choice([self.mem(), self.num()])
            return ["SET", k, v] + self.maybe(0.2, r.choice(["NX", "XX", "GET", "KEEPTTL"])) + \
                self.maybe(0.1, "EX", r.choice(["100", "0", "-1", "abc"]))
        if c in ("GET", "STRLEN", "GETDEL", "INCR", "DECR"):
            return [c, k]
        if c in ("APPEND", "SETNX", "GETSET"):
            return [c, k, self.mem()]
        if c in ("INCRBY", "DECRBY"):
            return [c, k, self.num()]
        if c == "INCRBYFLOAT":
            return [c, k, r.choice(FLOATS)]
        if c == "GETRANGE":
            return [c, k, self.small(), self.small()]
        if c == "SETRANGE":
            return [c, k, r.choice(["0", "1", "5", "-1", "abc"]), self.mem()]
        if c == "MSET":
            return [c, k, self.mem(), self.key(), self.num()]
        if c == "MGET":
            return [c, k, self.key(), self.key()]
        if c == "SETEX":
            return [c, k, r.choice(["100", "0", "-5", "x"]), self.mem()]
        if c == "LCS":
            return [c, k, self.key()] + self.maybe(0.5, r.choice(["LEN", "IDX"]))
        return ["GET", k]

    def lists(self):
        r, k = self.r, self.key()
        c = r.choice(["LPUSH", "RPUSH", "LPUSHX", "RPUSHX", "LPOP", "RPOP", "LRANGE", "LLEN",
                      "LINDEX", "LSET", "LREM", "LTRIM", "LINSERT", "LPOS", "LMOVE", "RPOPLPUSH",
                      "LMPOP", "LPUSH", "RPUSH"])
        if c in ("LPUSH", "RPUSH", "LPUSHX", "RPUSHX"):
            return [c, k] + [self.mem() for _ in range(r.randint(1, 4))]
        if c in ("LPOP", "RPOP"):
            return [c, k] + self.maybe(0.4, r.choice(["0", "1", "2", "-1", "10", "abc"]))
        if c == "LRANGE":
            return [c, k, self.small(), self.small()]
        if c == "LLEN":
            return [c, k]
        if c == "LINDEX":
            return [c, k, self.small()]
        if c == "LSET":
            return [c, k, self.small(), self.mem()]
        if c == "LREM":
            return [c, k, self.small(), self.mem()]
        if c == "LTRIM":
            return [c, k, self.small(), self.small()]
        if c == "LINSERT":
            return [c, k, r.choice(["BEFORE", "AFTER", "middle"]), self.mem(), self.mem()]
        if c == "LPOS":
            return [c, k, self.mem()] + self.maybe(0.4, "RANK", self.small()) + \
                self.maybe(0.4, "COUNT", r.choice(["0", "1", "2", "-1"])) + self.maybe(0.3, "MAXLEN", r.choice(["0", "1", "3", "-1"]))
        if c == "LMOVE":
            return [c, k, self.key(), r.choice(["LEFT", "RIGHT"]), r.choice(["LEFT", "RIGHT", "UP"])]
        if c == "RPOPLPUSH":
            return [c, k, self.key()]
        if c == "LMPOP":
            return [c, r.choice(["1", "2", "0", "-1"]), k, self.key(), r.choice(["LEFT", "RIGHT"])] + \
                self.maybe(0.5, "COUNT", r.choice(["1", "2", "0", "10"]))
        return ["LLEN", k]

    def hashes(self):
        r, k = self.r, self.key()
        c = r.choice(["HSET", "HSETNX", "HGET", "HMGET", "HDEL", "HLEN", "HSTRLEN", "HEXISTS",
                      "HINCRBY", "HINCRBYFLOAT", "HKEYS", "HVALS", "HGETALL", "HRANDFIELD", "HMSET", "HSET"])
        if c in ("HSET", "HMSET"):
            a = [c, k]
            for _ in range(r.randint(1, 3)):
                a += [self.mem(), r.choice([self.mem(), self.num()])]
            return a
        if c == "HSETNX":
            return [c, k, self.mem(), self.mem()]
        if c in ("HGET", "HSTRLEN", "HEXISTS"):
            return [c, k, self.mem()]
        if c in ("HMGET", "HDEL"):
            return [c, k] + [self.mem() for _ in range(r.randint(1, 3))]
        if c == "HINCRBY":
            return [c, k, self.mem(), self.num()]
        if c == "HINCRBYFLOAT":
            return [c, k, self.mem(), r.choice(FLOATS)]
        if c == "HRANDFIELD":
            return [c, k] + self.maybe(0.6, r.choice(["1", "-3", "0", "100", "abc"])) + self.maybe(0.3, "WITHVALUES")
        return [c, k]

    def sets(self):
        r, k = self.r, self.key()
        c = r.choice(["SADD", "SREM", "SISMEMBER", "SMISMEMBER", "SCARD", "SMEMBERS", "SMOVE",
                      "SINTER", "SUNION", "SDIFF", "SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE",
                      "SINTERCARD", "SRANDMEMBER", "SPOP", "SADD", "SADD"])
        if c == "SADD":
            return [c, k] + [self.mem() for _ in range(r.randint(1, 4))]
        if c in ("SREM", "SMISMEMBER"):
            return [c, k] + [self.mem() for _ in range(r.randint(1, 3))]
        if c == "SISMEMBER":
            return [c, k, self.mem()]
        if c == "SMEMBERS" and r.random() < 0.3:
            return ["SSCAN", k, "0", "COUNT", "1000"] + self.maybe(0.3, "MATCH", r.choice(["*", "1*", "a"]))
        if c in ("SCARD", "SMEMBERS"):
            return [c, k]
        if c == "SMOVE":
            return [c, k, self.key(), self.mem()]
        if c in ("SINTER", "SUNION", "SDIFF"):
            return [c, k] + [self.key() for _ in range(r.randint(0, 2))]
        if c.endswith("STORE"):
            return [c, self.key(), k] + [self.key() for _ in range(r.randint(0, 2))]
        if c == "SINTERCARD":
            return [c, r.choice(["1", "2", "0", "3"]), k, self.key()] + self.maybe(0.4, "LIMIT", r.choice(["0", "1", "-1"]))
        if c == "SRANDMEMBER":
            return [c, k] + self.maybe(0.6, r.choice(["1", "-3", "0", "100", "abc"]))
        if c == "SPOP":  # only forms whose effect is deterministic
            return [c, k, r.choice(["0", "100000", "-1"])]
        return [c, k]

    def zsets(self):
        r, k = self.r, self.key()
        c = r.choice(["ZADD", "ZADD", "ZADD", "ZINCRBY", "ZREM", "ZCARD", "ZSCORE", "ZMSCORE", "ZRANK",
                      "ZREVRANK", "ZCOUNT", "ZLEXCOUNT", "ZRANGE", "ZRANGE", "ZRANGE", "ZREVRANGE",
                      "ZRANGEBYSCORE", "ZREVRANGEBYSCORE", "ZRANGEBYLEX", "ZREVRANGEBYLEX",
                      "ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZREMRANGEBYLEX", "ZPOPMIN", "ZPOPMAX",
                      "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZUNION", "ZINTER", "ZDIFF",
                      "ZRANGESTORE", "ZMPOP", "ZINTERCARD", "ZRANDMEMBER"])
        if c == "ZADD":
            flags = [f for f in ["NX", "XX", "GT", "LT", "CH", "INCR"] if r.random() < 0.12]
            a = [c, k] + flags
            for _ in range(r.randint(1, 3)):
                a += [self.score(), self.mem()]
            return a
        if c == "ZINCRBY":
            return [c, k, self.score(), self.mem()]
        if c == "ZREM":
            return [c, k] + [self.mem() for _ in range(r.randint(1, 3))]
        if c in ("ZSCORE", "ZRANK", "ZREVRANK"):
            return [c, k, self.mem()]
        if c == "ZMSCORE":
            return [c, k, self.mem(), self.mem()]
        if c == "ZCARD":
            return [c, k]
        if c == "ZCOUNT":
            return [c, k, self.sbound(), self.sbound()]
        if c == "ZLEXCOUNT":
            return [c, k, self.lbound(), self.lbound()]
        if c == "ZRANGE":
            return self.zrange_args([c, k])
        if c == "ZREVRANGE":
            return [c, k, self.small(), self.small()] + self.maybe(0.5, "WITHSCORES")
        if c in ("ZRANGEBYSCORE", "ZREVRANGEBYSCORE"):
            return [c, k, self.sbound(), self.sbound()] + self.maybe(0.5, "WITHSCORES") + self.limit()
        if c in ("ZRANGEBYLEX", "ZREVRANGEBYLEX"):
            return [c, k, self.lbound(), self.lbound()] + self.limit()
        if c == "ZREMRANGEBYRANK":
            return [c, k, self.small(), self.small()]
        if c == "ZREMRANGEBYSCORE":
            return [c, k, self.sbound(), self.sbound()]
        if c == "ZREMRANGEBYLEX":
            return [c, k, self.lbound(), self.lbound()]
        if c in ("ZPOPMIN", "ZPOPMAX"):
            return [c, k] + self.maybe(0.5, r.choice(["0", "1", "2", "-1", "10"]))
        if c in ("ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZUNION", "ZINTER", "ZDIFF"):
            n = r.randint(1, 3)
            srcs = [self.key() for _ in range(n)]
            nstr = str(n) if r.random() < 0.9 else r.choice(["0", "-1", str(n + 1), "x"])
            a = [c] + ([self.key()] if c.endswith("STORE") else []) + [nstr] + srcs
            if c != "ZDIFFSTORE" and c != "ZDIFF":
                if r.random() < 0.4:
                    a += ["WEIGHTS"] + [r.choice(FLOATS) for _ in range(n)]
                if r.random() < 0.4:
                    a += ["AGGREGATE", r.choice(["SUM", "MIN", "MAX", "AVG"])]
            if not c.endswith("STORE") and r.random() < 0.5:
                a.append("WITHSCORES")
            return a
        if c == "ZRANGESTORE":
            return self.zrange_args([c, self.key(), k], store=True)
        if c == "ZMPOP":
            return [c, r.choice(["1", "2", "0"]), k, self.key(), r.choice(["MIN", "MAX", "MID"])] + \
                self.maybe(0.5, "COUNT", r.choice(["1", "2", "0", "10"]))
        if c == "ZINTERCARD":
            return [c, r.choice(["1", "2"]), k, self.key()] + self.maybe(0.4, "LIMIT", r.choice(["0", "1", "-1"]))
        if c == "ZRANDMEMBER":
            return [c, k] + self.maybe(0.6, r.choice(["1", "-3", "0", "100", "abc"])) + self.maybe(0.3, "WITHSCORES")
        return [c, k]

    def zrange_args(self, a, store=False):
        r = self.r
        mode = r.choice(["rank", "score", "lex"])
        if mode == "rank":
            a += [self.small(), self.small()]
        elif mode == "score":
            a += [self.sbound(), self.sbound(), "BYSCORE"]
        else:
            a += [self.lbound(), self.lbound(), "BYLEX"]
        if r.random() < 0.3:
            a.append("REV")
        a += self.limit()
        if not store and r.random() < 0.4:
            a.append("WITHSCORES")
        if r.random() < 0.1:
            r.shuffle(a[4:])
        return a

    def keys(self):
        r, k = self.r, self.key()
        c = r.choice(["DEL", "EXISTS", "TYPE", "RENAME", "RENAMENX", "COPY", "MOVE", "EXPIRE",
                      "PERSIST", "TTL", "OBJECT", "OBJECT", "UNLINK", "SORT", "SORT", "SORT_RO",
                      "TOUCH", "DBSIZE"])
        if c in ("DEL", "EXISTS", "UNLINK", "TOUCH"):
            return [c, k] + self.maybe(0.3, self.key())
        if c in ("TYPE", "PERSIST"):
            return [c, k]
        if c == "TTL":
            return [c, k]
        if c in ("RENAME", "RENAMENX"):
            return [c, k, self.key()]
        if c == "COPY":
            return [c, k, self.key()] + self.maybe(0.4, "REPLACE") + self.maybe(0.1, "DB", "0")
        if c == "MOVE":
            return [c, k, r.choice(["1", "0", "x"])]
        if c == "EXPIRE":
            return [c, k, r.choice(["1000", "0", "-1", "9223372036854775807", "abc", "2000"])] + \
                self.maybe(0.3, r.choice(["NX", "XX", "GT", "LT"]))
        if c == "OBJECT":
            return [c, "ENCODING", k]
        if c in ("SORT", "SORT_RO"):
            a = [c, k]
            by = r.random() < 0.3
            if by:  # ties among equal weights are ordered by Redis's pqsort: no LIMIT/STORE
                a += ["BY", r.choice(["nosort", "k*", "w_*", "k1->a"])]
            else:
                a += self.limit()
            if r.random() < 0.3:
                a += ["GET", r.choice(["#", "k*", "k1->a"])]
            if r.random() < 0.4:
                a.append("ALPHA")
            if r.random() < 0.3:
                a.append(r.choice(["ASC", "DESC"]))
            if c == "SORT" and not by and r.random() < 0.2:
                a += ["STORE", self.key()]
            return a
        return [c]

    def config(self):
        r = self.r
        name = r.choice(["hash-max-listpack-entries", "hash-max-listpack-value", "set-max-intset-entries",
                         "zset-max-listpack-entries", "zset-max-listpack-value", "list-max-listpack-size",
                         "hash-max-ziplist-entries", "zset-max-ziplist-value"])
        return ["CONFIG", "SET", name, r.choice(["0", "1", "2", "3", "4", "128"])]

    SCRIPTS = [
        ("return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')", 1, 0),
        ("return redis.call('ZSCORE', KEYS[1], ARGV[1])", 1, 1),
        ("return redis.call('ZINCRBY', KEYS[1], ARGV[1], ARGV[2])", 1, 2),
        ("return redis.pcall('INCRBY', KEYS[1], ARGV[1])", 1, 1),
        ("return redis.call('LRANGE', KEYS[1], 0, -1)", 1, 0),
        ("return redis.call('HGET', KEYS[1], ARGV[1])", 1, 1),
        ("return redis.call('TYPE', KEYS[1])", 1, 0),
        ("return redis.pcall('LPOP', KEYS[1], ARGV[1])", 1, 1),
        ("return redis.call('ZPOPMIN', KEYS[1])", 1, 0),
        ("return {redis.call('SCARD', KEYS[1]), redis.call('EXISTS', KEYS[1])}", 1, 0),
        ("redis.call('SADD', KEYS[1], ARGV[1]); return redis.call('SISMEMBER', KEYS[1], ARGV[1])", 1, 1),
        ("return redis.pcall('HINCRBYFLOAT', KEYS[1], ARGV[1], ARGV[2])", 1, 2),
        ("return redis.pcall('ZADD', KEYS[1], ARGV[1], ARGV[2])", 1, 2),
        ("return redis.call('ZMSCORE', KEYS[1], ARGV[1], ARGV[2])", 1, 2),
        ("return redis.pcall('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[2], 'WITHSCORES')", 1, 2),
        ("return redis.pcall('OBJECT', 'ENCODING', KEYS[1])", 1, 0),
        ("return redis.pcall('LPOS', KEYS[1], ARGV[1])", 1, 1),
        ("return redis.pcall('SORT', KEYS[1])", 1, 0),
        ("return redis.pcall('RENAME', KEYS[1], ARGV[1])", 1, 1),
        ("return redis.pcall('GETDEL', KEYS[1])", 1, 0),
        ("return redis.call('ZRANDMEMBER', KEYS[1], 0)", 1, 0),
        ("return tonumber(ARGV[1])", 0, 1),
        ("return redis.pcall('INCRBYFLOAT', KEYS[1], ARGV[1])", 1, 1),
        ("return redis.error_reply(ARGV[1])", 0, 1),
        ("return redis.status_reply(ARGV[1])", 0, 1),
        ("return {err=ARGV[1]}", 0, 1),
        ("redis.setresp(3); return redis.pcall('ZSCORE', KEYS[1], ARGV[1])", 1, 1),
        ("redis.setresp(3); return redis.pcall('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')", 1, 0),
        ("redis.setresp(3); return redis.pcall('HGET', KEYS[1], ARGV[1])", 1, 1),
        ("redis.setresp(3); return redis.pcall('SISMEMBER', KEYS[1], ARGV[1])", 1, 1),
        ("redis.setresp(3); return redis.pcall('ZPOPMAX', KEYS[1], 2)", 1, 0),
        ("redis.setresp(3); local r = redis.pcall('ZSCORE', KEYS[1], ARGV[1]); return type(r) == 'table' and r.double or r", 1, 1),
        ("return redis.pcall('ZADD', KEYS[1], 'INCR', ARGV[1], ARGV[2])", 1, 2),
        ("return redis.pcall('LMPOP', 1, KEYS[1], 'LEFT', 'COUNT', 2)", 1, 0),
        ("return redis.pcall('ZMPOP', 1, KEYS[1], 'MAX', 'COUNT', 2)", 1, 0),
        ("return redis.pcall('HINCRBY', KEYS[1], ARGV[1], ARGV[2])", 1, 2),
        ("return redis.pcall('SMISMEMBER', KEYS[1], ARGV[1], ARGV[2])", 1, 2),
        ("return redis.pcall('EXPIRE', KEYS[1], ARGV[1])", 1, 1),
        ("return redis.pcall('COPY', KEYS[1], KEYS[2])", 2, 0),
        ("return redis.pcall('SORT', KEYS[1], 'ALPHA', 'STORE', KEYS[2])", 2, 0),
    ]

    def script(self):
        r = self.r
        body, nk, na = r.choice(self.SCRIPTS)
        return ["EVAL", body, str(nk)] + [self.key() for _ in range(nk)] + \
            [r.choice([self.mem(), self.score()]) for _ in range(na)]

    def bulk(self):
        """A big write that crosses the default encoding thresholds."""
        r, k = self.r, self.key()
        n = r.choice([100, 130, 200, 513, 600])
        ints = r.random() < 0.5
        vals = [str(r.randint(-1000, 1000)) if ints else "m%d" % r.randint(0, 1000) for _ in range(n)]
        c = r.choice(["RPUSH", "SADD", "ZADD", "HSET"])
        if c == "ZADD":
            return [c, k] + [x for v in vals for x in (str(r.randint(0, 50)), v)]
        if c == "HSET":
            return [c, k] + [x for v in vals for x in (v, str(r.randint(0, 9)))]
        return [c, k] + vals

    def one(self):
        r = self.r
        if r.random() < 0.01:
            return self.bulk()
        fam = r.choices(self.FAMILIES, self.weights)[0]
        return getattr(self, fam)()

    def unit(self):
        """A unit is a list of commands run together (a MULTI/EXEC block or a single command)."""
        r = self.r
        if r.random() < self.multi:
            body = []
            while len(body) < r.randint(1, 4):
                c = self.one()
                if not any(a.upper() in ("BYLEX",) or "LEX" in a.upper() for a in c[:1] + c[3:]):
                    body.append(c)
            if r.random() < 0.1:
                body.insert(r.randint(0, len(body)), ["NOSUCHCMD"])
            return [["MULTI"]] + body + [["EXEC" if r.random() < 0.9 else "DISCARD"]]
        return [self.one()]


# --------------------------------------------------------------------------- servers


def free_port(start):
    p = start
    while True:
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", p))
            s.close()
            return p
        except OSError:
            p += 1


def wait_port(port, proc, timeout=20):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError("server on %d exited" % port)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server on %d did not start" % port)


class Server:
    def __init__(self, name, argv, port):
        self.name, self.argv, self.port = name, argv, port
        self.proc = None
        self.log = open("/tmp/fuzz_diff_%s_%d.log" % (name, port), "ab")
        self.start()

    def start(self):
        self.proc = subprocess.Popen(self.argv, stdout=self.log, stderr=self.log, cwd="/tmp")
        wait_port(self.port, self.proc)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


DEFAULTS = [("hash-max-listpack-entries", "128"), ("hash-max-listpack-value", "64"),
            ("set-max-intset-entries", "512"), ("zset-max-listpack-entries", "128"),
            ("zset-max-listpack-value", "64"), ("list-max-listpack-size", "-2")]


class Mismatch(Exception):
    pass


class Runner:
    def __init__(self, servers, resp3, aof=False):
        self.servers = servers
        self.resp3 = resp3
        self.conns = None
        self.aof = aof

    def reload_both(self):
        """--aof: kill -9 both servers (appendfsync always, so every reply
        they sent is on disk), start them again from their own AOFs and
        compare the whole keyspace again. Both replay with the default
        configuration (CONFIG SET is not part of an AOF), so encodings and
        encoding-dependent details match each other, not the live run."""
        for srv in self.servers:
            srv.proc.kill()
            srv.proc.wait()
            srv.start()
        for c in self.conns:
            c.close()
        self.conns = [Conn(s.port, self.resp3) for s in self.servers]
        deadline = time.time() + 60
        for c in self.conns:
            while b"LOADING" in c.call(["PING"])[0] and time.time() < deadline:
                time.sleep(0.05)
        for c in self.conns:
            c.call(["SELECT", "0"])
        self.dump()

    def reset(self):
        for s in self.servers:
            if not s.alive():
                s.start()
        if self.conns:
            for c in self.conns:
                c.close()
        self.conns = [Conn(s.port, self.resp3) for s in self.servers]
        for c in self.conns:
            c.call(["FLUSHALL"])
            for n, v in DEFAULTS:
                c.call(["CONFIG", "SET", n, v])
            c.call(["SELECT", "0"])

    def both(self, cmd, queued=None):
        out = []
        for s, c in zip(self.servers, self.conns):
            try:
                out.append(c.call(cmd))
            except (OSError, EOFError, ValueError) as e:
                dead = "" if s.alive() else " (PROCESS DIED)"
                raise Mismatch("%s: no reply to %r: %s%s" % (s.name, cmd, e, dead))
        (ra, va), (rb, vb) = out
        if ra != rb:
            na, nb = norm(cmd, va, queued), norm(cmd, vb, queued)
            if na is None or na != nb:
                raise Mismatch("reply differs for %s\n  redis:    %r\n  hematite: %r"
                               % (fmt(cmd), ra[:600], rb[:600]))
        return va

    def dump(self, encodings=True):
        self.both(["DBSIZE"])
        keys = self.both(["KEYS", "*"])
        names = sorted(x[1].decode('latin-1') for x in keys[1])
        for k in names:
            t = self.both(["TYPE", k])[1].decode()
            if encodings:
                self.both(["OBJECT", "ENCODING", k])
            if t == "string":
                self.both(["GET", k])
            elif t == "list":
                self.both(["LRANGE", k, "0", "-1"])
            elif t == "hash":
                self.both(["HGETALL", k])
            elif t == "set":
                self.both(["SMEMBERS", k])
            elif t == "zset":
                self.both(["ZRANGE", k, "0", "-1", "WITHSCORES"])
            self.both(["EVAL", "return redis.call('TTL', KEYS[1]) > 0", "1", k])

    LEX = {"ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZLEXCOUNT", "ZREMRANGEBYLEX"}

    def lex_undefined(self, cmd):
        """Lex ranges over members with different scores are undefined in Redis
        (the skiplist search depends on random levels): such commands are skipped."""
        name = cmd[0].upper()
        if name in self.LEX:
            src = cmd[1]
        elif name in ("ZRANGE", "ZRANGESTORE") and any(a.upper() == "BYLEX" for a in cmd):
            src = cmd[1] if name == "ZRANGE" else cmd[2]
        else:
            return False
        _, v = self.conns[0].call(["ZRANGE", src, "0", "-1", "WITHSCORES"])
        if v[0] != b"*" or not v[1]:
            return False
        if self.resp3:
            scores = {repr(x[1][1]) for x in v[1]}
        else:
            scores = {x[1] for x in v[1][1::2]}
        return len(scores) > 1

    def run(self, units, check_every=200):
        """Runs units; raises Mismatch (with .index = unit index) on the first difference."""
        self.reset()
        n = 0
        for i, u in enumerate(units):
            try:
                queued = None
                for cmd in u:
                    name = cmd[0].upper()
                    if name == "MULTI":
                        queued = []
                    elif name in ("EXEC", "DISCARD"):
                        self.both(cmd, queued)
                        queued = None
                        continue
                    elif queued is not None:
                        queued.append(cmd)
                    elif self.lex_undefined(cmd):
                        continue
                    self.both(cmd)
                n += len(u)
                if check_every and i and i % check_every == 0:
                    self.both(["PING"])
                    self.dump()
            except Mismatch as m:
                m.index = i
                raise
        try:
            self.dump()
        except Mismatch as m:
            m.index = len(units)
            raise
        if self.aof:
            try:
                self.reload_both()
            except Mismatch as m:
                m.index = len(units)
                m.args = ("after restarting both servers from their AOFs: " + str(m),)
                raise
        return n


def fmt_arg(a):
    if isinstance(a, bytes):
        a = a.decode("latin-1")
    if a == "" or any(ch in a for ch in " \"'\\") or not a.isprintable():
        return '"' + "".join(ch if ch.isprintable() and ch not in '"\\' else
                             ("\\" + ch if ch in '"\\' else "\\x%02x" % ord(ch)) for ch in a) + '"'
    return a


def fmt(cmd):
    return " ".join(fmt_arg(a) for a in cmd)


def first_line(msg):
    return msg.split("\n")[0]


def minimize(runner, units, msg):
    """Delta debugging: drop chunks of units while some mismatch remains."""
    key = first_line(msg).split(" for ")[0]

    def fails(us):
        try:
            runner.run(us, check_every=0)
            return False
        except Mismatch as m:
            return first_line(str(m)).split(" for ")[0] == key

    chunk = max(1, len(units) // 2)
    while chunk >= 1:
        i = 0
        changed = False
        while i < len(units):
            cand = units[:i] + units[i + chunk:]
            if cand and fails(cand):
                units = cand
                changed = True
            else:
                i += chunk
        if not changed:
            chunk //= 2
    # and simplify MULTI blocks into their bodies when possible
    return units


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--start", type=int, default=int(time.time()) % 100000)
    ap.add_argument("--cmds", type=int, default=1000)
    ap.add_argument("--port", type=int, default=7420)
    ap.add_argument("--resp", default="both", choices=["2", "3", "both"])
    ap.add_argument("--minimize", action="store_true")
    ap.add_argument("--weights", help="comma-separated weights of " + ",".join(Gen.FAMILIES))
    ap.add_argument("--multi", type=float, default=0.05, help="probability of a MULTI block")
    ap.add_argument("--hematite", default=os.path.join(ROOT, "target/debug/hematite"))
    ap.add_argument("--aof", action="store_true",
                    help="run both servers with appendonly yes / appendfsync always and, after each seed, "
                         "kill -9 them, restart them from their AOFs and compare the keyspaces again")
    args = ap.parse_args()

    rp = free_port(args.port)
    hp = free_port(rp + 1)
    redis_args = ["--appendonly", "no"]
    if args.aof:
        redis_args = ["--appendonly", "yes", "--appendfsync", "always", "--dir", tempfile.mkdtemp(prefix="fuzz_diff_aof_r_")]
    redis = Server("redis", ["redis-server", "--port", str(rp), "--save", ""] + redis_args, rp)
    hem_args = ["--appendonly", "no"]
    if args.aof:
        aof_dir = tempfile.mkdtemp(prefix="fuzz_diff_aof_")
        hem_args = ["--appendonly", "yes", "--appendfsync", "always", "--dir", aof_dir]
    hem = Server("hematite", [args.hematite, "server", "--port", str(hp), "--save", ""] + hem_args, hp)
    total = 0
    bad = 0
    try:
        for seed in range(args.start, args.start + args.seeds):
            rng = random.Random(seed)
            resp3 = {"2": False, "3": True, "both": seed % 2 == 1}[args.resp]
            gen = Gen(rng, [float(w) for w in args.weights.split(",")] if args.weights else None, args.multi)
            units = [gen.unit() for _ in range(args.cmds)]
            runner = Runner([redis, hem], resp3, args.aof)
            try:
                total += runner.run(units)
                print("seed %d (RESP%d): ok" % (seed, 3 if resp3 else 2), flush=True)
            except Mismatch as m:
                bad += 1
                print("seed %d (RESP%d): MISMATCH at unit %d: %s" % (seed, 3 if resp3 else 2, m.index, m), flush=True)
                if not hem.alive():
                    print("  !!! hematite died (panic?) - see /tmp/fuzz_diff_hematite_%d.log" % hp)
                if args.minimize:
                    mu = minimize(runner, units[:m.index + 1], str(m))
                    print("  minimal repro (%s):" % ("RESP3" if resp3 else "RESP2"))
                    for u in mu:
                        for c in u:
                            print("    " + fmt(c))
                    try:
                        runner.run(mu, check_every=0)
                    except Mismatch as m2:
                        print("  -> " + str(m2).replace("\n", "\n  "))
    finally:
        redis.stop()
        hem.stop()
    print("done: %d seeds, %d commands, %d mismatching seeds" % (args.seeds, total, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
