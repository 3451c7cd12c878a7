//! Parameters with their own grammar (Redis's `createSpecialConfig`
//! entries): `dir`, `save`, `client-output-buffer-limit`,
//! `oom-score-adj-values`, `notify-keyspace-events`, `bind`, `replicaof`
//! and `latency-tracking-info-percentiles`.
//!
//! Each submodule provides `set` (parse all value arguments into
//! [`Config`]), `get` (the `CONFIG GET` text) and `rewrite` (the lines
//! `CONFIG REWRITE` writes).

use crate::model::Config;
use crate::table::SetCtx;

type SetResult = Result<(), String>;

/// Expands a `proc-title-template` the way Redis's
/// `expandProcTitleTemplate()` does: `{name}` variables, `{{` for a literal
/// brace, the result trimmed of spaces.  Returns `None` for a malformed
/// template or an unknown variable.  Known variables: `title`,
/// `listen-addr`, `server-mode`, `config-file`, `port`, `tls-port`,
/// `unixsocket`.
pub fn expand_proc_title(
    template: &[u8],
    title: &[u8],
    cfg: &Config,
    config_file: Option<&str>,
) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut p = 0;
    while p < template.len() {
        let Some(open) = template[p..].iter().position(|&b| b == b'{').map(|i| p + i) else {
            out.extend_from_slice(&template[p..]);
            break;
        };
        out.extend_from_slice(&template[p..open]);
        let name_start = open + 1;
        match template.get(name_start) {
            None => return None,
            Some(b'{') => {
                out.push(b'{');
                p = name_start + 1;
                continue;
            }
            Some(_) => {}
        }
        let close = template[name_start..].iter().position(|&b| b == b'}')? + name_start;
        let value: Vec<u8> = match &template[name_start..close] {
            b"title" => title.to_vec(),
            b"listen-addr" => {
                if cfg.port != 0 || cfg.tls_port != 0 {
                    let addr = cfg.bind.first().map_or("*", String::as_str);
                    let port = if cfg.port != 0 {
                        cfg.port
                    } else {
                        cfg.tls_port
                    };
                    format!("{addr}:{port}").into_bytes()
                } else {
                    format!("unixsocket:{}", cfg.unixsocket.as_deref().unwrap_or("")).into_bytes()
                }
            }
            b"server-mode" => {
                if cfg.cluster_enabled {
                    b"[cluster]".to_vec()
                } else {
                    Vec::new()
                }
            }
            b"config-file" => config_file.unwrap_or("-").as_bytes().to_vec(),
            b"port" => cfg.port.to_string().into_bytes(),
            b"tls-port" => cfg.tls_port.to_string().into_bytes(),
            b"unixsocket" => cfg.unixsocket.as_deref().unwrap_or("").as_bytes().to_vec(),
            _ => return None,
        };
        out.extend_from_slice(&value);
        p = close + 1;
    }
    let start = out.iter().position(|&b| b != b' ').unwrap_or(out.len());
    let end = out
        .iter()
        .rposition(|&b| b != b' ')
        .map_or(start, |i| i + 1);
    Some(out[start..end].to_vec())
}

/// `dir`: Redis `chdir()`s at once; hematite validates the directory the
/// same way and stores its canonical absolute path (what `getcwd()` would
/// then report).  Relative paths are relative to the current `dir`.
pub(crate) mod dir {
    use super::*;
    use crate::rewrite::RewriteState;
    use crate::util::{lossy, resolve_in, strerror};
    use std::path::Path;

    pub(crate) fn set(c: &mut Config, args: &[Vec<u8>], _: &mut SetCtx) -> SetResult {
        if args.len() != 1 {
            return Err("wrong number of arguments".into());
        }
        if args[0].is_empty() {
            return Err("No such file or directory".into());
        }
        let path = resolve_in(&c.dir, Path::new(&lossy(&args[0])));
        let meta = std::fs::metadata(&path).map_err(|e| strerror(&e))?;
        if !meta.is_dir() {
            return Err("Not a directory".into());
        }
        let canonical = std::fs::canonicalize(&path).map_err(|e| strerror(&e))?;
        c.dir = canonical.to_string_lossy().into_owned();
        Ok(())
    }

    pub(crate) fn get(c: &Config) -> Vec<u8> {
        c.dir.as_bytes().to_vec()
    }

    pub(crate) fn rewrite(c: &Config, _: &Config, name: &'static str, st: &mut RewriteState) {
        st.rewrite_string(name, Some(c.dir.as_bytes()), None);
    }
}

/// `save`: pairs of `<seconds> <changes>`, or `""` for none.  In the config
/// file the first `save` line replaces the defaults and later lines add
/// points; `CONFIG SET` replaces the whole list.
pub(crate) mod save {
    use super::*;
    use crate::model::SavePoint;
    use crate::rewrite::RewriteState;
    use crate::util::strtoll_full;

    pub(crate) fn set(c: &mut Config, args: &[Vec<u8>], ctx: &mut SetCtx) -> SetResult {
        let args = if args.len() == 1 && args[0].is_empty() {
            &[][..]
        } else {
            args
        };
        if args.len() % 2 == 1 {
            return Err("Invalid save parameters".into());
        }
        let mut points = Vec::with_capacity(args.len() / 2);
        for pair in args.chunks(2) {
            let seconds = strtoll_full(&pair[0], 10).map(|(v, _)| v);
            let changes = strtoll_full(&pair[1], 10).map(|(v, _)| v);
            match (seconds, changes) {
                (Some(s), Some(ch)) if s >= 1 && ch >= 0 => points.push(SavePoint {
                    seconds: s as u64,
                    changes: ch as u64,
                }),
                _ => return Err("Invalid save parameters".into()),
            }
        }
        if !ctx.from_file || !ctx.save_loaded {
            c.save_params.clear();
            if ctx.from_file {
                ctx.save_loaded = true;
            }
        }
        c.save_params.extend(points);
        Ok(())
    }

    pub(crate) fn get(c: &Config) -> Vec<u8> {
        let parts: Vec<String> = c
            .save_params
            .iter()
            .map(|p| format!("{} {}", p.seconds, p.changes))
            .collect();
        parts.join(" ").into_bytes()
    }

    pub(crate) fn rewrite(c: &Config, _: &Config, name: &'static str, st: &mut RewriteState) {
        if c.save_params.is_empty() {
            st.rewrite_line(name, b"save \"\"".to_vec(), true);
        } else {
            for p in &c.save_params {
                st.rewrite_line(
                    name,
                    format!("save {} {}", p.seconds, p.changes).into_bytes(),
                    true,
                );
            }
        }
        st.mark_processed(name);
    }
}

/// `client-output-buffer-limit <class> <hard> <soft> <seconds> ...`.
pub(crate) mod client_output_buffer_limit {
    use super::*;
    use crate::model::OutputBufferLimit;
    use crate::rewrite::RewriteState;
    use crate::table::format_memory;
    use crate::util::{memtoull, strtoll_full};

    const GET_NAMES: [&str; 3] = ["normal", "slave", "pubsub"];
    const FILE_NAMES: [&str; 3] = ["normal", "replica", "pubsub"];

    fn class_index(name: &[u8]) -> Option<usize> {
        match name.to_ascii_lowercase().as_slice() {
            b"normal" => Some(0),
            b"slave" | b"replica" => Some(1),
            b"pubsub" => Some(2),
            _ => None,
        }
    }

    pub(crate) fn set(c: &mut Config, args: &[Vec<u8>], _: &mut SetCtx) -> SetResult {
        if args.len() % 4 != 0 {
            return Err("Wrong number of arguments in buffer limit configuration.".into());
        }
        let mut updates = Vec::new();
        for chunk in args.chunks(4) {
            let class = class_index(&chunk[0]).ok_or(
                "Invalid client class specified in buffer limit configuration.".to_string(),
            )?;
            let hard = memtoull(&chunk[1]);
            let soft = memtoull(&chunk[2]);
            // Redis stores the seconds in an `int`.
            let seconds = strtoll_full(&chunk[3], 10).map(|(v, _)| v as i32);
            match (hard, soft, seconds) {
                (Some(hard), Some(soft), Some(secs)) if secs >= 0 => updates.push((
                    class,
                    OutputBufferLimit {
                        hard_limit_bytes: hard,
                        soft_limit_bytes: soft,
                        soft_limit_seconds: secs as u64,
                    },
                )),
                _ => {
                    return Err(
                        "Error in hard, soft or soft_seconds setting in buffer limit \
                                configuration."
                            .into(),
                    )
                }
            }
        }
        for (class, limit) in updates {
            c.client_output_buffer_limit[class] = limit;
        }
        Ok(())
    }

    pub(crate) fn get(c: &Config) -> Vec<u8> {
        let parts: Vec<String> = c
            .client_output_buffer_limit
            .iter()
            .zip(GET_NAMES)
            .map(|(l, n)| {
                format!(
                    "{n} {} {} {}",
                    l.hard_limit_bytes, l.soft_limit_bytes, l.soft_limit_seconds
                )
            })
            .collect();
        parts.join(" ").into_bytes()
    }

    pub(crate) fn rewrite(c: &Config, d: &Config, name: &'static str, st: &mut RewriteState) {
        let classes = c
            .client_output_buffer_limit
            .iter()
            .zip(&d.client_output_buffer_limit);
        for (class_name, (l, default)) in FILE_NAMES.iter().zip(classes) {
            let force = l != default;
            let line = format!(
                "{name} {} {} {} {}",
                class_name,
                format_memory(l.hard_limit_bytes),
                format_memory(l.soft_limit_bytes),
                l.soft_limit_seconds
            );
            st.rewrite_line(name, line.into_bytes(), force);
        }
    }
}

/// `oom-score-adj-values <master> <replica> <bgchild>`.
pub(crate) mod oom_score_adj_values {
    use super::*;
    use crate::rewrite::RewriteState;
    use crate::util::strtoll_full;

    pub(crate) fn set(c: &mut Config, args: &[Vec<u8>], _: &mut SetCtx) -> SetResult {
        if args.len() != 3 {
            return Err("wrong number of arguments".into());
        }
        let mut values = [0i32; 3];
        for (slot, arg) in values.iter_mut().zip(args) {
            match strtoll_full(arg, 10) {
                Some((v, _)) if (-2000..=2000).contains(&v) => *slot = v as i32,
                _ => {
                    return Err(
                        "Invalid oom-score-adj-values, elements must be between -2000 \
                                and 2000."
                            .into(),
                    )
                }
            }
        }
        c.oom_score_adj_values = values;
        Ok(())
    }

    pub(crate) fn get(c: &Config) -> Vec<u8> {
        let v = c.oom_score_adj_values;
        format!("{} {} {}", v[0], v[1], v[2]).into_bytes()
    }

    pub(crate) fn rewrite(c: &Config, d: &Config, name: &'static str, st: &mut RewriteState) {
        let force = c.oom_score_adj_values != d.oom_score_adj_values;
        let mut line = name.as_bytes().to_vec();
        line.push(b' ');
        line.extend_from_slice(&get(c));
        st.rewrite_line(name, line, force);
    }
}

/// `notify-keyspace-events <classes>`.
pub(crate) mod notify_keyspace_events {
    use super::*;
    use crate::notify;
    use crate::rewrite::RewriteState;

    pub(crate) fn set(c: &mut Config, args: &[Vec<u8>], _: &mut SetCtx) -> SetResult {
        if args.len() != 1 {
            return Err("wrong number of arguments".into());
        }
        let flags = notify::parse(&args[0])
            .ok_or("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".to_string())?;
        c.notify_keyspace_flags = flags;
        c.notify_keyspace_events = notify::to_string(flags);
        Ok(())
    }

    pub(crate) fn get(c: &Config) -> Vec<u8> {
        notify::to_string(c.notify_keyspace_flags).into_bytes()
    }

    pub(crate) fn rewrite(c: &Config, _: &Config, name: &'static str, st: &mut RewriteState) {
        let force = c.notify_keyspace_flags != 0;
        let mut line = name.as_bytes().to_vec();
        line.push(b' ');
        crate::util::push_repr(&mut line, &get(c));
        st.rewrite_line(name, line, force);
    }
}

/// `bind <addr> [<addr> ...]` (at most 16; `""` = none).
pub(crate) mod bind {
    use super::*;
    use crate::rewrite::RewriteState;
    use crate::util::lossy;

    pub(crate) fn set(c: &mut Config, args: &[Vec<u8>], _: &mut SetCtx) -> SetResult {
        if args.len() > 16 {
            return Err("Too many bind addresses specified.".into());
        }
        let args = if args.len() == 1 && args[0].is_empty() {
            &[][..]
        } else {
            args
        };
        c.bind = args.iter().map(|a| lossy(a)).collect();
        Ok(())
    }

    pub(crate) fn get(c: &Config) -> Vec<u8> {
        c.bind.join(" ").into_bytes()
    }

    pub(crate) fn rewrite(c: &Config, d: &Config, name: &'static str, st: &mut RewriteState) {
        if c.bind == d.bind {
            st.mark_processed(name);
            return;
        }
        let addresses = if c.bind.is_empty() {
            "\"\"".to_string()
        } else {
            c.bind.join(" ")
        };
        st.rewrite_line(name, format!("{name} {addresses}").into_bytes(), true);
    }
}

/// `eviction-protected-keys <pattern> [<pattern> ...]` (`""` = none).
pub(crate) mod eviction_protected_keys {
    use super::*;
    use crate::rewrite::RewriteState;

    pub(crate) fn set(c: &mut Config, args: &[Vec<u8>], _: &mut SetCtx) -> SetResult {
        c.eviction_protected_keys = args.iter().filter(|a| !a.is_empty()).cloned().collect();
        Ok(())
    }

    pub(crate) fn get(c: &Config) -> Vec<u8> {
        c.eviction_protected_keys.join(&b' ')
    }

    pub(crate) fn rewrite(c: &Config, d: &Config, name: &'static str, st: &mut RewriteState) {
        if c.eviction_protected_keys == d.eviction_protected_keys {
            st.mark_processed(name);
            return;
        }
        let mut line = name.as_bytes().to_vec();
        if c.eviction_protected_keys.is_empty() {
            line.extend_from_slice(b" \"\"");
        }
        for p in &c.eviction_protected_keys {
            line.push(b' ');
            crate::util::push_repr(&mut line, p);
        }
        st.rewrite_line(name, line, true);
    }
}

/// `replicaof <host> <port>` / `replicaof no one`.
pub(crate) mod replicaof {
    use super::*;
    use crate::rewrite::RewriteState;
    use crate::util::{lossy, strtoll_full};

    pub(crate) fn set(c: &mut Config, args: &[Vec<u8>], _: &mut SetCtx) -> SetResult {
        if args.len() != 2 {
            return Err("wrong number of arguments".into());
        }
        c.replicaof = None;
        if args[0].eq_ignore_ascii_case(b"no") && args[1].eq_ignore_ascii_case(b"one") {
            return Ok(());
        }
        match strtoll_full(&args[1], 10) {
            Some((port, false)) if (0..=65535).contains(&port) => {
                c.replicaof = Some((lossy(&args[0]), port as u16));
                Ok(())
            }
            _ => Err("Invalid master port".into()),
        }
    }

    pub(crate) fn get(c: &Config) -> Vec<u8> {
        match &c.replicaof {
            Some((host, port)) => format!("{host} {port}").into_bytes(),
            None => Vec::new(),
        }
    }

    pub(crate) fn rewrite(c: &Config, _: &Config, name: &'static str, st: &mut RewriteState) {
        match &c.replicaof {
            Some((host, port)) if !c.cluster_enabled => {
                st.rewrite_line(name, format!("{name} {host} {port}").into_bytes(), true)
            }
            _ => st.mark_processed(name),
        }
    }
}

/// `latency-tracking-info-percentiles <p> [<p> ...]` (`""` = none).
pub(crate) mod latency_tracking_info_percentiles {
    use super::*;
    use crate::rewrite::RewriteState;
    use crate::util::{format_percentile, string2d};

    pub(crate) fn set(c: &mut Config, args: &[Vec<u8>], _: &mut SetCtx) -> SetResult {
        let args = if args.len() == 1 && args[0].is_empty() {
            &[][..]
        } else {
            args
        };
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            let v = string2d(arg)
                .ok_or("Invalid latency-tracking-info-percentiles parameters".to_string())?;
            if !(0.0..=100.0).contains(&v) {
                return Err(
                    "latency-tracking-info-percentiles parameters should sit between \
                            [0.0,100.0]"
                        .into(),
                );
            }
            values.push(v);
        }
        c.latency_tracking_info_percentiles = values;
        Ok(())
    }

    pub(crate) fn get(c: &Config) -> Vec<u8> {
        let parts: Vec<String> = c
            .latency_tracking_info_percentiles
            .iter()
            .map(|v| format_percentile(*v))
            .collect();
        parts.join(" ").into_bytes()
    }

    pub(crate) fn rewrite(c: &Config, _: &Config, name: &'static str, st: &mut RewriteState) {
        let mut line = name.to_string();
        if c.latency_tracking_info_percentiles.is_empty() {
            line.push_str(" \"\"");
        } else {
            for v in &c.latency_tracking_info_percentiles {
                line.push(' ');
                line.push_str(&format_percentile(*v));
            }
        }
        st.rewrite_line(name, line.into_bytes(), true);
    }
}
