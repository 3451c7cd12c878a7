//! SORT and SORT_RO (Redis's `sort.c`).
//!
//! SORT reads the elements of a list, set or sorted set, computes a sort
//! weight for each (the element itself, or the value of a key built from
//! the BY pattern), sorts, applies LIMIT, and replies with the elements or
//! with the values the GET patterns point at; with STORE the output becomes
//! a list at the destination key instead.
//!
//! A pattern turns an element into a key by replacing its first `*`; a
//! `->field` suffix reads that field of a hash instead of a string. `#`
//! stands for the element itself. A BY pattern without `*` means "don't
//! sort" (the stored order is kept), except that a set is still sorted
//! lexicographically when the result is stored or the call comes from a
//! script, so the result doesn't depend on the set's internal order.
//!
//! Comparisons follow Redis: numeric weights are parsed with C's `strtod`
//! (a value that isn't a whole number is an error), ties are broken by
//! comparing the elements as binary strings so the result is deterministic,
//! and missing BY values weigh 0 (numeric) or sort first (ALPHA).

use super::{arg_i64, is, Ctx};
use crate::command::Row;
use crate::error::{CmdError, CmdResult};
use crate::row;
use bytes::Bytes;
use hematite_config::notify;
use hematite_store::{End, List, Value};
use std::cmp::Ordering;

/// One element being sorted with its weight.
struct Item {
    elem: Vec<u8>,
    score: f64,
    cmp: Option<Vec<u8>>,
}

/// What a pattern resolves to for an element.
fn lookup_by_pattern(ctx: &mut Ctx, pattern: &[u8], elem: &[u8]) -> Option<Vec<u8>> {
    if pattern == b"#" {
        return Some(elem.to_vec());
    }
    let star = pattern.iter().position(|&b| b == b'*')?;
    let after = &pattern[star + 1..];
    let (postfix, field) = match after.windows(2).position(|w| w == b"->") {
        Some(p) if p + 2 < after.len() => (&after[..p], Some(&after[p + 2..])),
        _ => (after, None),
    };
    let mut key = Vec::with_capacity(pattern.len() + elem.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(elem);
    key.extend_from_slice(postfix);
    let o = ctx.read_key(&key)?;
    match (&o.value, field) {
        (Value::Str(s), None) => Some(s.with_bytes(|b| b.to_vec())),
        (Value::Hash(h), Some(f)) => h.get(f),
        _ => None,
    }
}

/// C's `strtod` over the whole string, as Redis parses numeric weights.
fn strtod_full(v: &[u8]) -> Option<f64> {
    let mut buf = Vec::with_capacity(v.len() + 1);
    buf.extend_from_slice(v);
    buf.push(0);
    let mut end: *mut libc::c_char = std::ptr::null_mut();
    // SAFETY: `buf` is NUL-terminated and outlives the call; `end` points
    // into it afterwards.
    let (val, ok) = unsafe {
        *libc::__errno_location() = 0;
        let val = libc::strtod(buf.as_ptr() as *const libc::c_char, &mut end);
        let ok = *end == 0 && *libc::__errno_location() != libc::ERANGE;
        (val, ok)
    };
    (ok && !val.is_nan()).then_some(val)
}

fn sort_generic(ctx: &mut Ctx, argv: &[Bytes], readonly: bool) -> CmdResult {
    let mut desc = false;
    let mut alpha = false;
    let mut limit: Option<(i64, i64)> = None;
    let mut dontsort = false;
    let mut sortby: Option<&Bytes> = None;
    let mut store: Option<&Bytes> = None;
    let mut gets: Vec<&Bytes> = Vec::new();
    let mut j = 2;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let a = &argv[j];
        if is(a, "asc") {
            desc = false;
        } else if is(a, "desc") {
            desc = true;
        } else if is(a, "alpha") {
            alpha = true;
        } else if is(a, "limit") && left >= 2 {
            let start = arg_i64(&argv[j + 1])?;
            let count = arg_i64(&argv[j + 2])?;
            limit = Some((start, count));
            j += 2;
        } else if is(a, "store") && left >= 1 && !readonly {
            store = Some(&argv[j + 1]);
            j += 1;
        } else if is(a, "by") && left >= 1 {
            sortby = Some(&argv[j + 1]);
            if !argv[j + 1].contains(&b'*') {
                dontsort = true;
            }
            j += 1;
        } else if is(a, "get") && left >= 1 {
            gets.push(&argv[j + 1]);
            j += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }

    // Collect the elements.
    let key = &argv[1];
    let mut kind_is_set = false;
    let mut elems: Vec<Vec<u8>> = Vec::new();
    let mut range_done = false;
    let (lstart, lcount) = limit.unwrap_or((0, -1));
    match ctx.read_key(key).map(|o| &mut o.value) {
        None => {}
        Some(Value::List(l)) if dontsort => {
            // Lists keep their order (reversed for DESC); LIMIT applies
            // directly to it.
            let len = l.len() as i64;
            let (start, end) = limit_range(lstart, lcount, len);
            if start <= end {
                let (lo, hi) = if desc { (len - 1 - end, len - 1 - start) } else { (start, end) };
                let mut part: Vec<Vec<u8>> = l.range(lo as usize, hi as usize).map(|e| e.to_vec()).collect();
                if desc {
                    part.reverse();
                }
                elems = part;
            }
            range_done = true;
        }
        Some(Value::List(l)) => elems.extend(l.iter().map(|e| e.to_vec())),
        Some(Value::Set(s)) => {
            kind_is_set = true;
            s.for_each(|m| elems.push(m.to_vec()));
        }
        Some(Value::ZSet(z)) => {
            // Redis 7.0's sort.c converts a listpack sorted set to the
            // skiplist encoding, destructively, before reading it.
            z.convert_to_skiplist();
            if dontsort {
                // Sorted sets are already in order: take only the range.
                let len = z.len() as i64;
                let (start, end) = limit_range(lstart, lcount, len);
                if start <= end {
                    let (lo, hi) = if desc { (len - 1 - end, len - 1 - start) } else { (start, end) };
                    z.for_range(lo as usize, hi as usize + 1, desc, |m, _| {
                        elems.push(m.to_vec());
                        true
                    });
                }
                range_done = true;
            } else {
                z.for_each(|m, _| elems.push(m.to_vec()));
            }
        }
        Some(_) => return Err(CmdError::WrongType),
    }
    if dontsort && kind_is_set && (store.is_some() || ctx.sess.in_script) {
        dontsort = false;
        alpha = true;
        sortby = None;
    }

    // Weights.
    let mut items: Vec<Item> = Vec::with_capacity(elems.len());
    let mut conversion_error = false;
    for elem in elems {
        let mut item = Item { elem, score: 0.0, cmp: None };
        if !dontsort {
            let byval = match sortby {
                Some(p) => lookup_by_pattern(ctx, p, &item.elem),
                None => Some(item.elem.clone()),
            };
            if let Some(v) = byval {
                if alpha {
                    if sortby.is_some() {
                        item.cmp = Some(v);
                    }
                } else {
                    match strtod_full(&v) {
                        Some(f) => item.score = f,
                        None => conversion_error = true,
                    }
                }
            }
        }
        items.push(item);
    }
    if conversion_error {
        return Err(CmdError::err("One or more scores can't be converted into double"));
    }

    let len = items.len() as i64;
    let (start, end) = if range_done { (0, len - 1) } else { limit_range(lstart, lcount, len) };
    if !dontsort {
        let by_pattern = sortby.is_some();
        // Without STORE, Redis compares ALPHA values with strcoll(), which
        // sees a C string: everything from the first NUL byte on is ignored.
        let collate = |x: &[u8], y: &[u8]| -> Ordering {
            if store.is_some() {
                x.cmp(y)
            } else {
                let cut = |v: &[u8]| v.iter().position(|&c| c == 0).unwrap_or(v.len());
                x[..cut(x)].cmp(&y[..cut(y)])
            }
        };
        items.sort_by(|a, b| {
            let ord = if !alpha {
                a.score.partial_cmp(&b.score).unwrap_or(Ordering::Equal).then_with(|| a.elem.cmp(&b.elem))
            } else if by_pattern {
                match (&a.cmp, &b.cmp) {
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => Ordering::Less,
                    (Some(_), None) => Ordering::Greater,
                    (Some(x), Some(y)) => collate(x, y),
                }
            } else {
                collate(&a.elem, &b.elem)
            };
            if desc {
                ord.reverse()
            } else {
                ord
            }
        });
    }

    let range: &[Item] = if start <= end && start >= 0 { &items[start as usize..=end as usize] } else { &[] };
    match store {
        None => {
            let n = if gets.is_empty() { range.len() } else { range.len() * gets.len() };
            ctx.out.array(n);
            for item in range {
                if gets.is_empty() {
                    ctx.out.bulk(&item.elem);
                    continue;
                }
                for g in &gets {
                    match lookup_by_pattern(ctx, g, &item.elem) {
                        Some(v) => ctx.out.bulk(&v),
                        None => ctx.out.null(),
                    }
                }
            }
        }
        Some(dst) => {
            let mut list = List::with_fill(ctx.st.config.list_max_listpack_size);
            for item in range {
                if gets.is_empty() {
                    list.push(End::Right, &item.elem);
                    continue;
                }
                for g in &gets {
                    let v = lookup_by_pattern(ctx, g, &item.elem).unwrap_or_default();
                    list.push(End::Right, &v);
                }
            }
            let n = list.len();
            if n > 0 {
                ctx.set_value(dst, Value::List(Box::new(list)), false);
                ctx.changed(notify::LIST, "sortstore", dst);
                ctx.dirty(n as u64 - 1);
            } else if ctx.delete(dst) {
                ctx.changed(notify::GENERIC, "del", dst);
            }
            ctx.out.int(n as i64);
        }
    }
    Ok(())
}

/// Redis's LIMIT clamping: the inclusive index range of the output.
fn limit_range(start: i64, count: i64, len: i64) -> (i64, i64) {
    let mut s = start.max(0);
    let mut e = if count < 0 { len - 1 } else { s.saturating_add(count) - 1 };
    if s >= len {
        s = len - 1;
        e = len - 2;
    }
    if e >= len {
        e = len - 1;
    }
    (s, e)
}

/// `SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination]`
pub fn sort(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sort_generic(ctx, argv, false)
}

/// `SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]`
pub fn sort_ro(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sort_generic(ctx, argv, true)
}

/// The SORT commands' table rows.
pub static ROWS: &[Row] = &[
    row!("sort", -2, "write denyoom", "@set @sortedset @list @dangerous", (1, 1, 1), sort),
    row!("sort_ro", -2, "readonly", "@set @sortedset @list @dangerous", (1, 1, 1), sort_ro),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_clamps_like_redis() {
        assert_eq!(limit_range(0, -1, 5), (0, 4));
        assert_eq!(limit_range(1, 2, 5), (1, 2));
        assert_eq!(limit_range(-3, 2, 5), (0, 1));
        assert_eq!(limit_range(7, 2, 5), (4, 3));
        assert_eq!(limit_range(3, 10, 5), (3, 4));
        assert_eq!(limit_range(0, 0, 5), (0, -1));
    }

    #[test]
    fn strtod_accepts_what_c_does() {
        assert_eq!(strtod_full(b"1.5"), Some(1.5));
        assert_eq!(strtod_full(b" 2"), Some(2.0));
        assert_eq!(strtod_full(b"0x10"), Some(16.0));
        assert_eq!(strtod_full(b"1e400"), None);
        assert_eq!(strtod_full(b"abc"), None);
        assert_eq!(strtod_full(b"nan"), None);
        assert_eq!(strtod_full(b"inf"), Some(f64::INFINITY));
    }
}
