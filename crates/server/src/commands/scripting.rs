//! Lua scripting and functions: EVAL, EVALSHA, SCRIPT, FUNCTION, FCALL.
//!
//! The handlers parse arguments and reply; the interpreter, the sandbox
//! and the conversions live in [`crate::scripting`].

use super::{arg_i64, is, Ctx};
use crate::command::Row;
use crate::error::{CmdError, CmdResult};
use crate::row;
use hematite_persist::rdb;
use crate::scripting::engine::Engine;
use bytes::Bytes;
use hematite_common::glob::string_match;

/// Splits `numkeys key... arg...` starting at `argv[2]`.
fn keys_and_args(argv: &[Bytes]) -> Result<(&[Bytes], &[Bytes]), CmdError> {
    let n = arg_i64(&argv[2])?;
    if n < 0 {
        return Err(CmdError::err("Number of keys can't be negative"));
    }
    let n = n as usize;
    if n > argv.len() - 3 {
        return Err(CmdError::err("Number of keys can't be greater than number of args"));
    }
    Ok((&argv[3..3 + n], &argv[3 + n..]))
}

fn eval_generic(ctx: &mut Ctx, argv: &[Bytes], by_sha: bool, ro: bool) -> CmdResult {
    let (keys, args) = keys_and_args(argv)?;
    let shared = ctx.shared;
    let mut eng = Engine::get(&shared.script);
    let sha = if by_sha {
        let sha = String::from_utf8_lossy(&argv[1]).to_ascii_lowercase();
        if sha.len() != 40 || !eng.has_script(&sha) {
            return Err(CmdError::coded("NOSCRIPT No matching script. Please use EVAL."));
        }
        sha
    } else {
        eng.load_script(&argv[1])?
    };
    eng.eval(ctx, &sha, keys, args, ro)
}

/// EVAL script numkeys [key ...] [arg ...]
pub fn eval(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    eval_generic(ctx, argv, false, false)
}

/// EVALSHA sha1 numkeys [key ...] [arg ...]
pub fn evalsha(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    eval_generic(ctx, argv, true, false)
}

/// EVAL_RO script numkeys [key ...] [arg ...]
pub fn eval_ro(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    eval_generic(ctx, argv, false, true)
}

/// EVALSHA_RO sha1 numkeys [key ...] [arg ...]
pub fn evalsha_ro(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    eval_generic(ctx, argv, true, true)
}

fn fcall_generic(ctx: &mut Ctx, argv: &[Bytes], ro: bool) -> CmdResult {
    let shared = ctx.shared;
    let mut eng = Engine::get(&shared.script);
    let name = String::from_utf8_lossy(&argv[1]).into_owned();
    if eng.registry.function(&name).is_none() {
        return Err(CmdError::err("Function not found"));
    }
    let n = super::arg_i64(&argv[2]).map_err(|_| CmdError::err("Bad number of keys provided"))?;
    if n < 0 {
        return Err(CmdError::err("Number of keys can't be negative"));
    }
    if n as usize > argv.len() - 3 {
        return Err(CmdError::err("Number of keys can't be greater than number of args"));
    }
    let n = n as usize;
    eng.fcall(ctx, &name, &argv[3..3 + n], &argv[3 + n..], ro)
}

/// FCALL function numkeys [key ...] [arg ...]
pub fn fcall(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    fcall_generic(ctx, argv, false)
}

/// FCALL_RO function numkeys [key ...] [arg ...]
pub fn fcall_ro(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    fcall_generic(ctx, argv, true)
}

// ---------------------------------------------------------------------------
// SCRIPT

/// SCRIPT LOAD script
fn script_load(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut eng = Engine::get(&ctx.shared.script);
    let sha = eng.load_script(&argv[2])?;
    eng.publish_stats(&ctx.shared.script);
    drop(eng);
    ctx.out.bulk(sha.as_bytes());
    Ok(())
}

/// SCRIPT EXISTS sha1 [sha1 ...]
fn script_exists(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let eng = Engine::get(&ctx.shared.script);
    ctx.out.array(argv.len() - 2);
    for a in &argv[2..] {
        let sha = String::from_utf8_lossy(a);
        ctx.out.int((sha.len() == 40 && eng.has_script(&sha)) as i64);
    }
    Ok(())
}

/// Parses FLUSH's optional ASYNC|SYNC argument.
fn flush_mode(argv: &[Bytes], err: &str) -> CmdResult {
    match argv.len() {
        2 => Ok(()),
        3 if is(&argv[2], "async") || is(&argv[2], "sync") => Ok(()),
        _ => Err(CmdError::err(err)),
    }
}

/// SCRIPT FLUSH [ASYNC|SYNC]
fn script_flush(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    flush_mode(argv, "SCRIPT FLUSH only support SYNC|ASYNC option")?;
    let mut eng = Engine::get(&ctx.shared.script);
    eng.flush_scripts();
    eng.publish_stats(&ctx.shared.script);
    drop(eng);
    ctx.out.ok();
    Ok(())
}

/// SCRIPT KILL / FUNCTION KILL reached under the lock: nothing runs (a
/// busy script is killed by `scripting::busy` before the lock).
fn not_busy(_ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Err(CmdError::coded("NOTBUSY No scripts in execution right now."))
}

/// SCRIPT DEBUG YES|SYNC|NO
fn script_debug(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if is(&argv[2], "no") {
        ctx.out.ok();
        Ok(())
    } else if is(&argv[2], "yes") || is(&argv[2], "sync") {
        Err(CmdError::err("The Lua debugger is not supported by this server"))
    } else {
        Err(CmdError::err("Use SCRIPT DEBUG YES/SYNC/NO"))
    }
}

fn help(ctx: &mut Ctx, cmd: &str, lines: &[&str]) -> CmdResult {
    ctx.out.array(lines.len() + 3);
    ctx.out.simple(format!("{cmd} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:").as_bytes());
    for l in lines {
        ctx.out.simple(l.as_bytes());
    }
    ctx.out.simple(b"HELP");
    ctx.out.simple(b"    Prints this help.");
    Ok(())
}

/// SCRIPT HELP
fn script_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    help(
        ctx,
        "SCRIPT",
        &[
            "DEBUG (YES|SYNC|NO)",
            "    Set the debug mode for subsequent scripts executed.",
            "EXISTS <sha1> [<sha1> ...]",
            "    Return information about the existence of the scripts in the script cache.",
            "FLUSH [ASYNC|SYNC]",
            "    Flush the Lua scripts cache. Very dangerous on replicas.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the scripts cache.",
            "    * SYNC: Synchronously flush the scripts cache.",
            "KILL",
            "    Kill the currently executing Lua script.",
            "LOAD <script>",
            "    Load a script into the scripts cache without executing it.",
        ],
    )
}

// ---------------------------------------------------------------------------
// FUNCTION

/// FUNCTION LOAD [REPLACE] code
fn function_load(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut replace = false;
    let mut i = 2;
    while i < argv.len() - 1 {
        if is(&argv[i], "replace") {
            replace = true;
        } else {
            return Err(CmdError::err(format!("Unknown option given: {}", String::from_utf8_lossy(&argv[i]))));
        }
        i += 1;
    }
    let mut eng = Engine::get(&ctx.shared.script);
    let name = eng.load_library(&argv[argv.len() - 1], replace)?;
    eng.publish_stats(&ctx.shared.script);
    eng.publish_libraries(&ctx.shared.script);
    drop(eng);
    ctx.dirty(1);
    ctx.out.bulk(name.as_bytes());
    Ok(())
}

/// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]
fn function_list(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (mut pattern, mut with_code) = (None, false);
    let mut i = 2;
    while i < argv.len() {
        if is(&argv[i], "withcode") && !with_code {
            with_code = true;
        } else if is(&argv[i], "libraryname") && pattern.is_none() {
            if i + 1 >= argv.len() {
                return Err(CmdError::err("library name argument was not given"));
            }
            pattern = Some(argv[i + 1].clone());
            i += 1;
        } else {
            return Err(CmdError::err(format!("Unknown argument {}", String::from_utf8_lossy(&argv[i]))));
        }
        i += 1;
    }
    let eng = Engine::get(&ctx.shared.script);
    let libs: Vec<_> =
        eng.registry.libraries.values().filter(|l| pattern.as_ref().is_none_or(|p| string_match(p, l.name.as_bytes(), false))).collect();
    let out = &mut *ctx.out;
    out.array(libs.len());
    for lib in libs {
        out.map(if with_code { 4 } else { 3 });
        out.bulk(b"library_name");
        out.bulk(lib.name.as_bytes());
        out.bulk(b"engine");
        out.bulk(b"LUA");
        out.bulk(b"functions");
        out.array(lib.functions.len());
        for f in lib.functions.values() {
            out.map(3);
            out.bulk(b"name");
            out.bulk(f.name.as_bytes());
            out.bulk(b"description");
            match &f.description {
                Some(d) => out.bulk(d),
                None => out.null(),
            }
            out.bulk(b"flags");
            out.set(f.flags.len());
            for fl in &f.flags {
                out.simple(fl.as_bytes());
            }
        }
        if with_code {
            out.bulk(b"library_code");
            out.bulk(&lib.code);
        }
    }
    Ok(())
}

/// FUNCTION DELETE library-name
fn function_delete(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let name = String::from_utf8_lossy(&argv[2]).into_owned();
    let mut eng = Engine::get(&ctx.shared.script);
    if eng.registry.remove(&name).is_none() {
        return Err(CmdError::err("Library not found"));
    }
    eng.publish_stats(&ctx.shared.script);
    eng.publish_libraries(&ctx.shared.script);
    drop(eng);
    ctx.dirty(1);
    ctx.out.ok();
    Ok(())
}

/// FUNCTION FLUSH [ASYNC|SYNC]
fn function_flush(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    flush_mode(argv, "FUNCTION FLUSH only supports SYNC|ASYNC option")?;
    let mut eng = Engine::get(&ctx.shared.script);
    eng.flush_functions();
    eng.publish_stats(&ctx.shared.script);
    eng.publish_libraries(&ctx.shared.script);
    drop(eng);
    ctx.dirty(1);
    ctx.out.ok();
    Ok(())
}

/// FUNCTION STATS
fn function_stats(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let eng = Engine::get(&ctx.shared.script);
    let out = &mut *ctx.out;
    out.map(2);
    out.bulk(b"running_script");
    out.null();
    out.bulk(b"engines");
    out.map(1);
    out.bulk(b"LUA");
    out.map(2);
    out.bulk(b"libraries_count");
    out.int(eng.registry.libraries.len() as i64);
    out.bulk(b"functions_count");
    out.int(eng.registry.function_count() as i64);
    Ok(())
}

/// FUNCTION DUMP: Redis's payload format (see `scripting::dump`).
fn function_dump(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let eng = Engine::get(&ctx.shared.script);
    let p = rdb::function_payload(eng.registry.libraries.values().map(|l| l.code.as_slice()));
    ctx.out.bulk(&p);
    Ok(())
}

/// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]
fn function_restore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    #[derive(PartialEq)]
    enum Policy {
        Flush,
        Append,
        Replace,
    }
    if argv.len() > 4 {
        return Err(CmdError::err("unknown subcommand or wrong number of arguments for 'RESTORE'. Try FUNCTION HELP."));
    }
    let policy = match argv.get(3) {
        None => Policy::Append,
        Some(a) if is(a, "flush") => Policy::Flush,
        Some(a) if is(a, "append") => Policy::Append,
        Some(a) if is(a, "replace") => Policy::Replace,
        Some(_) => return Err(CmdError::err("Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")),
    };
    let codes = rdb::parse_function_payload(&argv[2]).map_err(|e| match e {
        rdb::FunctionPayloadError::BadFooter => CmdError::err("DUMP payload version or checksum are wrong"),
        rdb::FunctionPayloadError::NotAFunction => CmdError::err("given type is not a function"),
        rdb::FunctionPayloadError::Corrupt => CmdError::err("Bad data format"),
    })?;
    let codes: Vec<Bytes> = codes.into_iter().map(Bytes::from).collect();
    let mut eng = Engine::get(&ctx.shared.script);
    // Load into a scratch registry first so that a failure changes nothing.
    let saved = std::mem::take(&mut eng.registry);
    let mut failure = None;
    for code in &codes {
        if let Err(e) = eng.load_library(code, false) {
            failure = Some(e);
            break;
        }
    }
    let restored = std::mem::replace(&mut eng.registry, saved);
    if let Some(e) = failure {
        return Err(e);
    }
    if policy == Policy::Flush {
        eng.registry = Default::default();
    }
    for (name, _) in restored.libraries.iter() {
        if eng.registry.libraries.contains_key(name) && policy == Policy::Append {
            return Err(CmdError::err(format!("Library {name} already exists")));
        }
    }
    for lib in restored.libraries.into_values() {
        for f in lib.functions.keys() {
            if let Some(owner) = eng.registry.index.get(f) {
                if *owner != lib.name {
                    return Err(CmdError::err(format!("Function {f} already exists")));
                }
            }
        }
        eng.registry.remove(&lib.name);
        eng.registry.insert(lib);
    }
    eng.publish_stats(&ctx.shared.script);
    eng.publish_libraries(&ctx.shared.script);
    drop(eng);
    ctx.dirty(1);
    ctx.out.ok();
    Ok(())
}

/// FUNCTION HELP
fn function_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    help(
        ctx,
        "FUNCTION",
        &[
            "LOAD [REPLACE] <FUNCTION CODE>",
            "    Create a new library with the given library name and code.",
            "DELETE <LIBRARY NAME>",
            "    Delete the given library.",
            "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
            "    Return general information on all the libraries:",
            "    * Library name",
            "    * The engine used to run the Library",
            "    * Library description",
            "    * Functions list",
            "    * Library code (if WITHCODE is given)",
            "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
            "STATS",
            "    Return information about the current function running:",
            "    * Function name",
            "    * Command used to run the function",
            "    * Duration in MS that the function is running",
            "    If no function is running, return nil",
            "    In addition, returns a list of available engines.",
            "KILL",
            "    Kill the current running function.",
            "FLUSH [ASYNC|SYNC]",
            "    Delete all the libraries.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the libraries.",
            "    * SYNC: Synchronously flush the libraries.",
            "DUMP",
            "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
            "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
            "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
            "    control how to handle existing libraries (default APPEND):",
            "    * FLUSH: delete all existing libraries.",
            "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
            "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
            "      libraries with the new libraries (notice that even on this option there is a chance of failure",
            "      in case of functions name collision with another library).",
        ],
    )
}

static SCRIPT_SUBCOMMANDS: &[Row] = &[
    row!("load", 3, "noscript stale", "@scripting", (0, 0, 0), script_load),
    row!("exists", -3, "noscript", "@scripting", (0, 0, 0), script_exists),
    row!("flush", -2, "noscript", "@scripting", (0, 0, 0), script_flush),
    row!("kill", 2, "noscript allow_busy", "@scripting", (0, 0, 0), not_busy),
    row!("help", 2, "loading stale", "@scripting", (0, 0, 0), script_help),
    row!("debug", 3, "noscript", "@scripting", (0, 0, 0), script_debug),
];

static FUNCTION_SUBCOMMANDS: &[Row] = &[
    row!("load", -3, "write denyoom noscript", "@scripting", (0, 0, 0), function_load),
    row!("list", -2, "noscript", "@scripting", (0, 0, 0), function_list),
    row!("delete", 3, "write noscript", "@scripting", (0, 0, 0), function_delete),
    row!("flush", -2, "write noscript", "@scripting", (0, 0, 0), function_flush),
    row!("dump", 2, "noscript", "@scripting", (0, 0, 0), function_dump),
    row!("restore", -3, "write denyoom noscript", "@scripting", (0, 0, 0), function_restore),
    row!("stats", 2, "noscript allow_busy", "@scripting", (0, 0, 0), function_stats),
    row!("kill", 2, "noscript allow_busy", "@scripting", (0, 0, 0), not_busy),
    row!("help", 2, "loading stale", "@scripting", (0, 0, 0), function_help),
];

fn container(_ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    Err(CmdError::WrongArity(String::from_utf8_lossy(&argv[0]).to_lowercase()))
}

/// This family's table rows.
pub static ROWS: &[Row] = &[
    row!("eval", -3, "noscript stale skip_monitor no_mandatory_keys", "@scripting", (0, 0, 0), eval),
    row!("evalsha", -3, "noscript stale skip_monitor no_mandatory_keys", "@scripting", (0, 0, 0), evalsha),
    row!("eval_ro", -3, "readonly noscript stale skip_monitor no_mandatory_keys", "@scripting", (0, 0, 0), eval_ro),
    row!("evalsha_ro", -3, "readonly noscript stale skip_monitor no_mandatory_keys", "@scripting", (0, 0, 0), evalsha_ro),
    row!("fcall", -3, "noscript stale skip_monitor no_mandatory_keys", "@scripting", (0, 0, 0), fcall),
    row!("fcall_ro", -3, "readonly noscript stale skip_monitor no_mandatory_keys", "@scripting", (0, 0, 0), fcall_ro),
    row!("script", -2, "", "", (0, 0, 0), container, SCRIPT_SUBCOMMANDS),
    row!("function", -2, "", "", (0, 0, 0), container, FUNCTION_SUBCOMMANDS),
];
