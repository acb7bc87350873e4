//! `hookbell-bench`: measures the real `hookbelld` binary from a second process on loopback.
//!
//! 1. Durable ingest of unique LeakIX events (the vendor's example, ~2.6 KB, each with its own
//!    fingerprint, host and severity) from N concurrent connections, then the same load against
//!    a no-op axum handler (this binary's `noop-server` mode, also a separate process): the
//!    ratio between the two is the cost of verifying, parsing, storing and flushing. The load
//!    comes from `wrk` (two threads, so it is not the bottleneck) when it is installed, else
//!    from this program's own senders.
//! 2. With the store filled to 100,000 alerts: where its bytes go ([`hookbell_store::weigh`]),
//!    daemon start-up, the first page of `/api/alerts`, a `q` search, `/api/stats`, and the
//!    daemon's resident memory.
//!
//! Prints a Markdown report. Run it with `make bench`. `--compare-with DIR` instead compares the
//! queries and start-up of two builds side by side ([`compare`]).

mod compare;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use tokio::io::AsyncBufReadExt;

#[derive(Parser)]
#[command(
    about = "Benchmarks hookbelld: durable ingest vs a no-op baseline, and queries over a full store"
)]
struct Cli {
    /// Where the release `hookbelld` is.
    #[arg(long)]
    bin_dir: PathBuf,
    /// Concurrent senders.
    #[arg(long, default_value_t = 32)]
    senders: usize,
    /// Seconds of load per ingest run.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Alerts in the store for the query phase.
    #[arg(long, default_value_t = 100_000)]
    alerts: u64,
    /// Keep the store in this directory (reused by later runs) instead of a temporary one.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Only load an already running server at this base URL (for profiling), then exit.
    #[arg(long, value_name = "URL")]
    against: Option<String>,
    /// Compare the queries and start-up of this `--bin-dir`'s hookbelld with the one in DIR
    /// (another build), side by side in one run, instead of the usual report.
    #[arg(long, value_name = "DIR")]
    compare_with: Option<PathBuf>,
    /// Internal: run the no-op baseline server.
    #[arg(long, hide = true)]
    noop_server: bool,
    /// Internal: write the wrk script of the ingest runs to FILE, then exit (for the scripts
    /// that load hookbelld the same way; wrk's first argument after `--` names the run).
    #[arg(long, hide = true, value_name = "FILE")]
    wrk_script: Option<PathBuf>,
}

/// The daemon's config for every ingest benchmark (shared with the scripts that profile it).
const CONFIG: &str = include_str!("../hookbell.toml");

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if cli.noop_server {
        return noop_server().await;
    }
    if let Some(file) = &cli.wrk_script {
        return std::fs::write(file, wrk_script(0))
            .with_context(|| format!("writing {}", file.display()));
    }
    if let Some(theirs) = &cli.compare_with {
        return compare::run(
            &cli.bin_dir,
            theirs,
            cli.data_dir.as_deref(),
            cli.alerts,
            cli.senders,
        )
        .await;
    }
    if let Some(base) = &cli.against {
        let client = reqwest::Client::new();
        let r = load(
            &client,
            base,
            cli.senders,
            Limit::Time(Duration::from_secs(cli.seconds)),
        )
        .await;
        println!(
            "{:.0} deliveries/s, p50 {:.2} ms, p99 {:.2} ms, {} errors",
            r.rate(),
            r.pct(50.0),
            r.pct(99.0),
            r.errors
        );
        return Ok(());
    }
    let hookbelld = cli.bin_dir.join("hookbelld");
    anyhow::ensure!(
        hookbelld.exists(),
        "{} not found; build it with --release",
        hookbelld.display()
    );
    let temp = tempfile::tempdir()?;
    let data = cli
        .data_dir
        .clone()
        .unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&data)?;
    std::fs::write(data.join("hookbell.toml"), CONFIG)?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(cli.senders * 2)
        .build()?;
    let body_size = delivery(0, 0).len();

    println!("# Hookbell benchmark\n");
    println!(
        "{} concurrent senders, {} s per run, {} B deliveries, {} cores.\n",
        cli.senders,
        cli.seconds,
        body_size,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );

    // Baseline first, so the durable run cannot warm anything for it.
    let wrk = which("wrk");
    let seconds = Duration::from_secs(cli.seconds);
    let mut noop = Server::noop().await?;
    let baseline = ingest(&client, &noop.base, cli.senders, seconds, wrk.as_deref()).await?;
    noop.stop().await;

    let mut daemon = Server::hookbelld(&hookbelld, &data).await?;
    let durable = ingest(&client, &daemon.base, cli.senders, seconds, wrk.as_deref()).await?;

    println!("## Durable ingest\n");
    match &wrk {
        Some(_) => println!(
            "Load: `wrk -t2 -c{} -d{}s --latency` posting unique events.\n",
            cli.senders, cli.seconds
        ),
        None => println!(
            "Load: this program's own {} senders (wrk is not installed).\n",
            cli.senders
        ),
    }
    println!("| target | deliveries/s | p50 ms | p99 ms | max ms | errors |");
    println!("|---|---|---|---|---|---|");
    for (name, r) in [
        ("no-op axum handler (baseline)", &baseline),
        ("hookbelld, durable (flushed before 2xx)", &durable),
    ] {
        println!(
            "| {name} | {:.0} | {:.2} | {:.2} | {:.2} | {} |",
            r.rate, r.p50, r.p99, r.max, r.errors
        );
    }
    println!(
        "\nDurable throughput is {:.2}x the baseline's.\n",
        durable.rate / baseline.rate
    );
    print_floor(&data, cli.senders, &baseline, &durable)?;

    // Fill to the target count for the query phase.
    let stored = stats_total(&client, &daemon).await?;
    if stored < cli.alerts {
        load(
            &client,
            &daemon.base,
            cli.senders,
            Limit::Count(cli.alerts - stored),
        )
        .await;
    }
    let total = stats_total(&client, &daemon).await?;
    daemon.stop().await;
    print_weight(&data, total)?;

    let started = Instant::now();
    let daemon = Server::hookbelld(&hookbelld, &data).await?;
    let startup = started.elapsed();

    println!("## Queries with {total} alerts stored\n");
    println!("| request | runs | p50 ms | p99 ms |");
    println!("|---|---|---|---|");
    for (name, path, runs) in [
        ("first page `/api/alerts`", "/api/alerts", 200),
        (
            "filtered page `/api/alerts?severity=high&status=unread`",
            "/api/alerts?severity=high&status=unread",
            100,
        ),
        (
            "search `/api/alerts?q=site4242.example`",
            "/api/alerts?q=site4242.example",
            20,
        ),
        ("`/api/stats`", "/api/stats", 500),
    ] {
        let r = timed_gets(&client, &daemon, path, runs).await?;
        println!(
            "| {name} | {runs} | {:.2} | {:.2} |",
            r.pct(50.0),
            r.pct(99.0)
        );
    }
    println!(
        "\nStart-up of hookbelld over that store (spawn to `listening on`): {:.0} ms.",
        startup.as_secs_f64() * 1000.0
    );
    match rss_mib(daemon.pid) {
        Some(rss) => println!("Resident memory of hookbelld after the queries: {rss:.1} MiB."),
        None => println!("Resident memory: not readable on this platform."),
    }
    println!(
        "Store size on disk: {:.1} MiB.",
        hookbell_store::dir_size(&data) as f64 / 1048576.0
    );
    Ok(())
}

/// A LeakIX event, unique per (run, n).
fn delivery(run: u32, n: u64) -> String {
    static TEMPLATE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let template = TEMPLATE.get_or_init(hookbell_core::testing::leakix_event_template);
    hookbell_core::testing::leakix_event(template, &format!("b{run}n{n}"), n)
}

enum Limit {
    Time(Duration),
    Count(u64),
}

struct Run {
    micros: Vec<u32>,
    errors: u64,
    elapsed: Duration,
}

impl Run {
    fn empty() -> Run {
        Run {
            micros: Vec::new(),
            errors: 0,
            elapsed: Duration::ZERO,
        }
    }
    /// Adds `other`'s requests to this run's (unsorted until sorted again).
    fn absorb(&mut self, other: Run) {
        self.micros.extend(other.micros);
        self.errors += other.errors;
        self.elapsed += other.elapsed;
    }
    fn rate(&self) -> f64 {
        self.micros.len() as f64 / self.elapsed.as_secs_f64()
    }
    /// The p-th percentile latency in milliseconds (100 = max).
    fn pct(&self, p: f64) -> f64 {
        if self.micros.is_empty() {
            return f64::NAN;
        }
        let i = ((p / 100.0) * (self.micros.len() - 1) as f64).round() as usize;
        f64::from(self.micros[i]) / 1000.0
    }
}

/// What one ingest run measured.
struct Summary {
    rate: f64,
    p50: f64,
    p99: f64,
    max: f64,
    errors: u64,
}

/// One timed ingest run against `base`: with wrk when it is there, else with [`load`].
async fn ingest(
    client: &reqwest::Client,
    base: &str,
    connections: usize,
    seconds: Duration,
    wrk: Option<&Path>,
) -> anyhow::Result<Summary> {
    let Some(wrk) = wrk else {
        let r = load(client, base, connections, Limit::Time(seconds)).await;
        return Ok(Summary {
            rate: r.rate(),
            p50: r.pct(50.0),
            p99: r.pct(99.0),
            max: r.pct(100.0),
            errors: r.errors,
        });
    };
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let script = tempfile::Builder::new().suffix(".lua").tempfile()?;
    std::fs::write(script.path(), wrk_script(run))?;
    let output = tokio::process::Command::new(wrk)
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{}s", seconds.as_secs()),
        ])
        .args(["--latency", "-s"])
        .arg(script.path())
        .arg(format!("{base}/hooks/bench"))
        .output()
        .await?;
    let text = String::from_utf8_lossy(&output.stdout);
    anyhow::ensure!(output.status.success(), "wrk failed: {text}");
    parse_wrk(&text).with_context(|| format!("unreadable wrk report:\n{text}"))
}

/// A wrk script posting unique LeakIX events: the id names the run (`w{run}`, or wrk's first
/// argument after `--`), the thread and the count.
fn wrk_script(run: u64) -> String {
    let template = hookbell_core::testing::leakix_event_template()
        .replace('%', "%%")
        .replace("@ID@", "%s")
        .replace("@SEV@", "%s");
    format!(
        r#"local template = [==[{template}]==]
local severities = {{ "low", "medium", "high", "critical" }}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local run = "w{run}"
function init(args)
  if args[1] then run = args[1] end
end
local counter = 0
request = function()
  counter = counter + 1
  local id = string.format("%st%dn%d", run, tid, counter)
  local body = string.format(template, id, id, severities[counter % 4 + 1])
  return wrk.format("POST", nil, {{ ["Content-Type"] = "application/json" }}, body)
end
"#
    )
}

/// Reads rate, percentiles and errors out of wrk's `--latency` report.
fn parse_wrk(text: &str) -> Option<Summary> {
    let ms = |value: &str| -> Option<f64> {
        let unit = value.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
        let number: f64 = value[..value.len() - unit.len()].parse().ok()?;
        Some(match unit {
            "us" => number / 1000.0,
            "ms" => number,
            "s" => number * 1000.0,
            "m" => number * 60_000.0,
            _ => return None,
        })
    };
    let field = |label: &str, at: usize| -> Option<&str> {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(label))
            .and_then(|l| l.split_whitespace().nth(at))
    };
    let errors = |label: &str| -> u64 {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(label))
            .map(|rest| {
                rest.split(|c: char| !c.is_ascii_digit())
                    .filter_map(|n| n.parse::<u64>().ok())
                    .sum()
            })
            .unwrap_or(0)
    };
    Some(Summary {
        rate: field("Requests/sec:", 1)?.parse().ok()?,
        p50: ms(field("50%", 1)?)?,
        p99: ms(field("99%", 1)?)?,
        max: ms(field("Latency", 3)?)?,
        errors: errors("Non-2xx or 3xx responses:") + errors("Socket errors:"),
    })
}

/// The disk's floor under durable ingest ([`hookbell_store::floor`]), measured on the
/// store's filesystem right after the ingest runs: the most deliveries a second that `senders`
/// waiting senders can get answered by any store that answers only once their data is on disk.
fn print_floor(
    data: &Path,
    senders: usize,
    baseline: &Summary,
    durable: &Summary,
) -> anyhow::Result<()> {
    /// What the store keeps of one LeakIX delivery, packed: alert, index record, dedup key
    /// and delivery (docs/BENCHMARKS.md, "where the bytes go").
    const DELIVERY_BYTES: usize = 630;
    const ROUNDS: usize = 200;
    let synced = hookbell_store::floor::fdatasync(data, 4096, ROUNDS)?;
    let grouped = hookbell_store::floor::sled_group(data, senders, DELIVERY_BYTES, ROUNDS)?;
    println!("## The disk's floor\n");
    println!(
        "{ROUNDS} durable writes of each kind on the store's filesystem, after the runs above. With \
         {senders} senders each waiting for its answer, no store that answers only once a \
         delivery is on disk takes more than {senders} / p50 deliveries a second.\n"
    );
    println!("| durable write | p50 ms | p99 ms | most deliveries/s | that over the no-op's |");
    println!("|---|---|---|---|---|");
    let mut floor = f64::INFINITY;
    for (name, times) in [
        ("append 4 KiB, `fdatasync`", &synced),
        (
            &*format!(
                "sled, as the store opens it: {senders} deliveries' records ({DELIVERY_BYTES} B each) in one batch, flush"
            ),
            &grouped,
        ),
    ] {
        let (p50, p99) = (percentile(times, 50.0), percentile(times, 99.0));
        let most = senders as f64 / p50.max(f64::MIN_POSITIVE) * 1000.0;
        floor = floor.min(most);
        println!(
            "| {name} | {p50:.2} | {p99:.2} | {most:.0} | {:.2}x |",
            most / baseline.rate
        );
    }
    println!(
        "\nhookbelld's durable ingest above is {:.2} of the lower of these ceilings.\n",
        durable.rate / floor
    );
    print_sled_cpu(data, senders, baseline)
}

/// sled's own CPU per delivery ([`hookbell_store::floor::sled_cpu`]): the records the store
/// writes for one LeakIX delivery, as schema 4 wrote them, without the dedup keys, and one
/// record of the same bytes, the least any layout could write; then the CPU per delivery that
/// a quarter of the no-op's rate leaves.
fn print_sled_cpu(data: &Path, senders: usize, baseline: &Summary) -> anyhow::Result<()> {
    use hookbell_store::floor::Record;
    /// Deliveries per probe: enough that the dedup keys spread over many of sled's pages.
    const DELIVERIES: usize = 50_000;
    let record = |key_bytes, value_bytes, scattered| Record {
        key_bytes,
        value_bytes,
        scattered,
    };
    // Sizes from "where the bytes go" (docs/BENCHMARKS.md): the alert with its index record
    // in front (a/), its dedup key (k/, which sorts anywhere) and the delivery (d/), packed.
    let store = [
        record(28, 167 + 3 + 168, false),
        record(56, 26, true),
        record(28, 127, false),
    ];
    let total: usize = store.iter().map(|r| r.key_bytes + r.value_bytes).sum();
    let [alert, dedup, delivery] = store;
    // Before schema 5 the index record was a record of its own (x/).
    let schema_4 = [
        record(28, 167, false),
        record(28, 168, false),
        dedup,
        delivery,
    ];
    // Dedup keys kept elsewhere (in memory, say).
    let no_dedup = [alert, delivery];
    let one = [record(28, total - 28, false)];
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!("## sled's own CPU per delivery\n");
    println!(
        "{DELIVERIES} deliveries' records written as the writer writes them: batches of {senders} \
         deliveries, each followed by a flush, to a new database on the store's filesystem. CPU \
         is the process's, sled's threads included.\n"
    );
    println!("| records per delivery | CPU µs per delivery | wall µs per delivery |");
    println!("|---|---|---|");
    for (name, shape) in [
        (
            format!("the store's: a/ (with its index record), k/ (scattered), d/; {total} B"),
            &store[..],
        ),
        (
            "before schema 5, the index record under x/: a/, x/, k/, d/".to_owned(),
            &schema_4[..],
        ),
        ("without the dedup keys: a/, d/".to_owned(), &no_dedup[..]),
        (format!("one record of the same {total} B"), &one[..]),
    ] {
        let cost = hookbell_store::floor::sled_cpu(data, senders, shape, DELIVERIES)?;
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        let cpu = cost.cpu.map_or("–".to_owned(), |c| format!("{:.1}", us(c)));
        println!("| {name} | {cpu} | {:.1} |", us(cost.wall));
    }
    println!(
        "\nA quarter of the no-op's {:.0} deliveries a second leaves {:.0} µs of CPU per delivery \
         on this machine's {cores} cores, for the server and the load generator together.\n",
        baseline.rate,
        cores as f64 * 1e6 / (0.25 * baseline.rate).max(1.0)
    );
    Ok(())
}

/// The p-th percentile of `times` in milliseconds.
fn percentile(times: &[Duration], p: f64) -> f64 {
    let mut ms: Vec<f64> = times.iter().map(|t| t.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let i = ((p / 100.0) * ms.len().saturating_sub(1) as f64).round() as usize;
    ms.get(i).copied().unwrap_or(f64::NAN)
}

/// Prints where the store's bytes go.
fn print_weight(data: &Path, alerts: u64) -> anyhow::Result<()> {
    let weight = hookbell_store::weigh(&data.join(hookbell_server::data_dir::STORE_DIR))?;
    println!("## Where the bytes go, {alerts} alerts\n");
    println!("{}", weight.table(alerts));
    Ok(())
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|path| path.is_file())
    })
}

async fn load(client: &reqwest::Client, base: &str, senders: usize, limit: Limit) -> Run {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let run_id = RUNS.fetch_add(1, Ordering::Relaxed) as u32;
    let url = Arc::new(format!("{base}/hooks/bench"));
    let issued = Arc::new(AtomicU64::new(0));
    let (deadline, cap) = match limit {
        Limit::Time(d) => (Some(Instant::now() + d), u64::MAX),
        Limit::Count(n) => (None, n),
    };
    let started = Instant::now();
    let tasks: Vec<_> = (0..senders)
        .map(|_| {
            let (client, url, issued) = (client.clone(), Arc::clone(&url), Arc::clone(&issued));
            tokio::spawn(async move {
                let mut micros = Vec::new();
                let mut errors = 0;
                loop {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        break;
                    }
                    let n = issued.fetch_add(1, Ordering::Relaxed);
                    if n >= cap {
                        break;
                    }
                    let body = delivery(run_id, n);
                    let t = Instant::now();
                    match client
                        .post(url.as_str())
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await
                    {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes().await;
                            micros.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
                        }
                        _ => errors += 1,
                    }
                }
                (micros, errors)
            })
        })
        .collect();
    let mut run = Run::empty();
    for task in tasks {
        if let Ok((micros, errors)) = task.await {
            run.micros.extend(micros);
            run.errors += errors;
        }
    }
    run.elapsed = started.elapsed();
    run.micros.sort_unstable();
    run
}

async fn timed_gets(
    client: &reqwest::Client,
    server: &Server,
    path: &str,
    runs: usize,
) -> anyhow::Result<Run> {
    let mut run = Run::empty();
    let started = Instant::now();
    for _ in 0..runs {
        let t = Instant::now();
        let r = client
            .get(format!("{}{path}", server.base))
            .bearer_auth(&server.token)
            .send()
            .await?;
        if !r.status().is_success() {
            bail!("{path}: {}", r.status());
        }
        let _ = r.bytes().await?;
        run.micros.push(t.elapsed().as_micros() as u32);
    }
    run.elapsed = started.elapsed();
    run.micros.sort_unstable();
    Ok(run)
}

async fn stats_total(client: &reqwest::Client, server: &Server) -> anyhow::Result<u64> {
    let stats: serde_json::Value = client
        .get(format!("{}/api/stats", server.base))
        .bearer_auth(&server.token)
        .send()
        .await?
        .json()
        .await?;
    stats["total"].as_u64().context("stats without total")
}

struct Server {
    child: tokio::process::Child,
    base: String,
    token: String,
    pid: u32,
}

impl Server {
    async fn hookbelld(bin: &Path, data: &Path) -> anyhow::Result<Server> {
        let mut cmd = tokio::process::Command::new(bin);
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .env("RUST_LOG", "warn");
        let mut server = Server::spawn(cmd).await?;
        server.token = std::fs::read_to_string(data.join("api-token"))?
            .trim()
            .to_owned();
        Ok(server)
    }

    async fn noop() -> anyhow::Result<Server> {
        let mut cmd = tokio::process::Command::new(std::env::current_exe()?);
        cmd.args(["--bin-dir", ".", "--noop-server"]);
        Server::spawn(cmd).await
    }

    async fn spawn(mut cmd: tokio::process::Command) -> anyhow::Result<Server> {
        let mut child = cmd.stdout(Stdio::piped()).kill_on_drop(true).spawn()?;
        let pid = child.id().unwrap_or(0);
        let mut lines =
            tokio::io::BufReader::new(child.stdout.take().context("no stdout")?).lines();
        let base = tokio::time::timeout(Duration::from_secs(30), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(at) = line.find("listening on http://") {
                    return Some(line[at + "listening on ".len()..].trim().to_owned());
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
        .context("the server printed no `listening on` line")?;
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Server {
            child,
            base,
            token: String::new(),
            pid,
        })
    }

    /// SIGTERM (a graceful stop that flushes), then wait.
    async fn stop(&mut self) {
        let _ = std::process::Command::new("kill")
            .arg(self.pid.to_string())
            .status();
        let _ = tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await;
    }
}

fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The baseline: an axum handler that reads the body and answers like hookbelld, doing
/// nothing else.
async fn noop_server() -> anyhow::Result<()> {
    use axum::routing::post;
    let app = axum::Router::new().route(
        "/hooks/{source}",
        post(|body: axum::body::Bytes| async move {
            axum::Json(serde_json::json!({"delivery_id": "noop", "alerts": [body.len().to_string()], "duplicate": false}))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("noop listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
