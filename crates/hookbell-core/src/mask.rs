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
        with_normalized(name, Kind::of_key)
    }

    /// [`Kind::of`] for a name already [`normalized`]. This runs for every member of every
    /// body: only the exact names and endings that end with the name's last byte are compared
    /// ([`ByLast`]).
    fn of_key(key: &[u8]) -> Option<Kind> {
        static EXACT_NAMES: LazyLock<ByLast<Kind>> = LazyLock::new(|| ByLast::new(EXACT));
        static ENDS: LazyLock<ByLast<Kind>> = LazyLock::new(|| ByLast::new(ENDINGS));
        let (exact, ends) = (&*EXACT_NAMES, &*ENDS);
        let one = |key: &[u8]| exact.equal(key).or_else(|| ends.ending(key));
        one(key).or_else(|| key.strip_suffix(b"s").and_then(one))
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

/// Calls `f` with the bytes of `name` [`normalized`]: on the stack when it is ASCII and short,
/// as almost every member name is (this runs for every member of every body).
fn with_normalized<R>(name: &str, f: impl FnOnce(&[u8]) -> R) -> R {
    const SHORT: usize = 64;
    if name.len() <= SHORT && name.is_ascii() {
        let mut buffer = [0u8; SHORT];
        let mut len = 0;
        // Without a branch per byte: every byte is written, and a `_` or `-` is written over
        // by the next one.
        for b in name.bytes() {
            if let Some(slot) = buffer.get_mut(len) {
                *slot = b.to_ascii_lowercase();
            }
            len += usize::from(b != b'_' && b != b'-');
        }
        return f(buffer.get(..len).unwrap_or_default());
    }
    f(normalized(name).as_bytes())
}

/// Names (normalized bytes) grouped by their last byte, each with a value: a name is compared
/// only with the few that end as it does. Within a group the list's order is kept, and two
/// names with different last bytes never both match, so the first match is the list's first.
pub(super) struct ByLast<T>(Vec<Vec<(&'static [u8], T)>>);

impl<T: Copy> ByLast<T> {
    pub(super) fn new(list: &[(&'static str, T)]) -> ByLast<T> {
        let mut groups: Vec<Vec<(&'static [u8], T)>> = vec![Vec::new(); 256];
        for (name, value) in list {
            if let Some(group) = name
                .as_bytes()
                .last()
                .and_then(|b| groups.get_mut(usize::from(*b)))
            {
                group.push((name.as_bytes(), *value));
            }
        }
        ByLast(groups)
    }

    fn group(&self, key: &[u8]) -> &[(&'static [u8], T)] {
        key.last()
            .and_then(|b| self.0.get(usize::from(*b)))
            .map_or(&[], Vec::as_slice)
    }

    /// Whether some name ends with the byte `b`.
    pub(super) fn ends_in(&self, b: u8) -> bool {
        self.0
            .get(usize::from(b))
            .is_some_and(|group| !group.is_empty())
    }

    /// The value of the first name `key` ends with.
    pub(super) fn ending(&self, key: &[u8]) -> Option<T> {
        self.group(key)
            .iter()
            .find(|(name, _)| key.ends_with(name))
            .map(|(_, value)| *value)
    }

    /// The value of the name `key` is.
    pub(super) fn equal(&self, key: &[u8]) -> Option<T> {
        self.group(key)
            .iter()
            .find(|(name, _)| key == *name)
            .map(|(_, value)| *value)
    }
}

fn lookup(list: &[(&str, Kind)], key: &[u8]) -> Option<Kind> {
    list.iter()
        .find(|(n, _)| n.as_bytes() == key)
        .map(|(_, kind)| *kind)
}

/// The last bytes of every normalized name [`Policy::walk`] looks for in the shared lists
/// ([`EXACT`], [`ENDINGS`], [`IN_CREDENTIALS`], [`ALGORITHM_NAMES`]), and `s` for a plural: a
/// member name ending otherwise (`html_url`, `login`, `number`: most of them) is none of those,
/// and only a provider's extras (and `credential(s)`, compared whole) are compared with it.
static SHARED_LAST: [bool; 256] = {
    const fn mark(table: &mut [bool; 256], name: &str) {
        if let Some(last) = name.as_bytes().last() {
            table[*last as usize] = true;
        }
    }
    const fn mark_all(table: &mut [bool; 256], list: &[(&str, Kind)]) {
        let mut i = 0;
        while i < list.len() {
            mark(table, list[i].0);
            i += 1;
        }
    }
    let mut table = [false; 256];
    mark_all(&mut table, EXACT);
    mark_all(&mut table, ENDINGS);
    mark_all(&mut table, IN_CREDENTIALS);
    let mut i = 0;
    while i < ALGORITHM_NAMES.len() {
        mark(&mut table, ALGORITHM_NAMES[i]);
        i += 1;
    }
    mark(&mut table, "s");
    table
};

/// What a member is to [`Policy::walk`], by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Walked through.
    Plain,
    /// A `credentials` object: walked through with [`IN_CREDENTIALS`] names secret too.
    Credentials,
    /// A secret of this kind: masked whole.
    Secret(Kind),
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
        with_normalized(name, |key| self.kind_of_key(key, in_credentials))
    }

    /// [`Policy::kind_of`] for a name already [`normalized`] (each member name is normalized
    /// once per walk: this runs for every member of every body).
    fn kind_of_key(&self, key: &[u8], in_credentials: bool) -> Option<Kind> {
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
                // Each name normalized once (on the stack) and its role kept on the stack for
                // objects of up to 32 members; a hash's algorithm is read only when the object
                // holds a hash.
                const SMALL: usize = 32;
                let mut small = [Role::Plain; SMALL];
                let mut large = Vec::new();
                let roles: &mut [Role] = match small.get_mut(..map.len()) {
                    Some(roles) => roles,
                    None => {
                        large.resize(map.len(), Role::Plain);
                        &mut large
                    }
                };
                let mut algorithm_at = None;
                for (i, (name, role)) in map.keys().zip(roles.iter_mut()).enumerate() {
                    with_normalized(name, |key| {
                        let shared = key.last().is_some_and(|b| SHARED_LAST[usize::from(*b)]);
                        let kind = if shared {
                            self.kind_of_key(key, in_credentials)
                        } else {
                            lookup(self.extras, key)
                        };
                        *role = match kind {
                            Some(kind) => Role::Secret(kind),
                            None if matches!(key, b"credentials" | b"credential") => {
                                Role::Credentials
                            }
                            None => Role::Plain,
                        };
                        if shared
                            && algorithm_at.is_none()
                            && ALGORITHM_NAMES.iter().any(|a| a.as_bytes() == key)
                        {
                            algorithm_at = Some(i);
                        }
                    });
                }
                let algorithm = if roles.contains(&Role::Secret(Kind::PasswordHash)) {
                    algorithm_at
                        .and_then(|i| map.values().nth(i))
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                } else {
                    None
                };
                for ((name, member), role) in map.iter_mut().zip(roles.iter()) {
                    match *role {
                        Role::Secret(kind) => {
                            let algorithm = (kind == Kind::PasswordHash)
                                .then_some(algorithm.as_deref())
                                .flatten();
                            mask_all(member, name, kind, algorithm, found);
                        }
                        Role::Credentials => self.walk(member, true, found),
                        Role::Plain => self.walk(member, false, found),
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
                let metadata = with_normalized(member_name, |member_name| {
                    METADATA.iter().any(|m| member_name.ends_with(m.as_bytes()))
                });
                if !metadata {
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
