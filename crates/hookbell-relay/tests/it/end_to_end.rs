//! Provider → relay → desktop, with the desktop offline while deliveries arrive.

use std::future::Future;
use std::time::Duration;

use futures_util::StreamExt;
use hookbell_relay::{Client, ClientConfig, ConnectionState, Sink};
use hookbell_server::Engine;
use reqwest::StatusCode;

use crate::support::{
    EngineSink, InProcRelay, alert_body, all_alerts, desktop_config, desktop_engine, files, metric,
    pair, send_signed, wait_until,
};

const MARKER: &str = "PLAINTEXT-MARKER-7f3a9c";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_deliveries_while_offline_arrive_once_in_order_and_verified() {
    const N: usize = 1000;
    let relay = InProcRelay::start("relay.toml").await;
    let (keys, pairing) = pair(&relay.base).await;
    let http = reqwest::Client::new();
    let started = std::time::Instant::now();
    // Sent 32 at a time, as busy providers do; the relay's sequence numbers give the order.
    let seqs: Vec<(usize, u64)> = futures_util::stream::iter(0..N)
        .map(|n| {
            let (http, base, channel) = (&http, &relay.base, &pairing.channel_id);
            async move {
                let (status, body) = send_signed(
                    http,
                    base,
                    channel,
                    &alert_body(n, MARKER),
                    &format!("msg_{n}"),
                )
                .await
                .unwrap_or_else(|e| panic!("delivery {n}: {e}"));
                assert_eq!(status, StatusCode::ACCEPTED, "delivery {n}: {body}");
                assert!(body["envelope_id"].is_string(), "{body}");
                (
                    n,
                    body["seq"]
                        .as_u64()
                        .unwrap_or_else(|| panic!("no seq: {body}")),
                )
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let seq_of: std::collections::HashMap<String, u64> = seqs
        .into_iter()
        .map(|(n, seq)| (format!("msg_{n}"), seq))
        .collect();
    println!("{N} sent in {:?}", started.elapsed());
    assert_eq!(
        metric(&http, &relay.base, "hookbell_relay_queue_depth").await,
        Some(N as u64)
    );

    // Nothing readable on the relay's disk: not the bodies, not the token.
    for file in files(relay.dir.path()) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        for secret in [
            MARKER.as_bytes(),
            pairing.token.as_bytes(),
            b"alex@example.com",
        ] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret),
                "{} holds plaintext {:?}",
                file.display(),
                String::from_utf8_lossy(secret)
            );
        }
    }

    let desktop = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let engine = desktop_engine(desktop.path());
    let client = Client::start(
        ClientConfig::new(
            &relay.base,
            &pairing.channel_id,
            &pairing.token,
            vec![keys.secret.clone()],
        ),
        EngineSink {
            engine: engine.clone(),
        },
    );
    wait_until(Duration::from_secs(40), "1,000 alerts stored", || async {
        engine.store().stats().map(|s| s.total).unwrap_or(0) >= N as u64
    })
    .await;
    wait_until(
        Duration::from_secs(10),
        "the relay's queue to drain",
        || async { metric(&http, &relay.base, "hookbell_relay_queue_depth").await == Some(0) },
    )
    .await;
    let status = client.status();
    assert_eq!(status.state, ConnectionState::Connected, "{status:?}");
    assert_eq!(status.delivered, N as u64, "{status:?}");
    assert_eq!(status.last_error, None);
    assert!(status.last_delivery_at.is_some());

    let alerts = all_alerts(&engine);
    assert_eq!(alerts.len(), N, "every delivery stored once");
    let mut last = 0;
    for alert in &alerts {
        let seq = seq_of
            .get(&alert.external_id)
            .copied()
            .unwrap_or_else(|| panic!("unknown alert {}", alert.external_id));
        assert!(
            seq > last,
            "stored in the relay's order: {} (seq {seq}) after seq {last}",
            alert.external_id
        );
        last = seq;
        assert_eq!(alert.seen_count, 1, "{} stored once", alert.external_id);
        assert_eq!(alert.source, "signed");
    }
    let activity = engine
        .store()
        .source_activity("signed")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(activity.auth_failures, 0, "every signature verified");

    // A live delivery now arrives while connected.
    let (status, _) = send_signed(
        &http,
        &relay.base,
        &pairing.channel_id,
        &alert_body(N, MARKER),
        "msg_live",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status, StatusCode::ACCEPTED);
    wait_until(
        Duration::from_secs(10),
        "the live delivery stored",
        || async { engine.store().stats().map(|s| s.total).unwrap_or(0) == N as u64 + 1 },
    )
    .await;
    client.stop().await;
    relay.stop().await;
}

/// A relay sink on a desktop engine of its own, as the relay client drives it.
fn sink_on_a_new_desktop() -> (tempfile::TempDir, Engine, EngineSink) {
    let desktop = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let engine = desktop_engine(desktop.path());
    let sink = EngineSink {
        engine: engine.clone(),
    };
    (desktop, engine, sink)
}

/// Hands the sink the envelope `id` `times` times, one after the other, as redeliveries come.
async fn deliver_again(
    sink: &EngineSink,
    id: &str,
    delivery: &hookbell_core::Delivery,
    times: usize,
) {
    for _ in 0..times {
        let prepared = sink.prepare(id, delivery.clone());
        sink.commit(prepared)
            .await
            .unwrap_or_else(|e| panic!("envelope {id}: {e}"));
    }
}

fn auth_failures(engine: &Engine) -> u64 {
    engine
        .store()
        .source_activity("signed")
        .map(|a| a.auth_failures)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn a_redelivered_envelope_is_not_stored_again_and_old_signatures_verify() {
    let (_desktop, engine, sink) = sink_on_a_new_desktop();
    // Received by the relay a day ago, signed then: the signature checks against that time.
    let a_day_ago = chrono::Utc::now() - chrono::Duration::days(1);
    let body = alert_body(1, MARKER);
    let auth = desktop_config()
        .source("signed")
        .map(|s| s.auth.clone())
        .unwrap_or_else(|| panic!("no source"));
    let headers = auth
        .sign(&body, a_day_ago, "msg_old")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut delivery = hookbell_core::testing::json_delivery("signed", body);
    for (name, value) in &headers {
        delivery.headers.push(name, value.as_bytes());
    }
    delivery.received_at = a_day_ago;
    // A copy that came again while the first was still being written (after a reconnect):
    // both were prepared before either was stored.
    let first = sink.prepare("01ENVELOPE", delivery.clone());
    let again = sink.prepare("01ENVELOPE", delivery.clone());
    let (first, again) = (sink.commit(first), sink.commit(again));
    for committed in [first.await, again.await] {
        committed.unwrap_or_else(|e| panic!("{e}"));
    }
    // Copies that come once it is stored.
    deliver_again(&sink, "01ENVELOPE", &delivery, 2).await;
    let alerts = all_alerts(&engine);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].seen_count, 1, "redelivery raised no seen_count");
    let deliveries = engine
        .store()
        .deliveries(None, 10)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(deliveries.len(), 1, "one delivery stored for one envelope");
    assert_eq!(deliveries[0].envelope_id.as_deref(), Some("01ENVELOPE"));
    assert_eq!(auth_failures(&engine), 0);
}

#[tokio::test]
async fn a_refused_envelope_is_counted_once_however_often_it_comes() {
    let (_desktop, engine, sink) = sink_on_a_new_desktop();
    let forged = hookbell_core::testing::json_delivery("signed", alert_body(1, MARKER));
    deliver_again(&sink, "01FORGED", &forged, 3).await;
    assert_eq!(auth_failures(&engine), 1);
    assert!(all_alerts(&engine).is_empty());
}

/// Records the order of commits; preparing every third delivery takes a while, so
/// preparations finish out of order.
#[derive(Default)]
struct OrderSink {
    committed: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Sink for OrderSink {
    type Prepared = String;

    fn prepare(&self, _envelope_id: &str, delivery: hookbell_core::Delivery) -> String {
        let body: serde_json::Value =
            serde_json::from_slice(&delivery.body).unwrap_or_else(|e| panic!("{e}"));
        let id = body["id"].as_str().unwrap_or_default().to_owned();
        let n: usize = id.trim_start_matches("evt_").parse().unwrap_or(0);
        if n.is_multiple_of(3) {
            // Work, not synchronisation: a slow preparation for the others to overtake.
            std::thread::sleep(Duration::from_millis(3));
        }
        id
    }

    fn commit(
        &self,
        id: String,
    ) -> impl Future<Output = Result<(), hookbell_relay::SinkError>> + Send + 'static {
        // The order is fixed here, at the call; the future only finishes.
        if let Ok(mut committed) = self.committed.lock() {
            committed.push(id);
        }
        std::future::ready(Ok(()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_follow_the_relays_order_when_preparations_finish_out_of_order() {
    const N: usize = 200;
    let relay = InProcRelay::start("relay.toml").await;
    let (keys, pairing) = pair(&relay.base).await;
    let http = reqwest::Client::new();
    for n in 0..N {
        let (status, _) = send_signed(
            &http,
            &relay.base,
            &pairing.channel_id,
            &alert_body(n, MARKER),
            &format!("msg_{n}"),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    let sink = OrderSink::default();
    let committed = std::sync::Arc::clone(&sink.committed);
    let client = Client::start(
        ClientConfig::new(
            &relay.base,
            &pairing.channel_id,
            &pairing.token,
            vec![keys.secret.clone()],
        ),
        sink,
    );
    let mut status = client.subscribe();
    wait_until(Duration::from_secs(30), "every delivery committed", || {
        let delivered = status.borrow_and_update().delivered;
        async move { delivered >= N as u64 }
    })
    .await;
    let committed = committed.lock().map(|c| c.clone()).unwrap_or_default();
    let expected: Vec<String> = (0..N).map(|n| format!("evt_{n}")).collect();
    assert_eq!(committed, expected);
    client.stop().await;
    relay.stop().await;
}
