//! The libraries Redis loads into its Lua interpreter: `cjson` (lua-cjson
//! 2.1), `cmsgpack` (lua-cmsgpack 0.4), `bit` (LuaBitOp 1.0) and `struct`
//! (Roberto Ierusalimschy's struct 0.2), written here in Rust with the same
//! observable behaviour for normal use: output bytes, number formatting,
//! and error messages.
//!
//! A failing function returns `(LIBERR, message)`; the wrappers in
//! `prelude.lua` raise the message at the caller's line, which is where
//! the C libraries' `luaL_error` puts it.

use mlua::{LightUserData, Lua, MultiValue, Table, Value};

type Ret = mlua::Result<MultiValue>;

fn fail(lua: &Lua, liberr: &Table, msg: String) -> Ret {
    let _ = lua;
    Ok(MultiValue::from_iter([Value::Table(liberr.clone()), Value::String(lua.create_string(msg)?)]))
}

fn one(v: Value) -> Ret {
    Ok(MultiValue::from_iter([v]))
}

/// Runs a step of a recursive conversion on a stack with room to spare:
/// nested data goes 1000 levels deep (cjson's limit), more than a runtime
/// worker's stack holds in a debug build.
pub fn deep<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, f)
}

/// C's `%.<prec>g`.
pub fn fmt_g(n: f64, prec: usize) -> String {
    if n.is_nan() {
        return if n.is_sign_negative() { "-nan".into() } else { "nan".into() };
    }
    if n.is_infinite() {
        return if n < 0.0 { "-inf".into() } else { "inf".into() };
    }
    if n == 0.0 {
        return if n.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let prec = prec.max(1);
    let e = format!("{:.*e}", prec - 1, n);
    let (mant, exp) = e.split_once('e').expect("exponent");
    let exp: i32 = exp.parse().expect("exponent digits");
    if exp < -4 || exp >= prec as i32 {
        let mant = strip_zeros(mant);
        format!("{mant}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    } else {
        let decimals = (prec as i32 - 1 - exp).max(0) as usize;
        strip_zeros(&format!("{:.*}", decimals, n)).to_string()
    }
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// How Lua 5.1 prints a number (`%.14g`).
pub fn lua_number_text(n: f64) -> String {
    fmt_g(n, 14)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Nil => "nil",
        Value::Boolean(_) => "boolean",
        Value::LightUserData(_) | Value::UserData(_) => "userdata",
        Value::Integer(_) | Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Table(_) => "table",
        Value::Function(_) => "function",
        Value::Thread(_) => "thread",
        _ => "userdata",
    }
}

fn arg_number(args: &MultiValue, i: usize, fname: &str) -> Result<f64, String> {
    match args.get(i) {
        Some(Value::Number(n)) => Ok(*n),
        Some(Value::Integer(n)) => Ok(*n as f64),
        Some(Value::String(s)) => {
            let t = s.to_string_lossy();
            hematite_common::num::parse_f64(t.trim().as_bytes())
                .ok_or_else(|| format!("bad argument #{} to '{fname}' (number expected, got string)", i + 1))
        }
        Some(v) => Err(format!("bad argument #{} to '{fname}' (number expected, got {})", i + 1, type_name(v))),
        None => Err(format!("bad argument #{} to '{fname}' (number expected, got no value)", i + 1)),
    }
}

fn arg_bytes(args: &MultiValue, i: usize, fname: &str) -> Result<Vec<u8>, String> {
    match args.get(i) {
        Some(Value::String(s)) => Ok(s.as_bytes().to_vec()),
        Some(Value::Number(n)) => Ok(lua_number_text(*n).into_bytes()),
        Some(Value::Integer(n)) => Ok(lua_number_text(*n as f64).into_bytes()),
        Some(v) => Err(format!("bad argument #{} to '{fname}' (string expected, got {})", i + 1, type_name(v))),
        None => Err(format!("bad argument #{} to '{fname}' (string expected, got no value)", i + 1)),
    }
}

/// Builds the four library tables.
pub fn create(lua: &Lua, liberr: Table) -> mlua::Result<Table> {
    let libs = lua.create_table()?;
    libs.set("cjson", cjson(lua, &liberr)?)?;
    libs.set("cmsgpack", cmsgpack(lua, &liberr)?)?;
    libs.set("bit", bit(lua, &liberr)?)?;
    libs.set("struct", structlib(lua, &liberr)?)?;
    Ok(libs)
}

macro_rules! libfn {
    ($lua:expr, $t:expr, $liberr:expr, $name:literal, $f:expr) => {{
        let le = $liberr.clone();
        $t.set(
            $name,
            $lua.create_function(move |lua, args: MultiValue| match $f(lua, &args) {
                Ok(v) => Ok(v),
                Err(msg) => fail(lua, &le, msg),
            })?,
        )?;
    }};
}

// ---------------------------------------------------------------------------
// cjson

fn json_null() -> Value {
    Value::LightUserData(LightUserData(std::ptr::null_mut()))
}

fn cjson(lua: &Lua, liberr: &Table) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    libfn!(lua, t, liberr, "encode", |lua: &Lua, args: &MultiValue| -> Result<MultiValue, String> {
        if args.len() != 1 {
            return Err("bad argument #1 to 'encode' (expected 1 argument)".into());
        }
        let mut out = Vec::new();
        json_encode(&args[0], &mut out, 0)?;
        Ok(MultiValue::from_iter([Value::String(lua.create_string(out).map_err(|e| e.to_string())?)]))
    });
    libfn!(lua, t, liberr, "decode", |lua: &Lua, args: &MultiValue| -> Result<MultiValue, String> {
        if args.len() != 1 {
            return Err("bad argument #1 to 'decode' (expected 1 argument)".into());
        }
        let s = arg_bytes(args, 0, "decode")?;
        let mut p = JsonParser { s: &s, pos: 0, depth: 0 };
        let v = p.value(lua)?;
        p.skip_ws();
        if p.pos < s.len() {
            return Err(p.expected("the end"));
        }
        Ok(MultiValue::from_iter([v]))
    });
    for name in [
        "encode_keep_buffer",
        "encode_max_depth",
        "decode_max_depth",
        "encode_number_precision",
        "encode_invalid_numbers",
        "decode_invalid_numbers",
        "encode_sparse_array",
    ] {
        t.set(name, lua.create_function(|_, args: MultiValue| Ok(args))?)?;
    }
    t.set("null", json_null())?;
    t.set("_NAME", "cjson")?;
    t.set("_VERSION", "2.1.0")?;
    Ok(t)
}

fn json_string(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &c in s {
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            c if c < 0x20 || c == 0x7f => out.extend_from_slice(format!("\\u{:04x}", c).as_bytes()),
            c => out.push(c),
        }
    }
    out.push(b'"');
}

fn json_number(n: f64, out: &mut Vec<u8>) -> Result<(), String> {
    if n.is_nan() || n.is_infinite() {
        return Err("Cannot serialise number: must not be NaN or Inf".into());
    }
    out.extend_from_slice(fmt_g(n, 14).as_bytes());
    Ok(())
}

fn json_encode(v: &Value, out: &mut Vec<u8>, depth: usize) -> Result<(), String> {
    deep(|| json_encode_step(v, out, depth))
}

fn json_encode_step(v: &Value, out: &mut Vec<u8>, depth: usize) -> Result<(), String> {
    match v {
        Value::Nil => out.extend_from_slice(b"null"),
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => json_number(*n, out)?,
        Value::Integer(n) => json_number(*n as f64, out)?,
        Value::String(s) => json_string(&s.as_bytes(), out),
        Value::LightUserData(p) if p.0.is_null() => out.extend_from_slice(b"null"),
        Value::Table(t) => {
            let depth = depth + 1;
            if depth > 1000 {
                return Err(format!("Cannot serialise, excessive nesting ({depth})"));
            }
            // lua_array_length: positive integer keys only, not too sparse.
            let (mut max, mut items, mut array) = (0f64, 0usize, true);
            for pair in t.pairs::<Value, Value>() {
                let (k, _) = pair.map_err(|e| e.to_string())?;
                items += 1;
                match k {
                    Value::Number(n) if n >= 1.0 && n.floor() == n => max = max.max(n),
                    Value::Integer(n) if n >= 1 => max = max.max(n as f64),
                    _ => {
                        array = false;
                        break;
                    }
                }
            }
            if array && max > 10.0 && max > (items * 2) as f64 {
                return Err("Cannot serialise table: excessively sparse array".into());
            }
            if array && max > 0.0 {
                out.push(b'[');
                for i in 1..=(max as usize) {
                    if i > 1 {
                        out.push(b',');
                    }
                    let e: Value = t.raw_get(i).map_err(|e| e.to_string())?;
                    json_encode(&e, out, depth)?;
                }
                out.push(b']');
            } else {
                out.push(b'{');
                let mut first = true;
                for pair in t.pairs::<Value, Value>() {
                    let (k, e) = pair.map_err(|e| e.to_string())?;
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    match &k {
                        Value::String(s) => json_string(&s.as_bytes(), out),
                        Value::Number(n) => {
                            out.push(b'"');
                            json_number(*n, out)?;
                            out.push(b'"');
                        }
                        Value::Integer(n) => {
                            out.push(b'"');
                            json_number(*n as f64, out)?;
                            out.push(b'"');
                        }
                        other => {
                            return Err(format!("Cannot serialise {}: table key must be a number or string", type_name(other)))
                        }
                    }
                    out.push(b':');
                    json_encode(&e, out, depth)?;
                }
                out.push(b'}');
            }
        }
        other => return Err(format!("Cannot serialise {}: type not supported", type_name(other))),
    }
    Ok(())
}

/// lua-cjson's `json_is_invalid_number` for tokens that do not start with
/// '-' or a digit: '+', "inf" and "nan" still parse as numbers (its default
/// `decode_invalid_numbers` is on).
fn invalid_number_start(s: &[u8]) -> bool {
    let lower = |n: usize| s.get(..n).map(|p| p.to_ascii_lowercase());
    s.first() == Some(&b'+') || lower(3).is_some_and(|p| p == b"inf" || p == b"nan")
}

/// C's `strtod` on the longest valid prefix: sign, `inf`/`infinity`/`nan`,
/// hex (`0x1f`, with a fraction and `p` exponent), or decimal with an
/// optional exponent. Returns the value and the bytes used.
fn strtod_prefix(s: &[u8]) -> Option<(f64, usize)> {
    let mut i = 0;
    let neg = match s.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let sign = if neg { -1.0 } else { 1.0 };
    let rest = &s[i..];
    let starts = |w: &[u8]| rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w);
    if starts(b"infinity") {
        return Some((sign * f64::INFINITY, i + 8));
    }
    if starts(b"inf") {
        return Some((sign * f64::INFINITY, i + 3));
    }
    if starts(b"nan") {
        return Some((if neg { -f64::NAN } else { f64::NAN }, i + 3));
    }
    if starts(b"0x") && rest.get(2).is_some_and(|c| c.is_ascii_hexdigit() || *c == b'.') {
        let mut j = 2;
        let mut v = 0f64;
        let mut digits = 0;
        while let Some(d) = rest.get(j).and_then(|c| (*c as char).to_digit(16)) {
            v = v * 16.0 + d as f64;
            j += 1;
            digits += 1;
        }
        if rest.get(j) == Some(&b'.') {
            let mut scale = 1.0 / 16.0;
            let mut k = j + 1;
            while let Some(d) = rest.get(k).and_then(|c| (*c as char).to_digit(16)) {
                v += d as f64 * scale;
                scale /= 16.0;
                k += 1;
                digits += 1;
            }
            if digits > 0 {
                j = k;
            }
        }
        if digits == 0 {
            return Some((0.0 * sign, i + 1));
        }
        if matches!(rest.get(j), Some(b'p' | b'P')) {
            let mut k = j + 1;
            let eneg = match rest.get(k) {
                Some(b'-') => {
                    k += 1;
                    true
                }
                Some(b'+') => {
                    k += 1;
                    false
                }
                _ => false,
            };
            let es = k;
            let mut e = 0i32;
            while let Some(d) = rest.get(k).filter(|c| c.is_ascii_digit()) {
                e = e.saturating_mul(10).saturating_add((d - b'0') as i32);
                k += 1;
            }
            if k > es {
                v *= 2f64.powi(if eneg { -e } else { e });
                j = k;
            }
        }
        return Some((sign * v, i + j));
    }
    let mut j = 0;
    let mut digits = 0;
    while rest.get(j).is_some_and(|c| c.is_ascii_digit()) {
        j += 1;
        digits += 1;
    }
    if rest.get(j) == Some(&b'.') {
        j += 1;
        while rest.get(j).is_some_and(|c| c.is_ascii_digit()) {
            j += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if matches!(rest.get(j), Some(b'e' | b'E')) {
        let mut k = j + 1;
        if matches!(rest.get(k), Some(b'+' | b'-')) {
            k += 1;
        }
        if rest.get(k).is_some_and(|c| c.is_ascii_digit()) {
            while rest.get(k).is_some_and(|c| c.is_ascii_digit()) {
                k += 1;
            }
            j = k;
        }
    }
    let text = std::str::from_utf8(&s[..i + j]).ok()?;
    let text = text.strip_prefix('+').unwrap_or(text);
    let text = if text.ends_with('.') { &text[..text.len() - 1] } else { text };
    text.parse::<f64>().ok().map(|v| (v, i + j))
}

struct JsonParser<'a> {
    s: &'a [u8],
    pos: usize,
    depth: usize,
}

impl JsonParser<'_> {
    fn skip_ws(&mut self) {
        while self.pos < self.s.len() && matches!(self.s[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    /// The name lua-cjson gives the token at the current position.
    fn token_name(&self) -> (&'static str, usize) {
        let Some(&c) = self.s.get(self.pos) else {
            return ("T_END", self.pos);
        };
        let name = match c {
            b'{' => "T_OBJ_BEGIN",
            b'}' => "T_OBJ_END",
            b'[' => "T_ARR_BEGIN",
            b']' => "T_ARR_END",
            b'"' => "T_STRING",
            b'-' | b'0'..=b'9' => "T_NUMBER",
            _ if invalid_number_start(&self.s[self.pos..]) => "T_NUMBER",
            b':' => "T_COLON",
            b',' => "T_COMMA",
            _ if self.s[self.pos..].starts_with(b"true") || self.s[self.pos..].starts_with(b"false") => "T_BOOLEAN",
            _ if self.s[self.pos..].starts_with(b"null") => "T_NULL",
            _ => "invalid token",
        };
        (name, self.pos)
    }

    fn expected(&self, what: &str) -> String {
        let (name, at) = self.token_name();
        format!("Expected {what} but found {name} at character {}", at + 1)
    }

    fn value(&mut self, lua: &Lua) -> Result<Value, String> {
        deep(|| self.value_step(lua))
    }

    fn value_step(&mut self, lua: &Lua) -> Result<Value, String> {
        self.skip_ws();
        let Some(&c) = self.s.get(self.pos) else {
            return Err(self.expected("value"));
        };
        let lerr = |e: mlua::Error| e.to_string();
        match c {
            b'{' => {
                self.nest()?;
                self.pos += 1;
                let t = lua.create_table().map_err(lerr)?;
                self.skip_ws();
                if self.s.get(self.pos) == Some(&b'}') {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(Value::Table(t));
                }
                loop {
                    self.skip_ws();
                    if self.s.get(self.pos) != Some(&b'"') {
                        return Err(self.expected("object key string"));
                    }
                    let k = self.string()?;
                    self.skip_ws();
                    if self.s.get(self.pos) != Some(&b':') {
                        return Err(self.expected("colon"));
                    }
                    self.pos += 1;
                    let v = self.value(lua)?;
                    t.raw_set(lua.create_string(k).map_err(lerr)?, v).map_err(lerr)?;
                    self.skip_ws();
                    match self.s.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            break;
                        }
                        _ => return Err(self.expected("comma or object end")),
                    }
                }
                self.depth -= 1;
                Ok(Value::Table(t))
            }
            b'[' => {
                self.nest()?;
                self.pos += 1;
                let t = lua.create_table().map_err(lerr)?;
                self.skip_ws();
                if self.s.get(self.pos) == Some(&b']') {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(Value::Table(t));
                }
                let mut i = 1;
                loop {
                    let v = self.value(lua)?;
                    t.raw_set(i, v).map_err(lerr)?;
                    i += 1;
                    self.skip_ws();
                    match self.s.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        _ => return Err(self.expected("comma or array end")),
                    }
                }
                self.depth -= 1;
                Ok(Value::Table(t))
            }
            b'"' => {
                let s = self.string()?;
                Ok(Value::String(lua.create_string(s).map_err(lerr)?))
            }
            b't' if self.s[self.pos..].starts_with(b"true") => {
                self.pos += 4;
                Ok(Value::Boolean(true))
            }
            b'f' if self.s[self.pos..].starts_with(b"false") => {
                self.pos += 5;
                Ok(Value::Boolean(false))
            }
            b'n' if self.s[self.pos..].starts_with(b"null") => {
                self.pos += 4;
                Ok(json_null())
            }
            _ if c == b'-' || c.is_ascii_digit() || invalid_number_start(&self.s[self.pos..]) => {
                let start = self.pos;
                match strtod_prefix(&self.s[start..]) {
                    Some((n, used)) => {
                        self.pos += used;
                        Ok(Value::Number(n))
                    }
                    None => Err(format!("Expected value but found invalid number at character {}", start + 1)),
                }
            }
            _ => Err(self.expected("value")),
        }
    }

    fn nest(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > 1000 {
            return Err(format!("Found too many nested data structures ({}) at character {}", self.depth, self.pos + 1));
        }
        Ok(())
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let h = self.s.get(at..at + 4)?;
        u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
    }

    fn string(&mut self) -> Result<Vec<u8>, String> {
        self.pos += 1;
        let mut out = Vec::new();
        let bad = |what: &str, at: usize| format!("Expected value but found {what} at character {}", at + 1);
        loop {
            let esc = self.pos;
            let Some(&c) = self.s.get(self.pos) else {
                return Err(bad("unexpected end of string", self.pos));
            };
            match c {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    let Some(&e) = self.s.get(self.pos + 1) else {
                        return Err(bad("invalid escape code", esc));
                    };
                    self.pos += 2;
                    match e {
                        b'"' | b'\\' | b'/' => out.push(e),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let Some(mut cp) = self.hex4(self.pos) else {
                                return Err(bad("invalid unicode escape code", esc));
                            };
                            self.pos += 4;
                            if (0xD800..0xDC00).contains(&cp) {
                                if self.s.get(self.pos..self.pos + 2) != Some(b"\\u") {
                                    return Err(bad("invalid unicode escape code", esc));
                                }
                                let Some(lo) = self.hex4(self.pos + 2) else {
                                    return Err(bad("invalid unicode escape code", esc));
                                };
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(bad("invalid unicode escape code", esc));
                                }
                                self.pos += 6;
                                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                            } else if (0xDC00..0xE000).contains(&cp) {
                                return Err(bad("invalid unicode escape code", esc));
                            }
                            let ch = char::from_u32(cp).unwrap_or('\u{fffd}');
                            let mut b = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
                        }
                        _ => return Err(bad("invalid escape code", esc)),
                    }
                }
                c => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// cmsgpack

fn cmsgpack(lua: &Lua, liberr: &Table) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    libfn!(lua, t, liberr, "pack", |lua: &Lua, args: &MultiValue| -> Result<MultiValue, String> {
        if args.is_empty() {
            return Err("bad argument #0 to 'pack' (MessagePack pack needs input.)".into());
        }
        let mut out = Vec::new();
        for v in args.iter() {
            mp_encode(v, &mut out, 0);
        }
        Ok(MultiValue::from_iter([Value::String(lua.create_string(out).map_err(|e| e.to_string())?)]))
    });
    libfn!(lua, t, liberr, "unpack", |lua: &Lua, args: &MultiValue| { mp_unpack(lua, args, 0, 0) });
    libfn!(lua, t, liberr, "unpack_one", |lua: &Lua, args: &MultiValue| {
        let offset = if args.len() > 1 { arg_number(args, 1, "unpack_one")? as i64 } else { 0 };
        mp_unpack(lua, args, 1, offset)
    });
    libfn!(lua, t, liberr, "unpack_limit", |lua: &Lua, args: &MultiValue| {
        let limit = if args.len() > 1 { arg_number(args, 1, "unpack_limit")? as i64 } else { 0 };
        let offset = if args.len() > 2 { arg_number(args, 2, "unpack_limit")? as i64 } else { 0 };
        mp_unpack(lua, args, limit, offset)
    });
    t.set("_NAME", "cmsgpack")?;
    t.set("_VERSION", "lua-cmsgpack 0.4.0")?;
    t.set("_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo")?;
    t.set("_DESCRIPTION", "MessagePack C implementation for Lua")?;
    Ok(t)
}

fn mp_encode(v: &Value, out: &mut Vec<u8>, depth: usize) {
    match v {
        Value::Nil => out.push(0xc0),
        Value::Boolean(b) => out.push(if *b { 0xc3 } else { 0xc2 }),
        Value::Integer(n) => mp_int(*n, out),
        Value::Number(n) => {
            let n = *n;
            if n.is_finite() && n.floor() == n && n >= i64::MIN as f64 && n < i64::MAX as f64 {
                mp_int(n as i64, out);
            } else if (n as f32) as f64 == n {
                out.push(0xca);
                out.extend_from_slice(&(n as f32).to_be_bytes());
            } else {
                out.push(0xcb);
                out.extend_from_slice(&n.to_be_bytes());
            }
        }
        Value::String(s) => {
            let s = s.as_bytes();
            let n = s.len();
            if n < 32 {
                out.push(0xa0 | n as u8);
            } else if n <= 0xff {
                out.extend_from_slice(&[0xd9, n as u8]);
            } else if n <= 0xffff {
                out.push(0xda);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            } else {
                out.push(0xdb);
                out.extend_from_slice(&(n as u32).to_be_bytes());
            }
            out.extend_from_slice(&s);
        }
        Value::Table(t) if depth < 16 => {
            // An array when the keys are exactly 1..n.
            let (mut count, mut max, mut array) = (0usize, 0usize, true);
            for pair in t.pairs::<Value, Value>().flatten() {
                count += 1;
                match pair.0 {
                    Value::Number(k) if k >= 1.0 && k.floor() == k => max = max.max(k as usize),
                    Value::Integer(k) if k >= 1 => max = max.max(k as usize),
                    _ => array = false,
                }
            }
            if array && max == count {
                mp_header(out, count, 0x90, 0xdc, 0xdd);
                for i in 1..=count {
                    let e: Value = t.raw_get(i).unwrap_or(Value::Nil);
                    mp_encode(&e, out, depth + 1);
                }
            } else {
                mp_header(out, count, 0x80, 0xde, 0xdf);
                for (k, e) in t.pairs::<Value, Value>().flatten() {
                    mp_encode(&k, out, depth + 1);
                    mp_encode(&e, out, depth + 1);
                }
            }
        }
        _ => out.push(0xc0),
    }
}

fn mp_header(out: &mut Vec<u8>, n: usize, fix: u8, b16: u8, b32: u8) {
    if n < 16 {
        out.push(fix | n as u8);
    } else if n <= 0xffff {
        out.push(b16);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(b32);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
}

fn mp_int(n: i64, out: &mut Vec<u8>) {
    if n >= 0 {
        let n = n as u64;
        if n <= 127 {
            out.push(n as u8);
        } else if n <= 0xff {
            out.extend_from_slice(&[0xcc, n as u8]);
        } else if n <= 0xffff {
            out.push(0xcd);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        } else if n <= 0xffff_ffff {
            out.push(0xce);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        } else {
            out.push(0xcf);
            out.extend_from_slice(&n.to_be_bytes());
        }
    } else if n >= -32 {
        out.push(n as i8 as u8);
    } else if n >= -128 {
        out.extend_from_slice(&[0xd0, n as i8 as u8]);
    } else if n >= -32768 {
        out.push(0xd1);
        out.extend_from_slice(&(n as i16).to_be_bytes());
    } else if n >= -2147483648 {
        out.push(0xd2);
        out.extend_from_slice(&(n as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn mp_unpack(lua: &Lua, args: &MultiValue, limit: i64, offset: i64) -> Result<MultiValue, String> {
    let s = arg_bytes(args, 0, "unpack")?;
    if offset < 0 || limit < 0 {
        return Err(format!("Invalid request to unpack with offset of {offset} and limit of {}.", s.len()));
    }
    let mut pos = offset as usize;
    if pos > s.len() {
        return Err(format!("Start offset {offset} greater than input length {}.", s.len()));
    }
    let mut vals = Vec::new();
    while pos < s.len() && (limit == 0 || (vals.len() as i64) < limit) {
        vals.push(mp_decode(lua, &s, &mut pos, 0)?);
    }
    if limit > 0 || offset > 0 || args.len() > 1 {
        let next = if pos >= s.len() { -1.0 } else { pos as f64 };
        let mut mv = vec![Value::Number(next)];
        mv.extend(vals);
        return Ok(MultiValue::from_iter(mv));
    }
    Ok(MultiValue::from_iter(vals))
}

/// Nesting at which lua-cmsgpack runs out of Lua stack in Redis.
const MP_MAX_DEPTH: usize = 3999;

fn mp_decode(lua: &Lua, s: &[u8], pos: &mut usize, depth: usize) -> Result<Value, String> {
    deep(|| mp_decode_step(lua, s, pos, depth))
}

fn mp_decode_step(lua: &Lua, s: &[u8], pos: &mut usize, depth: usize) -> Result<Value, String> {
    let missing = || "Missing bytes in input.".to_string();
    let take = |pos: &mut usize, n: usize| -> Result<&[u8], String> {
        let b = s.get(*pos..*pos + n).ok_or_else(missing)?;
        *pos += n;
        Ok(b)
    };
    let lerr = |e: mlua::Error| e.to_string();
    let c = *s.get(*pos).ok_or_else(missing)?;
    *pos += 1;
    let be = |b: &[u8]| b.iter().fold(0u64, |a, &x| (a << 8) | x as u64);
    let string = |pos: &mut usize, n: usize| -> Result<Value, String> {
        let b = take(pos, n)?;
        Ok(Value::String(lua.create_string(b).map_err(lerr)?))
    };
    let array = |pos: &mut usize, n: usize| -> Result<Value, String> {
        if depth >= MP_MAX_DEPTH {
            return Err("stack overflow (in function mp_decode_to_lua_array)".into());
        }
        let t = lua.create_table().map_err(lerr)?;
        for i in 1..=n {
            let v = mp_decode(lua, s, pos, depth + 1)?;
            t.raw_set(i, v).map_err(lerr)?;
        }
        Ok(Value::Table(t))
    };
    let map = |pos: &mut usize, n: usize| -> Result<Value, String> {
        if depth >= MP_MAX_DEPTH {
            return Err("stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)".into());
        }
        let t = lua.create_table().map_err(lerr)?;
        for _ in 0..n {
            let k = mp_decode(lua, s, pos, depth + 1)?;
            let v = mp_decode(lua, s, pos, depth + 1)?;
            if !k.is_nil() {
                t.raw_set(k, v).map_err(lerr)?;
            }
        }
        Ok(Value::Table(t))
    };
    Ok(match c {
        0x00..=0x7f => Value::Number(c as f64),
        0x80..=0x8f => map(pos, (c & 0x0f) as usize)?,
        0x90..=0x9f => array(pos, (c & 0x0f) as usize)?,
        0xa0..=0xbf => string(pos, (c & 0x1f) as usize)?,
        0xc0 => Value::Nil,
        0xc2 => Value::Boolean(false),
        0xc3 => Value::Boolean(true),
        0xc4 | 0xd9 => {
            let n = take(pos, 1)?[0] as usize;
            string(pos, n)?
        }
        0xc5 | 0xda => {
            let n = be(take(pos, 2)?) as usize;
            string(pos, n)?
        }
        0xc6 | 0xdb => {
            let n = be(take(pos, 4)?) as usize;
            string(pos, n)?
        }
        0xca => Value::Number(f32::from_be_bytes(take(pos, 4)?.try_into().expect("4")) as f64),
        0xcb => Value::Number(f64::from_be_bytes(take(pos, 8)?.try_into().expect("8"))),
        0xcc => Value::Number(take(pos, 1)?[0] as f64),
        0xcd => Value::Number(be(take(pos, 2)?) as f64),
        0xce => Value::Number(be(take(pos, 4)?) as f64),
        0xcf => Value::Number(be(take(pos, 8)?) as f64),
        0xd0 => Value::Number(take(pos, 1)?[0] as i8 as f64),
        0xd1 => Value::Number(be(take(pos, 2)?) as u16 as i16 as f64),
        0xd2 => Value::Number(be(take(pos, 4)?) as u32 as i32 as f64),
        0xd3 => Value::Number(be(take(pos, 8)?) as i64 as f64),
        0xdc => {
            let n = be(take(pos, 2)?) as usize;
            array(pos, n)?
        }
        0xdd => {
            let n = be(take(pos, 4)?) as usize;
            array(pos, n)?
        }
        0xde => {
            let n = be(take(pos, 2)?) as usize;
            map(pos, n)?
        }
        0xdf => {
            let n = be(take(pos, 4)?) as usize;
            map(pos, n)?
        }
        0xe0..=0xff => Value::Number(c as i8 as f64),
        _ => return Err("Bad data format in input.".into()),
    })
}

// ---------------------------------------------------------------------------
// bit (LuaBitOp): numbers are reduced to signed 32-bit integers.

fn tobit(n: f64) -> i32 {
    // LuaBitOp adds 2^52+2^51 and takes the low word, i.e. rounds to the
    // nearest integer and wraps modulo 2^32.
    let r = n.round_ties_even();
    if !r.is_finite() {
        return 0;
    }
    (r.rem_euclid(4294967296.0) as u64) as u32 as i32
}

fn bit(lua: &Lua, liberr: &Table) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    fn nums(args: &MultiValue, name: &str, min: usize) -> Result<Vec<i32>, String> {
        let n = args.len().max(min);
        (0..n).map(|i| arg_number(args, i, name).map(tobit)).collect()
    }
    let num = |v: i32| one(Value::Number(v as f64));
    macro_rules! fold {
        ($name:literal, $op:expr) => {
            libfn!(lua, t, liberr, $name, |_: &Lua, args: &MultiValue| -> Result<MultiValue, String> {
                let v = nums(args, $name, 1)?;
                num(v.into_iter().reduce($op).unwrap_or(0)).map_err(|e| e.to_string())
            });
        };
    }
    fold!("band", |a, b| a & b);
    fold!("bor", |a, b| a | b);
    fold!("bxor", |a, b| a ^ b);
    macro_rules! unary {
        ($name:literal, $op:expr) => {
            libfn!(lua, t, liberr, $name, |_: &Lua, args: &MultiValue| -> Result<MultiValue, String> {
                let v = arg_number(args, 0, $name).map(tobit)?;
                num($op(v)).map_err(|e| e.to_string())
            });
        };
    }
    unary!("tobit", |v: i32| v);
    unary!("bnot", |v: i32| !v);
    unary!("bswap", |v: i32| v.swap_bytes());
    macro_rules! shift {
        ($name:literal, $op:expr) => {
            libfn!(lua, t, liberr, $name, |_: &Lua, args: &MultiValue| -> Result<MultiValue, String> {
                let v = arg_number(args, 0, $name).map(tobit)?;
                let n = (arg_number(args, 1, $name).map(tobit)? & 31) as u32;
                num($op(v, n)).map_err(|e| e.to_string())
            });
        };
    }
    shift!("lshift", |v: i32, n: u32| ((v as u32) << n) as i32);
    shift!("rshift", |v: i32, n: u32| ((v as u32) >> n) as i32);
    shift!("arshift", |v: i32, n: u32| v >> n);
    shift!("rol", |v: i32, n: u32| (v as u32).rotate_left(n) as i32);
    shift!("ror", |v: i32, n: u32| (v as u32).rotate_right(n) as i32);
    libfn!(lua, t, liberr, "tohex", |lua: &Lua, args: &MultiValue| -> Result<MultiValue, String> {
        let v = arg_number(args, 0, "tohex").map(tobit)? as u32;
        let mut n = if args.len() > 1 && !args[1].is_nil() { arg_number(args, 1, "tohex").map(tobit)? } else { 8 };
        let upper = n < 0;
        if n < 0 {
            n = -n;
        }
        let n = n.min(8) as usize;
        let s = if upper { format!("{:08X}", v) } else { format!("{:08x}", v) };
        let s = &s[8 - n..];
        Ok(MultiValue::from_iter([Value::String(lua.create_string(s).map_err(|e| e.to_string())?)]))
    });
    Ok(t)
}

// ---------------------------------------------------------------------------
// struct

#[derive(Clone, Copy)]
struct Fmt {
    little: bool,
    align: usize,
}

fn struct_opt(f: &[u8], i: &mut usize, def: usize) -> usize {
    let mut n = 0usize;
    let start = *i;
    while *i < f.len() && f[*i].is_ascii_digit() {
        n = n.saturating_mul(10).saturating_add((f[*i] - b'0') as usize);
        *i += 1;
    }
    if *i == start {
        def
    } else {
        n
    }
}

/// One format item: its kind and size; None for option-only items.
enum Item {
    Int { size: usize, signed: bool },
    Float,
    Double,
    Char(usize),
    Zstr,
    Pad,
    None,
}

fn struct_item(f: &[u8], i: &mut usize, h: &mut Fmt, fname: &str) -> Result<Item, String> {
    let c = f[*i];
    *i += 1;
    Ok(match c {
        b'b' => Item::Int { size: 1, signed: true },
        b'B' => Item::Int { size: 1, signed: false },
        b'h' => Item::Int { size: 2, signed: true },
        b'H' => Item::Int { size: 2, signed: false },
        b'l' => Item::Int { size: 8, signed: true },
        b'L' => Item::Int { size: 8, signed: false },
        b'T' => Item::Int { size: 8, signed: false },
        b'i' | b'I' => {
            let size = struct_opt(f, i, 4);
            if size > 32 {
                return Err(format!("integral size {size} is larger than limit of 32"));
            }
            Item::Int { size, signed: c == b'i' }
        }
        b'f' => Item::Float,
        b'd' => Item::Double,
        b'c' => Item::Char(struct_opt(f, i, 1)),
        b's' => Item::Zstr,
        b'x' => Item::Pad,
        b' ' => Item::None,
        b'<' => {
            h.little = true;
            Item::None
        }
        b'>' => {
            h.little = false;
            Item::None
        }
        b'!' => {
            h.align = struct_opt(f, i, 8);
            Item::None
        }
        other => return Err(format!("bad argument #1 to '{fname}' (invalid format option '{}')", other as char)),
    })
}

fn item_size(it: &Item) -> usize {
    match it {
        Item::Int { size, .. } => *size,
        Item::Float => 4,
        Item::Double => 8,
        Item::Char(n) => *n,
        Item::Pad => 1,
        _ => 0,
    }
}

fn align_pad(it: &Item, h: &Fmt, len: usize) -> usize {
    let size = match it {
        Item::Int { size, .. } => *size,
        Item::Float => 4,
        Item::Double => 8,
        _ => return 0,
    };
    let a = size.min(h.align);
    if a <= 1 || !a.is_power_of_two() {
        return 0;
    }
    (a - (len & (a - 1))) & (a - 1)
}

/// A number argument of struct.pack (its buffer sits on the Lua stack, so
/// a missing argument reads as nil).
fn pack_number(args: &MultiValue, i: usize) -> Result<f64, String> {
    if i >= args.len() {
        return Err(format!("bad argument #{} to 'pack' (number expected, got nil)", i + 1));
    }
    arg_number(args, i, "pack")
}

/// A string argument of struct.pack.
fn pack_bytes(args: &MultiValue, i: usize) -> Result<Vec<u8>, String> {
    if i >= args.len() {
        return Err(format!("bad argument #{} to 'pack' (string expected, got nil)", i + 1));
    }
    arg_bytes(args, i, "pack")
}

fn structlib(lua: &Lua, liberr: &Table) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    libfn!(lua, t, liberr, "pack", |lua: &Lua, args: &MultiValue| -> Result<MultiValue, String> {
        let f = arg_bytes(args, 0, "pack")?;
        let mut h = Fmt { little: cfg!(target_endian = "little"), align: 1 };
        let mut out: Vec<u8> = Vec::new();
        let (mut i, mut arg) = (0, 1);
        while i < f.len() {
            let it = struct_item(&f, &mut i, &mut h, "pack")?;
            out.resize(out.len() + align_pad(&it, &h, out.len()), 0);
            match it {
                Item::Int { size, .. } => {
                    let n = pack_number(args, arg)?;
                    arg += 1;
                    // struct.c's putinteger: the value as a 64-bit unsigned
                    // integer, shifted out a byte at a time.
                    let mut v = if n < 0.0 { n as i64 as u64 } else { n as u64 };
                    let mut b = Vec::with_capacity(size);
                    for _ in 0..size {
                        b.push(v as u8);
                        v >>= 8;
                    }
                    if !h.little {
                        b.reverse();
                    }
                    out.extend_from_slice(&b);
                }
                Item::Float => {
                    let n = pack_number(args, arg)? as f32;
                    arg += 1;
                    out.extend_from_slice(&if h.little { n.to_le_bytes() } else { n.to_be_bytes() });
                }
                Item::Double => {
                    let n = pack_number(args, arg)?;
                    arg += 1;
                    out.extend_from_slice(&if h.little { n.to_le_bytes() } else { n.to_be_bytes() });
                }
                Item::Char(n) => {
                    let s = pack_bytes(args, arg)?;
                    arg += 1;
                    let n = if n == 0 { s.len() } else { n };
                    if s.len() < n {
                        return Err(format!("bad argument #{} to 'pack' (string too short)", arg + 1));
                    }
                    out.extend_from_slice(&s[..n]);
                }
                Item::Zstr => {
                    let s = pack_bytes(args, arg)?;
                    arg += 1;
                    out.extend_from_slice(&s);
                    out.push(0);
                }
                Item::Pad => out.push(0),
                Item::None => {}
            }
        }
        Ok(MultiValue::from_iter([Value::String(lua.create_string(out).map_err(|e| e.to_string())?)]))
    });
    libfn!(lua, t, liberr, "unpack", |lua: &Lua, args: &MultiValue| -> Result<MultiValue, String> {
        let f = arg_bytes(args, 0, "unpack")?;
        let s = arg_bytes(args, 1, "unpack")?;
        let mut pos = if args.len() > 2 { (arg_number(args, 2, "unpack")? as i64 - 1).max(0) as usize } else { 0 };
        let mut h = Fmt { little: cfg!(target_endian = "little"), align: 1 };
        let mut vals: Vec<Value> = Vec::new();
        let lerr = |e: mlua::Error| e.to_string();
        let short = || "bad argument #2 to 'unpack' (data string too short)".to_string();
        let mut i = 0;
        let mut last_int: Option<f64> = None;
        while i < f.len() {
            let it = struct_item(&f, &mut i, &mut h, "unpack")?;
            pos += align_pad(&it, &h, pos);
            match it {
                Item::Int { size, signed } => {
                    let b = s.get(pos..pos + size).ok_or_else(short)?;
                    // struct.c's getinteger, with x86's shift-count masking
                    // for sizes past 8 bytes.
                    let mut v: u64 = 0;
                    for k in 0..size {
                        let byte = if h.little { b[size - 1 - k] } else { b[k] };
                        v = (v << 8) | byte as u64;
                    }
                    let n = if signed && size > 0 {
                        let mask = u64::MAX.wrapping_shl((size * 8 - 1) as u32);
                        if v & mask != 0 {
                            v |= mask;
                        }
                        v as i64 as f64
                    } else {
                        v as f64
                    };
                    vals.push(Value::Number(n));
                    last_int = Some(n);
                    pos += size;
                }
                Item::Float => {
                    let b: [u8; 4] = s.get(pos..pos + 4).ok_or_else(short)?.try_into().expect("4");
                    vals.push(Value::Number(if h.little { f32::from_le_bytes(b) } else { f32::from_be_bytes(b) } as f64));
                    pos += 4;
                }
                Item::Double => {
                    let b: [u8; 8] = s.get(pos..pos + 8).ok_or_else(short)?.try_into().expect("8");
                    vals.push(Value::Number(if h.little { f64::from_le_bytes(b) } else { f64::from_be_bytes(b) }));
                    pos += 8;
                }
                Item::Char(n) => {
                    let n = if n == 0 {
                        match (last_int, vals.pop()) {
                            (Some(l), Some(_)) => l as usize,
                            _ => return Err("bad argument #1 to 'unpack' (format 'c0' needs a previous size)".into()),
                        }
                    } else {
                        n
                    };
                    let b = s.get(pos..pos + n).ok_or_else(short)?;
                    vals.push(Value::String(lua.create_string(b).map_err(lerr)?));
                    pos += n;
                }
                Item::Zstr => {
                    let rest = s.get(pos..).unwrap_or(&[]);
                    let n = rest.iter().position(|&b| b == 0).ok_or_else(|| "unfinished string in data".to_string())?;
                    vals.push(Value::String(lua.create_string(&rest[..n]).map_err(lerr)?));
                    pos += n + 1;
                }
                Item::Pad => pos += 1,
                Item::None => {}
            }
        }
        vals.push(Value::Number((pos + 1) as f64));
        Ok(MultiValue::from_iter(vals))
    });
    libfn!(lua, t, liberr, "size", |_: &Lua, args: &MultiValue| -> Result<MultiValue, String> {
        let f = arg_bytes(args, 0, "size")?;
        let mut h = Fmt { little: true, align: 1 };
        let (mut i, mut size) = (0, 0usize);
        while i < f.len() {
            let it = struct_item(&f, &mut i, &mut h, "size")?;
            if matches!(it, Item::Zstr) || matches!(it, Item::Char(0)) {
                let opt = if matches!(it, Item::Zstr) { "s" } else { "c0" };
                return Err(format!("bad argument #1 to 'size' (option '{opt}' has no fixed size)"));
            }
            size += align_pad(&it, &h, size) + item_size(&it);
        }
        one(Value::Number(size as f64)).map_err(|e| e.to_string())
    });
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_format() {
        assert_eq!(fmt_g(3.14159265358979, 14), "3.1415926535898");
        assert_eq!(fmt_g(1e20, 14), "1e+20");
        assert_eq!(fmt_g(1e15, 14), "1e+15");
        assert_eq!(fmt_g(100.0, 14), "100");
        assert_eq!(fmt_g(0.0001, 14), "0.0001");
        assert_eq!(fmt_g(0.00001, 14), "1e-05");
        assert_eq!(fmt_g(1.2345678901234567e19, 14), "1.2345678901235e+19");
    }

    #[test]
    fn bits() {
        assert_eq!(tobit(4294967301.0), 5);
        assert_eq!(tobit(-1.0), -1);
        assert_eq!(tobit(2147483648.0), i32::MIN);
    }
}
