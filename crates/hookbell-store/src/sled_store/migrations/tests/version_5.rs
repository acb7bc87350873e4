//! Version 4 → 5: each alert's index record moves from `x/` to the front of the alert's value,
//! and the store answers as it did.

use std::path::Path;

use hookbell_core::{AlertPatch, Severity, Status};

use super::{closed_tree, index_records_back_under_x, open, stored_version};
use crate::codec::{self, Front};
use crate::index::Meta;
use crate::query::AlertQuery;
use crate::test_support::{delivery, new_alert};
use crate::{SledStore, Store, keys};

/// An id no alert has: the index record a version left behind without its alert.
const ORPHAN: &str = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

/// Rewrites the closed store in `dir` as schema 4 kept it: each alert's value the packed alert
/// alone and its index record under `x/`, plus one `x/` record without an alert; and takes
/// the snapshot's name away, so that the next open must read the index from the records.
fn as_schema_4(dir: &Path) {
    let (db, tree) = closed_tree(dir);
    index_records_back_under_x(&tree);
    let stray = Meta::decode(&[2, 0, 3, b'x', b'y', b'z']).unwrap_or_else(|| panic!("a record"));
    tree.insert(keys::meta(ORPHAN), stray.encode())
        .unwrap_or_else(|e| panic!("{e}"));
    tree.remove(keys::INDEX_SNAPSHOT)
        .unwrap_or_else(|e| panic!("{e}"));
    tree.insert(keys::SCHEMA_VERSION, &4u32.to_be_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    db.flush().unwrap_or_else(|e| panic!("{e}"));
}

/// What the store answers: every alert, newest first, the counters, and a search.
fn answers(store: &SledStore) -> (String, String, u64) {
    let page = store
        .alerts(&AlertQuery::default())
        .unwrap_or_else(|e| panic!("alerts: {e}"));
    let stats = store.stats().unwrap_or_else(|e| panic!("stats: {e}"));
    let found = store
        .alerts(&AlertQuery {
            q: Some("site2.example".into()),
            status: Some(Status::Read),
            ..AlertQuery::default()
        })
        .unwrap_or_else(|e| panic!("search: {e}"))
        .total;
    (
        serde_json::to_string(&page).unwrap_or_default(),
        serde_json::to_string(&stats).unwrap_or_default(),
        found,
    )
}

/// `tests/fixtures/store-v4`, written by `examples/write-fixture.rs` with the store of schema
/// 4 (main at b800e52): it opens, answers everything as it did, and keeps no `x/` record.
#[test]
fn the_schema_4_fixture_opens_and_answers_as_it_did() {
    let (_dir, path, manifest) = super::version_4::fixture_named("store-v4");
    let before = {
        let (_db, tree) = closed_tree(&path);
        let version = tree.get(keys::SCHEMA_VERSION).ok().flatten();
        assert_eq!(
            version.as_deref(),
            Some(&4u32.to_be_bytes()[..]),
            "a store of schema 4"
        );
        tree.scan_prefix(keys::META).count()
    };
    assert_eq!(before, 7, "one x/ record per alert the store held");
    let store = open(&path);
    assert_eq!(
        stored_version(&store),
        Some(crate::sled_store::SCHEMA_VERSION)
    );
    super::version_4::answers_as_before(&store, &manifest);
    assert_eq!(store.tree.scan_prefix(keys::META).count(), 0);
    for value in store.tree.scan_prefix(keys::ALERT).values() {
        let value = value.unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            codec::index_record(&value),
            Front::IndexRecord(..)
        ));
    }
    drop(store);
    // A second open changes nothing.
    let store = open(&path);
    super::version_4::answers_as_before(&store, &manifest);
}

#[test]
fn a_store_of_schema_4_moves_its_index_records_into_its_alerts_losing_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let before = {
        let store = open(dir.path());
        let mut ids = Vec::new();
        for (n, severity) in [
            Severity::Low,
            Severity::High,
            Severity::Critical,
            Severity::Medium,
        ]
        .into_iter()
        .enumerate()
        {
            let title = format!("Exposed .env on site{n}.example.com");
            let outcome = store
                .ingest(
                    delivery("leakix"),
                    b"{}".to_vec(),
                    vec![new_alert(&format!("e{n}"), severity, &title)],
                )
                .wait()
                .unwrap_or_else(|e| panic!("ingest: {e}"));
            ids.push(outcome.alert_ids[0].clone());
        }
        // Seen twice, read, done, deleted: each changes what the index says.
        store
            .ingest(
                delivery("leakix"),
                b"{}".to_vec(),
                vec![new_alert("e0", Severity::Low, "again")],
            )
            .wait()
            .unwrap_or_else(|e| panic!("{e}"));
        let patch = |read, done| AlertPatch { read, done };
        for (id, patch) in [
            (&ids[2], patch(Some(true), None)),
            (&ids[1], patch(None, Some(true))),
        ] {
            store
                .patch(id, patch)
                .wait()
                .unwrap_or_else(|e| panic!("{e}"));
        }
        assert!(store.delete(&ids[3]).wait().unwrap_or(false));
        answers(&store)
    };
    assert_eq!(before.2, 1, "the read alert on site2 is found");
    as_schema_4(dir.path());

    let store = open(dir.path());
    assert_eq!(
        stored_version(&store),
        Some(crate::sled_store::SCHEMA_VERSION)
    );
    assert!(
        !store.index_from_snapshot(),
        "the index was read from the alerts"
    );
    assert_eq!(answers(&store), before);
    assert_eq!(
        store.tree.scan_prefix(keys::META).count(),
        0,
        "no x/ record is left"
    );
    let mut alerts = 0;
    for entry in store.tree.scan_prefix(keys::ALERT) {
        let (key, value) = entry.unwrap_or_else(|e| panic!("{e}"));
        let Front::IndexRecord(meta, _) = codec::index_record(&value) else {
            panic!("an alert without its index record")
        };
        let id = keys::id_after(&key, keys::ALERT.len()).unwrap_or_default();
        let alert = store
            .alert(&id)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("alert {id}"));
        assert_eq!(Meta::decode(meta), Some(Meta::of(&alert)));
        alerts += 1;
    }
    assert_eq!(alerts, 3, "the deleted alert stays deleted");
    // A change after the upgrade, then the snapshot's way in: the same answers.
    let first = store
        .alerts(&AlertQuery::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let id = first.alerts[0].id.clone();
    store
        .patch(
            &id,
            AlertPatch {
                read: Some(true),
                done: None,
            },
        )
        .wait()
        .unwrap_or_else(|e| panic!("{e}"));
    let after = answers(&store);
    drop(store);
    let store = open(dir.path());
    assert!(store.index_from_snapshot());
    assert_eq!(answers(&store), after);
}

/// An alert schema 4 did not list (no `x/` record) and that cannot be read, so no index record
/// can be made for it: the store still opens, lists what it listed, and keeps the value.
#[test]
fn an_unreadable_alert_without_an_index_record_does_not_keep_the_store_shut() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let before = {
        let store = open(dir.path());
        store
            .ingest(
                delivery("leakix"),
                b"{}".to_vec(),
                vec![new_alert(
                    "e1",
                    Severity::High,
                    "Exposed .env on site2.example.com",
                )],
            )
            .wait()
            .unwrap_or_else(|e| panic!("ingest: {e}"));
        answers(&store)
    };
    as_schema_4(dir.path());
    let broken = keys::alert(ORPHAN);
    {
        let (db, tree) = closed_tree(dir.path());
        tree.remove(keys::meta(ORPHAN))
            .unwrap_or_else(|e| panic!("{e}"));
        tree.insert(&broken, b"not an alert".as_slice())
            .unwrap_or_else(|e| panic!("{e}"));
        db.flush().unwrap_or_else(|e| panic!("{e}"));
    }
    let store = open(dir.path());
    assert_eq!(answers(&store), before);
    let kept = store.tree.get(&broken).ok().flatten();
    assert_eq!(kept.as_deref(), Some(b"not an alert".as_slice()));
}
