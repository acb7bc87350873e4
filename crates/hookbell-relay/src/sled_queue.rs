//! [`SledQueue`]: the queue and channel registry on sled, the relay's embedded default.
//!
//! Five trees: `channels` (id → JSON [`ChannelRecord`]), `queue` (channel id ‖ seq, big
//! endian → envelope), `acked` (channel id → highest acknowledged seq), `held` (channel id ‖
//! seq → why the desktop could not open that envelope; acknowledgements pass over it, it stays
//! queued until the desktop stores it or retention ends) and `seen` (channel id → when its
//! desktop last connected, Unix milliseconds, big endian; idle channels expire). One writer thread
//! applies every change in arrival order, flushes once per group of waiting changes (group
//! commit: concurrent ingests share one fsync), and only then updates the in-memory counters
//! and watchers and answers each caller. The thread and that loop are [`hookbell_commit`]'s,
//! shared with the desktop's store; what each change does is this module's `Writer`. Nothing
//! but sealed bytes and metadata (source id, size, time) is ever written.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use hookbell_commit::{Gather, GroupCommit};
use sled::{Batch, Db, Tree};
use tokio::sync::watch;

use crate::error::{RelayError, Result};
use crate::queue::{
    Backend, ChannelRecord, Channels, Depth, Envelope, KeyChallenge, NewEnvelope, Queue,
    ReadFuture, Usage, WriteFuture, ready,
};

/// How the writer gathers a group: at most 1024 changes before one flush, and a busy writer
/// waits up to 0.3 ms for more changes to join a group.
const GATHER: Gather = Gather {
    max_ops: 1024,
    linger: Duration::from_micros(300),
};
/// Version byte of a stored envelope.
const RECORD_V1: u8 = 1;

/// What the server knows about one channel in memory.
struct ChannelState {
    record: RwLock<ChannelRecord>,
    count: AtomicU64,
    bytes: AtomicU64,
    acked: AtomicU64,
    held: AtomicU64,
    last: watch::Sender<u64>,
    /// When its desktop last connected (Unix ms); its pairing time until it does.
    seen_ms: AtomicI64,
}

impl ChannelState {
    fn new(record: ChannelRecord) -> Self {
        ChannelState {
            seen_ms: AtomicI64::new(record.created_at.timestamp_millis()),
            record: RwLock::new(record),
            count: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            acked: AtomicU64::new(0),
            held: AtomicU64::new(0),
            last: watch::channel(0).0,
        }
    }
}

/// Free bytes (for an unprivileged process) on the filesystem holding `dir`.
#[cfg(unix)]
fn free_bytes(dir: &Path) -> Option<u64> {
    let stat = rustix::fs::statvfs(dir).ok()?;
    Some(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// Not known on this platform: the floor is not enforced.
#[cfg(not(unix))]
fn free_bytes(_dir: &Path) -> Option<u64> {
    None
}

type ChannelMap = Arc<RwLock<HashMap<String, Arc<ChannelState>>>>;

/// The sled queue. Dropping it (or [`SledQueue::close`]) stops the writer after a last flush.
pub struct SledQueue {
    dir: PathBuf,
    queue: Tree,
    held: Tree,
    channels: ChannelMap,
    /// Sealed bytes waiting over all channels.
    total_bytes: Arc<AtomicU64>,
    /// The writer thread: the group commit over [`Writer`].
    writer: GroupCommit<Writer>,
    /// Open key challenges, per channel: in memory (one process serves this queue; a
    /// restart only makes the desktop ask again).
    challenges: Mutex<HashMap<String, KeyChallenge>>,
}

enum Op {
    Append {
        channel: String,
        envelope: NewEnvelope,
    },
    Ack {
        channel: String,
        seq: u64,
        release: Vec<u64>,
    },
    Hold {
        channel: String,
        seq: u64,
        reason: String,
    },
    Expire {
        before_ms: i64,
    },
    PutChannel(ChannelRecord),
    DeleteChannel(String),
    Touch {
        channel: String,
        at_ms: i64,
    },
}

enum Done {
    Seq(u64),
    Count(u64),
    Unit,
    Bool(bool),
}

/// What to change in memory once a group is on disk.
enum Effect {
    Appended(Arc<ChannelState>, u64, u64),
    /// Per channel: envelopes, bytes and held envelopes removed; and the new ack mark.
    Removed(
        Vec<(Arc<ChannelState>, u64, u64, u64)>,
        Option<(Arc<ChannelState>, u64)>,
    ),
    /// An envelope newly held (true) or held again (false).
    Held(Arc<ChannelState>, bool),
    ChannelPut(ChannelRecord),
    ChannelDeleted(String, bool),
    Touched(Option<Arc<ChannelState>>, i64),
}

fn queue_key(channel: &str, seq: u64) -> Vec<u8> {
    let mut key = Vec::with_capacity(channel.len() + 8);
    key.extend_from_slice(channel.as_bytes());
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

/// An envelope as stored (sled value, NATS message payload): version, receive time, id,
/// source id, sealed bytes.
pub(crate) fn encode(envelope: &NewEnvelope) -> Vec<u8> {
    let id = envelope.id.as_bytes();
    let source = envelope.source_id.as_bytes();
    let mut out =
        Vec::with_capacity(1 + 8 + 1 + id.len() + 2 + source.len() + envelope.sealed.len());
    out.push(RECORD_V1);
    out.extend_from_slice(&envelope.received_at.timestamp_millis().to_be_bytes());
    out.push(id.len().min(255) as u8);
    out.extend_from_slice(&id[..id.len().min(255)]);
    out.extend_from_slice(&(source.len().min(u16::MAX as usize) as u16).to_be_bytes());
    out.extend_from_slice(&source[..source.len().min(u16::MAX as usize)]);
    out.extend_from_slice(&envelope.sealed);
    out
}

fn corrupt() -> RelayError {
    RelayError::Corrupt("a queued envelope is not in the expected format".into())
}

fn received_ms(value: &[u8]) -> Result<i64> {
    let bytes: [u8; 8] = value
        .get(1..9)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(corrupt)?;
    Ok(i64::from_be_bytes(bytes))
}

fn decode(key: &[u8], value: &[u8]) -> Result<Envelope> {
    let seq_bytes: [u8; 8] = key
        .get(key.len().saturating_sub(8)..)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(corrupt)?;
    decode_value(u64::from_be_bytes(seq_bytes), value)
}

/// [`encode`]'s reverse, for envelope `seq`.
pub(crate) fn decode_value(seq: u64, value: &[u8]) -> Result<Envelope> {
    if value.first() != Some(&RECORD_V1) {
        return Err(corrupt());
    }
    let ms = received_ms(value)?;
    let id_len = usize::from(*value.get(9).ok_or_else(corrupt)?);
    let id = value.get(10..10 + id_len).ok_or_else(corrupt)?;
    let at = 10 + id_len;
    let source_len = value
        .get(at..at + 2)
        .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
        .ok_or_else(corrupt)?;
    let source = value.get(at + 2..at + 2 + source_len).ok_or_else(corrupt)?;
    let sealed = value.get(at + 2 + source_len..).ok_or_else(corrupt)?;
    Ok(Envelope {
        seq,
        id: String::from_utf8_lossy(id).into_owned(),
        source_id: String::from_utf8_lossy(source).into_owned(),
        received_at: Utc.timestamp_millis_opt(ms).single().ok_or_else(corrupt)?,
        sealed: sealed.to_vec(),
    })
}

impl SledQueue {
    /// Opens (or creates) the queue in `dir`, rebuilding the in-memory counters.
    pub fn open(dir: &Path) -> Result<Self> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(64 * 1024 * 1024)
            .open()?;
        let channels_tree = db.open_tree("channels")?;
        let queue = db.open_tree("queue")?;
        let acked = db.open_tree("acked")?;
        let held = db.open_tree("held")?;
        let seen = db.open_tree("seen")?;

        let mut map: HashMap<String, Arc<ChannelState>> = HashMap::new();
        let mut next: HashMap<String, u64> = HashMap::new();
        for item in channels_tree.iter() {
            let (_, value) = item?;
            let record: ChannelRecord =
                serde_json::from_slice(&value).map_err(|e| RelayError::Corrupt(e.to_string()))?;
            map.insert(record.id.clone(), Arc::new(ChannelState::new(record)));
        }
        for item in seen.iter() {
            let (key, value) = item?;
            let at: [u8; 8] = value.as_ref().try_into().map_err(|_| corrupt())?;
            if let Some(state) = map.get(String::from_utf8_lossy(&key).as_ref()) {
                state
                    .seen_ms
                    .store(i64::from_be_bytes(at), Ordering::Relaxed);
            }
        }
        for item in acked.iter() {
            let (key, value) = item?;
            let channel = String::from_utf8_lossy(&key).into_owned();
            let seq = value
                .as_ref()
                .try_into()
                .map(u64::from_be_bytes)
                .map_err(|_| corrupt())?;
            if let Some(state) = map.get(&channel) {
                state.acked.store(seq, Ordering::Relaxed);
                state.last.send_replace(seq);
            }
            next.insert(channel, seq);
        }
        let marks = next.clone();
        // Acknowledged, not held, yet still here: a crash between recording an ack and
        // deleting what it covered. Swept once here, so an ack only looks above the mark.
        let mut leftovers = Batch::default();
        let mut swept = 0u64;
        for item in queue.iter() {
            let (key, value) = item?;
            if key.len() < 8 {
                return Err(corrupt());
            }
            let (channel, seq) = key.split_at(key.len() - 8);
            let channel = String::from_utf8_lossy(channel).into_owned();
            let seq = u64::from_be_bytes(seq.try_into().map_err(|_| corrupt())?);
            if marks.get(&channel).is_some_and(|mark| seq <= *mark) && !held.contains_key(&key)? {
                leftovers.remove(key);
                swept += 1;
                continue;
            }
            if let Some(state) = map.get(&channel) {
                state.count.fetch_add(1, Ordering::Relaxed);
                state.bytes.fetch_add(value.len() as u64, Ordering::Relaxed);
                state.last.send_if_modified(|last| {
                    let newer = seq > *last;
                    *last = (*last).max(seq);
                    newer
                });
            }
            let entry = next.entry(channel).or_insert(0);
            *entry = (*entry).max(seq);
        }

        if swept > 0 {
            queue.apply_batch(leftovers)?;
            db.flush()?;
            tracing::info!(swept, "deleted acknowledged envelopes a crash left behind");
        }
        for item in held.iter() {
            let (key, _) = item?;
            if key.len() < 8 {
                return Err(corrupt());
            }
            let channel = String::from_utf8_lossy(&key[..key.len() - 8]).into_owned();
            if let Some(state) = map.get(&channel) {
                state.held.fetch_add(1, Ordering::Relaxed);
            }
        }
        let total: u64 = map.values().map(|s| s.bytes.load(Ordering::Relaxed)).sum();
        let total_bytes = Arc::new(AtomicU64::new(total));
        let channels: ChannelMap = Arc::new(RwLock::new(map));
        let writer = Writer {
            db,
            queue: queue.clone(),
            held: held.clone(),
            channels_tree,
            acked,
            seen,
            map: Arc::clone(&channels),
            total_bytes: Arc::clone(&total_bytes),
            next,
        };
        let writer = GroupCommit::spawn("relay-queue-writer", GATHER, writer)?;
        Ok(SledQueue {
            dir: dir.to_path_buf(),
            queue,
            held,
            channels,
            total_bytes,
            writer,
            challenges: Mutex::new(HashMap::new()),
        })
    }

    /// Stops taking writes, lets the writer finish and flush, and waits for it.
    pub fn close(&self) {
        self.writer.close();
    }

    fn write<T: Send + 'static>(&self, op: Op, extract: fn(Done) -> Option<T>) -> WriteFuture<T> {
        let answer = self.writer.send(op);
        Box::pin(async move {
            let answer = answer.map_err(|_| RelayError::Closed)?;
            // A writer gone before answering dropped the answer: closed as well.
            let done = answer.await.map_err(|_| RelayError::Closed)??;
            extract(done)
                .ok_or_else(|| RelayError::Corrupt("the writer answered another op".into()))
        })
    }

    fn state(&self, channel: &str) -> Option<Arc<ChannelState>> {
        self.channels.read().ok()?.get(channel).cloned()
    }
}

impl Drop for SledQueue {
    fn drop(&mut self) {
        self.close();
    }
}

impl Queue for SledQueue {
    fn append_sealed(&self, channel: &str, envelope: NewEnvelope) -> WriteFuture<u64> {
        self.write(
            Op::Append {
                channel: channel.to_owned(),
                envelope,
            },
            |d| match d {
                Done::Seq(seq) => Some(seq),
                _ => None,
            },
        )
    }

    fn read_from(&self, channel: &str, after: u64, limit: usize) -> ReadFuture<Vec<Envelope>> {
        ready(SledQueue::read_from(self, channel, after, limit))
    }

    fn ack_and_release(&self, channel: &str, seq: u64, release: Vec<u64>) -> WriteFuture<u64> {
        self.write(
            Op::Ack {
                channel: channel.to_owned(),
                seq,
                release,
            },
            |d| match d {
                Done::Count(n) => Some(n),
                _ => None,
            },
        )
    }

    fn hold(&self, channel: &str, seq: u64, reason: String) -> WriteFuture<bool> {
        self.write(
            Op::Hold {
                channel: channel.to_owned(),
                seq,
                reason,
            },
            |d| match d {
                Done::Bool(new) => Some(new),
                _ => None,
            },
        )
    }

    fn read_held(
        &self,
        channel: &str,
        after: u64,
        limit: usize,
    ) -> ReadFuture<Vec<(Envelope, String)>> {
        ready(SledQueue::read_held(self, channel, after, limit))
    }

    fn held(&self, channel: &str) -> ReadFuture<u64> {
        ready(Ok(SledQueue::held(self, channel)))
    }

    fn expire(&self, older_than: DateTime<Utc>) -> WriteFuture<u64> {
        self.write(
            Op::Expire {
                before_ms: older_than.timestamp_millis(),
            },
            |d| match d {
                Done::Count(n) => Some(n),
                _ => None,
            },
        )
    }

    fn depth(&self, channel: &str) -> ReadFuture<Depth> {
        ready(Ok(SledQueue::depth(self, channel)))
    }

    fn usage(&self, channel: &str) -> ReadFuture<Usage> {
        ready(Ok(Usage {
            channel_bytes: SledQueue::depth(self, channel).bytes,
            total_bytes: self.total_bytes.load(Ordering::Relaxed),
            free_disk: free_bytes(&self.dir),
        }))
    }

    fn acked(&self, channel: &str) -> ReadFuture<u64> {
        ready(Ok(SledQueue::acked(self, channel)))
    }

    fn watch(&self, channel: &str) -> Option<watch::Receiver<u64>> {
        self.state(channel).map(|s| s.last.subscribe())
    }
}

impl Channels for SledQueue {
    fn put_channel(&self, record: ChannelRecord) -> WriteFuture<()> {
        self.write(Op::PutChannel(record), |d| match d {
            Done::Unit => Some(()),
            _ => None,
        })
    }

    fn channel(&self, id: &str) -> ReadFuture<Option<ChannelRecord>> {
        ready(Ok(SledQueue::channel(self, id)))
    }

    fn delete_channel(&self, id: &str) -> WriteFuture<bool> {
        self.write(Op::DeleteChannel(id.to_owned()), |d| match d {
            Done::Bool(found) => Some(found),
            _ => None,
        })
    }

    fn channel_count(&self) -> ReadFuture<usize> {
        ready(Ok(SledQueue::channel_count(self)))
    }

    fn touch_channel(&self, id: &str) -> WriteFuture<()> {
        self.write(
            Op::Touch {
                channel: id.to_owned(),
                at_ms: Utc::now().timestamp_millis(),
            },
            |d| match d {
                Done::Unit => Some(()),
                _ => None,
            },
        )
    }

    fn idle_channels(&self, before: DateTime<Utc>) -> ReadFuture<Vec<String>> {
        let before = before.timestamp_millis();
        let Ok(map) = self.channels.read() else {
            return ready(Ok(Vec::new()));
        };
        ready(Ok(map
            .iter()
            .filter(|(_, s)| s.seen_ms.load(Ordering::Relaxed) < before)
            .map(|(id, _)| id.clone())
            .collect()))
    }

    fn put_challenge(&self, channel: &str, challenge: KeyChallenge) -> WriteFuture<()> {
        let mut open = match self.challenges.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        let now = Utc::now();
        open.retain(|_, c| c.expires_at > now);
        open.insert(channel.to_owned(), challenge);
        ready(Ok(()))
    }

    fn take_challenge(&self, channel: &str) -> WriteFuture<Option<KeyChallenge>> {
        let mut open = match self.challenges.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        ready(Ok(open.remove(channel)))
    }
}

impl Backend for SledQueue {
    fn total_held(&self) -> ReadFuture<u64> {
        ready(Ok(SledQueue::total_held(self)))
    }

    fn total_depth(&self) -> ReadFuture<Depth> {
        ready(Ok(SledQueue::total_depth(self)))
    }
}

/// The reads, answered at once (the trait's futures are these, ready).
impl SledQueue {
    /// [`Queue::read_from`], at once.
    pub fn read_from(&self, channel: &str, after: u64, limit: usize) -> Result<Vec<Envelope>> {
        let start = queue_key(channel, after.saturating_add(1));
        let end = queue_key(channel, u64::MAX);
        self.queue
            .range(start..=end)
            .take(limit)
            .map(|item| {
                let (key, value) = item?;
                decode(&key, &value)
            })
            .collect()
    }

    /// [`Queue::read_held`], at once.
    pub fn read_held(
        &self,
        channel: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(Envelope, String)>> {
        let mut out = Vec::new();
        let start = queue_key(channel, after.saturating_add(1));
        let end = queue_key(channel, u64::MAX);
        for item in self.held.range(start..=end) {
            if out.len() >= limit {
                break;
            }
            let (key, reason) = item?;
            if key.len() != channel.len() + 8 {
                continue;
            }
            if let Some(value) = self.queue.get(&key)? {
                out.push((
                    decode(&key, &value)?,
                    String::from_utf8_lossy(&reason).into_owned(),
                ));
            }
        }
        Ok(out)
    }

    /// [`Queue::held`], at once.
    pub fn held(&self, channel: &str) -> u64 {
        self.state(channel)
            .map(|s| s.held.load(Ordering::Relaxed))
            .unwrap_or(0)
    }

    /// [`Queue::depth`], at once.
    pub fn depth(&self, channel: &str) -> Depth {
        self.state(channel)
            .map(|s| Depth {
                count: s.count.load(Ordering::Relaxed),
                bytes: s.bytes.load(Ordering::Relaxed),
            })
            .unwrap_or_default()
    }

    /// [`Queue::acked`], at once.
    pub fn acked(&self, channel: &str) -> u64 {
        self.state(channel)
            .map(|s| s.acked.load(Ordering::Relaxed))
            .unwrap_or(0)
    }

    /// [`Channels::channel`], at once.
    pub fn channel(&self, id: &str) -> Option<ChannelRecord> {
        let state = self.state(id)?;
        let record = state.record.read().ok()?.clone();
        Some(record)
    }

    /// [`Channels::channel_count`], at once.
    pub fn channel_count(&self) -> usize {
        self.channels.read().map(|m| m.len()).unwrap_or(0)
    }

    /// [`Backend::total_held`], at once.
    pub fn total_held(&self) -> u64 {
        let Ok(map) = self.channels.read() else {
            return 0;
        };
        map.values().map(|s| s.held.load(Ordering::Relaxed)).sum()
    }

    /// [`Backend::total_depth`], at once.
    pub fn total_depth(&self) -> Depth {
        let Ok(map) = self.channels.read() else {
            return Depth::default();
        };
        map.values().fold(Depth::default(), |d, s| Depth {
            count: d.count + s.count.load(Ordering::Relaxed),
            bytes: d.bytes + s.bytes.load(Ordering::Relaxed),
        })
    }
}

struct Writer {
    db: Db,
    queue: Tree,
    held: Tree,
    channels_tree: Tree,
    acked: Tree,
    seen: Tree,
    map: ChannelMap,
    total_bytes: Arc<AtomicU64>,
    /// The last sequence number given out per channel.
    next: HashMap<String, u64>,
}

/// The queue's side of the group commit ([`hookbell_commit`] runs the thread and the loop).
/// Each change is written to its trees as it is staged (`Batch` is `()`): sled batches are
/// per tree, and a change reads what the changes before it in the group wrote. Nothing of it
/// is durable before the group's flush; a failed flush fails the whole group, and sled keeps
/// that I/O error and fails every later flush, so none of it becomes durable afterwards.
impl hookbell_commit::Group for Writer {
    type Op = Op;
    type Batch = ();
    type Effect = Effect;
    type Done = Done;
    type Error = RelayError;
    type Failure = sled::Error;

    fn stage(&mut self, _: &mut (), op: Op) -> Result<Effect> {
        self.apply(op)
    }

    fn commit(&mut self, (): ()) -> sled::Result<()> {
        self.db.flush().map(drop)
    }

    fn publish(&mut self, effect: Effect) -> Done {
        self.finish(effect)
    }
}

impl Writer {
    fn state(&self, channel: &str) -> Option<Arc<ChannelState>> {
        self.map.read().ok()?.get(channel).cloned()
    }

    fn apply(&mut self, op: Op) -> Result<Effect> {
        match op {
            Op::Append { channel, envelope } => {
                let state = self.state(&channel).ok_or(RelayError::UnknownChannel)?;
                let seq = self.next.get(&channel).copied().unwrap_or(0) + 1;
                let value = encode(&envelope);
                let size = value.len() as u64;
                self.queue.insert(queue_key(&channel, seq), value)?;
                self.next.insert(channel, seq);
                Ok(Effect::Appended(state, seq, size))
            }
            Op::Ack {
                channel,
                seq,
                release,
            } => {
                let state = self.state(&channel).ok_or(RelayError::UnknownChannel)?;
                // Never past what was given out: later envelopes must not count as acknowledged.
                let seq = seq.min(self.next.get(&channel).copied().unwrap_or(0));
                let acked = state.acked.load(Ordering::Relaxed);
                let mut batch = Batch::default();
                let mut released = Batch::default();
                let (mut count, mut bytes, mut held) = (0, 0, 0);
                // Held envelopes the desktop has now stored (offered again, not held again).
                for r in release.into_iter().filter(|r| *r <= seq.max(acked)) {
                    let key = queue_key(&channel, r);
                    if self.held.contains_key(&key)? {
                        if let Some(value) = self.queue.get(&key)? {
                            count += 1;
                            bytes += value.len() as u64;
                            batch.remove(key.clone());
                        }
                        held += 1;
                        released.remove(key);
                    }
                }
                let mark = if seq > acked {
                    // Everything above the last mark up to `seq` that is not held (what a
                    // crash left below the mark went at open).
                    for item in self
                        .queue
                        .range(queue_key(&channel, acked + 1)..=queue_key(&channel, seq))
                    {
                        let (key, value) = item?;
                        if self.held.contains_key(&key)? {
                            continue;
                        }
                        count += 1;
                        bytes += value.len() as u64;
                        batch.remove(key);
                    }
                    self.acked.insert(channel.as_bytes(), &seq.to_be_bytes())?;
                    Some((Arc::clone(&state), seq))
                } else {
                    None
                };
                self.queue.apply_batch(batch)?;
                self.held.apply_batch(released)?;
                Ok(Effect::Removed(vec![(state, count, bytes, held)], mark))
            }
            Op::Hold {
                channel,
                seq,
                reason,
            } => {
                let state = self.state(&channel).ok_or(RelayError::UnknownChannel)?;
                let key = queue_key(&channel, seq);
                if !self.queue.contains_key(&key)? {
                    // Already gone (acknowledged, expired): nothing to hold.
                    return Ok(Effect::Held(state, false));
                }
                let new = self.held.insert(key, reason.as_bytes())?.is_none();
                Ok(Effect::Held(state, new))
            }
            Op::Expire { before_ms } => {
                let mut batch = Batch::default();
                let mut held = Batch::default();
                let mut removed: HashMap<String, (u64, u64, u64)> = HashMap::new();
                for item in self.queue.iter() {
                    let (key, value) = item?;
                    if received_ms(&value)? < before_ms && key.len() >= 8 {
                        let channel = String::from_utf8_lossy(&key[..key.len() - 8]).into_owned();
                        let entry = removed.entry(channel).or_default();
                        entry.0 += 1;
                        entry.1 += value.len() as u64;
                        if self.held.contains_key(&key)? {
                            entry.2 += 1;
                            held.remove(key.clone());
                        }
                        batch.remove(key);
                    }
                }
                self.queue.apply_batch(batch)?;
                self.held.apply_batch(held)?;
                let removed = removed
                    .into_iter()
                    .filter_map(|(channel, (n, b, h))| self.state(&channel).map(|s| (s, n, b, h)))
                    .collect();
                Ok(Effect::Removed(removed, None))
            }
            Op::PutChannel(record) => {
                let json =
                    serde_json::to_vec(&record).map_err(|e| RelayError::Corrupt(e.to_string()))?;
                self.channels_tree.insert(record.id.as_bytes(), json)?;
                Ok(Effect::ChannelPut(record))
            }
            Op::DeleteChannel(id) => {
                let found = self.channels_tree.remove(id.as_bytes())?.is_some();
                let mut batch = Batch::default();
                for item in self.queue.scan_prefix(id.as_bytes()) {
                    let (key, _) = item?;
                    batch.remove(key);
                }
                self.queue.apply_batch(batch)?;
                let mut held = Batch::default();
                for item in self.held.scan_prefix(id.as_bytes()) {
                    let (key, _) = item?;
                    held.remove(key);
                }
                self.held.apply_batch(held)?;
                self.acked.remove(id.as_bytes())?;
                self.seen.remove(id.as_bytes())?;
                self.next.remove(&id);
                Ok(Effect::ChannelDeleted(id, found))
            }
            Op::Touch { channel, at_ms } => {
                let state = self.state(&channel);
                if state.is_some() {
                    self.seen.insert(channel.as_bytes(), &at_ms.to_be_bytes())?;
                }
                Ok(Effect::Touched(state, at_ms))
            }
        }
    }

    fn finish(&self, effect: Effect) -> Done {
        match effect {
            Effect::Appended(state, seq, size) => {
                state.count.fetch_add(1, Ordering::Relaxed);
                state.bytes.fetch_add(size, Ordering::Relaxed);
                self.total_bytes.fetch_add(size, Ordering::Relaxed);
                state.last.send_replace(seq);
                Done::Seq(seq)
            }
            Effect::Removed(removed, acked) => {
                let mut total = 0;
                for (state, count, bytes, held) in removed {
                    total += count;
                    let _ =
                        self.total_bytes
                            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| {
                                Some(b.saturating_sub(bytes))
                            });
                    let _ = state
                        .held
                        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| {
                            Some(c.saturating_sub(held))
                        });
                    let _ = state
                        .count
                        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| {
                            Some(c.saturating_sub(count))
                        });
                    let _ = state
                        .bytes
                        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| {
                            Some(c.saturating_sub(bytes))
                        });
                }
                if let Some((state, seq)) = acked {
                    state.acked.fetch_max(seq, Ordering::Relaxed);
                }
                Done::Count(total)
            }
            Effect::Held(state, new) => {
                if new {
                    state.held.fetch_add(1, Ordering::Relaxed);
                }
                Done::Bool(new)
            }
            Effect::ChannelPut(record) => {
                if let Ok(mut map) = self.map.write() {
                    match map.get(&record.id) {
                        Some(state) => {
                            if let Ok(mut current) = state.record.write() {
                                *current = record;
                            }
                        }
                        None => {
                            map.insert(record.id.clone(), Arc::new(ChannelState::new(record)));
                        }
                    }
                }
                Done::Unit
            }
            Effect::ChannelDeleted(id, found) => {
                if let Ok(mut map) = self.map.write()
                    && let Some(state) = map.remove(&id)
                {
                    let bytes = state.bytes.load(Ordering::Relaxed);
                    let _ =
                        self.total_bytes
                            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| {
                                Some(b.saturating_sub(bytes))
                            });
                }
                Done::Bool(found)
            }
            Effect::Touched(state, at_ms) => {
                if let Some(state) = state {
                    state.seen_ms.fetch_max(at_ms, Ordering::Relaxed);
                }
                Done::Unit
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Opens the queue in `dir` again after it was dropped. sled lets go of its lock only once
    /// its I/O threads have dropped their last reference to the old database, a moment later.
    fn reopen(dir: &std::path::Path) -> SledQueue {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match SledQueue::open(dir) {
                Ok(queue) => return queue,
                Err(e)
                    if e.to_string().contains("could not acquire lock")
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(e) => panic!("open: {e}"),
            }
        }
    }

    fn record(id: &str) -> ChannelRecord {
        ChannelRecord {
            id: id.into(),
            public_key: "pk".into(),
            token_sha256: "00".into(),
            created_at: Utc::now(),
        }
    }

    fn envelope(n: u32, at: DateTime<Utc>) -> NewEnvelope {
        NewEnvelope {
            id: format!("E{n}"),
            source_id: "src".into(),
            received_at: at,
            sealed: vec![n as u8; 10],
        }
    }

    #[tokio::test]
    async fn append_read_ack_expire_and_reopen() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let c = "c".repeat(32);
        {
            let q = SledQueue::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
            q.put_channel(record(&c))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            for n in 1..=5 {
                let seq = q
                    .append_sealed(&c, envelope(n, Utc::now()))
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(seq, u64::from(n));
            }
            assert!(
                q.append_sealed("nope", envelope(9, Utc::now()))
                    .await
                    .is_err()
            );
            let read = q.read_from(&c, 2, 10).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                read.iter().map(|e| e.seq).collect::<Vec<_>>(),
                vec![3, 4, 5]
            );
            assert_eq!(read[0].id, "E3");
            assert_eq!(read[0].sealed, vec![3u8; 10]);
            assert_eq!(q.ack(&c, 2).await.unwrap_or_else(|e| panic!("{e}")), 2);
            assert_eq!(q.depth(&c).count, 3);
            // Acknowledging past the end only counts what exists.
            assert_eq!(q.ack(&c, 99).await.unwrap_or_else(|e| panic!("{e}")), 3);
            assert_eq!(q.acked(&c), 5);
            q.append_sealed(&c, envelope(6, Utc::now() - chrono::Duration::days(8)))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            q.append_sealed(&c, envelope(7, Utc::now()))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let q = reopen(dir.path());
        assert_eq!(q.depth(&c).count, 2, "counters are rebuilt at open");
        assert_eq!(q.acked(&c), 5);
        let expired = q
            .expire(Utc::now() - chrono::Duration::days(7))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(expired, 1);
        let read = q
            .read_from(&c, q.acked(&c), 10)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![7]);
        let seq = q
            .append_sealed(&c, envelope(8, Utc::now()))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(seq, 8, "sequence numbers are never reused");
        assert!(q.delete_channel(&c).await.unwrap_or_else(|e| panic!("{e}")));
        assert!(q.channel(&c).is_none());
    }

    /// A crash between recording an ack's mark and deleting what it covered leaves envelopes
    /// below the mark: opening sweeps them (held ones stay), and later acks start above it.
    #[tokio::test]
    async fn opening_sweeps_acknowledged_envelopes_a_crash_left_below_the_mark() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let c = "c".repeat(32);
        {
            let q = SledQueue::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
            q.put_channel(record(&c))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            for n in 1..=4 {
                q.append_sealed(&c, envelope(n, Utc::now()))
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            assert!(q.hold(&c, 2, "no key".into()).await.unwrap_or(false));
        }
        // The mark at 3 written, the deletions lost.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let db = loop {
            match sled::open(dir.path()) {
                Ok(db) => break db,
                Err(_) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(e) => panic!("{e}"),
            }
        };
        db.open_tree("acked")
            .and_then(|t| t.insert(c.as_bytes(), &3u64.to_be_bytes()))
            .unwrap_or_else(|e| panic!("{e}"));
        db.flush().unwrap_or_else(|e| panic!("{e}"));
        drop(db);
        let q = reopen(dir.path());
        let left: Vec<u64> = q
            .read_from(&c, 0, 10)
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(left, vec![2, 4], "1 and 3 swept, the held 2 kept");
        assert_eq!((q.depth(&c).count, q.held(&c), q.acked(&c)), (2, 1, 3));
        assert_eq!(q.ack(&c, 4).await.unwrap_or_else(|e| panic!("{e}")), 1);
        assert_eq!((q.depth(&c).count, q.held(&c)), (1, 1));
    }

    #[tokio::test]
    async fn held_envelopes_survive_acks_and_reopening_until_released_or_expired() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let c = "d".repeat(32);
        {
            let q = SledQueue::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
            q.put_channel(record(&c))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            for n in 1..=4 {
                q.append_sealed(&c, envelope(n, Utc::now()))
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            assert!(q.hold(&c, 2, "no key".into()).await.unwrap_or(false));
            assert!(
                !q.hold(&c, 2, "no key".into()).await.unwrap_or(true),
                "held once"
            );
            assert!(
                !q.hold(&c, 9, "x".into()).await.unwrap_or(true),
                "nothing to hold"
            );
            assert_eq!(q.ack(&c, 3).await.unwrap_or_else(|e| panic!("{e}")), 2);
            assert_eq!(q.depth(&c).count, 2, "the held one stays");
            assert_eq!(q.held(&c), 1);
        }
        let q = reopen(dir.path());
        assert_eq!(q.held(&c), 1, "held counts are rebuilt at open");
        assert_eq!(q.total_held(), 1);
        let held = q.read_held(&c, 0, 10).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(held.len(), 1);
        assert_eq!((held[0].0.seq, held[0].1.as_str()), (2, "no key"));
        assert!(
            q.read_held(&c, 2, 10).unwrap_or_default().is_empty(),
            "the next page starts after the cursor"
        );
        // Offered again and stored: released by an ack below the mark.
        assert_eq!(
            q.ack_and_release(&c, 2, vec![2])
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            1
        );
        assert_eq!((q.held(&c), q.depth(&c).count, q.acked(&c)), (0, 1, 3));
        // Held, then past retention: expiry takes it and its hold.
        assert!(q.hold(&c, 4, "no key".into()).await.unwrap_or(false));
        let expired = q
            .expire(Utc::now() + chrono::Duration::seconds(1))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(expired, 1);
        assert_eq!((q.held(&c), q.depth(&c).count), (0, 0));
        assert!(q.read_held(&c, 0, 10).unwrap_or_default().is_empty());
    }
}
