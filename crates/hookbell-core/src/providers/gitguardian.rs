//! `gitguardian`: GitGuardian's custom webhook (auth scheme `gitguardian`).
//!
//! Bodies are `{source, timestamp, action, message, target_user, incident | honeytoken, …}`:
//! - a secret **incident** (`incident_triggered`, `incident_regression`, `incident_resolved`,
//!   `incident_ignored`, `incident_reopened`, `incident_assigned`, …) is one alert keyed by the
//!   incident's id, so the later events of the same incident update it: resolved and ignored
//!   close it upstream, reopened and regression reopen it;
//! - a **honeytoken** event (`honeytoken_triggered`, `new_honeytoken_event` with the caller's
//!   IP address and user agent) is one critical alert per trip;
//! - the "send test message" button posts an older format whose `matches[].match` holds a
//!   matched secret: it becomes an info alert saying the webhook works, the match masked.
//!
//! The incident's `share_url` holds a viewing token (anyone with the URL sees the incident):
//! [`Provider::redact`] masks it in the stored body and the adapter copies only the masked
//! form.

use serde_json::{Map, Value};

use super::read::{self, Details};
use super::text::{capitalize, clip, one_line};
use super::{Context, Lang, NewAlert, Provider, Unrecognized, Upstream};
use crate::alert::{MaskedValue, Severity};
use crate::delivery::Delivery;
use crate::mask::{Kind, Policy, mask_secret};
use crate::prose::{self, FluentArgs, NONE, prose, text};

/// The gitguardian adapter.
#[derive(Debug, Clone, Copy)]
pub struct Gitguardian;

/// The shared vocabulary, plus the old test format's `match` (the matched secret itself) and
/// the incident's hashes of the secret (`secret_hash`, `hmsl_hash`: a hash of a short secret
/// can be reversed by guessing). Share URLs are masked by [`Provider::redact`] and by the
/// adapter, which keep their host readable.
const POLICY: Policy = Policy::with(&[
    ("match", Kind::Secret),
    ("secrethash", Kind::Secret),
    ("hmslhash", Kind::Secret),
]);

/// The length a title should stay within (characters).
const TITLE_MAX: usize = 120;

/// How many occurrence links an alert lists.
const LINKS_MAX: usize = 5;

impl Provider for Gitguardian {
    fn id(&self) -> &'static str {
        "gitguardian"
    }

    fn parse(
        &self,
        body: &Value,
        delivery: &Delivery,
        ctx: &Context,
    ) -> Result<Vec<NewAlert>, Unrecognized> {
        let Value::Object(obj) = body else {
            return Err(Unrecognized(format!(
                "expected a GitGuardian webhook object, got {}",
                super::generic::json_kind(body)
            )));
        };
        let envelope = Envelope::read(obj);
        if let Some(Value::Object(incident)) = obj.get("incident") {
            return Ok(vec![Incident::read(incident, envelope)?.alert(ctx.lang)]);
        }
        if let Some(Value::Object(honeytoken)) = obj.get("honeytoken") {
            let event = obj
                .get("event")
                .or_else(|| obj.get("honeytoken_event"))
                .and_then(Value::as_object);
            return Ok(vec![
                Honeytoken::read(honeytoken, event, envelope)?.alert(ctx.lang),
            ]);
        }
        if obj.get("matches").is_some_and(Value::is_array) {
            return Ok(vec![test_message(obj, delivery, ctx.lang)]);
        }
        Err(Unrecognized(
            "no incident, honeytoken or matches member: not a GitGuardian webhook".into(),
        ))
    }

    fn policy(&self) -> Policy {
        POLICY
    }

    /// Masks the token part of every share URL (any string under a `share_url` member, and
    /// any URL with a `/share/` path), keeping the host and the kind of page readable.
    fn redact(&self, body: &mut Value) -> bool {
        redact_share_urls(body, false)
    }

    fn sample(&self) -> &'static str {
        include_str!("gitguardian/fixtures/sample.json")
    }
}

/// The members every GitGuardian webhook body has around its object.
#[derive(Debug, Clone, Default)]
struct Envelope {
    action: String,
    message: Option<String>,
    timestamp: Option<chrono::DateTime<chrono::Utc>>,
    target_user: Option<String>,
}

impl Envelope {
    fn read(obj: &Map<String, Value>) -> Envelope {
        Envelope {
            action: read::text(obj.get("action"))
                .map(|a| a.to_ascii_lowercase())
                .unwrap_or_default(),
            message: read::text(obj.get("message")).map(|m| clip(&one_line(&m), 500)),
            timestamp: read::time(obj.get("timestamp")),
            target_user: read::text(obj.get("target_user")),
        }
    }
}

/// A secret incident, read.
#[derive(Debug)]
struct Incident {
    envelope: Envelope,
    id: String,
    detector: String,
    detector_name: Option<String>,
    severity_word: Option<String>,
    validity: Option<String>,
    status: Option<String>,
    occurrences_count: Option<i64>,
    sources: Vec<String>,
    files: Vec<String>,
    occurrence_links: Vec<String>,
    gitguardian_url: Option<String>,
    /// The share URL, its token masked.
    share_url: Option<String>,
    share_url_length: Option<usize>,
    assignee: Option<String>,
    ignore_reason: Option<String>,
    secret_revoked: Option<bool>,
    tags: Vec<String>,
    triggered_at: Option<chrono::DateTime<chrono::Utc>>,
    resolved_at: Option<chrono::DateTime<chrono::Utc>>,
    ignored_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What an action does to the upstream incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Triggered,
    Regression,
    Resolved,
    Ignored,
    Reopened,
    Assigned,
    Other,
}

impl Change {
    fn of(action: &str) -> Change {
        match action.trim_start_matches("incident_") {
            "triggered" | "created" => Change::Triggered,
            "regression" => Change::Regression,
            "resolved" => Change::Resolved,
            "ignored" => Change::Ignored,
            "reopened" => Change::Reopened,
            "assigned" | "reassigned" => Change::Assigned,
            _ => Change::Other,
        }
    }
}

impl Incident {
    fn read(incident: &Map<String, Value>, envelope: Envelope) -> Result<Incident, Unrecognized> {
        let id = read::text(incident.get("id"))
            .ok_or_else(|| Unrecognized("the incident has no id".into()))?;
        let detector_obj = incident.get("detector");
        let detector_name = read::text(detector_obj.and_then(|d| d.get("name")))
            .or_else(|| read::text(incident.get("detector")));
        let detector = read::text(detector_obj.and_then(|d| d.get("display_name")))
            .or_else(|| read::text(detector_obj.and_then(|d| d.get("detector_group_display_name"))))
            .or_else(|| detector_name.clone())
            .map(|d| clip(&one_line(&d), 60))
            .unwrap_or_default();

        let occurrences = read::list(incident.get("occurrences"));
        let mut sources = Vec::new();
        let mut files = Vec::new();
        let mut occurrence_links = Vec::new();
        for occurrence in occurrences {
            let source = occurrence.get("source");
            if let Some(name) = read::text(source.and_then(|s| s.get("full_name")))
                .or_else(|| read::text(source.and_then(|s| s.get("url"))))
            {
                push_unique(&mut sources, clip(&one_line(&name), 80));
            }
            if let Some(path) = read::text(occurrence.get("filepath")) {
                push_unique(&mut files, clip(&one_line(&path), 120));
            }
            if let Some(url) = read::text(occurrence.get("url")) {
                occurrence_links.push(url);
            }
        }
        let mut occurrence_links = read::web_links(occurrence_links.iter().map(String::as_str));
        occurrence_links.truncate(LINKS_MAX);
        // Newer payloads name the source on the incident itself.
        if let Some(name) = read::text(incident.get("source").and_then(|s| s.get("full_name"))) {
            push_unique(&mut sources, clip(&one_line(&name), 80));
        }

        let raw_share = read::text(incident.get("share_url"));

        Ok(Incident {
            id: clip(&one_line(&id), 80),
            detector,
            detector_name,
            severity_word: read::text(incident.get("severity")).map(|s| s.to_ascii_lowercase()),
            validity: read::text(incident.get("validity")).map(|s| s.to_ascii_lowercase()),
            status: read::text(incident.get("status")).map(|s| s.to_ascii_uppercase()),
            occurrences_count: read::int(
                incident
                    .get("occurrences_count")
                    .or_else(|| incident.get("occurrence_count")),
            ),
            sources,
            files,
            occurrence_links,
            gitguardian_url: read::text(incident.get("gitguardian_url"))
                .filter(|u| read::is_web_link(u)),
            share_url_length: raw_share.as_ref().map(|s| s.chars().count()),
            share_url: raw_share.map(|s| mask_share_url(&s)),
            assignee: read::text(incident.get("assignee_email")),
            ignore_reason: read::text(incident.get("ignore_reason")),
            secret_revoked: read::boolean(incident.get("secret_revoked")),
            tags: tags(incident.get("tags")),
            triggered_at: read::time(incident.get("triggered_at"))
                .or_else(|| read::time(incident.get("date"))),
            resolved_at: read::time(incident.get("resolved_at")),
            ignored_at: read::time(incident.get("ignored_at")),
            envelope,
        })
    }

    /// Contract: the incident's `severity` as is; unknown or missing → medium.
    fn severity(&self) -> Severity {
        self.severity_word
            .as_deref()
            .and_then(Severity::parse_loose)
            .unwrap_or(Severity::Medium)
    }

    fn change(&self) -> Change {
        Change::of(&self.envelope.action)
    }

    fn upstream(&self) -> Upstream {
        let action = self.envelope.action.clone();
        match self.change() {
            Change::Resolved => Upstream::Closed {
                action,
                by: None,
                reason: self
                    .secret_revoked
                    .filter(|r| *r)
                    .map(|_| "secret_revoked".to_owned()),
            },
            Change::Ignored => Upstream::Closed {
                action,
                by: None,
                reason: self.ignore_reason.clone(),
            },
            Change::Reopened | Change::Regression => Upstream::Reopened { action, by: None },
            Change::Triggered | Change::Assigned | Change::Other => Upstream::Open,
        }
    }

    /// `Slack Bot Token` secret, or `A secret` when GitGuardian names no detector.
    fn what(&self, lang: Lang) -> String {
        prose(lang, "gitguardian-what", &self.args())
    }

    /// The facts most messages take: `detector` and `place` (or [`NONE`]).
    fn args(&self) -> FluentArgs<'static> {
        let mut args = FluentArgs::new();
        args.set(
            "detector",
            prose::or_none(Some(self.detector.as_str()).filter(|d| !d.is_empty())),
        );
        args.set("place", prose::or_none(self.place()));
        args
    }

    fn place(&self) -> Option<String> {
        self.sources.first().cloned()
    }

    fn title(&self, lang: Lang) -> String {
        let mut args = self.args();
        args.set("what", self.what(lang));
        let id = match self.change() {
            Change::Triggered | Change::Other | Change::Assigned => "gitguardian-title-exposed",
            Change::Regression => "gitguardian-title-regression",
            Change::Resolved => "gitguardian-title-resolved",
            Change::Ignored => "gitguardian-title-ignored",
            Change::Reopened => "gitguardian-title-reopened",
        };
        clip(&prose(lang, id, &args), TITLE_MAX)
    }

    fn summary(&self, lang: Lang) -> String {
        let count = self.occurrences_count.unwrap_or(0).max(0);
        let mut args = FluentArgs::new();
        args.set("id", self.id.as_str());
        args.set(
            "severity",
            self.severity_word.as_deref().unwrap_or(NONE).to_owned(),
        );
        let mut parts = vec![prose(lang, "gitguardian-summary-incident", &args)];
        if let Some(v) = &self.validity {
            args.set("validity", v.as_str());
            parts.push(prose(lang, "gitguardian-summary-validity", &args));
        }
        if count > 0 {
            args.set("count", count);
            parts.push(prose(lang, "gitguardian-summary-occurrences", &args));
        }
        if !self.files.is_empty() {
            let files = self
                .files
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            args.set("files", files);
            parts.push(prose(lang, "gitguardian-summary-files", &args));
        }
        if let Some(status) = &self.status {
            args.set("status", status.as_str());
            parts.push(prose(lang, "gitguardian-summary-status", &args));
        }
        if let Some(who) = &self.assignee {
            args.set("who", who.as_str());
            parts.push(prose(lang, "gitguardian-summary-assignee", &args));
        }
        args.set("facts", parts.join(", "));
        prose(lang, "gitguardian-summary", &args)
    }

    fn recommendation(&self, lang: Lang) -> String {
        let mut args = self.args();
        args.set("secret", prose(lang, "gitguardian-the-secret", &args));
        args.set("file", prose::or_none(self.files.first().cloned()));
        args.set(
            "reason",
            self.ignore_reason
                .as_deref()
                .map_or_else(|| NONE.to_owned(), |r| r.replace('_', " ")),
        );
        let id = match self.change() {
            Change::Resolved if self.secret_revoked == Some(true) => "gitguardian-advice-revoked",
            Change::Resolved => "gitguardian-advice-resolved",
            Change::Ignored => "gitguardian-advice-ignored",
            _ => "gitguardian-advice-revoke",
        };
        prose(lang, id, &args)
    }

    fn alert(self, lang: Lang) -> NewAlert {
        let links = read::web_links(
            self.gitguardian_url
                .iter()
                .chain(&self.occurrence_links)
                .map(String::as_str),
        );
        let masked_values = match (&self.share_url, self.share_url_length) {
            (Some(masked), Some(length)) => vec![MaskedValue {
                name: "share_url".into(),
                value: masked.clone(),
                cleartext: false,
                length: Some(length),
                algorithm: None,
            }],
            _ => Vec::new(),
        };
        let details = Details::new()
            .section("incident", |s| {
                s.field("id", self.id.as_str())
                    .field("action", self.envelope.action.as_str())
                    .opt("status", self.status.clone())
                    .opt("severity", self.severity_word.clone())
                    .opt("validity", self.validity.clone())
                    .opt("occurrences_count", self.occurrences_count)
                    .opt("assignee", self.assignee.clone())
                    .opt("ignore_reason", self.ignore_reason.clone())
                    .opt("secret_revoked", self.secret_revoked)
                    .opt("triggered_at", read::time_value(self.triggered_at))
                    .opt("resolved_at", read::time_value(self.resolved_at))
                    .opt("ignored_at", read::time_value(self.ignored_at))
                    .field("tags", self.tags.clone())
            })
            .section("detector", |s| {
                s.field("display_name", self.detector.as_str())
                    .opt("name", self.detector_name.clone())
            })
            .section("found_in", |s| {
                s.field("sources", self.sources.clone())
                    .field("files", self.files.clone())
            })
            .section("gitguardian", |s| {
                s.opt("url", self.gitguardian_url.clone())
                    .opt("share_url", self.share_url.clone())
                    .opt("message", self.envelope.message.clone())
                    .opt("target_user", self.envelope.target_user.clone())
                    .opt("sent_at", read::time_value(self.envelope.timestamp))
            })
            .build();
        NewAlert {
            external_id: format!("incident:{}", self.id),
            severity: self.severity(),
            title: self.title(lang),
            summary: self.summary(lang),
            description: self.envelope.message.clone().unwrap_or_default(),
            recommendation: self.recommendation(lang),
            subject: self.place().unwrap_or_else(|| capitalize(&self.what(lang))),
            category: "secret_incident".into(),
            occurred_at: self.triggered_at.or(self.envelope.timestamp),
            unrecognized: false,
            masked_values,
            links,
            details,
            upstream: self.upstream(),
        }
    }
}

/// A honeytoken event, read.
#[derive(Debug)]
struct Honeytoken {
    envelope: Envelope,
    id: String,
    name: String,
    kind: Option<String>,
    description: Option<String>,
    status: Option<String>,
    url: Option<String>,
    open_events: Option<i64>,
    triggered_at: Option<chrono::DateTime<chrono::Utc>>,
    tags: Vec<String>,
    event: Option<HoneytokenEvent>,
}

/// One use of a honeytoken (`new_honeytoken_event`).
#[derive(Debug)]
struct HoneytokenEvent {
    id: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    at: Option<chrono::DateTime<chrono::Utc>>,
    status: Option<String>,
    /// The calls made, as GitGuardian lists them in the event's data.
    calls: Vec<String>,
    /// The event's data, for details (the policy masks it like every detail).
    data: Value,
}

impl Honeytoken {
    fn read(
        honeytoken: &Map<String, Value>,
        event: Option<&Map<String, Value>>,
        envelope: Envelope,
    ) -> Result<Honeytoken, Unrecognized> {
        let id = read::text(honeytoken.get("id"))
            .ok_or_else(|| Unrecognized("the honeytoken has no id".into()))?;
        let name = read::text(honeytoken.get("name"))
            .map(|n| clip(&one_line(&n), 80))
            .unwrap_or_else(|| clip(&id, 40));
        let event = event.map(|e| {
            let data = e.get("data").cloned().unwrap_or(Value::Null);
            let mut calls = Vec::new();
            for key in ["actions", "calls", "eventName", "event_name", "action"] {
                for call in read::texts(data.get(key))
                    .into_iter()
                    .chain(read::text(data.get(key)))
                {
                    push_unique(&mut calls, clip(&one_line(&call), 60));
                }
            }
            HoneytokenEvent {
                id: read::text(e.get("id")),
                ip: read::text(e.get("ip_address").or_else(|| e.get("ip"))),
                user_agent: read::text(e.get("user_agent")).map(|u| clip(&one_line(&u), 200)),
                at: read::time(e.get("triggered_at").or_else(|| e.get("date"))),
                status: read::text(e.get("status")),
                calls,
                data,
            }
        });
        Ok(Honeytoken {
            id,
            name,
            kind: read::text(honeytoken.get("type")),
            description: read::text(honeytoken.get("description"))
                .map(|d| clip(&one_line(&d), 300)),
            status: read::text(honeytoken.get("status")),
            url: read::text(honeytoken.get("gitguardian_url")).filter(|u| read::is_web_link(u)),
            open_events: read::int(honeytoken.get("open_events_count")),
            triggered_at: read::time(honeytoken.get("triggered_at")),
            tags: tags(honeytoken.get("tags")),
            event,
            envelope,
        })
    }

    /// Contract: honeytoken events → critical.
    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn alert(mut self, lang: Lang) -> NewAlert {
        let data = self
            .event
            .as_mut()
            .map_or(Value::Null, |e| std::mem::take(&mut e.data));
        let kind = self.kind.clone();
        let ip = self.event.as_ref().and_then(|e| e.ip.clone());
        let mut args = FluentArgs::new();
        args.set("name", prose::quoted(lang, &self.name));
        args.set("ip", prose::or_none(ip.clone()));
        let title = prose(lang, "gitguardian-honeytoken-title", &args);
        let at = self
            .event
            .as_ref()
            .and_then(|e| e.at)
            .or(self.triggered_at)
            .or(self.envelope.timestamp);
        args.set("kind", prose::or_none(kind));
        match at {
            Some(t) => {
                args.set("dated", "yes");
                args.set("day", prose::day(t.date_naive()));
            }
            None => args.set("dated", "no"),
        }
        let mut facts = Vec::new();
        if let Some(event) = &self.event {
            if let Some(ip) = &event.ip {
                args.set("ip", ip.as_str());
                facts.push(prose(lang, "gitguardian-honeytoken-from", &args));
            }
            if let Some(agent) = &event.user_agent {
                args.set("agent", prose::quoted(lang, &clip(agent, 80)));
                facts.push(prose(lang, "gitguardian-honeytoken-agent", &args));
            }
            if !event.calls.is_empty() {
                let calls = event
                    .calls
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                args.set("calls", calls);
                facts.push(prose(lang, "gitguardian-honeytoken-calls", &args));
            }
        }
        args.set("facts", prose::joined_or_none(&facts, ", "));
        let mut summary = prose(lang, "gitguardian-honeytoken-summary", &args);
        if let Some(n) = self.open_events.filter(|n| *n > 1) {
            args.set("count", n);
            summary.push(' ');
            summary.push_str(&prose(lang, "gitguardian-honeytoken-open-events", &args));
        }
        args.set(
            "description",
            self.description
                .as_deref()
                .map_or_else(|| NONE.to_owned(), |d| prose::quoted(lang, &clip(d, 120))),
        );
        let recommendation = prose(lang, "gitguardian-honeytoken-advice", &args);
        let event_id = self.event.as_ref().and_then(|e| e.id.clone());
        let external_id = match (&event_id, &self.triggered_at) {
            (Some(event), _) => format!("honeytoken:{}:event:{event}", self.id),
            (None, Some(at)) => format!("honeytoken:{}:triggered:{}", self.id, at.timestamp()),
            (None, None) => format!("honeytoken:{}:{}", self.id, self.envelope.action),
        };
        let details = Details::new()
            .section("honeytoken", |s| {
                s.field("id", self.id.as_str())
                    .field("name", self.name.as_str())
                    .opt("type", self.kind.clone())
                    .opt("description", self.description.clone())
                    .opt("status", self.status.clone())
                    .opt("open_events_count", self.open_events)
                    .opt("triggered_at", read::time_value(self.triggered_at))
                    .field("tags", self.tags.clone())
            })
            .section("event", |s| match &self.event {
                Some(e) => s
                    .opt("id", e.id.clone())
                    .opt("ip_address", e.ip.clone())
                    .opt("user_agent", e.user_agent.clone())
                    .opt("triggered_at", read::time_value(e.at))
                    .opt("status", e.status.clone())
                    .field("calls", e.calls.clone())
                    .field("data", data),
                None => s,
            })
            .section("gitguardian", |s| {
                s.field("action", self.envelope.action.as_str())
                    .opt("url", self.url.clone())
                    .opt("message", self.envelope.message.clone())
                    .opt("target_user", self.envelope.target_user.clone())
                    .opt("sent_at", read::time_value(self.envelope.timestamp))
            })
            .build();
        NewAlert {
            external_id,
            severity: self.severity(),
            title: clip(&title, TITLE_MAX),
            summary,
            description: self.envelope.message.clone().unwrap_or_default(),
            recommendation,
            subject: self.name.clone(),
            category: "honeytoken".into(),
            occurred_at: at,
            unrecognized: false,
            masked_values: Vec::new(),
            links: self.url.clone().into_iter().collect(),
            details,
            upstream: Upstream::Open,
        }
    }
}

/// GitGuardian's "send test message": the older format, `matches[].match` masked by the policy.
fn test_message(obj: &Map<String, Value>, delivery: &Delivery, lang: Lang) -> NewAlert {
    let matches = read::list(obj.get("matches"));
    let kinds: Vec<String> = matches
        .iter()
        .filter_map(|m| read::text(m.get("type")))
        .map(|t| clip(&one_line(&t), 40))
        .collect();
    // The matches are masked by the policy, as every detail is (crate::normalize).
    let payload: Map<String, Value> = obj
        .iter()
        .filter(|(name, _)| *name != "matches")
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    NewAlert {
        external_id: super::generic::body_hash(&delivery.body),
        severity: Severity::Info,
        title: text(lang, "gitguardian-test-title"),
        summary: text(lang, "gitguardian-test-summary"),
        description: String::new(),
        recommendation: text(lang, "gitguardian-test-advice"),
        subject: "GitGuardian".into(),
        category: "test".into(),
        occurred_at: None,
        unrecognized: false,
        masked_values: Vec::new(),
        links: Vec::new(),
        details: Details::new()
            .section("test", |s| {
                s.field("match_types", kinds)
                    .field("matches", matches.to_vec())
            })
            .raw("payload", Value::Object(payload))
            .build(),
        upstream: Upstream::Open,
    }
}

/// Tags as GitGuardian sends them: texts, or `{key, value}` objects (`key:value`), each on one
/// line and at most 60 characters.
fn tags(list: Option<&Value>) -> Vec<String> {
    read::list(list)
        .iter()
        .filter_map(|t| {
            read::text(Some(t)).or_else(|| {
                let key = read::text(t.get("key"))?;
                Some(match read::text(t.get("value")) {
                    Some(value) => format!("{key}:{value}"),
                    None => key,
                })
            })
        })
        .map(|t| clip(&one_line(&t), 60))
        .collect()
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !item.is_empty() && !list.contains(&item) {
        list.push(item);
    }
}

/// The words of a share URL's path that say what is shared, kept readable.
const SHARE_PAGE_KINDS: &[&str] = &["incidents", "incident", "honeytokens", "honeytoken"];

/// A share URL with its viewing token masked: the host and the page kind (`incidents`) stay,
/// every other path segment after `/share/` and any query or fragment are masked.
/// `https://dashboard.gitguardian.com/share/incidents/8a8b…` →
/// `https://dashboard.gitguardian.com/share/incidents/8a****…**1e`. Text that is not such a URL
/// is masked whole. Masking a masked URL changes nothing.
pub fn mask_share_url(url: &str) -> String {
    let Some(at) = url.find("/share/") else {
        return mask_secret(url);
    };
    let (head, tail) = url.split_at(at + "/share/".len());
    let (path, rest) = match tail.find(['?', '#']) {
        Some(i) => tail.split_at(i),
        None => (tail, ""),
    };
    let path = path
        .split('/')
        .map(|segment| {
            if segment.is_empty() || SHARE_PAGE_KINDS.contains(&segment) {
                segment.to_owned()
            } else {
                mask_secret(segment)
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    let mut rest_chars = rest.chars();
    let rest = match rest_chars.next() {
        Some(sep) => format!("{sep}{}", mask_secret(rest_chars.as_str())),
        None => String::new(),
    };
    format!("{head}{path}{rest}")
}

/// Masks share URLs in `value`: strings under a `share_url` member, and URLs with a
/// `/share/` path anywhere. Returns true when something changed.
fn redact_share_urls(value: &mut Value, under_share_name: bool) -> bool {
    match value {
        Value::String(s) => {
            let is_share = under_share_name
                || (s.contains("/share/")
                    && s.trim_start().to_ascii_lowercase().starts_with("http"));
            if !is_share || s.is_empty() {
                return false;
            }
            let masked = mask_share_url(s);
            let changed = masked != *s;
            *s = masked;
            changed
        }
        Value::Array(items) => {
            // Every item is visited: no short-circuit.
            let mut changed = false;
            for item in items {
                changed |= redact_share_urls(item, under_share_name);
            }
            changed
        }
        Value::Object(map) => {
            let mut changed = false;
            for (name, member) in map.iter_mut() {
                changed |= redact_share_urls(member, is_share_url_name(name));
            }
            changed
        }
        Value::Number(_) | Value::Bool(_) | Value::Null => false,
    }
}

/// Whether a member `name`, without `_` and `-` and ignoring ASCII case, ends with `shareurl`
/// (`share_url`, `shareURL`, `incident-share-url`). Read backwards from its end, without
/// allocating: this runs for every member of every body, detail and link. (A byte of a
/// non-ASCII character never equals an ASCII letter, so bytes compare as characters would.)
fn is_share_url_name(name: &str) -> bool {
    let mut from_end = name.bytes().rev().filter(|b| *b != b'_' && *b != b'-');
    b"shareurl".iter().rev().all(|want| {
        from_end
            .next()
            .is_some_and(|b| b.to_ascii_lowercase() == *want)
    })
}

#[cfg(test)]
mod tests;
