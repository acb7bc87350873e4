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

/// Runs `query`: ids from the index, alerts from the tree.
pub(crate) fn run(
    tree: &Tree,
    codec: &Codec,
    index: &RwLock<Index>,
    query: &AlertQuery,
) -> Result<AlertPage> {
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
    let mut alerts = Vec::with_capacity(page.ids.len());
    for id in &page.ids {
        // An alert deleted since the index was read is simply left out.
        if let Some(alert) = read_record::<Alert>(tree, codec, &keys::alert(&index::id_text(id)))? {
            alerts.push(alert);
        }
    }
    Ok(AlertPage {
        alerts,
        next_cursor: page.next_cursor.as_ref().map(index::id_text),
        total: page.total,
    })
}
