//! `/api/settings`: the user's preferences, kept in the store: the language Hookbell writes
//! titles, summaries and recommendations in, the desktop notification rules, and how long
//! alerts are kept.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use hookbell_core::{Lang, NotificationSettings};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::{NOTIFICATIONS_SETTING, RETENTION_SETTING};
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
    /// When the desktop app shows a notification.
    pub notifications: NotificationSettings,
    /// Alerts last seen more than this many days ago are deleted (a repeat of one later is a
    /// new alert), and deliveries received before then; null keeps them forever.
    pub retention_days: Option<u32>,
}

/// The longest retention that can be set, in days (ten years).
const MAX_RETENTION_DAYS: u32 = 3650;

/// A change to the settings; members left out stay as they are.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    /// `"en"`, `"de"`, or null to follow the system.
    #[serde(default, deserialize_with = "present")]
    pub language: Option<Option<Lang>>,
    /// Notification rules to change; members left out (at any depth) stay as they are.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub notifications: Option<Value>,
    /// Days to keep alerts (1 to 3650), or null to keep them forever.
    #[serde(default, deserialize_with = "present")]
    pub retention_days: Option<Option<u32>>,
}

/// Tells a member sent as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Applies `patch` to `target` as a JSON merge patch (RFC 7396): objects merge member by
/// member, anything else replaces.
fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                merge(target.entry(key).or_insert(Value::Null), value);
            }
        }
        (target, patch) => *target = patch,
    }
}

fn unprocessable(message: String) -> ApiError {
    ApiError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, message)
}

fn current(state: &AppState) -> Result<Settings, ApiError> {
    Ok(Settings {
        language: state.engine.language_setting(),
        effective_language: state.engine.lang(),
        notifications: state.engine.notification_settings(),
        retention_days: state.engine.retention_days(),
    })
}

/// The user's settings.
#[utoipa::path(get, path = "/api/settings", tag = "settings",
    responses((status = 200, body = Settings)), security(("token" = [])))]
pub async fn read(State(state): State<AppState>) -> Result<Json<Settings>, ApiError> {
    current(&state).map(Json)
}

/// Change settings. New alerts are written in the chosen language; existing ones keep theirs.
/// A shorter retention deletes the alerts it no longer covers at once. Nothing changes when
/// any member is invalid (422).
#[utoipa::path(patch, path = "/api/settings", tag = "settings", request_body = SettingsPatch,
    responses((status = 200, body = Settings), (status = 422, body = ErrorBody)),
    security(("token" = [])))]
pub async fn update(
    State(state): State<AppState>,
    JsonBody(patch): JsonBody<SettingsPatch>,
) -> Result<Json<Settings>, ApiError> {
    // Validate everything before writing anything.
    let notifications = match patch.notifications {
        Some(change) => {
            let mut current = serde_json::to_value(state.engine.notification_settings())
                .map_err(|e| ApiError::internal(&e))?;
            merge(&mut current, change);
            let rules: NotificationSettings = serde_json::from_value(current)
                .map_err(|e| unprocessable(format!("notifications: {e}")))?;
            Some(rules)
        }
        None => None,
    };
    if let Some(Some(days)) = patch.retention_days
        && !(1..=MAX_RETENTION_DAYS).contains(&days)
    {
        return Err(unprocessable(format!(
            "retention_days must be between 1 and {MAX_RETENTION_DAYS}, or null to keep alerts forever"
        )));
    }
    let store = state.engine.store();
    if let Some(rules) = notifications {
        let value = serde_json::to_value(rules).map_err(|e| ApiError::internal(&e))?;
        store.set_setting(NOTIFICATIONS_SETTING, value).await?;
    }
    if let Some(days) = patch.retention_days {
        store
            .set_setting(RETENTION_SETTING, days.map_or(Value::Null, Value::from))
            .await?;
        crate::retention::apply(&state.engine).await?;
    }
    if let Some(language) = patch.language {
        state.engine.set_language(language).await?;
    }
    current(&state).map(Json)
}
