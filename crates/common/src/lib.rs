//! Shared, dependency-light building blocks for hematite, the Redis 7.0
//! compatible server.
//!
//! Everything in this crate reproduces a specific piece of Redis 7.0.15
//! behaviour byte for byte, because clients can observe it:
//!
//! * [`glob`] — the glob matcher behind `KEYS`, `SCAN MATCH`, `PSUBSCRIBE`
//!   and friends (`stringmatchlen()`).
//! * [`args`] — the quote-aware tokenizer used for inline commands and
//!   configuration lines (`sdssplitargs()`).
//! * [`num`] — strict integer and float parsing, `%.17g` double formatting
//!   and the `long double` arithmetic of INCRBYFLOAT / HINCRBYFLOAT.

pub mod args;
pub mod glob;
pub mod num;
