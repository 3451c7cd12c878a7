//! Loading the dataset at startup.
//!
//! The server listens before it loads, like Redis: while loading, clients
//! get `-LOADING Redis is loading the dataset in memory` for every command
//! not flagged `loading` (INFO, PING's neighbours, CONFIG ...), and INFO
//! persistence shows the progress. The loader runs on a blocking thread and
//! takes the state lock only in short slices (a batch of keys, a batch of
//! AOF commands), so those commands are answered meanwhile.
//!
//! With `appendonly yes` the AOF is the source of truth and the RDB file
//! is not read (see [`super::aof::load_and_open`]); otherwise `dbfilename`
//! is loaded if it exists. Keys whose TTL passed are skipped. A corrupt
//! file stops the server with a message naming the file, the offset and
//! the repair tool; nothing is overwritten.

use crate::commands::{Ctx, Session};
use crate::state::{Shared, State};
use bytes::Bytes;
use hematite_persist::rdb::{self, KeyMeta, Sink};
use hematite_resp::ReplyBuf;
use hematite_store::object::{lfu_minutes, lru_clock, Access};
use hematite_store::Value;
use std::io::BufReader;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// Loading progress, read by INFO without the lock.
#[derive(Debug, Default)]
pub struct LoadingInfo {
    /// Unix seconds when loading started.
    pub start: std::sync::atomic::AtomicI64,
    /// Bytes to load.
    pub total_bytes: std::sync::atomic::AtomicU64,
    /// Bytes loaded so far.
    pub loaded_bytes: std::sync::atomic::AtomicU64,
}

/// The encoding thresholds for loaded values, from the configuration.
pub fn rdb_limits(st: &State) -> rdb::Limits {
    let c = &st.config;
    rdb::Limits {
        list_max_listpack_size: c.list_max_listpack_size,
        hash: hematite_store::hash::Limits {
            max_entries: c.hash_max_listpack_entries as usize,
            max_value: c.hash_max_listpack_value as usize,
        },
        set_max_intset_entries: c.set_max_intset_entries as usize,
        zset: hematite_store::zset::Limits {
            max_entries: c.zset_max_listpack_entries as usize,
            max_value: c.zset_max_listpack_value as usize,
        },
    }
}

/// Marks the start of loading (`loading:1`, `-LOADING` to clients).
pub fn begin(shared: &Shared, total_bytes: u64) {
    shared.loading_info.start.store(crate::clock::now_ms() / 1000, Ordering::Relaxed);
    shared.loading_info.total_bytes.store(total_bytes, Ordering::Relaxed);
    shared.loading_info.loaded_bytes.store(0, Ordering::Relaxed);
    shared.loading.store(true, Ordering::Release);
    shared.state.lock().ks.counters.loading = true;
}

/// Marks the end of loading.
pub fn end(shared: &Shared) {
    shared.state.lock().ks.counters.loading = false;
    shared.loading.store(false, Ordering::Release);
}

/// Loads the dataset (the AOF when `appendonly yes`, else the RDB).
/// Called once at startup, on a blocking thread.
pub fn load_on_startup(shared: &Shared) -> Result<(), String> {
    let (appendonly, dbfilename) = {
        let st = shared.state.lock();
        (st.config.appendonly, st.config.dbfilename.clone())
    };
    let started = Instant::now();
    if appendonly {
        let loaded = super::aof::load_and_open(shared)?;
        // Replayed commands are not changes since the last save.
        shared.state.lock().stats.dirty = 0;
        if loaded {
            tracing::warn!("DB loaded from append only file: {:.3} seconds", started.elapsed().as_secs_f64());
        }
        return Ok(());
    }
    let path = Path::new(&dbfilename);
    if !path.exists() {
        return Ok(());
    }
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    begin(shared, size);
    let result = load_rdb_file(shared, path);
    end(shared);
    match result {
        Ok((keys, expired)) => {
            tracing::warn!("Done loading RDB, keys loaded: {keys}, keys expired: {expired}.");
            tracing::warn!("DB loaded from disk: {:.3} seconds", started.elapsed().as_secs_f64());
            Ok(())
        }
        Err(e) => Err(format!(
            "Fatal error loading the DB from {}: {e}. The file was left untouched; run 'hematite check-rdb {}' for details. Exiting.",
            path.display(),
            path.display()
        )),
    }
}

/// Loads an RDB file into the (empty) keyspace; returns the keys loaded
/// and skipped as expired.
pub fn load_rdb_file(shared: &Shared, path: &Path) -> Result<(u64, u64), String> {
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut r = BufReader::with_capacity(1 << 16, f);
    let mut sink = KeyspaceSink::new(shared, 0);
    load_rdb_stream(&mut r, &mut sink)?;
    Ok((sink.loaded, sink.expired))
}

/// Loads one RDB from a stream through `sink` (also the AOF's preamble).
///
/// Decoding and inserting run on two threads: this one parses the file
/// (and decompresses) while an inserter thread puts the previous batch into
/// the keyspace under the lock, so a load uses two cores where Redis uses
/// one.
pub fn load_rdb_stream(r: &mut dyn std::io::BufRead, sink: &mut KeyspaceSink) -> Result<(), String> {
    let limits = rdb_limits(&sink.shared.state.lock());
    let shared = sink.shared;
    let now_ms = sink.now_ms;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(4);
    std::thread::scope(|scope| {
        let inserter = scope.spawn(move || insert_batches(shared, rx, now_ms));
        sink.tx = Some(tx);
        let mut r = r;
        let result = rdb::load(&mut r, &limits, sink).map_err(|e| e.to_string());
        let flushed = sink.flush();
        sink.tx = None;
        let inserted = inserter.join().unwrap_or_else(|_| Err("the loader's inserter panicked".into()));
        // The inserter's error first: it is why a send failed.
        inserted.and(result).and(flushed)
    })
}

/// What the decoding thread hands to the inserter.
enum Batch {
    /// Keys: (database, key, value, metadata).
    Keys(Vec<(usize, Vec<u8>, Value, KeyMeta)>),
    /// Size the tables of a database for what is coming (RESIZEDB).
    Resize(usize, u64, u64),
}

/// The inserter thread: puts batches into the keyspace, a lock slice per
/// batch. Stops at the first error (a duplicate key, too many databases).
fn insert_batches(shared: &Shared, rx: std::sync::mpsc::Receiver<Batch>, now_ms: i64) -> Result<(), String> {
    for batch in rx {
        apply_batch(&mut shared.state.lock(), batch, now_ms, false)?;
    }
    Ok(())
}

/// The access stamp of a loaded key: its saved idle time or LFU counter
/// when the file has one for the current policy, else a new object's
/// (Redis's `objectSetLRUOrLFU`).
fn loaded_stamp(stamping: Access, meta: &KeyMeta, now_ms: i64) -> u32 {
    match (stamping, meta.freq, meta.idle_secs) {
        (Access::Lfu { .. }, Some(freq), _) => (lfu_minutes(now_ms) << 8) | freq as u32,
        (Access::Lru, _, Some(idle)) => lru_clock(now_ms - (idle.min(1 << 40) as i64) * 1000),
        _ => stamping.new_stamp(now_ms),
    }
}

/// Puts one batch into the keyspace. A key already there is an error,
/// unless `merge` (DEBUG RELOAD MERGE), where the loaded value wins.
fn apply_batch(st: &mut State, batch: Batch, now_ms: i64, merge: bool) -> Result<(), String> {
    let databases = st.config.databases;
    let stamping = st.stamping();
    match batch {
        Batch::Resize(db, size, expires) => {
            if let Some(d) = st.ks.dbs.get_mut(db) {
                if d.dict.is_empty() {
                    d.dict.expand(size.min(1 << 32) as usize);
                }
                if d.expires.is_empty() {
                    d.expires.expand(expires.min(1 << 32) as usize);
                }
            }
        }
        Batch::Keys(keys) => {
            for (db, key, value, meta) in keys {
                let Some(d) = st.ks.dbs.get_mut(db) else {
                    return Err(format!("FATAL: Data file was created with a Redis server configured to handle more than {databases} databases. Exiting"));
                };
                let key = hematite_store::Key::from(key);
                match meta.expire_ms {
                    Some(when) => {
                        d.expires.insert(key.clone(), when);
                    }
                    None if merge => {
                        d.expires.remove(&key[..]);
                    }
                    None => {}
                }
                // One lookup: the insert itself tells whether the key was there.
                let lru = loaded_stamp(stamping, &meta, now_ms);
                if d.dict.insert(key, hematite_store::Object::new(value, lru)).is_some() && !merge {
                    return Err(format!("RDB has duplicated key in DB {db}"));
                }
            }
        }
    }
    Ok(())
}

/// DEBUG RELOAD: loads `path` into the state its caller holds locked (the
/// server stops meanwhile, as Redis's does).
pub fn reload_locked(st: &mut State, shared: &Shared, path: &Path, merge: bool) -> Result<(), String> {
    struct Direct<'a> {
        st: &'a mut State,
        shared: &'a Shared,
        db: usize,
        now_ms: i64,
        merge: bool,
    }
    impl Sink for Direct<'_> {
        fn select_db(&mut self, db: usize) -> Result<(), String> {
            self.db = db;
            Ok(())
        }
        fn resize_db(&mut self, db_size: u64, expires_size: u64) {
            let _ = apply_batch(self.st, Batch::Resize(self.db, db_size, expires_size), 0, self.merge);
        }
        fn key(&mut self, key: Vec<u8>, value: Value, meta: KeyMeta) -> Result<(), String> {
            if meta.expire_ms.is_some_and(|t| t < self.now_ms) {
                return Ok(());
            }
            apply_batch(self.st, Batch::Keys(vec![(self.db, key, value, meta)]), self.now_ms, self.merge)
        }
        fn function(&mut self, code: Vec<u8>) -> Result<(), String> {
            let mut eng = crate::scripting::engine::Engine::get(&self.shared.script);
            eng.load_library(&Bytes::from(code), self.merge).map_err(|e| format!("Failed loading library: {e}"))?;
            eng.publish_stats(&self.shared.script);
            eng.publish_libraries(&self.shared.script);
            Ok(())
        }
    }
    let limits = rdb_limits(st);
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut r = BufReader::with_capacity(1 << 16, f);
    let mut sink = Direct { st, shared, db: 0, now_ms: crate::clock::now_ms(), merge };
    rdb::load(&mut r, &limits, &mut sink).map(|_| ()).map_err(|e| e.to_string())
}

/// Feeds loaded keys into the keyspace, a batch at a time (see
/// [`load_rdb_stream`]).
pub struct KeyspaceSink<'a> {
    shared: &'a Shared,
    db: usize,
    batch: Vec<(usize, Vec<u8>, Value, KeyMeta)>,
    now_ms: i64,
    /// Keys loaded.
    pub loaded: u64,
    /// Keys skipped because they had expired.
    pub expired: u64,
    /// Bytes of earlier files (for progress across AOF files).
    pub base_offset: u64,
    last_log: Instant,
    /// `key-load-delay`: microseconds to sleep per key (tests).
    key_delay_us: u64,
    /// To the inserter thread.
    tx: Option<std::sync::mpsc::SyncSender<Batch>>,
}

impl<'a> KeyspaceSink<'a> {
    /// A sink for loading into `shared`'s keyspace.
    pub fn new(shared: &'a Shared, base_offset: u64) -> Self {
        KeyspaceSink {
            shared,
            db: 0,
            batch: Vec::with_capacity(1024),
            now_ms: crate::clock::now_ms(),
            loaded: 0,
            expired: 0,
            base_offset,
            last_log: Instant::now(),
            key_delay_us: shared.state.lock().config.key_load_delay.max(0) as u64,
            tx: None,
        }
    }

    fn send(&mut self, b: Batch) -> Result<(), String> {
        match &self.tx {
            // A closed channel means the inserter stopped on an error,
            // which load_rdb_stream reports.
            Some(tx) => tx.send(b).map_err(|_| "the load stopped".to_string()),
            None => Err("no inserter".into()),
        }
    }

    fn flush(&mut self) -> Result<(), String> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let keys = std::mem::replace(&mut self.batch, Vec::with_capacity(1024));
        self.send(Batch::Keys(keys))?;
        let mut st = self.shared.state.lock();
        st.persist.loaded_keys = self.loaded;
        st.persist.loaded_expired = self.expired;
        Ok(())
    }
}

impl Sink for KeyspaceSink<'_> {
    fn aux(&mut self, key: &[u8], value: &[u8]) -> Result<(), String> {
        match key {
            b"redis-ver" => tracing::info!("Loading RDB produced by version {}", String::from_utf8_lossy(value)),
            b"ctime" => {
                if let Some(t) = hematite_common::num::parse_i64(value) {
                    tracing::info!("RDB age {} seconds", (self.now_ms / 1000 - t).max(0));
                }
            }
            b"used-mem" => {
                if let Some(m) = hematite_common::num::parse_i64(value) {
                    tracing::info!("RDB memory usage when created {:.2} Mb", m as f64 / (1024.0 * 1024.0));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn select_db(&mut self, db: usize) -> Result<(), String> {
        self.flush()?;
        self.db = db;
        Ok(())
    }

    fn resize_db(&mut self, db_size: u64, expires_size: u64) {
        // Size the tables once instead of growing them key by key.
        let _ = self.flush();
        let _ = self.send(Batch::Resize(self.db, db_size, expires_size));
    }

    fn key(&mut self, key: Vec<u8>, value: Value, meta: KeyMeta) -> Result<(), String> {
        if self.key_delay_us > 0 {
            std::thread::sleep(std::time::Duration::from_micros(self.key_delay_us));
            // Slow loads make their batches small so clients see progress.
            if !self.batch.is_empty() {
                self.flush()?;
            }
        }
        if meta.expire_ms.is_some_and(|t| t < self.now_ms) {
            self.expired += 1;
            return Ok(());
        }
        self.loaded += 1;
        self.batch.push((self.db, key, value, meta));
        if self.batch.len() >= 1024 {
            self.flush()?;
        }
        Ok(())
    }

    fn function(&mut self, code: Vec<u8>) -> Result<(), String> {
        let mut eng = crate::scripting::engine::Engine::get(&self.shared.script);
        eng.load_library(&Bytes::from(code), false).map_err(|e| format!("Failed loading library: {e}"))?;
        eng.publish_stats(&self.shared.script);
        eng.publish_libraries(&self.shared.script);
        Ok(())
    }

    fn progress(&mut self, bytes_read: u64) {
        self.shared.loading_info.loaded_bytes.store(self.base_offset + bytes_read, Ordering::Relaxed);
        if self.last_log.elapsed().as_secs() >= 2 {
            self.last_log = Instant::now();
            let total = self.shared.loading_info.total_bytes.load(Ordering::Relaxed).max(1);
            tracing::info!(
                "Loading: {:.1}% ({} of {} bytes, {} keys)",
                100.0 * (self.base_offset + bytes_read) as f64 / total as f64,
                self.base_offset + bytes_read,
                total,
                self.loaded
            );
        }
    }
}

/// Replays AOF commands against the keyspace as Redis's fake AOF client
/// does: a transaction is queued at MULTI and run at EXEC; replies are
/// discarded; commands run in slices of the lock.
pub struct Replayer {
    sess: Session,
    out: ReplyBuf,
    multi: Option<Vec<Vec<Bytes>>>,
    /// Commands replayed.
    pub commands: u64,
}

impl Default for Replayer {
    fn default() -> Self {
        let mut sess = Session::new(u64::MAX, true);
        // Blocking commands never block here (as inside EXEC).
        sess.in_exec = true;
        Replayer { sess, out: ReplyBuf::new(), multi: None, commands: 0 }
    }
}

impl Replayer {
    /// Runs (or queues) one command. Errors are fatal, as in Redis.
    pub fn command(&mut self, st: &mut State, shared: &Shared, argv: &[Vec<u8>]) -> Result<(), String> {
        let argv: Vec<Bytes> = argv.iter().map(|a| Bytes::copy_from_slice(a)).collect();
        let Some(name) = argv.first() else { return Ok(()) };
        if name.eq_ignore_ascii_case(b"multi") {
            self.multi = Some(Vec::new());
            return Ok(());
        }
        if name.eq_ignore_ascii_case(b"exec") {
            let queued = self.multi.take().unwrap_or_default();
            for argv in queued {
                self.run(st, shared, &argv)?;
            }
            return Ok(());
        }
        if let Some(q) = self.multi.as_mut() {
            q.push(argv);
            return Ok(());
        }
        self.run(st, shared, &argv)
    }

    /// Whether the files ended inside a MULTI (the caller reverts it).
    pub fn in_multi(&self) -> bool {
        self.multi.is_some()
    }

    fn run(&mut self, st: &mut State, shared: &Shared, argv: &[Bytes]) -> Result<(), String> {
        let table = crate::command::table();
        let name = String::from_utf8_lossy(&argv[0]).into_owned();
        let Some(mut cmd) = table.lookup(&argv[0]) else {
            return Err(format!("Unknown command '{name}' reading the append only file"));
        };
        if !cmd.subcommands.is_empty() && argv.len() >= 2 {
            if let Some(sub) = cmd.subcommand(&argv[1]) {
                cmd = sub;
            }
        }
        if !cmd.arity_ok(argv.len()) {
            return Err(format!("Bad arity for command '{name}' reading the append only file"));
        }
        self.out.buf.clear();
        let now_ms = crate::clock::now_ms();
        let mut ctx = Ctx { st, sess: &mut self.sess, out: &mut self.out, now_ms, cmd: None, shared };
        crate::dispatch::call(&mut ctx, cmd, argv);
        self.commands += 1;
        if self.out.buf.first() == Some(&b'-') && cmd.has(crate::command::flag::WRITE) {
            // Redis logs and goes on for a command that fails when replayed.
            tracing::debug!("AOF command '{name}' replied {}", String::from_utf8_lossy(&self.out.buf).trim_end());
        }
        Ok(())
    }
}
