//! `github`: GitHub's security webhooks (Dependabot, code scanning, secret scanning, security
//! advisories and the legacy repository vulnerability alerts), told apart by the signed body's
//! shape; the unsigned `X-GitHub-Event` header names the event only when the shape names none,
//! so a replayed body cannot pass for another family or for a `ping`. This module owns their
//! reading: the alert's
//! identity (repository + event family + alert number, never the unsigned
//! `X-GitHub-Delivery`), severity by the contract's github row, the upstream state each action
//! means (fixed, dismissed, resolved… close the alert; reopened, reintroduced… reopen it), the
//! EN/DE text, and `ping`, which is acknowledged without an alert. Form-encoded deliveries
//! carry the JSON in their `payload` field ([`Provider::form_field`]).

use serde_json::Value;

use super::read::{self, Details, Section, at, text};
use super::text::{clip_words, one_line};
use super::{Context, Lang, NewAlert, Provider, Unrecognized, Upstream};
use crate::alert::Severity;
use crate::delivery::Delivery;
use crate::prose::{self, FluentArgs, NONE, prose};

/// The GitHub adapter.
#[derive(Debug, Clone, Copy)]
pub struct Github;

/// The longest title, summary and recommendation excerpt Hookbell writes.
const TITLE_MAX: usize = 140;
const HELP_MAX: usize = 1_200;

impl Provider for Github {
    fn id(&self) -> &'static str {
        "github"
    }

    fn parse(
        &self,
        body: &Value,
        delivery: &Delivery,
        ctx: &Context,
    ) -> Result<Vec<NewAlert>, Unrecognized> {
        if !body.is_object() {
            return Err(Unrecognized("expected a JSON object".into()));
        }
        let event = event(body, delivery).ok_or_else(|| {
            Unrecognized(
                "the body is no security event, and no X-GitHub-Event header names one".into(),
            )
        })?;
        let lang = ctx.lang;
        let alert = match event.as_str() {
            "dependabot_alert" => dependabot(body, lang),
            "code_scanning_alert" => code_scanning(body, lang),
            "secret_scanning_alert" | "secret_scanning_alert_location" => {
                secret_scanning(body, lang, event == "secret_scanning_alert_location")
            }
            "security_advisory" => advisory(body, lang),
            "repository_vulnerability_alert" => vulnerability_alert(body, lang),
            other => {
                return Err(Unrecognized(format!(
                    "the GitHub event {:?} is not a security event Hookbell reads",
                    clip_words(&one_line(other), 60)
                )));
            }
        }?;
        Ok(vec![alert])
    }

    fn acknowledge(&self, body: &Value, delivery: &Delivery) -> bool {
        event(body, delivery).as_deref() == Some("ping")
    }

    fn form_field(&self) -> Option<&'static str> {
        Some("payload")
    }

    fn sample(&self) -> &'static str {
        include_str!("github/fixtures/dependabot_alert.created.json")
    }
}

/// The event name. The body is signed and the `X-GitHub-Event` header is not, so the body's
/// shape decides: the header names the event only when the shape names none (and never makes
/// a `ping`, which must look like one: `zen` and `hook_id` in the body). A body replayed under
/// another header is therefore read as the same event, with the same identity.
fn event(body: &Value, delivery: &Delivery) -> Option<String> {
    if let Some(name) = shape(body) {
        return Some(name.to_owned());
    }
    delivery
        .headers
        .get("x-github-event")
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| name != "ping")
}

/// The event the body's shape says it is, if any.
fn shape(body: &Value) -> Option<&'static str> {
    let alert = body.get("alert");
    let has = |path: &[&str]| alert.and_then(|a| at(a, path)).is_some();
    Some(
        if body.get("zen").is_some() && body.get("hook_id").is_some() {
            "ping"
        } else if has(&["dependency"]) {
            "dependabot_alert"
        } else if has(&["rule"]) {
            "code_scanning_alert"
        } else if has(&["secret_type"]) && body.get("location").is_some() {
            "secret_scanning_alert_location"
        } else if has(&["secret_type"]) {
            "secret_scanning_alert"
        } else if has(&["affected_package_name"]) {
            "repository_vulnerability_alert"
        } else if body.get("security_advisory").is_some() {
            "security_advisory"
        } else {
            return None;
        },
    )
}

/// What every alert event shares: the action, the repository, who acted.
struct Common {
    action: String,
    repo: String,
    repo_url: Option<String>,
    private: Option<bool>,
    sender: Option<String>,
}

impl Common {
    fn of(body: &Value) -> Common {
        let repo = text(at(body, &["repository", "full_name"]))
            .or_else(|| text(at(body, &["organization", "login"])))
            .or_else(|| text(at(body, &["enterprise", "slug"])))
            .unwrap_or_default();
        Common {
            action: text(body.get("action")).unwrap_or_default(),
            repo: one_line(&repo),
            repo_url: text(at(body, &["repository", "html_url"])),
            private: read::boolean(at(body, &["repository", "private"])),
            sender: text(at(body, &["sender", "login"])),
        }
    }

    /// The repository as text says it ("a repository" when the body names none).
    fn repo_or(&self, lang: Lang) -> String {
        if self.repo.is_empty() {
            prose::text(lang, "github-a-repository")
        } else {
            self.repo.clone()
        }
    }

    /// The upstream state the action means; `by` and `reason` as the event says them, and
    /// `severity` the alert's as this event reads it (for an escalation).
    fn upstream(&self, by: Option<String>, reason: Option<String>, severity: Severity) -> Upstream {
        let by = by.or_else(|| self.sender.clone());
        match self.action.as_str() {
            // A secret found in public is worse than the alert GitHub first raised: the stored
            // alert takes the higher severity, is not done, and notifies again.
            // Who acted is the event's sender (a resolution's `by` is not who found the leak).
            "publicly_leaked" => Upstream::Escalated {
                action: self.action.clone(),
                severity,
                by: self.sender.clone(),
            },
            "fixed" | "dismissed" | "auto_dismissed" | "closed_by_user" | "resolved"
            | "withdrawn" | "dismiss" | "resolve" => Upstream::Closed {
                action: self.action.clone(),
                by,
                reason,
            },
            "reopened" | "reintroduced" | "auto_reopened" | "reopened_by_user" => {
                Upstream::Reopened {
                    action: self.action.clone(),
                    by,
                }
            }
            _ => Upstream::Open,
        }
    }

    /// The arguments every summary takes: `repo`, `action` and `severity`.
    fn args(&self, lang: Lang, severity: Severity) -> FluentArgs<'static> {
        let mut args = FluentArgs::new();
        args.set("repo", self.repo_or(lang));
        args.set("action", self.action.clone());
        args.set("severity", severity.as_str());
        args
    }

    fn repository_section(&self, details: Details) -> Details {
        details.section("repository", |s| {
            s.field("full_name", self.repo.clone())
                .opt("private", self.private)
                .opt("url", self.repo_url.clone())
        })
    }

    fn event_section(&self, details: Details, event: &str) -> Details {
        details.section("event", |s| {
            s.field("name", event)
                .field("action", self.action.clone())
                .opt("sender", self.sender.clone())
        })
    }
}

/// The advisory severity scale (`moderate` is medium); unknown → medium.
fn advisory_severity(word: Option<String>) -> Severity {
    match word.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("critical") => Severity::Critical,
        Some("high") => Severity::High,
        Some("low") => Severity::Low,
        _ => Severity::Medium,
    }
}

/// A login under `path` of the alert (`dismissed_by`, `resolved_by`, `dismisser`).
fn login(alert: &Value, key: &str) -> Option<String> {
    text(at(alert, &[key, "login"]))
}

/// The `https://` links among `candidates` ([`read::web_links`], `http://` left out), in
/// order, without repeats.
fn links(candidates: impl IntoIterator<Item = Option<String>>) -> Vec<String> {
    let candidates: Vec<String> = candidates.into_iter().flatten().collect();
    let mut links = read::web_links(candidates.iter().map(String::as_str));
    links.retain(|link| link.starts_with("https://"));
    links
}

fn reason(parts: &[Option<String>]) -> Option<String> {
    let parts: Vec<String> = parts.iter().flatten().map(|p| one_line(p)).collect();
    (!parts.is_empty()).then(|| parts.join(": "))
}

/// Who dismissed a Dependabot or code scanning alert, and why (reason and comment).
struct Dismissal {
    by: Option<String>,
    reason: Option<String>,
}

impl Dismissal {
    fn of(alert: &Value) -> Dismissal {
        Dismissal {
            by: login(alert, "dismissed_by"),
            reason: reason(&[
                text(alert.get("dismissed_reason")),
                text(alert.get("dismissed_comment")),
            ]),
        }
    }
}

/// The dismissal's fields of an `alert` section: when, by whom, the reason and the comment.
fn dismissal_fields(s: Section, alert: &Value, by: Option<String>) -> Section {
    s.time("dismissed_at", alert.get("dismissed_at"))
        .opt("dismissed_by", by)
        .opt("dismissed_reason", text(alert.get("dismissed_reason")))
        .opt("dismissed_comment", text(alert.get("dismissed_comment")))
}

/// `path:line`, `path`, or nothing without a path.
fn place(path: Option<&str>, line: Option<&str>) -> Option<String> {
    match (path, line) {
        (Some(p), Some(l)) => Some(format!("{p}:{l}")),
        (Some(p), None) => Some(p.to_owned()),
        _ => None,
    }
}

fn dependabot(body: &Value, lang: Lang) -> Result<NewAlert, Unrecognized> {
    let common = Common::of(body);
    let alert = body
        .get("alert")
        .filter(|a| a.is_object())
        .ok_or_else(|| Unrecognized("a dependabot_alert without an alert object".into()))?;
    let number = text(alert.get("number"))
        .ok_or_else(|| Unrecognized("a dependabot_alert without an alert number".into()))?;
    let advisory = alert.get("security_advisory").unwrap_or(&Value::Null);
    let vulnerability = alert.get("security_vulnerability").unwrap_or(&Value::Null);
    let package = text(at(alert, &["dependency", "package", "name"]))
        .or_else(|| text(at(vulnerability, &["package", "name"])))
        .map(|p| one_line(&p))
        .unwrap_or_else(|| prose::text(lang, "github-a-dependency"));
    let ecosystem = text(at(alert, &["dependency", "package", "ecosystem"]));
    let manifest = text(at(alert, &["dependency", "manifest_path"])).map(|m| one_line(&m));
    let range = text(vulnerability.get("vulnerable_version_range"));
    let patched = text(at(vulnerability, &["first_patched_version", "identifier"]));
    let ghsa = text(advisory.get("ghsa_id"));
    let cve = text(advisory.get("cve_id"));
    let advisory_summary = text(advisory.get("summary")).map(|s| one_line(&s));
    let severity = advisory_severity(
        text(advisory.get("severity")).or_else(|| text(vulnerability.get("severity"))),
    );
    let repo = common.repo_or(lang);
    let id = cve.clone().or_else(|| ghsa.clone());
    let mut args = common.args(lang, severity);
    args.set("package", package.clone());
    let title = match &advisory_summary {
        Some(summary) if summary.to_lowercase().contains(&package.to_lowercase()) => {
            summary.clone()
        }
        _ => {
            args.set("summary", prose::or_none(advisory_summary.as_deref()));
            prose(lang, "github-dependabot-title", &args)
        }
    };
    args.set("number", number.clone());
    args.set("range", prose::or_none(range.as_deref()));
    args.set("manifest", prose::or_none(manifest.as_deref()));
    args.set("id", prose::or_none(id.as_deref()));
    let summary = prose(lang, "github-dependabot-summary", &args);
    args.set("where", manifest.clone().unwrap_or_else(|| repo.clone()));
    args.set("patched", prose::or_none(patched.as_deref()));
    let recommendation = prose(lang, "github-dependabot-advice", &args);
    let dismissal = Dismissal::of(alert);
    let upstream = common.upstream(dismissal.by.clone(), dismissal.reason, severity);
    let details = Details::new()
        .section("alert", |s| {
            let s = s
                .field("number", number.clone())
                .opt("state", text(alert.get("state")))
                .time("created_at", alert.get("created_at"))
                .time("updated_at", alert.get("updated_at"))
                .time("fixed_at", alert.get("fixed_at"));
            dismissal_fields(s, alert, dismissal.by)
                .time("auto_dismissed_at", alert.get("auto_dismissed_at"))
        })
        .section("dependency", |s| {
            s.field("package", package.clone())
                .opt("ecosystem", ecosystem)
                .opt("manifest_path", manifest.clone())
                .opt("scope", text(at(alert, &["dependency", "scope"])))
                .opt("vulnerable_version_range", range.clone())
                .opt("first_patched_version", patched.clone())
        });
    let details = advisory_section(details, advisory);
    let details = common.repository_section(details);
    let details = common.event_section(details, "dependabot_alert");
    Ok(NewAlert {
        external_id: format!("{}:dependabot:{number}", common.repo),
        severity,
        title: clip_words(&title, TITLE_MAX),
        summary,
        description: text(advisory.get("description")).unwrap_or_default(),
        recommendation,
        subject: repo,
        category: "dependabot_alert".into(),
        occurred_at: read::time(alert.get("updated_at"))
            .or_else(|| read::time(alert.get("created_at"))),
        unrecognized: false,
        masked_values: Vec::new(),
        links: links([
            text(alert.get("html_url")),
            ghsa.map(|g| format!("https://github.com/advisories/{g}")),
        ]),
        details: details.build(),
        upstream,
    })
}

/// The `advisory` section: identifiers, severity, CVSS, CWEs.
fn advisory_section(details: Details, advisory: &Value) -> Details {
    let cwes: Vec<String> = read::list(advisory.get("cwes"))
        .iter()
        .filter_map(|c| {
            let id = text(c.get("cwe_id"))?;
            Some(match text(c.get("name")) {
                Some(name) => format!("{id} {name}"),
                None => id,
            })
        })
        .collect();
    details.section("advisory", |s| {
        s.opt("ghsa_id", text(advisory.get("ghsa_id")))
            .opt("cve_id", text(advisory.get("cve_id")))
            .opt("summary", text(advisory.get("summary")))
            .opt("severity", text(advisory.get("severity")))
            .opt("cvss_score", read::number(at(advisory, &["cvss", "score"])))
            .opt(
                "cvss_vector",
                text(at(advisory, &["cvss", "vector_string"])),
            )
            .field("cwes", cwes)
            .time("published_at", advisory.get("published_at"))
            .time("withdrawn_at", advisory.get("withdrawn_at"))
    })
}

fn code_scanning(body: &Value, lang: Lang) -> Result<NewAlert, Unrecognized> {
    let common = Common::of(body);
    let alert = body
        .get("alert")
        .filter(|a| a.is_object())
        .ok_or_else(|| Unrecognized("a code_scanning_alert without an alert object".into()))?;
    let number = text(alert.get("number"))
        .ok_or_else(|| Unrecognized("a code_scanning_alert without an alert number".into()))?;
    let rule = alert.get("rule").unwrap_or(&Value::Null);
    let rule_id = text(rule.get("id")).map(|r| one_line(&r));
    let rule_text = text(rule.get("description"))
        .or_else(|| text(rule.get("name")))
        .or_else(|| rule_id.clone())
        .map(|d| one_line(&d))
        .unwrap_or_else(|| prose::text(lang, "github-a-rule"));
    let tool = text(at(alert, &["tool", "name"])).map(|t| one_line(&t));
    let severity = text(rule.get("security_severity_level"))
        .and_then(|l| match l.to_ascii_lowercase().as_str() {
            "critical" => Some(Severity::Critical),
            "high" => Some(Severity::High),
            "medium" => Some(Severity::Medium),
            "low" => Some(Severity::Low),
            _ => None,
        })
        .unwrap_or_else(|| {
            match text(rule.get("severity"))
                .map(|s| s.to_ascii_lowercase())
                .as_deref()
            {
                Some("error") => Severity::High,
                Some("note") => Severity::Low,
                _ => Severity::Medium,
            }
        });
    let instance = alert
        .get("most_recent_instance")
        .filter(|i| i.is_object())
        .or_else(|| read::list(alert.get("instances")).first())
        .unwrap_or(&Value::Null);
    let path = text(at(instance, &["location", "path"])).map(|p| one_line(&p));
    let line = text(at(instance, &["location", "start_line"]));
    let place = place(path.as_deref(), line.as_deref());
    let git_ref = text(body.get("ref"))
        .or_else(|| text(instance.get("ref")))
        .map(|r| one_line(&r));
    let repo = common.repo_or(lang);
    let mut args = common.args(lang, severity);
    args.set("tool", prose::or_none(tool.as_deref()));
    args.set("rule", rule_text);
    let title = prose(lang, "github-code-title", &args);
    args.set("number", number.clone());
    args.set("rule", prose::or_none(rule_id.as_deref()));
    args.set("place", prose::or_none(place.as_deref()));
    args.set("ref", prose::or_none(git_ref.as_deref()));
    let summary = prose(lang, "github-code-summary", &args);
    let help = text(rule.get("help")).map(|h| clip_words(&h, HELP_MAX));
    let full = text(rule.get("full_description")).map(|d| one_line(&d));
    let lead = prose(lang, "github-code-advice", &args);
    let recommendation = match help.or(full) {
        Some(help) => format!("{lead}\n\n{help}"),
        None => lead,
    };
    let dismissal = Dismissal::of(alert);
    let upstream = common.upstream(dismissal.by.clone(), dismissal.reason, severity);
    let tags = read::texts(rule.get("tags"));
    let details = Details::new()
        .section("alert", |s| {
            let s = s
                .field("number", number.clone())
                .opt("state", text(alert.get("state")))
                .time("created_at", alert.get("created_at"))
                .time("fixed_at", alert.get("fixed_at"));
            dismissal_fields(s, alert, dismissal.by)
        })
        .section("rule", |s| {
            s.opt("id", rule_id.clone())
                .opt("severity", text(rule.get("severity")))
                .opt(
                    "security_severity_level",
                    text(rule.get("security_severity_level")),
                )
                .opt("description", text(rule.get("description")))
                .opt("full_description", text(rule.get("full_description")))
                .field("tags", tags)
                .opt("tool", tool)
                .opt("tool_version", text(at(alert, &["tool", "version"])))
        })
        .section("location", |s| {
            s.opt("path", path.clone())
                .opt(
                    "start_line",
                    read::int(at(instance, &["location", "start_line"])),
                )
                .opt(
                    "end_line",
                    read::int(at(instance, &["location", "end_line"])),
                )
                .opt("ref", git_ref.clone())
                .opt(
                    "commit_sha",
                    text(body.get("commit_oid")).or_else(|| text(instance.get("commit_sha"))),
                )
                .opt("message", text(at(instance, &["message", "text"])))
        });
    let details = common.repository_section(details);
    let details = common.event_section(details, "code_scanning_alert");
    Ok(NewAlert {
        external_id: format!("{}:code_scanning:{number}", common.repo),
        severity,
        title: clip_words(&title, TITLE_MAX),
        summary,
        description: text(rule.get("full_description")).unwrap_or_default(),
        recommendation,
        subject: repo,
        category: "code_scanning_alert".into(),
        occurred_at: read::time(alert.get("fixed_at"))
            .or_else(|| read::time(alert.get("dismissed_at")))
            .or_else(|| read::time(alert.get("updated_at")))
            .or_else(|| read::time(alert.get("created_at"))),
        unrecognized: false,
        masked_values: Vec::new(),
        links: links([text(alert.get("html_url"))]),
        details: details.build(),
        upstream,
    })
}

fn secret_scanning(body: &Value, lang: Lang, location: bool) -> Result<NewAlert, Unrecognized> {
    let common = Common::of(body);
    let alert = body
        .get("alert")
        .filter(|a| a.is_object())
        .ok_or_else(|| Unrecognized("a secret_scanning_alert without an alert object".into()))?;
    let number = text(alert.get("number"))
        .ok_or_else(|| Unrecognized("a secret_scanning_alert without an alert number".into()))?;
    let kind = text(alert.get("secret_type_display_name"))
        .or_else(|| text(alert.get("secret_type")))
        .map(|k| one_line(&k))
        .unwrap_or_else(|| prose::text(lang, "github-a-secret"));
    let validity = text(alert.get("validity")).map(|v| v.to_ascii_lowercase());
    let leaked = read::boolean(alert.get("publicly_leaked")).unwrap_or(false)
        || common.action == "publicly_leaked";
    let active = validity.as_deref() == Some("active");
    let severity = if leaked || active {
        Severity::Critical
    } else {
        Severity::High
    };
    let repo = common.repo_or(lang);
    let mut args = common.args(lang, severity);
    args.set("kind", kind);
    args.set("number", number.clone());
    args.set("leaked", if leaked { "yes" } else { "no" });
    let title = prose(lang, "github-secret-title", &args);
    let loc = body.get("location").unwrap_or(&Value::Null);
    let loc_path = text(at(loc, &["details", "path"])).map(|p| one_line(&p));
    let loc_line = text(at(loc, &["details", "start_line"]));
    let loc_commit = text(at(loc, &["details", "commit_sha"]));
    let place = place(loc_path.as_deref(), loc_line.as_deref()).or_else(|| text(loc.get("type")));
    args.set(
        "validity",
        match validity.as_deref() {
            Some(v @ ("active" | "inactive")) => v,
            _ => NONE,
        },
    );
    args.set(
        "place",
        prose::or_none(place.as_deref().filter(|_| location)),
    );
    // The action's own sentence says it when the event is the leak.
    args.set(
        "leaked-note",
        if leaked && common.action != "publicly_leaked" {
            "yes"
        } else {
            "no"
        },
    );
    let summary = prose(lang, "github-secret-summary", &args);
    let recommendation = prose(lang, "github-secret-advice", &args);
    let by = login(alert, "resolved_by");
    let why = reason(&[
        text(alert.get("resolution")),
        text(alert.get("resolution_comment")),
    ]);
    // A location event repeats its alert: it never closes or reopens it.
    let upstream = if location {
        Upstream::Open
    } else {
        common.upstream(by.clone(), why, severity)
    };
    let details = Details::new()
        .section("alert", |s| {
            s.field("number", number.clone())
                .opt("state", text(alert.get("state")))
                .opt("secret_type", text(alert.get("secret_type")))
                .opt(
                    "secret_type_display_name",
                    text(alert.get("secret_type_display_name")),
                )
                .opt("validity", validity.clone())
                .field("publicly_leaked", leaked)
                .opt(
                    "push_protection_bypassed",
                    read::boolean(alert.get("push_protection_bypassed")),
                )
                .time("created_at", alert.get("created_at"))
                .time("resolved_at", alert.get("resolved_at"))
                .opt("resolved_by", by)
                .opt("resolution", text(alert.get("resolution")))
                .opt("resolution_comment", text(alert.get("resolution_comment")))
        })
        .section("location", |s| {
            s.opt("type", text(loc.get("type")))
                .opt("path", loc_path.clone())
                .opt("start_line", read::int(at(loc, &["details", "start_line"])))
                .opt("commit_sha", loc_commit.clone())
        });
    let details = common.repository_section(details);
    let event = if location {
        "secret_scanning_alert_location"
    } else {
        "secret_scanning_alert"
    };
    let details = common.event_section(details, event);
    Ok(NewAlert {
        external_id: format!("{}:secret_scanning:{number}", common.repo),
        severity,
        title: clip_words(&title, TITLE_MAX),
        summary,
        description: String::new(),
        recommendation,
        subject: repo,
        category: "secret_scanning_alert".into(),
        occurred_at: read::time(alert.get("resolved_at"))
            .or_else(|| read::time(alert.get("updated_at")))
            .or_else(|| read::time(alert.get("created_at"))),
        unrecognized: false,
        masked_values: Vec::new(),
        links: links([text(alert.get("html_url"))]),
        details: details.build(),
        upstream,
    })
}

/// One affected package of an advisory: name (ecosystem), range, first patched version.
struct Affected {
    package: String,
    range: Option<String>,
    patched: Option<String>,
}

fn affected(advisory: &Value) -> Vec<Affected> {
    read::list(advisory.get("vulnerabilities"))
        .iter()
        .filter_map(|v| {
            let name = text(at(v, &["package", "name"]))?;
            let package = match text(at(v, &["package", "ecosystem"])) {
                Some(eco) => format!("{} ({eco})", one_line(&name)),
                None => one_line(&name),
            };
            Some(Affected {
                package,
                range: text(v.get("vulnerable_version_range")),
                patched: text(at(v, &["first_patched_version", "identifier"])),
            })
        })
        .collect()
}

fn advisory(body: &Value, lang: Lang) -> Result<NewAlert, Unrecognized> {
    let common = Common::of(body);
    let advisory = body
        .get("security_advisory")
        .filter(|a| a.is_object())
        .ok_or_else(|| Unrecognized("a security_advisory event without the advisory".into()))?;
    let ghsa = text(advisory.get("ghsa_id"))
        .ok_or_else(|| Unrecognized("a security advisory without a ghsa_id".into()))?;
    let summary_text = text(advisory.get("summary")).map(|s| one_line(&s));
    let severity = advisory_severity(text(advisory.get("severity")));
    let affected = affected(advisory);
    let mut packages: Vec<String> = Vec::new();
    for a in &affected {
        if !packages.contains(&a.package) {
            packages.push(a.package.clone());
        }
    }
    let mut args = common.args(lang, severity);
    args.set("ghsa", ghsa.clone());
    args.set("summary", prose::or_none(summary_text.as_deref()));
    let title = prose(lang, "github-advisory-title", &args);
    args.set(
        "packages",
        if packages.is_empty() {
            NONE.to_owned()
        } else {
            prose::join_and(lang, &packages)
        },
    );
    let summary = prose(lang, "github-advisory-summary", &args);
    let steps: Vec<String> = affected
        .iter()
        .map(|a| {
            let mut step = FluentArgs::new();
            step.set("package", a.package.clone());
            step.set("range", prose::or_none(a.range.as_deref()));
            step.set("patched", prose::or_none(a.patched.as_deref()));
            prose(lang, "github-advisory-step", &step)
        })
        .collect();
    let recommendation = if common.action == "withdrawn" {
        prose::text(lang, "github-advisory-withdrawn")
    } else {
        let mut advice = FluentArgs::new();
        advice.set("steps", prose::joined_or_none(&steps, "; "));
        prose(lang, "github-advisory-advice", &advice)
    };
    let references: Vec<String> = read::list(advisory.get("references"))
        .iter()
        .filter_map(|r| text(r.get("url")))
        .collect();
    let upstream = common.upstream(None, None, severity);
    let details = advisory_section(Details::new(), advisory)
        .section("packages", |s| {
            s.field(
                "affected",
                affected
                    .iter()
                    .map(|a| {
                        serde_json::json!({
                            "package": a.package,
                            "vulnerable_version_range": a.range,
                            "first_patched_version": a.patched,
                        })
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .section("references", |s| s.field("urls", references.clone()));
    let details = common.event_section(details, "security_advisory");
    Ok(NewAlert {
        external_id: format!("security_advisory:{ghsa}"),
        severity,
        title: clip_words(&title, TITLE_MAX),
        summary,
        description: text(advisory.get("description")).unwrap_or_default(),
        recommendation,
        subject: packages.join(", "),
        category: "security_advisory".into(),
        occurred_at: read::time(advisory.get("withdrawn_at"))
            .or_else(|| read::time(advisory.get("updated_at")))
            .or_else(|| read::time(advisory.get("published_at"))),
        unrecognized: false,
        masked_values: Vec::new(),
        links: links(
            std::iter::once(Some(format!("https://github.com/advisories/{ghsa}")))
                .chain(references.into_iter().map(Some)),
        ),
        details: details.build(),
        upstream,
    })
}

fn vulnerability_alert(body: &Value, lang: Lang) -> Result<NewAlert, Unrecognized> {
    let common = Common::of(body);
    let alert = body
        .get("alert")
        .filter(|a| a.is_object())
        .ok_or_else(|| Unrecognized("a repository_vulnerability_alert without an alert".into()))?;
    let number = text(alert.get("number"))
        .or_else(|| text(alert.get("id")))
        .ok_or_else(|| Unrecognized("a repository_vulnerability_alert without a number".into()))?;
    let package = text(alert.get("affected_package_name"))
        .map(|p| one_line(&p))
        .unwrap_or_else(|| prose::text(lang, "github-a-dependency"));
    let range = text(alert.get("affected_range"));
    let fixed_in = text(alert.get("fixed_in"));
    let id = text(alert.get("external_identifier")).or_else(|| text(alert.get("ghsa_id")));
    let severity = advisory_severity(text(alert.get("severity")));
    let repo = common.repo_or(lang);
    let mut args = common.args(lang, severity);
    args.set("package", package.clone());
    args.set("id", prose::or_none(id.as_deref()));
    args.set("range", prose::or_none(range.as_deref()));
    args.set("fixed", prose::or_none(fixed_in.as_deref()));
    let title = prose(lang, "github-vulnerability-title", &args);
    let summary = prose(lang, "github-vulnerability-summary", &args);
    let recommendation = prose(lang, "github-vulnerability-advice", &args);
    let by = login(alert, "dismisser");
    let why = text(alert.get("dismiss_reason")).map(|r| one_line(&r));
    let upstream = common.upstream(by.clone(), why.clone(), severity);
    let details = Details::new()
        .section("alert", |s| {
            s.field("number", number.clone())
                .opt("state", text(alert.get("state")))
                .time("created_at", alert.get("created_at"))
                .time("dismissed_at", alert.get("dismissed_at"))
                .opt("dismissed_by", by)
                .opt("dismiss_reason", why)
        })
        .section("dependency", |s| {
            s.field("package", package.clone())
                .opt("affected_range", range.clone())
                .opt("fixed_in", fixed_in.clone())
        })
        .section("advisory", |s| {
            s.opt("ghsa_id", text(alert.get("ghsa_id")))
                .opt("identifier", text(alert.get("external_identifier")))
                .opt("severity", text(alert.get("severity")))
                .opt("reference", text(alert.get("external_reference")))
        });
    let details = common.repository_section(details);
    let details = common.event_section(details, "repository_vulnerability_alert");
    Ok(NewAlert {
        external_id: format!("{}:repository_vulnerability_alert:{number}", common.repo),
        severity,
        title: clip_words(&title, TITLE_MAX),
        summary,
        description: String::new(),
        recommendation,
        subject: repo,
        category: "repository_vulnerability_alert".into(),
        occurred_at: read::time(alert.get("dismissed_at"))
            .or_else(|| read::time(alert.get("created_at"))),
        unrecognized: false,
        masked_values: Vec::new(),
        links: links([
            text(alert.get("external_reference")),
            text(alert.get("ghsa_id")).map(|g| format!("https://github.com/advisories/{g}")),
        ]),
        details: details.build(),
        upstream,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_fixtures() {
        assert!(super::super::golden::check("github") >= 15);
    }

    fn delivery(event: &str, content_type: &str, body: &[u8]) -> Delivery {
        crate::testing::delivery(
            "gh",
            &[("x-github-event", event), ("content-type", content_type)],
            body,
        )
    }

    fn normalized(d: &Delivery) -> crate::Normalized {
        crate::normalize(&Github, d, &Context::default()).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The issue's measure: every example of a security event GitHub publishes
    /// (`@octokit/webhooks-examples`, `octokit/README.md`) is read, in English and German, as an
    /// alert with its texts and with the severity the example itself names; a `ping` is
    /// acknowledged without one; nothing is `unrecognized`.
    #[test]
    fn every_example_github_publishes_becomes_a_readable_alert() {
        let events: Vec<Value> =
            serde_json::from_str(include_str!("github/octokit/api.github.com.json"))
                .unwrap_or_else(|e| panic!("the examples parse: {e}"));
        let mut read = 0;
        let mut severities = std::collections::BTreeSet::new();
        for event in &events {
            let name = text(event.get("name")).unwrap_or_default();
            for example in read::list(event.get("examples")) {
                let body = serde_json::to_vec(example).unwrap_or_else(|e| panic!("{e}"));
                let d = delivery(&name, "application/json", &body);
                let [en, de] = [Lang::En, Lang::De].map(|lang| {
                    crate::normalize(&Github, &d, &Context::in_lang(lang))
                        .unwrap_or_else(|e| panic!("{name}: {e}"))
                });
                let action = text(example.get("action")).unwrap_or_default();
                if name == "ping" {
                    assert!(en.acknowledged && en.alerts.is_empty(), "{name}");
                    continue;
                }
                let ([alert], [german]) = (en.alerts.as_slice(), de.alerts.as_slice()) else {
                    panic!("{name} {action}: one alert each, got {en:?}");
                };
                assert!(!alert.unrecognized, "{name} {action}: {}", alert.summary);
                assert_eq!(alert.category, name);
                for (what, shown) in [
                    ("title", &alert.title),
                    ("summary", &alert.summary),
                    ("recommendation", &alert.recommendation),
                    ("subject", &alert.subject),
                ] {
                    assert!(!shown.trim().is_empty(), "{name} {action}: no {what}");
                }
                assert_ne!(
                    alert.summary, german.summary,
                    "{name} {action}: not in German"
                );
                assert_eq!(alert.severity, german.severity);
                // The severity the example names, said here again rather than read from the
                // adapter's own mapping: an advisory's or alert's scale, code scanning's
                // security level, else its rule's severity (error, warning, note).
                let scale = [
                    &["alert", "security_advisory", "severity"][..],
                    &["security_advisory", "severity"],
                    &["alert", "rule", "security_severity_level"],
                    &["alert", "severity"],
                ]
                .iter()
                .find_map(|path| text(at(example, path)));
                let rule = text(at(example, &["alert", "rule", "severity"]));
                let expected = match (scale.as_deref(), rule.as_deref()) {
                    (Some("critical"), _) => Severity::Critical,
                    (Some("high"), _) | (None, Some("error")) => Severity::High,
                    (Some("moderate" | "medium"), _) | (None, Some("warning")) => Severity::Medium,
                    (Some("low"), _) | (None, Some("note")) => Severity::Low,
                    other => {
                        panic!("{name} {action}: a severity {other:?} this test does not know")
                    }
                };
                assert_eq!(
                    alert.severity, expected,
                    "{name} {action}: {scale:?} {rule:?}"
                );
                severities.insert(expected);
                read += 1;
            }
        }
        // The package's 17 alert examples (and 4 pings): a smaller file would prove less. Between
        // them they name every severity from low to critical.
        assert_eq!(read, 17);
        assert_eq!(severities.len(), 4, "{severities:?}");
    }

    #[test]
    fn a_ping_is_acknowledged_without_an_alert() {
        let body = include_bytes!("github/fixtures/ping.json");
        let out = normalized(&delivery("ping", "application/json", body));
        assert!(out.alerts.is_empty());
        assert!(out.acknowledged);
        // Without the header, the shape says ping too.
        let d = crate::testing::delivery("gh", &[], body);
        assert!(normalized(&d).alerts.is_empty());
    }

    #[test]
    fn a_replayed_body_under_another_event_header_is_the_same_alert() {
        // Nothing forges an alert: the header is unsigned, the body is not.
        let body = include_bytes!("github/fixtures/dependabot_alert.created.json");
        let real = normalized(&delivery("dependabot_alert", "application/json", body));
        for header in [
            "code_scanning_alert",
            "secret_scanning_alert",
            "Security_Advisory",
        ] {
            let replay = normalized(&delivery(header, "application/json", body));
            assert_eq!(replay, real, "{header}");
        }
        assert_eq!(
            real.alerts[0].external_id,
            "wolfy1339/pika-pack:dependabot:20"
        );
    }

    #[test]
    fn a_ping_header_on_an_alert_body_acknowledges_nothing() {
        let body = include_bytes!("github/fixtures/secret_scanning_alert.created.json");
        let real = normalized(&delivery("secret_scanning_alert", "application/json", body));
        let replay = normalized(&delivery("ping", "application/json", body));
        assert!(!replay.acknowledged);
        assert_eq!(replay, real);
        // A header ping on a body that is neither a ping nor an alert is kept unrecognized.
        let out = normalized(&delivery("ping", "application/json", b"{\"hook_id\":1}"));
        assert!(!out.acknowledged);
        assert!(out.alerts[0].unrecognized);
    }

    #[test]
    fn the_header_names_the_event_only_when_the_shape_does_not() {
        // A dependabot body without its `dependency` says no family; the header does.
        let body = br#"{"action":"created","alert":{"number":3},"repository":{"full_name":"o/r"}}"#;
        let out = normalized(&delivery("dependabot_alert", "application/json", body));
        assert_eq!(out.alerts[0].external_id, "o/r:dependabot:3");
        let none = normalized(&crate::testing::delivery("gh", &[], body));
        assert!(none.alerts[0].unrecognized);
    }

    #[test]
    fn a_form_encoded_delivery_is_read_from_its_payload_field() {
        let json = include_str!("github/fixtures/dependabot_alert.created.json");
        let mut form = b"payload=".to_vec();
        for b in json.bytes() {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                form.push(b);
            } else if b == b' ' {
                form.push(b'+');
            } else {
                form.extend(format!("%{b:02X}").bytes());
            }
        }
        let form_out = normalized(&delivery(
            "dependabot_alert",
            "application/x-www-form-urlencoded",
            &form,
        ));
        let json_out = normalized(&delivery(
            "dependabot_alert",
            "application/json",
            json.as_bytes(),
        ));
        assert_eq!(form_out, json_out);
        assert!(!form_out.alerts[0].unrecognized);
        // A form without the field is bad input, as a body that is not JSON is.
        let bad = crate::normalize(
            &Github,
            &delivery(
                "dependabot_alert",
                "application/x-www-form-urlencoded",
                b"a=1",
            ),
            &Context::default(),
        );
        assert!(
            matches!(bad, Err(crate::BodyError::NotJson { .. })),
            "{bad:?}"
        );
    }

    #[test]
    fn identity_is_the_upstream_alert_not_the_delivery() {
        let body = include_bytes!("github/fixtures/dependabot_alert.created.json");
        let mut a = delivery("dependabot_alert", "application/json", body);
        let mut b = a.clone();
        a.headers.push("x-github-delivery", "one");
        b.headers.push("x-github-delivery", "two");
        let (a, b) = (normalized(&a), normalized(&b));
        assert_eq!(a.alerts[0].external_id, b.alerts[0].external_id);
        assert_eq!(a.alerts[0].external_id, "wolfy1339/pika-pack:dependabot:20");
    }

    #[test]
    fn actions_map_to_upstream_state() {
        let created = include_str!("github/fixtures/dependabot_alert.created.json");
        for (action, closed, reopened) in [
            ("fixed", true, false),
            ("dismissed", true, false),
            ("auto_dismissed", true, false),
            ("reintroduced", false, true),
            ("reopened", false, true),
            ("auto_reopened", false, true),
            ("created", false, false),
        ] {
            let body = created.replacen(
                "\"action\": \"created\"",
                &format!("\"action\": \"{action}\""),
                1,
            );
            let out = normalized(&delivery(
                "dependabot_alert",
                "application/json",
                body.as_bytes(),
            ));
            let up = &out.alerts[0].upstream;
            assert_eq!(matches!(up, Upstream::Closed { .. }), closed, "{action}");
            assert_eq!(
                matches!(up, Upstream::Reopened { .. }),
                reopened,
                "{action}"
            );
        }
    }

    #[test]
    fn a_secret_found_in_public_escalates_the_stored_alert() {
        // GitHub sends `publicly_leaked` for an alert it raised before (here one not leaked,
        // not known active: high), when it finds the secret in public: the store must take
        // the new severity, make the alert not done, and notify again.
        let resolved = include_str!("github/fixtures/secret_scanning_alert.resolved.json");
        let before = resolved.replacen("\"action\": \"resolved\"", "\"action\": \"created\"", 1);
        let first = normalized(&delivery(
            "secret_scanning_alert",
            "application/json",
            before.as_bytes(),
        ));
        let leaked = resolved.replacen(
            "\"action\": \"resolved\"",
            "\"action\": \"publicly_leaked\"",
            1,
        );
        let out = normalized(&delivery(
            "secret_scanning_alert",
            "application/json",
            leaked.as_bytes(),
        ));
        let (first, alert) = (&first.alerts[0], &out.alerts[0]);
        assert_eq!(alert.external_id, first.external_id, "the same alert");
        assert!(first.severity < Severity::Critical, "{:?}", first.severity);
        assert_eq!(alert.severity, Severity::Critical);
        assert_eq!(
            alert.upstream,
            Upstream::Escalated {
                action: "publicly_leaked".into(),
                severity: Severity::Critical,
                by: Some("Codertocat".into()),
            }
        );
    }

    #[test]
    fn a_dismissal_comment_never_shows_a_secret_upstream() {
        // GitHub's `dismissed_comment` becomes the upstream reason, which the store copies into
        // `details.upstream`: it is scrubbed like every text an alert shows.
        let token = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
        let mut body: serde_json::Value = serde_json::from_str(include_str!(
            "github/fixtures/dependabot_alert.dismissed.json"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        body["alert"]["dismissed_comment"] = format!("leaked in CI as {token}, rotated").into();
        let bytes = body.to_string();
        let out = normalized(&delivery(
            "dependabot_alert",
            "application/json",
            bytes.as_bytes(),
        ));
        let Upstream::Closed {
            reason: Some(reason),
            ..
        } = &out.alerts[0].upstream
        else {
            panic!("closed with a reason: {:?}", out.alerts[0].upstream);
        };
        assert!(reason.contains("leaked in CI as gh"), "{reason}");
        let everything = format!(
            "{}{}",
            serde_json::to_string(&out.alerts).unwrap_or_default(),
            String::from_utf8_lossy(&out.stored_body)
        );
        assert!(!everything.contains(token), "{everything}");
    }

    #[test]
    fn an_advisory_step_without_a_range_says_no_range() {
        let json = include_str!("github/fixtures/security_advisory.published.json");
        let mut body: Value = serde_json::from_str(json).unwrap_or_default();
        body["security_advisory"]["vulnerabilities"][0]["vulnerable_version_range"] = Value::Null;
        for lang in [Lang::En, Lang::De] {
            let alerts = Github
                .parse(
                    &body,
                    &delivery("security_advisory", "application/json", b"{}"),
                    &Context::in_lang(lang),
                )
                .unwrap_or_default();
            let advice = &alerts[0].recommendation;
            assert!(advice.contains("django (pip): "), "{advice}");
            assert!(
                !advice.contains('?') && !advice.contains("none"),
                "{advice}"
            );
            assert!(
                advice.contains("django (pip) >= 1.11.8, < 1.11.10: "),
                "{advice}"
            );
        }
    }

    #[test]
    fn an_unknown_event_is_unrecognized() {
        let out = normalized(&delivery("push", "application/json", b"{\"ref\":\"x\"}"));
        assert!(out.alerts[0].unrecognized);
    }
}
