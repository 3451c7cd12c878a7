//! Fuzzes the client request decoder (`hematite_resp::Parser`).
//!
//! Input layout: the first byte is a control byte, the rest is the byte
//! stream a client would send.
//!   - bit 0 of the control byte: `Limits::auth_required` (the client has not
//!     authenticated, so multibulk counts > 10 and bulks > 16 KiB are refused);
//!   - bits 1..7: where to cut the stream in two, as a fraction of its length
//!     (0 = before the first byte, 127 = after the last).
//!
//! Checked properties:
//!   1. the decoder never panics, loops forever or over-consumes;
//!   2. every decoded request is non-empty;
//!   3. decoding the stream in one piece, in two pieces (cut at the
//!      data-derived point) and, for short inputs, one byte at a time gives
//!      the same requests, the same error, the same number of consumed bytes
//!      and the same parser state.
//!
//! Inputs longer than `INLINE_MAX_SIZE` are decoded one-shot only: the
//! "too big inline request / count string" errors depend, as in Redis, on how
//! much of a header line has been received when the parser looks at it, so
//! chunked decoding legitimately differs there.
#![no_main]

use bytes::{Bytes, BytesMut};
use hematite_resp::request::INLINE_MAX_SIZE;
use hematite_resp::{Limits, Parser, ProtocolError};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    requests: Vec<Vec<Bytes>>,
    error: Option<ProtocolError>,
    /// Bytes of the stream consumed when decoding stopped (after an error
    /// the connection is closed, so later chunks don't matter).
    consumed: usize,
    in_progress: bool,
    pending_bulk: Option<usize>,
}

/// Feeds `chunks` one after the other, decoding all complete requests after
/// each; stops at the first error (the connection would be closed).
fn decode(chunks: &[&[u8]], limits: &Limits) -> Outcome {
    let mut parser = Parser::new();
    let mut buf = BytesMut::new();
    let mut requests = Vec::new();
    let mut fed = 0;
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        fed += chunk.len();
        loop {
            let before = buf.len();
            match parser.parse(&mut buf, limits) {
                Ok(Some(argv)) => {
                    assert!(!argv.is_empty(), "decoder returned an empty request");
                    assert!(buf.len() < before, "request decoded without consuming input");
                    requests.push(argv);
                }
                Ok(None) => break,
                Err(error) => {
                    return Outcome {
                        requests,
                        error: Some(error),
                        consumed: fed - buf.len(),
                        in_progress: parser.in_progress(),
                        pending_bulk: parser.pending_bulk(),
                    };
                }
            }
        }
    }
    Outcome {
        requests,
        error: None,
        consumed: fed - buf.len(),
        in_progress: parser.in_progress(),
        pending_bulk: parser.pending_bulk(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, stream)) = data.split_first() else {
        return;
    };
    let limits = Limits { max_bulk_len: 512 * 1024 * 1024, auth_required: control & 1 == 1 };

    let whole = decode(&[stream], &limits);

    // Total bytes of the decoded requests' arguments can't exceed the input.
    let arg_bytes: usize = whole.requests.iter().flatten().map(|a| a.len()).sum();
    assert!(arg_bytes <= stream.len());

    if stream.len() > INLINE_MAX_SIZE {
        return;
    }

    let cut = stream.len() * usize::from(control >> 1) / 127;
    let (a, b) = stream.split_at(cut);
    let split = decode(&[a, b], &limits);
    assert_eq!(whole, split, "one-shot and two-chunk decoding differ (cut at {cut})");

    if stream.len() <= 512 {
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        let trickle = decode(&bytes, &limits);
        assert_eq!(whole, trickle, "one-shot and byte-at-a-time decoding differ");
    }
});
