//! Publish/subscribe commands (Redis's `pubsub.c`).

use crate::command::Row;

/// This family's table rows.
pub static ROWS: &[Row] = &[];
