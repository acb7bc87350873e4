//! The tray: an icon with the unread count drawn in, a tooltip, and a menu with Show
//! Hookbell, the five newest unread alerts, Pause notifications (1 hour / until tomorrow) or
//! Resume, Start at login, and Quit. Linux trays deliver no clicks on the icon itself, so
//! everything is in the menu. It follows the engine's events and redraws when counts change.

use std::time::Duration;

use hookbell_core::{Lang, Severity, Status};
use hookbell_server::engine::NOTIFICATIONS_SETTING;
use hookbell_server::{Engine, Event};
use hookbell_store::AlertQuery;
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_autostart::ManagerExt as _;

use crate::{badge, lifecycle, window};

const TRAY: &str = "main";
/// How many unread alerts the menu lists.
const NEWEST: usize = 5;
/// Changes closer together than this redraw the tray once.
const SETTLE: Duration = Duration::from_millis(250);

/// Creates the tray icon.
pub fn create<R: Runtime>(app: &AppHandle<R>, engine: &Engine) -> tauri::Result<()> {
    let view = View::read(engine);
    TrayIconBuilder::with_id(TRAY)
        .icon(view.icon()?)
        .tooltip(view.tooltip())
        .menu(&view.menu(app)?)
        .show_menu_on_left_click(true)
        .on_menu_event(on_menu)
        .build(app)?;
    Ok(())
}

/// Redraws the tray whenever alerts change, until the event bus closes.
pub async fn follow<R: Runtime>(app: AppHandle<R>, engine: Engine) {
    let mut events = engine.events().subscribe();
    loop {
        match events.recv().await {
            Ok(Event::Stats(_)) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
            Ok(_) => continue,
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        }
        // Let a burst finish, then draw once.
        let _ = tokio::time::timeout(SETTLE, async { while events.recv().await.is_ok() {} }).await;
        if let Err(e) = refresh(&app, &engine) {
            tracing::warn!(error = %e, "could not update the tray");
        }
    }
}

/// Redraws the tray from the store.
pub fn refresh<R: Runtime>(app: &AppHandle<R>, engine: &Engine) -> tauri::Result<()> {
    let view = View::read(engine);
    if let Some(tray) = app.tray_by_id(TRAY) {
        tray.set_icon(Some(view.icon()?))?;
        tray.set_tooltip(Some(view.tooltip()))?;
        tray.set_menu(Some(view.menu(app)?))?;
    }
    if let Some(window) = app.get_webview_window(window::MAIN) {
        // Where the platform has a badge (macOS dock, some Linux launchers).
        let count = i64::try_from(view.unread).ok().filter(|n| *n > 0);
        let _ = window.set_badge_count(count);
    }
    Ok(())
}

/// What the tray shows, read from the engine.
struct View {
    unread: u64,
    newest: Vec<(String, Severity, String)>,
    paused_until: Option<chrono::DateTime<chrono::Utc>>,
    lang: Lang,
}

impl View {
    fn read(engine: &Engine) -> View {
        let unread = engine.store().stats().map(|s| s.unread).unwrap_or(0);
        let query = AlertQuery {
            status: Some(Status::Unread),
            limit: Some(NEWEST),
            ..AlertQuery::default()
        };
        let newest = engine
            .store()
            .alerts(&query)
            .map(|page| {
                page.alerts
                    .into_iter()
                    .map(|a| (a.id, a.severity, a.title))
                    .collect()
            })
            .unwrap_or_default();
        let paused_until = engine
            .notification_settings()
            .paused_until
            .filter(|until| *until > chrono::Utc::now());
        View {
            unread,
            newest,
            paused_until,
            lang: engine.lang(),
        }
    }

    fn icon(&self) -> tauri::Result<Image<'static>> {
        let base = Image::from_bytes(badge::TRAY_PNG)?;
        let (width, height) = (base.width(), base.height());
        let mut rgba = base.rgba().to_vec();
        if let Some(text) = badge::label(self.unread) {
            badge::paint(&mut rgba, width, height, &text);
        }
        Ok(Image::new_owned(rgba, width, height))
    }

    fn tooltip(&self) -> String {
        match (self.unread, self.lang) {
            (0, Lang::En) => "Hookbell: nothing unread".into(),
            (0, Lang::De) => "Hookbell: nichts ungelesen".into(),
            (n, Lang::En) => format!("Hookbell: {n} unread"),
            (n, Lang::De) => format!("Hookbell: {n} ungelesen"),
        }
    }

    fn menu<R: Runtime>(&self, app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
        let t = |en: &'static str, de: &'static str| self.lang.pick(en, de).to_owned();
        let menu = Menu::new(app)?;
        menu.append(&MenuItem::with_id(
            app,
            "show",
            t("Show Hookbell", "Hookbell zeigen"),
            true,
            None::<&str>,
        )?)?;
        menu.append(&PredefinedMenuItem::separator(app)?)?;
        if self.newest.is_empty() {
            menu.append(&MenuItem::with_id(
                app,
                "none",
                t("No unread alerts", "Keine ungelesenen Meldungen"),
                false,
                None::<&str>,
            )?)?;
        }
        for (id, severity, title) in &self.newest {
            let word = hookbell_core::notify::severity_word(*severity, self.lang);
            let text = hookbell_core::providers::text::clip(&format!("{word} · {title}"), 60);
            menu.append(&MenuItem::with_id(
                app,
                format!("alert:{id}"),
                text,
                true,
                None::<&str>,
            )?)?;
        }
        menu.append(&PredefinedMenuItem::separator(app)?)?;
        match self.paused_until {
            Some(until) => {
                let local = until.with_timezone(&chrono::Local).format("%H:%M");
                let text = match self.lang {
                    Lang::En => format!("Resume notifications (paused until {local})"),
                    Lang::De => format!("Benachrichtigungen fortsetzen (pausiert bis {local})"),
                };
                menu.append(&MenuItem::with_id(app, "resume", text, true, None::<&str>)?)?;
            }
            None => {
                menu.append(&MenuItem::with_id(
                    app,
                    "pause-hour",
                    t(
                        "Pause notifications for 1 hour",
                        "Benachrichtigungen 1 Stunde pausieren",
                    ),
                    true,
                    None::<&str>,
                )?)?;
                menu.append(&MenuItem::with_id(
                    app,
                    "pause-tomorrow",
                    t(
                        "Pause notifications until tomorrow",
                        "Benachrichtigungen bis morgen pausieren",
                    ),
                    true,
                    None::<&str>,
                )?)?;
            }
        }
        let autostart = app.autolaunch().is_enabled().unwrap_or(false);
        menu.append(&CheckMenuItem::with_id(
            app,
            "autostart",
            t("Start at login", "Beim Anmelden starten"),
            true,
            autostart,
            None::<&str>,
        )?)?;
        menu.append(&PredefinedMenuItem::separator(app)?)?;
        menu.append(&MenuItem::with_id(
            app,
            "quit",
            t("Quit Hookbell", "Hookbell beenden"),
            true,
            None::<&str>,
        )?)?;
        Ok(menu)
    }
}

/// Tomorrow at 08:00 local time, as UTC.
fn tomorrow_morning() -> chrono::DateTime<chrono::Utc> {
    let now = chrono::Local::now();
    let morning = (now.date_naive() + chrono::Days::new(1))
        .and_hms_opt(8, 0, 0)
        .and_then(|t| t.and_local_timezone(chrono::Local).earliest());
    morning.map_or_else(
        || chrono::Utc::now() + chrono::Duration::hours(12),
        |t| t.with_timezone(&chrono::Utc),
    )
}

fn on_menu<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    let id = event.id().as_ref();
    match id {
        "show" => window::show(app, None),
        "quit" => lifecycle::quit(app),
        "pause-hour" => pause(app, Some(chrono::Utc::now() + chrono::Duration::hours(1))),
        "pause-tomorrow" => pause(app, Some(tomorrow_morning())),
        "resume" => pause(app, None),
        "autostart" => {
            let launcher = app.autolaunch();
            let result = if launcher.is_enabled().unwrap_or(false) {
                launcher.disable()
            } else {
                launcher.enable()
            };
            if let Err(e) = result {
                tracing::warn!(error = %e, "could not change start at login");
            }
        }
        other => {
            if let Some(alert) = other.strip_prefix("alert:") {
                window::show(app, Some(&format!("#/alerts/{alert}")));
            }
        }
    }
}

/// Pauses notifications until `until` (or resumes with `None`), then redraws the menu.
fn pause<R: Runtime>(app: &AppHandle<R>, until: Option<chrono::DateTime<chrono::Utc>>) {
    let Some(engine) = app.try_state::<Engine>().map(|e| e.inner().clone()) else {
        return;
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut rules = engine.notification_settings();
        rules.paused_until = until;
        let saved = match serde_json::to_value(&rules) {
            Ok(value) => engine
                .store()
                .set_setting(NOTIFICATIONS_SETTING, value)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = saved {
            tracing::warn!(error = %e, "could not pause notifications");
        }
        if let Err(e) = refresh(&app, &engine) {
            tracing::warn!(error = %e, "could not update the tray");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pause_until_tomorrow_ends_at_eight_in_the_morning() {
        let until = tomorrow_morning().with_timezone(&chrono::Local);
        let now = chrono::Local::now();
        assert!(until > now);
        assert!(until - now <= chrono::Duration::hours(33));
        assert_eq!(until.format("%H:%M").to_string(), "08:00");
    }
}
