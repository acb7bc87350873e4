//! `/api/relay`: the relay connection's status, pairing, unpairing and key rotation.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::error::{ApiError, ErrorBody, JsonBody};
use crate::relay::RelayStatus;
use crate::state::AppState;

/// The `/api/relay` routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/relay", get(status).delete(unpair))
        .route("/api/relay/pair", post(pair))
        .route("/api/relay/rotate", post(rotate))
}

/// `POST /api/relay/pair`
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairInput {
    /// The relay's base URL, e.g. `https://relay.example.com`.
    pub url: String,
    /// An invite code from the relay's operator (`hookbell-relay invite`), or the operator's
    /// pairing secret: a relay that is not open to anyone refuses pairing without one. Shown
    /// to the relay once, never stored.
    #[serde(default)]
    pub invite: Option<String>,
}

/// The relay connection's status.
#[utoipa::path(get, path = "/api/relay", tag = "relay",
    responses((status = 200, body = RelayStatus)), security(("token" = [])))]
pub async fn status(State(state): State<AppState>) -> Json<RelayStatus> {
    Json(state.relay.status())
}

/// Pairs with a relay (saved as `[relay] url`) and starts streaming from it.
#[utoipa::path(post, path = "/api/relay/pair", tag = "relay", request_body = PairInput,
    responses(
        (status = 200, body = RelayStatus),
        (status = 400, description = "Not an http(s) URL", body = ErrorBody),
        (status = 502, description = "The relay could not be reached or refused (a relay that is not open refuses pairing without an invite code or its operator's secret)", body = ErrorBody),
    ), security(("token" = [])))]
pub async fn pair(
    State(state): State<AppState>,
    JsonBody(input): JsonBody<PairInput>,
) -> Result<Json<RelayStatus>, ApiError> {
    Ok(Json(
        state
            .relay
            .pair(&input.url, input.invite.as_deref())
            .await?,
    ))
}

/// Unpairs: deletes the channel on the relay and forgets the keys and the URL.
#[utoipa::path(delete, path = "/api/relay", tag = "relay",
    responses((status = 200, body = RelayStatus)), security(("token" = [])))]
pub async fn unpair(State(state): State<AppState>) -> Result<Json<RelayStatus>, ApiError> {
    Ok(Json(state.relay.unpair().await?))
}

/// A new key pair; the relay seals new deliveries to its public half.
#[utoipa::path(post, path = "/api/relay/rotate", tag = "relay",
    responses(
        (status = 200, body = RelayStatus),
        (status = 409, description = "Not paired", body = ErrorBody),
        (status = 502, description = "The relay could not be reached or refused", body = ErrorBody),
    ), security(("token" = [])))]
pub async fn rotate(State(state): State<AppState>) -> Result<Json<RelayStatus>, ApiError> {
    Ok(Json(state.relay.rotate().await?))
}
