//! `CLIENT` subcommands.

use super::connection::{set_client_name, validate_client_name};
use super::keys::help_reply;
use super::{arg_i64, is, Ctx};
use crate::command::Row;
use crate::error::{CmdError, CmdResult};
use crate::state::{ClientInfo, ReplyMode};
use bytes::Bytes;
use std::fmt::Write;
use std::sync::atomic::Ordering;

macro_rules! sub {
    ($name:literal, $arity:expr, $flags:literal, $handler:expr) => {
        Row { name: $name, arity: $arity, flags: $flags, acl: "@connection", keys: (0, 0, 0), handler: $handler, subs: &[] }
    };
}

/// CLIENT's subcommands.
pub static SUBCOMMANDS: &[Row] = &[
    sub!("id", 2, "noscript loading stale", id),
    sub!("info", 2, "noscript loading stale", info),
    sub!("list", -2, "admin noscript loading stale", list),
    sub!("kill", -3, "admin noscript loading stale", kill),
    sub!("getname", 2, "noscript loading stale", getname),
    sub!("setname", 3, "noscript loading stale", setname),
    sub!("setinfo", 4, "noscript loading stale", setinfo),
    sub!("reply", 3, "noscript loading stale", reply),
    sub!("no-evict", 3, "admin noscript loading stale", no_evict),
    sub!("no-touch", 3, "noscript loading stale", no_touch),
    sub!("getredir", 2, "noscript loading stale", getredir),
    sub!("unblock", -3, "admin noscript loading stale", unblock),
    sub!("help", 2, "loading stale", help),
];

fn id(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.out.int(ctx.sess.id as i64);
    Ok(())
}

/// Copies the session's current state into its registry entry, so a
/// listing made by this very client is up to date.
fn sync_self(ctx: &mut Ctx) {
    let db = ctx.sess.db;
    let resp = if ctx.out.resp3() { 3 } else { 2 };
    let now = ctx.now_ms;
    let cmd = ctx.cmd;
    if let Some(c) = ctx.st.clients.get_mut(&ctx.sess.id) {
        c.db = db;
        c.resp = resp;
        c.last_interaction_ms = now;
        c.last_cmd = cmd;
        c.user = ctx.sess.user.clone();
    }
}

/// One `CLIENT LIST` line (without the newline), in Redis 7's field order.
pub fn client_line(c: &ClientInfo, now_ms: i64) -> String {
    let mut s = String::with_capacity(256);
    let mut flags = String::new();
    if c.sub_counts != (0, 0, 0) {
        flags.push('P');
    }
    if c.multi >= 0 {
        flags.push('x');
    }
    if c.blocked {
        flags.push('b');
    }
    if c.no_evict {
        flags.push('e');
    }
    if flags.is_empty() {
        flags.push('N');
    }
    let name = c.name.as_deref().map(String::from_utf8_lossy).unwrap_or_default();
    let lib_name = c.lib_name.as_deref().map(String::from_utf8_lossy).unwrap_or_default();
    let lib_ver = c.lib_ver.as_deref().map(String::from_utf8_lossy).unwrap_or_default();
    let _ = write!(
        s,
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} multi={} \
         qbuf={} qbuf-free={} argv-mem=0 multi-mem=0 rbs={} rbp={} obl=0 oll=0 omem={} tot-mem={} events=r \
         cmd={} user={} redir=-1 resp={} lib-name={} lib-ver={}",
        c.id,
        c.addr,
        c.laddr,
        c.fd,
        name,
        (now_ms - c.created_ms).max(0) / 1000,
        (now_ms - c.last_interaction_ms).max(0) / 1000,
        flags,
        c.db,
        c.sub_counts.0,
        c.sub_counts.1,
        c.sub_counts.2,
        c.multi,
        c.qbuf,
        c.qbuf_cap.saturating_sub(c.qbuf),
        c.qbuf_cap,
        c.qbuf_cap,
        c.omem,
        c.qbuf_cap + c.omem + 1024,
        c.last_cmd.map(|c| c.full_name.as_str()).unwrap_or("NULL"),
        c.user,
        c.resp,
        lib_name,
        lib_ver,
    );
    s
}

fn info(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    sync_self(ctx);
    let line = ctx.st.clients.get(&ctx.sess.id).map(|c| client_line(c, ctx.now_ms)).unwrap_or_default();
    ctx.out.verbatim(b"txt", format!("{line}\n").as_bytes());
    Ok(())
}

fn list(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sync_self(ctx);
    let mut ids: Option<Vec<u64>> = None;
    let mut j = 2;
    while j < argv.len() {
        if is(&argv[j], "type") && j + 1 < argv.len() {
            let t = &argv[j + 1];
            if !(is(t, "normal") || is(t, "master") || is(t, "replica") || is(t, "slave") || is(t, "pubsub")) {
                return Err(CmdError::err(format!("Unknown client type '{}'", String::from_utf8_lossy(t))));
            }
            if !is(t, "normal") {
                ids = Some(Vec::new());
            }
            j += 2;
        } else if is(&argv[j], "id") && j + 1 < argv.len() {
            let mut v = ids.take().unwrap_or_default();
            j += 1;
            while j < argv.len() {
                match hematite_common::num::parse_i64(&argv[j]) {
                    Some(n) if n > 0 => v.push(n as u64),
                    Some(_) => {}
                    None => return Err(CmdError::err("Invalid client ID")),
                }
                j += 1;
            }
            ids = Some(v);
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let mut clients: Vec<&ClientInfo> = ctx.st.clients.values().collect();
    clients.sort_by_key(|c| c.id);
    let mut text = String::new();
    for c in clients {
        if ids.as_ref().is_some_and(|v| !v.contains(&c.id)) {
            continue;
        }
        text.push_str(&client_line(c, ctx.now_ms));
        text.push('\n');
    }
    ctx.out.verbatim(b"txt", text.as_bytes());
    Ok(())
}

fn kill(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sync_self(ctx);
    // Old form: CLIENT KILL addr.
    if argv.len() == 3 {
        let addr = String::from_utf8_lossy(&argv[2]);
        let target = ctx.st.clients.values().find(|c| c.addr == addr).map(|c| c.id);
        let Some(id) = target else {
            return Err(CmdError::err("No such client"));
        };
        kill_client(ctx, id);
        ctx.out.ok();
        return Ok(());
    }
    let mut f_id: Option<u64> = None;
    let mut f_addr: Option<String> = None;
    let mut f_laddr: Option<String> = None;
    let mut f_user: Option<String> = None;
    let mut f_type_normal: Option<bool> = None;
    let mut skipme = true;
    let mut j = 2;
    while j < argv.len() {
        if j + 1 >= argv.len() {
            return Err(CmdError::Syntax);
        }
        let (opt, val) = (&argv[j], &argv[j + 1]);
        if is(opt, "id") {
            match hematite_common::num::parse_i64(val) {
                Some(n) if n > 0 => f_id = Some(n as u64),
                _ => return Err(CmdError::err("client-id should be greater than 0")),
            }
        } else if is(opt, "type") {
            if is(val, "normal") {
                f_type_normal = Some(true);
            } else if is(val, "master") || is(val, "replica") || is(val, "slave") || is(val, "pubsub") {
                f_type_normal = Some(false);
            } else {
                return Err(CmdError::err(format!("Unknown client type '{}'", String::from_utf8_lossy(val))));
            }
        } else if is(opt, "addr") {
            f_addr = Some(String::from_utf8_lossy(val).into_owned());
        } else if is(opt, "laddr") {
            f_laddr = Some(String::from_utf8_lossy(val).into_owned());
        } else if is(opt, "user") {
            if &val[..] != b"default" {
                return Err(CmdError::err(format!("No such user '{}'", String::from_utf8_lossy(val))));
            }
            f_user = Some("default".into());
        } else if is(opt, "skipme") {
            if is(val, "yes") {
                skipme = true;
            } else if is(val, "no") {
                skipme = false;
            } else {
                return Err(CmdError::Syntax);
            }
        } else {
            return Err(CmdError::Syntax);
        }
        j += 2;
    }
    let me = ctx.sess.id;
    let victims: Vec<u64> = ctx
        .st
        .clients
        .values()
        .filter(|c| f_id.map_or(true, |id| c.id == id))
        .filter(|c| f_addr.as_ref().map_or(true, |a| &c.addr == a))
        .filter(|c| f_laddr.as_ref().map_or(true, |a| &c.laddr == a))
        .filter(|c| f_user.as_ref().map_or(true, |u| &c.user == u))
        .filter(|_| f_type_normal.unwrap_or(true))
        .filter(|c| !(skipme && c.id == me))
        .map(|c| c.id)
        .collect();
    for id in &victims {
        kill_client(ctx, *id);
    }
    ctx.out.int(victims.len() as i64);
    Ok(())
}

/// Marks a client for closing and wakes its connection task. Killing
/// oneself closes after the current reply is written.
pub fn kill_client(ctx: &mut Ctx, id: u64) {
    if id == ctx.sess.id {
        ctx.sess.close_after_reply = true;
        return;
    }
    if let Some(c) = ctx.st.clients.get(&id) {
        c.killed.store(true, Ordering::SeqCst);
        c.wake.notify_one();
    }
}

fn getname(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    match ctx.st.clients.get(&ctx.sess.id).and_then(|c| c.name.clone()) {
        Some(n) => ctx.out.bulk(&n),
        None => ctx.out.null(),
    }
    Ok(())
}

fn setname(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    validate_client_name(&argv[2])?;
    set_client_name(ctx, &argv[2]);
    ctx.out.ok();
    Ok(())
}

/// `CLIENT SETINFO LIB-NAME|LIB-VER value` (Redis 7.2; client libraries
/// send it when they connect).
fn setinfo(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (attr, val) = (&argv[2], &argv[3]);
    let lib_name = is(attr, "lib-name");
    if !lib_name && !is(attr, "lib-ver") {
        return Err(CmdError::err(format!("Unrecognized option '{}'", String::from_utf8_lossy(attr))));
    }
    if val.iter().any(|&c| !(b'!'..=b'~').contains(&c)) {
        return Err(CmdError::err(format!(
            "{} cannot contain spaces, newlines or special characters.",
            if lib_name { "lib-name" } else { "lib-ver" }
        )));
    }
    if let Some(c) = ctx.st.clients.get_mut(&ctx.sess.id) {
        let v = if val.is_empty() { None } else { Some(val.to_vec()) };
        if lib_name {
            c.lib_name = v;
        } else {
            c.lib_ver = v;
        }
    }
    ctx.out.ok();
    Ok(())
}

fn reply(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mode = &argv[2];
    if is(mode, "on") {
        ctx.sess.reply_mode = ReplyMode::On;
        ctx.out.ok();
    } else if is(mode, "off") {
        ctx.sess.reply_mode = ReplyMode::Off;
    } else if is(mode, "skip") {
        if ctx.sess.reply_mode != ReplyMode::Off {
            ctx.sess.reply_mode = ReplyMode::SkipNext;
        }
    } else {
        return Err(CmdError::Syntax);
    }
    Ok(())
}

fn on_off(arg: &[u8]) -> Result<bool, CmdError> {
    if is(arg, "on") {
        Ok(true)
    } else if is(arg, "off") {
        Ok(false)
    } else {
        Err(CmdError::Syntax)
    }
}

fn no_evict(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let on = on_off(&argv[2])?;
    if let Some(c) = ctx.st.clients.get_mut(&ctx.sess.id) {
        c.no_evict = on;
    }
    ctx.out.ok();
    Ok(())
}

/// `CLIENT NO-TOUCH ON|OFF` (Redis 7.2): commands of this client don't
/// update keys' access times.
fn no_touch(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ctx.sess.no_touch = on_off(&argv[2])?;
    ctx.out.ok();
    Ok(())
}

fn getredir(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.out.int(-1);
    Ok(())
}

/// `CLIENT UNBLOCK id [TIMEOUT|ERROR]`: wakes a client blocked by a
/// blocking command, with its timeout reply or an `-UNBLOCKED` error.
fn unblock(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 4 {
        // Redis only knows the 3- and 4-argument forms.
        return Err(CmdError::err(format!(
            "unknown subcommand or wrong number of arguments for '{}'. Try CLIENT HELP.",
            String::from_utf8_lossy(&argv[1])
        )));
    }
    let id = arg_i64(&argv[2])?;
    let mut error = false;
    if argv.len() == 4 {
        if is(&argv[3], "error") {
            error = true;
        } else if !is(&argv[3], "timeout") {
            return Err(CmdError::err("CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));
        }
    }
    let done = id > 0 && super::blocking::unblock(ctx.st, id as u64, error);
    ctx.out.int(done as i64);
    Ok(())
}

fn help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    help_reply(
        ctx,
        "CLIENT",
        &[
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "SETINFO <LIB-NAME|LIB-VER> <value>",
            "    Set client library name and version (reported by CLIENT LIST).",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
            "NO-TOUCH (ON|OFF)",
            "    Commands of this connection do not update the access time of keys.",
        ],
    );
    Ok(())
}
