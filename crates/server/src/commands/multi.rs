//! MULTI, EXEC, DISCARD, WATCH and UNWATCH (Redis's `multi.c`).

use crate::command::Row;

/// This family's table rows.
pub static ROWS: &[Row] = &[];
