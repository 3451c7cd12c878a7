//! The AOF manifest: which files make up the append-only log, in which order.
//!
//! Redis 7.0 keeps one manifest per AOF directory, named
//! `<appendfilename>.manifest`. It is a text file, one line per file:
//!
//! ```text
//! file appendonly.aof.3.base.rdb seq 3 type b
//! file appendonly.aof.2.incr.aof seq 2 type h
//! file appendonly.aof.3.incr.aof seq 3 type i
//! ```
//!
//! | token        | meaning                                                        |
//! |--------------|----------------------------------------------------------------|
//! | `file <n>`   | the file's name inside the AOF directory (never a path)        |
//! | `seq <n>`    | its sequence number, a non-zero integer (`atoll`, so lenient)  |
//! | `type <c>`   | `b` base, `i` incremental, `h` history (first byte of the word)|
//!
//! Keys are matched case-insensitively and may come in any order; unknown
//! key/value pairs are ignored (forward compatibility), but a line needs at
//! least six words and an even number of them. Words are split like Redis's
//! `sdssplitargs`: `"..."` with `\n \r \t \b \a \xHH \<c>` escapes, `'...'`
//! with `\'`, and a closing quote must be followed by a blank or the end.
//! When writing, a name that contains a blank, a quote, a backslash or a
//! byte outside printable ASCII is written quoted, as `sdscatrepr` does.
//! Lines starting with `#` are comments; every other line must end in `\n`
//! and be at most 1024 bytes (the last line too). An empty file is an error;
//! a file of only comments is an empty manifest.
//!
//! Redis writes the base first, then the history files, then the incremental
//! files, each line as `file <name> seq <n> type <c>\n`. Incremental sequence
//! numbers must strictly increase; at most one base may be listed.
//!
//! File names, as Redis makes them from `appendfilename`:
//!
//! | file        | name                                  |
//! |-------------|---------------------------------------|
//! | base (RDB)  | `<appendfilename>.<seq>.base.rdb`     |
//! | base (RESP) | `<appendfilename>.<seq>.base.aof`     |
//! | incremental | `<appendfilename>.<seq>.incr.aof`     |
//! | manifest    | `<appendfilename>.manifest`           |
//! | temp manifest | `temp-<appendfilename>.manifest`    |
//! | temp incr (AOF turned on at runtime) | `temp-<appendfilename>.incr` |

use std::fmt;

/// The longest manifest line Redis reads (`MANIFEST_MAX_LINE`).
pub const MANIFEST_MAX_LINE: usize = 1024;

/// What a file listed in the manifest is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// The snapshot written by the last rewrite (`type b`).
    Base,
    /// Commands appended since a rewrite started (`type i`).
    Incr,
    /// A file made obsolete by a rewrite, waiting to be deleted (`type h`).
    History,
}

impl FileKind {
    /// The one-letter code in the manifest.
    pub fn code(self) -> char {
        match self {
            FileKind::Base => 'b',
            FileKind::Incr => 'i',
            FileKind::History => 'h',
        }
    }
}

/// One line of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AofFile {
    /// File name inside the AOF directory.
    pub name: String,
    /// Sequence number (never 0).
    pub seq: i64,
    /// Role of the file.
    pub kind: FileKind,
}

/// The parsed manifest. `curr_base_seq` and `curr_incr_seq` are the counters
/// Redis keeps next to the lists (the sequence of the current base and of the
/// last incremental file made); new file names are numbered from them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub base: Option<AofFile>,
    pub incrs: Vec<AofFile>,
    pub history: Vec<AofFile>,
    pub curr_base_seq: i64,
    pub curr_incr_seq: i64,
}

/// Why a manifest could not be parsed: Redis's messages, word for word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestErrorKind {
    Empty,
    TooLongLine,
    InvalidFormat,
    PathNotAllowed,
    DuplicateBase,
    NonMonotonicSeq,
    UnknownType,
    /// hematite only: a name that is not UTF-8 after unquoting.
    NonUtf8Name,
}

impl fmt::Display for ManifestErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ManifestErrorKind::Empty => "Found an empty AOF manifest",
            ManifestErrorKind::TooLongLine => "The AOF manifest file contains too long line",
            ManifestErrorKind::InvalidFormat => "Invalid AOF manifest file format",
            ManifestErrorKind::PathNotAllowed => "File can't be a path, just a filename",
            ManifestErrorKind::DuplicateBase => "Found duplicate base file information",
            ManifestErrorKind::NonMonotonicSeq => "Found a non-monotonic sequence number",
            ManifestErrorKind::UnknownType => "Unknown AOF file type",
            ManifestErrorKind::NonUtf8Name => "File name is not valid UTF-8",
        })
    }
}

/// A parse error: the message, and the 1-based line and its trimmed text
/// when Redis would show them (`Reading the manifest file, at line N` /
/// `>>> '...'`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    pub kind: ManifestErrorKind,
    pub line: Option<(usize, String)>,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((n, text)) = &self.line {
            write!(f, "reading the manifest file, at line {n}: >>> '{text}': ")?;
        }
        write!(f, "{}", self.kind)
    }
}

impl ManifestError {
    /// The lines Redis logs for this error (`*** FATAL AOF MANIFEST FILE ERROR ***` ...).
    pub fn log_lines(&self) -> Vec<String> {
        let mut v = vec!["*** FATAL AOF MANIFEST FILE ERROR ***".to_string()];
        if let Some((n, text)) = &self.line {
            v.push(format!("Reading the manifest file, at line {n}"));
            v.push(format!(">>> '{text}'"));
        }
        v.push(self.kind.to_string());
        v
    }
}

/// Name of the manifest for `appendfilename`.
pub fn manifest_name(filename: &str) -> String {
    format!("{filename}.manifest")
}

/// Name of the temporary manifest written before the rename.
pub fn temp_manifest_name(filename: &str) -> String {
    format!("temp-{filename}.manifest")
}

/// Name of the temporary incremental file used while AOF is being turned on.
pub fn temp_incr_name(filename: &str) -> String {
    format!("temp-{filename}.incr")
}

/// Name of base file number `seq` (`.rdb` with a preamble, `.aof` without).
pub fn base_name(filename: &str, seq: i64, rdb_preamble: bool) -> String {
    let ext = if rdb_preamble { "rdb" } else { "aof" };
    format!("{filename}.{seq}.base.{ext}")
}

/// Name of incremental file number `seq`.
pub fn incr_name(filename: &str, seq: i64) -> String {
    format!("{filename}.{seq}.incr.aof")
}

impl Manifest {
    /// Files to load, in order: the base (if any), then the incremental files.
    pub fn load_order(&self) -> impl Iterator<Item = &AofFile> {
        self.base.iter().chain(self.incrs.iter())
    }

    /// True when the manifest lists nothing to load.
    pub fn is_empty(&self) -> bool {
        self.base.is_none() && self.incrs.is_empty()
    }

    /// Append a new incremental file (Redis's `getNewIncrAofName`) and return its name.
    pub fn add_new_incr(&mut self, filename: &str) -> String {
        self.curr_incr_seq += 1;
        let name = incr_name(filename, self.curr_incr_seq);
        self.incrs.push(AofFile { name: name.clone(), seq: self.curr_incr_seq, kind: FileKind::Incr });
        name
    }

    /// Make a new base (Redis's `getNewBaseFileNameAndMarkPreAsHistory`): the old
    /// base goes to the front of the history; returns the new base's name.
    pub fn add_new_base(&mut self, filename: &str, rdb_preamble: bool) -> String {
        if let Some(mut old) = self.base.take() {
            old.kind = FileKind::History;
            self.history.insert(0, old);
        }
        self.curr_base_seq += 1;
        let name = base_name(filename, self.curr_base_seq, rdb_preamble);
        self.base = Some(AofFile { name: name.clone(), seq: self.curr_base_seq, kind: FileKind::Base });
        name
    }

    /// Move the incremental files a rewrite has made obsolete to the history
    /// (Redis's `markRewrittenIncrAofAsHistory`). With `keep_last` (AOF is on
    /// and the last file is the one being written) the last one stays.
    pub fn mark_rewritten_incrs_as_history(&mut self, keep_last: bool) {
        let keep = usize::from(keep_last && !self.incrs.is_empty());
        let moved: Vec<AofFile> = self.incrs.drain(..self.incrs.len() - keep).collect();
        // Redis walks from the tail and pushes each at the head, so the
        // history keeps the incremental files' order, in front of the rest.
        for (i, mut f) in moved.into_iter().enumerate() {
            f.kind = FileKind::History;
            self.history.insert(i, f);
        }
    }

    /// Parse a manifest's bytes exactly as Redis 7.0's `aofLoadManifestFromFile`.
    pub fn parse(data: &[u8]) -> Result<Manifest, ManifestError> {
        let mut m = Manifest::default();
        let mut maxseq: i64 = 0;
        let mut rest = data;
        let mut linenum = 0usize;
        loop {
            if rest.is_empty() {
                if linenum == 0 {
                    return Err(ManifestError { kind: ManifestErrorKind::Empty, line: None });
                }
                break;
            }
            // fgets(buf, 1025): up to 1024 bytes, stopping after a newline.
            let cap = rest.len().min(MANIFEST_MAX_LINE);
            let take = match rest[..cap].iter().position(|&b| b == b'\n') {
                Some(i) => i + 1,
                None => cap,
            };
            let chunk = &rest[..take];
            rest = &rest[take..];
            linenum += 1;
            if chunk.first() == Some(&b'#') {
                continue;
            }
            // C string semantics: the line ends at its first NUL byte.
            let cstr = match chunk.iter().position(|&b| b == 0) {
                Some(i) => &chunk[..i],
                None => chunk,
            };
            if !cstr.contains(&b'\n') {
                return Err(ManifestError { kind: ManifestErrorKind::TooLongLine, line: None });
            }
            let trimmed = trim(cstr, b" \t\r\n");
            let shown = String::from_utf8_lossy(trimmed).into_owned();
            let err = |kind| ManifestError { kind, line: Some((linenum, shown.clone())) };
            if trimmed.is_empty() {
                return Err(err(ManifestErrorKind::InvalidFormat));
            }
            let argv = match split_args(trimmed) {
                Some(a) if a.len() >= 6 && a.len() % 2 == 0 => a,
                _ => return Err(err(ManifestErrorKind::InvalidFormat)),
            };
            let mut name: Option<Vec<u8>> = None;
            let mut seq: i64 = 0;
            let mut kind: u8 = 0;
            for pair in argv.chunks(2) {
                let (key, val) = (&pair[0], &pair[1]);
                if key.eq_ignore_ascii_case(b"file") {
                    // sdsnew(argv[i+1]): the name ends at a NUL.
                    let v = match val.iter().position(|&b| b == 0) {
                        Some(i) => val[..i].to_vec(),
                        None => val.clone(),
                    };
                    if v.contains(&b'/') || v.contains(&b'\\') {
                        return Err(err(ManifestErrorKind::PathNotAllowed));
                    }
                    name = Some(v);
                } else if key.eq_ignore_ascii_case(b"seq") {
                    seq = atoll(val);
                } else if key.eq_ignore_ascii_case(b"type") {
                    kind = val.first().copied().unwrap_or(0);
                }
            }
            let name = match name {
                Some(n) if !n.is_empty() && seq != 0 && kind != 0 => n,
                _ => return Err(err(ManifestErrorKind::InvalidFormat)),
            };
            let name = String::from_utf8(name).map_err(|_| err(ManifestErrorKind::NonUtf8Name))?;
            match kind {
                b'b' => {
                    if m.base.is_some() {
                        return Err(err(ManifestErrorKind::DuplicateBase));
                    }
                    m.base = Some(AofFile { name, seq, kind: FileKind::Base });
                    m.curr_base_seq = seq;
                }
                b'h' => m.history.push(AofFile { name, seq, kind: FileKind::History }),
                b'i' => {
                    if seq <= maxseq {
                        return Err(err(ManifestErrorKind::NonMonotonicSeq));
                    }
                    m.incrs.push(AofFile { name, seq, kind: FileKind::Incr });
                    m.curr_incr_seq = seq;
                    maxseq = seq;
                }
                _ => return Err(err(ManifestErrorKind::UnknownType)),
            }
        }
        Ok(m)
    }

    /// The manifest's text as Redis writes it: base, history, incremental.
    pub fn format(&self) -> String {
        let mut out = String::new();
        for f in self.base.iter().chain(&self.history).chain(&self.incrs) {
            out.push_str("file ");
            out.push_str(&quote_name(f.name.as_bytes()));
            out.push_str(&format!(" seq {} type {}\n", f.seq, f.kind.code()));
        }
        out
    }
}

fn trim<'a>(mut s: &'a [u8], set: &[u8]) -> &'a [u8] {
    while let Some((first, rest)) = s.split_first() {
        if !set.contains(first) {
            break;
        }
        s = rest;
    }
    while let Some((last, rest)) = s.split_last() {
        if !set.contains(last) {
            break;
        }
        s = rest;
    }
    s
}

/// C's `isspace` in the C locale.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// C's `isprint` in the C locale.
fn is_print(b: u8) -> bool {
    (0x20..0x7f).contains(&b)
}

/// `atoll`: optional blanks, a sign, digits; anything else stops it (0 if none).
/// Overflow saturates, as glibc's strtoll does.
pub(crate) fn atoll(s: &[u8]) -> i64 {
    let mut i = 0;
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut v: i64 = 0;
    while let Some(d) = s.get(i).filter(|b| b.is_ascii_digit()) {
        let digit = i64::from(d - b'0');
        v = if neg {
            v.saturating_mul(10).saturating_sub(digit)
        } else {
            v.saturating_mul(10).saturating_add(digit)
        };
        i += 1;
    }
    v
}

/// Split a line into words like Redis's `sdssplitargs` (shared with the
/// configuration parser and inline commands).
pub use hematite_common::args::split_args;

/// Does `sdsneedsrepr` say this name must be quoted?
fn needs_repr(s: &[u8]) -> bool {
    s.iter().any(|&b| matches!(b, b'\\' | b'"' | b'\n' | b'\r' | b'\t' | 0x07 | 0x08) || !is_print(b) || is_space(b))
}

/// The name as Redis writes it in the manifest: as is, or `sdscatrepr`-quoted.
pub fn quote_name(s: &[u8]) -> String {
    if !needs_repr(s) {
        return String::from_utf8_lossy(s).into_owned();
    }
    let mut out = String::from("\"");
    for &b in s {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            _ if is_print(b) => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, seq: i64, kind: FileKind) -> AofFile {
        AofFile { name: name.into(), seq, kind }
    }

    #[test]
    fn parses_and_formats_what_redis_wrote() {
        // Written by Redis 7.0.15 with aof-disable-auto-gc yes after two rewrites.
        let text = include_str!("../../tests/data/aof/history/appendonly.aof.manifest");
        let m = Manifest::parse(text.as_bytes()).unwrap();
        assert_eq!(m.base, Some(f("appendonly.aof.3.base.rdb", 3, FileKind::Base)));
        assert_eq!(m.incrs, vec![f("appendonly.aof.3.incr.aof", 3, FileKind::Incr)]);
        assert_eq!(
            m.history,
            vec![
                f("appendonly.aof.2.incr.aof", 2, FileKind::History),
                f("appendonly.aof.2.base.rdb", 2, FileKind::History),
                f("appendonly.aof.1.incr.aof", 1, FileKind::History),
                f("appendonly.aof.1.base.rdb", 1, FileKind::History),
            ]
        );
        assert_eq!(m.format(), text);
    }

    #[test]
    fn quoted_names_round_trip_like_redis() {
        // Redis 7.0.15 with appendfilename `my "f<TAB>le'.aof`.
        let text = "file \"my \\\"f\\tle'.aof.1.base.rdb\" seq 1 type b\nfile \"my \\\"f\\tle'.aof.1.incr.aof\" seq 1 type i\n";
        let m = Manifest::parse(text.as_bytes()).unwrap();
        assert_eq!(m.base.as_ref().unwrap().name, "my \"f\tle'.aof.1.base.rdb");
        assert_eq!(m.format(), text);
        assert_eq!(quote_name(b"a b\x01\xff\\"), "\"a b\\x01\\xff\\\\\"");
        assert_eq!(quote_name(b"plain.aof"), "plain.aof");
    }

    #[test]
    fn split_args_follows_sdssplitargs() {
        let v = split_args(b"a \"b c\" 'd\\'e' \"\\x41\\n\" x\"y z\"").unwrap();
        assert_eq!(v, vec![b"a".to_vec(), b"b c".to_vec(), b"d'e".to_vec(), b"A\n".to_vec(), b"xy z".to_vec()]);
        assert_eq!(split_args(b"\"a\"b"), None);
        assert_eq!(split_args(b"'a"), None);
        assert_eq!(split_args(b"   "), Some(vec![]));
    }

    fn err(text: &str) -> (ManifestErrorKind, Option<usize>) {
        let e = Manifest::parse(text.as_bytes()).unwrap_err();
        (e.kind, e.line.map(|l| l.0))
    }

    #[test]
    fn errors_match_redis() {
        use ManifestErrorKind::*;
        // Each of these was fed to redis-server 7.0.15; it logged the same.
        assert_eq!(err(""), (Empty, None));
        assert_eq!(err("file a seq 1 type b"), (TooLongLine, None));
        assert_eq!(err("  \n"), (InvalidFormat, Some(1)));
        assert_eq!(err("file ../x seq 1 type b\n"), (PathNotAllowed, Some(1)));
        assert_eq!(err("file a seq 1 type x\n"), (UnknownType, Some(1)));
        assert_eq!(err("file a seq 0 type b\n"), (InvalidFormat, Some(1)));
        assert_eq!(err("file a seq 1 type b\nfile b seq 2 type b\n"), (DuplicateBase, Some(2)));
        assert_eq!(err("file a seq 2 type i\nfile b seq 2 type i\n"), (NonMonotonicSeq, Some(2)));
        assert_eq!(err("file \"a\n"), (InvalidFormat, Some(1)));
        assert_eq!(err("file a seq 1 type b extra\n"), (InvalidFormat, Some(1)));
        assert_eq!(err(&format!("file {} seq 1 type b\n", "x".repeat(1100))), (TooLongLine, None));
        assert_eq!(err("file a\0 seq 1 type b\n"), (TooLongLine, None));
        let e = Manifest::parse(b"file a seq 1 type b\nfile b seq 2 type b\n").unwrap_err();
        assert_eq!(
            e.log_lines(),
            vec![
                "*** FATAL AOF MANIFEST FILE ERROR ***",
                "Reading the manifest file, at line 2",
                ">>> 'file b seq 2 type b'",
                "Found duplicate base file information"
            ]
        );
    }

    #[test]
    fn lenient_like_redis() {
        // Comments only: an empty manifest (Redis starts and makes a base).
        assert!(Manifest::parse(b"# c\n").unwrap().is_empty());
        // Keys in any case and order, unknown pairs ignored, seq via atoll.
        let m = Manifest::parse(b"TYPE i SEQ 7x FILE a.aof future yes\n").unwrap();
        assert_eq!(m.incrs, vec![f("a.aof", 7, FileKind::Incr)]);
        assert_eq!(m.curr_incr_seq, 7);
    }

    #[test]
    fn new_names_and_history_order() {
        let mut m = Manifest::default();
        assert_eq!(m.add_new_base("appendonly.aof", true), "appendonly.aof.1.base.rdb");
        assert_eq!(m.add_new_incr("appendonly.aof"), "appendonly.aof.1.incr.aof");
        m.add_new_incr("appendonly.aof");
        m.add_new_incr("appendonly.aof");
        assert_eq!(m.add_new_base("appendonly.aof", false), "appendonly.aof.2.base.aof");
        m.mark_rewritten_incrs_as_history(true);
        let names: Vec<&str> = m.history.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["appendonly.aof.1.incr.aof", "appendonly.aof.2.incr.aof", "appendonly.aof.1.base.rdb"]);
        assert_eq!(m.incrs.len(), 1);
        assert_eq!(m.incrs[0].name, "appendonly.aof.3.incr.aof");
    }
}
