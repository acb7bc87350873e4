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
//!
//! # Features
//!
//! - `client`: what the desktop links (`hookbell-server` enables only this): [`client`],
//!   [`backoff`], and the two things both sides share, the sealed [`envelope`] and the
//!   stream's frames ([`protocol`]). Its errors are its own ([`client::ClientError`],
//!   [`client::SinkError`], [`envelope::EnvelopeError`]): nothing of the server comes with it.
//! - `server` (default; includes `client`): the public relay: [`server`], [`pairing`], the
//!   queue ([`queue`], [`sled_queue`], [`nats_queue`]), [`config`], [`metrics`], [`tls`],
//!   [`error`] (the relay's [`RelayError`] and its HTTP error), and the `hookbell-relay`
//!   binary. It brings axum, axum-server, sled, async-nats, governor, tower-http, clap and the
//!   rest of the server's dependencies.
#![forbid(unsafe_code)]
// The docs above link the server's items, which a `client`-only build does not have.
#![cfg_attr(not(feature = "server"), allow(rustdoc::broken_intra_doc_links))]

#[cfg(feature = "client")]
pub mod backoff;
#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "client")]
pub mod envelope;
#[cfg(feature = "server")]
pub mod error;
#[cfg(feature = "server")]
pub mod metrics;
#[cfg(feature = "server")]
pub mod nats_queue;
#[cfg(feature = "server")]
pub mod pairing;
#[cfg(feature = "client")]
pub mod protocol;
#[cfg(feature = "server")]
pub mod queue;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "server")]
pub mod sled_queue;
#[cfg(feature = "server")]
pub mod tls;

#[cfg(feature = "client")]
pub use client::{Client, ClientConfig, ClientStatus, ConnectionState, Sink, SinkError};
#[cfg(feature = "server")]
pub use config::RelayConfig;
#[cfg(feature = "client")]
pub use envelope::{KeyPair, PublicKey, SecretKey};
#[cfg(feature = "server")]
pub use error::{RelayError, Result};
#[cfg(feature = "server")]
pub use nats_queue::{NatsQueue, NatsSettings, SharedNats};
#[cfg(feature = "server")]
pub use pairing::{InviteDir, PairingGate};
#[cfg(feature = "server")]
pub use server::{RelayState, router, serve, serve_tls};
#[cfg(feature = "server")]
pub use sled_queue::SledQueue;
