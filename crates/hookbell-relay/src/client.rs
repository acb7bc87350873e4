//! The desktop's side of the relay: pairing calls ([`pair`], [`rotate_key`], [`unpair`]) and
//! the [`Client`] that holds the stream open.
//!
//! The client connects with the channel id and token, opens each envelope with the desktop's
//! private key, turns it into a [`Delivery`] (exact headers and body, `received_at` = the
//! relay's receive time, so signature timestamps verify even after a day offline), hands it to
//! a [`Sink`] and acknowledges it only once the sink returned, which it does only after a
//! durable write. Up to [`ClientConfig::window`] deliveries are in flight at once: opening an
//! envelope and preparing its delivery (the costly part: X25519, signatures, parsing) runs in
//! tasks of their own, on every core, while commits happen in sequence order and share the
//! store's group commit. Acknowledgements are cumulative and follow sequence order.
//! The relay may send an envelope again (after a reconnect, say): dedup on the envelope id is
//! the sink's job. After 45 s without a word from the relay the client reconnects, with
//! jittered exponential backoff between attempts.
//!
//! Nothing is acknowledged away unread: an envelope that opens with none of the keys is
//! *held* (a `hold` frame): the relay keeps it, counts it and offers it again at the next
//! connection, when the desktop may know its key (after a rotation). A relay older than the
//! `hold` frame closes the stream (1008) when it gets one, and acts on no frame behind it (a
//! relay handles its desktop's frames one by one, in order), so an acknowledgement sent after
//! the hold deletes nothing there; from then on this client stops at such an envelope without
//! acknowledging it, reports it, and tries again later.
//!
//! A hostile relay cannot make the client buffer much: a frame larger than
//! [`ClientConfig::max_frame_bytes`] (about twice the frame of a largest allowed delivery)
//! drops the connection, and at most [`ClientConfig::max_in_flight_bytes`] of frames are being
//! opened, prepared or stored at once.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use futures_util::stream::FuturesOrdered;
use futures_util::{SinkExt, StreamExt};
use hookbell_core::Delivery;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::backoff::Backoff;
use crate::envelope::{self, PublicKey, SecretKey};
use crate::protocol::{ClientFrame, ServerFrame};

/// A sink's failure: the delivery was not stored, so it is not acknowledged.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct SinkError(pub String);

/// Where opened deliveries go: the desktop's engine. Each delivery goes through two steps:
/// [`Sink::prepare`], called for many envelopes at once on the runtime's worker threads, and
/// [`Sink::commit`], called one envelope at a time in sequence order.
pub trait Sink: Send + Sync + 'static {
    /// What [`Sink::prepare`] hands to [`Sink::commit`].
    type Prepared: Send + 'static;

    /// The CPU-bound part (verify, parse) of storing `delivery`, carried in envelope
    /// `envelope_id`. Must not depend on other envelopes being committed first.
    fn prepare(&self, envelope_id: &str, delivery: Delivery) -> Self::Prepared;

    /// Stores a prepared delivery. Calls come in sequence order, and whatever fixes the
    /// order of stored deliveries must happen before `commit` returns. The future must end
    /// `Ok` only once the delivery is durably handled (stored, or knowingly refused); an
    /// envelope already handled before must count as done without being stored again.
    fn commit(
        &self,
        prepared: Self::Prepared,
    ) -> impl Future<Output = Result<(), SinkError>> + Send + 'static;
}

/// What a client needs to reach its channel.
#[derive(Clone)]
pub struct ClientConfig {
    /// The relay's base URL (`http://` or `https://`).
    pub url: String,
    /// The channel's id.
    pub channel_id: String,
    /// The subscriber token.
    pub token: String,
    /// Private keys to open envelopes with: the current one first, then older ones (envelopes
    /// sealed before a rotation).
    pub keys: Vec<SecretKey>,
    /// Silence after which the connection is taken for dead (45 s).
    pub silence_timeout: Duration,
    /// The first reconnect delay (0.5 s); it doubles per failed attempt, with jitter.
    pub backoff_min: Duration,
    /// The longest reconnect delay (60 s).
    pub backoff_max: Duration,
    /// Deliveries in flight (being opened, prepared or committed) at once (128).
    pub window: usize,
    /// The largest WebSocket frame (and message) taken from the relay; a larger one drops
    /// the connection. [`frame_limit`] of the desktop's `max_body_bytes` (1 MiB: about 3.7 MiB).
    pub max_frame_bytes: usize,
    /// Frame bytes in flight at once; reading pauses above this (32 MiB).
    pub max_in_flight_bytes: usize,
    /// The relay's nodes (handed out at pairing), tried in turn after `url` when a
    /// connection fails: a cluster's desktop reaches another node without the balancer.
    pub fallback_urls: Vec<String>,
}

/// The desktop's default `max_body_bytes`, for [`ClientConfig::new`].
const DEFAULT_MAX_BODY: usize = 1024 * 1024;
/// Room for a delivery's headers in an envelope, on top of its body.
const HEADER_ROOM: usize = 64 * 1024;

/// The frame limit for deliveries of up to `max_body_bytes`: twice the size of the envelope
/// frame such a delivery makes (its body base64 inside the sealed JSON, the sealed bytes base64
/// again in the frame, plus room for headers and the frame's own fields).
pub fn frame_limit(max_body_bytes: usize) -> usize {
    let b64 = |n: usize| n.div_ceil(3).saturating_mul(4);
    let plaintext = b64(max_body_bytes)
        .saturating_add(HEADER_ROOM)
        .saturating_add(1024);
    let sealed = plaintext.saturating_add(32 + 16);
    b64(sealed).saturating_add(1024).saturating_mul(2)
}

impl ClientConfig {
    /// A config with the default timings.
    pub fn new(url: &str, channel_id: &str, token: &str, keys: Vec<SecretKey>) -> Self {
        ClientConfig {
            url: url.trim_end_matches('/').to_owned(),
            channel_id: channel_id.to_owned(),
            token: token.to_owned(),
            keys,
            silence_timeout: Duration::from_secs(45),
            backoff_min: Duration::from_millis(500),
            backoff_max: Duration::from_secs(60),
            window: 128,
            max_frame_bytes: frame_limit(DEFAULT_MAX_BODY),
            max_in_flight_bytes: 32 * 1024 * 1024,
            fallback_urls: Vec::new(),
        }
    }

    /// Also tries these node URLs, in turn, when a connection to `url` fails.
    pub fn with_fallback_urls(mut self, urls: &[String]) -> Self {
        self.fallback_urls = urls
            .iter()
            .map(|u| u.trim_end_matches('/').to_owned())
            .filter(|u| *u != self.url)
            .collect();
        self
    }

    /// Takes envelopes of deliveries up to `max_body_bytes` (the desktop's own limit).
    pub fn with_max_body_bytes(mut self, max_body_bytes: usize) -> Self {
        self.max_frame_bytes = frame_limit(max_body_bytes);
        self
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("url", &self.url)
            .field("channel_id", &self.channel_id)
            .field("token", &"[redacted]")
            .field("keys", &self.keys.len())
            .field("max_frame_bytes", &self.max_frame_bytes)
            .finish_non_exhaustive()
    }
}

/// Whether the client is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    /// Trying to connect.
    Connecting,
    /// Connected and streaming.
    Connected,
    /// Not connected; waiting to try again (or stopped).
    Disconnected,
}

/// What the client is doing, for the UI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientStatus {
    /// Connected or not.
    pub state: ConnectionState,
    /// When the last delivery was stored.
    pub last_delivery_at: Option<DateTime<Utc>>,
    /// How many envelopes the relay has waiting, as it last said.
    pub backlog: Option<u64>,
    /// The last thing that went wrong.
    pub last_error: Option<String>,
    /// Deliveries stored since the client started.
    pub delivered: u64,
    /// The highest sequence number acknowledged.
    pub acked: u64,
    /// Envelopes the relay holds because none of this desktop's keys opened them, as it
    /// last said (`None` before it said, or from a relay that does not hold envelopes).
    pub held: Option<u64>,
    /// Why the last envelope was held.
    pub held_reason: Option<String>,
}

/// Why pairing or a stream failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The relay could not be reached or answered oddly.
    #[error("the relay could not be reached: {0}")]
    Http(String),
    /// None of the desktop's keys opens the relay's key challenge: the relay seals to a key
    /// this desktop does not have.
    #[error(
        "none of this desktop's keys opens the relay's key challenge: the channel's key is not one of them"
    )]
    Proof,
    /// The relay refused the request.
    #[error("the relay answered {status}: {message}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The relay's message.
        message: String,
    },
}

/// A channel the relay created for this desktop.
#[derive(Clone, Deserialize)]
pub struct Pairing {
    /// The channel's id.
    pub channel_id: String,
    /// The subscriber token.
    pub token: String,
    /// The relay's nodes, when it runs several (each a URL the desktop may stream from when
    /// the one it paired with is unreachable); empty from a single relay or an older one.
    #[serde(default)]
    pub nodes: Vec<String>,
}

impl fmt::Debug for Pairing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pairing")
            .field("channel_id", &self.channel_id)
            .field("token", &"[redacted]")
            .finish()
    }
}

async fn refused(response: reqwest::Response) -> ClientError {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let message = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_owned))
        .unwrap_or(text);
    ClientError::Refused { status, message }
}

/// Creates a channel for `public_key` on the relay at `url`, which must pair anyone
/// (`--open-pairing`); see [`pair_with_code`].
pub async fn pair(url: &str, public_key: &PublicKey) -> Result<Pairing, ClientError> {
    pair_with_code(url, public_key, None).await
}

/// Creates a channel for `public_key` on the relay at `url`, showing `code` (the operator's
/// pairing secret or an invite code) as `Authorization: Bearer`. A relay that is not open
/// answers 401 without a good one.
pub async fn pair_with_code(
    url: &str,
    public_key: &PublicKey,
    code: Option<&str>,
) -> Result<Pairing, ClientError> {
    let mut request = reqwest::Client::new()
        .post(format!("{}/v1/channels", url.trim_end_matches('/')))
        .json(&serde_json::json!({ "public_key": public_key.to_base64() }));
    if let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) {
        request = request.bearer_auth(code);
    }
    let response = request
        .send()
        .await
        .map_err(|e| ClientError::Http(e.without_url().to_string()))?;
    if !response.status().is_success() {
        return Err(refused(response).await);
    }
    response
        .json()
        .await
        .map_err(|e| ClientError::Http(e.to_string()))
}

/// Registers a new public key for the channel (after a key rotation), proving possession of
/// the current one: asks the relay for a challenge sealed to the channel's current key, opens
/// it with whichever of `keys` does, and answers with a proof bound to `public_key`.
pub async fn rotate_key(
    url: &str,
    channel_id: &str,
    token: &str,
    keys: &[SecretKey],
    public_key: &PublicKey,
) -> Result<(), ClientError> {
    #[derive(Deserialize)]
    struct Challenge {
        challenge_id: String,
        sealed: String,
    }
    let http = reqwest::Client::new();
    let base = format!("{}/v1/channels/{channel_id}/key", url.trim_end_matches('/'));
    let response = http
        .post(format!("{base}/challenge"))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| ClientError::Http(e.without_url().to_string()))?;
    if !response.status().is_success() {
        return Err(refused(response).await);
    }
    let challenge: Challenge = response
        .json()
        .await
        .map_err(|e| ClientError::Http(e.to_string()))?;
    let sealed = STANDARD
        .decode(challenge.sealed.as_bytes())
        .map_err(|_| ClientError::Proof)?;
    let secret = keys
        .iter()
        .find_map(|key| {
            envelope::open_challenge(key, channel_id, &challenge.challenge_id, &sealed).ok()
        })
        .ok_or(ClientError::Proof)?;
    let response = http
        .put(base)
        .bearer_auth(token)
        .json(&serde_json::json!({
            "public_key": public_key.to_base64(),
            "challenge_id": challenge.challenge_id,
            "proof": envelope::key_proof(&secret, channel_id, public_key),
        }))
        .send()
        .await
        .map_err(|e| ClientError::Http(e.without_url().to_string()))?;
    if !response.status().is_success() {
        return Err(refused(response).await);
    }
    Ok(())
}

/// Deletes the channel and everything queued for it.
pub async fn unpair(url: &str, channel_id: &str, token: &str) -> Result<(), ClientError> {
    let response = reqwest::Client::new()
        .delete(format!(
            "{}/v1/channels/{channel_id}",
            url.trim_end_matches('/')
        ))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| ClientError::Http(e.without_url().to_string()))?;
    if !response.status().is_success() && response.status() != reqwest::StatusCode::NOT_FOUND {
        return Err(refused(response).await);
    }
    Ok(())
}

/// A running client. Dropping it stops the client.
pub struct Client {
    status: watch::Receiver<ClientStatus>,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Client {
    /// Starts streaming `config`'s channel into `sink`, reconnecting until stopped.
    pub fn start<S: Sink>(config: ClientConfig, sink: S) -> Client {
        let (status_tx, status) = watch::channel(ClientStatus {
            state: ConnectionState::Connecting,
            last_delivery_at: None,
            backlog: None,
            last_error: None,
            delivered: 0,
            acked: 0,
            held: None,
            held_reason: None,
        });
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(Arc::new(config), Arc::new(sink), status_tx, stopped));
        Client {
            status,
            stop,
            task: Some(task),
        }
    }

    /// The client's status now.
    pub fn status(&self) -> ClientStatus {
        self.status.borrow().clone()
    }

    /// A receiver that sees every status change.
    pub fn subscribe(&self) -> watch::Receiver<ClientStatus> {
        self.status.clone()
    }

    /// Stops the client: closes the stream and waits for the task to end.
    pub async fn stop(mut self) {
        self.stop.send_replace(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

fn stream_url(config: &ClientConfig, url: &str, after: u64) -> String {
    let base = if let Some(rest) = url.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = url.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        url.to_owned()
    };
    format!(
        "{base}/v1/channels/{}/stream?after={after}",
        config.channel_id
    )
}

async fn run<S: Sink>(
    config: Arc<ClientConfig>,
    sink: Arc<S>,
    status: watch::Sender<ClientStatus>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut backoff = Backoff::new(config.backoff_min, config.backoff_max);
    // Whether the relay has shown it does not know the `hold` frame.
    let mut no_hold = false;
    // The relay's URL first, then its nodes in turn while connections fail.
    let urls: Vec<String> = std::iter::once(config.url.clone())
        .chain(config.fallback_urls.iter().cloned())
        .collect();
    let mut which = 0;
    loop {
        status.send_modify(|s| s.state = ConnectionState::Connecting);
        let before = status.borrow().delivered;
        let url = &urls[which % urls.len()];
        let ended = session(&config, url, &sink, &status, &mut stopped, &mut no_hold).await;
        status.send_modify(|s| {
            s.state = ConnectionState::Disconnected;
            if let Err(e) = &ended {
                s.last_error = Some(e.clone());
            }
        });
        if *stopped.borrow() {
            return;
        }
        match &ended {
            Ok(reason) => tracing::info!(reason = %reason, "relay stream ended"),
            Err(e) => tracing::warn!(error = %e, "relay stream failed"),
        }
        // A session that got somewhere starts the backoff over; one that failed tries the
        // next node.
        if status.borrow().delivered > before || ended.is_ok() {
            backoff.reset();
        } else {
            which += 1;
        }
        let delay = backoff.next_wait();
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stopped.changed() => return,
        }
    }
}

/// What became of one envelope.
enum Handled {
    /// Stored (or knowingly refused) by the sink.
    Stored,
    /// None of the keys opens it: why.
    Unopened(String),
}

/// A committed delivery's sequence number, its frame's size, and how its commit ended.
type Outcome = (u64, usize, Result<Handled, SinkError>);

/// Says why a frame could not be read.
fn read_error(e: tokio_tungstenite::tungstenite::Error) -> String {
    use tokio_tungstenite::tungstenite::Error;
    use tokio_tungstenite::tungstenite::error::CapacityError;
    match e {
        Error::Capacity(CapacityError::MessageTooLong { size, max_size }) => format!(
            "the relay sent a frame too large ({size} bytes; this desktop takes at most {max_size}, about twice its max_body_bytes): dropped the connection"
        ),
        e => format!("the connection broke: {e}"),
    }
}

/// One connection: stream until it ends. `Ok(reason)` for an orderly end.
async fn session<S: Sink>(
    config: &Arc<ClientConfig>,
    url: &str,
    sink: &Arc<S>,
    status: &watch::Sender<ClientStatus>,
    stopped: &mut watch::Receiver<bool>,
    no_hold: &mut bool,
) -> Result<String, String> {
    let after = status.borrow().acked;
    let mut request = stream_url(config, url, after)
        .into_client_request()
        .map_err(|e| format!("bad relay URL: {e}"))?;
    let bearer = HeaderValue::from_str(&format!("Bearer {}", config.token))
        .map_err(|_| "the token is not a valid header value".to_owned())?;
    request.headers_mut().insert("authorization", bearer);
    // Acknowledgements are small frames: no Nagle delay.
    let limits = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(Some(config.max_frame_bytes))
        .max_frame_size(Some(config.max_frame_bytes));
    let connecting = tokio_tungstenite::connect_async_with_config(request, Some(limits), true);
    let (mut ws, _) = tokio::select! {
        connected = tokio::time::timeout(config.silence_timeout, connecting) => match connected {
            Err(_) => return Err("connecting to the relay timed out".into()),
            Ok(Err(tokio_tungstenite::tungstenite::Error::Http(response))) => {
                let status = response.status();
                let detail = response
                    .body()
                    .as_deref()
                    .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
                    .and_then(|v| v["error"].as_str().map(str::to_owned))
                    .unwrap_or_default();
                return Err(format!("the relay refused the stream ({status}): {detail}"));
            }
            Ok(Err(e)) => return Err(format!("could not connect to the relay: {e}")),
            Ok(Ok(connected)) => connected,
        },
        _ = stopped.changed() => return Ok("stopped".into()),
    };
    status.send_modify(|s| {
        s.state = ConnectionState::Connected;
        s.last_error = None;
    });
    tracing::info!(channel = %config.channel_id, after, "connected to the relay");

    // Envelopes being opened and prepared, each in a task of its own, and then prepared
    // deliveries being committed; both in sequence order.
    type Opened<P> = (u64, usize, Result<P, String>);
    let mut preparing: FuturesOrdered<JoinHandle<Opened<S::Prepared>>> = FuturesOrdered::new();
    let mut pending: FuturesOrdered<Pin<Box<dyn Future<Output = Outcome> + Send>>> =
        FuturesOrdered::new();
    let mut done_since_ack = 0u32;
    let mut last_done: Option<u64> = None;
    let mut last_acked: Option<u64> = None;
    let mut in_flight_bytes = 0usize;
    // A hold was sent on this connection: a 1008 close then means the relay does not know it.
    let mut held_here = false;
    let mut deadline = tokio::time::Instant::now() + config.silence_timeout;
    loop {
        let reading = preparing.len() + pending.len() < config.window.max(1)
            && in_flight_bytes < config.max_in_flight_bytes;
        tokio::select! {
            message = ws.next(), if reading => {
                deadline = tokio::time::Instant::now() + config.silence_timeout;
                let message = match message {
                    None => return Err("the relay closed the connection".into()),
                    Some(Err(e)) => return Err(read_error(e)),
                    Some(Ok(m)) => m,
                };
                match message {
                    Message::Text(text) => match serde_json::from_str::<ServerFrame>(text.as_str()) {
                        Ok(ServerFrame::Envelope { seq, id, sealed, .. }) => {
                            let size = text.len();
                            in_flight_bytes += size;
                            let (config, sink) = (Arc::clone(config), Arc::clone(sink));
                            preparing.push_back(tokio::spawn(async move {
                                (seq, size, open_and_prepare(&config, sink.as_ref(), &id, seq, &sealed))
                            }));
                        }
                        Ok(ServerFrame::Backlog { count, held, .. }) => {
                            status.send_modify(|s| {
                                s.backlog = Some(count);
                                s.held = Some(held);
                            });
                        }
                        Err(e) => return Err(format!("the relay sent a frame this client does not understand: {e}")),
                    },
                    Message::Close(frame) => {
                        let code = frame.as_ref().map(|f| u16::from(f.code));
                        let reason = frame.map(|f| format!("{} {}", u16::from(f.code), f.reason)).unwrap_or_default();
                        if held_here && code == Some(crate::protocol::CLOSE_MALFORMED) {
                            *no_hold = true;
                            return Err(format!("the relay does not know the hold frame (it is older than this desktop): envelopes no key opens stay unacknowledged on it ({reason})"));
                        }
                        return Ok(format!("the relay closed the stream: {reason}"));
                    }
                    Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
                    Message::Binary(_) => return Err("the relay sent a binary frame".into()),
                }
            }
            Some(prepared) = preparing.next(), if !preparing.is_empty() => {
                let (seq, size, prepared) = prepared.map_err(|e| format!("preparing a delivery failed: {e}"))?;
                // Committed here, in sequence order; only the wait for the disk is deferred.
                let committed = prepared.map(|p| sink.commit(p));
                pending.push_back(Box::pin(async move {
                    match committed {
                        Ok(committed) => (seq, size, committed.await.map(|()| Handled::Stored)),
                        Err(reason) => (seq, size, Ok(Handled::Unopened(reason))),
                    }
                }));
            }
            Some((seq, size, outcome)) = pending.next(), if !pending.is_empty() => {
                in_flight_bytes = in_flight_bytes.saturating_sub(size);
                let handled = outcome.map_err(|e| format!("the desktop could not store a delivery: {e}"))?;
                match handled {
                    Handled::Stored => status.send_modify(|s| {
                        s.delivered += 1;
                        s.last_delivery_at = Some(Utc::now());
                    }),
                    Handled::Unopened(reason) if *no_hold => {
                        // The relay cannot keep it aside: leave it (and what follows)
                        // unacknowledged, after acknowledging what came before it.
                        if let Some(done) = last_done.filter(|d| Some(*d) != last_acked) {
                            let frame = serde_json::to_string(&ClientFrame::Ack { seq: done }).unwrap_or_default();
                            let _ = ws.send(Message::Text(frame.into())).await;
                            status.send_modify(|s| s.acked = s.acked.max(done));
                        }
                        status.send_modify(|s| s.held_reason = Some(reason.clone()));
                        let _ = ws.close(None).await;
                        return Err(format!("envelope {seq} does not open with this desktop's keys ({reason}); this relay cannot hold it, so it stays unacknowledged and the stream stops there until the key is known"));
                    }
                    Handled::Unopened(reason) => {
                        let frame = serde_json::to_string(&ClientFrame::Hold { seq, reason: reason.clone() }).unwrap_or_default();
                        ws.send(Message::Text(frame.into())).await.map_err(|e| format!("could not send a hold: {e}"))?;
                        held_here = true;
                        status.send_modify(|s| s.held_reason = Some(reason));
                    }
                }
                last_done = Some(seq);
                done_since_ack += 1;
                if (pending.is_empty() && preparing.is_empty()) || done_since_ack >= 128 {
                    let frame = serde_json::to_string(&ClientFrame::Ack { seq }).unwrap_or_default();
                    ws.send(Message::Text(frame.into())).await.map_err(|e| format!("could not send an ack: {e}"))?;
                    done_since_ack = 0;
                    last_acked = Some(seq);
                    status.send_modify(|s| s.acked = s.acked.max(seq));
                }
            }
            _ = tokio::time::sleep_until(deadline), if reading => {
                return Err(format!("no word from the relay for {} s", config.silence_timeout.as_secs()));
            }
            _ = stopped.changed() => {
                // Deliveries being committed finish (they may already be on their way to
                // disk) and are acknowledged; the rest come again next time.
                while let Some((seq, _, outcome)) = pending.next().await {
                    match outcome {
                        Ok(Handled::Stored) => last_done = Some(seq),
                        // Not acknowledged past: it comes again next time and is held then.
                        Ok(Handled::Unopened(_)) | Err(_) => break,
                    }
                }
                if let Some(seq) = last_done {
                    let frame = serde_json::to_string(&ClientFrame::Ack { seq }).unwrap_or_default();
                    let _ = ws.send(Message::Text(frame.into())).await;
                    status.send_modify(|s| s.acked = s.acked.max(seq));
                }
                let _ = ws.close(None).await;
                return Ok("stopped".into());
            }
        }
    }
}

/// Opens one envelope and prepares its delivery. An envelope that opens with none of the
/// keys is not prepared: `Err(why)`, and the session asks the relay to hold it.
fn open_and_prepare<S: Sink>(
    config: &ClientConfig,
    sink: &S,
    id: &str,
    seq: u64,
    sealed: &str,
) -> Result<S::Prepared, String> {
    let opened = STANDARD
        .decode(sealed.as_bytes())
        .map_err(|_| envelope::EnvelopeError::Open)
        .and_then(|bytes| {
            let mut last = Err(envelope::EnvelopeError::Open);
            for key in &config.keys {
                last = envelope::open(key, &config.channel_id, id, &bytes);
                if last.is_ok() {
                    break;
                }
            }
            last
        });
    match opened {
        Ok(request) => Ok(sink.prepare(id, request.into_delivery())),
        Err(e) => {
            tracing::error!(envelope = %id, seq, error = %e, "an envelope could not be opened; asking the relay to hold it");
            Err(format!("envelope {id} {e}", e = match e {
                envelope::EnvelopeError::Open => "does not open with any of this desktop's keys (sealed to another key, or altered)".to_owned(),
                other => other.to_string(),
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_urls_follow_the_relay_scheme() {
        let config = ClientConfig::new("https://relay.example.com/", "c1", "t", Vec::new());
        assert_eq!(
            stream_url(&config, &config.url, 7),
            "wss://relay.example.com/v1/channels/c1/stream?after=7"
        );
        let config = ClientConfig::new("http://127.0.0.1:8787", "c1", "t", Vec::new());
        assert!(stream_url(&config, &config.url, 0).starts_with("ws://127.0.0.1:8787/"));
        assert!(
            !format!("{config:?}").contains("\"t\""),
            "the token is not shown"
        );
    }

    #[tokio::test]
    async fn https_and_wss_relays_are_reached_over_tls() {
        // Nothing listens on port 1: the errors must be about connecting, not about the scheme
        // or a missing TLS backend.
        let keys = crate::KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
        let error = pair("https://127.0.0.1:1", &keys.public).await.err();
        let text = error.map(|e| format!("{e:?}")).unwrap_or_default();
        assert!(!text.is_empty(), "pairing with nothing cannot succeed");
        assert!(!text.to_lowercase().contains("scheme"), "{text}");
        let config = ClientConfig::new("https://127.0.0.1:1", "c", "t", Vec::new());
        let mut request = stream_url(&config, &config.url, 0)
            .into_client_request()
            .unwrap_or_else(|e| panic!("{e}"));
        request
            .headers_mut()
            .insert("x", HeaderValue::from_static("y"));
        let error = tokio_tungstenite::connect_async(request).await.err();
        let text = error.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            text.to_lowercase().contains("io error") || text.contains("refused"),
            "{text}"
        );
    }
}
