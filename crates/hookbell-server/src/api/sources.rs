//! `/api/sources`: the configured sources, their ingest URLs and recent activity. Secrets are
//! never listed.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use hookbell_store::SourceActivity;
use serde::Serialize;

use crate::error::ApiError;
use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/api/sources", get(list))
}

/// The configured sources.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SourceList {
    /// In config order.
    pub sources: Vec<SourceView>,
}

/// A source as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SourceView {
    /// The URL slug.
    pub id: String,
    /// The provider adapter.
    pub provider: String,
    /// Display name (the id when none is set).
    pub name: String,
    /// The authentication scheme's name (never its secrets).
    pub auth_scheme: String,
    /// Where the provider should send deliveries.
    pub urls: SourceUrls,
    /// The last delivery and the count of refused ones.
    pub activity: SourceActivity,
}

/// Ingest URLs of a source.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SourceUrls {
    /// This server's own `/hooks/{id}`.
    pub direct: String,
    /// Through the paired relay; null when no relay is paired.
    pub relay: Option<String>,
}

/// The configured sources.
#[utoipa::path(get, path = "/api/sources", tag = "sources",
    responses((status = 200, body = SourceList)), security(("token" = [])))]
pub async fn list(State(state): State<AppState>) -> Result<Json<SourceList>, ApiError> {
    let config = state.engine.config();
    let base = state.base_url();
    let mut sources = Vec::with_capacity(config.sources.len());
    for source in &config.sources {
        sources.push(SourceView {
            id: source.id.clone(),
            provider: source.provider.clone(),
            name: source.display_name().to_owned(),
            auth_scheme: source.auth.scheme().to_owned(),
            urls: SourceUrls {
                direct: format!("{base}/hooks/{}", source.id),
                relay: None,
            },
            activity: state.engine.store().source_activity(&source.id)?,
        });
    }
    Ok(Json(SourceList { sources }))
}
