//! The keyspace hash table: a Rust rendition of the design of Redis's
//! `dict.c` (Redis 7.0).
//!
//! # Layout
//!
//! A [`Dict`] owns up to two tables.  Each table is a power-of-two array of
//! buckets, and each bucket is a singly linked chain of heap-allocated
//! nodes (`Option<Box<Node>>`, so an empty bucket is one null pointer).  A
//! key's bucket is `hash & (size - 1)`, where the hash comes from a
//! per-dict, randomly seeded `foldhash` hasher, so clients cannot predict
//! collisions.  New entries are pushed at the head of their chain.
//!
//! Per-entry cost: one allocation holding the key, the value and the `next`
//! pointer (`size_of::<K>() + size_of::<V>() + 8` bytes, rounded up to the
//! alignment and then to the allocator's size class), plus the bucket
//! array, which stays between one and two 8-byte slots per entry because
//! the table grows at load factor 1 (the array is 8 bytes per bucket; see
//! [`Dict::bucket_memory`]).  The hash is not stored in the node: it is
//! recomputed when an entry moves during rehashing, which trades a few
//! hash computations for 8 bytes per key.
//!
//! # Incremental rehashing
//!
//! Growing or shrinking never moves everything at once.  A resize allocates
//! the new array as the second table and records a rehash index into the
//! first one.  From then on every insert, removal and mutable lookup first
//! migrates one bucket (skipping at most ten empty ones), and the server
//! cron can migrate more with [`Dict::rehash_for`].  While rehashing,
//! lookups consult both tables (skipping first-table buckets that were
//! already migrated) and inserts go to the new table.  When the first table
//! is empty the second one takes its place.
//!
//! Sizing follows Redis 7.0: the first insert allocates 4 buckets; an
//! insert grows the table to the next power of two above `len + 1` once
//! `len >= buckets` (load factor 1).  When resizing is disallowed (Redis does
//! this while a fork child is writing a snapshot, to avoid copy-on-write of
//! the whole table), growth still happens once the load factor exceeds 5.
//! Removals never shrink the table by themselves; the server cron calls
//! [`Dict::resize_if_needed`], which shrinks to fit when fewer than 10% of
//! the buckets are used (Redis's `htNeedsResize` + `dictResize`).
//!
//! # SCAN
//!
//! [`Dict::scan`] implements Redis's reverse-binary cursor: the cursor is a
//! bucket index whose bits are incremented from the most significant end of
//! the mask.  Because a bucket of a table of size `2^n` splits into buckets
//! of a larger table that share its low `n` bits (and merges the same way
//! when shrinking), visiting buckets in this order guarantees that every
//! element present for the whole duration of a full scan is returned at
//! least once, however the table is resized between calls.  Elements may be
//! returned more than once.  While rehashing, a call visits the cursor's
//! bucket in the smaller table and then every bucket of the larger table
//! that it expands to.
//!
//! # Random sampling
//!
//! [`Dict::sample`] is Redis's `dictGetSomeKeys`: it walks consecutive
//! buckets from a random position and collects whole chains, which is cheap
//! and good enough for eviction and active expiry.  [`Dict::random_entry`] is
//! `dictGetFairRandomKey`: it samples a few entries that way and picks one
//! of them, which reduces the bias towards entries in short chains that a
//! pick-a-bucket-then-pick-in-chain approach has.

use foldhash::fast::RandomState;
use std::borrow::Borrow;
use std::cell::Cell;
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::iter::FusedIterator;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Size of a table's bucket array when the first entry is inserted.
pub const INITIAL_SIZE: usize = 4;

/// When resizing is disallowed, tables still grow once `len / buckets`
/// exceeds this ratio (Redis's `dict_force_resize_ratio`).
pub const FORCE_RESIZE_RATIO: usize = 5;

/// Minimum fill percentage below which [`Dict::resize_if_needed`] shrinks a
/// table (Redis's `HASHTABLE_MIN_FILL`).
pub const MIN_FILL_PERCENT: usize = 10;

/// Entries the fair random pick samples before choosing one (Redis's
/// `GETFAIR_NUM_ENTRIES`).
const FAIR_RANDOM_SAMPLE: usize = 15;

/// Value of `rehash_idx` when no rehash is in progress.
const NOT_REHASHING: usize = usize::MAX;

/// Process-wide switch mirroring Redis's global `dict_can_resize`.
static GLOBAL_RESIZE_ALLOWED: AtomicBool = AtomicBool::new(true);

/// Allows or forbids resizing for every dict of the process, as Redis's
/// `dictEnableResize` / `dictDisableResize` do.  The server turns this off
/// while a fork child exists (so that the child does not see the parent's
/// pages copied on write by a rehash) and back on afterwards.  A dict
/// resizes only when both this switch and its own
/// [`Dict::set_resize_allowed`] flag allow it.
///
/// ```
/// use hematite_store::dict::{set_global_resize_allowed, Dict};
/// let mut d: Dict<u32, ()> = Dict::new();
/// for k in 0..4 {
///     d.insert(k, ());
/// }
/// set_global_resize_allowed(false);
/// d.insert(4, ()); // load factor 1 reached, but resizing is off
/// assert_eq!(d.buckets(), 4);
/// set_global_resize_allowed(true);
/// d.insert(5, ());
/// assert!(d.is_rehashing());
/// ```
pub fn set_global_resize_allowed(allowed: bool) {
    GLOBAL_RESIZE_ALLOWED.store(allowed, Ordering::Relaxed);
}

/// Returns the process-wide resize switch (see
/// [`set_global_resize_allowed`]).
pub fn global_resize_allowed() -> bool {
    GLOBAL_RESIZE_ALLOWED.load(Ordering::Relaxed)
}

thread_local! {
    /// State of the per-thread random generator used for sampling.
    static RNG_STATE: Cell<u64> = Cell::new(rand::random::<u64>() | 1);
}

/// Returns a pseudo-random 64-bit number (wyrand; statistical quality is
/// all that sampling needs).
#[inline]
fn random_u64() -> u64 {
    RNG_STATE.with(|state| {
        let s = state.get().wrapping_add(0xa076_1d64_78bd_642f);
        state.set(s);
        let t = (s as u128).wrapping_mul((s ^ 0xe703_7ed1_a0b4_28db) as u128);
        ((t >> 64) as u64) ^ (t as u64)
    })
}

/// A bucket: the head of a chain of nodes.
type Link<K, V> = Option<Box<Node<K, V>>>;

/// One entry of a chain.
struct Node<K, V> {
    key: K,
    value: V,
    next: Link<K, V>,
}

/// One power-of-two bucket array and the number of entries it holds.
struct Table<K, V> {
    buckets: Box<[Link<K, V>]>,
    used: usize,
}

impl<K, V> Table<K, V> {
    /// A table with no bucket array at all.
    #[inline]
    fn empty() -> Self {
        Table {
            buckets: Box::new([]),
            used: 0,
        }
    }

    /// A table with `size` empty buckets (`size` is a power of two).
    fn with_size(size: usize) -> Self {
        let mut buckets = Vec::with_capacity(size);
        buckets.resize_with(size, || None);
        Table {
            buckets: buckets.into_boxed_slice(),
            used: 0,
        }
    }

    /// Number of buckets.
    #[inline(always)]
    fn size(&self) -> usize {
        self.buckets.len()
    }

    /// Bucket index mask (only meaningful for a non-empty array).
    #[inline(always)]
    fn mask(&self) -> usize {
        self.buckets.len().wrapping_sub(1)
    }
}

impl<K, V> Drop for Table<K, V> {
    /// Frees the chains iteratively: the default recursive drop of a long
    /// chain could overflow the stack.
    fn drop(&mut self) {
        if self.used == 0 {
            return;
        }
        for bucket in self.buckets.iter_mut() {
            let mut cur = bucket.take();
            while let Some(mut node) = cur {
                cur = node.next.take();
            }
        }
    }
}

/// Finds the node holding `key` in a chain.
#[inline(always)]
fn chain_find<'a, K, V, Q>(link: &'a Link<K, V>, key: &Q) -> Option<&'a Node<K, V>>
where
    K: Borrow<Q>,
    Q: ?Sized + Eq,
{
    let mut cur = link.as_deref();
    while let Some(node) = cur {
        if node.key.borrow() == key {
            return Some(node);
        }
        cur = node.next.as_deref();
    }
    None
}

/// Finds the node holding `key` in a chain, mutably.
#[inline(always)]
fn chain_find_mut<'a, K, V, Q>(link: &'a mut Link<K, V>, key: &Q) -> Option<&'a mut Node<K, V>>
where
    K: Borrow<Q>,
    Q: ?Sized + Eq,
{
    let mut cur = link.as_deref_mut();
    while let Some(node) = cur {
        if node.key.borrow() == key {
            return Some(node);
        }
        cur = node.next.as_deref_mut();
    }
    None
}

/// Unlinks the node holding `key` from a chain and returns it.
#[inline(always)]
fn chain_remove<K, V, Q>(link: &mut Link<K, V>, key: &Q) -> Option<Box<Node<K, V>>>
where
    K: Borrow<Q>,
    Q: ?Sized + Eq,
{
    let mut link = link;
    while link.as_ref().is_some_and(|node| node.key.borrow() != key) {
        link = &mut link.as_mut().expect("checked above").next;
    }
    let mut node = link.take()?;
    *link = node.next.take();
    Some(node)
}

/// Calls `f` on every entry of a chain.
#[inline(always)]
fn visit_chain<'a, K, V>(link: &'a Link<K, V>, f: &mut impl FnMut(&'a K, &'a V)) {
    let mut cur = link.as_deref();
    while let Some(node) = cur {
        f(&node.key, &node.value);
        cur = node.next.as_deref();
    }
}

/// Smallest power of two that is at least `size` (and at least
/// [`INITIAL_SIZE`]), or `None` on overflow (Redis's `_dictNextExp`).
#[inline]
fn next_power(size: usize) -> Option<usize> {
    size.max(INITIAL_SIZE).checked_next_power_of_two()
}

/// A hash map with Redis's incremental rehashing, SCAN cursor and random
/// sampling.  See the [module documentation](self) for the algorithms.
///
/// Lookups through `&self` ([`get`](Self::get),
/// [`get_key_value`](Self::get_key_value), [`contains_key`](Self::contains_key))
/// never move entries; [`get_mut`](Self::get_mut), [`insert`](Self::insert)
/// and [`remove`](Self::remove) each perform one rehash step first while a
/// rehash is in progress (unless it is paused).
pub struct Dict<K, V, S = RandomState> {
    /// The main table and, while rehashing, the table being filled.
    tables: [Table<K, V>; 2],
    /// Next bucket of `tables[0]` to migrate, or `NOT_REHASHING`.
    rehash_idx: usize,
    /// Number of outstanding [`Dict::pause_rehashing`] calls.
    pause_rehash: u32,
    /// This dict's own resize permission.
    resize_allowed: bool,
    /// Builds the seeded hasher.
    hash_builder: S,
}

impl<K, V> Dict<K, V, RandomState> {
    /// Creates an empty dict with a freshly seeded hasher.  No memory is
    /// allocated until the first insert.
    #[inline]
    pub fn new() -> Self {
        Self::with_hasher(RandomState::default())
    }
}

impl<K: Hash + Eq, V> Dict<K, V, RandomState> {
    /// Creates an empty dict whose table can hold `capacity` entries
    /// without growing.
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, RandomState::default())
    }
}

impl<K, V, S: Default> Default for Dict<K, V, S> {
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

impl<K, V, S> Dict<K, V, S> {
    /// Creates an empty dict that hashes with `hash_builder`.
    pub fn with_hasher(hash_builder: S) -> Self {
        Dict {
            tables: [Table::empty(), Table::empty()],
            rehash_idx: NOT_REHASHING,
            pause_rehash: 0,
            resize_allowed: true,
            hash_builder,
        }
    }

    /// Number of entries.
    #[inline]
    pub fn len(&self) -> usize {
        self.tables[0].used + self.tables[1].used
    }

    /// True if the dict has no entries.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total number of bucket slots in both tables (Redis's `dictSlots`),
    /// for INFO and MEMORY reporting.
    #[inline]
    pub fn buckets(&self) -> usize {
        self.tables[0].size() + self.tables[1].size()
    }

    /// True while an incremental rehash is in progress.
    #[inline]
    pub fn is_rehashing(&self) -> bool {
        self.rehash_idx != NOT_REHASHING
    }

    /// The hasher builder.
    pub fn hasher(&self) -> &S {
        &self.hash_builder
    }

    /// Bytes used by the bucket arrays (8 bytes per slot on 64-bit targets).
    pub fn bucket_memory(&self) -> usize {
        self.buckets() * std::mem::size_of::<Link<K, V>>()
    }

    /// Bytes of one entry's allocation before allocator rounding: the key,
    /// the value and the chain pointer.
    pub const fn entry_size() -> usize {
        std::mem::size_of::<Node<K, V>>()
    }

    /// Removes every entry and frees both bucket arrays (Redis's
    /// `dictEmpty`).  Resize and pause settings are kept.
    pub fn clear(&mut self) {
        self.tables = [Table::empty(), Table::empty()];
        self.rehash_idx = NOT_REHASHING;
    }

    /// Allows or forbids resizing of this dict (see also
    /// [`set_global_resize_allowed`]).  While forbidden, the table still
    /// grows when the load factor exceeds [`FORCE_RESIZE_RATIO`], and
    /// [`resize_if_needed`](Self::resize_if_needed) does nothing.
    pub fn set_resize_allowed(&mut self, allowed: bool) {
        self.resize_allowed = allowed;
    }

    /// Whether this dict may resize now (its own flag and the global one).
    #[inline]
    pub fn resize_allowed(&self) -> bool {
        self.resize_allowed && global_resize_allowed()
    }

    /// Suspends incremental rehash steps until the matching
    /// [`resume_rehashing`](Self::resume_rehashing) (Redis's
    /// `dictPauseRehashing`).  Calls nest.
    pub fn pause_rehashing(&mut self) {
        self.pause_rehash += 1;
    }

    /// Undoes one [`pause_rehashing`](Self::pause_rehashing).
    pub fn resume_rehashing(&mut self) {
        debug_assert!(self.pause_rehash > 0, "resume without pause");
        self.pause_rehash = self.pause_rehash.saturating_sub(1);
    }

    /// True while rehash steps are paused.
    pub fn is_rehashing_paused(&self) -> bool {
        self.pause_rehash > 0
    }

    /// Iterates over all entries in bucket order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            buckets: self.tables[0].buckets.iter(),
            next_table: self.tables[1].buckets.iter(),
            on_second: false,
            node: None,
            remaining: self.len(),
        }
    }

    /// Iterates over all entries with mutable access to the values.
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        let remaining = self.len();
        let [t0, t1] = &mut self.tables;
        IterMut {
            buckets: t0.buckets.iter_mut(),
            next_table: t1.buckets.iter_mut(),
            on_second: false,
            node: None,
            remaining,
        }
    }

    /// Iterates over the keys.
    pub fn keys(&self) -> impl Iterator<Item = &K> + '_ {
        self.iter().map(|(k, _)| k)
    }

    /// Iterates over the values.
    pub fn values(&self) -> impl Iterator<Item = &V> + '_ {
        self.iter().map(|(_, v)| v)
    }

    /// Iterates over the values, mutably.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> + '_ {
        self.iter_mut().map(|(_, v)| v)
    }

    /// Removes every entry and returns them as an owning iterator, leaving
    /// the dict empty (with its bucket arrays freed).
    pub fn drain(&mut self) -> IntoIter<K, V> {
        let tables = std::mem::replace(&mut self.tables, [Table::empty(), Table::empty()]);
        self.rehash_idx = NOT_REHASHING;
        IntoIter::new(tables)
    }

    /// Returns the whole contents as a new dict and leaves `self` empty
    /// with a freshly seeded hasher, keeping the resize setting.  This is the
    /// building block of `FLUSHALL ASYNC`: the returned dict can be dropped
    /// on another thread.
    pub fn take(&mut self) -> Self
    where
        S: Default,
    {
        let mut fresh = Self::with_hasher(S::default());
        fresh.resize_allowed = self.resize_allowed;
        std::mem::replace(self, fresh)
    }
}

impl<K, V, S> Dict<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    /// Creates an empty dict, using `hash_builder`, whose table can hold
    /// `capacity` entries without growing.
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        let mut dict = Self::with_hasher(hash_builder);
        if capacity > 0 {
            dict.expand(capacity);
        }
        dict
    }

    /// Hashes a key (or a borrowed form of it).
    #[inline(always)]
    fn hash<Q: ?Sized + Hash>(&self, key: &Q) -> usize {
        self.hash_builder.hash_one(key) as usize
    }

    /// Performs one rehash step unless rehashing is paused (Redis's
    /// `_dictRehashStep`).
    #[inline(always)]
    fn rehash_step(&mut self) {
        if self.rehash_idx != NOT_REHASHING && self.pause_rehash == 0 {
            self.rehash(1);
        }
    }

    /// Migrates up to `n` non-empty buckets from the old table to the new
    /// one, visiting at most `10 * n` empty buckets, and returns true if
    /// there is more to migrate (Redis's `dictRehash`).  This ignores
    /// [`pause_rehashing`](Self::pause_rehashing), like the C function.
    pub fn rehash(&mut self, n: usize) -> bool {
        if self.rehash_idx == NOT_REHASHING {
            return false;
        }
        let mut empty_visits = n.saturating_mul(10);
        let [t0, t1] = &mut self.tables;
        let mask1 = t1.mask();
        let mut n = n;
        while n > 0 && t0.used != 0 {
            n -= 1;
            debug_assert!(self.rehash_idx < t0.size());
            while t0.buckets[self.rehash_idx].is_none() {
                self.rehash_idx += 1;
                empty_visits -= 1;
                if empty_visits == 0 {
                    return true;
                }
            }
            let mut chain = t0.buckets[self.rehash_idx].take();
            while let Some(mut node) = chain {
                chain = node.next.take();
                let idx = self.hash_builder.hash_one(&node.key) as usize & mask1;
                node.next = t1.buckets[idx].take();
                t1.buckets[idx] = Some(node);
                t0.used -= 1;
                t1.used += 1;
            }
            self.rehash_idx += 1;
        }
        if t0.used == 0 {
            std::mem::swap(t0, t1);
            *t1 = Table::empty();
            self.rehash_idx = NOT_REHASHING;
            return false;
        }
        true
    }

    /// Rehashes in batches of 100 buckets until the rehash completes or
    /// `budget` has elapsed (Redis's `dictRehashMilliseconds`, as used by the
    /// server cron's `incrementallyRehash`).  Returns true if rehashing work
    /// was done, that is, if a rehash was in progress and not paused.
    pub fn rehash_for(&mut self, budget: Duration) -> bool {
        if self.pause_rehash > 0 || !self.is_rehashing() {
            return false;
        }
        let start = Instant::now();
        while self.rehash(100) {
            if start.elapsed() >= budget {
                break;
            }
        }
        true
    }

    /// Resizes the table so that it has the smallest power-of-two number of
    /// buckets (at least 4) that holds `size` entries (Redis's `dictExpand`).
    ///
    /// Returns false, doing nothing, if a rehash is in progress, if `size`
    /// is smaller than the current number of entries, or if the table
    /// already has that size.  On an empty dict the new array replaces the
    /// old one at once; otherwise an incremental rehash starts.
    pub fn expand(&mut self, size: usize) -> bool {
        if self.is_rehashing() || self.tables[0].used > size {
            return false;
        }
        let Some(real_size) = next_power(size) else {
            return false;
        };
        if real_size == self.tables[0].size() {
            return false;
        }
        let table = Table::with_size(real_size);
        if self.tables[0].size() == 0 || self.tables[0].used == 0 {
            // Nothing to migrate: swap the arrays directly.
            self.tables[0] = table;
        } else {
            self.tables[1] = table;
            self.rehash_idx = 0;
        }
        true
    }

    /// Grows the table before an insert when the load factor demands it
    /// (Redis's `_dictExpandIfNeeded`).
    #[inline(always)]
    fn expand_if_needed(&mut self) {
        if self.is_rehashing() {
            return;
        }
        let size = self.tables[0].size();
        if size == 0 {
            self.expand(INITIAL_SIZE);
            return;
        }
        let used = self.tables[0].used;
        if used >= size && (self.resize_allowed() || used / size > FORCE_RESIZE_RATIO) {
            self.expand(used + 1);
        }
    }

    /// Shrinks the table to fit its entries when fewer than
    /// [`MIN_FILL_PERCENT`] percent of more than [`INITIAL_SIZE`] buckets are
    /// used (Redis's `htNeedsResize` followed by `dictResize`).  Does nothing
    /// while resizing is disallowed or a rehash is in progress.  Returns true
    /// if a resize started.  The server cron calls this periodically;
    /// removals never shrink the table by themselves.
    pub fn resize_if_needed(&mut self) -> bool {
        let size = self.buckets();
        let used = self.len();
        if size > INITIAL_SIZE && used * 100 / size < MIN_FILL_PERCENT {
            self.shrink_to_fit()
        } else {
            false
        }
    }

    /// Resizes the table to the smallest size that holds the current
    /// entries at load factor 1 (Redis's `dictResize`).  Does nothing, and
    /// returns false, while resizing is disallowed or a rehash is in
    /// progress, or when the table already has that size.
    pub fn shrink_to_fit(&mut self) -> bool {
        if !self.resize_allowed() || self.is_rehashing() {
            return false;
        }
        self.expand(self.tables[0].used.max(INITIAL_SIZE))
    }

    /// Finds the node holding `key` without moving any entry.
    #[inline(always)]
    fn find<Q>(&self, key: &Q) -> Option<&Node<K, V>>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        if self.is_empty() {
            return None;
        }
        let hash = self.hash(key);
        let t0 = &self.tables[0];
        let idx = hash & t0.mask();
        let rehashing = self.is_rehashing();
        // Buckets of the old table below the rehash index are empty.
        if !rehashing || idx >= self.rehash_idx {
            if let Some(node) = chain_find(&t0.buckets[idx], key) {
                return Some(node);
            }
        }
        if rehashing {
            let t1 = &self.tables[1];
            return chain_find(&t1.buckets[hash & t1.mask()], key);
        }
        None
    }

    /// Finds the node holding `key` mutably (no rehash step).
    #[inline(always)]
    fn find_mut<Q>(&mut self, hash: usize, key: &Q) -> Option<&mut Node<K, V>>
    where
        K: Borrow<Q>,
        Q: ?Sized + Eq,
    {
        let rehashing = self.is_rehashing();
        let rehash_idx = self.rehash_idx;
        let [t0, t1] = &mut self.tables;
        if t0.size() == 0 {
            return None;
        }
        let idx = hash & t0.mask();
        if !rehashing || idx >= rehash_idx {
            if let Some(node) = chain_find_mut(&mut t0.buckets[idx], key) {
                return Some(node);
            }
        }
        if rehashing {
            let idx = hash & t1.mask();
            return chain_find_mut(&mut t1.buckets[idx], key);
        }
        None
    }

    /// Returns the value stored under `key`.  Does not perform a rehash
    /// step.
    #[inline]
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.find(key).map(|node| &node.value)
    }

    /// Returns the stored key and value for `key`.  Does not perform a
    /// rehash step.
    #[inline]
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.find(key).map(|node| (&node.key, &node.value))
    }

    /// True if `key` is present.  Does not perform a rehash step.
    #[inline]
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.find(key).is_some()
    }

    /// Returns the value stored under `key` mutably, after one rehash step
    /// (Redis's `dictFind`).
    #[inline]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.get_key_value_mut(key).map(|(_, v)| v)
    }

    /// Returns the stored key and a mutable reference to the value, after
    /// one rehash step.
    #[inline]
    pub fn get_key_value_mut<Q>(&mut self, key: &Q) -> Option<(&K, &mut V)>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        if self.is_empty() {
            return None;
        }
        self.rehash_step();
        let hash = self.hash(key);
        self.find_mut(hash, key)
            .map(|node| (&node.key, &mut node.value))
    }

    /// Inserts `value` under `key`.  If the key was present, its value is
    /// replaced, the stored key is kept (the `key` argument is dropped) and
    /// the old value is returned.  Performs one rehash step and grows the
    /// table when needed (Redis's `dictReplace`).
    #[inline]
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.rehash_step();
        self.expand_if_needed();
        let hash = self.hash(&key);
        if let Some(node) = self.find_mut(hash, &key) {
            return Some(std::mem::replace(&mut node.value, value));
        }
        self.push_new(hash, key, value);
        None
    }

    /// Links a new entry at the head of its bucket in the table that
    /// receives inserts (the new one while rehashing).
    #[inline(always)]
    fn push_new(&mut self, hash: usize, key: K, value: V) -> &mut V {
        let table = &mut self.tables[usize::from(self.rehash_idx != NOT_REHASHING)];
        let idx = hash & table.mask();
        let next = table.buckets[idx].take();
        table.used += 1;
        let node = table.buckets[idx].insert(Box::new(Node { key, value, next }));
        &mut node.value
    }

    /// Returns the value under `key`, inserting `make()` first if the key is
    /// absent, together with true if the insert happened.  Performs one
    /// rehash step and grows the table when needed, like
    /// [`insert`](Self::insert), but hashes the key only once.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> (&mut V, bool) {
        self.rehash_step();
        self.expand_if_needed();
        let hash = self.hash(&key);
        if self.find_mut(hash, &key).is_some() {
            let node = self.find_mut(hash, &key).expect("just found");
            return (&mut node.value, false);
        }
        (self.push_new(hash, key, make()), true)
    }

    /// Removes `key` and returns the stored key and value, after one rehash
    /// step (Redis's `dictDelete`).  The table is not shrunk; see
    /// [`resize_if_needed`](Self::resize_if_needed).
    #[inline]
    pub fn remove<Q>(&mut self, key: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        if self.is_empty() {
            return None;
        }
        self.rehash_step();
        let hash = self.hash(key);
        let rehashing = self.is_rehashing();
        let rehash_idx = self.rehash_idx;
        let [t0, t1] = &mut self.tables;
        let idx = hash & t0.mask();
        if !rehashing || idx >= rehash_idx {
            if let Some(node) = chain_remove(&mut t0.buckets[idx], key) {
                t0.used -= 1;
                return Some((node.key, node.value));
            }
        }
        if rehashing {
            let idx = hash & t1.mask();
            if let Some(node) = chain_remove(&mut t1.buckets[idx], key) {
                t1.used -= 1;
                return Some((node.key, node.value));
            }
        }
        None
    }

    /// Visits the bucket(s) addressed by `cursor` and returns the next
    /// cursor; a full scan starts at 0 and ends when 0 is returned again
    /// (Redis's `dictScan`).
    ///
    /// Every entry present from the first call to the last one is passed to
    /// `f` at least once, even if the dict grows, shrinks or rehashes between
    /// calls; entries may be passed more than once.  An empty dict returns 0
    /// at once.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&K, &V)) -> u64 {
        if self.is_empty() {
            return 0;
        }
        let mut v = cursor;
        if !self.is_rehashing() {
            let t0 = &self.tables[0];
            let m0 = t0.mask() as u64;
            visit_chain(&t0.buckets[(v & m0) as usize], &mut f);
            // Set the bits above the mask so that incrementing the reversed
            // cursor carries into the masked bits only.
            v |= !m0;
            v = v.reverse_bits().wrapping_add(1).reverse_bits();
        } else {
            let (small, large) = if self.tables[0].size() <= self.tables[1].size() {
                (&self.tables[0], &self.tables[1])
            } else {
                (&self.tables[1], &self.tables[0])
            };
            let m0 = small.mask() as u64;
            let m1 = large.mask() as u64;
            visit_chain(&small.buckets[(v & m0) as usize], &mut f);
            // Visit every bucket of the larger table that the small bucket
            // expands to.
            loop {
                visit_chain(&large.buckets[(v & m1) as usize], &mut f);
                v |= !m1;
                v = v.reverse_bits().wrapping_add(1).reverse_bits();
                if v & (m0 ^ m1) == 0 {
                    break;
                }
            }
        }
        v
    }

    /// Appends up to `count` entries found at a random place of the table
    /// to `out` and returns how many were added (Redis's
    /// `dictGetSomeKeys`).
    ///
    /// The walk starts at a random bucket and collects whole chains from
    /// consecutive buckets, jumping to a new random bucket after a run of
    /// empty ones, and gives up after `10 * count` bucket positions, so it
    /// may return fewer entries than requested (or even none) although the
    /// dict has more.  The same entry is never returned twice by one call.
    /// The sample is cheap but not uniform.
    pub fn sample<'a>(&'a self, count: usize, out: &mut Vec<(&'a K, &'a V)>) -> usize {
        self.sample_with(count, |k, v| out.push((k, v)))
    }

    /// Like [`sample`](Self::sample), but passes each sampled entry to `f`
    /// instead of collecting them.
    pub fn sample_with<'a>(&'a self, count: usize, mut f: impl FnMut(&'a K, &'a V)) -> usize {
        let count = count.min(self.len());
        if count == 0 {
            return 0;
        }
        let mut max_steps = count * 10;
        let rehashing = self.is_rehashing();
        let tables = if rehashing { 2 } else { 1 };
        let mut max_mask = self.tables[0].mask();
        if rehashing && self.tables[1].mask() > max_mask {
            max_mask = self.tables[1].mask();
        }
        let mut i = random_u64() as usize & max_mask;
        let mut empty_run = 0usize;
        let mut stored = 0usize;
        while stored < count && max_steps > 0 {
            max_steps -= 1;
            for j in 0..tables {
                // Old-table buckets below the rehash index are empty.
                if rehashing && j == 0 && i < self.rehash_idx {
                    // Past the end of the new table too: jump ahead to where
                    // old-table buckets may still hold entries.
                    if i >= self.tables[1].size() {
                        i = self.rehash_idx;
                    } else {
                        continue;
                    }
                }
                let table = &self.tables[j];
                if i >= table.size() {
                    continue;
                }
                match table.buckets[i].as_deref() {
                    None => {
                        empty_run += 1;
                        if empty_run >= 5 && empty_run > count {
                            i = random_u64() as usize & max_mask;
                            empty_run = 0;
                        }
                    }
                    Some(mut node) => {
                        empty_run = 0;
                        loop {
                            f(&node.key, &node.value);
                            stored += 1;
                            if stored == count {
                                return stored;
                            }
                            match node.next.as_deref() {
                                Some(next) => node = next,
                                None => break,
                            }
                        }
                    }
                }
            }
            i = (i + 1) & max_mask;
        }
        stored
    }

    /// Returns a random entry, or `None` if the dict is empty (Redis's
    /// `dictGetFairRandomKey`): up to 15 entries are sampled with
    /// [`sample`](Self::sample) and one of them is picked, falling back to
    /// [`random_bucket_entry`](Self::random_bucket_entry) if the sample came
    /// back empty.
    pub fn random_entry(&self) -> Option<(&K, &V)> {
        if self.is_empty() {
            return None;
        }
        let mut picked: [Option<(&K, &V)>; FAIR_RANDOM_SAMPLE] = [None; FAIR_RANDOM_SAMPLE];
        let mut n = 0;
        self.sample_with(FAIR_RANDOM_SAMPLE, |k, v| {
            picked[n] = Some((k, v));
            n += 1;
        });
        if n == 0 {
            return self.random_bucket_entry();
        }
        picked[(random_u64() % n as u64) as usize]
    }

    /// Returns a random entry by picking random buckets until a non-empty
    /// one is found and then a random element of its chain (Redis's
    /// `dictGetRandomKey`).  Entries in short chains are more likely to be
    /// picked than entries in long ones.
    pub fn random_bucket_entry(&self) -> Option<(&K, &V)> {
        if self.is_empty() {
            return None;
        }
        let head = if self.is_rehashing() {
            let s0 = self.tables[0].size();
            let span = (s0 + self.tables[1].size() - self.rehash_idx) as u64;
            loop {
                let h = self.rehash_idx + (random_u64() % span) as usize;
                let bucket = if h >= s0 {
                    &self.tables[1].buckets[h - s0]
                } else {
                    &self.tables[0].buckets[h]
                };
                if let Some(node) = bucket.as_deref() {
                    break node;
                }
            }
        } else {
            let t0 = &self.tables[0];
            loop {
                if let Some(node) = t0.buckets[random_u64() as usize & t0.mask()].as_deref() {
                    break node;
                }
            }
        };
        let mut len = 0u64;
        let mut cur = Some(head);
        while let Some(node) = cur {
            len += 1;
            cur = node.next.as_deref();
        }
        let mut node = head;
        for _ in 0..random_u64() % len {
            node = node.next.as_deref().expect("within chain length");
        }
        Some((&node.key, &node.value))
    }
}

impl<K, V, S> fmt::Debug for Dict<K, V, S>
where
    K: fmt::Debug,
    V: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K, V, S> Extend<(K, V)> for Dict<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<K, V, S> FromIterator<(K, V)> for Dict<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut dict = Self::with_hasher(S::default());
        dict.extend(iter);
        dict
    }
}

impl<'a, K, V, S> IntoIterator for &'a Dict<K, V, S> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

impl<'a, K, V, S> IntoIterator for &'a mut Dict<K, V, S> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> IterMut<'a, K, V> {
        self.iter_mut()
    }
}

impl<K, V, S> IntoIterator for Dict<K, V, S> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;

    fn into_iter(mut self) -> IntoIter<K, V> {
        self.drain()
    }
}

/// Borrowing iterator over a [`Dict`], created by [`Dict::iter`].
pub struct Iter<'a, K, V> {
    buckets: std::slice::Iter<'a, Link<K, V>>,
    next_table: std::slice::Iter<'a, Link<K, V>>,
    on_second: bool,
    node: Option<&'a Node<K, V>>,
    remaining: usize,
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(node) = self.node {
                self.node = node.next.as_deref();
                self.remaining -= 1;
                return Some((&node.key, &node.value));
            }
            if self.remaining == 0 {
                return None;
            }
            match self.buckets.next() {
                Some(link) => self.node = link.as_deref(),
                None if !self.on_second => {
                    self.on_second = true;
                    self.buckets = std::mem::take(&mut self.next_table);
                }
                None => return None,
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}
impl<K, V> FusedIterator for Iter<'_, K, V> {}

/// Iterator over a [`Dict`] with mutable values, created by
/// [`Dict::iter_mut`].
pub struct IterMut<'a, K, V> {
    buckets: std::slice::IterMut<'a, Link<K, V>>,
    next_table: std::slice::IterMut<'a, Link<K, V>>,
    on_second: bool,
    node: Option<&'a mut Node<K, V>>,
    remaining: usize,
}

impl<'a, K, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(node) = self.node.take() {
                let Node { key, value, next } = node;
                self.node = next.as_deref_mut();
                self.remaining -= 1;
                return Some((&*key, value));
            }
            if self.remaining == 0 {
                return None;
            }
            match self.buckets.next() {
                Some(link) => self.node = link.as_deref_mut(),
                None if !self.on_second => {
                    self.on_second = true;
                    self.buckets = std::mem::take(&mut self.next_table);
                }
                None => return None,
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<K, V> ExactSizeIterator for IterMut<'_, K, V> {}
impl<K, V> FusedIterator for IterMut<'_, K, V> {}

/// Owning iterator over the entries of a [`Dict`], created by
/// [`Dict::drain`] or by consuming the dict.
pub struct IntoIter<K, V> {
    buckets: std::vec::IntoIter<Link<K, V>>,
    next_table: std::vec::IntoIter<Link<K, V>>,
    on_second: bool,
    node: Link<K, V>,
    remaining: usize,
}

impl<K, V> IntoIter<K, V> {
    /// Takes the bucket arrays out of both tables.
    fn new(mut tables: [Table<K, V>; 2]) -> Self {
        let remaining = tables[0].used + tables[1].used;
        let [t0, t1] = &mut tables;
        let b0 = std::mem::take(&mut t0.buckets).into_vec();
        let b1 = std::mem::take(&mut t1.buckets).into_vec();
        t0.used = 0;
        t1.used = 0;
        IntoIter {
            buckets: b0.into_iter(),
            next_table: b1.into_iter(),
            on_second: false,
            node: None,
            remaining,
        }
    }
}

impl<K, V> Iterator for IntoIter<K, V> {
    type Item = (K, V);

    fn next(&mut self) -> Option<(K, V)> {
        loop {
            if let Some(mut node) = self.node.take() {
                self.node = node.next.take();
                self.remaining -= 1;
                let Node { key, value, .. } = *node;
                return Some((key, value));
            }
            if self.remaining == 0 {
                return None;
            }
            match self.buckets.next() {
                Some(link) => self.node = link,
                None if !self.on_second => {
                    self.on_second = true;
                    self.buckets = std::mem::take(&mut self.next_table);
                }
                None => return None,
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<K, V> ExactSizeIterator for IntoIter<K, V> {}
impl<K, V> FusedIterator for IntoIter<K, V> {}

impl<K, V> Drop for IntoIter<K, V> {
    /// Drops the remaining entries one by one (chains are never dropped
    /// recursively).
    fn drop(&mut self) {
        for _ in self.by_ref() {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};
    use std::hash::{BuildHasherDefault, Hasher};

    /// A hasher that returns the `u64` written to it, so tests can place
    /// keys in chosen buckets.
    #[derive(Default)]
    struct IdentityHasher(u64);

    impl Hasher for IdentityHasher {
        fn finish(&self) -> u64 {
            self.0
        }
        fn write(&mut self, bytes: &[u8]) {
            for &b in bytes {
                self.0 = self.0.rotate_left(8) ^ b as u64;
            }
        }
        fn write_u64(&mut self, v: u64) {
            self.0 = v;
        }
    }

    type IdDict<V> = Dict<u64, V, BuildHasherDefault<IdentityHasher>>;

    /// Deterministic xorshift generator for the property tests.
    struct TestRng(u64);

    impl TestRng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// Finishes any rehash in progress.
    fn finish_rehash<K: Hash + Eq, V, S: BuildHasher>(d: &mut Dict<K, V, S>) {
        while d.rehash(1000) {}
    }

    #[test]
    fn empty_dict_is_safe() {
        let mut d: Dict<String, i32> = Dict::new();
        assert!(d.is_empty());
        assert_eq!(d.len(), 0);
        assert_eq!(d.buckets(), 0);
        assert_eq!(d.get("x"), None);
        assert_eq!(d.get_mut("x"), None);
        assert_eq!(d.get_key_value("x"), None);
        assert!(!d.contains_key("x"));
        assert_eq!(d.remove("x"), None);
        assert_eq!(d.scan(0, |_, _| panic!("no entries")), 0);
        assert_eq!(d.scan(12345, |_, _| panic!("no entries")), 0);
        assert_eq!(d.random_entry(), None);
        assert_eq!(d.random_bucket_entry(), None);
        let mut out = Vec::new();
        assert_eq!(d.sample(10, &mut out), 0);
        assert!(out.is_empty());
        assert_eq!(d.iter().count(), 0);
        assert_eq!(d.iter_mut().count(), 0);
        assert_eq!(d.drain().count(), 0);
        assert!(!d.rehash_for(Duration::from_millis(1)));
        assert!(!d.resize_if_needed());
        d.clear();
        assert!(d.is_empty());
    }

    #[test]
    fn insert_get_replace_remove() {
        let mut d: Dict<Vec<u8>, u32> = Dict::new();
        assert_eq!(d.insert(b"a".to_vec(), 1), None);
        assert_eq!(d.insert(b"b".to_vec(), 2), None);
        assert_eq!(d.len(), 2);
        assert_eq!(d.get(&b"a"[..]), Some(&1));
        assert_eq!(d.get(&b"b"[..]), Some(&2));
        assert_eq!(d.get(&b"c"[..]), None);
        assert_eq!(d.insert(b"a".to_vec(), 10), Some(1));
        assert_eq!(d.len(), 2);
        *d.get_mut(&b"b"[..]).unwrap() += 5;
        assert_eq!(d.get(&b"b"[..]), Some(&7));
        assert_eq!(d.get_key_value(&b"a"[..]), Some((&b"a".to_vec(), &10)));
        assert_eq!(d.remove(&b"a"[..]), Some((b"a".to_vec(), 10)));
        assert_eq!(d.remove(&b"a"[..]), None);
        assert_eq!(d.len(), 1);
        assert!(d.contains_key(&b"b"[..]));
    }

    #[test]
    fn replace_keeps_the_original_key() {
        // Keys that compare equal but are distinguishable.
        #[derive(Debug)]
        struct Tagged(u32, &'static str);
        impl PartialEq for Tagged {
            fn eq(&self, other: &Self) -> bool {
                self.0 == other.0
            }
        }
        impl Eq for Tagged {}
        impl Hash for Tagged {
            fn hash<H: Hasher>(&self, h: &mut H) {
                self.0.hash(h)
            }
        }
        let mut d: Dict<Tagged, i32> = Dict::new();
        d.insert(Tagged(1, "first"), 1);
        assert_eq!(d.insert(Tagged(1, "second"), 2), Some(1));
        let (k, v) = d.get_key_value(&Tagged(1, "probe")).unwrap();
        assert_eq!((k.1, *v), ("first", 2));
    }

    #[test]
    fn growth_follows_redis_sizes() {
        let mut d: IdDict<()> = Dict::default();
        d.insert(0, ());
        assert_eq!(d.buckets(), 4);
        for k in 1..4 {
            d.insert(k, ());
        }
        // 4 entries in 4 buckets: the next insert grows to 8.
        assert_eq!(d.buckets(), 4);
        assert!(!d.is_rehashing());
        d.insert(4, ());
        assert!(d.is_rehashing());
        finish_rehash(&mut d);
        assert_eq!(d.buckets(), 8);
        for k in 5..1000 {
            d.insert(k, ());
        }
        finish_rehash(&mut d);
        assert_eq!(d.buckets(), 1024);
        assert_eq!(d.len(), 1000);
        for k in 0..1000 {
            assert!(d.contains_key(&k));
        }
    }

    #[test]
    fn with_capacity_does_not_grow() {
        let mut d: Dict<u64, u64> = Dict::with_capacity(100);
        assert_eq!(d.buckets(), 128);
        for k in 0..128 {
            d.insert(k, k);
        }
        assert_eq!(d.buckets(), 128);
        assert!(!d.is_rehashing());
        let d: Dict<u64, u64> = Dict::with_capacity(0);
        assert_eq!(d.buckets(), 0);
    }

    #[test]
    fn resize_disallowed_forces_growth_at_ratio_five() {
        let mut d: IdDict<()> = Dict::default();
        d.set_resize_allowed(false);
        assert!(!d.resize_allowed());
        for k in 0..24 {
            d.insert(k, ());
        }
        // 24 / 4 = 6 > 5 only once 24 entries are in: the 25th insert grows.
        assert_eq!(d.buckets(), 4);
        d.insert(24, ());
        assert!(d.is_rehashing());
        finish_rehash(&mut d);
        assert_eq!(d.buckets(), 32);
        // Shrinking is refused while resizing is disallowed.
        for k in 0..24 {
            d.remove(&k);
        }
        assert!(!d.resize_if_needed());
        d.set_resize_allowed(true);
        assert!(d.resize_if_needed());
        finish_rehash(&mut d);
        assert_eq!(d.buckets(), 4);
        assert_eq!(d.get(&24), Some(&()));
    }

    #[test]
    fn global_resize_switch_defaults_to_allowed() {
        // The disallowed state is exercised by the doc test of
        // `set_global_resize_allowed`, which runs in its own process so that
        // it cannot disturb tests running in parallel here.
        assert!(global_resize_allowed());
        let d: Dict<u64, ()> = Dict::new();
        assert!(d.resize_allowed());
    }

    #[test]
    fn shrink_follows_min_fill() {
        let mut d: IdDict<()> = Dict::default();
        for k in 0..100 {
            d.insert(k, ());
        }
        finish_rehash(&mut d);
        assert_eq!(d.buckets(), 128);
        for k in 0..87 {
            d.remove(&k);
        }
        // 13 / 128 = 10%: no resize yet.
        assert!(!d.resize_if_needed());
        d.remove(&87);
        // 12 / 128 < 10%: shrink to 16.
        assert!(d.resize_if_needed());
        assert!(d.is_rehashing());
        // No second resize while rehashing.
        assert!(!d.resize_if_needed());
        finish_rehash(&mut d);
        assert_eq!(d.buckets(), 16);
        assert_eq!(d.len(), 12);
        for k in 88..100 {
            assert!(d.contains_key(&k));
        }
        // Removing everything and shrinking goes back to 4 buckets, never 0.
        for k in 88..100 {
            d.remove(&k);
        }
        assert!(d.resize_if_needed());
        assert_eq!(d.buckets(), 4);
        assert!(!d.resize_if_needed());
    }

    #[test]
    fn expand_semantics() {
        let mut d: IdDict<()> = Dict::default();
        assert!(d.expand(5));
        assert_eq!(d.buckets(), 8);
        // Same size: refused.
        assert!(!d.expand(7));
        for k in 0..8 {
            d.insert(k, ());
        }
        // Smaller than the entry count: refused.
        assert!(!d.expand(4));
        assert!(d.expand(100));
        assert!(d.is_rehashing());
        // Refused while rehashing.
        assert!(!d.expand(1000));
        finish_rehash(&mut d);
        assert_eq!(d.buckets(), 128);
    }

    #[test]
    fn operations_during_rehash() {
        let mut d: IdDict<u64> = Dict::default();
        for k in 0..64 {
            d.insert(k, k);
        }
        finish_rehash(&mut d);
        d.insert(64, 64);
        assert!(d.is_rehashing());
        d.pause_rehashing();
        // Lookups and updates see entries in both tables.
        for k in 0..65 {
            assert_eq!(d.get(&k), Some(&k));
        }
        for k in 65..100 {
            d.insert(k, k);
        }
        assert!(d.is_rehashing(), "paused rehash must not progress");
        assert!(!d.rehash_for(Duration::from_secs(1)));
        for k in (0..100).step_by(3) {
            assert_eq!(d.remove(&k), Some((k, k)));
        }
        d.resume_rehashing();
        let mut expected: HashSet<u64> = (0..100).filter(|k| k % 3 != 0).collect();
        let seen: HashSet<u64> = d.keys().copied().collect();
        assert_eq!(seen, expected);
        assert!(d.rehash_for(Duration::from_secs(1)));
        assert!(!d.is_rehashing());
        expected.insert(1000);
        d.insert(1000, 1000);
        let seen: HashSet<u64> = d
            .iter()
            .map(|(k, v)| {
                assert_eq!(k, v);
                *k
            })
            .collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn collisions_and_chains() {
        // All keys in the same bucket: multiples of 1024.
        let mut d: IdDict<u64> = Dict::default();
        d.set_resize_allowed(false);
        for i in 0..20 {
            d.insert(i * 1024, i);
        }
        for i in 0..20 {
            assert_eq!(d.get(&(i * 1024)), Some(&i));
        }
        // Remove from the middle, head and tail of the chain.
        assert_eq!(d.remove(&(10 * 1024)), Some((10 * 1024, 10)));
        assert_eq!(d.remove(&(19 * 1024)), Some((19 * 1024, 19)));
        assert_eq!(d.remove(&0), Some((0, 0)));
        assert_eq!(d.remove(&(10 * 1024)), None);
        assert_eq!(d.len(), 17);
        assert_eq!(d.iter().count(), 17);
        // The random pick still finds entries in a single long chain.
        for _ in 0..100 {
            let (k, v) = d.random_entry().unwrap();
            assert_eq!(*k, *v * 1024);
            let (k, v) = d.random_bucket_entry().unwrap();
            assert_eq!(*k, *v * 1024);
        }
    }

    /// Builds a table whose bucket 0 holds a chain of `n` keys.
    fn long_chain_table(n: u64) -> Table<u64, ()> {
        let mut t = Table::with_size(4);
        for i in 0..n {
            let next = t.buckets[0].take();
            t.buckets[0] = Some(Box::new(Node {
                key: i << 40,
                value: (),
                next,
            }));
            t.used += 1;
        }
        t
    }

    #[test]
    fn long_chains_drop_without_recursion() {
        // A recursive drop of a million-node chain would overflow the stack.
        drop(long_chain_table(1_000_000));

        let mut d: IdDict<()> = Dict::default();
        d.tables[0] = long_chain_table(1_000_000);
        assert_eq!(d.len(), 1_000_000);
        assert!(d.contains_key(&0));
        drop(d);

        let mut d: IdDict<()> = Dict::default();
        d.tables[0] = long_chain_table(1_000_000);
        let mut it = d.into_iter();
        assert!(it.next().is_some());
        drop(it);
    }

    #[test]
    fn get_or_insert_with_inserts_once() {
        let mut d: Dict<String, Vec<u32>> = Dict::new();
        let (v, inserted) = d.get_or_insert_with("k".to_string(), Vec::new);
        assert!(inserted);
        v.push(1);
        let (v, inserted) = d.get_or_insert_with("k".to_string(), || panic!("present"));
        assert!(!inserted);
        v.push(2);
        assert_eq!(d.get("k"), Some(&vec![1, 2]));
        for i in 0..100 {
            d.get_or_insert_with(i.to_string(), Vec::new).0.push(i);
        }
        assert_eq!(d.len(), 101);
        assert_eq!(d.get("42"), Some(&vec![42]));
    }

    #[test]
    fn iteration_and_drain() {
        let mut d: Dict<u32, u32> = (0..500).map(|i| (i, i * 2)).collect();
        assert_eq!(d.iter().len(), 500);
        let sum: u32 = d.values().sum();
        assert_eq!(sum, (0..500).map(|i| i * 2).sum());
        for (_, v) in d.iter_mut() {
            *v += 1;
        }
        for v in d.values_mut() {
            *v += 1;
        }
        for (k, v) in &d {
            assert_eq!(*v, k * 2 + 2);
        }
        let drained: HashMap<u32, u32> = d.drain().collect();
        assert_eq!(drained.len(), 500);
        assert!(d.is_empty());
        assert_eq!(d.buckets(), 0);
        d.insert(1, 1);
        assert_eq!(d.into_iter().collect::<Vec<_>>(), vec![(1, 1)]);

        // A partially consumed owning iterator drops the rest cleanly.
        let d: Dict<u32, String> = (0..100).map(|i| (i, i.to_string())).collect();
        let mut it = d.into_iter();
        assert!(it.next().is_some());
        assert_eq!(it.len(), 99);
        drop(it);
    }

    #[test]
    fn take_leaves_an_empty_dict() {
        let mut d: Dict<u32, u32> = (0..10).map(|i| (i, i)).collect();
        d.set_resize_allowed(false);
        let old = d.take();
        assert_eq!(old.len(), 10);
        assert!(d.is_empty());
        assert!(!d.resize_allowed());
        d.insert(1, 2);
        assert_eq!(d.get(&1), Some(&2));
        assert_eq!(old.get(&1), Some(&1));
    }

    #[test]
    fn memory_accounting() {
        let mut d: Dict<u64, u64> = Dict::new();
        assert_eq!(d.bucket_memory(), 0);
        d.insert(1, 1);
        assert_eq!(d.bucket_memory(), 4 * std::mem::size_of::<usize>());
        assert_eq!(Dict::<u64, u64>::entry_size(), 24);
    }

    #[test]
    fn sample_returns_distinct_entries() {
        let mut d: Dict<u32, ()> = Dict::new();
        for i in 0..1000 {
            d.insert(i, ());
        }
        for count in [1usize, 5, 20, 100] {
            let mut out = Vec::new();
            let n = d.sample(count, &mut out);
            assert_eq!(n, out.len());
            assert!(n <= count);
            let distinct: HashSet<u32> = out.iter().map(|(k, _)| **k).collect();
            assert_eq!(distinct.len(), n);
        }
        // Asking for more than the dict holds is capped at its size.
        let small: Dict<u32, ()> = (0..3).map(|i| (i, ())).collect();
        let mut out = Vec::new();
        assert!(small.sample(50, &mut out) <= 3);
        // Sampling works during a rehash as well.
        let mut grow: Dict<u32, ()> = Dict::new();
        for i in 0..1024 {
            grow.insert(i, ());
        }
        grow.insert(1024, ());
        assert!(grow.is_rehashing());
        let mut seen = HashSet::new();
        for _ in 0..2000 {
            let mut out = Vec::new();
            grow.sample(10, &mut out);
            seen.extend(out.iter().map(|(k, _)| **k));
        }
        assert!(
            seen.len() > 900,
            "sampling reached only {} keys",
            seen.len()
        );
    }

    #[test]
    fn random_entry_covers_the_dict() {
        let d: Dict<u32, u32> = (0..50).map(|i| (i, i)).collect();
        let mut seen = HashSet::new();
        for _ in 0..5000 {
            let (k, v) = d.random_entry().unwrap();
            assert_eq!(k, v);
            seen.insert(*k);
        }
        assert_eq!(seen.len(), 50);
        let mut seen = HashSet::new();
        for _ in 0..5000 {
            seen.insert(*d.random_bucket_entry().unwrap().0);
        }
        assert_eq!(seen.len(), 50);
        // During a rehash too.
        let mut d: Dict<u32, u32> = (0..64).map(|i| (i, i)).collect();
        finish_rehash(&mut d);
        d.insert(64, 64);
        assert!(d.is_rehashing());
        let mut seen = HashSet::new();
        for _ in 0..20000 {
            seen.insert(*d.random_entry().unwrap().0);
            seen.insert(*d.random_bucket_entry().unwrap().0);
        }
        assert_eq!(seen.len(), 65);
    }

    /// Runs one full scan from cursor 0 while `mutate` changes the dict
    /// between calls, and returns every key the scan reported.
    fn scan_with<S: BuildHasher>(
        d: &mut Dict<u64, u64, S>,
        mut mutate: impl FnMut(&mut Dict<u64, u64, S>, usize),
    ) -> HashSet<u64> {
        let mut seen = HashSet::new();
        let mut cursor = 0u64;
        let mut calls = 0usize;
        loop {
            cursor = d.scan(cursor, |k, v| {
                assert_eq!(k, v);
                seen.insert(*k);
            });
            calls += 1;
            assert!(calls < 10_000_000, "scan did not terminate");
            if cursor == 0 {
                return seen;
            }
            mutate(d, calls);
        }
    }

    #[test]
    fn scan_without_changes_returns_everything() {
        for n in [1u64, 3, 4, 5, 100, 1000, 4097] {
            let mut d: Dict<u64, u64> = (0..n).map(|i| (i, i)).collect();
            let seen = scan_with(&mut d, |_, _| {});
            assert_eq!(seen.len() as u64, n);
            // Also while a rehash is in progress.
            d.insert(n, n);
            let expected = d.len();
            if d.is_rehashing() {
                d.pause_rehashing();
            }
            let seen = scan_with(&mut d, |_, _| {});
            assert_eq!(seen.len(), expected);
        }
    }

    /// The SCAN guarantee under arbitrary growth, shrinkage and rehashing:
    /// keys present for the whole scan are always reported.
    #[test]
    fn scan_guarantee_under_mutation() {
        let mut rng = TestRng(0x2545_f491_4f6c_dd1d);
        for round in 0..60u64 {
            let mut d: Dict<u64, u64> = Dict::new();
            // Stable keys: present before the scan starts and never removed.
            let stable_count = 1 + rng.below(300);
            let stable: Vec<u64> = (0..stable_count).map(|i| i * 2).collect();
            for &k in &stable {
                d.insert(k, k);
            }
            // Volatile keys (odd numbers) come and go.
            let mut volatile: Vec<u64> = Vec::new();
            let mut next_odd = 1u64;
            let initial_volatile = rng.below(2000);
            for _ in 0..initial_volatile {
                d.insert(next_odd, next_odd);
                volatile.push(next_odd);
                next_odd += 2;
            }
            if rng.below(2) == 0 {
                d.rehash_for(Duration::from_secs(1));
            }
            let mut ever_present: HashSet<u64> = d.keys().copied().collect();
            // Each round follows its own mutation script.  The size is
            // capped: a table that grows as fast as it is scanned can
            // outrun any cursor, in Redis as here.
            let style = round % 4;
            let cap = 300 + rng.below(4000) as usize;
            let seen = scan_with(&mut d, |d, call| {
                let phase_grow = d.len() < cap
                    && match style {
                        0 => true,                // growth up to the cap
                        1 => false,               // only shrinkage
                        2 => (call / 7) % 2 == 0, // alternate
                        _ => rng.below(2) == 0,   // random
                    };
                let ops = 1 + rng.below(if phase_grow { 24 } else { 18 });
                for _ in 0..ops {
                    if phase_grow || volatile.is_empty() {
                        d.insert(next_odd, next_odd);
                        ever_present.insert(next_odd);
                        volatile.push(next_odd);
                        next_odd += 2;
                    } else {
                        let i = rng.below(volatile.len() as u64) as usize;
                        let k = volatile.swap_remove(i);
                        assert_eq!(d.remove(&k), Some((k, k)));
                    }
                }
                match rng.below(6) {
                    0 => {
                        d.resize_if_needed();
                    }
                    1 => {
                        d.rehash_for(Duration::from_micros(rng.below(50)));
                    }
                    2 => {
                        let k = stable[rng.below(stable.len() as u64) as usize];
                        assert_eq!(d.get_mut(&k), Some(&mut k.clone()));
                    }
                    _ => {}
                }
            });
            for k in &stable {
                assert!(
                    seen.contains(k),
                    "round {round}: stable key {k} was not returned"
                );
            }
            for k in &seen {
                assert!(
                    ever_present.contains(k),
                    "round {round}: scan invented key {k}"
                );
            }
        }
    }

    /// Shrinking all the way down and growing back up in the middle of a
    /// scan, with rehashes left half-done.
    #[test]
    fn scan_guarantee_across_extreme_resizes() {
        let mut rng = TestRng(0x9e37_79b9_7f4a_7c15);
        for round in 0..20 {
            let mut d: Dict<u64, u64> = Dict::new();
            let stable: Vec<u64> = (0..(5 + round * 3)).map(|i| i * 2).collect();
            for &k in &stable {
                d.insert(k, k);
            }
            let mut volatile: Vec<u64> = Vec::new();
            for i in 0..20_000u64 {
                let k = i * 2 + 1;
                d.insert(k, k);
                volatile.push(k);
            }
            let seen = scan_with(&mut d, |d, call| {
                if call % 5 == 0 && !volatile.is_empty() {
                    // Drop almost everything and shrink.
                    let keep = volatile.len() / 50;
                    for k in volatile.drain(keep..) {
                        d.remove(&k);
                    }
                    d.resize_if_needed();
                    d.rehash(rng.below(4) as usize);
                } else if call % 5 == 2 {
                    // Grow a lot again.
                    let base = 1_000_000 + call as u64 * 10_000;
                    for i in 0..rng.below(5000) {
                        let k = (base + i) * 2 + 1;
                        d.insert(k, k);
                        volatile.push(k);
                    }
                }
            });
            for k in &stable {
                assert!(seen.contains(k), "round {round}: stable key {k} missing");
            }
        }
    }

    #[test]
    fn scan_terminates_while_growing() {
        let mut d: Dict<u64, u64> = (0..100).map(|i| (i, i)).collect();
        let mut next = 100u64;
        let mut calls = 0;
        let seen = scan_with(&mut d, |d, _| {
            calls += 1;
            for _ in 0..4 {
                d.insert(next, next);
                next += 1;
            }
        });
        assert!(calls < 100_000, "took {calls} calls");
        for k in 0..100 {
            assert!(seen.contains(&k));
        }
    }

    #[test]
    fn scan_cursor_visits_each_bucket_once_when_stable() {
        // With a fixed table, a full scan visits every bucket exactly once
        // and therefore reports every key exactly once.
        let mut d: IdDict<u64> = Dict::default();
        for k in 0..16 {
            d.insert(k, k);
        }
        finish_rehash(&mut d);
        assert_eq!(d.buckets(), 16);
        let mut count: HashMap<u64, usize> = HashMap::new();
        let mut cursor = 0;
        let mut cursors = Vec::new();
        loop {
            cursor = d.scan(cursor, |k, _| *count.entry(*k).or_default() += 1);
            if cursor == 0 {
                break;
            }
            cursors.push(cursor);
        }
        assert!(count.values().all(|&c| c == 1));
        assert_eq!(count.len(), 16);
        // Reverse-binary order over 4 bits: 0, 8, 4, 12, 2, 10, ...
        assert_eq!(&cursors[..5], &[8, 4, 12, 2, 10]);
    }
}
