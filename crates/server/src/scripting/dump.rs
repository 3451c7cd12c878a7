//! FUNCTION DUMP / RESTORE payloads in Redis 7.0's format, so payloads
//! move between hematite and Redis in both directions.
//!
//! A payload is a fragment of an RDB file followed by a footer:
//!
//! ```text
//! ( 0xF5  <RDB string: library code> )*   one entry per library
//! <RDB version: u16 little-endian>       10 for Redis 7.0
//! <CRC-64/Jones of all previous bytes: u64 little-endian>
//! ```
//!
//! RDB strings are a length (6-bit, 14-bit, 32-bit or 64-bit encoding)
//! and the bytes, or an LZF-compressed block (`0xC3 <clen> <len> <data>`).
//! Redis compresses strings longer than 20 bytes; hematite writes them
//! plain, which every RDB reader accepts, and reads both forms.

/// `RDB_OPCODE_FUNCTION2`.
const OPCODE_FUNCTION2: u8 = 245;
/// `RDB_VERSION` of Redis 7.0.
const RDB_VERSION: u16 = 10;

/// Redis's CRC-64 (Jones polynomial, reflected, as in `crc64.c`).
pub fn crc64(data: &[u8]) -> u64 {
    const POLY: u64 = 0x95ac_9329_ac4b_c9b5;
    static TABLE: std::sync::OnceLock<[u64; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = [0u64; 256];
        for (i, e) in t.iter_mut().enumerate() {
            let mut c = i as u64;
            for _ in 0..8 {
                c = if c & 1 == 1 { (c >> 1) ^ POLY } else { c >> 1 };
            }
            *e = c;
        }
        t
    });
    data.iter().fold(0u64, |crc, &b| table[((crc ^ b as u64) & 0xff) as usize] ^ (crc >> 8))
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    if n < 1 << 6 {
        out.push(n as u8);
    } else if n < 1 << 14 {
        out.push(0x40 | (n >> 8) as u8);
        out.push(n as u8);
    } else if n <= u32::MAX as usize {
        out.push(0x80);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&(n as u64).to_be_bytes());
    }
}

/// Builds the payload for these library codes.
pub fn encode<'a>(codes: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for code in codes {
        out.push(OPCODE_FUNCTION2);
        put_len(&mut out, code.len());
        out.extend_from_slice(code);
    }
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Why a payload was refused (the error texts of FUNCTION RESTORE).
#[derive(Debug, PartialEq, Eq)]
pub enum DumpError {
    /// Footer version or checksum mismatch.
    Checksum,
    /// Something else than a library in the payload.
    NotAFunction,
    /// Truncated or malformed data.
    Bad,
}

/// Lengths: (value, is-encoded-special) as RDB's `rdbLoadLen`.
fn get_len(p: &[u8], pos: &mut usize) -> Result<(u64, bool), DumpError> {
    let b = *p.get(*pos).ok_or(DumpError::Bad)?;
    *pos += 1;
    Ok(match b >> 6 {
        0 => ((b & 0x3f) as u64, false),
        1 => {
            let b2 = *p.get(*pos).ok_or(DumpError::Bad)?;
            *pos += 1;
            ((((b & 0x3f) as u64) << 8) | b2 as u64, false)
        }
        3 => ((b & 0x3f) as u64, true),
        _ => {
            let n = if b == 0x80 {
                4
            } else if b == 0x81 {
                8
            } else {
                return Err(DumpError::Bad);
            };
            let bytes = p.get(*pos..*pos + n).ok_or(DumpError::Bad)?;
            *pos += n;
            (bytes.iter().fold(0u64, |a, &x| (a << 8) | x as u64), false)
        }
    })
}

fn get_string(p: &[u8], pos: &mut usize) -> Result<Vec<u8>, DumpError> {
    let (n, special) = get_len(p, pos)?;
    if !special {
        let s = p.get(*pos..*pos + n as usize).ok_or(DumpError::Bad)?;
        *pos += n as usize;
        return Ok(s.to_vec());
    }
    match n {
        // Integer encodings: 8, 16, 32 bits.
        0..=2 => {
            let w = 1usize << n;
            let b = p.get(*pos..*pos + w).ok_or(DumpError::Bad)?;
            *pos += w;
            let v = match w {
                1 => b[0] as i8 as i64,
                2 => i16::from_le_bytes([b[0], b[1]]) as i64,
                _ => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64,
            };
            Ok(v.to_string().into_bytes())
        }
        3 => {
            let (clen, _) = get_len(p, pos)?;
            let (len, _) = get_len(p, pos)?;
            let c = p.get(*pos..*pos + clen as usize).ok_or(DumpError::Bad)?;
            *pos += clen as usize;
            lzf_decompress(c, len as usize).ok_or(DumpError::Bad)
        }
        _ => Err(DumpError::Bad),
    }
}

/// LZF decompression (the format of Redis's `lzf_d.c`).
fn lzf_decompress(input: &[u8], out_len: usize) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(out_len);
    let mut i = 0;
    while i < input.len() {
        let ctrl = input[i] as usize;
        i += 1;
        if ctrl < 32 {
            let run = ctrl + 1;
            out.extend_from_slice(input.get(i..i + run)?);
            i += run;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += *input.get(i)? as usize;
                i += 1;
            }
            let back = ((ctrl & 0x1f) << 8) + *input.get(i)? as usize + 1;
            i += 1;
            let start = out.len().checked_sub(back)?;
            for k in 0..len + 2 {
                let b = out[start + k];
                out.push(b);
            }
        }
    }
    (out.len() == out_len).then_some(out)
}

/// Parses a payload into library codes.
pub fn decode(p: &[u8]) -> Result<Vec<Vec<u8>>, DumpError> {
    if p.len() < 10 {
        return Err(DumpError::Checksum);
    }
    let (body, footer) = p.split_at(p.len() - 10);
    let version = u16::from_le_bytes([footer[0], footer[1]]);
    let crc = u64::from_le_bytes(footer[2..10].try_into().expect("8 bytes"));
    if version > RDB_VERSION || crc64(&p[..p.len() - 8]) != crc {
        return Err(DumpError::Checksum);
    }
    let mut codes = Vec::new();
    let mut pos = 0;
    while pos < body.len() {
        let t = body[pos];
        pos += 1;
        if t != OPCODE_FUNCTION2 {
            return Err(DumpError::NotAFunction);
        }
        codes.push(get_string(body, &mut pos)?);
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_check_value() {
        assert_eq!(crc64(b"123456789"), 0xe9c6d914c4b8d9ca);
    }

    #[test]
    fn round_trip() {
        let codes: Vec<&[u8]> = vec![b"#!lua name=a\nredis.register_function('f', function() return 1 end)", b"x"];
        let p = encode(codes.iter().copied());
        assert_eq!(decode(&p).unwrap(), codes.iter().map(|c| c.to_vec()).collect::<Vec<_>>());
        let mut bad = p.clone();
        bad[3] ^= 1;
        assert_eq!(decode(&bad), Err(DumpError::Checksum));
    }

    #[test]
    fn lzf() {
        // "aaaaaaaaaa": literal 'a', then a back-reference of 9 bytes at distance 1.
        assert_eq!(lzf_decompress(&[0x00, b'a', 0xe0, 0x00, 0x00], 10).unwrap(), b"aaaaaaaaaa");
    }
}
