//! A closed store read from outside: every record as it means ([`records`]: alerts and
//! deliveries unpacked, for tests that look for what must not be stored), and where its bytes
//! go ([`weigh`]: per kind of record, how many there are and how many bytes of keys and values
//! sled is asked to keep, beside what the store's files take on disk; the difference is sled's
//! own cost: its log, page headers, space not yet reclaimed). `make bench` and
//! `make bench-store` print the weight.

use std::path::Path;

use crate::codec::Codec;
use crate::error::Result;
use crate::keys;

/// One kind of record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// What it is, with its key prefix.
    pub name: &'static str,
    /// How many records.
    pub records: u64,
    /// Bytes of their keys.
    pub key_bytes: u64,
    /// Bytes of their values, as stored.
    pub value_bytes: u64,
    /// Bytes of their values once unpacked ([`crate::codec`]): what they would take unpacked.
    pub unpacked_bytes: u64,
}

/// A store's weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weight {
    /// Per kind of record, in the order of [`KINDS`], then anything else ("other").
    pub parts: Vec<Part>,
    /// Bytes the store's directory takes on disk (every file, the index snapshot included).
    pub disk_bytes: u64,
}

impl Weight {
    /// Key and value bytes of every record.
    pub fn logical_bytes(&self) -> u64 {
        self.parts.iter().map(|p| p.key_bytes + p.value_bytes).sum()
    }

    /// A Markdown table of the parts, with bytes per alert for a store of `alerts` alerts (what
    /// `make bench` and `make bench-store` print).
    pub fn table(&self, alerts: u64) -> String {
        let per = |bytes: u64| bytes as f64 / alerts.max(1) as f64;
        let mut out = String::from(
            "| records | count | key bytes | value bytes | value bytes unpacked | bytes per alert |\n|---|---|---|---|---|---|\n",
        );
        for part in self.parts.iter().filter(|p| p.records > 0) {
            out += &format!(
                "| {} | {} | {} | {} | {} | {:.0} |\n",
                part.name,
                part.records,
                part.key_bytes,
                part.value_bytes,
                part.unpacked_bytes,
                per(part.key_bytes + part.value_bytes)
            );
        }
        out += &format!(
            "| **all records** | | | | | **{:.0}** |\n| **on disk** | | | | | **{:.0}** |\n",
            per(self.logical_bytes()),
            per(self.disk_bytes)
        );
        out
    }
}

/// The kinds of record, each with its key prefixes; anything else is "other".
const KINDS: &[(&str, &[&[u8]])] = &[
    ("alerts and their index records (a/)", &[keys::ALERT]),
    ("alert index records before schema 5 (x/)", &[keys::META]),
    ("dedup keys (k/)", &[keys::DEDUP]),
    ("deliveries: metadata and body (d/)", &[keys::DELIVERY]),
    ("quarantine index (iq/)", &[keys::QUARANTINE]),
    ("source activity (l/, n/)", &[b"l/", b"n/"]),
    ("settings and relay marks (s/)", &[b"s/"]),
    ("store metadata and dictionaries (m/)", &[b"m/"]),
];

/// The closed store in `dir`: its database, its tree and its codec.
fn open(dir: &Path) -> Result<(sled::Db, sled::Tree, Codec)> {
    let db = crate::sled_store::sled_config(dir).open()?;
    let tree = db.open_tree(crate::sled_store::TREE)?;
    let codec = Codec::load(&tree)?;
    Ok((db, tree, codec))
}

/// Every key of the store in `dir` (which must not be open) and its value unpacked. An
/// alert's index record, kept at the front of its value, is listed right after the alert,
/// under the same key, so that a scan of what is stored reads it too.
pub fn records(dir: &Path) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let (_db, tree, codec) = open(dir)?;
    let mut records = Vec::new();
    for entry in tree.iter() {
        let (key, value) = entry?;
        records.push((key.to_vec(), codec.unpack(&key, &value)?.into_owned()));
        if let crate::codec::Front::IndexRecord(index_record, _) =
            crate::codec::index_record(&value)
        {
            records.push((key.to_vec(), index_record.to_vec()));
        }
    }
    Ok(records)
}

/// Weighs the store in `dir`, which must not be open elsewhere.
pub fn weigh(dir: &Path) -> Result<Weight> {
    let (db, tree, codec) = open(dir)?;
    let mut parts: Vec<Part> = KINDS
        .iter()
        .map(|(name, _)| *name)
        .chain(["other"])
        .map(|name| Part {
            name,
            records: 0,
            key_bytes: 0,
            value_bytes: 0,
            unpacked_bytes: 0,
        })
        .collect();
    for entry in tree.iter() {
        let (key, value) = entry?;
        let slot = KINDS
            .iter()
            .position(|(_, prefixes)| prefixes.iter().any(|p| key.starts_with(p)))
            .unwrap_or(KINDS.len());
        let part = &mut parts[slot];
        part.records += 1;
        part.key_bytes += key.len() as u64;
        part.value_bytes += value.len() as u64;
        part.unpacked_bytes += codec.unpack(&key, &value).map_or(value.len(), |v| v.len()) as u64;
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
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        {
            let store = crate::SledStore::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
            store
                .ingest(
                    delivery("src"),
                    b"0123456789".to_vec(),
                    vec![new_alert("e1", hookbell_core::Severity::High, "t")],
                )
                .wait()
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let weight = when_unlocked(|| weigh(dir.path())).unwrap_or_else(|e| panic!("{e}"));
        let part = |name: &str| {
            weight
                .parts
                .iter()
                .find(|p| p.name == name)
                .unwrap_or_else(|| panic!("no part {name}"))
        };
        assert_eq!(part("alerts and their index records (a/)").records, 1);
        assert_eq!(part("dedup keys (k/)").records, 1);
        let deliveries = part("deliveries: metadata and body (d/)");
        assert_eq!(deliveries.records, 1);
        assert!(deliveries.unpacked_bytes > 10, "the body and its metadata");
        assert!(weight.disk_bytes >= weight.logical_bytes());
    }
}
