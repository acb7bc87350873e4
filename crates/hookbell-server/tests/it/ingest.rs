//! The contract's ingestion table, row by row, against the real server.

use std::time::Duration;

use hookbell_server::Event;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{TestServer, payload};

#[tokio::test]
async fn accepted_new_delivery_is_stored_and_announced() {
    let server = TestServer::start("hookbell.toml").await;
    let mut events = server.engine.events().subscribe();
    let (status, body) = server.deliver("signed", &payload("alert.json")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["duplicate"], false);
    assert!(
        body["delivery_id"]
            .as_str()
            .is_some_and(|id| id.len() == 26),
        "{body}"
    );
    let alert_id = body["alerts"][0].as_str().unwrap_or_default().to_owned();

    let (status, alert) = server.get(&format!("/api/alerts/{alert_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        alert["title"],
        "Leaked credentials for alex@example.com found in a paste"
    );
    assert_eq!(alert["severity"], "critical");
    assert_eq!(alert["source"], "signed");
    assert_eq!(alert["provider"], "generic");
    assert_eq!(alert["seen_count"], 1);
    assert_eq!(alert["unrecognized"], false);
    assert_eq!(alert["delivery_id"], body["delivery_id"]);
    for field in [
        "id",
        "external_id",
        "summary",
        "description",
        "recommendation",
        "subject",
        "category",
        "occurred_at",
        "received_at",
        "last_seen_at",
        "read",
        "done",
        "masked_values",
        "links",
        "details",
    ] {
        assert!(
            alert.get(field).is_some(),
            "the Alert JSON lacks {field}: {alert}"
        );
    }

    let event = tokio::time::timeout(Duration::from_secs(5), events.recv()).await;
    match event {
        Ok(Ok(Event::AlertCreated(created))) => assert_eq!(created.id, alert_id),
        other => panic!("expected AlertCreated first, got {other:?}"),
    }
    server.stop().await;
}

#[tokio::test]
async fn a_repeat_is_a_duplicate_that_bumps_seen_count_and_never_notifies() {
    let server = TestServer::start("hookbell.toml").await;
    let body = payload("alert.json");
    let (_, first) = server.deliver_as("signed", &body, "msg_repeat").await;
    let id = first["alerts"][0].as_str().unwrap_or_default().to_owned();
    let (_, before) = server.get(&format!("/api/alerts/{id}")).await;

    let mut events = server.engine.events().subscribe();
    let (status, again) = server.deliver_as("signed", &body, "msg_repeat").await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["alerts"][0], first["alerts"][0]);
    assert_ne!(again["delivery_id"], first["delivery_id"]);

    let (_, after) = server.get(&format!("/api/alerts/{id}")).await;
    assert_eq!(after["seen_count"], 2);
    assert!(
        after["last_seen_at"].as_str() > before["last_seen_at"].as_str(),
        "{before} → {after}"
    );
    assert_eq!(server.stats().await["total"], 1);

    // The repeat announced an update and stats, never a new alert.
    let mut seen_update = false;
    while let Ok(Ok(event)) = tokio::time::timeout(Duration::from_millis(300), events.recv()).await
    {
        match event {
            Event::AlertCreated(a) => panic!("a duplicate announced a new alert: {a:?}"),
            Event::AlertUpdated(a) => seen_update |= a.id == id && a.seen_count == 2,
            _ => {}
        }
    }
    assert!(seen_update, "no AlertUpdated for the duplicate");
    server.stop().await;
}

#[tokio::test]
async fn valid_json_of_an_unexpected_shape_is_kept_unrecognized() {
    let server = TestServer::start("hookbell.toml").await;
    let (status, body) = server
        .deliver("open", &payload("unexpected-shape.json"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["alerts"][0].as_str().unwrap_or_default();
    let (_, alert) = server.get(&format!("/api/alerts/{id}")).await;
    assert_eq!(alert["unrecognized"], true);
    assert_eq!(
        alert["details"]["payload"][1]["event"], "pong",
        "the whole payload is kept"
    );
    server.stop().await;
}

async fn assert_quarantined(server: &TestServer, body: &[u8], expect_in_error: &str) {
    let (status, answer) = server.deliver("open", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let error = answer["error"].as_str().unwrap_or_default();
    assert!(
        error.contains(expect_in_error),
        "error {error:?} should mention {expect_in_error:?}"
    );
    let id = answer["delivery_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (_, list) = server.get("/api/deliveries?status=quarantined").await;
    let listed = list["deliveries"].as_array().cloned().unwrap_or_default();
    let entry = listed.iter().find(|d| d["id"] == id.as_str());
    let entry = entry.unwrap_or_else(|| panic!("delivery {id} is not in the quarantine: {list}"));
    assert_eq!(entry["status"], "quarantined");
    assert!(
        entry["error"]
            .as_str()
            .is_some_and(|e| e.contains(expect_in_error))
    );
    let (_, raw) = server.get(&format!("/api/deliveries/{id}")).await;
    assert_eq!(
        raw["body_encoding"], "utf-8",
        "quarantine keeps text: {raw}"
    );
    assert_eq!(
        raw["body"].as_str().unwrap_or_default(),
        hookbell_core::normalize::scrubbed_text(body),
        "the quarantined body is its scrubbed text"
    );
    assert_eq!(
        raw["delivery"]["body_hash"].as_str().unwrap_or_default(),
        hookbell_core::providers::generic::body_hash(body),
        "the bytes as received are named by their hash"
    );
    assert_eq!(raw["delivery"]["size"], body.len());
}

#[tokio::test]
async fn authenticated_but_unreadable_bodies_are_400_and_quarantined() {
    let server = TestServer::start("hookbell.toml").await;
    assert_quarantined(&server, b"{\"title\": \"cut short", "not valid JSON").await;
    assert_quarantined(&server, b"{\"title\": \"\xff\xfe\"}", "not UTF-8").await;
    assert_quarantined(&server, "[".repeat(1000).as_bytes(), "nested too deeply").await;
    assert_eq!(
        server.stats().await["total"],
        0,
        "nothing unreadable became an alert"
    );
    server.stop().await;
}

/// Issue 14 row 1: an authenticated delivery that cannot be parsed used to be quarantined byte
/// for byte, a plaintext password and all.
#[tokio::test]
async fn a_quarantined_enzoic_delivery_keeps_no_secret() {
    let server = TestServer::start("hookbell.toml").await;
    let secrets = [
        "Tr0ub4dor&3-enzoic",
        "4111111111111111",
        "9f86d081884c7d659a2feaa0",
    ];
    let bodies: [&[u8]; 3] = [
        b"{\"username\": \"a@example.com\", \"plaintextPassword\": \"Tr0ub4dor&3-enzoic\", \"x\": \"\xff\"}",
        b"{\"recoveredCreditCardNumber\": 4111111111111111, \"passwordHash\": \"9f86d081884c7d659a2feaa0\", ",
        b"plaintextPassword=Tr0ub4dor&3-enzoic&card=4111111111111111",
    ];
    let basic = [(
        "authorization".to_owned(),
        "Basic S0VZOlNFQ1JFVA==".to_owned(),
    )];
    for body in bodies {
        let (status, answer) = server.post("enzoic", body, &basic).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        let id = answer["delivery_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let (_, kept) = server.get(&format!("/api/deliveries/{id}")).await;
        let (_, list) = server.get("/api/deliveries?status=quarantined").await;
        for secret in secrets {
            for shown in [&kept, &list, &answer] {
                assert!(!shown.to_string().contains(secret), "{secret} in {shown}");
            }
        }
    }
    let engine = server.engine.clone();
    let dir = server.stop().await;
    drop(engine);
    // The scan reads the quarantined bodies as they mean (they are kept compressed): the
    // scrubbed text of the third body is there to be found.
    let kept = crate::support::records_containing(dir.path(), b"plaintextPassword=");
    assert!(
        !kept.is_empty(),
        "the scan does not read what the store keeps"
    );
    for secret in secrets {
        let on_disk = crate::support::files_containing(dir.path(), secret.as_bytes());
        assert!(on_disk.is_empty(), "{secret} was written to {on_disk:?}");
        let stored = crate::support::records_containing(dir.path(), secret.as_bytes());
        assert!(stored.is_empty(), "{secret} was stored in {stored:?}");
    }
}

/// Issue 14 row 3: any page the user has open could plant an alert on a source without auth
/// with a `no-cors` POST; browsers always send `Origin` or `Sec-Fetch-*` with it.
#[tokio::test]
async fn a_delivery_sent_by_a_browser_is_403_and_stores_nothing() {
    let server = TestServer::start("hookbell.toml").await;
    let body = payload("alert.json");
    for header in [
        ("origin", "https://evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-mode", "no-cors"),
        ("sec-fetch-dest", "empty"),
    ] {
        let headers = [(header.0.to_owned(), header.1.to_owned())];
        let (status, answer) = server.post("open", &body, &headers).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{header:?}: {answer}");
        assert!(
            answer["error"]
                .as_str()
                .is_some_and(|e| e.contains("web browser")),
            "{answer}"
        );
    }
    // A signed delivery carrying a browser header is refused all the same.
    let mut signed = server
        .auth("signed")
        .sign(&body, chrono::Utc::now(), "msg_browser")
        .unwrap_or_default();
    signed.push(("origin".into(), "https://evil.example".into()));
    assert_eq!(
        server.post("signed", &body, &signed).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(server.stats().await["total"], 0);
    let (_, list) = server.get("/api/deliveries").await;
    assert_eq!(list["deliveries"], serde_json::json!([]), "nothing stored");
    // The same delivery from a server is taken, from Node's fetch too (it sends
    // `sec-fetch-mode: cors` and nothing else a browser would).
    let node = [("sec-fetch-mode".to_owned(), "cors".to_owned())];
    assert_eq!(server.post("open", &body, &node).await.0, StatusCode::OK);
    server.stop().await;
}

/// Issue 14 row 4: GitHub does not sign `X-GitHub-Delivery`, so a replay of a signed body with
/// a fresh id header must not pass as a new alert.
#[tokio::test]
async fn a_github_body_replayed_with_a_new_delivery_id_is_a_duplicate() {
    let server = TestServer::start("hookbell.toml").await;
    let body = br#"{"action":"created","alert":{"number":7,"html_url":"https://github.com/o/r/security/dependabot/7"}}"#;
    let signed = server
        .auth("gh")
        .sign(body, chrono::Utc::now(), "ignored")
        .unwrap_or_default();
    let mut answers = Vec::new();
    for delivery_id in ["d-1", "d-2", "d-3"] {
        let mut headers = signed.clone();
        headers.push(("x-github-delivery".into(), delivery_id.into()));
        let (status, answer) = server.post("gh", body, &headers).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answers.push(answer);
    }
    assert_eq!(answers[0]["duplicate"], false);
    assert_eq!(answers[1]["duplicate"], true, "{}", answers[1]);
    assert_eq!(answers[2]["duplicate"], true);
    assert_eq!(server.stats().await["total"], 1);
    server.stop().await;
}

/// Issue 14 row 11: Svix sends the Standard Webhooks signature under `svix-*` names.
#[tokio::test]
async fn svix_header_names_are_accepted_and_their_id_dedups() {
    let server = TestServer::start("hookbell.toml").await;
    let body = payload("alert.json");
    let svix: Vec<(String, String)> = server
        .auth("signed")
        .sign(&body, chrono::Utc::now(), "msg_svix_1")
        .unwrap_or_default()
        .into_iter()
        .map(|(n, v)| (n.replace("webhook-", "svix-"), v))
        .collect();
    let (status, first) = server.post("signed", &body, &svix).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (_, again) = server.post("signed", &body, &svix).await;
    assert_eq!(again["duplicate"], true, "{again}");
    let mut forged = svix.clone();
    if let Some(sig) = forged.iter_mut().find(|(n, _)| n == "svix-signature") {
        sig.1 = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into();
    }
    assert_eq!(
        server.post("signed", &body, &forged).await.0,
        StatusCode::UNAUTHORIZED
    );
    server.stop().await;
}

#[tokio::test]
async fn missing_wrong_or_stale_auth_is_401_and_stores_nothing_but_a_counter() {
    let server = TestServer::start("hookbell.toml").await;
    let body = payload("alert.json");
    let cases: Vec<(&str, Vec<(String, String)>)> = vec![
        ("enzoic", vec![]),
        (
            "enzoic",
            vec![("Authorization".into(), "Basic S0VZOldST05H".into())],
        ),
        (
            "bearer",
            vec![("Authorization".into(), "Bearer nope".into())],
        ),
        ("keyed", vec![("X-Api-Key".into(), "guess".into())]),
        (
            "gh",
            vec![(
                "X-Hub-Signature-256".into(),
                format!("sha256={}", "0".repeat(64)),
            )],
        ),
    ];
    for (source, headers) in &cases {
        let (status, answer) = server.post(source, &body, headers).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{source}: {answer}");
        assert!(answer["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    // Stale: a correct signature made 10 minutes ago.
    let old = chrono::Utc::now() - chrono::Duration::minutes(10);
    for source in ["signed", "osintly"] {
        let headers = server
            .auth(source)
            .sign(&body, old, "msg_old")
            .unwrap_or_default();
        let (status, answer) = server.post(source, &body, &headers).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{source}: {answer}");
        assert!(
            answer["error"]
                .as_str()
                .is_some_and(|e| e.contains("timestamp")),
            "{answer}"
        );
    }
    // A valid signature over other bytes.
    let headers = server
        .auth("osintly")
        .sign(b"{}", chrono::Utc::now(), "m")
        .unwrap_or_default();
    let (status, _) = server.post("osintly", &body, &headers).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    assert_eq!(server.stats().await["total"], 0);
    let (_, deliveries) = server.get("/api/deliveries").await;
    assert_eq!(
        deliveries["deliveries"],
        Value::Array(vec![]),
        "a refused delivery is not kept"
    );
    let (_, sources) = server.get("/api/sources").await;
    let enzoic = sources["sources"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == "enzoic").cloned());
    assert_eq!(
        enzoic.map(|s| s["activity"]["auth_failures"].clone()),
        Some(2.into())
    );
    server.stop().await;
}

#[tokio::test]
async fn each_scheme_accepts_its_own_signature() {
    let server = TestServer::start("hookbell.toml").await;
    for source in [
        "open", "enzoic", "signed", "osintly", "gh", "bearer", "keyed",
    ] {
        let body = format!("{{\"title\": \"hello {source}\"}}");
        let (status, answer) = server.deliver(source, body.as_bytes()).await;
        assert_eq!(status, StatusCode::OK, "{source}: {answer}");
    }
    assert_eq!(server.stats().await["total"], 7);
    server.stop().await;
}

#[tokio::test]
async fn an_unknown_source_is_404() {
    let server = TestServer::start("hookbell.toml").await;
    let (status, answer) = server.post("nobody", b"{}", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|e| e.contains("nobody")),
        "{answer}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_body_over_max_body_bytes_is_413() {
    let server = TestServer::start("hookbell.toml").await;
    // The fixture allows 64 KiB.
    let big = format!("{{\"title\": \"{}\"}}", "x".repeat(70 * 1024));
    let (status, answer) = server.deliver("open", big.as_bytes()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|e| e.contains("65536")),
        "{answer}"
    );
    assert_eq!(server.stats().await["total"], 0);
    server.stop().await;
}

#[tokio::test]
async fn too_many_requests_from_one_peer_is_429_with_retry_after() {
    let server = TestServer::start("ratelimited.toml").await;
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for i in 0..6 {
        let response = server
            .client
            .post(format!("{}/hooks/open", server.base))
            .body(format!("{{\"title\": \"burst {i}\"}}"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        statuses.push(response.status());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
        }
    }
    assert!(
        statuses[..3].iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    assert!(
        retry_after
            .and_then(|s| s.parse::<u64>().ok())
            .is_some_and(|s| s >= 1)
    );
    // The accepted ones are kept.
    assert_eq!(
        server.stats().await["total"].as_u64(),
        Some(statuses.iter().filter(|s| s.is_success()).count() as u64)
    );
    server.stop().await;
}
