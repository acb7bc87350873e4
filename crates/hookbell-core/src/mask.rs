//! The one masking policy: which values are secrets, and how a secret is shown once it must
//! never be kept in the clear.
//!
//! It owns:
//! - the secret-name vocabulary ([`Kind::of`]): member names whose value, of any JSON type, is a
//!   secret (`password`, `apiKey`, `passwordHash`, `db_password`, …), and the names that are
//!   secrets only inside a `credentials` object (`key`, `raw`);
//! - value shapes and free text ([`text::scrub`]): card numbers (Luhn), private keys, cloud and
//!   VCS token formats, URL userinfo, and `password=…` / `"apiKey": …` assignments in text;
//! - the masked form ([`mask_secret`]).
//!
//! [`Policy::redact`] applies all of it to a JSON value. Provider adapters only declare the
//! names that are secrets in their bodies but not in general ([`Policy::with`]); everything
//! that is stored, shown, logged or notified goes through here (see [`crate::normalize`]).

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::Value;

use crate::alert::MaskedValue;

pub mod text;

/// Masks a secret for display, keeping its length: `password123!` → `pa********3!`.
///
/// Up to 4 characters become all stars; up to 8 keep one character at each end; longer keep
/// two at each end. Masking a masked value changes nothing.
pub fn mask_secret(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let n = chars.len();
    let keep = match n {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    };
    let mut out = String::with_capacity(secret.len());
    out.extend(&chars[..keep]);
    out.extend(std::iter::repeat_n('*', n - 2 * keep));
    out.extend(&chars[n - keep..]);
    out
}

/// What a secret member holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A password in clear.
    Password,
    /// A password hash.
    PasswordHash,
    /// A password salt.
    PasswordSalt,
    /// A payment card number.
    CreditCard,
    /// A card's CVV / CVC.
    CardSecurityCode,
    /// A shared secret.
    Secret,
    /// An API key.
    ApiKey,
    /// A private key.
    PrivateKey,
    /// An access, refresh or session token.
    Token,
    /// A cookie.
    Cookie,
    /// A captured credential of unknown kind (`credentials.key`, `credentials.raw`).
    Credential,
}

/// Normalized names (lowercase, no `_` or `-`) that are secrets exactly as they stand. A
/// name that a plural of another or one of [`ENDINGS`] already gives the same kind is not
/// repeated here (`passwords`, `clientsecret`); one that would get another kind from an ending
/// is (`hashedpassword` is a hash, not a password).
const EXACT: &[(&str, Kind)] = &[
    ("pass", Kind::Password),
    ("pwd", Kind::Password),
    ("hashedpassword", Kind::PasswordHash),
    ("passwordhashes", Kind::PasswordHash),
    ("salt", Kind::PasswordSalt),
    ("creditcard", Kind::CreditCard),
    ("ccnumber", Kind::CreditCard),
    ("cvv", Kind::CardSecurityCode),
    ("cvc", Kind::CardSecurityCode),
    ("pin", Kind::Secret),
    ("token", Kind::Token),
    ("cookie", Kind::Cookie),
];

/// Normalized endings that make any name a secret (`db_password`, `AWS_SECRET_ACCESS_KEY`,
/// `stripeApiKey`). Only stems that are never the end of a harmless name. Free text uses the
/// same stems ([`text`]).
pub(super) const ENDINGS: &[(&str, Kind)] = &[
    ("password", Kind::Password),
    ("passwd", Kind::Password),
    ("passphrase", Kind::Password),
    ("secret", Kind::Secret),
    ("secretkey", Kind::Secret),
    ("secretaccesskey", Kind::Secret),
    ("apikey", Kind::ApiKey),
    ("privatekey", Kind::PrivateKey),
    ("accesstoken", Kind::Token),
    ("refreshtoken", Kind::Token),
    ("authtoken", Kind::Token),
    ("apitoken", Kind::Token),
    ("sessiontoken", Kind::Token),
    ("bearertoken", Kind::Token),
    ("passwordhash", Kind::PasswordHash),
    ("passwordsalt", Kind::PasswordSalt),
    ("cardnumber", Kind::CreditCard),
];

/// Secrets only inside a `credentials` object (LeakIX's `service.credentials`).
const IN_CREDENTIALS: &[(&str, Kind)] = &[("key", Kind::Credential), ("raw", Kind::Credential)];

/// Members naming the hash algorithm of a sibling hash (kept: the algorithm is no secret).
const ALGORITHM_NAMES: &[&str] = &[
    "hashtype",
    "hashalgorithm",
    "algorithm",
    "passwordtype",
    "hashformat",
];

/// Parts of a member name that describe a secret rather than hold it, inside an object under
/// a secret name (`"password": {"last_characters_length": 6}`).
const METADATA: &[&str] = &["length", "count", "type", "algorithm", "format"];

impl Kind {
    /// The kind of secret a member named `name` holds under the shared vocabulary, if any.
    /// Case, `_` and `-` are ignored.
    /// A plural names the same kind (`apiKeys`, `secrets`).
    pub fn of(name: &str) -> Option<Kind> {
        Kind::of_key(&normalized(name))
    }

    /// [`Kind::of`] for a name already [`normalized`]. This runs for every member of every
    /// body: exact names are one hash lookup, then the endings are tried.
    fn of_key(key: &str) -> Option<Kind> {
        static EXACT_NAMES: LazyLock<HashMap<&'static str, Kind>> =
            LazyLock::new(|| EXACT.iter().copied().collect());
        std::iter::once(key)
            .chain(key.strip_suffix('s'))
            .find_map(|key| {
                EXACT_NAMES.get(key).copied().or_else(|| {
                    ENDINGS
                        .iter()
                        .find(|(stem, _)| key.ends_with(stem))
                        .map(|(_, kind)| *kind)
                })
            })
    }

    /// The name it is listed under in `masked_values` (`password`, `password_hash`, …).
    pub fn label(self) -> &'static str {
        match self {
            Kind::Password => "password",
            Kind::PasswordHash => "password_hash",
            Kind::PasswordSalt => "password_salt",
            Kind::CreditCard => "credit_card",
            Kind::CardSecurityCode => "card_security_code",
            Kind::Secret => "secret",
            Kind::ApiKey => "api_key",
            Kind::PrivateKey => "private_key",
            Kind::Token => "token",
            Kind::Cookie => "cookie",
            Kind::Credential => "credential",
        }
    }

    /// Whether such a value is a usable credential in clear (a password, not its hash).
    pub fn cleartext(self) -> bool {
        self == Kind::Password
    }
}

/// `name` lowercased without `_` and `-`.
fn normalized(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().filter(|c| *c != '_' && *c != '-') {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

fn lookup(list: &[(&str, Kind)], key: &str) -> Option<Kind> {
    list.iter().find(|(n, _)| *n == key).map(|(_, kind)| *kind)
}

/// What [`Policy::redact`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Redacted {
    /// The secrets masked by name, in document order.
    pub found: Vec<Found>,
    /// Whether anything changed (by name or by shape).
    pub changed: bool,
}

/// One secret the policy masked.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// What it is.
    pub kind: Kind,
    /// Its masked form, length and (for a hash) algorithm, listed under the member's name.
    pub value: MaskedValue,
}

/// The shared vocabulary plus one provider's extra secret names.
#[derive(Debug, Clone, Copy, Default)]
pub struct Policy {
    extras: &'static [(&'static str, Kind)],
}

impl Policy {
    /// The shared vocabulary alone.
    pub const SHARED: Policy = Policy { extras: &[] };

    /// The shared vocabulary plus `extras`: normalized names (lowercase, no `_`/`-`) that are
    /// secrets in one provider's bodies.
    pub const fn with(extras: &'static [(&'static str, Kind)]) -> Policy {
        Policy { extras }
    }

    /// The kind of secret a member named `name` holds, if any; `in_credentials` when the
    /// member is inside a `credentials` object.
    pub fn kind_of(&self, name: &str, in_credentials: bool) -> Option<Kind> {
        self.kind_of_key(&normalized(name), in_credentials)
    }

    /// [`Policy::kind_of`] for a name already [`normalized`] (each member name is normalized
    /// once per walk: this runs for every member of every body).
    fn kind_of_key(&self, key: &str, in_credentials: bool) -> Option<Kind> {
        Kind::of_key(key).or_else(|| {
            lookup(self.extras, key).or_else(|| {
                in_credentials
                    .then(|| lookup(IN_CREDENTIALS, key))
                    .flatten()
            })
        })
    }

    /// Masks, in place, every secret in `value`: every value of any type under a secret name
    /// (strings and numbers become their masked text; arrays and objects are masked through),
    /// and every secret-shaped span in any other string ([`text::scrub`]). Returns what it
    /// masked by name; shapes found in free text are masked without being listed.
    pub fn redact(&self, value: &mut Value) -> Redacted {
        let mut out = Redacted::default();
        self.walk(value, false, &mut out);
        out
    }

    fn walk(&self, value: &mut Value, in_credentials: bool, found: &mut Redacted) {
        match value {
            Value::Object(map) => {
                // Each name normalized once; a hash's algorithm is looked up only when the
                // object holds a hash.
                let keys: Vec<String> = map.keys().map(|k| normalized(k)).collect();
                let kinds: Vec<Option<Kind>> = keys
                    .iter()
                    .map(|key| self.kind_of_key(key, in_credentials))
                    .collect();
                let algorithm = if kinds.contains(&Some(Kind::PasswordHash)) {
                    keys.iter()
                        .zip(map.values())
                        .find(|(key, _)| ALGORITHM_NAMES.contains(&key.as_str()))
                        .and_then(|(_, v)| v.as_str())
                        .map(str::to_owned)
                } else {
                    None
                };
                for (((name, member), key), kind) in map.iter_mut().zip(&keys).zip(kinds) {
                    match kind {
                        Some(kind) => {
                            let algorithm = (kind == Kind::PasswordHash)
                                .then_some(algorithm.as_deref())
                                .flatten();
                            mask_all(member, name, kind, algorithm, found);
                        }
                        None => {
                            let credentials = matches!(key.as_str(), "credentials" | "credential");
                            self.walk(member, credentials, found);
                        }
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.walk(item, in_credentials, found);
                }
            }
            Value::String(s) => {
                if let Some(scrubbed) = text::scrub(s) {
                    *s = scrubbed;
                    found.changed = true;
                }
            }
            Value::Number(n) => {
                // A card number sent as a bare number (13 digits or more: a smaller integer
                // holds no shape and is not turned into text to find that out).
                const SMALLEST_CARD: u64 = 1_000_000_000_000;
                if n.as_u64().is_some_and(|u| u < SMALLEST_CARD)
                    || n.as_i64().is_some_and(|i| i.unsigned_abs() < SMALLEST_CARD)
                {
                    return;
                }
                if let Some(scrubbed) = text::scrub(&n.to_string()) {
                    *value = Value::String(scrubbed);
                    found.changed = true;
                }
            }
            Value::Bool(_) | Value::Null => {}
        }
    }
}

/// Masks every string and number at or below `value`, a member named `name` holding `kind`.
fn mask_all(
    value: &mut Value,
    name: &str,
    kind: Kind,
    algorithm: Option<&str>,
    found: &mut Redacted,
) {
    let (masked, already) = match value {
        Value::String(s) if !s.is_empty() => {
            let masked = mask_secret(s);
            let already = masked == *s;
            (masked, already)
        }
        Value::Number(n) => {
            let secret = n.to_string();
            let masked = mask_secret(&secret);
            let already = masked == secret;
            (masked, already)
        }
        Value::Array(items) => {
            for item in items {
                mask_all(item, name, kind, algorithm, found);
            }
            return;
        }
        Value::Object(map) => {
            // What describes the secret (its length, count, type or algorithm) is kept: a name
            // that ends so (`last_characters_length`, `hashType`), not one that merely holds
            // such a word (`accountToken`, `formatted_value`).
            for (member_name, member) in map.iter_mut() {
                let member_name = normalized(member_name);
                if !METADATA.iter().any(|m| member_name.ends_with(m)) {
                    mask_all(member, name, kind, algorithm, found);
                }
            }
            return;
        }
        _ => return,
    };
    if !already {
        found.changed = true;
        // Masking keeps the length in characters.
        found.found.push(Found {
            kind,
            value: MaskedValue {
                name: name.to_owned(),
                value: masked.clone(),
                cleartext: kind.cleartext(),
                length: Some(masked.chars().count()),
                algorithm: algorithm.map(str::to_owned),
            },
        });
    }
    if !matches!(value, Value::String(s) if *s == masked) {
        found.changed = true;
        *value = Value::String(masked);
    }
}

/// Masks, in place, every secret in `value` by the shared vocabulary ([`Policy::SHARED`]);
/// returns true when anything changed.
pub fn redact_json(value: &mut Value) -> bool {
    Policy::SHARED.redact(value).changed
}

/// Like [`redact_json`], and describes each secret it masked (member name, masked form,
/// length).
pub fn redact_json_values(value: &mut Value) -> Vec<MaskedValue> {
    Policy::SHARED
        .redact(value)
        .found
        .into_iter()
        .map(|f| f.value)
        .collect()
}

#[cfg(test)]
mod tests;
