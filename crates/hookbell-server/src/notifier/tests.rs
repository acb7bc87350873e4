//! The notifier over a real engine and sled store in a temp dir, with a recording
//! [`Notifier`]; the desktop's D-Bus path is tested end to end in tests/desktop.

use std::sync::Mutex;

use hookbell_core::notify::Target;
use hookbell_core::testing::json_delivery;
use hookbell_core::{Auth, Config, Severity, SourceConfig};
use hookbell_store::SledStore;
use tokio::sync::Notify;

use super::*;

#[derive(Default)]
struct Recorder {
    shown: Mutex<Vec<Notification>>,
    changed: Notify,
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
    fn shown(&self) -> Vec<Notification> {
        self.shown.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Waits (up to 5 s) until `count` notifications were shown.
    async fn wait_for(&self, count: usize) -> Vec<Notification> {
        self.wait_until(|shown| shown.len() >= count).await
    }

    /// Waits (up to 5 s) until what was shown satisfies `done`.
    async fn wait_until(&self, done: impl Fn(&[Notification]) -> bool) -> Vec<Notification> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let changed = self.changed.notified();
            let shown = self.shown();
            if done(&shown) {
                return shown;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                panic!("gave up waiting; shown: {shown:?}");
            }
        }
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    engine: Engine,
    recorder: Arc<Recorder>,
}

fn source(id: &str, name: &str) -> SourceConfig {
    SourceConfig {
        id: id.into(),
        provider: "generic".into(),
        name: Some(name.into()),
        auth: Auth::None,
    }
}

async fn start() -> Fixture {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let store = SledStore::open(dir.path()).unwrap_or_else(|e| panic!("store: {e}"));
    let config = Config {
        sources: vec![
            source("feed", "Acme"),
            source("noisy", "Noisy"),
            source("cloud", "Production cloud accounts of the whole company"),
        ],
        ..Config::default()
    };
    let engine = Engine::new(Arc::new(store), config);
    let recorder = Arc::new(Recorder::default());
    tokio::spawn(run(engine.clone(), recorder.clone()));
    // The task subscribes on its first poll; wait until it listens.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !engine.events().has_subscribers() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "notifier never subscribed"
        );
        tokio::task::yield_now().await;
    }
    Fixture {
        _dir: dir,
        engine,
        recorder,
    }
}

async fn post(engine: &Engine, source: &str, id: &str, severity: Severity) -> String {
    let body = serde_json::json!({"id": id, "title": format!("Alert {id}"), "severity": severity.as_str(), "subject": "alex@example.com"});
    let outcome = engine
        .ingest(json_delivery(source, body.to_string()))
        .await
        .unwrap_or_else(|e| panic!("ingest: {e}"));
    outcome.alert_ids[0].clone()
}

async fn set(engine: &Engine, rules: serde_json::Value) {
    engine
        .store()
        .set_setting(crate::engine::NOTIFICATIONS_SETTING, rules)
        .await
        .unwrap_or_else(|e| panic!("setting: {e}"));
}

#[tokio::test]
async fn a_new_alert_notifies_once_and_a_duplicate_never() {
    let f = start().await;
    let id = post(&f.engine, "feed", "one", Severity::High).await;
    let shown = f.recorder.wait_for(1).await;
    assert_eq!(shown[0].summary, "High · Alert one");
    assert_eq!(shown[0].target, Target::Alert(id));

    post(&f.engine, "feed", "one", Severity::High).await;
    // A marker alert after the duplicate: once it shows, the duplicate has been passed over.
    post(&f.engine, "feed", "two", Severity::Low).await;
    let shown = f.recorder.wait_for(2).await;
    let summaries: Vec<&str> = shown.iter().map(|n| n.summary.as_str()).collect();
    assert_eq!(summaries, ["High · Alert one", "Low · Alert two"]);
}

#[tokio::test]
async fn rules_silence_muted_sources_and_low_severities() {
    let f = start().await;
    set(
        &f.engine,
        serde_json::json!({"muted_sources": ["noisy"], "min_severity": "high"}),
    )
    .await;
    post(&f.engine, "noisy", "m", Severity::Critical).await;
    post(&f.engine, "feed", "low", Severity::Low).await;
    post(&f.engine, "feed", "crit", Severity::Critical).await;
    let shown = f.recorder.wait_for(1).await;
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0].summary, "Critical · Alert crit");
}

#[tokio::test]
async fn a_burst_folds_into_one_summary_of_everything() {
    let f = start().await;
    for i in 0..40 {
        post(&f.engine, "feed", &format!("b{i}"), Severity::Medium).await;
    }
    // At most three on their own (how many depends on how the alerts were batched), then
    // one summary that covers all forty.
    let is_summary = |n: &Notification| matches!(n.target, Target::Inbox { .. });
    let shown = f.recorder.wait_until(|s| s.iter().any(is_summary)).await;
    let (summaries, singles): (Vec<_>, Vec<_>) = shown.iter().partition(|n| is_summary(n));
    assert!(singles.len() <= 3, "{shown:?}");
    assert_eq!(summaries.len(), 1, "{shown:?}");
    assert_eq!(summaries[0].summary, "40 new Acme alerts");
    assert_eq!(summaries[0].target.route(), "#/?source=feed&status=unread");
}

#[tokio::test]
async fn a_summary_names_a_long_named_source_by_its_id() {
    let f = start().await;
    for i in 0..10 {
        post(&f.engine, "cloud", &format!("c{i}"), Severity::Low).await;
    }
    let is_summary = |n: &Notification| matches!(n.target, Target::Inbox { .. });
    let shown = f.recorder.wait_until(|s| s.iter().any(is_summary)).await;
    let summary = shown
        .iter()
        .find(|n| is_summary(n))
        .map(|n| n.summary.clone());
    assert_eq!(summary.as_deref(), Some("10 new cloud alerts"));
}
