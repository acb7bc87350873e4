//! Masking: how a secret is shown once it must never be stored in the clear.

/// Masks a secret for display, keeping its length: `password123!` → `pa********3!`.
///
/// Up to 4 characters become all stars; up to 8 keep one character at each end; longer keep
/// two at each end.
pub fn mask_secret(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let n = chars.len();
    let keep = match n {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    };
    let mut out = String::with_capacity(secret.len());
    out.extend(&chars[..keep]);
    out.extend(std::iter::repeat_n('*', n - 2 * keep));
    out.extend(&chars[n - keep..]);
    out
}

#[cfg(test)]
mod tests {
    use super::mask_secret;

    #[test]
    fn keeps_length_and_hides_the_middle() {
        assert_eq!(mask_secret("password123!"), "pa********3!");
        assert_eq!(mask_secret("abcd"), "****");
        assert_eq!(mask_secret("abcdef"), "a****f");
        assert_eq!(mask_secret(""), "");
        assert_eq!(mask_secret("pässwörter!"), "pä*******r!");
    }
}

/// Member names (compared case-insensitively, ignoring `_` and `-`) whose string values are
/// secrets wherever they appear in a body.
const SECRET_MEMBERS: &[&str] = &[
    "password",
    "passwd",
    "plaintextpassword",
    "passwordhash",
    "passwordsalt",
    "recoveredcreditcardnumber",
    "secret",
    "clientsecret",
    "apikey",
    "privatekey",
    "accesstoken",
    "refreshtoken",
];

/// Members that are secrets only inside a `credentials` object (LeakIX's `service.credentials`).
const CREDENTIAL_MEMBERS: &[&str] = &["key", "raw", "token"];

/// Whether `name`, ignoring case, `_` and `-`, is one of `list` (lowercase ASCII, no
/// separators). Compares without allocating: this runs for every member of every body.
fn name_in(name: &str, list: &[&str]) -> bool {
    let letters = name.bytes().filter(|b| *b != b'_' && *b != b'-');
    let len = letters.clone().count();
    list.iter().any(|candidate| {
        candidate.len() == len
            && letters
                .clone()
                .zip(candidate.bytes())
                .all(|(a, b)| a.to_ascii_lowercase() == b)
    })
}

/// Masks, in place, every secret-named string member anywhere in `value` (see
/// [`mask_secret`]); returns true when anything changed. Empty strings stay empty.
pub fn redact_json(value: &mut serde_json::Value) -> bool {
    let mut found = Vec::new();
    redact_inner(value, false, &mut found);
    !found.is_empty()
}

/// Like [`redact_json`], and describes each secret it masked (name, masked form, length).
pub fn redact_json_values(value: &mut serde_json::Value) -> Vec<crate::alert::MaskedValue> {
    let mut found = Vec::new();
    redact_inner(value, false, &mut found);
    found
}

fn redact_inner(
    value: &mut serde_json::Value,
    in_credentials: bool,
    found: &mut Vec<crate::alert::MaskedValue>,
) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (name, member) in map.iter_mut() {
                let secret = name_in(name, SECRET_MEMBERS)
                    || (in_credentials && name_in(name, CREDENTIAL_MEMBERS));
                match member {
                    Value::String(s) if secret && !s.is_empty() => {
                        let masked = mask_secret(s);
                        if masked != *s {
                            let lower = name.to_ascii_lowercase();
                            let cleartext = lower.contains("password")
                                && !lower.contains("hash")
                                && !lower.contains("salt");
                            found.push(crate::alert::MaskedValue::secret(name, s, cleartext, None));
                            *s = masked;
                        }
                    }
                    _ => redact_inner(member, name_in(name, &["credentials"]), found),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                redact_inner(item, in_credentials, found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod redact_tests {
    use super::redact_json;
    use serde_json::json;

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
}
