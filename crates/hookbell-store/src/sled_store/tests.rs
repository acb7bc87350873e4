use std::sync::Arc;

use chrono::Utc;
use hookbell_core::{AlertPatch, Severity, Status};

use super::*;
use crate::test_support::{cutoff_after, delivery, new_alert, when_unlocked};

fn store() -> (tempfile::TempDir, SledStore) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let store = SledStore::open(dir.path()).unwrap_or_else(|e| panic!("open: {e}"));
    (dir, store)
}

/// Opens the store in `dir` again after it was dropped.
fn reopen(dir: &Path) -> SledStore {
    when_unlocked(|| SledStore::open(dir)).unwrap_or_else(|e| panic!("open: {e}"))
}

fn ingest(
    store: &SledStore,
    source: &str,
    key: &str,
    severity: Severity,
    title: &str,
) -> IngestOutcome {
    store
        .ingest(
            delivery(source),
            b"{}".to_vec(),
            vec![new_alert(key, severity, title)],
        )
        .wait()
        .unwrap_or_else(|e| panic!("ingest: {e}"))
}

/// A page, asked for both ways: every listing test also checks that the page the API answers
/// (`alerts_json`, the stored records as they are) is byte for byte the page read into
/// memory and written out.
fn list(store: &SledStore, query: AlertQuery) -> AlertPage {
    let page = store.alerts(&query).unwrap_or_else(|e| panic!("list: {e}"));
    let json = store
        .alerts_json(&query)
        .unwrap_or_else(|e| panic!("list as JSON: {e}"));
    let written = serde_json::to_vec(&page).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        String::from_utf8_lossy(&json),
        String::from_utf8_lossy(&written),
        "the API's page differs from the page read and written for {query:?}"
    );
    page
}

#[test]
fn a_repeat_bumps_seen_count_instead_of_adding() {
    let (_dir, store) = store();
    let first = ingest(&store, "s", "k1", Severity::High, "one");
    assert!(!first.duplicate);
    assert_eq!(first.created.len(), 1);
    let again = ingest(&store, "s", "k1", Severity::High, "one");
    assert!(again.duplicate);
    assert_eq!(again.alert_ids, first.alert_ids);
    assert_eq!(again.repeated[0].seen_count, 2);
    // The same key on another source is another alert.
    assert!(!ingest(&store, "other", "k1", Severity::High, "one").duplicate);

    let stats = store.stats().unwrap_or_default();
    assert_eq!(stats.total, 2);
    assert_eq!(stats.unread, 2);
    assert_eq!(stats.by_severity.get("high"), Some(&2));
    assert_eq!(stats.by_source.get("s"), Some(&1));
    let stored = store.alert(&first.alert_ids[0]).ok().flatten();
    assert_eq!(
        stored.map(|a| (a.seen_count, a.provider)),
        Some((2, "generic".into()))
    );
}

#[test]
fn a_batch_repeating_itself_makes_one_alert() {
    let (_dir, store) = store();
    let alerts = vec![
        new_alert("a", Severity::Low, "x"),
        new_alert("a", Severity::Low, "x"),
        new_alert("b", Severity::Low, "y"),
    ];
    let out = store
        .ingest(delivery("s"), Vec::new(), alerts)
        .wait()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.created.len(), 2);
    assert_eq!(out.alert_ids[0], out.alert_ids[1]);
    assert_eq!(store.stats().map(|s| s.total).ok(), Some(2));
}

#[test]
fn listing_filters_pages_and_searches() {
    let (_dir, store) = store();
    for i in 0..30 {
        let sev = Severity::ALL[i % 5];
        let source = if i % 2 == 0 { "even" } else { "odd" };
        ingest(
            &store,
            source,
            &format!("k{i}"),
            sev,
            &format!("Alert number {i}"),
        );
    }
    let all = list(&store, AlertQuery::default());
    assert_eq!(all.total, 30);
    assert_eq!(all.alerts.len(), 30);
    assert_eq!(all.alerts[0].title, "Alert number 29", "newest first");

    // Paging walks every alert exactly once, in order.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = list(
            &store,
            AlertQuery {
                limit: Some(7),
                cursor: cursor.clone(),
                ..Default::default()
            },
        );
        assert_eq!(page.total, 30);
        seen.extend(page.alerts.into_iter().map(|a| a.id));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let expected: Vec<String> = all.alerts.iter().map(|a| a.id.clone()).collect();
    assert_eq!(seen, expected);

    let high = list(
        &store,
        AlertQuery {
            min_severity: Some(Severity::High),
            ..Default::default()
        },
    );
    assert_eq!(high.total, 12);
    assert!(high.alerts.iter().all(|a| a.severity >= Severity::High));
    assert!(
        high.alerts.windows(2).all(|w| w[0].id > w[1].id),
        "merged newest first"
    );

    let even_critical = list(
        &store,
        AlertQuery {
            source: Some("even".into()),
            min_severity: Some(Severity::Critical),
            ..Default::default()
        },
    );
    // Critical is i % 5 == 4: i = 4, 14, 24 are even.
    assert_eq!(even_critical.total, 3);

    let search = list(
        &store,
        AlertQuery {
            q: Some("NUMBER 1".into()),
            limit: Some(3),
            ..Default::default()
        },
    );
    // "number 1", "number 10".."number 19"
    assert_eq!(search.total, 11);
    assert_eq!(search.alerts.len(), 3);
    assert!(search.next_cursor.is_some());

    assert!(
        store
            .alerts(&AlertQuery {
                limit: Some(0),
                ..Default::default()
            })
            .is_err()
    );
    assert!(
        store
            .alerts(&AlertQuery {
                cursor: Some("../../x".into()),
                ..Default::default()
            })
            .is_err()
    );
}

#[test]
fn patch_and_delete_keep_counters_and_indexes_true() {
    let (_dir, store) = store();
    let id = ingest(&store, "s", "k", Severity::Medium, "t").alert_ids[0].clone();
    ingest(&store, "s", "k2", Severity::Medium, "t2");

    let done = store
        .patch(
            &id,
            AlertPatch {
                read: None,
                done: Some(true),
            },
        )
        .wait()
        .ok()
        .flatten();
    assert_eq!(done.map(|a| a.status()), Some(Status::Done));
    assert_eq!(store.stats().map(|s| s.unread).ok(), Some(1));
    let done_list = list(
        &store,
        AlertQuery {
            status: Some(Status::Done),
            ..Default::default()
        },
    );
    assert_eq!(
        (done_list.total, done_list.alerts[0].id.clone()),
        (1, id.clone())
    );
    assert_eq!(
        list(
            &store,
            AlertQuery {
                status: Some(Status::Unread),
                ..Default::default()
            }
        )
        .total,
        1
    );

    assert!(store.delete(&id).wait().unwrap_or(false));
    assert!(!store.delete(&id).wait().unwrap_or(true));
    assert_eq!(store.alert(&id).ok().flatten(), None);
    let stats = store.stats().unwrap_or_default();
    assert_eq!((stats.total, stats.unread), (1, 1));
    assert_eq!(
        list(
            &store,
            AlertQuery {
                status: Some(Status::Done),
                ..Default::default()
            }
        )
        .total,
        0
    );
    // A retry of the deleted alert does not bring it back.
    assert!(ingest(&store, "s", "k", Severity::Medium, "t").duplicate);
    assert_eq!(store.stats().map(|s| s.total).ok(), Some(1));
    assert_eq!(
        store
            .patch("01NOPE", AlertPatch::default())
            .wait()
            .ok()
            .flatten(),
        None
    );
}

#[test]
fn quarantine_and_deliveries_are_listed_newest_first() {
    let (_dir, store) = store();
    ingest(&store, "s", "k", Severity::Low, "t");
    let mut bad = delivery("s");
    bad.error = Some("the body is not valid JSON".into());
    let qid = store
        .quarantine(bad, b"not json".to_vec())
        .wait()
        .unwrap_or_default();
    let quarantined = store
        .deliveries(Some(DeliveryStatus::Quarantined), 10)
        .unwrap_or_default();
    assert_eq!(quarantined.len(), 1);
    assert_eq!(quarantined[0].id, qid);
    assert_eq!(store.deliveries(None, 10).map(|d| d.len()).ok(), Some(2));
    let (record, body) = store
        .delivery(&qid)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("missing"));
    assert_eq!(record.status, DeliveryStatus::Quarantined);
    assert_eq!(body, b"not json");
    let activity = store.source_activity("s").unwrap_or_default();
    assert_eq!(
        activity.last_delivery.map(|l| l.status),
        Some(DeliveryStatus::Quarantined)
    );
    assert_eq!(activity.last_refusal, None);
    let refusal = |kind: crate::RefusalKind| crate::Refusal {
        at: chrono::Utc::now(),
        kind,
        reason: format!("{kind:?} reason"),
        header: None,
        what: None,
        distance_secs: None,
        tolerance_secs: None,
    };
    store
        .note_auth_failure("s", &refusal(crate::RefusalKind::Missing))
        .unwrap_or(());
    store
        .note_auth_failure("s", &refusal(crate::RefusalKind::Mismatch))
        .unwrap_or(());
    let activity = store.source_activity("s").unwrap_or_default();
    assert_eq!(activity.auth_failures, 2);
    assert_eq!(
        activity.last_refusal.map(|r| r.kind),
        Some(crate::RefusalKind::Mismatch),
        "the last refusal's reason is kept"
    );
}

#[test]
fn a_refusals_kind_is_stored_as_the_snake_case_word() {
    use crate::RefusalKind;
    let words: Vec<serde_json::Value> = RefusalKind::ALL
        .iter()
        .map(|kind| serde_json::to_value(kind).unwrap_or_default())
        .collect();
    assert_eq!(
        words,
        ["missing", "malformed", "mismatch", "stale", "bad_secret"]
    );
    // A refusal stored by a build whose kind was free text reads back.
    let stored = r#"{"at":"2024-05-01T10:00:00Z","kind":"bad_secret","reason":"r"}"#;
    let refusal: crate::Refusal =
        serde_json::from_str(stored).unwrap_or_else(|e| panic!("read: {e}"));
    assert_eq!(refusal.kind, RefusalKind::BadSecret);
}

#[test]
fn concurrent_refusals_are_each_counted_with_their_reason() {
    let (_dir, store) = store();
    let store = Arc::new(store);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                for n in 0..25 {
                    let refusal = crate::Refusal {
                        at: Utc::now(),
                        kind: crate::RefusalKind::Mismatch,
                        reason: format!("refusal {t}/{n}"),
                        header: None,
                        what: Some("signature".into()),
                        distance_secs: None,
                        tolerance_secs: None,
                    };
                    store
                        .note_auth_failure("s", &refusal)
                        .unwrap_or_else(|e| panic!("note: {e}"));
                }
            })
        })
        .collect();
    for thread in threads {
        thread
            .join()
            .unwrap_or_else(|_| panic!("a thread panicked"));
    }
    let activity = store
        .source_activity("s")
        .unwrap_or_else(|e| panic!("activity: {e}"));
    assert_eq!(activity.auth_failures, 200);
    let last = activity
        .last_refusal
        .unwrap_or_else(|| panic!("no reason kept"));
    assert!(last.reason.starts_with("refusal "), "{}", last.reason);
    assert_eq!(
        store.source_activity("other").map(|a| a.auth_failures).ok(),
        Some(0)
    );
}

#[test]
fn concurrent_writers_all_land_and_survive_reopen() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    {
        let store = Arc::new(SledStore::open(dir.path()).unwrap_or_else(|e| panic!("{e}")));
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let store = Arc::clone(&store);
                std::thread::spawn(move || {
                    for i in 0..50 {
                        ingest(&store, "s", &format!("{t}-{i}"), Severity::Info, "x");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join()
                .unwrap_or_else(|_| panic!("writer thread panicked"));
        }
        store
            .set_setting("language", serde_json::json!("de"))
            .wait()
            .unwrap_or(());
    }
    let store = reopen(dir.path());
    assert_eq!(store.stats().map(|s| s.total).ok(), Some(400));
    assert_eq!(
        list(
            &store,
            AlertQuery {
                limit: Some(500),
                ..Default::default()
            }
        )
        .alerts
        .len(),
        400
    );
    assert_eq!(
        store.setting("language").ok().flatten(),
        Some(serde_json::json!("de"))
    );
}

#[test]
fn a_newer_schema_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    {
        let db = sled::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let tree = db.open_tree("hookbell").unwrap_or_else(|e| panic!("{e}"));
        tree.insert(crate::keys::SCHEMA_VERSION, &99u32.to_be_bytes())
            .unwrap_or_default();
        db.flush().unwrap_or_default();
    }
    let err = when_unlocked(|| SledStore::open(dir.path()))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("schema version 99"), "{err}");
}

#[test]
fn purge_deletes_what_came_before_the_cutoff_and_keeps_the_rest() {
    let (_dir, store) = store();
    let old = ingest(&store, "s", "old", Severity::High, "Old alert");
    let quarantined = store
        .quarantine(delivery("s"), b"not json".to_vec())
        .wait()
        .unwrap_or_else(|e| panic!("quarantine: {e}"));
    // ULIDs count milliseconds: the cutoff must fall after the old ones' millisecond.
    let old_ms = ulid::Ulid::from_string(&quarantined)
        .unwrap_or_else(|e| panic!("ulid: {e}"))
        .timestamp_ms();
    let cutoff = loop {
        let now = Utc::now();
        if u64::try_from(now.timestamp_millis()).unwrap_or(0) > old_ms {
            break now;
        }
        std::thread::yield_now();
    };
    let new = ingest(&store, "s", "new", Severity::Low, "New alert");

    let purged = store
        .purge_before(cutoff)
        .wait()
        .unwrap_or_else(|e| panic!("purge: {e}"));
    assert_eq!(purged.alerts, 1);
    assert_eq!(
        purged.deliveries, 2,
        "the old delivery and the quarantined one"
    );

    let page = list(&store, AlertQuery::default());
    let ids: Vec<&str> = page.alerts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, [new.alert_ids[0].as_str()]);
    assert_eq!(page.total, 1);
    let stats = store.stats().unwrap_or_else(|e| panic!("stats: {e}"));
    assert_eq!((stats.total, stats.by_severity["high"]), (1, 0));
    assert!(matches!(store.alert(&old.alert_ids[0]), Ok(None)));
    assert!(matches!(store.delivery(&quarantined), Ok(None)));
    assert!(matches!(store.delivery(&new.delivery_id), Ok(Some(_))));
    let quarantine = store
        .deliveries(Some(DeliveryStatus::Quarantined), 10)
        .unwrap_or_else(|e| panic!("deliveries: {e}"));
    assert!(quarantine.is_empty());

    // The purged alert's dedup key went with it: a repeat is a new alert.
    let retry = ingest(&store, "s", "old", Severity::High, "Old alert");
    assert!(!retry.duplicate);
    assert_eq!(list(&store, AlertQuery::default()).total, 2);
}

#[test]
fn purge_goes_by_last_seen_and_a_purged_alert_that_comes_again_is_new() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let store = reopen(dir.path());
    let stale = ingest(
        &store,
        "leakix",
        "exposure-1",
        Severity::High,
        "Exposed Redis",
    );
    let active = ingest(
        &store,
        "leakix",
        "exposure-2",
        Severity::Low,
        "Open MongoDB",
    );
    let cutoff = cutoff_after(&active.delivery_id);
    // The second exposure is reported again after the cutoff: it is still current.
    let repeat = ingest(
        &store,
        "leakix",
        "exposure-2",
        Severity::Low,
        "Open MongoDB",
    );
    assert!(repeat.duplicate);

    let purged = store
        .purge_before(cutoff)
        .wait()
        .unwrap_or_else(|e| panic!("purge: {e}"));
    assert_eq!(
        purged.alerts, 1,
        "only the alert last seen before the cutoff"
    );
    assert!(matches!(store.alert(&stale.alert_ids[0]), Ok(None)));
    let kept = store
        .alert(&active.alert_ids[0])
        .unwrap_or_else(|e| panic!("read: {e}"))
        .unwrap_or_else(|| panic!("an alert seen after the cutoff was purged"));
    assert_eq!(kept.seen_count, 2);
    assert!(
        matches!(store.delivery(&active.delivery_id), Ok(Some(_))),
        "a kept alert keeps the delivery it came in"
    );
    assert!(matches!(store.delivery(&stale.delivery_id), Ok(None)));
    assert!(
        !store
            .tree
            .contains_key(keys::dedup("leakix", "exposure-1"))
            .unwrap_or(true),
        "the purged alert's dedup key went with it"
    );
    assert!(
        !store
            .tree
            .contains_key(keys::alert(&stale.alert_ids[0]))
            .unwrap_or(true),
        "the purged alert went, and its index record with it"
    );

    // The same exposure reported again is a new alert, not a duplicate of nothing.
    let again = ingest(
        &store,
        "leakix",
        "exposure-1",
        Severity::High,
        "Exposed Redis",
    );
    assert!(!again.duplicate, "a repeat of a purged alert is new");
    assert_eq!(again.created.len(), 1);
    assert_ne!(again.alert_ids[0], stale.alert_ids[0]);
    let again_again = ingest(
        &store,
        "leakix",
        "exposure-1",
        Severity::High,
        "Exposed Redis",
    );
    assert!(again_again.duplicate, "and it is deduplicated from then on");
    assert_eq!(again_again.alert_ids, again.alert_ids);

    let everything = AlertQuery {
        limit: Some(50),
        ..AlertQuery::default()
    };
    let page = list(&store, everything.clone());
    let ids: Vec<&str> = page.alerts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [again.alert_ids[0].as_str(), active.alert_ids[0].as_str()]
    );
    let stats = store.stats().unwrap_or_else(|e| panic!("stats: {e}"));
    assert_eq!(stats.total, 2);
    assert_eq!(
        (stats.by_severity["high"], stats.by_severity["low"]),
        (1, 1)
    );

    // The index agrees after a clean close (snapshot) and after a rebuild by a scan.
    store.close().unwrap_or_else(|e| panic!("close: {e}"));
    drop(store);
    let store = reopen(dir.path());
    assert!(store.index_from_snapshot());
    assert_eq!(list(&store, everything.clone()), page);
    assert_eq!(store.stats().ok(), Some(stats.clone()));
    store.close().unwrap_or_else(|e| panic!("close: {e}"));
    drop(store);
    std::fs::remove_file(dir.path().join(snapshot::FILE)).unwrap_or_else(|e| panic!("{e}"));
    let store = reopen(dir.path());
    assert!(!store.index_from_snapshot());
    assert_eq!(list(&store, everything), page);
    assert_eq!(store.stats().ok(), Some(stats));
}

#[test]
fn settings_named_by_old_ulids_are_purged_and_the_rest_kept() {
    let (_dir, store) = store();
    let day = chrono::Duration::days(1);
    let now = Utc::now();
    let ulid_at = |t: chrono::DateTime<Utc>| {
        ulid::Ulid::from_parts(u64::try_from(t.timestamp_millis()).unwrap_or(0), 7).to_string()
    };
    let set = |key: &str| {
        store
            .set_setting(key, serde_json::Value::Bool(true))
            .wait()
            .unwrap_or_else(|e| panic!("set {key}: {e}"));
    };
    let old = format!("mark.{}", ulid_at(now - day * 9));
    let recent = format!("mark.{}", ulid_at(now - day));
    let other = format!("other.{}", ulid_at(now - day * 9));
    for key in [&old, &recent, &other] {
        set(key);
    }
    set("notifications");

    let purged = store
        .purge_settings_before("mark.", now - day * 8)
        .wait()
        .unwrap_or_else(|e| panic!("purge: {e}"));
    assert_eq!(purged, 1);
    let has = |key: &str| matches!(store.setting(key), Ok(Some(_)));
    assert!(!has(&old), "the old mark is gone");
    assert!(has(&recent) && has(&other) && has("notifications"));
}

#[test]
fn a_clean_close_saves_the_index_and_only_a_current_snapshot_is_used() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let open = || reopen(dir.path());
    let everything = AlertQuery {
        limit: Some(50),
        ..AlertQuery::default()
    };

    let store = open();
    assert!(!store.index_from_snapshot(), "a new store has no snapshot");
    let read = ingest(
        &store,
        "omniac",
        "k1",
        Severity::Critical,
        "Password leaked",
    );
    ingest(&store, "enzoic", "k2", Severity::Low, "Old breach");
    store
        .patch(
            &read.alert_ids[0],
            AlertPatch {
                read: Some(true),
                done: None,
            },
        )
        .wait()
        .unwrap_or_else(|e| panic!("patch: {e}"));
    let stats = store.stats().unwrap_or_else(|e| panic!("{e}"));
    let page = list(&store, everything.clone());
    store.close().unwrap_or_else(|e| panic!("close: {e}"));
    drop(store);
    let first_snapshot = std::fs::read(dir.path().join(snapshot::FILE))
        .unwrap_or_else(|e| panic!("no snapshot after a clean close: {e}"));

    let store = open();
    assert!(store.index_from_snapshot());
    assert_eq!(store.stats().ok(), Some(stats));
    assert_eq!(list(&store, everything.clone()), page);
    assert_eq!(
        store.tree.get(keys::INDEX_SNAPSHOT).ok().flatten(),
        None,
        "an open store's snapshot is no longer current"
    );
    ingest(&store, "omniac", "k3", Severity::High, "New paste");
    drop(store);

    // The first snapshot is back in place, but the store names the second one: scan.
    std::fs::write(dir.path().join(snapshot::FILE), first_snapshot)
        .unwrap_or_else(|e| panic!("{e}"));
    let store = open();
    assert!(!store.index_from_snapshot(), "a stale snapshot is not used");
    assert_eq!(store.stats().map(|s| s.total).ok(), Some(3));
    let titles: Vec<String> = list(&store, everything)
        .alerts
        .into_iter()
        .map(|a| a.title)
        .collect();
    assert_eq!(titles, ["New paste", "Old breach", "Password leaked"]);
}

/// `new_alert(key)` as its provider reports it: closed or reopened upstream.
fn with_upstream(key: &str, upstream: hookbell_core::Upstream) -> hookbell_core::NewAlert {
    hookbell_core::NewAlert {
        upstream,
        ..new_alert(key, Severity::High, "upstream")
    }
}

fn ingest_new(store: &SledStore, alert: hookbell_core::NewAlert) -> IngestOutcome {
    store
        .ingest(delivery("s"), b"{}".to_vec(), vec![alert])
        .wait()
        .unwrap_or_else(|e| panic!("ingest: {e}"))
}

fn closed(action: &str) -> hookbell_core::Upstream {
    hookbell_core::Upstream::Closed {
        action: action.into(),
        by: Some("octocat".into()),
        reason: Some("tolerable_risk".into()),
    }
}

fn reopened(action: &str) -> hookbell_core::Upstream {
    hookbell_core::Upstream::Reopened {
        action: action.into(),
        by: None,
    }
}

fn status_count(store: &SledStore, status: Status) -> usize {
    list(
        store,
        AlertQuery {
            status: Some(status),
            ..AlertQuery::default()
        },
    )
    .alerts
    .len()
}

#[test]
fn an_upstream_close_makes_the_alert_done_and_a_reopen_brings_it_back() {
    let (dir, store) = store();
    let first = ingest(&store, "s", "repo#1", Severity::High, "one");
    let id = first.alert_ids[0].clone();

    let close = ingest_new(&store, with_upstream("repo#1", closed("fixed")));
    assert!(close.duplicate, "a close is no new alert");
    assert_eq!(close.alert_ids, vec![id.clone()]);
    assert!(close.created.is_empty() && close.reopened.is_empty());
    let done = &close.repeated[0];
    assert!(done.done);
    assert_eq!(done.seen_count, 2);
    assert_eq!(done.details["upstream"]["state"], "closed");
    assert_eq!(done.details["upstream"]["action"], "fixed");
    assert_eq!(done.details["upstream"]["by"], "octocat");
    assert_eq!(done.details["upstream"]["reason"], "tolerable_risk");
    assert!(done.details["upstream"]["at"].is_string());
    // The index follows: listed as done, counted as neither unread nor read.
    assert_eq!(status_count(&store, Status::Done), 1);
    assert_eq!(status_count(&store, Status::Unread), 0);
    assert_eq!(store.stats().unwrap_or_default().unread, 0);

    // The same close again (a redelivery): still done, no reopen.
    let again = ingest_new(&store, with_upstream("repo#1", closed("fixed")));
    assert!(again.reopened.is_empty());
    assert!(again.repeated[0].done);
    assert_eq!(again.repeated[0].seen_count, 3);

    let back_out = ingest_new(&store, with_upstream("repo#1", reopened("reintroduced")));
    assert!(back_out.created.is_empty() && back_out.repeated.is_empty());
    let back = &back_out.reopened[0];
    assert_eq!(back.id, id);
    assert!(!back.done && !back.read);
    assert_eq!(back.details["upstream"]["state"], "reopened");
    assert_eq!(status_count(&store, Status::Unread), 1);
    assert_eq!(status_count(&store, Status::Done), 0);

    // A reopen of an alert that is not done is a plain repeat: nothing to notify again.
    let twice = ingest_new(&store, with_upstream("repo#1", reopened("reopened")));
    assert!(twice.reopened.is_empty());
    assert_eq!(twice.repeated[0].seen_count, 5);

    // An open repeat is a duplicate as before and leaves the state alone.
    let open = ingest(&store, "s", "repo#1", Severity::High, "one");
    assert!(open.duplicate && open.reopened.is_empty());
    assert!(!open.repeated[0].done);

    // What was acknowledged is on disk: the index and the record agree after a reopen.
    drop(store);
    let store = reopen(dir.path());
    let stored = store.alert(&id).ok().flatten();
    assert_eq!(
        stored.as_ref().map(|a| (a.done, a.seen_count)),
        Some((false, 6))
    );
    assert_eq!(status_count(&store, Status::Unread), 1);
}

#[test]
fn an_upstream_escalation_raises_the_severity_and_notifies_again() {
    // GitHub's `publicly_leaked`: the secret of a high alert the user has read was found in
    // public. The alert becomes critical, unread, not done, and is notified again.
    let (dir, store) = store();
    let first = ingest(&store, "s", "repo#9", Severity::High, "one");
    let id = first.alert_ids[0].clone();
    store
        .patch(
            &id,
            AlertPatch {
                read: Some(true),
                ..AlertPatch::default()
            },
        )
        .wait()
        .unwrap_or_else(|e| panic!("patch: {e}"));
    let out = ingest_new(
        &store,
        with_upstream("repo#9", escalated(Severity::Critical)),
    );
    assert!(out.created.is_empty() && out.repeated.is_empty());
    let up = &out.reopened[0];
    assert_eq!(up.id, id);
    assert_eq!(up.severity, Severity::Critical);
    assert!(!up.done && !up.read);
    assert_eq!(up.details["upstream"]["state"], "escalated");
    assert_eq!(up.details["upstream"]["action"], "publicly_leaked");
    // The index follows: found as critical and unread.
    let critical = list(
        &store,
        AlertQuery {
            min_severity: Some(Severity::Critical),
            ..AlertQuery::default()
        },
    );
    assert_eq!(critical.alerts.len(), 1);
    assert_eq!(status_count(&store, Status::Unread), 1);

    // The same escalation again raises nothing: a plain repeat, not notified again.
    let again = ingest_new(
        &store,
        with_upstream("repo#9", escalated(Severity::Critical)),
    );
    assert!(again.reopened.is_empty());
    assert_eq!(again.repeated[0].severity, Severity::Critical);
    // An escalation never lowers a severity.
    let lower = ingest_new(&store, with_upstream("repo#9", escalated(Severity::Low)));
    assert_eq!(lower.repeated[0].severity, Severity::Critical);

    drop(store);
    let store = reopen(dir.path());
    let stored = store.alert(&id).ok().flatten();
    assert_eq!(stored.map(|a| a.severity), Some(Severity::Critical));
}

fn escalated(severity: Severity) -> hookbell_core::Upstream {
    hookbell_core::Upstream::Escalated {
        action: "publicly_leaked".into(),
        severity,
        by: None,
    }
}

#[test]
fn a_first_event_already_closed_creates_the_alert_done() {
    let (_dir, store) = store();
    let out = ingest_new(&store, with_upstream("repo#2", closed("dismissed")));
    assert!(!out.duplicate);
    let alert = &out.created[0];
    assert!(alert.done);
    assert_eq!(alert.details["upstream"]["action"], "dismissed");
    assert_eq!(status_count(&store, Status::Done), 1);
    // Reopening it later is a reopen.
    let back = ingest_new(&store, with_upstream("repo#2", reopened("reopened")));
    assert_eq!(back.reopened.len(), 1);
    assert!(!back.reopened[0].done);
}

#[test]
fn open_and_close_in_one_delivery_leave_one_done_alert() {
    let (_dir, store) = store();
    let mut sent = delivery("s");
    sent.received_at -= chrono::Duration::minutes(5);
    let received_at = sent.received_at;
    let out = store
        .ingest(
            sent,
            b"{}".to_vec(),
            vec![
                new_alert("repo#3", Severity::High, "x"),
                with_upstream("repo#3", closed("fixed")),
            ],
        )
        .wait()
        .unwrap_or_else(|e| panic!("ingest: {e}"));
    assert_eq!(out.created.len(), 1);
    assert!(out.created[0].done);
    assert_eq!(out.created[0].seen_count, 2);
    assert_eq!(status_count(&store, Status::Done), 1);
    // The close is dated like the alert: when the delivery arrived.
    assert_eq!(
        out.created[0].details["upstream"]["at"],
        received_at.to_rfc3339()
    );
    assert_eq!(out.created[0].last_seen_at, received_at);
}

/// Ingests `alerts` in one delivery to source `s`.
fn ingest_all(store: &SledStore, alerts: Vec<hookbell_core::NewAlert>) -> IngestOutcome {
    store
        .ingest(delivery("s"), b"{}".to_vec(), alerts)
        .wait()
        .unwrap_or_else(|e| panic!("ingest: {e}"))
}

#[test]
fn a_stored_alert_seen_twice_in_one_delivery_ends_as_the_last_sighting_says() {
    let (dir, store) = store();
    let id = ingest_new(&store, with_upstream("repo#4", closed("fixed"))).alert_ids[0].clone();
    assert_eq!(status_count(&store, Status::Done), 1);

    // Reopened, then closed again, in one delivery: it ends done, and nothing notifies.
    let out = ingest_all(
        &store,
        vec![
            with_upstream("repo#4", reopened("reopened")),
            with_upstream("repo#4", closed("fixed")),
        ],
    );
    assert_eq!(out.alert_ids, [id.clone(), id.clone()]);
    assert!(out.duplicate && out.created.is_empty());
    assert!(out.reopened.is_empty(), "it ends done: {:?}", out.reopened);
    assert_eq!(out.repeated.len(), 1, "one alert, reported once");
    assert!(out.repeated[0].done);
    assert_eq!(out.repeated[0].seen_count, 3, "both sightings count");
    assert_eq!(out.repeated[0].details["upstream"]["state"], "closed");
    let stored = store.alert(&id).ok().flatten();
    assert_eq!(
        stored.as_ref().map(|a| (a.done, a.seen_count)),
        Some((true, 3))
    );
    assert_eq!(status_count(&store, Status::Done), 1);
    assert_eq!(status_count(&store, Status::Unread), 0);

    // Closed, then reopened, in one delivery: reopened once.
    let out = ingest_all(
        &store,
        vec![
            with_upstream("repo#4", closed("fixed")),
            with_upstream("repo#4", reopened("reintroduced")),
        ],
    );
    assert!(out.repeated.is_empty());
    assert_eq!(out.reopened.len(), 1);
    assert_eq!(out.reopened[0].seen_count, 5);
    assert!(!out.reopened[0].done);
    assert_eq!(status_count(&store, Status::Unread), 1);

    // The alert and its index record agree, also when the index is rebuilt.
    drop(store);
    std::fs::remove_file(dir.path().join(snapshot::FILE)).unwrap_or_else(|e| panic!("{e}"));
    let store = reopen(dir.path());
    assert!(!store.index_from_snapshot());
    let stored = store.alert(&id).ok().flatten();
    assert_eq!(
        stored.as_ref().map(|a| (a.status(), a.seen_count)),
        Some((Status::Unread, 5))
    );
    assert_eq!(status_count(&store, Status::Unread), 1);
    assert_eq!(status_count(&store, Status::Done), 0);
}

#[test]
fn a_deleted_alert_stays_deleted_unless_its_provider_reopens_it() {
    let (_dir, store) = store();
    let first = ingest_new(&store, with_upstream("repo#5", closed("fixed")));
    let old_id = first.alert_ids[0].clone();
    assert!(store.delete(&old_id).wait().unwrap_or(false));

    // A repeat or a close of the deleted alert is a duplicate that lists no alert.
    for upstream in [hookbell_core::Upstream::Open, closed("fixed")] {
        let out = ingest_new(&store, with_upstream("repo#5", upstream));
        assert!(out.duplicate);
        assert!(out.alert_ids.is_empty(), "{:?}", out.alert_ids);
        assert!(out.created.is_empty() && out.repeated.is_empty() && out.reopened.is_empty());
        let record = store.delivery(&out.delivery_id).ok().flatten();
        assert_eq!(
            record.map(|(r, _)| (r.status, r.alert_ids)),
            Some((DeliveryStatus::Duplicate, Vec::new()))
        );
    }
    assert_eq!(store.stats().map(|s| s.total).ok(), Some(0));

    // The provider reopening it is news: the alert is created again, and notifies.
    let out = ingest_new(&store, with_upstream("repo#5", reopened("reintroduced")));
    assert!(!out.duplicate);
    assert_eq!(out.created.len(), 1);
    let new_id = out.created[0].id.clone();
    assert_ne!(new_id, old_id);
    assert_eq!(out.alert_ids, [new_id.as_str()]);
    assert!(!out.created[0].done && !out.created[0].read);
    assert_eq!(out.created[0].details["upstream"]["state"], "reopened");
    assert_eq!(status_count(&store, Status::Unread), 1);

    // From then on it is that alert's repeat.
    let again = ingest(&store, "s", "repo#5", Severity::High, "upstream");
    assert!(again.duplicate);
    assert_eq!(again.alert_ids, [new_id.as_str()]);
    assert_eq!(again.repeated[0].seen_count, 2);
    assert_eq!(
        store
            .tree
            .get(keys::dedup("s", "repo#5"))
            .ok()
            .flatten()
            .as_deref(),
        Some(new_id.as_bytes())
    );
}

#[test]
fn retention_keeps_the_dedup_key_of_an_alert_the_user_deleted() {
    let (_dir, store) = store();
    let deleted = ingest(&store, "s", "gone", Severity::High, "Deleted by the user");
    assert!(store.delete(&deleted.alert_ids[0]).wait().unwrap_or(false));
    let cutoff = cutoff_after(&deleted.delivery_id);
    let purged = store
        .purge_before(cutoff)
        .wait()
        .unwrap_or_else(|e| panic!("purge: {e}"));
    assert_eq!((purged.alerts, purged.deliveries), (0, 1));
    assert!(
        store
            .tree
            .contains_key(keys::dedup("s", "gone"))
            .unwrap_or(false),
        "the deleted alert's dedup key outlives retention"
    );
    let repeat = ingest(&store, "s", "gone", Severity::High, "Deleted by the user");
    assert!(repeat.duplicate && repeat.created.is_empty());
    assert_eq!(store.stats().map(|s| s.total).ok(), Some(0));
}

#[test]
fn a_store_trains_its_dictionaries_as_it_fills_and_reads_everything_back() {
    use crate::codec::{FIRST_TRAINING, Kind};
    let (dir, store) = store();
    let title = |n: u64| format!("Exposed .env configuration on site{n}.example.com:8080");
    let mut ids = Vec::new();
    // Training runs on a thread of its own; the group after it ends writes the dictionary.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut n = 0;
    while !(store.codec.has_dictionary(Kind::Alert) && store.codec.has_dictionary(Kind::Delivery)) {
        assert!(
            std::time::Instant::now() < deadline,
            "no dictionaries after {n} deliveries"
        );
        let outcome = ingest(
            &store,
            "leakix",
            &format!("k{n}"),
            Severity::High,
            &title(n),
        );
        ids.push(outcome.alert_ids[0].clone());
        n += 1;
    }
    assert!(
        n >= FIRST_TRAINING,
        "trained only after {FIRST_TRAINING} records"
    );
    let after = ingest(
        &store,
        "leakix",
        "after",
        Severity::Low,
        "After the dictionary",
    );
    let packed = store
        .tree
        .get(keys::alert(&after.alert_ids[0]))
        .ok()
        .flatten()
        .unwrap_or_default();
    assert_ne!(&packed[1..3], &[0, 0], "a new alert names its dictionary");
    drop(store);

    let store = reopen(dir.path());
    for (n, id) in ids.iter().enumerate() {
        let alert = store.alert(id).ok().flatten();
        assert_eq!(alert.map(|a| a.title), Some(title(n as u64)));
    }
    let after = store.alert(&after.alert_ids[0]).ok().flatten();
    assert_eq!(
        after.map(|a| a.title).as_deref(),
        Some("After the dictionary")
    );
    let newest = &store.deliveries(None, 1).unwrap_or_default()[0].id;
    let body = store.delivery(newest).ok().flatten().map(|(_, body)| body);
    assert_eq!(body.as_deref(), Some(&b"{}"[..]));
}

#[test]
fn a_damaged_alert_record_fails_the_page_it_is_on_both_ways_never_breaks_its_json() {
    let (_dir, store) = store();
    let out = ingest(&store, "s", "k1", Severity::High, "one");
    let key = keys::alert(&out.alert_ids[0]);
    for damaged in [&b"{\"id\":\"01"[..], b"[1,2]", b"{} {}"] {
        store
            .tree
            .insert(&key, damaged)
            .unwrap_or_else(|e| panic!("{e}"));
        let query = AlertQuery::default();
        assert!(
            matches!(store.alerts(&query), Err(StoreError::Corrupt { .. })),
            "read into memory: {damaged:?}"
        );
        assert!(
            matches!(store.alerts_json(&query), Err(StoreError::Corrupt { .. })),
            "as JSON: {damaged:?}"
        );
    }
}
