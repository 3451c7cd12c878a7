//! Serialising values the way Redis 7.0's `rdbSaveObject` does, and the
//! streaming file [`Writer`].

use std::io::{self, Write};

use hematite_store::{Hash, List, Set, Str, Value, ZSet};

use super::encodings::{lp_backlen_size, LpBuilder};
use super::lzf::Compressor;
use super::*;

/// Reusable state for encoding values: the LZF table and blob scratch.
#[derive(Default)]
pub(crate) struct Encoder {
    lzf: Compressor,
    blob: Vec<u8>,
    zbuf: Vec<u8>,
}

thread_local! {
    static ENCODER: std::cell::RefCell<Encoder> = std::cell::RefCell::new(Encoder::default());
}

/// Appends a length in the RDB length encoding.
pub(crate) fn put_len(out: &mut Vec<u8>, len: u64) {
    if len < 1 << 6 {
        out.push(len as u8);
    } else if len < 1 << 14 {
        out.push(0x40 | (len >> 8) as u8);
        out.push(len as u8);
    } else if len <= u32::MAX as u64 {
        out.push(LEN_32BIT);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    } else {
        out.push(LEN_64BIT);
        out.extend_from_slice(&len.to_be_bytes());
    }
}

/// The integer encoding of `v` if it fits 8, 16 or 32 bits
/// (`rdbEncodeInteger`).
fn put_int_enc(out: &mut Vec<u8>, v: i64) -> bool {
    if let Ok(x) = i8::try_from(v) {
        out.push(0xC0 | ENC_INT8);
        out.push(x as u8);
    } else if let Ok(x) = i16::try_from(v) {
        out.push(0xC0 | ENC_INT16);
        out.extend_from_slice(&x.to_le_bytes());
    } else if let Ok(x) = i32::try_from(v) {
        out.push(0xC0 | ENC_INT32);
        out.extend_from_slice(&x.to_le_bytes());
    } else {
        return false;
    }
    true
}

/// Appends an integer as a string object (`rdbSaveLongLongAsStringObject`).
pub(crate) fn put_int_string(out: &mut Vec<u8>, v: i64) {
    if !put_int_enc(out, v) {
        let mut b = itoa::Buffer::new();
        let s = b.format(v);
        put_len(out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }
}

/// Appends a string without LZF (`rdbSaveRawString` with compression off).
pub(crate) fn put_plain_string(out: &mut Vec<u8>, s: &[u8]) {
    if s.len() <= 11 {
        if let Some(v) = hematite_common::num::parse_i64(s) {
            if put_int_enc(out, v) {
                return;
            }
        }
    }
    put_len(out, s.len() as u64);
    out.extend_from_slice(s);
}

impl Encoder {
    /// Appends a string (`rdbSaveRawString`): integer-encoded when it is a
    /// short canonical integer, LZF-compressed when allowed, longer than
    /// 20 bytes and at least 4 bytes smaller, verbatim otherwise.
    pub(crate) fn string(&mut self, out: &mut Vec<u8>, s: &[u8], compression: bool) {
        if compression && s.len() > 20 {
            self.zbuf.clear();
            if self.lzf.compress(s, s.len() - 4, &mut self.zbuf) {
                out.push(0xC0 | ENC_LZF);
                put_len(out, self.zbuf.len() as u64);
                put_len(out, s.len() as u64);
                out.extend_from_slice(&self.zbuf);
                return;
            }
        }
        put_plain_string(out, s);
    }

    fn str_value(&mut self, out: &mut Vec<u8>, s: &Str, compression: bool) {
        match s {
            Str::Int(v) => put_int_string(out, *v),
            Str::Emb(b) => self.string(out, b, compression),
            Str::Raw(b) => self.string(out, b, compression),
        }
    }

    /// Appends the blob in `self.blob` as a string.
    fn flush_blob(&mut self, out: &mut Vec<u8>, compression: bool) {
        let blob = std::mem::take(&mut self.blob);
        self.string(out, &blob, compression);
        self.blob = blob;
    }

    fn list(&mut self, out: &mut Vec<u8>, l: &List, compression: bool) {
        put_len(out, l.node_count() as u64);
        for (entries, count) in l.raw_nodes() {
            put_len(out, QUICKLIST_NODE_PACKED);
            self.blob.clear();
            let mut lb = LpBuilder::new(&mut self.blob);
            if store_node_is_redis_listpack(entries) {
                lb.push_raw(entries, count);
            } else {
                // An entry whose backlen size differs from Redis's (only at
                // three exact sizes): re-encode the node.
                let mut p = 0;
                while p < entries.len() {
                    let (e, _, size) = store_entry(entries, p);
                    lb.push_elem(e);
                    p += size;
                }
            }
            lb.finish();
            self.flush_blob(out, compression);
        }
    }

    fn set(&mut self, out: &mut Vec<u8>, s: &Set, compression: bool) {
        self.blob.clear();
        if s.write_intset_blob(&mut self.blob) {
            self.flush_blob(out, compression);
        } else {
            put_len(out, s.len() as u64);
            s.for_each(|m| self.string(out, m, compression));
        }
    }

    fn hash(&mut self, out: &mut Vec<u8>, h: &Hash, compression: bool) {
        if h.is_listpack() {
            self.blob.clear();
            let mut lb = LpBuilder::new(&mut self.blob);
            h.for_each(|f, v| {
                lb.push(f);
                lb.push(v);
            });
            lb.finish();
            self.flush_blob(out, compression);
        } else {
            put_len(out, h.len() as u64);
            h.for_each(|f, v| {
                self.string(out, f, compression);
                self.string(out, v, compression);
            });
        }
    }

    fn zset(&mut self, out: &mut Vec<u8>, z: &ZSet, compression: bool) {
        if z.is_listpack() {
            self.blob.clear();
            let mut lb = LpBuilder::new(&mut self.blob);
            let mut text = Vec::with_capacity(32);
            z.for_each(|m, s| {
                lb.push(m);
                // Redis stores the score's d2string text (an integer when
                // it is integral within 2^52, else %.17g).
                text.clear();
                hematite_common::num::write_double(s, &mut text);
                lb.push(&text);
            });
            lb.finish();
            self.flush_blob(out, compression);
        } else {
            put_len(out, z.len() as u64);
            // Greatest first, as Redis writes the skiplist from its tail.
            z.for_range(0, z.len(), true, |m, s| {
                self.string(out, m, compression);
                out.extend_from_slice(&s.to_le_bytes());
                true
            });
        }
    }

    /// Appends the type byte and the serialised value.
    pub(crate) fn value(&mut self, out: &mut Vec<u8>, v: &Value, compression: bool) {
        out.push(type_byte(v));
        self.body(out, v, compression);
    }

    /// Appends the serialised value (without its type byte).
    pub(crate) fn body(&mut self, out: &mut Vec<u8>, v: &Value, compression: bool) {
        match v {
            Value::Str(s) => self.str_value(out, s, compression),
            Value::List(l) => self.list(out, l, compression),
            Value::Set(s) => self.set(out, s, compression),
            Value::Hash(h) => self.hash(out, h, compression),
            Value::ZSet(z) => self.zset(out, z, compression),
        }
    }
}

/// The RDB type byte Redis 7.0 writes for a value in its encoding.
pub(crate) fn type_byte(v: &Value) -> u8 {
    match v {
        Value::Str(_) => TYPE_STRING,
        Value::List(_) => TYPE_LIST_QUICKLIST_2,
        Value::Set(s) if s.is_intset() => TYPE_SET_INTSET,
        Value::Set(_) => TYPE_SET,
        Value::Hash(h) if h.is_listpack() => TYPE_HASH_LISTPACK,
        Value::Hash(_) => TYPE_HASH,
        Value::ZSet(z) if z.is_listpack() => TYPE_ZSET_LISTPACK,
        Value::ZSet(_) => TYPE_ZSET_2,
    }
}

/// Decodes the store list entry at `p` (entries the store wrote, so they
/// are well formed): the element, the size of its encoding and payload
/// (`l`), and the entry's total size.
fn store_entry(b: &[u8], p: usize) -> (super::encodings::Elem<'_>, usize, usize) {
    use super::encodings::Elem;
    let t = b[p];
    let (e, l) = if t & 0x80 == 0 {
        (Elem::Int(t as i64), 1)
    } else if t & 0xC0 == 0x80 {
        let n = (t & 0x3f) as usize;
        (Elem::Str(&b[p + 1..p + 1 + n]), 1 + n)
    } else if t & 0xE0 == 0xC0 {
        let u = (((t & 0x1f) as i64) << 8) | b[p + 1] as i64;
        (Elem::Int(if u & 0x1000 != 0 { u - 0x2000 } else { u }), 2)
    } else if t & 0xF0 == 0xE0 {
        let n = (((t & 0x0f) as usize) << 8) | b[p + 1] as usize;
        (Elem::Str(&b[p + 2..p + 2 + n]), 2 + n)
    } else {
        let int = |n: usize| {
            let mut x = [0u8; 8];
            x[..n].copy_from_slice(&b[p + 1..p + 1 + n]);
            let shift = 64 - 8 * n as u32;
            (i64::from_le_bytes(x) << shift) >> shift
        };
        match t {
            0xF0 => {
                let n = u32::from_le_bytes([b[p + 1], b[p + 2], b[p + 3], b[p + 4]]) as usize;
                (Elem::Str(&b[p + 5..p + 5 + n]), 5 + n)
            }
            0xF1 => (Elem::Int(int(2)), 3),
            0xF2 => (Elem::Int(int(3)), 4),
            0xF3 => (Elem::Int(int(4)), 5),
            _ => (Elem::Int(int(8)), 9),
        }
    };
    (e, l, l + List::entry_backlen_size(l))
}

/// True if every entry of a store list node has the backlen size Redis
/// expects. They differ only for entries whose encoding and payload take
/// exactly 16383, 2097151 or 268435455 bytes, so a node shorter than that
/// needs no walk.
fn store_node_is_redis_listpack(entries: &[u8]) -> bool {
    if entries.len() < 16383 {
        return true;
    }
    let mut p = 0;
    while p < entries.len() {
        let (_, l, size) = store_entry(entries, p);
        if lp_backlen_size(l) != List::entry_backlen_size(l) {
            return false;
        }
        p += size;
    }
    true
}

/// Appends the type byte and serialised value of `value` (what follows
/// the key in an RDB file; also the body of a DUMP payload).
pub fn write_value(out: &mut Vec<u8>, value: &Value, compression: bool) {
    ENCODER.with(|e| e.borrow_mut().value(out, value, compression))
}

/// The DUMP payload of a value: the serialised value, the RDB version
/// (u16 LE) and the CRC64 of both (u64 LE).
pub fn dump_payload(value: &Value, compression: bool) -> Vec<u8> {
    let mut out = Vec::new();
    write_value(&mut out, value, compression);
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = CRC64.checksum(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Options of a [`Writer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// LZF-compress strings longer than 20 bytes (`rdbcompression`).
    pub compression: bool,
    /// Write the CRC64 at the end (`rdbchecksum`); 8 zero bytes otherwise.
    pub checksum: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions { compression: true, checksum: true }
    }
}

/// Flush the buffer to the underlying writer past this size.
const FLUSH_AT: usize = 64 * 1024;

/// Writes an RDB file: the header, then the caller's aux fields,
/// databases, keys and functions, then [`Writer::finish`] adds the EOF
/// opcode and the checksum, which is computed on the fly over everything
/// written.
pub struct Writer<W: Write> {
    w: W,
    buf: Vec<u8>,
    enc: Encoder,
    opts: WriteOptions,
    crc: crc::Digest<'static, u64, crc::Table<16>>,
    written: u64,
}

impl<W: Write> Writer<W> {
    /// Starts a file with the `REDIS0010` header.
    pub fn new(w: W, opts: WriteOptions) -> io::Result<Self> {
        let mut wr = Writer { w, buf: Vec::with_capacity(FLUSH_AT * 2), enc: Encoder::default(), opts, crc: CRC64.digest(), written: 0 };
        wr.buf.extend_from_slice(format!("REDIS{:04}", RDB_VERSION).as_bytes());
        Ok(wr)
    }

    fn maybe_flush(&mut self) -> io::Result<()> {
        if self.buf.len() >= FLUSH_AT {
            self.flush_buf()?;
        }
        Ok(())
    }

    fn flush_buf(&mut self) -> io::Result<()> {
        self.crc.update(&self.buf);
        self.w.write_all(&self.buf)?;
        self.written += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    /// An AUX field (`rdbSaveAuxField`): both strings in the string
    /// encoding, so an integer value is int-encoded.
    pub fn aux(&mut self, key: &str, value: &[u8]) -> io::Result<()> {
        self.buf.push(OPCODE_AUX);
        let c = self.opts.compression;
        self.enc.string(&mut self.buf, key.as_bytes(), c);
        self.enc.string(&mut self.buf, value, c);
        self.maybe_flush()
    }

    /// Starts database `db` (SELECTDB) and gives the size hints (RESIZEDB).
    pub fn select_db(&mut self, db: usize, db_size: u64, expires_size: u64) -> io::Result<()> {
        self.buf.push(OPCODE_SELECTDB);
        put_len(&mut self.buf, db as u64);
        self.buf.push(OPCODE_RESIZEDB);
        put_len(&mut self.buf, db_size);
        put_len(&mut self.buf, expires_size);
        self.maybe_flush()
    }

    /// A key with its value and optional absolute expiry (Unix ms).
    pub fn key(&mut self, key: &[u8], value: &Value, expire_ms: Option<i64>) -> io::Result<()> {
        self.key_with_meta(key, value, &KeyMeta { expire_ms, ..Default::default() })
    }

    /// A key with its metadata opcodes, in Redis's order: expiry, `IDLE`
    /// (LRU idle seconds), `FREQ` (LFU counter).
    pub fn key_with_meta(&mut self, key: &[u8], value: &Value, meta: &KeyMeta) -> io::Result<()> {
        if let Some(t) = meta.expire_ms {
            self.buf.push(OPCODE_EXPIRETIME_MS);
            self.buf.extend_from_slice(&t.to_le_bytes());
        }
        if let Some(idle) = meta.idle_secs {
            self.buf.push(OPCODE_IDLE);
            put_len(&mut self.buf, idle);
        }
        if let Some(freq) = meta.freq {
            self.buf.push(OPCODE_FREQ);
            self.buf.push(freq);
        }
        let c = self.opts.compression;
        self.buf.push(type_byte(value));
        self.enc.string(&mut self.buf, key, c);
        self.enc.body(&mut self.buf, value, c);
        self.maybe_flush()
    }

    /// A function library (`RDB_OPCODE_FUNCTION2` + its code).
    pub fn function(&mut self, library_code: &[u8]) -> io::Result<()> {
        self.buf.push(OPCODE_FUNCTION2);
        let c = self.opts.compression;
        self.enc.string(&mut self.buf, library_code, c);
        self.maybe_flush()
    }

    /// Bytes produced so far (flushed or buffered).
    pub fn bytes_written(&self) -> u64 {
        self.written + self.buf.len() as u64
    }

    /// Writes the EOF opcode and the checksum, flushes, and returns the
    /// underlying writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.buf.push(OPCODE_EOF);
        self.flush_buf()?;
        let crc = if self.opts.checksum { self.crc.finalize() } else { 0 };
        self.w.write_all(&crc.to_le_bytes())?;
        self.w.flush()?;
        Ok(self.w)
    }
}
