//! The prose Hookbell writes itself (titles, summaries, recommendations), as Fluent messages.
//!
//! This module owns:
//! - the `.ftl` files under `crates/hookbell-core/locales/<lang>/`, one `common.ftl` per
//!   language plus one file per migrated provider, embedded at compile time ([`FILES`]);
//! - one [`FluentBundle`] per [`Lang`], parsed once on first use (no Unicode isolation marks,
//!   numbers and dates written in the bundle's language, and the functions `CAPITALIZE` and
//!   `CAPITALIZE_WORDS`);
//! - [`prose`] / [`text`]: a message formatted in a language, falling back to English for a
//!   message missing in that language;
//! - the arguments adapters pass: strings and numbers as [`FluentArgs`] takes them, [`day`] and
//!   [`time`] for dates, [`decimal`] for a number with a fraction; and [`date`], [`number`],
//!   [`quoted`] when an adapter needs those as strings.
//!
//! Adapters compute facts (names, counts, dates, whether something is resolved) and pass them
//! as arguments; every word the user reads comes from a `.ftl` file. An optional fact that a
//! template selects on is passed as [`NONE`] when absent. Only masked or non-secret facts may
//! be passed: the text goes into notifications.
//!
//! Formatting a message allocates its result and resolves its pattern; bundles are never
//! rebuilt per alert.

use std::borrow::Cow;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::types::{FluentNumber, FluentNumberOptions, FluentType};
use fluent_bundle::{FluentError, FluentResource};

pub use fluent_bundle::{FluentArgs, FluentValue};

use crate::lang::Lang;

/// The value adapters pass for an optional fact that is absent, so that templates can select
/// on it: `{ $provider -> [none] cloud account *[other] { $provider } account }`.
pub const NONE: &str = "none";

/// Every language's `.ftl` files, embedded: `(language code, [(file stem, source)])`. Adding a
/// language is adding its directory (and its [`Lang`] variant); adding a provider's file is
/// adding its stem to every language here.
macro_rules! ftl {
    ($lang:literal: $($file:literal),+ $(,)?) => {
        ($lang, &[$((
            $file,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/", $lang, "/", $file, ".ftl")),
        )),+])
    };
}

/// The embedded `.ftl` files of every language.
pub const FILES: &[(&str, &[(&str, &str)])] = &[
    ftl!("en": "common", "cyscale", "omniac", "enzoic", "osintly", "leakix", "generic", "github", "gitguardian", "canarytokens"),
    ftl!("de": "common", "cyscale", "omniac", "enzoic", "osintly", "leakix", "generic", "github", "gitguardian", "canarytokens"),
];

/// Every language Hookbell writes in, English (the fallback) first.
pub const LANGS: &[Lang] = &[Lang::En, Lang::De];

type Bundle = FluentBundle<FluentResource>;

/// A problem in an `.ftl` file: a syntax error or a message defined twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The language's code.
    pub lang: &'static str,
    /// The file's stem (`cyscale`).
    pub file: &'static str,
    /// What Fluent reported.
    pub error: String,
}

/// The bundle of one language and every problem found while building it.
fn build(lang: Lang) -> (Bundle, Vec<FileError>) {
    let code = lang.code();
    let id = code.parse().unwrap_or_default();
    let mut bundle = Bundle::new_concurrent(vec![id]);
    // Titles and notifications are plain text: no U+2068/U+2069 around placeables.
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(match lang {
        Lang::En => format_en,
        Lang::De => format_de,
    }));
    let mut errors = Vec::new();
    let mut fail = |file: &'static str, error: String| {
        errors.push(FileError {
            lang: code,
            file,
            error,
        })
    };
    for (name, f) in [
        ("CAPITALIZE", capitalize_fn as Function),
        ("CAPITALIZE_WORDS", capitalize_words_fn),
    ] {
        if let Err(e) = bundle.add_function(name, f) {
            fail("(functions)", format!("{e:?}"));
        }
    }
    let files = FILES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(&[][..], |(_, files)| *files);
    for (file, source) in files {
        let resource = match FluentResource::try_new((*source).to_owned()) {
            Ok(r) => r,
            Err((r, errs)) => {
                for e in errs {
                    fail(file, format!("{e:?}"));
                }
                r
            }
        };
        if let Err(errs) = bundle.add_resource(resource) {
            for e in errs {
                fail(file, format!("{e:?}"));
            }
        }
    }
    (bundle, errors)
}

type Function = for<'a> fn(&[FluentValue<'a>], &FluentArgs) -> FluentValue<'a>;

static EN: LazyLock<(Bundle, Vec<FileError>)> = LazyLock::new(|| build(Lang::En));
static DE: LazyLock<(Bundle, Vec<FileError>)> = LazyLock::new(|| build(Lang::De));

fn bundle(lang: Lang) -> &'static Bundle {
    match lang {
        Lang::En => &EN.0,
        Lang::De => &DE.0,
    }
}

/// Every problem Fluent reported while parsing the `.ftl` files of every language; empty when
/// all is well (a unit test insists).
#[cfg(test)]
pub(crate) fn file_errors() -> Vec<FileError> {
    LANGS
        .iter()
        .flat_map(|lang| match lang {
            Lang::En => EN.1.clone(),
            Lang::De => DE.1.clone(),
        })
        .collect()
}

/// The message `id` in `lang`, its variables filled from `args`. A message missing in `lang` is
/// taken from English; one missing there too gives its id (and fails debug builds and tests, as
/// does a variable the message uses but `args` lacks).
pub fn prose(lang: Lang, id: &str, args: &FluentArgs) -> String {
    format(lang, id, Some(args))
}

/// The message `id` in `lang`, for a message without variables.
pub fn text(lang: Lang, id: &str) -> String {
    format(lang, id, None)
}

fn format(lang: Lang, id: &str, args: Option<&FluentArgs>) -> String {
    let found = [lang, Lang::En].into_iter().find_map(|l| {
        let b = bundle(l);
        Some((b, b.get_message(id)?.value()?))
    });
    let Some((bundle, pattern)) = found else {
        debug_assert!(false, "no Fluent message {id:?} in any language");
        return id.to_owned();
    };
    let mut errors: Vec<FluentError> = Vec::new();
    let out = bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned();
    debug_assert!(errors.is_empty(), "Fluent message {id:?}: {errors:?}");
    out
}

/// Whether `lang`'s own files (not the English fallback) define message `id`.
#[cfg(test)]
pub(crate) fn has_message(lang: Lang, id: &str) -> bool {
    bundle(lang).has_message(id)
}

/// `text` in the language's quotation marks: `“text”`, `„text“` (message `quoted`).
pub fn quoted(lang: Lang, text: &str) -> String {
    let mut args = FluentArgs::new();
    args.set("text", text);
    prose(lang, "quoted", &args)
}

/// A list in words: `A`, `A and B`, `A, B and C` (message `list-and`); empty for no items.
pub fn join_and(lang: Lang, items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => {
            let mut args = FluentArgs::new();
            args.set("first", rest.join(", "));
            args.set("last", last.as_str());
            prose(lang, "list-and", &args)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dates and numbers
// ---------------------------------------------------------------------------------------------

/// A calendar day as a Fluent argument: written by [`date`] in the bundle's language.
pub fn day(date: NaiveDate) -> FluentValue<'static> {
    FluentValue::Custom(Box::new(Day(date)))
}

/// A UTC time as a Fluent argument, minute precision: `30 January 2014 at 13:24 UTC`,
/// `30. Januar 2014 um 13:24 UTC` (message `date-time`).
pub fn time(time: DateTime<Utc>, lang: Lang) -> FluentValue<'static> {
    let mut args = FluentArgs::new();
    args.set("day", day(time.date_naive()));
    args.set("time", time.format("%H:%M").to_string());
    FluentValue::from(prose(lang, "date-time", &args))
}

/// A number argument written with at most `digits` decimals, trailing zeros dropped: with 1,
/// `49.5 %` and `50 %` (`49,5 %` in German). Plural selection sees the number.
pub fn decimal(n: f64, digits: usize) -> FluentValue<'static> {
    let options = FluentNumberOptions {
        maximum_fraction_digits: Some(digits),
        ..FluentNumberOptions::default()
    };
    FluentValue::Number(FluentNumber::new(n, options))
}

/// A calendar day in words: `30 January 2014`, `30. Januar 2014`.
pub fn date(date: NaiveDate, lang: Lang) -> String {
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const DE: [&str; 12] = [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ];
    let month = |names: &[&'static str; 12]| names.get(date.month0() as usize).copied();
    match lang {
        Lang::En => format!(
            "{} {} {}",
            date.day(),
            month(&EN).unwrap_or_default(),
            date.year()
        ),
        Lang::De => format!(
            "{}. {} {}",
            date.day(),
            month(&DE).unwrap_or_default(),
            date.year()
        ),
    }
}

/// A number with the language's digit grouping and decimal mark, at most `digits` decimals
/// (trailing zeros dropped): `5,123.5` / `5.123,5`.
pub fn number(n: f64, digits: usize, lang: Lang) -> String {
    let (group, mark) = match lang {
        Lang::En => (',', '.'),
        Lang::De => ('.', ','),
    };
    let fixed = format!("{:.*}", digits, n.abs());
    let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let frac = frac.trim_end_matches('0');
    let mut out = String::with_capacity(fixed.len() + 4);
    if n.is_sign_negative() && fixed.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(group);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(mark);
        out.push_str(frac);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Day(NaiveDate);

impl FluentType for Day {
    fn duplicate(&self) -> Box<dyn FluentType + Send> {
        Box::new(*self)
    }
    // Only reached without the bundle's formatter: ISO 8601.
    fn as_string(&self, _: &intl_memoizer::IntlLangMemoizer) -> Cow<'static, str> {
        self.0.to_string().into()
    }
    fn as_string_threadsafe(
        &self,
        _: &intl_memoizer::concurrent::IntlLangMemoizer,
    ) -> Cow<'static, str> {
        self.0.to_string().into()
    }
}

fn format_en<M>(value: &FluentValue, _: &M) -> Option<String> {
    format_value(value, Lang::En)
}

fn format_de<M>(value: &FluentValue, _: &M) -> Option<String> {
    format_value(value, Lang::De)
}

/// Numbers and [`Day`]s in the bundle's language; everything else as Fluent writes it.
fn format_value(value: &FluentValue, lang: Lang) -> Option<String> {
    match value {
        FluentValue::Number(n) if n.value.is_finite() => {
            let digits = n
                .options
                .maximum_fraction_digits
                .unwrap_or(if n.value.fract() == 0.0 { 0 } else { 3 });
            Some(number(n.value, digits, lang))
        }
        FluentValue::Custom(c) => c.as_any().downcast_ref::<Day>().map(|d| date(d.0, lang)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Functions for templates
// ---------------------------------------------------------------------------------------------

fn string_arg<'a>(args: &[FluentValue<'a>]) -> Option<Cow<'a, str>> {
    match args.first() {
        Some(FluentValue::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// `CAPITALIZE($kind)`: the first letter upper-cased (`firewall rule` → `Firewall rule`).
fn capitalize_fn<'a>(args: &[FluentValue<'a>], _: &FluentArgs) -> FluentValue<'a> {
    string_arg(args).map_or(FluentValue::Error, |s| {
        FluentValue::from(crate::providers::text::capitalize(&s))
    })
}

/// `CAPITALIZE_WORDS($kind)`: every word's first letter upper-cased, as German nouns are
/// (`firewall rule` → `Firewall Rule`, `IAM user` → `IAM User`).
fn capitalize_words_fn<'a>(args: &[FluentValue<'a>], _: &FluentArgs) -> FluentValue<'a> {
    string_arg(args).map_or(FluentValue::Error, |s| {
        FluentValue::from(
            s.split(' ')
                .map(crate::providers::text::capitalize)
                .collect::<Vec<_>>()
                .join(" "),
        )
    })
}

/// An optional fact as a message argument: its text, or [`NONE`] when there is none.
pub fn or_none(value: Option<impl Into<String>>) -> String {
    value.map_or_else(|| NONE.to_owned(), Into::into)
}

/// Items joined with `sep` as a message argument, or [`NONE`] when there are none.
pub fn joined_or_none<S: std::borrow::Borrow<str>>(items: &[S], sep: &str) -> String {
    if items.is_empty() {
        NONE.to_owned()
    } else {
        items.join(sep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn message_ids(lang: &str) -> BTreeSet<String> {
        let files = FILES
            .iter()
            .find(|(c, _)| *c == lang)
            .map_or(&[][..], |(_, f)| *f);
        let mut ids = BTreeSet::new();
        for (_, source) in files {
            for line in source.lines() {
                let Some((head, _)) = line.split_once('=') else {
                    continue;
                };
                let head = head.trim_end();
                if line.starts_with(|c: char| c.is_ascii_alphabetic())
                    && head
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    ids.insert(head.to_owned());
                }
            }
        }
        ids
    }

    #[test]
    fn every_file_parses_without_errors() {
        assert_eq!(file_errors(), Vec::new());
        assert_eq!(FILES.len(), LANGS.len(), "a directory per language");
        for lang in LANGS {
            assert!(FILES.iter().any(|(c, _)| *c == lang.code()), "{lang:?}");
        }
    }

    #[test]
    fn every_language_has_the_same_files_and_messages() {
        let stems = |code: &str| -> Vec<&str> {
            FILES
                .iter()
                .find(|(c, _)| *c == code)
                .map(|(_, f)| f.iter().map(|(s, _)| *s).collect())
                .unwrap_or_default()
        };
        let en = message_ids("en");
        assert!(en.contains("quoted") && en.contains("date-time"));
        for lang in LANGS {
            assert_eq!(stems(lang.code()), stems("en"), "{lang:?}");
            assert_eq!(message_ids(lang.code()), en, "messages of {lang:?}");
            for id in &en {
                assert!(has_message(*lang, id), "{lang:?} lacks {id}");
            }
        }
    }

    /// Every id the sources pass to `prose(…)`/`text(…)`, and every string literal that starts
    /// with a provider file's stem and a hyphen (`"cyscale-hint-tls"`, an id chosen in a
    /// `match`), is a message in every language.
    #[test]
    fn every_message_id_used_in_the_sources_exists_in_every_language() {
        // Only the stems whose file holds messages (`common` aside): a `"<stem>-…"` string in
        // a source whose file holds none is no message id.
        let mut stems: Vec<&str> = FILES
            .iter()
            .flat_map(|(_, files)| files.iter())
            .filter(|(stem, source)| {
                *stem != "common"
                    && source
                        .lines()
                        .any(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
            })
            .map(|(stem, _)| *stem)
            .collect();
        stems.sort_unstable();
        stems.dedup();
        let prefixed = if stems.is_empty() {
            String::new()
        } else {
            format!(r#"|"((?:{})-[a-z0-9-]+)""#, stems.join("|"))
        };
        let call = regex::Regex::new(&format!(
            r#"(?:prose|text)\(\s*[a-z_.*]+,\s*"([a-z0-9-]+)"{prefixed}"#
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut used = BTreeSet::new();
        let mut dirs = vec![src];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{e}")) {
                let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let code = std::fs::read_to_string(&path).unwrap_or_default();
                    for c in call.captures_iter(&code) {
                        if let Some(id) = c.get(1).or(c.get(2)) {
                            used.insert(id.as_str().to_owned());
                        }
                    }
                }
            }
        }
        assert!(used.contains("quoted"), "the scan finds calls: {used:?}");
        for lang in LANGS {
            for id in &used {
                assert!(has_message(*lang, id), "{lang:?} lacks message {id}");
            }
        }
    }

    #[test]
    fn dates_and_numbers_are_written_in_the_language() {
        let d = NaiveDate::from_ymd_opt(2014, 1, 30).unwrap_or_default();
        assert_eq!(date(d, Lang::En), "30 January 2014");
        assert_eq!(date(d, Lang::De), "30. Januar 2014");
        let m = NaiveDate::from_ymd_opt(2022, 3, 5).unwrap_or_default();
        assert_eq!(date(m, Lang::De), "5. März 2022");
        assert_eq!(number(5_123.0, 0, Lang::En), "5,123");
        assert_eq!(number(5_123.0, 0, Lang::De), "5.123");
        assert_eq!(number(1_234_567.25, 1, Lang::De), "1.234.567,2");
        assert_eq!(number(49.5, 1, Lang::En), "49.5");
        assert_eq!(number(50.04, 1, Lang::En), "50");
        assert_eq!(number(-3.0, 0, Lang::En), "-3");
        assert_eq!(number(-0.01, 1, Lang::En), "0");
        let t = DateTime::parse_from_rfc3339("2022-02-25T13:24:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        let mut args = FluentArgs::new();
        args.set("text", time(t, Lang::De));
        assert_eq!(
            prose(Lang::De, "quoted", &args),
            "„25. Februar 2022 um 13:24 UTC“"
        );
    }

    #[test]
    fn arguments_are_formatted_by_the_bundle_without_isolation_marks() {
        let mut args = FluentArgs::new();
        args.set("text", 5123);
        assert_eq!(prose(Lang::En, "quoted", &args), "“5,123”");
        assert_eq!(prose(Lang::De, "quoted", &args), "„5.123“");
        args.set("text", decimal(33.333, 1));
        assert_eq!(prose(Lang::De, "quoted", &args), "„33,3“");
        args.set(
            "text",
            day(NaiveDate::from_ymd_opt(2014, 1, 30).unwrap_or_default()),
        );
        assert_eq!(prose(Lang::De, "quoted", &args), "„30. Januar 2014“");
        let list = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(join_and(Lang::De, &list(&["A", "B", "C"])), "A, B und C");
        assert_eq!(join_and(Lang::En, &list(&["A"])), "A");
        for lang in LANGS {
            let s = quoted(*lang, "x");
            assert!(!s.contains(['\u{2068}', '\u{2069}']), "{s:?}");
        }
    }
}
