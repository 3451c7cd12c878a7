//! Persistence integration tests against the real binary: RDB and AOF files
//! interoperating with Debian's Redis 7.0.15 in both directions, DUMP/RESTORE
//! across servers, corrupt files at startup, INFO persistence fields and
//! turning the AOF on at runtime.
//!
//! Every test starts its own server(s) on free ports in its own scratch
//! directory. With `HEMATITE_IT_AGAINST_REDIS=1` the server under test is
//! `redis-server` itself, which validates the expectations; "the other
//! server" of the interop tests is always `redis-server`, and the check tools
//! are `redis-check-rdb`/`redis-check-aof` for Redis's side and
//! `hematite check-rdb`/`hematite check-aof` for hematite's.
//!
//! Crash, torn-tail and restart-during-save tests are in `persist_crash.rs`,
//! full-disk tests in `persist_disk.rs`.

mod common;

use common::*;
use std::path::Path;
use std::time::Duration;

/// TTL tolerance when comparing PTTLs across a save/load (the test's own
/// duration plus slack on a loaded machine).
const TTL_TOL: i64 = 120_000;

// ---------------------------------------------------------------------------
// RDB interop

/// `writer` populates and SAVEs; `reader` starts on a copy of the dump and
/// must hold the same data; `checker`'s check-rdb must accept the file.
fn rdb_transfer(writer: Kind, reader: Kind, checker: Kind, conf: &[&str]) {
    let s = Scratch::new("rdb");
    let wdir = s.dir("writer");
    let w = Server::start(writer, &wdir, conf);
    let mut c = w.conn();
    populate(&mut c);
    let expected = snapshot(&mut c);
    assert_eq!(c.call(&["SAVE"]), V::ok());
    let dump = wdir.join("dump.rdb");
    assert!(dump.is_file(), "SAVE wrote no dump.rdb");
    let head = std::fs::read(&dump).unwrap();
    assert!(head.starts_with(b"REDIS0010"), "RDB header {:?}", String::from_utf8_lossy(&head[..9.min(head.len())]));
    drop(c);
    drop(w);

    let (ok, out) = check_rdb(checker, &dump);
    assert!(ok, "{checker:?} check-rdb rejects the file written by {writer:?}:\n{out}");

    let rdir = s.dir("reader");
    std::fs::copy(&dump, rdir.join("dump.rdb")).unwrap();
    let r = Server::start(reader, &rdir, conf);
    let mut c = r.conn();
    let got = snapshot(&mut c);
    assert_same(&format!("{reader:?} loading {writer:?}'s dump.rdb"), &expected, &got, TTL_TOL);
}

#[test]
fn rdb_written_by_server_under_test_loads_in_redis() {
    rdb_transfer(under_test(), Kind::Redis, Kind::Redis, &[]);
}

#[test]
fn rdb_written_by_redis_loads_in_server_under_test() {
    rdb_transfer(Kind::Redis, under_test(), under_test(), &[]);
}

#[test]
fn rdb_without_compression_or_checksum_interoperates_both_ways() {
    let conf = ["--rdbcompression", "no", "--rdbchecksum", "no"];
    rdb_transfer(under_test(), Kind::Redis, Kind::Redis, &conf);
    rdb_transfer(Kind::Redis, under_test(), under_test(), &conf);
}

/// A file written without compression is bigger than one with: the 1 MB
/// string's repetitive half compresses. And without a checksum the last 8
/// bytes are zero (Redis writes a zero CRC and skips the check on load).
#[test]
fn rdb_compression_and_checksum_settings_shape_the_file() {
    let s = Scratch::new("rdbflags");
    let mut sizes = Vec::new();
    for (i, conf) in
        [["--rdbcompression", "yes", "--rdbchecksum", "yes"], ["--rdbcompression", "no", "--rdbchecksum", "no"]]
            .iter()
            .enumerate()
    {
        let dir = s.dir(&format!("d{i}"));
        let srv = Server::start(under_test(), &dir, conf);
        let mut c = srv.conn();
        populate(&mut c);
        c.ok(&["SAVE"]);
        let data = std::fs::read(dir.join("dump.rdb")).unwrap();
        let tail = &data[data.len() - 8..];
        if i == 0 {
            assert_ne!(tail, &[0u8; 8], "checksum enabled but zero");
        } else {
            assert_eq!(tail, &[0u8; 8], "rdbchecksum no writes a zero checksum");
        }
        sizes.push(data.len());
    }
    assert!(sizes[0] + 200_000 < sizes[1], "compressed {} vs uncompressed {}", sizes[0], sizes[1]);
}

// ---------------------------------------------------------------------------
// AOF interop

/// Writes made after the rewrite, in the incr file: MULTI/EXEC, EVAL,
/// commands whose propagation is rewritten (SPOP -> SREM, INCRBYFLOAT ->
/// SET KEEPTTL, SET EX / EXPIRE -> absolute times), keys that expire (DEL).
fn incr_writes(c: &mut Conn) {
    c.ok(&["SELECT", "0"]);
    c.ok(&["SET", "after:plain", "v"]);
    assert_eq!(c.call(&["MULTI"]), V::ok());
    assert_eq!(c.call(&["SET", "after:multi1", "a"]), V::Simple("QUEUED".into()));
    assert_eq!(c.call(&["INCR", "after:multi2"]), V::Simple("QUEUED".into()));
    assert_eq!(c.call(&["RPUSH", "list:small", "pushed-in-multi"]), V::Simple("QUEUED".into()));
    assert_eq!(c.call(&["EXEC"]).array().len(), 3);
    let r = c.call(&[
        "EVAL",
        "redis.call('SET', KEYS[1], ARGV[1]); redis.call('HSET', KEYS[2], 'lua', ARGV[1]); redis.call('DEL', KEYS[3]); return 1",
        "3",
        "after:lua",
        "hash:lp",
        "str:short",
        "from lua",
    ]);
    assert_eq!(r, V::Int(1));
    assert_eq!(c.call(&["FCALL", "ptest_echo", "0", "x"]), V::bulk("x"));
    // SPOP picks a random member: the AOF must hold which one.
    assert!(matches!(c.call(&["SPOP", "set:ht"]), V::Bulk(_)));
    assert_eq!(c.call(&["SPOP", "set:manyints", "3"]).array().len(), 3);
    // INCRBYFLOAT's result is propagated, not the increment.
    assert_eq!(c.call(&["INCRBYFLOAT", "str:float", "0.1"]), V::bulk("3.24"));
    c.ok(&["SET", "after:ex", "e", "EX", &(TTL_MS / 1000).to_string()]);
    assert_eq!(c.call(&["EXPIRE", "str:long", &(TTL_MS / 1000).to_string()]), V::Int(1));
    assert_eq!(c.call(&["PERSIST", "ttl:str"]), V::Int(1));
    c.ok(&["SET", "after:shortlived", "gone", "PX", "50"]);
    assert_eq!(c.call(&["PEXPIRE", "hash:bigval", "50"]), V::Int(1));
    c.ok(&["SELECT", "3"]);
    c.ok(&["SET", "after:db3", "3"]);
    c.ok(&["SELECT", "0"]);
    // Let the short-lived keys expire and be deleted (lazily by this access).
    std::thread::sleep(Duration::from_millis(120));
    assert_eq!(c.call(&["GET", "after:shortlived"]), V::Null);
    assert_eq!(c.call(&["EXISTS", "hash:bigval"]), V::Int(0));
}

fn aof_transfer(writer: Kind, reader: Kind, checker: Kind, preamble: &str) {
    let s = Scratch::new("aof");
    let wdir = s.dir("writer");
    let conf = ["--appendonly", "yes", "--aof-use-rdb-preamble", preamble, "--appendfsync", "everysec"];
    let mut w = Server::start(writer, &wdir, &conf);
    let mut c = w.conn();
    populate(&mut c);
    assert_eq!(c.call(&["BGREWRITEAOF"]), V::Simple("Background append only file rewriting started".into()));
    wait_for("the AOF rewrite to finish", 60, || {
        let i = info(&mut c, "persistence");
        i["aof_rewrite_in_progress"] == "0" && i["aof_rewrite_scheduled"] == "0"
    });
    incr_writes(&mut c);
    let expected = snapshot(&mut c);
    drop(c);
    w.shutdown(&["NOSAVE"]);

    let aofdir = wdir.join("appendonlydir");
    let files = manifest_files(&aofdir);
    let base: Vec<_> = files.iter().filter(|(_, t)| t == "b").collect();
    let incr: Vec<_> = files.iter().filter(|(_, t)| t == "i").collect();
    assert_eq!(base.len(), 1, "one base file: {files:?}");
    assert!(!incr.is_empty(), "an incr file: {files:?}");
    let want_ext = if preamble == "yes" { ".base.rdb" } else { ".base.aof" };
    assert!(base[0].0.ends_with(want_ext), "base file {} should end with {want_ext}", base[0].0);
    let base_data = std::fs::read(aofdir.join(&base[0].0)).unwrap();
    if preamble == "yes" {
        assert!(base_data.starts_with(b"REDIS"), "preamble base file starts with an RDB header");
    } else {
        assert!(base_data.starts_with(b"*"), "plain base file starts with a command");
    }
    let incr_data = std::fs::read(last_incr(&aofdir)).unwrap();
    let incr_cmds = aof_commands(&incr_data);
    assert!(!incr_cmds.is_empty(), "the incr file holds the writes made after the rewrite");
    // The expired key reached the AOF as a DEL (lazyfree-lazy-expire no).
    assert!(
        incr_cmds.iter().any(|(_, a)| a.len() == 2 && a[0].eq_ignore_ascii_case(b"DEL") && a[1] == b"after:shortlived"),
        "no DEL after:shortlived in the incr file"
    );

    let (ok, out) = check_aof(checker, &find_manifest(&aofdir), false, "");
    assert!(ok, "{checker:?} check-aof rejects the AOF written by {writer:?}:\n{out}");

    let rdir = s.dir("reader");
    copy_tree(&aofdir, &rdir.join("appendonlydir"));
    let r = Server::start(reader, &rdir, &conf);
    let mut c = r.conn();
    let got = snapshot(&mut c);
    assert_same(
        &format!("{reader:?} loading {writer:?}'s appendonlydir (preamble {preamble})"),
        &expected,
        &got,
        TTL_TOL,
    );
}

#[test]
fn aof_with_rdb_preamble_written_by_server_under_test_loads_in_redis() {
    aof_transfer(under_test(), Kind::Redis, Kind::Redis, "yes");
}

#[test]
fn aof_without_preamble_written_by_server_under_test_loads_in_redis() {
    aof_transfer(under_test(), Kind::Redis, Kind::Redis, "no");
}

#[test]
fn aof_written_by_redis_loads_in_server_under_test() {
    aof_transfer(Kind::Redis, under_test(), under_test(), "yes");
    aof_transfer(Kind::Redis, under_test(), under_test(), "no");
}

// ---------------------------------------------------------------------------
// DUMP / RESTORE

/// DUMPs every key on `from` and RESTOREs it (ABSTTL with the key's
/// PEXPIRETIME) on `to`; both must then hold the same data.
fn dump_restore(from: Kind, to: Kind) {
    let s = Scratch::new("dump");
    let a = Server::start(from, &s.dir("from"), &[]);
    let b = Server::start(to, &s.dir("to"), &[]);
    let mut ca = a.conn();
    let mut cb = b.conn();
    populate(&mut ca);
    // The function library is not a key; load it on both so snapshots match.
    assert_eq!(cb.call(&["FUNCTION", "LOAD", FUNCTION_LIB]), V::bulk("ptestlib"));
    let expected = snapshot(&mut ca);
    let mut current_db = None;
    for (db, key) in expected.keys.keys() {
        if current_db != Some(*db) {
            ca.ok(&["SELECT", &db.to_string()]);
            cb.ok(&["SELECT", &db.to_string()]);
            current_db = Some(*db);
        }
        let payload = ca.callb(&[b"DUMP", key]).bytes();
        let at = ca.callb(&[b"PEXPIRETIME", key]).int();
        let ttl = if at < 0 { "0".to_string() } else { at.to_string() };
        let r = cb.callb(&[b"RESTORE", key, ttl.as_bytes(), &payload, b"ABSTTL"]);
        assert_eq!(r, V::ok(), "RESTORE of {:?}", String::from_utf8_lossy(key));
    }
    let got = snapshot(&mut cb);
    assert_same(&format!("{to:?} RESTOREing {from:?}'s DUMPs"), &expected, &got, TTL_TOL);
}

#[test]
fn dump_from_server_under_test_restores_in_redis() {
    dump_restore(under_test(), Kind::Redis);
}

#[test]
fn dump_from_redis_restores_in_server_under_test() {
    dump_restore(Kind::Redis, under_test());
}

/// RESTORE's options and errors on the server under test, with payloads
/// made by Redis.
#[test]
fn restore_options_and_errors() {
    let s = Scratch::new("restore");
    let r = Server::start(Kind::Redis, &s.dir("redis"), &[]);
    let t = Server::start(under_test(), &s.dir("under-test"), &["--maxmemory-policy", "allkeys-lru"]);
    let mut cr = r.conn();
    let mut ct = t.conn();
    cr.ok(&["SET", "k", "from redis"]);
    cr.call(&["RPUSH", "l", "1", "2", "3"]);
    let pk = cr.call(&["DUMP", "k"]).bytes();
    let pl = cr.call(&["DUMP", "l"]).bytes();
    let restore = |c: &mut Conn, key: &str, ttl: &str, p: &[u8], extra: &[&str]| {
        let mut args: Vec<&[u8]> = vec![b"RESTORE", key.as_bytes(), ttl.as_bytes(), p];
        args.extend(extra.iter().map(|e| e.as_bytes()));
        c.callb(&args)
    };

    assert_eq!(restore(&mut ct, "k", "0", &pk, &[]), V::ok());
    assert_eq!(ct.call(&["GET", "k"]), V::bulk("from redis"));
    assert_eq!(ct.call(&["PTTL", "k"]), V::Int(-1));
    // Existing key without REPLACE.
    assert_eq!(restore(&mut ct, "k", "0", &pl, &[]), V::Error("BUSYKEY Target key name already exists.".into()));
    assert_eq!(ct.call(&["TYPE", "k"]), V::Simple("string".into()));
    // REPLACE, with a relative TTL.
    assert_eq!(restore(&mut ct, "k", "100000", &pl, &["REPLACE"]), V::ok());
    assert_eq!(ct.call(&["LRANGE", "k", "0", "-1"]), V::Array(vec![V::bulk("1"), V::bulk("2"), V::bulk("3")]));
    let pttl = ct.call(&["PTTL", "k"]).int();
    assert!((90_000..=100_000).contains(&pttl), "PTTL after RESTORE 100000: {pttl}");
    // ABSTTL.
    let at = now_ms() + 3_600_000;
    assert_eq!(restore(&mut ct, "abs", &at.to_string(), &pk, &["ABSTTL"]), V::ok());
    assert_eq!(ct.call(&["PEXPIRETIME", "abs"]), V::Int(at));
    // ABSTTL in the past: OK, but no key (Redis deletes it right away).
    assert_eq!(restore(&mut ct, "past", "1000", &pk, &["ABSTTL"]), V::ok());
    assert_eq!(ct.call(&["EXISTS", "past"]), V::Int(0));
    // IDLETIME sets the LRU clock (seconds).
    assert_eq!(restore(&mut ct, "idle", "0", &pk, &["IDLETIME", "1000"]), V::ok());
    let idle = ct.call(&["OBJECT", "IDLETIME", "idle"]).int();
    assert!((1000..1010).contains(&idle), "OBJECT IDLETIME after RESTORE IDLETIME 1000: {idle}");
    // FREQ is accepted under an LRU policy, but only takes effect with LFU.
    assert_eq!(restore(&mut ct, "freq-lru", "0", &pk, &["FREQ", "100"]), V::ok());
    ct.ok(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"]);
    assert_eq!(restore(&mut ct, "freq", "0", &pk, &["FREQ", "100"]), V::ok());
    assert_eq!(ct.call(&["OBJECT", "FREQ", "freq"]), V::Int(100));
    // All options together.
    assert_eq!(
        restore(&mut ct, "all", &(now_ms() + 60_000).to_string(), &pl, &["REPLACE", "ABSTTL", "FREQ", "7"]),
        V::ok()
    );
    assert_eq!(ct.call(&["OBJECT", "FREQ", "all"]), V::Int(7));

    // Errors.
    let bad_payload = V::Error("ERR DUMP payload version or checksum are wrong".into());
    let mut flipped = pk.clone();
    flipped[2] ^= 0x40; // a byte of the value: the CRC no longer matches
    assert_eq!(restore(&mut ct, "bad1", "0", &flipped, &[]), bad_payload);
    let mut newer = pk.clone();
    let n = newer.len();
    newer[n - 10] = 11; // RDB version 11 (newer than 7.0 knows)
    assert_eq!(restore(&mut ct, "bad2", "0", &newer, &[]), bad_payload);
    assert_eq!(restore(&mut ct, "bad3", "0", b"garbage", &[]), bad_payload);
    assert_eq!(restore(&mut ct, "bad4", "0", b"", &[]), bad_payload);
    assert_eq!(restore(&mut ct, "bad5", "-1", &pk, &[]), V::Error("ERR Invalid TTL value, must be >= 0".into()));
    assert_eq!(
        restore(&mut ct, "bad6", "0", &pk, &["IDLETIME", "-1"]),
        V::Error("ERR Invalid IDLETIME value, must be >= 0".into())
    );
    assert_eq!(
        restore(&mut ct, "bad7", "0", &pk, &["FREQ", "256"]),
        V::Error("ERR Invalid FREQ value, must be >= 0 and <= 255".into())
    );
    assert_eq!(
        restore(&mut ct, "bad8", "0", &pk, &["IDLETIME", "1", "FREQ", "1"]),
        V::Error("ERR syntax error".into())
    );
    assert_eq!(restore(&mut ct, "bad9", "0", &pk, &["BOGUS"]), V::Error("ERR syntax error".into()));
    for k in ["bad1", "bad2", "bad3", "bad4", "bad5", "bad6", "bad7", "bad8", "bad9"] {
        assert_eq!(ct.call(&["EXISTS", k]), V::Int(0), "{k} must not exist");
    }
    // Unlike an RDB file written with rdbchecksum no, a DUMP payload with a
    // zero CRC is rejected: RESTORE always verifies the CRC64.
    let mut zero_crc = pk.clone();
    let n = zero_crc.len();
    zero_crc[n - 8..].fill(0);
    assert_eq!(restore(&mut ct, "zerocrc", "0", &zero_crc, &[]), bad_payload);

    // The server under test's own payload goes back into Redis.
    let own = ct.call(&["DUMP", "all"]).bytes();
    assert_eq!(restore(&mut cr, "back", "0", &own, &[]), V::ok());
    assert_eq!(cr.call(&["LRANGE", "back", "0", "-1"]), V::Array(vec![V::bulk("1"), V::bulk("2"), V::bulk("3")]));
    assert_eq!(ct.call(&["DUMP", "nosuchkey"]), V::Null);
}

// ---------------------------------------------------------------------------
// Corrupt files at startup

fn assert_refuses(kind: Kind, dir: &Path, conf: &[&str], names: &str) -> String {
    match Server::try_start(kind, dir, conf, Duration::from_secs(30)) {
        Ok(_) => panic!("{kind:?} started on a corrupt {names}"),
        Err(f) => {
            let st = f.status.expect("the server neither started nor exited");
            assert!(!st.success(), "exit status {st:?}");
            assert!(f.log.contains(names), "the log should name {names}:\n{}", f.log);
            f.log
        }
    }
}

fn small_dump(kind: Kind, dir: &Path) -> Vec<u8> {
    let srv = Server::start(kind, dir, &[]);
    let mut c = srv.conn();
    for i in 0..50 {
        c.ok(&["SET", &format!("key:{i}"), &format!("a value that is long enough to find {i}")]);
    }
    c.call(&["RPUSH", "list", "a", "b", "c"]);
    c.ok(&["SAVE"]);
    std::fs::read(dir.join("dump.rdb")).unwrap()
}

#[test]
fn corrupt_rdb_stops_startup_and_is_left_alone() {
    let s = Scratch::new("badrdb");
    let dir = s.dir("d");
    let good = small_dump(under_test(), &dir);

    // A flipped byte inside a value: the CRC64 does not match.
    let pos = good.windows(10).position(|w| w == b"long enoug").expect("value bytes in the dump");
    let mut flipped = good.clone();
    flipped[pos] ^= 0x01;
    std::fs::write(dir.join("dump.rdb"), &flipped).unwrap();
    let log = assert_refuses(under_test(), &dir, &[], "dump.rdb");
    // Redis: "Wrong RDB checksum expected: (...) got (...). Aborting now."
    assert!(log.to_lowercase().contains("checksum"), "the log should say the checksum is wrong:\n{log}");
    assert_eq!(std::fs::read(dir.join("dump.rdb")).unwrap(), flipped, "the corrupt file was modified");
    assert!(!check_rdb(under_test(), &dir.join("dump.rdb")).0, "check-rdb accepts a flipped byte");

    // Truncated at several points.
    for cut in [good.len() - 1, good.len() - 9, good.len() / 2, 20] {
        std::fs::write(dir.join("dump.rdb"), &good[..cut]).unwrap();
        assert_refuses(under_test(), &dir, &[], "dump.rdb");
        assert_eq!(std::fs::read(dir.join("dump.rdb")).unwrap(), &good[..cut], "the truncated file was modified");
        assert!(!check_rdb(under_test(), &dir.join("dump.rdb")).0, "check-rdb accepts a file cut at {cut}");
    }

    // Not an RDB file at all. Surprise: Redis does not name the file here,
    // it only logs "Wrong signature trying to load DB from file" and
    // "Fatal error loading the DB: Invalid argument. Exiting.", so the test
    // accepts either the file name or that text.
    std::fs::write(dir.join("dump.rdb"), b"hello world, not an rdb").unwrap();
    let log = assert_refuses(under_test(), &dir, &[], "");
    assert!(log.contains("dump.rdb") || log.contains("Wrong signature"), "log:\n{log}");
    assert_eq!(std::fs::read(dir.join("dump.rdb")).unwrap(), b"hello world, not an rdb");

    // The good file still loads.
    std::fs::write(dir.join("dump.rdb"), &good).unwrap();
    let srv = Server::start(under_test(), &dir, &[]);
    assert_eq!(srv.conn().call(&["DBSIZE"]), V::Int(51));
}

#[test]
fn aof_manifest_naming_a_missing_file_stops_startup() {
    let s = Scratch::new("badmanifest");
    let dir = s.dir("d");
    let conf = ["--appendonly", "yes"];
    let mut srv = Server::start(under_test(), &dir, &conf);
    let mut c = srv.conn();
    c.ok(&["SET", "a", "1"]);
    drop(c);
    srv.shutdown(&["NOSAVE"]);
    let aofdir = dir.join("appendonlydir");
    let manifest = find_manifest(&aofdir);
    let before: Vec<(std::path::PathBuf, Vec<u8>)> = std::fs::read_dir(&aofdir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let d = std::fs::read(&p).unwrap();
            (p, d)
        })
        .collect();

    // An incr file the manifest names is gone.
    let incr = last_incr(&aofdir);
    let incr_name = incr.file_name().unwrap().to_string_lossy().into_owned();
    let incr_data = std::fs::read(&incr).unwrap();
    std::fs::remove_file(&incr).unwrap();
    let log = assert_refuses(under_test(), &dir, &conf, &incr_name);
    eprintln!("missing incr file log:\n{log}");
    std::fs::write(&incr, &incr_data).unwrap();

    // A manifest line naming a file that never existed.
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("{text}file appendonly.aof.99.incr.aof seq 99 type i\n")).unwrap();
    assert_refuses(under_test(), &dir, &conf, "appendonly.aof.99.incr.aof");
    std::fs::write(&manifest, &text).unwrap();

    // A manifest that is not a manifest.
    std::fs::write(&manifest, "this is not a manifest\n").unwrap();
    assert_refuses(under_test(), &dir, &conf, "manifest");
    std::fs::write(&manifest, &text).unwrap();

    // Nothing was modified by the failed starts.
    for (p, d) in &before {
        assert_eq!(&std::fs::read(p).unwrap(), d, "{} was modified", p.display());
    }
    let srv = Server::start(under_test(), &dir, &conf);
    assert_eq!(srv.conn().call(&["GET", "a"]), V::bulk("1"));
}

// ---------------------------------------------------------------------------
// INFO persistence and runtime CONFIG SET appendonly

#[test]
fn info_persistence_fields_follow_saves_and_rewrites() {
    let s = Scratch::new("info");
    let dir = s.dir("d");
    let srv = Server::start(under_test(), &dir, &[]);
    let mut c = srv.conn();
    let i = info(&mut c, "persistence");
    for (k, v) in [
        ("loading", "0"),
        ("async_loading", "0"),
        ("rdb_changes_since_last_save", "0"),
        ("rdb_bgsave_in_progress", "0"),
        ("rdb_last_bgsave_status", "ok"),
        ("aof_enabled", "0"),
        ("aof_rewrite_in_progress", "0"),
        ("aof_rewrite_scheduled", "0"),
        ("aof_last_bgrewrite_status", "ok"),
        ("aof_last_write_status", "ok"),
    ] {
        assert_eq!(i.get(k).map(String::as_str), Some(v), "INFO persistence {k}");
    }
    for k in ["rdb_last_save_time", "rdb_last_bgsave_time_sec", "aof_last_rewrite_time_sec", "current_fork_perc"] {
        assert!(i.contains_key(k), "INFO persistence lacks {k}");
    }
    let start_save_time: i64 = i["rdb_last_save_time"].parse().unwrap();
    assert!((start_save_time - now_ms() / 1000).abs() < 60, "rdb_last_save_time at startup is the start time");

    for n in 0..3 {
        c.ok(&["SET", &format!("k{n}"), "v"]);
    }
    c.call(&["RPUSH", "l", "a", "b", "c"]); // one command, 3 changes
    assert_eq!(info_field(&mut c, "persistence", "rdb_changes_since_last_save"), "6");
    c.call(&["GET", "k1"]);
    assert_eq!(info_field(&mut c, "persistence", "rdb_changes_since_last_save"), "6", "reads are not changes");

    std::thread::sleep(Duration::from_millis(1100));
    c.ok(&["SAVE"]);
    let i = info(&mut c, "persistence");
    assert_eq!(i["rdb_changes_since_last_save"], "0");
    let lastsave = c.call(&["LASTSAVE"]).int();
    assert_eq!(i["rdb_last_save_time"], lastsave.to_string());
    assert!(lastsave > start_save_time, "SAVE updates LASTSAVE");

    // A slow BGSAVE: in progress, refuses a second one, then ok.
    for n in 0..40 {
        c.ok(&["SET", &format!("slow{n}"), "v"]);
    }
    c.ok(&["CONFIG", "SET", "rdb-key-save-delay", "20000"]); // 20 ms per key, ~1 s
    assert_eq!(c.call(&["BGSAVE"]), V::Simple("Background saving started".into()));
    assert_eq!(info_field(&mut c, "persistence", "rdb_bgsave_in_progress"), "1");
    assert_eq!(c.call(&["BGSAVE"]), V::Error("ERR Background save already in progress".into()));
    assert_eq!(c.call(&["BGSAVE", "SCHEDULE"]), V::Error("ERR Background save already in progress".into()));
    // Redis refuses SAVE while a BGSAVE runs.
    assert_eq!(c.call(&["SAVE"]), V::Error("ERR Background save already in progress".into()));
    // A BGREWRITEAOF meanwhile is scheduled for after the save.
    assert_eq!(c.call(&["BGREWRITEAOF"]), V::Simple("Background append only file rewriting scheduled".into()));
    assert_eq!(info_field(&mut c, "persistence", "aof_rewrite_scheduled"), "1");
    c.ok(&["SET", "during", "bgsave"]);
    wait_for("BGSAVE to finish", 30, || info_field(&mut c, "persistence", "rdb_bgsave_in_progress") == "0");
    let i = info(&mut c, "persistence");
    assert_eq!(i["rdb_last_bgsave_status"], "ok");
    // The write made during the save is not in the file.
    assert_eq!(i["rdb_changes_since_last_save"], "1");
    c.ok(&["CONFIG", "SET", "rdb-key-save-delay", "0"]);
    wait_for("the scheduled rewrite to finish", 30, || {
        let i = info(&mut c, "persistence");
        i["aof_rewrite_scheduled"] == "0" && i["aof_rewrite_in_progress"] == "0"
    });
    assert_eq!(info_field(&mut c, "persistence", "aof_last_bgrewrite_status"), "ok");
    // BGREWRITEAOF with the AOF off still writes a base file in appenddirname.
    assert!(dir.join("appendonlydir").is_dir(), "BGREWRITEAOF with appendonly no writes appendonlydir");
    assert_eq!(info_field(&mut c, "persistence", "aof_enabled"), "0");
}

#[test]
fn config_set_appendonly_at_runtime_writes_the_current_data() {
    let s = Scratch::new("aofon");
    let dir = s.dir("d");
    let mut srv = Server::start(under_test(), &dir, &[]);
    let mut c = srv.conn();
    populate(&mut c);
    assert!(!dir.join("appendonlydir").exists());
    c.ok(&["CONFIG", "SET", "appendonly", "yes"]);
    assert_eq!(info_field(&mut c, "persistence", "aof_enabled"), "1");
    // Writes while the initial rewrite runs are kept too.
    c.ok(&["SET", "while:turning:on", "1"]);
    wait_for("the initial AOF rewrite", 60, || {
        let i = info(&mut c, "persistence");
        i["aof_rewrite_in_progress"] == "0" && i["aof_rewrite_scheduled"] == "0"
    });
    let i = info(&mut c, "persistence");
    assert_eq!(i["aof_last_bgrewrite_status"], "ok");
    assert_eq!(i["aof_last_write_status"], "ok");
    c.ok(&["SET", "after:on", "2"]);
    let expected = snapshot(&mut c);
    let aofdir = dir.join("appendonlydir");
    assert!(find_manifest(&aofdir).is_file());
    let (ok, out) = check_aof(Kind::Redis, &find_manifest(&aofdir), false, "");
    assert!(ok, "redis-check-aof:\n{out}");
    drop(c);
    srv.shutdown(&["NOSAVE"]);
    assert!(!dir.join("dump.rdb").exists(), "SHUTDOWN NOSAVE wrote dump.rdb");

    // The AOF alone restores everything (no dump.rdb exists).
    let srv = Server::start(under_test(), &dir, &["--appendonly", "yes"]);
    let got = snapshot(&mut srv.conn());
    assert_same("restart from the AOF turned on at runtime", &expected, &got, TTL_TOL);
    drop(srv);
    // Redis also loads it.
    let rdir = s.dir("redis");
    copy_tree(&aofdir, &rdir.join("appendonlydir"));
    let r = Server::start(Kind::Redis, &rdir, &["--appendonly", "yes"]);
    let got = snapshot(&mut r.conn());
    assert_same("Redis loading the AOF turned on at runtime", &expected, &got, TTL_TOL);
}

/// With appendonly yes the AOF wins over dump.rdb at startup.
#[test]
fn aof_wins_over_rdb_at_startup() {
    let s = Scratch::new("aofwins");
    let dir = s.dir("d");
    let mut srv = Server::start(under_test(), &dir, &["--appendonly", "yes"]);
    let mut c = srv.conn();
    c.ok(&["SET", "k", "in aof"]);
    drop(c);
    srv.shutdown(&["NOSAVE"]);
    // A dump.rdb with other data.
    let other = s.dir("other");
    let srv = Server::start(Kind::Redis, &other, &[]);
    let mut c = srv.conn();
    c.ok(&["SET", "k", "in rdb"]);
    c.ok(&["SAVE"]);
    drop(c);
    drop(srv);
    std::fs::copy(other.join("dump.rdb"), dir.join("dump.rdb")).unwrap();
    let srv = Server::start(under_test(), &dir, &["--appendonly", "yes"]);
    assert_eq!(srv.conn().call(&["GET", "k"]), V::bulk("in aof"));
    drop(srv);
    let srv = Server::start(under_test(), &dir, &["--appendonly", "no"]);
    assert_eq!(srv.conn().call(&["GET", "k"]), V::bulk("in rdb"));
}

/// -LOADING while a big dataset loads (slowed by `key-load-delay`,
/// microseconds per key), INFO loading:1 meanwhile.
#[test]
fn clients_get_loading_errors_while_the_dataset_loads() {
    let s = Scratch::new("loading");
    let dir = s.dir("d");
    let srv = Server::start(under_test(), &dir, &[]);
    let mut c = srv.conn();
    let cmds: Vec<Vec<Vec<u8>>> =
        (0..2000).map(|i| vec![b"SET".to_vec(), format!("k{i}").into_bytes(), b"v".to_vec()]).collect();
    c.pipeline(&cmds);
    c.ok(&["SAVE"]);
    drop(c);
    drop(srv);
    // 2000 keys x 1 ms = 2 s of loading; loading-process-events-interval-bytes
    // small so the server answers clients often while loading.
    let srv = Server::spawn(
        under_test(),
        &dir,
        &["--key-load-delay", "1000", "--loading-process-events-interval-bytes", "1024"],
    );
    let srv = srv.wait_ready(Duration::from_secs(30), false).unwrap_or_else(|f| panic!("did not start: {}", f.log));
    let mut c = srv.conn();
    let r = c.call(&["GET", "k1"]);
    assert_eq!(r, V::Error("LOADING Redis is loading the dataset in memory".into()));
    let i = info(&mut c, "persistence");
    assert_eq!(i["loading"], "1");
    for k in [
        "loading_start_time",
        "loading_total_bytes",
        "loading_loaded_bytes",
        "loading_loaded_perc",
        "loading_eta_seconds",
    ] {
        assert!(i.contains_key(k), "INFO persistence lacks {k} while loading");
    }
    wait_for("loading to finish", 60, || info_field(&mut c, "persistence", "loading") == "0");
    assert_eq!(c.call(&["DBSIZE"]), V::Int(2000));
}

/// BGSAVE saves the data as it was when the save started, while clients
/// keep being served (and writing) during the save.
#[test]
fn bgsave_is_a_point_in_time_snapshot_and_clients_keep_being_served() {
    let s = Scratch::new("pit");
    let dir = s.dir("d");
    let srv = Server::start(under_test(), &dir, &[]);
    let mut c = srv.conn();
    let cmds: Vec<Vec<Vec<u8>>> = (0..1000)
        .map(|i| vec![b"SET".to_vec(), format!("k{i}").into_bytes(), format!("old{i}").into_bytes()])
        .collect();
    c.pipeline(&cmds);
    c.call(&["RPUSH", "list", "a", "b"]);
    c.call(&["HSET", "hash", "f", "old"]);
    let expected = snapshot(&mut c);
    c.ok(&["CONFIG", "SET", "rdb-key-save-delay", "1000"]); // ~1 s
    assert_eq!(c.call(&["BGSAVE"]), V::Simple("Background saving started".into()));
    let mut worst = Duration::ZERO;
    let mut writes = 0;
    let mut i = 0;
    while info_field(&mut c, "persistence", "rdb_bgsave_in_progress") == "1" {
        let t = std::time::Instant::now();
        c.ok(&["SET", &format!("k{}", i % 1000), "new"]);
        c.call(&["DEL", &format!("k{}", (i * 7 + 3) % 1000)]);
        c.call(&["RPUSH", "list", "during"]);
        c.call(&["HSET", "hash", "f", "new", &format!("g{i}"), "x"]);
        c.ok(&["SET", &format!("fresh{i}"), "x"]);
        worst = worst.max(t.elapsed());
        writes += 5;
        i += 1;
        assert!(i < 100_000, "BGSAVE never finished");
    }
    c.ok(&["CONFIG", "SET", "rdb-key-save-delay", "0"]);
    assert!(writes >= 50, "only {writes} writes were served during a ~1 s BGSAVE");
    assert!(worst < Duration::from_millis(1000), "a round of 5 writes took {worst:?} during BGSAVE");
    assert_eq!(info_field(&mut c, "persistence", "rdb_last_bgsave_status"), "ok");
    let dump = dir.join("dump.rdb");
    let rdir = s.dir("redis");
    std::fs::copy(&dump, rdir.join("dump.rdb")).unwrap();
    let r = Server::start(Kind::Redis, &rdir, &[]);
    let got = snapshot(&mut r.conn());
    assert_same("the BGSAVE file holds the data as of the BGSAVE", &expected, &got, 0);
}

/// Keys evicted under maxmemory reach the AOF as DELs: after a restart the
/// server holds exactly the keys it held before.
#[test]
fn evicted_keys_are_deleted_in_the_aof_too() {
    let s = Scratch::new("evict");
    let dir = s.dir("d");
    let conf = ["--appendonly", "yes", "--appendfsync", "always"];
    let mut srv = Server::start(under_test(), &dir, &conf);
    let mut c = srv.conn();
    let used: i64 = info_field(&mut c, "memory", "used_memory").parse().unwrap();
    c.ok(&["CONFIG", "SET", "maxmemory", &(used + 2 * 1024 * 1024).to_string()]);
    c.ok(&["CONFIG", "SET", "maxmemory-policy", "allkeys-random"]);
    let v = "v".repeat(1000);
    let mut n = 0;
    while info_field(&mut c, "stats", "evicted_keys") == "0" {
        let cmds: Vec<Vec<Vec<u8>>> =
            (n..n + 200).map(|i| vec![b"SET".to_vec(), format!("k{i}").into_bytes(), v.clone().into_bytes()]).collect();
        for r in c.pipeline(&cmds) {
            assert_eq!(r, V::ok());
        }
        n += 200;
        assert!(n < 20_000, "no eviction after {n} keys of 1 KB");
    }
    c.ok(&["CONFIG", "SET", "maxmemory", "0"]);
    let mut before = c.call(&["KEYS", "*"]).bulks();
    before.sort();
    assert!((before.len() as i64) < n as i64, "keys were evicted");
    drop(c);
    srv.shutdown(&["NOSAVE"]);
    let srv = Server::start(under_test(), &dir, &conf);
    let mut after = srv.conn().call(&["KEYS", "*"]).bulks();
    after.sort();
    assert_eq!(before.len(), after.len(), "evicted keys came back (or others vanished) after a restart from the AOF");
    assert!(before == after, "different key sets after a restart from the AOF");
}

/// The AOF records the same commands as Redis's for the same deterministic
/// writes: rewritten blocking pops (served at once and served later),
/// INCRBYFLOAT/HINCRBYFLOAT results, GETDEL, MULTI/EXEC and script effects,
/// SELECT, FLUSHALL, and no-op writes that record nothing. The incr file of
/// each server is parsed and compared command by command. (Commands with
/// absolute deadlines are left out: their timestamps differ by nature.)
#[test]
fn aof_records_the_same_commands_as_redis() {
    let script: &[&[&str]] = &[
        &["RPUSH", "l", "a", "b", "c", "d", "e"],
        &["BLPOP", "nolist", "l", "0"],
        &["BLMPOP", "0", "1", "l", "RIGHT", "COUNT", "7"],
        &["RPUSH", "l", "a", "b", "c"],
        &["RPUSH", "l2", "x"],
        &["BLMOVE", "l", "l2", "LEFT", "RIGHT", "0"],
        &["BRPOPLPUSH", "l2", "l", "0"],
        &["LMPOP", "1", "l", "LEFT", "COUNT", "9"],
        &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"],
        &["BZPOPMIN", "z", "0"],
        &["ZPOPMIN", "z", "9"],
        &["ZADD", "z", "1", "a", "2", "b"],
        &["BZMPOP", "0", "1", "z", "MAX", "COUNT", "5"],
        &["SET", "f", "1.5"],
        &["INCRBYFLOAT", "f", "0.25"],
        &["HINCRBYFLOAT", "h", "x", "2.5"],
        &["GETDEL", "f"],
        &["GETDEL", "f"],
        &["DEL", "nosuchkey"],
        &["SELECT", "3"],
        &["SET", "in3", "v"],
        &["EVAL", "redis.call('SET', KEYS[1], 'x'); redis.call('INCR', 'n'); return redis.call('GET', 'n')", "1", "k"],
        &["EVAL", "return redis.call('GET', 'k')", "0"],
        &["MULTI"],
        &["INCR", "n"],
        &["SET", "m", "1"],
        &["EXEC"],
        &["SELECT", "0"],
        &["FLUSHALL"],
        &["SET", "after", "flush"],
    ];
    let s = Scratch::new("aofsame");
    let mut got = Vec::new();
    for (i, kind) in [under_test(), Kind::Redis].into_iter().enumerate() {
        let dir = s.dir(&format!("server{i}"));
        let mut srv = Server::start(kind, &dir, &["--appendonly", "yes", "--save", ""]);
        let mut c = srv.conn();
        for cmd in script {
            let r = c.call(cmd);
            assert!(!r.is_error(), "{kind:?}: {cmd:?} -> {r:?}");
        }
        drop(c);
        srv.shutdown(&["NOSAVE"]);
        let data = std::fs::read(last_incr(&dir.join("appendonlydir"))).unwrap();
        let cmds: Vec<Vec<String>> = aof_commands(&data)
            .into_iter()
            .map(|(_, argv)| argv.iter().map(|a| String::from_utf8_lossy(a).to_ascii_uppercase()).collect())
            .collect();
        got.push(cmds);
    }
    assert!(got[1].len() >= 25, "Redis recorded {} commands: {:?}", got[1].len(), got[1]);
    assert_eq!(got[0], got[1], "the server under test's AOF differs from Redis's");
}

/// DEBUG RELOAD saves, flushes and loads the dataset back with the same
/// values, TTLs, encodings and functions; MERGE and NOSAVE as in Redis.
#[test]
fn debug_reload_round_trips_the_dataset() {
    let s = Scratch::new("dbgreload");
    let dir = s.dir("d");
    let srv = Server::start(under_test(), &dir, &["--enable-debug-command", "yes", "--save", ""]);
    let mut c = srv.conn();
    populate(&mut c);
    let before = snapshot(&mut c);
    assert_eq!(c.call(&["DEBUG", "RELOAD"]), V::ok());
    assert_same("after DEBUG RELOAD", &before, &snapshot(&mut c), TTL_TOL);
    // NOSAVE reloads the file as it is: a key set since is gone again.
    c.ok(&["SELECT", "0"]);
    c.ok(&["SET", "added-after-save", "x"]);
    assert_eq!(c.call(&["DEBUG", "RELOAD", "NOSAVE"]), V::ok());
    assert_eq!(c.call(&["EXISTS", "added-after-save"]), V::Int(0));
    // NOSAVE NOFLUSH MERGE adds the file's keys to the dataset, the file's
    // value winning on conflicts.
    c.ok(&["SET", "only-in-memory", "y"]);
    assert_eq!(c.call(&["DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"]), V::ok());
    assert_eq!(c.call(&["GET", "only-in-memory"]), V::bulk("y"));
    assert_same("after DEBUG RELOAD NOSAVE NOFLUSH MERGE", &before, &{
        c.call(&["DEL", "only-in-memory"]);
        snapshot(&mut c)
    }, TTL_TOL);
    assert_eq!(
        c.call(&["DEBUG", "RELOAD", "BOGUS"]),
        V::Error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.".into())
    );
}
