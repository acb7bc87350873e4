//! Fuzzes the `github` adapter (through `normalize`) with arbitrary bytes: the first byte picks
//! the `X-GitHub-Event` header (or none, so the body's shape decides) and whether the body is
//! sent form-encoded; the rest is the body.
#![no_main]

mod common;

use hookbell_core::providers::{self, Context, Lang};
use hookbell_core::{Delivery, Headers, normalize};

const EVENTS: &[&str] = &[
    "",
    "ping",
    "dependabot_alert",
    "code_scanning_alert",
    "secret_scanning_alert",
    "secret_scanning_alert_location",
    "security_advisory",
    "repository_vulnerability_alert",
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let Some(adapter) = providers::get("github") else {
        return;
    };
    let event = EVENTS[usize::from(pick) % EVENTS.len()];
    let content_type = if pick & 0x80 != 0 {
        "application/x-www-form-urlencoded"
    } else {
        "application/json"
    };
    let mut headers: Headers = [("content-type", content_type)].into_iter().collect();
    if !event.is_empty() {
        headers.push("x-github-event", event);
    }
    for lang in [Lang::En, Lang::De] {
        let delivery = Delivery {
            source_id: "fuzz".into(),
            received_at: common::now(),
            peer: None,
            headers: headers.clone(),
            body: body.to_vec(),
        };
        let _ = normalize(adapter, &delivery, &Context::in_lang(lang));
    }
});
