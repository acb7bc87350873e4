//! Listing alerts newest first, with filters, text search and cursor paging.
//!
//! The query walks one index, the most selective one it has (source, then status, then
//! severity, then every alert), and checks the other filters on each candidate. `total` comes
//! from the counters when a single filter is set; otherwise the walk goes on to count.

use hookbell_core::{Alert, Severity, Status};
use serde::Serialize;
use sled::{IVec, Tree};
use utoipa::ToSchema;

use crate::error::{Result, StoreError};
use crate::keys::{self, counter};
use crate::sled_store::{read_counter, read_json};

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
    /// Case-insensitive text search over title, summary, subject, source, category and
    /// description.
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

/// One candidate of a walk: the alert id and the index entry's value.
type Item = Result<(String, IVec)>;
type Ids<'t> = Box<dyn Iterator<Item = Item> + 't>;

/// The keys under `prefix` (each ending in an alert id), newest first, below `before`.
fn walk<'t>(tree: &'t Tree, prefix: Vec<u8>, before: Option<&str>) -> Ids<'t> {
    let prefix_len = prefix.len();
    let end = match before {
        Some(cursor) => [prefix.as_slice(), cursor.as_bytes()].concat(),
        None => keys::prefix_end(&prefix),
    };
    Box::new(tree.range(prefix..end).rev().map(move |entry| {
        let (key, value) = entry?;
        let id = keys::id_after(&key, prefix_len).ok_or_else(|| StoreError::Corrupt {
            key: String::from_utf8_lossy(&key).into_owned(),
            reason: "index key without an id".into(),
        })?;
        Ok((id, value))
    }))
}

/// Newest-first merge of several newest-first walks (the severity ranges).
fn merge(streams: Vec<Ids<'_>>) -> Ids<'_> {
    let mut streams: Vec<_> = streams.into_iter().map(Iterator::peekable).collect();
    Box::new(std::iter::from_fn(move || {
        let mut best: Option<(usize, String)> = None;
        for (i, stream) in streams.iter_mut().enumerate() {
            match stream.peek() {
                Some(Err(_)) => return stream.next(),
                Some(Ok((id, _))) if best.as_ref().is_none_or(|(_, b)| id > b) => {
                    best = Some((i, id.clone()));
                }
                _ => {}
            }
        }
        best.and_then(|(i, _)| streams[i].next())
    }))
}

/// Which index a query walks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Driver {
    Source,
    Status,
    Severity,
    Search,
    All,
}

struct Plan<'q> {
    query: &'q AlertQuery,
    needle: Option<String>,
    driver: Driver,
}

impl Plan<'_> {
    fn ids<'t>(&self, tree: &'t Tree, before: Option<&str>) -> Ids<'t> {
        let q = self.query;
        match self.driver {
            Driver::Source => walk(
                tree,
                keys::by_source_prefix(q.source.as_deref().unwrap_or_default()),
                before,
            ),
            Driver::Status => walk(
                tree,
                keys::by_status_prefix(q.status.unwrap_or(Status::Unread)),
                before,
            ),
            Driver::Severity => {
                let min = q.min_severity.unwrap_or(Severity::Info);
                let ranges = Severity::ALL
                    .into_iter()
                    .filter(|s| *s >= min)
                    .map(|s| walk(tree, keys::by_severity_prefix(s), before))
                    .collect();
                merge(ranges)
            }
            Driver::Search => walk(tree, keys::SEARCH.to_vec(), before),
            Driver::All => walk(tree, keys::ALERT.to_vec(), before),
        }
    }

    /// Whether the alert `id` (found by the driver, with its index value) passes the other
    /// filters, checked on the indexes without reading the alert.
    fn matches(&self, tree: &Tree, id: &str, value: &IVec) -> Result<bool> {
        let q = self.query;
        if self.driver != Driver::Source
            && let Some(source) = &q.source
            && !tree.contains_key(keys::by_source(source, id))?
        {
            return Ok(false);
        }
        if self.driver != Driver::Status
            && let Some(status) = q.status
            && !tree.contains_key(keys::by_status(status, id))?
        {
            return Ok(false);
        }
        if self.driver != Driver::Severity
            && let Some(min) = q.min_severity
        {
            let mut any = false;
            for sev in Severity::ALL.into_iter().filter(|s| *s >= min) {
                if tree.contains_key(keys::by_severity(sev, id))? {
                    any = true;
                    break;
                }
            }
            if !any {
                return Ok(false);
            }
        }
        if let Some(needle) = &self.needle {
            let text = if self.driver == Driver::Search {
                Some(value.clone())
            } else {
                tree.get(keys::search(id))?
            };
            if text.is_none_or(|t| memchr::memmem::find(&t, needle.as_bytes()).is_none()) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `total` from the counters, when one filter (and no text) is set.
    fn counted(&self, tree: &Tree) -> Result<Option<u64>> {
        let q = self.query;
        if self.needle.is_some() {
            return Ok(None);
        }
        let filters = [
            q.source.is_some(),
            q.status.is_some(),
            q.min_severity.is_some(),
        ];
        Ok(match filters.iter().filter(|f| **f).count() {
            0 => Some(read_counter(tree, counter::TOTAL)?),
            1 => Some(if let Some(source) = &q.source {
                read_counter(tree, &counter::source(source))?
            } else if let Some(status) = q.status {
                read_counter(tree, &counter::status(status))?
            } else {
                let min = q.min_severity.unwrap_or(Severity::Info);
                let mut sum = 0;
                for sev in Severity::ALL.into_iter().filter(|s| *s >= min) {
                    sum += read_counter(tree, &counter::severity(sev))?;
                }
                sum
            }),
            _ => None,
        })
    }
}

/// Runs `query` against the tree.
pub(crate) fn run(tree: &Tree, query: &AlertQuery) -> Result<AlertPage> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(StoreError::BadQuery(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    if let Some(cursor) = &query.cursor
        && (cursor.len() != 26 || !cursor.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(StoreError::BadQuery(
            "cursor is not one this server gave out".into(),
        ));
    }
    let needle = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase);
    let driver = if query.source.is_some() {
        Driver::Source
    } else if query.status.is_some() {
        Driver::Status
    } else if query.min_severity.is_some() {
        Driver::Severity
    } else if needle.is_some() {
        Driver::Search
    } else {
        Driver::All
    };
    let plan = Plan {
        query,
        needle,
        driver,
    };
    let counted = plan.counted(tree)?;
    // Without a cursor and without counters, one walk both fills the page and counts.
    let count_in_page_walk = counted.is_none() && query.cursor.is_none();

    let mut alerts = Vec::with_capacity(limit);
    let mut next_cursor = None;
    let mut matched: u64 = 0;
    for item in plan.ids(tree, query.cursor.as_deref()) {
        let (id, value) = item?;
        if !plan.matches(tree, &id, &value)? {
            continue;
        }
        matched += 1;
        if alerts.len() < limit {
            if let Some(alert) = read_json::<Alert>(tree, &keys::alert(&id))? {
                alerts.push(alert);
            }
        } else if next_cursor.is_none() {
            next_cursor = alerts.last().map(|a: &Alert| a.id.clone());
            if !count_in_page_walk {
                break;
            }
        }
    }
    let total = match counted {
        Some(n) => n,
        None if count_in_page_walk => matched,
        None => {
            let mut n = 0;
            for item in plan.ids(tree, None) {
                let (id, value) = item?;
                if plan.matches(tree, &id, &value)? {
                    n += 1;
                }
            }
            n
        }
    };
    Ok(AlertPage {
        alerts,
        next_cursor,
        total,
    })
}
