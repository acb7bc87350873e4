//! Retention: alerts (and their deliveries) older than the user's `retention_days` are deleted
//! at start, when the setting changes, and every hour after. The hourly run also forgets the
//! relay's marks of envelopes too old to come again ([`crate::relay::prune_envelope_marks`]).

use std::time::Duration;

use hookbell_store::Purged;

use crate::engine::Engine;

/// How often the retention runs on its own.
const EVERY: Duration = Duration::from_secs(60 * 60);

/// Deletes what is older than the retention allows, now. Nothing when alerts are kept forever.
pub async fn apply(engine: &Engine) -> Result<Purged, hookbell_store::StoreError> {
    let Some(days) = engine.retention_days() else {
        return Ok(Purged::default());
    };
    let cutoff = chrono::Utc::now() - chrono::Duration::days(i64::from(days));
    let purged = engine.store().purge_before(cutoff).await?;
    if purged.alerts > 0 || purged.deliveries > 0 {
        tracing::info!(
            days,
            alerts = purged.alerts,
            deliveries = purged.deliveries,
            "retention: deleted old alerts"
        );
        engine.publish_stats();
    }
    Ok(purged)
}

/// Runs [`apply`] now and then every hour, until the task is dropped.
pub async fn run(engine: Engine) {
    let mut every = tokio::time::interval(EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(e) = apply(&engine).await {
            tracing::error!(error = %e, "retention failed; will retry in an hour");
        }
        if let Err(e) = crate::relay::prune_envelope_marks(&engine).await {
            tracing::error!(error = %e, "could not prune the relay's envelope marks");
        }
    }
}
