//! `INFO [section ...]`: the server's report, with Redis's section and field
//! names so monitoring tools that parse Redis's INFO parse ours.
//!
//! Figures are real: memory comes from the allocator's statistics
//! (jemalloc's `stats.allocated`, refreshed by advancing its epoch) and the
//! kernel (`/proc/self/statm` for RSS); CPU time from `getrusage`. Fields of
//! subsystems hematite does not have yet (replication) report the values
//! Redis reports when those subsystems are idle or disabled.

use super::connection::REDIS_VERSION;
use super::Ctx;
use crate::error::CmdResult;
use bytes::Bytes;
use std::fmt::Write;
use std::sync::atomic::Ordering;

/// The sections of `INFO` / `INFO default`, in order.
const DEFAULT_SECTIONS: &[&str] =
    &["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"];

/// Every section (`INFO all` adds commandstats; `everything` is the same
/// here since there are no module sections).
const ALL_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "commandstats",
    "errorstats",
    "cluster",
    "keyspace",
];

/// Formats a byte count like Redis's `bytesToHuman`.
pub fn bytes_to_human(n: u64) -> String {
    let n = n as f64;
    let units = [(1024.0f64.powi(5), "P"), (1024.0f64.powi(4), "T"), (1024.0f64.powi(3), "G"), (1024.0f64.powi(2), "M"), (1024.0, "K")];
    for (size, unit) in units {
        if n >= size {
            return format!("{:.2}{}", n / size, unit);
        }
    }
    format!("{}B", n as u64)
}

/// Memory figures from the allocator and the kernel.
pub struct MemoryFigures {
    /// `used_memory`: bytes allocated by the program (the allocator count
    /// of `crate::alloc`).
    pub allocated: u64,
    /// jemalloc's own `stats.allocated`.
    pub je_allocated: u64,
    /// Bytes in active pages (jemalloc `stats.active`).
    pub active: u64,
    /// Bytes resident in allocator-mapped pages (jemalloc `stats.resident`).
    pub resident: u64,
    /// Resident set size of the process.
    pub rss: u64,
}

/// Reads the current memory figures.
pub fn memory_figures() -> MemoryFigures {
    use tikv_jemalloc_ctl::{epoch, stats};
    let _ = epoch::advance();
    let allocated = crate::alloc::used_memory();
    let je_allocated = stats::allocated::read().unwrap_or(0) as u64;
    let active = stats::active::read().unwrap_or(0) as u64;
    let resident = stats::resident::read().unwrap_or(0) as u64;
    MemoryFigures { allocated, je_allocated, active, resident, rss: rss_bytes() }
}

/// Resident set size from `/proc/self/statm`.
pub fn rss_bytes() -> u64 {
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64;
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()))
        .map(|pages| pages * page)
        .unwrap_or(0)
}

fn total_system_memory() -> u64 {
    let pages = unsafe { libc::sysconf(libc::_SC_PHYS_PAGES) } as u64;
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64;
    pages * page
}

fn rusage(who: libc::c_int) -> (f64, f64) {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(who, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (tv(ru.ru_stime), tv(ru.ru_utime))
}

fn os_name() -> String {
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    if unsafe { libc::uname(&mut u) } != 0 {
        return "Linux".into();
    }
    let f = |s: &[libc::c_char]| unsafe { std::ffi::CStr::from_ptr(s.as_ptr()) }.to_string_lossy().into_owned();
    format!("{} {} {}", f(&u.sysname), f(&u.release), f(&u.machine))
}

/// Builds the text of the requested sections.
pub fn render(ctx: &mut Ctx, sections: &[String]) -> String {
    let mut want: Vec<&str> = Vec::new();
    let add = |list: &[&'static str], want: &mut Vec<&str>| {
        for s in list {
            if !want.contains(s) {
                want.push(s);
            }
        }
    };
    if sections.is_empty() {
        add(DEFAULT_SECTIONS, &mut want);
    }
    let mut extra: Vec<String> = Vec::new();
    for s in sections {
        match s.as_str() {
            "default" => add(DEFAULT_SECTIONS, &mut want),
            "all" | "everything" => add(ALL_SECTIONS, &mut want),
            other => extra.push(other.to_string()),
        }
    }
    let mut text = String::new();
    let order = ALL_SECTIONS;
    for sec in order {
        let requested = want.contains(sec) || extra.iter().any(|e| e == sec);
        if !requested {
            continue;
        }
        if !text.is_empty() {
            text.push_str("\r\n");
        }
        section(ctx, sec, &mut text);
    }
    text
}

fn section(ctx: &mut Ctx, name: &str, t: &mut String) {
    let st = &*ctx.st;
    let shared = ctx.shared;
    let now = ctx.now_ms;
    macro_rules! f {
        ($($arg:tt)*) => {{ let _ = write!(t, $($arg)*); t.push_str("\r\n"); }};
    }
    match name {
        "server" => {
            f!("# Server");
            f!("redis_version:{REDIS_VERSION}");
            f!("hematite_version:{}", env!("CARGO_PKG_VERSION"));
            f!("redis_git_sha1:00000000");
            f!("redis_git_dirty:0");
            f!("redis_build_id:0");
            f!("redis_mode:standalone");
            f!("os:{}", os_name());
            f!("arch_bits:64");
            f!("monotonic_clock:POSIX clock_gettime");
            f!("multiplexing_api:epoll");
            f!("atomicvar_api:c11-builtin");
            f!("gcc_version:0.0.0");
            f!("process_id:{}", std::process::id());
            f!("process_supervised:no");
            f!("run_id:{}", shared.run_id);
            f!("tcp_port:{}", st.tcp_port);
            f!("server_time_usec:{}", crate::clock::now_us());
            let up = shared.started.elapsed().as_secs();
            f!("uptime_in_seconds:{up}");
            f!("uptime_in_days:{}", up / 86400);
            f!("hz:{}", st.config.hz);
            f!("configured_hz:{}", st.config.hz);
            f!("lru_clock:{}", hematite_store::object::lru_clock(now));
            f!("executable:{}", shared.paths.executable);
            f!("config_file:{}", shared.paths.config_file);
            f!("io_threads_active:0");
        }
        "clients" => {
            f!("# Clients");
            f!("connected_clients:{}", st.clients.len());
            f!("cluster_connections:0");
            f!("maxclients:{}", st.config.maxclients);
            let max_in = st.clients.values().map(|c| c.qbuf).max().unwrap_or(0);
            let max_out = st.clients.values().map(|c| c.omem).max().unwrap_or(0);
            f!("client_recent_max_input_buffer:{max_in}");
            f!("client_recent_max_output_buffer:{max_out}");
            f!("blocked_clients:{}", st.blocking.len());
            f!("tracking_clients:0");
            f!("clients_in_timeout_table:{}", st.blocking.len());
        }
        "memory" => {
            let m = memory_figures();
            let peak = shared.peak_memory.fetch_max(m.allocated, Ordering::Relaxed).max(m.allocated);
            let startup = shared.startup_memory.load(Ordering::Relaxed);
            let clients_mem: u64 = st.clients.values().map(|c| (c.qbuf_cap + c.omem) as u64).sum();
            let overhead = startup + clients_mem;
            let dataset = m.allocated.saturating_sub(overhead);
            let sysmem = total_system_memory();
            f!("# Memory");
            f!("used_memory:{}", m.allocated);
            f!("used_memory_human:{}", bytes_to_human(m.allocated));
            f!("used_memory_rss:{}", m.rss);
            f!("used_memory_rss_human:{}", bytes_to_human(m.rss));
            f!("used_memory_peak:{peak}");
            f!("used_memory_peak_human:{}", bytes_to_human(peak));
            f!("used_memory_peak_perc:{:.2}%", m.allocated as f64 * 100.0 / peak.max(1) as f64);
            f!("used_memory_overhead:{overhead}");
            f!("used_memory_startup:{startup}");
            f!("used_memory_dataset:{dataset}");
            f!("used_memory_dataset_perc:{:.2}%", dataset as f64 * 100.0 / (m.allocated.saturating_sub(startup)).max(1) as f64);
            f!("allocator_allocated:{}", m.je_allocated);
            f!("allocator_active:{}", m.active);
            f!("allocator_resident:{}", m.resident);
            f!("total_system_memory:{sysmem}");
            f!("total_system_memory_human:{}", bytes_to_human(sysmem));
            let es = &shared.script.stats;
            let lua = es.lua_memory.load(Ordering::Relaxed);
            f!("used_memory_lua:{lua}");
            f!("used_memory_vm_eval:{lua}");
            f!("used_memory_lua_human:{}", bytes_to_human(lua));
            f!("used_memory_scripts_eval:0");
            f!("number_of_cached_scripts:{}", es.cached_scripts.load(Ordering::Relaxed));
            f!("number_of_functions:{}", es.functions.load(Ordering::Relaxed));
            f!("number_of_libraries:{}", es.libraries.load(Ordering::Relaxed));
            f!("used_memory_vm_functions:0");
            f!("used_memory_vm_total:{lua}");
            f!("used_memory_vm_total_human:{}", bytes_to_human(lua));
            f!("used_memory_functions:0");
            f!("used_memory_scripts:0");
            f!("used_memory_scripts_human:0B");
            f!("maxmemory:{}", st.config.maxmemory);
            f!("maxmemory_human:{}", bytes_to_human(st.config.maxmemory));
            f!("maxmemory_policy:{}", st.config.maxmemory_policy.as_str());
            f!("allocator_frag_ratio:{:.2}", m.active as f64 / m.allocated.max(1) as f64);
            f!("allocator_frag_bytes:{}", m.active.saturating_sub(m.allocated));
            f!("allocator_rss_ratio:{:.2}", m.resident as f64 / m.active.max(1) as f64);
            f!("allocator_rss_bytes:{}", m.resident.saturating_sub(m.active));
            f!("rss_overhead_ratio:{:.2}", m.rss as f64 / m.resident.max(1) as f64);
            f!("rss_overhead_bytes:{}", m.rss as i64 - m.resident as i64);
            f!("mem_fragmentation_ratio:{:.2}", m.rss as f64 / m.allocated.max(1) as f64);
            f!("mem_fragmentation_bytes:{}", m.rss as i64 - m.allocated as i64);
            f!("mem_not_counted_for_evict:{}", if st.prop.enabled { shared.aof.buffered() } else { 0 });
            f!("mem_replication_backlog:0");
            f!("mem_total_replication_buffers:0");
            f!("mem_clients_slaves:0");
            f!("mem_clients_normal:{clients_mem}");
            f!("mem_cluster_links:0");
            f!("mem_aof_buffer:{}", shared.aof.buffered());
            f!("mem_allocator:jemalloc-5.3.0");
            f!("active_defrag_running:0");
            f!("lazyfree_pending_objects:0");
            f!("lazyfreed_objects:0");
            // hematite's own: what `eviction-protected-keys` shields from
            // eviction (measured by the cron's incremental walk).
            let scan = &st.evict.scan;
            f!("protected_keys:{}", scan.keys);
            f!("used_memory_protected:{}", scan.bytes);
            f!("used_memory_protected_human:{}", bytes_to_human(scan.bytes));
        }
        "persistence" => {
            let p = &st.persist;
            let loading = shared.loading.load(Ordering::Relaxed);
            let now_s = crate::clock::now_ms() / 1000;
            let child_secs = |rdb: bool| match &p.child {
                Some(c) if rdb == matches!(c.kind, crate::persistence::ChildKind::Rdb) => c.started.elapsed().as_secs() as i64,
                _ => -1,
            };
            let ok = |b: bool| if b { "ok" } else { "err" };
            f!("# Persistence");
            f!("loading:{}", loading as u8);
            f!("async_loading:0");
            f!("current_cow_peak:0");
            f!("current_cow_size:0");
            f!("current_cow_size_age:0");
            f!("current_fork_perc:0.00");
            f!("current_save_keys_processed:0");
            f!("current_save_keys_total:0");
            f!("rdb_changes_since_last_save:{}", st.stats.dirty);
            f!("rdb_bgsave_in_progress:{}", p.rdb_child() as u8);
            f!("rdb_last_save_time:{}", p.last_save);
            f!("rdb_last_bgsave_status:{}", ok(p.last_bgsave_ok));
            f!("rdb_last_bgsave_time_sec:{}", p.last_bgsave_secs);
            f!("rdb_current_bgsave_time_sec:{}", child_secs(true));
            f!("rdb_saves:{}", p.rdb_saves);
            f!("rdb_last_cow_size:{}", p.rdb_last_cow);
            f!("rdb_last_load_keys_expired:{}", p.loaded_expired);
            f!("rdb_last_load_keys_loaded:{}", p.loaded_keys);
            let a = &p.aof;
            f!("aof_enabled:{}", a.enabled() as u8);
            f!("aof_rewrite_in_progress:{}", p.aof_child() as u8);
            f!("aof_rewrite_scheduled:{}", a.rewrite_scheduled as u8);
            f!("aof_last_rewrite_time_sec:{}", a.last_rewrite_secs);
            f!("aof_current_rewrite_time_sec:{}", child_secs(false));
            f!("aof_last_bgrewrite_status:{}", ok(a.last_bgrewrite_ok));
            f!("aof_rewrites:{}", a.rewrites);
            f!("aof_rewrites_consecutive_failures:{}", a.consecutive_failures);
            f!("aof_last_write_status:{}", ok(!a.enabled() || shared.aof.error().is_none()));
            f!("aof_last_cow_size:{}", a.last_cow);
            f!("module_fork_in_progress:0");
            f!("module_fork_last_cow_size:0");
            if a.enabled() {
                f!("aof_current_size:{}", a.current_size(shared));
                f!("aof_base_size:{}", a.base_size);
                f!("aof_pending_rewrite:{}", a.rewrite_scheduled as u8);
                f!("aof_buffer_length:{}", shared.aof.buffered());
                f!("aof_pending_bio_fsync:0");
                f!("aof_delayed_fsync:0");
            }
            if loading {
                let li = &shared.loading_info;
                let start = li.start.load(Ordering::Relaxed);
                let total = li.total_bytes.load(Ordering::Relaxed);
                let done = li.loaded_bytes.load(Ordering::Relaxed);
                let perc = if total > 0 { done as f64 * 100.0 / total as f64 } else { 0.0 };
                let elapsed = (now_s - start).max(0);
                let eta = if elapsed == 0 || done == 0 { 1 } else { ((total.saturating_sub(done)) as f64 / (done as f64 / elapsed as f64)) as i64 };
                f!("loading_start_time:{start}");
                f!("loading_total_bytes:{total}");
                f!("loading_rdb_used_mem:0");
                f!("loading_loaded_bytes:{done}");
                f!("loading_loaded_perc:{perc:.2}");
                f!("loading_eta_seconds:{eta}");
            }
        }
        "stats" => {
            let s = &st.stats;
            f!("# Stats");
            f!("total_connections_received:{}", s.total_connections_received);
            f!("total_commands_processed:{}", s.total_commands_processed);
            f!("instantaneous_ops_per_sec:{}", s.ops_samples.rate());
            f!("total_net_input_bytes:{}", shared.net_input_bytes.load(Ordering::Relaxed));
            f!("total_net_output_bytes:{}", shared.net_output_bytes.load(Ordering::Relaxed));
            f!("total_net_repl_input_bytes:0");
            f!("total_net_repl_output_bytes:0");
            f!("instantaneous_input_kbps:0.00");
            f!("instantaneous_output_kbps:0.00");
            f!("instantaneous_input_repl_kbps:0.00");
            f!("instantaneous_output_repl_kbps:0.00");
            f!("rejected_connections:{}", s.rejected_connections);
            f!("sync_full:0");
            f!("sync_partial_ok:0");
            f!("sync_partial_err:0");
            f!("expired_keys:{}", st.ks.counters.expired_keys);
            f!("expired_stale_perc:0.00");
            f!("expired_time_cap_reached_count:0");
            f!("expire_cycle_cpu_milliseconds:{}", st.ks.counters.expire_cycle_cpu_us / 1000);
            f!("evicted_keys:{}", s.evicted_keys);
            f!("evicted_clients:0");
            f!("total_eviction_exceeded_time:{}", st.evict.total_exceeded_ms());
            f!("current_eviction_exceeded_time:{}", st.evict.current_exceeded_ms());
            f!("keyspace_hits:{}", s.keyspace_hits);
            f!("keyspace_misses:{}", s.keyspace_misses);
            f!("pubsub_channels:{}", st.pubsub.channel_count());
            f!("pubsub_patterns:{}", st.pubsub.pattern_count());
            f!("pubsubshard_channels:{}", st.pubsub.shard_count());
            f!("latest_fork_usec:0");
            f!("total_forks:0");
            f!("migrate_cached_sockets:0");
            f!("slave_expires_tracked_keys:0");
            f!("active_defrag_hits:0");
            f!("active_defrag_misses:0");
            f!("active_defrag_key_hits:0");
            f!("active_defrag_key_misses:0");
            f!("total_active_defrag_time:0");
            f!("current_active_defrag_time:0");
            f!("tracking_total_keys:0");
            f!("tracking_total_items:0");
            f!("tracking_total_prefixes:0");
            f!("unexpected_error_replies:0");
            f!("total_error_replies:{}", s.total_error_replies);
            f!("dump_payload_sanitizations:0");
            f!("total_reads_processed:{}", shared.reads_processed.load(Ordering::Relaxed));
            f!("total_writes_processed:{}", shared.writes_processed.load(Ordering::Relaxed));
            f!("io_threaded_reads_processed:0");
            f!("io_threaded_writes_processed:0");
            f!("client_query_buffer_limit_disconnections:{}", s.client_query_buffer_limit_disconnections);
            f!("client_output_buffer_limit_disconnections:{}", s.client_output_buffer_limit_disconnections);
        }
        "replication" => {
            f!("# Replication");
            f!("role:master");
            f!("connected_slaves:0");
            f!("master_failover_state:no-failover");
            f!("master_replid:{}", shared.run_id);
            f!("master_replid2:0000000000000000000000000000000000000000");
            f!("master_repl_offset:0");
            f!("second_repl_offset:-1");
            f!("repl_backlog_active:0");
            f!("repl_backlog_size:1048576");
            f!("repl_backlog_first_byte_offset:0");
            f!("repl_backlog_histlen:0");
        }
        "cpu" => {
            let (sys, user) = rusage(libc::RUSAGE_SELF);
            let (csys, cuser) = rusage(libc::RUSAGE_CHILDREN);
            f!("# CPU");
            f!("used_cpu_sys:{sys:.6}");
            f!("used_cpu_user:{user:.6}");
            f!("used_cpu_sys_children:{csys:.6}");
            f!("used_cpu_user_children:{cuser:.6}");
        }
        "modules" => {
            f!("# Modules");
        }
        "commandstats" => {
            f!("# Commandstats");
            let names = &crate::command::table().stat_names;
            for (i, c) in st.stats.commands.iter().enumerate() {
                if c.calls == 0 && c.rejected_calls == 0 && c.failed_calls == 0 {
                    continue;
                }
                f!(
                    "cmdstat_{}:calls={},usec={},usec_per_call={:.2},rejected_calls={},failed_calls={}",
                    names[i],
                    c.calls,
                    c.usec,
                    if c.calls > 0 { c.usec as f64 / c.calls as f64 } else { 0.0 },
                    c.rejected_calls,
                    c.failed_calls
                );
            }
        }
        "errorstats" => {
            f!("# Errorstats");
            for (code, n) in &st.stats.error_codes {
                f!("errorstat_{code}:count={n}");
            }
        }
        "cluster" => {
            f!("# Cluster");
            f!("cluster_enabled:0");
        }
        "keyspace" => {
            f!("# Keyspace");
            for (i, db) in st.ks.dbs.iter().enumerate() {
                if db.is_empty() {
                    continue;
                }
                f!("db{i}:keys={},expires={},avg_ttl={}", db.len(), db.expires.len(), db.avg_ttl);
            }
        }
        _ => {}
    }
}

/// `INFO [section ...]`
pub fn info(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let sections: Vec<String> = argv[1..].iter().map(|a| String::from_utf8_lossy(a).to_lowercase()).collect();
    let text = render(ctx, &sections);
    ctx.out.verbatim(b"txt", text.as_bytes());
    Ok(())
}
