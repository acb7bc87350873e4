//! The `github` provider through the real server: GitHub's published example payloads, signed
//! as GitHub signs them, with its event header; upstream state (fixed, reintroduced) following
//! the provider; notifications counted with a recording notifier on the engine's bus.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hookbell_core::Notification;
use hookbell_core::notify::Target;
use hookbell_server::Notifier;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::TestServer;

/// A fixture of the provider's own golden tests.
fn example(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../hookbell-core/src/providers/github/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The Dependabot alert #20 example with another action (and its state to match).
fn dependabot(action: &str, state: &str) -> Vec<u8> {
    let mut body: Value = serde_json::from_str(&example("dependabot_alert.created.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    body["action"] = action.into();
    body["alert"]["state"] = state.into();
    if action == "fixed" {
        body["alert"]["fixed_at"] = "2023-06-30T10:00:00Z".into();
    }
    body.to_string().into_bytes()
}

async fn send(server: &TestServer, event: &str, body: &[u8]) -> Value {
    let mut headers = server
        .auth("github")
        .sign(body, chrono::Utc::now(), "unused")
        .unwrap_or_else(|e| panic!("signing: {e}"));
    headers.push(("x-github-event".into(), event.into()));
    headers.push(("x-github-delivery".into(), crate::support::ulid_like()));
    let (status, answer) = server.post("github", body, &headers).await;
    assert_eq!(status, StatusCode::OK, "{event}: {answer}");
    answer
}

#[derive(Default)]
struct Recorder {
    shown: Mutex<Vec<Notification>>,
    changed: tokio::sync::Notify,
}

impl Notifier for Recorder {
    fn show(&self, notification: Notification) {
        if let Ok(mut shown) = self.shown.lock() {
            shown.push(notification);
        }
        self.changed.notify_waiters();
    }
}

impl Recorder {
    /// Waits (up to 5 s) until `count` notifications were shown; returns them all.
    async fn wait_for(&self, count: usize) -> Vec<Notification> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let changed = self.changed.notified();
            let shown = self.shown.lock().map(|s| s.clone()).unwrap_or_default();
            if shown.len() >= count {
                return shown;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                panic!("gave up waiting for {count} notifications; shown: {shown:?}");
            }
        }
    }
}

async fn with_notifier(server: &TestServer) -> Arc<Recorder> {
    let recorder = Arc::new(Recorder::default());
    tokio::spawn(hookbell_server::notifier::run(
        server.engine.clone(),
        recorder.clone(),
    ));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !server.engine.events().has_subscribers() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "notifier never subscribed"
        );
        tokio::task::yield_now().await;
    }
    recorder
}

fn targets(shown: &[Notification]) -> Vec<Target> {
    shown.iter().map(|n| n.target.clone()).collect()
}

#[tokio::test]
async fn a_dependabot_alert_and_its_fixed_event_leave_one_done_alert_and_one_notification() {
    let server = TestServer::start("github.toml").await;
    let recorder = with_notifier(&server).await;

    let created = send(&server, "dependabot_alert", &dependabot("created", "open")).await;
    assert_eq!(created["duplicate"], false);
    let id = created["alerts"][0].as_str().unwrap_or_default().to_owned();
    let shown = recorder.wait_for(1).await;
    assert_eq!(targets(&shown), [Target::Alert(id.clone())]);

    let fixed = send(&server, "dependabot_alert", &dependabot("fixed", "fixed")).await;
    assert_eq!(
        fixed["alerts"][0],
        id.as_str(),
        "the same upstream alert: {fixed}"
    );
    // A marker alert after the fix: once it shows, the fix has been passed over.
    let marker = send(
        &server,
        "code_scanning_alert",
        example("code_scanning_alert.created.json").as_bytes(),
    )
    .await;
    let marker_id = marker["alerts"][0].as_str().unwrap_or_default().to_owned();
    let shown = recorder.wait_for(2).await;
    assert_eq!(
        targets(&shown),
        [Target::Alert(id.clone()), Target::Alert(marker_id)],
        "the fix notified"
    );

    let (status, alerts) = server.get("/api/alerts?source=github").await;
    assert_eq!(status, StatusCode::OK);
    let dependabot_alerts: Vec<&Value> = alerts["alerts"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|a| a["category"] == "dependabot_alert")
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(dependabot_alerts.len(), 1, "{alerts}");
    let (_, alert) = server.get(&format!("/api/alerts/{id}")).await;
    assert_eq!(alert["done"], true, "{alert}");
    assert_eq!(alert["seen_count"], 2);
    assert_eq!(alert["details"]["upstream"]["state"], "closed");
    assert_eq!(alert["details"]["upstream"]["action"], "fixed");

    // Reintroduced: not done again, and it notifies again.
    send(
        &server,
        "dependabot_alert",
        &dependabot("reintroduced", "open"),
    )
    .await;
    let shown = recorder.wait_for(3).await;
    assert_eq!(
        shown.get(2).map(|n| n.target.clone()),
        Some(Target::Alert(id.clone()))
    );
    let (_, alert) = server.get(&format!("/api/alerts/{id}")).await;
    assert_eq!(alert["done"], false, "{alert}");
    assert_eq!(alert["read"], false);
    assert_eq!(alert["details"]["upstream"]["state"], "reopened");
    server.stop().await;
}

#[tokio::test]
async fn a_ping_is_answered_with_no_alert_and_a_form_encoded_delivery_is_read() {
    let server = TestServer::start("github.toml").await;
    let ping = send(&server, "ping", example("ping.json").as_bytes()).await;
    assert_eq!(ping["alerts"], serde_json::json!([]), "{ping}");
    assert_eq!(ping["duplicate"], false);
    let (_, stats) = server.get("/api/stats").await;
    assert_eq!(stats["total"], 0, "{stats}");

    // Form encoding, signed over the bytes as sent.
    let json = example("secret_scanning_alert.created.json");
    let mut form = String::from("payload=");
    for b in json.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            form.push(char::from(b));
        } else {
            form.push_str(&format!("%{b:02X}"));
        }
    }
    let mut headers = server
        .auth("github")
        .sign(form.as_bytes(), chrono::Utc::now(), "unused")
        .unwrap_or_else(|e| panic!("signing: {e}"));
    headers.push(("x-github-event".into(), "secret_scanning_alert".into()));
    headers.push((
        "content-type".into(),
        "application/x-www-form-urlencoded".into(),
    ));
    let (status, answer) = server.post("github", form.as_bytes(), &headers).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let id = answer["alerts"][0].as_str().unwrap_or_default().to_owned();
    let (_, alert) = server.get(&format!("/api/alerts/{id}")).await;
    assert_eq!(alert["severity"], "critical", "{alert}");
    assert_eq!(alert["unrecognized"], false);
    // A wrong signature over the form is refused like any other: the same headers, the
    // signature's last hex digit changed.
    let mut wrong = headers.clone();
    let signature = wrong
        .iter_mut()
        .find(|(name, _)| name.eq_ignore_ascii_case("x-hub-signature-256"))
        .unwrap_or_else(|| panic!("no signature header in {headers:?}"));
    let last = if signature.1.ends_with('0') { '1' } else { '0' };
    signature.1.pop();
    signature.1.push(last);
    let (status, answer) = server.post("github", form.as_bytes(), &wrong).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(answer.to_string().contains("signature"), "{answer}");
    server.stop().await;
}
