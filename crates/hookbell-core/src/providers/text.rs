//! Small text helpers shared by the provider adapters: the text Hookbell writes into titles,
//! summaries and recommendations is cleaned, cut, joined and formatted the same way for every
//! provider.
//!
//! - [`one_line`] makes provider text safe to show on one line;
//! - [`clip`] and [`clip_words`] cut it to a length, ending in `…`;
//! - [`join_and`], [`thousands`], [`date`] and [`date_of`] spell lists, counts and dates in the
//!   user's language;
//! - [`capitalize`] upper-cases a first letter.
//!
//! Helpers that only one provider needs stay in that provider's module.

use chrono::{DateTime, NaiveDate, Utc};

use super::Lang;

/// The text on one line: bidirectional override and isolate characters (U+202A–U+202E,
/// U+2066–U+2069, which could make a title read differently from what it says) removed,
/// control characters and every run of whitespace turned into a single space, and the ends
/// trimmed. Nothing is cut; see [`clip`] for that.
pub fn one_line(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
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

/// A list in words: `A`, `A and B`, `A, B and C` (`und` in German); empty for no items.
pub fn join_and(items: &[String], lang: Lang) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {} {last}", rest.join(", "), lang.pick("and", "und")),
    }
}

/// A whole number with thousands separators: `1,234,567` in English, `1.234.567` in German.
pub fn thousands(n: i64, lang: Lang) -> String {
    let digits = n.unsigned_abs().to_string();
    let sep = lang.pick(",", ".");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A calendar day as people write it: `30 January 2014` in English, `30.01.2014` in German.
/// The one date style of all provider text.
pub fn date(date: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::En => date.format("%-d %B %Y").to_string(),
        Lang::De => date.format("%d.%m.%Y").to_string(),
    }
}

/// The UTC calendar day of `time`, written by [`date`].
pub fn date_of(time: DateTime<Utc>, lang: Lang) -> String {
    date(time.date_naive(), lang)
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
    use chrono::TimeZone;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

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
    fn lists_read_as_words_in_both_languages() {
        assert_eq!(join_and(&[], Lang::En), "");
        assert_eq!(join_and(&strings(&["A"]), Lang::En), "A");
        assert_eq!(join_and(&strings(&["A", "B"]), Lang::En), "A and B");
        assert_eq!(join_and(&strings(&["A", "B", "C"]), Lang::En), "A, B and C");
        assert_eq!(join_and(&strings(&["A", "B", "C"]), Lang::De), "A, B und C");
    }

    #[test]
    fn thousands_are_grouped_in_the_users_language() {
        assert_eq!(thousands(0, Lang::En), "0");
        assert_eq!(thousands(683, Lang::De), "683");
        assert_eq!(thousands(5_123, Lang::En), "5,123");
        assert_eq!(thousands(5_123, Lang::De), "5.123");
        assert_eq!(thousands(1_234_567, Lang::En), "1,234,567");
        assert_eq!(thousands(-1_234_567, Lang::De), "-1.234.567");
        assert_eq!(thousands(i64::MIN, Lang::En), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn dates_have_one_style_per_language() {
        let day = NaiveDate::from_ymd_opt(2014, 1, 30).unwrap_or_default();
        assert_eq!(date(day, Lang::En), "30 January 2014");
        assert_eq!(date(day, Lang::De), "30.01.2014");
        let early = NaiveDate::from_ymd_opt(2017, 1, 7).unwrap_or_default();
        assert_eq!(date(early, Lang::En), "7 January 2017");
        assert_eq!(date(early, Lang::De), "07.01.2017");
        let late = Utc
            .with_ymd_and_hms(2017, 1, 17, 23, 59, 59)
            .single()
            .unwrap_or_default();
        assert_eq!(date_of(late, Lang::En), "17 January 2017");
        assert_eq!(date_of(late, Lang::De), "17.01.2017");
    }

    #[test]
    fn capitalize_upper_cases_the_first_character_only() {
        assert_eq!(capitalize("password"), "Password");
        assert_eq!(capitalize("über alles"), "Über alles");
        assert_eq!(capitalize("ßtraße"), "SStraße");
        assert_eq!(capitalize(""), "");
    }
}
