//! `hookbell-relay`: the public relay that keeps deliveries sealed for desktops behind NAT.
//! `hookbell-relay serve --data-dir DIR --listen ADDR` runs it; SIGTERM or SIGINT stops it
//! cleanly (requests in flight finish, the queue is flushed, exit 0).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use hookbell_relay::{RelayConfig, RelayState, SledQueue};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "hookbell-relay",
    version,
    about = "Hookbell's relay: takes webhook deliveries for desktops behind NAT, sealed end to end"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the relay.
    Serve {
        /// Where the config (hookbell-relay.toml) and the queue live.
        #[arg(long, env = "HOOKBELL_RELAY_DATA_DIR", value_name = "DIR")]
        data_dir: PathBuf,
        /// Address to listen on; port 0 picks a free one.
        #[arg(
            long,
            env = "HOOKBELL_RELAY_LISTEN",
            value_name = "ADDR",
            default_value = "127.0.0.1:8787"
        )]
        listen: SocketAddr,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Serve { data_dir, listen } => serve(data_dir, listen).await,
    }
}

async fn serve(data_dir: PathBuf, listen: SocketAddr) -> anyhow::Result<()> {
    let config = RelayConfig::load_or_create(&data_dir)
        .with_context(|| format!("reading the config in {}", data_dir.display()))?;
    let queue = Arc::new(
        SledQueue::open(&data_dir.join("queue"))
            .with_context(|| format!("opening the queue in {}", data_dir.display()))?,
    );
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    let state = RelayState::new(queue.clone(), config);
    println!("hookbell-relay listening on http://{addr}");
    hookbell_relay::serve(listener, state, shutdown_signal()).await?;
    // Requests in flight are done; flush and stop the writer.
    let closing = tokio::task::spawn_blocking(move || queue.close());
    closing.await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
