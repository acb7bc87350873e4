//! The store benchmark: where the store's CPU and bytes go, without HTTP in the way.
//!
//! Unique LeakIX events (the vendor's example, each with its own fingerprint, host and
//! severity) go through the steps of a delivery one at a time, each timed on its own:
//! `normalize` (parse, the adapter, masking), then the store's `ingest` (encode, one batch,
//! one flush). Then many go through `ingest` at once, as concurrent deliveries do, so that
//! they share flushes (group commit). Then alerts are read back, one by one and as the first
//! page. Last, the store is closed and weighed: records and bytes per kind, and bytes on disk
//! per alert.
//!
//! Run it with `make bench-store` (`ARGS="--alerts 100000"` for the full size).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Parser;
use hookbell_core::{Context, Delivery, Lang, providers};
use hookbell_store::{DeliveryRecord, SledStore, Store};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "Where the store's CPU and bytes go: per step of a delivery, per kind of record")]
struct Cli {
    /// Alerts to store (each a distinct delivery).
    #[arg(long, default_value_t = 20_000)]
    alerts: u64,
    /// Deliveries in flight at once in the concurrent phase.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Deliveries timed one at a time, step by step, before the concurrent phase.
    #[arg(long, default_value_t = 500)]
    serial: u64,
    /// Keep the store here instead of in a temporary directory.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Passed by `cargo bench`.
    #[arg(long, hide = true)]
    bench: bool,
}

fn body(n: u64) -> Vec<u8> {
    static TEMPLATE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let template = TEMPLATE.get_or_init(hookbell_core::testing::leakix_event_template);
    hookbell_core::testing::leakix_event(template, &format!("s{n}"), n).into_bytes()
}

fn delivery(n: u64) -> Delivery {
    Delivery {
        source_id: "leakix".into(),
        received_at: chrono::Utc::now(),
        peer: Some(([127, 0, 0, 1], 40000).into()),
        headers: [
            ("content-type", "application/json"),
            ("user-agent", "LeakIX-Webhook/1.0"),
        ]
        .into_iter()
        .collect(),
        body: body(n),
    }
}

/// The step before the store: what the engine makes of a delivery.
fn prepare(n: u64) -> (DeliveryRecord, Vec<u8>, Vec<hookbell_core::NewAlert>) {
    let delivery = delivery(n);
    let provider = providers::get_or_generic("leakix");
    let ctx = Context {
        lang: Lang::En,
        signed_id: None,
    };
    let normalized = hookbell_core::normalize(provider, &delivery, &ctx).expect("LeakIX parses");
    let record = DeliveryRecord::received(&delivery, "leakix", delivery.headers.redacted(&[]));
    (record, normalized.stored_body, normalized.alerts)
}

struct Timings(Vec<Duration>);

impl Timings {
    fn median_us(&mut self) -> f64 {
        self.0.sort_unstable();
        self.0
            .get(self.0.len() / 2)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1e6)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let temp = tempfile::tempdir()?;
    let dir = cli.dir.clone().unwrap_or_else(|| temp.path().join("store"));
    let store = std::sync::Arc::new(SledStore::open(&dir)?);

    println!("# Where the store's CPU and bytes go\n");
    println!(
        "{} unique LeakIX events of {} bytes; {} cores.\n",
        cli.alerts,
        body(0).len(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    // One at a time: each step on its own.
    let serial = cli.serial.min(cli.alerts);
    let (mut normalize, mut ingest) = (Timings(Vec::new()), Timings(Vec::new()));
    for n in 0..serial {
        let t = Instant::now();
        let (record, stored, alerts) = prepare(n);
        normalize.0.push(t.elapsed());
        let t = Instant::now();
        store.ingest(record, stored, alerts).await?;
        ingest.0.push(t.elapsed());
    }
    println!("## One delivery at a time ({serial} deliveries, medians)\n");
    println!("| step | µs |");
    println!("|---|---|");
    println!(
        "| normalize: parse, adapter, masking | {:.1} |",
        normalize.median_us()
    );
    println!(
        "| store ingest: encode, one batch, one flush | {:.1} |\n",
        ingest.median_us()
    );

    // Many at once, sharing flushes.
    let next = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(serial));
    let started = Instant::now();
    let workers: Vec<_> = (0..cli.concurrency)
        .map(|_| {
            let (store, next, total) = (std::sync::Arc::clone(&store), next.clone(), cli.alerts);
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if n >= total {
                        break;
                    }
                    let t = Instant::now();
                    let (record, stored, alerts) = tokio::task::block_in_place(|| prepare(n));
                    store.ingest(record, stored, alerts).await?;
                    latencies.push(t.elapsed());
                }
                anyhow::Ok(latencies)
            })
        })
        .collect();
    let mut latencies = Timings(Vec::new());
    for worker in workers {
        latencies.0.extend(worker.await??);
    }
    let elapsed = started.elapsed();
    let concurrent = cli.alerts.saturating_sub(serial);
    latencies.0.sort_unstable();
    let p99 = latencies
        .0
        .get(latencies.0.len() * 99 / 100)
        .map_or(f64::NAN, |d| d.as_secs_f64() * 1e3);
    println!(
        "## {} at once ({concurrent} deliveries)\n\n{:.0} deliveries/s, p50 {:.2} ms, p99 {p99:.2} ms (normalize and ingest).\n",
        cli.concurrency,
        concurrent as f64 / elapsed.as_secs_f64(),
        latencies.median_us() / 1e3,
    );

    // Reading back: one alert (sled, unpack, JSON), and a first page of 50.
    let page = store.alerts(&hookbell_store::AlertQuery::default())?;
    let ids: Vec<String> = page.alerts.iter().map(|a| a.id.clone()).collect();
    let mut one = Timings(Vec::new());
    for _ in 0..20 {
        for id in &ids {
            let t = Instant::now();
            std::hint::black_box(store.alert(id)?);
            one.0.push(t.elapsed());
        }
    }
    let mut pages = Timings(Vec::new());
    for _ in 0..200 {
        let t = Instant::now();
        std::hint::black_box(store.alerts(&hookbell_store::AlertQuery::default())?);
        pages.0.push(t.elapsed());
    }
    println!("## Reading back (medians)\n");
    println!("| read | µs |");
    println!("|---|---|");
    println!("| one alert: sled, unpack, JSON | {:.1} |", one.median_us());
    println!("| the first page of alerts | {:.1} |\n", pages.median_us());

    let total = store.stats()?.total;
    store.close()?;
    drop(store);
    let weight = wait_weigh(&dir)?;
    println!("## Where the bytes go, {total} alerts\n");
    print!("{}", weight.table(total));
    Ok(())
}

/// Weighs the store once sled has let go of its lock (its threads end a moment after close).
fn wait_weigh(dir: &std::path::Path) -> anyhow::Result<hookbell_store::Weight> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match hookbell_store::weigh(dir) {
            Err(e) if e.to_string().contains("lock") && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return Ok(other?),
        }
    }
}
