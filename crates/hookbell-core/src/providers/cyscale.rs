//! `cyscale`: Cyscale's webhook, which sends either a JSON array of new alerts (one failed
//! control on one asset or cloud account each) or an object listing the policies and standards
//! whose compliance score is below the configured threshold.
//!
//! Cyscale sends no secrets, no links and no text of its own besides the control's name, so
//! the titles, summaries and recommendations here are written by Hookbell in the user's
//! language. The default body redaction is enough (it still masks secret-named members an
//! unexpected body might carry).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::read::{self, Details};
use super::text::{clip_words, one_line};
use super::{Context, Lang, NewAlert, Provider, Unrecognized};
use crate::alert::Severity;
use crate::delivery::Delivery;
use crate::prose::{self, FluentArgs, NONE, prose, text};

/// The cyscale adapter.
#[derive(Debug, Clone, Copy)]
pub struct Cyscale;

/// Titles are cut (at a word) to at most this many characters.
const TITLE_MAX: usize = 100;

impl Provider for Cyscale {
    fn id(&self) -> &'static str {
        "cyscale"
    }

    fn parse(
        &self,
        body: &Value,
        _delivery: &Delivery,
        ctx: &Context,
    ) -> Result<Vec<NewAlert>, Unrecognized> {
        match body {
            Value::Array(items) => alerts(items, ctx.lang),
            Value::Object(obj) if obj.contains_key("policies") || obj.contains_key("threshold") => {
                Ok(vec![compliance(body, ctx.lang)])
            }
            // Not documented, but unmistakably one alert sent without its array.
            Value::Object(_) if is_alert(body) => Ok(vec![alert(body, ctx.lang)]),
            Value::Object(_) => Err(Unrecognized(
                "a JSON object with neither `policies`/`threshold` (a compliance threshold \
                 violation) nor `controlID`/`controlName` (an alert)"
                    .into(),
            )),
            other => Err(Unrecognized(format!(
                "expected an array of alerts or a compliance object, got {}",
                super::generic::json_kind(other)
            ))),
        }
    }

    fn sample(&self) -> &'static str {
        include_str!("cyscale/fixtures/sample.json")
    }
}

// ---------------------------------------------------------------------------------------------
// New alerts
// ---------------------------------------------------------------------------------------------

/// One alert per object element; non-objects are skipped. An array in which no object names a
/// control is not Cyscale's.
fn alerts(items: &[Value], lang: Lang) -> Result<Vec<NewAlert>, Unrecognized> {
    if items.is_empty() {
        return Err(Unrecognized("an empty array: no alerts in it".into()));
    }
    let objects: Vec<&Value> = items.iter().filter(|v| v.is_object()).collect();
    if objects.is_empty() {
        return Err(Unrecognized(
            "an array without any alert objects in it".into(),
        ));
    }
    if !objects.iter().any(|v| is_alert(v)) {
        return Err(Unrecognized(
            "an array of objects without `controlID` or `controlName`: not Cyscale alerts".into(),
        ));
    }
    Ok(objects.into_iter().map(|v| alert(v, lang)).collect())
}

fn is_alert(value: &Value) -> bool {
    read::text(value.get("controlID")).is_some() || read::text(value.get("controlName")).is_some()
}

/// The members of one new-alert element, read tolerantly.
struct Finding {
    control_name: Option<String>,
    control_id: Option<String>,
    asset_name: Option<String>,
    asset_id: Option<String>,
    asset_type: Option<String>,
    asset_category: Option<String>,
    cloud_provider: Option<String>,
    account_name: Option<String>,
    account_id: Option<String>,
    cyscale_account_id: Option<String>,
    status: Option<String>,
    severity_sent: Option<String>,
    created_at: Option<DateTime<Utc>>,
    last_seen_at: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
}

impl Finding {
    fn read(v: &Value) -> Finding {
        let t = |key: &str| {
            read::text(v.get(key))
                .map(|s| one_line(&s))
                .filter(|s| !s.is_empty())
        };
        Finding {
            control_name: t("controlName"),
            control_id: t("controlID"),
            asset_name: t("assetName"),
            asset_id: t("assetID"),
            asset_type: t("assetType"),
            asset_category: t("assetCategory"),
            cloud_provider: t("cloudProvider"),
            account_name: t("cloudAccountName"),
            account_id: t("cloudAccountID"),
            cyscale_account_id: t("accountID"),
            status: t("status"),
            severity_sent: t("severity"),
            created_at: read::time(v.get("createdAtTimestamp")),
            last_seen_at: read::time(v.get("lastSeenAtTimestamp")),
            resolved_at: read::time(v.get("resolvedAtTimestamp")),
        }
    }

    fn resolved(&self) -> bool {
        self.resolved_at.is_some()
            || self
                .status
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("resolved"))
    }

    /// The facts most messages take: `$resolved`, `$provider`, `$kind`, `$control` (quoted),
    /// and `$asset` (quoted when it has spaces) and `$account` (a name quoted, else the id)
    /// when there is one.
    fn args(&self, lang: Lang) -> FluentArgs<'static> {
        let mut args = FluentArgs::new();
        args.set("resolved", yes_no(self.resolved()));
        args.set("provider", self.provider());
        args.set(
            "kind",
            self.asset_type
                .as_deref()
                .map_or_else(|| NONE.to_owned(), asset_kind),
        );
        let control = self.control_name.as_ref().or(self.control_id.as_ref());
        args.set(
            "control",
            control.map_or_else(|| NONE.to_owned(), |c| prose::quoted(lang, c)),
        );
        if let Some(asset) = self.asset_name.as_ref().or(self.asset_id.as_ref()) {
            args.set("asset", quoted(asset, lang));
        }
        match (&self.account_name, &self.account_id) {
            (Some(name), _) => args.set("account", prose::quoted(lang, name)),
            (None, Some(id)) => args.set("account", id.clone()),
            (None, None) => {}
        }
        args
    }

    /// `$provider`: the cloud's usual name, or [`NONE`].
    fn provider(&self) -> String {
        self.cloud_provider
            .as_deref()
            .map_or_else(|| NONE.to_owned(), provider_name)
    }

    fn has_asset(&self) -> bool {
        self.asset_name.is_some() || self.asset_id.is_some()
    }

    fn has_account(&self) -> bool {
        self.account_name.is_some() || self.account_id.is_some()
    }

    fn subject(&self) -> String {
        [
            &self.asset_name,
            &self.account_name,
            &self.asset_id,
            &self.account_id,
        ]
        .into_iter()
        .flatten()
        .next()
        .cloned()
        .unwrap_or_default()
    }
}

fn alert(v: &Value, lang: Lang) -> NewAlert {
    let f = Finding::read(v);
    let severity = f
        .severity_sent
        .as_deref()
        .and_then(|s| s.trim().to_ascii_lowercase().parse::<Severity>().ok())
        .unwrap_or(Severity::Medium);
    // The facts most messages take, made once for the summary and the recommendation.
    let args = f.args(lang);
    let details = Details::new()
        .section("control", |s| {
            s.opt("name", f.control_name.clone())
                .opt("id", f.control_id.clone())
        })
        .section("asset", |s| {
            s.opt("name", f.asset_name.clone())
                .opt("id", f.asset_id.clone())
                .opt("type", f.asset_type.clone())
                .opt("category", f.asset_category.clone())
        })
        .section("cloud_account", |s| {
            s.opt("provider", f.cloud_provider.clone())
                .opt("name", f.account_name.clone())
                .opt("id", f.account_id.clone())
        })
        .section("alert", |s| {
            s.opt("status", f.status.clone())
                .opt("severity", f.severity_sent.clone())
                .opt("created_at", read::time_value(f.created_at))
                .opt("last_seen_at", read::time_value(f.last_seen_at))
                .opt("resolved_at", read::time_value(f.resolved_at))
                .opt("cyscale_account_id", f.cyscale_account_id.clone())
        })
        .build();
    NewAlert {
        external_id: alert_key(&f, v),
        severity,
        title: alert_title(&f, lang),
        summary: alert_summary(&f, severity, lang, owned(&args)),
        description: String::new(),
        recommendation: alert_advice(&f, severity, lang, &args),
        subject: f.subject(),
        category: "misconfiguration".into(),
        occurred_at: f.created_at.or(f.last_seen_at),
        unrecognized: false,
        masked_values: Vec::new(),
        links: Vec::new(),
        details,
        upstream: crate::providers::Upstream::Open,
    }
}

/// `controlID:(assetID or cloudAccountID or accountID):createdAtTimestamp`, the time in
/// RFC 3339 so that `…00.0Z` and `…00Z` are the same key. Without an asset the cloud account
/// comes before Cyscale's own `accountID` (one per tenant): otherwise the same account-level
/// control failing in two cloud accounts at the same minute would read as a duplicate. An
/// element naming no control at all is keyed by a hash of its JSON.
fn alert_key(f: &Finding, v: &Value) -> String {
    let Some(control) = f.control_id.as_ref().or(f.control_name.as_ref()) else {
        return format!("sha256:{}", hex::encode(Sha256::digest(v.to_string())));
    };
    let target = f
        .asset_id
        .as_ref()
        .or(f.account_id.as_ref())
        .or(f.cyscale_account_id.as_ref())
        .map(String::as_str)
        .unwrap_or_default();
    let created = f
        .created_at
        .or(f.last_seen_at)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        .unwrap_or_default();
    format!("{control}:{target}:{created}")
}

/// A name for a title: cut to 50 characters, quoted when it has spaces.
fn title_name(name: &str, lang: Lang) -> String {
    quoted(&clip_words(name, 50), lang)
}

/// A name quoted when it has spaces, so that it reads as one name in a sentence.
fn quoted(name: &str, lang: Lang) -> String {
    if name.contains(char::is_whitespace) {
        prose::quoted(lang, name)
    } else {
        name.to_owned()
    }
}

/// "Firewall rule default-allow-rdp fails: Ensure the default firewall does not have any…";
/// "Resolved: AWS account Production: Ensure IAM password policy…" once resolved.
fn alert_title(f: &Finding, lang: Lang) -> String {
    let mut args = FluentArgs::new();
    args.set("resolved", yes_no(f.resolved()));
    args.set("provider", f.provider());
    args.set(
        "kind",
        f.asset_type
            .as_deref()
            .map_or_else(|| NONE.to_owned(), asset_kind),
    );
    let target = match (
        &f.asset_name,
        f.account_name.as_ref().or(f.account_id.as_ref()),
    ) {
        (Some(asset), _) => {
            args.set("asset", title_name(asset, lang));
            prose(lang, "cyscale-title-asset", &args)
        }
        (None, Some(account)) => {
            args.set("account", title_name(account, lang));
            prose(lang, "cyscale-title-account", &args)
        }
        (None, None) => NONE.to_owned(),
    };
    args.set("target", target);
    let Some(control) = &f.control_name else {
        let subject = f.subject();
        let subject = if subject.is_empty() {
            NONE.to_owned()
        } else {
            title_name(&subject, lang)
        };
        args.set("subject", subject);
        return prose(lang, "cyscale-title-unnamed", &args);
    };
    let head = prose(lang, "cyscale-title-head", &args);
    let room = TITLE_MAX.saturating_sub(head.chars().count() + 2).max(20);
    args.set("head", head);
    args.set("name", clip_words(control, room));
    prose(lang, "cyscale-title", &args)
}

/// A copy of `args` the summary can add to ([`FluentArgs`] is not `Clone`).
fn owned(args: &FluentArgs) -> FluentArgs<'static> {
    args.iter()
        .map(|(name, value)| (name.to_owned(), value.into_owned()))
        .collect()
}

/// Two sentences: what fails which control where, and when Cyscale raised it. `args` are
/// [`Finding::args`].
fn alert_summary(f: &Finding, severity: Severity, lang: Lang, mut args: FluentArgs) -> String {
    let who = match (f.has_asset(), f.has_account()) {
        (true, true) => "cyscale-who-asset-in-account",
        (true, false) => "cyscale-who-asset",
        (false, true) => "cyscale-who-account",
        (false, false) => "cyscale-who-unknown",
    };
    args.set("who", prose(lang, who, &args));
    args.set("severity", severity.as_str());
    let mut out = vec![prose(lang, "cyscale-summary-fails", &args)];
    match f.created_at.or(f.last_seen_at) {
        Some(t) => {
            args.set("created", prose::time(t, lang));
            out.push(prose(lang, "cyscale-summary-raised", &args));
        }
        None => out.push(prose(lang, "cyscale-summary-severity", &args)),
    }
    if let Some(t) = f.resolved_at {
        args.set("resolved-at", prose::time(t, lang));
        out.push(prose(lang, "cyscale-summary-resolved-at", &args));
    } else if f.resolved() {
        out.push(text(lang, "cyscale-summary-resolved"));
    }
    out.join(" ")
}

/// What to do: review the control in Cyscale, fix the asset (or the account's settings), a
/// hint from the control's wording, and how to close the alert. `args` are [`Finding::args`].
fn alert_advice(f: &Finding, severity: Severity, lang: Lang, args: &FluentArgs) -> String {
    if f.resolved() {
        return text(lang, "cyscale-advice-resolved");
    }
    let mut out = Vec::new();
    match severity {
        Severity::Critical => out.push(text(lang, "cyscale-advice-critical")),
        Severity::High => out.push(text(lang, "cyscale-advice-high")),
        _ => {}
    }
    let what = match (f.has_asset(), f.has_account()) {
        (true, true) => "cyscale-advice-asset-in-account",
        (true, false) => "cyscale-advice-asset",
        (false, true) => "cyscale-advice-account",
        (false, false) => "cyscale-advice-no-account",
    };
    out.push(prose(lang, what, args));
    if let Some(hint) = f.control_name.as_deref().and_then(control_hint) {
        out.push(text(lang, hint));
    }
    out.push(text(lang, "cyscale-advice-closing"));
    out.join(" ")
}

/// The message id of a specific tip from what the control is about, when its wording says so.
fn control_hint(control: &str) -> Option<&'static str> {
    let c = format!(" {} ", control.to_lowercase());
    let has = |words: &[&str]| words.iter().any(|w| c.contains(w));
    Some(
        if has(&[
            "firewall",
            "security group",
            "0.0.0.0",
            "ingress",
            " rdp",
            " ssh",
        ]) {
            "cyscale-hint-network"
        } else if has(&["public", "anonymous", "allusers"]) {
            "cyscale-hint-public"
        } else if has(&["mfa", "multi-factor", "multifactor", "2fa", "two-factor"]) {
            "cyscale-hint-mfa"
        } else if has(&["encrypt", " kms", " cmk", "customer-managed key"]) {
            "cyscale-hint-encryption"
        } else if has(&[
            "logging",
            " log ",
            " logs ",
            "audit",
            "metric filter",
            "monitor",
        ]) {
            "cyscale-hint-logging"
        } else if has(&[
            "rotat",
            "access key",
            " keys ",
            " key ",
            "credential",
            "password",
        ]) {
            "cyscale-hint-credentials"
        } else if has(&[" tls", " ssl", "https", "in transit"]) {
            "cyscale-hint-tls"
        } else if has(&["backup", "versioning", "retention", "snapshot"]) {
            "cyscale-hint-backup"
        } else if has(&[" root ", "admin", "privilege", " iam ", "owner"]) {
            "cyscale-hint-privilege"
        } else {
            return None;
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Compliance threshold violations
// ---------------------------------------------------------------------------------------------

/// One policy or standard of a compliance threshold violation.
struct Policy {
    name: String,
    slug: Option<String>,
    is_standard: bool,
    current: Score,
    previous: Option<Score>,
}

#[derive(Clone, Copy)]
struct Score {
    score: Option<f64>,
    passed: Option<i64>,
    total: Option<i64>,
}

impl Score {
    /// `None` for `null` or a member that is not an object with anything in it.
    fn read(value: Option<&Value>) -> Option<Score> {
        let v = value.filter(|v| v.is_object())?;
        let passed = read::int(v.get("passedAssets"));
        let total = read::int(v.get("totalAssets"));
        // Cyscale's scores are the passed share in whole percent, rounded down.
        let derived = match (passed, total) {
            (Some(p), Some(t)) if t > 0 => Some((p as f64 * 100.0 / t as f64).floor()),
            _ => None,
        };
        let score = read::number(v.get("score"))
            .filter(|s| s.is_finite())
            .or(derived);
        (score.is_some() || passed.is_some() || total.is_some()).then_some(Score {
            score,
            passed,
            total,
        })
    }
}

impl Policy {
    fn read(v: &Value) -> Option<Policy> {
        v.as_object()?;
        let slug = read::text(v.get("slug"));
        let name = [read::text(v.get("name")), slug.clone()]
            .into_iter()
            .flatten()
            .map(|n| one_line(&n))
            .find(|n| !n.is_empty())
            .unwrap_or_else(|| "?".into());
        Some(Policy {
            name,
            slug,
            is_standard: read::boolean(v.get("isStandard")).unwrap_or(false),
            current: Score::read(v.get("currentScore")).unwrap_or(Score {
                score: None,
                passed: None,
                total: None,
            }),
            previous: Score::read(v.get("previousScore")),
        })
    }

    fn score(&self) -> Option<f64> {
        self.current.score
    }

    /// Current minus previous score, in points; `None` without a previous score.
    fn change(&self) -> Option<f64> {
        Some(self.current.score? - self.previous?.score?)
    }
}

/// A policy's score fell by this many points or more: high severity.
const STEEP_FALL: f64 = 20.0;

/// The contract's rule: high when any score fell by 20 points or more or is under half the
/// threshold, else medium.
fn compliance_severity(policies: &[Policy], threshold: Option<f64>) -> Severity {
    let steep = policies
        .iter()
        .any(|p| p.change().is_some_and(|d| d <= -STEEP_FALL));
    let far_below = threshold.is_some_and(|t| {
        policies
            .iter()
            .any(|p| p.score().is_some_and(|s| s < t / 2.0))
    });
    if steep || far_below {
        Severity::High
    } else {
        Severity::Medium
    }
}

fn compliance(body: &Value, lang: Lang) -> NewAlert {
    let threshold = read::number(body.get("threshold")).filter(|t| t.is_finite());
    let skipped = read::int(body.get("skippedCount")).filter(|n| *n > 0);
    let policies: Vec<Policy> = read::list(body.get("policies"))
        .iter()
        .filter_map(Policy::read)
        .collect();
    let severity = compliance_severity(&policies, threshold);
    let standards = policies.iter().filter(|p| p.is_standard).count();
    let mut args = FluentArgs::new();
    args.set("policies", policies.len() - standards);
    args.set("standards", standards);
    args.set("count", policies.len());
    match threshold {
        Some(t) => args.set("threshold", prose::decimal(t, 1)),
        None => args.set("threshold", NONE),
    }
    args.set("skipped", skipped.unwrap_or(0));

    let title = if policies.is_empty() {
        text(lang, "cyscale-compliance-title-empty")
    } else {
        prose(lang, "cyscale-compliance-title", &args)
    };

    let lowest = policies
        .iter()
        .filter_map(|p| Some((p, p.score()?)))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    let mut fallen: Vec<(&Policy, f64)> = policies
        .iter()
        .filter_map(|p| Some((p, p.change()?)))
        .filter(|(_, d)| *d < 0.0)
        .collect();
    fallen.sort_by(|a, b| a.1.total_cmp(&b.1));

    match lowest {
        Some((p, score)) => {
            args.set("lowest", p.name.as_str());
            args.set("lowest-score", prose::decimal(score, 1));
        }
        None => args.set("lowest", NONE),
    }
    let mut summary = if policies.is_empty() {
        prose(lang, "cyscale-compliance-summary-empty", &args)
    } else {
        prose(lang, "cyscale-compliance-summary", &args)
    };
    let steepest = fallen
        .first()
        .and_then(|(p, _)| Some((p, p.previous?.score?, p.score()?)));
    if let Some((p, before, now)) = steepest {
        args.set("name", p.name.as_str());
        args.set("before", prose::decimal(before, 1));
        args.set("now", prose::decimal(now, 1));
        summary.push(' ');
        summary.push_str(&prose(lang, "cyscale-compliance-fell-most", &args));
    }

    let recommendation = compliance_advice(&policies, &fallen, threshold, lang);
    let subject = policy_names(&policies, lang);
    let details = Details::new()
        .section("compliance", |s| {
            s.opt("threshold", threshold.map(num_value))
                .opt("skipped_count", read::int(body.get("skippedCount")))
                .field("policies", policies.len() - standards)
                .field("standards", standards)
        })
        .raw(
            "policies",
            Value::Array(
                policies
                    .iter()
                    .map(|p| {
                        json!({
                            "name": p.name,
                            "slug": p.slug,
                            "is_standard": p.is_standard,
                            "current_score": p.score().map(num_value),
                            "previous_score": p.previous.and_then(|s| s.score).map(num_value),
                            "change": p.change().map(num_value),
                            "passed_assets": p.current.passed,
                            "total_assets": p.current.total,
                            "previous_passed_assets": p.previous.and_then(|s| s.passed),
                            "previous_total_assets": p.previous.and_then(|s| s.total),
                        })
                    })
                    .collect(),
            ),
        )
        .build();

    NewAlert {
        external_id: compliance_key(&policies),
        severity,
        title,
        summary,
        description: String::new(),
        recommendation,
        subject,
        category: "compliance".into(),
        occurred_at: None,
        unrecognized: false,
        masked_values: Vec::new(),
        links: Vec::new(),
        details,
        upstream: crate::providers::Upstream::Open,
    }
}

/// Names the policies that fell the most (or, when none fell, the lowest), then those under
/// half the threshold not named yet.
fn compliance_advice(
    policies: &[Policy],
    fallen: &[(&Policy, f64)],
    threshold: Option<f64>,
    lang: Lang,
) -> String {
    if policies.is_empty() {
        return text(lang, "cyscale-compliance-advice-empty");
    }
    let scored = |p: &Policy, score: f64| {
        let mut args = FluentArgs::new();
        args.set("name", p.name.as_str());
        args.set("score", prose::decimal(score, 1));
        prose(lang, "cyscale-compliance-score", &args)
    };
    let mut out = Vec::new();
    let mut named: Vec<&str> = Vec::new();
    let mut args = FluentArgs::new();
    if !fallen.is_empty() {
        let items: Vec<String> = fallen
            .iter()
            .take(3)
            .map(|(p, _)| {
                named.push(&p.name);
                match (p.previous.and_then(|s| s.score), p.score()) {
                    (Some(before), Some(now)) => {
                        let mut change = FluentArgs::new();
                        change.set("name", p.name.as_str());
                        change.set("before", prose::decimal(before, 1));
                        change.set("now", prose::decimal(now, 1));
                        prose(lang, "cyscale-compliance-change", &change)
                    }
                    _ => p.name.clone(),
                }
            })
            .collect();
        args.set("list", prose::join_and(lang, &items));
        out.push(prose(lang, "cyscale-compliance-advice-fallen", &args));
    } else {
        let mut lowest: Vec<(&Policy, f64)> = policies
            .iter()
            .filter_map(|p| Some((p, p.score()?)))
            .collect();
        lowest.sort_by(|a, b| a.1.total_cmp(&b.1));
        let items: Vec<String> = lowest
            .iter()
            .take(3)
            .map(|(p, s)| {
                named.push(&p.name);
                scored(p, *s)
            })
            .collect();
        if !items.is_empty() {
            args.set("list", prose::join_and(lang, &items));
            out.push(prose(lang, "cyscale-compliance-advice-lowest", &args));
        }
    }
    let one = named.len() == 1 || policies.len() == 1;
    args.set("count", if one { 1 } else { named.len().max(2) });
    out.push(prose(lang, "cyscale-compliance-advice-open", &args));
    if let Some(t) = threshold {
        let far: Vec<String> = policies
            .iter()
            .filter(|p| !named.contains(&p.name.as_str()))
            .filter_map(|p| Some((p, p.score()?)))
            .filter(|(_, s)| *s < t / 2.0)
            .map(|(p, s)| scored(p, s))
            .collect();
        if !far.is_empty() {
            args.set("list", prose::join_and(lang, &far));
            args.set("count", far.len());
            out.push(prose(lang, "cyscale-compliance-advice-raise", &args));
        }
    }
    out.join(" ")
}

/// `compliance:<sha256 hex>` over the sorted `slug=score` pairs: the same report repeated is
/// a duplicate, whatever the order of its policies.
fn compliance_key(policies: &[Policy]) -> String {
    let mut parts: Vec<String> = policies
        .iter()
        .map(|p| {
            format!(
                "{}={}",
                p.slug.as_deref().unwrap_or(&p.name),
                p.score().map(fmt_num).unwrap_or_default()
            )
        })
        .collect();
    parts.sort();
    format!(
        "compliance:{}",
        hex::encode(Sha256::digest(parts.join("\n")))
    )
}

/// The policies' names, up to three, then "+N more".
fn policy_names(policies: &[Policy], lang: Lang) -> String {
    let names = policies
        .iter()
        .take(3)
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    if policies.len() <= 3 {
        return names;
    }
    let mut args = FluentArgs::new();
    args.set("names", names);
    args.set("more", policies.len() - 3);
    prose(lang, "cyscale-subject-more", &args)
}

// ---------------------------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------------------------

/// `gcp` → `GCP`, `azure` → `Azure`; other names as sent.
fn provider_name(provider: &str) -> String {
    match provider.trim().to_ascii_lowercase().as_str() {
        "gcp" | "google" => "GCP".into(),
        "aws" | "amazon" => "AWS".into(),
        "azure" => "Azure".into(),
        "oci" | "oracle" => "OCI".into(),
        "alibaba" | "alibabacloud" => "Alibaba Cloud".into(),
        "ibm" => "IBM Cloud".into(),
        "digitalocean" => "DigitalOcean".into(),
        "kubernetes" | "k8s" => "Kubernetes".into(),
        "github" => "GitHub".into(),
        _ => provider.trim().to_owned(),
    }
}

/// An asset type written as words for a sentence: `FirewallRule` → `firewall rule`, acronyms
/// kept (`IAMUser` → `IAM user`). Templates capitalize as their language wants.
fn asset_kind(asset_type: &str) -> String {
    split_words(asset_type)
        .iter()
        .map(|w| {
            let acronym = w.chars().count() > 1 && !w.chars().any(char::is_lowercase);
            if acronym { w.clone() } else { w.to_lowercase() }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `"yes"` or `"no"`, for a template's selector.
fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Splits `CamelCase`, `snake_case` and `kebab-case` into words: `S3Bucket` → `S3`, `Bucket`;
/// `VPCNetwork` → `VPC`, `Network`.
fn split_words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' || c.is_whitespace() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let next = chars.get(i + 1).copied();
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            });
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        word.push(c);
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// A number for the compliance key: whole numbers without a fraction, others with one decimal.
fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        let one = format!("{n:.1}");
        one.strip_suffix(".0").map(str::to_owned).unwrap_or(one)
    }
}

/// A number for details: an integer when it is whole.
fn num_value(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_in(body: &str, lang: Lang) -> Result<Vec<NewAlert>, Unrecognized> {
        let value: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let delivery = crate::testing::delivery("cyscale", &[], body);
        Cyscale.parse(&value, &delivery, &Context::in_lang(lang))
    }

    fn parse(body: &str) -> Vec<NewAlert> {
        parse_in(body, Lang::En).unwrap_or_else(|e| panic!("{e}"))
    }

    fn one(body: &str) -> NewAlert {
        parse(body)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no alert"))
    }

    /// A compliance body with one policy per `(current, previous)` score.
    fn compliance_body(threshold: &str, scores: &[(f64, Option<f64>)]) -> String {
        let policies: Vec<Value> = scores
            .iter()
            .enumerate()
            .map(|(i, (now, before))| {
                json!({
                    "name": format!("Policy {i}"), "slug": format!("p-{i}"), "isStandard": false,
                    "currentScore": {"passedAssets": 1, "totalAssets": 2, "score": now},
                    "previousScore": before.map(|b| json!({"passedAssets": 1, "totalAssets": 2, "score": b})),
                })
            })
            .collect();
        format!(
            r#"{{"threshold": {threshold}, "skippedCount": 0, "policies": {}}}"#,
            Value::Array(policies)
        )
    }

    #[test]
    fn fixtures_match_their_golden_alerts() {
        assert!(crate::providers::golden::check("cyscale") >= 7);
    }

    #[test]
    fn the_sample_is_the_vendor_alert_array() {
        let alerts = parse(Cyscale.sample());
        assert_eq!(alerts.len(), 2);
        let rdp = &alerts[1];
        assert_eq!(
            rdp.title,
            "Firewall rule default-allow-rdp fails: Ensure the default firewall does not have any default rules…"
        );
        assert!(rdp.title.chars().count() <= TITLE_MAX);
        assert_eq!(rdp.subject, "default-allow-rdp");
        assert_eq!(rdp.severity, Severity::Medium);
        assert_eq!(rdp.category, "misconfiguration");
        assert_eq!(
            rdp.external_id,
            "5931d1d0-5bcb-4b6f-a65a-c18295e94b38:ce90ed4a-6b07-46b4-bb02-d1f6ef7953b1:2022-02-25T13:24:00Z"
        );
        // The first alert has no asset: keyed and titled by the cloud account.
        assert_eq!(alerts[0].subject, "Cyscale GCP");
        assert_eq!(alerts[0].severity, Severity::Low);
        assert_eq!(
            alerts[0].external_id,
            "eac85ccf-f169-4236-97f0-28c7b2167289:61bc4a6d72146f226120c37d:2022-02-25T13:24:00Z"
        );
        assert_eq!(
            alerts[0].title,
            "GCP account “Cyscale GCP” fails: Ensure log metric filter and alerts exist for Custom Role changes"
        );
    }

    #[test]
    fn alert_severity_is_taken_as_sent_else_medium() {
        let sev = |s: Value| one(&json!([{"controlID": "c", "severity": s}]).to_string()).severity;
        assert_eq!(sev(json!("low")), Severity::Low);
        assert_eq!(sev(json!("High")), Severity::High);
        assert_eq!(sev(json!(" medium ")), Severity::Medium);
        assert_eq!(
            sev(json!("urgent")),
            Severity::Medium,
            "synonyms are not Cyscale's"
        );
        assert_eq!(sev(json!(null)), Severity::Medium);
        assert_eq!(sev(json!(3)), Severity::Medium);
    }

    #[test]
    fn compliance_is_high_from_a_fall_of_20_points() {
        let sev = |scores: &[(f64, Option<f64>)]| one(&compliance_body("50", scores)).severity;
        assert_eq!(sev(&[(40.0, Some(60.0))]), Severity::High);
        assert_eq!(sev(&[(40.0, Some(59.0))]), Severity::Medium);
        assert_eq!(sev(&[(40.0, Some(59.5))]), Severity::Medium);
        assert_eq!(
            sev(&[(40.0, None)]),
            Severity::Medium,
            "no previous score, no fall"
        );
        assert_eq!(
            sev(&[(45.0, Some(30.0)), (30.0, Some(55.0))]),
            Severity::High
        );
    }

    #[test]
    fn compliance_is_high_under_half_the_threshold() {
        let sev =
            |threshold: &str, now: f64| one(&compliance_body(threshold, &[(now, None)])).severity;
        assert_eq!(sev("50", 24.0), Severity::High);
        assert_eq!(sev("50", 24.9), Severity::High);
        assert_eq!(
            sev("50", 25.0),
            Severity::Medium,
            "exactly half is not under half"
        );
        assert_eq!(
            sev("\"50\"", 24.0),
            Severity::High,
            "threshold sent as a string"
        );
        assert_eq!(
            sev("null", 1.0),
            Severity::Medium,
            "no threshold, no half of it"
        );
        // The vendor example: Data Protection fell 40 points, Incident Response is at 18 < 25.
        let vendor = one(include_str!("cyscale/fixtures/compliance.json"));
        assert_eq!(vendor.severity, Severity::High);
        assert_eq!(
            vendor.title,
            "4 policies and 1 standard below the 50 % compliance threshold"
        );
    }

    #[test]
    fn compliance_details_list_every_policy_with_its_change() {
        let alert = one(include_str!("cyscale/fixtures/compliance.json"));
        let policies = alert.details["policies"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(policies.len(), 5);
        assert_eq!(policies[2]["name"], "Data Protection");
        assert_eq!(policies[2]["change"], -40);
        assert_eq!(policies[1]["change"], 13);
        assert_eq!(policies[3]["is_standard"], true);
        assert_eq!(policies[4]["previous_score"], Value::Null);
        assert_eq!(policies[4]["change"], Value::Null);
        assert_eq!(policies[4]["passed_assets"], 12);
        assert_eq!(alert.details["compliance"]["threshold"], 50);
        assert_eq!(alert.details["compliance"]["skipped_count"], 6);
        assert!(alert.recommendation.starts_with(
            "Start with what fell the most: Data Protection (89 % → 49 %) and Change Management (31 % → 25 %)."
        ), "{}", alert.recommendation);
        assert!(
            alert
                .recommendation
                .contains("Incident Reporting and Response (18 %)")
        );
    }

    #[test]
    fn the_compliance_key_ignores_order_and_follows_scores() {
        let key = |scores: &[(f64, Option<f64>)]| one(&compliance_body("50", scores)).external_id;
        let a = key(&[(10.0, None), (20.0, Some(30.0))]);
        assert!(a.starts_with("compliance:") && a.len() == "compliance:".len() + 64);
        assert_eq!(
            a,
            key(&[(10.0, Some(99.0)), (20.0, None)]),
            "previous scores are not part of it"
        );
        assert_ne!(a, key(&[(11.0, None), (20.0, None)]));
        let body: Value =
            serde_json::from_str(&compliance_body("50", &[(10.0, None), (20.0, None)]))
                .unwrap_or_default();
        let mut reversed = body.clone();
        if let Some(list) = reversed.get_mut("policies").and_then(Value::as_array_mut) {
            list.reverse();
        }
        assert_eq!(
            one(&body.to_string()).external_id,
            one(&reversed.to_string()).external_id
        );
        // 25 and 25.0 are the same score.
        assert_eq!(
            one(&compliance_body("50", &[(25.0, None)]).replace("25.0", "25")).external_id,
            one(&compliance_body("50", &[(25.0, None)])).external_id
        );
    }

    #[test]
    fn the_alert_key_normalizes_the_time_and_falls_back_to_the_account() {
        let alert = one(
            r#"[{"controlID": "c1", "accountID": "acc", "cloudAccountID": "cl",
            "createdAtTimestamp": "2022-02-25T14:24:00.000+01:00"}]"#,
        );
        assert_eq!(alert.external_id, "c1:cl:2022-02-25T13:24:00Z");
        let tenant_only = one(r#"[{"controlID": "c1", "accountID": "acc"}]"#);
        assert_eq!(tenant_only.external_id, "c1:acc:");
        // Two cloud accounts failing the same account-level control in one minute are two alerts.
        let two = parse(
            r#"[{"controlID": "c1", "accountID": "acc", "cloudAccountID": "p1", "createdAtTimestamp": "2022-02-25T13:24:00Z"},
                {"controlID": "c1", "accountID": "acc", "cloudAccountID": "p2", "createdAtTimestamp": "2022-02-25T13:24:00Z"}]"#,
        );
        assert_ne!(two[0].external_id, two[1].external_id);
        let no_time = one(
            r#"[{"controlID": "c1", "assetID": "a1", "createdAtTimestamp": "0001-01-01T00:00:00Z"}]"#,
        );
        assert_eq!(no_time.external_id, "c1:a1:");
        assert_eq!(no_time.occurred_at, None);
    }

    #[test]
    fn go_zero_resolved_is_unset_and_a_real_one_marks_it_resolved() {
        let open = one(Cyscale.sample());
        assert!(open.details["alert"].get("resolved_at").is_none());
        assert!(!open.title.starts_with("Resolved"));
        let resolved = one(r#"[{"controlName": "Ensure X", "cloudAccountName": "Prod",
            "resolvedAtTimestamp": "2024-03-02T12:30:00Z", "status": "resolved"}]"#);
        assert_eq!(resolved.title, "Resolved: Cloud account Prod: Ensure X");
        assert_eq!(
            resolved.details["alert"]["resolved_at"],
            "2024-03-02T12:30:00Z"
        );
    }

    #[test]
    fn shapes_that_are_not_cyscale_are_unrecognized() {
        for body in [
            "[]",
            "[1, null, \"x\"]",
            r#"[{"a": 1}]"#,
            r#"{"event": "ping"}"#,
            "\"text\"",
            "7",
        ] {
            assert!(parse_in(body, Lang::En).is_err(), "{body}");
        }
        // Non-objects are skipped next to real alerts; an object without a control is kept.
        let alerts = parse(r#"[null, 5, {"controlID": "c"}, {"assetName": "vm-1"}]"#);
        assert_eq!(alerts.len(), 2);
        assert_eq!(alerts[1].title, "Cyscale alert for vm-1");
        assert!(alerts[1].external_id.starts_with("sha256:"));
        // A single alert object without its array is still read.
        assert_eq!(parse(r#"{"controlID": "c", "severity": "high"}"#).len(), 1);
    }

    #[test]
    fn titles_stay_short_and_on_one_line() {
        let long = "Ensure ".to_owned() + &"very long control wording ".repeat(20);
        let body = json!([{"controlName": long, "assetName": "x".repeat(200) + "\nsecond",
            "assetType": "VirtualMachine"}]);
        let alert = one(&body.to_string());
        assert!(
            alert.title.chars().count() <= TITLE_MAX + 5,
            "{}",
            alert.title
        );
        assert!(!alert.title.contains('\n'));
        assert!(alert.title.starts_with("Virtual machine xxxxx"));
        assert!(alert.title.ends_with('…'));
    }

    #[test]
    fn titles_drop_bidi_override_characters() {
        let body =
            json!([{"controlName": "Ensure\u{2066} TLS", "assetName": "evil\u{202E}gpj.exe"}]);
        let alert = one(&body.to_string());
        assert_eq!(alert.title, "Asset evilgpj.exe fails: Ensure TLS");
        assert_eq!(alert.subject, "evilgpj.exe");
    }

    #[test]
    fn asset_types_read_as_words() {
        assert_eq!(asset_kind("FirewallRule"), "firewall rule");
        assert_eq!(asset_kind("IAMUser"), "IAM user");
        assert_eq!(asset_kind("S3Bucket"), "S3 bucket");
        assert_eq!(asset_kind("EC2SecurityGroup"), "EC2 security group");
        assert_eq!(asset_kind("VPCNetwork"), "VPC network");
        assert_eq!(asset_kind("storage_account"), "storage account");
        // German writes them as nouns.
        let title = |t: &str| {
            let body = json!([{"controlName": "C", "assetName": "a", "assetType": t}]);
            parse_in(&body.to_string(), Lang::De)
                .unwrap_or_default()
                .first()
                .map(|a| a.title.clone())
        };
        assert_eq!(
            title("VPCNetwork").as_deref(),
            Some("VPC Network a nicht konform: C")
        );
        assert_eq!(
            title("storage_account").as_deref(),
            Some("Storage Account a nicht konform: C")
        );
    }

    #[test]
    fn german_users_get_german_text() {
        let alerts = parse_in(Cyscale.sample(), Lang::De).unwrap_or_default();
        assert_eq!(
            alerts.get(1).map(|a| a.title.as_str()),
            Some(
                "Firewall Rule default-allow-rdp nicht konform: Ensure the default firewall does not have any…"
            )
        );
        let compliance = parse_in(include_str!("cyscale/fixtures/compliance.json"), Lang::De)
            .unwrap_or_default();
        assert_eq!(
            compliance.first().map(|a| a.title.as_str()),
            Some("4 Richtlinien und 1 Standard unter der Compliance-Schwelle von 50 %")
        );
    }

    #[test]
    fn a_batch_of_1000_alerts_gives_1000_alerts() {
        let alerts = parse(include_str!("cyscale/batch-1000.json"));
        assert_eq!(alerts.len(), 1000);
        let keys: std::collections::HashSet<&str> =
            alerts.iter().map(|a| a.external_id.as_str()).collect();
        assert_eq!(keys.len(), 1000, "every alert has its own key");
        let last = &alerts[999];
        assert_eq!(last.subject, "asset-0999");
        assert_eq!(
            last.external_id,
            "control-0:asset-id-0999:2022-02-25T13:16:39Z"
        );
        assert_eq!(last.severity, Severity::Medium);
        assert_eq!(alerts[1].severity, Severity::High);
        assert!(alerts.iter().all(|a| a.title.chars().count() <= TITLE_MAX));
    }

    #[test]
    fn clean_bodies_are_not_rewritten() {
        let mut body: Value = serde_json::from_str(Cyscale.sample()).unwrap_or_default();
        assert!(!crate::normalize::mask_body(&Cyscale, &mut body));
    }
}
