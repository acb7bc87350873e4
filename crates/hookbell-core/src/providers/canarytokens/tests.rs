use serde_json::json;

use super::*;
use crate::providers::golden;

fn delivery(body: &Value) -> Delivery {
    crate::testing::delivery("canarytokens", &[], body.to_string())
}

fn parse_in(body: &Value, lang: Lang) -> NewAlert {
    match Canarytokens.parse(body, &delivery(body), &Context::in_lang(lang)) {
        Ok(mut alerts) if alerts.len() == 1 => alerts.remove(0),
        other => panic!("expected one alert, got {other:?}"),
    }
}

fn parse(body: &Value) -> NewAlert {
    parse_in(body, Lang::En)
}

fn fixture(name: &str) -> Value {
    golden::fixture("canarytokens", name)
}

fn normalized(body: &Value) -> crate::normalize::Normalized {
    crate::normalize::normalize(&Canarytokens, &delivery(body), &Context::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn golden_files() {
    assert!(golden::check("canarytokens") >= 8);
}

#[test]
fn a_triggered_token_is_critical_and_the_test_payload_is_not_a_tripwire() {
    for name in [
        "sample.json",
        "aws-keys.json",
        "dns.de.json",
        "minimal.json",
    ] {
        let alert = parse(&fixture(name));
        assert_eq!(alert.severity, Severity::Critical, "{name}");
        assert_eq!(alert.category, "canarytoken", "{name}");
    }
    // Through normalize (as the engine reads it): acknowledged, no alert at all.
    let test = fixture("test-payload.json");
    let out = normalized(&test);
    assert!(out.alerts.is_empty(), "{:?}", out.alerts);
    assert!(out.acknowledged);
    // Only the test token is acknowledged.
    for name in ["sample.json", "aws-keys.json", "exposed.json"] {
        assert!(!normalized(&fixture(name)).acknowledged, "{name}");
    }
    assert_eq!(parse(&fixture("exposed.json")).severity, Severity::High);
}

#[test]
fn the_manage_url_auth_is_masked_everywhere() {
    let secrets = [
        "8f3e2c1b9a7d6e5f4c3b2a1908f7e6d5",
        "c4b1a9e8d7f60512a3b4c5d6e7f80912",
    ];
    for name in ["sample.json", "aws-keys.json"] {
        let body = fixture(name);
        let out = normalized(&body);
        let everything = format!(
            "{}{}",
            serde_json::to_string(&out.alerts).unwrap_or_default(),
            String::from_utf8_lossy(&out.stored_body)
        );
        for secret in secrets {
            assert!(
                !everything.contains(secret),
                "{name}: {secret} in {everything}"
            );
        }
        let source = out.alerts[0].details["source"].to_string();
        assert!(source.contains("user_agent"), "{name}: {source}");
        assert!(!source.contains("manage"), "{name}: {source}");
        let shown = out.alerts[0].details["canarytokens"]["manage_url"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(shown.starts_with("https://canarytokens.org/"), "{shown}");
        assert!(shown.contains('*'), "{shown}");
    }
}

#[test]
fn a_manage_url_in_the_referer_or_location_is_masked_in_the_details() {
    // The adapter copies `additional_data.referer` and `.location` into `details.source`:
    // the provider's masking runs over every alert's details, not only the stored body.
    let auth = "5e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b";
    let mut body = fixture("sample.json");
    body["additional_data"]["referer"] = json!(format!(
        "https://canarytokens.org/manage?token=t0k3n&auth={auth}"
    ));
    body["additional_data"]["location"] = json!(format!(
        "https://canarytokens.org/nest/history/{auth}/t0k3n"
    ));
    let out = normalized(&body);
    let alert = &out.alerts[0];
    let everything = format!(
        "{}{}",
        serde_json::to_string(&out.alerts).unwrap_or_default(),
        String::from_utf8_lossy(&out.stored_body)
    );
    assert!(!everything.contains(auth), "{everything}");
    let referer = alert.details["source"]["referer"]
        .as_str()
        .unwrap_or_default();
    assert!(
        referer.starts_with("https://canarytokens.org/manage?token=") && referer.contains('*'),
        "the referer stays readable: {referer}"
    );
}

#[test]
fn manage_urls_are_masked_in_both_forms_and_once() {
    assert_eq!(
        mask_manage_url("https://canarytokens.org/manage?token=abc&auth=0123456789abcdef"),
        "https://canarytokens.org/manage?token=abc&auth=01************ef"
    );
    assert_eq!(
        mask_manage_url("https://canarytokens.org/nest/manage/0123456789abcdef/tok12345678"),
        "https://canarytokens.org/nest/manage/01************ef/to*******78"
    );
    assert_eq!(
        mask_manage_url("https://canarytokens.org/history?AUTH=0123456789abcdef"),
        "https://canarytokens.org/history?AUTH=01************ef"
    );
    // The host is never taken for a secret, even when it is named like the path word.
    assert_eq!(
        mask_manage_url("https://manage/x?auth=abcdefghij"),
        "https://manage/x?auth=ab******ij"
    );
    let mut body = json!({
        "history_url": "https://canarytokens.org/history?token=t&auth=0123456789abcdef",
        "nested": [{"note": "https://x.example/nest/history/0123456789abcdef/t"}],
        "referer": "https://www.example.com/page"
    });
    assert!(Canarytokens.redact(&mut body));
    assert!(!body.to_string().contains("0123456789abcdef"), "{body}");
    assert_eq!(body["referer"], "https://www.example.com/page");
    let once = body.clone();
    assert!(!Canarytokens.redact(&mut body));
    assert_eq!(body, once);
}

#[test]
fn aws_keys_trips_name_the_calls_and_the_caller() {
    let alert = parse(&fixture("aws-keys.json"));
    assert!(
        alert.summary.contains("GetCallerIdentity"),
        "{}",
        alert.summary
    );
    assert!(alert.summary.contains("109.70.100.9"), "{}", alert.summary);
    assert!(alert.summary.contains("Tor"), "{}", alert.summary);
    assert!(
        alert.recommendation.contains("AWS"),
        "{}",
        alert.recommendation
    );
    assert_eq!(
        alert.subject,
        "Fake AWS keys in ~/.aws/credentials on build-01"
    );
}

#[test]
fn the_key_never_holds_the_token_in_clear_and_repeats_are_duplicates() {
    let body = fixture("sample.json");
    let first = parse(&body);
    assert!(!first.external_id.contains("ozfjq2cfmc1wppq6grlafkgzv"));
    assert_eq!(parse(&body).external_id, first.external_id);
    let mut later = body.clone();
    later["time"] = json!("2026-11-21 23:10:00 (UTC)");
    assert_ne!(parse(&later).external_id, first.external_id);
    let mut other = body;
    other["token"] = json!("another-token-0000000000");
    assert_ne!(parse(&other).external_id, first.external_id);
}

#[test]
fn time_is_read_in_canarytokens_format() {
    let alert = parse(&fixture("sample.json"));
    assert_eq!(
        read::time_value(alert.occurred_at).as_deref(),
        Some("2026-11-21T22:46:58Z")
    );
    let mut exposed = fixture("exposed.json");
    exposed["exposed_time"] = json!("2026-11-20 08:00:01 (UTC)");
    assert_eq!(
        read::time_value(parse(&exposed).occurred_at).as_deref(),
        Some("2026-11-20T08:00:01Z")
    );
}

#[test]
fn other_shapes_are_unrecognized() {
    for body in [json!([]), json!({}), json!({"event": "push"}), json!("x")] {
        assert!(
            Canarytokens
                .parse(&body, &delivery(&body), &Context::default())
                .is_err(),
            "{body}"
        );
    }
}

#[test]
fn german_text_reads_german() {
    let alert = parse_in(&fixture("sample.json"), Lang::De);
    assert!(
        alert.title.starts_with("Canarytoken ausgelöst"),
        "{}",
        alert.title
    );
    assert!(alert.summary.contains("ausgelöst"), "{}", alert.summary);
}
