//! The engine's side: `/api/relay` pairs the desktop, `/api/sources` shows the relay URLs,
//! relayed deliveries become alerts, keys rotate, and unpairing turns the relay off.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{InProcRelay, alert_body, fixture, send_signed, wait_until};

pub(crate) struct Desktop {
    pub(crate) base: String,
    token: String,
    http: reqwest::Client,
}

impl Desktop {
    /// The engine (`App`, as hookbelld and the desktop run it) over the data dir `dir`, on
    /// 127.0.0.1:0; with the switch that stops it and its task.
    pub(crate) async fn start(
        dir: &std::path::Path,
    ) -> (
        Desktop,
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<Result<(), hookbell_server::app::StartError>>,
    ) {
        let app = hookbell_server::app::App::open(hookbell_server::app::Options {
            data_dir: Some(dir.to_owned()),
            listen: Some(([127, 0, 0, 1], 0).into()),
            // Never the developer's keychain (nor its 5 s probe): secrets.toml in `dir`, as
            // the server's daemon harness does (HOOKBELL_SECRETS=file).
            secrets: hookbell_server::secret_store::SecretsChoice::File,
            ..Default::default()
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let desktop = Desktop {
            base: format!("http://{}", app.local_addr()),
            token: std::fs::read_to_string(dir.join("api-token"))
                .unwrap_or_default()
                .trim()
                .to_owned(),
            http: reqwest::Client::new(),
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn(app.run(async move {
            let _ = stopped.await;
        }));
        (desktop, stop, running)
    }

    pub(crate) async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub(crate) async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call(reqwest::Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desktop_pairs_shows_relay_urls_receives_rotates_and_unpairs() {
    let relay = InProcRelay::start("relay.toml").await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(fixture("desktop.toml"), dir.path().join("hookbell.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let (desktop, stop, running) = Desktop::start(dir.path()).await;

    let status = desktop.get("/api/relay").await;
    assert_eq!(status["state"], "off", "{status}");
    assert_eq!(status["paired"], false);

    let (code, status) = desktop
        .call(
            reqwest::Method::POST,
            "/api/relay/pair",
            Some(json!({ "url": relay.base })),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{status}");
    assert_eq!(status["paired"], true, "{status}");
    let channel = status["channel_id"].as_str().unwrap_or_default().to_owned();
    let config = std::fs::read_to_string(dir.path().join("hookbell.toml")).unwrap_or_default();
    assert!(
        config.contains("[relay]") && config.contains(&relay.base),
        "{config}"
    );
    assert!(
        config.contains("# The desktop's config"),
        "comments kept: {config}"
    );
    let saved = std::fs::read_to_string(dir.path().join("relay.json")).unwrap_or_default();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("relay.json"))
            .map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o600), "relay.json is private");
    }
    assert!(!status.to_string().contains("secret_key"));

    let sources = desktop.get("/api/sources").await;
    assert_eq!(
        sources["sources"][0]["urls"]["relay"],
        format!("{}/h/{channel}/signed", relay.base),
        "{sources}"
    );
    wait_until(Duration::from_secs(10), "the client connected", || async {
        desktop.get("/api/relay").await["state"] == "connected"
    })
    .await;

    let http = reqwest::Client::new();
    let (code, _) = send_signed(
        &http,
        &relay.base,
        &channel,
        &alert_body(1, "relayed"),
        "msg_1",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code, StatusCode::ACCEPTED);
    wait_until(
        Duration::from_secs(10),
        "the relayed alert stored",
        || async { desktop.get("/api/alerts").await["total"] == 1 },
    )
    .await;
    // The status follows once the sink has returned (the alert is visible a moment earlier).
    wait_until(
        Duration::from_secs(10),
        "last_delivery_at in the status",
        || async { desktop.get("/api/relay").await["last_delivery_at"].is_string() },
    )
    .await;

    // A new key: the relay seals to it from now on, and deliveries still arrive.
    let (code, status) = desktop
        .call(reqwest::Method::POST, "/api/relay/rotate", None)
        .await;
    assert_eq!(code, StatusCode::OK, "{status}");
    let rotated = std::fs::read_to_string(dir.path().join("relay.json")).unwrap_or_default();
    assert_ne!(saved, rotated, "the key changed");
    let (code, _) = send_signed(
        &http,
        &relay.base,
        &channel,
        &alert_body(2, "relayed"),
        "msg_2",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code, StatusCode::ACCEPTED);
    wait_until(
        Duration::from_secs(10),
        "the alert after rotation stored",
        || async { desktop.get("/api/alerts").await["total"] == 2 },
    )
    .await;

    let (code, status) = desktop
        .call(reqwest::Method::DELETE, "/api/relay", None)
        .await;
    assert_eq!(code, StatusCode::OK, "{status}");
    assert_eq!(status["state"], "off", "{status}");
    assert!(!dir.path().join("relay.json").exists());
    let (code, _) = send_signed(&http, &relay.base, &channel, b"{}", "msg_3")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        code,
        StatusCode::NOT_FOUND,
        "the channel is gone from the relay"
    );
    let openapi = desktop.get("/api/openapi.json").await;
    assert!(openapi["paths"]["/api/relay/pair"].is_object());

    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), running).await;
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desktop_started_while_its_relay_is_down_pairs_once_the_relay_is_up() {
    // A port that is free now; the relay comes up on it later.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = std::fs::read_to_string(fixture("desktop.toml")).unwrap_or_default();
    std::fs::write(
        dir.path().join("hookbell.toml"),
        format!("{config}\n[relay]\nurl = \"http://127.0.0.1:{port}\"\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (desktop, stop, running) = Desktop::start(dir.path()).await;

    wait_until(
        Duration::from_secs(10),
        "the first pairing fails",
        || async {
            let status = desktop.get("/api/relay").await;
            status["paired"] == false && status["last_error"].is_string()
        },
    )
    .await;
    let relay = InProcRelay::start_on("relay.toml", port).await;
    wait_until(Duration::from_secs(20), "paired and connected", || async {
        let status = desktop.get("/api/relay").await;
        status["paired"] == true && status["state"] == "connected"
    })
    .await;
    assert!(dir.path().join("relay.json").exists());

    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), running).await;
    relay.stop().await;
}

/// The keys relay.json (and its secrets in DATA_DIR/secrets.toml) keeps for the channel.
fn saved_keys(dir: &std::path::Path) -> Vec<hookbell_relay::SecretKey> {
    let store = hookbell_server::secret_store::SecretStore::file(dir);
    let saved = hookbell_server::secret_store::JsonWithSecrets {
        path: &dir.join("relay.json"),
        store: Some(&store),
        prefix: "relay.keys",
        fields: &[],
    }
    .read()
    .unwrap_or_else(|e| panic!("relay.json: {e}"))
    .unwrap_or_else(|| panic!("no relay.json"));
    let one = |v: &Value| v.as_str().map(str::to_owned);
    std::iter::once(one(&saved["secret_key"]))
        .chain(std::iter::once(one(&saved["pending_key"])))
        .chain(
            saved["previous_keys"]
                .as_array()
                .into_iter()
                .flatten()
                .map(one),
        )
        .flatten()
        .filter_map(|k| hookbell_relay::SecretKey::from_base64(&k).ok())
        .collect()
}

// Two rotations at once (a double click, two windows) each read the keys, make a new one and
// tell the relay: without one at a time, the later one overwrites the key the relay took
// from the earlier, and what the relay seals next opens with no key this desktop keeps.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_rotations_keep_every_key_the_relay_may_seal_to() {
    let relay = InProcRelay::start("relay.toml").await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(fixture("desktop.toml"), dir.path().join("hookbell.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let (desktop, stop, running) = Desktop::start(dir.path()).await;
    let (code, status) = desktop
        .call(
            reqwest::Method::POST,
            "/api/relay/pair",
            Some(json!({ "url": relay.base })),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{status}");
    let channel = status["channel_id"].as_str().unwrap_or_default().to_owned();
    let http = reqwest::Client::new();

    let mut answers = Vec::new();
    for round in 0..4 {
        let rotate = || desktop.call(reqwest::Method::POST, "/api/relay/rotate", None);
        let ((a, why_a), (b, why_b)) = tokio::join!(rotate(), rotate());
        // Whatever key the relay took, relay.json keeps its private half.
        let current = relay.channel_key(&channel).await;
        let probe = crate::support::sealed_probe(&channel, &current);
        let keys = saved_keys(dir.path());
        assert!(
            keys.iter().any(|k| hookbell_relay::envelope::open(
                k,
                &channel,
                crate::support::PROBE_ENVELOPE,
                &probe
            )
            .is_ok()),
            "round {round}: relay.json lost the key the relay seals to ({} keys kept)",
            keys.len()
        );
        assert!(keys.len() <= 6, "round {round}: {} keys kept", keys.len());
        // And the running client has it: a delivery sent now is stored, not held.
        wait_until(Duration::from_secs(10), "the client connected", || async {
            desktop.get("/api/relay").await["state"] == "connected"
        })
        .await;
        let (code, _) = send_signed(
            &http,
            &relay.base,
            &channel,
            &alert_body(round, "after"),
            &format!("msg_{round}"),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(code, StatusCode::ACCEPTED);
        wait_until(
            Duration::from_secs(10),
            &format!("round {round}: the delivery after the rotations stored"),
            || async { desktop.get("/api/alerts").await["total"] == round + 1 },
        )
        .await;
        answers.push((a, b, format!("{why_a} {why_b}")));
    }
    for (round, (a, b, why)) in answers.into_iter().enumerate() {
        assert_eq!(
            (a, b),
            (StatusCode::OK, StatusCode::OK),
            "round {round}: one after the other, both rotate: {why}"
        );
    }

    // Rotations that fail (the relay is gone) each keep their key in case the relay took it,
    // but only so many: relay.json does not grow without bound.
    relay.stop().await;
    for _ in 0..8 {
        let (code, _) = desktop
            .call(reqwest::Method::POST, "/api/relay/rotate", None)
            .await;
        assert_eq!(code, StatusCode::BAD_GATEWAY);
    }
    let kept = saved_keys(dir.path()).len();
    assert!(kept <= 6, "{kept} keys kept after failed rotations");

    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), running).await;
}
