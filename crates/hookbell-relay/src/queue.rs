//! The queue of sealed envelopes and the channel registry, behind two small traits with two
//! implementations: the embedded sled one ([`crate::sled_queue::SledQueue`], the default) and
//! NATS JetStream ([`crate::nats_queue::NatsQueue`], for relay nodes that keep no state).
//!
//! Writes answer with a [`WriteFuture`] that resolves only once the change is durable; reads
//! with a [`ReadFuture`] (a network round trip for NATS, ready at once for sled).

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::error::Result;

/// The answer to a write: ready once the change is on disk.
pub type WriteFuture<T> = Pin<Box<dyn Future<Output = Result<T>> + Send>>;
/// The answer to a read.
pub type ReadFuture<T> = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

/// A read that is ready at once.
pub fn ready<T: Send + 'static>(value: Result<T>) -> ReadFuture<T> {
    Box::pin(std::future::ready(value))
}

/// An envelope to append: everything but its sequence number.
#[derive(Clone)]
pub struct NewEnvelope {
    /// Its id (a ULID), also bound inside the sealed bytes.
    pub id: String,
    /// The source id from the URL (metadata the relay can see).
    pub source_id: String,
    /// When the relay received it (metadata the relay can see).
    pub received_at: DateTime<Utc>,
    /// The sealed request.
    pub sealed: Vec<u8>,
}

/// A queued envelope.
#[derive(Clone, PartialEq, Eq)]
pub struct Envelope {
    /// Its place in the channel's queue; grows with each envelope (by one per channel with
    /// sled, with the stream's sequence with NATS), never reused.
    pub seq: u64,
    /// Its id.
    pub id: String,
    /// The source id from the URL.
    pub source_id: String,
    /// When the relay received it.
    pub received_at: DateTime<Utc>,
    /// The sealed request.
    pub sealed: Vec<u8>,
}

impl std::fmt::Debug for Envelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Envelope")
            .field("seq", &self.seq)
            .field("id", &self.id)
            .field("source_id", &self.source_id)
            .field("sealed_bytes", &self.sealed.len())
            .finish()
    }
}

/// How much a channel has waiting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Depth {
    /// Envelopes waiting.
    pub count: u64,
    /// Their sealed bytes.
    pub bytes: u64,
}

/// What the quotas look at before a delivery is accepted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Sealed bytes the channel has waiting (NATS: exact, or an upper bound when even that is
    /// under the channel's quota; at most a second old).
    pub channel_bytes: u64,
    /// Sealed bytes waiting over all channels (NATS: the stream's, at most a second old,
    /// plus what this node appended since).
    pub total_bytes: u64,
    /// Free bytes on the filesystem the envelopes are written to; `None` where that is not
    /// this process's disk (NATS: the servers' own limits apply).
    pub free_disk: Option<u64>,
}

/// The queue of sealed envelopes, one ordered queue per channel. An envelope the desktop
/// cannot open is *held* ([`Queue::hold`]): it stays queued, counted, with its reason, and is
/// offered again at the desktop's next connection.
pub trait Queue: Send + Sync + 'static {
    /// Appends a sealed envelope to `channel`'s queue; resolves to its sequence number once
    /// it is durable. Concurrent appends share one flush.
    fn append_sealed(&self, channel: &str, envelope: NewEnvelope) -> WriteFuture<u64>;
    /// Up to `limit` envelopes with a sequence number above `after`, in order.
    fn read_from(&self, channel: &str, after: u64, limit: usize) -> ReadFuture<Vec<Envelope>>;
    /// Deletes every envelope of `channel` up to and including `seq` (the desktop has stored
    /// them) except held ones; resolves to how many were deleted.
    fn ack(&self, channel: &str, seq: u64) -> WriteFuture<u64> {
        self.ack_and_release(channel, seq, Vec::new())
    }
    /// [`Queue::ack`], and also deletes the held envelopes `release` (offered again, and now
    /// stored by the desktop); resolves to how many were deleted in all.
    fn ack_and_release(&self, channel: &str, seq: u64, release: Vec<u64>) -> WriteFuture<u64>;
    /// Keeps envelope `seq` aside: the desktop could not open it (`reason`). Acknowledgements
    /// pass over it without deleting it; it stays until released or past retention. Resolves
    /// to true when it was not held before (false also when it is gone already).
    fn hold(&self, channel: &str, seq: u64, reason: String) -> WriteFuture<bool>;
    /// Up to `limit` held envelopes of `channel` with a sequence number above `after`, in
    /// sequence order, each with its reason (page on from the last one's `seq`).
    fn read_held(
        &self,
        channel: &str,
        after: u64,
        limit: usize,
    ) -> ReadFuture<Vec<(Envelope, String)>>;
    /// How many envelopes of `channel` are held.
    fn held(&self, channel: &str) -> ReadFuture<u64>;
    /// Deletes every envelope received before `older_than`, acknowledged or not; resolves
    /// to how many were deleted.
    fn expire(&self, older_than: DateTime<Utc>) -> WriteFuture<u64>;
    /// What `channel` has waiting.
    fn depth(&self, channel: &str) -> ReadFuture<Depth>;
    /// The highest acknowledged sequence number of `channel` (0 when none).
    fn acked(&self, channel: &str) -> ReadFuture<u64>;
    /// Changes whenever `channel` may have a new durable envelope (its value: the newest
    /// sequence number known here). A reader reads on until a read comes back short.
    fn watch(&self, channel: &str) -> Option<watch::Receiver<u64>>;
    /// What the byte quotas and the disk floor need to judge one more delivery to `channel`.
    fn usage(&self, channel: &str) -> ReadFuture<Usage>;
    /// True when appending refuses (with [`crate::error::RelayError::QuotaFull`]) past the
    /// channel's quota by itself, so callers need not check [`Queue::depth`] first.
    fn enforces_channel_quota(&self) -> bool {
        false
    }
    /// Claims `channel`'s stream for a new connection, for every relay node sharing this
    /// queue; the claim's `newest` turns past `mine` once a newer connection, on any node,
    /// claimed it. `None`: only this process serves the queue, and the server's own
    /// bookkeeping is enough.
    fn claim_stream(&self, _channel: &str) -> WriteFuture<Option<StreamClaim>> {
        Box::pin(std::future::ready(Ok(None)))
    }
}

/// A stream's claim on its channel, shared by every relay node (see [`Queue::claim_stream`]).
pub struct StreamClaim {
    /// This claim's place in the order of claims.
    pub mine: u64,
    /// The newest claim of the channel known here; above `mine`: step aside.
    pub newest: watch::Receiver<u64>,
}

/// An open key challenge: random bytes sealed to the channel's current key, which the
/// desktop opens to prove it holds that key (`POST /v1/channels/{id}/key/challenge`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyChallenge {
    /// Names the challenge in the `PUT`.
    pub id: String,
    /// The random bytes, hex (never logged).
    pub secret_hex: String,
    /// The key it was sealed to: a challenge for a key since replaced does not count.
    pub public_key: String,
    /// Answers after this are refused.
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for KeyChallenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyChallenge")
            .field("id", &self.id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A paired desktop: its public key and the hash of its subscriber token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelRecord {
    /// The channel's id (32 hex digits, random).
    pub id: String,
    /// The desktop's X25519 public key, URL-safe base64.
    pub public_key: String,
    /// SHA-256 of the subscriber token, hex. The token itself is never stored.
    pub token_sha256: String,
    /// When it was paired.
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for ChannelRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelRecord")
            .field("id", &self.id)
            .field("public_key", &self.public_key)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// The registry of paired channels.
pub trait Channels: Send + Sync + 'static {
    /// Stores a channel (new, or with a new key); durable when it resolves.
    fn put_channel(&self, record: ChannelRecord) -> WriteFuture<()>;
    /// A channel by id.
    fn channel(&self, id: &str) -> ReadFuture<Option<ChannelRecord>>;
    /// A channel by id, for a delivery to it: [`Channels::channel`], or where that costs a
    /// request (NATS) a copy read at most a few seconds before. A channel deleted or given
    /// a new key on another node is seen that much later there, which the backend allows
    /// for (NATS purges a deleted channel's envelopes again after longer than that plus a
    /// publish; a desktop keeps its previous keys).
    fn channel_for_delivery(&self, id: &str) -> ReadFuture<Option<ChannelRecord>> {
        self.channel(id)
    }
    /// Deletes a channel and everything queued for it.
    fn delete_channel(&self, id: &str) -> WriteFuture<bool>;
    /// How many channels there are.
    fn channel_count(&self) -> ReadFuture<usize>;
    /// Records that `id`'s desktop connected now (idle channels expire).
    fn touch_channel(&self, id: &str) -> WriteFuture<()>;
    /// The channels whose desktop last connected before `before`, or that never connected
    /// and were paired before it.
    fn idle_channels(&self, before: DateTime<Utc>) -> ReadFuture<Vec<String>>;
    /// Opens `challenge` for `channel`, replacing any other; every relay node sharing the
    /// registry sees it (the `PUT` answering it may reach another node).
    fn put_challenge(&self, channel: &str, challenge: KeyChallenge) -> WriteFuture<()>;
    /// Takes `channel`'s open challenge: of several takers (on any node), one gets it.
    fn take_challenge(&self, channel: &str) -> WriteFuture<Option<KeyChallenge>>;
    /// Says that a relay node answers at `url` (again every [`NODE_ANNOUNCE_EVERY`]; a node
    /// not heard of for three times that is forgotten). Nothing to do for a queue only this
    /// process serves.
    fn announce_node(&self, _url: &str) -> WriteFuture<()> {
        Box::pin(std::future::ready(Ok(())))
    }
    /// The URLs of the relay nodes heard of lately (empty: only this process).
    fn nodes(&self) -> ReadFuture<Vec<String>> {
        Box::pin(std::future::ready(Ok(Vec::new())))
    }
}

/// How often a relay node with a `node_url` announces itself.
pub const NODE_ANNOUNCE_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// Both halves, as the server uses them.
pub trait Backend: Queue + Channels {
    /// Held envelopes, over all channels.
    fn total_held(&self) -> ReadFuture<u64>;
    /// Everything waiting, over all channels.
    fn total_depth(&self) -> ReadFuture<Depth>;
    /// False while this node cannot reach its queue (NATS: not connected to any server), so
    /// `/healthz` answers 503 and a load balancer sends requests to another node.
    fn healthy(&self) -> bool {
        true
    }
}
