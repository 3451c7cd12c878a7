//! The compact blobs Redis serialises whole: listpack, ziplist, zipmap
//! and intset. Each reader validates as strictly as Redis's deep
//! sanitisation (`lpValidateIntegrity`, `ziplistValidateIntegrity`,
//! `zipmapValidateIntegrity`, `intsetValidateIntegrity`): every length is
//! checked against the blob before it is used, so corrupt input gives an
//! error with the byte position inside the blob, never a panic.
//!
//! # Listpack (Redis 7: hashes, sorted sets, list nodes)
//!
//! `total_bytes: u32 LE | num_elements: u16 LE (65535 = unknown) | entries | 0xFF`
//!
//! Every entry is `encoding [payload] backlen`:
//!
//! | first byte(s)                | entry                                     |
//! |------------------------------|-------------------------------------------|
//! | `0xxxxxxx`                   | unsigned integer 0..=127                  |
//! | `10LLLLLL`                   | string of up to 63 bytes                  |
//! | `110xxxxx yyyyyyyy`          | 13-bit signed integer                     |
//! | `1110LLLL LLLLLLLL`          | string of up to 4095 bytes                |
//! | `11110000` + u32 LE length   | longer string                             |
//! | `0xF1` / `0xF2` / `0xF3` / `0xF4` | 16 / 24 / 32 / 64-bit signed integer, LE |
//!
//! `backlen` is the size of `encoding + payload` (`l`) in 1..=5 bytes,
//! 7 bits each, most significant first, high bit set on all but the first
//! byte. Redis uses 1 byte for `l <= 127`, 2 for `l < 16383`, 3 for
//! `l < 2097151`, 4 for `l < 268435455`, 5 beyond, and rejects other sizes.
//! A string is stored as an integer exactly when it is a canonical decimal
//! `i64` (`string2ll`), in the smallest integer encoding.
//!
//! # Ziplist (RDB files written before Redis 7)
//!
//! `zlbytes: u32 LE | zltail: u32 LE (offset of the last entry) | zllen: u16 LE | entries | 0xFF`
//!
//! Every entry is `prevlen encoding [payload]`; `prevlen` is the previous
//! entry's size in 1 byte (< 254) or `0xFE` + u32 LE.
//!
//! | encoding                     | entry                                    |
//! |------------------------------|------------------------------------------|
//! | `00LLLLLL`                   | string of up to 63 bytes                 |
//! | `01LLLLLL LLLLLLLL`          | string, 14-bit big-endian length         |
//! | `10000000` + u32 BE length   | longer string                            |
//! | `0xC0` / `0xD0` / `0xE0`     | int16 / int32 / int64, LE                |
//! | `0xF0`                       | 24-bit signed integer, LE                |
//! | `0xFE`                       | 8-bit signed integer                     |
//! | `0xF1..=0xFD`                | the integer `(byte & 0x0F) - 1` (0..=12) |
//!
//! # Zipmap (hashes in RDB files of Redis < 2.6)
//!
//! `zmlen: u8 | (len key len free value [free bytes])* | 0xFF`, where a
//! length is 1 byte (< 254) or `0xFE` + u32 LE, and `free` is one byte.
//!
//! # Intset
//!
//! `encoding: u32 LE (2, 4 or 8 = element width) | length: u32 LE | elements`,
//! the elements strictly ascending, little endian.

use hematite_common::num;

/// One element of a compact blob: bytes, or an integer that stands for its
/// decimal text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Elem<'a> {
    Str(&'a [u8]),
    Int(i64),
}

impl Elem<'_> {
    /// Calls `f` with the element's bytes (integers formatted on the stack).
    #[inline]
    pub(crate) fn with<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Elem::Str(s) => f(s),
            Elem::Int(v) => f(itoa::Buffer::new().format(v).as_bytes()),
        }
    }

    pub(crate) fn to_vec(self) -> Vec<u8> {
        self.with(|b| b.to_vec())
    }
}

/// A corrupt blob: what is wrong and at which byte of the blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BlobError {
    pub(crate) at: usize,
    pub(crate) what: &'static str,
}

fn bad<T>(at: usize, what: &'static str) -> Result<T, BlobError> {
    Err(BlobError { at, what })
}

#[inline]
fn u16_le(b: &[u8], p: usize) -> u16 {
    u16::from_le_bytes([b[p], b[p + 1]])
}

#[inline]
fn u32_le(b: &[u8], p: usize) -> u32 {
    u32::from_le_bytes([b[p], b[p + 1], b[p + 2], b[p + 3]])
}

/// Sign-extends the `n`-byte little-endian integer at `p`.
#[inline]
fn int_le(b: &[u8], p: usize, n: usize) -> i64 {
    let mut x = [0u8; 8];
    x[..n].copy_from_slice(&b[p..p + n]);
    let shift = 64 - 8 * n as u32;
    (i64::from_le_bytes(x) << shift) >> shift
}

// ---------------------------------------------------------------------------
// Listpack

/// Redis's backlen size for an entry whose encoding and payload take `l`
/// bytes (`lpEncodeBacklen`).
#[inline]
pub(crate) fn lp_backlen_size(l: usize) -> usize {
    if l <= 127 {
        1
    } else if l < 16383 {
        2
    } else if l < 2097151 {
        3
    } else if l < 268435455 {
        4
    } else {
        5
    }
}

/// Builds a listpack.
pub(crate) struct LpBuilder<'a> {
    buf: &'a mut Vec<u8>,
    start: usize,
    count: usize,
}

impl<'a> LpBuilder<'a> {
    /// Starts a listpack at the end of `buf`.
    pub(crate) fn new(buf: &'a mut Vec<u8>) -> Self {
        let start = buf.len();
        buf.extend_from_slice(&[0; 6]);
        LpBuilder { buf, start, count: 0 }
    }

    /// Appends a string (as an integer when it is a canonical one).
    #[inline]
    pub(crate) fn push(&mut self, s: &[u8]) {
        if !s.is_empty() && s.len() <= 20 {
            if let Some(v) = num::parse_i64(s) {
                return self.push_int(v);
            }
        }
        let at = self.buf.len();
        let n = s.len();
        if n < 64 {
            self.buf.push(0x80 | n as u8);
        } else if n < 4096 {
            self.buf.push(0xE0 | (n >> 8) as u8);
            self.buf.push(n as u8);
        } else {
            self.buf.push(0xF0);
            self.buf.extend_from_slice(&(n as u32).to_le_bytes());
        }
        self.buf.extend_from_slice(s);
        self.backlen(self.buf.len() - at);
    }

    /// Appends an element.
    #[inline]
    pub(crate) fn push_elem(&mut self, e: Elem) {
        match e {
            Elem::Int(v) => self.push_int(v),
            Elem::Str(s) => self.push(s),
        }
    }

    /// Appends an integer in its smallest encoding.
    pub(crate) fn push_int(&mut self, v: i64) {
        let b = &mut *self.buf;
        let at = b.len();
        if (0..=127).contains(&v) {
            b.push(v as u8);
        } else if (-4096..=4095).contains(&v) {
            let u = (v as u16) & 0x1fff;
            b.push(0xC0 | (u >> 8) as u8);
            b.push(u as u8);
        } else if let Ok(x) = i16::try_from(v) {
            b.push(0xF1);
            b.extend_from_slice(&x.to_le_bytes());
        } else if (-(1 << 23)..(1 << 23)).contains(&v) {
            b.push(0xF2);
            b.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
        } else if let Ok(x) = i32::try_from(v) {
            b.push(0xF3);
            b.extend_from_slice(&x.to_le_bytes());
        } else {
            b.push(0xF4);
            b.extend_from_slice(&v.to_le_bytes());
        }
        self.backlen(self.buf.len() - at);
    }

    /// Appends raw entries (each with its backlen, in Redis's sizes).
    pub(crate) fn push_raw(&mut self, entries: &[u8], count: usize) {
        self.buf.extend_from_slice(entries);
        self.count += count;
    }

    fn backlen(&mut self, l: usize) {
        let n = lp_backlen_size(l);
        for i in 0..n {
            let shift = 7 * (n - 1 - i);
            let mut b = ((l >> shift) & 0x7f) as u8;
            if i > 0 {
                b |= 0x80;
            }
            self.buf.push(b);
        }
        self.count += 1;
    }

    /// Terminates the listpack and fills in its header.
    pub(crate) fn finish(self) {
        self.buf.push(0xFF);
        let total = (self.buf.len() - self.start) as u32;
        let count = self.count.min(65535) as u16;
        self.buf[self.start..self.start + 4].copy_from_slice(&total.to_le_bytes());
        self.buf[self.start + 4..self.start + 6].copy_from_slice(&count.to_le_bytes());
    }
}

/// Decodes the listpack entry at `p` (bounds-checked against `end`):
/// the element and the size of its encoding and payload (`l`).
#[inline]
fn lp_entry(b: &[u8], p: usize, end: usize) -> Result<(Elem<'_>, usize), BlobError> {
    let need = |n: usize| if p + n > end { bad(p, "listpack entry runs past the end") } else { Ok(()) };
    let t = b[p];
    Ok(if t & 0x80 == 0 {
        (Elem::Int(t as i64), 1)
    } else if t & 0xC0 == 0x80 {
        let n = (t & 0x3f) as usize;
        need(1 + n)?;
        (Elem::Str(&b[p + 1..p + 1 + n]), 1 + n)
    } else if t & 0xE0 == 0xC0 {
        need(2)?;
        let u = (((t & 0x1f) as i64) << 8) | b[p + 1] as i64;
        (Elem::Int(if u & 0x1000 != 0 { u - 0x2000 } else { u }), 2)
    } else if t & 0xF0 == 0xE0 {
        need(2)?;
        let n = (((t & 0x0f) as usize) << 8) | b[p + 1] as usize;
        need(2 + n)?;
        (Elem::Str(&b[p + 2..p + 2 + n]), 2 + n)
    } else {
        match t {
            0xF0 => {
                need(5)?;
                let n = u32_le(b, p + 1) as usize;
                if n > end - p - 5 {
                    return bad(p, "listpack string runs past the end");
                }
                (Elem::Str(&b[p + 5..p + 5 + n]), 5 + n)
            }
            0xF1 => {
                need(3)?;
                (Elem::Int(int_le(b, p + 1, 2)), 3)
            }
            0xF2 => {
                need(4)?;
                (Elem::Int(int_le(b, p + 1, 3)), 4)
            }
            0xF3 => {
                need(5)?;
                (Elem::Int(int_le(b, p + 1, 4)), 5)
            }
            0xF4 => {
                need(9)?;
                (Elem::Int(int_le(b, p + 1, 8)), 9)
            }
            _ => return bad(p, "invalid listpack entry encoding"),
        }
    })
}

/// Walks a listpack, calling `f(element, raw_entry, l)` for every entry
/// (`raw_entry` includes the backlen, `l` is the encoding+payload size).
/// Returns the number of entries. Validates the header, every entry and
/// its backlen, the terminator and the declared count.
pub(crate) fn lp_walk<'a>(
    b: &'a [u8],
    mut f: impl FnMut(Elem<'a>, &'a [u8], usize) -> Result<(), BlobError>,
) -> Result<usize, BlobError> {
    if b.len() < 7 {
        return bad(0, "listpack shorter than its header");
    }
    if u32_le(b, 0) as usize != b.len() {
        return bad(0, "listpack total bytes do not match its size");
    }
    let declared = u16_le(b, 4) as usize;
    let end = b.len() - 1;
    if b[end] != 0xFF {
        return bad(end, "listpack does not end with 0xFF");
    }
    let mut p = 6;
    let mut count = 0;
    while p < end {
        let (e, l) = lp_entry(b, p, end)?;
        let bl = lp_backlen_size(l);
        if p + l + bl > end {
            return bad(p, "listpack entry backlen runs past the end");
        }
        // The backlen, read backwards from its last byte.
        let mut v = 0usize;
        for (i, &byte) in b[p + l..p + l + bl].iter().enumerate() {
            if (i == 0) == (byte & 0x80 != 0) {
                return bad(p + l, "listpack backlen is malformed");
            }
            v = (v << 7) | (byte & 0x7f) as usize;
        }
        if v != l {
            return bad(p + l, "listpack backlen does not match the entry size");
        }
        f(e, &b[p..p + l + bl], l)?;
        p += l + bl;
        count += 1;
    }
    if declared != 65535 && declared != count {
        return bad(4, "listpack element count does not match its entries");
    }
    Ok(count)
}

// ---------------------------------------------------------------------------
// Ziplist

/// Walks a ziplist, calling `f` for every entry; returns the count.
pub(crate) fn zl_walk<'a>(b: &'a [u8], mut f: impl FnMut(Elem<'a>) -> Result<(), BlobError>) -> Result<usize, BlobError> {
    if b.len() < 11 {
        return bad(0, "ziplist shorter than its header");
    }
    if u32_le(b, 0) as usize != b.len() {
        return bad(0, "ziplist total bytes do not match its size");
    }
    let tail = u32_le(b, 4) as usize;
    let declared = u16_le(b, 8) as usize;
    let end = b.len() - 1;
    if b[end] != 0xFF {
        return bad(end, "ziplist does not end with 0xFF");
    }
    let mut p = 10;
    let mut prev_size = 0usize;
    let mut last = 10;
    let mut count = 0;
    while p < end {
        let start = p;
        // prevlen
        let (prevlen, pl) = if b[p] < 254 {
            (b[p] as usize, 1)
        } else {
            if p + 5 > end {
                return bad(p, "ziplist prevlen runs past the end");
            }
            (u32_le(b, p + 1) as usize, 5)
        };
        if prevlen != prev_size {
            return bad(p, "ziplist prevlen does not match the previous entry");
        }
        p += pl;
        if p >= end {
            return bad(p, "ziplist entry runs past the end");
        }
        let need = |p: usize, n: usize| if p + n > end { bad(start, "ziplist entry runs past the end") } else { Ok(()) };
        let t = b[p];
        let (e, size) = match t >> 6 {
            0 => {
                let n = (t & 0x3f) as usize;
                need(p, 1 + n)?;
                (Elem::Str(&b[p + 1..p + 1 + n]), 1 + n)
            }
            1 => {
                need(p, 2)?;
                let n = (((t & 0x3f) as usize) << 8) | b[p + 1] as usize;
                need(p, 2 + n)?;
                (Elem::Str(&b[p + 2..p + 2 + n]), 2 + n)
            }
            2 => {
                if t != 0x80 {
                    return bad(p, "invalid ziplist string encoding");
                }
                need(p, 5)?;
                let n = u32::from_be_bytes([b[p + 1], b[p + 2], b[p + 3], b[p + 4]]) as usize;
                if n > end - p - 5 {
                    return bad(start, "ziplist string runs past the end");
                }
                (Elem::Str(&b[p + 5..p + 5 + n]), 5 + n)
            }
            _ => {
                let (v, n) = match t {
                    0xC0 => {
                        need(p, 3)?;
                        (int_le(b, p + 1, 2), 3)
                    }
                    0xD0 => {
                        need(p, 5)?;
                        (int_le(b, p + 1, 4), 5)
                    }
                    0xE0 => {
                        need(p, 9)?;
                        (int_le(b, p + 1, 8), 9)
                    }
                    0xF0 => {
                        need(p, 4)?;
                        (int_le(b, p + 1, 3), 4)
                    }
                    0xFE => {
                        need(p, 2)?;
                        (b[p + 1] as i8 as i64, 2)
                    }
                    0xF1..=0xFD => (((t & 0x0f) as i64) - 1, 1),
                    _ => return bad(p, "invalid ziplist entry encoding"),
                };
                (Elem::Int(v), n)
            }
        };
        f(e)?;
        p += size;
        prev_size = p - start;
        last = start;
        count += 1;
    }
    if tail != last {
        return bad(4, "ziplist tail offset does not point at the last entry");
    }
    if declared != 65535 && declared != count {
        return bad(8, "ziplist entry count does not match its entries");
    }
    Ok(count)
}

// ---------------------------------------------------------------------------
// Zipmap

/// Walks a zipmap, calling `f(key, value)` for every pair.
pub(crate) fn zipmap_walk<'a>(b: &'a [u8], mut f: impl FnMut(&'a [u8], &'a [u8]) -> Result<(), BlobError>) -> Result<usize, BlobError> {
    if b.len() < 2 {
        return bad(0, "zipmap shorter than its header");
    }
    let declared = b[0] as usize;
    let end = b.len() - 1;
    if b[end] != 0xFF {
        return bad(end, "zipmap does not end with 0xFF");
    }
    let read_len = |p: &mut usize| -> Result<usize, BlobError> {
        if *p >= end {
            return bad(*p, "zipmap entry runs past the end");
        }
        match b[*p] {
            254 => {
                if *p + 5 > end {
                    return bad(*p, "zipmap length runs past the end");
                }
                let n = u32_le(b, *p + 1) as usize;
                *p += 5;
                Ok(n)
            }
            255 => bad(*p, "zipmap ends inside an entry"),
            n => {
                *p += 1;
                Ok(n as usize)
            }
        }
    };
    let mut p = 1;
    let mut count = 0;
    while p < end {
        let kl = read_len(&mut p)?;
        if kl > end - p {
            return bad(p, "zipmap key runs past the end");
        }
        let key = &b[p..p + kl];
        p += kl;
        let vl = read_len(&mut p)?;
        if p >= end {
            return bad(p, "zipmap entry runs past the end");
        }
        let free = b[p] as usize;
        p += 1;
        if vl.saturating_add(free) > end - p {
            return bad(p, "zipmap value runs past the end");
        }
        let value = &b[p..p + vl];
        p += vl + free;
        f(key, value)?;
        count += 1;
    }
    if declared < 254 && declared != count {
        return bad(0, "zipmap entry count does not match its entries");
    }
    Ok(count)
}

// ---------------------------------------------------------------------------
// Intset

/// Parses an intset: its element width and elements (validated strictly
/// ascending, non-empty).
pub(crate) fn intset_parse(b: &[u8]) -> Result<(usize, Vec<i64>), BlobError> {
    if b.len() < 8 {
        return bad(0, "intset shorter than its header");
    }
    let width = u32_le(b, 0) as usize;
    if !matches!(width, 2 | 4 | 8) {
        return bad(0, "invalid intset encoding");
    }
    let len = u32_le(b, 4) as usize;
    if (b.len() - 8) / width != len || !(b.len() - 8).is_multiple_of(width) {
        return bad(4, "intset length does not match its size");
    }
    if len == 0 {
        return bad(4, "empty intset");
    }
    let mut v = Vec::with_capacity(len);
    for i in 0..len {
        let x = int_le(b, 8 + i * width, width);
        if let Some(&prev) = v.last() {
            if x <= prev {
                return bad(8 + i * width, "intset elements are not strictly ascending");
            }
        }
        v.push(x);
    }
    Ok((width, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect_lp(b: &[u8]) -> Vec<Vec<u8>> {
        let mut v = Vec::new();
        lp_walk(b, |e, _, _| {
            v.push(e.to_vec());
            Ok(())
        })
        .unwrap();
        v
    }

    #[test]
    fn listpack_round_trip() {
        let big = vec![b'x'; 70000];
        let items: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"0".to_vec(),
            b"127".to_vec(),
            b"128".to_vec(),
            b"-1".to_vec(),
            b"-4096".to_vec(),
            b"4095".to_vec(),
            b"32767".to_vec(),
            b"-32769".to_vec(),
            b"8388607".to_vec(),
            b"-8388609".to_vec(),
            b"2147483648".to_vec(),
            b"-9223372036854775808".to_vec(),
            b"9223372036854775808".to_vec(),
            b"007".to_vec(),
            b"-0".to_vec(),
            vec![b'a'; 63],
            vec![b'a'; 64],
            vec![b'a'; 4095],
            vec![b'a'; 4096],
            vec![b'b'; 16378], // l = 16383: a 3-byte backlen in Redis
            big.clone(),
        ];
        let mut buf = Vec::new();
        let mut lb = LpBuilder::new(&mut buf);
        for i in &items {
            lb.push(i);
        }
        lb.finish();
        assert_eq!(collect_lp(&buf), items);
    }

    #[test]
    fn listpack_matches_redis_bytes() {
        // RPUSH l a b 1 in Redis 7.0 gives this node.
        let redis = [0x0f, 0, 0, 0, 3, 0, 0x81, b'a', 2, 0x81, b'b', 2, 1, 1, 0xff];
        let mut buf = Vec::new();
        let mut lb = LpBuilder::new(&mut buf);
        for i in [&b"a"[..], b"b", b"1"] {
            lb.push(i);
        }
        lb.finish();
        assert_eq!(buf, redis);
    }

    #[test]
    fn corrupt_listpacks_are_errors() {
        let mut buf = Vec::new();
        let mut lb = LpBuilder::new(&mut buf);
        lb.push(b"hello");
        lb.push(b"12345");
        lb.finish();
        for i in 0..buf.len() {
            for x in [0u8, 0xff, 0x80, 0x7f, 0xf0] {
                let mut c = buf.clone();
                c[i] = x;
                let _ = lp_walk(&c, |_, _, _| Ok(()));
            }
            let _ = lp_walk(&buf[..i], |_, _, _| Ok(()));
        }
    }

    #[test]
    fn ziplist_and_zipmap() {
        // A hand-built ziplist: "ab", 5, -2, 300, "x"*70.
        let mut zl = vec![0; 10];
        let mut starts = Vec::new();
        let mut prev = 0usize;
        let mut entry = |zl: &mut Vec<u8>, enc: &[u8]| {
            let s = zl.len();
            starts.push(s);
            zl.push(prev as u8);
            zl.extend_from_slice(enc);
            prev = zl.len() - s;
        };
        entry(&mut zl, &[0x02, b'a', b'b']);
        entry(&mut zl, &[0xF6]);
        entry(&mut zl, &[0xFE, 0xFE]);
        entry(&mut zl, &[0xC0, 0x2C, 0x01]);
        let mut long = vec![0x40, 70];
        long.extend_from_slice(&[b'x'; 70]);
        entry(&mut zl, &long);
        zl.push(0xFF);
        let n = zl.len() as u32;
        zl[0..4].copy_from_slice(&n.to_le_bytes());
        zl[4..8].copy_from_slice(&(*starts.last().unwrap() as u32).to_le_bytes());
        zl[8..10].copy_from_slice(&5u16.to_le_bytes());
        let mut got = Vec::new();
        zl_walk(&zl, |e| {
            got.push(e.to_vec());
            Ok(())
        })
        .unwrap();
        assert_eq!(got, vec![b"ab".to_vec(), b"5".to_vec(), b"-2".to_vec(), b"300".to_vec(), vec![b'x'; 70]]);
        for i in 0..zl.len() {
            let mut c = zl.clone();
            c[i] ^= 0x5a;
            let _ = zl_walk(&c, |_| Ok(()));
            let _ = zl_walk(&zl[..i], |_| Ok(()));
        }

        let zm = [2, 1, b'a', 2, 0, b'h', b'i', 1, b'b', 1, 1, b'x', 0, 0xFF];
        let mut pairs = Vec::new();
        zipmap_walk(&zm, |k, v| {
            pairs.push((k.to_vec(), v.to_vec()));
            Ok(())
        })
        .unwrap();
        assert_eq!(pairs, vec![(b"a".to_vec(), b"hi".to_vec()), (b"b".to_vec(), b"x".to_vec())]);
        for i in 0..zm.len() {
            let _ = zipmap_walk(&zm[..i], |_, _| Ok(()));
        }
    }

    #[test]
    fn intsets() {
        let b = [2, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xff, 5, 0];
        assert_eq!(intset_parse(&b).unwrap(), (2, vec![-1, 5]));
        let b = [2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0xff, 0xff];
        assert!(intset_parse(&b).is_err());
        assert!(intset_parse(&[2, 0, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(intset_parse(&[3, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3]).is_err());
    }
}
