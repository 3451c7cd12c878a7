//! FUNCTION DUMP / RESTORE payloads: the same framing as a key's DUMP
//! payload, holding function libraries instead of a value:
//!
//! ```text
//! ( 0xF5 <RDB string: library code> )*   one RDB_OPCODE_FUNCTION2 per library
//! <RDB version: u16 little-endian>       10 for Redis 7.0
//! <CRC-64/Jones of all previous bytes: u64 little-endian>
//! ```
//!
//! Library code is written as a plain RDB string (every reader accepts
//! that); compressed strings are read too.

use super::load::Reader;
use super::write::put_plain_string;
use super::{CRC64, RDB_VERSION};

/// `RDB_OPCODE_FUNCTION2`.
const OPCODE_FUNCTION2: u8 = 0xF5;

/// Why a FUNCTION RESTORE payload was refused (its three error texts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunctionPayloadError {
    /// The footer's version is newer than 10 or the CRC64 does not match.
    BadFooter,
    /// Something other than a library in the payload.
    NotAFunction,
    /// Truncated or malformed data.
    Corrupt,
}

/// Builds the FUNCTION DUMP payload of these library codes.
pub fn function_payload<'a>(codes: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for code in codes {
        out.push(OPCODE_FUNCTION2);
        put_plain_string(&mut out, code);
    }
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = CRC64.checksum(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Parses a FUNCTION RESTORE payload into library codes.
pub fn parse_function_payload(payload: &[u8]) -> Result<Vec<Vec<u8>>, FunctionPayloadError> {
    if payload.len() < 10 {
        return Err(FunctionPayloadError::BadFooter);
    }
    let (body, footer) = payload.split_at(payload.len() - 10);
    let version = u16::from_le_bytes([footer[0], footer[1]]);
    let mut crc = [0u8; 8];
    crc.copy_from_slice(&footer[2..10]);
    if version > RDB_VERSION || CRC64.checksum(&payload[..payload.len() - 8]) != u64::from_le_bytes(crc) {
        return Err(FunctionPayloadError::BadFooter);
    }
    let mut src = body;
    let mut rd = Reader::new(&mut src);
    let mut codes = Vec::new();
    while rd.pos() < body.len() as u64 {
        if rd.u8().map_err(|_| FunctionPayloadError::Corrupt)? != OPCODE_FUNCTION2 {
            return Err(FunctionPayloadError::NotAFunction);
        }
        codes.push(rd.string().map_err(|_| FunctionPayloadError::Corrupt)?);
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let codes: Vec<&[u8]> = vec![b"#!lua name=a\nredis.register_function('f', function() return 1 end)", b"x"];
        let p = function_payload(codes.iter().copied());
        assert_eq!(parse_function_payload(&p).unwrap(), codes.iter().map(|c| c.to_vec()).collect::<Vec<_>>());
        let mut bad = p.clone();
        bad[3] ^= 1;
        assert_eq!(parse_function_payload(&bad), Err(FunctionPayloadError::BadFooter));
        assert_eq!(parse_function_payload(b"short"), Err(FunctionPayloadError::BadFooter));
        // A key's payload is not a function.
        let key = super::super::dump_payload(&hematite_store::Value::Str(hematite_store::Str::from_client(b"v")), false);
        assert_eq!(parse_function_payload(&key), Err(FunctionPayloadError::NotAFunction));
        // A truncated string inside a valid footer.
        let mut body = vec![OPCODE_FUNCTION2, 10, b'a'];
        body.extend_from_slice(&RDB_VERSION.to_le_bytes());
        let crc = CRC64.checksum(&body);
        body.extend_from_slice(&crc.to_le_bytes());
        assert_eq!(parse_function_payload(&body), Err(FunctionPayloadError::Corrupt));
    }
}
