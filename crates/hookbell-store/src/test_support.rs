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
        envelope_id: None,
        body_hash: None,
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
        upstream: hookbell_core::Upstream::Open,
    }
}

/// Runs `open` until it gets past sled's lock on the directory (for up to 10 s), and answers
/// what it answered then: sled lets go of a dropped database's lock only once its I/O threads
/// drop their last reference, a moment later.
pub(crate) fn when_unlocked<T, E: std::fmt::Display>(
    open: impl Fn() -> Result<T, E>,
) -> Result<T, E> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match open() {
            Err(e)
                if e.to_string().contains("could not acquire lock")
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            opened => return opened,
        }
    }
}

/// A cutoff after the millisecond of `id` (a ULID), waiting for the clock to get there.
pub(crate) fn cutoff_after(id: &str) -> chrono::DateTime<Utc> {
    let ms = ulid::Ulid::from_string(id)
        .unwrap_or_else(|e| panic!("ulid {id}: {e}"))
        .timestamp_ms();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let now = Utc::now();
        if u64::try_from(now.timestamp_millis()).unwrap_or(0) > ms {
            return now;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the clock stands still"
        );
        std::thread::yield_now();
    }
}
