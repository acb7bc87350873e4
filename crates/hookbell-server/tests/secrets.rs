//! Secrets at rest, as a property: for every provider, whatever body arrives (any nesting, any
//! JSON type under a secret name, duplicate members, secret-shaped values in free text, broken
//! JSON, Latin-1 bytes), no secret planted in it reaches the store's files, an API answer, the
//! log, or a notification.
//!
//! A test binary of its own: it captures the log through the process-wide subscriber, which
//! no other test may share (tracing caches per call site whether anyone listens, so a scoped
//! subscriber races with tests running on other threads).
//!
//! `PROPTEST_CASES` sets how many bodies are tried (64 by default; `make fuzz` tries more).

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use hookbell_core::notify::Notification;
use hookbell_core::{Alert, Lang};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[allow(dead_code)] // The harness serves the `it` binary too; this uses a part of it.
#[path = "it/support.rs"]
mod support;

use support::{TestServer, files_containing, payload, records_containing};

/// The plaintext password in `enzoic-breach.json`.
const PASSWORD: &str = "password123!";
/// Its hash in the same fixture.
const HASH: &str = "b7e283a09511d95d6eac86e39e7942c0";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut all) = self.0.lock() {
            all.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Captures this process's log from now on (once per process).
    fn install() -> Captured {
        let logs = Captured::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .unwrap_or_else(|e| panic!("the only subscriber of this process: {e}"));
        logs
    }

    fn text(&self) -> String {
        self.0
            .lock()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }
}

/// The size of every file under `dir`: proof that the scan read a store, not an empty folder.
fn bytes_under(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                bytes_under(&path)
            } else {
                e.metadata().map(|m| m.len()).unwrap_or(0)
            }
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_planted_secret_reaches_disk_api_log_or_notification() {
    let logs = Captured::install();
    let server = TestServer::start("secrets.toml").await;
    for id in hookbell_core::providers::ids() {
        assert!(
            server.engine.source(&format!("p-{id}")).is_some(),
            "tests/fixtures/secrets.toml needs a source p-{id} for the provider {id}"
        );
    }

    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64);
    // Cases share one server, so a shrunk case could be blamed for an earlier one's leak:
    // report the case as generated.
    let mut runner = TestRunner::new(Config {
        cases,
        max_shrink_iters: 0,
        failure_persistence: None,
        ..Config::default()
    });
    let handle = tokio::runtime::Handle::current();
    let planted_all: Mutex<Vec<String>> = Mutex::default();
    let result = runner.run(&case(), |case| {
        let planted = case.secrets();
        if let Ok(mut all) = planted_all.lock() {
            all.extend(planted.iter().cloned());
        }
        let seen = tokio::task::block_in_place(|| handle.block_on(shown(&server, &case)));
        for secret in &planted {
            for (place, text) in &seen {
                prop_assert!(
                    !text.contains(secret.as_str()),
                    "{secret:?} planted in {case:?} reached {place}: {text}"
                );
            }
            let on_disk = files_containing(server.data_dir(), secret.as_bytes());
            prop_assert!(
                on_disk.is_empty(),
                "{secret:?} planted in {case:?} reached {on_disk:?}; body: {}",
                String::from_utf8_lossy(&case.body())
            );
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let planted_all = planted_all.into_inner().unwrap_or_default();
    assert!(
        planted_all.len() >= cases as usize,
        "every case planted a secret"
    );

    let stats = server.stats().await;
    assert!(
        stats["total"].as_u64().is_some_and(|n| n > 0),
        "some bodies became alerts: {stats}"
    );
    let engine = server.engine.clone();
    let dir = server.stop().await;
    drop(engine);
    assert!(bytes_under(dir.path()) > 0, "the store was written");
    let log = logs.text();
    assert!(log.contains("delivery"), "the log was captured: {log}");
    for secret in &planted_all {
        assert!(!log.contains(secret.as_str()), "{secret:?} reached the log");
        let on_disk = files_containing(dir.path(), secret.as_bytes());
        assert!(
            on_disk.is_empty(),
            "{secret:?} reached {on_disk:?} after a clean close"
        );
        // Alerts and deliveries are kept compressed: read them as they mean.
        let stored = records_containing(dir.path(), secret.as_bytes());
        assert!(stored.is_empty(), "{secret:?} was stored in {stored:?}");
    }
}

/// Everything a person or a program can see of one delivery: the answer to the provider, the
/// API's alerts, delivery and quarantine, and the notification each alert makes.
async fn shown(server: &TestServer, case: &Case) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    let (status, answer) = server.post(&case.source(), &case.body(), &[]).await;
    assert!(
        status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
        "{status}: {answer}"
    );
    seen.push(("the answer".into(), answer.to_string()));
    for id in answer["alerts"].as_array().into_iter().flatten() {
        let (_, alert) = server
            .get(&format!("/api/alerts/{}", id.as_str().unwrap_or_default()))
            .await;
        if let Ok(alert) = serde_json::from_value::<Alert>(alert.clone()) {
            for lang in [Lang::En, Lang::De] {
                let n = Notification::single(&alert, lang);
                seen.push((
                    "a notification".into(),
                    format!("{}\n{}", n.summary, n.body),
                ));
            }
            let burst = Notification::burst(std::slice::from_ref(&alert), None, Lang::En);
            seen.push(("a burst notification".into(), burst.body));
        }
        seen.push(("GET /api/alerts/{id}".into(), alert.to_string()));
    }
    if let Some(id) = answer["delivery_id"].as_str() {
        let (_, delivery) = server.get(&format!("/api/deliveries/{id}")).await;
        // A body that is not text would be answered in base64: decode it to look inside.
        let body = match delivery["body_encoding"].as_str() {
            Some("base64") => String::from_utf8_lossy(
                &base64::engine::general_purpose::STANDARD
                    .decode(delivery["body"].as_str().unwrap_or_default())
                    .unwrap_or_default(),
            )
            .into_owned(),
            _ => String::new(),
        };
        seen.push((
            "GET /api/deliveries/{id}".into(),
            format!("{delivery}{body}"),
        ));
    }
    let (_, list) = server.get("/api/deliveries?status=quarantined").await;
    seen.push(("the quarantine list".into(), list.to_string()));
    // The inbox's page: the stored alerts as they are (`Store::alerts_json`).
    let (_, page) = server.get("/api/alerts?limit=500").await;
    seen.push(("GET /api/alerts".into(), page.to_string()));
    seen
}

// ---- What is generated ------------------------------------------------------------------

/// Names of the shared vocabulary a secret is planted under, as providers spell them.
const SECRET_NAMES: &[&str] = &[
    "password",
    "plaintextPassword",
    "passwordHash",
    "password_salt",
    "api_key",
    "apiKey",
    "apiKeys",
    "client_secret",
    "secret",
    "privateKey",
    "access_token",
    "token",
    "DB_PASSWORD",
    "recoveredCreditCardNumber",
    "cvv",
];

/// Harmless names whose text adapters copy into what an alert says.
const TEXT_NAMES: &[&str] = &["note", "title", "description", "summary", "message"];

/// How a secret is sent under a secret name.
#[derive(Debug, Clone)]
enum Form {
    Text,
    Number,
    List,
    Object,
}

/// A secret-shaped value under a harmless name, or in free text.
#[derive(Debug, Clone)]
enum Shape {
    Card,
    GithubToken,
    UrlPassword,
    Assignment,
    PrivateKey,
}

#[derive(Debug, Clone)]
enum Plant {
    Named(&'static str, Form, String),
    Shaped(&'static str, Shape, String),
}

/// How the body reaches the wire.
#[derive(Debug, Clone)]
enum Wire {
    /// As JSON.
    Json,
    /// The planted secret first under its name, then the same name again emptied.
    Duplicate,
    /// Cut short after the plants: not JSON.
    Broken,
    /// With a Latin-1 byte inside a value: not UTF-8.
    Latin1,
}

#[derive(Debug, Clone)]
struct Case {
    provider: &'static str,
    plants: Vec<(usize, Plant)>,
    wire: Wire,
}

fn case() -> impl Strategy<Value = Case> {
    let providers = prop::sample::select(hookbell_core::providers::ids());
    let plant = prop_oneof![
        (
            prop::sample::select(SECRET_NAMES),
            prop_oneof![
                Just(Form::Text),
                Just(Form::Number),
                Just(Form::List),
                Just(Form::Object)
            ],
            "[a-z0-9]{12}"
        )
            .prop_map(|(name, form, s)| Plant::Named(name, form, s)),
        (
            prop::sample::select(TEXT_NAMES),
            prop_oneof![
                Just(Shape::Card),
                Just(Shape::GithubToken),
                Just(Shape::UrlPassword),
                Just(Shape::Assignment),
                Just(Shape::PrivateKey)
            ],
            "[a-z0-9]{12}"
        )
            .prop_map(|(name, shape, s)| Plant::Shaped(name, shape, s)),
    ];
    let wire = prop_oneof![
        4 => Just(Wire::Json),
        2 => Just(Wire::Duplicate),
        1 => Just(Wire::Broken),
        1 => Just(Wire::Latin1),
    ];
    (
        providers,
        prop::collection::vec((any::<usize>(), plant), 1..4),
        wire,
    )
        .prop_map(|(provider, plants, wire)| Case {
            provider,
            plants,
            wire,
        })
}

impl Plant {
    /// The secret as it is searched for, and the JSON value that carries it.
    fn value(&self) -> (Vec<String>, Value) {
        match self {
            Plant::Named(_, Form::Text, s) => (vec![secret(s)], json!(secret(s))),
            Plant::Named(_, Form::Number, s) => {
                let n = number(s);
                (vec![n.to_string()], json!(n))
            }
            Plant::Named(_, Form::List, s) => {
                let (a, b) = (secret(s), format!("{}b", secret(s)));
                (vec![a.clone(), b.clone()], json!([a, b]))
            }
            Plant::Named(_, Form::Object, s) => (
                vec![secret(s)],
                json!({"value": secret(s), "note": {"x": secret(s)}}),
            ),
            Plant::Shaped(_, Shape::Card, s) => {
                let card = card(s);
                (
                    vec![card.clone()],
                    json!(format!("paid with {card} yesterday")),
                )
            }
            Plant::Shaped(_, Shape::GithubToken, s) => {
                let token = format!("ghp_{}{}{}", s, s, &s[..6]);
                (
                    vec![token.clone()],
                    json!(format!("leaked {token} in a commit")),
                )
            }
            Plant::Shaped(_, Shape::UrlPassword, s) => (
                vec![secret(s)],
                json!(format!("https://admin:{}@db.example/x", secret(s))),
            ),
            Plant::Shaped(_, Shape::Assignment, s) => (
                vec![secret(s)],
                json!(format!("APP_ENV=prod\nDB_PASSWORD={}\nPORT=1", secret(s))),
            ),
            Plant::Shaped(_, Shape::PrivateKey, s) => (
                vec![secret(s)],
                json!(format!(
                    "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----",
                    secret(s)
                )),
            ),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Plant::Named(name, ..) | Plant::Shaped(name, ..) => name,
        }
    }
}

/// A planted text secret: distinctive, so finding it anywhere is a leak.
fn secret(s: &str) -> String {
    format!("Zq{s}")
}

/// A planted number: 97 then the ten digits of `s` (which is `[0-9a-z]{12}`) read in base 36.
fn number(s: &str) -> u64 {
    let n = u64::from_str_radix(s, 36).unwrap_or_default() % 10_000_000_000;
    97_00000_00000 * 10 + n
}

/// A Visa-like card number that passes the Luhn check, from `s`.
fn card(s: &str) -> String {
    let mut digits: Vec<u32> = std::iter::once(4)
        .chain(s.bytes().map(|b| u32::from(b % 10)))
        .chain(std::iter::repeat(7))
        .take(15)
        .collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                *d
            }
        })
        .sum();
    digits.push((10 - sum % 10) % 10);
    digits
        .iter()
        .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
        .collect()
}

impl Case {
    fn source(&self) -> String {
        format!("p-{}", self.provider)
    }

    fn secrets(&self) -> Vec<String> {
        self.plants.iter().flat_map(|(_, p)| p.value().0).collect()
    }

    /// The provider's own sample with the plants inside its objects, on the wire.
    fn body(&self) -> Vec<u8> {
        let sample = hookbell_core::providers::get(self.provider)
            .map(|p| p.sample())
            .unwrap_or("{}");
        let mut body: Value = serde_json::from_str(sample).unwrap_or_else(|_| json!({}));
        for (at, plant) in &self.plants {
            let count = count_objects(&body);
            if count == 0 {
                body = json!({});
            }
            let mut n = at % count.max(1);
            insert_into_nth(&mut body, &mut n, plant.name(), &plant.value().1);
        }
        let text = serde_json::to_string(&body).unwrap_or_default();
        match self.wire {
            Wire::Json => text.into_bytes(),
            Wire::Duplicate => {
                let (_, plant) = &self.plants[0];
                let first = format!("\"{}\":{}", plant.name(), plant.value().1);
                let again = format!("\"{}\":\"\"", plant.name());
                match text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                    Some("") => format!("{{{first},{again}}}").into_bytes(),
                    Some(inner) => format!("{{{first},{inner},{again}}}").into_bytes(),
                    None => text.into_bytes(),
                }
            }
            Wire::Broken => {
                let mut bytes = text.into_bytes();
                bytes.truncate(bytes.len().saturating_sub(1));
                bytes.extend_from_slice(b", \"cut");
                bytes
            }
            Wire::Latin1 => {
                // `é` as Latin-1 at the start of the first string value, as a sender whose
                // text is not UTF-8 would write `"Müller"`.
                let mut bytes = text.into_bytes();
                let at = bytes
                    .windows(3)
                    .position(|w| w == b"\":\"")
                    .map_or(0, |i| i + 3);
                bytes.insert(at, 0xe9);
                bytes
            }
        }
    }
}

/// How many objects `value` holds, itself included.
fn count_objects(value: &Value) -> usize {
    match value {
        Value::Object(map) => 1 + map.values().map(count_objects).sum::<usize>(),
        Value::Array(items) => items.iter().map(count_objects).sum(),
        _ => 0,
    }
}

/// Inserts `name: member` into the `n`th object of `value` (depth first, outermost first);
/// true once done.
fn insert_into_nth(value: &mut Value, n: &mut usize, name: &str, member: &Value) -> bool {
    match value {
        Value::Object(map) => {
            if *n == 0 {
                map.insert(name.to_owned(), member.clone());
                return true;
            }
            *n -= 1;
            map.values_mut()
                .any(|child| insert_into_nth(child, n, name, member))
        }
        Value::Array(items) => items
            .iter_mut()
            .any(|item| insert_into_nth(item, n, name, member)),
        _ => false,
    }
}

/// The plaintext password of a real Enzoic delivery, and the credentials a sender presents,
/// reach neither the disk nor an API answer. (The log of this process is checked by the
/// property above.)
#[tokio::test]
async fn a_plaintext_password_reaches_neither_disk_nor_api() {
    let server = TestServer::start("hookbell.toml").await;
    let (status, body) = server
        .deliver("enzoic", &payload("enzoic-breach.json"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let presented = base64::engine::general_purpose::STANDARD.encode("KEY:hunter2-presented");
    let (status, _) = server
        .post(
            "enzoic",
            &payload("enzoic-breach.json"),
            &[("Authorization".into(), format!("Basic {presented}"))],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let id = body["alerts"][0].as_str().unwrap_or_default().to_owned();
    let (_, alert) = server.get(&format!("/api/alerts/{id}")).await;
    assert!(!alert.to_string().contains(PASSWORD), "{alert}");
    let delivery_id = body["delivery_id"].as_str().unwrap_or_default().to_owned();
    let (_, raw) = server.get(&format!("/api/deliveries/{delivery_id}")).await;
    assert!(!raw.to_string().contains(PASSWORD), "{raw}");
    assert!(!raw.to_string().contains(presented.as_str()));

    let engine = server.engine.clone();
    let dir = server.stop().await;
    drop(engine);
    // The store is there to be read (it used to be deleted before this scan).
    assert!(bytes_under(dir.path()) > 0);
    for secret in [PASSWORD, HASH, presented.as_str(), "hunter2-presented"] {
        let on_disk = files_containing(dir.path(), secret.as_bytes());
        assert!(on_disk.is_empty(), "{secret:?} was written to {on_disk:?}");
        let stored = records_containing(dir.path(), secret.as_bytes());
        assert!(stored.is_empty(), "{secret:?} was stored in {stored:?}");
    }
}
