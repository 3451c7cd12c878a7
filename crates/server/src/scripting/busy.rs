//! Answering clients while a script is busy, without the state lock.
//!
//! A connection calls [`answer`] before it takes the lock for a batch when
//! [`ScriptShared::busy`](super::ScriptShared) is set. Redis's rules: every
//! command without the `allow_busy` flag gets `-BUSY`; SCRIPT KILL and
//! FUNCTION KILL stop the script if it has not written (`-UNKILLABLE`
//! otherwise); SHUTDOWN NOSAVE kills it unconditionally and then runs.
//! Other `allow_busy` commands (AUTH, HELLO, ...) wait for the lock.

use super::ScriptShared;
use crate::command::{flag, table};
use crate::state::{Shared, State};
use bytes::Bytes;
use hematite_resp::ReplyBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

const SLOW_EVAL: &[u8] = b"BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
const SLOW_FUNCTION: &[u8] = b"BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
const UNKILLABLE: &[u8] = b"UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";

/// Takes the state lock for a batch. While waiting, if a script turns
/// busy, answers what Redis answers during a busy script (when
/// `may_answer`: the client is authenticated and its batch has no protocol
/// error); returns None when that answered the whole batch.
pub async fn lock<'a>(
    shared: &'a Shared,
    batch: &mut std::collections::VecDeque<Vec<Bytes>>,
    out: &mut ReplyBuf,
    may_answer: bool,
) -> Option<parking_lot::MutexGuard<'a, State>> {
    loop {
        if may_answer && shared.script.busy.load(Ordering::Acquire) {
            answer(shared, batch, out);
            if batch.is_empty() {
                return None;
            }
        }
        if let Some(g) = shared.state.try_lock_for(Duration::from_millis(1)) {
            return Some(g);
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Answers the leading requests of `batch` that Redis answers while a
/// script is busy, and removes them from the batch.
pub fn answer(shared: &Shared, batch: &mut std::collections::VecDeque<Vec<Bytes>>, out: &mut ReplyBuf) {
    let sc: &ScriptShared = &shared.script;
    let mut done = 0;
    for argv in batch.iter() {
        if !sc.busy.load(Ordering::Acquire) {
            break;
        }
        let Some(cmd) = table().lookup(&argv[0]) else {
            break;
        };
        let sub = if argv.len() >= 2 && !cmd.subcommands.is_empty() { cmd.subcommand(&argv[1]) } else { None };
        let is_eval = sc.is_eval.load(Ordering::Acquire);
        match (cmd.name, sub.map(|s| s.name)) {
            ("script", Some("kill")) | ("function", Some("kill")) if argv.len() == 2 => {
                if sc.wrote.load(Ordering::Acquire) {
                    out.error(UNKILLABLE);
                } else if cmd.name == "script" && !is_eval {
                    out.error(SLOW_FUNCTION);
                } else if cmd.name == "function" && is_eval {
                    out.error(SLOW_EVAL);
                } else {
                    let _ = sc.kill.compare_exchange(0, 1, Ordering::AcqRel, Ordering::Acquire);
                    out.ok();
                }
            }
            ("shutdown", _) => {
                if argv[1..].iter().any(|a| a.eq_ignore_ascii_case(b"nosave")) {
                    sc.kill.store(2, Ordering::Release);
                }
                break;
            }
            _ if cmd.has(flag::ALLOW_BUSY) || sub.is_some_and(|s| s.has(flag::ALLOW_BUSY)) => break,
            _ => out.error(if is_eval { SLOW_EVAL } else { SLOW_FUNCTION }),
        }
        done += 1;
    }
    batch.drain(..done);
}
