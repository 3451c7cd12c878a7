//! Crash-safety tests against the real binary: `kill -9` under a write load
//! with `appendfsync always` and `everysec`, torn AOF tails cut at many
//! offsets (`aof-load-truncated yes|no`, garbage in the middle,
//! `check-aof --fix`), `kill -9` in the middle of BGSAVE and BGREWRITEAOF,
//! and saving on SHUTDOWN / SIGTERM.
//!
//! With `HEMATITE_IT_AGAINST_REDIS=1` the server under test is Debian's
//! `redis-server` (see `common/mod.rs`). Random choices are seeded; the seed
//! is printed and `HEMATITE_IT_SEED=<seed>` replays a run.
//!
//! A `kill -9` kills the whole process group (the server and any child it
//! forked), as a power cut would; the page cache survives, so these tests
//! check the server's own ordering and acknowledgement discipline, not the
//! disk's.

mod common;

use common::*;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// kill -9 under load

const WRITERS: usize = 3;

/// What one writer did: operation `i` is SET w{t}:s:{i} (i % 3 == 0),
/// INCR w{t}:ctr (i % 3 == 1) or RPUSH w{t}:list {i} (i % 3 == 2), each
/// sent only after the previous one was acknowledged.
struct WriterLog {
    /// Operations sent (the last one may or may not have been applied).
    sent: usize,
    /// When each acknowledged operation's reply arrived.
    acked_at: Vec<Instant>,
}

fn op_cmd(prefix: &str, t: usize, i: usize) -> Vec<Vec<u8>> {
    match i % 3 {
        0 => vec![b"SET".to_vec(), format!("{prefix}w{t}:s:{i}").into_bytes(), format!("v{t}:{i}").into_bytes()],
        1 => vec![b"INCR".to_vec(), format!("{prefix}w{t}:ctr").into_bytes()],
        _ => vec![b"RPUSH".to_vec(), format!("{prefix}w{t}:list").into_bytes(), i.to_string().into_bytes()],
    }
}

fn writer(port: u16, prefix: String, t: usize, stop: Arc<AtomicBool>) -> WriterLog {
    let mut log = WriterLog { sent: 0, acked_at: Vec::new() };
    let Ok(s) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return log };
    let mut c = Conn::from_stream(s);
    c.set_timeout(Duration::from_secs(10));
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        let cmd = op_cmd(&prefix, t, i);
        let args: Vec<&[u8]> = cmd.iter().map(|a| a.as_slice()).collect();
        log.sent = i + 1;
        match c.try_call(&args) {
            Ok(V::Error(e)) => panic!("writer {t}: op {i} failed: {e}"),
            Ok(_) => log.acked_at.push(Instant::now()),
            Err(_) => break, // the server died
        }
        i += 1;
    }
    log
}

/// Reads back writer `t`'s keys and returns how many of its operations the
/// server holds, after checking that they form exactly a prefix of its
/// sequence with the values that were sent.
fn recovered_ops(c: &mut Conn, prefix: &str, t: usize, sent: usize) -> usize {
    // Everything the writer could have created, plus a margin that must be absent.
    let limit = sent + 3;
    let keys: Vec<Vec<u8>> =
        (0..limit).filter(|i| i % 3 == 0).map(|i| format!("{prefix}w{t}:s:{i}").into_bytes()).collect();
    let mut present = Vec::new();
    for chunk in keys.chunks(500) {
        let mut args: Vec<&[u8]> = vec![b"MGET"];
        args.extend(chunk.iter().map(|k| k.as_slice()));
        present.extend(c.callb(&args).array());
    }
    let ctr = match c.call(&["GET", &format!("{prefix}w{t}:ctr")]) {
        V::Null => 0,
        v => v.text().parse::<usize>().unwrap(),
    };
    let list: Vec<usize> = c
        .call(&["LRANGE", &format!("{prefix}w{t}:list"), "0", "-1"])
        .bulks()
        .iter()
        .map(|b| String::from_utf8_lossy(b).parse().unwrap())
        .collect();
    let last_set = present.iter().rposition(|v| *v != V::Null).map(|j| j * 3);
    let last_incr = if ctr > 0 { Some(3 * (ctr - 1) + 1) } else { None };
    let last_push = list.last().copied();
    let n = [last_set, last_incr, last_push].into_iter().flatten().max().map_or(0, |m| m + 1);
    assert!(n <= sent, "writer {t}: the server holds operation {} but only {sent} were sent", n - 1);
    // Exactly the prefix 0..n, with the values sent.
    for (j, v) in present.iter().enumerate() {
        let i = j * 3;
        if i < n {
            assert_eq!(*v, V::Bulk(format!("v{t}:{i}").into_bytes()), "writer {t}: SET op {i} of a prefix of {n}");
        } else {
            assert_eq!(*v, V::Null, "writer {t}: SET op {i} present beyond the prefix of {n}");
        }
    }
    assert_eq!(ctr, (0..n).filter(|i| i % 3 == 1).count(), "writer {t}: INCR count for a prefix of {n}");
    let want: Vec<usize> = (0..n).filter(|i| i % 3 == 2).collect();
    assert_eq!(list, want, "writer {t}: the RPUSH list is not the prefix of {n}");
    n
}

/// Several iterations on one directory: start, write from `WRITERS`
/// clients, SIGKILL at a random moment, restart, check every writer's
/// operations so far (this iteration's and the earlier ones').
fn crash_loop(fsync: &str, iterations: usize, may_lose: Duration, kill_after_ms: (u64, u64)) {
    let mut rng = Rng::from_env(&format!("crash test appendfsync {fsync}"));
    let s = Scratch::new(&format!("crash-{fsync}"));
    let dir = s.dir("d");
    let conf = ["--appendonly", "yes", "--appendfsync", fsync];
    // (prefix, per-writer recovered count) of earlier iterations.
    let mut earlier: Vec<(String, Vec<usize>)> = Vec::new();
    for it in 0..iterations {
        let prefix = format!("it{it}:");
        let mut srv = Server::start(under_test(), &dir, &conf);
        let stop = Arc::new(AtomicBool::new(false));
        let handles: Vec<_> = (0..WRITERS)
            .map(|t| {
                let (port, prefix, stop) = (srv.port, prefix.clone(), stop.clone());
                std::thread::spawn(move || writer(port, prefix, t, stop))
            })
            .collect();
        let delay = Duration::from_millis(rng.range(kill_after_ms.0, kill_after_ms.1));
        std::thread::sleep(delay);
        let killed_at = Instant::now();
        srv.kill9();
        stop.store(true, Ordering::Relaxed);
        let logs: Vec<WriterLog> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        drop(srv);

        let srv = Server::start(under_test(), &dir, &conf);
        let mut c = srv.conn();
        let mut counts = Vec::new();
        for (t, log) in logs.iter().enumerate() {
            let n = recovered_ops(&mut c, &prefix, t, log.sent);
            // A reply can arrive between `killed_at` and the process's death: with
            // no allowed loss every acknowledged write counts.
            let must = if may_lose.is_zero() {
                log.acked_at.len()
            } else {
                log.acked_at.iter().filter(|&&at| at + may_lose <= killed_at).count()
            };
            eprintln!(
                "appendfsync {fsync} iteration {it}: kill after {delay:?}; writer {t}: sent {}, acked {}, must keep {must}, kept {n}",
                log.sent,
                log.acked_at.len()
            );
            assert!(n >= must, "appendfsync {fsync}, iteration {it}, writer {t}: {must} writes acknowledged more than {may_lose:?} before the kill, only {n} survived");
            counts.push(n);
        }
        // Earlier iterations' data survived this crash too.
        for (p, ns) in &earlier {
            for (t, &n) in ns.iter().enumerate() {
                assert_eq!(recovered_ops(&mut c, p, t, n), n, "iteration {p}: writer {t} lost data in a later crash");
            }
        }
        earlier.push((prefix, counts));
    }
}

/// `appendfsync always`: every acknowledged write survives `kill -9`.
#[test]
fn kill9_with_appendfsync_always_keeps_every_acknowledged_write() {
    crash_loop("always", 4, Duration::ZERO, (50, 1500));
}

/// `appendfsync everysec`: only writes acknowledged in the last ~2 s may be
/// lost (a process kill loses nothing that reached the kernel, so in
/// practice Redis keeps them all).
#[test]
fn kill9_with_appendfsync_everysec_loses_at_most_the_last_two_seconds() {
    // Killed after 2.5-4 s so that some writes are older than 2 s.
    crash_loop("everysec", 3, Duration::from_secs(2), (2500, 4000));
}

// ---------------------------------------------------------------------------
// Torn tails

/// How the AOF tail looks after the load: the number of RPUSHes applied
/// from the commands that end at or before `cut`, and whether the cut is
/// clean (a command boundary outside MULTI ... EXEC).
fn model(cmds: &[(usize, Vec<Vec<u8>>)], cut: usize) -> (usize, bool) {
    let (applied, clean, _) = model3(cmds, cut);
    (applied, clean)
}

/// [`model`], plus whether the cut falls inside a command within a
/// MULTI ... EXEC block.
fn model3(cmds: &[(usize, Vec<Vec<u8>>)], cut: usize) -> (usize, bool, bool) {
    let mut applied = 0;
    let mut pending: Option<usize> = None;
    let mut clean = true;
    let mut last_end = 0;
    for (end, args) in cmds {
        if *end > cut {
            break;
        }
        last_end = *end;
        let name = String::from_utf8_lossy(&args[0]).to_uppercase();
        match name.as_str() {
            "MULTI" => pending = Some(0),
            "EXEC" => applied += pending.take().unwrap_or(0),
            "RPUSH" => match pending.as_mut() {
                Some(p) => *p += 1,
                None => applied += 1,
            },
            _ => {}
        }
    }
    if last_end != cut || pending.is_some() {
        clean = false;
    }
    // Inside MULTI and cut within a command (not at a boundary).
    (applied, clean, pending.is_some() && last_end != cut)
}

fn cuts_at_boundary(cmds: &[(usize, Vec<Vec<u8>>)], cut: usize) -> bool {
    cmds.iter().any(|(end, _)| *end == cut)
}

/// Writes the AOF the torn-tail tests cut: 40 RPUSHes of varying sizes, a
/// MULTI/EXEC block, more RPUSHes, then MULTI + 2 RPUSH + EXEC and a last
/// RPUSH. Returns the directory holding `appendonlydir`.
fn torn_tail_source(s: &Scratch) -> std::path::PathBuf {
    let dir = s.dir("source");
    let mut srv = Server::start(under_test(), &dir, &["--appendonly", "yes", "--appendfsync", "always"]);
    let mut c = srv.conn();
    for i in 0..40 {
        c.call(&["RPUSH", "l", &format!("{i}:{}", "x".repeat(i * 7 % 50))]);
    }
    let multi = |c: &mut Conn, a: &str, b: &str| {
        c.ok(&["MULTI"]);
        c.call(&["RPUSH", "l", a]);
        c.call(&["RPUSH", "l", b]);
        assert_eq!(c.call(&["EXEC"]).array().len(), 2);
    };
    multi(&mut c, "m1", "m2");
    for i in 40..45 {
        c.call(&["RPUSH", "l", &i.to_string()]);
    }
    multi(&mut c, "m3", "m4");
    c.call(&["RPUSH", "l", "last"]);
    assert_eq!(c.call(&["LLEN", "l"]), V::Int(50));
    drop(c);
    srv.shutdown(&["NOSAVE"]);
    dir
}

/// Copies the source AOF to `dst` with its last incr file cut at `cut`
/// (or replaced by `data`).
fn prepare(src: &Path, dst: &Path, incr_data: &[u8]) {
    let _ = std::fs::remove_dir_all(dst);
    copy_tree(&src.join("appendonlydir"), &dst.join("appendonlydir"));
    let incr = last_incr(&dst.join("appendonlydir"));
    std::fs::write(incr, incr_data).unwrap();
}

#[test]
fn torn_aof_tail_loads_the_complete_prefix_or_refuses() {
    let mut rng = Rng::from_env("torn tail offsets");
    let s = Scratch::new("torn");
    let src = torn_tail_source(&s);
    let incr_path = last_incr(&src.join("appendonlydir"));
    let incr_name = incr_path.file_name().unwrap().to_string_lossy().into_owned();
    let data = std::fs::read(&incr_path).unwrap();
    let cmds = aof_commands(&data);
    let rpushes = cmds.iter().filter(|(_, a)| a[0].eq_ignore_ascii_case(b"RPUSH")).count();
    assert_eq!(rpushes, 50, "the incr file holds the 50 RPUSHes");
    // Every offset inside the last 8 commands (MULTI block included), plus
    // a sample of the rest.
    let tail_start = cmds[cmds.len() - 9].0;
    let mut cuts: Vec<usize> = (tail_start..data.len()).collect();
    for _ in 0..25 {
        cuts.push(rng.range(0, tail_start as u64) as usize);
    }
    cuts.sort();
    cuts.dedup();
    let work = s.path.join("work");
    let mut checked_yes = 0;
    let mut checked_no = 0;
    for (n, &cut) in cuts.iter().enumerate() {
        let (applied, clean, in_multi) = model3(&cmds, cut);
        // aof-load-truncated yes: starts, holds exactly the complete prefix.
        prepare(&src, &work, &data[..cut]);
        let srv = Server::try_start(
            under_test(),
            &work,
            &["--appendonly", "yes", "--aof-load-truncated", "yes"],
            Duration::from_secs(30),
        )
        .unwrap_or_else(|f| {
            panic!("cut at {cut}/{}: did not start with aof-load-truncated yes:\n{}", data.len(), f.log)
        });
        let mut c = srv.conn();
        assert_eq!(c.call(&["LLEN", "l"]), V::Int(applied as i64), "cut at {cut}/{}: wrong prefix loaded", data.len());
        // Every 10th cut: later appends land after the valid prefix and a
        // strict restart loads them.
        //
        // Redis 7.0.15 bug, not asserted against Redis: when the cut falls
        // *inside a command* within a MULTI block, Redis truncates the file
        // after the last complete command (keeping "MULTI" and the queued
        // commands) instead of before the MULTI; the next appends then land
        // inside that unterminated transaction, so a strict restart refuses
        // ("Revert incomplete MULTI/EXEC transaction") and a lenient one
        // drops the acknowledged appends. (A clean cut inside MULTI is
        // truncated correctly, before the MULTI.) hematite must not lose them.
        let redis_multi_bug = in_multi && against_redis();
        let multi_boundary = !clean && cuts_at_boundary(&cmds, cut);
        if (n % 10 == 0 && !redis_multi_bug) || (in_multi && !against_redis() && n % 3 == 0) || multi_boundary {
            c.call(&["RPUSH", "l", "after-repair"]);
            drop(c);
            let mut srv = srv;
            srv.shutdown(&["NOSAVE"]);
            let srv = Server::start(under_test(), &work, &["--appendonly", "yes", "--aof-load-truncated", "no"]);
            let mut c = srv.conn();
            assert_eq!(c.call(&["LLEN", "l"]), V::Int(applied as i64 + 1), "cut at {cut}: appends after the repair");
            assert_eq!(c.call(&["LINDEX", "l", "-1"]), V::bulk("after-repair"));
        } else {
            drop(c);
            drop(srv);
        }
        checked_yes += 1;

        // aof-load-truncated no: a clean cut loads, a torn one refuses and
        // names the file. Every other offset, to keep the runtime down.
        if n % 2 == 0 || clean {
            prepare(&src, &work, &data[..cut]);
            let before = std::fs::read(last_incr(&work.join("appendonlydir"))).unwrap();
            match Server::try_start(
                under_test(),
                &work,
                &["--appendonly", "yes", "--aof-load-truncated", "no"],
                Duration::from_secs(30),
            ) {
                Ok(srv) => {
                    assert!(clean, "cut at {cut}: started with aof-load-truncated no on a torn tail");
                    assert_eq!(srv.conn().call(&["LLEN", "l"]), V::Int(applied as i64));
                }
                Err(f) => {
                    assert!(!clean, "cut at {cut}: refused a clean AOF:\n{}", f.log);
                    assert!(f.status.is_some_and(|s| !s.success()), "cut at {cut}: {:?}", f.status);
                    assert!(f.log.contains(&incr_name), "cut at {cut}: the log should name {incr_name}:\n{}", f.log);
                    let after = std::fs::read(last_incr(&work.join("appendonlydir"))).unwrap();
                    assert_eq!(before, after, "cut at {cut}: the refused file was modified");
                }
            }
            checked_no += 1;
        }
    }
    eprintln!("torn tail: {checked_yes} cuts with aof-load-truncated yes, {checked_no} with no");
}

#[test]
fn garbage_in_the_middle_of_the_aof_refuses_to_start() {
    let s = Scratch::new("garbage");
    let src = torn_tail_source(&s);
    let incr_path = last_incr(&src.join("appendonlydir"));
    let incr_name = incr_path.file_name().unwrap().to_string_lossy().into_owned();
    let data = std::fs::read(&incr_path).unwrap();
    let cmds = aof_commands(&data);
    let mid = cmds[cmds.len() / 2].0;
    let work = s.path.join("work");
    let mut variants: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut inserted = data[..mid].to_vec();
    inserted.extend_from_slice(b"this is garbage\r\n");
    inserted.extend_from_slice(&data[mid..]);
    variants.push(("inserted garbage", inserted));
    let mut bad_count = data.clone();
    bad_count[mid + 1] = b'x'; // "*3" -> "*x"
    variants.push(("bad argument count", bad_count));
    let mut bad_len = data.clone();
    let dollar = mid + data[mid..].iter().position(|&b| b == b'$').unwrap();
    bad_len[dollar] = b'#'; // "$5" -> "#5"
    variants.push(("bad bulk marker", bad_len));
    for (what, bytes) in variants {
        for truncated in ["yes", "no"] {
            prepare(&src, &work, &bytes);
            let r = Server::try_start(
                under_test(),
                &work,
                &["--appendonly", "yes", "--aof-load-truncated", truncated],
                Duration::from_secs(30),
            );
            match r {
                Ok(_) => panic!("{what}: started with aof-load-truncated {truncated}"),
                Err(f) => {
                    assert!(f.status.is_some_and(|s| !s.success()), "{what}: {:?}", f.status);
                    assert!(f.log.contains(&incr_name), "{what}: the log should name {incr_name}:\n{}", f.log);
                }
            }
            assert_eq!(
                std::fs::read(last_incr(&work.join("appendonlydir"))).unwrap(),
                bytes,
                "{what}: the file was modified"
            );
        }
        // check-aof finds it too.
        let (ok, out) = check_aof(under_test(), &find_manifest(&work.join("appendonlydir")), false, "");
        assert!(!ok, "{what}: check-aof accepts it:\n{out}");
    }
}

#[test]
fn check_aof_fix_repairs_a_torn_tail() {
    let s = Scratch::new("fix");
    let src = torn_tail_source(&s);
    let incr = last_incr(&src.join("appendonlydir"));
    let data = std::fs::read(&incr).unwrap();
    let cmds = aof_commands(&data);
    let work = s.path.join("work");
    // Cut in the middle of the last RPUSH, and in the middle of the last
    // MULTI block.
    for cut in [data.len() - 3, cmds[cmds.len() - 3].0 + 5] {
        let (applied, _) = model(&cmds, cut);
        prepare(&src, &work, &data[..cut]);
        let manifest = find_manifest(&work.join("appendonlydir"));
        let (ok, out) = check_aof(under_test(), &manifest, false, "");
        assert!(!ok, "cut at {cut}: check-aof without --fix accepts a torn tail:\n{out}");
        // Declining the fix changes nothing.
        let (_, out) = check_aof(under_test(), &manifest, true, "n\n");
        assert_eq!(
            std::fs::read(last_incr(&work.join("appendonlydir"))).unwrap(),
            &data[..cut],
            "declined --fix modified the file:\n{out}"
        );
        let (ok, out) = check_aof(under_test(), &manifest, true, "y\n");
        assert!(ok, "cut at {cut}: check-aof --fix failed:\n{out}");
        let (ok, out) = check_aof(under_test(), &manifest, false, "");
        assert!(ok, "cut at {cut}: still invalid after --fix:\n{out}");
        // Redis's checker confirms the repair.
        let (ok, out) = check_aof(Kind::Redis, &manifest, false, "");
        assert!(ok, "cut at {cut}: redis-check-aof rejects the repaired AOF:\n{out}");
        let srv = Server::start(under_test(), &work, &["--appendonly", "yes", "--aof-load-truncated", "no"]);
        assert_eq!(srv.conn().call(&["LLEN", "l"]), V::Int(applied as i64), "cut at {cut}: after --fix");
    }
}

// ---------------------------------------------------------------------------
// kill -9 during BGSAVE / BGREWRITEAOF

fn write_keys(c: &mut Conn, prefix: &str, n: usize, value: &str) {
    let cmds: Vec<Vec<Vec<u8>>> = (0..n)
        .map(|i| vec![b"SET".to_vec(), format!("{prefix}{i}").into_bytes(), format!("{value}{i}").into_bytes()])
        .collect();
    for r in c.pipeline(&cmds) {
        assert_eq!(r, V::ok());
    }
}

/// Waits until `in_progress_field` is 1, then a bit more so the child has
/// written part of its temp file.
fn wait_mid_save(c: &mut Conn, in_progress_field: &str) {
    wait_for(in_progress_field, 30, || info_field(c, "persistence", in_progress_field) == "1");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(info_field(c, "persistence", in_progress_field), "1", "the save finished too early to be interrupted");
}

#[test]
fn kill9_during_bgsave_keeps_the_previous_dump() {
    let s = Scratch::new("killbgsave");
    let dir = s.dir("d");
    let mut srv = Server::start(under_test(), &dir, &["--save", "3600 1"]);
    let mut c = srv.conn();
    write_keys(&mut c, "k", 300, "old");
    c.ok(&["SAVE"]);
    let good = std::fs::read(dir.join("dump.rdb")).unwrap();
    let expected = snapshot(&mut c);
    write_keys(&mut c, "k", 300, "new");
    write_keys(&mut c, "extra", 100, "x");
    c.ok(&["CONFIG", "SET", "rdb-key-save-delay", "10000"]); // 10 ms per key: ~4 s
    assert_eq!(c.call(&["BGSAVE"]), V::Simple("Background saving started".into()));
    wait_mid_save(&mut c, "rdb_bgsave_in_progress");
    drop(c);
    srv.kill9();
    drop(srv);

    assert_eq!(std::fs::read(dir.join("dump.rdb")).unwrap(), good, "dump.rdb changed by an interrupted BGSAVE");
    let srv = Server::start(under_test(), &dir, &["--save", "3600 1"]);
    let mut c = srv.conn();
    let got = snapshot(&mut c);
    assert_same("restart after kill -9 during BGSAVE", &expected, &got, 0);
    // Saving works again and the result is valid.
    assert_eq!(c.call(&["BGSAVE"]), V::Simple("Background saving started".into()));
    wait_for("BGSAVE after restart", 30, || info_field(&mut c, "persistence", "rdb_bgsave_in_progress") == "0");
    assert_eq!(info_field(&mut c, "persistence", "rdb_last_bgsave_status"), "ok");
    let (ok, out) = check_rdb(Kind::Redis, &dir.join("dump.rdb"));
    assert!(ok, "{out}");
}

fn kill9_during_rewrite(preamble: &str) {
    let s = Scratch::new("killrewrite");
    let dir = s.dir("d");
    let conf = ["--appendonly", "yes", "--appendfsync", "always", "--aof-use-rdb-preamble", preamble];
    let mut srv = Server::start(under_test(), &dir, &conf);
    let mut c = srv.conn();
    write_keys(&mut c, "k", 300, "old");
    c.ok(&["CONFIG", "SET", "rdb-key-save-delay", "10000"]);
    assert_eq!(c.call(&["BGREWRITEAOF"]), V::Simple("Background append only file rewriting started".into()));
    wait_for("aof_rewrite_in_progress", 30, || info_field(&mut c, "persistence", "aof_rewrite_in_progress") == "1");
    // Writes acknowledged during the rewrite must survive it being killed.
    write_keys(&mut c, "k", 100, "new");
    c.call(&["RPUSH", "during", "a", "b"]);
    c.call(&["DEL", "k299"]);
    wait_mid_save(&mut c, "aof_rewrite_in_progress");
    let expected = snapshot(&mut c);
    drop(c);
    srv.kill9();
    drop(srv);

    let aofdir = dir.join("appendonlydir");
    let (ok, out) = check_aof(Kind::Redis, &find_manifest(&aofdir), false, "");
    assert!(ok, "AOF after kill -9 during rewrite:\n{out}");
    let mut srv = Server::start(under_test(), &dir, &conf);
    let mut c = srv.conn();
    let got = snapshot(&mut c);
    assert_same(&format!("restart after kill -9 during BGREWRITEAOF (preamble {preamble})"), &expected, &got, 0);
    // A rewrite now completes, and the result loads again.
    assert_eq!(c.call(&["BGREWRITEAOF"]), V::Simple("Background append only file rewriting started".into()));
    wait_for("the rewrite after restart", 30, || {
        let i = info(&mut c, "persistence");
        i["aof_rewrite_in_progress"] == "0" && i["aof_rewrite_scheduled"] == "0"
    });
    assert_eq!(info_field(&mut c, "persistence", "aof_last_bgrewrite_status"), "ok");
    drop(c);
    srv.shutdown(&["NOSAVE"]);
    let srv = Server::start(under_test(), &dir, &conf);
    let got = snapshot(&mut srv.conn());
    assert_same("restart after the completed rewrite", &expected, &got, 0);
}

#[test]
fn kill9_during_bgrewriteaof_with_preamble_keeps_every_write() {
    kill9_during_rewrite("yes");
}

#[test]
fn kill9_during_bgrewriteaof_without_preamble_keeps_every_write() {
    kill9_during_rewrite("no");
}

// ---------------------------------------------------------------------------
// SHUTDOWN and SIGTERM

/// Starts with `save`, writes a key, stops the server with `stop`, and
/// returns whether the key survived a restart (from dump.rdb).
fn survives(save: &str, stop: &str) -> bool {
    let s = Scratch::new("shutdown");
    let dir = s.dir("d");
    let mut srv = Server::start(under_test(), &dir, &["--save", save]);
    let mut c = srv.conn();
    c.ok(&["SET", "k", "v"]);
    drop(c);
    let st = match stop {
        "SIGTERM" => {
            srv.signal("TERM");
            srv.wait_exit(Duration::from_secs(30))
        }
        "SHUTDOWN" => srv.shutdown(&[]),
        other => srv.shutdown(&[other]),
    };
    assert!(st.success(), "save {save:?}, {stop}: exit status {st:?}");
    drop(srv);
    let saved = dir.join("dump.rdb").exists();
    let srv = Server::start(under_test(), &dir, &[]);
    let kept = srv.conn().call(&["GET", "k"]) == V::bulk("v");
    assert_eq!(saved, kept);
    kept
}

#[test]
fn shutdown_and_sigterm_save_when_save_points_exist() {
    assert!(survives("3600 1", "SHUTDOWN"), "SHUTDOWN with save points saves");
    assert!(survives("3600 1", "SIGTERM"), "SIGTERM with save points saves");
    assert!(survives("", "SAVE"), "SHUTDOWN SAVE saves without save points");
    assert!(!survives("", "SHUTDOWN"), "SHUTDOWN without save points does not save");
    assert!(!survives("", "SIGTERM"), "SIGTERM without save points does not save");
    assert!(!survives("3600 1", "NOSAVE"), "SHUTDOWN NOSAVE does not save");
}
