//! Builders for tests in this crate and the crates above it.

use chrono::{TimeZone, Utc};

use crate::alert::{Alert, Severity};
use crate::delivery::{Delivery, Headers};

/// A plain unread alert with every field filled.
pub fn sample_alert() -> Alert {
    let at = Utc
        .with_ymd_and_hms(2026, 11, 1, 12, 0, 0)
        .single()
        .unwrap_or_default();
    Alert {
        id: "01JXXXXXXXXXXXXXXXXXXXXXXX".into(),
        source: "test".into(),
        provider: "generic".into(),
        external_id: "ext-1".into(),
        severity: Severity::Medium,
        title: "Sample alert".into(),
        summary: "Something happened.".into(),
        description: String::new(),
        recommendation: String::new(),
        subject: "alex@example.com".into(),
        category: "test".into(),
        occurred_at: None,
        received_at: at,
        last_seen_at: at,
        seen_count: 1,
        read: false,
        done: false,
        unrecognized: false,
        masked_values: Vec::new(),
        links: Vec::new(),
        delivery_id: "01JYYYYYYYYYYYYYYYYYYYYYYY".into(),
        details: serde_json::Value::Null,
    }
}

/// A delivery of `body` to `source`, received now, with exactly `headers`.
pub fn delivery(source: &str, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Delivery {
    Delivery {
        source_id: source.to_owned(),
        received_at: Utc::now(),
        peer: None,
        headers: headers.iter().copied().collect::<Headers>(),
        body: body.into(),
    }
}

/// A JSON delivery of `body` to `source` (`Content-Type: application/json`), received now.
pub fn json_delivery(source: &str, body: impl Into<Vec<u8>>) -> Delivery {
    delivery(source, &[("content-type", "application/json")], body)
}

/// The severities [`leakix_event`] cycles through.
pub const LEAKIX_SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];

/// The vendor's LeakIX example with `@ID@` where its fingerprint and host go and `@SEV@` for
/// its severity: the benchmarks make unique events of it ([`leakix_event`], or a wrk script).
pub fn leakix_event_template() -> String {
    let mut event: serde_json::Value =
        serde_json::from_str(include_str!("providers/leakix/fixtures/sample.json"))
            .unwrap_or_default();
    event["event_fingerprint"] = "@ID@".into();
    event["host"] = "site@ID@.example.com".into();
    event["leak"]["severity"] = "@SEV@".into();
    serde_json::to_string_pretty(&event).unwrap_or_default()
}

/// A unique LeakIX event from `template` ([`leakix_event_template`]): `id` in its fingerprint
/// and host, the `n`-th of [`LEAKIX_SEVERITIES`].
pub fn leakix_event(template: &str, id: &str, n: u64) -> String {
    template
        .replace("@ID@", id)
        .replace("@SEV@", LEAKIX_SEVERITIES[(n % 4) as usize])
}

/// 1,000 Cyscale alerts, each with its own control and asset, as one delivery's body: the
/// batch the parse benchmark and `examples/parse_count.rs` time.
pub fn cyscale_batch() -> Vec<u8> {
    use serde_json::{Value, json};
    let sample: Value = crate::providers::get("cyscale")
        .and_then(|p| serde_json::from_str(p.sample()).ok())
        .unwrap_or(Value::Null);
    let template = match &sample {
        Value::Array(items) => items.last().cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    let batch: Vec<Value> = (0..1000)
        .map(|i| {
            let mut alert = template.clone();
            if let Value::Object(map) = &mut alert {
                map.insert("controlID".into(), json!(format!("control-{i}")));
                map.insert("assetID".into(), json!(format!("asset-{i}")));
                map.insert("assetName".into(), json!(format!("firewall-rule-{i}")));
            }
            alert
        })
        .collect();
    serde_json::to_vec(&batch).unwrap_or_default()
}
