//! Tests.  Expected texts marked "verified" were produced by a real
//! redis-server 7.0.15 on this machine (CONFIG GET / CONFIG SET through
//! redis-cli, or startup with a test config file).

use super::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn pairs(kv: &[(&str, &str)]) -> Vec<(Vec<u8>, Vec<u8>)> {
    kv.iter()
        .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect()
}

fn set(cfg: &mut Config, kv: &[(&str, &str)]) -> Result<Vec<&'static str>, String> {
    cfg.set(&pairs(kv))
}

fn get1(cfg: &Config, name: &str) -> String {
    let got = cfg.get(name.as_bytes());
    assert_eq!(got.len(), 1, "CONFIG GET {name}: {got:?}");
    got[0].1.clone()
}

fn failed(name: &str, reason: &str) -> String {
    format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}")
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// Loads `text` as if it were the config file (through the stdin path, so
/// line numbers are the same as for a file) followed by `args`.
fn load_text(text: &str, args: &[&str]) -> Result<(Config, LoadInfo), ConfigError> {
    load_with_stdin(Some(Path::new("-")), &strings(args), &mut text.as_bytes())
}

fn load_err(text: &str, args: &[&str]) -> ConfigError {
    match load_text(text, args) {
        Ok(_) => panic!("expected an error for {text:?} {args:?}"),
        Err(e) => e,
    }
}

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!(
            "hematite-config-test-{}-{tag}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(std::fs::canonicalize(&dir).unwrap())
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn write(&self, name: &str, content: &str) -> PathBuf {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, content).unwrap();
        p
    }

    fn dir(&self) -> String {
        self.0.to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------------------
// Defaults and CONFIG GET
// ---------------------------------------------------------------------------

/// `CONFIG GET *` of redis-server 7.0.15 started with `--save ''` (verified),
/// with `port` and `save` set back to their defaults and `dir` left out.
const REDIS_CONFIG_GET_STAR: &[(&str, &str)] = &[
    ("acl-pubsub-default", "resetchannels"),
    ("aclfile", ""),
    ("acllog-max-len", "128"),
    ("active-defrag-cycle-max", "25"),
    ("active-defrag-cycle-min", "1"),
    ("active-defrag-ignore-bytes", "104857600"),
    ("active-defrag-max-scan-fields", "1000"),
    ("active-defrag-threshold-lower", "10"),
    ("active-defrag-threshold-upper", "100"),
    ("active-expire-effort", "1"),
    ("activedefrag", "no"),
    ("activerehashing", "yes"),
    ("always-show-logo", "no"),
    ("aof-disable-auto-gc", "no"),
    ("aof-load-truncated", "yes"),
    ("aof-rewrite-incremental-fsync", "yes"),
    ("aof-timestamp-enabled", "no"),
    ("aof-use-rdb-preamble", "yes"),
    ("aof_rewrite_cpulist", ""),
    ("appenddirname", "appendonlydir"),
    ("appendfilename", "appendonly.aof"),
    ("appendfsync", "everysec"),
    ("appendonly", "no"),
    ("auto-aof-rewrite-min-size", "67108864"),
    ("auto-aof-rewrite-percentage", "100"),
    ("bgsave_cpulist", ""),
    ("bind", "* -::*"),
    ("bind-source-addr", ""),
    ("bio_cpulist", ""),
    ("busy-reply-threshold", "5000"),
    (
        "client-output-buffer-limit",
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
    ),
    ("client-query-buffer-limit", "1073741824"),
    ("cluster-allow-pubsubshard-when-down", "yes"),
    ("cluster-allow-reads-when-down", "no"),
    ("cluster-allow-replica-migration", "yes"),
    ("cluster-announce-bus-port", "0"),
    ("cluster-announce-hostname", ""),
    ("cluster-announce-ip", ""),
    ("cluster-announce-port", "0"),
    ("cluster-announce-tls-port", "0"),
    ("cluster-config-file", "nodes.conf"),
    ("cluster-enabled", "no"),
    ("cluster-link-sendbuf-limit", "0"),
    ("cluster-migration-barrier", "1"),
    ("cluster-node-timeout", "15000"),
    ("cluster-port", "0"),
    ("cluster-preferred-endpoint-type", "ip"),
    ("cluster-replica-no-failover", "no"),
    ("cluster-replica-validity-factor", "10"),
    ("cluster-require-full-coverage", "yes"),
    ("cluster-slave-no-failover", "no"),
    ("cluster-slave-validity-factor", "10"),
    ("crash-log-enabled", "yes"),
    ("crash-memcheck-enabled", "yes"),
    ("daemonize", "no"),
    ("databases", "16"),
    ("dbfilename", "dump.rdb"),
    ("disable-thp", "yes"),
    ("dynamic-hz", "yes"),
    ("enable-debug-command", "no"),
    ("enable-module-command", "no"),
    ("enable-protected-configs", "no"),
    ("hash-max-listpack-entries", "512"),
    ("hash-max-listpack-value", "64"),
    ("hash-max-ziplist-entries", "512"),
    ("hash-max-ziplist-value", "64"),
    ("hll-sparse-max-bytes", "3000"),
    ("hz", "10"),
    ("ignore-warnings", ""),
    ("io-threads", "1"),
    ("io-threads-do-reads", "no"),
    ("jemalloc-bg-thread", "yes"),
    ("latency-monitor-threshold", "0"),
    ("latency-tracking", "yes"),
    ("latency-tracking-info-percentiles", "50 99 99.9"),
    ("lazyfree-lazy-eviction", "no"),
    ("lazyfree-lazy-expire", "no"),
    ("lazyfree-lazy-server-del", "no"),
    ("lazyfree-lazy-user-del", "no"),
    ("lazyfree-lazy-user-flush", "no"),
    ("lfu-decay-time", "1"),
    ("lfu-log-factor", "10"),
    ("list-compress-depth", "0"),
    ("list-max-listpack-size", "-2"),
    ("list-max-ziplist-size", "-2"),
    ("logfile", ""),
    ("loglevel", "notice"),
    ("lua-time-limit", "5000"),
    ("masterauth", ""),
    ("masteruser", ""),
    ("maxclients", "10000"),
    ("maxmemory", "0"),
    ("maxmemory-clients", "0"),
    ("maxmemory-eviction-tenacity", "10"),
    ("maxmemory-policy", "noeviction"),
    ("maxmemory-samples", "5"),
    ("min-replicas-max-lag", "10"),
    ("min-replicas-to-write", "0"),
    ("min-slaves-max-lag", "10"),
    ("min-slaves-to-write", "0"),
    ("no-appendfsync-on-rewrite", "no"),
    ("notify-keyspace-events", ""),
    ("oom-score-adj", "no"),
    ("oom-score-adj-values", "0 200 800"),
    ("pidfile", ""),
    ("port", "6379"),
    ("proc-title-template", "{title} {listen-addr} {server-mode}"),
    ("propagation-error-behavior", "ignore"),
    ("protected-mode", "yes"),
    ("proto-max-bulk-len", "536870912"),
    ("rdb-del-sync-files", "no"),
    ("rdb-save-incremental-fsync", "yes"),
    ("rdbchecksum", "yes"),
    ("rdbcompression", "yes"),
    ("repl-backlog-size", "1048576"),
    ("repl-backlog-ttl", "3600"),
    ("repl-disable-tcp-nodelay", "no"),
    ("repl-diskless-load", "disabled"),
    ("repl-diskless-sync", "yes"),
    ("repl-diskless-sync-delay", "5"),
    ("repl-diskless-sync-max-replicas", "0"),
    ("repl-ping-replica-period", "10"),
    ("repl-ping-slave-period", "10"),
    ("repl-timeout", "60"),
    ("replica-announce-ip", ""),
    ("replica-announce-port", "0"),
    ("replica-announced", "yes"),
    ("replica-ignore-disk-write-errors", "no"),
    ("replica-ignore-maxmemory", "yes"),
    ("replica-lazy-flush", "no"),
    ("replica-priority", "100"),
    ("replica-read-only", "yes"),
    ("replica-serve-stale-data", "yes"),
    ("replicaof", ""),
    ("requirepass", ""),
    ("sanitize-dump-payload", "no"),
    ("save", "3600 1 300 100 60 10000"),
    ("server_cpulist", ""),
    ("set-max-intset-entries", "512"),
    ("set-proc-title", "yes"),
    ("shutdown-on-sigint", "default"),
    ("shutdown-on-sigterm", "default"),
    ("shutdown-timeout", "10"),
    ("slave-announce-ip", ""),
    ("slave-announce-port", "0"),
    ("slave-ignore-maxmemory", "yes"),
    ("slave-lazy-flush", "no"),
    ("slave-priority", "100"),
    ("slave-read-only", "yes"),
    ("slave-serve-stale-data", "yes"),
    ("slaveof", ""),
    ("slowlog-log-slower-than", "10000"),
    ("slowlog-max-len", "128"),
    ("socket-mark-id", "0"),
    ("stop-writes-on-bgsave-error", "yes"),
    ("stream-node-max-bytes", "4096"),
    ("stream-node-max-entries", "100"),
    ("supervised", "no"),
    ("syslog-enabled", "no"),
    ("syslog-facility", "local0"),
    ("syslog-ident", "redis"),
    ("tcp-backlog", "511"),
    ("tcp-keepalive", "300"),
    ("timeout", "0"),
    ("tls-auth-clients", "yes"),
    ("tls-ca-cert-dir", ""),
    ("tls-ca-cert-file", ""),
    ("tls-cert-file", ""),
    ("tls-ciphers", ""),
    ("tls-ciphersuites", ""),
    ("tls-client-cert-file", ""),
    ("tls-client-key-file", ""),
    ("tls-client-key-file-pass", ""),
    ("tls-cluster", "no"),
    ("tls-dh-params-file", ""),
    ("tls-key-file", ""),
    ("tls-key-file-pass", ""),
    ("tls-port", "0"),
    ("tls-prefer-server-ciphers", "no"),
    ("tls-protocols", ""),
    ("tls-replication", "no"),
    ("tls-session-cache-size", "20480"),
    ("tls-session-cache-timeout", "300"),
    ("tls-session-caching", "yes"),
    ("tracking-table-max-keys", "1000000"),
    ("unixsocket", ""),
    ("unixsocketperm", "0"),
    ("zset-max-listpack-entries", "128"),
    ("zset-max-listpack-value", "64"),
    ("zset-max-ziplist-entries", "128"),
    ("zset-max-ziplist-value", "64"),
];

#[test]
fn defaults_match_redis_config_get_star() {
    let cfg = Config::default();
    // hematite's own parameters are listed too; they are not Redis's.
    let own = ["eviction-protected-keys"];
    let mut got: Vec<(String, String)> = cfg
        .get(b"*")
        .into_iter()
        .filter(|(n, _)| n != "dir" && !own.contains(&n.as_str()))
        .collect();
    got.sort();
    let mut expected: Vec<(String, String)> = REDIS_CONFIG_GET_STAR
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    expected.sort();
    assert_eq!(got, expected);
    assert_eq!(get1(&cfg, "dir"), cfg.dir);
    assert!(Path::new(&cfg.dir).is_absolute());
}

#[test]
fn hidden_params_need_exact_names() {
    // Verified: these are absent from `CONFIG GET *` but answer exactly.
    let cfg = Config::default();
    for (name, value) in [
        ("use-exit-on-panic", "no"),
        ("rdb-key-save-delay", "0"),
        ("key-load-delay", "0"),
        ("watchdog-period", "0"),
        ("loading-process-events-interval-bytes", "2097152"),
    ] {
        assert_eq!(get1(&cfg, name), value);
        assert!(cfg.get(format!("{name}*").as_bytes()).is_empty());
    }
    // Deprecated, config-file-only names are not parameters.
    assert!(cfg.get(b"list-max-ziplist-entries").is_empty());
    assert!(cfg.get(b"lua-replicate-commands").is_empty());
}

#[test]
fn config_get_patterns() {
    let cfg = Config::default();
    // Verified: an exact name echoes the spelling used.
    assert_eq!(
        cfg.get(b"MAXMEMORY"),
        vec![("MAXMEMORY".to_string(), "0".to_string())]
    );
    let names = |pattern: &str| {
        let mut v: Vec<String> = cfg
            .get(pattern.as_bytes())
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names("MaxMem*"),
        [
            "maxmemory",
            "maxmemory-clients",
            "maxmemory-eviction-tenacity",
            "maxmemory-policy",
            "maxmemory-samples"
        ]
    );
    assert_eq!(
        names("slave*"),
        [
            "slave-announce-ip",
            "slave-announce-port",
            "slave-ignore-maxmemory",
            "slave-lazy-flush",
            "slave-priority",
            "slave-read-only",
            "slave-serve-stale-data",
            "slaveof"
        ]
    );
    assert_eq!(
        names("*max-*-entries*"),
        [
            "hash-max-listpack-entries",
            "hash-max-ziplist-entries",
            "set-max-intset-entries",
            "zset-max-listpack-entries",
            "zset-max-ziplist-entries"
        ]
    );
    assert!(cfg.get(b"*[").is_empty());
    assert!(cfg.get(b"nosuchthing").is_empty());
    // Verified: duplicates across patterns are dropped, case-insensitively.
    assert_eq!(cfg.get_many(&[b"MAXMEMORY", b"maxmemory"]).len(), 1);
    assert_eq!(cfg.get_many(&[b"maxmemory", b"MAXMEM*"]).len(), 5);
    assert_eq!(cfg.get_many(&[b"maxmemory-p*", b"maxmemory-po*"]).len(), 1);
}

#[test]
fn config_get_formats() {
    let mut cfg = Config::default();
    assert_eq!(get1(&cfg, "save"), "3600 1 300 100 60 10000");
    assert_eq!(
        get1(&cfg, "client-output-buffer-limit"),
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
    );
    assert_eq!(get1(&cfg, "bind"), "* -::*");
    assert_eq!(
        get1(&cfg, "latency-tracking-info-percentiles"),
        "50 99 99.9"
    );
    cfg.save_params = vec![
        SavePoint {
            seconds: 3600,
            changes: 1,
        },
        SavePoint {
            seconds: 300,
            changes: 100,
        },
    ];
    assert_eq!(get1(&cfg, "save"), "3600 1 300 100");
    cfg.replicaof = Some(("10.0.0.1".into(), 6380));
    assert_eq!(get1(&cfg, "slaveof"), "10.0.0.1 6380");
}

// ---------------------------------------------------------------------------
// CONFIG SET
// ---------------------------------------------------------------------------

/// Verified: CONFIG SET <name> with -9223372036854775808,
/// 9223372036854775807, 1k and -1 on redis-server 7.0.15 ("OK" = accepted).
const NUMERIC_SET_RESULTS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "acllog-max-len",
        "argument must be between 0 and 9223372036854775807 inclusive",
        "OK",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 9223372036854775807 inclusive",
    ),
    (
        "active-defrag-cycle-max",
        "argument must be between 1 and 99 inclusive",
        "argument must be between 1 and 99 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 1 and 99 inclusive",
    ),
    (
        "active-defrag-cycle-min",
        "argument must be between 1 and 99 inclusive",
        "argument must be between 1 and 99 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 1 and 99 inclusive",
    ),
    (
        "active-defrag-ignore-bytes",
        "argument must be a memory value",
        "OK",
        "OK",
        "argument must be a memory value",
    ),
    (
        "active-defrag-max-scan-fields",
        "argument must be between 1 and 9223372036854775807 inclusive",
        "OK",
        "argument couldn't be parsed into an integer",
        "argument must be between 1 and 9223372036854775807 inclusive",
    ),
    (
        "active-defrag-threshold-lower",
        "argument must be between 0 and 1000 inclusive",
        "argument must be between 0 and 1000 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 1000 inclusive",
    ),
    (
        "active-defrag-threshold-upper",
        "argument must be between 0 and 1000 inclusive",
        "argument must be between 0 and 1000 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 1000 inclusive",
    ),
    (
        "active-expire-effort",
        "argument must be between 1 and 10 inclusive",
        "argument must be between 1 and 10 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 1 and 10 inclusive",
    ),
    (
        "auto-aof-rewrite-min-size",
        "argument must be a memory value",
        "OK",
        "OK",
        "argument must be a memory value",
    ),
    (
        "auto-aof-rewrite-percentage",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "busy-reply-threshold",
        "argument must be between 0 and 9223372036854775807 inclusive",
        "OK",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 9223372036854775807 inclusive",
    ),
    (
        "client-query-buffer-limit",
        "argument must be a memory value",
        "OK",
        "argument must be between 1048576 and 9223372036854775807 inclusive",
        "argument must be a memory value",
    ),
    (
        "cluster-announce-bus-port",
        "argument must be between 0 and 65535 inclusive",
        "argument must be between 0 and 65535 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 65535 inclusive",
    ),
    (
        "cluster-announce-port",
        "argument must be between 0 and 65535 inclusive",
        "argument must be between 0 and 65535 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 65535 inclusive",
    ),
    (
        "cluster-announce-tls-port",
        "argument must be between 0 and 65535 inclusive",
        "argument must be between 0 and 65535 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 65535 inclusive",
    ),
    (
        "cluster-link-sendbuf-limit",
        "argument must be a memory value",
        "OK",
        "OK",
        "argument must be a memory value",
    ),
    (
        "cluster-migration-barrier",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "cluster-node-timeout",
        "argument must be between 0 and 9223372036854775807 inclusive",
        "OK",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 9223372036854775807 inclusive",
    ),
    (
        "cluster-port",
        "can't set immutable config",
        "can't set immutable config",
        "can't set immutable config",
        "can't set immutable config",
    ),
    (
        "cluster-replica-validity-factor",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "cluster-slave-validity-factor",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "databases",
        "can't set immutable config",
        "can't set immutable config",
        "can't set immutable config",
        "can't set immutable config",
    ),
    (
        "hash-max-listpack-entries",
        "argument must be between 0 and 9223372036854775807 inclusive",
        "OK",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 9223372036854775807 inclusive",
    ),
    (
        "hash-max-listpack-value",
        "argument must be a memory value",
        "OK",
        "OK",
        "argument must be a memory value",
    ),
    (
        "hash-max-ziplist-entries",
        "argument must be between 0 and 9223372036854775807 inclusive",
        "OK",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 9223372036854775807 inclusive",
    ),
    (
        "hash-max-ziplist-value",
        "argument must be a memory value",
        "OK",
        "OK",
        "argument must be a memory value",
    ),
    (
        "hll-sparse-max-bytes",
        "argument must be a memory value",
        "OK",
        "OK",
        "argument must be a memory value",
    ),
    (
        "hz",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "io-threads",
        "can't set immutable config",
        "can't set immutable config",
        "can't set immutable config",
        "can't set immutable config",
    ),
    (
        "latency-monitor-threshold",
        "argument must be between 0 and 9223372036854775807 inclusive",
        "OK",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 9223372036854775807 inclusive",
    ),
    (
        "lfu-decay-time",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "lfu-log-factor",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "list-compress-depth",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "list-max-listpack-size",
        "argument must be between -2147483648 and 2147483647 inclusive",
        "argument must be between -2147483648 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "OK",
    ),
    (
        "list-max-ziplist-size",
        "argument must be between -2147483648 and 2147483647 inclusive",
        "argument must be between -2147483648 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "OK",
    ),
    (
        "lua-time-limit",
        "argument must be between 0 and 9223372036854775807 inclusive",
        "OK",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 9223372036854775807 inclusive",
    ),
    (
        "maxclients",
        "argument must be between 1 and 4294967295 inclusive",
        "argument must be between 1 and 4294967295 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 1 and 4294967295 inclusive",
    ),
    (
        "maxmemory",
        "argument must be a memory value",
        "OK",
        "OK",
        "argument must be a memory value",
    ),
    (
        "maxmemory-clients",
        "argument must be a memory or percent value",
        "OK",
        "OK",
        "argument must be a memory or percent value",
    ),
    (
        "maxmemory-eviction-tenacity",
        "argument must be between 0 and 100 inclusive",
        "argument must be between 0 and 100 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 100 inclusive",
    ),
    (
        "maxmemory-samples",
        "argument must be between 1 and 2147483647 inclusive",
        "argument must be between 1 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 1 and 2147483647 inclusive",
    ),
    (
        "min-replicas-max-lag",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "min-replicas-to-write",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "min-slaves-max-lag",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "min-slaves-to-write",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "proto-max-bulk-len",
        "argument must be a memory value",
        "OK",
        "argument must be between 1048576 and 9223372036854775807 inclusive",
        "argument must be a memory value",
    ),
    (
        "repl-backlog-size",
        "argument must be a memory value",
        "OK",
        "OK",
        "argument must be a memory value",
    ),
    (
        "repl-backlog-ttl",
        "argument must be between 0 and 9223372036854775807 inclusive",
        "OK",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 9223372036854775807 inclusive",
    ),
    (
        "repl-diskless-sync-delay",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "repl-diskless-sync-max-replicas",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "repl-ping-replica-period",
        "argument must be between 1 and 2147483647 inclusive",
        "argument must be between 1 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 1 and 2147483647 inclusive",
    ),
    (
        "repl-ping-slave-period",
        "argument must be between 1 and 2147483647 inclusive",
        "argument must be between 1 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 1 and 2147483647 inclusive",
    ),
    (
        "repl-timeout",
        "argument must be between 1 and 2147483647 inclusive",
        "argument must be between 1 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 1 and 2147483647 inclusive",
    ),
    (
        "replica-announce-port",
        "argument must be between 0 and 65535 inclusive",
        "argument must be between 0 and 65535 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 65535 inclusive",
    ),
    (
        "replica-priority",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "set-max-intset-entries",
        "argument must be between 0 and 9223372036854775807 inclusive",
        "OK",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 9223372036854775807 inclusive",
    ),
    (
        "shutdown-timeout",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "slave-announce-port",
        "argument must be between 0 and 65535 inclusive",
        "argument must be between 0 and 65535 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 65535 inclusive",
    ),
    (
        "slave-priority",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "slowlog-log-slower-than",
        "argument must be between -1 and 9223372036854775807 inclusive",
        "OK",
        "argument couldn't be parsed into an integer",
        "OK",
    ),
    (
        "slowlog-max-len",
        "argument must be between 0 and 9223372036854775807 inclusive",
        "OK",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 9223372036854775807 inclusive",
    ),
    (
        "socket-mark-id",
        "can't set immutable config",
        "can't set immutable config",
        "can't set immutable config",
        "can't set immutable config",
    ),
    (
        "stream-node-max-bytes",
        "argument must be a memory value",
        "OK",
        "OK",
        "argument must be a memory value",
    ),
    (
        "stream-node-max-entries",
        "argument must be between 0 and 9223372036854775807 inclusive",
        "OK",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 9223372036854775807 inclusive",
    ),
    (
        "tcp-backlog",
        "can't set immutable config",
        "can't set immutable config",
        "can't set immutable config",
        "can't set immutable config",
    ),
    (
        "tcp-keepalive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "timeout",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "tls-port",
        "argument must be between 0 and 65535 inclusive",
        "argument must be between 0 and 65535 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 65535 inclusive",
    ),
    (
        "tls-session-cache-size",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "tls-session-cache-timeout",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "tracking-table-max-keys",
        "argument must be between 0 and 9223372036854775807 inclusive",
        "OK",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 9223372036854775807 inclusive",
    ),
    (
        "unixsocketperm",
        "can't set immutable config",
        "can't set immutable config",
        "can't set immutable config",
        "can't set immutable config",
    ),
    (
        "zset-max-listpack-entries",
        "argument must be between 0 and 9223372036854775807 inclusive",
        "OK",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 9223372036854775807 inclusive",
    ),
    (
        "zset-max-listpack-value",
        "argument must be a memory value",
        "OK",
        "OK",
        "argument must be a memory value",
    ),
    (
        "zset-max-ziplist-entries",
        "argument must be between 0 and 9223372036854775807 inclusive",
        "OK",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 9223372036854775807 inclusive",
    ),
    (
        "zset-max-ziplist-value",
        "argument must be a memory value",
        "OK",
        "OK",
        "argument must be a memory value",
    ),
    (
        "rdb-key-save-delay",
        "argument must be between -2147483648 and 2147483647 inclusive",
        "argument must be between -2147483648 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "OK",
    ),
    (
        "key-load-delay",
        "argument must be between -2147483648 and 2147483647 inclusive",
        "argument must be between -2147483648 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "OK",
    ),
    (
        "watchdog-period",
        "argument must be between 0 and 2147483647 inclusive",
        "argument must be between 0 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "loading-process-events-interval-bytes",
        "argument must be between 1024 and 2147483647 inclusive",
        "argument must be between 1024 and 2147483647 inclusive",
        "argument couldn't be parsed into an integer",
        "argument must be between 1024 and 2147483647 inclusive",
    ),
];

#[test]
fn numeric_bounds_and_parse_errors_match_redis() {
    for &(name, a, b, c, d) in NUMERIC_SET_RESULTS {
        for (value, expected) in [
            ("-9223372036854775808", a),
            ("9223372036854775807", b),
            ("1k", c),
            ("-1", d),
        ] {
            let mut cfg = Config::default();
            let got = set(&mut cfg, &[(name, value)]);
            if expected == "OK" {
                assert!(got.is_ok(), "{name} {value}: {got:?}");
            } else {
                assert_eq!(got, Err(failed(name, expected)), "{name} {value}");
                assert_eq!(cfg, Config::default());
            }
        }
    }
}

#[test]
fn set_error_texts_match_redis() {
    let mut cfg = Config::default();
    // All verified against redis-server 7.0.15.
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("maxmemory", "abc")], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"),
        (&[("maxmemory", " 1")], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"),
        (&[("maxmemory", "1bb")], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"),
        (&[("port", "70000")], "ERR CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 and 65535 inclusive"),
        (&[("port", "01")], "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer"),
        (&[("port", "-0")], "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer"),
        (&[("port", "")], "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer"),
        (&[("maxclients", "0")], "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"),
        (&[("daemonize", "yes")], "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"),
        (&[("DAEMONIZE", "yes")], "ERR CONFIG SET failed (possibly related to argument 'DAEMONIZE') - can't set immutable config"),
        (&[("replicaof", "no one")], "ERR CONFIG SET failed (possibly related to argument 'replicaof') - can't set immutable config"),
        (&[("foo", "bar")], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
        (&[("maxmemory", "1"), ("maxmemory", "2")], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter"),
        (&[("hash-max-ziplist-entries", "abc")], "ERR CONFIG SET failed (possibly related to argument 'hash-max-ziplist-entries') - argument couldn't be parsed into an integer"),
        (&[("HASH-MAX-ZIPLIST-ENTRIES", "abc")], "ERR CONFIG SET failed (possibly related to argument 'hash-max-ziplist-entries') - argument couldn't be parsed into an integer"),
        (&[("MAXMEMORY", "abc")], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"),
        (&[("loglevel", "foo")], "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"),
        (&[("loglevel", "nothing")], "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"),
        (&[("appendfsync", "foo")], "ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no"),
        (&[("maxmemory-policy", "foo")], "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"),
        (&[("oom-score-adj", "foo")], "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj') - argument(s) must be one of the following: no, yes, relative, absolute"),
        (&[("shutdown-on-sigint", "foo")], "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - argument(s) must be one of the following: default, save, nosave, now, force"),
        (&[("shutdown-on-sigint", "save nosave")], "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - shutdown options SAVE and NOSAVE can't be used simultaneously"),
        (&[("tls-auth-clients", "foo")], "ERR CONFIG SET failed (possibly related to argument 'tls-auth-clients') - argument(s) must be one of the following: no, yes, optional"),
        (&[("protected-mode", "maybe")], "ERR CONFIG SET failed (possibly related to argument 'protected-mode') - argument must be 'yes' or 'no'"),
        (&[("dbfilename", "foo.rdb")], "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config"),
        (&[("dir", "/tmp")], "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"),
        (&[("unixsocketperm", "700")], "ERR CONFIG SET failed (possibly related to argument 'unixsocketperm') - can't set immutable config"),
        (&[("maxmemory-clients", "101%")], "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100"),
        (&[("maxmemory-clients", "-5%")], "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"),
        (&[("maxmemory-clients", "%")], "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"),
        (&[("notify-keyspace-events", "Kq")], "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
        (&[("notify-keyspace-events", "K E")], "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
        (&[("save", "100 10  20 5")], "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"),
        (&[("save", "100")], "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"),
        (&[("save", "0 1")], "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"),
        (&[("save", "1 -1")], "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"),
        (&[("save", "1 abc")], "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"),
        (&[("client-output-buffer-limit", "master 1mb 2mb 3")], "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration."),
        (&[("client-output-buffer-limit", "foo 1mb 2mb 3")], "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration."),
        (&[("client-output-buffer-limit", "normal 1mb 2mb")], "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration."),
        (&[("client-output-buffer-limit", "normal 1x 2mb 3")], "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration."),
        (&[("client-output-buffer-limit", "normal 1 2 -3")], "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration."),
        (&[("oom-score-adj-values", "0 200 3000")], "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - Invalid oom-score-adj-values, elements must be between -2000 and 2000."),
        (&[("oom-score-adj-values", "0 200")], "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - wrong number of arguments"),
        (&[("latency-tracking-info-percentiles", "101")], "ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"),
        (&[("latency-tracking-info-percentiles", "abc")], "ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - Invalid latency-tracking-info-percentiles parameters"),
        (&[("latency-tracking-info-percentiles", " 50")], "ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - Invalid latency-tracking-info-percentiles parameters"),
        (&[("latency-tracking-info-percentiles", "50 ")], "ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - Invalid latency-tracking-info-percentiles parameters"),
        (&[("bind", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17")], "ERR CONFIG SET failed (possibly related to argument 'bind') - Too many bind addresses specified."),
        (&[("cluster-announce-hostname", "a_b")], "ERR CONFIG SET failed (possibly related to argument 'cluster-announce-hostname') - Hostnames may only contain alphanumeric characters, hyphens or dots"),
        (&[("proc-title-template", "{foo}")], "ERR CONFIG SET failed (possibly related to argument 'proc-title-template') - template format is invalid or contains unknown variables"),
        (&[("proc-title-template", "")], "ERR CONFIG SET failed (possibly related to argument 'proc-title-template') - template format is invalid or contains unknown variables"),
        // Verified ordering of problems: the first one found wins.
        (&[("maxmemory", "1"), ("foo", "2")], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
        (&[("daemonize", "yes"), ("foo", "2")], "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"),
        (&[("foo", "2"), ("daemonize", "yes")], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
        (&[("maxmemory", "abc"), ("foo", "2")], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
        (&[("maxmemory", "1gb"), ("maxmemory-policy", "foo")], "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"),
    ];
    for (kv, expected) in cases {
        assert_eq!(set(&mut cfg, kv), Err(expected.to_string()), "{kv:?}");
        assert_eq!(cfg, Config::default(), "{kv:?} must not change anything");
    }
    // A 256-byte hostname (verified at startup).
    let long = "a".repeat(256);
    assert_eq!(
        set(&mut cfg, &[("cluster-announce-hostname", &long)]),
        Err(failed(
            "cluster-announce-hostname",
            "Hostnames must be less than 256 characters"
        ))
    );
}

#[test]
fn set_values_read_back_like_redis() {
    let mut cfg = Config::default();
    // (name, value set, CONFIG GET afterwards) — all verified.
    let cases = [
        ("maxmemory", "", "0"),
        (
            "maxmemory",
            "99999999999999999999999",
            "18446744073709551615",
        ),
        ("maxmemory", "1KB", "1024"),
        ("maxmemory", "1b", "1"),
        ("maxmemory", "1K", "1000"),
        ("maxmemory", "1Gb", "1073741824"),
        ("maxmemory", "kb", "0"),
        ("maxmemory", "17179869183gb", "18446744072635809792"),
        ("maxmemory-clients", "10%", "10%"),
        ("maxmemory-clients", "0%", "0"),
        ("maxmemory-clients", "1k", "1000"),
        ("notify-keyspace-events", "Ag$lshzxeKEtmdn", "AKEm"),
        ("notify-keyspace-events", "KEA", "AKE"),
        ("notify-keyspace-events", "", ""),
        ("shutdown-on-sigint", "nosave now force", "nosave now force"),
        ("shutdown-on-sigint", "default", "default"),
        ("oom-score-adj", "relative", "yes"),
        ("oom-score-adj", "yes", "yes"),
        ("oom-score-adj", "no", "no"),
        ("loglevel", "NOTICE", "notice"),
        ("protected-mode", "YES", "yes"),
        ("save", "", ""),
        (
            "client-output-buffer-limit",
            "normal 1mb 2mb 3",
            "normal 1048576 2097152 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
        ),
        (
            "client-output-buffer-limit",
            "replica 1mb 2mb 3 pubsub 1 2 3",
            "normal 1048576 2097152 3 slave 1048576 2097152 3 pubsub 1 2 3",
        ),
        ("oom-score-adj-values", "0 200 800", "0 200 800"),
        (
            "latency-tracking-info-percentiles",
            "50 99.99 100",
            "50 99.99 100",
        ),
        ("latency-tracking-info-percentiles", "", ""),
        (
            "latency-tracking-info-percentiles",
            "1e1 0x10 99.123456789",
            "10 16 99.123457",
        ),
        ("bind", "127.0.0.1 -::1", "127.0.0.1 -::1"),
        ("bind", "", ""),
        ("hz", "1000", "500"),
        ("hz", "0", "1"),
        ("hz", "10", "10"),
        ("list-max-listpack-size", "-2", "-2"),
        ("requirepass", "", ""),
        ("masterauth", "a b", "a b"),
        ("proc-title-template", "{port}", "{port}"),
        ("hash-max-ziplist-entries", "100", "100"),
        ("tls-port", "0", "0"),
        ("appendonly", "no", "no"),
    ];
    for (name, value, expected) in cases {
        set(&mut cfg, &[(name, value)]).unwrap_or_else(|e| panic!("{name} {value}: {e}"));
        assert_eq!(get1(&cfg, name), expected, "{name} {value}");
    }
    assert_eq!(cfg.requirepass, None);
    assert_eq!(cfg.masterauth.as_deref(), Some(&b"a b"[..]));
    assert_eq!(cfg.hash_max_listpack_entries, 100);
    assert_eq!(get1(&cfg, "hash-max-listpack-entries"), "100");
    assert_eq!(cfg.shutdown_on_sigint, 0);
    assert_eq!(cfg.oom_score_adj, OomScoreAdj::No);
    assert_eq!(cfg.notify_keyspace_events, "");
    assert_eq!(cfg.maxmemory_clients, 1000);
}

#[test]
fn set_updates_typed_fields() {
    let mut cfg = Config::default();
    set(
        &mut cfg,
        &[
            ("maxmemory", "100mb"),
            ("maxmemory-policy", "allkeys-lfu"),
            ("loglevel", "warning"),
            ("timeout", "30"),
            ("slowlog-log-slower-than", "-1"),
            ("notify-keyspace-events", "Kx"),
            ("requirepass", "s3cret"),
            ("client-output-buffer-limit", "pubsub 64mb 16mb 90"),
            ("maxmemory-clients", "5%"),
        ],
    )
    .unwrap();
    assert_eq!(cfg.maxmemory, 100 * 1024 * 1024);
    assert_eq!(cfg.maxmemory_policy, MaxmemoryPolicy::AllkeysLfu);
    assert!(cfg.maxmemory_policy.is_lfu());
    assert_eq!(cfg.loglevel, LogLevel::Warning);
    assert!(LogLevel::Warning > LogLevel::Notice);
    assert_eq!(cfg.timeout, 30);
    assert_eq!(cfg.slowlog_log_slower_than, -1);
    assert_eq!(cfg.notify_keyspace_events, "xK");
    assert_eq!(
        cfg.notify_keyspace_flags,
        notify::EXPIRED | notify::KEYSPACE
    );
    assert_eq!(cfg.requirepass.as_deref(), Some(&b"s3cret"[..]));
    assert_eq!(
        cfg.client_output_buffer_limit[CLIENT_CLASS_PUBSUB],
        OutputBufferLimit {
            hard_limit_bytes: 64 << 20,
            soft_limit_bytes: 16 << 20,
            soft_limit_seconds: 90
        }
    );
    assert_eq!(cfg.maxmemory_clients, -5);
    assert_eq!(MaxmemoryPolicy::AllkeysLfu.as_str(), "allkeys-lfu");
    assert_eq!(LogLevel::Debug.to_string(), "debug");
}

#[test]
fn set_is_atomic_and_reports_changes() {
    let mut cfg = Config::default();
    // Verified: the failing second pair leaves maxmemory untouched.
    assert!(set(
        &mut cfg,
        &[("maxmemory", "1gb"), ("maxmemory-policy", "foo")]
    )
    .is_err());
    assert_eq!(cfg.maxmemory, 0);
    assert!(set(&mut cfg, &[("timeout", "5"), ("tls-port", "6380")]).is_err());
    assert_eq!(cfg.timeout, 0);

    let changed = set(
        &mut cfg,
        &[("maxmemory", "1gb"), ("hz", "10"), ("timeout", "7")],
    )
    .unwrap();
    assert_eq!(changed, vec!["maxmemory", "timeout"]);
    // An alias reports its primary name.
    let changed = set(&mut cfg, &[("slave-read-only", "no")]).unwrap();
    assert_eq!(changed, vec!["replica-read-only"]);
    assert!(!cfg.replica_read_only);
    // Verified: an alias and its primary name are not duplicates; the last wins.
    set(
        &mut cfg,
        &[
            ("hash-max-ziplist-entries", "1"),
            ("hash-max-listpack-entries", "2"),
        ],
    )
    .unwrap();
    assert_eq!(cfg.hash_max_listpack_entries, 2);
    assert_eq!(set(&mut cfg, &[]), Ok(vec![]));
}

#[test]
fn repl_backlog_size_minimum_applies_to_config_set_only() {
    // Verified: `CONFIG SET repl-backlog-size 1` reads back 16384, while
    // `repl-backlog-size 1` in the config file reads back 1.
    let (mut cfg, _) = load_text("repl-backlog-size 1\n", &[]).unwrap();
    assert_eq!(cfg.repl_backlog_size, 1);
    set(&mut cfg, &[("repl-backlog-size", "1")]).unwrap();
    assert_eq!(cfg.repl_backlog_size, 1, "unchanged value: no apply step");
    set(&mut cfg, &[("repl-backlog-size", "2")]).unwrap();
    assert_eq!(get1(&cfg, "repl-backlog-size"), "16384");
    set(&mut cfg, &[("repl-backlog-size", "1mb")]).unwrap();
    assert_eq!(cfg.repl_backlog_size, 1 << 20);
}

#[test]
fn set_options_protected_and_loading() {
    let dir = TempDir::new("protected");
    let mut cfg = Config::default();
    let opts = SetOptions {
        allow_protected: true,
        loading: false,
    };
    cfg.set_with(
        &pairs(&[("dir", &dir.dir()), ("dbfilename", "x.rdb")]),
        opts,
    )
    .unwrap();
    assert_eq!(cfg.dir, dir.dir());
    assert_eq!(cfg.dbfilename, "x.rdb");
    assert_eq!(
        cfg.set_with(&pairs(&[("dbfilename", "a/b")]), opts),
        Err(failed(
            "dbfilename",
            "dbfilename can't be a path, just a filename"
        ))
    );
    assert_eq!(
        cfg.set_with(&pairs(&[("dir", "no-such-subdir")]), opts),
        Err(failed("dir", "No such file or directory"))
    );
    // Relative paths resolve against the current `dir`.
    std::fs::create_dir(dir.path("sub")).unwrap();
    cfg.set_with(&pairs(&[("dir", "sub")]), opts).unwrap();
    assert_eq!(cfg.dir, dir.path("sub").to_string_lossy());
    let loading = SetOptions {
        allow_protected: true,
        loading: true,
    };
    assert_eq!(
        cfg.set_with(&pairs(&[("appendonly", "no")]), loading),
        Err("LOADING Redis is loading the dataset in memory".to_string())
    );
    assert!(cfg
        .set_with(&pairs(&[("maxmemory", "1mb")]), loading)
        .is_ok());
    // `enable-protected-configs yes` lets plain `set` change them.
    let mut cfg = load_text("enable-protected-configs yes\n", &[]).unwrap().0;
    set(&mut cfg, &[("dbfilename", "y.rdb")]).unwrap();
    assert_eq!(cfg.dbfilename, "y.rdb");
}

#[test]
fn param_metadata() {
    let p = find_param(b"SLAVEOF").unwrap();
    assert_eq!(p.name(), "replicaof");
    assert_eq!(p.alias(), Some("slaveof"));
    assert!(p.is_immutable() && p.is_multi_arg());
    assert!(p.unsupported_reason().is_some());
    let sensitive: Vec<&str> = params()
        .iter()
        .filter(|p| p.is_sensitive())
        .map(Param::name)
        .collect();
    // Verified with SLOWLOG redaction on redis-server 7.0.15.
    assert_eq!(sensitive, ["masteruser", "masterauth", "requirepass"]);
    assert_eq!(find_param(b"maxmemory").unwrap().type_name(), "memory");
    assert_eq!(find_param(b"unixsocketperm").unwrap().type_name(), "octal");
    assert!(Config::names().any(|n| n == "maxmemory"));
    let mut all: Vec<&str> = params()
        .iter()
        .flat_map(|p| std::iter::once(p.name()).chain(p.alias()))
        .collect();
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n, "names must be unique");
}

// ---------------------------------------------------------------------------
// Feature gates
// ---------------------------------------------------------------------------

#[test]
fn gated_directives_fail_unless_off() {
    let v = env!("CARGO_PKG_VERSION");
    let cases = [
        ("replicaof 127.0.0.1 6379", format!("replicaof 127.0.0.1 6379 is not supported yet: hematite {v} has no replication (only 'replicaof no one' is accepted)")),
        ("slaveof 127.0.0.1 6379", format!("slaveof 127.0.0.1 6379 is not supported yet: hematite {v} has no replication (only 'replicaof no one' is accepted)")),
        ("cluster-enabled yes", format!("cluster-enabled yes is not supported yet: hematite {v} has no cluster mode (only 'cluster-enabled no' is accepted)")),
        ("activedefrag yes", format!("activedefrag yes is not supported yet: hematite {v} has no active defragmentation (only 'activedefrag no' is accepted)")),
        ("tls-port 6380", format!("tls-port 6380 is not supported yet: hematite {v} has no TLS support (only 'tls-port 0' is accepted)")),
        ("aclfile /etc/users.acl", format!("aclfile /etc/users.acl is not supported yet: hematite {v} has no ACL file support (only 'aclfile \"\"' is accepted)")),
        ("min-replicas-to-write 1", format!("min-replicas-to-write 1 is not supported yet: hematite {v} has no replication (only 'min-replicas-to-write 0' is accepted)")),
        ("loadmodule /x/mod.so arg", format!("loadmodule /x/mod.so is not supported yet: hematite {v} has no module support")),
        ("user alice on >pw ~* +@all", format!("user is not supported yet: hematite {v} has no ACL users yet (use requirepass)")),
        ("sentinel monitor m 127.0.0.1 6379 2", format!("sentinel is not supported yet: hematite {v} has no Sentinel mode")),
        ("mymod.option 5", format!("mymod.option is not supported yet: hematite {v} has no module support")),
    ];
    for (line, message) in cases {
        let e = load_err(&format!("port 7000\n{line}\n"), &[]);
        assert_eq!(
            (e.line, e.text.as_deref(), e.message.as_str()),
            (Some(2), Some(line), message.as_str())
        );
    }
    // The "off" values are fine.
    let text = "appendonly no\nsave \"\"\nreplicaof no one\nslaveof NO ONE\ncluster-enabled no\n\
                tls-port 0\naclfile \"\"\nmin-replicas-to-write 0\nshutdown-on-sigterm nosave now\n\
                appendfsync always\nrdbcompression no\nauto-aof-rewrite-percentage 50\n\
                dbfilename x.rdb\ntls-replication yes\nmasterauth pw\n";
    let (cfg, _) = load_text(text, &[]).unwrap();
    assert_eq!(cfg.appendfsync, AppendFsync::Always);
    assert_eq!(cfg.replicaof, None);
    assert_eq!(cfg.shutdown_on_sigterm, SHUTDOWN_NOSAVE | SHUTDOWN_NOW);
    // CONFIG SET goes through the same gates.
    let mut cfg = Config::default();
    assert_eq!(
        set(&mut cfg, &[("min-slaves-to-write", "2")]),
        Err(failed("min-slaves-to-write", &format!("min-slaves-to-write 2 is not supported yet: hematite {v} has no replication (only 'min-replicas-to-write 0' is accepted)")))
    );
    assert!(set(&mut cfg, &[("tls-port", "6380")]).is_err());
    assert_eq!(cfg, Config::default());
    let gated: Vec<&str> = params()
        .iter()
        .filter(|p| p.unsupported_reason().is_some())
        .map(Param::name)
        .collect();
    assert_eq!(
        gated,
        [
            "activedefrag",
            "cluster-enabled",
            "aclfile",
            "min-replicas-to-write",
            "tls-port",
            "replicaof"
        ]
    );
}

// ---------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------

#[test]
fn startup_error_format() {
    // Verified: redis-server prints exactly this (with "Redis 7.0.15").
    let e = load_err("port 7399\nfoo bar\n", &[]);
    let expected = format!(
        "\n*** FATAL CONFIG FILE ERROR (hematite {}) ***\nReading the configuration file, at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments\n",
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(e.to_string(), expected);
    assert_eq!(e.kind, ConfigErrorKind::Directive);
}

#[test]
fn startup_errors_match_redis() {
    // (config text, line, shown line, message) — verified with redis-server
    // 7.0.15 started on a file with that content.
    let cases: &[(&str, usize, &str, &str)] = &[
        (
            "maxmemory abc\n",
            1,
            "maxmemory abc",
            "argument must be a memory value",
        ),
        (
            "maxmemory 1 2\n",
            1,
            "maxmemory 1 2",
            "wrong number of arguments",
        ),
        ("save 1 abc\n", 1, "save 1 abc", "Invalid save parameters"),
        (
            "port \"abc\n",
            1,
            "port \"abc",
            "Unbalanced quotes in configuration line",
        ),
        (
            "\n\n  port   abc  \n",
            3,
            "port   abc",
            "argument couldn't be parsed into an integer",
        ),
        (
            "loglevel nothing\n",
            1,
            "loglevel nothing",
            "argument(s) must be one of the following: debug, verbose, notice, warning",
        ),
        (
            "socket-mark-id -1\n",
            1,
            "socket-mark-id -1",
            "argument must be between 0 and 4294967295 inclusive",
        ),
        (
            "appendfilename \"\"\n",
            1,
            "appendfilename \"\"",
            "appendfilename can't be empty",
        ),
        (
            "appendfilename a/b\n",
            1,
            "appendfilename a/b",
            "appendfilename can't be a path, just a filename",
        ),
        (
            "appenddirname a/b\n",
            1,
            "appenddirname a/b",
            "appenddirname can't be a path, just a dirname",
        ),
        (
            "appenddirname \"\"\n",
            1,
            "appenddirname \"\"",
            "appenddirname can't be empty",
        ),
        (
            "dbfilename a/b\n",
            1,
            "dbfilename a/b",
            "dbfilename can't be a path, just a filename",
        ),
        (
            "unixsocketperm 800\n",
            1,
            "unixsocketperm 800",
            "argument couldn't be parsed as an octal number",
        ),
        (
            "replicaof 1.2.3.4 abc\n",
            1,
            "replicaof 1.2.3.4 abc",
            "Invalid master port",
        ),
        (
            "replicaof a\n",
            1,
            "replicaof a",
            "wrong number of arguments",
        ),
        (
            "oom-score-adj-values 0 200 3000\n",
            1,
            "oom-score-adj-values 0 200 3000",
            "Invalid oom-score-adj-values, elements must be between -2000 and 2000.",
        ),
        (
            "proc-title-template \"{title}\"\n",
            1,
            "proc-title-template \"{title}\"",
            "template format is invalid or contains unknown variables",
        ),
        (
            "dir /nonexistent-hematite\n",
            1,
            "dir /nonexistent-hematite",
            "No such file or directory",
        ),
        ("dir \"\"\n", 1, "dir \"\"", "No such file or directory"),
        (
            "my.module\n",
            1,
            "my.module",
            "Module config specified without value",
        ),
        (
            "list-max-ziplist-entries 5 6\n",
            1,
            "list-max-ziplist-entries 5 6",
            "Bad directive or wrong number of arguments",
        ),
        (
            "rename-command FOO\n",
            1,
            "rename-command FOO",
            "Bad directive or wrong number of arguments",
        ),
        (
            "include\n",
            1,
            "include",
            "Bad directive or wrong number of arguments",
        ),
    ];
    for &(text, line, shown, message) in cases {
        let e = load_err(text, &[]);
        assert_eq!(
            (e.line, e.text.as_deref(), e.message.as_str()),
            (Some(line), Some(shown), message),
            "{text:?}"
        );
    }
    // A file where a directory is expected.
    let dir = TempDir::new("notdir");
    let file = dir.write("plain", "x");
    let e = load_err(&format!("dir {}\n", file.display()), &[]);
    assert_eq!(e.message, "Not a directory");
}

#[test]
fn accepted_oddities() {
    // Verified: these load fine in redis-server 7.0.15.
    let text =
        "list-max-ziplist-entries 5\nlist-max-ziplist-value 64\nlua-replicate-commands yes\n\
                unixsocketperm \"\"\nbind \"\"\nrequirepass \"\"\nproc-title-template \"{port}\"\n\
                hz 0\n# comment\n   # indented comment\n\t\n";
    let (cfg, _) = load_text(text, &[]).unwrap();
    assert_eq!(cfg.unixsocketperm, 0);
    assert!(cfg.bind.is_empty());
    assert_eq!(cfg.requirepass, None);
    assert_eq!(cfg.hz, 1);
}

#[test]
fn loads_typical_values() {
    let text = "# hematite test\nPORT 7777\nbind 127.0.0.1 -::1\nmaxmemory 2gb\n\
                maxmemory-policy allkeys-lru\nrequirepass \"p w\\x00d\"\nunixsocket /tmp/h.sock\n\
                unixsocketperm 700\nclient-output-buffer-limit replica 1gb 512mb 120\n\
                client-output-buffer-limit pubsub 0 0 0\nslave-read-only no\n\
                hash-max-ziplist-entries 1000\nlua-time-limit 100\nnotify-keyspace-events Elg\n\
                rename-command FLUSHALL \"\"\nrename-command CONFIG CONFIG_X\n\
                latency-tracking-info-percentiles 50 90\nshutdown-on-sigint nosave\n\
                oom-score-adj-values 0 100 900\ndatabases 32\nloglevel verbose\nsupervised systemd\n";
    let (cfg, info) = load_text(text, &[]).unwrap();
    assert_eq!(cfg.port, 7777);
    assert_eq!(cfg.bind, ["127.0.0.1", "-::1"]);
    assert_eq!(
        cfg.bind_addrs().collect::<Vec<_>>(),
        [("127.0.0.1", false), ("::1", true)]
    );
    assert_eq!(cfg.maxmemory, 2 << 30);
    assert_eq!(cfg.maxmemory_policy, MaxmemoryPolicy::AllkeysLru);
    assert_eq!(cfg.requirepass.as_deref(), Some(&b"p w\x00d"[..]));
    assert_eq!(cfg.unixsocket.as_deref(), Some("/tmp/h.sock"));
    assert_eq!(cfg.unixsocketperm, 0o700);
    assert_eq!(get1(&cfg, "unixsocketperm"), "700");
    assert_eq!(
        get1(&cfg, "client-output-buffer-limit"),
        "normal 0 0 0 slave 1073741824 536870912 120 pubsub 0 0 0"
    );
    assert!(!cfg.replica_read_only);
    assert_eq!(cfg.hash_max_listpack_entries, 1000);
    assert_eq!(cfg.busy_reply_threshold, 100);
    assert_eq!(cfg.notify_keyspace_events, "glE");
    assert_eq!(
        cfg.rename_commands,
        [
            ("FLUSHALL".to_string(), String::new()),
            ("CONFIG".to_string(), "CONFIG_X".to_string())
        ]
    );
    assert_eq!(cfg.latency_tracking_info_percentiles, [50.0, 90.0]);
    assert_eq!(cfg.shutdown_on_sigint, SHUTDOWN_NOSAVE);
    assert_eq!(cfg.oom_score_adj_values, [0, 100, 900]);
    assert_eq!(cfg.databases, 32);
    assert_eq!(cfg.loglevel, LogLevel::Verbose);
    assert_eq!(cfg.supervised, "systemd");
    assert!(info.config_from_stdin);
    assert_eq!(info.config_file, None);
    assert_eq!(
        info.directives[0],
        DirectiveOrigin {
            name: "port",
            source: Source::Stdin,
            line: 2
        }
    );
}

#[test]
fn no_arguments_means_defaults() {
    let (cfg, info) = load(None, &[]).unwrap();
    assert_eq!(cfg, Config::default());
    assert_eq!(info, LoadInfo::default());
}

#[test]
fn command_line_options_are_merged_like_redis() {
    let opts = |args: &[&str], first: usize| {
        let (text, stdin) = command_line_options(&strings(args), first);
        (String::from_utf8(text).unwrap(), stdin)
    };
    assert_eq!(
        opts(&["--port", "6380"], 1),
        ("port \"6380\" ".to_string(), false)
    );
    assert_eq!(
        opts(&["--save", "900", "1", "--loglevel", "debug"], 2),
        (
            "save \"900\" \"1\" \nloglevel \"debug\" ".to_string(),
            false
        )
    );
    assert_eq!(
        opts(&["--save", "--port", "1"], 2),
        ("save \"\"\nport \"1\" ".to_string(), false)
    );
    assert_eq!(
        opts(&["--port", "1", "--save"], 2),
        ("port \"1\" \nsave \"\"".to_string(), false)
    );
    assert_eq!(
        opts(&["--maxmemory", "--foo"], 2),
        ("maxmemory \"--foo\" ".to_string(), false)
    );
    assert_eq!(opts(&["--port 6380"], 2), ("port 6380 ".to_string(), false));
    assert_eq!(
        opts(&["-", "--port", "1"], 1),
        ("port \"1\" ".to_string(), true)
    );
    assert_eq!(
        opts(&["--port", "1", "-"], 2),
        ("port \"1\" ".to_string(), true)
    );
    assert_eq!(
        opts(&["--foo", "a\"b", "c"], 2),
        ("foo \"a\\\"b\" \"c\" ".to_string(), false)
    );
}

#[test]
fn command_line_errors_match_redis() {
    // (file content, args, line, shown line, message) — verified with
    // `redis-server t.conf <args>` (file given through stdin here; the
    // line numbering is the same).
    let cases: &[(&str, &[&str], usize, &str, &str)] = &[
        (
            "port 7397\n",
            &["--maxmemory", "abc"],
            3,
            "maxmemory \"abc\"",
            "argument must be a memory value",
        ),
        (
            "port 7397",
            &["--maxmemory", "abc"],
            2,
            "maxmemory \"abc\"",
            "argument must be a memory value",
        ),
        (
            "port 7397\n\n",
            &["--port", "7397", "--maxmemory", "abc"],
            5,
            "maxmemory \"abc\"",
            "argument must be a memory value",
        ),
        (
            "port 7397\n",
            &["--port", "7397", "--maxmemory", "1 2"],
            4,
            "maxmemory \"1 2\"",
            "argument must be a memory value",
        ),
        (
            "port 7397\n",
            &["--port", "7397", "--foo", "a\"b", "c"],
            4,
            "foo \"a\\\"b\" \"c\"",
            "Bad directive or wrong number of arguments",
        ),
        (
            "port 7397\n",
            &["--maxmemory abc"],
            3,
            "maxmemory abc",
            "argument must be a memory value",
        ),
        (
            "port 7397\n",
            &["--save", "--maxmemory", "abc"],
            4,
            "maxmemory \"abc\"",
            "argument must be a memory value",
        ),
        (
            "port 7397\n",
            &["--port"],
            3,
            "port",
            "wrong number of arguments",
        ),
        (
            "port 7397\n",
            &["--maxmemory", "--foo"],
            3,
            "maxmemory \"--foo\"",
            "argument must be a memory value",
        ),
        (
            "port 7397\n",
            &["--maxmemory", "1", "--foo"],
            4,
            "foo",
            "Bad directive or wrong number of arguments",
        ),
        (
            "port 7397\n",
            &["--maxmemory", "1", "2", "--foo"],
            3,
            "maxmemory \"1\" \"2\"",
            "wrong number of arguments",
        ),
        (
            "port 7397\n",
            &["--save", "--foo"],
            4,
            "foo",
            "Bad directive or wrong number of arguments",
        ),
        (
            "port 7397\n",
            &["--", "x"],
            3,
            "\"x\"",
            "Bad directive or wrong number of arguments",
        ),
        (
            "port 7397\n",
            &["--port 1 2"],
            3,
            "port 1 2",
            "wrong number of arguments",
        ),
    ];
    for &(text, args, line, shown, message) in cases {
        let e = load_err(text, args);
        assert_eq!(
            (e.line, e.text.as_deref(), e.message.as_str()),
            (Some(line), Some(shown), message),
            "{text:?} {args:?}"
        );
    }
    // Accepted combinations (verified).
    assert!(load_text("port 7397\n", &["--port", "7397", "--save"]).is_ok());
    assert!(load_text("port 7397\n", &["maxmemory", "1"]).is_ok());
    assert!(load_text("port 7397\n", &["--"]).is_ok());
}

#[test]
fn command_line_without_config_file() {
    let e = load(None, &strings(&["--port", "7397", "--foo", "bar"])).unwrap_err();
    // Verified: the empty file and the separating newline make line 1.
    assert_eq!((e.line, e.text.as_deref()), (Some(3), Some("foo \"bar\"")));
    let e = load(None, &strings(&["--foo"])).unwrap_err();
    assert_eq!((e.line, e.text.as_deref()), (Some(2), Some("foo")));
    let (cfg, info) = load_from_argv(&strings(&["--port", "6390", "--maxmemory", "10mb"])).unwrap();
    assert_eq!((cfg.port, cfg.maxmemory), (6390, 10 << 20));
    assert_eq!(info.config_file, None);
    assert_eq!(info.directives[1].source, Source::CommandLine);
}

#[test]
fn stdin_and_file_line_numbers() {
    let dir = TempDir::new("stdin");
    let file = dir.write("t.conf", "port 7397\n");
    let args = strings(&["-"]);
    // Verified: `printf 'port 7397\nfoo bar\n' | redis-server t.conf -`
    // reports line 3.
    let e = load_with_stdin(Some(&file), &args, &mut &b"port 7397\nfoo bar\n"[..]).unwrap_err();
    assert_eq!(e.line, Some(3));
    // Verified: `redis-server t.conf --port 7397 -` with `foo bar` on stdin
    // reports line 2.
    let args = strings(&["--port", "7397", "-"]);
    let e = load_with_stdin(Some(&file), &args, &mut &b"foo bar\n"[..]).unwrap_err();
    assert_eq!((e.line, e.text.as_deref()), (Some(2), Some("foo bar")));
    // Verified: `redis-server - --port 7397` with the bad line on stdin.
    let e = load_with_stdin(
        Some(Path::new("-")),
        &strings(&["--port", "7397"]),
        &mut &b"port 7397\nfoo bar\n"[..],
    )
    .unwrap_err();
    assert_eq!(e.line, Some(2));
}

#[test]
fn config_file_and_info() {
    let dir = TempDir::new("file");
    let file = dir.write("redis.conf", "port 7001\nmaxmemory 1mb\n");
    let (cfg, info) = load(Some(&file), &strings(&["--maxmemory", "2mb"])).unwrap();
    assert_eq!(cfg.port, 7001);
    assert_eq!(cfg.maxmemory, 2 << 20);
    assert_eq!(info.config_file.as_deref(), Some(file.as_path()));
    assert!(!info.config_from_stdin);
    assert_eq!(
        info.directives,
        [
            DirectiveOrigin {
                name: "port",
                source: Source::File(file.clone()),
                line: 1
            },
            DirectiveOrigin {
                name: "maxmemory",
                source: Source::File(file.clone()),
                line: 2
            },
            DirectiveOrigin {
                name: "maxmemory",
                source: Source::CommandLine,
                line: 4
            },
        ]
    );
    let missing = dir.path("missing.conf");
    let e = load(Some(&missing), &[]).unwrap_err();
    assert_eq!(e.kind, ConfigErrorKind::Unreadable);
    assert_eq!(
        e.to_string(),
        format!(
            "Fatal error, can't open config file '{}': No such file or directory",
            missing.display()
        )
    );
}

#[test]
fn include_resolution() {
    let dir = TempDir::new("include");
    dir.write("sub/a.conf", "maxmemory 1mb\n");
    dir.write("sub/b.conf", "maxmemory 2mb\ntimeout 9\n");
    dir.write("sub/.hidden.conf", "timeout 1\n");
    dir.write("sub/bad.txt", "foo-in-sub 1\n");
    // Verified: `dir` first, then a relative include, resolves inside `dir`;
    // errors inside an included file count lines from its own start.
    let e = load_err(
        &format!("port 7397\ndir {}\ninclude sub/bad.txt\n", dir.dir()),
        &[],
    );
    assert_eq!((e.line, e.text.as_deref()), (Some(1), Some("foo-in-sub 1")));
    assert_eq!(e.file, Some(dir.path("sub/bad.txt")));
    // Globs: sorted, hidden files skipped, no match is fine.
    let text = format!(
        "include {0}/sub/*.conf\ninclude {0}/nomatch*.conf\nport 7002\n",
        dir.dir()
    );
    let (cfg, _) = load_text(&text, &[]).unwrap();
    assert_eq!((cfg.maxmemory, cfg.timeout, cfg.port), (2 << 20, 9, 7002));
    // Verified: a missing include is a "can't open" failure.
    let e = load_err("include /nonexistent-hematite.conf\n", &[]);
    assert_eq!(e.kind, ConfigErrorKind::Unreadable);
    assert_eq!(
        e.message,
        "Fatal error, can't open config file '/nonexistent-hematite.conf': No such file or directory"
    );
    // A self-including file stops with an error instead of recursing forever.
    let looping = dir.write("loop.conf", "");
    std::fs::write(&looping, format!("include {}\n", looping.display())).unwrap();
    let e = load(Some(&looping), &[]).unwrap_err();
    assert!(e.message.contains("include nesting is too deep"), "{e}");
}

#[test]
fn logfile_is_checked_after_loading() {
    // Verified: no line information, just the reason.
    let e = load_err("logfile /nonexistent-hematite/x.log\n", &[]);
    assert_eq!((e.line, e.text.clone()), (None, None));
    assert_eq!(
        e.message,
        "Can't open the log file: No such file or directory"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "\n*** FATAL CONFIG FILE ERROR (hematite {}) ***\nCan't open the log file: No such file or directory\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    // A relative logfile is relative to the final `dir`.
    let dir = TempDir::new("logfile");
    let (cfg, _) = load_text(&format!("logfile h.log\ndir {}\n", dir.dir()), &[]).unwrap();
    assert_eq!(cfg.logfile, "h.log");
    assert!(dir.path("h.log").exists());
}

#[test]
fn save_lines_accumulate_in_files() {
    // Parsing rules of `save`, checked below the gate.
    use crate::table::SetCtx;
    let p = find_param(b"save").unwrap();
    let mut cfg = Config::default();
    let mut ctx = SetCtx {
        from_file: true,
        save_loaded: false,
    };
    let args = |s: &str| {
        s.split(' ')
            .map(|w| w.as_bytes().to_vec())
            .collect::<Vec<_>>()
    };
    p.apply(&mut cfg, &args("900 1"), &mut ctx).unwrap();
    p.apply(&mut cfg, &args("300 10 60 10000"), &mut ctx)
        .unwrap();
    assert_eq!(get1(&cfg, "save"), "900 1 300 10 60 10000");
    let mut ctx = SetCtx::default();
    p.apply(&mut cfg, &args("100 5"), &mut ctx).unwrap();
    assert_eq!(get1(&cfg, "save"), "100 5");
    p.apply(&mut cfg, &[Vec::new()], &mut ctx).unwrap();
    assert_eq!(get1(&cfg, "save"), "");
}

/// The active lines of Redis 7.0's stock redis.conf.
const STOCK_REDIS_CONF: &str = r#"
bind 127.0.0.1 -::1
protected-mode yes
port 6379
tcp-backlog 511
timeout 0
tcp-keepalive 300
daemonize no
pidfile /var/run/redis_6379.pid
loglevel notice
logfile ""
databases 16
always-show-logo no
set-proc-title yes
proc-title-template "{title} {listen-addr} {server-mode}"
stop-writes-on-bgsave-error yes
rdbcompression yes
rdbchecksum yes
dbfilename dump.rdb
rdb-del-sync-files no
dir ./
replica-serve-stale-data yes
replica-read-only yes
repl-diskless-sync yes
repl-diskless-sync-delay 5
repl-diskless-sync-max-replicas 0
repl-diskless-load disabled
repl-disable-tcp-nodelay no
replica-priority 100
acllog-max-len 128
lazyfree-lazy-eviction no
lazyfree-lazy-expire no
lazyfree-lazy-server-del no
replica-lazy-flush no
lazyfree-lazy-user-del no
lazyfree-lazy-user-flush no
oom-score-adj no
oom-score-adj-values 0 200 800
disable-thp yes
appendonly no
appendfilename "appendonly.aof"
appenddirname "appendonlydir"
appendfsync everysec
no-appendfsync-on-rewrite no
auto-aof-rewrite-percentage 100
auto-aof-rewrite-min-size 64mb
aof-load-truncated yes
aof-use-rdb-preamble yes
aof-timestamp-enabled no
slowlog-log-slower-than 10000
slowlog-max-len 128
latency-monitor-threshold 0
notify-keyspace-events ""
hash-max-listpack-entries 512
hash-max-listpack-value 64
list-max-listpack-size -2
list-compress-depth 0
set-max-intset-entries 512
zset-max-listpack-entries 128
zset-max-listpack-value 64
hll-sparse-max-bytes 3000
stream-node-max-bytes 4096
stream-node-max-entries 100
activerehashing yes
client-output-buffer-limit normal 0 0 0
client-output-buffer-limit replica 256mb 64mb 60
client-output-buffer-limit pubsub 32mb 8mb 60
hz 10
dynamic-hz yes
aof-rewrite-incremental-fsync yes
rdb-save-incremental-fsync yes
jemalloc-bg-thread yes
"#;

/// Every directive mentioned (active or as a commented-out example) in Redis
/// 7.0's stock redis.conf.
const STOCK_DIRECTIVES: &[&str] = &[
    "acl-pubsub-default",
    "aclfile",
    "acllog-max-len",
    "active-defrag-cycle-max",
    "active-defrag-cycle-min",
    "active-defrag-ignore-bytes",
    "active-defrag-max-scan-fields",
    "active-defrag-threshold-lower",
    "active-defrag-threshold-upper",
    "active-expire-effort",
    "activedefrag",
    "activerehashing",
    "always-show-logo",
    "aof-load-truncated",
    "aof-rewrite-incremental-fsync",
    "aof-timestamp-enabled",
    "aof-use-rdb-preamble",
    "aof_rewrite_cpulist",
    "appenddirname",
    "appendfilename",
    "appendfsync",
    "appendonly",
    "auto-aof-rewrite-min-size",
    "auto-aof-rewrite-percentage",
    "bgsave_cpulist",
    "bind",
    "bind-source-addr",
    "bio_cpulist",
    "busy-reply-threshold",
    "client-output-buffer-limit",
    "client-query-buffer-limit",
    "cluster-allow-pubsubshard-when-down",
    "cluster-allow-reads-when-down",
    "cluster-allow-replica-migration",
    "cluster-announce-bus-port",
    "cluster-announce-hostname",
    "cluster-announce-ip",
    "cluster-announce-port",
    "cluster-announce-tls-port",
    "cluster-config-file",
    "cluster-enabled",
    "cluster-link-sendbuf-limit",
    "cluster-migration-barrier",
    "cluster-node-timeout",
    "cluster-port",
    "cluster-preferred-endpoint-type",
    "cluster-replica-no-failover",
    "cluster-replica-validity-factor",
    "cluster-require-full-coverage",
    "crash-log-enabled",
    "crash-memcheck-enabled",
    "daemonize",
    "databases",
    "dbfilename",
    "dir",
    "disable-thp",
    "dynamic-hz",
    "enable-debug-command",
    "enable-module-command",
    "enable-protected-configs",
    "hash-max-listpack-entries",
    "hash-max-listpack-value",
    "hll-sparse-max-bytes",
    "hz",
    "ignore-warnings",
    "include",
    "io-threads",
    "io-threads-do-reads",
    "jemalloc-bg-thread",
    "latency-monitor-threshold",
    "latency-tracking",
    "latency-tracking-info-percentiles",
    "lazyfree-lazy-eviction",
    "lazyfree-lazy-expire",
    "lazyfree-lazy-server-del",
    "lazyfree-lazy-user-del",
    "lazyfree-lazy-user-flush",
    "lfu-decay-time",
    "lfu-log-factor",
    "list-compress-depth",
    "list-max-listpack-size",
    "loadmodule",
    "logfile",
    "loglevel",
    "lua-time-limit",
    "masterauth",
    "masteruser",
    "maxclients",
    "maxmemory",
    "maxmemory-clients",
    "maxmemory-eviction-tenacity",
    "maxmemory-policy",
    "maxmemory-samples",
    "min-replicas-max-lag",
    "min-replicas-to-write",
    "no-appendfsync-on-rewrite",
    "notify-keyspace-events",
    "oom-score-adj",
    "oom-score-adj-values",
    "pidfile",
    "port",
    "proc-title-template",
    "propagation-error-behavior",
    "protected-mode",
    "proto-max-bulk-len",
    "rdb-del-sync-files",
    "rdb-save-incremental-fsync",
    "rdbchecksum",
    "rdbcompression",
    "rename-command",
    "repl-backlog-size",
    "repl-backlog-ttl",
    "repl-disable-tcp-nodelay",
    "repl-diskless-load",
    "repl-diskless-sync",
    "repl-diskless-sync-delay",
    "repl-diskless-sync-max-replicas",
    "repl-ping-replica-period",
    "repl-timeout",
    "replica-announce-ip",
    "replica-announce-port",
    "replica-announced",
    "replica-ignore-disk-write-errors",
    "replica-ignore-maxmemory",
    "replica-lazy-flush",
    "replica-priority",
    "replica-read-only",
    "replica-serve-stale-data",
    "replicaof",
    "requirepass",
    "sanitize-dump-payload",
    "save",
    "server_cpulist",
    "set-max-intset-entries",
    "set-proc-title",
    "shutdown-on-sigint",
    "shutdown-on-sigterm",
    "shutdown-timeout",
    "slowlog-log-slower-than",
    "slowlog-max-len",
    "socket-mark-id",
    "stop-writes-on-bgsave-error",
    "stream-node-max-bytes",
    "stream-node-max-entries",
    "supervised",
    "syslog-enabled",
    "syslog-facility",
    "syslog-ident",
    "tcp-backlog",
    "tcp-keepalive",
    "timeout",
    "tls-auth-clients",
    "tls-ca-cert-dir",
    "tls-ca-cert-file",
    "tls-cert-file",
    "tls-ciphers",
    "tls-ciphersuites",
    "tls-client-cert-file",
    "tls-client-key-file",
    "tls-client-key-file-pass",
    "tls-cluster",
    "tls-dh-params-file",
    "tls-key-file",
    "tls-key-file-pass",
    "tls-port",
    "tls-prefer-server-ciphers",
    "tls-protocols",
    "tls-replication",
    "tls-session-cache-size",
    "tls-session-cache-timeout",
    "tls-session-caching",
    "tracking-table-max-keys",
    "unixsocket",
    "unixsocketperm",
    "user",
    "zset-max-listpack-entries",
    "zset-max-listpack-value",
];

#[test]
fn stock_redis_conf_loads() {
    let (cfg, _) = load_text(STOCK_REDIS_CONF, &[]).unwrap();
    assert_eq!(cfg.bind, ["127.0.0.1", "-::1"]);
    assert_eq!(cfg.pidfile, "/var/run/redis_6379.pid");
    for name in STOCK_DIRECTIVES {
        let known = find_param(name.as_bytes()).is_some()
            || ["include", "rename-command", "loadmodule", "user"].contains(name);
        assert!(known, "{name}");
    }
}

// ---------------------------------------------------------------------------
// CONFIG REWRITE
// ---------------------------------------------------------------------------

fn rewrite_file(initial: &str, changes: &[(&str, &str)]) -> (String, Config) {
    let dir = TempDir::new("rewrite");
    let file = dir.write("redis.conf", initial);
    let (mut cfg, info) = load(Some(&file), &[]).unwrap();
    let opts = SetOptions {
        allow_protected: true,
        loading: false,
    };
    cfg.set_with(&pairs(changes), opts).unwrap();
    cfg.rewrite(&info).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    // The rewritten file must load back to the same configuration.
    let (reloaded, _) = load(Some(&file), &[]).unwrap();
    assert_eq!(reloaded, cfg, "round trip of:\n{text}");
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir.0).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    (text.replace(&cfg.dir, "<DIR>"), cfg)
}

#[test]
fn rewrite_keeps_structure() {
    // Redis 7.0.15 produced the same lines for this file and these CONFIG
    // SETs (verified); only the order of the appended block differs (Redis
    // follows its hash table) and Redis adds a `user default ...` line.
    let initial = "# my comment\nport 7396\nsave \"\"\nrename-command DEBUG \"\"\n\
                   slave-read-only yes\nhash-max-ziplist-entries 100\nmaxmemory 1mb\nmaxmemory 2mb\n\
                   replica-read-only no\nloglevel    notice\nbind 127.0.0.1\ndir .\n\n\n# end\n";
    let (text, cfg) = rewrite_file(
        initial,
        &[
            ("maxmemory", "3mb"),
            ("hash-max-listpack-entries", "200"),
            ("maxmemory-policy", "allkeys-lru"),
            ("requirepass", "p\"w d"),
            ("notify-keyspace-events", "KEA"),
            ("client-output-buffer-limit", "pubsub 64mb 16mb 90"),
        ],
    );
    assert_eq!(cfg.requirepass.as_deref(), Some(&b"p\"w d"[..]));
    let expected = "# my comment\nport 7396\nsave \"\"\nrename-command DEBUG \"\"\n\
                    replica-read-only no\nhash-max-listpack-entries 200\nmaxmemory 3mb\n\n\
                    loglevel notice\nbind 127.0.0.1\ndir \"<DIR>\"\n\n# end\n\n\
                    # Generated by CONFIG REWRITE\nrequirepass \"p\\\"w d\"\n\
                    maxmemory-policy allkeys-lru\n\
                    client-output-buffer-limit pubsub 64mb 16mb 90\n\
                    notify-keyspace-events \"AKE\"\n\
                    latency-tracking-info-percentiles 50 99 99.9\n";
    assert_eq!(text, expected);
}

#[test]
fn rewrite_defaults_and_removals() {
    // Verified line by line against redis-server 7.0.15 (apart from the
    // order of the appended block and Redis's `user default` line).
    let initial = "port 7395\nsave \"\"\nbind * -::*\nnotify-keyspace-events \"\"\npidfile \"\"\n\
                   logfile \"\"\nunixsocketperm 700\nmaxmemory-clients 10%\n\
                   shutdown-on-sigint nosave now\noom-score-adj relative\n\
                   client-output-buffer-limit normal 0 0 0\n\
                   client-output-buffer-limit pubsub 32mb 8mb 60\nrequirepass \"\"\nappendonly no\n\
                   maxmemory 1000\nproto-max-bulk-len 1gb\n";
    let (text, _) = rewrite_file(
        initial,
        &[
            ("slowlog-log-slower-than", "-1"),
            ("maxmemory", "2048"),
            ("latency-tracking-info-percentiles", ""),
        ],
    );
    let expected = "port 7395\nsave \"\"\n\nnotify-keyspace-events \"\"\n\nlogfile \"\"\n\
                    unixsocketperm 700\nmaxmemory-clients 10%\nshutdown-on-sigint nosave now\n\
                    oom-score-adj yes\nclient-output-buffer-limit normal 0 0 0\n\
                    client-output-buffer-limit replica 256mb 64mb 60\n\nappendonly no\n\
                    maxmemory 2kb\nproto-max-bulk-len 1gb\n\n# Generated by CONFIG REWRITE\n\
                    slowlog-log-slower-than -1\ndir \"<DIR>\"\nlatency-tracking-info-percentiles \"\"\n";
    assert_eq!(text, expected);
}

#[test]
fn rewrite_aliases_unknown_lines_and_comments() {
    // Verified behaviours: aliases are rewritten under the primary name
    // (`lua-time-limit` -> `busy-reply-threshold`), `slaveof no one` lines
    // disappear, unknown or unparsable lines are commented out with `???`,
    // indented comments are trimmed, existing lines are rewritten even at
    // their default value, several `save` lines are reused in order.
    let dir = TempDir::new("rewrite-misc");
    let file = dir.write("r.conf", "port 7395\nlua-time-limit 6000\nslaveof no one\n");
    let (cfg, info) = load(Some(&file), &[]).unwrap();
    assert_eq!(cfg.busy_reply_threshold, 6000);
    // Edit the file behind the server's back, as in the Redis experiment.
    std::fs::write(
        &file,
        "port 7395\nfoo-bar 1\n\"unbalanced\nMAXMEMORY 5mb\n  \t  # indented comment\n  timeout 0  \r\n\
         sentinel monitor x\nloadmodule /x.so\nuser bob on\ninclude other.conf\nsave 10 1\nsave 20 2\n\
         busy-reply-threshold 1\nlua-time-limit 2\n",
    )
    .unwrap();
    cfg.rewrite(&info).unwrap();
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace(&cfg.dir, "<DIR>");
    let expected =
        "port 7395\n# ??? foo-bar 1\n# ??? \"unbalanced\nmaxmemory 0\n# indented comment\n\
                    timeout 0\nsentinel monitor x\n\nuser bob on\ninclude other.conf\nsave 3600 1\nsave 300 100\n\
                    busy-reply-threshold 6000\n\n# Generated by CONFIG REWRITE\ndir \"<DIR>\"\nsave 60 10000\n\
                    latency-tracking-info-percentiles 50 99 99.9\n";
    assert_eq!(text, expected);
}

#[test]
fn rewrite_without_file_and_to_missing_file() {
    let cfg = Config::default();
    assert_eq!(
        cfg.rewrite(&LoadInfo::default()),
        Err("ERR The server is running without a config file".to_string())
    );
    // A config file that disappeared is recreated from scratch.
    let dir = TempDir::new("rewrite-missing");
    let info = LoadInfo {
        config_file: Some(dir.path("gone.conf")),
        ..LoadInfo::default()
    };
    let mut cfg = Config::default();
    set(
        &mut cfg,
        &[("maxmemory", "1gb"), ("bind", "127.0.0.1"), ("save", "")],
    )
    .unwrap();
    cfg.rewrite(&info).unwrap();
    let text = std::fs::read_to_string(dir.path("gone.conf")).unwrap();
    let dir_line = format!("dir {}", {
        let mut v = Vec::new();
        crate::util::push_repr(&mut v, cfg.dir.as_bytes());
        String::from_utf8(v).unwrap()
    });
    assert_eq!(
        text,
        format!(
            "# Generated by CONFIG REWRITE\nmaxmemory 1gb\n{dir_line}\nsave \"\"\nbind 127.0.0.1\n\
             latency-tracking-info-percentiles 50 99 99.9\n"
        )
    );
    // Unwritable location: Redis's error text.
    let info = LoadInfo {
        config_file: Some(PathBuf::from("/nonexistent-hematite-dir/x.conf")),
        ..LoadInfo::default()
    };
    assert_eq!(
        cfg.rewrite(&info),
        Err("ERR Rewriting config file: No such file or directory".to_string())
    );
}

#[test]
fn rewrite_round_trips_many_changes() {
    let (text, cfg) = rewrite_file(
        "port 7000\n",
        &[
            ("maxmemory", "1000000"),
            ("maxmemory-clients", "25%"),
            ("shutdown-on-sigterm", "nosave force"),
            ("client-output-buffer-limit", "normal 1kb 1 5 replica 1 2 3"),
            ("oom-score-adj-values", "-100 0 1000"),
            ("latency-tracking-info-percentiles", "1.5 99.999"),
            ("notify-keyspace-events", "Egx"),
            ("bind", "127.0.0.1 ::1"),
            ("masterauth", "tab\there"),
            ("replica-announce-ip", "10.1.1.1"),
            ("dbfilename", "d b.rdb"),
            ("slave-priority", "5"),
            ("list-max-ziplist-size", "-3"),
            ("activedefrag", "no"),
        ],
    );
    for line in [
        "maxmemory 1000000",
        "maxmemory-clients 25%",
        "shutdown-on-sigterm nosave force",
        "client-output-buffer-limit normal 1kb 1 5",
        "client-output-buffer-limit replica 1 2 3",
        "oom-score-adj-values -100 0 1000",
        "latency-tracking-info-percentiles 1.5 99.999",
        "notify-keyspace-events \"gxE\"",
        "bind 127.0.0.1 ::1",
        "masterauth \"tab\\there\"",
        "replica-announce-ip \"10.1.1.1\"",
        "dbfilename \"d b.rdb\"",
        "replica-priority 5",
        "list-max-listpack-size -3",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in:\n{text}"
        );
    }
    assert_eq!(cfg.masterauth.as_deref(), Some(&b"tab\there"[..]));
}

#[test]
fn rewrite_eviction_protected_keys() {
    // hematite's own parameter: binary patterns are written quoted and
    // escaped, and load back (the round trip is checked by rewrite_file).
    let (text, cfg) = rewrite_file("port 7390\n", &[("eviction-protected-keys", "jobs:* celery\x06\x16*")]);
    assert_eq!(cfg.eviction_protected_keys, vec![b"jobs:*".to_vec(), b"celery\x06\x16*".to_vec()]);
    assert!(text.contains("eviction-protected-keys \"jobs:*\" \"celery\\x06\\x16*\"\n"), "{text}");
    let (text, cfg) = rewrite_file("port 7390\n", &[("eviction-protected-keys", "")]);
    assert!(cfg.eviction_protected_keys.is_empty());
    assert!(text.contains("eviction-protected-keys \"\"\n"), "{text}");
}
