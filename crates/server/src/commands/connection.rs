//! Connection commands: PING, ECHO, QUIT, RESET, SELECT, SWAPDB, AUTH, HELLO.

use super::keys::arg_db_index;
use super::{is, Ctx};
use crate::error::{CmdError, CmdResult};
use crate::state::ReplyMode;
use bytes::Bytes;
use hematite_resp::Protocol;

/// The version hematite reports to clients as `redis_version`, so that
/// client libraries enable their Redis 7 features.
pub const REDIS_VERSION: &str = "7.0.15";

/// `PING [message]`
pub fn ping(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() <= 2 && ctx.sess.subs.active() && !ctx.out.resp3() {
        super::pubsub::subscribed_ping(ctx, argv);
        return Ok(());
    }
    match argv.len() {
        1 => ctx.out.simple(b"PONG"),
        2 => ctx.out.bulk(&argv[1]),
        _ => return Err(CmdError::WrongArity("ping".into())),
    }
    Ok(())
}

/// `ECHO message`
pub fn echo(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ctx.out.bulk(&argv[1]);
    Ok(())
}

/// `QUIT`: replies OK, then the connection closes.
pub fn quit(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.out.ok();
    ctx.sess.close_after_reply = true;
    Ok(())
}

/// `RESET`: returns the connection to its initial state.
pub fn reset(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    super::multi::discard_transaction(ctx);
    super::pubsub::unsubscribe_all(ctx);
    ctx.sess.db = 0;
    ctx.out.proto = Protocol::Resp2;
    ctx.sess.authenticated = ctx.st.config.requirepass.is_none();
    ctx.sess.user = "default".into();
    ctx.sess.reply_mode = ReplyMode::On;
    ctx.sess.no_touch = false;
    if let Some(c) = ctx.st.clients.get_mut(&ctx.sess.id) {
        c.name = None;
        c.no_evict = false;
        c.db = 0;
        c.resp = 2;
    }
    ctx.out.simple(b"RESET");
    Ok(())
}

/// `SELECT index`
pub fn select(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let id = arg_db_index(&argv[1], None)?;
    if id < 0 || id >= ctx.st.ks.dbs.len() as i64 {
        return Err(CmdError::DbIndexOutOfRange);
    }
    ctx.sess.db = id as usize;
    ctx.out.ok();
    Ok(())
}

/// `SWAPDB index1 index2`
pub fn swapdb(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let a = arg_db_index(&argv[1], Some("invalid first DB index"))?;
    let b = arg_db_index(&argv[2], Some("invalid second DB index"))?;
    let n = ctx.st.ks.dbs.len() as i64;
    if a < 0 || a >= n || b < 0 || b >= n {
        return Err(CmdError::DbIndexOutOfRange);
    }
    let (a, b) = (a as usize, b as usize);
    if !ctx.st.watches.is_empty() {
        let st = &mut *ctx.st;
        for (x, y) in [(a, b), (b, a)] {
            let (dx, dy) = (&st.ks.dbs[x], &st.ks.dbs[y]);
            st.watches.touch_db(x, |k| dx.dict.get(k).is_some() || dy.dict.get(k).is_some());
        }
    }
    ctx.st.ks.dbs.swap(a, b);
    ctx.dirty(1);
    ctx.out.ok();
    Ok(())
}

/// Compares two byte strings in time independent of where they differ, so
/// response timing does not reveal how much of a password guess was right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // Compare over the longer length so the time does not depend on the
    // position of the first difference, only (weakly) on the lengths.
    let n = a.len().max(b.len());
    let mut diff = (a.len() != b.len()) as u8;
    for i in 0..n {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= x ^ y;
    }
    std::hint::black_box(diff) == 0
}

/// Checks a user name and password (only the `default` user exists until
/// ACL lands). With no `requirepass`, the default user takes any password.
fn authenticate(ctx: &mut Ctx, user: &[u8], pass: &[u8]) -> CmdResult {
    let ok = user == b"default"
        && match &ctx.st.config.requirepass {
            None => true,
            Some(p) => constant_time_eq(p, pass),
        };
    if ok {
        ctx.sess.authenticated = true;
        ctx.sess.user = "default".into();
        Ok(())
    } else {
        Err(CmdError::WrongPass)
    }
}

/// `AUTH [username] password`
pub fn auth(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(CmdError::Syntax);
    }
    if argv.len() == 2 {
        if ctx.st.config.requirepass.is_none() {
            return Err(CmdError::err("AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"));
        }
        authenticate(ctx, b"default", &argv[1])?;
    } else {
        authenticate(ctx, &argv[1], &argv[2])?;
    }
    ctx.out.ok();
    Ok(())
}

/// Validates a client name (`validateClientName`): printable ASCII without
/// spaces.
pub fn validate_client_name(name: &[u8]) -> CmdResult {
    if name.iter().any(|&c| !(b'!'..=b'~').contains(&c)) {
        return Err(CmdError::err("Client names cannot contain spaces, newlines or special characters."));
    }
    Ok(())
}

/// Sets (or, with an empty name, clears) the calling client's name.
pub fn set_client_name(ctx: &mut Ctx, name: &[u8]) {
    if let Some(c) = ctx.st.clients.get_mut(&ctx.sess.id) {
        c.name = if name.is_empty() { None } else { Some(name.to_vec()) };
    }
}

/// `HELLO [protover [AUTH username password] [SETNAME clientname]]`
pub fn hello(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut ver = 0;
    let mut j = 1;
    if argv.len() >= 2 {
        ver = hematite_common::num::parse_i64(&argv[1])
            .ok_or_else(|| CmdError::err("Protocol version is not an integer or out of range"))?;
        j = 2;
        if !(2..=3).contains(&ver) {
            return Err(CmdError::coded("NOPROTO unsupported protocol version"));
        }
    }
    let mut creds: Option<(&[u8], &[u8])> = None;
    let mut name: Option<&[u8]> = None;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        if is(&argv[j], "auth") && more >= 2 {
            creds = Some((&argv[j + 1], &argv[j + 2]));
            j += 2;
        } else if is(&argv[j], "setname") && more >= 1 {
            validate_client_name(&argv[j + 1])?;
            name = Some(&argv[j + 1]);
            j += 1;
        } else {
            return Err(CmdError::err(format!("Syntax error in HELLO option '{}'", String::from_utf8_lossy(&argv[j]))));
        }
        j += 1;
    }
    if let Some((u, p)) = creds {
        authenticate(ctx, u, p)?;
    }
    if !ctx.sess.authenticated && ctx.st.config.requirepass.is_some() {
        return Err(CmdError::coded("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"));
    }
    if let Some(n) = name {
        set_client_name(ctx, n);
    }
    if ver != 0 {
        ctx.out.proto = if ver == 3 { Protocol::Resp3 } else { Protocol::Resp2 };
        if let Some(c) = ctx.st.clients.get_mut(&ctx.sess.id) {
            c.resp = ver as u8;
        }
    }
    let proto = if ctx.out.resp3() { 3 } else { 2 };
    let out = &mut *ctx.out;
    out.map(7);
    out.bulk(b"server");
    out.bulk(b"redis");
    out.bulk(b"version");
    out.bulk(REDIS_VERSION.as_bytes());
    out.bulk(b"proto");
    out.int(proto);
    out.bulk(b"id");
    out.int(ctx.sess.id as i64);
    out.bulk(b"mode");
    out.bulk(b"standalone");
    out.bulk(b"role");
    out.bulk(b"master");
    out.bulk(b"modules");
    out.array(0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn ct_eq() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
        assert!(constant_time_eq(b"", b""));
    }
}
