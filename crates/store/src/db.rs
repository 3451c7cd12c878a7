//! Databases: the keyspace, key expiry and the active expire cycle.
//!
//! A [`Db`] holds two hash tables, as Redis's `redisDb` does: `dict` maps
//! every key to its [`Object`], and `expires` maps only the keys with a time
//! to live to their deadline (Unix milliseconds). Keeping deadlines apart
//! makes keys without a TTL pay nothing for the feature, and gives the
//! active expire cycle a table in which every entry is a candidate.
//!
//! Expiry happens in two ways, and both are needed:
//!
//! - *Lazily*: every lookup first checks the key's deadline and deletes the
//!   key if it has passed, so no command ever sees an expired key.
//! - *Actively*: [`Db::active_expire`] samples the `expires` table (a few
//!   buckets at a time, continuing where it stopped on the previous call)
//!   and deletes what it finds expired. While more than a tolerated share of
//!   a sample turns out expired it samples again, within a time budget; this
//!   is Redis's adaptive `activeExpireCycle`, which keeps the memory held by
//!   expired-but-untouched keys to a small fraction without long pauses.
//!
//! [`Keyspace`] is the set of numbered databases (`SELECT`, `SWAPDB`,
//! `FLUSHALL`) with the counters INFO reports.

use crate::dict::Dict;
use crate::object::{Kind, Object, Value};
use std::time::{Duration, Instant};

pub use crate::key::Key;

/// One numbered database.
#[derive(Default)]
pub struct Db {
    /// Every key and its value.
    pub dict: Dict<Key, Object>,
    /// Deadlines (Unix ms) of the keys that have one.
    pub expires: Dict<Key, i64>,
    /// Where the active expire cycle resumes its walk of `expires`.
    expire_cursor: u64,
    /// Running estimate of the average TTL of volatile keys (ms), reported
    /// by `INFO keyspace` as `avg_ttl`.
    pub avg_ttl: i64,
}

/// What the caller needs to know about keys the store deleted on its own
/// (expired keys). The server turns these into statistics, keyspace
/// notifications and, later, propagation to the AOF.
#[derive(Default, Debug)]
pub struct Counters {
    /// Keys deleted because their TTL passed.
    pub expired_keys: u64,
    /// Time spent (µs) in active expiry, for INFO.
    pub expire_cycle_cpu_us: u64,
    /// Expired keys whose deletion must be propagated (DEL), with their db.
    pub expired_log: Vec<(usize, Key)>,
    /// Whether `expired_log` should be filled (only when someone consumes it).
    pub log_expired: bool,
    /// The dataset is being loaded: keys are not expired on lookup (a
    /// replayed AOF must see the keys its commands saw), as Redis's
    /// `expireIfNeeded` does while loading.
    pub loading: bool,
}

impl Db {
    /// An empty database.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of keys (including expired ones not yet collected).
    #[inline]
    pub fn len(&self) -> usize {
        self.dict.len()
    }

    /// True when the database holds no keys.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.dict.is_empty()
    }

    /// The key's deadline in Unix ms, if it has one.
    #[inline]
    pub fn expire_of(&self, key: &[u8]) -> Option<i64> {
        if self.expires.is_empty() {
            return None;
        }
        self.expires.get(key).copied()
    }

    /// Deletes the key if its deadline has passed; returns true if it did.
    #[inline]
    fn expire_if_needed(&mut self, key: &[u8], now_ms: i64) -> bool {
        match self.expire_of(key) {
            Some(when) if when <= now_ms => {
                self.dict.remove(key);
                self.expires.remove(key);
                true
            }
            _ => false,
        }
    }

    /// Looks a key up for reading, expiring it first if needed. The access
    /// clock is not updated (see [`Db::touch`]).
    #[inline]
    pub fn get(&mut self, key: &[u8], now_ms: i64, counters: &mut Counters, idx: usize) -> Option<&Object> {
        if !counters.loading && self.expire_if_needed(key, now_ms) {
            counters.note_expired(idx, key);
            return None;
        }
        self.dict.get(key)
    }

    /// Looks a key up for modification, expiring it first if needed.
    #[inline]
    pub fn get_mut(&mut self, key: &[u8], now_ms: i64, counters: &mut Counters, idx: usize) -> Option<&mut Object> {
        if !counters.loading && self.expire_if_needed(key, now_ms) {
            counters.note_expired(idx, key);
            return None;
        }
        self.dict.get_mut(key)
    }

    /// True if the key exists (and is not expired).
    pub fn contains(&mut self, key: &[u8], now_ms: i64, counters: &mut Counters, idx: usize) -> bool {
        self.get(key, now_ms, counters, idx).is_some()
    }

    /// Stores a value under a key, replacing any value. The TTL is removed
    /// unless `keep_ttl` is set (SET ... KEEPTTL); an overwritten key keeps
    /// its access stamp if `keep_stamp` (the LFU counter survives a SET).
    /// Returns true if the key was created (it did not exist), which fires
    /// Redis's `new` event.
    pub fn set(&mut self, key: &[u8], value: Value, lru: u32, keep_ttl: bool, keep_stamp: bool) -> bool {
        let created = if let Some(slot) = self.dict.get_mut(key) {
            let lru = if keep_stamp { slot.lru } else { lru };
            *slot = Object::new(value, lru);
            false
        } else {
            self.dict.insert(key.into(), Object::new(value, lru));
            true
        };
        if !keep_ttl && !self.expires.is_empty() {
            self.expires.remove(key);
        }
        created
    }

    /// Stores a value under a key that must not exist.
    pub fn insert_new(&mut self, key: &[u8], value: Value, lru: u32) {
        self.dict.insert(key.into(), Object::new(value, lru));
    }

    /// Deletes a key and its TTL; returns the removed object.
    pub fn remove(&mut self, key: &[u8]) -> Option<Object> {
        let (_, obj) = self.dict.remove(key)?;
        if !self.expires.is_empty() {
            self.expires.remove(key);
        }
        Some(obj)
    }

    /// Sets a key's deadline (Unix ms). The key must exist.
    pub fn set_expire(&mut self, key: &[u8], when_ms: i64) {
        if let Some(slot) = self.expires.get_mut(key) {
            *slot = when_ms;
        } else {
            self.expires.insert(key.into(), when_ms);
        }
    }

    /// Removes a key's TTL; true if it had one.
    pub fn persist(&mut self, key: &[u8]) -> bool {
        !self.expires.is_empty() && self.expires.remove(key).is_some()
    }

    /// Deletes everything.
    pub fn clear(&mut self) {
        self.dict = Dict::new();
        self.expires = Dict::new();
        self.expire_cursor = 0;
        self.avg_ttl = 0;
    }

    /// A random live key, or `None` if the database is empty. Expired keys
    /// met on the way are deleted, like Redis's `dbRandomKey`; if every key
    /// tried is volatile and expired, the search gives up after a bounded
    /// number of attempts and returns one anyway, as Redis does when all
    /// keys are expiring.
    pub fn random_key(&mut self, now_ms: i64, counters: &mut Counters, idx: usize) -> Option<Key> {
        let mut tries = 0;
        loop {
            let key: Key = self.dict.random_entry()?.0.clone();
            if let Some(when) = self.expire_of(&key) {
                tries += 1;
                if when <= now_ms {
                    if tries > 100 && self.dict.len() == self.expires.len() {
                        return Some(key);
                    }
                    self.remove(&key);
                    counters.note_expired(idx, &key);
                    continue;
                }
            }
            return Some(key);
        }
    }

    /// The type of a live key.
    pub fn kind_of(&mut self, key: &[u8], now_ms: i64, counters: &mut Counters, idx: usize) -> Option<Kind> {
        self.get(key, now_ms, counters, idx).map(|o| o.value.kind())
    }

    /// One run of the adaptive active expire cycle for this database.
    ///
    /// Samples `keys_per_loop` volatile keys at a time, deletes the expired
    /// ones, and repeats while the share found expired exceeds
    /// `acceptable_stale_percent`, until `deadline`. Returns the number of
    /// keys deleted and whether the deadline stopped it (the server then
    /// schedules a fast cycle sooner).
    pub fn active_expire(
        &mut self,
        idx: usize,
        now_ms: i64,
        keys_per_loop: usize,
        acceptable_stale_percent: usize,
        deadline: Instant,
        counters: &mut Counters,
    ) -> (usize, bool) {
        let mut total_expired = 0;
        let mut iterations = 0u32;
        let mut batch: Vec<Key> = Vec::with_capacity(keys_per_loop);
        loop {
            if self.expires.is_empty() {
                self.expire_cursor = 0;
                return (total_expired, false);
            }
            let mut sampled = 0usize;
            let mut ttl_sum = 0i64;
            let mut ttl_samples = 0i64;
            let mut checked_buckets = 0usize;
            let max_buckets = keys_per_loop * 20;
            batch.clear();
            while sampled < keys_per_loop && checked_buckets < max_buckets {
                self.expire_cursor = self.expires.scan(self.expire_cursor, |k, &when| {
                    sampled += 1;
                    if when <= now_ms {
                        batch.push(k.clone());
                    } else {
                        ttl_sum += when - now_ms;
                        ttl_samples += 1;
                    }
                });
                checked_buckets += 1;
                if self.expire_cursor == 0 {
                    break;
                }
            }
            let expired_this_loop = batch.len();
            for key in batch.drain(..) {
                self.remove(&key);
                counters.note_expired(idx, &key);
                total_expired += 1;
            }
            if ttl_samples > 0 {
                let avg = ttl_sum / ttl_samples;
                // Running average weighted towards the history, as Redis does.
                self.avg_ttl = if self.avg_ttl == 0 { avg } else { (self.avg_ttl / 50) * 49 + (avg / 50) };
            }
            iterations += 1;
            if iterations % 16 == 0 && Instant::now() >= deadline {
                return (total_expired, true);
            }
            if sampled == 0 {
                return (total_expired, false);
            }
            // Continue only while the sample was mostly stale.
            if expired_this_loop * 100 / sampled <= acceptable_stale_percent {
                return (total_expired, false);
            }
        }
    }
}

impl Counters {
    /// Records one key deleted because it expired.
    #[inline]
    pub fn note_expired(&mut self, db: usize, key: &[u8]) {
        self.expired_keys += 1;
        if self.log_expired {
            self.expired_log.push((db, key.into()));
        }
    }
}

/// All numbered databases.
pub struct Keyspace {
    /// The databases, indexed by number.
    pub dbs: Vec<Db>,
    /// Counters for keys the store removed on its own.
    pub counters: Counters,
    /// Where the active expire cycle resumes (database index).
    expire_db_cursor: usize,
}

impl Keyspace {
    /// `n` empty databases.
    pub fn new(n: usize) -> Self {
        Keyspace { dbs: (0..n).map(|_| Db::new()).collect(), counters: Counters::default(), expire_db_cursor: 0 }
    }

    /// Total keys over all databases.
    pub fn total_keys(&self) -> usize {
        self.dbs.iter().map(|d| d.len()).sum()
    }

    /// Runs the active expire cycle over the databases within `budget`,
    /// resuming at the database where the previous call stopped. `effort`
    /// is `active-expire-effort` (1..=10). Returns whether the time budget
    /// ran out (so the caller may schedule a fast cycle).
    pub fn active_expire_cycle(&mut self, now_ms: i64, budget: Duration, effort: u32) -> bool {
        let start = Instant::now();
        let deadline = start + budget;
        let effort = effort.clamp(1, 10) as usize - 1;
        let keys_per_loop = 20 + 20 / 4 * effort;
        let acceptable_stale = 10 - effort;
        let n = self.dbs.len();
        let mut timed_out = false;
        for _ in 0..n.min(16) {
            let idx = self.expire_db_cursor % n;
            self.expire_db_cursor = (self.expire_db_cursor + 1) % n;
            let (_, out) = self.dbs[idx].active_expire(idx, now_ms, keys_per_loop, acceptable_stale, deadline, &mut self.counters);
            if out || Instant::now() >= deadline {
                timed_out = true;
                break;
            }
        }
        self.counters.expire_cycle_cpu_us += start.elapsed().as_micros() as u64;
        timed_out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::string::Str;

    #[test]
    fn lazy_and_active_expiry() {
        let mut ks = Keyspace::new(2);
        let db = &mut ks.dbs[0];
        for i in 0..1000 {
            let k = format!("k{i}");
            db.set(k.as_bytes(), Value::Str(Str::from_client(b"v")), 0, false, false);
            if i % 2 == 0 {
                db.set_expire(k.as_bytes(), 100);
            }
        }
        assert!(db.get(b"k0", 200, &mut ks.counters, 0).is_none());
        assert!(db.get(b"k1", 200, &mut ks.counters, 0).is_some());
        assert_eq!(ks.counters.expired_keys, 1);
        for _ in 0..100 {
            ks.active_expire_cycle(200, Duration::from_millis(50), 1);
        }
        assert_eq!(ks.dbs[0].len(), 500);
        assert_eq!(ks.dbs[0].expires.len(), 0);
    }
}
