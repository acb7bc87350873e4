//! Hookbell's durable store: alerts, raw deliveries, quarantine, the dedup index, secondary
//! indexes, counters and settings, on sled.
//!
//! Everything lives in one sled tree under key prefixes (see `keys`). All writes go through one
//! writer thread (`writer`) that takes the waiting changes, writes them as one atomic
//! `apply_batch`, flushes once for the whole group, and only then answers each caller: a
//! caller that got `Ok` knows its change is on disk, and concurrent deliveries share one fsync
//! (group commit). An in-memory index of every alert's severity, status, source and search
//! text (`index`) serves listing, totals and stats; alerts themselves are read from sled. A
//! clean close saves that index to a file (`snapshot`) so the next open need not rebuild it.
#![forbid(unsafe_code)]

mod codec;
mod error;
pub mod floor;
mod index;
mod inspect;
mod keys;
mod pending;
mod query;
mod records;
mod sled_store;
mod snapshot;
#[cfg(test)]
mod test_support;
mod writer;

pub use error::{Result, StoreError};
pub use inspect::{Part, Weight, dir_size, records, weigh};
pub use pending::Pending;
pub use query::{AlertPage, AlertQuery};
pub use records::{
    DeliveryRecord, DeliveryStatus, ENVELOPE_MARKS, IngestOutcome, Purged, Refusal, RefusalKind,
    SourceActivity, Stats, envelope_mark,
};
pub use sled_store::SledStore;

/// For the fuzz targets (`fuzz/fuzz_targets/store_value.rs`): reads `value` as the store reads
/// what it finds under `key` (an alert, a delivery, or anything else as it is). It must answer
/// an error for what is not a record, never panic or allocate without bound.
#[doc(hidden)]
pub fn read_stored_value(key: &[u8], value: &[u8]) -> Result<()> {
    let codec = codec::Codec::empty();
    if key.starts_with(keys::ALERT)
        && let codec::Front::IndexRecord(record, _) = codec::index_record(value)
        && index::Meta::decode(record).is_none()
    {
        return Err(StoreError::Corrupt {
            key: String::from_utf8_lossy(key).into_owned(),
            reason: "an unreadable index record".into(),
        });
    }
    let value = codec.unpack(key, value)?;
    if key.starts_with(keys::DELIVERY) {
        sled_store::decode_delivery(&codec, key, &value)?;
    } else if key.starts_with(keys::ALERT) {
        sled_store::parse_json::<Alert>(key, &value)?;
    }
    Ok(())
}

use hookbell_core::{Alert, AlertPatch, NewAlert};

/// The storage engine behind Hookbell. [`SledStore`] is the one implementation; the trait
/// keeps the engine replaceable. Writes return a [`Pending`] answer that is ready once the
/// change is durable: `.await` it, or [`Pending::wait`] from a plain thread. Reads answer at
/// once from memory and the page cache.
pub trait Store: Send + Sync + 'static {
    /// Stores an accepted delivery and its alerts. Alerts whose `(source, external_id)` is
    /// known are duplicates: the existing alert's `seen_count` and `last_seen_at` grow, and it
    /// follows what the provider says of it (closed: done; reopened: not done, and notified
    /// again). An alert the delivery carries more than once ends as its last sighting says,
    /// counted once per sighting. A known alert the user deleted stays deleted, unless its
    /// provider reopens it: then it is created again.
    fn ingest(
        &self,
        delivery: DeliveryRecord,
        body: Vec<u8>,
        alerts: Vec<NewAlert>,
    ) -> Pending<IngestOutcome>;
    /// Keeps a delivery whose body could not be read, with the reason.
    fn quarantine(&self, delivery: DeliveryRecord, body: Vec<u8>) -> Pending<String>;
    /// Counts a delivery refused for failed authentication and keeps the last one's reason
    /// (nothing else of it is kept).
    fn note_auth_failure(&self, source: &str, refusal: &Refusal) -> Result<()>;
    /// One alert.
    fn alert(&self, id: &str) -> Result<Option<Alert>>;
    /// A page of alerts, newest first.
    fn alerts(&self, query: &AlertQuery) -> Result<AlertPage>;
    /// The same page as [`Store::alerts`], as the JSON of an [`AlertPage`]: what the API
    /// answers, without reading each alert into memory and writing it out again where the
    /// store keeps alerts as that JSON.
    fn alerts_json(&self, query: &AlertQuery) -> Result<Vec<u8>> {
        let page = self.alerts(query)?;
        serde_json::to_vec(&page).map_err(|e| StoreError::Corrupt {
            key: "page".into(),
            reason: e.to_string(),
        })
    }
    /// Marks an alert read/unread, done/not done. `None` when there is no such alert.
    fn patch(&self, id: &str, patch: AlertPatch) -> Pending<Option<Alert>>;
    /// Deletes an alert; false when there was none. Its dedup key stays, so a provider's retry
    /// does not bring it back; only the provider reopening it does (it is then created again,
    /// see [`Store::ingest`]).
    fn delete(&self, id: &str) -> Pending<bool>;
    /// Retention: deletes the alerts last seen before `before`, with their index records and
    /// dedup keys (a repeat of one later is a new alert), and the deliveries received before
    /// it, except those that kept alerts came in. One call deletes a bounded number (a
    /// thousand alerts and a thousand deliveries); [`Purged::more`] says to call again.
    ///
    /// The one exception: the dedup keys of alerts the user deleted ([`Store::delete`]) are
    /// never removed, by retention or anything else. They name no alert any more, so retention
    /// never reads them, and they stay on purpose: a deleted alert that its provider repeats
    /// stays deleted (not notified) however long ago it was deleted; only a reopen brings it
    /// back. Retention itself never suppresses an alert it deleted.
    fn purge_before(&self, before: chrono::DateTime<chrono::Utc>) -> Pending<Purged>;
    /// Deletes the settings named `{prefix}{ULID}` whose ULID was made before `before` (marks
    /// that only matter for a while); answers how many went.
    fn purge_settings_before(
        &self,
        prefix: &str,
        before: chrono::DateTime<chrono::Utc>,
    ) -> Pending<u64>;
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
    fn set_setting(&self, key: &str, value: serde_json::Value) -> Pending<()>;
    /// Waits until everything written so far is on disk.
    fn flush(&self) -> Pending<()>;
}
