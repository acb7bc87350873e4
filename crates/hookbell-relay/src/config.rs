//! The relay's settings: `DATA_DIR/hookbell-relay.toml`, created with the defaults (and a
//! comment per setting) when missing. Defaults → file → flags, into one [`RelayConfig`].

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{RelayError, Result};

/// The config file's name inside the data directory.
pub const CONFIG_FILE: &str = "hookbell-relay.toml";

/// Everything the relay can be told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RelayConfig {
    /// Size limits, quotas and rate limits.
    #[serde(default)]
    pub limits: Limits,
    /// How long unacknowledged envelopes are kept.
    #[serde(default)]
    pub retention: Retention,
    /// Who may pair.
    #[serde(default)]
    pub pairing: PairingSettings,
    /// Where channels and envelopes live.
    #[serde(default)]
    pub queue: QueueSettings,
}

/// Envelope streams a new NATS deployment is set up with (see `[queue] partitions`).
pub const DEFAULT_PARTITIONS: usize = 8;

/// `[queue]`: the embedded sled store in the data directory (default), or NATS JetStream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueueSettings {
    /// NATS servers (`nats://host:port`); when set, channels and envelopes live in JetStream
    /// and this node keeps no state of its own. `--nats URL[,URL…]` wins.
    pub nats: Vec<String>,
    /// Copies JetStream keeps of every envelope and record: 1 on one server, 3 in a cluster.
    pub replicas: usize,
    /// Names of the JetStream streams, subjects and buckets start with this.
    pub prefix: String,
    /// Envelope streams (partitions) the channels are spread over, by a hash of the channel
    /// id: each stream has its own leader and its own synced writes, so they run in
    /// parallel. Used only where no count is recorded yet (the first node to start on a
    /// prefix records it in the `{prefix}-meta` bucket); afterwards the recorded count is
    /// used, and a different setting is warned about and ignored.
    pub partitions: usize,
}

impl Default for QueueSettings {
    fn default() -> Self {
        QueueSettings {
            nats: Vec::new(),
            replicas: 1,
            prefix: "hookbell".into(),
            partitions: DEFAULT_PARTITIONS,
        }
    }
}

/// `[pairing]`: a public relay pairs only desktops that show the operator's secret or an
/// invite code the operator made, unless `open` (or `--open-pairing`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PairingSettings {
    /// Anyone may pair (a relay on a private network, tests).
    pub open: bool,
    /// A file holding the operator's pairing secret (its first line); `--pairing-secret-file`
    /// wins. Relative paths are taken from the data directory.
    pub secret_file: Option<std::path::PathBuf>,
    /// How long an invite made by `hookbell-relay invite` can be redeemed, unless told.
    pub invite_valid_secs: u64,
    /// This node's own URL (`https://relay-2.example.com`), handed out at pairing with the
    /// other live nodes' (NATS), so a desktop can reach a node without the balancer.
    /// `--node-url` wins.
    pub node_url: Option<String>,
}

impl Default for PairingSettings {
    fn default() -> Self {
        PairingSettings {
            open: false,
            secret_file: None,
            invite_valid_secs: 7 * 24 * 3600,
            node_url: None,
        }
    }
}

/// `[limits]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest accepted delivery body; larger ones get 413.
    pub max_body_bytes: usize,
    /// Most envelopes a channel may have waiting; more get 429.
    pub max_queued_per_channel: u64,
    /// Most sealed bytes a channel may have waiting; more get 429.
    pub max_queued_bytes_per_channel: u64,
    /// Requests per second per client IP (ingest and pairing).
    pub rate_limit_per_second: u32,
    /// Burst allowance per client IP.
    pub rate_limit_burst: u32,
    /// Load balancers or proxies in front of the relay (HAProxy with `option forwardfor`):
    /// for a request from one of them, the client is the last address in `X-Forwarded-For`
    /// that is not one of them. Empty: the peer address is the client, whatever the header
    /// says (anyone can send one).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Seconds a client has to send a request's headers; then the connection is closed
    /// (slow-loris).
    pub header_timeout_secs: u64,
    /// Seconds a client has to send a delivery's or a pairing's body; then 408.
    pub body_timeout_secs: u64,
    /// Most requests handled at once (streams count only while they open); more get 503.
    pub max_in_flight: usize,
    /// Most sealed bytes waiting over all channels (this relay, or the NATS stream); past it
    /// a delivery gets 503 with `Retry-After`, unless its channel holds less than
    /// `reserved_bytes_per_channel`.
    pub max_queued_bytes_total: u64,
    /// A channel holding less than this is never refused by `max_queued_bytes_total`: a
    /// desktop that keeps up is served while other channels fill the relay (the disk floor
    /// still applies).
    pub reserved_bytes_per_channel: u64,
    /// Free bytes the data directory's filesystem keeps (sled backend): with less free, every
    /// delivery gets 503 with `Retry-After`. 0: no floor.
    pub min_free_disk_bytes: u64,
    /// Most connections open at once on this node (desktops' streams included); more are
    /// answered 503 with `Retry-After` and closed. Keep it below the open-file limit.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 1024 * 1024,
            max_queued_per_channel: 100_000,
            max_queued_bytes_per_channel: 512 * 1024 * 1024,
            rate_limit_per_second: 100,
            rate_limit_burst: 500,
            trusted_proxies: Vec::new(),
            header_timeout_secs: 10,
            body_timeout_secs: 30,
            max_in_flight: 4096,
            max_queued_bytes_total: 8 * 1024 * 1024 * 1024,
            reserved_bytes_per_channel: 1024 * 1024,
            min_free_disk_bytes: 1024 * 1024 * 1024,
            max_connections: 10_000,
        }
    }
}

/// The oldest receive time a desktop accepts from a relay (`RELAYED_MAX_AGE` in
/// hookbell-server): a delivery that waited longer is judged as received 7 days ago, so a
/// signed one fails its freshness check there and is refused (counted), not stored.
pub const DESKTOP_MAX_AGE_SECS: u64 = 7 * 24 * 3600;

/// `[retention]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Retention {
    /// Unacknowledged envelopes older than this many seconds are deleted (default 7 days).
    pub unacked_secs: u64,
    /// A channel whose desktop has not connected for this many seconds (or, never connected,
    /// was paired that long ago) is deleted with its envelopes and token (default 90 days).
    /// 0: never.
    pub idle_channel_secs: u64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            unacked_secs: 7 * 24 * 3600,
            idle_channel_secs: 90 * 24 * 3600,
        }
    }
}

/// The file written on first start; `deploy/hookbell-relay.toml.example` is a copy (a test
/// keeps them equal).
const DEFAULT_FILE: &str = r#"# hookbell-relay's settings: DATA_DIR/hookbell-relay.toml, written with these defaults on the
# first start. Restart the relay after a change. Each number under [limits] and [retention] can
# also be given to `hookbell-relay serve` as a flag or an environment variable, which win over
# this file: max_connections is --max-connections or HOOKBELL_RELAY_MAX_CONNECTIONS.

[limits]
# Largest accepted delivery body in bytes; larger ones are answered 413.
max_body_bytes = 1048576
# Most envelopes one desktop may have waiting; more are answered 429 with Retry-After.
max_queued_per_channel = 100000
# Most sealed bytes one desktop may have waiting (512 MiB).
max_queued_bytes_per_channel = 536870912
# Requests per second per client (ingest and pairing), and the burst allowed. A client is an
# IPv4 address, or an IPv6 /64 (one host's usual allocation: rotating addresses in it count
# as one client).
rate_limit_per_second = 100
rate_limit_burst = 500
# Proxies or load balancers in front (e.g. ["10.0.0.5"]): for their requests the client is
# taken from X-Forwarded-For. --trusted-proxy IP[,IP…] wins.
trusted_proxies = []
# Seconds a client has to send its request's headers (then the connection is closed), and a
# delivery's or pairing's body (then 408 with Retry-After): slow clients cannot hold
# connections open.
header_timeout_secs = 10
body_timeout_secs = 30
# Most requests handled at once; more are answered 503 with Retry-After at once.
max_in_flight = 4096
# Most sealed bytes waiting over all channels (8 GiB; with NATS, in the envelope stream):
# past it a delivery is answered 503 with Retry-After (the provider retries; nothing is
# accepted), except for a channel holding less than reserved_bytes_per_channel (1 MiB), so a
# desktop that keeps up is still served while others fill the relay.
max_queued_bytes_total = 8589934592
reserved_bytes_per_channel = 1048576
# Free bytes to keep on the data directory's filesystem (1 GiB, sled only; NATS servers
# guard their own disks with max_file_store): below it every delivery is answered 503.
min_free_disk_bytes = 1073741824
# Most connections open at once (desktops' streams included); more are answered 503 with
# Retry-After and closed. Keep it below the relay's open-file limit (ulimit -n).
max_connections = 10000

[retention]
# Envelopes a desktop has not acknowledged are deleted after this many seconds (7 days).
unacked_secs = 604800
# A channel whose desktop has not connected for this many seconds (90 days), or that was
# paired that long ago and never connected, is deleted with its envelopes and token; the
# desktop pairs again. 0: channels never expire.
idle_channel_secs = 7776000

[pairing]
# Pairing (POST /v1/channels) needs the operator's pairing secret or a single-use invite code
# (`hookbell-relay invite`), sent as `Authorization: Bearer <code>`, unless open = true (or
# --open-pairing): a public relay should not let anyone fill it with channels.
open = false
# A file whose first line is the pairing secret (e.g. `openssl rand -hex 32 > pairing-secret`,
# mode 0600); relative to the data directory. --pairing-secret-file wins.
# secret_file = "pairing-secret"
# How long an invite can be redeemed, in seconds (7 days), unless `invite --valid-for` says.
invite_valid_secs = 604800
# This node's own URL, handed out at pairing with the other live nodes' (with NATS) so a
# desktop can reach a node without the load balancer. --node-url wins.
# node_url = "https://relay-1.example.com"

[queue]
# Empty: channels and envelopes live in DATA_DIR/queue (sled). NATS servers instead
# (e.g. ["nats://10.0.0.1:4222", "nats://10.0.0.2:4222"]): they live in JetStream and relay
# nodes keep no state of their own; --nats URL[,URL…] wins.
nats = []
# Copies JetStream keeps of every envelope and record: 3 in a three-node cluster.
replicas = 1
# The JetStream streams, subjects and buckets are named after this.
prefix = "hookbell"
# Envelope streams the channels are spread over (each with its own leader and synced
# writes). Only the first node to start on a prefix uses it: the count is recorded in NATS
# and every node uses the recorded one (a different value here is warned about, not used).
partitions = 8
"#;

impl RelayConfig {
    /// Parses a config file's text.
    pub fn from_toml(text: &str) -> Result<Self> {
        let config: Self = toml::from_str(text).map_err(|e| RelayError::Config(e.to_string()))?;
        config.check()?;
        Ok(config)
    }

    /// Refuses the settings where 0 means nothing a relay can run with (a timeout of 0,
    /// no request at a time, every delivery refused, envelopes kept for 0 seconds), naming
    /// the key and its flag. The `serve` flags refuse the same zeros as they are parsed.
    pub fn check(&self) -> Result<()> {
        let (l, r, q) = (&self.limits, &self.retention, &self.queue);
        let at_least_one: [(&str, &str, u64); 11] = [
            (
                "limits.max_connections",
                "--max-connections",
                l.max_connections as u64,
            ),
            (
                "limits.header_timeout_secs",
                "--header-timeout-secs",
                l.header_timeout_secs,
            ),
            (
                "limits.body_timeout_secs",
                "--body-timeout-secs",
                l.body_timeout_secs,
            ),
            (
                "limits.max_in_flight",
                "--max-in-flight",
                l.max_in_flight as u64,
            ),
            (
                "limits.max_queued_per_channel",
                "--max-queued-per-channel",
                l.max_queued_per_channel,
            ),
            (
                "limits.max_queued_bytes_per_channel",
                "--max-queued-bytes-per-channel",
                l.max_queued_bytes_per_channel,
            ),
            (
                "limits.rate_limit_per_second",
                "--rate-limit-per-second",
                u64::from(l.rate_limit_per_second),
            ),
            (
                "limits.rate_limit_burst",
                "--rate-limit-burst",
                u64::from(l.rate_limit_burst),
            ),
            (
                "limits.max_body_bytes",
                "--max-body-bytes",
                l.max_body_bytes as u64,
            ),
            ("retention.unacked_secs", "--unacked-secs", r.unacked_secs),
            ("queue.replicas", "--nats-replicas", q.replicas as u64),
        ];
        match at_least_one.iter().find(|(_, _, value)| *value == 0) {
            Some((key, flag, _)) => Err(RelayError::Config(format!(
                "{key} ({flag}) is 0; it must be at least 1 (see docs/relay.md, \"Limits\")"
            ))),
            None => Ok(()),
        }
    }

    /// Reads `DATA_DIR/hookbell-relay.toml`, writing the defaults first when it is missing.
    pub fn load_or_create(data_dir: &Path) -> Result<Self> {
        let path = data_dir.join(CONFIG_FILE);
        if !path.exists() {
            std::fs::create_dir_all(data_dir)?;
            std::fs::write(&path, DEFAULT_FILE)?;
        }
        let text = std::fs::read_to_string(&path)?;
        Self::from_toml(&text).map_err(|e| RelayError::Config(format!("{}: {e}", path.display())))
    }

    /// Settings that work, but not as one might expect (logged at start, once the flags have
    /// been applied over the file).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.retention.unacked_secs > DESKTOP_MAX_AGE_SECS {
            out.push(format!(
                "retention.unacked_secs (--unacked-secs) = {} is longer than the 7 days a \
                 desktop accepts: a signed delivery that waits longer than that reaches the \
                 desktop as stale and is refused there (see docs/relay.md)",
                self.retention.unacked_secs
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_is_the_defaults() {
        let parsed = RelayConfig::from_toml(DEFAULT_FILE).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed, RelayConfig::default());
        assert!(RelayConfig::from_toml("[limits]\nnope = 1").is_err());
    }

    /// `deploy/hookbell-relay.toml.example` is the file the relay writes: every key, at its
    /// default.
    #[test]
    fn the_deploy_example_is_the_default_file() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/hookbell-relay.toml.example");
        let example =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let parsed = RelayConfig::from_toml(&example).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed, RelayConfig::default());
        assert!(
            example == DEFAULT_FILE,
            "{} differs from config.rs's DEFAULT_FILE: copy one over the other",
            path.display()
        );
        // Every key is written out (a missing one would parse as its default all the same);
        // the optional ones (no default) are there as comments.
        let listed: toml::Table = toml::from_str(DEFAULT_FILE).unwrap_or_else(|e| panic!("{e}"));
        let defaults =
            toml::Table::try_from(RelayConfig::default()).unwrap_or_else(|e| panic!("{e}"));
        for (section, keys) in &defaults {
            let (Some(keys), Some(written)) = (
                keys.as_table(),
                listed.get(section).and_then(toml::Value::as_table),
            ) else {
                panic!("[{section}] is not a table");
            };
            for key in keys.keys() {
                assert!(
                    written.contains_key(key),
                    "[{section}] {key} is not in the file"
                );
            }
        }
        for optional in ["secret_file", "node_url"] {
            assert!(
                DEFAULT_FILE.contains(&format!("# {optional} = ")),
                "{optional}"
            );
        }
    }

    #[test]
    fn a_zero_where_zero_means_nothing_is_refused_naming_the_key_and_its_flag() {
        for (section, key, flag) in [
            ("limits", "max_connections", "--max-connections"),
            ("limits", "header_timeout_secs", "--header-timeout-secs"),
            ("limits", "max_body_bytes", "--max-body-bytes"),
            ("limits", "rate_limit_burst", "--rate-limit-burst"),
            ("retention", "unacked_secs", "--unacked-secs"),
            ("queue", "replicas", "--nats-replicas"),
        ] {
            let Err(e) = RelayConfig::from_toml(&format!("[{section}]\n{key} = 0\n")) else {
                panic!("{section}.{key} = 0 was taken");
            };
            let text = e.to_string();
            assert!(
                text.contains(&format!("{section}.{key}")) && text.contains(flag),
                "{text}"
            );
        }
        // Where 0 has a meaning (no floor, no reserve, no global quota, channels kept), it is
        // taken.
        for (section, key) in [
            ("limits", "min_free_disk_bytes"),
            ("limits", "reserved_bytes_per_channel"),
            ("limits", "max_queued_bytes_total"),
            ("retention", "idle_channel_secs"),
        ] {
            RelayConfig::from_toml(&format!("[{section}]\n{key} = 0\n"))
                .unwrap_or_else(|e| panic!("{section}.{key} = 0: {e}"));
        }
    }

    #[test]
    fn a_retention_past_what_a_desktop_accepts_is_warned_about() {
        assert!(RelayConfig::default().warnings().is_empty());
        let long = RelayConfig::from_toml("[retention]\nunacked_secs = 1209600")
            .unwrap_or_else(|e| panic!("{e}"));
        let warnings = long.warnings();
        assert!(
            warnings.len() == 1 && warnings[0].contains("7 days"),
            "{warnings:?}"
        );
    }
}
