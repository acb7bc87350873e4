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
        #[command(flatten)]
        limits: Box<LimitFlags>,
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

/// Declares [`LimitFlags`]: for each `section.key` of the config file, the `serve` flag
/// `--key` (its name with dashes) and its environment variable, and `apply`, which sets the
/// key from each flag given.
macro_rules! limit_flags {
    ($($(#[$attr:meta])* $section:ident . $key:ident: $ty:ty = $env:literal,)*) => {
        /// The `[limits]` and `[retention]` numbers an operator tunes, as flags and environment
        /// variables that win over hookbell-relay.toml.
        #[derive(clap::Args)]
        #[command(next_help_heading = "Limits (each wins over its key in hookbell-relay.toml)")]
        struct LimitFlags {
            $($(#[$attr])* #[arg(long, env = $env)] $key: Option<$ty>,)*
        }

        impl LimitFlags {
            /// Sets each key whose flag (or environment variable) was given.
            fn apply(self, config: &mut RelayConfig) {
                $(if let Some(value) = self.$key {
                    config.$section.$key = value;
                })*
            }
        }
    };
}

/// A number of at least 1, for the settings where 0 means nothing useful (clap's error then
/// names the flag).
fn at_least_one<T>() -> clap::builder::RangedU64ValueParser<T>
where
    T: TryFrom<u64> + Clone + Send + Sync + 'static,
    <T as TryFrom<u64>>::Error: std::error::Error + Send + Sync + 'static,
{
    clap::builder::RangedU64ValueParser::new().range(1..)
}

limit_flags! {
    /// Connections open at once on this node, desktops' streams included; more get 503 and
    /// are closed. Keep it below the open-file limit. `[limits] max_connections`.
    #[arg(value_name = "N", value_parser = at_least_one::<usize>())]
    limits.max_connections: usize = "HOOKBELL_RELAY_MAX_CONNECTIONS",
    /// Seconds a client has to send its request's headers; then the connection is closed.
    /// `[limits] header_timeout_secs`.
    #[arg(value_name = "SECS", value_parser = at_least_one::<u64>())]
    limits.header_timeout_secs: u64 = "HOOKBELL_RELAY_HEADER_TIMEOUT_SECS",
    /// Seconds a client has to send a delivery's or a pairing's body; then 408.
    /// `[limits] body_timeout_secs`.
    #[arg(value_name = "SECS", value_parser = at_least_one::<u64>())]
    limits.body_timeout_secs: u64 = "HOOKBELL_RELAY_BODY_TIMEOUT_SECS",
    /// Requests handled at once; more get 503. `[limits] max_in_flight`.
    #[arg(value_name = "N", value_parser = at_least_one::<usize>())]
    limits.max_in_flight: usize = "HOOKBELL_RELAY_MAX_IN_FLIGHT",
    /// Sealed bytes waiting over all channels; past it a delivery gets 503, unless its
    /// channel holds less than --reserved-bytes-per-channel. `[limits] max_queued_bytes_total`.
    #[arg(value_name = "BYTES")]
    limits.max_queued_bytes_total: u64 = "HOOKBELL_RELAY_MAX_QUEUED_BYTES_TOTAL",
    /// A channel holding less than this is never refused by --max-queued-bytes-total; 0: no
    /// reserve. `[limits] reserved_bytes_per_channel`.
    #[arg(value_name = "BYTES")]
    limits.reserved_bytes_per_channel: u64 = "HOOKBELL_RELAY_RESERVED_BYTES_PER_CHANNEL",
    /// Free bytes kept on the data directory's filesystem (sled); with less, deliveries get
    /// 503. 0: no floor. `[limits] min_free_disk_bytes`.
    #[arg(value_name = "BYTES")]
    limits.min_free_disk_bytes: u64 = "HOOKBELL_RELAY_MIN_FREE_DISK_BYTES",
    /// Envelopes one channel may have waiting; more get 429. `[limits] max_queued_per_channel`.
    #[arg(value_name = "N", value_parser = at_least_one::<u64>())]
    limits.max_queued_per_channel: u64 = "HOOKBELL_RELAY_MAX_QUEUED_PER_CHANNEL",
    /// Sealed bytes one channel may have waiting; more get 429.
    /// `[limits] max_queued_bytes_per_channel`.
    #[arg(value_name = "BYTES", value_parser = at_least_one::<u64>())]
    limits.max_queued_bytes_per_channel: u64 = "HOOKBELL_RELAY_MAX_QUEUED_BYTES_PER_CHANNEL",
    /// Requests per second per client (IPv4 address or IPv6 /64), ingest and pairing; more
    /// get 429. `[limits] rate_limit_per_second`.
    #[arg(value_name = "N", value_parser = at_least_one::<u32>())]
    limits.rate_limit_per_second: u32 = "HOOKBELL_RELAY_RATE_LIMIT_PER_SECOND",
    /// Requests a client may send in a burst before its rate applies. `[limits] rate_limit_burst`.
    #[arg(value_name = "N", value_parser = at_least_one::<u32>())]
    limits.rate_limit_burst: u32 = "HOOKBELL_RELAY_RATE_LIMIT_BURST",
    /// Largest delivery body accepted; larger ones get 413. `[limits] max_body_bytes`.
    #[arg(value_name = "BYTES", value_parser = at_least_one::<usize>())]
    limits.max_body_bytes: usize = "HOOKBELL_RELAY_MAX_BODY_BYTES",
    /// Seconds an envelope the desktop has not acknowledged is kept.
    /// `[retention] unacked_secs`.
    #[arg(value_name = "SECS", value_parser = at_least_one::<u64>())]
    retention.unacked_secs: u64 = "HOOKBELL_RELAY_UNACKED_SECS",
    /// Seconds a channel whose desktop does not connect is kept; 0: forever.
    /// `[retention] idle_channel_secs`.
    #[arg(value_name = "SECS")]
    retention.idle_channel_secs: u64 = "HOOKBELL_RELAY_IDLE_CHANNEL_SECS",
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
            limits,
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
            (*limits).apply(&mut config);
            config.check()?;
            for warning in config.warnings() {
                tracing::warn!("{warning}");
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

    use super::{Cli, Command, LimitFlags};
    use hookbell_relay::RelayConfig;

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
        let Command::Serve { nats, .. } = cli.command else {
            panic!("serve");
        };
        assert_eq!(nats, ["nats://a:4222", "nats://b:4222"]);
    }

    /// `serve`'s limit flags, parsed from `args`.
    fn limit_flags(args: &[&str]) -> Result<LimitFlags, clap::Error> {
        let Command::Serve { limits, .. } = parse(args)?.command else {
            panic!("serve");
        };
        Ok(*limits)
    }

    /// The limit flags' own arguments (nothing else of `serve`'s).
    fn limit_args() -> Vec<clap::Arg> {
        use clap::Args;
        LimitFlags::augment_args(clap::Command::new("limits"))
            .get_arguments()
            .cloned()
            .collect()
    }

    #[test]
    fn each_limit_flag_is_its_key_with_dashes_and_sets_it() {
        let args = limit_args();
        assert_eq!(args.len(), 14, "{args:?}");
        let defaults =
            toml::Table::try_from(RelayConfig::default()).unwrap_or_else(|e| panic!("{e}"));
        for arg in args {
            let Some(flag) = arg.get_long() else {
                panic!("{arg:?} has no --name");
            };
            let key = flag.replace('-', "_");
            let env = arg.get_env().and_then(|e| e.to_str());
            assert_eq!(
                env,
                Some(format!("HOOKBELL_RELAY_{}", key.to_uppercase()).as_str()),
                "--{flag}"
            );
            // Given 7, the key is 7 in [limits] or [retention] and nothing else changed.
            let mut config = RelayConfig::default();
            limit_flags(&[&format!("--{flag}"), "7"])
                .unwrap_or_else(|e| panic!("--{flag} 7: {e}"))
                .apply(&mut config);
            let set = toml::Table::try_from(&config).unwrap_or_else(|e| panic!("{e}"));
            let mut changed = Vec::new();
            for (section, keys) in &set {
                for (name, value) in keys.as_table().into_iter().flatten() {
                    if defaults.get(section).and_then(|s| s.get(name)) != Some(value) {
                        changed.push((format!("{section}.{name}"), value.clone()));
                    }
                }
            }
            assert!(
                changed.len() == 1
                    && changed[0].0.ends_with(&format!(".{key}"))
                    && changed[0].1.as_integer() == Some(7),
                "--{flag} 7 changed {changed:?}"
            );
        }
    }

    #[test]
    fn limit_flags_win_over_the_file_which_stays_without_them() {
        let file = RelayConfig::from_toml(
            "[limits]\nmax_connections = 50\nmax_body_bytes = 2048\n\
             [retention]\nunacked_secs = 3600\nidle_channel_secs = 0\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));

        let mut config = file.clone();
        limit_flags(&[])
            .unwrap_or_else(|e| panic!("{e}"))
            .apply(&mut config);
        assert_eq!(config, file, "no flags: the file as it is");

        let mut config = file.clone();
        limit_flags(&["--max-connections", "3", "--idle-channel-secs", "86400"])
            .unwrap_or_else(|e| panic!("{e}"))
            .apply(&mut config);
        assert_eq!(config.limits.max_connections, 3);
        assert_eq!(config.retention.idle_channel_secs, 86400);
        assert_eq!(config.limits.max_body_bytes, 2048, "not given: the file's");
        assert_eq!(config.retention.unacked_secs, 3600, "not given: the file's");
        assert_eq!(
            config.limits.header_timeout_secs,
            file.limits.header_timeout_secs
        );
    }

    #[test]
    fn a_bad_limit_is_refused_naming_its_flag() {
        for (flag, value) in [
            ("--max-connections", "0"),
            ("--max-in-flight", "0"),
            ("--header-timeout-secs", "0"),
            ("--body-timeout-secs", "0"),
            ("--max-queued-per-channel", "0"),
            ("--max-queued-bytes-per-channel", "0"),
            ("--rate-limit-per-second", "0"),
            ("--rate-limit-burst", "0"),
            ("--max-body-bytes", "0"),
            ("--unacked-secs", "0"),
            ("--max-body-bytes", "1MiB"),
            ("--max-queued-bytes-total", "-1"),
            ("--rate-limit-burst", "5000000000"),
        ] {
            // `--flag=value`, so that `-1` is a value, not a flag.
            let Err(error) = limit_flags(&[&format!("{flag}={value}")]) else {
                panic!("{flag} {value} was accepted");
            };
            assert_eq!(error.kind(), ErrorKind::ValueValidation, "{flag} {value}");
            let text = error.to_string();
            assert!(text.contains(flag), "{flag} {value}: {text}");
        }
        // Where 0 means something (no floor, no reserve, channels never expire), it is taken.
        for flag in [
            "--min-free-disk-bytes",
            "--reserved-bytes-per-channel",
            "--max-queued-bytes-total",
            "--idle-channel-secs",
        ] {
            assert!(limit_flags(&[flag, "0"]).is_ok(), "{flag} 0");
        }
    }
}
