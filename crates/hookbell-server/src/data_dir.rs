//! The data directory: where the config, the API token and the store live, and how they are
//! created at first start.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use hookbell_core::{Config, Secret};

/// The config file's name inside the data directory.
pub const CONFIG_FILE: &str = "hookbell.toml";
/// The API token file's name inside the data directory.
pub const TOKEN_FILE: &str = "api-token";
/// The store's directory inside the data directory.
pub const STORE_DIR: &str = "store";

/// What can go wrong preparing the data directory.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// Which file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The config file is not valid.
    #[error("{path}: {source}")]
    Config {
        /// Which file.
        path: PathBuf,
        /// What is wrong.
        source: hookbell_core::config::ConfigError,
    },
    /// No random bytes could be had for a token or secret.
    #[error("no randomness available: {0}")]
    Random(String),
}

/// Names `path` in an I/O error.
pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DataDirError + '_ {
    move |source| DataDirError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The platform's data directory for Hookbell (`~/.local/share/hookbell` on Linux).
pub fn default_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("hookbell");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    if cfg!(target_os = "macos") {
        home.join("Library/Application Support/hookbell")
    } else if cfg!(windows) {
        std::env::var_os("APPDATA")
            .map(PathBuf::from)
            .unwrap_or(home)
            .join("hookbell")
    } else {
        home.join(".local/share/hookbell")
    }
}

fn random_bytes(n: usize) -> Result<Vec<u8>, DataDirError> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| DataDirError::Random(e.to_string()))?;
    Ok(bytes)
}

/// `n` random bytes, URL-safe base64 without padding (fit for a URL fragment).
fn random_token(n: usize) -> Result<String, DataDirError> {
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(n)?))
}

/// A fresh Standard Webhooks secret: `whsec_` and 24 random bytes in standard base64.
pub fn new_whsec() -> Result<String, DataDirError> {
    Ok(format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(random_bytes(24)?)
    ))
}

/// Writes `contents` to a new file readable by its owner only.
pub(crate) fn write_private(path: &Path, contents: &str) -> Result<(), DataDirError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io(path))?;
    file.write_all(contents.as_bytes()).map_err(io(path))?;
    file.sync_all().map_err(io(path))
}

/// Creates `dir` (owner-only) if needed.
pub fn ensure_dir(dir: &Path) -> Result<(), DataDirError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io(dir))?;
    }
    Ok(())
}

/// The one line in the file at `path`, or, when it is missing or empty, `make()`'s, written
/// there first (mode 0600).
pub(crate) fn read_or_create(
    path: &Path,
    make: impl FnOnce() -> Result<String, DataDirError>,
) -> Result<String, DataDirError> {
    match std::fs::read_to_string(path) {
        Ok(line) if !line.trim().is_empty() => return Ok(line.trim().to_owned()),
        Ok(_) => std::fs::remove_file(path).map_err(io(path))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(path)(e)),
    }
    let line = make()?;
    write_private(path, &format!("{line}\n"))?;
    Ok(line)
}

/// The API token from `DIR/api-token`, created (mode 0600) at first start.
pub fn api_token(dir: &Path) -> Result<Secret, DataDirError> {
    read_or_create(&dir.join(TOKEN_FILE), || random_token(32)).map(Secret::new)
}

/// Reads the config at `path`, creating it with defaults (and a fresh test secret, stored in
/// `secrets`) when missing. Secrets the file names are looked up in `secrets`; secrets written
/// out in it (by hand, or by a version before secrets moved out) are moved into `secrets` and
/// the file is rewritten without them.
pub fn load_config(
    path: &Path,
    secrets: &crate::secret_store::SecretStore,
) -> Result<Config, DataDirError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                ensure_dir(parent)?;
            }
            first_start_file(path, secrets)?
        }
        Err(e) => return Err(io(path)(e)),
    };
    let (config, plain) = resolve(path, &text, secrets)?;
    if plain > 0 {
        crate::config_file::save(path, &config, None, secrets)?;
        tracing::info!(
            "moved {plain} secret(s) out of {} into the {}",
            path.display(),
            secrets.describe()
        );
    }
    Ok(config)
}

/// Reads the config at `path` and looks its secrets up in `secrets`, writing nothing: no
/// first-start file, no secrets moved out of it (for a second process beside the running
/// engine, such as `hookbelld send-test`: the engine is the one writer).
pub fn read_config(
    path: &Path,
    secrets: &crate::secret_store::SecretStore,
) -> Result<Config, DataDirError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    resolve(path, &text, secrets).map(|(config, _)| config)
}

/// The config in `text` (from `path`), its secrets looked up; how many were written in clear.
fn resolve(
    path: &Path,
    text: &str,
    secrets: &crate::secret_store::SecretStore,
) -> Result<(Config, usize), DataDirError> {
    let (config, plain) =
        hookbell_core::secret::read_config(secrets.resolver(), || Config::from_toml(text));
    let config = config.map_err(|source| DataDirError::Config {
        path: path.to_owned(),
        source,
    })?;
    Ok((config, plain))
}

/// Writes the first-start config at `path` (mode 0600), its test secret already in `secrets`.
fn first_start_file(
    path: &Path,
    secrets: &crate::secret_store::SecretStore,
) -> Result<String, DataDirError> {
    let text = Config::first_start_file(&new_whsec()?);
    let config = Config::from_toml(&text).map_err(|source| DataDirError::Config {
        path: path.to_owned(),
        source,
    })?;
    let mut doc = crate::config_file::parse_doc(path, &text)?;
    crate::config_file::set_sources(path, &mut doc, &config.sources, None, secrets)?;
    let text = doc.to_string();
    crate::config_file::write_atomically(path, &text, crate::config_file::FileMode::Private)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_start_creates_private_token_and_config() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let token = api_token(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert!(token.expose().len() >= 40);
        assert_eq!(
            api_token(dir.path()).ok().map(|t| t.expose().to_owned()),
            Some(token.expose().to_owned())
        );
        let secrets = crate::secret_store::SecretStore::file(dir.path());
        let config =
            load_config(&dir.path().join(CONFIG_FILE), &secrets).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.sources[0].id, "test");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for file in [TOKEN_FILE, CONFIG_FILE] {
                let mode = std::fs::metadata(dir.path().join(file))
                    .map(|m| m.permissions().mode())
                    .unwrap_or(0);
                assert_eq!(mode & 0o777, 0o600, "{file}");
            }
        }
    }

    #[test]
    fn saving_sources_keeps_the_rest_of_the_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join(CONFIG_FILE);
        let secrets = crate::secret_store::SecretStore::file(dir.path());
        let mut config = load_config(&path, &secrets).unwrap_or_else(|e| panic!("{e}"));
        config.sources.push(hookbell_core::SourceConfig {
            id: "enzoic".into(),
            provider: "enzoic".into(),
            name: Some("Enzoic".into()),
            auth: hookbell_core::Auth::Basic {
                username: "KEY".into(),
                password: "S3CRET".into(),
            },
        });
        crate::config_file::save(&path, &config, None, &secrets).unwrap_or_else(|e| panic!("{e}"));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            text.starts_with("# Hookbell settings."),
            "the comments stay:\n{text}"
        );
        assert!(text.contains("# Other schemes:"), "{text}");
        assert!(!text.contains("S3CRET"), "{text}");
        let again = load_config(&path, &secrets).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, config);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0);
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn a_broken_config_names_the_file_and_the_problem() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(&path, "[server]\nlisten = 7").unwrap_or(());
        let err = load_config(&path, &crate::secret_store::SecretStore::file(dir.path()))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("hookbell.toml") && err.contains("listen"),
            "{err}"
        );
    }
}
