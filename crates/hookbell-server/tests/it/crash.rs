//! Durability: deliveries acknowledged by `hookbelld` survive a SIGKILL right after the last
//! 2xx, each exactly once.

use std::collections::HashSet;
use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{Daemon, answer};

const SENDERS: usize = 32;
const PER_SENDER: usize = 25;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_deliveries_survive_sigkill_exactly_once() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // A config with an open source and no practical rate limit.
    std::fs::create_dir_all(dir.path()).unwrap_or(());
    std::fs::write(
        dir.path().join("hookbell.toml"),
        std::fs::read_to_string(crate::support::fixture("crash.toml")).unwrap_or_default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut daemon = Daemon::start(dir.path()).await;
    let client = reqwest::Client::new();
    let base = Arc::new(daemon.base.clone());

    let mut senders = Vec::new();
    for s in 0..SENDERS {
        let client = client.clone();
        let base = Arc::clone(&base);
        senders.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for i in 0..PER_SENDER {
                let body = format!(
                    r#"{{"id": "s{s}-{i}", "title": "crash test {s}/{i}", "severity": "high"}}"#
                );
                let response = client
                    .post(format!("{base}/hooks/open"))
                    .body(body)
                    .send()
                    .await;
                match response {
                    Ok(response) if response.status() == StatusCode::OK => {
                        let answer: Value = response.json().await.unwrap_or_default();
                        acked.push(answer["alerts"][0].as_str().unwrap_or_default().to_owned());
                    }
                    Ok(response) => eprintln!(
                        "sender {s}: {} {}",
                        response.status(),
                        response.text().await.unwrap_or_default()
                    ),
                    Err(e) => eprintln!("sender {s}: {e}"),
                }
            }
            acked
        }));
    }
    let mut acked = Vec::new();
    for sender in senders {
        acked.extend(sender.await.unwrap_or_default());
    }
    // Right after the last 2xx: no graceful anything.
    daemon
        .child
        .start_kill()
        .unwrap_or_else(|e| panic!("kill: {e}"));
    let _ = daemon.child.wait().await;
    assert_eq!(
        acked.len(),
        SENDERS * PER_SENDER,
        "every delivery should have been acknowledged"
    );

    let daemon = Daemon::start(dir.path()).await;
    let mut stored = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{}/api/alerts?limit=500", daemon.base);
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let (status, page) = answer(client.get(url).bearer_auth(&daemon.token).send().await).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for alert in page["alerts"].as_array().cloned().unwrap_or_default() {
            stored.push(alert["id"].as_str().unwrap_or_default().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let unique: HashSet<&String> = stored.iter().collect();
    assert_eq!(unique.len(), stored.len(), "an alert is stored twice");
    let missing: Vec<&String> = acked.iter().filter(|id| !unique.contains(id)).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged alerts were lost, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    assert_eq!(stored.len(), acked.len());
    let (_, stats) = answer(
        client
            .get(format!("{}/api/stats", daemon.base))
            .bearer_auth(&daemon.token)
            .send()
            .await,
    )
    .await;
    assert_eq!(
        stats["total"].as_u64(),
        Some(acked.len() as u64),
        "counters agree with the alerts: {stats}"
    );
}
