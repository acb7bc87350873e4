//! Golden tests for provider adapters.
//!
//! Every `src/providers/<id>/fixtures/<name>.json` is run through [`normalize`] and the result
//! compared with `<name>.golden.json` beside it. A fixture whose name ends in `.de` is read with
//! German as the user's language; `<name>.headers.json` (an object) supplies request headers.
//! Each line of `fixtures/secrets.txt` is a secret that must appear in no alert and no stored
//! body of any fixture of that provider.
//!
//! After an intended change: `UPDATE_GOLDEN=1 cargo test -p hookbell-core`, then review the
//! diff of the golden files.

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use crate::delivery::{Delivery, Headers};
use crate::lang::{Context, Lang};
use crate::normalize::normalize;

/// The time every fixture is "received" at, so golden files are stable.
pub fn received_at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

fn fixtures_dir(provider: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/providers")
        .join(provider)
        .join("fixtures")
}

/// The fixture `name` (e.g. `sample.json`) of `provider`, parsed.
pub fn fixture(provider: &str, name: &str) -> Value {
    let path = fixtures_dir(provider).join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What a fixture turns into, as stored in its golden file.
pub fn outcome(provider: &str, body: &[u8], headers: Headers, lang: Lang) -> Value {
    let adapter = super::get(provider).unwrap_or_else(|| panic!("no provider {provider}"));
    // A fixture's `webhook-id` header stands for one its source's Standard Webhooks scheme
    // verified (the only id header an adapter may trust).
    let ctx = Context {
        signed_id: headers.get("webhook-id").map(str::to_owned),
        ..Context::in_lang(lang)
    };
    let delivery = Delivery {
        source_id: provider.to_owned(),
        received_at: received_at(),
        peer: None,
        headers,
        body: body.to_vec(),
    };
    match normalize(adapter, &delivery, &ctx) {
        Ok(n) => json!({
            "alerts": n.alerts,
            "stored_body": serde_json::from_slice::<Value>(&n.stored_body).unwrap_or(Value::Null),
        }),
        Err(e) => json!({ "error": e.to_string() }),
    }
}

/// Runs every fixture of `provider` against its golden file; returns how many ran.
pub fn check(provider: &str) -> usize {
    let dir = fixtures_dir(provider);
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let secrets: Vec<String> = std::fs::read_to_string(dir.join("secrets.txt"))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.ends_with(".json")
                && !name.ends_with(".golden.json")
                && !name.ends_with(".headers.json")
        })
        .collect();
    fixtures.sort();
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let stem = fixture
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let body = std::fs::read(fixture).unwrap_or_default();
        let headers: Headers = std::fs::read_to_string(dir.join(format!("{stem}.headers.json")))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Map<String, Value>>(&t).ok())
            .map(|m| {
                m.into_iter()
                    .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_else(|| [("content-type", "application/json")].into_iter().collect());
        let lang = if stem.ends_with(".de") {
            Lang::De
        } else {
            Lang::En
        };
        let got = outcome(provider, &body, headers, lang);
        let text = serde_json::to_string_pretty(&got).unwrap_or_default();
        for secret in &secrets {
            if text.contains(secret.as_str()) {
                failures.push(format!(
                    "{stem}: the secret {secret:?} reached the alert or the stored body"
                ));
            }
        }
        let golden_path = dir.join(format!("{stem}.golden.json"));
        if update {
            std::fs::write(&golden_path, format!("{text}\n")).unwrap_or_else(|e| panic!("{e}"));
            continue;
        }
        match std::fs::read_to_string(&golden_path) {
            Ok(expected) if expected.trim_end() == text.trim_end() => {}
            Ok(expected) => failures.push(format!(
                "{stem}: differs from {}\n--- expected\n{expected}\n--- got\n{text}\n(UPDATE_GOLDEN=1 rewrites it)",
                golden_path.display()
            )),
            Err(_) => failures.push(format!("{stem}: no golden file; run with UPDATE_GOLDEN=1 and review it")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    fixtures.len()
}
