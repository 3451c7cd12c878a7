//! Persistence formats, byte-compatible with Redis 7.0.
//!
//! - [`rdb`]: the RDB snapshot format (version 10), the DUMP/RESTORE
//!   payload (an RDB value with a version and CRC64 footer), and a checker.
//! - [`aof`]: the Redis 7 multi-part append-only file: the manifest, the
//!   base and incremental files, loading with truncated-tail recovery, and a
//!   checker that can repair.
//!
//! This crate knows files and bytes; it does not know sockets, locks or the
//! command table. The server drives it (see `hematite-server`'s
//! `persistence` module).

pub mod aof;
pub mod rdb;
