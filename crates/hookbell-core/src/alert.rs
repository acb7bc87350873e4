//! The one Alert model every provider is normalized into, and its `Severity` scale.
//!
//! The JSON shape is the outside contract (CONTRACT.md, "Alert"): field names here are
//! never renamed, only added to.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How urgent an alert is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Nothing to act on; for the record.
    Info,
    /// Worth a look when convenient.
    Low,
    /// Act soon.
    Medium,
    /// Act today.
    High,
    /// Act now.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lowercase name used in JSON and query strings.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// A stable one-byte code (0 = info … 4 = critical), used in store keys.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The inverse of [`Severity::code`].
    pub fn from_code(code: u8) -> Option<Severity> {
        Severity::ALL.get(usize::from(code)).copied()
    }

    /// Reads a provider's or user's word for a severity, case-insensitively.
    ///
    /// Accepts the five names plus common synonyms (`warning`, `error`, `fatal`, `urgent`,
    /// `informational`, `moderate`, `severe`, `p1`…`p5`). Returns `None` for anything else.
    pub fn parse_loose(word: &str) -> Option<Severity> {
        let w = word.trim().to_ascii_lowercase();
        Some(match w.as_str() {
            "info" | "informational" | "information" | "notice" | "debug" | "none" | "p5" => {
                Severity::Info
            }
            "low" | "minor" | "p4" => Severity::Low,
            "medium" | "moderate" | "warning" | "warn" | "normal" | "p3" => Severity::Medium,
            "high" | "major" | "error" | "severe" | "important" | "p2" => Severity::High,
            "critical" | "crit" | "fatal" | "emergency" | "urgent" | "blocker" | "p1" => {
                Severity::Critical
            }
            _ => return None,
        })
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = UnknownSeverity;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str() == s)
            .ok_or_else(|| UnknownSeverity(s.to_owned()))
    }
}

/// A severity name that is not one of `info|low|medium|high|critical`.
#[derive(Debug, thiserror::Error)]
#[error("unknown severity {0:?}: expected info, low, medium, high or critical")]
pub struct UnknownSeverity(pub String);

/// One sensitive value as a provider exposed it, already masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MaskedValue {
    /// What the value is: `password`, `email`, `credit_card`, …
    pub name: String,
    /// The masked form, e.g. `pa********3!`. Never the secret itself.
    pub value: String,
    /// True when the provider saw this value in cleartext (a plaintext password leak).
    #[serde(default)]
    pub cleartext: bool,
    /// The secret's length in characters, when Hookbell masked it itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<usize>,
    /// For a password hash: the algorithm's name (`MD5`, `BCrypt`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
}

impl MaskedValue {
    /// A value a provider sent already masked (kept as sent).
    pub fn as_sent(name: &str, value: &str, cleartext: bool) -> MaskedValue {
        MaskedValue {
            name: name.to_owned(),
            value: value.to_owned(),
            cleartext,
            length: None,
            algorithm: None,
        }
    }

    /// A secret Hookbell masks itself: the masked form and the length, never the secret.
    pub fn secret(
        name: &str,
        secret: &str,
        cleartext: bool,
        algorithm: Option<&str>,
    ) -> MaskedValue {
        MaskedValue {
            name: name.to_owned(),
            value: crate::mask::mask_secret(secret),
            cleartext,
            length: Some(secret.chars().count()),
            algorithm: algorithm.map(str::to_owned),
        }
    }
}

/// A normalized alert: what the store keeps, the API serves and the UI shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Alert {
    /// ULID: unique, and sorts by the time the alert was first received.
    pub id: String,
    /// The configured source (URL slug) it arrived through.
    pub source: String,
    /// The provider adapter that parsed it (`enzoic`, `generic`, …).
    pub provider: String,
    /// The provider's idempotency key for this alert.
    pub external_id: String,
    /// How urgent it is, by the contract's mapping rules.
    pub severity: Severity,
    /// One line a person understands at a glance.
    pub title: String,
    /// A short paragraph: what happened.
    pub summary: String,
    /// The provider's full description, if any.
    pub description: String,
    /// What to do about it.
    pub recommendation: String,
    /// The affected identity, host or account.
    pub subject: String,
    /// The kind of alert (`breach`, `leak`, `compliance`, …).
    pub category: String,
    /// When the provider says it happened, if it says.
    pub occurred_at: Option<DateTime<Utc>>,
    /// When Hookbell first received it.
    pub received_at: DateTime<Utc>,
    /// When Hookbell last received it (grows with duplicates).
    pub last_seen_at: DateTime<Utc>,
    /// How many deliveries carried it (1 + duplicates).
    pub seen_count: u64,
    /// Whether the user has read it.
    pub read: bool,
    /// Whether the user has dealt with it.
    pub done: bool,
    /// True when the payload was valid JSON but not a shape the provider adapter knows.
    pub unrecognized: bool,
    /// Sensitive values, masked.
    pub masked_values: Vec<MaskedValue>,
    /// Related URLs (provider pages, sources).
    pub links: Vec<String>,
    /// The delivery that first carried it.
    pub delivery_id: String,
    /// Provider-specific structured data, secrets masked, grouped for display.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// What the user can change about an alert (`PATCH /api/alerts/{id}`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertPatch {
    /// Mark read or unread.
    pub read: Option<bool>,
    /// Mark done or not done. Marking done also marks read unless `read` says otherwise.
    pub done: Option<bool>,
}

/// Where an alert stands for the user; each alert is in exactly one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Neither read nor done.
    Unread,
    /// Read, not done.
    Read,
    /// Done (whether read or not).
    Done,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 3] = [Status::Unread, Status::Read, Status::Done];

    /// The lowercase name used in query strings.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unread => "unread",
            Status::Read => "read",
            Status::Done => "done",
        }
    }

    /// A stable one-byte code, used in store keys.
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl std::str::FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown status {s:?}: expected unread, read or done"))
    }
}

impl Alert {
    /// The alert's status, derived from `read` and `done`.
    pub fn status(&self) -> Status {
        if self.done {
            Status::Done
        } else if self.read {
            Status::Read
        } else {
            Status::Unread
        }
    }

    /// Applies a user's patch. Marking done implies read unless the patch says otherwise.
    pub fn apply(&mut self, patch: AlertPatch) {
        if let Some(done) = patch.done {
            self.done = done;
            if done && patch.read.is_none() {
                self.read = true;
            }
        }
        if let Some(read) = patch.read {
            self.read = read;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_are_ordered_and_round_trip() {
        assert!(Severity::Info < Severity::Low);
        assert!(Severity::High < Severity::Critical);
        for sev in Severity::ALL {
            assert_eq!(sev.as_str().parse::<Severity>().ok(), Some(sev));
            assert_eq!(Severity::from_code(sev.code()), Some(sev));
            let json = serde_json::to_string(&sev).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", sev.as_str()));
        }
        assert!("severe".parse::<Severity>().is_err());
        assert_eq!(Severity::parse_loose(" Warning "), Some(Severity::Medium));
        assert_eq!(Severity::parse_loose("P1"), Some(Severity::Critical));
        assert_eq!(Severity::parse_loose("whatever"), None);
    }

    #[test]
    fn done_implies_read_unless_told_otherwise() {
        let mut alert = crate::testing::sample_alert();
        assert_eq!(alert.status(), Status::Unread);
        alert.apply(AlertPatch {
            read: None,
            done: Some(true),
        });
        assert!(alert.read && alert.done);
        assert_eq!(alert.status(), Status::Done);
        alert.apply(AlertPatch {
            read: Some(false),
            done: Some(false),
        });
        assert_eq!(alert.status(), Status::Unread);
        alert.apply(AlertPatch {
            read: Some(true),
            done: None,
        });
        assert_eq!(alert.status(), Status::Read);
    }
}
