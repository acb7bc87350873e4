//! Where the secrets of `hookbell.toml` live: the OS keychain, or, where none answers, a
//! private file beside the config.
//!
//! `hookbell.toml` only names a secret (`password = { secret = "source.enzoic.auth.password" }`,
//! see [`hookbell_core::secret`]); a [`SecretStore`] holds the value under that name. Two
//! backends:
//! - **the OS keychain** through the `keyring` crate: the Secret Service (GNOME Keyring,
//!   KWallet) over D-Bus on Linux, the Keychain on macOS, the Credential Manager on Windows.
//!   Entries are service `hookbell`, account `<install id>/<name>`; the install id
//!   (`DATA_DIR/keychain-id`, not a secret) keeps two data directories on one machine apart;
//! - **`DATA_DIR/secrets.toml`**, mode 0600, replaced atomically on every change (as
//!   [`crate::config_file`] does), for machines without a keychain (headless servers, CI).
//!
//! [`SecretStore::open`] picks one at start ([`SecretsChoice::Auto`]: the keychain if a probe
//! that writes, reads and deletes an entry answers within [`PROBE_TIMEOUT`], else the file;
//! nothing is written to the data directory for a keychain that does not answer).
//! A keychain store still reads `secrets.toml` when a name is missing from the keychain and
//! moves what it finds there into the keychain, so a machine that gains a keychain moves its
//! secrets out of the file. The calls block (D-Bus, files): they are made at start and while
//! the engine's config lock is held, a few per change.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hookbell_core::Secret;

use crate::data_dir::DataDirError;

/// The fallback file's name inside the data directory.
pub const SECRETS_FILE: &str = "secrets.toml";
/// The file naming this data directory's entries in the keychain.
pub const KEYCHAIN_ID_FILE: &str = "keychain-id";
/// The keychain service every entry is filed under.
pub const KEYCHAIN_SERVICE: &str = "hookbell";
/// How long the start-up probe waits for a keychain to answer.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Which store to use (`hookbelld --secrets`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SecretsChoice {
    /// The OS keychain if one answers, else `DATA_DIR/secrets.toml`.
    #[default]
    Auto,
    /// The OS keychain; starting fails when none answers.
    Keychain,
    /// `DATA_DIR/secrets.toml`, even where a keychain exists.
    File,
}

/// What can go wrong keeping secrets. Messages never contain a secret.
#[derive(Debug, thiserror::Error)]
pub enum SecretStoreError {
    /// No keychain answered the probe (or the platform has none).
    #[error("no OS keychain answered: {0}")]
    NoKeychain(String),
    /// The keychain refused or failed an operation.
    #[error("the OS keychain, entry {name:?}: {reason}")]
    Keychain {
        /// The secret's name.
        name: String,
        /// What the keychain said.
        reason: String,
    },
    /// The fallback file (or the keychain id file) could not be read or written.
    #[error(transparent)]
    File(#[from] DataDirError),
    /// The fallback file is not valid.
    #[error("{path}: {reason}")]
    Invalid {
        /// Which file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// The secrets of `hookbell.toml`, by name. Cheap to clone (shared).
#[derive(Clone)]
pub struct SecretStore {
    backend: Arc<Backend>,
}

enum Backend {
    Keychain {
        install_id: String,
        /// Read (and emptied) when the keychain lacks a name.
        file: FileStore,
    },
    File(FileStore),
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl SecretStore {
    /// The store `choice` asks for, for the data directory `dir` (which exists).
    pub fn open(dir: &Path, choice: SecretsChoice) -> Result<SecretStore, SecretStoreError> {
        match choice {
            SecretsChoice::File => Ok(SecretStore::file(dir)),
            SecretsChoice::Keychain => {
                probe_keychain(PROBE_TIMEOUT)?;
                SecretStore::keychain(dir)
            }
            SecretsChoice::Auto => match probe_keychain(PROBE_TIMEOUT) {
                Ok(()) => SecretStore::keychain(dir),
                Err(e) => {
                    tracing::info!(
                        "{e}; secrets are kept in {}",
                        dir.join(SECRETS_FILE).display()
                    );
                    Ok(SecretStore::file(dir))
                }
            },
        }
    }

    /// The file backend: `dir/secrets.toml`.
    pub fn file(dir: &Path) -> SecretStore {
        SecretStore {
            backend: Arc::new(Backend::File(FileStore::new(dir.join(SECRETS_FILE)))),
        }
    }

    /// The keychain backend for the data directory `dir` (not probed: see [`probe_keychain`]).
    pub fn keychain(dir: &Path) -> Result<SecretStore, SecretStoreError> {
        Ok(SecretStore {
            backend: Arc::new(Backend::Keychain {
                install_id: install_id(dir)?,
                file: FileStore::new(dir.join(SECRETS_FILE)),
            }),
        })
    }

    /// Whether this is the OS keychain.
    pub fn is_keychain(&self) -> bool {
        matches!(*self.backend, Backend::Keychain { .. })
    }

    /// Where secrets are, as the start-up line says it.
    pub fn describe(&self) -> String {
        match &*self.backend {
            Backend::Keychain { .. } => "OS keychain".into(),
            Backend::File(_) => format!("DATA_DIR/{SECRETS_FILE} (no keychain)"),
        }
    }

    /// The secret called `name`, if the store has it.
    pub fn get(&self, name: &str) -> Result<Option<Secret>, SecretStoreError> {
        match &*self.backend {
            Backend::File(file) => file.get(name),
            Backend::Keychain { install_id, file } => {
                let account = format!("{install_id}/{name}");
                if let Some(value) =
                    keychain::get(&account).map_err(|reason| keychain_error(name, reason))?
                {
                    return Ok(Some(Secret::new(value)));
                }
                // Kept in the file while there was no keychain: move it.
                let Some(value) = file.get(name)? else {
                    return Ok(None);
                };
                keychain::set(&account, value.expose())
                    .map_err(|reason| keychain_error(name, reason))?;
                file.delete(name)?;
                tracing::info!(
                    name,
                    "moved a secret from {SECRETS_FILE} into the OS keychain"
                );
                Ok(Some(value))
            }
        }
    }

    /// Stores `value` as `name`, replacing what was there.
    pub fn set(&self, name: &str, value: &Secret) -> Result<(), SecretStoreError> {
        match &*self.backend {
            Backend::File(file) => file.set(name, value),
            Backend::Keychain { install_id, .. } => {
                keychain::set(&format!("{install_id}/{name}"), value.expose())
                    .map_err(|reason| keychain_error(name, reason))
            }
        }
    }

    /// Forgets `name` (nothing happens when it is absent).
    pub fn delete(&self, name: &str) -> Result<(), SecretStoreError> {
        match &*self.backend {
            Backend::File(file) => file.delete(name),
            Backend::Keychain { install_id, file } => {
                keychain::delete(&format!("{install_id}/{name}"))
                    .map_err(|reason| keychain_error(name, reason))?;
                file.delete(name)
            }
        }
    }

    /// Looks names up for [`hookbell_core::secret::read_config`]: a missing name is an error
    /// that says where it was looked for.
    pub fn resolver(&self) -> hookbell_core::secret::Resolver {
        let store = self.clone();
        Box::new(move |name| match store.get(name) {
            Ok(Some(secret)) => Ok(secret.expose().to_owned()),
            Ok(None) => Err(format!(
                "the secret {name:?} is not in the {}{}",
                store.describe(),
                if store.is_keychain() {
                    ""
                } else {
                    "; if it was stored in an OS keychain, start where that keychain answers (--secrets keychain)"
                }
            )),
            Err(e) => Err(e.to_string()),
        })
    }
}

/// Checks that an OS keychain answers: writes, reads back and deletes an entry, in a thread
/// given `timeout` (a D-Bus call to a session without a Secret Service, or a locked keyring
/// that prompts, must not hold up the start).
pub fn probe_keychain(timeout: Duration) -> Result<(), SecretStoreError> {
    if !keychain::AVAILABLE {
        return Err(SecretStoreError::NoKeychain(
            "this platform has no keychain Hookbell can use".into(),
        ));
    }
    let account = format!("probe-{}", std::process::id());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("keychain-probe".into())
        .spawn(move || {
            let answer = (|| {
                let value = "hookbell keychain probe";
                keychain::set(&account, value)?;
                let read = keychain::get(&account)?;
                keychain::delete(&account)?;
                if read.as_deref() == Some(value) {
                    Ok(())
                } else {
                    Err("an entry written could not be read back".to_owned())
                }
            })();
            let _ = tx.send(answer);
        })
        .map_err(|e| SecretStoreError::NoKeychain(e.to_string()))?;
    match rx.recv_timeout(timeout) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(reason)) => Err(SecretStoreError::NoKeychain(reason)),
        Err(_) => Err(SecretStoreError::NoKeychain(format!(
            "no answer within {} s",
            timeout.as_secs()
        ))),
    }
}

fn keychain_error(name: &str, reason: String) -> SecretStoreError {
    SecretStoreError::Keychain {
        name: name.to_owned(),
        reason,
    }
}

/// This data directory's id in the keychain, created at first use.
fn install_id(dir: &Path) -> Result<String, SecretStoreError> {
    let id = crate::data_dir::read_or_create(&dir.join(KEYCHAIN_ID_FILE), || {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).map_err(|e| DataDirError::Random(e.to_string()))?;
        Ok(format!("{:016x}", u64::from_le_bytes(bytes)))
    })?;
    Ok(id)
}

/// The platform keychain through `keyring`; errors as text (a keyring error never carries
/// the secret: a `BadEncoding` is reported by its kind only).
mod keychain {
    use super::KEYCHAIN_SERVICE;

    /// Whether `keyring` has a real store on this platform (elsewhere it falls back to an
    /// in-memory mock, which would lose secrets).
    pub const AVAILABLE: bool = cfg!(any(
        target_os = "linux",
        target_os = "macos",
        target_os = "windows"
    ));

    fn entry(account: &str) -> Result<keyring::Entry, String> {
        keyring::Entry::new(KEYCHAIN_SERVICE, account).map_err(describe)
    }

    fn describe(e: keyring::Error) -> String {
        match e {
            keyring::Error::BadEncoding(_) => "the stored value is not UTF-8".into(),
            keyring::Error::Ambiguous(found) => {
                format!("{} entries match (remove the extra ones)", found.len())
            }
            other => other.to_string(),
        }
    }

    pub fn get(account: &str) -> Result<Option<String>, String> {
        if !AVAILABLE {
            return Err("no keychain on this platform".into());
        }
        match entry(account)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(describe(e)),
        }
    }

    pub fn set(account: &str, value: &str) -> Result<(), String> {
        if !AVAILABLE {
            return Err("no keychain on this platform".into());
        }
        entry(account)?.set_password(value).map_err(describe)
    }

    pub fn delete(account: &str) -> Result<(), String> {
        if !AVAILABLE {
            return Err("no keychain on this platform".into());
        }
        match entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(describe(e)),
        }
    }
}

/// Takes group and other permissions away from an existing file (someone widened them).
fn keep_private(path: &Path) -> Result<(), SecretStoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let io = |source| DataDirError::Io {
            path: path.to_owned(),
            source,
        };
        match std::fs::metadata(path) {
            Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                tracing::warn!(file = %path.display(), "was readable by others; set to 0600");
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                    .map_err(io)?;
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e).into()),
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// `secrets.toml`: one `"name" = "value"` line per secret, mode 0600, replaced atomically.
struct FileStore {
    path: PathBuf,
    /// Read-change-write, one at a time within the process.
    lock: Mutex<()>,
}

const FILE_HEADER: &str = "# Hookbell's secrets, named by hookbell.toml: kept here because no OS keychain answered.\n# Private to its owner (mode 0600); Hookbell rewrites it, so edit hookbell.toml instead.\n";

impl FileStore {
    fn new(path: PathBuf) -> FileStore {
        FileStore {
            path,
            lock: Mutex::new(()),
        }
    }

    fn read(&self) -> Result<BTreeMap<String, String>, SecretStoreError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(source) => {
                return Err(DataDirError::Io {
                    path: self.path.clone(),
                    source,
                }
                .into());
            }
        };
        // Someone widened its mode: taken back at the next read (writes are always 0600).
        keep_private(&self.path)?;
        toml::from_str(&text).map_err(|e| SecretStoreError::Invalid {
            path: self.path.clone(),
            reason: e.message().to_owned(),
        })
    }

    fn write(&self, secrets: &BTreeMap<String, String>) -> Result<(), SecretStoreError> {
        let body = toml::to_string(secrets).map_err(|e| SecretStoreError::Invalid {
            path: self.path.clone(),
            reason: e.to_string(),
        })?;
        crate::config_file::write_atomically(
            &self.path,
            &format!("{FILE_HEADER}{body}"),
            crate::config_file::FileMode::Private,
        )?;
        Ok(())
    }

    fn get(&self, name: &str) -> Result<Option<Secret>, SecretStoreError> {
        let _one = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        Ok(self.read()?.remove(name).map(Secret::new))
    }

    fn set(&self, name: &str, value: &Secret) -> Result<(), SecretStoreError> {
        let _one = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut secrets = self.read()?;
        if secrets.get(name).map(String::as_str) == Some(value.expose()) {
            return Ok(());
        }
        secrets.insert(name.to_owned(), value.expose().to_owned());
        self.write(&secrets)
    }

    fn delete(&self, name: &str) -> Result<(), SecretStoreError> {
        let _one = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut secrets = self.read()?;
        if secrets.remove(name).is_some() {
            self.write(&secrets)?;
        }
        Ok(())
    }
}

/// A JSON file of the data directory (`relay.json`) whose secret members live in a store: on
/// disk the members named in `fields` are replaced by `"secrets": NAME`, and the store keeps
/// them as one JSON object under `NAME` (`PREFIX.<random>`, new on every write, so the file
/// always names a complete set: the new one is stored before the file names it, the old one
/// deleted after). Without a store the file is written whole (mode 0600), as before.
pub struct JsonWithSecrets<'a> {
    /// The file.
    pub path: &'a Path,
    /// Where its secret members go, if anywhere.
    pub store: Option<&'a SecretStore>,
    /// The start of the names its secrets are stored under (`relay.keys`).
    pub prefix: &'a str,
    /// The members that are secret.
    pub fields: &'a [&'a str],
}

/// The member of a [`JsonWithSecrets`] file that names its secrets.
pub const JSON_SECRETS_KEY: &str = "secrets";

impl JsonWithSecrets<'_> {
    fn on_disk(
        &self,
    ) -> Result<Option<serde_json::Map<String, serde_json::Value>>, SecretStoreError> {
        let text = match std::fs::read_to_string(self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(DataDirError::Io {
                    path: self.path.to_owned(),
                    source,
                }
                .into());
            }
        };
        serde_json::from_str(&text).map_err(|e| SecretStoreError::Invalid {
            path: self.path.to_owned(),
            reason: e.to_string(),
        })
    }

    /// The name of the secrets the file on disk names, if it can be read and names one.
    fn named(&self) -> Option<String> {
        let object = self.on_disk().ok().flatten()?;
        object.get(JSON_SECRETS_KEY)?.as_str().map(str::to_owned)
    }

    fn invalid(&self, reason: impl Into<String>) -> SecretStoreError {
        SecretStoreError::Invalid {
            path: self.path.to_owned(),
            reason: reason.into(),
        }
    }

    /// The file's object with its secrets put back; `None` when there is no file. A file that
    /// still holds secrets in clear has them moved into the store (and is rewritten).
    pub fn read(&self) -> Result<Option<serde_json::Value>, SecretStoreError> {
        let Some(mut object) = self.on_disk()? else {
            return Ok(None);
        };
        match object.remove(JSON_SECRETS_KEY) {
            Some(serde_json::Value::String(name)) => {
                let store = self
                    .store
                    .ok_or_else(|| self.invalid("names secrets, but no secret store is open"))?;
                let blob = store.get(&name)?.ok_or_else(|| {
                    self.invalid(format!(
                        "the secrets {name:?} are not in the {}",
                        store.describe()
                    ))
                })?;
                let secrets: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(blob.expose()).map_err(|_| {
                        self.invalid(format!("the secrets {name:?} are not a JSON object"))
                    })?;
                object.extend(secrets);
                Ok(Some(serde_json::Value::Object(object)))
            }
            Some(_) => Err(self.invalid("`secrets` is not a name")),
            None => {
                let value = serde_json::Value::Object(object);
                let in_clear = self.fields.iter().any(|f| value.get(f).is_some());
                if in_clear && let Some(store) = self.store {
                    self.write(&value)?;
                    tracing::info!(
                        "moved the secrets of {} into the {}",
                        self.path.display(),
                        store.describe()
                    );
                }
                Ok(Some(value))
            }
        }
    }

    /// Saves `value` (an object): its secret members into the store, the rest into the file.
    pub fn write(&self, value: &serde_json::Value) -> Result<(), SecretStoreError> {
        let Some(object) = value.as_object() else {
            return Err(self.invalid("not a JSON object"));
        };
        let Some(store) = self.store else {
            let text =
                serde_json::to_string_pretty(value).map_err(|e| self.invalid(e.to_string()))?;
            crate::config_file::write_atomically(
                self.path,
                &text,
                crate::config_file::FileMode::Private,
            )?;
            return Ok(());
        };
        let before = self.named();
        let mut rest = object.clone();
        let mut secrets = serde_json::Map::new();
        for field in self.fields {
            if let Some(v) = rest.remove(*field) {
                secrets.insert((*field).to_owned(), v);
            }
        }
        let mut nonce = [0u8; 4];
        getrandom::fill(&mut nonce).map_err(|e| DataDirError::Random(e.to_string()))?;
        let name = format!("{}.{:08x}", self.prefix, u32::from_le_bytes(nonce));
        let blob = serde_json::Value::Object(secrets).to_string();
        store.set(&name, &Secret::new(blob))?;
        rest.insert(JSON_SECRETS_KEY.to_owned(), serde_json::Value::String(name));
        let text = serde_json::to_string_pretty(&rest).map_err(|e| self.invalid(e.to_string()))?;
        crate::config_file::write_atomically(
            self.path,
            &text,
            crate::config_file::FileMode::Private,
        )?;
        if let Some(old) = before
            && let Err(e) = store.delete(&old)
        {
            tracing::warn!(
                "secrets no longer named by {} stay: {e}",
                self.path.display()
            );
        }
        Ok(())
    }

    /// Deletes the file and the secrets it names.
    pub fn remove(&self) -> Result<(), SecretStoreError> {
        let named = self.named();
        match std::fs::remove_file(self.path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(DataDirError::Io {
                    path: self.path.to_owned(),
                    source,
                }
                .into());
            }
        }
        if let (Some(name), Some(store)) = (named, self.store) {
            store.delete(&name)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
