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
//!
//! The same phases run against each queue backend: by default the relay it starts keeps its
//! queue in sled; `--nats URL[,URL…]` starts it on NATS JetStream instead; `--relay-url URL`
//! starts no relay and measures relay nodes already running (the cluster of
//! `scripts/relay-cluster.sh`, with open pairing) through their balancer, the senders spread
//! over `--send-url` (the nodes). `--summary FILE` appends one row per run to a Markdown table
//! (`scripts/bench-relay-backends.sh` runs sled, one-node NATS and the cluster back to back).
//! `--channels K` spreads phases 1 and 2 over K paired desktops (K relay clients draining into
//! the one engine), as a relay with many desktops sees them; by default all go to one.

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
    /// Channels (paired desktops) the deliveries of phases 1 and 2 are spread over, in turn;
    /// phase 2 drains them with as many relay clients into the one desktop engine. Phase 3
    /// uses the first.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    channels: u64,
    /// Deliveries timed one by one in phase 3.
    #[arg(long, default_value_t = 2_000)]
    latency_samples: usize,
    /// Idle desktops connected in phase 4 (needs `ulimit -n` above twice this).
    #[arg(long, default_value_t = 5_000)]
    idle: usize,
    /// Start the relay with its queue in NATS JetStream at these servers (`serve --nats`).
    #[arg(long, value_name = "URL[,URL…]", value_delimiter = ',')]
    nats: Vec<String>,
    /// Start no relay: measure the relay (or the balancer in front of relay nodes) at this
    /// URL, which must let the bench pair (`--open-pairing`). Pairing and every desktop's
    /// stream go through it.
    #[arg(long, value_name = "URL", conflicts_with = "nats")]
    relay_url: Option<String>,
    /// The relay nodes providers post to, in turn (default: the relay's URL); their
    /// `/metrics` are summed for the connected desktops.
    #[arg(long, value_name = "URL[,URL…]", value_delimiter = ',')]
    send_url: Vec<String>,
    /// Relay processes whose resident memory is reported (the relay the bench starts is
    /// always counted).
    #[arg(long, value_name = "PID[,PID…]", value_delimiter = ',')]
    relay_pid: Vec<u32>,
    /// nats-server processes whose resident memory is reported beside the relays'.
    #[arg(long, value_name = "PID[,PID…]", value_delimiter = ',')]
    nats_pid: Vec<u32>,
    /// The nats-servers' monitoring URLs (`http://HOST:PORT`): the messages they handled
    /// during the ingest (`/varz`'s `in_msgs` + `out_msgs`, routes between them included) are
    /// reported per delivery.
    #[arg(long, value_name = "URL[,URL…]", value_delimiter = ',')]
    nats_monitor: Vec<String>,
    /// What this run measured (the first column of the `--summary` row).
    #[arg(long, default_value = "sled, 1 relay")]
    label: String,
    /// Append this run's figures as a row of a Markdown table to FILE.
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
    /// Write the relay config the bench uses (limits out of the way) into DIR and exit: for
    /// relays started by someone else, e.g. `scripts/relay-cluster.sh`.
    #[arg(long, value_name = "DIR")]
    write_relay_config: Option<PathBuf>,
}

/// The header of the `--summary` table.
const SUMMARY_HEADER: &str = "| setup | ingest/s | ingest p50 / p99 ms | ingest CPU µs per delivery: relays / NATS / load generator (cores busy) | NATS messages per delivery | drain/s | provider → desktop p50 / p99 ms | accepted / stored | idle desktops | relay RSS MB idle → held | nats RSS MB idle → held | KB per idle desktop (relay + nats) |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n";

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

fn rss_sum(pids: &[u32]) -> f64 {
    pids.iter().fold(0.0, |sum, &pid| sum + rss_mb(pid))
}

/// CPU seconds (user + system) a process has used so far, from `/proc/PID/stat` (`self` for
/// this one); 0 when it cannot be read. Linux reports them in USER_HZ, 100 a second.
fn cpu_secs(pid: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            // The fields after the command name (in parentheses, which may hold spaces):
            // utime and stime are the 12th and 13th of them.
            let rest = s.rsplit_once(')')?.1;
            let mut fields = rest.split_whitespace().skip(11);
            let user = fields.next()?.parse::<f64>().ok()?;
            let system = fields.next()?.parse::<f64>().ok()?;
            Some((user + system) / 100.0)
        })
        .unwrap_or(0.0)
}

/// CPU seconds used so far by the relays, the NATS servers and this load generator.
fn cpu_now(relays: &[u32], nats: &[u32]) -> [f64; 3] {
    let sum = |pids: &[u32]| pids.iter().map(|p| cpu_secs(&p.to_string())).sum();
    [sum(relays), sum(nats), cpu_secs("self")]
}

/// Messages the nats-servers at `monitors` have taken in and sent out so far (`/varz`).
async fn nats_messages(http: &reqwest::Client, monitors: &[String]) -> anyhow::Result<u64> {
    let mut total = 0;
    for monitor in monitors {
        let varz: serde_json::Value = http
            .get(format!("{monitor}/varz"))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        for key in ["in_msgs", "out_msgs"] {
            total += varz[key]
                .as_u64()
                .with_context(|| format!("{monitor}/varz has no {key}"))?;
        }
    }
    Ok(total)
}

/// Connected desktops on each relay node, from their `/metrics`.
async fn connected_per_node(http: &reqwest::Client, nodes: &[String]) -> anyhow::Result<Vec<u64>> {
    let mut counts = Vec::with_capacity(nodes.len());
    for node in nodes {
        let text = http
            .get(format!("{node}/metrics"))
            .send()
            .await?
            .text()
            .await?;
        counts.push(
            text.lines()
                .find_map(|l| {
                    l.strip_prefix("hookbell_relay_connected_desktops ")?
                        .trim()
                        .parse::<u64>()
                        .ok()
                })
                .unwrap_or(0),
        );
    }
    Ok(counts)
}

/// Connected desktops over the relay nodes.
async fn connected_desktops(http: &reqwest::Client, nodes: &[String]) -> anyhow::Result<u64> {
    Ok(connected_per_node(http, nodes).await?.iter().sum())
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

/// The relay the bench started (killed when dropped), if it started one.
struct Started {
    _child: tokio::process::Child,
    _dir: tempfile::TempDir,
}

/// Starts the release relay (on sled, or on NATS with `nats`); its URL and pid.
async fn start_relay(cli: &Cli) -> anyhow::Result<(String, u32, Started)> {
    let relay_dir = tempfile::tempdir()?;
    std::fs::write(relay_dir.path().join("hookbell-relay.toml"), RELAY_CONFIG)?;
    let mut command = tokio::process::Command::new(cli.bin_dir.join("hookbell-relay"));
    command
        .args([
            "serve",
            "--open-pairing",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(relay_dir.path());
    if !cli.nats.is_empty() {
        command.arg("--nats").arg(cli.nats.join(","));
    }
    let mut relay = command
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
    if base.is_empty() {
        bail!("the relay exited before it listened");
    }
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((
        base,
        pid,
        Started {
            _child: relay,
            _dir: relay_dir,
        },
    ))
}

/// Waits until `done` holds, checking every 10 ms, for at most `limit`.
async fn wait_for<F, Fut>(limit: Duration, what: &str, mut done: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let deadline = Instant::now() + limit;
    while !done().await? {
        if Instant::now() > deadline {
            bail!("{what}: not within {} s", limit.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(dir) = &cli.write_relay_config {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("hookbell-relay.toml"), RELAY_CONFIG)?;
        return Ok(());
    }
    let mut relay_pids = cli.relay_pid.clone();
    let (base, started) = match &cli.relay_url {
        Some(url) => (url.trim_end_matches('/').to_owned(), None),
        None => {
            let (base, pid, started) = start_relay(&cli).await?;
            relay_pids.push(pid);
            (base, Some(started))
        }
    };
    let nodes: Vec<String> = if cli.send_url.is_empty() {
        vec![base.clone()]
    } else {
        cli.send_url
            .iter()
            .map(|u| u.trim_end_matches('/').to_owned())
            .collect()
    };
    let http = reqwest::Client::new();
    let keys = KeyPair::generate()?;
    let channels = cli.channels as usize;
    let mut desktops: Vec<Pairing> = Vec::with_capacity(channels);
    for _ in 0..channels {
        desktops.push(client::pair(&base, &keys.public).await?);
    }
    // A delivery to desktop `d` through node `node` (each taken modulo their counts).
    let ingest_url = |node: usize, d: usize| {
        format!(
            "{}/h/{}/bench",
            nodes[node % nodes.len()],
            desktops[d % channels].channel_id
        )
    };
    let backend = if cli.relay_url.is_some() {
        "relay nodes already running".to_owned()
    } else if cli.nats.is_empty() {
        "queue in sled".to_owned()
    } else {
        format!("queue in NATS JetStream at {}", cli.nats.join(","))
    };
    println!("# hookbell-relay benchmark: {}\n", cli.label);
    println!(
        "relay {base} ({backend}), senders post to {}, {} senders, {channels} channel(s), bodies ~1 KB\n",
        nodes.join(" "),
        cli.senders
    );

    // 1. Ingest with the desktop offline.
    let cpu_before = cpu_now(&relay_pids, &cli.nats_pid);
    let messages_before = nats_messages(&http, &cli.nats_monitor).await?;
    let started_at = Instant::now();
    let latencies: Vec<f64> = futures_util::stream::iter(0..cli.backlog)
        .map(|n| {
            // Delivery n: desktop n % channels, through node n / channels.
            let (http, url) = (&http, ingest_url(n / channels, n));
            async move {
                let t = Instant::now();
                send(http, &url, n)
                    .await
                    .map(|_| t.elapsed().as_secs_f64() * 1000.0)
            }
        })
        .buffer_unordered(cli.senders)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let elapsed = started_at.elapsed().as_secs_f64();
    // CPU µs per delivery: relays, NATS servers, this load generator; and the cores all
    // three kept busy (2 is all of this machine).
    let cpu_after = cpu_now(&relay_pids, &cli.nats_pid);
    let nats_per_delivery = if cli.nats_monitor.is_empty() {
        "–".to_owned()
    } else {
        // (A server restarted meanwhile would count from 0 again.)
        let messages = nats_messages(&http, &cli.nats_monitor)
            .await?
            .saturating_sub(messages_before);
        format!("{:.1}", messages as f64 / cli.backlog as f64)
    };
    let per_delivery = |i: usize| (cpu_after[i] - cpu_before[i]) * 1e6 / cli.backlog as f64;
    let (relay_us, nats_us, bench_us) = (per_delivery(0), per_delivery(1), per_delivery(2));
    let cores = (0..3).map(|i| cpu_after[i] - cpu_before[i]).sum::<f64>() / elapsed;
    let mut sorted = latencies;
    sorted.sort_by(f64::total_cmp);
    let ingest_rate = cli.backlog as f64 / elapsed;
    let (ingest_p50, ingest_p99) = (percentile(&sorted, 0.5), percentile(&sorted, 0.99));
    println!("## 1. Relay ingest (sealed, durable before 202)\n");
    println!(
        "| deliveries | seconds | deliveries/s | p50 ms | p99 ms | relay RSS MB | nats RSS MB | CPU µs per delivery: relays / NATS / load generator | cores busy | NATS messages per delivery |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    println!(
        "| {} | {elapsed:.1} | {ingest_rate:.0} | {ingest_p50:.2} | {ingest_p99:.2} | {:.0} | {:.0} | {relay_us:.0} / {nats_us:.0} / {bench_us:.0} | {cores:.2} | {nats_per_delivery} |\n",
        cli.backlog,
        rss_sum(&relay_pids),
        rss_sum(&cli.nats_pid)
    );

    // 2. The desktop connects and drains the backlog into its own store.
    let desktop_dir = tempfile::tempdir()?;
    let store = hookbell_store::SledStore::open(&desktop_dir.path().join("store"))?;
    let config = hookbell_core::Config::from_toml(DESKTOP_CONFIG)?;
    let engine = Engine::new(Arc::new(store), config);
    let mut events = engine.events().subscribe();
    let started_at = Instant::now();
    let clients: Vec<Client> = desktops
        .iter()
        .map(|pairing| {
            Client::start(
                ClientConfig::new(
                    &base,
                    &pairing.channel_id,
                    &pairing.token,
                    vec![keys.secret.clone()],
                ),
                EngineSink {
                    engine: engine.clone(),
                },
            )
        })
        .collect();
    wait_for(Duration::from_secs(600), "the backlog drained", || async {
        anyhow::Ok(engine.store().stats()?.total as usize >= cli.backlog)
    })
    .await?;
    let elapsed = started_at.elapsed().as_secs_f64();
    let drain_rate = cli.backlog as f64 / elapsed;
    println!("## 2. Backlog drain into the desktop's store\n");
    println!("| deliveries | seconds | stored/s |\n|---|---|---|");
    println!("| {} | {elapsed:.1} | {drain_rate:.0} |\n", cli.backlog);

    // 3. One delivery at a time, provider → relay → desktop stored.
    while events.try_recv().is_ok() {}
    let mut samples = Vec::with_capacity(cli.latency_samples);
    for i in 0..cli.latency_samples {
        let n = cli.backlog + i;
        let external = format!("evt_{n}");
        let t = Instant::now();
        send(&http, &ingest_url(i, 0), n).await?;
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
    let (e2e_p50, e2e_p99) = (percentile(&samples, 0.5), percentile(&samples, 0.99));
    println!("## 3. Provider → relay → desktop stored (one at a time)\n");
    println!("| samples | p50 ms | p99 ms | max ms |\n|---|---|---|---|");
    println!(
        "| {} | {e2e_p50:.2} | {e2e_p99:.2} | {:.2} |\n",
        samples.len(),
        samples.last().copied().unwrap_or(0.0)
    );
    for client in clients {
        client.stop().await;
    }

    // Zero loss, no duplicate: every delivery answered 202 (anything else stopped the bench)
    // is in the desktop's store once: one alert per id `evt_N`, each seen once (a second
    // copy of an envelope would have raised its alert's `seen_count`, not added an alert).
    let accepted = cli.backlog + cli.latency_samples;
    let stored = engine.store().stats()?.total as usize;
    let mut seen = std::collections::HashSet::new();
    let mut duplicates = 0u64;
    let mut cursor = None;
    loop {
        let page = engine.store().alerts(&hookbell_store::AlertQuery {
            limit: Some(500),
            cursor: cursor.take(),
            ..Default::default()
        })?;
        for alert in &page.alerts {
            duplicates += alert.seen_count.saturating_sub(1);
            if !seen.insert(alert.external_id.clone()) {
                duplicates += 1;
            }
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let missing = (0..accepted)
        .filter(|n| !seen.contains(&format!("evt_{n}")))
        .count();
    println!("## Zero loss\n");
    println!(
        "| accepted (202) | alerts stored | distinct ids | missing | duplicates |\n|---|---|---|---|---|"
    );
    println!(
        "| {accepted} | {stored} | {} | {missing} | {duplicates} |\n",
        seen.len()
    );

    // 4. Idle desktops, counted from none: the draining desktop's stream closed first.
    wait_for(
        Duration::from_secs(60),
        "the desktop's stream closed",
        || async { anyhow::Ok(connected_desktops(&http, &nodes).await? == 0) },
    )
    .await?;
    let relay_before = rss_sum(&relay_pids);
    let nats_before = rss_sum(&cli.nats_pid);
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
    // Every stream registered on its node before memory is read.
    let want = cli.idle as u64;
    wait_for(
        Duration::from_secs(120),
        "the idle desktops connected",
        || async { anyhow::Ok(connected_desktops(&http, &nodes).await? >= want) },
    )
    .await?;
    let per_node = connected_per_node(&http, &nodes).await?;
    let connected: u64 = per_node.iter().sum();
    let split = if per_node.len() > 1 {
        format!(
            " ({} per node)",
            per_node
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(" + ")
        )
    } else {
        String::new()
    };
    let relay_after = rss_sum(&relay_pids);
    let nats_after = rss_sum(&cli.nats_pid);
    let per_desktop_kb =
        (relay_after + nats_after - relay_before - nats_before) * 1024.0 / connected.max(1) as f64;
    println!("## 4. Idle desktops\n");
    println!(
        "| connected | relay RSS before MB | relay RSS with them MB | nats RSS before MB | nats RSS with them MB | KB per idle desktop |\n|---|---|---|---|---|---|"
    );
    println!(
        "| {connected}{split} | {relay_before:.0} | {relay_after:.0} | {nats_before:.0} | {nats_after:.0} | {per_desktop_kb:.1} |\n"
    );
    for task in held {
        task.abort();
    }
    if let Some(file) = &cli.summary {
        use std::io::Write;
        let fresh = !file.exists() || std::fs::metadata(file)?.len() == 0;
        let mut out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)?;
        if fresh {
            out.write_all(SUMMARY_HEADER.as_bytes())?;
        }
        let nats_rss = if cli.nats_pid.is_empty() {
            "–".to_owned()
        } else {
            format!("{nats_before:.0} → {nats_after:.0}")
        };
        writeln!(
            out,
            "| {} | {ingest_rate:.0} | {ingest_p50:.1} / {ingest_p99:.1} | {relay_us:.0} / {nats_us:.0} / {bench_us:.0} ({cores:.2}) | {nats_per_delivery} | {drain_rate:.0} | {e2e_p50:.1} / {e2e_p99:.1} | {accepted} / {} (missing {missing}, duplicates {duplicates}) | {connected}{split} | {relay_before:.0} → {relay_after:.0} | {nats_rss} | {per_desktop_kb:.1} |",
            cli.label,
            seen.len(),
        )?;
    }
    drop(started);
    if missing > 0 || duplicates > 0 || stored != accepted {
        bail!(
            "lost or duplicated deliveries: {missing} missing, {duplicates} duplicates, {stored} stored of {accepted}"
        );
    }
    Ok(())
}
