//! From raw bytes to alerts: the body checks every delivery goes through, then the provider
//! adapter, with the unrecognized fallback so that valid JSON is never dropped.

use serde_json::Value;

use crate::alert::{Alert, Severity};
use crate::delivery::Delivery;
use crate::providers::generic::{body_hash, json_kind};
use crate::providers::{Context, NewAlert, Provider, Upstream};

/// Why a body cannot be read at all; such a delivery is quarantined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// Nothing was sent.
    #[error("the body is empty; expected a JSON document")]
    Empty,
    /// Bytes that are not UTF-8.
    #[error("the body is not UTF-8 text (invalid byte at offset {0}); expected a JSON document")]
    NotUtf8(usize),
    /// JSON nested deeper than the parser allows.
    #[error("the body's JSON is nested too deeply (more than 128 levels)")]
    TooDeep,
    /// Text that is not JSON.
    #[error("the body is not valid JSON{content_type}: {reason}")]
    NotJson {
        /// Where the parser stopped and why.
        reason: String,
        /// ` (Content-Type: …)` when the sender declared a type, to help the reader.
        content_type: String,
    },
}

/// The outcome of reading a delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    /// The alerts it carries: at least one, unless the provider acknowledged the delivery as
    /// one with nothing to alert ([`Normalized::acknowledged`]).
    pub alerts: Vec<NewAlert>,
    /// Whether the provider says the delivery needs no alert ([`Provider::acknowledge`], e.g.
    /// GitHub's `ping`).
    pub acknowledged: bool,
    /// The body as it may be stored: always the masked re-serialisation of the parsed body,
    /// never the bytes as they came (duplicate members, numbers and odd spacing could hide a
    /// secret from a byte-for-byte copy).
    pub stored_body: Vec<u8>,
}

/// Checks the body, parses it with `provider`, and masks secrets before anything is kept.
pub fn normalize(
    provider: &dyn Provider,
    delivery: &Delivery,
    ctx: &Context,
) -> Result<Normalized, BodyError> {
    let mut body = parse_body(delivery, provider.form_field())?;
    let acknowledged = provider.acknowledge(&body, delivery);
    // Parse the body as it came (adapters mask what they copy), then mask it once: the copy we
    // keep, and the payload of an unrecognized delivery, are that masked body.
    let parsed = if acknowledged {
        Ok(Vec::new())
    } else {
        provider.parse(&body, delivery, ctx)
    };
    mask_body(provider, &mut body);
    let alerts = match parsed {
        Ok(mut alerts) if !alerts.is_empty() || acknowledged => {
            // The provider's masking and the policy under every adapter: nothing
            // secret-named or secret-shaped survives in what an alert shows, whatever the
            // adapter copied.
            for alert in &mut alerts {
                scrub_alert(provider, alert);
            }
            alerts
        }
        Ok(_) => vec![unrecognized(
            provider,
            &body,
            delivery,
            "the delivery carries no alerts".into(),
        )],
        Err(why) => vec![unrecognized(provider, &body, delivery, why.0)],
    };
    // Written into room for the body as it came (the masked copy is about as long), so the
    // buffer is not grown and copied a dozen times on the way.
    let mut stored_body = Vec::with_capacity(delivery.body.len() + delivery.body.len() / 8);
    crate::json::write(&body, &mut stored_body);
    Ok(Normalized {
        alerts,
        acknowledged,
        stored_body,
    })
}

/// Masks a body as it may be kept: what only `provider`'s reading knows to be secret, then its
/// policy. Returns true when anything changed.
pub fn mask_body(provider: &dyn Provider, body: &mut Value) -> bool {
    let own = provider.redact(body);
    provider.policy().redact(body).changed || own
}

/// The six texts an alert shows, as `&mut String`s ([`NewAlert`] and [`Alert`] name them
/// alike): title, summary, description, recommendation, subject, category.
macro_rules! shown_texts {
    ($alert:expr) => {
        [
            &mut $alert.title,
            &mut $alert.summary,
            &mut $alert.description,
            &mut $alert.recommendation,
            &mut $alert.subject,
            &mut $alert.category,
        ]
    };
}

/// Applies `provider`'s masking ([`Provider::redact`]) and then its policy to everything an
/// alert shows: details, texts, links, and who closed or reopened it upstream and why.
fn scrub_alert(provider: &dyn Provider, alert: &mut NewAlert) {
    scrub_shown(
        provider,
        &mut alert.details,
        shown_texts!(alert),
        &mut alert.links,
    );
    let (by, reason) = match &mut alert.upstream {
        Upstream::Open => (None, None),
        Upstream::Closed { by, reason, .. } => (by.as_mut(), reason.as_mut()),
        Upstream::Reopened { by, .. } | Upstream::Escalated { by, .. } => (by.as_mut(), None),
    };
    for text in by.into_iter().chain(reason) {
        scrub_text(text);
    }
}

/// Applies to an alert already stored what [`normalize`] applies to a new one today, for a
/// store written by an older Hookbell: `provider`'s [`mask_body`] on the kept payload of an
/// unrecognized delivery, then its masking and policy on the details (the upstream record
/// included), the texts (title, summary, description, recommendation, subject, category) and
/// the links. `masked_values` is left as it is (it holds masked forms only). Returns true when
/// the alert changed; applying it twice changes nothing the second time.
pub fn scrub_alert_fields(provider: &dyn Provider, alert: &mut Alert) -> bool {
    // Compared as values: the masking's own flags also report a masked form masked again.
    let before = alert.clone();
    if alert.unrecognized
        && let Some(payload) = alert.details.get_mut("payload")
    {
        mask_body(provider, payload);
    }
    scrub_shown(
        provider,
        &mut alert.details,
        shown_texts!(alert),
        &mut alert.links,
    );
    *alert != before
}

/// `provider`'s masking, then its policy, on an alert's details, texts and links.
fn scrub_shown(
    provider: &dyn Provider,
    details: &mut Value,
    texts: [&mut String; 6],
    links: &mut [String],
) {
    mask_body(provider, details);
    // A provider's masking of strings (a manage or share URL) applies to a link as it does to
    // the same URL in the details.
    for link in links.iter_mut() {
        let mut value = Value::String(std::mem::take(link));
        provider.redact(&mut value);
        if let Value::String(masked) = value {
            *link = masked;
        }
    }
    for text in texts.into_iter().chain(links.iter_mut()) {
        scrub_text(text);
    }
}

/// [`crate::mask::text::scrub`] in place.
fn scrub_text(text: &mut String) {
    if let Some(scrubbed) = crate::mask::text::scrub(text) {
        *text = scrubbed;
    }
}

/// What a body that cannot be parsed may keep: its text, decoded lossily and scrubbed by
/// the policy (as free text, so `"password": …` shaped members are masked too).
pub fn scrubbed_text(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match crate::mask::text::scrub(&text) {
        Some(scrubbed) => scrubbed,
        None => text.into_owned(),
    }
}

/// UTF-8, non-empty, JSON, not too deep. A form-encoded body is read from `form_field` when
/// the provider names one (the signature was checked over the bytes as they came).
fn parse_body(delivery: &Delivery, form_field: Option<&str>) -> Result<Value, BodyError> {
    let decoded;
    let bytes: &[u8] = match form_field.filter(|_| is_form(delivery)) {
        Some(field) => {
            decoded = form_value(&delivery.body, field).ok_or_else(|| BodyError::NotJson {
                reason: format!("the form has no `{field}` field"),
                content_type: " (Content-Type: application/x-www-form-urlencoded)".into(),
            })?;
            &decoded
        }
        None => &delivery.body,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| BodyError::NotUtf8(e.valid_up_to()))?;
    if text.trim().is_empty() {
        return Err(BodyError::Empty);
    }
    // serde_json refuses nesting beyond 128 levels without recursing further, so a
    // pathological body cannot exhaust the stack.
    serde_json::from_str(text).map_err(|e| {
        if e.to_string().contains("recursion limit") {
            return BodyError::TooDeep;
        }
        let content_type = delivery
            .headers
            .get("content-type")
            .filter(|ct| !ct.contains("json"))
            .map(|ct| {
                format!(
                    " (Content-Type: {})",
                    ct.chars().take(80).collect::<String>()
                )
            })
            .unwrap_or_default();
        BodyError::NotJson {
            reason: e.to_string(),
            content_type,
        }
    })
}

/// Whether the delivery says it is form-encoded.
fn is_form(delivery: &Delivery) -> bool {
    delivery.headers.get("content-type").is_some_and(|ct| {
        ct.split(';').next().is_some_and(|mime| {
            mime.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    })
}

/// The decoded value of the first `field` of an `application/x-www-form-urlencoded` body
/// (`+` is a space, `%XX` a byte; a malformed escape is kept as it is).
fn form_value(body: &[u8], field: &str) -> Option<Vec<u8>> {
    body.split(|b| *b == b'&').find_map(|pair| {
        let mut parts = pair.splitn(2, |b| *b == b'=');
        let name = parts.next()?;
        (percent_decode(name) == field.as_bytes())
            .then(|| percent_decode(parts.next().unwrap_or_default()))
    })
}

fn percent_decode(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        let hex = |at: usize| text.get(at).and_then(|h| (*h as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(u8::try_from(hi * 16 + lo).unwrap_or_default());
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// A valid JSON body the adapter could not read, kept whole so nothing is lost: `masked` is
/// the body already masked by the adapter's own rules and its policy ([`mask_body`]: a
/// near-miss of its shape may still carry its secrets), and is not masked again.
fn unrecognized(
    provider: &dyn Provider,
    masked: &Value,
    delivery: &Delivery,
    why: String,
) -> NewAlert {
    let mut alert = NewAlert {
        external_id: body_hash(&delivery.body),
        severity: Severity::Info,
        title: format!("Unrecognized delivery to {}", delivery.source_id),
        summary: format!(
            "Hookbell kept this delivery ({}) but could not read it: {why}.",
            json_kind(masked)
        ),
        description: String::new(),
        recommendation:
            "Check that the source's provider is set correctly; the payload is kept in full below."
                .into(),
        subject: String::new(),
        category: "unrecognized".into(),
        occurred_at: None,
        unrecognized: true,
        masked_values: Vec::new(),
        links: Vec::new(),
        details: serde_json::json!({ "reason": why }),
        upstream: crate::providers::Upstream::Open,
    };
    // The reason comes from the adapter and may quote the body: it is scrubbed as any alert's
    // details are; the payload is masked already.
    scrub_alert(provider, &mut alert);
    if let Value::Object(details) = &mut alert.details {
        details.insert("payload".into(), masked.clone());
    }
    alert
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers;

    fn run(body: &[u8], content_type: &str) -> Result<Normalized, BodyError> {
        let delivery = crate::testing::delivery("s", &[("content-type", content_type)], body);
        let generic = providers::get("generic").ok_or(BodyError::Empty)?;
        normalize(generic, &delivery, &Context::default())
    }

    #[test]
    fn bodies_that_are_not_json_get_clear_errors() {
        assert_eq!(run(b"", "application/json"), Err(BodyError::Empty));
        assert_eq!(run(b"  \n", "application/json"), Err(BodyError::Empty));
        assert_eq!(
            run(b"{\"a\":\"\xff\"}", "application/json"),
            Err(BodyError::NotUtf8(6))
        );
        let deep = "[".repeat(100_000);
        assert_eq!(
            run(deep.as_bytes(), "application/json"),
            Err(BodyError::TooDeep)
        );
        let form = run(b"a=1&b=2", "application/x-www-form-urlencoded");
        let message = form.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.contains("not valid JSON (Content-Type: application/x-www-form-urlencoded)"),
            "{message}"
        );
    }

    #[test]
    fn unexpected_shapes_are_kept_as_unrecognized() {
        let out = run(
            b"[\"a\", {\"password\": \"hunter22hunter\"}]",
            "application/json",
        );
        let out = out.unwrap_or_else(|e| panic!("{e}"));
        assert!(out.alerts[0].unrecognized);
        assert_eq!(out.alerts[0].details["payload"][0], "a");
        assert!(!out.alerts[0].details.to_string().contains("hunter22hunter"));
        assert!(!String::from_utf8_lossy(&out.stored_body).contains("hunter22hunter"));
    }

    #[test]
    fn the_stored_body_is_always_the_masked_re_serialisation() {
        let body = b"{ \"title\" : \"spacing gone\" }";
        let out = run(body, "text/plain").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.stored_body, br#"{"title":"spacing gone"}"#);
        assert!(!out.alerts[0].unrecognized);
        // Issue 14 row 2: the parsed value keeps the last of two members, which needs no
        // masking; the raw bytes still held the first.
        let out = run(
            br#"{"password":"hunter2hunter2","password":""}"#,
            "application/json",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(!String::from_utf8_lossy(&out.stored_body).contains("hunter2hunter2"));
        let out = run(
            br#"{"password":12345678,"apiKey":["k-1234567890"]}"#,
            "application/json",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let stored = String::from_utf8_lossy(&out.stored_body);
        assert!(
            !stored.contains("12345678") && !stored.contains("k-1234567890"),
            "{stored}"
        );
        let shown = out.alerts[0].details.to_string();
        assert!(
            !shown.contains("12345678") && !shown.contains("k-1234567890"),
            "{shown}"
        );
    }

    #[test]
    fn a_stored_alert_is_scrubbed_as_a_new_one_would_be_once() {
        let generic = providers::get("generic").unwrap_or_else(|| panic!("generic"));
        let mut alert = crate::testing::sample_alert();
        alert.details = serde_json::json!({"password": 12345678, "apiKey": ["k-1234567890"]});
        alert.title = "Leaked: DB_PASSWORD=hunter2hunter2".into();
        alert.links = vec!["https://alex:hunter3hunter3@example.com/x".into()];
        alert.masked_values = vec![crate::MaskedValue::as_sent("password", "hu****2", true)];
        let kept = alert.masked_values.clone();
        assert!(scrub_alert_fields(generic, &mut alert));
        let shown = serde_json::to_string(&alert).unwrap_or_default();
        for secret in [
            "12345678",
            "k-1234567890",
            "hunter2hunter2",
            "hunter3hunter3",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert_eq!(alert.masked_values, kept);
        let once = alert.clone();
        assert!(
            !scrub_alert_fields(generic, &mut alert),
            "twice changes nothing"
        );
        assert_eq!(alert, once);

        // An unrecognized delivery's payload also gets the provider's own masking.
        let enzoic = providers::get("enzoic").unwrap_or_else(|| panic!("enzoic"));
        let mut alert = crate::testing::sample_alert();
        alert.unrecognized = true;
        alert.details = serde_json::json!({"reason": "x", "payload": {
            "matchedMonitoredItems": {"creditCards": [{"foundValue": "5555555555554444"}]},
            "rawMatchSource": "x;T22000129;5555555555554444"
        }});
        let mut expected = alert.details["payload"].clone();
        mask_body(enzoic, &mut expected);
        assert!(scrub_alert_fields(enzoic, &mut alert));
        assert!(!alert.details.to_string().contains("5555555555554444"));
        assert_eq!(alert.details["payload"], expected);
    }

    #[test]
    fn unreadable_bodies_keep_only_scrubbed_text() {
        let body = b"{\"plaintextPassword\": \"caf\xe9-hunter2!\", \"apiKey\": [\"k-1234567890\"";
        let text = scrubbed_text(body);
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!text.contains("k-1234567890"), "{text}");
        assert!(
            text.contains("plaintextPassword"),
            "the shape stays readable: {text}"
        );
    }
}
