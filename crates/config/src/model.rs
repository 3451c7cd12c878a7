//! The typed configuration record ([`Config`]) and the small enums its fields
//! use.
//!
//! Every field here is reachable through the parameter table in
//! [`crate::table`]; the server reads fields directly (`config.maxmemory`)
//! and never goes through strings on a hot path.

use std::path::PathBuf;

/// Declares a plain `Copy` enum whose variants map to the raw integer codes
/// used by the parameter table (the same codes Redis uses internally, so
/// that synonyms such as `oom-score-adj yes`/`relative` share one code).
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:expr ),+ $(,)?
        }
        names = $names:ident;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// The raw code of this value in the parameter table.
            pub(crate) fn code(self) -> u32 {
                match self { $( Self::$variant => $code ),+ }
            }

            /// The value with raw code `code`, if any.
            pub(crate) fn from_code(code: u32) -> Option<Self> {
                $( if code == $code { return Some(Self::$variant); } )+
                None
            }

            /// The name Redis prints for this value (in `CONFIG GET`,
            /// `CONFIG REWRITE` and `INFO`).
            pub fn as_str(self) -> &'static str {
                crate::table::enum_name($names, self.code())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

use crate::table::{
    ACL_PUBSUB_DEFAULT_NAMES, APPENDFSYNC_NAMES, ENDPOINT_TYPE_NAMES, LOGLEVEL_NAMES,
    MAXMEMORY_POLICY_NAMES, OOM_SCORE_ADJ_NAMES, PROPAGATION_ERROR_NAMES, PROTECTED_ACTION_NAMES,
    REPL_DISKLESS_LOAD_NAMES, SANITIZE_DUMP_NAMES, SYSLOG_FACILITY_NAMES, TLS_AUTH_CLIENTS_NAMES,
};

coded_enum! {
    /// `loglevel`: how chatty the server log is.  Variants are ordered from
    /// most to least verbose, so `level >= config.loglevel` decides whether
    /// a message is written.
    pub enum LogLevel {
        /// Everything, including debugging noise.
        Debug = 0,
        /// Rarely useful information.
        Verbose = 1,
        /// Moderately verbose (the default, what you want in production).
        Notice = 2,
        /// Only important and critical messages.
        Warning = 3,
    }
    names = LOGLEVEL_NAMES;
}

impl PartialOrd for LogLevel {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for LogLevel {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.code().cmp(&other.code())
    }
}

coded_enum! {
    /// `maxmemory-policy`: what to evict when `maxmemory` is reached.
    pub enum MaxmemoryPolicy {
        /// Approximated LRU among keys with an expire set.
        VolatileLru = 0,
        /// Approximated LFU among keys with an expire set.
        VolatileLfu = 1,
        /// Random key among keys with an expire set.
        VolatileRandom = 2,
        /// The key with the nearest expire time.
        VolatileTtl = 3,
        /// Approximated LRU among all keys.
        AllkeysLru = 4,
        /// Approximated LFU among all keys.
        AllkeysLfu = 5,
        /// Random key among all keys.
        AllkeysRandom = 6,
        /// Never evict; reply an OOM error to write commands (the default).
        Noeviction = 7,
    }
    names = MAXMEMORY_POLICY_NAMES;
}

impl MaxmemoryPolicy {
    /// True for the two LFU policies (the object's LRU field holds LFU data).
    pub fn is_lfu(self) -> bool {
        matches!(self, Self::VolatileLfu | Self::AllkeysLfu)
    }

    /// True for the two LRU policies.
    pub fn is_lru(self) -> bool {
        matches!(self, Self::VolatileLru | Self::AllkeysLru)
    }

    /// True when only keys with an expire are eviction candidates.
    pub fn is_volatile(self) -> bool {
        matches!(
            self,
            Self::VolatileLru | Self::VolatileLfu | Self::VolatileRandom | Self::VolatileTtl
        )
    }
}

coded_enum! {
    /// `syslog-facility`.
    pub enum SyslogFacility {
        /// `user`
        User = 8,
        /// `local0` (the default)
        Local0 = 128,
        /// `local1`
        Local1 = 136,
        /// `local2`
        Local2 = 144,
        /// `local3`
        Local3 = 152,
        /// `local4`
        Local4 = 160,
        /// `local5`
        Local5 = 168,
        /// `local6`
        Local6 = 176,
        /// `local7`
        Local7 = 184,
    }
    names = SYSLOG_FACILITY_NAMES;
}

coded_enum! {
    /// `appendfsync`: when the AOF is fsynced.
    pub enum AppendFsync {
        /// Once per second (the default).
        Everysec = 0,
        /// After every write.
        Always = 1,
        /// Let the OS decide.
        No = 2,
    }
    names = APPENDFSYNC_NAMES;
}

coded_enum! {
    /// `repl-diskless-load`.
    pub enum ReplDisklessLoad {
        /// Always load the RDB from disk (the default).
        Disabled = 0,
        /// Load from the socket only when the dataset is empty.
        OnEmptyDb = 1,
        /// Load from the socket into a swapped-out copy of the dataset.
        Swapdb = 2,
    }
    names = REPL_DISKLESS_LOAD_NAMES;
}

coded_enum! {
    /// `tls-auth-clients`.
    pub enum TlsAuthClients {
        /// Client certificates are not requested.
        No = 0,
        /// Client certificates are required (the default).
        Yes = 1,
        /// Client certificates are verified when presented.
        Optional = 2,
    }
    names = TLS_AUTH_CLIENTS_NAMES;
}

coded_enum! {
    /// `oom-score-adj`.  Redis accepts `yes` as a synonym of `relative` and
    /// prints `yes` for it in `CONFIG GET`.
    pub enum OomScoreAdj {
        /// Do not touch the OOM score (the default).
        No = 0,
        /// Values are relative to the initial score (`yes` / `relative`).
        Relative = 1,
        /// Values are written as they are.
        Absolute = 2,
    }
    names = OOM_SCORE_ADJ_NAMES;
}

coded_enum! {
    /// `acl-pubsub-default`: the channel permissions of new ACL users.
    pub enum AclPubsubDefault {
        /// New users may use every channel.
        Allchannels = 1,
        /// New users may use no channel (the Redis 7 default).
        Resetchannels = 0,
    }
    names = ACL_PUBSUB_DEFAULT_NAMES;
}

coded_enum! {
    /// `sanitize-dump-payload`: deep checks of RESTORE / RDB payloads.
    pub enum SanitizeDumpPayload {
        /// Never sanitize (the default).
        No = 0,
        /// Always sanitize.
        Yes = 1,
        /// Sanitize only for user connections.
        Clients = 2,
    }
    names = SANITIZE_DUMP_NAMES;
}

coded_enum! {
    /// `enable-protected-configs`, `enable-debug-command`,
    /// `enable-module-command`.
    pub enum ProtectedAction {
        /// Never allowed (the default).
        No = 0,
        /// Always allowed.
        Yes = 1,
        /// Allowed only for connections from the local host.
        Local = 2,
    }
    names = PROTECTED_ACTION_NAMES;
}

coded_enum! {
    /// `cluster-preferred-endpoint-type`.
    pub enum ClusterPreferredEndpointType {
        /// Announce IP addresses (the default).
        Ip = 0,
        /// Announce hostnames.
        Hostname = 1,
        /// Announce `?`.
        UnknownEndpoint = 2,
    }
    names = ENDPOINT_TYPE_NAMES;
}

coded_enum! {
    /// `propagation-error-behavior`.
    pub enum PropagationErrorBehavior {
        /// Ignore errors in replicated/AOF commands (the default).
        Ignore = 0,
        /// Panic.
        Panic = 1,
        /// Panic only on replicas.
        PanicOnReplicas = 2,
    }
    names = PROPAGATION_ERROR_NAMES;
}

/// `shutdown-on-sigint` / `shutdown-on-sigterm` flag: force a save.
pub const SHUTDOWN_SAVE: u32 = 1;
/// `shutdown-on-sigint` / `shutdown-on-sigterm` flag: skip saving.
pub const SHUTDOWN_NOSAVE: u32 = 2;
/// `shutdown-on-sigint` / `shutdown-on-sigterm` flag: don't wait for
/// replicas to catch up.
pub const SHUTDOWN_NOW: u32 = 4;
/// `shutdown-on-sigint` / `shutdown-on-sigterm` flag: ignore errors that
/// would normally prevent the shutdown.
pub const SHUTDOWN_FORCE: u32 = 8;

/// Index of the `normal` class in [`Config::client_output_buffer_limit`].
pub const CLIENT_CLASS_NORMAL: usize = 0;
/// Index of the `replica` (a.k.a. `slave`) class in
/// [`Config::client_output_buffer_limit`].
pub const CLIENT_CLASS_REPLICA: usize = 1;
/// Index of the `pubsub` class in [`Config::client_output_buffer_limit`].
pub const CLIENT_CLASS_PUBSUB: usize = 2;

/// One class of `client-output-buffer-limit`.
///
/// A client is disconnected when its output buffer reaches
/// `hard_limit_bytes`, or stays above `soft_limit_bytes` for
/// `soft_limit_seconds` in a row.  Zero disables a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutputBufferLimit {
    /// Hard limit in bytes (0 = none).
    pub hard_limit_bytes: u64,
    /// Soft limit in bytes (0 = none).
    pub soft_limit_bytes: u64,
    /// How long the soft limit may be exceeded, in seconds.
    pub soft_limit_seconds: u64,
}

/// One `save <seconds> <changes>` point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavePoint {
    /// Save if at least `changes` writes happened in this many seconds.
    pub seconds: u64,
    /// The number of writes.
    pub changes: u64,
}

/// The complete server configuration: one typed field per Redis 7.0
/// parameter (aliases share the field of their primary name), plus the
/// config-file-only directive `rename-command`.
///
/// Field names follow the parameter names with `-` turned into `_`
/// (`maxmemory-policy` → `maxmemory_policy`).  Values are always valid:
/// every write goes through the parameter table's parsers and bounds.
/// Units are the ones Redis uses: bytes for memory values, seconds for
/// `timeout`, `tcp-keepalive` and friends, milliseconds for
/// `busy-reply-threshold`, microseconds for `slowlog-log-slower-than`.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    // ----- network -----
    /// `port`: TCP port (0 = don't listen on TCP).
    pub port: u16,
    /// `bind`: addresses to listen on; a leading `-` marks an address as
    /// optional (failure to bind it is not fatal).  Empty = don't listen.
    pub bind: Vec<String>,
    /// `bind-source-addr`: source address for outgoing connections.
    pub bind_source_addr: Option<String>,
    /// `unixsocket`: path of the Unix socket to listen on.
    pub unixsocket: Option<String>,
    /// `unixsocketperm`: permissions of the Unix socket (octal in files).
    pub unixsocketperm: u32,
    /// `protected-mode`.
    pub protected_mode: bool,
    /// `tcp-backlog`.
    pub tcp_backlog: u32,
    /// `tcp-keepalive`, seconds (0 = off).
    pub tcp_keepalive: u64,
    /// `timeout`: close idle clients after this many seconds (0 = never).
    pub timeout: u64,
    /// `socket-mark-id`.
    pub socket_mark_id: u32,
    /// `tls-port` (feature-gated: must stay 0).
    pub tls_port: u16,
    /// `tls-cert-file`.
    pub tls_cert_file: Option<String>,
    /// `tls-key-file`.
    pub tls_key_file: Option<String>,
    /// `tls-key-file-pass`.
    pub tls_key_file_pass: Option<String>,
    /// `tls-client-cert-file`.
    pub tls_client_cert_file: Option<String>,
    /// `tls-client-key-file`.
    pub tls_client_key_file: Option<String>,
    /// `tls-client-key-file-pass`.
    pub tls_client_key_file_pass: Option<String>,
    /// `tls-dh-params-file`.
    pub tls_dh_params_file: Option<String>,
    /// `tls-ca-cert-file`.
    pub tls_ca_cert_file: Option<String>,
    /// `tls-ca-cert-dir`.
    pub tls_ca_cert_dir: Option<String>,
    /// `tls-protocols`.
    pub tls_protocols: Option<String>,
    /// `tls-ciphers`.
    pub tls_ciphers: Option<String>,
    /// `tls-ciphersuites`.
    pub tls_ciphersuites: Option<String>,
    /// `tls-auth-clients`.
    pub tls_auth_clients: TlsAuthClients,
    /// `tls-replication`.
    pub tls_replication: bool,
    /// `tls-cluster`.
    pub tls_cluster: bool,
    /// `tls-prefer-server-ciphers`.
    pub tls_prefer_server_ciphers: bool,
    /// `tls-session-caching`.
    pub tls_session_caching: bool,
    /// `tls-session-cache-size`.
    pub tls_session_cache_size: u32,
    /// `tls-session-cache-timeout`, seconds.
    pub tls_session_cache_timeout: u32,

    // ----- process -----
    /// `daemonize`.
    pub daemonize: bool,
    /// `supervised`: one of `no`, `upstart`, `systemd`, `auto` (canonical
    /// lowercase name).
    pub supervised: String,
    /// `pidfile` (empty = none).
    pub pidfile: String,
    /// `loglevel`.
    pub loglevel: LogLevel,
    /// `logfile` (empty = standard output).
    pub logfile: String,
    /// `syslog-enabled`.
    pub syslog_enabled: bool,
    /// `syslog-ident`.
    pub syslog_ident: String,
    /// `syslog-facility`.
    pub syslog_facility: SyslogFacility,
    /// `crash-log-enabled`.
    pub crash_log_enabled: bool,
    /// `crash-memcheck-enabled`.
    pub crash_memcheck_enabled: bool,
    /// `use-exit-on-panic` (hidden).
    pub use_exit_on_panic: bool,
    /// `databases`.
    pub databases: u32,
    /// `always-show-logo`.
    pub always_show_logo: bool,
    /// `set-proc-title`.
    pub set_proc_title: bool,
    /// `proc-title-template`.
    pub proc_title_template: String,
    /// `disable-thp`.
    pub disable_thp: bool,
    /// `oom-score-adj`.
    pub oom_score_adj: OomScoreAdj,
    /// `oom-score-adj-values`: master, replica, background child.
    pub oom_score_adj_values: [i32; 3],
    /// `io-threads`.
    pub io_threads: u32,
    /// `io-threads-do-reads`.
    pub io_threads_do_reads: bool,
    /// `server_cpulist`.
    pub server_cpulist: Option<String>,
    /// `bio_cpulist`.
    pub bio_cpulist: Option<String>,
    /// `aof_rewrite_cpulist`.
    pub aof_rewrite_cpulist: Option<String>,
    /// `bgsave_cpulist`.
    pub bgsave_cpulist: Option<String>,
    /// `ignore-warnings`.
    pub ignore_warnings: String,
    /// `jemalloc-bg-thread`.
    pub jemalloc_bg_thread: bool,
    /// `shutdown-timeout`, seconds.
    pub shutdown_timeout: u32,
    /// `shutdown-on-sigint`: bit set of `SHUTDOWN_*` flags (0 = `default`).
    pub shutdown_on_sigint: u32,
    /// `shutdown-on-sigterm`: bit set of `SHUTDOWN_*` flags (0 = `default`).
    pub shutdown_on_sigterm: u32,
    /// `enable-protected-configs`.
    pub enable_protected_configs: ProtectedAction,
    /// `enable-debug-command`.
    pub enable_debug_command: ProtectedAction,
    /// `enable-module-command`.
    pub enable_module_command: ProtectedAction,
    /// `watchdog-period` (hidden), milliseconds.
    pub watchdog_period: u32,
    /// `dir`: the working directory, always an absolute, canonical path.
    /// Loading and `CONFIG SET dir` only validate it; changing the process
    /// working directory is the server's job.
    pub dir: String,

    // ----- security -----
    /// `requirepass` (`None` = no password).
    pub requirepass: Option<Vec<u8>>,
    /// `aclfile` (feature-gated: must stay empty).
    pub aclfile: String,
    /// `acllog-max-len`.
    pub acllog_max_len: u64,
    /// `acl-pubsub-default`.
    pub acl_pubsub_default: AclPubsubDefault,
    /// `rename-command old new` directives from the config file, in order
    /// (`new` empty = the command is removed).  Stored as written; the
    /// server validates the command names when it builds its command table.
    pub rename_commands: Vec<(String, String)>,

    // ----- RDB persistence -----
    /// `save` points (feature-gated: must stay empty).
    pub save_params: Vec<SavePoint>,
    /// `stop-writes-on-bgsave-error`.
    pub stop_writes_on_bgsave_error: bool,
    /// `rdbcompression`.
    pub rdbcompression: bool,
    /// `rdbchecksum`.
    pub rdbchecksum: bool,
    /// `dbfilename`.
    pub dbfilename: String,
    /// `rdb-del-sync-files`.
    pub rdb_del_sync_files: bool,
    /// `rdb-save-incremental-fsync`.
    pub rdb_save_incremental_fsync: bool,
    /// `rdb-key-save-delay` (hidden, testing aid), microseconds.
    pub rdb_key_save_delay: i32,
    /// `key-load-delay` (hidden, testing aid), microseconds.
    pub key_load_delay: i32,
    /// `loading-process-events-interval-bytes` (hidden).
    pub loading_process_events_interval_bytes: u64,
    /// `sanitize-dump-payload`.
    pub sanitize_dump_payload: SanitizeDumpPayload,

    // ----- AOF persistence -----
    /// `appendonly` (feature-gated: must stay `no`).
    pub appendonly: bool,
    /// `appendfilename`.
    pub appendfilename: String,
    /// `appenddirname`.
    pub appenddirname: String,
    /// `appendfsync`.
    pub appendfsync: AppendFsync,
    /// `no-appendfsync-on-rewrite`.
    pub no_appendfsync_on_rewrite: bool,
    /// `auto-aof-rewrite-percentage`.
    pub auto_aof_rewrite_percentage: u32,
    /// `auto-aof-rewrite-min-size`, bytes.
    pub auto_aof_rewrite_min_size: u64,
    /// `aof-load-truncated`.
    pub aof_load_truncated: bool,
    /// `aof-use-rdb-preamble`.
    pub aof_use_rdb_preamble: bool,
    /// `aof-timestamp-enabled`.
    pub aof_timestamp_enabled: bool,
    /// `aof-rewrite-incremental-fsync`.
    pub aof_rewrite_incremental_fsync: bool,
    /// `aof-disable-auto-gc`.
    pub aof_disable_auto_gc: bool,

    // ----- replication -----
    /// `replicaof` / `slaveof` host and port (feature-gated: must be
    /// `None`, i.e. `replicaof no one`).
    pub replicaof: Option<(String, u16)>,
    /// `masterauth`.
    pub masterauth: Option<Vec<u8>>,
    /// `masteruser`.
    pub masteruser: Option<String>,
    /// `replica-serve-stale-data`.
    pub replica_serve_stale_data: bool,
    /// `replica-read-only`.
    pub replica_read_only: bool,
    /// `repl-diskless-sync`.
    pub repl_diskless_sync: bool,
    /// `repl-diskless-sync-delay`, seconds.
    pub repl_diskless_sync_delay: u32,
    /// `repl-diskless-sync-max-replicas`.
    pub repl_diskless_sync_max_replicas: u32,
    /// `repl-diskless-load`.
    pub repl_diskless_load: ReplDisklessLoad,
    /// `repl-ping-replica-period`, seconds.
    pub repl_ping_replica_period: u32,
    /// `repl-timeout`, seconds.
    pub repl_timeout: u32,
    /// `repl-disable-tcp-nodelay`.
    pub repl_disable_tcp_nodelay: bool,
    /// `repl-backlog-size`, bytes.
    pub repl_backlog_size: u64,
    /// `repl-backlog-ttl`, seconds.
    pub repl_backlog_ttl: u64,
    /// `replica-priority`.
    pub replica_priority: u32,
    /// `propagation-error-behavior`.
    pub propagation_error_behavior: PropagationErrorBehavior,
    /// `replica-ignore-disk-write-errors`.
    pub replica_ignore_disk_write_errors: bool,
    /// `replica-announced`.
    pub replica_announced: bool,
    /// `min-replicas-to-write` (feature-gated: must stay 0).
    pub min_replicas_to_write: u32,
    /// `min-replicas-max-lag`, seconds.
    pub min_replicas_max_lag: u32,
    /// `replica-announce-ip`.
    pub replica_announce_ip: Option<String>,
    /// `replica-announce-port`.
    pub replica_announce_port: u16,
    /// `replica-lazy-flush`.
    pub replica_lazy_flush: bool,
    /// `replica-ignore-maxmemory`.
    pub replica_ignore_maxmemory: bool,

    // ----- clients and memory -----
    /// `maxclients`.
    pub maxclients: u64,
    /// `maxmemory`, bytes (0 = no limit).
    pub maxmemory: u64,
    /// `maxmemory-policy`.
    pub maxmemory_policy: MaxmemoryPolicy,
    /// `maxmemory-samples`.
    pub maxmemory_samples: u32,
    /// `maxmemory-eviction-tenacity`.
    pub maxmemory_eviction_tenacity: u32,
    /// `eviction-protected-keys` (hematite's own): glob patterns of keys
    /// that eviction never chooses, plus the `@kombu-queues` token (lists
    /// bound as queues in kombu's `_kombu.binding.<queue>` sets). The
    /// default covers Celery/kombu's broker keys; empty = Redis's behaviour.
    pub eviction_protected_keys: Vec<Vec<u8>>,
    /// `maxmemory-clients`: bytes when `>= 0`; when negative, a percentage
    /// of `maxmemory` (`-10` means `10%`), as Redis stores it.
    pub maxmemory_clients: i64,
    /// `lazyfree-lazy-eviction`.
    pub lazyfree_lazy_eviction: bool,
    /// `lazyfree-lazy-expire`.
    pub lazyfree_lazy_expire: bool,
    /// `lazyfree-lazy-server-del`.
    pub lazyfree_lazy_server_del: bool,
    /// `lazyfree-lazy-user-del`.
    pub lazyfree_lazy_user_del: bool,
    /// `lazyfree-lazy-user-flush`.
    pub lazyfree_lazy_user_flush: bool,
    /// `activedefrag`.
    pub activedefrag: bool,
    /// `active-defrag-ignore-bytes`.
    pub active_defrag_ignore_bytes: u64,
    /// `active-defrag-threshold-lower`, percent.
    pub active_defrag_threshold_lower: u32,
    /// `active-defrag-threshold-upper`, percent.
    pub active_defrag_threshold_upper: u32,
    /// `active-defrag-cycle-min`, percent of CPU.
    pub active_defrag_cycle_min: u32,
    /// `active-defrag-cycle-max`, percent of CPU.
    pub active_defrag_cycle_max: u32,
    /// `active-defrag-max-scan-fields`.
    pub active_defrag_max_scan_fields: u64,
    /// `lfu-log-factor`.
    pub lfu_log_factor: u32,
    /// `lfu-decay-time`, minutes.
    pub lfu_decay_time: u32,
    /// `active-expire-effort` (1..=10).
    pub active_expire_effort: u32,
    /// `client-output-buffer-limit`, indexed by `CLIENT_CLASS_NORMAL`,
    /// `CLIENT_CLASS_REPLICA`, `CLIENT_CLASS_PUBSUB`.
    pub client_output_buffer_limit: [OutputBufferLimit; 3],
    /// `client-query-buffer-limit`, bytes.
    pub client_query_buffer_limit: u64,
    /// `proto-max-bulk-len`, bytes.
    pub proto_max_bulk_len: u64,
    /// `tracking-table-max-keys`.
    pub tracking_table_max_keys: u64,

    // ----- scripting -----
    /// `busy-reply-threshold` / `lua-time-limit`, milliseconds.
    pub busy_reply_threshold: u64,

    // ----- cluster -----
    /// `cluster-enabled` (feature-gated: must stay `no`).
    pub cluster_enabled: bool,
    /// `cluster-config-file`.
    pub cluster_config_file: String,
    /// `cluster-node-timeout`, milliseconds.
    pub cluster_node_timeout: u64,
    /// `cluster-port`.
    pub cluster_port: u16,
    /// `cluster-replica-validity-factor`.
    pub cluster_replica_validity_factor: u32,
    /// `cluster-migration-barrier`.
    pub cluster_migration_barrier: u32,
    /// `cluster-allow-replica-migration`.
    pub cluster_allow_replica_migration: bool,
    /// `cluster-require-full-coverage`.
    pub cluster_require_full_coverage: bool,
    /// `cluster-replica-no-failover`.
    pub cluster_replica_no_failover: bool,
    /// `cluster-allow-reads-when-down`.
    pub cluster_allow_reads_when_down: bool,
    /// `cluster-allow-pubsubshard-when-down`.
    pub cluster_allow_pubsubshard_when_down: bool,
    /// `cluster-link-sendbuf-limit`, bytes.
    pub cluster_link_sendbuf_limit: u64,
    /// `cluster-announce-hostname`.
    pub cluster_announce_hostname: Option<String>,
    /// `cluster-preferred-endpoint-type`.
    pub cluster_preferred_endpoint_type: ClusterPreferredEndpointType,
    /// `cluster-announce-ip`.
    pub cluster_announce_ip: Option<String>,
    /// `cluster-announce-port`.
    pub cluster_announce_port: u16,
    /// `cluster-announce-tls-port`.
    pub cluster_announce_tls_port: u16,
    /// `cluster-announce-bus-port`.
    pub cluster_announce_bus_port: u16,

    // ----- monitoring -----
    /// `slowlog-log-slower-than`, microseconds (negative = disabled,
    /// 0 = log everything).
    pub slowlog_log_slower_than: i64,
    /// `slowlog-max-len`.
    pub slowlog_max_len: u64,
    /// `latency-monitor-threshold`, milliseconds (0 = off).
    pub latency_monitor_threshold: u64,
    /// `latency-tracking`.
    pub latency_tracking: bool,
    /// `latency-tracking-info-percentiles`.
    pub latency_tracking_info_percentiles: Vec<f64>,
    /// `notify-keyspace-events` in Redis's canonical spelling (for example
    /// `"AKE"`); see [`Config::notify_keyspace_flags`] for the bit form.
    pub notify_keyspace_events: String,
    /// Bit form of `notify_keyspace_events` (Redis's `NOTIFY_*` bits);
    /// kept in sync by every write through the parameter table.
    pub notify_keyspace_flags: u32,

    // ----- data structures -----
    /// `hash-max-listpack-entries` / `hash-max-ziplist-entries`.
    pub hash_max_listpack_entries: u64,
    /// `hash-max-listpack-value` / `hash-max-ziplist-value`, bytes.
    pub hash_max_listpack_value: u64,
    /// `list-max-listpack-size` / `list-max-ziplist-size` (negative values
    /// select a byte size class: -1 = 4 KiB ... -5 = 64 KiB).
    pub list_max_listpack_size: i64,
    /// `list-compress-depth`.
    pub list_compress_depth: u32,
    /// `set-max-intset-entries`.
    pub set_max_intset_entries: u64,
    /// `zset-max-listpack-entries` / `zset-max-ziplist-entries`.
    pub zset_max_listpack_entries: u64,
    /// `zset-max-listpack-value` / `zset-max-ziplist-value`, bytes.
    pub zset_max_listpack_value: u64,
    /// `hll-sparse-max-bytes`.
    pub hll_sparse_max_bytes: u64,
    /// `stream-node-max-bytes`.
    pub stream_node_max_bytes: u64,
    /// `stream-node-max-entries`.
    pub stream_node_max_entries: u64,
    /// `activerehashing`.
    pub activerehashing: bool,
    /// `hz`: server cron frequency, already clamped to 1..=500 like Redis.
    pub hz: u32,
    /// `dynamic-hz`.
    pub dynamic_hz: bool,
}

/// The default `eviction-protected-keys`: what Celery and kombu keep in
/// Redis as a broker. The default queue `celery` and its priority
/// sub-queues (`celery\x06\x163`, ...), every list bound as a queue in a
/// `_kombu.binding.<queue>` set (`@kombu-queues`), the unacked-message hash,
/// its index and mutex, and the binding sets themselves. Results
/// (`celery-task-meta-*`) are not included: they expire and may be
/// recomputed; add the pattern to protect them too.
pub const DEFAULT_PROTECTED_KEYS: &[&[u8]] =
    &[b"celery", b"celery\x06\x16*", b"@kombu-queues", b"unacked", b"unacked_index", b"unacked_mutex", b"_kombu.binding.*"];

impl Default for Config {
    /// Redis 7.0.15's built-in defaults (what `redis-server` uses with no
    /// config file), except `save`, which is empty because hematite has no
    /// RDB persistence yet.  `dir` is the process's current directory.
    fn default() -> Self {
        let dir = std::env::current_dir()
            .ok()
            .and_then(|d| std::fs::canonicalize(d).ok())
            .unwrap_or_else(|| PathBuf::from("/"))
            .to_string_lossy()
            .into_owned();
        Config {
            port: 6379,
            bind: vec!["*".to_string(), "-::*".to_string()],
            eviction_protected_keys: DEFAULT_PROTECTED_KEYS.iter().map(|p| p.to_vec()).collect(),
            bind_source_addr: None,
            unixsocket: None,
            unixsocketperm: 0,
            protected_mode: true,
            tcp_backlog: 511,
            tcp_keepalive: 300,
            timeout: 0,
            socket_mark_id: 0,
            tls_port: 0,
            tls_cert_file: None,
            tls_key_file: None,
            tls_key_file_pass: None,
            tls_client_cert_file: None,
            tls_client_key_file: None,
            tls_client_key_file_pass: None,
            tls_dh_params_file: None,
            tls_ca_cert_file: None,
            tls_ca_cert_dir: None,
            tls_protocols: None,
            tls_ciphers: None,
            tls_ciphersuites: None,
            tls_auth_clients: TlsAuthClients::Yes,
            tls_replication: false,
            tls_cluster: false,
            tls_prefer_server_ciphers: false,
            tls_session_caching: true,
            tls_session_cache_size: 20 * 1024,
            tls_session_cache_timeout: 300,

            daemonize: false,
            supervised: "no".to_string(),
            pidfile: String::new(),
            loglevel: LogLevel::Notice,
            logfile: String::new(),
            syslog_enabled: false,
            syslog_ident: "redis".to_string(),
            syslog_facility: SyslogFacility::Local0,
            crash_log_enabled: true,
            crash_memcheck_enabled: true,
            use_exit_on_panic: false,
            databases: 16,
            always_show_logo: false,
            set_proc_title: true,
            proc_title_template: "{title} {listen-addr} {server-mode}".to_string(),
            disable_thp: true,
            oom_score_adj: OomScoreAdj::No,
            oom_score_adj_values: [0, 200, 800],
            io_threads: 1,
            io_threads_do_reads: false,
            server_cpulist: None,
            bio_cpulist: None,
            aof_rewrite_cpulist: None,
            bgsave_cpulist: None,
            ignore_warnings: String::new(),
            jemalloc_bg_thread: true,
            shutdown_timeout: 10,
            shutdown_on_sigint: 0,
            shutdown_on_sigterm: 0,
            enable_protected_configs: ProtectedAction::No,
            enable_debug_command: ProtectedAction::No,
            enable_module_command: ProtectedAction::No,
            watchdog_period: 0,
            dir,

            requirepass: None,
            aclfile: String::new(),
            acllog_max_len: 128,
            acl_pubsub_default: AclPubsubDefault::Resetchannels,
            rename_commands: Vec::new(),

            // Redis 7.0's built-in default (`save 3600 1 300 100 60 10000`).
            save_params: vec![
                SavePoint { seconds: 3600, changes: 1 },
                SavePoint { seconds: 300, changes: 100 },
                SavePoint { seconds: 60, changes: 10000 },
            ],
            stop_writes_on_bgsave_error: true,
            rdbcompression: true,
            rdbchecksum: true,
            dbfilename: "dump.rdb".to_string(),
            rdb_del_sync_files: false,
            rdb_save_incremental_fsync: true,
            rdb_key_save_delay: 0,
            key_load_delay: 0,
            loading_process_events_interval_bytes: 2 * 1024 * 1024,
            sanitize_dump_payload: SanitizeDumpPayload::No,

            appendonly: false,
            appendfilename: "appendonly.aof".to_string(),
            appenddirname: "appendonlydir".to_string(),
            appendfsync: AppendFsync::Everysec,
            no_appendfsync_on_rewrite: false,
            auto_aof_rewrite_percentage: 100,
            auto_aof_rewrite_min_size: 64 * 1024 * 1024,
            aof_load_truncated: true,
            aof_use_rdb_preamble: true,
            aof_timestamp_enabled: false,
            aof_rewrite_incremental_fsync: true,
            aof_disable_auto_gc: false,

            replicaof: None,
            masterauth: None,
            masteruser: None,
            replica_serve_stale_data: true,
            replica_read_only: true,
            repl_diskless_sync: true,
            repl_diskless_sync_delay: 5,
            repl_diskless_sync_max_replicas: 0,
            repl_diskless_load: ReplDisklessLoad::Disabled,
            repl_ping_replica_period: 10,
            repl_timeout: 60,
            repl_disable_tcp_nodelay: false,
            repl_backlog_size: 1024 * 1024,
            repl_backlog_ttl: 3600,
            replica_priority: 100,
            propagation_error_behavior: PropagationErrorBehavior::Ignore,
            replica_ignore_disk_write_errors: false,
            replica_announced: true,
            min_replicas_to_write: 0,
            min_replicas_max_lag: 10,
            replica_announce_ip: None,
            replica_announce_port: 0,
            replica_lazy_flush: false,
            replica_ignore_maxmemory: true,

            maxclients: 10000,
            maxmemory: 0,
            maxmemory_policy: MaxmemoryPolicy::Noeviction,
            maxmemory_samples: 5,
            maxmemory_eviction_tenacity: 10,
            maxmemory_clients: 0,
            lazyfree_lazy_eviction: false,
            lazyfree_lazy_expire: false,
            lazyfree_lazy_server_del: false,
            lazyfree_lazy_user_del: false,
            lazyfree_lazy_user_flush: false,
            activedefrag: false,
            active_defrag_ignore_bytes: 100 * 1024 * 1024,
            active_defrag_threshold_lower: 10,
            active_defrag_threshold_upper: 100,
            active_defrag_cycle_min: 1,
            active_defrag_cycle_max: 25,
            active_defrag_max_scan_fields: 1000,
            lfu_log_factor: 10,
            lfu_decay_time: 1,
            active_expire_effort: 1,
            client_output_buffer_limit: DEFAULT_OUTPUT_BUFFER_LIMITS,
            client_query_buffer_limit: 1024 * 1024 * 1024,
            proto_max_bulk_len: 512 * 1024 * 1024,
            tracking_table_max_keys: 1_000_000,

            busy_reply_threshold: 5000,

            cluster_enabled: false,
            cluster_config_file: "nodes.conf".to_string(),
            cluster_node_timeout: 15000,
            cluster_port: 0,
            cluster_replica_validity_factor: 10,
            cluster_migration_barrier: 1,
            cluster_allow_replica_migration: true,
            cluster_require_full_coverage: true,
            cluster_replica_no_failover: false,
            cluster_allow_reads_when_down: false,
            cluster_allow_pubsubshard_when_down: true,
            cluster_link_sendbuf_limit: 0,
            cluster_announce_hostname: None,
            cluster_preferred_endpoint_type: ClusterPreferredEndpointType::Ip,
            cluster_announce_ip: None,
            cluster_announce_port: 0,
            cluster_announce_tls_port: 0,
            cluster_announce_bus_port: 0,

            slowlog_log_slower_than: 10000,
            slowlog_max_len: 128,
            latency_monitor_threshold: 0,
            latency_tracking: true,
            latency_tracking_info_percentiles: vec![50.0, 99.0, 99.9],
            notify_keyspace_events: String::new(),
            notify_keyspace_flags: 0,

            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            list_max_listpack_size: -2,
            list_compress_depth: 0,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            hll_sparse_max_bytes: 3000,
            stream_node_max_bytes: 4096,
            stream_node_max_entries: 100,
            activerehashing: true,
            hz: 10,
            dynamic_hz: true,
        }
    }
}

/// Redis's default `client-output-buffer-limit`:
/// `normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60`.
pub const DEFAULT_OUTPUT_BUFFER_LIMITS: [OutputBufferLimit; 3] = [
    OutputBufferLimit {
        hard_limit_bytes: 0,
        soft_limit_bytes: 0,
        soft_limit_seconds: 0,
    },
    OutputBufferLimit {
        hard_limit_bytes: 256 * 1024 * 1024,
        soft_limit_bytes: 64 * 1024 * 1024,
        soft_limit_seconds: 60,
    },
    OutputBufferLimit {
        hard_limit_bytes: 32 * 1024 * 1024,
        soft_limit_bytes: 8 * 1024 * 1024,
        soft_limit_seconds: 60,
    },
];
