//! `omniac`: omniac Business Push-API alerts, one POST per alert.
//!
//! The push body is MongoDB extended JSON (`{"$oid": …}`, `{"$date": …}`, with
//! `{"$date": {"$numberLong": "-62135596800000"}}` meaning "unset"); the same alert also comes
//! in a plain REST form (RFC 3339 strings, Go zero times, no `passwordcleartext`). Both read the
//! same. omniac masks the values it reports itself (`masked_values`), so they are kept as sent;
//! a password or card number that arrives unmasked anyway is masked here, and
//! `password_last_characters` is only ever shown masked.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};

use super::read::{self, Details};
use super::text::{clip, one_line};
use super::{Context, Lang, NewAlert, Provider, Unrecognized};
use crate::alert::{MaskedValue, Severity};
use crate::delivery::Delivery;
use crate::mask::mask_secret;
use crate::prose::{self, FluentArgs, FluentValue, NONE, prose, text};

/// The omniac adapter.
#[derive(Debug, Clone, Copy)]
pub struct Omniac;

/// What omniac sends in `masked_values[].value` when it found an attribute but not its value.
const SENTINEL: &str = "could not resolve data";

/// Longest breach name or identity kept in a title, in characters.
const TITLE_PART_MAX: usize = 40;

/// Longest title, in characters.
const TITLE_MAX: usize = 100;

/// Value names that say who is affected, best first.
const IDENTITY_NAMES: &[&str] = &["email", "username", "domain", "network_ip"];

/// The value names Hookbell has words for (`omniac-kind` in the `.ftl` files), most serious
/// first: the first one present names the title.
const KINDS: &[&str] = &[
    "password",
    "credit_card",
    "iban",
    "bank_account",
    "passport",
    "nid",
    "driver_license",
    "email",
    "username",
    "network_ip",
    "domain",
    "other",
];

/// Rank of names omniac may add later: after the known sensitive ones, before identities.
const UNKNOWN_RANK: usize = 7;

impl Provider for Omniac {
    fn id(&self) -> &'static str {
        "omniac"
    }

    fn parse(
        &self,
        body: &Value,
        delivery: &Delivery,
        ctx: &Context,
    ) -> Result<Vec<NewAlert>, Unrecognized> {
        let Value::Object(obj) = body else {
            return Err(Unrecognized(format!(
                "expected a JSON object, got {}",
                super::generic::json_kind(body)
            )));
        };
        let alert = OmniacAlert::read(obj)?;
        Ok(vec![alert.to_new_alert(delivery, ctx.lang)])
    }

    fn redact(&self, body: &mut Value) -> bool {
        let mut changed = false;
        let Some(obj) = body.as_object_mut() else {
            return changed;
        };
        if let Some(slot) = obj.get_mut("password_last_characters")
            && let Some(last) = read::text(Some(slot))
        {
            let masked = Value::String(mask_secret(&last));
            if masked != *slot {
                *slot = masked;
                changed = true;
            }
        }
        if let Some(Value::Array(items)) = obj.get_mut("masked_values") {
            for item in items.iter_mut().filter_map(Value::as_object_mut) {
                let name = value_name(item.get("name"));
                if crate::mask::Kind::of(&name).is_none() {
                    continue;
                }
                let Some(slot) = item.get_mut("value") else {
                    continue;
                };
                let Some(raw) = read::text(Some(slot)).filter(|v| !is_sentinel(v)) else {
                    continue;
                };
                if !looks_masked(&raw) {
                    *slot = Value::String(mask_secret(&raw));
                    changed = true;
                }
            }
        }
        changed
    }

    fn sample(&self) -> &'static str {
        include_str!("omniac/fixtures/sample.json")
    }
}

/// One reported value of `masked_values`.
#[derive(Debug, Clone, PartialEq)]
struct Exposed {
    /// Normalized name: `password`, `email`, …
    name: String,
    /// The value as it may be shown (masked).
    shown: MaskedValue,
}

impl Exposed {
    fn value(&self) -> &str {
        &self.shown.value
    }
}

/// The members of an omniac alert this adapter uses, read tolerantly.
#[derive(Debug, Default)]
struct OmniacAlert {
    id: Option<String>,
    alert_id: Option<String>,
    client_id: Option<String>,
    profile_id: Option<String>,
    enrollment_id: Option<String>,
    enrollment_provider: Option<String>,
    alert_flow: Option<String>,
    is_read: Option<bool>,
    values: Vec<Exposed>,
    /// Names of values omniac found but could not resolve.
    unresolved: Vec<String>,
    /// `password_last_characters`, already masked.
    last_characters: Option<(String, usize)>,
    category: Option<String>,
    description_type: Option<String>,
    recommendation: Option<String>,
    description: Option<String>,
    name: Option<String>,
    source: Option<String>,
    score: Option<String>,
    registered: Option<DateTime<Utc>>,
    /// The calendar day of `date_register` in the zone it was sent with.
    registered_day: Option<NaiveDate>,
    created: Option<DateTime<Utc>>,
    done: Option<bool>,
    done_date: Option<DateTime<Utc>>,
    kind: Option<String>,
    links: Vec<String>,
}

impl OmniacAlert {
    fn read(obj: &Map<String, Value>) -> Result<Self, Unrecognized> {
        let get = |key: &str| obj.get(key);
        let id = read::text(get("_id")).or_else(|| read::text(get("id")));
        let alert_id = read::text(get("alert_id"));
        let has_values = matches!(get("masked_values"), Some(Value::Array(_)));
        if id.is_none() && alert_id.is_none() && !has_values {
            return Err(Unrecognized(
                "no alert_id, _id or masked_values: not an omniac alert".into(),
            ));
        }
        let mut values = Vec::new();
        let mut unresolved = Vec::new();
        for item in read::list(get("masked_values")) {
            let name = value_name(item.get("name"));
            let Some(value) = read::text(item.get("value")) else {
                continue;
            };
            if is_sentinel(&value) {
                if !unresolved.contains(&name) {
                    unresolved.push(name);
                }
                continue;
            }
            let cleartext = read::boolean(item.get("passwordcleartext")).unwrap_or(false);
            let shown = if crate::mask::Kind::of(&name).is_some() && !looks_masked(&value) {
                MaskedValue::secret(&name, &value, cleartext, None)
            } else {
                MaskedValue::as_sent(&name, &value, cleartext)
            };
            values.push(Exposed { name, shown });
        }
        let last_characters = read::text(get("password_last_characters"))
            .map(|last| (mask_secret(&last), last.chars().count()));
        let urls: Vec<String> = ["url", "link", "source_url"]
            .iter()
            .filter_map(|k| read::text(get(k)))
            .collect();
        let links = read::web_links(urls.iter().map(String::as_str));
        Ok(OmniacAlert {
            id,
            alert_id,
            client_id: read::text(get("client_id")),
            profile_id: read::text(get("profile_id")),
            enrollment_id: read::text(get("enrollment_id")),
            enrollment_provider: read::text(get("enrollment_provider")),
            alert_flow: read::text(get("alert_flow")),
            is_read: read::boolean(get("is_read")),
            values,
            unresolved,
            last_characters,
            category: read::text(get("breach_category_locale")),
            description_type: read::text(get("description_type")),
            recommendation: read::text(get("recommendation")),
            description: read::text(get("description")),
            name: read::text(get("name")),
            source: read::text(get("source")),
            score: read::text(get("breach_record_exposure_score")),
            registered: read::time(get("date_register")),
            registered_day: day(get("date_register")),
            created: read::time(get("creation_date")),
            done: read::boolean(get("done")),
            done_date: read::time(get("done_date")),
            kind: read::text(get("type")),
            links,
        })
    }

    /// True for a reported, non-empty password value.
    fn has_password(&self) -> bool {
        self.values.iter().any(|v| v.name == "password")
    }

    fn cleartext_password(&self) -> bool {
        self.values
            .iter()
            .any(|v| v.name == "password" && v.shown.cleartext)
    }

    fn severity(&self) -> Severity {
        severity(self.score.as_deref(), self.has_password())
    }

    fn is_surface(&self) -> bool {
        self.kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("surface"))
    }

    /// The first value of the first identity kind present (skipping all-star values).
    fn identity(&self) -> Option<&str> {
        IDENTITY_NAMES.iter().find_map(|name| {
            self.values
                .iter()
                .find(|v| v.name == *name && v.value().chars().any(|c| c != '*'))
                .map(Exposed::value)
        })
    }

    /// The first value named `name`.
    fn value_of(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|v| v.name == name)
            .map(Exposed::value)
    }

    /// The reported value names, most serious first, each once.
    fn kinds(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for v in &self.values {
            if !names.contains(&v.name.as_str()) {
                names.push(&v.name);
            }
        }
        names.sort_by_key(|n| rank(n));
        names
    }

    fn to_new_alert(&self, delivery: &Delivery, lang: Lang) -> NewAlert {
        let occurred_at = self.registered.or(self.created);
        NewAlert {
            external_id: self
                .alert_id
                .clone()
                .or_else(|| self.id.clone())
                .unwrap_or_else(|| super::generic::body_hash(&delivery.body)),
            severity: self.severity(),
            title: self.title(lang),
            summary: self.summary(lang),
            description: self.description(),
            recommendation: self
                .recommendation
                .clone()
                .unwrap_or_else(|| self.advice(lang)),
            subject: self
                .value_of("email")
                .or_else(|| self.identity())
                .unwrap_or_default()
                .to_owned(),
            category: if self.is_surface() { "leak" } else { "breach" }.to_owned(),
            occurred_at,
            unrecognized: false,
            masked_values: self.values.iter().map(|v| v.shown.clone()).collect(),
            links: self.links.clone(),
            details: self.details(),
            upstream: crate::providers::Upstream::Open,
        }
    }

    /// Where it was found, as arguments: `surface`, `name` (cut to `max` characters) and
    /// `spaced`.
    fn where_args(&self, max: usize) -> FluentArgs<'static> {
        let name = self.name.as_deref().map(|n| clip(&one_line(n), max));
        let mut args = FluentArgs::new();
        args.set("surface", yes_no(self.is_surface()));
        args.set(
            "spaced",
            yes_no(
                name.as_deref()
                    .is_some_and(|n| n.contains(char::is_whitespace)),
            ),
        );
        args.set("name", prose::or_none(name));
        args
    }

    /// "Password for t******@ex*****e.com exposed in WEBSEITE breach".
    fn title(&self, lang: Lang) -> String {
        let who = self.identity().map(|w| clip(&one_line(w), TITLE_PART_MAX));
        let kinds = self.kinds();
        let what = match kinds.first() {
            Some(&"password") if self.cleartext_password() => {
                text(lang, "omniac-plaintext-password")
            }
            Some(first) => prose(lang, "omniac-kind", &kind_args(first)),
            None => text(lang, "omniac-your-data"),
        };
        // An identity that is itself what leaked is named after its label, without "for".
        let first_is_identity = kinds.first().is_some_and(|k| IDENTITY_NAMES.contains(k));
        let mut whose = FluentArgs::new();
        whose.set("what", what);
        whose.set("identity", yes_no(first_is_identity));
        whose.set(
            "who",
            match who {
                Some(who) if first_is_identity || !kinds.is_empty() => who,
                _ => NONE.to_owned(),
            },
        );
        let mut args = self.where_args(TITLE_PART_MAX);
        args.set("whose", prose(lang, "omniac-whose", &whose));
        clip(&one_line(&prose(lang, "omniac-title", &args)), TITLE_MAX)
    }

    /// What was found where, then when, the category and the exposure score.
    fn summary(&self, lang: Lang) -> String {
        let cleartext = self.cleartext_password();
        let found: Vec<String> = self
            .kinds()
            .iter()
            .map(|k| {
                let mut args = kind_args(k);
                args.set("plaintext", yes_no(*k == "password" && cleartext));
                prose(lang, "omniac-found-kind", &args)
            })
            .collect();
        let mut args = self.where_args(80);
        args.set(
            "found",
            if found.is_empty() {
                NONE.to_owned()
            } else {
                prose::join_and(lang, &found)
            },
        );
        args.set(
            "category",
            self.category
                .as_deref()
                .map_or_else(|| NONE.to_owned(), |c| clip(&one_line(c), 60)),
        );
        args.set(
            "score",
            self.score
                .as_deref()
                .map_or_else(|| NONE.to_owned(), score_arg),
        );
        args.set(
            "published",
            self.registered_day
                .map_or(FluentValue::from(NONE), prose::day),
        );
        prose(lang, "omniac-summary", &args)
    }

    /// The provider's text; a `code_standard` template gets its date and breach name filled in.
    fn description(&self) -> String {
        let Some(description) = &self.description else {
            return String::new();
        };
        let template = self
            .description_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("code_standard"));
        if !template {
            return description.clone();
        }
        // omniac's templates are German (its text, not Hookbell's): the day is written in
        // German whatever the user's language ("am 30. Januar 2014"), and a missing date or
        // breach name is patched in German too, so the sentence stays in one language.
        let filled = match self.registered_day {
            Some(published) => description.replace("DATUM", &prose::date(published, Lang::De)),
            None => description
                .replace("am DATUM ", "")
                .replace("DATUM", &text(Lang::De, "omniac-unknown-date")),
        };
        match &self.name {
            Some(name) => filled.replace("WEBSEITE", &clip(&one_line(name), 80)),
            None => filled
                .replace("im WEBSEITE-Datenleck", "in einem Datenleck")
                .replace("WEBSEITE", &text(Lang::De, "omniac-unknown-name")),
        }
    }

    /// A recommendation for what leaked, when omniac sent none.
    fn advice(&self, lang: Lang) -> String {
        let who = self.identity().map(|w| clip(&one_line(w), 80));
        let service = self
            .name
            .as_deref()
            .map_or_else(|| NONE.to_owned(), |n| clip(&one_line(n), 80));
        let kinds = self.kinds();
        let mut advice: Vec<String> = Vec::new();
        if self.has_password() {
            let mut args = FluentArgs::new();
            args.set("who", prose::or_none(who));
            args.set("plaintext", yes_no(self.cleartext_password()));
            advice.push(prose(lang, "omniac-advice-password", &args));
        }
        if let Some(card) = self.value_of("credit_card") {
            let mut args = FluentArgs::new();
            args.set("card", card.to_owned());
            advice.push(prose(lang, "omniac-advice-card", &args));
        }
        if let Some(account) = self
            .value_of("iban")
            .or_else(|| self.value_of("bank_account"))
        {
            let mut args = FluentArgs::new();
            args.set("account", account.to_owned());
            advice.push(prose(lang, "omniac-advice-bank", &args));
        }
        let documents: Vec<String> = kinds
            .iter()
            .filter(|k| ["passport", "nid", "driver_license"].contains(k))
            .map(|k| prose(lang, "omniac-kind-in-sentence", &kind_args(k)))
            .collect();
        if !documents.is_empty() {
            let mut args = FluentArgs::new();
            args.set("documents", prose::join_and(lang, &documents));
            advice.push(prose(lang, "omniac-advice-documents", &args));
        }
        if self.is_surface() || !self.has_password() {
            let mut args = FluentArgs::new();
            args.set("service", service);
            let id = if self.is_surface() {
                "omniac-advice-surface"
            } else {
                "omniac-advice-account"
            };
            advice.push(prose(lang, id, &args));
        }
        if kinds.contains(&"email") {
            advice.push(text(lang, "omniac-advice-phishing"));
        }
        if kinds.is_empty() {
            advice.push(text(lang, "omniac-advice-look-up"));
        }
        advice.join(" ")
    }

    fn details(&self) -> Value {
        let time = read::time_value;
        Details::new()
            .section("breach", |s| {
                s.opt("name", self.name.clone())
                    .opt("category", self.category.clone())
                    .opt("source", self.source.clone())
                    .opt("type", self.kind.clone())
                    .opt("exposure_score", self.score.clone())
                    .opt("registered_at", time(self.registered))
                    .opt("created_at", time(self.created))
                    .field("exposed_data", self.kinds())
                    .field("unresolved_data", self.unresolved.clone())
            })
            .section("password", |s| match &self.last_characters {
                Some((masked, length)) => s
                    .field("last_characters", masked.clone())
                    .field("last_characters_length", *length),
                None => s,
            })
            .section("alert", |s| {
                s.opt("alert_flow", self.alert_flow.clone())
                    .opt("description_type", self.description_type.clone())
                    .opt("is_read", self.is_read)
                    .opt("done", self.done)
                    .opt("done_date", time(self.done_date))
            })
            .section("ids", |s| {
                s.opt("alert_id", self.alert_id.clone())
                    .opt("id", self.id.clone())
                    .opt("client_id", self.client_id.clone())
                    .opt("profile_id", self.profile_id.clone())
                    .opt("enrollment_id", self.enrollment_id.clone())
                    .opt("enrollment_provider", self.enrollment_provider.clone())
            })
            .build()
    }
}

/// The contract's rule: the exposure score (missing or unknown → medium), raised to at least
/// high when a password is among the values.
fn severity(score: Option<&str>, has_password: bool) -> Severity {
    let by_score = score.map_or(Severity::Medium, |s| match squash(s).as_str() {
        "verylow" | "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        "veryhigh" => Severity::Critical,
        _ => Severity::parse_loose(s).unwrap_or(Severity::Medium),
    });
    if has_password {
        by_score.max(Severity::High)
    } else {
        by_score
    }
}

/// The score as `omniac-score` takes it: `verylow` … `veryhigh` for the known scale, else as
/// omniac wrote it.
fn score_arg(score: &str) -> String {
    let squashed = squash(score);
    if ["verylow", "low", "medium", "high", "veryhigh"].contains(&squashed.as_str()) {
        squashed
    } else {
        clip(&one_line(score), 40)
    }
}

/// Lowercase letters only: "Very High", "very_high", "VERY-HIGH" → "veryhigh".
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A value name, normalized: lowercase, `-` and spaces as `_`; `other` when missing.
fn value_name(name: Option<&Value>) -> String {
    read::text(name)
        .map(|n| {
            n.chars()
                .map(|c| if c == '-' || c == ' ' { '_' } else { c })
                .flat_map(char::to_lowercase)
                .collect()
        })
        .unwrap_or_else(|| "other".to_owned())
}

fn is_sentinel(value: &str) -> bool {
    value.trim().eq_ignore_ascii_case(SENTINEL)
}

/// True when the vendor masked the value (it shows mask characters).
fn looks_masked(value: &str) -> bool {
    value.contains(['*', '•', '●'])
}

fn rank(name: &str) -> usize {
    KINDS
        .iter()
        .position(|k| *k == name)
        .map_or(UNKNOWN_RANK, |i| if i >= UNKNOWN_RANK { i + 1 } else { i })
}

/// The arguments of `omniac-kind`: `kind` (a known name or `unknown`) and `name` in words.
fn kind_args(name: &str) -> FluentArgs<'static> {
    let mut args = FluentArgs::new();
    let known = KINDS.contains(&name);
    args.set("kind", if known { name } else { "unknown" }.to_owned());
    args.set("name", name.replace('_', " "));
    args
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The calendar day of a time as the sender wrote it: `2025-08-19T00:00:00+02:00` is the
/// 19th, although it is the 18th in UTC. Times without a zone, Mongo millisecond forms and
/// anything [`read::time`] reads otherwise count in UTC.
fn day(value: Option<&Value>) -> Option<NaiveDate> {
    let utc = read::time(value)?;
    let written = match value? {
        Value::String(s) => Some(s.as_str()),
        Value::Object(o) => o.get("$date").and_then(Value::as_str),
        _ => None,
    };
    let local = written
        .and_then(|s| DateTime::parse_from_rfc3339(&s.trim().replacen(' ', "T", 1)).ok())
        .map(|t| t.date_naive());
    Some(local.unwrap_or_else(|| utc.date_naive()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn delivery(body: &Value) -> Delivery {
        crate::testing::delivery("omniac", &[], body.to_string())
    }

    fn parse_in(body: Value, lang: Lang) -> NewAlert {
        let alerts = Omniac
            .parse(&body, &delivery(&body), &Context::in_lang(lang))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(alerts.len(), 1);
        alerts.into_iter().next().unwrap_or_else(|| unreachable!())
    }

    fn parse(body: Value) -> NewAlert {
        parse_in(body, Lang::En)
    }

    fn sample() -> Value {
        serde_json::from_str(Omniac.sample()).unwrap_or(Value::Null)
    }

    #[test]
    fn fixtures_match_their_golden_alerts() {
        assert!(crate::providers::golden::check("omniac") >= 7);
    }

    #[test]
    fn scores_map_by_the_contract_table() {
        assert_eq!(severity(Some("Very Low"), false), Severity::Low);
        assert_eq!(severity(Some("Low"), false), Severity::Low);
        assert_eq!(severity(Some("Medium"), false), Severity::Medium);
        assert_eq!(severity(Some("High"), false), Severity::High);
        assert_eq!(severity(Some("Very High"), false), Severity::Critical);
        assert_eq!(severity(Some("very_high"), false), Severity::Critical);
        assert_eq!(severity(Some("VERY-LOW"), false), Severity::Low);
        assert_eq!(severity(None, false), Severity::Medium);
        assert_eq!(severity(Some("astronomical"), false), Severity::Medium);
    }

    #[test]
    fn a_password_raises_to_at_least_high_and_never_lowers() {
        assert_eq!(severity(Some("Very Low"), true), Severity::High);
        assert_eq!(severity(None, true), Severity::High);
        assert_eq!(severity(Some("Very High"), true), Severity::Critical);
    }

    #[test]
    fn only_a_real_password_value_raises_the_severity() {
        // The seed: an empty password value, a Very Low score.
        assert_eq!(parse(sample()).severity, Severity::Low);
        let mut body = sample();
        body["masked_values"][0]["value"] = json!("could not resolve data");
        assert_eq!(parse(body.clone()).severity, Severity::Low);
        body["masked_values"][0]["value"] = json!("ab******yz");
        let alert = parse(body);
        assert_eq!(alert.severity, Severity::High);
        assert!(alert.title.starts_with("Password for t******@ex*****e.com"));
    }

    #[test]
    fn a_template_is_patched_in_german_whatever_the_users_language() {
        let mut body = sample();
        body["description"] = json!("Seit DATUM steht es in WEBSEITE.");
        body["name"] = Value::Null;
        body["date_register"] = Value::Null;
        for lang in [Lang::En, Lang::De] {
            assert_eq!(
                parse_in(body.clone(), lang).description,
                "Seit (unbekanntes Datum) steht es in (unbekannt).",
                "{lang:?}"
            );
        }
    }

    #[test]
    fn the_seed_reads_with_its_template_filled_in_both_languages() {
        let en = parse(sample());
        assert_eq!(
            en.title,
            "Email address t******@ex*****e.com exposed in WEBSEITE breach"
        );
        assert_eq!(
            en.description,
            "Deine Daten wurden am 30. Januar 2014 im WEBSEITE-Datenleck veröffentlicht."
        );
        assert_eq!(en.subject, "t******@ex*****e.com");
        assert_eq!(en.external_id, "REDACTED");
        assert!(en.recommendation.starts_with("Ändere dein Passwort"));
        assert_eq!(
            en.occurred_at.map(|t| t.to_rfc3339()),
            Some("2014-01-30T00:00:00+00:00".to_owned())
        );
        // An empty password value is left out; the unset done_date is not shown.
        assert!(en.masked_values.iter().all(|v| v.name != "password"));
        assert!(en.details["alert"].get("done_date").is_none());
        let de = parse_in(sample(), Lang::De);
        assert_eq!(
            de.description,
            "Deine Daten wurden am 30. Januar 2014 im WEBSEITE-Datenleck veröffentlicht."
        );
        assert_eq!(
            de.title,
            "E-Mail-Adresse t******@ex*****e.com im WEBSEITE-Datenleck veröffentlicht"
        );
    }

    #[test]
    fn the_rest_form_reads_like_the_push_form() {
        let push = parse(sample());
        let rest = parse(json!({
            "_id": "REDACTED", "alert_id": "REDACTED", "name": "WEBSEITE",
            "masked_values": [
                {"name": "password", "value": ""},
                {"name": "email", "value": "t******@ex*****e.com"},
                {"name": "domain", "value": "ex*****e.com"},
                {"name": "network_ip", "value": "12*****.1"},
                {"name": "username", "value": "********"}
            ],
            "breach_category_locale": "Spiele", "description_type": "code_standard",
            "recommendation": "Ändere dein Passwort für das betroffene Kundenkonto. Überprüfe schnell alle anderen Dienste, bei denen du das gleiche oder ein ähnliches Passwort benutzt. Sei aufmerksam in Bezug auf ungewöhnliche Aktivitäten rund um deine Identität",
            "description": "Deine Daten wurden am DATUM im WEBSEITE-Datenleck veröffentlicht.",
            "source": "darkweb", "breach_record_exposure_score": "Very Low",
            "date_register": "2014-01-30T00:00:00Z",
            "creation_date": "2025-09-30T12:15:13.883Z",
            "done": false, "done_date": "0001-01-01T00:00:00Z", "type": "darkweb",
            "is_read": false, "alert_flow": "retrospective", "enrollment_provider": "",
            "profile_id": "REDACTED", "enrollment_id": "REDACTED", "client_id": "REDACTED"
        }));
        assert_eq!(rest, push);
    }

    #[test]
    fn sentinels_and_empty_values_are_left_out_and_listed_as_unresolved() {
        let alert = parse(json!({
            "alert_id": "a1",
            "masked_values": [
                {"name": "password", "value": "Could not resolve data "},
                {"name": "email", "value": "could not resolve data"},
                {"name": "email", "value": "could not resolve data"},
                {"name": "username", "value": ""},
                {"name": "iban", "value": null}
            ],
            "name": "Forum"
        }));
        assert!(alert.masked_values.is_empty());
        assert_eq!(alert.severity, Severity::Medium);
        assert_eq!(alert.title, "Your data exposed in Forum breach");
        assert_eq!(
            alert.details["breach"]["unresolved_data"],
            json!(["password", "email"])
        );
        assert!(alert.details["breach"].get("exposed_data").is_none());
    }

    #[test]
    fn unmasked_secrets_are_masked_in_the_alert_and_the_stored_body() {
        let mut body = json!({
            "alert_id": "a2",
            "masked_values": [
                {"name": "password", "value": "Hunter2Hunter2", "passwordcleartext": "true"},
                {"name": "credit_card", "value": 4_111_111_111_111_111_u64},
                {"name": "email", "value": "m***@example.org"}
            ],
            "password_last_characters": "er2",
            "breach_record_exposure_score": "Very High"
        });
        let alert = parse(body.clone());
        let text = serde_json::to_string(&alert).unwrap_or_default();
        assert!(!text.contains("Hunter2Hunter2"), "{text}");
        assert!(!text.contains("4111111111111111"), "{text}");
        assert!(!text.contains("er2"), "{text}");
        assert_eq!(alert.severity, Severity::Critical);
        assert_eq!(
            alert.masked_values[0],
            MaskedValue::secret("password", "Hunter2Hunter2", true, None)
        );
        assert_eq!(alert.details["password"]["last_characters"], "***");
        assert!(crate::normalize::mask_body(&Omniac, &mut body));
        let stored = body.to_string();
        assert!(!stored.contains("Hunter2Hunter2") && !stored.contains("4111111111111111"));
        assert!(!stored.contains("er2"), "{stored}");
        assert_eq!(body["masked_values"][2]["value"], "m***@example.org");
        assert!(
            !crate::normalize::mask_body(&Omniac, &mut body),
            "masking twice changes nothing"
        );
        // The vendor's masked values and an unmasked body without secrets stay as sent.
        let mut seed = sample();
        assert!(!crate::normalize::mask_body(&Omniac, &mut seed));
        assert_eq!(seed, sample());
    }

    #[test]
    fn other_shapes_are_unrecognized() {
        let run = |body: Value| Omniac.parse(&body, &delivery(&body), &Context::default());
        assert_eq!(
            run(json!([1])),
            Err(Unrecognized("expected a JSON object, got an array".into()))
        );
        assert!(run(json!({"name": "x", "description": "y"})).is_err());
        assert!(run(json!({"masked_values": null, "alert_id": null})).is_err());
        assert!(run(json!({"masked_values": []})).is_ok());
        assert!(run(json!({"_id": {"$oid": "65f"}})).is_ok());
    }

    #[test]
    fn external_id_prefers_alert_id_then_the_object_id() {
        assert_eq!(
            parse(json!({"alert_id": "A", "_id": {"$oid": "B"}})).external_id,
            "A"
        );
        assert_eq!(
            parse(json!({"alert_id": "", "_id": {"$oid": "B"}})).external_id,
            "B"
        );
        assert!(
            parse(json!({"masked_values": []}))
                .external_id
                .starts_with("sha256:")
        );
    }

    #[test]
    fn templates_without_a_date_or_name_still_read_well() {
        let body = json!({
            "alert_id": "a3", "description_type": "code_standard",
            "description": "Deine Daten wurden am DATUM im WEBSEITE-Datenleck veröffentlicht.",
            "date_register": {"$date": {"$numberLong": "-62135596800000"}}
        });
        assert_eq!(
            parse(body).description,
            "Deine Daten wurden in einem Datenleck veröffentlicht."
        );
        // Not a template: kept word for word.
        let plain = json!({"alert_id": "a4", "description": "DATUM is a word here.", "name": "X"});
        assert_eq!(parse(plain).description, "DATUM is a word here.");
    }

    #[test]
    fn registration_days_keep_the_senders_zone_and_unset_forms_read_as_none() {
        let d = |v: Value| day(Some(&v)).map(|d| d.to_string());
        assert_eq!(
            d(json!("2025-08-19T00:00:00+02:00")).as_deref(),
            Some("2025-08-19")
        );
        assert_eq!(
            d(json!({"$date": "2025-08-19T00:30:00.1234567+01:00"})).as_deref(),
            Some("2025-08-19")
        );
        assert_eq!(
            d(json!("2023-02-28T23:30:00.1234567")).as_deref(),
            Some("2023-02-28")
        );
        assert_eq!(
            d(json!({"$date": {"$numberLong": "1391040000000"}})).as_deref(),
            Some("2014-01-30")
        );
        assert_eq!(
            d(json!({"$date": {"$numberLong": "-62135596800000"}})),
            None
        );
        assert_eq!(d(json!("0001-01-01T00:00:00Z")), None);
        assert_eq!(d(json!(null)), None);
    }

    #[test]
    fn titles_stay_on_one_short_line() {
        let alert = parse(json!({
            "alert_id": "a5",
            "name": format!("A\u{202E}very\nlong {}", "name ".repeat(40)),
            "masked_values": [{"name": "email", "value": format!("{}@x.org", "a".repeat(90))}]
        }));
        assert!(alert.title.chars().count() <= TITLE_MAX, "{}", alert.title);
        assert!(!alert.title.contains(['\n', '\u{202E}']), "{}", alert.title);
        assert!(alert.title.contains("Avery long name"), "{}", alert.title);
    }

    #[test]
    fn generated_advice_fits_what_leaked() {
        let card = parse(json!({
            "alert_id": "a6", "type": "surface",
            "masked_values": [{"name": "credit_card", "value": "4111 **** **** 1111"}]
        }));
        assert_eq!(card.category, "leak");
        assert!(
            card.recommendation
                .starts_with("Have your bank block the card 4111 **** **** 1111"),
            "{}",
            card.recommendation
        );
        let password = parse_in(
            json!({
                "alert_id": "a7",
                "masked_values": [
                    {"name": "password", "value": "ab*****", "passwordcleartext": true},
                    {"name": "username", "value": "jo**doe"}
                ]
            }),
            Lang::De,
        );
        assert!(
            password
                .recommendation
                .starts_with("Dein Passwort ist im Klartext geleakt: Ändere es sofort für jo**doe"),
            "{}",
            password.recommendation
        );
        assert_eq!(
            password.title,
            "Klartext-Passwort von jo**doe in einem Datenleck veröffentlicht"
        );
    }
}
