use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::delivery::{Delivery, Headers};

fn delivery(headers: &[(&str, &str)], body: &[u8], received_at: DateTime<Utc>) -> Delivery {
    Delivery {
        source_id: "test".into(),
        received_at,
        peer: None,
        headers: headers.iter().copied().collect::<Headers>(),
        body: body.to_vec(),
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 3, 14, 21, 30)
        .single()
        .unwrap_or_default()
}

/// Signs with `auth`, then verifies the same bytes: the round trip every scheme must pass.
fn round_trip(auth: &Auth) -> Result<(), AuthError> {
    let body = br#"{"hello":"world"}"#;
    let headers = auth.sign(body, now(), "msg_1")?;
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    auth.verify(&delivery(&pairs, body, now()))
}

fn all_schemes() -> Vec<Auth> {
    vec![
        Auth::None,
        Auth::Basic {
            username: "KEY".into(),
            password: "SECRET".into(),
        },
        Auth::Bearer {
            token: "tok".into(),
        },
        Auth::Header {
            name: "X-Api-Key".into(),
            value: "k1".into(),
        },
        Auth::HmacSha256 {
            secret: "super-secret-webhook-key".into(),
            signature_header: "X-Osintly-Signature".into(),
            timestamp_header: "X-Osintly-Timestamp".into(),
            tolerance_secs: 300,
        },
        Auth::StandardWebhooks {
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
            tolerance_secs: 300,
        },
        Auth::Github {
            secret: "gh".into(),
        },
        Auth::Gitguardian {
            secret: "gg-signature-token".into(),
            tolerance_secs: 300,
        },
    ]
}

#[test]
fn schemes_lists_every_variants_scheme_once() {
    // Exhaustive, without a wildcard: a new variant does not compile until it is placed here,
    // and then `all_schemes` must build it for the count below to hold.
    let variant = |auth: &Auth| match auth {
        Auth::None => 0,
        Auth::Basic { .. } => 1,
        Auth::Bearer { .. } => 2,
        Auth::Header { .. } => 3,
        Auth::HmacSha256 { .. } => 4,
        Auth::StandardWebhooks { .. } => 5,
        Auth::Github { .. } => 6,
        Auth::Gitguardian { .. } => 7,
    };
    let all = all_schemes();
    let mut variants: Vec<usize> = all.iter().map(variant).collect();
    variants.sort_unstable();
    variants.dedup();
    assert_eq!(
        variants,
        (0..8).collect::<Vec<_>>(),
        "all_schemes builds every variant"
    );
    let schemes: Vec<&str> = all.iter().map(Auth::scheme).collect();
    assert_eq!(schemes, Auth::SCHEMES);
}

#[test]
fn every_scheme_accepts_what_it_signs() {
    for auth in all_schemes() {
        assert_eq!(round_trip(&auth), Ok(()), "scheme {}", auth.scheme());
    }
}

#[test]
fn every_scheme_but_none_rejects_a_bare_request() {
    for auth in all_schemes().into_iter().skip(1) {
        let err = auth.verify(&delivery(&[], b"{}", now()));
        assert!(
            matches!(err, Err(AuthError::Missing { .. })),
            "scheme {}: {err:?}",
            auth.scheme()
        );
    }
}

#[test]
fn every_signing_scheme_rejects_a_changed_body() {
    for auth in all_schemes().into_iter().skip(1) {
        let headers = auth.sign(b"{\"a\":1}", now(), "msg_1").unwrap_or_default();
        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let result = auth.verify(&delivery(&pairs, b"{\"a\":2}", now()));
        let body_bound = matches!(
            auth,
            Auth::HmacSha256 { .. }
                | Auth::StandardWebhooks { .. }
                | Auth::Github { .. }
                | Auth::Gitguardian { .. }
        );
        assert_eq!(result.is_err(), body_bound, "scheme {}", auth.scheme());
    }
}

#[test]
fn standard_webhooks_passes_the_published_test_vector() {
    let auth = Auth::StandardWebhooks {
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
        tolerance_secs: 300,
    };
    let received = DateTime::from_timestamp(1_614_265_330, 0).unwrap_or_default();
    let headers = [
        ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
        ("webhook-timestamp", "1614265330"),
        (
            "webhook-signature",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ),
    ];
    let body = br#"{"test": 2432232314}"#;
    assert_eq!(auth.verify(&delivery(&headers, body, received)), Ok(()));

    // Several signatures (key rotation): one valid among others is enough.
    let rotated = [
        headers[0],
        headers[1],
        (
            "webhook-signature",
            "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,abc v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ),
    ];
    assert_eq!(auth.verify(&delivery(&rotated, body, received)), Ok(()));

    // The same signature on another message id fails.
    let wrong_id = [("webhook-id", "msg_other"), headers[1], headers[2]];
    assert_eq!(
        auth.verify(&delivery(&wrong_id, body, received)),
        Err(AuthError::Mismatch("signatures"))
    );

    // Five minutes and one second late is stale; five minutes is not.
    let late = received + chrono::Duration::seconds(301);
    assert!(matches!(
        auth.verify(&delivery(&headers, body, late)),
        Err(AuthError::Stale { .. })
    ));
    let edge = received + chrono::Duration::seconds(300);
    assert_eq!(auth.verify(&delivery(&headers, body, edge)), Ok(()));
}

#[test]
fn hmac_sha256_signs_timestamp_then_body_like_osintly() {
    // The vendor's Node example: createHmac("sha256", secret).update(timestamp + rawBody).
    let secret = "super-secret-webhook-key";
    let ts = now().timestamp().to_string();
    let body = br#"{"searchId":"4a8c"}"#;
    let mut mac = hmac(secret.as_bytes());
    mac.update(format!("{ts}{}", std::str::from_utf8(body).unwrap_or_default()).as_bytes());
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));

    let auth = Auth::HmacSha256 {
        secret: secret.into(),
        signature_header: DEFAULT_SIGNATURE_HEADER.into(),
        timestamp_header: DEFAULT_TIMESTAMP_HEADER.into(),
        tolerance_secs: 300,
    };
    // Header names are looked up case-insensitively; hex may be upper case.
    let upper = format!(
        "sha256={}",
        expected.trim_start_matches("sha256=").to_uppercase()
    );
    let headers = [
        ("x-timestamp", ts.as_str()),
        ("x-signature", upper.as_str()),
    ];
    assert_eq!(auth.verify(&delivery(&headers, body, now())), Ok(()));

    let stale = now() + chrono::Duration::seconds(3600);
    assert_eq!(
        auth.verify(&delivery(&headers, body, stale)),
        Err(AuthError::Stale {
            distance_secs: 3600,
            tolerance_secs: 300
        })
    );
    let garbage = [("x-timestamp", ts.as_str()), ("x-signature", "md5=00")];
    assert!(matches!(
        auth.verify(&delivery(&garbage, body, now())),
        Err(AuthError::Malformed { .. })
    ));
}

#[test]
fn timestamps_in_millis_and_rfc3339_are_read() {
    let t = now();
    assert_eq!(parse_timestamp(&t.timestamp().to_string()), Some(t));
    assert_eq!(parse_timestamp(&t.timestamp_millis().to_string()), Some(t));
    assert_eq!(parse_timestamp("2026-03-03T14:21:30Z"), Some(t));
    assert_eq!(parse_timestamp("yesterday"), None);
}

#[test]
fn basic_accepts_lowercase_scheme_and_rejects_wrong_password() {
    let auth = Auth::Basic {
        username: "KEY".into(),
        password: "SECRET".into(),
    };
    let good = format!("basic {}", B64.encode("KEY:SECRET"));
    assert_eq!(
        auth.verify(&delivery(&[("authorization", &good)], b"", now())),
        Ok(())
    );
    let bad = format!("Basic {}", B64.encode("KEY:WRONG"));
    assert_eq!(
        auth.verify(&delivery(&[("Authorization", &bad)], b"", now())),
        Err(AuthError::Mismatch("user name and password"))
    );
    let bearer = [("Authorization", "Bearer KEY")];
    assert!(matches!(
        auth.verify(&delivery(&bearer, b"", now())),
        Err(AuthError::Malformed { .. })
    ));
}

#[test]
fn errors_never_echo_secrets() {
    let auth = Auth::Bearer {
        token: "hunter2-token".into(),
    };
    let err = auth
        .verify(&delivery(
            &[("Authorization", "Bearer guess-token")],
            b"",
            now(),
        ))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(!err.contains("hunter2") && !err.contains("guess"), "{err}");
    assert!(!format!("{auth:?}").contains("hunter2"));
}

#[test]
fn config_spelling_matches_the_contract() {
    let auth: Auth = toml::from_str(
        r#"scheme = "hmac-sha256"
secret = "s"
signature_header = "X-Signature"
timestamp_header = "X-Timestamp"
tolerance_secs = 300"#,
    )
    .unwrap_or(Auth::None);
    assert_eq!(auth.scheme(), "hmac-sha256");
    let defaults: Auth =
        toml::from_str("scheme = \"hmac-sha256\"\nsecret = \"s\"").unwrap_or(Auth::None);
    assert_eq!(
        defaults,
        Auth::HmacSha256 {
            secret: "s".into(),
            signature_header: "X-Signature".into(),
            timestamp_header: "X-Timestamp".into(),
            tolerance_secs: 300
        }
    );
    for scheme in [
        "none",
        "basic",
        "bearer",
        "header",
        "standard-webhooks",
        "github",
        "gitguardian",
    ] {
        let found = all_schemes().iter().any(|a| a.scheme() == scheme);
        assert!(found, "{scheme}");
    }
}

#[test]
fn github_passes_its_published_vector() {
    // From GitHub's "Validating webhook deliveries" documentation.
    let auth = Auth::Github {
        secret: "It's a Secret to Everybody".into(),
    };
    let sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    let ok = delivery(&[("X-Hub-Signature-256", sig)], b"Hello, World!", now());
    assert_eq!(auth.verify(&ok), Ok(()));
    let other_body = delivery(&[("X-Hub-Signature-256", sig)], b"Hello, World?", now());
    assert_eq!(
        auth.verify(&other_body),
        Err(AuthError::Mismatch("signature"))
    );
}

#[test]
fn hmac_sha256_passes_a_hand_computed_vector() {
    // python3: hmac.new(b"super-secret-webhook-key", b"1772547690" + body, sha256).hexdigest()
    let body = br#"{"searchId":"4a8cbb96-70df-4bd6-8f4a-9c0bf5ffde1f","status":"finished"}"#;
    let sig = "sha256=9561274501dd8fbf148439160d7badcabdf614188b5a92c388f7c8a5ec2b3655";
    let auth = Auth::HmacSha256 {
        secret: "super-secret-webhook-key".into(),
        signature_header: DEFAULT_SIGNATURE_HEADER.into(),
        timestamp_header: DEFAULT_TIMESTAMP_HEADER.into(),
        tolerance_secs: 300,
    };
    let at = DateTime::from_timestamp(1_772_547_690, 0).unwrap_or_default();
    let headers = [("X-Timestamp", "1772547690"), ("X-Signature", sig)];
    assert_eq!(auth.verify(&delivery(&headers, body, at)), Ok(()));
}

/// Every signing scheme, each with a valid request and a way to spoil it.
fn signing_schemes() -> Vec<Auth> {
    all_schemes()
        .into_iter()
        .filter(|a| {
            matches!(
                a,
                Auth::HmacSha256 { .. }
                    | Auth::StandardWebhooks { .. }
                    | Auth::Github { .. }
                    | Auth::Gitguardian { .. }
            )
        })
        .collect()
}

fn signed(auth: &Auth, body: &[u8], at: DateTime<Utc>) -> Vec<(String, String)> {
    auth.sign(body, at, "msg_1").unwrap_or_default()
}

fn verify_with(
    auth: &Auth,
    headers: &[(String, String)],
    body: &[u8],
    at: DateTime<Utc>,
) -> Result<(), AuthError> {
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    auth.verify(&delivery(&pairs, body, at))
}

#[test]
fn a_wrong_secret_is_refused() {
    for auth in signing_schemes() {
        let wrong = match &auth {
            Auth::HmacSha256 {
                signature_header,
                timestamp_header,
                tolerance_secs,
                ..
            } => Auth::HmacSha256 {
                secret: "another".into(),
                signature_header: signature_header.clone(),
                timestamp_header: timestamp_header.clone(),
                tolerance_secs: *tolerance_secs,
            },
            Auth::StandardWebhooks { tolerance_secs, .. } => Auth::StandardWebhooks {
                secret: "whsec_YW5vdGhlciBzZWNyZXQga2V5IGhlcmU=".into(),
                tolerance_secs: *tolerance_secs,
            },
            Auth::Gitguardian { tolerance_secs, .. } => Auth::Gitguardian {
                secret: "another".into(),
                tolerance_secs: *tolerance_secs,
            },
            _ => Auth::Github {
                secret: "another".into(),
            },
        };
        let headers = signed(&wrong, b"{}", now());
        assert!(
            verify_with(&auth, &headers, b"{}", now()).is_err(),
            "{}",
            auth.scheme()
        );
    }
}

#[test]
fn a_truncated_signature_is_refused() {
    for auth in signing_schemes() {
        let mut headers = signed(&auth, b"{}", now());
        for (name, value) in &mut headers {
            if name.to_ascii_lowercase().contains("signature") {
                value.truncate(value.len() - 4);
            }
        }
        assert!(
            verify_with(&auth, &headers, b"{}", now()).is_err(),
            "{}",
            auth.scheme()
        );
    }
}

#[test]
fn stale_and_future_timestamps_are_refused() {
    for auth in signing_schemes()
        .into_iter()
        .filter(|a| !matches!(a, Auth::Github { .. }))
    {
        for offset in [-301, 301, -86_400, 86_400] {
            let signed_at = now() + chrono::Duration::seconds(offset);
            let headers = signed(&auth, b"{}", signed_at);
            let result = verify_with(&auth, &headers, b"{}", now());
            assert!(
                matches!(result, Err(AuthError::Stale { .. })),
                "{} at {offset:+} s: {result:?}",
                auth.scheme()
            );
        }
        let headers = signed(&auth, b"{}", now() + chrono::Duration::seconds(299));
        assert_eq!(
            verify_with(&auth, &headers, b"{}", now()),
            Ok(()),
            "{} just inside",
            auth.scheme()
        );
    }
}

#[test]
fn each_missing_header_is_named() {
    for auth in signing_schemes() {
        let headers = signed(&auth, b"{}", now());
        for skip in 0..headers.len() {
            let fewer: Vec<(String, String)> = headers
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, h)| h.clone())
                .collect();
            match verify_with(&auth, &fewer, b"{}", now()) {
                Err(AuthError::Missing { header, .. }) => {
                    assert!(
                        header.eq_ignore_ascii_case(&headers[skip].0),
                        "{header} vs {}",
                        headers[skip].0
                    )
                }
                other => panic!(
                    "{}: dropping {} gave {other:?}",
                    auth.scheme(),
                    headers[skip].0
                ),
            }
        }
    }
}

#[test]
fn several_standard_webhooks_signatures_with_none_valid_are_refused() {
    let auth = Auth::StandardWebhooks {
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
        tolerance_secs: 300,
    };
    let mut headers = signed(&auth, b"{}", now());
    for (name, value) in &mut headers {
        if name == "webhook-signature" {
            *value = "v1,AAAA v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v2,zzz".into();
        }
    }
    assert_eq!(
        verify_with(&auth, &headers, b"{}", now()),
        Err(AuthError::Mismatch("signatures"))
    );
}

/// Issue 14 row 11: Svix, the largest Standard Webhooks sender, names its headers `svix-*`.
#[test]
fn standard_webhooks_accepts_the_svix_header_names() {
    let auth = Auth::StandardWebhooks {
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
        tolerance_secs: 300,
    };
    let received = DateTime::from_timestamp(1_614_265_330, 0).unwrap_or_default();
    let headers = [
        ("svix-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
        ("svix-timestamp", "1614265330"),
        (
            "svix-signature",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ),
    ];
    let body = br#"{"test": 2432232314}"#;
    let svix = delivery(&headers, body, received);
    assert_eq!(auth.verify(&svix), Ok(()));
    assert_eq!(
        auth.signed_id(&svix).as_deref(),
        Some("msg_p5jXN8AQM9LWM0D4loKWxJek")
    );
    // A wrong signature under the svix names is still refused.
    let forged = [headers[0], headers[1], ("svix-signature", "v1,AAAA")];
    assert_eq!(
        auth.verify(&delivery(&forged, body, received)),
        Err(AuthError::Mismatch("signatures"))
    );
    // The svix signature header is never stored in clear.
    assert!(crate::delivery::SECRET_HEADERS.contains(&"svix-signature"));
}

/// Issue 14 row 4: only a scheme that signs the id header vouches for it.
#[test]
fn only_standard_webhooks_signs_an_id() {
    let d = delivery(
        &[("webhook-id", "msg_1"), ("x-github-delivery", "gh-1")],
        b"{}",
        now(),
    );
    for auth in all_schemes() {
        let expected = matches!(auth, Auth::StandardWebhooks { .. }).then(|| "msg_1".to_owned());
        assert_eq!(auth.signed_id(&d), expected, "{}", auth.scheme());
    }
}

fn gitguardian() -> Auth {
    Auth::Gitguardian {
        secret: "my-token".into(),
        tolerance_secs: 300,
    }
}

#[test]
fn gitguardian_passes_its_documented_vector() {
    // docs.gitguardian.com, custom webhook: timestamp `0`, token `foo`, body `bar`.
    let auth = Auth::Gitguardian {
        secret: "foo".into(),
        tolerance_secs: 300,
    };
    let sig = "sha256=172fe3d694b734aa53dc892fd3b8d62163fc240064de570ba006900bb54a0fc2";
    let epoch = DateTime::from_timestamp(0, 0).unwrap_or_default();
    let headers = [("Timestamp", "0"), ("Gitguardian-Signature", sig)];
    assert_eq!(auth.verify(&delivery(&headers, b"bar", epoch)), Ok(()));
    // The key is the timestamp's text then the token, not the token then the timestamp, and
    // the body alone is signed.
    let swapped = Auth::Gitguardian {
        secret: "0foo".into(),
        tolerance_secs: 300,
    };
    assert_eq!(
        swapped.verify(&delivery(&headers, b"bar", epoch)),
        Err(AuthError::Mismatch("signature"))
    );
}

#[test]
fn gitguardian_round_trips_and_signs_with_the_timestamp_then_the_token() {
    let auth = gitguardian();
    assert_eq!(round_trip(&auth), Ok(()));
    let headers = auth.sign(b"{}", now(), "unused").unwrap_or_default();
    let names: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Timestamp", "Gitguardian-Signature"]);
    // The signature covers the body alone, keyed with timestamp + token.
    let ts = now().timestamp().to_string();
    let mut mac = hmac(format!("{ts}my-token").as_bytes());
    mac.update(b"{}");
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(headers[1].1, expected);
}

#[test]
fn gitguardian_refuses_a_wrong_signature() {
    let auth = gitguardian();
    let ts = now().timestamp().to_string();
    // Signed with the right token but the timestamp left out of the key (GitHub's way).
    let mut mac = hmac(b"my-token");
    mac.update(b"{}");
    let github_style = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    for sig in [
        github_style.as_str(),
        "sha256=172fe3d694b734aa53dc892fd3b8d62163fc240064de570ba006900bb54a0fc2",
    ] {
        let headers = [("Timestamp", ts.as_str()), ("Gitguardian-Signature", sig)];
        assert_eq!(
            auth.verify(&delivery(&headers, b"{}", now())),
            Err(AuthError::Mismatch("signature"))
        );
    }
    let garbage = [("Timestamp", ts.as_str()), ("Gitguardian-Signature", "abc")];
    assert!(matches!(
        auth.verify(&delivery(&garbage, b"{}", now())),
        Err(AuthError::Malformed { .. })
    ));
    // A signature made for another timestamp does not fit this one.
    let mut other = auth.sign(b"{}", now(), "x").unwrap_or_default();
    other[0].1 = (now().timestamp() + 1).to_string();
    assert_eq!(
        verify_with(&auth, &other, b"{}", now()),
        Err(AuthError::Mismatch("signature"))
    );
}

#[test]
fn gitguardian_refuses_a_stale_timestamp() {
    let auth = gitguardian();
    let old = now() - chrono::Duration::seconds(301);
    let headers = signed(&auth, b"{}", old);
    assert_eq!(
        verify_with(&auth, &headers, b"{}", now()),
        Err(AuthError::Stale {
            distance_secs: 301,
            tolerance_secs: 300
        })
    );
    // The tolerance is configurable.
    let strict = Auth::Gitguardian {
        secret: "my-token".into(),
        tolerance_secs: 5,
    };
    let headers = signed(&strict, b"{}", now() - chrono::Duration::seconds(6));
    assert!(matches!(
        verify_with(&strict, &headers, b"{}", now()),
        Err(AuthError::Stale { .. })
    ));
    let headers = [
        ("Timestamp", "yesterday"),
        ("Gitguardian-Signature", "sha256=00"),
    ];
    assert!(matches!(
        strict.verify(&delivery(&headers, b"{}", now())),
        Err(AuthError::Malformed { .. })
    ));
}

#[test]
fn gitguardian_accepts_the_old_header_name_and_fractional_seconds() {
    let auth = gitguardian();
    let headers = signed(&auth, b"{}", now());
    let old: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| {
            let n = if n == "Gitguardian-Signature" {
                "X-GitGuardian-Signature".to_owned()
            } else {
                n.clone()
            };
            (n, v.clone())
        })
        .collect();
    assert_eq!(verify_with(&auth, &old, b"{}", now()), Ok(()));
    // The old name is refused a wrong signature like the new one.
    let mut forged = old.clone();
    forged[1].1 = "sha256=00".into();
    assert_eq!(
        verify_with(&auth, &forged, b"{}", now()),
        Err(AuthError::Mismatch("signature"))
    );
    // python3: hmac.new(b"1772547690.25my-token", body, sha256).hexdigest()
    let body = br#"{"action":"incident_triggered"}"#;
    let sig = "sha256=fb400f1960ac790ef03f06d7af242a2522f93eccb3a719fd67d1f60f91cfbcc0";
    let at = DateTime::from_timestamp(1_772_547_690, 0).unwrap_or_default();
    let headers = [
        ("timestamp", "1772547690.25"),
        ("GitGuardian-Signature", sig),
    ];
    assert_eq!(auth.verify(&delivery(&headers, body, at)), Ok(()));
    assert_eq!(
        parse_unix_seconds("1772547690.25"),
        DateTime::from_timestamp(1_772_547_690, 250_000_000)
    );
    for bad in ["1.", ".5", "1.2.3", "-1.5", "1e9", ""] {
        assert_eq!(parse_unix_seconds(bad), None, "{bad}");
    }
}

#[test]
fn gitguardian_signature_headers_are_redacted_when_stored() {
    let auth = gitguardian();
    let names = auth.secret_headers();
    for name in ["Gitguardian-Signature", "X-GitGuardian-Signature"] {
        assert!(names.iter().any(|n| n.eq_ignore_ascii_case(name)), "{name}");
    }
    let parsed: Auth =
        toml::from_str("scheme = \"gitguardian\"\nsecret = \"s\"").unwrap_or(Auth::None);
    assert_eq!(
        parsed,
        Auth::Gitguardian {
            secret: "s".into(),
            tolerance_secs: 300
        }
    );
}
