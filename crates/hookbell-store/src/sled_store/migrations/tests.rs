use std::path::Path;

use crate::records::frame;
use crate::test_support::{delivery, when_unlocked};
use crate::{DeliveryRecord, DeliveryStatus, SledStore, Store};

const SECRET: &str = "hunter2-old-store";

/// A body an old Hookbell quarantined verbatim: Enzoic's JSON, cut short, with a password.
fn old_body() -> Vec<u8> {
    format!(r#"{{"username": "alex@example.com", "plaintextPassword": "{SECRET}", "exposureId": "#)
        .into_bytes()
}

fn record(id: &str, status: DeliveryStatus, size: usize) -> DeliveryRecord {
    DeliveryRecord {
        id: id.into(),
        status,
        size,
        error: (status == DeliveryStatus::Quarantined)
            .then(|| "the body is not valid JSON: EOF while parsing a value".into()),
        provider: "enzoic".into(),
        ..delivery("enzoic")
    }
}

/// Writes, with sled alone and as schema version 1 did, a quarantined delivery kept byte for
/// byte without `body_hash`, and an accepted one. Answers their ids.
fn write_version_1_store(dir: &Path) -> (String, String) {
    let quarantined = ulid::Ulid::generate().to_string();
    let accepted = ulid::Ulid::generate().to_string();
    let db = sled::open(dir).unwrap_or_else(|e| panic!("sled: {e}"));
    let tree = db
        .open_tree("hookbell")
        .unwrap_or_else(|e| panic!("tree: {e}"));
    let body = old_body();
    let writes = [
        (
            crate::keys::delivery(&quarantined),
            frame(
                &record(&quarantined, DeliveryStatus::Quarantined, body.len()),
                &body,
            ),
        ),
        (crate::keys::quarantined(&quarantined), Vec::new()),
        (
            crate::keys::delivery(&accepted),
            frame(&record(&accepted, DeliveryStatus::Accepted, 2), b"{}"),
        ),
        (
            crate::keys::SCHEMA_VERSION.to_vec(),
            1u32.to_be_bytes().to_vec(),
        ),
    ];
    for (key, value) in writes {
        tree.insert(key, value)
            .unwrap_or_else(|e| panic!("insert: {e}"));
    }
    db.flush().unwrap_or_else(|e| panic!("flush: {e}"));
    (quarantined, accepted)
}

fn open(dir: &Path) -> SledStore {
    when_unlocked(|| SledStore::open(dir)).unwrap_or_else(|e| panic!("open: {e}"))
}

/// The closed store in `dir`, opened with sled alone: the database (to flush) and the tree.
fn closed_tree(dir: &Path) -> (sled::Db, sled::Tree) {
    let db = when_unlocked(|| crate::sled_store::sled_config(dir).open())
        .unwrap_or_else(|e| panic!("{e}"));
    let tree = db
        .open_tree(crate::sled_store::TREE)
        .unwrap_or_else(|e| panic!("{e}"));
    (db, tree)
}

/// Puts each alert's index record back under `x/`, as schema 4 and earlier kept it, and leaves
/// the alert's value without it.
fn index_records_back_under_x(tree: &sled::Tree) {
    for entry in tree.scan_prefix(crate::keys::ALERT) {
        let (key, value) = entry.unwrap_or_else(|e| panic!("{e}"));
        let crate::codec::Front::IndexRecord(meta, alert) = crate::codec::index_record(&value)
        else {
            panic!("an alert of schema 5 without its index record")
        };
        let id = crate::keys::id_after(&key, crate::keys::ALERT.len()).unwrap_or_default();
        tree.insert(crate::keys::meta(&id), meta)
            .unwrap_or_else(|e| panic!("{e}"));
        tree.insert(key.clone(), alert)
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

/// The schema version the store has stamped.
fn stored_version(store: &SledStore) -> Option<u32> {
    let stamp = store.tree.get(crate::keys::SCHEMA_VERSION).ok().flatten()?;
    Some(u32::from_be_bytes(stamp.as_ref().try_into().ok()?))
}

/// Every stored value under `d/` and `iq/`, and the schema version, as they are on disk.
fn raw_deliveries(store: &SledStore) -> Vec<(Vec<u8>, Vec<u8>)> {
    [crate::keys::DELIVERY, crate::keys::QUARANTINE, b"m/"]
        .iter()
        .flat_map(|prefix| store.tree.scan_prefix(prefix))
        .map(|entry| {
            let (k, v) = entry.unwrap_or_else(|e| panic!("scan: {e}"));
            (k.to_vec(), v.to_vec())
        })
        .filter(|(k, _)| k.as_slice() != crate::keys::INDEX_SNAPSHOT)
        .collect()
}

#[test]
fn opening_an_old_store_scrubs_its_verbatim_quarantined_bodies_once() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let (quarantined, accepted) = write_version_1_store(dir.path());
    let original = old_body();

    let after_upgrade = {
        let store = open(dir.path());
        let (record, body) = store
            .delivery(&quarantined)
            .unwrap_or_else(|e| panic!("delivery: {e}"))
            .unwrap_or_else(|| panic!("the quarantined delivery is gone"));
        let text = String::from_utf8(body).unwrap_or_else(|e| panic!("not text: {e}"));
        assert!(
            !text.contains(SECRET),
            "the password is still stored: {text}"
        );
        assert_eq!(text, hookbell_core::normalize::scrubbed_text(&original));
        assert!(text.contains("alex@example.com"), "{text}");
        assert_eq!(
            record.body_hash,
            Some(hookbell_core::providers::generic::body_hash(&original))
        );
        assert_eq!(record.size, original.len(), "size still names the original");
        assert_eq!(record.status, DeliveryStatus::Quarantined);
        assert!(record.error.is_some());

        // Still in the quarantine, and nothing else touched.
        let listed = store
            .deliveries(Some(DeliveryStatus::Quarantined), 10)
            .unwrap_or_else(|e| panic!("deliveries: {e}"));
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0], record);
        let (kept, kept_body) = store
            .delivery(&accepted)
            .unwrap_or_else(|e| panic!("delivery: {e}"))
            .unwrap_or_else(|| panic!("the accepted delivery is gone"));
        assert_eq!((kept.body_hash, kept_body), (None, b"{}".to_vec()));
        assert_eq!(stored_version(&store), Some(super::super::SCHEMA_VERSION));
        raw_deliveries(&store)
    };

    // A second open changes nothing.
    let store = open(dir.path());
    assert_eq!(raw_deliveries(&store), after_upgrade);
}

#[test]
fn a_quarantined_delivery_already_stored_scrubbed_is_left_alone() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let scrubbed = b"{\"password\": \"[masked]\"".to_vec();
    let id = {
        let store = open(dir.path());
        let mut new = record("", DeliveryStatus::Quarantined, 40);
        new.body_hash = Some("sha256:00".into());
        store
            .quarantine(new, scrubbed.clone())
            .wait()
            .unwrap_or_else(|e| panic!("quarantine: {e}"))
    };
    {
        // As a version 1 build of this code would have left it.
        let store = open(dir.path());
        store
            .tree
            .insert(crate::keys::SCHEMA_VERSION, &1u32.to_be_bytes())
            .unwrap_or_else(|e| panic!("insert: {e}"));
        store.tree.flush().unwrap_or_else(|e| panic!("flush: {e}"));
    }
    let store = open(dir.path());
    let (record, body) = store
        .delivery(&id)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("gone"));
    assert_eq!(
        (record.body_hash.as_deref(), body),
        (Some("sha256:00"), scrubbed)
    );
}

/// Schema version 2 → 3: the secrets older masking missed.
mod version_3 {
    use std::path::Path;

    use hookbell_core::{Alert, MaskedValue, Severity};

    use super::open;
    use crate::index::Meta;
    use crate::query::AlertQuery;
    use crate::records::frame;
    use crate::test_support::delivery;
    use crate::{DeliveryRecord, DeliveryStatus, SledStore, Store};

    /// What older masking kept: a number and a list under secret names.
    const BODY: &str = r#"{"password": 12345678, "apiKey": ["k-1234567890"]}"#;
    /// Kept as sent because the parsed value (the last member) needed no masking.
    const TWICE: &str = r#"{"password":"hunter2hunter2","password":""}"#;
    const SECRETS: [&str; 4] = [
        "12345678",
        "k-1234567890",
        "hunter2hunter2",
        "hunter3hunter3",
    ];

    struct Ids {
        accepted: String,
        duplicate: String,
        quarantined: String,
        alert: String,
    }

    fn record(id: &str, provider: &str, status: DeliveryStatus, size: usize) -> DeliveryRecord {
        DeliveryRecord {
            id: id.into(),
            provider: provider.into(),
            status,
            size,
            ..delivery("legacy")
        }
    }

    fn alert(id: &str, delivery_id: &str) -> Alert {
        Alert {
            id: id.into(),
            source: "legacy".into(),
            provider: "generic".into(),
            external_id: "ext-1".into(),
            severity: Severity::High,
            title: "Leaked config: DB_PASSWORD=hunter2hunter2".into(),
            summary: "Found in a paste.".into(),
            links: vec!["https://alex:hunter3hunter3@example.com/paste".into()],
            masked_values: vec![MaskedValue::as_sent("password", "hu**********r2", true)],
            delivery_id: delivery_id.into(),
            details: serde_json::from_str(BODY).unwrap_or_else(|e| panic!("{e}")),
            ..hookbell_core::testing::sample_alert()
        }
    }

    /// Writes, with sled alone and as schema version 2 left them, an accepted delivery whose
    /// body keeps a number and a list under secret names, a duplicate one kept as sent with a
    /// secret in a repeated member (its provider since removed), a quarantined one stored the
    /// version 2 way, and an alert showing the same secrets, with its index record and an index
    /// snapshot naming them.
    fn write_version_2_store(dir: &Path) -> Ids {
        let ids = Ids {
            accepted: ulid::Ulid::generate().to_string(),
            duplicate: ulid::Ulid::generate().to_string(),
            quarantined: ulid::Ulid::generate().to_string(),
            alert: ulid::Ulid::generate().to_string(),
        };
        let db = sled::open(dir).unwrap_or_else(|e| panic!("sled: {e}"));
        let tree = db
            .open_tree("hookbell")
            .unwrap_or_else(|e| panic!("tree: {e}"));
        let mut quarantined = record(&ids.quarantined, "enzoic", DeliveryStatus::Quarantined, 9);
        quarantined.body_hash = Some("sha256:00".into());
        quarantined.error = Some("the body is not valid JSON".into());
        let mut accepted = record(
            &ids.accepted,
            "generic",
            DeliveryStatus::Accepted,
            BODY.len(),
        );
        accepted.alert_ids = vec![ids.alert.clone()];
        let alert = alert(&ids.alert, &ids.accepted);
        let meta = Meta::of(&alert);
        let writes = [
            (
                crate::keys::delivery(&ids.accepted),
                frame(&accepted, BODY.as_bytes()),
            ),
            (
                crate::keys::delivery(&ids.duplicate),
                frame(
                    &record(
                        &ids.duplicate,
                        "retired",
                        DeliveryStatus::Duplicate,
                        TWICE.len(),
                    ),
                    TWICE.as_bytes(),
                ),
            ),
            (
                crate::keys::delivery(&ids.quarantined),
                frame(&quarantined, br#"{"password": "[masked]""#),
            ),
            (crate::keys::quarantined(&ids.quarantined), Vec::new()),
            (
                crate::keys::alert(&ids.alert),
                serde_json::to_vec(&alert).unwrap_or_else(|e| panic!("{e}")),
            ),
            (crate::keys::meta(&ids.alert), meta.encode()),
            (
                crate::keys::dedup("legacy", "ext-1"),
                ids.alert.as_bytes().to_vec(),
            ),
            (
                crate::keys::SCHEMA_VERSION.to_vec(),
                2u32.to_be_bytes().to_vec(),
            ),
        ];
        for (key, value) in writes {
            tree.insert(key, value)
                .unwrap_or_else(|e| panic!("insert: {e}"));
        }
        // The snapshot of a clean close: the index with the old search text.
        let mut index = crate::index::Index::default();
        index.insert(
            crate::index::parse_id(&ids.alert).unwrap_or_else(|| panic!("id")),
            meta,
        );
        let generation = crate::snapshot::new_generation();
        crate::snapshot::save(dir, &index, &generation).unwrap_or_else(|e| panic!("{e}"));
        tree.insert(crate::keys::INDEX_SNAPSHOT, &generation)
            .unwrap_or_else(|e| panic!("insert: {e}"));
        db.flush().unwrap_or_else(|e| panic!("flush: {e}"));
        ids
    }

    /// Every stored delivery, alert, index and dedup record, and the schema version.
    fn raw_records(store: &SledStore) -> Vec<(Vec<u8>, Vec<u8>)> {
        [
            crate::keys::DELIVERY,
            crate::keys::QUARANTINE,
            crate::keys::ALERT,
            crate::keys::META,
            crate::keys::DEDUP,
            crate::keys::SCHEMA_VERSION,
        ]
        .iter()
        .flat_map(|prefix| store.tree.scan_prefix(prefix))
        .map(|entry| {
            let (k, v) = entry.unwrap_or_else(|e| panic!("scan: {e}"));
            (k.to_vec(), v.to_vec())
        })
        .collect()
    }

    fn assert_no_secret(what: &str, text: &str) {
        for secret in SECRETS {
            assert!(
                !text.contains(secret),
                "{what} still holds {secret}: {text}"
            );
        }
    }

    fn body(store: &SledStore, id: &str) -> (DeliveryRecord, String) {
        let (record, body) = store
            .delivery(id)
            .unwrap_or_else(|e| panic!("delivery: {e}"))
            .unwrap_or_else(|| panic!("the delivery {id} is gone"));
        (record, String::from_utf8_lossy(&body).into_owned())
    }

    fn search(store: &SledStore, q: &str) -> u64 {
        store
            .alerts(&AlertQuery {
                q: Some(q.into()),
                ..AlertQuery::default()
            })
            .unwrap_or_else(|e| panic!("alerts: {e}"))
            .total
    }

    #[test]
    fn opening_a_version_2_store_masks_its_stored_bodies_and_alerts_once() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let ids = write_version_2_store(dir.path());
        let old_alert = alert(&ids.alert, &ids.accepted);

        let after_upgrade = {
            let store = open(dir.path());
            // The deliveries: masked, and still there with their records.
            let (record, text) = body(&store, &ids.accepted);
            assert_no_secret("the accepted body", &text);
            let masked: serde_json::Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON: {e}: {text}"));
            assert_eq!(masked["password"], "1******8", "{text}");
            assert_eq!(masked["apiKey"][0], "k-********90", "{text}");
            assert_eq!(record.alert_ids, vec![ids.alert.clone()]);
            assert_eq!(record.size, BODY.len(), "size still names the original");
            let (record, text) = body(&store, &ids.duplicate);
            assert_no_secret("the duplicate body", &text);
            assert_eq!(text, r#"{"password":""}"#);
            assert_eq!(record.status, DeliveryStatus::Duplicate);
            let (_, text) = body(&store, &ids.quarantined);
            assert_eq!(text, r#"{"password": "[masked]""#, "quarantine untouched");

            // The alert: masked wherever it shows them, listed and counted as before.
            let stored = store
                .alert(&ids.alert)
                .unwrap_or_else(|e| panic!("alert: {e}"))
                .unwrap_or_else(|| panic!("the alert is gone"));
            assert_no_secret(
                "the alert",
                &serde_json::to_string(&stored).unwrap_or_default(),
            );
            assert_eq!(stored.details["password"], "1******8");
            assert_eq!(stored.masked_values, old_alert.masked_values);
            assert!(stored.title.starts_with("Leaked config: DB_PASSWORD="));
            let listed = store
                .alerts(&AlertQuery::default())
                .unwrap_or_else(|e| panic!("alerts: {e}"));
            assert_eq!(listed.alerts, vec![stored.clone()]);
            assert_no_secret(
                "the list",
                &serde_json::to_string(&listed).unwrap_or_default(),
            );
            // The search index follows the new title; the old snapshot is not used.
            assert!(!store.index_from_snapshot());
            assert_eq!(search(&store, "hunter2hunter2"), 0);
            assert_eq!(search(&store, "leaked config"), 1);
            let value = store
                .tree
                .get(crate::keys::alert(&ids.alert))
                .ok()
                .flatten()
                .unwrap_or_else(|| panic!("no alert"));
            let crate::codec::Front::IndexRecord(x, _) = crate::codec::index_record(&value) else {
                panic!("no index record in front of the alert")
            };
            assert_eq!(Meta::decode(x), Some(Meta::of(&stored)));
            let stats = store.stats().unwrap_or_else(|e| panic!("stats: {e}"));
            assert_eq!((stats.total, stats.unread), (1, 1));
            assert_eq!(
                super::stored_version(&store),
                Some(super::super::super::SCHEMA_VERSION)
            );
            raw_records(&store)
        };
        let snapshot = std::fs::read(dir.path().join(crate::snapshot::FILE))
            .unwrap_or_else(|e| panic!("the clean close saves a snapshot: {e}"));
        assert_no_secret("the index snapshot", &String::from_utf8_lossy(&snapshot));

        // A second open changes nothing.
        let store = open(dir.path());
        assert_eq!(raw_records(&store), after_upgrade);
        assert!(store.index_from_snapshot());
        assert_eq!(search(&store, "hunter2hunter2"), 0);

        // Run again, as after a crash between the last batch and the stamp: nothing changes.
        super::super::mask_bodies_and_alerts(&store.tree, dir.path())
            .unwrap_or_else(|e| panic!("again: {e}"));
        assert_eq!(raw_records(&store), after_upgrade);
    }

    /// How long the step takes on 20,000 alerts and 20,000 deliveries that all need a
    /// rewrite (the figure in [`super::super::mask_bodies_and_alerts`]'s doc comment):
    /// `cargo test --release -p hookbell-store --lib version_3 -- --ignored --nocapture`.
    #[test]
    #[ignore = "a measurement, not a check"]
    fn time_the_step_on_20000_alerts_and_deliveries() {
        const N: usize = 20_000;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        {
            let db = sled::open(dir.path()).unwrap_or_else(|e| panic!("sled: {e}"));
            let tree = db
                .open_tree("hookbell")
                .unwrap_or_else(|e| panic!("tree: {e}"));
            for chunk in 0..N / 500 {
                let mut batch = sled::Batch::default();
                for _ in 0..500 {
                    let delivery_id = ulid::Ulid::generate().to_string();
                    let alert_id = ulid::Ulid::generate().to_string();
                    let mut old = alert(&alert_id, &delivery_id);
                    old.external_id = format!("ext-{chunk}-{alert_id}");
                    let mut accepted = record(
                        &delivery_id,
                        "generic",
                        DeliveryStatus::Accepted,
                        BODY.len(),
                    );
                    accepted.alert_ids = vec![alert_id.clone()];
                    batch.insert(
                        crate::keys::delivery(&delivery_id),
                        frame(&accepted, BODY.as_bytes()),
                    );
                    batch.insert(crate::keys::meta(&alert_id), Meta::of(&old).encode());
                    batch.insert(
                        crate::keys::alert(&alert_id),
                        serde_json::to_vec(&old).unwrap_or_else(|e| panic!("{e}")),
                    );
                }
                tree.apply_batch(batch)
                    .unwrap_or_else(|e| panic!("batch: {e}"));
            }
            tree.insert(crate::keys::SCHEMA_VERSION, &2u32.to_be_bytes())
                .unwrap_or_else(|e| panic!("insert: {e}"));
            db.flush().unwrap_or_else(|e| panic!("flush: {e}"));
        }
        let db = crate::test_support::when_unlocked(|| sled::open(dir.path()))
            .unwrap_or_else(|e| panic!("sled: {e}"));
        let tree = db
            .open_tree("hookbell")
            .unwrap_or_else(|e| panic!("tree: {e}"));
        let started = std::time::Instant::now();
        super::super::mask_bodies_and_alerts(&tree, dir.path())
            .unwrap_or_else(|e| panic!("step: {e}"));
        let took = started.elapsed();
        let again = std::time::Instant::now();
        super::super::mask_bodies_and_alerts(&tree, dir.path())
            .unwrap_or_else(|e| panic!("step: {e}"));
        println!(
            "{N} alerts + {N} deliveries: the step took {took:?}; again (nothing to do) {:?}",
            again.elapsed()
        );
        let left = tree
            .scan_prefix(crate::keys::DELIVERY)
            .chain(tree.scan_prefix(crate::keys::ALERT))
            .filter_map(|entry| entry.ok())
            .filter(|(_, v)| {
                SECRETS
                    .iter()
                    .any(|s| memchr::memmem::find(v, s.as_bytes()).is_some())
            })
            .count();
        assert_eq!(left, 0);
    }
}

mod version_4;
mod version_5;
