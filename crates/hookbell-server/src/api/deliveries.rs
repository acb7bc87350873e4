//! `/api/deliveries`: raw deliveries' metadata, the quarantine among them.

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use hookbell_store::{DeliveryRecord, DeliveryStatus};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/deliveries", get(list))
        .route("/api/deliveries/{id}", get(one))
}

/// Query parameters of `GET /api/deliveries`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryParams {
    /// `accepted`, `duplicate` or `quarantined`.
    status: Option<String>,
    /// At most this many (1–500, default 100).
    limit: Option<usize>,
}

/// A list of deliveries.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeliveryList {
    /// Newest first.
    pub deliveries: Vec<DeliveryRecord>,
}

/// One delivery with its stored body.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeliveryWithBody {
    /// Its metadata.
    pub delivery: DeliveryRecord,
    /// The stored body: masked JSON for accepted deliveries, the bytes as received for
    /// quarantined ones.
    pub body: String,
    /// `utf-8`, or `base64` when the body is not text.
    pub body_encoding: String,
}

/// Deliveries' metadata and errors, newest first.
#[utoipa::path(get, path = "/api/deliveries", tag = "deliveries", params(DeliveryParams),
    responses((status = 200, body = DeliveryList), (status = 400, body = ErrorBody)),
    security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    params: Result<Query<DeliveryParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<DeliveryList>, ApiError> {
    let Query(params) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let status = params
        .status
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<DeliveryStatus>())
        .transpose()
        .map_err(ApiError::bad_request)?;
    let limit = params.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::bad_request("limit must be between 1 and 500"));
    }
    let store = state.engine.store().clone();
    let deliveries = tokio::task::spawn_blocking(move || store.deliveries(status, limit)).await??;
    Ok(Json(DeliveryList { deliveries }))
}

/// One delivery, with its stored body.
#[utoipa::path(get, path = "/api/deliveries/{id}", tag = "deliveries",
    params(("id" = String, Path, description = "Delivery id")),
    responses((status = 200, body = DeliveryWithBody), (status = 404, body = ErrorBody)),
    security(("token" = [])))]
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<DeliveryWithBody>, ApiError> {
    let (delivery, body) = state
        .engine
        .store()
        .delivery(&id)?
        .ok_or_else(|| ApiError::not_found("no delivery with that id"))?;
    let (body, body_encoding) = match String::from_utf8(body) {
        Ok(text) => (text, "utf-8"),
        Err(e) => (
            base64::engine::general_purpose::STANDARD.encode(e.as_bytes()),
            "base64",
        ),
    };
    Ok(Json(DeliveryWithBody {
        delivery,
        body,
        body_encoding: body_encoding.into(),
    }))
}
