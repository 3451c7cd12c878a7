//! The set type and its two Redis 7.0 encodings.
//!
//! # `intset`
//!
//! A set whose members are all integers (texts Redis's `string2ll` accepts:
//! canonical decimal within 64 bits) is a sorted array of integers, all of
//! the same width: 16, 32 or 64 bits, the smallest that holds every member.
//! Adding a member that does not fit upgrades the whole array to the wider
//! width (never back). Lookups are binary searches and iteration is in
//! ascending order, which is why Redis's replies for intsets (SMEMBERS,
//! SUNION of integer sets, ...) come out sorted.
//!
//! The set converts to `hashtable` exactly when Redis 7.0 converts: when a
//! member that is not an integer is added, or when the intset would hold
//! more than `set-max-intset-entries` members. A new set starts as an
//! intset if its first member is an integer ([`Set::for_member`], Redis's
//! `setTypeCreate`), and result sets of SUNIONSTORE and friends start as
//! empty intsets ([`Set::new`]).
//!
//! # `hashtable`
//!
//! A [`Dict`] of members with zero-sized values (one node and one member
//! buffer each). SSCAN uses its reverse-binary cursor; an intset is
//! returned whole with cursor 0, as Redis does.

use crate::dict::Dict;
use hematite_common::num::parse_i64;
use rand::Rng;
use std::fmt;

/// A sorted array of integers of one width.
#[derive(Clone, PartialEq, Eq)]
enum IntSet {
    W16(Vec<i16>),
    W32(Vec<i32>),
    W64(Vec<i64>),
}

macro_rules! each_width {
    ($s:expr, $v:ident => $body:expr) => {
        match $s {
            IntSet::W16($v) => $body,
            IntSet::W32($v) => $body,
            IntSet::W64($v) => $body,
        }
    };
}

impl IntSet {
    fn len(&self) -> usize {
        each_width!(self, v => v.len())
    }

    fn get(&self, i: usize) -> i64 {
        each_width!(self, v => v[i] as i64)
    }

    fn find(&self, x: i64) -> Result<usize, usize> {
        match self {
            IntSet::W16(v) => match i16::try_from(x) {
                Ok(x) => v.binary_search(&x),
                Err(_) => Err(0),
            },
            IntSet::W32(v) => match i32::try_from(x) {
                Ok(x) => v.binary_search(&x),
                Err(_) => Err(0),
            },
            IntSet::W64(v) => v.binary_search(&x),
        }
    }

    fn contains(&self, x: i64) -> bool {
        self.find(x).is_ok()
    }

    /// Widens the array so that `x` fits.
    fn upgrade_for(&mut self, x: i64) {
        let need = if i16::try_from(x).is_ok() {
            2
        } else if i32::try_from(x).is_ok() {
            4
        } else {
            8
        };
        let have = match self {
            IntSet::W16(_) => 2,
            IntSet::W32(_) => 4,
            IntSet::W64(_) => 8,
        };
        if need <= have {
            return;
        }
        let all: Vec<i64> = (0..self.len()).map(|i| self.get(i)).collect();
        *self = if need == 4 {
            IntSet::W32(all.iter().map(|&x| x as i32).collect())
        } else {
            IntSet::W64(all)
        };
    }

    /// Inserts `x`; false if it was present.
    fn insert(&mut self, x: i64) -> bool {
        if self.contains(x) {
            return false;
        }
        self.upgrade_for(x);
        match self.find(x) {
            Ok(_) => false,
            Err(i) => {
                match self {
                    IntSet::W16(v) => {
                        v.reserve_exact(1);
                        v.insert(i, x as i16)
                    }
                    IntSet::W32(v) => {
                        v.reserve_exact(1);
                        v.insert(i, x as i32)
                    }
                    IntSet::W64(v) => {
                        v.reserve_exact(1);
                        v.insert(i, x)
                    }
                }
                true
            }
        }
    }

    fn remove(&mut self, x: i64) -> bool {
        match self.find(x) {
            Ok(i) => {
                each_width!(self, v => {
                    v.remove(i);
                    v.shrink_to_fit();
                });
                true
            }
            Err(_) => false,
        }
    }

    fn remove_at(&mut self, i: usize) {
        each_width!(self, v => {
            v.remove(i);
        });
    }

    fn bytes(&self) -> usize {
        each_width!(self, v => v.capacity() * std::mem::size_of_val(&v.first().copied().unwrap_or_default()))
    }
}

enum Repr {
    Ints(IntSet),
    Table(Box<Dict<Box<[u8]>, ()>>),
}

/// A set value.
pub struct Set {
    repr: Repr,
}

/// Calls `f` with the decimal text of `x`.
#[inline]
fn with_int<R>(x: i64, f: impl FnOnce(&[u8]) -> R) -> R {
    f(itoa::Buffer::new().format(x).as_bytes())
}

impl Default for Set {
    fn default() -> Self {
        Set { repr: Repr::Ints(IntSet::W16(Vec::new())) }
    }
}

impl Clone for Set {
    fn clone(&self) -> Self {
        match &self.repr {
            Repr::Ints(is) => Set { repr: Repr::Ints(is.clone()) },
            Repr::Table(d) => {
                let mut nd = Dict::with_capacity(d.len());
                for (m, _) in d.iter() {
                    nd.insert(m.clone(), ());
                }
                Set { repr: Repr::Table(Box::new(nd)) }
            }
        }
    }
}

impl PartialEq for Set {
    fn eq(&self, other: &Self) -> bool {
        if self.len() != other.len() {
            return false;
        }
        let mut same = true;
        self.for_each(|m| same = same && other.contains(m));
        same
    }
}

impl Eq for Set {}

impl fmt::Debug for Set {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_set();
        self.for_each(|m| {
            s.entry(&String::from_utf8_lossy(m));
        });
        s.finish()
    }
}

impl Set {
    /// An empty set, intset-encoded (Redis's `createIntsetObject`).
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty set in the encoding Redis's `setTypeCreate` picks for a set
    /// whose first member will be `member`: intset if it is an integer.
    pub fn for_member(member: &[u8]) -> Self {
        if parse_i64(member).is_some() {
            Self::new()
        } else {
            Set { repr: Repr::Table(Box::new(Dict::new())) }
        }
    }

    /// An empty hashtable-encoded set with room for `capacity` members
    /// (bulk loading of a set known to be large).
    pub fn new_table(capacity: usize) -> Self {
        Set { repr: Repr::Table(Box::new(Dict::with_capacity(capacity))) }
    }

    /// An intset of the given element width (2, 4 or 8 bytes) holding
    /// `ints`, which the caller guarantees are strictly ascending and fit
    /// the width (bulk loading of a serialised intset, keeping its width).
    /// `None` for a bad width or a value that does not fit it.
    pub fn from_sorted_ints(width: usize, ints: &[i64]) -> Option<Self> {
        debug_assert!(ints.windows(2).all(|w| w[0] < w[1]));
        let is = match width {
            2 => IntSet::W16(ints.iter().map(|&x| i16::try_from(x).ok()).collect::<Option<_>>()?),
            4 => IntSet::W32(ints.iter().map(|&x| i32::try_from(x).ok()).collect::<Option<_>>()?),
            8 => IntSet::W64(ints.to_vec()),
            _ => return None,
        };
        Some(Set { repr: Repr::Ints(is) })
    }

    /// Appends the intset in Redis's serialised form (`encoding` u32 LE =
    /// element width in bytes, `length` u32 LE, the elements ascending in
    /// little endian) and returns true; false (nothing written) for a
    /// hashtable set.
    pub fn write_intset_blob(&self, out: &mut Vec<u8>) -> bool {
        let Repr::Ints(is) = &self.repr else { return false };
        let width: u32 = match is {
            IntSet::W16(_) => 2,
            IntSet::W32(_) => 4,
            IntSet::W64(_) => 8,
        };
        out.reserve(8 + width as usize * is.len());
        out.extend_from_slice(&width.to_le_bytes());
        out.extend_from_slice(&(is.len() as u32).to_le_bytes());
        match is {
            IntSet::W16(v) => v.iter().for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            IntSet::W32(v) => v.iter().for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            IntSet::W64(v) => v.iter().for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
        }
        true
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Ints(is) => is.len(),
            Repr::Table(d) => d.len(),
        }
    }

    /// True when empty (an empty set is never stored).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        match self.repr {
            Repr::Ints(_) => "intset",
            Repr::Table(_) => "hashtable",
        }
    }

    /// True while the set is an intset.
    pub fn is_intset(&self) -> bool {
        matches!(self.repr, Repr::Ints(_))
    }

    /// True if `member` is in the set.
    pub fn contains(&self, member: &[u8]) -> bool {
        match &self.repr {
            Repr::Ints(is) => parse_i64(member).is_some_and(|x| is.contains(x)),
            Repr::Table(d) => d.contains_key(member),
        }
    }

    /// Calls `f` with every member (ascending for an intset, table order
    /// for a hashtable).
    pub fn for_each(&self, mut f: impl FnMut(&[u8])) {
        match &self.repr {
            Repr::Ints(is) => {
                for i in 0..is.len() {
                    with_int(is.get(i), &mut f);
                }
            }
            Repr::Table(d) => {
                for (m, _) in d.iter() {
                    f(m);
                }
            }
        }
    }

    /// All members, copied (in [`Set::for_each`] order).
    pub fn members(&self) -> Vec<Vec<u8>> {
        let mut v = Vec::with_capacity(self.len());
        self.for_each(|m| v.push(m.to_vec()));
        v
    }

    /// Heap bytes held.
    pub fn heap_size(&self) -> usize {
        self.heap_size_sampled(0)
    }

    /// Heap bytes held, extrapolated from the first `samples` members of a
    /// hashtable (0: all of them), like Redis's `objectComputeSize`.
    pub fn heap_size_sampled(&self, samples: usize) -> usize {
        match &self.repr {
            Repr::Ints(is) => is.bytes(),
            Repr::Table(d) => {
                let n = if samples == 0 { d.len() } else { samples.min(d.len()) };
                let sum: usize = d.iter().take(n).map(|(m, _)| m.len() + 32).sum();
                d.bucket_memory() + if n == 0 { 0 } else { sum * d.len() / n }
            }
        }
    }

    /// Converts an intset to a hashtable (Redis's `setTypeConvert`).
    pub fn convert_to_table(&mut self) {
        if let Repr::Ints(is) = &self.repr {
            let mut d = Dict::with_capacity(is.len());
            for i in 0..is.len() {
                with_int(is.get(i), |m| d.insert(m.into(), ()));
            }
            self.repr = Repr::Table(Box::new(d));
        }
    }

    /// Adds `member` (Redis's `setTypeAdd`); true if it was not there.
    /// An intset converts to a hashtable for a non-integer member or when
    /// it grows past `max_intset_entries`.
    pub fn add(&mut self, member: &[u8], max_intset_entries: usize) -> bool {
        if let Repr::Ints(is) = &mut self.repr {
            match parse_i64(member) {
                Some(x) => {
                    if !is.insert(x) {
                        return false;
                    }
                    if is.len() > max_intset_entries {
                        self.convert_to_table();
                    }
                    return true;
                }
                None => self.convert_to_table(),
            }
        }
        match &mut self.repr {
            Repr::Table(d) => {
                if d.contains_key(member) {
                    false
                } else {
                    d.insert(member.into(), ());
                    true
                }
            }
            Repr::Ints(_) => unreachable!("converted above"),
        }
    }

    /// Removes `member`; true if it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Ints(is) => parse_i64(member).is_some_and(|x| is.remove(x)),
            Repr::Table(d) => d.remove(member).is_some(),
        }
    }

    /// A random member (Redis's `setTypeRandomElement`: uniform for an
    /// intset, the dict's fair random pick for a hashtable).
    pub fn random_member(&self) -> Option<Vec<u8>> {
        match &self.repr {
            Repr::Ints(is) => {
                if is.len() == 0 {
                    return None;
                }
                let x = is.get(rand::thread_rng().gen_range(0..is.len()));
                Some(with_int(x, |m| m.to_vec()))
            }
            Repr::Table(d) => d.random_entry().map(|(m, _)| m.to_vec()),
        }
    }

    /// Removes and returns a random member.
    pub fn pop_random(&mut self) -> Option<Vec<u8>> {
        match &mut self.repr {
            Repr::Ints(is) => {
                if is.len() == 0 {
                    return None;
                }
                let i = rand::thread_rng().gen_range(0..is.len());
                let x = is.get(i);
                is.remove_at(i);
                Some(with_int(x, |m| m.to_vec()))
            }
            Repr::Table(d) => {
                let m: Box<[u8]> = d.random_entry()?.0.clone();
                d.remove(&m[..]);
                Some(m.into_vec())
            }
        }
    }

    /// `count` members drawn independently (repetitions possible), passed to
    /// `f` in draw order (SRANDMEMBER with a negative count).
    pub fn random_members(&self, count: usize, mut f: impl FnMut(&[u8])) {
        if self.is_empty() {
            return;
        }
        match &self.repr {
            Repr::Ints(is) => {
                let mut rng = rand::thread_rng();
                for _ in 0..count {
                    with_int(is.get(rng.gen_range(0..is.len())), &mut f);
                }
            }
            Repr::Table(d) => {
                for _ in 0..count {
                    f(d.random_entry().expect("not empty").0);
                }
            }
        }
    }

    /// `count` distinct random members (all of them if `count` reaches the
    /// length), passed to `f` in no particular order (SRANDMEMBER with a
    /// positive count).
    pub fn random_distinct_members(&self, count: usize, mut f: impl FnMut(&[u8])) {
        let len = self.len();
        if count >= len {
            return self.for_each(f);
        }
        let mut rng = rand::thread_rng();
        if count * 3 > len {
            // Most of the set: copy it and drop random members (Redis's
            // CASE 3).
            let mut all = self.members();
            while all.len() > count {
                let i = rng.gen_range(0..all.len());
                all.swap_remove(i);
            }
            for m in &all {
                f(m);
            }
        } else {
            // A small part: draw until enough distinct members (CASE 4).
            let mut seen: std::collections::HashSet<Vec<u8>> = std::collections::HashSet::new();
            while seen.len() < count {
                let m = self.random_member().expect("not empty");
                if !seen.contains(&m) {
                    f(&m);
                    seen.insert(m);
                }
            }
        }
    }

    /// One SSCAN step: calls `f` with the members of the cursor's bucket(s)
    /// and returns the next cursor. An intset is visited whole and the
    /// returned cursor is 0.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&[u8])) -> u64 {
        match &self.repr {
            Repr::Ints(_) => {
                self.for_each(f);
                0
            }
            Repr::Table(d) => d.scan(cursor, |m, _| f(m)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intset_widths_and_order() {
        let mut s = Set::new();
        for m in [&b"5"[..], b"-3", b"100", b"5"] {
            s.add(m, 512);
        }
        assert_eq!(s.len(), 3);
        assert!(matches!(s.repr, Repr::Ints(IntSet::W16(_))));
        s.add(b"70000", 512);
        assert!(matches!(s.repr, Repr::Ints(IntSet::W32(_))));
        s.add(b"-9223372036854775808", 512);
        assert!(matches!(s.repr, Repr::Ints(IntSet::W64(_))));
        assert_eq!(
            s.members(),
            vec![b"-9223372036854775808".to_vec(), b"-3".to_vec(), b"5".to_vec(), b"100".to_vec(), b"70000".to_vec()]
        );
        assert!(s.contains(b"70000"));
        assert!(!s.contains(b"070000"));
        assert!(!s.contains(b"abc"));
        assert!(s.remove(b"-3"));
        assert!(!s.remove(b"-3"));
        assert_eq!(s.encoding(), "intset");
    }

    #[test]
    fn converts_like_redis() {
        let mut s = Set::new();
        for i in 0..4 {
            s.add(format!("{i}").as_bytes(), 4);
        }
        assert_eq!(s.encoding(), "intset");
        s.add(b"4", 4);
        assert_eq!(s.encoding(), "hashtable");
        assert_eq!(s.len(), 5);
        assert!(s.contains(b"3"));

        let mut s = Set::new();
        s.add(b"1", 512);
        s.add(b"a", 512);
        assert_eq!(s.encoding(), "hashtable");
        assert!(s.contains(b"1") && s.contains(b"a"));
        assert_eq!(Set::for_member(b"x").encoding(), "hashtable");
        assert_eq!(Set::for_member(b"12").encoding(), "intset");
        assert_eq!(Set::for_member(b"012").encoding(), "hashtable");
    }

    #[test]
    fn random_and_scan() {
        for table in [false, true] {
            let mut s = Set::new();
            if table {
                s.convert_to_table();
            }
            for i in 0..30 {
                s.add(format!("{i}").as_bytes(), 512);
            }
            assert!(s.contains(&s.random_member().unwrap()));
            let mut n = 0;
            s.random_members(100, |m| {
                assert!(s.contains(m));
                n += 1
            });
            assert_eq!(n, 100);
            for count in [1, 2, 10, 29, 30, 40] {
                let mut got = std::collections::HashSet::new();
                s.random_distinct_members(count, |m| assert!(got.insert(m.to_vec())));
                assert_eq!(got.len(), count.min(30));
            }
            let mut seen = std::collections::HashSet::new();
            let mut c = 0;
            loop {
                c = s.scan(c, |m| {
                    seen.insert(m.to_vec());
                });
                if c == 0 {
                    break;
                }
            }
            assert_eq!(seen.len(), 30);
            let copy = s.clone();
            assert_eq!(copy, s);
            let mut popped = 0;
            while let Some(m) = s.pop_random() {
                assert!(!s.contains(&m));
                popped += 1;
            }
            assert_eq!(popped, 30);
        }
    }

    #[test]
    fn matches_a_model_through_conversions() {
        let mut rng = rand::thread_rng();
        for _ in 0..20 {
            let mut s = Set::new();
            let mut model = std::collections::HashSet::new();
            let max = rng.gen_range(0..40);
            let with_text = rng.gen_bool(0.3);
            for _ in 0..300 {
                let m: Vec<u8> = match rng.gen_range(0..4) {
                    0 if with_text => b"x".to_vec(),
                    1 => format!("{}", rng.gen_range(-40000i64..40000) * 100_000).into_bytes(),
                    _ => format!("{}", rng.gen_range(-50i64..50)).into_bytes(),
                };
                if rng.gen_bool(0.7) {
                    assert_eq!(s.add(&m, max), model.insert(m));
                } else {
                    assert_eq!(s.remove(&m), model.remove(&m));
                }
                assert_eq!(s.len(), model.len());
                if s.is_intset() {
                    assert!(s.len() <= max);
                }
            }
            for m in &model {
                assert!(s.contains(m));
            }
            let mut members = s.members();
            if s.is_intset() {
                let mut sorted = members.clone();
                sorted.sort_by_key(|m| parse_i64(m).unwrap());
                assert_eq!(members, sorted);
            }
            members.sort();
            let mut expected: Vec<Vec<u8>> = model.into_iter().collect();
            expected.sort();
            assert_eq!(members, expected);
        }
    }
}
