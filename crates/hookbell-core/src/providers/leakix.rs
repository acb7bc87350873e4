//! `leakix`: LeakIX hooks. One POST per event, an [l9event] document describing a service
//! LeakIX found on the internet (`event_type: "service"`) or a leak it found in one
//! (`event_type: "leak"`: an exposed `.env`, an open database, a ransomed one, …).
//!
//! l9events come from Go: unset values arrive as zero values (`""`, `0`,
//! `"0001-01-01T00:00:00Z"`, `null` lists), `port` is a string, and
//! `service.credentials.{password,key,raw}` may hold what LeakIX captured. Those credentials,
//! and secret-looking assignments in the free-text `summary` (the leaked file's content), only
//! ever reach the alert masked.
//!
//! [l9event]: https://docs.leakix.net/docs/api/l9format/

use serde_json::Value;

use super::generic::body_hash;
use super::read::{self, Details, Section, at, int, member, text, texts};
use super::text::{clip, one_line};
use super::{Context, Lang, NewAlert, Provider, Unrecognized};
use crate::alert::{MaskedValue, Severity};
use crate::delivery::Delivery;
use crate::mask::{Policy, mask_secret};
use crate::prose::{self, FluentArgs, FluentValue, NONE, prose};

/// The leakix adapter.
#[derive(Debug, Clone, Copy)]
pub struct Leakix;

impl Provider for Leakix {
    fn id(&self) -> &'static str {
        "leakix"
    }

    fn parse(
        &self,
        body: &Value,
        delivery: &Delivery,
        ctx: &Context,
    ) -> Result<Vec<NewAlert>, Unrecognized> {
        let event = Event::read(body)?;
        Ok(vec![event.alert(body, delivery, ctx.lang)])
    }

    /// The default masking (which covers `service.credentials.{password,key,raw}`), plus the
    /// secrets inside the free-text `summary`: assignments such as `DB_PASSWORD=…`, passwords
    /// in URLs, and any captured credential repeated there.
    fn redact(&self, body: &mut Value) -> bool {
        let scrubbed = Scrubbed::of(body);
        let mut changed = false;
        if let Some(Value::String(summary)) = body.get_mut("summary")
            && *summary != scrubbed.text
        {
            *summary = scrubbed.text;
            changed = true;
        }
        changed
    }

    fn sample(&self) -> &'static str {
        include_str!("leakix/fixtures/sample.json")
    }
}

/// Longest title we write; longer ones are cut with `…`.
const TITLE_MAX: usize = 100;

/// Member names that mark a JSON object as an l9event.
const EVENT_MEMBERS: &[&str] = &[
    "event_type",
    "event_source",
    "event_fingerprint",
    "event_pipeline",
];

/// What an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A leak LeakIX found in a service.
    Leak,
    /// A service LeakIX found, nothing leaked (yet).
    Service,
}

/// What LeakIX's plugin (the `event_source`) looked at, for wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// An exposed `.env` file.
    DotEnv,
    /// An exposed `.git` directory.
    Git,
    /// Another exposed file or page: its `$kind` in message `leakix-file`.
    File(&'static str),
    /// An open data store: its product name, and whether it is a database (else a service).
    Store(&'static str, bool),
    /// Anything else.
    Other,
}

/// `event_source` (or protocol) fragments, lowercase, and what they mean; first match wins.
const TARGETS: &[(&str, Target)] = &[
    ("dotenv", Target::DotEnv),
    ("gitconfig", Target::Git),
    ("dotgit", Target::Git),
    ("dsstore", Target::File("dsstore")),
    ("phpinfo", Target::File("phpinfo")),
    ("apachestatus", Target::File("apachestatus")),
    ("configjson", Target::File("configjson")),
    ("telescope", Target::File("telescope")),
    ("mongo", Target::Store("MongoDB", true)),
    ("elastic", Target::Store("Elasticsearch", true)),
    ("mysql", Target::Store("MySQL", true)),
    ("mariadb", Target::Store("MariaDB", true)),
    ("postgres", Target::Store("PostgreSQL", true)),
    ("pgsql", Target::Store("PostgreSQL", true)),
    ("mssql", Target::Store("SQL Server", true)),
    ("redis", Target::Store("Redis", true)),
    ("couch", Target::Store("CouchDB", true)),
    ("cassandra", Target::Store("Cassandra", true)),
    ("clickhouse", Target::Store("ClickHouse", true)),
    ("influx", Target::Store("InfluxDB", true)),
    ("rethink", Target::Store("RethinkDB", true)),
    ("arango", Target::Store("ArangoDB", true)),
    ("neo4j", Target::Store("Neo4j", true)),
    ("firebase", Target::Store("Firebase", true)),
    ("solr", Target::Store("Solr", true)),
    ("memcache", Target::Store("Memcached", false)),
    ("kafka", Target::Store("Kafka", false)),
    ("zookeeper", Target::Store("ZooKeeper", false)),
    ("minio", Target::Store("MinIO", false)),
];

fn target_of(source: Option<&str>, protocol: Option<&str>) -> Target {
    let find = |word: &str| {
        let word: String = word
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .flat_map(|c| c.to_lowercase())
            .collect();
        TARGETS
            .iter()
            .find(|(needle, _)| word.contains(needle))
            .map(|(_, target)| *target)
    };
    source
        .and_then(find)
        .or_else(|| {
            protocol
                .and_then(find)
                .filter(|t| matches!(t, Target::Store(..)))
        })
        .unwrap_or(Target::Other)
}

/// `leak.severity` as is (critical | high | medium | low | info, any case); anything else or
/// nothing → medium (CONTRACT.md, "Severity mapping").
fn severity_of(word: Option<&str>) -> Severity {
    match word.map(|w| w.trim().to_ascii_lowercase()).as_deref() {
        Some("critical") => Severity::Critical,
        Some("high") => Severity::High,
        Some("medium") => Severity::Medium,
        Some("low") => Severity::Low,
        Some("info") => Severity::Info,
        _ => Severity::Medium,
    }
}

/// The members of an l9event the alert is written from.
#[derive(Debug)]
struct Event {
    kind: Kind,
    target: Target,
    source: Option<String>,
    fingerprint: Option<String>,
    ip: Option<String>,
    host: Option<String>,
    /// The port as sent (a string in l9format), unless Go's zero.
    port_text: Option<String>,
    /// The port as a number, when it is one (1–65535).
    port: Option<i64>,
    protocol: Option<String>,
    full_url: Option<String>,
    leak_type: Option<String>,
    stage: Option<String>,
    severity: Severity,
    rows: Option<i64>,
    files: Option<i64>,
    size: Option<i64>,
    collections: Option<i64>,
    infected: bool,
    ransom_notes: Vec<String>,
    software: Option<String>,
    username: Option<String>,
    no_auth: bool,
    /// Captured credentials: (masked value name, secret).
    credentials: Vec<(&'static str, String)>,
    organization: Option<String>,
    country: Option<String>,
    occurred_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The phrases most of an alert's messages take ([`Event::args`]): written once per alert,
/// not once per message.
struct Phrases {
    /// Where it was found, or the words for an unknown host.
    place: String,
    /// The port in words (message `leakix-port`).
    port: String,
    /// What kind of file or page, for a file target (message `leakix-file`).
    file: Option<String>,
}

/// A captured credential exactly as sent (not trimmed, so its masked length is right); a
/// number is taken as its digits.
fn credential(body: &Value, member: &str) -> Option<String> {
    match at(body, &["service", "credentials", member])? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A positive integer: Go's zero (and nonsense) reads as unset.
fn positive(value: Option<&Value>) -> Option<i64> {
    int(value).filter(|n| *n > 0)
}

impl Event {
    fn read(body: &Value) -> Result<Event, Unrecognized> {
        if !body.is_object() {
            return Err(Unrecognized(format!(
                "expected an l9event JSON object, got {}",
                super::generic::json_kind(body)
            )));
        }
        let has = |name: &str| member(body, name).is_some_and(|v| !v.is_null());
        let is_event = EVENT_MEMBERS.iter().any(|m| has(m))
            || ((has("ip") || has("host")) && (has("leak") || has("service")));
        if !is_event {
            return Err(Unrecognized(
                "not a LeakIX l9event: none of event_type, event_source, event_fingerprint, \
                 event_pipeline, nor ip/host with leak/service"
                    .into(),
            ));
        }
        let get = |path: &[&str]| text(at(body, path));
        let source = get(&["event_source"]);
        let protocol = get(&["protocol"]).map(|p| p.to_ascii_lowercase());
        let leak_type = get(&["leak", "type"]);
        let stage = get(&["leak", "stage"]).map(|s| s.to_ascii_lowercase());
        let severity_word = get(&["leak", "severity"]);
        let ransom_notes = texts(at(body, &["leak", "dataset", "ransom_notes"]));
        let kind = match get(&["event_type"])
            .map(|t| t.to_ascii_lowercase())
            .as_deref()
        {
            Some("leak") => Kind::Leak,
            Some("service") => Kind::Service,
            _ if leak_type.is_some()
                || stage.is_some()
                || severity_word.is_some()
                || !ransom_notes.is_empty() =>
            {
                Kind::Leak
            }
            _ => Kind::Service,
        };
        let port_text = get(&["port"]).filter(|p| p != "0");
        let port = positive(at(body, &["port"])).filter(|p| *p <= 65_535);
        let software = {
            let name = get(&["service", "software", "name"]);
            let version = get(&["service", "software", "version"]);
            match (name, version) {
                (Some(n), Some(v)) => Some(format!("{n} {v}")),
                (n, _) => n,
            }
        };
        let credentials = [
            ("password", "password"),
            ("key", "key"),
            ("raw", "raw_credentials"),
        ]
        .into_iter()
        .filter_map(|(member, name)| Some((name, credential(body, member)?)))
        .collect();
        let mut event = Event {
            kind,
            target: target_of(source.as_deref(), protocol.as_deref()),
            source,
            fingerprint: get(&["event_fingerprint"]),
            ip: get(&["ip"]),
            host: get(&["host"]),
            port_text,
            port,
            protocol,
            full_url: None,
            leak_type,
            stage,
            severity: severity_of(severity_word.as_deref()),
            rows: positive(at(body, &["leak", "dataset", "rows"])),
            files: positive(at(body, &["leak", "dataset", "files"])),
            size: positive(at(body, &["leak", "dataset", "size"])),
            collections: positive(at(body, &["leak", "dataset", "collections"])),
            infected: read::boolean(at(body, &["leak", "dataset", "infected"])).unwrap_or(false),
            ransom_notes,
            software,
            username: get(&["service", "credentials", "username"]),
            no_auth: read::boolean(at(body, &["service", "credentials", "noauth"]))
                .unwrap_or(false),
            credentials,
            organization: get(&["network", "organization_name"]),
            country: get(&["geoip", "country_name"])
                .or_else(|| get(&["geoip", "country_iso_code"])),
            occurred_at: read::time(at(body, &["time"])),
        };
        event.full_url = event.url(body);
        Ok(event)
    }

    /// The name the service is reached by: the host name, else the IP address.
    fn name(&self) -> Option<&str> {
        self.host.as_deref().or(self.ip.as_deref())
    }

    /// `host:port` (or `ip:port`, `[v6]:port`), as far as known.
    fn place(&self) -> Option<String> {
        let name = self.name()?;
        Some(match &self.port {
            Some(port) if name.contains(':') => format!("[{name}]:{port}"),
            Some(port) => format!("{name}:{port}"),
            None => name.to_owned(),
        })
    }

    fn place_or_unknown(&self, lang: Lang) -> String {
        self.place()
            .unwrap_or_else(|| prose::text(lang, "leakix-unknown-host"))
    }

    /// The address of what leaked, when it was found over HTTP(S).
    fn url(&self, body: &Value) -> Option<String> {
        let path = text(at(body, &["http", "url"]))?;
        if path.starts_with("https://") || path.starts_with("http://") {
            return Some(path);
        }
        let transport = texts(at(body, &["transport"]));
        let tls = transport.iter().any(|t| t.eq_ignore_ascii_case("tls"))
            || read::boolean(at(body, &["ssl", "enabled"])).unwrap_or(false);
        let scheme = match self.protocol.as_deref() {
            Some(p @ ("http" | "https")) => p,
            _ if tls => "https",
            _ => "http",
        };
        let name = self.name()?;
        let name = if name.contains(':') {
            format!("[{name}]")
        } else {
            name.to_owned()
        };
        let port = match (scheme, self.port) {
            ("http", Some(80)) | ("https", Some(443)) | (_, None) => String::new(),
            (_, Some(port)) => format!(":{port}"),
        };
        let slash = if path.starts_with('/') { "" } else { "/" };
        Some(format!("{scheme}://{name}{port}{slash}{path}"))
    }

    /// Whether the port is the web's own (80, 443), which a site cannot close.
    fn web_port(&self) -> bool {
        matches!(self.port, Some(80 | 443))
    }

    /// Whether a data store was found with guessable credentials rather than none.
    fn weak(&self) -> bool {
        !self.credentials.is_empty()
            || self
                .source
                .as_deref()
                .is_some_and(|s| s.to_ascii_lowercase().contains("weak"))
    }

    /// Whether the ransom is the story: LeakIX says the service is infected, or a data store
    /// (or an unclassified leak) holds ransom notes. Notes beside an exposed file (the
    /// vendor's own example has some) are mentioned, not made the headline.
    fn ransomed(&self) -> bool {
        self.infected
            || (!self.ransom_notes.is_empty()
                && !matches!(self.target, Target::DotEnv | Target::Git | Target::File(..)))
    }

    /// `event_fingerprint:ip:host:port` (PROVIDERS.md); the body's hash when all are unset.
    fn external_id(&self, delivery: &Delivery) -> String {
        let parts = [
            self.fingerprint.as_deref(),
            self.ip.as_deref(),
            self.host.as_deref(),
            self.port_text.as_deref(),
        ];
        if parts.iter().all(Option::is_none) {
            return body_hash(&delivery.body);
        }
        parts.map(Option::unwrap_or_default).join(":")
    }

    /// The phrases [`Event::args`] passes to most messages, written once per alert in `lang`.
    fn phrases(&self, lang: Lang) -> Phrases {
        let mut port = FluentArgs::new();
        port.set(
            "port",
            self.port.map_or_else(|| NONE.to_owned(), |p| p.to_string()),
        );
        let file = match self.target {
            Target::File(kind) => {
                let mut file = FluentArgs::new();
                file.set("kind", kind);
                Some(prose(lang, "leakix-file", &file))
            }
            _ => None,
        };
        Phrases {
            place: self.place_or_unknown(lang),
            port: prose(lang, "leakix-port", &port),
            file,
        }
    }

    /// The facts most messages take: `$place`, `$port` (leakix-port), and for the target
    /// `$name`/`$db` (a store) or `$file` (a file or page), from `phrases`.
    fn args(&self, phrases: &Phrases) -> FluentArgs<'static> {
        let mut args = FluentArgs::new();
        args.set("place", phrases.place.clone());
        args.set("port", phrases.port.clone());
        match self.target {
            Target::Store(name, db) => {
                args.set("name", name);
                args.set("db", if db { "yes" } else { "no" });
            }
            Target::File(_) => {
                if let Some(file) = &phrases.file {
                    args.set("file", file.clone());
                }
            }
            _ => {}
        }
        args
    }

    fn title(&self, lang: Lang, phrases: &Phrases) -> String {
        let mut args = self.args(phrases);
        let id = match (self.kind, self.target) {
            (Kind::Service, _) => {
                args.set(
                    "what",
                    self.service_name_with(|s, p| format!("{s}, {p}"))
                        .unwrap_or_else(|| NONE.to_owned()),
                );
                "leakix-title-service"
            }
            (Kind::Leak, Target::Store(..)) if !self.ransom_notes.is_empty() => {
                "leakix-title-ransom-note-store"
            }
            (Kind::Leak, _) if self.ransomed() && !self.ransom_notes.is_empty() => {
                "leakix-title-ransom-note"
            }
            (Kind::Leak, Target::Store(..)) if self.infected => "leakix-title-infected-store",
            (Kind::Leak, _) if self.infected => "leakix-title-infected",
            (Kind::Leak, Target::DotEnv) => "leakix-title-dotenv",
            (Kind::Leak, Target::Git) => "leakix-title-git",
            (Kind::Leak, Target::File(_)) => "leakix-title-file",
            (Kind::Leak, Target::Store(..)) if self.weak() => "leakix-title-weak",
            (Kind::Leak, Target::Store(..)) => "leakix-title-store",
            (Kind::Leak, Target::Other) => {
                args.set("type", self.leak_type.as_deref().unwrap_or(NONE).to_owned());
                "leakix-title-leak"
            }
        };
        let base = one_line(&prose(lang, id, &args));
        match self
            .source
            .as_deref()
            .map(one_line)
            .filter(|s| !s.is_empty())
        {
            Some(source) => {
                let mut with = FluentArgs::new();
                with.set("title", base.as_str());
                with.set("source", source);
                let with_source = prose(lang, "leakix-title-source", &with);
                if with_source.chars().count() <= TITLE_MAX {
                    with_source
                } else {
                    clip(&base, TITLE_MAX)
                }
            }
            None => clip(&base, TITLE_MAX),
        }
    }

    /// "Apache 2.2.4 (https)", "nginx", "ssh", …
    fn service_name(&self) -> Option<String> {
        self.service_name_with(|s, p| format!("{s} ({p})"))
    }

    /// The software and protocol of a service, joined by `both` when both are known.
    fn service_name_with(&self, both: impl Fn(&str, &str) -> String) -> Option<String> {
        match (&self.software, &self.protocol) {
            (Some(s), Some(p)) if !s.to_ascii_lowercase().contains(p.as_str()) => Some(both(s, p)),
            (Some(s), _) => Some(s.clone()),
            (None, Some(p)) => Some(p.clone()),
            (None, None) => None,
        }
    }

    /// What was found, as the object of "LeakIX found …" / "LeakIX hat … gefunden".
    fn found_phrase(&self, lang: Lang, phrases: &Phrases) -> String {
        let mut args = self.args(phrases);
        let id = match (self.kind, self.target) {
            (Kind::Service, _) => {
                args.set("what", prose::or_none(self.service_name()));
                "leakix-found-service"
            }
            (Kind::Leak, Target::DotEnv) => "leakix-found-dotenv",
            (Kind::Leak, Target::Git) => "leakix-found-git",
            (Kind::Leak, Target::File(_)) => "leakix-found-file",
            (Kind::Leak, Target::Store(..)) if self.weak() => "leakix-found-weak",
            (Kind::Leak, Target::Store(..)) => "leakix-found-store",
            (Kind::Leak, Target::Other) => {
                args.set("type", self.leak_type.as_deref().unwrap_or(NONE).to_owned());
                "leakix-found-leak"
            }
        };
        prose(lang, id, &args)
    }

    fn summary(
        &self,
        lang: Lang,
        phrases: &Phrases,
        found: &[(String, String)],
        count: usize,
    ) -> String {
        let mut aside: Vec<&str> = Vec::new();
        if let (Some(ip), Some(_)) = (&self.ip, &self.host) {
            aside.push(ip);
        }
        aside.extend(self.organization.as_deref());
        aside.extend(self.country.as_deref());
        let mut args = self.args(phrases);
        args.set("aside", prose::joined_or_none(&aside, ", "));
        args.set("source", self.source.as_deref().unwrap_or(NONE).to_owned());
        args.set("url", self.full_url.as_deref().unwrap_or(NONE).to_owned());
        args.set("what", self.found_phrase(lang, phrases));
        let mut sentences = vec![prose(lang, "leakix-summary", &args)];
        if let Some(state) = self.state_sentence(lang) {
            sentences.push(state);
        }
        if let Some(access) = self.access_sentence(lang) {
            sentences.push(access);
        }
        if let Some(content) = content_sentence(found, count, lang) {
            sentences.push(content);
        }
        sentences.join(" ")
    }

    /// Ransom, stage and size of the leak, as one sentence.
    fn state_sentence(&self, lang: Lang) -> Option<String> {
        let n = self.ransom_notes.len();
        let mut args = FluentArgs::new();
        args.set("count", n);
        if self.ransomed() && n > 0 {
            return Some(prose(lang, "leakix-state-ransom-notes", &args));
        }
        if self.infected {
            return Some(prose::text(lang, "leakix-state-infected"));
        }
        let notes = (n > 0).then(|| prose(lang, "leakix-state-notes", &args));
        let stage = match self.stage.as_deref() {
            Some(stage @ ("open" | "explore" | "exfiltrate")) => {
                let mut args = FluentArgs::new();
                args.set("stage", stage);
                Some(prose(lang, "leakix-stage", &args))
            }
            _ => None,
        };
        let counts = self.counts(lang);
        if stage.is_none() && counts.is_none() {
            return notes;
        }
        let none = || NONE.to_owned();
        args.set("stage", stage.unwrap_or_else(none));
        args.set("counts", counts.unwrap_or_else(none));
        args.set("notes", notes.unwrap_or_else(none));
        Some(prose(lang, "leakix-state", &args))
    }

    /// "4 rows, 1 file, 1 collection, 12.9 KiB".
    fn counts(&self, lang: Lang) -> Option<String> {
        let mut parts = Vec::new();
        let units = [
            (self.rows, "leakix-rows"),
            (self.files, "leakix-files"),
            (self.collections, "leakix-collections"),
        ];
        for (n, id) in units {
            if let Some(n) = n {
                let mut args = FluentArgs::new();
                args.set("count", n);
                parts.push(prose(lang, id, &args));
            }
        }
        if let Some(size) = self.size {
            let (size, unit) = bytes(size);
            let mut args = FluentArgs::new();
            args.set("size", size);
            args.set("unit", unit);
            parts.push(prose(lang, "leakix-size", &args));
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    fn access_sentence(&self, lang: Lang) -> Option<String> {
        if !self.credentials.is_empty() {
            let names: Vec<String> = self
                .credentials
                .iter()
                .map(|(name, _)| {
                    let mut args = FluentArgs::new();
                    args.set("kind", *name);
                    prose(lang, "leakix-credential", &args)
                })
                .collect();
            let mut args = FluentArgs::new();
            args.set("names", names.join(", "));
            args.set("user", self.username.as_deref().unwrap_or(NONE).to_owned());
            return Some(prose(lang, "leakix-access-captured", &args));
        }
        self.no_auth
            .then(|| prose::text(lang, "leakix-access-open"))
    }

    fn recommendation(&self, lang: Lang, phrases: &Phrases) -> String {
        let mut args = self.args(phrases);
        args.set(
            "url",
            self.full_url
                .clone()
                .unwrap_or_else(|| phrases.place.clone()),
        );
        args.set("user", self.username.as_deref().unwrap_or(NONE).to_owned());
        let mut weak_store = false;
        let id = match (self.kind, self.target) {
            (Kind::Leak, _) if self.ransomed() => "leakix-advice-ransomed",
            (Kind::Leak, Target::DotEnv) => {
                args.set("web", if self.web_port() { "yes" } else { "no" });
                "leakix-advice-dotenv"
            }
            (Kind::Leak, Target::Git) => "leakix-advice-git",
            (Kind::Leak, Target::File(_)) => "leakix-advice-file",
            (Kind::Leak, Target::Store(..)) if self.weak() => {
                weak_store = true;
                "leakix-advice-weak"
            }
            (Kind::Leak, Target::Store(..)) => "leakix-advice-store",
            (Kind::Leak, Target::Other) => "leakix-advice-leak",
            (Kind::Service, _) => {
                args.set("what", prose::or_none(self.service_name()));
                "leakix-advice-service"
            }
        };
        let mut advice = prose(lang, id, &args);
        if !self.ransomed() && !self.ransom_notes.is_empty() {
            advice.push(' ');
            advice.push_str(&prose::text(lang, "leakix-advice-ransom-notes"));
        }
        if !self.credentials.is_empty() && !weak_store {
            advice.push(' ');
            advice.push_str(&prose(lang, "leakix-advice-credentials", &args));
        }
        advice
    }

    /// `https://leakix.net/host/<ip>` and `https://leakix.net/domain/<host>`.
    fn links(&self) -> Vec<String> {
        let mut links = Vec::new();
        if let Some(ip) = self.ip.as_deref().filter(|ip| url_safe(ip)) {
            links.push(format!("https://leakix.net/host/{ip}"));
        }
        if let Some(host) = self.host.as_deref().filter(|h| url_safe(h))
            && self.ip.as_deref() != Some(host)
        {
            links.push(format!("https://leakix.net/domain/{host}"));
        }
        links
    }

    fn alert(&self, body: &Value, delivery: &Delivery, lang: Lang) -> NewAlert {
        let scrubbed = Scrubbed::of(body);
        let phrases = self.phrases(lang);
        let mut masked_values: Vec<MaskedValue> = self
            .credentials
            .iter()
            .map(|(name, secret)| MaskedValue::secret(name, secret, true, None))
            .collect();
        masked_values.extend(
            scrubbed
                .found
                .iter()
                .map(|(name, secret)| MaskedValue::secret(name, secret, true, None)),
        );
        NewAlert {
            external_id: self.external_id(delivery),
            severity: self.severity,
            title: self.title(lang, &phrases),
            summary: self.summary(lang, &phrases, &scrubbed.found, scrubbed.count),
            description: scrubbed.text,
            recommendation: self.recommendation(lang, &phrases),
            subject: self.place().unwrap_or_default(),
            category: match self.kind {
                Kind::Leak => "leak",
                Kind::Service => "service",
            }
            .to_owned(),
            occurred_at: self.occurred_at,
            unrecognized: false,
            masked_values,
            links: self.links(),
            details: self.details(body),
            upstream: crate::providers::Upstream::Open,
        }
    }

    fn details(&self, body: &Value) -> Value {
        let get = |path: &[&str]| text(at(body, path));
        let tls = member(body, "ssl");
        let ssl = |path: &[&str]| at(tls?, path);
        let has_tls = read::boolean(ssl(&["enabled"])).unwrap_or(false)
            || read::boolean(ssl(&["detected"])).unwrap_or(false)
            || text(ssl(&["certificate", "cn"])).is_some()
            || text(ssl(&["certificate", "fingerprint"])).is_some();
        let modules: Vec<String> = read::list(at(body, &["service", "software", "modules"]))
            .iter()
            .filter_map(|m| {
                let name = text(member(m, "name"))?;
                Some(match text(member(m, "version")) {
                    Some(v) => format!("{name} {v}"),
                    None => name,
                })
            })
            .collect();
        let exposed: Vec<&str> = self.credentials.iter().map(|(name, _)| *name).collect();
        let lat = read::number(at(body, &["geoip", "location", "lat"]));
        let lon = read::number(at(body, &["geoip", "location", "lon"]));
        let location = match (lat, lon) {
            (Some(lat), Some(lon)) if lat != 0.0 || lon != 0.0 => Some((lat, lon)),
            _ => None,
        };
        Details::new()
            .section("host", |s| {
                s.opt("ip", self.ip.clone())
                    .opt("host", self.host.clone())
                    .opt("reverse", get(&["reverse"]))
                    .opt(
                        "port",
                        self.port
                            .map(Value::from)
                            .or_else(|| self.port_text.clone().map(Value::from)),
                    )
                    .opt("protocol", self.protocol.clone())
                    .field("transport", texts(at(body, &["transport"])))
                    .opt("mac", get(&["mac"]))
                    .opt("vendor", get(&["vendor"]))
            })
            .section("http", |s| {
                s.opt("url", get(&["http", "url"]))
                    .opt("status", positive(at(body, &["http", "status"])))
                    .opt("title", get(&["http", "title"]))
                    .opt("length", positive(at(body, &["http", "length"])))
                    .opt("server", header(body, "server"))
            })
            .section("tls", |s| {
                if !has_tls {
                    return s;
                }
                s.opt("version", text(ssl(&["version"])))
                    .opt("cipher_suite", text(ssl(&["cypher_suite"])))
                    .opt("cn", text(ssl(&["certificate", "cn"])))
                    .field("domains", texts(ssl(&["certificate", "domain"])))
                    .opt("issuer", text(ssl(&["certificate", "issuer_name"])))
                    .opt("key_algo", text(ssl(&["certificate", "key_algo"])))
                    .opt("key_size", positive(ssl(&["certificate", "key_size"])))
                    .opt("fingerprint", text(ssl(&["certificate", "fingerprint"])))
                    .opt("valid", read::boolean(ssl(&["certificate", "valid"])))
                    .opt(
                        "not_before",
                        read::time_value(read::time(ssl(&["certificate", "not_before"]))),
                    )
                    .opt(
                        "not_after",
                        read::time_value(read::time(ssl(&["certificate", "not_after"]))),
                    )
                    .opt("jarm", text(ssl(&["jarm"])))
            })
            .section("ssh", |s| {
                s.opt("version", positive(at(body, &["ssh", "version"])))
                    .opt("banner", get(&["ssh", "banner"]))
                    .opt("fingerprint", get(&["ssh", "fingerprint"]))
                    .opt("motd", get(&["ssh", "motd"]))
            })
            .section("software", |s| {
                s.opt("name", get(&["service", "software", "name"]))
                    .opt("version", get(&["service", "software", "version"]))
                    .opt("os", get(&["service", "software", "os"]))
                    .field("modules", modules)
                    .opt("fingerprint", get(&["service", "software", "fingerprint"]))
            })
            .section("credentials", |s| {
                let s = s
                    .opt("username", self.username.clone())
                    .field("exposed", exposed);
                if self.no_auth {
                    s.field("no_auth", true)
                } else {
                    s
                }
            })
            .section("leak", |s| {
                let s = s
                    .opt("stage", self.stage.clone())
                    .opt("type", self.leak_type.clone())
                    .opt("severity", get(&["leak", "severity"]))
                    .opt("rows", self.rows)
                    .opt("files", self.files)
                    .opt("size", self.size)
                    .opt("collections", self.collections);
                let s = if self.infected {
                    s.field("infected", true)
                } else {
                    s
                };
                s.field("ransom_notes", self.ransom_notes.clone())
            })
            .section("geo", |s| {
                let s = s
                    .opt("continent", get(&["geoip", "continent_name"]))
                    .opt("country", get(&["geoip", "country_name"]))
                    .opt("country_code", get(&["geoip", "country_iso_code"]))
                    .opt("region", get(&["geoip", "region_name"]))
                    .opt("region_code", get(&["geoip", "region_iso_code"]))
                    .opt("city", get(&["geoip", "city_name"]));
                with_location(s, location)
            })
            .section("network", |s| {
                s.opt("organization", self.organization.clone())
                    .opt("asn", positive(at(body, &["network", "asn"])))
                    .opt("network", get(&["network", "network"]))
            })
            .raw("tags", Value::from(texts(at(body, &["tags"]))))
            .section("event", |s| {
                s.opt("type", get(&["event_type"]))
                    .opt("source", self.source.clone())
                    .field("pipeline", texts(at(body, &["event_pipeline"])))
                    .opt("fingerprint", self.fingerprint.clone())
                    .opt("time", read::time_value(self.occurred_at))
            })
            .build()
    }
}

fn with_location(s: Section, location: Option<(f64, f64)>) -> Section {
    match location {
        Some((lat, lon)) => s.field("latitude", lat).field("longitude", lon),
        None => s,
    }
}

/// An HTTP response header LeakIX recorded, by case-insensitive name.
fn header(body: &Value, name: &str) -> Option<String> {
    read::object(at(body, &["http", "header"]))?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| text(Some(v)))
}

/// "The leaked content holds 3 secrets (APP_KEY, DB_PASSWORD, url_password); …"
fn content_sentence(found: &[(String, String)], n: usize, lang: Lang) -> Option<String> {
    if n == 0 {
        return None;
    }
    let mut names: Vec<&str> = Vec::new();
    for (name, _) in found {
        if !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    let mut list = names.iter().take(4).copied().collect::<Vec<_>>().join(", ");
    if names.len() > 4 {
        list.push_str(", …");
    }
    let mut args = FluentArgs::new();
    args.set("count", n);
    args.set("list", list);
    Some(prose(lang, "leakix-content", &args))
}

/// Host names and addresses that can go into a URL path as they are.
fn url_safe(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
}

/// A size and its unit (message `leakix-size`): `13223` → `12.9 KiB` (`12,9 KiB` in German),
/// at most one decimal.
fn bytes(n: i64) -> (FluentValue<'static>, &'static str) {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return (FluentValue::from(n), "B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = UNITS[0];
    for next in UNITS.iter().skip(1) {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    (prose::decimal(value, 1), unit)
}

/// The l9event `summary` (often the leaked file's content) with its secrets masked, and the
/// secrets found in it as (name, secret).
struct Scrubbed {
    text: String,
    /// The distinct secrets found, up to [`MAX_FOUND`].
    found: Vec<(String, String)>,
    /// How many values were masked in all.
    count: usize,
}

/// How many distinct secrets from the summary are listed (and searched for elsewhere in it):
/// enough for any real `.env`, and a bound on the work a hostile summary can cause.
const MAX_FOUND: usize = 32;

impl Scrubbed {
    fn of(body: &Value) -> Scrubbed {
        let summary = match member(body, "summary") {
            Some(Value::String(s)) => s.as_str(),
            _ => "",
        };
        // Captured credentials LeakIX repeats in the summary are masked there as well.
        let known: Vec<String> = read::object(at(body, &["service", "credentials"]))
            .into_iter()
            .flatten()
            .filter(|(name, _)| Policy::SHARED.kind_of(name, true).is_some())
            .filter_map(|(_, value)| text(Some(value)))
            .collect();
        scrub(summary, &known)
    }
}

/// Whether `name` (e.g. `DB_PASSWORD`, `"api_key"`, `Authorization`) names a secret.
fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "pass",
        "pwd",
        "secret",
        "token",
        "key",
        "credential",
        "salt",
        "cookie",
        "authorization",
    ]
    .iter()
    .any(|w| n.contains(w))
        || n == "auth"
        || n.ends_with("_auth")
        || n.starts_with("auth_")
}

/// Masks secrets in free text: `NAME=value` / `NAME: value` / `"name": "value"` where NAME
/// names a secret, the password in `scheme://user:password@host`, and every occurrence of a
/// `known` secret or of one found so (at least 4 characters long).
fn scrub(text: &str, known: &[String]) -> Scrubbed {
    let mut spans: Vec<(usize, usize, String)> = Vec::new();
    let b = text.as_bytes();
    let byte = |i: usize| b.get(i).copied();
    let mut pos = 0;
    while pos < b.len() {
        let Some(c) = byte(pos) else { break };
        if c == b':' && byte(pos + 1) == Some(b'/') && byte(pos + 2) == Some(b'/') {
            // scheme://user:password@host
            let start = pos + 3;
            let end = (start..b.len())
                .find(|&i| {
                    byte(i).is_none_or(|c| {
                        c.is_ascii_whitespace() || matches!(c, b'/' | b'?' | b'#' | b'"' | b'\'')
                    })
                })
                .unwrap_or(b.len());
            if let Some(at_sign) = (start..end).rev().find(|&i| byte(i) == Some(b'@'))
                && let Some(colon) = (start..at_sign).find(|&i| byte(i) == Some(b':'))
                && colon + 1 < at_sign
            {
                spans.push((colon + 1, at_sign, "url_password".to_owned()));
            }
            pos = end.max(pos + 1);
            continue;
        }
        if c != b'=' && c != b':' {
            pos += 1;
            continue;
        }
        // The name before the separator, past spaces and one closing quote.
        let mut name_end = pos;
        while name_end > 0 && byte(name_end - 1).is_some_and(|c| c == b' ' || c == b'\t') {
            name_end -= 1;
        }
        if name_end > 0 && matches!(byte(name_end - 1), Some(b'"' | b'\'')) {
            name_end -= 1;
        }
        let mut name_start = name_end;
        while name_start > 0
            && byte(name_start - 1)
                .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
        {
            name_start -= 1;
        }
        let name = text.get(name_start..name_end).unwrap_or_default();
        if name.is_empty() || !secret_name(name) {
            pos += 1;
            continue;
        }
        // The value after the separator: quoted, or up to a delimiter.
        let mut start = pos + 1;
        while byte(start).is_some_and(|c| c == b' ' || c == b'\t' || c == b'=' || c == b':') {
            start += 1;
        }
        let (value_start, value_end) = match byte(start) {
            Some(q @ (b'"' | b'\'')) => {
                let end = (start + 1..b.len())
                    .find(|&i| byte(i) == Some(q) || byte(i) == Some(b'\n'))
                    .unwrap_or(b.len());
                (start + 1, end)
            }
            _ => {
                let token_end = |from: usize| {
                    (from..b.len())
                        .find(|&i| {
                            byte(i).is_none_or(|c| {
                                c.is_ascii_whitespace()
                                    || matches!(c, b'&' | b',' | b';' | b'}' | b'"' | b'\'')
                            })
                        })
                        .unwrap_or(b.len())
                };
                let mut end = token_end(start);
                let word = text.get(start..end).unwrap_or_default();
                if ["bearer", "basic", "token", "digest"]
                    .contains(&word.to_ascii_lowercase().as_str())
                {
                    // "Authorization: Bearer <token>": the token is the secret.
                    let mut next = end;
                    while byte(next).is_some_and(|c| c == b' ' || c == b'\t') {
                        next += 1;
                    }
                    if next < b.len() && byte(next).is_some_and(|c| c != b'\n' && c != b'\r') {
                        end = token_end(next);
                        (next, end)
                    } else {
                        (start, end)
                    }
                } else {
                    (start, end)
                }
            }
        };
        let value = text.get(value_start..value_end).unwrap_or_default();
        let placeholder = value.is_empty()
            || value.chars().all(|c| c == '*')
            || ["null", "true", "false", "none", "nil"]
                .contains(&value.to_ascii_lowercase().as_str());
        if !placeholder {
            spans.push((value_start, value_end, name.to_owned()));
        }
        pos = value_end.max(pos + 1);
    }
    let mut found: Vec<(String, String)> = Vec::new();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let count = spans.len();
    for (start, end, name) in spans {
        let (Some(before), Some(secret)) = (text.get(copied..start), text.get(start..end)) else {
            continue;
        };
        out.push_str(before);
        out.push_str(&mask_secret(secret));
        copied = end;
        if found.len() < MAX_FOUND && !found.iter().any(|(n, s)| *n == name && s == secret) {
            found.push((name, secret.to_owned()));
        }
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    // Repeats elsewhere in the text, and captured credentials.
    let mut everywhere: Vec<&str> = known.iter().map(String::as_str).collect();
    everywhere.extend(found.iter().map(|(_, s)| s.as_str()));
    everywhere.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for secret in everywhere {
        if secret.chars().count() >= 4 && out.contains(secret) {
            out = out.replace(secret, &mask_secret(secret));
        }
    }
    Scrubbed {
        text: out,
        found,
        count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn delivery(body: &Value) -> Delivery {
        crate::testing::delivery("leakix", &[], serde_json::to_vec(body).unwrap_or_default())
    }

    fn parse_in(body: Value, lang: Lang) -> NewAlert {
        let alerts = Leakix
            .parse(&body, &delivery(&body), &Context::in_lang(lang))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(alerts.len(), 1);
        alerts
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no alert"))
    }

    fn parse(body: Value) -> NewAlert {
        parse_in(body, Lang::En)
    }

    #[test]
    fn fixtures_match_their_golden_alerts() {
        assert!(crate::providers::golden::check("leakix") >= 7);
    }

    #[test]
    fn severity_is_leak_severity_as_is_and_medium_when_missing_or_unknown() {
        for (word, expected) in [
            (json!("critical"), Severity::Critical),
            (json!("high"), Severity::High),
            (json!(" HIGH "), Severity::High),
            (json!("medium"), Severity::Medium),
            (json!("low"), Severity::Low),
            (json!("info"), Severity::Info),
            (json!(""), Severity::Medium),
            (json!(null), Severity::Medium),
            (json!("urgent"), Severity::Medium),
            (json!(3), Severity::Medium),
        ] {
            let body = json!({"event_type": "leak", "ip": "192.0.2.1", "leak": {"severity": word}});
            assert_eq!(parse(body).severity, expected, "{word}");
        }
        // No leak at all (a service event): medium.
        let body = json!({"event_type": "service", "ip": "192.0.2.1", "port": "22"});
        assert_eq!(parse(body).severity, Severity::Medium);
    }

    #[test]
    fn the_sample_reads_as_an_exposed_env_file() {
        let body: Value = serde_json::from_str(Leakix.sample()).unwrap_or_default();
        let alert = parse(body);
        assert_eq!(
            alert.title,
            "Exposed .env configuration on site1.example.com:8080 (DotEnvConfigPlugin)"
        );
        assert_eq!(alert.subject, "site1.example.com:8080");
        assert_eq!(alert.category, "leak");
        assert_eq!(alert.severity, Severity::Medium);
        assert_eq!(
            alert.external_id,
            "ab2848eed8451d0ea0d48a691126d1aeab2848eed8451d0ea0d48a691126d1ae:127.0.0.1:site1.example.com:8080"
        );
        // Go's zero time is "unset".
        assert_eq!(alert.occurred_at, None);
        assert!(
            alert
                .summary
                .contains("https://site1.example.com:8080/site1/.env")
        );
        assert!(alert.recommendation.starts_with("Rotate every key"));
        assert_eq!(
            alert.links,
            vec![
                "https://leakix.net/host/127.0.0.1",
                "https://leakix.net/domain/site1.example.com"
            ]
        );
        assert_eq!(alert.masked_values.len(), 1);
        assert_eq!(alert.masked_values[0].name, "raw_credentials");
        assert_eq!(alert.masked_values[0].value, "SS************o=");
        // Zero times are left out, the rest of the certificate is kept.
        let tls = &alert.details["tls"];
        assert_eq!(tls["cn"], "example.com");
        assert!(tls.get("not_before").is_none() && tls.get("not_after").is_none());
        // Empty geo/network (Go zero values) make no sections.
        assert!(alert.details.get("geo").is_none());
        assert!(alert.details.get("network").is_none());
    }

    #[test]
    fn ports_as_strings_numbers_zero_and_ipv6() {
        let place = |port: Value, ip: &str| {
            parse(json!({"event_type": "leak", "ip": ip, "port": port})).subject
        };
        assert_eq!(place(json!("27017"), "192.0.2.1"), "192.0.2.1:27017");
        assert_eq!(place(json!(27017), "192.0.2.1"), "192.0.2.1:27017");
        assert_eq!(place(json!(""), "192.0.2.1"), "192.0.2.1");
        assert_eq!(place(json!("0"), "192.0.2.1"), "192.0.2.1");
        assert_eq!(place(json!("9200"), "2001:db8::7"), "[2001:db8::7]:9200");
        let alert = parse(json!({"event_type": "leak", "ip": "192.0.2.1", "port": "0"}));
        assert_eq!(alert.external_id, ":192.0.2.1::");
    }

    #[test]
    fn nulls_everywhere_and_zero_times_still_make_an_alert() {
        let body = json!({
            "event_type": "leak", "event_source": null, "event_pipeline": null,
            "event_fingerprint": "f1", "ip": "192.0.2.9", "host": "", "port": null,
            "transport": null, "tags": null, "time": "0001-01-01T00:00:00Z",
            "http": null, "ssl": {"certificate": {"domain": null, "not_after": "0001-01-01T00:00:00Z"}},
            "service": {"credentials": null, "software": {"modules": null}},
            "leak": {"dataset": {"ransom_notes": null, "rows": 0}},
            "geoip": null, "network": null
        });
        let alert = parse(body);
        assert_eq!(alert.title, "Data leak on 192.0.2.9");
        assert_eq!(alert.occurred_at, None);
        assert!(alert.masked_values.is_empty());
        assert_eq!(alert.details["host"], json!({"ip": "192.0.2.9"}));
        assert!(alert.details.get("tls").is_none());
        assert!(alert.details.get("leak").is_none());
    }

    #[test]
    fn times_with_fractions_and_zones_are_read() {
        let alert = parse(json!({"event_type": "leak", "ip": "192.0.2.1",
            "time": "2026-11-20T10:15:42.123456789+02:00"}));
        assert_eq!(
            alert.occurred_at.map(|t| t.to_rfc3339()),
            Some("2026-11-20T08:15:42.123456789+00:00".to_owned())
        );
    }

    #[test]
    fn objects_that_are_not_l9events_are_unrecognized() {
        for body in [
            json!({"hello": "world"}),
            json!([1, 2]),
            json!("leak"),
            json!({"ip": "1.2.3.4"}),
        ] {
            let got = Leakix.parse(&body, &delivery(&body), &Context::default());
            assert!(got.is_err(), "{body}");
        }
    }

    #[test]
    fn ransom_notes_make_a_breach_title_and_recommendation() {
        let body = json!({
            "event_type": "leak", "event_source": "MongoOpenPlugin", "ip": "192.0.2.5",
            "port": "27017", "protocol": "mongo",
            "leak": {"stage": "exfiltrate", "severity": "critical",
                     "dataset": {"infected": true, "ransom_notes": ["pay 0.1 BTC"]}}
        });
        let en = parse(body.clone());
        assert_eq!(
            en.title,
            "Ransom note in MongoDB database on 192.0.2.5:27017 (MongoOpenPlugin)"
        );
        assert_eq!(en.severity, Severity::Critical);
        assert!(en.recommendation.contains("restore it from a clean backup"));
        let de = parse_in(body, Lang::De);
        assert_eq!(
            de.title,
            "Lösegeldforderung in MongoDB-Datenbank auf 192.0.2.5:27017 (MongoOpenPlugin)"
        );
        assert!(de.recommendation.contains("zahle kein Lösegeld"));
    }

    #[test]
    fn long_titles_drop_the_plugin_then_are_cut() {
        let host = format!("{}.example.com", "a".repeat(120));
        let alert = parse(
            json!({"event_type": "leak", "event_source": "DotEnvConfigPlugin",
            "host": host, "port": "443"}),
        );
        assert_eq!(alert.title.chars().count(), TITLE_MAX);
        assert!(alert.title.ends_with('…') && !alert.title.contains("DotEnv"));
    }

    #[test]
    fn titles_drop_bidi_override_characters() {
        let alert = parse(
            json!({"event_type": "leak", "event_source": "Dot\u{202E}EnvConfigPlugin",
            "host": "shop.example.com", "port": "443"}),
        );
        assert!(!alert.title.contains('\u{202E}'), "{}", alert.title);
        assert!(
            alert.title.ends_with("(DotEnvConfigPlugin)"),
            "{}",
            alert.title
        );
        // A source of nothing but such characters adds no empty "()".
        let alert = parse(
            json!({"event_type": "leak", "event_source": "\u{2066}\u{2069}",
            "host": "shop.example.com", "port": "443"}),
        );
        assert!(!alert.title.contains("()"), "{}", alert.title);
    }

    #[test]
    fn summary_secrets_are_masked_and_listed() {
        let text = "APP_NAME=shop\nAPP_KEY=base64:c2VjcmV0a2V5MTIz\nDB_PASSWORD=\"Hunter2 Hunter2\"\n\
                    DB_HOST=127.0.0.1\nREDIS_URL=redis://app:Sup3rS3cret@cache:6379/0\n\
                    Authorization: Bearer eyJhbGciOiJIUzI1NiJ9\n{\"api_key\": \"sk_live_abcdef123456\", \"mode\": \"x\"}\n\
                    MAIL_PASSWORD=null\nsaid eyJhbGciOiJIUzI1NiJ9 again";
        let out = scrub(text, &["Hunter".to_owned()]);
        for secret in [
            "c2VjcmV0a2V5MTIz",
            "Hunter2 Hunter2",
            "Sup3rS3cret",
            "eyJhbGciOiJIUzI1NiJ9",
            "sk_live_abcdef123456",
            "Hunter",
        ] {
            assert!(
                !out.text.contains(secret),
                "{secret} survived: {}",
                out.text
            );
        }
        for kept in [
            "APP_NAME=shop",
            "DB_HOST=127.0.0.1",
            "redis://app:",
            "@cache:6379/0",
            "MAIL_PASSWORD=null",
            "\"mode\": \"x\"",
        ] {
            assert!(out.text.contains(kept), "{kept} lost: {}", out.text);
        }
        let names: Vec<&str> = out.found.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "APP_KEY",
                "DB_PASSWORD",
                "url_password",
                "Authorization",
                "api_key"
            ]
        );
        // Plain text without secrets is left as it is.
        let plain = "GET /... qwerqwer\nContent-Type: text/plain; time 12:30:45";
        assert_eq!(scrub(plain, &[]).text, plain);
    }

    #[test]
    fn plugins_and_protocols_name_what_was_found() {
        let title = |source: Value, protocol: &str| {
            parse(
                json!({"event_type": "leak", "event_source": source, "ip": "192.0.2.1",
                "port": "6379", "protocol": protocol}),
            )
            .title
        };
        assert_eq!(
            title(json!("RedisOpenPlugin"), "redis"),
            "Open Redis database on 192.0.2.1:6379 (RedisOpenPlugin)"
        );
        assert_eq!(
            title(json!(null), "redis"),
            "Open Redis database on 192.0.2.1:6379"
        );
        assert_eq!(
            title(json!("GitConfigHttpPlugin"), "http"),
            "Exposed Git configuration on 192.0.2.1:6379 (GitConfigHttpPlugin)"
        );
        assert_eq!(
            title(json!("KafkaOpenPlugin"), ""),
            "Open Kafka service on 192.0.2.1:6379 (KafkaOpenPlugin)"
        );
        assert_eq!(
            title(json!("GitlabPlugin"), "https"),
            "Data leak on 192.0.2.1:6379 (GitlabPlugin)"
        );
    }

    #[test]
    fn a_summary_full_of_secrets_is_masked_in_bounded_time() {
        let text: String = (0..20_000)
            .map(|i| format!("KEY_{i}=value{i:06}x\n"))
            .collect();
        let out = scrub(&text, &[]);
        assert_eq!(out.count, 20_000);
        assert_eq!(out.found.len(), MAX_FOUND);
        assert!(!out.text.contains("value019999x"));
        assert!(
            out.text
                .starts_with("KEY_0=va********0x\nKEY_1=va********1x\n")
        );
    }

    #[test]
    fn redact_masks_credentials_and_the_summary_in_the_stored_copy() {
        let mut body = json!({
            "event_type": "leak", "ip": "192.0.2.1",
            "summary": "user=root\npassword=toor-toor-99\nlogin root/hunter-two-2",
            "service": {"credentials": {"username": "root", "password": "hunter-two-2", "key": "", "raw": null}}
        });
        assert!(crate::normalize::mask_body(&Leakix, &mut body));
        let text = body.to_string();
        assert!(
            !text.contains("toor-toor-99") && !text.contains("hunter-two-2"),
            "{text}"
        );
        assert!(text.contains("user=root"));
        assert!(
            !crate::normalize::mask_body(&Leakix, &mut body),
            "masking twice changes nothing"
        );
        // A password sent as a number is masked too, in the alert and in the stored copy.
        let mut body = json!({"event_type": "leak", "ip": "192.0.2.1",
            "service": {"credentials": {"password": 73_519_904_221_u64}}});
        let alert = parse(body.clone());
        assert_eq!(alert.masked_values[0].value, "73*******21");
        assert!(crate::normalize::mask_body(&Leakix, &mut body));
        assert_eq!(body["service"]["credentials"]["password"], "73*******21");
    }

    #[test]
    fn sizes_are_written_for_the_reader() {
        let size = |n: i64, lang: Lang| {
            let (size, unit) = bytes(n);
            let mut args = FluentArgs::new();
            args.set("size", size);
            args.set("unit", unit);
            prose(lang, "leakix-size", &args)
        };
        assert_eq!(size(13_223, Lang::En), "12.9 KiB");
        assert_eq!(size(13_223, Lang::De), "12,9 KiB");
        assert_eq!(size(512, Lang::En), "512 B");
        assert_eq!(size(5 * 1024 * 1024 * 1024, Lang::En), "5 GiB");
        assert_eq!(size(1_572_864_000, Lang::De), "1,5 GiB");
    }
}
