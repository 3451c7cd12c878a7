//! Starting, running and stopping the server.
//!
//! [`run`] builds a multi-threaded tokio runtime (one worker per core),
//! binds every `bind` address (an address prefixed with `-` is optional:
//! failing to bind it is not fatal, as in Redis 7) and the `unixsocket`,
//! then runs the accept loops, the cron task and waits for a shutdown
//! request (SHUTDOWN, SIGTERM or SIGINT).
//!
//! The cron task ticks `hz` times per second, like Redis's `serverCron`:
//! it runs the active expire cycle, advances incremental rehashing, samples
//! the counters behind `instantaneous_ops_per_sec` and tracks peak memory.

use crate::commands::info::memory_figures;
use crate::connection::{serve, Peer};
use crate::state::{PathInfo, Shared};
use hematite_config::{Config, LoadInfo};
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, UnixListener};

/// The error sent to clients refused by protected mode (Redis's text).
const DENIED: &str = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

/// Runs the server until it is told to stop. Returns the process exit code.
pub fn run(config: Config, info: LoadInfo, executable: String) -> i32 {
    if config.daemonize {
        if let Err(e) = daemonize() {
            eprintln!("Can't daemonize: {e}");
            return 1;
        }
    }
    if let Err(e) = crate::log::init(config.loglevel, &config.logfile) {
        eprintln!("{e}");
        return 1;
    }
    let pid = std::process::id();
    tracing::warn!("oO0OoO0OoO0Oo hematite is starting oO0OoO0OoO0Oo");
    tracing::warn!(
        "hematite version={}, redis_version={}, bits=64, pid={pid}, just started",
        env!("CARGO_PKG_VERSION"),
        crate::commands::connection::REDIS_VERSION
    );
    let config_file = info.config_file.clone().map(|p| p.display().to_string()).unwrap_or_default();
    if config_file.is_empty() {
        tracing::warn!("Warning: no config file specified, using the default config. In order to specify a config file use hematite server /path/to/redis.conf");
    } else {
        tracing::warn!("Configuration loaded");
    }
    if !config.dir.is_empty() {
        if let Err(e) = std::env::set_current_dir(&config.dir) {
            tracing::warn!("Can't chdir to '{}': {e}", config.dir);
            return 1;
        }
    }
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.worker_threads(worker_threads());
    let runtime = match builder.enable_all().thread_name("hematite-worker").build() {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!("Can't start the runtime: {e}");
            return 1;
        }
    };
    let paths = PathInfo { executable, config_file };
    let shared = Shared::new(config, info, paths);
    let _ = shared.me.set(Arc::downgrade(&shared));
    let code = runtime.block_on(main_loop(shared.clone()));
    runtime.shutdown_timeout(Duration::from_millis(200));
    code
}

/// Worker threads: `HEMATITE_WORKERS`, else half the cores (at least one).
///
/// Command execution is serial under the state lock, so extra workers only
/// parallelise socket I/O and parsing; past that they contend for the lock,
/// and a contended lock costs futex sleeps and context switches. Measured
/// on 2 cores shared with the load generator (docs/ARCHITECTURE.md), one
/// worker beat two everywhere, most under eviction (SET at the limit at
/// -P 16: 0.91x Redis instead of 0.57x).
fn worker_threads() -> usize {
    if let Some(n) = std::env::var("HEMATITE_WORKERS").ok().and_then(|v| v.parse::<usize>().ok()) {
        return n.max(1);
    }
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    (cores / 2).max(1)
}

fn daemonize() -> std::io::Result<()> {
    // Fork before any thread exists; the parent exits, the child detaches.
    unsafe {
        match libc::fork() {
            -1 => return Err(std::io::Error::last_os_error()),
            0 => {}
            _ => libc::_exit(0),
        }
        libc::setsid();
        let devnull = std::ffi::CString::new("/dev/null").unwrap();
        let fd = libc::open(devnull.as_ptr(), libc::O_RDWR);
        if fd >= 0 {
            libc::dup2(fd, 0);
            libc::dup2(fd, 1);
            libc::dup2(fd, 2);
            if fd > 2 {
                libc::close(fd);
            }
        }
    }
    Ok(())
}

/// Binds the listeners; returns them or the error text.
fn bind_all(config: &Config) -> Result<Vec<(TcpListener, String)>, String> {
    let mut out = Vec::new();
    if config.port == 0 && config.unixsocket.is_none() {
        return Ok(out);
    }
    if config.port == 0 {
        return Ok(out);
    }
    for addr in &config.bind {
        let (optional, host) = match addr.strip_prefix('-') {
            Some(h) => (true, h),
            None => (false, addr.as_str()),
        };
        let ips: Vec<IpAddr> = match host {
            "*" => vec![IpAddr::from([0, 0, 0, 0])],
            "::*" => vec!["::".parse().unwrap()],
            h => match h.parse::<IpAddr>() {
                Ok(ip) => vec![ip],
                Err(_) => return Err(format!("Invalid bind address '{h}'")),
            },
        };
        for ip in ips {
            let sa = SocketAddr::new(ip, config.port);
            match bind_tcp(sa, config.tcp_backlog) {
                Ok(l) => out.push((l, sa.to_string())),
                Err(e) => {
                    if optional || (e.kind() == std::io::ErrorKind::AddrNotAvailable && ip.is_ipv6()) {
                        tracing::warn!("Warning: Could not create server TCP listening socket {sa}: {e}");
                        continue;
                    }
                    return Err(format!("Warning: Could not create server TCP listening socket {sa}: {e}"));
                }
            }
        }
    }
    if out.is_empty() && !config.bind.is_empty() {
        return Err("Failed listening on port (tcp), aborting.".into());
    }
    Ok(out)
}

fn bind_tcp(sa: SocketAddr, backlog: u32) -> std::io::Result<TcpListener> {
    let domain = if sa.is_ipv6() { socket2::Domain::IPV6 } else { socket2::Domain::IPV4 };
    let s = socket2::Socket::new(domain, socket2::Type::STREAM, Some(socket2::Protocol::TCP))?;
    s.set_reuse_address(true)?;
    if sa.is_ipv6() {
        s.set_only_v6(true)?;
    }
    s.set_nonblocking(true)?;
    s.bind(&sa.into())?;
    s.listen(backlog.min(i32::MAX as u32) as i32)?;
    TcpListener::from_std(s.into())
}

async fn main_loop(shared: Arc<Shared>) -> i32 {
    // Signals are caught from the start: a SIGTERM during loading is a
    // graceful shutdown too.
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok();
    let config = shared.state.lock().config.clone();
    let listeners = match bind_all(&config) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!("{e}");
            return 1;
        }
    };
    let port = listeners.first().map(|(l, _)| l.local_addr().map(|a| a.port()).unwrap_or(0)).unwrap_or(config.port);
    shared.state.lock().tcp_port = port;
    tracing::info!("Running mode=standalone, port={port}.");
    if !config.pidfile.is_empty() {
        if let Err(e) = std::fs::write(&config.pidfile, format!("{}\n", std::process::id())) {
            tracing::warn!("Failed to write PID file: {e}");
        }
    }
    tracing::warn!("Server initialized");
    shared.startup_memory.store(memory_figures().allocated, Ordering::Relaxed);

    // Load the dataset with the ports already bound. Like Redis, which
    // serves events only every `loading-process-events-interval-bytes`
    // (2 MB) of loading, a short load finishes before any client is served
    // (connections wait in the backlog); once a load has taken 50 ms or
    // that many bytes, clients are served and get -LOADING (see
    // persistence::load).
    shared.aof.start_thread();
    let loader = shared.clone();
    let mut loaded = tokio::task::spawn_blocking(move || crate::persistence::load::load_on_startup(&loader));
    let mut loading = true;
    let load_started = std::time::Instant::now();
    loop {
        if loaded.is_finished() {
            loading = false;
            if !load_succeeded((&mut loaded).await) {
                return 1;
            }
            break;
        }
        if shared.loading_info.loaded_bytes.load(Ordering::Relaxed) >= config.loading_process_events_interval_bytes
            || load_started.elapsed() >= Duration::from_millis(50)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }

    start_accepting(&shared, listeners);
    if let Some(path) = &config.unixsocket {
        let _ = std::fs::remove_file(path);
        match UnixListener::bind(path) {
            Ok(l) => {
                use std::os::unix::fs::PermissionsExt;
                if config.unixsocketperm != 0 {
                    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(config.unixsocketperm));
                }
                tokio::spawn(accept_unix(shared.clone(), l));
                tracing::info!("The server is now ready to accept connections at {path}");
            }
            Err(e) => {
                tracing::warn!("Failed opening Unix socket: {e}");
                return 1;
            }
        }
    }
    tracing::info!("Ready to accept connections tcp");
    tokio::spawn(cron(shared.clone()));

    loop {
        tokio::select! {
            r = &mut loaded, if loading => {
                loading = false;
                if !load_succeeded(r) {
                    return 1;
                }
            }
            _ = shared.shutdown.notified() => break,
            _ = async { match sigterm.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {
                tracing::warn!("Received SIGTERM scheduling shutdown...");
                if signal_shutdown(&shared, true).await {
                    break;
                }
            }
            _ = async { match sigint.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {
                tracing::warn!("Received SIGINT scheduling shutdown...");
                if signal_shutdown(&shared, false).await {
                    break;
                }
            }
        }
    }
    tracing::warn!("User requested shutdown...");
    // Give connections a moment to flush their last replies.
    tokio::time::sleep(Duration::from_millis(20)).await;
    if !config.pidfile.is_empty() {
        tracing::info!("Removing the pid file.");
        let _ = std::fs::remove_file(&config.pidfile);
    }
    if let Some(path) = &config.unixsocket {
        tracing::info!("Removing the unix socket file.");
        let _ = std::fs::remove_file(path);
    }
    tracing::warn!("hematite is now ready to exit, bye bye...");
    0
}

/// Logs why loading failed, if it did.
fn load_succeeded(r: Result<Result<(), String>, tokio::task::JoinError>) -> bool {
    match r {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::warn!("{e}");
            false
        }
        Err(e) => {
            tracing::warn!("The loader failed: {e}");
            false
        }
    }
}

/// What SIGTERM / SIGINT do (`shutdown-on-sigterm`, `shutdown-on-sigint`):
/// save when asked or when save points exist, flush the AOF. Returns
/// false if the shutdown must not happen (the save failed without FORCE).
async fn signal_shutdown(shared: &Shared, term: bool) -> bool {
    use hematite_config::{SHUTDOWN_FORCE, SHUTDOWN_NOSAVE, SHUTDOWN_SAVE};
    let mut st = shared.lock_async().await;
    if shared.loading.load(Ordering::Relaxed) {
        return true;
    }
    let flags = if term { st.config.shutdown_on_sigterm } else { st.config.shutdown_on_sigint };
    let save = if flags & SHUTDOWN_SAVE != 0 {
        Some(true)
    } else if flags & SHUTDOWN_NOSAVE != 0 {
        Some(false)
    } else {
        None
    };
    match crate::persistence::prepare_shutdown(&mut st, shared, save) {
        Ok(()) => true,
        Err(_) if flags & SHUTDOWN_FORCE != 0 => true,
        Err(_) => {
            tracing::warn!("Errors trying to shut down the server. Check the logs for more information.");
            false
        }
    }
}

/// Spawns the accept loops for `listeners`, replacing any running ones.
fn start_accepting(shared: &Arc<Shared>, listeners: Vec<(TcpListener, String)>) {
    let mut handles = shared.listeners.lock();
    for h in handles.drain(..) {
        h.abort();
    }
    for (l, _) in listeners {
        handles.push(tokio::spawn(accept_tcp(shared.clone(), l)).abort_handle());
    }
}

/// Rebinds the TCP listeners after `CONFIG SET port` / `bind`. On failure
/// the old listeners keep running and the error text is returned.
pub fn rebind(shared: &Shared, config: &Config) -> Result<u16, String> {
    let me = shared.me.get().and_then(|w| w.upgrade()).ok_or("server not running")?;
    let listeners = bind_all(config)?;
    let port = listeners.first().and_then(|(l, _)| l.local_addr().ok()).map(|a| a.port()).unwrap_or(config.port);
    start_accepting(&me, listeners);
    tracing::info!("Listening again on port {port}.");
    Ok(port)
}

/// Admits a new connection or explains why not: `maxclients`, then
/// protected mode (no password and a non-loopback peer).
async fn admission(shared: &Shared, loopback: bool) -> Result<(), &'static str> {
    // Mirrored settings only: a busy script holds the lock, and Redis
    // still accepts connections then (SCRIPT KILL comes from a new one).
    if shared.connected.load(Ordering::Relaxed) as u64 >= shared.maxclients.load(Ordering::Relaxed) {
        shared.lock_async().await.stats.rejected_connections += 1;
        return Err("-ERR max number of clients reached\r\n");
    }
    if shared.protected_mode.load(Ordering::Relaxed) && !shared.auth_required.load(Ordering::Relaxed) && !loopback {
        return Err(DENIED);
    }
    Ok(())
}

async fn accept_tcp(shared: Arc<Shared>, listener: TcpListener) {
    loop {
        let (mut sock, addr) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!("Accepting client connection: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let loopback = addr.ip().is_loopback() || matches!(addr.ip(), IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()));
        if let Err(msg) = admission(&shared, loopback).await {
            tokio::spawn(async move {
                let _ = sock.write_all(msg.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
            if msg.starts_with("-ERR max") {
                tracing::warn!("Error registering fd event for the new client: max number of clients reached");
            }
            continue;
        }
        shared.connected.fetch_add(1, Ordering::Relaxed);
        let _ = sock.set_nodelay(true);
        let keepalive = shared.tcp_keepalive.load(Ordering::Relaxed);
        if keepalive > 0 {
            let sref = socket2::SockRef::from(&sock);
            let ka = socket2::TcpKeepalive::new().with_time(Duration::from_secs(keepalive)).with_interval(Duration::from_secs((keepalive / 3).max(1)));
            let _ = sref.set_tcp_keepalive(&ka);
        }
        let laddr = sock.local_addr().map(|a| a.to_string()).unwrap_or_default();
        let peer = Peer { addr: addr.to_string(), laddr, fd: sock.as_raw_fd() as i64, unix: false };
        tracing::trace!("Accepted {addr}");
        tokio::spawn(serve(shared.clone(), sock, peer));
    }
}

async fn accept_unix(shared: Arc<Shared>, listener: UnixListener) {
    let path = listener.local_addr().ok().and_then(|a| a.as_pathname().map(|p| p.display().to_string())).unwrap_or_default();
    loop {
        let (mut sock, _) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!("Accepting client connection: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        if let Err(msg) = admission(&shared, true).await {
            tokio::spawn(async move {
                let _ = sock.write_all(msg.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
            continue;
        }
        shared.connected.fetch_add(1, Ordering::Relaxed);
        let fd = sock.as_raw_fd() as i64;
        let peer = Peer { addr: format!("{path}:0"), laddr: format!("{path}:0"), fd, unix: true };
        tokio::spawn(serve(shared.clone(), sock, peer));
    }
}

/// The periodic task (`serverCron`).
async fn cron(shared: Arc<Shared>) {
    loop {
        let hz = shared.lock_async().await.config.hz.clamp(1, 500);
        let period = Duration::from_micros(1_000_000 / hz as u64);
        tokio::time::sleep(period).await;
        let now = crate::clock::now_ms();
        let mut st = shared.lock_async().await;
        let loading = shared.loading.load(Ordering::Relaxed);
        if st.active_expire_enabled && !loading {
            // The slow cycle may use 25% of the tick period (Redis's
            // ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC).
            let effort = st.config.active_expire_effort;
            let budget = period / 4;
            st.ks.active_expire_cycle(now, budget, effort);
        }
        st.drain_expired();
        if st.config.maxmemory > 0 {
            // Keep evicting when the per-command budget was not enough
            // (Redis's eviction time proc), with up to a quarter tick.
            if st.evict.running || crate::evict::over_limit(&st, &shared) {
                let budget = (period / 4).as_micros() as u64;
                crate::evict::perform_within(&mut st, &shared, Some(budget));
            }
        }
        // Measure the memory of protected keys, a slice per tick.
        crate::evict::scan_protected(&mut st, 2000);
        crate::persistence::propagate::flush(&mut st, &shared.aof, now);
        crate::persistence::cron(&mut st, &shared);
        // Incremental rehashing gets up to 1 ms per tick. Not while
        // loading: the loader sized the tables for what is coming, and
        // shrinking them now would only make it grow them again.
        let deadline = std::time::Instant::now() + Duration::from_millis(1);
        for db in st.ks.dbs.iter_mut().filter(|_| !loading) {
            db.dict.resize_if_needed();
            db.expires.resize_if_needed();
            if db.dict.is_rehashing() {
                db.dict.rehash_for(deadline.saturating_duration_since(std::time::Instant::now()));
            }
            if db.expires.is_rehashing() {
                db.expires.rehash_for(deadline.saturating_duration_since(std::time::Instant::now()));
            }
        }
        let processed = st.stats.total_commands_processed;
        st.stats.ops_samples.sample(now, processed);
        drop(st);
        shared.peak_memory.fetch_max(crate::alloc::used_memory(), Ordering::Relaxed);
    }
}
