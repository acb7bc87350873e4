//! Version 3 → 4: a store written by the store of schema 3 opens packed, losing nothing.

use std::path::{Path, PathBuf};

use hookbell_core::Severity;
use serde_json::{Value, json};

use super::{closed_tree, index_records_back_under_x, open, stored_version};
use crate::codec::{FIRST_TRAINING, Kind, MAGIC};
use crate::test_support::{delivery, new_alert};
use crate::{DeliveryStatus, SledStore, Store, envelope_mark};

/// `tests/fixtures/store-v3`: written by `examples/write-fixture.rs` with the store of
/// schema 3 (main at 1e4f3e5), before packing existed.
fn fixture() -> (tempfile::TempDir, PathBuf, Value) {
    fixture_named("store-v3")
}

/// A copy of `tests/fixtures/{name}` to open, and its manifest.
pub(super) fn fixture_named(name: &str) -> (tempfile::TempDir, PathBuf, Value) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let store = dir.path().join("store");
    std::fs::create_dir_all(store.join("blobs")).unwrap_or_else(|e| panic!("{e}"));
    let mut manifest = Value::Null;
    for entry in std::fs::read_dir(&source).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let name = path.file_name().unwrap_or_default().to_owned();
        if name == "expected.json" {
            let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
            manifest = serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{e}"));
        } else if path.is_file() {
            std::fs::copy(&path, store.join(name)).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    (dir, store, manifest)
}

fn text(value: &Value, name: &str) -> String {
    value[name].as_str().unwrap_or_default().to_owned()
}

/// Everything the manifest says the fixture's store answered, asked again.
pub(super) fn answers_as_before(store: &SledStore, manifest: &Value) {
    let alerts = manifest["alerts"].as_array().cloned().unwrap_or_default();
    assert_eq!(alerts.len(), 7, "the fixture's alerts");
    for expected in &alerts {
        let id = text(expected, "id");
        let alert = store
            .alert(&id)
            .unwrap_or_else(|e| panic!("alert {id}: {e}"))
            .unwrap_or_else(|| panic!("alert {id} is gone"));
        assert_eq!(&serde_json::to_value(&alert).unwrap_or_default(), expected);
    }
    let read = store.alert(&text(manifest, "read")).ok().flatten();
    assert!(read.is_some_and(|a| a.read && !a.done), "read stays read");
    let done = store.alert(&text(manifest, "done")).ok().flatten();
    assert!(done.is_some_and(|a| a.done), "done stays done");
    let leakix = alerts.iter().find(|a| a["source"] == "leakix");
    assert_eq!(leakix.map(|a| a["seen_count"].clone()), Some(json!(2)));
    assert!(
        store
            .alert(&text(manifest, "deleted"))
            .ok()
            .flatten()
            .is_none(),
        "deleted stays deleted"
    );
    let stats = store.stats().unwrap_or_else(|e| panic!("stats: {e}"));
    assert_eq!(
        serde_json::to_value(stats).unwrap_or_default(),
        manifest["stats"]
    );
    let listed = store
        .alerts(&crate::AlertQuery::default())
        .unwrap_or_else(|e| panic!("alerts: {e}"));
    assert_eq!(listed.alerts.len(), 7);
    // The API's page is the stored records as they are: after the upgrade, byte for byte the
    // page read into memory and written out.
    let json = store
        .alerts_json(&crate::AlertQuery::default())
        .unwrap_or_else(|e| panic!("alerts as JSON: {e}"));
    assert_eq!(
        String::from_utf8_lossy(&json),
        String::from_utf8_lossy(&serde_json::to_vec(&listed).unwrap_or_default())
    );

    let deliveries = store
        .deliveries(None, 100)
        .unwrap_or_else(|e| panic!("deliveries: {e}"));
    assert_eq!(
        serde_json::to_value(&deliveries).unwrap_or_default(),
        manifest["deliveries"]
    );
    let quarantined = store
        .deliveries(Some(DeliveryStatus::Quarantined), 10)
        .unwrap_or_else(|e| panic!("quarantine: {e}"));
    assert_eq!(quarantined.len(), 1);
    assert_eq!(quarantined[0].id, text(manifest, "quarantined"));
    assert!(quarantined[0].body_hash.is_some());
    let first = &manifest["first_delivery"];
    let (record, body) = store
        .delivery(&text(first, "id"))
        .unwrap_or_else(|e| panic!("delivery: {e}"))
        .unwrap_or_else(|| panic!("the first delivery is gone"));
    assert_eq!(&serde_json::to_value(&record).unwrap_or_default(), first);
    assert_eq!(
        String::from_utf8_lossy(&body),
        text(manifest, "first_delivery_body")
    );

    let setting = store.setting("notifications").ok().flatten();
    assert_eq!(setting.as_ref(), Some(&manifest["setting"]));
    let mark = store
        .setting(&envelope_mark(&text(manifest, "envelope")))
        .ok()
        .flatten();
    assert_eq!(mark, Some(first["id"].clone()), "the relay's envelope mark");
    let activity = store
        .source_activity("omniac")
        .unwrap_or_else(|e| panic!("activity: {e}"));
    assert_eq!(
        serde_json::to_value(activity).unwrap_or_default(),
        manifest["omniac_activity"]
    );
}

/// How many `a/` and `d/` values are packed, and how many are not.
fn packed(store: &SledStore) -> (usize, usize) {
    let mut counts = (0, 0);
    for kind in Kind::ALL {
        for value in store.tree.scan_prefix(kind.prefix()).values() {
            let value = value.unwrap_or_else(|e| panic!("{e}"));
            // An alert's value (from schema 5) carries its index record in front of it.
            let record = match crate::codec::index_record(&value) {
                crate::codec::Front::IndexRecord(_, alert) => alert,
                _ => &value[..],
            };
            match record.first() {
                Some(&MAGIC) => counts.0 += 1,
                _ => counts.1 += 1,
            }
        }
    }
    counts
}

#[test]
fn a_store_of_schema_3_opens_and_answers_as_it_did() {
    let (_dir, path, manifest) = fixture();
    let store = open(&path);
    answers_as_before(&store, &manifest);
    // 7 alerts, and 9 deliveries: one per sample, the repeat, the quarantined one. Too few to
    // train a dictionary on, so they stay as they were (the next test packs a large store).
    assert_eq!(packed(&store), (0, 16), "a small store is left as it is");
    assert_eq!(
        stored_version(&store),
        Some(super::super::super::SCHEMA_VERSION)
    );
    drop(store);

    // A second open changes nothing.
    let store = open(&path);
    answers_as_before(&store, &manifest);
    assert_eq!(packed(&store), (0, 16));
    // It goes on working.
    let again = store
        .ingest(
            delivery("leakix"),
            b"{}".to_vec(),
            vec![new_alert("fresh", Severity::Low, "A new one")],
        )
        .wait()
        .unwrap_or_else(|e| panic!("ingest: {e}"));
    assert_eq!(again.created.len(), 1);
    assert_eq!(packed(&store), (0, 18));
}

#[test]
fn a_large_store_of_schema_3_gets_dictionaries_before_its_records_are_packed() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let count = FIRST_TRAINING + 200;
    let ids = {
        // Written as schema 3 wrote them: JSON alerts, unpacked delivery frames.
        let store = open(dir.path());
        let mut ids = Vec::new();
        for n in 0..count {
            let outcome = store
                .ingest(
                    delivery("leakix"),
                    format!(r#"{{"host":"site{n}.example.com","port":8080}}"#).into_bytes(),
                    vec![new_alert(
                        &format!("site{n}.example.com:8080"),
                        Severity::High,
                        &format!("Exposed .env configuration on site{n}.example.com:8080"),
                    )],
                )
                .wait()
                .unwrap_or_else(|e| panic!("ingest: {e}"));
            ids.push(outcome.alert_ids[0].clone());
        }
        ids
    };
    unpack_everything(dir.path());
    let store = open(dir.path());
    assert!(store.codec.has_dictionary(Kind::Alert));
    assert!(store.codec.has_dictionary(Kind::Delivery));
    assert_eq!(packed(&store), (2 * count as usize, 0));
    for (n, id) in ids.iter().enumerate() {
        let alert = store.alert(id).ok().flatten();
        let title = format!("Exposed .env configuration on site{n}.example.com:8080");
        assert_eq!(alert.map(|a| a.title), Some(title));
    }
    let value = store
        .tree
        .get(crate::keys::alert(&ids[0]))
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("the first alert"));
    assert_ne!(&value[1..3], &[0, 0], "packed with a dictionary");
}

/// Turns the closed store in `dir` back into the schema-3 layout: every record unpacked, no
/// dictionary, version 3.
fn unpack_everything(dir: &Path) {
    let (db, tree) = closed_tree(dir);
    let codec = crate::codec::Codec::load(&tree).unwrap_or_else(|e| panic!("{e}"));
    index_records_back_under_x(&tree);
    for kind in Kind::ALL {
        for entry in tree.scan_prefix(kind.prefix()) {
            let (key, value) = entry.unwrap_or_else(|e| panic!("{e}"));
            let raw = codec
                .unpack(&key, &value)
                .unwrap_or_else(|e| panic!("{e}"))
                .into_owned();
            tree.insert(key, raw).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    for key in tree.scan_prefix(crate::keys::DICTIONARY).keys() {
        tree.remove(key.unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    tree.insert(crate::keys::SCHEMA_VERSION, &3u32.to_be_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    db.flush().unwrap_or_else(|e| panic!("{e}"));
}

/// How long the step takes on 20,000 alerts and 20,000 deliveries written unpacked (the
/// figure in docs/BENCHMARKS.md): `cargo test --release -p hookbell-store --lib version_4 --
/// --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check"]
fn time_the_step_on_20000_alerts_and_deliveries() {
    const N: usize = 20_000;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let db = crate::sled_store::sled_config(dir.path())
        .open()
        .unwrap_or_else(|e| panic!("sled: {e}"));
    let tree = db
        .open_tree(crate::sled_store::TREE)
        .unwrap_or_else(|e| panic!("tree: {e}"));
    for chunk in 0..N / 500 {
        let mut batch = sled::Batch::default();
        for n in 0..500 {
            let (delivery_id, alert_id) = (
                ulid::Ulid::generate().to_string(),
                ulid::Ulid::generate().to_string(),
            );
            let alert = hookbell_core::Alert {
                id: alert_id.clone(),
                external_id: format!("site{chunk}-{n}.example.com:8080"),
                title: format!("Exposed .env configuration on site{chunk}-{n}.example.com:8080"),
                delivery_id: delivery_id.clone(),
                ..hookbell_core::testing::sample_alert()
            };
            let body = format!(
                r#"{{"host":"site{chunk}-{n}.example.com","port":8080,"leak":{{"severity":"high","stage":"open"}}}}"#
            );
            let record = crate::DeliveryRecord {
                id: delivery_id.clone(),
                alert_ids: vec![alert_id.clone()],
                ..delivery("leakix")
            };
            batch.insert(
                crate::keys::delivery(&delivery_id),
                crate::records::frame(&record, body.as_bytes()),
            );
            batch.insert(
                crate::keys::alert(&alert_id),
                serde_json::to_vec(&alert).unwrap_or_else(|e| panic!("{e}")),
            );
        }
        tree.apply_batch(batch)
            .unwrap_or_else(|e| panic!("batch: {e}"));
    }
    db.flush().unwrap_or_else(|e| panic!("flush: {e}"));
    let started = std::time::Instant::now();
    super::super::pack_records(&tree).unwrap_or_else(|e| panic!("step: {e}"));
    let took = started.elapsed();
    let again = std::time::Instant::now();
    super::super::pack_records(&tree).unwrap_or_else(|e| panic!("step: {e}"));
    println!(
        "{N} alerts + {N} deliveries: the step took {took:?}; again (nothing to do) {:?}",
        again.elapsed()
    );
}
