//! The list type: a quicklist of packed nodes.
//!
//! # Layout
//!
//! A [`List`] is a double-ended queue of *nodes*; each node is one
//! contiguous byte buffer holding a run of consecutive elements in a
//! listpack-like format, plus its element count. Pushes and pops at either
//! end touch only the first or last node, so they are O(1) apart from the
//! `memmove` inside that (bounded) node; indexing walks node counts from
//! the nearer end, then entries inside one node.
//!
//! # Entries
//!
//! Every entry is `header [payload] backlen`, self-contained and
//! position-independent (so entries can be copied between nodes as raw
//! bytes). Strings that are canonical decimal integers (what Redis's
//! `string2ll` accepts: no `+`, no leading zeros, no `-0`) are stored as
//! integers:
//!
//! | header                 | meaning                                     |
//! | ---------------------- | ------------------------------------------- |
//! | `0xxxxxxx`             | integer 0..=127                             |
//! | `10LLLLLL`             | string of 0..=63 bytes follows              |
//! | `110xxxxx xxxxxxxx`    | 13-bit signed integer                       |
//! | `1110LLLL LLLLLLLL`    | string of up to 4095 bytes follows          |
//! | `0xF0` + u32 LE length | longer string follows                       |
//! | `0xF1` / `0xF2` / `0xF3` / `0xF4` | 16 / 24 / 32 / 64-bit signed integer, little endian |
//!
//! `backlen` is the byte length of `header + payload` in 1 to 5 bytes,
//! 7 bits per byte, most significant group first; every byte but the first
//! has its high bit set. Reading it from the entry's last byte backwards
//! (continuing while the high bit is set) finds the entry's start, which
//! makes backward iteration and popping from the tail possible without an
//! offset table. A small integer therefore costs 2 bytes, a short string
//! its length plus 2.
//!
//! # Node size
//!
//! `list-max-listpack-size` (the list's *fill*, fixed when the list is
//! created, as in Redis 7.0) bounds a node: a negative fill -1..-5 limits
//! its buffer to 4, 8, 16, 32 or 64 KiB; a positive fill limits its entry
//! count (and, as a safety limit, its size to 8 KiB); 0 puts one element in
//! each node. A node always accepts its first element, however large. An
//! insert or replace in the middle that makes a node too big splits it in
//! halves; removals in the middle merge neighbours that fit together.
//!
//! `list-compress-depth` is accepted by the configuration but ignored:
//! nodes are never LZF-compressed here (nothing user-visible depends on
//! it). `OBJECT ENCODING` reports `quicklist`, as Redis 7.0 does for every
//! list.

use std::collections::VecDeque;

use hematite_common::num;

/// Which end of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The head (index 0).
    Left,
    /// The tail.
    Right,
}

impl End {
    /// The other end.
    pub fn flip(self) -> End {
        match self {
            End::Left => End::Right,
            End::Right => End::Left,
        }
    }
}

/// One element as stored: a byte string, or an integer that was given as
/// its canonical decimal form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elem<'a> {
    /// A byte string.
    Bytes(&'a [u8]),
    /// An integer (its string form is the element).
    Int(i64),
}

impl Elem<'_> {
    /// The element's bytes, owned.
    pub fn to_vec(&self) -> Vec<u8> {
        match *self {
            Elem::Bytes(b) => b.to_vec(),
            Elem::Int(n) => {
                let mut v = Vec::with_capacity(20);
                num::format_i64(n, &mut v);
                v
            }
        }
    }

    /// True if the element equals `needle`.
    #[inline]
    pub fn matches(&self, needle: &Needle) -> bool {
        match *self {
            Elem::Bytes(b) => needle.int.is_none() && b == needle.bytes,
            Elem::Int(n) => needle.int == Some(n),
        }
    }
}

/// A value to compare elements with (parsed once: integer elements are
/// compared as integers).
#[derive(Debug, Clone, Copy)]
pub struct Needle<'a> {
    bytes: &'a [u8],
    int: Option<i64>,
}

impl<'a> Needle<'a> {
    /// Prepares `v` for comparisons.
    pub fn new(v: &'a [u8]) -> Self {
        Needle { bytes: v, int: as_int(v) }
    }
}

/// The integer a string is stored as, if it is a canonical integer.
#[inline]
fn as_int(v: &[u8]) -> Option<i64> {
    if v.is_empty() || v.len() > 20 {
        return None;
    }
    num::parse_i64(v)
}

// ---------------------------------------------------------------------------
// Entry encoding

/// Bytes needed by the backlen of an entry whose header+payload is `l`.
#[inline]
fn backlen_size(l: usize) -> usize {
    match l {
        0..=127 => 1,
        128..=16383 => 2,
        16384..=2097151 => 3,
        2097152..=268435455 => 4,
        _ => 5,
    }
}

/// An encoded entry ready to be written: header (with any integer payload),
/// string payload, backlen.
struct Enc<'a> {
    head: [u8; 9],
    head_len: u8,
    body: &'a [u8],
    back: [u8; 5],
    back_len: u8,
}

impl<'a> Enc<'a> {
    fn new(v: &'a [u8]) -> Self {
        let mut head = [0u8; 9];
        let (head_len, body): (usize, &[u8]) = match as_int(v) {
            Some(n) => {
                let hl = if (0..=127).contains(&n) {
                    head[0] = n as u8;
                    1
                } else if (-4096..=4095).contains(&n) {
                    let u = (n as u16) & 0x1fff;
                    head[0] = 0xC0 | (u >> 8) as u8;
                    head[1] = u as u8;
                    2
                } else if i16::try_from(n).is_ok() {
                    head[0] = 0xF1;
                    head[1..3].copy_from_slice(&(n as i16).to_le_bytes());
                    3
                } else if (-(1 << 23)..(1 << 23)).contains(&n) {
                    head[0] = 0xF2;
                    head[1..4].copy_from_slice(&(n as i32).to_le_bytes()[..3]);
                    4
                } else if i32::try_from(n).is_ok() {
                    head[0] = 0xF3;
                    head[1..5].copy_from_slice(&(n as i32).to_le_bytes());
                    5
                } else {
                    head[0] = 0xF4;
                    head[1..9].copy_from_slice(&n.to_le_bytes());
                    9
                };
                (hl, &[])
            }
            None => {
                let l = v.len();
                let hl = if l < 64 {
                    head[0] = 0x80 | l as u8;
                    1
                } else if l < 4096 {
                    head[0] = 0xE0 | (l >> 8) as u8;
                    head[1] = l as u8;
                    2
                } else {
                    head[0] = 0xF0;
                    head[1..5].copy_from_slice(&(l as u32).to_le_bytes());
                    5
                };
                (hl, v)
            }
        };
        let l = head_len + body.len();
        let bl = backlen_size(l);
        let mut back = [0u8; 5];
        for (i, slot) in back[..bl].iter_mut().enumerate() {
            // Group i (from the most significant) holds bits 7*(bl-1-i)...
            let shift = 7 * (bl - 1 - i);
            let mut b = ((l >> shift) & 0x7f) as u8;
            if i > 0 {
                b |= 0x80;
            }
            *slot = b;
        }
        Enc { head, head_len: head_len as u8, body, back, back_len: bl as u8 }
    }

    #[inline]
    fn len(&self) -> usize {
        self.head_len as usize + self.body.len() + self.back_len as usize
    }

    #[inline]
    fn write(&self, dst: &mut [u8]) {
        let h = self.head_len as usize;
        let b = self.body.len();
        dst[..h].copy_from_slice(&self.head[..h]);
        dst[h..h + b].copy_from_slice(self.body);
        dst[h + b..].copy_from_slice(&self.back[..self.back_len as usize]);
    }
}

/// Decodes the entry starting at `p`: the element and the entry's total
/// size in bytes (backlen included).
#[inline]
fn decode(buf: &[u8], p: usize) -> (Elem<'_>, usize) {
    let b = buf[p];
    let (elem, l) = if b & 0x80 == 0 {
        (Elem::Int(b as i64), 1)
    } else if b & 0xC0 == 0x80 {
        let n = (b & 0x3f) as usize;
        (Elem::Bytes(&buf[p + 1..p + 1 + n]), 1 + n)
    } else if b & 0xE0 == 0xC0 {
        let u = (((b & 0x1f) as i64) << 8) | buf[p + 1] as i64;
        let v = if u & 0x1000 != 0 { u - 0x2000 } else { u };
        (Elem::Int(v), 2)
    } else if b & 0xF0 == 0xE0 {
        let n = (((b & 0x0f) as usize) << 8) | buf[p + 1] as usize;
        (Elem::Bytes(&buf[p + 2..p + 2 + n]), 2 + n)
    } else {
        let rd = |n: usize| -> i64 {
            let mut x = [0u8; 8];
            x[..n].copy_from_slice(&buf[p + 1..p + 1 + n]);
            // Sign-extend from n bytes.
            let shift = 64 - 8 * n as u32;
            (i64::from_le_bytes(x) << shift) >> shift
        };
        match b {
            0xF0 => {
                let n = u32::from_le_bytes(buf[p + 1..p + 5].try_into().unwrap()) as usize;
                (Elem::Bytes(&buf[p + 5..p + 5 + n]), 5 + n)
            }
            0xF1 => (Elem::Int(rd(2)), 3),
            0xF2 => (Elem::Int(rd(3)), 4),
            0xF3 => (Elem::Int(rd(4)), 5),
            0xF4 => (Elem::Int(rd(8)), 9),
            _ => unreachable!("corrupt list entry header {b:#x}"),
        }
    };
    (elem, l + backlen_size(l))
}

/// Start of the entry that ends at byte `end` (exclusive), read from its
/// backlen.
#[inline]
fn prev_start(buf: &[u8], end: usize) -> usize {
    let mut p = end - 1;
    let mut l = (buf[p] & 0x7f) as usize;
    let mut shift = 7;
    let mut bl = 1;
    while buf[p] & 0x80 != 0 {
        p -= 1;
        l |= ((buf[p] & 0x7f) as usize) << shift;
        shift += 7;
        bl += 1;
    }
    end - bl - l
}

// ---------------------------------------------------------------------------
// Nodes

/// Node size limits for negative fills -1..-5.
const SIZE_LEVELS: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// Size limit of a node under a positive (count) fill.
const SAFETY_LIMIT: usize = 8192;

/// True if a node of `bytes` bytes and `count` entries respects `fill`.
#[inline]
fn fits(fill: i16, bytes: usize, count: usize) -> bool {
    if fill < 0 {
        bytes <= SIZE_LEVELS[((-(fill as i32)) - 1).min(4) as usize]
    } else {
        bytes <= SAFETY_LIMIT && count <= fill as usize
    }
}

/// A run of consecutive elements in one buffer.
#[derive(Debug, Clone, Default)]
struct Node {
    buf: Vec<u8>,
    count: u32,
}

impl Node {
    /// Byte offset of entry `k` (`k == count` gives the end).
    fn offset(&self, k: usize) -> usize {
        let count = self.count as usize;
        if k <= count / 2 {
            let mut p = 0;
            for _ in 0..k {
                p += decode(&self.buf, p).1;
            }
            p
        } else {
            let mut p = self.buf.len();
            for _ in k..count {
                p = prev_start(&self.buf, p);
            }
            p
        }
    }

    /// Writes `enc` at byte offset `p`, replacing `old` bytes there.
    fn splice(&mut self, p: usize, old: usize, enc: &Enc) {
        let n = enc.len();
        let len = self.buf.len();
        if n > old {
            self.buf.reserve_exact(n - old);
            self.buf.resize(len + n - old, 0);
            self.buf.copy_within(p + old..len, p + n);
        } else if n < old {
            self.buf.copy_within(p + old..len, p + n);
            self.buf.truncate(len - (old - n));
        }
        enc.write(&mut self.buf[p..p + n]);
    }

    /// Removes bytes `a..b`, giving memory back when much is unused.
    fn cut(&mut self, a: usize, b: usize) {
        self.buf.drain(a..b);
        self.maybe_shrink();
    }

    fn maybe_shrink(&mut self) {
        if self.buf.capacity() > 2 * self.buf.len() + 64 {
            self.buf.shrink_to_fit();
        }
    }

    /// Splits off entries `k..` into a new node.
    fn split_off(&mut self, k: usize) -> Node {
        let off = self.offset(k);
        let right = Node { buf: self.buf[off..].to_vec(), count: self.count - k as u32 };
        self.buf.truncate(off);
        self.buf.shrink_to_fit();
        self.count = k as u32;
        right
    }
}

// ---------------------------------------------------------------------------
// The list

/// A list value.
#[derive(Debug, Clone)]
pub struct List {
    nodes: VecDeque<Node>,
    len: usize,
    fill: i16,
}

impl Default for List {
    fn default() -> Self {
        List::new()
    }
}

impl PartialEq for List {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().zip(other.iter()).all(|(a, b)| a.to_vec() == b.to_vec())
    }
}

impl Eq for List {}

impl List {
    /// An empty list with Redis's default node size (`-2`, 8 KiB nodes).
    pub fn new() -> Self {
        List { nodes: VecDeque::new(), len: 0, fill: -2 }
    }

    /// An empty list whose nodes are bounded by `fill` (the value of
    /// `list-max-listpack-size`), clamped like Redis to -5..=32767.
    pub fn with_fill(fill: i64) -> Self {
        List { nodes: VecDeque::new(), len: 0, fill: fill.clamp(-5, i16::MAX as i64) as i16 }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the list has no elements (such a list is never stored).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    /// Number of nodes (for tests and DEBUG-style introspection).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Heap bytes held.
    pub fn heap_size(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>() + self.nodes.iter().map(|n| n.buf.capacity()).sum::<usize>()
    }

    /// Pushes an element at one end.
    pub fn push(&mut self, end: End, v: &[u8]) {
        let enc = Enc::new(v);
        let sz = enc.len();
        let fill = self.fill;
        let node = match end {
            End::Left => self.nodes.front_mut(),
            End::Right => self.nodes.back_mut(),
        };
        match node {
            Some(n) if fits(fill, n.buf.len() + sz, n.count as usize + 1) => {
                let p = if end == End::Left { 0 } else { n.buf.len() };
                n.splice(p, 0, &enc);
                n.count += 1;
            }
            _ => {
                let mut buf = vec![0u8; sz];
                enc.write(&mut buf);
                let n = Node { buf, count: 1 };
                match end {
                    End::Left => self.nodes.push_front(n),
                    End::Right => self.nodes.push_back(n),
                }
            }
        }
        self.len += 1;
    }

    /// Pops an element from one end.
    pub fn pop(&mut self, end: End) -> Option<Vec<u8>> {
        let n = match end {
            End::Left => self.nodes.front_mut()?,
            End::Right => self.nodes.back_mut()?,
        };
        let v = match end {
            End::Left => {
                let (e, sz) = decode(&n.buf, 0);
                let v = e.to_vec();
                n.cut(0, sz);
                v
            }
            End::Right => {
                let end = n.buf.len();
                let p = prev_start(&n.buf, end);
                let v = decode(&n.buf, p).0.to_vec();
                n.buf.truncate(p);
                n.maybe_shrink();
                v
            }
        };
        n.count -= 1;
        if n.count == 0 {
            match end {
                End::Left => self.nodes.pop_front(),
                End::Right => self.nodes.pop_back(),
            };
        }
        self.len -= 1;
        Some(v)
    }

    /// The node holding element `index` (< len) and its position there.
    fn locate(&self, index: usize) -> (usize, usize) {
        debug_assert!(index < self.len);
        if index < self.len / 2 {
            let mut i = index;
            for (ni, n) in self.nodes.iter().enumerate() {
                if i < n.count as usize {
                    return (ni, i);
                }
                i -= n.count as usize;
            }
        } else {
            let mut from_end = self.len - index; // 1-based from the tail
            for (ni, n) in self.nodes.iter().enumerate().rev() {
                if from_end <= n.count as usize {
                    return (ni, n.count as usize - from_end);
                }
                from_end -= n.count as usize;
            }
        }
        unreachable!("list index {index} out of range")
    }

    /// Resolves a Redis index (negative counts from the tail).
    fn resolve(&self, index: i64) -> Option<usize> {
        let i = if index < 0 { index.checked_add(self.len as i64)? } else { index };
        (i >= 0 && (i as usize) < self.len).then_some(i as usize)
    }

    /// The element at `index` (negative counts from the tail), if any.
    pub fn get(&self, index: i64) -> Option<Elem<'_>> {
        let i = self.resolve(index)?;
        let (ni, k) = self.locate(i);
        let n = &self.nodes[ni];
        Some(decode(&n.buf, n.offset(k)).0)
    }

    /// Replaces the element at `index` (negative counts from the tail);
    /// false if out of range.
    pub fn set(&mut self, index: i64, v: &[u8]) -> bool {
        let Some(i) = self.resolve(index) else { return false };
        let (ni, k) = self.locate(i);
        let enc = Enc::new(v);
        let n = &mut self.nodes[ni];
        let p = n.offset(k);
        let old = decode(&n.buf, p).1;
        n.splice(p, old, &enc);
        self.rebalance(ni);
        true
    }

    /// Inserts `v` so that it becomes element `index` (0..=len).
    pub fn insert_at(&mut self, index: usize, v: &[u8]) {
        if index == 0 {
            return self.push(End::Left, v);
        }
        if index >= self.len {
            return self.push(End::Right, v);
        }
        // Insert after element index-1, in its node: appending to the end
        // of a node that has room avoids splitting the next one.
        let (ni, k) = self.locate(index - 1);
        let enc = Enc::new(v);
        let n = &mut self.nodes[ni];
        let p = n.offset(k + 1);
        n.splice(p, 0, &enc);
        n.count += 1;
        self.len += 1;
        self.rebalance(ni);
    }

    /// Inserts `v` before or after the first element equal to `pivot`;
    /// returns false (and changes nothing) if there is none.
    pub fn insert_pivot(&mut self, pivot: &[u8], after: bool, v: &[u8]) -> bool {
        let needle = Needle::new(pivot);
        let Some(i) = self.iter().position(|e| e.matches(&needle)) else { return false };
        self.insert_at(if after { i + 1 } else { i }, v);
        true
    }

    /// Splits node `ni` in halves while it is over the size limit.
    fn rebalance(&mut self, ni: usize) {
        let n = &mut self.nodes[ni];
        if n.count <= 1 || fits(self.fill, n.buf.len(), n.count as usize) {
            return;
        }
        let half = n.count as usize / 2;
        let right = n.split_off(half);
        self.nodes.insert(ni + 1, right);
        self.rebalance(ni + 1);
        self.rebalance(ni);
    }

    /// Drops emptied nodes and merges runs of neighbouring nodes that fit
    /// in one, in a single pass.
    fn compact(&mut self) {
        let old = std::mem::take(&mut self.nodes);
        let mut out: VecDeque<Node> = VecDeque::with_capacity(old.len());
        for n in old {
            if n.count == 0 {
                continue;
            }
            if let Some(last) = out.back_mut() {
                if fits(self.fill, last.buf.len() + n.buf.len(), (last.count + n.count) as usize) {
                    last.buf.reserve_exact(n.buf.len());
                    last.buf.extend_from_slice(&n.buf);
                    last.count += n.count;
                    continue;
                }
            }
            out.push_back(n);
        }
        out.shrink_to_fit();
        self.nodes = out;
    }

    /// Removes `n` elements starting at index `start` (clamped to the
    /// list).
    pub fn delete_range(&mut self, start: usize, n: usize) {
        if start >= self.len || n == 0 {
            return;
        }
        let mut left = n.min(self.len - start);
        let (mut ni, mut k) = self.locate(start);
        self.len -= left;
        // Nodes removed entirely form one contiguous run, drained at the end
        // (cheap at either end of the deque, where pops and trims work).
        let mut run: Option<(usize, usize)> = None;
        while left > 0 {
            let node = &mut self.nodes[ni];
            let count = node.count as usize;
            let d = left.min(count - k);
            if d == count {
                run = Some(run.map_or((ni, ni + 1), |(a, _)| (a, ni + 1)));
            } else {
                let a = node.offset(k);
                let b = if k + d == count { node.buf.len() } else { node.offset(k + d) };
                node.cut(a, b);
                node.count -= d as u32;
            }
            ni += 1;
            left -= d;
            k = 0;
        }
        if let Some((a, b)) = run {
            self.nodes.drain(a..b);
        }
    }

    /// Keeps only elements `start..start+n` (Redis's LTRIM after its index
    /// arithmetic).
    pub fn retain_range(&mut self, start: usize, n: usize) {
        let end = start.saturating_add(n).min(self.len);
        self.delete_range(end, self.len - end);
        self.delete_range(0, start.min(self.len));
    }

    /// Removes elements equal to `v`: the first `count` from the head if
    /// `count > 0`, the last `-count` from the tail if negative, all if 0.
    /// Returns how many were removed.
    pub fn remove(&mut self, v: &[u8], count: i64) -> usize {
        let needle = Needle::new(v);
        let limit = if count == 0 { usize::MAX } else { count.unsigned_abs().min(usize::MAX as u64) as usize };
        let mut hits: Vec<usize> = if count >= 0 {
            self.iter().enumerate().filter(|(_, e)| e.matches(&needle)).map(|(i, _)| i).take(limit).collect()
        } else {
            let len = self.len;
            self.iter_rev().enumerate().filter(|(_, e)| e.matches(&needle)).map(|(i, _)| len - 1 - i).take(limit).collect()
        };
        if hits.is_empty() {
            return 0;
        }
        hits.sort_unstable();
        self.delete_indexes(&hits);
        hits.len()
    }

    /// Deletes the elements at the given sorted, distinct indexes.
    fn delete_indexes(&mut self, idx: &[usize]) {
        let mut base = 0;
        let mut next = 0;
        let mut ni = 0;
        while ni < self.nodes.len() && next < idx.len() {
            let node = &mut self.nodes[ni];
            let count = node.count as usize;
            if idx[next] >= base + count {
                base += count;
                ni += 1;
                continue;
            }
            let mut kept = Vec::with_capacity(node.buf.len());
            let mut p = 0;
            let mut removed = 0;
            for k in 0..count {
                let sz = decode(&node.buf, p).1;
                if next < idx.len() && idx[next] == base + k {
                    next += 1;
                    removed += 1;
                } else {
                    kept.extend_from_slice(&node.buf[p..p + sz]);
                }
                p += sz;
            }
            base += count;
            // Emptied nodes are dropped by `compact` below.
            kept.shrink_to_fit();
            node.buf = kept;
            node.count -= removed as u32;
            ni += 1;
        }
        self.len -= idx.len();
        self.compact();
    }

    /// LPOS: indexes (from the head) of elements equal to `v`. The search
    /// starts at the head for a positive `rank`, at the tail for a negative
    /// one, skips the first `|rank| - 1` matches, returns at most `count`
    /// of them (0 = all) and compares at most `maxlen` elements (0 = all).
    pub fn positions(&self, v: &[u8], rank: i64, count: usize, maxlen: usize) -> Vec<usize> {
        let needle = Needle::new(v);
        let skip = rank.unsigned_abs().saturating_sub(1).min(usize::MAX as u64) as usize;
        let count = if count == 0 { usize::MAX } else { count };
        let maxlen = if maxlen == 0 { usize::MAX } else { maxlen };
        let len = self.len;
        let found = |it: &mut dyn Iterator<Item = (usize, Elem<'_>)>| -> Vec<usize> {
            it.take(maxlen).filter(|(_, e)| e.matches(&needle)).map(|(i, _)| i).skip(skip).take(count).collect()
        };
        if rank > 0 {
            found(&mut self.iter().enumerate())
        } else {
            found(&mut self.iter_rev().enumerate().map(|(i, e)| (len - 1 - i, e)))
        }
    }

    /// Elements `start..=end` (already clamped to the list), head to tail.
    pub fn range(&self, start: usize, end: usize) -> Iter<'_> {
        if start > end || start >= self.len {
            return Iter { list: self, node: 0, off: 0, remaining: 0 };
        }
        let end = end.min(self.len - 1);
        let (ni, k) = self.locate(start);
        Iter { list: self, node: ni, off: self.nodes[ni].offset(k), remaining: end - start + 1 }
    }

    /// The nodes' entry bytes and element counts, head to tail (for
    /// serialisers: the entries are listpack entries, see the module docs).
    pub fn raw_nodes(&self) -> impl Iterator<Item = (&[u8], usize)> + '_ {
        self.nodes.iter().map(|n| (&n.buf[..], n.count as usize))
    }

    /// Appends a whole node at the tail (bulk loading). `entries` must hold
    /// exactly `count` (at least one) well-formed entries in this module's
    /// format, each with the backlen size this module computes; the caller
    /// validates that, since the other operations trust it.
    pub fn push_raw_node(&mut self, entries: Vec<u8>, count: usize) {
        debug_assert!(count > 0 && !entries.is_empty());
        self.len += count;
        self.nodes.push_back(Node { buf: entries, count: count as u32 });
    }

    /// The backlen size (in bytes) this module gives an entry whose header
    /// and payload take `l` bytes (see the module docs).
    pub fn entry_backlen_size(l: usize) -> usize {
        backlen_size(l)
    }

    /// Every element, head to tail.
    pub fn iter(&self) -> Iter<'_> {
        Iter { list: self, node: 0, off: 0, remaining: self.len }
    }

    /// Every element, tail to head.
    pub fn iter_rev(&self) -> RevIter<'_> {
        let node = self.nodes.len().saturating_sub(1);
        let end = self.nodes.back().map_or(0, |n| n.buf.len());
        RevIter { list: self, node, end, remaining: self.len }
    }
}

/// Forward iterator over a list's elements.
pub struct Iter<'a> {
    list: &'a List,
    node: usize,
    off: usize,
    remaining: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Elem<'a>;

    #[inline]
    fn next(&mut self) -> Option<Elem<'a>> {
        if self.remaining == 0 {
            return None;
        }
        let mut buf = &self.list.nodes[self.node].buf;
        if self.off >= buf.len() {
            self.node += 1;
            self.off = 0;
            buf = &self.list.nodes[self.node].buf;
        }
        let (e, sz) = decode(buf, self.off);
        self.off += sz;
        self.remaining -= 1;
        Some(e)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// Backward iterator over a list's elements.
pub struct RevIter<'a> {
    list: &'a List,
    node: usize,
    end: usize,
    remaining: usize,
}

impl<'a> Iterator for RevIter<'a> {
    type Item = Elem<'a>;

    #[inline]
    fn next(&mut self) -> Option<Elem<'a>> {
        if self.remaining == 0 {
            return None;
        }
        if self.end == 0 {
            self.node -= 1;
            self.end = self.list.nodes[self.node].buf.len();
        }
        let buf = &self.list.nodes[self.node].buf;
        let p = prev_start(buf, self.end);
        self.end = p;
        self.remaining -= 1;
        Some(decode(buf, p).0)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for RevIter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(l: &List) -> Vec<Vec<u8>> {
        l.iter().map(|e| e.to_vec()).collect()
    }

    /// Checks the invariants: counts add up, every node decodes, forward
    /// and backward iteration agree, nodes respect the fill.
    fn check(l: &List) {
        let mut total = 0;
        for n in &l.nodes {
            assert!(n.count > 0);
            let mut p = 0;
            for _ in 0..n.count {
                p += decode(&n.buf, p).1;
            }
            assert_eq!(p, n.buf.len());
            assert!(n.count == 1 || fits(l.fill, n.buf.len(), n.count as usize));
            total += n.count as usize;
        }
        assert_eq!(total, l.len);
        let mut back: Vec<Vec<u8>> = l.iter_rev().map(|e| e.to_vec()).collect();
        back.reverse();
        assert_eq!(back, items(l));
    }

    #[test]
    fn encodes_and_decodes_every_kind() {
        let mut vals: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"0".to_vec(),
            b"-0".to_vec(),
            b"007".to_vec(),
            b"+5".to_vec(),
            b"127".to_vec(),
            b"128".to_vec(),
            b"-1".to_vec(),
            b"4095".to_vec(),
            b"-4096".to_vec(),
            b"4096".to_vec(),
            b"-4097".to_vec(),
            b"32767".to_vec(),
            b"-32769".to_vec(),
            b"8388607".to_vec(),
            b"-8388608".to_vec(),
            b"8388608".to_vec(),
            b"2147483647".to_vec(),
            b"-2147483649".to_vec(),
            b"9223372036854775807".to_vec(),
            b"-9223372036854775808".to_vec(),
            b"9223372036854775808".to_vec(),
            b"hello".to_vec(),
            vec![0u8, 255, 10, 13],
            vec![b'x'; 63],
            vec![b'x'; 64],
            vec![b'y'; 4095],
            vec![b'z'; 4096],
            vec![b'w'; 100_000],
        ];
        vals.push(vec![b'q'; 20_000]);
        let mut l = List::new();
        for v in &vals {
            l.push(End::Right, v);
        }
        check(&l);
        assert_eq!(items(&l), vals);
        for (i, v) in vals.iter().enumerate() {
            assert_eq!(l.get(i as i64).unwrap().to_vec(), *v);
        }
        assert_eq!(l.get(1), Some(Elem::Int(0)));
        assert_eq!(l.get(2), Some(Elem::Bytes(b"-0")));
        let mut back = vec![];
        while let Some(v) = l.pop(End::Right) {
            back.push(v);
        }
        back.reverse();
        assert_eq!(back, vals);
        assert!(l.is_empty() && l.nodes.is_empty());
    }

    #[test]
    fn small_ints_are_two_bytes() {
        let mut l = List::new();
        for i in 0..1000 {
            l.push(End::Right, (i % 100).to_string().as_bytes());
        }
        let bytes: usize = l.nodes.iter().map(|n| n.buf.len()).sum();
        assert_eq!(bytes, 2000);
        assert_eq!(l.node_count(), 1);
    }

    #[test]
    fn push_pop_both_ends_across_nodes() {
        let mut l = List::with_fill(3);
        let mut model = VecDeque::new();
        for i in 0..50 {
            let v = format!("v{i}");
            if i % 3 == 0 {
                l.push(End::Left, v.as_bytes());
                model.push_front(v.into_bytes());
            } else {
                l.push(End::Right, v.as_bytes());
                model.push_back(v.into_bytes());
            }
        }
        check(&l);
        assert!(l.node_count() >= 17);
        assert_eq!(items(&l), model.iter().cloned().collect::<Vec<_>>());
        for i in 0..20 {
            let (a, b) = if i % 2 == 0 { (l.pop(End::Left), model.pop_front()) } else { (l.pop(End::Right), model.pop_back()) };
            assert_eq!(a, b);
        }
        check(&l);
        assert_eq!(l.get(-1).unwrap().to_vec(), *model.back().unwrap());
        assert_eq!(l.get(-(model.len() as i64)).unwrap().to_vec(), model[0]);
        assert_eq!(l.get(-(model.len() as i64) - 1), None);
        assert_eq!(l.get(model.len() as i64), None);
    }

    #[test]
    fn byte_limited_nodes() {
        let mut l = List::with_fill(-1);
        for _ in 0..100 {
            l.push(End::Right, &[b'a'; 1000]);
        }
        check(&l);
        assert!(l.node_count() >= 25);
        // An element larger than the node limit gets a node of its own.
        l.push(End::Right, &[b'b'; 10_000]);
        l.push(End::Right, b"x");
        check(&l);
        assert_eq!(l.get(-2).unwrap().to_vec(), vec![b'b'; 10_000]);
    }

    #[test]
    fn set_insert_split() {
        let mut l = List::with_fill(4);
        let mut model: Vec<Vec<u8>> = Vec::new();
        for i in 0..10 {
            l.push(End::Right, i.to_string().as_bytes());
            model.push(i.to_string().into_bytes());
        }
        for (i, at) in [0usize, 3, 5, 12, 7, 7, 1].iter().enumerate() {
            let v = format!("ins{i}");
            l.insert_at(*at, v.as_bytes());
            model.insert((*at).min(model.len()), v.into_bytes());
            check(&l);
            assert_eq!(items(&l), model);
        }
        assert!(l.set(5, b"five"));
        model[5] = b"five".to_vec();
        assert!(l.set(-1, &[b'L'; 9000]));
        let n = model.len();
        model[n - 1] = vec![b'L'; 9000];
        assert!(!l.set(100, b"x"));
        assert!(!l.set(-100, b"x"));
        check(&l);
        assert_eq!(items(&l), model);

        assert!(l.insert_pivot(b"five", true, b"after5"));
        model.insert(6, b"after5".to_vec());
        assert!(l.insert_pivot(b"0", false, b"before0"));
        let p = model.iter().position(|v| v == b"0").unwrap();
        model.insert(p, b"before0".to_vec());
        assert!(!l.insert_pivot(b"nope", false, b"x"));
        check(&l);
        assert_eq!(items(&l), model);
    }

    #[test]
    fn remove_and_trim() {
        let mut l = List::with_fill(3);
        let mut model: Vec<Vec<u8>> = Vec::new();
        for i in 0..40 {
            let v = if i % 4 == 0 { b"x".to_vec() } else { i.to_string().into_bytes() };
            l.push(End::Right, &v);
            model.push(v);
        }
        // Two from the tail.
        assert_eq!(l.remove(b"x", -2), 2);
        let mut seen = 0;
        for i in (0..model.len()).rev() {
            if model[i] == b"x" && seen < 2 {
                model.remove(i);
                seen += 1;
            }
        }
        check(&l);
        assert_eq!(items(&l), model);
        assert_eq!(l.remove(b"x", 3), 3);
        let mut seen = 0;
        model.retain(|v| !(v == b"x" && {
            seen += 1;
            seen <= 3
        }));
        assert_eq!(items(&l), model);
        assert_eq!(l.remove(b"5", 0), 1);
        model.retain(|v| v != b"5");
        assert_eq!(l.remove(b"nope", 0), 0);
        check(&l);
        assert_eq!(items(&l), model);

        l.retain_range(3, 10);
        let model: Vec<_> = model[3..13].to_vec();
        check(&l);
        assert_eq!(items(&l), model);
        l.delete_range(2, 5);
        let mut m2 = model.clone();
        m2.drain(2..7);
        check(&l);
        assert_eq!(items(&l), m2);
        l.retain_range(100, 5);
        assert!(l.is_empty() && l.nodes.is_empty());
    }

    #[test]
    fn positions_like_lpos() {
        let mut l = List::with_fill(2);
        for v in ["a", "b", "c", "1", "2", "3", "c", "c"] {
            l.push(End::Right, v.as_bytes());
        }
        assert_eq!(l.positions(b"c", 1, 1, 0), vec![2]);
        assert_eq!(l.positions(b"c", 2, 1, 0), vec![6]);
        assert_eq!(l.positions(b"c", -1, 1, 0), vec![7]);
        assert_eq!(l.positions(b"c", -1, 0, 0), vec![7, 6, 2]);
        assert_eq!(l.positions(b"c", 1, 0, 3), vec![2]);
        assert_eq!(l.positions(b"c", 1, 0, 2), Vec::<usize>::new());
        assert_eq!(l.positions(b"2", 1, 0, 0), vec![4]);
        assert_eq!(l.positions(b"02", 1, 0, 0), Vec::<usize>::new());
        let r: Vec<_> = l.range(2, 5).map(|e| e.to_vec()).collect();
        assert_eq!(r, vec![b"c".to_vec(), b"1".to_vec(), b"2".to_vec(), b"3".to_vec()]);
        assert_eq!(l.range(5, 2).count(), 0);
        assert_eq!(l.range(7, 100).count(), 1);
    }

    #[test]
    fn fill_zero_and_clamping() {
        let mut l = List::with_fill(0);
        for i in 0..5 {
            l.push(End::Left, i.to_string().as_bytes());
        }
        assert_eq!(l.node_count(), 5);
        check(&l);
        let l = List::with_fill(-100);
        assert_eq!(l.fill, -5);
    }

    #[test]
    fn random_operations_match_a_model() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for fill in [-1i64, -2, 1, 2, 5, 0] {
            let mut l = List::with_fill(fill);
            let mut m: VecDeque<Vec<u8>> = VecDeque::new();
            for step in 0..3000 {
                let v: Vec<u8> = match rng.gen_range(0..4) {
                    0 => rng.gen_range(-5000i64..5000).to_string().into_bytes(),
                    1 => vec![b'a' + rng.gen_range(0..3u8); rng.gen_range(0..3)],
                    2 => vec![b'b'; rng.gen_range(60..3000)],
                    _ => rng.gen::<i64>().to_string().into_bytes(),
                };
                let len = m.len();
                match rng.gen_range(0..10) {
                    0 | 1 => {
                        l.push(End::Left, &v);
                        m.push_front(v);
                    }
                    2 | 3 => {
                        l.push(End::Right, &v);
                        m.push_back(v);
                    }
                    4 => assert_eq!(l.pop(End::Left), m.pop_front()),
                    5 => assert_eq!(l.pop(End::Right), m.pop_back()),
                    6 => {
                        let at = rng.gen_range(0..=len);
                        l.insert_at(at, &v);
                        m.insert(at, v);
                    }
                    7 if len > 0 => {
                        let at = rng.gen_range(0..len);
                        assert!(l.set(at as i64, &v));
                        m[at] = v;
                    }
                    8 if len > 0 => {
                        let target = m[rng.gen_range(0..len)].clone();
                        let count = rng.gen_range(-2i64..=2);
                        let removed = l.remove(&target, count);
                        let mut hits: Vec<usize> = (0..len).filter(|&i| m[i] == target).collect();
                        if count < 0 {
                            hits.reverse();
                        }
                        if count != 0 {
                            hits.truncate(count.unsigned_abs() as usize);
                        }
                        assert_eq!(removed, hits.len());
                        hits.sort_unstable();
                        for i in hits.into_iter().rev() {
                            m.remove(i);
                        }
                    }
                    9 if step % 50 == 0 && len > 0 => {
                        let s = rng.gen_range(0..len);
                        let n = rng.gen_range(0..=len);
                        l.retain_range(s, n);
                        let kept: VecDeque<_> = m.iter().skip(s).take(n).cloned().collect();
                        m = kept;
                    }
                    _ => {
                        if len > 0 {
                            let i = rng.gen_range(0..len);
                            assert_eq!(l.get(i as i64).unwrap().to_vec(), m[i]);
                        }
                    }
                }
                if step % 100 == 0 {
                    check(&l);
                    assert_eq!(items(&l), m.iter().cloned().collect::<Vec<_>>());
                }
            }
            check(&l);
            assert_eq!(items(&l), m.iter().cloned().collect::<Vec<_>>());
        }
    }
}
