//! Retention against the real server: what it deletes, and that it never suppresses an alert.

use std::time::Duration;

use hookbell_server::Event;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::TestServer;

/// A LeakIX exposure, as the `keyed` (LeakIX) source receives it.
const EXPOSURE: &[u8] = br#"{"event_type": "leak", "event_source": "RedisOpenPlugin", "ip": "192.0.2.200", "port": "6379", "leak": {"severity": "high", "type": "redis"}}"#;

#[tokio::test]
async fn an_exposure_reported_again_after_its_alert_was_purged_is_a_new_alert_that_notifies() {
    let server = TestServer::start("hookbell.toml").await;
    let (status, first) = server.deliver("keyed", EXPOSURE).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["duplicate"], false, "{first}");
    let first_id = first["alerts"][0].as_str().unwrap_or_default().to_owned();
    let (status, settings) = server
        .patch("/api/settings", json!({"retention_days": 30}))
        .await;
    assert_eq!(status, StatusCode::OK, "{settings}");

    // 31 days on, nobody reported it again: the retention deletes it.
    let later = chrono::Utc::now() + chrono::Duration::days(31);
    let purged = hookbell_server::retention::apply_as_of(&server.engine, later)
        .await
        .unwrap_or_else(|e| panic!("retention: {e}"));
    assert_eq!(purged.alerts, 1, "{purged:?}");
    let (status, _) = server.get(&format!("/api/alerts/{first_id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(server.stats().await["total"], 0);

    // The same exposure comes again: a new alert, announced as one.
    let mut events = server.engine.events().subscribe();
    let (status, again) = server.deliver("keyed", EXPOSURE).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        again["duplicate"], false,
        "a repeat of a purged alert is answered as a duplicate of nothing: {again}"
    );
    let new_id = again["alerts"][0].as_str().unwrap_or_default().to_owned();
    assert_ne!(new_id, first_id);
    let (status, alert) = server.get(&format!("/api/alerts/{new_id}")).await;
    assert_eq!(status, StatusCode::OK, "{alert}");
    assert_eq!(alert["seen_count"], 1);
    assert_eq!(server.stats().await["total"], 1);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(Event::AlertCreated(created))) => {
                assert_eq!(created.id, new_id);
                break;
            }
            Ok(Ok(_)) => {}
            other => panic!("no AlertCreated for the new alert: {other:?}"),
        }
    }

    // From then on it is deduplicated as usual.
    let (_, third) = server.deliver("keyed", EXPOSURE).await;
    assert_eq!(third["duplicate"], true, "{third}");
    assert_eq!(third["alerts"][0], again["alerts"][0]);
    server.stop().await;
}

#[tokio::test]
async fn an_exposure_still_reported_is_kept_past_the_retention_window() {
    let server = TestServer::start("hookbell.toml").await;
    let (_, first) = server.deliver("keyed", EXPOSURE).await;
    let id = first["alerts"][0].as_str().unwrap_or_default().to_owned();
    let (status, _) = server
        .patch("/api/settings", json!({"retention_days": 30}))
        .await;
    assert_eq!(status, StatusCode::OK);
    // The repeat comes a few milliseconds after the first sighting, so that the two differ.
    let (_, alert) = server.get(&format!("/api/alerts/{id}")).await;
    let first_seen = time(&alert, "received_at");
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while chrono::Utc::now() < first_seen + chrono::Duration::milliseconds(5) {
        assert!(
            std::time::Instant::now() < deadline,
            "the clock stands still"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let (_, repeat) = server.deliver("keyed", EXPOSURE).await;
    assert_eq!(repeat["duplicate"], true, "{repeat}");

    // As of 30 days after its first sighting, but less after its last: kept.
    let (_, alert) = server.get(&format!("/api/alerts/{id}")).await;
    let last_seen = time(&alert, "last_seen_at");
    let as_of = last_seen + chrono::Duration::days(30) - chrono::Duration::milliseconds(1);
    assert!(as_of - chrono::Duration::days(30) > first_seen);
    let purged = hookbell_server::retention::apply_as_of(&server.engine, as_of)
        .await
        .unwrap_or_else(|e| panic!("retention: {e}"));
    assert_eq!(purged.alerts, 0, "{purged:?}");
    let (status, _) = server.get(&format!("/api/alerts/{id}")).await;
    assert_eq!(status, StatusCode::OK, "an alert still reported is kept");
    server.stop().await;
}

/// The time in `alert[field]`.
fn time(alert: &serde_json::Value, field: &str) -> chrono::DateTime<chrono::Utc> {
    alert[field]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.to_utc())
        .unwrap_or_else(|| panic!("no {field}: {alert}"))
}
