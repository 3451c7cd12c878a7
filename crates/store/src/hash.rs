//! The hash type and its two Redis 7.0 encodings.
//!
//! # `listpack`
//!
//! A small hash is one contiguous byte buffer holding its fields and values
//! alternately (`field1 value1 field2 value2 ...`) in insertion order, like
//! Redis's listpack. Every entry starts with a tag byte:
//!
//! | tag            | entry                                               |
//! |----------------|-----------------------------------------------------|
//! | `0x00..=0x7F`  | the integer 0..127 itself                           |
//! | `0x80..=0xBF`  | a string of `tag & 0x3F` bytes (0..63) follows      |
//! | `0xC0..=0xCF`  | a string; 12-bit length `(tag & 0x0F) << 8 | next`   |
//! | `0xD0..=0xD3`  | an integer in 1, 2, 4 or 8 little-endian bytes      |
//! | `0xE0`         | a string; 32-bit little-endian length follows       |
//!
//! A string is stored as an integer exactly when Redis's `string2ll` accepts
//! it (canonical decimal, no `+`, no leading zeros, fits in 64 bits), so the
//! integer form converts back to the very same bytes, and a field looked up
//! by its text can only ever match entries of its own kind. Lookups are a
//! linear walk, as in Redis; the encoding is only used while the hash is
//! small.
//!
//! The hash converts to `hashtable` exactly when Redis 7.0 converts (never
//! back): when it would hold more than `hash-max-listpack-entries` fields,
//! when a field or value longer than `hash-max-listpack-value` is stored
//! (`hashTypeSet`), and when a command's arguments include such a string
//! before anything is stored ([`Hash::convert_for_args`], Redis's
//! `hashTypeTryConversion`, which HSET, HMSET and HSETNX call even if the
//! long string ends up not being written).
//!
//! # `hashtable`
//!
//! A [`Dict`] whose keys are single allocations holding both the field and
//! its value (`[field length as LEB128][field][value]`), hashed and compared
//! by the field only, with a zero-sized value: one node and one buffer per
//! field. Updating a value replaces the entry. SCAN uses the dict's
//! reverse-binary cursor (HSCAN); a listpack hash is returned whole with
//! cursor 0, as Redis does.

use crate::dict::Dict;
use hematite_common::num::parse_i64;
use rand::Rng;
use std::borrow::Borrow;
use std::fmt;

/// The thresholds that decide the encoding (from the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `hash-max-listpack-entries`: most fields a listpack hash holds.
    pub max_entries: usize,
    /// `hash-max-listpack-value`: longest field or value a listpack holds.
    pub max_value: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_entries: 512, max_value: 64 }
    }
}

// ---------------------------------------------------------------------------
// Listpack entries
// ---------------------------------------------------------------------------

/// One decoded listpack entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Elem<'a> {
    Str(&'a [u8]),
    Int(i64),
}

impl<'a> Elem<'a> {
    /// The form a string argument takes in a listpack.
    fn of(s: &'a [u8]) -> Self {
        match parse_i64(s) {
            Some(v) => Elem::Int(v),
            None => Elem::Str(s),
        }
    }

    /// Calls `f` with the entry's bytes (integers are formatted on the stack).
    #[inline]
    fn with<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Elem::Str(s) => f(s),
            Elem::Int(v) => f(itoa::Buffer::new().format(v).as_bytes()),
        }
    }

    fn to_vec(self) -> Vec<u8> {
        self.with(|b| b.to_vec())
    }

    fn byte_len(self) -> usize {
        match self {
            Elem::Str(s) => s.len(),
            Elem::Int(v) => hematite_common::num::sdigits10(v),
        }
    }
}

/// Appends the encoding of `s` to `out`.
fn encode(out: &mut Vec<u8>, s: &[u8]) {
    match Elem::of(s) {
        Elem::Int(v) => {
            if (0..=0x7F).contains(&v) {
                out.push(v as u8);
            } else if let Ok(x) = i8::try_from(v) {
                out.push(0xD0);
                out.extend_from_slice(&x.to_le_bytes());
            } else if let Ok(x) = i16::try_from(v) {
                out.push(0xD1);
                out.extend_from_slice(&x.to_le_bytes());
            } else if let Ok(x) = i32::try_from(v) {
                out.push(0xD2);
                out.extend_from_slice(&x.to_le_bytes());
            } else {
                out.push(0xD3);
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        Elem::Str(s) => {
            let n = s.len();
            if n < 64 {
                out.push(0x80 | n as u8);
            } else if n < 4096 {
                out.push(0xC0 | (n >> 8) as u8);
                out.push(n as u8);
            } else {
                out.push(0xE0);
                out.extend_from_slice(&(n as u32).to_le_bytes());
            }
            out.extend_from_slice(s);
        }
    }
}

/// Size of the encoding of `s`.
fn encoded_len(s: &[u8]) -> usize {
    match Elem::of(s) {
        Elem::Int(v) if (0..=0x7F).contains(&v) => 1,
        Elem::Int(v) if i8::try_from(v).is_ok() => 2,
        Elem::Int(v) if i16::try_from(v).is_ok() => 3,
        Elem::Int(v) if i32::try_from(v).is_ok() => 5,
        Elem::Int(_) => 9,
        Elem::Str(s) if s.len() < 64 => 1 + s.len(),
        Elem::Str(s) if s.len() < 4096 => 2 + s.len(),
        Elem::Str(s) => 5 + s.len(),
    }
}

/// Decodes the entry at `pos`; returns it and the position after it.
#[inline]
fn decode(buf: &[u8], pos: usize) -> (Elem<'_>, usize) {
    let tag = buf[pos];
    let p = pos + 1;
    match tag {
        0x00..=0x7F => (Elem::Int(tag as i64), p),
        0x80..=0xBF => {
            let n = (tag & 0x3F) as usize;
            (Elem::Str(&buf[p..p + n]), p + n)
        }
        0xC0..=0xCF => {
            let n = (((tag & 0x0F) as usize) << 8) | buf[p] as usize;
            (Elem::Str(&buf[p + 1..p + 1 + n]), p + 1 + n)
        }
        0xD0 => (Elem::Int(buf[p] as i8 as i64), p + 1),
        0xD1 => (Elem::Int(i16::from_le_bytes([buf[p], buf[p + 1]]) as i64), p + 2),
        0xD2 => {
            let b: [u8; 4] = buf[p..p + 4].try_into().expect("4 bytes");
            (Elem::Int(i32::from_le_bytes(b) as i64), p + 4)
        }
        0xD3 => {
            let b: [u8; 8] = buf[p..p + 8].try_into().expect("8 bytes");
            (Elem::Int(i64::from_le_bytes(b)), p + 8)
        }
        0xE0 => {
            let b: [u8; 4] = buf[p..p + 4].try_into().expect("4 bytes");
            let n = u32::from_le_bytes(b) as usize;
            (Elem::Str(&buf[p + 4..p + 4 + n]), p + 4 + n)
        }
        _ => unreachable!("corrupt listpack tag {tag:#x}"),
    }
}

/// A listpack of field/value pairs.
#[derive(Clone, Default, PartialEq, Eq)]
struct Listpack {
    buf: Vec<u8>,
    /// Number of pairs.
    pairs: usize,
}

/// Where a pair sits in the buffer.
struct PairPos {
    field: usize,
    value: usize,
    end: usize,
}

impl Listpack {
    /// Calls `f(field, value)` for every pair in order; stops early when `f`
    /// returns false.
    fn walk<'a>(&'a self, mut f: impl FnMut(Elem<'a>, Elem<'a>, &PairPos) -> bool) {
        let mut pos = 0;
        while pos < self.buf.len() {
            let (k, vpos) = decode(&self.buf, pos);
            let (v, end) = decode(&self.buf, vpos);
            if !f(k, v, &PairPos { field: pos, value: vpos, end }) {
                return;
            }
            pos = end;
        }
    }

    fn find(&self, field: &[u8]) -> Option<(Elem<'_>, PairPos)> {
        let want = Elem::of(field);
        let mut found = None;
        self.walk(|k, v, p| {
            if k == want {
                found = Some((v, PairPos { field: p.field, value: p.value, end: p.end }));
                false
            } else {
                true
            }
        });
        found
    }

    fn push(&mut self, field: &[u8], value: &[u8]) {
        self.buf.reserve_exact(encoded_len(field) + encoded_len(value));
        encode(&mut self.buf, field);
        encode(&mut self.buf, value);
        self.pairs += 1;
    }

    /// Replaces the value of the pair at `p`.
    fn replace_value(&mut self, p: &PairPos, value: &[u8]) {
        let mut enc = Vec::with_capacity(value.len() + 5);
        encode(&mut enc, value);
        self.buf.splice(p.value..p.end, enc);
        self.buf.shrink_to_fit();
    }

    fn remove(&mut self, p: &PairPos) {
        self.buf.drain(p.field..p.end);
        self.buf.shrink_to_fit();
        self.pairs -= 1;
    }

    /// Start offsets of every pair.
    fn offsets(&self) -> Vec<usize> {
        let mut v = Vec::with_capacity(self.pairs);
        self.walk(|_, _, p| {
            v.push(p.field);
            true
        });
        v
    }

    fn pair_at(&self, pos: usize) -> (Elem<'_>, Elem<'_>) {
        let (k, vpos) = decode(&self.buf, pos);
        (k, decode(&self.buf, vpos).0)
    }
}

// ---------------------------------------------------------------------------
// Hashtable entries
// ---------------------------------------------------------------------------

/// A hashtable entry: field and value in one allocation, keyed by the field.
struct Entry(Box<[u8]>);

impl Entry {
    fn new(field: &[u8], value: &[u8]) -> Self {
        let mut v = Vec::with_capacity(field.len() + value.len() + 5);
        let mut n = field.len();
        loop {
            let byte = (n & 0x7F) as u8;
            n >>= 7;
            if n == 0 {
                v.push(byte);
                break;
            }
            v.push(byte | 0x80);
        }
        v.extend_from_slice(field);
        v.extend_from_slice(value);
        Entry(v.into_boxed_slice())
    }

    #[inline]
    fn split(&self) -> (&[u8], &[u8]) {
        let mut n = 0usize;
        let mut shift = 0;
        let mut i = 0;
        loop {
            let b = self.0[i];
            n |= ((b & 0x7F) as usize) << shift;
            i += 1;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        (&self.0[i..i + n], &self.0[i + n..])
    }

    #[inline]
    fn field(&self) -> &[u8] {
        self.split().0
    }
}

impl Borrow<[u8]> for Entry {
    fn borrow(&self) -> &[u8] {
        self.field()
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.field() == other.field()
    }
}

impl Eq for Entry {}

impl std::hash::Hash for Entry {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Must hash exactly like the borrowed `[u8]`.
        self.field().hash(state);
    }
}

// ---------------------------------------------------------------------------
// The hash
// ---------------------------------------------------------------------------

enum Repr {
    Listpack(Listpack),
    Table(Box<Dict<Entry, ()>>),
}

/// A hash value.
pub struct Hash {
    repr: Repr,
}

impl Default for Hash {
    fn default() -> Self {
        Hash { repr: Repr::Listpack(Listpack::default()) }
    }
}

impl Clone for Hash {
    fn clone(&self) -> Self {
        match &self.repr {
            Repr::Listpack(lp) => Hash { repr: Repr::Listpack(lp.clone()) },
            Repr::Table(d) => {
                let mut nd = Dict::with_capacity(d.len());
                for (e, _) in d.iter() {
                    let (f, v) = e.split();
                    nd.insert(Entry::new(f, v), ());
                }
                Hash { repr: Repr::Table(Box::new(nd)) }
            }
        }
    }
}

impl PartialEq for Hash {
    fn eq(&self, other: &Self) -> bool {
        if self.len() != other.len() {
            return false;
        }
        let mut same = true;
        self.for_each(|f, v| {
            if same && other.get_with(f, |ov| ov == v) != Some(true) {
                same = false;
            }
        });
        same
    }
}

impl Eq for Hash {}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        self.for_each(|k, v| {
            m.entry(&String::from_utf8_lossy(k), &String::from_utf8_lossy(v));
        });
        m.finish()
    }
}

impl Hash {
    /// An empty (listpack-encoded) hash.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty hashtable-encoded hash with room for `capacity` fields
    /// (bulk loading of a hash known to be large).
    pub fn new_table(capacity: usize) -> Self {
        Hash { repr: Repr::Table(Box::new(Dict::with_capacity(capacity))) }
    }

    /// Appends a field the caller knows is absent, without looking it up
    /// and without converting (bulk loading, where duplicates were ruled
    /// out beforehand): a listpack gets the pair at its end, a hashtable
    /// inserts it.
    pub fn push_unique(&mut self, field: &[u8], value: &[u8]) {
        match &mut self.repr {
            Repr::Listpack(lp) => lp.push(field, value),
            Repr::Table(d) => {
                d.insert(Entry::new(field, value), ());
            }
        }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Listpack(lp) => lp.pairs,
            Repr::Table(d) => d.len(),
        }
    }

    /// True when empty (an empty hash is never stored).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        match self.repr {
            Repr::Listpack(_) => "listpack",
            Repr::Table(_) => "hashtable",
        }
    }

    /// True while the hash uses the listpack encoding.
    pub fn is_listpack(&self) -> bool {
        matches!(self.repr, Repr::Listpack(_))
    }

    /// Heap bytes held.
    pub fn heap_size(&self) -> usize {
        self.heap_size_sampled(0)
    }

    /// Heap bytes held, extrapolated from the first `samples` fields of a
    /// hashtable (0: all of them), like Redis's `objectComputeSize`.
    pub fn heap_size_sampled(&self, samples: usize) -> usize {
        match &self.repr {
            Repr::Listpack(lp) => lp.buf.capacity(),
            Repr::Table(d) => {
                let n = if samples == 0 { d.len() } else { samples.min(d.len()) };
                let sum: usize = d.iter().take(n).map(|(e, _)| e.0.len() + 32).sum();
                d.bucket_memory() + if n == 0 { 0 } else { sum * d.len() / n }
            }
        }
    }

    /// Converts a listpack hash to a hashtable (Redis's `hashTypeConvert`).
    pub fn convert_to_table(&mut self) {
        if let Repr::Listpack(lp) = &self.repr {
            let mut d = Dict::with_capacity(lp.pairs);
            lp.walk(|k, v, _| {
                k.with(|f| v.with(|v| d.insert(Entry::new(f, v), ())));
                true
            });
            self.repr = Repr::Table(Box::new(d));
        }
    }

    /// Redis's `hashTypeTryConversion`: converts a listpack hash to a
    /// hashtable if any of `args` (the fields and values a command is about
    /// to store) is longer than `max_value`.
    pub fn convert_for_args<'a>(&mut self, args: impl IntoIterator<Item = &'a [u8]>, limits: Limits) {
        if self.is_listpack() && args.into_iter().any(|a| a.len() > limits.max_value) {
            self.convert_to_table();
        }
    }

    /// Calls `f` with the value of `field`; `None` if the field is missing.
    pub fn get_with<R>(&self, field: &[u8], f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        match &self.repr {
            Repr::Listpack(lp) => lp.find(field).map(|(v, _)| v.with(f)),
            Repr::Table(d) => d.get_key_value(field).map(|(e, _)| f(e.split().1)),
        }
    }

    /// The value of `field`, copied.
    pub fn get(&self, field: &[u8]) -> Option<Vec<u8>> {
        self.get_with(field, |v| v.to_vec())
    }

    /// The value of `field` as an integer if it is stored as (or is the text
    /// of) one, as Redis's `hashTypeGetValue` + `string2ll` see it:
    /// `Some(Ok(n))`, `Some(Err(()))` if the value is not an integer, `None`
    /// if the field is missing.
    pub fn get_int(&self, field: &[u8]) -> Option<Result<i64, ()>> {
        match &self.repr {
            Repr::Listpack(lp) => lp.find(field).map(|(v, _)| match v {
                Elem::Int(n) => Ok(n),
                Elem::Str(s) => parse_i64(s).ok_or(()),
            }),
            Repr::Table(d) => d.get_key_value(field).map(|(e, _)| parse_i64(e.split().1).ok_or(())),
        }
    }

    /// Length of the value of `field` (HSTRLEN); 0 if missing.
    pub fn value_len(&self, field: &[u8]) -> usize {
        match &self.repr {
            Repr::Listpack(lp) => lp.find(field).map_or(0, |(v, _)| v.byte_len()),
            Repr::Table(d) => d.get_key_value(field).map_or(0, |(e, _)| e.split().1.len()),
        }
    }

    /// True if `field` exists.
    pub fn contains(&self, field: &[u8]) -> bool {
        match &self.repr {
            Repr::Listpack(lp) => lp.find(field).is_some(),
            Repr::Table(d) => d.contains_key(field),
        }
    }

    /// Sets `field` to `value` (Redis's `hashTypeSet`); true if the field
    /// was inserted, false if an existing value was updated. Converts to a
    /// hashtable when the field or value is too long for a listpack or the
    /// hash (after the write, even an update) has more than
    /// `limits.max_entries` fields.
    pub fn set(&mut self, field: &[u8], value: &[u8], limits: Limits) -> bool {
        if self.is_listpack() && (field.len() > limits.max_value || value.len() > limits.max_value) {
            self.convert_to_table();
        }
        match &mut self.repr {
            Repr::Listpack(lp) => {
                let inserted = match lp.find(field) {
                    Some((_, p)) => {
                        lp.replace_value(&p, value);
                        false
                    }
                    None => {
                        lp.push(field, value);
                        true
                    }
                };
                // Like Redis, checked after an update too: a lowered
                // hash-max-listpack-entries converts on the next write.
                if lp.pairs > limits.max_entries {
                    self.convert_to_table();
                }
                inserted
            }
            Repr::Table(d) => {
                // The dict keeps the stored key on a replace, and the value
                // lives in the key: take the old entry out first.
                let existed = d.remove(field).is_some();
                d.insert(Entry::new(field, value), ());
                !existed
            }
        }
    }

    /// Sets `field` only if it does not exist; true if it was inserted.
    pub fn set_if_absent(&mut self, field: &[u8], value: &[u8], limits: Limits) -> bool {
        if self.contains(field) {
            return false;
        }
        self.set(field, value, limits)
    }

    /// Deletes `field`; true if it existed.
    pub fn delete(&mut self, field: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Listpack(lp) => match lp.find(field) {
                Some((_, p)) => {
                    lp.remove(&p);
                    true
                }
                None => false,
            },
            Repr::Table(d) => d.remove(field).is_some(),
        }
    }

    /// Calls `f(field, value)` for every field: in insertion order for a
    /// listpack, in table order for a hashtable.
    pub fn for_each(&self, mut f: impl FnMut(&[u8], &[u8])) {
        match &self.repr {
            Repr::Listpack(lp) => lp.walk(|k, v, _| {
                k.with(|k| v.with(|v| f(k, v)));
                true
            }),
            Repr::Table(d) => {
                for (e, _) in d.iter() {
                    let (k, v) = e.split();
                    f(k, v);
                }
            }
        }
    }

    /// One HSCAN step: calls `f` with the pairs of the cursor's bucket(s)
    /// and returns the next cursor. A listpack hash is visited whole and
    /// the returned cursor is 0.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&[u8], &[u8])) -> u64 {
        match &self.repr {
            Repr::Listpack(_) => {
                self.for_each(f);
                0
            }
            Repr::Table(d) => d.scan(cursor, |e, _| {
                let (k, v) = e.split();
                f(k, v)
            }),
        }
    }

    /// A random field and its value (HRANDFIELD without a count).
    pub fn random_pair(&self) -> Option<(Vec<u8>, Vec<u8>)> {
        match &self.repr {
            Repr::Listpack(lp) => {
                if lp.pairs == 0 {
                    return None;
                }
                let offs = lp.offsets();
                let (k, v) = lp.pair_at(offs[rand::thread_rng().gen_range(0..offs.len())]);
                Some((k.to_vec(), v.to_vec()))
            }
            Repr::Table(d) => d.random_entry().map(|(e, _)| {
                let (k, v) = e.split();
                (k.to_vec(), v.to_vec())
            }),
        }
    }

    /// `count` random pairs, each drawn independently (repetitions possible),
    /// passed to `f` in draw order (HRANDFIELD with a negative count).
    pub fn random_pairs(&self, count: usize, mut f: impl FnMut(&[u8], &[u8])) {
        if self.is_empty() {
            return;
        }
        match &self.repr {
            Repr::Listpack(lp) => {
                let offs = lp.offsets();
                let mut rng = rand::thread_rng();
                for _ in 0..count {
                    let (k, v) = lp.pair_at(offs[rng.gen_range(0..offs.len())]);
                    k.with(|k| v.with(|v| f(k, v)));
                }
            }
            Repr::Table(d) => {
                for _ in 0..count {
                    let (e, _) = d.random_entry().expect("not empty");
                    let (k, v) = e.split();
                    f(k, v);
                }
            }
        }
    }

    /// `count` distinct random pairs (`count` must be below the length;
    /// HRANDFIELD with a positive count smaller than the hash), passed to
    /// `f` in no particular order.
    pub fn random_distinct_pairs(&self, count: usize, mut f: impl FnMut(&[u8], &[u8])) {
        let len = self.len();
        if count >= len {
            return self.for_each(f);
        }
        let mut rng = rand::thread_rng();
        match &self.repr {
            Repr::Listpack(lp) => {
                // Pick `count` distinct positions (selection sampling keeps
                // the listpack order, as Redis's lpRandomPairsUnique does).
                let offs = lp.offsets();
                let mut need = count;
                for (i, &off) in offs.iter().enumerate() {
                    let left = offs.len() - i;
                    if rng.gen_range(0..left) < need {
                        let (k, v) = lp.pair_at(off);
                        k.with(|k| v.with(|v| f(k, v)));
                        need -= 1;
                        if need == 0 {
                            break;
                        }
                    }
                }
            }
            Repr::Table(d) => {
                if count * 3 > len {
                    // Most of the hash: drop random entries from a copy of
                    // all of them (Redis's CASE 3).
                    let mut all: Vec<&Entry> = d.iter().map(|(e, _)| e).collect();
                    while all.len() > count {
                        let i = rng.gen_range(0..all.len());
                        all.swap_remove(i);
                    }
                    for e in all {
                        let (k, v) = e.split();
                        f(k, v);
                    }
                } else {
                    // A small part: draw until enough distinct fields.
                    let mut seen: std::collections::HashSet<&[u8]> = std::collections::HashSet::new();
                    while seen.len() < count {
                        let (e, _) = d.random_entry().expect("not empty");
                        let (k, v) = e.split();
                        if seen.insert(k) {
                            f(k, v);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lim(e: usize, v: usize) -> Limits {
        Limits { max_entries: e, max_value: v }
    }

    #[test]
    fn entry_encoding_round_trips() {
        let samples: &[&[u8]] = &[
            b"", b"0", b"7", b"127", b"128", b"-1", b"-128", b"-129", b"32767", b"-32768", b"40000",
            b"2147483648", b"-9223372036854775808", b"9223372036854775807", b"9223372036854775808",
            b"007", b"-0", b"+1", b"1.5", b"abc",
        ];
        let long = vec![b'x'; 5000];
        let mid = vec![b'y'; 300];
        let mut buf = Vec::new();
        for s in samples.iter().copied().chain([&long[..], &mid[..]]) {
            buf.clear();
            encode(&mut buf, s);
            let (e, end) = decode(&buf, 0);
            assert_eq!(end, buf.len());
            assert_eq!(e.to_vec(), s);
            assert_eq!(e.byte_len(), s.len());
            assert_eq!(encoded_len(s), buf.len());
        }
        // Small integers take one byte.
        buf.clear();
        encode(&mut buf, b"100");
        assert_eq!(buf.len(), 1);
    }

    #[test]
    fn set_get_delete_listpack() {
        let mut h = Hash::new();
        assert!(h.set(b"f1", b"v1", lim(8, 64)));
        assert!(h.set(b"2", b"123", lim(8, 64)));
        assert!(!h.set(b"f1", b"longer value", lim(8, 64)));
        assert_eq!(h.get(b"f1").unwrap(), b"longer value");
        assert_eq!(h.get(b"2").unwrap(), b"123");
        assert_eq!(h.get_int(b"2"), Some(Ok(123)));
        assert_eq!(h.get_int(b"f1"), Some(Err(())));
        assert_eq!(h.get(b"02"), None);
        assert_eq!(h.value_len(b"2"), 3);
        assert_eq!(h.encoding(), "listpack");
        assert!(!h.set_if_absent(b"2", b"x", lim(8, 64)));
        assert!(h.set_if_absent(b"3", b"x", lim(8, 64)));
        let mut order = Vec::new();
        h.for_each(|f, _| order.push(f.to_vec()));
        assert_eq!(order, vec![b"f1".to_vec(), b"2".to_vec(), b"3".to_vec()]);
        assert!(h.delete(b"2"));
        assert!(!h.delete(b"2"));
        assert_eq!(h.len(), 2);
    }

    #[test]
    fn converts_on_entries_and_length() {
        let mut h = Hash::new();
        for i in 0..4 {
            h.set(format!("f{i}").as_bytes(), b"v", lim(4, 10));
        }
        assert_eq!(h.encoding(), "listpack");
        h.set(b"f4", b"v", lim(4, 10));
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.len(), 5);
        assert_eq!(h.get(b"f3").unwrap(), b"v");

        let mut h = Hash::new();
        h.set(b"a", b"0123456789", lim(4, 10));
        assert!(h.is_listpack());
        h.set(b"a", b"0123456789A", lim(4, 10));
        assert!(!h.is_listpack());

        let mut h = Hash::new();
        h.convert_for_args([&b"short"[..], b"this is long"], lim(4, 10));
        assert!(!h.is_listpack());
    }

    #[test]
    fn table_operations() {
        let mut h = Hash::new();
        h.convert_to_table();
        for i in 0..1000 {
            assert!(h.set(format!("field{i}").as_bytes(), format!("{i}").as_bytes(), lim(0, 0)));
        }
        assert!(!h.set(b"field5", b"five", lim(0, 0)));
        assert_eq!(h.get(b"field5").unwrap(), b"five");
        assert_eq!(h.get_int(b"field6"), Some(Ok(6)));
        assert_eq!(h.len(), 1000);
        for i in 0..500 {
            assert!(h.delete(format!("field{i}").as_bytes()));
        }
        assert_eq!(h.len(), 500);
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        loop {
            cursor = h.scan(cursor, |f, _| {
                seen.insert(f.to_vec());
            });
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 500);
        let c = h.clone();
        assert_eq!(c, h);
    }

    #[test]
    fn random_fields() {
        for table in [false, true] {
            let mut h = Hash::new();
            if table {
                h.convert_to_table();
            }
            for i in 0..20 {
                h.set(format!("{i}").as_bytes(), b"v", lim(512, 64));
            }
            let (f, v) = h.random_pair().unwrap();
            assert!(h.contains(&f) && v == b"v");
            let mut n = 0;
            h.random_pairs(50, |f, _| {
                assert!(h.contains(f));
                n += 1
            });
            assert_eq!(n, 50);
            for count in [1, 5, 10, 19] {
                let mut got = std::collections::HashSet::new();
                h.random_distinct_pairs(count, |f, _| assert!(got.insert(f.to_vec())));
                assert_eq!(got.len(), count);
            }
        }
    }

    #[test]
    fn matches_a_model_through_conversions() {
        use rand::Rng;
        let mut rng = rand::thread_rng();
        for _ in 0..20 {
            let mut h = Hash::new();
            let mut model = std::collections::HashMap::new();
            let l = lim(rng.gen_range(0..40), rng.gen_range(0..12));
            for _ in 0..300 {
                let f = format!("{}", rng.gen_range(-20i64..60)).into_bytes();
                let v: Vec<u8> = match rng.gen_range(0..3) {
                    0 => format!("{}", rng.gen_range(-1000i64..1000)).into_bytes(),
                    1 => vec![b'v'; rng.gen_range(0..16)],
                    _ => format!("0{}", rng.gen_range(0..9)).into_bytes(),
                };
                if rng.gen_bool(0.7) {
                    assert_eq!(h.set(&f, &v, l), model.insert(f.clone(), v).is_none());
                } else {
                    assert_eq!(h.delete(&f), model.remove(&f).is_some());
                }
                assert_eq!(h.len(), model.len());
                if h.is_listpack() {
                    assert!(h.len() <= l.max_entries);
                }
            }
            for (f, v) in &model {
                assert_eq!(h.get(f).as_ref(), Some(v));
                assert_eq!(h.value_len(f), v.len());
            }
            let mut n = 0;
            h.for_each(|f, v| {
                assert_eq!(model.get(f).map(|x| &x[..]), Some(v));
                n += 1;
            });
            assert_eq!(n, model.len());
        }
    }
}
