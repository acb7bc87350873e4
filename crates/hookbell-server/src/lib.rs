//! Hookbell's HTTP engine: `POST /hooks/{source}` takes provider deliveries, the local API
//! under `/api` serves alerts to the UI and scripts, and `/api/events` streams changes.
//!
//! Binding is the caller's: build an [`AppState`] for the listener's address, then
//! [`serve`] it with a shutdown future. `hookbelld` and the desktop app both do exactly that.
#![forbid(unsafe_code)]

pub mod api;
pub mod app;
pub mod config_file;
pub mod data_dir;
pub mod engine;
pub mod error;
pub mod events;
pub mod hooks;
pub mod notifier;
pub mod relay;
pub mod retention;
pub mod secret_store;
pub mod smee;
pub mod state;
mod ui;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

pub use app::{App, Options, StartError};
pub use engine::{Engine, IngestError};
pub use events::{Event, EventBus};
pub use notifier::Notifier;
pub use state::AppState;

/// Every route: `/hooks`, `/api`, and the web UI at `/` (its files through the fallback).
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(hooks::router(&state))
        .merge(api::router(&state))
        .merge(ui::router())
        .fallback(ui::fallback)
        .with_state(state)
}

/// Serves `state` on `listener` until `shutdown` completes; then stops taking requests, ends
/// event streams, and waits for requests in flight to finish. The caller flushes the store.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state.clone());
    let stopping = state.clone();
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("shutting down: finishing requests in flight");
        stopping.begin_shutdown();
    })
    .await
}
