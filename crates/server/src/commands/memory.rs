//! `MEMORY`: USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP.
//!
//! The figures come from the same places as INFO memory: `used_memory` is
//! the allocator count of [`crate::alloc`], the allocator's own statistics
//! come from jemalloc, and a key's size is [`crate::evict::key_memory`]: its
//! table entry, key copy, value (at jemalloc size classes) and expires
//! entry. As in Redis, a large hash or set is measured on `SAMPLES`
//! elements (5 by default, 0 for all) and extrapolated; other values are
//! measured whole.

use super::keys::help_reply;
use super::{is, Ctx};
use crate::command::Row;
use crate::commands::info::{memory_figures, MemoryFigures};
use crate::error::{CmdError, CmdResult};
use crate::row;
use bytes::Bytes;
use hematite_common::num;
use std::sync::atomic::Ordering;

/// MEMORY's subcommands.
pub static SUBCOMMANDS: &[Row] = &[
    row!("doctor", 2, "", "@slow", (0, 0, 0), doctor),
    row!("malloc-stats", 2, "", "@slow", (0, 0, 0), malloc_stats),
    row!("help", 2, "loading stale", "@slow", (0, 0, 0), help),
    row!("usage", -3, "readonly", "@read @slow", (2, 2, 1), usage),
    row!("purge", 2, "", "@slow", (0, 0, 0), purge),
    row!("stats", 2, "", "@slow", (0, 0, 0), stats),
];

fn help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    help_reply(
        ctx,
        "MEMORY",
        &[
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
        ],
    );
    Ok(())
}

/// `MEMORY USAGE key [SAMPLES count]`
fn usage(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut j = 3;
    let mut samples = 5usize;
    while j < argv.len() {
        if is(&argv[j], "samples") && j + 1 < argv.len() {
            let n = num::parse_i64(&argv[j + 1]).ok_or(CmdError::NotInteger)?;
            if n < 0 {
                return Err(CmdError::Syntax);
            }
            samples = n as usize;
            j += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let idx = ctx.sess.db;
    let now = ctx.now_ms;
    let ks = &mut ctx.st.ks;
    let size = ks.dbs[idx].get(&argv[2], now, &mut ks.counters, idx).is_some().then(|| {
        let db = &ctx.st.ks.dbs[idx];
        let obj = db.dict.get(&argv[2][..]).expect("found above");
        crate::evict::key_memory_sampled(&argv[2], obj, db.expire_of(&argv[2]).is_some(), samples)
    });
    match size {
        Some(n) => ctx.out.int(n as i64),
        None => ctx.out.null(),
    }
    Ok(())
}

/// Redis's `MEMORY STATS` map (floats as doubles, the per-db overheads as
/// nested maps).
fn stats(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let m = memory_figures();
    let shared = ctx.shared;
    let peak = shared.peak_memory.fetch_max(m.allocated, Ordering::Relaxed).max(m.allocated);
    let startup = shared.startup_memory.load(Ordering::Relaxed);
    let st = &*ctx.st;
    let clients: u64 = st.clients.values().map(|c| (c.qbuf_cap + c.omem) as u64).sum();
    let aof = shared.aof.buffered() as u64;
    let lua = shared.script.stats.lua_memory.load(Ordering::Relaxed);
    let mut dbs = Vec::new();
    let mut tables = 0u64;
    let mut keys = 0u64;
    for (i, db) in st.ks.dbs.iter().enumerate() {
        if db.dict.is_empty() {
            continue;
        }
        let main = db.dict.bucket_memory() as u64;
        let expires = db.expires.bucket_memory() as u64;
        tables += main + expires;
        keys += db.dict.len() as u64;
        dbs.push((i, main, expires));
    }
    let overhead = startup + clients + aof + lua + tables;
    let dataset = m.allocated.saturating_sub(overhead);
    let net = m.allocated.saturating_sub(startup);
    let out = &mut *ctx.out;
    let n = 27 + dbs.len() + if ctx.st.evict.protect.is_empty() { 0 } else { 2 };
    out.map(n);
    let int = |out: &mut hematite_resp::ReplyBuf, k: &str, v: u64| {
        out.simple(k.as_bytes());
        out.int(v as i64);
    };
    int(out, "peak.allocated", peak);
    int(out, "total.allocated", m.allocated);
    int(out, "startup.allocated", startup);
    int(out, "replication.backlog", 0);
    int(out, "clients.slaves", 0);
    int(out, "clients.normal", clients);
    int(out, "cluster.links", 0);
    int(out, "aof.buffer", aof);
    int(out, "lua.caches", lua);
    int(out, "functions.caches", 0);
    for (i, main, expires) in &dbs {
        out.simple(format!("db.{i}").as_bytes());
        out.map(2);
        int(out, "overhead.hashtable.main", *main);
        int(out, "overhead.hashtable.expires", *expires);
    }
    int(out, "overhead.total", overhead);
    int(out, "keys.count", keys);
    int(out, "keys.bytes-per-key", net.checked_div(keys).unwrap_or(0));
    int(out, "dataset.bytes", dataset);
    let float = |out: &mut hematite_resp::ReplyBuf, k: &str, v: f64| {
        out.simple(k.as_bytes());
        out.double(v);
    };
    float(out, "dataset.percentage", dataset as f64 * 100.0 / net.max(1) as f64);
    float(out, "peak.percentage", m.allocated as f64 * 100.0 / peak.max(1) as f64);
    int(out, "allocator.allocated", m.je_allocated);
    int(out, "allocator.active", m.active);
    int(out, "allocator.resident", m.resident);
    float(out, "allocator-fragmentation.ratio", m.active as f64 / m.je_allocated.max(1) as f64);
    int(out, "allocator-fragmentation.bytes", m.active.saturating_sub(m.je_allocated));
    float(out, "allocator-rss.ratio", m.resident as f64 / m.active.max(1) as f64);
    int(out, "allocator-rss.bytes", m.resident.saturating_sub(m.active));
    float(out, "rss-overhead.ratio", m.rss as f64 / m.resident.max(1) as f64);
    int(out, "rss-overhead.bytes", m.rss.saturating_sub(m.resident));
    float(out, "fragmentation", m.rss as f64 / m.allocated.max(1) as f64);
    int(out, "fragmentation.bytes", m.rss.saturating_sub(m.allocated));
    if !ctx.st.evict.protect.is_empty() {
        let scan = &ctx.st.evict.scan;
        int(out, "protected.keys", scan.keys);
        int(out, "protected.bytes", scan.bytes);
    }
    Ok(())
}

/// What `MEMORY DOCTOR` finds wrong (Redis's `getMemoryDoctorReport`).
fn doctor_report(m: &MemoryFigures, peak: u64, startup: u64, max_client_out: u64, scripts: u64) -> String {
    if m.allocated < 5 * 1024 * 1024 {
        return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n".into();
    }
    let _ = startup;
    let mut issues = Vec::new();
    if peak as f64 / m.allocated as f64 > 1.5 {
        issues.push(" * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n");
    }
    let alloc_frag = m.active as f64 / m.je_allocated.max(1) as f64;
    if alloc_frag > 1.1 && m.active.saturating_sub(m.je_allocated) > 10 << 20 {
        issues.push(" * High allocator fragmentation: This instance has an allocator external fragmentation greater than 1.1. This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' config option.\n\n");
    }
    let alloc_rss = m.resident as f64 / m.active.max(1) as f64;
    if alloc_rss > 1.1 && m.resident.saturating_sub(m.active) > 10 << 20 {
        issues.push(" * High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the allocator is much larger than the sum what the allocator actually holds). This problem is usually due to a large peak memory (check if there is a peak memory entry above in the report), you can try the MEMORY PURGE command to reclaim it.\n\n");
    }
    let proc_rss = m.rss as f64 / m.resident.max(1) as f64;
    if proc_rss > 1.1 && m.rss.saturating_sub(m.resident) > 10 << 20 {
        issues.push(" * High process RSS overhead: This instance has non-allocator RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the Redis process is much larger than the RSS the allocator holds). This problem may be due to Lua scripts or Modules.\n\n");
    }
    if max_client_out > 1 << 26 {
        issues.push(" * Big client buffers: The clients output buffers in this instance are greater than 64MB. Please note that this is not always a problem, clients output buffers may be pretty big since Redis has no buffers between the server and clients that would buffer data. However, if you are seeing abnormal memory usage, please check client output buffer settings.\n\n");
    }
    if scripts > 1000 {
        issues.push(" * Many scripts: There seem to be many cached scripts in this instance (more than 1000). This may be because scripts are generated and `EVAL`ed, instead of being parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT FLUSH` is called periodically, the scripts' caches may end up consuming most of your memory.\n\n");
    }
    if issues.is_empty() {
        return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n".into();
    }
    let mut s = String::from("Sam, I detected a few issues in this Redis instance memory implants:\n\n");
    for i in issues {
        s.push_str(i);
    }
    s.push_str("I'm here to keep you safe, Sam. I want to help you.\n");
    s
}

fn doctor(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let m = memory_figures();
    let peak = ctx.shared.peak_memory.load(Ordering::Relaxed).max(m.allocated);
    let startup = ctx.shared.startup_memory.load(Ordering::Relaxed);
    let max_out = ctx.st.clients.values().map(|c| c.omem as u64).max().unwrap_or(0);
    let scripts = ctx.shared.script.stats.cached_scripts.load(Ordering::Relaxed);
    let report = doctor_report(&m, peak, startup, max_out, scripts);
    ctx.out.verbatim(b"txt", report.as_bytes());
    Ok(())
}

/// jemalloc's `malloc_stats_print` report.
fn malloc_stats(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let mut text: Vec<u8> = Vec::new();
    unsafe extern "C" fn write_cb(opaque: *mut libc::c_void, msg: *const libc::c_char) {
        let out = &mut *(opaque as *mut Vec<u8>);
        out.extend_from_slice(std::ffi::CStr::from_ptr(msg).to_bytes());
    }
    unsafe {
        tikv_jemalloc_sys::malloc_stats_print(Some(write_cb), &mut text as *mut Vec<u8> as *mut libc::c_void, std::ptr::null());
    }
    ctx.out.verbatim(b"txt", &text);
    Ok(())
}

/// Asks jemalloc to return dirty pages of every arena to the system.
fn purge(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    // SAFETY: a void mallctl ("arena.<MALLCTL_ARENAS_ALL>.purge") with
    // no input or output.
    unsafe {
        tikv_jemalloc_sys::mallctl(
            c"arena.4096.purge".as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        );
    }
    ctx.out.ok();
    Ok(())
}
