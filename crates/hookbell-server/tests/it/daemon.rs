//! The `hookbelld` program as a user runs it: first start, `send-test`, and a clean stop on
//! SIGTERM.

use std::time::Duration;

use reqwest::StatusCode;

use crate::support::{Daemon, answer};

#[tokio::test]
async fn first_start_then_send_test_shows_the_pipeline_working() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().join("fresh");
    let daemon = Daemon::start(&data).await;
    assert!(
        data.join("hookbell.toml").exists(),
        "the config is created at first start"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            std::fs::metadata(data.join("api-token")).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o600));
    }

    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_hookbelld"))
        .args(["send-test", "test", "--url", &daemon.base, "--data-dir"])
        .arg(&data)
        .env("HOOKBELL_SECRETS", "file")
        .output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "send-test failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("200 OK"), "{stdout}");

    let client = reqwest::Client::new();
    let (status, page) = answer(
        client
            .get(format!("{}/api/alerts", daemon.base))
            .bearer_auth(&daemon.token)
            .send()
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 1, "{page}");
    assert_eq!(page["alerts"][0]["source"], "test");

    // About tells where the files are.
    let (status, about) = answer(
        client
            .get(format!("{}/api/about", daemon.base))
            .bearer_auth(&daemon.token)
            .send()
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(about["data_dir"], data.display().to_string(), "{about}");
    assert_eq!(
        about["config_file"],
        data.join("hookbell.toml").display().to_string()
    );
    assert_eq!(about["listen"], daemon.base);
    assert_eq!(about["version"], env!("CARGO_PKG_VERSION"));

    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_hookbelld"))
        .args(["send-test", "nosuch", "--url", &daemon.base, "--data-dir"])
        .arg(&data)
        .env("HOOKBELL_SECRETS", "file")
        .output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("configured: test"),
        "the error lists the sources"
    );
}

/// `send-test` runs beside the daemon, which is the one writer of hookbell.toml and
/// secrets.toml: a secret written in clear is used as it is, not moved out by send-test.
#[tokio::test]
async fn send_test_writes_neither_the_config_nor_the_secrets() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = dir.path().join("hookbell.toml");
    let text = "[[sources]]\nid = \"test\"\nprovider = \"generic\"\nauth = { scheme = \"standard-webhooks\", secret = \"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\" }\n";
    std::fs::write(&config, text).unwrap_or_else(|e| panic!("{e}"));
    // Nothing listens there: the send fails, after the config was read.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_hookbelld"))
        .args([
            "send-test",
            "test",
            "--url",
            &format!("http://127.0.0.1:{port}"),
        ])
        .arg("--data-dir")
        .arg(dir.path())
        .env("HOOKBELL_SECRETS", "file")
        .output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("could not reach"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&config).unwrap_or_default(),
        text,
        "hookbell.toml untouched"
    );
    assert!(
        !dir.path().join("secrets.toml").exists(),
        "no secrets.toml written"
    );
}

#[tokio::test]
async fn sigterm_finishes_flushes_and_exits_0() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(
        crate::support::fixture("crash.toml"),
        dir.path().join("hookbell.toml"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut daemon = Daemon::start(dir.path()).await;
    let client = reqwest::Client::new();
    let (status, sent) = answer(
        client
            .post(format!("{}/hooks/open", daemon.base))
            .body(r#"{"title": "just before the stop"}"#)
            .send()
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{sent}");

    let pid = daemon.child.id().unwrap_or_else(|| panic!("no pid"));
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    assert!(killed.is_ok_and(|s| s.success()));
    let exit = tokio::time::timeout(Duration::from_secs(10), daemon.child.wait())
        .await
        .unwrap_or_else(|_| panic!("hookbelld did not stop within 10 s of SIGTERM"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(exit.code(), Some(0), "hookbelld exits 0 on SIGTERM");

    // It starts again over the same data, with the same token and the alert.
    let again = Daemon::start(dir.path()).await;
    assert_eq!(again.token, daemon.token);
    let id = sent["alerts"][0].as_str().unwrap_or_default();
    let (status, alert) = answer(
        client
            .get(format!("{}/api/alerts/{id}", again.base))
            .bearer_auth(&again.token)
            .send()
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(alert["title"], "just before the stop");
}

#[tokio::test]
async fn a_source_added_through_the_api_is_saved_to_the_config() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut daemon = Daemon::start(dir.path()).await;
    let client = reqwest::Client::new();
    let source = serde_json::json!({"id": "omniac", "provider": "omniac", "auth": {"scheme": "header", "name": "X-Api-Key", "value": "k-123456"}});
    let (status, body) = answer(
        client
            .post(format!("{}/api/sources", daemon.base))
            .bearer_auth(&daemon.token)
            .json(&source)
            .send()
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let text = std::fs::read_to_string(dir.path().join("hookbell.toml")).unwrap_or_default();
    assert!(text.contains("id = \"omniac\""), "{text}");
    assert!(
        text.contains("# Hookbell settings."),
        "the file's comments are kept: {text}"
    );
    // Issue 16: the file names the secret; the store (here the 0600 file) holds it.
    assert!(!text.contains("k-123456"), "{text}");
    assert!(
        text.contains(r#"value = { secret = "source.omniac.auth.value" }"#),
        "{text}"
    );
    let secrets = hookbell_server::secret_store::SecretStore::file(dir.path());
    let config =
        hookbell_server::data_dir::load_config(&dir.path().join("hookbell.toml"), &secrets)
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.sources.len(),
        2,
        "the first-start test source and the new one"
    );
    // After a restart the source still checks its header against the stored secret.
    let _ = daemon.child.kill().await;
    let again = Daemon::start(dir.path()).await;
    for (value, expected) in [
        ("wrong", StatusCode::UNAUTHORIZED),
        ("k-123456", StatusCode::OK),
    ] {
        let (status, body) = answer(
            client
                .post(format!("{}/hooks/omniac", again.base))
                .header("X-Api-Key", value)
                .header("content-type", "application/json")
                .body(r#"{"title": "after a restart"}"#)
                .send()
                .await,
        )
        .await;
        assert_eq!(status, expected, "{value}: {body}");
    }
}
