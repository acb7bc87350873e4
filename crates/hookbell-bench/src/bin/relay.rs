//! `hookbell-relay-bench`: measures the real release `hookbell-relay` from a second process on
//! loopback, with a real desktop engine (sled store, group commit) in this process as the sink.
//!
//! 1. Relay ingest: sealed, durable deliveries per second from N concurrent senders (the
//!    desktop offline), which also fills the backlog.
//! 2. Backlog drain: the desktop connects; stored deliveries per second until the backlog is
//!    empty.
//! 3. Provider → relay → desktop stored: latency of single deliveries with the desktop online.
//! 4. Idle desktops: M connected streams, and the relay's resident memory.
//!
//! Prints a Markdown report. Run it with `make bench-relay` (raise `ulimit -n` first for many
//! idle desktops).

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use futures_util::StreamExt;
use hookbell_relay::client::{self, Pairing};
use hookbell_relay::{Client, ClientConfig, KeyPair};
use hookbell_server::Engine;
use hookbell_server::relay::EngineSink;
use tokio::io::AsyncBufReadExt;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// The allocator the desktop's engine runs with (hookbelld and the app), so the drain
/// numbers are theirs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    about = "Benchmarks hookbell-relay: ingest, backlog drain, end-to-end latency, idle desktops"
)]
struct Cli {
    /// Where the release `hookbell-relay` is.
    #[arg(long)]
    bin_dir: PathBuf,
    /// Deliveries queued while the desktop is offline (phases 1 and 2).
    #[arg(long, default_value_t = 100_000)]
    backlog: usize,
    /// Concurrent senders.
    #[arg(long, default_value_t = 64)]
    senders: usize,
    /// Deliveries timed one by one in phase 3.
    #[arg(long, default_value_t = 2_000)]
    latency_samples: usize,
    /// Idle desktops connected in phase 4 (needs `ulimit -n` above twice this).
    #[arg(long, default_value_t = 5_000)]
    idle: usize,
}

const RELAY_CONFIG: &str = r#"
[limits]
max_body_bytes = 65536
max_queued_per_channel = 10000000
max_queued_bytes_per_channel = 10000000000
rate_limit_per_second = 10000000
rate_limit_burst = 10000000
"#;

const DESKTOP_CONFIG: &str = r#"
[server]
listen = "127.0.0.1:0"

[[sources]]
id = "bench"
provider = "generic"
auth = { scheme = "none" }
"#;

fn body(n: usize) -> Vec<u8> {
    let filler = "x".repeat(800);
    serde_json::to_vec(&serde_json::json!({
        "id": format!("evt_{n}"),
        "title": format!("Bench alert {n}"),
        "severity": "high",
        "subject": "bench@example.com",
        "message": filler,
    }))
    .unwrap_or_default()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

async fn send(http: &reqwest::Client, url: &str, n: usize) -> anyhow::Result<()> {
    let response = http
        .post(url)
        .header("content-type", "application/json")
        .body(body(n))
        .send()
        .await?;
    if response.status() != reqwest::StatusCode::ACCEPTED {
        bail!("delivery {n}: {}", response.status());
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let relay_dir = tempfile::tempdir()?;
    std::fs::write(relay_dir.path().join("hookbell-relay.toml"), RELAY_CONFIG)?;
    let mut relay = tokio::process::Command::new(cli.bin_dir.join("hookbell-relay"))
        .args([
            "serve",
            "--open-pairing",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(relay_dir.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("starting hookbell-relay (build it with --release first)")?;
    let pid = relay.id().unwrap_or_default();
    let mut lines = tokio::io::BufReader::new(relay.stdout.take().context("stdout")?).lines();
    let mut base = String::new();
    while let Some(line) = lines.next_line().await? {
        if let Some(at) = line.find("http://") {
            base = line[at..].trim().to_owned();
            break;
        }
    }
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let http = reqwest::Client::new();
    let keys = KeyPair::generate()?;
    let pairing: Pairing = client::pair(&base, &keys.public).await?;
    let ingest_url = format!("{base}/h/{}/bench", pairing.channel_id);
    println!("# hookbell-relay benchmark\n");
    println!("relay {base}, {} senders, bodies ~1 KB\n", cli.senders);

    // 1. Ingest with the desktop offline.
    let started = Instant::now();
    let latencies: Vec<f64> = futures_util::stream::iter(0..cli.backlog)
        .map(|n| {
            let (http, url) = (&http, &ingest_url);
            async move {
                let t = Instant::now();
                send(http, url, n)
                    .await
                    .map(|_| t.elapsed().as_secs_f64() * 1000.0)
            }
        })
        .buffer_unordered(cli.senders)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let elapsed = started.elapsed().as_secs_f64();
    let mut sorted = latencies;
    sorted.sort_by(f64::total_cmp);
    println!("## 1. Relay ingest (sealed, durable before 202)\n");
    println!(
        "| deliveries | seconds | deliveries/s | p50 ms | p99 ms | relay RSS MB |\n|---|---|---|---|---|---|"
    );
    println!(
        "| {} | {elapsed:.1} | {:.0} | {:.2} | {:.2} | {:.0} |\n",
        cli.backlog,
        cli.backlog as f64 / elapsed,
        percentile(&sorted, 0.5),
        percentile(&sorted, 0.99),
        rss_mb(pid)
    );

    // 2. The desktop connects and drains the backlog into its own store.
    let desktop_dir = tempfile::tempdir()?;
    let store = hookbell_store::SledStore::open(&desktop_dir.path().join("store"))?;
    let config = hookbell_core::Config::from_toml(DESKTOP_CONFIG)?;
    let engine = Engine::new(Arc::new(store), config);
    let mut events = engine.events().subscribe();
    let started = Instant::now();
    let desktop = Client::start(
        ClientConfig::new(
            &base,
            &pairing.channel_id,
            &pairing.token,
            vec![keys.secret.clone()],
        ),
        EngineSink {
            engine: engine.clone(),
        },
    );
    loop {
        let total = engine.store().stats()?.total;
        if total as usize >= cli.backlog {
            break;
        }
        if started.elapsed() > Duration::from_secs(600) {
            bail!("the drain did not finish within 600 s ({total} stored)");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!("## 2. Backlog drain into the desktop's store\n");
    println!("| deliveries | seconds | stored/s |\n|---|---|---|");
    println!(
        "| {} | {elapsed:.1} | {:.0} |\n",
        cli.backlog,
        cli.backlog as f64 / elapsed
    );

    // 3. One delivery at a time, provider → relay → desktop stored.
    while events.try_recv().is_ok() {}
    let mut samples = Vec::with_capacity(cli.latency_samples);
    for i in 0..cli.latency_samples {
        let n = cli.backlog + i;
        let external = format!("evt_{n}");
        let t = Instant::now();
        send(&http, &ingest_url, n).await?;
        loop {
            match tokio::time::timeout(Duration::from_secs(10), events.recv()).await {
                Ok(Ok(hookbell_server::Event::AlertCreated(alert)))
                    if alert.external_id == external =>
                {
                    break;
                }
                Ok(Ok(_)) => continue,
                Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => continue,
                other => bail!("delivery {n} never arrived: {:?}", other.err()),
            }
        }
        samples.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    println!("## 3. Provider → relay → desktop stored (one at a time)\n");
    println!("| samples | p50 ms | p99 ms | max ms |\n|---|---|---|---|");
    println!(
        "| {} | {:.2} | {:.2} | {:.2} |\n",
        samples.len(),
        percentile(&samples, 0.5),
        percentile(&samples, 0.99),
        samples.last().copied().unwrap_or(0.0)
    );
    desktop.stop().await;

    // 4. Idle desktops.
    let before = rss_mb(pid);
    let ws_base = base.replace("http://", "ws://");
    let mut held = Vec::with_capacity(cli.idle);
    let pairings: Vec<Pairing> = futures_util::stream::iter(0..cli.idle)
        .map(|_| {
            let (base, public) = (&base, &keys.public);
            async move { client::pair(base, public).await }
        })
        .buffer_unordered(64)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    for chunk in pairings.chunks(256) {
        let connected = futures_util::future::join_all(chunk.iter().map(|p| {
            let url = format!("{ws_base}/v1/channels/{}/stream", p.channel_id);
            let token = p.token.clone();
            async move {
                let mut request = url.into_client_request()?;
                request
                    .headers_mut()
                    .insert("authorization", format!("Bearer {token}").parse()?);
                let (ws, _) = tokio_tungstenite::connect_async(request).await?;
                anyhow::Ok(ws)
            }
        }))
        .await;
        for ws in connected {
            let mut ws = ws?;
            held.push(tokio::spawn(
                async move { while ws.next().await.is_some() {} },
            ));
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let connected = {
        let text = http
            .get(format!("{base}/metrics"))
            .send()
            .await?
            .text()
            .await?;
        text.lines()
            .find_map(|l| {
                l.strip_prefix("hookbell_relay_connected_desktops ")?
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .unwrap_or(0)
    };
    println!("## 4. Idle desktops\n");
    println!("| connected | relay RSS before MB | relay RSS with them MB |\n|---|---|---|");
    println!("| {connected} | {before:.0} | {:.0} |\n", rss_mb(pid));
    for task in held {
        task.abort();
    }
    let _ = relay.start_kill();
    Ok(())
}
