//! Test harness: the relay in this process ([`InProcRelay`]) or as the real binary
//! ([`RelayProc`]), a desktop engine over a real store ([`Desktop`]), signed deliveries, and
//! waiting on conditions with a deadline. Failures say what was expected and what was seen.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hookbell_core::Config;
use hookbell_relay::client::{self, Pairing};
use hookbell_relay::{KeyPair, RelayConfig, RelayState, SledQueue};
use hookbell_server::Engine;
use hookbell_store::SledStore;
use serde_json::Value;

/// A fixture file's path.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The desktop's config (one Standard Webhooks source, `signed`).
pub fn desktop_config() -> Config {
    Config::from_toml(&read("desktop.toml")).unwrap_or_else(|e| panic!("desktop.toml: {e}"))
}

/// Waits until `check` is true, polling; panics with `what` after `within`.
pub async fn wait_until<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if check().await {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {within:?} waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Which queue backend the in-process relays of this run use: `HOOKBELL_RELAY_BACKEND=nats`
/// runs the same suite on NATS JetStream (a real `nats-server -js` per relay), anything else
/// on the embedded sled queue (`make test` runs both).
pub fn nats_backend() -> bool {
    std::env::var("HOOKBELL_RELAY_BACKEND").is_ok_and(|b| b == "nats")
}

/// The `nats-server` binary: `$HOOKBELL_NATS_SERVER`, else `nats-server` on `PATH`, else where
/// `scripts/install-deps.sh test` puts it. Missing, the NATS run fails loudly: it never skips.
pub fn nats_server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("HOOKBELL_NATS_SERVER") {
        return PathBuf::from(path);
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("nats-server"))
            .find(|candidate| candidate.is_file())
    });
    let installed = std::env::var_os("HOME")
        .map(|home| PathBuf::from(home).join(".cache/hookbell/nats/bin/nats-server"))
        .filter(|p| p.is_file());
    on_path.or(installed).unwrap_or_else(|| {
        panic!(
            "nats-server is not installed (HOOKBELL_RELAY_BACKEND=nats needs it): run \
             `scripts/install-deps.sh test`, or set HOOKBELL_NATS_SERVER"
        )
    })
}

/// A real `nats-server -js` on a free loopback port, its store in a directory the caller
/// owns; killed when dropped.
pub struct NatsServer {
    _child: tokio::process::Child,
    pub url: String,
}

impl NatsServer {
    /// Starts one and waits (with a deadline) for it to say it is ready.
    pub async fn start(store: &Path) -> NatsServer {
        Self::start_with(store, &[]).await
    }

    /// [`NatsServer::start`] with more arguments (a name, a cluster).
    pub async fn start_with(store: &Path, more: &[&str]) -> NatsServer {
        use tokio::io::AsyncBufReadExt;
        let binary = nats_server_binary();
        let mut child = tokio::process::Command::new(&binary)
            .args(["-js", "-a", "127.0.0.1", "-p", "-1", "-sd"])
            .arg(store)
            .args(more)
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {}: {e}", binary.display()));
        let stderr = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
        let mut lines = tokio::io::BufReader::new(stderr).lines();
        let mut seen = Vec::new();
        let read = async {
            let mut url = None;
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(at) = line.find("Listening for client connections on ") {
                    let addr = line[at + "Listening for client connections on ".len()..].trim();
                    url = Some(format!("nats://{addr}"));
                }
                let ready = line.contains("Server is ready");
                seen.push(line);
                if ready {
                    return url;
                }
            }
            None
        };
        let url = tokio::time::timeout(Duration::from_secs(20), read)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| {
                panic!(
                    "nats-server was not ready within 20 s; it said:\n{}",
                    seen.join("\n")
                )
            });
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        NatsServer { _child: child, url }
    }
}

/// What an in-process relay keeps its queue in.
enum Store {
    Sled(Arc<SledQueue>),
    Nats(Arc<hookbell_relay::NatsQueue>, Box<NatsServer>),
}

/// The relay in this process, on 127.0.0.1:0 over a queue in a temp dir (or, with
/// [`nats_backend`], a NATS server whose store is in that temp dir).
pub struct InProcRelay {
    pub base: String,
    pub dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    queue: Arc<dyn hookbell_relay::queue::Backend>,
    store: Option<Store>,
}

impl InProcRelay {
    /// Starts with the fixture config `config`.
    pub async fn start(config: &str) -> InProcRelay {
        InProcRelay::start_on(config, 0).await
    }

    /// Starts with the fixture config `config` on 127.0.0.1:`port` (0: any free port).
    pub async fn start_on(config: &str, port: u16) -> InProcRelay {
        InProcRelay::start_full(config, port, None).await
    }

    /// Starts with the fixture config `config`, pairing as `gate` says.
    pub async fn start_gated(config: &str, gate: hookbell_relay::PairingGate) -> InProcRelay {
        InProcRelay::start_full(config, 0, Some(gate)).await
    }

    async fn start_full(
        config: &str,
        port: u16,
        gate: Option<hookbell_relay::PairingGate>,
    ) -> InProcRelay {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let config = RelayConfig::from_toml(&read(config)).unwrap_or_else(|e| panic!("{e}"));
        let (queue, store): (Arc<dyn hookbell_relay::queue::Backend>, Store) = if nats_backend() {
            let server = NatsServer::start(&dir.path().join("nats")).await;
            let settings = hookbell_relay::NatsSettings::new(vec![server.url.clone()], &config);
            let nats = hookbell_relay::NatsQueue::connect(&settings)
                .await
                .unwrap_or_else(|e| panic!("NATS: {e}"));
            (
                Arc::new(hookbell_relay::SharedNats(nats.clone())),
                Store::Nats(nats, Box::new(server)),
            )
        } else {
            let sled = Arc::new(
                SledQueue::open(&dir.path().join("queue")).unwrap_or_else(|e| panic!("queue: {e}")),
            );
            (sled.clone(), Store::Sled(sled))
        };
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let state = match gate {
            Some(gate) => RelayState::with_pairing(queue.clone(), config, gate),
            None => RelayState::new(queue.clone(), config),
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(hookbell_relay::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        InProcRelay {
            base: format!("http://{addr}"),
            dir,
            stop: Some(stop),
            task: Some(task),
            queue,
            store: Some(store),
        }
    }

    /// Seals `request` to `key` and appends it to `channel`'s queue, as if a provider had sent
    /// it while the channel had that key.
    pub async fn append_sealed_to(
        &self,
        channel: &str,
        key: &hookbell_relay::PublicKey,
        request: hookbell_relay::envelope::RelayedRequest,
    ) -> u64 {
        let sealed =
            hookbell_relay::envelope::seal(key, &request).unwrap_or_else(|e| panic!("{e}"));
        self.queue
            .append_sealed(
                channel,
                hookbell_relay::queue::NewEnvelope {
                    id: request.envelope_id.clone(),
                    source_id: request.source_id.clone(),
                    received_at: request.received_at,
                    sealed,
                },
            )
            .await
            .unwrap_or_else(|e| panic!("append: {e}"))
    }

    /// The key the relay seals `channel`'s envelopes to now.
    pub async fn channel_key(&self, channel: &str) -> hookbell_relay::PublicKey {
        let record = self
            .queue
            .channel(channel)
            .await
            .unwrap_or_else(|e| panic!("reading channel {channel}: {e}"))
            .unwrap_or_else(|| panic!("no channel {channel}"));
        hookbell_relay::PublicKey::from_base64(&record.public_key).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Holds envelopes `seqs` of `channel` (as if the desktop could not open them), then
    /// acknowledges everything up to the last: only held ones stay.
    pub async fn hold_and_ack(&self, channel: &str, seqs: std::ops::RangeInclusive<u64>) {
        let last = *seqs.end();
        let holds = seqs.map(|seq| self.queue.hold(channel, seq, "no key opens it".into()));
        for held in futures_util::future::join_all(holds).await {
            held.unwrap_or_else(|e| panic!("hold: {e}"));
        }
        self.queue
            .ack(channel, last)
            .await
            .unwrap_or_else(|e| panic!("ack: {e}"));
    }

    /// Acknowledges `channel`'s envelopes up to `seq`, as its desktop would.
    pub async fn ack(&self, channel: &str, seq: u64) {
        self.queue
            .ack(channel, seq)
            .await
            .unwrap_or_else(|e| panic!("ack: {e}"));
    }

    /// Everything queued for `channel`, in order.
    pub async fn queued(&self, channel: &str) -> Vec<hookbell_relay::queue::Envelope> {
        self.queue
            .read_from(channel, 0, usize::MAX)
            .await
            .unwrap_or_else(|e| panic!("read: {e}"))
    }

    /// Stops gracefully and closes the queue.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let ended = tokio::time::timeout(Duration::from_secs(10), task).await;
            assert!(ended.is_ok(), "the relay did not stop within 10 s");
        }
        match self.store.take() {
            Some(Store::Sled(queue)) => queue.close(),
            Some(Store::Nats(nats, _server)) => nats.close().await,
            None => {}
        }
    }
}

/// The real `hookbell-relay` binary.
pub struct RelayProc {
    pub child: tokio::process::Child,
    pub base: String,
}

impl RelayProc {
    /// Runs `hookbell-relay serve --data-dir DIR --listen ADDR --open-pairing` and waits for
    /// its `listening on` line.
    pub async fn start(data_dir: &Path, listen: &str) -> RelayProc {
        Self::start_with(data_dir, listen, &[]).await
    }

    /// [`RelayProc::start`] with more arguments (`--tls-cert …`); `base` is `http://…` or
    /// `https://…`, as printed.
    pub async fn start_with(data_dir: &Path, listen: &str, more: &[&std::ffi::OsStr]) -> RelayProc {
        let mut args = vec![std::ffi::OsStr::new("--open-pairing")];
        args.extend_from_slice(more);
        Self::start_exactly(data_dir, listen, &args).await
    }

    /// `hookbell-relay serve --data-dir DIR --listen ADDR` and `more`, nothing else (pairing
    /// closed unless `more` opens it).
    pub async fn start_exactly(
        data_dir: &Path,
        listen: &str,
        more: &[&std::ffi::OsStr],
    ) -> RelayProc {
        Self::start_with_env(data_dir, listen, more, &[]).await
    }

    /// [`RelayProc::start_exactly`] with environment variables (`HOOKBELL_RELAY_…`) set.
    pub async fn start_with_env(
        data_dir: &Path,
        listen: &str,
        more: &[&std::ffi::OsStr],
        env: &[(&str, &str)],
    ) -> RelayProc {
        use tokio::io::AsyncBufReadExt;
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_hookbell-relay"))
            .args(["serve", "--listen", listen, "--data-dir"])
            .arg(data_dir)
            .args(more)
            .envs(env.iter().copied())
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("spawning hookbell-relay: {e}"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let read = async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(at) = line.find("listening on http") {
                    return Some(line[at + "listening on ".len()..].trim().to_owned());
                }
            }
            None
        };
        // With NATS, setting up the stream and buckets of a cluster that has just formed takes
        // a while (the relay retries for up to 60 s).
        let base = tokio::time::timeout(Duration::from_secs(90), read)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("hookbell-relay printed no `listening on` line within 90 s"));
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        RelayProc { child, base }
    }

    /// SIGKILL, and wait for it to be gone.
    pub async fn kill(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// Sends a signal to a process.
pub fn signal(pid: u32, name: &str) {
    let sent = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status();
    assert!(sent.is_ok_and(|s| s.success()), "kill -{name} {pid} failed");
}

/// A fresh key pair, paired with the relay at `base`.
pub async fn pair(base: &str) -> (KeyPair, Pairing) {
    let keys = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let pairing = client::pair(base, &keys.public)
        .await
        .unwrap_or_else(|e| panic!("pairing: {e}"));
    (keys, pairing)
}

/// A generic alert body with a unique external id and a marker string.
pub fn alert_body(n: usize, marker: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "id": format!("evt_{n}"),
        "title": format!("Alert {n}: {marker}"),
        "severity": "high",
        "subject": "alex@example.com",
        "message": format!("The password {marker} was found in a paste."),
    }))
    .unwrap_or_default()
}

/// POSTs `body` to the relay for `channel`'s `signed` source, signed with Standard Webhooks.
pub async fn send_signed(
    http: &reqwest::Client,
    base: &str,
    channel: &str,
    body: &[u8],
    msg_id: &str,
) -> reqwest::Result<(reqwest::StatusCode, Value)> {
    let auth = desktop_config()
        .source("signed")
        .map(|s| s.auth.clone())
        .unwrap_or_else(|| panic!("no signed source"));
    let headers = auth
        .sign(body, chrono::Utc::now(), msg_id)
        .unwrap_or_else(|e| panic!("signing: {e}"));
    let mut request = http
        .post(format!("{base}/h/{channel}/signed"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = request.send().await?;
    let status = response.status();
    let text = response.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// A metric's value from `/metrics`.
pub async fn metric(http: &reqwest::Client, base: &str, name: &str) -> Option<u64> {
    let text = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines().find_map(|line| {
        line.strip_prefix(name)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

pub use hookbell_server::relay::EngineSink;

/// A desktop: an engine over a real sled store in `dir`.
pub fn desktop_engine(dir: &Path) -> Engine {
    let store = SledStore::open(&dir.join("store")).unwrap_or_else(|e| panic!("store: {e}"));
    Engine::new(Arc::new(store), desktop_config())
}

/// Every alert in the store, oldest first.
pub fn all_alerts(engine: &Engine) -> Vec<hookbell_core::Alert> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = engine
            .store()
            .alerts(&hookbell_store::AlertQuery {
                limit: Some(500),
                cursor: cursor.clone(),
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("listing: {e}"));
        out.extend(page.alerts);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    out.reverse();
    out
}

/// Every file under `dir`, recursively.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// The envelope id of [`sealed_probe`].
pub const PROBE_ENVELOPE: &str = "01PROBE";

/// A small request sealed to `key`, as the relay would seal one for `channel`.
pub fn sealed_probe(channel: &str, key: &hookbell_relay::PublicKey) -> Vec<u8> {
    let request = hookbell_relay::envelope::RelayedRequest {
        v: 1,
        envelope_id: PROBE_ENVELOPE.into(),
        channel_id: channel.to_owned(),
        source_id: "signed".into(),
        received_at: chrono::Utc::now(),
        method: "POST".into(),
        path: format!("/h/{channel}/signed"),
        query: None,
        headers: Vec::new(),
        peer: None,
        body: hookbell_relay::envelope::B64(b"{}".to_vec()),
    };
    hookbell_relay::envelope::seal(key, &request).unwrap_or_else(|e| panic!("{e}"))
}

/// The honest desktop of the abuse tests: an engine over a real store, streaming from the
/// relay with the real client.
pub struct HonestDesktop {
    pub engine: Engine,
    pub client: hookbell_relay::Client,
    pub pairing: Pairing,
    _dir: tempfile::TempDir,
}

impl HonestDesktop {
    /// Pairs with the relay at `base` and starts streaming.
    pub async fn start(base: &str) -> HonestDesktop {
        let (keys, pairing) = pair(base).await;
        Self::connect(base, keys, pairing)
    }

    /// Starts streaming `pairing`'s channel.
    pub fn connect(base: &str, keys: KeyPair, pairing: Pairing) -> HonestDesktop {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let engine = desktop_engine(dir.path());
        let client = hookbell_relay::Client::start(
            hookbell_relay::ClientConfig::new(
                base,
                &pairing.channel_id,
                &pairing.token,
                vec![keys.secret.clone()],
            ),
            EngineSink {
                engine: engine.clone(),
            },
        );
        HonestDesktop {
            engine,
            client,
            pairing,
            _dir: dir,
        }
    }

    /// Sends delivery `n` (marked `marker`) from the provider; its status.
    pub async fn send(
        &self,
        http: &reqwest::Client,
        base: &str,
        n: usize,
        marker: &str,
    ) -> reqwest::StatusCode {
        let (status, body) = send_signed(
            http,
            base,
            &self.pairing.channel_id,
            &alert_body(n, marker),
            &format!("honest_{marker}_{n}"),
        )
        .await
        .unwrap_or_else(|e| panic!("honest delivery {n}: {e}"));
        assert!(
            status != reqwest::StatusCode::ACCEPTED || body["seq"].is_u64(),
            "{body}"
        );
        status
    }

    /// Waits (up to `within`) until the desktop has stored `n` alerts.
    pub async fn wait_for(&self, n: u64, within: Duration) {
        wait_until(
            within,
            &format!("the honest desktop to store {n} alerts"),
            || async { self.engine.store().stats().map(|s| s.total).unwrap_or(0) >= n },
        )
        .await;
    }

    /// Stops streaming.
    pub async fn stop(self) {
        self.client.stop().await;
    }
}
