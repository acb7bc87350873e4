//! The desktop's relay connection: pairing with a `hookbell-relay` (`[relay] url` in
//! hookbell.toml), the channel in `DATA_DIR/relay.json` and its token and keys in the secret
//! store ([`crate::secret_store`]; in `relay.json`, mode 0600, only without one; the private key
//! is never logged or shown), the stream client, and the [`EngineSink`] that feeds each relayed
//! delivery into [`Engine::ingest`] like the `/hooks` route does. It also follows the
//! smee.io-style channels of `[[smee]]` ([`crate::smee`]).

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use hookbell_core::Delivery;
use hookbell_relay::backoff::Backoff;
use hookbell_relay::client::{self, ClientStatus, ConnectionState};
use hookbell_relay::{Client, ClientConfig, KeyPair, SecretKey, Sink, SinkError};
use hookbell_store::envelope_mark;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::engine::{Engine, IngestError, Prepared};
use crate::error::ApiError;
use crate::smee::{Smee, SmeeStatus};

/// The file that keeps the channel and the keys.
pub const RELAY_FILE: &str = "relay.json";

/// Keys kept from before rotations (and from rotations that failed), newest first; older
/// ones are forgotten. An envelope sealed to a key that old is past the relay's retention.
const PREVIOUS_KEYS_KEPT: usize = 4;

/// The longest wait between attempts to pair at start-up.
const PAIR_RETRY_MAX: Duration = Duration::from_secs(300);

/// How long an envelope's mark is kept. A mark only matters while the relay may send its
/// envelope again (its acknowledgement was lost), which is at most its retention (7 days by
/// default); this leaves room for relays kept longer.
const MARKS_KEPT_DAYS: i64 = 30;

/// The oldest receive time a relay may claim for a delivery: the relay's default retention
/// (7 days). A relay keeps nothing longer by default, so an older claim is a lie, and
/// signature timestamps are judged against the clamped time (see [`clamp_received_at`]).
pub const RELAYED_MAX_AGE: chrono::Duration = chrono::Duration::days(7);
/// How far ahead of this desktop's clock a relay's receive time may be (clock skew).
pub const RELAYED_MAX_SKEW: chrono::Duration = chrono::Duration::seconds(60);

/// The relay chooses a relayed delivery's `received_at`, and signature freshness (HMAC,
/// Standard Webhooks, GitGuardian tolerances) is judged against it. A lying relay could
/// back-date a replay into a captured signature's window; this bounds what it can claim to
/// `[now - RELAYED_MAX_AGE, now + RELAYED_MAX_SKEW]`.
pub fn clamp_received_at(
    claimed: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> chrono::DateTime<chrono::Utc> {
    claimed.clamp(now - RELAYED_MAX_AGE, now + RELAYED_MAX_SKEW)
}

/// Deletes the marks of envelopes too old to come again; answers how many went.
pub async fn prune_envelope_marks(engine: &Engine) -> Result<u64, hookbell_store::StoreError> {
    let before = chrono::Utc::now() - chrono::Duration::days(MARKS_KEPT_DAYS);
    let pruned = engine
        .store()
        .purge_settings_before(hookbell_store::ENVELOPE_MARKS, before)
        .await?;
    if pruned > 0 {
        tracing::info!(pruned, "relay: forgot the marks of old envelopes");
    }
    Ok(pruned)
}

/// Feeds relayed deliveries into the engine. The store marks each envelope in the same batch
/// as its delivery and never stores a marked envelope again, so a redelivered envelope (its
/// acknowledgement was lost, or it came again while its first copy was being written) is not
/// stored twice, nor does it raise `seen_count`. Marks are also checked before preparing, to
/// skip the work.
#[derive(Clone)]
pub struct EngineSink {
    /// The engine.
    pub engine: Engine,
}

/// A relayed delivery on its way into the engine.
pub enum Relayed {
    /// Its envelope was stored before.
    Seen,
    /// Checking for that failed.
    Unknown(SinkError),
    /// New: the delivery prepared (or refused at once: no such source).
    New {
        /// The envelope's id.
        envelope_id: String,
        /// What [`Engine::prepare`] made of it (boxed: it travels between tasks).
        prepared: Box<Result<Prepared, IngestError>>,
    },
}

impl Sink for EngineSink {
    type Prepared = Relayed;

    fn prepare(&self, envelope_id: &str, mut delivery: Delivery) -> Relayed {
        let claimed = delivery.received_at;
        delivery.received_at = clamp_received_at(claimed, chrono::Utc::now());
        if delivery.received_at != claimed {
            tracing::warn!(envelope = %envelope_id, claimed = %claimed, "the relay's receive time is out of bounds; clamped");
        }
        match self.engine.store().setting(&envelope_mark(envelope_id)) {
            Ok(Some(_)) => Relayed::Seen,
            Ok(None) => Relayed::New {
                envelope_id: envelope_id.to_owned(),
                prepared: Box::new(self.engine.prepare(delivery)),
            },
            Err(e) => Relayed::Unknown(SinkError(e.to_string())),
        }
    }

    fn commit(
        &self,
        relayed: Relayed,
    ) -> impl Future<Output = Result<(), SinkError>> + Send + 'static {
        let store = Arc::clone(self.engine.store());
        // The delivery is handed to the store's writer here, so commits keep the relay's
        // order; the store writes the envelope's mark in the same batch.
        let stored = match relayed {
            Relayed::Seen => Ok(None),
            Relayed::Unknown(e) => Err(e),
            Relayed::New {
                envelope_id,
                prepared,
            } => Ok(Some((
                (*prepared).map(|p| self.engine.commit(p.arrived_in(&envelope_id))),
                envelope_id,
            ))),
        };
        async move {
            let Some((stored, envelope_id)) = stored? else {
                return Ok(());
            };
            let outcome = match stored {
                Ok(stored) => stored.await.map(drop),
                Err(refused) => Err(refused),
            };
            match outcome {
                // Stored or kept in quarantine, and marked with it.
                Ok(()) | Err(IngestError::Quarantined { .. }) => Ok(()),
                // Refused (and counted): nothing was stored, so the envelope is only marked.
                Err(IngestError::Unauthorized(_))
                | Err(IngestError::UnknownSource(_))
                | Err(IngestError::FromBrowser(_)) => store
                    .set_setting(&envelope_mark(&envelope_id), serde_json::Value::Bool(true))
                    .await
                    .map_err(|e| SinkError(e.to_string())),
                Err(IngestError::Store(e)) => Err(SinkError(e.to_string())),
            }
        }
    }
}

/// What `relay.json` holds.
#[derive(Clone, Serialize, Deserialize)]
struct Saved {
    url: String,
    channel_id: String,
    token: String,
    secret_key: String,
    /// A key being rotated to: saved, and given to the running client, before the relay is
    /// told of it; promoted to `secret_key` once the relay confirmed. One left here by a
    /// rotation that failed is still tried on every envelope (the relay may have taken it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pending_key: Option<String>,
    /// Keys from before a rotation, for envelopes sealed to them.
    #[serde(default)]
    previous_keys: Vec<String>,
    /// The relay's node URLs it handed out at pairing (a cluster's): streamed from in turn
    /// when `url` cannot be reached.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    nodes: Vec<String>,
}

impl fmt::Debug for Saved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Saved")
            .field("url", &self.url)
            .field("channel_id", &self.channel_id)
            .finish_non_exhaustive()
    }
}

impl Saved {
    fn keys(&self) -> Vec<SecretKey> {
        std::iter::once(&self.secret_key)
            .chain(&self.pending_key)
            .chain(&self.previous_keys)
            .filter_map(|k| SecretKey::from_base64(k).ok())
            .collect()
    }
}

/// `GET /api/relay`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RelayStatus {
    /// The relay's URL (`[relay] url`), if set.
    pub url: Option<String>,
    /// True once a channel exists.
    pub paired: bool,
    /// The channel's id.
    pub channel_id: Option<String>,
    /// `off`, `connecting`, `connected` or `disconnected`.
    pub state: String,
    /// When the last relayed delivery was stored (RFC 3339).
    pub last_delivery_at: Option<String>,
    /// Envelopes the relay has waiting, as it last said.
    pub backlog: Option<u64>,
    /// Of the backlog, envelopes the relay holds because none of this desktop's keys opens
    /// them (sealed to a key it does not have, or altered). They are not lost: the relay keeps
    /// them (until its retention ends) and offers them again at each connection. `null`
    /// before the relay said, or when it is too old to hold envelopes.
    pub held: Option<u64>,
    /// Why the last such envelope could not be opened.
    pub held_reason: Option<String>,
    /// The last error.
    pub last_error: Option<String>,
    /// The smee.io-style channels followed (`[[smee]]`), each with its state.
    pub smee: Vec<SmeeStatus>,
}

#[derive(Default)]
struct View {
    url: Option<String>,
    saved: Option<Saved>,
    status: Option<watch::Receiver<ClientStatus>>,
    error: Option<String>,
}

/// The relay connection. Cheap to clone.
#[derive(Clone)]
pub struct Relay {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    data_dir: OnceLock<PathBuf>,
    view: RwLock<View>,
    /// Pair, unpair, rotate (and each pairing attempt at start) hold this from start to end,
    /// so each reads the keys the one before it saved: two at once cannot drop a key the relay
    /// may seal to.
    operations: tokio::sync::Mutex<()>,
    /// The running client.
    client: tokio::sync::Mutex<Option<Client>>,
    /// The smee channels followed.
    smee: std::sync::Mutex<Smee>,
}

fn relay_err(e: impl fmt::Display) -> ApiError {
    ApiError::new(axum::http::StatusCode::BAD_GATEWAY, e.to_string())
}

impl Relay {
    /// Not started, not paired; [`Relay::set_data_dir`] tells it where its files are.
    pub fn new(engine: Engine) -> Self {
        Relay {
            inner: Arc::new(Inner {
                engine,
                data_dir: OnceLock::new(),
                view: RwLock::new(View::default()),
                operations: tokio::sync::Mutex::new(()),
                client: tokio::sync::Mutex::new(None),
                smee: std::sync::Mutex::new(Smee::default()),
            }),
        }
    }

    /// Where `relay.json` is (`hookbell.toml` is the engine's to write:
    /// [`Engine::change_config`]).
    pub fn set_data_dir(&self, data_dir: &Path) {
        let _ = self.inner.data_dir.set(data_dir.to_owned());
    }

    fn view(&self) -> std::sync::RwLockReadGuard<'_, View> {
        match self.inner.view.read() {
            Ok(v) => v,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn change(&self, f: impl FnOnce(&mut View)) {
        match self.inner.view.write() {
            Ok(mut v) => f(&mut v),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    fn file(&self) -> Option<PathBuf> {
        self.inner.data_dir.get().map(|d| d.join(RELAY_FILE))
    }

    /// The status for `GET /api/relay`.
    pub fn status(&self) -> RelayStatus {
        let view = self.view();
        let client = view.status.as_ref().map(|s| s.borrow().clone());
        let state = match (&client, &view.url) {
            (Some(c), _) => match c.state {
                ConnectionState::Connecting => "connecting",
                ConnectionState::Connected => "connected",
                ConnectionState::Disconnected => "disconnected",
            },
            (None, Some(_)) => "disconnected",
            (None, None) => "off",
        };
        RelayStatus {
            url: view.url.clone(),
            paired: view.saved.is_some(),
            channel_id: view.saved.as_ref().map(|s| s.channel_id.clone()),
            state: state.to_owned(),
            last_delivery_at: client
                .as_ref()
                .and_then(|c| c.last_delivery_at)
                .map(|t| t.to_rfc3339()),
            backlog: client.as_ref().and_then(|c| c.backlog),
            held: client.as_ref().and_then(|c| c.held),
            held_reason: client.as_ref().and_then(|c| c.held_reason.clone()),
            last_error: client
                .as_ref()
                .and_then(|c| c.last_error.clone())
                .or_else(|| view.error.clone()),
            smee: self.smee().status(),
        }
    }

    /// The relay URL of a source, `{relay_url}/h/{channel_id}/{source_id}`, when paired.
    pub fn ingest_url(&self, source_id: &str) -> Option<String> {
        let view = self.view();
        let saved = view.saved.as_ref()?;
        Some(format!(
            "{}/h/{}/{source_id}",
            saved.url.trim_end_matches('/'),
            saved.channel_id
        ))
    }

    /// Starts the client when `[relay] url` is set, pairing first if this desktop has no
    /// channel on that relay yet. Failures are reported in the status, not returned; a
    /// pairing that fails (a desktop that starts offline) is tried again, ever less often,
    /// until it works or the relay is paired or unpaired through the API meanwhile.
    pub async fn start(&self) {
        let channels = self.inner.engine.config().smee.clone();
        if !channels.is_empty() {
            *self.smee() = Smee::start(&self.inner.engine, &channels);
        }
        let url = self
            .inner
            .engine
            .config()
            .relay
            .as_ref()
            .map(|r| r.url.clone());
        self.change(|v| v.url = url.clone());
        let Some(url) = url else { return };
        let mut backoff = Backoff::new(Duration::from_secs(1), PAIR_RETRY_MAX);
        loop {
            let attempt = {
                let _one = self.inner.operations.lock().await;
                // Paired, or unpaired, through the API meanwhile: that one stands.
                let current = {
                    let view = self.view();
                    view.url.as_deref() == Some(url.as_str()) && view.status.is_none()
                };
                if !current {
                    return;
                }
                self.connect(&url, None).await
            };
            let Err(e) = attempt else {
                return;
            };
            tracing::warn!(error = %e.message, "relay not started; trying again later");
            self.change(|v| v.error = Some(e.message.clone()));
            tokio::time::sleep(backoff.next_wait()).await;
        }
    }

    fn smee(&self) -> std::sync::MutexGuard<'_, Smee> {
        match self.inner.smee.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Stops everything: the relay client and the smee channels.
    pub async fn shutdown(&self) {
        let mut smee = std::mem::take(&mut *self.smee());
        smee.stop().await;
        self.stop().await;
    }

    /// Stops the client (deliveries in flight finish and are acknowledged).
    pub async fn stop(&self) {
        let client = self.inner.client.lock().await.take();
        if let Some(client) = client {
            client.stop().await;
        }
        self.change(|v| v.status = None);
    }

    /// Pairs with the relay at `url` and starts streaming; only then is the URL saved as
    /// `[relay] url`. A relay that cannot be paired with leaves the settings as they were.
    /// `code` is the relay operator's pairing secret or an invite code (a public relay
    /// refuses pairing without one); it is shown to the relay once and never stored.
    pub async fn pair(&self, url: &str, code: Option<&str>) -> Result<RelayStatus, ApiError> {
        let url = url.trim().trim_end_matches('/').to_owned();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ApiError::bad_request(
                "the relay URL must start with http:// or https://",
            ));
        }
        let _one = self.inner.operations.lock().await;
        let previous = self.view().url.clone();
        self.change(|v| {
            v.url = Some(url.clone());
            v.error = None;
        });
        if let Err(e) = self.connect(&url, code).await {
            self.change(|v| v.url = previous);
            return Err(e);
        }
        self.save_url(Some(&url)).await?;
        Ok(self.status())
    }

    /// Unpairs: deletes the channel on the relay (best effort), forgets the keys and the URL.
    pub async fn unpair(&self) -> Result<RelayStatus, ApiError> {
        let _one = self.inner.operations.lock().await;
        self.stop().await;
        let saved = self.view().saved.clone();
        if let Some(saved) = saved
            && let Err(e) = client::unpair(&saved.url, &saved.channel_id, &saved.token).await
        {
            tracing::warn!(error = %e, "the relay could not delete the channel");
        }
        if let Some(file) = self.file()
            && let Err(e) = self.saved_file(&file).remove()
        {
            tracing::warn!("forgetting the relay's keys: {e}");
        }
        self.save_url(None).await?;
        self.change(|v| *v = View::default());
        Ok(self.status())
    }

    /// Makes a new key pair and rotates to it without a window in which deliveries could be
    /// lost: the new key is saved as pending (relay.json) and given to a restarted client
    /// first, so anything the relay seals to it opens; only then is the relay told (with proof
    /// of the current key); once it confirms, the pending key becomes the current one. The old
    /// private key is kept for envelopes already sealed to it. A rotation that fails leaves
    /// the old key current and working (the pending key is kept as one more key to try).
    pub async fn rotate(&self) -> Result<RelayStatus, ApiError> {
        let _one = self.inner.operations.lock().await;
        let Some(mut saved) = self.view().saved.clone() else {
            return Err(ApiError::new(
                axum::http::StatusCode::CONFLICT,
                "not paired with a relay",
            ));
        };
        let keys = KeyPair::generate().map_err(|e| ApiError::internal(&e))?;
        if let Some(unfinished) = saved.pending_key.take() {
            saved.previous_keys.insert(0, unfinished);
        }
        // Bounded on every path: rotations that keep failing do not grow the file.
        saved.previous_keys.truncate(PREVIOUS_KEYS_KEPT);
        saved.pending_key = Some(keys.secret.expose_base64());
        self.write_saved(&saved)?;
        self.stop().await;
        self.run_client(saved.clone()).await;
        if let Err(e) = client::rotate_key(
            &saved.url,
            &saved.channel_id,
            &saved.token,
            &saved.keys(),
            &keys.public,
        )
        .await
        {
            tracing::warn!(error = %e, "relay key rotation failed; the current key stays");
            return Err(relay_err(e));
        }
        if let Some(new) = saved.pending_key.take() {
            let old = std::mem::replace(&mut saved.secret_key, new);
            saved.previous_keys.insert(0, old);
        }
        saved.previous_keys.truncate(PREVIOUS_KEYS_KEPT);
        self.write_saved(&saved)?;
        // The running client already has every key it needs.
        self.change(|v| v.saved = Some(saved));
        tracing::info!("relay key rotated");
        Ok(self.status())
    }

    async fn connect(&self, url: &str, code: Option<&str>) -> Result<(), ApiError> {
        let saved = match self.read_saved() {
            Some(saved) if saved.url == url => saved,
            _ => {
                let keys = KeyPair::generate().map_err(|e| ApiError::internal(&e))?;
                let pairing = client::pair_with_code(url, &keys.public, code)
                    .await
                    .map_err(|e| match e {
                        client::ClientError::Refused { status: 401, .. } if code.is_none() => {
                            ApiError::new(
                                axum::http::StatusCode::BAD_GATEWAY,
                                format!(
                                    "{e} (this relay pairs only with an invite code or its \
                                     operator's pairing secret: pair again with one)"
                                ),
                            )
                        }
                        e => relay_err(e),
                    })?;
                let saved = Saved {
                    url: url.to_owned(),
                    channel_id: pairing.channel_id,
                    token: pairing.token,
                    secret_key: keys.secret.expose_base64(),
                    pending_key: None,
                    previous_keys: Vec::new(),
                    nodes: pairing.nodes,
                };
                self.write_saved(&saved)?;
                tracing::info!(channel = %saved.channel_id, "paired with the relay");
                saved
            }
        };
        self.stop().await;
        self.run_client(saved).await;
        Ok(())
    }

    async fn run_client(&self, saved: Saved) {
        let max_body = self.inner.engine.config().server.max_body_bytes;
        let config = ClientConfig::new(&saved.url, &saved.channel_id, &saved.token, saved.keys())
            .with_max_body_bytes(max_body)
            .with_fallback_urls(&saved.nodes);
        let client = Client::start(
            config,
            EngineSink {
                engine: self.inner.engine.clone(),
            },
        );
        let status = client.subscribe();
        *self.inner.client.lock().await = Some(client);
        self.change(|v| {
            v.saved = Some(saved);
            v.status = Some(status);
            v.error = None;
        });
    }

    /// `relay.json`, its token and keys in the engine's secret store (see
    /// [`crate::secret_store::JsonWithSecrets`]).
    fn saved_file<'a>(&'a self, file: &'a Path) -> crate::secret_store::JsonWithSecrets<'a> {
        crate::secret_store::JsonWithSecrets {
            path: file,
            store: self.inner.engine.secret_store(),
            prefix: "relay.keys",
            fields: &["token", "secret_key", "pending_key", "previous_keys"],
        }
    }

    fn read_saved(&self) -> Option<Saved> {
        let file = self.file()?;
        match self.saved_file(&file).read() {
            Ok(value) => serde_json::from_value(value?).ok(),
            Err(e) => {
                tracing::warn!("the relay's keys: {e}");
                None
            }
        }
    }

    fn write_saved(&self, saved: &Saved) -> Result<(), ApiError> {
        let Some(file) = self.file() else {
            return Err(ApiError::new(
                axum::http::StatusCode::CONFLICT,
                "this server has no data directory to keep the relay keys in",
            ));
        };
        let value = serde_json::to_value(saved).map_err(|e| ApiError::internal(&e))?;
        self.saved_file(&file)
            .write(&value)
            .map_err(|e| ApiError::internal(&e))
    }

    /// Sets (or removes) `[relay] url`, through the engine's one owner of hookbell.toml
    /// ([`Engine::change_config`]), so it cannot undo a change to the sources made meanwhile.
    async fn save_url(&self, url: Option<&str>) -> Result<(), ApiError> {
        let relay = url.map(|url| hookbell_core::config::RelayConfig {
            url: url.to_owned(),
        });
        self.inner
            .engine
            .change_config(|config| {
                config.relay = relay;
                Ok(())
            })
            .await
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn marks_of_old_envelopes_are_pruned() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = hookbell_store::SledStore::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let engine = Engine::new(Arc::new(store), hookbell_core::Config::default());
        let envelope = |days_ago: i64| {
            let at = chrono::Utc::now() - chrono::Duration::days(days_ago);
            ulid::Ulid::from_parts(u64::try_from(at.timestamp_millis()).unwrap_or(0), 1).to_string()
        };
        let (old, recent) = (envelope(MARKS_KEPT_DAYS + 1), envelope(1));
        for id in [&old, &recent] {
            engine
                .store()
                .set_setting(&envelope_mark(id), serde_json::Value::Bool(true))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let pruned = prune_envelope_marks(&engine)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pruned, 1);
        let marked = |id: &str| matches!(engine.store().setting(&envelope_mark(id)), Ok(Some(_)));
        assert!(!marked(&old) && marked(&recent));
    }

    /// Row 10 of issue 14: the engine (sources) and the relay (`[relay] url`) both change
    /// hookbell.toml; interleaved, neither undoes the other.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_engine_and_the_relay_changing_the_config_file_do_not_undo_each_other() {
        const N: usize = 40;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join(crate::data_dir::CONFIG_FILE);
        let secrets = crate::secret_store::SecretStore::file(dir.path());
        let config =
            crate::data_dir::load_config(&path, &secrets).unwrap_or_else(|e| panic!("{e}"));
        let store = hookbell_store::SledStore::open(&dir.path().join("store"))
            .unwrap_or_else(|e| panic!("{e}"));
        let engine =
            Engine::new(Arc::new(store), config).with_config_file(path.clone(), secrets.clone());
        let relay = Relay::new(engine.clone());
        relay.set_data_dir(dir.path());
        let sources = {
            let engine = engine.clone();
            tokio::spawn(async move {
                for n in 0..N {
                    engine
                        .change_sources(|sources| {
                            sources.push(hookbell_core::SourceConfig {
                                id: format!("s{n}"),
                                provider: "generic".into(),
                                name: None,
                                auth: hookbell_core::Auth::None,
                            });
                            Ok(())
                        })
                        .await
                        .unwrap_or_else(|e| panic!("source {n}: {e:?}"));
                }
            })
        };
        let urls = {
            let relay = relay.clone();
            tokio::spawn(async move {
                for n in 0..N {
                    relay
                        .save_url(Some(&format!("https://relay{n}.example.org")))
                        .await
                        .unwrap_or_else(|e| panic!("url {n}: {e:?}"));
                }
            })
        };
        let (a, b) = tokio::join!(sources, urls);
        a.unwrap_or_else(|e| panic!("{e}"));
        b.unwrap_or_else(|e| panic!("{e}"));
        let reloaded =
            crate::data_dir::load_config(&path, &secrets).unwrap_or_else(|e| panic!("{e}"));
        for n in 0..N {
            assert!(
                reloaded.source(&format!("s{n}")).is_some(),
                "source s{n} survived the relay's saves"
            );
        }
        assert_eq!(
            reloaded.relay.map(|r| r.url),
            Some(format!("https://relay{}.example.org", N - 1)),
            "the relay's URL survived the engine's saves"
        );
        assert_eq!(
            engine.config().relay.as_ref().map(|r| r.url.clone()),
            Some(format!("https://relay{}.example.org", N - 1)),
            "the engine's config knows the relay URL too"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0);
            assert_eq!(mode, 0o600);
        }
    }
}
