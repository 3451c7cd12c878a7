//! Replaying the AOF files listed in a manifest.
//!
//! Files are read in manifest order: the base, then each incremental file.
//! Each file is, in order:
//!
//! | part                 | how it is recognised / read                                  |
//! |----------------------|--------------------------------------------------------------|
//! | optional RDB         | the file starts with `REDIS`: handed to `on_rdb`, which must consume exactly the RDB (through its checksum) |
//! | annotations          | a line starting with `#` (e.g. `#TS:<secs>\r\n`), skipped    |
//! | commands             | `*<argc>\r\n` then `argc` × `$<len>\r\n<len bytes>\r\n`      |
//!
//! `argc` must be ≥ 1 and `len` ≥ 0; numbers are decimal with an optional
//! sign and leading blanks (like `strtol`) followed directly by `\r\n`.
//! Each complete command goes to `on_command` (MULTI and EXEC included; the
//! caller queues and executes). An empty file is fine.
//!
//! **Torn tail.** When a file ends inside a command (or inside an annotation
//! line, or with a MULTI whose EXEC never came), what follows the last
//! complete command (or what follows the command before that MULTI) is a
//! torn tail. If the file is the last one and `aof_load_truncated` is set,
//! the file is truncated there and loading succeeds, reporting a
//! [`Truncation`]; otherwise it is an error, and the file is left untouched
//! (Redis 7.0 truncates even a non-last file before failing; we don't). A
//! byte that cannot start or continue a command is a format error anywhere.
//!
//! Differences from Redis 7.0.15, all on malformed input: the two bytes after
//! an argument must be `\r\n` (Redis skips them unread), a header line must
//! end right after its number (Redis's `atoi` ignores trailing junk), a
//! torn annotation at the very end counts as a torn tail (Redis keeps it,
//! and the next appended command would be swallowed into it), and a torn
//! command right after an RDB preamble is cut back to the end of the RDB
//! (Redis cuts back to offset 0, losing the preamble).

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::PathBuf;

use super::dir::AofDir;
use super::manifest::{FileKind, Manifest};
use super::{io_err, AofError};

/// Reads an RDB (preamble or base) from the reader, stopping right after its
/// checksum; `Err` carries the reason it is not loadable.
pub type RdbHook<'a> = dyn FnMut(&mut dyn BufRead) -> Result<(), String> + 'a;

/// Replays one command (`argv[0]` is the name); `Err` stops loading.
pub type CommandHook<'a> = dyn FnMut(&[Vec<u8>]) -> Result<(), String> + 'a;

/// How to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// `aof-load-truncated`: cut a torn tail of the last file instead of failing.
    pub aof_load_truncated: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { aof_load_truncated: true }
    }
}

/// Where loading is, for the `loading_*` INFO fields and the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadProgress {
    /// Name of the file being read.
    pub file: String,
    /// Its position in the load order (0-based) and the number of files.
    pub file_index: usize,
    pub file_count: usize,
    /// Bytes of this file read so far, and its size.
    pub file_bytes: u64,
    pub file_size: u64,
    /// Bytes of all files read so far, and their total size.
    pub loaded_bytes: u64,
    pub total_bytes: u64,
    /// Commands replayed so far, all files together.
    pub commands: u64,
}

/// What one file held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    pub name: String,
    pub kind: FileKind,
    /// Size before any truncation.
    pub size: u64,
    /// It started with an RDB.
    pub rdb_preamble: bool,
    pub commands: u64,
}

/// A torn tail that was cut off the last file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truncation {
    pub file: String,
    pub path: PathBuf,
    pub original_size: u64,
    pub truncated_to: u64,
    /// The cut removed a MULTI block that had no EXEC; the caller must drop
    /// the commands it queued after that MULTI.
    pub reverted_multi: bool,
}

impl Truncation {
    /// The warnings Redis logs for this truncation, in order.
    pub fn log_lines(&self) -> Vec<String> {
        let mut v = Vec::new();
        if self.reverted_multi {
            v.push(format!("Revert incomplete MULTI/EXEC transaction in AOF file {}", self.file));
        }
        v.push(format!("!!! Warning: short read while loading the AOF file {}!!!", self.file));
        v.push(format!("!!! Truncating the AOF {} at offset {} !!!", self.file, self.truncated_to));
        v.push(format!("AOF {} loaded anyway because aof-load-truncated is enabled", self.file));
        v
    }

    /// Bytes cut off.
    pub fn bytes_cut(&self) -> u64 {
        self.original_size - self.truncated_to
    }
}

/// The outcome of a successful load.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    pub files: Vec<FileReport>,
    pub commands: u64,
    /// Total size of the base and incremental files (before truncation).
    /// 0 with a non-empty manifest is Redis's `AOF_EMPTY`; no files at all
    /// is `AOF_NOT_EXIST`.
    pub total_bytes: u64,
    /// Size of the base file (Redis's `aof_rewrite_base_size` after a restart).
    pub base_bytes: u64,
    pub truncation: Option<Truncation>,
    /// The last `#TS:` annotation seen.
    pub last_timestamp: Option<i64>,
}

/// A reader that counts the bytes consumed from it.
pub(crate) struct PosReader<R> {
    pub inner: R,
    pub pos: u64,
}

impl<R: BufRead> Read for PosReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for PosReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.pos += amt as u64;
    }
}

/// The result of reading one `\n`-terminated line.
pub(crate) enum Line {
    /// Nothing left.
    Eof,
    /// Bytes without a final `\n` before the end of the file.
    Partial,
    /// Longer than the limit (the bytes are left half-read).
    TooLong,
    /// The line, `\n` included (empty when not kept).
    Full(Vec<u8>),
}

/// Read a line of at most `max` bytes (`keep`) or of any length (discarded).
pub(crate) fn read_line<R: BufRead>(r: &mut R, max: usize, keep: bool) -> io::Result<Line> {
    let mut out = Vec::new();
    let mut any = false;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(if any { Line::Partial } else { Line::Eof });
        }
        any = true;
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if keep {
            if out.len() + take > max {
                let room = max - out.len();
                out.extend_from_slice(&buf[..room]);
                r.consume(room);
                return Ok(Line::TooLong);
            }
            out.extend_from_slice(&buf[..take]);
        }
        r.consume(take);
        if done {
            return Ok(Line::Full(out));
        }
    }
}

/// Parse `<prefix><strtol number>\r\n`; `None` if it is not exactly that.
pub(crate) fn parse_header(line: &[u8], prefix: u8) -> Option<i64> {
    let body = line.strip_prefix(&[prefix])?.strip_suffix(b"\r\n")?;
    let mut i = 0;
    while i < body.len() && matches!(body[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let (neg, digits) = match body.get(i) {
        Some(b'-') => (true, &body[i + 1..]),
        Some(b'+') => (false, &body[i + 1..]),
        _ => (false, &body[i..]),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: i64 = 0;
    for d in digits {
        v = v.checked_mul(10)?.checked_add(i64::from(d - b'0'))?;
    }
    Some(if neg { -v } else { v })
}

/// Parse `#TS:<secs>\r\n`.
fn parse_timestamp(line: &[u8]) -> Option<i64> {
    let body = line.strip_prefix(b"#TS:")?.strip_suffix(b"\r\n")?;
    std::str::from_utf8(body).ok()?.parse().ok()
}

const HEADER_MAX: usize = 128;
const PROGRESS_EVERY: u64 = 1024;

/// How one file's command stream ended.
enum Ending {
    Clean,
    /// Torn tail; the last good offset and whether a MULTI was reverted.
    Torn { valid_up_to: u64, reverted_multi: bool },
}

/// Load the files `manifest` lists in `dir`.
///
/// `on_rdb` reads an RDB preamble (it must stop right after the RDB's
/// checksum); `on_command` replays one command; `on_progress` hears where
/// loading is (at each file's start and end and every 1024 commands).
/// Errors are returned before any file is modified; the only modification
/// is cutting a torn tail off the last file (see the module docs).
pub fn load(
    dir: &AofDir,
    manifest: &Manifest,
    opts: LoadOptions,
    on_rdb: &mut RdbHook,
    on_command: &mut CommandHook,
    on_progress: &mut dyn FnMut(&LoadProgress),
) -> Result<LoadReport, AofError> {
    let files: Vec<_> = manifest.load_order().collect();
    let mut report = LoadReport::default();
    // Like Redis, check every file is there before replaying anything.
    let mut sizes = Vec::with_capacity(files.len());
    for f in &files {
        let size = dir.file_size(&f.name)?;
        report.total_bytes += size;
        sizes.push(size);
    }
    if let Some(b) = &manifest.base {
        report.base_bytes = dir.file_size(&b.name)?;
    }
    let manifest_path = dir.manifest_path();
    let mut progress = LoadProgress {
        file: String::new(),
        file_index: 0,
        file_count: files.len(),
        file_bytes: 0,
        file_size: 0,
        loaded_bytes: 0,
        total_bytes: report.total_bytes,
        commands: 0,
    };
    for (index, (f, &size)) in files.iter().zip(&sizes).enumerate() {
        let last = index + 1 == files.len();
        let path = dir.path_of(&f.name);
        progress.file = f.name.clone();
        progress.file_index = index;
        progress.file_bytes = 0;
        progress.file_size = size;
        on_progress(&progress);
        let mut fr = FileReport { name: f.name.clone(), kind: f.kind, size, rdb_preamble: false, commands: 0 };
        if size == 0 {
            report.files.push(fr);
            continue;
        }
        let mut file = File::open(&path).map_err(io_err("Fatal error: can't open the append log file for reading", &path))?;
        let mut sig = [0u8; 5];
        let got = read_up_to(&mut file, &mut sig).map_err(io_err("Unrecoverable error reading the append only file", &path))?;
        file.seek(SeekFrom::Start(0)).map_err(io_err("Unrecoverable error reading the append only file", &path))?;
        let mut r = PosReader { inner: BufReader::with_capacity(1 << 16, file), pos: 0 };
        if got == 5 && &sig == b"REDIS" {
            fr.rdb_preamble = true;
            on_rdb(&mut r).map_err(|message| AofError::Rdb { file: f.name.clone(), legacy: f.name == dir.filename, message })?;
        }
        let start_commands = report.commands;
        let ending = replay(&mut r, size, &mut report, on_command, &mut |pos, commands| {
            progress.file_bytes = pos;
            progress.commands = commands;
            let done = progress.loaded_bytes + pos;
            let p = LoadProgress { loaded_bytes: done, ..progress.clone() };
            on_progress(&p);
        })
        .map_err(|e| match e {
            ReplayError::Io(source) => AofError::Io { what: "Unrecoverable error reading the append only file", path: path.clone(), source },
            ReplayError::Format(offset) => AofError::BadFormat { file: f.name.clone(), offset, manifest: manifest_path.clone() },
            ReplayError::Command(offset, message) => AofError::Command { file: f.name.clone(), offset, message },
        })?;
        fr.commands = report.commands - start_commands;
        if let Ending::Torn { valid_up_to, reverted_multi } = ending {
            if !opts.aof_load_truncated {
                return Err(AofError::UnexpectedEof { file: f.name.clone(), valid_up_to, size, manifest: manifest_path });
            }
            if !last {
                return Err(AofError::TruncatedNotLast { file: f.name.clone(), valid_up_to, size });
            }
            let file = OpenOptions::new().write(true).open(&path).map_err(io_err("Error truncating the AOF file", &path))?;
            file.set_len(valid_up_to).map_err(io_err("Error truncating the AOF file", &path))?;
            file.sync_all().map_err(io_err("Error truncating the AOF file", &path))?;
            report.truncation = Some(Truncation {
                file: f.name.clone(),
                path: path.clone(),
                original_size: size,
                truncated_to: valid_up_to,
                reverted_multi,
            });
        }
        progress.loaded_bytes += size;
        progress.file_bytes = size;
        progress.commands = report.commands;
        on_progress(&progress);
        report.files.push(fr);
    }
    Ok(report)
}

fn read_up_to(f: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

enum ReplayError {
    Io(io::Error),
    Format(u64),
    Command(u64, String),
}

impl From<io::Error> for ReplayError {
    fn from(e: io::Error) -> Self {
        ReplayError::Io(e)
    }
}

/// Replay the commands of one file from the reader's position to its end.
fn replay<R: BufRead>(
    r: &mut PosReader<R>,
    size: u64,
    report: &mut LoadReport,
    on_command: &mut CommandHook,
    tick: &mut dyn FnMut(u64, u64),
) -> Result<Ending, ReplayError> {
    let mut valid_up_to = r.pos;
    let mut before_multi = r.pos;
    let mut in_multi = false;
    let mut since_tick = 0u64;
    loop {
        since_tick += 1;
        if since_tick == PROGRESS_EVERY {
            since_tick = 0;
            tick(r.pos, report.commands);
        }
        let start = r.pos;
        // Peek at the first byte: annotations may be of any length.
        let first = match r.fill_buf()?.first() {
            None => break,
            Some(&b) => b,
        };
        if first == b'#' {
            match read_line(r, HEADER_MAX, true)? {
                Line::Full(l) => {
                    if let Some(ts) = parse_timestamp(&l) {
                        report.last_timestamp = Some(ts);
                    }
                }
                Line::TooLong => match read_line(r, 0, false)? {
                    Line::Full(_) => {}
                    _ => return Ok(torn(valid_up_to, before_multi, in_multi)),
                },
                Line::Partial | Line::Eof => return Ok(torn(valid_up_to, before_multi, in_multi)),
            }
            continue;
        }
        if first != b'*' {
            return Err(ReplayError::Format(start));
        }
        let argc = match read_line(r, HEADER_MAX, true)? {
            Line::Full(l) => match parse_header(&l, b'*') {
                Some(n) if n >= 1 => n,
                _ => return Err(ReplayError::Format(start)),
            },
            Line::TooLong => return Err(ReplayError::Format(start)),
            Line::Partial | Line::Eof => return Ok(torn(valid_up_to, before_multi, in_multi)),
        };
        let mut argv: Vec<Vec<u8>> = Vec::with_capacity(argc.min(1024) as usize);
        for _ in 0..argc {
            let at = r.pos;
            let len = match read_line(r, HEADER_MAX, true)? {
                Line::Full(l) => match parse_header(&l, b'$') {
                    Some(n) if n >= 0 => n as u64,
                    _ => return Err(ReplayError::Format(at)),
                },
                Line::TooLong => return Err(ReplayError::Format(at)),
                Line::Partial | Line::Eof => return Ok(torn(valid_up_to, before_multi, in_multi)),
            };
            // Never allocate more than the file still holds.
            if len.saturating_add(2) > size.saturating_sub(r.pos) {
                return Ok(torn(valid_up_to, before_multi, in_multi));
            }
            let mut arg = vec![0u8; len as usize + 2];
            if let Err(e) = r.read_exact(&mut arg) {
                if e.kind() == io::ErrorKind::UnexpectedEof {
                    return Ok(torn(valid_up_to, before_multi, in_multi));
                }
                return Err(e.into());
            }
            if !arg.ends_with(b"\r\n") {
                return Err(ReplayError::Format(r.pos - 2));
            }
            arg.truncate(len as usize);
            argv.push(arg);
        }
        if argv[0].eq_ignore_ascii_case(b"multi") && !in_multi {
            before_multi = valid_up_to;
            in_multi = true;
        } else if argv[0].eq_ignore_ascii_case(b"exec") {
            in_multi = false;
        }
        on_command(&argv).map_err(|m| ReplayError::Command(start, m))?;
        report.commands += 1;
        valid_up_to = r.pos;
    }
    if in_multi {
        return Ok(Ending::Torn { valid_up_to: before_multi, reverted_multi: true });
    }
    Ok(Ending::Clean)
}

fn torn(valid_up_to: u64, before_multi: u64, in_multi: bool) -> Ending {
    if in_multi {
        Ending::Torn { valid_up_to: before_multi, reverted_multi: true }
    } else {
        Ending::Torn { valid_up_to, reverted_multi: false }
    }
}

/// Total size of the files a manifest lists (missing ones count as errors).
pub fn total_size(dir: &AofDir, manifest: &Manifest) -> Result<u64, AofError> {
    manifest.load_order().try_fold(0u64, |acc, f| Ok(acc + dir.file_size(&f.name)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aof::encode::{encode_command, timestamp_annotation};
    use crate::aof::testutil::{copy_sample, scratch};
    use std::fs;

    type Seen = Vec<Vec<Vec<u8>>>;

    fn run(dir: &AofDir, m: &Manifest, truncated: bool) -> (Result<LoadReport, AofError>, Seen, usize) {
        let mut seen = Vec::new();
        let mut rdbs = 0;
        let res = load(
            dir,
            m,
            LoadOptions { aof_load_truncated: truncated },
            &mut |r| {
                rdbs += 1;
                skip_rdb(r)
            },
            &mut |argv| {
                seen.push(argv.to_vec());
                Ok(())
            },
            &mut |_| {},
        );
        (res, seen, rdbs)
    }

    /// Stand-in for the RDB loader: consume up to and including the EOF
    /// opcode (0xFF) and the 8-byte checksum. Good enough for the tiny RDBs
    /// in the samples, which hold no 0xFF byte before their end.
    fn skip_rdb(r: &mut dyn BufRead) -> Result<(), String> {
        let mut head = Vec::new();
        r.read_until(0xff, &mut head).map_err(|e| e.to_string())?;
        let mut sum = [0u8; 8];
        r.read_exact(&mut sum).map_err(|e| e.to_string())
    }

    fn words(cmd: &[Vec<u8>]) -> String {
        cmd.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn loads_redis_resp_base_and_incr() {
        let d = AofDir::new(copy_sample("resp-base"), "appendonly.aof");
        let m = d.load_manifest().unwrap();
        let (res, seen, rdbs) = run(&d, &m, false);
        let rep = res.unwrap();
        assert_eq!(rdbs, 0);
        let got: Vec<String> = seen.iter().map(|c| words(c)).collect();
        assert_eq!(
            got,
            [
                "SELECT 0",
                "RPUSH list key a b c",
                "SET a 2",
                "SET k2 hello world",
                "HMSET h f v",
                "SELECT 3",
                "SET db3 x",
                "SELECT 0",
                "set after norm",
                "PEXPIREAT after 1795655618655",
            ]
        );
        assert_eq!(rep.commands, 10);
        assert_eq!(rep.last_timestamp, Some(1795655518));
        assert_eq!(rep.total_bytes, 243 + 139);
        assert_eq!(rep.base_bytes, 243);
        assert_eq!(rep.truncation, None);
    }

    #[test]
    fn loads_redis_rdb_base_with_multi() {
        let d = AofDir::new(copy_sample("history"), "appendonly.aof");
        let m = d.load_manifest().unwrap();
        let (res, seen, rdbs) = run(&d, &m, false);
        let rep = res.unwrap();
        assert_eq!(rdbs, 1);
        assert!(rep.files[0].rdb_preamble);
        let got: Vec<String> = seen.iter().map(|c| words(c)).collect();
        assert_eq!(got, ["SELECT 0", "MULTI", "SET t1 1", "INCR t1", "EXEC", "set bin\\x00key x"]);
    }

    /// A last incr file: SELECT, a MULTI block, a timestamp, a SET.
    fn incr_bytes() -> (Vec<u8>, Vec<u64>) {
        let mut v = Vec::new();
        let mut ends = Vec::new();
        encode_command(&mut v, &[b"SELECT", b"0"]);
        ends.push(v.len() as u64);
        encode_command(&mut v, &[b"MULTI"]);
        encode_command(&mut v, &[b"SET", b"k", b"v"]);
        encode_command(&mut v, &[b"EXEC"]);
        ends.push(v.len() as u64);
        v.extend(timestamp_annotation(1700000000));
        encode_command(&mut v, &[b"SET", b"k2", b"\r\n"]);
        ends.push(v.len() as u64);
        (v, ends)
    }

    fn write_dir(name: &str, incr: &[u8]) -> (AofDir, Manifest) {
        let root = scratch(name);
        let d = AofDir::new(root, "appendonly.aof");
        let mut m = Manifest::default();
        m.add_new_base("appendonly.aof", false);
        m.add_new_incr("appendonly.aof");
        let mut base = Vec::new();
        encode_command(&mut base, &[b"SET", b"base", b"1"]);
        fs::write(d.path_of("appendonly.aof.1.base.aof"), base).unwrap();
        fs::write(d.path_of("appendonly.aof.1.incr.aof"), incr).unwrap();
        d.persist_manifest(&m).unwrap();
        (d, m)
    }

    #[test]
    fn truncation_at_every_offset() {
        let (full, ends) = incr_bytes();
        // A complete annotation at the end is not torn: 16 bytes after the MULTI block.
        let annotation_end = ends[1] + 16;
        for cut in 0..=full.len() {
            let (d, m) = write_dir("trunc", &full[..cut]);
            let incr = d.path_of("appendonly.aof.1.incr.aof");
            // The longest prefix of whole commands (a MULTI counts with its EXEC).
            let good = *[0u64].iter().chain(&ends).filter(|&&e| e <= cut as u64).max().unwrap();
            let clean = good == cut as u64 || cut as u64 == annotation_end;
            let expect_cmds = 1 + match good {
                0 => 0,
                g if g == ends[0] => 1,
                g if g == ends[1] => 4,
                _ => 5,
            };
            let (res, _, _) = run(&d, &m, false);
            if clean {
                let rep = res.unwrap_or_else(|e| panic!("cut {cut}: {e}"));
                assert_eq!(rep.commands, expect_cmds, "cut {cut}");
                assert!(rep.truncation.is_none());
            } else {
                let e = res.unwrap_err();
                assert!(matches!(e, AofError::UnexpectedEof { .. }), "cut {cut}: {e}");
                assert!(e.to_string().contains("hematite check-aof --fix"), "{e}");
                assert_eq!(fs::read(&incr).unwrap(), &full[..cut], "untouched without aof-load-truncated");
            }
            let good = if clean { cut as u64 } else { good };
            let (res, seen, _) = run(&d, &m, true);
            let rep = res.unwrap_or_else(|e| panic!("cut {cut}: {e}"));
            assert_eq!(fs::read(&incr).unwrap(), &full[..good as usize], "cut {cut}");
            assert_eq!(rep.commands, seen.len() as u64);
            match &rep.truncation {
                None => {
                    assert!(clean, "cut {cut}");
                    assert_eq!(seen.len() as u64, expect_cmds, "cut {cut}");
                }
                Some(t) => {
                    assert_eq!((t.original_size, t.truncated_to), (cut as u64, good), "cut {cut}");
                    // Inside MULTI..EXEC (after the whole MULTI command) the
                    // queued commands are reverted: the caller drops them.
                    let in_multi = cut as u64 >= ends[0] + 15 && (cut as u64) < ends[1];
                    assert_eq!(t.reverted_multi, in_multi, "cut {cut}");
                    if in_multi {
                        assert_eq!(words(&seen[expect_cmds as usize]), "MULTI", "cut {cut}");
                    } else {
                        assert_eq!(seen.len() as u64, expect_cmds, "cut {cut}");
                    }
                }
            }
            // Loading again is clean.
            let (res, _, _) = run(&d, &m, false);
            assert!(res.unwrap().truncation.is_none());
        }
    }

    #[test]
    fn torn_non_last_file_is_an_error_and_untouched() {
        let root = scratch("notlast");
        let d = AofDir::new(root, "appendonly.aof");
        let mut m = Manifest::default();
        let a = m.add_new_incr("appendonly.aof");
        let b = m.add_new_incr("appendonly.aof");
        fs::write(d.path_of(&a), b"*1\r\n$4\r\nPI").unwrap();
        fs::write(d.path_of(&b), b"*1\r\n$4\r\nPING\r\n").unwrap();
        d.persist_manifest(&m).unwrap();
        let (res, _, _) = run(&d, &m, true);
        let e = res.unwrap_err();
        assert!(matches!(e, AofError::TruncatedNotLast { valid_up_to: 0, size: 10, .. }), "{e}");
        assert_eq!(fs::read(d.path_of(&a)).unwrap(), b"*1\r\n$4\r\nPI");
    }

    #[test]
    fn garbage_in_the_middle_is_an_error() {
        let cases: &[(&[u8], u64)] = &[
            (b"*1\r\n$4\r\nPING\r\nxyz\r\n*1\r\n$4\r\nPING\r\n", 14),
            (b"*1\r\n$4\r\nPING\r\n*0\r\n", 14),
            (b"*1\r\n$4\r\nPING\r\n*1\r\n!4\r\nPING\r\n", 18),
            (b"*1\r\n$4\r\nPINGXX*1\r\n", 12),
            (b"*1\r\n$-1\r\n", 4),
            (b"*x\r\n", 0),
            (b"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n\0\0\0\0", 28),
        ];
        for (i, (bytes, offset)) in cases.iter().enumerate() {
            let (d, m) = write_dir("garbage", bytes);
            for allow in [false, true] {
                let (res, _, _) = run(&d, &m, allow);
                match res {
                    Err(AofError::BadFormat { file, offset: o, .. }) => {
                        assert_eq!((file.as_str(), o), ("appendonly.aof.1.incr.aof", *offset), "case {i}")
                    }
                    other => panic!("case {i}: {other:?}"),
                }
            }
            assert_eq!(&fs::read(d.path_of("appendonly.aof.1.incr.aof")).unwrap(), bytes);
        }
    }

    #[test]
    fn empty_files_and_annotations() {
        let (d, m) = write_dir("empty", b"");
        let rep = run(&d, &m, false).0.unwrap();
        assert_eq!(rep.commands, 1);
        let (d, m) = write_dir("annot", b"#TS:12\r\n#whatever else\r\n*1\r\n$4\r\nPING\r\n#TS:13\r\n");
        let rep = run(&d, &m, false).0.unwrap();
        assert_eq!((rep.commands, rep.last_timestamp), (2, Some(13)));
    }

    #[test]
    fn command_errors_and_missing_files() {
        let (d, m) = write_dir("cmd-err", b"*1\r\n$4\r\nNOPE\r\n");
        let res = load(&d, &m, LoadOptions::default(), &mut skip_rdb, &mut |a| {
            if a[0] == b"NOPE" {
                Err("Unknown command 'NOPE'".into())
            } else {
                Ok(())
            }
        }, &mut |_| {});
        assert_eq!(
            res.unwrap_err().to_string(),
            "Unknown command 'NOPE' reading the append only file appendonly.aof.1.incr.aof at offset 0"
        );
        fs::remove_file(d.path_of("appendonly.aof.1.base.aof")).unwrap();
        let e = run(&d, &m, true).0.unwrap_err();
        assert!(e.to_string().starts_with("Unable to obtain the AOF file appendonly.aof.1.base.aof length"), "{e}");
    }

    #[test]
    fn rdb_errors_and_progress() {
        let root = scratch("rdb-err");
        let d = AofDir::new(root, "appendonly.aof");
        let mut m = Manifest::default();
        let b = m.add_new_base("appendonly.aof", true);
        fs::write(d.path_of(&b), b"REDIS0010garbage").unwrap();
        let e = load(&d, &m, LoadOptions::default(), &mut |_| Err("bad".into()), &mut |_| Ok(()), &mut |_| {})
            .unwrap_err();
        assert_eq!(e.to_string(), "Error reading the RDB base file appendonly.aof.1.base.rdb, AOF loading aborted: bad");
        // Progress: start and end of the file, and every 1024 commands.
        let mut big = Vec::new();
        for _ in 0..3000 {
            encode_command(&mut big, &[b"PING"]);
        }
        let (d, m) = write_dir("progress", &big);
        let mut ticks = Vec::new();
        load(&d, &m, LoadOptions::default(), &mut skip_rdb, &mut |_| Ok(()), &mut |p| ticks.push(p.clone())).unwrap();
        let last = ticks.last().unwrap();
        assert_eq!((last.loaded_bytes, last.total_bytes, last.commands), (last.total_bytes, 30 + big.len() as u64, 3001));
        assert!(ticks.len() >= 6, "{}", ticks.len());
        assert!(ticks.windows(2).all(|w| w[0].loaded_bytes <= w[1].loaded_bytes));
    }

    #[test]
    fn never_panics_on_noise() {
        // A deterministic xorshift stream of mostly-RESP-looking bytes.
        let mut s = 0x2545F4914F6CDD1Du64;
        let alphabet = b"*$#\r\n0123456789-+ abcREDIS\xff\0";
        for round in 0..300 {
            let mut bytes = Vec::new();
            let len = (round * 7) % 200;
            for _ in 0..len {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                bytes.push(alphabet[(s % alphabet.len() as u64) as usize]);
            }
            let (d, m) = write_dir("noise", &bytes);
            let _ = run(&d, &m, round % 2 == 0);
        }
    }
}
