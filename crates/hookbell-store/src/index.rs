//! The in-memory index of every alert: what listing, filtering, text search and the counters
//! need, without reading alerts from disk. It is rebuilt from the index records at the front of
//! the alerts' values ([`crate::codec::index_record`]; `x/` records before schema 5), or read
//! from the snapshot, when the store opens, and kept current by the writer, so stats and totals
//! never scan at request time.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use hookbell_core::{Alert, Severity, Status};

use crate::query::AlertQuery;
use crate::records::Stats;

/// An alert id: a ULID in its 26-character text form (byte order is time order).
pub(crate) type Id = [u8; 26];

/// Parses an id; `None` for anything that is not 26 ASCII alphanumerics.
pub(crate) fn parse_id(text: &str) -> Option<Id> {
    let bytes: Id = text.as_bytes().try_into().ok()?;
    bytes.iter().all(u8::is_ascii_alphanumeric).then_some(bytes)
}

/// The id as text.
pub(crate) fn id_text(id: &Id) -> String {
    String::from_utf8_lossy(id).into_owned()
}

/// The most bytes of search text kept per alert.
const MAX_TEXT: usize = 160;

/// What the index knows of one alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Meta {
    pub severity: Severity,
    pub status: Status,
    /// Shared between every alert of the source (see [`Index::intern`]).
    pub source: Arc<str>,
    /// Lowercase title, subject, source, category and the start of the summary.
    pub text: Box<str>,
}

impl Meta {
    /// The index entry of `alert`.
    pub fn of(alert: &Alert) -> Meta {
        let mut text = [
            alert.title.as_str(),
            &alert.subject,
            &alert.source,
            &alert.category,
            &alert.summary,
        ]
        .join("\n")
        .to_lowercase();
        if text.len() > MAX_TEXT {
            let mut cut = MAX_TEXT;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
        Meta {
            severity: alert.severity,
            status: alert.status(),
            source: Arc::from(alert.source.as_str()),
            text: text.into_boxed_str(),
        }
    }

    /// The index record: severity, status, source length, source, text.
    pub fn encode(&self) -> Vec<u8> {
        let source = self.source.as_bytes();
        let mut out = Vec::with_capacity(3 + source.len() + self.text.len());
        out.push(self.severity.code());
        out.push(self.status.code());
        out.push(u8::try_from(source.len()).unwrap_or(u8::MAX));
        out.extend_from_slice(&source[..source.len().min(255)]);
        out.extend_from_slice(self.text.as_bytes());
        out
    }

    /// Reads an index record.
    pub fn decode(bytes: &[u8]) -> Option<Meta> {
        let (&[sev, status, len], rest) = bytes.split_first_chunk::<3>()?;
        let source = rest.get(..usize::from(len))?;
        let text = rest.get(usize::from(len)..)?;
        Some(Meta {
            severity: Severity::from_code(sev)?,
            status: Status::ALL.into_iter().find(|s| s.code() == status)?,
            source: Arc::from(std::str::from_utf8(source).ok()?),
            text: String::from_utf8(text.to_vec()).ok()?.into_boxed_str(),
        })
    }
}

/// Every alert's [`Meta`], newest last, and the counters derived from them.
#[derive(Debug, Default)]
pub(crate) struct Index {
    entries: BTreeMap<Id, Meta>,
    by_status: [u64; 3],
    by_severity: [u64; 5],
    by_source: HashMap<Arc<str>, u64>,
}

/// The ids of one page, and what the page needs to say about the rest.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PageIds {
    pub ids: Vec<Id>,
    pub next_cursor: Option<Id>,
    pub total: u64,
}

impl Index {
    /// An index of `entries` given in id order, as a scan or a snapshot reads them. Built in
    /// one go, its tree's nodes are full; one grown by [`Index::insert`] in id order has nodes
    /// about half full, and takes a third more memory.
    pub fn from_sorted(entries: Vec<(Id, Meta)>) -> Index {
        // Collecting sorted pairs builds the tree bottom-up (a repeated id keeps its last).
        let mut entries: BTreeMap<Id, Meta> = entries.into_iter().collect();
        let mut index = Index::default();
        // Neighbouring alerts mostly share a source: its name is looked up and counted once a
        // run of them, not once an alert (hashing every name was a fifth of an open).
        let mut run: Option<(Arc<str>, u64)> = None;
        for meta in entries.values_mut() {
            index.by_status[usize::from(meta.status.code())] += 1;
            index.by_severity[usize::from(meta.severity.code())] += 1;
            match &mut run {
                Some((source, n)) if **source == *meta.source => {
                    meta.source = Arc::clone(source);
                    *n += 1;
                }
                _ => {
                    if let Some((source, n)) = run.take() {
                        *index.by_source.entry(source).or_default() += n;
                    }
                    meta.source = index.intern(&meta.source);
                    run = Some((Arc::clone(&meta.source), 1));
                }
            }
        }
        if let Some((source, n)) = run {
            *index.by_source.entry(source).or_default() += n;
        }
        index.entries = entries;
        index
    }

    /// Adds (or replaces) an entry.
    pub fn insert(&mut self, id: Id, mut meta: Meta) {
        self.remove(&id);
        meta.source = self.intern(&meta.source);
        self.count(&meta, 1);
        self.entries.insert(id, meta);
    }

    /// How many alerts it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Every entry, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (&Id, &Meta)> {
        self.entries.iter()
    }

    /// Removes an entry.
    pub fn remove(&mut self, id: &Id) -> Option<Meta> {
        let meta = self.entries.remove(id)?;
        self.count(&meta, -1);
        Some(meta)
    }

    /// The one shared copy of a source's name.
    fn intern(&self, source: &Arc<str>) -> Arc<str> {
        self.by_source
            .get_key_value(source)
            .map_or_else(|| Arc::clone(source), |(k, _)| Arc::clone(k))
    }

    fn count(&mut self, meta: &Meta, delta: i64) {
        let bump = |n: &mut u64| *n = n.saturating_add_signed(delta);
        bump(&mut self.by_status[usize::from(meta.status.code())]);
        bump(&mut self.by_severity[usize::from(meta.severity.code())]);
        let source = self.by_source.entry(Arc::clone(&meta.source)).or_default();
        bump(source);
        if *source == 0 {
            self.by_source.remove(&meta.source);
        }
    }

    /// The counters.
    pub fn stats(&self) -> Stats {
        Stats {
            total: self.entries.len() as u64,
            unread: self.by_status[usize::from(Status::Unread.code())],
            by_severity: Severity::ALL
                .into_iter()
                .map(|s| {
                    (
                        s.as_str().to_owned(),
                        self.by_severity[usize::from(s.code())],
                    )
                })
                .collect(),
            by_source: self
                .by_source
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
        }
    }

    /// The page of ids `query` asks for; `needle` is its lowercase search text.
    pub fn page(
        &self,
        query: &AlertQuery,
        limit: usize,
        cursor: Option<Id>,
        needle: Option<&str>,
    ) -> PageIds {
        // The needle's searcher is built once for the whole scan, not once an alert.
        let finder = needle.map(memchr::memmem::Finder::new);
        let matches = |m: &Meta| {
            query.source.as_deref().is_none_or(|s| &*m.source == s)
                && query.min_severity.is_none_or(|min| m.severity >= min)
                && query.status.is_none_or(|st| m.status == st)
                && finder
                    .as_ref()
                    .is_none_or(|f| f.find(m.text.as_bytes()).is_some())
        };
        let mut ids = Vec::with_capacity(limit);
        let mut next_cursor = None;
        let total = match self.counted(query, needle) {
            // The counters know the total: read only as far as the page goes.
            Some(total) => {
                let range = match cursor {
                    Some(c) => self.entries.range(..c),
                    None => self.entries.range::<Id, _>(..),
                };
                for (id, meta) in range.rev() {
                    if !matches(meta) {
                        continue;
                    }
                    if ids.len() == limit {
                        next_cursor = ids.last().copied();
                        break;
                    }
                    ids.push(*id);
                }
                total
            }
            // Every alert must be looked at to count the matches: one pass that takes the
            // page on the way (alerts newer than the cursor are counted, not listed).
            None => {
                let mut total = 0;
                for (id, meta) in self.entries.iter().rev() {
                    if !matches(meta) {
                        continue;
                    }
                    total += 1;
                    if cursor.is_some_and(|c| *id >= c) {
                        continue;
                    }
                    if ids.len() < limit {
                        ids.push(*id);
                    } else if next_cursor.is_none() {
                        next_cursor = ids.last().copied();
                    }
                }
                total
            }
        };
        PageIds {
            ids,
            next_cursor,
            total,
        }
    }

    /// The total from the counters, when at most one filter and no text is set.
    fn counted(&self, query: &AlertQuery, needle: Option<&str>) -> Option<u64> {
        if needle.is_some() {
            return None;
        }
        match (&query.source, query.status, query.min_severity) {
            (None, None, None) => Some(self.entries.len() as u64),
            (Some(source), None, None) => {
                Some(self.by_source.get(source.as_str()).copied().unwrap_or(0))
            }
            (None, Some(status), None) => Some(self.by_status[usize::from(status.code())]),
            (None, None, Some(min)) => Some(
                Severity::ALL
                    .into_iter()
                    .filter(|s| *s >= min)
                    .map(|s| self.by_severity[usize::from(s.code())])
                    .sum(),
            ),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_records_round_trip_and_text_is_capped_on_a_char_boundary() {
        let mut alert = hookbell_core::testing::sample_alert();
        alert.title = "Ünïcödé ".repeat(60);
        let meta = Meta::of(&alert);
        assert!(meta.text.len() <= MAX_TEXT);
        assert!(meta.text.starts_with("ünïcödé"));
        assert_eq!(Meta::decode(&meta.encode()), Some(meta));
        assert_eq!(Meta::decode(&[9, 0, 0]), None);
        assert_eq!(Meta::decode(&[0, 0, 5, b'a']), None);
    }

    /// Every page of every kind of query, followed cursor by cursor, lists exactly the
    /// matching alerts newest first, and each says the same total as counting them does: the
    /// counters' path and the one-pass path (any text, or two filters) alike.
    #[test]
    fn paging_through_any_query_lists_every_match_once_with_the_right_total() {
        let severities = Severity::ALL;
        let statuses = [Status::Unread, Status::Read, Status::Done];
        let entries: Vec<(Id, Meta)> = (0..300_u32)
            .map(|n| {
                let mut id = [b'0'; 26];
                id[20..].copy_from_slice(format!("{n:06}").as_bytes());
                let meta = Meta {
                    severity: severities[(n as usize * 7) % severities.len()],
                    status: statuses[(n as usize * 5) % statuses.len()],
                    source: Arc::from(["a", "b", "c"][n as usize % 3]),
                    text: format!("alert {n} on host{} of site{}", n % 11, n % 4).into(),
                };
                (id, meta)
            })
            .collect();
        let index = Index::from_sorted(entries.clone());
        for source in [None, Some("b")] {
            for min_severity in [None, Some(Severity::High)] {
                for status in [None, Some(Status::Unread)] {
                    for needle in [None, Some("host3 "), Some("site2"), Some("nowhere")] {
                        let query = AlertQuery {
                            source: source.map(str::to_owned),
                            min_severity,
                            status,
                            ..AlertQuery::default()
                        };
                        let expected: Vec<Id> = entries
                            .iter()
                            .rev()
                            .filter(|(_, m)| {
                                source.is_none_or(|s| &*m.source == s)
                                    && min_severity.is_none_or(|min| m.severity >= min)
                                    && status.is_none_or(|st| m.status == st)
                                    && needle.is_none_or(|n| m.text.contains(n))
                            })
                            .map(|(id, _)| *id)
                            .collect();
                        let mut listed = Vec::new();
                        let mut cursor = None;
                        loop {
                            let page = index.page(&query, 7, cursor, needle);
                            assert_eq!(page.total, expected.len() as u64, "{query:?} {needle:?}");
                            listed.extend(page.ids);
                            match page.next_cursor {
                                Some(next) => cursor = Some(next),
                                None => break,
                            }
                        }
                        assert_eq!(listed, expected, "{query:?} {needle:?}");
                    }
                }
            }
        }
    }

    /// Built in one go (a snapshot, a scan) or entry by entry (the writer), an index counts
    /// the same and shares one name per source, whatever the runs of sources look like.
    #[test]
    fn an_index_built_at_once_counts_and_shares_sources_as_one_built_entry_by_entry() {
        let sources = ["a", "a", "a", "b", "a", "c", "c", "b", "b", "a"];
        let entries: Vec<(Id, Meta)> = sources
            .iter()
            .enumerate()
            .map(|(n, source)| {
                let mut id = [b'0'; 26];
                id[25] = b'A' + n as u8;
                let meta = Meta {
                    severity: Severity::ALL[n % Severity::ALL.len()],
                    status: [Status::Unread, Status::Done][n % 2],
                    source: Arc::from(*source),
                    text: "t".into(),
                };
                (id, meta)
            })
            .collect();
        let at_once = Index::from_sorted(entries.clone());
        let mut one_by_one = Index::default();
        for (id, meta) in entries {
            one_by_one.insert(id, meta);
        }
        assert_eq!(at_once.stats(), one_by_one.stats());
        assert_eq!(at_once.stats().by_source.get("a"), Some(&5));
        let of = |source: &str| -> Vec<&Arc<str>> {
            at_once
                .entries
                .values()
                .filter(|m| &*m.source == source)
                .map(|m| &m.source)
                .collect()
        };
        for source in ["a", "b", "c"] {
            let shared = of(source);
            assert!(
                shared.windows(2).all(|w| Arc::ptr_eq(w[0], w[1])),
                "{source} is one shared name"
            );
        }
    }

    #[test]
    fn ids_are_26_alphanumerics() {
        assert!(parse_id("01JXXXXXXXXXXXXXXXXXXXXXXX").is_some());
        assert!(parse_id("../../etc/passwd").is_none());
        assert!(parse_id("01JXXXXXXXXXXXXXXXXXXXXXX/").is_none());
    }
}
