//! `cyscale`: Cyscale's webhook, which sends either a JSON array of new alerts (one failed
//! control on one asset or cloud account each) or an object listing the policies and standards
//! whose compliance score is below the configured threshold.
//!
//! Cyscale sends no secrets, no links and no text of its own besides the control's name, so
//! the titles, summaries and recommendations here are written by Hookbell in the user's
//! language. The default body redaction is enough (it still masks secret-named members an
//! unexpected body might carry).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::read::{self, Details};
use super::text::{capitalize, clip_words, date_of, join_and, one_line};
use super::{Context, Lang, NewAlert, Provider, Unrecognized};
use crate::alert::Severity;
use crate::delivery::Delivery;

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

    /// `GCP account “Cyscale GCP”`, `GCP-Konto „Cyscale GCP“`, or `None` when nothing names it.
    fn account(&self, lang: Lang) -> Option<String> {
        let provider = self.cloud_provider.as_deref().map(provider_name);
        let (open, close) = quotes(lang);
        let name = match (&self.account_name, &self.account_id) {
            (Some(name), _) => format!("{open}{name}{close}"),
            (None, Some(id)) => id.clone(),
            (None, None) => return None,
        };
        Some(match (lang, provider) {
            (Lang::En, Some(p)) => format!("{p} account {name}"),
            (Lang::En, None) => format!("cloud account {name}"),
            (Lang::De, Some(p)) => format!("{p}-Konto {name}"),
            (Lang::De, None) => format!("Cloud-Konto {name}"),
        })
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
        summary: alert_summary(&f, severity, lang),
        description: String::new(),
        recommendation: alert_advice(&f, severity, lang),
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
        let (open, close) = quotes(lang);
        format!("{open}{name}{close}")
    } else {
        name.to_owned()
    }
}

/// "Firewall rule default-allow-rdp fails: Ensure the default firewall does not have any…";
/// "Resolved: AWS account Production: Ensure IAM password policy…" once resolved.
fn alert_title(f: &Finding, lang: Lang) -> String {
    let resolved = f.resolved();
    let target = match (
        &f.asset_name,
        f.account_name.as_ref().or(f.account_id.as_ref()),
    ) {
        (Some(asset), _) => {
            let asset = title_name(asset, lang);
            Some(match (lang, f.asset_type.as_deref()) {
                (Lang::En, Some(t)) => format!("{} {asset}", capitalize(&asset_kind(t, lang))),
                (Lang::De, Some(t)) => format!("{} {asset}", asset_kind(t, lang)),
                (_, None) => format!("Asset {asset}"),
            })
        }
        (None, Some(account)) => {
            let account = title_name(account, lang);
            Some(
                match (lang, f.cloud_provider.as_deref().map(provider_name)) {
                    (Lang::En, Some(p)) => format!("{p} account {account}"),
                    (Lang::En, None) => format!("Cloud account {account}"),
                    (Lang::De, Some(p)) => format!("{p}-Konto {account}"),
                    (Lang::De, None) => format!("Cloud-Konto {account}"),
                },
            )
        }
        (None, None) => None,
    };
    let head = match (resolved, target) {
        (true, Some(target)) => format!("{}{target}", lang.pick("Resolved: ", "Behoben: ")),
        (true, None) => lang.pick("Resolved", "Behoben").to_owned(),
        (false, Some(target)) => format!("{target} {}", lang.pick("fails", "nicht konform")),
        (false, None) => lang
            .pick("Control fails", "Kontrolle nicht erfüllt")
            .to_owned(),
    };
    match &f.control_name {
        Some(control) => {
            let room = TITLE_MAX.saturating_sub(head.chars().count() + 2).max(20);
            format!("{head}: {}", clip_words(control, room))
        }
        None => {
            let prefix = if resolved {
                lang.pick("Resolved: ", "Behoben: ")
            } else {
                ""
            };
            let subject = f.subject();
            match (subject.is_empty(), lang) {
                (true, Lang::En) => format!("{prefix}Cyscale alert"),
                (true, Lang::De) => format!("{prefix}Cyscale-Alarm"),
                (false, Lang::En) => {
                    format!("{prefix}Cyscale alert for {}", title_name(&subject, lang))
                }
                (false, Lang::De) => {
                    format!("{prefix}Cyscale-Alarm für {}", title_name(&subject, lang))
                }
            }
        }
    }
}

/// Two sentences: what fails which control where, and when Cyscale raised it.
fn alert_summary(f: &Finding, severity: Severity, lang: Lang) -> String {
    let (open, close) = quotes(lang);
    let account = f.account(lang);
    let asset = f
        .asset_name
        .as_ref()
        .or(f.asset_id.as_ref())
        .map(|a| quoted(a, lang));
    let control = f
        .control_name
        .as_ref()
        .or(f.control_id.as_ref())
        .map(|c| format!("{open}{c}{close}"));
    let mut out = String::new();
    match lang {
        Lang::En => {
            match (asset, &account) {
                (Some(asset), _) => {
                    let kind = f
                        .asset_type
                        .as_deref()
                        .map_or_else(|| "asset".to_owned(), |t| asset_kind(t, lang));
                    let _ = write!(out, "The {kind} {asset}");
                    if let Some(account) = &account {
                        let _ = write!(out, " in {account}");
                    }
                }
                (None, Some(account)) => out.push_str(&capitalize(account)),
                (None, None) => out.push_str("A cloud resource"),
            }
            let verb = if f.resolved() { "failed" } else { "fails" };
            match &control {
                Some(c) => {
                    let _ = write!(out, " {verb} the control {c}.");
                }
                None => {
                    let _ = write!(out, " {verb} a Cyscale control.");
                }
            }
            let sev = severity.as_str();
            match f.created_at.or(f.last_seen_at) {
                Some(t) => {
                    let _ = write!(
                        out,
                        " Cyscale raised this {sev}-severity alert on {}.",
                        date_time(t, lang)
                    );
                }
                None => {
                    let _ = write!(out, " Severity: {sev}.");
                }
            }
            if let Some(t) = f.resolved_at {
                let _ = write!(out, " It was resolved on {}.", date_time(t, lang));
            } else if f.resolved() {
                out.push_str(" It has been resolved since.");
            }
        }
        Lang::De => {
            match (asset, &account) {
                (Some(asset), _) => {
                    let _ = write!(out, "Die Ressource {asset}");
                    if let Some(t) = &f.asset_type {
                        let _ = write!(out, " ({})", asset_kind(t, lang));
                    }
                    if let Some(account) = &account {
                        let _ = write!(out, " im {account}");
                    }
                }
                (None, Some(account)) => {
                    let _ = write!(out, "Das {account}");
                }
                (None, None) => out.push_str("Eine Cloud-Ressource"),
            }
            let verb = if f.resolved() {
                "erfüllte"
            } else {
                "erfüllt"
            };
            match &control {
                Some(c) => {
                    let _ = write!(out, " {verb} die Kontrolle {c} nicht.");
                }
                None => {
                    let _ = write!(out, " {verb} eine Cyscale-Kontrolle nicht.");
                }
            }
            let sev = severity_de(severity);
            match f.created_at.or(f.last_seen_at) {
                Some(t) => {
                    let _ = write!(
                        out,
                        " Cyscale hat den Alarm am {} ausgelöst (Schweregrad {sev}).",
                        date_time(t, lang)
                    );
                }
                None => {
                    let _ = write!(out, " Schweregrad: {sev}.");
                }
            }
            if let Some(t) = f.resolved_at {
                let _ = write!(out, " Behoben am {}.", date_time(t, lang));
            } else if f.resolved() {
                out.push_str(" Inzwischen ist der Alarm behoben.");
            }
        }
    }
    out
}

/// What to do: review the control in Cyscale, fix the asset (or the account's settings), a
/// hint from the control's wording, and how to close the alert.
fn alert_advice(f: &Finding, severity: Severity, lang: Lang) -> String {
    if f.resolved() {
        return lang
            .pick(
                "Cyscale reports this finding as resolved, so there is nothing left to fix: \
                 check that the change was intended and that the control keeps passing.",
                "Cyscale meldet diesen Befund als behoben, es gibt also nichts mehr zu tun: \
                 prüfe, ob die Änderung gewollt war und die Kontrolle weiter erfüllt bleibt.",
            )
            .to_owned();
    }
    let (open, close) = quotes(lang);
    let control = f
        .control_name
        .as_ref()
        .or(f.control_id.as_ref())
        .map(|c| format!("{open}{c}{close}"));
    let account = f.account(lang);
    let asset = f
        .asset_name
        .as_ref()
        .or(f.asset_id.as_ref())
        .map(|a| quoted(a, lang));
    let mut out = String::new();
    match severity {
        Severity::Critical => out.push_str(lang.pick(
            "A critical finding: fix it now. ",
            "Ein kritischer Befund: behebe ihn sofort. ",
        )),
        Severity::High => out.push_str(lang.pick(
            "A high-severity finding: fix it today. ",
            "Ein Befund mit hohem Schweregrad: behebe ihn noch heute. ",
        )),
        _ => {}
    }
    match lang {
        Lang::En => {
            let _ = match &control {
                Some(control) => write!(out, "In Cyscale, open the control {control}"),
                None => write!(out, "In Cyscale, open the alert"),
            };
            match asset {
                Some(asset) => {
                    let kind = f
                        .asset_type
                        .as_deref()
                        .map_or_else(|| "asset".to_owned(), |t| asset_kind(t, lang));
                    let _ = write!(out, " and check why the {kind} {asset}");
                    if let Some(account) = &account {
                        let _ = write!(out, " in {account}");
                    }
                    let it = if control.is_some() { " it" } else { "" };
                    let _ = write!(
                        out,
                        " fails{it}; then change the configuration of {asset} so that it passes, \
                         or remove it if it is no longer needed."
                    );
                }
                None => {
                    if let Some(account) = &account {
                        let _ = write!(out, " for {account}");
                    }
                    out.push_str(
                        ": it checks the account's own settings, so change them as the control \
                         describes.",
                    );
                }
            }
        }
        Lang::De => {
            let _ = match &control {
                Some(control) => write!(out, "Öffne in Cyscale die Kontrolle {control}"),
                None => write!(out, "Öffne in Cyscale den Alarm"),
            };
            match asset {
                Some(asset) => {
                    let _ = write!(out, " und prüfe, warum die Ressource {asset}");
                    if let Some(account) = &account {
                        let _ = write!(out, " im {account}");
                    }
                    let it = if control.is_some() {
                        " sie"
                    } else {
                        " die Kontrolle"
                    };
                    let _ = write!(
                        out,
                        "{it} nicht erfüllt; ändere dann die Konfiguration von {asset} so, dass \
                         sie die Kontrolle erfüllt, oder entferne die Ressource, wenn sie nicht \
                         mehr gebraucht wird."
                    );
                }
                None => {
                    if let Some(account) = &account {
                        let _ = write!(out, " für das {account}");
                    }
                    out.push_str(
                        ": sie prüft Einstellungen des Kontos selbst; ändere diese so, wie die \
                         Kontrolle es beschreibt.",
                    );
                }
            }
        }
    }
    if let Some(hint) = f
        .control_name
        .as_deref()
        .and_then(|c| control_hint(c, lang))
    {
        out.push(' ');
        out.push_str(hint);
    }
    out.push(' ');
    out.push_str(lang.pick(
        "Cyscale closes the alert after its next scan finds the control passing; if the \
         deviation is intended, record an exception in Cyscale instead.",
        "Cyscale schließt den Alarm, sobald der nächste Scan die Kontrolle erfüllt findet; ist \
         die Abweichung gewollt, lege stattdessen in Cyscale eine Ausnahme an.",
    ));
    out
}

/// A specific tip from what the control is about, when its wording says so.
fn control_hint(control: &str, lang: Lang) -> Option<&'static str> {
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
            lang.pick(
                "Allow traffic only from the source addresses and on the ports that really need \
             it; RDP (3389) and SSH (22) should never be open to the whole internet.",
                "Erlaube Verkehr nur von den Quelladressen und auf den Ports, die ihn wirklich \
             brauchen; RDP (3389) und SSH (22) dürfen nie für das ganze Internet offen sein.",
            )
        } else if has(&["public", "anonymous", "allusers"]) {
            lang.pick(
                "Remove public or anonymous access unless it is intended, and grant access only to \
             the identities that need it.",
                "Entferne öffentlichen oder anonymen Zugriff, sofern er nicht gewollt ist, und gib \
             nur den Identitäten Zugriff, die ihn brauchen.",
            )
        } else if has(&["mfa", "multi-factor", "multifactor", "2fa", "two-factor"]) {
            lang.pick(
                "Turn on multi-factor authentication for every account concerned.",
                "Schalte die Mehr-Faktor-Authentisierung für alle betroffenen Konten ein.",
            )
        } else if has(&["encrypt", " kms", " cmk", "customer-managed key"]) {
            lang.pick(
                "Turn on encryption at rest, with a customer-managed key where the control asks \
             for one.",
                "Schalte die Verschlüsselung ruhender Daten ein, mit einem selbst verwalteten \
             Schlüssel, wo die Kontrolle das verlangt.",
            )
        } else if has(&[
            "logging",
            " log ",
            " logs ",
            "audit",
            "metric filter",
            "monitor",
        ]) {
            lang.pick(
                "Turn on the logging, metric filter or alert it asks for, so that such changes are \
             recorded and someone is notified of them.",
                "Schalte das verlangte Logging, den Metrikfilter oder die Alarmierung ein, damit \
             solche Änderungen aufgezeichnet werden und jemand davon erfährt.",
            )
        } else if has(&[
            "rotat",
            "access key",
            " keys ",
            " key ",
            "credential",
            "password",
        ]) {
            lang.pick(
                "Rotate the keys or credentials concerned and delete the ones no longer in use.",
                "Tausche die betroffenen Schlüssel oder Zugangsdaten aus und lösche die nicht mehr \
             genutzten.",
            )
        } else if has(&[" tls", " ssl", "https", "in transit"]) {
            lang.pick(
                "Require TLS (HTTPS) with a current protocol version for every connection.",
                "Verlange für jede Verbindung TLS (HTTPS) mit einer aktuellen Protokollversion.",
            )
        } else if has(&["backup", "versioning", "retention", "snapshot"]) {
            lang.pick(
                "Turn on the backups, versioning or retention it asks for.",
                "Schalte die verlangten Backups, die Versionierung oder die Aufbewahrung ein.",
            )
        } else if has(&[" root ", "admin", "privilege", " iam ", "owner"]) {
            lang.pick(
                "Apply least privilege: remove administrative rights that are not needed.",
                "Setze minimale Rechte durch: entferne Administratorrechte, die nicht gebraucht \
             werden.",
            )
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
    let counted = counted_policies(policies.len() - standards, standards, lang);
    let pct = |n: f64| format!("{} %", fmt_num(n, lang));

    let title = match (policies.is_empty(), threshold) {
        (true, _) => lang
            .pick(
                "Compliance threshold violation (no policies listed)",
                "Compliance-Schwelle unterschritten (keine Richtlinien aufgeführt)",
            )
            .to_owned(),
        (false, Some(t)) => match lang {
            Lang::En => format!("{counted} below the {} compliance threshold", pct(t)),
            Lang::De => format!("{counted} unter der Compliance-Schwelle von {}", pct(t)),
        },
        (false, None) => match lang {
            Lang::En => format!("{counted} below the compliance threshold"),
            Lang::De => format!("{counted} unter der Compliance-Schwelle"),
        },
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

    let mut summary = String::new();
    if !policies.is_empty() {
        let verb = if policies.len() == 1 {
            lang.pick("is", "liegt")
        } else {
            lang.pick("are", "liegen")
        };
        match (lang, threshold) {
            (Lang::En, Some(t)) => {
                let _ = write!(
                    summary,
                    "{counted} {verb} below the {} compliance threshold",
                    pct(t)
                );
            }
            (Lang::En, None) => {
                let _ = write!(summary, "{counted} {verb} below the compliance threshold");
            }
            (Lang::De, Some(t)) => {
                let _ = write!(
                    summary,
                    "{counted} {verb} unter der Compliance-Schwelle von {}",
                    pct(t)
                );
            }
            (Lang::De, None) => {
                let _ = write!(summary, "{counted} {verb} unter der Compliance-Schwelle");
            }
        }
        if let Some((p, s)) = lowest.filter(|_| policies.len() > 1) {
            let _ = match lang {
                Lang::En => write!(summary, ", the lowest being {} at {}", p.name, pct(s)),
                Lang::De => write!(summary, ", am niedrigsten {} mit {}", p.name, pct(s)),
            };
        } else if let Some((_, s)) = lowest {
            let _ = match lang {
                Lang::En => write!(summary, " at {}", pct(s)),
                Lang::De => write!(summary, " mit {}", pct(s)),
            };
        }
    } else {
        summary.push_str(lang.pick(
            "Cyscale reports a compliance threshold violation but lists no policies",
            "Cyscale meldet eine unterschrittene Compliance-Schwelle, führt aber keine \
             Richtlinien auf",
        ));
    }
    if let Some(k) = skipped {
        let _ = match (lang, policies.is_empty()) {
            (Lang::En, false) => write!(summary, " (Cyscale skipped {k} more)"),
            (Lang::En, true) => write!(summary, " (it skipped {k})"),
            (Lang::De, false) => write!(summary, " (weitere {k} hat Cyscale übersprungen)"),
            (Lang::De, true) => write!(summary, " ({k} hat Cyscale übersprungen)"),
        };
    }
    summary.push('.');
    let steepest = fallen
        .first()
        .and_then(|(p, _)| Some((p, p.previous?.score?, p.score()?)));
    if let Some((p, before, now)) = steepest {
        let _ = match lang {
            Lang::En => write!(
                summary,
                " {} fell the most, from {} to {}.",
                p.name,
                pct(before),
                pct(now)
            ),
            Lang::De => write!(
                summary,
                " Am stärksten gefallen ist {}, von {} auf {}.",
                p.name,
                pct(before),
                pct(now)
            ),
        };
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
        return lang
            .pick(
                "Open the compliance overview in Cyscale to see which policies and standards \
                 are below the threshold: this report names none.",
                "Öffne die Compliance-Übersicht in Cyscale, um zu sehen, welche Richtlinien und \
                 Standards unter der Schwelle liegen: dieser Bericht nennt keine.",
            )
            .to_owned();
    }
    let pct = |n: f64| format!("{} %", fmt_num(n, lang));
    let mut out = String::new();
    let mut named: Vec<&str> = Vec::new();
    if !fallen.is_empty() {
        let items: Vec<String> = fallen
            .iter()
            .take(3)
            .map(|(p, _)| {
                named.push(&p.name);
                match (p.previous.and_then(|s| s.score), p.score()) {
                    (Some(before), Some(now)) => {
                        format!("{} ({} → {})", p.name, pct(before), pct(now))
                    }
                    _ => p.name.clone(),
                }
            })
            .collect();
        let _ = match lang {
            Lang::En => write!(
                out,
                "Start with what fell the most: {}. ",
                join_and(&items, lang)
            ),
            Lang::De => write!(
                out,
                "Beginne mit dem, was am stärksten gefallen ist: {}. ",
                join_and(&items, lang)
            ),
        };
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
                format!("{} ({})", p.name, pct(*s))
            })
            .collect();
        if !items.is_empty() {
            let _ = match lang {
                Lang::En => write!(
                    out,
                    "Start with the lowest scores: {}. ",
                    join_and(&items, lang)
                ),
                Lang::De => write!(
                    out,
                    "Beginne mit den niedrigsten Werten: {}. ",
                    join_and(&items, lang)
                ),
            };
        }
    }
    let one = named.len() == 1 || policies.len() == 1;
    out.push_str(match (lang, one) {
        (Lang::En, true) => {
            "In Cyscale, open it, fix first the failing controls that affect the most assets, \
             and check what changed since the previous score (new assets, changed \
             configurations)."
        }
        (Lang::En, false) => {
            "In Cyscale, open each of them, fix first the failing controls that affect the \
             most assets, and check what changed since the previous score (new assets, changed \
             configurations)."
        }
        (Lang::De, true) => {
            "Öffne den Eintrag in Cyscale, behebe zuerst die fehlschlagenden Kontrollen mit den \
             meisten betroffenen Assets und prüfe, was sich seit der letzten Bewertung geändert \
             hat (neue Assets, geänderte Konfigurationen)."
        }
        (Lang::De, false) => {
            "Öffne sie in Cyscale, behebe zuerst die fehlschlagenden Kontrollen mit den meisten \
             betroffenen Assets und prüfe, was sich seit der letzten Bewertung geändert hat \
             (neue Assets, geänderte Konfigurationen)."
        }
    });
    if let Some(t) = threshold {
        let far: Vec<String> = policies
            .iter()
            .filter(|p| !named.contains(&p.name.as_str()))
            .filter_map(|p| Some((p, p.score()?)))
            .filter(|(_, s)| *s < t / 2.0)
            .map(|(p, s)| format!("{} ({})", p.name, pct(s)))
            .collect();
        let _ = match (lang, far.len()) {
            (_, 0) => Ok(()),
            (Lang::En, 1) => write!(
                out,
                " Also raise {}: it is under half the threshold.",
                join_and(&far, lang)
            ),
            (Lang::En, _) => write!(
                out,
                " Also raise {}: they are under half the threshold.",
                join_and(&far, lang)
            ),
            (Lang::De, 1) => write!(
                out,
                " Hebe außerdem {} an: der Wert liegt unter der Hälfte der Schwelle.",
                join_and(&far, lang)
            ),
            (Lang::De, _) => write!(
                out,
                " Hebe außerdem {} an: ihre Werte liegen unter der Hälfte der Schwelle.",
                join_and(&far, lang)
            ),
        };
    }
    out
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
                p.score().map(|s| fmt_num(s, Lang::En)).unwrap_or_default()
            )
        })
        .collect();
    parts.sort();
    format!(
        "compliance:{}",
        hex::encode(Sha256::digest(parts.join("\n")))
    )
}

/// "4 policies and 1 standard", "1 Richtlinie", "2 Standards".
fn counted_policies(policies: usize, standards: usize, lang: Lang) -> String {
    let p = match (lang, policies) {
        (Lang::En, 1) => "1 policy".to_owned(),
        (Lang::En, n) => format!("{n} policies"),
        (Lang::De, 1) => "1 Richtlinie".to_owned(),
        (Lang::De, n) => format!("{n} Richtlinien"),
    };
    let s = match (lang, standards) {
        (Lang::En, 1) => "1 standard".to_owned(),
        (Lang::En, n) => format!("{n} standards"),
        (Lang::De, 1) => "1 Standard".to_owned(),
        (Lang::De, n) => format!("{n} Standards"),
    };
    match (policies, standards) {
        (_, 0) => p,
        (0, _) => s,
        _ => format!("{p} {} {s}", lang.pick("and", "und")),
    }
}

/// The policies' names, up to three, then "+N more".
fn policy_names(policies: &[Policy], lang: Lang) -> String {
    let mut out = policies
        .iter()
        .take(3)
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    if policies.len() > 3 {
        let _ = write!(
            out,
            " {}",
            match lang {
                Lang::En => format!("+{} more", policies.len() - 3),
                Lang::De => format!("+{} weitere", policies.len() - 3),
            }
        );
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------------------------

/// A UTC time for a sentence: `17 January 2017 at 10:15 UTC`, `17.01.2017 um 10:15 UTC`.
fn date_time(time: DateTime<Utc>, lang: Lang) -> String {
    format!(
        "{} {} {} UTC",
        date_of(time, lang),
        lang.pick("at", "um"),
        time.format("%H:%M")
    )
}

fn quotes(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::En => ("“", "”"),
        Lang::De => ("„", "“"),
    }
}

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

/// An asset type written for a sentence: `FirewallRule` → `firewall rule` in English (acronyms
/// kept: `IAMUser` → `IAM user`), `Firewall Rule` in German (nouns capitalized).
fn asset_kind(asset_type: &str, lang: Lang) -> String {
    let words = split_words(asset_type);
    words
        .iter()
        .map(|w| {
            let acronym = w.chars().count() > 1 && !w.chars().any(char::is_lowercase);
            match lang {
                _ if acronym => w.clone(),
                Lang::En => w.to_lowercase(),
                Lang::De => capitalize(&w.to_lowercase()),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
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

/// A number for text: whole numbers without a fraction, others with one decimal (a decimal
/// comma in German).
fn fmt_num(n: f64, lang: Lang) -> String {
    let text = if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        let one = format!("{n:.1}");
        one.strip_suffix(".0").map(str::to_owned).unwrap_or(one)
    };
    match lang {
        Lang::En => text,
        Lang::De => text.replace('.', ","),
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

fn severity_de(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "Info",
        Severity::Low => "niedrig",
        Severity::Medium => "mittel",
        Severity::High => "hoch",
        Severity::Critical => "kritisch",
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
        assert_eq!(asset_kind("FirewallRule", Lang::En), "firewall rule");
        assert_eq!(asset_kind("IAMUser", Lang::En), "IAM user");
        assert_eq!(asset_kind("S3Bucket", Lang::En), "S3 bucket");
        assert_eq!(
            asset_kind("EC2SecurityGroup", Lang::En),
            "EC2 security group"
        );
        assert_eq!(asset_kind("VPCNetwork", Lang::De), "VPC Network");
        assert_eq!(asset_kind("storage_account", Lang::De), "Storage Account");
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
