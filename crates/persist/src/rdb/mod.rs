//! The RDB snapshot format, version 10 (Redis 7.0), the DUMP/RESTORE
//! payload, and a checker in the manner of `redis-check-rdb`.
//!
//! # File layout
//!
//! ```text
//! "REDIS" + 4 ASCII digits of the version ("0010")
//! ( opcode ... )*          aux fields, databases, keys, functions
//! 0xFF                     EOF
//! CRC64 (u64 LE)           Jones CRC64 of every byte before it; 0 = not computed
//! ```
//!
//! | opcode | name            | followed by                                      |
//! |--------|-----------------|--------------------------------------------------|
//! | `0xFF` | EOF             | the checksum (RDB version >= 5)                  |
//! | `0xFE` | SELECTDB        | length: the database number                      |
//! | `0xFD` | EXPIRETIME      | i32 LE seconds, for the next key (old files)     |
//! | `0xFC` | EXPIRETIME_MS   | i64 LE Unix milliseconds, for the next key       |
//! | `0xFB` | RESIZEDB        | length: keys, length: keys with an expiry        |
//! | `0xFA` | AUX             | string key, string value                         |
//! | `0xF9` | FREQ            | one byte: the LFU counter of the next key        |
//! | `0xF8` | IDLE            | length: LRU idle seconds of the next key         |
//! | `0xF7` | MODULE_AUX      | module data (not supported)                      |
//! | `0xF6` | FUNCTION        | 7.0 release-candidate function format (not supported) |
//! | `0xF5` | FUNCTION2       | string: a function library's source code         |
//! | other  | a value type    | string key, then the value                       |
//!
//! # Lengths and strings
//!
//! A *length* is big-endian: `00LLLLLL` (6 bits), `01LLLLLL LLLLLLLL`
//! (14 bits), `0x80` + u32, `0x81` + u64. The first byte `11EEEEEE` marks a
//! specially encoded *string* instead: `E` = 0, 1, 2 is an integer in 1, 2
//! or 4 bytes little endian (the string is its decimal text); `E` = 3 is
//! LZF: length of the compressed data, length of the original, the data
//! (see [`lzf`]). Any other string is a length and that many bytes.
//!
//! # Values
//!
//! | type | name               | body                                           | written |
//! |------|--------------------|------------------------------------------------|---------|
//! | 0    | STRING             | a string                                       | yes     |
//! | 1    | LIST               | length, strings                                |         |
//! | 2    | SET                | length, strings                                | yes     |
//! | 3    | ZSET               | length, (string, score as text\*)              |         |
//! | 4    | HASH               | length, (string, string)                       | yes     |
//! | 5    | ZSET_2             | length, (string, f64 LE), greatest first       | yes     |
//! | 6, 7 | MODULE             | (not supported)                                |         |
//! | 9    | HASH_ZIPMAP        | a zipmap in a string                           |         |
//! | 10   | LIST_ZIPLIST       | a ziplist in a string                          |         |
//! | 11   | SET_INTSET         | an intset in a string                          | yes     |
//! | 12   | ZSET_ZIPLIST       | ziplist of member, score pairs                 |         |
//! | 13   | HASH_ZIPLIST       | ziplist of field, value pairs                  |         |
//! | 14   | LIST_QUICKLIST     | length, ziplists                               |         |
//! | 15   | STREAM_LISTPACKS   | (not supported)                                |         |
//! | 16   | HASH_LISTPACK      | listpack of field, value pairs                 | yes     |
//! | 17   | ZSET_LISTPACK      | listpack of member, score pairs, ascending     | yes     |
//! | 18   | LIST_QUICKLIST_2   | length, (container: 1 plain / 2 packed, string) | yes    |
//! | 19, 21 | STREAM_LISTPACKS_2/3 | (not supported)                            |         |
//! | 20   | SET_LISTPACK       | listpack of members (Redis 7.2, RDB 11)        |         |
//!
//! \* a 1-byte length and that much text, or 253 / 254 / 255 for
//! NaN / +inf / -inf. The compact blobs are described in [`encodings`].
//!
//! The writer uses exactly the encodings Redis 7.0 writes for a value in
//! the same encoding, so `redis-check-rdb` accepts our files, Redis loads
//! them, and DUMP payloads are byte-identical where Redis's are
//! deterministic. The loader accepts every type Redis 7.0 loads and picks
//! encodings by [`Limits`] like `rdbLoadObject`.
//!
//! # DUMP payload
//!
//! `type byte + value body + RDB version (u16 LE) + CRC64 of all that (u64 LE)`.

mod check;
mod functions;
pub(crate) mod encodings;
mod load;
pub(crate) mod lzf;
mod write;

#[cfg(test)]
mod tests;

use std::fmt;

pub use check::{check, CheckReport};
pub use functions::{function_payload, parse_function_payload, FunctionPayloadError};
pub use load::{load, parse_payload};
pub use write::{dump_payload, write_value, WriteOptions, Writer};

/// The RDB version written (Redis 7.0).
pub const RDB_VERSION: u16 = 10;
/// The newest version loaded (Redis 7.2's, for its set listpacks).
pub const MAX_LOAD_VERSION: u16 = 11;

pub(crate) const OPCODE_FUNCTION_PRE_GA: u8 = 0xF6;
pub(crate) const OPCODE_FUNCTION2: u8 = 0xF5;
pub(crate) const OPCODE_MODULE_AUX: u8 = 0xF7;
pub(crate) const OPCODE_IDLE: u8 = 0xF8;
pub(crate) const OPCODE_FREQ: u8 = 0xF9;
pub(crate) const OPCODE_AUX: u8 = 0xFA;
pub(crate) const OPCODE_RESIZEDB: u8 = 0xFB;
pub(crate) const OPCODE_EXPIRETIME_MS: u8 = 0xFC;
pub(crate) const OPCODE_EXPIRETIME: u8 = 0xFD;
pub(crate) const OPCODE_SELECTDB: u8 = 0xFE;
pub(crate) const OPCODE_EOF: u8 = 0xFF;

pub(crate) const TYPE_STRING: u8 = 0;
pub(crate) const TYPE_LIST: u8 = 1;
pub(crate) const TYPE_SET: u8 = 2;
pub(crate) const TYPE_ZSET: u8 = 3;
pub(crate) const TYPE_HASH: u8 = 4;
pub(crate) const TYPE_ZSET_2: u8 = 5;
pub(crate) const TYPE_MODULE_PRE_GA: u8 = 6;
pub(crate) const TYPE_MODULE_2: u8 = 7;
pub(crate) const TYPE_HASH_ZIPMAP: u8 = 9;
pub(crate) const TYPE_LIST_ZIPLIST: u8 = 10;
pub(crate) const TYPE_SET_INTSET: u8 = 11;
pub(crate) const TYPE_ZSET_ZIPLIST: u8 = 12;
pub(crate) const TYPE_HASH_ZIPLIST: u8 = 13;
pub(crate) const TYPE_LIST_QUICKLIST: u8 = 14;
pub(crate) const TYPE_STREAM_LISTPACKS: u8 = 15;
pub(crate) const TYPE_HASH_LISTPACK: u8 = 16;
pub(crate) const TYPE_ZSET_LISTPACK: u8 = 17;
pub(crate) const TYPE_LIST_QUICKLIST_2: u8 = 18;
pub(crate) const TYPE_STREAM_LISTPACKS_2: u8 = 19;
pub(crate) const TYPE_SET_LISTPACK: u8 = 20;
pub(crate) const TYPE_STREAM_LISTPACKS_3: u8 = 21;

pub(crate) const LEN_32BIT: u8 = 0x80;
pub(crate) const LEN_64BIT: u8 = 0x81;
pub(crate) const ENC_INT8: u8 = 0;
pub(crate) const ENC_INT16: u8 = 1;
pub(crate) const ENC_INT32: u8 = 2;
pub(crate) const ENC_LZF: u8 = 3;

pub(crate) const QUICKLIST_NODE_PLAIN: u64 = 1;
pub(crate) const QUICKLIST_NODE_PACKED: u64 = 2;

/// Redis's CRC64 (Jones polynomial, reflected, init 0).
pub(crate) static CRC64: crc::Crc<u64, crc::Table<16>> = crc::Crc::<u64, crc::Table<16>>::new(&crc::CRC_64_REDIS);

/// The name `redis-check-rdb` gives a value type.
pub(crate) fn type_name(t: u8) -> &'static str {
    match t {
        TYPE_STRING => "string",
        TYPE_LIST => "list-linked",
        TYPE_SET => "set-hashtable",
        TYPE_ZSET => "zset-v1",
        TYPE_HASH => "hash-hashtable",
        TYPE_ZSET_2 => "zset-v2",
        TYPE_MODULE_PRE_GA => "module-pre-release",
        TYPE_MODULE_2 => "module-value",
        TYPE_HASH_ZIPMAP => "hash-zipmap",
        TYPE_LIST_ZIPLIST => "list-ziplist",
        TYPE_SET_INTSET => "set-intset",
        TYPE_ZSET_ZIPLIST => "zset-ziplist",
        TYPE_HASH_ZIPLIST => "hash-ziplist",
        TYPE_LIST_QUICKLIST => "quicklist",
        TYPE_STREAM_LISTPACKS => "stream",
        TYPE_HASH_LISTPACK => "hash-listpack",
        TYPE_ZSET_LISTPACK => "zset-listpack",
        TYPE_LIST_QUICKLIST_2 => "quicklist-v2",
        TYPE_STREAM_LISTPACKS_2 => "stream-v2",
        TYPE_SET_LISTPACK => "set-listpack",
        TYPE_STREAM_LISTPACKS_3 => "stream-v3",
        _ => "unknown",
    }
}

/// The encoding thresholds the loader converts by (the server's
/// configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `list-max-listpack-size` (the fill of loaded lists).
    pub list_max_listpack_size: i64,
    /// `hash-max-listpack-entries` / `-value`.
    pub hash: hematite_store::hash::Limits,
    /// `set-max-intset-entries`.
    pub set_max_intset_entries: usize,
    /// `zset-max-listpack-entries` / `-value`.
    pub zset: hematite_store::zset::Limits,
}

impl Default for Limits {
    /// Redis's defaults.
    fn default() -> Self {
        Limits {
            list_max_listpack_size: -2,
            hash: Default::default(),
            set_max_intset_entries: 512,
            zset: Default::default(),
        }
    }
}

/// Per-key metadata that precedes a key in the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyMeta {
    /// Absolute expiry, Unix milliseconds.
    pub expire_ms: Option<i64>,
    /// LRU idle time in seconds (`IDLE` opcode).
    pub idle_secs: Option<u64>,
    /// LFU counter (`FREQ` opcode).
    pub freq: Option<u8>,
}

/// Receives what the loader reads, in file order. An `Err` aborts the
/// load with that message.
pub trait Sink {
    /// An AUX field.
    fn aux(&mut self, _key: &[u8], _value: &[u8]) -> Result<(), String> {
        Ok(())
    }
    /// Following keys go to database `db`.
    fn select_db(&mut self, db: usize) -> Result<(), String>;
    /// Size hints for the current database.
    fn resize_db(&mut self, _db_size: u64, _expires_size: u64) {}
    /// A key and its value.
    fn key(&mut self, key: Vec<u8>, value: hematite_store::Value, meta: KeyMeta) -> Result<(), String>;
    /// A function library's code.
    fn function(&mut self, code: Vec<u8>) -> Result<(), String>;
    /// Called about every megabyte with the bytes read so far.
    fn progress(&mut self, _bytes_read: u64) {}
}

/// What the loader's checksum check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    /// The stored CRC64 matches.
    Verified,
    /// The stored CRC64 is zero: the file was written without one.
    Disabled,
    /// RDB versions before 5 have no checksum.
    Absent,
}

/// The outcome of a successful [`load`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadSummary {
    /// The file's RDB version.
    pub rdb_version: u16,
    /// Keys handed to the sink.
    pub keys: u64,
    /// Of those, keys with an expiry.
    pub expires: u64,
    /// Empty containers skipped, as Redis skips them (with a warning).
    pub empty_keys_skipped: u64,
    /// Function libraries handed to the sink.
    pub functions: u64,
    /// Bytes of the RDB (header to checksum).
    pub bytes_read: u64,
    /// The checksum check.
    pub checksum: Checksum,
}

/// What is wrong with an RDB file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// Reading failed.
    Io(String),
    /// The file does not start with `REDIS`.
    BadMagic,
    /// An RDB version this loader does not handle.
    UnsupportedVersion(u32),
    /// The input ended inside the RDB.
    Truncated,
    /// A byte that is neither an opcode nor a known value type.
    UnknownType(u8),
    /// A type or opcode this server does not support (modules, streams).
    Unsupported(&'static str),
    /// An unknown special string encoding.
    BadStringEncoding(u8),
    /// An LZF-compressed string that does not decompress.
    BadLzf,
    /// A structural error, described.
    Corrupt(String),
    /// The stored checksum differs from the computed one.
    Checksum {
        /// Computed over the file.
        expected: u64,
        /// Stored in the file.
        got: u64,
    },
    /// The sink refused what was read.
    Sink(String),
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Io(e) => write!(f, "I/O error: {e}"),
            ErrorKind::BadMagic => write!(f, "wrong signature (not an RDB file)"),
            ErrorKind::UnsupportedVersion(v) => write!(f, "can't handle RDB format version {v}"),
            ErrorKind::Truncated => write!(f, "unexpected EOF reading RDB file"),
            ErrorKind::UnknownType(t) => write!(f, "unknown RDB type or opcode {t}"),
            ErrorKind::Unsupported(what) => write!(f, "{what} are not supported"),
            ErrorKind::BadStringEncoding(e) => write!(f, "unknown RDB string encoding type {e}"),
            ErrorKind::BadLzf => write!(f, "invalid LZF compressed string"),
            ErrorKind::Corrupt(m) => f.write_str(m),
            ErrorKind::Checksum { expected, got } => {
                write!(f, "wrong RDB checksum: expected {expected:016x}, got {got:016x}")
            }
            ErrorKind::Sink(m) => f.write_str(m),
        }
    }
}

/// An error loading an RDB file: what and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdbError {
    /// Byte offset in the RDB where the problem was found.
    pub offset: u64,
    /// What is wrong.
    pub kind: ErrorKind,
    /// The key being read, if any.
    pub key: Option<Vec<u8>>,
    /// The value type being read, if any.
    pub value_type: Option<u8>,
}

impl fmt::Display for RdbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at offset {}", self.kind, self.offset)?;
        if let Some(k) = &self.key {
            write!(f, " (reading key '{}'", String::from_utf8_lossy(k))?;
            if let Some(t) = self.value_type {
                write!(f, ", type {t} ({})", type_name(t))?;
            }
            write!(f, ")")?;
        }
        Ok(())
    }
}

impl std::error::Error for RdbError {}

/// Why a DUMP payload was refused (RESTORE's two errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadError {
    /// Too short, a newer RDB version, or a CRC mismatch
    /// (`ERR DUMP payload version or checksum are wrong`).
    BadFooter,
    /// The value does not parse (`ERR Bad data format`).
    Corrupt(String),
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PayloadError::BadFooter => f.write_str("DUMP payload version or checksum are wrong"),
            PayloadError::Corrupt(m) => write!(f, "Bad data format ({m})"),
        }
    }
}

impl std::error::Error for PayloadError {}
