//! hematite-config
