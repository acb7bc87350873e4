//! `/api/events`: Server-Sent Events. `alert` (a new Alert), `updated` (an Alert that
//! changed), `deleted` (`{"id"}`), `stats` (the counters). A slow reader skips ahead and gets
//! a `lagged` event telling it to refetch.

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::routing::get;
use futures_util::{Stream, StreamExt};
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use crate::events::Event;
use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/api/events", get(events))
}

/// Live updates as Server-Sent Events.
#[utoipa::path(get, path = "/api/events", tag = "events",
    responses((status = 200, description = "text/event-stream of `alert`, `updated`, `deleted`, `stats` and `lagged` events", content_type = "text/event-stream")),
    security(("token" = [])))]
pub async fn events(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let mut shutdown = state.shutdown.subscribe();
    let ended = async move {
        let _ = shutdown.wait_for(|stop| *stop).await;
    };
    let stream = BroadcastStream::new(state.engine.events().subscribe())
        .map(|item| Ok(to_sse(item)))
        .take_until(ended);
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn to_sse(item: Result<Event, BroadcastStreamRecvError>) -> SseEvent {
    let (name, data) = match item {
        Ok(Event::AlertCreated(alert)) => ("alert", serde_json::to_string(&alert)),
        Ok(Event::AlertUpdated(alert) | Event::AlertReopened(alert)) => {
            ("updated", serde_json::to_string(&alert))
        }
        Ok(Event::AlertDeleted(id)) => (
            "deleted",
            serde_json::to_string(&serde_json::json!({ "id": id })),
        ),
        Ok(Event::Stats(stats)) => ("stats", serde_json::to_string(&stats)),
        Err(BroadcastStreamRecvError::Lagged(n)) => ("lagged", Ok(format!("{{\"missed\":{n}}}"))),
    };
    SseEvent::default()
        .event(name)
        .data(data.unwrap_or_default())
}
