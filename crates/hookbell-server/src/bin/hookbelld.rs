//! `hookbelld`: the Hookbell engine without a window, for servers, tests, and people without
//! a desktop. `hookbelld serve` runs it; `hookbelld send-test SOURCE` shows it working.

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use hookbell_core::providers;
use hookbell_server::secret_store::{SecretStore, SecretsChoice};
use hookbell_server::{App, Options, data_dir};
use std::net::SocketAddr;
use std::path::PathBuf;

/// mimalloc: faster than the system allocator for the many small allocations of parsing and
/// serving JSON (see docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "hookbelld",
    version,
    about = "Hookbell's engine, headless: receives security alerts from webhook providers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct Paths {
    /// Where the config, the API token and the store live.
    #[arg(long, env = "HOOKBELL_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The config file (default: DATA_DIR/hookbell.toml).
    #[arg(long, env = "HOOKBELL_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Where the config's secrets are kept: the OS keychain if one answers (auto), the
    /// keychain or nothing (keychain), or DATA_DIR/secrets.toml, mode 0600 (file).
    #[arg(long, env = "HOOKBELL_SECRETS", value_enum, default_value_t = SecretsChoice::Auto)]
    secrets: SecretsChoice,
}

impl Paths {
    fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(data_dir::default_dir)
    }
    fn config_file(&self) -> PathBuf {
        self.config
            .clone()
            .unwrap_or_else(|| self.data_dir().join(data_dir::CONFIG_FILE))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the webhook server, the local API and the web UI.
    Serve {
        #[command(flatten)]
        paths: Paths,
        /// Address to listen on (wins over the config); port 0 picks a free one.
        #[arg(long, env = "HOOKBELL_LISTEN", value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Post a correctly signed sample delivery to a running hookbelld.
    SendTest {
        /// The source id to send to, as in hookbell.toml.
        source: String,
        #[command(flatten)]
        paths: Paths,
        /// The server's base URL (default: the config's listen address).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
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
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match cli.command {
        Command::Serve { paths, listen } => serve(paths, listen).await,
        Command::SendTest { source, paths, url } => send_test(&source, paths, url).await,
    }
}

async fn serve(paths: Paths, listen: Option<SocketAddr>) -> anyhow::Result<()> {
    let app = App::open(Options {
        data_dir: Some(paths.data_dir()),
        config_file: Some(paths.config_file()),
        listen,
        log_file: None,
        secrets: paths.secrets,
    })
    .await?;
    let local = app.local_addr();
    // Rust's stdout is line-buffered, so each line reaches a pipe as soon as it is printed. A
    // reader that went away (a closed pipe) must not stop the daemon, so errors are ignored.
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "hookbelld listening on http://{local}");
        let _ = writeln!(out, "open {}", app.state().open_url());
        let _ = writeln!(out, "secrets: {}", app.secrets().describe());
    }
    tracing::info!(data_dir = %paths.data_dir().display(), "ready");
    app.run(shutdown_signal()).await?;
    Ok(())
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

async fn send_test(source_id: &str, paths: Paths, url: Option<String>) -> anyhow::Result<()> {
    let secrets = SecretStore::open(&paths.data_dir(), paths.secrets)?;
    // Read only: the running engine is the one writer of hookbell.toml and secrets.toml.
    let config = data_dir::read_config(&paths.config_file(), &secrets)?;
    let Some(source) = config.source(source_id) else {
        let ids: Vec<&str> = config.sources.iter().map(|s| s.id.as_str()).collect();
        bail!(
            "no source {source_id:?} in {}; configured: {}",
            paths.config_file().display(),
            ids.join(", ")
        );
    };
    let provider = providers::get(&source.provider).context("the source's provider is unknown")?;
    let body = provider.sample().as_bytes().to_vec();
    let now = chrono::Utc::now();
    let msg_id = format!("msg_test_{}", now.timestamp_micros());
    let headers = source.auth.sign(&body, now, &msg_id)?;
    let base = url.unwrap_or_else(|| {
        let mut addr = config.server.listen;
        if addr.ip().is_unspecified() {
            addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        format!("http://{addr}")
    });
    let target = format!("{}/hooks/{}", base.trim_end_matches('/'), source.id);
    let mut request = reqwest::Client::new()
        .post(&target)
        .header("content-type", "application/json")
        .body(body);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = request
        .send()
        .await
        .with_context(|| format!("could not reach {target}; is `hookbelld serve` running?"))?;
    let status = response.status();
    let answer: serde_json::Value = response.json().await.unwrap_or_default();
    if !status.is_success() {
        bail!(
            "{target} answered {status}: {}",
            answer["error"].as_str().unwrap_or("no details")
        );
    }
    let duplicate = answer["duplicate"].as_bool().unwrap_or(false);
    println!(
        "Sent a sample {} delivery to {target}: {status}, alert {}{}",
        source.provider,
        answer["alerts"][0].as_str().unwrap_or("?"),
        if duplicate {
            " (a duplicate: it was already received)"
        } else {
            ""
        }
    );
    Ok(())
}
