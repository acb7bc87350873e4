//! From raw bytes to alerts: the body checks every delivery goes through, then the provider
//! adapter, with the unrecognized fallback so that valid JSON is never dropped.

use serde_json::Value;

use crate::alert::Severity;
use crate::delivery::Delivery;
use crate::providers::generic::{body_hash, json_kind};
use crate::providers::{Context, NewAlert, Provider};

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
    /// The alerts it carries (at least one).
    pub alerts: Vec<NewAlert>,
    /// The body as it may be stored: the exact bytes, or a masked re-encoding when the
    /// provider found secrets in it.
    pub stored_body: Vec<u8>,
}

/// Checks the body, parses it with `provider`, and masks secrets before anything is kept.
pub fn normalize(
    provider: &dyn Provider,
    delivery: &Delivery,
    ctx: &Context,
) -> Result<Normalized, BodyError> {
    let mut body = parse_body(delivery)?;
    // Parse first (adapters mask what they copy), then mask the copy of the body we keep.
    let mut alerts = match provider.parse(&body, delivery, ctx) {
        Ok(alerts) if !alerts.is_empty() => alerts,
        Ok(_) => vec![unrecognized(
            provider,
            &body,
            delivery,
            "the delivery carries no alerts".into(),
        )],
        Err(why) => vec![unrecognized(provider, &body, delivery, why.0)],
    };
    // A safety net under every adapter: well-known secret members never survive in details.
    for alert in &mut alerts {
        crate::mask::redact_json(&mut alert.details);
    }
    let stored_body = if provider.redact(&mut body) {
        serde_json::to_vec(&body).unwrap_or_default()
    } else {
        delivery.body.clone()
    };
    Ok(Normalized {
        alerts,
        stored_body,
    })
}

/// UTF-8, non-empty, JSON, not too deep.
fn parse_body(delivery: &Delivery) -> Result<Value, BodyError> {
    let text =
        std::str::from_utf8(&delivery.body).map_err(|e| BodyError::NotUtf8(e.valid_up_to()))?;
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

/// A valid JSON body the adapter could not read, kept whole so nothing is lost, masked by the
/// adapter's own rules (a near-miss of its shape may still carry its secrets).
fn unrecognized(
    provider: &dyn Provider,
    body: &Value,
    delivery: &Delivery,
    why: String,
) -> NewAlert {
    let mut payload = body.clone();
    provider.redact(&mut payload);
    NewAlert {
        external_id: body_hash(&delivery.body),
        severity: Severity::Info,
        title: format!("Unrecognized delivery to {}", delivery.source_id),
        summary: format!(
            "Hookbell kept this delivery ({}) but could not read it: {why}.",
            json_kind(body)
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
        details: serde_json::json!({ "reason": why, "payload": payload }),
    }
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
    fn clean_bodies_are_stored_byte_for_byte() {
        let body = b"{ \"title\" : \"spacing kept\" }";
        let out = run(body, "text/plain").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.stored_body, body);
        assert!(!out.alerts[0].unrecognized);
    }
}
