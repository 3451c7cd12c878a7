//! The Lua interpreter: sandbox, `redis` API primitives, scripts cache,
//! and running EVAL scripts, FCALL functions and FUNCTION LOAD code.
//!
//! The sandbox itself (read-only globals, the `redis` table, the error
//! handler) is Lua code in `prelude.lua`; this file provides the
//! primitives it calls. While a script runs, the handler's [`Ctx`] is
//! reachable from the primitives through the interpreter's app data
//! ([`Run`]): `redis.call` builds a sub-context over the same state with a
//! private reply buffer and the script's own session (`in_script`), runs
//! the command through [`crate::dispatch::call`] and converts the reply.

use super::convert;
use super::functions::{self, Library, Registry};
use super::ScriptShared;
use crate::command::{flag, table};
use crate::commands::{Ctx, Session};
use crate::error::CmdError;
use bytes::{Bytes, BytesMut};
use hematite_resp::{Protocol, ReplyBuf};
use mlua::{ChunkMode, Function, HookTriggers, Lua, LuaOptions, MultiValue, StdLib, Table, Value, VmState};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::time::Instant;

/// `redis.REDIS_VERSION` and `REDIS_VERSION_NUM`.
const VERSION: &str = "7.0.15";
const VERSION_NUM: f64 = 0x0007_000f as f64;

/// Script flags from a `#!lua flags=...` shebang.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScriptFlags {
    /// The script had a shebang (not the pre-7.0 compatibility mode).
    pub shebang: bool,
    /// `no-writes`.
    pub no_writes: bool,
    /// `allow-oom`.
    pub allow_oom: bool,
    /// `allow-stale`.
    pub allow_stale: bool,
    /// `no-cluster`.
    pub no_cluster: bool,
    /// `allow-cross-slot-keys`.
    pub allow_cross_slot: bool,
}

/// A cached EVAL script.
pub struct Script {
    /// The source.
    pub body: Bytes,
    /// The compiled chunk, in the Lua registry (a `Function` handle would
    /// hold one of mlua's ~8000 reference slots per cached script).
    func: mlua::RegistryKey,
    /// Its shebang flags.
    pub flags: ScriptFlags,
}

/// The state of the running script, reachable from the primitives.
struct Run {
    /// The handler's context (`*mut Ctx`), valid for the whole run.
    ctx: *mut (),
    /// The script's own session: the caller's database, `in_script`.
    sess: Session,
    /// Protocol of replies given to the script (`redis.setresp`).
    resp: u8,
    /// Write commands are refused (EVAL_RO, FCALL_RO, `no-writes`).
    read_only: bool,
    /// `denyoom` commands may run over `maxmemory` (`allow-oom`).
    allow_oom: bool,
    /// Shared flags (busy, kill).
    shared: *const ScriptShared,
    /// When the script started, and the busy threshold.
    start: Instant,
    threshold_ms: u64,
    /// Script name for logs (sha or function name).
    name: String,
    /// The kill request was acted upon.
    killed: bool,
}

// SAFETY: a Run only exists while the script runs on the thread that
// holds the state lock; the pointers are never used from another thread.
unsafe impl Send for Run {}

struct RunSlot(Option<Run>);

/// Functions registered by the library being loaded, when loading began,
/// and whether the load ran out of time.
struct LoadSlot(Option<Vec<functions::Function>>, Instant, bool);

impl LoadSlot {
    fn timed_out(&self) -> bool {
        self.2
    }
}

/// How long FUNCTION LOAD may run the library code (Redis's limit).
const LOAD_TIMEOUT_MS: u128 = 500;

/// Redis's `rand48` generator behind `math.random`. Redis 7.0 never
/// reseeds it between scripts (only `math.randomseed` does), so the
/// sequence continues from the process-wide initial state.
struct Rand(u64);

/// rand48's state before any seeding (`X2 X1 X0` = 1234 ABCD 330E).
const RAND_INIT: u64 = 0x1234_ABCD_330E;

impl Rand {
    fn seed(&mut self, seed: i32) {
        self.0 = ((seed as u32 as u64) << 16) | 0x330E;
    }

    fn next(&mut self) -> i32 {
        self.0 = (self.0.wrapping_mul(0x5DEE_CE66D).wrapping_add(0xB)) & ((1 << 48) - 1);
        (self.0 >> 17) as i32
    }
}

/// The interpreter and what lives in it.
pub struct Engine {
    lua: Lua,
    env: Table,
    run_eval: Function,
    run_function: Function,
    run_load: Function,
    scripts: HashMap<String, Script>,
    /// FUNCTION libraries.
    pub registry: Registry,
}

fn err_table(lua: &Lua, msg: &str) -> mlua::Result<Value> {
    let t = lua.create_table()?;
    t.raw_set("err", msg)?;
    Ok(Value::Table(t))
}

/// C's `%.17g`, as Redis formats Lua numbers passed to commands.
fn fmt_17g(n: f64) -> String {
    super::libs::fmt_g(n, 17)
}

impl Engine {
    /// Builds the interpreter and the sandbox.
    pub fn new() -> mlua::Result<Engine> {
        // SAFETY: the debug library is needed by the prelude's error
        // handler; the prelude removes it from the globals.
        let lua = unsafe { Lua::unsafe_new_with(StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::DEBUG, LuaOptions::new()) };
        lua.set_app_data(RunSlot(None));
        lua.set_app_data(LoadSlot(None, Instant::now(), false));
        lua.set_app_data(Rand(RAND_INIT));
        let prims = lua.create_table()?;
        prims.set("call", lua.create_function(prim_call)?)?;
        prims.set("acl_check", lua.create_function(prim_acl_check)?)?;
        prims.set(
            "sha1hex",
            lua.create_function(|_, v: Value| {
                let bytes = match &v {
                    Value::String(s) => s.as_bytes().to_vec(),
                    Value::Number(n) => super::libs::lua_number_text(*n).into_bytes(),
                    Value::Integer(n) => super::libs::lua_number_text(*n as f64).into_bytes(),
                    _ => Vec::new(),
                };
                Ok(sha1_hex(&bytes))
            })?,
        )?;
        prims.set(
            "log",
            lua.create_function(|_, (level, msg): (i64, mlua::String)| {
                let msg = String::from_utf8_lossy(&msg.as_bytes()).into_owned();
                match level {
                    0 => tracing::debug!("{msg}"),
                    1 => tracing::debug!("{msg}"),
                    2 => tracing::info!("{msg}"),
                    _ => tracing::warn!("{msg}"),
                }
                Ok(())
            })?,
        )?;
        prims.set(
            "setresp",
            lua.create_function(|lua, r: u8| {
                if let Some(run) = lua.app_data_mut::<RunSlot>().and_then(|mut s| s.0.as_mut().map(|r| r as *mut Run)) {
                    // SAFETY: the Run outlives this call.
                    unsafe { (*run).resp = r };
                }
                Ok(())
            })?,
        )?;
        prims.set(
            "rand",
            lua.create_function(|lua, ()| {
                let mut r = lua.app_data_mut::<Rand>().expect("rand state");
                let v = r.next() % i32::MAX;
                Ok(v as f64 / i32::MAX as f64)
            })?,
        )?;
        prims.set(
            "srand",
            lua.create_function(|lua, s: f64| {
                lua.app_data_mut::<Rand>().expect("rand state").seed(s as i64 as i32);
                Ok(())
            })?,
        )?;
        prims.set(
            "killed",
            lua.create_function(|lua, ()| {
                let killed = lua.app_data_ref::<RunSlot>().is_some_and(|s| s.0.as_ref().is_some_and(|r| r.killed));
                let timed_out = lua.app_data_ref::<LoadSlot>().is_some_and(|s| s.timed_out());
                Ok(if killed {
                    Some("ERR Script killed by user with SCRIPT KILL...")
                } else if timed_out {
                    Some("ERR FUNCTION LOAD timeout")
                } else {
                    None
                })
            })?,
        )?;
        prims.set("register_function", lua.create_function(prim_register_function)?)?;
        prims.set(
            "cwrap",
            lua.create_function(|lua, f: Function| {
                // SAFETY: pushes one C closure over the function argument.
                unsafe { lua.exec_raw::<Function>(f, |state| mlua::ffi::lua_pushcclosure(state, trampoline, 1)) }
            })?,
        )?;
        prims.set("version", VERSION)?;
        prims.set("version_num", VERSION_NUM)?;
        let liberr = lua.create_table()?;
        prims.set("liberr", liberr.clone())?;
        prims.set("libs", super::libs::create(&lua, liberr)?)?;
        let m: Table = lua.load(include_str!("prelude.lua")).set_name("=redis").call(prims)?;
        Ok(Engine {
            env: m.get("env")?,
            run_eval: m.get("run_eval")?,
            run_function: m.get("run_function")?,
            run_load: m.get("run_load")?,
            lua,
            scripts: HashMap::new(),
            registry: Registry::default(),
        })
    }

    /// The engine of the server, created on first use.
    pub fn get(shared: &ScriptShared) -> parking_lot::MappedMutexGuard<'_, Engine> {
        let mut g = shared.engine.lock();
        if g.is_none() {
            *g = Some(Engine::new().expect("the Lua engine starts"));
        }
        parking_lot::MutexGuard::map(g, |e| e.as_mut().expect("engine"))
    }

    /// Whether a script call counts as `denyoom` (Redis's
    /// `evalGetCommandFlags` / `fcallGetCommandFlags`): a script or function
    /// that declared flags is `denyoom` unless it is `allow-oom` or
    /// `no-writes`; a script without a shebang keeps EVAL's own flags.
    pub fn call_denies_oom(shared: &ScriptShared, name: &str, argv: &[bytes::Bytes]) -> bool {
        let declared = |allow_oom: bool, no_writes: bool| !allow_oom && !no_writes;
        match name {
            "eval" | "eval_ro" => match parse_shebang(&argv[1]) {
                Ok((f, _)) => f.shebang && declared(f.allow_oom, f.no_writes),
                Err(_) => false,
            },
            "evalsha" | "evalsha_ro" => {
                let g = shared.engine.lock();
                let sha = String::from_utf8_lossy(&argv[1]).to_ascii_lowercase();
                g.as_ref().and_then(|e| e.scripts.get(&sha)).is_some_and(|s| s.flags.shebang && declared(s.flags.allow_oom, s.flags.no_writes))
            }
            "fcall" | "fcall_ro" => {
                let g = shared.engine.lock();
                let fname = String::from_utf8_lossy(&argv[1]);
                g.as_ref().and_then(|e| e.registry.function(&fname)).is_some_and(|f| {
                    declared(f.flags.iter().any(|x| x == "allow-oom"), f.no_writes())
                })
            }
            _ => false,
        }
    }

    /// Publishes the figures INFO reads (see [`super::EngineStats`]).
    pub fn publish_stats(&self, shared: &ScriptShared) {
        let st = &shared.stats;
        st.cached_scripts.store(self.scripts.len() as u64, Ordering::Relaxed);
        st.functions.store(self.registry.function_count() as u64, Ordering::Relaxed);
        st.libraries.store(self.registry.libraries.len() as u64, Ordering::Relaxed);
        st.lua_memory.store(self.lua.used_memory() as u64, Ordering::Relaxed);
    }

    /// Publishes the libraries' source for snapshots (call after any
    /// change to the function registry).
    pub fn publish_libraries(&self, shared: &ScriptShared) {
        *shared.stats.library_codes.lock() = self.registry.libraries.values().map(|l| l.code.to_vec()).collect();
    }

    /// Compiles an EVAL body (after its shebang) and caches it; returns
    /// the SHA1.
    pub fn load_script(&mut self, body: &Bytes) -> Result<String, CmdError> {
        let sha = sha1_hex(body);
        if self.scripts.contains_key(&sha) {
            return Ok(sha);
        }
        let (flags, skip) = parse_shebang(body)?;
        let func = self
            .lua
            .load(&body[skip..])
            .set_name("@user_script")
            .set_mode(ChunkMode::Text)
            .set_environment(self.env.clone())
            .into_function()
            .map_err(|e| CmdError::err(format!("Error compiling script (new function): {}", lua_error_text(&e))))?;
        let func = self.lua.create_registry_value(func).map_err(lua_fault)?;
        self.scripts.insert(sha.clone(), Script { body: body.clone(), func, flags });
        Ok(sha)
    }

    /// True if a script with this SHA1 is cached.
    pub fn has_script(&self, sha: &str) -> bool {
        self.scripts.contains_key(&sha.to_ascii_lowercase())
    }

    /// Empties the scripts cache.
    pub fn flush_scripts(&mut self) {
        self.scripts.clear();
        self.lua.expire_registry_values();
    }

    /// Runs a cached script for EVAL/EVALSHA(_RO).
    pub fn eval(&mut self, ctx: &mut Ctx, sha: &str, keys: &[Bytes], args: &[Bytes], ro: bool) -> Result<(), CmdError> {
        let Some(script) = self.scripts.get(sha) else {
            return Err(CmdError::coded("NOSCRIPT No matching script. Please use EVAL."));
        };
        let flags = script.flags;
        if flags.shebang && ro && !flags.no_writes {
            return Err(CmdError::err("Can not execute a script with write flag using *_ro command."));
        }
        let func: Function = self.lua.registry_value(&script.func).map_err(lua_fault)?;
        let keys_t = self.lua.create_sequence_from(keys.iter().map(|k| self.lua.create_string(k).expect("string"))).map_err(lua_fault)?;
        let args_t = self.lua.create_sequence_from(args.iter().map(|k| self.lua.create_string(k).expect("string"))).map_err(lua_fault)?;
        if flags.shebang && !flags.allow_oom && !flags.no_writes && !ro {
            check_oom(ctx)?;
        }
        let runner = self.run_eval.clone();
        let allow_oom = flags.allow_oom;
        self.run(ctx, true, sha, ro || flags.no_writes, allow_oom, |_| runner.call::<MultiValue>((func, keys_t, args_t)))
    }

    /// Runs a function for FCALL/FCALL_RO.
    pub fn fcall(&mut self, ctx: &mut Ctx, name: &str, keys: &[Bytes], args: &[Bytes], ro: bool) -> Result<(), CmdError> {
        let Some(f) = self.registry.function(name) else {
            return Err(CmdError::err("Function not found"));
        };
        if ro && !f.no_writes() {
            return Err(CmdError::err("Can not execute a script with write flag using *_ro command."));
        }
        let read_only = ro || f.no_writes();
        let allow_oom = f.flags.iter().any(|f| f == "allow-oom");
        if !allow_oom && !read_only {
            check_oom(ctx)?;
        }
        let func: Function = self.lua.registry_value(&f.callback).map_err(lua_fault)?;
        let keys_t = self.lua.create_sequence_from(keys.iter().map(|k| self.lua.create_string(k).expect("string"))).map_err(lua_fault)?;
        let args_t = self.lua.create_sequence_from(args.iter().map(|k| self.lua.create_string(k).expect("string"))).map_err(lua_fault)?;
        let runner = self.run_function.clone();
        self.run(ctx, false, name, read_only, allow_oom, |_| runner.call::<MultiValue>((func, keys_t, args_t)))
    }

    /// The common part of EVAL and FCALL: run state, busy hook, the call
    /// and the reply.
    fn run(
        &mut self,
        ctx: &mut Ctx,
        is_eval: bool,
        name: &str,
        read_only: bool,
        allow_oom: bool,
        call: impl FnOnce(&Lua) -> mlua::Result<MultiValue>,
    ) -> Result<(), CmdError> {
        let shared: &ScriptShared = &ctx.shared.script;
        let mut sess = Session::new(ctx.sess.id, true);
        sess.db = ctx.sess.db;
        sess.user = ctx.sess.user.clone();
        sess.in_script = true;
        let threshold_ms = ctx.st.config.busy_reply_threshold;
        let run = Run {
            ctx: ctx as *mut Ctx as *mut (),
            sess,
            resp: 2,
            read_only,
            allow_oom,
            shared,
            start: Instant::now(),
            threshold_ms,
            name: name.to_string(),
            killed: false,
        };
        shared.wrote.store(false, Ordering::Release);
        shared.kill.store(0, Ordering::Release);
        shared.is_eval.store(is_eval, Ordering::Release);
        shared.running.store(true, Ordering::Release);
        self.lua.app_data_mut::<RunSlot>().expect("run slot").0 = Some(run);
        self.lua.set_hook(HookTriggers::new().every_nth_instruction(100_000), busy_hook);
        // Clears the run state even if a command panics inside the script,
        // so the server is not left "busy" forever.
        struct Cleanup<'l>(&'l Lua, &'l ScriptShared);
        impl Drop for Cleanup<'_> {
            fn drop(&mut self) {
                self.0.remove_hook();
                if let Some(mut slot) = self.0.app_data_mut::<RunSlot>() {
                    slot.0 = None;
                }
                self.1.running.store(false, Ordering::Release);
                self.1.busy.store(false, Ordering::Release);
                self.1.kill.store(0, Ordering::Release);
            }
        }
        let cleanup = Cleanup(&self.lua, shared);
        let result = off_worker(|| call(&self.lua));
        let run = self.lua.app_data_mut::<RunSlot>().expect("run slot").0.take().expect("run state");
        if shared.busy.load(Ordering::Acquire) {
            tracing::warn!("Slow script detected: script {} finished after {} milliseconds", run.name, run.start.elapsed().as_millis());
        }
        drop(cleanup);
        self.publish_stats(shared);
        let mut values = result.map_err(lua_fault)?.into_iter();
        let ok = matches!(values.next(), Some(Value::Boolean(true)));
        let value = values.next().unwrap_or(Value::Nil);
        let text = match &value {
            Value::Table(t) if !ok || matches!(t.raw_get::<Value>("err"), Ok(Value::String(_))) => {
                if ok {
                    // Redis reads it as a C string: it ends at the first NUL.
                    t.raw_get::<mlua::String>("err")
                        .map(|s| s.to_string_lossy().split('\0').next().unwrap_or_default().to_string())
                        .unwrap_or_default()
                } else {
                    script_error_text(&value, name)
                }
            }
            _ if !ok => script_error_text(&value, name),
            _ => {
                convert::lua_to_reply(ctx.out, &value, run.resp);
                return Ok(());
            }
        };
        // An error that came from a command the script called was counted
        // when that command failed; Redis does not count it again (but the
        // script's command still counts as failed).
        let counted = matches!(&value, Value::Table(t) if t.raw_get::<bool>("ignore_error_stats_update").unwrap_or(false));
        if counted {
            ctx.out.error(text.as_bytes());
            if let Some(cmd) = ctx.cmd {
                ctx.st.stats.commands[cmd.stat_id].failed_calls += 1;
            }
            return Ok(());
        }
        Err(CmdError::coded(text))
    }

    /// FUNCTION LOAD: compiles and runs library code, registers its
    /// functions; returns the library name.
    pub fn load_library(&mut self, code: &Bytes, replace: bool) -> Result<String, CmdError> {
        let (engine, name) = functions::parse_header(code).map_err(CmdError::err)?;
        if !engine.eq_ignore_ascii_case("lua") {
            return Err(CmdError::err(format!("Engine '{engine}' not found")));
        }
        if !functions::valid_name(name.as_bytes()) {
            return Err(CmdError::err(
                "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long",
            ));
        }
        if self.registry.libraries.contains_key(&name) && !replace {
            return Err(CmdError::err(format!("Library '{name}' already exists")));
        }
        let skip = code.iter().position(|&b| b == b'\n').unwrap_or(code.len());
        let func = self
            .lua
            .load(&code[skip..])
            .set_name("@user_function")
            .set_mode(ChunkMode::Text)
            .set_environment(self.env.clone())
            .into_function()
            .map_err(|e| CmdError::err(format!("Error compiling function: {}", lua_error_text(&e))))?;
        *self.lua.app_data_mut::<LoadSlot>().expect("load slot") = LoadSlot(Some(Vec::new()), Instant::now(), false);
        self.lua.set_hook(HookTriggers::new().every_nth_instruction(100_000), load_hook);
        let result = off_worker(|| self.run_load.call::<MultiValue>(func));
        self.lua.remove_hook();
        let funcs = self.lua.app_data_mut::<LoadSlot>().expect("load slot").0.take().unwrap_or_default();
        self.lua.app_data_mut::<LoadSlot>().expect("load slot").2 = false;
        let mut values = result.map_err(lua_fault)?.into_iter();
        if !matches!(values.next(), Some(Value::Boolean(true))) {
            let e = values.next().unwrap_or(Value::Nil);
            let msg = match &e {
                Value::Table(t) => t.raw_get::<Option<mlua::String>>("err").ok().flatten().map(|s| s.to_string_lossy()),
                _ => None,
            };
            return Err(CmdError::err(format!("Error registering functions: {}", msg.unwrap_or_default())));
        }
        if funcs.is_empty() {
            return Err(CmdError::err("No functions registered"));
        }
        for f in &funcs {
            if let Some(owner) = self.registry.index.get(&f.name) {
                if *owner != name {
                    return Err(CmdError::err(format!("Function {} already exists", f.name)));
                }
            }
        }
        self.registry.remove(&name);
        let mut map = BTreeMap::new();
        for f in funcs {
            map.insert(f.name.clone(), f);
        }
        self.registry.insert(Library { name: name.clone(), code: code.to_vec(), functions: map });
        Ok(name)
    }

    /// FUNCTION FLUSH.
    pub fn flush_functions(&mut self) {
        self.registry = Registry::default();
        self.lua.expire_registry_values();
    }
}

/// The reply text for a script that raised an error: Redis's
/// "<err> script: <name>, on <source>:<line>."
fn script_error_text(v: &Value, name: &str) -> String {
    let Value::Table(t) = v else {
        return format!("ERR Error running script {name}, execution failure");
    };
    let get = |k: &str| -> Option<String> {
        match t.raw_get::<Value>(k).ok()? {
            Value::String(s) => Some(s.to_string_lossy()),
            Value::Number(n) => Some(super::libs::lua_number_text(n)),
            Value::Integer(n) => Some(super::libs::lua_number_text(n as f64)),
            _ => None,
        }
    };
    let msg = get("err").unwrap_or_else(|| "(null)".into());
    match (get("source"), get("line")) {
        (Some(src), Some(line)) => format!("{msg} script: {name}, on {src}:{line}."),
        _ => msg,
    }
}

/// The message of a Lua compile error ("user_script:1: ...").
fn lua_error_text(e: &mlua::Error) -> String {
    match e {
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        mlua::Error::RuntimeError(m) => m.clone(),
        other => other.to_string(),
    }
}

fn lua_fault(e: mlua::Error) -> CmdError {
    CmdError::err(format!("Error running script: {}", lua_error_text(&e)))
}

/// Runs `f` (a script) so that it does not stall the runtime: on a tokio
/// multi-thread worker the worker's duties (its task queue, polling
/// sockets, timers and signals) move to another thread for the duration,
/// as `block_in_place` does. Without this a long script would stop the
/// server from even reading requests, and nobody could get -BUSY or send
/// SCRIPT KILL. For a short script the hand-off is cheap: the worker takes
/// its duties back at once if no other thread picked them up yet.
fn off_worker<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// A C function that calls its upvalue (a Lua function) with its
/// arguments. The API functions written in Lua are exposed through it so
/// that a script calling them in tail position keeps its own stack frame
/// (Lua 5.1 only replaces the caller's frame for Lua callees), which is
/// what error positions are taken from.
unsafe extern "C-unwind" fn trampoline(state: *mut mlua::ffi::lua_State) -> std::os::raw::c_int {
    use mlua::ffi;
    let n = ffi::lua_gettop(state);
    ffi::lua_pushvalue(state, ffi::lua_upvalueindex(1));
    ffi::lua_insert(state, 1);
    ffi::lua_call(state, n, ffi::LUA_MULTRET);
    ffi::lua_gettop(state)
}

/// The instruction hook of FUNCTION LOAD: library code gets 500 ms.
fn load_hook(lua: &Lua, _: mlua::Debug) -> mlua::Result<VmState> {
    let Some(mut slot) = lua.app_data_mut::<LoadSlot>() else { return Ok(VmState::Continue) };
    if slot.1.elapsed().as_millis() > LOAD_TIMEOUT_MS {
        slot.2 = true;
        return Err(mlua::Error::runtime("FUNCTION LOAD timeout"));
    }
    Ok(VmState::Continue)
}

/// The instruction hook: publishes "busy" past the threshold and acts on
/// a kill request.
fn busy_hook(lua: &Lua, _: mlua::Debug) -> mlua::Result<VmState> {
    let Some(mut slot) = lua.app_data_mut::<RunSlot>() else {
        return Ok(VmState::Continue);
    };
    let Some(run) = slot.0.as_mut() else {
        return Ok(VmState::Continue);
    };
    // SAFETY: the shared state outlives the run.
    let shared = unsafe { &*run.shared };
    if run.threshold_ms == 0 {
        // Redis never declares a script busy (nor kills it) then.
        return Ok(VmState::Continue);
    }
    if !shared.busy.load(Ordering::Relaxed) && run.start.elapsed().as_millis() as u64 >= run.threshold_ms {
        tracing::warn!(
            "Slow script detected: still in execution after {} milliseconds. You can try killing the script using the SCRIPT KILL command. Script name is: {}.",
            run.start.elapsed().as_millis(),
            run.name
        );
        shared.busy.store(true, Ordering::Release);
    }
    if shared.kill.load(Ordering::Acquire) != 0 {
        if !run.killed {
            tracing::warn!("Lua script killed by user with SCRIPT KILL.");
        }
        run.killed = true;
        return Err(mlua::Error::runtime("Script killed by user with SCRIPT KILL..."));
    }
    Ok(VmState::Continue)
}

/// Parses a `#!lua flags=...` shebang; returns the flags and the length
/// of the shebang line (without its newline).
pub fn parse_shebang(body: &[u8]) -> Result<(ScriptFlags, usize), CmdError> {
    let mut flags = ScriptFlags::default();
    if !body.starts_with(b"#!") {
        return Ok((flags, 0));
    }
    flags.shebang = true;
    let end = body.iter().position(|&b| b == b'\n').unwrap_or(body.len());
    let Some(parts) = hematite_common::args::split_args(&body[..end]) else {
        return Err(CmdError::err("Invalid script shebang"));
    };
    let engine = parts.first().map(|p| String::from_utf8_lossy(p).into_owned()).unwrap_or_default();
    if engine != "#!lua" {
        return Err(CmdError::err(format!("Unexpected engine in script shebang: {engine}")));
    }
    for p in &parts[1..] {
        let p = String::from_utf8_lossy(p).into_owned();
        let Some(list) = p.strip_prefix("flags=") else {
            return Err(CmdError::err(format!("Unknown lua shebang option: {p}")));
        };
        for f in list.split(',').filter(|f| !f.is_empty()) {
            match f {
                "no-writes" => flags.no_writes = true,
                "allow-oom" => flags.allow_oom = true,
                "allow-stale" => flags.allow_stale = true,
                "no-cluster" => flags.no_cluster = true,
                "allow-cross-slot-keys" => flags.allow_cross_slot = true,
                _ => return Err(CmdError::err(format!("Unexpected flag in script shebang: {f}"))),
            }
        }
    }
    Ok((flags, end))
}

/// A script that may write and isn't `allow-oom` doesn't start while memory
/// is over `maxmemory` with nothing to evict (Redis's scriptPrepareForRun).
fn check_oom(ctx: &Ctx) -> Result<(), CmdError> {
    if ctx.st.config.maxmemory > 0 && ctx.st.evict.oom_at_start {
        return Err(CmdError::coded("OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'"));
    }
    Ok(())
}

/// Lower-case hex SHA1.
pub fn sha1_hex(data: &[u8]) -> String {
    sha1_smol::Sha1::from(data).digest().to_string()
}

/// Converts `redis.call` arguments to an argv, or the error text.
fn lua_argv(args: &MultiValue) -> Result<Vec<Bytes>, &'static str> {
    if args.is_empty() {
        return Err("ERR Please specify at least one argument for this redis lib call");
    }
    let mut argv = Vec::with_capacity(args.len());
    for a in args.iter() {
        argv.push(match a {
            Value::String(s) => Bytes::copy_from_slice(&s.as_bytes()),
            Value::Number(n) => Bytes::from(fmt_17g(*n)),
            Value::Integer(n) => Bytes::from(fmt_17g(*n as f64)),
            _ => return Err("ERR Lua redis lib command arguments must be strings or integers"),
        });
    }
    Ok(argv)
}

/// `redis.call` / `redis.pcall`: returns the converted reply and whether
/// it is an error (1), or an error that even pcall raises (2).
fn prim_call(lua: &Lua, args: MultiValue) -> mlua::Result<(Value, Option<u8>)> {
    let mut slot = lua.app_data_mut::<RunSlot>().expect("run slot");
    let Some(run) = slot.0.as_mut() else {
        return Ok((err_table(lua, "ERR redis.call/pcall can only be called inside a script invocation")?, Some(2)));
    };
    let argv = match lua_argv(&args) {
        Ok(a) => a,
        Err(e) => return Ok((err_table(lua, e)?, Some(1))),
    };
    let fail = |m: &str| Ok((err_table(lua, m)?, Some(1)));
    let Some(mut cmd) = table().lookup(&argv[0]) else {
        return fail("ERR Unknown Redis command called from script");
    };
    if !cmd.subcommands.is_empty() && argv.len() >= 2 {
        match cmd.subcommand(&argv[1]) {
            Some(sub) => cmd = sub,
            None => return fail("ERR Unknown Redis command called from script"),
        }
    }
    if !cmd.arity_ok(argv.len()) {
        return fail("ERR Wrong number of args calling Redis command from script");
    }
    if cmd.has(flag::NOSCRIPT) {
        return fail("ERR This Redis command is not allowed from script");
    }
    if cmd.has(flag::WRITE) && run.read_only {
        return fail("ERR Write commands are not allowed from read-only scripts.");
    }
    // SAFETY: `run.ctx` is the handler's context, alive and not otherwise
    // borrowed while the script runs.
    let ctx = unsafe { &mut *(run.ctx as *mut Ctx) };
    // Over maxmemory at the script's start, a `denyoom` command is refused
    // unless the script already wrote (it can't stop half-way) or is
    // `allow-oom` (Redis's scriptVerifyOOM).
    if cmd.has(flag::DENYOOM)
        && !run.allow_oom
        && ctx.st.config.maxmemory > 0
        && ctx.st.evict.oom_at_start
        && !unsafe { &*run.shared }.wrote.load(Ordering::Acquire)
    {
        return fail("OOM command not allowed when used memory > 'maxmemory'.");
    }
    let proto = if run.resp == 3 { Protocol::Resp3 } else { Protocol::Resp2 };
    let mut out = ReplyBuf { buf: BytesMut::new(), proto };
    let dirty = ctx.st.stats.dirty;
    {
        let mut sub = Ctx { st: &mut *ctx.st, sess: &mut run.sess, out: &mut out, now_ms: ctx.now_ms, cmd: None, shared: ctx.shared };
        crate::dispatch::call(&mut sub, cmd, &argv);
    }
    if ctx.st.stats.dirty != dirty {
        // SAFETY: see Run.
        unsafe { &*run.shared }.wrote.store(true, Ordering::Release);
    }
    drop(slot);
    let failed = out.buf.first() == Some(&b'-');
    let v = if out.buf.is_empty() { Value::Nil } else { convert::reply_to_lua(lua, &out.buf, &mut 0)? };
    Ok((v, failed.then_some(1)))
}

/// `redis.acl_check_cmd`: every known command is allowed (no ACLs yet).
fn prim_acl_check(lua: &Lua, args: MultiValue) -> mlua::Result<(Value, Option<u8>)> {
    let argv = match lua_argv(&args) {
        Ok(a) => a,
        Err(e) => return Ok((err_table(lua, e)?, Some(1))),
    };
    match table().lookup(&argv[0]) {
        Some(_) => Ok((Value::Boolean(true), None)),
        None => Ok((err_table(lua, "ERR Invalid command passed to redis.acl_check_cmd()")?, Some(1))),
    }
}

/// `redis.register_function` (only while FUNCTION LOAD runs).
fn prim_register_function(lua: &Lua, args: MultiValue) -> mlua::Result<(Value, Option<u8>)> {
    let fail = |m: &str| Ok((err_table(lua, &format!("ERR {m}"))?, Some(1)));
    if lua.app_data_ref::<LoadSlot>().is_none_or(|s| s.0.is_none()) {
        return fail("redis.register_function can only be called on FUNCTION LOAD command");
    }
    let (mut name, mut callback, mut flags, mut desc) = (None, None, Vec::new(), None);
    let args: Vec<Value> = args.into_iter().collect();
    match args.as_slice() {
        [Value::Table(t)] => {
            for pair in t.pairs::<Value, Value>() {
                let (k, v) = pair?;
                let key = match &k {
                    Value::String(s) => s.to_string_lossy(),
                    _ => return fail("named argument key given to redis.register_function is not a string"),
                };
                match key.as_str() {
                    "function_name" => match v {
                        Value::String(s) => name = Some(s.as_bytes().to_vec()),
                        _ => return fail("function_name argument given to redis.register_function must be a string"),
                    },
                    "callback" => match v {
                        Value::Function(f) => callback = Some(f),
                        _ => return fail("callback argument given to redis.register_function must be a function"),
                    },
                    "description" => match v {
                        Value::String(s) => desc = Some(s.as_bytes().to_vec()),
                        _ => return fail("description argument given to redis.register_function must be a string"),
                    },
                    "flags" => match v {
                        Value::Table(ft) => {
                            for f in ft.sequence_values::<Value>() {
                                let Value::String(s) = f? else { return fail("unknown flag given") };
                                let s = s.to_string_lossy();
                                if !functions::FLAG_NAMES.contains(&s.as_str()) {
                                    return fail("unknown flag given");
                                }
                                flags.push(s);
                            }
                        }
                        _ => return fail("flags argument to redis.register_function must be a table representing function flags"),
                    },
                    _ => return fail("unknown argument given to redis.register_function"),
                }
            }
            if name.is_none() {
                return fail("redis.register_function must get a function name argument");
            }
            if callback.is_none() {
                return fail("redis.register_function must get a callback argument");
            }
        }
        [_] => {
            return fail(
                "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).",
            )
        }
        [n, f] => {
            match n {
                Value::String(s) => name = Some(s.as_bytes().to_vec()),
                _ => return fail("first argument to redis.register_function must be a string"),
            }
            match f {
                Value::Function(f) => callback = Some(f.clone()),
                _ => return fail("second argument to redis.register_function must be a function"),
            }
        }
        _ => return fail("wrong number of arguments to redis.register_function"),
    }
    let name = name.expect("name");
    if !functions::valid_name(&name) {
        return fail("Library names can only contain letters, numbers, or underscores(_) and must be at least one character long");
    }
    let name = String::from_utf8_lossy(&name).into_owned();
    let key = lua.create_registry_value(callback.expect("callback"))?;
    let mut slot = lua.app_data_mut::<LoadSlot>().expect("load slot");
    let list = slot.0.as_mut().expect("loading");
    if list.iter().any(|f| f.name == name) {
        drop(slot);
        return fail("Function already exists in the library");
    }
    list.push(functions::Function { name, callback: key, flags, description: desc });
    Ok((Value::Nil, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rand48_matches_redis() {
        let mut r = Rand(RAND_INIT);
        r.next();
        let v = (r.next() % i32::MAX) as f64 / i32::MAX as f64;
        assert_eq!(format!("{v:.14}"), "0.84048536971234");
    }

    #[test]
    fn shebang() {
        assert_eq!(parse_shebang(b"return 1").unwrap().0, ScriptFlags::default());
        let (f, n) = parse_shebang(b"#!lua flags=no-writes,allow-oom\nreturn 1").unwrap();
        assert!(f.no_writes && f.allow_oom && f.shebang);
        assert_eq!(n, 31);
        assert!(parse_shebang(b"#!lua flags=bogus\n").is_err());
    }
}
