//! `hookbell-relay`: the public relay that keeps deliveries sealed for desktops behind NAT.
//! `hookbell-relay serve --data-dir DIR --listen ADDR [--tls-cert FILE --tls-key FILE]` runs it
//! (HTTPS with both TLS flags, plain HTTP without); SIGTERM or SIGINT stops it cleanly (requests
//! in flight finish, the queue is flushed, exit 0). Pairing needs the operator's secret
//! (`--pairing-secret-file`) or an invite from `hookbell-relay invite --data-dir DIR`, unless
//! `--open-pairing`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use axum_server::tls_rustls::RustlsConfig;
use clap::{Parser, Subcommand};
use hookbell_relay::nats_queue::NatsInvites;
use hookbell_relay::pairing::{self, Invites};
use hookbell_relay::queue::Backend;
use hookbell_relay::{
    InviteDir, NatsQueue, NatsSettings, PairingGate, RelayConfig, RelayState, SharedNats, SledQueue,
};

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
        /// Let anyone pair (a relay on a private network); by default pairing needs the
        /// operator's secret or an invite code.
        #[arg(long, env = "HOOKBELL_RELAY_OPEN_PAIRING")]
        open_pairing: bool,
        /// A file whose first line is the operator's pairing secret (at least 16
        /// characters); desktops that show it may pair. Wins over `[pairing] secret_file`.
        #[arg(long, env = "HOOKBELL_RELAY_PAIRING_SECRET_FILE", value_name = "FILE")]
        pairing_secret_file: Option<PathBuf>,
        /// Keep channels and envelopes in NATS JetStream at these servers (comma-separated)
        /// instead of DATA_DIR/queue: relay nodes then keep no state of their own.
        #[arg(
            long,
            env = "HOOKBELL_RELAY_NATS",
            value_name = "URL[,URL…]",
            value_delimiter = ','
        )]
        nats: Vec<String>,
        /// Copies JetStream keeps (3 in a three-node cluster); wins over `[queue] replicas`.
        #[arg(long, env = "HOOKBELL_RELAY_NATS_REPLICAS", value_name = "N")]
        nats_replicas: Option<usize>,
        /// Envelope streams a new NATS deployment spreads the channels over; wins over
        /// `[queue] partitions`. Once recorded in NATS, the recorded count is used.
        #[arg(long, env = "HOOKBELL_RELAY_NATS_PARTITIONS", value_name = "N")]
        nats_partitions: Option<usize>,
        /// Load balancers or proxies in front (comma-separated IPs): for their requests the
        /// per-client limits use X-Forwarded-For. Wins over `[limits] trusted_proxies`.
        #[arg(
            long,
            env = "HOOKBELL_RELAY_TRUSTED_PROXIES",
            value_name = "IP[,IP…]",
            value_delimiter = ','
        )]
        trusted_proxy: Vec<std::net::IpAddr>,
        /// This node's own URL, handed out at pairing with the other live nodes' (with NATS),
        /// so desktops can reach a node without the balancer. Wins over `[pairing] node_url`.
        #[arg(long, env = "HOOKBELL_RELAY_NODE_URL", value_name = "URL")]
        node_url: Option<String>,
    },
    /// Make a single-use invite code a desktop pairs with (printed; the relay keeps only its
    /// hash). Works while the relay runs.
    Invite {
        /// The relay's data directory.
        #[arg(long, env = "HOOKBELL_RELAY_DATA_DIR", value_name = "DIR")]
        data_dir: PathBuf,
        /// How long it can be redeemed, in seconds (default: `[pairing] invite_valid_secs`,
        /// 7 days).
        #[arg(long, value_name = "SECS")]
        valid_for: Option<u64>,
        /// The relay keeps its invites in NATS JetStream at these servers (as `serve --nats`).
        #[arg(
            long,
            env = "HOOKBELL_RELAY_NATS",
            value_name = "URL[,URL…]",
            value_delimiter = ','
        )]
        nats: Vec<String>,
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
            open_pairing,
            pairing_secret_file,
            nats,
            nats_replicas,
            nats_partitions,
            trusted_proxy,
            node_url,
        } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(hookbell_relay::tls::load(&cert, &key).await?),
                // clap's `requires` makes sure both or neither are given.
                _ => None,
            };
            let mut config = RelayConfig::load_or_create(&data_dir)
                .with_context(|| format!("reading the config in {}", data_dir.display()))?;
            config.pairing.open |= open_pairing;
            if let Some(file) = pairing_secret_file {
                config.pairing.secret_file = Some(file);
            }
            if !nats.is_empty() {
                config.queue.nats = nats;
            }
            if let Some(replicas) = nats_replicas {
                config.queue.replicas = replicas;
            }
            if let Some(partitions) = nats_partitions {
                config.queue.partitions = partitions;
            }
            if !trusted_proxy.is_empty() {
                config.limits.trusted_proxies = trusted_proxy;
            }
            if let Some(url) = node_url {
                config.pairing.node_url = Some(url.trim_end_matches('/').to_owned());
            }
            serve(data_dir, config, listen, tls).await
        }
        Command::Invite {
            data_dir,
            valid_for,
            nats,
        } => {
            let mut config = RelayConfig::load_or_create(&data_dir)
                .with_context(|| format!("reading the config in {}", data_dir.display()))?;
            if !nats.is_empty() {
                config.queue.nats = nats;
            }
            let secs = valid_for.unwrap_or(config.pairing.invite_valid_secs);
            let expires = chrono::Utc::now()
                + chrono::Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 1000));
            let code = pairing::new_invite_code()?;
            if config.queue.nats.is_empty() {
                InviteDir::new(data_dir.join(INVITES_DIR))
                    .put_blocking(&pairing::code_hash(&code), expires)
                    .context("saving the invite")?;
            } else {
                // The invites bucket only: this command's config (one replica, say) must not
                // change how the relay nodes set NATS up.
                let invites = NatsInvites::connect(&nats_settings(&config)).await?;
                invites
                    .put_invite(&pairing::code_hash(&code), expires)
                    .await
                    .context("saving the invite in NATS")?;
                invites.close().await;
            }
            println!("{code}");
            eprintln!(
                "a single-use invite, valid until {}: paste it into the desktop's relay \
                 settings with the relay's URL",
                expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
            Ok(())
        }
    }
}

/// The invites' directory inside the data directory (embedded backend).
const INVITES_DIR: &str = "invites";

/// Who may pair, from the settings: open, or the secret (if any) and the invites.
fn pairing_gate(
    data_dir: &std::path::Path,
    config: &RelayConfig,
    invites: Arc<dyn Invites>,
) -> anyhow::Result<PairingGate> {
    if config.pairing.open {
        tracing::warn!("pairing is open: anyone who reaches this relay can pair a channel");
        return Ok(PairingGate::open());
    }
    let mut gate = PairingGate::closed().with_invites(invites);
    if let Some(file) = &config.pairing.secret_file {
        let path = data_dir.join(file);
        gate = gate.with_secret(&pairing::read_secret(&path)?);
        tracing::info!("pairing needs the operator's secret or an invite");
    } else {
        tracing::info!(
            "pairing needs an invite: make one with `hookbell-relay invite --data-dir DIR`"
        );
    }
    Ok(gate)
}

/// The NATS backend's settings from the relay's.
fn nats_settings(config: &RelayConfig) -> NatsSettings {
    NatsSettings::new(config.queue.nats.clone(), config)
}

/// The queue: sled in the data directory, or NATS JetStream.
enum Store {
    Sled(Arc<SledQueue>),
    Nats(Arc<NatsQueue>),
}

async fn serve(
    data_dir: PathBuf,
    config: RelayConfig,
    listen: SocketAddr,
    tls: Option<RustlsConfig>,
) -> anyhow::Result<()> {
    let (store, backend, invites): (Store, Arc<dyn Backend>, Arc<dyn Invites>) = if config
        .queue
        .nats
        .is_empty()
    {
        let queue = Arc::new(
            SledQueue::open(&data_dir.join("queue"))
                .with_context(|| format!("opening the queue in {}", data_dir.display()))?,
        );
        (
            Store::Sled(queue.clone()),
            queue,
            Arc::new(InviteDir::new(data_dir.join(INVITES_DIR))),
        )
    } else {
        let settings = nats_settings(&config);
        let nats = NatsQueue::connect(&settings)
            .await
            .with_context(|| format!("setting up NATS JetStream at {:?}", settings.urls))?;
        tracing::info!(urls = ?settings.urls, replicas = settings.replicas, "channels and envelopes live in NATS JetStream");
        let shared = SharedNats(Arc::clone(&nats));
        (
            Store::Nats(nats),
            Arc::new(shared.clone()),
            Arc::new(shared),
        )
    };
    let gate = pairing_gate(&data_dir, &config, invites)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    let state = RelayState::with_pairing(backend, config, gate);
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
    match store {
        Store::Sled(queue) => tokio::task::spawn_blocking(move || queue.close()).await?,
        Store::Nats(nats) => nats.close().await,
    }
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

    #[test]
    fn pairing_flags_parse() {
        assert!(parse(&["--open-pairing"]).is_ok());
        assert!(parse(&["--pairing-secret-file", "secret"]).is_ok());
        assert!(Cli::try_parse_from(["hookbell-relay", "invite", "--data-dir", "/tmp/r"]).is_ok());
        let Ok(cli) = parse(&["--nats", "nats://a:4222,nats://b:4222"]) else {
            panic!("--nats with two URLs");
        };
        let super::Command::Serve { nats, .. } = cli.command else {
            panic!("serve");
        };
        assert_eq!(nats, ["nats://a:4222", "nats://b:4222"]);
    }
}
