//! Writing a point-in-time image of the dataset: an RDB file (SAVE,
//! BGSAVE, the AOF base with an RDB preamble) or, with
//! `aof-use-rdb-preamble no`, an AOF base made of commands.
//!
//! Both run either in the foreground (SAVE, SHUTDOWN) with the state lock
//! held, or in a forked child (see [`super::child`]); they only read the
//! keyspace. A file is written under a temporary name, flushed, fsynced
//! and then renamed over the old one, and the directory is fsynced, so a
//! crash at any moment leaves either the old file or the new one, never a
//! torn one.

use super::child::parent_gone;
use hematite_persist::rdb::{KeyMeta, WriteOptions, Writer};
use hematite_store::object::{idle_seconds, lfu_decr_and_return};
use hematite_store::{Keyspace, Value};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// What a snapshot needs besides the keyspace.
pub struct SnapshotOptions {
    /// `rdbcompression`.
    pub compression: bool,
    /// `rdbchecksum`.
    pub checksum: bool,
    /// `rdb-key-save-delay`: microseconds to sleep after each key (tests).
    pub key_delay_us: i64,
    /// The source code of every function library.
    pub functions: Vec<Vec<u8>>,
    /// Written as the AOF base (`aof-base` aux field).
    pub aof_base: bool,
    /// Save each key's LRU idle time (an LRU `maxmemory-policy`), as Redis
    /// does, so that eviction order survives a restart.
    pub save_idle: bool,
    /// Save each key's LFU counter (an LFU policy), decayed with this
    /// `lfu-decay-time`.
    pub save_freq: Option<u32>,
    /// `used_memory` for the `used-mem` aux field.
    pub used_mem: u64,
}

/// Writes an RDB image of `ks` to `w`.
pub fn write_rdb<W: Write>(w: W, ks: &Keyspace, opts: &SnapshotOptions) -> std::io::Result<W> {
    let mut wr = Writer::new(w, WriteOptions { compression: opts.compression, checksum: opts.checksum })?;
    wr.aux("redis-ver", crate::commands::connection::REDIS_VERSION.as_bytes())?;
    wr.aux("redis-bits", b"64")?;
    let now = crate::clock::now_ms();
    wr.aux("ctime", (now / 1000).to_string().as_bytes())?;
    wr.aux("used-mem", opts.used_mem.to_string().as_bytes())?;
    wr.aux("aof-base", if opts.aof_base { b"1" } else { b"0" })?;
    for code in &opts.functions {
        wr.function(code)?;
    }
    let mut n = 0u64;
    for (idx, db) in ks.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        wr.select_db(idx, db.dict.len() as u64, db.expires.len() as u64)?;
        for (key, obj) in db.dict.iter() {
            let meta = KeyMeta {
                expire_ms: db.expire_of(key),
                idle_secs: opts.save_idle.then(|| idle_seconds(obj.lru, now)),
                freq: opts.save_freq.map(|decay| lfu_decr_and_return(obj.lru, decay, now) as u8),
            };
            wr.key_with_meta(key, &obj.value, &meta)?;
            n += 1;
            pace(n, opts)?;
        }
    }
    wr.finish()
}

/// Sleeps per key when asked to, and gives up if the parent died.
fn pace(n: u64, opts: &SnapshotOptions) -> std::io::Result<()> {
    if opts.key_delay_us > 0 {
        std::thread::sleep(std::time::Duration::from_micros(opts.key_delay_us as u64));
    }
    if n % 1024 == 0 && parent_gone() {
        return Err(std::io::Error::other("the parent process died"));
    }
    Ok(())
}

/// Writes `ks` as an RDB file at `path` through `tmp` (see the module
/// docs).
pub fn save_rdb_file(path: &Path, tmp: &Path, ks: &Keyspace, opts: &SnapshotOptions) -> Result<(), String> {
    let result = (|| -> std::io::Result<()> {
        let f = AutoSync::new(File::create(tmp)?);
        let w = write_rdb(BufWriter::with_capacity(1 << 16, f), ks, opts)?;
        let f = w.into_inner().map_err(|e| e.into_error())?.file;
        f.sync_all()?;
        drop(f);
        std::fs::rename(tmp, path)?;
        sync_dir(path);
        Ok(())
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(tmp);
        e.to_string()
    })
}

/// Redis's `REDIS_AUTOSYNC_BYTES` (`rdb-save-incremental-fsync`,
/// `aof-rewrite-incremental-fsync`): sync every 32 MB written, so a big
/// snapshot reaches the disk steadily instead of in one burst at the end
/// that stalls everything else doing I/O.
const AUTOSYNC_BYTES: u64 = 32 << 20;

/// A file that fsyncs itself every [`AUTOSYNC_BYTES`].
pub struct AutoSync {
    /// The file.
    pub file: File,
    unsynced: u64,
}

impl AutoSync {
    /// Wraps a file.
    pub fn new(file: File) -> Self {
        AutoSync { file, unsynced: 0 }
    }
}

impl Write for AutoSync {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.unsynced += n as u64;
        if self.unsynced >= AUTOSYNC_BYTES {
            self.unsynced = 0;
            self.file.sync_data()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Fsyncs the directory holding `path`, so a rename is durable.
pub fn sync_dir(path: &Path) {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Redis's `AOF_REWRITE_ITEMS_PER_CMD`: elements per RPUSH/SADD/... when a
/// big collection is written as commands.
const ITEMS_PER_CMD: usize = 64;

/// Writes `ks` as AOF commands (the base when `aof-use-rdb-preamble` is
/// off), as Redis's `rewriteAppendOnlyFileRio` does: SELECT per database,
/// one command per value (collections in batches of 64 elements), a
/// PEXPIREAT per volatile key, FUNCTION LOAD per library first.
pub fn write_aof_commands<W: Write>(mut w: W, ks: &Keyspace, opts: &SnapshotOptions) -> std::io::Result<W> {
    use super::propagate::encode;
    let mut buf = Vec::with_capacity(1 << 16);
    for code in &opts.functions {
        encode(&mut buf, &[b"FUNCTION", b"LOAD", code]);
    }
    let mut n = 0u64;
    for (idx, db) in ks.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        encode(&mut buf, &[b"SELECT", idx.to_string().as_bytes()]);
        for (key, obj) in db.dict.iter() {
            write_value_commands(&mut buf, key, &obj.value);
            if let Some(when) = db.expire_of(key) {
                encode(&mut buf, &[b"PEXPIREAT", key, when.to_string().as_bytes()]);
            }
            if buf.len() >= 1 << 16 {
                w.write_all(&buf)?;
                buf.clear();
            }
            n += 1;
            pace(n, opts)?;
        }
    }
    w.write_all(&buf)?;
    Ok(w)
}

fn write_value_commands(buf: &mut Vec<u8>, key: &[u8], value: &Value) {
    use super::propagate::encode;
    let mut batch: Vec<Vec<u8>> = Vec::new();
    let emit = |buf: &mut Vec<u8>, cmd: &[u8], batch: &mut Vec<Vec<u8>>| {
        if batch.is_empty() {
            return;
        }
        let mut argv: Vec<&[u8]> = vec![cmd, key];
        argv.extend(batch.iter().map(|v| v.as_slice()));
        encode(buf, &argv);
        batch.clear();
    };
    match value {
        Value::Str(s) => s.with_bytes(|b| encode(buf, &[b"SET", key, b])),
        Value::List(l) => {
            for e in l.iter() {
                batch.push(e.to_vec());
                if batch.len() == ITEMS_PER_CMD {
                    emit(buf, b"RPUSH", &mut batch);
                }
            }
            emit(buf, b"RPUSH", &mut batch);
        }
        Value::Set(s) => {
            s.for_each(|m| {
                batch.push(m.to_vec());
                if batch.len() == ITEMS_PER_CMD {
                    emit(buf, b"SADD", &mut batch);
                }
            });
            emit(buf, b"SADD", &mut batch);
        }
        Value::Hash(h) => {
            h.for_each(|f, v| {
                batch.push(f.to_vec());
                batch.push(v.to_vec());
                if batch.len() == 2 * ITEMS_PER_CMD {
                    emit(buf, b"HMSET", &mut batch);
                }
            });
            emit(buf, b"HMSET", &mut batch);
        }
        Value::ZSet(z) => {
            z.for_each(|m, score| {
                batch.push(hematite_common::num::format_double(score).into_bytes());
                batch.push(m.to_vec());
                if batch.len() == 2 * ITEMS_PER_CMD {
                    emit(buf, b"ZADD", &mut batch);
                }
            });
            emit(buf, b"ZADD", &mut batch);
        }
    }
}
