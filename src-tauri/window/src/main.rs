//! `hookbell-window`: Hookbell's window, in a process of its own. The tray app (`hookbell`,
//! which holds the engine and never maps WebKit) starts it when the window must show and talks
//! to it over its standard streams; closing the window ends the process, and every byte of
//! WebKit with it.
//!
//! Standard input, one command a line:
//! - `show URL`: bring the window forward on `URL` (the engine's UI, the route and the API
//!   token in its fragment); when the window is already on the UI only the fragment changes,
//!   without a reload. `show` alone brings it forward.
//!
//! The end of standard input (the tray app quit or died) closes the window.
//!
//! Standard output: `closed ROUTE` when the user closes the window (the UI route it was on,
//! without the token), so the next window opens there; `shown N` as the process ends, the
//! number of `show` lines it carried out (a show that arrived as the window was closing was
//! not, and the tray app makes it again in a new window).
//!
//! `--boot` opens the window at once on the app's own "Starting Hookbell…" page, before the
//! engine is up (WebKit starts while the store opens), and waits for a `show URL`; without it
//! the first line is read before the window is built, and the window opens on that URL.
//!
//! The URL (and its token) never goes on the command line, which other users can read in /proc.
//! Links to anywhere but the engine open in the system browser (http and https only).
#![forbid(unsafe_code)]
// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::io::{BufRead as _, Write as _};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use tauri::webview::NewWindowResponse;
use tauri::{Manager, RunEvent, Url, WebviewUrl, WebviewWindow, WebviewWindowBuilder, WindowEvent};
use tauri_plugin_opener::OpenerExt;
use tauri_plugin_window_state::StateFlags;

/// The window's label.
const MAIN: &str = "main";

/// What is remembered between runs: size, position and maximized.
const REMEMBERED: StateFlags = StateFlags::SIZE
    .union(StateFlags::POSITION)
    .union(StateFlags::MAXIMIZED);

/// A command from the tray app.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    /// Bring the window forward, on this address if given.
    Show(Option<Url>),
    /// Standard input ended: close.
    Close,
}

/// A line of standard input as a command (`None`: not one this version knows).
fn parse(line: &str) -> Option<Command> {
    let line = line.trim();
    let rest = line.strip_prefix("show")?;
    if rest.is_empty() {
        return Some(Command::Show(None));
    }
    let url = rest.strip_prefix(' ')?.trim();
    match url.parse::<Url>() {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Some(Command::Show(Some(url))),
        _ => None,
    }
}

/// The `show` lines carried out on a window (said as `shown N` when the process ends).
static SHOWN: AtomicU64 = AtomicU64::new(0);

/// The UI's origin, once the window has been given an address.
#[derive(Default)]
struct Ui {
    origin: Mutex<Option<String>>,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .init();
    let boot = std::env::args().skip(1).any(|a| a == "--boot");
    let (commands, received) = mpsc::channel();
    std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || read_commands(&commands))?;
    let first = if boot {
        None
    } else {
        match received.recv() {
            Ok(Command::Show(url)) => url,
            Ok(Command::Close) | Err(_) => return Ok(()),
        }
    };
    let app = tauri::Builder::default()
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(REMEMBERED)
                .build(),
        )
        .plugin(tauri_plugin_opener::init())
        .setup(move |app| {
            app.manage(Ui::default());
            let window = create(app.handle(), first.as_ref())?;
            if !boot {
                SHOWN.fetch_add(1, Ordering::SeqCst);
            }
            focus(&window);
            let handle = app.handle().clone();
            std::thread::Builder::new()
                .name("commands".into())
                .spawn(move || {
                    for command in received {
                        let on_main = handle.clone();
                        let _ = handle.run_on_main_thread(move || apply(&on_main, command));
                    }
                })?;
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { .. } = event
                && window.label() == MAIN
            {
                let route = window
                    .get_webview_window(MAIN)
                    .and_then(|w| w.url().ok())
                    .and_then(|url| url.fragment().and_then(route_of));
                // The tray app opens the next window there.
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "closed {}", route.as_deref().unwrap_or(""));
                let _ = out.flush();
            }
        })
        .build(tauri::generate_context!())?;
    app.run(|_, event| {
        if let RunEvent::Exit = event {
            tracing::debug!("window: closed");
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "shown {}", SHOWN.load(Ordering::SeqCst));
            let _ = out.flush();
        }
    });
    Ok(())
}

/// Reads commands from standard input until it ends, then asks the window to close.
fn read_commands(commands: &mpsc::Sender<Command>) {
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        match parse(&line) {
            Some(command) => {
                if let Command::Show(url) = &command {
                    let route = url.as_ref().and_then(|u| u.fragment().and_then(route_of));
                    tracing::info!(route = route.as_deref().unwrap_or("-"), "window: show");
                }
                if commands.send(command).is_err() {
                    return;
                }
            }
            None => tracing::warn!("window: unknown command"),
        }
    }
    let _ = commands.send(Command::Close);
}

/// Carries out `command` on the main thread.
fn apply(app: &tauri::AppHandle, command: Command) {
    match command {
        Command::Close => app.exit(0),
        Command::Show(url) => {
            let Some(window) = app.get_webview_window(MAIN) else {
                return;
            };
            if let Some(url) = url {
                show(&window, url);
            }
            focus(&window);
            SHOWN.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Builds the window, on `url` or else on the start page.
fn create(app: &tauri::AppHandle, url: Option<&Url>) -> tauri::Result<WebviewWindow> {
    let target = match url {
        Some(url) => {
            remember(app, url);
            WebviewUrl::External(url.clone())
        }
        None => WebviewUrl::App("index.html".into()),
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

fn remember(app: &tauri::AppHandle, url: &Url) {
    if let Some(ui) = app.try_state::<Ui>()
        && let Ok(mut origin) = ui.origin.lock()
    {
        *origin = Some(url.origin().ascii_serialization());
    }
}

/// Moves the window to `url`: on the UI already, only the fragment changes (no reload; the UI
/// takes the token from it and scrubs it); else it loads `url`.
fn show(window: &WebviewWindow, url: Url) {
    let on_ui = window
        .url()
        .is_ok_and(|now| now.origin() == url.origin() && now.path() == url.path());
    remember(window.app_handle(), &url);
    if on_ui {
        let target = format!("#{}", url.fragment().unwrap_or_default());
        // JSON is a valid JavaScript string literal: the route cannot break out of it.
        let literal = serde_json::to_string(&target).unwrap_or_else(|_| "\"#/\"".into());
        if let Err(e) = window.eval(format!("location.hash = {literal};")) {
            tracing::warn!(error = %e, "window: could not change the route");
        }
    } else if let Err(e) = window.navigate(url) {
        tracing::warn!(error = %e, "window: could not load the UI");
    }
}

/// Unminimized, shown and focused.
fn focus(window: &WebviewWindow) {
    let _ = window.unminimize();
    let _ = window.show();
    let _ = window.set_focus();
}

/// The app's own pages (the start page), as Tauri serves them on each platform.
fn is_app_page(url: &Url) -> bool {
    url.scheme() == "tauri" || url.host_str() == Some("tauri.localhost")
}

/// A page of the engine's UI.
fn is_ui(app: &tauri::AppHandle, url: &Url) -> bool {
    app.try_state::<Ui>()
        .and_then(|ui| ui.origin.lock().ok()?.clone())
        .is_some_and(|origin| url.origin().ascii_serialization() == origin)
}

/// Opens http(s) links in the system browser; anything else is refused.
fn open_outside(app: &tauri::AppHandle, url: &Url) {
    if !matches!(url.scheme(), "http" | "https") {
        tracing::warn!(scheme = url.scheme(), "refused to open a link");
        return;
    }
    if let Err(e) = app.opener().open_url(url.as_str(), None::<&str>) {
        tracing::warn!(error = %e, "could not open a link in the browser");
    }
}

/// The UI route in a fragment (`/alerts/a1&token=T` → `#/alerts/a1`), without the token.
fn route_of(fragment: &str) -> Option<String> {
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
    fn commands() {
        assert_eq!(parse("show"), Some(Command::Show(None)));
        let url = "http://127.0.0.1:7787/#/alerts/a1&token=T";
        assert_eq!(
            parse(&format!("show {url}\n")),
            Some(Command::Show(url.parse().ok()))
        );
        assert_eq!(parse("show javascript:alert(1)"), None);
        assert_eq!(parse("shown"), None);
        assert_eq!(parse("quit"), None);
    }
}
