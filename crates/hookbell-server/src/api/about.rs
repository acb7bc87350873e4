//! `/api/about`: the version and where Hookbell keeps its files, for the UI's About section.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/api/about", get(about))
}

/// This Hookbell and its files.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct About {
    /// The engine's version.
    pub version: &'static str,
    /// The data directory (config, API token, store).
    pub data_dir: Option<String>,
    /// The config file.
    pub config_file: Option<String>,
    /// The log file, when logs go to one (the desktop app); null when they go to stderr.
    pub log_file: Option<String>,
    /// The address the webhook server and the local API listen on.
    pub listen: String,
}

/// The version and where the files are.
#[utoipa::path(get, path = "/api/about", tag = "settings",
    responses((status = 200, body = About)), security(("token" = [])))]
pub async fn about(State(state): State<AppState>) -> Json<About> {
    let shown = |p: &std::path::Path| p.display().to_string();
    let paths = state.paths.as_deref();
    Json(About {
        version: env!("CARGO_PKG_VERSION"),
        data_dir: paths.map(|p| shown(&p.data_dir)),
        config_file: paths.map(|p| shown(&p.config_file)),
        log_file: paths.and_then(|p| p.log_file.as_deref()).map(shown),
        listen: state.base_url(),
    })
}
