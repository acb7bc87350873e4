//! What the store's ops do, for its single writer thread.
//!
//! Callers send an [`Op`] and wait for the reply (see [`crate::Pending`]). The thread and its
//! group commit are [`hookbell_commit`]'s: it takes every op waiting, has [`Writer`] stage each
//! into the group's [`GroupChanges`], and answers them all once [`Writer::commit`] wrote the
//! whole group as one atomic sled batch and flushed once. An error in that write or the flush
//! fails every op of the group: none of them was acknowledged, so none is reported as stored,
//! and nothing the group staged is left to be written with the next one (each group stages
//! into changes of its own). The in-memory index takes the group's changes after the flush and
//! before the answers, so a listing never shows what is not yet on disk, and a caller that got
//! its answer finds its change listed.
//!
//! One batch per group rather than one per op matters: sled writes and syncs its log buffer
//! twice for every `apply_batch` (it rolls the buffer around the batch's manifest), so a batch
//! per delivery cost two small synced writes per delivery. Ops read through the staged
//! changes ([`Writer::get`]), so an op sees what the ops before it in the group wrote.
//!
//! Alerts and deliveries are packed ([`crate::codec`]); the writer also has each kind's
//! dictionary trained in the background once enough records were written, and writes it with
//! the next group, making it the one new records are packed with once that group is on disk.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::ControlFlow;
use std::sync::{Arc, RwLock, mpsc};
use std::time::Duration;

use chrono::Utc;
use hookbell_commit::Gather;
use hookbell_core::{Alert, AlertPatch, NewAlert, Severity, Status, Upstream};
use sled::{Batch, IVec, Tree};
use ulid::Generator;

use crate::codec::{self, Codec, Kind};
use crate::error::{Result, StoreError};
use crate::index::{self, Index, Meta};
use crate::keys;
use crate::records::{
    DeliveryRecord, DeliveryStatus, IngestOutcome, LastDelivery, Purged, envelope_mark, frame,
};
use crate::sled_store::parse_json;

/// How the writer gathers a group: at most 512 ops before one flush, and a busy writer waits
/// up to 0.5 ms for more ops to join a group.
pub(crate) const GATHER: Gather = Gather {
    max_ops: 512,
    linger: Duration::from_micros(500),
};
/// Most alerts, and most deliveries, one purge op deletes (see [`Writer::purge`]).
const PURGE_STEP: u64 = 1_000;

/// A change to the store.
pub(crate) enum Op {
    Ingest {
        delivery: DeliveryRecord,
        body: Vec<u8>,
        alerts: Vec<Prepared>,
    },
    Quarantine {
        delivery: DeliveryRecord,
        body: Vec<u8>,
    },
    Patch {
        id: String,
        patch: AlertPatch,
    },
    Delete {
        id: String,
    },
    SetSetting {
        key: String,
        value: serde_json::Value,
    },
    Purge {
        before: chrono::DateTime<Utc>,
    },
    PurgeSettings {
        prefix: String,
        before: chrono::DateTime<Utc>,
    },
    Flush,
}

/// What an op produced.
pub(crate) enum Done {
    Ingest(Box<IngestOutcome>),
    Quarantine(String),
    Patch(Option<Box<Alert>>),
    Delete(bool),
    Purged(Purged),
    Count(u64),
    Unit,
}

/// A new alert built and serialized by the caller's thread, so the writer only decides
/// (new or duplicate) and writes.
pub(crate) struct Prepared {
    pub alert: Alert,
    /// The alert's value as stored: its index record, then the alert packed
    /// ([`alert_value`]).
    pub value: Vec<u8>,
    pub meta: Meta,
    /// Where the provider says its alert stands; a close or reopen changes a stored alert.
    pub upstream: Upstream,
}

impl Prepared {
    /// Builds the alert `new` as the first sighting in `delivery`, with id `id`.
    /// An alert the provider reports already closed is created done (and does not notify).
    pub fn new(new: NewAlert, id: String, delivery: &DeliveryRecord, codec: &Codec) -> Prepared {
        let mut alert = Alert {
            id,
            source: delivery.source.clone(),
            provider: delivery.provider.clone(),
            external_id: new.external_id,
            severity: new.severity,
            title: new.title,
            summary: new.summary,
            description: new.description,
            recommendation: new.recommendation,
            subject: new.subject,
            category: new.category,
            occurred_at: new.occurred_at,
            received_at: delivery.received_at,
            last_seen_at: delivery.received_at,
            seen_count: 1,
            read: false,
            done: false,
            unrecognized: new.unrecognized,
            masked_values: new.masked_values,
            links: new.links,
            delivery_id: delivery.id.clone(),
            details: new.details,
        };
        follow_upstream(&mut alert, &new.upstream, delivery.received_at);
        let meta = Meta::of(&alert);
        Prepared {
            value: alert_value(codec, &alert, &meta),
            meta,
            alert,
            upstream: new.upstream,
        }
    }
}

/// Time-ordered ids for alerts and deliveries, shared by every thread.
#[derive(Default)]
pub(crate) struct Ids(std::sync::Mutex<Generator>);

impl Ids {
    pub fn next(&self) -> String {
        let mut generator = match self.0.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        match generator.generate() {
            Ok(id) => id,
            Err(overflow) => overflow.commit_overflow_increment(),
        }
        .to_string()
    }
}

/// A change to the in-memory index, made once its group is flushed.
type IndexChange = Box<dyn FnOnce(&mut Index) + Send>;

/// What the ops of one group staged: their key changes, written as one sled batch, and the
/// index changes that follow them once flushed. The group commit makes one per group and
/// hands it to [`Writer::commit`], so nothing of it outlives its group.
#[derive(Default)]
pub(crate) struct GroupChanges {
    keys: Staged,
    index: Vec<IndexChange>,
}

impl GroupChanges {
    /// Adds an op's changes to the group's batch; a later op's change to a key wins.
    fn stage(&mut self, changes: Staged) {
        self.keys.0.extend(changes.0);
    }

    /// Runs `change` on the index once the group is flushed.
    fn update_index(&mut self, change: impl FnOnce(&mut Index) + Send + 'static) {
        self.index.push(Box::new(change));
    }
}

/// Key changes waiting to be written: `None` removes the key. Sorted, as sled applies them.
#[derive(Default)]
struct Staged(BTreeMap<Vec<u8>, Option<Vec<u8>>>);

impl Staged {
    fn insert(&mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.0.insert(key.into(), Some(value.into()));
    }

    fn remove(&mut self, key: impl Into<Vec<u8>>) {
        self.0.insert(key.into(), None);
    }

    fn into_batch(self) -> Batch {
        let mut batch = Batch::default();
        for (key, value) in self.0 {
            match value {
                Some(value) => batch.insert(key, value),
                None => batch.remove(key),
            }
        }
        batch
    }
}

pub(crate) struct Writer {
    tree: Tree,
    codec: Arc<Codec>,
    index: Arc<RwLock<Index>>,
    ids: Arc<Ids>,
    /// Dictionaries to train, trained, and waiting to be made current.
    dictionaries: Dictionaries,
    /// Most alerts (and deliveries) one purge op deletes: [`PURGE_STEP`], less in tests.
    purge_step: u64,
    /// Where the last purge step stopped, when it left more to do.
    purge_cursor: Option<PurgeCursor>,
    /// Test-only: how many keys purge steps read.
    #[cfg(test)]
    purge_reads: u64,
    /// Test-only fault injection: how many of the next batch writes fail.
    #[cfg(test)]
    failing_writes: usize,
}

impl Writer {
    pub fn new(tree: Tree, codec: Arc<Codec>, index: Arc<RwLock<Index>>, ids: Arc<Ids>) -> Writer {
        // A kind without a dictionary counts the records already stored towards its first.
        let stored = index.read().map_or(0, |index| index.len() as u64);
        let dictionaries = Dictionaries::new(&codec, stored);
        Writer {
            tree,
            codec,
            index,
            ids,
            dictionaries,
            purge_step: PURGE_STEP,
            purge_cursor: None,
            #[cfg(test)]
            purge_reads: 0,
            #[cfg(test)]
            failing_writes: 0,
        }
    }

    fn next_id(&mut self) -> String {
        self.ids.next()
    }

    /// The value of `key` as the ops applied so far left it (`group` holds what they staged).
    fn get(&self, group: &GroupChanges, key: &[u8]) -> Result<Option<IVec>> {
        match group.keys.0.get(key) {
            Some(staged) => Ok(staged.as_deref().map(IVec::from)),
            None => Ok(self.tree.get(key)?),
        }
    }

    /// Every key in `range` and its value, as the ops applied so far left them (the staged
    /// changes merged with the tree's keys, a staged change winning), in key order, to `each`.
    /// Reading through the staged changes is what lets a purge in the middle of a group see
    /// the group's earlier ops without writing them early: the group stays one batch.
    /// `each` answers whether to go on; the answer is the key it stopped at (not visited, so
    /// every key before it was), or `None` when every key was visited.
    fn for_each_in(
        &self,
        group: &GroupChanges,
        range: std::ops::Range<Vec<u8>>,
        mut each: impl FnMut(&[u8], &[u8]) -> Result<ControlFlow<()>>,
    ) -> Result<Option<Vec<u8>>> {
        let mut staged = group.keys.0.range(range.clone()).peekable();
        let mut tree = self.tree.range(range).peekable();
        loop {
            let from_tree = match (staged.peek(), tree.peek()) {
                (None, None) => return Ok(None),
                (Some(_), None) => false,
                (None, Some(_)) => true,
                (Some((staged_key, _)), Some(Ok((tree_key, _)))) => {
                    tree_key.as_ref() < staged_key.as_slice()
                }
                (Some(_), Some(Err(_))) => true,
            };
            let (key, value) = if from_tree {
                let Some(entry) = tree.next() else {
                    return Ok(None);
                };
                let (key, value) = entry?;
                (key.to_vec(), Some(value))
            } else {
                let Some((key, value)) = staged.next() else {
                    return Ok(None);
                };
                // The tree's value under the same key is what the staged change replaces.
                if tree
                    .peek()
                    .is_some_and(|entry| entry.as_ref().is_ok_and(|(k, _)| k == key))
                {
                    tree.next();
                }
                (key.clone(), value.as_deref().map(IVec::from))
            };
            if let Some(value) = value
                && each(&key, &value)?.is_break()
            {
                return Ok(Some(key));
            }
        }
    }

    /// Writes a group's key changes to the tree as one atomic batch (not yet flushed).
    fn write_staged(&mut self, staged: Staged) -> sled::Result<()> {
        if staged.0.is_empty() {
            return Ok(());
        }
        self.apply_batch(staged.into_batch())
    }

    /// Applies `batch` to the tree. In unit tests, [`Writer::failing_writes`] makes the next
    /// writes fail as a full disk would, without touching the tree.
    fn apply_batch(&mut self, batch: Batch) -> sled::Result<()> {
        #[cfg(test)]
        if self.failing_writes > 0 {
            self.failing_writes -= 1;
            return Err(sled::Error::Io(std::io::Error::other(
                "injected write failure",
            )));
        }
        self.tree.apply_batch(batch)
    }

    /// Makes a group's index changes, in the order they were made to the tree. They are made
    /// even when the flush failed: the tree holds those changes in memory all the same.
    fn publish_index_changes(&mut self, changes: Vec<IndexChange>) {
        let mut index = self
            .index
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        changes.into_iter().for_each(|change| change(&mut index));
    }

    /// Stages `op`'s changes into `group`, reading through what the group staged before it.
    fn apply(&mut self, group: &mut GroupChanges, op: Op) -> Result<Done> {
        match op {
            Op::Ingest {
                delivery,
                body,
                alerts,
            } => self
                .ingest(group, delivery, body, alerts)
                .map(|o| Done::Ingest(Box::new(o))),
            Op::Quarantine { delivery, body } => {
                self.quarantine(group, delivery, body).map(Done::Quarantine)
            }
            Op::Patch { id, patch } => self
                .patch(group, &id, patch)
                .map(|a| Done::Patch(a.map(Box::new))),
            Op::Delete { id } => self.delete(group, &id).map(Done::Delete),
            Op::SetSetting { key, value } => {
                let mut batch = Staged::default();
                batch.insert(keys::setting(&key), json(&value));
                group.stage(batch);
                Ok(Done::Unit)
            }
            Op::Purge { before } => self.purge(group, before).map(Done::Purged),
            Op::PurgeSettings { prefix, before } => {
                self.purge_settings(group, &prefix, before).map(Done::Count)
            }
            Op::Flush => Ok(Done::Unit),
        }
    }

    /// Retention, one bounded step: deletes the alerts last seen before `before`, each with
    /// every key that names it (index record, dedup key), and the deliveries received before
    /// it (quarantined ones included) except the one each kept alert came in. Once an alert is
    /// gone its dedup key is gone too, so the same alert reported again is a new alert that
    /// notifies.
    ///
    /// Which alerts: `last_seen_at` is never before the first sighting, and an alert's id (a
    /// ULID) is made at its first sighting, so only alerts in the key range of ids made before
    /// `before` can qualify; each of those is read for its `last_seen_at`. No index by last
    /// sighting is kept: it would cost every repeat two more keys on the hot path and a
    /// migration, to save reading, once per run, the old alerts that are still being
    /// reported. The range holds the alerts that crossed the window since the last run (the
    /// hourly run finds few) plus those still reported.
    ///
    /// Bounded: one op deletes at most [`PURGE_STEP`] alerts and as many deliveries, and says
    /// `more` when it stopped there; the caller sends it again. The first run after retention
    /// is turned on may have 100,000 alerts to delete: in one batch that held the writer, and
    /// every delivery waiting on it, for about 7 s (0.9 s reading, 6.3 s writing the batch;
    /// 100,000 alerts of 1.5 KiB, release build); in steps the longest step took 0.15 s (13 s
    /// in all), and deliveries are served between them. Deliveries are deleted only
    /// once every candidate alert was read, so the deliveries of kept alerts are known. Changes
    /// staged by earlier ops of the group are read through ([`Writer::for_each_in`]), so the
    /// group is still written as one batch.
    ///
    /// Each step goes on where the last one stopped when it has the same `before`
    /// ([`PurgeCursor`]): an alert or delivery is read once per run, not once per step (kept
    /// alerts were re-read by every step, and every candidate alert again for every thousand
    /// deliveries). That holds because nothing a step read changes its verdict later: a kept
    /// alert's `last_seen_at` only grows and the delivery it came in stays, a deleted one is
    /// gone, and a new alert's id is made after `before` (retention's cutoff is in the past).
    /// The cursor is dropped, and the next step starts over, when an alert is created with an
    /// id below the cutoff (a cutoff not in the past), and when a group's write fails (its
    /// deletions were not made).
    fn purge(&mut self, group: &mut GroupChanges, before: chrono::DateTime<Utc>) -> Result<Purged> {
        let cutoff = ulid_at(before);
        let step = self.purge_step;
        let PurgeCursor {
            mut resume,
            mut kept_deliveries,
            ..
        } = match self.purge_cursor.take() {
            Some(cursor) if cursor.before == before => cursor,
            _ => PurgeCursor::start(before),
        };
        let mut purged = Purged::default();
        let mut batch = Staged::default();
        let mut gone = Vec::new();
        #[cfg(test)]
        let mut read = 0;
        if let Resume::Alerts(from) = resume {
            let prefix = keys::ALERT.len();
            let stopped = self.for_each_in(group, from..keys::alert(&cutoff), |key, value| {
                if purged.alerts >= step {
                    return Ok(ControlFlow::Break(()));
                }
                #[cfg(test)]
                {
                    read += 1;
                }
                let Some(id) = keys::id_after(key, prefix) else {
                    return Ok(ControlFlow::Continue(()));
                };
                let seen: Seen = match self
                    .codec
                    .unpack(key, value)
                    .and_then(|value| parse_json(key, &value))
                {
                    Ok(seen) => seen,
                    Err(e) => {
                        // Never delete what cannot be read: its dedup key is unknown.
                        tracing::warn!(error = %e, "retention keeps an unreadable alert");
                        return Ok(ControlFlow::Continue(()));
                    }
                };
                if seen.last_seen_at >= before {
                    kept_deliveries.insert(seen.delivery_id);
                    return Ok(ControlFlow::Continue(()));
                }
                let dedup = keys::dedup(&seen.source, &seen.external_id);
                if self
                    .get(group, &dedup)?
                    .is_some_and(|named| named == id.as_bytes())
                {
                    batch.remove(dedup);
                }
                batch.remove(key.to_vec());
                gone.push(id);
                purged.alerts += 1;
                Ok(ControlFlow::Continue(()))
            })?;
            resume = match stopped {
                Some(key) => Resume::Alerts(key),
                None => Resume::Deliveries(keys::delivery("")),
            };
        }
        // Deliveries only once every candidate alert was read: then the deliveries of kept
        // alerts are known.
        let next = match resume {
            Resume::Deliveries(from) => {
                let range = from..keys::delivery(&cutoff);
                let stopped = self.for_each_in(group, range, |key, _| {
                    if purged.deliveries >= step {
                        return Ok(ControlFlow::Break(()));
                    }
                    #[cfg(test)]
                    {
                        read += 1;
                    }
                    if let Some(id) = keys::id_after(key, keys::DELIVERY.len())
                        && !kept_deliveries.contains(&id)
                    {
                        batch.remove(keys::quarantined(&id));
                        batch.remove(key.to_vec());
                        purged.deliveries += 1;
                    }
                    Ok(ControlFlow::Continue(()))
                })?;
                stopped.map(Resume::Deliveries)
            }
            alerts => Some(alerts),
        };
        #[cfg(test)]
        {
            self.purge_reads += read;
        }
        purged.more = next.is_some();
        if let Some(resume) = next {
            self.purge_cursor = Some(PurgeCursor {
                before,
                resume,
                kept_deliveries,
            });
        }
        group.stage(batch);
        group.update_index(move |index| {
            for id in &gone {
                if let Some(key) = index::parse_id(id) {
                    index.remove(&key);
                }
            }
        });
        Ok(purged)
    }

    /// Deletes the settings `{prefix}{ULID}` with a ULID from before `before`: a key range,
    /// read through the group's staged changes like [`Writer::purge`].
    fn purge_settings(
        &mut self,
        group: &mut GroupChanges,
        prefix: &str,
        before: chrono::DateTime<Utc>,
    ) -> Result<u64> {
        let cutoff = ulid_at(before);
        let mut batch = Staged::default();
        let mut count = 0;
        let range = keys::setting(prefix)..keys::setting(&format!("{prefix}{cutoff}"));
        self.for_each_in(group, range, |key, _| {
            batch.remove(key.to_vec());
            count += 1;
            Ok(ControlFlow::Continue(()))
        })?;
        group.stage(batch);
        Ok(count)
    }

    fn ingest(
        &mut self,
        group: &mut GroupChanges,
        mut delivery: DeliveryRecord,
        body: Vec<u8>,
        alerts: Vec<Prepared>,
    ) -> Result<IngestOutcome> {
        if let Some(stored) = self.stored_from_envelope(group, &delivery)? {
            return Ok(IngestOutcome {
                delivery_id: stored,
                duplicate: true,
                ..IngestOutcome::default()
            });
        }
        let now = Utc::now();
        let mut batch = Staged::default();
        let mut outcome = IngestOutcome {
            delivery_id: delivery.id.clone(),
            ..IngestOutcome::default()
        };
        // Every alert this delivery names, by external id, so that a later sighting of one
        // carries on from the earlier one rather than from the state before the delivery.
        let mut sighted: HashMap<String, Sighted> = HashMap::new();
        let mut created: Vec<Prepared> = Vec::new();
        let mut touched: Vec<Touched> = Vec::new();
        // Whether any sighting was of a known alert (one the user deleted included).
        let mut known = false;
        for prepared in alerts {
            match sighted.get(&prepared.alert.external_id) {
                // A batch may repeat one of its own alerts. Closed and reopened within one
                // delivery: the last word wins, and the alert is new, so it notifies (or not)
                // as a new alert.
                Some(&Sighted::Created(at)) => {
                    let first = &mut created[at];
                    first.alert.seen_count += 1;
                    follow_upstream(&mut first.alert, &prepared.upstream, delivery.received_at);
                    outcome.alert_ids.push(first.alert.id.clone());
                    continue;
                }
                Some(&Sighted::Stored(at)) => {
                    let seen = &mut touched[at];
                    seen.alert.seen_count += 1;
                    follow_upstream(&mut seen.alert, &prepared.upstream, now);
                    outcome.alert_ids.push(seen.alert.id.clone());
                    continue;
                }
                None => {}
            }
            let dedup_key = keys::dedup(&delivery.source, &prepared.alert.external_id);
            if let Some(existing) = self.get(group, &dedup_key)? {
                known = true;
                let existing_id = String::from_utf8_lossy(&existing).into_owned();
                if let Some(mut alert) = self.load(group, &existing_id)? {
                    let was = alert.status();
                    let was_severity = alert.severity;
                    alert.seen_count += 1;
                    alert.last_seen_at = now;
                    follow_upstream(&mut alert, &prepared.upstream, now);
                    sighted.insert(prepared.alert.external_id, Sighted::Stored(touched.len()));
                    touched.push(Touched {
                        alert,
                        was,
                        was_severity,
                    });
                    outcome.alert_ids.push(existing_id);
                    continue;
                }
                // The user deleted it, and its dedup key stays so a provider's retry does not
                // bring it back. The provider reopening or escalating it is new information: it
                // is created again (below), under a new id its dedup key then names.
                if !matches!(
                    prepared.upstream,
                    Upstream::Reopened { .. } | Upstream::Escalated { .. }
                ) {
                    continue;
                }
            }
            batch.insert(dedup_key, prepared.alert.id.as_bytes());
            outcome.alert_ids.push(prepared.alert.id.clone());
            sighted.insert(
                prepared.alert.external_id.clone(),
                Sighted::Created(created.len()),
            );
            created.push(prepared);
        }
        // A delivery the provider acknowledged with no alert (GitHub's ping) is accepted, not
        // a duplicate: it is stored, and the source's last delivery shows it was reached.
        outcome.duplicate = created.is_empty() && known;
        delivery.status = if outcome.duplicate {
            DeliveryStatus::Duplicate
        } else {
            DeliveryStatus::Accepted
        };
        delivery.alert_ids = outcome.alert_ids.clone();
        let mut metas = Vec::new();
        // Each stored alert is written once, as its last sighting left it (its index record
        // with it); the in-memory index changes only when its status or severity did. A done
        // alert that ends not done was reopened, and one whose severity rose was escalated:
        // either notifies again.
        for Touched {
            alert,
            was,
            was_severity,
        } in touched
        {
            let id = &alert.id;
            let meta = Meta::of(&alert);
            batch.insert(keys::alert(id), alert_value(&self.codec, &alert, &meta));
            if alert.status() != was || alert.severity != was_severity {
                metas.push((index::parse_id(id), meta));
            }
            if (was == Status::Done && !alert.done) || alert.severity > was_severity {
                outcome.reopened.push(alert);
            } else {
                outcome.repeated.push(alert);
            }
        }
        if let Some(cursor) = &self.purge_cursor {
            // A purge under way has read past where this alert sorts (or is deleting
            // deliveries): it would not know this alert, and might delete its delivery.
            let cutoff = ulid_at(cursor.before);
            if created.iter().any(|p| p.alert.id < cutoff) {
                self.purge_cursor = None;
            }
        }
        for mut prepared in created {
            // Serialised by the caller, unless this delivery repeated it.
            if prepared.alert.seen_count > 1 {
                prepared.meta = Meta::of(&prepared.alert);
                prepared.value = alert_value(&self.codec, &prepared.alert, &prepared.meta);
            }
            self.dictionaries.count(Kind::Alert, 1);
            let id = &prepared.alert.id;
            batch.insert(keys::alert(id), prepared.value);
            metas.push((index::parse_id(id), prepared.meta));
            outcome.created.push(prepared.alert);
        }
        self.put_delivery(&mut batch, &delivery, &body);
        group.stage(batch);
        group.update_index(move |index| {
            for (id, meta) in metas {
                if let Some(id) = id {
                    index.insert(id, meta);
                }
            }
        });
        Ok(outcome)
    }

    fn quarantine(
        &mut self,
        group: &mut GroupChanges,
        mut delivery: DeliveryRecord,
        body: Vec<u8>,
    ) -> Result<String> {
        if let Some(stored) = self.stored_from_envelope(group, &delivery)? {
            return Ok(stored);
        }
        let id = self.next_id();
        delivery.id = id.clone();
        delivery.status = DeliveryStatus::Quarantined;
        let mut batch = Staged::default();
        self.put_delivery(&mut batch, &delivery, &body);
        batch.insert(keys::quarantined(&id), Vec::new());
        group.stage(batch);
        Ok(id)
    }

    /// The id of the delivery already stored from `delivery`'s relay envelope, if it was
    /// (empty for marks written before they held it).
    fn stored_from_envelope(
        &self,
        group: &GroupChanges,
        delivery: &DeliveryRecord,
    ) -> Result<Option<String>> {
        let Some(envelope) = &delivery.envelope_id else {
            return Ok(None);
        };
        let key = keys::setting(&envelope_mark(envelope));
        Ok(self
            .get(group, &key)?
            .map(|mark| match serde_json::from_slice(&mark) {
                Ok(serde_json::Value::String(id)) => id,
                _ => String::new(),
            }))
    }

    /// Stages a delivery, the source's last delivery, and its envelope's mark.
    fn put_delivery(&mut self, batch: &mut Staged, delivery: &DeliveryRecord, body: &[u8]) {
        if let Some(envelope) = &delivery.envelope_id {
            let mark = serde_json::Value::String(delivery.id.clone());
            batch.insert(keys::setting(&envelope_mark(envelope)), json(&mark));
        }
        let packed = self.codec.pack(Kind::Delivery, &frame(delivery, body));
        self.dictionaries.count(Kind::Delivery, 1);
        batch.insert(keys::delivery(&delivery.id), packed);
        let last = LastDelivery {
            delivery_id: delivery.id.clone(),
            at: delivery.received_at,
            status: delivery.status,
        };
        batch.insert(keys::last_delivery(&delivery.source), json(&last));
    }

    fn patch(
        &mut self,
        group: &mut GroupChanges,
        id: &str,
        patch: AlertPatch,
    ) -> Result<Option<Alert>> {
        let Some(mut alert) = self.load(group, id)? else {
            return Ok(None);
        };
        alert.apply(patch);
        let mut batch = Staged::default();
        let meta = Meta::of(&alert);
        batch.insert(keys::alert(id), alert_value(&self.codec, &alert, &meta));
        group.stage(batch);
        if let Some(key) = index::parse_id(id) {
            group.update_index(move |index| index.insert(key, meta));
        }
        Ok(Some(alert))
    }

    fn delete(&mut self, group: &mut GroupChanges, id: &str) -> Result<bool> {
        if self.load(group, id)?.is_none() {
            return Ok(false);
        }
        let mut batch = Staged::default();
        batch.remove(keys::alert(id));
        group.stage(batch);
        if let Some(key) = index::parse_id(id) {
            group.update_index(move |index| {
                index.remove(&key);
            });
        }
        Ok(true)
    }

    fn load(&self, group: &GroupChanges, id: &str) -> Result<Option<Alert>> {
        let key = keys::alert(id);
        self.get(group, &key)?
            .map(|bytes| parse_json(&key, &self.codec.unpack(&key, &bytes)?))
            .transpose()
    }
}

/// An alert's value as stored: its index record `meta`, then the alert packed
/// ([`codec::with_index_record`]).
fn alert_value(codec: &Codec, alert: &Alert, meta: &Meta) -> Vec<u8> {
    codec::with_index_record(&meta.encode(), &codec.pack(Kind::Alert, &json(alert)))
}

/// The store's side of the group commit ([`hookbell_commit`] runs the thread and the loop).
impl hookbell_commit::Group for Writer {
    type Op = Op;
    type Batch = GroupChanges;
    /// The answer itself: the index takes the whole group's changes in [`Writer::commit`].
    type Effect = Done;
    type Done = Done;
    type Error = StoreError;
    type Failure = sled::Error;

    fn stage(&mut self, group: &mut GroupChanges, op: Op) -> Result<Done> {
        self.apply(group, op)
    }

    /// Writes the group's key changes as one batch (with a dictionary trained since the last
    /// group), flushes, and makes the group's index changes. When the write fails, nothing of
    /// the group reached the tree and its index changes are dropped with it. A failed flush
    /// leaves the batch in sled's memory, so the index takes its changes all the same (it
    /// follows the tree), but no caller is told it is stored, and sled 0.34 keeps an I/O error
    /// of its log as a global error that fails every later write and flush, so the batch
    /// never becomes durable behind its callers' backs.
    fn commit(&mut self, group: GroupChanges) -> sled::Result<()> {
        let GroupChanges { mut keys, index } = group;
        let trained = self.dictionaries.take_trained(&self.codec);
        if let Some((_, _, key, value)) = &trained {
            keys.insert(key.clone(), value.clone());
        }
        let flushed = match self.write_staged(keys) {
            Ok(()) => {
                let flushed = self.tree.flush().map(drop);
                // The index follows the tree, which holds the batch even when the flush failed.
                self.publish_index_changes(index);
                flushed
            }
            // Nothing of the group reached the tree; its index changes are dropped with it.
            Err(e) => Err(e),
        };
        if flushed.is_err() {
            // A purge step of the group went on from where an unacknowledged one stopped, or
            // its own deletions are lost: the next step starts over.
            self.purge_cursor = None;
        }
        if let Some((id, kind, _, value)) = trained {
            self.dictionaries.finished(kind, flushed.is_ok());
            if flushed.is_ok() {
                // On disk: records may name it from now on.
                self.codec.install(id, kind, value[1..].to_vec());
            }
        }
        self.dictionaries.train_if_due(&self.tree, &self.codec);
        flushed
    }

    fn publish(&mut self, done: Done) -> Done {
        done
    }
}

/// Each kind's dictionary: how many records were packed since it (or since the open) and
/// before it, the training under way, and a trained one waiting for the next group to write
/// it.
struct Dictionaries {
    written: [u64; 2],
    /// The kind's records written before its current dictionary (at the open, the store's
    /// alerts: a kind's records are about as many).
    before: [u64; 2],
    training: [bool; 2],
    trained: (mpsc::Sender<Trained>, mpsc::Receiver<Trained>),
}

/// What a training made for a kind: a dictionary, or none.
type Trained = (Kind, Option<Vec<u8>>);

impl Dictionaries {
    /// For a store of `stored` alerts: a kind with a dictionary counts them as written before
    /// it, a kind without one towards its first.
    fn new(codec: &Codec, stored: u64) -> Dictionaries {
        let has = Kind::ALL.map(|kind| codec.has_dictionary(kind));
        Dictionaries {
            written: has.map(|has| if has { 0 } else { stored }),
            before: has.map(|has| if has { stored } else { 0 }),
            training: [false; 2],
            trained: mpsc::channel(),
        }
    }

    fn count(&mut self, kind: Kind, records: u64) {
        self.written[kind as usize] += records;
    }

    /// A dictionary trained since the last group, with the id, key and value it is stored
    /// under. A training that made none is done with, and counts again from zero.
    fn take_trained(&mut self, codec: &Codec) -> Option<(u16, Kind, Vec<u8>, Vec<u8>)> {
        let (kind, dictionary) = self.trained.1.try_recv().ok()?;
        let Some(entry) = dictionary.and_then(|d| codec.next_entry(kind, &d)) else {
            self.finished(kind, true);
            return None;
        };
        let (id, key, value) = entry;
        Some((id, kind, key, value))
    }

    /// The training of `kind` is over; when its dictionary was written, counting starts anew.
    fn finished(&mut self, kind: Kind, stored: bool) {
        let k = kind as usize;
        self.training[k] = false;
        if stored {
            self.before[k] += std::mem::take(&mut self.written[k]);
        }
    }

    /// Whether `kind` has written enough records for a (new) dictionary: [`codec::FIRST_TRAINING`]
    /// for its first; then as many as it wrote before its current one, and at least
    /// [`codec::RETRAINING`]. The intervals double, so a store trains a number of times that
    /// grows with the logarithm of its size, not with its size: each training costs about 0.2 s
    /// of CPU, and each dictionary is kept (on disk and in memory) for the records packed with
    /// it.
    fn due(&self, kind: Kind, has_dictionary: bool) -> bool {
        let k = kind as usize;
        let due = if has_dictionary {
            codec::RETRAINING.max(self.before[k])
        } else {
            codec::FIRST_TRAINING
        };
        !self.training[k] && self.written[k] >= due
    }

    /// Starts training, on a thread of its own, each kind that has written enough records.
    fn train_if_due(&mut self, tree: &Tree, codec: &Arc<Codec>) {
        for kind in Kind::ALL {
            if !self.due(kind, codec.has_dictionary(kind)) {
                continue;
            }
            let (tree, codec, done) = (tree.clone(), Arc::clone(codec), self.trained.0.clone());
            let started = spawn_in_the_background("hookbell-store-trainer", move || {
                let _ = done.send((kind, codec::train(&tree, &codec, kind)));
            });
            match started {
                Ok(_) => self.training[kind as usize] = true,
                Err(e) => tracing::warn!(error = %e, "could not start training a dictionary"),
            }
        }
    }
}

/// Runs `work` on a thread named `name` at the lowest priority (nice 19), so that it takes
/// what the deliveries being answered leave rather than a core from them while they wait:
/// training a dictionary costs about 0.2 s of CPU per kind ([`Dictionaries::due`]). Linux only:
/// there a nice value is the thread's own; elsewhere it would be the whole process's.
fn spawn_in_the_background<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<T>> {
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            #[cfg(target_os = "linux")]
            if let Err(e) = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 19)
            {
                tracing::debug!(error = %e, "could not lower a background thread's priority");
            }
            work()
        })
}

/// Makes `alert` follow what its provider says of its own alert (`upstream`), at `at`:
/// closed makes it done, reopened makes it not done and unread, escalated does that too and
/// raises its severity to the one reported (never lowers it); each is recorded in
/// `details.upstream` (state, the provider's action, who, why, when). Open changes nothing.
/// A done alert that ends a delivery not done was reopened, and one whose severity rose was
/// escalated: that, like a new alert, notifies.
fn follow_upstream(alert: &mut Alert, upstream: &Upstream, at: chrono::DateTime<Utc>) {
    match upstream {
        Upstream::Open => return,
        Upstream::Closed { .. } => alert.done = true,
        Upstream::Reopened { .. } => {
            alert.done = false;
            alert.read = false;
        }
        Upstream::Escalated { severity, .. } => {
            alert.severity = alert.severity.max(*severity);
            alert.done = false;
            alert.read = false;
        }
    }
    let mut record = serde_json::to_value(upstream).unwrap_or_default();
    if let Some(fields) = record.as_object_mut() {
        fields.insert("at".into(), serde_json::Value::String(at.to_rfc3339()));
    }
    match alert.details.as_object_mut() {
        Some(details) => {
            details.insert("upstream".into(), record);
        }
        None => {
            let shown = std::mem::take(&mut alert.details);
            alert.details = serde_json::json!({ "details": shown, "upstream": record });
        }
    }
}

/// Where an alert sighted earlier in the same delivery is.
enum Sighted {
    /// Created by this delivery: `created[n]`.
    Created(usize),
    /// Stored before it: `touched[n]`.
    Stored(usize),
}

/// A stored alert a delivery repeats, as its sightings so far left it, and its status before
/// the delivery.
struct Touched {
    alert: Alert,
    was: Status,
    was_severity: Severity,
}

/// Where a purge run with the cutoff `before` stopped: its next step goes on from there.
struct PurgeCursor {
    before: chrono::DateTime<Utc>,
    resume: Resume,
    /// The deliveries the kept alerts read so far came in.
    kept_deliveries: HashSet<String>,
}

impl PurgeCursor {
    fn start(before: chrono::DateTime<Utc>) -> PurgeCursor {
        PurgeCursor {
            before,
            resume: Resume::Alerts(keys::alert("")),
            kept_deliveries: HashSet::new(),
        }
    }
}

/// The first key a purge step has not read yet.
enum Resume {
    /// Still reading alerts.
    Alerts(Vec<u8>),
    /// Every candidate alert read; reading deliveries.
    Deliveries(Vec<u8>),
}

/// What a purge reads of an alert: when it was last seen, and what else names it.
#[derive(serde::Deserialize)]
struct Seen {
    source: String,
    external_id: String,
    last_seen_at: chrono::DateTime<Utc>,
    delivery_id: String,
}

/// The smallest ULID made at `time`: ids below it were made before.
fn ulid_at(time: chrono::DateTime<Utc>) -> String {
    let ms = u64::try_from(time.timestamp_millis()).unwrap_or(0);
    ulid::Ulid::from_parts(ms, 0).to_string()
}

fn json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    // Our own records always serialize.
    serde_json::to_vec(value).unwrap_or_default()
}

#[cfg(test)]
mod tests;
