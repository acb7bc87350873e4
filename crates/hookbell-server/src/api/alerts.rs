//! `/api/alerts`: list, read, mark and delete alerts.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use hookbell_core::{Alert, AlertPatch, Severity, Status};
use hookbell_store::{AlertPage, AlertQuery};
use serde::Deserialize;

use crate::error::{ApiError, ErrorBody, JsonBody};
use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/alerts", get(list))
        .route("/api/alerts/{id}", get(one).patch(patch).delete(delete))
}

/// Query parameters of `GET /api/alerts`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only alerts from this source id.
    source: Option<String>,
    /// This severity and above (`info|low|medium|high|critical`).
    severity: Option<String>,
    /// `unread`, `read` or `done`.
    status: Option<String>,
    /// Case-insensitive text search (title, summary, subject, source, category, description).
    q: Option<String>,
    /// Page size, 1–500 (default 50).
    limit: Option<usize>,
    /// `next_cursor` from the previous page.
    cursor: Option<String>,
}

impl ListParams {
    fn into_query(self) -> Result<AlertQuery, ApiError> {
        let nonempty = |s: Option<String>| s.filter(|v| !v.is_empty());
        Ok(AlertQuery {
            source: nonempty(self.source),
            min_severity: nonempty(self.severity)
                .map(|s| s.parse::<Severity>())
                .transpose()
                .map_err(|e| ApiError::bad_request(e.to_string()))?,
            status: nonempty(self.status)
                .map(|s| s.parse::<Status>())
                .transpose()
                .map_err(ApiError::bad_request)?,
            q: nonempty(self.q),
            limit: self.limit,
            cursor: nonempty(self.cursor),
        })
    }
}

/// List alerts, newest first.
#[utoipa::path(get, path = "/api/alerts", tag = "alerts", params(ListParams),
    responses((status = 200, body = AlertPage), (status = 400, body = ErrorBody)),
    security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let query = params.into_query()?;
    let store = state.engine.store().clone();
    // The page as the store keeps its alerts (`Store::alerts_json`): the same JSON as
    // `Json(AlertPage)`, without parsing and writing out each alert's details again.
    let page = tokio::task::spawn_blocking(move || store.alerts_json(&query)).await??;
    Ok(([(header::CONTENT_TYPE, "application/json")], page).into_response())
}

/// One alert with its details.
#[utoipa::path(get, path = "/api/alerts/{id}", tag = "alerts",
    params(("id" = String, Path, description = "Alert id")),
    responses((status = 200, body = Alert), (status = 404, body = ErrorBody)),
    security(("token" = [])))]
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Alert>, ApiError> {
    state
        .engine
        .store()
        .alert(&id)?
        .map(Json)
        .ok_or_else(|| no_alert(&id))
}

/// Mark an alert read/unread or done/not done.
#[utoipa::path(patch, path = "/api/alerts/{id}", tag = "alerts",
    params(("id" = String, Path, description = "Alert id")),
    request_body = AlertPatch,
    responses((status = 200, body = Alert), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = [])))]
pub async fn patch(
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<AlertPatch>,
) -> Result<Json<Alert>, ApiError> {
    state
        .engine
        .patch(id.clone(), patch)
        .await?
        .map(Json)
        .ok_or_else(|| no_alert(&id))
}

/// Delete an alert. A provider's retry of it will not bring it back.
#[utoipa::path(delete, path = "/api/alerts/{id}", tag = "alerts",
    params(("id" = String, Path, description = "Alert id")),
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody)),
    security(("token" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if state.engine.delete(id.clone()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(no_alert(&id))
    }
}

fn no_alert(id: &str) -> ApiError {
    ApiError::not_found(format!(
        "no alert with id {:?}",
        id.chars().take(64).collect::<String>()
    ))
}
