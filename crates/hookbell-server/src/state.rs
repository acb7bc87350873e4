//! `AppState`: what every handler shares: the engine, the API token, the addresses the local
//! API answers to, the per-peer limiter, and the shutdown signal for long-lived streams.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::path::PathBuf;
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
    pub(crate) paths: Option<Arc<Paths>>,
    /// The relay connection (off until started).
    pub relay: crate::relay::Relay,
}

/// Where this engine keeps its files (shown in the UI's About section).
#[derive(Debug, Clone)]
pub struct Paths {
    /// The data directory.
    pub data_dir: PathBuf,
    /// The config file.
    pub config_file: PathBuf,
    /// The log file, when logs go to one.
    pub log_file: Option<PathBuf>,
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
            relay: crate::relay::Relay::new(engine.clone()),
            engine,
            token: Arc::new(token),
            local_addr,
            allowed_hosts,
            limiter,
            shutdown: watch::channel(false).0,
            paths: None,
        }
    }

    /// Tells the API where the files are.
    pub fn with_paths(mut self, paths: Paths) -> Self {
        self.relay.set_data_dir(&paths.data_dir);
        self.paths = Some(Arc::new(paths));
        self
    }

    /// The UI's address with the API token in the URL fragment (which browsers never send to
    /// the server).
    pub fn open_url(&self) -> String {
        format!("{}/#token={}", self.base_url(), self.token.expose())
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
