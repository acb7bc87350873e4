//! Where a store's bytes go: per kind of record, how many there are and how many bytes of keys
//! and values sled is asked to keep, beside what the store's files take on disk. The
//! difference between the two is sled's own cost (its log, page headers, space not yet
//! reclaimed). Read by `make bench` and `docs/BENCHMARKS.md`.

use std::path::Path;

use crate::error::Result;
use crate::keys;
use crate::records::unframe;

/// One kind of record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// What it is, with its key prefix.
    pub name: &'static str,
    /// How many records.
    pub records: u64,
    /// Bytes of their keys.
    pub key_bytes: u64,
    /// Bytes of their values.
    pub value_bytes: u64,
}

/// A store's weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weight {
    /// Per kind of record, in the order of [`KINDS`]; a delivery's metadata and its body are
    /// counted apart (the body's key bytes count as zero).
    pub parts: Vec<Part>,
    /// Bytes the store's directory takes on disk (every file, the index snapshot included).
    pub disk_bytes: u64,
}

impl Weight {
    /// Key and value bytes of every record.
    pub fn logical_bytes(&self) -> u64 {
        self.parts.iter().map(|p| p.key_bytes + p.value_bytes).sum()
    }
}

/// The kinds, by key prefix; the first that matches names a record.
const KINDS: &[(&str, &[u8])] = &[
    ("alerts (a/)", keys::ALERT),
    ("alert index records (x/)", keys::META),
    ("dedup keys (k/)", keys::DEDUP),
    ("delivery metadata (d/)", keys::DELIVERY),
    ("delivery bodies (d/)", keys::DELIVERY),
    ("quarantine index (iq/)", keys::QUARANTINE),
    ("source activity (l/, n/)", b"l/"),
    ("source activity (l/, n/)", b"n/"),
    ("settings and relay marks (s/)", b"s/"),
    ("store metadata (m/)", b"m/"),
];
const BODIES: usize = 4;

/// Weighs the store in `dir`, which must not be open elsewhere.
pub fn weigh(dir: &Path) -> Result<Weight> {
    let db = crate::sled_store::sled_config(dir).open()?;
    let tree = db.open_tree(crate::sled_store::TREE)?;
    let mut names: Vec<&'static str> = Vec::new();
    for (name, _) in KINDS {
        if !names.contains(name) {
            names.push(name);
        }
    }
    names.push("other");
    let mut parts: Vec<Part> = names
        .iter()
        .map(|name| Part {
            name,
            records: 0,
            key_bytes: 0,
            value_bytes: 0,
        })
        .collect();
    let slot = |name: &str| names.iter().position(|n| *n == name).unwrap_or(0);
    for entry in tree.iter() {
        let (key, value) = entry?;
        let kind = KINDS.iter().position(|(_, prefix)| key.starts_with(prefix));
        let (key_len, value_len) = (key.len() as u64, value.len() as u64);
        match kind {
            Some(i) if KINDS[i].1 == keys::DELIVERY => {
                let body = unframe(&value).map_or(&[][..], |(_, body)| body);
                let meta_part = &mut parts[slot(KINDS[i].0)];
                meta_part.records += 1;
                meta_part.key_bytes += key_len;
                meta_part.value_bytes += value_len - body.len() as u64;
                let body_part = &mut parts[slot(KINDS[BODIES].0)];
                body_part.records += 1;
                body_part.value_bytes += body.len() as u64;
            }
            Some(i) => {
                let part = &mut parts[slot(KINDS[i].0)];
                part.records += 1;
                part.key_bytes += key_len;
                part.value_bytes += value_len;
            }
            None => {
                let part = parts.last_mut().expect("other is always there");
                part.records += 1;
                part.key_bytes += key_len;
                part.value_bytes += value_len;
            }
        }
    }
    drop(tree);
    drop(db);
    Ok(Weight {
        parts,
        disk_bytes: dir_size(dir),
    })
}

/// Bytes of every file under `dir`.
pub fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use crate::test_support::*;

    #[test]
    fn a_store_is_weighed_by_kind_of_record() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = crate::SledStore::open(dir.path()).unwrap();
            store
                .ingest(
                    delivery("src"),
                    b"0123456789".to_vec(),
                    vec![new_alert("e1", hookbell_core::Severity::High, "t")],
                )
                .wait()
                .unwrap();
        }
        let weight = when_unlocked(|| weigh(dir.path())).unwrap();
        let part = |name: &str| weight.parts.iter().find(|p| p.name == name).unwrap();
        assert_eq!(part("alerts (a/)").records, 1);
        assert_eq!(part("dedup keys (k/)").records, 1);
        assert_eq!(part("delivery bodies (d/)").value_bytes, 10);
        assert_eq!(part("delivery metadata (d/)").records, 1);
        assert!(weight.disk_bytes >= weight.logical_bytes());
    }
}
