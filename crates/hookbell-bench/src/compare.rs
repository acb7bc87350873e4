//! `--compare-with DIR`: the queries and start-up of two `hookbelld` builds, measured side by
//! side in one run so that whatever else the machine is doing weighs on both alike.
//!
//! Each build fills a store of its own to the same number of alerts (the same kind of unique
//! LeakIX events). Start-ups then alternate, one build then the other, and the two daemons run
//! at once while every query is sent to one and then the other, request by request: a busy
//! moment slows both sides' requests of that moment, not one side's whole run.

use std::path::Path;
use std::time::Instant;

use crate::{CONFIG, Limit, Run, Server, load, percentile, stats_total, timed_gets};

/// Requests of each kind sent to each side.
const QUERIES: [(&str, &str, usize); 4] = [
    ("first page `/api/alerts`", "/api/alerts", 1_000),
    (
        "filtered page `/api/alerts?severity=high&status=unread`",
        "/api/alerts?severity=high&status=unread",
        500,
    ),
    (
        "search `/api/alerts?q=site4242.example`",
        "/api/alerts?q=site4242.example",
        100,
    ),
    ("`/api/stats`", "/api/stats", 1_000),
];

/// Starts of each build over its full store.
const STARTS: usize = 15;

/// Runs the comparison of `ours` (a directory holding `hookbelld`) and `theirs` over stores of
/// `alerts` alerts filled by `senders` senders, and prints a Markdown report.
/// The stores go under `keep` when given (`side-0`, `side-1`, reused and topped up by later
/// runs), else under a temporary directory.
pub async fn run(
    ours: &Path,
    theirs: &Path,
    keep: Option<&Path>,
    alerts: u64,
    senders: usize,
) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(senders * 2)
        .build()?;
    let temp = tempfile::tempdir()?;
    let parent = keep.unwrap_or(temp.path());
    let sides = [("this build", ours), ("the other build", theirs)];
    let mut stores = Vec::new();
    for (i, (_, bin_dir)) in sides.iter().enumerate() {
        let data = parent.join(format!("side-{i}"));
        std::fs::create_dir_all(&data)?;
        std::fs::write(data.join("hookbell.toml"), CONFIG)?;
        let bin = bin_dir.join("hookbelld");
        anyhow::ensure!(bin.exists(), "{} not found", bin.display());
        let mut daemon = Server::hookbelld(&bin, &data).await?;
        let stored = stats_total(&client, &daemon).await?;
        if stored < alerts {
            load(
                &client,
                &daemon.base,
                senders,
                Limit::Count(alerts - stored),
            )
            .await;
        }
        let total = stats_total(&client, &daemon).await?;
        daemon.stop().await;
        stores.push((bin, data, total));
    }

    let mut starts = [Vec::new(), Vec::new()];
    for _ in 0..STARTS {
        for (side, (bin, data, _)) in stores.iter().enumerate() {
            let started = Instant::now();
            let mut daemon = Server::hookbelld(bin, data).await?;
            let took = started.elapsed();
            daemon.stop().await;
            if let Some(times) = starts.get_mut(side) {
                times.push(took);
            }
        }
    }

    let mut daemons = Vec::new();
    for (bin, data, _) in &stores {
        daemons.push(Server::hookbelld(bin, data).await?);
    }
    let mut rows = Vec::new();
    for (name, path, runs) in QUERIES {
        let mut sides_run = [Run::empty(), Run::empty()];
        for _ in 0..runs {
            for (daemon, run) in daemons.iter().zip(sides_run.iter_mut()) {
                run.absorb(timed_gets(&client, daemon, path, 1).await?);
            }
        }
        for run in &mut sides_run {
            run.micros.sort_unstable();
        }
        rows.push((name, runs, sides_run));
    }
    for daemon in &mut daemons {
        daemon.stop().await;
    }

    println!("# Two builds side by side\n");
    for ((label, dir), (_, _, total)) in sides.iter().zip(&stores) {
        println!("- {label}: `{}`, {total} alerts", dir.display());
    }
    println!(
        "\nQueries alternate between the two daemons request by request; start-ups alternate \
         build by build ({STARTS} each, spawn to `listening on`).\n"
    );
    println!(
        "| request | runs each | p50 ms, this | p50 ms, other | p99 ms, this | p99 ms, other |"
    );
    println!("|---|---|---|---|---|---|");
    for (name, runs, [a, b]) in &rows {
        println!(
            "| {name} | {runs} | {:.2} | {:.2} | {:.2} | {:.2} |",
            a.pct(50.0),
            b.pct(50.0),
            a.pct(99.0),
            b.pct(99.0)
        );
    }
    let [a, b] = &starts;
    println!(
        "| start-up (median of {STARTS}) | {STARTS} | {:.0} | {:.0} | | |",
        percentile(a, 50.0),
        percentile(b, 50.0)
    );
    Ok(())
}
