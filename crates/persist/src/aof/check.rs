//! `hematite check-aof`: Redis 7.0's `redis-check-aof`, decision for decision
//! and line for line.
//!
//! The input is a manifest (a file with a non-comment line starting with
//! `file`), a directory holding one, or a single old-style AOF (an RDB
//! preamble when it starts with `REDIS` and has at least 8 bytes). A
//! manifest's files are checked in load order; a base in RDB format goes
//! to the RDB checker first and its command tail is checked after.
//!
//! Each file is scanned command by command, remembering `ok_up_to`, the
//! offset after the last complete command (inside MULTI it stays before the
//! MULTI). The scan stops at the first problem:
//!
//! | problem                         | message (prefixed `0x<offset, %16x>: `)             |
//! |---------------------------------|-----------------------------------------------------|
//! | a line not starting with `*`/`$`| `Expected prefix '*', got: '<c>'`                   |
//! | number not followed by `\r\n`   | `Expected \r\n, got: <hex><hex>`                    |
//! | bulk shorter than announced     | `Expected to read N bytes, got M bytes` (N = len+2) |
//! | negative bulk length            | `Expected to read string of N bytes, which is not in the suitable range` |
//! | MULTI in MULTI / stray EXEC     | `Unexpected MULTI in AOF <path>` / `Unexpected EXEC in AOF <path>` |
//! | MULTI open at the end           | `Reached EOF before reading EXEC for MULTI`         |
//! | a command starting with another byte | `AOF <name> format error` (no offset)          |
//!
//! then prints `AOF analyzed: filename=.., size=.., ok_up_to=.., ok_up_to_line=.., diff=..`
//! (the line counter counts the `\r\n` of commands only and runs on across
//! the files of a manifest, as in Redis). With `--fix` a bad *last* file is
//! truncated to `ok_up_to` after `Continue? [y/N]:`; a bad earlier file is
//! refused. With `--truncate-to-timestamp T` the last file is cut before
//! the first `#TS:` annotation later than T.
//!
//! Where `redis-check-aof` exits with status 1, [`check`] returns `Ok(false)`.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use super::load::PosReader;
use super::manifest::Manifest;

/// The command line of `check-aof`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// `--fix`: truncate a bad last file to its last valid command.
    pub fix: bool,
    /// `--truncate-to-timestamp <secs>`.
    pub truncate_to_timestamp: Option<i64>,
    /// Answer the `Continue? [y/N]` question with yes without reading input.
    pub yes: bool,
}

/// Check `path` (manifest, AOF directory or single AOF file), printing
/// Redis's report to `out`; the `--fix` question is read from stdin unless
/// `opts.yes`. Returns whether the AOF is valid (or was repaired).
pub fn check(
    path: &Path,
    opts: CheckOptions,
    rdb_check: &mut dyn FnMut(&mut dyn BufRead) -> Result<(), String>,
    out: &mut dyn Write,
) -> io::Result<bool> {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    check_with_input(path, opts, rdb_check, out, &mut input)
}

/// [`check`] with the answer to `Continue? [y/N]` read from `input`.
pub fn check_with_input(
    path: &Path,
    opts: CheckOptions,
    rdb_check: &mut dyn FnMut(&mut dyn BufRead) -> Result<(), String>,
    out: &mut dyn Write,
    input: &mut dyn BufRead,
) -> io::Result<bool> {
    let mut c = Checker { out, input, rdb_check, opts, line: 1, error: Vec::new(), epos: 0 };
    match c.main(path) {
        Ok(()) => Ok(true),
        Err(Stop::Abort) => Ok(false),
        Err(Stop::Io(e)) => Err(e),
    }
}

enum Stop {
    /// `exit(1)` in Redis: the message has been printed.
    Abort,
    /// Writing the report failed.
    Io(io::Error),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Io(e)
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Ok,
    Empty,
    Truncated,
    TimestampTruncated,
}

struct Checker<'a> {
    out: &'a mut dyn Write,
    input: &'a mut dyn BufRead,
    rdb_check: &'a mut dyn FnMut(&mut dyn BufRead) -> Result<(), String>,
    opts: CheckOptions,
    /// Redis's static `line`: 1 + every `\r\n` consumed by commands.
    line: i64,
    /// Redis's static `error` (set once, printed after the scan).
    error: Vec<u8>,
    epos: u64,
}

/// `strerror` text: io::Error's message without the " (os error N)" suffix.
fn strerror(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// `%02x` of a C `char` (signed): bytes ≥ 0x80 print as `ffffffXX`.
fn hex_char(b: u8) -> String {
    format!("{:02x}", b as i8 as i32 as u32)
}

type Reader = PosReader<BufReader<File>>;

impl Checker<'_> {
    fn say(&mut self, s: &str) -> Result<(), Stop> {
        self.out.write_all(s.as_bytes())?;
        self.out.write_all(b"\n")?;
        Ok(())
    }

    fn abort<T>(&mut self, s: &str) -> Result<T, Stop> {
        self.say(s)?;
        Err(Stop::Abort)
    }

    fn set_error(&mut self, msg: &[u8]) {
        let mut e = format!("0x{:>16x}: ", self.epos).into_bytes();
        e.extend_from_slice(msg);
        self.error = e;
    }

    fn main(&mut self, path: &Path) -> Result<(), Stop> {
        let mut path = path.to_path_buf();
        if path.is_dir() {
            path = match find_manifest(&path) {
                Some(p) => p,
                None => return self.abort(&format!("Cannot find an AOF manifest in directory {}", path.display())),
            };
        }
        let dirpath = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if self.file_is_manifest(&path)? {
            self.check_multi_part(&dirpath, &path)
        } else {
            let preamble = self.file_is_rdb(&path)?;
            self.check_old_style(&path, preamble)
        }
    }

    fn open_or_abort(&mut self, path: &Path) -> Result<File, Stop> {
        match File::open(path) {
            Ok(f) => Ok(f),
            Err(e) => self.abort(&format!("Cannot open file {}: {}", path.display(), strerror(&e))),
        }
    }

    fn file_is_manifest(&mut self, path: &Path) -> Result<bool, Stop> {
        let f = self.open_or_abort(path)?;
        let mut r = BufReader::new(f);
        let mut is = false;
        loop {
            let mut line = Vec::new();
            // fgets(buf, 1025): at most 1024 bytes per read.
            match r.by_ref().take(1024).read_until(b'\n', &mut line) {
                Ok(0) => break,
                Ok(_) => {
                    if line[0] != b'#' && line.starts_with(b"file") {
                        is = true;
                    }
                }
                Err(_) => return self.abort(&format!("Cannot read file: {}", path.display())),
            }
        }
        Ok(is)
    }

    fn file_is_rdb(&mut self, path: &Path) -> Result<bool, Stop> {
        let mut f = self.open_or_abort(path)?;
        let size = f.metadata().map(|m| m.len()).unwrap_or(0);
        if size < 8 {
            return Ok(false);
        }
        let mut sig = [0u8; 5];
        Ok(f.read_exact(&mut sig).is_ok() && &sig == b"REDIS")
    }

    fn check_old_style(&mut self, path: &Path, preamble: bool) -> Result<(), Stop> {
        self.say("Start checking Old-Style AOF")?;
        let name = path.display().to_string();
        let outcome = self.check_single(&name, path, true, preamble)?;
        self.report_outcome("AOF", &name, outcome)
    }

    fn report_outcome(&mut self, what: &str, name: &str, outcome: Outcome) -> Result<(), Stop> {
        match outcome {
            Outcome::Ok => self.say(&format!("{what} {name} is valid")),
            Outcome::Empty => self.say(&format!("{what} {name} is empty")),
            Outcome::TimestampTruncated => self.say(&format!(
                "Successfully truncated AOF {name} to timestamp {}",
                self.opts.truncate_to_timestamp.unwrap_or(0)
            )),
            Outcome::Truncated => self.say(&format!("Successfully truncated AOF {name}")),
        }
    }

    fn check_multi_part(&mut self, dirpath: &Path, manifest_path: &Path) -> Result<(), Stop> {
        self.say("Start checking Multi Part AOF")?;
        let data = match fs::read(manifest_path) {
            Ok(d) => d,
            Err(e) => {
                return self.abort(&format!(
                    "Fatal error: can't open the AOF manifest file {} for reading: {}",
                    manifest_path.display(),
                    strerror(&e)
                ))
            }
        };
        let m = match Manifest::parse(&data) {
            Ok(m) => m,
            Err(e) => {
                for l in e.log_lines() {
                    self.say(&l)?;
                }
                return Err(Stop::Abort);
            }
        };
        let total = m.load_order().count();
        let mut num = 0;
        if let Some(base) = &m.base {
            num += 1;
            let path = dirpath.join(&base.name);
            let preamble = self.file_is_rdb(&path)?;
            self.say(&format!("Start to check BASE AOF ({} format).", if preamble { "RDB" } else { "RESP" }))?;
            let outcome = self.check_single(&base.name, &path, num == total, preamble)?;
            self.report_outcome("BASE AOF", &base.name, outcome)?;
        }
        if !m.incrs.is_empty() {
            self.say("Start to check INCR files.")?;
            for f in &m.incrs {
                num += 1;
                let path = dirpath.join(&f.name);
                let outcome = self.check_single(&f.name, &path, num == total, false)?;
                self.report_outcome("INCR AOF", &f.name, outcome)?;
            }
        }
        self.say("All AOF files and manifest are valid")
    }

    /// Redis's `checkSingleAof`.
    fn check_single(&mut self, name: &str, path: &Path, last: bool, preamble: bool) -> Result<Outcome, Stop> {
        let shown_path = path.display().to_string();
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) => return self.abort(&format!("Cannot open file {}: {}, aborting...", shown_path, strerror(&e))),
        };
        let size = match file.metadata() {
            Ok(m) => m.len(),
            Err(_) => return self.abort(&format!("Cannot stat file: {name}, aborting...")),
        };
        if size == 0 {
            return Ok(Outcome::Empty);
        }
        let mut r: Reader = PosReader { inner: BufReader::with_capacity(1 << 16, file), pos: 0 };
        if preamble {
            match (self.rdb_check)(&mut r) {
                Ok(()) => self.say("RDB preamble is OK, proceeding with AOF tail...")?,
                Err(msg) => {
                    if !msg.is_empty() {
                        self.say(&msg)?;
                    }
                    return self.abort("RDB preamble of AOF file is not sane, aborting.");
                }
            }
        }
        let mut pos = r.pos;
        let mut multi: i64 = 0;
        let mut eof = false;
        loop {
            if multi == 0 {
                pos = r.pos;
            }
            let first = match r.fill_buf() {
                Ok([]) => {
                    eof = true;
                    break;
                }
                Ok(b) => b[0],
                Err(_) => return self.abort(&format!("Failed to read from AOF {name}, aborting...")),
            };
            if first == b'#' {
                if let Some(o) = self.process_annotation(&mut r, &shown_path, last)? {
                    return Ok(o);
                }
            } else if first == b'*' {
                match self.process_resp(&mut r, &shown_path, &mut multi) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(Eof) => {
                        eof = true;
                        break;
                    }
                }
            } else {
                self.say(&format!("AOF {name} format error"))?;
                break;
            }
        }
        if eof && multi != 0 && self.error.is_empty() {
            self.set_error(b"Reached EOF before reading EXEC for MULTI");
        }
        if !self.error.is_empty() {
            let e = self.error.clone();
            self.out.write_all(&e)?;
            self.out.write_all(b"\n")?;
        }
        let diff = size - pos;
        if let Some(ts) = self.opts.truncate_to_timestamp.filter(|&t| t != 0) {
            if diff == 0 {
                self.say(&format!("Truncate nothing in AOF {name} to timestamp {ts}"))?;
                return Ok(Outcome::Ok);
            }
        }
        self.say(&format!(
            "AOF analyzed: filename={name}, size={size}, ok_up_to={pos}, ok_up_to_line={}, diff={diff}",
            self.line
        ))?;
        if diff == 0 {
            return Ok(Outcome::Ok);
        }
        if !self.opts.fix {
            return self.abort(&format!("AOF {name} is not valid. Use the --fix option to try fixing it."));
        }
        if !last {
            return self.abort(&format!("Failed to truncate AOF {name} because it is not the last file"));
        }
        self.say(&format!("This will shrink the AOF {name} from {size} bytes, with {diff} bytes, to {pos} bytes"))?;
        self.out.write_all(b"Continue? [y/N]: ")?;
        self.out.flush()?;
        if !self.opts.yes {
            let mut answer = [0u8; 1];
            let yes = matches!(self.input.read(&mut answer), Ok(1) if answer[0].eq_ignore_ascii_case(&b'y'));
            if !yes {
                return self.abort("Aborting...");
            }
        }
        if truncate(path, pos).is_err() {
            return self.abort(&format!("Failed to truncate AOF {name}"));
        }
        Ok(Outcome::Truncated)
    }

    /// Redis's `processAnnotations`: `Some` when the file was cut at a timestamp.
    fn process_annotation(&mut self, r: &mut Reader, path: &str, last: bool) -> Result<Option<Outcome>, Stop> {
        self.epos = r.pos;
        let (buf, _) = fgets(r, 1024).map_err(Stop::Io)?;
        let to = match self.opts.truncate_to_timestamp {
            Some(t) if t != 0 && buf.starts_with(b"#TS:") => t,
            _ => return Ok(None),
        };
        let (ts, end) = strtol(&buf, 4);
        if ts.is_none() || cbyte(&buf, end) != b'\r' {
            return self.abort("Invalid timestamp annotation");
        }
        let ts = ts.unwrap_or(0);
        if ts <= to {
            return Ok(None);
        }
        if self.epos == 0 {
            return self.abort(&format!("AOF {path} has nothing before timestamp {to}, aborting..."));
        }
        if !last {
            self.say(&format!(
                "Failed to truncate AOF {path} to timestamp {to} to offset {} because it is not the last file.",
                self.epos
            ))?;
            return self.abort(
                "If you insist, please delete all files after this file according to the manifest file and \
                 delete the corresponding records in manifest file manually. Then re-run redis-check-aof.",
            );
        }
        if truncate(Path::new(path), self.epos).is_err() {
            return self.abort(&format!("Failed to truncate AOF {path} to timestamp {to}"));
        }
        Ok(Some(Outcome::TimestampTruncated))
    }

    /// Redis's `readLong`: `Ok(None)` on a format error (error set).
    fn read_long(&mut self, r: &mut Reader, prefix: u8) -> Result<Option<i64>, Eof> {
        self.epos = r.pos;
        let (buf, hit_eof) = fgets(r, 128).map_err(|_| Eof)?;
        if buf.is_empty() {
            return Err(Eof);
        }
        let result = if buf[0] != prefix {
            let mut m = format!("Expected prefix '{}', got: '", prefix as char).into_bytes();
            m.push(buf[0]);
            m.push(b'\'');
            self.set_error(&m);
            None
        } else {
            let (v, end) = strtol(&buf, 1);
            // Past the NUL that ends a short read, Redis's stack buffer holds
            // leftovers of earlier calls; we print them as 00.
            if self.consume_newline(&buf, end) {
                Some(v.unwrap_or(i64::MAX))
            } else {
                None
            }
        };
        if result.is_none() && hit_eof {
            return Err(Eof);
        }
        Ok(result)
    }

    fn consume_newline(&mut self, buf: &[u8], at: usize) -> bool {
        self.consume_newline_bytes(cbyte(buf, at), cbyte(buf, at + 1))
    }

    fn consume_newline_bytes(&mut self, a: u8, b: u8) -> bool {
        if a == b'\r' && b == b'\n' {
            self.line += 1;
            true
        } else {
            self.set_error(format!("Expected \\r\\n, got: {}{}", hex_char(a), hex_char(b)).as_bytes());
            false
        }
    }

    /// Redis's `processRESP`: `Ok(false)` on a format error, `Err(Eof)` when
    /// the file ended inside the command.
    fn process_resp(&mut self, r: &mut Reader, path: &str, multi: &mut i64) -> Result<bool, Eof> {
        let argc = match self.read_long(r, b'*')? {
            Some(n) => n,
            None => return Ok(false),
        };
        let mut i = 0;
        while i < argc {
            let len = match self.read_long(r, b'$')? {
                Some(n) => n,
                None => return Ok(false),
            };
            if !(0..=i64::MAX - 2).contains(&len) {
                self.set_error(format!("Expected to read string of {len} bytes, which is not in the suitable range").as_bytes());
                return Ok(false);
            }
            let want = len + 2;
            self.epos = r.pos;
            let (head, tail, got) = read_bulk(r, want as u64).map_err(|_| Eof)?;
            if got != want as u64 {
                self.set_error(format!("Expected to read {want} bytes, got {got} bytes").as_bytes());
                return Err(Eof);
            }
            if !self.consume_newline(&tail, 0) {
                return Ok(false);
            }
            if i == 0 {
                // strcasecmp on the C string: it ends at the first NUL.
                let s = match head.iter().position(|&b| b == 0) {
                    Some(k) => &head[..k],
                    None => &head[..],
                };
                let s = if (s.len() as i64) > len { &s[..len as usize] } else { s };
                if s.eq_ignore_ascii_case(b"multi") {
                    *multi += 1;
                    if *multi != 1 {
                        self.set_error(format!("Unexpected MULTI in AOF {path}").as_bytes());
                        return Ok(false);
                    }
                } else if s.eq_ignore_ascii_case(b"exec") {
                    *multi -= 1;
                    if *multi != 0 {
                        self.set_error(format!("Unexpected EXEC in AOF {path}").as_bytes());
                        return Ok(false);
                    }
                }
            }
            i += 1;
        }
        Ok(true)
    }
}

/// The scan hit the end of the file (C's `feof` is set).
struct Eof;

/// `fgets(buf, size)`: up to `size - 1` bytes, stopping after `\n`; also
/// whether the end of the file was hit.
fn fgets(r: &mut Reader, size: usize) -> io::Result<(Vec<u8>, bool)> {
    let mut out = Vec::new();
    let mut take = r.by_ref().take(size as u64 - 1);
    take.read_until(b'\n', &mut out)?;
    let hit_eof = !out.ends_with(b"\n") && out.len() < size - 1;
    Ok((out, hit_eof))
}

/// Read `n` bytes (keeping the first 16 and the last 2); returns how many
/// were there.
fn read_bulk(r: &mut Reader, n: u64) -> io::Result<(Vec<u8>, Vec<u8>, u64)> {
    let mut head = Vec::new();
    let mut last2: Vec<u8> = Vec::new();
    let mut got = 0u64;
    while got < n {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let k = buf.len().min((n - got) as usize);
        let chunk = &buf[..k];
        if head.len() < 16 {
            let room = 16 - head.len();
            head.extend_from_slice(&chunk[..room.min(k)]);
        }
        last2.extend_from_slice(&chunk[k.saturating_sub(2)..]);
        let drop = last2.len().saturating_sub(2);
        last2.drain(..drop);
        r.consume(k);
        got += k as u64;
    }
    Ok((head, last2, got))
}

/// The byte at `i` of a C buffer holding `buf` then NUL (0 past the end).
fn cbyte(buf: &[u8], i: usize) -> u8 {
    buf.get(i).copied().unwrap_or(0)
}

/// C's `strtol(buf + start, &end, 10)` on the NUL-terminated `buf`: the
/// value (`None` on overflow, where C sets errno) and the end index
/// (`start` when no digits were found).
fn strtol(buf: &[u8], start: usize) -> (Option<i64>, usize) {
    let c = |i: usize| cbyte(buf, i);
    let mut i = start;
    while matches!(c(i), b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let neg = c(i) == b'-';
    if matches!(c(i), b'-' | b'+') {
        i += 1;
    }
    if !c(i).is_ascii_digit() {
        return (Some(0), start);
    }
    let mut v: Option<i64> = Some(0);
    while c(i).is_ascii_digit() {
        let d = i64::from(c(i) - b'0');
        v = v.and_then(|v| v.checked_mul(10)).and_then(|v| if neg { v.checked_sub(d) } else { v.checked_add(d) });
        i += 1;
    }
    (v, i)
}

fn truncate(path: &Path, len: u64) -> io::Result<()> {
    let f = OpenOptions::new().write(true).open(path)?;
    f.set_len(len)?;
    f.sync_all()
}

/// The manifest inside an AOF directory: its one `*.manifest` file that is
/// not a `temp-` one.
fn find_manifest(dir: &Path) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".manifest") && !n.starts_with("temp-"))
        })
        .collect();
    if found.len() == 1 {
        found.pop()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aof::testutil::{copy_sample, scratch};
    use std::process::{Command, Stdio};

    fn ok_rdb(r: &mut dyn BufRead) -> Result<(), String> {
        let mut head = Vec::new();
        r.read_until(0xff, &mut head).map_err(|e| e.to_string())?;
        let mut sum = [0u8; 8];
        r.read_exact(&mut sum).map_err(|e| e.to_string())
    }

    fn ours(path: &Path, opts: CheckOptions, answer: &[u8]) -> (bool, String) {
        let mut out = Vec::new();
        let mut input = answer;
        let ok = check_with_input(path, opts, &mut ok_rdb, &mut out, &mut input).unwrap();
        (ok, String::from_utf8_lossy(&out).into_owned())
    }

    /// The real redis-check-aof, when installed: (exit 0, stdout).
    fn redis(args: &[&str], path: &Path, answer: &[u8]) -> Option<(bool, String)> {
        let mut child = Command::new("redis-check-aof")
            .args(args)
            .arg(path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        child.stdin.take()?.write_all(answer).ok()?;
        let o = child.wait_with_output().ok()?;
        Some((o.status.success(), String::from_utf8_lossy(&o.stdout).into_owned()))
    }

    /// Drop the lines our stand-in RDB checker does not print.
    fn without_rdb_check_lines(s: &str) -> String {
        s.lines().filter(|l| !l.starts_with("[offset") && !l.starts_with("[info]")).map(|l| format!("{l}\n")).collect()
    }

    /// Run both on copies of the same file and compare decision, output and result bytes.
    fn compare(bytes: &[u8], args: &[&str], opts: CheckOptions, answer: &[u8]) {
        let a = scratch("ck-ours").join("t.aof");
        let b = scratch("ck-redis").join("t.aof");
        fs::write(&a, bytes).unwrap();
        fs::write(&b, bytes).unwrap();
        let (ok, text) = ours(&a, opts, answer);
        let Some((rok, rtext)) = redis(args, &b, answer) else { return };
        let rtext = rtext.replace(b.to_str().unwrap(), a.to_str().unwrap());
        // Redis prints a stale stack byte after a NUL ("got: 000d"); we print 00.
        let mask = |t: &str| t.replace("got: 000d", "got: 0000").replace("got: 000a", "got: 0000");
        let (text, rtext) = (mask(&text), mask(&rtext));
        assert_eq!((ok, text.as_str()), (rok, rtext.as_str()), "input {:?}", String::from_utf8_lossy(bytes));
        assert_eq!(fs::read(&a).unwrap(), fs::read(&b).unwrap(), "file after, input {:?}", String::from_utf8_lossy(bytes));
    }

    fn corpus() -> Vec<Vec<u8>> {
        let good = b"*1\r\n$4\r\nPING\r\n#TS:100\r\n*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*1\r\n$4\r\nEXEC\r\n#TS:200\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n".to_vec();
        let mut v = vec![good.clone()];
        for cut in 1..good.len() {
            v.push(good[..cut].to_vec());
        }
        let mut patched = |at: usize, with: &[u8]| {
            let mut g = good.clone();
            g.splice(at..at + with.len(), with.iter().copied());
            v.push(g);
        };
        patched(0, b"x");
        patched(4, b"!");
        patched(12, b"XY");
        patched(9, b"\xe9");
        patched(2, b"7");
        patched(6, b"-");
        v.push(b"*1\r\n$4\r\nEXEC\r\n".to_vec());
        v.push(b"*1\r\n$5\r\nMULTI\r\n*1\r\n$5\r\nMULTI\r\n".to_vec());
        v.push(b"*1\r\n$-5\r\nMULTI\r\n".to_vec());
        v.push(b"*1\r\n$4\r\nPING\r\n\r\n".to_vec());
        v.push(b"*0\r\n*-1\r\n*1\r\n$0\r\n\r\n".to_vec());
        v.push(b"#only a comment".to_vec());
        v.push(b"*3x\r\n".to_vec());
        v.push(b"* 2\r\n$ +1\r\na\r\n$1\r\nb\r\n".to_vec());
        v
    }

    #[test]
    fn matches_redis_check_aof_on_single_files() {
        for bytes in corpus() {
            compare(&bytes, &[], CheckOptions::default(), b"");
            compare(&bytes, &["--fix"], CheckOptions { fix: true, ..Default::default() }, b"y\n");
            compare(&bytes, &["--fix"], CheckOptions { fix: true, ..Default::default() }, b"n\n");
            compare(&bytes, &["--truncate-to-timestamp", "150"], CheckOptions { truncate_to_timestamp: Some(150), ..Default::default() }, b"");
            compare(&bytes, &["--truncate-to-timestamp", "50"], CheckOptions { truncate_to_timestamp: Some(50), ..Default::default() }, b"");
        }
    }

    #[test]
    fn known_outputs() {
        let p = scratch("ck-known").join("t1.aof");
        fs::write(&p, b"*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nx").unwrap();
        let (ok, text) = ours(&p, CheckOptions::default(), b"");
        assert!(!ok);
        let name = p.display();
        assert_eq!(
            text,
            format!(
                "Start checking Old-Style AOF\n0x              1f: Expected to read 3 bytes, got 1 bytes\n\
                 AOF analyzed: filename={name}, size=32, ok_up_to=14, ok_up_to_line=8, diff=18\n\
                 AOF {name} is not valid. Use the --fix option to try fixing it.\n"
            )
        );
        let (ok, text) = ours(&p, CheckOptions { fix: true, yes: true, ..Default::default() }, b"");
        assert!(ok, "{text}");
        assert!(text.ends_with(&format!("Continue? [y/N]: Successfully truncated AOF {name}\n")), "{text}");
        assert_eq!(fs::read(&p).unwrap(), b"*1\r\n$4\r\nPING\r\n");
    }

    #[test]
    fn multi_part_like_redis() {
        let d = copy_sample("history");
        let (ok, text) = ours(&d, CheckOptions::default(), b"");
        assert!(ok);
        let want = "Start checking Multi Part AOF\nStart to check BASE AOF (RDB format).\n\
                    RDB preamble is OK, proceeding with AOF tail...\n\
                    AOF analyzed: filename=appendonly.aof.3.base.rdb, size=108, ok_up_to=108, ok_up_to_line=1, diff=0\n\
                    BASE AOF appendonly.aof.3.base.rdb is valid\nStart to check INCR files.\n\
                    AOF analyzed: filename=appendonly.aof.3.incr.aof, size=139, ok_up_to=139, ok_up_to_line=31, diff=0\n\
                    INCR AOF appendonly.aof.3.incr.aof is valid\nAll AOF files and manifest are valid\n";
        assert_eq!(text, want);
        let manifest = d.join("appendonly.aof.manifest");
        if let Some((rok, rtext)) = redis(&[], &manifest, b"") {
            assert_eq!((rok, without_rdb_check_lines(&rtext)), (true, want.to_string()));
        }
    }

    #[test]
    fn multi_part_refuses_to_fix_a_non_last_file() {
        for (who, d) in [("ours", copy_sample("resp-base")), ("redis", copy_sample("resp-base"))] {
            // Tear the base (not the last file) and the incr.
            let base = d.join("appendonly.aof.4.base.aof");
            let bytes = fs::read(&base).unwrap();
            fs::write(&base, &bytes[..bytes.len() - 3]).unwrap();
            let manifest = d.join("appendonly.aof.manifest");
            let res = if who == "ours" {
                Some(ours(&manifest, CheckOptions { fix: true, yes: true, ..Default::default() }, b"y\n"))
            } else {
                redis(&["--fix"], &manifest, b"y\n")
            };
            let Some((ok, text)) = res else { continue };
            assert!(!ok, "{who}");
            assert!(text.ends_with("Failed to truncate AOF appendonly.aof.4.base.aof because it is not the last file\n"), "{who}: {text}");
            assert_eq!(fs::read(&base).unwrap(), &bytes[..bytes.len() - 3], "{who}");
        }
        // The last file is fixed.
        let d = copy_sample("resp-base");
        let incr = d.join("appendonly.aof.4.incr.aof");
        let bytes = fs::read(&incr).unwrap();
        fs::write(&incr, &bytes[..bytes.len() - 5]).unwrap();
        let (ok, text) = ours(&d.join("appendonly.aof.manifest"), CheckOptions { fix: true, yes: true, ..Default::default() }, b"");
        assert!(ok, "{text}");
        // Unlike the loader, the checker keeps a complete trailing annotation.
        assert_eq!(fs::read(&incr).unwrap(), &bytes[..89]);
        assert!(text.ends_with("Successfully truncated AOF appendonly.aof.4.incr.aof\nAll AOF files and manifest are valid\n"), "{text}");
    }

    #[test]
    fn bad_manifest_and_missing_files() {
        let d = scratch("ck-badman");
        fs::write(d.join("appendonly.aof.manifest"), "file a seq 1 type x\n").unwrap();
        let (ok, text) = ours(&d, CheckOptions::default(), b"");
        assert!(!ok);
        assert_eq!(
            text,
            "Start checking Multi Part AOF\n*** FATAL AOF MANIFEST FILE ERROR ***\nReading the manifest file, at line 1\n\
             >>> 'file a seq 1 type x'\nUnknown AOF file type\n"
        );
        fs::write(d.join("appendonly.aof.manifest"), "file a seq 1 type i\n").unwrap();
        let (ok, text) = ours(&d, CheckOptions::default(), b"");
        assert!(!ok);
        assert!(text.contains(&format!("Cannot open file {}: No such file or directory, aborting...", d.join("a").display())), "{text}");
        let (ok, text) = ours(&d.join("nope.aof"), CheckOptions::default(), b"");
        assert!(!ok);
        assert!(text.starts_with("Cannot open file "), "{text}");
    }

    #[test]
    fn rdb_preamble_failure() {
        let p = scratch("ck-rdb").join("old.aof");
        fs::write(&p, b"REDIS0010junk").unwrap();
        let mut out = Vec::new();
        let ok = check_with_input(&p, CheckOptions::default(), &mut |_| Err("--- RDB ERROR DETECTED ---".into()), &mut out, &mut &b""[..]).unwrap();
        assert!(!ok);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Start checking Old-Style AOF\n--- RDB ERROR DETECTED ---\nRDB preamble of AOF file is not sane, aborting.\n"
        );
    }
}
