//! Builders for tests in this crate and the crates above it.

use chrono::{TimeZone, Utc};

use crate::alert::{Alert, Severity};

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
