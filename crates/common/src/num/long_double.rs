//! `long double` arithmetic for INCRBYFLOAT and HINCRBYFLOAT.
//!
//! Redis performs these increments in the C `long double` type: on x86-64
//! that is the x87 80-bit extended format with a 64-bit mantissa, which is
//! why `INCRBYFLOAT` on `10.50` by `0.1` answers `10.6` rather than the
//! `10.6000000000000001` a 64-bit double would show.  The operands are
//! parsed with `strtold()` (Redis `string2ld()`), added, and the sum is
//! printed with `%.17Lf` followed by the removal of trailing zeros and of a
//! trailing decimal point (Redis `ld2string()` in `LD_STR_HUMAN` mode); a
//! result that prints as `-0` is reported as `0`.
//!
//! Rust has no 80-bit float, so the arithmetic, parsing and printing are done
//! by a few lines of C in `c/longdouble.c`, compiled by the build script.
//! Values cross the FFI boundary as opaque 16-byte buffers ([`LongDouble`]).
//! On platforms whose `long double` is a different format (for example IEEE
//! binary128 on AArch64 Linux, or plain `double` on Windows) the results
//! follow that platform's C library, exactly as a Redis built there would.

use std::fmt;

/// Redis's `MAX_LONG_DOUBLE_CHARS`: operands must be shorter than this many
/// bytes to be accepted by `string2ld()`.
pub const MAX_LONG_DOUBLE_CHARS: usize = 5 * 1024;

/// Size of the opaque storage for one C `long double`.
const LD_BYTES: usize = 16;

extern "C" {
    fn hm_ld_parse(s: *const libc::c_char, len: libc::size_t, out: *mut u8) -> libc::c_int;
    fn hm_ld_from_i64(v: libc::c_longlong, out: *mut u8);
    fn hm_ld_add(a: *const u8, b: *const u8, out: *mut u8);
    fn hm_ld_classify(a: *const u8) -> libc::c_int;
    fn hm_ld_to_f64(a: *const u8) -> f64;
    fn hm_ld_snprintf(
        a: *const u8,
        mode: libc::c_int,
        out: *mut libc::c_char,
        cap: libc::size_t,
    ) -> libc::c_int;
}

/// `snprintf` conversions understood by `hm_ld_snprintf`.
#[derive(Clone, Copy)]
enum PrintMode {
    /// `%.17Lf`, the first step of Redis's `LD_STR_HUMAN`.
    Fixed = 0,
    /// `%.17Lg`, Redis's `LD_STR_AUTO`.
    General = 1,
}

/// A value of the platform's C `long double` type (80-bit extended precision
/// on x86-64), as used by Redis's INCRBYFLOAT and HINCRBYFLOAT.
///
/// The value is stored as opaque bytes; all operations are performed by the
/// C library.
#[derive(Clone, Copy)]
pub struct LongDouble {
    bytes: [u8; LD_BYTES],
}

impl LongDouble {
    /// The value zero.
    pub fn zero() -> LongDouble {
        LongDouble::from_i64(0)
    }

    /// Parses `s` with the exact rules of Redis's `string2ld()`.
    ///
    /// The text must be non-empty and shorter than [`MAX_LONG_DOUBLE_CHARS`],
    /// must not start with whitespace, must be consumed entirely by
    /// `strtold()` (which accepts decimal and hex floats and `inf`/`infinity`
    /// in any case, with an optional sign), must not be NaN, and must not
    /// overflow to infinity or underflow to zero.  Infinity written
    /// literally (`inf`) is accepted.
    pub fn parse(s: &[u8]) -> Option<LongDouble> {
        if s.is_empty() || s.len() >= MAX_LONG_DOUBLE_CHARS {
            return None;
        }
        let mut out = [0u8; LD_BYTES];
        // SAFETY: `s` is valid for `s.len()` bytes (the C side copies it into
        // its own NUL-terminated buffer), and `out` has room for 16 bytes.
        let ok =
            unsafe { hm_ld_parse(s.as_ptr() as *const libc::c_char, s.len(), out.as_mut_ptr()) };
        (ok == 1).then_some(LongDouble { bytes: out })
    }

    /// Converts an integer; every `i64` is represented exactly on x86-64.
    pub fn from_i64(v: i64) -> LongDouble {
        let mut out = [0u8; LD_BYTES];
        // SAFETY: `out` has room for 16 bytes.
        unsafe { hm_ld_from_i64(v as libc::c_longlong, out.as_mut_ptr()) };
        LongDouble { bytes: out }
    }

    /// Returns `self + other`, rounded as the C `long double` addition does.
    /// The `+` operator does the same.
    pub fn sum(self, other: LongDouble) -> LongDouble {
        let mut out = [0u8; LD_BYTES];
        // SAFETY: all three buffers are 16 bytes long and hold values written
        // by the C side.
        unsafe { hm_ld_add(self.bytes.as_ptr(), other.bytes.as_ptr(), out.as_mut_ptr()) };
        LongDouble { bytes: out }
    }

    /// Returns the C classification: 0 finite, 1 infinite, 2 NaN.
    fn classify(&self) -> libc::c_int {
        // SAFETY: the buffer holds a value written by the C side.
        unsafe { hm_ld_classify(self.bytes.as_ptr()) }
    }

    /// Returns true unless the value is infinite or NaN.
    pub fn is_finite(&self) -> bool {
        self.classify() == 0
    }

    /// Returns true if the value is positive or negative infinity.
    pub fn is_infinite(&self) -> bool {
        self.classify() == 1
    }

    /// Returns true if the value is NaN.
    pub fn is_nan(&self) -> bool {
        self.classify() == 2
    }

    /// Returns the value rounded to the nearest `f64`.
    pub fn to_f64(&self) -> f64 {
        // SAFETY: the buffer holds a value written by the C side.
        unsafe { hm_ld_to_f64(self.bytes.as_ptr()) }
    }

    /// Runs `snprintf` with the given conversion and returns the raw text,
    /// growing the buffer when the first attempt is too small.
    fn snprintf(&self, mode: PrintMode) -> Vec<u8> {
        let mut buf = vec![0u8; 64];
        loop {
            // SAFETY: `buf` is writable for `buf.len()` bytes and snprintf
            // never writes more than that.
            let n = unsafe {
                hm_ld_snprintf(
                    self.bytes.as_ptr(),
                    mode as libc::c_int,
                    buf.as_mut_ptr() as *mut libc::c_char,
                    buf.len(),
                )
            };
            let n = usize::try_from(n).expect("snprintf failed");
            if n < buf.len() {
                buf.truncate(n);
                return buf;
            }
            buf.resize(n + 1, 0);
        }
    }

    /// Appends the text Redis's `ld2string(..., LD_STR_HUMAN)` produces:
    /// `%.17Lf`, then trailing zeros and a trailing `.` are removed, and a
    /// resulting `-0` becomes `0`.  Infinities print as `inf` / `-inf`.
    ///
    /// Large magnitudes print every integer digit (up to about 4950 of them
    /// for `long double`), never an exponent.
    pub fn write_human(&self, out: &mut Vec<u8>) {
        if self.is_infinite() {
            out.extend_from_slice(if self.to_f64() > 0.0 { b"inf" } else { b"-inf" });
            return;
        }
        let mut text = self.snprintf(PrintMode::Fixed);
        if text.contains(&b'.') {
            while text.last() == Some(&b'0') {
                text.pop();
            }
            if text.last() == Some(&b'.') {
                text.pop();
            }
        }
        if text == b"-0" {
            text = b"0".to_vec();
        }
        out.extend_from_slice(&text);
    }

    /// Returns the [`write_human`](Self::write_human) text as a new vector.
    pub fn to_human_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_human(&mut out);
        out
    }

    /// Returns the text of Redis's `ld2string(..., LD_STR_AUTO)`, that is
    /// `%.17Lg`, with infinities printed as `inf` / `-inf`.
    pub fn to_auto_bytes(&self) -> Vec<u8> {
        if self.is_infinite() {
            return if self.to_f64() > 0.0 {
                b"inf".to_vec()
            } else {
                b"-inf".to_vec()
            };
        }
        self.snprintf(PrintMode::General)
    }
}

impl std::ops::Add for LongDouble {
    type Output = LongDouble;

    fn add(self, other: LongDouble) -> LongDouble {
        self.sum(other)
    }
}

impl fmt::Debug for LongDouble {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "LongDouble({})",
            String::from_utf8_lossy(&self.to_auto_bytes())
        )
    }
}

impl fmt::Display for LongDouble {
    /// Displays the value in Redis's human-friendly form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_human_bytes()))
    }
}

/// Returns true if `s` would be accepted by Redis's `string2ld()` (see
/// [`LongDouble::parse`]).
pub fn parse_long_double_ok(s: &[u8]) -> bool {
    LongDouble::parse(s).is_some()
}

/// Which input of a float increment could not be parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatOperand {
    /// The current value of a string key (INCRBYFLOAT).
    Value,
    /// The current value of a hash field (HINCRBYFLOAT).
    HashValue,
    /// The increment argument.
    Increment,
}

/// Why a float increment failed.  [`IncrFloatError::message`] gives the
/// exact Redis error text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncrFloatError {
    /// An operand is not a valid `long double` (see [`LongDouble::parse`]).
    NotAFloat(FloatOperand),
    /// HINCRBYFLOAT only: the increment itself is infinite.
    IncrementNotFinite,
    /// The sum is NaN or infinite (also when an operand was `inf`).
    NanOrInfinity,
}

impl IncrFloatError {
    /// Returns the error reply Redis 7.0 sends, including the `ERR` prefix.
    pub fn message(&self) -> &'static str {
        match self {
            IncrFloatError::NotAFloat(FloatOperand::HashValue) => "ERR hash value is not a float",
            IncrFloatError::NotAFloat(_) => "ERR value is not a valid float",
            IncrFloatError::IncrementNotFinite => "ERR value is NaN or Infinity",
            IncrFloatError::NanOrInfinity => "ERR increment would produce NaN or Infinity",
        }
    }
}

impl fmt::Display for IncrFloatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for IncrFloatError {}

/// Computes the new value of an INCRBYFLOAT exactly like Redis 7.0.
///
/// `current` is the key's current value (pass `b"0"` for a missing key; an
/// integer-encoded value may be passed as its decimal text, which converts
/// exactly).  The current value is checked first, then the increment; both
/// use [`LongDouble::parse`].  A sum that is NaN or infinite (which includes
/// any operand written as `inf`) is refused.  On success the returned bytes
/// are the new value, formatted like Redis's `ld2string(LD_STR_HUMAN)`,
/// which Redis both stores and replies with.
///
/// ```
/// use hematite_common::num::{incr_by_float, IncrFloatError};
/// assert_eq!(incr_by_float(b"10.50", b"0.1").unwrap(), b"10.6");
/// assert_eq!(incr_by_float(b"5.0e3", b"2.0e2").unwrap(), b"5200");
/// assert_eq!(incr_by_float(b"1", b"inf"), Err(IncrFloatError::NanOrInfinity));
/// ```
pub fn incr_by_float(current: &[u8], incr: &[u8]) -> Result<Vec<u8>, IncrFloatError> {
    let value = LongDouble::parse(current).ok_or(IncrFloatError::NotAFloat(FloatOperand::Value))?;
    let incr = LongDouble::parse(incr).ok_or(IncrFloatError::NotAFloat(FloatOperand::Increment))?;
    let sum = value + incr;
    if !sum.is_finite() {
        return Err(IncrFloatError::NanOrInfinity);
    }
    Ok(sum.to_human_bytes())
}

/// Computes the new value of a HINCRBYFLOAT exactly like Redis 7.0.
///
/// The checks run in Redis's order, which differs from INCRBYFLOAT: the
/// increment is parsed first ([`FloatOperand::Increment`]), then refused if
/// it is infinite ([`IncrFloatError::IncrementNotFinite`]), then the current
/// field value is parsed if the field exists (`None` means 0;
/// [`FloatOperand::HashValue`] on failure), and finally a non-finite sum is
/// refused.
///
/// ```
/// use hematite_common::num::hincr_by_float;
/// assert_eq!(hincr_by_float(None, b"1").unwrap(), b"1");
/// assert_eq!(hincr_by_float(Some(b"10.5"), b"0.1").unwrap(), b"10.6");
/// ```
pub fn hincr_by_float(current: Option<&[u8]>, incr: &[u8]) -> Result<Vec<u8>, IncrFloatError> {
    let incr = LongDouble::parse(incr).ok_or(IncrFloatError::NotAFloat(FloatOperand::Increment))?;
    if !incr.is_finite() {
        return Err(IncrFloatError::IncrementNotFinite);
    }
    let value = match current {
        Some(text) => {
            LongDouble::parse(text).ok_or(IncrFloatError::NotAFloat(FloatOperand::HashValue))?
        }
        None => LongDouble::zero(),
    };
    let sum = value + incr;
    if !sum.is_finite() {
        return Err(IncrFloatError::NanOrInfinity);
    }
    Ok(sum.to_human_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incr(cur: &str, by: &str) -> Result<String, IncrFloatError> {
        incr_by_float(cur.as_bytes(), by.as_bytes()).map(|v| String::from_utf8(v).unwrap())
    }

    const NOT_VALUE: IncrFloatError = IncrFloatError::NotAFloat(FloatOperand::Value);
    const NOT_INCR: IncrFloatError = IncrFloatError::NotAFloat(FloatOperand::Increment);
    const NAN_INF: IncrFloatError = IncrFloatError::NanOrInfinity;

    /// Replies of `SET k <cur>` + `INCRBYFLOAT k <by>` on redis-server 7.0.15.
    #[test]
    fn incrbyfloat_matches_redis() {
        let ok: &[(&str, &str, &str)] = &[
            ("10.50", "0.1", "10.6"),
            ("5.0e3", "2.0e2", "5200"),
            ("0", "0.1", "0.1"),
            ("3.0e3", "1", "3001"),
            ("0", "-0", "0"),
            ("-0", "0", "0"),
            ("-0", "-0", "0"),
            ("0", "-0.0", "0"),
            ("1", "-1", "0"),
            ("-1", "1", "0"),
            ("0.1", "0.2", "0.3"),
            ("1.1", "2.2", "3.3"),
            ("1e-20", "0", "0"),
            ("1e-17", "0", "0.00000000000000001"),
            ("1e-18", "0", "0"),
            ("5e-18", "0", "0"),
            ("6e-18", "0", "0.00000000000000001"),
            ("0", "-1e-17", "-0.00000000000000001"),
            ("0", "-1e-18", "0"),
            ("0", "-4e-18", "0"),
            ("0", "-6e-18", "-0.00000000000000001"),
            ("0x10", "1", "17"),
            ("1", "0x1p-2", "1.25"),
            ("1", "0X1P3", "9"),
            ("1", "+5", "6"),
            ("1", "1e+2", "101"),
            ("1", "-.5e1", "-4"),
            ("9223372036854775807", "1", "9223372036854775808"),
            ("1.5", "1.5", "3"),
            ("100", "-0.1", "99.9"),
            ("-0.5", "0.5", "0"),
            ("0.5", "-0.5", "0"),
            ("1e20", "1", "100000000000000000000"),
            ("12345678901234567890", "0", "12345678901234567890"),
            ("1", "1e-4950", "1"),
            ("1", "1e-4940", "1"),
            ("0", "1e-4940", "0"),
            ("1", "5.", "6"),
            ("1", ".5", "1.5"),
            ("3.14159265358979323846", "0", "3.14159265358979324"),
            ("0.1", "0", "0.1"),
            ("1", "-1.00000000000000000001", "0"),
            ("1e-5", "0", "0.00001"),
            ("123.456", "0", "123.456"),
            ("-123.456", "0", "-123.456"),
            ("17179869184", "1.5", "17179869185.5"),
        ];
        for &(cur, by, want) in ok {
            assert_eq!(incr(cur, by).as_deref(), Ok(want), "{cur} + {by}");
        }

        let err: &[(&str, &str, IncrFloatError)] = &[
            ("1", "1e5000", NOT_INCR),
            ("1", "-1e5000", NOT_INCR),
            ("1", "1e-5000", NOT_INCR),
            ("inf", "1", NAN_INF),
            ("1", "inf", NAN_INF),
            ("1", "-inf", NAN_INF),
            ("1", "infinity", NAN_INF),
            ("1", "INF", NAN_INF),
            ("1e4932", "1e4932", NAN_INF),
            ("1", "nan", NOT_INCR),
            ("nan", "1", NOT_VALUE),
            (" 1", "1", NOT_VALUE),
            ("1", " 1", NOT_INCR),
            ("1 ", "1", NOT_VALUE),
            ("1", "1 ", NOT_INCR),
            ("", "1", NOT_VALUE),
            ("1", "", NOT_INCR),
            ("abc", "1", NOT_VALUE),
            ("1", ".", NOT_INCR),
            ("1", "1e", NOT_INCR),
            ("1", "0x", NOT_INCR),
            ("1", "1\u{0}2", NOT_INCR),
        ];
        for &(cur, by, want) in err {
            assert_eq!(incr(cur, by), Err(want), "{cur:?} + {by:?}");
        }
    }

    #[test]
    fn repeated_increments_match_redis() {
        // INCRBYFLOAT k 0.1 three times on a missing key.
        let mut v = b"0".to_vec();
        let mut seen = Vec::new();
        for _ in 0..3 {
            v = incr_by_float(&v, b"0.1").unwrap();
            seen.push(String::from_utf8(v.clone()).unwrap());
        }
        assert_eq!(seen, ["0.1", "0.2", "0.3"]);

        // SET k 1.1, then INCRBYFLOAT k 1.1 twelve times.
        let mut v = b"1.1".to_vec();
        let mut seen = Vec::new();
        for _ in 0..12 {
            v = incr_by_float(&v, b"1.1").unwrap();
            seen.push(String::from_utf8(v.clone()).unwrap());
        }
        assert_eq!(
            seen,
            [
                "2.2", "3.3", "4.4", "5.5", "6.6", "7.7", "8.8", "9.9", "11", "12.1", "13.2",
                "14.3"
            ]
        );
    }

    #[test]
    fn huge_results_print_all_digits() {
        // Prefixes of the replies of redis-server 7.0.15.
        let v = incr("1e300", "1").unwrap();
        assert!(
            v.starts_with("100000000000000000000899732407955919387052394427329074793826008232"),
            "{v}"
        );
        assert_eq!(v.len(), 301);
        let v = incr("1", "1e4000").unwrap();
        assert!(
            v.starts_with("9999999999999999999965463873099623784932492583506957631301508333"),
            "{v}"
        );
        assert_eq!(v.len(), 4000);
        let v = incr("1.18e4932", "0").unwrap();
        assert!(
            v.starts_with("1180000000000000000000652812918093699202690437140160471729831240"),
            "{v}"
        );
    }

    #[test]
    fn length_limit() {
        // Verified against redis-server 7.0.15: 5119 bytes parse, 5120 do not.
        let ok = "0".repeat(5118) + "1";
        let too_long = "0".repeat(5119) + "1";
        assert_eq!(incr("1", &ok).as_deref(), Ok("2"));
        assert_eq!(incr("1", &too_long), Err(NOT_INCR));
        assert_eq!(incr(&ok, "1").as_deref(), Ok("2"));
        assert_eq!(incr(&too_long, "1"), Err(NOT_VALUE));
        assert!(parse_long_double_ok(ok.as_bytes()));
        assert!(!parse_long_double_ok(too_long.as_bytes()));
    }

    /// Replies of HINCRBYFLOAT on redis-server 7.0.15.
    #[test]
    fn hincrbyfloat_matches_redis() {
        let h = |cur: Option<&str>, by: &str| {
            hincr_by_float(cur.map(str::as_bytes), by.as_bytes())
                .map(|v| String::from_utf8(v).unwrap())
        };
        assert_eq!(h(None, "1").as_deref(), Ok("1"));
        assert_eq!(h(Some("10.5"), "0.1").as_deref(), Ok("10.6"));
        assert_eq!(h(Some("1"), "inf"), Err(IncrFloatError::IncrementNotFinite));
        assert_eq!(
            h(Some("abc"), "inf"),
            Err(IncrFloatError::IncrementNotFinite)
        );
        assert_eq!(h(Some("inf"), "1"), Err(NAN_INF));
        assert_eq!(
            h(Some("abc"), "1"),
            Err(IncrFloatError::NotAFloat(FloatOperand::HashValue))
        );
        assert_eq!(
            h(Some(" 1"), "1"),
            Err(IncrFloatError::NotAFloat(FloatOperand::HashValue))
        );
        assert_eq!(h(Some("1"), "abc"), Err(NOT_INCR));
        assert_eq!(h(Some("1"), "nan"), Err(NOT_INCR));
        assert_eq!(h(Some("1e4932"), "1e4932"), Err(NAN_INF));
    }

    #[test]
    fn error_messages() {
        assert_eq!(NOT_VALUE.message(), "ERR value is not a valid float");
        assert_eq!(NOT_INCR.message(), "ERR value is not a valid float");
        assert_eq!(
            IncrFloatError::NotAFloat(FloatOperand::HashValue).message(),
            "ERR hash value is not a float"
        );
        assert_eq!(
            IncrFloatError::IncrementNotFinite.message(),
            "ERR value is NaN or Infinity"
        );
        assert_eq!(
            NAN_INF.message(),
            "ERR increment would produce NaN or Infinity"
        );
        assert_eq!(NAN_INF.to_string(), NAN_INF.message());
    }

    #[test]
    fn long_double_basics() {
        let a = LongDouble::parse(b"2.5").unwrap();
        let b = LongDouble::from_i64(-1);
        assert_eq!((a + b).to_human_bytes(), b"1.5");
        assert_eq!((a + b).to_f64(), 1.5);
        assert!(a.is_finite() && !a.is_nan() && !a.is_infinite());
        let inf = LongDouble::parse(b"-inf").unwrap();
        assert!(inf.is_infinite());
        assert_eq!(inf.to_human_bytes(), b"-inf");
        assert_eq!(inf.to_auto_bytes(), b"-inf");
        assert_eq!(LongDouble::zero().to_human_bytes(), b"0");
        assert_eq!(
            LongDouble::from_i64(i64::MIN).to_human_bytes(),
            b"-9223372036854775808"
        );
        assert_eq!(LongDouble::parse(b"0.1").unwrap().to_auto_bytes(), b"0.1");
        assert_eq!(
            LongDouble::parse(b"1e30").unwrap().to_auto_bytes(),
            b"1e+30"
        );
        assert_eq!(format!("{}", LongDouble::parse(b"7.25").unwrap()), "7.25");
        assert!(LongDouble::parse(b"nan").is_none());
        assert!(LongDouble::parse(b"").is_none());
    }
}
