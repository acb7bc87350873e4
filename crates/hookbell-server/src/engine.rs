//! The engine: one `ingest` path for every delivery, whichever door it came through (the
//! `/hooks` route, the relay client, smee channels), plus the user's changes to alerts. Each
//! change is announced on the [`EventBus`] only once it is on disk. Ingesting is two halves,
//! [`Engine::prepare`] (verify and parse: CPU, parallel) and [`Engine::commit`] (write, in
//! order), so the relay can drain a backlog on every core and still store it in order.

use std::future::Future;
use std::sync::{Arc, PoisonError, RwLock};

use hookbell_core::{
    AlertPatch, AuthError, BodyError, Config, Context, Delivery, Lang, NotificationSettings,
    SourceConfig, providers,
};
use hookbell_store::{DeliveryRecord, IngestOutcome, Refusal, RefusalKind, Store, StoreError};
use tracing::Instrument;

use crate::error::ApiError;
use crate::events::{Event, EventBus};

/// Why a delivery was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// No source has this id.
    #[error("no source named {0:?} is configured")]
    UnknownSource(String),
    /// Sent by a web browser (it carried the named header): a page the user has open, not a
    /// provider. Nothing was stored.
    #[error(
        "refused: this request came from a web browser (it sent {0}); webhooks come from a provider's servers, so nothing was stored"
    )]
    FromBrowser(String),
    /// Authentication failed; nothing was stored but a counter.
    #[error("{0}")]
    Unauthorized(#[from] AuthError),
    /// The body could not be read; the delivery is in quarantine under `delivery_id`.
    #[error("{error}; the delivery was kept in quarantine as {delivery_id}")]
    Quarantined {
        /// Why.
        error: BodyError,
        /// Where it is kept.
        delivery_id: String,
    },
    /// The store failed; nothing was acknowledged.
    #[error(transparent)]
    Store(#[from] hookbell_store::StoreError),
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> Self {
        use axum::http::StatusCode;
        match e {
            IngestError::UnknownSource(_) => ApiError::not_found(e.to_string()),
            IngestError::FromBrowser(_) => ApiError::new(StatusCode::FORBIDDEN, e.to_string()),
            IngestError::Unauthorized(_) => ApiError::new(StatusCode::UNAUTHORIZED, e.to_string()),
            IngestError::Quarantined {
                ref delivery_id, ..
            } => {
                let id = delivery_id.clone();
                let mut err = ApiError::bad_request(e.to_string());
                err.delivery_id = Some(id);
                err
            }
            IngestError::Store(store) => store.into(),
        }
    }
}

/// A delivery [`Engine::prepare`]d: authenticated and parsed, ready for [`Engine::commit`].
pub struct Prepared {
    span: tracing::Span,
    step: Step,
    envelope_id: Option<String>,
}

impl Prepared {
    /// Says the delivery came in this relay envelope: it is stored (or quarantined) together
    /// with the envelope's mark, and not at all if the envelope was stored before (see
    /// [`hookbell_store::DeliveryRecord::envelope_id`]). A refused delivery stores nothing,
    /// so this changes nothing for it.
    pub fn arrived_in(self, envelope_id: &str) -> Prepared {
        Prepared {
            envelope_id: Some(envelope_id.to_owned()),
            ..self
        }
    }
}

/// What committing a prepared delivery writes.
enum Step {
    /// Its alerts and its body (masked).
    Store {
        record: DeliveryRecord,
        body: Vec<u8>,
        alerts: Vec<hookbell_core::NewAlert>,
    },
    /// The unreadable body, kept in quarantine.
    Quarantine {
        record: DeliveryRecord,
        body: Vec<u8>,
        error: BodyError,
    },
    /// Refused: its authentication failed. Only counted, against its source.
    Refused {
        source: String,
        at: chrono::DateTime<chrono::Utc>,
        error: AuthError,
    },
}

/// What the sources API shows of a refused delivery. An [`AuthError`] names headers, schemes
/// and what did not match, never a credential, a signature or the body.
fn refusal(at: chrono::DateTime<chrono::Utc>, error: &AuthError) -> Refusal {
    let refusal = Refusal {
        at,
        kind: RefusalKind::Mismatch,
        reason: error.to_string(),
        header: None,
        what: None,
        distance_secs: None,
        tolerance_secs: None,
    };
    match error {
        AuthError::Missing { header, .. } => Refusal {
            kind: RefusalKind::Missing,
            header: Some(header.clone()),
            ..refusal
        },
        AuthError::Malformed { header, .. } => Refusal {
            kind: RefusalKind::Malformed,
            header: Some(header.clone()),
            ..refusal
        },
        AuthError::Mismatch(what) => Refusal {
            kind: RefusalKind::Mismatch,
            what: Some((*what).to_owned()),
            ..refusal
        },
        AuthError::Stale {
            distance_secs,
            tolerance_secs,
        } => Refusal {
            kind: RefusalKind::Stale,
            distance_secs: Some(*distance_secs),
            tolerance_secs: Some(*tolerance_secs),
            ..refusal
        },
        AuthError::BadSecret(_) => Refusal {
            kind: RefusalKind::BadSecret,
            ..refusal
        },
    }
}

/// What [`Engine::commit`] does instead of storing a delivery's alerts.
enum Unstored {
    /// Keeping the body in quarantine.
    Quarantined(hookbell_store::Pending<String>, BodyError),
    /// Nothing: the delivery was refused (and counted).
    Refused(AuthError),
}

/// The store setting that holds the user's language (`"en"` or `"de"`).
pub const LANGUAGE_SETTING: &str = "language";
/// The store setting that holds the notification rules ([`NotificationSettings`]).
pub const NOTIFICATIONS_SETTING: &str = "notifications";
/// The store setting that holds how many days alerts are kept (null: forever).
pub const RETENTION_SETTING: &str = "retention_days";

/// The language of the system locale (`LC_ALL`, `LC_MESSAGES`, `LANG`), English if unknown.
fn system_lang() -> Lang {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .find(|v| !v.is_empty())
        .and_then(|v| Lang::parse(&v))
        .unwrap_or_default()
}

/// The `language` setting as stored; `None` when unset or unreadable.
fn stored_language(store: &dyn Store) -> Option<Lang> {
    match store.setting(LANGUAGE_SETTING) {
        Ok(Some(serde_json::Value::String(tag))) => Lang::parse(&tag),
        _ => None,
    }
}

/// The engine's shared state. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    store: Arc<dyn Store>,
    config: Arc<RwLock<Arc<Config>>>,
    /// Where source changes are saved; `None` keeps them in memory (tests).
    config_file: Option<Arc<(std::path::PathBuf, crate::secret_store::SecretStore)>>,
    /// Serializes changes to the config (read, change, save, swap).
    config_changes: Arc<tokio::sync::Mutex<()>>,
    events: EventBus,
    system_lang: Lang,
    /// The `language` setting (`None`: follow the system), read from the store when the
    /// engine is made and again by [`Engine::set_language`], its one writer, so that a
    /// delivery reads it here rather than from the store.
    language: Arc<RwLock<Option<Lang>>>,
}

impl Engine {
    /// An engine over `store` with `config`.
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        let language = stored_language(store.as_ref());
        Engine {
            store,
            config: Arc::new(RwLock::new(Arc::new(config))),
            config_file: None,
            config_changes: Arc::new(tokio::sync::Mutex::new(())),
            events: EventBus::default(),
            system_lang: system_lang(),
            language: Arc::new(RwLock::new(language)),
        }
    }

    /// Saves source changes made through the API to `path` (the `hookbell.toml` it was read
    /// from), their secrets to `secrets` (the file only names them).
    pub fn with_config_file(
        mut self,
        path: std::path::PathBuf,
        secrets: crate::secret_store::SecretStore,
    ) -> Self {
        self.config_file = Some(Arc::new((path, secrets)));
        self
    }

    /// Where the config's secrets (and the relay's keys) are kept, when the engine saves to a
    /// config file.
    pub fn secret_store(&self) -> Option<&crate::secret_store::SecretStore> {
        self.config_file.as_deref().map(|(_, secrets)| secrets)
    }

    /// Changes the sources with `change`, validates the result, saves it to the config file,
    /// and only then makes it current. Nothing changes when any step fails.
    pub async fn change_sources(
        &self,
        change: impl FnOnce(&mut Vec<SourceConfig>) -> Result<(), ApiError>,
    ) -> Result<Arc<Config>, ApiError> {
        self.change_config(|config| change(&mut config.sources))
            .await
    }

    /// The one way to change the configuration at run time (the API's sources, the relay's
    /// `[relay] url`): under one lock, `change` edits a copy, the result is validated, saved
    /// to `hookbell.toml` (atomically, the rest of the file kept; see [`crate::config_file`]),
    /// and only then made current. Nothing changes when any step fails, and two changes never
    /// undo each other.
    pub async fn change_config(
        &self,
        change: impl FnOnce(&mut Config) -> Result<(), ApiError>,
    ) -> Result<Arc<Config>, ApiError> {
        let _one_at_a_time = self.config_changes.lock().await;
        let mut config = (*self.config()).clone();
        change(&mut config)?;
        config.validate().map_err(|e| {
            ApiError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
        })?;
        let config = match &self.config_file {
            // Files and the keychain block: off the runtime's threads (the lock stays held).
            Some(file) => {
                let (file, previous) = (Arc::clone(file), self.config());
                tokio::task::spawn_blocking(move || {
                    let (path, secrets) = &*file;
                    crate::config_file::save(path, &config, Some(&previous.sources), secrets)
                        .map(|()| config)
                })
                .await
                .map_err(|e| ApiError::internal(&e))?
                .map_err(|e| ApiError::internal(&e))?
            }
            None => config,
        };
        let config = Arc::new(config);
        match self.config.write() {
            Ok(mut current) => *current = Arc::clone(&config),
            Err(poisoned) => *poisoned.into_inner() = Arc::clone(&config),
        }
        tracing::info!(sources = config.sources.len(), "configuration changed");
        Ok(config)
    }

    /// The user's language: the `language` setting, else the system locale, else English.
    pub fn lang(&self) -> Lang {
        self.language_setting().unwrap_or(self.system_lang)
    }

    /// The `language` setting: `None` follows the system's language.
    pub fn language_setting(&self) -> Option<Lang> {
        *self.language.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores the `language` setting (`None`: follow the system). New alerts are written in
    /// it from the moment this returns.
    pub async fn set_language(&self, language: Option<Lang>) -> Result<(), StoreError> {
        let value = language.map_or(serde_json::Value::Null, |l| l.code().into());
        self.store.set_setting(LANGUAGE_SETTING, value).await?;
        // Read back under the lock: of two calls at once, the last to read holds the last
        // written, whichever order their writes took.
        let mut current = self
            .language
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        *current = stored_language(self.store.as_ref());
        Ok(())
    }

    /// The notification rules; the defaults when none are set (or the stored ones are
    /// unreadable, which is logged).
    pub fn notification_settings(&self) -> NotificationSettings {
        match self.store.setting(NOTIFICATIONS_SETTING) {
            Ok(Some(value)) => serde_json::from_value(value).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "stored notification settings unreadable; using defaults");
                NotificationSettings::default()
            }),
            Ok(None) => NotificationSettings::default(),
            Err(e) => {
                tracing::error!(error = %e, "could not read notification settings");
                NotificationSettings::default()
            }
        }
    }

    /// How many days alerts are kept; `None` keeps them forever.
    pub fn retention_days(&self) -> Option<u32> {
        match self.store.setting(RETENTION_SETTING) {
            Ok(Some(value)) => value.as_u64().and_then(|d| u32::try_from(d).ok()),
            _ => None,
        }
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The event bus.
    pub fn events(&self) -> &EventBus {
        &self.events
    }

    /// The current configuration.
    pub fn config(&self) -> Arc<Config> {
        match self.config.read() {
            Ok(c) => Arc::clone(&c),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The source with this id.
    pub fn source(&self, id: &str) -> Option<SourceConfig> {
        self.config().source(id).cloned()
    }

    /// Verifies, parses and durably stores one delivery, then announces what changed.
    /// Returns only once the delivery is on disk. The same as [`Engine::prepare`] followed by
    /// [`Engine::commit`].
    pub async fn ingest(&self, delivery: Delivery) -> Result<IngestOutcome, IngestError> {
        let prepared = self.prepare(delivery)?;
        self.commit(prepared).await
    }

    /// The CPU-bound half of [`Engine::ingest`]: finds the source, verifies the delivery's
    /// authentication and parses its body. Nothing is written, so deliveries may be prepared
    /// in parallel and committed in order, and a prepared delivery that is never committed
    /// leaves no trace (a failed authentication is counted by [`Engine::commit`]).
    pub fn prepare(&self, delivery: Delivery) -> Result<Prepared, IngestError> {
        let span = tracing::info_span!("delivery", source = %delivery.source_id, bytes = delivery.body.len(), delivery_id = tracing::field::Empty);
        let step = span.in_scope(|| self.prepare_step(delivery))?;
        Ok(Prepared {
            span,
            step,
            envelope_id: None,
        })
    }

    fn prepare_step(&self, delivery: Delivery) -> Result<Step, IngestError> {
        // Before anything else, on both doors (the relay carries the sender's headers).
        if let Some(header) = delivery.headers.browser_header() {
            tracing::warn!(header, "delivery refused: sent by a web browser");
            return Err(IngestError::FromBrowser(header.to_owned()));
        }
        let source = self
            .source(&delivery.source_id)
            .ok_or_else(|| IngestError::UnknownSource(delivery.source_id.clone()))?;
        if let Err(error) = source.auth.verify(&delivery) {
            return Ok(Step::Refused {
                source: source.id,
                at: delivery.received_at,
                error,
            });
        }
        // `source` was found by the delivery's source id, so the record names it.
        let record = DeliveryRecord::received(
            &delivery,
            &source.provider,
            delivery.headers.redacted(&source.auth.secret_headers()),
        );
        // The config was validated, so the provider exists; `generic` is the safe fallback.
        let provider = providers::get_or_generic(&source.provider);
        let ctx = Context {
            lang: self.lang(),
            signed_id: source.auth.signed_id(&delivery),
        };
        Ok(match hookbell_core::normalize(provider, &delivery, &ctx) {
            Ok(normalized) => Step::Store {
                record,
                body: normalized.stored_body,
                alerts: normalized.alerts,
            },
            Err(error) => Step::Quarantine {
                record: DeliveryRecord {
                    error: Some(error.to_string()),
                    body_hash: Some(hookbell_core::providers::generic::body_hash(&delivery.body)),
                    ..record
                },
                // Never the bytes as they came: they may hold a secret in clear.
                body: hookbell_core::normalize::scrubbed_text(&delivery.body).into_bytes(),
                error,
            },
        })
    }

    /// The writing half of [`Engine::ingest`]: hands the prepared delivery to the store's
    /// writer before it returns (so calls made in order are written in that order), and
    /// answers once it is on disk, after announcing what changed. A delivery whose
    /// authentication failed is counted here and answered [`IngestError::Unauthorized`].
    pub fn commit(
        &self,
        prepared: Prepared,
    ) -> impl Future<Output = Result<IngestOutcome, IngestError>> + Send + 'static {
        let Prepared {
            span,
            step,
            envelope_id,
        } = prepared;
        let write = span.in_scope(|| match step {
            Step::Store {
                record,
                body,
                alerts,
            } => Ok(self.store.ingest(
                DeliveryRecord {
                    envelope_id,
                    ..record
                },
                body,
                alerts,
            )),
            Step::Quarantine {
                record,
                body,
                error,
            } => {
                tracing::warn!(reason = %error, "delivery quarantined");
                let record = DeliveryRecord {
                    envelope_id,
                    ..record
                };
                Err(Unstored::Quarantined(self.store.quarantine(record, body), error))
            }
            Step::Refused { source, at, error } => {
                tracing::warn!(reason = %error, "delivery refused: authentication failed");
                if let Err(store_err) = self.store.note_auth_failure(&source, &refusal(at, &error))
                {
                    tracing::error!(error = %store_err, "could not count an authentication failure");
                }
                Err(Unstored::Refused(error))
            }
        });
        let engine = self.clone();
        async move {
            let outcome = match write {
                Ok(stored) => stored.await?,
                Err(Unstored::Quarantined(quarantined, error)) => {
                    let delivery_id = quarantined.await?;
                    return Err(IngestError::Quarantined { error, delivery_id });
                }
                Err(Unstored::Refused(error)) => return Err(error.into()),
            };
            tracing::Span::current().record("delivery_id", outcome.delivery_id.as_str());
            tracing::info!(
                alerts = outcome.alert_ids.len(),
                duplicate = outcome.duplicate,
                "delivery stored"
            );
            engine.announce(&outcome);
            Ok(outcome)
        }
        .instrument(span)
    }

    fn announce(&self, outcome: &IngestOutcome) {
        if self.events.has_subscribers() {
            for alert in &outcome.created {
                self.events
                    .publish(Event::AlertCreated(Box::new(alert.clone())));
            }
            for alert in &outcome.repeated {
                self.events
                    .publish(Event::AlertUpdated(Box::new(alert.clone())));
            }
            for alert in &outcome.reopened {
                self.events
                    .publish(Event::AlertReopened(Box::new(alert.clone())));
            }
        }
        self.publish_stats();
    }

    /// Marks an alert read/done; announces it.
    pub async fn patch(
        &self,
        id: String,
        patch: AlertPatch,
    ) -> Result<Option<hookbell_core::Alert>, ApiError> {
        let alert = self.store.patch(&id, patch).await?;
        if let Some(alert) = &alert {
            self.events
                .publish(Event::AlertUpdated(Box::new(alert.clone())));
            self.publish_stats();
        }
        Ok(alert)
    }

    /// Deletes an alert; announces it.
    pub async fn delete(&self, id: String) -> Result<bool, ApiError> {
        let found = self.store.delete(&id).await?;
        if found {
            self.events.publish(Event::AlertDeleted(id));
            self.publish_stats();
        }
        Ok(found)
    }

    pub(crate) fn publish_stats(&self) {
        if !self.events.has_subscribers() {
            return;
        }
        match self.store.stats() {
            Ok(stats) => self.events.publish(Event::Stats(Box::new(stats))),
            Err(e) => tracing::error!(error = %e, "could not read stats"),
        }
    }
}

#[cfg(test)]
mod tests;
