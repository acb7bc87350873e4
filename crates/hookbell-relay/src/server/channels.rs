//! Pairing: `POST /v1/channels` creates a channel for a desktop's public key and returns its
//! id and subscriber token (only the token's SHA-256 is kept); `PUT /v1/channels/{id}/key`
//! rotates the key; `DELETE /v1/channels/{id}` unpairs. The last two need the token.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::RelayState;
use crate::envelope::PublicKey;
use crate::error::HttpError;
use crate::queue::ChannelRecord;

/// The pairing request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyBody {
    /// The desktop's X25519 public key, URL-safe base64 without padding.
    pub public_key: String,
}

/// The pairing answer.
#[derive(Serialize)]
pub struct Paired {
    /// The channel's id: the ingest URLs are `/h/{channel_id}/{source_id}`.
    pub channel_id: String,
    /// The subscriber token for the stream (shown once; the relay keeps only its hash).
    pub token: String,
}

/// SHA-256 of a token, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn random(n: usize) -> Result<Vec<u8>, HttpError> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes)
        .map_err(|_| HttpError::new(StatusCode::SERVICE_UNAVAILABLE, "no randomness available"))?;
    Ok(bytes)
}

fn parse_key(
    body: Result<Json<KeyBody>, axum::extract::rejection::JsonRejection>,
) -> Result<PublicKey, HttpError> {
    let Json(body) = body.map_err(|e| {
        HttpError::bad_request(format!(
            "expected {{\"public_key\": \"<X25519 key, URL-safe base64>\"}}: {}",
            e.body_text()
        ))
    })?;
    PublicKey::from_base64(&body.public_key).map_err(|e| HttpError::bad_request(e.to_string()))
}

/// Checks `Authorization: Bearer <token>` against the channel's token hash; 404 for an
/// unknown channel, 401 for a missing or wrong token.
pub fn authorize(
    state: &RelayState,
    channel_id: &str,
    headers: &HeaderMap,
) -> Result<ChannelRecord, HttpError> {
    let Some(record) = state.backend().channel(channel_id) else {
        return Err(HttpError::not_found("no such channel"));
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(token) = token else {
        return Err(HttpError::new(
            StatusCode::UNAUTHORIZED,
            "this needs Authorization: Bearer <the channel's token>",
        ));
    };
    let given = token_hash(token);
    if !bool::from(given.as_bytes().ct_eq(record.token_sha256.as_bytes())) {
        return Err(HttpError::new(
            StatusCode::UNAUTHORIZED,
            "wrong token for this channel",
        ));
    }
    Ok(record)
}

/// `POST /v1/channels`
pub async fn create(
    State(state): State<RelayState>,
    body: Result<Json<KeyBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Paired>), HttpError> {
    let key = parse_key(body)?;
    let channel_id = hex::encode(random(16)?);
    let token = format!("hbr_{}", URL_SAFE_NO_PAD.encode(random(32)?));
    let record = ChannelRecord {
        id: channel_id.clone(),
        public_key: key.to_base64(),
        token_sha256: token_hash(&token),
        created_at: chrono::Utc::now(),
    };
    state.backend().put_channel(record).await?;
    tracing::info!(channel = %channel_id, "channel paired");
    Ok((StatusCode::CREATED, Json(Paired { channel_id, token })))
}

/// `PUT /v1/channels/{channel_id}/key`
pub async fn rotate(
    State(state): State<RelayState>,
    Path(channel_id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<KeyBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, HttpError> {
    let mut record = authorize(&state, &channel_id, &headers)?;
    record.public_key = parse_key(body)?.to_base64();
    state.backend().put_channel(record).await?;
    tracing::info!(channel = %channel_id, "channel key rotated");
    Ok(Json(serde_json::json!({ "channel_id": channel_id })))
}

/// `DELETE /v1/channels/{channel_id}`
pub async fn delete(
    State(state): State<RelayState>,
    Path(channel_id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, HttpError> {
    authorize(&state, &channel_id, &headers)?;
    state.backend().delete_channel(&channel_id).await?;
    tracing::info!(channel = %channel_id, "channel unpaired");
    Ok(StatusCode::NO_CONTENT)
}
