//! Pairing: `POST /v1/channels` creates a channel for a desktop's public key and returns its
//! id and subscriber token (only the token's SHA-256 is kept); `POST
//! /v1/channels/{id}/key/challenge` and `PUT /v1/channels/{id}/key` rotate the key, which needs
//! the token *and* proof of the current private key (the desktop opens a random challenge
//! sealed to it); `DELETE /v1/channels/{id}` unpairs. All but pairing need the token.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::RelayState;
use crate::envelope::{self, PublicKey};
use crate::error::HttpError;
use crate::pairing::Refused;
use crate::queue::ChannelRecord;
use crate::queue::KeyChallenge;

/// The pairing request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyBody {
    /// The desktop's X25519 public key, URL-safe base64 without padding.
    pub public_key: String,
}

/// The key rotation request: the new key and the proof of the current one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotateBody {
    /// The new X25519 public key, URL-safe base64 without padding.
    pub public_key: String,
    /// The id from `POST /v1/channels/{id}/key/challenge`.
    #[serde(default)]
    pub challenge_id: Option<String>,
    /// [`envelope::key_proof`] of the opened challenge, the channel and the new key.
    #[serde(default)]
    pub proof: Option<String>,
}

/// A key challenge: random bytes sealed to the channel's current key.
#[derive(Serialize)]
pub struct ChallengeAnswer {
    /// Names the challenge in the `PUT`.
    pub challenge_id: String,
    /// The sealed secret, standard base64 (HPKE, as envelopes, `info` = `hookbell-relay/v1 key
    /// challenge`, associated data = `{channel_id}/{challenge_id}`).
    pub sealed: String,
    /// Seconds the challenge can be answered in.
    pub expires_in: u64,
}

/// What refusing a key change without proof says.
const NEEDS_PROOF: &str = "replacing a channel's key needs proof of its current key, not the token alone: \
POST /v1/channels/{id}/key/challenge, open the sealed challenge with the current private key, \
and send {\"public_key\", \"challenge_id\", \"proof\"}";

/// The pairing answer.
#[derive(Serialize)]
pub struct Paired {
    /// The channel's id: the ingest URLs are `/h/{channel_id}/{source_id}`.
    pub channel_id: String,
    /// The subscriber token for the stream (shown once; the relay keeps only its hash).
    pub token: String,
    /// The relay's nodes (`[pairing] node_url` of each live node), when it says; the desktop
    /// streams from one of them when the URL it paired with is unreachable.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<String>,
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
pub async fn authorize(
    state: &RelayState,
    channel_id: &str,
    headers: &HeaderMap,
) -> Result<ChannelRecord, HttpError> {
    let Some(record) = state.backend().channel(channel_id).await? else {
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

/// What refusing a pairing says.
const NEEDS_CODE: &str = "this relay pairs only desktops that show its operator's pairing secret or \
an invite code (Authorization: Bearer <code>); ask the relay's operator for an invite";

/// `POST /v1/channels`: needs the operator's secret or an invite (`Authorization: Bearer`),
/// unless pairing is open. The key is checked first, so a malformed request spends no invite.
pub async fn create(
    State(state): State<RelayState>,
    headers: HeaderMap,
    body: Result<Json<KeyBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Paired>), HttpError> {
    let key = parse_key(body)?;
    let code = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let admitted = match state.pairing().admit(code).await {
        Ok(admitted) => admitted,
        Err(refused) => {
            state
                .metrics()
                .refused_pairing
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Err(match refused {
                Some(Refused::Missing) => HttpError::new(StatusCode::UNAUTHORIZED, NEEDS_CODE),
                Some(Refused::Wrong) => {
                    tracing::warn!("pairing with a wrong, used or expired code refused");
                    HttpError::new(
                        StatusCode::UNAUTHORIZED,
                        "this code is not the relay's pairing secret nor a live invite (an \
                         invite works once, until it expires); ask the relay's operator for a new one",
                    )
                }
                None => HttpError::retry(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the relay could not check the invite; retry shortly",
                    5,
                ),
            });
        }
    };
    let channel_id = hex::encode(random(16)?);
    let token = format!("hbr_{}", URL_SAFE_NO_PAD.encode(random(32)?));
    let record = ChannelRecord {
        id: channel_id.clone(),
        public_key: key.to_base64(),
        token_sha256: token_hash(&token),
        created_at: chrono::Utc::now(),
    };
    state.backend().put_channel(record).await?;
    tracing::info!(channel = %channel_id, by = ?admitted, "channel paired");
    let nodes = node_urls(&state).await;
    Ok((
        StatusCode::CREATED,
        Json(Paired {
            channel_id,
            token,
            nodes,
        }),
    ))
}

/// This node's URL and the other live nodes' (best effort: a failed read lists this one).
async fn node_urls(state: &RelayState) -> Vec<String> {
    let mut nodes = match tokio::time::timeout(
        std::time::Duration::from_secs(2),
        state.backend().nodes(),
    )
    .await
    {
        Ok(Ok(nodes)) => nodes,
        _ => Vec::new(),
    };
    if let Some(own) = &state.config().pairing.node_url
        && !nodes.contains(own)
    {
        nodes.push(own.clone());
        nodes.sort();
    }
    nodes
}

/// `POST /v1/channels/{channel_id}/key/challenge`
pub async fn challenge(
    State(state): State<RelayState>,
    Path(channel_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<ChallengeAnswer>, HttpError> {
    let record = authorize(&state, &channel_id, &headers).await?;
    let key = PublicKey::from_base64(&record.public_key)
        .map_err(|e| HttpError::from(crate::error::RelayError::from(e)))?;
    let challenge_id = hex::encode(random(16)?);
    let secret = random(32)?;
    let sealed = envelope::seal_challenge(&key, &channel_id, &challenge_id, &secret)
        .map_err(|e| HttpError::from(crate::error::RelayError::from(e)))?;
    let expires_at = chrono::Utc::now()
        + chrono::Duration::from_std(super::CHALLENGE_TTL).unwrap_or(chrono::Duration::minutes(5));
    // In the registry, not this process: the `PUT` answering it may reach another node.
    state
        .backend()
        .put_challenge(
            &channel_id,
            KeyChallenge {
                id: challenge_id.clone(),
                secret_hex: hex::encode(&secret),
                public_key: record.public_key,
                expires_at,
            },
        )
        .await?;
    Ok(Json(ChallengeAnswer {
        challenge_id,
        sealed: base64::engine::general_purpose::STANDARD.encode(sealed),
        expires_in: super::CHALLENGE_TTL.as_secs(),
    }))
}

/// `PUT /v1/channels/{channel_id}/key`: the token and proof of the current key.
pub async fn rotate(
    State(state): State<RelayState>,
    Path(channel_id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<RotateBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, HttpError> {
    let mut record = authorize(&state, &channel_id, &headers).await?;
    let Json(body) = body.map_err(|e| {
        HttpError::bad_request(format!(
            "expected {{\"public_key\", \"challenge_id\", \"proof\"}}: {}",
            e.body_text()
        ))
    })?;
    let new_key = PublicKey::from_base64(&body.public_key)
        .map_err(|e| HttpError::bad_request(e.to_string()))?;
    let (Some(challenge_id), Some(proof)) = (body.challenge_id, body.proof) else {
        tracing::warn!(channel = %channel_id, "key change without proof refused");
        return Err(HttpError::new(StatusCode::FORBIDDEN, NEEDS_PROOF));
    };
    // Single use: taken whatever the outcome.
    let Some(challenge) = state.backend().take_challenge(&channel_id).await? else {
        return Err(HttpError::new(
            StatusCode::FORBIDDEN,
            "no open key challenge for this channel (expired, used, or never asked): ask for a new one",
        ));
    };
    let secret = hex::decode(&challenge.secret_hex).unwrap_or_default();
    let expected = envelope::key_proof(&secret, &channel_id, &new_key);
    let fresh = challenge.expires_at > chrono::Utc::now();
    let same_key = challenge.public_key == record.public_key;
    let matches = challenge.id == challenge_id
        && bool::from(expected.as_bytes().ct_eq(proof.trim().as_bytes()));
    if !(fresh && same_key && matches) {
        tracing::warn!(channel = %channel_id, "key change with a wrong proof refused");
        return Err(HttpError::new(
            StatusCode::FORBIDDEN,
            "the proof of the current key does not check out (wrong key, wrong challenge, or expired): ask for a new challenge",
        ));
    }
    record.public_key = new_key.to_base64();
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
    authorize(&state, &channel_id, &headers).await?;
    state.backend().delete_channel(&channel_id).await?;
    tracing::info!(channel = %channel_id, "channel unpaired");
    Ok(StatusCode::NO_CONTENT)
}
