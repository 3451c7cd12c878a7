//! Writing commands and annotations the way Redis appends them.
//!
//! | piece                  | bytes                                    |
//! |------------------------|------------------------------------------|
//! | command header         | `*<argc>\r\n`                            |
//! | each argument          | `$<len>\r\n<bytes>\r\n`                  |
//! | timestamp annotation   | `#TS:<unix seconds>\r\n`                 |
//!
//! Redis writes integers in decimal without padding; integer-encoded values
//! are written as their decimal text, so the caller passes bytes.

/// Append `argv` as a RESP multibulk, as `catAppendOnlyGenericCommand` does.
pub fn encode_command(out: &mut Vec<u8>, argv: &[&[u8]]) {
    out.reserve(16 + argv.iter().map(|a| a.len() + 16).sum::<usize>());
    out.push(b'*');
    out.extend_from_slice(argv.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    for arg in argv {
        out.push(b'$');
        out.extend_from_slice(arg.len().to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

/// The annotation `aof-timestamp-enabled` writes before the first command of
/// each new second: `#TS:<secs>\r\n`.
pub fn timestamp_annotation(secs: i64) -> Vec<u8> {
    format!("#TS:{secs}\r\n").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_redis_bytes() {
        let mut out = Vec::new();
        encode_command(&mut out, &[b"set", b"after", b"norm"]);
        assert_eq!(out, b"*3\r\n$3\r\nset\r\n$5\r\nafter\r\n$4\r\nnorm\r\n");
        out.clear();
        encode_command(&mut out, &[b"SET", b"", b"a\r\nb"]);
        assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$0\r\n\r\n$4\r\na\r\nb\r\n");
        assert_eq!(timestamp_annotation(1795655517), b"#TS:1795655517\r\n");
    }

    #[test]
    fn reproduces_a_redis_incr_file() {
        // The incr file Redis 7.0.15 wrote with aof-timestamp-enabled yes.
        let want = std::fs::read(crate::aof::testutil::sample("resp-base").join("appendonly.aof.4.incr.aof")).unwrap();
        let mut out = timestamp_annotation(1795655517);
        encode_command(&mut out, &[b"SELECT", b"0"]);
        encode_command(&mut out, &[b"set", b"after", b"norm"]);
        out.extend(timestamp_annotation(1795655518));
        encode_command(&mut out, &[b"PEXPIREAT", b"after", b"1795655618655"]);
        assert_eq!(out, want);
    }
}
