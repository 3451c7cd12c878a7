//! Blocking commands' shared parts: timeout parsing and the call that
//! parks a client until one of its keys can serve it.
//!
//! A blocking handler (BLPOP, BZPOPMIN, BLMOVE, ...) first tries to serve
//! its client at once, exactly like its non-blocking twin. When every key
//! is empty it calls [`Ctx::block_on`] instead of replying. Outside MULTI
//! and scripts that parks the client; whenever a later write touches one
//! of its keys the server runs the same handler again on the client's
//! behalf, and the first run that finds data writes the reply. Inside
//! MULTI or a script a blocking command cannot wait, so `block_on` replies
//! at once as if the timeout had expired, as Redis does.

use super::{Ctx, Session};
use crate::command::Command;
use crate::error::{CmdError, CmdResult};
use crate::state::{Shared, State};
use bytes::Bytes;
use hematite_common::num;
use hematite_resp::{Protocol, ReplyBuf};
use hematite_store::Kind;
use std::collections::{HashMap, VecDeque};

/// What a blocking command replies when its timeout expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnTimeout {
    /// A null array (`*-1` in RESP2): BLPOP, BRPOP, BLMPOP, BZPOP*, BZMPOP.
    NullArray,
    /// A null bulk string (`$-1` in RESP2): BLMOVE, BRPOPLPUSH.
    Null,
}

/// Parses a blocking timeout in seconds (fractions allowed) into
/// milliseconds, rounded up; 0 means wait forever. Errors as Redis 7.0's
/// `getTimeoutFromObjectOrReply`, which converts `ceil(secs * 1000)` to a
/// `long long`: values beyond its range (`inf`, `1e16`) come out negative
/// there, so they are "negative" here too, while `-0.0001` rounds to 0.
pub fn arg_timeout(arg: &[u8]) -> Result<u64, CmdError> {
    let Some(secs) = num::parse_f64(arg) else {
        // Redis parses a long double: a value past f64's range but within
        // a long double's (about 1.19e4932) is a number too large to be a
        // timeout, which Redis reports as negative.
        if overflows_only_f64(arg) {
            return Err(CmdError::err("timeout is negative"));
        }
        return Err(CmdError::err("timeout is not a float or out of range"));
    };
    let ms = (secs * 1000.0).ceil();
    // 2^63: the first value a `long long` cannot hold (parse_f64 never
    // returns NaN, so the comparisons are total here).
    if !(0.0..9_223_372_036_854_775_808.0).contains(&ms) {
        return Err(CmdError::err("timeout is negative"));
    }
    Ok(ms as u64)
}

/// True for a decimal literal like `1e400`: too large for an f64 but
/// finite as an x87 long double.
fn overflows_only_f64(arg: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(arg) else { return false };
    let lower = text.to_ascii_lowercase();
    if lower.contains("inf") || lower.contains("nan") || lower.starts_with(|c: char| c.is_ascii_whitespace()) {
        return false;
    }
    if !text.parse::<f64>().is_ok_and(|v| v.is_infinite()) {
        return false;
    }
    let (mantissa, exp) = lower.split_once('e').unwrap_or((&lower, "0"));
    let (Ok(m), Ok(e)) = (mantissa.parse::<f64>(), exp.parse::<i64>()) else { return false };
    m.abs().log10() + (e as f64) < 4932.0
}

/// A handler's request to park its client (see [`Ctx::block_on`]); the
/// connection registers it once the handler returns.
#[derive(Debug, Clone)]
pub struct BlockRequest {
    /// The keys to wait on.
    pub keys: Vec<Bytes>,
    /// Milliseconds to wait; 0 = forever.
    pub timeout_ms: u64,
    /// The reply on timeout.
    pub on_timeout: OnTimeout,
    /// The type a key must hold to wake the client.
    pub kind: Kind,
}

impl Ctx<'_> {
    /// Parks the client on `keys` for `timeout_ms` (0 = forever), or, where
    /// a client cannot block (inside MULTI or a script), replies as if the
    /// timeout had expired.
    pub fn block_on(&mut self, keys: &[Bytes], timeout_ms: u64, on_timeout: OnTimeout) -> CmdResult {
        if self.sess.in_exec || self.sess.in_script {
            reply_timeout(self, on_timeout);
            return Ok(());
        }
        let kind = match self.cmd.map(|c| c.name) {
            Some(n) if n.starts_with("bz") => Kind::ZSet,
            _ => Kind::List,
        };
        self.sess.block = Some(BlockRequest { keys: keys.to_vec(), timeout_ms, on_timeout, kind });
        Ok(())
    }
}

/// A parked client.
#[derive(Debug)]
pub struct Blocked {
    /// Database the command runs in.
    pub db: usize,
    /// The keys it waits on.
    pub keys: Vec<Bytes>,
    /// Deadline (Unix ms), if any.
    pub deadline_ms: Option<i64>,
    /// The reply on timeout.
    pub on_timeout: OnTimeout,
    /// The type a key must hold to wake it.
    pub kind: Kind,
    /// The blocking command and its arguments, run again to serve it.
    pub cmd: &'static Command,
    /// Arguments.
    pub argv: Vec<Bytes>,
    /// The client speaks RESP3.
    pub resp3: bool,
}

/// Every parked client, and the keys they wait on in arrival order.
#[derive(Debug, Default)]
pub struct Registry {
    by_key: HashMap<(usize, Bytes), VecDeque<u64>>,
    clients: HashMap<u64, Blocked>,
}

impl Registry {
    /// True when no client is blocked.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    /// Number of blocked clients (`blocked_clients` in INFO).
    pub fn len(&self) -> usize {
        self.clients.len()
    }

    /// Number of distinct keys clients wait on.
    pub fn key_count(&self) -> usize {
        self.by_key.len()
    }

    /// True if the client is blocked.
    pub fn contains(&self, id: u64) -> bool {
        self.clients.contains_key(&id)
    }

    /// The client's deadline, if it is blocked with one.
    pub fn deadline(&self, id: u64) -> Option<i64> {
        self.clients.get(&id).and_then(|b| b.deadline_ms)
    }

    /// Parks a client.
    pub fn add(&mut self, id: u64, b: Blocked) {
        for k in &b.keys {
            let q = self.by_key.entry((b.db, k.clone())).or_default();
            if !q.contains(&id) {
                q.push_back(id);
            }
        }
        self.clients.insert(id, b);
    }

    /// Unparks a client; returns its entry if it was blocked.
    pub fn remove(&mut self, id: u64) -> Option<Blocked> {
        let b = self.clients.remove(&id)?;
        for k in &b.keys {
            let slot = (b.db, k.clone());
            if let Some(q) = self.by_key.get_mut(&slot) {
                q.retain(|&x| x != id);
                if q.is_empty() {
                    self.by_key.remove(&slot);
                }
            }
        }
        Some(b)
    }
}

/// Registers the block a handler requested for client `id`.
pub fn park(st: &mut State, id: u64, req: BlockRequest, cmd: &'static Command, argv: Vec<Bytes>, db: usize, resp3: bool, now_ms: i64) {
    let deadline_ms = (req.timeout_ms > 0).then(|| now_ms + req.timeout_ms as i64);
    st.blocking.add(
        id,
        Blocked { db, keys: req.keys, deadline_ms, on_timeout: req.on_timeout, kind: req.kind, cmd, argv, resp3 },
    );
}

/// Encodes the timeout reply of a parked client. Redis's
/// `replyToBlockedClientTimedOut` answers a null array for every list and
/// sorted set block, BLMOVE and BRPOPLPUSH included (`*-1` in RESP2); only
/// their immediate answer inside MULTI or a script is a null bulk string.
fn timeout_bytes(b: &Blocked) -> ReplyBuf {
    let mut out = ReplyBuf::new();
    out.proto = if b.resp3 { Protocol::Resp3 } else { Protocol::Resp2 };
    out.null_array();
    out
}

/// The blocked client's timeout passed: unparks it and returns its reply
/// (None if it had already been served).
pub fn expire(st: &mut State, id: u64) -> Option<ReplyBuf> {
    let b = st.blocking.remove(id)?;
    if let Some(c) = st.clients.get_mut(&id) {
        c.blocked = false;
    }
    Some(timeout_bytes(&b))
}

/// CLIENT UNBLOCK: unparks a client with its timeout reply or an
/// `-UNBLOCKED` error, delivered through its pending buffer.
pub fn unblock(st: &mut State, id: u64, error: bool) -> bool {
    let Some(b) = st.blocking.remove(id) else { return false };
    let mut out = timeout_bytes(&b);
    if error {
        out.buf.clear();
        out.error(b"UNBLOCKED client unblocked via CLIENT UNBLOCK");
        st.stats.total_error_replies += 1;
        *st.stats.error_codes.entry("UNBLOCKED".into()).or_insert(0) += 1;
    }
    if let Some(c) = st.clients.get_mut(&id) {
        c.pending.extend_from_slice(&out.buf);
        c.blocked = false;
        c.wake.notify_one();
    }
    true
}

/// Keys some client waits on that now hold a value of the awaited type.
fn ready_keys(st: &mut State, now_ms: i64) -> Vec<(usize, Bytes)> {
    let mut ready = Vec::new();
    let ks = &mut st.ks;
    for ((db, key), ids) in &st.blocking.by_key {
        let want = ids.front().and_then(|id| st.blocking.clients.get(id)).map(|b| b.kind);
        if want.is_some() && ks.dbs[*db].kind_of(key, now_ms, &mut ks.counters, *db) == want {
            ready.push((*db, key.clone()));
        }
    }
    ready
}

/// Serves blocked clients whose keys received data (Redis's
/// `handleClientsBlockedOnKeys`): called after every write command at top
/// level while some client is blocked. For each ready key, its clients are
/// tried in arrival order by running their command again on their behalf;
/// a served client is unparked and its reply queued for its connection.
/// Serving can make more keys ready (BLMOVE pushes), so this repeats until
/// nothing changes.
/// Returns the ids of the clients served.
pub fn serve_ready(st: &mut State, shared: &Shared, now_ms: i64) -> Vec<u64> {
    let mut served = Vec::new();
    loop {
        let ready = ready_keys(st, now_ms);
        let mut progress = false;
        for slot in ready {
            let ids: Vec<u64> = st.blocking.by_key.get(&slot).map(|q| q.iter().copied().collect()).unwrap_or_default();
            for id in ids {
                let Some(b) = st.blocking.clients.get(&id) else { continue };
                let (cmd, argv, db, resp3) = (b.cmd, b.argv.clone(), b.db, b.resp3);
                let mut sess = Session::new(id, true);
                sess.db = db;
                let mut out = ReplyBuf::new();
                out.proto = if resp3 { Protocol::Resp3 } else { Protocol::Resp2 };
                let mut ctx = Ctx { st: &mut *st, sess: &mut sess, out: &mut out, now_ms, cmd: Some(cmd), shared };
                let dirty_before = ctx.st.stats.dirty;
                let saved = ctx.st.prop.take_replacement();
                let result = (cmd.handler)(&mut ctx, &argv);
                crate::persistence::propagate::after_call(&mut ctx, cmd, &argv, dirty_before, saved);
                if let Err(e) = &result {
                    crate::dispatch::reply_error(&mut ctx, e);
                } else if ctx.sess.block.is_some() {
                    // Nothing for this client yet (another took the data).
                    continue;
                }
                st.blocking.remove(id);
                served.push(id);
                if let Some(c) = st.clients.get_mut(&id) {
                    c.pending.extend_from_slice(&out.buf);
                    c.blocked = false;
                    c.wake.notify_one();
                }
                progress = true;
            }
        }
        if !progress {
            break;
        }
    }
    served
}

/// Writes the reply of a blocking command whose timeout expired.
pub fn reply_timeout(ctx: &mut Ctx, on_timeout: OnTimeout) {
    match on_timeout {
        OnTimeout::NullArray => ctx.out.null_array(),
        OnTimeout::Null => ctx.out.null(),
    }
}
