//! Starting and stopping the engine the way every Hookbell program does: prepare the data
//! directory, read the config, open the store, bind the listener, run the background tasks
//! (retention), serve until told to stop, and flush the store. `hookbelld` and the desktop app
//! both go through [`App`], so they behave the same.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use hookbell_store::SledStore;
use tokio::net::TcpListener;

use crate::data_dir::{self, DataDirError};
use crate::engine::Engine;
use crate::secret_store::{SecretStore, SecretStoreError, SecretsChoice};
use crate::state::{AppState, Paths};

/// What a program decides before starting the engine (flags win over the config).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The data directory; the platform's default when `None`.
    pub data_dir: Option<PathBuf>,
    /// The config file; `DATA_DIR/hookbell.toml` when `None`.
    pub config_file: Option<PathBuf>,
    /// The address to listen on; the config's when `None`.
    pub listen: Option<SocketAddr>,
    /// Where the program writes its log, if to a file (shown in About).
    pub log_file: Option<PathBuf>,
    /// Where the config's secrets are kept (the OS keychain if one answers, by default).
    pub secrets: SecretsChoice,
}

/// Why the engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data directory, config or token could not be prepared.
    #[error(transparent)]
    DataDir(#[from] DataDirError),
    /// The secret store could not be opened.
    #[error("secrets: {0}")]
    Secrets(#[from] SecretStoreError),
    /// The store could not be opened.
    #[error("opening the store in {dir}: {source}")]
    Store {
        /// The store's directory.
        dir: PathBuf,
        /// Why.
        source: hookbell_store::StoreError,
    },
    /// The address could not be bound.
    #[error(
        "cannot listen on {addr}: {source} (is another Hookbell running? try --listen 127.0.0.1:0)"
    )]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The blocking start-up work (keychain, files) did not finish.
    #[error("starting: {0}")]
    Blocking(String),
    /// Serving failed.
    #[error("serving: {0}")]
    Serve(std::io::Error),
    /// The store could not be flushed at the end.
    #[error("flushing the store: {0}")]
    Close(hookbell_store::StoreError),
}

/// An engine ready to serve: store open, listener bound.
pub struct App {
    state: AppState,
    listener: TcpListener,
    store: Arc<SledStore>,
    secrets: SecretStore,
}

impl App {
    /// Prepares everything `options` asks for; creates the data directory, a default config
    /// and the API token on first start.
    pub async fn open(options: Options) -> Result<App, StartError> {
        let dir = options.data_dir.unwrap_or_else(data_dir::default_dir);
        data_dir::ensure_dir(&dir)?;
        let config_file = options
            .config_file
            .unwrap_or_else(|| dir.join(data_dir::CONFIG_FILE));
        // The keychain probe (up to 5 s) and a keychain call per secret block: off the
        // runtime's threads.
        let (secrets, config) = {
            let (dir, config_file, choice) = (dir.clone(), config_file.clone(), options.secrets);
            tokio::task::spawn_blocking(move || -> Result<_, StartError> {
                let secrets = SecretStore::open(&dir, choice)?;
                tracing::info!("secrets: {}", secrets.describe());
                let config = data_dir::load_config(&config_file, &secrets)?;
                Ok((secrets, config))
            })
            .await
            .map_err(|e| StartError::Blocking(e.to_string()))??
        };
        let token = data_dir::api_token(&dir)?;
        let store_dir = dir.join(data_dir::STORE_DIR);
        let store = Arc::new(
            SledStore::open(&store_dir).map_err(|source| StartError::Store {
                dir: store_dir.clone(),
                source,
            })?,
        );
        let addr = options.listen.unwrap_or(config.server.listen);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Listen { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| StartError::Listen { addr, source })?;
        let engine = Engine::new(store.clone(), config)
            .with_config_file(config_file.clone(), secrets.clone());
        let state = AppState::new(engine, token, local).with_paths(Paths {
            data_dir: dir,
            config_file,
            log_file: options.log_file,
        });
        Ok(App {
            state,
            listener,
            store,
            secrets,
        })
    }

    /// The shared state (engine, token, addresses).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Where the config's secrets are kept (said at start: `secrets: OS keychain`).
    pub fn secrets(&self) -> &SecretStore {
        &self.secrets
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.state.engine
    }

    /// The address actually bound (port 0 resolved).
    pub fn local_addr(&self) -> SocketAddr {
        self.state.local_addr
    }

    /// Serves until `shutdown` completes, then finishes requests in flight, stops the
    /// background tasks and flushes the store.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        let retention = tokio::spawn(crate::retention::run(self.state.engine.clone()));
        let relay = self.state.relay.clone();
        let relay_start = tokio::spawn(async move { relay.start().await });
        let served = crate::serve(self.listener, self.state.clone(), shutdown).await;
        retention.abort();
        // Pairing may still be retrying; it must not connect after this.
        relay_start.abort();
        self.state.relay.shutdown().await;
        served.map_err(StartError::Serve)?;
        self.store.close().map_err(StartError::Close)?;
        tracing::info!("stopped cleanly");
        Ok(())
    }
}
