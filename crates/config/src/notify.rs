//! `notify-keyspace-events` class letters and their bit form (Redis's
//! `NOTIFY_*` constants), with Redis's exact parsing and canonical
//! spelling.

/// `K`: publish on `__keyspace@<db>__:<key>` channels.
pub const KEYSPACE: u32 = 1 << 0;
/// `E`: publish on `__keyevent@<db>__:<event>` channels.
pub const KEYEVENT: u32 = 1 << 1;
/// `g`: generic commands (DEL, EXPIRE, RENAME, ...).
pub const GENERIC: u32 = 1 << 2;
/// `$`: string commands.
pub const STRING: u32 = 1 << 3;
/// `l`: list commands.
pub const LIST: u32 = 1 << 4;
/// `s`: set commands.
pub const SET: u32 = 1 << 5;
/// `h`: hash commands.
pub const HASH: u32 = 1 << 6;
/// `z`: sorted set commands.
pub const ZSET: u32 = 1 << 7;
/// `x`: expired events.
pub const EXPIRED: u32 = 1 << 8;
/// `e`: evicted events.
pub const EVICTED: u32 = 1 << 9;
/// `t`: stream commands.
pub const STREAM: u32 = 1 << 10;
/// `m`: key-miss events (not part of `A`).
pub const KEY_MISS: u32 = 1 << 11;
/// Internal "loaded" event used by modules (no letter).
pub const LOADED: u32 = 1 << 12;
/// `d`: module key type events.
pub const MODULE: u32 = 1 << 13;
/// `n`: new-key events (not part of `A`).
pub const NEW: u32 = 1 << 14;
/// `A`: alias for `g$lshzxetd`.
pub const ALL: u32 =
    GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

/// Parses class letters (Redis's `keyspaceEventsStringToFlags()`); `None`
/// when a byte is not one of `Ag$lshzxeKEtmdn`.
pub fn parse(classes: &[u8]) -> Option<u32> {
    let mut flags = 0;
    for &c in classes {
        flags |= match c {
            b'A' => ALL,
            b'g' => GENERIC,
            b'$' => STRING,
            b'l' => LIST,
            b's' => SET,
            b'h' => HASH,
            b'z' => ZSET,
            b'x' => EXPIRED,
            b'e' => EVICTED,
            b'K' => KEYSPACE,
            b'E' => KEYEVENT,
            b't' => STREAM,
            b'm' => KEY_MISS,
            b'd' => MODULE,
            b'n' => NEW,
            _ => return None,
        };
    }
    Some(flags)
}

/// The canonical spelling (Redis's `keyspaceEventsFlagsToString()`).
///
/// Like Redis 7.0, when every `A` class is set the result is `A` and the
/// `n` flag is not printed.
pub fn to_string(flags: u32) -> String {
    let mut s = String::new();
    if flags & ALL == ALL {
        s.push('A');
    } else {
        for (bit, c) in [
            (GENERIC, 'g'),
            (STRING, '$'),
            (LIST, 'l'),
            (SET, 's'),
            (HASH, 'h'),
            (ZSET, 'z'),
            (EXPIRED, 'x'),
            (EVICTED, 'e'),
            (STREAM, 't'),
            (MODULE, 'd'),
            (NEW, 'n'),
        ] {
            if flags & bit != 0 {
                s.push(c);
            }
        }
    }
    for (bit, c) in [(KEYSPACE, 'K'), (KEYEVENT, 'E'), (KEY_MISS, 'm')] {
        if flags & bit != 0 {
            s.push(c);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        to_string(parse(s.as_bytes()).unwrap())
    }

    // Every expectation below was read back from redis-server 7.0.15 with
    // CONFIG SET notify-keyspace-events <in> / CONFIG GET.
    #[test]
    fn canonical_spelling_matches_redis() {
        assert_eq!(canon("Ag$lshzxeKEtmdn"), "AKEm");
        assert_eq!(canon("KEA"), "AKE");
        assert_eq!(canon("n"), "n");
        assert_eq!(canon("gn"), "gn");
        assert_eq!(canon("An"), "A");
        assert_eq!(canon("Km"), "Km");
        assert_eq!(canon("Ad"), "A");
        assert_eq!(canon("g$lshzxetd"), "A");
        assert_eq!(canon("g$lshzxet"), "g$lshzxet");
        assert_eq!(canon("ndtx"), "xtdn");
        assert_eq!(canon("ndtexzhsl$"), "$lshzxetdn");
        assert_eq!(canon("mEK"), "KEm");
        assert_eq!(canon(""), "");
        assert_eq!(parse(b"Kq"), None);
        assert_eq!(parse(b"K E"), None);
    }
}
