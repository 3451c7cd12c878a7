//! LZF, the compression Redis applies to long strings in RDB files.
//!
//! An LZF stream is a sequence of chunks, each starting with a control
//! byte:
//!
//! | control byte     | chunk                                                  |
//! |------------------|--------------------------------------------------------|
//! | `000LLLLL`       | a literal run of `L + 1` (1..=32) bytes follows        |
//! | `LLLooooo`, L<7  | back reference: copy `L + 2` bytes from `o:next + 1` bytes back |
//! | `111ooooo`       | long back reference: the next byte adds to the length (`7 + next + 2`), then the low offset byte |
//!
//! Offsets reach at most 8192 bytes back and a reference copies 3..=264
//! bytes, possibly overlapping its own output (which is how runs of one
//! byte compress). The format says nothing about how matches are found,
//! so two compressors may produce different bytes for the same input;
//! any decompressor reads both.
//!
//! The compressor here finds matches through a hash table of the last
//! position of every 3-byte prefix. The table is kept between calls and
//! invalidated by moving a base offset instead of clearing it, so
//! compressing millions of short strings costs no per-call setup (the
//! `lzf` crate allocates and zeroes 512 KiB per call).

/// log2 of the number of hash table slots.
const HLOG: u32 = 14;
/// Longest back reference offset (exclusive).
const MAX_OFF: usize = 1 << 13;
/// Longest back reference.
const MAX_REF: usize = 264;
/// Longest literal run.
const MAX_LIT: usize = 32;

/// A reusable compressor.
pub(crate) struct Compressor {
    /// For each hash of a 3-byte prefix: `base + position + 1` of its last
    /// occurrence, or anything `<= base` (stale) for none.
    table: Vec<u32>,
    base: u32,
}

impl Default for Compressor {
    fn default() -> Self {
        Compressor { table: vec![0; 1 << HLOG], base: 0 }
    }
}

#[inline]
fn hash(a: u8, b: u8, c: u8) -> usize {
    let v = (a as u32) << 16 | (b as u32) << 8 | c as u32;
    (v.wrapping_mul(2_654_435_761) >> (32 - HLOG)) as usize
}

impl Compressor {
    /// Appends the LZF form of `input` to `out` if it takes at most
    /// `max_len` bytes; otherwise returns false and leaves `out` as it was.
    pub(crate) fn compress(&mut self, input: &[u8], max_len: usize, out: &mut Vec<u8>) -> bool {
        let n = input.len();
        if !(4..(1 << 30)).contains(&n) || max_len == 0 {
            return false;
        }
        if (u32::MAX - self.base) as usize <= n + 1 {
            self.table.iter_mut().for_each(|s| *s = 0);
            self.base = 0;
        }
        let base = self.base;
        self.base += n as u32 + 1;

        let start = out.len();
        let limit = start + max_len;
        let mut lit_start = 0usize;
        let mut ip = 0usize;
        while ip + 2 < n {
            let slot = hash(input[ip], input[ip + 1], input[ip + 2]);
            let prev = self.table[slot];
            self.table[slot] = base + ip as u32 + 1;
            if prev > base {
                let r = (prev - base - 1) as usize;
                let off = ip - r - 1;
                if off < MAX_OFF && input[r..r + 3] == input[ip..ip + 3] {
                    let maxlen = (n - ip).min(MAX_REF);
                    let mut len = 3;
                    while len < maxlen && input[r + len] == input[ip + len] {
                        len += 1;
                    }
                    // Worst case: the pending literals plus a 3-byte reference.
                    let lits = ip - lit_start;
                    if out.len() + lits + lits.div_ceil(MAX_LIT) + 3 > limit {
                        out.truncate(start);
                        return false;
                    }
                    emit_literals(out, &input[lit_start..ip]);
                    let l = len - 2;
                    if l < 7 {
                        out.push(((l as u8) << 5) | (off >> 8) as u8);
                    } else {
                        out.push((7 << 5) | (off >> 8) as u8);
                        out.push((l - 7) as u8);
                    }
                    out.push(off as u8);
                    ip += len;
                    lit_start = ip;
                    continue;
                }
            }
            ip += 1;
        }
        let lits = n - lit_start;
        if out.len() + lits + lits.div_ceil(MAX_LIT) > limit {
            out.truncate(start);
            return false;
        }
        emit_literals(out, &input[lit_start..]);
        true
    }
}

fn emit_literals(out: &mut Vec<u8>, mut lits: &[u8]) {
    while !lits.is_empty() {
        let k = lits.len().min(MAX_LIT);
        out.push((k - 1) as u8);
        out.extend_from_slice(&lits[..k]);
        lits = &lits[k..];
    }
}

/// The most an LZF stream of `clen` bytes can expand to (a 3-byte long
/// reference yields 264 bytes); used to refuse absurd declared lengths
/// before allocating.
pub(crate) fn max_expansion(clen: usize) -> usize {
    clen.saturating_mul(MAX_REF / 3 + 1)
}

/// Appends the decompression of `input` to `out`, which must produce
/// exactly `expected` bytes. Returns false on a malformed stream.
pub(crate) fn decompress(input: &[u8], expected: usize, out: &mut Vec<u8>) -> bool {
    if expected > max_expansion(input.len()) {
        return false;
    }
    let start = out.len();
    let end = start + expected;
    out.reserve(expected);
    let mut ip = 0;
    while ip < input.len() {
        let ctrl = input[ip] as usize;
        ip += 1;
        if ctrl < 32 {
            let k = ctrl + 1;
            if ip + k > input.len() || out.len() + k > end {
                return false;
            }
            out.extend_from_slice(&input[ip..ip + k]);
            ip += k;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                let Some(&b) = input.get(ip) else { return false };
                len += b as usize;
                ip += 1;
            }
            let Some(&lo) = input.get(ip) else { return false };
            ip += 1;
            let back = ((ctrl & 0x1f) << 8) + lo as usize + 1;
            let len = len + 2;
            if back > out.len() - start || out.len() + len > end {
                return false;
            }
            let from = out.len() - back;
            if back >= len {
                out.extend_from_within(from..from + len);
            } else {
                for i in 0..len {
                    let b = out[from + i];
                    out.push(b);
                }
            }
        }
    }
    out.len() == end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(c: &mut Compressor, data: &[u8]) -> Option<usize> {
        let mut z = Vec::new();
        if !c.compress(data, data.len().saturating_sub(4), &mut z) {
            return None;
        }
        let mut back = Vec::new();
        assert!(decompress(&z, data.len(), &mut back));
        assert_eq!(back, data);
        // The lzf crate (a port of liblzf, like Redis's) reads our output.
        assert_eq!(lzf::decompress(&z, data.len()).unwrap(), data);
        Some(z.len())
    }

    #[test]
    fn round_trips_and_interoperates() {
        let mut c = Compressor::default();
        assert!(roundtrip(&mut c, &[b'a'; 100]).unwrap() < 10);
        assert!(roundtrip(&mut c, b"abcabcabcabcabcabcabcabcabcabcabc").is_some());
        let mut text = Vec::new();
        for i in 0..2000 {
            text.extend_from_slice(format!("key:{i} value:{} ", i * 7 % 13).as_bytes());
        }
        assert!(roundtrip(&mut c, &text).unwrap() < text.len() / 2);
        // Incompressible data is refused.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let noise: Vec<u8> = (0..300)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 32) as u8
            })
            .collect();
        assert!(roundtrip(&mut c, &noise).is_none());
        // liblzf output decodes here.
        let z = lzf::compress(&text).unwrap();
        let mut back = Vec::new();
        assert!(decompress(&z, text.len(), &mut back));
        assert_eq!(back, text);
    }

    #[test]
    fn base_wraps() {
        let mut c = Compressor { base: u32::MAX - 50, ..Default::default() };
        for _ in 0..5 {
            assert!(roundtrip(&mut c, &[b'x'; 40]).is_some());
        }
    }

    #[test]
    fn corrupt_streams_are_refused() {
        let mut out = Vec::new();
        assert!(!decompress(&[0x20, 0x00], 3, &mut out)); // reference before the start
        out.clear();
        assert!(!decompress(&[0x05, b'a'], 6, &mut out)); // literal past the input
        out.clear();
        assert!(!decompress(&[0x00, b'a'], 2, &mut out)); // too short
        out.clear();
        assert!(!decompress(&[0x00], 1 << 40, &mut out)); // absurd length
    }
}
