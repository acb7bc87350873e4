//! `enzoic`: Enzoic Breach Monitoring webhooks.
//!
//! Three bodies, told apart by shape:
//! - `type: "piiAlert"`: an identity (PII) alert, monitored personal data found in a leak;
//! - `monitoredBin`: a BIN alert, a card number of a monitored card range found in a leak;
//! - `usernameHash`: a breach alert, a monitored account's credentials found in an exposure.
//!
//! Passwords, password hashes and salts, card numbers and government IDs reach the alert only
//! masked (in `masked_values`), and [`Enzoic::redact`] masks them in the stored raw copy.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::generic::{body_hash, json_kind};
use super::read::{self, Details, web_links};
use super::text::clip;
use super::{Context, Lang, NewAlert, Provider, Unrecognized};
use crate::alert::{MaskedValue, Severity};
use crate::delivery::Delivery;
use crate::mask::mask_secret;
use crate::prose::{self, FluentArgs, FluentValue, NONE, prose, text};

/// The enzoic adapter.
#[derive(Debug, Clone, Copy)]
pub struct Enzoic;

impl Provider for Enzoic {
    fn id(&self) -> &'static str {
        "enzoic"
    }

    fn parse(
        &self,
        body: &Value,
        delivery: &Delivery,
        ctx: &Context,
    ) -> Result<Vec<NewAlert>, Unrecognized> {
        let alert = match shape(body)? {
            Shape::Pii => pii_alert(body, delivery, ctx.lang),
            Shape::Bin => bin_alert(body, delivery, ctx.lang),
            Shape::Breach => breach_alert(body, delivery, ctx.lang),
        };
        Ok(vec![alert])
    }

    /// Masks the members the default catches by name (`plaintextPassword`, `passwordHash`,
    /// `passwordSalt`, `recoveredCreditCardNumber`), and also: those members when sent as
    /// numbers, the found and monitored values of card numbers and government IDs in a PII
    /// alert, and those secrets (and anything that looks like a card number) inside
    /// `rawMatchSource`.
    fn redact(&self, body: &mut Value) -> bool {
        let secrets = body_secrets(body);
        let mut changed = false;
        let Some(obj) = body.as_object_mut() else {
            return changed;
        };
        if let Some(Value::Object(items)) = obj.get_mut("matchedMonitoredItems") {
            for (member, value) in items.iter_mut() {
                changed |= redact_items(member, value);
            }
        }
        if let Some(raw) = obj.get_mut("rawMatchSource") {
            changed |= scrub_value(raw, &secrets);
        }
        changed
    }

    fn sample(&self) -> &'static str {
        include_str!("enzoic/fixtures/sample.json")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Pii,
    Bin,
    Breach,
}

/// Which of the three bodies this is, or why it is none of them.
fn shape(body: &Value) -> Result<Shape, Unrecognized> {
    let Value::Object(obj) = body else {
        return Err(Unrecognized(format!(
            "expected a JSON object, got {}",
            json_kind(body)
        )));
    };
    let present = |name: &str| obj.get(name).is_some_and(|v| !v.is_null());
    if read::text(obj.get("type")).is_some_and(|t| t.eq_ignore_ascii_case("piiAlert")) {
        Ok(Shape::Pii)
    } else if present("monitoredBin") {
        Ok(Shape::Bin)
    } else if present("usernameHash") {
        Ok(Shape::Breach)
    } else {
        Err(Unrecognized(
            "not an Enzoic alert: no `type: \"piiAlert\"`, `monitoredBin` or `usernameHash` member"
                .into(),
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Breach (credentials) alerts

/// Enzoic's `passwordType` numbers (the Password Hash Algorithms table).
const PASSWORD_TYPES: &[(i64, &str)] = &[
    (0, "Plaintext"),
    (1, "MD5"),
    (2, "SHA1"),
    (3, "SHA256"),
    (4, "TripleDES"),
    (5, "IPBoard_MyBB"),
    (6, "VBulletinPre3_8_5"),
    (7, "VBulletinPost3_8_5"),
    (8, "BCrypt"),
    (9, "CRC32"),
    (10, "PHPBB3"),
    (11, "CustomAlgorithm1"),
    (12, "SCrypt"),
    (13, "CustomAlgorithm2"),
    (14, "SHA512"),
    (16, "MD5Crypt"),
    (17, "CustomAlgorithm4"),
    (18, "CustomAlgorithm5"),
    (19, "osCommerce_AEF"),
    (20, "DESCrypt"),
    (21, "MySQLPre4_1"),
    (22, "MySQLPost4_1"),
    (23, "PeopleSoft"),
    (24, "PunBB"),
    (25, "CustomAlgorithm6"),
    (26, "PartialMD5_20"),
    (27, "AVE_DataLife_Diferior"),
    (28, "DjangoMD5"),
    (29, "DjangoSHA1"),
    (30, "PartialMD5_29"),
    (31, "PliggCMS"),
    (32, "RunCMS_SMF1_1"),
    (33, "NTLM"),
    (34, "SHA1Dash"),
    (35, "SHA384"),
    (36, "CustomAlgorithm7"),
    (37, "CustomAlgorithm8"),
    (38, "CustomAlgorithm9"),
    (97, "Unknown"),
    (98, "UnusablePassword"),
    (99, "None"),
];

/// The name of a `passwordType` number; numbers not in the table read as `Unknown (n)`.
fn password_type_name(id: i64) -> String {
    PASSWORD_TYPES
        .iter()
        .find(|(n, _)| *n == id)
        .map(|(_, name)| (*name).to_owned())
        .unwrap_or_else(|| format!("Unknown ({id})"))
}

/// A password type as sent: a number (or numeric string) named by the table, or a name as is.
fn password_type(value: Option<&Value>) -> Option<String> {
    read::int(value)
        .map(password_type_name)
        .or_else(|| read::text(value))
}

/// Hash algorithms built to be slow to crack.
const SLOW_HASHES: &[&str] = &["BCrypt", "SCrypt", "MD5Crypt", "PHPBB3", "DESCrypt"];

/// Which credential the breach exposed, for severity and wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exposed {
    Plaintext,
    Hash,
    Account,
}

/// Severity by the contract: plaintext password → critical; password hash only → high;
/// otherwise medium.
fn breach_severity(exposed: Exposed) -> Severity {
    match exposed {
        Exposed::Plaintext => Severity::Critical,
        Exposed::Hash => Severity::High,
        Exposed::Account => Severity::Medium,
    }
}

fn breach_alert(body: &Value, delivery: &Delivery, lang: Lang) -> NewAlert {
    let user = read::text(body.get("username"));
    let user_hash = read::text(body.get("usernameHash"));
    let exposure_id = read::text(body.get("exposureID"));
    let found_at = read::time(body.get("date"));
    let type_id = read::int(body.get("passwordType"));
    let algorithm = password_type(body.get("passwordType"));
    let mut plaintext = secret_text(body.get("plaintextPassword"));
    let mut hash = secret_text(body.get("passwordHash"));
    let salt = secret_text(body.get("passwordSalt"));
    // A "hash" of type 0 (Plaintext) is the password itself.
    if type_id == Some(0) && hash.is_some() {
        if plaintext.is_none() {
            plaintext = hash.take();
        } else if plaintext == hash {
            hash = None;
        }
    }
    let exposed = if plaintext.is_some() {
        Exposed::Plaintext
    } else if hash.is_some() {
        Exposed::Hash
    } else {
        Exposed::Account
    };

    let ex = |name: &str| read::at(body, &["exposureDetails", name]);
    let exposure = read::text(ex("title"));
    let category = read::text(ex("category"));
    let source = read::text(ex("source"));
    let entries = read::int(ex("entries"));
    let domains = read::int(ex("domainsAffected"));
    let breach_date = read::time(ex("date"));
    let date_added = read::time(ex("dateAdded"));
    let exposed_data = read::texts(ex("exposedData"));
    let mut password_types: Vec<String> = Vec::new();
    for item in read::list(ex("passwordTypes")) {
        if let Some(name) = password_type(Some(item))
            && !password_types.contains(&name)
        {
            password_types.push(name);
        }
    }
    let links = web_links(
        read::list(ex("sourceURLs"))
            .iter()
            .filter_map(Value::as_str),
    );

    let mut masked_values = Vec::new();
    if let Some(p) = &plaintext {
        masked_values.push(MaskedValue::secret("password", p, true, None));
    }
    if let Some(h) = &hash {
        masked_values.push(MaskedValue::secret(
            "password_hash",
            h,
            false,
            algorithm.as_deref(),
        ));
    }
    if let Some(s) = &salt {
        masked_values.push(MaskedValue::secret("password_salt", s, false, None));
    }

    let mut credentials: Vec<&str> = Vec::new();
    if plaintext.is_some() {
        credentials.push("plaintext_password");
    }
    if hash.is_some() {
        credentials.push("password_hash");
    }
    if salt.is_some() {
        credentials.push("password_salt");
    }

    let details = Details::new()
        .section("account", |s| {
            s.opt("username", user.clone())
                .opt("username_hash", user_hash.clone())
                .opt("custom_data", read::text(body.get("customData")))
        })
        .section("credentials", |s| {
            s.field("exposed", credentials)
                .opt("password_type", algorithm.clone())
                .opt("password_type_id", type_id)
        })
        .section("exposure", |s| {
            s.opt("exposure_id", exposure_id.clone())
                .opt("title", exposure.clone())
                .opt("category", category)
                .opt("source", source.clone())
                .opt("breach_date", read::time_value(breach_date))
                .opt("date_added", read::time_value(date_added))
                .opt("found_at", read::time_value(found_at))
                .opt("entries", entries)
                .opt("domains_affected", domains)
                .field("password_types", password_types)
                .field("exposed_data", exposed_data.clone())
                .field("source_urls", links.clone())
        })
        .build();

    let facts = BreachFacts {
        user: user.as_deref(),
        exposure: exposure.as_deref(),
        algorithm: algorithm.as_deref(),
        exposed,
        found_at,
        entries,
        source: source.as_deref(),
        exposed_data: &exposed_data,
    };
    NewAlert {
        external_id: external_id(&[exposure_id, user_hash], delivery),
        severity: breach_severity(exposed),
        title: breach_title(&facts, lang),
        summary: breach_summary(&facts, lang),
        description: String::new(),
        recommendation: breach_recommendation(&facts, lang),
        subject: user.clone().unwrap_or_default(),
        category: "breach".into(),
        occurred_at: found_at.or(date_added).or(breach_date),
        unrecognized: false,
        masked_values,
        links,
        details,
        upstream: crate::providers::Upstream::Open,
    }
}

/// What the breach texts are written from.
struct BreachFacts<'a> {
    user: Option<&'a str>,
    exposure: Option<&'a str>,
    algorithm: Option<&'a str>,
    exposed: Exposed,
    found_at: Option<DateTime<Utc>>,
    entries: Option<i64>,
    source: Option<&'a str>,
    exposed_data: &'a [String],
}

impl<'a> BreachFacts<'a> {
    /// The hash algorithm's name when it says something (not Unknown/None/…).
    fn known_algorithm(&self) -> Option<&'a str> {
        self.algorithm.filter(|a| {
            !a.starts_with("Unknown") && !matches!(*a, "None" | "UnusablePassword" | "Plaintext")
        })
    }

    fn passwords_in_data(&self) -> bool {
        self.exposed_data
            .iter()
            .any(|d| d.to_lowercase().contains("passw"))
    }
}

/// The day `t` as an argument, or [`NONE`].
fn day_or_none(t: Option<DateTime<Utc>>) -> FluentValue<'static> {
    t.map_or_else(|| FluentValue::from(NONE), |t| prose::day(t.date_naive()))
}

/// What the breach texts share: the account, what was exposed, the algorithm.
fn breach_args<'a>(f: &BreachFacts<'a>) -> FluentArgs<'a> {
    let mut args = FluentArgs::new();
    args.set("user", f.user.unwrap_or(NONE));
    args.set(
        "exposed",
        match f.exposed {
            Exposed::Plaintext => "plaintext",
            Exposed::Hash => "hash",
            Exposed::Account => "account",
        },
    );
    args.set("algorithm", f.known_algorithm().unwrap_or(NONE));
    args
}

fn breach_title(f: &BreachFacts, lang: Lang) -> String {
    let mut args = breach_args(f);
    args.set(
        "user",
        f.user.map_or_else(|| NONE.to_owned(), |u| clip(u, 50)),
    );
    args.set(
        "breach",
        f.exposure
            .map_or_else(|| NONE.to_owned(), |t| prose::quoted(lang, &clip(t, 45))),
    );
    clip(&prose(lang, "enzoic-breach-title", &args), 100)
}

fn breach_summary(f: &BreachFacts, lang: Lang) -> String {
    let mut args = breach_args(f);
    args.set(
        "breach",
        f.exposure
            .map_or_else(|| NONE.to_owned(), |t| prose::quoted(lang, t)),
    );
    args.set("found", day_or_none(f.found_at));
    let head = prose(lang, "enzoic-breach-found", &args);
    let mut facts = FluentArgs::new();
    facts.set("source", f.source.unwrap_or(NONE));
    let mut said = match (f.entries.filter(|n| *n > 0), f.source) {
        (Some(n), _) => {
            facts.set("entries", n);
            Some(prose(lang, "enzoic-breach-records", &facts))
        }
        (None, Some(_)) => Some(prose(lang, "enzoic-breach-source", &facts)),
        (None, None) => None,
    };
    if !f.exposed_data.is_empty() {
        let mut data = FluentArgs::new();
        data.set("facts", said.as_deref().unwrap_or(NONE));
        data.set("data", f.exposed_data.join(", "));
        said = Some(prose(lang, "enzoic-breach-data", &data));
    }
    let mut args = FluentArgs::new();
    args.set("head", head);
    args.set("facts", prose::or_none(said));
    prose(lang, "enzoic-breach-summary", &args)
}

fn breach_recommendation(f: &BreachFacts, lang: Lang) -> String {
    let mut args = breach_args(f);
    let id = match f.exposed {
        Exposed::Plaintext => "enzoic-advice-plaintext",
        Exposed::Hash => {
            let slow = f
                .known_algorithm()
                .is_some_and(|a| SLOW_HASHES.contains(&a));
            args.set("slow", if slow { "yes" } else { "no" });
            "enzoic-advice-hash"
        }
        Exposed::Account if f.passwords_in_data() => "enzoic-advice-passwords-in-breach",
        Exposed::Account => {
            args.set(
                "breach",
                f.exposure
                    .map_or_else(|| NONE.to_owned(), |t| prose::quoted(lang, t)),
            );
            "enzoic-advice-account"
        }
    };
    prose(lang, id, &args)
}

// ---------------------------------------------------------------------------------------------
// PII (identity) alerts

/// A secret kind of personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SecretKind {
    Card,
    GovernmentId,
}

impl SecretKind {
    fn name(self) -> &'static str {
        match self {
            SecretKind::Card => "credit_card",
            SecretKind::GovernmentId => "government_id",
        }
    }
}

/// Whether a kind of item (`credit_card`, `ssn`, …) holds secrets.
fn secret_kind(kind: &str) -> Option<SecretKind> {
    let k: String = kind
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    const GOVERNMENT: &[&str] = &[
        "government",
        "nationalid",
        "ssn",
        "socialsecurity",
        "passport",
        "taxid",
        "idcard",
        "idnumber",
        "driverslicense",
        "driverlicense",
    ];
    const CARD: &[&str] = &["creditcard", "debitcard", "paymentcard", "cardnumber"];
    if GOVERNMENT.iter().any(|w| k.contains(w)) {
        Some(SecretKind::GovernmentId)
    } else if CARD.iter().any(|w| k.contains(w)) || k == "pan" {
        Some(SecretKind::Card)
    } else {
        None
    }
}

/// The stable kind of the items in a `matchedMonitoredItems` member.
fn member_kind(member: &str) -> String {
    match member {
        "emails" => "email".into(),
        "creditCards" => "credit_card".into(),
        "cryptocurrencyWallets" => "cryptocurrency_wallet".into(),
        "phoneNumbers" => "phone_number".into(),
        "secondaryMatchItems" => "secondary_match".into(),
        other => snake_case(other),
    }
}

/// The kind of one item: its own `type` where it says (secondary matches), else its member's.
fn item_kind(member: &str, item: &Map<String, Value>) -> String {
    ["type", "itemType", "kind"]
        .iter()
        .find_map(|k| read::text(item.get(*k)))
        .map(|t| snake_case(&t))
        .unwrap_or_else(|| member_kind(member))
}

/// One matched item of a PII alert.
#[derive(Debug, Clone, PartialEq)]
struct Match {
    kind: String,
    found: Option<String>,
    monitored: Option<String>,
    country: Option<String>,
    secret: Option<SecretKind>,
}

impl Match {
    /// A value as it may be shown: masked when the item is a secret.
    fn shown(&self, value: &str) -> String {
        match self.secret {
            Some(_) => mask_secret(value),
            None => value.trim().to_owned(),
        }
    }
}

/// The items of `matchedMonitoredItems`: objects `{foundValue, monitoredValue}` or lists of
/// them, under known and future member names.
fn matches(items: Option<&Map<String, Value>>) -> Vec<Match> {
    let mut out = Vec::new();
    for (member, value) in items.into_iter().flatten() {
        // Scalars count as found values only inside a list of items.
        let (elements, in_list): (Vec<&Value>, bool) = match value {
            Value::Array(list) => (list.iter().collect(), true),
            other => (vec![other], false),
        };
        for element in elements {
            let m = match element {
                Value::Object(item) => {
                    let kind = item_kind(member, item);
                    Match {
                        secret: secret_kind(&kind),
                        found: secret_text(item.get("foundValue")),
                        monitored: secret_text(item.get("monitoredValue")),
                        country: read::text(item.get("country")),
                        kind,
                    }
                }
                Value::String(_) | Value::Number(_) if in_list => {
                    let kind = member_kind(member);
                    Match {
                        secret: secret_kind(&kind),
                        found: secret_text(Some(element)),
                        monitored: None,
                        country: None,
                        kind,
                    }
                }
                _ => continue,
            };
            if m.found.is_some() || m.monitored.is_some() {
                out.push(m);
            }
        }
    }
    out.sort_by_key(|m| kind_rank(&m.kind));
    out
}

/// The order kinds are named in: the most harmful first.
const KIND_ORDER: &[&str] = &[
    "credit_card",
    "government_id",
    "cryptocurrency_wallet",
    "email",
    "phone_number",
    "address1",
    "address2",
    "city",
    "postal_code",
    "province",
    "first_name",
    "last_name",
];

fn kind_rank(kind: &str) -> usize {
    match secret_kind(kind) {
        Some(SecretKind::Card) => 0,
        Some(SecretKind::GovernmentId) => 1,
        None => KIND_ORDER
            .iter()
            .position(|k| *k == kind)
            .unwrap_or(KIND_ORDER.len()),
    }
}

/// A kind of item in words, in the user's language.
fn kind_label(kind: &str, lang: Lang) -> String {
    let id = match kind {
        "credit_card" => "enzoic-kind-credit-card",
        "government_id" => "enzoic-kind-government-id",
        "cryptocurrency_wallet" => "enzoic-kind-crypto-wallet",
        "email" => "enzoic-kind-email",
        "phone_number" => "enzoic-kind-phone",
        "address1" | "address2" => "enzoic-kind-address",
        "city" => "enzoic-kind-city",
        "postal_code" => "enzoic-kind-postal-code",
        "province" => "enzoic-kind-province",
        "first_name" => "enzoic-kind-first-name",
        "last_name" => "enzoic-kind-last-name",
        "date_of_birth" | "dob" | "birth_date" => "enzoic-kind-date-of-birth",
        "secondary_match" => "enzoic-kind-other",
        other => match secret_kind(other) {
            Some(SecretKind::Card) => "enzoic-kind-card-number",
            Some(SecretKind::GovernmentId) => "enzoic-kind-government-id",
            // A kind Hookbell has no words for: Enzoic's own name for it.
            None => return other.replace('_', " "),
        },
    };
    text(lang, id)
}

/// The distinct labels of the matched kinds, most harmful first.
fn labels(matches: &[Match], lang: Lang) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in matches {
        let label = kind_label(&m.kind, lang);
        if !out.contains(&label) {
            out.push(label);
        }
    }
    out
}

/// Who a PII alert is about: the monitored name, else an email, else the customer's tag.
fn pii_subject(matches: &[Match], tag: Option<&str>) -> Option<String> {
    let value = |kind: &str| {
        matches
            .iter()
            .find(|m| m.kind == kind)
            .and_then(|m| m.monitored.as_deref().or(m.found.as_deref()))
            .map(str::trim)
    };
    let name: Vec<&str> = [value("first_name"), value("last_name")]
        .into_iter()
        .flatten()
        .collect();
    if !name.is_empty() {
        return Some(name.join(" "));
    }
    value("email")
        .map(str::to_owned)
        .or_else(|| tag.map(str::to_owned))
}

fn pii_alert(body: &Value, delivery: &Delivery, lang: Lang) -> NewAlert {
    let tag = read::text(body.get("tag"));
    let alert_id = read::text(body.get("id"));
    let exposure_id = read::text(body.get("exposureID"));
    let found_at = read::time(body.get("date"));
    let matches = matches(read::object(body.get("matchedMonitoredItems")));
    let subject = pii_subject(&matches, tag.as_deref());
    let secrets = body_secrets(body);
    let raw_source = body
        .get("rawMatchSource")
        .map(|raw| shown_raw(raw, &secrets));

    let mut masked_values = Vec::new();
    for m in &matches {
        if let (Some(kind), Some(found)) = (m.secret, &m.found) {
            masked_values.push(MaskedValue::secret(kind.name(), found, true, None));
        }
    }
    let items: Vec<Value> = matches
        .iter()
        .map(|m| {
            let found = m.found.as_deref().map(|v| m.shown(v));
            let monitored = m.monitored.as_deref().map(|v| m.shown(v));
            let mut item = Map::new();
            item.insert("kind".into(), Value::String(m.kind.clone()));
            if let Some(found) = &found {
                item.insert("found_value".into(), Value::String(found.clone()));
            }
            if let Some(monitored) = monitored.filter(|v| Some(v) != found.as_ref()) {
                item.insert("monitored_value".into(), Value::String(monitored));
            }
            if let Some(country) = &m.country {
                item.insert("country".into(), Value::String(country.clone()));
            }
            Value::Object(item)
        })
        .collect();
    let kinds: Vec<String> = {
        let mut kinds: Vec<String> = Vec::new();
        for m in &matches {
            if !kinds.contains(&m.kind) {
                kinds.push(m.kind.clone());
            }
        }
        kinds
    };
    let details = Details::new()
        .section("identity", |s| {
            s.opt("subject", subject.clone())
                .opt("tag", tag.clone())
                .opt("alert_id", alert_id.clone())
        })
        .section("matches", |s| {
            s.field("count", matches.len())
                .field("kinds", kinds)
                .field("items", items)
        })
        .section("exposure", |s| {
            s.opt("exposure_id", exposure_id.clone())
                .opt("found_at", read::time_value(found_at))
                .opt("raw_match_source", raw_source.clone())
        })
        .build();

    let labels = labels(&matches, lang);
    let links = web_links(raw_source.as_ref().and_then(Value::as_str));
    NewAlert {
        external_id: external_id(&[exposure_id, alert_id], delivery),
        severity: Severity::High,
        title: pii_title(subject.as_deref(), &labels, lang),
        summary: pii_summary(subject.as_deref(), &matches, &labels, found_at, lang),
        description: String::new(),
        recommendation: pii_recommendation(&matches, lang),
        subject: subject.clone().unwrap_or_default(),
        category: "pii".into(),
        occurred_at: found_at,
        unrecognized: false,
        masked_values,
        links,
        details,
        upstream: crate::providers::Upstream::Open,
    }
}

fn pii_title(subject: Option<&str>, labels: &[String], lang: Lang) -> String {
    let mut args = FluentArgs::new();
    args.set(
        "who",
        subject.map_or_else(|| NONE.to_owned(), |s| clip(s, 40)),
    );
    let what = labels
        .iter()
        .take(2)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    args.set("what", prose::or_none(Some(what).filter(|w| !w.is_empty())));
    args.set("more", labels.len().saturating_sub(2));
    clip(&prose(lang, "enzoic-pii-title", &args), 100)
}

fn pii_summary(
    subject: Option<&str>,
    matches: &[Match],
    labels: &[String],
    found_at: Option<DateTime<Utc>>,
    lang: Lang,
) -> String {
    let mut args = FluentArgs::new();
    args.set("count", matches.len());
    args.set("who", subject.unwrap_or(NONE));
    args.set("found", day_or_none(found_at));
    // Name at most six kinds; the rest are counted.
    args.set(
        "list",
        labels
            .iter()
            .take(6)
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
    );
    args.set("more", labels.len().saturating_sub(6));
    prose(lang, "enzoic-pii-summary", &args)
}

fn pii_recommendation(matches: &[Match], lang: Lang) -> String {
    let has = |kind: &str| matches.iter().any(|m| m.kind == kind);
    let mut out: Vec<String> = Vec::new();
    let cards: Vec<String> = matches
        .iter()
        .filter(|m| m.secret == Some(SecretKind::Card))
        .filter_map(|m| m.found.as_deref().or(m.monitored.as_deref()))
        .map(mask_secret)
        .collect();
    if !cards.is_empty() {
        let mut args = FluentArgs::new();
        args.set("count", cards.len());
        args.set("cards", prose::join_and(lang, &cards));
        out.push(prose(lang, "enzoic-advice-cards", &args));
    }
    if matches
        .iter()
        .any(|m| m.secret == Some(SecretKind::GovernmentId))
    {
        let country = matches
            .iter()
            .filter(|m| m.secret == Some(SecretKind::GovernmentId))
            .find_map(|m| m.country.as_deref());
        let mut args = FluentArgs::new();
        args.set("country", country.unwrap_or(NONE));
        out.push(prose(lang, "enzoic-advice-government-id", &args));
    }
    if has("cryptocurrency_wallet") {
        out.push(text(lang, "enzoic-advice-crypto-wallet"));
    }
    if has("email") || has("phone_number") {
        out.push(text(lang, "enzoic-advice-phishing"));
    }
    if out.is_empty() {
        out.push(text(lang, "enzoic-advice-pii"));
    }
    out.join(" ")
}

// ---------------------------------------------------------------------------------------------
// BIN (card) alerts

fn bin_alert(body: &Value, delivery: &Delivery, lang: Lang) -> NewAlert {
    let bin = read::text(body.get("monitoredBin"));
    let exposure_id = read::text(body.get("exposureID"));
    let found_at = read::time(body.get("date"));
    let card = secret_text(body.get("recoveredCreditCardNumber"));
    let masked_card = card.as_deref().map(mask_secret);
    let secrets = body_secrets(body);
    let raw_source = body
        .get("rawMatchSource")
        .map(|raw| shown_raw(raw, &secrets));

    let masked_values = card
        .iter()
        .map(|c| MaskedValue::secret("credit_card", c, true, None))
        .collect();
    let details = Details::new()
        .section("card", |s| {
            s.opt("monitored_bin", bin.clone())
                .opt("card_number", masked_card.clone())
                .opt(
                    "card_number_length",
                    card.as_ref().map(|c| c.chars().count()),
                )
        })
        .section("exposure", |s| {
            s.opt("exposure_id", exposure_id.clone())
                .opt("found_at", read::time_value(found_at))
                .opt("raw_match_source", raw_source.clone())
        })
        .build();

    let bin_text = bin.as_deref().map(|b| clip(b, 20));
    let mut args = FluentArgs::new();
    args.set("bin", bin_text.as_deref().unwrap_or(NONE));
    args.set("card", masked_card.as_deref().unwrap_or(NONE));
    args.set("found", day_or_none(found_at));
    let title = prose(lang, "enzoic-bin-title", &args);
    let summary = prose(lang, "enzoic-bin-summary", &args);
    let recommendation = prose(lang, "enzoic-bin-advice", &args);
    NewAlert {
        external_id: external_id(&[exposure_id, bin.clone()], delivery),
        severity: Severity::Critical,
        title: clip(&title, 100),
        summary,
        description: String::new(),
        recommendation,
        subject: bin.map(|b| format!("BIN {b}")).unwrap_or_default(),
        category: "card".into(),
        occurred_at: found_at,
        unrecognized: false,
        masked_values,
        links: web_links(raw_source.as_ref().and_then(Value::as_str)),
        details,
        upstream: crate::providers::Upstream::Open,
    }
}

// ---------------------------------------------------------------------------------------------
// Secrets

/// A secret exactly as sent (not trimmed: the mask keeps its length), or a number written out;
/// blank reads as absent.
fn secret_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Every secret value in a body: the top-level secret members and the found and monitored
/// values of secret PII items, longest first.
fn body_secrets(body: &Value) -> Vec<String> {
    let mut out: Vec<String> = read::object(Some(body))
        .into_iter()
        .flatten()
        .filter(|(name, _)| crate::mask::Kind::of(name).is_some())
        .filter_map(|(_, value)| secret_text(Some(value)))
        .collect();
    for m in matches(read::object(body.get("matchedMonitoredItems"))) {
        if m.secret.is_some() {
            out.extend(m.found);
            out.extend(m.monitored);
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    out.dedup();
    out
}

/// Masks a secret member in place (a string or a number); true when it changed.
fn mask_in_place(value: &mut Value) -> bool {
    let Some(secret) = secret_text(Some(value)) else {
        return false;
    };
    let masked = mask_secret(&secret);
    if masked == secret {
        return false;
    }
    *value = Value::String(masked);
    true
}

/// Masks the found and monitored values of the secret items under one
/// `matchedMonitoredItems` member.
fn redact_items(member: &str, value: &mut Value) -> bool {
    let mut changed = false;
    match value {
        Value::Array(list) => {
            for element in list {
                changed |= redact_items(member, element);
            }
        }
        Value::Object(item) => {
            if secret_kind(&item_kind(member, item)).is_some() {
                for name in ["foundValue", "monitoredValue"] {
                    if let Some(v) = item.get_mut(name) {
                        changed |= mask_in_place(v);
                    }
                }
            }
        }
        other => {
            if secret_kind(&member_kind(member)).is_some() {
                changed |= mask_in_place(other);
            }
        }
    }
    changed
}

/// Masks, inside every string of `value`, the known `secrets` and anything that looks like a
/// card number; true when it changed something.
fn scrub_value(value: &mut Value, secrets: &[String]) -> bool {
    match value {
        Value::String(s) => {
            let scrubbed = scrub(s, secrets);
            let changed = scrubbed != *s;
            *s = scrubbed;
            changed
        }
        Value::Array(list) => list
            .iter_mut()
            .fold(false, |acc, v| scrub_value(v, secrets) | acc),
        Value::Object(map) => map
            .values_mut()
            .fold(false, |acc, v| scrub_value(v, secrets) | acc),
        Value::Number(n) => {
            let text = n.to_string();
            let scrubbed = scrub(&text, secrets);
            if scrubbed == text {
                return false;
            }
            *value = Value::String(scrubbed);
            true
        }
        _ => false,
    }
}

/// `rawMatchSource` as shown in details: secret members and known secrets masked.
fn shown_raw(raw: &Value, secrets: &[String]) -> Value {
    let mut raw = raw.clone();
    crate::mask::redact_json(&mut raw);
    scrub_value(&mut raw, secrets);
    raw
}

/// `text` with each known secret (of 6 characters or more, so that short ones do not mask
/// unrelated text) and each card-number-like run of digits masked.
fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        if secret.chars().count() >= 6 && out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), &mask_secret(secret));
        }
    }
    crate::mask::text::mask_card_numbers(&out).into_owned()
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/// The idempotency key: the parts joined with `:`; the body's hash when one is missing.
fn external_id(parts: &[Option<String>], delivery: &Delivery) -> String {
    let parts: Option<Vec<&str>> = parts.iter().map(Option::as_deref).collect();
    match parts {
        Some(parts) => parts.join(":"),
        None => body_hash(&delivery.body),
    }
}

/// `camelCase` or any other spelling → `snake_case`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev: Option<char> = None;
    for c in name.chars() {
        if c.is_uppercase() {
            if prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit()) {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
        prev = Some(c);
    }
    out.trim_end_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn delivery(body: &str) -> Delivery {
        crate::testing::delivery("enzoic", &[], body)
    }

    fn parse_in(value: Value, lang: Lang) -> Result<Vec<NewAlert>, Unrecognized> {
        let text = value.to_string();
        Enzoic.parse(&value, &delivery(&text), &Context::in_lang(lang))
    }

    fn one(value: Value) -> NewAlert {
        parse_in(value, Lang::En)
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no alert"))
    }

    fn breach(extra: Value) -> Value {
        let mut body = json!({
            "username": "sample@email.tst",
            "usernameHash": "de34a09f",
            "date": "2017-01-17T04:51:05Z",
            "exposureID": "583d",
        });
        if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
            body.extend(extra);
        }
        body
    }

    #[test]
    fn fixtures_match_their_golden_alerts() {
        assert!(crate::providers::golden::check("enzoic") >= 7);
    }

    #[test]
    fn breach_severity_follows_the_contract() {
        let plaintext = one(breach(
            json!({"plaintextPassword": "hunter2hunter", "passwordHash": "abcdef123456", "passwordType": 1}),
        ));
        assert_eq!(plaintext.severity, Severity::Critical);
        let hash = one(breach(
            json!({"passwordHash": "abcdef123456", "passwordType": 8}),
        ));
        assert_eq!(hash.severity, Severity::High);
        let nothing = one(breach(
            json!({"plaintextPassword": "", "passwordHash": null}),
        ));
        assert_eq!(nothing.severity, Severity::Medium);
        // A "hash" of type 0 (Plaintext) is the password itself.
        let type0 = one(breach(
            json!({"passwordHash": "hunter2hunter", "passwordType": "0"}),
        ));
        assert_eq!(type0.severity, Severity::Critical);
        assert_eq!(type0.masked_values.len(), 1);
        assert_eq!(type0.masked_values[0].name, "password");
        assert!(type0.masked_values[0].cleartext);
    }

    #[test]
    fn pii_is_high_and_bin_is_critical() {
        let pii = one(json!({"type": "piiAlert", "id": "a1", "exposureID": "e1"}));
        assert_eq!(pii.severity, Severity::High);
        assert_eq!(pii.external_id, "e1:a1");
        let bin = one(json!({"monitoredBin": 411111, "exposureID": "e2"}));
        assert_eq!(bin.severity, Severity::Critical);
        assert_eq!(bin.external_id, "e2:411111");
    }

    #[test]
    fn shapes_are_told_apart_and_others_are_unrecognized() {
        assert_eq!(
            parse_in(json!([1]), Lang::En),
            Err(Unrecognized("expected a JSON object, got an array".into()))
        );
        assert!(parse_in(json!({"username": "a@b.c"}), Lang::En).is_err());
        assert!(parse_in(json!({"usernameHash": null}), Lang::En).is_err());
        // `type` wins over the other markers.
        let pii = one(json!({"type": "PIIALERT", "monitoredBin": "411111", "usernameHash": "x"}));
        assert_eq!(pii.category, "pii");
        assert_eq!(
            one(json!({"monitoredBin": "1", "usernameHash": "x"})).category,
            "card"
        );
        assert_eq!(one(json!({"usernameHash": "x"})).category, "breach");
    }

    #[test]
    fn external_id_joins_the_key_parts_or_falls_back_to_the_body_hash() {
        assert_eq!(one(breach(json!({}))).external_id, "583d:de34a09f");
        let missing = one(json!({"usernameHash": "de34a09f"}));
        assert!(
            missing.external_id.starts_with("sha256:"),
            "{}",
            missing.external_id
        );
    }

    #[test]
    fn password_types_are_named_and_unknown_numbers_accepted() {
        assert_eq!(password_type_name(8), "BCrypt");
        assert_eq!(password_type_name(33), "NTLM");
        assert_eq!(password_type_name(15), "Unknown (15)");
        assert_eq!(password_type_name(42), "Unknown (42)");
        assert_eq!(password_type(Some(&json!("14"))).as_deref(), Some("SHA512"));
        assert_eq!(
            password_type(Some(&json!("Argon2"))).as_deref(),
            Some("Argon2")
        );
        let alert = one(breach(
            json!({"passwordHash": "abcdef123456", "passwordType": 42}),
        ));
        assert_eq!(
            alert.masked_values[0].algorithm.as_deref(),
            Some("Unknown (42)")
        );
        assert_eq!(
            alert.details["credentials"]["password_type"],
            "Unknown (42)"
        );
    }

    #[test]
    fn secrets_are_masked_with_their_length_and_never_copied() {
        let alert = one(breach(json!({
            "plaintextPassword": " pass word ",
            "passwordHash": 123456789012_u64,
            "passwordSalt": "NaCl-salt",
            "passwordType": 1,
        })));
        let names: Vec<&str> = alert
            .masked_values
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(names, ["password", "password_hash", "password_salt"]);
        assert_eq!(
            alert.masked_values[0].length,
            Some(11),
            "spaces are part of it"
        );
        assert_eq!(alert.masked_values[1].value, "12********12");
        assert_eq!(alert.masked_values[1].algorithm.as_deref(), Some("MD5"));
        let text = serde_json::to_string(&alert).unwrap_or_default();
        for secret in ["pass word", "123456789012", "NaCl-salt"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }

    #[test]
    fn redact_masks_numbers_pii_secrets_and_card_numbers_in_the_raw_source() {
        let mut body = json!({
            "type": "piiAlert",
            "recoveredCreditCardNumber": 4111111111111111_u64,
            "matchedMonitoredItems": {
                "governmentID": {"foundValue": "T22000129", "monitoredValue": "T22000129", "country": "DE"},
                "creditCards": [{"foundValue": "5555555555554444"}],
                "emails": [{"foundValue": "a@example.com"}],
                "secondaryMatchItems": [{"type": "ssn", "foundValue": "078-05-1120"}],
            },
            "rawMatchSource": "x;T22000129;5555 5555 5555 4444;on 2024-06-03: 4012-8888-8888-1881;+49 89 1234567",
        });
        assert!(crate::normalize::mask_body(&Enzoic, &mut body));
        let text = body.to_string();
        for secret in [
            "4111111111111111",
            "T22000129",
            "5555555555554444",
            "078-05-1120",
            "5555 5555 5555 4444",
            "4012-8888-8888-1881",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(
            body["matchedMonitoredItems"]["emails"][0]["foundValue"],
            "a@example.com"
        );
        assert!(
            text.contains("+49 89 1234567"),
            "a phone number is no card: {text}"
        );
        assert_eq!(
            body["rawMatchSource"],
            "x;T2*****29;55***************44;on 2024-06-03: 40***************81;+49 89 1234567"
        );
        assert!(
            !crate::normalize::mask_body(&Enzoic, &mut body),
            "masking twice changes nothing"
        );
    }

    #[test]
    fn pii_items_in_any_form_are_read_and_secrets_masked() {
        let alert = one(json!({
            "type": "piiAlert", "tag": "t-1", "id": "a", "exposureID": "e",
            "matchedMonitoredItems": {
                "lastName": {"foundValue": "Müller", "monitoredValue": "Müller"},
                "firstName": {"foundValue": "Tom", "monitoredValue": "Thomas"},
                "creditCards": [{"foundValue": 4111111111111111_u64}, null, "junk-but-kept"],
                "phoneNumbers": null,
                "emails": {"foundValue": "t@example.com"},
                "dateOfBirth": {"foundValue": "1985-04-12"},
                "unrelated": 7,
            },
        }));
        assert_eq!(alert.subject, "Thomas Müller");
        let kinds = &alert.details["matches"]["kinds"];
        assert_eq!(
            kinds,
            &json!([
                "credit_card",
                "email",
                "first_name",
                "last_name",
                "date_of_birth"
            ])
        );
        assert_eq!(
            alert.title,
            "Identity data of Thomas Müller exposed: credit card, email address +3 more"
        );
        assert_eq!(alert.masked_values[0].name, "credit_card");
        assert_eq!(alert.masked_values[0].value, "41************11");
        let text = serde_json::to_string(&alert).unwrap_or_default();
        assert!(!text.contains("4111111111111111"), "{text}");
        assert!(
            !text.contains("junk-but-kept"),
            "a bare card-list string is masked: {text}"
        );
        let items = alert.details["matches"]["items"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            items.len(),
            6,
            "two cards, an email, two names, a birth date"
        );
        assert!(
            items.contains(
                &json!({"kind": "first_name", "found_value": "Tom", "monitored_value": "Thomas"})
            ),
            "{items:?}"
        );
        assert!(
            items.contains(&json!({"kind": "last_name", "found_value": "Müller"})),
            "the same monitored value is not repeated: {items:?}"
        );
    }

    #[test]
    fn dates_are_read_tolerantly_and_unset_ones_skipped() {
        let alert = one(breach(json!({
            "date": "0001-01-01T00:00:00Z",
            "exposureDetails": {"dateAdded": {"$date": {"$numberLong": "1391040000000"}}, "date": "2013-05-01"},
        })));
        assert_eq!(
            alert.occurred_at.map(|t| t.to_rfc3339()),
            Some("2014-01-30T00:00:00+00:00".into()),
            "an unset `date` falls back to `dateAdded`"
        );
        let seven = one(breach(json!({"date": "2017-01-17T04:51:05.1915231"})));
        assert_eq!(
            seven.occurred_at.map(|t| t.timestamp_subsec_nanos()),
            Some(191_523_100)
        );
    }

    #[test]
    fn titles_are_short_and_in_the_users_language() {
        let body = breach(json!({
            "username": format!("{}@example.com", "x".repeat(200)),
            "plaintextPassword": "hunter2hunter",
            "exposureDetails": {"title": "y".repeat(300), "entries": "5123"},
        }));
        let en = parse_in(body.clone(), Lang::En).unwrap_or_default();
        let de = parse_in(body, Lang::De).unwrap_or_default();
        for alert in en.iter().chain(&de) {
            assert!(alert.title.chars().count() <= 100, "{}", alert.title);
        }
        assert!(
            en[0].title.starts_with("Password for xxx"),
            "{}",
            en[0].title
        );
        assert!(
            de[0].title.starts_with("Passwort von xxx"),
            "{}",
            de[0].title
        );
        assert!(en[0].summary.contains("5,123 records"), "{}", en[0].summary);
        assert!(
            de[0].summary.contains("5.123 Einträge"),
            "{}",
            de[0].summary
        );
        assert!(
            de[0].recommendation.contains("Zwei-Faktor"),
            "{}",
            de[0].recommendation
        );
    }

    #[test]
    fn the_text_is_written_from_facts_in_either_language() {
        let de = |v: Value| {
            parse_in(v, Lang::De)
                .unwrap_or_else(|e| panic!("{e}"))
                .into_iter()
                .next()
                .unwrap_or_else(|| panic!("no alert"))
        };
        let one_record = json!({
            "usernameHash": "x",
            "date": "2014-01-30T10:00:00Z",
            "exposureDetails": {"entries": 1}
        });
        let en = one(one_record.clone());
        assert_eq!(en.title, "Monitored account found in a data breach");
        assert_eq!(
            en.summary,
            "Enzoic found a monitored account in a data breach on 30 January 2014. It holds 1 record."
        );
        assert_eq!(
            de(one_record).summary,
            "Enzoic hat am 30. Januar 2014 ein überwachtes Konto in einem Datenleck gefunden. Es umfasst 1 Eintrag."
        );
        let pii = json!({
            "type": "piiAlert",
            "matchedMonitoredItems": {
                "creditCards": ["4111111111111111", "5500000000000004"],
                "ssn": [{"foundValue": "078-05-1120", "country": "US"}]
            }
        });
        let en = one(pii.clone());
        assert_eq!(
            en.title,
            "Identity data exposed: credit card, government ID"
        );
        assert!(
            en.summary
                .starts_with("Enzoic matched 3 monitored items in newly found data: ")
        );
        assert!(
            en.recommendation
                .starts_with("Ask your bank to block and replace the cards ")
        );
        assert!(en.recommendation.contains(" and "), "{}", en.recommendation);
        assert!(en.recommendation.contains("Your government ID (US) is out"));
        assert!(!en.recommendation.contains("4111111111111111"));
        let de = de(pii);
        assert!(de.recommendation.starts_with("Lass die Karten "));
        assert!(de.recommendation.contains(" und "), "{}", de.recommendation);
        let empty = one(json!({"type": "piiAlert"}));
        assert_eq!(empty.title, "Identity data found in a leak");
        assert_eq!(
            empty.summary,
            "Enzoic reported an identity exposure, without details of what matched."
        );
        for text in [&en.title, &en.summary, &de.summary, &de.recommendation] {
            assert!(!text.contains(['\u{2068}', '\u{2069}']), "{text:?}");
        }
    }

    #[test]
    fn links_are_http_only() {
        assert_eq!(
            web_links([
                "https://a.example/x",
                " http://b.example ",
                "javascript:alert(1)",
                "ftp://c",
                "https://",
                "https://a.example/x",
                "http://x y"
            ]),
            vec!["https://a.example/x", "http://b.example"]
        );
    }

    #[test]
    fn helpers_spell_things_as_expected() {
        assert_eq!(snake_case("governmentID"), "government_id");
        assert_eq!(snake_case("dateOfBirth"), "date_of_birth");
        assert_eq!(snake_case("address1"), "address1");
        assert_eq!(snake_case("some-thing else"), "some_thing_else");
        assert_eq!(secret_kind("creditCards"), Some(SecretKind::Card));
        assert_eq!(
            secret_kind("passport_number"),
            Some(SecretKind::GovernmentId)
        );
        assert_eq!(secret_kind("email"), None);
    }

    #[test]
    fn the_sample_is_the_vendors_example() {
        let body: Value = serde_json::from_str(Enzoic.sample()).unwrap_or_default();
        let alert = one(body);
        assert_eq!(
            alert.external_id,
            "583d32144d6db21a908faa11:de34a09f96a6677f8a4e0a17545a20e0b60a2f093879c82ed36cff75930d5814"
        );
        assert_eq!(
            alert.title,
            "Password for sample@email.tst exposed in the “test exposure” breach"
        );
        assert_eq!(alert.masked_values[0].value, "pa********3!");
    }
}
