//! Server commands: COMMAND, TIME, DEBUG, SHUTDOWN.

use super::keys::help_reply;
use super::{is, meta, Ctx};
use crate::command::{acl, flag, table, Command, Row};
use crate::error::{CmdError, CmdResult};
use bytes::Bytes;
use hematite_common::glob::string_match;
use hematite_config::ProtectedAction;
use hematite_resp::ReplyBuf;

macro_rules! sub {
    ($name:literal, $arity:expr, $flags:literal, $handler:expr) => {
        Row { name: $name, arity: $arity, flags: $flags, acl: "@connection", keys: (0, 0, 0), handler: $handler, subs: &[] }
    };
}

/// COMMAND's subcommands.
pub static COMMAND_SUBCOMMANDS: &[Row] = &[
    sub!("count", 2, "loading stale", command_count),
    sub!("info", -2, "loading stale", command_info),
    sub!("docs", -2, "loading stale", command_docs),
    sub!("list", -2, "loading stale", command_list),
    sub!("getkeys", -4, "loading stale", command_getkeys),
    sub!("help", 2, "loading stale", command_help),
];

/// Writes a set of status replies for the given flag bits.
fn write_flags(out: &mut ReplyBuf, flags: u32) {
    let names: Vec<&str> = flag::NAMES.iter().filter(|(b, _)| flags & b != 0).map(|(_, n)| *n).collect();
    out.set(names.len());
    for n in names {
        out.simple(n.as_bytes());
    }
}

/// Writes a set of `@category` status replies.
fn write_acl(out: &mut ReplyBuf, bits: u64) {
    let names: Vec<&str> = acl::NAMES.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, n)| *n).collect();
    out.set(names.len());
    for n in names {
        out.simple(format!("@{n}").as_bytes());
    }
}

/// One command's COMMAND INFO entry.
fn write_info(out: &mut ReplyBuf, cmd: &Command) {
    out.array(10);
    out.bulk(cmd.full_name.as_bytes());
    out.int(cmd.arity as i64);
    write_flags(out, cmd.flags);
    out.int(cmd.keys.first as i64);
    out.int(cmd.keys.last as i64);
    out.int(cmd.keys.step as i64);
    write_acl(out, cmd.acl);
    meta::write_tips(out, &cmd.full_name);
    meta::write_key_specs(out, &cmd.full_name);
    // Redis writes an empty *set* when there are no subcommands, but an
    // array when there are some.
    if cmd.subcommands.is_empty() {
        out.set(0);
    } else {
        out.array(cmd.subcommands.len());
    }
    for sub in &cmd.subcommands {
        write_info(out, sub);
    }
}

/// Commands sorted by name, for stable listings.
fn sorted_commands() -> Vec<&'static Command> {
    let mut v: Vec<&Command> = table().by_name.values().collect();
    v.sort_by_key(|c| c.name);
    v
}

/// Looks up `name` or `container|sub`.
fn find(name: &[u8]) -> Option<&'static Command> {
    let s = std::str::from_utf8(name).ok()?;
    match s.split_once('|') {
        Some((c, sub)) => table().lookup(c.as_bytes())?.subcommand(sub.as_bytes()),
        None => table().lookup(name),
    }
}

/// `COMMAND` (no subcommand): information about every command.
pub fn command(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let cmds = sorted_commands();
    ctx.out.array(cmds.len());
    for c in cmds {
        write_info(ctx.out, c);
    }
    Ok(())
}

fn command_count(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.out.int(table().by_name.len() as i64);
    Ok(())
}

fn command_info(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() == 2 {
        return command(ctx, argv);
    }
    ctx.out.array(argv.len() - 2);
    for name in &argv[2..] {
        match find(name) {
            Some(c) => write_info(ctx.out, c),
            None => ctx.out.null(),
        }
    }
    Ok(())
}

fn write_docs_for(out: &mut ReplyBuf, c: &Command) {
    out.bulk(c.full_name.as_bytes());
    let subs: Vec<&str> = c.subcommands.iter().map(|s| s.full_name.as_str()).collect();
    meta::write_docs(out, &c.full_name, &subs);
}

fn command_docs(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() == 2 {
        let cmds = sorted_commands();
        ctx.out.map(cmds.len());
        for c in cmds {
            write_docs_for(ctx.out, c);
        }
        return Ok(());
    }
    let found: Vec<&Command> = argv[2..].iter().filter_map(|n| find(n)).collect();
    ctx.out.map(found.len());
    for c in found {
        write_docs_for(ctx.out, c);
    }
    Ok(())
}

fn command_list(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    enum Filter<'a> {
        None,
        Module,
        AclCat(u64),
        Pattern(&'a [u8]),
    }
    let filter = match argv.len() {
        2 => Filter::None,
        5 if is(&argv[2], "filterby") => {
            let (kind, val) = (&argv[3], &argv[4][..]);
            if is(kind, "module") {
                Filter::Module
            } else if is(kind, "aclcat") {
                let lower = String::from_utf8_lossy(val).to_lowercase();
                match acl::NAMES.iter().position(|n| *n == lower) {
                    Some(i) => Filter::AclCat(1 << i),
                    None => Filter::AclCat(0),
                }
            } else if is(kind, "pattern") {
                Filter::Pattern(val)
            } else {
                return Err(CmdError::Syntax);
            }
        }
        _ => return Err(CmdError::Syntax),
    };
    let mut names: Vec<&str> = Vec::new();
    for c in sorted_commands() {
        for cmd in std::iter::once(c).chain(c.subcommands.iter()) {
            let keep = match filter {
                Filter::None => cmd.full_name == cmd.name,
                Filter::Module => false,
                Filter::AclCat(bit) => cmd.acl & bit != 0,
                Filter::Pattern(p) => string_match(p, cmd.full_name.as_bytes(), true),
            };
            if keep {
                names.push(&cmd.full_name);
            }
        }
    }
    ctx.out.array(names.len());
    for n in names {
        ctx.out.bulk(n.as_bytes());
    }
    Ok(())
}

fn command_getkeys(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let args = &argv[2..];
    let mut cmd = table().lookup(&args[0]).ok_or_else(|| CmdError::err("Invalid command specified"))?;
    if !cmd.subcommands.is_empty() && args.len() >= 2 {
        cmd = cmd.subcommand(&args[1]).ok_or_else(|| CmdError::err("Invalid command specified"))?;
    }
    if !cmd.has_keys() {
        return Err(CmdError::err("The command has no key arguments"));
    }
    if !cmd.arity_ok(args.len()) {
        return Err(CmdError::err("Invalid number of arguments specified for command"));
    }
    let pos = match cmd.keys_from_specs(args) {
        Some(p) => p,
        None if cmd.name.starts_with("sort") => sort_keys(args),
        None => cmd.key_positions(args.len()),
    };
    if pos.is_empty() {
        if cmd.has(flag::NO_MANDATORY_KEYS) {
            ctx.out.array(0);
            return Ok(());
        }
        return Err(CmdError::err("Invalid arguments specified for command"));
    }
    ctx.out.array(pos.len());
    for p in pos {
        ctx.out.bulk(&args[p]);
    }
    Ok(())
}

/// SORT's keys: the sorted key and the STORE destination (Redis's
/// `sortGetKeys`; BY and GET patterns are not keys of the command).
fn sort_keys(args: &[Bytes]) -> Vec<usize> {
    let mut keys = vec![1];
    let mut i = 2;
    while i < args.len() {
        let a = &args[i];
        if a.eq_ignore_ascii_case(b"limit") {
            i += 3;
            continue;
        }
        if a.eq_ignore_ascii_case(b"get") || a.eq_ignore_ascii_case(b"by") {
            i += 2;
            continue;
        }
        if a.eq_ignore_ascii_case(b"store") && i + 1 < args.len() {
            keys.push(i + 1);
            i += 2;
            continue;
        }
        i += 1;
    }
    keys
}

fn command_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    help_reply(
        ctx,
        "COMMAND",
        &[
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
        ],
    );
    Ok(())
}

/// `TIME`
pub fn time(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let us = crate::clock::now_us();
    ctx.out.array(2);
    ctx.out.bulk_int(us / 1_000_000);
    ctx.out.bulk_int(us % 1_000_000);
    Ok(())
}

/// `DEBUG <subcommand>`: the few subcommands tools and tests rely on.
/// Refused unless `enable-debug-command` allows it, as in Redis 7.
pub fn debug(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if !protected_allowed(ctx, ctx.st.config.enable_debug_command) {
        return Err(CmdError::err("DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."));
    }
    let sub = &argv[1];
    if is(sub, "sleep") && argv.len() == 3 {
        let secs = hematite_common::num::parse_f64(&argv[2]).unwrap_or(0.0);
        if secs > 0.0 {
            // Like Redis, this blocks the whole server: the lock is held.
            std::thread::sleep(std::time::Duration::from_secs_f64(secs));
        }
        ctx.out.ok();
    } else if is(sub, "reload") {
        debug_reload(ctx, &argv[2..])?;
    } else if is(sub, "set-active-expire") && argv.len() == 3 {
        ctx.st.active_expire_enabled = hematite_common::num::parse_i64(&argv[2]).unwrap_or(1) != 0;
        ctx.out.ok();
    } else if is(sub, "help") {
        help_reply(
            ctx,
            "DEBUG",
            &[
                "SLEEP <seconds>",
                "    Stop the server for <seconds>. Decimals allowed.",
                "RELOAD [option ...]",
                "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
                "    * MERGE: conflicting keys will be loaded from RDB.",
                "    * NOFLUSH: the existing database will not be removed before load, but",
                "      conflicting keys will generate an exception and kill the server.",
                "    * NOSAVE: the database will be loaded from an existing RDB file.",
                "    Examples:",
                "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
                "      the database.",
                "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
                "      existing RDB file.",
                "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
                "      file to the database.",
                "SET-ACTIVE-EXPIRE <0|1>",
                "    Setting it to 0 disables expiring keys in background when they are not",
                "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
                "    default.",
            ],
        );
    } else {
        return Err(CmdError::err(format!(
            "Unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
            String::from_utf8_lossy(&sub[..sub.len().min(128)])
        )));
    }
    Ok(())
}

/// `DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]`: saves the RDB (unless
/// NOSAVE), empties the dataset and the functions (unless NOFLUSH) and
/// loads the file back, the lock held, as Redis's does.
fn debug_reload(ctx: &mut Ctx, opts: &[Bytes]) -> CmdResult {
    let (mut merge, mut flush, mut save) = (false, true, true);
    for o in opts {
        if is(o, "merge") {
            merge = true;
        } else if is(o, "noflush") {
            flush = false;
        } else if is(o, "nosave") {
            save = false;
        } else {
            return Err(CmdError::err("DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."));
        }
    }
    if save && crate::persistence::save(ctx.st, ctx.shared).is_err() {
        return Err(CmdError::coded("ERR"));
    }
    if flush {
        super::keys::touch_flushed(ctx, None);
        for db in ctx.st.ks.dbs.iter_mut() {
            db.clear();
        }
        let mut eng = crate::scripting::engine::Engine::get(&ctx.shared.script);
        eng.registry = Default::default();
        eng.publish_stats(&ctx.shared.script);
        eng.publish_libraries(&ctx.shared.script);
    }
    let path = std::path::PathBuf::from(&ctx.st.config.dbfilename);
    if let Err(e) = crate::persistence::load::reload_locked(ctx.st, ctx.shared, &path, merge) {
        tracing::warn!("DEBUG RELOAD failed loading {}: {e}", path.display());
        return Err(CmdError::err("Error trying to load the RDB dump, check server logs."));
    }
    tracing::warn!("DB reloaded by DEBUG RELOAD");
    ctx.out.ok();
    Ok(())
}

/// Whether a protected command (DEBUG, MODULE) may run for this client under
/// a `yes` / `no` / `local` setting.
fn protected_allowed(ctx: &Ctx, setting: ProtectedAction) -> bool {
    match setting {
        ProtectedAction::Yes => true,
        ProtectedAction::Local => ctx.st.clients.get(&ctx.sess.id).is_some_and(|c| c.unix || c.addr.starts_with("127.") || c.addr.starts_with("[::1]")),
        _ => false,
    }
}

/// `SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]`
pub fn shutdown(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (mut save, mut nosave, mut abort, mut force) = (false, false, false, false);
    for a in &argv[1..] {
        if is(a, "nosave") {
            nosave = true;
        } else if is(a, "save") {
            save = true;
        } else if is(a, "now") {
        } else if is(a, "force") {
            force = true;
        } else if is(a, "abort") {
            abort = true;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    if (save && nosave) || (abort && argv.len() > 2) {
        return Err(CmdError::Syntax);
    }
    if abort {
        return Err(CmdError::err("No shutdown in progress."));
    }
    let wanted = if save {
        Some(true)
    } else if nosave {
        Some(false)
    } else {
        None
    };
    // While loading, nothing is saved (the dataset is incomplete).
    let wanted = if ctx.shared.loading.load(std::sync::atomic::Ordering::Relaxed) { Some(false) } else { wanted };
    if crate::persistence::prepare_shutdown(ctx.st, ctx.shared, wanted).is_err() && !force {
        return Err(CmdError::err("Errors trying to SHUTDOWN. Check logs."));
    }
    ctx.st.shutdown_requested = true;
    ctx.shared.shutdown.notify_one();
    ctx.sess.close_after_reply = true;
    Ok(())
}
