//! smee.io-style channels as a relay (`[[smee]]` in hookbell.toml): the desktop follows the
//! channel's Server-Sent Events stream and feeds every delivery it carries into
//! [`Engine::ingest`] for the channel's source, as if it had been posted to `/hooks/{source}`.
//!
//! The caveats, which the docs repeat: such a channel forwards a *parsed* body (smee sends the
//! request's headers, its JSON body as a JSON value, its query and the time it arrived), so the
//! body Hookbell sees is the compact re-serialization of that value. A signature over the
//! original bytes verifies only when the sender sent compact JSON; otherwise the delivery is
//! refused as unauthorized like any other. The channel keeps nothing for a client that is not
//! connected, so deliveries made while the desktop is offline are lost; Hookbell's own relay
//! has neither problem.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use hookbell_core::{Delivery, Headers, SmeeChannel};
use hookbell_relay::backoff::Backoff;
use serde::Serialize;
use tokio::task::JoinSet;

use crate::engine::{Engine, IngestError};

/// Headers describing the original request's bytes, which no longer match the body.
const DROPPED_HEADERS: &[&str] = &["content-length", "transfer-encoding", "host", "connection"];

/// The longest wait between attempts to reach a channel.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// A stream that sends no event for this long is taken for dead and opened again (a laptop
/// that slept may keep a connection that will never speak again). A quiet but healthy channel
/// only costs a reconnect.
const SILENCE: Duration = Duration::from_secs(90);

/// Why a channel's message is not a delivery.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    /// The data is not a JSON object.
    #[error("the channel sent something other than a JSON object: {0}")]
    NotAnObject(String),
    /// The object has no `body`.
    #[error("the channel's message has no body")]
    NoBody,
}

/// Turns one message of a smee-style channel into the delivery it describes, for `source_id`.
/// `now` stands in for the arrival time when the message does not carry `timestamp`.
pub fn delivery_from_message(
    source_id: &str,
    data: &str,
    now: DateTime<Utc>,
) -> Result<Delivery, MessageError> {
    let value: serde_json::Value =
        serde_json::from_str(data).map_err(|e| MessageError::NotAnObject(e.to_string()))?;
    let serde_json::Value::Object(mut members) = value else {
        return Err(MessageError::NotAnObject(
            "a JSON value that is not an object".into(),
        ));
    };
    let body = members.remove("body").ok_or(MessageError::NoBody)?;
    members.remove("query");
    let received_at = members
        .remove("timestamp")
        .and_then(|t| t.as_i64())
        .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
        .unwrap_or(now);
    let headers: Headers = members
        .iter()
        .filter(|(name, _)| !DROPPED_HEADERS.contains(&name.to_ascii_lowercase().as_str()))
        .filter_map(|(name, value)| value.as_str().map(|v| (name.as_str(), v)))
        .collect();
    let body = match body {
        // A body the channel could not parse comes as text; it is passed on as it is.
        serde_json::Value::String(text) => text.into_bytes(),
        other => serde_json::to_vec(&other).unwrap_or_default(),
    };
    Ok(Delivery {
        source_id: source_id.to_owned(),
        received_at,
        peer: None,
        headers,
        body,
    })
}

/// How one followed channel is doing, for `GET /api/relay`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SmeeStatus {
    /// The channel's URL.
    pub url: String,
    /// The source its deliveries go to.
    pub source: String,
    /// `connecting`, `connected` or `disconnected`.
    pub state: String,
    /// When its last delivery was stored (RFC 3339).
    pub last_delivery_at: Option<String>,
    /// Deliveries taken from it since start.
    pub delivered: u64,
    /// The last problem: a connection error, or a delivery the engine refused.
    pub last_error: Option<String>,
}

/// Follows every `[[smee]]` channel of the config until dropped or stopped.
#[derive(Default)]
pub struct Smee {
    statuses: Arc<RwLock<Vec<SmeeStatus>>>,
    tasks: Option<JoinSet<()>>,
}

impl Smee {
    /// Starts following each channel.
    pub fn start(engine: &Engine, channels: &[SmeeChannel]) -> Smee {
        Smee::start_with(engine, channels, SILENCE)
    }

    /// [`Smee::start`], taking a stream that is silent for `silence` for dead.
    fn start_with(engine: &Engine, channels: &[SmeeChannel], silence: Duration) -> Smee {
        let statuses: Vec<SmeeStatus> = channels
            .iter()
            .map(|c| SmeeStatus {
                url: c.url.clone(),
                source: c.source.clone(),
                state: "connecting".into(),
                last_delivery_at: None,
                delivered: 0,
                last_error: None,
            })
            .collect();
        let statuses = Arc::new(RwLock::new(statuses));
        let mut tasks = JoinSet::new();
        for (index, channel) in channels.iter().enumerate() {
            let follower = Follower {
                engine: engine.clone(),
                channel: channel.clone(),
                statuses: statuses.clone(),
                index,
                silence,
            };
            tasks.spawn(follower.run());
        }
        Smee {
            statuses,
            tasks: Some(tasks),
        }
    }

    /// Each channel's status, in config order.
    pub fn status(&self) -> Vec<SmeeStatus> {
        match self.statuses.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Stops following (a delivery being stored finishes first only if it is already in the
    /// store's hands: the channel would not send it again anyway).
    pub async fn stop(&mut self) {
        if let Some(mut tasks) = self.tasks.take() {
            tasks.shutdown().await;
        }
    }
}

struct Follower {
    engine: Engine,
    channel: SmeeChannel,
    statuses: Arc<RwLock<Vec<SmeeStatus>>>,
    index: usize,
    silence: Duration,
}

impl Follower {
    fn update(&self, f: impl FnOnce(&mut SmeeStatus)) {
        let mut statuses = match self.statuses.write() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(status) = statuses.get_mut(self.index) {
            f(status);
        }
    }

    async fn run(self) {
        let http = reqwest::Client::new();
        let mut backoff = Backoff::new(Duration::from_secs(1), MAX_BACKOFF);
        loop {
            let mut connected = false;
            let error = match self.follow(&http, &mut connected).await {
                Ok(()) => "the channel closed the stream".to_owned(),
                Err(e) => e,
            };
            tracing::warn!(url = %self.channel.url, %error, "smee channel lost; reconnecting");
            self.update(|s| {
                s.state = "disconnected".into();
                s.last_error = Some(error);
            });
            // A connection that worked starts the backoff over.
            if connected {
                backoff.reset();
            }
            tokio::time::sleep(backoff.next_wait()).await;
            self.update(|s| s.state = "connecting".into());
        }
    }

    /// One connection: reads events until the stream ends or fails.
    async fn follow(&self, http: &reqwest::Client, connected: &mut bool) -> Result<(), String> {
        let response = http
            .get(&self.channel.url)
            .header("accept", "text/event-stream")
            .send()
            .await
            .map_err(|e| format!("cannot reach the channel: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("the channel answered {}", response.status()));
        }
        *connected = true;
        self.update(|s| {
            s.state = "connected".into();
            s.last_error = None;
        });
        tracing::info!(url = %self.channel.url, source = %self.channel.source, "following a smee channel");
        let mut events = response.bytes_stream().eventsource();
        loop {
            let Ok(next) = tokio::time::timeout(self.silence, events.next()).await else {
                return Err(format!(
                    "no word from the channel for {} s",
                    self.silence.as_secs()
                ));
            };
            let Some(event) = next else { break };
            let event = event.map_err(|e| format!("the stream broke: {e}"))?;
            // smee sends `ready` on connect and `ping` now and then; deliveries are messages.
            if !(event.event.is_empty() || event.event == "message") {
                continue;
            }
            self.deliver(&event.data).await;
        }
        Ok(())
    }

    async fn deliver(&self, data: &str) {
        let now = Utc::now();
        let delivery = match delivery_from_message(&self.channel.source, data, now) {
            // The channel's time is its claim: bounded as a relay's is.
            Ok(mut delivery) => {
                delivery.received_at = crate::relay::clamp_received_at(delivery.received_at, now);
                delivery
            }
            Err(e) => {
                tracing::warn!(url = %self.channel.url, error = %e, "smee message skipped");
                self.update(|s| s.last_error = Some(e.to_string()));
                return;
            }
        };
        match self.engine.ingest(delivery).await {
            Ok(_) | Err(IngestError::Quarantined { .. }) => self.update(|s| {
                s.delivered += 1;
                s.last_delivery_at = Some(Utc::now().to_rfc3339());
            }),
            Err(e) => {
                let hint = if matches!(e, IngestError::Unauthorized(_)) {
                    " (smee re-serializes bodies, so signatures over the original bytes may not verify)"
                } else {
                    ""
                };
                self.update(|s| s.last_error = Some(format!("{e}{hint}")));
            }
        }
    }
}

#[cfg(test)]
mod tests;
