//! How alerts and deliveries are kept on disk: zstd frames, with a dictionary the store trains
//! from its own records.
//!
//! Alerts of one provider say much the same thing in the same words: the same JSON members,
//! the same template sentences, the same hosts. Compressed one by one, a record cannot use
//! what the records before it share; a zstd dictionary trained on the store's own records
//! can, and it shrinks a record several times over where plain zstd halves it. Each kind of
//! record ([`Kind`]) gets its own dictionary once [`FIRST_TRAINING`] records of it were written,
//! and a fresh one each time it has written as many records again as before its current one
//! (at least [`RETRAINING`]), so that a provider added later is learnt too, while the number
//! of dictionaries grows with the logarithm of the store's size. Dictionaries are never
//! deleted: a record names the one it was packed with.
//! Records written before their kind's first dictionary are kept as they are (JSON).
//!
//! A packed value is [`MAGIC`], the dictionary's id (`u16`, big-endian; 0 is none), then one
//! zstd frame. Values written before schema 4 (alert JSON, starting with `{`; delivery frames,
//! starting with the zero byte of their length) are read as they are.
//!
//! From schema 5 an alert's value also carries its index record in front, so that a new or
//! changed alert is one record for sled to write, not two: [`INDEXED`], the index record's
//! length (`u16`, big-endian), the index record ([`crate::index::Meta::encode`], unpacked:
//! opening the store without its snapshot reads it without unpacking the alert), then the
//! packed alert ([`with_index_record`]). [`Codec::unpack`] gives the alert;
//! [`index_record`] the index record.
//!
//! Dictionaries live under `m/dict/{id}` (the kind's code, then the dictionary); a dictionary
//! becomes the one new records are packed with only once it is on disk
//! ([`Codec::install`]), so no record on disk can name a dictionary that is not.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use sled::Tree;

use crate::error::{Result, StoreError};
use crate::keys;

/// The first byte of a packed value: neither `{` (a JSON alert of schema 3) nor 0 (the
/// length prefix of a schema-3 delivery frame).
pub(crate) const MAGIC: u8 = 0xF1;

/// The first byte of an alert's value that carries its index record (schema 5): neither
/// [`MAGIC`], `{` nor 0.
pub(crate) const INDEXED: u8 = 0xF2;

/// An alert's value: its index record `meta`, then `alert` (packed, or JSON before its kind's
/// first dictionary). The length is a `u16`: an index record is a few hundred bytes at most
/// (its text is cut at 160 bytes, its source at 255), so the cut below never bites; it only
/// keeps the length and the bytes after it in agreement.
pub(crate) fn with_index_record(meta: &[u8], alert: &[u8]) -> Vec<u8> {
    let meta = &meta[..meta.len().min(usize::from(u16::MAX))];
    let mut value = Vec::with_capacity(3 + meta.len() + alert.len());
    value.push(INDEXED);
    value.extend_from_slice(&(meta.len() as u16).to_be_bytes());
    value.extend_from_slice(meta);
    value.extend_from_slice(alert);
    value
}

/// What an alert's value holds in front of the alert ([`index_record`]).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Front<'a> {
    /// No index record: a value written before schema 5, or not an alert's.
    Nothing,
    /// The index record, and the alert after it.
    IndexRecord(&'a [u8], &'a [u8]),
    /// An index record's marker with a length that runs past the end of the value.
    CutShort,
}

/// What `value`, an alert's, holds in front of the alert.
pub(crate) fn index_record(value: &[u8]) -> Front<'_> {
    let Some((&INDEXED, rest)) = value.split_first() else {
        return Front::Nothing;
    };
    rest.split_first_chunk::<2>()
        .and_then(|(len, rest)| rest.split_at_checked(usize::from(u16::from_be_bytes(*len))))
        .map_or(Front::CutShort, |(record, alert)| {
            Front::IndexRecord(record, alert)
        })
}

/// zstd's fastest level: with a dictionary it packs records about as small as its default
/// (3) does, in about half the time, and packing is on the writer's path.
const LEVEL: i32 = 1;

/// Records of a kind written before its first dictionary is trained.
pub(crate) const FIRST_TRAINING: u64 = 1_000;

/// The fewest records of a kind written with one dictionary before the next is trained (the
/// writer waits for as many as were written before it, when that is more).
pub(crate) const RETRAINING: u64 = 50_000;

/// How many of the newest records a dictionary is trained on.
const SAMPLES: usize = 2_000;

/// How big a dictionary is.
const DICTIONARY_BYTES: usize = 32 * 1024;

/// The most bytes a packed value may unpack to (a corrupt size is refused, not allocated).
const MAX_UNPACKED: u64 = 256 * 1024 * 1024;

/// The kinds of record that are packed, each with its own dictionaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// `a/`: alert JSON.
    Alert,
    /// `d/`: a delivery's metadata and body ([`crate::records::frame`]).
    Delivery,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Alert, Kind::Delivery];

    fn code(self) -> u8 {
        match self {
            Kind::Alert => 1,
            Kind::Delivery => 2,
        }
    }

    fn from_code(code: u8) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The key prefix of its records.
    pub fn prefix(self) -> &'static [u8] {
        match self {
            Kind::Alert => keys::ALERT,
            Kind::Delivery => keys::DELIVERY,
        }
    }

    fn slot(self) -> usize {
        self as usize
    }
}

/// One dictionary (or none: id 0), with contexts kept for reuse: making a zstd context and
/// loading a dictionary into it costs more than packing a record with it.
struct Dictionary {
    id: u16,
    bytes: Vec<u8>,
    packers: Mutex<Vec<zstd::bulk::Compressor<'static>>>,
    unpackers: Mutex<Vec<zstd::bulk::Decompressor<'static>>>,
}

impl Dictionary {
    fn new(id: u16, bytes: Vec<u8>) -> Dictionary {
        Dictionary {
            id,
            bytes,
            packers: Mutex::new(Vec::new()),
            unpackers: Mutex::new(Vec::new()),
        }
    }

    fn pack(&self, raw: &[u8]) -> std::io::Result<Vec<u8>> {
        let frame = pooled(
            &self.packers,
            || zstd::bulk::Compressor::with_dictionary(LEVEL, &self.bytes),
            |packer| packer.compress(raw),
        )?;
        let mut out = Vec::with_capacity(3 + frame.len());
        out.push(MAGIC);
        out.extend_from_slice(&self.id.to_be_bytes());
        out.extend_from_slice(&frame);
        Ok(out)
    }

    fn unpack(&self, frame: &[u8], size: usize) -> std::io::Result<Vec<u8>> {
        pooled(
            &self.unpackers,
            || zstd::bulk::Decompressor::with_dictionary(&self.bytes),
            |unpacker| unpacker.decompress(frame, size),
        )
    }
}

/// Runs `work` with a context from `pool` (or a new one from `make`), then puts it back.
fn pooled<C, T>(
    pool: &Mutex<Vec<C>>,
    make: impl FnOnce() -> std::io::Result<C>,
    work: impl FnOnce(&mut C) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let reused = pool.lock().ok().and_then(|mut pool| pool.pop());
    let mut context = match reused {
        Some(context) => context,
        None => make()?,
    };
    let answer = work(&mut context);
    if let Ok(mut pool) = pool.lock() {
        pool.push(context);
    }
    answer
}

#[derive(Default)]
struct Dictionaries {
    by_id: HashMap<u16, Arc<Dictionary>>,
    /// The dictionary each kind is packed with now, by [`Kind::slot`].
    current: [Option<Arc<Dictionary>>; 2],
    /// The highest id in use.
    last_id: u16,
}

/// Packs and unpacks records; shared by the writer, the readers and the callers that build
/// records before handing them to the writer.
pub(crate) struct Codec {
    dictionaries: RwLock<Dictionaries>,
    /// For a record packed without a dictionary (id 0): none is written so today, but such
    /// a value is readable.
    plain: Arc<Dictionary>,
}

impl Codec {
    /// A codec without dictionaries.
    pub fn empty() -> Codec {
        Codec {
            dictionaries: RwLock::new(Dictionaries::default()),
            plain: Arc::new(Dictionary::new(0, Vec::new())),
        }
    }

    /// The codec of the store in `tree`, with every dictionary it holds.
    pub fn load(tree: &Tree) -> Result<Codec> {
        let mut dictionaries = Dictionaries::default();
        for entry in tree.scan_prefix(keys::DICTIONARY) {
            let (key, value) = entry?;
            let corrupt = |reason: &str| StoreError::Corrupt {
                key: String::from_utf8_lossy(&key).into_owned(),
                reason: reason.into(),
            };
            let id = key
                .get(keys::DICTIONARY.len()..)
                .and_then(|id| <[u8; 2]>::try_from(id).ok())
                .map(u16::from_be_bytes)
                .ok_or_else(|| corrupt("not a dictionary id"))?;
            let (&code, bytes) = value.split_first().ok_or_else(|| corrupt("empty"))?;
            let kind = Kind::from_code(code).ok_or_else(|| corrupt("unknown kind of record"))?;
            let dictionary = Arc::new(Dictionary::new(id, bytes.to_vec()));
            // Keys are in id order: the last of a kind is its newest.
            dictionaries.current[kind.slot()] = Some(Arc::clone(&dictionary));
            dictionaries.by_id.insert(id, dictionary);
            dictionaries.last_id = dictionaries.last_id.max(id);
        }
        let codec = Codec::empty();
        if let Ok(mut d) = codec.dictionaries.write() {
            *d = dictionaries;
        }
        Ok(codec)
    }

    /// Packs `raw`, a record of `kind`, with that kind's dictionary. Until the kind has one,
    /// the record is kept as it is: zstd alone would halve a record for about as much CPU as
    /// the rest of the writer's work on it, and a store that small has no bytes to save.
    pub fn pack(&self, kind: Kind, raw: &[u8]) -> Vec<u8> {
        let Some(dictionary) = self
            .dictionaries
            .read()
            .ok()
            .and_then(|d| d.current[kind.slot()].clone())
        else {
            return raw.to_vec();
        };
        dictionary
            .pack(raw)
            // zstd fails only when it cannot allocate; keeping the record as it is loses
            // nothing, as unpacking reads unpacked values too.
            .unwrap_or_else(|_| raw.to_vec())
    }

    /// The record stored under `key` as `value`, unpacked (an alert without the index record
    /// in front of it).
    pub fn unpack<'a>(&self, key: &[u8], value: &'a [u8]) -> Result<Cow<'a, [u8]>> {
        let corrupt = |reason: String| StoreError::Corrupt {
            key: String::from_utf8_lossy(key).into_owned(),
            reason,
        };
        let value = match index_record(value) {
            Front::Nothing => value,
            Front::IndexRecord(_, alert) => alert,
            Front::CutShort => return Err(corrupt("an index record cut short".into())),
        };
        let Some((&MAGIC, rest)) = value.split_first() else {
            return Ok(Cow::Borrowed(value));
        };
        let (id, frame) = rest
            .split_first_chunk::<2>()
            .ok_or_else(|| corrupt("a packed record without its dictionary's id".into()))?;
        let id = u16::from_be_bytes(*id);
        let dictionary = if id == 0 {
            Arc::clone(&self.plain)
        } else {
            self.dictionaries
                .read()
                .ok()
                .and_then(|d| d.by_id.get(&id).cloned())
                .ok_or_else(|| corrupt(format!("packed with dictionary {id}, which is missing")))?
        };
        let size = zstd::zstd_safe::get_frame_content_size(frame)
            .ok()
            .flatten()
            .filter(|size| *size <= MAX_UNPACKED)
            .ok_or_else(|| corrupt("a packed record of unknown size".into()))?;
        dictionary
            .unpack(frame, size as usize)
            .map(Cow::Owned)
            .map_err(|e| corrupt(format!("cannot unpack: {e}")))
    }

    /// Whether `kind` has a dictionary yet.
    pub fn has_dictionary(&self, kind: Kind) -> bool {
        self.dictionaries
            .read()
            .is_ok_and(|d| d.current[kind.slot()].is_some())
    }

    /// The key and value that store `dictionary` for `kind` under the next id, and that id.
    pub fn next_entry(&self, kind: Kind, dictionary: &[u8]) -> Option<(u16, Vec<u8>, Vec<u8>)> {
        let last = self.dictionaries.read().ok()?.last_id;
        let id = last.checked_add(1)?;
        let mut value = Vec::with_capacity(1 + dictionary.len());
        value.push(kind.code());
        value.extend_from_slice(dictionary);
        Some((id, keys::dictionary(id), value))
    }

    /// Makes the dictionary stored under `id` the one `kind` is packed with. Call only once
    /// it is on disk.
    pub fn install(&self, id: u16, kind: Kind, dictionary: Vec<u8>) {
        if let Ok(mut d) = self.dictionaries.write() {
            let dictionary = Arc::new(Dictionary::new(id, dictionary));
            d.by_id.insert(id, Arc::clone(&dictionary));
            d.current[kind.slot()] = Some(dictionary);
            d.last_id = d.last_id.max(id);
        }
    }
}

/// Trains a dictionary for `kind` from the newest records of it in `tree`; `None` when there
/// are too few, or too alike, for zstd to make one.
pub(crate) fn train(tree: &Tree, codec: &Codec, kind: Kind) -> Option<Vec<u8>> {
    // A record that cannot be read is no sample, and no reason to go without a dictionary.
    let samples: Vec<Vec<u8>> = tree
        .scan_prefix(kind.prefix())
        .rev()
        .take(SAMPLES)
        .filter_map(|entry| {
            let (key, value) = entry.ok()?;
            Some(codec.unpack(&key, &value).ok()?.into_owned())
        })
        .collect();
    if (samples.len() as u64) < FIRST_TRAINING.min(SAMPLES as u64) / 2 {
        return None;
    }
    let started = std::time::Instant::now();
    match zstd::dict::from_samples(&samples, DICTIONARY_BYTES) {
        Ok(dictionary) => {
            tracing::info!(?kind, samples = samples.len(), bytes = dictionary.len(), took = ?started.elapsed(), "trained a dictionary");
            Some(dictionary)
        }
        Err(e) => {
            tracing::debug!(?kind, error = %e, "no dictionary trained");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> (tempfile::TempDir, Tree) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = sled::Config::new()
            .temporary(true)
            .path(dir.path())
            .open()
            .unwrap_or_else(|e| panic!("{e}"));
        let tree = db.open_tree("t").unwrap_or_else(|e| panic!("{e}"));
        (dir, tree)
    }

    fn record(n: usize) -> Vec<u8> {
        format!(
            r#"{{"title":"Exposed .env configuration on site{n}.example.com:8080","summary":"LeakIX found an exposed .env configuration at https://site{n}.example.com/.env. Rotate every key.","seen_count":{n}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn without_a_dictionary_a_record_is_kept_as_it_is_and_read_as_it_is() {
        let (_dir, tree) = tree();
        let codec = Codec::load(&tree).unwrap_or_else(|e| panic!("{e}"));
        let raw = record(7);
        assert_eq!(codec.pack(Kind::Alert, &raw), raw);
        let read = codec.unpack(b"a/x", &raw).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read, raw.as_slice());
        let frame = [0u8, 0, 0, 2, b'{', b'}'];
        let read = codec
            .unpack(b"d/x", &frame)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read, &frame[..]);
        // A value packed without a dictionary (id 0) reads back too.
        let plain = codec.plain.pack(&raw).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&plain[..3], &[MAGIC, 0, 0]);
        let read = codec
            .unpack(b"a/x", &plain)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read, raw.as_slice());
    }

    #[test]
    fn a_trained_dictionary_packs_smaller_and_survives_a_reload() {
        let (_dir, tree) = tree();
        let codec = Codec::load(&tree).unwrap_or_else(|e| panic!("{e}"));
        for n in 0..1_200 {
            let key = [keys::ALERT, format!("{n:026}").as_bytes()].concat();
            tree.insert(key, record(n))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let plain = codec
            .plain
            .pack(&record(5_000))
            .unwrap_or_else(|e| panic!("{e}"));
        let dictionary = train(&tree, &codec, Kind::Alert).expect("enough records to train");
        let (id, key, value) = codec
            .next_entry(Kind::Alert, &dictionary)
            .unwrap_or_else(|| panic!("a first id"));
        assert_eq!(id, 1);
        tree.insert(key, value).unwrap_or_else(|e| panic!("{e}"));
        codec.install(id, Kind::Alert, dictionary);
        let packed = codec.pack(Kind::Alert, &record(5_000));
        assert!(
            packed.len() * 2 < plain.len(),
            "{} bytes with the dictionary, {} without",
            packed.len(),
            plain.len()
        );
        let reloaded = Codec::load(&tree).unwrap_or_else(|e| panic!("{e}"));
        assert!(reloaded.has_dictionary(Kind::Alert));
        assert!(!reloaded.has_dictionary(Kind::Delivery));
        assert_eq!(
            reloaded
                .unpack(b"a/x", &packed)
                .unwrap_or_else(|e| panic!("{e}")),
            record(5_000).as_slice()
        );
        assert_eq!(
            reloaded
                .unpack(b"a/x", &plain)
                .unwrap_or_else(|e| panic!("{e}")),
            record(5_000).as_slice()
        );
    }

    #[test]
    fn a_record_naming_a_missing_dictionary_is_a_clear_error() {
        let (_dir, tree) = tree();
        let codec = Codec::load(&tree).unwrap_or_else(|e| panic!("{e}"));
        let mut packed = codec
            .plain
            .pack(&record(1))
            .unwrap_or_else(|e| panic!("{e}"));
        packed[1..3].copy_from_slice(&9u16.to_be_bytes());
        let error = match codec.unpack(b"a/01X", &packed) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("a record naming a missing dictionary was unpacked"),
        };
        assert!(error.contains("dictionary 9"), "{error}");
        assert!(codec.unpack(b"a/01X", &[MAGIC]).is_err());
        assert!(codec.unpack(b"a/01X", &[MAGIC, 0, 0, 1, 2, 3]).is_err());
    }
}
