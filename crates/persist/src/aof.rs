//! The multi-part AOF (to be written).
