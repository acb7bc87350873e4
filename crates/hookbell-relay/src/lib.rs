//! Hookbell's relay, and the client the desktop uses to talk to it.
//!
//! Providers can only POST to a public URL; a desktop is rarely reachable. The relay
//! ([`server`]) takes deliveries at `/h/{channel_id}/{source_id}`, seals each exact request to
//! the paired desktop's X25519 key at once ([`envelope`], HPKE RFC 9180), keeps only the sealed
//! bytes in a durable queue ([`queue`], [`sled_queue`]) and answers 202 once they are on disk.
//! The desktop holds one outbound WebSocket ([`protocol`]); it opens each envelope, stores the
//! delivery through its own engine and only then acknowledges it, so the relay can delete it.
//! The [`client`] module is that desktop side. See docs/relay.md for the protocol, the
//! envelope format and the threat model. The relay serves plain HTTP ([`serve`]) or, with a
//! certificate and key ([`tls`]), HTTPS ([`serve_tls`]). [`backoff`] paces the desktop's
//! attempts to reach a relay, or any other feed, that is down.
#![forbid(unsafe_code)]

pub mod backoff;
pub mod client;
pub mod config;
pub mod envelope;
pub mod error;
pub mod metrics;
pub mod nats_queue;
pub mod pairing;
pub mod protocol;
pub mod queue;
pub mod server;
pub mod sled_queue;
pub mod tls;

pub use client::{Client, ClientConfig, ClientStatus, ConnectionState, Sink, SinkError};
pub use config::RelayConfig;
pub use envelope::{KeyPair, PublicKey, SecretKey};
pub use error::{RelayError, Result};
pub use nats_queue::{NatsQueue, NatsSettings, SharedNats};
pub use pairing::{InviteDir, PairingGate};
pub use server::{RelayState, router, serve, serve_tls};
pub use sled_queue::SledQueue;
