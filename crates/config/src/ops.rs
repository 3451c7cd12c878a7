//! `CONFIG GET` and `CONFIG SET` on a [`Config`].
//!
//! `CONFIG SET` is atomic like in Redis 7: all names are resolved and
//! checked first (unknown, immutable, protected, duplicate), then every
//! value is applied to a scratch copy; the live configuration is replaced
//! only when all of them succeeded.

use hematite_common::glob::string_match;

use crate::model::{Config, ProtectedAction};
use crate::table::{lookup, Param, SetCtx, TABLE};
use crate::util::lossy;

/// Options of [`Config::set_with`] that depend on the caller's context.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SetOptions {
    /// Whether protected parameters (`dir`, `dbfilename`) may be changed.
    /// Redis allows it when `enable-protected-configs` is `yes`, or `local`
    /// and the client is local — only the server knows the latter.
    pub allow_protected: bool,
    /// Whether the dataset is being loaded: parameters flagged
    /// "deny while loading" are then refused with a `LOADING` error.
    pub loading: bool,
}

/// Formats Redis's `CONFIG SET` failure reply (without the leading `-`)
/// for `name`: `ERR CONFIG SET failed (possibly related to argument
/// 'name') - reason`.  Useful when applying a change in the server fails
/// after [`Config::set`] succeeded (for example a new `port` cannot be
/// bound) and the server restores its backup copy.
pub fn set_failed(name: &str, reason: &str) -> String {
    format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}")
}

/// True when `pattern` contains a glob metacharacter (`[`, `*` or `?`),
/// i.e. when `CONFIG GET` matches instead of looking up.
fn is_pattern(pattern: &[u8]) -> bool {
    pattern.iter().any(|b| matches!(b, b'[' | b'*' | b'?'))
}

impl Config {
    /// `CONFIG GET` for one pattern.
    ///
    /// A pattern without `*`, `?` or `[` is an exact, case-insensitive
    /// lookup of a name or alias (hidden parameters included) and the reply
    /// echoes the name as written.  Otherwise it is a case-insensitive glob
    /// over all names and aliases, skipping hidden parameters.  Values use
    /// Redis's formatting: memory values in plain bytes, booleans `yes`/`no`,
    /// enums by name, `save` as `3600 1 300 100`, and so on.
    pub fn get(&self, pattern: &[u8]) -> Vec<(String, String)> {
        if !is_pattern(pattern) {
            return match lookup(pattern) {
                Some((p, _)) => vec![(lossy(pattern), lossy(&p.value(self)))],
                None => Vec::new(),
            };
        }
        let mut out = Vec::new();
        for p in TABLE.iter().filter(|p| !p.is_hidden()) {
            for name in std::iter::once(p.name()).chain(p.alias()) {
                if string_match(pattern, name.as_bytes(), true) {
                    out.push((name.to_string(), lossy(&p.value(self))));
                }
            }
        }
        out
    }

    /// `CONFIG GET` with several patterns: the union of [`Config::get`]
    /// for each, without repeating a name (compared case-insensitively,
    /// like Redis's reply map).
    pub fn get_many(&self, patterns: &[&[u8]]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for pattern in patterns {
            for (name, value) in self.get(pattern) {
                if !out.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
                    out.push((name, value));
                }
            }
        }
        out
    }

    /// `CONFIG SET name value [name value ...]`, atomically.
    ///
    /// Protected parameters are allowed when `enable-protected-configs` is
    /// `yes`; use [`Config::set_with`] to decide per client (`local`).
    /// See [`Config::set_with`] for the result.
    pub fn set(&mut self, pairs: &[(Vec<u8>, Vec<u8>)]) -> Result<Vec<&'static str>, String> {
        let opts = SetOptions {
            allow_protected: self.enable_protected_configs == ProtectedAction::Yes,
            loading: false,
        };
        self.set_with(pairs, opts)
    }

    /// `CONFIG SET` with explicit [`SetOptions`].
    ///
    /// On success returns the primary names of the parameters whose value
    /// actually changed (the server applies side effects for those: rebind
    /// on `port`/`bind`, resize on `maxclients`, ...).  On failure nothing
    /// changed and the error is Redis's exact reply text without the
    /// leading `-`, e.g.
    /// `ERR Unknown option or number of arguments for CONFIG SET - 'foo'` or
    /// `ERR CONFIG SET failed (possibly related to argument 'maxmemory') -
    /// argument must be a memory value`.  An odd number of arguments is the
    /// caller's syntax error and is not represented here.
    pub fn set_with(
        &mut self,
        pairs: &[(Vec<u8>, Vec<u8>)],
        opts: SetOptions,
    ) -> Result<Vec<&'static str>, String> {
        // Phase 1: resolve names.  The first problem found wins, except that
        // a LOADING refusal takes precedence (as in Redis).
        let mut resolved: Vec<(&'static Param, &'static str)> = Vec::with_capacity(pairs.len());
        let mut unknown: Option<&[u8]> = None;
        let mut name_error: Option<(String, &'static str)> = None;
        let mut deny_loading = false;
        let mut invalid = false;
        for (name, _) in pairs {
            let Some((param, canonical)) = lookup(name) else {
                if !invalid {
                    unknown = Some(name);
                    invalid = true;
                }
                continue;
            };
            if invalid {
                continue;
            }
            if param.is_immutable() || (param.is_protected() && !opts.allow_protected) {
                let why = if param.is_immutable() {
                    "can't set immutable config"
                } else {
                    "can't set protected config"
                };
                name_error = Some((lossy(name), why));
                invalid = true;
                continue;
            }
            if opts.loading && param.is_denied_while_loading() {
                deny_loading = true;
                invalid = true;
                continue;
            }
            // Aliases count as separate entries, as in Redis.
            if resolved
                .iter()
                .any(|(p, c)| std::ptr::eq(*p, param) && *c == canonical)
            {
                name_error = Some((lossy(name), "duplicate parameter"));
                invalid = true;
                continue;
            }
            resolved.push((param, canonical));
        }
        if deny_loading {
            return Err("LOADING Redis is loading the dataset in memory".to_string());
        }
        if let Some(name) = unknown {
            return Err(format!(
                "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                lossy(name)
            ));
        }
        if let Some((name, why)) = name_error {
            return Err(set_failed(&name, why));
        }

        // Phase 2: apply everything to a scratch copy.
        let mut scratch = self.clone();
        let mut ctx = SetCtx::default();
        let mut hooks: Vec<usize> = Vec::new();
        for ((param, canonical), (_, value)) in resolved.iter().zip(pairs) {
            let args = if param.is_multi_arg() {
                split_spaces(value)
            } else {
                vec![value.clone()]
            };
            let before = param.value(&scratch);
            param
                .apply(&mut scratch, &args, &mut ctx)
                .map_err(|e| set_failed(canonical, &e))?;
            param
                .check_gate(&scratch, canonical, &args)
                .map_err(|e| set_failed(canonical, &e))?;
            if let Some(hook) = SET_HOOKS.iter().position(|(n, _)| *n == param.name()) {
                if param.value(&scratch) != before && !hooks.contains(&hook) {
                    hooks.push(hook);
                }
            }
        }
        for hook in hooks {
            (SET_HOOKS[hook].1)(&mut scratch);
        }

        // Phase 3: commit and report what changed.
        let mut changed: Vec<&'static str> = Vec::new();
        for (param, _) in &resolved {
            if !changed.contains(&param.name()) && param.value(self) != param.value(&scratch) {
                changed.push(param.name());
            }
        }
        *self = scratch;
        Ok(changed)
    }

    /// The primary names of all parameters, in table order.
    pub fn names() -> impl Iterator<Item = &'static str> {
        TABLE.iter().map(Param::name)
    }

    /// The `bind` addresses as `(address, optional)`: a leading `-` marks
    /// an address whose bind failure is not fatal (`-::1` -> `("::1",
    /// true)`).
    pub fn bind_addrs(&self) -> impl Iterator<Item = (&str, bool)> + '_ {
        self.bind.iter().map(|a| match a.strip_prefix('-') {
            Some(rest) => (rest, true),
            None => (a.as_str(), false),
        })
    }
}

/// A value adjustment run after `CONFIG SET` (see [`SET_HOOKS`]).
type SetHook = fn(&mut Config);

/// Value adjustments Redis makes in the "apply" step of `CONFIG SET` only
/// (not when loading), run when the parameter's value changed.
const SET_HOOKS: &[(&str, SetHook)] = &[
    // resizeReplicationBacklog(): at least 16 KiB (verified: `CONFIG SET
    // repl-backlog-size 1` reads back 16384, while the config file keeps 1).
    ("repl-backlog-size", |c| {
        c.repl_backlog_size = c.repl_backlog_size.max(16 * 1024)
    }),
];

/// Redis's `sdssplitlen(value, " ")`: an empty value has no arguments;
/// otherwise every single space separates (so two spaces make an empty
/// argument).
fn split_spaces(value: &[u8]) -> Vec<Vec<u8>> {
    if value.is_empty() {
        return Vec::new();
    }
    value.split(|&b| b == b' ').map(<[u8]>::to_vec).collect()
}
