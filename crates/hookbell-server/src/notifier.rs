//! Turns new alerts into desktop notifications: listens on the event bus, applies the user's
//! rules, folds bursts (see [`hookbell_core::notify`]), and hands each [`Notification`] to a
//! [`Notifier`], which the desktop shell implements with the OS's notification service.
//! Duplicates never arrive here: a repeat is an `updated` event, not a new alert. A done alert
//! the provider reopened, or one whose severity it raised, notifies as a new one; one it
//! closed, or reports closed from the start (created done), does not.

use std::sync::Arc;
use std::time::Duration;

use hookbell_core::notify::{Coalescer, Show};
use hookbell_core::{Alert, Notification};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use crate::engine::Engine;
use crate::events::Event;

/// Shows notifications. Called from the notifier task; must not block for long.
pub trait Notifier: Send + Sync + 'static {
    /// Shows `notification`.
    fn show(&self, notification: Notification);
}

/// How long to wait for more alerts of the same moment before deciding (alerts of one
/// delivery are published together; this lets them arrive as one batch).
const GATHER: Duration = Duration::from_millis(15);
/// The longest source name a summary uses; longer names give way to the source id.
const MAX_NAME: usize = 24;
/// The longest a batch keeps gathering under a steady stream.
const GATHER_MAX: Duration = Duration::from_millis(60);

/// Runs until the event bus closes: every new alert the rules let through is shown, bursts
/// folded into summaries.
pub async fn run(engine: Engine, notifier: Arc<dyn Notifier>) {
    let mut events = engine.events().subscribe();
    let mut coalescer = Coalescer::default();
    loop {
        let deadline = coalescer.deadline().map(Instant::from_std);
        let first = tokio::select! {
            event = events.recv() => event,
            () = sleep_until(deadline) => {
                if let Some(Show::Summary(alerts)) = coalescer.tick(std::time::Instant::now()) {
                    show_summary(&engine, notifier.as_ref(), &alerts);
                }
                continue;
            }
        };
        let mut batch = Vec::new();
        match first {
            Ok(Event::AlertCreated(alert) | Event::AlertReopened(alert)) if !alert.done => {
                batch.push(*alert)
            }
            Ok(_) => continue,
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "notifier fell behind; some alerts were not notified"
                );
                continue;
            }
            Err(RecvError::Closed) => return,
        }
        gather(&mut events, &mut batch).await;
        let allowed = allowed(&engine, batch);
        for show in coalescer.push(allowed, std::time::Instant::now()) {
            match show {
                Show::Single(alert) => notifier.show(Notification::single(&alert, engine.lang())),
                Show::Summary(alerts) => show_summary(&engine, notifier.as_ref(), &alerts),
            }
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Adds the new alerts that follow within [`GATHER`] of each other to `batch`.
async fn gather(events: &mut tokio::sync::broadcast::Receiver<Event>, batch: &mut Vec<Alert>) {
    let until = Instant::now() + GATHER_MAX;
    loop {
        let wait = GATHER.min(until.saturating_duration_since(Instant::now()));
        match tokio::time::timeout(wait, events.recv()).await {
            Ok(Ok(Event::AlertCreated(alert) | Event::AlertReopened(alert))) if !alert.done => {
                batch.push(*alert)
            }
            Ok(Ok(_) | Err(RecvError::Lagged(_))) => {}
            Ok(Err(RecvError::Closed)) | Err(_) => return,
        }
    }
}

/// The alerts of `batch` that the user's rules let notify now.
fn allowed(engine: &Engine, batch: Vec<Alert>) -> Vec<Alert> {
    let rules = engine.notification_settings();
    let now = chrono::Utc::now();
    let local = chrono::Local::now().time();
    batch
        .into_iter()
        .filter(|alert| match rules.check(alert, now, local) {
            Ok(()) => true,
            Err(why) => {
                tracing::debug!(alert = %alert.id, ?why, "no notification");
                false
            }
        })
        .collect()
}

fn show_summary(engine: &Engine, notifier: &dyn Notifier, alerts: &[Alert]) {
    if alerts.is_empty() {
        return;
    }
    let name = alerts
        .first()
        .map(|first| match engine.source(&first.source) {
            Some(source) if source.display_name().chars().count() <= MAX_NAME => {
                source.display_name().to_owned()
            }
            _ => first.source.clone(),
        });
    notifier.show(Notification::burst(alerts, name.as_deref(), engine.lang()));
}

#[cfg(test)]
mod tests;
