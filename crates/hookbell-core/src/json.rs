//! Compact JSON text of a [`Value`], byte for byte what `serde_json::to_writer` writes, made
//! for the hot path: every delivery's masked body is written with it.
//!
//! serde_json escapes a string by looking up every byte in a table, one at a time, and that
//! was a seventh of [`crate::normalize`]'s instructions on GitHub's deliveries (mostly URLs).
//! Here a string is first tested for any byte that needs escaping (`"`, `\` or a control
//! character) with comparisons the compiler runs over many bytes at once; the almost every
//! string that has none is copied whole, and the rare one that has is written by serde_json
//! itself. Structure (`{`, `:`, `,`, …), numbers, `true`, `false` and `null` are as serde_json
//! writes them compactly; a property test holds the two to the same bytes for any value.

use serde_json::Value;

/// Appends `value` as compact JSON text to `out`.
pub fn write(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            // Writing a number into a Vec cannot fail.
            serde_json::to_writer(&mut *out, n).ok();
        }
        Value::String(s) => write_str(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            for (i, (name, member)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(name, out);
                out.push(b':');
                write(member, out);
            }
            out.push(b'}');
        }
    }
}

/// `value` as compact JSON text.
pub fn to_vec(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write(value, &mut out);
    out
}

/// Appends `s` as a JSON string.
fn write_str(s: &str, out: &mut Vec<u8>) {
    if needs_escape(s.as_bytes()) {
        // Writing a string into a Vec cannot fail.
        serde_json::to_writer(&mut *out, s).ok();
        return;
    }
    out.reserve(s.len() + 2);
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

/// Whether any byte of `bytes` must be escaped in a JSON string as serde_json escapes them:
/// `"`, `\` and the control characters below a space. Every byte is tested (no early exit),
/// so the loop runs on vectors.
fn needs_escape(bytes: &[u8]) -> bool {
    bytes.iter().fold(0u8, |any, &b| {
        any | u8::from(b < 0x20) | u8::from(b == b'"') | u8::from(b == b'\\')
    }) != 0
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    /// Any JSON value: every kind of number, strings with escapes, control characters and
    /// non-ASCII text, nested arrays and objects.
    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
            any::<String>().prop_map(Value::String),
            "[a-z\"\\\\\u{0}-\u{1f}\u{7f}é€😀 ]{0,40}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                proptest::collection::vec((any::<String>(), inner), 0..8)
                    .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]
        #[test]
        fn writes_what_serde_json_writes(value in any_value()) {
            let ours = super::to_vec(&value);
            let theirs = serde_json::to_vec(&value).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
        }
    }

    #[test]
    fn escapes_quotes_backslashes_and_control_characters() {
        let value = json!({"a\"b": "line\nbreak \\ \"quoted\" \u{1}", "plain": "https://x/y", "n": [1, -2, 2.5, null, true]});
        assert_eq!(
            String::from_utf8_lossy(&super::to_vec(&value)),
            r#"{"a\"b":"line\nbreak \\ \"quoted\" \u0001","plain":"https://x/y","n":[1,-2,2.5,null,true]}"#
        );
    }
}
