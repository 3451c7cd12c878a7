//! Transactions: MULTI, EXEC, DISCARD, WATCH and UNWATCH (Redis's
//! `multi.c`).
//!
//! After MULTI the dispatcher queues every command that passes its checks
//! (replying `+QUEUED`) instead of running it; a command rejected at queue
//! time (unknown, wrong arity, not allowed in a transaction, ...) marks the
//! transaction so EXEC answers `-EXECABORT` and runs nothing. EXEC runs the
//! queue back to back with the state lock held, so no other client's
//! command interleaves; a command failing at run time only puts an error in
//! its slot of EXEC's reply.
//!
//! WATCH is optimistic locking. [`Watches`] maps each watched (db, key) to
//! the clients watching it; every change to a key (Redis's
//! `signalModifiedKey`: writes, deletions, expiry, FLUSHDB/FLUSHALL and
//! SWAPDB of non-empty keys) marks those clients "dirty", and a dirty
//! client's EXEC replies a null array and runs nothing. A watched key whose
//! TTL passes before EXEC also aborts it, even if no lookup has deleted it
//! yet (unless it was already expired when it was watched).

use super::Ctx;
use crate::command::{Command, Row};
use crate::dispatch::call;
use crate::error::{CmdError, CmdResult};
use crate::row;
use bytes::Bytes;
use hematite_store::Key;
use std::collections::{HashMap, HashSet};

/// A client's open transaction.
#[derive(Debug, Default)]
pub struct MultiState {
    /// Queued commands with their arguments.
    pub queue: Vec<(&'static Command, Vec<Bytes>)>,
    /// A command was rejected while queueing: EXEC must abort.
    pub error: bool,
}

/// A key a client watches.
#[derive(Debug, Clone)]
pub struct Watched {
    /// Database index.
    pub db: usize,
    /// The key.
    pub key: Key,
    /// The key was already logically expired when watched.
    pub expired: bool,
}

/// Who watches which key, and whose watches were broken.
#[derive(Debug, Default)]
pub struct Watches {
    /// Watchers of each key, with the flag "the key was already expired
    /// when this client watched it".
    by_key: HashMap<(usize, Key), Vec<(u64, bool)>>,
    dirty: HashSet<u64>,
}

impl Watches {
    /// True when nobody watches anything.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// `signalModifiedKey`: breaks every watch on (db, key), except, as
    /// Redis's `touchWatchedKey`, the watch of a client that watched the
    /// key when it was already expired while the key stays gone (its
    /// deletion is no logical change; the flag is cleared).
    #[inline]
    pub fn touch(&mut self, db: usize, key: &[u8], exists: bool) {
        if self.by_key.is_empty() {
            return;
        }
        if let Some(ids) = self.by_key.get_mut(&(db, Key::from(key))) {
            for (id, expired) in ids.iter_mut() {
                if *expired && !exists {
                    *expired = false;
                } else {
                    self.dirty.insert(*id);
                }
            }
        }
    }

    /// Breaks the watches on keys of `db` for which `pred(key)` holds
    /// (FLUSHDB/FLUSHALL: keys that existed; SWAPDB: keys existing in
    /// either database).
    pub fn touch_db(&mut self, db: usize, mut pred: impl FnMut(&[u8]) -> bool) {
        for ((d, key), ids) in &self.by_key {
            if *d == db && pred(key) {
                self.dirty.extend(ids.iter().map(|(id, _)| *id));
            }
        }
    }

    /// True if the client's watches were broken.
    pub fn is_dirty(&self, id: u64) -> bool {
        self.dirty.contains(&id)
    }

    fn add(&mut self, id: u64, db: usize, key: &[u8], expired: bool) {
        let ids = self.by_key.entry((db, Key::from(key))).or_default();
        if !ids.iter().any(|(x, _)| *x == id) {
            ids.push((id, expired));
        }
    }

    /// Drops every watch of a client (UNWATCH, EXEC, DISCARD, disconnect).
    pub fn unwatch_all(&mut self, id: u64, watched: &mut Vec<Watched>) {
        for w in watched.drain(..) {
            let k = (w.db, w.key);
            if let Some(ids) = self.by_key.get_mut(&k) {
                ids.retain(|(x, _)| *x != id);
                if ids.is_empty() {
                    self.by_key.remove(&k);
                }
            }
        }
        self.dirty.remove(&id);
    }
}

/// `MULTI`
pub fn multi(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    if ctx.sess.multi.is_some() {
        return Err(CmdError::err("MULTI calls can not be nested"));
    }
    ctx.sess.multi = Some(MultiState::default());
    ctx.out.ok();
    Ok(())
}

/// `DISCARD`
pub fn discard(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    if ctx.sess.multi.is_none() {
        return Err(CmdError::err("DISCARD without MULTI"));
    }
    discard_transaction(ctx);
    ctx.out.ok();
    Ok(())
}

/// Forgets the queued commands and every watch.
pub fn discard_transaction(ctx: &mut Ctx) {
    ctx.sess.multi = None;
    unwatch_all(ctx);
}

fn unwatch_all(ctx: &mut Ctx) {
    if !ctx.sess.watched.is_empty() || ctx.st.watches.is_dirty(ctx.sess.id) {
        let id = ctx.sess.id;
        ctx.st.watches.unwatch_all(id, &mut ctx.sess.watched);
    }
}

/// True if a watched key that was alive when watched has passed its TTL.
fn watched_key_expired(ctx: &mut Ctx) -> bool {
    let now = ctx.now_ms;
    let dbs = &ctx.st.ks.dbs;
    ctx.sess.watched.iter().any(|w| !w.expired && dbs[w.db].expire_of(&w.key).is_some_and(|t| t <= now))
}

/// `EXEC`
pub fn exec(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let Some(state) = ctx.sess.multi.take() else {
        return Err(CmdError::err("EXEC without MULTI"));
    };
    if state.error {
        unwatch_all(ctx);
        return Err(CmdError::coded("EXECABORT Transaction discarded because of previous errors."));
    }
    if ctx.st.watches.is_dirty(ctx.sess.id) || watched_key_expired(ctx) {
        unwatch_all(ctx);
        ctx.out.null_array();
        return Ok(());
    }
    // Watches are released before running, as Redis does, so the
    // transaction's own writes don't mark this client.
    unwatch_all(ctx);
    let exec_cmd = ctx.cmd;
    ctx.out.array(state.queue.len());
    ctx.sess.in_exec = true;
    for (cmd, argv) in &state.queue {
        call(ctx, cmd, argv);
    }
    ctx.sess.in_exec = false;
    ctx.cmd = exec_cmd;
    Ok(())
}

/// `WATCH key [key ...]`
pub fn watch(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if ctx.sess.multi.is_some() {
        return Err(CmdError::err("WATCH inside MULTI is not allowed"));
    }
    let db = ctx.sess.db;
    let id = ctx.sess.id;
    for key in &argv[1..] {
        if ctx.sess.watched.iter().any(|w| w.db == db && w.key[..] == key[..]) {
            continue;
        }
        let expired = ctx.st.ks.dbs[db].expire_of(key).is_some_and(|t| t <= ctx.now_ms);
        ctx.st.watches.add(id, db, key, expired);
        ctx.sess.watched.push(Watched { db, key: Key::from(&key[..]), expired });
    }
    ctx.out.ok();
    Ok(())
}

/// `UNWATCH`
pub fn unwatch(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    unwatch_all(ctx);
    ctx.out.ok();
    Ok(())
}

/// The transaction commands' table rows.
pub static ROWS: &[Row] = &[
    row!("multi", 1, "noscript loading stale fast allow_busy", "@transaction", (0, 0, 0), multi),
    row!("exec", 1, "noscript loading stale skip_slowlog", "@transaction", (0, 0, 0), exec),
    row!("discard", 1, "noscript loading stale fast allow_busy", "@transaction", (0, 0, 0), discard),
    row!("watch", -2, "noscript loading stale fast allow_busy", "@transaction", (1, -1, 1), watch),
    row!("unwatch", 1, "noscript loading stale fast allow_busy", "@transaction", (0, 0, 0), unwatch),
];
