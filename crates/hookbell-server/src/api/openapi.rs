//! `/api/openapi.json`: the OpenAPI document, generated from the handlers and types.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::state::AppState;

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "Hookbell", description = "Webhook ingestion (/hooks) and the local API (/api) of the Hookbell engine."),
    paths(
        crate::hooks::receive,
        super::alerts::list,
        super::alerts::one,
        super::alerts::patch,
        super::alerts::delete,
        super::stats::stats,
        super::deliveries::list,
        super::deliveries::one,
        super::sources::list,
        super::sources::one,
        super::sources::create,
        super::sources::replace,
        super::sources::remove,
        super::sources::send_test,
        super::providers::list,
        super::events::events,
        super::settings::read,
        super::settings::update,
        super::about::about,
        super::relay::status,
        super::relay::pair,
        super::relay::unpair,
        super::relay::rotate,
    ),
    modifiers(&TokenAuth),
    tags(
        (name = "hooks", description = "Provider deliveries"),
        (name = "alerts", description = "Alerts and their counters"),
        (name = "deliveries", description = "Raw deliveries and the quarantine"),
        (name = "sources", description = "Configured sources"),
        (name = "events", description = "Live updates"),
        (name = "settings", description = "The user's preferences"),
        (name = "relay", description = "The connection to a hookbell-relay"),
    )
)]
pub struct ApiDoc;

struct TokenAuth;

impl Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The token in DATA_DIR/api-token"))
                    .build(),
            ),
        );
    }
}

pub(crate) fn router() -> Router<AppState> {
    Router::new().route(
        "/api/openapi.json",
        get(|| async { Json(ApiDoc::openapi()) }),
    )
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi;

    /// The API document tells a client which providers a source may name: every one the
    /// engine has, so a provider added to the registry is not missing from it.
    #[test]
    fn a_sources_provider_is_described_with_every_provider_id() {
        let document = serde_json::to_value(super::ApiDoc::openapi())
            .unwrap_or_else(|e| panic!("the document serializes: {e}"));
        let description = document
            .pointer("/components/schemas/SourceInput/properties/provider/description")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_else(|| panic!("SourceInput.provider has a description"));
        for id in hookbell_core::providers::ids() {
            assert!(
                description.contains(&format!("`{id}`")),
                "{id} is missing from {description:?}"
            );
        }
    }
}
