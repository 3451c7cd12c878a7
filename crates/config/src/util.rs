//! Byte-exact re-implementations of the small C helpers whose quirks are
//! visible through configuration: Redis's `string2ll`, `memtoull`,
//! `strtoll`/`strtol` with end-pointer checks, `string2d`, `sdscatrepr`,
//! the `%f`-then-trim double formatting, `getAbsolutePath`, plus
//! `strerror`-style texts for I/O errors.

use std::io;
use std::path::{Path, PathBuf};

/// Redis `string2ll()`: a strict decimal `i64` — no spaces, no `+`, no
/// leading zeros (except the single string `0`), no `-0`, at most 20 bytes.
pub(crate) fn string2ll(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() >= 21 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (negative, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut v: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    if negative {
        if v > (i64::MAX as u64) + 1 {
            return None;
        }
        Some((v as i64).wrapping_neg())
    } else {
        i64::try_from(v).ok()
    }
}

/// C `isspace()` in the "C" locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// C `strtoll(s, &end, base)` followed by the usual `*end == '\0'` check.
///
/// Returns `(value, overflowed)` when the whole string was consumed.  Like
/// C, leading whitespace and a sign are accepted, an empty string parses as
/// 0 (the end pointer is then already at the terminator), a string with no
/// digits is rejected unless it is empty, and out-of-range values saturate
/// (`overflowed` reports C's `ERANGE`).
pub(crate) fn strtoll_full(s: &[u8], base: u32) -> Option<(i64, bool)> {
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let mut negative = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        negative = s[i] == b'-';
        i += 1;
    }
    let digits_start = i;
    let mut acc: u128 = 0;
    let mut overflow = false;
    while i < s.len() {
        let d = match (s[i] as char).to_digit(base) {
            Some(d) => d,
            None => break,
        };
        acc = acc * u128::from(base) + u128::from(d);
        if acc > u128::from(u64::MAX) {
            overflow = true;
            acc = u128::from(u64::MAX);
        }
        i += 1;
    }
    if i == digits_start {
        // No conversion: C leaves the end pointer at the start of the string.
        return if s.is_empty() { Some((0, false)) } else { None };
    }
    if i != s.len() {
        return None;
    }
    let limit = if negative {
        (i64::MAX as u128) + 1
    } else {
        i64::MAX as u128
    };
    if acc > limit {
        return Some((if negative { i64::MIN } else { i64::MAX }, true));
    }
    let v = acc as i64;
    Some((if negative { v.wrapping_neg() } else { v }, overflow))
}

/// Redis `memtoull()` as of 7.0.15: decimal digits followed by an optional
/// case-insensitive unit `b`, `k` (1000), `kb` (1024), `m`, `mb`, `g`, `gb`.
///
/// Quirks kept on purpose (verified against redis-server 7.0.15): an empty
/// digit string counts as 0 (`""` and `"kb"` are valid and mean 0), a digit
/// string too large for 64 bits saturates to `u64::MAX`, and the unit
/// multiplication wraps around.
pub(crate) fn memtoull(s: &[u8]) -> Option<u64> {
    if s.first() == Some(&b'-') {
        return None;
    }
    let digits_end = s
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    let unit = s[digits_end..].to_ascii_lowercase();
    let mul: u64 = match unit.as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits_end >= 128 {
        return None;
    }
    let mut val: u64 = 0;
    for &b in &s[..digits_end] {
        val = val.saturating_mul(10).saturating_add(u64::from(b - b'0'));
    }
    Some(val.wrapping_mul(mul))
}

/// Redis `yesnotoi()`: `yes` / `no`, case-insensitive.
pub(crate) fn yes_no(s: &[u8]) -> Option<bool> {
    if s.eq_ignore_ascii_case(b"yes") {
        Some(true)
    } else if s.eq_ignore_ascii_case(b"no") {
        Some(false)
    } else {
        None
    }
}

/// Redis `string2d()`: the whole string must be a finite-or-infinite
/// double as C `strtod` reads it (decimal or hexadecimal), with no leading
/// whitespace; NaN is rejected.
pub(crate) fn string2d(s: &[u8]) -> Option<f64> {
    if s.is_empty() || is_c_space(s[0]) {
        return None;
    }
    let text = std::str::from_utf8(s).ok()?;
    let (sign, body) = match text.as_bytes()[0] {
        b'-' => (-1.0, &text[1..]),
        b'+' => (1.0, &text[1..]),
        _ => (1.0, text),
    };
    let v = if body.len() > 2 && (body.starts_with("0x") || body.starts_with("0X")) {
        sign * parse_hex_float(&body[2..])?
    } else {
        // Rust's grammar is close to strtod's for decimal input; reject the
        // forms strtod does not accept.
        if body.starts_with(['+', '-']) || body.contains('_') {
            return None;
        }
        sign * body.parse::<f64>().ok()?
    };
    if v.is_nan() {
        return None;
    }
    Some(v)
}

/// The part of a C hexadecimal float after `0x`: hex digits, an optional
/// `.` and fraction, an optional binary exponent `p[+-]N`.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mantissa, exponent) = match s.find(['p', 'P']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int_part, frac_part) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int_part.chars() {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        v += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    if let Some(e) = exponent {
        let e: i32 = match e.strip_prefix('+') {
            Some(rest) if !rest.starts_with(['+', '-']) => rest.parse().ok()?,
            Some(_) => return None,
            None => e.parse().ok()?,
        };
        v *= 2f64.powi(e);
    }
    Some(v)
}

/// C `printf("%f")` followed by Redis's `trimDoubleString()`: six decimals,
/// then trailing zeros (and a trailing dot) removed.
pub(crate) fn format_percentile(v: f64) -> String {
    let mut s = format!("{v:.6}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

/// Redis `sdscatrepr()`: a double-quoted, C-escaped rendering of `s`
/// appended to `out`.
pub(crate) fn push_repr(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for &b in s {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}

/// The `strerror()` text of an I/O error: Rust renders OS errors as
/// `"<strerror text> (os error N)"`; the suffix is dropped.
pub(crate) fn strerror(e: &io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Redis `getAbsolutePath()`: absolute paths are returned unchanged;
/// relative ones are appended to the current directory, consuming leading
/// `../` components by dropping directories from it.
pub(crate) fn absolute_path(path: &Path) -> io::Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    let mut base = std::env::current_dir()?;
    let mut rel = path.to_string_lossy().into_owned();
    while let Some(rest) = rel.strip_prefix("../") {
        base.pop();
        rel = rest.to_string();
    }
    Ok(base.join(rel))
}

/// Joins `path` to `base` unless it is already absolute (how a relative
/// path is resolved after Redis has `chdir()`ed into `dir`).
pub(crate) fn resolve_in(base: &str, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        Path::new(base).join(path)
    }
}

/// Lossy conversion of configuration bytes to a `String`.
pub(crate) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string2ll_is_strict() {
        assert_eq!(string2ll(b"0"), Some(0));
        assert_eq!(string2ll(b"-1"), Some(-1));
        assert_eq!(string2ll(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(string2ll(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"01",
            b"-0",
            b"+1",
            b" 1",
            b"1 ",
            b"1k",
            b"9223372036854775808",
        ] {
            assert_eq!(string2ll(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    // Expected values verified against redis-server 7.0.15 with
    // `CONFIG SET maxmemory <v>` / `CONFIG GET maxmemory`.
    #[test]
    fn memtoull_matches_redis() {
        assert_eq!(memtoull(b"1k"), Some(1000));
        assert_eq!(memtoull(b"1K"), Some(1000));
        assert_eq!(memtoull(b"1kb"), Some(1024));
        assert_eq!(memtoull(b"1KB"), Some(1024));
        assert_eq!(memtoull(b"1m"), Some(1_000_000));
        assert_eq!(memtoull(b"1mb"), Some(1 << 20));
        assert_eq!(memtoull(b"1g"), Some(1_000_000_000));
        assert_eq!(memtoull(b"1Gb"), Some(1 << 30));
        assert_eq!(memtoull(b"1B"), Some(1));
        assert_eq!(memtoull(b""), Some(0));
        assert_eq!(memtoull(b"kb"), Some(0));
        assert_eq!(memtoull(b"18446744073709551616"), Some(u64::MAX));
        assert_eq!(
            memtoull(b"99999999999999999999k"),
            Some(18446744073709550616)
        );
        assert_eq!(memtoull(b"20000000000gb"), Some(3028092406290448384));
        assert_eq!(memtoull(b"17179869184gb"), Some(0));
        for bad in [
            &b"-1"[..],
            b"1bb",
            b"1.5mb",
            b"0x10",
            b" 1",
            b"1 ",
            b"+1",
            b"abc",
        ] {
            assert_eq!(memtoull(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn strtoll_full_like_c() {
        assert_eq!(strtoll_full(b"", 10), Some((0, false)));
        assert_eq!(strtoll_full(b" +5", 10), Some((5, false)));
        assert_eq!(strtoll_full(b"-3", 10), Some((-3, false)));
        assert_eq!(strtoll_full(b"5 ", 10), None);
        assert_eq!(strtoll_full(b" ", 10), None);
        assert_eq!(strtoll_full(b"+", 10), None);
        assert_eq!(strtoll_full(b"777", 8), Some((511, false)));
        assert_eq!(strtoll_full(b"800", 8), None);
        assert_eq!(
            strtoll_full(b"99999999999999999999", 10),
            Some((i64::MAX, true))
        );
    }

    #[test]
    fn string2d_and_percentile_format() {
        assert_eq!(string2d(b"99.9"), Some(99.9));
        assert_eq!(string2d(b"1e1"), Some(10.0));
        assert_eq!(string2d(b"0x10"), Some(16.0));
        assert_eq!(string2d(b" 50"), None);
        assert_eq!(string2d(b"50 "), None);
        assert_eq!(string2d(b""), None);
        assert_eq!(string2d(b"nan"), None);
        assert_eq!(string2d(b"abc"), None);
        // Verified against redis-server 7.0.15: "1e1 0x10 99.123456789"
        // reads back as "10 16 99.123457".
        assert_eq!(format_percentile(10.0), "10");
        assert_eq!(format_percentile(16.0), "16");
        assert_eq!(format_percentile(99.123456789), "99.123457");
        assert_eq!(format_percentile(99.9), "99.9");
    }

    #[test]
    fn repr_escapes() {
        let mut out = Vec::new();
        push_repr(&mut out, b"p\"w d\\\n\x01\xff");
        assert_eq!(out, b"\"p\\\"w d\\\\\\n\\x01\\xff\"");
    }
}
