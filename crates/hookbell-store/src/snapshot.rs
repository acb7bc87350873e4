//! The index snapshot: the in-memory [`Index`] written to one file beside the database when
//! the store closes cleanly, so the next open reads that file instead of scanning every
//! alert's `x/` record. With 100,000 alerts the scan takes about a second from a cold disk
//! (the records are scattered through sled's log); the file is read in one go.
//!
//! A snapshot is trusted only when the database names it: closing writes the file with a
//! fresh random generation, then stores that generation under `m/index_snapshot` and flushes.
//! Opening loads the file only if its generation matches, and removes the key before any
//! write can happen, so a store that crashes later never meets a stale snapshot that looks
//! current. Anything unexpected (a missing or short file, another version, a bad checksum)
//! means a scan, as before.
//!
//! File layout (little-endian): `HBINDEX1`, the 16-byte generation, the entry count (u64),
//! then per entry the 26-byte id, the record's length (u16) and the `x/` record itself
//! ([`Meta::encode`]), and last a CRC-32 of everything before it.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::index::{Id, Index, Meta};

/// The file's name, in the store's directory.
pub(crate) const FILE: &str = "index.snapshot";

const MAGIC: &[u8; 8] = b"HBINDEX1";

/// A snapshot's generation: a new ULID at each clean close.
pub(crate) type Generation = [u8; 16];

/// A fresh generation.
pub(crate) fn new_generation() -> Generation {
    ulid::Ulid::generate().to_bytes()
}

fn path(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

/// Writes `index` as generation `generation`, atomically (a temporary file, synced, then
/// renamed over the old one).
pub(crate) fn save(dir: &Path, index: &Index, generation: &Generation) -> std::io::Result<()> {
    let mut out = Vec::with_capacity(64 + index.len() * 200);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(generation);
    out.extend_from_slice(&(index.len() as u64).to_le_bytes());
    for (id, meta) in index.iter() {
        let record = meta.encode();
        let len = u16::try_from(record.len()).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "an index record is too long",
            )
        })?;
        out.extend_from_slice(id);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&record);
    }
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    let temporary = dir.join(format!("{FILE}.tmp"));
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(&out)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, path(dir))
}

/// The snapshot in `dir`, if there is one of generation `generation` and it reads back whole.
pub(crate) fn load(dir: &Path, generation: &[u8]) -> Option<Index> {
    let bytes = std::fs::read(path(dir)).ok()?;
    let (body, crc) = bytes.split_last_chunk::<4>()?;
    if crc32fast::hash(body) != u32::from_le_bytes(*crc) {
        tracing::warn!("the index snapshot is damaged; scanning instead");
        return None;
    }
    let rest = body.strip_prefix(MAGIC.as_slice())?;
    let (found, rest) = rest.split_first_chunk::<16>()?;
    if found.as_slice() != generation {
        return None;
    }
    let (count, mut rest) = rest.split_first_chunk::<8>()?;
    let count = u64::from_le_bytes(*count);
    let mut index = Index::default();
    for _ in 0..count {
        let (id, after) = rest.split_first_chunk::<26>()?;
        let (len, after) = after.split_first_chunk::<2>()?;
        let (record, after) = after.split_at_checked(usize::from(u16::from_le_bytes(*len)))?;
        let id: Id = *id;
        index.insert(id, Meta::decode(record)?);
        rest = after;
    }
    rest.is_empty().then_some(index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hookbell_core::{Severity, Status};
    use std::sync::Arc;

    fn index() -> Index {
        let mut index = Index::default();
        for (n, severity) in [Severity::Critical, Severity::Low, Severity::High]
            .into_iter()
            .enumerate()
        {
            let id = format!("01JDQ7ZKX0V2Q6S9M4T8B3N5R{n}");
            index.insert(
                crate::index::parse_id(&id).unwrap_or_else(|| panic!("{id}")),
                Meta {
                    severity,
                    status: Status::Unread,
                    source: Arc::from(if n == 1 { "enzoic" } else { "omniac" }),
                    text: format!("alert {n}\nmaïa@example.com").into_boxed_str(),
                },
            );
        }
        index
    }

    #[test]
    fn a_snapshot_reads_back_only_with_its_generation_and_whole() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let original = index();
        let generation = new_generation();
        save(dir.path(), &original, &generation).unwrap_or_else(|e| panic!("{e}"));

        let loaded = load(dir.path(), &generation).unwrap_or_else(|| panic!("not loaded"));
        assert_eq!(loaded.stats(), original.stats());
        assert!(loaded.iter().eq(original.iter()), "the same entries");

        assert!(
            load(dir.path(), &new_generation()).is_none(),
            "another generation"
        );
        let file = dir.path().join(FILE);
        let mut bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{e}"));
        bytes[40] ^= 0x20;
        std::fs::write(&file, &bytes).unwrap_or_else(|e| panic!("{e}"));
        assert!(load(dir.path(), &generation).is_none(), "a damaged file");
        std::fs::write(&file, &bytes[..10]).unwrap_or_else(|e| panic!("{e}"));
        assert!(load(dir.path(), &generation).is_none(), "a short file");
        std::fs::remove_file(&file).unwrap_or_else(|e| panic!("{e}"));
        assert!(load(dir.path(), &generation).is_none(), "no file");
    }
}
