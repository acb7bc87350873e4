//! `generic`: any JSON sender. A best-effort mapping of common member names, and the whole
//! (masked) body kept in `details`.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{Context, NewAlert, Provider, Unrecognized};
use super::{read, text};
use crate::alert::Severity;
use crate::delivery::Delivery;
use crate::prose::{FluentArgs, prose};

/// The generic adapter, filed under `id`.
#[derive(Debug, Clone, Copy)]
pub struct Generic {
    id: &'static str,
}

impl Generic {
    /// A generic adapter whose alerts are filed under provider `id`.
    pub const fn named(id: &'static str) -> Self {
        Generic { id }
    }
}

const TITLE_KEYS: &[&str] = &[
    "title", "subject", "summary", "message", "text", "name", "event", "type",
];
const BODY_KEYS: &[&str] = &[
    "message",
    "text",
    "description",
    "body",
    "summary",
    "details",
];
const SEVERITY_KEYS: &[&str] = &["severity", "priority", "level"];
const SUBJECT_KEYS: &[&str] = &[
    "subject", "email", "user", "username", "account", "host", "hostname", "ip",
];
const LINK_KEYS: &[&str] = &["url", "link", "html_url", "href"];
const TIME_KEYS: &[&str] = &[
    "occurred_at",
    "timestamp",
    "time",
    "date",
    "created_at",
    "createdAt",
];
const ID_KEYS: &[&str] = &["id", "event_id", "eventId", "alert_id", "uuid"];
const ADVICE_KEYS: &[&str] = &["recommendation", "remediation", "action_required", "advice"];

impl Provider for Generic {
    fn id(&self) -> &'static str {
        self.id
    }

    fn parse(
        &self,
        body: &Value,
        delivery: &Delivery,
        ctx: &Context,
    ) -> Result<Vec<NewAlert>, Unrecognized> {
        let Value::Object(obj) = body else {
            return Err(Unrecognized(format!(
                "expected a JSON object, got {}",
                json_kind(body)
            )));
        };
        let title = first_text(obj, TITLE_KEYS)
            .map(|t| title_line(&t))
            .unwrap_or_else(|| {
                let mut args = FluentArgs::new();
                args.set("source", delivery.source_id.as_str());
                prose(ctx.lang, "generic-title-delivery", &args)
            });
        let description = first_text(obj, BODY_KEYS).unwrap_or_default();
        let severity = SEVERITY_KEYS
            .iter()
            .filter_map(|k| obj.get(*k)?.as_str())
            .find_map(Severity::parse_loose)
            .unwrap_or(Severity::Info);
        let occurred_at = TIME_KEYS
            .iter()
            .filter_map(|k| obj.get(*k)?.as_str())
            .find_map(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc));
        let links = read::web_links(LINK_KEYS.iter().filter_map(|k| obj.get(*k)?.as_str()));
        let mut payload = body.clone();
        let masked_values = crate::mask::redact_json_values(&mut payload);
        Ok(vec![NewAlert {
            external_id: idempotency_key(obj, delivery, ctx),
            severity,
            summary: description.chars().take(280).collect(),
            description,
            recommendation: first_text(obj, ADVICE_KEYS).unwrap_or_default(),
            subject: first_text(obj, SUBJECT_KEYS)
                .filter(|s| *s != title)
                .unwrap_or_default(),
            category: obj
                .get("category")
                .or_else(|| obj.get("type"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            title,
            occurred_at,
            unrecognized: false,
            masked_values,
            links,
            details: serde_json::json!({ "payload": payload }),
            upstream: crate::providers::Upstream::Open,
        }])
    }

    fn sample(&self) -> &'static str {
        include_str!("generic/fixtures/sample.json")
    }
}

/// The message id the source's scheme signed (Standard Webhooks' `webhook-id`), an `id`-like
/// member of the (authenticated) body, or else a hash of the body. Unsigned id headers such as
/// GitHub's `X-GitHub-Delivery` are never used: a replay of a signed body could change them
/// and pass as a new alert.
fn idempotency_key(obj: &Map<String, Value>, delivery: &Delivery, ctx: &Context) -> String {
    if let Some(id) = ctx
        .signed_id
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        return id.to_owned();
    }
    if let Some(id) = ID_KEYS.iter().find_map(|k| match obj.get(*k)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }) {
        return id;
    }
    body_hash(&delivery.body)
}

/// `sha256:<hex>` of the raw body: the idempotency key of last resort.
pub fn body_hash(body: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(body)))
}

fn first_text(obj: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter()
        .filter_map(|k| obj.get(*k)?.as_str())
        .map(str::trim)
        .find(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The longest title: 160 characters of the sender's and the `…`.
const TITLE_MAX: usize = 161;

/// A title from the sender's text: its first line, made safe to show ([`text::one_line`]:
/// no bidirectional overrides or control characters) and cut to [`TITLE_MAX`].
fn title_line(title: &str) -> String {
    let first = title.lines().next().unwrap_or_default();
    text::clip(&text::one_line(first), TITLE_MAX)
}

/// "an array", "a string", … for error messages.
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(headers: &[(&str, &str)], body: &str) -> Delivery {
        crate::testing::delivery("src", headers, body)
    }

    fn parse(headers: &[(&str, &str)], body: &str) -> Result<Vec<NewAlert>, Unrecognized> {
        parse_signed(None, headers, body)
    }

    fn parse_signed(
        signed_id: Option<&str>,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Result<Vec<NewAlert>, Unrecognized> {
        let value: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let ctx = Context {
            signed_id: signed_id.map(str::to_owned),
            ..Context::default()
        };
        Generic::named("generic").parse(&value, &delivery(headers, body), &ctx)
    }

    #[test]
    fn the_sample_maps_title_severity_subject_link_and_time() {
        let alerts = parse(&[], Generic::named("generic").sample()).unwrap_or_default();
        let alert = &alerts[0];
        assert_eq!(
            alert.title,
            "New sign-in to your account from an unrecognized device"
        );
        assert_eq!(alert.severity, Severity::High);
        assert_eq!(alert.subject, "alex@example.com");
        assert_eq!(alert.links, vec!["https://status.example.com/alerts/7781"]);
        assert!(alert.occurred_at.is_some());
        assert!(alert.description.starts_with("A sign-in"));
        assert!(alert.external_id.starts_with("sha256:"));
    }

    #[test]
    fn idempotency_comes_only_from_what_is_signed() {
        let body = r#"{"id": 42, "text": "hi"}"#;
        let key = |signed: Option<&str>, h: &[(&str, &str)]| {
            parse_signed(signed, h, body).unwrap_or_default()[0]
                .external_id
                .clone()
        };
        assert_eq!(key(Some("msg_1"), &[("webhook-id", "msg_1")]), "msg_1");
        // Issue 14 row 4: an id header no scheme signed is ignored, so a signed body replayed
        // with a fresh `X-GitHub-Delivery` or `webhook-id` is the same alert.
        assert_eq!(key(None, &[("X-GitHub-Delivery", "gh")]), "42");
        assert_eq!(key(None, &[("webhook-id", "forged")]), "42");
        let no_id = r#"{"text": "hi"}"#;
        let keys: Vec<String> = ["gh-1", "gh-2"]
            .iter()
            .map(|d| {
                parse(&[("X-GitHub-Delivery", d)], no_id).unwrap_or_default()[0]
                    .external_id
                    .clone()
            })
            .collect();
        assert_eq!(keys[0], keys[1]);
        assert!(keys[0].starts_with("sha256:"));
    }

    #[test]
    fn links_are_web_urls_without_credentials() {
        let body = r#"{"url": "https://ops:hunter2hunter2@status.example.com/x",
            "link": "HTTPS://status.example.com/y", "href": "HTTPS://status.example.com/y"}"#;
        let alerts = parse(&[], body).unwrap_or_default();
        assert_eq!(alerts[0].links, vec!["HTTPS://status.example.com/y"]);
    }

    #[test]
    fn titles_lose_bidi_overrides_and_control_characters() {
        let body = r#"{"title": "Invoice \u202egpj.exe\u0007 paid\tnow\r\nsecond line"}"#;
        let alerts = parse(&[], body).unwrap_or_default();
        assert_eq!(alerts[0].title, "Invoice gpj.exe paid now");
    }

    #[test]
    fn an_empty_object_still_makes_an_info_alert() {
        let alerts = parse(&[], "{}").unwrap_or_default();
        assert_eq!(alerts[0].title, "Delivery to src");
        assert_eq!(alerts[0].severity, Severity::Info);
        let ctx = Context {
            lang: crate::lang::Lang::De,
            ..Context::default()
        };
        let de = Generic::named("generic")
            .parse(&serde_json::json!({}), &delivery(&[], "{}"), &ctx)
            .unwrap_or_default();
        assert_eq!(de[0].title, "Zustellung an src");
    }

    #[test]
    fn non_objects_are_unrecognized() {
        assert_eq!(
            parse(&[], "[1,2]"),
            Err(Unrecognized("expected a JSON object, got an array".into()))
        );
    }

    #[test]
    fn fixtures_match_their_golden_alerts() {
        assert!(crate::providers::golden::check("generic") >= 6);
    }

    #[test]
    fn long_titles_are_cut_to_one_line() {
        let long = "x".repeat(500);
        let alerts =
            parse(&[], &format!(r#"{{"title": "{long}\nsecond line"}}"#)).unwrap_or_default();
        assert_eq!(alerts[0].title.chars().count(), 161);
    }
}
