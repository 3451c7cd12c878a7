//! `maxmemory`: eviction, the `-OOM` decision, and broker-safe protection.
//!
//! # When eviction runs
//!
//! Before every command (not inside EXEC or a script), while `maxmemory` is
//! set, the dispatcher calls [`perform`] (Redis's `performEvictions`). If
//! `used_memory` (see [`crate::alloc`]), minus what Redis doesn't count for
//! eviction (the AOF buffer), is over the limit, keys are deleted until the
//! excess is freed. The amount freed is measured, not estimated: the
//! allocator count is read before and after each deletion. Each evicted key
//! is a real deletion: WATCHes on it break, an `evicted` keyspace event is
//! published, and a `DEL` reaches the AOF.
//!
//! The outcome decides the command's fate: [`Outcome::Fail`] (nothing more
//! can be evicted, or the policy is `noeviction`) makes the dispatcher
//! answer `-OOM` to commands flagged `denyoom` and to everything queued in
//! MULTI. Eviction is bounded in time by `maxmemory-eviction-tenacity`
//! (0-10: 0-500 µs, then 15% more per step, 100: no limit); when the budget
//! runs out with memory still over, the command is allowed
//! ([`Outcome::Running`]) and the server cron keeps evicting, as Redis's
//! eviction time proc does.
//!
//! # Choosing the victim
//!
//! The random policies pick a random key (from the main table, or the
//! expires table for `volatile-random`), visiting the databases round
//! robin. The others approximate the ideal choice as Redis does: each round
//! samples `maxmemory-samples` keys of every database (`Dict::sample`, a
//! run of consecutive buckets from a random position) and offers them to a
//! 16-entry *eviction pool* kept sorted by a score where higher means
//! "evict first":
//!
//! - LRU: seconds since the last access (the object's 24-bit LRU clock);
//! - LFU: 255 minus the decayed logarithmic access counter;
//! - volatile-ttl: `u64::MAX` minus the expire time, so the nearest expiry
//!   scores highest.
//!
//! A candidate enters the pool only if it beats the worst entry of a full
//! pool. The best entry is then evicted (if it still exists; it may have
//! been deleted since it was pooled). The pool persists across calls, so
//! good candidates found earlier are not forgotten; this is what makes the
//! approximation close to true LRU with only 5 samples.
//!
//! # Protected keys (hematite's own)
//!
//! As a Celery broker, Redis under `allkeys-lru` happily evicts the queue
//! lists, the `unacked` hash or the `_kombu.binding.*` sets, silently losing
//! tasks. `eviction-protected-keys` lists glob patterns of keys eviction
//! never chooses; the token `@kombu-queues` also protects every list `Q`
//! (and its priority sub-queues `Q\x06\x16N`) for which kombu's binding set
//! `_kombu.binding.Q` exists, which is how Celery declares its queues.
//! Candidates are checked when sampled; when every sampled key is protected
//! a bounded sweep of the table (resumed by a cursor on the next call) looks
//! for an unprotected one, and if none is found the command gets `-OOM`
//! rather than a task being dropped. An empty list is exactly Redis's
//! behaviour. The memory protected keys hold is measured by an incremental
//! walk of the keyspace in the cron and shown in INFO memory.

use crate::alloc::{size_class, used_memory, used_memory_here};
use crate::state::{Shared, State};
use bytes::Bytes;
use hematite_common::glob::string_match;
use hematite_config::MaxmemoryPolicy;
use hematite_store::db::Key;
use hematite_store::object::{idle_seconds, lfu_decr_and_return};
use hematite_store::{Db, Object, Value};
use std::time::Instant;

/// Entries of the eviction pool (Redis's `EVPOOL_SIZE`).
const POOL_SIZE: usize = 16;

/// Table entries a sweep for unprotected keys visits per call.
const SWEEP_BUDGET: usize = 4096;

/// Sampling rounds that found only protected keys before a sweep.
const ROUNDS_BEFORE_SWEEP: usize = 4;

/// What [`perform`] achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Memory is under the limit (or there is no limit).
    Ok,
    /// Over the limit, but eviction is in progress (time budget used up);
    /// commands are allowed.
    Running,
    /// Over the limit and nothing can be evicted: deny `denyoom` commands.
    Fail,
}

/// One pooled candidate.
#[derive(Debug, Clone)]
struct Candidate {
    score: u64,
    db: usize,
    key: Key,
}

/// Eviction state kept between calls.
#[derive(Debug, Default)]
pub struct Evictor {
    /// Candidates, ascending by score (best at the end).
    pool: Vec<Candidate>,
    /// Round-robin database for the random policies.
    next_db: usize,
    /// Per-database cursors of the sweep for unprotected keys.
    sweep_cursor: Vec<u64>,
    /// The compiled `eviction-protected-keys`.
    pub protect: Protection,
    /// The last pre-command check found memory over the limit with
    /// nothing to evict (Redis's `pre_command_oom_state`), for scripts.
    pub oom_at_start: bool,
    /// Eviction could not finish in its time budget: the cron continues.
    pub running: bool,
    /// Since when memory has been over the limit (for INFO).
    exceeded_since: Option<Instant>,
    /// Total time spent over the limit, µs (`total_eviction_exceeded_time`).
    pub exceeded_total_us: u64,
    /// The protected-memory walk.
    pub scan: ProtectedScan,
}

impl Evictor {
    /// `current_eviction_exceeded_time` in ms.
    pub fn current_exceeded_ms(&self) -> u64 {
        self.exceeded_since.map_or(0, |t| t.elapsed().as_millis() as u64)
    }

    /// `total_eviction_exceeded_time` in ms.
    pub fn total_exceeded_ms(&self) -> u64 {
        (self.exceeded_total_us + self.exceeded_since.map_or(0, |t| t.elapsed().as_micros() as u64)) / 1000
    }

    /// Forgets the pooled candidates (their scores belong to the old
    /// policy).
    pub fn clear_pool(&mut self) {
        self.pool.clear();
    }

    fn set_exceeded(&mut self, over: bool) {
        match (over, self.exceeded_since) {
            (true, None) => self.exceeded_since = Some(Instant::now()),
            (false, Some(t)) => {
                self.exceeded_total_us += t.elapsed().as_micros() as u64;
                self.exceeded_since = None;
            }
            _ => {}
        }
    }
}

/// One compiled pattern: most are a literal name or a literal prefix
/// followed by `*`, which a byte comparison decides; the rest go through
/// the glob matcher, after a check of their literal prefix. (Candidates are
/// checked on every eviction, so this is on the write path under memory
/// pressure.)
#[derive(Debug, Clone)]
enum Pattern {
    Exact(Vec<u8>),
    Prefix(Vec<u8>),
    Glob { prefix: Vec<u8>, pattern: Vec<u8> },
}

impl Pattern {
    fn new(p: &[u8]) -> Pattern {
        let special = |b: &u8| matches!(b, b'*' | b'?' | b'[' | b'\\');
        let lit = p.iter().position(special).unwrap_or(p.len());
        if lit == p.len() {
            Pattern::Exact(p.to_vec())
        } else if lit == p.len() - 1 && p[lit] == b'*' {
            Pattern::Prefix(p[..lit].to_vec())
        } else {
            Pattern::Glob { prefix: p[..lit].to_vec(), pattern: p.to_vec() }
        }
    }

    #[inline]
    fn matches(&self, key: &[u8]) -> bool {
        match self {
            Pattern::Exact(p) => key == &p[..],
            Pattern::Prefix(p) => key.starts_with(p),
            Pattern::Glob { prefix, pattern } => key.starts_with(prefix) && string_match(pattern, key, false),
        }
    }
}

/// The compiled protection setting.
#[derive(Debug, Default, Clone)]
pub struct Protection {
    patterns: Vec<Pattern>,
    kombu_queues: bool,
    /// First bytes a protected name can start with (bit per byte value),
    /// or `None` when some pattern starts with a wildcard: most keys are
    /// cleared by one table lookup.
    first_bytes: Option<[u64; 4]>,
}

/// Prefix of kombu's binding sets.
const KOMBU_BINDING: &[u8] = b"_kombu.binding.";

/// kombu's separator between a queue name and its priority.
const KOMBU_SEP: &[u8] = b"\x06\x16";

impl Protection {
    /// Compiles `eviction-protected-keys`.
    pub fn new(setting: &[Vec<u8>]) -> Self {
        let mut p = Protection::default();
        for s in setting {
            if s.as_slice() == b"@kombu-queues" {
                p.kombu_queues = true;
            } else {
                p.patterns.push(Pattern::new(s));
            }
        }
        let mut set = [0u64; 4];
        let mut all_literal_start = true;
        for pat in &p.patterns {
            let first = match pat {
                Pattern::Exact(b) | Pattern::Prefix(b) | Pattern::Glob { prefix: b, .. } => b.first(),
            };
            match first {
                Some(&b) => set[(b >> 6) as usize] |= 1 << (b & 63),
                None => all_literal_start = false,
            }
        }
        p.first_bytes = all_literal_start.then_some(set);
        p
    }

    /// Whether some pattern may match `key` (false: none can).
    #[inline]
    fn may_match(&self, key: &[u8]) -> bool {
        match (&self.first_bytes, key.first()) {
            (Some(set), Some(&b)) => set[(b >> 6) as usize] & (1 << (b & 63)) != 0,
            (Some(_), None) => false,
            (None, _) => true,
        }
    }

    /// True when nothing is protected (Redis's behaviour).
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty() && !self.kombu_queues
    }

    /// Whether eviction must leave `key` (holding `obj`, in `db`) alone.
    pub fn protects(&self, db: &Db, key: &[u8], obj: &Object) -> bool {
        if self.may_match(key) && self.patterns.iter().any(|p| p.matches(key)) {
            return true;
        }
        self.kombu_queues && matches!(obj.value, Value::List(_)) && is_kombu_queue(db, key)
    }
}

/// A list named `Q` or `Q\x06\x16<priority>` is a kombu queue if the binding
/// set `_kombu.binding.Q` exists (Celery binds each queue to an exchange of
/// the same name).
fn is_kombu_queue(db: &Db, key: &[u8]) -> bool {
    let bound = |q: &[u8]| {
        let mut name = Vec::with_capacity(KOMBU_BINDING.len() + q.len());
        name.extend_from_slice(KOMBU_BINDING);
        name.extend_from_slice(q);
        db.dict.contains_key(&name[..])
    };
    if bound(key) {
        return true;
    }
    // A priority sub-queue: the name ends in the separator and digits.
    let digits = key.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let rest = &key[..key.len() - digits];
    digits > 0 && rest.ends_with(KOMBU_SEP) && bound(&rest[..rest.len() - KOMBU_SEP.len()])
}

/// Eviction time budget in µs for a tenacity (Redis's
/// `evictionTimeLimitUs`); `None` is unlimited.
fn time_limit_us(tenacity: u32) -> Option<u64> {
    match tenacity {
        0..=10 => Some(50 * tenacity as u64),
        11..=99 => Some((500.0 * 1.15f64.powi(tenacity as i32 - 10)) as u64),
        _ => None,
    }
}

/// Bytes over the limit, or `None` when under it (Redis's
/// `getMaxmemoryState`). `used` is the allocator count to compare.
fn excess(st: &State, shared: &Shared, used: u64) -> Option<u64> {
    let max = st.config.maxmemory;
    if max == 0 || used <= max {
        return None;
    }
    let aof = if st.prop.enabled { shared.aof.buffered() as u64 } else { 0 };
    let counted = used.saturating_sub(aof);
    (counted > max).then(|| counted - max)
}

/// Whether memory is over `maxmemory` right now (for MEMORY DOCTOR, INFO).
pub fn over_limit(st: &State, shared: &Shared) -> bool {
    excess(st, shared, used_memory()).is_some()
}

/// Evicts keys until memory is under `maxmemory` (Redis's
/// `performEvictions`); see the module documentation.
pub fn perform(st: &mut State, shared: &Shared) -> Outcome {
    let limit = time_limit_us(st.config.maxmemory_eviction_tenacity);
    perform_within(st, shared, limit)
}

/// [`perform`] with an explicit time budget in µs (`None`: until done).
pub fn perform_within(st: &mut State, shared: &Shared, limit: Option<u64>) -> Outcome {
    if st.config.maxmemory == 0 || shared.loading.load(std::sync::atomic::Ordering::Relaxed) {
        return Outcome::Ok;
    }
    let Some(to_free) = excess(st, shared, used_memory_here()) else {
        st.evict.set_exceeded(false);
        st.evict.running = false;
        return Outcome::Ok;
    };
    st.evict.set_exceeded(true);
    let policy = st.config.maxmemory_policy;
    if policy == MaxmemoryPolicy::Noeviction {
        return Outcome::Fail;
    }
    let start = Instant::now();
    let mut freed: u64 = 0;
    let mut evicted: u64 = 0;
    let mut outcome = Outcome::Ok;
    while freed < to_free {
        let Some((db, key)) = choose(st, policy) else {
            outcome = Outcome::Fail;
            break;
        };
        let before = used_memory_here();
        evict_key(st, db, &key);
        freed += before.saturating_sub(used_memory_here());
        evicted += 1;
        if evicted.is_multiple_of(16) {
            if excess(st, shared, used_memory_here()).is_none() {
                break;
            }
            if limit.is_some_and(|l| start.elapsed().as_micros() as u64 > l) {
                outcome = Outcome::Running;
                break;
            }
        }
    }
    st.evict.running = outcome == Outcome::Running;
    if outcome == Outcome::Ok && excess(st, shared, used_memory_here()).is_none() {
        st.evict.set_exceeded(false);
    }
    outcome
}

/// Deletes an evicted key and does what a deletion by a command would: DEL
/// to the AOF, broken WATCHes, the `evicted` event.
fn evict_key(st: &mut State, db: usize, key: &[u8]) {
    let removed = st.ks.dbs[db].remove(key);
    drop(removed);
    st.stats.evicted_keys += 1;
    if st.prop.enabled {
        st.prop.push(db, vec![Bytes::from_static(b"DEL"), Bytes::copy_from_slice(key)]);
    }
    st.watches.touch(db, key, false);
    st.notify_keyspace(hematite_config::notify::EVICTED, "evicted", key, db, None);
}

/// Picks the next key to evict, or `None` if there is none.
fn choose(st: &mut State, policy: MaxmemoryPolicy) -> Option<(usize, Key)> {
    use MaxmemoryPolicy::*;
    match policy {
        AllkeysRandom | VolatileRandom => choose_random(st, policy == VolatileRandom),
        _ => choose_from_pool(st, policy),
    }
}

/// The score of a candidate under a pool policy (higher: evict first).
fn score(policy: MaxmemoryPolicy, obj: &Object, expire: Option<i64>, decay_time: u32, now_ms: i64) -> u64 {
    use MaxmemoryPolicy::*;
    match policy {
        VolatileTtl => u64::MAX - expire.unwrap_or(i64::MAX).max(0) as u64,
        AllkeysLfu | VolatileLfu => 255 - lfu_decr_and_return(obj.lru, decay_time, now_ms) as u64,
        _ => idle_seconds(obj.lru, now_ms) * 1000,
    }
}

fn choose_from_pool(st: &mut State, policy: MaxmemoryPolicy) -> Option<(usize, Key)> {
    let volatile = policy.is_volatile();
    let samples = st.config.maxmemory_samples.max(1) as usize;
    let decay = st.config.lfu_decay_time;
    let now = crate::clock::now_ms();
    let mut fruitless_rounds = 0;
    loop {
        let mut total = 0usize;
        let mut offered = 0usize;
        for idx in 0..st.ks.dbs.len() {
            let db = &st.ks.dbs[idx];
            let n = if volatile { db.expires.len() } else { db.dict.len() };
            if n == 0 {
                continue;
            }
            total += n;
            let protect = &st.evict.protect;
            let pool = &mut st.evict.pool;
            // The score comes from the object, which sits in the table
            // node just read; the key's bytes (another cache miss) are
            // read only for a candidate good enough for the pool.
            let mut offer = |key: &Key, obj: &Object, expire: Option<i64>| {
                let score = score(policy, obj, expire, decay, now);
                if !pool_wants(pool, score) {
                    offered += 1;
                    return;
                }
                if !protect.is_empty() && protect.protects(db, key, obj) {
                    return;
                }
                offered += 1;
                pool_insert(pool, Candidate { score, db: idx, key: key.clone() });
            };
            if volatile {
                db.expires.sample_with(samples, |k, &when| {
                    if let Some(o) = db.dict.get(&k[..]) {
                        offer(k, o, Some(when));
                    }
                });
            } else {
                db.dict.sample_with(samples, |k, o| {
                    let expire = if policy == MaxmemoryPolicy::VolatileTtl { db.expire_of(k) } else { None };
                    offer(k, o, expire);
                });
            }
        }
        if total == 0 {
            return None;
        }
        if offered == 0 {
            fruitless_rounds += 1;
            if fruitless_rounds >= ROUNDS_BEFORE_SWEEP && st.evict.pool.is_empty() && !sweep(st, policy, decay, now) {
                return None;
            }
        }
        // Best candidates are at the end; stale ones (deleted since) are
        // dropped on the way.
        while let Some(c) = st.evict.pool.pop() {
            let Some(db) = st.ks.dbs.get(c.db) else { continue };
            if volatile && !db.expires.contains_key(&c.key[..]) {
                continue;
            }
            let Some(obj) = db.dict.get(&c.key[..]) else { continue };
            if !st.evict.protect.is_empty() && st.evict.protect.protects(db, &c.key, obj) {
                continue;
            }
            return Some((c.db, c.key));
        }
    }
}

/// Whether a candidate with this score would enter the pool: a full pool
/// takes only candidates that beat its worst entry. Checked before the key
/// is copied.
#[inline]
fn pool_wants(pool: &[Candidate], score: u64) -> bool {
    pool.len() < POOL_SIZE || pool[0].score < score
}

/// Inserts a candidate into the pool, kept ascending by score, as Redis's
/// `evictionPoolPopulate` does: a full pool takes a candidate only if it
/// beats the worst entry, which is then dropped. (A key sampled twice may
/// sit in the pool twice, as in Redis; the second is a ghost when popped.)
fn pool_insert(pool: &mut Vec<Candidate>, c: Candidate) {
    let pos = pool.partition_point(|e| e.score < c.score);
    if pool.len() >= POOL_SIZE {
        if pos == 0 {
            return;
        }
        pool.remove(0);
        pool.insert(pos - 1, c);
    } else {
        pool.insert(pos, c);
    }
}

/// Walks the candidate tables from where the last sweep stopped, offering
/// unprotected keys to the pool; false if a budget's worth of entries (or
/// every table) held none.
fn sweep(st: &mut State, policy: MaxmemoryPolicy, decay: u32, now: i64) -> bool {
    let volatile = policy.is_volatile();
    let ndb = st.ks.dbs.len();
    st.evict.sweep_cursor.resize(ndb, 0);
    let mut visited = 0usize;
    for idx in 0..ndb {
        let db = &st.ks.dbs[idx];
        let mut cursor = st.evict.sweep_cursor[idx];
        let protect = &st.evict.protect;
        let pool = &mut st.evict.pool;
        loop {
            let mut f = |k: &Key, o: &Object, e: Option<i64>| {
                visited += 1;
                if !protect.protects(db, k, o) {
                    let score = score(policy, o, e, decay, now);
                    if pool_wants(pool, score) {
                        pool_insert(pool, Candidate { score, db: idx, key: k.clone() });
                    }
                }
            };
            cursor = if volatile {
                db.expires.scan(cursor, |k, &when| {
                    if let Some(o) = db.dict.get(&k[..]) {
                        f(k, o, Some(when));
                    }
                })
            } else {
                db.dict.scan(cursor, |k, o| f(k, o, None))
            };
            if cursor == 0 || visited >= SWEEP_BUDGET || !pool.is_empty() {
                break;
            }
        }
        st.evict.sweep_cursor[idx] = cursor;
        if !st.evict.pool.is_empty() {
            return true;
        }
        if visited >= SWEEP_BUDGET {
            return false;
        }
    }
    false
}

fn choose_random(st: &mut State, volatile: bool) -> Option<(usize, Key)> {
    let ndb = st.ks.dbs.len();
    let mut any = false;
    for _ in 0..ndb {
        st.evict.next_db = (st.evict.next_db + 1) % ndb;
        let idx = st.evict.next_db;
        let db = &st.ks.dbs[idx];
        let n = if volatile { db.expires.len() } else { db.dict.len() };
        if n == 0 {
            continue;
        }
        any = true;
        for _ in 0..16 {
            let key = if volatile { db.expires.random_entry().map(|(k, _)| k) } else { db.dict.random_entry().map(|(k, _)| k) };
            let Some(key) = key else { break };
            match db.dict.get(&key[..]) {
                Some(o) if st.evict.protect.is_empty() || !st.evict.protect.protects(db, key, o) => return Some((idx, key.clone())),
                _ => {}
            }
        }
    }
    if !any {
        return None;
    }
    // Every pick was protected: sweep for an unprotected key.
    let policy = if volatile { MaxmemoryPolicy::VolatileRandom } else { MaxmemoryPolicy::AllkeysRandom };
    if sweep(st, policy, 0, 0) {
        let c = st.evict.pool.pop()?;
        st.evict.pool.clear();
        return Some((c.db, c.key));
    }
    None
}

/// Approximate bytes a key holds: its table entry and key copy, its value,
/// and its expires entry (what `MEMORY USAGE` reports).
pub fn key_memory(key: &[u8], obj: &Object, has_ttl: bool) -> usize {
    key_memory_sampled(key, obj, has_ttl, 0)
}

/// [`key_memory`] with a large hash or set's size extrapolated from
/// `samples` elements (0: exact), as `MEMORY USAGE ... SAMPLES` asks.
pub fn key_memory_sampled(key: &[u8], obj: &Object, has_ttl: bool, samples: usize) -> usize {
    let node = size_class(std::mem::size_of::<Key>() + std::mem::size_of::<Object>() + 8);
    // Keys of up to 15 bytes live in the node itself (see `Key`).
    let key_bytes = if key.len() > hematite_store::key::INLINE_MAX { size_class(key.len()) } else { 0 };
    let bucket = 8;
    let ttl = if has_ttl { size_class(std::mem::size_of::<Key>() + 16) + key_bytes + bucket } else { 0 };
    node + key_bytes + bucket + value_memory(&obj.value, samples) + ttl
}

fn value_memory(v: &Value, samples: usize) -> usize {
    match v {
        Value::Str(s) => match s.heap_size() {
            0 => 0,
            n => size_class(n),
        },
        Value::Hash(h) => h.heap_size_sampled(samples),
        Value::Set(s) => s.heap_size_sampled(samples),
        other => other.heap_size(),
    }
}

/// The cron's incremental walk of the keyspace measuring protected keys.
#[derive(Debug, Default)]
pub struct ProtectedScan {
    db: usize,
    cursor: u64,
    keys_acc: u64,
    bytes_acc: u64,
    /// Protected keys found by the last complete walk.
    pub keys: u64,
    /// Bytes they held.
    pub bytes: u64,
    /// A walk has completed at least once.
    pub complete: bool,
}

/// Advances the protected-memory walk by up to `budget` entries.
pub fn scan_protected(st: &mut State, budget: usize) {
    let ndb = st.ks.dbs.len();
    let scan = &mut st.evict.scan;
    let protect = &st.evict.protect;
    if protect.is_empty() {
        *scan = ProtectedScan { complete: true, ..Default::default() };
        return;
    }
    let mut visited = 0;
    while visited < budget {
        if scan.db >= ndb {
            scan.keys = scan.keys_acc;
            scan.bytes = scan.bytes_acc;
            scan.complete = true;
            scan.keys_acc = 0;
            scan.bytes_acc = 0;
            scan.db = 0;
            scan.cursor = 0;
            break;
        }
        let db = &st.ks.dbs[scan.db];
        if db.dict.is_empty() {
            scan.db += 1;
            scan.cursor = 0;
            continue;
        }
        let (mut keys, mut bytes) = (0u64, 0u64);
        scan.cursor = db.dict.scan(scan.cursor, |k, o| {
            visited += 1;
            if protect.protects(db, k, o) {
                keys += 1;
                bytes += key_memory(k, o, db.expire_of(k).is_some()) as u64;
            }
        });
        scan.keys_acc += keys;
        scan.bytes_acc += bytes;
        if scan.cursor == 0 {
            scan.db += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hematite_store::Str;

    fn cand(score: u64, k: &str) -> Candidate {
        Candidate { score, db: 0, key: k.as_bytes().into() }
    }

    #[test]
    fn pool_keeps_the_best_sixteen_in_order() {
        let mut pool = Vec::new();
        for i in 0..40u64 {
            pool_insert(&mut pool, cand((i * 7919) % 101, &format!("k{i}")));
        }
        assert_eq!(pool.len(), POOL_SIZE);
        assert!(pool.windows(2).all(|w| w[0].score <= w[1].score));
        let mut all: Vec<u64> = (0..40u64).map(|i| (i * 7919) % 101).collect();
        all.sort();
        assert_eq!(pool.iter().map(|c| c.score).collect::<Vec<_>>(), all[40 - POOL_SIZE..].to_vec());
        // A worse candidate than all of a full pool is not taken.
        pool_insert(&mut pool, cand(0, "worst"));
        assert!(pool.iter().all(|c| &c.key[..] != b"worst"));
    }

    #[test]
    fn tenacity_limits() {
        assert_eq!(time_limit_us(0), Some(0));
        assert_eq!(time_limit_us(10), Some(500));
        assert_eq!(time_limit_us(11), Some(575));
        assert_eq!(time_limit_us(100), None);
    }

    #[test]
    fn kombu_queues_are_recognised() {
        let mut db = Db::new();
        let list = || Value::List(Box::default());
        db.insert_new(b"_kombu.binding.mail", Value::Str(Str::from_client(b"x")), 0);
        db.insert_new(b"mail", list(), 0);
        db.insert_new(b"mail\x06\x163", list(), 0);
        db.insert_new(b"other", list(), 0);
        db.insert_new(b"cache:1", Value::Str(Str::from_client(b"v")), 0);
        let p = Protection::new(&[b"@kombu-queues".to_vec(), b"_kombu.binding.*".to_vec()]);
        let prot = |k: &[u8]| p.protects(&db, k, db.dict.get(k).unwrap());
        assert!(prot(b"mail"));
        assert!(prot(b"mail\x06\x163"));
        assert!(prot(b"_kombu.binding.mail"));
        assert!(!prot(b"other"));
        assert!(!prot(b"cache:1"));
        assert!(Protection::new(&[]).is_empty());
    }

    #[test]
    fn patterns_compile_to_the_glob_semantics() {
        let pats: &[&[u8]] = &[b"celery", b"celery\x06\x16*", b"_kombu.binding.*", b"q?:*", b"a*b", b"[xy]z", b"esc\\*"];
        let keys: &[&[u8]] = &[b"celery", b"celery\x06\x163", b"celeryx", b"_kombu.binding.", b"_kombu.binding.q", b"q1:", b"q12:", b"ab", b"axxb", b"xz", b"zz", b"esc*", b"escx", b""];
        for p in pats {
            let c = Pattern::new(p);
            for k in keys {
                assert_eq!(c.matches(k), string_match(p, k, false), "pattern {:?} key {:?}", p, k);
            }
        }
        // Through the whole setting, with and without the first-byte filter.
        let db = Db::new();
        let obj = Object::new(Value::Str(Str::from_client(b"v")), 0);
        for set in [&pats[..3], pats, &[&b"*x"[..], b"a"][..]] {
            let p = Protection::new(&set.iter().map(|p| p.to_vec()).collect::<Vec<_>>());
            for k in keys {
                let want = set.iter().any(|pat| string_match(pat, k, false));
                assert_eq!(p.protects(&db, k, &obj), want, "key {:?}", k);
            }
        }
        assert!(matches!(Pattern::new(b"celery"), Pattern::Exact(_)));
        assert!(matches!(Pattern::new(b"_kombu.binding.*"), Pattern::Prefix(_)));
    }
}
