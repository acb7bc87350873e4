//! The NATS backend's envelope partitions, its batched reads and the upgrade from the single
//! envelope stream of earlier versions, against real `nats-server` processes on loopback:
//! channels spread over the partitions each drain in order, once; the partition count is
//! recorded and a node configured otherwise uses the recorded one; what the single stream
//! held before the upgrade is delivered, in order, before what came after; batched reads give
//! exactly what one-at-a-time reads gave; readers on a three-node cluster see every envelope
//! in order while they are being appended; a node's recount of a channel's bytes does not
//! wait for envelopes it cannot read.
//!
//! `#[ignore]`d in the plain runs (they need nats-server): `make relay-nats-test` runs them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream::{self, kv, stream};
use chrono::Utc;
use futures_util::StreamExt;
use hookbell_relay::nats_queue::{self, Layout, partition_of, partition_stream, retired_stream};
use hookbell_relay::queue::{Backend, ChannelRecord, Channels, Envelope, NewEnvelope, Queue};
use hookbell_relay::{KeyPair, NatsQueue, NatsSettings, RelayConfig, RelayState, SharedNats};
use hookbell_relay::{Sink, SinkError};
use reqwest::StatusCode;
use serde_json::Value;
use sha2::Digest;

use crate::support::{
    EngineSink, NatsServer, alert_body, all_alerts, desktop_config, desktop_engine, fixture,
    send_signed, wait_until,
};

/// A nats-server of its own (with `more` arguments) on a store in a temporary directory,
/// which lives as long as the directory returned.
async fn nats_server(more: &[&str]) -> (tempfile::TempDir, NatsServer) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let server = NatsServer::start_with(&dir.path().join("nats"), more).await;
    (dir, server)
}

/// [`nats_server`] with its monitoring endpoints on a port of their own, returned first (for
/// [`monitoring`]).
async fn monitored_nats_server() -> (String, tempfile::TempDir, NatsServer) {
    let port = free_port().to_string();
    let (dir, server) = nats_server(&["-m", &port]).await;
    (port, dir, server)
}

/// What a nats-server started with `-m PORT` answers at `/{what}` (its monitoring endpoints).
async fn monitoring(port: &str, what: &str) -> Value {
    reqwest::get(format!("http://127.0.0.1:{port}/{what}"))
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// The NATS settings of the tests' relay config, with `partitions`.
fn settings(url: &str, partitions: usize) -> NatsSettings {
    let text = std::fs::read_to_string(fixture("relay.toml")).unwrap_or_else(|e| panic!("{e}"));
    let config = RelayConfig::from_toml(&text).unwrap_or_else(|e| panic!("{e}"));
    let mut settings = NatsSettings::new(vec![url.to_owned()], &config);
    settings.partitions = partitions;
    settings
}

async fn connect(url: &str, partitions: usize) -> Arc<NatsQueue> {
    connect_with(settings(url, partitions)).await
}

async fn connect_with(settings: NatsSettings) -> Arc<NatsQueue> {
    NatsQueue::connect(&settings)
        .await
        .unwrap_or_else(|e| panic!("connecting the NATS backend: {e}"))
}

/// A node whose global byte quota is (nearly) reached, so that a channel's bytes matter to
/// the reserve that spares small channels and are counted, not bounded.
async fn connect_near_full(url: &str) -> Arc<NatsQueue> {
    let mut settings = settings(url, 1);
    settings.max_bytes_total = 1;
    connect_with(settings).await
}

async fn jetstream(url: &str) -> jetstream::Context {
    let client = async_nats::connect(url)
        .await
        .unwrap_or_else(|e| panic!("connecting to {url}: {e}"));
    jetstream::new(client)
}

/// A channel id like the relay's (32 hex digits), a different one for each `i`.
fn channel(i: usize) -> String {
    let digest = sha2::Sha256::digest(format!("channel {i}").as_bytes());
    hex::encode(&digest[..16])
}

/// Appends [`envelope`] `id` of `size` bytes to `channel` on `queue`; its sequence number.
async fn append(queue: &dyn Queue, channel: &str, id: &str, size: usize) -> u64 {
    queue
        .append_sealed(channel, envelope(id, size))
        .await
        .unwrap_or_else(|e| panic!("appending {id} to {channel}: {e}"))
}

/// An envelope with id `id` and `size` sealed bytes (never opened here).
fn envelope(id: &str, size: usize) -> NewEnvelope {
    NewEnvelope {
        id: id.to_owned(),
        source_id: "signed".into(),
        received_at: Utc::now(),
        sealed: id.bytes().cycle().take(size.max(1)).collect(),
    }
}

fn ids(envelopes: &[Envelope]) -> Vec<String> {
    envelopes.iter().map(|e| e.id.clone()).collect()
}

/// How many messages each stream named `names` holds.
async fn messages(js: &jetstream::Context, name: &str) -> u64 {
    let mut stream = js
        .get_stream(name)
        .await
        .unwrap_or_else(|e| panic!("stream {name}: {e}"));
    stream
        .info()
        .await
        .map(|i| i.state.messages)
        .unwrap_or_else(|e| panic!("stream {name}: {e}"))
}

/// A channel's envelopes read as the relay read them before batching: one `STREAM.MSG.GET`
/// (next by subject) per envelope, from the stream's leader.
async fn one_at_a_time(js: &jetstream::Context, name: &str, subject: &str) -> Vec<(u64, String)> {
    let stream = js
        .get_stream(name)
        .await
        .unwrap_or_else(|e| panic!("stream {name}: {e}"));
    let mut out = Vec::new();
    let mut from = 1;
    loop {
        let got = stream
            .raw_message_builder()
            .sequence(from)
            .next_by_subject(subject.to_owned())
            .send()
            .await;
        match got {
            Ok(message) => {
                // The stored format: version, receive time (8), id length, id, ….
                let len = usize::from(message.payload[9]);
                let id = String::from_utf8_lossy(&message.payload[10..10 + len]).into_owned();
                out.push((message.sequence, id));
                from = message.sequence + 1;
            }
            Err(e) if e.kind() == stream::RawMessageErrorKind::NoMessageFound => return out,
            Err(e) => panic!("reading {subject}: {e}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: `make relay-nats-test` runs it"]
async fn many_channels_spread_over_the_partitions_each_drain_in_order_once() {
    let (_dir, server) = nats_server(&[]).await;
    let queue = SharedNats(connect(&server.url, 4).await);
    let channels: Vec<String> = (0..48).map(channel).collect();
    let mut per_partition = [0usize; 4];
    for c in &channels {
        per_partition[partition_of(c, 4)] += 1;
    }
    assert!(
        per_partition.iter().all(|n| *n > 0),
        "every partition has channels: {per_partition:?}"
    );
    // Every channel gets 30 envelopes, one after the other; the channels all at once.
    const EACH: usize = 30;
    let appended = futures_util::future::join_all(channels.iter().map(|c| {
        let queue = queue.clone();
        async move {
            let mut seqs = Vec::new();
            for n in 0..EACH {
                let seq = append(&queue, c, &format!("{c}-{n}"), 200 + n).await;
                seqs.push(seq);
            }
            seqs
        }
    }))
    .await;
    for seqs in &appended {
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    }
    // Each partition's stream holds exactly its channels' envelopes.
    let js = jetstream(&server.url).await;
    for (p, n) in per_partition.iter().enumerate() {
        assert_eq!(
            messages(&js, &partition_stream("hookbell", p)).await,
            (n * EACH) as u64,
            "partition {p}"
        );
    }
    assert_eq!(
        messages(&js, &retired_stream("hookbell")).await,
        0,
        "nothing goes to the single stream of before"
    );
    // Drained page by page, acknowledged as a desktop would: in order, each once.
    for (c, seqs) in channels.iter().zip(&appended) {
        let mut after = queue.acked(c).await.unwrap_or_else(|e| panic!("{e}"));
        let mut got = Vec::new();
        loop {
            let page = queue
                .read_from(c, after, 7)
                .await
                .unwrap_or_else(|e| panic!("read: {e}"));
            let Some(last) = page.last().map(|e| e.seq) else {
                break;
            };
            for e in &page {
                assert!(e.seq > after, "{c}: {} after {after}", e.seq);
                after = e.seq;
            }
            got.extend(page);
            queue.ack(c, last).await.unwrap_or_else(|e| panic!("{e}"));
        }
        let want: Vec<String> = (0..EACH).map(|n| format!("{c}-{n}")).collect();
        assert_eq!(ids(&got), want, "{c}");
        assert_eq!(got.iter().map(|e| e.seq).collect::<Vec<_>>(), *seqs);
        assert_eq!(
            queue.depth(c).await.map(|d| d.count).unwrap_or(u64::MAX),
            0,
            "{c} drained"
        );
    }
    assert_eq!(
        queue
            .total_depth()
            .await
            .map(|d| d.count)
            .unwrap_or(u64::MAX),
        0
    );
}

/// Log lines written while a test runs on the current thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut out) = self.0.lock() {
            out.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        self.0
            .lock()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs nats-server: `make relay-nats-test` runs it"]
async fn the_partition_count_is_recorded_and_a_node_configured_otherwise_uses_it() {
    let (_dir, server) = nats_server(&[]).await;
    assert!(
        NatsQueue::connect(&settings(&server.url, 0)).await.is_err(),
        "0 partitions is refused"
    );
    let first = connect(&server.url, 4).await;
    assert_eq!(
        first.layout(),
        Layout {
            partitions: 4,
            first_seq: 1
        }
    );
    // Recorded where it was set up.
    let js = jetstream(&server.url).await;
    let meta = js
        .get_key_value("hookbell-meta")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let recorded = meta
        .get("envelopes")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no layout recorded"));
    let recorded: Value = serde_json::from_slice(&recorded).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(recorded["partitions"], 4, "{recorded}");

    let queue = SharedNats(Arc::clone(&first));
    let c = channel(1);
    let seq = append(&queue, &c, "before", 100).await;

    // A node configured with 16 uses the recorded 4, and says so.
    let log = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(log.clone())
        .with_ansi(false)
        .finish();
    let second = {
        let _guard = tracing::subscriber::set_default(subscriber);
        connect(&server.url, 16).await
    };
    assert_eq!(second.layout().partitions, 4);
    let said = log.text();
    assert!(
        said.contains("WARN") && said.contains("using the recorded 4") && said.contains("16"),
        "the warning: {said}"
    );
    // It finds what the first node appended, and the first finds what it appends.
    let other = SharedNats(Arc::clone(&second));
    let read = other
        .read_from(&c, 0, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ids(&read), ["before"]);
    assert_eq!(read[0].seq, seq);
    append(&other, &c, "after", 100).await;
    let read = queue
        .read_from(&c, 0, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ids(&read), ["before", "after"]);
    // No stream beyond the recorded four was made.
    let mut names = js.stream_names();
    let mut envelope_streams = Vec::new();
    while let Some(name) = names.next().await {
        let name = name.unwrap_or_else(|e| panic!("{e}"));
        if name.starts_with("HOOKBELL_ENVELOPES") {
            envelope_streams.push(name);
        }
    }
    envelope_streams.sort();
    assert_eq!(
        envelope_streams,
        [
            "HOOKBELL_ENVELOPES",
            "HOOKBELL_ENVELOPES_0",
            "HOOKBELL_ENVELOPES_1",
            "HOOKBELL_ENVELOPES_2",
            "HOOKBELL_ENVELOPES_3"
        ]
    );
    first.close().await;
    second.close().await;
}

/// The single envelope stream exactly as relays before partitions set it up.
fn single_stream_config() -> stream::Config {
    stream::Config {
        name: "HOOKBELL_ENVELOPES".into(),
        description: Some("hookbell-relay: sealed envelopes, one subject per channel".into()),
        subjects: vec!["hookbell.env.>".into()],
        storage: stream::StorageType::File,
        num_replicas: 1,
        max_age: Duration::from_secs(604_800),
        max_messages_per_subject: 1_000_000,
        discard: stream::DiscardPolicy::New,
        discard_new_per_subject: true,
        max_message_size: 65_536 * 2 + 64 * 1024 + 1024,
        duplicate_window: Duration::from_secs(120),
        republish: Some(stream::Republish {
            source: "hookbell.env.>".into(),
            destination: "hookbell.new.>".into(),
            headers_only: true,
        }),
        ..Default::default()
    }
}

/// A key-value bucket as the relay sets them up.
async fn bucket(js: &jetstream::Context, name: &str) -> kv::Store {
    js.create_key_value(kv::Config {
        bucket: name.into(),
        history: 1,
        storage: stream::StorageType::File,
        num_replicas: 1,
        ..Default::default()
    })
    .await
    .unwrap_or_else(|e| panic!("bucket {name}: {e}"))
}

/// An envelope as relays store it: version 1, receive time (ms), id, source id, sealed bytes.
fn stored(id: &str, source: &str, sealed: &[u8]) -> Vec<u8> {
    let mut out = vec![1u8];
    out.extend_from_slice(&Utc::now().timestamp_millis().to_be_bytes());
    out.push(id.len() as u8);
    out.extend_from_slice(id.as_bytes());
    out.extend_from_slice(&(source.len() as u16).to_be_bytes());
    out.extend_from_slice(source.as_bytes());
    out.extend_from_slice(sealed);
    out
}

/// Publishes `payload` to the single stream as relays before partitions did; its sequence.
async fn publish_single(js: &jetstream::Context, channel: &str, id: &str, payload: Vec<u8>) -> u64 {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", id);
    js.publish_with_headers(format!("hookbell.env.{channel}"), headers, payload.into())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .await
        .unwrap_or_else(|e| panic!("publishing to the single stream: {e}"))
        .sequence
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: `make relay-nats-test` runs it"]
async fn an_upgrade_from_the_single_stream_loses_nothing_and_keeps_each_channels_order() {
    let (_dir, server) = nats_server(&[]).await;
    let js = jetstream(&server.url).await;
    // The layout of before: channel a has 6 envelopes, the first two acknowledged (purged)
    // and the fourth held; channel b has 3, interleaved with a's.
    js.create_stream(single_stream_config())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (a, b) = (channel(10), channel(11));
    let mut a_seqs = Vec::new();
    let mut b_seqs = Vec::new();
    for n in 0..6 {
        let id = format!("a-old-{n}");
        a_seqs.push(publish_single(&js, &a, &id, stored(&id, "signed", b"sealed a")).await);
        if n % 2 == 0 {
            let id = format!("b-old-{n}");
            b_seqs.push(publish_single(&js, &b, &id, stored(&id, "signed", b"sealed b")).await);
        }
    }
    let single = js
        .get_stream("HOOKBELL_ENVELOPES")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    single
        .purge()
        .filter(format!("hookbell.env.{a}"))
        .sequence(a_seqs[1] + 1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let state = bucket(&js, "hookbell-state").await;
    let a_state =
        serde_json::json!({"acked": a_seqs[1], "held": {a_seqs[3].to_string(): "no key opens it"}});
    state
        .put(&a, a_state.to_string().into())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let last_before = *b_seqs.last().max(a_seqs.last()).unwrap_or(&0);

    // A relay of this version starts: it retires the single stream.
    let nats = connect(&server.url, 4).await;
    let queue = SharedNats(Arc::clone(&nats));
    let layout = nats.layout();
    assert_eq!(layout.partitions, 4);
    assert!(
        layout.first_seq > last_before,
        "the partitions start past the single stream: {layout:?}, last {last_before}"
    );
    // It takes no more envelopes, and a relay of the version before cannot set it up again.
    let refused = js
        .publish(format!("hookbell.env.{a}"), "late".into())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .await;
    assert!(refused.is_err(), "the retired stream stored a publish");
    let mut old = single_stream_config();
    old.description = None;
    assert!(
        js.create_or_update_stream(old).await.is_err(),
        "an older relay's setup must fail, not reopen the stream"
    );

    // What it holds comes first, in order; acknowledged ones do not come again.
    let acked = queue.acked(&a).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(acked, a_seqs[1]);
    let read = queue
        .read_from(&a, acked, 100)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ids(&read), ["a-old-2", "a-old-3", "a-old-4", "a-old-5"]);
    assert_eq!(
        read.iter().map(|e| e.seq).collect::<Vec<_>>(),
        a_seqs[2..].to_vec()
    );
    let held = queue
        .read_held(&a, 0, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        held.iter().map(|(e, _)| e.id.as_str()).collect::<Vec<_>>(),
        ["a-old-3"]
    );
    // New envelopes go to the partitions, numbered past the old ones.
    let mut a_new = Vec::new();
    for n in 0..3 {
        let seq = append(&queue, &a, &format!("a-new-{n}"), 300).await;
        assert!(seq >= layout.first_seq, "{seq} < {}", layout.first_seq);
        a_new.push(seq);
    }
    let b_new = append(&queue, &b, "b-new-0", 300).await;
    assert_eq!(
        messages(&js, &partition_stream("hookbell", partition_of(&a, 4))).await
            + if partition_of(&a, 4) == partition_of(&b, 4) {
                0
            } else {
                messages(&js, &partition_stream("hookbell", partition_of(&b, 4))).await
            },
        4
    );
    assert_eq!(
        queue.depth(&a).await.map(|d| d.count).unwrap_or(0),
        4 + 3,
        "the depth counts both streams"
    );
    // In pages too: old ones first, then new ones, each once.
    let mut after = acked;
    let mut got = Vec::new();
    loop {
        let page = queue
            .read_from(&a, after, 2)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let Some(last) = page.last() else { break };
        after = last.seq;
        got.extend(page);
    }
    assert_eq!(
        ids(&got),
        [
            "a-old-2", "a-old-3", "a-old-4", "a-old-5", "a-new-0", "a-new-1", "a-new-2"
        ]
    );

    // A restarted node keeps the layout and the order.
    let restarted = connect(&server.url, 8).await;
    assert_eq!(restarted.layout(), layout);
    let again = SharedNats(Arc::clone(&restarted));
    assert_eq!(
        ids(&again
            .read_from(&b, 0, 100)
            .await
            .unwrap_or_else(|e| panic!("{e}"))),
        ["b-old-0", "b-old-2", "b-old-4", "b-new-0"]
    );

    // Acknowledging across the two streams deletes in both, the held one kept until released.
    queue
        .ack(&a, a_seqs[5])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        ids(&queue
            .read_from(&a, a_seqs[1], 100)
            .await
            .unwrap_or_else(|e| panic!("{e}"))),
        ["a-old-3", "a-new-0", "a-new-1", "a-new-2"],
        "acknowledged old ones are gone, the held one stays"
    );
    queue
        .ack_and_release(&a, a_new[2], vec![a_seqs[3]])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    again.ack(&b, b_new).await.unwrap_or_else(|e| panic!("{e}"));
    for c in [&a, &b] {
        assert_eq!(queue.depth(c).await.map(|d| d.count).unwrap_or(1), 0, "{c}");
    }
    assert_eq!(messages(&js, "HOOKBELL_ENVELOPES").await, 0);
    assert_eq!(queue.total_depth().await.map(|d| d.count).unwrap_or(1), 0);
    nats.close().await;
    restarted.close().await;
}

/// The engine's sink, recording each committed delivery's id (`msg_…`) in order.
struct Recording {
    inner: EngineSink,
    order: Arc<Mutex<Vec<String>>>,
}

impl Sink for Recording {
    type Prepared = (Option<String>, <EngineSink as Sink>::Prepared);

    fn prepare(&self, envelope_id: &str, delivery: hookbell_core::Delivery) -> Self::Prepared {
        let id = serde_json::from_slice::<Value>(&delivery.body)
            .ok()
            .and_then(|b| b["id"].as_str().map(str::to_owned));
        (id, self.inner.prepare(envelope_id, delivery))
    }

    fn commit(
        &self,
        (id, prepared): Self::Prepared,
    ) -> impl std::future::Future<Output = Result<(), SinkError>> + Send + 'static {
        if let (Some(id), Ok(mut order)) = (id, self.order.lock()) {
            order.push(id);
        }
        self.inner.commit(prepared)
    }
}

/// A relay in this process on `queue`, with the tests' config; its URL and its stop.
async fn serve(
    queue: Arc<NatsQueue>,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let text = std::fs::read_to_string(fixture("relay.toml")).unwrap_or_else(|e| panic!("{e}"));
    let config = RelayConfig::from_toml(&text).unwrap_or_else(|e| panic!("{e}"));
    let backend: Arc<dyn Backend> = Arc::new(SharedNats(queue));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let base = format!(
        "http://{}",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(hookbell_relay::serve(
        listener,
        RelayState::new(backend, config),
        async move {
            let _ = stopped.await;
        },
    ));
    (base, stop, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: `make relay-nats-test` runs it"]
async fn a_desktop_gets_what_the_single_stream_held_then_what_came_after_once_in_order() {
    let (_dir, server) = nats_server(&[]).await;
    let js = jetstream(&server.url).await;
    // Before: a paired channel with six signed deliveries waiting, two of them acknowledged.
    js.create_stream(single_stream_config())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let keys = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let id = channel(20);
    let token = "hbr_upgrade-test-token";
    let record = ChannelRecord {
        id: id.clone(),
        public_key: keys.public.to_base64(),
        token_sha256: hex::encode(sha2::Sha256::digest(token.as_bytes())),
        created_at: Utc::now(),
    };
    bucket(&js, "hookbell-channels")
        .await
        .put(
            &id,
            serde_json::to_vec(&record)
                .unwrap_or_else(|e| panic!("{e}"))
                .into(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let auth = desktop_config()
        .source("signed")
        .map(|s| s.auth.clone())
        .unwrap_or_else(|| panic!("no signed source"));
    let mut seqs = Vec::new();
    for n in 0..6 {
        let body = alert_body(n, "before the upgrade");
        let envelope_id = format!("01UPGRADE{n:017}");
        let headers = auth
            .sign(&body, Utc::now(), &format!("old_{n}"))
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|(name, value)| {
                (
                    name.to_ascii_lowercase(),
                    hookbell_relay::envelope::B64(value.into_bytes()),
                )
            })
            .collect();
        let request = hookbell_relay::envelope::RelayedRequest {
            v: 1,
            envelope_id: envelope_id.clone(),
            channel_id: id.clone(),
            source_id: "signed".into(),
            received_at: Utc::now(),
            method: "POST".into(),
            path: format!("/h/{id}/signed"),
            query: None,
            headers,
            peer: None,
            body: hookbell_relay::envelope::B64(body),
        };
        let sealed = hookbell_relay::envelope::seal(&keys.public, &request)
            .unwrap_or_else(|e| panic!("{e}"));
        seqs.push(
            publish_single(
                &js,
                &id,
                &envelope_id,
                stored(&envelope_id, "signed", &sealed),
            )
            .await,
        );
    }
    js.get_stream("HOOKBELL_ENVELOPES")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .purge()
        .filter(format!("hookbell.env.{id}"))
        .sequence(seqs[1] + 1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    bucket(&js, "hookbell-state")
        .await
        .put(
            &id,
            serde_json::json!({"acked": seqs[1]}).to_string().into(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    // After: a relay of this version; providers post four more, then the desktop connects.
    let nats = connect(&server.url, 4).await;
    let (base, stop, task) = serve(Arc::clone(&nats)).await;
    let http = reqwest::Client::new();
    for n in 6..10 {
        let (status, body) = send_signed(
            &http,
            &base,
            &id,
            &alert_body(n, "after the upgrade"),
            &format!("new_{n}"),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert!(body["seq"].as_u64() > seqs.last().copied(), "{body}");
    }
    let desktop = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let engine = desktop_engine(desktop.path());
    let order = Arc::new(Mutex::new(Vec::new()));
    let client = hookbell_relay::Client::start(
        hookbell_relay::ClientConfig::new(&base, &id, token, vec![keys.secret.clone()]),
        Recording {
            inner: EngineSink {
                engine: engine.clone(),
            },
            order: Arc::clone(&order),
        },
    );
    wait_until(
        Duration::from_secs(30),
        "the desktop to store 8 deliveries and the queue to drain",
        || async {
            engine.store().stats().map(|s| s.total).unwrap_or(0) >= 8
                && SharedNats(Arc::clone(&nats))
                    .depth(&id)
                    .await
                    .is_ok_and(|d| d.count == 0)
        },
    )
    .await;
    let committed = order.lock().map(|o| o.clone()).unwrap_or_default();
    let want: Vec<String> = (2..10).map(|n| format!("evt_{n}")).collect();
    assert_eq!(committed, want, "old ones first, then new, each once");
    let alerts = all_alerts(&engine);
    assert_eq!(alerts.len(), 8);
    assert!(alerts.iter().all(|a| a.seen_count == 1));
    client.stop().await;
    let _ = stop.send(());
    let _ = task.await;
    nats.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: `make relay-nats-test` runs it"]
async fn batched_reads_give_the_envelopes_and_order_one_at_a_time_reads_gave() {
    let (_dir, server) = nats_server(&[]).await;
    // One partition: the channels' envelopes interleave in one stream.
    let nats = connect(&server.url, 1).await;
    let queue = SharedNats(Arc::clone(&nats));
    let channels: Vec<String> = (30..33).map(channel).collect();
    // More than a batch (DIRECT_BATCH) of small ones, and big ones that fill a batch's bytes.
    let total = nats_queue::DIRECT_BATCH * 2 + 300;
    let mut want: HashMap<&str, Vec<String>> = HashMap::new();
    for n in 0..total {
        let c = &channels[n % 3];
        let size = if n % 97 == 0 { 120_000 } else { 150 + n % 700 };
        let id = format!("{c}-{n}");
        append(&queue, c, &id, size).await;
        want.entry(c.as_str()).or_default().push(id);
    }
    // Gaps: the first 40 of channel 0 acknowledged; some of channel 1 held, then the ones
    // around them acknowledged.
    let c0 = &channels[0];
    let first = queue
        .read_from(c0, 0, 40)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    queue
        .ack(c0, first[39].seq)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let c1 = &channels[1];
    let some = queue
        .read_from(c1, 0, 30)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for e in some.iter().step_by(7) {
        queue
            .hold(c1, e.seq, "no key".into())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    queue
        .ack(c1, some[29].seq)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let js = jetstream(&server.url).await;
    let name = partition_stream("hookbell", 0);
    for c in &channels {
        let reference = one_at_a_time(&js, &name, &format!("hookbell.envelopes.0.{c}")).await;
        assert!(!reference.is_empty());
        let all = queue
            .read_from(c, 0, usize::MAX)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<(u64, String)> = all.iter().map(|e| (e.seq, e.id.clone())).collect();
        assert_eq!(got, reference, "{c}: everything at once");
        for page in [1, 7, 256, nats_queue::DIRECT_BATCH, 5_000] {
            let mut after = 0;
            let mut paged = Vec::new();
            loop {
                let read = queue
                    .read_from(c, after, page)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                assert!(read.len() <= page);
                let Some(last) = read.last() else { break };
                after = last.seq;
                paged.extend(read.iter().map(|e| (e.seq, e.id.clone())));
                if page == 1 && paged.len() > 50 {
                    // One at a time, the first 50 are enough; the rest from there at once.
                    let rest = queue
                        .read_from(c, after, usize::MAX)
                        .await
                        .unwrap_or_else(|e| panic!("{e}"));
                    paged.extend(rest.iter().map(|e| (e.seq, e.id.clone())));
                    break;
                }
            }
            assert_eq!(paged, reference, "{c}: pages of {page}");
        }
        // Nothing was left out but what was acknowledged.
        let left: HashSet<String> = reference.iter().map(|(_, id)| id.clone()).collect();
        let sent = &want[c.as_str()];
        assert!(left.iter().all(|id| sent.contains(id)));
    }
    assert_eq!(
        one_at_a_time(&js, &name, &format!("hookbell.envelopes.0.{c0}"))
            .await
            .len(),
        want[c0.as_str()].len() - 40
    );
    nats.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: `make relay-nats-test` runs it"]
async fn counting_a_channels_bytes_does_not_wait_for_envelopes_another_node_appended_earlier() {
    let (_dir, server) = nats_server(&[]).await;
    // The relay as full as its global quota allows: the reserve decides, so bytes are counted.
    let (a, b) = (
        connect_near_full(&server.url).await,
        connect_near_full(&server.url).await,
    );
    let (a, b) = (SharedNats(a), SharedNats(b));
    let c = channel(50);
    // Enough envelopes that their largest possible size passes the reserve (1 MiB): node a
    // counts the channel's bytes exactly, reading every message's size; and enough that it
    // reads them all again only after 3 s (every count / 100 s), reading only newer ones
    // before that.
    for n in 0..300 {
        append(&b, &c, &format!("b-{n}"), 1000).await;
    }
    let first = a.usage(&c).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(first.channel_bytes >= 300 * 1000, "{first:?}");
    // Node b appends one that a does not know of, then a appends one after it.
    append(&b, &c, "b-late", 1000).await;
    append(&a, &c, "a-0", 1000).await;
    // The next delivery recounts (302 messages where a knows of 301; the unknown one is
    // before a's last, so a's reader of the newer ones has nothing to read).
    a.0.outdate_usage(&c);
    let quiet = a.0.quiet_scans();
    // Meanwhile the stream is busy, as it is under load: another channel of the partition
    // gets envelopes.
    let busy = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let other = {
        let (b, busy, d) = (b.clone(), Arc::clone(&busy), channel(51));
        tokio::spawn(async move {
            let mut n = 0;
            while busy.load(std::sync::atomic::Ordering::Relaxed) {
                append(&b, &d, &format!("d-{n}"), 500).await;
                n += 1;
            }
        })
    };
    let usage = a.usage(&c).await.unwrap_or_else(|e| panic!("{e}"));
    busy.store(false, std::sync::atomic::Ordering::Relaxed);
    other.await.unwrap_or_else(|e| panic!("{e}"));
    // It used to wait a whole second (SCAN_QUIET) for a message its reader could not get.
    assert_eq!(a.0.quiet_scans(), quiet, "the recount waited: {usage:?}");
    assert!(usage.channel_bytes >= 301 * 1000, "{usage:?}");
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: `make relay-nats-test` runs it"]
async fn on_a_three_node_cluster_readers_see_every_envelope_in_order_as_it_is_appended() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let routes: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let route_list = routes
        .iter()
        .map(|p| format!("nats-route://127.0.0.1:{p}"))
        .collect::<Vec<_>>()
        .join(",");
    let mut servers = Vec::new();
    for (i, port) in routes.iter().enumerate() {
        let name = format!("n{i}");
        let cluster = format!("nats://127.0.0.1:{port}");
        servers.push(
            NatsServer::start_with(
                &dir.path().join(&name),
                &[
                    "-n",
                    &name,
                    "--cluster_name",
                    "hookbell-test",
                    "--cluster",
                    &cluster,
                    "--routes",
                    &route_list,
                ],
            )
            .await,
        );
    }
    // Two relay nodes, each on its own server, three copies of everything.
    let connect_r3 = |url: String| async move {
        let mut settings = settings(&url, 3);
        settings.replicas = 3;
        connect_with(settings).await
    };
    let writer = connect_r3(servers[0].url.clone()).await;
    let reader = connect_r3(servers[1].url.clone()).await;
    let (w, r) = (
        SharedNats(Arc::clone(&writer)),
        SharedNats(Arc::clone(&reader)),
    );
    let channels: Vec<String> = (40..46).map(channel).collect();
    const EACH: usize = 150;
    // Readers follow each channel as a stream does: read on until short, then wait to be
    // told of more (or the resync), with a deadline.
    let readers = channels.iter().map(|c| {
        let (r, c) = (r.clone(), c.clone());
        async move {
            let mut watch = r.watch(&c).unwrap_or_else(|| panic!("no watch for {c}"));
            let mut got: Vec<Envelope> = Vec::new();
            let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
            while got.len() < EACH {
                watch.borrow_and_update();
                let after = got.last().map_or(0, |e| e.seq);
                let read = r
                    .read_from(&c, after, 64)
                    .await
                    .unwrap_or_else(|e| panic!("{c}: {e}"));
                let short = read.len() < 64;
                got.extend(read);
                if short && got.len() < EACH {
                    let waited = tokio::time::timeout_at(deadline, watch.changed()).await;
                    assert!(waited.is_ok(), "{c}: only {} of {EACH} read", got.len());
                }
            }
            (c, got)
        }
    });
    let writers = channels.iter().map(|c| {
        let (w, c) = (w.clone(), c.clone());
        async move {
            let mut seqs = Vec::new();
            for n in 0..EACH {
                seqs.push(append(&w, &c, &format!("{c}-{n}"), 400).await);
            }
            (c, seqs)
        }
    });
    let (read, written) = tokio::join!(
        futures_util::future::join_all(readers),
        futures_util::future::join_all(writers)
    );
    let written: BTreeMap<String, Vec<u64>> = written.into_iter().collect();
    for (c, got) in read {
        let want: Vec<String> = (0..EACH).map(|n| format!("{c}-{n}")).collect();
        assert_eq!(ids(&got), want, "{c}: in order, each once");
        assert_eq!(got.iter().map(|e| e.seq).collect::<Vec<_>>(), written[&c]);
    }
    writer.close().await;
    reader.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: `make relay-nats-test` runs it"]
async fn a_channels_bytes_are_counted_only_where_a_quota_could_trip() {
    let (_dir, server) = nats_server(&[]).await;
    let (roomy, full) = (
        SharedNats(connect(&server.url, 1).await),
        SharedNats(connect_near_full(&server.url).await),
    );
    let c = channel(60);
    for n in 0..20 {
        append(&roomy, &c, &format!("e-{n}"), 1000).await;
    }
    // Far from the global quota and from its own (1 GiB in the tests' config): the bound
    // from its count (20 envelopes of the largest size, about 4 MiB) judges it, unread.
    let settings = settings(&server.url, 1);
    let largest = settings.max_envelope_bytes as u64 + 1024;
    let bounded = roomy.usage(&c).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bounded.channel_bytes, 20 * largest, "{bounded:?}");
    // With the global quota reached, the reserve (1 MiB) decides: its bytes are read.
    let counted = full.usage(&c).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(
        (20 * 1000..20 * 2000).contains(&counted.channel_bytes),
        "{counted:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: `make relay-nats-test` runs it"]
async fn a_bound_within_one_envelope_of_the_quota_is_counted_instead() {
    let (_dir, server) = nats_server(&[]).await;
    let mut tight = settings(&server.url, 1);
    let largest = tight.max_envelope_bytes as u64 + 1024;
    // Two small envelopes: as a bound, two of the largest, under the quota of three; but a
    // third large delivery would pass it on the bound while the real bytes take it.
    tight.max_bytes_per_channel = 3 * largest;
    let queue = SharedNats(connect_with(tight).await);
    let c = channel(70);
    for n in 0..2 {
        append(&queue, &c, &format!("e-{n}"), 1000).await;
    }
    let usage = queue.usage(&c).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(
        (2 * 1000..2 * 2000).contains(&usage.channel_bytes),
        "{usage:?}: counted, not the bound {}",
        2 * largest
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: `make relay-nats-test` runs it"]
async fn a_channels_bytes_include_what_another_node_appended_before_this_ones_last() {
    let (_dir, server) = nats_server(&[]).await;
    let (a, b) = (
        SharedNats(connect_near_full(&server.url).await),
        SharedNats(connect_near_full(&server.url).await),
    );
    let c = channel(71);
    for n in 0..300 {
        append(&b, &c, &format!("b-{n}"), 1000).await;
    }
    let first = a.usage(&c).await.unwrap_or_else(|e| panic!("{e}"));
    // Node b takes 100 more of the channel's deliveries, then node a one.
    for n in 0..100 {
        append(&b, &c, &format!("late-{n}"), 1000).await;
    }
    append(&a, &c, "a-0", 1000).await;
    // The next delivery counts again (reading only the messages after those a read before).
    a.0.outdate_usage(&c);
    let later = a.usage(&c).await.unwrap_or_else(|e| panic!("{e}"));
    // It used to read on only from a's own append, missing b's 100 before it.
    assert!(
        later.channel_bytes >= first.channel_bytes + 101 * 1000,
        "{first:?} then {later:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: `make relay-nats-test` runs it"]
async fn a_deliverys_copy_of_a_channel_record_follows_new_keys_and_deletions() {
    let (_dir, server) = nats_server(&[]).await;
    let (a, b) = (
        SharedNats(connect(&server.url, 2).await),
        SharedNats(connect(&server.url, 2).await),
    );
    let id = channel(90);
    let mut record = ChannelRecord {
        id: id.clone(),
        public_key: "first-key".into(),
        token_sha256: "00".repeat(32),
        created_at: Utc::now(),
    };
    let put = |node: &SharedNats, record: &ChannelRecord| {
        let (node, record) = (node.clone(), record.clone());
        async move {
            node.put_channel(record)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let for_delivery = |node: &SharedNats| {
        let (node, id) = (node.clone(), id.clone());
        async move {
            node.channel_for_delivery(&id)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    put(&b, &record).await;
    let found = for_delivery(&a).await;
    assert_eq!(found.map(|r| r.public_key), Some("first-key".into()));
    // A new key set on the other node reaches this node's deliveries within RECORD_FRESH.
    record.public_key = "second-key".into();
    put(&b, &record).await;
    wait_until(
        Duration::from_secs(10),
        "node a uses the new key",
        || async {
            let found = a.channel_for_delivery(&id).await.ok().flatten();
            found.is_some_and(|r| r.public_key == "second-key")
        },
    )
    .await;
    // Deleted here: gone for this node's next delivery at once.
    assert!(
        a.delete_channel(&id)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    );
    let found = for_delivery(&a).await;
    assert!(found.is_none(), "{found:?}");
    // Deleted on the other node: gone here within RECORD_FRESH.
    put(&a, &record).await;
    let found = for_delivery(&a).await;
    assert!(found.is_some());
    assert!(
        b.delete_channel(&id)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    );
    wait_until(
        Duration::from_secs(10),
        "node a no longer finds the channel",
        || async { matches!(a.channel_for_delivery(&id).await, Ok(None)) },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: `make relay-nats-test` runs it"]
async fn a_node_listens_for_the_notifications_of_the_channels_it_streams_only() {
    let (monitor, _dir, server) = monitored_nats_server().await;
    let (a, b) = (
        SharedNats(connect(&server.url, 2).await),
        SharedNats(connect(&server.url, 2).await),
    );
    // The subjects of the server's subscriptions to notifications, from its monitoring port.
    let listening = || async {
        let subsz = monitoring(&monitor, "subsz?subs=1&limit=10000").await;
        let mut subjects: Vec<String> = subsz["subscriptions_list"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["subject"].as_str())
            .filter(|s| s.starts_with("hookbell.new."))
            .map(str::to_owned)
            .collect();
        subjects.sort();
        subjects
    };
    let (watched, offline) = (channel(95), channel(96));
    append(&b, &offline, "offline-1", 100).await;
    assert_eq!(
        listening().await,
        Vec::<String>::new(),
        "nothing is streamed yet"
    );
    let mut woken = a
        .watch(&watched)
        .unwrap_or_else(|| panic!("no watch for a valid channel"));
    let subject = format!("hookbell.new.{}.{watched}", partition_of(&watched, 2));
    wait_until(
        Duration::from_secs(10),
        "node a listens for the channel it streams",
        || {
            let subject = subject.clone();
            async move { listening().await == [subject] }
        },
    )
    .await;
    // The notification itself wakes the reader, with the envelope's sequence number (the
    // periodic wake-up leaves the value as it is).
    let seq = append(&b, &watched, "watched-1", 100).await;
    tokio::time::timeout(Duration::from_secs(10), woken.wait_for(|last| *last >= seq))
        .await
        .unwrap_or_else(|_| panic!("no notification of sequence {seq}"))
        .unwrap_or_else(|e| panic!("{e}"));
    drop(woken);
    wait_until(
        Duration::from_secs(10),
        "node a stops listening once nothing streams the channel",
        || async { listening().await.is_empty() },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: `make relay-nats-test` runs it"]
async fn deliveries_that_find_a_count_out_of_date_together_read_it_once() {
    let (monitor, _dir, server) = monitored_nats_server().await;
    let a = SharedNats(connect(&server.url, 1).await);
    // Requests the server took in, from its monitoring port.
    let taken = || async {
        let varz = monitoring(&monitor, "varz").await;
        varz["in_msgs"]
            .as_u64()
            .unwrap_or_else(|| panic!("no in_msgs: {varz}"))
    };
    let c = channel(97);
    append(&a, &c, "first", 100).await;
    let first = a.usage(&c).await.unwrap_or_else(|e| panic!("{e}"));
    a.0.outdate_usage(&c);
    let before = taken().await;
    let usages = futures_util::future::join_all((0..32).map(|_| a.usage(&c))).await;
    let requests = taken().await - before;
    for usage in usages {
        let usage = usage.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(usage.channel_bytes, first.channel_bytes, "{usage:?}");
    }
    // One count of the channel (and nothing else: the streams' states are fresh); each of
    // the 32 read it for itself before.
    assert!(
        requests <= 2,
        "{requests} requests for 32 deliveries' usage"
    );
}
