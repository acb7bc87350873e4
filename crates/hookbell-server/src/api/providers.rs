//! `/api/providers`: the providers this engine reads and the authentication schemes it checks,
//! so the UI's presets follow the engine instead of a copy of its list.

use axum::routing::get;
use axum::{Json, Router};
use hookbell_core::Auth;
use serde::Serialize;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/api/providers", get(list))
}

/// What the engine can receive.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProviderList {
    /// Every provider adapter, in the engine's order.
    pub providers: Vec<ProviderInfo>,
    /// Every `auth.scheme` a source may use.
    pub schemes: Vec<&'static str>,
}

/// One provider adapter.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProviderInfo {
    /// The `provider` value of a source.
    pub id: &'static str,
    /// The provider's own name.
    pub name: &'static str,
    /// The scheme its deliveries are best checked with (`none` when it sends no credential:
    /// then an unguessable source id is the protection).
    pub default_scheme: &'static str,
}

/// The display name and default scheme of a provider id; `None` for one this table does not
/// know yet (listed with its id as name and `none`, and caught by this module's test).
fn describe(id: &str) -> Option<(&'static str, &'static str)> {
    Some(match id {
        "omniac" => ("omniac Business", "none"),
        "enzoic" => ("Enzoic Breach Monitoring", "basic"),
        "osintly" => ("Osintly", "hmac-sha256"),
        "leakix" => ("LeakIX", "none"),
        "cyscale" => ("Cyscale", "none"),
        "generic" => ("Other sender (Standard Webhooks)", "standard-webhooks"),
        "github" => ("GitHub", "github"),
        "gitguardian" => ("GitGuardian", "gitguardian"),
        "canarytokens" => ("Canarytokens", "none"),
        _ => return None,
    })
}

/// The providers and schemes this engine knows.
pub fn providers() -> ProviderList {
    ProviderList {
        providers: hookbell_core::providers::ids()
            .into_iter()
            .map(|id| {
                let (name, default_scheme) = describe(id).unwrap_or((id, "none"));
                ProviderInfo {
                    id,
                    name,
                    default_scheme,
                }
            })
            .collect(),
        schemes: Auth::SCHEMES.to_vec(),
    }
}

/// The providers this engine reads, with their names and default schemes, and every scheme.
#[utoipa::path(get, path = "/api/providers", tag = "sources",
    responses((status = 200, body = ProviderList)), security(("token" = [])))]
pub async fn list() -> Json<ProviderList> {
    Json(providers())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_has_a_name_and_a_known_default_scheme() {
        for id in hookbell_core::providers::ids() {
            let (_, scheme) = describe(id)
                .unwrap_or_else(|| panic!("provider {id:?} has no entry in describe()"));
            assert!(
                Auth::SCHEMES.contains(&scheme),
                "{id}: unknown scheme {scheme}"
            );
        }
    }

    #[test]
    fn the_ui_mirror_lists_every_provider_with_its_default_scheme() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/src/lib/providers.ts");
        let ts = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        for p in providers().providers {
            let line = format!(
                "{{ id: '{}', default_scheme: '{}' }}",
                p.id, p.default_scheme
            );
            assert!(ts.contains(&line), "ui/src/lib/providers.ts lacks `{line}`");
        }
    }

    #[test]
    fn every_scheme_is_one_the_config_reads() {
        use serde_json::json;
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        for scheme in Auth::SCHEMES {
            let input = match *scheme {
                "basic" => json!({"scheme": scheme, "username": "u", "password": "p"}),
                "bearer" => json!({"scheme": scheme, "token": "t"}),
                "header" => json!({"scheme": scheme, "name": "X-Key", "value": "v"}),
                "none" => json!({"scheme": scheme}),
                _ => json!({"scheme": scheme, "secret": secret}),
            };
            let auth: Result<hookbell_core::Auth, _> = serde_json::from_value(input);
            assert_eq!(
                auth.as_ref().map(|a| a.scheme()).ok(),
                Some(*scheme),
                "scheme {scheme} round-trips: {:?}",
                auth.err()
            );
        }
    }
}
