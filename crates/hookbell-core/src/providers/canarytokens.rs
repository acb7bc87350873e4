//! `canarytokens`: Thinkst Canarytokens' generic webhook (canarytokens.org or a self-hosted
//! server).
//!
//! One plain JSON POST per trip, with no signature and no timestamp header: the source id is
//! the secret (auth `none` with an unguessable id). The body is `{channel, token_type, src_ip,
//! token, time ("YYYY-MM-DD HH:MM:SS (UTC)"), memo, manage_url, additional_data,
//! public_domain, src_data}`, null members left out. A tripped token is one critical alert;
//! an "exposed" notice (an AWS key token found published somewhere, with `key_id`,
//! `public_location`, `exposed_time`) is a high one.
//!
//! When a webhook URL is saved, Canarytokens posts a test payload (token `a+test+token`):
//! [`Provider::acknowledge`] answers it 2xx with no alert ([`Provider::parse`] reads it as
//! unrecognized, never as a tripwire).
//!
//! `manage_url` lets anyone holding it manage (and switch off) the token: its `auth` value,
//! in the query or in the path, is masked in the stored body, the details and the links by
//! [`Provider::redact`], which [`crate::normalize`] runs over each; the adapter lists only
//! the masked form in `masked_values`.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::read::{self, Details};
use super::text::{clip, one_line};
use super::{Context, Lang, NewAlert, Provider, Unrecognized, Upstream};
use crate::alert::{MaskedValue, Severity};
use crate::delivery::Delivery;
use crate::mask::mask_secret;
use crate::prose::{self, FluentArgs, NONE, prose};

/// The canarytokens adapter.
#[derive(Debug, Clone, Copy)]
pub struct Canarytokens;

/// The token value of the test payload Canarytokens sends when a webhook URL is saved.
pub const TEST_TOKEN: &str = "a+test+token";

/// The length a title should stay within (characters).
const TITLE_MAX: usize = 120;

impl Provider for Canarytokens {
    fn id(&self) -> &'static str {
        "canarytokens"
    }

    fn parse(
        &self,
        body: &Value,
        _delivery: &Delivery,
        ctx: &Context,
    ) -> Result<Vec<NewAlert>, Unrecognized> {
        let Value::Object(obj) = body else {
            return Err(Unrecognized(format!(
                "expected a Canarytokens webhook object, got {}",
                super::generic::json_kind(body)
            )));
        };
        let trip = Trip::read(obj)?;
        Ok(vec![trip.alert(ctx.lang)])
    }

    /// The test payload Canarytokens sends when a webhook URL is saved (token `a+test+token`)
    /// is acknowledged: answered 2xx and kept, with no tripwire alert.
    fn acknowledge(&self, body: &Value, _delivery: &Delivery) -> bool {
        is_test_payload(body)
    }

    /// Masks the `auth` value of every manage or history URL in the body.
    fn redact(&self, body: &mut Value) -> bool {
        redact_manage_urls(body)
    }

    fn sample(&self) -> &'static str {
        include_str!("canarytokens/fixtures/sample.json")
    }
}

/// What kind of delivery it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A token was tripped.
    Triggered,
    /// A token (an AWS key) was found published.
    Exposed,
}

/// One delivery, read.
#[derive(Debug)]
struct Trip {
    kind: Kind,
    /// A digest of the token id (the `token` member is secret-named in the shared vocabulary:
    /// it is never copied in clear).
    token_digest: String,
    token_type: Option<String>,
    channel: Option<String>,
    memo: Option<String>,
    time: Option<chrono::DateTime<chrono::Utc>>,
    src_ip: Option<String>,
    user_agent: Option<String>,
    referer: Option<String>,
    location: Option<String>,
    geo: Vec<String>,
    tor: Option<bool>,
    aws_calls: Vec<String>,
    aws_log: Value,
    additional: Value,
    public_location: Option<String>,
    key_id: Option<String>,
    /// The manage URL, its `auth` masked.
    manage_url: Option<String>,
    manage_url_length: Option<usize>,
    public_domain: Option<String>,
}

impl Trip {
    fn read(obj: &Map<String, Value>) -> Result<Trip, Unrecognized> {
        let token = read::text(obj.get("token"));
        let has_shape = obj.contains_key("manage_url")
            || (obj.contains_key("memo") && obj.contains_key("token_type"));
        if token.is_none() && !has_shape {
            return Err(Unrecognized(
                "no token, memo or manage_url member: not a Canarytokens webhook".into(),
            ));
        }
        let token = token.unwrap_or_default();
        // The test payload is acknowledged before parse: read here, it is no tripwire.
        if is_test_token(&token) {
            return Err(Unrecognized(
                "Canarytokens' test payload (sent when a webhook URL is saved) carries no alert"
                    .into(),
            ));
        }
        let additional = obj.get("additional_data").cloned().unwrap_or(Value::Null);
        let add = |key: &str| additional.get(key);
        let aws_log = add("aws_key_log_data")
            .or_else(|| add("AWS Key Log Data"))
            .cloned()
            .unwrap_or(Value::Null);
        let mut aws_calls = Vec::new();
        for key in ["eventName", "event_name", "service_used"] {
            let value = aws_log.get(key);
            for call in read::texts(value).into_iter().chain(read::text(value)) {
                let call = clip(&one_line(&call), 60);
                if !aws_calls.contains(&call) {
                    aws_calls.push(call);
                }
            }
        }
        let geo_info = add("geo_info");
        let geo: Vec<String> = ["city", "region", "country", "org"]
            .iter()
            .filter_map(|k| read::text(geo_info.and_then(|g| g.get(*k))))
            .map(|g| clip(&one_line(&g), 60))
            .collect();
        let first_text = |v: Option<&Value>| -> Option<String> {
            read::text(v).or_else(|| read::texts(v).into_iter().next())
        };
        let raw_manage = read::text(obj.get("manage_url"));
        let kind = if obj.contains_key("public_location")
            || obj.contains_key("exposed_time")
            || obj.contains_key("key_id")
        {
            Kind::Exposed
        } else {
            Kind::Triggered
        };
        // Canarytokens writes "2026-11-21 22:46:58 (UTC)".
        let time = match obj.get("time").or_else(|| obj.get("exposed_time")) {
            Some(Value::String(t)) => read::time_in_text(t.trim().trim_end_matches("(UTC)")),
            other => read::time(other),
        };
        Ok(Trip {
            kind,
            token_digest: hex::encode(Sha256::digest(token.as_bytes())),
            token_type: read::text(obj.get("token_type")).map(|t| clip(&one_line(&t), 40)),
            channel: read::text(obj.get("channel")).map(|c| clip(&one_line(&c), 40)),
            memo: read::text(obj.get("memo")).map(|m| clip(&one_line(&m), 200)),
            time,
            src_ip: read::text(obj.get("src_ip"))
                .or_else(|| read::text(add("src_ip")))
                .map(|ip| clip(&one_line(&ip), 64)),
            user_agent: first_text(add("useragent").or_else(|| add("user_agent")))
                .or_else(|| first_text(aws_log.get("userAgent")))
                .map(|u| clip(&one_line(&u), 200)),
            referer: read::text(add("referer")).map(|r| clip(&one_line(&r), 200)),
            location: read::text(add("location")).map(|l| clip(&one_line(&l), 200)),
            geo,
            tor: read::boolean(add("is_tor_relay")),
            aws_calls,
            aws_log,
            additional,
            public_location: read::text(obj.get("public_location"))
                .map(|l| clip(&one_line(&l), 300)),
            key_id: read::text(obj.get("key_id")).map(|k| clip(&one_line(&k), 64)),
            manage_url_length: raw_manage.as_ref().map(|u| u.chars().count()),
            // The shared scrubber also masks what it would in any URL (`token=…`), so the
            // form listed in `masked_values` is the one the details and stored body show.
            manage_url: raw_manage.map(|u| {
                let masked = mask_manage_url(&u);
                crate::mask::text::scrub(&masked).unwrap_or(masked)
            }),
            public_domain: read::text(obj.get("public_domain")),
        })
    }

    /// Contract: a triggered token → critical (the test payload is no alert at all). A token
    /// found published is high: nobody has used it yet.
    fn severity(&self) -> Severity {
        match self.kind {
            Kind::Triggered => Severity::Critical,
            Kind::Exposed => Severity::High,
        }
    }

    /// The token type in words (`aws_keys` → `AWS API key`; message `canarytokens-type`).
    fn type_words(&self, lang: Lang) -> Option<String> {
        let raw = self.token_type.as_deref()?;
        let mut args = FluentArgs::new();
        args.set("type", raw);
        args.set("raw", raw.replace('_', " "));
        Some(prose(lang, "canarytokens-type", &args))
    }

    /// `$memo`: the memo cut to `max` characters, in quotation marks, or [`NONE`].
    fn memo_arg(&self, lang: Lang, max: usize) -> String {
        self.memo
            .as_deref()
            .map_or_else(|| NONE.to_owned(), |m| prose::quoted(lang, &clip(m, max)))
    }

    fn title(&self, lang: Lang) -> String {
        let id = match self.kind {
            Kind::Exposed => "canarytokens-title-exposed",
            Kind::Triggered => "canarytokens-title-tripped",
        };
        let mut args = FluentArgs::new();
        args.set("memo", self.memo_arg(lang, 80));
        clip(&prose(lang, id, &args), TITLE_MAX)
    }

    fn summary(&self, lang: Lang) -> String {
        let mut args = FluentArgs::new();
        args.set(
            "type",
            self.type_words(lang).unwrap_or_else(|| NONE.to_owned()),
        );
        args.set("what", prose(lang, "canarytokens-what", &args));
        match self.time {
            Some(t) => {
                let mut when = FluentArgs::new();
                when.set("day", prose::day(t.date_naive()));
                when.set("clock", t.format("%H:%M:%S").to_string());
                args.set("when", prose(lang, "canarytokens-when", &when));
            }
            None => args.set("when", NONE),
        }
        if self.kind == Kind::Exposed {
            args.set("place", self.public_location.as_deref().unwrap_or(NONE));
            return prose(lang, "canarytokens-summary-exposed", &args);
        }
        let mut facts = Vec::new();
        if let Some(ip) = &self.src_ip {
            let mut fact = FluentArgs::new();
            fact.set("ip", ip.as_str());
            fact.set(
                "geo",
                if self.geo.is_empty() {
                    NONE.to_owned()
                } else {
                    self.geo.join(", ")
                },
            );
            fact.set("tor", if self.tor == Some(true) { "yes" } else { "no" });
            facts.push(prose(lang, "canarytokens-fact-from", &fact));
        }
        if let Some(channel) = &self.channel {
            let mut fact = FluentArgs::new();
            fact.set("channel", channel.as_str());
            facts.push(prose(lang, "canarytokens-fact-channel", &fact));
        }
        if let Some(agent) = &self.user_agent {
            let mut fact = FluentArgs::new();
            fact.set("agent", prose::quoted(lang, &clip(agent, 80)));
            facts.push(prose(lang, "canarytokens-fact-agent", &fact));
        }
        if !self.aws_calls.is_empty() {
            let mut fact = FluentArgs::new();
            fact.set("calls", self.aws_calls.join(", "));
            facts.push(prose(lang, "canarytokens-fact-calls", &fact));
        }
        args.set(
            "facts",
            if facts.is_empty() {
                NONE.to_owned()
            } else {
                facts.join(", ")
            },
        );
        prose(lang, "canarytokens-summary-tripped", &args)
    }

    fn recommendation(&self, lang: Lang) -> String {
        let aws = matches!(self.token_type.as_deref(), Some("aws_keys" | "aws_id"));
        let id = match self.kind {
            Kind::Exposed => "canarytokens-advice-exposed",
            Kind::Triggered => "canarytokens-advice-tripped",
        };
        let mut args = FluentArgs::new();
        args.set("memo", self.memo_arg(lang, 120));
        args.set("aws", if aws { "yes" } else { "no" });
        prose(lang, id, &args)
    }

    fn external_id(&self) -> String {
        let mut hash = Sha256::new();
        for part in [
            self.token_digest.as_str(),
            self.time
                .map(|t| t.timestamp().to_string())
                .unwrap_or_default()
                .as_str(),
            self.src_ip.as_deref().unwrap_or_default(),
            self.channel.as_deref().unwrap_or_default(),
        ] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        let kind = match self.kind {
            Kind::Triggered => "trip",
            Kind::Exposed => "exposed",
        };
        format!("{kind}:{}", hex::encode(hash.finalize()))
    }

    fn alert(mut self, lang: Lang) -> NewAlert {
        let masked_values = match (&self.manage_url, self.manage_url_length) {
            (Some(masked), Some(length)) => vec![MaskedValue {
                name: "manage_url".into(),
                value: masked.clone(),
                cleartext: false,
                length: Some(length),
                algorithm: None,
            }],
            _ => Vec::new(),
        };
        let mut additional = std::mem::take(&mut self.additional);
        if let Value::Object(map) = &mut additional {
            for known in [
                "src_ip",
                "useragent",
                "user_agent",
                "referer",
                "location",
                "geo_info",
                "is_tor_relay",
                "aws_key_log_data",
                "AWS Key Log Data",
            ] {
                map.remove(known);
            }
        }
        // Manage URLs anywhere in the details (here, the referer, the location) are masked
        // by [`Provider::redact`], which normalize runs over every alert's details.
        let aws_log = std::mem::take(&mut self.aws_log);
        let details = Details::new()
            .section("canarytoken", |s| {
                s.opt("type", self.token_type.clone())
                    .opt("channel", self.channel.clone())
                    .opt("memo", self.memo.clone())
                    .opt("time", read::time_value(self.time))
                    .opt("key_id", self.key_id.clone())
                    .opt("public_location", self.public_location.clone())
            })
            .section("source", |s| {
                s.opt("ip", self.src_ip.clone())
                    .field("geo", self.geo.clone())
                    .opt("tor_exit_node", self.tor)
                    .opt("user_agent", self.user_agent.clone())
                    .opt("referer", self.referer.clone())
                    .opt("location", self.location.clone())
            })
            .section("aws", |s| {
                s.field("calls", self.aws_calls.clone())
                    .field("log_data", aws_log)
            })
            .raw("additional_data", additional)
            .section("canarytokens", |s| {
                s.opt("manage_url", self.manage_url.clone())
                    .opt("public_domain", self.public_domain.clone())
            })
            .build();
        NewAlert {
            external_id: self.external_id(),
            severity: self.severity(),
            title: self.title(lang),
            summary: self.summary(lang),
            description: String::new(),
            recommendation: self.recommendation(lang),
            subject: self
                .memo
                .as_deref()
                .map(|m| clip(m, 80))
                .or_else(|| self.type_words(lang))
                .unwrap_or_else(|| "Canarytoken".into()),
            category: match self.kind {
                Kind::Exposed => "canarytoken_exposed",
                Kind::Triggered => "canarytoken",
            }
            .into(),
            occurred_at: self.time,
            unrecognized: false,
            masked_values,
            links: Vec::new(),
            details,
            upstream: Upstream::Open,
        }
    }
}

/// Whether `token` is the test payload's (`a+test+token`, also seen form-decoded).
fn is_test_token(token: &str) -> bool {
    token == TEST_TOKEN || token == "a test token"
}

/// Whether `body` is the test payload sent when a webhook URL is saved.
fn is_test_payload(body: &Value) -> bool {
    read::text(body.get("token")).is_some_and(|t| is_test_token(&t))
}

/// A manage (or history) URL with its `auth` masked: the `auth` query value, and every path
/// segment after `manage` or `history` (`/nest/manage/<auth>/<token>`).
/// `https://canarytokens.org/manage?token=abc&auth=0123456789abcdef` →
/// `https://canarytokens.org/manage?token=abc&auth=01************ef`.
/// Masking a masked URL changes nothing.
pub fn mask_manage_url(url: &str) -> String {
    // Where the path starts: after `scheme://host` (the host is never masked).
    let host_end = url
        .find("://")
        .map(|i| i + "://".len())
        .and_then(|s| url.get(s..).and_then(|rest| rest.find('/')).map(|j| s + j))
        .unwrap_or(url.len());
    let (origin, path) = url.split_at(host_end);
    // Path form: every segment after `/manage/` or `/history/`, whatever it holds.
    let marker = ["/manage/", "/history/"]
        .iter()
        .filter_map(|m| path.find(m).map(|i| i + m.len()))
        .min();
    if let Some(cut) = marker {
        let (head, tail) = path.split_at(cut);
        let tail = tail
            .split('/')
            .map(|segment| {
                if segment.is_empty() {
                    String::new()
                } else {
                    mask_secret(segment)
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        return format!("{origin}{head}{tail}");
    }
    let (path, rest) = path.split_at(path.find(['?', '#']).unwrap_or(path.len()));
    format!("{origin}{path}{}", mask_auth_param(rest))
}

/// The query and fragment of a URL with everything after its `auth=` parameter masked as one
/// value (where the value ends is the sender's to say, so nothing after it is trusted to be
/// another parameter): `?token=t&auth=0123456789` → `?token=t&auth=01******89`.
fn mask_auth_param(rest: &str) -> String {
    let lower = rest.to_ascii_lowercase();
    let start = lower.match_indices("auth=").map(|(i, _)| i).find(|i| {
        matches!(
            rest.as_bytes().get(i.wrapping_sub(1)),
            Some(b'?' | b'&' | b'#' | b';')
        )
    });
    match start {
        Some(i) => {
            // `auth=` is ASCII: the cut is a character boundary.
            let (head, value) = rest.split_at(i + "auth=".len());
            format!("{head}{}", mask_secret(value))
        }
        None => rest.to_owned(),
    }
}

/// Whether `text` is a URL whose `auth` [`mask_manage_url`] masks.
fn is_manage_url(text: &str) -> bool {
    let lower = text.trim_start().to_ascii_lowercase();
    lower.starts_with("http")
        && (lower.contains("auth=") || lower.contains("/manage/") || lower.contains("/history/"))
}

/// Masks the `auth` of every manage or history URL in `value`; returns true when anything
/// changed.
fn redact_manage_urls(value: &mut Value) -> bool {
    match value {
        Value::String(s) if is_manage_url(s) => {
            let masked = mask_manage_url(s);
            let changed = masked != *s;
            *s = masked;
            changed
        }
        Value::Array(items) => {
            // Every item is visited: no short-circuit.
            let mut changed = false;
            for item in items {
                changed |= redact_manage_urls(item);
            }
            changed
        }
        Value::Object(map) => {
            let mut changed = false;
            for member in map.values_mut() {
                changed |= redact_manage_urls(member);
            }
            changed
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;
