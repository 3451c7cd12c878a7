//! SORT and SORT_RO (Redis's `sort.c`).

use crate::command::Row;

/// This family's table rows.
pub static ROWS: &[Row] = &[];
