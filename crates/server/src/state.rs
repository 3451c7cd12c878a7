//! The server's shared state: everything commands may touch.
//!
//! All of it lives in one [`State`] behind one mutex in [`Shared`]. A
//! connection takes the lock once per batch of pipelined commands and runs
//! them back to back, so each command (and later each MULTI/EXEC block and
//! each Lua script) sees the keyspace exactly as Redis's single thread would:
//! nothing interleaves with it. Parsing requests, encoding replies, and all
//! socket I/O happen outside the lock on any core; see
//! docs/ARCHITECTURE.md for why this is the right trade for now and how it
//! scales.

use crate::command::table;
use hematite_config::{Config, LoadInfo};
use hematite_store::Keyspace;
use parking_lot::Mutex;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Notify;

/// Per-command counters (`INFO commandstats`).
#[derive(Debug, Default, Clone, Copy)]
pub struct CommandStats {
    /// Successful and failed executions.
    pub calls: u64,
    /// Total microseconds spent executing.
    pub usec: u64,
    /// Rejected before execution (arity, auth, OOM, ...).
    pub rejected_calls: u64,
    /// Executed but answered an error.
    pub failed_calls: u64,
}

/// Server-wide counters (`INFO stats`).
#[derive(Debug, Default)]
pub struct Stats {
    /// Connections accepted since start.
    pub total_connections_received: u64,
    /// Commands executed.
    pub total_commands_processed: u64,
    /// Connections refused by `maxclients`.
    pub rejected_connections: u64,
    /// Lookups that found the key.
    pub keyspace_hits: u64,
    /// Lookups that did not.
    pub keyspace_misses: u64,
    /// Error replies sent.
    pub total_error_replies: u64,
    /// Error replies by code (`ERR`, `WRONGTYPE`, ...).
    pub error_codes: BTreeMap<String, u64>,
    /// Per-command counters, indexed by `Command::stat_id`.
    pub commands: Vec<CommandStats>,
    /// Keys changed since the last save (`rdb_changes_since_last_save`).
    pub dirty: u64,
    /// Keys evicted by the `maxmemory` policy.
    pub evicted_keys: u64,
    /// Client connections closed for exceeding output buffer limits.
    pub client_output_buffer_limit_disconnections: u64,
    /// Client connections closed for exceeding the query buffer limit.
    pub client_query_buffer_limit_disconnections: u64,
    /// Samples of the command counter for instantaneous_ops_per_sec.
    pub ops_samples: OpsSampler,
}

/// Keeps recent samples of a counter to report a per-second rate, as
/// Redis's `trackInstantaneousMetric` does (16 samples, one per 100 ms).
#[derive(Debug, Default)]
pub struct OpsSampler {
    samples: [u64; 16],
    idx: usize,
    last_time_ms: i64,
    last_value: u64,
}

impl OpsSampler {
    /// Records the counter's current value.
    pub fn sample(&mut self, now_ms: i64, value: u64) {
        if self.last_time_ms != 0 {
            let dt = (now_ms - self.last_time_ms).max(1) as u64;
            let rate = (value - self.last_value) * 1000 / dt;
            self.samples[self.idx] = rate;
            self.idx = (self.idx + 1) % self.samples.len();
        }
        self.last_time_ms = now_ms;
        self.last_value = value;
    }

    /// The average of the samples.
    pub fn rate(&self) -> u64 {
        self.samples.iter().sum::<u64>() / self.samples.len() as u64
    }
}

/// CLIENT REPLY mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyMode {
    /// Normal.
    On,
    /// Send nothing.
    Off,
    /// Skip the reply of the next command only.
    SkipNext,
    /// Skipping the reply of the current command.
    Skip,
}

/// What the registry knows about a connected client (`CLIENT LIST`).
#[derive(Debug)]
pub struct ClientInfo {
    /// Unique, increasing id.
    pub id: u64,
    /// Peer address (`ip:port`, or the socket path's client side).
    pub addr: String,
    /// Local address.
    pub laddr: String,
    /// File descriptor.
    pub fd: i64,
    /// Name set with CLIENT SETNAME / HELLO SETNAME.
    pub name: Option<Vec<u8>>,
    /// Library name and version (CLIENT SETINFO).
    pub lib_name: Option<Vec<u8>>,
    /// Library version.
    pub lib_ver: Option<Vec<u8>>,
    /// Connection time (Unix ms).
    pub created_ms: i64,
    /// Time of the last command (Unix ms).
    pub last_interaction_ms: i64,
    /// Selected database.
    pub db: usize,
    /// Full name of the last command.
    pub last_cmd: Option<&'static crate::command::Command>,
    /// Protocol version.
    pub resp: u8,
    /// Query buffer length and free space after the last read.
    pub qbuf: usize,
    /// Read buffer capacity.
    pub qbuf_cap: usize,
    /// Output buffer length.
    pub omem: usize,
    /// Unix socket connection.
    pub unix: bool,
    /// CLIENT NO-EVICT on.
    pub no_evict: bool,
    /// Authenticated user name.
    pub user: String,
    /// Set by CLIENT KILL; the connection closes at its next wakeup.
    pub killed: Arc<AtomicBool>,
    /// Wakes the connection task (CLIENT KILL, a pub/sub message, a served
    /// or unblocked blocking command).
    pub wake: Arc<Notify>,
    /// Replies and messages produced for this client by others (pub/sub
    /// messages, the reply of a blocking command served by another
    /// client's write), written by its task when woken.
    pub pending: bytes::BytesMut,
    /// When the output went over the soft limit (Unix ms; 0 = it is not).
    pub soft_limit_since_ms: i64,
    /// Subscription counts (channels, patterns, shard channels).
    pub sub_counts: (usize, usize, usize),
    /// Commands queued in MULTI, or -1 outside a transaction.
    pub multi: i64,
    /// Blocked by a blocking command.
    pub blocked: bool,
    /// The AOF offset `pending` replies must wait for (see
    /// `persistence::aof_io`), 0 when none.
    pub aof_target: u64,
}

/// Everything guarded by the big lock.
pub struct State {
    /// The databases.
    pub ks: Keyspace,
    /// The running configuration.
    pub config: Config,
    /// Where the configuration came from (for CONFIG REWRITE).
    pub config_info: LoadInfo,
    /// Connected clients by id.
    pub clients: HashMap<u64, ClientInfo>,
    /// Counters.
    pub stats: Stats,
    /// Set by SHUTDOWN; the main task performs it.
    pub shutdown_requested: bool,
    /// The TCP port actually bound, for INFO and logs.
    pub tcp_port: u16,
    /// Whether the cron expires keys actively (DEBUG SET-ACTIVE-EXPIRE).
    pub active_expire_enabled: bool,
    /// WATCHed keys.
    pub watches: crate::commands::multi::Watches,
    /// Pub/sub subscribers.
    pub pubsub: crate::commands::pubsub::Registry,
    /// Clients parked by blocking commands.
    pub blocking: crate::commands::blocking::Registry,
    /// Commands of the current execution unit, for the AOF.
    pub prop: crate::persistence::propagate::Propagation,
    /// Saves, the AOF and their counters.
    pub persist: crate::persistence::Persistence,
    /// Eviction state (`maxmemory`).
    pub evict: crate::evict::Evictor,
}

/// The state shared by all tasks.
pub struct Shared {
    /// The big lock.
    pub state: Mutex<State>,
    /// Connected clients (kept outside the lock for the accept path).
    pub connected: AtomicUsize,
    /// `proto-max-bulk-len`, mirrored outside the lock for parsing.
    pub proto_max_bulk_len: AtomicU64,
    /// `client-query-buffer-limit`, mirrored outside the lock.
    pub query_buffer_limit: AtomicU64,
    /// Whether a password is required (mirrored outside the lock).
    pub auth_required: AtomicBool,
    /// `maxclients`, mirrored so that accepting a connection never waits
    /// for the lock (a busy script holds it; SCRIPT KILL comes from a new
    /// connection).
    pub maxclients: AtomicU64,
    /// `protected-mode`, mirrored for the same reason.
    pub protected_mode: AtomicBool,
    /// `tcp-keepalive`, mirrored for the same reason.
    pub tcp_keepalive: AtomicU64,
    /// Next client id.
    pub next_client_id: AtomicU64,
    /// Signalled when a shutdown is requested.
    pub shutdown: Notify,
    /// Process start time.
    pub started: Instant,
    /// Unix time (ms) at start.
    pub started_unix_ms: i64,
    /// 40 hex characters identifying this run.
    pub run_id: String,
    /// Network bytes read.
    pub net_input_bytes: AtomicU64,
    /// Network bytes written.
    pub net_output_bytes: AtomicU64,
    /// Socket reads.
    pub reads_processed: AtomicU64,
    /// Socket writes.
    pub writes_processed: AtomicU64,
    /// Paths reported by INFO.
    pub paths: PathInfo,
    /// Highest `used_memory` seen.
    pub peak_memory: AtomicU64,
    /// `used_memory` right after startup.
    pub startup_memory: AtomicU64,
    /// `timeout` (idle seconds before closing a client; 0 = never).
    pub timeout_secs: AtomicU64,
    /// The running accept loops (replaced by CONFIG SET port / bind).
    pub listeners: parking_lot::Mutex<Vec<tokio::task::AbortHandle>>,
    /// A weak reference to this value, for spawning tasks from commands.
    pub me: std::sync::OnceLock<std::sync::Weak<Shared>>,
    /// Lua engine and the lock-free busy-script flags.
    pub script: crate::scripting::ScriptShared,
    /// The AOF writer (outside the lock: connections wait on it).
    pub aof: Arc<crate::persistence::aof_io::AofIo>,
    /// The dataset is being loaded (`-LOADING` to most commands).
    pub loading: AtomicBool,
    /// Loading progress for INFO.
    pub loading_info: crate::persistence::load::LoadingInfo,
}

/// Paths reported in INFO server.
#[derive(Debug, Clone, Default)]
pub struct PathInfo {
    /// The server binary.
    pub executable: String,
    /// The config file, if any.
    pub config_file: String,
}

impl Shared {
    /// Builds the shared state from a loaded configuration.
    pub fn new(config: Config, config_info: LoadInfo, paths: PathInfo) -> Arc<Self> {
        let dbs = config.databases as usize;
        let mut stats = Stats::default();
        stats.commands = vec![CommandStats::default(); table().stat_slots];
        let shared = Shared {
            proto_max_bulk_len: AtomicU64::new(config.proto_max_bulk_len),
            query_buffer_limit: AtomicU64::new(config.client_query_buffer_limit),
            auth_required: AtomicBool::new(config.requirepass.is_some()),
            maxclients: AtomicU64::new(config.maxclients),
            protected_mode: AtomicBool::new(config.protected_mode),
            tcp_keepalive: AtomicU64::new(config.tcp_keepalive),
            state: Mutex::new(State {
                ks: {
                    let mut ks = Keyspace::new(dbs);
                    ks.counters.log_expired = true;
                    ks
                },
                config,
                config_info,
                clients: HashMap::new(),
                stats,
                shutdown_requested: false,
                tcp_port: 0,
                active_expire_enabled: true,
                watches: Default::default(),
                pubsub: Default::default(),
                blocking: Default::default(),
                prop: Default::default(),
                persist: crate::persistence::Persistence::new(crate::clock::now_ms() / 1000),
                evict: crate::evict::Evictor::default(),
            }),
            connected: AtomicUsize::new(0),
            next_client_id: AtomicU64::new(1),
            shutdown: Notify::new(),
            started: Instant::now(),
            started_unix_ms: crate::clock::now_ms(),
            run_id: random_hex(40),
            net_input_bytes: AtomicU64::new(0),
            net_output_bytes: AtomicU64::new(0),
            reads_processed: AtomicU64::new(0),
            writes_processed: AtomicU64::new(0),
            paths,
            peak_memory: AtomicU64::new(0),
            startup_memory: AtomicU64::new(0),
            timeout_secs: AtomicU64::new(0),
            listeners: parking_lot::Mutex::new(Vec::new()),
            me: std::sync::OnceLock::new(),
            script: Default::default(),
            aof: Default::default(),
            loading: AtomicBool::new(false),
            loading_info: Default::default(),
        };
        {
            let mut st = shared.state.lock();
            shared.timeout_secs.store(st.config.timeout, Ordering::Relaxed);
            st.evict.protect = crate::evict::Protection::new(&st.config.eviction_protected_keys);
        }
        Arc::new(shared)
    }

    /// Takes the state lock from async code without parking a runtime
    /// worker for long: while the lock is held for a long time (a busy
    /// script, DEBUG SLEEP), the task sleeps between 1 ms attempts so other
    /// tasks (the script's -BUSY answers, SCRIPT KILL) keep running.
    pub async fn lock_async(&self) -> parking_lot::MutexGuard<'_, State> {
        loop {
            if let Some(g) = self.state.try_lock_for(std::time::Duration::from_millis(1)) {
                return g;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    }

    /// Copies the configuration values read outside the lock.
    pub fn mirror_config(&self, config: &Config) {
        self.proto_max_bulk_len.store(config.proto_max_bulk_len, Ordering::Relaxed);
        self.query_buffer_limit.store(config.client_query_buffer_limit, Ordering::Relaxed);
        self.auth_required.store(config.requirepass.is_some(), Ordering::Relaxed);
        self.timeout_secs.store(config.timeout, Ordering::Relaxed);
        self.maxclients.store(config.maxclients, Ordering::Relaxed);
        self.protected_mode.store(config.protected_mode, Ordering::Relaxed);
        self.tcp_keepalive.store(config.tcp_keepalive, Ordering::Relaxed);
    }
}

impl State {
    /// How lookups stamp objects now: LRU clock or LFU counter by the
    /// policy, nothing while a fork child runs (Redis skips the touch then,
    /// so reads don't copy pages the child is saving).
    #[inline]
    pub fn access(&self) -> hematite_store::object::Access {
        if self.persist.child.is_some() {
            hematite_store::object::Access::Frozen
        } else {
            self.stamping()
        }
    }

    /// What the access stamp of objects means under the current policy
    /// (never `Frozen`): how new objects are stamped.
    #[inline]
    pub fn stamping(&self) -> hematite_store::object::Access {
        use hematite_store::object::Access;
        if self.config.maxmemory_policy.is_lfu() {
            Access::Lfu { log_factor: self.config.lfu_log_factor, decay_time: self.config.lfu_decay_time }
        } else {
            Access::Lru
        }
    }

    /// Turns keys the store deleted on its own (expired) into what a
    /// deletion by a command would cause: broken WATCHes and `expired`
    /// keyspace notifications.
    pub fn drain_expired(&mut self) {
        if self.ks.counters.expired_log.is_empty() {
            return;
        }
        crate::persistence::propagate::queue_expired(self);
        self.prop.expired_log_taken();
        let log = std::mem::take(&mut self.ks.counters.expired_log);
        for (db, key) in &log {
            // The key is gone (it expired).
            self.watches.touch(*db, key, false);
            self.notify_keyspace(hematite_config::notify::EXPIRED, "expired", key, *db, None);
        }
    }
}

/// A random lower-case hex string.
pub fn random_hex(n: usize) -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..n).map(|_| char::from_digit(rng.gen_range(0..16), 16).unwrap()).collect()
}
