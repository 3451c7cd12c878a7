//! Sorted set commands (Redis's `t_zset.c`).
//!
//! The data structure is [`hematite_store::ZSet`]; this module parses
//! arguments, checks types, replies and does the bookkeeping Redis does
//! around each change (dirty counter, WATCH signal, keyspace events, and
//! deleting a key whose sorted set became empty).
//!
//! Every range command (ZRANGE in all its forms, ZRANGESTORE, the legacy
//! ZRANGEBYSCORE / ZREVRANGEBYLEX / ... family) goes through
//! [`zrange_generic`], which turns the request into an interval of ranks
//! of the sorted set and a direction. Replies with scores are flat
//! `member, score` arrays in RESP2 and arrays of `[member, score]` pairs in
//! RESP3, with scores as doubles.

use super::blocking::{arg_timeout, OnTimeout};
use super::{arg_f64, arg_i64, is, Ctx};
use crate::command::Row;
use crate::error::{CmdError, CmdResult};
use crate::row;
use bytes::Bytes;
use hematite_common::glob::string_match;
use hematite_config::notify;
use hematite_resp::ReplyBuf;
use hematite_store::zset::{AddFlags, AddOutcome, LexBound, LexRange, Limits, ScoreRange};
use hematite_store::{Object, Set, Value, ZSet};
use rand::Rng;
use std::collections::HashMap;

// ---------------------------------------------------------------------------
// helpers

fn limits(ctx: &Ctx) -> Limits {
    Limits {
        max_entries: ctx.st.config.zset_max_listpack_entries as usize,
        max_value: ctx.st.config.zset_max_listpack_value as usize,
    }
}

/// Looks up a sorted set for writing: `Ok(None)` if missing, `WRONGTYPE`
/// if the key holds another type.
fn write_zset<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Result<Option<&'c mut ZSet>, CmdError> {
    match ctx.write_key(key) {
        None => Ok(None),
        Some(Object { value: Value::ZSet(z), .. }) => Ok(Some(z)),
        Some(_) => Err(CmdError::WrongType),
    }
}

/// Runs `f` on a sorted set looked up for reading (`None` if missing).
fn with_zset<R>(ctx: &mut Ctx, key: &[u8], f: impl FnOnce(Option<&ZSet>, &mut ReplyBuf) -> R) -> Result<R, CmdError> {
    ctx.read_with(key, |o, out| match o {
        None => Ok(f(None, out)),
        Some(Object { value: Value::ZSet(z), .. }) => Ok(f(Some(z), out)),
        Some(_) => Err(CmdError::WrongType),
    })
}

/// Removes `key` if its sorted set is empty; true if it did.
fn delete_if_empty(ctx: &mut Ctx, key: &[u8]) -> bool {
    let empty = matches!(ctx.db().dict.get(key), Some(Object { value: Value::ZSet(z), .. }) if z.is_empty());
    if empty {
        ctx.db().remove(key);
    }
    empty
}

/// Writes one element of a range reply.
#[inline]
fn emit(out: &mut ReplyBuf, withscores: bool, member: &[u8], score: f64) {
    if withscores && out.resp3() {
        out.array(2);
    }
    out.bulk(member);
    if withscores {
        out.double(score);
    }
}

/// Writes the array header for `n` elements of a range reply.
#[inline]
fn emit_header(out: &mut ReplyBuf, withscores: bool, n: usize) {
    out.array(if withscores && !out.resp3() { n * 2 } else { n });
}

/// `strtod` as `zslParseRange` uses it: leading whitespace is skipped, the
/// whole text must be consumed, the empty string is 0, overflow gives ±inf.
fn parse_range_f64(s: &[u8]) -> Option<f64> {
    if s.is_empty() {
        return Some(0.0);
    }
    let start = s.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))?;
    let rest = &s[start..];
    if let Some(v) = hematite_common::num::parse_f64(rest) {
        return Some(v);
    }
    // Out-of-range values (1e400, 1e-400) are fine here, unlike in string2d.
    let v: f64 = std::str::from_utf8(rest).ok()?.parse().ok()?;
    if v.is_nan() || !(v.is_infinite() || v == 0.0) {
        return None;
    }
    Some(v)
}

fn parse_score_bound(s: &[u8]) -> Option<(f64, bool)> {
    let (ex, body) = match s.first() {
        Some(b'(') => (true, &s[1..]),
        _ => (false, s),
    };
    let v = parse_range_f64(body)?;
    if v.is_nan() {
        return None;
    }
    Some((v, ex))
}

/// Parses a score interval (`ERR min or max is not a float`).
fn parse_score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange, CmdError> {
    let err = || CmdError::err("min or max is not a float");
    let (min, minex) = parse_score_bound(min).ok_or_else(err)?;
    let (max, maxex) = parse_score_bound(max).ok_or_else(err)?;
    Ok(ScoreRange { min, max, minex, maxex })
}

/// Parses a lex interval (`ERR min or max not valid string range item`).
fn parse_lex_range(min: &[u8], max: &[u8]) -> Result<LexRange, CmdError> {
    let err = || CmdError::err("min or max not valid string range item");
    Ok(LexRange { min: LexBound::parse(min).ok_or_else(err)?, max: LexBound::parse(max).ok_or_else(err)? })
}

/// `getPositiveLongFromObjectOrReply` (any bad value gets the "must be
/// positive" text).
fn arg_positive(arg: &[u8]) -> Result<i64, CmdError> {
    arg_i64(arg).ok().filter(|&v| v >= 0).ok_or(CmdError::MustBePositive)
}

/// Normalises a rank interval given with Redis's negative indexes;
/// `None` when it is empty.
fn rank_interval(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let (mut s, mut e) = (start, end);
    if s < 0 {
        s += len;
    }
    if e < 0 {
        e += len;
    }
    s = s.max(0);
    if s > e || s >= len {
        return None;
    }
    e = e.min(len - 1);
    Some((s as usize, e as usize))
}

// ---------------------------------------------------------------------------
// ZADD, ZINCRBY, ZREM

fn zadd_generic(ctx: &mut Ctx, argv: &[Bytes], incr_cmd: bool) -> CmdResult {
    let key = &argv[1][..];
    let mut flags = AddFlags { incr: incr_cmd, ..AddFlags::default() };
    let mut ch = false;
    let mut j = 2;
    while j < argv.len() {
        let a = &argv[j][..];
        if is(a, "nx") {
            flags.nx = true;
        } else if is(a, "xx") {
            flags.xx = true;
        } else if is(a, "ch") {
            ch = true;
        } else if is(a, "incr") {
            flags.incr = true;
        } else if is(a, "gt") {
            flags.gt = true;
        } else if is(a, "lt") {
            flags.lt = true;
        } else {
            break;
        }
        j += 1;
    }
    if incr_cmd {
        j = 2;
        flags = AddFlags { incr: true, ..AddFlags::default() };
    }
    let pairs = &argv[j..];
    if pairs.is_empty() || pairs.len() % 2 != 0 {
        return Err(CmdError::Syntax);
    }
    if flags.nx && flags.xx {
        return Err(CmdError::err("XX and NX options at the same time are not compatible"));
    }
    if (flags.gt && flags.nx) || (flags.lt && flags.nx) || (flags.gt && flags.lt) {
        return Err(CmdError::err("GT, LT, and/or NX options at the same time are not compatible"));
    }
    let elements = pairs.len() / 2;
    if flags.incr && elements > 1 {
        return Err(CmdError::err("INCR option supports a single increment-element pair"));
    }
    let mut scores = Vec::with_capacity(elements);
    for p in pairs.chunks(2) {
        scores.push(arg_f64(&p[0])?);
    }
    let lim = limits(ctx);
    let mut created = None;
    let zs: &mut ZSet = match write_zset(ctx, key)? {
        Some(z) => z,
        None => {
            if flags.xx {
                reply_zadd(ctx, flags.incr, ch, 0, 0, false, 0.0);
                return Ok(());
            }
            // Redis 7.0 decides on the first member only; later ones
            // convert the new listpack as they are added.
            created.insert(ZSet::with_hint(1, pairs[1].len(), lim))
        }
    };
    let (mut added, mut updated, mut processed) = (0u64, 0u64, false);
    let mut score = 0.0;
    let mut nan = false;
    for (p, s) in pairs.chunks(2).zip(scores) {
        match zs.add(&p[1], s, flags, lim) {
            Err(_) => {
                nan = true;
                break;
            }
            Ok((o, new)) => {
                match o {
                    AddOutcome::Added => added += 1,
                    AddOutcome::Updated => updated += 1,
                    _ => {}
                }
                if o != AddOutcome::Nop {
                    processed = true;
                }
                score = new;
            }
        }
    }
    if let Some(z) = created {
        if !z.is_empty() {
            ctx.add_key(key, Value::ZSet(Box::new(z)));
        }
    }
    if nan {
        return Err(CmdError::err("resulting score is not a number (NaN)"));
    }
    ctx.dirty(added + updated);
    reply_zadd(ctx, flags.incr, ch, added, updated, processed, score);
    if added + updated > 0 {
        ctx.changed(notify::ZSET, if flags.incr { "zincr" } else { "zadd" }, key);
    }
    Ok(())
}

fn reply_zadd(ctx: &mut Ctx, incr: bool, ch: bool, added: u64, updated: u64, processed: bool, score: f64) {
    if incr {
        if processed {
            ctx.out.double(score);
        } else {
            ctx.out.null();
        }
    } else {
        ctx.out.int((if ch { added + updated } else { added }) as i64);
    }
}

/// `ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]`
pub fn zadd(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zadd_generic(ctx, argv, false)
}

/// `ZINCRBY key increment member`
pub fn zincrby(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zadd_generic(ctx, argv, true)
}

/// `ZREM key member [member ...]`
pub fn zrem(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1][..];
    let Some(zs) = write_zset(ctx, key)? else {
        ctx.out.int(0);
        return Ok(());
    };
    let mut deleted = 0;
    for m in &argv[2..] {
        if zs.remove(m) {
            deleted += 1;
            if zs.is_empty() {
                break;
            }
        }
    }
    if deleted > 0 {
        let removed = delete_if_empty(ctx, key);
        ctx.notify(notify::ZSET, "zrem", key);
        if removed {
            ctx.notify(notify::GENERIC, "del", key);
        }
        ctx.signal(key);
        ctx.dirty(deleted);
    }
    ctx.out.int(deleted as i64);
    Ok(())
}

// ---------------------------------------------------------------------------
// simple reads

/// `ZCARD key`
pub fn zcard(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    with_zset(ctx, &argv[1], |z, out| out.int(z.map_or(0, |z| z.len()) as i64))
}

/// `ZCOUNT key min max`
pub fn zcount(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let range = parse_score_range(&argv[2], &argv[3])?;
    with_zset(ctx, &argv[1], |z, out| out.int(z.map_or(0, |z| z.count_score(&range)) as i64))
}

/// `ZLEXCOUNT key min max`
pub fn zlexcount(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let range = parse_lex_range(&argv[2], &argv[3])?;
    with_zset(ctx, &argv[1], |z, out| out.int(z.map_or(0, |z| z.count_lex(&range)) as i64))
}

/// `ZSCORE key member`
pub fn zscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    with_zset(ctx, &argv[1], |z, out| match z.and_then(|z| z.score(&argv[2])) {
        Some(s) => out.double(s),
        None => out.null(),
    })
}

/// `ZMSCORE key member [member ...]`
pub fn zmscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    with_zset(ctx, &argv[1], |z, out| {
        out.array(argv.len() - 2);
        for m in &argv[2..] {
            match z.and_then(|z| z.score(m)) {
                Some(s) => out.double(s),
                None => out.null(),
            }
        }
    })
}

fn rank_generic(ctx: &mut Ctx, argv: &[Bytes], rev: bool) -> CmdResult {
    with_zset(ctx, &argv[1], |z, out| match z.and_then(|z| z.rank(&argv[2], rev)) {
        Some((r, _)) => out.int(r as i64),
        None => out.null(),
    })
}

/// `ZRANK key member`
pub fn zrank(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    rank_generic(ctx, argv, false)
}

/// `ZREVRANK key member`
pub fn zrevrank(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    rank_generic(ctx, argv, true)
}

// ---------------------------------------------------------------------------
// ranges

#[derive(Clone, Copy, PartialEq, Eq)]
enum RangeType {
    Rank,
    Score,
    Lex,
}

enum Bounds {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

/// A parsed range request.
struct RangeSpec {
    bounds: Bounds,
    rev: bool,
    offset: i64,
    limit: i64,
}

impl RangeSpec {
    /// The forward ranks `[start, end)` selected in `z`, and whether to
    /// walk them backwards. `None` when nothing is selected (and, for rank
    /// ranges, the store size hint is then 0).
    fn resolve(&self, z: &ZSet) -> Option<(usize, usize)> {
        let len = z.len();
        let (lo, hi) = match &self.bounds {
            Bounds::Rank(s, e) => {
                let (s, e) = rank_interval(*s, *e, len)?;
                return Some(if self.rev { (len - 1 - e, len - s) } else { (s, e + 1) });
            }
            Bounds::Score(r) => z.score_bounds(r),
            Bounds::Lex(r) => z.lex_bounds(r),
        };
        if self.offset < 0 || (self.offset > 0 && self.offset as usize >= len) {
            return None;
        }
        let avail = hi - lo;
        let off = (self.offset as usize).min(avail);
        let take = if self.limit < 0 { avail - off } else { (self.limit as usize).min(avail - off) };
        if take == 0 {
            return None;
        }
        Some(if self.rev { (hi - off - take, hi - off) } else { (lo + off, lo + off + take) })
    }
}

/// Redis's `zrangeGenericCommand`. `first` is the index of the source key
/// in `argv`; `dst` is the ZRANGESTORE destination. `rtype`/`rev` are
/// preset by the legacy commands (which then refuse BYSCORE/BYLEX/REV).
fn zrange_generic(ctx: &mut Ctx, argv: &[Bytes], first: usize, dst: Option<&[u8]>, rtype: Option<RangeType>, rev: Option<bool>) -> CmdResult {
    let key = &argv[first][..];
    let (mut rtype_opt, mut rev_opt) = (rtype, rev);
    let mut withscores = false;
    let (mut offset, mut limit) = (0i64, -1i64);
    let mut j = first + 3;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let a = &argv[j][..];
        if dst.is_none() && is(a, "withscores") {
            withscores = true;
        } else if is(a, "limit") && left >= 2 {
            offset = arg_i64(&argv[j + 1])?;
            limit = arg_i64(&argv[j + 2])?;
            j += 2;
        } else if rev_opt.is_none() && is(a, "rev") {
            rev_opt = Some(true);
        } else if rtype_opt.is_none() && is(a, "bylex") {
            rtype_opt = Some(RangeType::Lex);
        } else if rtype_opt.is_none() && is(a, "byscore") {
            rtype_opt = Some(RangeType::Score);
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    let rev = rev_opt.unwrap_or(false);
    let rtype = rtype_opt.unwrap_or(RangeType::Rank);
    if limit != -1 && rtype == RangeType::Rank {
        return Err(CmdError::err("syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"));
    }
    if withscores && rtype == RangeType::Lex {
        return Err(CmdError::err("syntax error, WITHSCORES not supported in combination with BYLEX"));
    }
    let (mut a, mut b) = (&argv[first + 1][..], &argv[first + 2][..]);
    if rev && rtype != RangeType::Rank {
        std::mem::swap(&mut a, &mut b);
    }
    let bounds = match rtype {
        RangeType::Rank => Bounds::Rank(arg_i64(a)?, arg_i64(b)?),
        RangeType::Score => Bounds::Score(parse_score_range(a, b)?),
        RangeType::Lex => Bounds::Lex(parse_lex_range(a, b)?),
    };
    let spec = RangeSpec { bounds, rev, offset, limit };
    match dst {
        None => with_zset(ctx, key, |z, out| {
            let Some(z) = z else {
                out.array(0);
                return;
            };
            match spec.resolve(z) {
                None => out.array(0),
                Some((s, e)) => {
                    emit_header(out, withscores, e - s);
                    z.for_range(s, e, rev, |m, sc| {
                        emit(out, withscores, m, sc);
                        true
                    });
                }
            }
        }),
        Some(dst) => {
            let lim = limits(ctx);
            let result = with_zset(ctx, key, |z, _| {
                let z = z?;
                let (s, e) = spec.resolve(z)?;
                let hint = if matches!(spec.bounds, Bounds::Rank(..)) { e - s } else { 0 };
                let mut out = ZSet::with_hint(hint, 0, lim);
                z.for_range(s, e, rev, |m, sc| {
                    out.insert(m, sc, lim);
                    true
                });
                Some(out)
            })?;
            store_result(ctx, dst, result, "zrangestore");
            Ok(())
        }
    }
}

/// Stores a `*STORE` result (or deletes `dst` when it is empty) and
/// replies with its size, as Redis's store handlers do.
fn store_result(ctx: &mut Ctx, dst: &[u8], result: Option<ZSet>, event: &str) {
    match result.filter(|z| !z.is_empty()) {
        Some(z) => {
            let n = z.len();
            ctx.set_value(dst, Value::ZSet(Box::new(z)), false);
            ctx.signal(dst);
            ctx.out.int(n as i64);
            ctx.notify(notify::ZSET, event, dst);
        }
        None => {
            ctx.out.int(0);
            if ctx.delete(dst) {
                ctx.signal(dst);
                ctx.notify(notify::GENERIC, "del", dst);
            }
        }
    }
}

/// `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]`
pub fn zrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, None, None)
}

/// `ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]`
pub fn zrangestore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 2, Some(&argv[1]), None, None)
}

/// `ZREVRANGE key start stop [WITHSCORES]`
pub fn zrevrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, Some(RangeType::Rank), Some(true))
}

/// `ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]`
pub fn zrangebyscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, Some(RangeType::Score), Some(false))
}

/// `ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]`
pub fn zrevrangebyscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, Some(RangeType::Score), Some(true))
}

/// `ZRANGEBYLEX key min max [LIMIT offset count]`
pub fn zrangebylex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, Some(RangeType::Lex), Some(false))
}

/// `ZREVRANGEBYLEX key max min [LIMIT offset count]`
pub fn zrevrangebylex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, Some(RangeType::Lex), Some(true))
}

fn zremrange_generic(ctx: &mut Ctx, argv: &[Bytes], rtype: RangeType) -> CmdResult {
    let key = &argv[1][..];
    let bounds = match rtype {
        RangeType::Rank => Bounds::Rank(arg_i64(&argv[2])?, arg_i64(&argv[3])?),
        RangeType::Score => Bounds::Score(parse_score_range(&argv[2], &argv[3])?),
        RangeType::Lex => Bounds::Lex(parse_lex_range(&argv[2], &argv[3])?),
    };
    let Some(zs) = write_zset(ctx, key)? else {
        ctx.out.int(0);
        return Ok(());
    };
    let (s, e) = match &bounds {
        Bounds::Rank(s, e) => match rank_interval(*s, *e, zs.len()) {
            Some((s, e)) => (s, e + 1),
            None => (0, 0),
        },
        Bounds::Score(r) => zs.score_bounds(r),
        Bounds::Lex(r) => zs.lex_bounds(r),
    };
    let deleted = zs.delete_range(s, e);
    if deleted > 0 {
        let removed = delete_if_empty(ctx, key);
        ctx.signal(key);
        let event = match rtype {
            RangeType::Rank => "zremrangebyrank",
            RangeType::Score => "zremrangebyscore",
            RangeType::Lex => "zremrangebylex",
        };
        ctx.notify(notify::ZSET, event, key);
        if removed {
            ctx.notify(notify::GENERIC, "del", key);
        }
    }
    ctx.dirty(deleted as u64);
    ctx.out.int(deleted as i64);
    Ok(())
}

/// `ZREMRANGEBYRANK key start stop`
pub fn zremrangebyrank(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zremrange_generic(ctx, argv, RangeType::Rank)
}

/// `ZREMRANGEBYSCORE key min max`
pub fn zremrangebyscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zremrange_generic(ctx, argv, RangeType::Score)
}

/// `ZREMRANGEBYLEX key min max`
pub fn zremrangebylex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zremrange_generic(ctx, argv, RangeType::Lex)
}

// ---------------------------------------------------------------------------
// pops

/// How a pop replies (Redis's `genericZpopCommand` arguments).
#[derive(Clone, Copy)]
struct PopReply {
    /// Emit the key (blocking pops, ZMPOP).
    emit_key: bool,
    /// Elements as `[member, score]` pairs.
    nested: bool,
    /// A null (array) instead of an empty array when no key has data.
    nil_when_empty: bool,
}

/// Pops up to `count` (None: a plain single pop) elements from the first
/// non-empty key. Returns false when every key is missing (nothing was
/// written when `block` is set, so the caller may block).
fn zpop_generic(ctx: &mut Ctx, keys: &[Bytes], max: bool, count: Option<usize>, how: PopReply, block: bool) -> Result<bool, CmdError> {
    let mut found = None;
    for k in keys {
        if write_zset(ctx, k)?.is_some() {
            found = Some(&k[..]);
            break;
        }
    }
    let Some(key) = found else {
        if !block {
            if how.nil_when_empty {
                ctx.out.null_array();
            } else {
                ctx.out.array(0);
            }
        }
        return Ok(false);
    };
    if count == Some(0) {
        ctx.out.array(0);
        return Ok(true);
    }
    let zs = write_zset(ctx, key)?.expect("found above");
    let n = count.unwrap_or(1).min(zs.len());
    // The AOF gets the plain pop of the key that was chosen (Redis 7 turns
    // BZPOPMIN, ZMPOP and BZMPOP into ZPOPMIN/ZPOPMAX key [n], n being what
    // it popped).
    if ctx.propagating() && how.emit_key {
        let name: &[u8] = if max { b"ZPOPMAX" } else { b"ZPOPMIN" };
        let mut v = crate::persistence::propagate::argv(&[name, key]);
        if count.is_some() {
            v.push(Bytes::from(n.to_string()));
        }
        ctx.propagate_as(vec![v]);
    }
    let zs = write_zset(ctx, key)?.expect("found above");
    let mut popped = Vec::with_capacity(n);
    for _ in 0..n {
        popped.push(zs.pop(max).expect("non-empty"));
    }
    let out = &mut *ctx.out;
    match (how.emit_key, how.nested) {
        (false, false) => out.array(n * 2),
        (false, true) => out.array(n),
        (true, false) => {
            out.array(n * 2 + 1);
            out.bulk(key);
        }
        (true, true) => {
            out.array(2);
            out.bulk(key);
            out.array(n);
        }
    }
    for (m, s) in &popped {
        if how.nested {
            out.array(2);
        }
        out.bulk(m);
        out.double(*s);
    }
    ctx.dirty(n as u64);
    ctx.notify(notify::ZSET, if max { "zpopmax" } else { "zpopmin" }, key);
    ctx.signal(key);
    if delete_if_empty(ctx, key) {
        ctx.notify(notify::GENERIC, "del", key);
    }
    Ok(true)
}

fn zpop_cmd(ctx: &mut Ctx, argv: &[Bytes], max: bool) -> CmdResult {
    if argv.len() > 3 {
        return Err(CmdError::Syntax);
    }
    let count = match argv.get(2) {
        Some(a) => Some(arg_positive(a)? as usize),
        None => None,
    };
    let nested = ctx.out.resp3() && count.is_some();
    zpop_generic(ctx, &argv[1..2], max, count, PopReply { emit_key: false, nested, nil_when_empty: false }, false)?;
    Ok(())
}

/// `ZPOPMIN key [count]`
pub fn zpopmin(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zpop_cmd(ctx, argv, false)
}

/// `ZPOPMAX key [count]`
pub fn zpopmax(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zpop_cmd(ctx, argv, true)
}

fn bzpop_cmd(ctx: &mut Ctx, argv: &[Bytes], max: bool) -> CmdResult {
    let timeout = arg_timeout(&argv[argv.len() - 1])?;
    let keys = &argv[1..argv.len() - 1];
    let how = PopReply { emit_key: true, nested: false, nil_when_empty: true };
    if zpop_generic(ctx, keys, max, None, how, true)? {
        return Ok(());
    }
    ctx.block_on(keys, timeout, OnTimeout::NullArray)
}

/// `BZPOPMIN key [key ...] timeout`
pub fn bzpopmin(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bzpop_cmd(ctx, argv, false)
}

/// `BZPOPMAX key [key ...] timeout`
pub fn bzpopmax(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bzpop_cmd(ctx, argv, true)
}

/// Parses `numkeys key [key ...] MIN|MAX [COUNT count]` from `argv[at..]`.
fn parse_mpop(argv: &[Bytes], at: usize) -> Result<(&[Bytes], bool, usize), CmdError> {
    let numkeys = arg_i64(&argv[at]).ok().filter(|&n| n >= 1).ok_or_else(|| CmdError::err("numkeys should be greater than 0"))?;
    let where_idx = (at as i64).saturating_add(numkeys).saturating_add(1);
    if where_idx >= argv.len() as i64 {
        return Err(CmdError::Syntax);
    }
    let where_idx = where_idx as usize;
    let max = if is(&argv[where_idx], "min") {
        false
    } else if is(&argv[where_idx], "max") {
        true
    } else {
        return Err(CmdError::Syntax);
    };
    let mut count = None;
    let mut j = where_idx + 1;
    while j < argv.len() {
        if count.is_none() && is(&argv[j], "count") && j + 1 < argv.len() {
            let c = arg_i64(&argv[j + 1]).ok().filter(|&c| c >= 1).ok_or_else(|| CmdError::err("count should be greater than 0"))?;
            count = Some(c as usize);
            j += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    Ok((&argv[at + 1..where_idx], max, count.unwrap_or(1)))
}

/// `ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]`
pub fn zmpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (keys, max, count) = parse_mpop(argv, 1)?;
    let how = PopReply { emit_key: true, nested: true, nil_when_empty: true };
    zpop_generic(ctx, keys, max, Some(count), how, false)?;
    Ok(())
}

/// `BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]`
pub fn bzmpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let timeout = arg_timeout(&argv[1])?;
    let (keys, max, count) = parse_mpop(argv, 2)?;
    let how = PopReply { emit_key: true, nested: true, nil_when_empty: true };
    if zpop_generic(ctx, keys, max, Some(count), how, true)? {
        return Ok(());
    }
    ctx.block_on(keys, timeout, OnTimeout::NullArray)
}

// ---------------------------------------------------------------------------
// ZUNION, ZINTER, ZDIFF and their STORE forms, ZINTERCARD

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

/// An input of the set operations: a sorted set or a plain set (every
/// member scoring 1).
enum Src<'a> {
    Z(&'a ZSet),
    S(&'a Set),
}

impl Src<'_> {
    fn len(&self) -> usize {
        match self {
            Src::Z(z) => z.len(),
            Src::S(s) => s.len(),
        }
    }
    fn score(&self, m: &[u8]) -> Option<f64> {
        match self {
            Src::Z(z) => z.score(m),
            Src::S(s) => s.contains(m).then_some(1.0),
        }
    }
    fn for_each(&self, mut f: impl FnMut(&[u8], f64)) {
        match self {
            Src::Z(z) => z.for_each(f),
            Src::S(s) => s.for_each(|m| f(m, 1.0)),
        }
    }
}

fn aggregate(agg: Aggregate, target: &mut f64, v: f64) {
    match agg {
        Aggregate::Sum => {
            *target += v;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggregate::Min => {
            if v < *target {
                *target = v;
            }
        }
        Aggregate::Max => {
            if v > *target {
                *target = v;
            }
        }
    }
}

fn weighted(w: f64, s: f64) -> f64 {
    let v = w * s;
    if v.is_nan() { 0.0 } else { v }
}

/// Redis's `zunionInterDiffGenericCommand`. `at` is the index of numkeys.
fn set_op_generic(ctx: &mut Ctx, argv: &[Bytes], at: usize, dst: Option<&[u8]>, op: SetOp, card_only: bool) -> CmdResult {
    let numkeys = arg_i64(&argv[at])?;
    if numkeys < 1 {
        let name = ctx.cmd.map(|c| c.full_name.clone()).unwrap_or_default();
        return Err(CmdError::err(format!("at least 1 input key is needed for '{name}' command")));
    }
    if numkeys > (argv.len() - at - 1) as i64 {
        return Err(CmdError::Syntax);
    }
    let n = numkeys as usize;
    let keys = &argv[at + 1..at + 1 + n];
    // Look every key up (expiry, stats, type check) before the options,
    // as Redis does.
    for k in keys {
        let o = if dst.is_some() { ctx.write_key(k) } else { ctx.read_key(k) };
        if let Some(o) = o {
            if !matches!(o.value, Value::ZSet(_) | Value::Set(_)) {
                return Err(CmdError::WrongType);
            }
        }
    }
    let mut weights = vec![1.0; n];
    let mut agg = Aggregate::Sum;
    let mut withscores = false;
    let mut limit = 0usize;
    let mut j = at + 1 + n;
    while j < argv.len() {
        let remaining = argv.len() - j;
        let a = &argv[j][..];
        if op != SetOp::Diff && !card_only && remaining > n && is(a, "weights") {
            for (i, w) in weights.iter_mut().enumerate() {
                *w = hematite_common::num::parse_f64(&argv[j + 1 + i]).ok_or_else(|| CmdError::err("weight value is not a float"))?;
            }
            j += n + 1;
        } else if op != SetOp::Diff && !card_only && remaining >= 2 && is(a, "aggregate") {
            let v = &argv[j + 1];
            agg = if is(v, "sum") {
                Aggregate::Sum
            } else if is(v, "min") {
                Aggregate::Min
            } else if is(v, "max") {
                Aggregate::Max
            } else {
                return Err(CmdError::Syntax);
            };
            j += 2;
        } else if dst.is_none() && !card_only && is(a, "withscores") {
            withscores = true;
            j += 1;
        } else if card_only && remaining >= 2 && is(a, "limit") {
            let l = arg_i64(&argv[j + 1]).ok().filter(|&l| l >= 0).ok_or_else(|| CmdError::err("LIMIT can't be negative"))?;
            limit = l as usize;
            j += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }

    let idx = ctx.sess.db;
    let db = &ctx.st.ks.dbs[idx];
    let mut srcs: Vec<(Option<Src>, f64)> = keys
        .iter()
        .zip(&weights)
        .map(|(k, &w)| {
            let s = match db.dict.get(&k[..]) {
                Some(Object { value: Value::ZSet(z), .. }) => Some(Src::Z(z)),
                Some(Object { value: Value::Set(s), .. }) => Some(Src::S(s)),
                _ => None,
            };
            (s, w)
        })
        .collect();
    let size = |s: &Option<Src>| s.as_ref().map_or(0, |s| s.len());
    if op == SetOp::Diff {
        srcs[1..].sort_by_key(|(s, _)| size(s));
    } else {
        srcs.sort_by_key(|(s, _)| size(s));
    }

    if card_only {
        let mut card = 0usize;
        if let (Some(first), _) = &srcs[0] {
            if srcs.iter().all(|(s, _)| s.is_some()) {
                let mut done = false;
                first.for_each(|m, _| {
                    if done {
                        return;
                    }
                    if srcs[1..].iter().all(|(s, _)| s.as_ref().unwrap().score(m).is_some()) {
                        card += 1;
                        if limit != 0 && card >= limit {
                            done = true;
                        }
                    }
                });
            }
        }
        ctx.out.int(card as i64);
        return Ok(());
    }

    let mut result: Vec<(Vec<u8>, f64)> = Vec::new();
    match op {
        SetOp::Inter => {
            if let (Some(first), w0) = &srcs[0] {
                if srcs.iter().all(|(s, _)| s.is_some()) {
                    first.for_each(|m, s| {
                        let mut score = weighted(*w0, s);
                        for (o, w) in &srcs[1..] {
                            match o.as_ref().unwrap().score(m) {
                                // Unlike the first source's, these products are
                                // not cleared of NaN: with MIN/MAX a NaN
                                // (0 * inf) loses every comparison.
                                Some(v) => aggregate(agg, &mut score, *w * v),
                                None => return,
                            }
                        }
                        result.push((m.to_vec(), score));
                    });
                }
            }
        }
        SetOp::Union => {
            let mut acc: HashMap<Vec<u8>, f64> = HashMap::new();
            for (s, w) in &srcs {
                if let Some(s) = s {
                    s.for_each(|m, sc| {
                        let v = weighted(*w, sc);
                        match acc.get_mut(m) {
                            Some(t) => aggregate(agg, t, v),
                            None => {
                                acc.insert(m.to_vec(), v);
                            }
                        }
                    });
                }
            }
            result = acc.into_iter().collect();
        }
        SetOp::Diff => {
            if let (Some(first), _) = &srcs[0] {
                first.for_each(|m, s| {
                    if !srcs[1..].iter().any(|(o, _)| o.as_ref().is_some_and(|o| o.score(m).is_some())) {
                        result.push((m.to_vec(), s));
                    }
                });
            }
        }
    }
    drop(srcs);

    let lim = limits(ctx);
    let mut z = ZSet::new_skiplist();
    let mut maxlen = 0;
    for (m, s) in &result {
        maxlen = maxlen.max(m.len());
        z.insert(m, *s, lim);
    }
    match dst {
        Some(dst) => {
            z.convert_to_listpack_if_needed(maxlen, lim);
            let event = match op {
                SetOp::Union => "zunionstore",
                SetOp::Inter => "zinterstore",
                SetOp::Diff => "zdiffstore",
            };
            store_result(ctx, dst, Some(z), event);
        }
        None => {
            let out = &mut *ctx.out;
            emit_header(out, withscores, z.len());
            z.for_each(|m, s| emit(out, withscores, m, s));
        }
    }
    Ok(())
}

/// `ZUNION numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`
pub fn zunion(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    set_op_generic(ctx, argv, 1, None, SetOp::Union, false)
}

/// `ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`
pub fn zinter(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    set_op_generic(ctx, argv, 1, None, SetOp::Inter, false)
}

/// `ZDIFF numkeys key [key ...] [WITHSCORES]`
pub fn zdiff(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    set_op_generic(ctx, argv, 1, None, SetOp::Diff, false)
}

/// `ZUNIONSTORE dst numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]`
pub fn zunionstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    set_op_generic(ctx, argv, 2, Some(&argv[1]), SetOp::Union, false)
}

/// `ZINTERSTORE dst numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]`
pub fn zinterstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    set_op_generic(ctx, argv, 2, Some(&argv[1]), SetOp::Inter, false)
}

/// `ZDIFFSTORE dst numkeys key [key ...]`
pub fn zdiffstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    set_op_generic(ctx, argv, 2, Some(&argv[1]), SetOp::Diff, false)
}

/// `ZINTERCARD numkeys key [key ...] [LIMIT limit]`
pub fn zintercard(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    set_op_generic(ctx, argv, 1, None, SetOp::Inter, true)
}

// ---------------------------------------------------------------------------
// ZRANDMEMBER, ZSCAN

/// `ZRANDMEMBER key [count [WITHSCORES]]`
pub fn zrandmember(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() == 2 {
        return with_zset(ctx, &argv[1], |z, out| match z {
            None => out.null(),
            Some(z) => {
                let r = rand::thread_rng().gen_range(0..z.len());
                out.bulk(&z.at(r).0);
            }
        });
    }
    let l = arg_i64(&argv[2])?;
    if l == i64::MIN {
        return Err(CmdError::err("value is out of range, value must between -9223372036854775807 and 9223372036854775807"));
    }
    let withscores = match argv.len() {
        3 => false,
        4 if is(&argv[3], "withscores") => true,
        _ => return Err(CmdError::Syntax),
    };
    if withscores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&l) {
        return Err(CmdError::err("value is out of range"));
    }
    with_zset(ctx, &argv[1], |z, out| {
        let Some(z) = z else {
            out.array(0);
            return;
        };
        let count = l.unsigned_abs() as usize;
        if count == 0 {
            out.array(0);
            return;
        }
        let size = z.len();
        let mut rng = rand::thread_rng();
        // A listpack is walked linearly, so it is copied out once rather
        // than walked for every pick; a skiplist finds a rank in O(log n).
        let flat: Vec<(Vec<u8>, f64)> = if z.is_listpack() {
            let mut v = Vec::with_capacity(size);
            z.for_each(|m, s| v.push((m.to_vec(), s)));
            v
        } else {
            Vec::new()
        };
        let pick = |r: usize, out: &mut ReplyBuf| {
            if flat.is_empty() {
                let (m, s) = z.at(r);
                emit(out, withscores, &m, s);
            } else {
                emit(out, withscores, &flat[r].0, flat[r].1);
            }
        };
        if l < 0 || count == 1 {
            // With repetitions.
            emit_header(out, withscores, count);
            for _ in 0..count {
                pick(rng.gen_range(0..size), out);
            }
            return;
        }
        if count >= size {
            emit_header(out, withscores, size);
            z.for_each(|m, s| emit(out, withscores, m, s));
            return;
        }
        emit_header(out, withscores, count);
        if count * 3 > size {
            // Many of them: a partial Fisher-Yates shuffle of all ranks.
            let mut ranks: Vec<usize> = (0..size).collect();
            for i in 0..count {
                let k = rng.gen_range(i..size);
                ranks.swap(i, k);
                pick(ranks[i], out);
            }
        } else {
            // Few of them: draw ranks until enough distinct ones came up.
            let mut seen = std::collections::HashSet::with_capacity(count);
            while seen.len() < count {
                let r = rng.gen_range(0..size);
                if seen.insert(r) {
                    pick(r, out);
                }
            }
        }
    })
}

/// `ZSCAN key cursor [MATCH pattern] [COUNT count]`
pub fn zscan(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut cursor = super::keys::parse_cursor(&argv[2])?;
    let key = &argv[1][..];
    let exists = with_zset(ctx, key, |z, _| z.is_some())?;
    if !exists {
        ctx.out.array(2);
        ctx.out.bulk(b"0");
        ctx.out.array(0);
        return Ok(());
    }
    let mut count: i64 = 10;
    let mut pattern: Option<&[u8]> = None;
    let mut i = 3;
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
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let mut found: Vec<(Vec<u8>, f64)> = Vec::new();
    {
        let idx = ctx.sess.db;
        let Some(Object { value: Value::ZSet(z), .. }) = ctx.st.ks.dbs[idx].dict.get(key) else { unreachable!() };
        let mut max_iter = count.saturating_mul(10);
        loop {
            cursor = z.scan(cursor, |m, s| found.push((m.to_vec(), s)));
            if cursor == 0 || max_iter == 0 || found.len() as i64 >= count {
                break;
            }
            max_iter -= 1;
        }
    }
    if let Some(p) = pattern {
        found.retain(|(m, _)| string_match(p, m, false));
    }
    let out = &mut *ctx.out;
    out.array(2);
    out.bulk(itoa::Buffer::new().format(cursor).as_bytes());
    out.array(found.len() * 2);
    for (m, s) in &found {
        out.bulk(m);
        out.bulk(hematite_common::num::format_double(*s).as_bytes());
    }
    Ok(())
}

/// This family's table rows (Redis 7.0.15's `COMMAND INFO`; `movablekeys`
/// is implied by the key specs of ZUNION & co.).
pub static ROWS: &[Row] = &[
    row!("zadd", -4, "write denyoom fast", "@sortedset", (1, 1, 1), zadd),
    row!("zincrby", 4, "write denyoom fast", "@sortedset", (1, 1, 1), zincrby),
    row!("zrem", -3, "write fast", "@sortedset", (1, 1, 1), zrem),
    row!("zcard", 2, "readonly fast", "@sortedset", (1, 1, 1), zcard),
    row!("zcount", 4, "readonly fast", "@sortedset", (1, 1, 1), zcount),
    row!("zlexcount", 4, "readonly fast", "@sortedset", (1, 1, 1), zlexcount),
    row!("zscore", 3, "readonly fast", "@sortedset", (1, 1, 1), zscore),
    row!("zmscore", -3, "readonly fast", "@sortedset", (1, 1, 1), zmscore),
    row!("zrank", 3, "readonly fast", "@sortedset", (1, 1, 1), zrank),
    row!("zrevrank", 3, "readonly fast", "@sortedset", (1, 1, 1), zrevrank),
    row!("zrange", -4, "readonly", "@sortedset", (1, 1, 1), zrange),
    row!("zrangestore", -5, "write denyoom", "@sortedset", (1, 2, 1), zrangestore),
    row!("zrangebyscore", -4, "readonly", "@sortedset", (1, 1, 1), zrangebyscore),
    row!("zrevrangebyscore", -4, "readonly", "@sortedset", (1, 1, 1), zrevrangebyscore),
    row!("zrangebylex", -4, "readonly", "@sortedset", (1, 1, 1), zrangebylex),
    row!("zrevrangebylex", -4, "readonly", "@sortedset", (1, 1, 1), zrevrangebylex),
    row!("zrevrange", -4, "readonly", "@sortedset", (1, 1, 1), zrevrange),
    row!("zremrangebyrank", 4, "write", "@sortedset", (1, 1, 1), zremrangebyrank),
    row!("zremrangebyscore", 4, "write", "@sortedset", (1, 1, 1), zremrangebyscore),
    row!("zremrangebylex", 4, "write", "@sortedset", (1, 1, 1), zremrangebylex),
    row!("zpopmin", -2, "write fast", "@sortedset", (1, 1, 1), zpopmin),
    row!("zpopmax", -2, "write fast", "@sortedset", (1, 1, 1), zpopmax),
    row!("zmpop", -4, "write", "@sortedset", (0, 0, 0), zmpop),
    row!("bzpopmin", -3, "write noscript blocking fast", "@sortedset", (1, -2, 1), bzpopmin),
    row!("bzpopmax", -3, "write noscript blocking fast", "@sortedset", (1, -2, 1), bzpopmax),
    row!("bzmpop", -5, "write blocking", "@sortedset", (0, 0, 0), bzmpop),
    row!("zunion", -3, "readonly", "@sortedset", (0, 0, 0), zunion),
    row!("zinter", -3, "readonly", "@sortedset", (0, 0, 0), zinter),
    row!("zdiff", -3, "readonly", "@sortedset", (0, 0, 0), zdiff),
    row!("zunionstore", -4, "write denyoom", "@sortedset", (1, 1, 1), zunionstore),
    row!("zinterstore", -4, "write denyoom", "@sortedset", (1, 1, 1), zinterstore),
    row!("zdiffstore", -4, "write denyoom", "@sortedset", (1, 1, 1), zdiffstore),
    row!("zintercard", -3, "readonly", "@sortedset", (0, 0, 0), zintercard),
    row!("zrandmember", -2, "readonly", "@sortedset", (1, 1, 1), zrandmember),
    row!("zscan", -3, "readonly", "@sortedset", (1, 1, 1), zscan),
];
