//! Glob-style pattern matching with the exact semantics of Redis's
//! `stringmatchlen()` (as shipped in Redis 7.0.15, including the security
//! fixes that bound pathological patterns).
//!
//! # Supported syntax
//!
//! * `*` matches any sequence of bytes, including the empty one.
//! * `?` matches exactly one byte.
//! * `[abc]` matches one byte from the set, `[^abc]` one byte outside it.
//!   Inside a class, `a-z` is an inclusive range (a reversed range such as
//!   `z-a` is silently swapped) and `\x` stands for the literal byte `x`.
//! * `\x` outside a class matches the literal byte `x`.  A lone trailing
//!   backslash matches a literal backslash.
//! * Any other byte matches itself (ASCII letters case-insensitively when
//!   `nocase` is set).
//!
//! # Quirks reproduced on purpose
//!
//! Redis's matcher is a hand-written C loop, and several of its corner cases
//! are observable by clients (through `KEYS`, `SCAN MATCH`, `PSUBSCRIBE`, ...).
//! This module reproduces them byte for byte:
//!
//! * An unterminated class such as `[abc` behaves as if it were closed at
//!   the end of the pattern.
//! * Once the subject string is exhausted, only trailing `*` characters may
//!   remain in the pattern.  In particular a non-trailing-only pattern never
//!   matches the empty string: `**` and `?*` do not match `""`.
//! * Range bounds and the subject byte are compared as C `char` values, which
//!   are *signed* on the platforms Redis ships on.  Bytes `0x80..=0xFF` are
//!   therefore "smaller" than ASCII bytes, so `[a-\xff]` matches `A` (range
//!   `-1..=97` after the swap) but not `z`.
//! * With `nocase`, the bounds of a range are lowercased *after* the swap, so
//!   `[Z-a]` becomes the empty range `z..=a`.  Escaped bytes inside a class
//!   are always compared case-sensitively.
//!
//! # Complexity
//!
//! The C implementation recurses once per `*`.  Redis 7.0 added the
//! `skipLongerMatches` flag: when the remainder of the pattern after some
//! `*` fails to match at *every* remaining position of the string, no
//! earlier `*` can succeed either (it could only make the remainder start
//! later), so the whole match fails at once.  A consequence is that an outer
//! `*` is never resumed once an inner `*` has been reached, which lets this
//! module run the algorithm as a loop that only remembers the innermost `*`
//! (a classic backtracking glob matcher).  Matching is therefore
//! `O(pattern.len() * string.len())` in the worst case and uses constant
//! stack space, so patterns like `a*a*a*...b` are fast.
//!
//! The security update for CVE-2024-31228 additionally refuses to nest more
//! than 1000 recursive `*` calls: a pattern that needs a 1001st separate
//! `*` group before it can finish never matches (trailing `*` groups still
//! match, since they return before recursing).  This limit is reproduced by
//! counting the `*` groups that were entered.

/// The deepest `*` nesting Redis allows before giving up on a match.
const MAX_STAR_NESTING: usize = 1000;

/// Returns the byte at `i`, or `0` past the end of the slice.
///
/// Redis strings are NUL-terminated, and the C matcher occasionally peeks one
/// byte past the logical end of the pattern; returning a virtual NUL there
/// reproduces those reads exactly.
#[inline(always)]
fn at(s: &[u8], i: usize) -> u8 {
    match s.get(i) {
        Some(&b) => b,
        None => 0,
    }
}

/// Lowercases an ASCII letter given as a C `int` (as `tolower` does in the
/// "C" locale); any other value, including negative ones, is returned as is.
#[inline(always)]
fn c_tolower(c: i32) -> i32 {
    if (b'A' as i32..=b'Z' as i32).contains(&c) {
        c + 32
    } else {
        c
    }
}

/// Compares two bytes for equality, ignoring ASCII case when `nocase` is set.
#[inline(always)]
fn byte_eq(a: u8, b: u8, nocase: bool) -> bool {
    if nocase {
        a.eq_ignore_ascii_case(&b)
    } else {
        a == b
    }
}

/// Outcome of matching the pattern from some position without revisiting an
/// earlier `*`.
enum Step {
    /// The whole string matched.
    Matched,
    /// This attempt failed; the innermost `*` may try a longer expansion.
    Retry,
    /// No expansion of any `*` can succeed: the match fails.
    Failed,
}

/// Matches `string` against the glob `pattern`, exactly like Redis's
/// `stringmatchlen()`.
///
/// When `nocase` is true, ASCII letters compare case-insensitively (other
/// bytes are unaffected).  See the module documentation for the precise
/// syntax and its edge cases.
///
/// ```
/// use hematite_common::glob::string_match;
/// assert!(string_match(b"user:*", b"user:1000", false));
/// assert!(string_match(b"h[^e]llo", b"hallo", false));
/// assert!(!string_match(b"h[a-b]llo", b"hello", false));
/// assert!(string_match(b"HELLO", b"hello", true));
/// ```
pub fn string_match(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut p = 0usize;
    let mut s = 0usize;
    // The innermost `*` that is still being expanded: the pattern index of
    // the byte that follows it, and the string position the remainder of the
    // pattern was last tried at.
    let mut star: Option<(usize, usize)> = None;
    // How many `*` groups have been entered (the C recursion depth).
    let mut nesting = 0usize;

    loop {
        match match_from(
            pattern,
            string,
            &mut p,
            &mut s,
            &mut star,
            &mut nesting,
            nocase,
        ) {
            Step::Matched => return true,
            Step::Failed => return false,
            Step::Retry => {
                // Let the innermost `*` swallow one more byte and try the rest
                // of the pattern again from there.
                let Some((after_star, tried_at)) = star else {
                    return false;
                };
                let next = tried_at + 1;
                if next >= string.len() {
                    // Every suffix was tried: this is where C sets
                    // `skipLongerMatches`, which also fails every outer `*`.
                    return false;
                }
                star = Some((after_star, next));
                p = after_star;
                s = next;
            }
        }
    }
}

/// Runs the body of the C matching loop from pattern index `*p` and string
/// index `*s` until it succeeds, fails, or needs the innermost `*` to
/// backtrack.  Reaching a new `*` records it in `star` and carries on with
/// the remainder, which is equivalent to the C tail recursion.
#[inline]
fn match_from(
    pat: &[u8],
    string: &[u8],
    p: &mut usize,
    s: &mut usize,
    star: &mut Option<(usize, usize)>,
    nesting: &mut usize,
    nocase: bool,
) -> Step {
    let plen = pat.len();
    let slen = string.len();
    while *p < plen && *s < slen {
        match pat[*p] {
            b'*' => {
                // Collapse a run of stars into its last one.
                while *p + 1 < plen && pat[*p + 1] == b'*' {
                    *p += 1;
                }
                if *p + 1 == plen {
                    // A trailing star matches whatever is left.
                    return Step::Matched;
                }
                if *nesting >= MAX_STAR_NESTING {
                    // Every attempt for this star would be rejected by the
                    // nesting guard, which exhausts it and fails the match.
                    return Step::Failed;
                }
                *nesting += 1;
                *p += 1;
                *star = Some((*p, *s));
                // Try the remainder at the current position first.
                continue;
            }
            b'?' => {
                *s += 1;
            }
            b'[' => {
                *p += 1;
                let negate = at(pat, *p) == b'^';
                if negate {
                    *p += 1;
                }
                let c = string[*s];
                let mut matched = false;
                loop {
                    let remaining = plen - *p;
                    let b = at(pat, *p);
                    if b == b'\\' && remaining >= 2 {
                        *p += 1;
                        if pat[*p] == c {
                            matched = true;
                        }
                    } else if b == b']' {
                        break;
                    } else if remaining == 0 {
                        // Unterminated class: step back so that the common
                        // advance below lands exactly on the end.
                        *p -= 1;
                        break;
                    } else if remaining >= 3 && pat[*p + 1] == b'-' {
                        // C compares (signed) `char` values here.
                        let mut start = pat[*p] as i8 as i32;
                        let mut end = pat[*p + 2] as i8 as i32;
                        let mut ch = c as i8 as i32;
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        if nocase {
                            start = c_tolower(start);
                            end = c_tolower(end);
                            ch = c_tolower(ch);
                        }
                        *p += 2;
                        if ch >= start && ch <= end {
                            matched = true;
                        }
                    } else if byte_eq(b, c, nocase) {
                        matched = true;
                    }
                    *p += 1;
                }
                if negate {
                    matched = !matched;
                }
                if !matched {
                    return Step::Retry;
                }
                *s += 1;
            }
            first => {
                let mut b = first;
                if b == b'\\' && plen - *p >= 2 {
                    *p += 1;
                    b = pat[*p];
                }
                if !byte_eq(b, string[*s], nocase) {
                    return Step::Retry;
                }
                *s += 1;
            }
        }
        *p += 1;
        if *s == slen {
            // The string is exhausted: only stars may remain.
            while *p < plen && pat[*p] == b'*' {
                *p += 1;
            }
            break;
        }
    }
    if *p == plen && *s == slen {
        Step::Matched
    } else {
        Step::Retry
    }
}

#[cfg(test)]
mod tests {
    use super::string_match;
    use std::time::{Duration, Instant};

    fn m(p: &str, s: &str) -> bool {
        string_match(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn literals_and_wildcards() {
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(!m("a", ""));
        assert!(m("abc", "abc"));
        assert!(!m("abc", "abd"));
        assert!(!m("abc", "abcd"));
        assert!(m("*", "anything"));
        assert!(m("a*", "a"));
        assert!(m("a*", "abc"));
        assert!(m("*c", "abc"));
        assert!(m("a*c", "abbbc"));
        assert!(!m("a*c", "abbbd"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("h?llo", "hello"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("*a*b*", "xxaxxbxx"));
        assert!(m("a**b", "ab"));
        assert!(m("a***", "a"));
    }

    #[test]
    fn empty_string_quirks() {
        // Verified against redis-server 7.0.15 with KEYS.
        assert!(!m("**", ""));
        assert!(!m("?*", ""));
        assert!(!m("*", ""));
        assert!(m("", ""));
    }

    #[test]
    fn classes() {
        assert!(m("h[ae]llo", "hello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(!m("h[a-b]llo", "hello"));
        // Reversed ranges are swapped.
        assert!(m("[z-a]", "m"));
        // An escaped `]` is a member, not the end of the class.
        assert!(m("[\\]]", "]"));
        assert!(m("[\\-]", "-"));
        // A dash right before the closing bracket still forms a range whose
        // upper bound is `]` (verified against redis-server 7.0.15).
        assert!(!m("[a-]", "-"));
        assert!(m("[a-]", "_"));
        // A leading dash is a plain member.
        assert!(m("[-a]", "-"));
        assert!(!m("[-a]", "A"));
        // A dash that cannot form a range (too close to the end) is literal.
        assert!(m("[a-", "-"));
        // Unterminated classes close at the end of the pattern
        // (verified against redis-server 7.0.15).
        assert!(m("[abc", "a"));
        assert!(m("[abc", "c"));
        assert!(!m("[abc", "d"));
        assert!(!m("[abc", "ab"));
        assert!(m("[^", "x"));
        assert!(!m("[", "x"));
        // An empty class matches nothing.
        assert!(!m("[]", "]"));
        assert!(!m("[]", "a"));
    }

    #[test]
    fn signed_char_ranges() {
        // Verified against redis-server 7.0.15: the bounds are signed chars.
        assert!(!string_match(b"[a-\xff]", b"\x80", false));
        assert!(string_match(b"[a-\xff]", b"A", false));
        assert!(!string_match(b"[a-\xff]", b"z", false));
        assert!(string_match(b"[\x80-\xff]", b"\x90", false));
    }

    #[test]
    fn escapes() {
        assert!(m("a\\*b", "a*b"));
        assert!(!m("a\\*b", "axb"));
        assert!(m("a\\?", "a?"));
        assert!(m("\\[x]", "[x]"));
        // A trailing backslash matches itself.
        assert!(m("a\\", "a\\"));
        assert!(!m("a\\", "a"));
    }

    #[test]
    fn nocase() {
        assert!(string_match(b"HeLLo", b"hello", true));
        assert!(string_match(b"h[A-Z]llo", b"hello", true));
        assert!(string_match(b"h[E]llo", b"hello", true));
        assert!(!string_match(b"h[E]llo", b"hello", false));
        // Escaped class members are compared case-sensitively.
        assert!(!string_match(b"h[\\E]llo", b"hello", true));
        // Bounds are lowercased after the swap.
        assert!(!string_match(b"[Z-a]", b"b", true));
        assert!(string_match(b"[Z-a]", b"_", false));
        // Non-ASCII bytes are not case-folded.
        assert!(!string_match(b"\xc0", b"\xe0", true));
    }

    #[test]
    fn binary_bytes() {
        assert!(string_match(b"a\0*", b"a\0bc", false));
        assert!(!string_match(b"a\0", b"a", false));
        assert!(string_match(b"?", b"\0", false));
    }

    #[test]
    fn pathological_patterns_are_fast() {
        let start = Instant::now();
        let pattern = "a*".repeat(30) + "b";
        let subject = "a".repeat(5000);
        assert!(!m(&pattern, &subject));
        let pattern = "*a".repeat(500) + "*b";
        assert!(!m(&pattern, &"a".repeat(5000)));
        let pattern = "*?".repeat(300) + "x";
        assert!(!m(&pattern, &"y".repeat(2000)));
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn nesting_limit() {
        // Verified against redis-server 7.0.15 (with the CVE-2024-31228 fix).
        let subject = "a".repeat(3000) + "b";
        for k in [999usize, 1000] {
            assert!(m(&("a*".repeat(k) + "b"), &subject), "k={k}");
            assert!(m(&"*a".repeat(k), &"a".repeat(3000)), "k={k}");
        }
        for k in [1001usize, 1002, 5000] {
            assert!(!m(&("a*".repeat(k) + "b"), &subject), "k={k}");
            assert!(!m(&"*a".repeat(k), &"a".repeat(3000)), "k={k}");
        }
        // Consecutive stars collapse and do not count.
        assert!(m(&("*".repeat(5000) + "a"), "a"));
        // Deep patterns never overflow the stack.
        let huge = "a*".repeat(200_000) + "b";
        assert!(!m(&huge, &("a".repeat(200_000) + "b")));
    }

    /// A sample of a differential run against redis-server 7.0.15: about
    /// 3.6 million (pattern, subject) pairs were compared through `KEYS`
    /// (case-sensitive) and `COMMAND LIST FILTERBY PATTERN` (case-insensitive)
    /// with no mismatch; these are some of them.
    #[test]
    fn vectors_from_redis() {
        let cases: &[(&[u8], &[u8], bool, bool)] = &[
            (b"[^a]*zb", b"Aa\xffzb", false, true),
            (b"[a-z][a-z][^S]?*", b"client|reply", true, true),
            (b"*[a-z]G[^S]*", b"xrevrange", true, true),
            (b"*[A-Z][A-Z]", b"select", true, true),
            (b"[a-z][a-z][^S]?*", b"function", true, true),
            (b"*[a-z]", b"cluster|count-failure-reports", true, true),
            (b"*[^S]*S", b"command|getkeys", true, true),
            (b"[A-Z]*", b"sync", true, true),
            (b"[^a]", b"z", false, true),
            (b"[*", b"*", false, true),
            (b"*[a-z]", b"cluster|replicas", true, true),
            (b"[^a]**", b"]zAA**", false, true),
            (b"**[^S]", b"exec", true, true),
            (b"*[A-Z][A-Z]", b"cluster|links", true, true),
            (b"*[A-Z][A-Z]", b"client", true, true),
            (b"[A-Z]*", b"pubsub|channels", true, true),
            (b"*[A-Z][A-Z]", b"append", true, true),
            (b"*[B**a", b"b[[?B", false, true),
            (b"*?[A-Z][a-z]", b"xack", true, true),
            (b"[a-z]*", b"cluster", true, true),
            (b"[^a]***", b"-\xff]", false, true),
            (b"[a-z]*", b"script|flush", true, true),
            (b"[a-z]", b"z", false, true),
            (b"*[A-Z]", b"unsubscribe", true, true),
            (b"*?[A-Z][a-z]", b"command|getkeysandflags", true, true),
            (b"[^S]GS[a-E]C[Z-a]L", b"pfdebug", true, false),
            (b"eCe[^S][Z-a]|", b"pubsub", true, false),
            (b"?|[Z-a]*CeST", b"replicaof", true, false),
            (b"|T[\\E]E[a-E][^S][a-E]|x", b"renamenx", true, false),
            (b"[A-Z]L|[A-Z][A-Z]*", b"slowlog|reset", true, false),
            (b"[a-z]G[A-Z][a-E][\\E]G[E]", b"zmpop", true, false),
            (b"?GLLCe[\\E]", b"lcs", true, false),
            (b"C[a-E]CE[\\E]C", b"cluster|slots", true, false),
            (b"?[\\E]*E[^S]|E?", b"config|set", true, false),
            (b"z\x80*Ba-a*[", b"]\x80\\", false, false),
            (b"G[a-z]|[a-z]x[A-Z]*[a-E][a-z]", b"setnx", true, false),
            (b"L[A-Z]e[^S]e[Z-a]C[A-Z][a-E]", b"scan", true, false),
            (b"[a-E]e[a-E]*L[\\E]", b"acl|users", true, false),
            (b"[^S][^S]S[E]xx?", b"smismember", true, false),
            (b"[^S]T[\\E]L", b"renamenx", true, false),
            (b"[E]?Gx", b"failover", true, false),
            (b"EL[\\E][Z-a][\\E][E]", b"pexpireat", true, false),
            (b"*B*?a*[a-z]^A", b"b-", false, false),
            (b"S[E]x", b"sort", true, false),
            (b"\\\\z\xff", b"b", false, false),
            (b"[^a]-^\xff*a\x80]", b"*^^z_b", false, false),
            (b"GE*G[^S]x", b"cluster|keyslot", true, false),
            (b"[a-E]e[\\E]S", b"replicaof", true, false),
            (b"*[\\E]T|", b"mset", true, false),
            (b"[a-E]T", b"hgetall", true, false),
        ];
        for &(pattern, subject, nocase, want) in cases {
            assert_eq!(
                string_match(pattern, subject, nocase),
                want,
                "{:?} vs {:?}",
                String::from_utf8_lossy(pattern),
                String::from_utf8_lossy(subject)
            );
        }
    }
}
