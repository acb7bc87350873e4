//! Hookbell's durable store: alerts, raw deliveries, quarantine, the dedup index, secondary
//! indexes, counters and settings, on sled.
//!
//! Everything lives in one sled tree under key prefixes (see [`keys`]), so each change is one
//! atomic `apply_batch`. All writes go through one writer thread ([`writer`]) that applies the
//! waiting changes, flushes once for the whole group, and only then answers each caller: a
//! caller that got `Ok` knows its change is on disk, and concurrent deliveries share one fsync
//! (group commit). Reads go straight to sled.
#![forbid(unsafe_code)]

mod error;
mod keys;
mod query;
mod records;
mod sled_store;
mod writer;

pub use error::{Result, StoreError};
pub use query::{AlertPage, AlertQuery};
pub use records::{DeliveryRecord, DeliveryStatus, IngestOutcome, SourceActivity, Stats};
pub use sled_store::SledStore;

use hookbell_core::{Alert, AlertPatch, NewAlert};

/// The storage engine behind Hookbell. [`SledStore`] is the one implementation; the trait
/// keeps the engine replaceable. Write methods block until the change is durable; call them
/// from a blocking context (e.g. `tokio::task::spawn_blocking`).
pub trait Store: Send + Sync + 'static {
    /// Stores an accepted delivery and its alerts. Alerts whose `(source, external_id)` is
    /// known are duplicates: the existing alert's `seen_count` and `last_seen_at` grow.
    fn ingest(
        &self,
        delivery: DeliveryRecord,
        body: Vec<u8>,
        alerts: Vec<NewAlert>,
    ) -> Result<IngestOutcome>;
    /// Keeps a delivery whose body could not be read, with the reason.
    fn quarantine(&self, delivery: DeliveryRecord, body: Vec<u8>) -> Result<String>;
    /// Counts a delivery refused for failed authentication (nothing else is kept).
    fn note_auth_failure(&self, source: &str) -> Result<()>;
    /// One alert.
    fn alert(&self, id: &str) -> Result<Option<Alert>>;
    /// A page of alerts, newest first.
    fn alerts(&self, query: &AlertQuery) -> Result<AlertPage>;
    /// Marks an alert read/unread, done/not done. `None` when there is no such alert.
    fn patch(&self, id: &str, patch: AlertPatch) -> Result<Option<Alert>>;
    /// Deletes an alert; false when there was none. Its dedup key stays, so a provider's retry
    /// does not bring it back.
    fn delete(&self, id: &str) -> Result<bool>;
    /// Counters, read without a scan.
    fn stats(&self) -> Result<Stats>;
    /// Delivery metadata, newest first, optionally only one status.
    fn deliveries(
        &self,
        status: Option<DeliveryStatus>,
        limit: usize,
    ) -> Result<Vec<DeliveryRecord>>;
    /// One delivery's metadata and its stored (masked) body.
    fn delivery(&self, id: &str) -> Result<Option<(DeliveryRecord, Vec<u8>)>>;
    /// What each source last received and how many deliveries failed authentication.
    fn source_activity(&self, source: &str) -> Result<SourceActivity>;
    /// A setting (JSON) by key.
    fn setting(&self, key: &str) -> Result<Option<serde_json::Value>>;
    /// Stores a setting durably.
    fn set_setting(&self, key: &str, value: serde_json::Value) -> Result<()>;
    /// Waits until everything written so far is on disk.
    fn flush(&self) -> Result<()>;
}
