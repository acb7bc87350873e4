//! The schema upgrades, one function per version step (see `MIGRATIONS` in the parent
//! module). Each runs before the writer starts and before the index is loaded, and must be
//! safe to run again after a crash half-way: the version is stamped only once it returned.

use sled::Tree;

use super::decode_delivery;
use crate::error::Result;
use crate::keys;
use crate::records::frame;

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
    let mut batch = sled::Batch::default();
    let mut staged = 0usize;
    let mut rewritten = 0usize;
    for entry in tree.scan_prefix(keys::QUARANTINE) {
        let (key, _) = entry?;
        let Some(id) = keys::id_after(&key, keys::QUARANTINE.len()) else {
            continue;
        };
        let key = keys::delivery(&id);
        let Some(value) = tree.get(&key)? else {
            continue;
        };
        let (mut record, body) = decode_delivery(&key, &value)?;
        if record.body_hash.is_some() {
            continue;
        }
        record.body_hash = Some(hookbell_core::providers::generic::body_hash(&body));
        let scrubbed = hookbell_core::normalize::scrubbed_text(&body);
        batch.insert(key, frame(&record, scrubbed.as_bytes()));
        staged += 1;
        if staged == BATCH {
            tree.apply_batch(std::mem::take(&mut batch))?;
            rewritten += staged;
            staged = 0;
        }
    }
    if staged > 0 {
        tree.apply_batch(batch)?;
        rewritten += staged;
    }
    if rewritten > 0 {
        tree.flush()?;
        tracing::info!(
            rewritten,
            "quarantined deliveries from before schema version 2 now keep scrubbed text only"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests;
