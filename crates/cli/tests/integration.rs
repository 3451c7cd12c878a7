//! Integration tests against the real `hematite` binary: limits, auth,
//! configuration at startup, client management and shutdown. Every test
//! starts its own server on a free port. Behaviour that Redis defines is
//! checked by the differential suite; these tests cover what needs several
//! connections, special configuration, or process-level observation.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn tempdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("hematite-it-{tag}-{}-{}", std::process::id(), free_port()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn start(args: &[&str]) -> Server {
    for _ in 0..5 {
        let port = free_port();
        let dir = tempdir("srv");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hematite"));
        cmd.arg("server").args(["--port", &port.to_string(), "--bind", "127.0.0.1"]).args(args);
        cmd.current_dir(&dir).stdout(Stdio::null()).stderr(Stdio::null());
        let child = cmd.spawn().expect("start hematite");
        let srv = Server { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return srv;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    panic!("hematite did not start");
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

/// Sends raw bytes and reads until `expect_len` bytes or EOF/timeout.
fn roundtrip(s: &mut TcpStream, req: &[u8], expect: &[u8]) {
    s.write_all(req).unwrap();
    let got = read_n(s, expect.len());
    assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(expect), "request {:?}", String::from_utf8_lossy(req));
}

fn read_n(s: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 65536];
    while got.len() < n {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => got.extend_from_slice(&buf[..k]),
            Err(_) => break,
        }
    }
    got
}

fn assert_closed(s: &mut TcpStream) {
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match s.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return,
            Err(_) if Instant::now() < deadline => continue,
            Err(e) => panic!("connection not closed: {e}"),
        }
    }
}

fn cmd(args: &[&[u8]]) -> Vec<u8> {
    let mut v = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        v.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        v.extend_from_slice(a);
        v.extend_from_slice(b"\r\n");
    }
    v
}

#[test]
fn ping_inline_and_healthcheck_style() {
    let srv = start(&[]);
    let mut s = connect(srv.port);
    roundtrip(&mut s, b"PING\r\n", b"+PONG\r\n");
    roundtrip(&mut s, b"incr ping\r\n", b":1\r\n");
    roundtrip(&mut s, b"incr ping\n", b":2\r\n");
}

#[test]
fn requirepass_auth_flow() {
    let srv = start(&["--requirepass", "s3cret"]);
    let mut s = connect(srv.port);
    roundtrip(&mut s, &cmd(&[b"GET", b"a"]), b"-NOAUTH Authentication required.\r\n");
    roundtrip(&mut s, &cmd(&[b"AUTH", b"wrong"]), b"-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    roundtrip(&mut s, &cmd(&[b"AUTH", b"s3cret"]), b"+OK\r\n");
    roundtrip(&mut s, &cmd(&[b"SET", b"a", b"1"]), b"+OK\r\n");
    // HELLO 3 AUTH default <pw> as redis-py 8 sends it.
    let mut t = connect(srv.port);
    t.write_all(&cmd(&[b"HELLO", b"3", b"AUTH", b"default", b"s3cret"])).unwrap();
    let got = read_n(&mut t, 10);
    assert!(got.starts_with(b"%7\r\n"), "{:?}", String::from_utf8_lossy(&got));
    // Unauthenticated clients may not send big requests.
    let mut u = connect(srv.port);
    roundtrip(&mut u, b"*20\r\n", b"-ERR Protocol error: unauthenticated multibulk length\r\n");
    assert_closed(&mut u);
    // Changing the password at runtime applies to new connections.
    roundtrip(&mut s, &cmd(&[b"CONFIG", b"SET", b"requirepass", b""]), b"+OK\r\n");
    let mut v = connect(srv.port);
    roundtrip(&mut v, &cmd(&[b"GET", b"a"]), b"$1\r\n1\r\n");
}

#[test]
fn maxclients_refuses_extra_connections() {
    let srv = start(&["--maxclients", "2"]);
    // Let the server notice that start()'s readiness probe disconnected.
    std::thread::sleep(Duration::from_millis(300));
    let mut a = connect(srv.port);
    let mut b = connect(srv.port);
    roundtrip(&mut a, b"PING\r\n", b"+PONG\r\n");
    roundtrip(&mut b, b"PING\r\n", b"+PONG\r\n");
    let mut c = connect(srv.port);
    let got = read_n(&mut c, 36);
    assert_eq!(&got[..], b"-ERR max number of clients reached\r\n");
    drop(a);
    std::thread::sleep(Duration::from_millis(200));
    let mut d = connect(srv.port);
    roundtrip(&mut d, b"PING\r\n", b"+PONG\r\n");
}

#[test]
fn proto_max_bulk_len_and_query_buffer_limit() {
    let srv = start(&["--proto-max-bulk-len", "1mb", "--client-query-buffer-limit", "2mb"]);
    let mut s = connect(srv.port);
    roundtrip(&mut s, b"*2\r\n$3\r\nGET\r\n$2000000\r\n", b"-ERR Protocol error: invalid bulk length\r\n");
    assert_closed(&mut s);
    // 4 GB bulk length: refused, and the server keeps serving others.
    let mut t = connect(srv.port);
    roundtrip(&mut t, b"*1\r\n$4294967296\r\n", b"-ERR Protocol error: invalid bulk length\r\n");
    let mut u = connect(srv.port);
    roundtrip(&mut u, b"PING\r\n", b"+PONG\r\n");
    // A request that never completes is cut at the query buffer limit.
    let mut q = connect(srv.port);
    q.write_all(b"*1000\r\n").unwrap();
    let chunk = cmd(&[&vec![b'x'; 900_000]]);
    let chunk = &chunk[4..];
    let mut closed = false;
    for _ in 0..5 {
        if q.write_all(chunk).is_err() {
            closed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    if !closed {
        assert_closed(&mut q);
    }
    roundtrip(&mut u, b"PING\r\n", b"+PONG\r\n");
}

#[test]
fn idle_timeout_closes_client() {
    let srv = start(&["--timeout", "1"]);
    let mut s = connect(srv.port);
    roundtrip(&mut s, b"PING\r\n", b"+PONG\r\n");
    std::thread::sleep(Duration::from_millis(1600));
    assert_closed(&mut s);
}

#[test]
fn client_kill_and_list() {
    let srv = start(&[]);
    let mut a = connect(srv.port);
    let mut b = connect(srv.port);
    roundtrip(&mut b, &cmd(&[b"CLIENT", b"SETNAME", b"victim"]), b"+OK\r\n");
    b.write_all(&cmd(&[b"CLIENT", b"ID"])).unwrap();
    let id = String::from_utf8(read_n(&mut b, 3)).unwrap();
    let id = id.trim().trim_start_matches(':').to_string();
    a.write_all(&cmd(&[b"CLIENT", b"LIST"])).unwrap();
    let list = String::from_utf8(read_n(&mut a, 200)).unwrap();
    assert!(list.contains("name=victim") || list.contains("id="), "{list}");
    roundtrip(&mut a, &cmd(&[b"CLIENT", b"KILL", b"ID", id.as_bytes()]), b":1\r\n");
    assert_closed(&mut b);
}

#[test]
fn output_buffer_limit_for_normal_clients() {
    let srv = start(&["--client-output-buffer-limit", "normal", "1mb", "0", "0"]);
    let mut s = connect(srv.port);
    roundtrip(&mut s, &cmd(&[b"SET", b"big", &vec![b'v'; 600_000]]), b"+OK\r\n");
    // Two GETs in one pipeline produce 1.2 MB of replies: over the limit.
    let mut req = cmd(&[b"GET", b"big"]);
    req.extend(cmd(&[b"GET", b"big"]));
    s.write_all(&req).unwrap();
    assert_closed(&mut s);
    let mut t = connect(srv.port);
    roundtrip(&mut t, b"PING\r\n", b"+PONG\r\n");
}

#[test]
fn unknown_directive_fails_startup_naming_the_line() {
    let dir = tempdir("conf");
    let conf = dir.join("bad.conf");
    std::fs::write(&conf, "port 7000\nfoo bar\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hematite")).arg("server").arg(&conf).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2") && err.contains("'foo bar'") && err.contains("Bad directive"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unsupported_feature_fails_startup() {
    for args in [&["--replicaof", "127.0.0.1 6379"][..], &["--cluster-enabled", "yes"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_hematite")).arg("server").args(args).arg("--port").arg("0").output().unwrap();
        assert!(!out.status.success(), "{args:?} was accepted");
    }
}

#[test]
fn shutdown_and_pidfile() {
    let dir = tempdir("pid");
    let pidfile = dir.join("h.pid");
    let srv = start(&["--pidfile", pidfile.to_str().unwrap()]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !pidfile.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid: u32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
    assert_eq!(pid, srv.child.id());
    let mut s = connect(srv.port);
    s.write_all(&cmd(&[b"SHUTDOWN", b"NOSAVE"])).unwrap();
    assert_closed(&mut s);
    let mut srv = srv;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(st) = srv.child.try_wait().unwrap() {
            assert!(st.success());
            break;
        }
        assert!(Instant::now() < deadline, "server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!pidfile.exists(), "pid file not removed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sigterm_is_graceful() {
    let mut srv = start(&[]);
    unsafe_kill(srv.child.id(), 15);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(st) = srv.child.try_wait().unwrap() {
            assert!(st.success(), "exit status {st:?}");
            break;
        }
        assert!(Instant::now() < deadline, "server did not exit on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn unsafe_kill(pid: u32, sig: i32) {
    Command::new("kill").arg(format!("-{sig}")).arg(pid.to_string()).status().unwrap();
}

#[test]
fn unix_socket() {
    let dir = tempdir("unix");
    let path = dir.join("h.sock");
    let _srv = start(&["--unixsocket", path.to_str().unwrap()]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !path.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut s = std::os::unix::net::UnixStream::connect(&path).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"PING\r\n").unwrap();
    let mut buf = [0u8; 7];
    s.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"+PONG\r\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn active_expiry_removes_untouched_keys() {
    let srv = start(&["--hz", "50"]);
    let mut s = connect(srv.port);
    let mut pipe = Vec::new();
    for i in 0..2000 {
        pipe.extend(cmd(&[b"SET", format!("k{i}").as_bytes(), b"v", b"PX", b"100"]));
    }
    s.write_all(&pipe).unwrap();
    let got = read_n(&mut s, 2000 * 5);
    assert_eq!(got.len(), 2000 * 5);
    std::thread::sleep(Duration::from_millis(1500));
    roundtrip(&mut s, &cmd(&[b"DBSIZE"]), b":0\r\n");
}

#[test]
fn deep_pipeline() {
    let srv = start(&[]);
    let mut s = connect(srv.port);
    let mut pipe = Vec::new();
    for _ in 0..10_000 {
        pipe.extend(cmd(&[b"INCR", b"n"]));
    }
    let writer = {
        let mut w = s.try_clone().unwrap();
        std::thread::spawn(move || w.write_all(&pipe).unwrap())
    };
    let mut expect = Vec::new();
    for i in 1..=10_000 {
        expect.extend(format!(":{i}\r\n").into_bytes());
    }
    let got = read_n(&mut s, expect.len());
    writer.join().unwrap();
    assert_eq!(got, expect);
}

#[test]
fn redis_7_2_client_subcommands() {
    // CLIENT SETINFO and CLIENT NO-TOUCH come from Redis 7.2; redis-py 8
    // sends SETINFO when it connects, so hematite implements them as 7.2
    // does (Redis 7.0.15 would answer an unknown-subcommand error).
    let srv = start(&[]);
    let mut s = connect(srv.port);
    roundtrip(&mut s, &cmd(&[b"CLIENT", b"SETINFO", b"LIB-NAME", b"redis-py"]), b"+OK\r\n");
    roundtrip(&mut s, &cmd(&[b"CLIENT", b"SETINFO", b"lib-ver", b"8.1.0"]), b"+OK\r\n");
    roundtrip(&mut s, &cmd(&[b"CLIENT", b"SETINFO", b"lib-foo", b"x"]), b"-ERR Unrecognized option 'lib-foo'\r\n");
    s.write_all(&cmd(&[b"CLIENT", b"INFO"])).unwrap();
    let info = String::from_utf8(read_n(&mut s, 300)).unwrap();
    assert!(info.contains("lib-name=redis-py lib-ver=8.1.0"), "{info}");
    roundtrip(&mut s, &cmd(&[b"CLIENT", b"NO-TOUCH", b"on"]), b"+OK\r\n");
    roundtrip(&mut s, &cmd(&[b"CLIENT", b"NO-TOUCH", b"maybe"]), b"-ERR syntax error\r\n");
    // An unknown subcommand is an error reply, never a dropped connection.
    roundtrip(
        &mut s,
        &cmd(&[b"CLIENT", b"MAINT_NOTIFICATIONS", b"on"]),
        b"-ERR unknown subcommand 'MAINT_NOTIFICATIONS'. Try CLIENT HELP.\r\n",
    );
    roundtrip(&mut s, b"PING\r\n", b"+PONG\r\n");
}

#[test]
fn config_set_port_rebinds() {
    let srv = start(&[]);
    let mut s = connect(srv.port);
    // A port that is taken: refused, and the old listener keeps working.
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = taken.local_addr().unwrap().port().to_string();
    roundtrip(
        &mut s,
        &cmd(&[b"CONFIG", b"SET", b"port", busy.as_bytes()]),
        b"-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port\r\n",
    );
    let mut t = connect(srv.port);
    roundtrip(&mut t, b"PING\r\n", b"+PONG\r\n");
    let newport = free_port();
    roundtrip(&mut s, &cmd(&[b"CONFIG", b"SET", b"port", newport.to_string().as_bytes()]), b"+OK\r\n");
    let mut u = connect(newport);
    roundtrip(&mut u, b"PING\r\n", b"+PONG\r\n");
    roundtrip(&mut u, &cmd(&[b"CONFIG", b"GET", b"port"]), format!("*2\r\n$4\r\nport\r\n${}\r\n{newport}\r\n", newport.to_string().len()).as_bytes());
    assert!(TcpStream::connect(("127.0.0.1", srv.port)).is_err(), "old port still listening");
}

/// Reads one RESP2 reply to SCAN: returns (cursor, keys).
fn read_scan_reply(s: &mut TcpStream) -> (u64, Vec<String>) {
    let mut r = std::io::BufReader::new(s.try_clone().unwrap());
    use std::io::BufRead;
    let mut line = String::new();
    let mut next = |r: &mut std::io::BufReader<TcpStream>| {
        line.clear();
        r.read_line(&mut line).unwrap();
        line.trim_end().to_string()
    };
    assert_eq!(next(&mut r), "*2");
    next(&mut r);
    let cursor: u64 = next(&mut r).parse().unwrap();
    let n: usize = next(&mut r).trim_start_matches('*').parse().unwrap();
    let mut keys = Vec::new();
    for _ in 0..n {
        next(&mut r);
        keys.push(next(&mut r));
    }
    (cursor, keys)
}

#[test]
fn scan_returns_every_stable_key_while_the_table_grows_and_shrinks() {
    let srv = start(&[]);
    let mut s = connect(srv.port);
    let mut w = connect(srv.port);
    let mut pipe = Vec::new();
    for i in 0..1000 {
        pipe.extend(cmd(&[b"SET", format!("stable:{i}").as_bytes(), b"v"]));
    }
    w.write_all(&pipe).unwrap();
    assert_eq!(read_n(&mut w, 5000).len(), 5000);
    let mut seen = std::collections::HashSet::new();
    let mut cursor = 0u64;
    let mut round = 0;
    loop {
        s.write_all(&cmd(&[b"SCAN", cursor.to_string().as_bytes(), b"COUNT", b"20"])).unwrap();
        let (c, keys) = read_scan_reply(&mut s);
        seen.extend(keys.into_iter().filter(|k| k.starts_with("stable:")));
        cursor = c;
        // Between calls, grow the table a lot, then shrink it again.
        let mut pipe = Vec::new();
        let op: &[u8] = if round % 20 < 10 { b"SET" } else { b"DEL" };
        for i in 0..400 {
            let k = format!("churn:{}:{i}", round % 10);
            if op == b"SET" {
                pipe.extend(cmd(&[b"SET", k.as_bytes(), b"x"]));
            } else {
                pipe.extend(cmd(&[b"DEL", k.as_bytes()]));
            }
        }
        w.write_all(&pipe).unwrap();
        let expect = if op == b"SET" { 400 * 5 } else { 400 * 4 };
        assert_eq!(read_n(&mut w, expect).len(), expect);
        round += 1;
        if cursor == 0 {
            break;
        }
        assert!(round < 100_000, "scan did not terminate");
    }
    assert_eq!(seen.len(), 1000, "SCAN missed stable keys");
}

#[test]
fn config_file_rewrite_and_logfile() {
    let dir = tempdir("rewrite");
    let conf = dir.join("redis.conf");
    let log = dir.join("server.log");
    let port = free_port();
    std::fs::write(
        &conf,
        format!("# my settings\nport {port}\nbind 127.0.0.1\nlogfile \"{}\"\nmaxmemory 1mb\n", log.display()),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hematite"))
        .arg("server")
        .arg(&conf)
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut s = loop {
        if let Ok(s) = TcpStream::connect(("127.0.0.1", port)) {
            break s;
        }
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(20));
    };
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    roundtrip(&mut s, &cmd(&[b"CONFIG", b"GET", b"maxmemory"]), b"*2\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n");
    roundtrip(&mut s, &cmd(&[b"CONFIG", b"SET", b"maxmemory", b"2mb", b"hz", b"20"]), b"+OK\r\n");
    roundtrip(&mut s, &cmd(&[b"CONFIG", b"REWRITE"]), b"+OK\r\n");
    let text = std::fs::read_to_string(&conf).unwrap();
    assert!(text.starts_with("# my settings\n"), "comment lost:\n{text}");
    assert!(text.contains("maxmemory 2mb"), "{text}");
    assert!(text.contains("hz 20"), "{text}");
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("Ready to accept connections"), "{logged}");
    assert!(logged.contains(&format!("port={port}")), "{logged}");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A key already expired when WATCHed: its lazy deletion (by a read of
/// another client, or by DEL finding it expired) is no change and does not
/// abort the transaction; writing it again does. Active expiry is turned
/// off so the expired key is still in the table at WATCH time (Redis
/// 7.0.15 gives the same three answers).
#[test]
fn watch_of_an_already_expired_key() {
    let srv = start(&["--enable-debug-command", "yes"]);
    for (second, expect) in [(&b"GET"[..], &b"*1\r\n+PONG\r\n"[..]), (b"DEL", b"*1\r\n+PONG\r\n"), (b"SET", b"*-1\r\n")] {
        let mut a = connect(srv.port);
        let mut b = connect(srv.port);
        roundtrip(&mut a, &cmd(&[b"FLUSHALL"]), b"+OK\r\n");
        roundtrip(&mut a, &cmd(&[b"DEBUG", b"SET-ACTIVE-EXPIRE", b"0"]), b"+OK\r\n");
        roundtrip(&mut a, &cmd(&[b"SET", b"k", b"v", b"PX", b"30"]), b"+OK\r\n");
        std::thread::sleep(Duration::from_millis(80));
        roundtrip(&mut a, &cmd(&[b"WATCH", b"k"]), b"+OK\r\n");
        let (req, reply): (Vec<u8>, &[u8]) = match second {
            b"GET" => (cmd(&[b"GET", b"k"]), b"$-1\r\n"),
            b"DEL" => (cmd(&[b"DEL", b"k"]), b":0\r\n"),
            _ => (cmd(&[b"SET", b"k", b"v"]), b"+OK\r\n"),
        };
        roundtrip(&mut b, &req, reply);
        roundtrip(&mut a, &cmd(&[b"MULTI"]), b"+OK\r\n");
        roundtrip(&mut a, &cmd(&[b"PING"]), b"+QUEUED\r\n");
        roundtrip(&mut a, &cmd(&[b"EXEC"]), expect);
        roundtrip(&mut a, &cmd(&[b"DEBUG", b"SET-ACTIVE-EXPIRE", b"1"]), b"+OK\r\n");
    }
}
