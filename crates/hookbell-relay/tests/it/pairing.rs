//! Pairing that cannot be abused: a relay that is not open pairs only a desktop that shows the
//! operator's secret or a live, unused invite; everything else is 401 (counted), and the
//! desktop's `/api/relay/pair` carries the invite through.

use std::sync::Arc;

use hookbell_relay::pairing::{Invites as _, code_hash, new_invite_code};
use hookbell_relay::{InviteDir, KeyPair, PairingGate, client};
use reqwest::StatusCode;
use serde_json::json;

use crate::desktop_api::Desktop;
use crate::support::{InProcRelay, RelayProc, fixture, metric};

const SECRET: &str = "the operator's pairing secret, long enough";

async fn post_pair(base: &str, code: Option<&str>) -> (StatusCode, serde_json::Value) {
    let keys = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let mut request = reqwest::Client::new()
        .post(format!("{base}/v1/channels"))
        .json(&json!({ "public_key": keys.public.to_base64() }));
    if let Some(code) = code {
        request = request.bearer_auth(code);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("pairing: {e}"));
    let status = response.status();
    let body = response.json().await.unwrap_or(serde_json::Value::Null);
    (status, body)
}

async fn invite(book: &InviteDir) -> String {
    let code = new_invite_code().unwrap_or_else(|e| panic!("{e}"));
    book.put_invite(
        &code_hash(&code),
        chrono::Utc::now() + chrono::Duration::hours(1),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    code
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_relay_pairs_only_with_the_secret_or_a_live_invite_once() {
    let invites = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let book = Arc::new(InviteDir::new(invites.path()));
    let gate = PairingGate::closed()
        .with_secret(SECRET)
        .with_invites(book.clone());
    let relay = InProcRelay::start_gated("relay.toml", gate).await;
    let http = reqwest::Client::new();

    let (status, body) = post_pair(&relay.base, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no code: {body}");
    assert!(
        body["error"].as_str().unwrap_or("").contains("invite"),
        "the refusal says what is missing: {body}"
    );
    let (status, _) = post_pair(&relay.base, Some("guess")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a wrong code");
    let (status, _) = post_pair(&relay.base, Some(&format!("{SECRET}x"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "almost the secret");
    let (status, _) = post_pair(&relay.base, Some("hbi_notaninvitethatexists")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "an invite never made");
    assert_eq!(
        metric(&http, &relay.base, "hookbell_relay_channels").await,
        Some(0),
        "nothing refused made a channel"
    );
    assert_eq!(
        metric(&http, &relay.base, "hookbell_relay_pairing_refused_total").await,
        Some(4)
    );

    let (status, body) = post_pair(&relay.base, Some(SECRET)).await;
    assert_eq!(status, StatusCode::CREATED, "the secret: {body}");
    assert!(body["channel_id"].is_string() && body["token"].is_string());
    let (status, _) = post_pair(&relay.base, Some(SECRET)).await;
    assert_eq!(status, StatusCode::CREATED, "the secret works again");

    let code = invite(&book).await;
    let keys = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let paired = client::pair_with_code(&relay.base, &keys.public, Some(&code)).await;
    assert!(paired.is_ok(), "the invite: {paired:?}");
    let again = client::pair_with_code(&relay.base, &keys.public, Some(&code)).await;
    assert!(
        matches!(again, Err(client::ClientError::Refused { status: 401, .. })),
        "an invite works once: {again:?}"
    );
    let open = client::pair(&relay.base, &keys.public).await;
    assert!(
        matches!(open, Err(client::ClientError::Refused { status: 401, .. })),
        "no code: {open:?}"
    );
    assert_eq!(
        metric(&http, &relay.base, "hookbell_relay_channels").await,
        Some(3)
    );
    relay.stop().await;
}

/// The real binary: `hookbell-relay invite` while the relay runs, `--pairing-secret-file`, and
/// nothing without either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_makes_invites_while_running_and_reads_its_secret_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let secret_file = dir.path().join("pairing-secret");
    std::fs::write(&secret_file, format!("{SECRET}\n")).unwrap_or_else(|e| panic!("{e}"));
    let relay = RelayProc::start_exactly(
        dir.path(),
        "127.0.0.1:0",
        &["--pairing-secret-file".as_ref(), secret_file.as_os_str()],
    )
    .await;
    let (status, _) = post_pair(&relay.base, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = post_pair(&relay.base, Some(SECRET)).await;
    assert_eq!(status, StatusCode::CREATED);

    let made = tokio::process::Command::new(env!("CARGO_BIN_EXE_hookbell-relay"))
        .args(["invite", "--valid-for", "600", "--data-dir"])
        .arg(dir.path())
        .output()
        .await
        .unwrap_or_else(|e| panic!("hookbell-relay invite: {e}"));
    assert!(made.status.success(), "{made:?}");
    let code = String::from_utf8_lossy(&made.stdout).trim().to_owned();
    assert!(code.starts_with("hbi_"), "printed the code: {code:?}");
    let kept = crate::support::files(&dir.path().join("invites"));
    assert!(
        kept.iter().all(|f| !std::fs::read_to_string(f)
            .unwrap_or_default()
            .contains(&code)),
        "only the code's hash is kept"
    );
    let (status, body) = post_pair(&relay.base, Some(&code)).await;
    assert_eq!(status, StatusCode::CREATED, "the invite: {body}");
    let (status, _) = post_pair(&relay.base, Some(&code)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "spent");
    relay.kill().await;
}

/// The desktop's pairing passes the invite through `/api/relay/pair`; without one, the
/// refusal reaches the user with what to do, and nothing is saved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desktop_pairs_a_closed_relay_with_an_invite() {
    let invites = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let book = Arc::new(InviteDir::new(invites.path()));
    let relay = InProcRelay::start_gated(
        "relay.toml",
        PairingGate::closed().with_invites(book.clone()),
    )
    .await;
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
    assert_eq!(code, StatusCode::BAD_GATEWAY, "{status}");
    assert!(
        status["error"].as_str().unwrap_or("").contains("invite"),
        "the user learns an invite is needed: {status}"
    );
    assert!(!dir.path().join("relay.json").exists(), "nothing saved");

    let invite = invite(&book).await;
    let (code, status) = desktop
        .call(
            reqwest::Method::POST,
            "/api/relay/pair",
            Some(json!({ "url": relay.base, "invite": invite })),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{status}");
    assert_eq!(status["paired"], true, "{status}");
    let everything = crate::support::files(dir.path())
        .iter()
        .map(|f| String::from_utf8_lossy(&std::fs::read(f).unwrap_or_default()).into_owned())
        .collect::<String>();
    assert!(
        !everything.contains(&invite),
        "the invite is not kept by the desktop"
    );
    let _ = stop.send(());
    let _ = running.await;
    relay.stop().await;
}
