//! Values stored in the keyspace.
//!
//! Every key maps to an [`Object`]: the value itself plus the access
//! metadata eviction needs (the LRU clock of the last access, or the LFU
//! counter and its decay time, in the same 24 bits Redis uses). The value's
//! variants are the Redis types; each type hides its internal encodings
//! behind its own module (strings in [`crate::string`]), so command code
//! never depends on how a value happens to be stored.

use crate::hash::Hash;
use crate::list::List;
use crate::set::Set;
use crate::string::Str;
use crate::zset::ZSet;

/// The Redis type of a value, as `TYPE` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `string`.
    String,
    /// `list`.
    List,
    /// `set`.
    Set,
    /// `zset`.
    ZSet,
    /// `hash`.
    Hash,
    /// `stream`.
    Stream,
}

impl Kind {
    /// The name `TYPE` and `SCAN ... TYPE` use.
    pub fn name(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::List => "list",
            Kind::Set => "set",
            Kind::ZSet => "zset",
            Kind::Hash => "hash",
            Kind::Stream => "stream",
        }
    }
}

/// A value of one of the Redis types.
///
/// Containers are boxed so that a value, and with it every keyspace entry,
/// stays small (32 bytes): most keys of a cache are strings, and they
/// shouldn't pay for the largest container's inline size.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string (also used for integers and floats).
    Str(Str),
    /// A list.
    List(Box<List>),
    /// A hash.
    Hash(Box<Hash>),
    /// A set.
    Set(Box<Set>),
    /// A sorted set.
    ZSet(Box<ZSet>),
}

impl Value {
    /// The value's Redis type.
    pub fn kind(&self) -> Kind {
        match self {
            Value::Str(_) => Kind::String,
            Value::List(_) => Kind::List,
            Value::Hash(_) => Kind::Hash,
            Value::Set(_) => Kind::Set,
            Value::ZSet(_) => Kind::ZSet,
        }
    }

    /// The encoding name `OBJECT ENCODING` reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Str(s) => s.encoding(),
            Value::List(l) => l.encoding(),
            Value::Hash(h) => h.encoding(),
            Value::Set(s) => s.encoding(),
            Value::ZSet(z) => z.encoding(),
        }
    }

    /// Approximate heap bytes held by the value (for MEMORY USAGE).
    pub fn heap_size(&self) -> usize {
        match self {
            Value::Str(s) => s.heap_size(),
            Value::List(l) => l.heap_size(),
            Value::Hash(h) => h.heap_size(),
            Value::Set(s) => s.heap_size(),
            Value::ZSet(z) => z.heap_size(),
        }
    }
}

/// A keyspace entry: a value and its access metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// The value.
    pub value: Value,
    /// The LRU clock (seconds, 24 bits) at the last access, or, under an LFU
    /// policy, the last decrement time (16 bits of minutes) and the
    /// logarithmic counter (8 bits), packed as Redis packs them.
    pub lru: u32,
}

impl Object {
    /// Wraps a value, stamping it with the current access clock.
    #[inline]
    pub fn new(value: Value, lru: u32) -> Self {
        Object { value, lru }
    }
}

/// The LRU clock has 24 bits of seconds, like Redis's `LRU_CLOCK_MAX`.
pub const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;

/// The LRU clock for a Unix time in milliseconds.
#[inline]
pub fn lru_clock(now_ms: i64) -> u32 {
    ((now_ms / 1000) as u32) & LRU_CLOCK_MAX
}

/// Seconds since an object stamped `lru` was last accessed, handling the
/// 24-bit wrap as Redis's `estimateObjectIdleTime` does.
pub fn idle_seconds(lru: u32, now_ms: i64) -> u64 {
    let clock = lru_clock(now_ms);
    if clock >= lru {
        (clock - lru) as u64
    } else {
        (clock as u64 + (LRU_CLOCK_MAX - lru) as u64) + 1
    }
}

/// How lookups stamp the objects they touch: Redis keeps either an LRU
/// clock or an LFU counter in the same 24 bits, chosen by the
/// `maxmemory-policy`, and doesn't touch objects at all while a fork child
/// exists (so that reads don't copy pages the child is writing out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Store the LRU clock (seconds, 24 bits).
    Lru,
    /// Keep Redis's LFU data: 16 bits of minutes when the counter was last
    /// decremented, and an 8-bit logarithmic counter.
    Lfu {
        /// `lfu-log-factor`.
        log_factor: u32,
        /// `lfu-decay-time` (minutes per decrement; 0 = never decay).
        decay_time: u32,
    },
    /// Don't update objects that are read (a fork child is running).
    Frozen,
}

/// Initial LFU counter of a new object (Redis's `LFU_INIT_VAL`), so that a
/// fresh key is not evicted before it had a chance to be used.
pub const LFU_INIT_VAL: u32 = 5;

impl Access {
    /// The stamp of a new object (Redis's `createObject`).
    #[inline]
    pub fn new_stamp(self, now_ms: i64) -> u32 {
        match self {
            Access::Lfu { .. } => (lfu_minutes(now_ms) << 8) | LFU_INIT_VAL,
            _ => lru_clock(now_ms),
        }
    }
}

impl Object {
    /// Records an access (Redis's `lookupKey` touch: `updateLFU` or the LRU
    /// clock).
    #[inline]
    pub fn touch(&mut self, access: Access, now_ms: i64) {
        match access {
            Access::Lru => self.lru = lru_clock(now_ms),
            Access::Lfu { log_factor, decay_time } => {
                let counter = lfu_decr_and_return(self.lru, decay_time, now_ms);
                let counter = lfu_log_incr(counter, log_factor);
                self.lru = (lfu_minutes(now_ms) << 8) | counter;
            }
            Access::Frozen => {}
        }
    }
}

/// Minutes since the epoch, 16 bits (Redis's `LFUGetTimeInMinutes`).
#[inline]
pub fn lfu_minutes(now_ms: i64) -> u32 {
    ((now_ms / 60_000) & 0xFFFF) as u32
}

/// The LFU counter of a stamp after applying the decay due since its last
/// decrement time (Redis's `LFUDecrAndReturn`); does not store it.
pub fn lfu_decr_and_return(stamp: u32, decay_time: u32, now_ms: i64) -> u32 {
    let ldt = stamp >> 8;
    let counter = stamp & 0xFF;
    if decay_time == 0 {
        return counter;
    }
    let now = lfu_minutes(now_ms);
    let elapsed = if now >= ldt { now - ldt } else { 65535 - ldt + now };
    let periods = elapsed / decay_time;
    counter.saturating_sub(periods)
}

/// Increments an LFU counter with probability `1 / ((counter - 5) *
/// log_factor + 1)`, so that it grows logarithmically with the number of
/// accesses and saturates at 255 (Redis's `LFULogIncr`).
pub fn lfu_log_incr(counter: u32, log_factor: u32) -> u32 {
    if counter >= 255 {
        return 255;
    }
    let base = counter.saturating_sub(LFU_INIT_VAL) as f64;
    let p = 1.0 / (base * log_factor as f64 + 1.0);
    if unit_random() < p {
        counter + 1
    } else {
        counter
    }
}

/// A uniform number in [0, 1) from a per-thread xorshift generator (cheap
/// enough to call on every read under an LFU policy).
fn unit_random() -> f64 {
    use std::cell::Cell;
    thread_local! {
        static STATE: Cell<u64> = Cell::new(rand::random::<u64>() | 1);
    }
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        (x >> 11) as f64 / (1u64 << 53) as f64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_stay_small() {
        assert!(std::mem::size_of::<Value>() <= 32, "Value is {} bytes", std::mem::size_of::<Value>());
        assert!(std::mem::size_of::<Object>() <= 40);
    }

    #[test]
    fn lfu_counter_grows_logarithmically_and_decays() {
        let now = 1_700_000_000_000i64;
        let access = Access::Lfu { log_factor: 10, decay_time: 1 };
        let mut o = Object::new(Value::Str(Str::Int(1)), access.new_stamp(now));
        assert_eq!(o.lru & 0xFF, LFU_INIT_VAL);
        for _ in 0..1000 {
            o.touch(access, now);
        }
        let c = o.lru & 0xFF;
        // Redis's table for lfu-log-factor 10: about 18 after 1k hits (the
        // increments are random, so a wide band).
        assert!((8..=40).contains(&c), "counter {c}");
        // Ten minutes later, with one decrement per minute.
        assert_eq!(lfu_decr_and_return(o.lru, 1, now + 600_000), c - 10);
        assert_eq!(lfu_decr_and_return(o.lru, 0, now + 600_000), c);
        assert_eq!(lfu_decr_and_return(o.lru, 1, now + 6_000_000_000), 0);
    }
}
