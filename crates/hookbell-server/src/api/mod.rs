//! The local API under `/api`: the UI's and scripts' one interface. Every request must carry
//! the bearer token and be addressed to a loopback name (against DNS rebinding).

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::state::AppState;

pub mod about;
pub mod alerts;
pub mod deliveries;
pub mod events;
pub mod openapi;
pub mod providers;
pub mod relay;
pub mod settings;
pub mod sources;
pub mod stats;

/// Every `/api` route, behind the guard.
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(alerts::router())
        .merge(stats::router())
        .merge(deliveries::router())
        .merge(sources::router())
        .merge(providers::router())
        .merge(settings::router())
        .merge(about::router())
        .merge(relay::router())
        .merge(events::router())
        .merge(openapi::router())
        .fallback(|| async { ApiError::not_found("no such API endpoint; see /api/openapi.json") })
        .layer(middleware::from_fn_with_state(state.clone(), guard))
}

/// 403 unless the request is addressed to a loopback name of this server; then 401 unless it
/// carries the token.
async fn guard(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()))
        .unwrap_or_default();
    if !state
        .allowed_hosts
        .iter()
        .any(|allowed| allowed.eq_ignore_ascii_case(host))
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "the local API answers only requests addressed to {}",
                state.allowed_hosts.join(", ")
            ),
        ));
    }
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let Some(token) = presented else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "missing `Authorization: Bearer <token>`; the token is in DATA_DIR/api-token",
        ));
    };
    if !bool::from(token.as_bytes().ct_eq(state.token.expose().as_bytes())) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "wrong API token; the token is in DATA_DIR/api-token",
        ));
    }
    Ok(next.run(request).await)
}
