//! `ANY /h/{channel_id}/{source_id}`: a provider's delivery. The exact request (method, path,
//! query, headers in order, body bytes, receive time) is sealed to the channel's key at once,
//! appended to the queue, and answered 202 only once durable. Only the sealed bytes and
//! metadata (source id, size, time) are kept or logged.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, Path, Request, State};
use axum::http::{StatusCode, header};
use chrono::Utc;
use serde::Serialize;

use super::RelayState;
use crate::envelope::{self, B64, PublicKey, RelayedRequest};
use crate::error::HttpError;
use crate::queue::NewEnvelope;

/// Seconds a provider is told to wait when a channel's quota is used up.
const QUOTA_RETRY_SECS: u64 = 60;

/// 503 with `Retry-After`: the relay's store as a whole is full (its global byte quota or its
/// disk's free-space floor); nothing was accepted.
fn storage_full() -> HttpError {
    HttpError::retry(
        StatusCode::SERVICE_UNAVAILABLE,
        "the relay's store is full; nothing was accepted, retry later",
        crate::error::STORAGE_RETRY_SECS,
    )
}

/// The answer to an accepted delivery.
#[derive(Serialize)]
pub struct Accepted {
    /// The envelope's id.
    pub envelope_id: String,
    /// Its place in the channel's queue.
    pub seq: u64,
}

/// Whether reading the body failed because it came slower than `body_timeout_secs`.
fn body_timed_out(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = e.source();
    }
    false
}

/// Receive a provider's delivery for a channel.
pub async fn receive(
    State(state): State<RelayState>,
    Path((channel_id, source_id)): Path<(String, String)>,
    request: Request,
) -> Result<(StatusCode, Json<Accepted>), HttpError> {
    let received_at = Utc::now();
    let metrics = state.metrics();
    let unknown = || {
        metrics.refused_unknown.fetch_add(1, Ordering::Relaxed);
        HttpError::not_found("no such channel; the desktop pairs with the relay to get one")
    };
    if state
        .backend()
        .channel_for_delivery(&channel_id)
        .await?
        .is_none()
    {
        return Err(unknown());
    }
    if !hookbell_core::config::is_valid_source_id(&source_id) {
        return Err(HttpError::not_found("not a valid source id"));
    }
    let limits = &state.config().limits;
    let max = limits.max_body_bytes;
    let too_large = || {
        metrics.refused_too_large.fetch_add(1, Ordering::Relaxed);
        HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than this relay accepts ({max} bytes)"),
        )
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let over_quota = || {
        metrics.refused_quota.fetch_add(1, Ordering::Relaxed);
        HttpError::retry(
            StatusCode::TOO_MANY_REQUESTS,
            "this desktop has too much waiting; retry later",
            QUOTA_RETRY_SECS,
        )
    };
    // A backend that enforces the count itself (NATS: per subject, atomically on every node)
    // refuses the append instead.
    if !state.backend().enforces_channel_quota() {
        let depth = state.backend().depth(&channel_id).await?;
        if depth.count >= limits.max_queued_per_channel {
            return Err(over_quota());
        }
    }
    // Bytes: the channel's quota (429, like the count), then the store as a whole: the free
    // space kept on the disk and the quota over all channels (503). Refused deliveries are
    // never acknowledged: the provider retries.
    let usage = state.backend().usage(&channel_id).await?;
    let incoming = declared.unwrap_or(0);
    if usage.channel_bytes + incoming > limits.max_queued_bytes_per_channel {
        return Err(over_quota());
    }
    if let Some(free) = usage.free_disk
        && free < limits.min_free_disk_bytes.saturating_add(incoming)
    {
        metrics.refused_disk_floor.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(
            free,
            floor = limits.min_free_disk_bytes,
            "refusing deliveries: the data directory's disk is nearly full"
        );
        return Err(storage_full());
    }
    if usage.total_bytes + incoming > limits.max_queued_bytes_total
        && usage.channel_bytes + incoming >= limits.reserved_bytes_per_channel
    {
        metrics.refused_global_quota.fetch_add(1, Ordering::Relaxed);
        return Err(storage_full());
    }

    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.to_string());
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let headers: Vec<(String, B64)> = request
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), B64(value.as_bytes().to_vec())))
        .collect();
    let body = Bytes::from_request(request, &state)
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else if body_timed_out(&rejection) {
                metrics.refused_slow_body.fetch_add(1, Ordering::Relaxed);
                HttpError::retry(
                    StatusCode::REQUEST_TIMEOUT,
                    format!(
                        "the body came too slowly (more than {} s); send it again",
                        limits.body_timeout_secs
                    ),
                    1,
                )
            } else {
                HttpError::bad_request("could not read the body")
            }
        })?;
    let size = body.len();
    // The channel as it is now that the body is in (which may have taken up to the body
    // timeout): one deleted meanwhile takes nothing, and a new key seals. From here to the
    // stored envelope is short enough for what the backend allows a deleted channel (NATS:
    // purged again after the record copy's age and a publish's longest retries).
    let channel = state
        .backend()
        .channel_for_delivery(&channel_id)
        .await?
        .ok_or_else(unknown)?;

    let envelope_id = state.next_id();
    let relayed = RelayedRequest {
        v: 1,
        envelope_id: envelope_id.clone(),
        channel_id: channel_id.clone(),
        source_id: source_id.clone(),
        received_at,
        method,
        path,
        query,
        headers,
        peer,
        body: B64(body.to_vec()),
    };
    let key = PublicKey::from_base64(&channel.public_key).map_err(|e| {
        tracing::error!(channel = %channel_id, error = %e, "stored key unusable");
        HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the channel's key is unusable",
        )
    })?;
    let sealed = envelope::seal(&key, &relayed).map_err(|e| {
        tracing::error!(error = %e, "sealing failed");
        HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not seal the delivery",
        )
    })?;
    drop(relayed);
    let seq = match state
        .backend()
        .append_sealed(
            &channel_id,
            NewEnvelope {
                id: envelope_id.clone(),
                source_id: source_id.clone(),
                received_at,
                sealed,
            },
        )
        .await
    {
        Ok(seq) => seq,
        Err(crate::error::RelayError::QuotaFull) => return Err(over_quota()),
        Err(crate::error::RelayError::StorageFull) => {
            metrics.refused_global_quota.fetch_add(1, Ordering::Relaxed);
            return Err(storage_full());
        }
        Err(e) => return Err(e.into()),
    };
    metrics.deliveries.fetch_add(1, Ordering::Relaxed);
    metrics.bytes.fetch_add(size as u64, Ordering::Relaxed);
    tracing::debug!(channel = %channel_id, source = %source_id, bytes = size, seq, envelope = %envelope_id, "delivery sealed and queued");
    Ok((StatusCode::ACCEPTED, Json(Accepted { envelope_id, seq })))
}
