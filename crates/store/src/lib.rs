//! The keyspace: hematite's databases, values and their encodings.
//!
//! - [`dict`]: the incrementally rehashed hash table every database and
//!   every hashtable-encoded value is built on, with Redis's SCAN guarantee.
//! - [`object`]: what a key maps to (a [`object::Value`] plus access
//!   metadata for eviction).
//! - [`string`]: the string type and its `int` / `embstr` / `raw` encodings.
//! - [`list`], [`hash`], [`set`], [`zset`]: the container types, each
//!   with its compact and large encodings behind one API.
//! - [`db`]: numbered databases, lazy and active expiry.
//!
//! This crate knows nothing about the network or the protocol; the server
//! crate calls it with the lock that makes every command atomic held.

pub mod db;
pub mod dict;
pub mod hash;
pub mod key;
pub mod list;
pub mod object;
pub mod set;
pub mod string;
pub mod zset;

pub use db::{Db, Key, Keyspace};
pub use object::{Kind, Object, Value};
pub use list::{Elem, End, List, Needle};
pub use hash::Hash;
pub use set::Set;
pub use string::Str;
pub use zset::ZSet;
