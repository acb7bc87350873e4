//! The relay's error type and `Result` alias, and the HTTP error every route answers with
//! (`{"error": "..."}`, plus `Retry-After` when there is one). Messages never carry bodies,
//! headers or tokens.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// What went wrong inside the relay or its client.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// The embedded database failed.
    #[error("database: {0}")]
    Db(#[from] sled::Error),
    /// A file could not be read or written.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The config file is wrong.
    #[error("config: {0}")]
    Config(String),
    /// Something stored is not what was written.
    #[error("corrupt record: {0}")]
    Corrupt(String),
    /// No channel has this id.
    #[error("no such channel")]
    UnknownChannel,
    /// The queue's writer has stopped.
    #[error("the queue is closed")]
    Closed,
    /// NATS JetStream failed or could not be reached.
    #[error("nats: {0}")]
    Nats(String),
    /// The channel has as much waiting as its quota allows.
    #[error("the channel's quota is used up")]
    QuotaFull,
    /// The store as a whole is full: the relay's byte quota over all channels, or the free
    /// space kept on its disk (or the NATS servers' own storage limits).
    #[error("the relay's store is full")]
    StorageFull,
    /// Sealing or opening an envelope failed.
    #[error(transparent)]
    Envelope(#[from] crate::envelope::EnvelopeError),
}

/// Seconds a provider is told to wait when the relay's store as a whole is full (its global
/// byte quota, its disk's free-space floor): desktops draining frees room within minutes.
pub const STORAGE_RETRY_SECS: u64 = 120;

/// The crate's `Result`.
pub type Result<T, E = RelayError> = std::result::Result<T, E>;

/// An HTTP error: a status and a message for the caller.
#[derive(Debug)]
pub struct HttpError {
    /// The status.
    pub status: StatusCode,
    /// What to tell the caller.
    pub message: String,
    /// Seconds to wait before retrying (429, 503).
    pub retry_after: Option<u64>,
}

/// The JSON body of every error.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: String,
}

impl HttpError {
    /// An error with `status` and `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        HttpError {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 400.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 429 or 503 with `Retry-After`.
    pub fn retry(status: StatusCode, message: impl Into<String>, secs: u64) -> Self {
        HttpError {
            retry_after: Some(secs),
            ..Self::new(status, message)
        }
    }
}

impl From<RelayError> for HttpError {
    fn from(e: RelayError) -> Self {
        tracing::error!(error = %e, "internal error");
        match e {
            RelayError::UnknownChannel => HttpError::not_found("no such channel"),
            RelayError::QuotaFull => HttpError::retry(
                StatusCode::TOO_MANY_REQUESTS,
                "this desktop has too much waiting; retry later",
                60,
            ),
            RelayError::StorageFull => HttpError::retry(
                StatusCode::SERVICE_UNAVAILABLE,
                "the relay's store is full; nothing was accepted, retry later",
                STORAGE_RETRY_SECS,
            ),
            RelayError::Nats(_) => HttpError::retry(
                StatusCode::SERVICE_UNAVAILABLE,
                "the relay's store is unavailable; nothing was accepted, retry shortly",
                5,
            ),
            RelayError::Closed => HttpError::retry(
                StatusCode::SERVICE_UNAVAILABLE,
                "the relay is shutting down; retry shortly",
                5,
            ),
            _ => HttpError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the relay could not store this; nothing was accepted",
            ),
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(ErrorBody {
                error: self.message,
            }),
        )
            .into_response();
        if let Some(secs) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}
