//! `/`: the web UI. The inbox built from `ui/` (`npm run build` → `ui/dist`) is embedded in the
//! binary in release builds (read from `ui/dist` on disk in debug builds), so `hookbelld` needs no
//! files beside it. A binary built before the UI was served falls back to a small page that
//! lists the newest alerts and says how to build the full one. Both pages take the API token
//! from the URL fragment, which never reaches the server.

use axum::Router;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::Embed;

use crate::error::ApiError;
use crate::state::AppState;

/// The built UI.
#[derive(Embed)]
#[folder = "../../ui/dist"]
#[allow_missing = true]
struct Built;

const FALLBACK: &str = include_str!("../assets/index.html");

/// The built UI loads only its own scripts and styles.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/// The fallback page is one file with its script and style inline.
const FALLBACK_CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/", get(index))
}

fn with_headers(mut response: Response, csp: &'static str, cache: &'static str) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

async fn index() -> Response {
    match Built::get("index.html") {
        Some(file) => with_headers(
            (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                file.data,
            )
                .into_response(),
            CSP,
            "no-cache",
        ),
        None => with_headers(
            (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                FALLBACK,
            )
                .into_response(),
            FALLBACK_CSP,
            "no-cache",
        ),
    }
}

/// Every request no route took: a file of the built UI for a `GET`, else a JSON 404.
pub(crate) async fn fallback(method: Method, uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let file = (method == Method::GET || method == Method::HEAD)
        .then(|| Built::get(path))
        .flatten();
    let Some(file) = file else {
        return ApiError::not_found(
            "no such endpoint; deliveries go to /hooks/{source_id}, the web UI is at /",
        )
        .into_response();
    };
    let mime = file.metadata.mimetype().to_owned();
    // Vite names assets by content hash, so they never change under the same name.
    let cache = if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = (StatusCode::OK, file.data).into_response();
    if let Ok(value) = HeaderValue::from_str(&mime) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    with_headers(response, CSP, cache)
}
