//! The inbox window. It opens at once on a "Starting Hookbell…" page of the app's own, so
//! WebKit starts while the engine opens the store; then it moves to the UI the engine serves
//! on loopback, with the API token in the URL fragment (never sent to any server, readable
//! only by that page). Closing hides it; links to anywhere else open in the system browser;
//! a notification click brings it forward on the alert.

use std::sync::OnceLock;

use tauri::webview::NewWindowResponse;
use tauri::{
    AppHandle, Manager, Runtime, WebviewUrl, WebviewWindow, WebviewWindowBuilder, Window,
    WindowEvent,
};
use tauri_plugin_opener::OpenerExt;
use tauri_plugin_window_state::StateFlags;

/// The API token, as the UI's address carried it.
struct Token(String);

/// The origin of the engine's UI, once known: the only web origin the window may show.
#[derive(Default)]
struct UiOrigin(OnceLock<String>);

/// The window's label.
pub const MAIN: &str = "main";

/// What is remembered between runs: size, position and maximized (not visibility:
/// `--minimized` decides that).
pub const REMEMBERED: StateFlags = StateFlags::SIZE
    .union(StateFlags::POSITION)
    .union(StateFlags::MAXIMIZED);

/// Creates the main window, shown or not, on the app's start page; [`open_ui`] moves it to
/// the engine's UI.
pub fn create<R: Runtime>(app: &AppHandle<R>, visible: bool) -> tauri::Result<WebviewWindow<R>> {
    app.manage(UiOrigin::default());
    let nav_app = app.clone();
    let popup_app = app.clone();
    WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("index.html".into()))
        .title("Hookbell")
        .inner_size(1120.0, 740.0)
        .min_inner_size(640.0, 420.0)
        .visible(visible)
        .on_navigation(move |target| {
            if is_app_page(target) || is_ui(&nav_app, target) {
                return true;
            }
            open_outside(&nav_app, target);
            false
        })
        .on_new_window(move |target, _features| {
            open_outside(&popup_app, &target);
            NewWindowResponse::Deny
        })
        .build()
}

/// Moves the window to the engine's UI, `open_url` (its address with the token).
pub fn open_ui<R: Runtime>(app: &AppHandle<R>, open_url: &str) -> tauri::Result<()> {
    let url: tauri::Url = open_url
        .parse()
        .map_err(|_| tauri::Error::InvalidWebviewUrl("the engine's address is not a URL"))?;
    // Kept so a route set before the page has read its token still carries it.
    let token = url
        .fragment()
        .and_then(|f| f.strip_prefix("token="))
        .unwrap_or_default()
        .to_owned();
    app.manage(Token(token));
    if let Some(origin) = app.try_state::<UiOrigin>() {
        let _ = origin.0.set(url.origin().ascii_serialization());
    }
    match app.get_webview_window(MAIN) {
        Some(window) => window.navigate(url),
        None => Ok(()),
    }
}

/// The app's own pages (the start page), as Tauri serves them on each platform.
fn is_app_page(url: &tauri::Url) -> bool {
    url.scheme() == "tauri" || url.host_str() == Some("tauri.localhost")
}

/// A page of the engine's UI.
fn is_ui<R: Runtime>(app: &AppHandle<R>, url: &tauri::Url) -> bool {
    app.try_state::<UiOrigin>()
        .and_then(|o| o.0.get().cloned())
        .is_some_and(|origin| url.origin().ascii_serialization() == origin)
}

/// Opens http(s) links in the system browser; anything else is refused.
fn open_outside<R: Runtime>(app: &AppHandle<R>, url: &tauri::Url) {
    if !matches!(url.scheme(), "http" | "https") {
        tracing::warn!(scheme = url.scheme(), "refused to open a link");
        return;
    }
    if let Err(e) = app.opener().open_url(url.as_str(), None::<&str>) {
        tracing::warn!(error = %e, "could not open a link in the browser");
    }
}

/// Brings the window forward (unminimized, shown, focused), on `route` if given
/// (a UI fragment such as `#/alerts/{id}`).
pub fn show<R: Runtime>(app: &AppHandle<R>, route: Option<&str>) {
    let Some(window) = app.get_webview_window(MAIN) else {
        return;
    };
    if let Some(route) = route {
        navigate(&window, route);
    }
    let _ = window.unminimize();
    let _ = window.show();
    let _ = window.set_focus();
}

/// Moves the UI to `route` without reloading it. The token goes along in the fragment (the UI
/// takes it and scrubs it from the address), in case the page has not read its own yet.
pub fn navigate<R: Runtime>(window: &WebviewWindow<R>, route: &str) {
    let token = window
        .try_state::<Token>()
        .map(|t| t.0.clone())
        .unwrap_or_default();
    let target = if token.is_empty() {
        route.to_owned()
    } else {
        format!("{route}&token={token}")
    };
    // JSON is a valid JavaScript string literal: the route cannot break out of it.
    let literal = serde_json::to_string(&target).unwrap_or_else(|_| "\"#/\"".into());
    if let Err(e) = window.eval(format!("location.hash = {literal};")) {
        tracing::warn!(error = %e, "could not move the window to {route}");
    }
}

/// Closing the main window hides it: Hookbell keeps running in the tray.
pub fn on_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event
        && window.label() == MAIN
    {
        api.prevent_close();
        let _ = window.hide();
    }
}
