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

use crate::data_dir::DataDirError;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DataDirError + '_ {
    move |source| DataDirError::Io {
        path: path.to_owned(),
        source,
    }
}

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
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| invalid(path, e.to_string()))?;
    change(&mut doc)?;
    write_atomically(path, &doc.to_string())
}

/// Writes the parts of `config` the desktop changes at run time (`[[sources]]` and `[relay]`)
/// into the file at `path`, keeping everything else in it as it was.
pub fn save(path: &Path, config: &Config) -> Result<(), DataDirError> {
    update(path, |doc| {
        set_sources(path, doc, &config.sources)?;
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
    })
}

/// Replaces the document's `[[sources]]` with `sources`.
pub fn set_sources(
    path: &Path,
    doc: &mut toml_edit::DocumentMut,
    sources: &[hookbell_core::SourceConfig],
) -> Result<(), DataDirError> {
    let mut tables = toml_edit::ArrayOfTables::new();
    for source in sources {
        let table =
            toml_edit::ser::to_document(source).map_err(|e| invalid(path, e.to_string()))?;
        tables.push(table.as_table().clone());
    }
    doc["sources"] = toml_edit::Item::ArrayOfTables(tables);
    Ok(())
}

/// Puts `contents` at `path` atomically: a reader sees the old file or the new one, never a
/// mix, and a crash leaves one of the two. The new file gets the old one's permission bits.
pub fn write_atomically(path: &Path, contents: &str) -> Result<(), DataDirError> {
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
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0o600)
    };
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp).map_err(io(&tmp))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // The umask does not apply here: the bits are exactly the old file's.
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

    #[test]
    fn an_atomic_write_keeps_the_mode_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("hookbell.toml");
        write_atomically(&path, "a = 1\n").unwrap_or_else(|e| panic!("{e}"));
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
