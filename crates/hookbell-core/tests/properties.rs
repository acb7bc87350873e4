//! Properties that must hold for every provider adapter, whatever arrives:
//! - no input makes a parser (or `normalize`) panic;
//! - a secret a provider sends never reaches the alert or the stored copy of the body.

use hookbell_core::providers::{self, Context, Lang};
use hookbell_core::{Delivery, normalize};
use proptest::prelude::*;
use serde_json::{Value, json};

fn delivery(body: Vec<u8>) -> Delivery {
    hookbell_core::testing::json_delivery("prop", body)
}

/// Arbitrary JSON, biased towards the member names providers use so parsers go deep.
fn json_value() -> impl Strategy<Value = Value> {
    let names = prop::sample::select(vec![
        "status",
        "searchId",
        "result",
        "cards",
        "leak",
        "severity",
        "stage",
        "service",
        "credentials",
        "password",
        "usernameHash",
        "exposureID",
        "exposureDetails",
        "passwordType",
        "type",
        "piiAlert",
        "matchedMonitoredItems",
        "monitoredBin",
        "threshold",
        "policies",
        "currentScore",
        "previousScore",
        "controlID",
        "assetID",
        "masked_values",
        "alert_id",
        "_id",
        "$oid",
        "$date",
        "$numberLong",
        "date_register",
        "description_type",
        "name",
        "port",
        "ip",
        "host",
        "event_fingerprint",
        "title",
        "value",
        "score",
        "x",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,24}".prop_map(Value::String),
        prop::sample::select(vec![
            "finished",
            "failed",
            "error",
            "piiAlert",
            "0001-01-01T00:00:00Z",
            "-62135596800000",
            "code_standard",
            "Very High",
            "critical",
            "8080",
            ""
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((names.clone(), inner), 0..8).prop_map(|members| Value::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect()
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_json_makes_a_parser_panic(value in json_value()) {
        let body = serde_json::to_vec(&value).unwrap_or_default();
        for id in providers::ids() {
            let provider = providers::get(id).unwrap_or_else(|| panic!("{id}"));
            for lang in [Lang::En, Lang::De] {
                let _ = normalize(provider, &delivery(body.clone()), &Context::in_lang(lang));
            }
        }
    }

    #[test]
    fn no_bytes_make_normalize_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        for id in providers::ids() {
            let provider = providers::get(id).unwrap_or_else(|| panic!("{id}"));
            let _ = normalize(provider, &delivery(body.clone()), &Context::default());
        }
    }

    #[test]
    fn secrets_never_reach_an_alert_or_the_stored_body(secret in "[A-Za-z0-9!#%&*+,.:;=?@^_~-]{8,40}") {
        for (provider, body) in bodies_with_secret(&secret) {
            let adapter = providers::get(provider).unwrap_or_else(|| panic!("{provider}"));
            let bytes = serde_json::to_vec(&body).unwrap_or_default();
            let normalized = normalize(adapter, &delivery(bytes), &Context::default());
            let normalized = normalized.unwrap_or_else(|e| panic!("{provider}: {e}"));
            let alerts = serde_json::to_string(&normalized.alerts).unwrap_or_default();
            prop_assert!(!alerts.contains(&secret), "{provider}: the secret is in an alert: {alerts}");
            let stored = String::from_utf8_lossy(&normalized.stored_body);
            prop_assert!(!stored.contains(&secret), "{provider}: the secret is in the stored body: {stored}");
        }
    }
}

/// One realistic body per secret-carrying field of each provider, with `secret` in it.
fn bodies_with_secret(secret: &str) -> Vec<(&'static str, Value)> {
    vec![
        (
            "enzoic",
            json!({
                "username": "sample@email.tst", "usernameHash": "de34a09f", "date": "2017-01-17T04:51:05Z",
                "exposureID": "583d", "plaintextPassword": secret, "passwordType": 0,
            }),
        ),
        (
            "enzoic",
            json!({
                "username": "sample@email.tst", "usernameHash": "de34a09f", "date": "2017-01-17T04:51:05Z",
                "exposureID": "583d", "passwordHash": secret, "passwordSalt": format!("{secret}salt"), "passwordType": 8,
            }),
        ),
        (
            "enzoic",
            json!({"monitoredBin": "411111", "date": "2021-01-01T00:00:00Z", "exposureID": "e1", "recoveredCreditCardNumber": secret}),
        ),
        (
            "leakix",
            json!({
                "event_type": "leak", "event_fingerprint": "ab", "ip": "127.0.0.1", "host": "h", "port": "22",
                "service": {"credentials": {"noauth": false, "username": "root", "password": secret, "key": format!("k{secret}"), "raw": format!("r{secret}")}},
                "leak": {"severity": "high", "stage": "open", "type": "credentials"},
            }),
        ),
        (
            "osintly",
            json!({
                "searchId": "4a8c", "status": "finished",
                "result": {"breached_accounts": [{"site": "example.com", "password": secret}], "leaked_data": {}, "cards": [], "registered_accounts": null},
                "search": {"id": "4a8c", "value": "target@example.com", "type": "Email Address"},
            }),
        ),
        (
            "generic",
            json!({"title": "leak", "password": secret, "nested": [{"api_key": secret}]}),
        ),
        (
            "gitguardian",
            json!({
                "source": "GitGuardian", "action": "incident_triggered",
                "incident": {"id": 3759, "severity": "high", "detector": {"display_name": "Slack Bot Token"},
                    "share_url": format!("https://dashboard.gitguardian.com/share/incidents/{secret}")},
            }),
        ),
        (
            "gitguardian",
            json!({"action": "test", "matches": [{"type": "apikey", "match": secret}]}),
        ),
        (
            "canarytokens",
            json!({
                "channel": "HTTP", "token_type": "web", "token": "ozfjq2cfmc1wppq6grlafkgzv",
                "time": "2026-11-21 22:46:58 (UTC)", "memo": "finance share",
                "manage_url": format!("https://canarytokens.org/manage?token=ozfjq2cfmc1wppq6grlafkgzv&auth={secret}"),
            }),
        ),
        (
            "canarytokens",
            json!({
                "channel": "HTTP", "token_type": "aws_keys", "token": "k3x9", "memo": "build-01",
                "manage_url": format!("https://canarytokens.org/nest/manage/{secret}/k3x9"),
            }),
        ),
    ]
}
