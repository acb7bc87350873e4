//! The settings in `hookbell.toml`, as one struct. Reading the file is the caller's job; this
//! module parses, validates and renders it.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use crate::auth::Auth;
use crate::providers;

/// The default address of the webhook server and local API.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7787";
/// The default largest accepted delivery body.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// Everything in `hookbell.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The HTTP server.
    #[serde(default)]
    pub server: ServerConfig,
    /// One entry per provider account.
    #[serde(default)]
    pub sources: Vec<SourceConfig>,
    /// Optional relay to receive through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay: Option<RelayConfig>,
    /// smee.io-style channels to follow, each feeding one source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub smee: Vec<SmeeChannel>,
}

/// `[server]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to bind; the `--listen` flag wins.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Largest accepted delivery body; larger ones get 413.
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
    /// Per-peer request limit on `/hooks`.
    #[serde(default)]
    pub rate_limit: RateLimit,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: default_listen(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            rate_limit: RateLimit::default(),
        }
    }
}

/// How many deliveries one peer (IP address) may send: a sustained rate and a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Sustained requests per second per peer.
    pub per_second: u32,
    /// Requests a peer may send at once before the rate applies.
    pub burst: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            per_second: 50,
            burst: 200,
        }
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 7787))
}
fn default_max_body() -> usize {
    DEFAULT_MAX_BODY_BYTES
}

/// `[[sources]]`: one provider account and how its deliveries are authenticated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// The URL slug: deliveries go to `/hooks/{id}`.
    pub id: String,
    /// Which adapter parses its deliveries.
    pub provider: String,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How deliveries are authenticated.
    pub auth: Auth,
}

impl SourceConfig {
    /// The display name, falling back to the id.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}

/// `[relay]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayConfig {
    /// The relay's base URL.
    pub url: String,
}

/// `[[smee]]`: a smee.io-style Server-Sent Events channel followed as a relay; every
/// delivery it carries goes to `source` as if it had been posted to `/hooks/{source}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmeeChannel {
    /// The channel's URL, e.g. `https://smee.io/AbCdEf`.
    pub url: String,
    /// The source its deliveries are for.
    pub source: String,
}

/// What is wrong with a config file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Not valid TOML, or not the expected shape.
    #[error("{0}")]
    Syntax(#[from] toml::de::Error),
    /// Valid TOML whose content does not make sense.
    #[error("{0}")]
    Invalid(String),
}

/// True for a usable source id: 1–64 of `a-z`, `0-9`, `-`, `_`, starting with a letter or digit.
pub fn is_valid_source_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && id.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
}

impl Config {
    /// Parses and validates `hookbell.toml`.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what TOML alone cannot: unique, well-formed source ids and known providers.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut seen = std::collections::HashSet::new();
        for source in &self.sources {
            if !is_valid_source_id(&source.id) {
                return Err(ConfigError::Invalid(format!(
                    "source id {:?} must be 1-64 characters of a-z, 0-9, '-' and '_'",
                    source.id
                )));
            }
            if !seen.insert(source.id.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "source id {:?} is used twice",
                    source.id
                )));
            }
            if providers::get(&source.provider).is_none() {
                return Err(ConfigError::Invalid(format!(
                    "source {:?}: unknown provider {:?} (expected one of {})",
                    source.id,
                    source.provider,
                    providers::ids().join(", ")
                )));
            }
            if let Err(e) = source.auth.check_config() {
                return Err(ConfigError::Invalid(format!("source {:?}: {e}", source.id)));
            }
        }
        for channel in &self.smee {
            if !(channel.url.starts_with("https://") || channel.url.starts_with("http://")) {
                return Err(ConfigError::Invalid(format!(
                    "smee channel {:?}: the URL must start with https:// or http://",
                    channel.url
                )));
            }
            if self.source(&channel.source).is_none() {
                return Err(ConfigError::Invalid(format!(
                    "smee channel {:?}: there is no source {:?}",
                    channel.url, channel.source
                )));
            }
        }
        if self.server.max_body_bytes == 0 {
            return Err(ConfigError::Invalid(
                "server.max_body_bytes must be above 0".into(),
            ));
        }
        if self.server.rate_limit.per_second == 0 || self.server.rate_limit.burst == 0 {
            return Err(ConfigError::Invalid(
                "server.rate_limit.per_second and burst must be above 0".into(),
            ));
        }
        Ok(())
    }

    /// The source with this id.
    pub fn source(&self, id: &str) -> Option<&SourceConfig> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// The config as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// The file written at first start: defaults, one ready-to-use `test` source signed with
    /// Standard Webhooks (`test_secret` must be a fresh `whsec_…` secret), and commented
    /// examples of every scheme.
    pub fn first_start_file(test_secret: &str) -> String {
        format!(
            r#"# Hookbell settings. Edit by hand or in the app; a hand-edited file is read at start.

[server]
listen = "{DEFAULT_LISTEN}"         # the --listen flag wins
max_body_bytes = {DEFAULT_MAX_BODY_BYTES}
rate_limit = {{ per_second = 50, burst = 200 }}   # per sending IP, on /hooks

# One [[sources]] per provider account. Deliveries go to http://HOST/hooks/<id>.
# provider: omniac | enzoic | osintly | leakix | cyscale | generic
[[sources]]
id = "test"
provider = "generic"
name = "Test source (try: hookbelld send-test test)"
auth = {{ scheme = "standard-webhooks", secret = "{test_secret}" }}

# [[sources]]
# id = "enzoic"
# provider = "enzoic"
# name = "Enzoic breach monitoring"
# auth = {{ scheme = "basic", username = "WEBHOOK_KEY", password = "WEBHOOK_SECRET" }}
#
# Other schemes:
#   {{ scheme = "none" }}
#   {{ scheme = "bearer", token = "..." }}
#   {{ scheme = "header", name = "X-Api-Key", value = "..." }}
#   {{ scheme = "hmac-sha256", secret = "...", signature_header = "X-Signature", timestamp_header = "X-Timestamp", tolerance_secs = 300 }}
#   {{ scheme = "standard-webhooks", secret = "whsec_..." }}
#   {{ scheme = "github", secret = "..." }}

# [relay]
# url = "https://relay.example.org"
"#
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_example_parses() {
        let config = Config::from_toml(
            r#"
[server]
listen = "127.0.0.1:7787"
max_body_bytes = 1048576

[[sources]]
id = "enzoic"
provider = "enzoic"
name = "Enzoic breach monitoring"
auth = { scheme = "basic", username = "KEY", password = "SECRET" }

[relay]
url = "https://relay.example.org"
"#,
        );
        let config = config.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.sources[0].auth.scheme(), "basic");
        assert_eq!(
            config.relay.map(|r| r.url).as_deref(),
            Some("https://relay.example.org")
        );
    }

    #[test]
    fn first_start_file_parses_and_round_trips() {
        let text = Config::first_start_file("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        let config = Config::from_toml(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.server, ServerConfig::default());
        assert_eq!(
            config.source("test").map(|s| s.auth.scheme()),
            Some("standard-webhooks")
        );
        let again = Config::from_toml(&config.to_toml()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, config);
    }

    #[test]
    fn bad_configs_say_what_is_wrong() {
        let dup = "[[sources]]\nid='a'\nprovider='generic'\nauth={scheme='none'}\n[[sources]]\nid='a'\nprovider='generic'\nauth={scheme='none'}";
        assert!(
            Config::from_toml(dup)
                .err()
                .is_some_and(|e| e.to_string().contains("used twice"))
        );
        let slug = "[[sources]]\nid='../etc'\nprovider='generic'\nauth={scheme='none'}";
        assert!(
            Config::from_toml(slug)
                .err()
                .is_some_and(|e| e.to_string().contains("a-z"))
        );
        let provider = "[[sources]]\nid='x'\nprovider='acme'\nauth={scheme='none'}";
        assert!(
            Config::from_toml(provider)
                .err()
                .is_some_and(|e| e.to_string().contains("acme"))
        );
        let scheme = "[[sources]]\nid='x'\nprovider='generic'\nauth={scheme='magic'}";
        assert!(Config::from_toml(scheme).is_err());
        let whsec = "[[sources]]\nid='x'\nprovider='generic'\nauth={scheme='standard-webhooks', secret='whsec_not base64!'}";
        assert!(
            Config::from_toml(whsec)
                .err()
                .is_some_and(|e| e.to_string().contains("base64"))
        );
    }

    #[test]
    fn smee_channels_name_an_existing_source_and_a_web_url() {
        let source = "[[sources]]\nid='gh'\nprovider='generic'\nauth={scheme='none'}\n";
        let good = format!("{source}[[smee]]\nurl='https://smee.io/AbC'\nsource='gh'");
        let config = Config::from_toml(&good).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.smee[0].source, "gh");
        let again = Config::from_toml(&config.to_toml()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, config);
        let unknown = format!("{source}[[smee]]\nurl='https://smee.io/AbC'\nsource='nope'");
        assert!(
            Config::from_toml(&unknown)
                .err()
                .is_some_and(|e| e.to_string().contains("no source \"nope\""))
        );
        let scheme = format!("{source}[[smee]]\nurl='ftp://smee.io/AbC'\nsource='gh'");
        assert!(
            Config::from_toml(&scheme)
                .err()
                .is_some_and(|e| e.to_string().contains("https://"))
        );
    }

    #[test]
    fn source_ids_are_slugs() {
        assert!(is_valid_source_id("breach-alerts-2"));
        for bad in ["", "-x", "A", "a/b", "..", "a b", "é"] {
            assert!(!is_valid_source_id(bad), "{bad}");
        }
    }
}
