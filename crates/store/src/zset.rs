//! The sorted set type and its two encodings (Redis 7.0's `t_zset.c`).
//!
//! # Encodings
//!
//! **listpack** — small sorted sets live in one contiguous byte buffer that
//! holds `member, score, member, score, ...` in score order (ties broken by
//! the member's bytes). Every entry starts with a tag byte:
//!
//! | tag            | entry                                              |
//! |----------------|----------------------------------------------------|
//! | `0x00..=0x7f`  | the integer 0..127 itself                          |
//! | `0x80..=0xbf`  | a string of `tag & 0x3f` bytes (shorter than 64)   |
//! | `0xc1`/`c2`/`c3` | an integer in 2 / 4 / 8 little-endian bytes      |
//! | `0xc4`         | a double in 8 little-endian bytes                  |
//! | `0xc5`         | a string with a 4-byte little-endian length        |
//!
//! Members that are canonical integers (`"17"`, not `"017"`) and scores that
//! are whole numbers below 2^53 are stored as integers, like Redis's
//! listpack does. Lookups are linear scans, which is what makes the
//! encoding fast for the small sizes it is used at.
//!
//! **skiplist** — a skiplist ordered by `(score, member)` whose forward
//! links carry spans (how many level-0 steps they jump), so the rank of a
//! node and the node at a rank are found in O(log n), plus a
//! [`crate::dict::Dict`] from member to node for O(1) ZSCORE. To keep it
//! lean each node is one allocation: a small header (score, backward link,
//! member length, height), its levels, and the member bytes; the dict's
//! keys are just pointers to those nodes (they hash and compare as the
//! member bytes they point to), so a member is stored once and the dict
//! costs one 16-byte entry per element. Levels are drawn with p = 1/4 up to
//! 32, as in Redis.
//!
//! # When the encoding changes
//!
//! Exactly Redis 7.0's rules: a new sorted set starts as a listpack unless
//! the creator's size hint exceeds `zset-max-listpack-entries` or its
//! longest member exceeds `zset-max-listpack-value` ([`ZSet::with_hint`],
//! used by ZADD and ZRANGESTORE); inserting a member converts a listpack
//! when the count would pass the entries limit or the member is longer
//! than the value limit. A skiplist never goes back by itself; only the
//! `*STORE` commands shrink their result with
//! [`ZSet::convert_to_listpack_if_needed`].
//!
//! # Ranges
//!
//! Every range query is reduced to an interval of ranks: the score and lex
//! bounds become `[lo, hi)` ([`ZSet::score_bounds`], [`ZSet::lex_bounds`]),
//! which the caller can count, slice with LIMIT, walk forwards or backwards
//! ([`ZSet::for_range`]) or delete ([`ZSet::delete_range`]).

use crate::dict::Dict;
use std::alloc::{self, Layout};
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ptr;

/// The conversion thresholds (`zset-max-listpack-entries`,
/// `zset-max-listpack-value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most elements a listpack may hold.
    pub max_entries: usize,
    /// Longest member (in bytes) a listpack may hold.
    pub max_value: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_entries: 128, max_value: 64 }
    }
}

/// ZADD's option flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddFlags {
    /// Only add new members.
    pub nx: bool,
    /// Only update existing members.
    pub xx: bool,
    /// Only update when the new score is greater.
    pub gt: bool,
    /// Only update when the new score is less.
    pub lt: bool,
    /// Add the score to the current one (ZINCRBY, ZADD INCR).
    pub incr: bool,
}

/// What [`ZSet::add`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddOutcome {
    /// A new member was inserted.
    Added,
    /// An existing member's score changed.
    Updated,
    /// The member exists with exactly that score (processed, no change).
    Unchanged,
    /// Nothing was done because of NX/XX/GT/LT.
    Nop,
}

/// The score would become NaN (`resulting score is not a number (NaN)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NanScore;

/// A score interval as ZRANGEBYSCORE takes it (`(` makes a bound exclusive).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRange {
    /// Lower bound.
    pub min: f64,
    /// Upper bound.
    pub max: f64,
    /// Lower bound excluded.
    pub minex: bool,
    /// Upper bound excluded.
    pub maxex: bool,
}

impl ScoreRange {
    /// True if `v` is at or past the lower bound.
    #[inline]
    pub fn gte_min(&self, v: f64) -> bool {
        if self.minex { v > self.min } else { v >= self.min }
    }
    /// True if `v` is at or before the upper bound.
    #[inline]
    pub fn lte_max(&self, v: f64) -> bool {
        if self.maxex { v < self.max } else { v <= self.max }
    }
    /// True if no score can be inside.
    pub fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.minex || self.maxex))
    }
}

/// One end of a lex interval (`-`, `+`, `[member`, `(member`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexBound {
    /// `-`: before every member.
    NegInf,
    /// `+`: after every member.
    PosInf,
    /// `[member`.
    Incl(Vec<u8>),
    /// `(member`.
    Excl(Vec<u8>),
}

impl LexBound {
    /// Parses a ZRANGEBYLEX bound; `None` for anything else.
    pub fn parse(s: &[u8]) -> Option<LexBound> {
        match s.first() {
            Some(b'+') if s.len() == 1 => Some(LexBound::PosInf),
            Some(b'-') if s.len() == 1 => Some(LexBound::NegInf),
            Some(b'[') => Some(LexBound::Incl(s[1..].to_vec())),
            Some(b'(') => Some(LexBound::Excl(s[1..].to_vec())),
            _ => None,
        }
    }
    fn rank(&self) -> (i8, &[u8]) {
        match self {
            LexBound::NegInf => (-1, b""),
            LexBound::PosInf => (1, b""),
            LexBound::Incl(m) | LexBound::Excl(m) => (0, m),
        }
    }
    fn exclusive(&self) -> bool {
        !matches!(self, LexBound::Incl(_))
    }
}

/// A lex interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexRange {
    /// Lower bound.
    pub min: LexBound,
    /// Upper bound.
    pub max: LexBound,
}

impl LexRange {
    /// True if `v` is at or past the lower bound.
    pub fn gte_min(&self, v: &[u8]) -> bool {
        match &self.min {
            LexBound::NegInf => true,
            LexBound::PosInf => false,
            LexBound::Incl(m) => v >= &m[..],
            LexBound::Excl(m) => v > &m[..],
        }
    }
    /// True if `v` is at or before the upper bound.
    pub fn lte_max(&self, v: &[u8]) -> bool {
        match &self.max {
            LexBound::NegInf => false,
            LexBound::PosInf => true,
            LexBound::Incl(m) => v <= &m[..],
            LexBound::Excl(m) => v < &m[..],
        }
    }
    /// True if no member can be inside (Redis treats `-` and `+` as
    /// exclusive, so `+ +` and `- -` are empty).
    pub fn is_empty(&self) -> bool {
        let (a, b) = (self.min.rank(), self.max.rank());
        match a.cmp(&b) {
            Ordering::Greater => true,
            Ordering::Equal => self.min.exclusive() || self.max.exclusive(),
            Ordering::Less => false,
        }
    }
}

/// Compares `(score, member)` pairs in sorted set order.
#[inline]
fn cmp_elem(s1: f64, m1: &[u8], s2: f64, m2: &[u8]) -> Ordering {
    match s1.partial_cmp(&s2) {
        Some(Ordering::Equal) | None => m1.cmp(m2),
        Some(o) => o,
    }
}

// ---------------------------------------------------------------------------
// listpack

const LP_INT16: u8 = 0xc1;
const LP_INT32: u8 = 0xc2;
const LP_INT64: u8 = 0xc3;
const LP_F64: u8 = 0xc4;
const LP_STR32: u8 = 0xc5;

/// A decoded listpack entry.
#[derive(Clone, Copy)]
enum Item<'a> {
    Int(i64),
    Float(f64),
    Str(&'a [u8]),
}

impl Item<'_> {
    fn score(self) -> f64 {
        match self {
            Item::Int(i) => i as f64,
            Item::Float(f) => f,
            Item::Str(_) => unreachable!("listpack score stored as a string"),
        }
    }
    /// Calls `f` with the entry as member bytes (integers are formatted).
    #[inline]
    fn with_bytes<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Item::Str(s) => f(s),
            Item::Int(i) => {
                let mut b = itoa::Buffer::new();
                f(b.format(i).as_bytes())
            }
            Item::Float(_) => unreachable!("listpack member stored as a double"),
        }
    }
}

/// Reads the entry at `pos`; returns it and the position after it.
#[inline]
fn lp_read(buf: &[u8], pos: usize) -> (Item<'_>, usize) {
    let tag = buf[pos];
    let p = pos + 1;
    match tag {
        0..=0x7f => (Item::Int(tag as i64), p),
        0x80..=0xbf => {
            let n = (tag & 0x3f) as usize;
            (Item::Str(&buf[p..p + n]), p + n)
        }
        LP_INT16 => (Item::Int(i16::from_le_bytes(buf[p..p + 2].try_into().unwrap()) as i64), p + 2),
        LP_INT32 => (Item::Int(i32::from_le_bytes(buf[p..p + 4].try_into().unwrap()) as i64), p + 4),
        LP_INT64 => (Item::Int(i64::from_le_bytes(buf[p..p + 8].try_into().unwrap())), p + 8),
        LP_F64 => (Item::Float(f64::from_le_bytes(buf[p..p + 8].try_into().unwrap())), p + 8),
        LP_STR32 => {
            let n = u32::from_le_bytes(buf[p..p + 4].try_into().unwrap()) as usize;
            (Item::Str(&buf[p + 4..p + 4 + n]), p + 4 + n)
        }
        _ => unreachable!("bad listpack tag"),
    }
}

fn lp_put_int(out: &mut Vec<u8>, v: i64) {
    if (0..=0x7f).contains(&v) {
        out.push(v as u8);
    } else if let Ok(v) = i16::try_from(v) {
        out.push(LP_INT16);
        out.extend_from_slice(&v.to_le_bytes());
    } else if let Ok(v) = i32::try_from(v) {
        out.push(LP_INT32);
        out.extend_from_slice(&v.to_le_bytes());
    } else {
        out.push(LP_INT64);
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// Appends a member entry (as an integer when it is a canonical one).
fn lp_put_member(out: &mut Vec<u8>, m: &[u8]) {
    if m.len() <= 20 {
        if let Some(v) = hematite_common::num::parse_i64(m) {
            lp_put_int(out, v);
            return;
        }
    }
    if m.len() < 64 {
        out.push(0x80 | m.len() as u8);
    } else {
        out.push(LP_STR32);
        out.extend_from_slice(&(m.len() as u32).to_le_bytes());
    }
    out.extend_from_slice(m);
}

/// Appends a score entry (as an integer when it is a whole number that a
/// double represents exactly; like Redis's listpack, -0 becomes 0).
fn lp_put_score(out: &mut Vec<u8>, s: f64) {
    if s.is_finite() && s.trunc() == s && s.abs() < 9_007_199_254_740_992.0 {
        lp_put_int(out, s as i64);
    } else {
        out.push(LP_F64);
        out.extend_from_slice(&s.to_le_bytes());
    }
}

/// The listpack encoding: `member, score` pairs in order in one buffer.
#[derive(Clone, Default)]
struct Listpack {
    buf: Vec<u8>,
    len: usize,
}

/// One element found in a listpack: where it starts and ends, its score.
#[derive(Clone, Copy)]
struct LpPos {
    start: usize,
    end: usize,
    score: f64,
}

impl Listpack {
    /// Calls `f(start, member, score, end)` for every element in order
    /// until it returns false.
    #[inline]
    fn walk(&self, mut f: impl FnMut(usize, Item<'_>, f64, usize) -> bool) {
        let mut pos = 0;
        while pos < self.buf.len() {
            let (m, p) = lp_read(&self.buf, pos);
            let (s, next) = lp_read(&self.buf, p);
            if !f(pos, m, s.score(), next) {
                return;
            }
            pos = next;
        }
    }

    fn find(&self, member: &[u8]) -> Option<LpPos> {
        let mut found = None;
        self.walk(|start, m, score, end| {
            if m.with_bytes(|b| b == member) {
                found = Some(LpPos { start, end, score });
                false
            } else {
                true
            }
        });
        found
    }

    /// Byte offsets of every element's start, plus the end of the buffer.
    fn offsets(&self) -> Vec<usize> {
        let mut v = Vec::with_capacity(self.len + 1);
        self.walk(|start, _, _, _| {
            v.push(start);
            true
        });
        v.push(self.buf.len());
        v
    }

    fn insert(&mut self, member: &[u8], score: f64) {
        let mut at = self.buf.len();
        self.walk(|start, m, s, _| {
            if m.with_bytes(|b| cmp_elem(s, b, score, member)) == Ordering::Greater {
                at = start;
                false
            } else {
                true
            }
        });
        let mut enc = Vec::with_capacity(member.len() + 14);
        lp_put_member(&mut enc, member);
        lp_put_score(&mut enc, score);
        self.buf.splice(at..at, enc);
        self.len += 1;
    }

    fn append(&mut self, member: &[u8], score: f64) {
        lp_put_member(&mut self.buf, member);
        lp_put_score(&mut self.buf, score);
        self.len += 1;
    }

    fn remove_at(&mut self, p: LpPos) {
        self.buf.drain(p.start..p.end);
        self.len -= 1;
    }

    fn elem_at(&self, rank: usize) -> (Vec<u8>, f64) {
        let mut i = 0;
        let mut out = None;
        self.walk(|_, m, s, _| {
            if i == rank {
                out = Some((m.with_bytes(|b| b.to_vec()), s));
                return false;
            }
            i += 1;
            true
        });
        out.expect("rank in range")
    }
}

// ---------------------------------------------------------------------------
// skiplist

const MAX_LEVEL: usize = 32;

#[repr(C)]
struct Level {
    forward: *mut Node,
    span: usize,
}

/// A skiplist node's header; `height` levels and `len` member bytes follow
/// it in the same allocation.
#[repr(C)]
struct Node {
    score: f64,
    backward: *mut Node,
    len: u32,
    height: u32,
}

impl Node {
    fn layout(height: usize, len: usize) -> Layout {
        let size = std::mem::size_of::<Node>() + height * std::mem::size_of::<Level>() + len;
        Layout::from_size_align(size, std::mem::align_of::<Node>()).expect("node layout")
    }

    /// Allocates a node holding `member`.
    fn alloc(height: usize, score: f64, member: &[u8]) -> *mut Node {
        let layout = Node::layout(height, member.len());
        // SAFETY: the layout has a non-zero size; every field and level is
        // initialised before the node is used.
        unsafe {
            let p = alloc::alloc(layout) as *mut Node;
            if p.is_null() {
                alloc::handle_alloc_error(layout);
            }
            p.write(Node { score, backward: ptr::null_mut(), len: member.len() as u32, height: height as u32 });
            let levels = Node::levels_ptr(p);
            for i in 0..height {
                levels.add(i).write(Level { forward: ptr::null_mut(), span: 0 });
            }
            ptr::copy_nonoverlapping(member.as_ptr(), (levels.add(height)) as *mut u8, member.len());
            p
        }
    }

    /// # Safety
    /// `p` must come from [`Node::alloc`] and not be used afterwards.
    unsafe fn free(p: *mut Node) {
        let layout = Node::layout((*p).height as usize, (*p).len as usize);
        alloc::dealloc(p as *mut u8, layout);
    }

    #[inline]
    unsafe fn levels_ptr(p: *mut Node) -> *mut Level {
        (p as *mut u8).add(std::mem::size_of::<Node>()) as *mut Level
    }

    #[inline]
    unsafe fn level<'a>(p: *mut Node, i: usize) -> &'a mut Level {
        &mut *Node::levels_ptr(p).add(i)
    }

    #[inline]
    unsafe fn member<'a>(p: *const Node) -> &'a [u8] {
        let data = (p as *const u8).add(std::mem::size_of::<Node>() + (*p).height as usize * std::mem::size_of::<Level>());
        std::slice::from_raw_parts(data, (*p).len as usize)
    }
}

/// A dict key: a pointer to a skiplist node, hashed and compared as the
/// node's member bytes.
#[derive(Clone, Copy)]
struct NodeKey(*mut Node);

impl NodeKey {
    #[inline]
    fn bytes(&self) -> &[u8] {
        // SAFETY: keys are removed from the dict before their node is freed.
        unsafe { Node::member(self.0) }
    }
}

impl Hash for NodeKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.bytes().hash(state)
    }
}
impl PartialEq for NodeKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes() == other.bytes()
    }
}
impl Eq for NodeKey {}
impl Borrow<[u8]> for NodeKey {
    fn borrow(&self) -> &[u8] {
        self.bytes()
    }
}

/// The skiplist encoding: the ordered skiplist plus the member index.
struct SkipSet {
    header: *mut Node,
    tail: *mut Node,
    len: usize,
    level: usize,
    dict: Dict<NodeKey, ()>,
    rng: u64,
}

impl SkipSet {
    fn new() -> Self {
        SkipSet {
            header: Node::alloc(MAX_LEVEL, 0.0, b""),
            tail: ptr::null_mut(),
            len: 0,
            level: 1,
            dict: Dict::new(),
            rng: rand::random::<u64>() | 1,
        }
    }

    fn random_level(&mut self) -> usize {
        let mut level = 1;
        loop {
            // xorshift64
            self.rng ^= self.rng << 13;
            self.rng ^= self.rng >> 7;
            self.rng ^= self.rng << 17;
            if (self.rng & 0xffff) < 0x4000 && level < MAX_LEVEL {
                level += 1;
            } else {
                return level;
            }
        }
    }

    fn get(&self, member: &[u8]) -> Option<*mut Node> {
        self.dict.get_key_value(member).map(|(k, _)| k.0)
    }

    /// The path to where `(score, member)` goes: for each level the last
    /// node before it, and that node's rank.
    unsafe fn path(&self, score: f64, member: &[u8]) -> ([*mut Node; MAX_LEVEL], [usize; MAX_LEVEL]) {
        let mut update = [ptr::null_mut(); MAX_LEVEL];
        let mut rank = [0usize; MAX_LEVEL];
        let mut x = self.header;
        for i in (0..self.level).rev() {
            rank[i] = if i == self.level - 1 { 0 } else { rank[i + 1] };
            loop {
                let f = Node::level(x, i).forward;
                if f.is_null() || cmp_elem((*f).score, Node::member(f), score, member) != Ordering::Less {
                    break;
                }
                rank[i] += Node::level(x, i).span;
                x = f;
            }
            update[i] = x;
        }
        (update, rank)
    }

    /// Links an allocated node into the list at its place.
    unsafe fn link(&mut self, x: *mut Node) {
        let score = (*x).score;
        let (mut update, mut rank) = self.path(score, Node::member(x));
        let height = (*x).height as usize;
        if height > self.level {
            for i in self.level..height {
                rank[i] = 0;
                update[i] = self.header;
                Node::level(self.header, i).span = self.len;
            }
            self.level = height;
        }
        for i in 0..height {
            let u = Node::level(update[i], i);
            let l = Node::level(x, i);
            l.forward = u.forward;
            u.forward = x;
            l.span = u.span - (rank[0] - rank[i]);
            u.span = (rank[0] - rank[i]) + 1;
        }
        for i in height..self.level {
            Node::level(update[i], i).span += 1;
        }
        (*x).backward = if update[0] == self.header { ptr::null_mut() } else { update[0] };
        let f = Node::level(x, 0).forward;
        if f.is_null() {
            self.tail = x;
        } else {
            (*f).backward = x;
        }
        self.len += 1;
    }

    /// Unlinks `x` given the path to it (does not free it).
    unsafe fn unlink(&mut self, x: *mut Node, update: &[*mut Node; MAX_LEVEL]) {
        for i in 0..self.level {
            let u = Node::level(update[i], i);
            if u.forward == x {
                let l = Node::level(x, i);
                u.span += l.span;
                u.span -= 1;
                u.forward = l.forward;
            } else {
                u.span -= 1;
            }
        }
        let f = Node::level(x, 0).forward;
        if f.is_null() {
            self.tail = (*x).backward;
        } else {
            (*f).backward = (*x).backward;
        }
        while self.level > 1 && Node::level(self.header, self.level - 1).forward.is_null() {
            self.level -= 1;
        }
        self.len -= 1;
    }

    fn insert(&mut self, member: &[u8], score: f64) {
        let h = self.random_level();
        let x = Node::alloc(h, score, member);
        // SAFETY: x is a fresh node not yet in the list.
        unsafe { self.link(x) };
        self.dict.insert(NodeKey(x), ());
    }

    fn update_score(&mut self, x: *mut Node, score: f64) {
        // SAFETY: x is a node of this list.
        unsafe {
            let b = (*x).backward;
            let f = Node::level(x, 0).forward;
            let m = Node::member(x);
            let stays = (b.is_null() || cmp_elem((*b).score, Node::member(b), score, m) == Ordering::Less)
                && (f.is_null() || cmp_elem((*f).score, Node::member(f), score, m) == Ordering::Greater);
            if stays {
                (*x).score = score;
                return;
            }
            let (update, _) = self.path((*x).score, m);
            self.unlink(x, &update);
            (*x).score = score;
            self.link(x);
        }
    }

    fn remove(&mut self, member: &[u8]) -> bool {
        let Some(x) = self.get(member) else { return false };
        // SAFETY: x is a node of this list; it leaves the dict before it
        // is freed.
        unsafe {
            let (update, _) = self.path((*x).score, member);
            self.unlink(x, &update);
            self.dict.remove(member);
            Node::free(x);
        }
        true
    }

    /// 1-based rank of a node.
    unsafe fn rank_of(&self, x: *mut Node) -> usize {
        let (_, rank) = self.path((*x).score, Node::member(x));
        rank[0] + 1
    }

    /// The node at 0-based rank `r`.
    unsafe fn node_at(&self, r: usize) -> *mut Node {
        let target = r + 1;
        let mut x = self.header;
        let mut traversed = 0;
        for i in (0..self.level).rev() {
            loop {
                let l = Node::level(x, i);
                if l.forward.is_null() || traversed + l.span > target {
                    break;
                }
                traversed += l.span;
                x = l.forward;
            }
            if traversed == target {
                return x;
            }
        }
        unreachable!("rank out of range")
    }

    /// How many leading elements satisfy `before` (a predicate that is
    /// true for a prefix of the order).
    fn count_prefix(&self, mut before: impl FnMut(f64, &[u8]) -> bool) -> usize {
        let mut x = self.header;
        let mut rank = 0;
        // SAFETY: walks only live nodes.
        unsafe {
            for i in (0..self.level).rev() {
                loop {
                    let l = Node::level(x, i);
                    let f = l.forward;
                    if f.is_null() || !before((*f).score, Node::member(f)) {
                        break;
                    }
                    rank += l.span;
                    x = f;
                }
            }
        }
        rank
    }

    /// Deletes ranks `[start, end)`.
    fn delete_range(&mut self, start: usize, end: usize) {
        if start >= end {
            return;
        }
        // SAFETY: the path stays valid while deleting consecutive nodes
        // after it; each node leaves the dict before it is freed.
        unsafe {
            let mut update = [ptr::null_mut(); MAX_LEVEL];
            let mut x = self.header;
            let mut traversed = 0;
            for i in (0..self.level).rev() {
                loop {
                    let l = Node::level(x, i);
                    if l.forward.is_null() || traversed + l.span > start {
                        break;
                    }
                    traversed += l.span;
                    x = l.forward;
                }
                update[i] = x;
            }
            let mut x = Node::level(x, 0).forward;
            for _ in start..end {
                let next = Node::level(x, 0).forward;
                self.unlink(x, &update);
                self.dict.remove(Node::member(x));
                Node::free(x);
                x = next;
            }
        }
    }
}

impl Drop for SkipSet {
    fn drop(&mut self) {
        self.dict.clear();
        // SAFETY: every node is reachable once from level 0 and freed once.
        unsafe {
            let mut x = Node::level(self.header, 0).forward;
            while !x.is_null() {
                let next = Node::level(x, 0).forward;
                Node::free(x);
                x = next;
            }
            Node::free(self.header);
        }
    }
}

// ---------------------------------------------------------------------------
// the type

enum Enc {
    Listpack(Listpack),
    Skiplist(SkipSet),
}

/// A sorted set value.
pub struct ZSet {
    enc: Enc,
}

// SAFETY: the skiplist's raw pointers are owned exclusively by the ZSet
// (nothing is shared between values), so moving or sharing it across
// threads is as safe as for a Vec.
unsafe impl Send for ZSet {}
unsafe impl Sync for ZSet {}

impl Default for ZSet {
    fn default() -> Self {
        ZSet::new()
    }
}

impl Clone for ZSet {
    fn clone(&self) -> Self {
        match &self.enc {
            Enc::Listpack(lp) => ZSet { enc: Enc::Listpack(lp.clone()) },
            Enc::Skiplist(_) => {
                let mut sl = SkipSet::new();
                self.for_each(|m, s| sl.insert(m, s));
                ZSet { enc: Enc::Skiplist(sl) }
            }
        }
    }
}

impl PartialEq for ZSet {
    fn eq(&self, other: &Self) -> bool {
        if self.len() != other.len() {
            return false;
        }
        let mut a = Vec::new();
        self.for_each(|m, s| a.push((m.to_vec(), s)));
        let mut i = 0;
        let mut eq = true;
        other.for_each(|m, s| {
            if eq {
                eq = a[i].0 == m && a[i].1.to_bits() == s.to_bits();
            }
            i += 1;
        });
        eq
    }
}

impl fmt::Debug for ZSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_list();
        self.for_each(|m, s| {
            l.entry(&(String::from_utf8_lossy(m), s));
        });
        l.finish()
    }
}

impl ZSet {
    /// An empty sorted set (listpack).
    pub fn new() -> Self {
        ZSet { enc: Enc::Listpack(Listpack::default()) }
    }

    /// An empty skiplist-encoded sorted set.
    pub fn new_skiplist() -> Self {
        ZSet { enc: Enc::Skiplist(SkipSet::new()) }
    }

    /// Redis's `zsetTypeCreate`: a listpack unless `size_hint` elements or
    /// a member of `value_len_hint` bytes would not fit one.
    pub fn with_hint(size_hint: usize, value_len_hint: usize, limits: Limits) -> Self {
        if size_hint <= limits.max_entries && value_len_hint <= limits.max_value {
            ZSet::new()
        } else {
            let mut z = ZSet::new_skiplist();
            if let Enc::Skiplist(sl) = &mut z.enc {
                sl.dict.expand(size_hint);
            }
            z
        }
    }

    /// Appends `member` with `score` at the end of a listpack-encoded
    /// sorted set (bulk loading): the caller guarantees it sorts after
    /// every current member and is not present. On a skiplist it is a
    /// plain insert.
    pub fn push_greatest(&mut self, member: &[u8], score: f64) {
        match &mut self.enc {
            Enc::Listpack(lp) => lp.append(member, score),
            Enc::Skiplist(sl) => sl.insert(member, score),
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match &self.enc {
            Enc::Listpack(lp) => lp.len,
            Enc::Skiplist(sl) => sl.len,
        }
    }

    /// True when empty (an empty sorted set is never stored).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        match &self.enc {
            Enc::Listpack(_) => "listpack",
            Enc::Skiplist(_) => "skiplist",
        }
    }

    /// Heap bytes held (approximate).
    pub fn heap_size(&self) -> usize {
        match &self.enc {
            Enc::Listpack(lp) => lp.buf.capacity(),
            Enc::Skiplist(sl) => {
                let mut n = Node::layout(MAX_LEVEL, 0).size() + sl.dict.bucket_memory() + sl.dict.len() * 16;
                self.for_each_node(|x| {
                    // SAFETY: x is a live node.
                    n += unsafe { Node::layout((*x).height as usize, (*x).len as usize).size() }
                });
                let _ = sl;
                n
            }
        }
    }

    fn for_each_node(&self, mut f: impl FnMut(*mut Node)) {
        if let Enc::Skiplist(sl) = &self.enc {
            // SAFETY: walks live nodes.
            unsafe {
                let mut x = Node::level(sl.header, 0).forward;
                while !x.is_null() {
                    f(x);
                    x = Node::level(x, 0).forward;
                }
            }
        }
    }

    /// Converts a listpack to a skiplist.
    pub fn convert_to_skiplist(&mut self) {
        if let Enc::Listpack(lp) = &self.enc {
            let mut sl = SkipSet::new();
            sl.dict.expand(lp.len);
            lp.walk(|_, m, s, _| {
                m.with_bytes(|b| sl.insert(b, s));
                true
            });
            self.enc = Enc::Skiplist(sl);
        }
    }

    /// Redis's `zsetConvertToListpackIfNeeded` (used by the `*STORE`
    /// commands): a skiplist small enough for the limits becomes a
    /// listpack; `max_member_len` is the longest member.
    pub fn convert_to_listpack_if_needed(&mut self, max_member_len: usize, limits: Limits) {
        if let Enc::Skiplist(sl) = &self.enc {
            if sl.len <= limits.max_entries && max_member_len <= limits.max_value {
                let mut lp = Listpack::default();
                self.for_each(|m, s| lp.append(m, s));
                self.enc = Enc::Listpack(lp);
            }
        }
    }

    /// The score of `member`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match &self.enc {
            Enc::Listpack(lp) => lp.find(member).map(|p| p.score),
            // SAFETY: dict values point to live nodes.
            Enc::Skiplist(sl) => sl.get(member).map(|x| unsafe { (*x).score }),
        }
    }

    /// Inserts a member that is known to be absent, converting first if
    /// the limits require it.
    fn insert_new(&mut self, member: &[u8], score: f64, limits: Limits) {
        if let Enc::Listpack(lp) = &self.enc {
            if lp.len + 1 > limits.max_entries || member.len() > limits.max_value {
                self.convert_to_skiplist();
            }
        }
        match &mut self.enc {
            Enc::Listpack(lp) => lp.insert(member, score),
            Enc::Skiplist(sl) => sl.insert(member, score),
        }
    }

    /// Redis's `zsetAdd`: adds or updates `member` following the ZADD
    /// flags. Returns what happened and the member's resulting score (for
    /// a NOP, its current score if it exists).
    pub fn add(&mut self, member: &[u8], score: f64, flags: AddFlags, limits: Limits) -> Result<(AddOutcome, f64), NanScore> {
        if score.is_nan() {
            return Err(NanScore);
        }
        match self.score(member) {
            Some(cur) => {
                if flags.nx {
                    return Ok((AddOutcome::Nop, cur));
                }
                let mut new = score;
                if flags.incr {
                    new += cur;
                    if new.is_nan() {
                        return Err(NanScore);
                    }
                }
                if (flags.lt && new >= cur) || (flags.gt && new <= cur) {
                    return Ok((AddOutcome::Nop, cur));
                }
                if new == cur {
                    return Ok((AddOutcome::Unchanged, new));
                }
                match &mut self.enc {
                    Enc::Listpack(lp) => {
                        let p = lp.find(member).expect("member present");
                        lp.remove_at(p);
                        lp.insert(member, new);
                    }
                    Enc::Skiplist(sl) => {
                        let x = sl.get(member).expect("member present");
                        sl.update_score(x, new);
                    }
                }
                Ok((AddOutcome::Updated, new))
            }
            None => {
                if flags.xx {
                    return Ok((AddOutcome::Nop, score));
                }
                self.insert_new(member, score, limits);
                Ok((AddOutcome::Added, score))
            }
        }
    }

    /// Sets `member`'s score (inserting it if needed).
    pub fn insert(&mut self, member: &[u8], score: f64, limits: Limits) {
        let _ = self.add(member, score, AddFlags::default(), limits);
    }

    /// Removes `member`; true if it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match &mut self.enc {
            Enc::Listpack(lp) => match lp.find(member) {
                Some(p) => {
                    lp.remove_at(p);
                    true
                }
                None => false,
            },
            Enc::Skiplist(sl) => sl.remove(member),
        }
    }

    /// 0-based rank of `member` (from the highest score when `rev`), with
    /// its score.
    pub fn rank(&self, member: &[u8], rev: bool) -> Option<(usize, f64)> {
        let (r, s) = match &self.enc {
            Enc::Listpack(lp) => {
                let mut i = 0;
                let mut out = None;
                lp.walk(|_, m, s, _| {
                    if m.with_bytes(|b| b == member) {
                        out = Some((i, s));
                        return false;
                    }
                    i += 1;
                    true
                });
                out?
            }
            Enc::Skiplist(sl) => {
                let x = sl.get(member)?;
                // SAFETY: x is a live node.
                unsafe { (sl.rank_of(x) - 1, (*x).score) }
            }
        };
        Some((if rev { self.len() - 1 - r } else { r }, s))
    }

    /// The element at 0-based rank `r` (which must be `< len`).
    pub fn at(&self, r: usize) -> (Vec<u8>, f64) {
        match &self.enc {
            Enc::Listpack(lp) => lp.elem_at(r),
            // SAFETY: r < len.
            Enc::Skiplist(sl) => unsafe {
                let x = sl.node_at(r);
                (Node::member(x).to_vec(), (*x).score)
            },
        }
    }

    /// Calls `f` with every element in order.
    pub fn for_each(&self, mut f: impl FnMut(&[u8], f64)) {
        self.for_range(0, self.len(), false, |m, s| {
            f(m, s);
            true
        })
    }

    /// Calls `f(member, score)` for the ranks `[start, end)` in order, or
    /// from `end - 1` down to `start` when `rev`, until `f` returns false.
    pub fn for_range(&self, start: usize, end: usize, rev: bool, mut f: impl FnMut(&[u8], f64) -> bool) {
        let end = end.min(self.len());
        if start >= end {
            return;
        }
        match &self.enc {
            Enc::Listpack(lp) => {
                if !rev {
                    let mut i = 0;
                    lp.walk(|_, m, s, _| {
                        let go = if i >= start { m.with_bytes(|b| f(b, s)) } else { true };
                        i += 1;
                        go && i < end
                    });
                } else {
                    let offs = lp.offsets();
                    for i in (start..end).rev() {
                        let (m, p) = lp_read(&lp.buf, offs[i]);
                        let s = lp_read(&lp.buf, p).0.score();
                        if !m.with_bytes(|b| f(b, s)) {
                            return;
                        }
                    }
                }
            }
            // SAFETY: ranks are in range; the walk follows live links.
            Enc::Skiplist(sl) => unsafe {
                if !rev {
                    let mut x = sl.node_at(start);
                    for _ in start..end {
                        if !f(Node::member(x), (*x).score) {
                            return;
                        }
                        x = Node::level(x, 0).forward;
                    }
                } else {
                    let mut x = sl.node_at(end - 1);
                    for _ in start..end {
                        if !f(Node::member(x), (*x).score) {
                            return;
                        }
                        x = (*x).backward;
                    }
                }
            },
        }
    }

    /// The ranks `[lo, hi)` whose scores are inside `range`.
    pub fn score_bounds(&self, range: &ScoreRange) -> (usize, usize) {
        if range.is_empty() {
            return (0, 0);
        }
        let (lo, hi) = match &self.enc {
            Enc::Listpack(lp) => {
                let (mut lo, mut hi, mut i) = (0, 0, 0);
                lp.walk(|_, _, s, _| {
                    i += 1;
                    if !range.gte_min(s) {
                        lo = i;
                    }
                    if range.lte_max(s) {
                        hi = i;
                        true
                    } else {
                        false
                    }
                });
                (lo, hi)
            }
            Enc::Skiplist(sl) => (sl.count_prefix(|s, _| !range.gte_min(s)), sl.count_prefix(|s, _| range.lte_max(s))),
        };
        (lo, hi.max(lo))
    }

    /// The ranks `[lo, hi)` whose members are inside `range` (meaningful
    /// when all scores are equal, as in Redis).
    pub fn lex_bounds(&self, range: &LexRange) -> (usize, usize) {
        if range.is_empty() {
            return (0, 0);
        }
        let (lo, hi) = match &self.enc {
            Enc::Listpack(lp) => {
                let (mut lo, mut hi, mut i) = (None, 0, 0);
                lp.walk(|_, m, _, _| {
                    let ok = m.with_bytes(|b| {
                        if lo.is_none() {
                            if range.gte_min(b) {
                                lo = Some(i);
                            } else {
                                return true;
                            }
                        }
                        range.lte_max(b)
                    });
                    i += 1;
                    if ok && lo.is_some() {
                        hi = i;
                    }
                    ok
                });
                let lo = lo.unwrap_or(lp.len);
                (lo, hi)
            }
            Enc::Skiplist(sl) => (sl.count_prefix(|_, m| !range.gte_min(m)), sl.count_prefix(|_, m| range.lte_max(m))),
        };
        (lo, hi.max(lo))
    }

    /// Number of members with a score inside `range`.
    pub fn count_score(&self, range: &ScoreRange) -> usize {
        let (lo, hi) = self.score_bounds(range);
        hi - lo
    }

    /// Number of members inside a lex range.
    pub fn count_lex(&self, range: &LexRange) -> usize {
        let (lo, hi) = self.lex_bounds(range);
        hi - lo
    }

    /// Deletes the ranks `[start, end)`; returns how many were removed.
    pub fn delete_range(&mut self, start: usize, end: usize) -> usize {
        let end = end.min(self.len());
        if start >= end {
            return 0;
        }
        match &mut self.enc {
            Enc::Listpack(lp) => {
                let offs = lp.offsets();
                lp.buf.drain(offs[start]..offs[end]);
                lp.len -= end - start;
            }
            Enc::Skiplist(sl) => sl.delete_range(start, end),
        }
        end - start
    }

    /// Removes and returns the lowest (or, with `max`, highest) element.
    pub fn pop(&mut self, max: bool) -> Option<(Vec<u8>, f64)> {
        if self.is_empty() {
            return None;
        }
        let r = if max { self.len() - 1 } else { 0 };
        let e = self.at(r);
        self.delete_range(r, r + 1);
        Some(e)
    }

    /// Calls `f` with members and scores for one SCAN step; returns the
    /// next cursor. A listpack returns everything at once (cursor 0).
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&[u8], f64)) -> u64 {
        match &self.enc {
            Enc::Listpack(_) => {
                self.for_each(f);
                0
            }
            // SAFETY: dict keys point to live nodes.
            Enc::Skiplist(sl) => sl.dict.scan(cursor, |k, _| f(k.bytes(), unsafe { (*k.0).score })),
        }
    }

    /// True for the listpack encoding.
    pub fn is_listpack(&self) -> bool {
        matches!(self.enc, Enc::Listpack(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use std::collections::BTreeMap;

    fn elems(z: &ZSet) -> Vec<(Vec<u8>, f64)> {
        let mut v = Vec::new();
        z.for_each(|m, s| v.push((m.to_vec(), s)));
        v
    }

    #[test]
    fn listpack_entry_encodings_round_trip() {
        let mut z = ZSet::new();
        let lim = Limits::default();
        for (m, s) in [(&b"17"[..], 1.0), (b"-5", -300.0), (b"007", 1e300), (b"x", 2.5), (b"big", 1e15), (b"neg0", -0.0), (b"9223372036854775807", 3.0)] {
            z.insert(m, s, lim);
        }
        assert_eq!(z.encoding(), "listpack");
        assert_eq!(z.score(b"007"), Some(1e300));
        assert_eq!(z.score(b"17"), Some(1.0));
        assert!(z.score(b"neg0").unwrap().is_sign_positive());
        assert_eq!(z.score(b"9223372036854775807"), Some(3.0));
        let long = vec![b'a'; 64];
        z.insert(&long, 0.5, lim);
        assert_eq!(z.encoding(), "listpack");
        assert_eq!(z.score(&long), Some(0.5));
        let v = elems(&z);
        assert_eq!(v[0].0, b"-5");
        assert_eq!(v.last().unwrap().0, b"007");
    }

    #[test]
    fn conversion_thresholds() {
        let lim = Limits { max_entries: 3, max_value: 4 };
        let mut z = ZSet::new();
        for (i, m) in [b"a", b"b", b"c"].iter().enumerate() {
            z.insert(*m, i as f64, lim);
        }
        assert_eq!(z.encoding(), "listpack");
        z.insert(b"a", 10.0, lim);
        assert_eq!(z.encoding(), "listpack");
        z.insert(b"d", 4.0, lim);
        assert_eq!(z.encoding(), "skiplist");
        let mut z = ZSet::new();
        z.insert(b"abcde", 1.0, lim);
        assert_eq!(z.encoding(), "skiplist");
        assert_eq!(ZSet::with_hint(4, 0, lim).encoding(), "skiplist");
        assert_eq!(ZSet::with_hint(3, 4, lim).encoding(), "listpack");
        let mut z = ZSet::new_skiplist();
        z.insert(b"a", 1.0, lim);
        z.convert_to_listpack_if_needed(1, lim);
        assert_eq!(z.encoding(), "listpack");
    }

    #[test]
    fn add_flags() {
        let lim = Limits::default();
        let mut z = ZSet::new();
        let f = AddFlags::default();
        assert_eq!(z.add(b"a", 1.0, f, lim), Ok((AddOutcome::Added, 1.0)));
        assert_eq!(z.add(b"a", 1.0, f, lim), Ok((AddOutcome::Unchanged, 1.0)));
        assert_eq!(z.add(b"a", 2.0, AddFlags { nx: true, ..f }, lim), Ok((AddOutcome::Nop, 1.0)));
        assert_eq!(z.add(b"b", 2.0, AddFlags { xx: true, ..f }, lim), Ok((AddOutcome::Nop, 2.0)));
        assert_eq!(z.add(b"a", 0.5, AddFlags { gt: true, ..f }, lim), Ok((AddOutcome::Nop, 1.0)));
        assert_eq!(z.add(b"a", 3.0, AddFlags { gt: true, ..f }, lim), Ok((AddOutcome::Updated, 3.0)));
        assert_eq!(z.add(b"a", 2.0, AddFlags { incr: true, ..f }, lim), Ok((AddOutcome::Updated, 5.0)));
        z.insert(b"i", f64::INFINITY, lim);
        assert_eq!(z.add(b"i", f64::NEG_INFINITY, AddFlags { incr: true, ..f }, lim), Err(NanScore));
    }

    #[test]
    fn lex_and_score_ranges() {
        for sk in [false, true] {
            let lim = Limits::default();
            let mut z = if sk { ZSet::new_skiplist() } else { ZSet::new() };
            for m in [b"a", b"b", b"c", b"d", b"e"] {
                z.insert(m, 0.0, lim);
            }
            let r = LexRange { min: LexBound::Incl(b"b".to_vec()), max: LexBound::Excl(b"e".to_vec()) };
            assert_eq!(z.lex_bounds(&r), (1, 4));
            let r = LexRange { min: LexBound::NegInf, max: LexBound::PosInf };
            assert_eq!(z.lex_bounds(&r), (0, 5));
            let r = LexRange { min: LexBound::PosInf, max: LexBound::PosInf };
            assert_eq!(z.lex_bounds(&r), (0, 0));
            let r = LexRange { min: LexBound::Excl(b"e".to_vec()), max: LexBound::PosInf };
            assert_eq!(z.count_lex(&r), 0);
            let r = ScoreRange { min: 0.0, max: 0.0, minex: false, maxex: false };
            assert_eq!(z.count_score(&r), 5);
            let r = ScoreRange { min: 0.0, max: 1.0, minex: true, maxex: false };
            assert_eq!(z.count_score(&r), 0);
        }
    }

    /// Randomized comparison of both encodings against a BTreeMap model.
    #[test]
    fn randomized_against_model() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for round in 0..6 {
            let lim = if round % 2 == 0 { Limits::default() } else { Limits { max_entries: 8, max_value: 6 } };
            let mut z = ZSet::new();
            let mut model: BTreeMap<Vec<u8>, f64> = BTreeMap::new();
            for _ in 0..3000 {
                let member = format!("m{}", rng.gen_range(0..300)).into_bytes();
                let score = rng.gen_range(-20..20) as f64 / 2.0;
                match rng.gen_range(0..10) {
                    0..=4 => {
                        z.insert(&member, score, lim);
                        model.insert(member, score);
                    }
                    5 => {
                        assert_eq!(z.remove(&member), model.remove(&member).is_some());
                    }
                    6 => {
                        let r = ScoreRange { min: score, max: score + 3.0, minex: rng.gen(), maxex: rng.gen() };
                        let (lo, hi) = z.score_bounds(&r);
                        let want: Vec<_> = sorted(&model).into_iter().filter(|(_, s)| r.gte_min(*s) && r.lte_max(*s)).collect();
                        let mut got = Vec::new();
                        z.for_range(lo, hi, false, |m, s| {
                            got.push((m.to_vec(), s));
                            true
                        });
                        assert_eq!(got, want);
                        let mut rgot = Vec::new();
                        z.for_range(lo, hi, true, |m, s| {
                            rgot.push((m.to_vec(), s));
                            true
                        });
                        rgot.reverse();
                        assert_eq!(rgot, want);
                        if rng.gen_range(0..4) == 0 {
                            z.delete_range(lo, hi);
                            for (m, _) in want {
                                model.remove(&m);
                            }
                        }
                    }
                    7 => {
                        let want = sorted(&model);
                        match z.rank(&member, false) {
                            Some((r, s)) => {
                                assert_eq!(want[r], (member.clone(), s));
                                assert_eq!(z.rank(&member, true).unwrap().0, want.len() - 1 - r);
                            }
                            None => assert!(!model.contains_key(&member)),
                        }
                    }
                    8 => {
                        if let Some((m, s)) = z.pop(rng.gen()) {
                            assert_eq!(model.remove(&m), Some(s));
                        }
                    }
                    _ => {
                        let f = AddFlags { incr: true, ..AddFlags::default() };
                        let (_, new) = z.add(&member, 1.5, f, lim).unwrap();
                        let e = model.entry(member).or_insert(0.0);
                        *e += 1.5;
                        assert_eq!(*e, new);
                    }
                }
                assert_eq!(z.len(), model.len());
            }
            assert_eq!(elems(&z), sorted(&model));
            let c = z.clone();
            assert_eq!(c, z);
            let mut seen = std::collections::HashSet::new();
            let mut cur = 0;
            loop {
                cur = z.scan(cur, |m, s| {
                    assert_eq!(model.get(m), Some(&s));
                    seen.insert(m.to_vec());
                });
                if cur == 0 {
                    break;
                }
            }
            assert_eq!(seen.len(), model.len());
        }
    }

    fn sorted(model: &BTreeMap<Vec<u8>, f64>) -> Vec<(Vec<u8>, f64)> {
        let mut v: Vec<_> = model.iter().map(|(m, s)| (m.clone(), *s)).collect();
        v.sort_by(|a, b| cmp_elem(a.1, &a.0, b.1, &b.0));
        v
    }
}
