//! Hash commands (Redis's `t_hash.c`).
//!
//! The value type and its listpack / hashtable encodings live in
//! [`hematite_store::hash`]; this module parses arguments, applies the
//! changes and replies, with Redis 7.0's errors, dirty counts and keyspace
//! events. Like Redis's `hashTypeLookupWriteOrCreate`, the writing commands
//! create the key before they look at the field, so every path that could
//! fail afterwards only runs on a hash that already had the field.

use super::keys::parse_cursor;
use super::{arg_i64, is, Ctx};
use crate::command::Row;
use crate::error::{CmdError, CmdResult};
use crate::row;
use bytes::Bytes;
use hematite_common::glob::string_match;
use hematite_common::num;
use hematite_config::notify;
use hematite_resp::ReplyBuf;
use hematite_store::hash::Limits;
use hematite_store::{Hash, Kind, Object, Value};

/// The encoding thresholds from the configuration.
fn limits(ctx: &Ctx) -> Limits {
    let c = &ctx.st.config;
    Limits {
        max_entries: usize::try_from(c.hash_max_listpack_entries).unwrap_or(usize::MAX),
        max_value: usize::try_from(c.hash_max_listpack_value).unwrap_or(usize::MAX),
    }
}

/// Looks a hash up for writing: `Ok(None)` if missing, `WRONGTYPE` if the
/// key holds another type.
fn write_hash<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Result<Option<&'c mut Hash>, CmdError> {
    match ctx.write_key(key) {
        None => Ok(None),
        Some(Object { value: Value::Hash(h), .. }) => Ok(Some(h)),
        Some(_) => Err(CmdError::WrongType),
    }
}

/// Redis's `hashTypeLookupWriteOrCreate`: the hash at `key`, created empty
/// (and stored) if missing; `WRONGTYPE` if the key holds another type.
fn hash_or_create<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Result<&'c mut Hash, CmdError> {
    match ctx.write_key(key).map(|o| o.value.kind()) {
        Some(Kind::Hash) => {}
        Some(_) => return Err(CmdError::WrongType),
        None => {
            ctx.add_key(key, Value::Hash(Box::new(Hash::new())));
        }
    }
    Ok(write_hash(ctx, key)?.expect("present"))
}

/// Runs `f` on the hash at `key` for a read command (`None` if missing).
fn read_hash<R>(ctx: &mut Ctx, key: &[u8], f: impl FnOnce(Option<&Hash>, &mut ReplyBuf) -> R) -> Result<R, CmdError> {
    ctx.read_with(key, |o, out| match o {
        None => Ok(f(None, out)),
        Some(Object { value: Value::Hash(h), .. }) => Ok(f(Some(h), out)),
        Some(_) => Err(CmdError::WrongType),
    })
}

fn wrong_arity(ctx: &Ctx) -> CmdError {
    CmdError::WrongArity(ctx.cmd.map(|c| c.full_name.clone()).unwrap_or_default())
}

fn hset_generic(ctx: &mut Ctx, argv: &[Bytes], is_hmset: bool) -> CmdResult {
    if argv.len() % 2 == 1 {
        return Err(wrong_arity(ctx));
    }
    let key = &argv[1][..];
    let lim = limits(ctx);
    let h = hash_or_create(ctx, key)?;
    h.convert_for_args(argv[2..].iter().map(|a| &a[..]), lim);
    let mut created = 0;
    for pair in argv[2..].chunks(2) {
        if h.set(&pair[0], &pair[1], lim) {
            created += 1;
        }
    }
    if is_hmset {
        ctx.out.ok();
    } else {
        ctx.out.int(created);
    }
    ctx.changed(notify::HASH, "hset", key);
    ctx.dirty(((argv.len() - 2) / 2) as u64);
    Ok(())
}

/// `HSET key field value [field value ...]`
pub fn hset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    hset_generic(ctx, argv, false)
}

/// `HMSET key field value [field value ...]`
pub fn hmset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    hset_generic(ctx, argv, true)
}

/// `HSETNX key field value`
pub fn hsetnx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1][..];
    let lim = limits(ctx);
    let h = hash_or_create(ctx, key)?;
    if h.contains(&argv[2]) {
        ctx.out.int(0);
        return Ok(());
    }
    h.convert_for_args([&argv[2][..], &argv[3][..]], lim);
    h.set(&argv[2], &argv[3], lim);
    ctx.out.int(1);
    ctx.changed(notify::HASH, "hset", key);
    ctx.dirty(1);
    Ok(())
}

/// `HGET key field`
pub fn hget(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    read_hash(ctx, &argv[1], |h, out| match h.and_then(|h| h.get_with(&argv[2], |v| out.bulk(v))) {
        Some(()) => {}
        None => out.null(),
    })
}

/// `HMGET key field [field ...]`
pub fn hmget(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    read_hash(ctx, &argv[1], |h, out| {
        out.array(argv.len() - 2);
        for f in &argv[2..] {
            if h.and_then(|h| h.get_with(f, |v| out.bulk(v))).is_none() {
                out.null();
            }
        }
    })
}

/// `HDEL key field [field ...]`
pub fn hdel(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1][..];
    let Some(h) = write_hash(ctx, key)? else {
        ctx.out.int(0);
        return Ok(());
    };
    let mut deleted = 0;
    let mut emptied = false;
    for f in &argv[2..] {
        if h.delete(f) {
            deleted += 1;
            if h.is_empty() {
                emptied = true;
                break;
            }
        }
    }
    if emptied {
        ctx.db().remove(key);
    }
    if deleted > 0 {
        ctx.changed(notify::HASH, "hdel", key);
        if emptied {
            ctx.notify(notify::GENERIC, "del", key);
        }
        ctx.dirty(deleted as u64);
    }
    ctx.out.int(deleted);
    Ok(())
}

/// `HLEN key`
pub fn hlen(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    read_hash(ctx, &argv[1], |h, out| out.int(h.map_or(0, |h| h.len()) as i64))
}

/// `HSTRLEN key field`
pub fn hstrlen(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    read_hash(ctx, &argv[1], |h, out| out.int(h.map_or(0, |h| h.value_len(&argv[2])) as i64))
}

/// `HEXISTS key field`
pub fn hexists(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    read_hash(ctx, &argv[1], |h, out| out.int(h.is_some_and(|h| h.contains(&argv[2])) as i64))
}

/// What HKEYS / HVALS / HGETALL return.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Parts {
    Keys,
    Values,
    Both,
}

fn getall_generic(ctx: &mut Ctx, argv: &[Bytes], parts: Parts) -> CmdResult {
    read_hash(ctx, &argv[1], |h, out| {
        let len = h.map_or(0, |h| h.len());
        if parts == Parts::Both {
            out.map(len);
        } else {
            out.array(len);
        }
        if let Some(h) = h {
            h.for_each(|f, v| {
                if parts != Parts::Values {
                    out.bulk(f);
                }
                if parts != Parts::Keys {
                    out.bulk(v);
                }
            });
        }
    })
}

/// `HKEYS key`
pub fn hkeys(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    getall_generic(ctx, argv, Parts::Keys)
}

/// `HVALS key`
pub fn hvals(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    getall_generic(ctx, argv, Parts::Values)
}

/// `HGETALL key`
pub fn hgetall(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    getall_generic(ctx, argv, Parts::Both)
}

/// `HINCRBY key field increment`
pub fn hincrby(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let incr = arg_i64(&argv[3])?;
    let key = &argv[1][..];
    let lim = limits(ctx);
    let h = hash_or_create(ctx, key)?;
    let old = match h.get_int(&argv[2]) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(())) => return Err(CmdError::err("hash value is not an integer")),
    };
    let new = old.checked_add(incr).ok_or(CmdError::Overflow)?;
    h.set(&argv[2], itoa::Buffer::new().format(new).as_bytes(), lim);
    ctx.out.int(new);
    ctx.changed(notify::HASH, "hincrby", key);
    ctx.dirty(1);
    Ok(())
}

/// `HINCRBYFLOAT key field increment`
pub fn hincrbyfloat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    // The increment is checked before the key is looked up.
    num::hincr_by_float(None, &argv[3]).map_err(|e| CmdError::coded(e.message()))?;
    let key = &argv[1][..];
    let lim = limits(ctx);
    let h = hash_or_create(ctx, key)?;
    let current = h.get(&argv[2]);
    let new = num::hincr_by_float(current.as_deref(), &argv[3]).map_err(|e| CmdError::coded(e.message()))?;
    h.set(&argv[2], &new, lim);
    ctx.out.bulk(&new);
    ctx.changed(notify::HASH, "hincrbyfloat", key);
    ctx.dirty(1);
    // The AOF gets the result, not the float arithmetic.
    if ctx.propagating() {
        let argv = crate::persistence::propagate::argv(&[b"HSET", key, &argv[2], &new]);
        ctx.propagate_as(vec![argv]);
    }
    Ok(())
}

/// `HRANDFIELD key [count [WITHVALUES]]`
pub fn hrandfield(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() == 2 {
        return read_hash(ctx, &argv[1], |h, out| match h.and_then(|h| h.random_pair()) {
            Some((f, _)) => out.bulk(&f),
            None => out.null(),
        });
    }
    let l = arg_i64(&argv[2])?;
    if l == i64::MIN {
        return Err(CmdError::err(format!(
            "value is out of range, value must between {} and {}",
            -i64::MAX,
            i64::MAX
        )));
    }
    if argv.len() > 4 || (argv.len() == 4 && !is(&argv[3], "withvalues")) {
        return Err(CmdError::Syntax);
    }
    let withvalues = argv.len() == 4;
    if withvalues && !(i64::MIN / 2..=i64::MAX / 2).contains(&l) {
        return Err(CmdError::err("value is out of range"));
    }
    read_hash(ctx, &argv[1], |h, out| {
        let Some(h) = h else {
            out.array(0);
            return;
        };
        let count = l.unsigned_abs() as usize;
        if count == 0 {
            out.array(0);
            return;
        }
        let resp3 = out.resp3();
        let (uniq, n) = if l < 0 || count == 1 { (false, count) } else { (true, count.min(h.len())) };
        out.array(if withvalues && !resp3 { n * 2 } else { n });
        let mut emit = |f: &[u8], v: &[u8]| {
            if withvalues && resp3 {
                out.array(2);
            }
            out.bulk(f);
            if withvalues {
                out.bulk(v);
            }
        };
        if uniq {
            h.random_distinct_pairs(n, &mut emit);
        } else {
            h.random_pairs(n, &mut emit);
        }
    })
}

/// Options of HSCAN / SSCAN / ZSCAN: `[MATCH pattern] [COUNT count]`.
pub(crate) struct ScanOpts<'a> {
    /// Elements to look at per call (a hint).
    pub count: i64,
    /// The MATCH pattern, unless it is `*`.
    pub pattern: Option<&'a [u8]>,
}

/// Parses the options of a key-scanning command (Redis's
/// `scanGenericCommand` step 1; TYPE is refused for these commands).
pub(crate) fn parse_scan_opts(args: &[Bytes]) -> Result<ScanOpts<'_>, CmdError> {
    let mut opts = ScanOpts { count: 10, pattern: None };
    let mut i = 0;
    while i < args.len() {
        let left = args.len() - i;
        if is(&args[i], "count") && left >= 2 {
            opts.count = arg_i64(&args[i + 1])?;
            if opts.count < 1 {
                return Err(CmdError::Syntax);
            }
            i += 2;
        } else if is(&args[i], "match") && left >= 2 {
            let p = &args[i + 1][..];
            opts.pattern = if p == b"*" { None } else { Some(p) };
            i += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    Ok(opts)
}

/// Writes a SCAN-family reply: the cursor and the elements.
pub(crate) fn reply_scan(out: &mut ReplyBuf, cursor: u64, items: &[Vec<u8>]) {
    out.array(2);
    out.bulk(itoa::Buffer::new().format(cursor).as_bytes());
    out.array(items.len());
    for i in items {
        out.bulk(i);
    }
}

/// `HSCAN key cursor [MATCH pattern] [COUNT count]`
pub fn hscan(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let cursor = parse_cursor(&argv[2])?;
    read_hash(ctx, &argv[1], |h, out| {
        let Some(h) = h else {
            reply_scan(out, 0, &[]);
            return Ok(());
        };
        let opts = parse_scan_opts(&argv[3..])?;
        // Fields and values both count towards COUNT, as in Redis.
        let count = opts.count.saturating_mul(2);
        let mut max_iter = count.saturating_mul(10);
        let mut items: Vec<Vec<u8>> = Vec::new();
        let mut cur = cursor;
        loop {
            cur = h.scan(cur, |f, v| {
                if opts.pattern.map_or(true, |p| string_match(p, f, false)) {
                    items.push(f.to_vec());
                    items.push(v.to_vec());
                }
            });
            if cur == 0 || max_iter == 0 || items.len() as i64 >= count {
                break;
            }
            max_iter -= 1;
        }
        reply_scan(out, cur, &items);
        Ok(())
    })?
}

/// The hash commands' table rows.
pub static ROWS: &[Row] = &[
    row!("hset", -4, "write denyoom fast", "@hash", (1, 1, 1), hset),
    row!("hsetnx", 4, "write denyoom fast", "@hash", (1, 1, 1), hsetnx),
    row!("hget", 3, "readonly fast", "@hash", (1, 1, 1), hget),
    row!("hmget", -3, "readonly fast", "@hash", (1, 1, 1), hmget),
    row!("hmset", -4, "write denyoom fast", "@hash", (1, 1, 1), hmset),
    row!("hdel", -3, "write fast", "@hash", (1, 1, 1), hdel),
    row!("hlen", 2, "readonly fast", "@hash", (1, 1, 1), hlen),
    row!("hstrlen", 3, "readonly fast", "@hash", (1, 1, 1), hstrlen),
    row!("hexists", 3, "readonly fast", "@hash", (1, 1, 1), hexists),
    row!("hkeys", 2, "readonly", "@hash", (1, 1, 1), hkeys),
    row!("hvals", 2, "readonly", "@hash", (1, 1, 1), hvals),
    row!("hgetall", 2, "readonly", "@hash", (1, 1, 1), hgetall),
    row!("hincrby", 4, "write denyoom fast", "@hash", (1, 1, 1), hincrby),
    row!("hincrbyfloat", 4, "write denyoom fast", "@hash", (1, 1, 1), hincrbyfloat),
    row!("hrandfield", -2, "readonly", "@hash", (1, 1, 1), hrandfield),
    row!("hscan", -3, "readonly", "@hash", (1, 1, 1), hscan),
];
