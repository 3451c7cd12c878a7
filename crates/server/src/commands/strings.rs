//! String commands (Redis's `t_string.c`).
//!
//! Values are stored through [`hematite_store::Str`], which picks the
//! `int` / `embstr` / `raw` encoding; this module only implements command
//! semantics. Argument validation happens in the same order as in Redis, so
//! a command with several problems reports the same one.

use crate::persistence::propagate::argv as argv_of;
use super::{arg_i64, is, Ctx};
use crate::error::{CmdError, CmdResult};
use bytes::Bytes;
use hematite_common::num;
use hematite_config::notify;
use hematite_store::{Str, Value};

/// Options of SET and GETEX.
#[derive(Default, Clone, Copy)]
struct SetOpts<'a> {
    nx: bool,
    xx: bool,
    get: bool,
    keep_ttl: bool,
    persist: bool,
    /// The expire argument and its kind.
    expire: Option<(&'a [u8], ExpireKind)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ExpireKind {
    Ex,
    Px,
    ExAt,
    PxAt,
}

/// Which command's option grammar to accept.
#[derive(PartialEq, Eq)]
enum Grammar {
    Set,
    GetEx,
}

/// Parses SET / GETEX options like Redis's `parseExtendedStringArgumentsOrReply`:
/// each option is refused when a conflicting one was seen before it, but the
/// same option may repeat (the last value wins).
fn parse_opts<'a>(args: &'a [Bytes], grammar: Grammar) -> Result<SetOpts<'a>, CmdError> {
    let mut o = SetOpts::default();
    let mut j = 0;
    while j < args.len() {
        let a = &args[j][..];
        let next = args.get(j + 1).map(|b| &b[..]);
        let has_expire_other = |o: &SetOpts, k: ExpireKind| matches!(o.expire, Some((_, e)) if e != k);
        let set = grammar == Grammar::Set;
        if set && is(a, "nx") && !o.xx {
            o.nx = true;
        } else if set && is(a, "xx") && !o.nx {
            o.xx = true;
        } else if set && is(a, "get") {
            o.get = true;
        } else if set && is(a, "keepttl") && !o.persist && o.expire.is_none() {
            o.keep_ttl = true;
        } else if !set && is(a, "persist") && o.expire.is_none() && !o.keep_ttl {
            o.persist = true;
        } else if let (Some(kind), Some(v)) = (expire_kind(a), next) {
            if o.keep_ttl || o.persist || has_expire_other(&o, kind) {
                return Err(CmdError::Syntax);
            }
            o.expire = Some((v, kind));
            j += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    Ok(o)
}

fn expire_kind(a: &[u8]) -> Option<ExpireKind> {
    if is(a, "ex") {
        Some(ExpireKind::Ex)
    } else if is(a, "px") {
        Some(ExpireKind::Px)
    } else if is(a, "exat") {
        Some(ExpireKind::ExAt)
    } else if is(a, "pxat") {
        Some(ExpireKind::PxAt)
    } else {
        None
    }
}

/// Turns an expire argument into an absolute Unix time in ms, with Redis's
/// checks (`getExpireMillisecondsOrReply`).
fn expire_deadline(ctx: &Ctx, arg: &[u8], kind: ExpireKind) -> Result<i64, CmdError> {
    let v = arg_i64(arg)?;
    let invalid = || CmdError::InvalidExpireTime(ctx.cmd.map(|c| c.full_name.clone()).unwrap_or_default());
    let seconds = matches!(kind, ExpireKind::Ex | ExpireKind::ExAt);
    if v <= 0 || (seconds && v > i64::MAX / 1000) {
        return Err(invalid());
    }
    let mut ms = if seconds { v * 1000 } else { v };
    if matches!(kind, ExpireKind::Ex | ExpireKind::Px) {
        ms = ms.checked_add(ctx.now_ms).ok_or_else(invalid)?;
    }
    if ms <= 0 {
        return Err(invalid());
    }
    Ok(ms)
}

/// The shared body of SET, SETNX, SETEX and PSETEX (`setGenericCommand`).
/// `ok`/`abort` select the replies (None: +OK / null).
fn set_generic(ctx: &mut Ctx, key: &[u8], val: &[u8], o: &SetOpts, ok: Option<i64>, abort: Option<i64>) -> CmdResult {
    let deadline = match o.expire {
        Some((arg, kind)) => Some(expire_deadline(ctx, arg, kind)?),
        None => None,
    };
    if o.get {
        ctx.reply_str(key)?;
    }
    let found = ctx.write_key(key).is_some();
    if (o.nx && found) || (o.xx && !found) {
        if !o.get {
            match abort {
                Some(n) => ctx.out.int(n),
                None => ctx.out.null(),
            }
        }
        return Ok(());
    }
    ctx.set_value(key, Value::Str(Str::from_client(val)), o.keep_ttl);
    ctx.changed(notify::STRING, "set", key);
    if let Some(when) = deadline {
        ctx.db().set_expire(key, when);
        ctx.notify(notify::GENERIC, "expire", key);
        // Relative TTLs reach the AOF as an absolute deadline.
        if ctx.propagating() {
            ctx.propagate_as(vec![argv_of(&[b"SET", key, val, b"PXAT", when.to_string().as_bytes()])]);
        }
    }
    if !o.get {
        match ok {
            Some(n) => ctx.out.int(n),
            None => ctx.out.ok(),
        }
    }
    Ok(())
}

/// `SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ms-ts|KEEPTTL]`
pub fn set(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let o = parse_opts(&argv[3..], Grammar::Set)?;
    set_generic(ctx, &argv[1], &argv[2], &o, None, None)
}

/// `SETNX key value`
pub fn setnx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let o = SetOpts { nx: true, ..Default::default() };
    set_generic(ctx, &argv[1], &argv[2], &o, Some(1), Some(0))
}

/// `SETEX key seconds value`
pub fn setex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let o = SetOpts { expire: Some((&argv[2], ExpireKind::Ex)), ..Default::default() };
    set_generic(ctx, &argv[1], &argv[3], &o, None, None)
}

/// `PSETEX key milliseconds value`
pub fn psetex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let o = SetOpts { expire: Some((&argv[2], ExpireKind::Px)), ..Default::default() };
    set_generic(ctx, &argv[1], &argv[3], &o, None, None)
}

/// `GET key`
pub fn get(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ctx.reply_str(&argv[1])?;
    Ok(())
}

/// `GETDEL key`
pub fn getdel(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    get(ctx, argv)?;
    if ctx.st.ks.dbs[ctx.sess.db].dict.contains_key(&argv[1][..]) && ctx.delete(&argv[1]) {
        ctx.changed(notify::GENERIC, "del", &argv[1]);
        if ctx.propagating() {
            ctx.propagate_as(vec![argv_of(&[b"DEL", &argv[1]])]);
        }
    }
    Ok(())
}

/// `GETEX key [EX s|PX ms|EXAT ts|PXAT ms-ts|PERSIST]`
pub fn getex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let o = parse_opts(&argv[2..], Grammar::GetEx)?;
    let key = &argv[1][..];
    if ctx.read_str(key)?.is_none() {
        ctx.out.null();
        return Ok(());
    }
    let deadline = match o.expire {
        Some((arg, kind)) => Some((expire_deadline(ctx, arg, kind)?, kind)),
        None => None,
    };
    get(ctx, argv)?;
    match deadline {
        Some((when, kind)) if matches!(kind, ExpireKind::ExAt | ExpireKind::PxAt) && when <= ctx.now_ms => {
            ctx.delete(key);
            ctx.changed(notify::GENERIC, "del", key);
            if ctx.propagating() {
                ctx.propagate_as(vec![argv_of(&[b"DEL", key])]);
            }
        }
        Some((when, _)) => {
            ctx.db().set_expire(key, when);
            ctx.changed(notify::GENERIC, "expire", key);
            ctx.dirty(1);
            if ctx.propagating() {
                ctx.propagate_as(vec![argv_of(&[b"PEXPIREAT", key, when.to_string().as_bytes()])]);
            }
        }
        None if o.persist => {
            if ctx.db().persist(key) {
                ctx.changed(notify::GENERIC, "persist", key);
                ctx.dirty(1);
                if ctx.propagating() {
                    ctx.propagate_as(vec![argv_of(&[b"PERSIST", key])]);
                }
            }
        }
        None => {}
    }
    Ok(())
}

/// `GETSET key value`
pub fn getset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    get(ctx, argv)?;
    ctx.set_value(&argv[1], Value::Str(Str::from_client(&argv[2])), false);
    ctx.changed(notify::STRING, "set", &argv[1]);
    Ok(())
}

/// `MGET key [key ...]`
pub fn mget(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ctx.out.array(argv.len() - 1);
    for key in &argv[1..] {
        ctx.read_with(key, |o, out| match o.map(|o| &o.value) {
            Some(Value::Str(s)) => s.with_bytes(|b| out.bulk(b)),
            #[allow(unreachable_patterns)]
            _ => out.null(),
        });
    }
    Ok(())
}

/// `MSET key value [key value ...]` and `MSETNX`.
fn mset_generic(ctx: &mut Ctx, argv: &[Bytes], nx: bool) -> CmdResult {
    if argv.len() % 2 == 0 {
        return Err(CmdError::WrongArity(ctx.cmd.map(|c| c.full_name.clone()).unwrap_or_default()));
    }
    if nx {
        for pair in argv[1..].chunks(2) {
            if ctx.write_key(&pair[0]).is_some() {
                ctx.out.int(0);
                return Ok(());
            }
        }
    }
    for pair in argv[1..].chunks(2) {
        ctx.set_value(&pair[0], Value::Str(Str::from_client(&pair[1])), false);
        ctx.changed(notify::STRING, "set", &pair[0]);
    }
    if nx {
        ctx.out.int(1);
    } else {
        ctx.out.ok();
    }
    Ok(())
}

/// `MSET key value [key value ...]`
pub fn mset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    mset_generic(ctx, argv, false)
}

/// `MSETNX key value [key value ...]`
pub fn msetnx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    mset_generic(ctx, argv, true)
}

/// Checks that a string of `size` bytes plus `append` stays within
/// `proto-max-bulk-len` (`checkStringLength`).
fn check_len(ctx: &Ctx, size: u64, append: u64) -> CmdResult {
    match size.checked_add(append) {
        Some(total) if total <= ctx.st.config.proto_max_bulk_len => Ok(()),
        _ => Err(CmdError::StringTooLong),
    }
}

/// `APPEND key value`
pub fn append(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, val) = (&argv[1][..], &argv[2][..]);
    let max = ctx.st.config.proto_max_bulk_len;
    let len = match ctx.write_str(key)? {
        None => {
            let s = Str::from_client(val);
            let len = s.len();
            ctx.add_key(key, Value::Str(s));
            len
        }
        Some(s) => {
            if (s.len() as u64).saturating_add(val.len() as u64) > max {
                return Err(CmdError::StringTooLong);
            }
            let v = s.make_raw();
            v.extend_from_slice(val);
            v.len()
        }
    };
    ctx.changed(notify::STRING, "append", key);
    ctx.dirty(1);
    ctx.out.int(len as i64);
    Ok(())
}

/// `STRLEN key`
pub fn strlen(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let n = ctx.read_str(&argv[1])?.map(|s| s.len()).unwrap_or(0);
    ctx.out.int(n as i64);
    Ok(())
}

/// The shared body of INCR, DECR, INCRBY and DECRBY.
fn incr_generic(ctx: &mut Ctx, key: &[u8], by: i64) -> CmdResult {
    let value = match ctx.write_str(key)? {
        Some(s) => {
            let old = s.as_i64().ok_or(CmdError::NotInteger)?;
            let new = old.checked_add(by).ok_or(CmdError::Overflow)?;
            *s = Str::Int(new);
            new
        }
        None => {
            ctx.add_key(key, Value::Str(Str::Int(by)));
            by
        }
    };
    ctx.changed(notify::STRING, "incrby", key);
    ctx.dirty(1);
    ctx.out.int(value);
    Ok(())
}

/// `INCR key`
pub fn incr(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    incr_generic(ctx, &argv[1], 1)
}

/// `DECR key`
pub fn decr(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    incr_generic(ctx, &argv[1], -1)
}

/// `INCRBY key increment`
pub fn incrby(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let by = arg_i64(&argv[2])?;
    incr_generic(ctx, &argv[1], by)
}

/// `DECRBY key decrement`
pub fn decrby(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let by = arg_i64(&argv[2])?;
    if by == i64::MIN {
        return Err(CmdError::err("decrement would overflow"));
    }
    incr_generic(ctx, &argv[1], -by)
}

/// `INCRBYFLOAT key increment`
pub fn incrbyfloat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1][..];
    let current = match ctx.write_str(key)? {
        Some(s) => s.to_vec(),
        None => b"0".to_vec(),
    };
    let new = num::incr_by_float(&current, &argv[2]).map_err(|e| match e {
        num::IncrFloatError::NanOrInfinity => CmdError::err("increment would produce NaN or Infinity"),
        _ => CmdError::NotFloat,
    })?;
    // Built by the server, so no integer encoding (createStringObject).
    let value = Value::Str(Str::new_plain(&new));
    match ctx.write_key(key) {
        Some(o) => o.value = value,
        None => ctx.add_key(key, value),
    }
    ctx.changed(notify::STRING, "incrbyfloat", key);
    ctx.dirty(1);
    // The AOF gets the result, not the float arithmetic.
    if ctx.propagating() {
        ctx.propagate_as(vec![argv_of(&[b"SET", key, &new, b"KEEPTTL"])]);
    }
    ctx.out.bulk(&new);
    Ok(())
}

/// `GETRANGE key start end` (and `SUBSTR`)
pub fn getrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let start = arg_i64(&argv[2])?;
    let end = arg_i64(&argv[3])?;
    ctx.read_str_with(&argv[1], |s, out| {
        let Some(s) = s else {
            out.bulk(b"");
            return;
        };
        s.with_bytes(|b| {
            if start < 0 && end < 0 && start > end {
                out.bulk(b"");
                return;
            }
            let len = b.len() as i64;
            let (mut start, mut end) = (start, end);
            if start < 0 {
                start += len;
            }
            if end < 0 {
                end += len;
            }
            start = start.max(0);
            end = end.max(0);
            if end >= len {
                end = len - 1;
            }
            if start > end || len == 0 {
                out.bulk(b"");
            } else {
                out.bulk(&b[start as usize..=end as usize]);
            }
        })
    })?;
    Ok(())
}

/// `SETRANGE key offset value`
pub fn setrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1][..];
    let val = &argv[3][..];
    let offset = arg_i64(&argv[2])?;
    if offset < 0 {
        return Err(CmdError::OffsetOutOfRange);
    }
    let offset = offset as u64;
    let len = match ctx.write_str(key)? {
        None => {
            if val.is_empty() {
                ctx.out.int(0);
                return Ok(());
            }
            check_len(ctx, offset, val.len() as u64)?;
            let mut v = vec![0u8; offset as usize + val.len()];
            v[offset as usize..].copy_from_slice(val);
            let len = v.len();
            ctx.add_key(key, Value::Str(Str::Raw(v)));
            len
        }
        Some(s) => {
            let olen = s.len();
            if val.is_empty() {
                ctx.out.int(olen as i64);
                return Ok(());
            }
            let max = ctx.st.config.proto_max_bulk_len;
            if offset.checked_add(val.len() as u64).map_or(true, |t| t > max) {
                return Err(CmdError::StringTooLong);
            }
            let Some(Value::Str(s)) = ctx.write_key(key).map(|o| &mut o.value) else { unreachable!() };
            let v = s.make_raw();
            let end = offset as usize + val.len();
            if v.len() < end {
                v.resize(end, 0);
            }
            v[offset as usize..end].copy_from_slice(val);
            v.len()
        }
    };
    ctx.changed(notify::STRING, "setrange", key);
    ctx.dirty(1);
    ctx.out.int(len as i64);
    Ok(())
}

/// `LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]`
///
/// Dynamic programming over the two strings (O(N*M) time and memory, as in
/// Redis), then a walk back from the end that rebuilds the subsequence and,
/// for IDX, the matching ranges from last to first.
pub fn lcs(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let fetch = |ctx: &mut Ctx, key: &[u8]| -> Result<Vec<u8>, CmdError> {
        match ctx.read_key(key).map(|o| &o.value) {
            None => Ok(Vec::new()),
            Some(Value::Str(s)) => Ok(s.to_vec()),
            #[allow(unreachable_patterns)]
            Some(_) => Err(CmdError::err("The specified keys must contain string values")),
        }
    };
    let a = fetch(ctx, &argv[1])?;
    let b = fetch(ctx, &argv[2])?;
    let (mut getidx, mut getlen, mut withmatchlen, mut minmatchlen) = (false, false, false, 0i64);
    let mut j = 3;
    while j < argv.len() {
        let opt = &argv[j][..];
        let more = argv.len() - 1 - j;
        if is(opt, "idx") {
            getidx = true;
        } else if is(opt, "len") {
            getlen = true;
        } else if is(opt, "withmatchlen") {
            withmatchlen = true;
        } else if is(opt, "minmatchlen") && more > 0 {
            minmatchlen = arg_i64(&argv[j + 1])?.max(0);
            j += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    if getidx && getlen {
        return Err(CmdError::err("If you want both the length and indexes, please just use IDX."));
    }
    let (alen, blen) = (a.len(), b.len());
    let cells = (alen as u128 + 1) * (blen as u128 + 1);
    if cells * 4 > ctx.st.config.proto_max_bulk_len as u128 {
        return Err(CmdError::err("Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"));
    }
    let w = blen + 1;
    let mut t = vec![0u32; cells as usize];
    for i in 1..=alen {
        for jj in 1..=blen {
            t[i * w + jj] = if a[i - 1] == b[jj - 1] {
                t[(i - 1) * w + jj - 1] + 1
            } else {
                t[(i - 1) * w + jj].max(t[i * w + jj - 1])
            };
        }
    }
    let total = t[alen * w + blen];
    let mut idx = total as usize;
    let compute = getidx || !getlen;
    let mut result = vec![0u8; if compute { idx } else { 0 }];
    let mut ranges: Vec<(usize, usize, usize, usize, usize)> = Vec::new();
    let (mut i, mut jj) = (alen, blen);
    let (mut as_, mut ae, mut bs, mut be) = (alen, 0usize, 0usize, 0usize);
    while compute && i > 0 && jj > 0 {
        let mut emit = false;
        if a[i - 1] == b[jj - 1] {
            result[idx - 1] = a[i - 1];
            if as_ == alen {
                as_ = i - 1;
                ae = i - 1;
                bs = jj - 1;
                be = jj - 1;
            } else if as_ == i && bs == jj {
                as_ -= 1;
                bs -= 1;
            } else {
                emit = true;
            }
            if as_ == 0 || bs == 0 {
                emit = true;
            }
            idx -= 1;
            i -= 1;
            jj -= 1;
        } else {
            let l1 = t[(i - 1) * w + jj];
            let l2 = t[i * w + jj - 1];
            if l1 > l2 {
                i -= 1;
            } else {
                jj -= 1;
            }
            if as_ != alen {
                emit = true;
            }
        }
        let match_len = ae.wrapping_sub(as_).wrapping_add(1);
        if emit {
            if minmatchlen == 0 || match_len as i64 >= minmatchlen {
                ranges.push((as_, ae, bs, be, match_len));
            }
            as_ = alen;
        }
    }
    if getidx {
        let out = &mut *ctx.out;
        out.map(2);
        out.bulk(b"matches");
        out.array(ranges.len());
        for (as_, ae, bs, be, ml) in ranges {
            out.array(2 + withmatchlen as usize);
            out.array(2);
            out.int(as_ as i64);
            out.int(ae as i64);
            out.array(2);
            out.int(bs as i64);
            out.int(be as i64);
            if withmatchlen {
                out.int(ml as i64);
            }
        }
        out.bulk(b"len");
        out.int(total as i64);
    } else if getlen {
        ctx.out.int(total as i64);
    } else {
        ctx.out.bulk(&result);
    }
    Ok(())
}
