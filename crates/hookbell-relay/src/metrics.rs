//! The relay's counters and their Prometheus text exposition at `/metrics` (hand-written: a
//! handful of counters and gauges do not need a metrics crate).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::queue::Depth;

/// Counters, updated by the routes.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Deliveries accepted (sealed and durable).
    pub deliveries: AtomicU64,
    /// Body bytes of accepted deliveries.
    pub bytes: AtomicU64,
    /// Envelopes deleted because the desktop acknowledged them.
    pub acked: AtomicU64,
    /// Envelopes deleted unacknowledged after the retention period.
    pub expired: AtomicU64,
    /// Refused: unknown channel.
    pub refused_unknown: AtomicU64,
    /// Refused: body too large.
    pub refused_too_large: AtomicU64,
    /// Refused: the channel's quota is used up.
    pub refused_quota: AtomicU64,
    /// Refused: the client IP sends too fast.
    pub refused_rate: AtomicU64,
    /// Refused: the body came slower than `body_timeout_secs` (408).
    pub refused_slow_body: AtomicU64,
    /// Refused: `max_in_flight` requests were being handled (503).
    pub refused_overloaded: AtomicU64,
    /// Refused: the relay's bytes over all channels are at `max_queued_bytes_total` (503).
    pub refused_global_quota: AtomicU64,
    /// Refused: the data directory's disk has less than `min_free_disk_bytes` free (503).
    pub refused_disk_floor: AtomicU64,
    /// Connections refused: `max_connections` were open (503, closed).
    pub refused_connections: AtomicU64,
    /// Channels deleted because their desktop had not connected for `idle_channel_secs`.
    pub idle_channels_expired: AtomicU64,
    /// Pairings refused: no code, or not the secret nor a live invite.
    pub refused_pairing: AtomicU64,
    /// Envelopes the desktops said they could not open (each counted once, when first held).
    pub held: AtomicU64,
    /// Desktops connected to their stream now.
    pub connected: AtomicU64,
}

fn add(out: &mut String, name: &str, kind: &str, help: &str, samples: &[(&str, u64)]) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
    for (labels, value) in samples {
        let _ = writeln!(out, "{name}{labels} {value}");
    }
}

impl Metrics {
    /// The Prometheus text format of every metric.
    pub fn render(&self, depth: Depth, held: u64, channels: usize, connections: u64) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::with_capacity(2048);
        add(
            &mut out,
            "hookbell_relay_deliveries_total",
            "counter",
            "Deliveries accepted: sealed and durable.",
            &[("", get(&self.deliveries))],
        );
        add(
            &mut out,
            "hookbell_relay_delivery_bytes_total",
            "counter",
            "Body bytes of accepted deliveries.",
            &[("", get(&self.bytes))],
        );
        add(
            &mut out,
            "hookbell_relay_acked_total",
            "counter",
            "Envelopes deleted after the desktop acknowledged them.",
            &[("", get(&self.acked))],
        );
        add(
            &mut out,
            "hookbell_relay_expired_total",
            "counter",
            "Envelopes deleted unacknowledged after the retention period.",
            &[("", get(&self.expired))],
        );
        add(
            &mut out,
            "hookbell_relay_refused_total",
            "counter",
            "Deliveries refused, by reason.",
            &[
                ("{reason=\"unknown_channel\"}", get(&self.refused_unknown)),
                ("{reason=\"too_large\"}", get(&self.refused_too_large)),
                ("{reason=\"quota\"}", get(&self.refused_quota)),
                ("{reason=\"rate_limited\"}", get(&self.refused_rate)),
                ("{reason=\"slow_body\"}", get(&self.refused_slow_body)),
                ("{reason=\"overloaded\"}", get(&self.refused_overloaded)),
                ("{reason=\"global_quota\"}", get(&self.refused_global_quota)),
                ("{reason=\"disk_floor\"}", get(&self.refused_disk_floor)),
            ],
        );
        add(
            &mut out,
            "hookbell_relay_connections_refused_total",
            "counter",
            "Connections answered 503 and closed because max_connections were open.",
            &[("", get(&self.refused_connections))],
        );
        add(
            &mut out,
            "hookbell_relay_connections",
            "gauge",
            "Connections open on this node (desktops' streams included).",
            &[("", connections)],
        );
        add(
            &mut out,
            "hookbell_relay_idle_channels_expired_total",
            "counter",
            "Channels deleted with their envelopes and token: no desktop connection for idle_channel_secs.",
            &[("", get(&self.idle_channels_expired))],
        );
        add(
            &mut out,
            "hookbell_relay_pairing_refused_total",
            "counter",
            "Pairings refused: no code, or neither the operator's secret nor a live invite.",
            &[("", get(&self.refused_pairing))],
        );
        add(
            &mut out,
            "hookbell_relay_queue_depth",
            "gauge",
            "Envelopes waiting for their desktop.",
            &[("", depth.count)],
        );
        add(
            &mut out,
            "hookbell_relay_queue_bytes",
            "gauge",
            "Sealed bytes waiting for their desktop.",
            &[("", depth.bytes)],
        );
        add(
            &mut out,
            "hookbell_relay_held_total",
            "counter",
            "Envelopes held because their desktop could not open them.",
            &[("", get(&self.held))],
        );
        add(
            &mut out,
            "hookbell_relay_held",
            "gauge",
            "Envelopes held now (part of the queue depth): kept, offered again at each connection.",
            &[("", held)],
        );
        add(
            &mut out,
            "hookbell_relay_connected_desktops",
            "gauge",
            "Desktops connected to their stream.",
            &[("", get(&self.connected))],
        );
        add(
            &mut out,
            "hookbell_relay_channels",
            "gauge",
            "Paired channels.",
            &[("", channels as u64)],
        );
        out
    }
}
