#![allow(dead_code)] // each target uses only part of this module
//! Shared by the fuzz targets: a delivery around fuzzer bytes, and a structured request for
//! the signature verifiers.

use chrono::{DateTime, Utc};
use hookbell_core::providers::{self, Context, Lang};
use hookbell_core::{Auth, Delivery, Headers, normalize};

/// A fixed "now", so a run is reproducible.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_763_812_800, 0).unwrap_or_default()
}

/// Runs `normalize` for `provider` on `body`, in both languages.
pub fn parse(provider: &str, body: &[u8]) {
    let Some(adapter) = providers::get(provider) else {
        return;
    };
    for lang in [Lang::En, Lang::De] {
        let delivery = Delivery {
            source_id: "fuzz".into(),
            received_at: now(),
            peer: None,
            headers: [("content-type", "application/json")]
                .into_iter()
                .collect::<Headers>(),
            body: body.to_vec(),
        };
        let _ = normalize(adapter, &delivery, &Context::in_lang(lang));
    }
}

/// A request as a verifier sees it: the headers it reads, any extra ones, and the body.
#[derive(Debug, arbitrary::Arbitrary)]
pub struct Request {
    pub signature: String,
    pub timestamp: String,
    pub id: String,
    pub authorization: String,
    pub extra: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
    pub sign_first: bool,
}

/// Verifies `request` against `auth`; when `sign_first`, with a genuine signature of the body
/// (so the accepting path is explored too), which must verify.
pub fn verify(auth: &Auth, request: &Request) {
    let mut headers = Headers::new();
    if request.sign_first {
        for (name, value) in auth
            .sign(&request.body, now(), &request.id)
            .unwrap_or_default()
        {
            headers.push(&name, value);
        }
    } else {
        for name in ["x-signature", "webhook-signature", "x-hub-signature-256"] {
            headers.push(name, request.signature.as_bytes());
        }
        for name in ["x-timestamp", "webhook-timestamp"] {
            headers.push(name, request.timestamp.as_bytes());
        }
        headers.push("webhook-id", request.id.as_bytes());
        headers.push("authorization", request.authorization.as_bytes());
    }
    for (name, value) in &request.extra {
        headers.push(name, value.clone());
    }
    let delivery = Delivery {
        source_id: "fuzz".into(),
        received_at: now(),
        peer: None,
        headers,
        body: request.body.clone(),
    };
    let verdict = auth.verify(&delivery);
    if request.sign_first && request.extra.is_empty() && !request.id.contains(char::is_whitespace) {
        assert!(
            verdict.is_ok(),
            "a genuine signature was refused: {verdict:?}"
        );
    }
}
