//! Running one request: the checks every command passes, in a fixed order,
//! then the call and its bookkeeping.
//!
//! The order follows Redis's `processCommand`:
//!
//! 1. look the command up (unknown command / unknown subcommand errors);
//! 2. check the arity;
//! 3. check authentication (`-NOAUTH`), unless the command is `no_auth`;
//! 4. with `maxmemory` set, eviction runs ([`crate::evict::perform`]);
//!    if nothing could be freed, `-OOM` for commands flagged `denyoom`, for
//!    an EXEC whose queue holds one, and for anything but
//!    EXEC/DISCARD/QUIT/RESET inside MULTI (ACL permissions come later);
//! 5. `-MISCONF` for writes (and PING) while the last background save or
//!    an AOF write failed;
//! 6. a RESP2 client in subscribed mode may only (un)subscribe, PING, QUIT
//!    and RESET;
//! 7. `-LOADING` while the dataset loads, for commands not flagged
//!    `loading`;
//! 8. inside MULTI: `no_multi` commands are refused, everything but
//!    EXEC/DISCARD/MULTI/WATCH/QUIT/RESET is queued (`+QUEUED`); any
//!    rejection above marks the transaction so EXEC aborts;
//! 9. call the handler.
//!
//! [`call`] owns the side effects of executing: timing, `commandstats`,
//! error statistics, and CLIENT REPLY OFF/SKIP. Handlers never repeat any of
//! this; they only parse their arguments, do the work and write a reply.
//! [`call`] also queues the command's effects for the AOF (see
//! `persistence::propagate`). After a top-level command (not one inside
//! EXEC or a script), [`dispatch`] turns keys that expired during it into
//! WATCH breaks and notifications, writes the execution unit to the AOF,
//! and serves clients blocked on keys that the command filled.

use crate::command::{flag, table, Command};
use crate::commands::Ctx;
use crate::error::{quote_arg, CmdError};
use crate::state::ReplyMode;
use bytes::Bytes;
use std::time::Instant;

/// Runs one request (argv is never empty).
pub fn dispatch(ctx: &mut Ctx, argv: &[Bytes]) {
    let mark = ctx.out.len();
    if ctx.sess.reply_mode == ReplyMode::SkipNext {
        ctx.sess.reply_mode = ReplyMode::Skip;
    }
    let dirty_before = ctx.st.stats.dirty;
    match check(ctx, argv) {
        Ok(cmd) => {
            if ctx.sess.multi.is_some() && !matches!(cmd.name, "exec" | "discard" | "multi" | "watch" | "quit" | "reset") {
                let multi = ctx.sess.multi.as_mut().expect("in MULTI");
                multi.queue.push((cmd, argv.to_vec()));
                ctx.out.simple(b"QUEUED");
            } else {
                call(ctx, cmd, argv);
            }
        }
        Err((err, cmd)) => {
            if let Some(cmd) = cmd {
                ctx.st.stats.commands[cmd.stat_id].rejected_calls += 1;
            }
            if cmd.is_some_and(|c| c.name == "exec") {
                // A rejected EXEC (even outside MULTI) discards the
                // transaction and the watches, and says why (Redis's
                // execCommandAbort).
                crate::commands::multi::discard_transaction(ctx);
                let text = err.to_string();
                let why = text.strip_prefix("ERR ").unwrap_or(&text);
                reply_error(ctx, &CmdError::coded(format!("EXECABORT Transaction discarded because of: {why}")));
            } else {
                if let Some(m) = ctx.sess.multi.as_mut() {
                    m.error = true;
                }
                reply_error(ctx, &err);
            }
        }
    }
    if !ctx.sess.in_exec && !ctx.sess.in_script {
        ctx.st.drain_expired();
        end_unit(ctx);
        if !ctx.st.blocking.is_empty() && ctx.st.stats.dirty != dirty_before {
            let served = crate::commands::blocking::serve_ready(ctx.st, ctx.shared, ctx.now_ms);
            // The served clients' replies wait for their pops to reach the
            // AOF like any reply to a write.
            let off = crate::persistence::propagate::flush(ctx.st, &ctx.shared.aof, ctx.now_ms);
            if off > 0 {
                for id in served {
                    if let Some(c) = ctx.st.clients.get_mut(&id) {
                        c.aof_target = c.aof_target.max(off);
                    }
                }
            }
        }
    }
    match ctx.sess.reply_mode {
        ReplyMode::Off => ctx.out.buf.truncate(mark),
        ReplyMode::Skip => {
            ctx.out.buf.truncate(mark);
            ctx.sess.reply_mode = ReplyMode::On;
        }
        _ => {}
    }
}

/// The pre-execution checks, in Redis's order.
fn check<'t>(ctx: &mut Ctx, argv: &[Bytes]) -> Result<&'t Command, (CmdError, Option<&'t Command>)> {
    let table = table();
    let Some(mut cmd) = table.lookup(&argv[0]) else {
        return Err((unknown_command(argv), None));
    };
    if !cmd.subcommands.is_empty() && argv.len() >= 2 {
        match cmd.subcommand(&argv[1]) {
            Some(sub) => cmd = sub,
            None => {
                return Err((
                    CmdError::UnknownSubcommand {
                        sub: quote_arg(&argv[1]),
                        cmd: cmd.name.to_ascii_uppercase(),
                    },
                    None,
                ))
            }
        }
    }
    if !cmd.arity_ok(argv.len()) {
        return Err((CmdError::WrongArity(cmd.full_name.clone()), Some(cmd)));
    }
    if !ctx.sess.authenticated && !cmd.has(flag::NO_AUTH) && ctx.st.config.requirepass.is_some() {
        return Err((CmdError::NoAuth, Some(cmd)));
    }
    if ctx.st.config.maxmemory > 0 {
        if let Some(err) = check_memory(ctx, cmd, argv) {
            return Err((err, Some(cmd)));
        }
    }
    if let Some(err) = deny_write(ctx, cmd) {
        return Err((err, Some(cmd)));
    }
    if ctx.sess.subs.active() && !ctx.out.resp3() && !crate::commands::pubsub::allowed_in_subscribed_context(cmd.name) {
        return Err((
            CmdError::err(format!(
                "Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
                cmd.full_name
            )),
            Some(cmd),
        ));
    }
    if !cmd.has(flag::LOADING) && ctx.shared.loading.load(std::sync::atomic::Ordering::Acquire) && ctx.sess.id != u64::MAX {
        return Err((CmdError::coded("LOADING Redis is loading the dataset in memory"), Some(cmd)));
    }
    if ctx.sess.multi.is_some() && cmd.has(flag::NO_MULTI) {
        return Err((CmdError::err("Command not allowed inside a transaction"), Some(cmd)));
    }
    Ok(cmd)
}

/// Evicts if over `maxmemory`, and refuses the command with `-OOM` when
/// nothing could be freed and the command may grow memory (Redis's
/// `processCommand` maxmemory block).
fn check_memory(ctx: &mut Ctx, cmd: &Command, argv: &[Bytes]) -> Option<CmdError> {
    let evicted = ctx.st.stats.evicted_keys;
    let out_of_memory = crate::evict::perform(ctx.st, ctx.shared) == crate::evict::Outcome::Fail;
    if ctx.st.stats.evicted_keys != evicted {
        // The evictions' DELs go to the AOF as their own unit.
        crate::persistence::propagate::flush(ctx.st, &ctx.shared.aof, ctx.now_ms);
    }
    ctx.st.evict.oom_at_start = out_of_memory;
    if !out_of_memory {
        return None;
    }
    let denies = |c: &Command, argv: &[Bytes]| {
        c.has(flag::DENYOOM)
            || (c.has(flag::NOSCRIPT) && crate::scripting::engine::Engine::call_denies_oom(&ctx.shared.script, c.name, argv))
    };
    let mut reject = denies(cmd, argv);
    if cmd.name == "exec" {
        reject |= ctx.sess.multi.as_ref().is_some_and(|m| m.queue.iter().any(|(c, a)| denies(c, a)));
    }
    if ctx.sess.multi.is_some() && !matches!(cmd.name, "exec" | "discard" | "quit" | "reset") {
        reject = true;
    }
    reject.then_some(CmdError::Oom)
}

/// `-MISCONF` for a write command (or PING) while persistence fails
/// (Redis's `writeCommandsDeniedByDiskError`).
fn deny_write(ctx: &Ctx, cmd: &Command) -> Option<CmdError> {
    if !cmd.has(flag::WRITE) && cmd.name != "ping" {
        return None;
    }
    crate::persistence::deny_writes(ctx.st, ctx.shared)
}

/// Ends an execution unit: its commands go to the AOF, and the client's
/// replies will wait for them (see `persistence::aof_io`).
fn end_unit(ctx: &mut Ctx) {
    let off = crate::persistence::propagate::flush(ctx.st, &ctx.shared.aof, ctx.now_ms);
    if off > 0 {
        ctx.sess.aof_target = off;
    }
}

/// Redis's unknown-command text: the name and the first arguments, each
/// quoted, within 128 bytes.
fn unknown_command(argv: &[Bytes]) -> CmdError {
    let mut args = String::new();
    for a in &argv[1..] {
        if args.len() >= 128 {
            break;
        }
        let room = 128 - args.len();
        let a = a.split(|&b| b == 0).next().unwrap_or(b"");
        let a = String::from_utf8_lossy(&a[..a.len().min(room)]).into_owned();
        args.push('\'');
        args.push_str(&a);
        args.push_str("' ");
    }
    CmdError::err(format!("unknown command '{}', with args beginning with: {}", quote_arg(&argv[0]), args))
}

/// Executes a command that passed the checks and records its statistics.
pub fn call(ctx: &mut Ctx, cmd: &'static Command, argv: &[Bytes]) {
    let start = Instant::now();
    ctx.cmd = Some(cmd);
    let dirty_before = ctx.st.stats.dirty;
    let saved = ctx.st.prop.take_replacement();
    let result = (cmd.handler)(ctx, argv);
    crate::persistence::propagate::after_call(ctx, cmd, argv, dirty_before, saved);
    // The peak is taken after every command, before the next command's
    // eviction brings memory down again (as Redis's `call` does).
    let used = crate::alloc::used_memory_here();
    if used > ctx.shared.peak_memory.load(std::sync::atomic::Ordering::Relaxed) {
        ctx.shared.peak_memory.fetch_max(used, std::sync::atomic::Ordering::Relaxed);
    }
    let usec = start.elapsed().as_micros() as u64;
    let stats = &mut ctx.st.stats;
    stats.total_commands_processed += 1;
    let cs = &mut stats.commands[cmd.stat_id];
    cs.calls += 1;
    cs.usec += usec;
    ctx.sess.last_cmd = Some(cmd);
    if let Err(err) = result {
        ctx.st.stats.commands[cmd.stat_id].failed_calls += 1;
        reply_error(ctx, &err);
    }
}

/// Writes an error reply and counts it by its code.
pub fn reply_error(ctx: &mut Ctx, err: &CmdError) {
    let text = err.to_string();
    count_error(ctx, &text);
    ctx.out.error(text.as_bytes());
}

/// Counts an error reply (`total_error_replies`, `errorstat_<CODE>`).
pub fn count_error(ctx: &mut Ctx, text: &str) {
    let stats = &mut ctx.st.stats;
    stats.total_error_replies += 1;
    let code = text.split(' ').next().unwrap_or("ERR");
    // Redis stops tracking new codes after 128 distinct ones.
    if let Some(n) = stats.error_codes.get_mut(code) {
        *n += 1;
    } else if stats.error_codes.len() < 128 {
        stats.error_codes.insert(code.to_string(), 1);
    }
}
