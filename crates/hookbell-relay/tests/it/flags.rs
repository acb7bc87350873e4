//! The limits given to the real binary as environment variables and flags: they win over
//! hookbell-relay.toml, and a bad one stops the relay before it starts anything.

use reqwest::StatusCode;

use crate::support::{RelayProc, pair};

#[tokio::test]
async fn an_environment_variable_wins_over_the_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("hookbell-relay.toml"),
        "[limits]\nmax_body_bytes = 4096\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let relay = RelayProc::start_with_env(
        dir.path(),
        "127.0.0.1:0",
        &["--open-pairing".as_ref()],
        &[("HOOKBELL_RELAY_MAX_BODY_BYTES", "1024")],
    )
    .await;
    let (_, pairing) = pair(&relay.base).await;
    let http = reqwest::Client::new();
    let post = |size: usize| {
        http.post(format!("{}/h/{}/signed", relay.base, pairing.channel_id))
            .body(vec![b'x'; size])
            .send()
    };
    let small = post(1000).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(small.status(), StatusCode::ACCEPTED);
    // Under the file's 4096, over the environment's 1024.
    let large = post(2048).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let text = large.text().await.unwrap_or_default();
    assert!(text.contains("1024 bytes"), "{text}");
    relay.kill().await;
}

#[test]
fn a_bad_limit_stops_the_relay_naming_its_flag() {
    for (args, env, flag) in [
        (&["--max-connections", "0"][..], None, "--max-connections"),
        (
            &[][..],
            Some(("HOOKBELL_RELAY_RATE_LIMIT_BURST", "lots")),
            "--rate-limit-burst",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_hookbell-relay"));
        command
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--open-pairing",
                "--data-dir",
            ])
            .arg(dir.path())
            .args(args);
        if let Some((name, value)) = env {
            command.env(name, value);
        }
        let output = command.output().unwrap_or_else(|e| panic!("{e}"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?} {env:?}: {stderr}");
        assert!(stderr.contains(flag), "{args:?} {env:?}: {stderr}");
        assert!(
            std::fs::read_dir(dir.path())
                .unwrap_or_else(|e| panic!("{e}"))
                .next()
                .is_none(),
            "{args:?} {env:?}: nothing is created"
        );
    }
}
