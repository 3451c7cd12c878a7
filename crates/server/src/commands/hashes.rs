//! Hash commands (Redis's `t_hash.c`).

use crate::command::Row;

/// This family's table rows.
pub static ROWS: &[Row] = &[];
