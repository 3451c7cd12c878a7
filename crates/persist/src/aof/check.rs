//! `hematite check-aof` (placeholder while being written).
