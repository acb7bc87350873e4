//! `hookbell-relay`: the public relay that keeps deliveries sealed for desktops behind NAT.
//! `hookbell-relay serve --data-dir DIR --listen ADDR [--tls-cert FILE --tls-key FILE]` runs it
//! (HTTPS with both TLS flags, plain HTTP without); SIGTERM or SIGINT stops it cleanly (requests
//! in flight finish, the queue is flushed, exit 0).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use axum_server::tls_rustls::RustlsConfig;
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
        /// Serve HTTPS with this PEM certificate chain (the server's certificate first, then
        /// any intermediates). Needs --tls-key.
        #[arg(
            long,
            env = "HOOKBELL_RELAY_TLS_CERT",
            value_name = "FILE",
            requires = "tls_key"
        )]
        tls_cert: Option<PathBuf>,
        /// The PEM private key (PKCS#8, PKCS#1 or SEC1, unencrypted) of --tls-cert.
        #[arg(
            long,
            env = "HOOKBELL_RELAY_TLS_KEY",
            value_name = "FILE",
            requires = "tls_cert"
        )]
        tls_key: Option<PathBuf>,
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
        Command::Serve {
            data_dir,
            listen,
            tls_cert,
            tls_key,
        } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(hookbell_relay::tls::load(&cert, &key).await?),
                // clap's `requires` makes sure both or neither are given.
                _ => None,
            };
            serve(data_dir, listen, tls).await
        }
    }
}

async fn serve(
    data_dir: PathBuf,
    listen: SocketAddr,
    tls: Option<RustlsConfig>,
) -> anyhow::Result<()> {
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
    match tls {
        Some(tls) => {
            println!("hookbell-relay listening on https://{addr}");
            hookbell_relay::serve_tls(listener, tls, state, shutdown_signal()).await?;
        }
        None => {
            println!("hookbell-relay listening on http://{addr}");
            hookbell_relay::serve(listener, state, shutdown_signal()).await?;
        }
    }
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

#[cfg(test)]
mod tests {
    use clap::Parser;
    use clap::error::ErrorKind;

    use super::Cli;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        let base = ["hookbell-relay", "serve", "--data-dir", "/tmp/relay"];
        Cli::try_parse_from(base.iter().chain(args))
    }

    #[test]
    fn the_tls_flags_come_together() {
        for (given, missing) in [
            (["--tls-cert", "cert.pem"], "--tls-key"),
            (["--tls-key", "key.pem"], "--tls-cert"),
        ] {
            let error = parse(&given).err();
            let Some(error) = error else {
                panic!("{given:?} alone was accepted");
            };
            assert_eq!(error.kind(), ErrorKind::MissingRequiredArgument);
            let text = error.to_string();
            assert!(
                text.contains(missing),
                "{given:?} alone: the error should name {missing}: {text}"
            );
        }
        assert!(parse(&["--tls-cert", "cert.pem", "--tls-key", "key.pem"]).is_ok());
        assert!(parse(&[]).is_ok(), "plain HTTP needs neither");
    }
}
