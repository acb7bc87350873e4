//! The index snapshot: the in-memory [`Index`] written to one file beside the database when
//! the store closes cleanly, so the next open reads that file instead of scanning every
//! alert's index record. With 100,000 alerts the scan takes about a second from a cold disk
//! (the records are scattered through sled's log); the file is read in one go.
//!
//! A snapshot is trusted only when the database names it: closing writes the file with a
//! fresh random generation, then stores that generation under `m/index_snapshot` and flushes.
//! Opening loads the file only if its generation matches, and removes the key before any
//! write can happen, so a store that crashes later never meets a stale snapshot that looks
//! current. Anything unexpected (a missing or short file, another version, a bad checksum)
//! means a scan, as before.
//!
//! File layout: one zstd frame (the search text in the records compresses about four times)
//! holding, little-endian, `HBINDEX2`, the 16-byte generation, the entry count (u64), then per
//! entry the 26-byte id, the record's length (u16) and the index record itself
//! ([`Meta::encode`]), and last a CRC-32 of everything before it. A file of the first layout
//! (`HBINDEX1`, not compressed) is not a zstd frame, so it means a scan, once.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use crate::index::{Id, Index, Meta};

/// The file's name, in the store's directory.
pub(crate) const FILE: &str = "index.snapshot";

const MAGIC: &[u8; 8] = b"HBINDEX2";

/// zstd's fastest level: the snapshot is written at every clean close.
const LEVEL: i32 = 1;

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
/// renamed over the old one). Written as a stream, as [`load`] reads it.
pub(crate) fn save(dir: &Path, index: &Index, generation: &Generation) -> std::io::Result<()> {
    let temporary = dir.join(format!("{FILE}.tmp"));
    let file = std::fs::File::create(&temporary)?;
    let packer = zstd::stream::write::Encoder::new(file, LEVEL)?;
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, packer);
    let mut crc = crc32fast::Hasher::new();
    let mut put = |bytes: &[u8]| {
        crc.update(bytes);
        out.write_all(bytes)
    };
    put(MAGIC)?;
    put(generation)?;
    put(&(index.len() as u64).to_le_bytes())?;
    for (id, meta) in index.iter() {
        let record = meta.encode();
        let len = u16::try_from(record.len()).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "an index record is too long",
            )
        })?;
        put(id)?;
        put(&len.to_le_bytes())?;
        put(&record)?;
    }
    out.write_all(&crc.finalize().to_le_bytes())?;
    let packer = out.into_inner().map_err(|e| e.into_error())?;
    let file = packer.finish()?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, path(dir))
}

/// The snapshot in `dir`, if there is one of generation `generation` and it reads back whole.
#[cfg(test)]
pub(crate) fn load(dir: &Path, generation: &[u8]) -> Option<Index> {
    read(dir)
        .filter(|found| found.generation.as_slice() == generation)
        .map(|found| found.index)
}

/// A snapshot read back whole, and the generation it names: it describes the store only if the
/// store names the same generation ([`load`]; the store reads the file while sled opens, and
/// checks after).
pub(crate) struct Found {
    pub generation: [u8; 16],
    pub index: Index,
}

/// The snapshot in `dir`, if there is one that reads back whole, whatever its generation.
/// Read as a stream, so the file is never in memory all at once.
pub(crate) fn read(dir: &Path) -> Option<Found> {
    let file = std::fs::File::open(path(dir)).ok()?;
    // The entries are read a few bytes at a time: from a buffer the decoder fills 64 KiB at a
    // time (straight from the decoder, each small read was a trip through zstd's streaming
    // machinery, and the whole file took twice the instructions its decompression needs).
    let mut reader = Checked {
        inner: std::io::BufReader::with_capacity(
            64 * 1024,
            zstd::stream::read::Decoder::new(file).ok()?,
        ),
        crc: crc32fast::Hasher::new(),
    };
    let mut magic = [0u8; 8];
    reader.read(&mut magic)?;
    let mut generation = [0u8; 16];
    reader.read(&mut generation)?;
    if &magic != MAGIC {
        return None;
    }
    let mut count = [0u8; 8];
    reader.read(&mut count)?;
    let count = u64::from_le_bytes(count);
    let mut entries = Vec::with_capacity(usize::try_from(count).ok()?.min(10_000_000));
    let mut record = Vec::with_capacity(512);
    for _ in 0..count {
        let mut id: Id = [0; 26];
        reader.read(&mut id)?;
        let mut len = [0u8; 2];
        reader.read(&mut len)?;
        record.resize(usize::from(u16::from_le_bytes(len)), 0);
        reader.read(&mut record)?;
        entries.push((id, Meta::decode(&record)?));
    }
    let computed = reader.crc.clone().finalize();
    let mut crc = [0u8; 4];
    reader.inner.read_exact(&mut crc).ok()?;
    // Nothing may follow the checksum.
    if reader.inner.read(&mut [0u8; 1]).ok()? != 0 {
        return None;
    }
    if computed != u32::from_le_bytes(crc) {
        tracing::warn!("the index snapshot is damaged; scanning instead");
        return None;
    }
    Some(Found {
        generation,
        index: Index::from_sorted(entries),
    })
}

/// Reads the checksummed part of the file, feeding the CRC as it goes.
struct Checked<R> {
    inner: R,
    crc: crc32fast::Hasher,
}

impl<R: std::io::Read> Checked<R> {
    /// Fills `buf`; `None` when the file ends first.
    fn read(&mut self, buf: &mut [u8]) -> Option<()> {
        self.inner.read_exact(buf).ok()?;
        self.crc.update(buf);
        Some(())
    }
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
