//! Lua scripting and functions: EVAL, EVALSHA, SCRIPT, FUNCTION, FCALL.

use crate::command::Row;

/// This family's table rows.
pub static ROWS: &[Row] = &[];
