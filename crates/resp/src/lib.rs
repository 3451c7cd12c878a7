//! The Redis serialization protocol (RESP2 and RESP3) as hematite speaks it.
//!
//! [`request`] decodes what clients send (multibulk and inline requests),
//! incrementally and without copying arguments; [`reply`] encodes answers in
//! the protocol each client negotiated. Neither knows about commands: the
//! server crate decides what to answer, this crate decides only how the
//! bytes look on the wire.

pub mod reply;
pub mod request;

pub use reply::{Deferred, Protocol, ReplyBuf};
pub use request::{Limits, Parser, ProtocolError};
