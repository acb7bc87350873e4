//! Native notifications. The engine's notifier decides what to show
//! ([`hookbell_server::notifier`]); this shows it and handles the clicks ([`click`]): a click on
//! the body (or "Open") opens the window on the alert, "Mark as read" marks it read.
//!
//! - Linux: notify-rust over D-Bus; the body is the `default` action. Each notification's
//!   actions are awaited on a thread of its own (`wait_for_action` blocks until it closes).
//! - Windows: a toast (tauri-winrt-notification) under the app's AppUserModelID, the bundle
//!   identifier the installer registers; its activation (body or button) comes back while
//!   Hookbell runs.
//! - macOS: mac-notification-sys under the bundle identifier, waiting for the click or the
//!   action button on a thread of its own.
//!
//! Provider text is untrusted: when the notification server renders markup in bodies
//! (`body-markup`), `&`, `<` and `>` are escaped so a title can never become a link or markup.

use std::path::{Path, PathBuf};

use crate::Shell;
use crate::click::{self, Click};
use hookbell_core::notify::Target;
use hookbell_core::{AlertPatch, Lang, Notification, Severity};
use hookbell_server::{Engine, Notifier};

/// The notification icon, written next to the data so the notification server can read it.
const ICON: &[u8] = include_bytes!("../icons/notification.png");

/// Shows notifications on this desktop.
pub struct Desktop {
    shell: Shell,
    engine: Engine,
    icon: Option<PathBuf>,
    escape_markup: bool,
}

impl Desktop {
    /// A notifier for `shell`, whose actions act on `engine`.
    pub fn new(shell: Shell, engine: Engine, data_dir: &Path) -> Self {
        let icon = data_dir.join("hookbell-notification.png");
        let icon = match std::fs::write(&icon, ICON) {
            Ok(()) => Some(icon),
            Err(e) => {
                tracing::warn!(error = %e, "could not write the notification icon");
                None
            }
        };
        Desktop {
            shell,
            engine,
            icon,
            // On a thread of its own: notify-rust's D-Bus call blocks on a runtime of its own,
            // which must not start on one of the engine's.
            escape_markup: std::thread::spawn(server_renders_markup)
                .join()
                .unwrap_or(true),
        }
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
fn server_renders_markup() -> bool {
    // If the server cannot be asked, escaping is the safe side.
    notify_rust::get_capabilities()
        .map(|caps| caps.iter().any(|c| c == "body-markup"))
        .unwrap_or(true)
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn server_renders_markup() -> bool {
    false
}

/// `&`, `<` and `>` as entities, for servers that render body markup.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The notification urgency of a severity.
pub fn urgency(severity: Severity) -> notify_rust::Urgency {
    match severity {
        Severity::Critical => notify_rust::Urgency::Critical,
        Severity::High | Severity::Medium => notify_rust::Urgency::Normal,
        Severity::Low | Severity::Info => notify_rust::Urgency::Low,
    }
}

/// What the actions are called.
fn labels(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::En => ("Open", "Mark as read"),
        Lang::De => ("Öffnen", "Als gelesen markieren"),
    }
}

impl Notifier for Desktop {
    fn show(&self, notification: Notification) {
        let (open, mark_read) = labels(self.engine.lang());
        let body = if self.escape_markup {
            escape_markup(&notification.body)
        } else {
            notification.body.clone()
        };
        let shown = Shown {
            summary: notification.summary,
            body,
            open,
            mark_read: matches!(notification.target, Target::Alert(_)).then_some(mark_read),
            severity: notification.severity,
            icon: self.icon.clone(),
            app_id: crate::IDENTIFIER.to_owned(),
        };
        // A thread of its own: the platforms' calls block (notify-rust's D-Bus calls may start
        // their own runtime, which must not happen on one of the engine's), and on Linux and macOS
        // the thread then waits for the notification's click until it closes.
        let shell = self.shell.clone();
        let engine = self.engine.clone();
        let target = notification.target;
        let spawned = std::thread::Builder::new()
            .name("notification".into())
            .spawn(move || {
                let summary = shown.summary.clone();
                let result = platform::show(shown, move |click| {
                    on_click(&shell, &engine, &target, click);
                });
                match result {
                    Ok(()) => tracing::debug!(%summary, "notification shown"),
                    Err(e) => tracing::warn!(error = %e, "could not show a notification"),
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "could not start a thread for a notification");
        }
    }
}

/// A notification to show, in the words every platform needs.
struct Shown {
    summary: String,
    body: String,
    open: &'static str,
    /// The "Mark as read" button's label, for a notification about one alert.
    mark_read: Option<&'static str>,
    #[cfg_attr(not(all(unix, not(target_os = "macos"))), allow(dead_code))]
    severity: Severity,
    icon: Option<PathBuf>,
    /// The bundle identifier: the AppUserModelID on Windows, the bundle id on macOS.
    #[cfg_attr(all(unix, not(target_os = "macos")), allow(dead_code))]
    app_id: String,
}

#[cfg(all(unix, not(target_os = "macos")))]
mod platform {
    use super::{Click, Shown, click, urgency};

    /// Shows `shown` over D-Bus and waits for its actions until it closes.
    pub(super) fn show(shown: Shown, on_click: impl Fn(Click)) -> Result<(), String> {
        let mut note = notify_rust::Notification::new();
        note.appname("Hookbell")
            .summary(&shown.summary)
            .body(&shown.body)
            .action(click::OPEN, shown.open)
            .urgency(urgency(shown.severity))
            .hint(notify_rust::Hint::Category("im.received".into()));
        if let Some(icon) = &shown.icon {
            note.icon(&icon.display().to_string());
        }
        if let Some(label) = shown.mark_read {
            note.action(click::MARK_READ, label);
        }
        let handle = note.show().map_err(|e| e.to_string())?;
        handle.wait_for_action(|action| on_click(Click::from_action(Some(action))));
        Ok(())
    }
}

#[cfg(windows)]
mod platform {
    use tauri_winrt_notification::{IconCrop, Toast};

    use super::{Click, Shown, click};

    /// Shows `shown` as a toast; its activation (body or button) calls `on_click` later, on a
    /// thread of Windows', while Hookbell runs.
    pub(super) fn show(
        shown: Shown,
        on_click: impl Fn(Click) + Send + 'static,
    ) -> Result<(), String> {
        let mut toast = Toast::new(&shown.app_id)
            .title(&shown.summary)
            .text1(&shown.body)
            .add_button(shown.open, click::OPEN);
        if let Some(label) = shown.mark_read {
            toast = toast.add_button(label, click::MARK_READ);
        }
        if let Some(icon) = &shown.icon {
            toast = toast.icon(icon, IconCrop::Square, "Hookbell");
        }
        toast
            .on_activated(move |action| {
                on_click(Click::from_action(action.as_deref()));
                Ok(())
            })
            .show()
            .map_err(|e| e.to_string())
    }
}

#[cfg(target_os = "macos")]
mod platform {
    use mac_notification_sys::{MainButton, Notification, NotificationResponse};

    use super::{Click, Shown};

    /// Shows `shown` under the app's bundle identifier and waits for its click.
    pub(super) fn show(shown: Shown, on_click: impl Fn(Click)) -> Result<(), String> {
        static APPLICATION: std::sync::Once = std::sync::Once::new();
        APPLICATION.call_once(|| {
            if let Err(e) = mac_notification_sys::set_application(&shown.app_id) {
                tracing::warn!(error = %e, "could not set the notifications' application");
            }
        });
        let icon = shown.icon.as_ref().map(|p| p.display().to_string());
        let mut note = Notification::new();
        note.title(&shown.summary)
            .message(&shown.body)
            .wait_for_click(true);
        if let Some(label) = shown.mark_read {
            note.main_button(MainButton::SingleAction(label));
        }
        if let Some(icon) = &icon {
            note.content_image(icon);
        }
        let click = match note.send().map_err(|e| e.to_string())? {
            NotificationResponse::Click => Click::Open,
            NotificationResponse::ActionButton(_) => Click::MarkRead,
            _ => Click::Dismissed,
        };
        on_click(click);
        Ok(())
    }
}

/// What a click on a notification about `target` does.
pub fn on_click(shell: &Shell, engine: &Engine, target: &Target, click: Click) {
    if let Some(route) = click.route(target) {
        shell.windows.show(Some(&route));
    }
    if let Some(id) = click.marks_read(target) {
        let engine = engine.clone();
        let id = id.to_owned();
        shell.spawn(async move {
            let patch = AlertPatch {
                read: Some(true),
                done: None,
            };
            if let Err(e) = engine.patch(id, patch).await {
                tracing::warn!(error = %e, "could not mark an alert read");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use hookbell_core::testing::json_delivery;
    use hookbell_core::{Auth, Config, SourceConfig};
    use hookbell_store::SledStore;

    use super::*;

    #[test]
    fn markup_in_provider_text_is_escaped() {
        assert_eq!(
            escape_markup("<a href=\"x\">win</a> & <b>more</b>"),
            "&lt;a href=\"x\"&gt;win&lt;/a&gt; &amp; &lt;b&gt;more&lt;/b&gt;"
        );
    }

    #[test]
    fn urgency_follows_severity() {
        use notify_rust::Urgency;
        assert_eq!(urgency(Severity::Critical), Urgency::Critical);
        assert_eq!(urgency(Severity::High), Urgency::Normal);
        assert_eq!(urgency(Severity::Medium), Urgency::Normal);
        assert_eq!(urgency(Severity::Low), Urgency::Low);
        assert_eq!(urgency(Severity::Info), Urgency::Low);
    }

    /// "Mark as read" against a real engine over sled (no window program: nothing opens).
    #[test]
    fn the_mark_as_read_action_marks_the_alert_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SledStore::open(dir.path()).expect("store");
        let config = Config {
            sources: vec![SourceConfig {
                id: "feed".into(),
                provider: "generic".into(),
                name: None,
                auth: Auth::None,
            }],
            ..Config::default()
        };
        let engine = Engine::new(Arc::new(store), config);
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let body = r#"{"id": "a1", "title": "Leak", "severity": "high"}"#;
        let outcome = runtime
            .block_on(engine.ingest(json_delivery("feed", body)))
            .expect("ingest");
        let id = outcome.alert_ids[0].clone();

        let shell = Shell::new(
            crate::window::Windows::new("/nonexistent/hookbell-window".into()),
            runtime.handle().clone(),
        );
        let target = Target::Alert(id.clone());
        on_click(&shell, &engine, &target, Click::Dismissed);
        on_click(&shell, &engine, &target, Click::MarkRead);
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let alert = engine.store().alert(&id).expect("read").expect("alert");
            if alert.read {
                break;
            }
            assert!(Instant::now() < deadline, "the alert was not marked read");
            std::thread::yield_now();
        }
    }
}
