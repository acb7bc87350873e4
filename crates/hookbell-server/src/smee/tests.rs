//! A smee message becomes the delivery it describes; a fake smee channel (axum SSE on port 0)
//! feeds a real engine over sled, signatures are checked against the channel's arrival time,
//! and a lost stream is followed again.

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, Sse};
use chrono::{DateTime, Utc};
use futures_util::Stream;
use hookbell_core::{Config, SmeeChannel};
use hookbell_store::SledStore;
use tokio::sync::{Mutex, mpsc};
use tokio_stream::wrappers::ReceiverStream;

use super::*;

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(fixture(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn a_message_becomes_its_delivery() {
    let now = Utc::now();
    let delivery = delivery_from_message("signed", &read("smee/message.json"), now)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(delivery.source_id, "signed");
    assert_eq!(delivery.received_at.timestamp_millis(), 1_764_460_800_000);
    assert_eq!(
        delivery.headers.get("webhook-id"),
        Some("msg_2ZJm4o5ks3vY0wZqL1yDtrn")
    );
    assert_eq!(
        delivery.headers.get("content-type"),
        Some("application/json")
    );
    for gone in [
        "content-length",
        "host",
        "connection",
        "x-retry",
        "body",
        "query",
    ] {
        assert_eq!(delivery.headers.get(gone), None, "{gone}");
    }
    assert_eq!(
        String::from_utf8_lossy(&delivery.body),
        r#"{"id":"smee-1","title":"Password for alex@example.com found in a combolist","severity":"high","subject":"alex@example.com","score":9.5,"tags":["combolist","paste"]}"#
    );
}

#[test]
fn odd_messages_are_refused_and_a_missing_timestamp_means_now() {
    let now = Utc::now();
    assert!(matches!(
        delivery_from_message("s", "[1, 2]", now),
        Err(MessageError::NotAnObject(_))
    ));
    assert!(matches!(
        delivery_from_message("s", "not json", now),
        Err(MessageError::NotAnObject(_))
    ));
    assert!(matches!(
        delivery_from_message("s", r#"{"x-a": "b"}"#, now),
        Err(MessageError::NoBody)
    ));
    let text = delivery_from_message("s", r#"{"body": "plain words"}"#, now)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text.body, b"plain words");
    assert_eq!(text.received_at, now);
}

/// A smee-style channel: each connection gets the events sent to the newest sender.
#[derive(Clone, Default)]
struct FakeChannel {
    connections: Arc<AtomicUsize>,
    sender: Arc<Mutex<Option<mpsc::Sender<Event>>>>,
}

async fn stream(
    State(channel): State<FakeChannel>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let (tx, rx) = mpsc::channel(16);
    let _ = tx.send(Event::default().event("ready").data("{}")).await;
    *channel.sender.lock().await = Some(tx);
    channel.connections.fetch_add(1, Ordering::SeqCst);
    Sse::new(ReceiverStream::new(rx).map(Ok))
}

impl FakeChannel {
    async fn start() -> (FakeChannel, String) {
        let channel = FakeChannel::default();
        let app = axum::Router::new()
            .route("/AbCdEf", axum::routing::get(stream))
            .with_state(channel.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (channel, format!("http://{addr}/AbCdEf"))
    }

    /// Sends a smee message: `headers`, the JSON `body` and the arrival time.
    async fn send(
        &self,
        headers: &[(String, String)],
        body: &serde_json::Value,
        at: DateTime<Utc>,
    ) {
        let mut message = serde_json::Map::new();
        for (name, value) in headers {
            message.insert(name.to_ascii_lowercase(), value.clone().into());
        }
        message.insert("content-type".into(), "application/json".into());
        message.insert("body".into(), body.clone());
        message.insert("query".into(), serde_json::json!({}));
        message.insert("timestamp".into(), at.timestamp_millis().into());
        let event = Event::default().data(serde_json::Value::Object(message).to_string());
        let sender = self.sender.lock().await.clone();
        let sent = match sender {
            Some(tx) => tx.send(event).await.is_ok(),
            None => false,
        };
        assert!(sent, "no one is connected to the fake channel");
    }

    /// Ends the current connection's stream.
    async fn hang_up(&self) {
        self.sender.lock().await.take();
    }
}

/// A real engine over sled in a temp dir, with the test config's sources.
/// The sample alert and the `signed` source's headers for it, signed at `at` over its compact
/// bytes (what smee relays) or, with `pretty`, over pretty-printed ones.
fn signed_alert(
    engine: &Engine,
    at: DateTime<Utc>,
    msg_id: &str,
    pretty: bool,
) -> (Vec<(String, String)>, serde_json::Value) {
    let auth = engine
        .source("signed")
        .map(|s| s.auth)
        .unwrap_or_else(|| panic!("no signed source"));
    let body: serde_json::Value =
        serde_json::from_str(&read("payloads/alert.json")).unwrap_or_else(|e| panic!("{e}"));
    let bytes = if pretty {
        serde_json::to_vec_pretty(&body)
    } else {
        serde_json::to_vec(&body)
    }
    .unwrap_or_default();
    let headers = auth
        .sign(&bytes, at, msg_id)
        .unwrap_or_else(|e| panic!("{e}"));
    (headers, body)
}

fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let store = SledStore::open(dir.path()).unwrap_or_else(|e| panic!("store: {e}"));
    let config = Config::from_toml(&read("hookbell.toml")).unwrap_or_else(|e| panic!("{e}"));
    (dir, Engine::new(Arc::new(store), config))
}

async fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_followed_channel_feeds_the_engine_and_is_followed_again_after_a_drop() {
    let (_dir, engine) = engine();
    let (channel, url) = FakeChannel::start().await;
    let mut smee = Smee::start(
        &engine,
        &[SmeeChannel {
            url: url.clone(),
            source: "signed".into(),
        }],
    );
    let connected = |smee: &Smee| smee.status()[0].state == "connected";
    wait_until("the channel is followed", || connected(&smee)).await;

    // Signed an hour ago, when the channel received it: verified against that time.
    let an_hour_ago = Utc::now() - chrono::Duration::hours(1);
    let (headers, body) = signed_alert(&engine, an_hour_ago, "msg_smee_1", false);
    channel.send(&headers, &body, an_hour_ago).await;
    // The index shows the alert a moment before the flush answers the ingest, and the
    // channel counts it only then: wait for the count.
    wait_until("the delivery is stored", || smee.status()[0].delivered == 1).await;
    assert_eq!(engine.store().stats().map(|s| s.total).ok(), Some(1));

    // Signed over pretty-printed bytes: smee's compact copy cannot verify; the status says why.
    let (headers, body) = signed_alert(&engine, Utc::now(), "msg_smee_2", true);
    channel.send(&headers, &body, Utc::now()).await;
    wait_until("the refusal is reported", || {
        smee.status()[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("re-serializes"))
    })
    .await;
    assert_eq!(engine.store().stats().map(|s| s.total).unwrap_or(0), 1);

    // The stream ends: the channel is connected to again.
    channel.hang_up().await;
    wait_until("a second connection", || {
        channel.connections.load(Ordering::SeqCst) == 2 && connected(&smee)
    })
    .await;
    smee.stop().await;
}

#[tokio::test]
async fn a_channel_that_falls_silent_is_opened_again() {
    let (_dir, engine) = engine();
    let (channel, url) = FakeChannel::start().await;
    // The fake says `ready`, then nothing, and keeps the connection open.
    let mut smee = Smee::start_with(
        &engine,
        &[SmeeChannel {
            url,
            source: "signed".into(),
        }],
        Duration::from_millis(300),
    );
    wait_until("the silence is noticed", || {
        smee.status()[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("no word from the channel"))
    })
    .await;
    wait_until("a second connection after the silence", || {
        channel.connections.load(Ordering::SeqCst) >= 2
    })
    .await;
    smee.stop().await;
}

/// Issue 14 row 6, for smee channels too: the channel's claimed arrival time is clamped, so a
/// delivery signed (and claimed received) 30 days ago is stale.
#[tokio::test]
async fn a_channel_cannot_back_date_a_delivery_past_the_bound() {
    let (_dir, engine) = engine();
    let (channel, url) = FakeChannel::start().await;
    let mut smee = Smee::start(
        &engine,
        &[SmeeChannel {
            url,
            source: "signed".into(),
        }],
    );
    wait_until("the channel is followed", || {
        smee.status()[0].state == "connected"
    })
    .await;
    let long_ago = Utc::now() - chrono::Duration::days(30);
    let (headers, body) = signed_alert(&engine, long_ago, "msg_smee_old", false);
    channel.send(&headers, &body, long_ago).await;
    // Refused as stale (judged at the clamped time, 7 days ago), not for any other reason.
    wait_until("the freshness refusal is reported", || {
        smee.status()[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("timestamp"))
    })
    .await;
    assert_eq!(engine.store().stats().map(|s| s.total).unwrap_or(0), 0);
    smee.stop().await;
}
