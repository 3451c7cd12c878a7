//! Shared helpers for the persistence integration tests (`persistence.rs`,
//! `persist_crash.rs`, `persist_disk.rs`).
//!
//! * [`Server`] starts the server under test (`hematite server ...`, or
//!   Debian's `redis-server` when `HEMATITE_IT_AGAINST_REDIS=1`) or always
//!   Redis ([`Kind::Redis`], "the other server" for interop), on a free port,
//!   in a directory the test chooses, in its own process group so that
//!   [`Server::kill9`] takes down any forked child (Redis's BGSAVE and
//!   rewrite children) together with the parent, like a power cut would.
//!   Its stdout/stderr go to `<dir>.log`, truncated on every start.
//! * [`Conn`] is a small blocking RESP2/RESP3 client over a std `TcpStream`.
//! * [`populate`] writes a dataset covering every type and encoding;
//!   [`snapshot`] reads every key of every database back (type, encoding,
//!   full value, PTTL) plus FUNCTION LIST, and [`assert_same`] compares two
//!   snapshots with a TTL tolerance.
//! * [`check_rdb`] / [`check_aof`] run `redis-check-rdb` / `redis-check-aof`
//!   or `hematite check-rdb` / `hematite check-aof`.
//!
//! Scratch directories live under `$TMPDIR` (or `/tmp`) and are removed when
//! the [`Scratch`] guard drops, unless `HEMATITE_IT_KEEP=1`.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Which binary a [`Server`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Hematite,
    Redis,
}

/// The server under test: hematite, or Redis with `HEMATITE_IT_AGAINST_REDIS=1`.
pub fn under_test() -> Kind {
    if std::env::var_os("HEMATITE_IT_AGAINST_REDIS").is_some_and(|v| v != "0") {
        Kind::Redis
    } else {
        Kind::Hematite
    }
}

pub fn against_redis() -> bool {
    under_test() == Kind::Redis
}

// ---------------------------------------------------------------------------
// Scratch directories

static SCRATCH_SEQ: AtomicUsize = AtomicUsize::new(0);

/// A temporary directory removed on drop.
pub struct Scratch {
    pub path: PathBuf,
}

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let n = SCRATCH_SEQ.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("hematite-persist-it-{}-{n}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Scratch { path }
    }

    /// A (created) subdirectory.
    pub fn dir(&self, name: &str) -> PathBuf {
        let p = self.path.join(name);
        std::fs::create_dir_all(&p).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::env::var_os("HEMATITE_IT_KEEP").is_some_and(|v| v != "0") {
            eprintln!("keeping {}", self.path.display());
            return;
        }
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Copies a file or a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            copy_tree(&e.path(), &to.join(e.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap_or_else(|e| panic!("copy {} -> {}: {e}", from.display(), to.display()));
    }
}

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// Polls `f` every 10 ms until it holds; panics after `secs` seconds.
pub fn wait_for(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if f() {
            return;
        }
        if Instant::now() > deadline {
            panic!("timed out after {secs} s waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A small deterministic PRNG (xorshift64*), so failing runs can be replayed
/// from the printed seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    /// Seeded from `HEMATITE_IT_SEED` or the clock; prints the seed.
    pub fn from_env(what: &str) -> Rng {
        let seed = std::env::var("HEMATITE_IT_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64);
        eprintln!("{what}: seed {seed} (replay with HEMATITE_IT_SEED={seed})");
        Rng::new(seed)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next() >> 24) as u8).collect()
    }
}

// ---------------------------------------------------------------------------
// Servers

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running (or exited) server process.
pub struct Server {
    pub kind: Kind,
    pub port: u16,
    pub dir: PathBuf,
    pub log: PathBuf,
    child: Option<Child>,
}

/// Why a server did not come up.
#[derive(Debug)]
pub struct StartFailure {
    pub status: Option<ExitStatus>,
    pub log: String,
}

impl Server {
    /// Starts `kind` in `dir` with redis-server style arguments (`--save ""`,
    /// `--appendonly no` are added unless `args` set them) and waits until it
    /// answers PING with PONG.
    pub fn start(kind: Kind, dir: &Path, args: &[&str]) -> Server {
        match Server::try_start(kind, dir, args, Duration::from_secs(30)) {
            Ok(s) => s,
            Err(f) => panic!("{kind:?} in {} did not start ({:?}); log:\n{}", dir.display(), f.status, f.log),
        }
    }

    /// Like [`Server::start`] but returns the exit status and log when the
    /// process exits (or does not answer within `timeout`).
    pub fn try_start(kind: Kind, dir: &Path, args: &[&str], timeout: Duration) -> Result<Server, StartFailure> {
        let srv = Server::spawn(kind, dir, args);
        srv.wait_ready(timeout, true)
    }

    /// Spawns without waiting for anything.
    pub fn spawn(kind: Kind, dir: &Path, args: &[&str]) -> Server {
        std::fs::create_dir_all(dir).unwrap();
        let port = free_port();
        let log = PathBuf::from(format!("{}.log", dir.display()));
        let logf = std::fs::File::create(&log).unwrap();
        let mut full: Vec<String> = vec![
            "--port".into(),
            port.to_string(),
            "--bind".into(),
            "127.0.0.1".into(),
            "--dir".into(),
            dir.display().to_string(),
        ];
        let has = |name: &str| args.iter().any(|a| a.eq_ignore_ascii_case(name));
        if !has("--save") {
            full.extend(["--save".into(), String::new()]);
        }
        if !has("--appendonly") {
            full.extend(["--appendonly".into(), "no".into()]);
        }
        if kind == Kind::Redis {
            full.extend(["--daemonize".into(), "no".into(), "--logfile".into(), String::new()]);
        }
        full.extend(args.iter().map(|s| s.to_string()));
        let mut cmd = match kind {
            Kind::Redis => Command::new("redis-server"),
            Kind::Hematite => {
                let mut c = Command::new(env!("CARGO_BIN_EXE_hematite"));
                c.arg("server");
                c
            }
        };
        cmd.args(&full)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(logf.try_clone().unwrap())
            .stderr(logf)
            .process_group(0);
        let child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {kind:?}: {e}"));
        Server { kind, port, dir: dir.to_path_buf(), log, child: Some(child) }
    }

    /// Waits until the port accepts connections (and, with `pong`, PING
    /// answers PONG rather than -LOADING).
    pub fn wait_ready(mut self, timeout: Duration, pong: bool) -> Result<Server, StartFailure> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(st) = self.child.as_mut().unwrap().try_wait().unwrap() {
                self.child = None;
                return Err(StartFailure { status: Some(st), log: self.log_text() });
            }
            if let Ok(s) = TcpStream::connect(("127.0.0.1", self.port)) {
                if !pong {
                    return Ok(self);
                }
                let mut c = Conn::from_stream(s);
                match c.try_call(&[b"PING"]) {
                    Ok(V::Simple(p)) if p == "PONG" => return Ok(self),
                    _ => {}
                }
            }
            if Instant::now() > deadline {
                self.kill9();
                return Err(StartFailure { status: None, log: self.log_text() });
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    pub fn conn(&self) -> Conn {
        Conn::open(self.port)
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }

    pub fn log_text(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.log).unwrap_or_default()).into_owned()
    }

    /// SIGKILLs the whole process group (the server and any child it forked)
    /// and reaps the server.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ =
                Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).stderr(Stdio::null()).status();
            let _ = child.kill();
            let _ = child.wait();
            // Forked children may outlive the reaped parent for a moment.
            let pgid = child.id();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline && group_alive(pgid) {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }

    /// Sends a signal (e.g. "TERM") to the server process only.
    pub fn signal(&self, sig: &str) {
        let pid = self.pid().expect("server not running");
        let st = Command::new("kill").args([&format!("-{sig}"), &pid.to_string()]).status().unwrap();
        assert!(st.success());
    }

    /// Waits for the server to exit by itself.
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        let child = self.child.as_mut().expect("server not running");
        loop {
            if let Some(st) = child.try_wait().unwrap() {
                let pgid = child.id();
                self.child = None;
                let d2 = Instant::now() + Duration::from_secs(5);
                while Instant::now() < d2 && group_alive(pgid) {
                    std::thread::sleep(Duration::from_millis(5));
                }
                return st;
            }
            if Instant::now() > deadline {
                panic!("server did not exit within {timeout:?}; log:\n{}", self.log_text());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// `SHUTDOWN [args]` and wait for the process to exit.
    pub fn shutdown(&mut self, args: &[&str]) -> ExitStatus {
        let mut c = self.conn();
        let mut cmd: Vec<&[u8]> = vec![b"SHUTDOWN"];
        cmd.extend(args.iter().map(|a| a.as_bytes()));
        c.send(&cmd);
        // The reply is normally the connection closing.
        let _ = c.try_read();
        self.wait_exit(Duration::from_secs(30))
    }

    pub fn running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(c) => c.try_wait().unwrap().is_none(),
            None => false,
        }
    }
}

fn group_alive(pgid: u32) -> bool {
    Command::new("kill")
        .args(["-0", "--", &format!("-{pgid}")])
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

// ---------------------------------------------------------------------------
// RESP client

/// A RESP value, as much as these tests need.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Simple(String),
    Error(String),
    Int(i64),
    Bulk(Vec<u8>),
    Null,
    Array(Vec<V>),
    Push(Vec<V>),
    Map(Vec<V>),
    Double(String),
}

impl V {
    pub fn ok() -> V {
        V::Simple("OK".into())
    }
    pub fn bulk(s: &str) -> V {
        V::Bulk(s.as_bytes().to_vec())
    }
    pub fn int(&self) -> i64 {
        match self {
            V::Int(n) => *n,
            other => panic!("expected an integer reply, got {other:?}"),
        }
    }
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            V::Bulk(b) => b.clone(),
            V::Simple(s) => s.as_bytes().to_vec(),
            other => panic!("expected a bulk reply, got {other:?}"),
        }
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes()).into_owned()
    }
    pub fn array(&self) -> Vec<V> {
        match self {
            V::Array(a) | V::Map(a) | V::Push(a) => a.clone(),
            other => panic!("expected an array reply, got {other:?}"),
        }
    }
    pub fn bulks(&self) -> Vec<Vec<u8>> {
        self.array().iter().map(|v| v.bytes()).collect()
    }
    pub fn is_error(&self) -> bool {
        matches!(self, V::Error(_))
    }
    pub fn err_text(&self) -> String {
        match self {
            V::Error(e) => e.clone(),
            other => panic!("expected an error reply, got {other:?}"),
        }
    }
}

/// A client connection with a read buffer.
pub struct Conn {
    s: TcpStream,
    buf: Vec<u8>,
}

pub fn encode(args: &[&[u8]]) -> Vec<u8> {
    let mut v = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        v.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        v.extend_from_slice(a);
        v.extend_from_slice(b"\r\n");
    }
    v
}

impl Conn {
    pub fn open(port: u16) -> Conn {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        Conn::from_stream(s)
    }

    pub fn from_stream(s: TcpStream) -> Conn {
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.set_nodelay(true).unwrap();
        Conn { s, buf: Vec::new() }
    }

    pub fn set_timeout(&mut self, d: Duration) {
        self.s.set_read_timeout(Some(d)).unwrap();
    }

    pub fn send(&mut self, args: &[&[u8]]) {
        self.try_send(args).unwrap();
    }

    pub fn try_send(&mut self, args: &[&[u8]]) -> std::io::Result<()> {
        self.s.write_all(&encode(args))
    }

    /// Sends a command given as `&str`s and reads its reply.
    pub fn call(&mut self, args: &[&str]) -> V {
        let a: Vec<&[u8]> = args.iter().map(|x| x.as_bytes()).collect();
        self.callb(&a)
    }

    /// Sends a binary command and reads its reply.
    pub fn callb(&mut self, args: &[&[u8]]) -> V {
        self.send(args);
        self.read()
    }

    pub fn try_call(&mut self, args: &[&[u8]]) -> std::io::Result<V> {
        self.try_send(args)?;
        self.try_read()
    }

    /// Asserts `+OK`.
    pub fn ok(&mut self, args: &[&str]) {
        let r = self.call(args);
        assert_eq!(r, V::ok(), "{args:?}");
    }

    /// Pipelines many commands and returns their replies in order.
    pub fn pipeline(&mut self, cmds: &[Vec<Vec<u8>>]) -> Vec<V> {
        for chunk in cmds.chunks(256) {
            let mut out = Vec::new();
            for c in chunk {
                let a: Vec<&[u8]> = c.iter().map(|x| x.as_slice()).collect();
                out.extend_from_slice(&encode(&a));
            }
            self.s.write_all(&out).unwrap();
        }
        // Replies are read after everything is written; chunks keep the
        // socket buffers from deadlocking only for small replies, so read
        // per chunk instead when replies are big.
        cmds.iter().map(|_| self.read()).collect()
    }

    fn fill(&mut self) -> std::io::Result<()> {
        let mut chunk = [0u8; 65536];
        match self.s.read(&mut chunk) {
            Ok(0) => Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed")),
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    fn line(&mut self) -> std::io::Result<String> {
        loop {
            if let Some(p) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let l = String::from_utf8_lossy(&self.buf[..p]).into_owned();
                self.buf.drain(..p + 2);
                return Ok(l);
            }
            self.fill()?;
        }
    }

    pub fn read(&mut self) -> V {
        self.try_read().unwrap_or_else(|e| panic!("reading a reply: {e}"))
    }

    pub fn try_read(&mut self) -> std::io::Result<V> {
        let l = self.line()?;
        if l.is_empty() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "empty reply line"));
        }
        let (t, rest) = l.split_at(1);
        let num = |s: &str| -> std::io::Result<i64> {
            s.parse().map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("bad length {s:?}")))
        };
        Ok(match t {
            "+" => V::Simple(rest.into()),
            "-" => V::Error(rest.into()),
            ":" => V::Int(num(rest)?),
            "_" => V::Null,
            "," => V::Double(rest.into()),
            "#" => V::Simple(rest.into()),
            "$" | "=" | "!" => {
                let n = num(rest)?;
                if n < 0 {
                    return Ok(V::Null);
                }
                let n = n as usize;
                while self.buf.len() < n + 2 {
                    self.fill()?;
                }
                let b = self.buf[..n].to_vec();
                self.buf.drain(..n + 2);
                if t == "!" {
                    V::Error(String::from_utf8_lossy(&b).into_owned())
                } else {
                    V::Bulk(b)
                }
            }
            "*" | ">" | "%" | "~" => {
                let n = num(rest)?;
                if n < 0 {
                    return Ok(V::Null);
                }
                let n = if t == "%" { 2 * n } else { n };
                let mut items = Vec::with_capacity(n as usize);
                for _ in 0..n {
                    items.push(self.try_read()?);
                }
                match t {
                    ">" => V::Push(items),
                    "%" => V::Map(items),
                    _ => V::Array(items),
                }
            }
            _ => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("unexpected reply line {l:?}"),
                ))
            }
        })
    }
}

/// All `field:value` lines of `INFO <section>`.
pub fn info(c: &mut Conn, section: &str) -> BTreeMap<String, String> {
    let text = c.call(&["INFO", section]).text();
    text.lines().filter_map(|l| l.split_once(':')).map(|(k, v)| (k.to_string(), v.trim().to_string())).collect()
}

/// One field of `INFO <section>`.
pub fn info_field(c: &mut Conn, section: &str, field: &str) -> String {
    info(c, section).remove(field).unwrap_or_else(|| panic!("no {field} in INFO {section}"))
}

// ---------------------------------------------------------------------------
// The dataset

/// Far-future TTLs (30 and 40 days) so nothing expires during a test.
pub const TTL_MS: i64 = 30 * 86_400_000;

pub const FUNCTION_LIB: &str = "#!lua name=ptestlib\n\
redis.register_function('ptest_echo', function(keys, args) return args[1] end)\n\
redis.register_function{function_name='ptest_get', callback=function(keys, args) return redis.call('GET', keys[1]) end, flags={'no-writes'}}\n";

fn bs(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

fn cmd(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}

/// The commands that build the dataset (excluding FUNCTION LOAD), for db
/// `SELECT`s included. Deterministic, so two servers get the same data.
pub fn dataset_commands() -> Vec<Vec<Vec<u8>>> {
    let mut rng = Rng::new(0x5eed);
    let mut c: Vec<Vec<Vec<u8>>> = Vec::new();
    let exp_at = (now_ms() + 40 * 86_400_000).to_string();
    let ttl = TTL_MS.to_string();
    c.push(cmd(&[b"SELECT", b"0"]));
    // Strings: int, embstr, raw, 1 MB (half random, half repetitive so LZF
    // has something to do), empty key, empty value, binary key and value.
    for (k, v) in [
        ("str:int", "12345"),
        ("str:zero", "0"),
        ("str:negint", "-9223372036854775808"),
        ("str:maxint", "9223372036854775807"),
        ("str:notint", "9223372036854775808"),
        ("str:leadingzero", "007"),
        ("str:float", "3.14"),
        ("str:short", "hello world"),
    ] {
        c.push(cmd(&[b"SET", k.as_bytes(), v.as_bytes()]));
    }
    c.push(cmd(&[b"SET", b"str:44", &[b'a'; 44]]));
    c.push(cmd(&[b"SET", b"str:45", &[b'b'; 45]]));
    c.push(cmd(&[b"SET", b"str:long", "long value ".repeat(40).as_bytes()]));
    let mut big = rng.bytes(512 * 1024);
    big.extend("repetitive ".repeat(512 * 1024 / 11 + 1).as_bytes());
    big.truncate(1024 * 1024);
    c.push(cmd(&[b"SET", b"str:1mb", &big]));
    c.push(cmd(&[b"SET", b"", b"the empty key"]));
    c.push(cmd(&[b"SET", b"str:empty", b""]));
    let all: Vec<u8> = (0..=255u8).collect();
    c.push(cmd(&[b"SET", b"bin\x00\xff\r\nkey", &all]));
    // Lists (all "quicklist" in 7.0): small, many nodes (> 8 KB), a big element.
    c.push(cmd(&[b"RPUSH", b"list:small", b"a", b"b", b"c", b"1", b"2", b"-3", b""]));
    let mut l = vec![bs("RPUSH"), bs("list:multi")];
    for i in 0..400 {
        l.push(format!("element {i:04} {}", "x".repeat(48)).into_bytes());
    }
    c.push(l);
    let mut l = vec![bs("RPUSH"), bs("list:ints")];
    for i in 0..300i64 {
        l.push((i * 1_000_003 - 150_000_000).to_string().into_bytes());
    }
    c.push(l);
    c.push(cmd(&[b"RPUSH", b"list:bigelem", b"before", &rng.bytes(20_000), b"after"]));
    // Hashes: listpack, hashtable by count, hashtable by value size, binary.
    c.push(cmd(&[b"HSET", b"hash:lp", b"f1", b"v1", b"f2", b"2", b"f3", b"", b"", b"empty field"]));
    let mut h = vec![bs("HSET"), bs("hash:ht")];
    for i in 0..200 {
        h.push(format!("field{i}").into_bytes());
        h.push(format!("value {i}").into_bytes());
    }
    c.push(h);
    c.push(cmd(&[b"HSET", b"hash:bigval", b"small", b"1", b"big", &[b'v'; 100]]));
    c.push(cmd(&[b"HSET", b"hash:bin", b"\x00\x01", &all, b"n", b"-17"]));
    // Sets: intset with 16/32/64-bit members, hashtable (strings, > 512 ints).
    c.push(cmd(&[b"SADD", b"set:int16", b"1", b"2", b"3", b"-5", b"32767", b"-32768"]));
    c.push(cmd(&[b"SADD", b"set:int32", b"1", b"70000", b"-70000", b"2147483647"]));
    c.push(cmd(&[
        b"SADD",
        b"set:int64",
        b"1",
        b"5000000000",
        b"-5000000000",
        b"9223372036854775807",
        b"-9223372036854775808",
    ]));
    c.push(cmd(&[b"SADD", b"set:ht", b"a", b"b", b"c", b"", b"12"]));
    let mut s = vec![bs("SADD"), bs("set:manyints")];
    for i in 0..600 {
        s.push((i * 7).to_string().into_bytes());
    }
    c.push(s);
    // Sorted sets: listpack and skiplist, inf/-inf/negative/fractional scores.
    c.push(cmd(&[
        b"ZADD", b"zset:lp", b"1", b"a", b"2.5", b"b", b"-3", b"c", b"inf", b"d", b"-inf", b"e", b"0", b"f", b"1e-7",
        b"g", b"-0.125", b"h",
    ]));
    let mut z = vec![bs("ZADD"), bs("zset:sl")];
    for i in 0..200 {
        z.push(format!("{}", i as f64 * 0.5 - 50.25).into_bytes());
        z.push(format!("member{i}").into_bytes());
    }
    z.extend([bs("inf"), bs("top"), bs("-inf"), bs("bottom"), bs("3.0000000000000004"), bs("precise")]);
    c.push(z);
    c.push(cmd(&[b"ZADD", b"zset:bigmember", b"1.5", &[b'm'; 100], b"-2", b"small"]));
    // Keys with TTLs.
    c.push(cmd(&[b"SET", b"ttl:str", b"expiring", b"PX", ttl.as_bytes()]));
    c.push(cmd(&[b"RPUSH", b"ttl:list", b"a", b"b"]));
    c.push(cmd(&[b"PEXPIREAT", b"ttl:list", exp_at.as_bytes()]));
    c.push(cmd(&[b"HSET", b"ttl:hash", b"f", b"v"]));
    c.push(cmd(&[b"PEXPIRE", b"ttl:hash", ttl.as_bytes()]));
    c.push(cmd(&[b"SADD", b"ttl:set", b"1", b"2"]));
    c.push(cmd(&[b"PEXPIREAT", b"ttl:set", exp_at.as_bytes()]));
    c.push(cmd(&[b"ZADD", b"ttl:zset", b"1", b"x"]));
    c.push(cmd(&[b"PEXPIRE", b"ttl:zset", ttl.as_bytes()]));
    // Other databases.
    c.push(cmd(&[b"SELECT", b"1"]));
    c.push(cmd(&[b"SET", b"db1:str", b"in db 1"]));
    c.push(cmd(&[b"HSET", b"db1:hash", b"a", b"1"]));
    c.push(cmd(&[b"SET", b"db1:ttl", b"t", b"PX", ttl.as_bytes()]));
    c.push(cmd(&[b"SET", b"str:int", b"same name, other db"]));
    c.push(cmd(&[b"SELECT", b"9"]));
    c.push(cmd(&[b"SADD", b"db9:set", b"x", b"y"]));
    c.push(cmd(&[b"RPUSH", b"db9:list", b"1"]));
    c.push(cmd(&[b"SELECT", b"15"]));
    c.push(cmd(&[b"SET", b"db15:last", b"15"]));
    c.push(cmd(&[b"SELECT", b"0"]));
    c
}

/// Writes the dataset and the function library; leaves the connection on db 0.
pub fn populate(c: &mut Conn) {
    let cmds = dataset_commands();
    for (cmd, r) in cmds.iter().zip(c.pipeline(&cmds)) {
        assert!(!r.is_error(), "{:?}: {r:?}", String::from_utf8_lossy(&cmd[0]));
    }
    assert_eq!(c.call(&["FUNCTION", "LOAD", FUNCTION_LIB]), V::bulk("ptestlib"));
}

/// What one key holds.
#[derive(Debug, Clone, PartialEq)]
pub struct KeySnap {
    pub ty: String,
    pub encoding: String,
    /// GET / LRANGE / HGETALL (pairs sorted) / SMEMBERS (sorted) / ZRANGE WITHSCORES.
    pub value: Vec<Vec<u8>>,
    /// PTTL: -1 without a TTL.
    pub pttl: i64,
}

/// Every key of every database plus the function libraries.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub keys: BTreeMap<(u32, Vec<u8>), KeySnap>,
    pub functions: V,
}

/// Reads everything back (16 databases).
pub fn snapshot(c: &mut Conn) -> Snapshot {
    let mut keys = BTreeMap::new();
    for db in 0..16u32 {
        c.ok(&["SELECT", &db.to_string()]);
        let names = c.call(&["KEYS", "*"]).bulks();
        for k in names {
            let ty = c.callb(&[b"TYPE", &k]).text();
            let encoding = c.callb(&[b"OBJECT", b"ENCODING", &k]).text();
            let r = match ty.as_str() {
                "string" => c.callb(&[b"GET", &k]),
                "list" => c.callb(&[b"LRANGE", &k, b"0", b"-1"]),
                "hash" => c.callb(&[b"HGETALL", &k]),
                "set" => c.callb(&[b"SMEMBERS", &k]),
                "zset" => c.callb(&[b"ZRANGE", &k, b"0", b"-1", b"WITHSCORES"]),
                other => panic!("unexpected type {other}"),
            };
            let mut value = match r {
                V::Bulk(b) => vec![b],
                other => other.bulks(),
            };
            match ty.as_str() {
                "set" => value.sort(),
                "hash" => {
                    let mut pairs: Vec<Vec<u8>> = value.chunks(2).map(|p| p.concat_with_len()).collect();
                    pairs.sort();
                    value = pairs;
                }
                _ => {}
            }
            let pttl = c.callb(&[b"PTTL", &k]).int();
            keys.insert((db, k), KeySnap { ty, encoding, value, pttl });
        }
    }
    c.ok(&["SELECT", "0"]);
    let functions = normalize_functions(c.call(&["FUNCTION", "LIST", "WITHCODE"]));
    Snapshot { keys, functions }
}

/// FUNCTION LIST lists a library's functions in hash-table order: sort them.
fn normalize_functions(v: V) -> V {
    let V::Array(libs) = v else { return v };
    V::Array(
        libs.into_iter()
            .map(|lib| match lib {
                V::Array(mut kv) | V::Map(mut kv) => {
                    for i in (1..kv.len()).step_by(2) {
                        if kv[i - 1] == V::bulk("functions") {
                            if let V::Array(fs) = &mut kv[i] {
                                fs.sort_by_key(|f| format!("{f:?}"));
                            }
                        }
                    }
                    V::Array(kv)
                }
                other => other,
            })
            .collect(),
    )
}

trait ConcatWithLen {
    fn concat_with_len(&self) -> Vec<u8>;
}

impl ConcatWithLen for [Vec<u8>] {
    /// A hash field/value pair as one comparable byte string.
    fn concat_with_len(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for p in self {
            out.extend_from_slice(format!("{}:", p.len()).as_bytes());
            out.extend_from_slice(p);
        }
        out
    }
}

fn show(b: &[u8]) -> String {
    let s: String = b.iter().take(60).flat_map(|&c| std::ascii::escape_default(c)).map(char::from).collect();
    if b.len() > 60 {
        format!("{s}...({} bytes)", b.len())
    } else {
        s
    }
}

/// Asserts two snapshots hold the same keys, types, encodings, values,
/// functions, and PTTLs within `ttl_tolerance_ms`.
pub fn assert_same(what: &str, expected: &Snapshot, got: &Snapshot, ttl_tolerance_ms: i64) {
    assert_same_opts(what, expected, got, ttl_tolerance_ms, true)
}

pub fn assert_same_opts(what: &str, expected: &Snapshot, got: &Snapshot, ttl_tolerance_ms: i64, encodings: bool) {
    let mut diffs = Vec::new();
    for ((db, k), e) in &expected.keys {
        match got.keys.get(&(*db, k.clone())) {
            None => diffs.push(format!("db {db} key {:?}: missing", show(k))),
            Some(g) => {
                if e.ty != g.ty {
                    diffs.push(format!("db {db} key {:?}: type {} vs {}", show(k), e.ty, g.ty));
                }
                if encodings && e.encoding != g.encoding {
                    diffs.push(format!("db {db} key {:?}: encoding {} vs {}", show(k), e.encoding, g.encoding));
                }
                if e.value != g.value {
                    let first = e.value.iter().zip(&g.value).position(|(a, b)| a != b);
                    diffs.push(format!(
                        "db {db} key {:?}: value differs ({} vs {} items, first difference at {first:?}: {:?} vs {:?})",
                        show(k),
                        e.value.len(),
                        g.value.len(),
                        first.map(|i| show(&e.value[i])),
                        first.map(|i| show(&g.value[i])),
                    ));
                }
                let ttl_ok = if e.pttl < 0 || g.pttl < 0 {
                    e.pttl == g.pttl
                } else {
                    (e.pttl - g.pttl).abs() <= ttl_tolerance_ms
                };
                if !ttl_ok {
                    diffs.push(format!("db {db} key {:?}: pttl {} vs {}", show(k), e.pttl, g.pttl));
                }
            }
        }
    }
    for (db, k) in got.keys.keys() {
        if !expected.keys.contains_key(&(*db, k.clone())) {
            diffs.push(format!("db {db} key {:?}: unexpected", show(k)));
        }
    }
    if expected.functions != got.functions {
        diffs.push(format!("FUNCTION LIST WITHCODE: {:?} vs {:?}", expected.functions, got.functions));
    }
    if !diffs.is_empty() {
        panic!("{what}: {} differences (expected vs got):\n  {}", diffs.len(), diffs.join("\n  "));
    }
}

// ---------------------------------------------------------------------------
// Check tools

/// Runs `redis-check-rdb FILE` or `hematite check-rdb FILE`; returns
/// (success, stdout+stderr).
pub fn check_rdb(kind: Kind, file: &Path) -> (bool, String) {
    let mut cmd = match kind {
        Kind::Redis => Command::new("redis-check-rdb"),
        Kind::Hematite => {
            let mut c = Command::new(env!("CARGO_BIN_EXE_hematite"));
            c.arg("check-rdb");
            c
        }
    };
    let out = cmd.arg(file).stdin(Stdio::null()).output().expect("run check-rdb");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// Runs `redis-check-aof [--fix] PATH` or `hematite check-aof [--fix] PATH`
/// with `stdin` as its input (the `--fix` confirmation); returns
/// (success, stdout+stderr).
pub fn check_aof(kind: Kind, path: &Path, fix: bool, stdin: &str) -> (bool, String) {
    let mut cmd = match kind {
        Kind::Redis => Command::new("redis-check-aof"),
        Kind::Hematite => {
            let mut c = Command::new(env!("CARGO_BIN_EXE_hematite"));
            c.arg("check-aof");
            c
        }
    };
    if fix {
        cmd.arg("--fix");
    }
    let mut child = cmd
        .arg(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run check-aof");
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// The files a multi-part AOF manifest lists: (file name, type letter b/h/i).
pub fn manifest_files(aofdir: &Path) -> Vec<(String, String)> {
    let manifest = find_manifest(aofdir);
    let text = std::fs::read_to_string(&manifest).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let get =
                |k: &str| words.iter().position(|w| *w == k).and_then(|i| words.get(i + 1)).map(|s| s.to_string());
            (get("file").expect("manifest line without file"), get("type").expect("manifest line without type"))
        })
        .collect()
}

pub fn find_manifest(aofdir: &Path) -> PathBuf {
    std::fs::read_dir(aofdir)
        .unwrap_or_else(|e| panic!("read {}: {e}", aofdir.display()))
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".manifest"))
        .unwrap_or_else(|| panic!("no manifest in {}", aofdir.display()))
}

/// The path of the last incremental file of the AOF in `aofdir`.
pub fn last_incr(aofdir: &Path) -> PathBuf {
    let files = manifest_files(aofdir);
    let (name, _) = files.iter().rev().find(|(_, t)| t == "i").expect("no incr file in manifest");
    aofdir.join(name)
}

/// Byte offsets just past each complete RESP command in an AOF file, with
/// the command's arguments.
pub fn aof_commands(data: &[u8]) -> Vec<(usize, Vec<Vec<u8>>)> {
    let mut out = Vec::new();
    let mut pos = 0;
    let line = |pos: &mut usize| -> Option<String> {
        let rest = &data[*pos..];
        let p = rest.windows(2).position(|w| w == b"\r\n")?;
        let l = String::from_utf8_lossy(&rest[..p]).into_owned();
        *pos += p + 2;
        Some(l)
    };
    while pos < data.len() {
        let l = match line(&mut pos) {
            Some(l) => l,
            None => break,
        };
        if l.starts_with('#') {
            // Timestamp annotation; not a command.
            continue;
        }
        let n: usize = l[1..].parse().expect("AOF: bad *N line");
        let mut args = Vec::new();
        for _ in 0..n {
            let l = line(&mut pos).expect("AOF: truncated");
            let len: usize = l[1..].parse().expect("AOF: bad $N line");
            args.push(data[pos..pos + len].to_vec());
            pos += len + 2;
        }
        out.push((pos, args));
    }
    out
}
