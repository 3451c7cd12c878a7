//! Decoding client requests.
//!
//! A client sends either a *multibulk* request (`*<n>\r\n` followed by `n`
//! bulk strings `$<len>\r\n<bytes>\r\n`) or an *inline* request: one line of
//! text split like a shell command line (`incr ping\r\n`), which is what
//! `redis-cli --raw incr ping` and telnet users produce. The first byte
//! decides: `*` means multibulk, anything else means inline.
//!
//! Decoding is incremental, as in Redis's `processMultibulkBuffer`: the parser
//! consumes from the front of the connection's read buffer only what it could
//! decode, and remembers how far it got inside a multibulk request (how many
//! arguments remain, and the length of the bulk being waited for) so a large
//! request arriving in many reads is not re-scanned from the start each time.
//! Arguments are split off the buffer with [`BytesMut::split_to`], so a value
//! is never copied between the socket and the keyspace.
//!
//! Errors carry Redis's exact wording; the connection layer replies with
//! `-ERR Protocol error: ...` and closes the connection after the reply.
//! Like Redis, the two bytes after a bulk payload are skipped without being
//! checked, and an empty multibulk (`*0` or a negative count) is ignored.

use bytes::{Buf, Bytes, BytesMut};
use std::fmt;

/// The longest inline request, or the longest `*<n>` / `$<len>` header line,
/// Redis accepts before giving up on finding its end (`PROTO_INLINE_MAX_SIZE`).
pub const INLINE_MAX_SIZE: usize = 64 * 1024;

/// Limits that depend on the server configuration and the client's state.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// `proto-max-bulk-len`: the largest bulk argument accepted.
    pub max_bulk_len: u64,
    /// True while the client still has to authenticate. Redis then refuses
    /// multibulk counts above 10 and bulks above 16 KiB, so an
    /// unauthenticated peer cannot make the server allocate much memory.
    pub auth_required: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_bulk_len: 512 * 1024 * 1024, auth_required: false }
    }
}

/// A malformed request. The connection must be closed after replying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// An inline request longer than [`INLINE_MAX_SIZE`] without a newline.
    TooBigInlineRequest,
    /// An inline request with an unterminated or badly closed quote.
    UnbalancedQuotes,
    /// A `*<n>` line longer than [`INLINE_MAX_SIZE`].
    TooBigMbulkCountString,
    /// A `*<n>` count that is not a number or exceeds `i32::MAX`.
    InvalidMultibulkLength,
    /// A count above 10 from a client that has not authenticated.
    UnauthenticatedMultibulkLength,
    /// A `$<len>` line longer than [`INLINE_MAX_SIZE`].
    TooBigBulkCountString,
    /// Something other than `$` where a bulk header was expected.
    ExpectedDollar(u8),
    /// A bulk length that is not a number, negative, or above the limit.
    InvalidBulkLength,
    /// A bulk above 16 KiB from a client that has not authenticated.
    UnauthenticatedBulkLength,
}

impl fmt::Display for ProtocolError {
    /// The text after `-ERR `, exactly as Redis words it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::TooBigInlineRequest => f.write_str("Protocol error: too big inline request"),
            ProtocolError::UnbalancedQuotes => f.write_str("Protocol error: unbalanced quotes in request"),
            ProtocolError::TooBigMbulkCountString => f.write_str("Protocol error: too big mbulk count string"),
            ProtocolError::InvalidMultibulkLength => f.write_str("Protocol error: invalid multibulk length"),
            ProtocolError::UnauthenticatedMultibulkLength => {
                f.write_str("Protocol error: unauthenticated multibulk length")
            }
            ProtocolError::TooBigBulkCountString => f.write_str("Protocol error: too big bulk count string"),
            ProtocolError::ExpectedDollar(c) => write!(f, "Protocol error: expected '$', got '{}'", *c as char),
            ProtocolError::InvalidBulkLength => f.write_str("Protocol error: invalid bulk length"),
            ProtocolError::UnauthenticatedBulkLength => f.write_str("Protocol error: unauthenticated bulk length"),
        }
    }
}

impl std::error::Error for ProtocolError {}

/// Incremental request decoder; one per connection.
#[derive(Debug, Default)]
pub struct Parser {
    /// Arguments still expected in the current multibulk request (0 = none
    /// in progress).
    remaining: usize,
    /// Length of the bulk whose header was read, or `None` when the next
    /// thing to read is a `$<len>` header.
    bulk_len: Option<usize>,
    /// Arguments decoded so far for the request in progress.
    argv: Vec<Bytes>,
    /// Total bytes of `argv`, counted against the query buffer limit.
    argv_bytes: usize,
}

impl Parser {
    /// A parser at the start of a request.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when a multibulk request has been partly read.
    pub fn in_progress(&self) -> bool {
        self.remaining > 0
    }

    /// Bytes held by the arguments of the request in progress. A peer that
    /// sends a huge multibulk one bulk at a time must be stopped by the
    /// query buffer limit even though each bulk leaves the read buffer.
    pub fn pending_bytes(&self) -> usize {
        self.argv_bytes
    }

    /// The length of the bulk currently awaited, when known; the connection
    /// uses it to size its next read for big arguments.
    pub fn pending_bulk(&self) -> Option<usize> {
        self.bulk_len
    }

    /// Decodes the next complete request at the front of `buf`.
    ///
    /// Returns `Ok(Some(argv))` for a request (never empty), `Ok(None)` when
    /// more bytes are needed, and an error for malformed input. Consumed bytes
    /// are removed from `buf`; on `Ok(None)` partial progress is kept inside
    /// the parser.
    pub fn parse(&mut self, buf: &mut BytesMut, limits: &Limits) -> Result<Option<Vec<Bytes>>, ProtocolError> {
        loop {
            if self.remaining == 0 {
                if buf.is_empty() {
                    return Ok(None);
                }
                if buf[0] != b'*' {
                    match parse_inline(buf)? {
                        None => return Ok(None),
                        Some(argv) if argv.is_empty() => continue,
                        Some(argv) => return Ok(Some(argv)),
                    }
                }
                // A multibulk header: "*<count>\r\n".
                let Some(cr) = memchr(b'\r', buf) else {
                    if buf.len() > INLINE_MAX_SIZE {
                        return Err(ProtocolError::TooBigMbulkCountString);
                    }
                    return Ok(None);
                };
                if cr + 1 >= buf.len() {
                    return Ok(None);
                }
                let count = hematite_common::num::parse_i64(&buf[1..cr]);
                let count = match count {
                    Some(n) if n <= i32::MAX as i64 => n,
                    _ => return Err(ProtocolError::InvalidMultibulkLength),
                };
                if count > 10 && limits.auth_required {
                    return Err(ProtocolError::UnauthenticatedMultibulkLength);
                }
                buf.advance(cr + 2);
                if count <= 0 {
                    continue;
                }
                self.remaining = count as usize;
                // Don't trust the count for the allocation size: a peer can
                // announce a billion arguments and send none.
                self.argv = Vec::with_capacity(self.remaining.min(1024));
            }

            while self.remaining > 0 {
                let len = match self.bulk_len {
                    Some(len) => len,
                    None => {
                        let Some(cr) = memchr(b'\r', buf) else {
                            if buf.len() > INLINE_MAX_SIZE {
                                return Err(ProtocolError::TooBigBulkCountString);
                            }
                            return Ok(None);
                        };
                        if cr + 1 >= buf.len() {
                            return Ok(None);
                        }
                        if buf[0] != b'$' {
                            return Err(ProtocolError::ExpectedDollar(buf[0]));
                        }
                        let len = match hematite_common::num::parse_i64(&buf[1..cr]) {
                            Some(n) if n >= 0 && (n as u64) <= limits.max_bulk_len => n as usize,
                            _ => return Err(ProtocolError::InvalidBulkLength),
                        };
                        if len > 16384 && limits.auth_required {
                            return Err(ProtocolError::UnauthenticatedBulkLength);
                        }
                        buf.advance(cr + 2);
                        self.bulk_len = Some(len);
                        len
                    }
                };
                if buf.len() < len + 2 {
                    // Make sure the buffer can take the whole argument in as
                    // few reads as possible.
                    if len >= 32 * 1024 {
                        buf.reserve(len + 2 - buf.len());
                    }
                    return Ok(None);
                }
                let arg = buf.split_to(len).freeze();
                buf.advance(2);
                self.argv_bytes += arg.len();
                self.argv.push(arg);
                self.bulk_len = None;
                self.remaining -= 1;
            }
            self.argv_bytes = 0;
            return Ok(Some(std::mem::take(&mut self.argv)));
        }
    }
}

/// Decodes one inline request line; `Ok(None)` when the line is incomplete.
fn parse_inline(buf: &mut BytesMut) -> Result<Option<Vec<Bytes>>, ProtocolError> {
    let Some(nl) = memchr(b'\n', buf) else {
        if buf.len() > INLINE_MAX_SIZE {
            return Err(ProtocolError::TooBigInlineRequest);
        }
        return Ok(None);
    };
    let end = if nl > 0 && buf[nl - 1] == b'\r' { nl - 1 } else { nl };
    let parts = hematite_common::args::split_args(&buf[..end]).ok_or(ProtocolError::UnbalancedQuotes)?;
    buf.advance(nl + 1);
    Ok(Some(parts.into_iter().map(Bytes::from).collect()))
}

#[inline]
fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(input: &[u8]) -> (Vec<Vec<Bytes>>, Option<ProtocolError>, usize) {
        let mut p = Parser::new();
        let mut buf = BytesMut::from(input);
        let mut out = Vec::new();
        loop {
            match p.parse(&mut buf, &Limits::default()) {
                Ok(Some(argv)) => out.push(argv),
                Ok(None) => return (out, None, buf.len()),
                Err(e) => return (out, Some(e), buf.len()),
            }
        }
    }

    #[test]
    fn multibulk_and_inline() {
        let (reqs, err, rest) = parse_all(b"*2\r\n$3\r\nGET\r\n$1\r\na\r\nPING\r\nset a \"b c\"\n\r\n");
        assert!(err.is_none());
        assert_eq!(rest, 0);
        assert_eq!(reqs.len(), 3);
        assert_eq!(reqs[0], vec![Bytes::from("GET"), Bytes::from("a")]);
        assert_eq!(reqs[1], vec![Bytes::from("PING")]);
        assert_eq!(reqs[2], vec![Bytes::from("set"), Bytes::from("a"), Bytes::from("b c")]);
    }

    #[test]
    fn incremental_byte_by_byte() {
        let input = b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";
        let mut p = Parser::new();
        let mut buf = BytesMut::new();
        let mut got = None;
        for &b in input.iter() {
            buf.extend_from_slice(&[b]);
            if let Some(argv) = p.parse(&mut buf, &Limits::default()).unwrap() {
                got = Some(argv);
            }
        }
        assert_eq!(got.unwrap().len(), 3);
        assert!(buf.is_empty());
    }

    #[test]
    fn errors() {
        assert_eq!(parse_all(b"*abc\r\n").1, Some(ProtocolError::InvalidMultibulkLength));
        assert_eq!(parse_all(b"*1\r\n!foo\r\n").1, Some(ProtocolError::ExpectedDollar(b'!')));
        assert_eq!(parse_all(b"*1\r\n$-5\r\n").1, Some(ProtocolError::InvalidBulkLength));
        assert_eq!(parse_all(b"*1\r\n$4294967296\r\n").1, Some(ProtocolError::InvalidBulkLength));
        assert_eq!(parse_all(b"set \"a b\r\n").1, Some(ProtocolError::UnbalancedQuotes));
        assert_eq!(parse_all(&vec![b'a'; INLINE_MAX_SIZE + 1]).1, Some(ProtocolError::TooBigInlineRequest));
        let (reqs, err, _) = parse_all(b"*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n");
        assert!(err.is_none());
        assert_eq!(reqs.len(), 1);
    }

    #[test]
    fn unauthenticated_limits() {
        let limits = Limits { auth_required: true, ..Limits::default() };
        let mut p = Parser::new();
        let mut buf = BytesMut::from(&b"*11\r\n"[..]);
        assert_eq!(p.parse(&mut buf, &limits), Err(ProtocolError::UnauthenticatedMultibulkLength));
        let mut p = Parser::new();
        let mut buf = BytesMut::from(&b"*1\r\n$16385\r\n"[..]);
        assert_eq!(p.parse(&mut buf, &limits), Err(ProtocolError::UnauthenticatedBulkLength));
    }
}
