//! `/api/stats`: counters, read without a scan.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use hookbell_store::Stats;

use crate::error::ApiError;
use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/api/stats", get(stats))
}

/// Totals: all, unread, per severity, per source.
#[utoipa::path(get, path = "/api/stats", tag = "alerts",
    responses((status = 200, body = Stats)), security(("token" = [])))]
pub async fn stats(State(state): State<AppState>) -> Result<Json<Stats>, ApiError> {
    Ok(Json(state.engine.store().stats()?))
}
