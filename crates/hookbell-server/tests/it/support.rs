//! Test harness: the real server on port 0 over a real sled store in a temp dir, in this
//! process (`TestServer`) or as the real `hookbelld` binary (`Daemon`), and helpers to talk to
//! it. Failures print what was sent and what came back.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hookbell_core::{Auth, Config, Secret};
use hookbell_server::{AppState, Engine};
use hookbell_store::SledStore;
use reqwest::StatusCode;
use serde_json::Value;

/// A fixture file's path.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fixture file's bytes.
pub fn payload(name: &str) -> Vec<u8> {
    let path = fixture(&format!("payloads/{name}"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The config of a fixture file.
pub fn config(name: &str) -> Config {
    let path = fixture(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Config::from_toml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub const TOKEN: &str = "test-api-token-0123456789";

/// The server, in this process.
pub struct TestServer {
    pub base: String,
    pub engine: Engine,
    pub client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    /// Starts on 127.0.0.1:0 with the fixture config `config_name`.
    pub async fn start(config_name: &str) -> TestServer {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let config = config(config_name);
        let store = Arc::new(
            SledStore::open(&dir.path().join("store")).unwrap_or_else(|e| panic!("store: {e}")),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("addr: {e}"));
        let engine = Engine::new(store, config);
        let state = AppState::new(engine.clone(), Secret::new(TOKEN), addr);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(hookbell_server::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        TestServer {
            base: format!("http://{addr}"),
            engine,
            client: reqwest::Client::new(),
            stop: Some(stop),
            task: Some(task),
            _dir: dir,
        }
    }

    /// The data directory (config, store).
    #[allow(dead_code)] // Used by the `secrets` test binary.
    pub fn data_dir(&self) -> &Path {
        self._dir.path()
    }

    /// The auth of a source as the server has it now.
    pub fn auth(&self, source: &str) -> Auth {
        self.engine
            .source(source)
            .map(|s| s.auth)
            .unwrap_or_else(|| panic!("the server has no source {source}"))
    }

    /// POSTs `body` to `/hooks/{source}` signed as the source's provider would sign it.
    pub async fn deliver(&self, source: &str, body: &[u8]) -> (StatusCode, Value) {
        let msg_id = format!("msg_{}", ulid_like());
        self.deliver_as(source, body, &msg_id).await
    }

    /// Like [`deliver`], with a chosen Standard Webhooks message id.
    pub async fn deliver_as(&self, source: &str, body: &[u8], msg_id: &str) -> (StatusCode, Value) {
        let headers = self
            .auth(source)
            .sign(body, chrono::Utc::now(), msg_id)
            .unwrap_or_else(|e| panic!("signing: {e}"));
        self.post(source, body, &headers).await
    }

    /// POSTs `body` to `/hooks/{source}` with exactly `headers`.
    pub async fn post(
        &self,
        source: &str,
        body: &[u8],
        headers: &[(String, String)],
    ) -> (StatusCode, Value) {
        let mut request = self
            .client
            .post(format!("{}/hooks/{source}", self.base))
            .body(body.to_vec());
        if !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            request = request.header("content-type", "application/json");
        }
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        answer(request.send().await).await
    }

    /// A call to the local API with the token, and a JSON body when one is given.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await).await
    }

    /// GET on the local API.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// POST with a JSON body on the local API.
    pub async fn post_json(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// PUT with a JSON body on the local API.
    pub async fn put_json(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::PUT, path, Some(body)).await
    }

    /// PATCH with a JSON body on the local API.
    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::PATCH, path, Some(body)).await
    }

    /// DELETE on the local API.
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::DELETE, path, None).await
    }

    /// `/api/stats`.
    pub async fn stats(&self) -> Value {
        let (status, stats) = self.get("/api/stats").await;
        assert_eq!(status, StatusCode::OK, "{stats}");
        stats
    }

    /// Stops gracefully and waits for the server to end.
    /// Stops the server; the data directory lives on as long as the returned guard does, so
    /// a test can still read what was written.
    pub async fn stop(mut self) -> tempfile::TempDir {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let ended = tokio::time::timeout(Duration::from_secs(10), task).await;
            assert!(
                ended.is_ok(),
                "the server did not stop within 10 s of the shutdown signal"
            );
        }
        self._dir
    }
}

/// Every record of the closed store in `dir` (its `store` folder) whose key or value, unpacked,
/// contains `needle`: alerts and deliveries are kept compressed, so a secret stored among them
/// would not show in [`files_containing`]. Panics when there is no store to read, so a scan
/// can never pass by reading nothing.
pub fn records_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let store = dir.join(hookbell_server::data_dir::STORE_DIR);
    // sled lets go of a closed store's lock once its threads end, a moment after the close.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let records = loop {
        match hookbell_store::records(&store) {
            Err(e) if e.to_string().contains("lock") && std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            read => {
                break read
                    .unwrap_or_else(|e| panic!("reading the store in {}: {e}", store.display()));
            }
        }
    };
    assert!(
        !records.is_empty(),
        "the store in {} is empty",
        store.display()
    );
    records
        .iter()
        .filter(|(key, value)| {
            [key, value]
                .iter()
                .any(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
        })
        .map(|(key, _)| String::from_utf8_lossy(key).into_owned())
        .collect()
}

/// Every file under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            hits.extend(files_containing(&path, needle));
        } else if let Ok(bytes) = std::fs::read(&path)
            && bytes.windows(needle.len()).any(|w| w == needle)
        {
            hits.push(path.display().to_string());
        }
    }
    hits
}

/// Status and JSON body (Null when the body is empty or not JSON).
pub async fn answer(response: reqwest::Result<reqwest::Response>) -> (StatusCode, Value) {
    let response = response.unwrap_or_else(|e| panic!("request failed: {e}"));
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A unique-enough id for message ids.
pub fn ulid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The real `hookbelld` binary, serving a data dir.
pub struct Daemon {
    pub child: tokio::process::Child,
    pub base: String,
    pub token: String,
}

impl Daemon {
    /// Starts `hookbelld serve --data-dir DIR --listen 127.0.0.1:0` and waits for its
    /// `listening on` line.
    pub async fn start(data_dir: &Path) -> Daemon {
        use tokio::io::AsyncBufReadExt;
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_hookbelld"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .env("RUST_LOG", "warn")
            // Tests never touch the keychain of the machine they run on.
            .env("HOOKBELL_SECRETS", "file")
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("spawning hookbelld: {e}"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let read = async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(at) = line.find("listening on http://") {
                    return Some(line[at + "listening on ".len()..].trim().to_owned());
                }
            }
            None
        };
        let base = tokio::time::timeout(Duration::from_secs(20), read)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("hookbelld printed no `listening on` line within 20 s"));
        // Keep reading, so the daemon never writes into a closed pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let token = std::fs::read_to_string(data_dir.join("api-token"))
            .unwrap_or_else(|e| panic!("api-token: {e}"))
            .trim()
            .to_owned();
        Daemon { child, base, token }
    }
}
