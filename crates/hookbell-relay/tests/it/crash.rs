//! Crashes: the relay killed with SIGKILL mid-stream and restarted (the real binary), the
//! desktop killed mid-stream and restarted (this test binary, re-run as the desktop process).
//! Nothing the relay acknowledged to a provider is lost; nothing is stored twice.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hookbell_relay::{Client, ClientConfig, SecretKey};
use reqwest::StatusCode;

use crate::support::{
    EngineSink, RelayProc, alert_body, all_alerts, desktop_engine, fixture, metric, pair,
    send_signed, signal, wait_until,
};

const DESKTOP_ENV: &str = "HOOKBELL_RELAY_TEST_DESKTOP";

/// The desktop process: an engine over a store in `$HOOKBELL_RELAY_TEST_DESKTOP` and the
/// relay client, until killed. Only the crash test runs it (as a child process).
#[tokio::test]
#[ignore = "the desktop process of the crash test; it starts it itself"]
async fn desktop_process() {
    let Ok(dir) = std::env::var(DESKTOP_ENV) else {
        return;
    };
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    let engine = desktop_engine(Path::new(&dir));
    let key = SecretKey::from_base64(&var("RELAY_KEY")).unwrap_or_else(|e| panic!("{e}"));
    let mut config = ClientConfig::new(
        &var("RELAY_URL"),
        &var("RELAY_CHANNEL"),
        &var("RELAY_TOKEN"),
        vec![key],
    );
    config.backoff_min = Duration::from_millis(50);
    config.backoff_max = Duration::from_millis(500);
    let _client = Client::start(config, EngineSink { engine });
    println!("desktop ready");
    std::future::pending::<()>().await;
}

struct Desktop {
    child: tokio::process::Child,
}

impl Desktop {
    async fn start(dir: &Path, url: &str, channel: &str, token: &str, key: &SecretKey) -> Desktop {
        use tokio::io::AsyncBufReadExt;
        let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
        let mut child = tokio::process::Command::new(exe)
            .args([
                "crash::desktop_process",
                "--exact",
                "--ignored",
                "--nocapture",
            ])
            .env(DESKTOP_ENV, dir)
            .env("RELAY_URL", url)
            .env("RELAY_CHANNEL", channel)
            .env("RELAY_TOKEN", token)
            .env("RELAY_KEY", key.expose_base64())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("spawning the desktop: {e}"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let ready = async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("desktop ready") {
                    return true;
                }
            }
            false
        };
        let ready = tokio::time::timeout(Duration::from_secs(20), ready).await;
        assert!(
            matches!(ready, Ok(true)),
            "the desktop process did not start"
        );
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Desktop { child }
    }

    async fn kill(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Delivery `n` as a provider sends it: retried until the relay answers; returns how many
/// times it was sent (each attempt may have been stored).
async fn provider_send(http: &reqwest::Client, base: &str, channel: &str, n: usize) -> usize {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut attempts = 0;
    loop {
        attempts += 1;
        match send_signed(
            http,
            base,
            channel,
            &alert_body(n, "crash"),
            &format!("msg_{n}"),
        )
        .await
        {
            Ok((status, _)) if status == StatusCode::ACCEPTED => return attempts,
            Ok((status, body)) => panic!("delivery {n}: {status} {body}"),
            Err(_) => {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "the relay did not come back"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_acknowledged_is_lost_when_the_relay_or_the_desktop_is_killed() {
    const OFFLINE: usize = 1000;
    const LIVE: usize = 200;
    let relay_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(
        fixture("relay.toml"),
        relay_dir.path().join("hookbell-relay.toml"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let listen = format!("127.0.0.1:{}", free_port());
    let relay = RelayProc::start(relay_dir.path(), &listen).await;
    let base = relay.base.clone();
    let (keys, pairing) = pair(&base).await;
    let channel = pairing.channel_id.clone();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let attempts: Arc<Mutex<HashMap<usize, usize>>> = Arc::default();

    for n in 0..OFFLINE {
        let sent = provider_send(&http, &base, &channel, n).await;
        attempts.lock().map(|mut a| a.insert(n, sent)).ok();
    }

    // The desktop connects, and is killed mid-stream.
    let desktop_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let desktop = Desktop::start(
        desktop_dir.path(),
        &base,
        &channel,
        &pairing.token,
        &keys.secret,
    )
    .await;
    wait_until(
        Duration::from_secs(30),
        "the desktop to acknowledge some",
        || async {
            metric(&http, &base, "hookbell_relay_acked_total")
                .await
                .unwrap_or(0)
                >= 40
        },
    )
    .await;
    desktop.kill().await;
    let acked_before = metric(&http, &base, "hookbell_relay_acked_total")
        .await
        .unwrap_or(0);
    println!("desktop killed after {acked_before} of {OFFLINE} acknowledged");

    // It comes back; deliveries keep arriving; the relay is killed mid-stream.
    let desktop = Desktop::start(
        desktop_dir.path(),
        &base,
        &channel,
        &pairing.token,
        &keys.secret,
    )
    .await;
    let sent = Arc::new(AtomicUsize::new(0));
    let sender = {
        let (http, base, channel, attempts, sent) = (
            http.clone(),
            base.clone(),
            channel.clone(),
            attempts.clone(),
            sent.clone(),
        );
        tokio::spawn(async move {
            for n in OFFLINE..OFFLINE + LIVE {
                let tries = provider_send(&http, &base, &channel, n).await;
                attempts.lock().map(|mut a| a.insert(n, tries)).ok();
                sent.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    wait_until(
        Duration::from_secs(30),
        "a third of the live deliveries sent",
        || async { sent.load(Ordering::Relaxed) >= LIVE / 3 },
    )
    .await;
    relay.kill().await;
    println!(
        "relay killed after {} live deliveries",
        sent.load(Ordering::Relaxed)
    );
    let relay = RelayProc::start(relay_dir.path(), &listen).await;
    tokio::time::timeout(Duration::from_secs(60), sender)
        .await
        .unwrap_or_else(|_| panic!("the provider could not deliver within 60 s"))
        .unwrap_or_else(|e| panic!("{e}"));
    wait_until(
        Duration::from_secs(60),
        "the relay's queue to drain",
        || async {
            metric(&http, &relay.base, "hookbell_relay_queue_depth").await == Some(0)
                && metric(&http, &relay.base, "hookbell_relay_connected_desktops").await == Some(1)
        },
    )
    .await;
    // Stop the desktop and read its store.
    if let Some(pid) = desktop.child.id() {
        signal(pid, "KILL");
    }
    desktop.kill().await;
    let engine = desktop_engine(desktop_dir.path());
    let alerts = all_alerts(&engine);
    let attempts = attempts.lock().map(|a| a.clone()).unwrap_or_default();
    let by_id: HashMap<&str, &hookbell_core::Alert> =
        alerts.iter().map(|a| (a.external_id.as_str(), a)).collect();
    assert_eq!(by_id.len(), alerts.len(), "no alert stored twice");
    for n in 0..OFFLINE + LIVE {
        let id = format!("msg_{n}");
        let alert = by_id
            .get(id.as_str())
            .unwrap_or_else(|| panic!("{id} was acknowledged to the provider but is lost"));
        let tries = attempts.get(&n).copied().unwrap_or(1);
        assert!(
            alert.seen_count as usize <= tries,
            "{id} seen {} times but sent {tries} times: stored twice",
            alert.seen_count
        );
    }
    assert_eq!(alerts.len(), OFFLINE + LIVE);
    relay.kill().await;
}

#[tokio::test]
async fn sigterm_finishes_flushes_and_exits_0_and_the_queue_survives() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut relay = RelayProc::start(dir.path(), "127.0.0.1:0").await;
    assert!(
        dir.path().join("hookbell-relay.toml").exists(),
        "the config is created at first start"
    );
    let (_, pairing) = pair(&relay.base).await;
    let http = reqwest::Client::new();
    let (status, _) = send_signed(
        &http,
        &relay.base,
        &pairing.channel_id,
        b"{\"id\":\"x\"}",
        "m1",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status, StatusCode::ACCEPTED);
    let pid = relay.child.id().unwrap_or_else(|| panic!("no pid"));
    signal(pid, "TERM");
    let exit = tokio::time::timeout(Duration::from_secs(10), relay.child.wait())
        .await
        .unwrap_or_else(|_| panic!("the relay did not stop within 10 s of SIGTERM"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(exit.code(), Some(0), "exit 0 on SIGTERM");
    let again = RelayProc::start(dir.path(), "127.0.0.1:0").await;
    assert_eq!(
        metric(&http, &again.base, "hookbell_relay_queue_depth").await,
        Some(1),
        "the queued envelope survived the restart"
    );
    assert_eq!(
        metric(&http, &again.base, "hookbell_relay_channels").await,
        Some(1)
    );
    again.kill().await;
}
