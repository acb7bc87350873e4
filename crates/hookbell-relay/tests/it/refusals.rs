//! Bad requests get clear errors and the relay stays up: wrong token, unknown channel,
//! oversize body, quota exhausted, malformed WebSocket frames.

use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::{InProcRelay, pair, send_signed};

async fn connect(
    base: &str,
    channel: &str,
    token: &str,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    tokio_tungstenite::tungstenite::Error,
> {
    let url = format!(
        "{}/v1/channels/{channel}/stream",
        base.replace("http://", "ws://")
    );
    let mut request = url.into_client_request()?;
    if let Ok(value) = format!("Bearer {token}").parse() {
        request.headers_mut().insert("authorization", value);
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(ws, _)| ws)
}

/// POSTs `chunks` chunks of `size` bytes with no Content-Length; the response's status.
async fn chunked_post(base: &str, channel: &str, chunks: usize, size: usize) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut tcp = tokio::net::TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut request = format!(
        "POST /h/{channel}/signed HTTP/1.1\r\nHost: {addr}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for _ in 0..chunks {
        request.extend_from_slice(format!("{size:x}\r\n").as_bytes());
        request.extend(std::iter::repeat_n(b'x', size));
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    // The relay may answer and close before reading everything.
    let _ = tcp.write_all(&request).await;
    let mut answer = Vec::new();
    let _ = tcp.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn http_status(e: tokio_tungstenite::tungstenite::Error) -> u16 {
    match e {
        tokio_tungstenite::tungstenite::Error::Http(response) => response.status().as_u16(),
        other => panic!("expected an HTTP refusal, got {other}"),
    }
}

#[tokio::test]
async fn refusals_are_clear_and_the_relay_stays_up() {
    let relay = InProcRelay::start("relay-small.toml").await;
    let (_, pairing) = pair(&relay.base).await;
    let http = reqwest::Client::new();
    let channel = &pairing.channel_id;

    // Wrong token, no token, unknown channel on the stream.
    assert_eq!(
        http_status(
            connect(&relay.base, channel, "hbr_wrong")
                .await
                .err()
                .unwrap_or_else(|| panic!("accepted a wrong token"))
        ),
        401
    );
    assert_eq!(
        http_status(
            connect(&relay.base, "0".repeat(32).as_str(), &pairing.token)
                .await
                .err()
                .unwrap_or_else(|| panic!("accepted an unknown channel"))
        ),
        404
    );
    let response = http
        .get(format!("{}/v1/channels/{channel}/stream", relay.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    assert!(
        body["error"].as_str().is_some_and(|e| e.contains("Bearer")),
        "{body}"
    );

    // Unknown channel on ingest.
    let (status, body) = send_signed(&http, &relay.base, &"f".repeat(32), b"{}", "m0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    // Oversize: declared, and streamed without a length.
    let response = http
        .post(format!("{}/h/{channel}/signed", relay.base))
        .body(vec![b'x'; 2048])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(chunked_post(&relay.base, channel, 2, 800).await, 413);

    // Quota: three fit, the fourth waits.
    for n in 0..3 {
        let (status, body) =
            send_signed(&http, &relay.base, channel, b"{\"id\":1}", &format!("m{n}"))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    let response = http
        .post(format!("{}/h/{channel}/signed", relay.base))
        .body("{}")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        response.headers().get("retry-after").is_some(),
        "429 carries Retry-After"
    );

    // Malformed frames: a clear close reason, then the relay still streams.
    for bad in [
        Message::Text("not json".into()),
        Message::Text(r#"{"type":"ack"}"#.into()),
        Message::Binary(vec![1, 2, 3].into()),
    ] {
        let mut ws = connect(&relay.base, channel, &pairing.token)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        ws.send(bad).await.unwrap_or_else(|e| panic!("{e}"));
        let mut reason = None;
        while let Some(Ok(message)) = ws.next().await {
            if let Message::Close(Some(frame)) = message {
                reason = Some((u16::from(frame.code), frame.reason.to_string()));
                break;
            }
        }
        let (code, reason) = reason.unwrap_or_else(|| panic!("no close frame"));
        assert_eq!(code, 1008);
        assert!(reason.contains("malformed frame"), "{reason}");
    }
    let mut ws = connect(&relay.base, channel, &pairing.token)
        .await
        .unwrap_or_else(|e| panic!("the relay stopped streaming: {e}"));
    let mut envelopes = 0;
    while let Some(Ok(message)) = ws.next().await {
        if let Message::Text(text) = message {
            let frame: serde_json::Value = serde_json::from_str(text.as_str()).unwrap_or_default();
            if frame["type"] == "envelope" {
                envelopes += 1;
                if envelopes == 3 {
                    break;
                }
            }
        }
    }
    assert_eq!(envelopes, 3, "the queued envelopes are still there");
    let health = http
        .get(format!("{}/healthz", relay.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(health.status(), StatusCode::OK);
    relay.stop().await;
}
