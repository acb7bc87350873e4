//! What the Sources screen shows to prove a connection: `GET /api/providers` (so the UI's
//! presets cannot drift from the engine), and per source the last delivery and the last
//! refusal's reason, which never holds a secret.

use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::TestServer;

async fn activity(server: &TestServer, id: &str) -> Value {
    let (status, sources) = server.get("/api/sources").await;
    assert_eq!(status, StatusCode::OK);
    sources["sources"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == id).cloned())
        .map(|s| s["activity"].clone())
        .unwrap_or_else(|| panic!("no source {id}: {sources}"))
}

fn basic(user: &str, password: &str) -> Vec<(String, String)> {
    let credentials =
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    vec![("authorization".into(), format!("Basic {credentials}"))]
}

#[tokio::test]
async fn the_providers_list_names_every_adapter_with_a_scheme_it_knows() {
    let server = TestServer::start("hookbell.toml").await;
    let (status, list) = server.get("/api/providers").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let schemes: Vec<&str> = list["schemes"]
        .as_array()
        .map(|s| s.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let ids: Vec<&str> = list["providers"]
        .as_array()
        .map(|p| p.iter().filter_map(|p| p["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids, hookbell_core::providers::ids());
    for provider in list["providers"].as_array().into_iter().flatten() {
        let scheme = provider["default_scheme"].as_str().unwrap_or_default();
        assert!(schemes.contains(&scheme), "{provider}");
        assert!(
            provider["name"].as_str().is_some_and(|n| !n.is_empty()),
            "{provider}"
        );
    }
    for (id, scheme) in [
        ("enzoic", "basic"),
        ("github", "github"),
        ("leakix", "none"),
    ] {
        assert!(
            list["providers"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["id"] == id && p["default_scheme"] == scheme),
            "{id} → {scheme}: {list}"
        );
    }
    let (_, openapi) = server.get("/api/openapi.json").await;
    assert!(openapi["paths"]["/api/providers"]["get"].is_object());
    server.stop().await;
}

#[tokio::test]
async fn a_refusal_says_why_without_the_secret_and_a_delivery_says_when() {
    let server = TestServer::start("hookbell.toml").await;
    let fresh = activity(&server, "enzoic").await;
    assert_eq!(
        fresh["last_delivery"],
        Value::Null,
        "waiting for the first delivery"
    );
    assert_eq!(fresh["last_refusal"], Value::Null);

    // The right key with a wrong secret.
    let body = br#"{"username": "a@b.c", "usernameHash": "ab", "exposureID": "x", "date": "2024-01-01T00:00:00Z"}"#;
    let (status, _) = server
        .post("enzoic", body, &basic("KEY", "WRONG-PASSWORD-42"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let refused = activity(&server, "enzoic").await;
    assert_eq!(refused["auth_failures"], 1);
    assert_eq!(refused["last_refusal"]["kind"], "mismatch", "{refused}");
    assert_eq!(refused["last_refusal"]["what"], "user name and password");
    assert!(refused["last_refusal"]["at"].is_string());
    assert_eq!(
        refused["last_delivery"],
        Value::Null,
        "a refusal is no delivery"
    );
    for path in ["/api/sources", "/api/sources/enzoic"] {
        let (_, answer) = server.get(path).await;
        let text = answer.to_string();
        for secret in ["WRONG-PASSWORD-42", "SECRET"] {
            assert!(!text.contains(secret), "{path} shows {secret}: {text}");
        }
    }

    // No credentials at all: the header is named.
    let (status, _) = server.post("enzoic", body, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let missing = activity(&server, "enzoic").await;
    assert_eq!(missing["last_refusal"]["kind"], "missing", "{missing}");
    assert_eq!(missing["last_refusal"]["header"], "authorization");

    // A correct signature from a clock 9 minutes behind.
    let old = chrono::Utc::now() - chrono::Duration::minutes(9);
    let headers = server
        .auth("signed")
        .sign(b"{}", old, "msg_old")
        .unwrap_or_default();
    let (status, _) = server.post("signed", b"{}", &headers).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let stale = activity(&server, "signed").await;
    assert_eq!(stale["last_refusal"]["kind"], "stale", "{stale}");
    assert!(
        stale["last_refusal"]["distance_secs"]
            .as_i64()
            .is_some_and(|d| (530..=560).contains(&d)),
        "{stale}"
    );
    assert_eq!(stale["last_refusal"]["tolerance_secs"], 300);
    let text = stale.to_string();
    assert!(!text.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "{text}");

    // Then the right credentials: the last delivery says when.
    let (status, answer) = server.deliver("enzoic", body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let delivered = activity(&server, "enzoic").await;
    assert!(delivered["last_delivery"]["at"].is_string(), "{delivered}");
    assert_eq!(delivered["last_delivery"]["status"], "accepted");
    assert_eq!(
        delivered["last_refusal"]["kind"], "missing",
        "the last refusal stays for the record; the UI compares times"
    );
    server.stop().await;
}
