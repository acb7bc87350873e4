//! [`NatsQueue`]: the queue, the channel registry and the invites on NATS JetStream
//! (`hookbell-relay serve --nats URL[,URL…]`), so relay nodes keep no state of their own: any
//! node takes any channel's deliveries and streams any channel to its desktop.
//!
//! - Envelopes: `partitions` streams (`{PREFIX}_ENVELOPES_{p}`, `p` from 0), each channel in
//!   one of them by a stable hash of its id ([`partition_of`]), one subject per channel
//!   (`{prefix}.envelopes.{p}.{channel}`), file storage, `replicas` copies (3 in a cluster),
//!   removed by age (the retention) and refused past the per-channel count
//!   (`max_messages_per_subject` with discard-new per subject: JetStream enforces the
//!   channel's quota atomically, on every node at once). A JetStream stream stores one
//!   message at a time (with `sync_interval: always`, one fsync each, on its leader and on
//!   each replica): the partitions are what lets those writes run side by side, their
//!   leaders spread over the servers by JetStream. The count is recorded where it is first
//!   set up (the `{prefix}-meta` bucket, key `envelopes`, with the partitions' first sequence
//!   number) and every node uses the recorded [`Layout`]; a node configured otherwise says so
//!   and uses it anyway, since another count would look for channels in other streams.
//! - Bytes are not limited per subject by JetStream: a channel's bytes are counted by the
//!   relay ([`Queue::usage`]: its message count, and when that many envelopes could be over
//!   the quota or the reserve, the sizes of its messages read headers-only, all of them at
//!   most every `count / 100` s and only the new ones between), and all channels' from the
//!   streams' states, each at most [`USAGE_FRESH`] old on a node plus what that node appended
//!   since. An envelope's sequence number is its stream's: it grows with every envelope of
//!   the partition (not by one per channel) and is never reused, which is all the protocol
//!   needs. A publish carries the envelope id as `Nats-Msg-Id` (a retried publish is stored
//!   once: a channel always goes to the same stream), and [`NatsQueue::append_sealed`]
//!   resolves only with JetStream's publish acknowledgement: the envelope is stored on a
//!   quorum of the replicas.
//! - The single stream of before (`{PREFIX}_ENVELOPES`, subject `{prefix}.env.{channel}`) is
//!   *retired* by the first node of this version: its configuration is changed so that it
//!   takes no more envelopes (`max_msg_size` 1) and so that a relay of an older version cannot
//!   change it back (`allow_msg_ttl`, which JetStream never lets be turned off: such a relay
//!   fails to start instead of writing where no node of this version reads). What it holds
//!   is read (before a channel's newer envelopes), acknowledged and expired as before until
//!   it is empty; the partitions' sequence numbers start past its last one
//!   ([`Layout::first_seq`]), so each channel's still grow and a desktop's acknowledgement
//!   mark stays meaningful. On a new deployment the retired stream is created empty, as that
//!   guard.
//! - Reads are batched: one direct get (`$JS.API.DIRECT.GET`, `batch`, the streams have
//!   `allow_direct`) returns up to [`DIRECT_BATCH`] envelopes of a channel in order. Any
//!   replica that is nearly current may answer one, so with several replicas a read that
//!   comes back short is finished from the stream's leader (`STREAM.MSG.GET`, one envelope
//!   per request): a reader woken by a notification always finds what it was told of.
//! - Readers learn of new envelopes from each stream's *republish* (headers only, sent by the
//!   stream's leader once stored) on `{prefix}.new.{p}.{channel}`; a node subscribes to that
//!   subject for each channel it streams, while it does, so a delivery for an offline desktop
//!   (the relay's usual case) or one another node streams sends it nothing. A notification
//!   lost while a node reconnects to another NATS server, or sent before the servers knew of
//!   a new subscription, is made up for by waking every stream on reconnection and every
//!   [`RESYNC`] (and a stream once its subscription is made).
//! - Acknowledgement deletes: a purge of the channel's subject below the acknowledged
//!   sequence when nothing of it is held, else message by message, passing over held ones.
//! - Key-value buckets: `{prefix}-channels` (id → [`ChannelRecord`] as JSON), `{prefix}-seen`
//!   (id → when its desktop last connected, Unix ms; idle channels expire),
//!   `{prefix}-state` (channel → its acknowledgement mark and held envelopes, updated with
//!   compare-and-set), `{prefix}-invites` (an invite code's SHA-256 → its expiry; redeemed
//!   with a delete that expects the revision read, so exactly one redeemer wins) and
//!   `{prefix}-meta` (the envelopes' [`Layout`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, kv, stream};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::error::{RelayError, Result};
use crate::pairing::Invites;
use crate::queue::{
    Backend, ChannelRecord, Channels, Depth, Envelope, KeyChallenge, NewEnvelope, Queue,
    ReadFuture, StreamClaim, Usage, WriteFuture,
};
use crate::sled_queue::{decode_value, encode};

/// How often every stream is woken to look again, in case a notification was lost.
pub const RESYNC: Duration = Duration::from_secs(2);
/// How long [`NatsQueue::connect`] keeps trying to set up the stream and buckets (a cluster
/// that has just started elects its JetStream leaders first).
const SETUP_DEADLINE: Duration = Duration::from_secs(60);
/// How long a publish is retried (same `Nats-Msg-Id`) before the provider gets a 503; short
/// of the 10 s many providers wait for an answer.
const PUBLISH_DEADLINE: Duration = Duration::from_secs(8);
/// How long one JetStream request (a publish's acknowledgement included) may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);
/// How long after a channel is deleted its subject is purged again: past the longest a
/// delivery that found the channel before can take to be published.
const DELETE_SETTLE: Duration = Duration::from_secs(15);
/// How old a node's copy of a channel's record may be when a delivery uses it
/// ([`Channels::channel_for_delivery`]): one request less per delivery. A delivery looks its
/// channel up again once its body is in, then seals and publishes: one that found a channel
/// deleted meanwhile on another node is stored within this, [`PUBLISH_DEADLINE`] and its last
/// attempt's [`REQUEST_TIMEOUT`], before [`DELETE_SETTLE`]'s second purge.
const RECORD_FRESH: Duration = Duration::from_secs(2);
const _: () = assert!(
    RECORD_FRESH.as_secs() + PUBLISH_DEADLINE.as_secs() + REQUEST_TIMEOUT.as_secs()
        < DELETE_SETTLE.as_secs(),
    "a delivery that used a cached record must be published before the second purge"
);
/// Compare-and-set attempts before a state update gives up.
const CAS_ATTEMPTS: usize = 16;
/// How old a node's count of a channel's bytes, or of the stream's, may be when a delivery is
/// judged against the byte quotas (what the node appended since is added).
pub const USAGE_FRESH: Duration = Duration::from_secs(1);
/// How long reading a channel's message sizes may take.
const SCAN_DEADLINE: Duration = Duration::from_secs(5);
/// How long a delivery waits for the stream's state or a channel's message count (its byte
/// quotas' inputs) before going on with what was known.
const USAGE_READ_TIMEOUT: Duration = Duration::from_secs(2);
/// How long that reading waits for the next message before taking what it has.
const SCAN_QUIET: Duration = Duration::from_secs(1);
/// Most envelopes one batched direct get asks for.
pub const DIRECT_BATCH: usize = 1024;
/// Most bytes one batched direct get asks the server to send (it stops after the envelope
/// that crosses this, and says how many more there are).
const DIRECT_BATCH_BYTES: usize = 4 * 1024 * 1024;
/// Most envelope streams.
pub const MAX_PARTITIONS: usize = 256;
/// Sequence numbers left unused between the retired single stream's last one (at the
/// moment it was retired) and the partitions' first: a publish already on its way when the
/// stream was retired may still be stored there just after.
const SEQ_GAP: u64 = 1_000_000;
/// How often a node looks whether the retired single stream still holds envelopes.
const LEGACY_CHECK: Duration = Duration::from_secs(10);
/// The oldest `nats-server` with what this backend uses (batched direct gets, `allow_msg_ttl`).
const MIN_SERVER: (u64, u64) = (2, 11);

/// Where and how the NATS backend keeps things.
#[derive(Debug, Clone, PartialEq)]
pub struct NatsSettings {
    /// The servers, `nats://host:port` (any of a cluster's; the client learns the others).
    pub urls: Vec<String>,
    /// Copies of every envelope and record: 1 on a single server, 3 in a cluster.
    pub replicas: usize,
    /// Unacknowledged envelopes older than this are removed.
    pub retention: Duration,
    /// Most envelopes one channel may have waiting.
    pub max_per_channel: u64,
    /// Largest sealed envelope (bytes).
    pub max_envelope_bytes: usize,
    /// Most sealed bytes one channel may have waiting (`[limits]`; judged by the server).
    pub max_bytes_per_channel: u64,
    /// A channel holding less than this is exempt from the global byte quota (`[limits]`);
    /// while the total is near that quota, a channel's bytes are counted exactly past it.
    pub reserved_bytes_per_channel: u64,
    /// Most sealed bytes waiting over all channels (`[limits] max_queued_bytes_total`).
    pub max_bytes_total: u64,
    /// Names of the streams, subjects and buckets start with this (several relays can share
    /// one cluster under different prefixes).
    pub prefix: String,
    /// Envelope streams to set up where none are recorded yet (see [`Layout`]).
    pub partitions: usize,
}

impl NatsSettings {
    /// The settings for `urls` from the relay's config.
    pub fn new(urls: Vec<String>, config: &crate::RelayConfig) -> Self {
        NatsSettings {
            urls,
            replicas: config.queue.replicas.max(1),
            retention: Duration::from_secs(config.retention.unacked_secs),
            max_per_channel: config.limits.max_queued_per_channel,
            max_envelope_bytes: config.limits.max_body_bytes * 2 + 64 * 1024,
            max_bytes_per_channel: config.limits.max_queued_bytes_per_channel,
            reserved_bytes_per_channel: config.limits.reserved_bytes_per_channel,
            max_bytes_total: config.limits.max_queued_bytes_total,
            prefix: config.queue.prefix.clone(),
            partitions: config.queue.partitions,
        }
    }
}

/// How the envelopes are laid out over streams, recorded in `{prefix}-meta` (key
/// `envelopes`) by the first node that sets them up, and used as recorded by every node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    /// Envelope streams (`{PREFIX}_ENVELOPES_0` …); a channel's is [`partition_of`] it.
    pub partitions: usize,
    /// The partitions' first sequence number: past every envelope the retired single stream
    /// held (and every acknowledgement recorded then), 1 where there was none. Envelopes with
    /// a lower one are in the retired stream.
    pub first_seq: u64,
}

/// The bucket and key the [`Layout`] is recorded under.
const META_KEY: &str = "envelopes";

/// The partition of `channel` among `partitions`: the first 8 bytes of the SHA-256 of its
/// id, big-endian, modulo the count. Stored data depends on it: it never changes.
pub fn partition_of(channel: &str, partitions: usize) -> usize {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(channel.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % partitions.max(1) as u64) as usize
}

/// The name of envelope stream `p` under `prefix`.
pub fn partition_stream(prefix: &str, p: usize) -> String {
    format!("{}_ENVELOPES_{p}", prefix.to_ascii_uppercase())
}

/// The name of the retired single envelope stream under `prefix`.
pub fn retired_stream(prefix: &str) -> String {
    format!("{}_ENVELOPES", prefix.to_ascii_uppercase())
}

/// A node's recent counts of bytes waiting: per channel and over the stream, each with when
/// it was read; appends made here since are added.
#[derive(Default)]
struct UsageCache {
    total: Option<(Instant, u64)>,
    /// Unused for 10 minutes: forgotten (from [`USAGE_PRUNE_FROM`] counts on).
    channels: PerChannel<ChannelBytes>,
    /// Whether a read of the streams' states is under way ([`ReadTurn`]).
    reading_total: bool,
    /// The channels whose count is being read ([`ReadTurn`]).
    reading: std::collections::HashSet<String>,
}

/// A time at which a count read then is out of date now (`None` only in a process younger than
/// [`USAGE_FRESH`] on a clock that started with it: then the count is forgotten instead).
fn out_of_date() -> Option<Instant> {
    Instant::now().checked_sub(USAGE_FRESH)
}

/// One delivery's turn to read the streams' states (`total`) and its channel's count
/// (`channel`) for the node; given back when dropped, also when the delivery is dropped
/// mid-read (its provider hung up), so the next delivery reads instead.
struct ReadTurn<'q> {
    queue: &'q NatsQueue,
    total: bool,
    channel: Option<String>,
}

impl Drop for ReadTurn<'_> {
    fn drop(&mut self) {
        if !self.total && self.channel.is_none() {
            return;
        }
        let mut cache = self.queue.usage_cache();
        if self.total {
            cache.reading_total = false;
        }
        if let Some(channel) = &self.channel {
            cache.reading.remove(channel);
        }
    }
}

/// How many channels' counts a node keeps before it forgets the unused ones.
const USAGE_PRUNE_FROM: usize = 10_000;

/// Something a node keeps per channel, in a map that forgets the entries no longer needed
/// once it holds at least a floor and has doubled since it last did: forgetting costs O(1)
/// per entry added, and a node with many channels does not look over all of them each time.
struct PerChannel<V> {
    map: HashMap<String, V>,
    /// The size at which the map is looked over next: twice what was left the last time.
    prune_at: usize,
}

impl<V> Default for PerChannel<V> {
    fn default() -> Self {
        PerChannel {
            map: HashMap::new(),
            prune_at: 0,
        }
    }
}

impl<V> PerChannel<V> {
    /// Keeps only the entries `keep` wants, when the map is due (above).
    fn prune(&mut self, floor: usize, mut keep: impl FnMut(&mut V) -> bool) {
        if self.map.len() < self.prune_at.max(floor) {
            return;
        }
        self.map.retain(|_, v| keep(v));
        self.prune_at = self.map.len() * 2;
    }
}

impl<V> std::ops::Deref for PerChannel<V> {
    type Target = HashMap<String, V>;
    fn deref(&self) -> &Self::Target {
        &self.map
    }
}

impl<V> std::ops::DerefMut for PerChannel<V> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.map
    }
}

/// [`NatsQueue::state_lock`]'s locks, one per channel whose state this node updates.
type StateLocks = PerChannel<Arc<tokio::sync::Mutex<()>>>;

/// How many locks or record copies a node keeps before it forgets those it no longer needs.
const PRUNE_FROM: usize = 1024;

impl StateLocks {
    /// Forgets the locks that no update holds or waits for: only this map has them, and it is
    /// locked, so no update can take one meanwhile.
    fn prune_unheld(&mut self) {
        self.prune(PRUNE_FROM, |lock| Arc::strong_count(lock) > 1);
    }
}

/// Copies of channel records, each with when it was read from the `{prefix}-channels` bucket.
#[derive(Default)]
struct Records {
    /// Older than [`RECORD_FRESH`]: forgotten (from [`PRUNE_FROM`] copies on).
    map: PerChannel<(Instant, ChannelRecord)>,
    /// How many copies were dropped because this node changed or deleted their channel: a
    /// record read while that happened is not kept (it may be the one from before).
    forgotten: u64,
}

impl Records {
    fn fresh(&self, id: &str, now: Instant) -> Option<ChannelRecord> {
        self.map
            .get(id)
            .filter(|(at, _)| now.duration_since(*at) < RECORD_FRESH)
            .map(|(_, record)| record.clone())
    }

    /// Keeps `record`, read at `at`, unless a copy was dropped since `forgotten` was read.
    fn keep(&mut self, record: ChannelRecord, at: Instant, forgotten: u64) {
        if forgotten != self.forgotten {
            return;
        }
        self.map.prune(PRUNE_FROM, |(read, _)| {
            at.duration_since(*read) < RECORD_FRESH
        });
        self.map.insert(record.id.clone(), (at, record));
    }

    /// Drops the copy of channel `id` (changed or deleted here).
    fn forget(&mut self, id: &str) {
        self.map.remove(id);
        self.forgotten += 1;
    }
}

/// What a node knows of one channel's bytes.
#[derive(Debug, Clone, Copy)]
struct ChannelBytes {
    /// When the count was read.
    at: Instant,
    /// When every message's size was last read.
    scanned_at: Instant,
    /// Messages, as counted then (plus appends made here since).
    count: u64,
    /// Their bytes as read: exact up to `last_seq` after a scan, else an upper bound
    /// (`last_seq` 0).
    bytes: u64,
    /// The last message whose size was read (0: none; `bytes` is a bound).
    last_seq: u64,
    /// Bytes appended here since: counted until the next read, which reads them (and
    /// whatever other nodes appended meanwhile, before or after them) from `last_seq` on.
    appended: u64,
}

impl ChannelBytes {
    /// What the channel holds, as far as this node knows.
    fn held(&self) -> u64 {
        self.bytes.saturating_add(self.appended)
    }
}

/// What one channel's acknowledgements and holds are, in `{prefix}-state`.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct ChannelState {
    acked: u64,
    #[serde(default)]
    held: BTreeMap<u64, String>,
}

/// Per channel streamed here: what wakes its readers, and the task listening for its
/// notifications ([`listen`]), which stops when the entry goes (no stream of it is left).
struct Watched {
    wake: watch::Sender<u64>,
    listen: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Watched {
    fn drop(&mut self) {
        if let Some(task) = &self.listen {
            task.abort();
        }
    }
}

type Watchers = Arc<Mutex<HashMap<String, Watched>>>;
/// Per channel streamed here, the newest claim on it (a `{prefix}-streams` revision).
type Claims = Arc<Mutex<HashMap<String, watch::Sender<u64>>>>;

/// The NATS JetStream backend. Cheap to share (`Arc`).
pub struct NatsQueue {
    client: async_nats::Client,
    /// Publishes envelopes; its requests time out after [`REQUEST_TIMEOUT`].
    publisher: jetstream::Context,
    /// The envelope streams, by partition.
    parts: Vec<stream::Stream>,
    layout: Layout,
    /// The retired single stream (or the guard in its place).
    legacy: stream::Stream,
    /// Whether it may still hold envelopes (false once it was seen empty: it takes no more).
    legacy_active: Arc<AtomicBool>,
    channels: kv::Store,
    state: kv::Store,
    invites: kv::Store,
    challenges: kv::Store,
    streams: kv::Store,
    nodes: kv::Store,
    seen: kv::Store,
    prefix: String,
    /// Largest stored envelope (payload bytes).
    max_envelope_bytes: u64,
    /// A channel whose upper bound (its message count times the largest envelope) is below
    /// this is judged by that bound: the per-channel quota, and while the total is near the
    /// global quota the reserve too, whichever is smaller. At or above it its bytes are
    /// counted ([`NatsQueue::channel_bytes`]).
    max_bytes_per_channel: u64,
    reserved_bytes_per_channel: u64,
    max_bytes_total: u64,
    usage: Mutex<UsageCache>,
    watchers: Watchers,
    /// Per channel streamed here, the newest claim on it (a `{prefix}-streams` revision).
    claims: Claims,
    /// One lock per channel for this node's updates of its state (holds and acks): they take
    /// turns here, so the compare-and-set in the bucket only has other nodes to lose to.
    state_locks: Mutex<StateLocks>,
    /// Channel records read for deliveries lately ([`RECORD_FRESH`]).
    records: Mutex<Records>,
    /// Reads of a channel's message sizes that ended by waiting [`SCAN_QUIET`] for one more.
    quiet_scans: std::sync::atomic::AtomicU64,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

fn nats(what: &str, e: impl std::fmt::Display) -> RelayError {
    RelayError::Nats(format!("{what}: {e}"))
}

/// A channel id as the relay makes them (and nothing a subject or key could trip on).
fn valid_channel(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Listens for `channel`'s notifications on `subject` (its partition's) and wakes its
/// readers with each. A node subscribes only to the channels it streams: a delivery for a
/// desktop that is offline, or streamed by another node, sends this node nothing. (The
/// retired single stream stores nothing new, so it notifies of nothing.)
async fn listen(client: async_nats::Client, subject: String, channel: String, watchers: Watchers) {
    let mut notes = loop {
        match client.subscribe(subject.clone()).await {
            Ok(subscription) => break subscription,
            Err(e) => {
                // Its readers are woken every RESYNC meanwhile.
                tracing::warn!(error = %e, "subscribing to a channel's new envelopes failed; retrying");
                tokio::time::sleep(RESYNC).await;
            }
        }
    };
    // What was stored before this server knew of the subscription: its readers look once
    // more. (The stream's leader may be on another server, which learns of it a moment
    // later; what it notifies meanwhile is found at the next RESYNC.)
    if let Err(e) = client.flush().await {
        tracing::debug!(error = %e, "flushing a subscription");
    }
    wake(&watchers, &channel, 0);
    while let Some(message) = notes.next().await {
        let seq = message
            .headers
            .as_ref()
            .and_then(|h| h.get("Nats-Sequence"))
            .and_then(|v| v.as_str().parse::<u64>().ok())
            .unwrap_or(0);
        wake(&watchers, &channel, seq);
    }
}

/// Wakes `channel`'s readers: it may have envelopes up to `seq` (0: look again).
fn wake(watchers: &Watchers, channel: &str, seq: u64) {
    if let Ok(map) = watchers.lock()
        && let Some(watched) = map.get(channel)
    {
        watched.wake.send_modify(|last| *last = (*last).max(seq));
    }
}

/// Wakes every stream served here to look again, and forgets the channels no stream serves
/// any more (their listeners stop).
fn wake_all(watchers: &Watchers) {
    if let Ok(mut map) = watchers.lock() {
        map.retain(|_, watched| watched.wake.receiver_count() > 0);
        for watched in map.values() {
            watched.wake.send_modify(|_| {});
        }
    }
}

/// Retries `setup` until it works or [`SETUP_DEADLINE`] passes.
async fn with_deadline<T, F, Fut>(what: &str, mut setup: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<T, String>>,
{
    let deadline = tokio::time::Instant::now() + SETUP_DEADLINE;
    let mut wait = Duration::from_millis(50);
    loop {
        match setup().await {
            Ok(value) => return Ok(value),
            Err(e) if tokio::time::Instant::now() < deadline => {
                tracing::info!(error = %e, "{what}: not ready yet, retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(1));
            }
            Err(e) => return Err(nats(what, e)),
        }
    }
}

/// Refuses servers older than [`MIN_SERVER`] (an unreadable version is let through).
fn check_server_version(version: &str) -> Result<()> {
    let mut parts = version
        .trim_start_matches('v')
        .split(['.', '-'])
        .map(|p| p.parse::<u64>().ok());
    let (Some(Some(major)), Some(Some(minor))) = (parts.next(), parts.next()) else {
        tracing::warn!(version, "could not read the NATS server's version");
        return Ok(());
    };
    if (major, minor) < MIN_SERVER {
        return Err(RelayError::Config(format!(
            "the NATS server runs {version}; hookbell-relay needs nats-server {}.{} or newer \
             (batched direct gets, allow_msg_ttl)",
            MIN_SERVER.0, MIN_SERVER.1
        )));
    }
    Ok(())
}

/// Largest message a stream takes, for envelopes of up to `max_envelope_bytes`.
fn max_message_size(settings: &NatsSettings) -> i32 {
    i32::try_from(settings.max_envelope_bytes + 1024).unwrap_or(i32::MAX)
}

/// What every envelope stream shares: file storage, the replicas and retention, each
/// channel's count quota enforced by JetStream (a subject per channel under `subjects`), and
/// a headers-only notification of each new envelope, republished under `notify`.
fn envelope_stream(
    settings: &NatsSettings,
    name: String,
    subjects: String,
    notify: String,
) -> stream::Config {
    stream::Config {
        name,
        subjects: vec![subjects.clone()],
        storage: stream::StorageType::File,
        num_replicas: settings.replicas,
        max_age: settings.retention,
        max_messages_per_subject: i64::try_from(settings.max_per_channel).unwrap_or(i64::MAX),
        discard: stream::DiscardPolicy::New,
        discard_new_per_subject: true,
        max_message_size: max_message_size(settings),
        duplicate_window: Duration::from_secs(120),
        republish: Some(stream::Republish {
            source: subjects,
            destination: notify,
            headers_only: true,
        }),
        ..Default::default()
    }
}

/// Envelope stream `p`: its channels' subjects `{prefix}.envelopes.{p}.{channel}`, batched
/// direct gets, and notifications on `{prefix}.new.{p}.{channel}`.
fn partition_config(settings: &NatsSettings, p: usize, first_seq: u64) -> stream::Config {
    let prefix = &settings.prefix;
    stream::Config {
        description: Some(format!(
            "hookbell-relay: sealed envelopes, partition {p}, one subject per channel"
        )),
        allow_direct: true,
        first_sequence: (first_seq > 1).then_some(first_seq),
        ..envelope_stream(
            settings,
            partition_stream(prefix, p),
            format!("{prefix}.envelopes.{p}.>"),
            format!("{prefix}.new.{p}.>"),
        )
    }
}

/// The single envelope stream as the versions before partitions set it up, retired
/// ([`freeze`]): what a new deployment creates as the guard.
fn retired_config(settings: &NatsSettings) -> stream::Config {
    let prefix = &settings.prefix;
    let mut config = envelope_stream(
        settings,
        retired_stream(prefix),
        format!("{prefix}.env.>"),
        format!("{prefix}.new.>"),
    );
    freeze(&mut config);
    config
}

/// Retires the single stream: it takes no more envelopes (every message is larger than its
/// `max_msg_size`), a relay of a version before partitions cannot set it up again (it would
/// turn `allow_msg_ttl` off, which JetStream refuses), and it answers batched direct gets.
/// Nothing it holds changes: reads, acknowledgements and its retention carry on.
fn freeze(config: &mut stream::Config) {
    config.max_message_size = 1;
    config.allow_message_ttl = true;
    config.allow_direct = true;
    config.description = Some(
        "hookbell-relay: the retired single envelope stream; read until empty, takes no more \
         (the envelopes are in the partitions, see the meta bucket)"
            .into(),
    );
}

fn is_frozen(config: &stream::Config) -> bool {
    config.max_message_size == 1 && config.allow_message_ttl && config.allow_direct
}

/// The single stream of before, retired; created retired (and empty) where there is none.
async fn retire(
    js: &jetstream::Context,
    config: stream::Config,
) -> std::result::Result<stream::Stream, String> {
    let stream = js
        .get_or_create_stream(config)
        .await
        .map_err(|e| e.to_string())?;
    let info = stream.get_info().await.map_err(|e| e.to_string())?;
    if !is_frozen(&info.config) {
        let mut frozen = info.config.clone();
        freeze(&mut frozen);
        js.update_stream(&frozen).await.map_err(|e| e.to_string())?;
        tracing::warn!(
            stream = %frozen.name,
            envelopes = info.state.messages,
            last_seq = info.state.last_sequence,
            "retired the single envelope stream of an earlier version: it takes no more \
             envelopes; what it holds is delivered before each channel's newer ones"
        );
    }
    Ok(stream)
}

/// The envelopes' layout as recorded in `meta`, if it is.
async fn read_layout(meta: &kv::Store) -> Result<Option<Layout>> {
    let value = match meta.get(META_KEY).await {
        Ok(Some(value)) => value,
        Ok(None) => return Ok(None),
        Err(e) => return Err(nats("reading the envelopes' layout", e)),
    };
    let layout: Layout = serde_json::from_slice(&value)
        .map_err(|e| RelayError::Corrupt(format!("the envelopes' layout: {e}")))?;
    if !(1..=MAX_PARTITIONS).contains(&layout.partitions) || layout.first_seq == 0 {
        return Err(RelayError::Corrupt(format!(
            "the envelopes' layout is not one this relay makes: {layout:?}"
        )));
    }
    Ok(Some(layout))
}

/// The recorded layout; recorded first where there is none (`settings.partitions`, the
/// partitions starting past the retired stream's last sequence number). A node configured
/// with another count uses the recorded one and says so.
async fn settle_layout(
    meta: &kv::Store,
    legacy: &stream::Stream,
    settings: &NatsSettings,
) -> Result<Layout> {
    let deadline = tokio::time::Instant::now() + SETUP_DEADLINE;
    let layout = loop {
        let attempt = async {
            if let Some(layout) = read_layout(meta).await? {
                return Ok(Some(layout));
            }
            // Read after the stream was retired: nothing is stored past it but what was
            // already on its way, which SEQ_GAP leaves room for.
            let last = legacy
                .get_info()
                .await
                .map_err(|e| nats("reading the retired envelope stream", e))?
                .state
                .last_sequence;
            let layout = Layout {
                partitions: settings.partitions,
                first_seq: if last == 0 { 1 } else { last + 1 + SEQ_GAP },
            };
            let json =
                serde_json::to_vec(&layout).map_err(|e| RelayError::Corrupt(e.to_string()))?;
            match meta.create(META_KEY, json.into()).await {
                Ok(_) => {
                    tracing::info!(
                        partitions = layout.partitions,
                        first_seq = layout.first_seq,
                        "recorded the envelopes' layout"
                    );
                    Ok(Some(layout))
                }
                // Another node recorded it first: its layout is the one.
                Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => Ok(None),
                Err(e) => Err(nats("recording the envelopes' layout", e)),
            }
        };
        match attempt.await {
            Ok(Some(layout)) => break layout,
            // Recorded meanwhile by another node: read it.
            Ok(None) if tokio::time::Instant::now() < deadline => continue,
            Ok(None) => {
                return Err(RelayError::Nats(
                    "the envelopes' layout could be neither read nor recorded".into(),
                ));
            }
            Err(RelayError::Corrupt(e)) => return Err(RelayError::Corrupt(e)),
            Err(e) if tokio::time::Instant::now() < deadline => {
                tracing::info!(error = %e, "the envelopes' layout: not ready yet, retrying");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => return Err(e),
        }
    };
    if layout.partitions != settings.partitions {
        tracing::warn!(
            recorded = layout.partitions,
            configured = settings.partitions,
            "[queue] partitions differs from the count recorded in the {}-meta bucket when \
             the envelope streams were set up: using the recorded {} (another count would \
             look for channels' envelopes in other streams)",
            settings.prefix,
            layout.partitions
        );
    }
    Ok(layout)
}

/// Looks every [`LEGACY_CHECK`] whether the retired stream still holds envelopes; once it
/// is empty (it takes no more), it is no longer read.
async fn follow_retired(legacy: stream::Stream, active: Arc<AtomicBool>) {
    while active.load(Ordering::Relaxed) {
        tokio::time::sleep(LEGACY_CHECK).await;
        match legacy.get_info().await {
            Ok(info) if info.state.messages == 0 => {
                active.store(false, Ordering::Relaxed);
                tracing::info!("the retired envelope stream is empty: no longer read");
            }
            Ok(_) => {}
            Err(e) => tracing::debug!(error = %e, "reading the retired envelope stream"),
        }
    }
}

impl NatsQueue {
    /// Connects to the servers, creates (or updates) the envelope streams and the buckets
    /// (retiring the single stream of before, see the module's documentation), and starts
    /// listening for new envelopes.
    pub async fn connect(settings: &NatsSettings) -> Result<Arc<Self>> {
        if settings.urls.is_empty() {
            return Err(RelayError::Config("--nats needs at least one URL".into()));
        }
        if !(1..=MAX_PARTITIONS).contains(&settings.partitions) {
            return Err(RelayError::Config(format!(
                "[queue] partitions must be between 1 and {MAX_PARTITIONS}, not {}",
                settings.partitions
            )));
        }
        let watchers: Watchers = Arc::new(Mutex::new(HashMap::new()));
        let on_event = Arc::clone(&watchers);
        let client = async_nats::ConnectOptions::new()
            .name("hookbell-relay")
            .max_reconnects(None)
            .event_callback(move |event| {
                let watchers = Arc::clone(&on_event);
                async move {
                    match event {
                        async_nats::Event::Connected => {
                            tracing::info!("connected to NATS");
                            // Notifications may have been missed meanwhile: look again.
                            wake_all(&watchers);
                        }
                        async_nats::Event::Disconnected => {
                            tracing::warn!("disconnected from NATS; reconnecting");
                        }
                        other => tracing::info!(event = %other, "NATS"),
                    }
                }
            })
            .connect(settings.urls.as_slice())
            .await
            .map_err(|e| nats("connecting to NATS", e))?;
        check_server_version(&client.server_info().version)?;
        // Every JetStream request (a publish's acknowledgement, a key-value read, a purge)
        // gives up after REQUEST_TIMEOUT rather than the client's 10 s: while a stream elects
        // a new leader, callers fail fast (a 503 the provider retries, a stream the desktop
        // reopens) instead of hanging.
        let js = jetstream::ContextBuilder::new()
            .timeout(REQUEST_TIMEOUT)
            .build(client.clone());
        let prefix = settings.prefix.clone();
        let bucket = |name: &str, max_age: Duration| kv::Config {
            bucket: format!("{prefix}-{name}"),
            history: 1,
            max_age,
            storage: stream::StorageType::File,
            num_replicas: settings.replicas,
            ..Default::default()
        };
        let mut stores = Vec::new();
        for config in [
            bucket("channels", Duration::ZERO),
            bucket("state", Duration::ZERO),
            bucket("invites", Duration::from_secs(90 * 24 * 3600)),
            // Open key challenges (5 minutes each; the bucket forgets them after 10).
            bucket("challenges", Duration::from_secs(600)),
            // channel → which connection streams it (the newest claim wins).
            bucket("streams", Duration::from_secs(7 * 24 * 3600)),
            // SHA-256 of a node's URL → the URL, while the node announces itself.
            bucket("nodes", crate::queue::NODE_ANNOUNCE_EVERY * 3),
            // channel → when its desktop last connected (idle channels expire).
            bucket("seen", Duration::ZERO),
            // The envelopes' layout (Layout).
            bucket("meta", Duration::ZERO),
        ] {
            let name = format!("creating the key-value bucket {}", config.bucket);
            let store = with_deadline(&name, || {
                let (js, config) = (js.clone(), config.clone());
                async move {
                    js.create_or_update_key_value(config)
                        .await
                        .map_err(|e| e.to_string())
                }
            })
            .await?;
            stores.push(store);
        }
        let (
            Some(meta),
            Some(seen),
            Some(nodes),
            Some(streams),
            Some(challenges),
            Some(invites),
            Some(state),
            Some(channels),
        ) = (
            stores.pop(),
            stores.pop(),
            stores.pop(),
            stores.pop(),
            stores.pop(),
            stores.pop(),
            stores.pop(),
            stores.pop(),
        )
        else {
            return Err(RelayError::Nats("bucket setup".into()));
        };

        // The single stream of before: retired (or, new deployment, created retired).
        let legacy = with_deadline("retiring the single envelope stream", || {
            let (js, config) = (js.clone(), retired_config(settings));
            async move { retire(&js, config).await }
        })
        .await?;
        let layout = settle_layout(&meta, &legacy, settings).await?;
        let mut parts = Vec::with_capacity(layout.partitions);
        for p in 0..layout.partitions {
            let config = partition_config(settings, p, layout.first_seq);
            let stream = with_deadline(&format!("creating the envelope stream {p}"), || {
                let (js, config) = (js.clone(), config.clone());
                async move {
                    let name = config.name.clone();
                    js.create_or_update_stream(config)
                        .await
                        .map_err(|e| e.to_string())?;
                    js.get_stream(&name).await.map_err(|e| e.to_string())
                }
            })
            .await?;
            parts.push(stream);
        }
        let held_before = legacy
            .get_info()
            .await
            .map(|info| info.state.messages > 0)
            .map_err(|e| nats("reading the retired envelope stream", e))?;
        let legacy_active = Arc::new(AtomicBool::new(held_before));
        tracing::info!(
            partitions = layout.partitions,
            first_seq = layout.first_seq,
            retired_stream_holds_envelopes = held_before,
            "envelope streams ready"
        );

        let resync = Arc::clone(&watchers);
        let tick = tokio::spawn(async move {
            let mut every = tokio::time::interval(RESYNC);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                wake_all(&resync);
            }
        });
        let claims: Claims = Arc::new(Mutex::new(HashMap::new()));
        let claimed = tokio::spawn(follow_claims(streams.clone(), Arc::clone(&claims)));
        let drained = tokio::spawn(follow_retired(legacy.clone(), Arc::clone(&legacy_active)));
        Ok(Arc::new(NatsQueue {
            publisher: js,
            client,
            parts,
            layout,
            legacy,
            legacy_active,
            channels,
            state,
            invites,
            challenges,
            streams,
            nodes,
            seen,
            prefix,
            max_envelope_bytes: (settings.max_envelope_bytes + 1024) as u64,
            max_bytes_per_channel: settings.max_bytes_per_channel.max(1),
            reserved_bytes_per_channel: settings.reserved_bytes_per_channel,
            max_bytes_total: settings.max_bytes_total,
            usage: Mutex::new(UsageCache::default()),
            watchers,
            claims,
            state_locks: Mutex::new(StateLocks::default()),
            records: Mutex::new(Records::default()),
            quiet_scans: std::sync::atomic::AtomicU64::new(0),
            tasks: vec![tick, claimed, drained],
        }))
    }

    /// The envelopes' layout in use (as recorded).
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Sends what is buffered to the server and stops listening.
    pub async fn close(&self) {
        self.stop_tasks();
        let _ = self.client.flush().await;
    }

    /// `channel`'s partition.
    fn part(&self, channel: &str) -> usize {
        partition_of(channel, self.layout.partitions)
    }

    /// `channel`'s envelope stream.
    fn stream(&self, channel: &str) -> &stream::Stream {
        &self.parts[self.part(channel)]
    }

    /// `channel`'s subject in its envelope stream.
    fn subject(&self, channel: &str) -> String {
        format!("{}.envelopes.{}.{channel}", self.prefix, self.part(channel))
    }

    /// `channel`'s subject in the retired single stream.
    fn legacy_subject(&self, channel: &str) -> String {
        format!("{}.env.{channel}", self.prefix)
    }

    /// Whether the retired single stream may still hold envelopes.
    fn legacy_active(&self) -> bool {
        self.legacy_active.load(Ordering::Relaxed)
    }

    /// The stream that holds (or held) `channel`'s envelope `seq`, and its subject there.
    fn holder(&self, channel: &str, seq: u64) -> (&stream::Stream, String) {
        if seq < self.layout.first_seq {
            (&self.legacy, self.legacy_subject(channel))
        } else {
            (self.stream(channel), self.subject(channel))
        }
    }

    fn usage_cache(&self) -> std::sync::MutexGuard<'_, UsageCache> {
        self.usage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds an envelope of `bytes` appended here to the counts read before it.
    fn count_appended(&self, channel: &str, bytes: u64) {
        let mut cache = self.usage_cache();
        if let Some((_, total)) = cache.total.as_mut() {
            *total += bytes;
        }
        if let Some(known) = cache.channels.get_mut(channel) {
            // Not its sequence as `last_seq`: other nodes may have appended before it.
            known.count += 1;
            known.appended += bytes;
        }
    }

    /// Makes the streams' states known here out of date, so the next delivery reads them.
    fn outdate_total(&self) {
        let mut cache = self.usage_cache();
        match (cache.total, out_of_date()) {
            (Some((_, bytes)), Some(old)) => cache.total = Some((old, bytes)),
            _ => cache.total = None,
        }
    }

    /// Forgets the count of `channel` (the channel was deleted here).
    fn forget_usage(&self, channel: &str) {
        self.usage_cache().channels.remove(channel);
    }

    /// How many reads of a channel's message sizes ended by waiting [`SCAN_QUIET`] for a
    /// message that did not come (acknowledged or expired while it was read): each kept a
    /// delivery waiting that long. Expected to stay 0 while nothing is acknowledged.
    pub fn quiet_scans(&self) -> u64 {
        self.quiet_scans.load(Ordering::Relaxed)
    }

    /// Makes this node's count of `channel` out of date (as when envelopes of it were deleted
    /// here), so the next delivery counts its messages again; what was read of their sizes is
    /// kept, so a big channel's bytes are read on from the last one read, or scaled to the new
    /// count, not read again in full.
    pub fn outdate_usage(&self, channel: &str) {
        let mut cache = self.usage_cache();
        if let Some(known) = cache.channels.get_mut(channel) {
            match out_of_date() {
                Some(old) => known.at = old,
                None => {
                    cache.channels.remove(channel);
                }
            }
        }
    }

    /// How many envelopes `channel` has waiting: in its stream, and in the retired one
    /// while that holds any.
    async fn subject_count(&self, channel: &str) -> Result<u64> {
        let mut count = self
            .count_in(self.stream(channel), &self.subject(channel))
            .await?;
        if self.legacy_active() {
            count += self
                .count_in(&self.legacy, &self.legacy_subject(channel))
                .await?;
        }
        Ok(count)
    }

    /// How many messages `stream` has on `subject`.
    async fn count_in(&self, stream: &stream::Stream, subject: &str) -> Result<u64> {
        let mut info = stream
            .info_with_subjects(subject)
            .await
            .map_err(|e| nats("counting a channel's envelopes", e))?;
        let mut count = 0u64;
        while let Some(item) = info.next().await {
            let (name, n) = item.map_err(|e| nats("counting a channel's envelopes", e))?;
            if name == subject {
                count += n as u64;
            }
        }
        Ok(count)
    }

    /// What `channel` has waiting, from what was known before (`known`). Under `exact_below`
    /// even at the largest envelope size, that bound; else the sizes of its messages, read
    /// headers-only: every message's at most every `count / 100` s
    /// (between, only the messages newer than those read; after deletions, the bytes known
    /// scaled to the new count), so a big channel costs about 100 reads a second at most.
    /// Only its envelope stream counts: what the retired stream still holds of it is left
    /// out of its byte quota while it drains.
    async fn channel_bytes(
        &self,
        channel: &str,
        known: Option<ChannelBytes>,
        exact_below: u64,
    ) -> Result<ChannelBytes> {
        let now = Instant::now();
        let count = tokio::time::timeout(
            USAGE_READ_TIMEOUT,
            self.count_in(self.stream(channel), &self.subject(channel)),
        )
        .await
        .unwrap_or_else(|_| {
            Err(RelayError::Nats(
                "counting a channel's envelopes timed out".into(),
            ))
        })?;
        let bound = count.saturating_mul(self.max_envelope_bytes);
        // The bound judges only while one more envelope of any size would leave it under: a
        // bound just under the quota would refuse a large delivery that the real bytes take.
        if count == 0 || bound.saturating_add(self.max_envelope_bytes) < exact_below {
            return Ok(ChannelBytes {
                at: now,
                scanned_at: now,
                count,
                bytes: bound,
                last_seq: 0,
                appended: 0,
            });
        }
        let rescan_every = Duration::from_millis(count.saturating_mul(10));
        if let Some(known) =
            known.filter(|k| k.last_seq > 0 && now.duration_since(k.scanned_at) < rescan_every)
        {
            if count <= known.count {
                // Acknowledged or expired meanwhile (the oldest first, so mostly of what was
                // read): about in proportion.
                let bytes = u64::try_from(
                    u128::from(known.bytes) * u128::from(count) / u128::from(known.count.max(1)),
                )
                .unwrap_or(known.bytes);
                return Ok(ChannelBytes {
                    at: now,
                    count,
                    bytes,
                    ..known
                });
            }
            // Every message after the last one read: this node's appends and any other
            // node's, wherever they fell among them.
            let (more, last) = self
                .scan_within(channel, known.last_seq + 1, u64::MAX)
                .await?;
            return Ok(ChannelBytes {
                at: now,
                scanned_at: known.scanned_at,
                count,
                bytes: known.bytes + more,
                last_seq: last.max(known.last_seq),
                appended: 0,
            });
        }
        let (bytes, last) = self.scan_within(channel, 1, count).await?;
        Ok(ChannelBytes {
            at: now,
            scanned_at: now,
            count,
            bytes,
            last_seq: last,
            appended: 0,
        })
    }

    /// [`NatsQueue::scan_bytes`] within [`SCAN_DEADLINE`].
    async fn scan_within(&self, channel: &str, from: u64, count: u64) -> Result<(u64, u64)> {
        tokio::time::timeout(SCAN_DEADLINE, self.scan_bytes(channel, from, count))
            .await
            .unwrap_or_else(|_| {
                Err(RelayError::Nats(
                    "reading a channel's message sizes timed out".into(),
                ))
            })
    }

    /// Adds up the sizes of up to `count` of `channel`'s messages from sequence `from` on,
    /// with an ordered consumer that sends headers only (`Nats-Msg-Size`); also the last
    /// one's sequence number.
    async fn scan_bytes(&self, channel: &str, from: u64, count: u64) -> Result<(u64, u64)> {
        use async_nats::jetstream::consumer::{DeliverPolicy, pull};
        let consumer = self
            .stream(channel)
            .create_consumer(pull::OrderedConfig {
                filter_subject: self.subject(channel),
                headers_only: true,
                deliver_policy: DeliverPolicy::ByStartSequence {
                    start_sequence: from.max(1),
                },
                ..Default::default()
            })
            .await
            .map_err(|e| nats("reading a channel's message sizes", e))?;
        // What the consumer has to deliver, as it was created: waiting for more would wait
        // SCAN_QUIET for messages that are not there (the channel's count can include
        // messages before `from`, e.g. another node's, appended before this node's last).
        let count = count.min(consumer.cached_info().num_pending);
        if count == 0 {
            return Ok((0, 0));
        }
        let mut messages = consumer
            .messages()
            .await
            .map_err(|e| nats("reading a channel's message sizes", e))?;
        let (mut bytes, mut seen, mut last) = (0u64, 0u64, 0u64);
        while seen < count {
            // Acknowledged since it was counted: nothing more comes.
            let Ok(Some(message)) = tokio::time::timeout(SCAN_QUIET, messages.next()).await else {
                self.quiet_scans.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(
                    channel,
                    seen,
                    count,
                    "reading a channel's message sizes: ended waiting"
                );
                break;
            };
            let message = message.map_err(|e| nats("reading a channel's message sizes", e))?;
            seen += 1;
            bytes += message
                .headers
                .as_ref()
                .and_then(|h| h.get("Nats-Msg-Size"))
                .and_then(|v| v.as_str().parse::<u64>().ok())
                .unwrap_or(self.max_envelope_bytes);
            let info = message.info().ok().map(|i| (i.stream_sequence, i.pending));
            if let Some((seq, pending)) = info {
                last = last.max(seq);
                if pending == 0 {
                    break;
                }
            }
        }
        Ok((bytes, last))
    }

    /// Envelopes and their bytes over every envelope stream (the retired one included while
    /// it holds any), each stream's state read at the same time.
    async fn streams_depth(&self) -> Result<Depth> {
        let legacy = self.legacy_active().then_some(&self.legacy);
        let infos = futures_util::future::join_all(
            self.parts
                .iter()
                .chain(legacy)
                .map(stream::Stream::get_info),
        )
        .await;
        let mut depth = Depth::default();
        for info in infos {
            let info = info.map_err(|e| nats("reading the envelope streams' state", e))?;
            depth.count += info.state.messages;
            depth.bytes += info.state.bytes;
        }
        Ok(depth)
    }

    async fn usage_of(&self, channel: &str) -> Result<Usage> {
        let now = Instant::now();
        let fresh = |at: Instant| now.duration_since(at) < USAGE_FRESH;
        // What is known, and which of it this delivery reads again: each is read by one
        // delivery at a time on this node, the others going on with what was known meanwhile
        // (a read takes up to USAGE_READ_TIMEOUT while a stream elects a leader: every
        // delivery reading for itself would pile requests onto the servers just then).
        let (total, known, turn, read_total, read_channel) = {
            let mut cache = self.usage_cache();
            let (total, known) = (cache.total, cache.channels.get(channel).copied());
            // Nothing known yet: read, whoever else is reading (there is nothing to go on).
            let read_total = match total {
                Some((at, _)) if fresh(at) => false,
                Some(_) => !cache.reading_total,
                None => true,
            };
            let read_channel = match known {
                Some(k) if fresh(k.at) => false,
                Some(_) => !cache.reading.contains(channel),
                None => true,
            };
            // The turn is the reader's that took it; it gives it back (another reading
            // alongside, where nothing was known, does not).
            let own_total = read_total && !cache.reading_total;
            cache.reading_total |= read_total;
            let own_channel = read_channel && cache.reading.insert(channel.to_owned());
            let turn = ReadTurn {
                queue: self,
                total: own_total,
                channel: own_channel.then(|| channel.to_owned()),
            };
            (total, known, turn, read_total, read_channel)
        };
        // What cannot be read in time (the stream electing a leader) is taken as last known,
        // or as nothing: the byte quotas give way rather than refuse deliveries JetStream
        // would store (its count quota and the servers' storage limits still hold).
        let total = match total.filter(|_| !read_total) {
            Some((_, total)) => total,
            None => match tokio::time::timeout(USAGE_READ_TIMEOUT, self.streams_depth()).await {
                Ok(Ok(depth)) => {
                    self.usage_cache().total = Some((now, depth.bytes));
                    depth.bytes
                }
                failed => {
                    let error = match failed {
                        Ok(Err(e)) => e.to_string(),
                        _ => "timed out".into(),
                    };
                    tracing::warn!(%error, "reading the stream's bytes failed; the global quota uses what was known");
                    total.map(|(_, b)| b).unwrap_or(0)
                }
            },
        };
        // A channel's bytes need counting only where the bound could trip a quota: its own,
        // and, while the total is within an envelope of the global quota, the reserve that
        // spares small channels from it. Else the bound judges as the count would.
        let exact_below = if total.saturating_add(self.max_envelope_bytes) <= self.max_bytes_total {
            self.max_bytes_per_channel
        } else {
            self.max_bytes_per_channel
                .min(self.reserved_bytes_per_channel)
                .max(1)
        };
        let held = match known.filter(|_| !read_channel) {
            Some(known) => known.held(),
            None => match self.channel_bytes(channel, known, exact_below).await {
                Ok(counted) => {
                    let mut cache = self.usage_cache();
                    cache.channels.prune(USAGE_PRUNE_FROM, |k| {
                        now.duration_since(k.scanned_at) < Duration::from_secs(600)
                    });
                    cache.channels.insert(channel.to_owned(), counted);
                    counted.held()
                }
                Err(e) => {
                    tracing::warn!(error = %e, "reading a channel's bytes failed; its quota uses what was known");
                    known.map(|k| k.held()).unwrap_or(0)
                }
            },
        };
        drop(turn);
        Ok(Usage {
            channel_bytes: held,
            total_bytes: total,
            free_disk: None,
        })
    }

    /// The next envelope of `channel` at or after `from`, from the leader of the stream that
    /// holds it (the retired one first, while it may hold any of it).
    async fn next_from(&self, channel: &str, from: u64) -> Result<Option<Envelope>> {
        let from = from.max(1);
        if from < self.layout.first_seq && self.legacy_active() {
            let subject = self.legacy_subject(channel);
            if let Some(envelope) = self.next_in(&self.legacy, &subject, from).await? {
                return Ok(Some(envelope));
            }
        }
        self.next_in(self.stream(channel), &self.subject(channel), from)
            .await
    }

    /// The next message on `subject` in `stream` at or after `from`, from its leader.
    async fn next_in(
        &self,
        stream: &stream::Stream,
        subject: &str,
        from: u64,
    ) -> Result<Option<Envelope>> {
        let got = stream
            .raw_message_builder()
            .sequence(from.max(1))
            .next_by_subject(subject)
            .send()
            .await;
        match got {
            Ok(message) => decode_value(message.sequence, &message.payload).map(Some),
            Err(e) if e.kind() == stream::RawMessageErrorKind::NoMessageFound => Ok(None),
            Err(e) => Err(nats("reading an envelope", e)),
        }
    }

    /// Up to `limit` envelopes of `channel` after `after`, in order: what the retired stream
    /// holds of it first, then its stream's.
    async fn read_envelopes(
        &self,
        channel: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Envelope>> {
        let mut out = Vec::new();
        let from = after.saturating_add(1);
        if from < self.layout.first_seq && self.legacy_active() {
            let subject = self.legacy_subject(channel);
            self.read_in(&self.legacy, &subject, from, limit, &mut out)
                .await?;
        }
        if out.len() < limit {
            let from = out.last().map_or(from, |e| e.seq + 1);
            let subject = self.subject(channel);
            self.read_in(self.stream(channel), &subject, from, limit, &mut out)
                .await?;
        }
        Ok(out)
    }

    /// Appends to `out` the messages on `subject` in `stream` from `from` on, in order, until
    /// it has `limit`. Batched direct gets first; a replica other than the leader may answer
    /// those and not have stored yet what the leader acknowledged, so with several replicas
    /// the leader has the last word: what it has beyond is read from it, one at a time (the
    /// same when a direct get fails).
    async fn read_in(
        &self,
        stream: &stream::Stream,
        subject: &str,
        mut from: u64,
        limit: usize,
        out: &mut Vec<Envelope>,
    ) -> Result<()> {
        let config = &stream.cached_info().config;
        let name = &config.name;
        let mut batched = true;
        while out.len() < limit {
            let want = (limit - out.len()).min(DIRECT_BATCH);
            match self.direct_batch(name, subject, from, want).await {
                Ok((envelopes, more)) => {
                    let got = envelopes.len();
                    if let Some(last) = envelopes.last() {
                        from = last.seq + 1;
                    }
                    out.extend(envelopes);
                    if got == 0 || !more {
                        break;
                    }
                }
                Err(e) => {
                    tracing::debug!(error = %e, stream = %name, "a batched read failed; reading from the leader");
                    batched = false;
                    break;
                }
            }
        }
        if batched && config.num_replicas <= 1 {
            // The only replica answered: the leader itself.
            return Ok(());
        }
        while out.len() < limit {
            match self.next_in(stream, subject, from).await? {
                Some(envelope) => {
                    from = envelope.seq + 1;
                    out.push(envelope);
                }
                None => break,
            }
        }
        Ok(())
    }

    /// One batched direct get: up to `want` messages on `subject` in stream `name` from
    /// `from` on, in order, and whether the replica that answered has more after them.
    async fn direct_batch(
        &self,
        name: &str,
        subject: &str,
        from: u64,
        want: usize,
    ) -> Result<(Vec<Envelope>, bool)> {
        let inbox = self.client.new_inbox();
        let mut replies = self
            .client
            .subscribe(inbox.clone())
            .await
            .map_err(|e| nats("reading envelopes", e))?;
        let request = serde_json::json!({
            "seq": from.max(1),
            "next_by_subj": subject,
            "batch": want,
            "max_bytes": DIRECT_BATCH_BYTES,
        });
        self.client
            .publish_with_reply(
                format!("$JS.API.DIRECT.GET.{name}"),
                inbox,
                request.to_string().into(),
            )
            .await
            .map_err(|e| nats("reading envelopes", e))?;
        let deadline = tokio::time::Instant::now() + REQUEST_TIMEOUT;
        let mut out = Vec::new();
        loop {
            let message = match tokio::time::timeout_at(deadline, replies.next()).await {
                Ok(Some(message)) => message,
                Ok(None) => return Err(RelayError::Nats("reading envelopes: no answer".into())),
                Err(_) => return Err(RelayError::Nats("reading envelopes: timed out".into())),
            };
            let header = |name: &str| {
                message
                    .headers
                    .as_ref()
                    .and_then(|h| h.get(name))
                    .and_then(|v| v.as_str().parse::<u64>().ok())
            };
            match message.status.map(|s| s.as_u16()) {
                None => {
                    let seq = header("Nats-Sequence").ok_or_else(|| {
                        RelayError::Nats("reading envelopes: a message without its sequence".into())
                    })?;
                    out.push(decode_value(seq, &message.payload)?);
                }
                // End of the batch: how many more there are after it.
                Some(204) => return Ok((out, header("Nats-Num-Pending").unwrap_or(0) > 0)),
                // Nothing from `from` on.
                Some(404) => return Ok((out, false)),
                Some(code) => {
                    return Err(nats(
                        "reading envelopes",
                        format!("{code} {}", message.description.as_deref().unwrap_or("")),
                    ));
                }
            }
        }
    }

    /// Envelope `seq`, if it is `channel`'s and still there.
    async fn get(&self, channel: &str, seq: u64) -> Result<Option<Envelope>> {
        let (stream, subject) = self.holder(channel, seq);
        match stream.get_raw_message(seq).await {
            Ok(message) if message.subject.as_str() == subject => {
                decode_value(message.sequence, &message.payload).map(Some)
            }
            Ok(_) => Ok(None),
            Err(e) if e.kind() == stream::RawMessageErrorKind::NoMessageFound => Ok(None),
            Err(e) => Err(nats("reading an envelope", e)),
        }
    }

    async fn load_state(&self, channel: &str) -> Result<(ChannelState, Option<u64>)> {
        match self.state.entry(channel).await {
            Ok(Some(entry)) if entry.operation == kv::Operation::Put => {
                let state = serde_json::from_slice(&entry.value)
                    .map_err(|e| RelayError::Corrupt(format!("channel state: {e}")))?;
                Ok((state, Some(entry.revision)))
            }
            Ok(Some(entry)) => Ok((ChannelState::default(), Some(entry.revision))),
            Ok(None) => Ok((ChannelState::default(), None)),
            Err(e) => Err(nats("reading a channel's state", e)),
        }
    }

    /// Writes `state` if nobody changed it since `revision`; false when someone did.
    async fn save_state(
        &self,
        channel: &str,
        state: &ChannelState,
        revision: Option<u64>,
    ) -> Result<bool> {
        let json = serde_json::to_vec(state).map_err(|e| RelayError::Corrupt(e.to_string()))?;
        let written = match revision {
            Some(revision) => self
                .state
                .update(channel, json.into(), revision)
                .await
                .map(|_| ())
                .map_err(|e| {
                    (
                        e.kind() == kv::UpdateErrorKind::WrongLastRevision,
                        e.to_string(),
                    )
                }),
            None => self
                .state
                .create(channel, json.into())
                .await
                .map(|_| ())
                .map_err(|e| {
                    (
                        e.kind() == kv::CreateErrorKind::AlreadyExists,
                        e.to_string(),
                    )
                }),
        };
        match written {
            Ok(()) => Ok(true),
            Err((true, _)) => Ok(false),
            Err((false, e)) => Err(nats("writing a channel's state", e)),
        }
    }

    /// Deletes `channel`'s envelope `seq` (from the stream that holds it).
    async fn delete_message(&self, channel: &str, seq: u64) -> Result<bool> {
        let (stream, _) = self.holder(channel, seq);
        match stream.delete_message(seq).await {
            Ok(done) => Ok(done),
            Err(e) if e.to_string().contains("no message found") => Ok(false),
            Err(e) => Err(nats("deleting an envelope", e)),
        }
    }

    /// A task listening for `channel`'s notifications ([`listen`]); none outside a runtime.
    fn spawn_listener(&self, channel: &str) -> Option<tokio::task::JoinHandle<()>> {
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let subject = format!("{}.new.{}.{channel}", self.prefix, self.part(channel));
        Some(runtime.spawn(listen(
            self.client.clone(),
            subject,
            channel.to_owned(),
            Arc::clone(&self.watchers),
        )))
    }

    /// Stops the background tasks and the listeners (which hold the watchers: a queue
    /// dropped without this would leave them running).
    fn stop_tasks(&self) {
        for task in &self.tasks {
            task.abort();
        }
        if let Ok(map) = self.watchers.lock() {
            for task in map.values().filter_map(|watched| watched.listen.as_ref()) {
                task.abort();
            }
        }
    }

    /// The channel records kept for deliveries.
    fn records(&self) -> std::sync::MutexGuard<'_, Records> {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// This node's lock on `channel`'s state.
    fn state_lock(&self, channel: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .state_locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        locks.prune_unheld();
        Arc::clone(locks.entry(channel.to_owned()).or_default())
    }

    async fn ack_inner(&self, channel: &str, seq: u64, release: Vec<u64>) -> Result<u64> {
        let lock = self.state_lock(channel);
        let _turn = lock.lock().await;
        for _ in 0..CAS_ATTEMPTS {
            let (mut state, revision) = self.load_state(channel).await?;
            let mut removed = 0u64;
            if seq > state.acked {
                if state.held.is_empty() {
                    let first = self.layout.first_seq;
                    if state.acked.saturating_add(1) < first && self.legacy_active() {
                        let purged = self
                            .legacy
                            .purge()
                            .filter(self.legacy_subject(channel))
                            .sequence(seq.min(first - 1).saturating_add(1))
                            .await
                            .map_err(|e| nats("deleting acknowledged envelopes", e))?;
                        removed += purged.purged;
                    }
                    if seq >= first {
                        let purged = self
                            .stream(channel)
                            .purge()
                            .filter(self.subject(channel))
                            .sequence(seq.saturating_add(1))
                            .await
                            .map_err(|e| nats("deleting acknowledged envelopes", e))?;
                        removed += purged.purged;
                    }
                } else {
                    let mut from = state.acked + 1;
                    while let Some(envelope) = self.next_from(channel, from).await? {
                        if envelope.seq > seq {
                            break;
                        }
                        from = envelope.seq + 1;
                        if !state.held.contains_key(&envelope.seq)
                            && self.delete_message(channel, envelope.seq).await?
                        {
                            removed += 1;
                        }
                    }
                }
                state.acked = seq;
            }
            for r in &release {
                if state.held.remove(r).is_some() && self.delete_message(channel, *r).await? {
                    removed += 1;
                }
            }
            if self.save_state(channel, &state, revision).await? {
                if removed > 0 {
                    // What this node knew of the channel's bytes is too high now: a
                    // desktop that keeps up stays under its reserve at the next delivery,
                    // not a second later.
                    self.outdate_usage(channel);
                }
                return Ok(removed);
            }
        }
        Err(RelayError::Nats(
            "the channel's state kept changing under this acknowledgement".into(),
        ))
    }

    async fn hold_inner(&self, channel: &str, seq: u64, reason: String) -> Result<bool> {
        if self.get(channel, seq).await?.is_none() {
            return Ok(false);
        }
        let lock = self.state_lock(channel);
        let _turn = lock.lock().await;
        for _ in 0..CAS_ATTEMPTS {
            let (mut state, revision) = self.load_state(channel).await?;
            if state.held.contains_key(&seq) {
                return Ok(false);
            }
            state.held.insert(seq, reason.clone());
            if self.save_state(channel, &state, revision).await? {
                return Ok(true);
            }
        }
        Err(RelayError::Nats(
            "the channel's state kept changing under this hold".into(),
        ))
    }
}

/// Follows `{prefix}-streams`: each new claim of a channel streamed here tells that
/// channel's streams (the older ones step aside). Watches again after an error.
async fn follow_claims(streams: kv::Store, claims: Claims) {
    loop {
        match streams.watch_all().await {
            Ok(mut updates) => {
                while let Some(update) = updates.next().await {
                    let Ok(entry) = update else { break };
                    if entry.operation != kv::Operation::Put {
                        continue;
                    }
                    if let Ok(map) = claims.lock()
                        && let Some(newest) = map.get(&entry.key)
                    {
                        newest.send_if_modified(|n| {
                            let newer = entry.revision > *n;
                            *n = (*n).max(entry.revision);
                            newer
                        });
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "watching stream claims; again shortly"),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

impl Drop for NatsQueue {
    fn drop(&mut self) {
        self.stop_tasks();
    }
}

/// Runs `f` on a clone of `this` as a boxed future.
fn boxed<T, F, Fut>(this: &Arc<NatsQueue>, f: F) -> WriteFuture<T>
where
    T: Send + 'static,
    F: FnOnce(Arc<NatsQueue>) -> Fut,
    Fut: std::future::Future<Output = Result<T>> + Send + 'static,
{
    Box::pin(f(Arc::clone(this)))
}

/// The trait objects hold `Arc<NatsQueue>`: [`SharedNats`] is that handle.
#[derive(Clone)]
pub struct SharedNats(pub Arc<NatsQueue>);

impl Queue for SharedNats {
    fn append_sealed(&self, channel: &str, envelope: NewEnvelope) -> WriteFuture<u64> {
        let subject = self.0.subject(channel);
        let valid = valid_channel(channel);
        let channel = channel.to_owned();
        boxed(&self.0, move |q| async move {
            if !valid {
                return Err(RelayError::UnknownChannel);
            }
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("Nats-Msg-Id", envelope.id.as_str());
            let payload = encode(&envelope);
            // While the stream elects a new leader (its leader's server died) or this node
            // moves to another server, a publish finds no stream or gets no acknowledgement
            // although it may have been stored. It is published again with the same
            // Nats-Msg-Id until acknowledged: JetStream stores it once and acknowledges the
            // copy it has, so the provider gets its 202 (and sends no second copy) instead of
            // a 503 for an envelope that is stored anyway.
            let deadline = tokio::time::Instant::now() + PUBLISH_DEADLINE;
            let mut wait = Duration::from_millis(25);
            loop {
                let attempt = async {
                    q.publisher
                        .publish_with_headers(
                            subject.clone(),
                            headers.clone(),
                            payload.clone().into(),
                        )
                        .await?
                        .await
                };
                let error = match attempt.await {
                    Ok(ack) => {
                        q.count_appended(&channel, payload.len() as u64);
                        return Ok(ack.sequence);
                    }
                    Err(e) => e,
                };
                let text = format!("{error} {:?}", std::error::Error::source(&error));
                if text.contains("maximum messages per subject") {
                    return Err(RelayError::QuotaFull);
                }
                // The stream's or the account's storage limits (an operator's max_bytes,
                // the servers' max_file_store): the same answer as the relay's own.
                if text.contains("maximum bytes") || text.contains("insufficient resources") {
                    return Err(RelayError::StorageFull);
                }
                let transient = matches!(
                    error.kind(),
                    jetstream::context::PublishErrorKind::StreamNotFound
                        | jetstream::context::PublishErrorKind::TimedOut
                        | jetstream::context::PublishErrorKind::BrokenPipe
                        | jetstream::context::PublishErrorKind::MaxAckPending
                );
                if !transient || tokio::time::Instant::now() + wait >= deadline {
                    return Err(nats("storing an envelope", text));
                }
                tracing::info!(error = %text, "publishing an envelope: retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_millis(500));
            }
        })
    }

    fn read_from(&self, channel: &str, after: u64, limit: usize) -> ReadFuture<Vec<Envelope>> {
        let channel = channel.to_owned();
        boxed(&self.0, move |q| async move {
            if !valid_channel(&channel) {
                return Ok(Vec::new());
            }
            q.read_envelopes(&channel, after, limit).await
        })
    }

    fn ack_and_release(&self, channel: &str, seq: u64, release: Vec<u64>) -> WriteFuture<u64> {
        let channel = channel.to_owned();
        boxed(&self.0, move |q| async move {
            if !valid_channel(&channel) {
                return Err(RelayError::UnknownChannel);
            }
            q.ack_inner(&channel, seq, release).await
        })
    }

    fn hold(&self, channel: &str, seq: u64, reason: String) -> WriteFuture<bool> {
        let channel = channel.to_owned();
        boxed(&self.0, move |q| async move {
            if !valid_channel(&channel) {
                return Err(RelayError::UnknownChannel);
            }
            q.hold_inner(&channel, seq, reason).await
        })
    }

    fn read_held(
        &self,
        channel: &str,
        after: u64,
        limit: usize,
    ) -> ReadFuture<Vec<(Envelope, String)>> {
        let channel = channel.to_owned();
        boxed(&self.0, move |q| async move {
            let mut out = Vec::new();
            if !valid_channel(&channel) {
                return Ok(out);
            }
            let (state, _) = q.load_state(&channel).await?;
            for (seq, reason) in state.held.range(after.saturating_add(1)..) {
                if out.len() >= limit {
                    break;
                }
                if let Some(envelope) = q.get(&channel, *seq).await? {
                    out.push((envelope, reason.clone()));
                }
            }
            Ok(out)
        })
    }

    fn held(&self, channel: &str) -> ReadFuture<u64> {
        let channel = channel.to_owned();
        boxed(&self.0, move |q| async move {
            if !valid_channel(&channel) {
                return Ok(0);
            }
            Ok(q.load_state(&channel).await?.0.held.len() as u64)
        })
    }

    fn expire(&self, _older_than: DateTime<Utc>) -> WriteFuture<u64> {
        // The stream's max_age removes what is past retention, on every replica.
        Box::pin(async { Ok(0) })
    }

    fn depth(&self, channel: &str) -> ReadFuture<Depth> {
        let channel = channel.to_owned();
        boxed(&self.0, move |q| async move {
            if !valid_channel(&channel) {
                return Ok(Depth::default());
            }
            let count = q.subject_count(&channel).await?;
            // JetStream counts a subject's messages, not their bytes (see `usage`).
            Ok(Depth { count, bytes: 0 })
        })
    }

    fn usage(&self, channel: &str) -> ReadFuture<Usage> {
        let channel = channel.to_owned();
        boxed(&self.0, move |q| async move {
            if !valid_channel(&channel) {
                return Ok(Usage::default());
            }
            q.usage_of(&channel).await
        })
    }

    fn acked(&self, channel: &str) -> ReadFuture<u64> {
        let channel = channel.to_owned();
        boxed(&self.0, move |q| async move {
            if !valid_channel(&channel) {
                return Ok(0);
            }
            Ok(q.load_state(&channel).await?.0.acked)
        })
    }

    fn watch(&self, channel: &str) -> Option<watch::Receiver<u64>> {
        if !valid_channel(channel) {
            return None;
        }
        let mut map = self.0.watchers.lock().ok()?;
        let watched = map.entry(channel.to_owned()).or_insert_with(|| Watched {
            wake: watch::channel(0).0,
            listen: None,
        });
        // None yet, or one whose subscription ended (the client closed): listen (again).
        if watched
            .listen
            .as_ref()
            .is_none_or(|task| task.is_finished())
        {
            watched.listen = self.0.spawn_listener(channel);
        }
        Some(watched.wake.subscribe())
    }

    fn enforces_channel_quota(&self) -> bool {
        true
    }

    fn claim_stream(&self, channel: &str) -> WriteFuture<Option<StreamClaim>> {
        let channel = channel.to_owned();
        boxed(&self.0, move |q| async move {
            if !valid_channel(&channel) {
                return Err(RelayError::UnknownChannel);
            }
            // Listening before claiming: a newer claim made meanwhile is not missed.
            let newest = {
                let mut map = q
                    .claims
                    .lock()
                    .map_err(|_| RelayError::Nats("stream claims poisoned".into()))?;
                map.retain(|_, sender| sender.receiver_count() > 0);
                map.entry(channel.clone())
                    .or_insert_with(|| watch::channel(0).0)
                    .subscribe()
            };
            let mine = q
                .streams
                .put(&channel, Vec::new().into())
                .await
                .map_err(|e| nats("claiming a channel's stream", e))?;
            if let Ok(map) = q.claims.lock()
                && let Some(sender) = map.get(&channel)
            {
                sender.send_if_modified(|n| {
                    let newer = mine > *n;
                    *n = (*n).max(mine);
                    newer
                });
            }
            Ok(Some(StreamClaim { mine, newest }))
        })
    }
}

impl Channels for SharedNats {
    fn put_channel(&self, record: ChannelRecord) -> WriteFuture<()> {
        boxed(&self.0, move |q| async move {
            if !valid_channel(&record.id) {
                return Err(RelayError::UnknownChannel);
            }
            let json =
                serde_json::to_vec(&record).map_err(|e| RelayError::Corrupt(e.to_string()))?;
            q.channels
                .put(&record.id, json.into())
                .await
                .map_err(|e| nats("storing a channel", e))?;
            q.records().forget(&record.id);
            Ok(())
        })
    }

    fn channel_for_delivery(&self, id: &str) -> ReadFuture<Option<ChannelRecord>> {
        let now = Instant::now();
        let (cached, forgotten) = {
            let records = self.0.records();
            (records.fresh(id, now), records.forgotten)
        };
        if let Some(record) = cached {
            return Box::pin(std::future::ready(Ok(Some(record))));
        }
        let (this, id) = (self.clone(), id.to_owned());
        Box::pin(async move {
            let found = this.channel(&id).await?;
            if let Some(record) = &found {
                this.0.records().keep(record.clone(), now, forgotten);
            }
            Ok(found)
        })
    }

    fn channel(&self, id: &str) -> ReadFuture<Option<ChannelRecord>> {
        let id = id.to_owned();
        boxed(&self.0, move |q| async move {
            if !valid_channel(&id) {
                return Ok(None);
            }
            match q.channels.get(&id).await {
                Ok(Some(value)) => serde_json::from_slice(&value)
                    .map(Some)
                    .map_err(|e| RelayError::Corrupt(format!("channel record: {e}"))),
                Ok(None) => Ok(None),
                Err(e) => Err(nats("reading a channel", e)),
            }
        })
    }

    fn delete_channel(&self, id: &str) -> WriteFuture<bool> {
        let id = id.to_owned();
        boxed(&self.0, move |q| async move {
            if !valid_channel(&id) {
                return Ok(false);
            }
            let found = matches!(q.channels.get(&id).await, Ok(Some(_)));
            q.channels
                .delete(&id)
                .await
                .map_err(|e| nats("deleting a channel", e))?;
            q.records().forget(&id);
            q.stream(&id)
                .purge()
                .filter(q.subject(&id))
                .await
                .map_err(|e| nats("deleting a channel's envelopes", e))?;
            if q.legacy_active() {
                q.legacy
                    .purge()
                    .filter(q.legacy_subject(&id))
                    .await
                    .map_err(|e| nats("deleting a channel's envelopes", e))?;
            }
            q.state
                .delete(&id)
                .await
                .map_err(|e| nats("deleting a channel's state", e))?;
            q.seen
                .delete(&id)
                .await
                .map_err(|e| nats("deleting when a channel was seen", e))?;
            q.forget_usage(&id);
            // Read again at the next delivery (by one of them; the others go on with it).
            q.outdate_total();
            // A delivery that read the record before it went may still be publishing (for up
            // to PUBLISH_DEADLINE): purged again once that is over, so nothing of the channel
            // outlives it (sled's writer orders the two instead).
            let (stream, subject) = (q.stream(&id).clone(), q.subject(&id));
            tokio::spawn(async move {
                tokio::time::sleep(DELETE_SETTLE).await;
                if let Err(e) = stream.purge().filter(subject).await {
                    tracing::warn!(error = %e, "purging a deleted channel again failed; its last envelopes go with retention");
                }
            });
            Ok(found)
        })
    }

    fn put_challenge(&self, channel: &str, challenge: KeyChallenge) -> WriteFuture<()> {
        let channel = channel.to_owned();
        boxed(&self.0, move |q| async move {
            if !valid_channel(&channel) {
                return Err(RelayError::UnknownChannel);
            }
            let json =
                serde_json::to_vec(&challenge).map_err(|e| RelayError::Corrupt(e.to_string()))?;
            q.challenges
                .put(&channel, json.into())
                .await
                .map_err(|e| nats("storing a key challenge", e))?;
            Ok(())
        })
    }

    fn take_challenge(&self, channel: &str) -> WriteFuture<Option<KeyChallenge>> {
        let channel = channel.to_owned();
        boxed(&self.0, move |q| async move {
            if !valid_channel(&channel) {
                return Ok(None);
            }
            let entry = match q.challenges.entry(&channel).await {
                Ok(Some(entry)) if entry.operation == kv::Operation::Put => entry,
                Ok(_) => return Ok(None),
                Err(e) => return Err(nats("reading a key challenge", e)),
            };
            // Single use: of two takers, only the delete that expects the revision read wins.
            if q.challenges
                .delete_expect_revision(&channel, Some(entry.revision))
                .await
                .is_err()
            {
                return Ok(None);
            }
            serde_json::from_slice(&entry.value)
                .map(Some)
                .map_err(|e| RelayError::Corrupt(format!("key challenge: {e}")))
        })
    }

    fn announce_node(&self, url: &str) -> WriteFuture<()> {
        let url = url.to_owned();
        boxed(&self.0, move |q| async move {
            use sha2::Digest;
            let key = hex::encode(sha2::Sha256::digest(url.as_bytes()));
            q.nodes
                .put(&key, url.into_bytes().into())
                .await
                .map_err(|e| nats("announcing this node", e))?;
            Ok(())
        })
    }

    fn nodes(&self) -> ReadFuture<Vec<String>> {
        boxed(&self.0, move |q| async move {
            let mut keys = q.nodes.keys().await.map_err(|e| nats("listing nodes", e))?;
            let mut names = Vec::new();
            while let Some(key) = keys.next().await {
                names.push(key.map_err(|e| nats("listing nodes", e))?);
            }
            let mut urls = Vec::new();
            for name in names {
                if let Ok(Some(url)) = q.nodes.get(&name).await
                    && let Ok(url) = String::from_utf8(url.to_vec())
                {
                    urls.push(url);
                }
            }
            urls.sort();
            Ok(urls)
        })
    }

    fn touch_channel(&self, id: &str) -> WriteFuture<()> {
        let id = id.to_owned();
        boxed(&self.0, move |q| async move {
            if !valid_channel(&id) {
                return Ok(());
            }
            let now = Utc::now().timestamp_millis().to_string();
            q.seen
                .put(&id, now.into_bytes().into())
                .await
                .map_err(|e| nats("recording when a channel was seen", e))?;
            Ok(())
        })
    }

    fn idle_channels(&self, before: DateTime<Utc>) -> ReadFuture<Vec<String>> {
        boxed(&self.0, move |q| async move {
            let mut keys = q
                .channels
                .keys()
                .await
                .map_err(|e| nats("listing channels", e))?;
            let mut ids = Vec::new();
            while let Some(key) = keys.next().await {
                ids.push(key.map_err(|e| nats("listing channels", e))?);
            }
            let before = before.timestamp_millis();
            let mut idle = Vec::new();
            for id in ids {
                let seen = match q.seen.get(&id).await {
                    Ok(Some(value)) => std::str::from_utf8(&value)
                        .ok()
                        .and_then(|t| t.trim().parse::<i64>().ok()),
                    Ok(None) => None,
                    Err(e) => return Err(nats("reading when a channel was seen", e)),
                };
                let seen = match seen {
                    Some(ms) => ms,
                    // Never connected: its pairing time.
                    None => match q.channels.get(&id).await {
                        Ok(Some(value)) => serde_json::from_slice::<ChannelRecord>(&value)
                            .map(|r| r.created_at.timestamp_millis())
                            .map_err(|e| RelayError::Corrupt(format!("channel record: {e}")))?,
                        Ok(None) => continue,
                        Err(e) => return Err(nats("reading a channel", e)),
                    },
                };
                if seen < before {
                    idle.push(id);
                }
            }
            Ok(idle)
        })
    }

    fn channel_count(&self) -> ReadFuture<usize> {
        boxed(&self.0, move |q| async move {
            let mut keys = match q.channels.keys().await {
                Ok(keys) => keys,
                Err(e) => return Err(nats("listing channels", e)),
            };
            let mut n = 0;
            while let Some(key) = keys.next().await {
                key.map_err(|e| nats("listing channels", e))?;
                n += 1;
            }
            Ok(n)
        })
    }
}

impl Backend for SharedNats {
    fn total_held(&self) -> ReadFuture<u64> {
        boxed(&self.0, move |q| async move {
            let mut keys = match q.state.keys().await {
                Ok(keys) => keys,
                Err(e) => return Err(nats("listing channel states", e)),
            };
            let mut names = Vec::new();
            while let Some(key) = keys.next().await {
                names.push(key.map_err(|e| nats("listing channel states", e))?);
            }
            let mut total = 0u64;
            for name in names {
                total += q.load_state(&name).await?.0.held.len() as u64;
            }
            Ok(total)
        })
    }

    fn total_depth(&self) -> ReadFuture<Depth> {
        boxed(&self.0, move |q| async move { q.streams_depth().await })
    }

    fn healthy(&self) -> bool {
        self.0.client.connection_state() == async_nats::connection::State::Connected
    }
}

/// Keeps an invite in `invites` (see [`Invites::put_invite`]).
async fn put_invite(invites: &kv::Store, key: String, expires_at: DateTime<Utc>) -> Result<()> {
    invites
        .put(&key, expires_at.to_rfc3339().into_bytes().into())
        .await
        .map_err(|e| nats("storing an invite", e))?;
    Ok(())
}

/// Redeems an invite from `invites` (see [`Invites::redeem_invite`]).
async fn redeem_invite(invites: &kv::Store, key: String) -> Result<bool> {
    if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(false);
    }
    let entry = match invites.entry(&key).await {
        Ok(Some(entry)) if entry.operation == kv::Operation::Put => entry,
        Ok(_) => return Ok(false),
        Err(e) => return Err(nats("reading an invite", e)),
    };
    // Exactly one redeemer's delete matches the revision it read.
    if invites
        .delete_expect_revision(&key, Some(entry.revision))
        .await
        .is_err()
    {
        return Ok(false);
    }
    let expires = std::str::from_utf8(&entry.value)
        .ok()
        .and_then(|t| DateTime::parse_from_rfc3339(t.trim()).ok());
    Ok(expires.is_some_and(|at| at > Utc::now()))
}

impl Invites for SharedNats {
    fn put_invite(&self, code_sha256: &str, expires_at: DateTime<Utc>) -> WriteFuture<()> {
        let key = code_sha256.to_ascii_lowercase();
        boxed(&self.0, move |q| async move {
            put_invite(&q.invites, key, expires_at).await
        })
    }

    fn redeem_invite(&self, code_sha256: &str) -> WriteFuture<bool> {
        let key = code_sha256.to_ascii_lowercase();
        boxed(&self.0, move |q| async move {
            redeem_invite(&q.invites, key).await
        })
    }
}

/// The invites bucket alone, for `hookbell-relay invite --nats`: opened as the relay nodes
/// set it up, changing nothing. ([`NatsQueue::connect`] would set every stream and bucket
/// to this process's settings: run with a config that says one replica, it scaled a
/// cluster's three copies down to one.)
pub struct NatsInvites {
    client: async_nats::Client,
    invites: kv::Store,
}

impl NatsInvites {
    /// Connects and opens `{prefix}-invites`; an error if no relay node has set it up yet.
    pub async fn connect(settings: &NatsSettings) -> Result<Self> {
        if settings.urls.is_empty() {
            return Err(RelayError::Config("--nats needs at least one URL".into()));
        }
        let client = async_nats::ConnectOptions::new()
            .name("hookbell-relay invite")
            .connect(settings.urls.as_slice())
            .await
            .map_err(|e| nats("connecting to NATS", e))?;
        let js = jetstream::ContextBuilder::new()
            .timeout(REQUEST_TIMEOUT)
            .build(client.clone());
        let bucket = format!("{}-invites", settings.prefix);
        let invites = js.get_key_value(&bucket).await.map_err(|e| {
            RelayError::Config(format!(
                "no relay node has set up the key-value bucket {bucket} on these NATS servers \
                 yet (start one with --nats first): {e}"
            ))
        })?;
        Ok(NatsInvites { client, invites })
    }

    /// Sends what is buffered to the server.
    pub async fn close(&self) {
        let _ = self.client.flush().await;
    }
}

impl Invites for NatsInvites {
    fn put_invite(&self, code_sha256: &str, expires_at: DateTime<Utc>) -> WriteFuture<()> {
        let (invites, key) = (self.invites.clone(), code_sha256.to_ascii_lowercase());
        Box::pin(async move { put_invite(&invites, key, expires_at).await })
    }

    fn redeem_invite(&self, code_sha256: &str) -> WriteFuture<bool> {
        let (invites, key) = (self.invites.clone(), code_sha256.to_ascii_lowercase());
        Box::pin(async move { redeem_invite(&invites, key).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_read_while_this_node_changed_its_channel_is_not_kept() {
        let record = |key: &str| ChannelRecord {
            id: "c".into(),
            public_key: key.into(),
            token_sha256: String::new(),
            created_at: Utc::now(),
        };
        let now = Instant::now();
        let mut records = Records::default();
        // A delivery starts reading; this node changes the channel meanwhile; the delivery's
        // (older) record comes back.
        let before = records.forgotten;
        records.forget("c");
        records.keep(record("old"), now, before);
        assert!(records.fresh("c", now).is_none(), "the old record was kept");
        // A read that began after the change is kept.
        records.keep(record("new"), now, records.forgotten);
        assert_eq!(
            records.fresh("c", now).map(|r| r.public_key),
            Some("new".into())
        );
    }

    #[test]
    fn state_locks_nobody_holds_are_forgotten_as_the_map_doubles() {
        let mut locks = StateLocks::default();
        let held = Arc::clone(locks.entry("held".into()).or_default());
        for n in 0..PRUNE_FROM - 1 {
            locks.entry(format!("c{n}")).or_default();
        }
        assert_eq!(locks.len(), PRUNE_FROM);
        locks.prune_unheld();
        assert_eq!(locks.keys().collect::<Vec<_>>(), ["held"]);
        assert!(Arc::ptr_eq(&held, &locks["held"]), "the held lock is kept");
        // Not looked over again until the map is back at the floor.
        for n in 0..PRUNE_FROM - 2 {
            locks.entry(format!("d{n}")).or_default();
        }
        locks.prune_unheld();
        assert_eq!(locks.len(), PRUNE_FROM - 1);
        locks.entry("one more".into()).or_default();
        locks.prune_unheld();
        assert_eq!(locks.len(), 1);
    }
}
