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
//!
//! The CPU has a floor too: [`sled_cpu`] writes deliveries' records the way the writer does and
//! reports the process's CPU time per delivery, sled's own threads included. That is what sled
//! costs before any request is read, parsed or masked, and it grows with the number of records
//! a delivery writes and with keys that land all over the tree (the dedup keys) rather than at
//! its end (the time-ordered ids).

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

/// One record a delivery writes, by its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    /// Bytes of its key, prefix included.
    pub key_bytes: usize,
    /// Bytes of its value, as stored (packed).
    pub value_bytes: usize,
    /// Whether its key sorts anywhere in the tree (a dedup key, a hash of what the provider
    /// names) rather than after every earlier one (a new time-ordered id).
    pub scattered: bool,
}

/// What [`sled_cpu`] measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuCost {
    /// The process's CPU time per delivery (user and system, every thread), or `None` where
    /// this platform's process clock is not read.
    pub cpu: Option<Duration>,
    /// Wall time per delivery.
    pub wall: Duration,
}

/// `deliveries` deliveries, each writing `records`, in batches of `group` deliveries each
/// followed by one flush, to a new sled database in `dir` opened as the store opens its own:
/// the CPU and wall time per delivery. Keys and values are distinct for every record, and the
/// values do not repeat within themselves, as packed records do not. The database is removed
/// afterwards.
pub fn sled_cpu(
    dir: &Path,
    group: usize,
    records: &[Record],
    deliveries: usize,
) -> Result<CpuCost> {
    let path = dir.join("floor-probe-cpu.sled");
    let group = group.max(1);
    let deliveries = deliveries.max(1);
    let cost = {
        let db = sled_config(&path).open()?;
        let tree = db.open_tree(TREE)?;
        // Made before the clocks start, so they count only sled's work.
        let writes: Vec<Vec<(Vec<u8>, Vec<u8>)>> = (0..deliveries as u64)
            .map(|n| delivery_records(records, n))
            .collect();
        let cpu_before = process_cpu();
        let started = Instant::now();
        for chunk in writes.chunks(group) {
            let mut batch = sled::Batch::default();
            for (key, value) in chunk.iter().flatten() {
                batch.insert(key.as_slice(), value.as_slice());
            }
            tree.apply_batch(batch)?;
            tree.flush()?;
        }
        let wall = started.elapsed();
        let cpu = process_cpu()
            .zip(cpu_before)
            .map(|(after, before)| after.saturating_sub(before));
        let per = |d: Duration| d.div_f64(deliveries as f64);
        CpuCost {
            cpu: cpu.map(per),
            wall: per(wall),
        }
    };
    std::fs::remove_dir_all(&path).map_err(sled::Error::Io)?;
    Ok(cost)
}

/// The keys and values delivery number `n` writes, one per record of `records`, each key
/// starting with a prefix of its own (`a/`, `b/`, …). A time-ordered key is the number,
/// big-endian, padded after it; a scattered one is noise.
fn delivery_records(records: &[Record], n: u64) -> Vec<(Vec<u8>, Vec<u8>)> {
    records
        .iter()
        .enumerate()
        .map(|(kind, record)| {
            let seed = n * records.len() as u64 + kind as u64;
            let mut key = vec![b'a' + kind as u8, b'/'];
            if record.scattered {
                key.extend(noise(seed ^ 0x5eed, record.key_bytes.saturating_sub(2)));
            } else {
                key.extend(n.to_be_bytes());
            }
            key.resize(record.key_bytes.max(key.len()), b'0');
            (key, noise(seed, record.value_bytes))
        })
        .collect()
}

/// `len` bytes that do not repeat, from `seed` (xorshift).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// The CPU time this process has used so far, every thread included.
#[cfg(target_os = "linux")]
fn process_cpu() -> Option<Duration> {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Some(Duration::new(
        u64::try_from(t.tv_sec).ok()?,
        u32::try_from(t.tv_nsec).ok()?,
    ))
}

#[cfg(not(target_os = "linux"))]
fn process_cpu() -> Option<Duration> {
    None
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

    #[test]
    fn the_cpu_probe_writes_the_shape_asked_for_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let shape = [
            Record {
                key_bytes: 28,
                value_bytes: 200,
                scattered: false,
            },
            Record {
                key_bytes: 60,
                value_bytes: 26,
                scattered: true,
            },
        ];
        let cost = sled_cpu(dir.path(), 8, &shape, 40).unwrap_or_else(|e| panic!("{e}"));
        assert!(cost.wall > Duration::ZERO);
        // Records of the sizes asked for; time-ordered keys in delivery order, scattered ones not.
        let (first, second) = (delivery_records(&shape, 255), delivery_records(&shape, 256));
        let sizes = |d: &[(Vec<u8>, Vec<u8>)]| -> Vec<(usize, usize)> {
            d.iter().map(|(k, v)| (k.len(), v.len())).collect()
        };
        assert_eq!(sizes(&first), [(28, 200), (60, 26)]);
        assert!(first[0].0 < second[0].0);
        assert_ne!(first[1].0[2..], second[1].0[2..]);
        if cfg!(target_os = "linux") {
            assert!(cost.cpu.is_some_and(|cpu| cpu > Duration::ZERO), "{cost:?}");
        }
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap_or_else(|e| panic!("{e}"))
            .collect();
        assert!(left.is_empty(), "the probe left {left:?}");
    }
}
