//! `POST /hooks/{source_id}`: the door providers knock on. The handler turns the HTTP request
//! into a [`Delivery`] (exact body bytes, ordered headers) and hands it to the engine.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::post;
use chrono::Utc;
use hookbell_core::{Delivery, Headers};
use serde::Serialize;

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The answer to an accepted delivery.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Accepted {
    /// The stored delivery's id.
    pub delivery_id: String,
    /// The ids of the alerts it carried (new or repeated).
    pub alerts: Vec<String>,
    /// True when every alert was already known: nothing new, no notification.
    pub duplicate: bool,
}

/// The `/hooks` routes, with their body limit and per-peer rate limit.
pub fn router(state: &AppState) -> Router<AppState> {
    let max_body = state.engine.config().server.max_body_bytes;
    Router::new()
        .route("/hooks/{source_id}", post(receive))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
}

/// Receive a provider's delivery.
#[utoipa::path(
    post,
    path = "/hooks/{source_id}",
    tag = "hooks",
    params(("source_id" = String, Path, description = "The source's id from hookbell.toml")),
    request_body(content = Object, description = "The provider's payload, as raw bytes (usually JSON)", content_type = "application/json"),
    responses(
        (status = 200, description = "Stored durably (new, duplicate, or unrecognized)", body = Accepted),
        (status = 400, description = "Authenticated but unreadable (not JSON, not UTF-8, too deep); kept in quarantine as scrubbed text", body = ErrorBody),
        (status = 401, description = "Authentication missing or wrong, or a stale timestamp", body = ErrorBody),
        (status = 403, description = "Sent by a web browser (Origin or Sec-Fetch-* present); nothing stored", body = ErrorBody),
        (status = 404, description = "No such source", body = ErrorBody),
        (status = 413, description = "Body over max_body_bytes", body = ErrorBody),
        (status = 429, description = "Too many requests from this peer; see Retry-After", body = ErrorBody),
    )
)]
pub async fn receive(
    State(state): State<AppState>,
    Path(source_id): Path<String>,
    request: Request,
) -> Result<Json<Accepted>, ApiError> {
    let received_at = Utc::now();
    let Some(source) = state.engine.source(&source_id) else {
        return Err(ApiError::not_found(format!(
            "no source named {:?} is configured; add it to hookbell.toml",
            source_id.chars().take(64).collect::<String>()
        )));
    };
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let headers: Headers = request
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect();
    let max = state.engine.config().server.max_body_bytes;
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the body is larger than this server accepts ({max} bytes; see server.max_body_bytes)"
            ),
        )
    };
    // Refuse a declared oversize body before waiting for it.
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let body = Bytes::from_request(request, &state)
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                ApiError::bad_request(format!(
                    "could not read the body: {}",
                    rejection.body_text()
                ))
            }
        })?;
    let delivery = Delivery {
        source_id: source.id,
        received_at,
        peer,
        headers,
        body: body.to_vec(),
    };
    let outcome = state.engine.ingest(delivery).await?;
    Ok(Json(Accepted {
        delivery_id: outcome.delivery_id,
        alerts: outcome.alert_ids,
        duplicate: outcome.duplicate,
    }))
}

/// Refuses a peer that sends faster than `server.rate_limit` allows, with `Retry-After`.
async fn rate_limit(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        let ip = peer.ip();
        if let Err(not_until) = state.limiter.check_key(&ip) {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            let secs = wait.max(Duration::from_secs(1)).as_secs_f64().ceil() as u64;
            let mut err = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many deliveries from {ip}; retry in {secs} s"),
            );
            err.retry_after = Some(secs);
            return Err(err);
        }
        // Forget idle peers now and then so the table stays small.
        if state.limiter.len() > 10_000 {
            let started = Instant::now();
            state.limiter.retain_recent();
            tracing::debug!(elapsed = ?started.elapsed(), "rate limiter pruned");
        }
    }
    Ok(next.run(request).await)
}
