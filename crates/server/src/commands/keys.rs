//! Generic keyspace commands (Redis's `db.c` and `expire.c` commands).

use crate::persistence::propagate::argv as argv_of;
use super::{arg_i64, is, Ctx};
use crate::command::Row;
use crate::error::{CmdError, CmdResult};
use bytes::Bytes;
use hematite_common::glob::string_match;
use hematite_config::notify;
use hematite_store::object::idle_seconds;
use hematite_store::{Db, Key, Str, Value};

/// Parses a database index like Redis's `getIntFromObjectOrReply`.
pub fn arg_db_index(arg: &[u8], msg: Option<&str>) -> Result<i64, CmdError> {
    match hematite_common::num::parse_i64(arg) {
        Some(n) if n >= i32::MIN as i64 && n <= i32::MAX as i64 => Ok(n),
        _ => Err(match msg {
            Some(m) => CmdError::err(m),
            None => CmdError::NotInteger,
        }),
    }
}

/// `DEL key [key ...]` and `UNLINK key [key ...]`
pub fn del(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut n = 0;
    for key in &argv[1..] {
        if ctx.delete(key) {
            ctx.changed(notify::GENERIC, "del", key);
            n += 1;
        }
    }
    ctx.out.int(n);
    Ok(())
}

/// `EXISTS key [key ...]` (a key given twice counts twice)
pub fn exists(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut n = 0;
    for key in &argv[1..] {
        if ctx.read_key_notouch(key).is_some() {
            n += 1;
        }
    }
    ctx.out.int(n);
    Ok(())
}

/// `TYPE key`
pub fn type_(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let name = ctx.read_key_notouch(&argv[1]).map(|o| o.value.kind().name()).unwrap_or("none");
    ctx.out.simple(name.as_bytes());
    Ok(())
}

/// Moves a key's value and TTL between databases or names.
fn take(db: &mut Db, key: &[u8]) -> Option<(Value, u32, Option<i64>)> {
    let ttl = db.expire_of(key);
    let obj = db.remove(key)?;
    Some((obj.value, obj.lru, ttl))
}

/// Adds a key to database `db` (Redis's `dbAdd`, which fires `new`) with
/// the given access time and TTL.
fn put(ctx: &mut Ctx, db: usize, key: &[u8], value: Value, lru: u32, ttl: Option<i64>) {
    ctx.add_key_in(db, key, value);
    let d = &mut ctx.st.ks.dbs[db];
    if let Some(o) = d.dict.get_mut(key) {
        o.lru = lru;
    }
    if let Some(when) = ttl {
        d.set_expire(key, when);
    }
}

fn rename_generic(ctx: &mut Ctx, argv: &[Bytes], nx: bool) -> CmdResult {
    let (src, dst) = (&argv[1][..], &argv[2][..]);
    if ctx.write_key(src).is_none() {
        return Err(CmdError::NoSuchKey);
    }
    if src == dst {
        if nx {
            ctx.out.int(0);
        } else {
            ctx.out.ok();
        }
        return Ok(());
    }
    if ctx.write_key(dst).is_some() {
        if nx {
            ctx.out.int(0);
            return Ok(());
        }
        ctx.db().remove(dst);
    }
    let (value, lru, ttl) = take(ctx.db(), src).expect("checked above");
    let idx = ctx.sess.db;
    put(ctx, idx, dst, value, lru, ttl);
    ctx.signal(src);
    ctx.signal(dst);
    ctx.notify(notify::GENERIC, "rename_from", src);
    ctx.notify(notify::GENERIC, "rename_to", dst);
    ctx.dirty(1);
    if nx {
        ctx.out.int(1);
    } else {
        ctx.out.ok();
    }
    Ok(())
}

/// `RENAME key newkey`
pub fn rename(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    rename_generic(ctx, argv, false)
}

/// `RENAMENX key newkey`
pub fn renamenx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    rename_generic(ctx, argv, true)
}

/// Validates a destination database number for COPY and MOVE.
fn dest_db(ctx: &Ctx, arg: &[u8]) -> Result<usize, CmdError> {
    let id = arg_db_index(arg, None)?;
    if id < 0 || id >= ctx.st.ks.dbs.len() as i64 {
        return Err(CmdError::DbIndexOutOfRange);
    }
    Ok(id as usize)
}

/// `COPY source destination [DB destination-db] [REPLACE]`
pub fn copy(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut replace = false;
    let mut dst_db = ctx.sess.db;
    let mut j = 3;
    while j < argv.len() {
        if is(&argv[j], "replace") {
            replace = true;
        } else if is(&argv[j], "db") && j + 1 < argv.len() {
            dst_db = dest_db(ctx, &argv[j + 1])?;
            j += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    let (src, dst) = (&argv[1][..], &argv[2][..]);
    if dst_db == ctx.sess.db && src == dst {
        return Err(CmdError::err("source and destination objects are the same"));
    }
    let Some(obj) = ctx.read_key(src) else {
        ctx.out.int(0);
        return Ok(());
    };
    let value = obj.value.clone();
    let ttl = ctx.db().expire_of(src);
    let now = ctx.now_ms;
    let lru = ctx.lru();
    let ks = &mut ctx.st.ks;
    if ks.dbs[dst_db].contains(dst, now, &mut ks.counters, dst_db) {
        if !replace {
            ctx.out.int(0);
            return Ok(());
        }
        ks.dbs[dst_db].remove(dst);
    }
    put(ctx, dst_db, dst, value, lru, ttl);
    ctx.signal_in(dst_db, dst);
    ctx.notify_in(dst_db, notify::GENERIC, "copy_to", dst);
    ctx.dirty(1);
    ctx.out.int(1);
    Ok(())
}

/// `MOVE key db`
pub fn move_(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let dst_db = dest_db(ctx, &argv[2])?;
    if dst_db == ctx.sess.db {
        return Err(CmdError::err("source and destination objects are the same"));
    }
    let key = &argv[1][..];
    if ctx.write_key(key).is_none() {
        ctx.out.int(0);
        return Ok(());
    }
    let now = ctx.now_ms;
    let src_db = ctx.sess.db;
    let ks = &mut ctx.st.ks;
    if ks.dbs[dst_db].contains(key, now, &mut ks.counters, dst_db) {
        ctx.out.int(0);
        return Ok(());
    }
    let (value, lru, ttl) = take(&mut ks.dbs[src_db], key).expect("checked above");
    put(ctx, dst_db, key, value, lru, ttl);
    ctx.signal_in(src_db, key);
    ctx.signal_in(dst_db, key);
    ctx.notify_in(src_db, notify::GENERIC, "move_from", key);
    ctx.notify_in(dst_db, notify::GENERIC, "move_to", key);
    ctx.dirty(1);
    ctx.out.int(1);
    Ok(())
}

/// `KEYS pattern`
pub fn keys(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let pattern = &argv[1][..];
    let all = pattern == b"*";
    let now = ctx.now_ms;
    let db = &ctx.st.ks.dbs[ctx.sess.db];
    let out = &mut *ctx.out;
    let d = out.deferred_array();
    let mut n = 0;
    for (k, _) in db.dict.iter() {
        if (all || string_match(pattern, k, false)) && !matches!(db.expire_of(k), Some(w) if w <= now) {
            out.bulk(k);
            n += 1;
        }
    }
    out.finish_deferred(d, n);
    Ok(())
}

/// Parses a SCAN cursor with the `strtoul` rules Redis uses (`""` is 0,
/// `-1` wraps to 2^64-1).
pub fn parse_cursor(arg: &[u8]) -> Result<u64, CmdError> {
    hematite_common::num::parse_scan_cursor(arg).ok_or_else(|| CmdError::err("invalid cursor"))
}

/// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`
///
/// Walks the database's hash table with the reverse-binary cursor of
/// [`hematite_store::dict::Dict::scan`], which guarantees that a key present
/// for the whole iteration is returned at least once even if the table is
/// resized between calls. Visits buckets until `count` keys were collected
/// (at most `10 * count` buckets), then filters by pattern, type and expiry.
pub fn scan(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut cursor = parse_cursor(&argv[1])?;
    let mut count: i64 = 10;
    let mut pattern: Option<&[u8]> = None;
    let mut type_name: Option<&[u8]> = None;
    let mut i = 2;
    while i < argv.len() {
        let left = argv.len() - i;
        if is(&argv[i], "count") && left >= 2 {
            count = arg_i64(&argv[i + 1])?;
            if count < 1 {
                return Err(CmdError::Syntax);
            }
            i += 2;
        } else if is(&argv[i], "match") && left >= 2 {
            let p = &argv[i + 1][..];
            pattern = if p == b"*" { None } else { Some(p) };
            i += 2;
        } else if is(&argv[i], "type") && left >= 2 {
            type_name = Some(&argv[i + 1][..]);
            i += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let idx = ctx.sess.db;
    let mut found: Vec<Key> = Vec::new();
    {
        let db = &ctx.st.ks.dbs[idx];
        let mut max_iter = count.saturating_mul(10);
        loop {
            cursor = db.dict.scan(cursor, |k, _| found.push(k.clone()));
            if cursor == 0 || max_iter == 0 || found.len() as i64 >= count {
                break;
            }
            max_iter -= 1;
        }
    }
    let now = ctx.now_ms;
    let ks = &mut ctx.st.ks;
    found.retain(|k| {
        if let Some(p) = pattern {
            if !string_match(p, k, false) {
                return false;
            }
        }
        if let Some(t) = type_name {
            let db = &ks.dbs[idx];
            match db.dict.get(&k[..]) {
                Some(o) if o.value.kind().name().as_bytes().eq_ignore_ascii_case(t) => {}
                _ => return false,
            }
        }
        // Expired keys are deleted on the way, as Redis does.
        !matches!(ks.dbs[idx].get(k, now, &mut ks.counters, idx), None)
    });
    let out = &mut *ctx.out;
    out.array(2);
    out.bulk(itoa::Buffer::new().format(cursor).as_bytes());
    out.array(found.len());
    for k in &found {
        out.bulk(k);
    }
    Ok(())
}

/// `RANDOMKEY`
pub fn randomkey(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let idx = ctx.sess.db;
    let now = ctx.now_ms;
    let ks = &mut ctx.st.ks;
    match ks.dbs[idx].random_key(now, &mut ks.counters, idx) {
        Some(k) => ctx.out.bulk(&k),
        None => ctx.out.null(),
    }
    Ok(())
}

/// `TOUCH key [key ...]`
pub fn touch(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut n = 0;
    for key in &argv[1..] {
        if ctx.read_key(key).is_some() {
            n += 1;
        }
    }
    ctx.out.int(n);
    Ok(())
}

/// OBJECT's subcommands.
pub static OBJECT_SUBCOMMANDS: &[Row] = &[
    Row { name: "encoding", arity: 3, flags: "readonly", acl: "@keyspace", keys: (2, 2, 1), handler: object_encoding, subs: &[] },
    Row { name: "freq", arity: 3, flags: "readonly", acl: "@keyspace", keys: (2, 2, 1), handler: object_freq, subs: &[] },
    Row { name: "idletime", arity: 3, flags: "readonly", acl: "@keyspace", keys: (2, 2, 1), handler: object_idletime, subs: &[] },
    Row { name: "refcount", arity: 3, flags: "readonly", acl: "@keyspace", keys: (2, 2, 1), handler: object_refcount, subs: &[] },
    Row { name: "help", arity: 2, flags: "loading stale", acl: "@keyspace", keys: (0, 0, 0), handler: object_help, subs: &[] },
];

/// Looks up OBJECT's key without touching it; replies null when missing.
fn object_lookup<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Option<&'c hematite_store::Object> {
    let idx = ctx.sess.db;
    let ks = &mut ctx.st.ks;
    let found = ks.dbs[idx].get(key, ctx.now_ms, &mut ks.counters, idx).is_some();
    if found {
        ctx.st.stats.keyspace_hits += 1;
        ctx.st.ks.dbs[idx].dict.get(key)
    } else {
        ctx.st.stats.keyspace_misses += 1;
        ctx.out.null();
        None
    }
}

fn object_encoding(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if let Some(o) = object_lookup(ctx, &argv[2]) {
        let enc = o.value.encoding();
        ctx.out.bulk(enc.as_bytes());
    }
    Ok(())
}

fn lfu_policy(ctx: &Ctx) -> bool {
    ctx.st.config.maxmemory_policy.is_lfu()
}

fn object_freq(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let lfu = lfu_policy(ctx);
    let decay = ctx.st.config.lfu_decay_time;
    let now = ctx.now_ms;
    if let Some(o) = object_lookup(ctx, &argv[2]) {
        if !lfu {
            return Err(CmdError::err("An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
        }
        let counter = hematite_store::object::lfu_decr_and_return(o.lru, decay, now);
        ctx.out.int(counter as i64);
    }
    Ok(())
}

fn object_idletime(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let lfu = lfu_policy(ctx);
    let now = ctx.now_ms;
    if let Some(o) = object_lookup(ctx, &argv[2]) {
        if lfu {
            return Err(CmdError::err("An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
        }
        let idle = idle_seconds(o.lru, now) as i64;
        ctx.out.int(idle);
    }
    Ok(())
}

fn object_refcount(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    // Redis shares the objects of the integers 0..9999 unless an LRU/LFU
    // maxmemory policy needs per-key access times; shared objects report
    // a refcount of INT_MAX.
    let shared_ok = ctx.st.config.maxmemory == 0 || !(ctx.st.config.maxmemory_policy.is_lru() || ctx.st.config.maxmemory_policy.is_lfu());
    if let Some(o) = object_lookup(ctx, &argv[2]) {
        let shared = matches!(o.value, Value::Str(Str::Int(n)) if (0..10000).contains(&n)) && shared_ok;
        ctx.out.int(if shared { i32::MAX as i64 } else { 1 });
    }
    Ok(())
}

/// Writes a HELP reply: the first line names the command, then the lines.
pub fn help_reply(ctx: &mut Ctx, cmd: &str, lines: &[&str]) {
    ctx.out.array(lines.len() + 3);
    ctx.out.simple(format!("{cmd} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:").as_bytes());
    for l in lines {
        ctx.out.simple(l.as_bytes());
    }
    ctx.out.simple(b"HELP");
    ctx.out.simple(b"    Prints this help.");
}

fn object_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    help_reply(
        ctx,
        "OBJECT",
        &[
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
        ],
    );
    Ok(())
}

/// The shared body of EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT
/// (`expireGenericCommand`). `base` is added to the argument (now for the
/// relative forms, 0 for the absolute ones).
fn expire_generic(ctx: &mut Ctx, argv: &[Bytes], base: i64, seconds: bool) -> CmdResult {
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    for opt in &argv[3..] {
        if is(opt, "nx") {
            nx = true;
        } else if is(opt, "xx") {
            xx = true;
        } else if is(opt, "gt") {
            gt = true;
        } else if is(opt, "lt") {
            lt = true;
        } else {
            return Err(CmdError::err(format!("Unsupported option {}", String::from_utf8_lossy(opt))));
        }
    }
    if nx && (xx || gt || lt) {
        return Err(CmdError::err("NX and XX, GT or LT options at the same time are not compatible"));
    }
    if gt && lt {
        return Err(CmdError::err("GT and LT options at the same time are not compatible"));
    }
    let mut when = arg_i64(&argv[2])?;
    let invalid = || CmdError::InvalidExpireTime(ctx.cmd.map(|c| c.full_name.clone()).unwrap_or_default());
    if seconds {
        if when > i64::MAX / 1000 || when < i64::MIN / 1000 {
            return Err(invalid());
        }
        when *= 1000;
    }
    if when > i64::MAX - base {
        return Err(invalid());
    }
    when += base;
    let key = &argv[1][..];
    if ctx.write_key(key).is_none() {
        ctx.out.int(0);
        return Ok(());
    }
    let current = ctx.db().expire_of(key);
    let refuse = (nx && current.is_some())
        || (xx && current.is_none())
        || (gt && current.map_or(true, |c| when <= c))
        || (lt && current.is_some_and(|c| when >= c));
    if refuse {
        ctx.out.int(0);
        return Ok(());
    }
    // While loading an AOF, a deadline in the past is kept as is (Redis's
    // checkAlreadyExpired): later commands of the file saw the key.
    if when <= ctx.now_ms && !ctx.st.ks.counters.loading {
        ctx.db().remove(key);
        ctx.changed(notify::GENERIC, "del", key);
        if ctx.propagating() {
            ctx.propagate_as(vec![argv_of(&[b"DEL", key])]);
        }
    } else {
        ctx.db().set_expire(key, when);
        ctx.changed(notify::GENERIC, "expire", key);
        if ctx.propagating() {
            ctx.propagate_as(vec![argv_of(&[b"PEXPIREAT", key, when.to_string().as_bytes()])]);
        }
    }
    ctx.dirty(1);
    ctx.out.int(1);
    Ok(())
}

/// `EXPIRE key seconds [NX|XX|GT|LT]`
pub fn expire(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms;
    expire_generic(ctx, argv, now, true)
}

/// `PEXPIRE key milliseconds [NX|XX|GT|LT]`
pub fn pexpire(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms;
    expire_generic(ctx, argv, now, false)
}

/// `EXPIREAT key unix-time-seconds [NX|XX|GT|LT]`
pub fn expireat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    expire_generic(ctx, argv, 0, true)
}

/// `PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT]`
pub fn pexpireat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    expire_generic(ctx, argv, 0, false)
}

/// What TTL-like commands report.
enum TtlForm {
    RelSeconds,
    RelMillis,
    AbsSeconds,
    AbsMillis,
}

fn ttl_generic(ctx: &mut Ctx, argv: &[Bytes], form: TtlForm) -> CmdResult {
    let key = &argv[1][..];
    let idx = ctx.sess.db;
    let ks = &mut ctx.st.ks;
    if ks.dbs[idx].get(key, ctx.now_ms, &mut ks.counters, idx).is_none() {
        ctx.st.stats.keyspace_misses += 1;
        ctx.out.int(-2);
        return Ok(());
    }
    ctx.st.stats.keyspace_hits += 1;
    let Some(when) = ctx.db().expire_of(key) else {
        ctx.out.int(-1);
        return Ok(());
    };
    let ttl = (when - ctx.now_ms).max(0);
    let v = match form {
        TtlForm::RelSeconds => (ttl + 500) / 1000,
        TtlForm::RelMillis => ttl,
        TtlForm::AbsSeconds => (when + 500) / 1000,
        TtlForm::AbsMillis => when,
    };
    ctx.out.int(v);
    Ok(())
}

/// `TTL key`
pub fn ttl(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, TtlForm::RelSeconds)
}

/// `PTTL key`
pub fn pttl(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, TtlForm::RelMillis)
}

/// `EXPIRETIME key`
pub fn expiretime(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, TtlForm::AbsSeconds)
}

/// `PEXPIRETIME key`
pub fn pexpiretime(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, TtlForm::AbsMillis)
}

/// `PERSIST key`
pub fn persist(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1][..];
    if ctx.write_key(key).is_none() {
        ctx.out.int(0);
        return Ok(());
    }
    if ctx.db().persist(key) {
        ctx.changed(notify::GENERIC, "persist", key);
        ctx.dirty(1);
        ctx.out.int(1);
    } else {
        ctx.out.int(0);
    }
    Ok(())
}

/// `DBSIZE`
pub fn dbsize(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let n = ctx.db().len();
    ctx.out.int(n as i64);
    Ok(())
}

/// Parses FLUSHDB/FLUSHALL's optional `SYNC|ASYNC`; true for ASYNC.
fn flush_async(argv: &[Bytes]) -> Result<bool, CmdError> {
    match argv.len() {
        1 => Ok(false),
        2 if is(&argv[1], "sync") => Ok(false),
        2 if is(&argv[1], "async") => Ok(true),
        _ => Err(CmdError::Syntax),
    }
}

/// Empties a database; with `lazy`, the old tables are freed on a
/// background thread so the server is not blocked by a large free.
fn empty_db(db: &mut Db, lazy: bool) -> usize {
    let n = db.len();
    let old = std::mem::take(db);
    if lazy && n > 64 {
        std::thread::spawn(move || drop(old));
    } else {
        drop(old);
    }
    n
}

/// Breaks WATCHes on keys that exist in the database(s) being emptied.
pub(crate) fn touch_flushed(ctx: &mut Ctx, only: Option<usize>) {
    if ctx.st.watches.is_empty() {
        return;
    }
    let st = &mut *ctx.st;
    for (i, db) in st.ks.dbs.iter().enumerate() {
        if only.map_or(true, |o| o == i) {
            st.watches.touch_db(i, |k| db.dict.get(k).is_some());
        }
    }
}

/// `FLUSHDB [ASYNC|SYNC]`
pub fn flushdb(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let lazy = flush_async(argv)?;
    touch_flushed(ctx, Some(ctx.sess.db));
    let n = empty_db(ctx.db(), lazy);
    ctx.dirty(n as u64);
    ctx.out.ok();
    Ok(())
}

/// `FLUSHALL [ASYNC|SYNC]`
pub fn flushall(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let lazy = flush_async(argv)?;
    touch_flushed(ctx, None);
    let mut n = 0;
    for db in ctx.st.ks.dbs.iter_mut() {
        n += empty_db(db, lazy);
    }
    ctx.dirty(n as u64);
    // As Redis's flushAllDataAndResetRDB: a running BGSAVE is killed and,
    // with save points, the now empty dataset is saved at once, so a
    // restart cannot bring the flushed keys back.
    if ctx.st.persist.rdb_child() {
        crate::persistence::kill_child(ctx.st, ctx.shared);
    }
    if !ctx.st.config.save_params.is_empty() {
        let _ = crate::persistence::save(ctx.st, ctx.shared);
    }
    ctx.dirty(1);
    ctx.force_propagation();
    ctx.out.ok();
    Ok(())
}
