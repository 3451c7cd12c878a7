//! The string type and its three encodings.
//!
//! Redis stores a string in one of three encodings and `OBJECT ENCODING`
//! shows which, so hematite keeps the same distinction:
//!
//! - `int`: the value is the canonical decimal text of an `i64` (at most 20
//!   bytes, no leading zeros or `+`), stored as the number itself. `INCR`
//!   works on it without parsing and it takes no heap memory.
//! - `embstr`: a string of at most 44 bytes created whole (by `SET`,
//!   `INCRBYFLOAT`, ...). Redis allocates these together with the object
//!   header; hematite stores them in an exactly sized boxed slice.
//! - `raw`: any longer string, and any string that was modified in place
//!   (`APPEND`, `SETRANGE`), which Redis converts to a growable buffer. The
//!   growable `Vec` keeps repeated appends amortised O(1).
//!
//! The choice follows Redis's `tryObjectEncoding` for values that commands
//! store as given, and `createStringObject` for values built by the server.

use hematite_common::num;

/// The longest string kept in the `embstr` encoding
/// (`OBJ_ENCODING_EMBSTR_SIZE_LIMIT`).
pub const EMBSTR_SIZE_LIMIT: usize = 44;

/// A string value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Str {
    /// The `int` encoding.
    Int(i64),
    /// The `embstr` encoding.
    Emb(Box<[u8]>),
    /// The `raw` encoding.
    Raw(Vec<u8>),
}

impl Str {
    /// Encodes a value a client asked to store (`SET`, `MSET`, ...), like
    /// Redis's `tryObjectEncoding`: integers become `int`, short strings
    /// `embstr`, long ones `raw`.
    pub fn from_client(bytes: &[u8]) -> Str {
        if bytes.len() <= 20 {
            if let Some(n) = num::parse_i64(bytes) {
                return Str::Int(n);
            }
        }
        Str::new_plain(bytes)
    }

    /// Encodes a string built by the server without trying the integer
    /// encoding (Redis's `createStringObject`): `embstr` up to 44 bytes,
    /// `raw` beyond.
    pub fn new_plain(bytes: &[u8]) -> Str {
        if bytes.len() <= EMBSTR_SIZE_LIMIT {
            Str::Emb(bytes.into())
        } else {
            Str::Raw(bytes.to_vec())
        }
    }

    /// The `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Str::Int(_) => "int",
            Str::Emb(_) => "embstr",
            Str::Raw(_) => "raw",
        }
    }

    /// Length in bytes of the string's text.
    pub fn len(&self) -> usize {
        match self {
            Str::Int(n) => itoa::Buffer::new().format(*n).len(),
            Str::Emb(b) => b.len(),
            Str::Raw(v) => v.len(),
        }
    }

    /// True for the empty string.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `f` with the string's bytes (integers are formatted on a stack
    /// buffer, so this never allocates).
    #[inline]
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Str::Int(n) => {
                let mut b = itoa::Buffer::new();
                f(b.format(*n).as_bytes())
            }
            Str::Emb(b) => f(b),
            Str::Raw(v) => f(v),
        }
    }

    /// The string's bytes as an owned vector.
    pub fn to_vec(&self) -> Vec<u8> {
        self.with_bytes(|b| b.to_vec())
    }

    /// The value as an integer, if its text is a valid `i64` (what
    /// `INCR` and friends accept).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Str::Int(n) => Some(*n),
            Str::Emb(b) => num::parse_i64(b),
            Str::Raw(v) => num::parse_i64(v),
        }
    }

    /// Converts to the growable `raw` encoding in place and returns the
    /// buffer, for in-place modification (`APPEND`, `SETRANGE`).
    pub fn make_raw(&mut self) -> &mut Vec<u8> {
        if !matches!(self, Str::Raw(_)) {
            let v = self.to_vec();
            *self = Str::Raw(v);
        }
        match self {
            Str::Raw(v) => v,
            _ => unreachable!("just converted to raw"),
        }
    }

    /// Heap bytes held (0 for `int`).
    pub fn heap_size(&self) -> usize {
        match self {
            Str::Int(_) => 0,
            Str::Emb(b) => b.len(),
            Str::Raw(v) => v.capacity(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(Str::from_client(b"123").encoding(), "int");
        assert_eq!(Str::from_client(b"0123").encoding(), "embstr");
        assert_eq!(Str::from_client(b"-9223372036854775808").encoding(), "int");
        assert_eq!(Str::from_client(&[b'a'; 44]).encoding(), "embstr");
        assert_eq!(Str::from_client(&[b'a'; 45]).encoding(), "raw");
        assert_eq!(Str::new_plain(b"1").encoding(), "embstr");
        let mut s = Str::from_client(b"12");
        s.make_raw().extend_from_slice(b"3");
        assert_eq!(s.encoding(), "raw");
        assert_eq!(s.as_i64(), Some(123));
        assert_eq!(s.len(), 3);
    }
}
