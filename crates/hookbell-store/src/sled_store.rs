//! [`SledStore`]: the [`Store`] on sled 0.34.

use std::path::Path;
use std::sync::{Mutex, mpsc};
use std::thread::JoinHandle;

use hookbell_core::{Alert, AlertPatch, NewAlert, Severity, Status};
use serde::de::DeserializeOwned;
use sled::Tree;

use crate::Store;
use crate::error::{Result, StoreError};
use crate::keys::{self, counter};
use crate::query::{self, AlertPage, AlertQuery};
use crate::records::{
    DeliveryRecord, DeliveryStatus, IngestOutcome, LastDelivery, SourceActivity, Stats,
};
use crate::writer::{self, Done, Job, Op};

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Upgrades from one schema version to the next: `MIGRATIONS[n]` takes version `n + 1` to
/// `n + 2`. Empty while there is only version 1.
const MIGRATIONS: &[fn(&Tree) -> Result<()>] = &[];

/// The sled-backed store. Dropping it stops the writer thread after a last flush.
pub struct SledStore {
    db: sled::Db,
    tree: Tree,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl SledStore {
    /// Opens (or creates) the store in `dir`, migrating an older schema.
    pub fn open(dir: &Path) -> Result<SledStore> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(64 * 1024 * 1024)
            .open()?;
        let tree = db.open_tree("hookbell")?;
        migrate(&tree)?;
        let (tx, rx) = mpsc::channel();
        let writer_tree = tree.clone();
        let writer = std::thread::Builder::new()
            .name("hookbell-store-writer".into())
            .spawn(move || writer::run(writer_tree, rx))
            .map_err(|e| StoreError::Db(sled::Error::Io(e)))?;
        Ok(SledStore {
            db,
            tree,
            jobs: Mutex::new(Some(tx)),
            writer: Mutex::new(Some(writer)),
        })
    }

    /// Stops the writer after the ops already sent, flushes, and waits for it.
    pub fn close(&self) -> Result<()> {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
        if let Some(handle) = self.writer.lock().ok().and_then(|mut w| w.take()) {
            let _ = handle.join();
        }
        self.db.flush()?;
        Ok(())
    }

    /// Bytes the database takes on disk.
    pub fn size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()?)
    }

    fn send(&self, op: Op) -> Result<Done> {
        let (reply, answer) = mpsc::sync_channel(1);
        let sender = self
            .jobs
            .lock()
            .map_err(|_| StoreError::Closed)?
            .clone()
            .ok_or(StoreError::Closed)?;
        sender
            .send(Job { op, reply })
            .map_err(|_| StoreError::Closed)?;
        answer.recv().map_err(|_| StoreError::Closed)?
    }
}

impl Drop for SledStore {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

fn migrate(tree: &Tree) -> Result<()> {
    let found = match tree.get(keys::SCHEMA_VERSION)? {
        Some(v) => u32::from_be_bytes(v.as_ref().try_into().map_err(|_| StoreError::Corrupt {
            key: "m/schema_version".into(),
            reason: "not 4 bytes".into(),
        })?),
        None => {
            tree.insert(keys::SCHEMA_VERSION, &SCHEMA_VERSION.to_be_bytes())?;
            tree.flush()?;
            return Ok(());
        }
    };
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for version in found..SCHEMA_VERSION {
        let step = MIGRATIONS
            .get(version as usize - 1)
            .ok_or_else(|| StoreError::Corrupt {
                key: "m/schema_version".into(),
                reason: format!("no migration from version {version}"),
            })?;
        step(tree)?;
        tree.insert(keys::SCHEMA_VERSION, &(version + 1).to_be_bytes())?;
        tree.flush()?;
    }
    Ok(())
}

pub(crate) fn read_json<T: DeserializeOwned>(tree: &Tree, key: &[u8]) -> Result<Option<T>> {
    let Some(bytes) = tree.get(key)? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| StoreError::Corrupt {
            key: String::from_utf8_lossy(key).into_owned(),
            reason: e.to_string(),
        })
}

pub(crate) fn read_counter(tree: &Tree, key: &[u8]) -> Result<u64> {
    Ok(tree
        .get(key)?
        .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0))
}

fn unexpected() -> StoreError {
    StoreError::Corrupt {
        key: "writer".into(),
        reason: "the writer answered with another op's result".into(),
    }
}

impl Store for SledStore {
    fn ingest(
        &self,
        delivery: DeliveryRecord,
        body: Vec<u8>,
        alerts: Vec<NewAlert>,
    ) -> Result<IngestOutcome> {
        match self.send(Op::Ingest {
            delivery,
            body,
            alerts,
        })? {
            Done::Ingest(outcome) => Ok(*outcome),
            _ => Err(unexpected()),
        }
    }

    fn quarantine(&self, delivery: DeliveryRecord, body: Vec<u8>) -> Result<String> {
        match self.send(Op::Quarantine { delivery, body })? {
            Done::Quarantine(id) => Ok(id),
            _ => Err(unexpected()),
        }
    }

    fn note_auth_failure(&self, source: &str) -> Result<()> {
        // A counter only: not worth an fsync, and not on the writer's path.
        self.tree
            .fetch_and_update(counter::auth_failures(source), |old| {
                let n = old
                    .and_then(|v| <[u8; 8]>::try_from(v).ok())
                    .map(u64::from_be_bytes)
                    .unwrap_or(0);
                Some((n + 1).to_be_bytes().to_vec())
            })?;
        Ok(())
    }

    fn alert(&self, id: &str) -> Result<Option<Alert>> {
        read_json(&self.tree, &keys::alert(id))
    }

    fn alerts(&self, query: &AlertQuery) -> Result<AlertPage> {
        query::run(&self.tree, query)
    }

    fn patch(&self, id: &str, patch: AlertPatch) -> Result<Option<Alert>> {
        match self.send(Op::Patch {
            id: id.to_owned(),
            patch,
        })? {
            Done::Patch(alert) => Ok(alert.map(|a| *a)),
            _ => Err(unexpected()),
        }
    }

    fn delete(&self, id: &str) -> Result<bool> {
        match self.send(Op::Delete { id: id.to_owned() })? {
            Done::Delete(found) => Ok(found),
            _ => Err(unexpected()),
        }
    }

    fn stats(&self) -> Result<Stats> {
        let mut stats = Stats {
            total: read_counter(&self.tree, counter::TOTAL)?,
            unread: read_counter(&self.tree, &counter::status(Status::Unread))?,
            ..Stats::default()
        };
        for sev in Severity::ALL {
            let n = read_counter(&self.tree, &counter::severity(sev))?;
            stats.by_severity.insert(sev.as_str().to_owned(), n);
        }
        for entry in self.tree.scan_prefix(keys::COUNTER_SOURCE) {
            let (key, value) = entry?;
            let n = <[u8; 8]>::try_from(value.as_ref())
                .map(u64::from_be_bytes)
                .unwrap_or(0);
            if n > 0
                && let Some(source) = keys::id_after(&key, keys::COUNTER_SOURCE.len())
            {
                stats.by_source.insert(source, n);
            }
        }
        Ok(stats)
    }

    fn deliveries(
        &self,
        status: Option<DeliveryStatus>,
        limit: usize,
    ) -> Result<Vec<DeliveryRecord>> {
        let mut out = Vec::new();
        if status == Some(DeliveryStatus::Quarantined) {
            for entry in self.tree.scan_prefix(keys::QUARANTINE).rev() {
                let (key, _) = entry?;
                if out.len() >= limit {
                    break;
                }
                if let Some(id) = keys::id_after(&key, keys::QUARANTINE.len())
                    && let Some(record) = read_json(&self.tree, &keys::delivery(&id))?
                {
                    out.push(record);
                }
            }
            return Ok(out);
        }
        for entry in self.tree.scan_prefix(keys::DELIVERY).rev() {
            if out.len() >= limit {
                break;
            }
            let (key, value) = entry?;
            let record: DeliveryRecord =
                serde_json::from_slice(&value).map_err(|e| StoreError::Corrupt {
                    key: String::from_utf8_lossy(&key).into_owned(),
                    reason: e.to_string(),
                })?;
            if status.is_none_or(|s| s == record.status) {
                out.push(record);
            }
        }
        Ok(out)
    }

    fn delivery(&self, id: &str) -> Result<Option<(DeliveryRecord, Vec<u8>)>> {
        let Some(record) = read_json::<DeliveryRecord>(&self.tree, &keys::delivery(id))? else {
            return Ok(None);
        };
        let body = self
            .tree
            .get(keys::body(id))?
            .map(|b| b.to_vec())
            .unwrap_or_default();
        Ok(Some((record, body)))
    }

    fn source_activity(&self, source: &str) -> Result<SourceActivity> {
        Ok(SourceActivity {
            last_delivery: read_json::<LastDelivery>(&self.tree, &keys::last_delivery(source))?,
            auth_failures: read_counter(&self.tree, &counter::auth_failures(source))?,
        })
    }

    fn setting(&self, key: &str) -> Result<Option<serde_json::Value>> {
        read_json(&self.tree, &keys::setting(key))
    }

    fn set_setting(&self, key: &str, value: serde_json::Value) -> Result<()> {
        self.send(Op::SetSetting {
            key: key.to_owned(),
            value,
        })
        .map(|_| ())
    }

    fn flush(&self) -> Result<()> {
        self.send(Op::Flush).map(|_| ())
    }
}

#[cfg(test)]
mod tests;
