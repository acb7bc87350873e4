//! Issue 14, row by row: the relay never loses a delivery silently (an envelope no key opens
//! is held, not acknowledged away; rotation gives the running client the new key before the
//! relay seals to it; replacing a key needs proof of the current one), a relayed receive time
//! is clamped, and the stream client refuses oversized frames.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use hookbell_core::Delivery;
use hookbell_relay::envelope::{self, B64, RelayedRequest};
use hookbell_relay::{Client, ClientConfig, KeyPair, Sink};
use reqwest::StatusCode;

use crate::support::{
    EngineSink, InProcRelay, alert_body, all_alerts, desktop_config, desktop_engine, metric, pair,
    send_signed, wait_until,
};

/// A signed delivery for the `signed` source, as the relay would have received it at `at`.
fn signed_request(
    channel: &str,
    envelope_id: &str,
    n: usize,
    at: chrono::DateTime<chrono::Utc>,
) -> RelayedRequest {
    let body = alert_body(n, "trust");
    let auth = desktop_config()
        .source("signed")
        .map(|s| s.auth.clone())
        .unwrap_or_else(|| panic!("no signed source"));
    let headers = auth
        .sign(&body, at, &format!("msg_{n}"))
        .unwrap_or_else(|e| panic!("signing: {e}"));
    RelayedRequest {
        v: 1,
        envelope_id: envelope_id.to_owned(),
        channel_id: channel.to_owned(),
        source_id: "signed".into(),
        received_at: at,
        method: "POST".into(),
        path: format!("/h/{channel}/signed"),
        query: None,
        headers: std::iter::once(("content-type".to_owned(), B64(b"application/json".to_vec())))
            .chain(headers.into_iter().map(|(k, v)| (k, B64(v.into_bytes()))))
            .collect(),
        peer: None,
        body: B64(body),
    }
}

fn delivery_of(request: RelayedRequest) -> Delivery {
    request.into_delivery()
}

fn auth_failures(engine: &hookbell_server::Engine) -> u64 {
    engine
        .store()
        .source_activity("signed")
        .map(|a| a.auth_failures)
        .unwrap_or_else(|e| panic!("{e}"))
}

// Row 6: a relay that back-dates (or post-dates) a delivery cannot stretch the freshness window.
#[tokio::test]
async fn a_relayed_receive_time_is_clamped_so_an_old_signed_delivery_is_stale() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let engine = desktop_engine(dir.path());
    let sink = EngineSink {
        engine: engine.clone(),
    };
    let now = chrono::Utc::now();
    // Signed 30 days ago, and the relay claims it received it then.
    let old = signed_request("c", "01OLD", 1, now - chrono::Duration::days(30));
    // Signed a day from now, and the relay claims it received it then.
    let future = signed_request("c", "01FUTURE", 2, now + chrono::Duration::days(1));
    for (id, request) in [("01OLD", old), ("01FUTURE", future)] {
        let prepared = sink.prepare(id, delivery_of(request));
        sink.commit(prepared)
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}"));
    }
    assert!(
        all_alerts(&engine).is_empty(),
        "a back-dated or post-dated relayed delivery is refused as stale"
    );
    assert_eq!(auth_failures(&engine), 2);
    // Within the bound, the relay's time still counts (a desktop offline for a day).
    let recent = signed_request("c", "01RECENT", 3, now - chrono::Duration::days(1));
    let prepared = sink.prepare("01RECENT", delivery_of(recent));
    sink.commit(prepared)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all_alerts(&engine).len(), 1);
}

// Row 5 (a): an envelope that opens with none of the desktop's keys stays on the relay, held,
// and opens once the desktop has the key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_envelope_no_key_opens_is_held_on_the_relay_and_opens_once_the_key_is_known() {
    let relay = InProcRelay::start("relay.toml").await;
    let (keys, pairing) = pair(&relay.base).await;
    let http = reqwest::Client::new();
    let stranger = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    // Sealed to the channel's key, which this desktop does not have (yet).
    let (code, _) = send_signed(
        &http,
        &relay.base,
        &pairing.channel_id,
        &alert_body(1, "held"),
        "msg_1",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code, StatusCode::ACCEPTED);
    // Sealed to the key the desktop has: it opens and is stored; the ack passes the held one.
    relay
        .append_sealed_to(
            &pairing.channel_id,
            &stranger.public,
            signed_request(&pairing.channel_id, "01OPENS", 2, chrono::Utc::now()),
        )
        .await;

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let engine = desktop_engine(dir.path());
    let start = |keys: Vec<hookbell_relay::SecretKey>| {
        Client::start(
            ClientConfig::new(&relay.base, &pairing.channel_id, &pairing.token, keys),
            EngineSink {
                engine: engine.clone(),
            },
        )
    };
    let client = start(vec![stranger.secret.clone()]);
    let mut status = client.subscribe();
    wait_until(
        Duration::from_secs(10),
        "the openable envelope stored and acknowledged",
        || {
            let acked = status.borrow_and_update().acked;
            async move { acked >= 2 }
        },
    )
    .await;
    assert_eq!(all_alerts(&engine).len(), 1);
    wait_until(
        Duration::from_secs(10),
        "the relay says one envelope is held",
        || async { client.status().held == Some(1) },
    )
    .await;
    wait_until(
        Duration::from_secs(10),
        "the relay deleted the stored envelope and kept the one no key opened",
        || async {
            metric(&http, &relay.base, "hookbell_relay_queue_depth").await == Some(1)
                && metric(&http, &relay.base, "hookbell_relay_acked_total").await == Some(1)
        },
    )
    .await;
    assert_eq!(
        metric(&http, &relay.base, "hookbell_relay_held").await,
        Some(1)
    );
    let reason = client.status().held_reason.unwrap_or_default();
    assert!(reason.contains("does not open"), "{reason}");
    client.stop().await;

    // The desktop learns the key: the held envelope is offered again, opens and is stored.
    let client = start(vec![stranger.secret.clone(), keys.secret.clone()]);
    wait_until(
        Duration::from_secs(10),
        "the held envelope stored",
        || async { all_alerts(&engine).len() == 2 },
    )
    .await;
    wait_until(
        Duration::from_secs(10),
        "nothing left on the relay",
        || async {
            metric(&http, &relay.base, "hookbell_relay_queue_depth").await == Some(0)
                && metric(&http, &relay.base, "hookbell_relay_held").await == Some(0)
        },
    )
    .await;
    wait_until(
        Duration::from_secs(10),
        "the client hears none is held",
        || async { client.status().held == Some(0) },
    )
    .await;
    client.stop().await;
    relay.stop().await;
}

// Row 5 (a), at scale: more held envelopes than the stream's window are every one offered
// again once the desktop has the key, not only the first WINDOW.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_held_envelopes_than_the_window_are_all_offered_again() {
    let relay = InProcRelay::start("relay.toml").await;
    let (keys, pairing) = pair(&relay.base).await;
    let channel = pairing.channel_id.clone();
    let n = hookbell_relay::server::WINDOW as usize + 40;
    let now = chrono::Utc::now();
    let appends = (1..=n).map(|i| {
        relay.append_sealed_to(
            &channel,
            &keys.public,
            signed_request(&channel, &format!("01HELD{i:06}"), i, now),
        )
    });
    futures_util::future::join_all(appends).await;
    relay.hold_and_ack(&channel, 1..=n as u64).await;
    let http = reqwest::Client::new();
    assert_eq!(
        metric(&http, &relay.base, "hookbell_relay_held").await,
        Some(n as u64)
    );

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let engine = desktop_engine(dir.path());
    let client = Client::start(
        ClientConfig::new(&relay.base, &channel, &pairing.token, vec![keys.secret]),
        EngineSink {
            engine: engine.clone(),
        },
    );
    wait_until(
        Duration::from_secs(60),
        "every held envelope offered again, stored and released",
        || async {
            metric(&http, &relay.base, "hookbell_relay_held").await == Some(0)
                && metric(&http, &relay.base, "hookbell_relay_queue_depth").await == Some(0)
        },
    )
    .await;
    assert_eq!(all_alerts(&engine).len(), n);
    client.stop().await;
    relay.stop().await;
}

// Row 5 (c): the token alone cannot replace the channel's key; proof of the current key can.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_a_channel_key_needs_proof_of_the_current_key() {
    let relay = InProcRelay::start("relay.toml").await;
    let (keys, pairing) = pair(&relay.base).await;
    let http = reqwest::Client::new();
    let attacker = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let url = format!("{}/v1/channels/{}/key", relay.base, pairing.channel_id);
    let response = http
        .put(&url)
        .bearer_auth(&pairing.token)
        .json(&serde_json::json!({ "public_key": attacker.public.to_base64() }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let code = response.status();
    let text = response.text().await.unwrap_or_default();
    assert!(
        code == StatusCode::FORBIDDEN || code == StatusCode::UNAUTHORIZED,
        "the token alone must not replace the key: {code} {text}"
    );
    assert!(text.contains("proof"), "{text}");

    // The challenge is sealed to the desktop's key: the token's holder cannot open it, and a
    // made-up proof is refused.
    let refused = hookbell_relay::client::rotate_key(
        &relay.base,
        &pairing.channel_id,
        &pairing.token,
        std::slice::from_ref(&attacker.secret),
        &attacker.public,
    )
    .await;
    assert!(
        matches!(refused, Err(hookbell_relay::client::ClientError::Proof)),
        "{refused:?}"
    );
    let challenge: serde_json::Value = http
        .post(format!("{url}/challenge"))
        .bearer_auth(&pairing.token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let response = http
        .put(&url)
        .bearer_auth(&pairing.token)
        .json(&serde_json::json!({
            "public_key": attacker.public.to_base64(),
            "challenge_id": challenge["challenge_id"],
            "proof": hookbell_relay::envelope::key_proof(&[0u8; 32], &pairing.channel_id, &attacker.public),
        }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Deliveries are still sealed to the desktop's key.
    let (code, _) = send_signed(
        &http,
        &relay.base,
        &pairing.channel_id,
        &alert_body(1, "k"),
        "msg_1",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code, StatusCode::ACCEPTED);
    let sealed = relay.queued(&pairing.channel_id).await;
    assert!(
        envelope::open(
            &keys.secret,
            &pairing.channel_id,
            &sealed[0].id,
            &sealed[0].sealed
        )
        .is_ok(),
        "still sealed to the desktop's key"
    );

    // With proof of the current key, the key is replaced.
    let next = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    hookbell_relay::client::rotate_key(
        &relay.base,
        &pairing.channel_id,
        &pairing.token,
        std::slice::from_ref(&keys.secret),
        &next.public,
    )
    .await
    .unwrap_or_else(|e| panic!("rotation with proof: {e}"));
    let (code, _) = send_signed(
        &http,
        &relay.base,
        &pairing.channel_id,
        &alert_body(2, "k"),
        "msg_2",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code, StatusCode::ACCEPTED);
    let sealed = relay.queued(&pairing.channel_id).await;
    let last = sealed.last().unwrap_or_else(|| panic!("nothing queued"));
    assert!(envelope::open(&next.secret, &pairing.channel_id, &last.id, &last.sealed).is_ok());
    relay.stop().await;
}

/// A sink that counts what reaches it.
#[derive(Clone, Default)]
struct CountingSink {
    prepared: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Sink for CountingSink {
    type Prepared = ();
    fn prepare(&self, _envelope_id: &str, _delivery: Delivery) {
        self.prepared
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
    fn commit(
        &self,
        _prepared: (),
    ) -> impl std::future::Future<Output = Result<(), hookbell_relay::SinkError>> + Send + 'static
    {
        std::future::ready(Ok(()))
    }
}

// Row 8: a hostile relay's oversized frame ends the connection; nothing is stored or acked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_frame_drops_the_connection_and_stores_nothing() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let base = format!(
        "http://{}",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    let keys = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    // A real envelope (it would open and be stored), with a body far over max_body_bytes.
    let mut request = signed_request("c", "01HUGE", 1, chrono::Utc::now());
    request.body = B64(vec![b' '; 6 * 1024 * 1024]);
    let sealed = envelope::seal(&keys.public, &request).unwrap_or_else(|e| panic!("{e}"));
    let frame = serde_json::to_string(&hookbell_relay::protocol::ServerFrame::envelope(
        &hookbell_relay::queue::Envelope {
            seq: 1,
            id: "01HUGE".into(),
            source_id: "signed".into(),
            received_at: chrono::Utc::now(),
            sealed,
        },
    ))
    .unwrap_or_default();
    let (acks_tx, mut acks) = tokio::sync::mpsc::unbounded_channel::<String>();
    let fake = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (frame, acks_tx) = (frame.clone(), acks_tx.clone());
            tokio::spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                    return;
                };
                let _ = ws
                    .send(tokio_tungstenite::tungstenite::Message::Text(frame.into()))
                    .await;
                while let Some(Ok(message)) = ws.next().await {
                    if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
                        let _ = acks_tx.send(text.to_string());
                    }
                }
            });
        }
    });
    let sink = CountingSink::default();
    let prepared = std::sync::Arc::clone(&sink.prepared);
    let mut config = ClientConfig::new(&base, "c", "t", vec![keys.secret.clone()]);
    config.backoff_min = Duration::from_secs(30);
    let client = Client::start(config, sink);
    wait_until(
        Duration::from_secs(20),
        "the client gave up on the connection",
        || async { client.status().last_error.is_some() },
    )
    .await;
    let error = client.status().last_error.unwrap_or_default();
    assert!(
        error.contains("too large") || error.contains("too long"),
        "the error says the frame was too large: {error}"
    );
    assert_eq!(
        prepared.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing stored"
    );
    assert!(acks.try_recv().is_err(), "nothing acknowledged");
    client.stop().await;
    fake.abort();
}

/// A relay whose `PUT /v1/channels/{id}/key` is watched: right after the relay has taken the
/// new key, and before the desktop hears back, a provider's delivery arrives (sealed to the
/// new key). `fail_rotation` makes the relay refuse rotations instead.
struct WatchedRelay {
    base: String,
    queue: std::sync::Arc<hookbell_relay::SledQueue>,
    _dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

async fn watched_relay(fail_rotation: bool) -> WatchedRelay {
    use axum::extract::Request;
    use axum::middleware::Next;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = hookbell_relay::RelayConfig::from_toml(
        &std::fs::read_to_string(crate::support::fixture("relay.toml")).unwrap_or_default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let queue = std::sync::Arc::new(
        hookbell_relay::SledQueue::open(&dir.path().join("queue"))
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let base = format!(
        "http://{}",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    let state = hookbell_relay::RelayState::new(queue.clone(), config);
    let own = base.clone();
    let watch = move |request: Request, next: Next| {
        let own = own.clone();
        async move {
            let path = request.uri().path().to_owned();
            let rotating = request.method() == axum::http::Method::PUT && path.ends_with("/key");
            if rotating && fail_rotation {
                return axum::response::IntoResponse::into_response((
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "{\"error\":\"the relay is having a bad day\"}",
                ));
            }
            let response = next.run(request).await;
            if rotating && response.status().is_success() {
                let channel = path.split('/').nth(3).unwrap_or_default().to_owned();
                let (code, body) = send_signed(
                    &reqwest::Client::new(),
                    &own,
                    &channel,
                    &alert_body(100, "in the window"),
                    "msg_window",
                )
                .await
                .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(code, StatusCode::ACCEPTED, "{body}");
            }
            response
        }
    };
    let app = hookbell_relay::router(state)
        .layer(axum::middleware::from_fn(watch))
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    WatchedRelay {
        base,
        queue,
        _dir: dir,
        task,
    }
}

// Row 5 (b): the running client knows the new key before the relay seals to it, and a
// rotation that fails leaves the old key working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_sealed_to_the_new_key_during_rotation_is_not_lost() {
    for fail_rotation in [false, true] {
        let relay = watched_relay(fail_rotation).await;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::copy(
            crate::support::fixture("desktop.toml"),
            dir.path().join("hookbell.toml"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let (desktop, stop, running) = crate::desktop_api::Desktop::start(dir.path()).await;
        let (code, status) = desktop
            .call(
                reqwest::Method::POST,
                "/api/relay/pair",
                Some(serde_json::json!({ "url": relay.base })),
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{status}");
        let channel = status["channel_id"].as_str().unwrap_or_default().to_owned();
        wait_until(Duration::from_secs(10), "the client connected", || async {
            desktop.get("/api/relay").await["state"] == "connected"
        })
        .await;
        let (code, status) = desktop
            .call(reqwest::Method::POST, "/api/relay/rotate", None)
            .await;
        let http = reqwest::Client::new();
        if fail_rotation {
            assert_eq!(code, StatusCode::BAD_GATEWAY, "{status}");
            // The old key still works.
            let (code, _) = send_signed(
                &http,
                &relay.base,
                &channel,
                &alert_body(1, "after"),
                "msg_after",
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(code, StatusCode::ACCEPTED);
            wait_until(
                Duration::from_secs(10),
                "the delivery after a failed rotation stored",
                || async { desktop.get("/api/alerts").await["total"] == 1 },
            )
            .await;
        } else {
            assert_eq!(code, StatusCode::OK, "{status}");
            wait_until(
                Duration::from_secs(10),
                "the delivery sealed in the window stored",
                || async { desktop.get("/api/alerts").await["total"] == 1 },
            )
            .await;
        }
        assert_eq!(
            metric(&http, &relay.base, "hookbell_relay_held_total").await,
            Some(0),
            "no envelope was ever unopenable on the desktop"
        );
        let status = desktop.get("/api/relay").await;
        assert_eq!(status["held"], 0, "/api/relay says none is held: {status}");
        assert!(status["held_reason"].is_null(), "{status}");
        let _ = stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(10), running).await;
        relay.task.abort();
        relay.queue.close();
    }
}

// Row 5 (a), interop: a relay older than the `hold` frame closes the stream (1008) on it; the
// client then stops at such an envelope without acknowledging it, and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_a_relay_without_hold_an_unopenable_envelope_is_never_acknowledged() {
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::protocol::CloseFrame;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let base = format!(
        "http://{}",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    let sealed_to = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let request = signed_request("c", "01STRANGER", 1, chrono::Utc::now());
    let sealed = envelope::seal(&sealed_to.public, &request).unwrap_or_else(|e| panic!("{e}"));
    let frame = serde_json::to_string(&hookbell_relay::protocol::ServerFrame::envelope(
        &hookbell_relay::queue::Envelope {
            seq: 1,
            id: "01STRANGER".into(),
            source_id: "signed".into(),
            received_at: chrono::Utc::now(),
            sealed,
        },
    ))
    .unwrap_or_default();
    let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel::<String>();
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counted = std::sync::Arc::clone(&connections);
    let fake = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let (frame, seen_tx) = (frame.clone(), seen_tx.clone());
            tokio::spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                    return;
                };
                let _ = ws.send(Message::Text(frame.into())).await;
                while let Some(Ok(message)) = ws.next().await {
                    if let Message::Text(text) = message {
                        let _ = seen_tx.send(text.to_string());
                        // What relays before `hold` do with any frame but an ack: close, and
                        // read nothing more (frames behind it are never acted on).
                        if !text.contains("\"ack\"") {
                            let _ = ws
                                .send(Message::Close(Some(CloseFrame {
                                    code: 1008u16.into(),
                                    reason: hookbell_relay::protocol::MALFORMED.into(),
                                })))
                                .await;
                            break;
                        }
                    }
                }
            });
        }
    });
    let other = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let mut config = ClientConfig::new(&base, "c", "t", vec![other.secret.clone()]);
    config.backoff_min = Duration::from_millis(10);
    config.backoff_max = Duration::from_millis(50);
    let client = Client::start(config, CountingSink::default());
    // Each connection clears the error: collect every one said.
    let errors = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut watched = client.subscribe();
    let collected = std::sync::Arc::clone(&errors);
    let collector = tokio::spawn(async move {
        while watched.changed().await.is_ok() {
            let error = watched.borrow_and_update().last_error.clone();
            if let (Some(error), Ok(mut all)) = (error, collected.lock()) {
                all.push(error);
            }
        }
    });
    let said = |what: &'static str| {
        let errors = std::sync::Arc::clone(&errors);
        move || {
            let found = errors
                .lock()
                .map(|all| all.iter().any(|e| e.contains(what)))
                .unwrap_or(false);
            async move { found }
        }
    };
    wait_until(
        Duration::from_secs(10),
        "the client learned the relay cannot hold",
        said("does not know the hold"),
    )
    .await;
    wait_until(
        Duration::from_secs(10),
        "the client stopped at the envelope it cannot open",
        said("cannot hold it"),
    )
    .await;
    wait_until(Duration::from_secs(10), "a third connection", || async {
        connections.load(std::sync::atomic::Ordering::SeqCst) >= 3
    })
    .await;
    collector.abort();
    client.stop().await;
    fake.abort();
    let mut frames = Vec::new();
    while let Ok(frame) = seen.try_recv() {
        frames.push(frame);
    }
    assert!(
        frames.iter().all(|f| !f.contains("\"ack\"")),
        "the envelope was never acknowledged: {frames:?}"
    );
    assert_eq!(
        frames.iter().filter(|f| f.contains("\"hold\"")).count(),
        1,
        "one hold tried, then none: {frames:?}"
    );
}
