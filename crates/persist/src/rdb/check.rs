//! The RDB checker: loads a file without keeping anything and prints what
//! `redis-check-rdb` prints (the offset after each aux field and SELECTDB,
//! the checksum verdict, key counts), or the error with its offset, the
//! key and type being read.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};

use hematite_store::Value;

use super::load::{load_with, Event};
use super::*;

/// What a successful check found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// The file's RDB version.
    pub rdb_version: u16,
    /// AUX fields in file order.
    pub aux: Vec<(Vec<u8>, Vec<u8>)>,
    /// Keys read.
    pub keys: u64,
    /// Keys with an expiry.
    pub expires: u64,
    /// Keys whose expiry is already past.
    pub already_expired: u64,
    /// Keys per database.
    pub keys_per_db: BTreeMap<usize, u64>,
    /// Function libraries.
    pub functions: u64,
    /// Empty keys (skipped by a load).
    pub empty_keys: u64,
    /// Size of the RDB in bytes.
    pub bytes: u64,
    /// True if a checksum was stored and verified.
    pub checksum_verified: bool,
}

struct Counter {
    db: usize,
    per_db: BTreeMap<usize, u64>,
}

impl Sink for Counter {
    fn select_db(&mut self, db: usize) -> Result<(), String> {
        self.db = db;
        Ok(())
    }
    fn key(&mut self, _key: Vec<u8>, _value: Value, _meta: KeyMeta) -> Result<(), String> {
        *self.per_db.entry(self.db).or_default() += 1;
        Ok(())
    }
    fn function(&mut self, _code: Vec<u8>) -> Result<(), String> {
        Ok(())
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Checks one RDB read from `r`, printing a `redis-check-rdb`-style
/// report to `out` (`name` is what the first line calls the input).
/// Values are decoded with Redis's default limits.
pub fn check<R: BufRead>(r: &mut R, name: &str, out: &mut impl Write) -> Result<CheckReport, RdbError> {
    let now = now_ms();
    let mut report = CheckReport::default();
    let mut counter = Counter { db: 0, per_db: BTreeMap::new() };
    let mut io_err: io::Result<()> = writeln!(out, "[offset 0] Checking RDB file {name}");
    let res = {
        let report = &mut report;
        let out = &mut *out;
        let io_err = &mut io_err;
        let mut on_event = |offset: u64, ev: Event<'_>| {
            let w = match ev {
                Event::Aux(k, v) => {
                    report.aux.push((k.to_vec(), v.to_vec()));
                    writeln!(out, "[offset {offset}] AUX FIELD {} = '{}'", String::from_utf8_lossy(k), String::from_utf8_lossy(v))
                }
                Event::SelectDb(db) => writeln!(out, "[offset {offset}] Selecting DB ID {db}"),
                Event::Key { expire_ms } => {
                    if let Some(t) = expire_ms {
                        report.expires += 1;
                        if t < now {
                            report.already_expired += 1;
                        }
                    }
                    Ok(())
                }
                Event::Function => Ok(()),
                Event::Checksum(c) => match c {
                    Checksum::Verified => writeln!(out, "[offset {offset}] Checksum OK"),
                    Checksum::Disabled => {
                        writeln!(out, "[offset {offset}] RDB file was saved with checksum disabled: no check performed.")
                    }
                    Checksum::Absent => Ok(()),
                },
            };
            if io_err.is_ok() {
                *io_err = w;
            }
        };
        load_with(r, &Limits::default(), &mut counter, &mut on_event)
    };
    let keys: u64 = counter.per_db.values().sum();
    let info = |out: &mut dyn Write, report: &CheckReport| -> io::Result<()> {
        writeln!(out, "[info] {keys} keys read")?;
        writeln!(out, "[info] {} expires", report.expires)?;
        writeln!(out, "[info] {} already expired", report.already_expired)
    };
    match res {
        Ok(sum) => {
            let _ = writeln!(out, "[offset {}] \\o/ RDB looks OK! \\o/", sum.bytes_read);
            report.rdb_version = sum.rdb_version;
            report.keys = sum.keys;
            report.functions = sum.functions;
            report.empty_keys = sum.empty_keys_skipped;
            report.bytes = sum.bytes_read;
            report.checksum_verified = sum.checksum == Checksum::Verified;
            report.keys_per_db = counter.per_db;
            let _ = info(out, &report);
            for (db, n) in &report.keys_per_db {
                let _ = writeln!(out, "[info] db {db}: {n} keys");
            }
            if report.functions > 0 {
                let _ = writeln!(out, "[info] {} functions", report.functions);
            }
            if report.empty_keys > 0 {
                let _ = writeln!(out, "[info] {} empty keys skipped", report.empty_keys);
            }
            Ok(report)
        }
        Err(e) => {
            let _ = writeln!(out, "--- RDB ERROR DETECTED ---");
            let _ = writeln!(out, "[offset {}] {}", e.offset, e.kind);
            if let Some(k) = &e.key {
                let _ = writeln!(out, "[additional info] Reading key '{}'", String::from_utf8_lossy(k));
            }
            if let Some(t) = e.value_type {
                let _ = writeln!(out, "[additional info] Reading type {t} ({})", type_name(t));
            }
            let _ = info(out, &report);
            Err(e)
        }
    }
}
