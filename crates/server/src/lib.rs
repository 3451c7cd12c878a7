//! The hematite server: networking, the command table and dispatcher, and
//! the commands themselves.
//!
//! How a request flows: [`server`] accepts a connection and spawns
//! [`connection::serve`], which decodes requests with `hematite-resp`, takes
//! the state lock ([`state`]) and hands each request to
//! [`dispatch::dispatch`]. The dispatcher looks the command up in the
//! [`command`] table, runs the checks every command passes, and calls the
//! handler in [`commands`], which works on the `hematite-store` keyspace and
//! writes its reply. Errors are typed ([`error`]) and rendered in one place.
//! docs/ARCHITECTURE.md explains the design and how it will grow.

pub mod alloc;
pub mod clock;
pub mod command;
pub mod commands;
pub mod connection;
pub mod dispatch;
pub mod error;
pub mod evict;
pub mod log;
pub mod persistence;
pub mod scripting;
pub mod server;
pub mod state;

pub use server::run;
