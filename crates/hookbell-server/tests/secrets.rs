//! Secrets at rest: a plaintext password a provider sends, and the credentials a sender
//! presents, reach neither the disk nor the log.
//!
//! A test binary of its own: it captures the log through the process-wide subscriber, which
//! no other test may share (tracing caches per call site whether anyone listens, so a scoped
//! subscriber races with tests running on other threads).

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use reqwest::StatusCode;

#[allow(dead_code)] // The harness serves the `it` binary too; this uses a part of it.
#[path = "it/support.rs"]
mod support;

use support::{TestServer, payload};

/// The plaintext password in `enzoic-breach.json`.
const PASSWORD: &str = "password123!";
/// Its hash in the same fixture.
const HASH: &str = "b7e283a09511d95d6eac86e39e7942c0";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut all) = self.0.lock() {
            all.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        self.0
            .lock()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &std::path::Path, needle: &[u8]) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            hits.extend(files_containing(&path, needle));
        } else if let Ok(bytes) = std::fs::read(&path)
            && memchr_find(&bytes, needle)
        {
            hits.push(path.display().to_string());
        }
    }
    hits
}

fn memchr_find(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_plaintext_password_reaches_neither_disk_nor_log() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber)
        .unwrap_or_else(|e| panic!("the only subscriber of this process: {e}"));

    let server = TestServer::start("hookbell.toml").await;
    let (status, body) = server
        .deliver("enzoic", &payload("enzoic-breach.json"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A sender presenting wrong credentials: they are not logged either.
    let presented = base64::engine::general_purpose::STANDARD.encode("KEY:hunter2-presented");
    let (status, _) = server
        .post(
            "enzoic",
            &payload("enzoic-breach.json"),
            &[("Authorization".into(), format!("Basic {presented}"))],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let id = body["alerts"][0].as_str().unwrap_or_default().to_owned();
    let (_, alert) = server.get(&format!("/api/alerts/{id}")).await;
    assert!(
        !alert.to_string().contains(PASSWORD),
        "the API shows the password: {alert}"
    );
    let delivery_id = body["delivery_id"].as_str().unwrap_or_default().to_owned();
    let (_, raw) = server.get(&format!("/api/deliveries/{delivery_id}")).await;
    assert!(
        !raw.to_string().contains(PASSWORD),
        "the raw copy keeps the password: {raw}"
    );
    assert!(!raw.to_string().contains(presented.as_str()));

    let engine = server.engine.clone();
    let data_dir = server.data_dir().to_owned();
    server.stop().await;
    drop(engine);

    for secret in [PASSWORD, HASH, presented.as_str(), "hunter2-presented"] {
        let on_disk = files_containing(&data_dir, secret.as_bytes());
        assert!(on_disk.is_empty(), "{secret:?} was written to {on_disk:?}");
    }
    let log = logs.text();
    assert!(
        log.contains("delivery stored"),
        "the log was captured: {log}"
    );
    for secret in [PASSWORD, HASH, presented.as_str(), "KEY:", "SECRET"] {
        assert!(!log.contains(secret), "{secret:?} reached the log:\n{log}");
    }
}
