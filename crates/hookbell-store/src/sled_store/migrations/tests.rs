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
        assert_eq!(
            store
                .tree
                .get(crate::keys::SCHEMA_VERSION)
                .ok()
                .flatten()
                .map(|v| v.to_vec()),
            Some(super::super::SCHEMA_VERSION.to_be_bytes().to_vec())
        );
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
