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
/// `"`, `\` and the control characters below a space. Read 8 bytes at a time as one `u64`
/// ([`escapes_in`]); the last few bytes as the string's last 8 (read again, which changes
/// nothing), or, in a string shorter than 8, padded with spaces. Most strings are short (member
/// names, URLs), where a byte-by-byte tail cost more than the vectorized part saved.
fn needs_escape(bytes: &[u8]) -> bool {
    let (words, rest) = bytes.as_chunks::<8>();
    let mut found = words.iter().fold(0, |found, word| {
        found | escapes_in(u64::from_le_bytes(*word))
    });
    if !rest.is_empty() {
        let last = bytes.last_chunk::<8>().copied().unwrap_or_else(|| {
            let mut padded = [b' '; 8];
            for (slot, b) in padded.iter_mut().zip(rest) {
                *slot = *b;
            }
            padded
        });
        found |= escapes_in(u64::from_le_bytes(last));
    }
    found != 0
}

/// Not zero when one of the 8 bytes of `word` is below a space, `"` or `\`. Each test is
/// the classic "has a zero byte" one (`(x - 0x01…) & !x & 0x80…`): a byte can only be marked
/// wrongly above one marked rightly, so the word as a whole is never wrong; a byte of 0x80 or
/// more is never marked (`!x`).
fn escapes_in(word: u64) -> u64 {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    (below_space
        | (quote.wrapping_sub(ONES) & !quote)
        | (backslash.wrapping_sub(ONES) & !backslash))
        & HIGH
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
    fn every_byte_at_every_place_is_told_as_one_by_one() {
        // Every byte value alone in otherwise plain strings of 1 to 24 bytes, at each place,
        // and beside a byte of 0x80 or more: the 8-byte test against a byte-by-byte one.
        let one_by_one =
            |bytes: &[u8]| bytes.iter().any(|b| *b < 0x20 || *b == b'"' || *b == b'\\');
        for len in 1..=24 {
            for at in 0..len {
                for b in 0..=u8::MAX {
                    for filler in [b'a', 0xff, 0x80] {
                        let mut bytes = vec![filler; len];
                        if let Some(slot) = bytes.get_mut(at) {
                            *slot = b;
                        }
                        assert_eq!(super::needs_escape(&bytes), one_by_one(&bytes), "{bytes:?}");
                    }
                }
            }
        }
        assert!(!super::needs_escape(b""));
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
