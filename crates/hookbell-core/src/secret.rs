//! `Secret`: a configured credential that never shows itself in `Debug` output or logs.

use serde::{Deserialize, Serialize};

/// A string that is a credential. `Debug` prints `[redacted]`; only [`Secret::expose`] reads
/// it. It serializes as the plain string, because the config file must keep it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
#[schema(value_type = String)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The credential itself. Call only where it is compared or sent.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A form fit for display: the first two characters, then stars (at most 8).
    pub fn masked(&self) -> String {
        crate::mask::mask_secret(&self.0)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}
