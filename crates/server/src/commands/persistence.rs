//! Persistence commands: SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF, and the
//! key serialisation pair DUMP / RESTORE (Redis's payload format, so keys
//! move between hematite and Redis either way).

use super::{arg_i64, is, Ctx};
use crate::command::Row;
use crate::error::{CmdError, CmdResult};
use crate::persistence::{self, load::rdb_limits};
use crate::row;
use bytes::Bytes;
use hematite_persist::rdb;
use hematite_store::object::lru_clock;

/// `SAVE`
fn save(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    if ctx.st.persist.rdb_child() {
        return Err(CmdError::err("Background save already in progress"));
    }
    persistence::save(ctx.st, ctx.shared).map_err(|_| CmdError::err("Error saving the dataset"))?;
    ctx.out.ok();
    Ok(())
}

/// `BGSAVE [SCHEDULE]`
fn bgsave(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let schedule = match argv.get(1) {
        None => false,
        Some(a) if argv.len() == 2 && is(a, "schedule") => true,
        Some(_) => return Err(CmdError::Syntax),
    };
    let p = &mut ctx.st.persist;
    if p.rdb_child() {
        return Err(CmdError::err("Background save already in progress"));
    }
    if p.child.is_some() {
        if !schedule {
            return Err(CmdError::err(
                "Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
            ));
        }
        p.bgsave_scheduled = true;
        ctx.out.simple(b"Background saving scheduled");
        return Ok(());
    }
    persistence::bgsave(ctx.st, ctx.shared).map_err(|_| CmdError::err("Background save failed, check the log"))?;
    ctx.out.simple(b"Background saving started");
    Ok(())
}

/// `LASTSAVE`
fn lastsave(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.out.int(ctx.st.persist.last_save);
    Ok(())
}

/// `BGREWRITEAOF`
fn bgrewriteaof(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let p = &mut ctx.st.persist;
    if p.aof_child() {
        return Err(CmdError::err("Background append only file rewriting already in progress"));
    }
    if p.child.is_some() {
        p.aof.rewrite_scheduled = true;
        ctx.out.simple(b"Background append only file rewriting scheduled");
        return Ok(());
    }
    persistence::aof::rewrite_start(ctx.st, ctx.shared)
        .map_err(|_| CmdError::err("Can't execute an AOF background rewriting. Please check the server logs for more information."))?;
    ctx.out.simple(b"Background append only file rewriting started");
    Ok(())
}

/// `DUMP key`
fn dump(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let compression = ctx.st.config.rdbcompression;
    match ctx.read_key(&argv[1]) {
        Some(obj) => {
            let payload = rdb::dump_payload(&obj.value, compression);
            ctx.out.bulk(&payload);
        }
        None => ctx.out.null(),
    }
    Ok(())
}

/// `RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]`
fn restore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (mut replace, mut absttl) = (false, false);
    let (mut idle, mut freq) = (-1i64, -1i64);
    let mut j = 4;
    while j < argv.len() {
        let more = argv.len() - j - 1;
        let a = &argv[j];
        if is(a, "replace") {
            replace = true;
        } else if is(a, "absttl") {
            absttl = true;
        } else if is(a, "idletime") && more >= 1 && freq == -1 {
            idle = arg_i64(&argv[j + 1])?;
            if idle < 0 {
                return Err(CmdError::err("Invalid IDLETIME value, must be >= 0"));
            }
            j += 1;
        } else if is(a, "freq") && more >= 1 && idle == -1 {
            freq = arg_i64(&argv[j + 1])?;
            if !(0..=255).contains(&freq) {
                return Err(CmdError::err("Invalid FREQ value, must be >= 0 and <= 255"));
            }
            j += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    let key = &argv[1];
    if !replace && ctx.write_key(key).is_some() {
        return Err(CmdError::coded("BUSYKEY Target key name already exists."));
    }
    let mut ttl = arg_i64(&argv[2])?;
    if ttl < 0 {
        return Err(CmdError::err("Invalid TTL value, must be >= 0"));
    }
    let limits = rdb_limits(ctx.st);
    let value = rdb::parse_payload(&argv[3], &limits).map_err(|e| match e {
        rdb::PayloadError::BadFooter => CmdError::err("DUMP payload version or checksum are wrong"),
        _ => CmdError::err("Bad data format"),
    })?;
    let deleted = replace && ctx.delete(key);
    if ttl > 0 && !absttl {
        ttl += ctx.now_ms;
    }
    if ttl > 0 && ttl <= ctx.now_ms {
        // Already expired: the key is just deleted.
        if deleted {
            ctx.propagate_as(vec![vec![Bytes::from_static(b"DEL"), key.clone()]]);
            ctx.signal(key);
            ctx.notify(hematite_config::notify::GENERIC, "del", key);
            ctx.dirty(1);
        }
        ctx.out.ok();
        return Ok(());
    }
    ctx.add_key(key, value);
    if ttl > 0 {
        ctx.db().set_expire(key, ttl);
        if !absttl {
            let mut rewritten = argv.to_vec();
            rewritten[2] = Bytes::from(ttl.to_string());
            rewritten.push(Bytes::from_static(b"ABSTTL"));
            ctx.propagate_as(vec![rewritten]);
        }
    }
    let policy = ctx.st.config.maxmemory_policy;
    let now_ms = ctx.now_ms;
    if let Some(obj) = ctx.db().dict.get_mut(&key[..]) {
        if freq >= 0 && policy.is_lfu() {
            let minutes = ((now_ms / 60_000) & 0xFFFF) as u32;
            obj.lru = (minutes << 8) | freq as u32;
        } else if idle >= 0 && !policy.is_lfu() {
            obj.lru = lru_clock(now_ms - idle.saturating_mul(1000));
        }
    }
    ctx.signal(key);
    ctx.notify(hematite_config::notify::GENERIC, "restore", key);
    ctx.dirty(1);
    ctx.out.ok();
    Ok(())
}

/// The persistence commands' rows.
pub static ROWS: &[Row] = &[
    row!("save", 1, "admin noscript no_async_loading no_multi", "", (0, 0, 0), save),
    row!("bgsave", -1, "admin noscript no_async_loading", "", (0, 0, 0), bgsave),
    row!("lastsave", 1, "loading stale fast", "@admin @dangerous", (0, 0, 0), lastsave),
    row!("bgrewriteaof", 1, "admin noscript no_async_loading", "", (0, 0, 0), bgrewriteaof),
    row!("dump", 2, "readonly", "@keyspace", (1, 1, 1), dump),
    row!("restore", -4, "write denyoom", "@keyspace @dangerous", (1, 1, 1), restore),
];
