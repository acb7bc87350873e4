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
