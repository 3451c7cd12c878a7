//! Documentation-only command metadata: tips, key specs and docs.
//!
//! The command table ([`crate::commands::TABLE`]) drives dispatch; what it
//! does not hold is the metadata that only `COMMAND INFO` and `COMMAND DOCS`
//! report. Redis 7.0.15's replies to those commands define the interface
//! hematite reproduces, so the data at the bottom of this file is GENERATED
//! by `tools/gen_command_meta.py` from a live redis-server 7.0.15 (plus a few
//! hand-written entries in the generator for commands Redis 7.0 lacks).
//! Edit the generator, not the data; rerun it after adding commands:
//!
//! ```text
//! redis-server --port 7392 --save '' &
//! python3 tools/gen_command_meta.py --port 7392        # every table command
//! python3 tools/gen_command_meta.py --port 7392 lpush  # ... plus extra names
//! ```
//!
//! The generator replaces everything after its marker line and keeps the
//! hand-written part above it: the types and the rendering code, which
//! writes each element with the reply types Redis 7.0.15 uses (checked
//! against captured bytes in the tests below):
//!
//! * tips: a set of bulk strings;
//! * key specs: a set of maps, whose `flags` is a set of status replies;
//! * docs: a map; `doc_flags` and argument `flags` are sets of status
//!   replies, `history` a set of `[version, description]` arrays.
//!
//! In RESP2 maps become flat arrays and sets arrays, as [`ReplyBuf`] does.

use hematite_resp::ReplyBuf;

/// The metadata of one command or subcommand.
#[derive(Debug)]
pub struct Meta {
    /// Full name: `name`, or `container|sub` for a subcommand.
    pub name: &'static str,
    /// Command tips (`nondeterministic_output`, `request_policy:...`).
    pub tips: &'static [&'static str],
    /// Key specifications.
    pub key_specs: &'static [KeySpec],
    /// Documentation.
    pub docs: Docs,
}

/// One key specification: where a group of keys is and how it is accessed.
#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    /// Free-text notes.
    pub notes: Option<&'static str>,
    /// Flags such as `RW`, `access`, `update`, `not_key`, `incomplete`.
    pub flags: &'static [&'static str],
    /// Where the search for the keys begins.
    pub begin_search: BeginSearch,
    /// How the keys are found from there.
    pub find_keys: FindKeys,
}

impl KeySpec {
    /// A key spec without notes.
    pub const fn new(flags: &'static [&'static str], begin_search: BeginSearch, find_keys: FindKeys) -> Self {
        KeySpec { notes: None, flags, begin_search, find_keys }
    }

    /// Adds notes.
    pub const fn notes(self, notes: &'static str) -> Self {
        KeySpec { notes: Some(notes), ..self }
    }
}

/// The `begin_search` part of a key spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeginSearch {
    /// Keys are found some other way.
    Unknown,
    /// The search begins at a fixed argument index.
    Index(i64),
    /// The search begins after `keyword`, itself searched from `startfrom`
    /// (negative: from the end, backwards).
    Keyword {
        /// The keyword, upper case.
        keyword: &'static str,
        /// Where the keyword search starts.
        startfrom: i64,
    },
}

/// The `find_keys` part of a key spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindKeys {
    /// Keys are found some other way.
    Unknown,
    /// A range of keys: up to `lastkey` (relative to the begin index;
    /// negative from the end), every `keystep`, limited by `limit`.
    Range {
        /// Index of the last key relative to the first.
        lastkey: i64,
        /// Distance between keys.
        keystep: i64,
        /// If `lastkey` is -1, only 1/limit of the remaining arguments.
        limit: i64,
    },
    /// The number of keys is given by an argument.
    Keynum {
        /// Index of the key count, relative to the begin index.
        keynumidx: i64,
        /// Index of the first key, relative to the begin index.
        firstkey: i64,
        /// Distance between keys.
        keystep: i64,
    },
}

/// The documentation of a command, as `COMMAND DOCS` reports it.
#[derive(Debug, Clone, Copy)]
pub struct Docs {
    /// One-line summary.
    pub summary: &'static str,
    /// Version that introduced the command.
    pub since: &'static str,
    /// Command group (`string`, `generic`, `connection`, ...).
    pub group: &'static str,
    /// Time complexity.
    pub complexity: Option<&'static str>,
    /// Documentation flags (`deprecated`, `syscmd`).
    pub doc_flags: &'static [&'static str],
    /// Version that deprecated the command.
    pub deprecated_since: Option<&'static str>,
    /// What replaces a deprecated command.
    pub replaced_by: Option<&'static str>,
    /// `(version, change)` pairs.
    pub history: &'static [(&'static str, &'static str)],
    /// The argument tree (empty: none reported).
    pub arguments: &'static [Arg],
}

impl Docs {
    /// Docs with only the mandatory fields.
    pub const fn new(summary: &'static str, since: &'static str, group: &'static str) -> Self {
        Docs {
            summary,
            since,
            group,
            complexity: None,
            doc_flags: &[],
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            arguments: &[],
        }
    }

    /// Sets the complexity.
    pub const fn complexity(self, complexity: &'static str) -> Self {
        Docs { complexity: Some(complexity), ..self }
    }

    /// Sets the documentation flags.
    pub const fn doc_flags(self, doc_flags: &'static [&'static str]) -> Self {
        Docs { doc_flags, ..self }
    }

    /// Sets the deprecation version.
    pub const fn deprecated_since(self, version: &'static str) -> Self {
        Docs { deprecated_since: Some(version), ..self }
    }

    /// Sets the replacement of a deprecated command.
    pub const fn replaced_by(self, replaced_by: &'static str) -> Self {
        Docs { replaced_by: Some(replaced_by), ..self }
    }

    /// Sets the history.
    pub const fn history(self, history: &'static [(&'static str, &'static str)]) -> Self {
        Docs { history, ..self }
    }

    /// Sets the arguments.
    pub const fn args(self, arguments: &'static [Arg]) -> Self {
        Docs { arguments, ..self }
    }
}

/// The type of a documented argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgType {
    /// `string`.
    String,
    /// `integer`.
    Integer,
    /// `double`.
    Double,
    /// `key`.
    Key,
    /// `pattern`.
    Pattern,
    /// `unix-time`.
    UnixTime,
    /// `pure-token`: the token alone, no value.
    PureToken,
    /// `oneof`: exactly one of the nested arguments.
    Oneof,
    /// `block`: the nested arguments in sequence.
    Block,
}

impl ArgType {
    /// The name `COMMAND DOCS` reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            ArgType::String => "string",
            ArgType::Integer => "integer",
            ArgType::Double => "double",
            ArgType::Key => "key",
            ArgType::Pattern => "pattern",
            ArgType::UnixTime => "unix-time",
            ArgType::PureToken => "pure-token",
            ArgType::Oneof => "oneof",
            ArgType::Block => "block",
        }
    }

    /// True for the types that nest arguments (`oneof`, `block`).
    pub const fn is_container(self) -> bool {
        matches!(self, ArgType::Oneof | ArgType::Block)
    }
}

/// One node of a command's argument tree.
#[derive(Debug, Clone, Copy)]
pub struct Arg {
    /// Name.
    pub name: &'static str,
    /// Type.
    pub kind: ArgType,
    /// Index of the key spec describing this key argument.
    pub key_spec_index: Option<i64>,
    /// The token preceding the argument (`EX`, `WITHSCORES`, ...).
    pub token: Option<&'static str>,
    /// Short description.
    pub summary: Option<&'static str>,
    /// Version that introduced the argument.
    pub since: Option<&'static str>,
    /// Version that deprecated the argument.
    pub deprecated_since: Option<&'static str>,
    /// Flags: `optional`, `multiple`, `multiple_token`.
    pub flags: &'static [&'static str],
    /// Nested arguments of a `oneof` or `block`.
    pub arguments: &'static [Arg],
}

impl Arg {
    /// An argument with only a name and a type.
    pub const fn new(name: &'static str, kind: ArgType) -> Self {
        Arg {
            name,
            kind,
            key_spec_index: None,
            token: None,
            summary: None,
            since: None,
            deprecated_since: None,
            flags: &[],
            arguments: &[],
        }
    }

    /// Sets the key spec index.
    pub const fn key_spec(self, index: i64) -> Self {
        Arg { key_spec_index: Some(index), ..self }
    }

    /// Sets the token.
    pub const fn token(self, token: &'static str) -> Self {
        Arg { token: Some(token), ..self }
    }

    /// Sets the summary.
    pub const fn summary(self, summary: &'static str) -> Self {
        Arg { summary: Some(summary), ..self }
    }

    /// Sets the introducing version.
    pub const fn since(self, since: &'static str) -> Self {
        Arg { since: Some(since), ..self }
    }

    /// Sets the deprecating version.
    pub const fn deprecated_since(self, version: &'static str) -> Self {
        Arg { deprecated_since: Some(version), ..self }
    }

    /// Sets the flags.
    pub const fn flags(self, flags: &'static [&'static str]) -> Self {
        Arg { flags, ..self }
    }

    /// Sets the nested arguments.
    pub const fn args(self, arguments: &'static [Arg]) -> Self {
        Arg { arguments, ..self }
    }
}

/// The metadata of a full name (`get`, `client|list`), if documented.
pub fn lookup(full_name: &str) -> Option<&'static Meta> {
    data::META.binary_search_by(|m| m.name.cmp(full_name)).ok().map(|i| &data::META[i])
}

/// True if docs exist for the name.
pub fn has_docs(full_name: &str) -> bool {
    lookup(full_name).is_some()
}

/// Writes the tips element of COMMAND INFO (a RESP3 set / RESP2 array of
/// bulk strings; empty for an unknown name).
pub fn write_tips(out: &mut ReplyBuf, full_name: &str) {
    let tips = lookup(full_name).map_or(&[][..], |m| m.tips);
    out.set(tips.len());
    for t in tips {
        out.bulk(t.as_bytes());
    }
}

/// Writes a set of status replies.
fn write_status_set(out: &mut ReplyBuf, items: &[&str]) {
    out.set(items.len());
    for s in items {
        out.simple(s.as_bytes());
    }
}

/// Writes `type` and `spec` of a `begin_search` or `find_keys` map, `spec`
/// holding the integer fields (and an optional leading string field).
fn write_search_part(out: &mut ReplyBuf, kind: &str, text: Option<(&str, &str)>, ints: &[(&str, i64)]) {
    out.map(2);
    out.bulk(b"type");
    out.bulk(kind.as_bytes());
    out.bulk(b"spec");
    out.map(ints.len() + usize::from(text.is_some()));
    if let Some((k, v)) = text {
        out.bulk(k.as_bytes());
        out.bulk(v.as_bytes());
    }
    for (k, v) in ints {
        out.bulk(k.as_bytes());
        out.int(*v);
    }
}

/// Writes the key-specs element of COMMAND INFO: a set (RESP2 array) of
/// maps with `notes` (if any), `flags` (a set of status replies),
/// `begin_search` and `find_keys`, like Redis. Empty for an unknown name.
pub fn write_key_specs(out: &mut ReplyBuf, full_name: &str) {
    let specs = lookup(full_name).map_or(&[][..], |m| m.key_specs);
    out.set(specs.len());
    for ks in specs {
        out.map(3 + usize::from(ks.notes.is_some()));
        if let Some(notes) = ks.notes {
            out.bulk(b"notes");
            out.bulk(notes.as_bytes());
        }
        out.bulk(b"flags");
        write_status_set(out, ks.flags);
        out.bulk(b"begin_search");
        match ks.begin_search {
            BeginSearch::Unknown => write_search_part(out, "unknown", None, &[]),
            BeginSearch::Index(i) => write_search_part(out, "index", None, &[("index", i)]),
            BeginSearch::Keyword { keyword, startfrom } => {
                write_search_part(out, "keyword", Some(("keyword", keyword)), &[("startfrom", startfrom)])
            }
        }
        out.bulk(b"find_keys");
        match ks.find_keys {
            FindKeys::Unknown => write_search_part(out, "unknown", None, &[]),
            FindKeys::Range { lastkey, keystep, limit } => write_search_part(
                out,
                "range",
                None,
                &[("lastkey", lastkey), ("keystep", keystep), ("limit", limit)],
            ),
            FindKeys::Keynum { keynumidx, firstkey, keystep } => write_search_part(
                out,
                "keynum",
                None,
                &[("keynumidx", keynumidx), ("firstkey", firstkey), ("keystep", keystep)],
            ),
        }
    }
}

/// Writes a `name: bulk` map entry if the value is present.
fn write_opt(out: &mut ReplyBuf, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        out.bulk(key.as_bytes());
        out.bulk(v.as_bytes());
    }
}

/// Writes an argument list: an array of maps, fields in Redis's order.
fn write_args(out: &mut ReplyBuf, args: &[Arg]) {
    out.array(args.len());
    for a in args {
        let n = 2
            + usize::from(a.key_spec_index.is_some())
            + usize::from(a.token.is_some())
            + usize::from(a.summary.is_some())
            + usize::from(a.since.is_some())
            + usize::from(a.deprecated_since.is_some())
            + usize::from(!a.flags.is_empty())
            + usize::from(a.kind.is_container());
        out.map(n);
        out.bulk(b"name");
        out.bulk(a.name.as_bytes());
        out.bulk(b"type");
        out.bulk(a.kind.as_str().as_bytes());
        if let Some(i) = a.key_spec_index {
            out.bulk(b"key_spec_index");
            out.int(i);
        }
        write_opt(out, "token", a.token);
        write_opt(out, "summary", a.summary);
        write_opt(out, "since", a.since);
        write_opt(out, "deprecated_since", a.deprecated_since);
        if !a.flags.is_empty() {
            out.bulk(b"flags");
            write_status_set(out, a.flags);
        }
        if a.kind.is_container() {
            out.bulk(b"arguments");
            write_args(out, a.arguments);
        }
    }
}

/// Writes the docs map value for one command as COMMAND DOCS does: summary,
/// since, group, complexity, doc_flags, deprecated_since, replaced_by,
/// history, arguments (each when present), then a `subcommands` map holding
/// the docs of each of `subcommands` (full names, in the order given) when
/// that list is not empty. A name without docs gets what Redis reports for
/// an undocumented command: just `group: generic` (and its subcommands).
pub fn write_docs(out: &mut ReplyBuf, full_name: &str, subcommands: &[&str]) {
    let subs = usize::from(!subcommands.is_empty());
    match lookup(full_name) {
        None => {
            out.map(1 + subs);
            out.bulk(b"group");
            out.bulk(b"generic");
        }
        Some(m) => {
            let d = &m.docs;
            let n = 3
                + usize::from(d.complexity.is_some())
                + usize::from(!d.doc_flags.is_empty())
                + usize::from(d.deprecated_since.is_some())
                + usize::from(d.replaced_by.is_some())
                + usize::from(!d.history.is_empty())
                + usize::from(!d.arguments.is_empty())
                + subs;
            out.map(n);
            write_opt(out, "summary", Some(d.summary));
            write_opt(out, "since", Some(d.since));
            write_opt(out, "group", Some(d.group));
            write_opt(out, "complexity", d.complexity);
            if !d.doc_flags.is_empty() {
                out.bulk(b"doc_flags");
                write_status_set(out, d.doc_flags);
            }
            write_opt(out, "deprecated_since", d.deprecated_since);
            write_opt(out, "replaced_by", d.replaced_by);
            if !d.history.is_empty() {
                out.bulk(b"history");
                out.set(d.history.len());
                for (version, change) in d.history {
                    out.array(2);
                    out.bulk(version.as_bytes());
                    out.bulk(change.as_bytes());
                }
            }
            if !d.arguments.is_empty() {
                out.bulk(b"arguments");
                write_args(out, d.arguments);
            }
        }
    }
    if !subcommands.is_empty() {
        out.bulk(b"subcommands");
        out.map(subcommands.len());
        for sub in subcommands {
            out.bulk(sub.as_bytes());
            write_docs(out, sub, &[]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hematite_resp::Protocol;

    /// Renders with `f` in the given protocol.
    fn render(proto: Protocol, f: impl FnOnce(&mut ReplyBuf)) -> Vec<u8> {
        let mut out = ReplyBuf { proto, ..Default::default() };
        f(&mut out);
        out.buf.to_vec()
    }

    /// Checks RESP2 and RESP3 renderings against bytes captured from
    /// redis-server 7.0.15.
    fn check(f: impl Fn(&mut ReplyBuf), resp2: &[u8], resp3: &[u8]) {
        let got2 = render(Protocol::Resp2, &f);
        assert_eq!(String::from_utf8_lossy(&got2), String::from_utf8_lossy(resp2));
        let got3 = render(Protocol::Resp3, &f);
        assert_eq!(String::from_utf8_lossy(&got3), String::from_utf8_lossy(resp3));
    }

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(data::META.windows(2).all(|w| w[0].name < w[1].name));
        assert!(has_docs("get") && has_docs("client|list") && !has_docs("nosuchcommand"));
    }

    #[test]
    fn tips() {
        check(
            |o| write_tips(o, "mset"),
            b"*2\r\n$26\r\nrequest_policy:multi_shard\r\n$29\r\nresponse_policy:all_succeeded\r\n",
            b"~2\r\n$26\r\nrequest_policy:multi_shard\r\n$29\r\nresponse_policy:all_succeeded\r\n",
        );
        check(|o| write_tips(o, "get"), b"*0\r\n", b"~0\r\n");
        check(|o| write_tips(o, "nosuchcommand"), b"*0\r\n", b"~0\r\n");
    }

    #[test]
    fn key_specs() {
        check(
            |o| write_key_specs(o, "get"),
            b"*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n\
              $5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n\
              $5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n",
            b"~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n\
              $5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n\
              $5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n",
        );
        check(
            |o| write_key_specs(o, "mset"),
            b"*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n\
              $5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n\
              $5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:2\r\n$5\r\nlimit\r\n:0\r\n",
            b"~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n\
              $5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n\
              $5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:2\r\n$5\r\nlimit\r\n:0\r\n",
        );
        // Notes come first.
        let set3 = render(Protocol::Resp3, |o| write_key_specs(o, "set"));
        assert!(set3.starts_with(
            b"~1\r\n%4\r\n$5\r\nnotes\r\n$48\r\nRW and ACCESS due to the optional `GET` argument\r\n\
              $5\r\nflags\r\n~4\r\n+RW\r\n+access\r\n+update\r\n+variable_flags\r\n"
        ));
        check(|o| write_key_specs(o, "ping"), b"*0\r\n", b"~0\r\n");
    }

    #[test]
    fn docs() {
        check(
            |o| write_docs(o, "get", &[]),
            b"*10\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n\
              $5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n\
              *6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n",
            b"%5\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n\
              $5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n\
              %3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n",
        );
        // A block argument with flags (a set of status replies).
        let mset3 = render(Protocol::Resp3, |o| write_docs(o, "mset", &[]));
        assert_eq!(
            String::from_utf8_lossy(&mset3),
            "%5\r\n$7\r\nsummary\r\n$36\r\nSet multiple keys to multiple values\r\n$5\r\nsince\r\n$5\r\n1.0.1\r\n\
             $5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$42\r\nO(N) where N is the number of keys to set.\r\n\
             $9\r\narguments\r\n*1\r\n%4\r\n$4\r\nname\r\n$9\r\nkey_value\r\n$4\r\ntype\r\n$5\r\nblock\r\n\
             $5\r\nflags\r\n~1\r\n+multiple\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n\
             $4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n%2\r\n$4\r\nname\r\n$5\r\nvalue\r\n\
             $4\r\ntype\r\n$6\r\nstring\r\n"
        );
        // History is a set of two-element arrays.
        let set3 = render(Protocol::Resp3, |o| write_docs(o, "set", &[]));
        let history = b"$7\r\nhistory\r\n~4\r\n*2\r\n$6\r\n2.6.12\r\n$44\r\nAdded the `EX`, `PX`, `NX` and `XX` options.\r\n";
        assert!(set3.windows(history.len()).any(|w| w == history));
    }

    #[test]
    fn docs_with_subcommands() {
        let got = render(Protocol::Resp3, |o| write_docs(o, "object", &["object|freq"]));
        let head = b"%5\r\n$7\r\nsummary\r\n$45\r\nA container for object introspection commands\r\n";
        assert!(got.starts_with(head), "{}", String::from_utf8_lossy(&got));
        let tail = render(Protocol::Resp3, |o| write_docs(o, "object|freq", &[]));
        let mut want = b"$11\r\nsubcommands\r\n%1\r\n$11\r\nobject|freq\r\n".to_vec();
        want.extend_from_slice(&tail);
        assert!(got.ends_with(&want));
        // An undocumented name: only the group, like Redis.
        check(|o| write_docs(o, "nosuchcommand", &[]), b"*2\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n", b"%1\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n");
    }

    #[test]
    fn hand_written_entries() {
        let got = render(Protocol::Resp3, |o| write_docs(o, "client|setinfo", &[]));
        assert!(got.starts_with(
            b"%5\r\n$7\r\nsummary\r\n$54\r\nSets information specific to the client or connection.\r\n\
              $5\r\nsince\r\n$5\r\n7.2.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n"
        ));
        check(|o| write_key_specs(o, "client|no-touch"), b"*0\r\n", b"~0\r\n");
    }
}

// @generated-data-below: everything after this line is written by tools/gen_command_meta.py
//
// GENERATED from the COMMAND INFO / COMMAND DOCS replies of redis-server 7.0.15,
// which define the interface hematite reproduces, plus the hand-written EXTRA
// entries of the generator. Do not edit: change the generator and rerun it.

#[rustfmt::skip]
mod data {
use super::*;

/// Metadata of every command hematite documents, sorted by full name.
pub(super) static META: &[Meta] = &[
    Meta {
        name: "append",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "insert"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Append a value to a key", "2.0.0", "string").complexity("O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("value", ArgType::String),
        ]),
    },
    Meta {
        name: "auth",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Authenticate to the server", "1.0.0", "connection").complexity("O(N) where N is the number of passwords defined for the user").history(&[
            ("6.0.0", "Added ACL style (username and password)."),
        ]).args(&[
            Arg::new("username", ArgType::String).since("6.0.0").flags(&["optional"]),
            Arg::new("password", ArgType::String),
        ]),
    },
    Meta {
        name: "blmove",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
            KeySpec::new(&["RW", "insert"], BeginSearch::Index(2), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Pop an element from a list, push it to another list and return it; or block until one is available", "6.2.0", "list").complexity("O(1)").args(&[
            Arg::new("source", ArgType::Key).key_spec(0),
            Arg::new("destination", ArgType::Key).key_spec(1),
            Arg::new("wherefrom", ArgType::Oneof).args(&[
                Arg::new("left", ArgType::PureToken).token("LEFT"),
                Arg::new("right", ArgType::PureToken).token("RIGHT"),
            ]),
            Arg::new("whereto", ArgType::Oneof).args(&[
                Arg::new("left", ArgType::PureToken).token("LEFT"),
                Arg::new("right", ArgType::PureToken).token("RIGHT"),
            ]),
            Arg::new("timeout", ArgType::Double),
        ]),
    },
    Meta {
        name: "blmpop",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(2), FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 }),
        ],
        docs: Docs::new("Pop elements from a list, or block until one is available", "7.0.0", "list").complexity("O(N+M) where N is the number of provided keys and M is the number of elements returned.").args(&[
            Arg::new("timeout", ArgType::Double),
            Arg::new("numkeys", ArgType::Integer),
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
            Arg::new("where", ArgType::Oneof).args(&[
                Arg::new("left", ArgType::PureToken).token("LEFT"),
                Arg::new("right", ArgType::PureToken).token("RIGHT"),
            ]),
            Arg::new("count", ArgType::Integer).token("COUNT").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "blpop",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: -2, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Remove and get the first element in a list, or block until one is available", "2.0.0", "list").complexity("O(N) where N is the number of provided keys.").history(&[
            ("6.0.0", "`timeout` is interpreted as a double instead of an integer."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
            Arg::new("timeout", ArgType::Double),
        ]),
    },
    Meta {
        name: "brpop",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: -2, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Remove and get the last element in a list, or block until one is available", "2.0.0", "list").complexity("O(N) where N is the number of provided keys.").history(&[
            ("6.0.0", "`timeout` is interpreted as a double instead of an integer."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
            Arg::new("timeout", ArgType::Double),
        ]),
    },
    Meta {
        name: "brpoplpush",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
            KeySpec::new(&["RW", "insert"], BeginSearch::Index(2), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Pop an element from a list, push it to another list and return it; or block until one is available", "2.2.0", "list").complexity("O(1)").doc_flags(&["deprecated"]).deprecated_since("6.2.0").replaced_by("`BLMOVE` with the `RIGHT` and `LEFT` arguments").history(&[
            ("6.0.0", "`timeout` is interpreted as a double instead of an integer."),
        ]).args(&[
            Arg::new("source", ArgType::Key).key_spec(0),
            Arg::new("destination", ArgType::Key).key_spec(1),
            Arg::new("timeout", ArgType::Double),
        ]),
    },
    Meta {
        name: "bzmpop",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(2), FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 }),
        ],
        docs: Docs::new("Remove and return members with scores in a sorted set or block until one is available", "7.0.0", "sorted-set").complexity("O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.").args(&[
            Arg::new("timeout", ArgType::Double),
            Arg::new("numkeys", ArgType::Integer),
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
            Arg::new("where", ArgType::Oneof).args(&[
                Arg::new("min", ArgType::PureToken).token("MIN"),
                Arg::new("max", ArgType::PureToken).token("MAX"),
            ]),
            Arg::new("count", ArgType::Integer).token("COUNT").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "bzpopmax",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: -2, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Remove and return the member with the highest score from one or more sorted sets, or block until one is available", "5.0.0", "sorted-set").complexity("O(log(N)) with N being the number of elements in the sorted set.").history(&[
            ("6.0.0", "`timeout` is interpreted as a double instead of an integer."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
            Arg::new("timeout", ArgType::Double),
        ]),
    },
    Meta {
        name: "bzpopmin",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: -2, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", "5.0.0", "sorted-set").complexity("O(log(N)) with N being the number of elements in the sorted set.").history(&[
            ("6.0.0", "`timeout` is interpreted as a double instead of an integer."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
            Arg::new("timeout", ArgType::Double),
        ]),
    },
    Meta {
        name: "client",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("A container for client connection commands", "2.4.0", "connection").complexity("Depends on subcommand."),
    },
    Meta {
        name: "client|getname",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Get the current connection name", "2.6.9", "connection").complexity("O(1)"),
    },
    Meta {
        name: "client|getredir",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Get tracking notifications redirection client ID if any", "6.0.0", "connection").complexity("O(1)"),
    },
    Meta {
        name: "client|help",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Show helpful text about the different subcommands", "5.0.0", "connection").complexity("O(1)"),
    },
    Meta {
        name: "client|id",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Returns the client ID for the current connection", "5.0.0", "connection").complexity("O(1)"),
    },
    Meta {
        name: "client|info",
        tips: &["nondeterministic_output"],
        key_specs: &[],
        docs: Docs::new("Returns information about the current client connection.", "6.2.0", "connection").complexity("O(1)"),
    },
    Meta {
        name: "client|kill",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Kill the connection of a client", "2.4.0", "connection").complexity("O(N) where N is the number of client connections").history(&[
            ("2.8.12", "Added new filter format."),
            ("2.8.12", "`ID` option."),
            ("3.2.0", "Added `master` type in for `TYPE` option."),
            ("5.0.0", "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility."),
            ("6.2.0", "`LADDR` option."),
        ]).args(&[
            Arg::new("filter", ArgType::Oneof).args(&[
                Arg::new("ip:port", ArgType::String).deprecated_since("2.8.12"),
                Arg::new("new-format", ArgType::Oneof).flags(&["multiple"]).args(&[
                    Arg::new("client-id", ArgType::Integer).token("ID").since("2.8.12").flags(&["optional"]),
                    Arg::new("normal_master_slave_pubsub", ArgType::Oneof).token("TYPE").since("2.8.12").flags(&["optional"]).args(&[
                        Arg::new("normal", ArgType::PureToken).token("NORMAL"),
                        Arg::new("master", ArgType::PureToken).token("MASTER").since("3.2.0"),
                        Arg::new("slave", ArgType::PureToken).token("SLAVE"),
                        Arg::new("replica", ArgType::PureToken).token("REPLICA").since("5.0.0"),
                        Arg::new("pubsub", ArgType::PureToken).token("PUBSUB"),
                    ]),
                    Arg::new("username", ArgType::String).token("USER").flags(&["optional"]),
                    Arg::new("ip:port", ArgType::String).token("ADDR").flags(&["optional"]),
                    Arg::new("ip:port", ArgType::String).token("LADDR").since("6.2.0").flags(&["optional"]),
                    Arg::new("yes/no", ArgType::String).token("SKIPME").flags(&["optional"]),
                ]),
            ]),
        ]),
    },
    Meta {
        name: "client|list",
        tips: &["nondeterministic_output"],
        key_specs: &[],
        docs: Docs::new("Get the list of client connections", "2.4.0", "connection").complexity("O(N) where N is the number of client connections").history(&[
            ("2.8.12", "Added unique client `id` field."),
            ("5.0.0", "Added optional `TYPE` filter."),
            ("6.0.0", "Added `user` field."),
            ("6.2.0", "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter."),
            ("7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."),
            ("7.0.3", "Added `ssub` field."),
        ]).args(&[
            Arg::new("normal_master_replica_pubsub", ArgType::Oneof).token("TYPE").since("5.0.0").flags(&["optional"]).args(&[
                Arg::new("normal", ArgType::PureToken).token("NORMAL"),
                Arg::new("master", ArgType::PureToken).token("MASTER"),
                Arg::new("replica", ArgType::PureToken).token("REPLICA"),
                Arg::new("pubsub", ArgType::PureToken).token("PUBSUB"),
            ]),
            Arg::new("id", ArgType::Block).token("ID").since("6.2.0").flags(&["optional"]).args(&[
                Arg::new("client-id", ArgType::Integer).flags(&["multiple"]),
            ]),
        ]),
    },
    Meta {
        name: "client|no-evict",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Set client eviction mode for the current connection", "7.0.0", "connection").complexity("O(1)").args(&[
            Arg::new("enabled", ArgType::Oneof).args(&[
                Arg::new("on", ArgType::PureToken).token("ON"),
                Arg::new("off", ArgType::PureToken).token("OFF"),
            ]),
        ]),
    },
    Meta {
        name: "client|no-touch",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Controls whether commands sent by the client affect the LRU/LFU of accessed keys.", "7.2.0", "connection").complexity("O(1)").args(&[
            Arg::new("enabled", ArgType::Oneof).args(&[
                Arg::new("on", ArgType::PureToken).token("ON"),
                Arg::new("off", ArgType::PureToken).token("OFF"),
            ]),
        ]),
    },
    Meta {
        name: "client|reply",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Instruct the server whether to reply to commands", "3.2.0", "connection").complexity("O(1)").args(&[
            Arg::new("on_off_skip", ArgType::Oneof).args(&[
                Arg::new("on", ArgType::PureToken).token("ON"),
                Arg::new("off", ArgType::PureToken).token("OFF"),
                Arg::new("skip", ArgType::PureToken).token("SKIP"),
            ]),
        ]),
    },
    Meta {
        name: "client|setinfo",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Sets information specific to the client or connection.", "7.2.0", "connection").complexity("O(1)").args(&[
            Arg::new("attr", ArgType::Oneof).args(&[
                Arg::new("libname", ArgType::String).token("lib-name"),
                Arg::new("libver", ArgType::String).token("lib-ver"),
            ]),
        ]),
    },
    Meta {
        name: "client|setname",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Set the current connection name", "2.6.9", "connection").complexity("O(1)").args(&[
            Arg::new("connection-name", ArgType::String),
        ]),
    },
    Meta {
        name: "client|unblock",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Unblock a client blocked in a blocking command from a different connection", "5.0.0", "connection").complexity("O(log N) where N is the number of client connections").args(&[
            Arg::new("client-id", ArgType::Integer),
            Arg::new("timeout_error", ArgType::Oneof).flags(&["optional"]).args(&[
                Arg::new("timeout", ArgType::PureToken).token("TIMEOUT"),
                Arg::new("error", ArgType::PureToken).token("ERROR"),
            ]),
        ]),
    },
    Meta {
        name: "command",
        tips: &["nondeterministic_output_order"],
        key_specs: &[],
        docs: Docs::new("Get array of Redis command details", "2.8.13", "server").complexity("O(N) where N is the total number of Redis commands"),
    },
    Meta {
        name: "command|count",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Get total number of Redis commands", "2.8.13", "server").complexity("O(1)"),
    },
    Meta {
        name: "command|docs",
        tips: &["nondeterministic_output_order"],
        key_specs: &[],
        docs: Docs::new("Get array of specific Redis command documentation", "7.0.0", "server").complexity("O(N) where N is the number of commands to look up").args(&[
            Arg::new("command-name", ArgType::String).flags(&["optional", "multiple"]),
        ]),
    },
    Meta {
        name: "command|getkeys",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Extract keys given a full Redis command", "2.8.13", "server").complexity("O(N) where N is the number of arguments to the command"),
    },
    Meta {
        name: "command|help",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Show helpful text about the different subcommands", "5.0.0", "server").complexity("O(1)"),
    },
    Meta {
        name: "command|info",
        tips: &["nondeterministic_output_order"],
        key_specs: &[],
        docs: Docs::new("Get array of specific Redis command details, or all when no argument is given.", "2.8.13", "server").complexity("O(N) where N is the number of commands to look up").history(&[
            ("7.0.0", "Allowed to be called with no argument to get info on all commands."),
        ]).args(&[
            Arg::new("command-name", ArgType::String).flags(&["optional", "multiple"]),
        ]),
    },
    Meta {
        name: "command|list",
        tips: &["nondeterministic_output_order"],
        key_specs: &[],
        docs: Docs::new("Get an array of Redis command names", "7.0.0", "server").complexity("O(N) where N is the total number of Redis commands").args(&[
            Arg::new("filterby", ArgType::Oneof).token("FILTERBY").flags(&["optional"]).args(&[
                Arg::new("module-name", ArgType::String).token("MODULE"),
                Arg::new("category", ArgType::String).token("ACLCAT"),
                Arg::new("pattern", ArgType::Pattern).token("PATTERN"),
            ]),
        ]),
    },
    Meta {
        name: "config",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("A container for server configuration commands", "2.0.0", "server").complexity("Depends on subcommand."),
    },
    Meta {
        name: "config|get",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Get the values of configuration parameters", "2.0.0", "server").complexity("O(N) when N is the number of configuration parameters provided").history(&[
            ("7.0.0", "Added the ability to pass multiple pattern parameters in one call"),
        ]).args(&[
            Arg::new("parameter", ArgType::Block).flags(&["multiple"]).args(&[
                Arg::new("parameter", ArgType::String),
            ]),
        ]),
    },
    Meta {
        name: "config|help",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Show helpful text about the different subcommands", "5.0.0", "server").complexity("O(1)"),
    },
    Meta {
        name: "config|resetstat",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Reset the stats returned by INFO", "2.0.0", "server").complexity("O(1)"),
    },
    Meta {
        name: "config|rewrite",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Rewrite the configuration file with the in memory configuration", "2.8.0", "server").complexity("O(1)"),
    },
    Meta {
        name: "config|set",
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        key_specs: &[],
        docs: Docs::new("Set configuration parameters to the given values", "2.0.0", "server").complexity("O(N) when N is the number of configuration parameters provided").history(&[
            ("7.0.0", "Added the ability to set multiple parameters in one call."),
        ]).args(&[
            Arg::new("parameter_value", ArgType::Block).flags(&["multiple"]).args(&[
                Arg::new("parameter", ArgType::String),
                Arg::new("value", ArgType::String),
            ]),
        ]),
    },
    Meta {
        name: "copy",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
            KeySpec::new(&["OW", "update"], BeginSearch::Index(2), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Copy a key", "6.2.0", "generic").complexity("O(N) worst case for collections, where N is the number of nested items. O(1) for string values.").args(&[
            Arg::new("source", ArgType::Key).key_spec(0),
            Arg::new("destination", ArgType::Key).key_spec(1),
            Arg::new("destination-db", ArgType::Integer).token("DB").flags(&["optional"]),
            Arg::new("replace", ArgType::PureToken).token("REPLACE").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "dbsize",
        tips: &["request_policy:all_shards", "response_policy:agg_sum"],
        key_specs: &[],
        docs: Docs::new("Return the number of keys in the selected database", "1.0.0", "server").complexity("O(1)"),
    },
    Meta {
        name: "debug",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("A container for debugging commands", "1.0.0", "server").complexity("Depends on subcommand.").doc_flags(&["syscmd"]),
    },
    Meta {
        name: "decr",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Decrement the integer value of a key by one", "1.0.0", "string").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "decrby",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Decrement the integer value of a key by the given number", "1.0.0", "string").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("decrement", ArgType::Integer),
        ]),
    },
    Meta {
        name: "del",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_specs: &[
            KeySpec::new(&["RM", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Delete a key", "1.0.0", "generic").complexity("O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).").args(&[
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "discard",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Discard all commands issued after MULTI", "2.0.0", "transactions").complexity("O(N), when N is the number of queued commands"),
    },
    Meta {
        name: "echo",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Echo the given string", "1.0.0", "connection").complexity("O(1)").args(&[
            Arg::new("message", ArgType::String),
        ]),
    },
    Meta {
        name: "eval",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "update"], BeginSearch::Index(2), FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 }).notes("We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"),
        ],
        docs: Docs::new("Execute a Lua script server side", "2.6.0", "scripting").complexity("Depends on the script that is executed.").args(&[
            Arg::new("script", ArgType::String),
            Arg::new("numkeys", ArgType::Integer),
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["optional", "multiple"]),
            Arg::new("arg", ArgType::String).flags(&["optional", "multiple"]),
        ]),
    },
    Meta {
        name: "eval_ro",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(2), FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 }).notes("We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"),
        ],
        docs: Docs::new("Execute a read-only Lua script server side", "7.0.0", "scripting").complexity("Depends on the script that is executed.").args(&[
            Arg::new("script", ArgType::String),
            Arg::new("numkeys", ArgType::Integer),
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["optional", "multiple"]),
            Arg::new("arg", ArgType::String).flags(&["optional", "multiple"]),
        ]),
    },
    Meta {
        name: "evalsha",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "update"], BeginSearch::Index(2), FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 }),
        ],
        docs: Docs::new("Execute a Lua script server side", "2.6.0", "scripting").complexity("Depends on the script that is executed.").args(&[
            Arg::new("sha1", ArgType::String),
            Arg::new("numkeys", ArgType::Integer),
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["optional", "multiple"]),
            Arg::new("arg", ArgType::String).flags(&["optional", "multiple"]),
        ]),
    },
    Meta {
        name: "evalsha_ro",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(2), FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 }),
        ],
        docs: Docs::new("Execute a read-only Lua script server side", "7.0.0", "scripting").complexity("Depends on the script that is executed.").args(&[
            Arg::new("sha1", ArgType::String),
            Arg::new("numkeys", ArgType::Integer),
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["optional", "multiple"]),
            Arg::new("arg", ArgType::String).flags(&["optional", "multiple"]),
        ]),
    },
    Meta {
        name: "exec",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Execute all commands issued after MULTI", "1.2.0", "transactions").complexity("Depends on commands in the transaction"),
    },
    Meta {
        name: "exists",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_specs: &[
            KeySpec::new(&["RO"], BeginSearch::Index(1), FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Determine if a key exists", "1.0.0", "generic").complexity("O(N) where N is the number of keys to check.").history(&[
            ("3.0.3", "Accepts multiple `key` arguments."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "expire",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Set a key's time to live in seconds", "1.0.0", "generic").complexity("O(1)").history(&[
            ("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("seconds", ArgType::Integer),
            Arg::new("condition", ArgType::Oneof).since("7.0.0").flags(&["optional"]).args(&[
                Arg::new("nx", ArgType::PureToken).token("NX"),
                Arg::new("xx", ArgType::PureToken).token("XX"),
                Arg::new("gt", ArgType::PureToken).token("GT"),
                Arg::new("lt", ArgType::PureToken).token("LT"),
            ]),
        ]),
    },
    Meta {
        name: "expireat",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Set the expiration for a key as a UNIX timestamp", "1.2.0", "generic").complexity("O(1)").history(&[
            ("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("unix-time-seconds", ArgType::UnixTime),
            Arg::new("condition", ArgType::Oneof).since("7.0.0").flags(&["optional"]).args(&[
                Arg::new("nx", ArgType::PureToken).token("NX"),
                Arg::new("xx", ArgType::PureToken).token("XX"),
                Arg::new("gt", ArgType::PureToken).token("GT"),
                Arg::new("lt", ArgType::PureToken).token("LT"),
            ]),
        ]),
    },
    Meta {
        name: "expiretime",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the expiration Unix timestamp for a key", "7.0.0", "generic").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "fcall",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "update"], BeginSearch::Index(2), FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 }).notes("We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"),
        ],
        docs: Docs::new("Invoke a function", "7.0.0", "scripting").complexity("Depends on the function that is executed.").args(&[
            Arg::new("function", ArgType::String),
            Arg::new("numkeys", ArgType::Integer),
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["optional", "multiple"]),
            Arg::new("arg", ArgType::String).flags(&["optional", "multiple"]),
        ]),
    },
    Meta {
        name: "fcall_ro",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(2), FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 }).notes("We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"),
        ],
        docs: Docs::new("Invoke a read-only function", "7.0.0", "scripting").complexity("Depends on the function that is executed.").args(&[
            Arg::new("function", ArgType::String),
            Arg::new("numkeys", ArgType::Integer),
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["optional", "multiple"]),
            Arg::new("arg", ArgType::String).flags(&["optional", "multiple"]),
        ]),
    },
    Meta {
        name: "flushall",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        key_specs: &[],
        docs: Docs::new("Remove all keys from all databases", "1.0.0", "server").complexity("O(N) where N is the total number of keys in all databases").history(&[
            ("4.0.0", "Added the `ASYNC` flushing mode modifier."),
            ("6.2.0", "Added the `SYNC` flushing mode modifier."),
        ]).args(&[
            Arg::new("async", ArgType::Oneof).flags(&["optional"]).args(&[
                Arg::new("async", ArgType::PureToken).token("ASYNC").since("4.0.0"),
                Arg::new("sync", ArgType::PureToken).token("SYNC").since("6.2.0"),
            ]),
        ]),
    },
    Meta {
        name: "flushdb",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        key_specs: &[],
        docs: Docs::new("Remove all keys from the current database", "1.0.0", "server").complexity("O(N) where N is the number of keys in the selected database").history(&[
            ("4.0.0", "Added the `ASYNC` flushing mode modifier."),
            ("6.2.0", "Added the `SYNC` flushing mode modifier."),
        ]).args(&[
            Arg::new("async", ArgType::Oneof).flags(&["optional"]).args(&[
                Arg::new("async", ArgType::PureToken).token("ASYNC").since("4.0.0"),
                Arg::new("sync", ArgType::PureToken).token("SYNC").since("6.2.0"),
            ]),
        ]),
    },
    Meta {
        name: "function",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("A container for function commands", "7.0.0", "scripting").complexity("Depends on subcommand."),
    },
    Meta {
        name: "function|delete",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        key_specs: &[],
        docs: Docs::new("Delete a function by name", "7.0.0", "scripting").complexity("O(1)").args(&[
            Arg::new("library-name", ArgType::String),
        ]),
    },
    Meta {
        name: "function|dump",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Dump all functions into a serialized binary payload", "7.0.0", "scripting").complexity("O(N) where N is the number of functions"),
    },
    Meta {
        name: "function|flush",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        key_specs: &[],
        docs: Docs::new("Deleting all functions", "7.0.0", "scripting").complexity("O(N) where N is the number of functions deleted").args(&[
            Arg::new("async", ArgType::Oneof).flags(&["optional"]).args(&[
                Arg::new("async", ArgType::PureToken).token("ASYNC"),
                Arg::new("sync", ArgType::PureToken).token("SYNC"),
            ]),
        ]),
    },
    Meta {
        name: "function|help",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Show helpful text about the different subcommands", "7.0.0", "scripting").complexity("O(1)"),
    },
    Meta {
        name: "function|kill",
        tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
        key_specs: &[],
        docs: Docs::new("Kill the function currently in execution.", "7.0.0", "scripting").complexity("O(1)"),
    },
    Meta {
        name: "function|list",
        tips: &["nondeterministic_output_order"],
        key_specs: &[],
        docs: Docs::new("List information about all the functions", "7.0.0", "scripting").complexity("O(N) where N is the number of functions").args(&[
            Arg::new("library-name-pattern", ArgType::String).token("LIBRARYNAME").flags(&["optional"]),
            Arg::new("withcode", ArgType::PureToken).token("WITHCODE").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "function|load",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        key_specs: &[],
        docs: Docs::new("Create a function with the given arguments (name, code, description)", "7.0.0", "scripting").complexity("O(1) (considering compilation time is redundant)").args(&[
            Arg::new("replace", ArgType::PureToken).token("REPLACE").flags(&["optional"]),
            Arg::new("function-code", ArgType::String),
        ]),
    },
    Meta {
        name: "function|restore",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        key_specs: &[],
        docs: Docs::new("Restore all the functions on the given payload", "7.0.0", "scripting").complexity("O(N) where N is the number of functions on the payload").args(&[
            Arg::new("serialized-value", ArgType::String),
            Arg::new("policy", ArgType::Oneof).flags(&["optional"]).args(&[
                Arg::new("flush", ArgType::PureToken).token("FLUSH"),
                Arg::new("append", ArgType::PureToken).token("APPEND"),
                Arg::new("replace", ArgType::PureToken).token("REPLACE"),
            ]),
        ]),
    },
    Meta {
        name: "function|stats",
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        key_specs: &[],
        docs: Docs::new("Return information about the function currently running (name, description, duration)", "7.0.0", "scripting").complexity("O(1)"),
    },
    Meta {
        name: "get",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the value of a key", "1.0.0", "string").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "getdel",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the value of a key and delete the key", "6.2.0", "string").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "getex",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }).notes("RW and UPDATE because it changes the TTL"),
        ],
        docs: Docs::new("Get the value of a key and optionally set its expiration", "6.2.0", "string").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("expiration", ArgType::Oneof).flags(&["optional"]).args(&[
                Arg::new("seconds", ArgType::Integer).token("EX"),
                Arg::new("milliseconds", ArgType::Integer).token("PX"),
                Arg::new("unix-time-seconds", ArgType::UnixTime).token("EXAT"),
                Arg::new("unix-time-milliseconds", ArgType::UnixTime).token("PXAT"),
                Arg::new("persist", ArgType::PureToken).token("PERSIST"),
            ]),
        ]),
    },
    Meta {
        name: "getrange",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get a substring of the string stored at a key", "2.4.0", "string").complexity("O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("start", ArgType::Integer),
            Arg::new("end", ArgType::Integer),
        ]),
    },
    Meta {
        name: "getset",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Set the string value of a key and return its old value", "1.0.0", "string").complexity("O(1)").doc_flags(&["deprecated"]).deprecated_since("6.2.0").replaced_by("`SET` with the `!GET` argument").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("value", ArgType::String),
        ]),
    },
    Meta {
        name: "hdel",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Delete one or more hash fields", "2.0.0", "hash").complexity("O(N) where N is the number of fields to be removed.").history(&[
            ("2.4.0", "Accepts multiple `field` arguments."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("field", ArgType::String).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "hello",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Handshake with Redis", "6.0.0", "connection").complexity("O(1)").history(&[
            ("6.2.0", "`protover` made optional; when called without arguments the command reports the current connection's context."),
        ]).args(&[
            Arg::new("arguments", ArgType::Block).flags(&["optional"]).args(&[
                Arg::new("protover", ArgType::Integer),
                Arg::new("username_password", ArgType::Block).token("AUTH").flags(&["optional"]).args(&[
                    Arg::new("username", ArgType::String),
                    Arg::new("password", ArgType::String),
                ]),
                Arg::new("clientname", ArgType::String).token("SETNAME").flags(&["optional"]),
            ]),
        ]),
    },
    Meta {
        name: "hexists",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Determine if a hash field exists", "2.0.0", "hash").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("field", ArgType::String),
        ]),
    },
    Meta {
        name: "hget",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the value of a hash field", "2.0.0", "hash").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("field", ArgType::String),
        ]),
    },
    Meta {
        name: "hgetall",
        tips: &["nondeterministic_output_order"],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get all the fields and values in a hash", "2.0.0", "hash").complexity("O(N) where N is the size of the hash.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "hincrby",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Increment the integer value of a hash field by the given number", "2.0.0", "hash").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("field", ArgType::String),
            Arg::new("increment", ArgType::Integer),
        ]),
    },
    Meta {
        name: "hincrbyfloat",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Increment the float value of a hash field by the given amount", "2.6.0", "hash").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("field", ArgType::String),
            Arg::new("increment", ArgType::Double),
        ]),
    },
    Meta {
        name: "hkeys",
        tips: &["nondeterministic_output_order"],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get all the fields in a hash", "2.0.0", "hash").complexity("O(N) where N is the size of the hash.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "hlen",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the number of fields in a hash", "2.0.0", "hash").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "hmget",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the values of all the given hash fields", "2.0.0", "hash").complexity("O(N) where N is the number of fields being requested.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("field", ArgType::String).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "hmset",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Set multiple hash fields to multiple values", "2.0.0", "hash").complexity("O(N) where N is the number of fields being set.").doc_flags(&["deprecated"]).deprecated_since("4.0.0").replaced_by("`HSET` with multiple field-value pairs").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("field_value", ArgType::Block).flags(&["multiple"]).args(&[
                Arg::new("field", ArgType::String),
                Arg::new("value", ArgType::String),
            ]),
        ]),
    },
    Meta {
        name: "hrandfield",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get one or multiple random fields from a hash", "6.2.0", "hash").complexity("O(N) where N is the number of fields returned").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("options", ArgType::Block).flags(&["optional"]).args(&[
                Arg::new("count", ArgType::Integer),
                Arg::new("withvalues", ArgType::PureToken).token("WITHVALUES").flags(&["optional"]),
            ]),
        ]),
    },
    Meta {
        name: "hscan",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Incrementally iterate hash fields and associated values", "2.8.0", "hash").complexity("O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("cursor", ArgType::Integer),
            Arg::new("pattern", ArgType::Pattern).token("MATCH").flags(&["optional"]),
            Arg::new("count", ArgType::Integer).token("COUNT").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "hset",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Set the string value of a hash field", "2.0.0", "hash").complexity("O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.").history(&[
            ("4.0.0", "Accepts multiple `field` and `value` arguments."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("field_value", ArgType::Block).flags(&["multiple"]).args(&[
                Arg::new("field", ArgType::String),
                Arg::new("value", ArgType::String),
            ]),
        ]),
    },
    Meta {
        name: "hsetnx",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "insert"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Set the value of a hash field, only if the field does not exist", "2.0.0", "hash").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("field", ArgType::String),
            Arg::new("value", ArgType::String),
        ]),
    },
    Meta {
        name: "hstrlen",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the length of the value of a hash field", "3.2.0", "hash").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("field", ArgType::String),
        ]),
    },
    Meta {
        name: "hvals",
        tips: &["nondeterministic_output_order"],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get all the values in a hash", "2.0.0", "hash").complexity("O(N) where N is the size of the hash.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "incr",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Increment the integer value of a key by one", "1.0.0", "string").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "incrby",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Increment the integer value of a key by the given amount", "1.0.0", "string").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("increment", ArgType::Integer),
        ]),
    },
    Meta {
        name: "incrbyfloat",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Increment the float value of a key by the given amount", "2.6.0", "string").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("increment", ArgType::Double),
        ]),
    },
    Meta {
        name: "info",
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        key_specs: &[],
        docs: Docs::new("Get information and statistics about the server", "1.0.0", "server").complexity("O(1)").history(&[
            ("7.0.0", "Added support for taking multiple section arguments."),
        ]).args(&[
            Arg::new("section", ArgType::String).flags(&["optional", "multiple"]),
        ]),
    },
    Meta {
        name: "keys",
        tips: &["request_policy:all_shards", "nondeterministic_output_order"],
        key_specs: &[],
        docs: Docs::new("Find all keys matching the given pattern", "1.0.0", "generic").complexity("O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.").args(&[
            Arg::new("pattern", ArgType::Pattern),
        ]),
    },
    Meta {
        name: "lcs",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 1, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Find longest common substring", "7.0.0", "string").complexity("O(N*M) where N and M are the lengths of s1 and s2, respectively").args(&[
            Arg::new("key1", ArgType::Key).key_spec(0),
            Arg::new("key2", ArgType::Key).key_spec(0),
            Arg::new("len", ArgType::PureToken).token("LEN").flags(&["optional"]),
            Arg::new("idx", ArgType::PureToken).token("IDX").flags(&["optional"]),
            Arg::new("len", ArgType::Integer).token("MINMATCHLEN").flags(&["optional"]),
            Arg::new("withmatchlen", ArgType::PureToken).token("WITHMATCHLEN").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "lindex",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get an element from a list by its index", "1.0.0", "list").complexity("O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("index", ArgType::Integer),
        ]),
    },
    Meta {
        name: "linsert",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "insert"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Insert an element before or after another element in a list", "2.2.0", "list").complexity("O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("where", ArgType::Oneof).args(&[
                Arg::new("before", ArgType::PureToken).token("BEFORE"),
                Arg::new("after", ArgType::PureToken).token("AFTER"),
            ]),
            Arg::new("pivot", ArgType::String),
            Arg::new("element", ArgType::String),
        ]),
    },
    Meta {
        name: "llen",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the length of a list", "1.0.0", "list").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "lmove",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
            KeySpec::new(&["RW", "insert"], BeginSearch::Index(2), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Pop an element from a list, push it to another list and return it", "6.2.0", "list").complexity("O(1)").args(&[
            Arg::new("source", ArgType::Key).key_spec(0),
            Arg::new("destination", ArgType::Key).key_spec(1),
            Arg::new("wherefrom", ArgType::Oneof).args(&[
                Arg::new("left", ArgType::PureToken).token("LEFT"),
                Arg::new("right", ArgType::PureToken).token("RIGHT"),
            ]),
            Arg::new("whereto", ArgType::Oneof).args(&[
                Arg::new("left", ArgType::PureToken).token("LEFT"),
                Arg::new("right", ArgType::PureToken).token("RIGHT"),
            ]),
        ]),
    },
    Meta {
        name: "lmpop",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 }),
        ],
        docs: Docs::new("Pop elements from a list", "7.0.0", "list").complexity("O(N+M) where N is the number of provided keys and M is the number of elements returned.").args(&[
            Arg::new("numkeys", ArgType::Integer),
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
            Arg::new("where", ArgType::Oneof).args(&[
                Arg::new("left", ArgType::PureToken).token("LEFT"),
                Arg::new("right", ArgType::PureToken).token("RIGHT"),
            ]),
            Arg::new("count", ArgType::Integer).token("COUNT").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "lpop",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Remove and get the first elements in a list", "1.0.0", "list").complexity("O(N) where N is the number of elements returned").history(&[
            ("6.2.0", "Added the `count` argument."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("count", ArgType::Integer).since("6.2.0").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "lpos",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Return the index of matching elements on a list", "6.0.6", "list").complexity("O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("element", ArgType::String),
            Arg::new("rank", ArgType::Integer).token("RANK").flags(&["optional"]),
            Arg::new("num-matches", ArgType::Integer).token("COUNT").flags(&["optional"]),
            Arg::new("len", ArgType::Integer).token("MAXLEN").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "lpush",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "insert"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Prepend one or multiple elements to a list", "1.0.0", "list").complexity("O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.").history(&[
            ("2.4.0", "Accepts multiple `element` arguments."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("element", ArgType::String).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "lpushx",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "insert"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Prepend an element to a list, only if the list exists", "2.2.0", "list").complexity("O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.").history(&[
            ("4.0.0", "Accepts multiple `element` arguments."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("element", ArgType::String).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "lrange",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get a range of elements from a list", "1.0.0", "list").complexity("O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("start", ArgType::Integer),
            Arg::new("stop", ArgType::Integer),
        ]),
    },
    Meta {
        name: "lrem",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Remove elements from a list", "1.0.0", "list").complexity("O(N+M) where N is the length of the list and M is the number of elements removed.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("count", ArgType::Integer),
            Arg::new("element", ArgType::String),
        ]),
    },
    Meta {
        name: "lset",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Set the value of an element in a list by its index", "1.0.0", "list").complexity("O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("index", ArgType::Integer),
            Arg::new("element", ArgType::String),
        ]),
    },
    Meta {
        name: "ltrim",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Trim a list to the specified range", "1.0.0", "list").complexity("O(N) where N is the number of elements to be removed by the operation.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("start", ArgType::Integer),
            Arg::new("stop", ArgType::Integer),
        ]),
    },
    Meta {
        name: "mget",
        tips: &["request_policy:multi_shard"],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the values of all the given keys", "1.0.0", "string").complexity("O(N) where N is the number of keys to retrieve.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "move",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Move a key to another database", "1.0.0", "generic").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("db", ArgType::Integer),
        ]),
    },
    Meta {
        name: "mset",
        tips: &["request_policy:multi_shard", "response_policy:all_succeeded"],
        key_specs: &[
            KeySpec::new(&["OW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: -1, keystep: 2, limit: 0 }),
        ],
        docs: Docs::new("Set multiple keys to multiple values", "1.0.1", "string").complexity("O(N) where N is the number of keys to set.").args(&[
            Arg::new("key_value", ArgType::Block).flags(&["multiple"]).args(&[
                Arg::new("key", ArgType::Key).key_spec(0),
                Arg::new("value", ArgType::String),
            ]),
        ]),
    },
    Meta {
        name: "msetnx",
        tips: &["request_policy:multi_shard", "response_policy:agg_min"],
        key_specs: &[
            KeySpec::new(&["OW", "insert"], BeginSearch::Index(1), FindKeys::Range { lastkey: -1, keystep: 2, limit: 0 }),
        ],
        docs: Docs::new("Set multiple keys to multiple values, only if none of the keys exist", "1.0.1", "string").complexity("O(N) where N is the number of keys to set.").args(&[
            Arg::new("key_value", ArgType::Block).flags(&["multiple"]).args(&[
                Arg::new("key", ArgType::Key).key_spec(0),
                Arg::new("value", ArgType::String),
            ]),
        ]),
    },
    Meta {
        name: "multi",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Mark the start of a transaction block", "1.2.0", "transactions").complexity("O(1)"),
    },
    Meta {
        name: "object",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("A container for object introspection commands", "2.2.3", "generic").complexity("Depends on subcommand."),
    },
    Meta {
        name: "object|encoding",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec::new(&["RO"], BeginSearch::Index(2), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Inspect the internal encoding of a Redis object", "2.2.3", "generic").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "object|freq",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec::new(&["RO"], BeginSearch::Index(2), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the logarithmic access frequency counter of a Redis object", "4.0.0", "generic").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "object|help",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Show helpful text about the different subcommands", "6.2.0", "generic").complexity("O(1)"),
    },
    Meta {
        name: "object|idletime",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec::new(&["RO"], BeginSearch::Index(2), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the time since a Redis object was last accessed", "2.2.3", "generic").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "object|refcount",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec::new(&["RO"], BeginSearch::Index(2), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the number of references to the value of the key", "2.2.3", "generic").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "persist",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Remove the expiration from a key", "2.2.0", "generic").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "pexpire",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Set a key's time to live in milliseconds", "2.6.0", "generic").complexity("O(1)").history(&[
            ("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("milliseconds", ArgType::Integer),
            Arg::new("condition", ArgType::Oneof).since("7.0.0").flags(&["optional"]).args(&[
                Arg::new("nx", ArgType::PureToken).token("NX"),
                Arg::new("xx", ArgType::PureToken).token("XX"),
                Arg::new("gt", ArgType::PureToken).token("GT"),
                Arg::new("lt", ArgType::PureToken).token("LT"),
            ]),
        ]),
    },
    Meta {
        name: "pexpireat",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Set the expiration for a key as a UNIX timestamp specified in milliseconds", "2.6.0", "generic").complexity("O(1)").history(&[
            ("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("unix-time-milliseconds", ArgType::UnixTime),
            Arg::new("condition", ArgType::Oneof).since("7.0.0").flags(&["optional"]).args(&[
                Arg::new("nx", ArgType::PureToken).token("NX"),
                Arg::new("xx", ArgType::PureToken).token("XX"),
                Arg::new("gt", ArgType::PureToken).token("GT"),
                Arg::new("lt", ArgType::PureToken).token("LT"),
            ]),
        ]),
    },
    Meta {
        name: "pexpiretime",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the expiration Unix timestamp for a key in milliseconds", "7.0.0", "generic").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "ping",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        key_specs: &[],
        docs: Docs::new("Ping the server", "1.0.0", "connection").complexity("O(1)").args(&[
            Arg::new("message", ArgType::String).flags(&["optional"]),
        ]),
    },
    Meta {
        name: "psetex",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["OW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Set the value and expiration in milliseconds of a key", "2.6.0", "string").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("milliseconds", ArgType::Integer),
            Arg::new("value", ArgType::String),
        ]),
    },
    Meta {
        name: "psubscribe",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Listen for messages published to channels matching the given patterns", "2.0.0", "pubsub").complexity("O(N) where N is the number of patterns the client is already subscribed to.").args(&[
            Arg::new("pattern", ArgType::Block).flags(&["multiple"]).args(&[
                Arg::new("pattern", ArgType::Pattern),
            ]),
        ]),
    },
    Meta {
        name: "pttl",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the time to live for a key in milliseconds", "2.6.0", "generic").complexity("O(1)").history(&[
            ("2.8.0", "Added the -2 reply."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "publish",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Post a message to a channel", "2.0.0", "pubsub").complexity("O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).").args(&[
            Arg::new("channel", ArgType::String),
            Arg::new("message", ArgType::String),
        ]),
    },
    Meta {
        name: "pubsub",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("A container for Pub/Sub commands", "2.8.0", "pubsub").complexity("Depends on subcommand."),
    },
    Meta {
        name: "pubsub|channels",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("List active channels", "2.8.0", "pubsub").complexity("O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)").args(&[
            Arg::new("pattern", ArgType::Pattern).flags(&["optional"]),
        ]),
    },
    Meta {
        name: "pubsub|help",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Show helpful text about the different subcommands", "6.2.0", "pubsub").complexity("O(1)"),
    },
    Meta {
        name: "pubsub|numpat",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Get the count of unique patterns pattern subscriptions", "2.8.0", "pubsub").complexity("O(1)"),
    },
    Meta {
        name: "pubsub|numsub",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Get the count of subscribers for channels", "2.8.0", "pubsub").complexity("O(N) for the NUMSUB subcommand, where N is the number of requested channels").args(&[
            Arg::new("channel", ArgType::String).flags(&["optional", "multiple"]),
        ]),
    },
    Meta {
        name: "pubsub|shardchannels",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("List active shard channels", "7.0.0", "pubsub").complexity("O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).").args(&[
            Arg::new("pattern", ArgType::Pattern).flags(&["optional"]),
        ]),
    },
    Meta {
        name: "pubsub|shardnumsub",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Get the count of subscribers for shard channels", "7.0.0", "pubsub").complexity("O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels").args(&[
            Arg::new("shardchannel", ArgType::String).flags(&["optional", "multiple"]),
        ]),
    },
    Meta {
        name: "punsubscribe",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Stop listening for messages posted to channels matching the given patterns", "2.0.0", "pubsub").complexity("O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).").args(&[
            Arg::new("pattern", ArgType::Pattern).flags(&["optional", "multiple"]),
        ]),
    },
    Meta {
        name: "quit",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Close the connection", "1.0.0", "connection").complexity("O(1)"),
    },
    Meta {
        name: "randomkey",
        tips: &["request_policy:all_shards", "nondeterministic_output"],
        key_specs: &[],
        docs: Docs::new("Return a random key from the keyspace", "1.0.0", "generic").complexity("O(1)"),
    },
    Meta {
        name: "rename",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
            KeySpec::new(&["OW", "update"], BeginSearch::Index(2), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Rename a key", "1.0.0", "generic").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("newkey", ArgType::Key).key_spec(1),
        ]),
    },
    Meta {
        name: "renamenx",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
            KeySpec::new(&["OW", "insert"], BeginSearch::Index(2), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Rename a key, only if the new key does not exist", "1.0.0", "generic").complexity("O(1)").history(&[
            ("3.2.0", "The command no longer returns an error when source and destination names are the same."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("newkey", ArgType::Key).key_spec(1),
        ]),
    },
    Meta {
        name: "reset",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Reset the connection", "6.2.0", "connection").complexity("O(1)"),
    },
    Meta {
        name: "rpop",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Remove and get the last elements in a list", "1.0.0", "list").complexity("O(N) where N is the number of elements returned").history(&[
            ("6.2.0", "Added the `count` argument."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("count", ArgType::Integer).since("6.2.0").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "rpoplpush",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
            KeySpec::new(&["RW", "insert"], BeginSearch::Index(2), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Remove the last element in a list, prepend it to another list and return it", "1.2.0", "list").complexity("O(1)").doc_flags(&["deprecated"]).deprecated_since("6.2.0").replaced_by("`LMOVE` with the `RIGHT` and `LEFT` arguments").args(&[
            Arg::new("source", ArgType::Key).key_spec(0),
            Arg::new("destination", ArgType::Key).key_spec(1),
        ]),
    },
    Meta {
        name: "rpush",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "insert"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Append one or multiple elements to a list", "1.0.0", "list").complexity("O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.").history(&[
            ("2.4.0", "Accepts multiple `element` arguments."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("element", ArgType::String).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "rpushx",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "insert"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Append an element to a list, only if the list exists", "2.2.0", "list").complexity("O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.").history(&[
            ("4.0.0", "Accepts multiple `element` arguments."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("element", ArgType::String).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "sadd",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "insert"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Add one or more members to a set", "1.0.0", "set").complexity("O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.").history(&[
            ("2.4.0", "Accepts multiple `member` arguments."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("member", ArgType::String).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "scan",
        tips: &["nondeterministic_output", "request_policy:special"],
        key_specs: &[],
        docs: Docs::new("Incrementally iterate the keys space", "2.8.0", "generic").complexity("O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.").history(&[
            ("6.0.0", "Added the `TYPE` subcommand."),
        ]).args(&[
            Arg::new("cursor", ArgType::Integer),
            Arg::new("pattern", ArgType::Pattern).token("MATCH").flags(&["optional"]),
            Arg::new("count", ArgType::Integer).token("COUNT").flags(&["optional"]),
            Arg::new("type", ArgType::String).token("TYPE").since("6.0.0").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "scard",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the number of members in a set", "1.0.0", "set").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "script",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("A container for Lua scripts management commands", "2.6.0", "scripting").complexity("Depends on subcommand."),
    },
    Meta {
        name: "script|debug",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Set the debug mode for executed scripts.", "3.2.0", "scripting").complexity("O(1)").args(&[
            Arg::new("mode", ArgType::Oneof).args(&[
                Arg::new("yes", ArgType::PureToken).token("YES"),
                Arg::new("sync", ArgType::PureToken).token("SYNC"),
                Arg::new("no", ArgType::PureToken).token("NO"),
            ]),
        ]),
    },
    Meta {
        name: "script|exists",
        tips: &["request_policy:all_shards", "response_policy:agg_logical_and"],
        key_specs: &[],
        docs: Docs::new("Check existence of scripts in the script cache.", "2.6.0", "scripting").complexity("O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).").args(&[
            Arg::new("sha1", ArgType::String).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "script|flush",
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        key_specs: &[],
        docs: Docs::new("Remove all the scripts from the script cache.", "2.6.0", "scripting").complexity("O(N) with N being the number of scripts in cache").history(&[
            ("6.2.0", "Added the `ASYNC` and `SYNC` flushing mode modifiers."),
        ]).args(&[
            Arg::new("async", ArgType::Oneof).since("6.2.0").flags(&["optional"]).args(&[
                Arg::new("async", ArgType::PureToken).token("ASYNC"),
                Arg::new("sync", ArgType::PureToken).token("SYNC"),
            ]),
        ]),
    },
    Meta {
        name: "script|help",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Show helpful text about the different subcommands", "5.0.0", "scripting").complexity("O(1)"),
    },
    Meta {
        name: "script|kill",
        tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
        key_specs: &[],
        docs: Docs::new("Kill the script currently in execution.", "2.6.0", "scripting").complexity("O(1)"),
    },
    Meta {
        name: "script|load",
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        key_specs: &[],
        docs: Docs::new("Load the specified Lua script into the script cache.", "2.6.0", "scripting").complexity("O(N) with N being the length in bytes of the script body.").args(&[
            Arg::new("script", ArgType::String),
        ]),
    },
    Meta {
        name: "sdiff",
        tips: &["nondeterministic_output_order"],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Subtract multiple sets", "1.0.0", "set").complexity("O(N) where N is the total number of elements in all given sets.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "sdiffstore",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["OW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
            KeySpec::new(&["RO", "access"], BeginSearch::Index(2), FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Subtract multiple sets and store the resulting set in a key", "1.0.0", "set").complexity("O(N) where N is the total number of elements in all given sets.").args(&[
            Arg::new("destination", ArgType::Key).key_spec(0),
            Arg::new("key", ArgType::Key).key_spec(1).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "select",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Change the selected database for the current connection", "1.0.0", "connection").complexity("O(1)").args(&[
            Arg::new("index", ArgType::Integer),
        ]),
    },
    Meta {
        name: "set",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "update", "variable_flags"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }).notes("RW and ACCESS due to the optional `GET` argument"),
        ],
        docs: Docs::new("Set the string value of a key", "1.0.0", "string").complexity("O(1)").history(&[
            ("2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."),
            ("6.0.0", "Added the `KEEPTTL` option."),
            ("6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."),
            ("7.0.0", "Allowed the `NX` and `GET` options to be used together."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("value", ArgType::String),
            Arg::new("condition", ArgType::Oneof).since("2.6.12").flags(&["optional"]).args(&[
                Arg::new("nx", ArgType::PureToken).token("NX"),
                Arg::new("xx", ArgType::PureToken).token("XX"),
            ]),
            Arg::new("get", ArgType::PureToken).token("GET").since("6.2.0").flags(&["optional"]),
            Arg::new("expiration", ArgType::Oneof).flags(&["optional"]).args(&[
                Arg::new("seconds", ArgType::Integer).token("EX").since("2.6.12"),
                Arg::new("milliseconds", ArgType::Integer).token("PX").since("2.6.12"),
                Arg::new("unix-time-seconds", ArgType::UnixTime).token("EXAT").since("6.2.0"),
                Arg::new("unix-time-milliseconds", ArgType::UnixTime).token("PXAT").since("6.2.0"),
                Arg::new("keepttl", ArgType::PureToken).token("KEEPTTL").since("6.0.0"),
            ]),
        ]),
    },
    Meta {
        name: "setex",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["OW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Set the value and expiration of a key", "2.0.0", "string").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("seconds", ArgType::Integer),
            Arg::new("value", ArgType::String),
        ]),
    },
    Meta {
        name: "setnx",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["OW", "insert"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Set the value of a key, only if the key does not exist", "1.0.0", "string").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("value", ArgType::String),
        ]),
    },
    Meta {
        name: "setrange",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Overwrite part of a string at key starting at the specified offset", "2.2.0", "string").complexity("O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("offset", ArgType::Integer),
            Arg::new("value", ArgType::String),
        ]),
    },
    Meta {
        name: "shutdown",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Synchronously save the dataset to disk and then shut down the server", "1.0.0", "server").complexity("O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)").history(&[
            ("7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers."),
        ]).args(&[
            Arg::new("nosave_save", ArgType::Oneof).flags(&["optional"]).args(&[
                Arg::new("nosave", ArgType::PureToken).token("NOSAVE"),
                Arg::new("save", ArgType::PureToken).token("SAVE"),
            ]),
            Arg::new("now", ArgType::PureToken).token("NOW").since("7.0.0").flags(&["optional"]),
            Arg::new("force", ArgType::PureToken).token("FORCE").since("7.0.0").flags(&["optional"]),
            Arg::new("abort", ArgType::PureToken).token("ABORT").since("7.0.0").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "sinter",
        tips: &["nondeterministic_output_order"],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Intersect multiple sets", "1.0.0", "set").complexity("O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "sintercard",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 }),
        ],
        docs: Docs::new("Intersect multiple sets and return the cardinality of the result", "7.0.0", "set").complexity("O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.").args(&[
            Arg::new("numkeys", ArgType::Integer),
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
            Arg::new("limit", ArgType::Integer).token("LIMIT").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "sinterstore",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
            KeySpec::new(&["RO", "access"], BeginSearch::Index(2), FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Intersect multiple sets and store the resulting set in a key", "1.0.0", "set").complexity("O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.").args(&[
            Arg::new("destination", ArgType::Key).key_spec(0),
            Arg::new("key", ArgType::Key).key_spec(1).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "sismember",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Determine if a given value is a member of a set", "1.0.0", "set").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("member", ArgType::String),
        ]),
    },
    Meta {
        name: "smembers",
        tips: &["nondeterministic_output_order"],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get all the members in a set", "1.0.0", "set").complexity("O(N) where N is the set cardinality.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "smismember",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Returns the membership associated with the given elements for a set", "6.2.0", "set").complexity("O(N) where N is the number of elements being checked for membership").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("member", ArgType::String).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "smove",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
            KeySpec::new(&["RW", "insert"], BeginSearch::Index(2), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Move a member from one set to another", "1.0.0", "set").complexity("O(1)").args(&[
            Arg::new("source", ArgType::Key).key_spec(0),
            Arg::new("destination", ArgType::Key).key_spec(1),
            Arg::new("member", ArgType::String),
        ]),
    },
    Meta {
        name: "sort",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
            KeySpec::new(&["RO", "access"], BeginSearch::Unknown, FindKeys::Unknown).notes("For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"),
            KeySpec::new(&["OW", "update"], BeginSearch::Unknown, FindKeys::Unknown).notes("For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array"),
        ],
        docs: Docs::new("Sort the elements in a list, set or sorted set", "1.0.0", "generic").complexity("O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("pattern", ArgType::Pattern).key_spec(1).token("BY").flags(&["optional"]),
            Arg::new("offset_count", ArgType::Block).token("LIMIT").flags(&["optional"]).args(&[
                Arg::new("offset", ArgType::Integer),
                Arg::new("count", ArgType::Integer),
            ]),
            Arg::new("pattern", ArgType::Pattern).key_spec(1).token("GET").flags(&["optional", "multiple", "multiple_token"]),
            Arg::new("order", ArgType::Oneof).flags(&["optional"]).args(&[
                Arg::new("asc", ArgType::PureToken).token("ASC"),
                Arg::new("desc", ArgType::PureToken).token("DESC"),
            ]),
            Arg::new("sorting", ArgType::PureToken).token("ALPHA").flags(&["optional"]),
            Arg::new("destination", ArgType::Key).key_spec(2).token("STORE").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "sort_ro",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
            KeySpec::new(&["RO", "access"], BeginSearch::Unknown, FindKeys::Unknown).notes("For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"),
        ],
        docs: Docs::new("Sort the elements in a list, set or sorted set. Read-only variant of SORT.", "7.0.0", "generic").complexity("O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("pattern", ArgType::Pattern).key_spec(1).token("BY").flags(&["optional"]),
            Arg::new("offset_count", ArgType::Block).token("LIMIT").flags(&["optional"]).args(&[
                Arg::new("offset", ArgType::Integer),
                Arg::new("count", ArgType::Integer),
            ]),
            Arg::new("pattern", ArgType::Pattern).key_spec(1).token("GET").flags(&["optional", "multiple", "multiple_token"]),
            Arg::new("order", ArgType::Oneof).flags(&["optional"]).args(&[
                Arg::new("asc", ArgType::PureToken).token("ASC"),
                Arg::new("desc", ArgType::PureToken).token("DESC"),
            ]),
            Arg::new("sorting", ArgType::PureToken).token("ALPHA").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "spop",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Remove and return one or multiple random members from a set", "1.0.0", "set").complexity("Without the count argument O(1), otherwise O(N) where N is the value of the passed count.").history(&[
            ("3.2.0", "Added the `count` argument."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("count", ArgType::Integer).since("3.2.0").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "spublish",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["not_key"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Post a message to a shard channel", "7.0.0", "pubsub").complexity("O(N) where N is the number of clients subscribed to the receiving shard channel.").args(&[
            Arg::new("shardchannel", ArgType::String),
            Arg::new("message", ArgType::String),
        ]),
    },
    Meta {
        name: "srandmember",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get one or multiple random members from a set", "1.0.0", "set").complexity("Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.").history(&[
            ("2.6.0", "Added the optional `count` argument."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("count", ArgType::Integer).since("2.6.0").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "srem",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Remove one or more members from a set", "1.0.0", "set").complexity("O(N) where N is the number of members to be removed.").history(&[
            ("2.4.0", "Accepts multiple `member` arguments."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("member", ArgType::String).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "sscan",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Incrementally iterate Set elements", "2.8.0", "set").complexity("O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("cursor", ArgType::Integer),
            Arg::new("pattern", ArgType::Pattern).token("MATCH").flags(&["optional"]),
            Arg::new("count", ArgType::Integer).token("COUNT").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "ssubscribe",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["not_key"], BeginSearch::Index(1), FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Listen for messages published to the given shard channels", "7.0.0", "pubsub").complexity("O(N) where N is the number of shard channels to subscribe to.").args(&[
            Arg::new("shardchannel", ArgType::String).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "strlen",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the length of the value stored in a key", "2.2.0", "string").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "subscribe",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Listen for messages published to the given channels", "2.0.0", "pubsub").complexity("O(N) where N is the number of channels to subscribe to.").args(&[
            Arg::new("channel", ArgType::String).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "substr",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get a substring of the string stored at a key", "1.0.0", "string").complexity("O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.").doc_flags(&["deprecated"]).deprecated_since("2.0.0").replaced_by("`GETRANGE`").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("start", ArgType::Integer),
            Arg::new("end", ArgType::Integer),
        ]),
    },
    Meta {
        name: "sunion",
        tips: &["nondeterministic_output_order"],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Add multiple sets", "1.0.0", "set").complexity("O(N) where N is the total number of elements in all given sets.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "sunionstore",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["OW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
            KeySpec::new(&["RO", "access"], BeginSearch::Index(2), FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Add multiple sets and store the resulting set in a key", "1.0.0", "set").complexity("O(N) where N is the total number of elements in all given sets.").args(&[
            Arg::new("destination", ArgType::Key).key_spec(0),
            Arg::new("key", ArgType::Key).key_spec(1).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "sunsubscribe",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["not_key"], BeginSearch::Index(1), FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Stop listening for messages posted to the given shard channels", "7.0.0", "pubsub").complexity("O(N) where N is the number of clients already subscribed to a shard channel.").args(&[
            Arg::new("shardchannel", ArgType::String).flags(&["optional", "multiple"]),
        ]),
    },
    Meta {
        name: "swapdb",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Swaps two Redis databases", "4.0.0", "server").complexity("O(N) where N is the count of clients watching or blocking on keys from both databases.").args(&[
            Arg::new("index1", ArgType::Integer),
            Arg::new("index2", ArgType::Integer),
        ]),
    },
    Meta {
        name: "time",
        tips: &["nondeterministic_output"],
        key_specs: &[],
        docs: Docs::new("Return the current server time", "2.6.0", "server").complexity("O(1)"),
    },
    Meta {
        name: "touch",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_specs: &[
            KeySpec::new(&["RO"], BeginSearch::Index(1), FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Alters the last access time of a key(s). Returns the number of existing keys specified.", "3.2.1", "generic").complexity("O(N) where N is the number of keys that will be touched.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "ttl",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the time to live for a key in seconds", "1.0.0", "generic").complexity("O(1)").history(&[
            ("2.8.0", "Added the -2 reply."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "type",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Determine the type stored at key", "1.0.0", "generic").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "unlink",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_specs: &[
            KeySpec::new(&["RM", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.", "4.0.0", "generic").complexity("O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "unsubscribe",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Stop listening for messages posted to the given channels", "2.0.0", "pubsub").complexity("O(N) where N is the number of clients already subscribed to a channel.").args(&[
            Arg::new("channel", ArgType::String).flags(&["optional", "multiple"]),
        ]),
    },
    Meta {
        name: "unwatch",
        tips: &[],
        key_specs: &[],
        docs: Docs::new("Forget about all watched keys", "2.2.0", "transactions").complexity("O(1)"),
    },
    Meta {
        name: "watch",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO"], BeginSearch::Index(1), FindKeys::Range { lastkey: -1, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Watch the given keys to determine execution of the MULTI/EXEC block", "2.2.0", "transactions").complexity("O(1) for every key.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "zadd",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Add one or more members to a sorted set, or update its score if it already exists", "1.2.0", "sorted-set").complexity("O(log(N)) for each item added, where N is the number of elements in the sorted set.").history(&[
            ("2.4.0", "Accepts multiple elements."),
            ("3.0.2", "Added the `XX`, `NX`, `CH` and `INCR` options."),
            ("6.2.0", "Added the `GT` and `LT` options."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("condition", ArgType::Oneof).since("3.0.2").flags(&["optional"]).args(&[
                Arg::new("nx", ArgType::PureToken).token("NX"),
                Arg::new("xx", ArgType::PureToken).token("XX"),
            ]),
            Arg::new("comparison", ArgType::Oneof).since("6.2.0").flags(&["optional"]).args(&[
                Arg::new("gt", ArgType::PureToken).token("GT"),
                Arg::new("lt", ArgType::PureToken).token("LT"),
            ]),
            Arg::new("change", ArgType::PureToken).token("CH").since("3.0.2").flags(&["optional"]),
            Arg::new("increment", ArgType::PureToken).token("INCR").since("3.0.2").flags(&["optional"]),
            Arg::new("score_member", ArgType::Block).flags(&["multiple"]).args(&[
                Arg::new("score", ArgType::Double),
                Arg::new("member", ArgType::String),
            ]),
        ]),
    },
    Meta {
        name: "zcard",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the number of members in a sorted set", "1.2.0", "sorted-set").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
        ]),
    },
    Meta {
        name: "zcount",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Count the members in a sorted set with scores within the given values", "2.0.0", "sorted-set").complexity("O(log(N)) with N being the number of elements in the sorted set.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("min", ArgType::Double),
            Arg::new("max", ArgType::Double),
        ]),
    },
    Meta {
        name: "zdiff",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 }),
        ],
        docs: Docs::new("Subtract multiple sorted sets", "6.2.0", "sorted-set").complexity("O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.").args(&[
            Arg::new("numkeys", ArgType::Integer),
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
            Arg::new("withscores", ArgType::PureToken).token("WITHSCORES").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "zdiffstore",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["OW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
            KeySpec::new(&["RO", "access"], BeginSearch::Index(2), FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 }),
        ],
        docs: Docs::new("Subtract multiple sorted sets and store the resulting sorted set in a new key", "6.2.0", "sorted-set").complexity("O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.").args(&[
            Arg::new("destination", ArgType::Key).key_spec(0),
            Arg::new("numkeys", ArgType::Integer),
            Arg::new("key", ArgType::Key).key_spec(1).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "zincrby",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Increment the score of a member in a sorted set", "1.2.0", "sorted-set").complexity("O(log(N)) where N is the number of elements in the sorted set.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("increment", ArgType::Integer),
            Arg::new("member", ArgType::String),
        ]),
    },
    Meta {
        name: "zinter",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 }),
        ],
        docs: Docs::new("Intersect multiple sorted sets", "6.2.0", "sorted-set").complexity("O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.").args(&[
            Arg::new("numkeys", ArgType::Integer),
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
            Arg::new("weight", ArgType::Integer).token("WEIGHTS").flags(&["optional", "multiple"]),
            Arg::new("aggregate", ArgType::Oneof).token("AGGREGATE").flags(&["optional"]).args(&[
                Arg::new("sum", ArgType::PureToken).token("SUM"),
                Arg::new("min", ArgType::PureToken).token("MIN"),
                Arg::new("max", ArgType::PureToken).token("MAX"),
            ]),
            Arg::new("withscores", ArgType::PureToken).token("WITHSCORES").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "zintercard",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 }),
        ],
        docs: Docs::new("Intersect multiple sorted sets and return the cardinality of the result", "7.0.0", "sorted-set").complexity("O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.").args(&[
            Arg::new("numkeys", ArgType::Integer),
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
            Arg::new("limit", ArgType::Integer).token("LIMIT").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "zinterstore",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["OW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
            KeySpec::new(&["RO", "access"], BeginSearch::Index(2), FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 }),
        ],
        docs: Docs::new("Intersect multiple sorted sets and store the resulting sorted set in a new key", "2.0.0", "sorted-set").complexity("O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.").args(&[
            Arg::new("destination", ArgType::Key).key_spec(0),
            Arg::new("numkeys", ArgType::Integer),
            Arg::new("key", ArgType::Key).key_spec(1).flags(&["multiple"]),
            Arg::new("weight", ArgType::Integer).token("WEIGHTS").flags(&["optional", "multiple"]),
            Arg::new("aggregate", ArgType::Oneof).token("AGGREGATE").flags(&["optional"]).args(&[
                Arg::new("sum", ArgType::PureToken).token("SUM"),
                Arg::new("min", ArgType::PureToken).token("MIN"),
                Arg::new("max", ArgType::PureToken).token("MAX"),
            ]),
        ]),
    },
    Meta {
        name: "zlexcount",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Count the number of members in a sorted set between a given lexicographical range", "2.8.9", "sorted-set").complexity("O(log(N)) with N being the number of elements in the sorted set.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("min", ArgType::String),
            Arg::new("max", ArgType::String),
        ]),
    },
    Meta {
        name: "zmpop",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 }),
        ],
        docs: Docs::new("Remove and return members with scores in a sorted set", "7.0.0", "sorted-set").complexity("O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.").args(&[
            Arg::new("numkeys", ArgType::Integer),
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
            Arg::new("where", ArgType::Oneof).args(&[
                Arg::new("min", ArgType::PureToken).token("MIN"),
                Arg::new("max", ArgType::PureToken).token("MAX"),
            ]),
            Arg::new("count", ArgType::Integer).token("COUNT").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "zmscore",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the score associated with the given members in a sorted set", "6.2.0", "sorted-set").complexity("O(N) where N is the number of members being requested.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("member", ArgType::String).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "zpopmax",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Remove and return members with the highest scores in a sorted set", "5.0.0", "sorted-set").complexity("O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("count", ArgType::Integer).flags(&["optional"]),
        ]),
    },
    Meta {
        name: "zpopmin",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "access", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Remove and return members with the lowest scores in a sorted set", "5.0.0", "sorted-set").complexity("O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("count", ArgType::Integer).flags(&["optional"]),
        ]),
    },
    Meta {
        name: "zrandmember",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get one or multiple random elements from a sorted set", "6.2.0", "sorted-set").complexity("O(N) where N is the number of elements returned").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("options", ArgType::Block).flags(&["optional"]).args(&[
                Arg::new("count", ArgType::Integer),
                Arg::new("withscores", ArgType::PureToken).token("WITHSCORES").flags(&["optional"]),
            ]),
        ]),
    },
    Meta {
        name: "zrange",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Return a range of members in a sorted set", "1.2.0", "sorted-set").complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.").history(&[
            ("6.2.0", "Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("start", ArgType::String),
            Arg::new("stop", ArgType::String),
            Arg::new("sortby", ArgType::Oneof).since("6.2.0").flags(&["optional"]).args(&[
                Arg::new("byscore", ArgType::PureToken).token("BYSCORE"),
                Arg::new("bylex", ArgType::PureToken).token("BYLEX"),
            ]),
            Arg::new("rev", ArgType::PureToken).token("REV").since("6.2.0").flags(&["optional"]),
            Arg::new("offset_count", ArgType::Block).token("LIMIT").since("6.2.0").flags(&["optional"]).args(&[
                Arg::new("offset", ArgType::Integer),
                Arg::new("count", ArgType::Integer),
            ]),
            Arg::new("withscores", ArgType::PureToken).token("WITHSCORES").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "zrangebylex",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Return a range of members in a sorted set, by lexicographical range", "2.8.9", "sorted-set").complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).").doc_flags(&["deprecated"]).deprecated_since("6.2.0").replaced_by("`ZRANGE` with the `BYLEX` argument").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("min", ArgType::String),
            Arg::new("max", ArgType::String),
            Arg::new("offset_count", ArgType::Block).token("LIMIT").flags(&["optional"]).args(&[
                Arg::new("offset", ArgType::Integer),
                Arg::new("count", ArgType::Integer),
            ]),
        ]),
    },
    Meta {
        name: "zrangebyscore",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Return a range of members in a sorted set, by score", "1.0.5", "sorted-set").complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).").doc_flags(&["deprecated"]).deprecated_since("6.2.0").replaced_by("`ZRANGE` with the `BYSCORE` argument").history(&[
            ("2.0.0", "Added the `WITHSCORES` modifier."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("min", ArgType::Double),
            Arg::new("max", ArgType::Double),
            Arg::new("withscores", ArgType::PureToken).token("WITHSCORES").since("2.0.0").flags(&["optional"]),
            Arg::new("offset_count", ArgType::Block).token("LIMIT").flags(&["optional"]).args(&[
                Arg::new("offset", ArgType::Integer),
                Arg::new("count", ArgType::Integer),
            ]),
        ]),
    },
    Meta {
        name: "zrangestore",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["OW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
            KeySpec::new(&["RO", "access"], BeginSearch::Index(2), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Store a range of members from sorted set into another key", "6.2.0", "sorted-set").complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.").args(&[
            Arg::new("dst", ArgType::Key).key_spec(0),
            Arg::new("src", ArgType::Key).key_spec(1),
            Arg::new("min", ArgType::String),
            Arg::new("max", ArgType::String),
            Arg::new("sortby", ArgType::Oneof).flags(&["optional"]).args(&[
                Arg::new("byscore", ArgType::PureToken).token("BYSCORE"),
                Arg::new("bylex", ArgType::PureToken).token("BYLEX"),
            ]),
            Arg::new("rev", ArgType::PureToken).token("REV").flags(&["optional"]),
            Arg::new("offset_count", ArgType::Block).token("LIMIT").flags(&["optional"]).args(&[
                Arg::new("offset", ArgType::Integer),
                Arg::new("count", ArgType::Integer),
            ]),
        ]),
    },
    Meta {
        name: "zrank",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Determine the index of a member in a sorted set", "2.0.0", "sorted-set").complexity("O(log(N))").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("member", ArgType::String),
        ]),
    },
    Meta {
        name: "zrem",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Remove one or more members from a sorted set", "1.2.0", "sorted-set").complexity("O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.").history(&[
            ("2.4.0", "Accepts multiple elements."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("member", ArgType::String).flags(&["multiple"]),
        ]),
    },
    Meta {
        name: "zremrangebylex",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Remove all members in a sorted set between the given lexicographical range", "2.8.9", "sorted-set").complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("min", ArgType::String),
            Arg::new("max", ArgType::String),
        ]),
    },
    Meta {
        name: "zremrangebyrank",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Remove all members in a sorted set within the given indexes", "2.0.0", "sorted-set").complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("start", ArgType::Integer),
            Arg::new("stop", ArgType::Integer),
        ]),
    },
    Meta {
        name: "zremrangebyscore",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RW", "delete"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Remove all members in a sorted set within the given scores", "1.2.0", "sorted-set").complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("min", ArgType::Double),
            Arg::new("max", ArgType::Double),
        ]),
    },
    Meta {
        name: "zrevrange",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Return a range of members in a sorted set, by index, with scores ordered from high to low", "1.2.0", "sorted-set").complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.").doc_flags(&["deprecated"]).deprecated_since("6.2.0").replaced_by("`ZRANGE` with the `REV` argument").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("start", ArgType::Integer),
            Arg::new("stop", ArgType::Integer),
            Arg::new("withscores", ArgType::PureToken).token("WITHSCORES").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "zrevrangebylex",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", "2.8.9", "sorted-set").complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).").doc_flags(&["deprecated"]).deprecated_since("6.2.0").replaced_by("`ZRANGE` with the `REV` and `BYLEX` arguments").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("max", ArgType::String),
            Arg::new("min", ArgType::String),
            Arg::new("offset_count", ArgType::Block).token("LIMIT").flags(&["optional"]).args(&[
                Arg::new("offset", ArgType::Integer),
                Arg::new("count", ArgType::Integer),
            ]),
        ]),
    },
    Meta {
        name: "zrevrangebyscore",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Return a range of members in a sorted set, by score, with scores ordered from high to low", "2.2.0", "sorted-set").complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).").doc_flags(&["deprecated"]).deprecated_since("6.2.0").replaced_by("`ZRANGE` with the `REV` and `BYSCORE` arguments").history(&[
            ("2.1.6", "`min` and `max` can be exclusive."),
        ]).args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("max", ArgType::Double),
            Arg::new("min", ArgType::Double),
            Arg::new("withscores", ArgType::PureToken).token("WITHSCORES").flags(&["optional"]),
            Arg::new("offset_count", ArgType::Block).token("LIMIT").flags(&["optional"]).args(&[
                Arg::new("offset", ArgType::Integer),
                Arg::new("count", ArgType::Integer),
            ]),
        ]),
    },
    Meta {
        name: "zrevrank",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Determine the index of a member in a sorted set, with scores ordered from high to low", "2.0.0", "sorted-set").complexity("O(log(N))").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("member", ArgType::String),
        ]),
    },
    Meta {
        name: "zscan",
        tips: &["nondeterministic_output"],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Incrementally iterate sorted sets elements and associated scores", "2.8.0", "sorted-set").complexity("O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("cursor", ArgType::Integer),
            Arg::new("pattern", ArgType::Pattern).token("MATCH").flags(&["optional"]),
            Arg::new("count", ArgType::Integer).token("COUNT").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "zscore",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
        ],
        docs: Docs::new("Get the score associated with the given member in a sorted set", "1.2.0", "sorted-set").complexity("O(1)").args(&[
            Arg::new("key", ArgType::Key).key_spec(0),
            Arg::new("member", ArgType::String),
        ]),
    },
    Meta {
        name: "zunion",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["RO", "access"], BeginSearch::Index(1), FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 }),
        ],
        docs: Docs::new("Add multiple sorted sets", "6.2.0", "sorted-set").complexity("O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.").args(&[
            Arg::new("numkeys", ArgType::Integer),
            Arg::new("key", ArgType::Key).key_spec(0).flags(&["multiple"]),
            Arg::new("weight", ArgType::Integer).token("WEIGHTS").flags(&["optional", "multiple"]),
            Arg::new("aggregate", ArgType::Oneof).token("AGGREGATE").flags(&["optional"]).args(&[
                Arg::new("sum", ArgType::PureToken).token("SUM"),
                Arg::new("min", ArgType::PureToken).token("MIN"),
                Arg::new("max", ArgType::PureToken).token("MAX"),
            ]),
            Arg::new("withscores", ArgType::PureToken).token("WITHSCORES").flags(&["optional"]),
        ]),
    },
    Meta {
        name: "zunionstore",
        tips: &[],
        key_specs: &[
            KeySpec::new(&["OW", "update"], BeginSearch::Index(1), FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 }),
            KeySpec::new(&["RO", "access"], BeginSearch::Index(2), FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 }),
        ],
        docs: Docs::new("Add multiple sorted sets and store the resulting sorted set in a new key", "2.0.0", "sorted-set").complexity("O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.").args(&[
            Arg::new("destination", ArgType::Key).key_spec(0),
            Arg::new("numkeys", ArgType::Integer),
            Arg::new("key", ArgType::Key).key_spec(1).flags(&["multiple"]),
            Arg::new("weight", ArgType::Integer).token("WEIGHTS").flags(&["optional", "multiple"]),
            Arg::new("aggregate", ArgType::Oneof).token("AGGREGATE").flags(&["optional"]).args(&[
                Arg::new("sum", ArgType::PureToken).token("SUM"),
                Arg::new("min", ArgType::PureToken).token("MIN"),
                Arg::new("max", ArgType::PureToken).token("MAX"),
            ]),
        ]),
    },
];
}
