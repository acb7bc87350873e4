//! Listing alerts newest first, with filters, text search and cursor paging: the in-memory
//! index picks the page's ids and counts the total; the alerts themselves come from sled.

use std::sync::RwLock;

use hookbell_core::{Alert, Severity, Status};
use serde::Serialize;
use sled::Tree;
use utoipa::ToSchema;

use crate::codec::Codec;
use crate::error::{Result, StoreError};
use crate::index::{self, Index};
use crate::keys;
use crate::sled_store::read_record;

/// The largest page.
pub const MAX_LIMIT: usize = 500;
/// The page size when none is asked for.
pub const DEFAULT_LIMIT: usize = 50;

/// Filters and paging for [`crate::Store::alerts`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertQuery {
    /// Only this source.
    pub source: Option<String>,
    /// Only this severity and above.
    pub min_severity: Option<Severity>,
    /// Only this status.
    pub status: Option<Status>,
    /// Case-insensitive text search over title, subject, source, category and the start of
    /// the summary (160 bytes in all).
    pub q: Option<String>,
    /// Page size (1 to [`MAX_LIMIT`]; default [`DEFAULT_LIMIT`]).
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One page of alerts.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AlertPage {
    /// Newest first.
    pub alerts: Vec<Alert>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// How many alerts match the filters in all.
    pub total: u64,
}

/// The page `query` asks for, as the index knows it: which alerts, newest first.
struct Selected {
    ids: Vec<index::Id>,
    next_cursor: Option<String>,
    total: u64,
}

/// Checks `query` and asks the index for its page.
fn select(index: &RwLock<Index>, query: &AlertQuery) -> Result<Selected> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(StoreError::BadQuery(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let cursor = match &query.cursor {
        Some(text) => Some(index::parse_id(text).ok_or_else(|| {
            StoreError::BadQuery("cursor is not one this server gave out".into())
        })?),
        None => None,
    };
    let needle = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase);
    let page =
        index
            .read()
            .map_err(|_| StoreError::Closed)?
            .page(query, limit, cursor, needle.as_deref());
    Ok(Selected {
        ids: page.ids,
        next_cursor: page.next_cursor.as_ref().map(index::id_text),
        total: page.total,
    })
}

/// Runs `query`: ids from the index, alerts from the tree.
pub(crate) fn run(
    tree: &Tree,
    codec: &Codec,
    index: &RwLock<Index>,
    query: &AlertQuery,
) -> Result<AlertPage> {
    let page = select(index, query)?;
    let mut alerts = Vec::with_capacity(page.ids.len());
    for id in &page.ids {
        // An alert deleted since the index was read is simply left out.
        if let Some(alert) = read_record::<Alert>(tree, codec, &keys::alert(&index::id_text(id)))? {
            alerts.push(alert);
        }
    }
    Ok(AlertPage {
        alerts,
        next_cursor: page.next_cursor,
        total: page.total,
    })
}

/// Runs `query` as [`run`] does and answers the page as the JSON of an [`AlertPage`], with
/// each alert's stored record put in as it is, not read into an [`Alert`] and written out
/// again: reading the `details` of fifty alerts and writing them back was nine tenths of
/// what a page cost. The bytes are the same, because the writer stores an alert as
/// `serde_json::to_vec(&Alert)` and every migration that changes alerts writes them back the
/// same way (`Alert` has no defaulted members, so a record of another shape would not have
/// been readable as an alert at all; the store's tests compare both answers byte for byte).
/// Each record is still checked to be one JSON object, so a damaged record is the same
/// [`StoreError::Corrupt`] as from [`run`], never a broken page.
pub(crate) fn run_json(
    tree: &Tree,
    codec: &Codec,
    index: &RwLock<Index>,
    query: &AlertQuery,
) -> Result<Vec<u8>> {
    let page = select(index, query)?;
    let mut out = Vec::with_capacity(64 + page.ids.len() * 4096);
    out.extend_from_slice(b"{\"alerts\":[");
    let mut first = true;
    for id in &page.ids {
        let key = keys::alert(&index::id_text(id));
        // An alert deleted since the index was read is simply left out.
        let Some(stored) = tree.get(&key)? else {
            continue;
        };
        let record = codec.unpack(&key, &stored)?;
        check_object(&key, &record)?;
        if !first {
            out.push(b',');
        }
        first = false;
        out.extend_from_slice(&record);
    }
    let next_cursor = serde_json::Value::from(page.next_cursor);
    out.extend_from_slice(
        format!("],\"next_cursor\":{next_cursor},\"total\":{}}}", page.total).as_bytes(),
    );
    Ok(out)
}

/// Whether `record` is one JSON object and nothing else, as the writer stores alerts (checked
/// without building it).
fn check_object(key: &[u8], record: &[u8]) -> Result<()> {
    let checked = serde_json::from_slice::<serde::de::IgnoredAny>(record)
        .map_err(|e| e.to_string())
        .and_then(|_| match record.first() {
            Some(b'{') => Ok(()),
            _ => Err("not a JSON object".to_owned()),
        });
    checked.map_err(|reason| StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        reason,
    })
}
