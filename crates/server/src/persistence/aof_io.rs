//! Writing the AOF: the buffer, the file, fsync policies and group commit.
//!
//! Commands reach the AOF in the order they were applied: [`AofIo::append`]
//! is called under the state lock at the end of each execution unit (see
//! `propagate::flush`) and only copies bytes into a buffer. Every byte
//! ever appended has an *offset* (a counter that never resets, across
//! files), and three watermarks tell how far the data got:
//!
//! | watermark  | meaning                                                  |
//! |------------|----------------------------------------------------------|
//! | `appended` | in the buffer                                            |
//! | `written`  | handed to the kernel with `write(2)`: survives a crash   |
//! |            | of the process (`kill -9`), not of the machine           |
//! | `synced`   | made durable with `fdatasync(2)`                         |
//!
//! A connection that executed writes may wait, before sending its
//! replies, until its last offset reaches the watermark its policy
//! promises:
//!
//! - `appendfsync always`: `synced`. The connection wakes the fsync
//!   thread and waits. The thread takes *everything* buffered so far (from
//!   all clients), writes it, calls `fdatasync` once and releases all the
//!   clients it covered: group commit. While it syncs, other clients keep
//!   executing and buffering, and the next round covers them all, so the
//!   number of fsyncs per second is bounded by the disk, not by the
//!   number of clients.
//! - `everysec` and `no`: nothing. The AOF thread, woken when bytes
//!   arrive in an empty buffer, gathers for a millisecond ([`WRITE_DELAY`])
//!   and writes everything with one `write(2)`, so the request path makes
//!   no system call for the AOF; it syncs once a second (`everysec`) or
//!   never (`no`). A `kill -9` loses at most the last millisecond of
//!   acknowledged writes, a machine crash about a second under
//!   `everysec`, which is the policy's promise.
//!
//! A failed write (disk full, I/O error) never leaves half a command in
//! the file: the file is truncated back to its last good length and the
//! bytes stay at the front of the buffer. While the error lasts, the
//! dispatcher refuses writes with Redis's `-MISCONF Errors writing to the
//! AOF file: ...` and the fsync thread retries every 100 ms; when space
//! returns the backlog is written and the error clears by itself. Under
//! `always` the replies of the clients whose writes are not on disk wait
//! for that (Redis exits instead); under `everysec` and `no` they are sent
//! at once, as Redis does (the bytes are retried from memory).

use parking_lot::Mutex;
use std::fs::File;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Condvar};
use std::time::{Duration, Instant};

/// How long the AOF thread gathers appended bytes before one `write(2)`
/// under `everysec` and `no`.
const WRITE_DELAY: Duration = Duration::from_millis(1);

/// How long a group commit waits for more clients to join when several
/// are committing at once.
const GATHER_DELAY: Duration = Duration::from_micros(100);
/// At most this many gather delays per fsync.
const GATHER_ROUNDS: u32 = 1;

/// `appendfsync`.
pub const FSYNC_NO: u8 = 0;
/// `appendfsync everysec`.
pub const FSYNC_EVERYSEC: u8 = 1;
/// `appendfsync always`.
pub const FSYNC_ALWAYS: u8 = 2;

/// The file being appended to.
pub struct Output {
    /// The open incremental file.
    pub file: File,
    /// Its name (inside the AOF directory), for logs.
    pub name: String,
    /// Its length as far as complete writes go.
    pub size: u64,
}

struct Pending {
    buf: Vec<u8>,
    appended: u64,
}

/// The AOF writer, shared by all connections (outside the state lock).
pub struct AofIo {
    pending: Mutex<Pending>,
    output: Mutex<Option<Output>>,
    /// Offset of the last byte appended.
    pub appended: AtomicU64,
    /// Offset of the last byte written to the file.
    pub written: AtomicU64,
    /// Offset of the last byte made durable.
    pub synced: AtomicU64,
    /// `appendfsync` ([`FSYNC_NO`], [`FSYNC_EVERYSEC`], [`FSYNC_ALWAYS`]).
    pub policy: AtomicU8,
    /// The errno of the failing write, 0 when writes succeed.
    pub write_errno: AtomicI32,
    /// The errno of a failing fsync, 0 when fine.
    pub fsync_errno: AtomicI32,
    /// A child process is rewriting or saving (for
    /// `no-appendfsync-on-rewrite`).
    pub child_active: AtomicBool,
    /// `no-appendfsync-on-rewrite`.
    pub no_fsync_on_rewrite: AtomicBool,
    /// Fsyncs done (INFO-style counter).
    pub fsyncs: AtomicU64,
    /// Connections waiting for `synced` to reach their offset, woken
    /// exactly when it does (not all at every fsync).
    waiters: Mutex<Vec<(u64, tokio::sync::oneshot::Sender<()>)>>,
    /// The AOF thread has been asked to run (saves redundant wakeups).
    kicked: AtomicBool,
    kick: std::sync::Mutex<()>,
    kick_cv: Condvar,
    thread_started: AtomicBool,
}

impl Default for AofIo {
    fn default() -> Self {
        AofIo {
            pending: Mutex::new(Pending { buf: Vec::new(), appended: 0 }),
            output: Mutex::new(None),
            appended: AtomicU64::new(0),
            written: AtomicU64::new(0),
            synced: AtomicU64::new(0),
            policy: AtomicU8::new(FSYNC_EVERYSEC),
            write_errno: AtomicI32::new(0),
            fsync_errno: AtomicI32::new(0),
            child_active: AtomicBool::new(false),
            no_fsync_on_rewrite: AtomicBool::new(false),
            fsyncs: AtomicU64::new(0),
            waiters: Mutex::new(Vec::new()),
            kicked: AtomicBool::new(false),
            kick: std::sync::Mutex::new(()),
            kick_cv: Condvar::new(),
            thread_started: AtomicBool::new(false),
        }
    }
}

impl AofIo {
    /// Buffers bytes (under the state lock); returns their end offset.
    pub fn append(&self, bytes: &[u8]) -> u64 {
        let mut p = self.pending.lock();
        let was_empty = p.buf.is_empty();
        p.buf.extend_from_slice(bytes);
        p.appended += bytes.len() as u64;
        self.appended.store(p.appended, Ordering::Release);
        let end = p.appended;
        drop(p);
        // Under everysec / no the AOF thread writes; wake it when data
        // arrives in an empty buffer (it then gathers for a moment).
        if was_empty && self.policy.load(Ordering::Relaxed) != FSYNC_ALWAYS {
            self.kick();
        }
        end
    }

    /// Bytes buffered and not yet written (`aof_buffer_length`).
    pub fn buffered(&self) -> usize {
        self.pending.lock().buf.len()
    }

    /// Whether a file is open (the AOF is on).
    pub fn is_open(&self) -> bool {
        self.output.lock().is_some()
    }

    /// The current incremental file's name and size.
    pub fn current(&self) -> Option<(String, u64)> {
        self.output.lock().as_ref().map(|o| (o.name.clone(), o.size))
    }

    /// Renames the current file in logs and INFO (the temporary incr file
    /// got its final name).
    pub fn rename_current(&self, name: &str) {
        if let Some(o) = self.output.lock().as_mut() {
            o.name = name.to_string();
        }
    }

    /// Writes everything buffered to the file. On failure the file is cut
    /// back to its last good length and the bytes stay buffered.
    pub fn write_through(&self) -> std::io::Result<()> {
        let mut out = self.output.lock();
        let Some(o) = out.as_mut() else {
            // AOF off: nothing to write to; drop what was queued.
            let mut p = self.pending.lock();
            p.buf.clear();
            self.written.store(p.appended, Ordering::Release);
            self.synced.store(p.appended, Ordering::Release);
            return Ok(());
        };
        let (data, upto) = {
            let mut p = self.pending.lock();
            if p.buf.is_empty() {
                return Ok(());
            }
            (std::mem::take(&mut p.buf), p.appended)
        };
        match o.file.write_all(&data) {
            Ok(()) => {
                o.size += data.len() as u64;
                self.written.store(upto, Ordering::Release);
                if self.write_errno.swap(0, Ordering::AcqRel) != 0 {
                    tracing::warn!("AOF write error looks solved, Redis can write again.");
                }
                Ok(())
            }
            Err(e) => {
                // Never leave a partial command: cut the file back.
                if let Err(t) = o.file.set_len(o.size) {
                    tracing::warn!("Could not remove short write from the append-only file ({t}). Redis may refuse to load the AOF the next time it starts.");
                }
                let _ = std::io::Seek::seek(&mut o.file, std::io::SeekFrom::Start(o.size));
                let mut p = self.pending.lock();
                let mut back = data;
                back.extend_from_slice(&p.buf);
                p.buf = back;
                let errno = e.raw_os_error().unwrap_or(libc::EIO);
                if self.write_errno.swap(errno, Ordering::AcqRel) == 0 {
                    tracing::warn!("Error writing to the AOF file: {}", strerror(errno));
                }
                Err(e)
            }
        }
    }

    /// Makes everything written durable.
    fn sync(&self) -> std::io::Result<()> {
        let (file, upto) = {
            let out = self.output.lock();
            let Some(o) = out.as_ref() else { return Ok(()) };
            (o.file.try_clone()?, self.written.load(Ordering::Acquire))
        };
        if upto <= self.synced.load(Ordering::Acquire) {
            return Ok(());
        }
        match file.sync_data() {
            Ok(()) => {
                self.fsyncs.fetch_add(1, Ordering::Relaxed);
                self.synced.fetch_max(upto, Ordering::AcqRel);
                self.fsync_errno.store(0, Ordering::Release);
                self.release_waiters();
                Ok(())
            }
            Err(e) => {
                let errno = e.raw_os_error().unwrap_or(libc::EIO);
                if self.fsync_errno.swap(errno, Ordering::AcqRel) == 0 {
                    tracing::warn!("Can't persist append only file with fsync: {}", strerror(errno));
                }
                Err(e)
            }
        }
    }

    /// The MISCONF reason, if writes must be refused now.
    pub fn error(&self) -> Option<String> {
        let e = self.write_errno.load(Ordering::Acquire);
        if e != 0 {
            return Some(strerror(e));
        }
        let e = self.fsync_errno.load(Ordering::Acquire);
        (e != 0).then(|| strerror(e))
    }

    /// Waits until the bytes up to `target` reached what the policy
    /// promises (see the module docs). Called by a connection before it
    /// sends the replies of a batch that wrote.
    pub async fn wait(&self, target: u64) {
        loop {
            if !self.is_open() {
                return;
            }
            let always = self.policy.load(Ordering::Relaxed) == FSYNC_ALWAYS && !self.skip_fsync();
            let reached = if always { &self.synced } else { &self.written };
            if reached.load(Ordering::Acquire) >= target {
                return;
            }
            if !always {
                // The AOF thread writes within WRITE_DELAY; a failed write
                // is retried from the buffer and refuses later writes
                // (MISCONF), as in Redis, without holding this reply.
                return;
            }
            let (tx, rx) = tokio::sync::oneshot::channel();
            {
                let mut w = self.waiters.lock();
                if reached.load(Ordering::Acquire) >= target {
                    return;
                }
                w.push((target, tx));
            }
            self.kick();
            // Woken when synced; on an error the fsync thread retries every
            // 100 ms, and a policy change is noticed here.
            let _ = tokio::time::timeout(Duration::from_millis(100), rx).await;
        }
    }

    /// Wakes the waiters whose offset is now durable (all of them when the
    /// AOF is closed).
    fn release_waiters(&self) {
        let synced = if self.is_open() { self.synced.load(Ordering::Acquire) } else { u64::MAX };
        let ready: Vec<_> = {
            let mut w = self.waiters.lock();
            if w.is_empty() {
                return;
            }
            let (ready, wait): (Vec<_>, Vec<_>) = std::mem::take(&mut *w).into_iter().partition(|(t, _)| *t <= synced);
            *w = wait;
            ready
        };
        for (_, tx) in ready {
            let _ = tx.send(());
        }
    }

    /// Blocking flavour of [`AofIo::wait`] for shutdown and rewrites: write
    /// and sync everything buffered now.
    pub fn flush_and_sync(&self) -> std::io::Result<()> {
        self.write_through()?;
        self.sync()
    }

    fn skip_fsync(&self) -> bool {
        self.no_fsync_on_rewrite.load(Ordering::Relaxed) && self.child_active.load(Ordering::Relaxed)
    }

    /// Wakes the AOF thread (once per round, however many ask).
    pub fn kick(&self) {
        if !self.kicked.swap(true, Ordering::AcqRel) {
            let _g = self.kick.lock().unwrap_or_else(|e| e.into_inner());
            self.kick_cv.notify_one();
        }
    }

    /// Installs the file to append to (opening, or switching at a rewrite
    /// or after loading). Whatever was buffered is written to the old file
    /// and synced first, so every byte lands in the file that was current
    /// when it was appended.
    pub fn switch_to(&self, new: Option<Output>) -> std::io::Result<()> {
        let had = self.is_open();
        if had {
            // Best effort: if the old file cannot take the backlog, the
            // bytes stay buffered and go to the new file (the manifest
            // lists both, in order).
            let _ = self.write_through();
            let _ = self.sync();
        }
        let mut out = self.output.lock();
        *out = new;
        if out.is_none() {
            let mut p = self.pending.lock();
            p.buf.clear();
            self.written.store(p.appended, Ordering::Release);
            self.synced.store(p.appended, Ordering::Release);
            self.write_errno.store(0, Ordering::Release);
            self.fsync_errno.store(0, Ordering::Release);
        }
        drop(out);
        self.release_waiters();
        Ok(())
    }

    /// Starts the fsync thread once.
    pub fn start_thread(self: &Arc<Self>) {
        if self.thread_started.swap(true, Ordering::AcqRel) {
            return;
        }
        let me = self.clone();
        let _ = std::thread::Builder::new().name("hematite-aof".into()).spawn(move || me.thread_main());
    }

    fn thread_main(&self) {
        let mut last_sync = Instant::now();
        loop {
            {
                let g = self.kick.lock().unwrap_or_else(|e| e.into_inner());
                let _g = self
                    .kick_cv
                    .wait_timeout_while(g, Duration::from_millis(100), |_| !self.kicked.load(Ordering::Acquire))
                    .unwrap_or_else(|e| e.into_inner());
                self.kicked.store(false, Ordering::Release);
            }
            if !self.is_open() {
                continue;
            }
            let policy = self.policy.load(Ordering::Relaxed);
            let backlog = self.written.load(Ordering::Acquire) < self.appended.load(Ordering::Acquire);
            if backlog {
                if policy != FSYNC_ALWAYS && !self.skip_fsync() {
                    // Gather the writes of this moment into one write(2).
                    std::thread::sleep(WRITE_DELAY);
                } else if policy == FSYNC_ALWAYS {
                    // Several clients are committing at once: while more
                    // keep joining, give the ones being executed right now
                    // a moment to join this fsync (fewer, fuller fsyncs; a
                    // lone client never waits for this).
                    let mut seen = self.waiters.lock().len();
                    let mut rounds = 0;
                    while seen > 1 && rounds < GATHER_ROUNDS {
                        std::thread::sleep(GATHER_DELAY);
                        let now = self.waiters.lock().len();
                        if now == seen {
                            break;
                        }
                        seen = now;
                        rounds += 1;
                    }
                }
                let _ = self.write_through();
            }
            let due = match policy {
                FSYNC_ALWAYS => true,
                FSYNC_EVERYSEC => last_sync.elapsed() >= Duration::from_secs(1),
                _ => false,
            };
            if (due || self.fsync_errno.load(Ordering::Acquire) != 0) && !self.skip_fsync() {
                last_sync = Instant::now();
                let _ = self.sync();
            }
        }
    }
}

/// The C library's text for an errno (what Redis prints).
pub fn strerror(errno: i32) -> String {
    std::io::Error::from_raw_os_error(errno).to_string().split(" (os error").next().unwrap_or("").to_string()
}
