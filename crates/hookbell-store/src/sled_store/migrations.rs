//! The schema upgrades, one function per version step (see `MIGRATIONS` in the parent
//! module). Each runs before the writer starts and before the index is loaded, and must be
//! safe to run again after a crash half-way: the version is stamped only once it returned.

use std::path::Path;

use hookbell_core::normalize::{mask_body, scrub_alert_fields, scrubbed_text};
use hookbell_core::{Alert, Provider, providers};
use sled::Tree;

use super::decode_delivery;
use crate::codec::{self, Codec, Kind, MAGIC};
use crate::error::Result;
use crate::index::Meta;
use crate::keys;
use crate::records::{DeliveryStatus, frame};
use crate::snapshot;

/// How many rewritten deliveries go into one atomic batch.
const BATCH: usize = 256;

/// Version 1 → 2: no quarantined body keeps the bytes as they were sent.
///
/// Before version 2, a delivery that could not be parsed was quarantined byte for byte, so a
/// broken Enzoic body kept its `plaintextPassword` in clear on disk and in
/// `GET /api/deliveries/{id}`. Version 2 keeps what ingest keeps today
/// (`hookbell-server`'s `Engine::prepare_step`): the body lossily decoded and scrubbed by the
/// masking policy ([`hookbell_core::normalize::scrubbed_text`]), and the original's
/// `sha256:<hex>` in `body_hash` ([`hookbell_core::providers::generic::body_hash`]). `size`
/// already names the original's length. Every `iq/` delivery whose record has no `body_hash`
/// is rewritten so; one that has it was stored the new way and is left alone, which also makes
/// this step idempotent. The `iq/` keys stay: the quarantine lists the same deliveries, and no
/// alert index refers to them. The rewrites are flushed before the version is stamped.
///
/// **What sled keeps of the old bytes.** sled 0.34 is log-structured: overwriting a value
/// appends the new one to its log (the `db` file in the store's directory) and leaves the old
/// one in the log segment it was written to. That segment is zeroed, truncated or reused only
/// once sled has rewritten every live page it holds elsewhere, which its own segment cleaning
/// does when enough of the file is garbage; nothing bounds when. sled 0.34 offers no supported
/// way to force it: `Config::segment_cleanup_threshold` and `segment_cleanup_skew` are
/// deprecated no-ops, and the only full rewrite is `Db::export` into a new directory followed
/// by swapping directories (with the lock hand-over and crash recovery that needs), which this
/// step does not do. So after this upgrade the API, the UI and every live record hold only the
/// scrubbed text, but the original bytes of deliveries quarantined before it may remain in
/// unreferenced parts of the `db` file until sled reuses that space. Observed with a small
/// store: still in the file after several reopens with no other writes; gone once about
/// 1.5 MB more had been written (three 512 KiB segments). Not a guarantee.
/// docs/security.md lists this as a known limit.
pub(super) fn scrub_quarantined_bodies(tree: &Tree) -> Result<()> {
    // Nothing is packed before version 4: the codec reads every value as it is.
    let codec = Codec::load(tree)?;
    let mut out = Rewrites::new(tree);
    for entry in tree.scan_prefix(keys::QUARANTINE) {
        let (key, _) = entry?;
        let Some(id) = keys::id_after(&key, keys::QUARANTINE.len()) else {
            continue;
        };
        let key = keys::delivery(&id);
        let Some(value) = tree.get(&key)? else {
            continue;
        };
        let (mut record, body) = decode_delivery(&codec, &key, &value)?;
        if record.body_hash.is_some() {
            continue;
        }
        record.body_hash = Some(providers::generic::body_hash(&body));
        let scrubbed = scrubbed_text(&body);
        out.put([(key, frame(&record, scrubbed.as_bytes()))])?;
    }
    let rewritten = out.finish()?;
    if rewritten > 0 {
        tracing::info!(
            rewritten,
            "quarantined deliveries from before schema version 2 now keep scrubbed text only"
        );
    }
    Ok(())
}

/// Version 2 → 3: no stored delivery body or alert holds a secret the one masking policy
/// masks today.
///
/// Before version 3, masking was five lists that missed a secret under a secret name when it
/// was a number or a list (`"password": 12345678`, `"apiKey": ["…"]`), and a body whose
/// parsed value needed no change was kept as the bytes sent (`{"password":"…","password":""}`
/// kept the first member). Ingest now keeps only the masked re-serialisation
/// ([`hookbell_core::normalize::normalize`]); this step brings what older versions stored to
/// the same state:
///
/// - every accepted or duplicate delivery (`d/`): its body is parsed as JSON and masked by its
///   record's provider (the `generic` one when that id is unknown) with
///   [`mask_body`], and the re-serialisation replaces the stored bytes when they differ. A body
///   that does not parse (no version stored one, but the bytes decide) is kept as a quarantine
///   keeps one: the lossy text scrubbed by the policy ([`scrubbed_text`]). Quarantined
///   deliveries are version 2's and are left alone.
/// - every alert (`a/`): [`scrub_alert_fields`] with the alert's provider on its details, texts
///   and links (`masked_values` are masked forms already). When that changes what the index
///   derives from the alert ([`Meta::of`]: title, subject, category and the start of the
///   summary, as search text), its `x/` record is rewritten in the same atomic batch.
///
/// The index snapshot (a file that holds that search text as it was) is dropped first, its key
/// before the file, so the next open rebuilds the index from the `x/` records, also after a
/// crash half-way. A record that cannot be decoded is skipped with a warning rather than
/// refusing the whole store (the API cannot read it either). Rewrites go in atomic batches of
/// [`BATCH`] records and are flushed before the version is stamped; a record already masked
/// masks to itself, so running the step again changes nothing. As with version 2, sled may keep
/// the overwritten values in old log segments of its `db` file until it reuses the space.
///
/// Cost: every `d/` and `a/` value is read, parsed and masked once; only changed ones are
/// written. Measured in release (`time_the_step_on_20000_alerts_and_deliveries` in the tests,
/// run with `--ignored`) on a 2-core machine, 20,000 alerts and 20,000 deliveries that all
/// needed a rewrite: 0.97 s, 1.95 s and 2.21 s in three runs on cores shared with other work
/// (load average 3 to 4); the same scan with nothing left to rewrite, 0.36 to 0.62 s. It runs
/// once, on the first open after the upgrade, before the store answers anything.
pub(super) fn mask_bodies_and_alerts(tree: &Tree, dir: &Path) -> Result<()> {
    let started = std::time::Instant::now();
    if tree.remove(keys::INDEX_SNAPSHOT)?.is_some() {
        tree.flush()?;
    }
    match std::fs::remove_file(dir.join(snapshot::FILE)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            tracing::warn!(error = %e, "could not delete the old index snapshot");
        }
        _ => {}
    }
    let codec = Codec::load(tree)?;
    let mut out = Rewrites::new(tree);
    let mut skipped = 0usize;
    for entry in tree.scan_prefix(keys::DELIVERY) {
        let (key, value) = entry?;
        let (record, body) = match decode_delivery(&codec, &key, &value) {
            Ok(decoded) => decoded,
            Err(e) => {
                tracing::warn!(error = %e, "an unreadable delivery record is left as it is");
                skipped += 1;
                continue;
            }
        };
        if record.status == DeliveryStatus::Quarantined {
            continue;
        }
        let masked = masked_body(providers::get_or_generic(&record.provider), &body);
        if masked != body {
            out.put([(key.to_vec(), frame(&record, &masked))])?;
        }
    }
    let deliveries = out.written + out.staged;
    for entry in tree.scan_prefix(keys::ALERT) {
        let (key, value) = entry?;
        let mut alert: Alert = match serde_json::from_slice(&value) {
            Ok(alert) => alert,
            Err(e) => {
                tracing::warn!(key = %String::from_utf8_lossy(&key), error = %e, "an unreadable alert is left as it is");
                skipped += 1;
                continue;
            }
        };
        let before = Meta::of(&alert);
        if !scrub_alert_fields(providers::get_or_generic(&alert.provider), &mut alert) {
            continue;
        }
        let json = serde_json::to_vec(&alert).map_err(|e| crate::error::StoreError::Corrupt {
            key: String::from_utf8_lossy(&key).into_owned(),
            reason: e.to_string(),
        })?;
        let mut writes = vec![(key.to_vec(), json)];
        let meta = Meta::of(&alert);
        if meta != before
            && let Some(id) = keys::id_after(&key, keys::ALERT.len())
        {
            let meta_key = keys::meta(&id);
            // Only an alert the index lists; the writer never leaves one without.
            if tree.get(&meta_key)?.is_some() {
                writes.push((meta_key, meta.encode()));
            }
        }
        out.put(writes)?;
    }
    let total = out.finish()?;
    if total > 0 || skipped > 0 {
        tracing::info!(
            deliveries,
            alerts = total - deliveries,
            skipped,
            took = ?started.elapsed(),
            "stored bodies and alerts from before schema version 3 are now masked by the current policy"
        );
    }
    Ok(())
}

/// Version 3 → 4: alerts and deliveries are packed ([`crate::codec`]).
///
/// A store with enough records of a kind ([`codec::FIRST_TRAINING`]) first gets that kind's
/// dictionary, trained on its newest records and flushed before any record names it; then
/// every record not yet packed is rewritten packed, in atomic batches, and flushed before the
/// version is stamped. A packed record is left as it is, so running the step again after a
/// crash half-way packs only the rest. Every record keeps its meaning byte for byte: the
/// unpacked value is the old value. The space the old values took is sled's to reuse (see
/// [`scrub_quarantined_bodies`] on what its log keeps).
pub(super) fn pack_records(tree: &Tree) -> Result<()> {
    let started = std::time::Instant::now();
    let codec = Codec::load(tree)?;
    for kind in Kind::ALL {
        if codec.has_dictionary(kind) {
            continue;
        }
        // Enough to train on? Stop counting once there are.
        let unpacked = tree
            .scan_prefix(kind.prefix())
            .values()
            .filter(|value| value.as_ref().is_ok_and(|v| v.first() != Some(&MAGIC)))
            .take(codec::FIRST_TRAINING as usize)
            .count() as u64;
        if unpacked < codec::FIRST_TRAINING {
            continue;
        }
        if let Some(dictionary) = codec::train(tree, &codec, kind)
            && let Some((id, key, value)) = codec.next_entry(kind, &dictionary)
        {
            tree.insert(key, value)?;
            tree.flush()?;
            codec.install(id, kind, dictionary);
        }
    }
    let mut out = Rewrites::new(tree);
    for kind in Kind::ALL {
        for entry in tree.scan_prefix(kind.prefix()) {
            let (key, value) = entry?;
            if value.first() == Some(&MAGIC) {
                continue;
            }
            out.put([(key.to_vec(), codec.pack(kind, &value))])?;
        }
    }
    let packed = out.finish()?;
    if packed > 0 {
        tracing::info!(records = packed, took = ?started.elapsed(), "alerts and deliveries from before schema version 4 are now packed");
    }
    Ok(())
}

/// Version 4 → 5: each alert's index record moves from a record of its own (`x/`) to the
/// front of the alert's value ([`codec::with_index_record`]), so that sled writes one record
/// for a new or changed alert, not two.
///
/// Every alert whose value does not carry its index record yet gets the `x/` one (or, for an
/// alert without one, which the writer never left, one made from the alert itself), in the
/// same atomic batch that removes the `x/` record; then the `x/` records left without an
/// alert are removed. Batches are flushed before the version is stamped. An alert already
/// carrying its index record is left as it is, so running the step again after a crash
/// half-way moves only the rest. The alert itself is kept byte for byte behind it. An alert
/// that cannot be read keeps its value and gets an index record only if `x/` had one: it is
/// then listed as before.
pub(super) fn index_records_into_alerts(tree: &Tree) -> Result<()> {
    let started = std::time::Instant::now();
    let codec = Codec::load(tree)?;
    let mut out = Rewrites::new(tree);
    let mut unreadable = 0_usize;
    for entry in tree.scan_prefix(keys::ALERT) {
        let (key, value) = entry?;
        if codec::index_record(&value) != codec::Front::Nothing {
            continue;
        }
        let Some(id) = keys::id_after(&key, keys::ALERT.len()) else {
            continue;
        };
        let meta_key = keys::meta(&id);
        let meta = match tree.get(&meta_key)? {
            Some(meta) => Some(meta.to_vec()),
            None => codec
                .unpack(&key, &value)
                .ok()
                .and_then(|alert| serde_json::from_slice::<Alert>(&alert).ok())
                .map(|alert| Meta::of(&alert).encode()),
        };
        let Some(meta) = meta else {
            unreadable += 1;
            continue;
        };
        out.replace(
            [(key.to_vec(), codec::with_index_record(&meta, &value))],
            [meta_key],
        )?;
    }
    let moved = out.written + out.staged;
    for key in tree.scan_prefix(keys::META).keys() {
        out.replace([], [key?.to_vec()])?;
    }
    let total = out.finish()?;
    if total > 0 || unreadable > 0 {
        tracing::info!(
            alerts = moved,
            orphans = total - moved,
            unreadable,
            took = ?started.elapsed(),
            "alerts from before schema version 5 now carry their index records"
        );
    }
    Ok(())
}

/// `body` as ingest keeps one today: the masked re-serialisation of its JSON, or, when it is
/// not JSON, its scrubbed text.
fn masked_body(provider: &dyn Provider, body: &[u8]) -> Vec<u8> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut value) => {
            mask_body(provider, &mut value);
            serde_json::to_vec(&value).unwrap_or_else(|_| body.to_vec())
        }
        Err(_) => scrubbed_text(body).into_bytes(),
    }
}

/// Rewrites applied in atomic batches of about [`BATCH`] records, flushed at the end; the
/// writes of one record always go in the same batch. Every step's rewrites go through it.
struct Rewrites<'a> {
    tree: &'a Tree,
    batch: sled::Batch,
    staged: usize,
    written: usize,
}

impl<'a> Rewrites<'a> {
    fn new(tree: &'a Tree) -> Self {
        Rewrites {
            tree,
            batch: sled::Batch::default(),
            staged: 0,
            written: 0,
        }
    }

    /// Stages one record's writes; applies the batch once it is full.
    fn put(&mut self, writes: impl IntoIterator<Item = (Vec<u8>, Vec<u8>)>) -> Result<()> {
        self.replace(writes, [])
    }

    /// Stages one record's writes and removals, in the same batch.
    fn replace(
        &mut self,
        writes: impl IntoIterator<Item = (Vec<u8>, Vec<u8>)>,
        removals: impl IntoIterator<Item = Vec<u8>>,
    ) -> Result<()> {
        for (key, value) in writes {
            self.batch.insert(key, value);
        }
        for key in removals {
            self.batch.remove(key);
        }
        self.staged += 1;
        if self.staged >= BATCH {
            self.apply()?;
        }
        Ok(())
    }

    fn apply(&mut self) -> Result<()> {
        if self.staged > 0 {
            self.tree.apply_batch(std::mem::take(&mut self.batch))?;
            self.written += std::mem::take(&mut self.staged);
        }
        Ok(())
    }

    /// Applies the rest and flushes when anything was written; answers how many records.
    fn finish(mut self) -> Result<usize> {
        self.apply()?;
        if self.written > 0 {
            self.tree.flush()?;
        }
        Ok(self.written)
    }
}

#[cfg(test)]
mod tests;
