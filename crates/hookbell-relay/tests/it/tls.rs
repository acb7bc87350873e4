//! HTTPS on the relay itself (`--tls-cert`/`--tls-key`): the real binary with a self-signed
//! certificate made at test time serves `/healthz`, pairing, ingest and the stream (`wss://`)
//! to clients that trust that certificate, refuses plain HTTP on the same port, and still stops
//! cleanly on SIGTERM. Wrong flags and unusable files are refused with messages that say which
//! flag or file is wrong.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use hookbell_relay::client::Pairing;
use hookbell_relay::protocol::ServerFrame;
use hookbell_relay::tls::TlsError;
use hookbell_relay::{KeyPair, envelope};
use reqwest::StatusCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::support::{RelayProc, alert_body, fixture, metric, send_signed, signal};

/// A self-signed certificate for `localhost` and `127.0.0.1`, written as PEM files.
struct TestCert {
    dir: tempfile::TempDir,
    cert: PathBuf,
    key: PathBuf,
    cert_pem: String,
    cert_der: Vec<u8>,
}

impl TestCert {
    fn generate() -> TestCert {
        let made = rcgen::generate_simple_self_signed(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
        ])
        .unwrap_or_else(|e| panic!("generating a certificate: {e}"));
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let cert = dir.path().join("cert.pem");
        let key = dir.path().join("key.pem");
        let cert_pem = made.cert.pem();
        write(&cert, &cert_pem);
        write(&key, &made.signing_key.serialize_pem());
        TestCert {
            dir,
            cert,
            key,
            cert_pem,
            cert_der: made.cert.der().to_vec(),
        }
    }

    /// `--tls-cert CERT --tls-key KEY`.
    fn args(&self) -> [&std::ffi::OsStr; 4] {
        [
            "--tls-cert".as_ref(),
            self.cert.as_os_str(),
            "--tls-key".as_ref(),
            self.key.as_os_str(),
        ]
    }

    /// An HTTPS client that trusts this certificate and nothing else.
    fn https_client(&self) -> reqwest::Client {
        let root = reqwest::Certificate::from_pem(self.cert_pem.as_bytes())
            .unwrap_or_else(|e| panic!("the test certificate: {e}"));
        reqwest::Client::builder()
            .tls_certs_only([root])
            .build()
            .unwrap_or_else(|e| panic!("building the client: {e}"))
    }

    /// A WebSocket connector that trusts this certificate and nothing else.
    fn wss_connector(&self) -> tokio_tungstenite::Connector {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(rustls::pki_types::CertificateDer::from(
                self.cert_der.clone(),
            ))
            .unwrap_or_else(|e| panic!("the test certificate: {e}"));
        let config = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        tokio_tungstenite::Connector::Rustls(Arc::new(config))
    }
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

type Wss =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next JSON frame on the stream (pings skipped), within 10 s.
async fn next_frame(ws: &mut Wss) -> ServerFrame {
    let read = async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str::<ServerFrame>(text.as_str())
                        .unwrap_or_else(|e| panic!("not a server frame ({e}): {text}"));
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .unwrap_or_else(|_| panic!("no frame on the stream within 10 s"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_and_wss_work_plain_http_is_refused_and_sigterm_still_stops_cleanly() {
    let cert = TestCert::generate();
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut relay = RelayProc::start_with(data.path(), "127.0.0.1:0", &cert.args()).await;
    let addr = relay
        .base
        .strip_prefix("https://")
        .unwrap_or_else(|| {
            panic!(
                "with TLS the relay should print https://, got {}",
                relay.base
            )
        })
        .to_owned();
    let port = addr.rsplit(':').next().unwrap_or_default().to_owned();
    let https = cert.https_client();

    // /healthz over HTTPS, by IP address and by name: the certificate covers both.
    for base in [relay.base.clone(), format!("https://localhost:{port}")] {
        let response = https
            .get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {base}/healthz over TLS: {e}"));
        assert_eq!(response.status(), StatusCode::OK, "{base}/healthz");
        assert_eq!(response.text().await.unwrap_or_default(), "ok\n");
    }

    // A client that does not trust the certificate is refused by its own verifier.
    let untrusting = reqwest::Client::new()
        .get(format!("{}/healthz", relay.base))
        .send()
        .await;
    assert!(
        untrusting.is_err(),
        "a client without the self-signed root must not get through: {untrusting:?}"
    );

    // Plain HTTP on the TLS port gets no answer, let alone a 200.
    let plain = tokio::time::timeout(
        Duration::from_secs(15),
        reqwest::Client::new()
            .get(format!("http://{addr}/healthz"))
            .send(),
    )
    .await
    .unwrap_or_else(|_| panic!("plain HTTP to the TLS port neither failed nor answered in 15 s"));
    if let Ok(response) = plain {
        assert_ne!(
            response.status(),
            StatusCode::OK,
            "plain HTTP to the TLS port must not succeed"
        );
    }

    // Pairing, a provider's delivery, and the stream over wss://.
    let keys = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let pairing: Pairing = https
        .post(format!("{}/v1/channels", relay.base))
        .json(&serde_json::json!({ "public_key": keys.public.to_base64() }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("pairing over TLS: {e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("pairing's answer: {e}"));
    let mut request = format!("wss://{addr}/v1/channels/{}/stream", pairing.channel_id)
        .into_client_request()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Ok(value) = format!("Bearer {}", pairing.token).parse() {
        request.headers_mut().insert("authorization", value);
    }
    let (mut ws, _) = tokio_tungstenite::connect_async_tls_with_config(
        request,
        None,
        true,
        Some(cert.wss_connector()),
    )
    .await
    .unwrap_or_else(|e| panic!("the stream over wss://: {e}"));
    assert!(
        matches!(
            next_frame(&mut ws).await,
            ServerFrame::Backlog { count: 0, .. }
        ),
        "the stream starts with an empty backlog"
    );

    let body = alert_body(1, "over-tls");
    let (status, answer) = send_signed(&https, &relay.base, &pairing.channel_id, &body, "m1")
        .await
        .unwrap_or_else(|e| panic!("a delivery over TLS: {e}"));
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    let ServerFrame::Envelope {
        seq, id, sealed, ..
    } = next_frame(&mut ws).await
    else {
        panic!("expected the envelope on the stream");
    };
    assert_eq!(seq, 1);
    let sealed = base64::engine::general_purpose::STANDARD
        .decode(sealed)
        .unwrap_or_else(|e| panic!("{e}"));
    let opened = envelope::open(&keys.secret, &pairing.channel_id, &id, &sealed)
        .unwrap_or_else(|e| panic!("opening the envelope: {e}"));
    assert_eq!(opened.body.0, body, "the exact body arrives through TLS");
    let peer = opened.peer.unwrap_or_default();
    assert!(
        peer.starts_with("127.0.0.1:"),
        "the relay still sees the client's address behind TLS (rate limits use it): {peer:?}"
    );

    ws.send(Message::Text(r#"{"type":"ack","seq":1}"#.into()))
        .await
        .unwrap_or_else(|e| panic!("acknowledging: {e}"));
    assert!(
        matches!(
            next_frame(&mut ws).await,
            ServerFrame::Backlog {
                count: 0,
                acked: 1,
                ..
            }
        ),
        "the acknowledgement went through"
    );
    assert_eq!(
        metric(&https, &relay.base, "hookbell_relay_acked_total").await,
        Some(1)
    );

    // SIGTERM: the stream is closed with 1001 and the relay exits 0, as over plain HTTP.
    let pid = relay.child.id().unwrap_or_else(|| panic!("no pid"));
    signal(pid, "TERM");
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| f.code),
                Some(Ok(_)) => {}
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the stream was not closed within 10 s of SIGTERM"));
    assert_eq!(closed, Some(CloseCode::Away), "closed with 1001");
    let exit = tokio::time::timeout(Duration::from_secs(10), relay.child.wait())
        .await
        .unwrap_or_else(|_| panic!("the relay did not stop within 10 s of SIGTERM"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(exit.code(), Some(0), "exit 0 on SIGTERM");
}

/// Runs the binary with `args` after `serve --data-dir DIR --listen 127.0.0.1:0`; it must fail
/// at once. Its exit code and stderr.
async fn refused(data_dir: &Path, args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_hookbell-relay"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .args(args)
        .env_remove("HOOKBELL_RELAY_TLS_CERT")
        .env_remove("HOOKBELL_RELAY_TLS_KEY")
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(20), run)
        .await
        .unwrap_or_else(|_| panic!("hookbell-relay {args:?} did not exit within 20 s"))
        .unwrap_or_else(|e| panic!("running hookbell-relay: {e}"));
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_binary_refuses_half_a_tls_configuration_and_names_an_unreadable_file() {
    let cert = TestCert::generate();
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));

    let (code, stderr) =
        refused(data.path(), &["--tls-cert".as_ref(), cert.cert.as_os_str()]).await;
    assert_eq!(code, Some(2), "a usage error: {stderr}");
    assert!(
        stderr.contains("--tls-key"),
        "--tls-cert alone: the error should ask for --tls-key: {stderr}"
    );

    let (code, stderr) = refused(data.path(), &["--tls-key".as_ref(), cert.key.as_os_str()]).await;
    assert_eq!(code, Some(2), "a usage error: {stderr}");
    assert!(
        stderr.contains("--tls-cert"),
        "--tls-key alone: the error should ask for --tls-cert: {stderr}"
    );

    let missing = cert.dir.path().join("no-such-cert.pem");
    let (code, stderr) = refused(
        data.path(),
        &[
            "--tls-cert".as_ref(),
            missing.as_os_str(),
            "--tls-key".as_ref(),
            cert.key.as_os_str(),
        ],
    )
    .await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot read the TLS certificate file")
            && stderr.contains(&missing.display().to_string()),
        "the error should name the unreadable certificate file: {stderr}"
    );
    assert!(
        !data.path().join("hookbell-relay.toml").exists(),
        "a TLS error stops the relay before it touches its data directory"
    );
}

/// `tls::load`'s error for `cert` and `key`, or a panic if they load.
async fn load_error(cert: &Path, key: &Path) -> TlsError {
    match hookbell_relay::tls::load(cert, key).await {
        Ok(_) => panic!("{} and {} loaded", cert.display(), key.display()),
        Err(e) => e,
    }
}

#[tokio::test]
async fn unusable_certificate_and_key_files_are_named_in_the_error() {
    let cert = TestCert::generate();
    assert!(
        hookbell_relay::tls::load(&cert.cert, &cert.key)
            .await
            .is_ok(),
        "the generated pair loads"
    );

    let missing_key = cert.dir.path().join("no-such-key.pem");
    let e = load_error(&cert.cert, &missing_key).await;
    assert!(matches!(e, TlsError::Read { what: "key", .. }), "{e:?}");
    assert!(
        e.to_string().contains(&missing_key.display().to_string()),
        "{e}"
    );

    for name in ["tls-not-pem.txt", "tls-broken-cert.pem"] {
        let bad = fixture(name);
        let e = load_error(&bad, &cert.key).await;
        assert!(matches!(e, TlsError::Certificate { .. }), "{name}: {e:?}");
        let text = e.to_string();
        assert!(
            text.contains(&bad.display().to_string()) && text.contains("certificate"),
            "{name}: the error should name the certificate file: {text}"
        );
    }

    // The certificate given as the key: it holds no private key.
    let e = load_error(&cert.cert, &cert.cert).await;
    assert!(matches!(e, TlsError::Key { .. }), "{e:?}");
    assert!(
        e.to_string().contains(&cert.cert.display().to_string()),
        "the error should name the key file: {e}"
    );

    // A real key, but another certificate's.
    let other = TestCert::generate();
    let e = load_error(&cert.cert, &other.key).await;
    assert!(matches!(e, TlsError::Mismatch { .. }), "{e:?}");
    let text = e.to_string();
    assert!(
        text.contains(&cert.cert.display().to_string())
            && text.contains(&other.key.display().to_string()),
        "the error should name both files: {text}"
    );
}
