//! The relay's HTTP side: [`router`] builds the routes over a [`RelayState`], [`serve`] runs
//! them on a listener the caller bound, until the caller's shutdown future completes;
//! [`serve_tls`] does the same over HTTPS (and `wss://` for the stream).
//!
//! Routes: `POST /v1/channels` (pairing), `POST /v1/channels/{id}/key/challenge` and
//! `PUT /v1/channels/{id}/key` (rotation, with proof of the current key),
//! `DELETE /v1/channels/{id}` (unpairing), `GET /v1/channels/{id}/stream` (the desktop's
//! WebSocket), `ANY /h/{channel_id}/{source_id}` (providers), `/healthz`, `/metrics`.

mod channels;
mod connections;
mod ingest;
mod stream;

pub use connections::ConnectionLimit;
pub use stream::WINDOW;

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, put};
use axum_server::accept::NoDelayAcceptor;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::RelayConfig;
use crate::error::HttpError;
use crate::metrics::Metrics;
use crate::pairing::PairingGate;
use crate::queue::Backend;

/// Shared by every route. Cheap to clone.
#[derive(Clone)]
pub struct RelayState {
    inner: Arc<Inner>,
}

struct Inner {
    backend: Arc<dyn Backend>,
    config: RelayConfig,
    pairing: PairingGate,
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    ids: Mutex<ulid::Generator>,
    metrics: Metrics,
    shutdown: watch::Sender<bool>,
    /// Per channel, the generation of its newest stream: an older stream steps aside.
    streams: Mutex<HashMap<String, watch::Sender<u64>>>,
    /// One permit per open connection, `max_connections` in all.
    connections: Arc<tokio::sync::Semaphore>,
}

/// How long `/metrics` waits for each total it reads from the queue.
const METRICS_READ_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a key challenge can be answered.
pub const CHALLENGE_TTL: Duration = Duration::from_secs(300);

impl RelayState {
    /// State over `backend` with `config`. Pairing is open when `[pairing] open` says so,
    /// closed otherwise (see [`RelayState::with_pairing`] for a secret and invites).
    pub fn new(backend: Arc<dyn Backend>, config: RelayConfig) -> Self {
        let gate = if config.pairing.open {
            PairingGate::open()
        } else {
            PairingGate::closed()
        };
        Self::with_pairing(backend, config, gate)
    }

    /// State over `backend` with `config`, pairing as `pairing` says.
    pub fn with_pairing(
        backend: Arc<dyn Backend>,
        config: RelayConfig,
        pairing: PairingGate,
    ) -> Self {
        let per_second =
            NonZeroU32::new(config.limits.rate_limit_per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(config.limits.rate_limit_burst).unwrap_or(NonZeroU32::MIN);
        RelayState {
            inner: Arc::new(Inner {
                backend,
                pairing,
                limiter: RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst)),
                ids: Mutex::new(ulid::Generator::new()),
                metrics: Metrics::default(),
                shutdown: watch::channel(false).0,
                streams: Mutex::new(HashMap::new()),
                connections: Arc::new(tokio::sync::Semaphore::new(
                    config
                        .limits
                        .max_connections
                        .clamp(1, tokio::sync::Semaphore::MAX_PERMITS),
                )),
                config,
            }),
        }
    }

    /// The queue and channel registry.
    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.inner.backend
    }

    /// The settings.
    pub fn config(&self) -> &RelayConfig {
        &self.inner.config
    }

    /// Who may pair.
    pub fn pairing(&self) -> &PairingGate {
        &self.inner.pairing
    }

    /// The counters.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// Ends every stream (with close code 1001) so a graceful shutdown can finish.
    pub fn begin_shutdown(&self) {
        self.inner.shutdown.send_replace(true);
    }

    fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.subscribe()
    }

    /// A new time-ordered envelope id.
    fn next_id(&self) -> String {
        let mut generator = match self.inner.ids.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        match generator.generate() {
            Ok(id) => id,
            Err(overflow) => overflow.commit_overflow_increment(),
        }
        .to_string()
    }

    /// Connections open on this node now.
    pub fn open_connections(&self) -> u64 {
        let max = self
            .config()
            .limits
            .max_connections
            .clamp(1, tokio::sync::Semaphore::MAX_PERMITS);
        max.saturating_sub(self.inner.connections.available_permits()) as u64
    }

    /// The channels a desktop streams from this node now.
    fn streamed_channels(&self) -> Vec<String> {
        self.streams()
            .iter()
            .filter(|(_, sender)| sender.receiver_count() > 0)
            .map(|(channel, _)| channel.clone())
            .collect()
    }

    fn streams(&self) -> std::sync::MutexGuard<'_, HashMap<String, watch::Sender<u64>>> {
        self.inner
            .streams
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes over `channel`'s stream: any older stream of it is told to step aside.
    fn claim_stream(&self, channel: &str) -> StreamSlot {
        let mut streams = self.streams();
        let sender = streams
            .entry(channel.to_owned())
            .or_insert_with(|| watch::channel(0).0);
        let generation = *sender.borrow() + 1;
        sender.send_replace(generation);
        StreamSlot {
            state: self.clone(),
            channel: channel.to_owned(),
            generation,
            newest: sender.subscribe(),
        }
    }
}

/// A stream's claim on its channel on this node ([`RelayState::claim_stream`]): its
/// generation, and the channel's newest one (a newer stream of the channel takes over).
/// Dropped with the stream; the last one of a channel forgets the channel's entry, so a
/// node that has streamed many channels keeps only those streaming now.
struct StreamSlot {
    state: RelayState,
    channel: String,
    generation: u64,
    newest: watch::Receiver<u64>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut streams = self.state.streams();
        // Under the lock no claim can subscribe meanwhile; `self.newest` is still counted.
        if streams
            .get(&self.channel)
            .is_some_and(|sender| sender.receiver_count() <= 1)
        {
            streams.remove(&self.channel);
        }
    }
}

/// Every route, behind the abuse limits: the per-client rate, the body size and read time
/// (ingest and pairing), and the number of requests handled at once (every route).
pub fn router(state: RelayState) -> Router {
    let limits = state.config().limits.clone();
    let limited = Router::new()
        .route("/h/{channel_id}/{source_id}", any(ingest::receive))
        .route("/v1/channels", post(channels::create))
        .layer(axum::extract::DefaultBodyLimit::max(limits.max_body_bytes))
        // A body sent slower than this fails to read: 408 (ingest::receive).
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            Duration::from_secs(limits.body_timeout_secs.max(1)),
        ))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit));
    let overloaded = state.clone();
    Router::new()
        .merge(limited)
        .route(
            "/v1/channels/{channel_id}",
            axum::routing::delete(channels::delete),
        )
        .route("/v1/channels/{channel_id}/key", put(channels::rotate))
        .route(
            "/v1/channels/{channel_id}/key/challenge",
            post(channels::challenge),
        )
        .route("/v1/channels/{channel_id}/stream", get(stream::stream))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .with_state(state)
        .layer(
            tower::ServiceBuilder::new()
                // Over `max_in_flight`: 503 at once, rather than a queue that grows.
                .layer(axum::error_handling::HandleErrorLayer::new(
                    move |_: tower::BoxError| {
                        let state = overloaded.clone();
                        async move {
                            state
                                .metrics()
                                .refused_overloaded
                                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            HttpError::retry(
                                StatusCode::SERVICE_UNAVAILABLE,
                                "this relay is handling as many requests as it can; retry shortly",
                                1,
                            )
                        }
                    },
                ))
                .load_shed()
                .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
                    limits.max_in_flight.max(1),
                )),
        )
}

/// `ok` (200), or 503 while this node cannot reach its queue (a load balancer then sends
/// requests to another node).
async fn healthz(State(state): State<RelayState>) -> Response {
    if state.backend().healthy() {
        "ok\n".into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "1")],
            "not connected to the queue (NATS); retry on another node\n",
        )
            .into_response()
    }
}

async fn metrics(State(state): State<RelayState>) -> Response {
    let backend = state.backend();
    // Promptly, even while the queue is slow to answer (a NATS cluster electing a leader):
    // a total not read in time is reported as 0 this once.
    let (depth, held, channels) = tokio::join!(
        within(backend.total_depth()),
        within(backend.total_held()),
        within(backend.channel_count())
    );
    let text = state.metrics().render(
        depth.unwrap_or_default(),
        held.unwrap_or_default(),
        channels.unwrap_or_default(),
        state.open_connections(),
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

async fn not_found() -> HttpError {
    HttpError::not_found("no such route; providers post to /h/{channel_id}/{source_id}")
}

/// `read`, or an error once it took longer than [`METRICS_READ_TIMEOUT`].
async fn within<T>(read: crate::queue::ReadFuture<T>) -> crate::error::Result<T> {
    tokio::time::timeout(METRICS_READ_TIMEOUT, read)
        .await
        .unwrap_or_else(|_| Err(crate::error::RelayError::Nats("timed out".into())))
}

/// The client a request is from: the peer, or, when the peer is a trusted proxy, the last
/// address in `X-Forwarded-For` that is not one (proxies append the address they saw).
pub fn client_ip(peer: IpAddr, headers: &axum::http::HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let canonical = |ip: IpAddr| ip.to_canonical();
    let peer = canonical(peer);
    if !trusted.iter().any(|t| canonical(*t) == peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .map(canonical)
        .collect::<Vec<_>>();
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !trusted.iter().any(|t| canonical(*t) == *ip))
        .unwrap_or(peer)
}

/// What the per-client limits count under: an IPv4 address, or an IPv6 address's /64 (a
/// host usually has a whole /64 and can rotate through it).
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(std::net::Ipv6Addr::from(bits))
        }
        v4 => v4,
    }
}

/// Refuses a client (an IPv4 address or an IPv6 /64) that sends faster than the limits
/// allow, with `Retry-After`.
async fn rate_limit(
    State(state): State<RelayState>,
    request: Request,
    next: Next,
) -> Result<Response, HttpError> {
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        let ip = client_ip(
            peer.ip(),
            request.headers(),
            &state.config().limits.trusted_proxies,
        );
        let key = limit_key(ip);
        if let Err(not_until) = state.inner.limiter.check_key(&key) {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            let secs = wait.max(Duration::from_secs(1)).as_secs_f64().ceil() as u64;
            state
                .metrics()
                .refused_rate
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let who = match key {
                IpAddr::V6(_) => format!("{key}/64"),
                IpAddr::V4(_) => key.to_string(),
            };
            return Err(HttpError::retry(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many requests from {who}; retry in {secs} s"),
                secs,
            ));
        }
        if state.inner.limiter.len() > 10_000 {
            state.inner.limiter.retain_recent();
        }
    }
    Ok(next.run(request).await)
}

/// Tells the other nodes this one's `[pairing] node_url`, every [`NODE_ANNOUNCE_EVERY`]
/// (nothing without one).
async fn announce_forever(state: RelayState) {
    let Some(url) = state.config().pairing.node_url.clone() else {
        return;
    };
    let mut tick = tokio::time::interval(crate::queue::NODE_ANNOUNCE_EVERY);
    loop {
        tick.tick().await;
        if let Err(e) = state.backend().announce_node(&url).await {
            tracing::warn!(error = %e, "announcing this node failed; again shortly");
        }
    }
}

/// Deletes unacknowledged envelopes older than the retention period, now and every hour.
pub async fn expire_forever(state: RelayState) {
    let retention = Duration::from_secs(state.config().retention.unacked_secs);
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let cutoff = chrono::Utc::now()
            - chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::days(7));
        match state.backend().expire(cutoff).await {
            Ok(0) => {}
            Ok(n) => {
                state
                    .metrics()
                    .expired
                    .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                tracing::info!(
                    expired = n,
                    "deleted unacknowledged envelopes past retention"
                );
            }
            Err(e) => tracing::error!(error = %e, "expiry failed"),
        }
    }
}

/// How often idle channels are looked for: a quarter of `idle` (so one goes at most a
/// quarter late), at least every 250 ms, at most every hour.
fn idle_sweep_every(idle: Duration) -> Duration {
    (idle / 4).clamp(Duration::from_millis(250), Duration::from_secs(3600))
}

/// Deletes channels whose desktop has not connected for `[retention] idle_channel_secs` (with
/// their envelopes and token), now and every [`idle_sweep_every`]. Each round first records
/// a connection for every channel streamed from this node, so a desktop that stays connected
/// longer than that is not idle (every node does this for its own streams).
pub async fn expire_idle_forever(state: RelayState) {
    let idle_secs = state.config().retention.idle_channel_secs;
    if idle_secs == 0 {
        return;
    }
    let idle = Duration::from_secs(idle_secs);
    let mut tick = tokio::time::interval(idle_sweep_every(idle));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        for channel in state.streamed_channels() {
            if let Err(e) = state.backend().touch_channel(&channel).await {
                tracing::warn!(error = %e, "recording a connected desktop failed");
            }
        }
        let before = chrono::Utc::now()
            - chrono::Duration::from_std(idle).unwrap_or(chrono::Duration::days(90));
        let idle_ones = match state.backend().idle_channels(before).await {
            Ok(ids) => ids,
            Err(e) => {
                tracing::error!(error = %e, "listing idle channels failed");
                continue;
            }
        };
        for id in idle_ones {
            // What it still holds goes with it: counted as expired, like envelopes past
            // retention, so nothing accepted leaves uncounted.
            let waiting = state
                .backend()
                .depth(&id)
                .await
                .map(|d| d.count)
                .unwrap_or(0);
            match state.backend().delete_channel(&id).await {
                Ok(_) => {
                    let metrics = state.metrics();
                    metrics
                        .idle_channels_expired
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    metrics
                        .expired
                        .fetch_add(waiting, std::sync::atomic::Ordering::Relaxed);
                    tracing::info!(channel = %id, idle_secs, envelopes = waiting, "deleted a channel whose desktop has not connected for idle_channel_secs");
                }
                Err(e) => {
                    tracing::error!(channel = %id, error = %e, "deleting an idle channel failed")
                }
            }
        }
    }
}

/// Serves `state` on `listener` until `shutdown` completes; then stops taking requests,
/// closes the streams and waits for requests in flight. The caller closes the queue. A client
/// that has not sent its request's headers within `header_timeout_secs` is disconnected.
pub async fn serve(
    listener: TcpListener,
    state: RelayState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (handle, tasks) = start(&state, shutdown);
    let header_timeout = header_timeout(&state);
    // Small frames (envelopes, pings) must not wait for Nagle's algorithm and delayed ACKs.
    // At most max_connections at once; a connection past it is answered 503 and closed.
    let acceptor = ConnectionLimit::new(NoDelayAcceptor::new(), &state);
    let mut server = axum_server::Server::<SocketAddr>::from_listener(listener)
        .acceptor(acceptor)
        .handle(handle);
    server
        .http_builder()
        .http1()
        .header_read_timeout(header_timeout);
    let served = server
        .serve(router(state).into_make_service_with_connect_info::<SocketAddr>())
        .await;
    for task in tasks {
        task.abort();
    }
    served
}

fn header_timeout(state: &RelayState) -> Duration {
    Duration::from_secs(state.config().limits.header_timeout_secs.max(1))
}

/// The expiry task, and the task that on `shutdown` closes the streams (code 1001), stops
/// accepting, and lets each connection finish what it is serving (no deadline).
fn start(
    state: &RelayState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> (
    axum_server::Handle<SocketAddr>,
    [tokio::task::JoinHandle<()>; 2],
) {
    let expiry = tokio::spawn({
        let state = state.clone();
        async move {
            tokio::join!(
                expire_forever(state.clone()),
                expire_idle_forever(state.clone()),
                announce_forever(state)
            );
        }
    });
    let handle = axum_server::Handle::<SocketAddr>::new();
    let stopping = state.clone();
    let stop = handle.clone();
    let signal = tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down: finishing requests in flight");
        stopping.begin_shutdown();
        stop.graceful_shutdown(None);
    });
    (handle, [expiry, signal])
}

/// [`serve`] over HTTPS: the same routes and the same graceful shutdown, with TLS from `tls`
/// (see [`crate::tls::load`]) on every connection, the stream's WebSocket included. A client
/// that does not complete the TLS handshake within 10 s is dropped.
pub async fn serve_tls(
    listener: TcpListener,
    tls: RustlsConfig,
    state: RelayState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (handle, tasks) = start(&state, shutdown);
    let header_timeout = header_timeout(&state);
    // Small frames (envelopes, pings) must not wait for Nagle's algorithm and delayed ACKs.
    // The limit around the TLS acceptor: a connection past it is told so over TLS.
    let acceptor = ConnectionLimit::new(
        RustlsAcceptor::new(tls).acceptor(NoDelayAcceptor::new()),
        &state,
    );
    let mut server = axum_server::Server::<SocketAddr>::from_listener(listener)
        .acceptor(acceptor)
        .handle(handle);
    server
        .http_builder()
        .http1()
        .header_read_timeout(header_timeout);
    let served = server
        .serve(router(state).into_make_service_with_connect_info::<SocketAddr>())
        .await;
    for task in tasks {
        task.abort();
    }
    served
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(dir: &std::path::Path) -> RelayState {
        let queue = crate::SledQueue::open(&dir.join("queue")).unwrap_or_else(|e| panic!("{e}"));
        RelayState::new(Arc::new(queue), RelayConfig::default())
    }

    #[test]
    fn a_channels_entry_is_forgotten_when_its_last_stream_ends() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let state = state(dir.path());
        let first = state.claim_stream("a");
        let second = state.claim_stream("a");
        assert!(second.generation > first.generation);
        let other = state.claim_stream("b");
        drop(first);
        assert!(
            state.streams().contains_key("a"),
            "a newer stream of a is running"
        );
        drop(second);
        assert!(!state.streams().contains_key("a"), "no stream of a is left");
        assert!(state.streams().contains_key("b"));
        drop(other);
        assert!(state.streams().is_empty());
    }

    #[test]
    fn an_older_stream_sees_a_newer_one_take_over() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let state = state(dir.path());
        let mut first = state.claim_stream("a");
        let second = state.claim_stream("a");
        assert!(first.newest.has_changed().unwrap_or(false));
        assert_eq!(*first.newest.borrow_and_update(), second.generation);
        assert_ne!(second.generation, first.generation);
    }
}
