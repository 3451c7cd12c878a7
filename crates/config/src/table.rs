//! The parameter table: one [`Param`] per Redis 7.0 configuration
//! parameter, mirroring Redis's `standardConfig` array.
//!
//! Each entry carries the parameter's name, its alias (if any), its flags,
//! its type with parsing rules and bounds, accessor functions into the typed
//! [`Config`] record, and optionally a feature [`Gate`].  Every consumer —
//! config file loading, command-line arguments, `CONFIG GET`, `CONFIG SET`
//! and `CONFIG REWRITE` — goes through this single table.
//!
//! Defaults are not duplicated here: they are whatever
//! [`Config::default()`] holds, and `CONFIG REWRITE` compares against it.

use crate::model::*;
use crate::rewrite::RewriteState;
use crate::special;
use crate::util::{memtoull, string2ll, strtoll_full, yes_no};

// ---------------------------------------------------------------------------
// Flags
// ---------------------------------------------------------------------------

/// Can be changed with `CONFIG SET` (the absence of every other flag).
const MODIFIABLE: u16 = 0;
/// Only settable at startup (config file / command line).
pub(crate) const IMMUTABLE: u16 = 1 << 0;
/// The value is a secret: `CONFIG SET` arguments must be redacted from
/// SLOWLOG, MONITOR and friends.
pub(crate) const SENSITIVE: u16 = 1 << 1;
/// Not matched by `CONFIG GET` patterns; only an exact name shows it.
pub(crate) const HIDDEN: u16 = 1 << 2;
/// `CONFIG SET` needs `enable-protected-configs` to allow it.
pub(crate) const PROTECTED: u16 = 1 << 3;
/// `CONFIG SET` is refused with `-LOADING` while the dataset loads.
pub(crate) const DENY_LOADING: u16 = 1 << 4;
/// Takes several arguments (space separated in `CONFIG SET`).
pub(crate) const MULTI_ARG: u16 = 1 << 5;

// ---------------------------------------------------------------------------
// Feature gates
// ---------------------------------------------------------------------------

/// Marks a parameter whose feature hematite does not implement yet.
///
/// The parameter is accepted (from files, arguments and `CONFIG SET`) only
/// while `is_off` holds for the resulting configuration, i.e. while its
/// value means "feature off".  Anything else fails loudly with `reason`, so
/// nobody runs with, say, `appendonly yes` believing their data is on disk.
/// Enabling a feature later means deleting one `.gated(...)` call in the
/// table below.
pub struct Gate {
    is_off: fn(&Config) -> bool,
    reason: &'static str,
}

impl Gate {
    /// Why the feature is refused.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

/// All gates and the directive-level refusals live in this module, so the
/// list of missing features is in one place.
pub(crate) mod gate {
    use super::Gate;

    macro_rules! version_text {
        ($rest:literal) => {
            concat!("hematite ", env!("CARGO_PKG_VERSION"), " ", $rest)
        };
    }

    /// `replicaof <host> <port>`.
    pub(crate) static REPLICATION: Gate = Gate {
        is_off: |c| c.replicaof.is_none(),
        reason: version_text!("has no replication (only 'replicaof no one' is accepted)"),
    };
    /// `min-replicas-to-write N` with N > 0: writes would have to be
    /// refused forever, or accepted while the user believes they are not.
    pub(crate) static MIN_REPLICAS: Gate = Gate {
        is_off: |c| c.min_replicas_to_write == 0,
        reason: version_text!("has no replication (only 'min-replicas-to-write 0' is accepted)"),
    };
    /// `cluster-enabled yes`.
    pub(crate) static CLUSTER: Gate = Gate {
        is_off: |c| !c.cluster_enabled,
        reason: version_text!("has no cluster mode (only 'cluster-enabled no' is accepted)"),
    };
    /// `tls-port N` with N > 0.
    pub(crate) static TLS: Gate = Gate {
        is_off: |c| c.tls_port == 0,
        reason: version_text!("has no TLS support (only 'tls-port 0' is accepted)"),
    };
    /// `activedefrag yes` (Redis built without its bundled jemalloc refuses
    /// it too).
    pub(crate) static ACTIVE_DEFRAG: Gate = Gate {
        is_off: |c| !c.activedefrag,
        reason: version_text!("has no active defragmentation (only 'activedefrag no' is accepted)"),
    };
    /// A non-empty `aclfile`.
    pub(crate) static ACL_FILE: Gate = Gate {
        is_off: |c| c.aclfile.is_empty(),
        reason: version_text!("has no ACL file support (only 'aclfile \"\"' is accepted)"),
    };

    /// Why the config-file-only `loadmodule` directive is refused.
    pub(crate) const LOADMODULE: &str = version_text!("has no module support");
    /// Why module configuration directives (`module.name value`) are refused.
    pub(crate) const MODULE_CONFIG: &str = version_text!("has no module support");
    /// Why the config-file-only `user` directive is refused.
    pub(crate) const USER: &str = version_text!("has no ACL users yet (use requirepass)");
    /// Why the `sentinel` directive is refused.
    pub(crate) const SENTINEL: &str = version_text!("has no Sentinel mode");
}

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------

/// How an integer parameter is parsed and printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumFmt {
    /// Plain decimal (`string2ll`).
    Int,
    /// Memory value with optional unit (`memtoull`), printed in bytes.
    Memory,
    /// Memory value or `N%` (stored negated), like `maxmemory-clients`.
    MemoryPercent,
    /// Octal, like `unixsocketperm`.
    Octal,
}

/// Context of one assignment: the config file applies some rules
/// differently from `CONFIG SET`.
#[derive(Debug, Default)]
pub(crate) struct SetCtx {
    /// True while reading the config file / command line.
    pub from_file: bool,
    /// Set once the first `save` line of the config file has reset the
    /// save points (later lines append, like Redis).
    pub save_loaded: bool,
}

/// Extra check of an enum value (e.g. `save` and `nosave` together).
pub(crate) type EnumValidator = fn(u32) -> Result<(), &'static str>;
/// Extra check of a string value; gets the configuration for context.
pub(crate) type StrValidator = fn(&[u8], &Config) -> Result<(), String>;
/// Setter of a special parameter: receives all value arguments.
pub(crate) type SpecialSet = fn(&mut Config, &[Vec<u8>], &mut SetCtx) -> Result<(), String>;
/// Getter of a special parameter: the `CONFIG GET` text.
pub(crate) type SpecialGet = fn(&Config) -> Vec<u8>;
/// `CONFIG REWRITE` of a special parameter: `(current, defaults, name, state)`.
pub(crate) type SpecialRewrite = fn(&Config, &Config, &'static str, &mut RewriteState);

/// The type of a parameter and its accessors into [`Config`].
pub(crate) enum Kind {
    /// `yes` / `no`.
    Bool {
        get: fn(&Config) -> bool,
        set: fn(&mut Config, bool),
    },
    /// Integer with inclusive bounds.  Values travel as `i64` like Redis's
    /// `long long`; for `unsigned` parameters the bounds and values are
    /// compared as `u64` (so `max: -1` means `u64::MAX`).
    Num {
        min: i64,
        max: i64,
        unsigned: bool,
        fmt: NumFmt,
        get: fn(&Config) -> i64,
        set: fn(&mut Config, i64),
    },
    /// One name out of a list (or, with `bitflags`, several names OR'ed).
    Enum {
        names: &'static [(&'static str, u32)],
        bitflags: bool,
        validate: Option<EnumValidator>,
        get: fn(&Config) -> u32,
        set: fn(&mut Config, u32),
    },
    /// A string; `None` is Redis's NULL (unset).
    Str {
        empty_is_null: bool,
        validate: Option<StrValidator>,
        get: for<'a> fn(&'a Config) -> Option<&'a [u8]>,
        set: fn(&mut Config, Option<Vec<u8>>),
    },
    /// Anything with its own grammar (`save`, `bind`, `dir`, ...).
    Special {
        set: SpecialSet,
        get: SpecialGet,
        rewrite: SpecialRewrite,
    },
}

/// One configuration parameter (a row of Redis's `standardConfig` table).
pub struct Param {
    name: &'static str,
    alias: Option<&'static str>,
    flags: u16,
    pub(crate) kind: Kind,
    gate: Option<&'static Gate>,
}

impl Param {
    const fn new(name: &'static str, alias: Option<&'static str>, flags: u16, kind: Kind) -> Self {
        Param {
            name,
            alias,
            flags,
            kind,
            gate: None,
        }
    }

    /// Attaches a feature gate (see [`Gate`]).
    const fn gated(mut self, gate: &'static Gate) -> Self {
        self.gate = Some(gate);
        self
    }

    /// The primary name, e.g. `replica-read-only`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The alternative name, e.g. `slave-read-only`.
    pub fn alias(&self) -> Option<&'static str> {
        self.alias
    }

    /// True when `CONFIG SET` refuses the parameter ("can't set immutable
    /// config").
    pub fn is_immutable(&self) -> bool {
        self.flags & IMMUTABLE != 0
    }

    /// True when `CONFIG SET` arguments for it must be redacted from
    /// SLOWLOG / MONITOR / command logs.
    pub fn is_sensitive(&self) -> bool {
        self.flags & SENSITIVE != 0
    }

    /// True when `CONFIG GET` patterns skip it (exact names still work).
    pub fn is_hidden(&self) -> bool {
        self.flags & HIDDEN != 0
    }

    /// True when `CONFIG SET` needs `enable-protected-configs`.
    pub fn is_protected(&self) -> bool {
        self.flags & PROTECTED != 0
    }

    /// True when `CONFIG SET` is refused while the dataset is loading.
    pub fn is_denied_while_loading(&self) -> bool {
        self.flags & DENY_LOADING != 0
    }

    /// True when the parameter takes several arguments.
    pub fn is_multi_arg(&self) -> bool {
        self.flags & MULTI_ARG != 0
    }

    /// A short type name: `bool`, `integer`, `memory`, `octal`, `enum`,
    /// `string` or `special`.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Bool { .. } => "bool",
            Kind::Num {
                fmt: NumFmt::Int, ..
            } => "integer",
            Kind::Num {
                fmt: NumFmt::Memory | NumFmt::MemoryPercent,
                ..
            } => "memory",
            Kind::Num {
                fmt: NumFmt::Octal, ..
            } => "octal",
            Kind::Enum { .. } => "enum",
            Kind::Str { .. } => "string",
            Kind::Special { .. } => "special",
        }
    }

    /// When the parameter's feature is not implemented yet: why values
    /// other than "off" are refused.
    pub fn unsupported_reason(&self) -> Option<&'static str> {
        self.gate.map(Gate::reason)
    }

    /// The `CONFIG GET` text of the parameter's current value.
    pub fn value(&self, cfg: &Config) -> Vec<u8> {
        match &self.kind {
            Kind::Bool { get, .. } => (if get(cfg) { "yes" } else { "no" }).into(),
            Kind::Num { fmt, get, .. } => format_num(*fmt, get(cfg)).into_bytes(),
            Kind::Enum {
                names,
                bitflags,
                get,
                ..
            } => enum_names(names, get(cfg), *bitflags).into_bytes(),
            Kind::Str { get, .. } => get(cfg).map(<[u8]>::to_vec).unwrap_or_default(),
            Kind::Special { get, .. } => get(cfg),
        }
    }

    /// Parses `args` (the values after the parameter name) and stores the
    /// result in `cfg`.  Errors are Redis's reason texts, for example
    /// `argument must be a memory value`.  Does not check the gate.
    pub(crate) fn apply(
        &self,
        cfg: &mut Config,
        args: &[Vec<u8>],
        ctx: &mut SetCtx,
    ) -> Result<(), String> {
        // Every kind but Special and multi-arg enums takes exactly one value;
        // callers enforce that, but stay defensive.
        let first = args.first().map(Vec::as_slice).unwrap_or(b"");
        match &self.kind {
            Kind::Bool { set, .. } => {
                let v = yes_no(first).ok_or("argument must be 'yes' or 'no'")?;
                set(cfg, v);
            }
            Kind::Num {
                min,
                max,
                unsigned,
                fmt,
                set,
                ..
            } => {
                let v = parse_num(*fmt, first)?;
                check_bounds(*fmt, *unsigned, *min, *max, v)?;
                set(cfg, v);
            }
            Kind::Enum {
                names,
                bitflags,
                validate,
                set,
                ..
            } => {
                let v = parse_enum(names, *bitflags, args).ok_or_else(|| {
                    let list: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
                    format!(
                        "argument(s) must be one of the following: {}",
                        list.join(", ")
                    )
                })?;
                if let Some(validate) = validate {
                    validate(v)?;
                }
                set(cfg, v);
            }
            Kind::Str {
                empty_is_null,
                validate,
                set,
                ..
            } => {
                if let Some(validate) = validate {
                    validate(first, cfg)?;
                }
                let v = if *empty_is_null && first.is_empty() {
                    None
                } else {
                    Some(first.to_vec())
                };
                set(cfg, v);
            }
            Kind::Special { set, .. } => set(cfg, args, ctx)?,
        }
        Ok(())
    }

    /// Refuses the value now in `cfg` when the parameter is gated and the
    /// value means "feature on".  `written` is the name the user wrote.
    pub(crate) fn check_gate(
        &self,
        cfg: &Config,
        written: &str,
        args: &[Vec<u8>],
    ) -> Result<(), String> {
        match self.gate {
            Some(gate) if !(gate.is_off)(cfg) => Err(unsupported(written, args, gate.reason)),
            _ => Ok(()),
        }
    }
}

/// The error text for a refused feature: `appendonly yes is not supported
/// yet: hematite 0.1.0 has no AOF persistence (...)`.
pub(crate) fn unsupported(name: &str, args: &[Vec<u8>], reason: &str) -> String {
    let mut written = name.to_string();
    for a in args {
        written.push(' ');
        written.push_str(&String::from_utf8_lossy(a));
    }
    format!("{written} is not supported yet: {reason}")
}

/// Parses an integer the way Redis's `numericParseString()` does.
fn parse_num(fmt: NumFmt, s: &[u8]) -> Result<i64, &'static str> {
    match fmt {
        NumFmt::Int => string2ll(s).ok_or("argument couldn't be parsed into an integer"),
        NumFmt::Memory => memtoull(s)
            .map(|v| v as i64)
            .ok_or("argument must be a memory value"),
        NumFmt::MemoryPercent => {
            if let Some(v) = memtoull(s) {
                return Ok(v as i64);
            }
            if s.len() > 1 && s.ends_with(b"%") {
                if let Some(p) = string2ll(&s[..s.len() - 1]) {
                    if p >= 0 {
                        return Ok(-p);
                    }
                }
            }
            Err("argument must be a memory or percent value")
        }
        NumFmt::Octal => match strtoll_full(s, 8) {
            Some((v, false)) => Ok(v),
            _ => Err("argument couldn't be parsed as an octal number"),
        },
    }
}

/// Redis's `numericBoundaryCheck()`.
fn check_bounds(fmt: NumFmt, unsigned: bool, min: i64, max: i64, v: i64) -> Result<(), String> {
    if unsigned {
        let (uv, umin, umax) = (v as u64, min as u64, max as u64);
        if uv > umax || uv < umin {
            return Err(if fmt == NumFmt::Octal {
                format!("argument must be between {umin:o} and {umax:o} inclusive")
            } else {
                format!("argument must be between {umin} and {umax} inclusive")
            });
        }
    } else if fmt == NumFmt::MemoryPercent && v < 0 {
        if v < min {
            return Err(format!(
                "percentage argument must be less or equal to {}",
                -min
            ));
        }
    } else if v > max || v < min {
        return Err(format!(
            "argument must be between {min} and {max} inclusive"
        ));
    }
    Ok(())
}

/// The `CONFIG GET` text of an integer.
fn format_num(fmt: NumFmt, v: i64) -> String {
    match fmt {
        NumFmt::Int => v.to_string(),
        NumFmt::MemoryPercent if v < 0 => format!("{}%", v.unsigned_abs()),
        NumFmt::Memory | NumFmt::MemoryPercent => (v as u64).to_string(),
        NumFmt::Octal => format!("{:o}", v as u64),
    }
}

/// The `CONFIG REWRITE` text of an integer: memory values use the largest
/// exact `gb`/`mb`/`kb` unit.
pub(crate) fn format_num_for_file(fmt: NumFmt, v: i64) -> String {
    match fmt {
        NumFmt::Memory | NumFmt::MemoryPercent if v >= 0 => format_memory(v as u64),
        _ => format_num(fmt, v),
    }
}

/// Redis's `rewriteConfigFormatMemory()`.
pub(crate) fn format_memory(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    const GB: u64 = 1024 * 1024 * 1024;
    if bytes != 0 && bytes % GB == 0 {
        format!("{}gb", bytes / GB)
    } else if bytes != 0 && bytes % MB == 0 {
        format!("{}mb", bytes / MB)
    } else if bytes != 0 && bytes % KB == 0 {
        format!("{}kb", bytes / KB)
    } else {
        bytes.to_string()
    }
}

/// Redis's `configEnumGetValue()`: case-insensitive names; several names
/// are OR'ed together only for bit-flag enums.
fn parse_enum(names: &[(&str, u32)], bitflags: bool, args: &[Vec<u8>]) -> Option<u32> {
    if args.is_empty() || (!bitflags && args.len() != 1) {
        return None;
    }
    let mut value = 0;
    for arg in args {
        let mut matched = false;
        for (name, v) in names {
            if arg.eq_ignore_ascii_case(name.as_bytes()) {
                value |= v;
                matched = true;
            }
        }
        if !matched {
            return None;
        }
    }
    Some(value)
}

/// The first name with code `code`, or `unknown`.
pub(crate) fn enum_name(names: &'static [(&'static str, u32)], code: u32) -> &'static str {
    names
        .iter()
        .find(|(_, v)| *v == code)
        .map_or("unknown", |(n, _)| n)
}

/// Redis's `configEnumGetName()`: an exact match wins; bit-flag enums are
/// otherwise spelled as the space-separated names of their bits.
pub(crate) fn enum_names(
    names: &'static [(&'static str, u32)],
    code: u32,
    bitflags: bool,
) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let mut unmatched = code;
    for (name, v) in names {
        if *v == code {
            return (*name).to_string();
        }
        if bitflags && *v != 0 && *v == unmatched & *v {
            parts.push(name);
            unmatched &= !*v;
        }
    }
    if parts.is_empty() || unmatched != 0 {
        "unknown".to_string()
    } else {
        parts.join(" ")
    }
}

// ---------------------------------------------------------------------------
// Enum name lists (order = Redis's order, which shows in error messages)
// ---------------------------------------------------------------------------

pub(crate) const LOGLEVEL_NAMES: &[(&str, u32)] =
    &[("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)];
pub(crate) const MAXMEMORY_POLICY_NAMES: &[(&str, u32)] = &[
    ("volatile-lru", 0),
    ("volatile-lfu", 1),
    ("volatile-random", 2),
    ("volatile-ttl", 3),
    ("allkeys-lru", 4),
    ("allkeys-lfu", 5),
    ("allkeys-random", 6),
    ("noeviction", 7),
];
pub(crate) const SYSLOG_FACILITY_NAMES: &[(&str, u32)] = &[
    ("user", 8),
    ("local0", 128),
    ("local1", 136),
    ("local2", 144),
    ("local3", 152),
    ("local4", 160),
    ("local5", 168),
    ("local6", 176),
    ("local7", 184),
];
pub(crate) const SUPERVISED_NAMES: &[(&str, u32)] =
    &[("upstart", 1), ("systemd", 2), ("auto", 3), ("no", 0)];
pub(crate) const APPENDFSYNC_NAMES: &[(&str, u32)] = &[("everysec", 0), ("always", 1), ("no", 2)];
pub(crate) const REPL_DISKLESS_LOAD_NAMES: &[(&str, u32)] =
    &[("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)];
pub(crate) const TLS_AUTH_CLIENTS_NAMES: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("optional", 2)];
pub(crate) const OOM_SCORE_ADJ_NAMES: &[(&str, u32)] =
    &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)];
pub(crate) const ACL_PUBSUB_DEFAULT_NAMES: &[(&str, u32)] =
    &[("allchannels", 1), ("resetchannels", 0)];
pub(crate) const SANITIZE_DUMP_NAMES: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("clients", 2)];
pub(crate) const PROTECTED_ACTION_NAMES: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("local", 2)];
pub(crate) const ENDPOINT_TYPE_NAMES: &[(&str, u32)] =
    &[("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)];
pub(crate) const PROPAGATION_ERROR_NAMES: &[(&str, u32)] =
    &[("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)];
pub(crate) const SHUTDOWN_ON_SIG_NAMES: &[(&str, u32)] = &[
    ("default", 0),
    ("save", SHUTDOWN_SAVE),
    ("nosave", SHUTDOWN_NOSAVE),
    ("now", SHUTDOWN_NOW),
    ("force", SHUTDOWN_FORCE),
];

// ---------------------------------------------------------------------------
// Validators
// ---------------------------------------------------------------------------

fn valid_shutdown_flags(v: u32) -> Result<(), &'static str> {
    if v & SHUTDOWN_SAVE != 0 && v & SHUTDOWN_NOSAVE != 0 {
        return Err("shutdown options SAVE and NOSAVE can't be used simultaneously");
    }
    Ok(())
}

fn is_base_name(v: &[u8]) -> bool {
    !v.contains(&b'/') && !v.contains(&b'\\')
}

fn valid_dbfilename(v: &[u8], _: &Config) -> Result<(), String> {
    if !is_base_name(v) {
        return Err("dbfilename can't be a path, just a filename".into());
    }
    Ok(())
}

fn valid_appendfilename(v: &[u8], _: &Config) -> Result<(), String> {
    if v.is_empty() {
        return Err("appendfilename can't be empty".into());
    }
    if !is_base_name(v) {
        return Err("appendfilename can't be a path, just a filename".into());
    }
    Ok(())
}

fn valid_appenddirname(v: &[u8], _: &Config) -> Result<(), String> {
    if v.is_empty() {
        return Err("appenddirname can't be empty".into());
    }
    if !is_base_name(v) {
        return Err("appenddirname can't be a path, just a dirname".into());
    }
    Ok(())
}

fn valid_hostname(v: &[u8], _: &Config) -> Result<(), String> {
    if v.len() >= 256 {
        return Err("Hostnames must be less than 256 characters".into());
    }
    if !v
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
    {
        return Err("Hostnames may only contain alphanumeric characters, hyphens or dots".into());
    }
    Ok(())
}

fn valid_proc_title(v: &[u8], cfg: &Config) -> Result<(), String> {
    match special::expand_proc_title(v, b"", cfg, None) {
        Some(expanded) if !expanded.is_empty() => Ok(()),
        _ => Err("template format is invalid or contains unknown variables".into()),
    }
}

// ---------------------------------------------------------------------------
// Entry constructors
// ---------------------------------------------------------------------------

macro_rules! bool_param {
    ($name:literal, $alias:expr, $flags:expr, $field:ident) => {
        Param::new(
            $name,
            $alias,
            $flags,
            Kind::Bool {
                get: |c| c.$field,
                set: |c, v| c.$field = v,
            },
        )
    };
}

macro_rules! num_param {
    ($name:literal, $alias:expr, $flags:expr, $field:ident, $min:expr, $max:expr, $fmt:ident) => {
        num_param!(@ $name, $alias, $flags, $field, $min, $max, $fmt, false)
    };
    (unsigned $name:literal, $alias:expr, $flags:expr, $field:ident, $min:expr, $max:expr, $fmt:ident) => {
        num_param!(@ $name, $alias, $flags, $field, $min, $max, $fmt, true)
    };
    (@ $name:literal, $alias:expr, $flags:expr, $field:ident, $min:expr, $max:expr, $fmt:ident, $unsigned:expr) => {
        Param::new(
            $name,
            $alias,
            $flags,
            Kind::Num {
                min: $min,
                max: $max,
                unsigned: $unsigned,
                fmt: NumFmt::$fmt,
                get: |c| c.$field as i64,
                set: |c, v| c.$field = v as _,
            },
        )
    };
}

macro_rules! enum_param {
    ($name:literal, $alias:expr, $flags:expr, $field:ident, $ty:ident, $names:ident) => {
        Param::new(
            $name,
            $alias,
            $flags,
            Kind::Enum {
                names: $names,
                bitflags: false,
                validate: None,
                get: |c| c.$field.code(),
                set: |c, v| {
                    if let Some(v) = $ty::from_code(v) {
                        c.$field = v;
                    }
                },
            },
        )
    };
}

/// A string that is NULL when empty, stored as `Option<String>`.
macro_rules! opt_str_param {
    ($name:literal, $alias:expr, $flags:expr, $field:ident) => {
        opt_str_param!($name, $alias, $flags, $field, None)
    };
    ($name:literal, $alias:expr, $flags:expr, $field:ident, $validate:expr) => {
        Param::new(
            $name,
            $alias,
            $flags,
            Kind::Str {
                empty_is_null: true,
                validate: $validate,
                get: |c| c.$field.as_deref().map(str::as_bytes),
                set: |c, v| c.$field = v.map(|v| crate::util::lossy(&v)),
            },
        )
    };
}

/// A string that is NULL when empty, stored as a `String` where "" = NULL.
macro_rules! nullable_str_param {
    ($name:literal, $alias:expr, $flags:expr, $field:ident) => {
        Param::new(
            $name,
            $alias,
            $flags,
            Kind::Str {
                empty_is_null: true,
                validate: None,
                get: |c| (!c.$field.is_empty()).then(|| c.$field.as_bytes()),
                set: |c, v| c.$field = v.map(|v| crate::util::lossy(&v)).unwrap_or_default(),
            },
        )
    };
}

/// A string where "" is a real value, stored as `String`.
macro_rules! str_param {
    ($name:literal, $alias:expr, $flags:expr, $field:ident, $validate:expr) => {
        Param::new(
            $name,
            $alias,
            $flags,
            Kind::Str {
                empty_is_null: false,
                validate: $validate,
                get: |c| Some(c.$field.as_bytes()),
                set: |c, v| c.$field = v.map(|v| crate::util::lossy(&v)).unwrap_or_default(),
            },
        )
    };
}

/// A binary-safe secret, stored as `Option<Vec<u8>>`.
macro_rules! bytes_param {
    ($name:literal, $flags:expr, $field:ident) => {
        Param::new(
            $name,
            None,
            $flags,
            Kind::Str {
                empty_is_null: true,
                validate: None,
                get: |c| c.$field.as_deref(),
                set: |c, v| c.$field = v,
            },
        )
    };
}

macro_rules! special_param {
    ($name:literal, $alias:expr, $flags:expr, $module:ident) => {
        Param::new(
            $name,
            $alias,
            $flags,
            Kind::Special {
                set: special::$module::set,
                get: special::$module::get,
                rewrite: special::$module::rewrite,
            },
        )
    };
}

const INT_MIN: i64 = i32::MIN as i64;
const INT_MAX: i64 = i32::MAX as i64;
const UINT_MAX: i64 = u32::MAX as i64;
const LONG_MAX: i64 = i64::MAX;
const LLONG_MAX: i64 = i64::MAX;
/// `ULLONG_MAX` as the bit pattern Redis stores in a `long long`.
const ULLONG_MAX: i64 = -1;
const MB: i64 = 1024 * 1024;

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------

/// Every parameter of Redis 7.0.15 (flags, bounds and aliases verified
/// against a running redis-server 7.0.15), in Redis's declaration order.
pub(crate) static TABLE: &[Param] = &[
    // ----- booleans -----
    bool_param!("rdbchecksum", None, IMMUTABLE, rdbchecksum),
    bool_param!("daemonize", None, IMMUTABLE, daemonize),
    bool_param!("io-threads-do-reads", None, IMMUTABLE, io_threads_do_reads),
    bool_param!("always-show-logo", None, IMMUTABLE, always_show_logo),
    bool_param!("protected-mode", None, MODIFIABLE, protected_mode),
    bool_param!("rdbcompression", None, MODIFIABLE, rdbcompression),
    bool_param!("rdb-del-sync-files", None, MODIFIABLE, rdb_del_sync_files),
    bool_param!("activerehashing", None, MODIFIABLE, activerehashing),
    bool_param!(
        "stop-writes-on-bgsave-error",
        None,
        MODIFIABLE,
        stop_writes_on_bgsave_error
    ),
    bool_param!("set-proc-title", None, IMMUTABLE, set_proc_title),
    bool_param!("dynamic-hz", None, MODIFIABLE, dynamic_hz),
    bool_param!(
        "lazyfree-lazy-eviction",
        None,
        MODIFIABLE,
        lazyfree_lazy_eviction
    ),
    bool_param!(
        "lazyfree-lazy-expire",
        None,
        MODIFIABLE,
        lazyfree_lazy_expire
    ),
    bool_param!(
        "lazyfree-lazy-server-del",
        None,
        MODIFIABLE,
        lazyfree_lazy_server_del
    ),
    bool_param!(
        "lazyfree-lazy-user-del",
        None,
        MODIFIABLE,
        lazyfree_lazy_user_del
    ),
    bool_param!(
        "lazyfree-lazy-user-flush",
        None,
        MODIFIABLE,
        lazyfree_lazy_user_flush
    ),
    bool_param!(
        "repl-disable-tcp-nodelay",
        None,
        MODIFIABLE,
        repl_disable_tcp_nodelay
    ),
    bool_param!("repl-diskless-sync", None, MODIFIABLE, repl_diskless_sync),
    bool_param!(
        "aof-rewrite-incremental-fsync",
        None,
        MODIFIABLE,
        aof_rewrite_incremental_fsync
    ),
    bool_param!(
        "no-appendfsync-on-rewrite",
        None,
        MODIFIABLE,
        no_appendfsync_on_rewrite
    ),
    bool_param!(
        "cluster-require-full-coverage",
        None,
        MODIFIABLE,
        cluster_require_full_coverage
    ),
    bool_param!(
        "rdb-save-incremental-fsync",
        None,
        MODIFIABLE,
        rdb_save_incremental_fsync
    ),
    bool_param!("aof-load-truncated", None, MODIFIABLE, aof_load_truncated),
    bool_param!(
        "aof-use-rdb-preamble",
        None,
        MODIFIABLE,
        aof_use_rdb_preamble
    ),
    bool_param!(
        "aof-timestamp-enabled",
        None,
        MODIFIABLE,
        aof_timestamp_enabled
    ),
    bool_param!(
        "cluster-replica-no-failover",
        Some("cluster-slave-no-failover"),
        MODIFIABLE,
        cluster_replica_no_failover
    ),
    bool_param!(
        "replica-lazy-flush",
        Some("slave-lazy-flush"),
        MODIFIABLE,
        replica_lazy_flush
    ),
    bool_param!(
        "replica-serve-stale-data",
        Some("slave-serve-stale-data"),
        MODIFIABLE,
        replica_serve_stale_data
    ),
    bool_param!(
        "replica-read-only",
        Some("slave-read-only"),
        MODIFIABLE,
        replica_read_only
    ),
    bool_param!(
        "replica-ignore-maxmemory",
        Some("slave-ignore-maxmemory"),
        MODIFIABLE,
        replica_ignore_maxmemory
    ),
    bool_param!("jemalloc-bg-thread", None, MODIFIABLE, jemalloc_bg_thread),
    bool_param!("activedefrag", None, MODIFIABLE, activedefrag).gated(&gate::ACTIVE_DEFRAG),
    bool_param!("syslog-enabled", None, IMMUTABLE, syslog_enabled),
    bool_param!("cluster-enabled", None, IMMUTABLE, cluster_enabled).gated(&gate::CLUSTER),
    bool_param!("appendonly", None, MODIFIABLE | DENY_LOADING, appendonly),
    bool_param!(
        "cluster-allow-reads-when-down",
        None,
        MODIFIABLE,
        cluster_allow_reads_when_down
    ),
    bool_param!(
        "cluster-allow-pubsubshard-when-down",
        None,
        MODIFIABLE,
        cluster_allow_pubsubshard_when_down
    ),
    bool_param!("crash-log-enabled", None, MODIFIABLE, crash_log_enabled),
    bool_param!(
        "crash-memcheck-enabled",
        None,
        MODIFIABLE,
        crash_memcheck_enabled
    ),
    bool_param!(
        "use-exit-on-panic",
        None,
        MODIFIABLE | HIDDEN,
        use_exit_on_panic
    ),
    bool_param!("disable-thp", None, IMMUTABLE, disable_thp),
    bool_param!(
        "cluster-allow-replica-migration",
        None,
        MODIFIABLE,
        cluster_allow_replica_migration
    ),
    bool_param!("replica-announced", None, MODIFIABLE, replica_announced),
    bool_param!("latency-tracking", None, MODIFIABLE, latency_tracking),
    bool_param!("aof-disable-auto-gc", None, MODIFIABLE, aof_disable_auto_gc),
    bool_param!(
        "replica-ignore-disk-write-errors",
        None,
        MODIFIABLE,
        replica_ignore_disk_write_errors
    ),
    // ----- strings -----
    str_param!("aclfile", None, IMMUTABLE, aclfile, None).gated(&gate::ACL_FILE),
    opt_str_param!("unixsocket", None, IMMUTABLE, unixsocket),
    nullable_str_param!("pidfile", None, IMMUTABLE, pidfile),
    opt_str_param!(
        "replica-announce-ip",
        Some("slave-announce-ip"),
        MODIFIABLE,
        replica_announce_ip
    ),
    opt_str_param!("masteruser", None, MODIFIABLE | SENSITIVE, masteruser),
    opt_str_param!("cluster-announce-ip", None, MODIFIABLE, cluster_announce_ip),
    str_param!(
        "cluster-config-file",
        None,
        IMMUTABLE,
        cluster_config_file,
        None
    ),
    opt_str_param!(
        "cluster-announce-hostname",
        None,
        MODIFIABLE,
        cluster_announce_hostname,
        Some(valid_hostname)
    ),
    str_param!("syslog-ident", None, IMMUTABLE, syslog_ident, None),
    str_param!(
        "dbfilename",
        None,
        MODIFIABLE | PROTECTED,
        dbfilename,
        Some(valid_dbfilename)
    ),
    str_param!(
        "appendfilename",
        None,
        IMMUTABLE,
        appendfilename,
        Some(valid_appendfilename)
    ),
    str_param!(
        "appenddirname",
        None,
        IMMUTABLE,
        appenddirname,
        Some(valid_appenddirname)
    ),
    opt_str_param!("server_cpulist", None, IMMUTABLE, server_cpulist),
    opt_str_param!("bio_cpulist", None, IMMUTABLE, bio_cpulist),
    opt_str_param!("aof_rewrite_cpulist", None, IMMUTABLE, aof_rewrite_cpulist),
    opt_str_param!("bgsave_cpulist", None, IMMUTABLE, bgsave_cpulist),
    str_param!("ignore-warnings", None, MODIFIABLE, ignore_warnings, None),
    str_param!(
        "proc-title-template",
        None,
        MODIFIABLE,
        proc_title_template,
        Some(valid_proc_title)
    ),
    opt_str_param!("bind-source-addr", None, MODIFIABLE, bind_source_addr),
    str_param!("logfile", None, IMMUTABLE, logfile, None),
    bytes_param!("masterauth", MODIFIABLE | SENSITIVE, masterauth),
    bytes_param!("requirepass", MODIFIABLE | SENSITIVE, requirepass),
    // ----- enums -----
    Param::new(
        "supervised",
        None,
        IMMUTABLE,
        Kind::Enum {
            names: SUPERVISED_NAMES,
            bitflags: false,
            validate: None,
            get: |c| {
                SUPERVISED_NAMES
                    .iter()
                    .find(|(n, _)| *n == c.supervised)
                    .map_or(0, |(_, v)| *v)
            },
            set: |c, v| c.supervised = enum_name(SUPERVISED_NAMES, v).to_string(),
        },
    ),
    enum_param!(
        "syslog-facility",
        None,
        IMMUTABLE,
        syslog_facility,
        SyslogFacility,
        SYSLOG_FACILITY_NAMES
    ),
    enum_param!(
        "repl-diskless-load",
        None,
        MODIFIABLE | DENY_LOADING,
        repl_diskless_load,
        ReplDisklessLoad,
        REPL_DISKLESS_LOAD_NAMES
    ),
    enum_param!(
        "loglevel",
        None,
        MODIFIABLE,
        loglevel,
        LogLevel,
        LOGLEVEL_NAMES
    ),
    enum_param!(
        "maxmemory-policy",
        None,
        MODIFIABLE,
        maxmemory_policy,
        MaxmemoryPolicy,
        MAXMEMORY_POLICY_NAMES
    ),
    enum_param!(
        "appendfsync",
        None,
        MODIFIABLE,
        appendfsync,
        AppendFsync,
        APPENDFSYNC_NAMES
    ),
    enum_param!(
        "oom-score-adj",
        None,
        MODIFIABLE,
        oom_score_adj,
        OomScoreAdj,
        OOM_SCORE_ADJ_NAMES
    ),
    enum_param!(
        "acl-pubsub-default",
        None,
        MODIFIABLE,
        acl_pubsub_default,
        AclPubsubDefault,
        ACL_PUBSUB_DEFAULT_NAMES
    ),
    enum_param!(
        "sanitize-dump-payload",
        None,
        MODIFIABLE,
        sanitize_dump_payload,
        SanitizeDumpPayload,
        SANITIZE_DUMP_NAMES
    ),
    enum_param!(
        "enable-protected-configs",
        None,
        IMMUTABLE,
        enable_protected_configs,
        ProtectedAction,
        PROTECTED_ACTION_NAMES
    ),
    enum_param!(
        "enable-debug-command",
        None,
        IMMUTABLE,
        enable_debug_command,
        ProtectedAction,
        PROTECTED_ACTION_NAMES
    ),
    enum_param!(
        "enable-module-command",
        None,
        IMMUTABLE,
        enable_module_command,
        ProtectedAction,
        PROTECTED_ACTION_NAMES
    ),
    enum_param!(
        "cluster-preferred-endpoint-type",
        None,
        MODIFIABLE,
        cluster_preferred_endpoint_type,
        ClusterPreferredEndpointType,
        ENDPOINT_TYPE_NAMES
    ),
    enum_param!(
        "propagation-error-behavior",
        None,
        MODIFIABLE,
        propagation_error_behavior,
        PropagationErrorBehavior,
        PROPAGATION_ERROR_NAMES
    ),
    Param::new(
        "shutdown-on-sigint",
        None,
        MODIFIABLE | MULTI_ARG,
        Kind::Enum {
            names: SHUTDOWN_ON_SIG_NAMES,
            bitflags: true,
            validate: Some(valid_shutdown_flags),
            get: |c| c.shutdown_on_sigint,
            set: |c, v| c.shutdown_on_sigint = v,
        },
    ),
    Param::new(
        "shutdown-on-sigterm",
        None,
        MODIFIABLE | MULTI_ARG,
        Kind::Enum {
            names: SHUTDOWN_ON_SIG_NAMES,
            bitflags: true,
            validate: Some(valid_shutdown_flags),
            get: |c| c.shutdown_on_sigterm,
            set: |c, v| c.shutdown_on_sigterm = v,
        },
    ),
    // ----- int -----
    num_param!("databases", None, IMMUTABLE, databases, 1, INT_MAX, Int),
    num_param!("port", None, MODIFIABLE, port, 0, 65535, Int),
    num_param!("io-threads", None, IMMUTABLE, io_threads, 1, 128, Int),
    num_param!(
        "auto-aof-rewrite-percentage",
        None,
        MODIFIABLE,
        auto_aof_rewrite_percentage,
        0,
        INT_MAX,
        Int
    ),
    num_param!(
        "cluster-replica-validity-factor",
        Some("cluster-slave-validity-factor"),
        MODIFIABLE,
        cluster_replica_validity_factor,
        0,
        INT_MAX,
        Int
    ),
    num_param!(
        "list-max-listpack-size",
        Some("list-max-ziplist-size"),
        MODIFIABLE,
        list_max_listpack_size,
        INT_MIN,
        INT_MAX,
        Int
    ),
    num_param!(
        "tcp-keepalive",
        None,
        MODIFIABLE,
        tcp_keepalive,
        0,
        INT_MAX,
        Int
    ),
    num_param!(
        "cluster-migration-barrier",
        None,
        MODIFIABLE,
        cluster_migration_barrier,
        0,
        INT_MAX,
        Int
    ),
    num_param!(
        "active-defrag-cycle-min",
        None,
        MODIFIABLE,
        active_defrag_cycle_min,
        1,
        99,
        Int
    ),
    num_param!(
        "active-defrag-cycle-max",
        None,
        MODIFIABLE,
        active_defrag_cycle_max,
        1,
        99,
        Int
    ),
    num_param!(
        "active-defrag-threshold-lower",
        None,
        MODIFIABLE,
        active_defrag_threshold_lower,
        0,
        1000,
        Int
    ),
    num_param!(
        "active-defrag-threshold-upper",
        None,
        MODIFIABLE,
        active_defrag_threshold_upper,
        0,
        1000,
        Int
    ),
    num_param!(
        "lfu-log-factor",
        None,
        MODIFIABLE,
        lfu_log_factor,
        0,
        INT_MAX,
        Int
    ),
    num_param!(
        "lfu-decay-time",
        None,
        MODIFIABLE,
        lfu_decay_time,
        0,
        INT_MAX,
        Int
    ),
    num_param!(
        "replica-priority",
        Some("slave-priority"),
        MODIFIABLE,
        replica_priority,
        0,
        INT_MAX,
        Int
    ),
    num_param!(
        "repl-diskless-sync-delay",
        None,
        MODIFIABLE,
        repl_diskless_sync_delay,
        0,
        INT_MAX,
        Int
    ),
    num_param!(
        "maxmemory-samples",
        None,
        MODIFIABLE,
        maxmemory_samples,
        1,
        INT_MAX,
        Int
    ),
    num_param!(
        "maxmemory-eviction-tenacity",
        None,
        MODIFIABLE,
        maxmemory_eviction_tenacity,
        0,
        100,
        Int
    ),
    num_param!("timeout", None, MODIFIABLE, timeout, 0, INT_MAX, Int),
    num_param!(
        "replica-announce-port",
        Some("slave-announce-port"),
        MODIFIABLE,
        replica_announce_port,
        0,
        65535,
        Int
    ),
    num_param!("tcp-backlog", None, IMMUTABLE, tcp_backlog, 0, INT_MAX, Int),
    num_param!("cluster-port", None, IMMUTABLE, cluster_port, 0, 65535, Int),
    num_param!(
        "cluster-announce-bus-port",
        None,
        MODIFIABLE,
        cluster_announce_bus_port,
        0,
        65535,
        Int
    ),
    num_param!(
        "cluster-announce-port",
        None,
        MODIFIABLE,
        cluster_announce_port,
        0,
        65535,
        Int
    ),
    num_param!(
        "cluster-announce-tls-port",
        None,
        MODIFIABLE,
        cluster_announce_tls_port,
        0,
        65535,
        Int
    ),
    num_param!(
        "repl-timeout",
        None,
        MODIFIABLE,
        repl_timeout,
        1,
        INT_MAX,
        Int
    ),
    num_param!(
        "repl-ping-replica-period",
        Some("repl-ping-slave-period"),
        MODIFIABLE,
        repl_ping_replica_period,
        1,
        INT_MAX,
        Int
    ),
    num_param!(
        "list-compress-depth",
        None,
        MODIFIABLE,
        list_compress_depth,
        0,
        INT_MAX,
        Int
    ),
    num_param!(
        "rdb-key-save-delay",
        None,
        MODIFIABLE | HIDDEN,
        rdb_key_save_delay,
        INT_MIN,
        INT_MAX,
        Int
    ),
    num_param!(
        "key-load-delay",
        None,
        MODIFIABLE | HIDDEN,
        key_load_delay,
        INT_MIN,
        INT_MAX,
        Int
    ),
    num_param!(
        "active-expire-effort",
        None,
        MODIFIABLE,
        active_expire_effort,
        1,
        10,
        Int
    ),
    Param::new(
        "hz",
        None,
        MODIFIABLE,
        Kind::Num {
            min: 0,
            max: INT_MAX,
            unsigned: false,
            fmt: NumFmt::Int,
            get: |c| i64::from(c.hz),
            // Redis accepts any value and clamps it to 1..=500.
            set: |c, v| c.hz = v.clamp(1, 500) as u32,
        },
    ),
    num_param!(
        "min-replicas-to-write",
        Some("min-slaves-to-write"),
        MODIFIABLE,
        min_replicas_to_write,
        0,
        INT_MAX,
        Int
    )
    .gated(&gate::MIN_REPLICAS),
    num_param!(
        "min-replicas-max-lag",
        Some("min-slaves-max-lag"),
        MODIFIABLE,
        min_replicas_max_lag,
        0,
        INT_MAX,
        Int
    ),
    num_param!(
        "watchdog-period",
        None,
        MODIFIABLE | HIDDEN,
        watchdog_period,
        0,
        INT_MAX,
        Int
    ),
    num_param!(
        "shutdown-timeout",
        None,
        MODIFIABLE,
        shutdown_timeout,
        0,
        INT_MAX,
        Int
    ),
    num_param!(
        "repl-diskless-sync-max-replicas",
        None,
        MODIFIABLE,
        repl_diskless_sync_max_replicas,
        0,
        INT_MAX,
        Int
    ),
    // ----- unsigned int -----
    num_param!(unsigned "maxclients", None, MODIFIABLE, maxclients, 1, UINT_MAX, Int),
    num_param!(unsigned "unixsocketperm", None, IMMUTABLE, unixsocketperm, 0, 0o777, Octal),
    num_param!(unsigned "socket-mark-id", None, IMMUTABLE, socket_mark_id, 0, UINT_MAX, Int),
    // ----- unsigned long -----
    num_param!(
        "active-defrag-max-scan-fields",
        None,
        MODIFIABLE,
        active_defrag_max_scan_fields,
        1,
        LONG_MAX,
        Int
    ),
    num_param!(
        "slowlog-max-len",
        None,
        MODIFIABLE,
        slowlog_max_len,
        0,
        LONG_MAX,
        Int
    ),
    num_param!(
        "acllog-max-len",
        None,
        MODIFIABLE,
        acllog_max_len,
        0,
        LONG_MAX,
        Int
    ),
    // ----- long long -----
    num_param!(
        "busy-reply-threshold",
        Some("lua-time-limit"),
        MODIFIABLE,
        busy_reply_threshold,
        0,
        LONG_MAX,
        Int
    ),
    num_param!(
        "cluster-node-timeout",
        None,
        MODIFIABLE,
        cluster_node_timeout,
        0,
        LLONG_MAX,
        Int
    ),
    num_param!(
        "slowlog-log-slower-than",
        None,
        MODIFIABLE,
        slowlog_log_slower_than,
        -1,
        LLONG_MAX,
        Int
    ),
    num_param!(
        "latency-monitor-threshold",
        None,
        MODIFIABLE,
        latency_monitor_threshold,
        0,
        LLONG_MAX,
        Int
    ),
    num_param!(
        "proto-max-bulk-len",
        None,
        MODIFIABLE,
        proto_max_bulk_len,
        MB,
        LONG_MAX,
        Memory
    ),
    num_param!(
        "stream-node-max-entries",
        None,
        MODIFIABLE,
        stream_node_max_entries,
        0,
        LLONG_MAX,
        Int
    ),
    num_param!(
        "repl-backlog-size",
        None,
        MODIFIABLE,
        repl_backlog_size,
        1,
        LLONG_MAX,
        Memory
    ),
    // ----- unsigned long long -----
    num_param!(unsigned "maxmemory", None, MODIFIABLE, maxmemory, 0, ULLONG_MAX, Memory),
    num_param!(
        unsigned "cluster-link-sendbuf-limit",
        None,
        MODIFIABLE,
        cluster_link_sendbuf_limit,
        0,
        ULLONG_MAX,
        Memory
    ),
    // ----- size_t -----
    num_param!(
        unsigned "hash-max-listpack-entries",
        Some("hash-max-ziplist-entries"),
        MODIFIABLE,
        hash_max_listpack_entries,
        0,
        LONG_MAX,
        Int
    ),
    num_param!(unsigned "set-max-intset-entries", None, MODIFIABLE, set_max_intset_entries, 0, LONG_MAX, Int),
    num_param!(
        unsigned "zset-max-listpack-entries",
        Some("zset-max-ziplist-entries"),
        MODIFIABLE,
        zset_max_listpack_entries,
        0,
        LONG_MAX,
        Int
    ),
    num_param!(
        unsigned "active-defrag-ignore-bytes",
        None,
        MODIFIABLE,
        active_defrag_ignore_bytes,
        1,
        LLONG_MAX,
        Memory
    ),
    num_param!(
        unsigned "hash-max-listpack-value",
        Some("hash-max-ziplist-value"),
        MODIFIABLE,
        hash_max_listpack_value,
        0,
        LONG_MAX,
        Memory
    ),
    num_param!(unsigned "stream-node-max-bytes", None, MODIFIABLE, stream_node_max_bytes, 0, LONG_MAX, Memory),
    num_param!(
        unsigned "zset-max-listpack-value",
        Some("zset-max-ziplist-value"),
        MODIFIABLE,
        zset_max_listpack_value,
        0,
        LONG_MAX,
        Memory
    ),
    num_param!(unsigned "hll-sparse-max-bytes", None, MODIFIABLE, hll_sparse_max_bytes, 0, LONG_MAX, Memory),
    num_param!(
        unsigned "tracking-table-max-keys",
        None,
        MODIFIABLE,
        tracking_table_max_keys,
        0,
        LONG_MAX,
        Int
    ),
    num_param!(
        unsigned "client-query-buffer-limit",
        None,
        MODIFIABLE,
        client_query_buffer_limit,
        MB,
        LONG_MAX,
        Memory
    ),
    num_param!(
        "maxmemory-clients",
        None,
        MODIFIABLE,
        maxmemory_clients,
        -100,
        i64::MAX,
        MemoryPercent
    ),
    // ----- time_t / off_t -----
    num_param!(
        "repl-backlog-ttl",
        None,
        MODIFIABLE,
        repl_backlog_ttl,
        0,
        LONG_MAX,
        Int
    ),
    num_param!(
        "auto-aof-rewrite-min-size",
        None,
        MODIFIABLE,
        auto_aof_rewrite_min_size,
        0,
        LLONG_MAX,
        Memory
    ),
    num_param!(
        "loading-process-events-interval-bytes",
        None,
        MODIFIABLE | HIDDEN,
        loading_process_events_interval_bytes,
        1024,
        INT_MAX,
        Int
    ),
    // ----- TLS -----
    num_param!("tls-port", None, MODIFIABLE, tls_port, 0, 65535, Int).gated(&gate::TLS),
    num_param!(
        "tls-session-cache-size",
        None,
        MODIFIABLE,
        tls_session_cache_size,
        0,
        INT_MAX,
        Int
    ),
    num_param!(
        "tls-session-cache-timeout",
        None,
        MODIFIABLE,
        tls_session_cache_timeout,
        0,
        INT_MAX,
        Int
    ),
    bool_param!("tls-cluster", None, MODIFIABLE, tls_cluster),
    bool_param!("tls-replication", None, MODIFIABLE, tls_replication),
    enum_param!(
        "tls-auth-clients",
        None,
        MODIFIABLE,
        tls_auth_clients,
        TlsAuthClients,
        TLS_AUTH_CLIENTS_NAMES
    ),
    bool_param!(
        "tls-prefer-server-ciphers",
        None,
        MODIFIABLE,
        tls_prefer_server_ciphers
    ),
    bool_param!("tls-session-caching", None, MODIFIABLE, tls_session_caching),
    opt_str_param!("tls-cert-file", None, MODIFIABLE, tls_cert_file),
    opt_str_param!("tls-key-file", None, MODIFIABLE, tls_key_file),
    opt_str_param!("tls-key-file-pass", None, MODIFIABLE, tls_key_file_pass),
    opt_str_param!(
        "tls-client-cert-file",
        None,
        MODIFIABLE,
        tls_client_cert_file
    ),
    opt_str_param!("tls-client-key-file", None, MODIFIABLE, tls_client_key_file),
    opt_str_param!(
        "tls-client-key-file-pass",
        None,
        MODIFIABLE,
        tls_client_key_file_pass
    ),
    opt_str_param!("tls-dh-params-file", None, MODIFIABLE, tls_dh_params_file),
    opt_str_param!("tls-ca-cert-file", None, MODIFIABLE, tls_ca_cert_file),
    opt_str_param!("tls-ca-cert-dir", None, MODIFIABLE, tls_ca_cert_dir),
    opt_str_param!("tls-protocols", None, MODIFIABLE, tls_protocols),
    opt_str_param!("tls-ciphers", None, MODIFIABLE, tls_ciphers),
    opt_str_param!("tls-ciphersuites", None, MODIFIABLE, tls_ciphersuites),
    // ----- special -----
    special_param!("dir", None, MODIFIABLE | PROTECTED | DENY_LOADING, dir),
    special_param!("save", None, MODIFIABLE | MULTI_ARG, save),
    special_param!(
        "client-output-buffer-limit",
        None,
        MODIFIABLE | MULTI_ARG,
        client_output_buffer_limit
    ),
    special_param!(
        "oom-score-adj-values",
        None,
        MODIFIABLE | MULTI_ARG,
        oom_score_adj_values
    ),
    special_param!(
        "notify-keyspace-events",
        None,
        MODIFIABLE,
        notify_keyspace_events
    ),
    special_param!("bind", None, MODIFIABLE | MULTI_ARG, bind),
    // hematite's own (not in Redis): see `Config::eviction_protected_keys`.
    special_param!("eviction-protected-keys", None, MODIFIABLE | MULTI_ARG, eviction_protected_keys),
    special_param!(
        "replicaof",
        Some("slaveof"),
        IMMUTABLE | MULTI_ARG,
        replicaof
    )
    .gated(&gate::REPLICATION),
    special_param!(
        "latency-tracking-info-percentiles",
        None,
        MODIFIABLE | MULTI_ARG,
        latency_tracking_info_percentiles
    ),
];

/// Config-file directives Redis 7.0 still accepts (with one value) and
/// ignores.
pub(crate) const DEPRECATED: &[&str] = &[
    "list-max-ziplist-entries",
    "list-max-ziplist-value",
    "lua-replicate-commands",
];

/// Finds a parameter by name or alias, ASCII case-insensitively.  Returns
/// the entry and the canonical spelling of the name that matched (the alias
/// when the alias matched: Redis treats an alias as its own entry).
pub(crate) fn lookup(name: &[u8]) -> Option<(&'static Param, &'static str)> {
    TABLE.iter().find_map(|p| {
        if name.eq_ignore_ascii_case(p.name.as_bytes()) {
            Some((p, p.name))
        } else {
            match p.alias {
                Some(a) if name.eq_ignore_ascii_case(a.as_bytes()) => Some((p, a)),
                _ => None,
            }
        }
    })
}

/// Every parameter, in table order.  Useful for `COMMAND DOCS`-style
/// listings or for documentation.
pub fn params() -> &'static [Param] {
    TABLE
}

/// Finds a parameter by name or alias (ASCII case-insensitive).
pub fn find_param(name: &[u8]) -> Option<&'static Param> {
    lookup(name).map(|(p, _)| p)
}
