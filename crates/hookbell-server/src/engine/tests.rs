//! The two halves of ingesting: preparing writes nothing (a failed authentication is counted
//! at commit), and deliveries are stored in the order they are committed, whatever the order
//! they were prepared in.

use std::sync::Arc;

use hookbell_core::Config;
use hookbell_core::testing::json_delivery;
use hookbell_store::{AlertQuery, SledStore};

use super::*;

fn engine(dir: &std::path::Path) -> Engine {
    let config = Config::from_toml(include_str!("../../tests/fixtures/hookbell.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let store = SledStore::open(dir).unwrap_or_else(|e| panic!("{e}"));
    Engine::new(Arc::new(store), config)
}

fn body(id: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "id": id,
        "title": format!("Alert {id}"),
        "severity": "high",
    }))
    .unwrap_or_default()
}

#[tokio::test]
async fn deliveries_are_stored_in_the_order_they_are_committed() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let engine = engine(dir.path());
    let first = engine
        .prepare(json_delivery("open", body("first")))
        .unwrap_or_else(|e| panic!("{e}"));
    let second = engine
        .prepare(json_delivery("open", body("second")))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        engine.store().stats().map(|s| s.total).ok(),
        Some(0),
        "preparing stores nothing"
    );
    // Committed the other way round; the futures are awaited the other way round again.
    let second = engine.commit(second);
    let first = engine.commit(first);
    first.await.unwrap_or_else(|e| panic!("{e}"));
    second.await.unwrap_or_else(|e| panic!("{e}"));
    let newest_first: Vec<String> = engine
        .store()
        .alerts(&AlertQuery::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .alerts
        .into_iter()
        .map(|a| a.external_id)
        .collect();
    assert_eq!(newest_first, ["first", "second"]);
}

#[tokio::test]
async fn a_refused_delivery_is_counted_at_commit_and_never_stored() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let engine = engine(dir.path());
    let auth_failures = |engine: &Engine| {
        engine
            .store()
            .source_activity("signed")
            .map(|a| a.auth_failures)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let forged = engine
        .prepare(json_delivery("signed", body("forged")))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        auth_failures(&engine),
        0,
        "a delivery prepared but never committed (a relay client stopped) is not counted"
    );
    assert!(matches!(
        engine.commit(forged).await,
        Err(IngestError::Unauthorized(_))
    ));
    assert_eq!(auth_failures(&engine), 1);
    let refusal = engine
        .store()
        .source_activity("signed")
        .ok()
        .and_then(|a| a.last_refusal)
        .unwrap_or_else(|| panic!("the refusal's reason is kept"));
    assert!(
        ["missing", "mismatch", "malformed"].contains(&refusal.kind.as_str()),
        "{refusal:?}"
    );
    assert!(!refusal.reason.is_empty());
    assert!(matches!(
        engine.prepare(json_delivery("nobody", body("x"))),
        Err(IngestError::UnknownSource(_))
    ));
    assert_eq!(engine.store().stats().map(|s| s.total).ok(), Some(0));
}

#[tokio::test]
async fn an_unreadable_body_is_quarantined_at_commit() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let engine = engine(dir.path());
    let prepared = engine
        .prepare(json_delivery("open", b"{not json".to_vec()))
        .unwrap_or_else(|e| panic!("{e}"));
    let quarantined = |engine: &Engine| {
        engine
            .store()
            .deliveries(Some(hookbell_store::DeliveryStatus::Quarantined), 10)
            .map(|d| d.len())
            .unwrap_or(0)
    };
    assert_eq!(quarantined(&engine), 0, "nothing kept before the commit");
    match engine.commit(prepared).await {
        Err(IngestError::Quarantined { delivery_id, .. }) => assert!(!delivery_id.is_empty()),
        other => panic!("expected quarantine, got {other:?}"),
    }
    assert_eq!(quarantined(&engine), 1);
}
