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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_stay_small() {
        assert!(std::mem::size_of::<Value>() <= 32, "Value is {} bytes", std::mem::size_of::<Value>());
        assert!(std::mem::size_of::<Object>() <= 40);
    }
}
