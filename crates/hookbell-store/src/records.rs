//! The records the store keeps besides alerts, and what its writes report back.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hookbell_core::Alert;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What became of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Parsed and stored; it created at least one alert.
    Accepted,
    /// Every alert it carried was already known.
    Duplicate,
    /// Its body could not be read; kept with the error.
    Quarantined,
}

impl std::str::FromStr for DeliveryStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "accepted" => Ok(DeliveryStatus::Accepted),
            "duplicate" => Ok(DeliveryStatus::Duplicate),
            "quarantined" => Ok(DeliveryStatus::Quarantined),
            _ => Err(format!(
                "unknown delivery status {s:?}: expected accepted, duplicate or quarantined"
            )),
        }
    }
}

/// A delivery's metadata (its body is kept apart). Headers carrying credentials are redacted
/// before they get here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeliveryRecord {
    /// ULID; empty until the store assigns it.
    pub id: String,
    /// The source it was addressed to.
    pub source: String,
    /// The provider adapter of that source.
    pub provider: String,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
    /// The sender's address, when known.
    pub peer: Option<String>,
    /// Headers in arrival order, credentials redacted.
    pub headers: Vec<(String, String)>,
    /// Size of the body as received, in bytes.
    pub size: usize,
    /// What became of it.
    pub status: DeliveryStatus,
    /// Why it was quarantined.
    pub error: Option<String>,
    /// The alerts it created or repeated.
    pub alert_ids: Vec<String>,
    /// The relay envelope it arrived in, when it came through a relay. The store keeps at most
    /// one delivery per envelope: its mark is written in the same batch as the delivery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope_id: Option<String>,
    /// `sha256:<hex>` of the body as received, for a quarantined delivery: the stored body is
    /// then a scrubbed text, and this names the bytes it came from without keeping them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_hash: Option<String>,
}

impl DeliveryRecord {
    /// The record of `delivery`, received for a source of `provider`: accepted until the store
    /// says otherwise, with `headers` as they may be kept (credentials redacted by the caller,
    /// who knows the source's scheme).
    pub fn received(
        delivery: &hookbell_core::Delivery,
        provider: &str,
        headers: Vec<(String, String)>,
    ) -> DeliveryRecord {
        DeliveryRecord {
            id: String::new(),
            source: delivery.source_id.clone(),
            provider: provider.to_owned(),
            received_at: delivery.received_at,
            peer: delivery.peer.map(|p| p.to_string()),
            headers,
            size: delivery.body.len(),
            status: DeliveryStatus::Accepted,
            error: None,
            alert_ids: Vec::new(),
            envelope_id: None,
            body_hash: None,
        }
    }
}

/// The settings that mark relay envelopes as stored: `relay.envelope.{envelope id}`, whose
/// value is the id of the delivery stored from it. Envelope ids are ULIDs, so old marks can be
/// deleted with [`crate::Store::purge_settings_before`] and this prefix.
pub const ENVELOPE_MARKS: &str = "relay.envelope.";

/// The setting that marks `envelope_id` as stored.
pub fn envelope_mark(envelope_id: &str) -> String {
    format!("{ENVELOPE_MARKS}{envelope_id}")
}

/// The result of [`crate::Store::ingest`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IngestOutcome {
    /// The stored delivery's id.
    pub delivery_id: String,
    /// Every alert the delivery carried, new or repeated, in order (one it names as often as
    /// it carried it). An alert the user deleted is not listed: it is not there.
    pub alert_ids: Vec<String>,
    /// True when no alert was new and at least one was known (a delivery with no alert at
    /// all, such as GitHub's ping, is no duplicate).
    pub duplicate: bool,
    /// Alerts created by this delivery.
    pub created: Vec<Alert>,
    /// Existing alerts this delivery repeated (with their grown `seen_count`), closed ones
    /// included (done, with `details.upstream`).
    pub repeated: Vec<Alert>,
    /// Existing done alerts this delivery reopened, and existing alerts whose severity it
    /// raised (the provider says so: [`hookbell_core::Upstream::Reopened`] or
    /// [`hookbell_core::Upstream::Escalated`]): not done, unread, and to be notified again like
    /// a new alert.
    pub reopened: Vec<Alert>,
}

/// What a retention purge deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purged {
    /// Alerts deleted.
    pub alerts: u64,
    /// Deliveries deleted (quarantined ones included).
    pub deliveries: u64,
    /// True when the purge stopped after a bounded step and there may be more to delete:
    /// call it again (other writes are served in between).
    #[serde(default)]
    pub more: bool,
}

/// Counters for `/api/stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    /// Alerts stored.
    pub total: u64,
    /// Alerts neither read nor done.
    pub unread: u64,
    /// Alerts per severity (all five present).
    pub by_severity: BTreeMap<String, u64>,
    /// Alerts per source.
    pub by_source: BTreeMap<String, u64>,
}

/// What a source has received lately.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SourceActivity {
    /// The last delivery that passed authentication.
    pub last_delivery: Option<LastDelivery>,
    /// Deliveries refused for failed authentication, ever.
    pub auth_failures: u64,
    /// The last refused delivery: when and why (never a secret). Null when none was refused.
    #[serde(default)]
    pub last_refusal: Option<Refusal>,
}

/// Why a delivery was refused, as the engine recorded it. Built from the authentication
/// error, which names headers and schemes but never a credential or signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Refusal {
    /// When it arrived.
    pub at: DateTime<Utc>,
    /// What failed.
    pub kind: RefusalKind,
    /// The engine's sentence for it (English).
    pub reason: String,
    /// The header concerned (`missing`, `malformed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// What did not match (`mismatch`): e.g. `credentials`, `signature`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what: Option<String>,
    /// How far the signed timestamp was from the time of receipt, in seconds (`stale`;
    /// positive: in the past).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_secs: Option<i64>,
    /// The tolerance it exceeded, in seconds (`stale`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance_secs: Option<u64>,
}

/// What failed in a refused delivery's authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    /// A header the scheme needs is absent.
    Missing,
    /// A header cannot be read.
    Malformed,
    /// Credentials or signature do not match.
    Mismatch,
    /// The signed timestamp is too far from the time of receipt.
    Stale,
    /// This source's own secret is unusable.
    BadSecret,
}

impl RefusalKind {
    /// Every kind.
    pub const ALL: [RefusalKind; 5] = [
        RefusalKind::Missing,
        RefusalKind::Malformed,
        RefusalKind::Mismatch,
        RefusalKind::Stale,
        RefusalKind::BadSecret,
    ];
}

/// The last delivery a source received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LastDelivery {
    /// Its id.
    pub delivery_id: String,
    /// When it arrived.
    pub at: DateTime<Utc>,
    /// What became of it.
    pub status: DeliveryStatus,
}

/// A delivery's stored value: the metadata JSON's length (u32, big-endian), the JSON, then
/// the body bytes. One key per delivery keeps the write path short.
pub(crate) fn frame(record: &DeliveryRecord, body: &[u8]) -> Vec<u8> {
    let json = serde_json::to_vec(record).unwrap_or_default();
    let mut out = Vec::with_capacity(4 + json.len() + body.len());
    out.extend_from_slice(&u32::try_from(json.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(body);
    out
}

/// Splits a stored delivery value into its metadata JSON and its body.
pub(crate) fn unframe(value: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, rest) = value.split_first_chunk::<4>()?;
    let len = usize::try_from(u32::from_be_bytes(*len)).ok()?;
    (rest.len() >= len).then(|| rest.split_at(len))
}
