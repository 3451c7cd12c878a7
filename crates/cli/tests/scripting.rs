//! Integration tests for busy scripts against the real `hematite` binary:
//! while a script runs past `busy-reply-threshold`, other clients get
//! `-BUSY`, SCRIPT KILL / FUNCTION KILL stop it from a second connection
//! (unless it has written), and SHUTDOWN NOSAVE still works. The replies
//! were recorded from Redis 7.0.15.

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

fn start(args: &[&str]) -> Server {
    for _ in 0..5 {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("hematite-it-lua-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
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
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
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

/// Reads one line-terminated reply (enough for the simple replies here).
fn read_line(s: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut b = [0u8; 1];
    while !got.ends_with(b"\r\n") {
        match s.read(&mut b) {
            Ok(1) => got.push(b[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

fn send(s: &mut TcpStream, args: &[&[u8]]) {
    s.write_all(&cmd(args)).unwrap();
}

fn ask(s: &mut TcpStream, args: &[&[u8]]) -> String {
    send(s, args);
    read_line(s)
}

/// Waits until the server answers PING with -BUSY on `s`.
fn wait_busy(s: &mut TcpStream) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = ask(s, &[b"PING"]);
        if r.starts_with("-BUSY") || Instant::now() > deadline {
            return r;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

const SLOW_EVAL: &str = "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n";
const SLOW_FUNCTION: &str = "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n";

#[test]
fn busy_script_is_killed_from_another_connection() {
    let srv = start(&["--busy-reply-threshold", "100"]);
    let mut a = connect(srv.port);
    let mut b = connect(srv.port);
    // A pcall loop cannot swallow the kill.
    let body: &[u8] = b"while true do pcall(function() while true do end end) end";
    send(&mut a, &[b"EVAL", body, b"0"]);
    assert_eq!(wait_busy(&mut b), SLOW_EVAL);
    assert_eq!(ask(&mut b, &[b"GET", b"x"]), SLOW_EVAL);
    assert_eq!(ask(&mut b, &[b"FUNCTION", b"KILL"]), SLOW_EVAL);
    // A connection opened while the script runs is served too.
    let mut c = connect(srv.port);
    assert_eq!(ask(&mut c, &[b"SCRIPT", b"KILL"]), "+OK\r\n");
    let sha = "3d7b0cfd4124d0a72b8a39e531e7c806bc453d3e";
    assert_eq!(read_line(&mut a), format!("-ERR Script killed by user with SCRIPT KILL... script: {sha}, on @user_script:1.\r\n"));
    assert_eq!(ask(&mut b, &[b"PING"]), "+PONG\r\n");
    assert_eq!(ask(&mut a, &[b"PING"]), "+PONG\r\n");
    assert_eq!(ask(&mut b, &[b"SCRIPT", b"KILL"]), "-NOTBUSY No scripts in execution right now.\r\n");
}

#[test]
fn busy_function_needs_function_kill() {
    let srv = start(&["--busy-reply-threshold", "100"]);
    let mut a = connect(srv.port);
    let mut b = connect(srv.port);
    let lib: &[u8] = b"#!lua name=busy\nredis.register_function('spin', function() while true do end end)";
    assert_eq!(ask(&mut a, &[b"FUNCTION", b"LOAD", lib]), "$4\r\n");
    assert_eq!(read_line(&mut a), "busy\r\n");
    send(&mut a, &[b"FCALL", b"spin", b"0"]);
    assert_eq!(wait_busy(&mut b), SLOW_FUNCTION);
    assert_eq!(ask(&mut b, &[b"SCRIPT", b"KILL"]), SLOW_FUNCTION);
    assert_eq!(ask(&mut b, &[b"FUNCTION", b"KILL"]), "+OK\r\n");
    assert_eq!(read_line(&mut a), "-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.\r\n");
    assert_eq!(ask(&mut b, &[b"PING"]), "+PONG\r\n");
}

#[test]
fn script_that_wrote_is_unkillable_but_shutdown_nosave_works() {
    let mut srv = start(&["--busy-reply-threshold", "100"]);
    let mut a = connect(srv.port);
    let mut b = connect(srv.port);
    send(&mut a, &[b"EVAL", b"redis.call('set', 'x', 'y') while true do end", b"0"]);
    assert_eq!(wait_busy(&mut b), SLOW_EVAL);
    assert_eq!(
        ask(&mut b, &[b"SCRIPT", b"KILL"]),
        "-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n"
    );
    send(&mut b, &[b"SHUTDOWN", b"NOSAVE"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(_status) = srv.child.try_wait().unwrap() {
            break;
        }
        assert!(Instant::now() < deadline, "server did not exit after SHUTDOWN NOSAVE");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn scripts_under_the_threshold_just_wait() {
    let srv = start(&["--busy-reply-threshold", "5000"]);
    let mut a = connect(srv.port);
    let mut b = connect(srv.port);
    // About 0.2 s of work: the second client waits, it does not get BUSY.
    send(&mut a, &[b"EVAL", b"local t = redis.call('time') local n = 0 for i = 1, 3000000 do n = n + i end return n", b"0"]);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(ask(&mut b, &[b"PING"]), "+PONG\r\n");
    assert_eq!(read_line(&mut a), ":4500001500000\r\n");
}
