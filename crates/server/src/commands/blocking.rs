//! Blocking commands' shared parts: timeout parsing and the call that
//! parks a client until one of its keys can serve it.
//!
//! A blocking handler (BLPOP, BZPOPMIN, BLMOVE, ...) first tries to serve
//! its client at once, exactly like its non-blocking twin. When every key
//! is empty it calls [`Ctx::block_on`] instead of replying. Outside MULTI
//! and scripts that parks the client; whenever a later write touches one
//! of its keys the server runs the same handler again on the client's
//! behalf, and the first run that finds data writes the reply. Inside
//! MULTI or a script a blocking command cannot wait, so `block_on` replies
//! at once as if the timeout had expired, as Redis does.

use super::Ctx;
use crate::error::{CmdError, CmdResult};
use bytes::Bytes;
use hematite_common::num;

/// What a blocking command replies when its timeout expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnTimeout {
    /// A null array (`*-1` in RESP2): BLPOP, BRPOP, BLMPOP, BZPOP*, BZMPOP.
    NullArray,
    /// A null bulk string (`$-1` in RESP2): BLMOVE, BRPOPLPUSH.
    Null,
}

/// Parses a blocking timeout in seconds (fractions allowed) into
/// milliseconds, rounded up; 0 means wait forever. Errors as Redis 7.0's
/// `getTimeoutFromObjectOrReply`, which converts `ceil(secs * 1000)` to a
/// `long long`: values beyond its range (`inf`, `1e16`) come out negative
/// there, so they are "negative" here too, while `-0.0001` rounds to 0.
pub fn arg_timeout(arg: &[u8]) -> Result<u64, CmdError> {
    let secs = num::parse_f64(arg).ok_or_else(|| CmdError::err("timeout is not a float or out of range"))?;
    let ms = (secs * 1000.0).ceil();
    // 2^63: the first value a `long long` cannot hold (parse_f64 never
    // returns NaN, so the comparisons are total here).
    if !(0.0..9_223_372_036_854_775_808.0).contains(&ms) {
        return Err(CmdError::err("timeout is negative"));
    }
    Ok(ms as u64)
}

impl Ctx<'_> {
    /// Parks the client on `keys` for `timeout_ms` (0 = forever), or, where
    /// a client cannot block (inside MULTI or a script), replies as if the
    /// timeout had expired.
    pub fn block_on(&mut self, keys: &[Bytes], timeout_ms: u64, on_timeout: OnTimeout) -> CmdResult {
        let _ = (keys, timeout_ms);
        // (Parking outside MULTI/scripts is wired in by the blocking
        // machinery; until then every caller gets the immediate reply.)
        reply_timeout(self, on_timeout);
        Ok(())
    }
}

/// Writes the reply of a blocking command whose timeout expired.
pub fn reply_timeout(ctx: &mut Ctx, on_timeout: OnTimeout) {
    match on_timeout {
        OnTimeout::NullArray => ctx.out.null_array(),
        OnTimeout::Null => ctx.out.null(),
    }
}
