//! Persistence: RDB snapshots, the append-only file, loading at startup.
//!
//! The file formats live in `hematite-persist`; this module decides *when*
//! and *how* they are written and read, the way Redis's `rdb.c`, `aof.c`
//! and `server.c` do:
//!
//! - [`propagate`]: which commands reach the AOF, in which form.
//! - [`aof_io`]: the AOF buffer, writes, fsync policies and group commit.
//! - [`aof`]: the multi-part AOF directory: opening, rewriting
//!   (BGREWRITEAOF and the automatic rewrite), turning AOF on and off.
//! - [`snapshot`]: writing an RDB or a command base from the keyspace.
//! - [`child`]: background saves in a forked child.
//! - [`load`]: loading the RDB or the AOF at startup (`-LOADING` meanwhile).
//!
//! [`Persistence`] is the part of the state (under the big lock) that
//! tracks saves: the last save, the running child, the counters INFO
//! persistence shows. [`cron`] runs from the server cron: it reaps the
//! child, applies `save` points and the automatic AOF rewrite, and retries
//! a failed BGSAVE every 5 seconds, which is how the server recovers by
//! itself once the disk has room again.

pub mod aof;
pub mod aof_io;
pub mod child;
pub mod load;
pub mod propagate;
pub mod snapshot;

use crate::error::CmdError;
use crate::state::{Shared, State};
use std::os::fd::RawFd;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// Redis's `CONFIG_BGSAVE_RETRY_DELAY`: seconds between BGSAVE attempts
/// after one failed.
const BGSAVE_RETRY_DELAY: i64 = 5;

/// What a child process is doing.
#[derive(Debug)]
pub enum ChildKind {
    /// BGSAVE to `dbfilename`.
    Rdb,
    /// An AOF rewrite writing the new base into `tmp`.
    AofRewrite {
        /// The temporary file the child writes.
        tmp: PathBuf,
        /// The base file name it becomes.
        base_name: String,
    },
}

/// A running child.
#[derive(Debug)]
pub struct Child {
    /// Its pid.
    pub pid: i32,
    /// Its job.
    pub kind: ChildKind,
    /// When it started.
    pub started: Instant,
    /// The read end of its report pipe.
    pub pipe: RawFd,
    /// `dirty` when it forked (subtracted when it succeeds).
    pub dirty_at_fork: u64,
}

/// Save state and counters (INFO persistence).
#[derive(Debug)]
pub struct Persistence {
    /// Unix seconds of the last successful save (LASTSAVE).
    pub last_save: i64,
    /// Unix seconds of the last BGSAVE attempt.
    pub last_bgsave_try: i64,
    /// Whether the last BGSAVE (or SAVE) succeeded.
    pub last_bgsave_ok: bool,
    /// Seconds the last BGSAVE took (-1: none yet).
    pub last_bgsave_secs: i64,
    /// Successful saves since start.
    pub rdb_saves: u64,
    /// Copy-on-write bytes of the last BGSAVE child.
    pub rdb_last_cow: u64,
    /// A BGSAVE SCHEDULE waits for the running child.
    pub bgsave_scheduled: bool,
    /// The running child, if any.
    pub child: Option<Child>,
    /// Keys loaded at startup.
    pub loaded_keys: u64,
    /// Keys skipped at startup because they had expired.
    pub loaded_expired: u64,
    /// The AOF.
    pub aof: aof::AofState,
}

impl Persistence {
    /// The state at startup.
    pub fn new(now_secs: i64) -> Self {
        Persistence {
            last_save: now_secs,
            last_bgsave_try: 0,
            last_bgsave_ok: true,
            last_bgsave_secs: -1,
            rdb_saves: 0,
            rdb_last_cow: 0,
            bgsave_scheduled: false,
            child: None,
            loaded_keys: 0,
            loaded_expired: 0,
            aof: aof::AofState::default(),
        }
    }

    /// Whether a BGSAVE child runs.
    pub fn rdb_child(&self) -> bool {
        matches!(self.child, Some(Child { kind: ChildKind::Rdb, .. }))
    }

    /// Whether an AOF rewrite child runs.
    pub fn aof_child(&self) -> bool {
        matches!(self.child, Some(Child { kind: ChildKind::AofRewrite { .. }, .. }))
    }
}

/// The snapshot settings from the configuration (and the function
/// libraries, read before forking).
pub fn snapshot_options(st: &State, shared: &Shared, aof_base: bool) -> snapshot::SnapshotOptions {
    let functions = shared.script.stats.library_codes.lock().clone();
    snapshot::SnapshotOptions {
        compression: st.config.rdbcompression,
        checksum: st.config.rdbchecksum,
        key_delay_us: st.config.rdb_key_save_delay as i64,
        functions,
        aof_base,
        save_idle: st.config.maxmemory_policy.is_lru(),
        save_freq: st.config.maxmemory_policy.is_lfu().then_some(st.config.lfu_decay_time),
        used_mem: crate::commands::info::memory_figures().allocated,
    }
}

/// SAVE: writes `dbfilename` in the foreground, the lock held.
pub fn save(st: &mut State, shared: &Shared) -> Result<(), String> {
    let path = PathBuf::from(&st.config.dbfilename);
    let tmp = PathBuf::from(format!("temp-{}.rdb", std::process::id()));
    let opts = snapshot_options(st, shared, false);
    let started = Instant::now();
    let result = snapshot::save_rdb_file(&path, &tmp, &st.ks, &opts);
    match &result {
        Ok(()) => {
            tracing::warn!("DB saved on disk");
            st.stats.dirty = 0;
            st.persist.last_save = crate::clock::now_ms() / 1000;
            st.persist.last_bgsave_ok = true;
            st.persist.rdb_saves += 1;
            let _ = started;
        }
        Err(e) => {
            tracing::warn!("Failed opening the temp RDB file {} (in server root dir {}) for saving: {e}", tmp.display(), cwd());
            st.persist.last_bgsave_ok = false;
        }
    }
    result
}

fn cwd() -> String {
    std::env::current_dir().map(|p| p.display().to_string()).unwrap_or_else(|_| "unknown".into())
}

/// BGSAVE: forks a child that writes `dbfilename`.
pub fn bgsave(st: &mut State, shared: &Shared) -> Result<(), String> {
    if st.persist.child.is_some() {
        return Err("a child process is already running".into());
    }
    let path = PathBuf::from(&st.config.dbfilename);
    let opts = snapshot_options(st, shared, false);
    st.persist.last_bgsave_try = crate::clock::now_ms() / 1000;
    let ks: *const hematite_store::Keyspace = &st.ks;
    let result = child::fork_job(move || {
        let tmp = PathBuf::from(format!("temp-{}.rdb", std::process::id()));
        // SAFETY: the child owns a frozen copy of the parent's memory; the
        // keyspace was consistent (the lock was held) when it forked and
        // nothing else runs in the child.
        snapshot::save_rdb_file(&path, &tmp, unsafe { &*ks }, &opts)
    });
    match result {
        Ok((pid, pipe)) => {
            tracing::warn!("Background saving started by pid {pid}");
            start_child(st, shared, Child { pid, kind: ChildKind::Rdb, started: Instant::now(), pipe, dirty_at_fork: st.stats.dirty });
            Ok(())
        }
        Err(e) => {
            st.persist.last_bgsave_ok = false;
            tracing::warn!("Can't save in background: fork: {e}");
            Err(e)
        }
    }
}

/// Records a started child: hash tables stop resizing (so rehashing does
/// not defeat copy-on-write) and the AOF may skip fsyncs.
pub fn start_child(st: &mut State, shared: &Shared, c: Child) {
    hematite_store::dict::set_global_resize_allowed(false);
    shared.aof.child_active.store(true, Ordering::Relaxed);
    st.persist.child = Some(c);
}

fn end_child(st: &mut State, shared: &Shared) -> Option<Child> {
    hematite_store::dict::set_global_resize_allowed(true);
    shared.aof.child_active.store(false, Ordering::Relaxed);
    st.persist.child.take()
}

/// Kills the running child (SHUTDOWN, turning AOF off) and removes its
/// temporary file.
pub fn kill_child(st: &mut State, shared: &Shared) {
    if let Some(c) = end_child(st, shared) {
        child::kill(c.pid, c.pipe);
        match c.kind {
            ChildKind::Rdb => {
                let _ = std::fs::remove_file(format!("temp-{}.rdb", c.pid));
            }
            ChildKind::AofRewrite { tmp, .. } => {
                let _ = std::fs::remove_file(tmp);
            }
        }
    }
}

/// The server cron's persistence duties.
pub fn cron(st: &mut State, shared: &Shared) {
    let now = crate::clock::now_ms() / 1000;
    if let Some(c) = &st.persist.child {
        if let Some(outcome) = child::try_reap(c.pid, c.pipe) {
            let c = end_child(st, shared).expect("child");
            child_done(st, shared, c, outcome);
        }
        return;
    }
    if shared.loading.load(Ordering::Relaxed) {
        return;
    }
    if st.persist.bgsave_scheduled {
        st.persist.bgsave_scheduled = false;
        let _ = bgsave(st, shared);
        return;
    }
    if st.persist.aof.rewrite_scheduled {
        let _ = aof::rewrite_start(st, shared);
        return;
    }
    // Save points: `changes` writes in `seconds` seconds; after a failure,
    // retry only every BGSAVE_RETRY_DELAY seconds.
    let p = &st.persist;
    let due = st.config.save_params.iter().any(|sp| {
        st.stats.dirty >= sp.changes
            && now - p.last_save > sp.seconds as i64
            && (now - p.last_bgsave_try > BGSAVE_RETRY_DELAY || p.last_bgsave_ok)
    });
    if due {
        let sp = st.config.save_params.iter().find(|sp| st.stats.dirty >= sp.changes && now - p.last_save > sp.seconds as i64);
        if let Some(sp) = sp {
            tracing::warn!("{} changes in {} seconds. Saving...", sp.changes, sp.seconds);
        }
        let _ = bgsave(st, shared);
        return;
    }
    aof::cron(st, shared);
}

fn child_done(st: &mut State, shared: &Shared, c: Child, outcome: child::Outcome) {
    let secs = c.started.elapsed().as_secs() as i64;
    match c.kind {
        ChildKind::Rdb => match outcome {
            child::Outcome::Ok { cow } => {
                tracing::warn!("Background saving terminated with success");
                st.stats.dirty = st.stats.dirty.saturating_sub(c.dirty_at_fork);
                st.persist.last_save = crate::clock::now_ms() / 1000;
                st.persist.last_bgsave_ok = true;
                st.persist.last_bgsave_secs = secs;
                st.persist.rdb_saves += 1;
                st.persist.rdb_last_cow = cow;
                if cow > 0 {
                    tracing::info!("Fork CoW for RDB: current {} MB", cow / (1024 * 1024));
                }
            }
            child::Outcome::Failed(why) => {
                tracing::warn!("Background saving error: {why}");
                st.persist.last_bgsave_ok = false;
                st.persist.last_bgsave_secs = secs;
                let _ = std::fs::remove_file(format!("temp-{}.rdb", c.pid));
            }
        },
        ChildKind::AofRewrite { tmp, base_name } => aof::rewrite_done(st, shared, tmp, base_name, secs, outcome),
    }
}

/// What SHUTDOWN and SIGTERM do before exiting: kill a child, flush the
/// AOF, save the RDB when asked or when save points exist. An error means
/// the shutdown must not happen (unless forced).
pub fn prepare_shutdown(st: &mut State, shared: &Shared, force_save: Option<bool>) -> Result<(), String> {
    if st.persist.child.is_some() {
        tracing::warn!("There is a child saving an .rdb. Killing it!");
        kill_child(st, shared);
    }
    if st.persist.aof.enabled() {
        tracing::warn!("Calling fsync() on the AOF file.");
        if let Err(e) = shared.aof.flush_and_sync() {
            tracing::warn!("Error writing the AOF file on shutdown: {e}");
        }
    }
    let do_save = force_save.unwrap_or(!st.config.save_params.is_empty());
    if do_save {
        tracing::warn!("Saving the final RDB snapshot before exiting.");
        if let Err(e) = save(st, shared) {
            tracing::warn!("Error trying to save the DB, can't exit.");
            return Err(e);
        }
    }
    Ok(())
}

/// The MISCONF error for a write (or PING) while persistence is failing,
/// Redis's `writeCommandsDeniedByDiskError`.
pub fn deny_writes(st: &State, shared: &Shared) -> Option<CmdError> {
    if st.config.stop_writes_on_bgsave_error && !st.config.save_params.is_empty() && !st.persist.last_bgsave_ok {
        return Some(CmdError::coded("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."));
    }
    if st.persist.aof.enabled() {
        if let Some(why) = shared.aof.error() {
            return Some(CmdError::coded(format!("MISCONF Errors writing to the AOF file: {why}")));
        }
    }
    None
}
