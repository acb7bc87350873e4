//! The frames of `GET /v1/channels/{id}/stream`, one JSON object per WebSocket text frame.
//!
//! Relay → desktop: [`ServerFrame::Envelope`] in sequence order, and [`ServerFrame::Backlog`]
//! (how much is waiting, how much of it is held) at connect and after acknowledgements and
//! holds. Desktop → relay: [`ClientFrame::Ack`], cumulative: "I have durably stored everything
//! up to `seq`, except what I held"; [`ClientFrame::Hold`]: "no key of mine opens `seq`, keep
//! it". Anything else from the desktop closes the stream with code 1008 and a reason saying
//! what was expected (a relay older than `hold` does so for a hold: see [`crate::client`]).

#[cfg(feature = "server")]
use base64::Engine as _;
#[cfg(feature = "server")]
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "server")]
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
        /// Of `count`, the envelopes held because the desktop could not open them (absent from
        /// relays older than the `hold` frame).
        #[serde(default)]
        held: u64,
    },
}

#[cfg(feature = "server")]
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
    /// Everything up to and including `seq` is durably stored on the desktop, except what it
    /// asked to hold; held envelopes offered again on this connection with a lower `seq` that
    /// were not held again are stored too.
    Ack {
        /// The sequence number.
        seq: u64,
    },
    /// Envelope `seq` does not open with any of the desktop's keys: keep it (do not let
    /// acknowledgements delete it), count it, and offer it again at the next connection.
    Hold {
        /// The sequence number.
        seq: u64,
        /// Why (at most [`MAX_HOLD_REASON`] bytes are kept).
        reason: String,
    },
}

/// The longest hold reason the relay keeps.
pub const MAX_HOLD_REASON: usize = 200;

/// The close reason sent for a frame the relay cannot read.
pub const MALFORMED: &str = r#"malformed frame: expected a text frame {"type":"ack","seq":N} or {"type":"hold","seq":N,"reason":"..."}"#;

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
            held: 0,
        })
        .unwrap_or_default();
        assert_eq!(backlog["type"], "backlog");
        let hold: ClientFrame = serde_json::from_str(r#"{"type":"hold","seq":3,"reason":"r"}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            hold,
            ClientFrame::Hold {
                seq: 3,
                reason: "r".into()
            }
        );
        let old: ServerFrame =
            serde_json::from_str(r#"{"type":"backlog","count":1,"bytes":2,"acked":3}"#)
                .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            matches!(old, ServerFrame::Backlog { held: 0, .. }),
            "an older relay's backlog reads"
        );
    }
}
