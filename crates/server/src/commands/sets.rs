//! Set commands (Redis's `t_set.c`).

use crate::command::Row;

/// This family's table rows.
pub static ROWS: &[Row] = &[];
