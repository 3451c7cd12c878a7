#!/usr/bin/env python3
"""Generate the data section of crates/server/src/commands/meta.rs.

The command table in the Rust sources (crates/server/src/commands/*.rs) is
the source of truth for dispatch. COMMAND INFO and COMMAND DOCS must also
return documentation-only metadata (tips, key specs, docs) byte-exactly like
Redis 7.0.15. This script asks a running redis-server 7.0.15 for that
metadata over RESP3 (so maps, sets and status replies keep their types),
checks every reply has the shape meta.rs's renderer reproduces, and writes it
as static Rust data. meta.rs keeps its hand-written part (types, rendering,
tests) above the marker line MARKER; everything after that line is replaced.

Usage:
    redis-server --port 7392 --save '' &
    python3 tools/gen_command_meta.py --port 7392            # table names
    python3 tools/gen_command_meta.py --port 7392 lpush      # table + lpush
    python3 tools/gen_command_meta.py --port 7392 --list     # show names only

Names are full names (`container|sub` for subcommands), lower case. By
default they are extracted from the `row!(...)`, `sub!(...)` and
`Row { name: ... }` entries of the Rust tables (TABLE in mod.rs, each
family module's ROWS listed in TABLES, and the subcommand tables they point to), so after adding commands to the tables
a plain rerun covers them. Names given on the command line are added to the
table's (e.g. to generate data before a table row exists); with --only, just
the given names are generated. Every run rewrites the whole data section.

Commands hematite implements that Redis 7.0.15 lacks get hand-written
entries from EXTRA below (docs shaped like Redis 7.2's).

Python 3 standard library only.
"""

import argparse
import os
import re
import socket
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CMD_DIR = os.path.join(ROOT, "crates", "server", "src", "commands")

# ---------------------------------------------------------------------------
# A tiny RESP3 client.
#
# Every parsed value is a (kind, payload) tuple so the reply types survive:
#   ("bulk", str) ("simple", str) ("int", int) ("null", None)
#   ("array", [v...]) ("set", [v...]) ("map", [(k, v)...])
#   ("double", str) ("bool", bool) ("verbatim", str) ("error", str)
# ---------------------------------------------------------------------------


class RespError(Exception):
    """An error reply from the server."""


class Conn:
    """One RESP3 connection (HELLO 3 is sent on connect)."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port))
        self.buf = b""
        self.pos = 0
        self.hello = self.call("HELLO", "3")

    def _fill(self):
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = self.buf[self.pos:i]
                self.pos = i + 2
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) - self.pos < n + 2:
            self._fill()
        data = self.buf[self.pos:self.pos + n]
        self.pos += n + 2
        return data

    def _read(self):
        line = self._line()
        t, rest = line[:1], line[1:].decode()
        if t == b"+":
            return ("simple", rest)
        if t == b"-":
            return ("error", rest)
        if t == b":":
            return ("int", int(rest))
        if t == b",":
            return ("double", rest)
        if t == b"#":
            return ("bool", rest == "t")
        if t == b"_":
            return ("null", None)
        if t in (b"$", b"="):
            n = int(rest)
            if n < 0:
                return ("null", None)
            data = self._exact(n).decode()
            return ("bulk", data) if t == b"$" else ("verbatim", data)
        if t in (b"*", b"~", b">"):
            n = int(rest)
            if n < 0:
                return ("null", None)
            kind = {b"*": "array", b"~": "set", b">": "push"}[t]
            return (kind, [self._read() for _ in range(n)])
        if t == b"%":
            return ("map", [(self._read(), self._read()) for _ in range(int(rest))])
        raise ValueError("unexpected RESP type byte %r" % t)

    def call(self, *args):
        """Sends one command and returns its parsed reply."""
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        reply = self._read()
        if reply[0] == "error":
            raise RespError(reply[1])
        return reply


# ---------------------------------------------------------------------------
# Hand-written entries for commands hematite implements that Redis 7.0.15
# lacks. Same shape as the parsed replies: key specs and tips empty, docs
# following Redis 7.2's JSON files (rendered in 7.0's reply format, which has
# no display_text).
# ---------------------------------------------------------------------------

EXTRA = {
    "client|setinfo": {
        "tips": [],
        "key_specs": [],
        "docs": {
            "summary": "Sets information specific to the client or connection.",
            "since": "7.2.0",
            "group": "connection",
            "complexity": "O(1)",
            "arguments": [
                {
                    "name": "attr",
                    "type": "oneof",
                    "arguments": [
                        {"name": "libname", "type": "string", "token": "lib-name"},
                        {"name": "libver", "type": "string", "token": "lib-ver"},
                    ],
                },
            ],
        },
    },
    "client|no-touch": {
        "tips": [],
        "key_specs": [],
        "docs": {
            "summary": "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.",
            "since": "7.2.0",
            "group": "connection",
            "complexity": "O(1)",
            "arguments": [
                {
                    "name": "enabled",
                    "type": "oneof",
                    "arguments": [
                        {"name": "on", "type": "pure-token", "token": "ON"},
                        {"name": "off", "type": "pure-token", "token": "OFF"},
                    ],
                },
            ],
        },
    },
}

# ---------------------------------------------------------------------------
# Command names from the Rust tables.
# ---------------------------------------------------------------------------

TABLE_RE = re.compile(r"static\s+([A-Z_][A-Z0-9_]*)\s*:\s*&\[Row\]\s*=\s*&\[")
ENTRY_RE = re.compile(r'(?:\b(?:row|sub)!\s*\(\s*|\bRow\s*\{\s*name\s*:\s*)"([^"]+)"')
USE_AS_RE = re.compile(r"\buse\s+(?:self::|super::)?([a-z_][a-z0-9_]*)\s+as\s+([a-z_][a-z0-9_]*)\s*;")


def strip_comments(src):
    """Removes // comments (good enough for the table files)."""
    return re.sub(r"//[^\n]*", "", src)


def balanced(src, start, open_ch, close_ch):
    """Index just past the bracket matching the one at src[start]."""
    depth = 0
    i = start
    in_str = False
    while i < len(src):
        ch = src[i]
        if in_str:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch == open_ch:
            depth += 1
        elif ch == close_ch:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced %s in table source" % open_ch)


def split_top(s):
    """Splits a macro argument list on top-level commas."""
    parts, depth, cur, in_str = [], 0, [], False
    for ch in s:
        if in_str:
            cur.append(ch)
            if ch == '"':
                in_str = False
            continue
        if ch == '"':
            in_str = True
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


def parse_tables(path):
    """{table name: [(entry name, subs path or None)]} for one source file."""
    src = strip_comments(open(path).read())
    tables = {}
    for m in TABLE_RE.finditer(src):
        end = balanced(src, m.end() - 1, "[", "]")
        body = src[m.end() - 1:end]
        entries = []
        for e in ENTRY_RE.finditer(body):
            subs = None
            if e.group(0).startswith("Row"):
                close = balanced(body, body.rfind("{", 0, e.end()), "{", "}")
                fm = re.search(r"\bsubs\s*:\s*([^,}]+)", body[e.start():close])
                if fm and fm.group(1).strip() != "&[]":
                    subs = fm.group(1).strip()
            else:
                op = body.index("(", e.start())
                args = split_top(body[op + 1:balanced(body, op, "(", ")") - 1])
                # row!(name, arity, flags, acl, keys, handler, subs)
                if e.group(0).startswith("row") and len(args) >= 7:
                    subs = args[6]
            entries.append((e.group(1), subs))
        tables[m.group(1)] = entries
    aliases = {alias: mod for mod, alias in USE_AS_RE.findall(src)}
    return tables, aliases


def table_names(redis):
    """Full names of every command and subcommand in the Rust tables: TABLE
    in mod.rs and each family module's ROWS listed in TABLES."""
    mod_path = os.path.join(CMD_DIR, "mod.rs")
    tables, aliases = parse_tables(mod_path)
    if "TABLE" not in tables:
        sys.exit("no `static TABLE: &[Row]` found in %s" % mod_path)
    sources = [(tables["TABLE"], tables, aliases)]
    src = strip_comments(open(mod_path).read())
    m = re.search(r"static\s+TABLES\s*:[^=]*=\s*&\[(.*?)\];", src, re.S)
    for mod in (re.findall(r"\b([a-z_][a-z0-9_]*)::ROWS\b", m.group(1)) if m else []):
        path = os.path.join(CMD_DIR, aliases.get(mod, mod) + ".rs")
        mod_tables, mod_aliases = parse_tables(path)
        if "ROWS" in mod_tables:
            sources.append((mod_tables["ROWS"], mod_tables, mod_aliases))
    names = []
    for rows, local, local_aliases in sources:
        for name, subs in rows:
            names.append(name)
            if not subs:
                continue
            if "::" in subs:
                mod, tab = subs.rsplit("::", 1)
                mod = local_aliases.get(mod, aliases.get(mod, mod))
                sub_tables = {}
                sub_path = os.path.join(CMD_DIR, mod + ".rs")
                if os.path.exists(sub_path):
                    sub_tables, _ = parse_tables(sub_path)
            else:
                tab, sub_tables = subs, local
            if tab in sub_tables:
                names.extend("%s|%s" % (name, s) for s, _ in sub_tables[tab])
            else:
                # The table is not written yet: take every subcommand Redis has.
                print("warning: subcommand table %s of %r not found; using all of "
                      "Redis's subcommands" % (subs, name), file=sys.stderr)
                info = redis.call("COMMAND", "INFO", name)[1][0]
                names.extend(sub[1][0][1] for sub in info[1][9][1])
    return names


# ---------------------------------------------------------------------------
# Converting parsed replies into plain Python data, checking every shape the
# Rust renderer assumes (so a surprise fails here, not in a byte diff).
# ---------------------------------------------------------------------------

DOC_KEYS = ["summary", "since", "group", "complexity", "doc_flags",
            "deprecated_since", "replaced_by", "history", "arguments",
            "subcommands"]
ARG_KEYS = ["name", "type", "key_spec_index", "token", "summary", "since",
            "deprecated_since", "flags", "arguments"]
ARG_TYPES = ["string", "integer", "double", "key", "pattern", "unix-time",
             "pure-token", "oneof", "block"]


def expect(cond, what):
    if not cond:
        raise ValueError("unexpected reply shape: " + what)


def as_map(v, what):
    expect(v[0] == "map", what + " is not a map")
    out = {}
    for k, val in v[1]:
        expect(k[0] == "bulk", what + " has a non-bulk key")
        out[k[1]] = val
    return out


def check_order(keys, order, what):
    idx = [order.index(k) if k in order else -1 for k in keys]
    expect(-1 not in idx, "%s has unknown fields %r" % (what, keys))
    expect(idx == sorted(idx), "%s has fields out of order %r" % (what, keys))


def bulk(v, what):
    expect(v[0] == "bulk", what + " is not a bulk string")
    return v[1]


def status_set(v, what):
    expect(v[0] == "set" and all(x[0] == "simple" for x in v[1]),
           what + " is not a set of status replies")
    expect(v[1], what + " is empty")
    return [x[1] for x in v[1]]


def conv_args(v, what):
    expect(v[0] == "array" and v[1], what + " is not a non-empty array")
    out = []
    for raw in v[1]:
        m = as_map(raw, what)
        check_order(list(m), ARG_KEYS, what)
        a = {"name": bulk(m["name"], what), "type": bulk(m["type"], what)}
        w = "%s/%s" % (what, a["name"])
        expect(a["type"] in ARG_TYPES, w + " has unknown type " + a["type"])
        if "key_spec_index" in m:
            expect(m["key_spec_index"][0] == "int", w + " key_spec_index")
            a["key_spec_index"] = m["key_spec_index"][1]
        for k in ("token", "summary", "since", "deprecated_since"):
            if k in m:
                a[k] = bulk(m[k], w + " " + k)
        if "flags" in m:
            a["flags"] = status_set(m["flags"], w + " flags")
        container = a["type"] in ("oneof", "block")
        expect(("arguments" in m) == container,
               w + ": arguments present iff oneof/block")
        if container:
            a["arguments"] = conv_args(m["arguments"], w)
        out.append(a)
    return out


def conv_docs(v, name):
    m = as_map(v, name + " docs")
    check_order(list(m), DOC_KEYS, name + " docs")
    for k in ("summary", "since", "group"):
        expect(k in m, "%s docs lack %s" % (name, k))
    d = {}
    for k in ("summary", "since", "group", "complexity", "deprecated_since",
              "replaced_by"):
        if k in m:
            d[k] = bulk(m[k], name + " " + k)
    if "doc_flags" in m:
        d["doc_flags"] = status_set(m["doc_flags"], name + " doc_flags")
    if "history" in m:
        h = m["history"]
        expect(h[0] == "set" and h[1], name + " history is not a non-empty set")
        d["history"] = []
        for e in h[1]:
            expect(e[0] == "array" and len(e[1]) == 2, name + " history entry")
            d["history"].append((bulk(e[1][0], name), bulk(e[1][1], name)))
    if "arguments" in m:
        d["arguments"] = conv_args(m["arguments"], name)
    return d


def conv_key_specs(v, name):
    expect(v[0] == "set", name + " key specs are not a set")
    out = []
    for raw in v[1]:
        m = as_map(raw, name + " key spec")
        expect(list(m) in (["flags", "begin_search", "find_keys"],
                           ["notes", "flags", "begin_search", "find_keys"]),
               name + " key spec fields " + repr(list(m)))
        ks = {"flags": status_set(m["flags"], name + " key spec flags")}
        if "notes" in m:
            ks["notes"] = bulk(m["notes"], name + " notes")
        for part, kinds in (("begin_search", {"index": ["index"],
                                              "keyword": ["keyword", "startfrom"],
                                              "unknown": []}),
                            ("find_keys", {"range": ["lastkey", "keystep", "limit"],
                                           "keynum": ["keynumidx", "firstkey", "keystep"],
                                           "unknown": []})):
            p = as_map(m[part], name + " " + part)
            expect(list(p) == ["type", "spec"], name + " " + part + " fields")
            kind = bulk(p["type"], name + " " + part + " type")
            expect(kind in kinds, name + " " + part + " type " + kind)
            spec = as_map(p["spec"], name + " " + part + " spec")
            expect(list(spec) == kinds[kind], name + " " + part + " spec fields")
            vals = []
            for k in kinds[kind]:
                if k == "keyword":
                    vals.append(bulk(spec[k], name + " keyword"))
                else:
                    expect(spec[k][0] == "int", name + " " + k + " is not an integer")
                    vals.append(spec[k][1])
            ks[part] = (kind, vals)
        out.append(ks)
    return out


def fetch(redis, name):
    """{tips, key_specs, docs} for one full name, or None if Redis lacks it."""
    info = redis.call("COMMAND", "INFO", name)
    expect(info[0] == "array" and len(info[1]) == 1, "COMMAND INFO reply")
    entry = info[1][0]
    if entry[0] == "null":
        return None
    expect(entry[0] == "array" and len(entry[1]) == 10, name + " info entry")
    expect(bulk(entry[1][0], name) == name, name + " info name")
    tips = entry[1][7]
    expect(tips[0] == "set" and all(t[0] == "bulk" for t in tips[1]),
           name + " tips are not a set of bulk strings")
    docs = as_map(redis.call("COMMAND", "DOCS", name), "COMMAND DOCS reply")
    expect(list(docs) == [name], name + " docs reply names")
    return {
        "tips": [t[1] for t in tips[1]],
        "key_specs": conv_key_specs(entry[1][8], name),
        "docs": conv_docs(docs[name], name),
    }


# ---------------------------------------------------------------------------
# Rust output.
# ---------------------------------------------------------------------------

MARKER = "// @generated-data-below: everything after this line is written by tools/gen_command_meta.py"

ARG_TYPE_RUST = {
    "string": "String", "integer": "Integer", "double": "Double", "key": "Key",
    "pattern": "Pattern", "unix-time": "UnixTime", "pure-token": "PureToken",
    "oneof": "Oneof", "block": "Block",
}


def lit(s):
    """A Rust string literal (ASCII only; other characters escaped)."""
    out = ['"']
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            out.append("\\u{%x}" % ord(ch))
    out.append('"')
    return "".join(out)


def str_slice(items):
    return "&[" + ", ".join(lit(x) for x in items) + "]"


def emit_args(args, ind):
    lines = []
    for a in args:
        s = "%sArg::new(%s, ArgType::%s)" % (ind, lit(a["name"]), ARG_TYPE_RUST[a["type"]])
        if "key_spec_index" in a:
            s += ".key_spec(%d)" % a["key_spec_index"]
        for k, meth in (("token", "token"), ("summary", "summary"),
                        ("since", "since"), ("deprecated_since", "deprecated_since")):
            if k in a:
                s += ".%s(%s)" % (meth, lit(a[k]))
        if "flags" in a:
            s += ".flags(%s)" % str_slice(a["flags"])
        if "arguments" in a:
            lines.append(s + ".args(&[")
            lines.extend(emit_args(a["arguments"], ind + "    "))
            lines.append(ind + "]),")
        else:
            lines.append(s + ",")
    return lines


def emit_entry(name, meta):
    ind = "        "
    lines = ["    Meta {", ind + "name: %s," % lit(name),
             ind + "tips: %s," % str_slice(meta["tips"])]
    if meta["key_specs"]:
        lines.append(ind + "key_specs: &[")
        for ks in meta["key_specs"]:
            bs_kind, bs = ks["begin_search"]
            fk_kind, fk = ks["find_keys"]
            begin = {"index": lambda: "BeginSearch::Index(%d)" % bs[0],
                     "keyword": lambda: "BeginSearch::Keyword { keyword: %s, startfrom: %d }" % (lit(bs[0]), bs[1]),
                     "unknown": lambda: "BeginSearch::Unknown"}[bs_kind]()
            find = {"range": lambda: "FindKeys::Range { lastkey: %d, keystep: %d, limit: %d }" % tuple(fk),
                    "keynum": lambda: "FindKeys::Keynum { keynumidx: %d, firstkey: %d, keystep: %d }" % tuple(fk),
                    "unknown": lambda: "FindKeys::Unknown"}[fk_kind]()
            s = "%s    KeySpec::new(%s, %s, %s)" % (ind, str_slice(ks["flags"]), begin, find)
            if "notes" in ks:
                s += ".notes(%s)" % lit(ks["notes"])
            lines.append(s + ",")
        lines.append(ind + "],")
    else:
        lines.append(ind + "key_specs: &[],")
    d = meta["docs"]
    s = ind + "docs: Docs::new(%s, %s, %s)" % (lit(d["summary"]), lit(d["since"]), lit(d["group"]))
    for k in ("complexity",):
        if k in d:
            s += ".%s(%s)" % (k, lit(d[k]))
    if "doc_flags" in d:
        s += ".doc_flags(%s)" % str_slice(d["doc_flags"])
    for k in ("deprecated_since", "replaced_by"):
        if k in d:
            s += ".%s(%s)" % (k, lit(d[k]))
    if "history" in d:
        lines.append(s + ".history(&[")
        for ver, what in d["history"]:
            lines.append("%s    (%s, %s)," % (ind, lit(ver), lit(what)))
        s = ind + "])"
    if "arguments" in d:
        lines.append(s + ".args(&[")
        lines.extend(emit_args(d["arguments"], ind + "    "))
        s = ind + "])"
    lines.append(s + ",")
    lines.append("    },")
    return lines


def render(entries, version):
    out = [
        MARKER,
        "//",
        "// GENERATED from the COMMAND INFO / COMMAND DOCS replies of redis-server %s," % version,
        "// which define the interface hematite reproduces, plus the hand-written EXTRA",
        "// entries of the generator. Do not edit: change the generator and rerun it.",
        "",
        "#[rustfmt::skip]",
        "mod data {",
        "use super::*;",
        "",
        "/// Metadata of every command hematite documents, sorted by full name.",
        "pub(super) static META: &[Meta] = &[",
    ]
    for name in sorted(entries):
        out.extend(emit_entry(name, entries[name]))
    out.append("];")
    out.append("}")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="full names to generate in addition to the table's")
    ap.add_argument("--host", default="127.0.0.1", help="redis-server 7.0.15 host")
    ap.add_argument("--port", type=int, default=6379, help="redis-server 7.0.15 port")
    ap.add_argument("--only", action="store_true",
                    help="generate only the given names, not the table's")
    ap.add_argument("--list", action="store_true", help="print the names and exit")
    ap.add_argument("--out", default=os.path.join(CMD_DIR, "meta.rs"),
                    help="file whose data section is rewritten (default: meta.rs)")
    args = ap.parse_args()

    redis = Conn(args.host, args.port)
    hello = as_map(redis.hello, "HELLO reply")
    version = bulk(hello["version"], "version")
    if not version.startswith("7.0."):
        print("warning: redis-server %s is not 7.0.x" % version, file=sys.stderr)

    names = [] if args.only else table_names(redis)
    names += [n.lower() for n in args.names]
    names = sorted(set(names))
    if args.list:
        print("\n".join(names))
        return

    entries, missing = {}, []
    for name in names:
        meta = EXTRA.get(name) or fetch(redis, name)
        if meta is None:
            missing.append(name)
        else:
            entries[name] = meta
    if missing:
        sys.exit("Redis %s lacks %s: add hand-written entries to EXTRA in %s"
                 % (version, ", ".join(missing), os.path.relpath(__file__, ROOT)))

    try:
        src = open(args.out).read()
    except FileNotFoundError:
        sys.exit("%s does not exist: its hand-written part must come first" % args.out)
    i = src.find(MARKER)
    if i < 0:
        sys.exit("%s lacks the marker line %r" % (args.out, MARKER))
    with open(args.out, "w") as f:
        f.write(src[:i] + render(entries, version))
    print("wrote %d entries to %s" % (len(entries), os.path.relpath(args.out, ROOT)))


if __name__ == "__main__":
    main()
