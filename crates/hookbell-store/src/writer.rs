//! The single writer thread and its group commit.
//!
//! Callers send an [`Op`] and block on the reply. The thread takes every op waiting in the
//! channel, applies each as one atomic sled batch, flushes once for the whole group, and then
//! answers all of them. An error in the flush fails every op of the group: none of them was
//! acknowledged, so none is reported as stored.

use std::sync::mpsc;

use chrono::Utc;
use hookbell_core::{Alert, AlertPatch, NewAlert};
use sled::{Batch, Tree};
use ulid::Generator;

use crate::error::{Result, StoreError};
use crate::keys::{self, counter};
use crate::records::{DeliveryRecord, DeliveryStatus, IngestOutcome, LastDelivery};

/// Most ops applied before one flush.
const MAX_GROUP: usize = 512;

/// A change to the store.
pub(crate) enum Op {
    Ingest {
        delivery: DeliveryRecord,
        body: Vec<u8>,
        alerts: Vec<NewAlert>,
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
    Flush,
}

/// What an op produced.
pub(crate) enum Done {
    Ingest(Box<IngestOutcome>),
    Quarantine(String),
    Patch(Option<Box<Alert>>),
    Delete(bool),
    Unit,
}

pub(crate) struct Job {
    pub op: Op,
    pub reply: mpsc::SyncSender<Result<Done>>,
}

/// Runs until every sender is dropped, then flushes one last time.
pub(crate) fn run(tree: Tree, jobs: mpsc::Receiver<Job>) {
    let mut writer = Writer {
        tree,
        ids: Generator::new(),
    };
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let results: Vec<Result<Done>> = group
            .iter_mut()
            .map(|job| writer.apply(std::mem::replace(&mut job.op, Op::Flush)))
            .collect();
        let flushed = writer.tree.flush();
        if let Err(e) = &flushed {
            tracing::error!(error = %e, ops = group.len(), "flush failed; the group is not acknowledged");
        }
        for (job, result) in group.into_iter().zip(results) {
            let result = match &flushed {
                Ok(_) => result,
                Err(e) => Err(StoreError::Db(e.clone())),
            };
            // A caller that gave up waiting is no error of ours.
            let _ = job.reply.send(result);
        }
    }
    let _ = writer.tree.flush();
}

struct Writer {
    tree: Tree,
    ids: Generator,
}

impl Writer {
    fn next_id(&mut self) -> String {
        match self.ids.generate() {
            Ok(id) => id,
            Err(overflow) => overflow.commit_overflow_increment(),
        }
        .to_string()
    }

    fn apply(&mut self, op: Op) -> Result<Done> {
        match op {
            Op::Ingest {
                delivery,
                body,
                alerts,
            } => self
                .ingest(delivery, body, alerts)
                .map(|o| Done::Ingest(Box::new(o))),
            Op::Quarantine { delivery, body } => {
                self.quarantine(delivery, body).map(Done::Quarantine)
            }
            Op::Patch { id, patch } => self.patch(&id, patch).map(|a| Done::Patch(a.map(Box::new))),
            Op::Delete { id } => self.delete(&id).map(Done::Delete),
            Op::SetSetting { key, value } => {
                self.tree.insert(keys::setting(&key), json(&value))?;
                Ok(Done::Unit)
            }
            Op::Flush => Ok(Done::Unit),
        }
    }

    fn ingest(
        &mut self,
        mut delivery: DeliveryRecord,
        body: Vec<u8>,
        alerts: Vec<NewAlert>,
    ) -> Result<IngestOutcome> {
        let delivery_id = self.next_id();
        let now = Utc::now();
        let mut batch = Batch::default();
        let mut counters = Counters::new(self.tree.clone());
        let mut outcome = IngestOutcome {
            delivery_id: delivery_id.clone(),
            alert_ids: Vec::new(),
            duplicate: false,
            created: Vec::new(),
            repeated: Vec::new(),
        };
        // Keys seen earlier in this same delivery (a batch may repeat an alert).
        let mut in_this_delivery: Vec<(Vec<u8>, String)> = Vec::new();
        for new in alerts {
            let dedup_key = keys::dedup(&delivery.source, &new.external_id);
            let known = match in_this_delivery.iter().find(|(k, _)| *k == dedup_key) {
                Some((_, id)) => Some(id.clone()),
                None => self
                    .tree
                    .get(&dedup_key)?
                    .map(|v| String::from_utf8_lossy(&v).into_owned()),
            };
            if let Some(existing_id) = known {
                if let Some(mut alert) = self.load(&existing_id)? {
                    alert.seen_count += 1;
                    alert.last_seen_at = now;
                    batch.insert(keys::alert(&existing_id), json(&alert));
                    outcome.repeated.push(alert);
                }
                outcome.alert_ids.push(existing_id);
                continue;
            }
            let id = self.next_id();
            let alert = Alert {
                id: id.clone(),
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
                delivery_id: delivery_id.clone(),
                details: new.details,
            };
            batch.insert(dedup_key.clone(), id.as_bytes());
            in_this_delivery.push((dedup_key, id.clone()));
            outcome.alert_ids.push(id);
            outcome.created.push(alert);
        }
        outcome.duplicate = outcome.created.is_empty();
        delivery.id = delivery_id.clone();
        delivery.status = if outcome.duplicate {
            DeliveryStatus::Duplicate
        } else {
            DeliveryStatus::Accepted
        };
        delivery.alert_ids = outcome.alert_ids.clone();
        for alert in &outcome.created {
            self.insert_alert(&mut batch, &mut counters, alert)?;
        }
        self.put_delivery(&mut batch, &delivery, &body);
        counters.write(&mut batch)?;
        self.tree.apply_batch(batch)?;
        Ok(outcome)
    }

    fn quarantine(&mut self, mut delivery: DeliveryRecord, body: Vec<u8>) -> Result<String> {
        let id = self.next_id();
        delivery.id = id.clone();
        delivery.status = DeliveryStatus::Quarantined;
        let mut batch = Batch::default();
        self.put_delivery(&mut batch, &delivery, &body);
        batch.insert(keys::quarantined(&id), &[]);
        self.tree.apply_batch(batch)?;
        Ok(id)
    }

    fn put_delivery(&self, batch: &mut Batch, delivery: &DeliveryRecord, body: &[u8]) {
        batch.insert(keys::delivery(&delivery.id), json(delivery));
        batch.insert(keys::body(&delivery.id), body);
        let last = LastDelivery {
            delivery_id: delivery.id.clone(),
            at: delivery.received_at,
            status: delivery.status,
        };
        batch.insert(keys::last_delivery(&delivery.source), json(&last));
    }

    fn insert_alert(
        &self,
        batch: &mut Batch,
        counters: &mut Counters,
        alert: &Alert,
    ) -> Result<()> {
        batch.insert(keys::alert(&alert.id), json(alert));
        batch.insert(keys::search(&alert.id), search_text(alert).into_bytes());
        batch.insert(keys::by_source(&alert.source, &alert.id), &[]);
        batch.insert(keys::by_severity(alert.severity, &alert.id), &[]);
        batch.insert(keys::by_status(alert.status(), &alert.id), &[]);
        counters.add(counter::TOTAL.to_vec(), 1)?;
        counters.add(counter::source(&alert.source), 1)?;
        counters.add(counter::severity(alert.severity), 1)?;
        counters.add(counter::status(alert.status()), 1)?;
        Ok(())
    }

    fn patch(&mut self, id: &str, patch: AlertPatch) -> Result<Option<Alert>> {
        let Some(mut alert) = self.load(id)? else {
            return Ok(None);
        };
        let before = alert.status();
        alert.apply(patch);
        let after = alert.status();
        let mut batch = Batch::default();
        batch.insert(keys::alert(id), json(&alert));
        if before != after {
            let mut counters = Counters::new(self.tree.clone());
            batch.remove(keys::by_status(before, id));
            batch.insert(keys::by_status(after, id), &[]);
            counters.add(counter::status(before), -1)?;
            counters.add(counter::status(after), 1)?;
            counters.write(&mut batch)?;
        }
        self.tree.apply_batch(batch)?;
        Ok(Some(alert))
    }

    fn delete(&mut self, id: &str) -> Result<bool> {
        let Some(alert) = self.load(id)? else {
            return Ok(false);
        };
        let mut batch = Batch::default();
        let mut counters = Counters::new(self.tree.clone());
        batch.remove(keys::alert(id));
        batch.remove(keys::search(id));
        batch.remove(keys::by_source(&alert.source, id));
        batch.remove(keys::by_severity(alert.severity, id));
        batch.remove(keys::by_status(alert.status(), id));
        counters.add(counter::TOTAL.to_vec(), -1)?;
        counters.add(counter::source(&alert.source), -1)?;
        counters.add(counter::severity(alert.severity), -1)?;
        counters.add(counter::status(alert.status()), -1)?;
        counters.write(&mut batch)?;
        self.tree.apply_batch(batch)?;
        Ok(true)
    }

    fn load(&self, id: &str) -> Result<Option<Alert>> {
        crate::sled_store::read_json(&self.tree, &keys::alert(id))
    }
}

/// Counter changes gathered for one batch, read from the tree once each.
struct Counters {
    tree: Tree,
    values: Vec<(Vec<u8>, u64)>,
}

impl Counters {
    fn new(tree: Tree) -> Self {
        Counters {
            tree,
            values: Vec::new(),
        }
    }

    fn add(&mut self, key: Vec<u8>, delta: i64) -> Result<()> {
        let index = match self.values.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                let current = crate::sled_store::read_counter(&self.tree, &key)?;
                self.values.push((key, current));
                self.values.len() - 1
            }
        };
        let value = &mut self.values[index].1;
        *value = value.saturating_add_signed(delta);
        Ok(())
    }

    fn write(self, batch: &mut Batch) -> Result<()> {
        for (key, value) in self.values {
            batch.insert(key, &value.to_be_bytes());
        }
        Ok(())
    }
}

/// The lowercase text `q` searches: title, summary, subject, source, category, description.
pub(crate) fn search_text(alert: &Alert) -> String {
    let description: String = alert.description.chars().take(1000).collect();
    [
        alert.title.as_str(),
        &alert.summary,
        &alert.subject,
        &alert.source,
        &alert.provider,
        &alert.category,
        &description,
    ]
    .join("\n")
    .to_lowercase()
}

fn json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    // Our own records always serialize.
    serde_json::to_vec(value).unwrap_or_default()
}
