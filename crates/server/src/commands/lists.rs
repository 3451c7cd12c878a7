//! List commands (Redis's `t_list.c`): the pushes, pops, LLEN and LRANGE.
//! The rest of the list family (LINDEX, LSET, LMOVE, blocking pops, ...)
//! arrives with the data-types issue.

use super::{arg_i64, Ctx};
use crate::command::Row;
use crate::row;
use crate::error::{CmdError, CmdResult};
use bytes::Bytes;
use hematite_store::{End, List, Object, Value};

/// Looks up a list for writing: `Ok(None)` if missing, `WRONGTYPE` if the
/// key holds another type.
fn write_list<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Result<Option<&'c mut List>, CmdError> {
    match ctx.write_key(key) {
        None => Ok(None),
        Some(Object { value: Value::List(l), .. }) => Ok(Some(l)),
        Some(_) => Err(CmdError::WrongType),
    }
}

fn push_generic(ctx: &mut Ctx, argv: &[Bytes], end: End) -> CmdResult {
    let key = &argv[1][..];
    let len = match write_list(ctx, key)? {
        Some(l) => {
            for v in &argv[2..] {
                l.push(end, v);
            }
            l.len()
        }
        None => {
            let mut l = List::new();
            for v in &argv[2..] {
                l.push(end, v);
            }
            let len = l.len();
            let lru = ctx.lru();
            ctx.db().insert_new(key, Value::List(l), lru);
            len
        }
    };
    ctx.dirty((argv.len() - 2) as u64);
    ctx.out.int(len as i64);
    Ok(())
}

/// `LPUSH key element [element ...]`
pub fn lpush(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    push_generic(ctx, argv, End::Left)
}

/// `RPUSH key element [element ...]`
pub fn rpush(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    push_generic(ctx, argv, End::Right)
}

fn pop_generic(ctx: &mut Ctx, argv: &[Bytes], end: End) -> CmdResult {
    if argv.len() > 3 {
        return Err(CmdError::WrongArity(ctx.cmd.map(|c| c.full_name.clone()).unwrap_or_default()));
    }
    let count = match argv.get(2) {
        Some(a) => {
            let n = arg_i64(a)?;
            if n < 0 {
                return Err(CmdError::MustBePositive);
            }
            Some(n as usize)
        }
        None => None,
    };
    let key = &argv[1][..];
    let Some(list) = write_list(ctx, key)? else {
        if count.is_some() {
            ctx.out.null_array();
        } else {
            ctx.out.null();
        }
        return Ok(());
    };
    let popped: Vec<Box<[u8]>> = match count {
        Some(0) => {
            ctx.out.array(0);
            return Ok(());
        }
        Some(n) => (0..n).map_while(|_| list.pop(end)).collect(),
        None => list.pop(end).into_iter().collect(),
    };
    let now_empty = list.is_empty();
    if count.is_some() {
        ctx.out.array(popped.len());
    }
    for v in &popped {
        ctx.out.bulk(v);
    }
    if now_empty {
        ctx.db().remove(key);
    }
    ctx.dirty(popped.len() as u64);
    Ok(())
}

/// `LPOP key [count]`
pub fn lpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    pop_generic(ctx, argv, End::Left)
}

/// `RPOP key [count]`
pub fn rpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    pop_generic(ctx, argv, End::Right)
}

/// `LLEN key`
pub fn llen(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ctx.read_with(&argv[1], |o, out| match o.map(|o| &o.value) {
        None => {
            out.int(0);
            Ok(())
        }
        Some(Value::List(l)) => {
            out.int(l.len() as i64);
            Ok(())
        }
        Some(_) => Err(CmdError::WrongType),
    })
}

/// `LRANGE key start stop`
pub fn lrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let start = arg_i64(&argv[2])?;
    let end = arg_i64(&argv[3])?;
    ctx.read_with(&argv[1], |o, out| match o.map(|o| &o.value) {
        None => {
            out.array(0);
            Ok(())
        }
        Some(Value::List(l)) => {
            let len = l.len() as i64;
            let (mut s, mut e) = (start, end);
            if s < 0 {
                s += len;
            }
            if e < 0 {
                e += len;
            }
            s = s.max(0);
            if s > e || s >= len {
                out.array(0);
                return Ok(());
            }
            e = e.min(len - 1);
            out.array((e - s + 1) as usize);
            for v in l.range(s as usize, e as usize) {
                out.bulk(v);
            }
            Ok(())
        }
        Some(_) => Err(CmdError::WrongType),
    })
}

/// The list commands' table rows.
pub static ROWS: &[Row] = &[
    row!("lpush", -3, "write denyoom fast", "@list", (1, 1, 1), lpush),
    row!("rpush", -3, "write denyoom fast", "@list", (1, 1, 1), rpush),
    row!("lpop", -2, "write fast", "@list", (1, 1, 1), lpop),
    row!("rpop", -2, "write fast", "@list", (1, 1, 1), rpop),
    row!("llen", 2, "readonly fast", "@list", (1, 1, 1), llen),
    row!("lrange", 4, "readonly", "@list", (1, 1, 1), lrange),
];
