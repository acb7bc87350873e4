//! The key layout of the single sled tree. Ids are ULID strings, so byte order is time order.
//!
//! | prefix | key | value |
//! |---|---|---|
//! | `a/` | alert id | alert JSON |
//! | `x/` | alert id | lowercase search text |
//! | `is/` | source `\0` alert id | empty (index by source) |
//! | `iv/` | severity code, alert id | empty (index by severity) |
//! | `it/` | status code, alert id | empty (index by status) |
//! | `k/` | source `\0` external id | alert id (dedup) |
//! | `d/` | delivery id | delivery metadata JSON |
//! | `b/` | delivery id | stored body bytes (masked) |
//! | `iq/` | delivery id | empty (quarantined deliveries) |
//! | `n/` | counter name | u64 big-endian |
//! | `l/` | source | last delivery JSON |
//! | `s/` | setting key | JSON |
//! | `m/schema_version` | | u32 big-endian |

use hookbell_core::{Severity, Status};

pub const ALERT: &[u8] = b"a/";
pub const SEARCH: &[u8] = b"x/";
pub const DELIVERY: &[u8] = b"d/";
pub const QUARANTINE: &[u8] = b"iq/";
pub const COUNTER_SOURCE: &[u8] = b"n/src/";
pub const SCHEMA_VERSION: &[u8] = b"m/schema_version";

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

pub fn alert(id: &str) -> Vec<u8> {
    cat(&[ALERT, id.as_bytes()])
}
pub fn search(id: &str) -> Vec<u8> {
    cat(&[SEARCH, id.as_bytes()])
}
pub fn by_source_prefix(source: &str) -> Vec<u8> {
    cat(&[b"is/", source.as_bytes(), b"\0"])
}
pub fn by_source(source: &str, id: &str) -> Vec<u8> {
    cat(&[&by_source_prefix(source), id.as_bytes()])
}
pub fn by_severity_prefix(sev: Severity) -> Vec<u8> {
    cat(&[b"iv/", &[sev.code()]])
}
pub fn by_severity(sev: Severity, id: &str) -> Vec<u8> {
    cat(&[&by_severity_prefix(sev), id.as_bytes()])
}
pub fn by_status_prefix(status: Status) -> Vec<u8> {
    cat(&[b"it/", &[status.code()]])
}
pub fn by_status(status: Status, id: &str) -> Vec<u8> {
    cat(&[&by_status_prefix(status), id.as_bytes()])
}
pub fn dedup(source: &str, external_id: &str) -> Vec<u8> {
    cat(&[b"k/", source.as_bytes(), b"\0", external_id.as_bytes()])
}
pub fn delivery(id: &str) -> Vec<u8> {
    cat(&[DELIVERY, id.as_bytes()])
}
pub fn body(id: &str) -> Vec<u8> {
    cat(&[b"b/", id.as_bytes()])
}
pub fn quarantined(id: &str) -> Vec<u8> {
    cat(&[QUARANTINE, id.as_bytes()])
}
pub fn last_delivery(source: &str) -> Vec<u8> {
    cat(&[b"l/", source.as_bytes()])
}
pub fn setting(key: &str) -> Vec<u8> {
    cat(&[b"s/", key.as_bytes()])
}

/// Counter keys.
pub mod counter {
    use super::*;
    pub const TOTAL: &[u8] = b"n/total";
    pub fn status(status: Status) -> Vec<u8> {
        cat(&[b"n/status/", status.as_str().as_bytes()])
    }
    pub fn severity(sev: Severity) -> Vec<u8> {
        cat(&[b"n/sev/", sev.as_str().as_bytes()])
    }
    pub fn source(source: &str) -> Vec<u8> {
        cat(&[COUNTER_SOURCE, source.as_bytes()])
    }
    pub fn auth_failures(source: &str) -> Vec<u8> {
        cat(&[b"n/authfail/", source.as_bytes()])
    }
}

/// The smallest key greater than every key starting with `prefix`.
pub fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    end.push(0xff);
    end
}

/// The id after a fixed-length prefix, as text.
pub fn id_after(key: &[u8], prefix_len: usize) -> Option<String> {
    key.get(prefix_len..)
        .and_then(|id| std::str::from_utf8(id).ok())
        .map(str::to_owned)
}
