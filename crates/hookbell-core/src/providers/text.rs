//! Small text helpers shared by the provider adapters: provider text copied into titles and
//! summaries is cleaned and cut the same way for every provider. Words, lists, counts and dates
//! in the user's language are [`crate::prose`]'s.
//!
//! - [`one_line`] makes provider text safe to show on one line;
//! - [`clip`] and [`clip_words`] cut it to a length, ending in `…`;
//! - [`capitalize`] upper-cases a first letter.
//!
//! Helpers that only one provider needs stay in that provider's module.

/// The text on one line: bidirectional override and isolate characters (U+202A–U+202E,
/// U+2066–U+2069, which could make a title read differently from what it says) removed,
/// control characters and every run of whitespace turned into a single space, and the ends
/// trimmed. Nothing is cut; see [`clip`] for that.
pub fn one_line(text: &str) -> String {
    if is_one_line(text) {
        return text.to_owned();
    }
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether [`one_line`] would give `text` back as it is: printable ASCII with single spaces
/// between words and none at the ends, as most provider text already is. (Text with anything
/// else, non-ASCII included, takes the long way.)
fn is_one_line(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.first() != Some(&b' ')
        && bytes.last() != Some(&b' ')
        && bytes.iter().all(|b| (b' '..=b'~').contains(b))
        && !bytes.windows(2).any(|pair| pair == b"  ")
}

/// At most `max` characters. Text that is longer is cut, the whitespace left at the cut
/// removed and `…` appended; the result, `…` included, is never longer than `max`.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// Like [`clip`], but a cut text ends at a word boundary when there is one in the second half
/// of the room, and loses trailing `,`, `;`, `:`, `-`, `–` and `(` before the `…`: cut to 30,
/// "Ensure the default firewall, which allows…" reads "Ensure the default firewall…".
pub fn clip_words(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let cut: String = text.chars().take(max - 1).collect();
    let at_word = cut
        .rfind(char::is_whitespace)
        .filter(|i| cut.get(..*i).is_some_and(|s| s.chars().count() >= max / 2))
        .and_then(|i| cut.get(..i))
        .unwrap_or(&cut);
    let trimmed = at_word.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–(".contains(c));
    format!("{trimmed}…")
}

/// The text with its first character upper-cased: `password` → `Password`.
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_drops_bidi_characters_and_folds_whitespace_and_controls() {
        assert_eq!(one_line("  a\n\tb   c  "), "a b c");
        assert_eq!(one_line("evil\u{202E}txt.exe"), "eviltxt.exe");
        assert_eq!(one_line("\u{2066}x\u{2069}"), "x");
        assert_eq!(one_line("a\u{0007}b\u{0000}c"), "a b c");
        assert_eq!(
            one_line("line\r\nnext\u{2028}more\u{00A0}end"),
            "line next more end"
        );
        assert_eq!(one_line("\u{202A}\u{202B} \n"), "");
        assert_eq!(one_line(""), "");
        assert_eq!(one_line("a  b"), "a b");
        assert_eq!(one_line(" a b"), "a b");
        assert_eq!(one_line("a b "), "a b");
        assert_eq!(one_line("a\u{7f}b"), "a b");
        assert_eq!(one_line("plain text, as most is"), "plain text, as most is");
    }

    proptest::proptest! {
        /// The short way [`one_line`] takes for text already on one line gives what the long
        /// way gives.
        #[test]
        fn text_already_on_one_line_is_given_back_as_the_long_way_gives_it(
            text in "[ -~\t\n\u{7f}\u{a0}\u{202e}é]{0,24}"
        ) {
            let long: String = text
                .chars()
                .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            proptest::prop_assert_eq!(one_line(&text), long);
        }
    }

    #[test]
    fn clip_cuts_to_at_most_max_characters_with_an_ellipsis() {
        assert_eq!(clip("abcdef", 6), "abcdef");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("ab   cdef", 5), "ab…");
        assert_eq!(clip("äöüßäöü", 3), "äö…");
        assert_eq!(clip("abc", 1), "…");
        assert_eq!(clip("abc", 0), "");
        assert_eq!(clip("", 0), "");
        for max in 0..12 {
            assert!(clip("a long sentence here", max).chars().count() <= max);
        }
    }

    #[test]
    fn clip_words_cuts_at_a_word_in_the_second_half() {
        let text = "Ensure the default firewall, which allows everything, is removed";
        assert_eq!(clip_words(text, 100), text);
        assert_eq!(clip_words(text, 30), "Ensure the default firewall…");
        assert_eq!(clip_words(text, 20), "Ensure the default…");
        // No boundary in the second half: cut inside the word.
        assert_eq!(clip_words("ab cdefghijklmnop", 10), "ab cdefgh…");
        assert_eq!(clip_words("one two (three four", 10), "one two…");
        assert_eq!(clip_words("abc", 0), "");
        for max in 0..30 {
            assert!(clip_words(text, max).chars().count() <= max, "{max}");
        }
    }

    #[test]
    fn capitalize_upper_cases_the_first_character_only() {
        assert_eq!(capitalize("password"), "Password");
        assert_eq!(capitalize("über alles"), "Über alles");
        assert_eq!(capitalize("ßtraße"), "SStraße");
        assert_eq!(capitalize(""), "");
    }
}
