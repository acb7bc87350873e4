//! The inbox window. Hookbell owns a web view only while the window is shown: closing the
//! window destroys it (WebKit's web process ends with it), `--minimized` starts without one,
//! and [`show`] (the tray's "Show", a notification click, a second launch) builds it again on
//! the route asked for.
//!
//! At start the window opens at once on a "Starting Hookbell…" page of the app's own, so
//! WebKit starts while the engine opens the store; then it moves to the UI the engine serves
//! on loopback, with the API token in the URL fragment (never sent to any server, readable
//! only by that page). Links to anywhere else open in the system browser.

use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use tauri::webview::NewWindowResponse;
use tauri::{
    AppHandle, Manager, Runtime, WebviewUrl, WebviewWindow, WebviewWindowBuilder, Window,
    WindowEvent,
};
use tauri_plugin_opener::OpenerExt;
use tauri_plugin_window_state::StateFlags;

/// Where the engine's UI is, once the engine is up.
#[derive(Default)]
struct Ui {
    /// The UI's address without a fragment.
    base: OnceLock<tauri::Url>,
    /// The API token, as the UI's address carried it.
    token: OnceLock<String>,
    /// A route asked for before the engine was up, taken when the window moves to the UI.
    pending: Mutex<Option<String>>,
    /// The route the window was on when it was closed, where [`show`] without a route opens
    /// it again.
    last: Mutex<Option<String>>,
    /// Held while deciding whether to build the window, so two requests build it once.
    building: Mutex<()>,
}

/// The window's label.
pub const MAIN: &str = "main";

/// What is remembered between runs: size, position and maximized (not visibility:
/// `--minimized` decides that).
pub const REMEMBERED: StateFlags = StateFlags::SIZE
    .union(StateFlags::POSITION)
    .union(StateFlags::MAXIMIZED);

/// Prepares the window's state; call once, before [`create`] or [`show`].
pub fn init<R: Runtime>(app: &AppHandle<R>) {
    app.manage(Ui::default());
}

/// The address a new window opens: the UI on `route` (a fragment such as `#/alerts/{id}`),
/// with the token in the fragment as the UI expects it (`#/route&token=T`, or `#token=T`).
pub fn ui_address(base: &tauri::Url, token: &str, route: Option<&str>) -> tauri::Url {
    let mut url = base.clone();
    let fragment = fragment(route, token);
    url.set_fragment(
        Some(&fragment)
            .filter(|f| !f.is_empty())
            .map(|f| f.as_str()),
    );
    url
}

/// Builds the main window, shown, on the UI at `route` once the engine is up, else on the
/// app's start page (which [`open_ui`] moves on).
pub fn create<R: Runtime>(
    app: &AppHandle<R>,
    route: Option<&str>,
) -> tauri::Result<WebviewWindow<R>> {
    let ui = app.try_state::<Ui>();
    let target = match ui.as_ref().and_then(|ui| ui.base.get().map(|b| (ui, b))) {
        Some((ui, base)) => {
            let token = ui.token.get().map(String::as_str).unwrap_or_default();
            WebviewUrl::External(ui_address(base, token, route))
        }
        None => {
            if let (Some(ui), Some(route)) = (ui.as_ref(), route)
                && let Ok(mut pending) = ui.pending.lock()
            {
                *pending = Some(route.to_owned());
            }
            WebviewUrl::App("index.html".into())
        }
    };
    let nav_app = app.clone();
    let popup_app = app.clone();
    WebviewWindowBuilder::new(app, MAIN, target)
        .title("Hookbell")
        .inner_size(1120.0, 740.0)
        .min_inner_size(640.0, 420.0)
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

/// The engine is up at `open_url` (its address with the token): remembers it for windows to
/// come, and moves a window on the start page to it.
pub fn open_ui<R: Runtime>(app: &AppHandle<R>, open_url: &str) -> tauri::Result<()> {
    let url: tauri::Url = open_url
        .parse()
        .map_err(|_| tauri::Error::InvalidWebviewUrl("the engine's address is not a URL"))?;
    let token = url
        .fragment()
        .and_then(|f| f.strip_prefix("token="))
        .unwrap_or_default()
        .to_owned();
    let mut base = url.clone();
    base.set_fragment(None);
    let Some(ui) = app.try_state::<Ui>() else {
        return Ok(());
    };
    let _ = ui.token.set(token.clone());
    let _ = ui.base.set(base.clone());
    let pending = ui.pending.lock().ok().and_then(|mut p| p.take());
    match app.get_webview_window(MAIN) {
        Some(window) => window.navigate(ui_address(&base, &token, pending.as_deref())),
        None => Ok(()),
    }
}

/// The app's own pages (the start page), as Tauri serves them on each platform.
fn is_app_page(url: &tauri::Url) -> bool {
    url.scheme() == "tauri" || url.host_str() == Some("tauri.localhost")
}

/// A page of the engine's UI.
fn is_ui<R: Runtime>(app: &AppHandle<R>, url: &tauri::Url) -> bool {
    app.try_state::<Ui>()
        .and_then(|ui| ui.base.get().map(|b| b.origin()))
        .is_some_and(|origin| url.origin() == origin)
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
/// (a UI fragment such as `#/alerts/{id}`); builds it (and its web view) when there is none.
pub fn show<R: Runtime>(app: &AppHandle<R>, route: Option<&str>) {
    let ui = app.try_state::<Ui>();
    let _building = ui.as_ref().and_then(|ui| ui.building.lock().ok());
    let window = match app.get_webview_window(MAIN) {
        Some(window) => {
            if let Some(route) = route {
                navigate(&window, route);
            }
            window
        }
        None => {
            let started = Instant::now();
            let last = ui.as_ref().and_then(|ui| ui.last.lock().ok()?.clone());
            let route = route.or(last.as_deref());
            match create(app, route) {
                Ok(window) => {
                    tracing::info!(
                        route = route.unwrap_or("#/"),
                        elapsed_ms = started.elapsed().as_millis(),
                        "window: web view built"
                    );
                    window
                }
                Err(e) => {
                    tracing::error!(error = %e, "could not open the window");
                    return;
                }
            }
        }
    };
    let _ = window.unminimize();
    let _ = window.show();
    let _ = window.set_focus();
}

/// The UI's fragment, without its `#`: `route&token=T`, `token=T`, `route`, or empty.
fn fragment(route: Option<&str>, token: &str) -> String {
    let route = route
        .map(|r| r.trim_start_matches('#'))
        .filter(|r| !r.is_empty());
    match (route, token.is_empty()) {
        (Some(route), true) => route.to_owned(),
        (Some(route), false) => format!("{route}&token={token}"),
        (None, true) => String::new(),
        (None, false) => format!("token={token}"),
    }
}

/// Moves the UI to `route` without reloading it. The token goes along in the fragment (the UI
/// takes it and scrubs it from the address), in case the page has not read its own yet.
pub fn navigate<R: Runtime>(window: &WebviewWindow<R>, route: &str) {
    let token = window
        .try_state::<Ui>()
        .and_then(|ui| ui.token.get().cloned())
        .unwrap_or_default();
    let target = format!("#{}", fragment(Some(route), &token));
    // JSON is a valid JavaScript string literal: the route cannot break out of it.
    let literal = serde_json::to_string(&target).unwrap_or_else(|_| "\"#/\"".into());
    if let Err(e) = window.eval(format!("location.hash = {literal};")) {
        tracing::warn!(error = %e, "could not move the window to {route}");
    }
}

/// Closing the main window destroys it and its web view: Hookbell keeps running in the tray,
/// without WebKit, until [`show`] builds the window again.
pub fn on_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if window.label() != MAIN {
        return;
    }
    match event {
        WindowEvent::CloseRequested { .. } => {
            let route = window
                .get_webview_window(MAIN)
                .and_then(|w| w.url().ok())
                .and_then(|url| url.fragment().and_then(route_of));
            if let (Some(ui), Some(route)) = (window.try_state::<Ui>(), route)
                && let Ok(mut last) = ui.last.lock()
            {
                *last = Some(route);
            }
        }
        WindowEvent::Destroyed => tracing::info!("window: closed, web view destroyed"),
        _ => {}
    }
}

/// The UI route in a fragment (`/alerts/a1&token=T` → `#/alerts/a1`), without the token.
pub fn route_of(fragment: &str) -> Option<String> {
    if !fragment.starts_with('/') {
        return None;
    }
    let route = fragment
        .split('&')
        .filter(|part| !part.starts_with("token="))
        .collect::<Vec<_>>()
        .join("&");
    Some(format!("#{route}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> tauri::Url {
        "http://127.0.0.1:7787/".parse().expect("url")
    }

    #[test]
    fn the_route_of_a_closed_window_leaves_the_token_behind() {
        assert_eq!(route_of("/alerts/a1").as_deref(), Some("#/alerts/a1"));
        assert_eq!(
            route_of("/alerts/a1&token=T0k").as_deref(),
            Some("#/alerts/a1")
        );
        assert_eq!(
            route_of("/?source=x&status=unread").as_deref(),
            Some("#/?source=x&status=unread")
        );
        assert_eq!(route_of("token=T0k"), None);
        assert_eq!(route_of(""), None);
    }

    #[test]
    fn a_new_window_opens_on_the_route_with_the_token() {
        assert_eq!(
            ui_address(&base(), "T0k", Some("#/alerts/a1")).as_str(),
            "http://127.0.0.1:7787/#/alerts/a1&token=T0k"
        );
        assert_eq!(
            ui_address(&base(), "T0k", None).as_str(),
            "http://127.0.0.1:7787/#token=T0k"
        );
        assert_eq!(
            ui_address(&base(), "", Some("#/alerts/a1")).as_str(),
            "http://127.0.0.1:7787/#/alerts/a1"
        );
        assert_eq!(
            ui_address(&base(), "", None).as_str(),
            "http://127.0.0.1:7787/"
        );
    }
}
