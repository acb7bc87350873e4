//! `GET /v1/channels/{id}/stream`: the desktop's WebSocket. Sends the held envelopes first
//! (those the desktop could not open before: it may have the key now), then the queued ones
//! in sequence order, then live ones as they become durable, with at most [`WINDOW`] in flight
//! beyond the last acknowledgement; deletes on each (cumulative) ack, passing over held
//! envelopes; keeps an envelope aside on a hold; pings every [`PING_EVERY`]. A newer
//! connection for the same channel takes over from an older one.

use std::collections::{BTreeSet, VecDeque};
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::ws::{
    CloseFrame, Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection,
};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;

use super::RelayState;
use super::channels::authorize;
use crate::error::HttpError;
use crate::protocol::{self, ClientFrame, ServerFrame};

/// How often the relay pings an idle desktop.
pub const PING_EVERY: Duration = Duration::from_secs(20);
/// Most envelopes sent beyond the last acknowledgement.
pub const WINDOW: u64 = 1024;
/// Envelopes read from the queue at a time.
const BATCH: usize = 256;
/// The stream's read buffer (tungstenite's default is 128 KiB per connection).
const READ_BUFFER: usize = 4096;
/// Largest frame a desktop may send.
const MAX_CLIENT_FRAME: usize = 4096;

/// `?after=SEQ`: resume after this sequence number (the relay also knows the last ack).
#[derive(Debug, Deserialize)]
pub struct Resume {
    after: Option<u64>,
}

/// Upgrade to the stream, once the token checks out.
pub async fn stream(
    State(state): State<RelayState>,
    Path(channel_id): Path<String>,
    Query(resume): Query<Resume>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, HttpError> {
    authorize(&state, &channel_id, &headers).await?;
    let upgrade = upgrade.map_err(|e| {
        HttpError::bad_request(format!("this is a WebSocket endpoint: {}", e.body_text()))
    })?;
    // Idle channels expire: this one's desktop is here (a real stream, not any request).
    if let Err(e) = state.backend().touch_channel(&channel_id).await {
        tracing::warn!(channel = %channel_id, error = %e, "recording the desktop's connection failed");
    }
    let after = resume
        .after
        .unwrap_or(0)
        .max(state.backend().acked(&channel_id).await?);
    Ok(upgrade
        .max_message_size(MAX_CLIENT_FRAME)
        .max_frame_size(MAX_CLIENT_FRAME)
        // Idle desktops are the common case: small buffers keep thousands of them cheap.
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .on_upgrade(move |socket| async move {
            state.metrics().connected.fetch_add(1, Ordering::Relaxed);
            tracing::info!(channel = %channel_id, after, "desktop connected");
            let end = session(&state, &channel_id, after, socket).await;
            state.metrics().connected.fetch_sub(1, Ordering::Relaxed);
            tracing::info!(channel = %channel_id, reason = end, "desktop disconnected");
        })
        .into_response())
}

fn text(frame: &ServerFrame) -> Message {
    Message::Text(serde_json::to_string(frame).unwrap_or_default().into())
}

fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

async fn backlog(state: &RelayState, channel: &str) -> Message {
    let backend = state.backend();
    let (depth, acked, held) = tokio::join!(
        backend.depth(channel),
        backend.acked(channel),
        backend.held(channel)
    );
    let depth = depth.unwrap_or_default();
    text(&ServerFrame::Backlog {
        count: depth.count,
        bytes: depth.bytes,
        acked: acked.unwrap_or_default(),
        held: held.unwrap_or_default(),
    })
}

/// Runs one desktop's stream; returns why it ended.
async fn session(state: &RelayState, channel: &str, after: u64, socket: WebSocket) -> &'static str {
    let backend = state.backend();
    let (mut tx, mut rx) = socket.split();
    let Some(mut appended) = backend.watch(channel) else {
        let _ = tx.send(close(1011, "the channel is gone")).await;
        return "channel gone";
    };
    let mut slot = state.claim_stream(channel);
    // With a queue shared by several relay nodes, the claim is shared too: a newer connection
    // on another node also takes over.
    let shared = match backend.claim_stream(channel).await {
        Ok(claim) => claim,
        Err(e) => {
            tracing::error!(error = %e, "claiming the stream failed");
            let _ = tx
                .send(close(1011, "the relay could not reach its queue"))
                .await;
            return "queue error";
        }
    };
    let (mine, mut elsewhere) = match shared {
        Some(claim) => (claim.mine, Some(claim.newest)),
        None => (0, None),
    };
    let mut shutdown = state.shutdown_signal();
    let mut sent = after;
    let mut acked = after;
    // Sent and not yet acknowledged, in order: the window counts envelopes, not sequence
    // numbers (with NATS they are the stream's, shared by every channel).
    let mut unacked: VecDeque<u64> = VecDeque::new();
    // Whether there may be durable envelopes not read yet: at first, and on each append.
    let mut dirty = true;
    if tx.send(backlog(state, channel).await).await.is_err() {
        return "send failed";
    }
    // Held envelopes first: the desktop may have learned their key since. Offered page by
    // page, every one of them (from the cursor `held_from`), with at most WINDOW awaiting the
    // desktop's answer (stored, or held again).
    let mut resent = BTreeSet::new();
    let mut held_from = Some(0);
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    loop {
        if let Some(from) = held_from
            && resent.len() < WINDOW as usize
        {
            let room = (WINDOW as usize - resent.len()).min(BATCH);
            match backend.read_held(channel, from, room).await {
                Ok(held) => {
                    // Held above `after` are sent with the queued ones below.
                    let more = held.len() == room;
                    held_from = None;
                    for (envelope, _) in held.iter().take_while(|(e, _)| e.seq <= after) {
                        if tx
                            .feed(text(&ServerFrame::envelope(envelope)))
                            .await
                            .is_err()
                        {
                            return "send failed";
                        }
                        resent.insert(envelope.seq);
                        held_from = Some(envelope.seq).filter(|_| more);
                    }
                    if tx.flush().await.is_err() {
                        return "send failed";
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "reading the held envelopes failed");
                    let _ = tx
                        .send(close(1011, "the relay could not read its queue"))
                        .await;
                    return "queue error";
                }
            }
            continue;
        }
        // Send what is durable and not yet sent, within the window.
        while unacked.front().is_some_and(|s| *s <= acked) {
            unacked.pop_front();
        }
        if appended.has_changed().unwrap_or(false) {
            dirty = true;
        }
        if dirty && (unacked.len() as u64) < WINDOW {
            let room = (WINDOW as usize - unacked.len()).min(BATCH);
            // Seen before reading: an append during the read wakes the next round.
            appended.borrow_and_update();
            match backend.read_from(channel, sent, room).await {
                Ok(envelopes) => {
                    if envelopes.len() < room {
                        dirty = false;
                    }
                    for envelope in &envelopes {
                        if tx
                            .feed(text(&ServerFrame::envelope(envelope)))
                            .await
                            .is_err()
                        {
                            return "send failed";
                        }
                        sent = envelope.seq;
                        unacked.push_back(envelope.seq);
                    }
                    if tx.flush().await.is_err() {
                        return "send failed";
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "reading the queue failed");
                    let _ = tx
                        .send(close(1011, "the relay could not read its queue"))
                        .await;
                    return "queue error";
                }
            }
            // Let acknowledgements in between batches.
            if let Some(Some(Ok(message))) = futures_util::FutureExt::now_or_never(rx.next())
                && let Some(reason) = handle(
                    state,
                    channel,
                    sent,
                    &mut acked,
                    &mut resent,
                    message,
                    &mut tx,
                )
                .await
            {
                return reason;
            }
            continue;
        }
        tokio::select! {
            changed = appended.changed() => {
                if changed.is_err() {
                    let _ = tx.send(close(1011, "the channel is gone")).await;
                    return "channel gone";
                }
                dirty = true;
            }
            message = rx.next() => {
                let Some(Ok(message)) = message else { return "connection lost" };
                if let Some(reason) = handle(state, channel, sent, &mut acked, &mut resent, message, &mut tx).await {
                    return reason;
                }
            }
            _ = ping.tick() => {
                if tx.send(Message::Ping(Default::default())).await.is_err() {
                    return "ping failed";
                }
            }
            Ok(()) = newer_elsewhere(&mut elsewhere, mine) => {
                let _ = tx.send(close(protocol::CLOSE_REPLACED, "a newer connection for this channel took over")).await;
                return "replaced";
            }
            _ = slot.newest.changed() => {
                if *slot.newest.borrow() != slot.generation {
                    let _ = tx.send(close(protocol::CLOSE_REPLACED, "a newer connection for this channel took over")).await;
                    return "replaced";
                }
            }
            _ = shutdown.changed() => {
                let _ = tx.send(close(protocol::CLOSE_GOING_AWAY, "the relay is shutting down; reconnect shortly")).await;
                return "shutdown";
            }
        }
    }
}

/// Resolves once a claim newer than `mine` is known (pending forever without shared claims;
/// an error when the claims can no longer be followed).
async fn newer_elsewhere(
    claims: &mut Option<tokio::sync::watch::Receiver<u64>>,
    mine: u64,
) -> Result<(), ()> {
    let Some(claims) = claims else {
        return std::future::pending().await;
    };
    claims
        .wait_for(|newest| *newest > mine)
        .await
        .map(|_| ())
        .map_err(|_| ())
}

type Tx = futures_util::stream::SplitSink<WebSocket, Message>;

/// Handles one frame from the desktop; `Some(reason)` ends the session. `resent` holds the
/// held envelopes offered again on this connection and not yet stored or held again.
async fn handle(
    state: &RelayState,
    channel: &str,
    sent: u64,
    acked: &mut u64,
    resent: &mut BTreeSet<u64>,
    message: Message,
    tx: &mut Tx,
) -> Option<&'static str> {
    match message {
        Message::Text(text) => match serde_json::from_str::<ClientFrame>(text.as_str()) {
            Ok(ClientFrame::Ack { seq }) => {
                // Only what was sent can be acknowledged.
                let seq = seq.min(sent.max(resent.last().copied().unwrap_or(0)));
                let release: Vec<u64> = resent.range(..=seq).copied().collect();
                if seq <= *acked && release.is_empty() {
                    return None;
                }
                match state
                    .backend()
                    .ack_and_release(channel, seq.min(sent), release.clone())
                    .await
                {
                    Ok(removed) => {
                        *acked = (*acked).max(seq.min(sent));
                        for r in release {
                            resent.remove(&r);
                        }
                        state.metrics().acked.fetch_add(removed, Ordering::Relaxed);
                        if tx.send(backlog(state, channel).await).await.is_err() {
                            return Some("send failed");
                        }
                        None
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "ack failed");
                        let _ = tx
                            .send(close(1011, "the relay could not record the ack"))
                            .await;
                        Some("ack failed")
                    }
                }
            }
            Ok(ClientFrame::Hold { seq, mut reason }) => {
                if seq > sent && !resent.contains(&seq) {
                    // Only what was sent can be held.
                    return None;
                }
                if reason.len() > protocol::MAX_HOLD_REASON {
                    let mut end = protocol::MAX_HOLD_REASON;
                    while !reason.is_char_boundary(end) {
                        end -= 1;
                    }
                    reason.truncate(end);
                }
                resent.remove(&seq);
                match state.backend().hold(channel, seq, reason).await {
                    Ok(new) => {
                        if new {
                            state.metrics().held.fetch_add(1, Ordering::Relaxed);
                            tracing::warn!(channel = %channel, seq, "the desktop could not open an envelope; held");
                        }
                        if tx.send(backlog(state, channel).await).await.is_err() {
                            return Some("send failed");
                        }
                        None
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "hold failed");
                        let _ = tx
                            .send(close(1011, "the relay could not record the hold"))
                            .await;
                        Some("hold failed")
                    }
                }
            }
            Err(_) => {
                let _ = tx
                    .send(close(protocol::CLOSE_MALFORMED, protocol::MALFORMED))
                    .await;
                Some("malformed frame")
            }
        },
        Message::Binary(_) => {
            let _ = tx
                .send(close(protocol::CLOSE_MALFORMED, protocol::MALFORMED))
                .await;
            Some("malformed frame")
        }
        Message::Close(_) => Some("closed by the desktop"),
        Message::Ping(_) | Message::Pong(_) => None,
    }
}
