//! List commands (Redis's `t_list.c`).
//!
//! The handlers follow Redis 7.0 step by step: argument parsing first
//! (options, counts, indexes), then the key lookup and type check, then the
//! change, with `signalModifiedKey` / keyspace events / dirty counts where
//! `t_list.c` has them. Shared shapes have one generic function: pushes
//! ([`push_generic`]), pops that reply with ranges ([`pop_reply`]), the
//! moves ([`lmove_generic`]) and the multi-key pops ([`mpop_generic`],
//! used by LMPOP, BLPOP, BRPOP and BLMPOP).
//!
//! Blocking commands are pure "serve now or block" functions: they try
//! their keys in argument order exactly like the non-blocking twin and,
//! when none has data, hand the keys to [`Ctx::block_on`]; the blocking
//! machinery runs the same handler again when one of them is written.

use super::blocking::{arg_timeout, OnTimeout};
use super::{arg_i64, is, Ctx};
use crate::command::Row;
use crate::error::{CmdError, CmdResult};
use crate::row;
use bytes::Bytes;
use hematite_config::notify;
use hematite_resp::ReplyBuf;
use hematite_store::{Elem, End, List, Object, Value};

// ---------------------------------------------------------------------------
// Helpers

/// Writes one element as a bulk string.
#[inline]
fn bulk_elem(out: &mut ReplyBuf, e: Elem) {
    match e {
        Elem::Bytes(b) => out.bulk(b),
        Elem::Int(n) => out.bulk_int(n),
    }
}

/// An empty list with the configured node size.
fn new_list(ctx: &Ctx) -> List {
    List::with_fill(ctx.st.config.list_max_listpack_size)
}

/// Looks a key up for writing (Redis's `lookupKeyWrite`) and hands the
/// list (or `None` if missing) to `f` together with the reply buffer;
/// `WRONGTYPE` if the key holds another type.
fn with_list_mut<R>(
    ctx: &mut Ctx,
    key: &[u8],
    f: impl FnOnce(Option<&mut List>, &mut ReplyBuf) -> R,
) -> Result<R, CmdError> {
    let idx = ctx.sess.db;
    let access = ctx.access();
    let touch = !ctx.sess.no_touch;
    let now = ctx.now_ms;
    let ks = &mut ctx.st.ks;
    match ks.dbs[idx].get_mut(key, now, &mut ks.counters, idx) {
        None => Ok(f(None, ctx.out)),
        Some(o) => {
            if touch {
                o.touch(access, now);
            }
            match &mut o.value {
                Value::List(l) => Ok(f(Some(l), ctx.out)),
                _ => Err(CmdError::WrongType),
            }
        }
    }
}

/// The length of the list at `key` for a write command: `None` if the key
/// is missing, `WRONGTYPE` if it holds another type.
fn write_len(ctx: &mut Ctx, key: &[u8]) -> Result<Option<usize>, CmdError> {
    with_list_mut(ctx, key, |l, _| l.map(|l| l.len()))
}

/// Looks a list up for a read command and hands it to `f`; `missing` is
/// called instead when the key does not exist.
fn with_list<R>(
    ctx: &mut Ctx,
    key: &[u8],
    missing: impl FnOnce(&mut ReplyBuf) -> R,
    f: impl FnOnce(&List, &mut ReplyBuf) -> R,
) -> Result<R, CmdError> {
    ctx.read_with(key, |o, out| match o {
        None => Ok(missing(out)),
        Some(Object { value: Value::List(l), .. }) => Ok(f(l, out)),
        Some(_) => Err(CmdError::WrongType),
    })
}

/// Parses LEFT / RIGHT (`ERR syntax error` otherwise).
fn arg_end(arg: &[u8]) -> Result<End, CmdError> {
    if is(arg, "left") {
        Ok(End::Left)
    } else if is(arg, "right") {
        Ok(End::Right)
    } else {
        Err(CmdError::Syntax)
    }
}

/// Redis's `getRangeLongFromObjectOrReply(.., min, LONG_MAX, .., msg)`:
/// a non-integer and a value below `min` both give `ERR <msg>`.
fn arg_at_least(arg: &[u8], min: i64, msg: &str) -> Result<i64, CmdError> {
    match hematite_common::num::parse_i64(arg) {
        Some(v) if v >= min => Ok(v),
        _ => Err(CmdError::err(msg)),
    }
}

/// The event name of a pop from `end`.
fn pop_event(end: End) -> &'static str {
    match end {
        End::Left => "lpop",
        End::Right => "rpop",
    }
}

/// The event name of a push at `end`.
fn push_event(end: End) -> &'static str {
    match end {
        End::Left => "lpush",
        End::Right => "rpush",
    }
}

/// Redis's `listElementsRemoved`: the pop event, deletion of an emptied
/// key (with its `del` event), the WATCH signal, `count` dirty changes.
fn elements_removed(ctx: &mut Ctx, key: &[u8], end: End, count: usize) {
    ctx.notify(notify::LIST, pop_event(end), key);
    if write_len(ctx, key).ok().flatten() == Some(0) {
        ctx.db().remove(key);
        ctx.notify(notify::GENERIC, "del", key);
    }
    ctx.signal(key);
    ctx.dirty(count as u64);
}

/// How a pop replies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// One bulk string (LPOP without count).
    Single,
    /// An array of the popped elements (LPOP with count).
    Array,
    /// `[key, element]` (BLPOP / BRPOP).
    KeyElem,
    /// `[key, [elements...]]` (LMPOP / BLMPOP).
    KeyArray,
}

/// Pops up to `count` elements from the non-empty list at `key`, replies
/// in the given shape, and does the side effects of a removal.
fn pop_reply(ctx: &mut Ctx, key: &[u8], end: End, count: usize, shape: Shape) -> CmdResult {
    let n = with_list_mut(ctx, key, |l, out| {
        let l = l.expect("pop_reply on a missing key");
        let n = count.min(l.len());
        match shape {
            Shape::KeyElem | Shape::KeyArray => {
                out.array(2);
                out.bulk(key);
            }
            _ => {}
        }
        if matches!(shape, Shape::Array | Shape::KeyArray) {
            out.array(n);
        }
        match end {
            End::Left => {
                for e in l.range(0, n - 1) {
                    bulk_elem(out, e);
                }
                l.delete_range(0, n);
            }
            End::Right => {
                for e in l.iter_rev().take(n) {
                    bulk_elem(out, e);
                }
                let len = l.len();
                l.delete_range(len - n, n);
            }
        }
        n
    })?;
    elements_removed(ctx, key, end, n);
    Ok(())
}

// ---------------------------------------------------------------------------
// Pushes

/// LPUSH / RPUSH / LPUSHX / RPUSHX: `xx` only pushes to an existing list.
fn push_generic(ctx: &mut Ctx, argv: &[Bytes], end: End, xx: bool) -> CmdResult {
    let key = &argv[1][..];
    let elems = &argv[2..];
    let len = with_list_mut(ctx, key, |l, _| {
        l.map(|l| {
            for v in elems {
                l.push(end, v);
            }
            l.len()
        })
    })?;
    let len = match len {
        Some(len) => len,
        None if xx => {
            ctx.out.int(0);
            return Ok(());
        }
        None => {
            let mut l = new_list(ctx);
            for v in elems {
                l.push(end, v);
            }
            let len = l.len();
            ctx.add_key(key, Value::List(Box::new(l)));
            len
        }
    };
    ctx.dirty(elems.len() as u64);
    ctx.out.int(len as i64);
    ctx.changed(notify::LIST, push_event(end), key);
    Ok(())
}

/// `LPUSH key element [element ...]`
pub fn lpush(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    push_generic(ctx, argv, End::Left, false)
}

/// `RPUSH key element [element ...]`
pub fn rpush(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    push_generic(ctx, argv, End::Right, false)
}

/// `LPUSHX key element [element ...]`
pub fn lpushx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    push_generic(ctx, argv, End::Left, true)
}

/// `RPUSHX key element [element ...]`
pub fn rpushx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    push_generic(ctx, argv, End::Right, true)
}

/// `LINSERT key BEFORE|AFTER pivot element`
pub fn linsert(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let after = if is(&argv[2], "after") {
        true
    } else if is(&argv[2], "before") {
        false
    } else {
        return Err(CmdError::Syntax);
    };
    let key = &argv[1][..];
    let r = with_list_mut(ctx, key, |l, _| l.map(|l| l.insert_pivot(&argv[3], after, &argv[4]).then(|| l.len())))?;
    match r {
        None => ctx.out.int(0),
        Some(None) => ctx.out.int(-1),
        Some(Some(len)) => {
            ctx.changed(notify::LIST, "linsert", key);
            ctx.dirty(1);
            ctx.out.int(len as i64);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Pops

/// LPOP / RPOP.
fn pop_generic(ctx: &mut Ctx, argv: &[Bytes], end: End) -> CmdResult {
    if argv.len() > 3 {
        return Err(CmdError::WrongArity(ctx.cmd.map(|c| c.full_name.clone()).unwrap_or_default()));
    }
    let count = match argv.get(2) {
        Some(a) => Some(arg_at_least(a, 0, "value is out of range, must be positive")? as usize),
        None => None,
    };
    let key = &argv[1][..];
    if write_len(ctx, key)?.is_none() {
        if count.is_some() {
            ctx.out.null_array();
        } else {
            ctx.out.null();
        }
        return Ok(());
    }
    match count {
        Some(0) => {
            ctx.out.array(0);
            Ok(())
        }
        Some(n) => pop_reply(ctx, key, end, n, Shape::Array),
        None => pop_reply(ctx, key, end, 1, Shape::Single),
    }
}

/// `LPOP key [count]`
pub fn lpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    pop_generic(ctx, argv, End::Left)
}

/// `RPOP key [count]`
pub fn rpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    pop_generic(ctx, argv, End::Right)
}

/// Serves the multi-key pops: the first non-empty list among `keys` (in
/// order) is popped; `count` is `None` for BLPOP/BRPOP (`[key, element]`
/// reply) and the LMPOP count otherwise. Returns false (without replying)
/// when every key is missing or empty.
fn mpop_generic(ctx: &mut Ctx, keys: &[Bytes], end: End, count: Option<usize>) -> Result<bool, CmdError> {
    for key in keys {
        match write_len(ctx, key)? {
            None | Some(0) => continue,
            Some(len) => {
                // The AOF gets the plain pop of the key that was chosen
                // (Redis 7 turns BLPOP/BRPOP into LPOP/RPOP key and
                // LMPOP/BLMPOP into LPOP/RPOP key n, n being what it popped).
                if ctx.propagating() {
                    let name: &[u8] = if end == End::Left { b"LPOP" } else { b"RPOP" };
                    let mut v = crate::persistence::propagate::argv(&[name, key]);
                    if let Some(n) = count {
                        v.push(Bytes::from(n.min(len).to_string()));
                    }
                    ctx.propagate_as(vec![v]);
                }
                match count {
                    None => pop_reply(ctx, key, end, 1, Shape::KeyElem)?,
                    Some(n) => pop_reply(ctx, key, end, n, Shape::KeyArray)?,
                }
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Parses `numkeys key [key ...] LEFT|RIGHT [COUNT count]` starting at
/// `argv[at]`: the keys, the end and the count (1 by default).
fn parse_mpop(argv: &[Bytes], at: usize) -> Result<(&[Bytes], End, usize), CmdError> {
    let numkeys = arg_at_least(&argv[at], 1, "numkeys should be greater than 0")? as usize;
    let where_idx = match at.checked_add(numkeys).and_then(|v| v.checked_add(1)) {
        Some(w) if w < argv.len() => w,
        _ => return Err(CmdError::Syntax),
    };
    let end = arg_end(&argv[where_idx])?;
    let mut count = None;
    let mut j = where_idx + 1;
    while j < argv.len() {
        if count.is_none() && is(&argv[j], "count") && j + 1 < argv.len() {
            j += 1;
            count = Some(arg_at_least(&argv[j], 1, "count should be greater than 0")? as usize);
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    Ok((&argv[at + 1..where_idx], end, count.unwrap_or(1)))
}

/// `LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]`
pub fn lmpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (keys, end, count) = parse_mpop(argv, 1)?;
    if !mpop_generic(ctx, keys, end, Some(count))? {
        ctx.out.null_array();
    }
    Ok(())
}

/// BLPOP / BRPOP.
fn bpop_generic(ctx: &mut Ctx, argv: &[Bytes], end: End) -> CmdResult {
    let timeout = arg_timeout(&argv[argv.len() - 1])?;
    let keys = &argv[1..argv.len() - 1];
    if mpop_generic(ctx, keys, end, None)? {
        return Ok(());
    }
    ctx.block_on(keys, timeout, OnTimeout::NullArray)
}

/// `BLPOP key [key ...] timeout`
pub fn blpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bpop_generic(ctx, argv, End::Left)
}

/// `BRPOP key [key ...] timeout`
pub fn brpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bpop_generic(ctx, argv, End::Right)
}

/// `BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]`
pub fn blmpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (keys, end, count) = parse_mpop(argv, 2)?;
    let timeout = arg_timeout(&argv[1])?;
    if mpop_generic(ctx, keys, end, Some(count))? {
        return Ok(());
    }
    ctx.block_on(keys, timeout, OnTimeout::NullArray)
}

// ---------------------------------------------------------------------------
// Moves

/// LMOVE / RPOPLPUSH / BLMOVE / BRPOPLPUSH: moves one element from the
/// `from` end of `src` to the `to` end of `dst`. Returns false (without
/// replying) when `src` does not exist.
fn lmove_generic(ctx: &mut Ctx, src: &[u8], dst: &[u8], from: End, to: End) -> Result<bool, CmdError> {
    if write_len(ctx, src)?.is_none() {
        return Ok(false);
    }
    // The destination's type is checked before anything changes.
    let dst_exists = write_len(ctx, dst)?.is_some();
    // The source is left in place even when emptied until the push is done,
    // so that moving within one list keeps the key (and its TTL).
    let v = with_list_mut(ctx, src, |l, _| l.and_then(|l| l.pop(from)))?.expect("source list is not empty");
    if !dst_exists {
        let l = new_list(ctx);
        ctx.add_key(dst, Value::List(Box::new(l)));
    }
    ctx.signal(dst);
    with_list_mut(ctx, dst, |l, _| l.expect("destination exists").push(to, &v))?;
    ctx.notify(notify::LIST, push_event(to), dst);
    ctx.out.bulk(&v);
    ctx.notify(notify::LIST, pop_event(from), src);
    if write_len(ctx, src)? == Some(0) {
        ctx.db().remove(src);
        ctx.notify(notify::GENERIC, "del", src);
    }
    ctx.signal(src);
    ctx.dirty(1);
    Ok(true)
}

/// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT`
pub fn lmove(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let from = arg_end(&argv[3])?;
    let to = arg_end(&argv[4])?;
    if !lmove_generic(ctx, &argv[1], &argv[2], from, to)? {
        ctx.out.null();
    }
    Ok(())
}

/// `RPOPLPUSH source destination`
pub fn rpoplpush(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if !lmove_generic(ctx, &argv[1], &argv[2], End::Right, End::Left)? {
        ctx.out.null();
    }
    Ok(())
}

/// `BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout`
pub fn blmove(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let from = arg_end(&argv[3])?;
    let to = arg_end(&argv[4])?;
    let timeout = arg_timeout(&argv[5])?;
    if lmove_generic(ctx, &argv[1], &argv[2], from, to)? {
        if ctx.propagating() {
            ctx.propagate_as(vec![argv[..5].iter().enumerate().map(|(i, a)| if i == 0 { Bytes::from_static(b"LMOVE") } else { a.clone() }).collect()]);
        }
        return Ok(());
    }
    ctx.block_on(&argv[1..2], timeout, OnTimeout::Null)
}

/// `BRPOPLPUSH source destination timeout`
pub fn brpoplpush(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let timeout = arg_timeout(&argv[3])?;
    if lmove_generic(ctx, &argv[1], &argv[2], End::Right, End::Left)? {
        if ctx.propagating() {
            ctx.propagate_as(vec![vec![Bytes::from_static(b"RPOPLPUSH"), argv[1].clone(), argv[2].clone()]]);
        }
        return Ok(());
    }
    ctx.block_on(&argv[1..2], timeout, OnTimeout::Null)
}

// ---------------------------------------------------------------------------
// Reads

/// `LLEN key`
pub fn llen(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    with_list(ctx, &argv[1], |out| out.int(0), |l, out| out.int(l.len() as i64))
}

/// Redis's start/end arithmetic for LRANGE and LTRIM: the inclusive range
/// `start..=end` clamped to a list of `len`, or `None` if it is empty.
fn clamp_range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let (mut s, mut e) = (start, end);
    if s < 0 {
        s += len;
    }
    if e < 0 {
        e += len;
    }
    if s < 0 {
        s = 0;
    }
    if s > e || s >= len {
        return None;
    }
    if e >= len {
        e = len - 1;
    }
    Some((s as usize, e as usize))
}

/// `LRANGE key start stop`
pub fn lrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let start = arg_i64(&argv[2])?;
    let end = arg_i64(&argv[3])?;
    with_list(
        ctx,
        &argv[1],
        |out| out.array(0),
        |l, out| match clamp_range(start, end, l.len()) {
            None => out.array(0),
            Some((s, e)) => {
                out.array(e - s + 1);
                for v in l.range(s, e) {
                    bulk_elem(out, v);
                }
            }
        },
    )
}

/// `LINDEX key index`
pub fn lindex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let index = &argv[2];
    with_list(
        ctx,
        &argv[1],
        |out| {
            out.null();
            Ok(())
        },
        |l, out| {
            let i = arg_i64(index)?;
            match l.get(i) {
                Some(e) => bulk_elem(out, e),
                None => out.null(),
            }
            Ok(())
        },
    )?
}

/// `LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]`
pub fn lpos(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut rank: i64 = 1;
    let mut count: Option<usize> = None;
    let mut maxlen: usize = 0;
    let mut j = 3;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        if is(&argv[j], "rank") && more {
            j += 1;
            rank = arg_i64(&argv[j])?;
            if rank == 0 {
                return Err(CmdError::err(
                    "RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
                ));
            }
        } else if is(&argv[j], "count") && more {
            j += 1;
            count = Some(arg_at_least(&argv[j], 0, "COUNT can't be negative")? as usize);
        } else if is(&argv[j], "maxlen") && more {
            j += 1;
            maxlen = arg_at_least(&argv[j], 0, "MAXLEN can't be negative")? as usize;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    // Redis negates a negative rank in a C long: LONG_MIN stays negative
    // and then matches from the first hit on.
    let (rank, from_tail) = if rank == i64::MIN { (1, true) } else { (rank.abs(), rank < 0) };
    let signed_rank = if from_tail { -rank } else { rank };
    let elem = &argv[2];
    with_list(
        ctx,
        &argv[1],
        |out| match count {
            Some(_) => out.array(0),
            None => out.null(),
        },
        |l, out| match count {
            Some(c) => {
                let found = l.positions(elem, signed_rank, c, maxlen);
                out.array(found.len());
                for i in found {
                    out.int(i as i64);
                }
            }
            None => match l.positions(elem, signed_rank, 1, maxlen).first() {
                Some(&i) => out.int(i as i64),
                None => out.null(),
            },
        },
    )
}

// ---------------------------------------------------------------------------
// Changes in place

/// `LSET key index element`
pub fn lset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1][..];
    let index = &argv[2];
    let r = with_list_mut(ctx, key, |l, _| match l {
        None => Err(CmdError::NoSuchKey),
        Some(l) => {
            let i = arg_i64(index)?;
            if l.set(i, &argv[3]) {
                Ok(())
            } else {
                Err(CmdError::err("index out of range"))
            }
        }
    })?;
    r?;
    ctx.out.ok();
    ctx.changed(notify::LIST, "lset", key);
    ctx.dirty(1);
    Ok(())
}

/// `LTRIM key start stop`
pub fn ltrim(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let start = arg_i64(&argv[2])?;
    let end = arg_i64(&argv[3])?;
    let key = &argv[1][..];
    let removed = with_list_mut(ctx, key, |l, _| {
        l.map(|l| {
            let len = l.len();
            match clamp_range(start, end, len) {
                None => {
                    l.delete_range(0, len);
                    len
                }
                Some((s, e)) => {
                    l.retain_range(s, e - s + 1);
                    len - (e - s + 1)
                }
            }
        })
    })?;
    let Some(removed) = removed else {
        ctx.out.ok();
        return Ok(());
    };
    ctx.notify(notify::LIST, "ltrim", key);
    if write_len(ctx, key)? == Some(0) {
        ctx.db().remove(key);
        ctx.notify(notify::GENERIC, "del", key);
    }
    ctx.signal(key);
    ctx.dirty(removed as u64);
    ctx.out.ok();
    Ok(())
}

/// `LREM key count element`
pub fn lrem(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let count = arg_i64(&argv[2])?;
    let key = &argv[1][..];
    let r = with_list_mut(ctx, key, |l, _| l.map(|l| (l.remove(&argv[3], count), l.is_empty())))?;
    let Some((removed, empty)) = r else {
        ctx.out.int(0);
        return Ok(());
    };
    ctx.dirty(removed as u64);
    if removed > 0 {
        ctx.notify(notify::LIST, "lrem", key);
    }
    if empty {
        ctx.db().remove(key);
        ctx.notify(notify::GENERIC, "del", key);
    }
    if removed > 0 {
        ctx.signal(key);
    }
    ctx.out.int(removed as i64);
    Ok(())
}

/// The list commands' table rows (flags, ACL categories and key positions
/// as Redis 7.0's `COMMAND INFO` reports them). LMPOP and BLMPOP report
/// `(0, 0, 0)` and the `movablekeys` flag there (their keys follow
/// `numkeys`); the table has no such flag yet, so it is left out.
pub static ROWS: &[Row] = &[
    row!("lpush", -3, "write denyoom fast", "@list", (1, 1, 1), lpush),
    row!("rpush", -3, "write denyoom fast", "@list", (1, 1, 1), rpush),
    row!("lpushx", -3, "write denyoom fast", "@list", (1, 1, 1), lpushx),
    row!("rpushx", -3, "write denyoom fast", "@list", (1, 1, 1), rpushx),
    row!("linsert", 5, "write denyoom", "@list", (1, 1, 1), linsert),
    row!("lpop", -2, "write fast", "@list", (1, 1, 1), lpop),
    row!("rpop", -2, "write fast", "@list", (1, 1, 1), rpop),
    row!("lmpop", -4, "write", "@list", (0, 0, 0), lmpop),
    row!("blpop", -3, "write noscript blocking", "@list", (1, -2, 1), blpop),
    row!("brpop", -3, "write noscript blocking", "@list", (1, -2, 1), brpop),
    row!("blmpop", -5, "write blocking", "@list", (0, 0, 0), blmpop),
    row!("lmove", 5, "write denyoom", "@list", (1, 2, 1), lmove),
    row!("rpoplpush", 3, "write denyoom", "@list", (1, 2, 1), rpoplpush),
    row!("blmove", 6, "write denyoom noscript blocking", "@list", (1, 2, 1), blmove),
    row!("brpoplpush", 4, "write denyoom noscript blocking", "@list", (1, 2, 1), brpoplpush),
    row!("llen", 2, "readonly fast", "@list", (1, 1, 1), llen),
    row!("lrange", 4, "readonly", "@list", (1, 1, 1), lrange),
    row!("lindex", 3, "readonly", "@list", (1, 1, 1), lindex),
    row!("lpos", -3, "readonly", "@list", (1, 1, 1), lpos),
    row!("lset", 4, "write denyoom", "@list", (1, 1, 1), lset),
    row!("ltrim", 4, "write", "@list", (1, 1, 1), ltrim),
    row!("lrem", 4, "write", "@list", (1, 1, 1), lrem),
];
