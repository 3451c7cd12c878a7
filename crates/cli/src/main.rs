//! The `hematite` binary: one executable with a subcommand per tool.
//!
//! `hematite server [redis.conf] [--directive value ...]` runs the server
//! with redis-server's argument conventions. Later tools (health, backup,
//! monitor, ...) are added as further subcommands here.

use clap::{Parser, Subcommand};

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
}

fn main() {
    let cli = Cli::parse();
    match cli.command {
        Command::Server { args } => std::process::exit(server(args)),
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
