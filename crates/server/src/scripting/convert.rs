//! Conversions between Redis replies and Lua values, as Redis 7.0 does them.
//!
//! Reply to Lua (the result of `redis.call`), parsed from the private reply
//! buffer the command wrote into:
//!
//! | reply                  | Lua                                       |
//! |------------------------|-------------------------------------------|
//! | integer                | number                                    |
//! | bulk / simple string   | string / `{ok=s}`                         |
//! | error                  | `{err="CODE msg"}`                        |
//! | null bulk / null array | `false`                                   |
//! | array                  | table `{...}`                             |
//! | RESP3 map / set        | `{map={k=v}}` / `{set={m=true}}`          |
//! | RESP3 null / boolean   | `nil` / boolean                           |
//! | RESP3 double           | `{double=n}`                              |
//! | RESP3 big number       | `{big_number="s"}`                        |
//! | RESP3 verbatim         | `{verbatim_string={format=, string=}}`    |
//!
//! Lua to reply (a script's return value): strings are bulk strings,
//! numbers are truncated to integers, booleans are `:1`/null (RESP3 scripts:
//! booleans), tables with `err`/`ok`/`double`/`big_number`/
//! `verbatim_string`/`map`/`set` fields become those replies and any other
//! table an array that stops at the first nil; anything else is null.

use hematite_resp::ReplyBuf;
use mlua::{Lua, Table, Value};

/// How deep a reply may nest. Redis's conversion runs out of Lua stack at
/// depth 7995 for arrays (earlier for maps) and answers "reached lua stack
/// limit" in place of the value. Here the bound is mlua's reference slots
/// (about 8000, one per level held, about three per map level), so the
/// budget below stops a little earlier than Redis for arrays.
const MAX_DEPTH: usize = 7900;

/// Parses one RESP reply from `buf` at `*pos` into a Lua value.
pub fn reply_to_lua(lua: &Lua, buf: &[u8], pos: &mut usize) -> mlua::Result<Value> {
    super::libs::deep(|| reply_step(lua, buf, pos))
}

fn reply_step(lua: &Lua, buf: &[u8], pos: &mut usize) -> mlua::Result<Value> {
    let line = read_line(buf, pos);
    let (kind, rest) = (line[0], &line[1..]);
    let num = || std::str::from_utf8(rest).ok().and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    Ok(match kind {
        b':' => Value::Number(num() as f64),
        b'$' => {
            let n = num();
            if n < 0 {
                Value::Boolean(false)
            } else {
                let s = &buf[*pos..*pos + n as usize];
                *pos += n as usize + 2;
                Value::String(lua.create_string(s)?)
            }
        }
        b'+' => {
            let t = lua.create_table()?;
            t.raw_set("ok", lua.create_string(rest)?)?;
            Value::Table(t)
        }
        b'-' => {
            let t = lua.create_table()?;
            t.raw_set("err", lua.create_string(error_text(rest))?)?;
            t.raw_set("ignore_error_stats_update", true)?;
            Value::Table(t)
        }
        b'*' | b'>' => {
            let n = num();
            if n < 0 {
                Value::Boolean(false)
            } else {
                let t = lua.create_table()?;
                for i in 0..n {
                    let v = reply_to_lua(lua, buf, pos)?;
                    t.raw_set(i + 1, v)?;
                }
                Value::Table(t)
            }
        }
        b'%' | b'~' => {
            let n = num();
            let inner = lua.create_table()?;
            for _ in 0..n {
                let k = reply_to_lua(lua, buf, pos)?;
                let v = if kind == b'%' { reply_to_lua(lua, buf, pos)? } else { Value::Boolean(true) };
                if !k.is_nil() {
                    inner.raw_set(k, v)?;
                }
            }
            let t = lua.create_table()?;
            t.raw_set(if kind == b'%' { "map" } else { "set" }, inner)?;
            Value::Table(t)
        }
        b'_' => Value::Nil,
        b'#' => Value::Boolean(rest == b"t"),
        b',' => {
            let d = hematite_common::num::parse_f64(rest).unwrap_or(0.0);
            let t = lua.create_table()?;
            t.raw_set("double", d)?;
            Value::Table(t)
        }
        b'(' => {
            let t = lua.create_table()?;
            t.raw_set("big_number", lua.create_string(rest)?)?;
            Value::Table(t)
        }
        b'=' => {
            let n = num() as usize;
            let s = &buf[*pos..*pos + n];
            *pos += n + 2;
            let v = lua.create_table()?;
            v.raw_set("string", lua.create_string(&s[4.min(s.len())..])?)?;
            v.raw_set("format", lua.create_string(&s[..3.min(s.len())])?)?;
            let t = lua.create_table()?;
            t.raw_set("verbatim_string", v)?;
            Value::Table(t)
        }
        _ => Value::Nil,
    })
}

/// Redis's `luaPushErrorBuff` for a reply line without its '-': "CODE msg",
/// or "ERR msg" when the text has no space.
fn error_text(rest: &[u8]) -> Vec<u8> {
    match rest.iter().position(|&b| b == b' ') {
        Some(_) => rest.to_vec(),
        None => [b"ERR ".as_slice(), rest].concat(),
    }
}

fn read_line<'a>(buf: &'a [u8], pos: &mut usize) -> &'a [u8] {
    let start = *pos;
    let end = buf[start..].windows(2).position(|w| w == b"\r\n").map(|i| start + i).unwrap_or(buf.len());
    *pos = (end + 2).min(buf.len());
    &buf[start..end]
}

/// Writes a script's return value as a reply. `script_resp` is the
/// protocol the script selected with `redis.setresp` (booleans differ).
pub fn lua_to_reply(out: &mut ReplyBuf, v: &Value, script_resp: u8) {
    write_value(out, v, script_resp, 0);
}

fn write_value(out: &mut ReplyBuf, v: &Value, resp: u8, depth: usize) {
    super::libs::deep(|| write_step(out, v, resp, depth))
}

fn write_step(out: &mut ReplyBuf, v: &Value, resp: u8, depth: usize) {
    if depth >= MAX_DEPTH {
        out.error(b"ERR reached lua stack limit");
        return;
    }
    match v {
        Value::String(s) => out.bulk(&s.as_bytes()),
        Value::Boolean(b) => {
            if resp == 2 {
                if *b {
                    out.int(1)
                } else {
                    out.null()
                }
            } else {
                out.boolean(*b)
            }
        }
        Value::Number(n) => out.int(to_i64(*n)),
        Value::Integer(n) => out.int(*n as i64),
        Value::Table(t) => write_table(out, t, resp, depth),
        _ => out.null(),
    }
}

/// C's `(long long)` cast of a double (saturating, NaN to the minimum as
/// x86 does).
pub fn to_i64(n: f64) -> i64 {
    // cvttsd2si yields the "integer indefinite" value out of range.
    if n.is_nan() || n >= 9223372036854775808.0 || n < -9223372036854775808.0 {
        i64::MIN
    } else {
        n as i64
    }
}

fn field(t: &Table, name: &str) -> Value {
    t.raw_get(name).unwrap_or(Value::Nil)
}

fn write_table(out: &mut ReplyBuf, t: &Table, resp: u8, depth: usize) {
    // Redis reads both texts with lua_tostring() into C strings: they end at
    // the first NUL byte.
    if let Value::String(e) = field(t, "err") {
        out.error(c_str(&e.as_bytes()));
        return;
    }
    match field(t, "ok") {
        Value::String(s) => {
            out.simple(&sanitize(c_str(&s.as_bytes())));
            return;
        }
        Value::Number(n) => {
            out.simple(crate::scripting::libs::lua_number_text(n).as_bytes());
            return;
        }
        _ => {}
    }
    match field(t, "double") {
        Value::Number(d) => {
            out.double(d);
            return;
        }
        // mlua hands integral Lua 5.1 numbers over as integers, which
        // would lose the sign of -0: read the number itself again.
        Value::Integer(i) => {
            out.double(t.raw_get::<f64>("double").unwrap_or(i as f64));
            return;
        }
        _ => {}
    }
    if let Value::String(s) = field(t, "big_number") {
        let s = sanitize(&s.as_bytes());
        if out.resp3() {
            out.raw(b"(");
            out.raw(&s);
            out.raw(b"\r\n");
        } else {
            out.bulk(&s);
        }
        return;
    }
    if let Value::Table(vt) = field(t, "verbatim_string") {
        if let (Value::String(f), Value::String(s)) = (field(&vt, "format"), field(&vt, "string")) {
            let f = f.as_bytes();
            let mut fmt = [b' '; 3];
            for (d, s) in fmt.iter_mut().zip(f.iter()) {
                *d = *s;
            }
            out.verbatim(&fmt, &s.as_bytes());
            return;
        }
    }
    if let Value::Table(m) = field(t, "map") {
        let d = out.deferred(b'%');
        let mut n = 0;
        for (k, v) in m.pairs::<Value, Value>().flatten() {
            write_value(out, &k, resp, depth + 3);
            write_value(out, &v, resp, depth + 3);
            n += 1;
        }
        out.finish_deferred(d, n);
        return;
    }
    if let Value::Table(s) = field(t, "set") {
        let d = out.deferred(b'~');
        let mut n = 0;
        for (k, _) in s.pairs::<Value, Value>().flatten() {
            write_value(out, &k, resp, depth + 3);
            n += 1;
        }
        out.finish_deferred(d, n);
        return;
    }
    let d = out.deferred_array();
    let mut n = 0;
    loop {
        let v: Value = t.raw_get(n + 1).unwrap_or(Value::Nil);
        if v.is_nil() {
            break;
        }
        write_value(out, &v, resp, depth + 1);
        n += 1;
    }
    out.finish_deferred(d, n);
}

/// CR and LF become spaces (`sdsmapchars`), keeping a status line valid.
/// The bytes before the first NUL (what C code sees of a Lua string).
fn c_str(s: &[u8]) -> &[u8] {
    &s[..s.iter().position(|&b| b == 0).unwrap_or(s.len())]
}

fn sanitize(s: &[u8]) -> Vec<u8> {
    s.iter().map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }).collect()
}
