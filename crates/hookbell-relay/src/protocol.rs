//! The frames of `GET /v1/channels/{id}/stream`, one JSON object per WebSocket text frame.
//!
//! Relay → desktop: [`ServerFrame::Envelope`] in sequence order, and [`ServerFrame::Backlog`]
//! (how much is waiting) at connect and after acknowledgements. Desktop → relay:
//! [`ClientFrame::Ack`], cumulative: "I have durably stored everything up to `seq`". Anything
//! else from the desktop closes the stream with code 1008 and a reason saying what was expected.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::queue::Envelope;

/// What the relay sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// One sealed envelope.
    Envelope {
        /// Its sequence number in the channel's queue.
        seq: u64,
        /// Its id.
        id: String,
        /// The source id (metadata; the authenticated copy is inside the envelope).
        source_id: String,
        /// When the relay received it (metadata; the authenticated copy is inside).
        received_at: DateTime<Utc>,
        /// The sealed bytes, standard base64.
        sealed: String,
    },
    /// How much the channel has waiting (sent or not yet acknowledged).
    Backlog {
        /// Envelopes waiting.
        count: u64,
        /// Their sealed bytes.
        bytes: u64,
        /// The highest acknowledged sequence number.
        acked: u64,
    },
}

impl ServerFrame {
    /// The frame carrying `envelope`.
    pub fn envelope(envelope: &Envelope) -> Self {
        ServerFrame::Envelope {
            seq: envelope.seq,
            id: envelope.id.clone(),
            source_id: envelope.source_id.clone(),
            received_at: envelope.received_at,
            sealed: STANDARD.encode(&envelope.sealed),
        }
    }
}

/// What the desktop sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// Everything up to and including `seq` is durably stored on the desktop.
    Ack {
        /// The sequence number.
        seq: u64,
    },
}

/// The close reason sent for a frame the relay cannot read.
pub const MALFORMED: &str = r#"malformed frame: expected a text frame {"type":"ack","seq":N}"#;

/// Close code for a malformed frame (policy violation).
pub const CLOSE_MALFORMED: u16 = 1008;
/// Close code when a newer connection for the same channel took over.
pub const CLOSE_REPLACED: u16 = 4000;
/// Close code when the relay shuts down.
pub const CLOSE_GOING_AWAY: u16 = 1001;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_have_the_documented_shape() {
        let ack: ClientFrame =
            serde_json::from_str(r#"{"type":"ack","seq":7}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ack, ClientFrame::Ack { seq: 7 });
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"ack"}"#).is_err());
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"nack","seq":1}"#).is_err());
        let backlog = serde_json::to_value(ServerFrame::Backlog {
            count: 1,
            bytes: 2,
            acked: 3,
        })
        .unwrap_or_default();
        assert_eq!(backlog["type"], "backlog");
    }
}
