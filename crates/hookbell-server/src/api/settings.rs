//! `/api/settings`: the user's preferences, kept in the store. Today: the language Hookbell
//! writes titles, summaries and recommendations in.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use hookbell_core::Lang;
use serde::{Deserialize, Serialize};

use crate::engine::LANGUAGE_SETTING;
use crate::error::{ApiError, ErrorBody, JsonBody};
use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/api/settings", get(read).patch(update))
}

/// The user's settings.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Settings {
    /// The chosen language; null follows the system's.
    pub language: Option<Lang>,
    /// The language in effect now (the chosen one, else the system's, else English).
    pub effective_language: Lang,
}

/// A change to the settings; members left out stay as they are.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    /// `"en"`, `"de"`, or null to follow the system.
    #[serde(default, deserialize_with = "present")]
    pub language: Option<Option<Lang>>,
}

/// Tells a member sent as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<Lang>>, D::Error> {
    Option::<Lang>::deserialize(d).map(Some)
}

fn current(state: &AppState) -> Result<Settings, ApiError> {
    let language = match state.engine.store().setting(LANGUAGE_SETTING)? {
        Some(serde_json::Value::String(tag)) => Lang::parse(&tag),
        _ => None,
    };
    Ok(Settings {
        language,
        effective_language: state.engine.lang(),
    })
}

/// The user's settings.
#[utoipa::path(get, path = "/api/settings", tag = "settings",
    responses((status = 200, body = Settings)), security(("token" = [])))]
pub async fn read(State(state): State<AppState>) -> Result<Json<Settings>, ApiError> {
    current(&state).map(Json)
}

/// Change settings. New alerts are written in the chosen language; existing ones keep theirs.
#[utoipa::path(patch, path = "/api/settings", tag = "settings", request_body = SettingsPatch,
    responses((status = 200, body = Settings), (status = 422, body = ErrorBody)),
    security(("token" = [])))]
pub async fn update(
    State(state): State<AppState>,
    JsonBody(patch): JsonBody<SettingsPatch>,
) -> Result<Json<Settings>, ApiError> {
    if let Some(language) = patch.language {
        let value = language.map_or(serde_json::Value::Null, |l| {
            serde_json::Value::from(l.code())
        });
        state
            .engine
            .store()
            .set_setting(LANGUAGE_SETTING, value)
            .await?;
    }
    current(&state).map(Json)
}
