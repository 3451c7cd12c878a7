//! Integration tests for pub/sub delivery limits and blocking clients
//! against the real `hematite` binary: what the differential scripts cannot
//! check because it needs real client ids, several threads, INFO counters,
//! slow readers or disconnections. Every test starts its own server on a
//! free port. With `HEMATITE_IT_AGAINST_REDIS=1` the same tests run
//! against Debian's `redis-server` instead, which checks the expectations.

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

fn start() -> Server {
    for _ in 0..5 {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("hematite-psb-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut cmd = if std::env::var_os("HEMATITE_IT_AGAINST_REDIS").is_some_and(|v| v != "0") {
            let mut c = Command::new("redis-server");
            c.args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""]);
            c
        } else {
            let mut c = Command::new(env!("CARGO_BIN_EXE_hematite"));
            c.arg("server").args(["--port", &port.to_string(), "--bind", "127.0.0.1"]);
            c
        };
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

/// A RESP value, as much as these tests need.
#[derive(Debug, Clone, PartialEq)]
enum V {
    Simple(String),
    Error(String),
    Int(i64),
    Bulk(Vec<u8>),
    Null,
    Array(Vec<V>),
    Push(Vec<V>),
    Map(Vec<V>),
}

impl V {
    fn bulk(s: &str) -> V {
        V::Bulk(s.as_bytes().to_vec())
    }
}

/// A client connection with a read buffer.
struct Conn {
    s: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    fn open(port: u16) -> Conn {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.set_nodelay(true).unwrap();
        Conn { s, buf: Vec::new() }
    }

    fn send(&mut self, args: &[&[u8]]) {
        let mut v = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            v.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            v.extend_from_slice(a);
            v.extend_from_slice(b"\r\n");
        }
        self.s.write_all(&v).unwrap();
    }

    fn call(&mut self, args: &[&str]) -> V {
        let a: Vec<&[u8]> = args.iter().map(|x| x.as_bytes()).collect();
        self.send(&a);
        self.read()
    }

    fn fill(&mut self) {
        let mut chunk = [0u8; 65536];
        match self.s.read(&mut chunk) {
            Ok(0) => panic!("connection closed while reading a reply"),
            Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            Err(e) => panic!("read failed: {e}"),
        }
    }

    fn line(&mut self) -> String {
        loop {
            if let Some(p) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let l = String::from_utf8_lossy(&self.buf[..p]).into_owned();
                self.buf.drain(..p + 2);
                return l;
            }
            self.fill();
        }
    }

    fn read(&mut self) -> V {
        let l = self.line();
        let (t, rest) = l.split_at(1);
        let agg = |c: &mut Conn, n: i64| (0..n).map(|_| c.read()).collect::<Vec<_>>();
        match t {
            "+" => V::Simple(rest.into()),
            "-" => V::Error(rest.into()),
            ":" => V::Int(rest.parse().unwrap()),
            "_" => V::Null,
            "$" => {
                let n: i64 = rest.parse().unwrap();
                if n < 0 {
                    return V::Null;
                }
                let n = n as usize;
                while self.buf.len() < n + 2 {
                    self.fill();
                }
                let b = self.buf[..n].to_vec();
                self.buf.drain(..n + 2);
                V::Bulk(b)
            }
            "*" => {
                let n: i64 = rest.parse().unwrap();
                if n < 0 {
                    return V::Null;
                }
                V::Array(agg(self, n))
            }
            ">" => {
                let n: i64 = rest.parse().unwrap();
                V::Push(agg(self, n))
            }
            "%" => {
                let n: i64 = rest.parse().unwrap();
                V::Map(agg(self, 2 * n))
            }
            _ => panic!("unexpected reply line {l:?}"),
        }
    }

    /// True if the server closed the connection (after any queued data).
    fn closed_within(&mut self, wait: Duration) -> bool {
        self.s.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        let deadline = Instant::now() + wait;
        let mut chunk = vec![0u8; 1 << 20];
        while Instant::now() < deadline {
            match self.s.read(&mut chunk) {
                Ok(0) => return true,
                Ok(_) => continue,
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
                Err(_) => continue,
            }
        }
        false
    }
}

/// One field of `INFO <section>` as an integer.
fn info_field(c: &mut Conn, section: &str, field: &str) -> i64 {
    let V::Bulk(b) = c.call(&["INFO", section]) else { panic!("INFO reply") };
    let text = String::from_utf8(b).unwrap();
    let prefix = format!("{field}:");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {field} in INFO {section}"))
        .trim()
        .parse()
        .unwrap()
}

/// Polls until `f` holds (or fails after 5 s).
fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("timed out waiting for {what}");
}

fn blocked_clients(c: &mut Conn) -> i64 {
    info_field(c, "clients", "blocked_clients")
}

#[test]
fn slow_subscriber_is_cut_off_and_others_keep_their_latency() {
    let srv = start();
    let mut admin = Conn::open(srv.port);
    assert_eq!(
        admin.call(&["CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 1"]),
        V::Simple("OK".into())
    );

    // A subscriber that never reads again.
    let mut slow = Conn::open(srv.port);
    assert_eq!(
        slow.call(&["SUBSCRIBE", "big"]),
        V::Array(vec![V::bulk("subscribe"), V::bulk("big"), V::Int(1)])
    );

    // A third client measures PING latency while the publisher floods.
    let port = srv.port;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let pinger = std::thread::spawn(move || {
        let mut c = Conn::open(port);
        let mut worst = Duration::ZERO;
        let mut n = 0;
        while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
            let t = Instant::now();
            assert_eq!(c.call(&["PING"]), V::Simple("PONG".into()));
            worst = worst.max(t.elapsed());
            n += 1;
            std::thread::sleep(Duration::from_millis(2));
        }
        (worst, n)
    });

    let mut publisher = Conn::open(srv.port);
    let payload = "x".repeat(64 * 1024);
    let mut worst_publish = Duration::ZERO;
    let mut delivered_to_zero_at = None;
    // Bounded: at most 64 MB published.
    for i in 0..1024 {
        let t = Instant::now();
        let V::Int(n) = publisher.call(&["PUBLISH", "big", &payload]) else { panic!("PUBLISH reply") };
        worst_publish = worst_publish.max(t.elapsed());
        if n == 0 {
            delivered_to_zero_at = Some(i);
            break;
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (worst_ping, pings) = pinger.join().unwrap();

    let at = delivered_to_zero_at.expect("the slow subscriber was never disconnected");
    // The hard limit is 1 MB; the kernel's socket buffers hold some more.
    assert!(at > 0, "disconnected before anything was buffered");
    assert!(slow.closed_within(Duration::from_secs(5)), "the slow subscriber's connection stays open");
    assert_eq!(admin.call(&["PUBSUB", "NUMSUB", "big"]), V::Array(vec![V::bulk("big"), V::Int(0)]));
    // Debug build on a shared 2-core machine: generous, but far below what
    // waiting on the slow reader would cost.
    assert!(worst_publish < Duration::from_secs(1), "a PUBLISH took {worst_publish:?}");
    assert!(pings > 0);
    assert!(worst_ping < Duration::from_secs(1), "a PING took {worst_ping:?}");
    // The server is still fine.
    assert_eq!(publisher.call(&["PING"]), V::Simple("PONG".into()));
}

#[test]
fn subscriber_under_the_limit_gets_everything_in_order() {
    let srv = start();
    let mut sub = Conn::open(srv.port);
    sub.call(&["SUBSCRIBE", "c"]);
    let mut publisher = Conn::open(srv.port);
    for i in 0..2000 {
        assert_eq!(publisher.call(&["PUBLISH", "c", &i.to_string()]), V::Int(1));
    }
    for i in 0..2000 {
        assert_eq!(sub.read(), V::Array(vec![V::bulk("message"), V::bulk("c"), V::bulk(&i.to_string())]));
    }
}

#[test]
fn blocked_client_that_disconnects_leaves_no_trace() {
    let srv = start();
    let mut admin = Conn::open(srv.port);
    assert_eq!(blocked_clients(&mut admin), 0);

    let mut gone = Conn::open(srv.port);
    gone.send(&[b"BZPOPMIN", b"z", b"0"]);
    wait_for("one blocked client", || blocked_clients(&mut admin) == 1);
    drop(gone);
    wait_for("no blocked client", || blocked_clients(&mut admin) == 0);

    // The push is not handed to the departed client.
    assert_eq!(admin.call(&["ZADD", "z", "1", "a"]), V::Int(1));
    assert_eq!(admin.call(&["ZCARD", "z"]), V::Int(1));

    // A client blocked behind a departed one on the same key is served.
    let mut first = Conn::open(srv.port);
    first.send(&[b"BZPOPMIN", b"y", b"0"]);
    wait_for("first blocked", || blocked_clients(&mut admin) == 1);
    let mut second = Conn::open(srv.port);
    second.send(&[b"BZPOPMAX", b"y", b"0"]);
    wait_for("second blocked", || blocked_clients(&mut admin) == 2);
    drop(first);
    wait_for("first gone", || blocked_clients(&mut admin) == 1);
    admin.call(&["ZADD", "y", "7", "seven"]);
    assert_eq!(second.read(), V::Array(vec![V::bulk("y"), V::bulk("seven"), V::bulk("7")]));
    assert_eq!(blocked_clients(&mut admin), 0);
    assert_eq!(admin.call(&["EXISTS", "y"]), V::Int(0));
}

#[test]
fn killed_blocked_client_is_unparked() {
    let srv = start();
    let mut admin = Conn::open(srv.port);
    let mut c = Conn::open(srv.port);
    let V::Int(id) = c.call(&["CLIENT", "ID"]) else { panic!("CLIENT ID") };
    c.send(&[b"BZPOPMIN", b"z", b"0"]);
    wait_for("blocked", || blocked_clients(&mut admin) == 1);
    assert_eq!(admin.call(&["CLIENT", "KILL", "ID", &id.to_string()]), V::Int(1));
    assert!(c.closed_within(Duration::from_secs(5)));
    wait_for("unparked", || blocked_clients(&mut admin) == 0);
    assert_eq!(admin.call(&["ZADD", "z", "1", "a"]), V::Int(1));
    assert_eq!(admin.call(&["ZCARD", "z"]), V::Int(1));
}

#[test]
fn blocked_clients_are_counted_in_info() {
    let srv = start();
    let mut admin = Conn::open(srv.port);
    let mut clients: Vec<Conn> = (0..3).map(|_| Conn::open(srv.port)).collect();
    for (i, c) in clients.iter_mut().enumerate() {
        c.send(&[b"BZPOPMIN", format!("k{i}").as_bytes(), b"0"]);
    }
    wait_for("three blocked clients", || blocked_clients(&mut admin) == 3);
    admin.call(&["ZADD", "k1", "1", "m"]);
    assert_eq!(clients[1].read(), V::Array(vec![V::bulk("k1"), V::bulk("m"), V::bulk("1")]));
    assert_eq!(blocked_clients(&mut admin), 2);
    // A timeout unblocks too.
    let mut timed = Conn::open(srv.port);
    timed.send(&[b"BZPOPMIN", b"never", b"0.2"]);
    wait_for("four... then three", || blocked_clients(&mut admin) == 3);
    assert_eq!(timed.read(), V::Null);
    assert_eq!(blocked_clients(&mut admin), 2);
    // The same client blocked on several keys counts once.
    let mut multi = Conn::open(srv.port);
    multi.send(&[b"BZPOPMIN", b"a", b"b", b"c", b"0"]);
    wait_for("three again", || blocked_clients(&mut admin) == 3);
    admin.call(&["ZADD", "c", "1", "x"]);
    assert_eq!(multi.read(), V::Array(vec![V::bulk("c"), V::bulk("x"), V::bulk("1")]));
    admin.call(&["ZADD", "k0", "1", "x"]);
    admin.call(&["ZADD", "k2", "1", "x"]);
    clients[0].read();
    clients[2].read();
    wait_for("none", || blocked_clients(&mut admin) == 0);
}

#[test]
fn client_unblock_by_real_id() {
    let srv = start();
    let mut admin = Conn::open(srv.port);
    let mut c = Conn::open(srv.port);
    let V::Int(id) = c.call(&["CLIENT", "ID"]) else { panic!("CLIENT ID") };
    let id_s = id.to_string();

    assert_eq!(admin.call(&["CLIENT", "UNBLOCK", &id_s]), V::Int(0), "not blocked yet");

    // TIMEOUT (the default): the timeout reply; the pipeline goes on.
    c.s.write_all(b"BZPOPMIN z 0\r\nPING\r\n").unwrap();
    wait_for("blocked", || blocked_clients(&mut admin) == 1);
    assert_eq!(admin.call(&["CLIENT", "UNBLOCK", &id_s]), V::Int(1));
    assert_eq!(c.read(), V::Null);
    assert_eq!(c.read(), V::Simple("PONG".into()));
    assert_eq!(blocked_clients(&mut admin), 0);

    c.send(&[b"BZMPOP", b"0", b"1", b"z", b"MAX"]);
    wait_for("blocked", || blocked_clients(&mut admin) == 1);
    assert_eq!(admin.call(&["CLIENT", "UNBLOCK", &id_s, "timeout"]), V::Int(1));
    assert_eq!(c.read(), V::Null);

    // ERROR: an -UNBLOCKED error, counted in the error stats.
    c.send(&[b"BZPOPMAX", b"z", b"0"]);
    wait_for("blocked", || blocked_clients(&mut admin) == 1);
    assert_eq!(admin.call(&["CLIENT", "UNBLOCK", &id_s, "ERROR"]), V::Int(1));
    assert_eq!(c.read(), V::Error("UNBLOCKED client unblocked via CLIENT UNBLOCK".into()));
    assert_eq!(admin.call(&["CLIENT", "UNBLOCK", &id_s, "ERROR"]), V::Int(0));
    let V::Bulk(stats) = admin.call(&["INFO", "errorstats"]) else { panic!("INFO") };
    assert!(String::from_utf8_lossy(&stats).contains("errorstat_UNBLOCKED:count=1"));

    // RESP3: the timeout reply is a RESP3 null; the client is usable after.
    assert!(matches!(c.call(&["HELLO", "3"]), V::Map(_)));
    c.send(&[b"BZPOPMIN", b"z", b"0"]);
    wait_for("blocked", || blocked_clients(&mut admin) == 1);
    assert_eq!(admin.call(&["CLIENT", "UNBLOCK", &id_s]), V::Int(1));
    assert_eq!(c.read(), V::Null);
    assert_eq!(c.call(&["ZADD", "z", "1", "a"]), V::Int(1));
    assert_eq!(admin.call(&["CLIENT", "UNBLOCK", &id_s]), V::Int(0));

    // An unblocked client no longer takes data.
    assert_eq!(admin.call(&["ZCARD", "z"]), V::Int(1));
}

#[test]
fn keyspace_notifications_reach_resp3_subscribers_as_pushes() {
    let srv = start();
    let mut admin = Conn::open(srv.port);
    assert_eq!(admin.call(&["CONFIG", "SET", "notify-keyspace-events", "KEA"]), V::Simple("OK".into()));

    let mut sub = Conn::open(srv.port);
    assert!(matches!(sub.call(&["HELLO", "3"]), V::Map(_)));
    assert_eq!(
        sub.call(&["PSUBSCRIBE", "__key*__:*"]),
        V::Push(vec![V::bulk("psubscribe"), V::bulk("__key*__:*"), V::Int(1)])
    );
    let pmsg = |ch: &str, msg: &str| V::Push(vec![V::bulk("pmessage"), V::bulk("__key*__:*"), V::bulk(ch), V::bulk(msg)]);

    // Another client's write.
    assert_eq!(admin.call(&["SET", "foo", "bar"]), V::Simple("OK".into()));
    assert_eq!(sub.read(), pmsg("__keyspace@0__:foo", "set"));
    assert_eq!(sub.read(), pmsg("__keyevent@0__:set", "foo"));

    // The subscriber's own writes: the pushes land in its reply stream
    // where the command raises them, before the reply for SET, after it
    // for HSET (which replies first, as in Redis).
    sub.send(&[b"SET", b"mine", b"v"]);
    assert_eq!(sub.read(), pmsg("__keyspace@0__:mine", "set"));
    assert_eq!(sub.read(), pmsg("__keyevent@0__:set", "mine"));
    assert_eq!(sub.read(), V::Simple("OK".into()));
    sub.send(&[b"HSET", b"h", b"f", b"v"]);
    assert_eq!(sub.read(), V::Int(1));
    assert_eq!(sub.read(), pmsg("__keyspace@0__:h", "hset"));
    assert_eq!(sub.read(), pmsg("__keyevent@0__:hset", "h"));

    // A blocking pop served by another client's write reports both events.
    let mut blocked = Conn::open(srv.port);
    blocked.send(&[b"BZPOPMIN", b"zz", b"0"]);
    wait_for("blocked", || blocked_clients(&mut admin) == 1);
    admin.call(&["ZADD", "zz", "1", "m"]);
    assert_eq!(blocked.read(), V::Array(vec![V::bulk("zz"), V::bulk("m"), V::bulk("1")]));
    assert_eq!(sub.read(), pmsg("__keyspace@0__:zz", "zadd"));
    assert_eq!(sub.read(), pmsg("__keyevent@0__:zadd", "zz"));
    assert_eq!(sub.read(), pmsg("__keyspace@0__:zz", "zpopmin"));
    assert_eq!(sub.read(), pmsg("__keyevent@0__:zpopmin", "zz"));
    assert_eq!(sub.read(), pmsg("__keyspace@0__:zz", "del"));
    assert_eq!(sub.read(), pmsg("__keyevent@0__:del", "zz"));

    // Active expiry of a key nobody touches.
    admin.call(&["SET", "ttl", "v", "PX", "50"]);
    assert_eq!(sub.read(), pmsg("__keyspace@0__:ttl", "set"));
    assert_eq!(sub.read(), pmsg("__keyevent@0__:set", "ttl"));
    assert_eq!(sub.read(), pmsg("__keyspace@0__:ttl", "expire"));
    assert_eq!(sub.read(), pmsg("__keyevent@0__:expire", "ttl"));
    assert_eq!(sub.read(), pmsg("__keyspace@0__:ttl", "expired"));
    assert_eq!(sub.read(), pmsg("__keyevent@0__:expired", "ttl"));

    // Commands still work between pushes.
    assert_eq!(sub.call(&["PING"]), V::Simple("PONG".into()));
}
