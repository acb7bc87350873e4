//! Logs go to `DATA_DIR/hookbell.log` (the About view shows where) and to stderr.

use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::MakeWriterExt;

/// Starts logging at `RUST_LOG` (default `info`) to `file` and stderr.
pub fn init(file: &Path) -> std::io::Result<()> {
    let log = OpenOptions::new().create(true).append(true).open(file)?;
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_ansi(false)
        .with_writer(Mutex::new(log).and(std::io::stderr))
        .init();
    Ok(())
}
