//! Differential test: runs the scripts in `tests/diff/*.redis` against a real
//! Redis (Debian's `redis-server` 7.0.x, the specification) and against the
//! `hematite` binary, and compares the raw RESP replies byte for byte.
//!
//! Environment variables:
//! - `HEMATITE_DIFF_AGAINST_REDIS=1`: the "hematite" side is a second
//!   `redis-server` (validates that every script is deterministic).
//! - `HEMATITE_DIFF_FILTER=<substring>`: only run script files whose name
//!   contains the substring.
//! - `HEMATITE_DIFF_TIMEOUT_MS=<ms>`: read timeout per reply (default 5000).
//! - `HEMATITE_DIFF_DUMP=1`: print every line with the reply of both sides.
//!
//! Script format (one command per line, tokens split with Redis's inline
//! command quoting rules: "double quotes" with \n \r \t \b \a \\ \" \xHH
//! escapes, 'single quotes' with \' escapes):
//!
//! ```text
//! # comment                  ignored, as are blank lines
//! SET key "va\x00lue"        send, compare the raw reply byte for byte
//! @conn N                    following commands go to connection N (default 0)
//! @type CMD ...              compare only the RESP type byte of the reply
//! @any CMD ...               send, read the reply, don't compare it
//! @sorted CMD ...            compare aggregates order-insensitively (every
//!                            nested aggregate too; map entries as pairs)
//! @noreply CMD ...           send, expect no reply within 50 ms on both sides
//! @range LO HI CMD ...       integer reply within [LO, HI] on both sides
//! @sleep MS                  sleep
//! @raw BYTES ...             send exact bytes (tokens concatenated, escapes
//!                            as above), read one reply and compare
//! @send BYTES ...            send exact bytes, read nothing
//! @read                      read one reply on the current connection, compare
//! @closed                    the server closed the current connection (EOF)
//!                            on both sides; it is reopened lazily
//! @resp2only / @resp3only    restrict the whole file to one protocol pass
//! ```
//!
//! Every file runs twice: plain connections (RESP2) and connections that
//! send `HELLO 3` first (RESP3; the HELLO reply is not compared). Before
//! each run all connections are closed and `FLUSHALL` is sent on a fresh
//! connection 0.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const SCRIPTS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/diff");
const HEMATITE_BIN: &str = env!("CARGO_BIN_EXE_hematite");
const STARTUP_TIMEOUT: Duration = Duration::from_secs(15);
const NOREPLY_WAIT: Duration = Duration::from_millis(50);
const CLOSE_WAIT: Duration = Duration::from_millis(1000);
const MAX_PRINTED_MISMATCHES: usize = 400;
const MAX_FAILURES_PER_RUN: usize = 3;

// ---------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Flavor {
    Redis,
    Hematite,
}

struct Server {
    label: String,
    flavor: Flavor,
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

static DIR_COUNTER: AtomicUsize = AtomicUsize::new(0);

fn free_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

fn redis_available() -> Result<(), String> {
    match Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(_) => Ok(()),
        Err(e) => Err(format!(
            "cannot run `redis-server` ({e}): it must be on PATH (Debian's redis-server 7.0.x). \
             Run `scripts/test.sh`, which installs it."
        )),
    }
}

/// Sends PING on a fresh connection and checks for +PONG.
fn ping(port: u16) -> bool {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(1000)));
    if s.write_all(b"*1\r\n$4\r\nPING\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 7];
    s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
}

impl Server {
    fn start(flavor: Flavor, label: &str) -> Result<Server, String> {
        let n = DIR_COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!(
            "hematite-diff-{}-{}-{}",
            std::process::id(),
            label,
            n
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let mut server = Server {
            label: label.to_string(),
            flavor,
            child: None,
            port: 0,
            dir,
        };
        server.spawn()?;
        Ok(server)
    }

    fn spawn(&mut self) -> Result<(), String> {
        let mut last_err = String::new();
        for _attempt in 0..5 {
            let port = free_port().map_err(|e| format!("cannot pick a free port: {e}"))?;
            let log_path = self.dir.join("server.log");
            let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
            let log2 = log.try_clone().map_err(|e| e.to_string())?;
            let mut cmd = match self.flavor {
                Flavor::Redis => {
                    let mut c = Command::new("redis-server");
                    c.args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                        .args(["--save", "", "--appendonly", "no"])
                        .args(["--daemonize", "no", "--protected-mode", "no"]);
                    c.arg("--dir").arg(&self.dir);
                    c
                }
                Flavor::Hematite => {
                    let mut c = Command::new(HEMATITE_BIN);
                    c.args(["server", "--port", &port.to_string(), "--bind", "127.0.0.1"]);
                    c
                }
            };
            cmd.current_dir(&self.dir)
                .stdin(Stdio::null())
                .stdout(Stdio::from(log))
                .stderr(Stdio::from(log2));
            let mut child = match cmd.spawn() {
                Ok(c) => c,
                Err(e) => {
                    return Err(match self.flavor {
                        Flavor::Redis => format!(
                        "cannot start redis-server ({e}); run `scripts/test.sh`, which installs it"
                    ),
                        Flavor::Hematite => {
                            format!("cannot start the hematite binary {HEMATITE_BIN}: {e}")
                        }
                    })
                }
            };
            let deadline = Instant::now() + STARTUP_TIMEOUT;
            let mut ok = false;
            let mut exited = None;
            while Instant::now() < deadline {
                if let Ok(Some(status)) = child.try_wait() {
                    exited = Some(status);
                    break;
                }
                if ping(port) {
                    ok = true;
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            if ok {
                self.child = Some(child);
                self.port = port;
                return Ok(());
            }
            let log_text = std::fs::read_to_string(&log_path).unwrap_or_default();
            let tail: String = {
                let lines: Vec<&str> = log_text.lines().collect();
                lines[lines.len().saturating_sub(20)..].join("\n")
            };
            match exited {
                Some(status) => {
                    last_err = format!(
                        "{} ({:?}) on port {port} exited during startup with {status}; log tail:\n{tail}",
                        self.label, self.flavor
                    );
                    // Possibly lost a race for the port: retry with another one.
                    continue;
                }
                None => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "{} ({:?}) on port {port} did not answer PING within {:?}; log tail:\n{tail}",
                        self.label, self.flavor, STARTUP_TIMEOUT
                    ));
                }
            }
        }
        Err(last_err)
    }

    fn is_alive(&mut self) -> bool {
        match self.child.as_mut() {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => false,
        }
    }

    fn exit_status(&mut self) -> String {
        match self.child.as_mut().map(|c| c.try_wait()) {
            Some(Ok(Some(st))) => format!("{st}"),
            Some(Ok(None)) => "still running".into(),
            _ => "unknown".into(),
        }
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill(); // SIGKILL to this PID
            let _ = child.wait();
        }
    }

    fn restart(&mut self) -> Result<(), String> {
        self.kill();
        self.spawn()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

// ---------------------------------------------------------------------------
// Inline-command splitting (Redis's sdssplitargs rules)
// ---------------------------------------------------------------------------

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t' | 0x0b | 0x0c)
}

/// Splits a line the way `sdssplitargs` does. Errors on unbalanced quotes or
/// a closing quote not followed by a space.
fn split_args(line: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = line.len();
    loop {
        while i < n && is_space(line[i]) {
            i += 1;
        }
        if i >= n {
            return Ok(out);
        }
        let mut cur = Vec::new();
        let mut inq = false; // double quotes
        let mut insq = false; // single quotes
        loop {
            if inq {
                if i >= n {
                    return Err("unbalanced double quotes".into());
                }
                let c = line[i];
                if c == b'\\'
                    && i + 3 < n
                    && line[i + 1] == b'x'
                    && hex_val(line[i + 2]).is_some()
                    && hex_val(line[i + 3]).is_some()
                {
                    cur.push(hex_val(line[i + 2]).unwrap() * 16 + hex_val(line[i + 3]).unwrap());
                    i += 4;
                    continue;
                } else if c == b'\\' && i + 1 < n {
                    i += 1;
                    cur.push(match line[i] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return Err("closing quote must be followed by a space".into());
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                }
                i += 1;
            } else if insq {
                if i >= n {
                    return Err("unbalanced single quotes".into());
                }
                let c = line[i];
                if c == b'\\' && i + 1 < n && line[i + 1] == b'\'' {
                    cur.push(b'\'');
                    i += 2;
                    continue;
                } else if c == b'\'' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return Err("closing quote must be followed by a space".into());
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                }
                i += 1;
            } else {
                if i >= n {
                    break;
                }
                let c = line[i];
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => {
                        i += 1;
                        break;
                    }
                    b'"' => inq = true,
                    b'\'' => insq = true,
                    _ => cur.push(c),
                }
                i += 1;
            }
        }
        out.push(cur);
    }
}

// ---------------------------------------------------------------------------
// Scripts
// ---------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Mode {
    Exact,
    Type,
    Any,
    Sorted,
    NoReply,
    Range(i64, i64),
}

#[derive(Clone, Debug)]
enum Op {
    Cmd(Mode, Vec<Vec<u8>>),
    Conn(usize),
    Sleep(u64),
    Raw(Vec<u8>),
    Send(Vec<u8>),
    Read,
    Closed,
}

#[derive(Clone, Debug)]
struct Line {
    lineno: usize,
    text: String,
    op: Op,
    /// Commands this line's section needs (`@requires`); when the tested
    /// server lacks one, the line is reported as pending instead of run.
    requires: Vec<String>,
}

struct Script {
    name: String,
    lines: Vec<Line>,
    resp2: bool,
    resp3: bool,
}

fn parse_script(path: &Path) -> Result<Script, String> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = Vec::new();
    let (mut resp2, mut resp3) = (true, true);
    let mut requires: Vec<String> = Vec::new();
    for (idx, raw_line) in data.split(|&b| b == b'\n').enumerate() {
        let lineno = idx + 1;
        let raw_line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
        let text = String::from_utf8_lossy(raw_line).trim().to_string();
        let trimmed: &[u8] = {
            let s = raw_line
                .iter()
                .position(|c| !is_space(*c))
                .unwrap_or(raw_line.len());
            &raw_line[s..]
        };
        if trimmed.is_empty() || trimmed[0] == b'#' {
            continue;
        }
        let err = |m: String| format!("{name}:{lineno}: {m}: {text}");
        let toks = split_args(trimmed).map_err(&err)?;
        if toks.is_empty() {
            continue;
        }
        let first = String::from_utf8_lossy(&toks[0]).to_string();
        let rest: Vec<Vec<u8>> = toks[1..].to_vec();
        let need_cmd = |r: &Vec<Vec<u8>>| -> Result<(), String> {
            if r.is_empty() {
                Err(err(format!("{first} needs a command")))
            } else {
                Ok(())
            }
        };
        let num = |t: &[u8]| -> Result<i64, String> {
            std::str::from_utf8(t)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or_else(|| err(format!("bad number {:?}", String::from_utf8_lossy(t))))
        };
        let op = if first.starts_with('@') {
            match first.as_str() {
                "@conn" => {
                    if rest.len() != 1 {
                        return Err(err("@conn takes one number".into()));
                    }
                    Op::Conn(num(&rest[0])? as usize)
                }
                "@sleep" => {
                    if rest.len() != 1 {
                        return Err(err("@sleep takes one number".into()));
                    }
                    Op::Sleep(num(&rest[0])? as u64)
                }
                "@type" => {
                    need_cmd(&rest)?;
                    Op::Cmd(Mode::Type, rest)
                }
                "@any" => {
                    need_cmd(&rest)?;
                    Op::Cmd(Mode::Any, rest)
                }
                "@sorted" => {
                    need_cmd(&rest)?;
                    Op::Cmd(Mode::Sorted, rest)
                }
                "@noreply" => {
                    need_cmd(&rest)?;
                    Op::Cmd(Mode::NoReply, rest)
                }
                "@range" => {
                    if rest.len() < 3 {
                        return Err(err("@range LO HI CMD...".into()));
                    }
                    let lo = num(&rest[0])?;
                    let hi = num(&rest[1])?;
                    Op::Cmd(Mode::Range(lo, hi), rest[2..].to_vec())
                }
                "@raw" | "@send" => {
                    if rest.is_empty() {
                        return Err(err(format!("{first} needs bytes")));
                    }
                    let bytes = rest.concat();
                    if first == "@raw" {
                        Op::Raw(bytes)
                    } else {
                        Op::Send(bytes)
                    }
                }
                "@read" => Op::Read,
                "@closed" => Op::Closed,
                "@resp2only" => {
                    resp3 = false;
                    continue;
                }
                "@requires" => {
                    requires = rest.iter().map(|r| String::from_utf8_lossy(r).to_lowercase()).collect();
                    continue;
                }
                "@end" => {
                    requires.clear();
                    continue;
                }
                "@resp3only" => {
                    resp2 = false;
                    continue;
                }
                _ => return Err(err(format!("unknown directive {first}"))),
            }
        } else {
            Op::Cmd(Mode::Exact, toks)
        };
        lines.push(Line { lineno, text, op, requires: requires.clone() });
    }
    Ok(Script {
        name,
        lines,
        resp2,
        resp3,
    })
}

// ---------------------------------------------------------------------------
// RESP client
// ---------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct Reply {
    /// Every byte of the reply as received (attributes included).
    raw: Vec<u8>,
    /// The header line of an aggregate (e.g. `*3\r\n`), or the whole reply for
    /// non-aggregates.
    head: Vec<u8>,
    /// Raw bytes of a leading attribute, if any.
    attr: Vec<u8>,
    children: Vec<Reply>,
    /// Children are key/value pairs (maps).
    pairs: bool,
    /// Aggregate terminator for streamed aggregates (`.\r\n`).
    tail: Vec<u8>,
}

impl Reply {
    fn type_byte(&self) -> u8 {
        self.head.first().copied().unwrap_or(0)
    }

    /// Canonical form for order-insensitive comparison: the elements of
    /// every aggregate are sorted (maps by key/value pair).
    fn canonical(&self) -> Vec<u8> {
        let mut out = self.attr.clone();
        out.extend_from_slice(&self.head);
        if self.pairs {
            let mut items: Vec<Vec<u8>> = self
                .children
                .chunks(2)
                .map(|c| c.iter().flat_map(|r| r.canonical()).collect())
                .collect();
            items.sort();
            items.iter().for_each(|i| out.extend_from_slice(i));
        } else {
            let mut items: Vec<Vec<u8>> = self.children.iter().map(|c| c.canonical()).collect();
            items.sort();
            items.iter().for_each(|i| out.extend_from_slice(i));
        }
        out.extend_from_slice(&self.tail);
        out
    }

    fn integer(&self) -> Option<i64> {
        if self.type_byte() != b':' || !self.children.is_empty() {
            return None;
        }
        std::str::from_utf8(&self.head[1..self.head.len() - 2])
            .ok()?
            .parse()
            .ok()
    }
}

enum ReadError {
    Timeout,
    Eof,
    Io(String),
    Protocol(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Timeout => write!(f, "<timeout: no complete reply>"),
            ReadError::Eof => write!(f, "<connection closed by server>"),
            ReadError::Io(e) => write!(f, "<i/o error: {e}>"),
            ReadError::Protocol(e) => write!(f, "<malformed reply: {e}>"),
        }
    }
}

struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    pos: usize,
    timeout: Duration,
}

impl Conn {
    fn connect(port: u16, timeout: Duration) -> Result<Conn, String> {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let stream = TcpStream::connect_timeout(&addr, timeout)
            .map_err(|e| format!("<cannot connect to port {port}: {e}>"))?;
        let _ = stream.set_nodelay(true);
        stream
            .set_read_timeout(Some(timeout))
            .map_err(|e| e.to_string())?;
        stream
            .set_write_timeout(Some(timeout))
            .map_err(|e| e.to_string())?;
        Ok(Conn {
            stream,
            buf: Vec::new(),
            pos: 0,
            timeout,
        })
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.stream
            .write_all(bytes)
            .map_err(|e| format!("<write failed: {e}>"))
    }

    fn send_command(&mut self, args: &[Vec<u8>]) -> Result<(), String> {
        self.send(&encode_command(args))
    }

    /// Reads more bytes into the buffer; Ok(false) on EOF.
    fn fill(&mut self) -> Result<(), ReadError> {
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
        let mut tmp = [0u8; 16384];
        match self.stream.read(&mut tmp) {
            Ok(0) => Err(ReadError::Eof),
            Ok(n) => {
                self.buf.extend_from_slice(&tmp[..n]);
                Ok(())
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                Err(ReadError::Timeout)
            }
            Err(e) if e.kind() == ErrorKind::ConnectionReset => Err(ReadError::Eof),
            Err(e) => Err(ReadError::Io(e.to_string())),
        }
    }

    fn read_line(&mut self) -> Result<Vec<u8>, ReadError> {
        loop {
            if let Some(p) = self.buf[self.pos..].windows(2).position(|w| w == b"\r\n") {
                let line = self.buf[self.pos..self.pos + p + 2].to_vec();
                self.pos += p + 2;
                return Ok(line);
            }
            self.fill()?;
        }
    }

    fn read_bytes(&mut self, n: usize) -> Result<Vec<u8>, ReadError> {
        while self.buf.len() - self.pos < n {
            self.fill()?;
        }
        let out = self.buf[self.pos..self.pos + n].to_vec();
        self.pos += n;
        Ok(out)
    }

    fn peek_byte(&mut self) -> Result<u8, ReadError> {
        while self.pos >= self.buf.len() {
            self.fill()?;
        }
        Ok(self.buf[self.pos])
    }

    /// Reads exactly one complete reply.
    fn read_reply(&mut self) -> Result<Reply, ReadError> {
        let head = self.read_line()?;
        if head.len() < 3 {
            return Err(ReadError::Protocol(format!("short line {}", escape(&head))));
        }
        let t = head[0];
        let body = &head[1..head.len() - 2];
        let parse_len = |b: &[u8]| -> Result<i64, ReadError> {
            std::str::from_utf8(b)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or_else(|| ReadError::Protocol(format!("bad length in {}", escape(&head))))
        };
        let mut raw = head.clone();
        let mut reply = Reply {
            raw: Vec::new(),
            head: head.clone(),
            attr: Vec::new(),
            children: Vec::new(),
            pairs: false,
            tail: Vec::new(),
        };
        match t {
            b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => {}
            b'$' | b'!' | b'=' => {
                if body == b"?" {
                    // Streamed string: ;len\r\n<data>\r\n ... ;0\r\n
                    loop {
                        let chunk = self.read_line()?;
                        raw.extend_from_slice(&chunk);
                        if chunk[0] != b';' {
                            return Err(ReadError::Protocol("bad streamed chunk".into()));
                        }
                        let n = parse_len(&chunk[1..chunk.len() - 2])?;
                        if n == 0 {
                            break;
                        }
                        raw.extend_from_slice(&self.read_bytes(n as usize + 2)?);
                    }
                } else {
                    let n = parse_len(body)?;
                    if n >= 0 {
                        let data = self.read_bytes(n as usize + 2)?;
                        if &data[n as usize..] != b"\r\n" {
                            return Err(ReadError::Protocol("bulk not terminated by CRLF".into()));
                        }
                        raw.extend_from_slice(&data);
                    }
                }
                reply.head = raw.clone();
            }
            b'*' | b'~' | b'>' | b'%' | b'|' => {
                let pairs = t == b'%' || t == b'|';
                reply.pairs = pairs;
                if body == b"?" {
                    loop {
                        if self.peek_byte()? == b'.' {
                            let end = self.read_line()?;
                            raw.extend_from_slice(&end);
                            reply.tail = end;
                            break;
                        }
                        let c = self.read_reply()?;
                        raw.extend_from_slice(&c.raw);
                        reply.children.push(c);
                    }
                } else {
                    let n = parse_len(body)?;
                    let count = if n < 0 {
                        0
                    } else if pairs {
                        n * 2
                    } else {
                        n
                    };
                    for _ in 0..count {
                        let c = self.read_reply()?;
                        raw.extend_from_slice(&c.raw);
                        reply.children.push(c);
                    }
                }
                if t == b'|' {
                    // An attribute precedes the actual reply.
                    let mut inner = self.read_reply()?;
                    let mut attr = raw;
                    attr.extend_from_slice(&inner.attr);
                    let mut full = attr.clone();
                    full.extend_from_slice(&inner.raw[inner.attr.len()..]);
                    inner.attr = attr;
                    inner.raw = full;
                    return Ok(inner);
                }
            }
            _ => {
                return Err(ReadError::Protocol(format!(
                    "unknown type byte in {}",
                    escape(&head)
                )))
            }
        }
        reply.raw = raw;
        Ok(reply)
    }

    /// Collects bytes that arrived without being asked for. Returns them
    /// (possibly empty); `Err` if the peer closed the connection.
    fn take_stray(&mut self) -> Result<Vec<u8>, ReadError> {
        let mut stray = self.buf[self.pos..].to_vec();
        self.buf.clear();
        self.pos = 0;
        if self.stream.set_nonblocking(true).is_err() {
            return Ok(stray);
        }
        let mut tmp = [0u8; 16384];
        let res = loop {
            match self.stream.read(&mut tmp) {
                Ok(0) => break Err(ReadError::Eof),
                Ok(n) => stray.extend_from_slice(&tmp[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break Ok(()),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == ErrorKind::ConnectionReset => break Err(ReadError::Eof),
                Err(e) => break Err(ReadError::Io(e.to_string())),
            }
        };
        let _ = self.stream.set_nonblocking(false);
        res.map(|_| stray)
    }

    /// Waits `wait` for any byte. Ok(None): nothing arrived.
    fn expect_silence(&mut self, wait: Duration) -> Result<Option<Vec<u8>>, ReadError> {
        if self.pos < self.buf.len() {
            return Ok(Some(self.buf[self.pos..].to_vec()));
        }
        let _ = self.stream.set_read_timeout(Some(wait));
        let r = self.fill();
        let _ = self.stream.set_read_timeout(Some(self.timeout));
        match r {
            Ok(()) => Ok(Some(self.buf[self.pos..].to_vec())),
            Err(ReadError::Timeout) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Waits for the server to close the connection.
    fn expect_closed(&mut self) -> Result<(), String> {
        if self.pos < self.buf.len() {
            return Err(format!(
                "<data instead of EOF: {}>",
                escape(&self.buf[self.pos..])
            ));
        }
        // Redis closes right after writing its error: don't wait long.
        let _ = self
            .stream
            .set_read_timeout(Some(self.timeout.min(CLOSE_WAIT)));
        let r = self.fill();
        let _ = self.stream.set_read_timeout(Some(self.timeout));
        match r {
            Err(ReadError::Eof) => Ok(()),
            Err(e) => Err(format!("<not closed: {e}>")),
            Ok(()) => Err(format!(
                "<data instead of EOF: {}>",
                escape(&self.buf[self.pos..])
            )),
        }
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

fn encode_command(args: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn escape(b: &[u8]) -> String {
    let mut s = String::new();
    for &c in b {
        match c {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
        if s.len() > 3000 {
            s.push_str("...(truncated)");
            break;
        }
    }
    s
}

// ---------------------------------------------------------------------------
// Runner
// ---------------------------------------------------------------------------

/// What one side produced for a line.
enum Outcome {
    Reply(Reply),
    Silence,
    Closed,
    /// The exchange itself broke (timeout, EOF, I/O error, malformed reply).
    Failed(String),
    /// Bytes arrived that should not have (the connection stays usable).
    Unexpected(String),
}

impl Outcome {
    fn show(&self) -> String {
        match self {
            Outcome::Reply(r) => format!("\"{}\"", escape(&r.raw)),
            Outcome::Silence => "<no reply>".into(),
            Outcome::Closed => "<closed>".into(),
            Outcome::Failed(e) | Outcome::Unexpected(e) => e.clone(),
        }
    }
}

struct Side {
    name: &'static str,
    server: Server,
    conns: BTreeMap<usize, Conn>,
    failures: usize,
}

struct Runner {
    sides: [Side; 2],
    timeout: Duration,
    dump: bool,
    resp3: bool,
    current: usize,
    mismatches: Vec<String>,
    /// Unread bytes found on a side's connection before the current line.
    stray: [Option<String>; 2],
    /// Whether the tested server implements a command (cached COMMAND INFO).
    available: std::collections::HashMap<String, bool>,
    /// Lines skipped because the tested server lacks a required command,
    /// with the missing command names.
    pending: usize,
    pending_cmds: std::collections::BTreeSet<String>,
}

impl Runner {
    /// True when the tested side knows every command in `names`.
    fn has_all(&mut self, names: &[String]) -> bool {
        let mut ok = true;
        for n in names {
            if !self.available.contains_key(n) {
                let port = self.sides[1].server.port;
                let known = Conn::connect(port, self.timeout)
                    .and_then(|mut c| {
                        c.send_command(&[b"COMMAND".to_vec(), b"INFO".to_vec(), n.as_bytes().to_vec()])?;
                        c.read_reply().map_err(|e| e.to_string())
                    })
                    .map(|r| r.raw.starts_with(b"*1\r\n*10\r\n"))
                    .unwrap_or(false);
                self.available.insert(n.clone(), known);
            }
            if !self.available[n] {
                self.pending_cmds.insert(n.clone());
                ok = false;
            }
        }
        ok
    }

    fn conn(&mut self, side: usize) -> Result<&mut Conn, String> {
        let id = self.current;
        let timeout = self.timeout;
        let resp3 = self.resp3;
        let s = &mut self.sides[side];
        if !s.conns.contains_key(&id) {
            let mut c = Conn::connect(s.server.port, timeout)?;
            if resp3 {
                c.send_command(&[b"HELLO".to_vec(), b"3".to_vec()])?;
                match c.read_reply() {
                    Ok(r) if r.type_byte() == b'-' || r.type_byte() == b'!' => {
                        return Err(format!("<HELLO 3 failed: {}>", escape(&r.raw)))
                    }
                    Ok(_) => {}
                    Err(e) => return Err(format!("<HELLO 3 failed: {e}>")),
                }
            }
            s.conns.insert(id, c);
        }
        Ok(s.conns.get_mut(&id).unwrap())
    }

    fn drop_conn(&mut self, side: usize) {
        let id = self.current;
        self.sides[side].conns.remove(&id);
    }

    /// Runs one op on one side.
    fn exec(&mut self, side: usize, op: &Op) -> Outcome {
        let conn = match self.conn(side) {
            Ok(c) => c,
            Err(e) => return Outcome::Failed(e),
        };
        // Anything waiting before we send is an unexpected extra reply.
        if !matches!(op, Op::Read | Op::Closed) {
            match conn.take_stray() {
                Ok(stray) if !stray.is_empty() => {
                    // Report it, discard it, and still run the line so the
                    // server state stays in step with the script.
                    self.stray[side] = Some(format!(
                        "had unread data before this line (an extra reply?), discarded: \"{}\"",
                        escape(&stray)
                    ));
                }
                Ok(_) => {}
                Err(ReadError::Eof) => {
                    self.stray[side] = Some(
                        "had its connection closed by the server before this line; reopened it"
                            .into(),
                    );
                    self.drop_conn(side);
                }
                Err(_) => {}
            }
        }
        let conn = match self.conn(side) {
            Ok(c) => c,
            Err(e) => return Outcome::Failed(e),
        };
        let res: Result<Outcome, String> = (|| {
            match op {
                Op::Cmd(Mode::NoReply, args) => {
                    conn.send_command(args)?;
                    match conn.expect_silence(NOREPLY_WAIT) {
                        Ok(None) => Ok(Outcome::Silence),
                        Ok(Some(data)) => {
                            // Consume the unexpected reply to stay in sync.
                            let data = match conn.read_reply() {
                                Ok(r) => r.raw,
                                Err(_) => data,
                            };
                            Ok(Outcome::Unexpected(format!(
                                "<unexpected reply: {}>",
                                escape(&data)
                            )))
                        }
                        Err(e) => Err(e.to_string()),
                    }
                }
                Op::Cmd(_, args) => {
                    conn.send_command(args)?;
                    conn.read_reply()
                        .map(Outcome::Reply)
                        .map_err(|e| e.to_string())
                }
                Op::Raw(bytes) => {
                    conn.send(bytes)?;
                    conn.read_reply()
                        .map(Outcome::Reply)
                        .map_err(|e| e.to_string())
                }
                Op::Send(bytes) => {
                    conn.send(bytes)?;
                    Ok(Outcome::Silence)
                }
                Op::Read => conn
                    .read_reply()
                    .map(Outcome::Reply)
                    .map_err(|e| e.to_string()),
                Op::Closed => Ok(match conn.expect_closed() {
                    Ok(()) => Outcome::Closed,
                    Err(e) => Outcome::Unexpected(e),
                }),
                Op::Conn(_) | Op::Sleep(_) => unreachable!(),
            }
        })();
        match res {
            Ok(o @ (Outcome::Closed | Outcome::Unexpected(_))) if matches!(op, Op::Closed) => {
                // The script expects a fresh connection from here on.
                self.drop_conn(side);
                o
            }
            Ok(o) => o,
            Err(e) => {
                // The stream may be out of sync: start over on this connection.
                self.drop_conn(side);
                Outcome::Failed(e)
            }
        }
    }

    /// Compares the two outcomes; returns an explanation on mismatch.
    fn compare(op: &Op, exp: &Outcome, act: &Outcome) -> Option<String> {
        use Outcome::*;
        if let Failed(e) | Unexpected(e) = exp {
            return Some(format!("the Redis side failed ({e}): script problem?"));
        }
        if let Failed(_) | Unexpected(_) = act {
            return Some(String::new());
        }
        let mode = match op {
            Op::Cmd(m, _) => m.clone(),
            _ => Mode::Exact,
        };
        match (exp, act) {
            (Reply(e), Reply(a)) => match mode {
                Mode::Exact | Mode::NoReply => (e.raw != a.raw).then(String::new),
                Mode::Any => None,
                Mode::Type => (e.type_byte() != a.type_byte()).then(|| "reply types differ".into()),
                Mode::Sorted => {
                    (e.canonical() != a.canonical()).then(|| "replies differ as multisets".into())
                }
                Mode::Range(lo, hi) => {
                    let check = |r: &self::Reply| r.integer().map(|v| v >= lo && v <= hi);
                    match (check(e), check(a)) {
                        (Some(true), Some(true)) => None,
                        (Some(true), _) => Some(format!("actual not an integer in [{lo}, {hi}]")),
                        _ => Some(format!(
                            "the Redis reply is not an integer in [{lo}, {hi}]: script problem?"
                        )),
                    }
                }
            },
            (Silence, Silence) | (Closed, Closed) => None,
            _ => Some(String::new()),
        }
    }

    fn run_script(&mut self, script: &Script, resp3: bool) -> (usize, usize) {
        let proto = if resp3 { "RESP3" } else { "RESP2" };
        self.resp3 = resp3;
        self.current = 0;
        for s in self.sides.iter_mut() {
            s.conns.clear();
            s.failures = 0;
        }
        let mut total = 0;
        let mut bad = 0;

        // Restart a server that died during the previous script.
        for i in 0..2 {
            if !self.sides[i].server.is_alive() {
                let status = self.sides[i].server.exit_status();
                let name = self.sides[i].name;
                self.mismatches.push(format!(
                    "{} [{proto}] before the script: the {name} server had exited ({status}); restarting it",
                    script.name
                ));
                total += 1;
                bad += 1;
                if let Err(e) = self.sides[i].server.restart() {
                    self.mismatches.push(format!(
                        "{} [{proto}] cannot restart {name}: {e}",
                        script.name
                    ));
                    return (total + 1, bad + 1);
                }
            }
        }

        // Setup: FLUSHALL on a fresh connection 0.
        let flush = Op::Cmd(Mode::Exact, vec![b"FLUSHALL".to_vec()]);
        let e = self.exec(0, &flush);
        let a = self.exec(1, &flush);
        let ok = |o: &Outcome| matches!(o, Outcome::Reply(r) if r.raw == b"+OK\r\n");
        if !ok(&e) || !ok(&a) {
            self.mismatches.push(format!(
                "{} [{proto}] setup (connect{} + FLUSHALL) failed\n    expected: {}\n    actual:   {}",
                script.name,
                if resp3 { " + HELLO 3" } else { "" },
                e.show(),
                a.show()
            ));
            total += 1;
            bad += 1;
        }

        for (idx, line) in script.lines.iter().enumerate() {
            match &line.op {
                Op::Conn(n) => {
                    self.current = *n;
                    continue;
                }
                Op::Sleep(ms) => {
                    std::thread::sleep(Duration::from_millis(*ms));
                    continue;
                }
                _ => {}
            }
            if !line.requires.is_empty() && !self.has_all(&line.requires) {
                self.pending += 1;
                continue;
            }
            total += 1;
            let exp = self.exec(0, &line.op);
            let act = self.exec(1, &line.op);
            if self.dump {
                println!(
                    "{}:{} [{proto}] conn {} {}\n    redis:    {}\n    hematite: {}",
                    script.name,
                    line.lineno,
                    self.current,
                    line.text,
                    exp.show(),
                    act.show()
                );
            }
            let mut verdict = Self::compare(&line.op, &exp, &act);
            for (i, who) in ["the Redis side (script problem?)", "the tested side"]
                .iter()
                .enumerate()
            {
                if let Some(stray) = self.stray[i].take() {
                    let note = format!("{who} {stray}");
                    verdict = Some(match verdict {
                        Some(w) if !w.is_empty() => format!("{w}; {note}"),
                        _ => note,
                    });
                }
            }
            if let Some(why) = verdict {
                bad += 1;
                let mut msg = format!(
                    "{}:{} [{proto}] (conn {}) {}\n    expected: {}\n    actual:   {}",
                    script.name,
                    line.lineno,
                    self.current,
                    line.text,
                    exp.show(),
                    act.show()
                );
                if !why.is_empty() {
                    msg.push_str(&format!("\n    ({why})"));
                }
                self.mismatches.push(msg);
                for i in 0..2 {
                    let failed = if i == 0 { &exp } else { &act };
                    if let Outcome::Failed(_) = failed {
                        self.sides[i].failures += 1;
                    }
                }
                // A dead server or a server that keeps timing out: give up
                // on the rest of this file.
                let mut reason = None;
                for i in 0..2 {
                    let name = self.sides[i].name;
                    if !self.sides[i].server.is_alive() {
                        reason = Some(format!(
                            "the {name} server exited ({})",
                            self.sides[i].server.exit_status()
                        ));
                    } else if self.sides[i].failures >= MAX_FAILURES_PER_RUN {
                        reason = Some(format!(
                            "{MAX_FAILURES_PER_RUN} failed reads on the {name} side"
                        ));
                    }
                }
                if let Some(reason) = reason {
                    let skipped = script.lines[idx + 1..]
                        .iter()
                        .filter(|l| !matches!(l.op, Op::Conn(_) | Op::Sleep(_)))
                        .count();
                    self.mismatches.push(format!(
                        "{} [{proto}] aborted after line {}: {reason}; {skipped} lines not run (counted as failures)",
                        script.name, line.lineno
                    ));
                    total += skipped;
                    bad += skipped;
                    break;
                }
            }
        }
        for s in self.sides.iter_mut() {
            s.conns.clear();
        }
        (total, bad)
    }
}

fn env_flag(name: &str) -> bool {
    matches!(std::env::var(name).as_deref(), Ok(v) if !v.is_empty() && v != "0")
}

fn load_scripts() -> Vec<Script> {
    let filter = std::env::var("HEMATITE_DIFF_FILTER").unwrap_or_default();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(SCRIPTS_DIR)
        .unwrap_or_else(|e| panic!("cannot read {SCRIPTS_DIR}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "redis"))
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .contains(filter.as_str())
        })
        .collect();
    paths.sort();
    let mut scripts = Vec::new();
    let mut errors = Vec::new();
    for p in &paths {
        match parse_script(p) {
            Ok(s) => scripts.push(s),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        panic!("script syntax errors:\n{}", errors.join("\n"));
    }
    scripts
}

#[test]
fn differential() {
    if let Err(e) = redis_available() {
        panic!("{e}");
    }
    let scripts = load_scripts();
    assert!(
        !scripts.is_empty(),
        "no script matched in {SCRIPTS_DIR} (HEMATITE_DIFF_FILTER={:?})",
        std::env::var("HEMATITE_DIFF_FILTER").unwrap_or_default()
    );
    let against_redis = env_flag("HEMATITE_DIFF_AGAINST_REDIS");
    let timeout = Duration::from_millis(
        std::env::var("HEMATITE_DIFF_TIMEOUT_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5000),
    );
    let redis = Server::start(Flavor::Redis, "redis").unwrap_or_else(|e| panic!("{e}"));
    let other = if against_redis {
        Server::start(Flavor::Redis, "redis2").unwrap_or_else(|e| panic!("{e}"))
    } else {
        Server::start(Flavor::Hematite, "hematite")
            .unwrap_or_else(|e| panic!("the hematite binary failed to start: {e}"))
    };
    let other_name = if against_redis {
        "second redis"
    } else {
        "hematite"
    };
    println!(
        "differential: redis on port {}, {other_name} on port {}; {} script file(s)",
        redis.port,
        other.port,
        scripts.len()
    );
    let mut runner = Runner {
        sides: [
            Side {
                name: "redis",
                server: redis,
                conns: BTreeMap::new(),
                failures: 0,
            },
            Side {
                name: other_name,
                server: other,
                conns: BTreeMap::new(),
                failures: 0,
            },
        ],
        timeout,
        dump: env_flag("HEMATITE_DIFF_DUMP"),
        resp3: false,
        current: 0,
        mismatches: Vec::new(),
        stray: [None, None],
        available: Default::default(),
        pending: 0,
        pending_cmds: Default::default(),
    };
    let mut summary = Vec::new();
    let (mut grand_total, mut grand_bad) = (0, 0);
    for script in &scripts {
        for resp3 in [false, true] {
            if (resp3 && !script.resp3) || (!resp3 && !script.resp2) {
                continue;
            }
            let (total, bad) = runner.run_script(script, resp3);
            grand_total += total;
            grand_bad += bad;
            summary.push(format!(
                "  {:<22} {}: {:>5} lines, {:>5} ok, {:>5} mismatches",
                script.name,
                if resp3 { "RESP3" } else { "RESP2" },
                total,
                total.saturating_sub(bad),
                bad
            ));
        }
    }
    let mismatches = std::mem::take(&mut runner.mismatches);
    let (pending, pending_cmds) = (runner.pending, std::mem::take(&mut runner.pending_cmds));
    drop(runner); // kills both servers
    for (i, m) in mismatches.iter().enumerate() {
        if i == MAX_PRINTED_MISMATCHES {
            println!(
                "... {} more mismatch reports not shown",
                mismatches.len() - i
            );
            break;
        }
        println!("MISMATCH {m}");
    }
    if pending > 0 {
        println!(
            "differential: {pending} line(s) pending: their sections need commands {other_name} does not implement yet: {}",
            pending_cmds.into_iter().collect::<Vec<_>>().join(" ")
        );
    }
    println!("differential summary (redis vs {other_name}):");
    for s in &summary {
        println!("{s}");
    }
    println!(
        "  total: {grand_total} lines, {} ok, {grand_bad} mismatches",
        grand_total.saturating_sub(grand_bad)
    );
    if grand_bad > 0 {
        panic!("{grand_bad} of {grand_total} differential lines mismatched (see the report above)");
    }
}

/// Fails with a clear message when the hematite binary does not start or
/// does not answer PING.
#[test]
fn hematite_binary_starts() {
    if env_flag("HEMATITE_DIFF_AGAINST_REDIS") {
        println!("HEMATITE_DIFF_AGAINST_REDIS is set: not checking the hematite binary");
        return;
    }
    match Server::start(Flavor::Hematite, "smoke") {
        Ok(server) => {
            assert!(ping(server.port), "hematite stopped answering PING");
        }
        Err(e) => panic!(
            "the hematite binary ({HEMATITE_BIN}) failed to start with \
             `server --port <P> --bind 127.0.0.1`: {e}"
        ),
    }
}

#[test]
fn splitter_follows_redis_rules() {
    let t = |s: &str| split_args(s.as_bytes()).unwrap();
    assert_eq!(
        t("set a b"),
        vec![b"set".to_vec(), b"a".to_vec(), b"b".to_vec()]
    );
    assert_eq!(
        t("  \"a b\"  'c d' "),
        vec![b"a b".to_vec(), b"c d".to_vec()]
    );
    assert_eq!(
        t(r#""\x41\n\r\t\b\a\\\"\q""#),
        vec![b"A\n\r\t\x08\x07\\\"q".to_vec()]
    );
    assert_eq!(t(r"'it\'s' '\n'"), vec![b"it's".to_vec(), b"\\n".to_vec()]);
    assert_eq!(t(r#""""#), vec![Vec::<u8>::new()]);
    assert_eq!(t(r#"a"b c""#), vec![b"ab c".to_vec()]);
    assert!(split_args(b"\"abc").is_err());
    assert!(split_args(b"'abc").is_err());
    assert!(split_args(b"\"a\"b").is_err());
}

#[test]
fn script_parser_understands_directives() {
    let dir = std::env::temp_dir().join(format!("hematite-diff-parse-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sample.redis");
    std::fs::write(
        &path,
        "# comment\n\n@resp3only\nSET k \"a b\"\n@conn 2\n@type CLIENT ID\n@any TIME\n\
         @sorted KEYS *\n@noreply SET x y\n@range -1 5 TTL k\n@sleep 10\n@raw \"PING\\r\\n\" x\n\
         @send \"*0\\r\\n\"\n@read\n@closed\n",
    )
    .unwrap();
    let script = parse_script(&path).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(script.resp3 && !script.resp2);
    let ops: Vec<String> = script.lines.iter().map(|l| format!("{:?}", l.op)).collect();
    assert_eq!(ops.len(), 12, "{ops:?}");
    assert!(matches!(&script.lines[0].op, Op::Cmd(Mode::Exact, a) if a[2] == b"a b"));
    assert_eq!(script.lines[0].lineno, 4);
    assert!(matches!(script.lines[1].op, Op::Conn(2)));
    assert!(matches!(&script.lines[2].op, Op::Cmd(Mode::Type, a) if a.len() == 2));
    assert!(matches!(script.lines[3].op, Op::Cmd(Mode::Any, _)));
    assert!(matches!(script.lines[4].op, Op::Cmd(Mode::Sorted, _)));
    assert!(matches!(script.lines[5].op, Op::Cmd(Mode::NoReply, _)));
    assert!(matches!(&script.lines[6].op, Op::Cmd(Mode::Range(-1, 5), a) if a.len() == 2));
    assert!(matches!(script.lines[7].op, Op::Sleep(10)));
    assert!(matches!(&script.lines[8].op, Op::Raw(b) if b == b"PING\r\nx"));
    assert!(matches!(&script.lines[9].op, Op::Send(b) if b == b"*0\r\n"));
    assert!(matches!(script.lines[10].op, Op::Read));
    assert!(matches!(script.lines[11].op, Op::Closed));
}

#[test]
fn reply_reader_handles_resp3_types() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let payload: &[u8] = b"+OK\r\n-ERR x\r\n:12\r\n$3\r\nabc\r\n$-1\r\n*-1\r\n_\r\n,1.5\r\n#t\r\n\
        (123\r\n!3\r\nerr\r\n=7\r\ntxt:abc\r\n%1\r\n+k\r\n*2\r\n:1\r\n:2\r\n~2\r\n+b\r\n+a\r\n\
        >2\r\n+p\r\n+q\r\n|1\r\n+key\r\n+val\r\n:5\r\n$?\r\n;2\r\nab\r\n;0\r\n*?\r\n:1\r\n.\r\n";
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.write_all(payload).unwrap();
        std::thread::sleep(Duration::from_millis(200));
    });
    let mut c = Conn::connect(port, Duration::from_secs(5)).unwrap();
    let mut raws = Vec::new();
    for _ in 0..18 {
        let r = c.read_reply().unwrap_or_else(|e| panic!("{e}"));
        raws.push(r);
    }
    let joined: Vec<u8> = raws.iter().flat_map(|r| r.raw.clone()).collect();
    assert_eq!(joined, payload);
    assert_eq!(raws[2].integer(), Some(12));
    assert_eq!(
        raws[15].type_byte(),
        b':',
        "an attribute precedes the reply"
    );
    let set_a = raws[13].canonical();
    assert_eq!(set_a, b"~2\r\n+a\r\n+b\r\n");
    server.join().unwrap();
}
