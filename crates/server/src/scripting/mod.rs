//! Lua scripting and functions (Redis 7.0's EVAL and FUNCTION families).
//!
//! One Lua 5.1 interpreter ([`engine::Engine`]) serves every client. It
//! lives in [`ScriptShared::engine`] and is only used while the state lock
//! is held (lock order: state, then engine), so a script is atomic like any
//! other command: nothing else touches the keyspace while it runs.
//!
//! - [`engine`]: the interpreter, the sandbox (`prelude.lua`), the `redis`
//!   API primitives, the scripts cache and running a script or function.
//! - [`convert`]: Redis replies to Lua values and Lua values to replies, in
//!   RESP2 and RESP3, exactly as Redis converts them.
//! - [`functions`]: FUNCTION libraries.
//! - [`libs`]: the cjson, cmsgpack, bit and struct libraries.
//! - FUNCTION DUMP / RESTORE payloads are `hematite_persist::rdb::function_payload`.
//! - [`busy`]: what other clients get while a script runs too long.
//!
//! A long script holds the lock, so other clients would simply wait. Redis
//! instead answers them `-BUSY` once the script passes
//! `busy-reply-threshold` and lets SCRIPT KILL / FUNCTION KILL stop it. The
//! atomics in [`ScriptShared`] make that possible without the lock: the
//! running script's instruction hook publishes "busy" and polls the kill
//! request, and a connection checks the flag before taking the lock.

pub mod busy;
pub mod convert;
pub mod engine;
pub mod functions;
pub mod libs;

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8};

/// Script state shared by all connections (a field of `state::Shared`).
#[derive(Default)]
pub struct ScriptShared {
    /// A script or function is running (set under the state lock).
    pub running: AtomicBool,
    /// The running script passed `busy-reply-threshold`.
    pub busy: AtomicBool,
    /// The running script was started by EVAL (not FCALL).
    pub is_eval: AtomicBool,
    /// The running script has executed a write command.
    pub wrote: AtomicBool,
    /// Kill request: 0 none, 1 SCRIPT/FUNCTION KILL, 2 SHUTDOWN NOSAVE.
    pub kill: AtomicU8,
    /// The interpreter, created on first use. Never lock it from a
    /// command a script may call (the running script holds it); read the
    /// counters below instead.
    pub engine: parking_lot::Mutex<Option<engine::Engine>>,
    /// Figures for INFO, kept current by the engine: cached EVAL scripts,
    /// FUNCTION libraries and functions, and the interpreter's memory.
    pub stats: EngineStats,
}

/// Engine figures readable without the engine lock (INFO memory:
/// `number_of_cached_scripts`, `number_of_functions`,
/// `number_of_libraries`, `used_memory_lua`).
#[derive(Default)]
pub struct EngineStats {
    /// Scripts in the EVAL cache.
    pub cached_scripts: AtomicU64,
    /// Registered functions.
    pub functions: AtomicU64,
    /// Loaded libraries.
    pub libraries: AtomicU64,
    /// Bytes used by the Lua interpreter.
    pub lua_memory: AtomicU64,
    /// The source of every function library, for snapshots (a FLUSHALL
    /// called by a script saves the RDB while the script holds the
    /// engine).
    pub library_codes: parking_lot::Mutex<Vec<Vec<u8>>>,
}
