//! The event bus: what the engine announces after each durable change. The desktop notifier
//! and `/api/events` (SSE) subscribe to it.

use hookbell_core::Alert;
use hookbell_store::Stats;
use tokio::sync::broadcast;

/// Something that changed, announced after it is on disk.
#[derive(Debug, Clone)]
pub enum Event {
    /// A new alert arrived (duplicates never give this). One the provider already reports
    /// closed arrives done, and does not notify.
    AlertCreated(Box<Alert>),
    /// An alert changed: read/done, or a repeat grew its `seen_count` (a repeat the provider
    /// says closed its alert made it done, and gives only this).
    AlertUpdated(Box<Alert>),
    /// A done alert the provider reopened, or one whose severity it raised (escalated): not
    /// done and unread again. The UI shows it as an update (`updated`); the notifier treats it
    /// as a new alert.
    AlertReopened(Box<Alert>),
    /// An alert was deleted.
    AlertDeleted(String),
    /// The counters after a change.
    Stats(Box<Stats>),
}

/// Sender side of the bus. Cheap to clone. Sending with no subscriber is fine.
#[derive(Debug, Clone)]
pub struct EventBus(broadcast::Sender<Event>);

impl EventBus {
    /// A bus that keeps up to `capacity` events for slow subscribers (who then skip ahead).
    pub fn new(capacity: usize) -> Self {
        EventBus(broadcast::channel(capacity).0)
    }

    /// Announces an event.
    pub fn publish(&self, event: Event) {
        let _ = self.0.send(event);
    }

    /// Whether anyone listens; events built for nobody are not worth building.
    pub fn has_subscribers(&self) -> bool {
        self.0.receiver_count() > 0
    }

    /// A new subscription, starting now.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.0.subscribe()
    }
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus::new(1024)
    }
}
