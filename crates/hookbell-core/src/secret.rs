//! `Secret`: a configured credential that never shows itself in `Debug` output or logs.
//!
//! In `hookbell.toml` a secret is either written out (`password = "…"`, as a hand-edited file
//! or an older version has it) or, as Hookbell writes it, only named:
//! `password = { secret = "source.enzoic.auth.password" }`. The name is looked up in a secret
//! store (the OS keychain, or a private file) that the program reading the file provides with
//! [`read_config`]; without one, a named secret is an error, never an empty credential. A
//! program writing the file uses [`write_config`] to get every secret out of the serialized
//! form, so no secret needs to be listed by hand: whatever holds a `Secret` is covered.

use std::cell::RefCell;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A string that is a credential. `Debug` prints `[redacted]`; only [`Secret::expose`] reads
/// it. It serializes as the plain string (the API's JSON, tests), except inside
/// [`write_config`], where it becomes a reference; it deserializes from the plain string or,
/// inside [`read_config`], from a reference `{ secret = "NAME" }`.
#[derive(Clone, PartialEq, Eq, utoipa::ToSchema)]
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

/// The key of a secret reference: `{ secret = "NAME" }`.
pub const REFERENCE_KEY: &str = "secret";

/// What [`write_config`] puts where a secret was, before the writer names it: a reference
/// whose name is this prefix and the secret's index in the returned list.
pub const PLACEHOLDER_PREFIX: &str = "\u{0}hookbell-secret-";

/// `{ secret = "NAME" }`
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Reference {
    secret: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Written {
    Plain(String),
    Named(Reference),
}

/// Looks a named secret up; the error is shown to the user (it must not contain a secret).
pub type Resolver = Box<dyn FnMut(&str) -> Result<String, String>>;

enum Mode {
    Read { resolve: Resolver, plain: usize },
    Write { taken: Vec<String> },
}

thread_local! {
    static MODE: RefCell<Option<Mode>> = const { RefCell::new(None) };
}

/// Puts the previous mode back, even when the closure panics.
struct Restore(Option<Mode>);

impl Drop for Restore {
    fn drop(&mut self) {
        let previous = self.0.take();
        MODE.with(|m| *m.borrow_mut() = previous);
    }
}

fn run_in<R>(mode: Mode, f: impl FnOnce() -> R) -> (R, Option<Mode>) {
    let previous = MODE.with(|m| m.borrow_mut().replace(mode));
    let restore = Restore(previous);
    let result = f();
    let mine = MODE.with(|m| m.borrow_mut().take());
    drop(restore);
    (result, mine)
}

/// Runs `read` (which deserializes a config file on this thread) resolving every
/// `{ secret = "NAME" }` with `resolve`. Returns its result and how many secrets were written
/// out in clear (they are to be moved into the store).
pub fn read_config<R>(resolve: Resolver, read: impl FnOnce() -> R) -> (R, usize) {
    let (result, mode) = run_in(Mode::Read { resolve, plain: 0 }, read);
    let plain = match mode {
        Some(Mode::Read { plain, .. }) => plain,
        _ => 0,
    };
    (result, plain)
}

/// Runs `write` (which serializes config on this thread) with every secret serialized as a
/// reference to a placeholder name, [`PLACEHOLDER_PREFIX`] and an index into the returned
/// list of the secrets taken out. The caller replaces each placeholder by a real name.
pub fn write_config<R>(write: impl FnOnce() -> R) -> (R, Vec<Secret>) {
    let (result, mode) = run_in(Mode::Write { taken: Vec::new() }, write);
    let taken = match mode {
        Some(Mode::Write { taken }) => taken.into_iter().map(Secret).collect(),
        _ => Vec::new(),
    };
    (result, taken)
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let placeholder = MODE.with(|m| match &mut *m.borrow_mut() {
            Some(Mode::Write { taken }) => {
                // Serializers may visit a value more than once (toml does): one secret, one
                // index.
                let index = match taken.iter().position(|t| *t == self.0) {
                    Some(index) => index,
                    None => {
                        taken.push(self.0.clone());
                        taken.len() - 1
                    }
                };
                Some(format!("{PLACEHOLDER_PREFIX}{index}"))
            }
            _ => None,
        });
        match placeholder {
            Some(secret) => Reference { secret }.serialize(serializer),
            None => serializer.serialize_str(&self.0),
        }
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let written = Written::deserialize(deserializer).map_err(|_| {
            serde::de::Error::custom("expected a secret: a string or { secret = \"NAME\" }")
        })?;
        MODE.with(|m| match (written, &mut *m.borrow_mut()) {
            (Written::Plain(value), Some(Mode::Read { plain, .. })) => {
                *plain += 1;
                Ok(Secret(value))
            }
            (Written::Plain(value), _) => Ok(Secret(value)),
            (Written::Named(Reference { secret }), Some(Mode::Read { resolve, .. })) => {
                resolve(&secret).map(Secret).map_err(serde::de::Error::custom)
            }
            (Written::Named(Reference { secret }), _) => Err(serde::de::Error::custom(format!(
                "the secret {secret:?} is kept in a secret store, which only Hookbell's engine reads"
            ))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Serialize, Deserialize)]
    struct Holder {
        a: Secret,
        b: Secret,
        other: String,
    }

    #[test]
    fn plain_and_named_secrets_read_and_write() {
        let text = "a = \"clear\"\nb = { secret = \"name.b\" }\nother = \"x\"\n";
        let plain: Result<Holder, _> = toml::from_str(text);
        assert!(
            plain.is_err_and(|e| e.to_string().contains("name.b")),
            "a named secret without a store fails closed"
        );
        let (read, moved) = read_config(
            Box::new(|name| match name {
                "name.b" => Ok("from-store".into()),
                other => Err(format!("no {other}")),
            }),
            || toml::from_str::<Holder>(text),
        );
        let read = read.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (read.a.expose(), read.b.expose(), moved),
            ("clear", "from-store", 1)
        );
        let (written, taken) = write_config(|| toml::to_string(&read));
        let written = written.unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !written.contains("clear") && !written.contains("from-store"),
            "{written}"
        );
        assert_eq!(
            taken.iter().map(Secret::expose).collect::<Vec<_>>(),
            ["clear", "from-store"]
        );
        // Outside the two modes a secret is the plain string, as the API's JSON has it.
        assert_eq!(
            serde_json::to_value(&read.a).ok(),
            Some(serde_json::json!("clear"))
        );
    }
}
