use serde_json::json;

use super::text::scrub;
use super::*;

#[test]
fn keeps_length_and_hides_the_middle() {
    assert_eq!(mask_secret("password123!"), "pa********3!");
    assert_eq!(mask_secret("abcd"), "****");
    assert_eq!(mask_secret("abcdef"), "a****f");
    assert_eq!(mask_secret(""), "");
    assert_eq!(mask_secret("pässwörter!"), "pä*******r!");
    assert_eq!(mask_secret(&mask_secret("password123!")), "pa********3!");
}

#[test]
fn masks_secret_members_at_any_depth() {
    let mut body = json!({
        "username": "sample@email.tst",
        "plaintextPassword": "password123!",
        "password_hash": "b7e283a09511d95d6eac86e39e7942c0",
        "service": {"credentials": {"password": "", "key": "ssh-rsa AAAAB3", "raw": "SSBhbSBhIGtleQo="}},
        "list": [{"api_key": "sk_live_123456"}],
        "title": "key facts"
    });
    assert!(redact_json(&mut body));
    let text = body.to_string();
    for secret in [
        "password123!",
        "b7e283a09511d95d6eac86e39e7942c0",
        "AAAAB3",
        "SSBhbSBhIGtleQo=",
        "sk_live_123456",
    ] {
        assert!(!text.contains(secret), "{secret} survived in {text}");
    }
    assert_eq!(body["plaintextPassword"], "pa********3!");
    assert_eq!(body["username"], "sample@email.tst");
    assert_eq!(body["title"], "key facts");
    assert!(!redact_json(&mut body), "masking twice changes nothing");
}

#[test]
fn every_json_type_under_a_secret_name_is_masked() {
    let mut body = json!({
        "password": 12345678,
        "apiKey": ["key-one-1234", "key-two-5678"],
        "client_secret": {"value": "s3cr3t-value", "rotated": 87654321},
        "db_password": "hunter2hunter2",
        "passwordType": "BCrypt",
        "secret_type": "github_personal_access_token",
        "has_password": true,
        "token": null
    });
    let found = Policy::SHARED.redact(&mut body).found;
    let text = body.to_string();
    for secret in [
        "12345678",
        "key-one-1234",
        "key-two-5678",
        "s3cr3t-value",
        "87654321",
        "hunter2hunter2",
    ] {
        assert!(!text.contains(secret), "{secret} survived in {text}");
    }
    assert_eq!(body["password"], "1******8");
    assert_eq!(
        body["passwordType"], "BCrypt",
        "names that only start alike stay"
    );
    assert_eq!(body["secret_type"], "github_personal_access_token");
    assert_eq!(body["has_password"], true);
    assert_eq!(found.len(), 6);
    assert!(
        found
            .iter()
            .all(|f| !f.value.value.contains("hunter2hunter2"))
    );
    assert_eq!(found[0].kind, Kind::Password);
    assert!(found[0].value.cleartext);
}

#[test]
fn a_hash_is_listed_with_its_algorithm() {
    let mut body =
        json!({"hash": "x", "passwordHash": "5f4dcc3b5aa765d61d8327deb882cf99", "hashType": "MD5"});
    let found = Policy::SHARED.redact(&mut body).found;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].value.algorithm.as_deref(), Some("MD5"));
    assert_eq!(
        body["hash"], "x",
        "`hash` is a provider's extra, not shared"
    );
    static EXTRA: &[(&str, Kind)] = &[("hash", Kind::PasswordHash)];
    let mut body = json!({"hash": "5f4dcc3b5aa765d6"});
    assert_eq!(Policy::with(EXTRA).redact(&mut body).found.len(), 1);
    assert_eq!(body["hash"], "5f************d6");
}

#[test]
fn shapes_are_masked_in_any_string() {
    let cases = [
        ("card 4111 1111 1111 1111 used", "4111 1111 1111 1111"),
        ("DB_PASSWORD=s3cretpass\nDB_USER=app", "s3cretpass"),
        ("{\"apiKey\": \"AbC123xyz789\"}", "AbC123xyz789"),
        ("password: 'with spaces inside'", "with spaces inside"),
        (
            "\"passwords\": [\"first1234\", \"second5678\"] tail",
            "second5678",
        ),
        ("postgres://app:hunter2pw@db.example:5432/x", "hunter2pw"),
        ("key AKIAIOSFODNN7EXAMPLE in log", "AKIAIOSFODNN7EXAMPLE"),
        (
            "ghp_0123456789abcdefghijABCDEFGHIJ012345",
            "ghp_0123456789abcdefghijABCDEFGHIJ012345",
        ),
        ("glpat-abcdefghij0123456789", "glpat-abcdefghij0123456789"),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
            "MIIEowIBAAKCAQEA",
        ),
        ("pwd=abc12345", "abc12345"),
        (
            "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ),
    ];
    for (text, secret) in cases {
        let scrubbed = scrub(text).unwrap_or_else(|| panic!("nothing found in {text:?}"));
        assert!(
            !scrubbed.contains(secret),
            "{secret} survived in {scrubbed:?}"
        );
    }
    assert!(
        scrub("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----")
            .is_some_and(|s| s.starts_with("-----BEGIN RSA PRIVATE KEY-----"))
    );
}

#[test]
fn harmless_text_is_left_alone() {
    for text in [
        "",
        "The password was found in a breach.",
        "secret_type=github_personal_access_token",
        "order 1234567890123 shipped",
        "https://example.com/path?x=1",
        "token_count: 5",
        "https: hunter22 and http=hunter22 and xhttps: y",
        "password.https: hunter22, tokens https://example.com",
    ] {
        assert_eq!(scrub(text), None, "{text:?} changed");
    }
}

#[test]
fn scrubbing_twice_changes_nothing() {
    for text in [
        "DB_PASSWORD=s3cretpass and 4111-1111-1111-1111",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
        "postgres://app:hunter2pw@db.example:5432/x",
    ] {
        let once = scrub(text).unwrap_or_else(|| panic!("nothing found in {text:?}"));
        assert_eq!(scrub(&once), None, "{once}");
    }
}

#[test]
fn card_numbers_are_found_by_luhn_not_by_length_alone() {
    use super::text::mask_card_numbers;
    assert_eq!(mask_card_numbers("4111111111111111"), "41************11");
    assert_eq!(
        mask_card_numbers("id 4111111111111112 x"),
        "id 4111111111111112 x"
    );
    assert_eq!(
        mask_card_numbers("4111-1111-1111-1111|09/27"),
        "41***************11|09/27"
    );
    assert_eq!(mask_card_numbers("ünïcødé 42"), "ünïcødé 42");
    // A millisecond timestamp that happens to pass the Luhn check is no card.
    assert_eq!(
        mask_card_numbers("Hidden by the search 1796540501089"),
        "Hidden by the search 1796540501089"
    );
}

#[test]
fn under_a_secret_name_only_what_ends_as_metadata_is_kept() {
    let mut body = json!({
        "token": {"accountToken": "acct-0123456789", "token_type": "bearer"},
        "password": {
            "formatted_value": "hunter2hunter2",
            "last_characters_length": 6,
            "hashType": "MD5"
        }
    });
    Policy::SHARED.redact(&mut body);
    let text = body.to_string();
    for secret in ["acct-0123456789", "hunter2hunter2"] {
        assert!(!text.contains(secret), "{secret} survived in {text}");
    }
    assert_eq!(body["token"]["token_type"], "bearer");
    assert_eq!(body["password"]["last_characters_length"], 6);
    assert_eq!(body["password"]["hashType"], "MD5");
}

#[test]
fn the_policy_and_free_text_share_one_vocabulary() {
    // Every name that makes a JSON member a secret by its ending makes an assignment in text
    // one too.
    for (stem, _) in ENDINGS {
        let text = format!("{stem}=v4lue-0123456789");
        let scrubbed = scrub(&text).unwrap_or_else(|| panic!("nothing found in {text:?}"));
        assert!(!scrubbed.contains("v4lue-0123456789"), "{scrubbed}");
    }
}

#[test]
fn a_name_ending_outside_the_shared_last_bytes_is_none_of_the_shared_names() {
    // The walk compares such a name with a provider's extras only: it must be no secret, no
    // credential and no hash algorithm by the shared lists, whatever comes before its end.
    let names: Vec<&str> = EXACT
        .iter()
        .chain(ENDINGS)
        .chain(IN_CREDENTIALS)
        .map(|(name, _)| *name)
        .chain(ALGORITHM_NAMES.iter().copied())
        .collect();
    for name in &names {
        let last = name
            .bytes()
            .last()
            .unwrap_or_else(|| panic!("an empty name"));
        assert!(SHARED_LAST[usize::from(last)], "{name}");
    }
    for stem in names.into_iter().chain(["", "s", "x", "credentials"]) {
        for last in (0..=u8::MAX).filter(|b| !SHARED_LAST[usize::from(*b)]) {
            let key = [stem.as_bytes(), &[last]].concat();
            assert_eq!(Policy::SHARED.kind_of_key(&key, true), None, "{key:?}");
            assert!(
                !ALGORITHM_NAMES.iter().any(|a| a.as_bytes() == key),
                "{key:?}"
            );
        }
    }
}

#[test]
fn small_integers_are_left_as_numbers() {
    let mut body = json!({"count": 123456789012_u64, "negative": -123456789012_i64, "card": 4111111111111111_u64});
    assert!(redact_json(&mut body));
    assert_eq!(body["count"], 123456789012_u64);
    assert_eq!(body["negative"], -123456789012_i64);
    assert_eq!(body["card"], "41************11");
}

#[test]
fn the_card_pre_pass_agrees_with_the_scan() {
    use super::text::mask_card_numbers;
    for text in [
        "2026-11-22T12:00:00Z and 2026-11-22T12:00:00.123Z",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "x4111 1111 1111 1111",
        "4111  1111 1111 1111",
        "id 123456789012 then 1",
        "4111111111111111",
    ] {
        let masked = mask_card_numbers(text);
        let expected = !matches!(
            text,
            "2026-11-22T12:00:00Z and 2026-11-22T12:00:00.123Z"
                | "4111  1111 1111 1111"
                | "x4111 1111 1111 1111"
                | "id 123456789012 then 1"
        );
        assert_eq!(masked != text, expected, "{text:?} → {masked:?}");
    }
}

/// Pieces that make up the strings of [`the_first_look_never_skips_a_stage_that_finds_something`]:
/// the beginnings, separators and digits each stage looks for, near misses, and filler.
const PIECES: &[&str] = &[
    "password",
    "PASS",
    "pwd",
    "Pin",
    "api_key",
    "db-Password",
    "tokens",
    "my.secret",
    "salts",
    "credentials",
    "cookie",
    "passwordHash",
    "x",
    "é",
    "\u{a0}",
    "\u{b}",
    " ",
    "  ",
    "\t",
    "\n",
    ":",
    "=",
    "=>",
    ": ",
    "\"",
    "'",
    "[",
    "]",
    "{",
    "}",
    ",",
    ";",
    "&",
    "-",
    "_",
    ".",
    "/",
    "@",
    "://",
    "https",
    "u:",
    "p@",
    "https://user:pw@host/x",
    "postgres://a:b@h",
    "4111",
    "1111",
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "12",
    "0",
    "9",
    "AKIA",
    "ASIA",
    "IOSFODNN7EXAMPLE",
    "AIza",
    "gh",
    "ghp_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "sk_live_",
    "rk_test_",
    "npm_",
    "whsec_",
    "eyJ",
    "eyJhbGciOiJIUzI1NiJ9",
    "0123456789abcdefghij",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
    "-----BEGIN ",
    "RSA ",
    "PRIVATE KEY",
    "PRIVATE ",
    "KEY",
    "-----",
    "-----END RSA PRIVATE KEY-----",
    "null",
    "K",
    "e",
    "s",
    "r",
    "n",
    "w",
    "A",
    "https",
    "http",
    "HTTPS",
    "://",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

    /// [`scrub`] skips the stages its first look over the bytes rules out: it must answer
    /// exactly what running every stage on every string answers. Masking a secret a stage would
    /// find is the guarantee; this is what shows the first look does not weaken it.
    #[test]
    fn the_first_look_never_skips_a_stage_that_finds_something(
        pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..24),
        any in "\\PC{0,40}",
    ) {
        let text: String = pieces.concat();
        proptest::prop_assert_eq!(scrub(&text), super::text::scrub_every_stage(&text), "{:?}", text);
        proptest::prop_assert_eq!(scrub(&any), super::text::scrub_every_stage(&any), "{:?}", any);
        let mixed = format!("{any}{text}{any}");
        proptest::prop_assert_eq!(scrub(&mixed), super::text::scrub_every_stage(&mixed), "{:?}", mixed);
        // The same pieces past the first blocks of 16 bytes the first look reads at once.
        let long = format!("{}{text}", "filler ".repeat(10));
        proptest::prop_assert_eq!(scrub(&long), super::text::scrub_every_stage(&long), "{:?}", long);
    }
}

#[test]
fn the_first_look_agrees_with_every_stage_on_known_cases() {
    for text in [
        "see https://user:hunter2pw@example.com/x and http://example.com/a:b@c",
        "https://example.com/path?x=1",
        "ftp://a:b\u{a0}c@host",
        "2026-11-22T12:00:00Z",
        "xAKIAIOSFODNN7EXAMPLE and AKIAIOSFODNN7EXAMPLE",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
        "my_tokens: abcdefgh1234, cookies=zzzzzzzz, Pin: 1234",
        "4111 1111 1111 1111 x 4111  1111 1111 1111",
        // The fewest digits a card has (13): the first look must count every one of them.
        "card 4222222222222 here",
        "a 13-digit card at the end of a longer text: 4222222222222",
        "token_count: 5",
        "https: hunter22pw, xhttps: hunter22pw, my.https: hunter22pw, https://u:pw12@h",
        "-https://u:pw12@h _https://u:pw12@h :https://u:pw12@h",
    ] {
        assert_eq!(
            scrub(text),
            super::text::scrub_every_stage(text),
            "{text:?}"
        );
    }
}

#[test]
fn every_token_format_is_found_wherever_a_word_starts() {
    // Each format's literal start, with a body long enough for any of them: the first look
    // must let the token stage run (its anchor, the byte beside it and the one beyond).
    const BODY: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcd";
    let starts = [
        "AKIA",
        "ASIA",
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "glpat-",
        "xoxa-",
        "xoxb-",
        "xoxp-",
        "xoxo-",
        "xoxs-",
        "xoxr-",
        "sk_live_",
        "sk_test_",
        "rk_live_",
        "rk_test_",
        "AIza",
        "npm_",
        "whsec_",
    ];
    let tokens = starts.iter().map(|start| format!("{start}{BODY}")).chain([
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0".into(),
    ]);
    for token in tokens {
        for before in [
            "",
            " ",
            "/",
            "-",
            ".",
            "see: ",
            "filler ".repeat(10).as_str(),
        ] {
            let text = format!("{before}{token} end");
            let scrubbed = scrub(&text).unwrap_or_else(|| panic!("nothing found in {text:?}"));
            assert!(!scrubbed.contains(&token), "{scrubbed}");
            assert_eq!(
                Some(scrubbed),
                super::text::scrub_every_stage(&text),
                "{text}"
            );
        }
    }
}
