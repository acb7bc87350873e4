//! Abuse of the relay's store and connections, on both backends: each limit is driven past
//! and its refusal asserted with its status and `Retry-After`, while the honest desktop's
//! deliveries keep arriving.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::StatusCode;

use crate::support::{HonestDesktop, InProcRelay, metric, nats_backend, pair, wait_until};

/// A provider's unsigned POST of `size` bytes to `channel` (the relay seals whatever comes;
/// the desktop judges signatures): its status and `Retry-After`.
async fn post(
    http: &reqwest::Client,
    base: &str,
    channel: &str,
    size: usize,
) -> (StatusCode, Option<u64>) {
    let response = http
        .post(format!("{base}/h/{channel}/signed"))
        .body(vec![b'x'; size])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let retry = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    (response.status(), retry)
}

/// Sealed bytes waiting over all channels, from `/metrics`.
async fn queued_bytes(http: &reqwest::Client, base: &str) -> u64 {
    metric(http, base, "hookbell_relay_queue_bytes")
        .await
        .unwrap_or_else(|| panic!("no hookbell_relay_queue_bytes"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_past_its_byte_quota_gets_429_until_its_desktop_drains_it() {
    let relay = InProcRelay::start("relay-fill.toml").await;
    let (_keys, pairing) = pair(&relay.base).await;
    let channel = &pairing.channel_id;
    let http = reqwest::Client::new();
    // 1,536-byte bodies seal to about 2.7 KB: three fit under 8 KiB, the fourth does not.
    let mut accepted = 0;
    let refused = loop {
        let (status, retry) = post(&http, &relay.base, channel, 1536).await;
        if status != StatusCode::ACCEPTED {
            break (status, retry);
        }
        accepted += 1;
        assert!(accepted <= 8, "no refusal after {accepted} deliveries");
    };
    assert!(accepted >= 2, "only {accepted} accepted");
    assert_eq!(refused, (StatusCode::TOO_MANY_REQUESTS, Some(60)));
    assert!(
        metric(
            &http,
            &relay.base,
            "hookbell_relay_refused_total{reason=\"quota\"}"
        )
        .await
        .is_some_and(|n| n >= 1)
    );
    // The desktop acknowledges what is queued: room again.
    let queued = relay.queued(channel).await;
    let last = queued
        .last()
        .map(|e| e.seq)
        .unwrap_or_else(|| panic!("nothing queued"));
    assert_eq!(queued.len(), accepted);
    relay.ack(channel, last).await;
    wait_until(Duration::from_secs(10), "room after the ack", || async {
        post(&http, &relay.base, channel, 1536).await.0 == StatusCode::ACCEPTED
    })
    .await;
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_channels_filling_the_disk_hit_the_quotas_while_the_honest_desktop_is_served() {
    const CHANNELS: usize = 1000;
    const GLOBAL: u64 = 1_000_000;
    let relay = InProcRelay::start("relay-fill.toml").await;
    let http = reqwest::Client::new();
    // The honest desktop has three deliveries waiting before it connects, then streams
    // throughout.
    let (keys, pairing) = pair(&relay.base).await;
    let honest_pairing = pairing.clone();
    for n in 0..3 {
        let (status, body) = crate::support::send_signed(
            &http,
            &relay.base,
            &pairing.channel_id,
            &crate::support::alert_body(n, "honest"),
            &format!("honest_before_{n}"),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    let honest = HonestDesktop::connect(&relay.base, keys, honest_pairing);
    honest.wait_for(3, Duration::from_secs(20)).await;

    let started = std::time::Instant::now();
    // One key for all (the relay does not care), one HTTP client (a new one per pairing
    // would spend the test's time loading root certificates).
    let key = hookbell_relay::KeyPair::generate()
        .unwrap_or_else(|e| panic!("{e}"))
        .public
        .to_base64();
    let abusers: Vec<String> = futures_util::stream::iter(0..CHANNELS)
        .map(|_| {
            let (http, base, key) = (&http, &relay.base, &key);
            async move {
                let response = http
                    .post(format!("{base}/v1/channels"))
                    .json(&serde_json::json!({ "public_key": key }))
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("pairing: {e}"));
                assert_eq!(response.status(), StatusCode::CREATED);
                let body: serde_json::Value =
                    response.json().await.unwrap_or_else(|e| panic!("{e}"));
                body["channel_id"]
                    .as_str()
                    .unwrap_or_else(|| panic!("no channel_id: {body}"))
                    .to_owned()
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    println!("{CHANNELS} channels paired in {:?}", started.elapsed());
    // Each abuser posts 1,536-byte bodies until refused; every 100 channels, the honest
    // desktop's provider sends one delivery, which must be accepted.
    let mut statuses = std::collections::BTreeMap::<u16, u64>::new();
    let mut sent_honest = 3;
    for (round, chunk) in abusers.chunks(100).enumerate() {
        let refusals: Vec<(StatusCode, Option<u64>)> = futures_util::stream::iter(chunk)
            .map(|channel| {
                let (http, base) = (&http, &relay.base);
                async move {
                    for _ in 0..10 {
                        let (status, retry) = post(http, base, channel, 1536).await;
                        if status != StatusCode::ACCEPTED {
                            return (status, retry);
                        }
                    }
                    panic!(
                        "channel {channel}: ten deliveries of 1.5 KB accepted past its 8 KiB quota"
                    );
                }
            })
            .buffer_unordered(16)
            .collect()
            .await;
        for (status, retry) in refusals {
            match status {
                StatusCode::TOO_MANY_REQUESTS => assert_eq!(retry, Some(60)),
                StatusCode::SERVICE_UNAVAILABLE => assert_eq!(retry, Some(120)),
                other => panic!("an abuser was refused with {other}"),
            }
            *statuses.entry(status.as_u16()).or_default() += 1;
        }
        let status = honest
            .send(&http, &relay.base, 1000 + round, "honest")
            .await;
        assert_eq!(
            status,
            StatusCode::ACCEPTED,
            "the honest desktop's delivery in round {round}"
        );
        sent_honest += 1;
    }
    println!(
        "abusers refused: {statuses:?} after {:?}",
        started.elapsed()
    );
    assert!(statuses.get(&429).is_some_and(|n| *n >= 1), "{statuses:?}");
    assert!(
        statuses.get(&503).is_some_and(|n| *n >= 500),
        "{statuses:?}"
    );
    for reason in ["quota", "global_quota"] {
        let name = format!("hookbell_relay_refused_total{{reason=\"{reason}\"}}");
        assert!(
            metric(&http, &relay.base, &name)
                .await
                .is_some_and(|n| n >= 1),
            "{name}"
        );
    }
    // Bounded: the quota, plus per channel at most its 4 KiB reserve and what sealing adds
    // to the last body it let in (and what JetStream adds per message).
    let held = queued_bytes(&http, &relay.base).await;
    assert!(
        held <= GLOBAL + (CHANNELS as u64 + 1) * 6144,
        "{held} bytes queued"
    );
    // Every honest delivery arrived, and the honest channel is drained.
    honest.wait_for(sent_honest, Duration::from_secs(20)).await;
    wait_until(
        Duration::from_secs(10),
        "the honest channel to drain",
        || async { relay.queued(&honest.pairing.channel_id).await.is_empty() },
    )
    .await;
    let status = honest.client.status();
    assert_eq!(status.delivered, sent_honest, "{status:?}");
    honest.stop().await;
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn below_the_free_disk_floor_every_delivery_gets_503_on_sled() {
    let relay = InProcRelay::start("relay-floor.toml").await;
    let (_keys, pairing) = pair(&relay.base).await;
    let http = reqwest::Client::new();
    let (status, retry) = post(&http, &relay.base, &pairing.channel_id, 10).await;
    let refused = metric(
        &http,
        &relay.base,
        "hookbell_relay_refused_total{reason=\"disk_floor\"}",
    )
    .await;
    if nats_backend() {
        // The envelopes are on the NATS servers' disks, which they guard themselves
        // (max_file_store): the relay's floor is for its own data directory.
        assert_eq!((status, refused), (StatusCode::ACCEPTED, Some(0)));
    } else {
        assert_eq!(
            (status, retry),
            (StatusCode::SERVICE_UNAVAILABLE, Some(120))
        );
        assert_eq!(refused, Some(1));
        assert!(relay.queued(&pairing.channel_id).await.is_empty());
    }
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_channel_expires_with_its_envelopes_and_a_connected_one_stays() {
    let relay = InProcRelay::start("relay-idle.toml").await;
    let http = reqwest::Client::new();
    let active = HonestDesktop::start(&relay.base).await;
    wait_until(
        Duration::from_secs(10),
        "the active desktop to connect",
        || async { active.client.status().state == hookbell_relay::ConnectionState::Connected },
    )
    .await;
    let (_keys, idle) = pair(&relay.base).await;
    let (status, _) = post(&http, &relay.base, &idle.channel_id, 10).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    // Asked through the stream (a delivery posted meanwhile would race the deletion).
    let gone = |channel: String, token: String| {
        let base = relay.base.clone();
        async move {
            reqwest::Client::new()
                .get(format!("{base}/v1/channels/{channel}/stream"))
                .bearer_auth(token)
                .send()
                .await
                .is_ok_and(|r| r.status() == StatusCode::NOT_FOUND)
        }
    };
    // Idle for 2 s (looked for every 0.5 s): gone, envelopes and token with it.
    wait_until(
        Duration::from_secs(15),
        "the idle channel to expire",
        || gone(idle.channel_id.clone(), idle.token.clone()),
    )
    .await;
    // The record goes first, then the envelopes (NATS: a purge after the delete).
    wait_until(
        Duration::from_secs(10),
        "the idle channel's envelopes to go",
        || async { relay.queued(&idle.channel_id).await.is_empty() },
    )
    .await;
    // Its provider is told the channel is gone.
    let (status, _) = post(&http, &relay.base, &idle.channel_id, 10).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Another idle period passes (a channel paired now expires too); the connected desktop's
    // channel stays and its deliveries arrive.
    let (_keys, later) = pair(&relay.base).await;
    wait_until(
        Duration::from_secs(15),
        "a later idle channel to expire",
        || gone(later.channel_id.clone(), later.token.clone()),
    )
    .await;
    let status = active.send(&http, &relay.base, 1, "active").await;
    assert_eq!(status, StatusCode::ACCEPTED);
    active.wait_for(1, Duration::from_secs(10)).await;
    assert!(
        metric(
            &http,
            &relay.base,
            "hookbell_relay_idle_channels_expired_total"
        )
        .await
        .is_some_and(|n| n >= 2)
    );
    active.stop().await;
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_connection_limit_a_connection_gets_503_and_is_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let relay = InProcRelay::start("relay-connections.toml").await;
    let addr = relay.base.trim_start_matches("http://").to_owned();
    // Three connections open (the limit here), each served once and kept alive, so each
    // surely holds its place before the fourth comes.
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut tcp = tokio::net::TcpStream::connect(&addr)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mut seen = Vec::new();
        let mut buf = [0u8; 1024];
        while !String::from_utf8_lossy(&seen).ends_with("ok\n") {
            let n = tokio::time::timeout(Duration::from_secs(10), tcp.read(&mut buf))
                .await
                .unwrap_or_else(|_| panic!("no answer within 10 s"))
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(n > 0, "closed: {}", String::from_utf8_lossy(&seen));
            seen.extend_from_slice(&buf[..n]);
        }
        held.push(tcp);
    }
    // The fourth is told 503 with Retry-After, and closed.
    let mut fourth = tokio::net::TcpStream::connect(&addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), fourth.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the fourth connection was not closed");
    let answer = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    assert!(answer.starts_with("http/1.1 503"), "{answer}");
    assert!(answer.contains("retry-after: 1"), "{answer}");
    // One closes: a new connection is served.
    drop(held.pop());
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    wait_until(
        Duration::from_secs(10),
        "a connection served again",
        || async {
            http.get(format!("{}/healthz", relay.base))
                .send()
                .await
                .is_ok_and(|r| r.status() == StatusCode::OK)
        },
    )
    .await;
    drop(held);
    wait_until(Duration::from_secs(10), "the refusal counted", || async {
        metric(
            &http,
            &relay.base,
            "hookbell_relay_connections_refused_total",
        )
        .await
        .is_some_and(|n| n >= 1)
    })
    .await;
    relay.stop().await;
}
