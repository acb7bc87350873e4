//! Per-client limits: a client is an IPv4 address or an IPv6 /64, taken from
//! `X-Forwarded-For` only when the request comes from a trusted proxy. A /64 of rotating IPv6
//! peers is refused as one client (429, `Retry-After`, counted), while other clients and the
//! honest desktop carry on.

use std::net::IpAddr;

use hookbell_relay::server::{client_ip, limit_key};
use reqwest::StatusCode;

use crate::support::{HonestDesktop, InProcRelay, alert_body, metric, pair, send_signed};

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn a_client_is_an_ipv4_address_or_an_ipv6_slash_64_behind_trusted_proxies_only() {
    assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
    assert_eq!(
        limit_key(ip("2001:db8:1:2:ffff:1:2:3")),
        ip("2001:db8:1:2::")
    );
    assert_ne!(limit_key(ip("2001:db8:1:3::1")), ip("2001:db8:1:2::"));
    assert_eq!(limit_key(ip("203.0.113.7")), ip("203.0.113.7"));
    assert_eq!(limit_key(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));

    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        "x-forwarded-for",
        "198.51.100.1, 203.0.113.7, 10.0.0.5"
            .parse()
            .unwrap_or_else(|e| panic!("{e:?}")),
    );
    let proxies = [ip("10.0.0.5"), ip("127.0.0.1")];
    // From a trusted proxy: the last address that is not a proxy (the first is the client's
    // own claim, which anyone can write).
    assert_eq!(
        client_ip(ip("127.0.0.1"), &headers, &proxies),
        ip("203.0.113.7")
    );
    // From anyone else, the header counts for nothing.
    assert_eq!(
        client_ip(ip("192.0.2.9"), &headers, &proxies),
        ip("192.0.2.9")
    );
    assert_eq!(client_ip(ip("127.0.0.1"), &headers, &[]), ip("127.0.0.1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slash_64_of_rotating_ipv6_peers_is_limited_as_one_client() {
    let relay = InProcRelay::start("relay-proxied.toml").await;
    // The honest desktop streams throughout.
    let honest = HonestDesktop::start(&relay.base).await;
    let pairing = honest.pairing.clone();
    let http = reqwest::Client::new();
    let post = |from: String| {
        let (http, url) = (
            http.clone(),
            format!("{}/h/{}/signed", relay.base, pairing.channel_id),
        );
        async move {
            let response = http
                .post(url)
                .header("x-forwarded-for", from)
                .body("{}")
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let retry = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
            (
                response.status(),
                retry,
                response.text().await.unwrap_or_default(),
            )
        }
    };
    // The burst (3), each from another address of the same /64, then refused.
    for host in 1..=3 {
        let (status, _, body) = post(format!("2001:db8:1:2::{host:x}")).await;
        assert_eq!(status, StatusCode::ACCEPTED, "within the burst: {body}");
    }
    for host in 4..=20 {
        let (status, retry, body) = post(format!("2001:db8:1:2:{host:x}::1")).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "host {host}: {body}");
        assert!(retry.is_some_and(|s| s >= 1), "Retry-After: {retry:?}");
        assert!(body.contains("2001:db8:1:2::/64"), "{body}");
    }
    assert!(
        metric(
            &http,
            &relay.base,
            "hookbell_relay_refused_total{reason=\"rate_limited\"}"
        )
        .await
        .is_some_and(|n| n >= 17),
        "counted"
    );
    // Another /64, an IPv4 client and the honest desktop's own requests carry on.
    for from in ["2001:db8:1:3::1", "203.0.113.7"] {
        let (status, _, body) = post(from.to_owned()).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{from}: {body}");
    }
    let (status, body) = send_signed(
        &http,
        &relay.base,
        &pairing.channel_id,
        &alert_body(1, "honest"),
        "m",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    // And its delivery arrives (the unsigned ones are the desktop's to refuse).
    honest.wait_for(1, std::time::Duration::from_secs(20)).await;
    honest.stop().await;
    relay.stop().await;
}

/// Opens a connection and sends `head` (a request line and headers, maybe part of a body),
/// then nothing more.
async fn stalled(base: &str, head: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let mut tcp = tokio::net::TcpStream::connect(base.trim_start_matches("http://"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tcp.write_all(head.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tcp
}

/// What the relay sends on `tcp` until it closes it (within `within`).
async fn answer(tcp: &mut tokio::net::TcpStream, within: std::time::Duration) -> String {
    use tokio::io::AsyncReadExt;
    let mut out = Vec::new();
    let read = tokio::time::timeout(within, tcp.read_to_end(&mut out)).await;
    assert!(
        read.is_ok(),
        "the relay did not close the connection within {within:?}"
    );
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_and_slow_bodies_are_cut_off_and_the_desktop_is_served_meanwhile() {
    let relay = InProcRelay::start("relay-strict.toml").await;
    // The honest desktop streams throughout.
    let honest = HonestDesktop::start(&relay.base).await;
    let pairing = honest.pairing.clone();
    // No idle connections kept: the relay closes one that sends nothing for the header
    // timeout (1 s here), and a request racing that close would fail for the wrong reason.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let path = format!("/h/{}/signed", pairing.channel_id);
    // Slow-loris: the headers never end. Closed (no answer is possible) after the header
    // timeout (1 s here).
    let mut loris = stalled(
        &relay.base,
        &format!("POST {path} HTTP/1.1\r\nHost: relay\r\nX-Slow: a"),
    )
    .await;
    // A body that stops coming: 408 with Retry-After, counted.
    let mut slow = stalled(
        &relay.base,
        &format!("POST {path} HTTP/1.1\r\nHost: relay\r\nContent-Length: 100\r\n\r\n{{\"id\":"),
    )
    .await;
    // Meanwhile the honest desktop's provider is served.
    let (status, body) = send_signed(
        &http,
        &relay.base,
        &pairing.channel_id,
        &alert_body(1, "honest"),
        "m1",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let cut = answer(&mut loris, std::time::Duration::from_secs(10)).await;
    assert!(!cut.contains("202"), "{cut}");
    let refused = answer(&mut slow, std::time::Duration::from_secs(10)).await;
    assert!(refused.starts_with("HTTP/1.1 408"), "{refused}");
    assert!(
        refused.to_ascii_lowercase().contains("retry-after: 1"),
        "{refused}"
    );
    assert_eq!(
        metric(
            &http,
            &relay.base,
            "hookbell_relay_refused_total{reason=\"slow_body\"}"
        )
        .await,
        Some(1)
    );
    // The honest delivery sent while both stalled arrives, and so does one sent after.
    let (status, body) = send_signed(
        &http,
        &relay.base,
        &pairing.channel_id,
        &alert_body(2, "honest"),
        "m2",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    honest.wait_for(2, std::time::Duration::from_secs(20)).await;
    honest.stop().await;
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_requests_in_flight_limit_the_relay_answers_503_at_once() {
    let relay = InProcRelay::start("relay-strict.toml").await;
    let (_keys, pairing) = pair(&relay.base).await;
    // No idle connections kept: the relay closes one that sends nothing for the header
    // timeout (1 s here), and a request racing that close would fail for the wrong reason.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let path = format!("/h/{}/signed", pairing.channel_id);
    // Two requests in flight (their bodies stall), the limit here.
    let head = format!("POST {path} HTTP/1.1\r\nHost: relay\r\nContent-Length: 100\r\n\r\n{{");
    let mut first = stalled(&relay.base, &head).await;
    let mut second = stalled(&relay.base, &head).await;
    // Until both are being handled, a third may still get through: ask again (with a
    // deadline) until the first 503.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let refused = loop {
        let response = http
            .get(format!("{}/healthz", relay.base))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if response.status() == StatusCode::SERVICE_UNAVAILABLE {
            break response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok().map(str::to_owned));
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no 503 within 10 s while two requests were in flight"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(refused.as_deref(), Some("1"), "503 with Retry-After");
    // Once the stalled bodies time out (408), requests are served again.
    for tcp in [&mut first, &mut second] {
        let answer = answer(tcp, std::time::Duration::from_secs(10)).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    }
    let (status, body) = send_signed(&http, &relay.base, &pairing.channel_id, b"{}", "m1")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert!(
        metric(
            &http,
            &relay.base,
            "hookbell_relay_refused_total{reason=\"overloaded\"}"
        )
        .await
        .is_some_and(|n| n >= 1)
    );
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_whose_channel_is_unpaired_while_its_body_comes_is_refused_not_stored() {
    use tokio::io::AsyncWriteExt;
    let relay = InProcRelay::start("relay.toml").await;
    let (_keys, pairing) = pair(&relay.base).await;
    let body = alert_body(1, "late");
    let (first, rest) = body.split_at(10);
    // The headers and the body's first bytes: the relay has found the channel and waits for
    // the rest.
    let mut tcp = stalled(
        &relay.base,
        &format!(
            "POST /h/{}/signed HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{}",
            pairing.channel_id,
            body.len(),
            String::from_utf8_lossy(first)
        ),
    )
    .await;
    // The desktop unpairs meanwhile; then the rest of the body comes.
    hookbell_relay::client::unpair(&relay.base, &pairing.channel_id, &pairing.token)
        .await
        .unwrap_or_else(|e| panic!("unpairing: {e}"));
    tcp.write_all(rest).await.unwrap_or_else(|e| panic!("{e}"));
    let answer = answer(&mut tcp, std::time::Duration::from_secs(10)).await;
    // Not a 202 for an envelope of a channel that is gone. On NATS it used to be stored,
    // sealed to the unpaired desktop's key, when the body took longer than the purge after
    // the deletion waits; the sled queue refuses an append to a channel it no longer has.
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    relay.stop().await;
}
