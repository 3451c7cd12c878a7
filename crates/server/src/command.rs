//! The command table: the single source of truth about every command.
//!
//! Each [`Command`] names its handler, its arity (positive: exact argument
//! count including the name; negative: at least that many), its flags, its
//! explicit ACL categories and where its keys are. The dispatcher's checks
//! (arity, auth, denyoom, loading, ...), `COMMAND INFO`/`COUNT`/`LIST`/
//! `GETKEYS`, INFO commandstats, and later ACL rules and cluster routing are
//! all derived from this table; nothing about a command is repeated
//! elsewhere. Documentation-only metadata (summaries, argument trees, key
//! specs) lives in [`crate::commands::meta`], keyed by the same names.
//!
//! Like Redis's `setImplicitACLCategories`, categories that follow from flags
//! are added automatically: `write` gives `@write`, `readonly` gives `@read`,
//! `admin` gives `@admin` and `@dangerous`, `pubsub` gives `@pubsub`,
//! `fast` gives `@fast`, `blocking` gives `@blocking`, and a command that is
//! not `fast` is `@slow`.

use crate::commands::{self, Ctx};
use crate::error::CmdResult;
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A command handler.
pub type Handler = fn(&mut Ctx, &[Bytes]) -> CmdResult;

/// Command flags, in the order `COMMAND INFO` lists them.
pub mod flag {
    /// May modify the keyspace.
    pub const WRITE: u32 = 1 << 0;
    /// Only reads.
    pub const READONLY: u32 = 1 << 1;
    /// May grow memory use: refused with -OOM over maxmemory.
    pub const DENYOOM: u32 = 1 << 2;
    /// Module command (unused).
    pub const MODULE: u32 = 1 << 3;
    /// Administrative.
    pub const ADMIN: u32 = 1 << 4;
    /// Pub/Sub related.
    pub const PUBSUB: u32 = 1 << 5;
    /// Not allowed in scripts.
    pub const NOSCRIPT: u32 = 1 << 6;
    /// May block the client.
    pub const BLOCKING: u32 = 1 << 7;
    /// Allowed while loading the dataset.
    pub const LOADING: u32 = 1 << 8;
    /// Allowed on a stale replica.
    pub const STALE: u32 = 1 << 9;
    /// Not shown by MONITOR.
    pub const SKIP_MONITOR: u32 = 1 << 10;
    /// Not logged by SLOWLOG.
    pub const SKIP_SLOWLOG: u32 = 1 << 11;
    /// Cluster ASKING support.
    pub const ASKING: u32 = 1 << 12;
    /// O(1) or O(log N) and never blocks.
    pub const FAST: u32 = 1 << 13;
    /// Allowed before authentication.
    pub const NO_AUTH: u32 = 1 << 14;
    /// May replicate even when read-only.
    pub const MAY_REPLICATE: u32 = 1 << 15;
    /// Keys are optional.
    pub const NO_MANDATORY_KEYS: u32 = 1 << 16;
    /// Not allowed inside MULTI.
    pub const NO_MULTI: u32 = 1 << 17;
    /// Allowed while a script is busy.
    pub const ALLOW_BUSY: u32 = 1 << 18;
    /// Keys can't be found from first/last/step alone (derived from the key
    /// specs, as Redis's `populateCommandMovableKeys` does; never written in
    /// a table row).
    pub const MOVABLE_KEYS: u32 = 1 << 19;
    /// Refused while loading asynchronously (accepted for Redis's tables).
    pub const NO_ASYNC_LOADING: u32 = 1 << 20;

    /// Names in `COMMAND INFO` order.
    pub const NAMES: &[(u32, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (MODULE, "module"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (ASKING, "asking"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (MAY_REPLICATE, "may_replicate"),
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
        (ALLOW_BUSY, "allow_busy"),
        (MOVABLE_KEYS, "movablekeys"),
    ];

    /// Parses a space-separated list of flag names (used by the table).
    pub const fn parse(s: &str) -> u32 {
        let b = s.as_bytes();
        let mut out = 0;
        let mut i = 0;
        while i < b.len() {
            while i < b.len() && b[i] == b' ' {
                i += 1;
            }
            let start = i;
            while i < b.len() && b[i] != b' ' {
                i += 1;
            }
            if i > start {
                let mut j = 0;
                let mut found = false;
                while j < NAMES.len() {
                    if super::const_eq(NAMES[j].1.as_bytes(), b, start, i) {
                        out |= NAMES[j].0;
                        found = true;
                    }
                    j += 1;
                }
                assert!(found, "unknown command flag in table");
            }
        }
        out
    }
}

/// ACL categories, in the order Redis lists them.
pub mod acl {
    /// Category names in bit order.
    pub const NAMES: &[&str] = &[
        "keyspace",
        "read",
        "write",
        "set",
        "sortedset",
        "list",
        "hash",
        "string",
        "bitmap",
        "hyperloglog",
        "geo",
        "stream",
        "pubsub",
        "admin",
        "fast",
        "slow",
        "blocking",
        "dangerous",
        "connection",
        "transaction",
        "scripting",
    ];

    /// The bit of a category name.
    pub const fn bit(name: &[u8], start: usize, end: usize) -> u64 {
        let mut j = 0;
        while j < NAMES.len() {
            if super::const_eq(NAMES[j].as_bytes(), name, start, end) {
                return 1 << j;
            }
            j += 1;
        }
        panic!("unknown ACL category in table");
    }

    /// Parses a space-separated list of `@category` names.
    pub const fn parse(s: &str) -> u64 {
        let b = s.as_bytes();
        let mut out = 0;
        let mut i = 0;
        while i < b.len() {
            while i < b.len() && (b[i] == b' ' || b[i] == b'@') {
                i += 1;
            }
            let start = i;
            while i < b.len() && b[i] != b' ' {
                i += 1;
            }
            if i > start {
                out |= bit(b, start, i);
            }
        }
        out
    }
}

const fn const_eq(name: &[u8], s: &[u8], start: usize, end: usize) -> bool {
    if name.len() != end - start {
        return false;
    }
    let mut k = 0;
    while k < name.len() {
        if name[k] != s[start + k] {
            return false;
        }
        k += 1;
    }
    true
}

/// Where a command's keys are: positions `first..=last` (negative `last`
/// counts from the end) every `step` arguments. `first == 0`: no keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPos {
    /// Index of the first key.
    pub first: i32,
    /// Index of the last key (negative: from the end).
    pub last: i32,
    /// Distance between keys.
    pub step: i32,
}

/// One command (or subcommand) of the table.
#[derive(Debug)]
pub struct Command {
    /// Lower-case name (for a subcommand, just the subcommand part).
    pub name: &'static str,
    /// `container|sub` for subcommands, else the name.
    pub full_name: String,
    /// Arity as Redis defines it.
    pub arity: i32,
    /// Flag bits (see [`flag`]).
    pub flags: u32,
    /// ACL category bits, explicit and implicit (see [`acl`]).
    pub acl: u64,
    /// Key positions.
    pub keys: KeyPos,
    /// The handler; containers with subcommands dispatch further.
    pub handler: Handler,
    /// Subcommands, by lower-case name.
    pub subcommands: Vec<Command>,
    /// Index into the per-command statistics array.
    pub stat_id: usize,
    /// The command's own argv is never propagated to the AOF: EXEC and
    /// the script commands propagate the commands they run instead (Redis
    /// 7's effects replication).
    pub effects_only: bool,
}

impl Command {
    /// True if the command has all of the given flag bits.
    #[inline]
    pub fn has(&self, f: u32) -> bool {
        self.flags & f == f
    }

    /// True if the command accepts `argc` arguments (including its name).
    #[inline]
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i32;
        (self.arity > 0 && argc == self.arity) || (self.arity < 0 && argc >= -self.arity)
    }

    /// Looks up a subcommand by name, case-insensitively.
    pub fn subcommand(&self, name: &[u8]) -> Option<&Command> {
        self.subcommands.iter().find(|c| c.name.as_bytes().eq_ignore_ascii_case(name))
    }

    /// True if the command has key arguments (a key spec not flagged
    /// `not_key`, or legacy key positions).
    pub fn has_keys(&self) -> bool {
        match crate::commands::meta::lookup(&self.full_name) {
            Some(m) if !m.key_specs.is_empty() => m.key_specs.iter().any(|ks| !ks.flags.contains(&"not_key")),
            _ => self.keys.first > 0,
        }
    }

    /// Positions of the keys in `argv` (the command name at 0) found with
    /// the key specs, as Redis's `getKeysUsingKeySpecs`: `None` when a spec
    /// can't be resolved (incomplete, or an argument is invalid), so the
    /// caller falls back to the command's own rules.
    pub fn keys_from_specs(&self, argv: &[impl AsRef<[u8]>]) -> Option<Vec<usize>> {
        use crate::commands::meta::{lookup, BeginSearch, FindKeys};
        let meta = lookup(&self.full_name)?;
        if meta.key_specs.is_empty() {
            return None;
        }
        let argc = argv.len() as i64;
        let mut keys = Vec::new();
        for ks in meta.key_specs {
            if ks.flags.contains(&"not_key") {
                continue;
            }
            if ks.flags.contains(&"incomplete") {
                return None;
            }
            let first = match ks.begin_search {
                BeginSearch::Index(i) => i,
                BeginSearch::Keyword { keyword, startfrom } => {
                    let (start, end, dir) =
                        if startfrom >= 0 { (startfrom, argc - 1, 1) } else { (argc + startfrom, 1, -1) };
                    let mut i = start;
                    let mut found = None;
                    while (dir > 0 && i <= end) || (dir < 0 && i >= end) {
                        if i <= 0 || i >= argc {
                            break;
                        }
                        if argv[i as usize].as_ref().eq_ignore_ascii_case(keyword.as_bytes()) {
                            found = Some(i + 1);
                            break;
                        }
                        i += dir;
                    }
                    match found {
                        Some(f) => f,
                        None => continue,
                    }
                }
                BeginSearch::Unknown => return None,
            };
            let (first, last, step) = match ks.find_keys {
                FindKeys::Range { lastkey, keystep, limit } => {
                    let last = if lastkey >= 0 {
                        first + lastkey
                    } else if limit == 0 {
                        argc + lastkey
                    } else {
                        first + ((argc - first) / limit + lastkey)
                    };
                    (first, last, keystep)
                }
                FindKeys::Keynum { keynumidx, firstkey, keystep } => {
                    let idx = first + keynumidx;
                    if idx >= argc {
                        return None;
                    }
                    let n = hematite_common::num::parse_i64(argv[idx as usize].as_ref()).filter(|&n| n >= 0)?;
                    let f = first + firstkey;
                    (f, f + n - 1, keystep)
                }
                FindKeys::Unknown => return None,
            };
            if step <= 0 {
                return None;
            }
            let mut i = first;
            while i <= last {
                if i >= argc || i < first {
                    if self.arity < 0 {
                        i += step;
                        continue;
                    }
                    return None;
                }
                keys.push(i as usize);
                i += step;
            }
        }
        Some(keys)
    }

    /// Positions of the keys in `argv` (Redis's `getKeysFromCommand` for
    /// commands described by first/last/step).
    pub fn key_positions(&self, argc: usize) -> Vec<usize> {
        let KeyPos { first, last, step } = self.keys;
        if first <= 0 || step <= 0 {
            return Vec::new();
        }
        let argc = argc as i32;
        let last = if last < 0 { argc + last } else { last };
        let mut out = Vec::new();
        let mut i = first;
        while i <= last && i < argc {
            out.push(i as usize);
            i += step;
        }
        out
    }
}

/// A table row as written in [`commands::TABLES`].
pub struct Row {
    /// Name.
    pub name: &'static str,
    /// Arity.
    pub arity: i32,
    /// Flags, space separated.
    pub flags: &'static str,
    /// Explicit ACL categories, space separated.
    pub acl: &'static str,
    /// first, last, step.
    pub keys: (i32, i32, i32),
    /// Handler.
    pub handler: Handler,
    /// Subcommand rows.
    pub subs: &'static [Row],
}

/// The built table: lookup by lower-case name.
pub struct Table {
    /// Commands by lower-case name.
    pub by_name: HashMap<&'static str, Command, foldhash::fast::FixedState>,
    /// Total number of commands and subcommands (size of stats arrays).
    pub stat_slots: usize,
    /// Full names by stat id.
    pub stat_names: Vec<String>,
}

fn implicit_acl(flags: u32, explicit: u64) -> u64 {
    let mut a = 0;
    if flags & flag::WRITE != 0 {
        a |= acl::parse("write");
    }
    // Redis: read-only scripting commands (EVAL_RO, FCALL_RO) are not @read.
    if flags & flag::READONLY != 0 && explicit & acl::parse("scripting") == 0 {
        a |= acl::parse("read");
    }
    if flags & flag::ADMIN != 0 {
        a |= acl::parse("admin dangerous");
    }
    if flags & flag::PUBSUB != 0 {
        a |= acl::parse("pubsub");
    }
    if flags & flag::FAST != 0 {
        a |= acl::parse("fast");
    }
    if flags & flag::BLOCKING != 0 {
        a |= acl::parse("blocking");
    }
    if flags & flag::FAST == 0 {
        a |= acl::parse("slow");
    }
    a
}

fn build(row: &Row, parent: Option<&str>, names: &mut Vec<String>) -> Command {
    let full_name = match parent {
        Some(p) => format!("{p}|{}", row.name),
        None => row.name.to_string(),
    };
    let mut flags = flag::parse(row.flags);
    if has_movable_keys(&full_name) {
        flags |= flag::MOVABLE_KEYS;
    }
    let stat_id = names.len();
    names.push(full_name.clone());
    let subcommands = row.subs.iter().map(|s| build(s, Some(row.name), names)).collect();
    Command {
        name: row.name,
        full_name,
        arity: row.arity,
        flags,
        acl: acl::parse(row.acl) | implicit_acl(flags, acl::parse(row.acl)),
        keys: KeyPos { first: row.keys.0, last: row.keys.1, step: row.keys.2 },
        handler: row.handler,
        subcommands,
        stat_id,
        effects_only: parent.is_none()
            && matches!(row.name, "exec" | "multi" | "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro"),
    }
}

/// True if a key spec of the command is not a plain index + range, so its
/// keys move with its arguments (Redis's `populateCommandMovableKeys`).
fn has_movable_keys(full_name: &str) -> bool {
    use crate::commands::meta::{lookup, BeginSearch, FindKeys};
    lookup(full_name).is_some_and(|m| {
        m.key_specs
            .iter()
            .any(|ks| !matches!((ks.begin_search, ks.find_keys), (BeginSearch::Index(_), FindKeys::Range { .. })))
    })
}

/// The process-wide command table, built on first use.
pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut names = Vec::new();
        let mut by_name = HashMap::with_hasher(foldhash::fast::FixedState::default());
        for rows in commands::TABLES {
            for row in rows.iter() {
                let prev = by_name.insert(row.name, build(row, None, &mut names));
                assert!(prev.is_none(), "command {} is in the table twice", row.name);
            }
        }
        Table { by_name, stat_slots: names.len(), stat_names: names }
    })
}

impl Table {
    /// Looks a command up by name, case-insensitively, without allocating
    /// for names up to 32 bytes.
    #[inline]
    pub fn lookup(&self, name: &[u8]) -> Option<&Command> {
        let mut buf = [0u8; 32];
        if name.len() > buf.len() {
            return None;
        }
        for (d, s) in buf.iter_mut().zip(name) {
            *d = s.to_ascii_lowercase();
        }
        let lower = std::str::from_utf8(&buf[..name.len()]).ok()?;
        self.by_name.get(lower)
    }
}
