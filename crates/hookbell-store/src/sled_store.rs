//! [`SledStore`]: the [`Store`] on sled 0.34.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use hookbell_commit::{Closed, GroupCommit};
use hookbell_core::{Alert, AlertPatch, NewAlert};
use serde::de::DeserializeOwned;
use sled::Tree;

use crate::codec::{self, Codec};
use crate::error::{Result, StoreError};
use crate::index::{self, Index, Meta};
use crate::keys;
use crate::query::{self, AlertPage, AlertQuery};
use crate::records::{
    DeliveryRecord, DeliveryStatus, IngestOutcome, LastDelivery, Purged, Refusal, SourceActivity,
    Stats, unframe,
};
use crate::snapshot;
use crate::writer::{self, Done, Ids, Op, Prepared};
use crate::{Pending, Store};

mod migrations;

/// The schema version this build writes. A build that knows a lower one refuses to open the
/// store ([`StoreError::NewerSchema`]).
///
/// 1. The first layout.
/// 2. Quarantined bodies are scrubbed text with the original's `body_hash`, never the bytes
///    as sent ([`migrations::scrub_quarantined_bodies`]).
/// 3. Every other delivery body is the masked re-serialisation, and every alert's details,
///    texts and links are masked, by the one masking policy
///    ([`migrations::mask_bodies_and_alerts`]).
/// 4. Alerts and deliveries are packed by [`crate::codec`] (zstd, with dictionaries trained
///    on the store's own records) ([`migrations::pack_records`]).
/// 5. An alert's index record is at the front of its value, not a record of its own under
///    `x/` ([`migrations::index_records_into_alerts`]).
pub const SCHEMA_VERSION: u32 = 5;

/// Upgrades from one schema version to the next: `MIGRATIONS[n]` takes version `n + 1` to
/// `n + 2`. Each gets the tree and the store's directory.
const MIGRATIONS: &[fn(&Tree, &Path) -> Result<()>] = &[
    |tree, _| migrations::scrub_quarantined_bodies(tree),
    migrations::mask_bodies_and_alerts,
    |tree, _| migrations::pack_records(tree),
    |tree, _| migrations::index_records_into_alerts(tree),
];

/// The one sled tree everything lives in (see `keys`).
pub(crate) const TREE: &str = "hookbell";

/// How the store's sled database is opened, by the store and by whatever reads its files.
pub(crate) fn sled_config(dir: &Path) -> sled::Config {
    sled::Config::new()
        .path(dir)
        .cache_capacity(8 * 1024 * 1024)
        // Every acknowledged write is flushed by the writer; no timer needed.
        .flush_every_ms(None)
}

/// The sled-backed store. Dropping it stops the writer thread after a last flush.
pub struct SledStore {
    dir: PathBuf,
    db: sled::Db,
    /// True when the index came from the snapshot rather than a scan.
    from_snapshot: bool,
    tree: Tree,
    codec: Arc<Codec>,
    index: Arc<RwLock<Index>>,
    ids: Arc<Ids>,
    /// The writer thread: the group commit over [`writer::Writer`].
    writer: GroupCommit<writer::Writer>,
}

impl SledStore {
    /// Opens (or creates) the store in `dir`, migrating an older schema.
    pub fn open(dir: &Path) -> Result<SledStore> {
        let started = std::time::Instant::now();
        // The index snapshot is read on a thread of its own while sled opens (each takes
        // about as long as the other), and used only if the opened store names its
        // generation.
        let reading = {
            let dir = dir.to_owned();
            std::thread::Builder::new()
                .name("hookbell-store-snapshot".into())
                .spawn(move || snapshot::read(&dir))
                .ok()
        };
        let db = sled_config(dir).open()?;
        let tree = db.open_tree(TREE)?;
        migrate(&tree, dir)?;
        let codec = Arc::new(Codec::load(&tree)?);
        let snapshot = match tree.get(keys::INDEX_SNAPSHOT)? {
            Some(generation) => reading
                .and_then(|thread| thread.join().ok().flatten())
                .filter(|found| found.generation.as_slice() == generation.as_ref())
                .map(|found| found.index),
            // After a crash: the file, if any, is stale; its thread finishes on its own.
            None => None,
        };
        let from_snapshot = snapshot.is_some();
        let index = match snapshot {
            Some(index) => index,
            None => build_index(&tree)?,
        };
        tracing::info!(alerts = index.len(), from_snapshot, took = ?started.elapsed(), "index ready");
        // From here on the store changes, and the snapshot no longer describes it.
        if tree.remove(keys::INDEX_SNAPSHOT)?.is_some() {
            tree.flush()?;
        }
        let index = Arc::new(RwLock::new(index));
        let ids = Arc::new(Ids::default());
        let writer = writer::Writer::new(
            tree.clone(),
            Arc::clone(&codec),
            Arc::clone(&index),
            Arc::clone(&ids),
        );
        let writer = GroupCommit::spawn("hookbell-store-writer", writer::GATHER, writer)
            .map_err(|e| StoreError::Db(sled::Error::Io(e)))?;
        Ok(SledStore {
            dir: dir.to_owned(),
            db,
            from_snapshot,
            tree,
            codec,
            index,
            ids,
            writer,
        })
    }

    /// Stops the writer after the ops already sent, flushes, waits for it, and saves the
    /// index snapshot for the next open.
    pub fn close(&self) -> Result<()> {
        let first = self.writer.close();
        self.db.flush()?;
        if first {
            self.save_snapshot()?;
        }
        Ok(())
    }

    /// Writes the index snapshot, then names it in the database. A snapshot that cannot be
    /// written only costs the next open a scan.
    fn save_snapshot(&self) -> Result<()> {
        let generation = snapshot::new_generation();
        let saved = match self.index.read() {
            Ok(index) => snapshot::save(&self.dir, &index, &generation),
            Err(_) => return Ok(()),
        };
        match saved {
            Ok(()) => {
                self.tree.insert(keys::INDEX_SNAPSHOT, &generation)?;
                self.db.flush()?;
            }
            Err(e) => tracing::warn!(error = %e, "could not save the index snapshot"),
        }
        Ok(())
    }

    /// True when this open read the index from the snapshot of the last clean close instead
    /// of scanning every alert.
    pub fn index_from_snapshot(&self) -> bool {
        self.from_snapshot
    }

    /// Bytes the database takes on disk.
    pub fn size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()?)
    }

    fn send<T>(&self, op: Op, extract: fn(Done) -> Option<T>) -> Pending<T> {
        match self.writer.send(op) {
            Ok(answer) => Pending::new(answer, extract),
            Err(Closed) => Pending::failed(StoreError::Closed, extract),
        }
    }
}

impl Drop for SledStore {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// Reads every alert's index record (at the front of its value, [`codec::index_record`])
/// into the in-memory index, without unpacking the alerts. An alert without one is one the
/// upgrade to schema 5 could not read: schema 4 did not list it either (it had no `x/`
/// record), so it stays unlisted and kept, and does not keep the store shut.
fn build_index(tree: &Tree) -> Result<Index> {
    let started = std::time::Instant::now();
    let mut entries = Vec::new();
    for entry in tree.scan_prefix(keys::ALERT) {
        let (key, value) = entry?;
        let corrupt = |reason: &str| StoreError::Corrupt {
            key: String::from_utf8_lossy(&key).into_owned(),
            reason: reason.into(),
        };
        let id = key
            .get(keys::ALERT.len()..)
            .and_then(|id| std::str::from_utf8(id).ok())
            .and_then(index::parse_id)
            .ok_or_else(|| corrupt("not an alert id"))?;
        let meta = match codec::index_record(&value) {
            codec::Front::IndexRecord(meta, _) => Meta::decode(meta),
            codec::Front::CutShort => None,
            codec::Front::Nothing => {
                tracing::warn!(key = %String::from_utf8_lossy(&key), "an alert without an index record is kept but not listed");
                continue;
            }
        };
        entries.push((id, meta.ok_or_else(|| corrupt("unreadable index record"))?));
    }
    let index = Index::from_sorted(entries);
    tracing::debug!(alerts = index.len(), took = ?started.elapsed(), "index built by a scan");
    Ok(index)
}

fn migrate(tree: &Tree, dir: &Path) -> Result<()> {
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
        step(tree, dir)?;
        tree.insert(keys::SCHEMA_VERSION, &(version + 1).to_be_bytes())?;
        tree.flush()?;
    }
    Ok(())
}

/// The packed record (an alert) stored under `key`, unpacked and parsed.
pub(crate) fn read_record<T: DeserializeOwned>(
    tree: &Tree,
    codec: &Codec,
    key: &[u8],
) -> Result<Option<T>> {
    tree.get(key)?
        .map(|bytes| parse_json(key, &codec.unpack(key, &bytes)?))
        .transpose()
}

pub(crate) fn read_json<T: DeserializeOwned>(tree: &Tree, key: &[u8]) -> Result<Option<T>> {
    tree.get(key)?
        .map(|bytes| parse_json(key, &bytes))
        .transpose()
}

/// The JSON record stored under `key`.
pub(crate) fn parse_json<T: DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
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

/// The delivery stored under `key` as `value`: its record and its body.
pub(crate) fn decode_delivery(
    codec: &Codec,
    key: &[u8],
    value: &[u8],
) -> Result<(DeliveryRecord, Vec<u8>)> {
    let corrupt = |reason: String| StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        reason,
    };
    let value = codec.unpack(key, value)?;
    let (json, body) =
        unframe(&value).ok_or_else(|| corrupt("truncated delivery record".into()))?;
    let record = serde_json::from_slice(json).map_err(|e| corrupt(e.to_string()))?;
    Ok((record, body.to_vec()))
}

fn unit(done: Done) -> Option<()> {
    matches!(done, Done::Unit).then_some(())
}

impl Store for SledStore {
    fn ingest(
        &self,
        mut delivery: DeliveryRecord,
        body: Vec<u8>,
        alerts: Vec<NewAlert>,
    ) -> Pending<IngestOutcome> {
        // Build and serialize here, on the caller's thread, so the writer only writes.
        delivery.id = self.ids.next();
        let alerts = alerts
            .into_iter()
            .map(|new| Prepared::new(new, self.ids.next(), &delivery, &self.codec))
            .collect();
        self.send(
            Op::Ingest {
                delivery,
                body,
                alerts,
            },
            |done| match done {
                Done::Ingest(outcome) => Some(*outcome),
                _ => None,
            },
        )
    }

    fn quarantine(&self, delivery: DeliveryRecord, body: Vec<u8>) -> Pending<String> {
        self.send(Op::Quarantine { delivery, body }, |done| match done {
            Done::Quarantine(id) => Some(id),
            _ => None,
        })
    }

    fn note_auth_failure(&self, source: &str, refusal: &Refusal) -> Result<()> {
        // A counter and the last reason only: not worth an fsync, and not on the writer's path.
        // Both change in one atomic step (a transaction, so that concurrent refusals each
        // count); a refusal that does not serialize is counted and its reason left as it was.
        let last = serde_json::to_vec(refusal)
            .inspect_err(|e| tracing::warn!(error = %e, "could not record a refusal's reason"))
            .ok();
        let (count_key, last_key) = (keys::auth_failures(source), keys::last_refusal(source));
        self.tree
            .transaction(|tx| {
                let n = tx
                    .get(&count_key)?
                    .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
                    .map(u64::from_be_bytes)
                    .unwrap_or(0);
                tx.insert(count_key.as_slice(), &(n + 1).to_be_bytes())?;
                if let Some(last) = &last {
                    tx.insert(last_key.as_slice(), last.as_slice())?;
                }
                Ok::<_, sled::transaction::ConflictableTransactionError<std::convert::Infallible>>(
                    (),
                )
            })
            .map_err(|e| match e {
                sled::transaction::TransactionError::Storage(e) => StoreError::Db(e),
                sled::transaction::TransactionError::Abort(never) => match never {},
            })
    }

    fn alert(&self, id: &str) -> Result<Option<Alert>> {
        read_record(&self.tree, &self.codec, &keys::alert(id))
    }

    fn alerts(&self, query: &AlertQuery) -> Result<AlertPage> {
        query::run(&self.tree, &self.codec, &self.index, query)
    }

    fn alerts_json(&self, query: &AlertQuery) -> Result<Vec<u8>> {
        query::run_json(&self.tree, &self.codec, &self.index, query)
    }

    fn patch(&self, id: &str, patch: AlertPatch) -> Pending<Option<Alert>> {
        let op = Op::Patch {
            id: id.to_owned(),
            patch,
        };
        self.send(op, |done| match done {
            Done::Patch(alert) => Some(alert.map(|a| *a)),
            _ => None,
        })
    }

    fn delete(&self, id: &str) -> Pending<bool> {
        self.send(Op::Delete { id: id.to_owned() }, |done| match done {
            Done::Delete(found) => Some(found),
            _ => None,
        })
    }

    fn purge_settings_before(
        &self,
        prefix: &str,
        before: chrono::DateTime<chrono::Utc>,
    ) -> Pending<u64> {
        let op = Op::PurgeSettings {
            prefix: prefix.to_owned(),
            before,
        };
        self.send(op, |done| match done {
            Done::Count(n) => Some(n),
            _ => None,
        })
    }

    fn purge_before(&self, before: chrono::DateTime<chrono::Utc>) -> Pending<Purged> {
        self.send(Op::Purge { before }, |done| match done {
            Done::Purged(purged) => Some(purged),
            _ => None,
        })
    }

    fn stats(&self) -> Result<Stats> {
        Ok(self.index.read().map_err(|_| StoreError::Closed)?.stats())
    }

    fn deliveries(
        &self,
        status: Option<DeliveryStatus>,
        limit: usize,
    ) -> Result<Vec<DeliveryRecord>> {
        let mut out = Vec::new();
        if status == Some(DeliveryStatus::Quarantined) {
            for entry in self.tree.scan_prefix(keys::QUARANTINE).rev() {
                if out.len() >= limit {
                    break;
                }
                let (key, _) = entry?;
                if let Some(id) = keys::id_after(&key, keys::QUARANTINE.len())
                    && let Some((record, _)) = self.delivery(&id)?
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
            let record = decode_delivery(&self.codec, &key, &value)?.0;
            if status.is_none_or(|s| s == record.status) {
                out.push(record);
            }
        }
        Ok(out)
    }

    fn delivery(&self, id: &str) -> Result<Option<(DeliveryRecord, Vec<u8>)>> {
        let key = keys::delivery(id);
        match self.tree.get(&key)? {
            Some(value) => decode_delivery(&self.codec, &key, &value).map(Some),
            None => Ok(None),
        }
    }

    fn source_activity(&self, source: &str) -> Result<SourceActivity> {
        Ok(SourceActivity {
            last_delivery: read_json::<LastDelivery>(&self.tree, &keys::last_delivery(source))?,
            auth_failures: read_counter(&self.tree, &keys::auth_failures(source))?,
            // Only shown: an unreadable one is no reason to fail the sources list.
            last_refusal: read_json::<Refusal>(&self.tree, &keys::last_refusal(source))
                .ok()
                .flatten(),
        })
    }

    fn setting(&self, key: &str) -> Result<Option<serde_json::Value>> {
        read_json(&self.tree, &keys::setting(key))
    }

    fn set_setting(&self, key: &str, value: serde_json::Value) -> Pending<()> {
        let op = Op::SetSetting {
            key: key.to_owned(),
            value,
        };
        self.send(op, unit)
    }

    fn flush(&self) -> Pending<()> {
        self.send(Op::Flush, unit)
    }
}

#[cfg(test)]
mod tests;
