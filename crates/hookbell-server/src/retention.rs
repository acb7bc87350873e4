//! Retention: alerts last seen longer ago than the user's `retention_days` (and deliveries
//! received that long ago) are deleted at start, when the setting changes, and every hour
//! after. A purged alert's dedup key goes with it, so an alert retention deleted is never
//! suppressed: the same alert reported again is a new alert that notifies (see
//! `hookbell_store::Store::purge_before`). The exception is an alert the user deleted: its
//! dedup key is kept on purpose and retention never removes it, so a repeat of it stays
//! suppressed for good, unless its provider reopens it (then it is created again and
//! notifies). The hourly run also forgets the relay's marks of envelopes too old to come again
//! ([`crate::relay::prune_envelope_marks`]).

use std::time::Duration;

use hookbell_store::Purged;

use crate::engine::Engine;

/// How often the retention runs on its own.
const EVERY: Duration = Duration::from_secs(60 * 60);

/// Deletes what is older than the retention allows, now. Nothing when alerts are kept forever.
pub async fn apply(engine: &Engine) -> Result<Purged, hookbell_store::StoreError> {
    apply_as_of(engine, chrono::Utc::now()).await
}

/// [`apply`] as it would run at `now`: what tests use to step past the retention window
/// without waiting days.
pub async fn apply_as_of(
    engine: &Engine,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Purged, hookbell_store::StoreError> {
    let Some(days) = engine.retention_days() else {
        return Ok(Purged::default());
    };
    let cutoff = now - chrono::Duration::days(i64::from(days));
    // The store deletes in bounded steps so deliveries are served in between; go until done.
    let mut purged = Purged::default();
    loop {
        let step = engine.store().purge_before(cutoff).await?;
        purged.alerts += step.alerts;
        purged.deliveries += step.deliveries;
        if !step.more {
            break;
        }
    }
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
