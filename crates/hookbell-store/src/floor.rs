//! The disk's floor under durable ingest, for the benchmarks: how long this filesystem takes
//! to make a write durable, measured the two ways that matter to the store.
//!
//! - [`fdatasync`]: append a few kilobytes to a file and `fdatasync` it, the least any store
//!   that answers only after its data is on disk must wait;
//! - [`sled_group`]: what the writer does for one group (`writer`): one atomic batch holding
//!   a group's records, written to a sled database opened as the store opens its own, then
//!   one flush.
//!
//! Each caller of a durable store waits for at least one of these, so with `n` callers each
//! waiting for its answer before sending again, no store on this disk answers more than
//! `n / latency` a second, however little CPU it spends. `hookbell-bench` prints both beside
//! the durable ingest it measures.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::sled_store::{TREE, sled_config};

/// `rounds` appends of `bytes` bytes to a new file in `dir`, each followed by `fdatasync`: the
/// time of each. The file is removed afterwards.
pub fn fdatasync(dir: &Path, bytes: usize, rounds: usize) -> std::io::Result<Vec<Duration>> {
    let path = dir.join("floor-probe.bin");
    let mut file = OpenOptions::new().create(true).append(true).open(&path)?;
    let block = vec![0x5a_u8; bytes];
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        file.write_all(&block)?;
        file.sync_data()?;
        times.push(started.elapsed());
    }
    drop(file);
    std::fs::remove_file(&path)?;
    Ok(times)
}

/// `rounds` groups written to a new sled database in `dir` (the store's own settings), each
/// `group` records of `record_bytes` bytes under distinct keys as one batch followed by one
/// flush: the time of each batch and flush together. The database is removed afterwards.
pub fn sled_group(
    dir: &Path,
    group: usize,
    record_bytes: usize,
    rounds: usize,
) -> Result<Vec<Duration>> {
    let path = dir.join("floor-probe.sled");
    let times = {
        let db = sled_config(&path).open()?;
        let tree = db.open_tree(TREE)?;
        // Bytes that do not repeat within a record, as the store's packed records do not.
        let record: Vec<u8> = (0..record_bytes)
            .map(|i| (i.wrapping_mul(131) ^ (i >> 3)) as u8)
            .collect();
        let mut times = Vec::with_capacity(rounds);
        let mut key = 0_u64;
        for _ in 0..rounds {
            let started = Instant::now();
            let mut batch = sled::Batch::default();
            for _ in 0..group {
                key += 1;
                batch.insert(&key.to_be_bytes(), record.as_slice());
            }
            tree.apply_batch(batch)?;
            tree.flush()?;
            times.push(started.elapsed());
        }
        times
    };
    std::fs::remove_dir_all(&path).map_err(sled::Error::Io)?;
    Ok(times)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_probes_time_every_round_and_leave_nothing_behind() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let synced = fdatasync(dir.path(), 4096, 3).unwrap_or_else(|e| panic!("{e}"));
        let grouped = sled_group(dir.path(), 32, 630, 3).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((synced.len(), grouped.len()), (3, 3));
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap_or_else(|e| panic!("{e}"))
            .collect();
        assert!(left.is_empty(), "the probes left {left:?}");
    }
}
