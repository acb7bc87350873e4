//! A webhook delivery exactly as it arrived: raw body bytes and headers, before any parsing.
//!
//! Signatures are computed over the exact bytes, so nothing here re-encodes the body, and
//! headers keep their order and repeats (the relay carries them as they came).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Header names whose values are credentials or signatures; they are never stored or logged.
pub const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
    "x-hub-signature",
    "x-hub-signature-256",
    "webhook-signature",
    "svix-signature",
    "x-signature",
];

/// Request headers in arrival order; names are kept lowercase, repeats are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Headers(Vec<(String, Vec<u8>)>);

impl Headers {
    /// An empty header list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a header (the name is lowercased).
    pub fn push(&mut self, name: &str, value: impl Into<Vec<u8>>) {
        self.0.push((name.to_ascii_lowercase(), value.into()));
    }

    /// The first value of `name` (case-insensitive), as raw bytes.
    pub fn get_bytes(&self, name: &str) -> Option<&[u8]> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// The first value of `name` (case-insensitive) if it is valid UTF-8.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.get_bytes(name)
            .and_then(|v| std::str::from_utf8(v).ok())
    }

    /// Every value of `name` (case-insensitive), in arrival order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// Every header, in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_slice()))
    }

    /// The first header that only a web browser sends, if there is one: `Origin` (on every
    /// POST a page makes) or any `Sec-Fetch-*`. A page the user has open can reach a loopback
    /// webhook with a `no-cors` request that needs nobody's consent; providers' servers send
    /// none of these, with one exception: Node's `fetch` sends `Sec-Fetch-Mode: cors` and
    /// nothing else a browser would, so that header alone, with that value, is not counted.
    pub fn browser_header(&self) -> Option<&str> {
        self.0
            .iter()
            .find(|(name, value)| {
                name == "origin"
                    || (name.starts_with("sec-fetch-")
                        && !(name == "sec-fetch-mode" && value.as_slice() == b"cors"))
            })
            .map(|(name, _)| name.as_str())
    }

    /// How many header lines there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A copy fit to store or show: secret-bearing headers (and any header named in `extra`)
    /// have their value replaced by `[redacted]`; values that are not UTF-8 are shown lossily.
    pub fn redacted(&self, extra: &[&str]) -> Vec<(String, String)> {
        self.0
            .iter()
            .map(|(name, value)| {
                let secret = SECRET_HEADERS.contains(&name.as_str())
                    || extra.iter().any(|e| e.eq_ignore_ascii_case(name));
                let shown = if secret {
                    "[redacted]".to_owned()
                } else {
                    String::from_utf8_lossy(value).into_owned()
                };
                (name.clone(), shown)
            })
            .collect()
    }
}

impl<N: AsRef<str>, V: Into<Vec<u8>>> FromIterator<(N, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        let mut headers = Headers::new();
        for (n, v) in iter {
            headers.push(n.as_ref(), v);
        }
        headers
    }
}

/// One HTTP delivery to `/hooks/{source_id}` (or carried by the relay).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The source (URL slug) it was addressed to.
    pub source_id: String,
    /// When it reached Hookbell (or the relay, for relayed deliveries). Signature timestamps
    /// are checked against this time.
    pub received_at: DateTime<Utc>,
    /// The sender's address, when known.
    pub peer: Option<std::net::SocketAddr>,
    /// Request headers, in order.
    pub headers: Headers,
    /// The exact body bytes.
    pub body: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_case_insensitive_ordered_and_multi_valued() {
        let headers: Headers = [("X-Tag", "a"), ("Content-Type", "json"), ("x-tag", "b")]
            .into_iter()
            .collect();
        assert_eq!(headers.get("x-TAG"), Some("a"));
        let all: Vec<&[u8]> = headers.get_all("X-Tag").collect();
        assert_eq!(all, vec![b"a".as_slice(), b"b".as_slice()]);
        assert_eq!(headers.len(), 3);
    }

    #[test]
    fn browser_headers_are_told_apart() {
        let browser: Headers = [
            ("Content-Type", "text/plain"),
            ("Sec-Fetch-Mode", "no-cors"),
        ]
        .into_iter()
        .collect();
        assert_eq!(browser.browser_header(), Some("sec-fetch-mode"));
        // Node's fetch (undici) sends this one alone; servers that use it are providers.
        let node: Headers = [("Sec-Fetch-Mode", "cors")].into_iter().collect();
        assert_eq!(node.browser_header(), None);
        let page: Headers = [("Origin", "null")].into_iter().collect();
        assert_eq!(page.browser_header(), Some("origin"));
        let server: Headers = [("User-Agent", "GitHub-Hookshot/1"), ("X-Origin-Id", "1")]
            .into_iter()
            .collect();
        assert_eq!(server.browser_header(), None);
    }

    #[test]
    fn redaction_hides_credentials_and_named_headers() {
        let headers: Headers = [
            ("Authorization", "Basic c2VjcmV0"),
            ("X-Custom-Sig", "sha256=abc"),
            ("Content-Type", "application/json"),
        ]
        .into_iter()
        .collect();
        let shown = headers.redacted(&["x-custom-sig"]);
        assert_eq!(shown[0].1, "[redacted]");
        assert_eq!(shown[1].1, "[redacted]");
        assert_eq!(shown[2].1, "application/json");
    }
}
