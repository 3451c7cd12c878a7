//! Encoding replies in RESP2 or RESP3.
//!
//! Command code never writes protocol bytes itself: it calls the methods of
//! [`ReplyBuf`], which knows which protocol the client negotiated with
//! `HELLO` and picks the encoding. RESP3 adds types RESP2 lacks; each falls
//! back to what Redis sends a RESP2 client:
//!
//! | RESP3            | RESP2 fallback                         |
//! |------------------|----------------------------------------|
//! | `_` null         | `$-1` (or `*-1` for a null array)      |
//! | `%` map          | flat array of 2n elements              |
//! | `~` set          | array                                  |
//! | `,` double       | bulk string with the same text         |
//! | `#` boolean      | integer 1 / 0                          |
//! | `=` verbatim     | bulk string without the `txt:` prefix  |
//! | `>` push         | array                                  |
//!
//! Aggregates whose length is only known at the end (SCAN, KEYS) reserve a
//! header with [`ReplyBuf::deferred_array`] and patch it with
//! [`ReplyBuf::finish_deferred`], as Redis's `addReplyDeferredLen` does.

use bytes::{BufMut, BytesMut};

/// The protocol a client speaks, chosen with `HELLO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// RESP2, the default for new connections.
    #[default]
    Resp2,
    /// RESP3.
    Resp3,
}

/// A placeholder for an aggregate header whose length is not known yet.
#[derive(Debug)]
pub struct Deferred {
    pos: usize,
    kind: u8,
}

/// Width reserved for a deferred header: the type byte, up to 20 digits and
/// CRLF. Unused digits are removed by shifting the tail when the length is
/// known, which is cheap since deferred replies are rare and small relative
/// to the data behind them.
const DEFERRED_WIDTH: usize = 1 + 20 + 2;

/// An output buffer that encodes replies for one client.
#[derive(Debug, Default)]
pub struct ReplyBuf {
    /// The encoded bytes waiting to be written to the socket.
    pub buf: BytesMut,
    /// The protocol replies are encoded in.
    pub proto: Protocol,
}

macro_rules! put_len_line {
    ($buf:expr, $prefix:expr, $n:expr) => {{
        let mut ib = itoa::Buffer::new();
        let s = ib.format($n);
        $buf.reserve(s.len() + 3);
        $buf.put_u8($prefix);
        $buf.put_slice(s.as_bytes());
        $buf.put_slice(b"\r\n");
    }};
}

impl ReplyBuf {
    /// An empty RESP2 buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when the client speaks RESP3.
    #[inline]
    pub fn resp3(&self) -> bool {
        self.proto == Protocol::Resp3
    }

    /// Bytes waiting to be written.
    #[inline]
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when nothing waits to be written.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// `+OK`.
    #[inline]
    pub fn ok(&mut self) {
        self.buf.put_slice(b"+OK\r\n");
    }

    /// A status reply, `+<s>`. `s` must not contain CR or LF.
    #[inline]
    pub fn simple(&mut self, s: &[u8]) {
        self.buf.reserve(s.len() + 3);
        self.buf.put_u8(b'+');
        self.buf.put_slice(s);
        self.buf.put_slice(b"\r\n");
    }

    /// An error reply, `-<s>`; `s` includes the code (`ERR ...`). Newlines
    /// inside the text are replaced with spaces, as Redis does, so the reply
    /// stays one line.
    pub fn error(&mut self, s: &[u8]) {
        self.buf.reserve(s.len() + 3);
        self.buf.put_u8(b'-');
        for &b in s {
            self.buf.put_u8(if b == b'\r' || b == b'\n' { b' ' } else { b });
        }
        self.buf.put_slice(b"\r\n");
    }

    /// An integer reply, `:<n>`.
    #[inline]
    pub fn int(&mut self, n: i64) {
        put_len_line!(self.buf, b':', n);
    }

    /// A bulk string reply, `$<len>\r\n<bytes>\r\n`.
    #[inline]
    pub fn bulk(&mut self, s: &[u8]) {
        put_len_line!(self.buf, b'$', s.len());
        self.buf.reserve(s.len() + 2);
        self.buf.put_slice(s);
        self.buf.put_slice(b"\r\n");
    }

    /// An integer sent as a bulk string (how Redis returns numbers stored in
    /// string values).
    #[inline]
    pub fn bulk_int(&mut self, n: i64) {
        let mut ib = itoa::Buffer::new();
        self.bulk(ib.format(n).as_bytes());
    }

    /// The null bulk: `$-1` in RESP2, `_` in RESP3.
    #[inline]
    pub fn null(&mut self) {
        if self.resp3() {
            self.buf.put_slice(b"_\r\n");
        } else {
            self.buf.put_slice(b"$-1\r\n");
        }
    }

    /// The null array: `*-1` in RESP2, `_` in RESP3.
    #[inline]
    pub fn null_array(&mut self) {
        if self.resp3() {
            self.buf.put_slice(b"_\r\n");
        } else {
            self.buf.put_slice(b"*-1\r\n");
        }
    }

    /// An array header for `n` elements that follow.
    #[inline]
    pub fn array(&mut self, n: usize) {
        put_len_line!(self.buf, b'*', n);
    }

    /// A map header for `n` key/value pairs (a 2n array in RESP2).
    #[inline]
    pub fn map(&mut self, n: usize) {
        if self.resp3() {
            put_len_line!(self.buf, b'%', n);
        } else {
            put_len_line!(self.buf, b'*', n * 2);
        }
    }

    /// A set header for `n` elements (an array in RESP2).
    #[inline]
    pub fn set(&mut self, n: usize) {
        if self.resp3() {
            put_len_line!(self.buf, b'~', n);
        } else {
            put_len_line!(self.buf, b'*', n);
        }
    }

    /// A push header for `n` elements (an array in RESP2).
    #[inline]
    pub fn push(&mut self, n: usize) {
        if self.resp3() {
            put_len_line!(self.buf, b'>', n);
        } else {
            put_len_line!(self.buf, b'*', n);
        }
    }

    /// A double: `,<text>` in RESP3, a bulk string in RESP2. The text is
    /// Redis 7.0's `%.17g` rendering (`inf`, `-inf` for infinities).
    pub fn double(&mut self, d: f64) {
        let text = hematite_common::num::format_double(d);
        if self.resp3() {
            self.buf.reserve(text.len() + 3);
            self.buf.put_u8(b',');
            self.buf.put_slice(text.as_bytes());
            self.buf.put_slice(b"\r\n");
        } else {
            self.bulk(text.as_bytes());
        }
    }

    /// A boolean: `#t`/`#f` in RESP3, `:1`/`:0` in RESP2.
    pub fn boolean(&mut self, b: bool) {
        if self.resp3() {
            self.buf.put_slice(if b { b"#t\r\n" } else { b"#f\r\n" });
        } else {
            self.buf.put_slice(if b { b":1\r\n" } else { b":0\r\n" });
        }
    }

    /// A verbatim string with a three-letter format (`txt`, `mkd`): `=` in
    /// RESP3, a plain bulk string in RESP2.
    pub fn verbatim(&mut self, format: &[u8; 3], s: &[u8]) {
        if self.resp3() {
            put_len_line!(self.buf, b'=', s.len() + 4);
            self.buf.put_slice(format);
            self.buf.put_u8(b':');
            self.buf.put_slice(s);
            self.buf.put_slice(b"\r\n");
        } else {
            self.bulk(s);
        }
    }

    /// Appends bytes that are already RESP-encoded.
    pub fn raw(&mut self, s: &[u8]) {
        self.buf.put_slice(s);
    }

    /// Reserves room for an aggregate header (`*` array, `%` map, `~` set)
    /// whose length is given later to [`ReplyBuf::finish_deferred`].
    pub fn deferred(&mut self, kind: u8) -> Deferred {
        let pos = self.buf.len();
        self.buf.put_bytes(b' ', DEFERRED_WIDTH);
        Deferred { pos, kind }
    }

    /// Shortcut for a deferred array.
    pub fn deferred_array(&mut self) -> Deferred {
        self.deferred(b'*')
    }

    /// Writes the real header of a deferred aggregate holding `n` elements
    /// (for maps, `n` pairs).
    pub fn finish_deferred(&mut self, d: Deferred, n: usize) {
        let (kind, n) = match d.kind {
            b'%' if !self.resp3() => (b'*', n * 2),
            b'~' if !self.resp3() => (b'*', n),
            k => (k, n),
        };
        let mut ib = itoa::Buffer::new();
        let digits = ib.format(n).as_bytes();
        let hlen = 1 + digits.len() + 2;
        let start = d.pos + DEFERRED_WIDTH - hlen;
        let hdr = &mut self.buf[start..d.pos + DEFERRED_WIDTH];
        hdr[0] = kind;
        hdr[1..1 + digits.len()].copy_from_slice(digits);
        hdr[hlen - 2..].copy_from_slice(b"\r\n");
        // Remove the unused leading padding by shifting the header bytes
        // left over it, then dropping the gap.
        let gap = DEFERRED_WIDTH - hlen;
        if gap > 0 {
            let tail_len = self.buf.len() - (d.pos + DEFERRED_WIDTH);
            self.buf.copy_within(start.., d.pos);
            self.buf.truncate(d.pos + hlen + tail_len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deferred_patch() {
        let mut r = ReplyBuf::new();
        r.ok();
        let d = r.deferred_array();
        r.bulk(b"a");
        r.bulk(b"bc");
        r.finish_deferred(d, 2);
        assert_eq!(&r.buf[..], b"+OK\r\n*2\r\n$1\r\na\r\n$2\r\nbc\r\n");
        let mut r = ReplyBuf { proto: Protocol::Resp3, ..Default::default() };
        let d = r.deferred(b'%');
        r.finish_deferred(d, 0);
        assert_eq!(&r.buf[..], b"%0\r\n");
        let mut r = ReplyBuf::new();
        let d = r.deferred(b'%');
        r.int(1);
        r.int(2);
        r.finish_deferred(d, 1);
        assert_eq!(&r.buf[..], b"*2\r\n:1\r\n:2\r\n");
    }

    #[test]
    fn fallbacks() {
        let mut r = ReplyBuf::new();
        r.null();
        r.null_array();
        r.boolean(true);
        r.verbatim(b"txt", b"hi");
        assert_eq!(&r.buf[..], b"$-1\r\n*-1\r\n:1\r\n$2\r\nhi\r\n");
        let mut r = ReplyBuf { proto: Protocol::Resp3, ..Default::default() };
        r.null();
        r.boolean(false);
        r.verbatim(b"txt", b"hi");
        assert_eq!(&r.buf[..], b"_\r\n#f\r\n=6\r\ntxt:hi\r\n");
    }
}
