//! The key layout of the single sled tree. Ids are ULID strings, so byte order is time order.
//!
//! | prefix | key | value |
//! |---|---|---|
//! | `a/` | alert id | the alert's index record (severity, status, source, search text: [`crate::index::Meta`]), then the alert's JSON ([`crate::codec::with_index_record`]) |
//! | `x/` | alert id | before schema 5 only: the index record, now at the front of the alert's value |
//! | `k/` | source `\0` external id | alert id (dedup) |
//! | `d/` | delivery id | delivery metadata JSON and stored body ([`crate::records::frame`]) |
//! | `iq/` | delivery id | empty (quarantined deliveries) |
//! | `l/` | source | last delivery JSON |
//! | `n/authfail/` | source | u64 big-endian |
//! | `n/authlast/` | source | the last refusal's JSON ([`crate::records::Refusal`]) |
//! | `s/` | setting key | JSON (among them the relay envelope marks, [`crate::ENVELOPE_MARKS`]) |
//! | `m/schema_version` | | u32 big-endian |
//! | `m/index_snapshot` | | the generation of the current index snapshot ([`crate::snapshot`]) |
//! | `m/dict/` | dictionary id (u16 big-endian) | kind of record, then a zstd dictionary ([`crate::codec`]) |
//!
//! Values of `a/` and `d/` are packed by [`crate::codec`] (from schema 4); an alert's index
//! record stays unpacked in front of it (from schema 5).

pub const ALERT: &[u8] = b"a/";
pub const META: &[u8] = b"x/";
pub const DEDUP: &[u8] = b"k/";
pub const DELIVERY: &[u8] = b"d/";
pub const QUARANTINE: &[u8] = b"iq/";
pub const SCHEMA_VERSION: &[u8] = b"m/schema_version";
pub const INDEX_SNAPSHOT: &[u8] = b"m/index_snapshot";
pub const DICTIONARY: &[u8] = b"m/dict/";

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

pub fn alert(id: &str) -> Vec<u8> {
    cat(&[ALERT, id.as_bytes()])
}
pub fn meta(id: &str) -> Vec<u8> {
    cat(&[META, id.as_bytes()])
}
pub fn dedup(source: &str, external_id: &str) -> Vec<u8> {
    cat(&[DEDUP, source.as_bytes(), b"\0", external_id.as_bytes()])
}
pub fn delivery(id: &str) -> Vec<u8> {
    cat(&[DELIVERY, id.as_bytes()])
}
pub fn quarantined(id: &str) -> Vec<u8> {
    cat(&[QUARANTINE, id.as_bytes()])
}
pub fn last_delivery(source: &str) -> Vec<u8> {
    cat(&[b"l/", source.as_bytes()])
}
pub fn auth_failures(source: &str) -> Vec<u8> {
    cat(&[b"n/authfail/", source.as_bytes()])
}
pub fn last_refusal(source: &str) -> Vec<u8> {
    cat(&[b"n/authlast/", source.as_bytes()])
}
pub fn dictionary(id: u16) -> Vec<u8> {
    cat(&[DICTIONARY, &id.to_be_bytes()])
}
pub fn setting(key: &str) -> Vec<u8> {
    cat(&[b"s/", key.as_bytes()])
}

/// The id after a fixed-length prefix, as text.
pub fn id_after(key: &[u8], prefix_len: usize) -> Option<String> {
    key.get(prefix_len..)
        .and_then(|id| std::str::from_utf8(id).ok())
        .map(str::to_owned)
}
