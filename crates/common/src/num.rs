//! Number parsing and formatting that is byte-exact with Redis 7.0.
//!
//! Redis is strict about which strings count as numbers, and clients can
//! observe every detail of its number formatting, so this module mirrors the
//! C helpers from Redis's `util.c` rather than Rust's standard parsers:
//!
//! * [`parse_i64`] is `string2ll()`: an optional `-` followed by decimal
//!   digits with no leading zero (the lone string `0` excepted), nothing
//!   else — no `+`, no spaces, no `-0`, no overflow.
//! * [`parse_f64`] is `string2d()`: C `strtod()` with extra checks (no
//!   leading whitespace, the whole input consumed, no NaN, no overflow to
//!   infinity and no underflow to zero).  Like `strtod()` it accepts hex
//!   floats (`0x1p3`) and the words `inf`/`infinity` in any case.
//! * [`parse_scan_cursor`] is the `strtoul()`-based SCAN cursor parser.
//! * [`format_i64`] is a fast integer formatter (a two-digits-at-a-time
//!   table lookup, like the `itoa` crate).
//! * [`format_double`] reproduces the `%.17g` text that Redis 7.0's
//!   `addReplyDouble()` sends for scores and other doubles.
//! * [`LongDouble`], [`incr_by_float`] and [`hincr_by_float`] implement the
//!   `long double` arithmetic of INCRBYFLOAT and HINCRBYFLOAT through a small
//!   C helper, because Rust has no 80-bit float type.

mod long_double;

pub use long_double::{
    hincr_by_float, incr_by_float, parse_long_double_ok, FloatOperand, IncrFloatError, LongDouble,
    MAX_LONG_DOUBLE_CHARS,
};

/// Parses a signed 64-bit integer with the exact rules of Redis's
/// `string2ll()`.
///
/// Accepted: `0`, or an optional `-` followed by a digit `1`-`9` and any
/// further digits, with the value inside the `i64` range.  Everything else
/// is rejected: the empty string, `+1`, ` 1`, `1 `, `01`, `-0`, `1.0`,
/// `9223372036854775808`, and so on.  (Redis additionally rejects inputs of
/// 21 bytes or more up front; no such input could be valid anyway.)
///
/// ```
/// use hematite_common::num::parse_i64;
/// assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
/// assert_eq!(parse_i64(b"-0"), None);
/// assert_eq!(parse_i64(b"007"), None);
/// ```
#[inline]
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    let (negative, digits) = match s {
        [] => return None,
        [b'0'] => return Some(0),
        [b'-', rest @ ..] => (true, rest),
        _ => (false, s),
    };
    let magnitude = parse_digits_no_leading_zero(digits)?;
    if negative {
        if magnitude > i64::MIN.unsigned_abs() {
            return None;
        }
        Some((magnitude as i64).wrapping_neg())
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Parses an unsigned 64-bit integer with the same strict rules as
/// [`parse_i64`] (digits only, no sign, no leading zeros except the lone
/// `0`), but accepting the whole `u64` range.
///
/// This is a convenience for internal formats; Redis commands that take
/// unsigned values mostly parse them as signed 64-bit integers.
#[inline]
pub fn parse_u64(s: &[u8]) -> Option<u64> {
    match s {
        [] => None,
        [b'0'] => Some(0),
        _ => parse_digits_no_leading_zero(s),
    }
}

/// Parses a non-empty run of decimal digits whose first digit is not zero,
/// rejecting overflow of `u64`.
#[inline(always)]
fn parse_digits_no_leading_zero(digits: &[u8]) -> Option<u64> {
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    if digits.len() > 20 {
        return None;
    }
    let mut v: u64 = 0;
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(d as u64)?;
    }
    Some(v)
}

/// Parses a SCAN cursor the way Redis 7.0 does (`strtoul()` base 10).
///
/// This is far more lenient than [`parse_i64`]: a leading `+` or `-`, leading
/// zeros and the empty string (cursor 0) are all accepted, and a negative
/// number wraps modulo 2^64 (`-1` is `18446744073709551615`).  Rejected are
/// a leading whitespace byte, trailing garbage, a sign without digits and
/// magnitudes above `u64::MAX`.  Because the C code sees a NUL-terminated
/// string, anything from a NUL byte onward is ignored.  Redis answers
/// `ERR invalid cursor` when this returns `None`.
///
/// ```
/// use hematite_common::num::parse_scan_cursor;
/// assert_eq!(parse_scan_cursor(b"007"), Some(7));
/// assert_eq!(parse_scan_cursor(b""), Some(0));
/// assert_eq!(parse_scan_cursor(b"-1"), Some(u64::MAX));
/// assert_eq!(parse_scan_cursor(b" 5"), None);
/// ```
pub fn parse_scan_cursor(s: &[u8]) -> Option<u64> {
    let s = match s.iter().position(|&b| b == 0) {
        Some(end) => &s[..end],
        None => s,
    };
    if s.is_empty() {
        // strtoul() converts nothing and leaves the end pointer on the NUL.
        return Some(0);
    }
    if is_c_space(s[0]) {
        return None;
    }
    let (negative, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        // No conversion: the end pointer stays on the sign.
        return None;
    }
    let mut v: u64 = 0;
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        // Overflow sets ERANGE, which Redis rejects.
        v = v.checked_mul(10)?.checked_add(d as u64)?;
    }
    Some(if negative { v.wrapping_neg() } else { v })
}

/// The bytes C `isspace()` accepts in the "C" locale.
#[inline(always)]
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Parses a double with the rules of Redis's `string2d()`, which is what
/// `getDoubleFromObject()` (ZADD scores, ZINCRBY, range bounds, ...) uses.
///
/// The text goes through the C library's `strtod()`, so decimal and
/// hexadecimal floats, `inf`/`infinity` (any case, optional sign) are
/// accepted with the C library's exact rounding.  It is rejected when it is
/// empty, starts with whitespace, is not consumed completely (including
/// because of an embedded NUL byte), is NaN, overflows to ±infinity
/// (`1e400`), or underflows all the way to zero (`1e-400`).  Results that
/// underflow to a subnormal value (`1e-320`) are accepted.  Redis replies
/// `ERR value is not a valid float` when this returns `None`.
///
/// ```
/// use hematite_common::num::parse_f64;
/// assert_eq!(parse_f64(b"1.5"), Some(1.5));
/// assert_eq!(parse_f64(b"0x1p3"), Some(8.0));
/// assert_eq!(parse_f64(b"-inf"), Some(f64::NEG_INFINITY));
/// assert_eq!(parse_f64(b"nan"), None);
/// assert_eq!(parse_f64(b" 1"), None);
/// ```
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    if s.is_empty() || is_c_space(s[0]) {
        return None;
    }
    // strtod() needs a NUL-terminated copy; short inputs stay on the stack.
    let mut stack = [0u8; 64];
    let mut heap;
    let buf: &mut [u8] = if s.len() < stack.len() {
        &mut stack[..=s.len()]
    } else {
        heap = vec![0u8; s.len() + 1];
        &mut heap[..]
    };
    buf[..s.len()].copy_from_slice(s);
    buf[s.len()] = 0;

    let start = buf.as_ptr() as *const libc::c_char;
    let mut end: *mut libc::c_char = std::ptr::null_mut();
    // SAFETY: `buf` is NUL-terminated and outlives the call; errno is
    // thread-local, so resetting and reading it around the call is sound.
    let (value, consumed, erange) = unsafe {
        set_errno(0);
        let value = libc::strtod(start, &mut end);
        let consumed = end.offset_from(start) as usize;
        (value, consumed, get_errno() == libc::ERANGE)
    };
    if consumed != s.len() || value.is_nan() {
        return None;
    }
    if erange && (value.is_infinite() || value == 0.0) {
        return None;
    }
    Some(value)
}

/// Sets the calling thread's `errno`.
///
/// # Safety
/// Only touches the thread-local errno location provided by libc.
#[inline(always)]
unsafe fn set_errno(v: libc::c_int) {
    *errno_location() = v;
}

/// Reads the calling thread's `errno`.
///
/// # Safety
/// Only reads the thread-local errno location provided by libc.
#[inline(always)]
unsafe fn get_errno() -> libc::c_int {
    *errno_location()
}

/// Returns the address of the calling thread's `errno`.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "emscripten"))]
#[inline(always)]
unsafe fn errno_location() -> *mut libc::c_int {
    #[cfg(target_os = "android")]
    {
        libc::__errno()
    }
    #[cfg(not(target_os = "android"))]
    {
        libc::__errno_location()
    }
}

/// Returns the address of the calling thread's `errno`.
#[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
#[inline(always)]
unsafe fn errno_location() -> *mut libc::c_int {
    libc::__error()
}

/// Two ASCII digits for every value in `0..100`, used to format integers two
/// digits at a time.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes the decimal digits of `v` to the end of `buf`, returning the index
/// of the first digit written.
#[inline]
fn write_u64_digits(mut v: u64, buf: &mut [u8; 20]) -> usize {
    let mut pos = buf.len();
    while v >= 100 {
        let pair = (v % 100) as usize * 2;
        v /= 100;
        pos -= 2;
        buf[pos..pos + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if v >= 10 {
        let pair = v as usize * 2;
        pos -= 2;
        buf[pos..pos + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        pos -= 1;
        buf[pos] = b'0' + v as u8;
    }
    pos
}

/// Appends the decimal representation of `v` to `out` (Redis `ll2string()`).
///
/// ```
/// use hematite_common::num::format_i64;
/// let mut out = b"x=".to_vec();
/// format_i64(-42, &mut out);
/// assert_eq!(out, b"x=-42");
/// ```
#[inline]
pub fn format_i64(v: i64, out: &mut Vec<u8>) {
    if v < 0 {
        out.push(b'-');
    }
    format_u64(v.unsigned_abs(), out);
}

/// Appends the decimal representation of `v` to `out`.
#[inline]
pub fn format_u64(v: u64, out: &mut Vec<u8>) {
    let mut buf = [0u8; 20];
    let start = write_u64_digits(v, &mut buf);
    out.extend_from_slice(&buf[start..]);
}

/// Returns the number of decimal digits of `v` (Redis `digits10()`).
#[inline]
pub fn digits10(v: u64) -> usize {
    if v == 0 {
        1
    } else {
        v.ilog10() as usize + 1
    }
}

/// Returns the length of the decimal representation of `v`, including the
/// minus sign for negative values (Redis `sdigits10()`).
#[inline]
pub fn sdigits10(v: i64) -> usize {
    digits10(v.unsigned_abs()) + usize::from(v < 0)
}

/// Formats a double exactly like Redis 7.0's `addReplyDouble()`.
///
/// Redis 7.0 prints finite doubles with C's `%.17g` (17 significant digits,
/// so `1.1` becomes `1.1000000000000001` and `1e17` becomes `1e+17`), and
/// infinities as `inf` / `-inf`.  Negative zero prints as `-0`.  The same
/// text is used for both protocols: RESP2 sends it as a bulk string
/// (`$18\r\n1.1000000000000001\r\n`), RESP3 as a double (`,1.1000000000000001\r\n`,
/// `,inf\r\n`, `,-inf\r\n`).  (Redis 7.2 switched to shortest round-trip
/// output; 7.0 does not.)  NaN, which Redis never replies with, prints as
/// `nan`.
///
/// ```
/// use hematite_common::num::format_double;
/// assert_eq!(format_double(1.1), "1.1000000000000001");
/// assert_eq!(format_double(3000.0), "3000");
/// assert_eq!(format_double(1e17), "1e+17");
/// assert_eq!(format_double(f64::NEG_INFINITY), "-inf");
/// ```
pub fn format_double(v: f64) -> String {
    let mut out = Vec::with_capacity(24);
    write_double(v, &mut out);
    // The output is pure ASCII.
    String::from_utf8(out).expect("double formatting produced ASCII")
}

/// Appends the [`format_double`] text of `v` to `out` without an
/// intermediate allocation.
pub fn write_double(v: f64, out: &mut Vec<u8>) {
    if v.is_nan() {
        out.extend_from_slice(b"nan");
        return;
    }
    if v.is_infinite() {
        out.extend_from_slice(if v > 0.0 { b"inf" } else { b"-inf" });
        return;
    }
    if v == 0.0 {
        out.extend_from_slice(if v.is_sign_negative() { b"-0" } else { b"0" });
        return;
    }
    write_g17(v, out);
}

/// Appends `v` (finite, non-zero) formatted as C's `%.17g`.
fn write_g17(v: f64, out: &mut Vec<u8>) {
    use std::io::Write;

    const PRECISION: i32 = 17;
    // Rust's `{:.16e}` gives the correctly rounded 17 significant digits,
    // the same digits glibc's printf produces, e.g. `-1.2345678901234568e17`.
    let mut sci = [0u8; 40];
    let len = {
        let mut cursor = std::io::Cursor::new(&mut sci[..]);
        write!(cursor, "{:.16e}", v).expect("buffer large enough");
        cursor.position() as usize
    };
    let sci = &sci[..len];
    let (negative, sci) = match sci.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, sci),
    };
    let e_pos = sci
        .iter()
        .position(|&b| b == b'e')
        .expect("exponent present");
    let mut digits = [0u8; PRECISION as usize];
    let mut n = 0;
    for &b in &sci[..e_pos] {
        if b != b'.' {
            digits[n] = b;
            n += 1;
        }
    }
    debug_assert_eq!(n, PRECISION as usize);
    let exp: i32 = std::str::from_utf8(&sci[e_pos + 1..])
        .ok()
        .and_then(|e| e.parse().ok())
        .expect("valid exponent");

    // `%g` drops trailing zeros of the fractional part (no `#` flag).
    let mut sig = PRECISION as usize;
    while sig > 1 && digits[sig - 1] == b'0' {
        sig -= 1;
    }

    if negative {
        out.push(b'-');
    }
    if !(-4..PRECISION).contains(&exp) {
        // Exponential style: d.ddde+XX with at least two exponent digits.
        out.push(digits[0]);
        if sig > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..sig]);
        }
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        let abs = exp.unsigned_abs();
        if abs < 10 {
            out.push(b'0');
        }
        format_u64(abs as u64, out);
    } else if exp < 0 {
        // 0.000ddd
        out.extend_from_slice(b"0.");
        for _ in 0..(-exp - 1) {
            out.push(b'0');
        }
        out.extend_from_slice(&digits[..sig]);
    } else {
        let int_len = exp as usize + 1;
        if sig <= int_len {
            out.extend_from_slice(&digits[..sig]);
            for _ in sig..int_len {
                out.push(b'0');
            }
        } else {
            out.extend_from_slice(&digits[..int_len]);
            out.push(b'.');
            out.extend_from_slice(&digits[int_len..sig]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_i64_matches_string2ll() {
        // Accepted and rejected inputs verified with INCRBY on redis-server 7.0.15.
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"1"), Some(1));
        assert_eq!(parse_i64(b"-1"), Some(-1));
        assert_eq!(parse_i64(b"99"), Some(99));
        assert_eq!(parse_i64(b"-99"), Some(-99));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"-0",
            b"+1",
            b"01",
            b"-01",
            b"00",
            b" 1",
            b"1 ",
            b"1.0",
            b"1e3",
            b"0x10",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"18446744073709551615",
            b"18446744073709551616",
            b"99999999999999999999",
            b"123456789012345678901",
            b"-000000000000000000001",
            b"1\0",
            b"\xff",
        ] {
            assert_eq!(parse_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn parse_u64_strict() {
        assert_eq!(parse_u64(b"0"), Some(0));
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(parse_u64(b"01"), None);
        assert_eq!(parse_u64(b"-1"), None);
        assert_eq!(parse_u64(b"+1"), None);
        assert_eq!(parse_u64(b""), None);
    }

    #[test]
    fn scan_cursor_matches_strtoul() {
        // Verified with SCAN on redis-server 7.0.15.
        assert_eq!(parse_scan_cursor(b"0"), Some(0));
        assert_eq!(parse_scan_cursor(b""), Some(0));
        assert_eq!(parse_scan_cursor(b"+5"), Some(5));
        assert_eq!(parse_scan_cursor(b"-1"), Some(u64::MAX));
        assert_eq!(parse_scan_cursor(b"007"), Some(7));
        assert_eq!(parse_scan_cursor(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_scan_cursor(b"-18446744073709551615"), Some(1));
        assert_eq!(parse_scan_cursor(b"1\x002"), Some(1));
        for bad in [
            &b" 5"[..],
            b"5 ",
            b"18446744073709551616",
            b"-18446744073709551616",
            b"abc",
            b"-",
            b"+",
            b"5x",
            b"0x10",
        ] {
            assert_eq!(
                parse_scan_cursor(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn parse_f64_matches_string2d() {
        // Verified with ZADD on redis-server 7.0.15.
        let ok: &[(&[u8], f64)] = &[
            (b"1.1", 1.1),
            (b"-0", -0.0),
            (b"inf", f64::INFINITY),
            (b"+inf", f64::INFINITY),
            (b"-inf", f64::NEG_INFINITY),
            (b"infinity", f64::INFINITY),
            (b"-Infinity", f64::NEG_INFINITY),
            (b"INF", f64::INFINITY),
            (b"0x1p3", 8.0),
            (b"0x1.8p1", 3.0),
            (b"0X10", 16.0),
            (b"+1.5", 1.5),
            (b".5", 0.5),
            (b"5.", 5.0),
            (b"1e+5", 100000.0),
            (b"1E5", 100000.0),
            (b"1.7976931348623157e308", f64::MAX),
            (b"4.9e-324", 5e-324),
            (b"2.5e-324", 5e-324),
            (b"1e-320", 1e-320),
            (b"9007199254740993", 9007199254740992.0),
        ];
        for &(text, want) in ok {
            let got = parse_f64(text).unwrap_or_else(|| panic!("{:?} rejected", text));
            assert_eq!(
                got.to_bits(),
                want.to_bits(),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        for bad in [
            &b"nan"[..],
            b"NaN",
            b"-nan",
            b"1e400",
            b"-1e400",
            b"1e-400",
            b"1.7976931348623159e308",
            b" 1",
            b"1 ",
            b"",
            b"1e",
            b"0x",
            b"1_0",
            b".",
            b"1\x002",
            b"abc",
        ] {
            assert_eq!(parse_f64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
        // Long inputs take the heap path.
        let long = format!("1.{}", "0".repeat(200));
        assert_eq!(parse_f64(long.as_bytes()), Some(1.0));
    }

    #[test]
    fn integer_formatting() {
        for v in [
            0i64,
            1,
            -1,
            9,
            10,
            99,
            100,
            12345,
            -12345,
            i64::MAX,
            i64::MIN,
        ] {
            let mut out = Vec::new();
            format_i64(v, &mut out);
            assert_eq!(out, v.to_string().as_bytes());
            assert_eq!(sdigits10(v), out.len());
        }
        let mut x: u64 = 1;
        for _ in 0..200 {
            let mut out = Vec::new();
            format_u64(x, &mut out);
            assert_eq!(out, x.to_string().as_bytes());
            assert_eq!(digits10(x), out.len());
            x = x.wrapping_mul(7).wrapping_add(3);
        }
        assert_eq!(digits10(0), 1);
        assert_eq!(digits10(u64::MAX), 20);
    }

    #[test]
    fn double_formatting_matches_redis() {
        // Replies of ZSCORE on redis-server 7.0.15 (RESP2 and RESP3 agree).
        let cases: &[(f64, &str)] = &[
            (1.1, "1.1000000000000001"),
            (0.1, "0.10000000000000001"),
            (1.0, "1"),
            (-1.0, "-1"),
            (0.0, "0"),
            (-0.0, "-0"),
            (1e17, "1e+17"),
            (1e16, "10000000000000000"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (1e-5, "1.0000000000000001e-05"),
            (1e-4, "0.0001"),
            (1e21, "1e+21"),
            (3000.0, "3000"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (1e-320, "9.9998886718268301e-321"),
            (5e-324, "4.9406564584124654e-324"),
            (2.2250738585072014e-308, "2.2250738585072014e-308"),
            (1e-310, "9.9999999999999694e-311"),
            (12345.6789, "12345.678900000001"),
            (1e-6, "9.9999999999999995e-07"),
            (1e-7, "9.9999999999999995e-08"),
            (f64::MAX, "1.7976931348623157e+308"),
            (-1e-300, "-1e-300"),
            (1.23e-18, "1.23e-18"),
            (0.30000000000000004, "0.30000000000000004"),
            (1e15, "1000000000000000"),
        ];
        for &(v, want) in cases {
            assert_eq!(format_double(v), want, "{v:e}");
        }
    }

    /// Formats with the C library for comparison.
    fn c_g17(v: f64) -> String {
        let mut buf = [0u8; 64];
        let fmt = b"%.17g\0";
        // SAFETY: the buffer is large enough and the format takes one double.
        let n = unsafe {
            libc::snprintf(
                buf.as_mut_ptr() as *mut libc::c_char,
                buf.len(),
                fmt.as_ptr() as *const libc::c_char,
                v,
            )
        };
        String::from_utf8(buf[..n as usize].to_vec()).unwrap()
    }

    #[test]
    fn double_formatting_matches_libc() {
        // Ties at the 17th significant digit must round half to even.
        let tie = 4503599627370497.0 / 4.0;
        assert_eq!(format_double(tie), c_g17(tie));
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for i in 0..200_000 {
            let v = match i % 4 {
                0 => f64::from_bits(next()),
                1 => (next() % 1_000_000_000) as f64 / 1000.0,
                2 => (next() >> 11) as f64 / (1u64 << (next() % 60)) as f64,
                _ => (next() % 100_000) as f64 * 10f64.powi((next() % 40) as i32 - 20),
            };
            if v.is_nan() || v == 0.0 {
                continue;
            }
            assert_eq!(format_double(v), c_g17(v), "bits {:#x}", v.to_bits());
        }
    }
}
