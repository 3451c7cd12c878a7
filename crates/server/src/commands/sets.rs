//! Set commands (Redis's `t_set.c`).
//!
//! The value type and its intset / hashtable encodings live in
//! [`hematite_store::set`]. The multi-key commands follow Redis's shapes:
//! SINTER and friends look every key up (expiring it, counting a hit or
//! miss, checking its type) before computing; SUNION, SDIFF and the
//! "whole set" case of SPOP build their result into a fresh set that starts
//! as an intset, so an all-integer result is replied in ascending order, as
//! Redis replies it.

use crate::persistence::propagate::argv as argv_of;
use super::hashes::{parse_scan_opts, reply_scan};
use super::keys::parse_cursor;
use super::{arg_i64, is, Ctx};
use crate::command::Row;
use crate::error::{CmdError, CmdResult};
use crate::row;
use bytes::Bytes;
use hematite_common::glob::string_match;
use hematite_config::notify;
use hematite_resp::ReplyBuf;
use hematite_store::{Db, Kind, Object, Set, Value};

/// `set-max-intset-entries`.
fn max_intset(ctx: &Ctx) -> usize {
    usize::try_from(ctx.st.config.set_max_intset_entries).unwrap_or(usize::MAX)
}

/// Looks a set up for writing: `Ok(None)` if missing, `WRONGTYPE` if the
/// key holds another type.
fn write_set<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Result<Option<&'c mut Set>, CmdError> {
    match ctx.write_key(key) {
        None => Ok(None),
        Some(Object { value: Value::Set(s), .. }) => Ok(Some(s)),
        Some(_) => Err(CmdError::WrongType),
    }
}

/// Runs `f` on the set at `key` for a read command (`None` if missing).
fn read_set<R>(ctx: &mut Ctx, key: &[u8], f: impl FnOnce(Option<&mut Set>, &mut ReplyBuf) -> R) -> Result<R, CmdError> {
    ctx.read_with(key, |o, out| match o {
        None => Ok(f(None, out)),
        Some(Object { value: Value::Set(s), .. }) => Ok(f(Some(s), out)),
        Some(_) => Err(CmdError::WrongType),
    })
}

/// The set stored at `key` in `db` (after the keys were looked up).
fn set_in<'d>(db: &'d Db, key: &[u8]) -> Option<&'d Set> {
    match db.dict.get(key) {
        Some(Object { value: Value::Set(s), .. }) => Some(s),
        _ => None,
    }
}

/// Looks every key up like Redis's `lookupKeyRead` (expiry, hit/miss
/// stats) and checks that each existing one is a set; returns how many
/// are missing.
fn lookup_all(ctx: &mut Ctx, keys: &[Bytes]) -> Result<usize, CmdError> {
    let mut missing = 0;
    for k in keys {
        match ctx.read_key(k).map(|o| o.value.kind()) {
            None => missing += 1,
            Some(Kind::Set) => {}
            Some(_) => return Err(CmdError::WrongType),
        }
    }
    Ok(missing)
}

/// `SADD key member [member ...]`
pub fn sadd(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1][..];
    let max = max_intset(ctx);
    if write_set(ctx, key)?.is_none() {
        ctx.add_key(key, Value::Set(Box::new(Set::for_member(&argv[2]))));
    }
    let set = write_set(ctx, key)?.expect("present");
    let added = argv[2..].iter().filter(|m| set.add(m, max)).count();
    if added > 0 {
        ctx.changed(notify::SET, "sadd", key);
    }
    ctx.dirty(added as u64);
    ctx.out.int(added as i64);
    Ok(())
}

/// `SREM key member [member ...]`
pub fn srem(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1][..];
    let Some(set) = write_set(ctx, key)? else {
        ctx.out.int(0);
        return Ok(());
    };
    let mut deleted = 0;
    let mut emptied = false;
    for m in &argv[2..] {
        if set.remove(m) {
            deleted += 1;
            if set.is_empty() {
                emptied = true;
                break;
            }
        }
    }
    if emptied {
        ctx.db().remove(key);
    }
    if deleted > 0 {
        ctx.changed(notify::SET, "srem", key);
        if emptied {
            ctx.notify(notify::GENERIC, "del", key);
        }
        ctx.dirty(deleted as u64);
    }
    ctx.out.int(deleted);
    Ok(())
}

/// `SISMEMBER key member`
pub fn sismember(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    read_set(ctx, &argv[1], |s, out| out.int(s.is_some_and(|s| s.contains(&argv[2])) as i64))
}

/// `SMISMEMBER key member [member ...]`
pub fn smismember(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    read_set(ctx, &argv[1], |s, out| {
        out.array(argv.len() - 2);
        for m in &argv[2..] {
            out.int(s.as_ref().is_some_and(|s| s.contains(m)) as i64);
        }
    })
}

/// `SCARD key`
pub fn scard(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    read_set(ctx, &argv[1], |s, out| out.int(s.map_or(0, |s| s.len()) as i64))
}

/// `SMEMBERS key` (Redis serves it with the SINTER code).
pub fn smembers(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sinter_generic(ctx, &argv[1..2], None, false, 0)
}

/// Writes `members` as a set reply.
fn reply_members(out: &mut ReplyBuf, members: &[Vec<u8>]) {
    out.set(members.len());
    for m in members {
        out.bulk(m);
    }
}

/// Stores `result` at `dst` (or deletes `dst` if it is empty) the way
/// Redis's SINTERSTORE / SUNIONSTORE / SDIFFSTORE do, and replies with its
/// size.
fn store_result(ctx: &mut Ctx, dst: &[u8], result: Set, event: &str) {
    let n = result.len();
    if n > 0 {
        ctx.set_value(dst, Value::Set(Box::new(result)), false);
        ctx.signal(dst);
        ctx.out.int(n as i64);
        ctx.notify(notify::SET, event, dst);
    } else {
        ctx.out.int(0);
        if ctx.delete(dst) {
            ctx.signal(dst);
            ctx.notify(notify::GENERIC, "del", dst);
        }
    }
}

/// Redis's `sinterGenericCommand`: SINTER, SINTERSTORE, SINTERCARD and
/// SMEMBERS.
fn sinter_generic(ctx: &mut Ctx, keys: &[Bytes], dst: Option<&[u8]>, card_only: bool, limit: usize) -> CmdResult {
    let missing = lookup_all(ctx, keys)?;
    if missing > 0 {
        // An empty set in the intersection makes the result empty.
        if let Some(dst) = dst {
            if ctx.delete(dst) {
                ctx.signal(dst);
                ctx.notify(notify::GENERIC, "del", dst);
            }
            ctx.out.int(0);
        } else if card_only {
            ctx.out.int(0);
        } else {
            ctx.out.set(0);
        }
        return Ok(());
    }
    let max = max_intset(ctx);
    let idx = ctx.sess.db;
    let db = &ctx.st.ks.dbs[idx];
    let mut sets: Vec<&Set> = keys.iter().map(|k| set_in(db, k).expect("looked up")).collect();
    // Smallest first: its members are the candidates.
    sets.sort_by_key(|s| s.len());
    let first = sets[0];
    let mut found: Vec<Vec<u8>> = Vec::new();
    let mut cardinality = 0usize;
    let mut done = false;
    first.for_each(|m| {
        if done {
            return;
        }
        if sets[1..].iter().all(|s| std::ptr::eq(*s, first) || s.contains(m)) {
            cardinality += 1;
            if card_only {
                if limit != 0 && cardinality >= limit {
                    done = true;
                }
            } else {
                found.push(m.to_vec());
            }
        }
    });
    if card_only {
        ctx.out.int(cardinality as i64);
    } else if let Some(dst) = dst {
        let mut result = Set::new();
        for m in &found {
            result.add(m, max);
        }
        store_result(ctx, dst, result, "sinterstore");
    } else {
        reply_members(ctx.out, &found);
    }
    Ok(())
}

/// `SINTER key [key ...]`
pub fn sinter(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sinter_generic(ctx, &argv[1..], None, false, 0)
}

/// `SINTERSTORE destination key [key ...]`
pub fn sinterstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sinter_generic(ctx, &argv[2..], Some(&argv[1]), false, 0)
}

/// `SINTERCARD numkeys key [key ...] [LIMIT limit]`
pub fn sintercard(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let numkeys_err = || CmdError::err("numkeys should be greater than 0");
    let numkeys = super::num::parse_i64(&argv[1]).ok_or_else(numkeys_err)?;
    if numkeys < 1 {
        return Err(numkeys_err());
    }
    if numkeys > (argv.len() - 2) as i64 {
        return Err(CmdError::err("Number of keys can't be greater than number of args"));
    }
    let numkeys = numkeys as usize;
    let mut limit = 0usize;
    let mut j = 2 + numkeys;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        if is(&argv[j], "limit") && more > 0 {
            j += 1;
            let limit_err = || CmdError::err("LIMIT can't be negative");
            let l = super::num::parse_i64(&argv[j]).ok_or_else(limit_err)?;
            if l < 0 {
                return Err(limit_err());
            }
            limit = l as usize;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    sinter_generic(ctx, &argv[2..2 + numkeys], None, true, limit)
}

/// Set operations built into a fresh set.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Union,
    Diff,
}

/// Computes a union or difference of the sets at `keys` (already looked up
/// and type-checked) into a new set, starting as an intset like Redis's
/// `sunionDiffGenericCommand`.
fn union_diff(ctx: &mut Ctx, keys: &[Bytes], op: Op) -> Set {
    let max = max_intset(ctx);
    let idx = ctx.sess.db;
    let db = &ctx.st.ks.dbs[idx];
    let sets: Vec<Option<&Set>> = keys.iter().map(|k| set_in(db, k)).collect();
    let mut result = Set::new();
    match op {
        Op::Union => {
            for s in sets.iter().flatten() {
                s.for_each(|m| {
                    result.add(m, max);
                });
            }
        }
        Op::Diff => {
            let Some(first) = sets[0] else { return result };
            if sets[1..].iter().any(|s| s.is_some_and(|s| std::ptr::eq(s, first))) {
                return result;
            }
            first.for_each(|m| {
                if !sets[1..].iter().flatten().any(|s| s.contains(m)) {
                    result.add(m, max);
                }
            });
        }
    }
    result
}

fn sunion_diff_generic(ctx: &mut Ctx, keys: &[Bytes], dst: Option<&[u8]>, op: Op) -> CmdResult {
    lookup_all(ctx, keys)?;
    let result = union_diff(ctx, keys, op);
    match dst {
        None => reply_members(ctx.out, &result.members()),
        Some(dst) => {
            let event = if op == Op::Union { "sunionstore" } else { "sdiffstore" };
            store_result(ctx, dst, result, event);
        }
    }
    Ok(())
}

/// `SUNION key [key ...]`
pub fn sunion(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sunion_diff_generic(ctx, &argv[1..], None, Op::Union)
}

/// `SUNIONSTORE destination key [key ...]`
pub fn sunionstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sunion_diff_generic(ctx, &argv[2..], Some(&argv[1]), Op::Union)
}

/// `SDIFF key [key ...]`
pub fn sdiff(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sunion_diff_generic(ctx, &argv[1..], None, Op::Diff)
}

/// `SDIFFSTORE destination key [key ...]`
pub fn sdiffstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sunion_diff_generic(ctx, &argv[2..], Some(&argv[1]), Op::Diff)
}

/// `SMOVE source destination member`
pub fn smove(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (src, dst, member) = (&argv[1][..], &argv[2][..], &argv[3][..]);
    let max = max_intset(ctx);
    let src_kind = ctx.write_key(src).map(|o| o.value.kind());
    let dst_kind = ctx.write_key(dst).map(|o| o.value.kind());
    let Some(src_kind) = src_kind else {
        ctx.out.int(0);
        return Ok(());
    };
    if src_kind != Kind::Set || dst_kind.is_some_and(|k| k != Kind::Set) {
        return Err(CmdError::WrongType);
    }
    if src == dst {
        let here = write_set(ctx, src)?.is_some_and(|s| s.contains(member));
        ctx.out.int(here as i64);
        return Ok(());
    }
    let set = write_set(ctx, src)?.expect("present");
    if !set.remove(member) {
        ctx.out.int(0);
        return Ok(());
    }
    let emptied = set.is_empty();
    ctx.notify(notify::SET, "srem", src);
    if emptied {
        ctx.db().remove(src);
        ctx.notify(notify::GENERIC, "del", src);
    }
    if dst_kind.is_none() {
        ctx.add_key(dst, Value::Set(Box::new(Set::for_member(member))));
    }
    ctx.signal(src);
    ctx.dirty(1);
    if write_set(ctx, dst)?.expect("present").add(member, max) {
        ctx.dirty(1);
        ctx.changed(notify::SET, "sadd", dst);
    }
    ctx.out.int(1);
    Ok(())
}

/// How many members SPOP with a count leaves in place before it switches
/// from popping members to rebuilding the set from the ones that stay
/// (Redis's `SPOP_MOVE_STRATEGY_MUL`).
const SPOP_MOVE_STRATEGY_MUL: usize = 5;

/// `SPOP key [count]`
pub fn spop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(CmdError::Syntax);
    }
    let key = &argv[1][..];
    if argv.len() == 3 {
        return spop_count(ctx, argv);
    }
    let Some(set) = write_set(ctx, key)? else {
        ctx.out.null();
        return Ok(());
    };
    let m = set.pop_random().expect("stored sets are not empty");
    let emptied = set.is_empty();
    if ctx.propagating() {
        ctx.propagate_as(vec![argv_of(&[b"SREM", key, &m])]);
    }
    ctx.notify(notify::SET, "spop", key);
    ctx.out.bulk(&m);
    if emptied {
        ctx.db().remove(key);
        ctx.notify(notify::GENERIC, "del", key);
    }
    ctx.signal(key);
    ctx.dirty(1);
    Ok(())
}

fn spop_count(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1][..];
    // getPositiveLongFromObjectOrReply: one error for both failures.
    let l = super::num::parse_i64(&argv[2]).filter(|&l| l >= 0).ok_or(CmdError::MustBePositive)?;
    let count = l as u64;
    let max = max_intset(ctx);
    let Some(set) = write_set(ctx, key)? else {
        ctx.out.set(0);
        return Ok(());
    };
    if count == 0 {
        ctx.out.set(0);
        return Ok(());
    }
    let size = set.len();
    ctx.notify(notify::SET, "spop", key);
    ctx.dirty(count);
    if count >= size as u64 {
        // The whole set, replied the way SUNION would reply it.
        let all = union_diff(ctx, &argv[1..2], Op::Union);
        reply_members(ctx.out, &all.members());
        if ctx.propagating() {
            ctx.propagate_as(vec![argv_of(&[b"DEL", key])]);
        }
        ctx.db().remove(key);
        ctx.notify(notify::GENERIC, "del", key);
        ctx.signal(key);
        return Ok(());
    }
    let count = count as usize;
    let set = write_set(ctx, key)?.expect("present");
    let remaining = size - count;
    let mut popped: Vec<Vec<u8>> = Vec::with_capacity(count);
    if remaining * SPOP_MOVE_STRATEGY_MUL > count {
        for _ in 0..count {
            popped.push(set.pop_random().expect("count < size"));
        }
    } else {
        // Move the members that stay into a new set and return the rest.
        let mut kept: Option<Set> = None;
        for _ in 0..remaining {
            let m = set.pop_random().expect("remaining < size");
            kept.get_or_insert_with(|| Set::for_member(&m)).add(&m, max);
        }
        popped = set.members();
        *set = kept.expect("remaining > 0");
    }
    reply_members(ctx.out, &popped);
    if ctx.propagating() {
        // Like Redis, in SREMs of at most 1024 members.
        let cmds = popped
            .chunks(1024)
            .map(|c| {
                let mut v = argv_of(&[b"SREM", key]);
                v.extend(c.iter().map(|m| Bytes::copy_from_slice(m)));
                v
            })
            .collect();
        ctx.propagate_as(cmds);
    }
    ctx.signal(key);
    Ok(())
}

/// `SRANDMEMBER key [count]`
pub fn srandmember(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(CmdError::Syntax);
    }
    if argv.len() == 2 {
        return read_set(ctx, &argv[1], |s, out| match s.and_then(|s| s.random_member()) {
            Some(m) => out.bulk(&m),
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
    read_set(ctx, &argv[1], |s, out| {
        let Some(s) = s else {
            out.array(0);
            return;
        };
        let count = l.unsigned_abs() as usize;
        if count == 0 {
            out.array(0);
        } else if l < 0 || count == 1 {
            out.array(count);
            s.random_members(count, |m| out.bulk(m));
        } else {
            out.array(count.min(s.len()));
            s.random_distinct_members(count, |m| out.bulk(m));
        }
    })
}

/// `SSCAN key cursor [MATCH pattern] [COUNT count]`
pub fn sscan(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let cursor = parse_cursor(&argv[2])?;
    read_set(ctx, &argv[1], |s, out| {
        let Some(s) = s else {
            reply_scan(out, 0, &[]);
            return Ok(());
        };
        let opts = parse_scan_opts(&argv[3..])?;
        let mut max_iter = opts.count.saturating_mul(10);
        let mut items: Vec<Vec<u8>> = Vec::new();
        let mut cur = cursor;
        loop {
            cur = s.scan(cur, |m| {
                if opts.pattern.map_or(true, |p| string_match(p, m, false)) {
                    items.push(m.to_vec());
                }
            });
            if cur == 0 || max_iter == 0 || items.len() as i64 >= opts.count {
                break;
            }
            max_iter -= 1;
        }
        reply_scan(out, cur, &items);
        Ok(())
    })?
}

/// The set commands' table rows.
pub static ROWS: &[Row] = &[
    row!("sadd", -3, "write denyoom fast", "@set", (1, 1, 1), sadd),
    row!("srem", -3, "write fast", "@set", (1, 1, 1), srem),
    row!("sismember", 3, "readonly fast", "@set", (1, 1, 1), sismember),
    row!("smismember", -3, "readonly fast", "@set", (1, 1, 1), smismember),
    row!("smembers", 2, "readonly", "@set", (1, 1, 1), smembers),
    row!("scard", 2, "readonly fast", "@set", (1, 1, 1), scard),
    row!("spop", -2, "write fast", "@set", (1, 1, 1), spop),
    row!("srandmember", -2, "readonly", "@set", (1, 1, 1), srandmember),
    row!("smove", 4, "write fast", "@set", (1, 2, 1), smove),
    row!("sinter", -2, "readonly", "@set", (1, -1, 1), sinter),
    row!("sintercard", -3, "readonly", "@set", (0, 0, 0), sintercard),
    row!("sinterstore", -3, "write denyoom", "@set", (1, -1, 1), sinterstore),
    row!("sunion", -2, "readonly", "@set", (1, -1, 1), sunion),
    row!("sunionstore", -3, "write denyoom", "@set", (1, -1, 1), sunionstore),
    row!("sdiff", -2, "readonly", "@set", (1, -1, 1), sdiff),
    row!("sdiffstore", -3, "write denyoom", "@set", (1, -1, 1), sdiffstore),
    row!("sscan", -3, "readonly", "@set", (1, 1, 1), sscan),
];
