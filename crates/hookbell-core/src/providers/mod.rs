//! Provider adapters: each turns one provider's delivery body into [`NewAlert`]s.
//!
//! One provider is one module here with its fixture files beside it; adding a provider means
//! writing that module and adding one line to [`REGISTRY`].

use serde_json::Value;

use crate::alert::{MaskedValue, Severity};
use crate::delivery::Delivery;
pub use crate::lang::{Context, Lang};

pub mod canarytokens;
pub mod cyscale;
pub mod enzoic;
pub mod generic;
pub mod gitguardian;
pub mod github;
#[cfg(test)]
pub(crate) mod golden;
pub mod leakix;
pub mod omniac;
pub mod osintly;
pub mod read;
pub mod text;

/// An alert as a provider adapter produces it, before the store gives it an id and times.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NewAlert {
    /// The provider's idempotency key: a repeat with the same key is a duplicate.
    pub external_id: String,
    /// Severity by the contract's mapping rules.
    pub severity: Severity,
    /// One line a person understands at a glance.
    pub title: String,
    /// A short paragraph.
    pub summary: String,
    /// The provider's full description.
    pub description: String,
    /// What to do.
    pub recommendation: String,
    /// The affected identity, host or account.
    pub subject: String,
    /// The kind of alert.
    pub category: String,
    /// When the provider says it happened.
    pub occurred_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Valid JSON of a shape the adapter does not know.
    pub unrecognized: bool,
    /// Sensitive values, masked.
    pub masked_values: Vec<MaskedValue>,
    /// Related URLs.
    pub links: Vec<String>,
    /// Structured, masked details for display.
    pub details: Value,
    /// Where the provider says its own alert stands: a later event for the same
    /// `external_id` that closes or reopens it changes the stored alert instead of repeating
    /// it. Left out of the serialized form while open, so golden files of providers without
    /// upstream state do not mention it.
    #[serde(skip_serializing_if = "Upstream::is_open")]
    pub upstream: Upstream,
}

/// The state of the provider's own alert that a delivery reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Upstream {
    /// Open, or a provider without upstream state: a repeat is a duplicate.
    #[default]
    Open,
    /// Closed upstream (fixed, resolved, dismissed…): the stored alert becomes done, quietly.
    Closed {
        /// The provider's word for it (`fixed`, `dismissed`, `resolved`…).
        action: String,
        /// Who closed it, when the provider says.
        #[serde(skip_serializing_if = "Option::is_none")]
        by: Option<String>,
        /// Why, when the provider says (a dismissal reason, a comment).
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Reopened upstream (reopened, reintroduced, regression…): the stored alert is not done
    /// and unread again, and notifies again.
    Reopened {
        /// The provider's word for it.
        action: String,
        /// Who reopened it, when the provider says.
        #[serde(skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// Escalated upstream: the provider reports its alert worse than it was (GitHub's
    /// `publicly_leaked`: the secret was found in public). The stored alert takes `severity`
    /// when that is higher, is not done and unread again, and notifies again when its
    /// severity rose or it was done.
    Escalated {
        /// The provider's word for it.
        action: String,
        /// The severity the alert has now.
        severity: Severity,
        /// Who or what reported it, when the provider says.
        #[serde(skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
}

impl Upstream {
    /// True for [`Upstream::Open`].
    pub fn is_open(&self) -> bool {
        matches!(self, Upstream::Open)
    }
}

/// Why an adapter could not read a JSON body; the body is then kept as an unrecognized alert.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unrecognized(pub String);

/// A provider adapter.
pub trait Provider: Send + Sync {
    /// The provider id used in the config (`enzoic`, `generic`, …).
    fn id(&self) -> &'static str;

    /// Reads a JSON body. `delivery` gives access to headers (e.g. a `webhook-id`); `ctx` to
    /// the user's language for the text Hookbell writes itself.
    fn parse(
        &self,
        body: &Value,
        delivery: &Delivery,
        ctx: &Context,
    ) -> Result<Vec<NewAlert>, Unrecognized>;

    /// The masking policy for this provider's bodies: the shared one, plus the names that
    /// are secrets in this provider's bodies only ([`crate::mask::Policy::with`]).
    fn policy(&self) -> crate::mask::Policy {
        crate::mask::Policy::SHARED
    }

    /// Masks, in place, what only this provider's own reading knows to be secret (beyond
    /// names and shapes, which [`Provider::policy`] covers everywhere); returns true when it
    /// changed something. [`crate::normalize`] applies the policy after it.
    fn redact(&self, body: &mut Value) -> bool {
        let _ = body;
        false
    }

    /// True when this (authenticated) delivery is one the provider sends that carries
    /// nothing to alert, such as GitHub's `ping` when a hook is created: it is stored and
    /// answered 2xx with no alert, instead of becoming an unrecognized one. Asked before
    /// [`Provider::parse`].
    fn acknowledge(&self, body: &Value, delivery: &Delivery) -> bool {
        let _ = (body, delivery);
        false
    }

    /// The form field that carries the JSON document when this provider sends a delivery
    /// form-encoded (`application/x-www-form-urlencoded`), as GitHub does with `payload`.
    /// `None`, the default: only JSON bodies are read.
    fn form_field(&self) -> Option<&'static str> {
        None
    }

    /// A realistic sample body, for `hookbelld send-test` and the UI's test button.
    fn sample(&self) -> &'static str;
}

/// Every provider, by id.
static REGISTRY: &[&dyn Provider] = &[
    &omniac::Omniac,
    &enzoic::Enzoic,
    &osintly::Osintly,
    &leakix::Leakix,
    &cyscale::Cyscale,
    &generic::Generic::named("generic"),
    &github::Github,
    &gitguardian::Gitguardian,
    &canarytokens::Canarytokens,
];

/// The adapter for a provider id.
pub fn get(id: &str) -> Option<&'static dyn Provider> {
    REGISTRY.iter().copied().find(|p| p.id() == id)
}

/// The adapter for a provider id, or the generic one for an id no adapter has.
pub fn get_or_generic(id: &str) -> &'static dyn Provider {
    static GENERIC: generic::Generic = generic::Generic::named("generic");
    get(id).unwrap_or(&GENERIC)
}

/// Every provider id.
pub fn ids() -> Vec<&'static str> {
    REGISTRY.iter().map(|p| p.id()).collect()
}
