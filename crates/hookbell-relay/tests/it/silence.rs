//! A relay that goes silent is taken for dead after the silence timeout, and the client
//! reconnects with backoff (the real relay pings every 20 s, so it never looks silent).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hookbell_relay::{Client, ClientConfig, KeyPair};

use crate::support::{EngineSink, desktop_engine, wait_until};

#[tokio::test]
async fn a_silent_relay_is_dropped_and_reconnected() {
    // A WebSocket server that accepts and then says nothing.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            if let Ok(ws) = tokio_tungstenite::accept_async(tcp).await {
                counter.fetch_add(1, Ordering::Relaxed);
                held.push(ws);
            }
        }
    });
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let keys = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let mut config = ClientConfig::new(&format!("http://{addr}"), "c", "t", vec![keys.secret]);
    config.silence_timeout = Duration::from_millis(300);
    config.backoff_min = Duration::from_millis(20);
    let client = Client::start(
        config,
        EngineSink {
            engine: desktop_engine(dir.path()),
        },
    );
    // The status says why the connection was dropped (until the next connect clears it).
    let mut status = client.subscribe();
    let seen = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let error = status.borrow_and_update().last_error.clone();
            if let Some(error) = error {
                return error;
            }
            if status.changed().await.is_err() {
                return String::new();
            }
        }
    })
    .await
    .unwrap_or_default();
    assert!(seen.contains("no word from the relay"), "{seen:?}");
    wait_until(
        Duration::from_secs(10),
        "a reconnect after the silence",
        || async { accepted.load(Ordering::Relaxed) >= 2 },
    )
    .await;
    client.stop().await;
}
