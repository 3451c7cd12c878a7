//! The multi-part AOF as the server runs it (Redis 7's `aof.c`).
//!
//! The directory `<dir>/<appenddirname>` holds a *base* file (a snapshot:
//! an RDB when `aof-use-rdb-preamble yes`, else commands), *incremental*
//! files with the commands applied since, and a manifest listing them in
//! order (file handling: `hematite_persist::aof`).
//!
//! States, as Redis's `aof_state`:
//!
//! | state         | meaning                                                  |
//! |---------------|----------------------------------------------------------|
//! | `Off`         | nothing is recorded                                      |
//! | `WaitRewrite` | turned on at runtime: the first base is being written;   |
//! |               | commands since the fork go to a temporary incr file that |
//! |               | the manifest lists once the base is installed            |
//! | `On`          | every write is appended to the last incr file            |
//!
//! A rewrite (BGREWRITEAOF, or automatic when the files grew by
//! `auto-aof-rewrite-percentage` over their size after the last rewrite
//! and are above `auto-aof-rewrite-min-size`) needs no rewrite buffer:
//! at the fork the parent opens a new incr file and appends there, the
//! child writes a new base from its frozen image, and when it is done the
//! parent installs base + new incr in a new manifest and deletes the
//! older files. A crash at any step leaves a manifest whose files all
//! exist and together hold every acknowledged write.

use super::load::{begin, end, load_rdb_stream, KeyspaceSink, Replayer};
use super::{child, snapshot, start_child, Child, ChildKind};
use crate::state::{Shared, State};
use hematite_persist::aof::{self as files, AofDir, LoadOptions, Manifest};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Instant;

/// `aof_state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Off.
    #[default]
    Off,
    /// Turned on, waiting for the first rewrite to finish.
    WaitRewrite,
    /// On.
    On,
}

/// AOF state under the big lock.
#[derive(Debug)]
pub struct AofState {
    /// See [`Mode`].
    pub mode: Mode,
    /// The manifest as on disk.
    pub manifest: Manifest,
    /// A rewrite waits for the running child.
    pub rewrite_scheduled: bool,
    /// Seconds the last rewrite took (-1: none).
    pub last_rewrite_secs: i64,
    /// Rewrites done.
    pub rewrites: u64,
    /// Whether the last rewrite succeeded.
    pub last_bgrewrite_ok: bool,
    /// Failed rewrites in a row.
    pub consecutive_failures: u64,
    /// Size of the AOF files after the last rewrite (or at startup).
    pub base_size: u64,
    /// `written` offset when `base_size` was measured.
    pub written_mark: u64,
    /// Copy-on-write bytes of the last rewrite child.
    pub last_cow: u64,
    /// Commands go to the temporary incr file (WaitRewrite).
    pub temp_incr: bool,
}

impl Default for AofState {
    fn default() -> Self {
        AofState {
            mode: Mode::Off,
            manifest: Manifest::default(),
            rewrite_scheduled: false,
            last_rewrite_secs: -1,
            rewrites: 0,
            last_bgrewrite_ok: true,
            consecutive_failures: 0,
            base_size: 0,
            written_mark: 0,
            last_cow: 0,
            temp_incr: false,
        }
    }
}

impl AofState {
    /// `aof_state != AOF_OFF`.
    pub fn enabled(&self) -> bool {
        self.mode != Mode::Off
    }

    /// The files' current total size (`aof_current_size`).
    pub fn current_size(&self, shared: &Shared) -> u64 {
        self.base_size + shared.aof.written.load(Ordering::Relaxed).saturating_sub(self.written_mark)
    }
}

/// The AOF directory from the configuration (relative to `dir`, the
/// working directory).
pub fn aof_dir(st: &State) -> AofDir {
    AofDir::new(PathBuf::from(&st.config.appenddirname), st.config.appendfilename.clone())
}

/// Applies `appendfsync` and `no-appendfsync-on-rewrite` to the writer.
pub fn apply_config(st: &State, shared: &Shared) {
    use hematite_config::AppendFsync;
    let p = match st.config.appendfsync {
        AppendFsync::Always => super::aof_io::FSYNC_ALWAYS,
        AppendFsync::Everysec => super::aof_io::FSYNC_EVERYSEC,
        AppendFsync::No => super::aof_io::FSYNC_NO,
    };
    shared.aof.policy.store(p, Ordering::Relaxed);
    shared.aof.no_fsync_on_rewrite.store(st.config.no_appendfsync_on_rewrite, Ordering::Relaxed);
}

fn total_size(dir: &AofDir, m: &Manifest) -> u64 {
    m.load_order().map(|f| dir.file_size(&f.name).unwrap_or(0)).sum()
}

/// Startup with `appendonly yes`: loads the files the manifest lists
/// (upgrading a pre-7.0 single file first), then opens the last incr file
/// for appending, creating the directory, an empty base and the first incr
/// file when there is no AOF yet (as Redis 7.0 does; the RDB file is not
/// read in that case either). Returns whether anything was loaded.
pub fn load_and_open(shared: &Shared) -> Result<bool, String> {
    let (dir, truncated_ok, preamble) = {
        let st = shared.state.lock();
        (aof_dir(&st), st.config.aof_load_truncated, st.config.aof_use_rdb_preamble)
    };
    let mut m = dir.load_manifest().map_err(|e| e.to_string())?;
    if dir.upgrade_if_needed(&mut m).map_err(|e| e.to_string())? {
        tracing::warn!(
            "Successfully migrated an old-style AOF file ({}) into the AOF directory ({}).",
            dir.filename,
            dir.dir.display()
        );
    }
    let loaded = !m.is_empty();
    if loaded {
        let total = total_size(&dir, &m);
        begin(shared, total);
        let result = replay(shared, &dir, &m, truncated_ok);
        end(shared);
        result?;
    }
    let mut st = shared.state.lock();
    let ks: *const hematite_store::Keyspace = &st.ks;
    let opts = super::snapshot_options(&st, shared, true);
    let report = dir
        .start(&mut m, preamble, &mut |tmp: &Path| {
            // SAFETY: the lock is held; the keyspace is only read.
            write_base_file(tmp, unsafe { &*ks }, &opts, preamble)
        })
        .map_err(|e| e.to_string())?;
    if let Some(base) = &report.base_created {
        tracing::info!("Creating AOF base file {base} on server start");
    }
    if report.incr_created {
        tracing::info!("Creating AOF incr file {} on server start", report.incr_name);
    }
    let size = report.incr_size;
    shared.aof.switch_to(Some(super::aof_io::Output { file: report.file, name: report.incr_name, size })).map_err(|e| e.to_string())?;
    st.persist.aof.base_size = total_size(&dir, &m);
    st.persist.aof.written_mark = shared.aof.written.load(Ordering::Relaxed);
    st.persist.aof.manifest = m;
    st.persist.aof.mode = Mode::On;
    st.prop.enabled = true;
    st.prop.selected_db = -1;
    apply_config(&st, shared);
    Ok(loaded)
}

/// Replays the files into the keyspace.
fn replay(shared: &Shared, dir: &AofDir, m: &Manifest, truncated_ok: bool) -> Result<(), String> {
    let guard = RefCell::new(None::<parking_lot::MutexGuard<'_, State>>);
    let mut replayer = Replayer::default();
    let mut sink_loaded = 0u64;
    let mut slice = 0u32;
    let started = Instant::now();
    let mut last_log = Instant::now();
    let report = files::load(
        dir,
        m,
        LoadOptions { aof_load_truncated: truncated_ok },
        &mut |r: &mut dyn std::io::BufRead| {
            guard.borrow_mut().take();
            let mut sink = KeyspaceSink::new(shared, 0);
            let res = load_rdb_stream(r, &mut sink);
            sink_loaded += sink.loaded;
            res
        },
        &mut |argv: &[Vec<u8>]| {
            let mut g = guard.borrow_mut();
            let st = g.get_or_insert_with(|| shared.state.lock());
            let r = replayer.command(st, shared, argv);
            slice += 1;
            if slice >= 1000 {
                slice = 0;
                *g = None;
            }
            r
        },
        &mut |p: &files::LoadProgress| {
            shared.loading_info.loaded_bytes.store(p.loaded_bytes, Ordering::Relaxed);
            if p.file_bytes == 0 {
                tracing::info!("Loading AOF file {} ({} of {}, {} bytes)", p.file, p.file_index + 1, p.file_count, p.file_size);
            } else if last_log.elapsed().as_secs() >= 2 {
                last_log = Instant::now();
                tracing::info!(
                    "Loading AOF: {:.1}% ({} of {} bytes, {} commands)",
                    100.0 * p.loaded_bytes as f64 / p.total_bytes.max(1) as f64,
                    p.loaded_bytes,
                    p.total_bytes,
                    p.commands
                );
            }
        },
    );
    guard.borrow_mut().take();
    let report = report.map_err(|e| e.to_string())?;
    if let Some(t) = &report.truncation {
        for line in t.log_lines() {
            tracing::warn!("{line}");
        }
    } else if replayer.in_multi() {
        tracing::warn!("Revert incomplete MULTI/EXEC transaction in AOF file");
    }
    tracing::info!(
        "Done loading AOF: {} keys from the RDB part, {} commands in {:.3} seconds",
        sink_loaded,
        replayer.commands,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes a base file (RDB preamble or commands) and fsyncs it.
fn write_base_file(path: &Path, ks: &hematite_store::Keyspace, opts: &snapshot::SnapshotOptions, preamble: bool) -> std::io::Result<()> {
    let f = snapshot::AutoSync::new(std::fs::File::create(path)?);
    let w = std::io::BufWriter::with_capacity(1 << 16, f);
    let w = if preamble { snapshot::write_rdb(w, ks, opts)? } else { snapshot::write_aof_commands(w, ks, opts)? };
    let f = w.into_inner().map_err(|e| e.into_error())?.file;
    f.sync_all()
}

/// Starts a rewrite (BGREWRITEAOF, automatic, or AOF turned on): opens
/// the next incr file and forks a child that writes the new base.
pub fn rewrite_start(st: &mut State, shared: &Shared) -> Result<(), String> {
    if st.persist.child.is_some() {
        return Err("a child process is already running".into());
    }
    st.persist.aof.rewrite_scheduled = false;
    let dir = aof_dir(st);
    dir.create_if_missing().map_err(|e| e.to_string())?;
    let mode = st.persist.aof.mode;
    if mode == Mode::On {
        let (file, name) = dir.open_new_incr(&mut st.persist.aof.manifest).map_err(|e| {
            tracing::warn!("Can't open new incr AOF for rewrite: {e}");
            e.to_string()
        })?;
        shared.aof.switch_to(Some(super::aof_io::Output { file, name, size: 0 })).map_err(|e| e.to_string())?;
    } else {
        let (file, name) = dir.open_temp_incr().map_err(|e| e.to_string())?;
        shared.aof.switch_to(Some(super::aof_io::Output { file, name, size: 0 })).map_err(|e| e.to_string())?;
        st.persist.aof.temp_incr = true;
    }
    st.prop.selected_db = -1;
    let preamble = st.config.aof_use_rdb_preamble;
    let opts = super::snapshot_options(st, shared, true);
    let ks: *const hematite_store::Keyspace = &st.ks;
    let result = child::fork_job(move || {
        let tmp = PathBuf::from(format!("temp-rewriteaof-bg-{}.aof", std::process::id()));
        // SAFETY: as in BGSAVE: a frozen copy, only read.
        write_base_file(&tmp, unsafe { &*ks }, &opts, preamble).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            e.to_string()
        })
    });
    match result {
        Ok((pid, pipe)) => {
            tracing::warn!("Background append only file rewriting started by pid {pid}");
            let tmp = PathBuf::from(format!("temp-rewriteaof-bg-{pid}.aof"));
            let c = Child {
                pid,
                kind: ChildKind::AofRewrite { tmp, base_name: String::new() },
                started: Instant::now(),
                pipe,
                dirty_at_fork: st.stats.dirty,
            };
            start_child(st, shared, c);
            // From the fork on, every write goes to the new incr file.
            st.prop.enabled = true;
            Ok(())
        }
        Err(e) => {
            tracing::warn!("Can't rewrite append only file in background: fork: {e}");
            st.persist.aof.last_bgrewrite_ok = false;
            Err(e)
        }
    }
}

/// A rewrite child ended: installs the new base, or cleans up.
pub fn rewrite_done(st: &mut State, shared: &Shared, tmp: PathBuf, _base: String, secs: i64, outcome: child::Outcome) {
    let dir = aof_dir(st);
    let a = &mut st.persist.aof;
    a.last_rewrite_secs = secs;
    match outcome {
        child::Outcome::Ok { cow } => {
            if a.mode == Mode::Off {
                let _ = std::fs::remove_file(&tmp);
                return;
            }
            let preamble = st.config.aof_use_rdb_preamble;
            let on = a.mode == Mode::On;
            let temp_incr = a.temp_incr;
            match dir.install_rewrite(&mut a.manifest, &tmp, preamble, on, temp_incr) {
                Ok(base) => {
                    if temp_incr {
                        if let Some(last) = a.manifest.incrs.last() {
                            shared.aof.rename_current(&last.name);
                        }
                        a.temp_incr = false;
                    }
                    a.mode = Mode::On;
                    a.rewrites += 1;
                    a.last_bgrewrite_ok = true;
                    a.consecutive_failures = 0;
                    a.last_cow = cow;
                    tracing::info!("Successfully renamed the temporary AOF base file {} into {base}", tmp.display());
                    match dir.delete_history(&mut a.manifest) {
                        Ok(removed) => {
                            for name in removed {
                                tracing::info!("Removing the history file {name} in the background");
                            }
                        }
                        Err(e) => tracing::warn!("{e}"),
                    }
                    a.base_size = total_size(&dir, &a.manifest);
                    a.written_mark = shared.aof.written.load(Ordering::Relaxed);
                    tracing::warn!("Background AOF rewrite finished successfully");
                }
                Err(e) => {
                    tracing::warn!("{e}");
                    let _ = std::fs::remove_file(&tmp);
                    a.last_bgrewrite_ok = false;
                    a.consecutive_failures += 1;
                }
            }
        }
        child::Outcome::Failed(why) => {
            tracing::warn!("Background AOF rewrite terminated with error: {why}");
            let _ = std::fs::remove_file(&tmp);
            a.last_bgrewrite_ok = false;
            a.consecutive_failures += 1;
            if a.mode == Mode::WaitRewrite {
                a.rewrite_scheduled = true;
            }
        }
    }
}

/// Turns the AOF on at runtime (CONFIG SET appendonly yes): the first
/// base is written by a rewrite.
pub fn enable(st: &mut State, shared: &Shared) -> Result<(), String> {
    if st.persist.aof.mode != Mode::Off {
        return Ok(());
    }
    apply_config(st, shared);
    shared.aof.start_thread();
    st.persist.aof.mode = Mode::WaitRewrite;
    st.persist.aof.manifest = aof_dir(st).load_manifest().unwrap_or_default();
    if st.persist.child.is_some() {
        if st.persist.aof_child() {
            super::kill_child(st, shared);
        } else {
            st.persist.aof.rewrite_scheduled = true;
            tracing::warn!("AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.");
            return Ok(());
        }
    }
    if let Err(e) = rewrite_start(st, shared) {
        st.persist.aof.mode = Mode::Off;
        st.prop.enabled = false;
        let _ = shared.aof.switch_to(None);
        tracing::warn!("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
        return Err(e);
    }
    tracing::warn!("AOF enabled");
    Ok(())
}

/// Turns the AOF off at runtime (CONFIG SET appendonly no).
pub fn disable(st: &mut State, shared: &Shared) {
    if st.persist.aof.mode == Mode::Off {
        return;
    }
    if let Err(e) = shared.aof.flush_and_sync() {
        tracing::warn!("Error writing the AOF file while turning it off: {e}");
    }
    if st.persist.aof_child() {
        tracing::warn!("Killing running AOF rewrite child");
        super::kill_child(st, shared);
    }
    let _ = shared.aof.switch_to(None);
    let a = &mut st.persist.aof;
    a.mode = Mode::Off;
    a.rewrite_scheduled = false;
    a.temp_incr = false;
    st.prop.enabled = false;
    tracing::warn!("AOF disabled");
}

/// The cron's AOF duty: the automatic rewrite.
pub fn cron(st: &mut State, shared: &Shared) {
    let a = &st.persist.aof;
    if a.mode != Mode::On || st.persist.child.is_some() {
        return;
    }
    let perc = st.config.auto_aof_rewrite_percentage as u64;
    let size = a.current_size(shared);
    if perc > 0 && size > st.config.auto_aof_rewrite_min_size {
        let base = a.base_size.max(1);
        let growth = (size.saturating_sub(base)) * 100 / base;
        if growth >= perc && a.consecutive_failures < 3 {
            tracing::warn!("Starting automatic rewriting of AOF on {growth}% growth");
            let _ = rewrite_start(st, shared);
        }
    }
}
