//! The tray: an icon with the unread count drawn in, a tooltip, and a menu with Show
//! Hookbell, the five newest unread alerts, Pause notifications (1 hour / until tomorrow) or
//! Resume, Start at login, and Quit. Linux trays deliver no clicks on the icon itself, so
//! everything is in the menu. It follows the engine's events and redraws when counts change.
//!
//! `tray-icon` and its menus (muda) without Tauri: what the tray shows ([`View`]) is read from
//! the engine on the runtime, and drawn on the main thread ([`Tray::show`]), which owns the
//! icon (GTK's objects live there).

use std::time::Duration;

use hookbell_core::{Lang, Severity, Status};
use hookbell_server::engine::NOTIFICATIONS_SETTING;
use hookbell_server::{Engine, Event};
use hookbell_store::AlertQuery;
use tray_icon::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tray_icon::{Icon, TrayIcon, TrayIconBuilder};

use crate::{Shell, UserEvent, autostart, badge, lifecycle};

/// How many unread alerts the menu lists.
const NEWEST: usize = 5;
/// Changes closer together than this redraw the tray once.
const SETTLE: Duration = Duration::from_millis(250);

/// The tray icon, on the main thread; none until the engine is up.
#[derive(Default)]
pub struct Tray {
    icon: Option<TrayIcon>,
}

impl Tray {
    /// Draws `view`: creates the icon the first time, then changes it.
    pub fn show(&mut self, view: &View) -> anyhow::Result<()> {
        let menu = view.menu()?;
        let icon = view.icon()?;
        match &self.icon {
            Some(tray) => {
                tray.set_icon(Some(icon))?;
                tray.set_tooltip(Some(view.tooltip()))?;
                tray.set_menu(Some(Box::new(menu)));
            }
            None => {
                self.icon = Some(
                    TrayIconBuilder::new()
                        .with_id("main")
                        .with_icon(icon)
                        .with_tooltip(view.tooltip())
                        .with_menu(Box::new(menu))
                        .with_menu_on_left_click(true)
                        .build()?,
                );
            }
        }
        Ok(())
    }
}

/// Redraws the tray whenever alerts change, until the event bus closes.
pub async fn follow(shell: Shell, engine: Engine) {
    let mut events = engine.events().subscribe();
    loop {
        match events.recv().await {
            Ok(Event::Stats(_)) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
            Ok(_) => continue,
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        }
        // Let a burst finish, then draw once.
        let _ = tokio::time::timeout(SETTLE, async { while events.recv().await.is_ok() {} }).await;
        refresh(&shell, &engine);
    }
}

/// Reads the tray from the store and has the main thread draw it.
pub fn refresh(shell: &Shell, engine: &Engine) {
    shell.send(UserEvent::Tray(View::read(engine)));
}

/// What the tray shows, read from the engine.
#[derive(Debug, Clone)]
pub struct View {
    unread: u64,
    newest: Vec<(String, Severity, String)>,
    paused_until: Option<chrono::DateTime<chrono::Utc>>,
    autostart: bool,
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
            autostart: autostart::is_enabled(),
            lang: engine.lang(),
        }
    }

    fn icon(&self) -> anyhow::Result<Icon> {
        let (mut rgba, width, height) = badge::tray_rgba()?;
        if let Some(text) = badge::label(self.unread) {
            badge::paint(&mut rgba, width, height, &text);
        }
        Ok(Icon::from_rgba(rgba, width, height)?)
    }

    fn tooltip(&self) -> String {
        match (self.unread, self.lang) {
            (0, Lang::En) => "Hookbell: nothing unread".into(),
            (0, Lang::De) => "Hookbell: nichts ungelesen".into(),
            (n, Lang::En) => format!("Hookbell: {n} unread"),
            (n, Lang::De) => format!("Hookbell: {n} ungelesen"),
        }
    }

    fn menu(&self) -> anyhow::Result<Menu> {
        let t = |en: &'static str, de: &'static str| self.lang.pick(en, de).to_owned();
        let menu = Menu::new();
        menu.append(&MenuItem::with_id(
            "show",
            t("Show Hookbell", "Hookbell zeigen"),
            true,
            None,
        ))?;
        menu.append(&PredefinedMenuItem::separator())?;
        if self.newest.is_empty() {
            menu.append(&MenuItem::with_id(
                "none",
                t("No unread alerts", "Keine ungelesenen Meldungen"),
                false,
                None,
            ))?;
        }
        for (id, severity, title) in &self.newest {
            let word = hookbell_core::notify::severity_word(*severity, self.lang);
            let text = hookbell_core::providers::text::clip(&format!("{word} · {title}"), 60);
            menu.append(&MenuItem::with_id(format!("alert:{id}"), text, true, None))?;
        }
        menu.append(&PredefinedMenuItem::separator())?;
        match self.paused_until {
            Some(until) => {
                let local = until.with_timezone(&chrono::Local).format("%H:%M");
                let text = match self.lang {
                    Lang::En => format!("Resume notifications (paused until {local})"),
                    Lang::De => format!("Benachrichtigungen fortsetzen (pausiert bis {local})"),
                };
                menu.append(&MenuItem::with_id("resume", text, true, None))?;
            }
            None => {
                menu.append(&MenuItem::with_id(
                    "pause-hour",
                    t(
                        "Pause notifications for 1 hour",
                        "Benachrichtigungen 1 Stunde pausieren",
                    ),
                    true,
                    None,
                ))?;
                menu.append(&MenuItem::with_id(
                    "pause-tomorrow",
                    t(
                        "Pause notifications until tomorrow",
                        "Benachrichtigungen bis morgen pausieren",
                    ),
                    true,
                    None,
                ))?;
            }
        }
        menu.append(&CheckMenuItem::with_id(
            "autostart",
            t("Start at login", "Beim Anmelden starten"),
            true,
            self.autostart,
            None,
        ))?;
        menu.append(&PredefinedMenuItem::separator())?;
        menu.append(&MenuItem::with_id(
            "quit",
            t("Quit Hookbell", "Hookbell beenden"),
            true,
            None,
        ))?;
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

/// Acts on the tray menu's clicks (on whichever thread the platform delivers them).
pub fn on_menu_events(shell: Shell) {
    MenuEvent::set_event_handler(Some(move |event: MenuEvent| {
        on_menu(&shell, event.id().as_ref())
    }));
}

fn on_menu(shell: &Shell, id: &str) {
    match id {
        "show" => shell.windows.show(None),
        "quit" => lifecycle::quit(shell),
        "pause-hour" => pause(shell, Some(chrono::Utc::now() + chrono::Duration::hours(1))),
        "pause-tomorrow" => pause(shell, Some(tomorrow_morning())),
        "resume" => pause(shell, None),
        "autostart" => {
            autostart::set(!autostart::is_enabled());
            if let Some(engine) = shell.engine() {
                refresh(shell, engine);
            }
        }
        other => {
            if let Some(alert) = other.strip_prefix("alert:") {
                shell.windows.show(Some(&format!("#/alerts/{alert}")));
            }
        }
    }
}

/// Pauses notifications until `until` (or resumes with `None`), then redraws the menu.
fn pause(shell: &Shell, until: Option<chrono::DateTime<chrono::Utc>>) {
    let Some(engine) = shell.engine().cloned() else {
        return;
    };
    let redraw = shell.clone();
    shell.spawn(async move {
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
        refresh(&redraw, &engine);
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
