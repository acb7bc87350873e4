//! Writing `hookbell.toml`. This module owns how the file changes on disk: read it, change the
//! parsed document (comments, order and sections nobody touched stay as they were), and put
//! the result in place atomically (a temporary file beside it, written, fsynced, renamed over
//! it, the directory fsynced), keeping the file's permission bits (0600 when new).
//!
//! It does not serialize writers by itself: the one writer is [`crate::Engine::change_config`],
//! which holds the engine's config lock across read, change, save and swap, so the sources the
//! API changes and the `[relay] url` the relay saves go through one door and cannot undo each
//! other. Nothing else writes the file after the first start.

use std::io::Write as _;
use std::path::Path;

use hookbell_core::Config;

use crate::data_dir::{DataDirError, io};
use crate::secret_store::SecretStore;

fn invalid(path: &Path, reason: String) -> DataDirError {
    DataDirError::Io {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, reason),
    }
}

/// Reads the file at `path` (an absent one counts as empty), lets `change` edit the parsed
/// document, and saves the result atomically. Nothing is written when `change` fails.
pub fn update(
    path: &Path,
    change: impl FnOnce(&mut toml_edit::DocumentMut) -> Result<(), DataDirError>,
) -> Result<(), DataDirError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io(path)(e)),
    };
    let mut doc = parse_doc(path, &text)?;
    change(&mut doc)?;
    write_atomically(path, &doc.to_string(), FileMode::Keep)
}

/// `text` (the file at `path`) as an editable document.
pub fn parse_doc(path: &Path, text: &str) -> Result<toml_edit::DocumentMut, DataDirError> {
    text.parse()
        .map_err(|e: toml_edit::TomlError| invalid(path, e.to_string()))
}

/// The permission bits [`write_atomically`] gives the new file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMode {
    /// The old file's (0600 when there is none): the owner's choice stays.
    Keep,
    /// 0600, whatever the old file had (files that hold or name secrets' keys).
    Private,
}

/// Writes the parts of `config` the desktop changes at run time (`[[sources]]` and `[relay]`)
/// into the file at `path`, keeping everything else in it as it was. Secrets go into
/// `secrets` and the file only names them (see [`set_sources`]; `previous` is what the file
/// held before, when the caller knows); secrets the file named before and no longer does are
/// deleted from `secrets` once the file is in place.
pub fn save(
    path: &Path,
    config: &Config,
    previous: Option<&[hookbell_core::SourceConfig]>,
    secrets: &SecretStore,
) -> Result<(), DataDirError> {
    let mut unused = Vec::new();
    update(path, |doc| {
        unused = set_sources(path, doc, &config.sources, previous, secrets)?;
        match &config.relay {
            Some(relay) => {
                if !doc.contains_table("relay") {
                    doc["relay"] = toml_edit::table();
                }
                doc["relay"]["url"] = toml_edit::value(relay.url.as_str());
            }
            None => {
                doc.remove("relay");
            }
        }
        Ok(())
    })?;
    for name in unused {
        if let Err(e) = secrets.delete(&name) {
            tracing::warn!("a secret no longer named in {} stays: {e}", path.display());
        }
    }
    Ok(())
}

/// Replaces the document's `[[sources]]` with `sources`, every secret in them written as a
/// reference `{ secret = "source.ID.FIELD" }` to `secrets`, where its value is stored first
/// (so the file never names a secret the store lacks). A secret unchanged since the document
/// was written keeps its name; a changed one gets a new name, so the file on disk keeps
/// naming the old value until the new file replaces it. "Unchanged" is judged against
/// `previous` (the sources the document was written from) when given, without a read from
/// the store; else against the store. Returns the names the document referred to before and
/// no longer does: the caller deletes them once the file is saved.
pub fn set_sources(
    path: &Path,
    doc: &mut toml_edit::DocumentMut,
    sources: &[hookbell_core::SourceConfig],
    previous: Option<&[hookbell_core::SourceConfig]>,
    secrets: &SecretStore,
) -> Result<Vec<String>, DataDirError> {
    let mut before = Vec::new();
    if let Some(item) = doc.get("sources") {
        references(item, "", &mut before);
    }
    // The previous secrets by where they were (`ID.FIELD`).
    let mut was = std::collections::HashMap::new();
    for source in previous.unwrap_or_default() {
        let (table, taken) = hookbell_core::secret::write_config(|| {
            toml_edit::ser::to_document(source).map_err(|e| invalid(path, e.to_string()))
        });
        let mut table = table?.as_table().clone();
        name_placeholders(&mut table, "", &mut |field, placeholder| {
            if let Some(value) = placeholder.parse::<usize>().ok().and_then(|i| taken.get(i)) {
                was.insert(format!("{}.{field}", source.id), value.clone());
            }
            None
        });
    }
    let unchanged = |at: &str, old: &str, value: &hookbell_core::Secret| match previous {
        Some(_) => was.get(at) == Some(value),
        None => matches!(secrets.get(old), Ok(Some(v)) if v == *value),
    };
    let mut named = std::collections::HashSet::new();
    let mut tables = toml_edit::ArrayOfTables::new();
    for source in sources {
        let (table, taken) = hookbell_core::secret::write_config(|| {
            toml_edit::ser::to_document(source).map_err(|e| invalid(path, e.to_string()))
        });
        let mut table = table?.as_table().clone();
        let mut failed = None;
        name_placeholders(&mut table, "", &mut |field, placeholder| {
            let Some(value) = placeholder.parse::<usize>().ok().and_then(|i| taken.get(i)) else {
                failed = Some(invalid(path, "a secret could not be named".into()));
                return None;
            };
            let base = format!("source.{}.{field}", source.id);
            let at = format!("{}.{field}", source.id);
            let old = before
                .iter()
                .find(|(where_, _)| *where_ == at)
                .map(|(_, name)| name.clone());
            let name = match old {
                Some(old) if unchanged(&at, &old, value) => old,
                _ => {
                    let taken_by_old = |n: &str| before.iter().any(|(_, name)| name == n);
                    let mut name = base.clone();
                    while taken_by_old(&name) || named.contains(&name) {
                        let mut nonce = [0u8; 4];
                        if let Err(e) = getrandom::fill(&mut nonce) {
                            failed = Some(DataDirError::Random(e.to_string()));
                            return None;
                        }
                        name = format!("{base}.{:08x}", u32::from_le_bytes(nonce));
                    }
                    if let Err(e) = secrets.set(&name, value) {
                        failed = Some(invalid(path, format!("storing a secret: {e}")));
                        return None;
                    }
                    name
                }
            };
            named.insert(name.clone());
            Some(name)
        });
        if let Some(e) = failed {
            return Err(e);
        }
        tables.push(table);
    }
    doc["sources"] = toml_edit::Item::ArrayOfTables(tables);
    Ok(before
        .into_iter()
        .map(|(_, name)| name)
        .filter(|name| !named.contains(name))
        .collect())
}

/// `{ secret = "NAME" }` as an inline table.
fn reference(name: &str) -> toml_edit::Item {
    let mut table = toml_edit::InlineTable::new();
    table.insert(hookbell_core::secret::REFERENCE_KEY, name.into());
    toml_edit::Item::Value(toml_edit::Value::InlineTable(table))
}

/// The name a `{ secret = "NAME" }` (inline or not) refers to.
fn referred(item: &toml_edit::Item) -> Option<&str> {
    let table = item.as_table_like()?;
    if table.len() != 1 {
        return None;
    }
    table.get(hookbell_core::secret::REFERENCE_KEY)?.as_str()
}

/// Every reference under `item`, with where it is (`enzoic.auth.password`: a source's id).
fn references(item: &toml_edit::Item, at: &str, found: &mut Vec<(String, String)>) {
    if let Some(name) = referred(item) {
        found.push((at.to_owned(), name.to_owned()));
        return;
    }
    let join = |key: &str| {
        if at.is_empty() {
            key.to_owned()
        } else {
            format!("{at}.{key}")
        }
    };
    if let Some(tables) = item.as_array_of_tables() {
        for (i, table) in tables.iter().enumerate() {
            let id = table
                .get("id")
                .and_then(|id| id.as_str())
                .map_or_else(|| format!("[{i}]"), str::to_owned);
            for (key, child) in table.iter() {
                references(child, &format!("{id}.{key}"), found);
            }
        }
    } else if let Some(table) = item.as_table_like() {
        for (key, child) in table.iter() {
            references(child, &join(key), found);
        }
    }
}

/// Replaces every placeholder reference under `table` by `{ secret = name(field, index) }`.
fn name_placeholders(
    table: &mut toml_edit::Table,
    at: &str,
    name: &mut dyn FnMut(&str, &str) -> Option<String>,
) {
    for (key, child) in table.iter_mut() {
        let field = if at.is_empty() {
            key.get().to_owned()
        } else {
            format!("{at}.{}", key.get())
        };
        name_item(child, &field, name);
    }
}

fn name_item(
    item: &mut toml_edit::Item,
    field: &str,
    name: &mut dyn FnMut(&str, &str) -> Option<String>,
) {
    if let Some(placeholder) = referred(item)
        .and_then(|n| n.strip_prefix(hookbell_core::secret::PLACEHOLDER_PREFIX))
        .map(str::to_owned)
    {
        // A secret that cannot be named is never written: the item is emptied and the
        // caller reports the failure.
        *item = match name(field, &placeholder) {
            Some(n) => reference(&n),
            None => toml_edit::Item::None,
        };
        return;
    }
    match item {
        toml_edit::Item::Table(table) => name_placeholders(table, field, name),
        toml_edit::Item::Value(toml_edit::Value::InlineTable(table)) => {
            for (key, child) in table.iter_mut() {
                let mut child_item = toml_edit::Item::Value(child.clone());
                name_item(&mut child_item, &format!("{field}.{}", key.get()), name);
                if let toml_edit::Item::Value(v) = child_item {
                    *child = v;
                }
            }
        }
        _ => {}
    }
}

/// Puts `contents` at `path` atomically: a reader sees the old file or the new one, never a
/// mix, and a crash leaves one of the two. The new file's permission bits are `mode`'s.
pub fn write_atomically(path: &Path, contents: &str, mode: FileMode) -> Result<(), DataDirError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config".into());
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| DataDirError::Random(e.to_string()))?;
    let tmp = dir.join(format!(".{name}.{:016x}.tmp", u64::from_le_bytes(nonce)));
    #[cfg(unix)]
    let mode = match mode {
        FileMode::Keep => {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(path)
                .map(|m| m.permissions().mode() & 0o7777)
                .unwrap_or(0o600)
        }
        FileMode::Private => 0o600,
    };
    #[cfg(not(unix))]
    let _ = mode;
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp).map_err(io(&tmp))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // The umask does not apply here: the bits are exactly `mode`.
            file.set_permissions(std::fs::Permissions::from_mode(mode))
                .map_err(io(&tmp))?;
        }
        file.write_all(contents.as_bytes()).map_err(io(&tmp))?;
        file.sync_all().map_err(io(&tmp))?;
        std::fs::rename(&tmp, path).map_err(io(path))
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return written;
    }
    // The rename itself is durable once the directory is.
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Knowing the previous sources, a save judges "unchanged" in memory: not one read of the
    /// store (here secrets.toml no longer parses, so any read would fail the save).
    #[test]
    fn a_save_that_knows_the_previous_sources_does_not_read_the_store() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join(crate::data_dir::CONFIG_FILE);
        let secrets = SecretStore::file(dir.path());
        let config =
            crate::data_dir::load_config(&path, &secrets).unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join(crate::secret_store::SECRETS_FILE);
        let kept = std::fs::read_to_string(&file).unwrap_or_default();
        std::fs::write(&file, "not = [toml").unwrap_or_else(|e| panic!("{e}"));
        let mut changed = config.clone();
        changed.relay = Some(hookbell_core::config::RelayConfig {
            url: "https://relay.example.org".into(),
        });
        save(&path, &changed, Some(&config.sources), &secrets).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            save(&path, &changed, None, &secrets).is_err(),
            "without them, the store is read"
        );
        std::fs::write(&file, kept).unwrap_or_else(|e| panic!("{e}"));
        let again = crate::data_dir::load_config(&path, &secrets).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, changed);
    }

    #[test]
    fn an_atomic_write_keeps_the_mode_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("hookbell.toml");
        write_atomically(&path, "a = 1\n", FileMode::Keep).unwrap_or_else(|e| panic!("{e}"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| {
                std::fs::metadata(p)
                    .map(|m| m.permissions().mode() & 0o777)
                    .unwrap_or(0)
            };
            assert_eq!(mode(&path), 0o600, "a new file is private");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640))
                .unwrap_or_else(|e| panic!("{e}"));
            update(&path, |doc| {
                doc["b"] = toml_edit::value(2);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(mode(&path), 0o640, "the owner's choice of mode stays");
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(text.contains("a = 1") && text.contains("b = 2"), "{text}");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 1, "{left:?}");
    }
}
