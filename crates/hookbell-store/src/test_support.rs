//! Records the store's unit tests build their deliveries and alerts from.

use chrono::Utc;
use hookbell_core::{NewAlert, Severity};

use crate::{DeliveryRecord, DeliveryStatus};

/// An accepted delivery to `source`, not yet given an id.
pub(crate) fn delivery(source: &str) -> DeliveryRecord {
    DeliveryRecord {
        id: String::new(),
        source: source.into(),
        provider: "generic".into(),
        received_at: Utc::now(),
        peer: Some("127.0.0.1:5555".into()),
        headers: vec![("content-type".into(), "application/json".into())],
        size: 2,
        status: DeliveryStatus::Accepted,
        error: None,
        alert_ids: Vec::new(),
    }
}

/// A normalized alert with the external id `key`.
pub(crate) fn new_alert(key: &str, severity: Severity, title: &str) -> NewAlert {
    NewAlert {
        external_id: key.into(),
        severity,
        title: title.into(),
        summary: String::new(),
        description: String::new(),
        recommendation: String::new(),
        subject: "alex@example.com".into(),
        category: "test".into(),
        occurred_at: None,
        unrecognized: false,
        masked_values: Vec::new(),
        links: Vec::new(),
        details: serde_json::json!({}),
    }
}
