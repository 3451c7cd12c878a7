//! Sorted set commands (Redis's `t_zset.c`).

use crate::command::Row;

/// This family's table rows.
pub static ROWS: &[Row] = &[];
