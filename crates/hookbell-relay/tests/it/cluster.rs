//! Two relay nodes (the real binary) sharing one NATS JetStream: what one node starts, the
//! other must see. A key challenge asked of one node is answered on the other; a desktop's
//! newer stream on one node makes its older stream on the other step aside (4000).
//!
//! `#[ignore]`d in the plain runs (they need nats-server): `make relay-cluster-test` (part of
//! `make test`) runs them.

use std::time::Duration;

use base64::Engine as _;
use futures_util::StreamExt;
use hookbell_relay::KeyPair;
use reqwest::StatusCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::{
    EngineSink, NatsServer, RelayProc, desktop_engine, fixture, pair, send_signed, wait_until,
};

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Two relay nodes on one `nats-server -js`, each announcing its URL (`--node-url`).
async fn two_nodes(dir: &std::path::Path) -> (NatsServer, RelayProc, RelayProc) {
    let nats = NatsServer::start(&dir.join("nats")).await;
    let mut nodes = Vec::new();
    for name in ["a", "b"] {
        let data = dir.join(name);
        std::fs::create_dir_all(&data).unwrap_or_else(|e| panic!("{e}"));
        std::fs::copy(fixture("relay.toml"), data.join("hookbell-relay.toml"))
            .unwrap_or_else(|e| panic!("{e}"));
        let listen = format!("127.0.0.1:{}", free_port());
        let url = format!("http://{listen}");
        nodes.push(
            RelayProc::start_exactly(
                &data,
                &listen,
                &[
                    "--nats".as_ref(),
                    nats.url.as_str().as_ref(),
                    "--node-url".as_ref(),
                    url.as_str().as_ref(),
                ],
            )
            .await,
        );
    }
    let b = nodes.pop().unwrap_or_else(|| panic!("node b"));
    let a = nodes.pop().unwrap_or_else(|| panic!("node a"));
    (nats, a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: `make relay-cluster-test` (in `make test`) runs it"]
async fn a_key_challenge_asked_of_one_node_is_answered_on_the_other_once() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (_nats, a, b) = two_nodes(dir.path()).await;
    let (keys, pairing) = pair(&a.base).await;
    let channel = &pairing.channel_id;
    let http = reqwest::Client::new();
    let challenge: serde_json::Value = http
        .post(format!("{}/v1/channels/{channel}/key/challenge", a.base))
        .bearer_auth(&pairing.token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let id = challenge["challenge_id"].as_str().unwrap_or_default();
    let sealed = base64::engine::general_purpose::STANDARD
        .decode(challenge["sealed"].as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    let secret = hookbell_relay::envelope::open_challenge(&keys.secret, channel, id, &sealed)
        .unwrap_or_else(|e| panic!("opening the challenge: {e}"));
    let new_keys = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let body = serde_json::json!({
        "public_key": new_keys.public.to_base64(),
        "challenge_id": id,
        "proof": hookbell_relay::envelope::key_proof(&secret, channel, &new_keys.public),
    });
    let put = |base: String| {
        let (http, body, token) = (http.clone(), body.clone(), pairing.token.clone());
        async move {
            let response = http
                .put(format!("{base}/v1/channels/{channel}/key"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            (response.status(), response.text().await.unwrap_or_default())
        }
    };
    let (status, text) = put(b.base.clone()).await;
    assert_eq!(status, StatusCode::OK, "answered on the other node: {text}");
    // Single use, on every node.
    for node in [&a.base, &b.base] {
        let (status, text) = put(node.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a used challenge: {text}");
    }
    a.kill().await;
    b.kill().await;
}

async fn stream(
    base: &str,
    channel: &str,
    token: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let url = format!(
        "{}/v1/channels/{channel}/stream",
        base.replace("http://", "ws://")
    );
    let mut request = url.into_client_request().unwrap_or_else(|e| panic!("{e}"));
    if let Ok(value) = format!("Bearer {token}").parse() {
        request.headers_mut().insert("authorization", value);
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(ws, _)| ws)
        .unwrap_or_else(|e| panic!("connecting the stream to {base}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: `make relay-cluster-test` (in `make test`) runs it"]
async fn a_newer_stream_on_another_node_takes_over() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (_nats, a, b) = two_nodes(dir.path()).await;
    let (_keys, pairing) = pair(&a.base).await;
    let mut older = stream(&a.base, &pairing.channel_id, &pairing.token).await;
    // The older stream is set up (its backlog frame came) before the newer one claims.
    let first = tokio::time::timeout(Duration::from_secs(10), older.next()).await;
    assert!(
        matches!(first, Ok(Some(Ok(Message::Text(ref t)))) if t.contains("backlog")),
        "{first:?}"
    );
    let mut newer = stream(&b.base, &pairing.channel_id, &pairing.token).await;
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(frame) = older.next().await {
            if let Ok(Message::Close(close)) = frame {
                return close;
            }
        }
        None
    })
    .await
    .unwrap_or_else(|_| panic!("the older stream on node a was not closed within 10 s"));
    let close = closed.unwrap_or_else(|| panic!("the older stream ended without a close frame"));
    assert_eq!(
        u16::from(close.code),
        hookbell_relay::protocol::CLOSE_REPLACED,
        "{close:?}"
    );
    // The newer one carries on.
    let frame = tokio::time::timeout(Duration::from_secs(10), newer.next()).await;
    assert!(
        matches!(frame, Ok(Some(Ok(Message::Text(ref t)))) if t.contains("backlog")),
        "{frame:?}"
    );
    a.kill().await;
    b.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: `make relay-cluster-test` (in `make test`) runs it"]
async fn pairing_hands_out_the_nodes_and_the_desktop_streams_from_one_when_its_url_is_down() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (_nats, a, b) = two_nodes(dir.path()).await;
    let mut want = vec![a.base.clone(), b.base.clone()];
    want.sort();
    // Each node announces itself as it starts: pair until both are listed (with a deadline).
    let mut paired = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while paired.is_none() {
        let (keys, pairing) = pair(&a.base).await;
        if pairing.nodes == want {
            paired = Some((keys, pairing));
        } else {
            assert!(
                tokio::time::Instant::now() < deadline,
                "pairing listed {:?}, not both nodes {want:?}",
                pairing.nodes
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let Some((keys, pairing)) = paired else {
        panic!("not paired");
    };
    // The desktop's own URL (say, the balancer) is down: it streams from a node instead.
    let desktop = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let engine = desktop_engine(desktop.path());
    let mut config = hookbell_relay::ClientConfig::new(
        "http://127.0.0.1:1",
        &pairing.channel_id,
        &pairing.token,
        vec![keys.secret.clone()],
    )
    .with_fallback_urls(&pairing.nodes);
    config.backoff_min = Duration::from_millis(50);
    config.backoff_max = Duration::from_millis(200);
    let client = hookbell_relay::Client::start(
        config,
        EngineSink {
            engine: engine.clone(),
        },
    );
    let http = reqwest::Client::new();
    let (status, body) = send_signed(
        &http,
        &b.base,
        &pairing.channel_id,
        b"{\"id\":\"n1\"}",
        "m1",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    wait_until(Duration::from_secs(20), "the delivery stored", || async {
        engine.store().stats().map(|s| s.total).unwrap_or(0) == 1
    })
    .await;
    client.stop().await;
    a.kill().await;
    b.kill().await;
}
