//! The `hematite` binary: one executable with a subcommand per tool.
//!
//! `hematite server [redis.conf] [--directive value ...]` runs the server
//! with redis-server's argument conventions. `hematite check-rdb` and
//! `hematite check-aof` are redis-check-rdb and redis-check-aof. Later
//! tools (health, backup, monitor, ...) are added as further subcommands
//! here.

use clap::{Parser, Subcommand};

#[global_allocator]
static GLOBAL: hematite_server::alloc::Counting = hematite_server::alloc::Counting;

/// A Redis-7-compatible data server.
#[derive(Parser)]
#[command(name = "hematite", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server: `hematite server [/path/to/redis.conf] [--directive value ...]`.
    ///
    /// Arguments follow redis-server's conventions: an optional configuration
    /// file (or `-` to read it from standard input) followed by any number of
    /// `--name value...` directives that override it, e.g.
    /// `hematite server --port 7000 --requirepass secret`.
    #[command(disable_help_flag = false)]
    Server {
        /// Configuration file and `--directive value` arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "[CONFIG] [--DIRECTIVE VALUE]...")]
        args: Vec<String>,
    },
    /// Check an RDB file (what redis-check-rdb does): every key is decoded,
    /// the checksum verified; the first problem is reported with its offset.
    CheckRdb {
        /// The RDB file (e.g. dump.rdb).
        file: std::path::PathBuf,
    },
    /// Check an AOF (what redis-check-aof does): a manifest, an AOF
    /// directory or a single file; `--fix` cuts a torn tail of the last file
    /// at its last complete command (after asking).
    CheckAof {
        /// Truncate the last file to its last valid command.
        #[arg(long)]
        fix: bool,
        /// Truncate the AOF to the last `#TS:` annotation at or before this
        /// Unix time.
        #[arg(long, value_name = "UNIX_SECONDS")]
        truncate_to_timestamp: Option<i64>,
        /// Don't ask before changing the file.
        #[arg(long, short = 'y')]
        yes: bool,
        /// The manifest, the AOF directory or a single AOF file.
        path: std::path::PathBuf,
    },
}

fn main() {
    let cli = Cli::parse();
    match cli.command {
        Command::Server { args } => std::process::exit(server(args)),
        Command::CheckRdb { file } => std::process::exit(check_rdb(&file)),
        Command::CheckAof { fix, truncate_to_timestamp, yes, path } => {
            let opts = hematite_persist::aof::CheckOptions { fix, truncate_to_timestamp, yes };
            std::process::exit(check_aof(&path, opts))
        }
    }
}

fn check_rdb(file: &std::path::Path) -> i32 {
    let f = match std::fs::File::open(file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("Cannot check RDB that is not a file: {}: {e}", file.display());
            return 1;
        }
    };
    let mut r = std::io::BufReader::with_capacity(1 << 16, f);
    let mut out = std::io::stdout().lock();
    match hematite_persist::rdb::check(&mut r, &file.display().to_string(), &mut out) {
        Ok(_) => 0,
        // The report already says what is wrong and where.
        Err(_) => 1,
    }
}

fn check_aof(path: &std::path::Path, opts: hematite_persist::aof::CheckOptions) -> i32 {
    let mut rdb_check = |r: &mut dyn std::io::BufRead| -> Result<(), String> {
        let mut sink = std::io::sink();
        let mut r = r;
        hematite_persist::rdb::check(&mut r, "RDB preamble", &mut sink).map(|_| ()).map_err(|e| e.to_string())
    };
    let mut out = std::io::stdout().lock();
    match hematite_persist::aof::check(path, opts, &mut rdb_check, &mut out) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

fn server(args: Vec<String>) -> i32 {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("Usage: hematite server [/path/to/redis.conf] [--directive value ...]");
        println!("       hematite server - (read the configuration from standard input)");
        println!();
        println!("Examples:");
        println!("       hematite server (run with the default configuration)");
        println!("       hematite server /etc/redis/6379.conf");
        println!("       hematite server --port 7777");
        println!("       hematite server /etc/myredis.conf --loglevel verbose");
        return 0;
    }
    // redis-server's rule: a first argument that does not start with '-'
    // (or is exactly '-', standard input) names the configuration file.
    let loaded = hematite_config::load_from_argv(&args);
    let (config, info) = match loaded {
        Ok(x) => x,
        Err(e) => {
            eprint!("{e}");
            return 1;
        }
    };
    let exe = std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_default();
    hematite_server::run(config, info, exe)
}
