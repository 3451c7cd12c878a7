//! Startup configuration: the config file, standard input and
//! `--name value` command-line options, combined exactly like
//! redis-server 7.0's `main()` and `loadServerConfig()` do.
//!
//! The text that gets parsed is: the config file's contents, then standard
//! input's (when `-` was given), then a newline, then one line per
//! command-line option.  Line numbers in errors count in that combined
//! text, so `redis-server --port x` reports line 2, as Redis does.
//! `include` files are parsed on their own, with line numbers restarting
//! at one, and relative paths are resolved against the current `dir`,
//! which is where Redis would be after `chdir()`ing.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use hematite_common::args::split_args;
use hematite_common::glob::string_match;

use crate::model::Config;
use crate::table::{gate, lookup, unsupported, SetCtx, DEPRECATED};
use crate::util::{absolute_path, lossy, push_repr, resolve_in, strerror};

/// How deeply `include` may nest before loading gives up (Redis itself
/// would recurse until it runs out of file descriptors).
const MAX_INCLUDE_DEPTH: usize = 32;

/// What kind of startup failure a [`ConfigError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigErrorKind {
    /// A bad directive or value: printed with Redis's
    /// `*** FATAL CONFIG FILE ERROR ***` banner on standard error.
    Directive,
    /// A config file that cannot be read.  Redis logs this one as a normal
    /// log line (`Fatal error, can't open config file '...': ...`) and
    /// exits; the message holds exactly that text.
    Unreadable,
}

/// A startup configuration error.
///
/// `Display` renders Redis 7.0's text with hematite's name and version,
/// for example:
///
/// ```text
///
/// *** FATAL CONFIG FILE ERROR (hematite 0.1.0) ***
/// Reading the configuration file, at line 2
/// >>> 'foo bar'
/// Bad directive or wrong number of arguments
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// 1-based line number in the text being parsed (see the module
    /// documentation), if the error is about a line.
    pub line: Option<usize>,
    /// The offending line, trimmed, if the error is about a line.
    pub text: Option<String>,
    /// Why: Redis's reason text, e.g. `argument must be a memory value`.
    pub message: String,
    /// How the error is reported.
    pub kind: ConfigErrorKind,
    /// The file the line came from (`None` for standard input and command
    /// line options).  Informational; Redis does not print it.
    pub file: Option<PathBuf>,
}

impl ConfigError {
    fn unreadable(message: String) -> ConfigError {
        ConfigError {
            line: None,
            text: None,
            message,
            kind: ConfigErrorKind::Unreadable,
            file: None,
        }
    }

    fn general(message: String) -> ConfigError {
        ConfigError {
            line: None,
            text: None,
            message,
            kind: ConfigErrorKind::Directive,
            file: None,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == ConfigErrorKind::Unreadable {
            return f.write_str(&self.message);
        }
        write!(
            f,
            "\n*** FATAL CONFIG FILE ERROR (hematite {}) ***\n",
            env!("CARGO_PKG_VERSION")
        )?;
        if let (Some(line), Some(text)) = (self.line, &self.text) {
            write!(
                f,
                "Reading the configuration file, at line {line}\n>>> '{text}'\n"
            )?;
        }
        writeln!(f, "{}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Where a configuration line came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The main config file or an included file.
    File(PathBuf),
    /// Standard input (`redis-server -`).
    Stdin,
    /// A `--name value` command-line option.
    CommandLine,
}

/// One applied parameter line and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveOrigin {
    /// The parameter's primary name.
    pub name: &'static str,
    /// Where the line was.
    pub source: Source,
    /// 1-based line number within the text it was parsed from.
    pub line: usize,
}

/// What [`load`] learned besides the configuration itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadInfo {
    /// Absolute path of the main config file (what `CONFIG REWRITE`
    /// rewrites); `None` when started without one.
    pub config_file: Option<PathBuf>,
    /// Whether configuration was read from standard input.
    pub config_from_stdin: bool,
    /// Every parameter line applied, in order.
    pub directives: Vec<DirectiveOrigin>,
}

/// Loads the startup configuration like `redis-server [config-file]
/// [options]`.
///
/// * `config_file`: the config file (`-` means standard input); `None`
///   when the first argument was not a file.
/// * `args`: the remaining arguments: `--name value...` options (several
///   words after `--name` are joined until the next `--`), a bare `-` as
///   the first or last argument to read standard input, and `--save` with
///   no value meaning `save ""`, all as in Redis 7.0.
///
/// With no config file and no arguments the defaults are returned without
/// parsing anything.  Program-level flags (`--version`, `--help`,
/// `--test-memory`, ...) are the caller's business.
pub fn load(
    config_file: Option<&Path>,
    args: &[String],
) -> Result<(Config, LoadInfo), ConfigError> {
    load_with_stdin(config_file, args, &mut std::io::stdin())
}

/// Like [`load`], taking the whole argument vector after the program name
/// and applying Redis's rule that a first argument not starting with `-`
/// is the config file.
pub fn load_from_argv(argv: &[String]) -> Result<(Config, LoadInfo), ConfigError> {
    match argv.first() {
        Some(first) if !first.starts_with('-') => load(Some(Path::new(first)), &argv[1..]),
        _ => load(None, argv),
    }
}

/// Like [`load`], reading "standard input" from `stdin` (for tests and
/// embedding).
pub fn load_with_stdin(
    config_file: Option<&Path>,
    args: &[String],
    stdin: &mut dyn Read,
) -> Result<(Config, LoadInfo), ConfigError> {
    let mut info = LoadInfo::default();
    let mut loader = Loader {
        cfg: Config::default(),
        ctx: SetCtx {
            from_file: true,
            save_loaded: false,
        },
        directives: Vec::new(),
        depth: 0,
    };
    if config_file.is_none() && args.is_empty() {
        return Ok((loader.cfg, info));
    }

    // Positions in Redis's argv: the config file (or "-") is argv[1].
    let file_is_stdin = config_file.is_some_and(|p| p.as_os_str() == "-");
    let first_index = if config_file.is_some() { 2 } else { 1 };
    let (options, stdin_from_args) = command_line_options(args, first_index);
    info.config_from_stdin = file_is_stdin || stdin_from_args;

    let mut content = Vec::new();
    let mut map = SourceMap::default();
    if let Some(path) = config_file.filter(|_| !file_is_stdin) {
        let abs = absolute_path(path).map_err(|e| {
            ConfigError::unreadable(format!(
                "Fatal error, can't open config file '{}': {}",
                path.display(),
                strerror(&e)
            ))
        })?;
        let abs_text = abs.to_string_lossy().into_owned();
        let cwd = loader.cfg.dir.clone();
        read_config_source(&abs_text, &cwd, &mut content, &mut map)?;
        info.config_file = Some(abs);
    }
    if info.config_from_stdin {
        let start = content.len();
        stdin.read_to_end(&mut content).map_err(|e| {
            ConfigError::unreadable(format!(
                "Fatal error, can't read config from stdin: {}",
                strerror(&e)
            ))
        })?;
        map.push(start, Source::Stdin);
    }
    let start = content.len();
    content.push(b'\n');
    content.extend_from_slice(&options);
    map.push(start, Source::CommandLine);

    loader.load_text(&content, &map)?;
    loader.finish()?;
    info.directives = loader.directives;
    Ok((loader.cfg, info))
}

/// Builds the option text Redis appends after the config file, following
/// `main()` of redis-server 7.0.15.  `first_index` is the position of
/// `args[0]` in the full argv (1 without a config file, 2 with one).
/// Returns the text and whether a bare `-` asked for standard input.
pub fn command_line_options(args: &[String], first_index: usize) -> (Vec<u8>, bool) {
    let argc = first_index + args.len();
    let mut options: Vec<u8> = Vec::new();
    let mut from_stdin = false;
    let mut handled_last_config_arg = true;
    for (k, arg) in args.iter().enumerate() {
        let j = first_index + k;
        let bytes = arg.as_bytes();
        let is_last = j == argc - 1;
        let next_is_option = args.get(k + 1).is_some_and(|n| n.starts_with("--"));
        if bytes == b"-" && (j == 1 || is_last) {
            from_stdin = true;
        } else if handled_last_config_arg && bytes.starts_with(b"--") {
            if !options.is_empty() {
                options.push(b'\n');
            }
            options.extend_from_slice(&bytes[2..]);
            options.push(b' ');
            let single_word = matches!(split_args(bytes), Some(words) if words.len() == 1);
            if single_word {
                // Only a name so far: the value(s) follow as separate args.
                handled_last_config_arg = false;
                let is_save = arg.eq_ignore_ascii_case("--save");
                let is_sentinel = arg.eq_ignore_ascii_case("--sentinel");
                if is_save && !is_last && next_is_option {
                    // `--save --port 6380` means `save ""`.
                    options.extend_from_slice(b"\"\"");
                    handled_last_config_arg = true;
                } else if is_save && is_last {
                    options.extend_from_slice(b"\"\"");
                } else if is_sentinel && !is_last && next_is_option {
                    handled_last_config_arg = true;
                }
            } else {
                // `"--port 6380"` carries its value in the same argument.
                handled_last_config_arg = true;
            }
        } else {
            push_repr(&mut options, bytes);
            options.push(b' ');
            handled_last_config_arg = true;
        }
    }
    (options, from_stdin)
}

/// Maps byte offsets of the parsed text to the [`Source`] they came from.
#[derive(Debug, Default)]
struct SourceMap {
    /// `(start offset, source)`, sorted by offset.
    parts: Vec<(usize, Source)>,
}

impl SourceMap {
    fn push(&mut self, start: usize, source: Source) {
        self.parts.push((start, source));
    }

    fn source_at(&self, offset: usize) -> Source {
        self.parts
            .iter()
            .rev()
            .find(|(start, _)| *start <= offset)
            .map_or(Source::CommandLine, |(_, s)| s.clone())
    }
}

/// Parsing state shared by the main text and included files.
struct Loader {
    cfg: Config,
    ctx: SetCtx,
    directives: Vec<DirectiveOrigin>,
    depth: usize,
}

impl Loader {
    /// Redis's `loadServerConfigFromString()`.
    fn load_text(&mut self, content: &[u8], map: &SourceMap) -> Result<(), ConfigError> {
        // The C code works on a NUL-terminated string.
        let content = match content.iter().position(|&b| b == 0) {
            Some(end) => &content[..end],
            None => content,
        };
        if content.is_empty() {
            return Ok(());
        }
        let mut offset = 0;
        for (index, raw) in content.split(|&b| b == b'\n').enumerate() {
            let line_start = offset;
            offset += raw.len() + 1;
            let linenum = index + 1;
            let line = trim(raw);
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            let source = map.source_at(line_start);
            let at_line = |message: String| ConfigError {
                line: Some(linenum),
                text: Some(lossy(line)),
                message,
                kind: ConfigErrorKind::Directive,
                file: match &source {
                    Source::File(p) => Some(p.clone()),
                    _ => None,
                },
            };
            let argv = split_args(line)
                .ok_or_else(|| at_line("Unbalanced quotes in configuration line".into()))?;
            if argv.is_empty() {
                continue;
            }
            let name = lossy(&argv[0]).to_ascii_lowercase();
            let mut values = &argv[1..];
            let split: Vec<Vec<u8>>;

            if let Some((param, _)) = lookup(name.as_bytes()) {
                if !param.is_multi_arg() && argv.len() != 2 {
                    return Err(at_line("wrong number of arguments".into()));
                }
                // Redis 7: a multi-argument parameter given one non-empty
                // argument has it split at spaces (`--save "3600 1"`).
                if param.is_multi_arg() && values.len() == 1 && !values[0].is_empty() {
                    split = values[0].split(|&b| b == b' ').filter(|p| !p.is_empty()).map(|p| p.to_vec()).collect();
                    values = &split;
                }
                param
                    .apply(&mut self.cfg, values, &mut self.ctx)
                    .map_err(&at_line)?;
                param
                    .check_gate(&self.cfg, &name, values)
                    .map_err(&at_line)?;
                self.directives.push(DirectiveOrigin {
                    name: param.name(),
                    source,
                    line: linenum,
                });
                continue;
            }
            if DEPRECATED.contains(&name.as_str()) && argv.len() == 2 {
                continue;
            }
            match name.as_str() {
                "include" if argv.len() == 2 => {
                    if self.depth >= MAX_INCLUDE_DEPTH {
                        return Err(at_line(
                            "include nesting is too deep (is a file including itself?)".into(),
                        ));
                    }
                    self.depth += 1;
                    let result = self.include(&argv[1]);
                    self.depth -= 1;
                    result?;
                }
                "rename-command" if argv.len() == 3 => {
                    self.cfg
                        .rename_commands
                        .push((lossy(&argv[1]), lossy(&argv[2])));
                }
                "user" if argv.len() >= 2 => {
                    return Err(at_line(unsupported("user", &[], gate::USER)));
                }
                "loadmodule" if argv.len() >= 2 => {
                    return Err(at_line(unsupported(
                        "loadmodule",
                        &argv[1..2],
                        gate::LOADMODULE,
                    )));
                }
                "sentinel" => return Err(at_line(unsupported("sentinel", &[], gate::SENTINEL))),
                _ if name.contains('.') => {
                    if argv.len() != 2 {
                        return Err(at_line("Module config specified without value".into()));
                    }
                    return Err(at_line(unsupported(&name, &[], gate::MODULE_CONFIG)));
                }
                _ => return Err(at_line("Bad directive or wrong number of arguments".into())),
            }
        }
        Ok(())
    }

    /// `include <path-or-glob>`: parsed as its own text.
    fn include(&mut self, path: &[u8]) -> Result<(), ConfigError> {
        let mut content = Vec::new();
        let mut map = SourceMap::default();
        let base = self.cfg.dir.clone();
        read_config_source(&lossy(path), &base, &mut content, &mut map)?;
        self.load_text(&content, &map)
    }

    /// The checks Redis runs after the whole text was parsed.
    fn finish(&mut self) -> Result<(), ConfigError> {
        if !self.cfg.logfile.is_empty() {
            let path = resolve_in(&self.cfg.dir, Path::new(&self.cfg.logfile));
            std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(path)
                .map_err(|e| {
                    ConfigError::general(format!("Can't open the log file: {}", strerror(&e)))
                })?;
        }
        if self.cfg.cluster_enabled && self.cfg.replicaof.is_some() {
            return Err(ConfigError::general(
                "replicaof directive not allowed in cluster mode".into(),
            ));
        }
        Ok(())
    }
}

/// Trims `" \t\r\n"` from both ends (Redis's `sdstrim`).
fn trim(s: &[u8]) -> &[u8] {
    let is_trim = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = s.iter().position(|b| !is_trim(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !is_trim(b)).map_or(start, |i| i + 1);
    &s[start..end]
}

/// Reads a config file, or every file matching a glob pattern (sorted; no
/// match is not an error), appending to `content` and recording sources.
/// Relative names are resolved against `base`.
fn read_config_source(
    name: &str,
    base: &str,
    content: &mut Vec<u8>,
    map: &mut SourceMap,
) -> Result<(), ConfigError> {
    let files = if name.contains(['*', '?', '[']) {
        glob(name, base)
    } else {
        vec![PathBuf::from(name)]
    };
    for file in files {
        let resolved = resolve_in(base, &file);
        let bytes = std::fs::read(&resolved).map_err(|e| {
            ConfigError::unreadable(format!(
                "Fatal error, can't open config file '{}': {}",
                file.display(),
                strerror(&e)
            ))
        })?;
        map.push(content.len(), Source::File(resolved));
        content.extend_from_slice(&bytes);
    }
    Ok(())
}

/// A small `glob(3)` (no flags): `*`, `?` and `[...]` in any path
/// component, hidden names only matched by patterns starting with `.`,
/// results sorted.  Relative patterns are resolved against `base` but
/// returned relative, like glob(3) relative to the working directory.
fn glob(pattern: &str, base: &str) -> Vec<PathBuf> {
    let mut candidates = vec![if pattern.starts_with('/') {
        PathBuf::from("/")
    } else {
        PathBuf::new()
    }];
    for component in pattern.split('/').filter(|c| !c.is_empty()) {
        let mut next = Vec::new();
        for candidate in &candidates {
            if !component.contains(['*', '?', '[']) {
                next.push(candidate.join(component));
                continue;
            }
            let dir = if candidate.as_os_str().is_empty() {
                PathBuf::from(base)
            } else {
                resolve_in(base, candidate)
            };
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut names: Vec<String> = entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.') || component.starts_with('.'))
                .filter(|n| string_match(component.as_bytes(), n.as_bytes(), false))
                .collect();
            names.sort();
            next.extend(names.into_iter().map(|n| candidate.join(n)));
        }
        candidates = next;
    }
    candidates.retain(|c| resolve_in(base, c).symlink_metadata().is_ok());
    candidates.sort();
    candidates
}
