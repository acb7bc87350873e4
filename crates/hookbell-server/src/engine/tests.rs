//! The two halves of ingesting: preparing writes nothing (a failed authentication is counted
//! at commit), and deliveries are stored in the order they are committed, whatever the order
//! they were prepared in. The language new alerts are written in is kept by the engine.

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
    // `json_delivery` sends none of the Standard Webhooks headers: the first one checked is
    // missing.
    assert_eq!(
        (refusal.kind, refusal.header.as_deref()),
        (RefusalKind::Missing, Some("webhook-id")),
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

#[test]
fn each_authentication_error_is_recorded_with_its_kind_and_details() {
    let at = chrono::Utc::now();
    let missing = refusal(
        at,
        &AuthError::Missing {
            header: "X-Hub-Signature-256".into(),
            scheme: "github",
        },
    );
    assert_eq!(
        (
            missing.kind,
            missing.header.as_deref(),
            missing.what.as_deref()
        ),
        (RefusalKind::Missing, Some("X-Hub-Signature-256"), None)
    );
    let malformed = refusal(
        at,
        &AuthError::Malformed {
            header: "Authorization".into(),
            reason: "not base64",
        },
    );
    assert_eq!(
        (malformed.kind, malformed.header.as_deref()),
        (RefusalKind::Malformed, Some("Authorization"))
    );
    let mismatch = refusal(at, &AuthError::Mismatch("signature"));
    assert_eq!(
        (
            mismatch.kind,
            mismatch.what.as_deref(),
            mismatch.header.as_deref()
        ),
        (RefusalKind::Mismatch, Some("signature"), None)
    );
    let stale = refusal(
        at,
        &AuthError::Stale {
            distance_secs: 900,
            tolerance_secs: 300,
        },
    );
    assert_eq!(
        (stale.kind, stale.distance_secs, stale.tolerance_secs),
        (RefusalKind::Stale, Some(900), Some(300))
    );
    let bad = refusal(at, &AuthError::BadSecret("not base64"));
    assert_eq!(bad.kind, RefusalKind::BadSecret);
    for r in [&missing, &malformed, &mismatch, &stale, &bad] {
        assert_eq!(r.at, at);
        assert!(!r.reason.is_empty());
    }
    // The JSON the sources API sends, as before the kind was an enum.
    let json = serde_json::to_value(&bad).unwrap_or_default();
    assert_eq!(json["kind"], "bad_secret");
    assert!(json.get("header").is_none() && json.get("what").is_none());
}

#[test]
fn every_refusal_kind_is_one_the_ui_knows() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/src/lib/types.ts");
    let ts = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let line = ts
        .lines()
        .find(|line| line.trim_start().starts_with("kind: 'missing'"))
        .unwrap_or_else(|| panic!("ui/src/lib/types.ts has no Refusal kind"));
    for kind in RefusalKind::ALL {
        let word = serde_json::to_value(kind).unwrap_or_default();
        let word = word.as_str().unwrap_or_default();
        assert!(
            line.contains(&format!("'{word}'")),
            "ui/src/lib/types.ts: Refusal.kind lacks '{word}': {line}"
        );
    }
}

/// The engine reads the `language` setting from the store once, when it is made, and keeps it
/// with each change it stores: a later engine over the same store starts with the last one.
#[tokio::test]
async fn the_language_is_read_from_the_store_and_kept_with_each_change() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = Config::from_toml(include_str!("../../tests/fixtures/hookbell.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let store: Arc<dyn Store> =
        Arc::new(SledStore::open(dir.path()).unwrap_or_else(|e| panic!("{e}")));
    store
        .set_setting(LANGUAGE_SETTING, serde_json::json!("de"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let engine = Engine::new(Arc::clone(&store), config.clone());
    assert_eq!(engine.language_setting(), Some(Lang::De));
    assert_eq!(engine.lang(), Lang::De);

    engine
        .set_language(Some(Lang::En))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(engine.lang(), Lang::En);
    assert_eq!(
        store.setting(LANGUAGE_SETTING).ok().flatten(),
        Some(serde_json::json!("en")),
        "stored, not only kept"
    );
    assert_eq!(
        Engine::new(Arc::clone(&store), config.clone()).language_setting(),
        Some(Lang::En)
    );

    engine
        .set_language(None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(engine.language_setting(), None);
    assert_eq!(engine.lang(), engine.system_lang);
    assert_eq!(Engine::new(store, config).language_setting(), None);
}
