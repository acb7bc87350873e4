//! `hookbell`: the desktop app. Parses the command line, sends logs to a file in the data
//! directory, and hands over to the shell in the library.
#![forbid(unsafe_code)]
// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// mimalloc, as in hookbelld: the engine's parsing and storing allocate a lot of small things,
/// and a relay backlog drains about a third faster with it (docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Hookbell: security and breach alerts from webhook providers, the moment they arrive.
#[derive(Parser)]
#[command(name = "hookbell", version)]
struct Cli {
    /// Where the config, the API token, the store and the log live.
    #[arg(long, env = "HOOKBELL_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Start in the tray, without opening the window.
    #[arg(long)]
    minimized: bool,
    /// Address for the webhook server and the local API (wins over the config).
    #[arg(long, env = "HOOKBELL_LISTEN", value_name = "ADDR")]
    listen: Option<SocketAddr>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let data_dir = cli
        .data_dir
        .unwrap_or_else(hookbell_server::data_dir::default_dir);
    hookbell_server::data_dir::ensure_dir(&data_dir)?;
    let log_file = data_dir.join("hookbell.log");
    hookbell_desktop::logging::init(&log_file)?;
    hookbell_desktop::run(hookbell_desktop::Launch {
        data_dir,
        listen: cli.listen,
        minimized: cli.minimized,
        log_file,
    })
}
