//! `AppState`: what every handler shares: the engine, the API token, the addresses the local
//! API answers to, the per-peer limiter, and the shutdown signal for long-lived streams.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use hookbell_core::Secret;
use tokio::sync::watch;

use crate::engine::Engine;

/// Shared by every handler. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The engine.
    pub engine: Engine,
    pub(crate) token: Arc<Secret>,
    pub(crate) local_addr: SocketAddr,
    pub(crate) allowed_hosts: Arc<[String]>,
    pub(crate) limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    pub(crate) shutdown: watch::Sender<bool>,
}

impl AppState {
    /// State for a server bound to `local_addr`, whose local API takes `token`.
    pub fn new(engine: Engine, token: Secret, local_addr: SocketAddr) -> Self {
        let port = local_addr.port();
        let allowed_hosts: Arc<[String]> = [
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ]
        .into();
        let limit = engine.config().server.rate_limit;
        let per_second = NonZeroU32::new(limit.per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(limit.burst).unwrap_or(NonZeroU32::MIN);
        let limiter = Arc::new(RateLimiter::keyed(
            Quota::per_second(per_second).allow_burst(burst),
        ));
        AppState {
            engine,
            token: Arc::new(token),
            local_addr,
            allowed_hosts,
            limiter,
            shutdown: watch::channel(false).0,
        }
    }

    /// The base URL of this server, as a loopback URL.
    pub fn base_url(&self) -> String {
        let port = self.local_addr.port();
        match self.local_addr.ip() {
            IpAddr::V6(ip) if ip.is_loopback() => format!("http://[::1]:{port}"),
            _ => format!("http://127.0.0.1:{port}"),
        }
    }

    /// Ends long-lived streams (SSE) so a graceful shutdown can finish.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }
}
