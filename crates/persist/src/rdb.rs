//! The RDB format (to be written).
