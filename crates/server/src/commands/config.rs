//! `CONFIG` subcommands. The parameter table itself is in the
//! `hematite-config` crate; this module applies changes to the running
//! server (limits mirrored outside the lock, log level, ...).

use super::keys::help_reply;
use super::Ctx;
use crate::command::Row;
use crate::error::{CmdError, CmdResult};
use crate::state::Stats;
use bytes::Bytes;

macro_rules! sub {
    ($name:literal, $arity:expr, $flags:literal, $handler:expr) => {
        Row { name: $name, arity: $arity, flags: $flags, acl: "", keys: (0, 0, 0), handler: $handler, subs: &[] }
    };
}

/// CONFIG's subcommands.
pub static SUBCOMMANDS: &[Row] = &[
    sub!("get", -3, "admin noscript loading stale", get),
    sub!("set", -4, "admin noscript loading stale", set),
    sub!("resetstat", 2, "admin noscript loading stale", resetstat),
    sub!("rewrite", 2, "admin noscript loading stale", rewrite),
    sub!("help", 2, "loading stale", help),
];

/// `CONFIG GET parameter [parameter ...]`
fn get(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let patterns: Vec<&[u8]> = argv[2..].iter().map(|p| &p[..]).collect();
    let pairs = ctx.st.config.get_many(&patterns);
    ctx.out.map(pairs.len());
    for (k, v) in pairs {
        ctx.out.bulk(k.as_bytes());
        ctx.out.bulk(v.as_bytes());
    }
    Ok(())
}

/// `CONFIG SET parameter value [parameter value ...]`
fn set(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() % 2 != 0 {
        return Err(CmdError::Syntax);
    }
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = argv[2..].chunks(2).map(|p| (p[0].to_vec(), p[1].to_vec())).collect();
    let before = ctx.st.config.clone();
    let changed = ctx.st.config.set(&pairs).map_err(CmdError::coded)?;
    if let Err((name, reason)) = apply_changes(ctx, &changed) {
        // All or nothing, as in Redis: undo every change of this call.
        ctx.st.config = before;
        apply(ctx);
        return Err(CmdError::coded(hematite_config::set_failed(name, &reason)));
    }
    apply(ctx);
    ctx.out.ok();
    Ok(())
}

/// Performs the side effects of changed parameters that need more than a
/// new value (moving to another directory, listening elsewhere).
fn apply_changes(ctx: &mut Ctx, changed: &[&'static str]) -> Result<(), (&'static str, String)> {
    if changed.contains(&"dir") {
        std::env::set_current_dir(&ctx.st.config.dir).map_err(|e| ("dir", e.to_string()))?;
    }
    if changed.contains(&"appendonly") {
        if ctx.st.config.appendonly {
            crate::persistence::aof::enable(ctx.st, ctx.shared).map_err(|e| ("appendonly", e))?;
        } else {
            crate::persistence::aof::disable(ctx.st, ctx.shared);
        }
    }
    if changed.contains(&"appendfsync") || changed.contains(&"no-appendfsync-on-rewrite") {
        crate::persistence::aof::apply_config(ctx.st, ctx.shared);
    }
    if changed.contains(&"eviction-protected-keys") {
        ctx.st.evict.protect = crate::evict::Protection::new(&ctx.st.config.eviction_protected_keys);
        ctx.st.evict.scan = Default::default();
    }
    if changed.contains(&"maxmemory-policy") {
        ctx.st.evict.clear_pool();
    }
    if changed.contains(&"maxmemory") && ctx.st.config.maxmemory > 0 {
        // Redis starts its eviction time proc here; evict what the
        // tenacity budget allows now, and the cron goes on.
        let used = crate::alloc::used_memory();
        if used > ctx.st.config.maxmemory {
            tracing::warn!(
                "WARNING: the new maxmemory value set via CONFIG SET ({}) is smaller than the current memory usage ({used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.",
                ctx.st.config.maxmemory
            );
        }
        crate::evict::perform(ctx.st, ctx.shared);
        ctx.st.evict.running = crate::evict::over_limit(ctx.st, ctx.shared);
    }
    let port_changed = changed.contains(&"port");
    if port_changed || changed.contains(&"bind") {
        match crate::server::rebind(ctx.shared, &ctx.st.config) {
            Ok(port) => ctx.st.tcp_port = port,
            Err(_) if port_changed => return Err(("port", "Unable to listen on this port".into())),
            Err(_) => return Err(("bind", "Failed to bind to specified addresses.".into())),
        }
    }
    Ok(())
}

/// Propagates the running configuration to the parts of the server that
/// keep their own copy.
pub fn apply(ctx: &mut Ctx) {
    ctx.shared.mirror_config(&ctx.st.config);
    crate::log::set_level(ctx.st.config.loglevel);
}

/// `CONFIG RESETSTAT`
fn resetstat(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let slots = ctx.st.stats.commands.len();
    let dirty = ctx.st.stats.dirty;
    ctx.st.stats = Stats::default();
    ctx.st.stats.commands = vec![Default::default(); slots];
    ctx.st.stats.dirty = dirty;
    ctx.st.ks.counters.expired_keys = 0;
    ctx.st.ks.counters.expire_cycle_cpu_us = 0;
    ctx.out.ok();
    Ok(())
}

/// `CONFIG REWRITE`
fn rewrite(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    match ctx.st.config.rewrite(&ctx.st.config_info) {
        Ok(()) => {
            tracing::info!("CONFIG REWRITE executed with success.");
            ctx.out.ok();
            Ok(())
        }
        Err(e) => {
            tracing::warn!("CONFIG REWRITE failed: {e}");
            Err(if e.starts_with("ERR ") { CmdError::coded(e) } else { CmdError::err(e) })
        }
    }
}

fn help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    help_reply(
        ctx,
        "CONFIG",
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    );
    Ok(())
}
