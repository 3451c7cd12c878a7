//! Errors a command returns to its client, rendered in one place.
//!
//! Handlers return `Err(CmdError::...)`; the dispatcher writes the reply.
//! Keeping every user-visible error text here makes it easy to check them
//! against Redis's (they must match byte for byte: clients parse them) and
//! lets the `errorstats` section of INFO count errors by their code (the
//! first word).

use std::fmt;

/// A user-facing command error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CmdError {
    /// `-WRONGTYPE Operation against a key holding the wrong kind of value`.
    WrongType,
    /// `-ERR syntax error`.
    Syntax,
    /// `-ERR value is not an integer or out of range`.
    NotInteger,
    /// `-ERR value is not a valid float`.
    NotFloat,
    /// `-ERR increment or decrement would overflow`.
    Overflow,
    /// `-ERR no such key`.
    NoSuchKey,
    /// `-ERR wrong number of arguments for '<cmd>' command`.
    WrongArity(String),
    /// `-ERR unknown subcommand '<sub>'. Try <CMD> HELP.`
    UnknownSubcommand { sub: String, cmd: String },
    /// `-ERR DB index is out of range`.
    DbIndexOutOfRange,
    /// `-ERR invalid expire time in '<cmd>' command`.
    InvalidExpireTime(String),
    /// `-ERR string exceeds maximum allowed size (proto-max-bulk-len)`.
    StringTooLong,
    /// `-ERR offset is out of range`.
    OffsetOutOfRange,
    /// `-NOAUTH Authentication required.`
    NoAuth,
    /// `-WRONGPASS invalid username-password pair or user is disabled.`
    WrongPass,
    /// `-ERR value is out of range, must be positive`.
    MustBePositive,
    /// `-OOM command not allowed when used memory > 'maxmemory'.`
    Oom,
    /// Any other error; the text includes its code (`ERR ...`).
    Other(String),
}

impl CmdError {
    /// A plain `ERR` error with the given text.
    pub fn err(text: impl Into<String>) -> Self {
        CmdError::Other(format!("ERR {}", text.into()))
    }

    /// An error with its own code (`NOPROTO ...`, `BUSYKEY ...`).
    pub fn coded(text: impl Into<String>) -> Self {
        CmdError::Other(text.into())
    }
}

impl fmt::Display for CmdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CmdError::WrongType => f.write_str("WRONGTYPE Operation against a key holding the wrong kind of value"),
            CmdError::Syntax => f.write_str("ERR syntax error"),
            CmdError::NotInteger => f.write_str("ERR value is not an integer or out of range"),
            CmdError::NotFloat => f.write_str("ERR value is not a valid float"),
            CmdError::Overflow => f.write_str("ERR increment or decrement would overflow"),
            CmdError::NoSuchKey => f.write_str("ERR no such key"),
            CmdError::WrongArity(cmd) => write!(f, "ERR wrong number of arguments for '{cmd}' command"),
            CmdError::UnknownSubcommand { sub, cmd } => {
                write!(f, "ERR unknown subcommand '{sub}'. Try {cmd} HELP.")
            }
            CmdError::DbIndexOutOfRange => f.write_str("ERR DB index is out of range"),
            CmdError::InvalidExpireTime(cmd) => write!(f, "ERR invalid expire time in '{cmd}' command"),
            CmdError::StringTooLong => f.write_str("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
            CmdError::OffsetOutOfRange => f.write_str("ERR offset is out of range"),
            CmdError::NoAuth => f.write_str("NOAUTH Authentication required."),
            CmdError::WrongPass => f.write_str("WRONGPASS invalid username-password pair or user is disabled."),
            CmdError::MustBePositive => f.write_str("ERR value is out of range, must be positive"),
            CmdError::Oom => f.write_str("OOM command not allowed when used memory > 'maxmemory'."),
            CmdError::Other(s) => f.write_str(s),
        }
    }
}

/// The result type of command handlers.
pub type CmdResult = Result<(), CmdError>;

/// Truncates and sanitises client-supplied text quoted inside an error, as
/// Redis does for unknown command names (at most 128 bytes, lossy UTF-8).
pub fn quote_arg(arg: &[u8]) -> String {
    // Redis formats these with `%s`, so the text also ends at a NUL byte.
    let arg = arg.split(|&b| b == 0).next().unwrap_or(b"");
    let cut = &arg[..arg.len().min(128)];
    String::from_utf8_lossy(cut).into_owned()
}
