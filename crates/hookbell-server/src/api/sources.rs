//! `/api/sources`: the configured sources, their ingest URLs and recent activity; adding,
//! changing and removing them (saved to `hookbell.toml`); and a test delivery through one.
//! Lists never show secrets; one source's secrets are shown masked unless `reveal=true`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use hookbell_core::{Auth, Delivery, SourceConfig, providers};
use hookbell_store::SourceActivity;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorBody, JsonBody};
use crate::hooks::Accepted;
use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/sources", get(list).post(create))
        .route("/api/sources/{id}", get(one).put(replace).delete(remove))
        .route("/api/sources/{id}/test", post(send_test))
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

fn view(state: &AppState, source: &SourceConfig) -> Result<SourceView, ApiError> {
    Ok(SourceView {
        id: source.id.clone(),
        provider: source.provider.clone(),
        name: source.display_name().to_owned(),
        auth_scheme: source.auth.scheme().to_owned(),
        urls: SourceUrls {
            direct: format!("{}/hooks/{}", state.base_url(), source.id),
            relay: state.relay.ingest_url(&source.id),
        },
        activity: state.engine.store().source_activity(&source.id)?,
    })
}

/// The configured sources.
#[utoipa::path(get, path = "/api/sources", tag = "sources",
    responses((status = 200, body = SourceList)), security(("token" = [])))]
pub async fn list(State(state): State<AppState>) -> Result<Json<SourceList>, ApiError> {
    let config = state.engine.config();
    let sources = config
        .sources
        .iter()
        .map(|s| view(&state, s))
        .collect::<Result<_, _>>()?;
    Ok(Json(SourceList { sources }))
}

/// One source with its authentication settings.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SourceDetail {
    /// As in the list.
    #[serde(flatten)]
    pub source: SourceView,
    /// The `auth` table: secrets masked unless `reveal=true` was asked for.
    #[schema(value_type = Object)]
    pub auth: serde_json::Value,
}

/// `?reveal=true` shows a source's secrets.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevealParams {
    /// Show the secrets themselves instead of their masked form.
    #[serde(default)]
    reveal: bool,
}

/// A source as the API takes it: the same members as a `[[sources]]` entry.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceInput {
    /// The URL slug (1–64 of a-z, 0-9, `-`, `_`). Ignored by `PUT`, which takes it from the path.
    #[serde(default)]
    pub id: Option<String>,
    /// The provider's id: `omniac`, `enzoic`, `osintly`, `leakix`, `cyscale`, `github`,
    /// `gitguardian`, `canarytokens` or `generic` (`GET /api/providers` lists them).
    pub provider: String,
    /// A display name.
    #[serde(default)]
    pub name: Option<String>,
    /// How deliveries are authenticated, as in the config (`{"scheme": "basic", …}`).
    pub auth: Auth,
}

impl SourceInput {
    /// The `[[sources]]` entry this input describes, under `id` (a blank name is no name).
    fn into_source(self, id: String) -> SourceConfig {
        SourceConfig {
            id,
            provider: self.provider,
            name: self.name.filter(|n| !n.trim().is_empty()),
            auth: self.auth,
        }
    }
}

/// Members of an `auth` table that are not secret.
const NOT_SECRET: &[&str] = &[
    "scheme",
    "name",
    "signature_header",
    "timestamp_header",
    "tolerance_secs",
];

/// The `auth` table with every secret replaced by its masked form.
fn masked_auth(auth: &Auth) -> serde_json::Value {
    let mut value = serde_json::to_value(auth).unwrap_or_default();
    if let Some(members) = value.as_object_mut() {
        for (name, member) in members.iter_mut() {
            if let serde_json::Value::String(text) = member
                && !NOT_SECRET.contains(&name.as_str())
            {
                *text = hookbell_core::mask::mask_secret(text);
            }
        }
    }
    value
}

fn find(state: &AppState, id: &str) -> Result<SourceConfig, ApiError> {
    state.engine.source(id).ok_or_else(|| {
        ApiError::not_found(format!(
            "no source named {:?}",
            id.chars().take(64).collect::<String>()
        ))
    })
}

/// One source, with its authentication settings.
#[utoipa::path(get, path = "/api/sources/{id}", tag = "sources",
    params(("id" = String, Path, description = "Source id"), RevealParams),
    responses((status = 200, body = SourceDetail), (status = 404, body = ErrorBody)),
    security(("token" = [])))]
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<RevealParams>,
) -> Result<Json<SourceDetail>, ApiError> {
    let source = find(&state, &id)?;
    let auth = if params.reveal {
        serde_json::to_value(&source.auth).unwrap_or_default()
    } else {
        masked_auth(&source.auth)
    };
    Ok(Json(SourceDetail {
        source: view(&state, &source)?,
        auth,
    }))
}

/// Add a source; it is saved to `hookbell.toml` and takes deliveries at once.
#[utoipa::path(post, path = "/api/sources", tag = "sources", request_body = SourceInput,
    responses((status = 201, body = SourceView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("token" = [])))]
pub async fn create(
    State(state): State<AppState>,
    JsonBody(input): JsonBody<SourceInput>,
) -> Result<(StatusCode, Json<SourceView>), ApiError> {
    let id = input.id.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "a new source needs an `id`",
        )
    })?;
    let source = input.into_source(id.clone());
    state
        .engine
        .change_sources(|sources| {
            if sources.iter().any(|s| s.id == id) {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    format!("a source named {id:?} exists already"),
                ));
            }
            sources.push(source.clone());
            Ok(())
        })
        .await?;
    Ok((StatusCode::CREATED, Json(view(&state, &source)?)))
}

/// Change a source's provider, name or authentication.
#[utoipa::path(put, path = "/api/sources/{id}", tag = "sources", request_body = SourceInput,
    params(("id" = String, Path, description = "Source id")),
    responses((status = 200, body = SourceView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("token" = [])))]
pub async fn replace(
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<SourceInput>,
) -> Result<Json<SourceView>, ApiError> {
    let source = input.into_source(id.clone());
    state
        .engine
        .change_sources(|sources| {
            let slot = sources
                .iter_mut()
                .find(|s| s.id == id)
                .ok_or_else(|| ApiError::not_found(format!("no source named {id:?}")))?;
            *slot = source.clone();
            Ok(())
        })
        .await?;
    Ok(Json(view(&state, &source)?))
}

/// Remove a source. Its alerts stay; deliveries to it are then answered 404.
#[utoipa::path(delete, path = "/api/sources/{id}", tag = "sources",
    params(("id" = String, Path, description = "Source id")),
    responses((status = 204, description = "Removed"), (status = 404, body = ErrorBody)),
    security(("token" = [])))]
pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .engine
        .change_sources(|sources| {
            let before = sources.len();
            sources.retain(|s| s.id != id);
            if sources.len() == before {
                return Err(ApiError::not_found(format!("no source named {id:?}")));
            }
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Send the provider's sample through this source, signed with its own settings, down the
/// same path as a real delivery.
#[utoipa::path(post, path = "/api/sources/{id}/test", tag = "sources",
    params(("id" = String, Path, description = "Source id")),
    responses((status = 200, body = Accepted), (status = 404, body = ErrorBody)),
    security(("token" = [])))]
pub async fn send_test(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Accepted>, ApiError> {
    let source = find(&state, &id)?;
    let provider = providers::get(&source.provider).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the source's provider is unknown",
        )
    })?;
    let body = provider.sample().as_bytes().to_vec();
    let now = Utc::now();
    let msg_id = format!("msg_test_{}", now.timestamp_micros());
    let signed = source
        .auth
        .sign(&body, now, &msg_id)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    let mut headers: hookbell_core::Headers = signed
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    headers.push("content-type", "application/json");
    headers.push("user-agent", "hookbell-test");
    let outcome = state
        .engine
        .ingest(Delivery {
            source_id: source.id,
            received_at: now,
            peer: None,
            headers,
            body,
        })
        .await?;
    Ok(Json(Accepted {
        delivery_id: outcome.delivery_id,
        alerts: outcome.alert_ids,
        duplicate: outcome.duplicate,
    }))
}
