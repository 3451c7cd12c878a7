//! Logging in Redis's format, through `tracing`.
//!
//! Each line looks like Redis's: `pid:role dd Mon yyyy hh:mm:ss.mmm L text`,
//! where the role is `M` (the server) or `C` (a child process; used later by
//! fork-based snapshots) and `L` marks the level: `.` debug, `-` verbose,
//! `*` notice, `#` warning. Redis's levels map onto tracing's: debug =
//! TRACE, verbose = DEBUG, notice = INFO, warning = WARN and ERROR. The
//! `loglevel` setting is read from an atomic on every event so that
//! `CONFIG SET loglevel` takes effect at once; `logfile` selects standard
//! output (empty) or a file opened in append mode.

use hematite_config::LogLevel;
use parking_lot::Mutex;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

/// The minimum level written, as a Redis verbosity (0 = debug .. 3 = warning).
static MIN_LEVEL: AtomicU8 = AtomicU8::new(2);
/// Role letter in log lines.
static ROLE: AtomicU8 = AtomicU8::new(b'M');

static SINK: OnceLock<Mutex<Box<dyn Write + Send>>> = OnceLock::new();

fn verbosity(l: LogLevel) -> u8 {
    match l {
        LogLevel::Debug => 0,
        LogLevel::Verbose => 1,
        LogLevel::Notice => 2,
        LogLevel::Warning => 3,
        #[allow(unreachable_patterns)]
        _ => 4,
    }
}

/// Changes the minimum level (CONFIG SET loglevel).
pub fn set_level(l: LogLevel) {
    MIN_LEVEL.store(verbosity(l), Ordering::Relaxed);
}

/// Sets the role letter (`M` server, `C` child).
pub fn set_role(role: u8) {
    ROLE.store(role, Ordering::Relaxed);
}

/// Installs the logger. `logfile` empty means standard output. Returns an
/// error text if the file can't be opened (Redis refuses to start then).
pub fn init(level: LogLevel, logfile: &str) -> Result<(), String> {
    set_level(level);
    let sink: Box<dyn Write + Send> = if logfile.is_empty() {
        Box::new(std::io::stdout())
    } else {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(logfile)
            .map_err(|e| format!("Can't open the log file: {e}"))?;
        Box::new(f)
    };
    if SINK.set(Mutex::new(sink)).is_err() {
        return Ok(());
    }
    let _ = tracing_subscriber::registry().with(RedisLayer).try_init();
    Ok(())
}

struct RedisLayer;

struct MessageVisitor<'a>(&'a mut String);

impl Visit for MessageVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={:?}", field.name(), value);
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        } else {
            let _ = write!(self.0, " {}={}", field.name(), value);
        }
    }
}

/// Local time as `25 Nov 2026 18:28:40.123`.
fn timestamp() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = now.as_secs() as libc::time_t;
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    unsafe { libc::localtime_r(&secs, &mut tm) };
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!(
        "{:02} {} {} {:02}:{:02}:{:02}.{:03}",
        tm.tm_mday,
        MONTHS[tm.tm_mon.clamp(0, 11) as usize],
        tm.tm_year + 1900,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        now.subsec_millis()
    )
}

impl<S: Subscriber> Layer<S> for RedisLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let level = *event.metadata().level();
        let (v, mark) = match level {
            Level::TRACE => (0, '.'),
            Level::DEBUG => (1, '-'),
            Level::INFO => (2, '*'),
            Level::WARN | Level::ERROR => (3, '#'),
        };
        if v < MIN_LEVEL.load(Ordering::Relaxed) {
            return;
        }
        let mut line = String::with_capacity(128);
        let _ = write!(line, "{}:{} {} {} ", std::process::id(), ROLE.load(Ordering::Relaxed) as char, timestamp(), mark);
        event.record(&mut MessageVisitor(&mut line));
        line.push('\n');
        if let Some(sink) = SINK.get() {
            let mut w = sink.lock();
            let _ = w.write_all(line.as_bytes());
            let _ = w.flush();
        }
    }
}
