//! Loading: a checksumming reader over a `BufRead`, the value decoder
//! (`rdbLoadObject`), the file loop, and DUMP payload parsing.
//!
//! The reader parses straight out of the `BufRead`'s buffer and consumes
//! (and checksums) what it parsed in bulk, so small fields cost a copy
//! and no call into the underlying reader. Declared lengths are never
//! trusted for allocation: strings grow as their bytes actually arrive,
//! and element counts only size hints up to a cap.

use std::io::BufRead;

use hematite_common::num;
use hematite_store::{Hash, List, Set, Str, Value, ZSet};

use super::encodings::{intset_parse, lp_walk, zipmap_walk, zl_walk, BlobError, Elem};
use super::*;

/// Largest capacity hint taken from a declared element count.
const HINT_CAP: usize = 1 << 16;
/// Sink::progress granularity.
const PROGRESS_EVERY: u64 = 1 << 20;

type R<T> = Result<T, ErrorKind>;

/// The checksumming reader.
pub(crate) struct Reader<'a, B: BufRead> {
    r: &'a mut B,
    /// Bytes at the front of `r`'s buffer already parsed, not yet consumed.
    pending: usize,
    /// Bytes consumed from `r` (the offset of its buffer's front).
    consumed: u64,
    crc: crc::Digest<'static, u64, crc::Table<16>>,
}

impl<'a, B: BufRead> Reader<'a, B> {
    pub(crate) fn new(r: &'a mut B) -> Self {
        Reader { r, pending: 0, consumed: 0, crc: CRC64.digest() }
    }

    /// Offset of the next byte to parse.
    #[inline]
    pub(crate) fn pos(&self) -> u64 {
        self.consumed + self.pending as u64
    }

    /// Consumes (and checksums) the parsed bytes.
    fn settle(&mut self) -> R<()> {
        if self.pending > 0 {
            let buf = self.r.fill_buf().map_err(|e| ErrorKind::Io(e.to_string()))?;
            self.crc.update(&buf[..self.pending]);
            self.r.consume(self.pending);
            self.consumed += self.pending as u64;
            self.pending = 0;
        }
        Ok(())
    }

    /// The checksum of everything parsed so far.
    fn checksum(&mut self) -> R<u64> {
        self.settle()?;
        Ok(self.crc.clone().finalize())
    }

    /// Fills `dst` exactly.
    #[inline]
    fn read_exact(&mut self, dst: &mut [u8]) -> R<()> {
        let n = dst.len();
        {
            let buf = self.r.fill_buf().map_err(|e| ErrorKind::Io(e.to_string()))?;
            if buf.len() >= self.pending + n {
                dst.copy_from_slice(&buf[self.pending..self.pending + n]);
                self.pending += n;
                return Ok(());
            }
        }
        self.settle()?;
        let mut done = 0;
        while done < n {
            let buf = self.r.fill_buf().map_err(|e| ErrorKind::Io(e.to_string()))?;
            if buf.is_empty() {
                return Err(ErrorKind::Truncated);
            }
            let k = buf.len().min(n - done);
            dst[done..done + k].copy_from_slice(&buf[..k]);
            self.crc.update(&buf[..k]);
            self.r.consume(k);
            self.consumed += k as u64;
            done += k;
        }
        Ok(())
    }

    /// Appends exactly `n` bytes to `out`, allocating only as they arrive.
    fn read_into(&mut self, out: &mut Vec<u8>, n: usize) -> R<()> {
        {
            let buf = self.r.fill_buf().map_err(|e| ErrorKind::Io(e.to_string()))?;
            if buf.len() >= self.pending + n {
                out.extend_from_slice(&buf[self.pending..self.pending + n]);
                self.pending += n;
                return Ok(());
            }
        }
        self.settle()?;
        out.reserve(n.min(1 << 20));
        let mut left = n;
        while left > 0 {
            let buf = self.r.fill_buf().map_err(|e| ErrorKind::Io(e.to_string()))?;
            if buf.is_empty() {
                return Err(ErrorKind::Truncated);
            }
            let k = buf.len().min(left);
            out.extend_from_slice(&buf[..k]);
            self.crc.update(&buf[..k]);
            self.r.consume(k);
            self.consumed += k as u64;
            left -= k;
        }
        Ok(())
    }

    #[inline]
    pub(crate) fn u8(&mut self) -> R<u8> {
        let mut b = [0u8; 1];
        self.read_exact(&mut b)?;
        Ok(b[0])
    }

    /// A length, or (`Err(enc)`) the special string encoding it announces.
    fn len_or_enc(&mut self) -> R<Result<u64, u8>> {
        let b = self.u8()?;
        Ok(match b >> 6 {
            0 => Ok((b & 0x3f) as u64),
            1 => Ok((((b & 0x3f) as u64) << 8) | self.u8()? as u64),
            3 => Err(b & 0x3f),
            _ => match b {
                LEN_32BIT => {
                    let mut x = [0u8; 4];
                    self.read_exact(&mut x)?;
                    Ok(u32::from_be_bytes(x) as u64)
                }
                LEN_64BIT => {
                    let mut x = [0u8; 8];
                    self.read_exact(&mut x)?;
                    Ok(u64::from_be_bytes(x))
                }
                _ => return Err(ErrorKind::Corrupt(format!("unknown length encoding {b:#04x}"))),
            },
        })
    }

    /// A plain length.
    pub(crate) fn len(&mut self) -> R<u64> {
        match self.len_or_enc()? {
            Ok(n) => Ok(n),
            Err(_) => Err(ErrorKind::Corrupt("string encoding where a length was expected".into())),
        }
    }

    /// A length used as an in-memory size.
    fn size(&mut self) -> R<usize> {
        usize::try_from(self.len()?).map_err(|_| ErrorKind::Corrupt("length too large".into()))
    }

    /// A string, decoded: `Ok(bytes appended to out)` or, for an
    /// integer-encoded one, `Err(value)` (nothing appended).
    fn string_or_int(&mut self, out: &mut Vec<u8>) -> R<Result<(), i64>> {
        match self.len_or_enc()? {
            Ok(n) => {
                let n = usize::try_from(n).map_err(|_| ErrorKind::Corrupt("string length too large".into()))?;
                self.read_into(out, n)?;
                Ok(Ok(()))
            }
            Err(ENC_INT8) => Ok(Err(self.u8()? as i8 as i64)),
            Err(ENC_INT16) => {
                let mut x = [0u8; 2];
                self.read_exact(&mut x)?;
                Ok(Err(i16::from_le_bytes(x) as i64))
            }
            Err(ENC_INT32) => {
                let mut x = [0u8; 4];
                self.read_exact(&mut x)?;
                Ok(Err(i32::from_le_bytes(x) as i64))
            }
            Err(ENC_LZF) => {
                let clen = self.size()?;
                let len = self.size()?;
                if len > lzf::max_expansion(clen) {
                    return Err(ErrorKind::BadLzf);
                }
                let mut z = Vec::new();
                self.read_into(&mut z, clen)?;
                if !lzf::decompress(&z, len, out) {
                    return Err(ErrorKind::BadLzf);
                }
                Ok(Ok(()))
            }
            Err(e) => Err(ErrorKind::BadStringEncoding(e)),
        }
    }

    /// A string's bytes appended to `out`.
    fn string_into(&mut self, out: &mut Vec<u8>) -> R<()> {
        if let Err(v) = self.string_or_int(out)? {
            num::format_i64(v, out);
        }
        Ok(())
    }

    /// A string's bytes.
    pub(crate) fn string(&mut self) -> R<Vec<u8>> {
        let mut v = Vec::new();
        self.string_into(&mut v)?;
        Ok(v)
    }

    /// Skips the rest of the RDB's checksum handling: reads the 8 stored
    /// bytes after settling the CRC of everything before them.
    fn stored_checksum(&mut self) -> R<(u64, u64)> {
        let computed = self.checksum()?;
        let mut x = [0u8; 8];
        self.read_exact(&mut x)?;
        self.settle()?;
        Ok((computed, u64::from_le_bytes(x)))
    }
}

// ---------------------------------------------------------------------------
// Values

/// A value that turned out empty (Redis skips such keys in files and
/// refuses them in RESTORE).
pub(crate) enum Loaded {
    Value(Value),
    Empty,
}

fn blob_err(what: &str, e: BlobError) -> ErrorKind {
    ErrorKind::Corrupt(format!("corrupt {what} at byte {} of the blob: {}", e.at, e.what))
}

fn corrupt<T>(m: &str) -> R<T> {
    Err(ErrorKind::Corrupt(m.to_string()))
}

/// A string value in the encoding Redis's `tryObjectEncoding` gives it.
fn str_value(r: &mut Reader<'_, impl BufRead>) -> R<Str> {
    let mut v = Vec::new();
    Ok(match r.string_or_int(&mut v)? {
        Err(n) => Str::Int(n),
        Ok(()) if v.len() > hematite_store::string::EMBSTR_SIZE_LIMIT => Str::Raw(v),
        Ok(()) => Str::from_client(&v),
    })
}

/// True if the sorted slice of byte strings has a repeat.
fn has_dup(items: &mut [&[u8]]) -> bool {
    items.sort_unstable();
    items.windows(2).any(|w| w[0] == w[1])
}

/// Builds a hash from field/value pairs (already read), choosing the
/// encoding like `rdbLoadObject`: a listpack unless there are more than
/// `max_entries` fields (or `long_converts` and a string is too long).
fn hash_from_pairs(pairs: &[(Elem, Elem)], limits: &Limits, long_converts: bool) -> R<Hash> {
    if pairs.len() > limits.hash.max_entries {
        let mut h = Hash::new_table(pairs.len());
        for (f, v) in pairs {
            let inserted = f.with(|f| v.with(|v| h.set(f, v, limits.hash)));
            if !inserted {
                return corrupt("duplicate hash fields");
            }
        }
        return Ok(h);
    }
    // Integer elements need their text for the duplicate check and the
    // store; strings are used in place.
    let fields: Vec<std::borrow::Cow<[u8]>> = pairs
        .iter()
        .map(|(f, _)| match f {
            Elem::Str(s) => std::borrow::Cow::Borrowed(*s),
            Elem::Int(_) => std::borrow::Cow::Owned(f.to_vec()),
        })
        .collect();
    let mut refs: Vec<&[u8]> = fields.iter().map(|f| &f[..]).collect();
    if has_dup(&mut refs) {
        return corrupt("duplicate hash fields");
    }
    let mut h = Hash::new();
    let mut too_long = false;
    for ((_, v), f) in pairs.iter().zip(&fields) {
        v.with(|v| {
            too_long |= f.len() > limits.hash.max_value || v.len() > limits.hash.max_value;
            h.push_unique(f, v)
        });
    }
    if long_converts && too_long {
        h.convert_to_table();
    }
    Ok(h)
}

/// Parses a listpack/ziplist score the way `zzlGetScore` reads it.
fn score_of(e: Elem) -> R<f64> {
    match e {
        Elem::Int(v) => Ok(v as f64),
        Elem::Str(s) => match num::parse_f64(s) {
            Some(x) => Ok(x),
            None => corrupt("sorted set score is not a number"),
        },
    }
}

/// Orders `(score, member)` like the sorted set does.
fn zcmp(a: (f64, &[u8]), b: (f64, &[u8])) -> std::cmp::Ordering {
    a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal).then_with(|| a.1.cmp(b.1))
}

/// Builds a sorted set from members with scores, choosing the encoding by
/// count (and, when `check_len`, the longest member) like `rdbLoadObject`.
fn zset_from(items: Vec<(Vec<u8>, f64)>, limits: &Limits, check_len: bool) -> R<ZSet> {
    if items.iter().any(|(_, s)| s.is_nan()) {
        return corrupt("sorted set with a NaN score");
    }
    let maxlen = items.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
    let listpack = items.len() <= limits.zset.max_entries && (!check_len || maxlen <= limits.zset.max_value);
    if !listpack {
        let mut z = ZSet::new_skiplist();
        for (m, s) in &items {
            match z.add(m, *s, Default::default(), limits.zset) {
                Ok((hematite_store::zset::AddOutcome::Added, _)) => {}
                _ => return corrupt("duplicate sorted set members"),
            }
        }
        return Ok(z);
    }
    let mut refs: Vec<&[u8]> = items.iter().map(|(m, _)| &m[..]).collect();
    if has_dup(&mut refs) {
        return corrupt("duplicate sorted set members");
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    let sorted = items.windows(2).all(|w| zcmp((w[0].1, &w[0].0), (w[1].1, &w[1].0)).is_lt());
    if !sorted {
        order.sort_by(|&a, &b| zcmp((items[a].1, &items[a].0), (items[b].1, &items[b].0)));
    }
    let mut z = ZSet::new();
    for i in order {
        z.push_greatest(&items[i].0, items[i].1);
    }
    Ok(z)
}

/// Reads the blob of a compact encoding.
fn blob(r: &mut Reader<'_, impl BufRead>) -> R<Vec<u8>> {
    r.string()
}

/// Loads a value of type `t` (`rdbLoadObject`).
pub(crate) fn load_value(r: &mut Reader<'_, impl BufRead>, t: u8, limits: &Limits) -> R<Loaded> {
    let v = match t {
        TYPE_STRING => Value::Str(str_value(r)?),
        TYPE_LIST => {
            let n = r.len()?;
            let mut l = List::with_fill(limits.list_max_listpack_size);
            let mut buf = Vec::new();
            for _ in 0..n {
                buf.clear();
                r.string_into(&mut buf)?;
                l.push(hematite_store::End::Right, &buf);
            }
            if l.is_empty() {
                return Ok(Loaded::Empty);
            }
            Value::List(Box::new(l))
        }
        TYPE_SET => {
            let n = r.len()?;
            if n == 0 {
                return Ok(Loaded::Empty);
            }
            let max = limits.set_max_intset_entries.min(1 << 30) as u64;
            let mut s = if n > max { Set::new_table((n as usize).min(HINT_CAP)) } else { Set::new() };
            let mut buf = Vec::new();
            for _ in 0..n {
                buf.clear();
                r.string_into(&mut buf)?;
                if !s.add(&buf, usize::MAX) {
                    return corrupt("duplicate set members");
                }
            }
            Value::Set(Box::new(s))
        }
        TYPE_ZSET | TYPE_ZSET_2 => {
            let n = r.len()?;
            if n == 0 {
                return Ok(Loaded::Empty);
            }
            let mut items = Vec::with_capacity((n as usize).min(HINT_CAP));
            for _ in 0..n {
                let m = r.string()?;
                let score = if t == TYPE_ZSET_2 {
                    let mut x = [0u8; 8];
                    r.read_exact(&mut x)?;
                    f64::from_le_bytes(x)
                } else {
                    text_score(r)?
                };
                if score.is_nan() {
                    return corrupt("sorted set with a NaN score");
                }
                items.push((m, score));
            }
            Value::ZSet(Box::new(zset_from(items, limits, true)?))
        }
        TYPE_HASH => {
            let n = r.len()?;
            if n == 0 {
                return Ok(Loaded::Empty);
            }
            if n > limits.hash.max_entries as u64 {
                let mut h = Hash::new_table((n as usize).min(HINT_CAP));
                let (mut f, mut v) = (Vec::new(), Vec::new());
                for _ in 0..n {
                    f.clear();
                    v.clear();
                    r.string_into(&mut f)?;
                    r.string_into(&mut v)?;
                    if !h.set(&f, &v, limits.hash) {
                        return corrupt("duplicate hash fields");
                    }
                }
                Value::Hash(Box::new(h))
            } else {
                let mut strs = Vec::with_capacity(n as usize * 2);
                for _ in 0..n * 2 {
                    strs.push(r.string()?);
                }
                let pairs: Vec<(Elem, Elem)> = strs.chunks(2).map(|c| (Elem::Str(&c[0]), Elem::Str(&c[1]))).collect();
                Value::Hash(Box::new(hash_from_pairs(&pairs, limits, true)?))
            }
        }
        TYPE_SET_INTSET => {
            let b = blob(r)?;
            let (width, ints) = intset_parse(&b).map_err(|e| blob_err("intset", e))?;
            let Some(mut s) = Set::from_sorted_ints(width, &ints) else {
                return corrupt("intset element does not fit its width");
            };
            if ints.len() > limits.set_max_intset_entries {
                s.convert_to_table();
            }
            Value::Set(Box::new(s))
        }
        TYPE_SET_LISTPACK => {
            let b = blob(r)?;
            let mut members = Vec::new();
            lp_walk(&b, |e, _, _| {
                members.push(e);
                Ok(())
            })
            .map_err(|e| blob_err("set listpack", e))?;
            if members.is_empty() {
                return Ok(Loaded::Empty);
            }
            let texts: Vec<Vec<u8>> = members.iter().map(|e| e.to_vec()).collect();
            let mut refs: Vec<&[u8]> = texts.iter().map(|t| &t[..]).collect();
            if has_dup(&mut refs) {
                return corrupt("duplicate set members");
            }
            let all_ints = members.iter().all(|e| matches!(e, Elem::Int(_)));
            let mut s = if all_ints && texts.len() <= limits.set_max_intset_entries {
                Set::new()
            } else {
                Set::new_table(texts.len())
            };
            for t in &texts {
                s.add(t, usize::MAX);
            }
            Value::Set(Box::new(s))
        }
        TYPE_HASH_LISTPACK | TYPE_HASH_ZIPLIST | TYPE_HASH_ZIPMAP => {
            let b = blob(r)?;
            let mut items = Vec::new();
            let res = match t {
                TYPE_HASH_LISTPACK => lp_walk(&b, |e, _, _| {
                    items.push(e);
                    Ok(())
                })
                .map_err(|e| blob_err("hash listpack", e)),
                TYPE_HASH_ZIPLIST => zl_walk(&b, |e| {
                    items.push(e);
                    Ok(())
                })
                .map_err(|e| blob_err("hash ziplist", e)),
                _ => zipmap_walk(&b, |k, v| {
                    items.push(Elem::Str(k));
                    items.push(Elem::Str(v));
                    Ok(())
                })
                .map_err(|e| blob_err("hash zipmap", e)),
            };
            res?;
            if items.len() % 2 != 0 {
                return corrupt("hash blob with an odd number of entries");
            }
            if items.is_empty() {
                return Ok(Loaded::Empty);
            }
            let pairs: Vec<(Elem, Elem)> = items.chunks(2).map(|c| (c[0], c[1])).collect();
            Value::Hash(Box::new(hash_from_pairs(&pairs, limits, t == TYPE_HASH_ZIPMAP)?))
        }
        TYPE_ZSET_LISTPACK | TYPE_ZSET_ZIPLIST => {
            let b = blob(r)?;
            let mut items = Vec::new();
            if t == TYPE_ZSET_LISTPACK {
                lp_walk(&b, |e, _, _| {
                    items.push(e);
                    Ok(())
                })
                .map_err(|e| blob_err("sorted set listpack", e))?;
            } else {
                zl_walk(&b, |e| {
                    items.push(e);
                    Ok(())
                })
                .map_err(|e| blob_err("sorted set ziplist", e))?;
            }
            if items.len() % 2 != 0 {
                return corrupt("sorted set blob with an odd number of entries");
            }
            if items.is_empty() {
                return Ok(Loaded::Empty);
            }
            let mut pairs = Vec::with_capacity(items.len() / 2);
            for c in items.chunks(2) {
                pairs.push((c[0].to_vec(), score_of(c[1])?));
            }
            Value::ZSet(Box::new(zset_from(pairs, limits, false)?))
        }
        TYPE_LIST_ZIPLIST => {
            let b = blob(r)?;
            let mut l = List::with_fill(limits.list_max_listpack_size);
            zl_walk(&b, |e| {
                e.with(|s| l.push(hematite_store::End::Right, s));
                Ok(())
            })
            .map_err(|e| blob_err("list ziplist", e))?;
            if l.is_empty() {
                return Ok(Loaded::Empty);
            }
            Value::List(Box::new(l))
        }
        TYPE_LIST_QUICKLIST | TYPE_LIST_QUICKLIST_2 => {
            let n = r.len()?;
            let mut l = List::with_fill(limits.list_max_listpack_size);
            for _ in 0..n {
                let container = if t == TYPE_LIST_QUICKLIST_2 { r.len()? } else { QUICKLIST_NODE_PACKED };
                if container != QUICKLIST_NODE_PACKED && container != QUICKLIST_NODE_PLAIN {
                    return corrupt("quicklist node with an unknown container type");
                }
                let b = blob(r)?;
                if b.is_empty() {
                    return corrupt("empty quicklist node");
                }
                if container == QUICKLIST_NODE_PLAIN {
                    l.push(hematite_store::End::Right, &b);
                } else if t == TYPE_LIST_QUICKLIST {
                    zl_walk(&b, |e| {
                        e.with(|s| l.push(hematite_store::End::Right, s));
                        Ok(())
                    })
                    .map_err(|e| blob_err("quicklist ziplist", e))?;
                } else {
                    list_node(&mut l, b)?;
                }
            }
            if l.is_empty() {
                return Ok(Loaded::Empty);
            }
            Value::List(Box::new(l))
        }
        TYPE_MODULE_PRE_GA | TYPE_MODULE_2 => return Err(ErrorKind::Unsupported("module values")),
        TYPE_STREAM_LISTPACKS | TYPE_STREAM_LISTPACKS_2 | TYPE_STREAM_LISTPACKS_3 => {
            return Err(ErrorKind::Unsupported("streams"))
        }
        other => return Err(ErrorKind::UnknownType(other)),
    };
    Ok(Loaded::Value(v))
}

/// Adds a packed quicklist node: whole when its entries are in the store's
/// format (all but entries of three exact sizes), else element by element.
fn list_node(l: &mut List, mut b: Vec<u8>) -> R<()> {
    let mut compatible = true;
    let count = lp_walk(&b, |_, raw, len| {
        compatible &= raw.len() - len == List::entry_backlen_size(len);
        Ok(())
    })
    .map_err(|e| blob_err("quicklist listpack", e))?;
    if count == 0 {
        return Ok(()); // Redis silently skips empty nodes.
    }
    if compatible {
        b.truncate(b.len() - 1);
        b.drain(..6);
        l.push_raw_node(b, count);
    } else {
        lp_walk(&b, |e, _, _| {
            e.with(|s| l.push(hematite_store::End::Right, s));
            Ok(())
        })
        .map_err(|e| blob_err("quicklist listpack", e))?;
    }
    Ok(())
}

/// A score in the old text form (`rdbLoadDoubleValue`).
fn text_score(r: &mut Reader<'_, impl BufRead>) -> R<f64> {
    let n = r.u8()?;
    match n {
        253 => Ok(f64::NAN),
        254 => Ok(f64::INFINITY),
        255 => Ok(f64::NEG_INFINITY),
        _ => {
            let mut b = vec![0u8; n as usize];
            r.read_exact(&mut b)?;
            // sscanf("%lg") reads a prefix; accept what strtod accepts.
            let text = b.split(|&c| c == 0).next().unwrap_or(&[]);
            match num::parse_f64(text) {
                Some(x) => Ok(x),
                None if text.eq_ignore_ascii_case(b"nan") => Ok(f64::NAN),
                None => corrupt("sorted set score is not a number"),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The file

/// What the file loop reports to the checker, with the offset after it.
pub(crate) enum Event<'a> {
    Aux(&'a [u8], &'a [u8]),
    SelectDb(usize),
    Key { expire_ms: Option<i64> },
    Function,
    Checksum(Checksum),
}

/// Loads one RDB from `r` (header to checksum) into `sink`, leaving
/// whatever follows in `r` unread.
pub fn load<B: BufRead>(r: &mut B, limits: &Limits, sink: &mut impl Sink) -> Result<LoadSummary, RdbError> {
    load_with(r, limits, sink, &mut |_, _| {})
}

pub(crate) fn load_with<B: BufRead>(
    r: &mut B,
    limits: &Limits,
    sink: &mut impl Sink,
    events: &mut dyn FnMut(u64, Event<'_>),
) -> Result<LoadSummary, RdbError> {
    let mut rd = Reader::new(r);
    let mut key: Option<Vec<u8>> = None;
    let mut vtype: Option<u8> = None;
    let res = load_loop(&mut rd, limits, sink, events, &mut key, &mut vtype);
    res.map_err(|kind| RdbError { offset: rd.pos(), kind, key, value_type: vtype })
}

fn load_loop<B: BufRead>(
    rd: &mut Reader<'_, B>,
    limits: &Limits,
    sink: &mut impl Sink,
    events: &mut dyn FnMut(u64, Event<'_>),
    cur_key: &mut Option<Vec<u8>>,
    cur_type: &mut Option<u8>,
) -> R<LoadSummary> {
    let mut magic = [0u8; 9];
    rd.read_exact(&mut magic)?;
    if &magic[..5] != b"REDIS" {
        return Err(ErrorKind::BadMagic);
    }
    let ver = std::str::from_utf8(&magic[5..]).ok().and_then(|s| s.parse::<u32>().ok()).unwrap_or(0);
    if !(1..=MAX_LOAD_VERSION as u32).contains(&ver) {
        return Err(ErrorKind::UnsupportedVersion(ver));
    }
    let mut sum = LoadSummary {
        rdb_version: ver as u16,
        keys: 0,
        expires: 0,
        empty_keys_skipped: 0,
        functions: 0,
        bytes_read: 0,
        checksum: Checksum::Absent,
    };
    let mut meta = KeyMeta::default();
    let mut next_progress = PROGRESS_EVERY;
    let sink_err = ErrorKind::Sink;
    loop {
        if rd.pos() >= next_progress {
            sink.progress(rd.pos());
            next_progress = rd.pos() + PROGRESS_EVERY;
        }
        let t = rd.u8()?;
        match t {
            OPCODE_EXPIRETIME => {
                let mut x = [0u8; 4];
                rd.read_exact(&mut x)?;
                meta.expire_ms = Some(i32::from_le_bytes(x) as i64 * 1000);
            }
            OPCODE_EXPIRETIME_MS => {
                let mut x = [0u8; 8];
                rd.read_exact(&mut x)?;
                meta.expire_ms = Some(i64::from_le_bytes(x));
            }
            OPCODE_FREQ => meta.freq = Some(rd.u8()?),
            OPCODE_IDLE => meta.idle_secs = Some(rd.len()?),
            OPCODE_EOF => break,
            OPCODE_SELECTDB => {
                let db = rd.len()?;
                let db = usize::try_from(db).map_err(|_| ErrorKind::Corrupt("database number too large".into()))?;
                sink.select_db(db).map_err(sink_err)?;
                events(rd.pos(), Event::SelectDb(db));
            }
            OPCODE_RESIZEDB => {
                let a = rd.len()?;
                let b = rd.len()?;
                sink.resize_db(a, b);
            }
            OPCODE_AUX => {
                let k = rd.string()?;
                let v = rd.string()?;
                sink.aux(&k, &v).map_err(sink_err)?;
                events(rd.pos(), Event::Aux(&k, &v));
            }
            OPCODE_MODULE_AUX => return Err(ErrorKind::Unsupported("module aux data")),
            OPCODE_FUNCTION_PRE_GA => {
                return Err(ErrorKind::Unsupported("functions in the Redis 7.0 release-candidate format"))
            }
            OPCODE_FUNCTION2 => {
                let code = rd.string()?;
                sink.function(code).map_err(sink_err)?;
                sum.functions += 1;
                events(rd.pos(), Event::Function);
            }
            _ => {
                let key = rd.string()?;
                *cur_key = Some(key);
                *cur_type = Some(t);
                let loaded = load_value(rd, t, limits)?;
                let key = cur_key.take().unwrap_or_default();
                *cur_type = None;
                match loaded {
                    Loaded::Empty => sum.empty_keys_skipped += 1,
                    Loaded::Value(v) => {
                        let m = std::mem::take(&mut meta);
                        sum.keys += 1;
                        sum.expires += m.expire_ms.is_some() as u64;
                        sink.key(key, v, m).map_err(sink_err)?;
                        events(rd.pos(), Event::Key { expire_ms: m.expire_ms });
                    }
                }
                meta = KeyMeta::default();
            }
        }
    }
    if ver >= 5 {
        let (computed, stored) = rd.stored_checksum()?;
        sum.checksum = if stored == 0 {
            Checksum::Disabled
        } else if stored == computed {
            Checksum::Verified
        } else {
            return Err(ErrorKind::Checksum { expected: computed, got: stored });
        };
    } else {
        rd.settle()?;
    }
    sum.bytes_read = rd.pos();
    events(rd.pos(), Event::Checksum(sum.checksum));
    Ok(sum)
}

// ---------------------------------------------------------------------------
// DUMP payloads

/// Parses a DUMP payload (RESTORE): checks the footer (RDB version at most
/// [`RDB_VERSION`], and the CRC64 — Redis 7.0.15 verifies it even when it
/// is zero, unlike the file loader) and decodes the value.
pub fn parse_payload(payload: &[u8], limits: &Limits) -> Result<Value, PayloadError> {
    if payload.len() < 10 {
        return Err(PayloadError::BadFooter);
    }
    let (body, footer) = payload.split_at(payload.len() - 10);
    let ver = u16::from_le_bytes([footer[0], footer[1]]);
    if ver > RDB_VERSION {
        return Err(PayloadError::BadFooter);
    }
    let stored = u64::from_le_bytes(footer[2..10].try_into().map_err(|_| PayloadError::BadFooter)?);
    if stored != CRC64.checksum(&payload[..payload.len() - 8]) {
        return Err(PayloadError::BadFooter);
    }
    let mut src = body;
    let mut rd = Reader::new(&mut src);
    let res = (|| {
        let t = rd.u8()?;
        load_value(&mut rd, t, limits)
    })();
    match res {
        Ok(Loaded::Value(v)) => Ok(v),
        Ok(Loaded::Empty) => Err(PayloadError::Corrupt("empty value".into())),
        Err(e) => Err(PayloadError::Corrupt(e.to_string())),
    }
}
