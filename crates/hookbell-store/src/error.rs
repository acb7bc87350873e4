//! The store's error type: small enough for callers to match on.

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database itself failed (I/O, corruption detected by sled).
    #[error("database error: {0}")]
    Db(#[from] sled::Error),
    /// A stored record could not be read back.
    #[error("stored record {key} is unreadable: {reason}")]
    Corrupt {
        /// The key.
        key: String,
        /// Why.
        reason: String,
    },
    /// The data directory was written by a newer Hookbell.
    #[error(
        "the data directory has schema version {found}, newer than this Hookbell understands ({supported}); upgrade Hookbell"
    )]
    NewerSchema {
        /// Version on disk.
        found: u32,
        /// Version this build writes.
        supported: u32,
    },
    /// The writer thread has stopped (the store is shutting down).
    #[error("the store is closed")]
    Closed,
    /// A query argument is not usable.
    #[error("{0}")]
    BadQuery(String),
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
