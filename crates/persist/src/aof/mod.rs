//! The Redis 7 multi-part append-only file.
//!
//! With `appendonly yes` Redis 7.0 keeps its log in a directory
//! (`<dir>/<appenddirname>`, default `appendonlydir`) holding:
//!
//! | file                                   | content                                   |
//! |----------------------------------------|-------------------------------------------|
//! | `<appendfilename>.manifest`            | the list of files below ([`manifest`])    |
//! | `<appendfilename>.<n>.base.rdb`/`.aof` | snapshot from the last rewrite: an RDB (with `aof-use-rdb-preamble yes`) or commands |
//! | `<appendfilename>.<n>.incr.aof`        | commands appended since a rewrite started |
//! | history files                          | obsolete base/incr files, deleted after a rewrite |
//!
//! Loading replays the base and then every incremental file in manifest
//! order ([`load`]). A command is a RESP multibulk, exactly as Redis's
//! `catAppendOnlyGenericCommand` writes it ([`encode`]):
//!
//! | bytes                  | meaning                                             |
//! |------------------------|-----------------------------------------------------|
//! | `*<argc>\r\n`          | number of arguments (≥ 1)                           |
//! | `$<len>\r\n<bytes>\r\n`| one argument, `argc` times                          |
//! | `#TS:<secs>\r\n`       | annotation (`aof-timestamp-enabled`), skipped       |
//! | `REDIS...` at offset 0 | an RDB preamble; commands may follow it             |
//!
//! A crash can tear the last command of the last file; with
//! `aof-load-truncated yes` the file is cut back to the end of the last
//! complete command (or to before an unfinished `MULTI`) and loading goes on.
//! Anything else that does not parse is an error naming the file and the
//! byte offset. [`check`] is `redis-check-aof`; [`dir`] holds the directory
//! operations (manifest persistence, new incremental files, the rewrite
//! steps, the upgrade from a single `appendonly.aof`).

pub mod check;
pub mod dir;
pub mod encode;
pub mod load;
pub mod manifest;

pub use check::{check, check_with_input, CheckOptions};
pub use dir::{AofDir, StartReport};
pub use encode::{encode_command, timestamp_annotation};
pub use load::{load, total_size, CommandHook, FileReport, LoadOptions, LoadProgress, LoadReport, RdbHook, Truncation};
pub use manifest::{AofFile, FileKind, Manifest, ManifestError, ManifestErrorKind};

use std::fmt;
use std::io;
use std::path::PathBuf;

/// What the repair advice in error messages tells the user to run.
pub const CHECK_AOF_CMD: &str = "hematite check-aof --fix";

/// Everything that can go wrong with the AOF files.
#[derive(Debug)]
pub enum AofError {
    /// An I/O operation on `path` failed; `what` says which.
    Io { what: &'static str, path: PathBuf, source: io::Error },
    /// The manifest at `path` does not parse.
    Manifest { path: PathBuf, error: ManifestError },
    /// A file listed in the manifest is not there (Redis: "Unable to obtain
    /// the AOF file ... length").
    MissingFile { name: String, source: io::Error },
    /// Bytes that are not a command, at `offset` of `file`.
    BadFormat { file: String, offset: u64, manifest: PathBuf },
    /// `file` ends in the middle of a command (or of a MULTI block) and
    /// truncation is not allowed (`aof-load-truncated no`). `valid_up_to` is
    /// the end of the last complete command.
    UnexpectedEof { file: String, valid_up_to: u64, size: u64, manifest: PathBuf },
    /// A file other than the last one ends in the middle of a command.
    TruncatedNotLast { file: String, valid_up_to: u64, size: u64 },
    /// The RDB preamble / RDB base could not be loaded.
    Rdb { file: String, legacy: bool, message: String },
    /// The command handler refused a command (e.g. unknown command).
    Command { file: String, offset: u64, message: String },
    /// The legacy single-file upgrade found a state it cannot handle.
    Upgrade { message: String },
}

impl fmt::Display for AofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AofError::Io { what, path, source } => write!(f, "{what} {}: {source}", path.display()),
            AofError::Manifest { path, error } => {
                write!(f, "FATAL AOF MANIFEST FILE ERROR in {}: {error}", path.display())
            }
            AofError::MissingFile { name, source } => {
                write!(f, "Unable to obtain the AOF file {name} length. stat: {source}")
            }
            AofError::BadFormat { file, offset, manifest } => write!(
                f,
                "Bad file format reading the append only file {file} at offset {offset}: \
                 make a backup of your AOF file, then use {CHECK_AOF_CMD} {}",
                manifest.display()
            ),
            AofError::UnexpectedEof { file, valid_up_to, size, manifest } => write!(
                f,
                "Unexpected end of file reading the append only file {file} (the last complete \
                 command ends at offset {valid_up_to} of {size} bytes). You can: 1) Make a backup \
                 of your AOF file, then use {CHECK_AOF_CMD} {}. 2) Alternatively you can set the \
                 'aof-load-truncated' configuration option to yes and restart the server.",
                manifest.display()
            ),
            AofError::TruncatedNotLast { file, valid_up_to, size } => write!(
                f,
                "Fatal error: the truncated file is not the last file: {file} ends in the middle \
                 of a command (last complete command ends at offset {valid_up_to} of {size} bytes); \
                 it was left untouched"
            ),
            AofError::Rdb { file, legacy: true, message } => {
                write!(f, "Error reading the RDB preamble of the AOF file {file}, AOF loading aborted: {message}")
            }
            AofError::Rdb { file, legacy: false, message } => {
                write!(f, "Error reading the RDB base file {file}, AOF loading aborted: {message}")
            }
            AofError::Command { file, offset, message } => {
                write!(f, "{message} reading the append only file {file} at offset {offset}")
            }
            AofError::Upgrade { message } => f.write_str(message),
        }
    }
}

impl std::error::Error for AofError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AofError::Io { source, .. } | AofError::MissingFile { source, .. } => Some(source),
            _ => None,
        }
    }
}

pub(crate) fn io_err(what: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> AofError {
    let path = path.into();
    move |source| AofError::Io { what, path, source }
}

#[cfg(test)]
pub(crate) mod testutil {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh, empty scratch directory under /tmp/aof-tests.
    pub fn scratch(name: &str) -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let p = std::env::temp_dir().join("aof-tests").join(format!("{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("scratch dir");
        p
    }

    /// The sample files written by Redis 7.0.15.
    pub fn sample(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/aof").join(name)
    }

    /// Copy a sample directory into a scratch directory.
    pub fn copy_sample(name: &str) -> PathBuf {
        let dst = scratch(name);
        for e in std::fs::read_dir(sample(name)).expect("sample dir") {
            let e = e.expect("entry");
            std::fs::copy(e.path(), dst.join(e.file_name())).expect("copy");
        }
        dst
    }
}
