//! Writes a small store of this build's schema, and a manifest of what is in it, for the
//! upgrade tests of later builds (`tests/fixtures/store-v{N}/`):
//!
//! ```sh
//! cargo run -p hookbell-store --example write-fixture -- crates/hookbell-store/tests/fixtures/store-v3
//! ```
//!
//! It goes through [`SledStore`] exactly as `hookbelld` does: each provider's own sample
//! through `normalize` and `ingest`, a repeat, alerts marked read and done, one deleted, a
//! delivery that came through a relay (its envelope mark), a quarantined delivery, a refused
//! one, and a setting. The manifest (`expected.json`) is what the store answered then.

use std::path::PathBuf;

use hookbell_core::{AlertPatch, Context, Delivery, Lang, providers};
use hookbell_store::{DeliveryRecord, Refusal, RefusalKind, SledStore, Store};
use serde_json::json;

const SAMPLES: &[(&str, &str)] = &[
    (
        "leakix",
        include_str!("../../hookbell-core/src/providers/leakix/fixtures/sample.json"),
    ),
    (
        "enzoic",
        include_str!("../../hookbell-core/src/providers/enzoic/fixtures/sample.json"),
    ),
    (
        "omniac",
        include_str!("../../hookbell-core/src/providers/omniac/fixtures/sample.json"),
    ),
    (
        "cyscale",
        include_str!("../../hookbell-core/src/providers/cyscale/fixtures/sample.json"),
    ),
    (
        "gitguardian",
        include_str!("../../hookbell-core/src/providers/gitguardian/fixtures/sample.json"),
    ),
    (
        "canarytokens",
        include_str!("../../hookbell-core/src/providers/canarytokens/fixtures/sample.json"),
    ),
    (
        "generic",
        include_str!("../../hookbell-core/src/providers/generic/fixtures/sample.json"),
    ),
];

fn delivery(source: &str, body: &[u8]) -> Delivery {
    Delivery {
        source_id: source.into(),
        received_at: chrono::Utc::now(),
        peer: Some(([192, 0, 2, 7], 40000).into()),
        headers: [("content-type", "application/json")].into_iter().collect(),
        body: body.to_vec(),
    }
}

fn record(delivery: &Delivery, provider: &str) -> DeliveryRecord {
    DeliveryRecord::received(delivery, provider, delivery.headers.redacted(&[]))
}

fn main() -> anyhow::Result<()> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or_else(|| anyhow::anyhow!("usage: write-fixture DIR"))?,
    );
    anyhow::ensure!(!dir.exists(), "{} exists; remove it first", dir.display());
    let store = SledStore::open(&dir)?;
    let ctx = Context {
        lang: Lang::En,
        signed_id: None,
    };
    let mut ingested = Vec::new();
    for (i, (provider, sample)) in SAMPLES.iter().enumerate() {
        let d = delivery(provider, sample.as_bytes());
        let normalized = hookbell_core::normalize(providers::get_or_generic(provider), &d, &ctx)?;
        let mut rec = record(&d, provider);
        if i == 0 {
            // As the relay hands it over: the store keeps the envelope's mark.
            rec.envelope_id = Some("01JEXAMPLEENVELOPE00000000".into());
        }
        let outcome = store
            .ingest(
                rec,
                normalized.stored_body.clone(),
                normalized.alerts.clone(),
            )
            .wait()?;
        ingested.push((provider, d, normalized, outcome));
    }
    // The LeakIX delivery again: a repeat (seen twice).
    let (provider, d, normalized, _) = &ingested[0];
    let repeat = store
        .ingest(
            record(d, provider),
            normalized.stored_body.clone(),
            normalized.alerts.clone(),
        )
        .wait()?;
    anyhow::ensure!(repeat.duplicate, "the repeat is a duplicate");

    let alert = |n: usize| ingested[n].3.alert_ids[0].clone();
    let (read, done, deleted) = (alert(1), alert(2), alert(6));
    store
        .patch(
            &read,
            AlertPatch {
                read: Some(true),
                done: None,
            },
        )
        .wait()?;
    store
        .patch(
            &done,
            AlertPatch {
                read: None,
                done: Some(true),
            },
        )
        .wait()?;
    store.delete(&deleted).wait()?;

    let broken = delivery("enzoic", b"{\"plaintextPassword\": \"hunter2\", broken");
    let mut quarantined = record(&broken, "enzoic");
    quarantined.error = Some("the body is not JSON: expected value at line 1".into());
    quarantined.body_hash = Some(hookbell_core::providers::generic::body_hash(&broken.body));
    let quarantined_id = store
        .quarantine(
            quarantined,
            hookbell_core::normalize::scrubbed_text(&broken.body).into_bytes(),
        )
        .wait()?;
    store.note_auth_failure(
        "omniac",
        &Refusal {
            at: chrono::Utc::now(),
            kind: RefusalKind::Mismatch,
            reason: "the signature does not match".into(),
            header: None,
            what: Some("signature".into()),
            distance_secs: None,
            tolerance_secs: None,
        },
    )?;
    let setting = json!({"enabled": true, "min_severity": "medium", "quiet": ["22:00", "07:00"]});
    store.set_setting("notifications", setting.clone()).wait()?;

    let mut alerts = Vec::new();
    for (_, _, _, outcome) in &ingested {
        for id in &outcome.alert_ids {
            if let Some(alert) = store.alert(id)? {
                alerts.push(serde_json::to_value(alert)?);
            }
        }
    }
    let (delivery_record, delivery_body) = store
        .delivery(&ingested[0].3.delivery_id)?
        .ok_or_else(|| anyhow::anyhow!("the first delivery is stored"))?;
    let manifest = json!({
        "written_by": format!("hookbell-store {}", env!("CARGO_PKG_VERSION")),
        "alerts": alerts,
        "stats": store.stats()?,
        "read": read,
        "done": done,
        "deleted": deleted,
        "quarantined": quarantined_id,
        "envelope": "01JEXAMPLEENVELOPE00000000",
        "first_delivery": delivery_record,
        "first_delivery_body": String::from_utf8_lossy(&delivery_body),
        "deliveries": store.deliveries(None, 100)?,
        "setting": setting,
        "omniac_activity": store.source_activity("omniac")?,
    });
    store.close()?;
    drop(store);
    std::fs::write(
        dir.join("expected.json"),
        serde_json::to_vec_pretty(&manifest)?,
    )?;
    println!("wrote {}", dir.display());
    Ok(())
}
