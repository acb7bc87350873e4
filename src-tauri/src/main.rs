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
    give_back_freed_memory();
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

/// mimalloc keeps freed pages for a while and returns them only when later allocations find
/// the delay passed; an idle tray app hardly allocates, so what start-up freed (the index
/// snapshot's buffer, the store's open) stayed: about 20 MB of PSS with 100,000 alerts
/// (docs/BENCHMARKS.md). `MIMALLOC_PURGE_DELAY=0` returns them at once. mimalloc reads its
/// options from the environment before `main`, so the app runs itself again with it set (once;
/// unless it is set already). The window process does not inherit it.
fn give_back_freed_memory() {
    #[cfg(unix)]
    if std::env::var_os(hookbell_desktop::PURGE_DELAY).is_none()
        && let Ok(me) = std::env::current_exe()
    {
        use std::os::unix::process::CommandExt as _;
        // `exec` returns only if it failed; then this process goes on as it is.
        let _ = std::process::Command::new(me)
            .args(std::env::args_os().skip(1))
            .env(hookbell_desktop::PURGE_DELAY, "0")
            .exec();
    }
}
