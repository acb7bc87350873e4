//! Native notifications with notify-rust. The engine's notifier decides what to show
//! ([`hookbell_server::notifier`]); this shows it and handles the clicks: on Linux the
//! `default` action (a click on the notification's body) opens the window on the alert, and
//! "Mark as read" marks it read. Each shown notification's actions are awaited on a thread of
//! their own, because `wait_for_action` blocks until the notification closes.
//!
//! Provider text is untrusted: when the notification server renders markup in bodies
//! (`body-markup`), `&`, `<` and `>` are escaped so a title can never become a link or markup.

use std::path::{Path, PathBuf};

use hookbell_core::notify::Target;
use hookbell_core::{AlertPatch, Lang, Notification, Severity};
use hookbell_server::{Engine, Notifier};
use tauri::{AppHandle, Runtime};

use crate::window;

/// The notification icon, written next to the data so the notification server can read it.
const ICON: &[u8] = include_bytes!("../icons/notification.png");

/// Shows notifications on this desktop.
pub struct Desktop<R: Runtime> {
    app: AppHandle<R>,
    engine: Engine,
    icon: Option<PathBuf>,
    escape_markup: bool,
}

impl<R: Runtime> Desktop<R> {
    /// A notifier for `app`, whose actions act on `engine`.
    pub fn new(app: AppHandle<R>, engine: Engine, data_dir: &Path) -> Self {
        let icon = data_dir.join("hookbell-notification.png");
        let icon = match std::fs::write(&icon, ICON) {
            Ok(()) => Some(icon),
            Err(e) => {
                tracing::warn!(error = %e, "could not write the notification icon");
                None
            }
        };
        Desktop {
            app,
            engine,
            icon,
            escape_markup: server_renders_markup(),
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

impl<R: Runtime> Notifier for Desktop<R> {
    fn show(&self, notification: Notification) {
        let (open, mark_read) = labels(self.engine.lang());
        let body = if self.escape_markup {
            escape_markup(&notification.body)
        } else {
            notification.body.clone()
        };
        let mut note = notify_rust::Notification::new();
        note.appname("Hookbell")
            .summary(&notification.summary)
            .body(&body)
            .action("default", open);
        if let Some(icon) = &self.icon {
            note.icon(&icon.display().to_string());
        }
        if matches!(notification.target, Target::Alert(_)) {
            note.action("read", mark_read);
        }
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            note.urgency(urgency(notification.severity));
            note.hint(notify_rust::Hint::Category("im.received".into()));
        }
        // A thread of its own: notify-rust's D-Bus calls block (and may start their own
        // runtime, which must not happen on one of Tauri's), and on Linux the thread then
        // waits for the notification's actions until it closes.
        let app = self.app.clone();
        let engine = self.engine.clone();
        let target = notification.target;
        let summary = notification.summary;
        let spawned = std::thread::Builder::new()
            .name("notification".into())
            .spawn(move || {
                let handle = match note.show() {
                    Ok(handle) => handle,
                    Err(e) => {
                        tracing::warn!(error = %e, "could not show a notification");
                        return;
                    }
                };
                tracing::debug!(%summary, "notification shown");
                #[cfg(all(unix, not(target_os = "macos")))]
                handle.wait_for_action(|action| on_action(&app, &engine, &target, action));
                #[cfg(not(all(unix, not(target_os = "macos"))))]
                let _ = (handle, app, engine, target);
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "could not start a thread for a notification");
        }
    }
}

/// What a click on a notification does.
pub fn on_action<R: Runtime>(app: &AppHandle<R>, engine: &Engine, target: &Target, action: &str) {
    match action {
        "default" => window::show(app, Some(&target.route())),
        "read" => {
            if let Target::Alert(id) = target {
                let engine = engine.clone();
                let id = id.clone();
                tauri::async_runtime::spawn(async move {
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
        _ => {} // "__closed": dismissed or expired.
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

    /// "Mark as read" on Tauri's mock runtime, against a real engine over sled.
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
        let body = r#"{"id": "a1", "title": "Leak", "severity": "high"}"#;
        let outcome = tauri::async_runtime::block_on(engine.ingest(json_delivery("feed", body)))
            .expect("ingest");
        let id = outcome.alert_ids[0].clone();

        let app = tauri::test::mock_app();
        on_action(
            app.handle(),
            &engine,
            &Target::Alert(id.clone()),
            "__closed",
        );
        on_action(app.handle(), &engine, &Target::Alert(id.clone()), "read");
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
