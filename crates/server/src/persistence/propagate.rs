//! Propagation: turning executed writes into the command stream the AOF
//! records.
//!
//! Redis 7 records *effects*, not requests, and so does hematite:
//!
//! - After every command that changed the dataset (the `dirty` counter
//!   went up), [`after_call`] queues its argv for the current *execution
//!   unit* (a top-level command, an EXEC, a script), or what the handler
//!   asked to propagate instead ([`crate::commands::Ctx::propagate_as`]).
//!   Handlers rewrite where replaying the request would not give the same
//!   data: relative TTLs become absolute (`SET .. PXAT`, `PEXPIREAT`),
//!   random choices become explicit (`SPOP` becomes `SREM`), floats are
//!   written as their result (`INCRBYFLOAT` becomes `SET .. KEEPTTL`).
//! - EXEC and the script commands never propagate themselves
//!   ([`crate::command::Command::effects_only`]); the commands they ran do.
//! - Keys the store expired (lazily, inside any command, or in the cron's
//!   active cycle) are queued as `DEL` where the expiry happened, so a
//!   replay deletes them at the same point of the history.
//! - When the unit ends, [`flush`] writes it out: one command as is, more
//!   than one wrapped in `MULTI` ... `EXEC` so a replay applies the unit
//!   atomically, with a `SELECT` whenever the database differs from the
//!   previous command's, and an `#TS:` annotation when
//!   `aof-timestamp-enabled` is on and the second changed.
//!
//! Nothing is queued while the AOF is off or while the dataset is being
//! loaded, so the feature costs one branch per command when unused.

use crate::commands::Ctx;
use crate::state::State;
use bytes::Bytes;

/// The commands of the current execution unit and how they are written.
#[derive(Debug)]
pub struct Propagation {
    /// Queue commands at all (the AOF is on and nothing is loading).
    pub enabled: bool,
    /// The current unit: (database, argv).
    pending: Vec<(usize, Vec<Bytes>)>,
    /// What the running handler asked to propagate instead of its argv.
    replacement: Option<Vec<Vec<Bytes>>>,
    /// The running handler asked to be propagated even if the dirty
    /// counter did not grow (FLUSHALL, which also resets it by saving).
    force: bool,
    /// How much of the store's expired-key log was already queued.
    expired_upto: usize,
    /// The database the last written command ran in (-1: none yet, the
    /// next command is preceded by SELECT).
    pub selected_db: i64,
    /// The second of the last `#TS:` annotation.
    last_timestamp: i64,
}

impl Default for Propagation {
    fn default() -> Self {
        Propagation {
            enabled: false,
            pending: Vec::new(),
            replacement: None,
            force: false,
            expired_upto: 0,
            selected_db: -1,
            last_timestamp: 0,
        }
    }
}

impl Propagation {
    /// Queues a command for the current unit.
    pub fn push(&mut self, db: usize, argv: Vec<Bytes>) {
        if self.enabled {
            self.pending.push((db, argv));
        }
    }

    /// Forgets the replacement a handler left (a nested call starts clean).
    pub fn take_replacement(&mut self) -> Option<Vec<Vec<Bytes>>> {
        self.replacement.take()
    }

    /// Restores a replacement saved around a nested call.
    pub fn restore_replacement(&mut self, r: Option<Vec<Vec<Bytes>>>) {
        self.replacement = r;
    }

    /// The store's expired-key log was consumed from the start.
    pub fn expired_log_taken(&mut self) {
        self.expired_upto = 0;
    }
}

impl Ctx<'_> {
    /// Propagates `cmds` (in the current database) instead of this
    /// command's argv, if the command changed the dataset. An empty list
    /// propagates nothing.
    pub fn propagate_as(&mut self, cmds: Vec<Vec<Bytes>>) {
        if self.st.prop.enabled {
            self.st.prop.replacement = Some(cmds);
        }
    }

    /// Propagates this command even if `dirty` did not grow (Redis's
    /// `forceCommandPropagation`).
    pub fn force_propagation(&mut self) {
        self.st.prop.force = self.st.prop.enabled;
    }

    /// Whether propagation is on (handlers skip building rewrites when it
    /// is not).
    pub fn propagating(&self) -> bool {
        self.st.prop.enabled
    }
}

/// Builds an argv from byte strings.
pub fn argv(parts: &[&[u8]]) -> Vec<Bytes> {
    parts.iter().map(|p| Bytes::copy_from_slice(p)).collect()
}

/// Queues `DEL` for keys the store expired since the last look.
pub fn queue_expired(st: &mut State) {
    let log = &st.ks.counters.expired_log;
    if !st.prop.enabled || st.prop.expired_upto >= log.len() {
        return;
    }
    for (db, key) in &log[st.prop.expired_upto..] {
        st.prop.pending.push((*db, vec![Bytes::from_static(b"DEL"), Bytes::copy_from_slice(key)]));
    }
    st.prop.expired_upto = log.len();
}

/// Called by [`crate::dispatch::call`] after a handler ran: queues the
/// expired keys met and the command's effects.
pub fn after_call(ctx: &mut Ctx, cmd: &crate::command::Command, argv: &[Bytes], dirty_before: u64, saved: Option<Vec<Vec<Bytes>>>) {
    let st = &mut *ctx.st;
    let replacement = st.prop.replacement.take();
    st.prop.replacement = saved;
    let forced = std::mem::take(&mut st.prop.force);
    if !st.prop.enabled {
        return;
    }
    queue_expired(st);
    if (st.stats.dirty > dirty_before || forced) && !cmd.effects_only {
        let db = ctx.sess.db;
        match replacement {
            Some(cmds) => {
                for c in cmds {
                    st.prop.pending.push((db, c));
                }
            }
            None => st.prop.pending.push((db, argv.to_vec())),
        }
    }
}

/// Ends the execution unit: writes its commands to the AOF. Returns the
/// AOF offset the unit ends at (0 if nothing was written), which the
/// client's reply must wait for under `appendfsync always`.
pub fn flush(st: &mut State, aof: &super::aof_io::AofIo, now_ms: i64) -> u64 {
    queue_expired(st);
    let p = &mut st.prop;
    if p.pending.is_empty() {
        return 0;
    }
    let mut buf = Vec::with_capacity(64);
    if st.config.aof_timestamp_enabled {
        let secs = now_ms / 1000;
        if secs != p.last_timestamp {
            p.last_timestamp = secs;
            buf.extend_from_slice(format!("#TS:{secs}\r\n").as_bytes());
        }
    }
    let wrap = p.pending.len() > 1;
    if wrap {
        encode(&mut buf, &[b"MULTI"]);
    }
    for (db, argv) in p.pending.drain(..) {
        if db as i64 != p.selected_db {
            let n = db.to_string();
            encode(&mut buf, &[b"SELECT", n.as_bytes()]);
            p.selected_db = db as i64;
        }
        encode_bytes(&mut buf, &argv);
    }
    if wrap {
        encode(&mut buf, &[b"EXEC"]);
    }
    aof.append(&buf)
}

/// Appends one command in RESP multibulk form (`*N\r\n$len\r\narg\r\n...`).
pub fn encode(out: &mut Vec<u8>, argv: &[&[u8]]) {
    header(out, b'*', argv.len());
    for a in argv {
        header(out, b'$', a.len());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// [`encode`] for an argv of `Bytes`.
pub fn encode_bytes(out: &mut Vec<u8>, argv: &[Bytes]) {
    header(out, b'*', argv.len());
    for a in argv {
        header(out, b'$', a.len());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

fn header(out: &mut Vec<u8>, tag: u8, n: usize) {
    out.push(tag);
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    out.extend_from_slice(b"\r\n");
}
