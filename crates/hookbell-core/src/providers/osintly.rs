//! `osintly`: Osintly search webhooks. One POST when a search reaches a terminal status
//! (`finished`, or `failed`/`error`: the vendor's prose and field table disagree), carrying the
//! search and its `result` (`cards`, `leaked_data`, `breached_accounts`,
//! `registered_accounts`), each member arbitrary JSON. One delivery is one alert, keyed by
//! `searchId`.

use serde_json::{Map, Value};

use super::read::{self, Details};
use super::text::{clip, one_line};
use super::{Context, Lang, NewAlert, Provider, Unrecognized};
use crate::alert::{MaskedValue, Severity};
use crate::delivery::Delivery;
use crate::mask::{Found, Kind, Policy};
use crate::prose::{self, FluentArgs, NONE, prose, text};

/// The osintly adapter.
#[derive(Debug, Clone, Copy)]
pub struct Osintly;

impl Provider for Osintly {
    fn id(&self) -> &'static str {
        "osintly"
    }

    fn parse(
        &self,
        body: &Value,
        _delivery: &Delivery,
        ctx: &Context,
    ) -> Result<Vec<NewAlert>, Unrecognized> {
        Search::read(body).map(|search| vec![search.alert(ctx.lang)])
    }

    /// The shared policy, plus the column names leak databases use for hashes and clear text.
    fn policy(&self) -> Policy {
        POLICY
    }

    fn sample(&self) -> &'static str {
        include_str!("osintly/fixtures/sample.json")
    }
}

/// How a search ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// `finished` (or `completed`).
    Finished,
    /// `failed` (the prose) or `error` (the field table), as sent.
    Failed(String),
    /// Any other status: handled like a failure, and said so.
    Other(String),
}

impl Outcome {
    fn parse(status: &str) -> Outcome {
        let lower = status.trim().to_lowercase();
        match lower.as_str() {
            // Osintly's stream API calls a finished search `completed`; take it as finished too.
            "finished" | "completed" => Outcome::Finished,
            "failed" | "error" => Outcome::Failed(lower),
            _ => Outcome::Other(clip(&one_line(status), 40)),
        }
    }
}

/// How much each `result` member holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    cards: u64,
    leaked: u64,
    breached: u64,
    registered: u64,
}

/// The length a title should stay within (characters).
const TITLE_MAX: usize = 100;

/// One delivery, read.
#[derive(Debug)]
struct Search {
    id: String,
    status: String,
    outcome: Outcome,
    value: Option<String>,
    kind: Option<String>,
    counts: Counts,
    /// `result` with every secret masked.
    result: Value,
    options: Value,
    created_at: Option<chrono::DateTime<chrono::Utc>>,
    finished_at: Option<chrono::DateTime<chrono::Utc>>,
    error: Option<String>,
    recommendation: Option<String>,
    masked_values: Vec<MaskedValue>,
    breached_services: Vec<String>,
    leak_sources: Vec<String>,
    links: Vec<String>,
}

impl Search {
    fn read(body: &Value) -> Result<Search, Unrecognized> {
        let Value::Object(obj) = body else {
            return Err(Unrecognized(format!(
                "expected an Osintly search object, got {}",
                super::generic::json_kind(body)
            )));
        };
        let search = obj.get("search");
        let id = read::text(obj.get("searchId"))
            .or_else(|| read::text(obj.get("search_id")))
            .or_else(|| read::text(search.and_then(|s| s.get("id"))))
            .ok_or_else(|| Unrecognized("no searchId (or search.id) member".into()))?;
        let status =
            read::text(obj.get("status")).ok_or_else(|| Unrecognized("no status member".into()))?;
        let outcome = Outcome::parse(&status);

        let raw_result = obj.get("result").cloned().unwrap_or(Value::Null);
        let counts = Counts {
            cards: count(member(&raw_result, &["cards"])),
            leaked: count(member(&raw_result, &["leaked_data", "leakedData"])),
            breached: count(member(
                &raw_result,
                &["breached_accounts", "breachedAccounts"],
            )),
            registered: count(member(
                &raw_result,
                &["registered_accounts", "registeredAccounts"],
            )),
        };

        // Mask before anything is copied out of the result: names and links are read from the
        // masked copy only.
        let mut result = raw_result;
        let mut masked_values = listed(POLICY.redact(&mut result).found);
        let mut options = search
            .and_then(|s| s.get("options"))
            .cloned()
            .unwrap_or(Value::Null);
        masked_values.extend(listed(POLICY.redact(&mut options).found));
        dedup(&mut masked_values);

        let breached_services = names(member(&result, &["breached_accounts", "breachedAccounts"]));
        let leak_sources = names(member(&result, &["leaked_data", "leakedData"]));
        let mut links = Vec::new();
        collect_links(&result, &mut links);

        Ok(Search {
            id,
            status,
            outcome,
            value: read::text(search.and_then(|s| s.get("value"))),
            kind: read::text(search.and_then(|s| s.get("type"))),
            counts,
            result,
            options,
            created_at: read::time(
                search.and_then(|s| s.get("created_at").or_else(|| s.get("createdAt"))),
            ),
            finished_at: read::time(obj.get("finishedAt").or_else(|| obj.get("finished_at"))),
            error: error_text(obj),
            recommendation: read::text(obj.get("recommendation")),
            masked_values,
            breached_services,
            leak_sources,
            links,
        })
    }

    /// Contract: `failed`/`error` → info; finished with breached accounts or leaked data →
    /// high; finished with nothing found → low. Any other status is handled like `error`.
    fn severity(&self) -> Severity {
        match self.outcome {
            Outcome::Finished if self.counts.breached > 0 || self.counts.leaked > 0 => {
                Severity::High
            }
            Outcome::Finished => Severity::Low,
            Outcome::Failed(_) | Outcome::Other(_) => Severity::Info,
        }
    }

    fn alert(self, lang: Lang) -> NewAlert {
        let details = Details::new()
            .section("search", |s| {
                s.field("id", self.id.as_str())
                    .opt("value", self.value.clone())
                    .opt("type", self.kind.clone())
                    .field("status", self.status.as_str())
                    .opt("created_at", read::time_value(self.created_at))
                    .opt("finished_at", read::time_value(self.finished_at))
                    .field("options", self.options.clone())
                    .opt("error", self.error.clone())
            })
            .section("findings", |s| {
                s.field("breached_accounts", self.counts.breached)
                    .field("leaked_data", self.counts.leaked)
                    .field("registered_accounts", self.counts.registered)
                    .field("cards", self.counts.cards)
                    .field("breached_services", self.breached_services.clone())
                    .field("leak_sources", self.leak_sources.clone())
            })
            .raw("result", self.result.clone())
            .build();
        NewAlert {
            external_id: self.id.clone(),
            severity: self.severity(),
            title: self.title(lang),
            summary: self.summary(lang),
            description: self.error.clone().unwrap_or_default(),
            recommendation: self
                .recommendation
                .clone()
                .unwrap_or_else(|| self.advice(lang)),
            subject: self.value.clone().unwrap_or_default(),
            category: "search".into(),
            occurred_at: self.finished_at,
            unrecognized: false,
            masked_values: self.masked_values,
            links: self.links,
            details,
            upstream: crate::providers::Upstream::Open,
        }
    }

    /// "Osintly found 3 breached accounts for target@example.com", …
    fn title(&self, lang: Lang) -> String {
        let Some(value) = self.value.as_deref() else {
            return self.title_for(lang, None);
        };
        let full = self.title_for(lang, Some(&clip(&one_line(value), TITLE_MAX)));
        if full.chars().count() <= TITLE_MAX {
            return full;
        }
        // Too long: shorten the searched value, not the words around it.
        // (+1: the frame's space before the empty value is trimmed away.)
        let frame = self.title_for(lang, Some("")).chars().count() + 1;
        let budget = TITLE_MAX.saturating_sub(frame).max(20);
        self.title_for(lang, Some(&clip(&one_line(value), budget)))
    }

    fn title_for(&self, lang: Lang, target: Option<&str>) -> String {
        let c = &self.counts;
        let mut args = FluentArgs::new();
        args.set("target", target.unwrap_or(NONE));
        let mut found = Vec::new();
        if c.breached > 0 {
            found.push(counted(lang, "osintly-breached-accounts", c.breached));
        }
        if c.leaked > 0 {
            found.push(counted(lang, "osintly-data-leaks", c.leaked));
        }
        let id = match &self.outcome {
            Outcome::Finished if !found.is_empty() => {
                args.set("found", prose::join_and(lang, &found));
                "osintly-title-found"
            }
            Outcome::Finished if c.registered > 0 || c.cards > 0 => "osintly-title-clean",
            Outcome::Finished => "osintly-title-nothing",
            Outcome::Failed(_) => "osintly-title-failed",
            Outcome::Other(s) => {
                args.set("status", prose::quoted(lang, s));
                "osintly-title-other"
            }
        };
        clip(&one_line(&prose(lang, id, &args)), TITLE_MAX + 40)
    }

    fn summary(&self, lang: Lang) -> String {
        let mut args = FluentArgs::new();
        args.set(
            "target",
            self.value
                .as_deref()
                .map_or_else(|| NONE.to_owned(), |v| clip(&one_line(v), 200)),
        );
        args.set(
            "kind",
            self.kind
                .as_deref()
                .map_or_else(|| NONE.to_owned(), |k| clip(&one_line(k), 60)),
        );
        args.set("search", prose(lang, "osintly-the-search", &args));
        let c = &self.counts;
        let totals = [
            counted(lang, "osintly-breached-accounts", c.breached),
            counted(lang, "osintly-data-leaks", c.leaked),
            counted(lang, "osintly-registered-accounts", c.registered),
            counted(lang, "osintly-result-cards", c.cards),
        ];
        args.set("totals", prose::join_and(lang, &totals));
        let nothing = *c == Counts::default();
        let received = if nothing {
            text(lang, "osintly-summary-no-results")
        } else {
            prose(lang, "osintly-summary-received", &args)
        };
        let mut out = Vec::new();
        match &self.outcome {
            Outcome::Finished if nothing => out.push(prose(lang, "osintly-summary-nothing", &args)),
            Outcome::Finished => {
                out.push(prose(lang, "osintly-summary-finished", &args));
                if !self.masked_values.is_empty() {
                    args.set("count", self.masked_values.len());
                    out.push(prose(lang, "osintly-summary-secrets", &args));
                }
            }
            Outcome::Failed(s) => {
                let id = if s == "error" {
                    "osintly-summary-error"
                } else {
                    "osintly-summary-failed"
                };
                out.push(prose(lang, id, &args));
                out.push(received);
            }
            Outcome::Other(s) => {
                args.set("status", prose::quoted(lang, s));
                out.push(prose(lang, "osintly-summary-other", &args));
                out.push(received);
            }
        }
        out.join(" ")
    }

    /// What to do, from what the search found.
    fn advice(&self, lang: Lang) -> String {
        let c = &self.counts;
        let mut args = FluentArgs::new();
        args.set(
            "target",
            self.value
                .as_deref()
                .map_or_else(|| NONE.to_owned(), |v| clip(&one_line(v), 200)),
        );
        match &self.outcome {
            Outcome::Failed(_) | Outcome::Other(_) => prose(lang, "osintly-advice-retry", &args),
            Outcome::Finished if c.breached > 0 || c.leaked > 0 => {
                let mut parts = Vec::new();
                if c.breached > 0 {
                    args.set("services", listing(&self.breached_services));
                    parts.push(prose(lang, "osintly-advice-breach", &args));
                }
                if c.leaked > 0 {
                    args.set("sources", listing(&self.leak_sources));
                    parts.push(prose(lang, "osintly-advice-leak", &args));
                }
                if self.masked_values.iter().any(|v| v.cleartext) {
                    parts.push(text(lang, "osintly-advice-cleartext"));
                }
                parts.join(" ")
            }
            Outcome::Finished if c.registered > 0 => {
                args.set("count", c.registered);
                prose(lang, "osintly-advice-registered", &args)
            }
            Outcome::Finished => prose(lang, "osintly-advice-nothing", &args),
        }
    }
}

/// `n` things in words, from one of the counting messages (`osintly-data-leaks`).
fn counted(lang: Lang, id: &str, n: u64) -> String {
    let mut args = FluentArgs::new();
    args.set("count", n);
    prose(lang, id, &args)
}

/// `A, B, C` (at most five, then `…`), or [`NONE`] when there is nothing to list.
fn listing(names: &[String]) -> String {
    if names.is_empty() {
        return NONE.to_owned();
    }
    let mut out = names
        .iter()
        .take(5)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 5 {
        out.push_str(", …");
    }
    out
}

/// The first of `keys` present in `value` (an object), tolerating camelCase spellings.
fn member<'a>(value: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().find_map(|k| value.get(*k))
}

/// Members that state how many items an object stands for.
const COUNT_KEYS: &[&str] = &[
    "count",
    "total",
    "total_count",
    "totalCount",
    "results_count",
    "resultCount",
];

/// Members that hold an object's items.
const ITEM_KEYS: &[&str] = &[
    "items", "results", "data", "records", "entries", "accounts", "list",
];

/// How many things a `result` member holds: an array → its length; an object → its
/// `count`/`total`, else the length of an inner `items`/`results`/`data`… array, else (when
/// every member is a list, e.g. records per leak source) the sum of their lengths, else its
/// number of members; a number (or numeric string) → itself; null, `false` and other text → 0.
fn count(value: Option<&Value>) -> u64 {
    let non_negative = |n: i64| u64::try_from(n).unwrap_or(0);
    match value {
        None | Some(Value::Null) => 0,
        Some(Value::Array(items)) => items.len() as u64,
        Some(Value::Object(map)) => {
            if let Some(n) = COUNT_KEYS.iter().find_map(|k| read::int(map.get(*k))) {
                return non_negative(n);
            }
            if let Some(items) = ITEM_KEYS
                .iter()
                .find_map(|k| map.get(*k).and_then(Value::as_array))
            {
                return items.len() as u64;
            }
            if map.values().all(Value::is_array) {
                return map.values().map(|v| read::list(Some(v)).len() as u64).sum();
            }
            map.len() as u64
        }
        Some(Value::Bool(b)) => u64::from(*b),
        Some(v @ (Value::Number(_) | Value::String(_))) => {
            read::int(Some(v)).map(non_negative).unwrap_or(0)
        }
    }
}

/// Members whose value names a breached service or a leak source.
const NAME_KEYS: &[&str] = &[
    "name", "title", "service", "site", "domain", "source", "breach", "database", "platform",
];

/// The services or sources a (masked) `result` member names, in order, without repeats (at
/// most 20): each item's `name`/`title`/`service`/`domain`/… or the item itself when it is
/// text; for an object of sources (`{"Snusbase": [...]}`) the member names.
fn names(value: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |name: Option<String>| {
        if let Some(name) = name.map(|n| clip(&one_line(&n), 80))
            && !out.contains(&name)
            && out.len() < 20
        {
            out.push(name);
        }
    };
    let item_name = |item: &Value| match item {
        Value::String(_) => read::text(Some(item)),
        Value::Object(o) => NAME_KEYS.iter().find_map(|k| read::text(o.get(*k))),
        _ => None,
    };
    match value {
        Some(Value::Array(items)) => items.iter().for_each(|i| push(item_name(i))),
        Some(Value::Object(map)) => {
            if let Some(items) = ITEM_KEYS
                .iter()
                .find_map(|k| map.get(*k).and_then(Value::as_array))
            {
                items.iter().for_each(|i| push(item_name(i)));
            } else if let Some(sources) = map.get("sources").and_then(Value::as_array) {
                sources.iter().for_each(|i| push(item_name(i)));
            } else {
                for (key, member) in map {
                    match member {
                        Value::Object(_) => push(item_name(member).or_else(|| Some(key.clone()))),
                        Value::Array(_) => push(Some(key.clone())),
                        _ => {}
                    }
                }
            }
        }
        _ => {}
    }
    out
}

/// A failed search's reason: `error` (text or `{message}`), `message`, `error_message`,
/// `reason`.
fn error_text(obj: &Map<String, Value>) -> Option<String> {
    let error = obj.get("error");
    read::text(error.filter(|e| e.is_string()))
        .or_else(|| {
            error.and_then(|e| read::text(e.get("message")).or_else(|| read::text(e.get("detail"))))
        })
        .or_else(|| read::text(obj.get("message")))
        .or_else(|| read::text(obj.get("error_message")))
        .or_else(|| read::text(obj.get("errorMessage")))
        .or_else(|| read::text(obj.get("reason")))
}

/// Every distinct http(s) URL in the (masked) result, at most 20; URLs with credentials in
/// them (`https://user:pass@host`) are left out.
fn collect_links(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            let s = s.trim();
            if out.len() < 20 && read::is_web_link(s) && !out.iter().any(|u| u == s) {
                out.push(s.to_owned());
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_links(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_links(v, out)),
        _ => {}
    }
}

// ---- Secrets -------------------------------------------------------------------------------

/// The shared masking policy, plus what leak databases call their columns.
const POLICY: Policy = Policy::with(&[
    ("hash", Kind::PasswordHash),
    ("hashes", Kind::PasswordHash),
    ("plaintext", Kind::Password),
    ("cleartext", Kind::Password),
]);

/// What the policy masked, listed by kind (`password`, `password_hash`, …) rather than by the
/// column name each leak database uses.
fn listed(found: Vec<Found>) -> Vec<MaskedValue> {
    found
        .into_iter()
        .map(|f| MaskedValue {
            name: f.kind.label().to_owned(),
            ..f.value
        })
        .collect()
}

/// Drops repeats of the same masked value (the same password in several records).
fn dedup(values: &mut Vec<MaskedValue>) {
    let mut seen = Vec::new();
    values.retain(|v| {
        let key = (
            v.name.clone(),
            v.value.clone(),
            v.length,
            v.algorithm.clone(),
        );
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn delivery(body: &str) -> Delivery {
        crate::testing::delivery("osintly", &[], body)
    }

    fn parse_in(body: &Value, lang: Lang) -> Result<NewAlert, Unrecognized> {
        let text = body.to_string();
        Osintly
            .parse(body, &delivery(&text), &Context::in_lang(lang))?
            .into_iter()
            .next()
            .ok_or_else(|| Unrecognized("no alert".into()))
    }

    fn parse(body: &Value) -> NewAlert {
        match parse_in(body, Lang::En) {
            Ok(alert) => alert,
            Err(e) => panic!("unexpected Unrecognized: {e}"),
        }
    }

    fn search(status: &str, result: Value) -> Value {
        json!({
            "searchId": "s-1",
            "status": status,
            "result": result,
            "finishedAt": "2026-03-03T14:21:30.120Z",
            "search": {"id": "s-1", "value": "target@example.com", "type": "Email Address"}
        })
    }

    #[test]
    fn fixtures_match_their_golden_alerts() {
        assert!(crate::providers::golden::check("osintly") >= 7);
    }

    #[test]
    fn severity_follows_the_contract() {
        let empty = json!({"cards": [], "leaked_data": {}, "breached_accounts": null});
        let breached = json!({"breached_accounts": [{"name": "LinkedIn"}]});
        let leaked = json!({"leaked_data": {"Snusbase": [{"email": "a@b.c"}]}});
        let registered = json!({"registered_accounts": ["spotify.com"], "cards": [{}]});
        assert_eq!(
            parse(&search("finished", breached.clone())).severity,
            Severity::High
        );
        assert_eq!(
            parse(&search("finished", leaked.clone())).severity,
            Severity::High
        );
        assert_eq!(parse(&search("Completed", leaked)).severity, Severity::High);
        assert_eq!(
            parse(&search("finished", empty.clone())).severity,
            Severity::Low
        );
        assert_eq!(
            parse(&search("finished", registered)).severity,
            Severity::Low
        );
        assert_eq!(
            parse(&search("finished", Value::Null)).severity,
            Severity::Low
        );
        // A failed search is info even when it carries partial results.
        for status in ["failed", "error", "FAILED", " Error "] {
            assert_eq!(
                parse(&search(status, breached.clone())).severity,
                Severity::Info,
                "{status}"
            );
        }
        let other = parse(&search("cancelled", breached));
        assert_eq!(other.severity, Severity::Info);
        assert!(
            other.summary.contains("unexpected status “cancelled”"),
            "{}",
            other.summary
        );
        assert!(
            other.summary.contains("1 breached account,"),
            "{}",
            other.summary
        );
    }

    #[test]
    fn result_members_are_counted_whatever_their_shape() {
        let c = |v: Value| count(Some(&v));
        assert_eq!(count(None), 0);
        assert_eq!(c(json!(null)), 0);
        assert_eq!(c(json!([])), 0);
        assert_eq!(c(json!({})), 0);
        assert_eq!(c(json!([1, 2, 3])), 3);
        assert_eq!(c(json!({"count": "5", "items": [1]})), 5);
        assert_eq!(c(json!({"total": {"$numberLong": "7"}})), 7);
        assert_eq!(c(json!({"items": [1, 2], "page": 1})), 2);
        assert_eq!(c(json!({"Snusbase": [1, 2], "Leak Check": [3]})), 3);
        assert_eq!(c(json!({"github_001": {}, "gravatar_001": {}})), 2);
        assert_eq!(c(json!({"count": -4})), 0);
        assert_eq!(c(json!("12")), 12);
        assert_eq!(c(json!("none found")), 0);
        assert_eq!(c(json!(true)), 1);
    }

    #[test]
    fn shapes_that_are_not_a_search_are_unrecognized() {
        let why = |body: Value| parse_in(&body, Lang::En).err().map(|e| e.0);
        assert_eq!(
            why(json!([1])).as_deref(),
            Some("expected an Osintly search object, got an array")
        );
        assert_eq!(
            why(json!({"status": "finished"})).as_deref(),
            Some("no searchId (or search.id) member")
        );
        assert_eq!(
            why(json!({"searchId": "x", "status": null})).as_deref(),
            Some("no status member")
        );
        // search.id stands in for a missing searchId.
        let alert = parse(&json!({"status": "finished", "search": {"id": "nested-7"}}));
        assert_eq!(alert.external_id, "nested-7");
        assert_eq!(alert.title, "Osintly search found nothing");
    }

    #[test]
    fn passwords_hashes_and_lists_of_them_are_masked_everywhere() {
        let body = search(
            "finished",
            json!({
                "breached_accounts": [
                    {"name": "Adobe", "hash": "5f4dcc3b5aa765d61d8327deb882cf99", "hash_type": "MD5"},
                    {"name": "LinkedIn", "password": "hunter2-secret"}
                ],
                "leaked_data": {"Leak Check": [{"passwords": ["first-Secret-1", 12345678]}]}
            }),
        );
        let alert = parse(&body);
        let text = serde_json::to_string(&alert).unwrap_or_default();
        for secret in [
            "5f4dcc3b5aa765d61d8327deb882cf99",
            "hunter2-secret",
            "first-Secret-1",
            "12345678",
        ] {
            assert!(!text.contains(secret), "{secret} reached the alert");
        }
        let hash = alert
            .masked_values
            .iter()
            .find(|v| v.name == "password_hash");
        assert_eq!(hash.and_then(|h| h.algorithm.as_deref()), Some("MD5"));
        assert_eq!(hash.map(|h| h.cleartext), Some(false));
        let passwords = alert
            .masked_values
            .iter()
            .filter(|v| v.name == "password" && v.cleartext)
            .count();
        assert_eq!(passwords, 3);
        assert_eq!(
            alert.details["findings"]["breached_services"],
            json!(["Adobe", "LinkedIn"])
        );
        assert_eq!(
            alert.details["findings"]["leak_sources"],
            json!(["Leak Check"])
        );
        assert!(alert.recommendation.contains("Adobe, LinkedIn"));
        assert!(alert.recommendation.contains("two-factor"));

        // The stored copy: the shared masking misses `hash` and lists; this adapter does not.
        let mut stored = body.clone();
        assert!(crate::normalize::mask_body(&Osintly, &mut stored));
        let stored = stored.to_string();
        assert!(!stored.contains("5f4dcc3b5aa765d61d8327deb882cf99"));
        assert!(!stored.contains("first-Secret-1"));
        let mut plain = search("finished", json!({"cards": []}));
        assert!(
            !crate::normalize::mask_body(&Osintly, &mut plain),
            "nothing to mask"
        );
    }

    #[test]
    fn titles_are_short_single_lines_in_the_users_language() {
        let long = format!("{}@example.com", "x".repeat(300));
        let mut body = search("finished", json!({"breached_accounts": [{}, {}, {}]}));
        body["search"]["value"] = json!(long);
        let alert = parse(&body);
        assert!(alert.title.chars().count() <= 100, "{}", alert.title);
        assert!(
            alert
                .title
                .starts_with("Osintly found 3 breached accounts for xxx")
        );
        assert!(alert.title.ends_with('…'));

        body["search"]["value"] = json!("evil\u{202E}moc.elpmaxe@\nline two");
        let alert = parse(&body);
        assert_eq!(
            alert.title,
            "Osintly found 3 breached accounts for evilmoc.elpmaxe@ line two"
        );

        let de = |status: &str, result: Value| {
            parse_in(&search(status, result), Lang::De)
                .map(|a| a.title)
                .unwrap_or_default()
        };
        assert_eq!(
            de(
                "finished",
                json!({"breached_accounts": [{}], "leaked_data": {"A": [{}]}})
            ),
            "Osintly hat 1 kompromittiertes Konto und 1 Datenleck für target@example.com gefunden"
        );
        assert_eq!(
            de("finished", json!({})),
            "Osintly-Suche nach target@example.com ergab keine Treffer"
        );
        assert_eq!(
            de("error", json!(null)),
            "Osintly-Suche nach target@example.com fehlgeschlagen"
        );

        // The longest German frame still leaves a readable, shortened value within 100.
        let mut body = search("finished", json!({"registered_accounts": [{}]}));
        body["search"]["value"] = json!(format!("{}@beispiel.de", "ü".repeat(120)));
        let title = parse_in(&body, Lang::De)
            .map(|a| a.title)
            .unwrap_or_default();
        assert!(title.chars().count() <= 100, "{title}");
        assert!(title.starts_with("Osintly hat für üüüü"), "{title}");
        assert!(
            title.ends_with("… keine kompromittierten Konten oder Datenlecks gefunden"),
            "{title}"
        );
    }

    #[test]
    fn cleartext_passwords_in_leaks_alone_are_called_out() {
        let alert = parse(&search(
            "finished",
            json!({"leaked_data": {"Snusbase": [{"pass": "leaked-Only-pw9", "salt": "s4lt-value"}]}}),
        ));
        assert_eq!(alert.severity, Severity::High);
        assert_eq!(
            alert.title,
            "Osintly found 1 data leak for target@example.com"
        );
        assert!(alert.recommendation.contains("(sources: Snusbase)"));
        assert!(alert.recommendation.contains("clear text"));
        assert!(
            !alert.recommendation.contains("two-factor"),
            "no breached accounts"
        );
        let names: Vec<_> = alert
            .masked_values
            .iter()
            .map(|v| v.name.as_str())
            .collect();
        assert_eq!(names, ["password", "password_salt"]);
        let text = serde_json::to_string(&alert).unwrap_or_default();
        assert!(!text.contains("leaked-Only-pw9") && !text.contains("s4lt-value"));
    }

    #[test]
    fn unset_and_odd_dates_are_read() {
        let mut body = search("finished", json!({}));
        body["finishedAt"] = json!("0001-01-01T00:00:00Z");
        assert_eq!(parse(&body).occurred_at, None);
        body["finishedAt"] = json!("2026-06-01T09:30:00.123456789");
        assert_eq!(
            parse(&body).occurred_at.map(|t| t.to_rfc3339()),
            Some("2026-06-01T09:30:00.123456789+00:00".into())
        );
    }

    #[test]
    fn links_are_http_urls_without_credentials() {
        let alert = parse(&search(
            "finished",
            json!({"cards": [
                {"profile_url": "https://github.com/target"},
                {"profile_url": "https://github.com/target"},
                {"u": "ftp://files.example/x"},
                {"u": "https://user:pw@host.example/"},
                {"u": "javascript:alert(1)"},
                {"u": "http://example.org/a b"}
            ]}),
        ));
        assert_eq!(alert.links, vec!["https://github.com/target"]);
    }
}
